/*
 * src/case/case_internal.h - what the case-store modules share: the acting
 * user and the role checks, name lookups, and small validators.
 */
#ifndef VIGIL_CASE_INTERNAL_H
#define VIGIL_CASE_INTERNAL_H

#include <stdint.h>

#include "store/store_internal.h"
#include "vigil/case.h"
#include "vigil/text.h"
#include "vigil/video.h"

/* Roles as bits, for the checks. */
enum {
    CASE_ANALYST = 1,
    CASE_REVIEWER = 2,
    CASE_COORDINATOR = 4,
    CASE_LIAISON = 8,
    CASE_ADMIN = 16,
    CASE_AGENCY_STAFF = CASE_ANALYST | CASE_REVIEWER | CASE_COORDINATOR,
};

/* The acting user. */
typedef struct case_actor {
    int64_t user_id;     /* 0: the local administrator           */
    int64_t agency_id;   /* 0 when none                          */
    int64_t platform_id; /* 0 when none                          */
    int role;            /* one CASE_* bit                       */
    char name[128];      /* for audit events: the user, or "local" */
} case_actor;

/*! case_actor_get() : resolves `by` (NULL: the local administrator).
 *  VIGIL_ENOENT for an unknown user, VIGIL_EPERM for a revoked one. */
vigil_status case_actor_get(vigil_store *st, const char *by, case_actor *a, vigil_err *err);

/*! case_require() : VIGIL_EPERM ("USER (ROLE) may not WHAT") unless the
 *  actor's role is in `roles` or the actor is an admin. */
vigil_status case_require(const case_actor *a, int roles, const char *what, vigil_err *err);

/*! case_token_digest() : the SHA-256 of an API token's text as lowercase
 *  hex, the form the store keeps (user.token_digest).  @return 0, -1 when
 *  OpenSSL fails. */
int case_token_digest(const char *token, char out[65]);

/*! case_role_name() / case_role_parse() : "analyst" <-> CASE_ANALYST ... */
const char *case_role_name(int role);
int case_role_parse(const char *name);

/*! Lookups by name; VIGIL_ENOENT with a message naming what is missing. */
vigil_status case_agency_id(vigil_store *st, const char *code, int64_t *id, vigil_err *err);
vigil_status case_platform_id(vigil_store *st, const char *name, int64_t *id, vigil_err *err);
vigil_status case_op_id(vigil_store *st, const char *name, int64_t *id, vigil_err *err);

/*! case_op_find() : operation `name`'s id, if the actor may use it:
 *  admins and the local administrator always; agency users when their
 *  agency participates (VIGIL_EPERM otherwise); platform users never (they
 *  see referrals). */
vigil_status case_op_find(vigil_store *st, const case_actor *a, const char *name, int64_t *id,
                          vigil_err *err);

/*! case_item_access() : whether the actor may see item `id` (its
 *  operation, or a referral to their platform).  VIGIL_ENOENT "no item N"
 *  for items they may not see, as for ids never used, so that other
 *  tenants' ids are not confirmed. */
vigil_status case_item_access(vigil_store *st, const case_actor *a, int64_t id, vigil_err *err);

/*! case_cluster_of() : item `id`'s content cluster as the actor may see it:
 *  {id (null for a liaison), items (its size), copies: [{id, platform,
 *  state, canonical_url, observed_at, via}] (the other items, at most 100;
 *  a liaison sees only those referred to their platform)}.  `via`: the
 *  direct links between item `id` and the copy, computed on read with the
 *  intake's rules: [{signal: "md5"|"sha256"}, {signal: "pdq", distance},
 *  {signal: "text", similarity}, {signal: "video", item_share, copy_share,
 *  distance}] in that order, the best pair of each kind; [] when the copy is
 *  in the cluster through other items only.  Hashes are never shown.  No
 *  access check: the caller checked the item. */
vigil_status case_cluster_of(vigil_store *st, const case_actor *a, int64_t id, json_t **out,
                             vigil_err *err);

/*! case_time_arg() : `text` (NULL: now, by the store's clock) parsed into UTC text `out`.  A
 *  bad time is VIGIL_EPARSE naming the field `what` ("at", "start"). */
vigil_status case_time_arg(vigil_store *st, const char *text, const char *what,
                           char out[VIGIL_TIME_LEN], vigil_err *err);

/*! case_text_check() : NULL ok; else valid UTF-8, no control characters,
 *  at most `max` bytes.  `what` without a space is the field name the
 *  error names (err->field: "reason", "notes"); with a space, a description
 *  that starts the message ("user name: longer than 100 bytes"). */
vigil_status case_text_check(const char *text, const char *what, size_t max, vigil_err *err);

/*! case_lang_check() : an ISO 639-1 code (two lowercase letters from the
 *  ISO list; case is folded into `out`), or "und". */
vigil_status case_lang_check(const char *code, char out[4], vigil_err *err);

/*! case_hash_parse() : "pdq:HEX", "md5:HEX", "sha256:HEX" or a bare 64-hex
 *  PDQ hash into type and lowercase value. */
vigil_status case_hash_parse(const char *text, char type[8], char value[65], vigil_err *err);

/*! Running totals (totals.c), added next to the rows a write changes.
 *  case_tally_item() : the item's counted fields (state, type, platform,
 *  ...) with `sign` (-1 just before a change of the item's row, +1 just
 *  after it or after its insert); *op and *agency (NULL ok) receive its
 *  operation and agency (0: none).  case_tally_new_item() : as +1 for an
 *  item just inserted (state identified, a cluster of its own) from the
 *  values it was inserted with, without reading it back (affiliation and
 *  outlet NULL for none).  case_tally_report() : one report of an
 *  item of `op` (the item's agency, the report's; 0: none).
 *  case_tally_lang() : a language row added.  case_tally_contents() :
 *  `by` clusters more (a new item) or fewer (a merge).
 *  case_tally_referral_item() : item `item` about to join a referral of
 *  `op` to `platform` (call before its row is written).
 *  @return VIGIL_OK, VIGIL_ENOMEM or the store's error. */
vigil_status case_tally_item(vigil_store *st, int64_t id, int sign, int64_t *op, int64_t *agency,
                             vigil_err *err);
vigil_status case_tally_new_item(vigil_store *st, int64_t op, int64_t platform, const char *type,
                                 const char *affiliation, const char *outlet, int reupload,
                                 vigil_err *err);
vigil_status case_tally_report(vigil_store *st, int64_t op, int64_t item_agency,
                               int64_t report_agency, vigil_err *err);
vigil_status case_tally_lang(vigil_store *st, int64_t op, const char *lang, vigil_err *err);
vigil_status case_tally_contents(vigil_store *st, int64_t op, int64_t by, vigil_err *err);
vigil_status case_tally_referral_item(vigil_store *st, int64_t op, int64_t platform, int64_t item,
                                      vigil_err *err);

/*! case_item_row() : the item's own record (for audit before/after and
 *  lists): id, operation, canonical_url, platform, account, type,
 *  languages, affiliation, outlet, hashes, observed_at, reported_by,
 *  agency, state, reupload_of, notes. */
vigil_status case_item_row(vigil_store *st, int64_t id, json_t **out, vigil_err *err);

/* ---- the lifecycle (state.c) ------------------------------------------------- */

/* Why an item changes state: each move of the table has one cause. */
typedef enum case_cause {
    CASE_CAUSE_HOLD,    /* a hold matched (hold.c)             */
    CASE_CAUSE_RELEASE, /* its last hold was released (hold.c) */
    CASE_CAUSE_REVIEW,  /* assess / reject (item.c)            */
    CASE_CAUSE_REFER,   /* referred to its platform (refer.c)  */
    CASE_CAUSE_OUTCOME, /* the platform's answer (refer.c)     */
    CASE_CAUSE_ORDER,   /* a removal order done (refer.c)      */
} case_cause;

/*! case_move_allowed() : whether the table has the move. Pure. */
int case_move_allowed(const char *from, const char *to, case_cause cause);

/*! case_move_check() : VIGIL_OK when the table has the move (and its note,
 *  when the move needs one); else VIGIL_ECONFLICT naming both states (or
 *  that the item is held), or VIGIL_EINVAL (field "note") for a rejection
 *  without a note.  Pure. */
vigil_status case_move_check(int64_t id, const char *from, const char *to, case_cause cause,
                             const char *note, vigil_err *err);

/*! case_move() : checks the move (case_move_check) and makes it, with its
 *  history row and audit event, inside the caller's transaction. */
vigil_status case_move(vigil_store *st, const case_actor *a, int64_t id, const char *from,
                       const char *to, case_cause cause, const char *at, const char *note,
                       vigil_err *err);

/*! case_state_table_md() : the table as Markdown (docs/operations.md
 *  carries it; a test compares).  Writes at most `cap` bytes (NUL
 *  included) and @return the full length, as snprintf. */
size_t case_state_table_md(char *buf, size_t cap);

/*! case_holds_check() : inside a transaction, matches live item `id`
 *  against the active holds; each match is recorded (item_hold) and, when
 *  the item is identified or assessed, it goes to held.  *held (NULL ok)
 *  is set to 1 when at least one hold matched. */
vigil_status case_holds_check(vigil_store *st, const case_actor *a, int64_t id, int *held,
                              vigil_err *err);

/* ---- content clusters: linking at intake (item.c, cluster_link.c) ---- */

#define CASE_MEET_MAX 256 /* clusters one item can merge in one go */

/* The rules that link two items, for the intake (item.c, cluster_link.c)
 * and for telling which links hold (cluster.c's `via`): one place each. */
#define CASE_CLUSTER_PDQ_DISTANCE 31 /* PDQ within it: the banks' default threshold */

/*! case_text_alike() : whether two text fingerprints are near-duplicates:
 *  their estimated Jaccard similarity (into *similarity, NULL ok) is at
 *  least the text banks' VIGIL_TEXT_DEFAULT_MIN_SIMILARITY.  Pure. */
int case_text_alike(const vigil_text_sig *a, const vigil_text_sig *b, double *similarity);

/*! case_video_alike() : whether video q matches video b under the banks'
 *  default vPDQ rule and thresholds (vigil_video_compare_rule with no
 *  options; q is the query: how->query_share is of q's frames,
 *  how->bank_share of b's).  *how is filled as that function does (no
 *  allocation).  Pure. */
int case_video_alike(const vigil_video_hash *q, const vigil_video_hash *b, vigil_video_match *how);

/* The clusters an item's content meets (cluster ids, distinct, in the
 * order found; those over CASE_MEET_MAX are dropped). */
typedef struct case_meet {
    int64_t ids[CASE_MEET_MAX];
    size_t n;
} case_meet;

/*! case_meet_add() / case_meet_has() : adds cluster `c` (once) / whether
 *  it is there. */
void case_meet_add(case_meet *m, int64_t c);
int case_meet_has(const case_meet *m, int64_t c);

/* What an item brings for linking by near-duplicate text and matching
 * video, read from its input before anything is written. */
typedef struct case_link_input {
    int has_text;         /* 1: `text` is the fingerprint of the item's text */
    vigil_text_sig text;
    char *video;          /* the vPDQ hash in its canonical form (malloc'd), or NULL */
    vigil_video_hash vhash; /* its frames */
} case_link_input;

/* What one intake (or one whole import) keeps between items for these
 * links: the operation's video frames in a PDQ index, built on first need. */
typedef struct case_link_ctx case_link_ctx;

/*! case_link_prepare() :
 *  Reads in->text (already checked by the intake: valid UTF-8) and in->vpdq
 *  into *li (cleared first; case_link_input_clear frees it).  A text with
 *  no words has no fingerprint (not an error).  @return VIGIL_OK, or
 *  VIGIL_EPARSE/VIGIL_ELIMIT with the field "vpdq" for a video hash that
 *  does not parse or is too big, VIGIL_ENOMEM; *li is empty on error. */
vigil_status case_link_prepare(const vigil_item_input *in, case_link_input *li, vigil_err *err);

/*! case_link_input_clear() : frees what case_link_prepare kept.  NULL ok. */
void case_link_input_clear(case_link_input *li);

/*! case_link_reupload_video() :
 *  Raises *of to the newest removed item (any operation) whose video
 *  matches li's by the banks' default vPDQ rule (the frames of removed
 *  items' videos are indexed in *ctx on first need, once per intake or
 *  import).  Nothing without a video.  @return VIGIL_OK, VIGIL_ENOMEM or a
 *  store error. */
vigil_status case_link_reupload_video(vigil_store *st, case_link_ctx **ctx,
                                      const case_link_input *li, int64_t *of, vigil_err *err);

/*! case_link_flush() :
 *  Writes the text band rows that case_link_similar kept in `c` (NULL ok),
 *  in the intake's transaction, before it commits (a rollback discards
 *  them with the rest).  @return VIGIL_OK or a store error. */
vigil_status case_link_flush(vigil_store *st, case_link_ctx *c, vigil_err *err);

/*! case_link_ctx_free() : NULL ok. */
void case_link_ctx_free(case_link_ctx *c);

/*! case_link_similar() :
 *  Inside the intake's transaction, as part of its last step: adds to *m
 *  the clusters of the other items of operation `op_id` whose text is a
 *  near-duplicate of li's (estimated Jaccard similarity >= the text banks'
 *  VIGIL_TEXT_DEFAULT_MIN_SIMILARITY) or whose video matches li's (vPDQ,
 *  the banks' default rule and thresholds), then stores li's text
 *  fingerprint and video for item `id` (once per distinct value); the text's
 *  band rows are kept in *ctx until case_link_flush.  *ctx is created on
 *  first need (case_link_ctx_free it).
 *  @return VIGIL_OK, VIGIL_ENOMEM, store errors. */
vigil_status case_link_similar(vigil_store *st, case_link_ctx **ctx, int64_t op_id, int64_t id,
                               const case_link_input *li, case_meet *m, vigil_err *err);

#endif /* VIGIL_CASE_INTERNAL_H */
