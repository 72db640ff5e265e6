/*
 * vigil/case.h - the referral case store: agencies, users, platforms,
 * operations, items (intake, deduplication, lifecycle), holds
 * (deconfliction), referrals and outcomes, TCO removal orders, statistics,
 * and the audit chain.  Everything lives in the vigil store (store.h).
 *
 * Conventions of this header:
 * - `by` names the acting user (a user added with vigil_user_add).  NULL is
 *   the local administrator: whoever can open the store file has every
 *   right, and audit events name them "local".  A named user is checked
 *   against the role matrix of docs/operations.md (VIGIL_EPERM otherwise).
 * - Every function that writes runs in one transaction, appends its audit
 *   events in that same transaction, and on any error changes nothing.
 * - Times are ISO 8601 text.  Inputs take any offset ("2024-05-01T14:00+02:00")
 *   or none (UTC); outputs are UTC ("2024-05-01T12:00:00Z").  NULL for a
 *   time input means now.
 * - Results that are records come back as jansson objects (json_t *, the
 *   caller json_decref()s them): the CLI prints them and the HTTP API sends
 *   them, so both show the same fields.
 */
#ifndef VIGIL_CASE_H
#define VIGIL_CASE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "vigil/status.h"
#include "vigil/store.h"
#include "vigil/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- actors ---------------------------------------------------------------- */

/*! vigil_agency_add() : a new agency, CODE unique case-insensitively (letters,
 *  digits, '-', '_', '.', 1-32 characters); name and country optional
 *  (country: ISO 3166-1 alpha-2).  Admin only.  VIGIL_ECONFLICT if it exists. */
VIGIL_API vigil_status vigil_agency_add(vigil_store *st, const char *by, const char *code,
                              const char *name, const char *country, vigil_err *err);

/*! vigil_agency_list() : array of {code, name, country, created_at}. */
VIGIL_API vigil_status vigil_agency_list(vigil_store *st, const char *by, json_t **out, vigil_err *err);

/*! vigil_user_add() :
 *  A new user NAME with ROLE (analyst, reviewer, coordinator, liaison, admin)
 *  belonging to exactly one of agency CODE or platform NAME.  A platform user
 *  must be a liaison; a liaison must belong to a platform.  Admin only. */
VIGIL_API vigil_status vigil_user_add(vigil_store *st, const char *by, const char *name, const char *role,
                            const char *agency, const char *platform, vigil_err *err);

/* API tokens: "vgl_" + 64 hex digits (256 random bits from OpenSSL). */
#define VIGIL_TOKEN_LEN 68

/*! vigil_user_token_issue() :
 *  Issues a new API token for user NAME into `out`, replacing any earlier
 *  one (which stops working), and un-revokes the user.  Only the token's
 *  SHA-256 is stored: the token is shown once.  Admin only. */
VIGIL_API vigil_status vigil_user_token_issue(vigil_store *st, const char *by, const char *name,
                                    char out[VIGIL_TOKEN_LEN + 1], vigil_err *err);

/*! vigil_user_create() :
 *  vigil_user_add and vigil_user_token_issue in one transaction: the user
 *  exists with a token, or (on any error) not at all.  The token is written
 *  into `token` (shown once).  Admin only. */
VIGIL_API vigil_status vigil_user_create(vigil_store *st, const char *by, const char *name, const char *role,
                               const char *agency, const char *platform,
                               char token[VIGIL_TOKEN_LEN + 1], vigil_err *err);

/*! vigil_user_revoke() : the user's token stops working and the user can no
 *  longer act (until a new token is issued).  Admin only. */
VIGIL_API vigil_status vigil_user_revoke(vigil_store *st, const char *by, const char *name, vigil_err *err);

/*! vigil_user_by_token() :
 *  The user a token belongs to: name and role ("analyst", ...).  Compares
 *  digests, never the token itself.  @return VIGIL_OK, VIGIL_EPERM
 *  (unknown, malformed or revoked token: the message does not say which). */
VIGIL_API vigil_status vigil_user_by_token(vigil_store *st, const char *token, char name[128],
                                 char role[16], vigil_err *err);

/*! vigil_user_list() : array of {name, role, agency|platform, created_at, revoked}.
 *  Admin only. */
VIGIL_API vigil_status vigil_user_list(vigil_store *st, const char *by, json_t **out, vigil_err *err);

/* ---- platforms --------------------------------------------------------------- */

/* Fields of vigil_platform_add/edit.  NULL (or -1 for requires_id) leaves a
 * field unset (add: its default; edit: unchanged). */
typedef struct vigil_platform_fields {
    const char *kind;    /* social, video, audio, messenger, file_sharing, paste,
                            archive, forum, blogging, image, other          */
    const char *domains; /* comma-separated; edit: added to the existing ones */
    const char *contact; /* where referrals go: an address, a form URL       */
    const char *channel; /* email, web_form, api, portal, other              */
    int requires_id;     /* 0/1; -1 unset                                    */
    const char *status;  /* edit only: known (reviewed) or new                */
} vigil_platform_fields;

/*! vigil_platform_seed() : on first use, the store's platform table is
 *  filled from the built-in registry (vigil_platform_registry()).  Called
 *  by every function that needs platforms; idempotent. */
VIGIL_API vigil_status vigil_platform_seed(vigil_store *st, vigil_err *err);

/*! vigil_platform_add() : a platform (status known).  Coordinator or admin.
 *  VIGIL_ECONFLICT if the name or a domain is taken. */
VIGIL_API vigil_status vigil_platform_add(vigil_store *st, const char *by, const char *name,
                                const vigil_platform_fields *f, vigil_err *err);

/*! vigil_platform_edit() : changes the given fields of platform NAME (found
 *  case-insensitively); marking a `new` one `known` records the review. */
VIGIL_API vigil_status vigil_platform_edit(vigil_store *st, const char *by, const char *name,
                                 const vigil_platform_fields *f, vigil_err *err);

/*! vigil_platform_list() : array of platforms {name, kind, domains[],
 *  contact, channel, requires_id, status, first_seen, items}; only_new: the
 *  ones in status new (found at intake, to review). */
VIGIL_API vigil_status vigil_platform_list(vigil_store *st, const char *by, int only_new, json_t **out,
                                        vigil_err *err);

/* ---- operations ---------------------------------------------------------------- */

/*! vigil_op_create() :
 *  Operation NAME coordinated by agency `coordinator`, with participant
 *  agencies (the coordinator always participates).  start/end ISO 8601 or
 *  NULL.  Coordinator or admin.  VIGIL_ECONFLICT if NAME exists. */
VIGIL_API vigil_status vigil_op_create(vigil_store *st, const char *by, const char *name,
                             const char *coordinator, const char *const *participants,
                             size_t n_participants, const char *start, const char *end,
                             vigil_err *err);

/*! vigil_op_close() : status closed (no new items). Coordinator or admin. */
VIGIL_API vigil_status vigil_op_close(vigil_store *st, const char *by, const char *name, vigil_err *err);

/*! vigil_op_list() : array of {name, coordinator, participants[], start,
 *  end, status, items} visible to `by`. */
VIGIL_API vigil_status vigil_op_list(vigil_store *st, const char *by, json_t **out, vigil_err *err);

/*! vigil_op_show() : one operation with its counts by state. */
VIGIL_API vigil_status vigil_op_show(vigil_store *st, const char *by, const char *name, json_t **out,
                           vigil_err *err);

/* ---- items ------------------------------------------------------------------------ */

/* One report of an item. */
typedef struct vigil_item_input {
    const char *op;          /* operation name (required)                      */
    const char *url;         /* as found (required)                             */
    const char *type;        /* video image audio publication post account other;
                                NULL: other                                     */
    const char *const *langs;/* ISO 639-1 codes                                 */
    size_t n_langs;
    const char *affiliation; /* the organisation the item is attributed to      */
    const char *outlet;      /* the media outlet that published it              */
    const char *const *hashes; /* "pdq:HEX", "md5:HEX", "sha256:HEX" (or a bare
                                  PDQ hex)                                       */
    size_t n_hashes;
    const char *observed_at; /* when the analyst saw it; NULL: now              */
    const char *analyst;     /* reporting user (default: `by`)                  */
    const char *notes;
    const char *text;        /* the item's text when known (a statement, a post):
                                its language is identified and added when no
                                --lang was given, its SHA-256 is kept as a
                                content hash (re-uploads of the same text), and
                                its MinHash fingerprint links near-duplicate
                                texts into one content cluster                */
    size_t text_len;
    const char *vpdq;        /* the item's video hash when known: any form of a
                                bank value of type video (vpdq1:, vpdqr1:,
                                Meta's per-frame file, pytx's signal; see
                                vigil/video.h); items whose videos match under
                                the banks' default vPDQ rule join one content
                                cluster.  NULL or "": none                     */
} vigil_item_input;

/* What an intake did. */
typedef struct vigil_item_result {
    int64_t id;           /* the item                                          */
    int created;          /* 1 new item; 0 a further report of an existing one */
    int64_t reupload_of;  /* 0, or the removed item this one re-uploads        */
    int held;             /* 1 when a hold matched (state held)                */
    char state[16];
    char canonical_url[512]; /* truncated if longer (the store has it whole)  */
} vigil_item_result;

/*! vigil_item_add() :
 *  Files one report.  The URL is canonicalised (vigil_url_canonicalize); a
 *  live item of the operation with the same canonical URL gets the report
 *  added (its URL variants, languages, hashes and reporters grow) instead of
 *  a duplicate.  A new item on a domain that no platform has creates a
 *  platform in status new.  Holds are checked: a match puts the item in
 *  state held and records the holding agency for notification.  An item
 *  whose canonical URL or content hash was removed before (any operation) is
 *  linked as a re-upload of it.  The item joins the content cluster of the
 *  operation's items that carry the same content (equal hash, PDQ within
 *  31, near-duplicate text, matching video: vigil_cluster_list).  The
 *  reporting user's agency must take part in the operation; the operation
 *  must be open.  @return VIGIL_OK with *res, or VIGIL_EPARSE (bad URL,
 *  type, language, hash, time, video hash), VIGIL_ELIMIT (a video hash over
 *  VIGIL_VALUE_MAX), VIGIL_ENOENT (no such operation/user), VIGIL_EPERM,
 *  VIGIL_ECONFLICT (operation closed). */
VIGIL_API vigil_status vigil_item_add(vigil_store *st, const char *by, const vigil_item_input *in,
                            vigil_item_result *res, vigil_err *err);

/*! vigil_item_preview() :
 *  A dry run of filing `urls` (n of them) to operation `op` as `by`: the
 *  real intake in a transaction that is rolled back, so the answer is what
 *  saving would do.  *out: an array of {line, url, canonical_url, platform,
 *  new_platform, duplicate, duplicate_of (an existing item id),
 *  duplicate_of_line (an earlier line of the batch), held, reupload_of}, or
 *  {line, url, error} for a URL that would be refused.  Nothing changes. */
vigil_status vigil_item_preview(vigil_store *st, const char *by, const char *op,
                                const char *const *urls, size_t n, json_t **out, vigil_err *err);

/* Import report. */
typedef struct vigil_item_import_stats {
    uint64_t rows;      /* data rows read                                  */
    uint64_t created;   /* new items                                       */
    uint64_t merged;    /* rows that were further reports of an item       */
    uint64_t held;      /* new items put on hold                           */
    uint64_t bad;       /* rows refused (each reported through on_bad)     */
} vigil_item_import_stats;

typedef struct vigil_item_import_opts {
    int skip_bad; /* 0 (default): any bad row aborts the whole import (nothing
                     is written); 1: bad rows are reported and skipped      */
    void (*on_bad)(void *ctx, uint64_t line, const char *msg);
    void (*on_progress)(void *ctx, uint64_t rows, uint64_t bytes);
    void *ctx;
} vigil_item_import_opts;

/*! vigil_item_import() :
 *  Reads CSV with a header naming the columns url, type, language,
 *  affiliation, outlet, observed_at, analyst (url required; any order;
 *  extra columns `hashes` ("pdq:HEX;md5:HEX"), `notes`, `text` (the
 *  item's text, as vigil_item_input.text) and `vpdq` (its video hash, as
 *  vigil_item_input.vpdq) are read too, others refused).  `language` holds codes separated by ';'.  Each row is
 *  one vigil_item_add; the whole file is one transaction.  Bad rows are
 *  reported with their line number.  @return VIGIL_OK (stats filled), or
 *  the first fault (VIGIL_EPARSE for bad rows without skip_bad: nothing
 *  written). */
VIGIL_API vigil_status vigil_item_import(vigil_store *st, const char *by, const char *op, FILE *in,
                               const vigil_item_import_opts *opts,
                               vigil_item_import_stats *stats, vigil_err *err);

/*! vigil_item_show() : the item with its URLs, languages, hashes, reports
 *  (who, which agency, when), holds, referrals, orders, re-uploads, its
 *  state history, and its content cluster ("cluster": id, items, copies,
 *  each copy with "via", the links that join it to this item; [] through
 *  other copies; docs/operations.md, "Content clusters"). */
VIGIL_API vigil_status vigil_item_show(vigil_store *st, const char *by, int64_t id, json_t **out,
                             vigil_err *err);

/* Filters of vigil_item_list (NULL/0: any). */
typedef struct vigil_item_filter {
    const char *op;
    const char *state;
    const char *platform;
    const char *lang;
    const char *type;
    int64_t after_id; /* keyset pagination: items with id > after_id */
    int limit;        /* 0: 100; at most 10000                         */
    const char *agency;   /* items with a report by agency CODE          */
    const char *reporter; /* items with a report by user NAME            */
    const char *sort;     /* NULL/"id" (oldest first), "-id", "observed_at",
                             "-observed_at", "platform", "-platform", "state" */
    int64_t offset;       /* items to skip (paging in any order)          */
} vigil_item_filter;

/*! vigil_item_list() : {items:[...], next:ID|null, next_offset:N|null}
 *  in the order `sort` (id by default).  `next` (id order only) is the
 *  after_id of the next page, `next_offset` its offset (null: last page).
 *  An unknown agency or reporter matches no item; an unknown sort is
 *  VIGIL_EPARSE naming the field. */
VIGIL_API vigil_status vigil_item_list(vigil_store *st, const char *by, const vigil_item_filter *f,
                             json_t **out, vigil_err *err);

/*! vigil_item_transition() :
 *  Moves item `id` to `to`: identified->assessed|rejected (reviewer,
 *  coordinator), rejected->assessed (reassessment), referred->removed|
 *  declined|no_response and no_response->removed|declined (vigil_outcome
 *  does these, with the referral).  `held` is entered and left only through
 *  holds.  Anything else is VIGIL_ECONFLICT naming both states.  `at` NULL:
 *  now.  `note` is kept in the history. */
VIGIL_API vigil_status vigil_item_transition(vigil_store *st, const char *by, int64_t id, const char *to,
                                   const char *at, const char *note, vigil_err *err);

/*! vigil_item_transition_expect() : vigil_item_transition, unless the
 *  item's state is no longer `expect` (NULL: no check): then VIGIL_ECONFLICT
 *  "item N is STATE now, not EXPECT (changed by USER at TIME)", checked in
 *  the same transaction, so that two reviewers never overwrite each other
 *  unknowingly. */
vigil_status vigil_item_transition_expect(vigil_store *st, const char *by, int64_t id,
                                          const char *to, const char *at, const char *note,
                                          const char *expect, vigil_err *err);

/* ---- holds (deconfliction) --------------------------------------------------------- */

/*! vigil_hold_add() :
 *  Agency `agency` declares an interest: kind "prefix" (a URL; canonicalised,
 *  matches every canonical URL that starts with it at a path boundary),
 *  "account" ("PLATFORM:HANDLE", e.g. "Telegram:examplechannel") or "hash"
 *  ("pdq:HEX" matches within distance 31, others exactly).  until: NULL
 *  (open-ended) or an ISO time.  reason required.  The user must belong to
 *  the agency (or be admin).  Live identified/assessed items that match are
 *  put on hold at once.  *id receives the hold's id. */
VIGIL_API vigil_status vigil_hold_add(vigil_store *st, const char *by, const char *agency, const char *kind,
                            const char *value, const char *until, const char *reason,
                            int64_t *id, vigil_err *err);

/*! vigil_hold_release() : ends hold `id`.  Only a user of the holding agency
 *  or an admin (VIGIL_EPERM otherwise).  Items held by no other active hold
 *  go back to the state they were in. */
VIGIL_API vigil_status vigil_hold_release(vigil_store *st, const char *by, int64_t id, vigil_err *err);

/*! vigil_hold_list() : array of holds (active ones unless `all`), each with
 *  the items it holds and whether the agency was notified. */
VIGIL_API vigil_status vigil_hold_list(vigil_store *st, const char *by, int all, json_t **out,
                             vigil_err *err);

/* ---- referrals, outcomes, orders ---------------------------------------------------- */

/*! vigil_refer() :
 *  For operation `op`: checks every assessed item against the holds again
 *  (matches go to held), then creates one referral per platform (or only
 *  for `platform`) with all its assessed items, which become referred.
 *  `channel` NULL: the platform's channel.  *out receives an array of
 *  referral documents {referral_id, operation, platform, contact, channel,
 *  sent_at, items:[{item_id, url, canonical_url, type, languages,
 *  affiliation, observed_at}]} that a platform can act on.  Coordinator or
 *  admin.  No assessed item: VIGIL_OK with an empty array. */
VIGIL_API vigil_status vigil_refer(vigil_store *st, const char *by, const char *op, const char *platform,
                         const char *channel, const char *at, json_t **out, vigil_err *err);

/*! vigil_referral_list() : referrals visible to `by` (a liaison: those
 *  addressed to their platform; agency users: those of operations their
 *  agency takes part in), newest first, each with its items and their
 *  responses; `op` NULL: every operation. */
VIGIL_API vigil_status vigil_referral_list(vigil_store *st, const char *by, const char *op, json_t **out,
                                 vigil_err *err);

/*! vigil_outcome() :
 *  Records the platform's response for a referred item: removed, declined or
 *  no_response, at `at` (NULL now).  A platform liaison may do so only for
 *  items referred to their platform.  VIGIL_ECONFLICT for an item that was
 *  never referred or whose state does not allow it. */
VIGIL_API vigil_status vigil_outcome(vigil_store *st, const char *by, int64_t item, const char *outcome,
                           const char *at, vigil_err *err);

/* A removal order (TCO Regulation 2021/784, Article 3). */
typedef struct vigil_order_input {
    const char *authority; /* issuing competent authority (agency code or name) */
    const char *platform;  /* hosting service provider; NULL: from the item/URL */
    int64_t item;          /* 0: none; else the item ordered removed            */
    const char *url;       /* NULL: the item's canonical URL                    */
    const char *received;  /* receipt time; NULL now.  deadline = +1 hour       */
} vigil_order_input;

/*! vigil_order_create() : records an order; *id its id. */
VIGIL_API vigil_status vigil_order_create(vigil_store *st, const char *by, const vigil_order_input *in,
                                int64_t *id, vigil_err *err);

/*! vigil_order_update() :
 *  action "ack" (acknowledged), "done" (content removed or disabled: the
 *  item, if any, becomes removed) or "fail" with `reason` (not acted on:
 *  force_majeure, impossibility, manifest_error, insufficient_information,
 *  other).  `at` NULL: now.  A platform liaison only for their platform. */
VIGIL_API vigil_status vigil_order_update(vigil_store *st, const char *by, int64_t id, const char *action,
                                const char *reason, const char *at, vigil_err *err);

/*! vigil_order_list() : array of orders {id, authority, platform, item, url,
 *  received_at, deadline_at, acknowledged_at, actioned_at, status, reason,
 *  seconds_left (open ones: negative when overdue), overdue (bool), late
 *  (actioned after the deadline)}; overdue_only: open past the deadline. */
VIGIL_API vigil_status vigil_order_list(vigil_store *st, const char *by, int overdue_only, json_t **out,
                              vigil_err *err);

/* ---- content clusters ------------------------------------------------------------- */

/*! vigil_cluster_list() :
 *  The content clusters of operation `op`: groups of two or more of its
 *  items that carry the same content (an equal MD5, SHA-256 or text
 *  SHA-256, PDQ hashes within distance 31, near-duplicate texts: MinHash
 *  similarity >= 0.5, or matching videos: vPDQ under the banks' default
 *  rule), linked at intake.  *out: an
 *  array of {id (the cluster's smallest item id), items, platform_count,
 *  platforms[], still_up (items not removed), removed, referable (assessed
 *  items), first_seen, last_seen (observation times), members[] (its first
 *  100 items: id, platform, state, canonical_url, observed_at)}, most
 *  platforms first; at most `limit` (0: 100; up to 10000).  Agency staff
 *  of a participating agency and admins (platform liaisons: VIGIL_EPERM).
 *  The caller json_decref()s *out. */
VIGIL_API vigil_status vigil_cluster_list(vigil_store *st, const char *by, const char *op, int limit,
                                json_t **out, vigil_err *err);

/*! vigil_cluster_refer() :
 *  vigil_refer for the assessed items of cluster `cluster` of `op` only:
 *  one referral per platform of the cluster that has assessed items (the
 *  holds checked again first).  *out: the referral documents (an empty
 *  array when no item of the cluster is assessed).  Coordinator or admin.
 *  VIGIL_ENOENT when the operation has no such cluster (clusters merge as
 *  items come in: the smaller id stays). */
VIGIL_API vigil_status vigil_cluster_refer(vigil_store *st, const char *by, const char *op,
                                 int64_t cluster, const char *channel, const char *at,
                                 json_t **out, vigil_err *err);

/* ---- statistics -------------------------------------------------------------------- */

/*! vigil_report_op() : the operation's figures (see docs/operations.md):
 *  items, languages, platforms, new_platforms, by_type, by_affiliation,
 *  by_outlet, by_state, referred, removed, declined, no_response, pending,
 *  removal_rate, median_removal_seconds, p90_removal_seconds, per_platform,
 *  reuploads, held. */
VIGIL_API vigil_status vigil_report_op(vigil_store *st, const char *by, const char *op, json_t **out,
                             vigil_err *err);

/*! vigil_report_recount() :
 *  Counts the running totals the reports read (docs/operations.md) again
 *  from the rows, for operation `op` (NULL: every operation), in one
 *  transaction, audited ("report.recount").  Nothing to mend normally: for
 *  after a rolling upgrade from a vigil without them (an older instance
 *  kept writing) or rows changed by hand.  Admins only (VIGIL_EPERM).
 *  *corrected (NULL ok): the counts that differed (0: the totals were
 *  right).  @return VIGIL_OK; VIGIL_ENOENT for an unknown operation. */
VIGIL_API vigil_status vigil_report_recount(vigil_store *st, const char *by, const char *op,
                                  int64_t *corrected, vigil_err *err);

/*! vigil_report_tco() : TCO Article 7 figures for calendar year `year`. */
VIGIL_API vigil_status vigil_report_tco(vigil_store *st, const char *by, int year, json_t **out,
                              vigil_err *err);

/* ---- audit -------------------------------------------------------------------------- */

/*! vigil_audit_verify() :
 *  Walks the audit chain, as `by` (coordinators and admins).  @return
 *  VIGIL_OK with *n events checked, or VIGIL_ECORRUPT naming the first bad
 *  event (edited, deleted, inserted or reordered; or the chain's head
 *  missing its last events) with *bad its id; VIGIL_EPERM for other roles. */
VIGIL_API vigil_status vigil_audit_verify(vigil_store *st, const char *by, int64_t *n, int64_t *bad,
                                vigil_err *err);

/*! vigil_audit_check() :
 *  Verifies the chain and reads its head in one read transaction (so the
 *  head belongs to the chain that was verified), as `by` (coordinators and
 *  admins).  *out (caller decrefs): {"ok":true,"events":N,"head":HEX|null}
 *  or {"ok":false,"events":N,"first_bad":ID,"error":TEXT}.  @return VIGIL_OK
 *  whenever the report was made, broken chain included; VIGIL_EPERM,
 *  VIGIL_EIO, VIGIL_EBUSY otherwise. */
VIGIL_API vigil_status vigil_audit_check(vigil_store *st, const char *by, json_t **out, vigil_err *err);

/*! vigil_audit_list() : the last `limit` events (0: 100), newest first,
 *  optionally of one entity ("item", 42), as `by` (admins only: events
 *  hold every tenant's records). */
VIGIL_API vigil_status vigil_audit_list(vigil_store *st, const char *by, const char *entity,
                              int64_t entity_id, int limit, json_t **out, vigil_err *err);

/*! vigil_item_audit() :
 *  The audit events of item `id`, newest first (at most `limit`, 0: 100),
 *  for whoever of an agency may see the item (its operation's agencies,
 *  admins): [{id, at, actor, action, changed: [the record's fields that
 *  the event changed; none for the event that created it]}], without the
 *  records themselves.  A liaison gets
 *  VIGIL_EPERM (the actors are the agencies' staff); an item the user may
 *  not see VIGIL_ENOENT, as vigil_item_show. */
VIGIL_API vigil_status vigil_item_audit(vigil_store *st, const char *by, int64_t id, int limit,
                              json_t **out, vigil_err *err);

/* ---- demo data ----------------------------------------------------------------------- */

/*! vigil_demo() : builds a synthetic operation "demo-action-day" with
 *  agencies, users, `n_items` reports (placeholder URLs on real platform
 *  domains, URL variants of the same items, several languages), holds,
 *  referrals, outcomes and removal orders.  Deterministic for a seed. */
VIGIL_API vigil_status vigil_demo(vigil_store *st, unsigned n_items, unsigned seed, vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_CASE_H */
