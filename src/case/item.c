/*
 * src/case/item.c - items: intake with URL canonicalisation and
 * deduplication, re-upload detection, CSV import, review (assess and
 * reject), and reading items back (one with its history, or a filtered
 * page).
 *
 * The moves themselves are state.c's table; review moves (assess, reject)
 * are made here through case_move.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "store/csv.h"
#include "vigil/hash.h"
#include "vigil/index.h"
#include "vigil/text.h"
#include "vigil/url.h"

#define MAX_LANGS 16
#define MAX_HASHES 16

static const char *const types[] = {"video", "image", "audio",   "publication",
                                    "post",  "account", "other", NULL};

/* ---- records ---------------------------------------------------------------------- */

/* ---- intake ----------------------------------------------------------------------- */

/* What one intake call (or one whole import) keeps between rows. */
typedef struct intake_ctx {
    vigil_index *removed_pdq; /* PDQ hashes of removed items, built on first need */
    int built;
    vigil_index *op_pdq;      /* PDQ hashes of the operation's items (clusters), idem */
    int op_built;
    case_link_ctx *links;     /* the operation's videos (clusters), cluster_link.c's */
} intake_ctx;

static void intake_ctx_free(intake_ctx *c) {
    vigil_index_free(c->removed_pdq);
    vigil_index_free(c->op_pdq);
    case_link_ctx_free(c->links);
}

static const char sql_removed_pdq[] =
    "SELECT h.item_id, h.value FROM item_hash h JOIN item i ON i.id = h.item_id "
    "WHERE h.signal_type = 'pdq' AND i.state = 'removed'";

/* A row (item id, PDQ hex) into the index `ctx`; a value that does not
 * parse is left out. */
static vigil_status pdq_row(void *ctx, const vigil__row *r, vigil_err *err) {
    vigil_pdq h;
    int64_t id = vigil__row_int(r, 0);
    if (vigil_pdq_from_hex(vigil__row_text(r, 1), &h, NULL) != VIGIL_OK) return VIGIL_OK;
    return vigil_index_add(ctx, &h, &id, 1, err);
}

/* The removed item this PDQ hash re-uploads (distance <= 31), via the
 * matching engine's index over every removed item's PDQ hashes. */
static vigil_status reupload_by_pdq(vigil_store *st, intake_ctx *c, const char *hex, int64_t *of,
                                    vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    if (!c->built) {
        if ((rc = vigil_index_new(&c->removed_pdq, err)) != VIGIL_OK) return rc;
        if ((rc = vigil__q_each(st, sql_removed_pdq, pdq_row, c->removed_pdq, err, "")) != VIGIL_OK)
            return rc;
        c->built = 1;
    }
    vigil_pdq q;
    if (vigil_pdq_from_hex(hex, &q, err) != VIGIL_OK) return VIGIL_OK;
    vigil_index_hit hits[8];
    size_t n = 0;
    rc = vigil_index_query_buf(c->removed_pdq, &q, 31, hits, 8, &n, err);
    if (rc != VIGIL_OK) return rc;
    for (size_t i = 0; i < n && i < 8; i++)
        if (!*of || hits[i].id > *of) *of = hits[i].id; /* the latest removed one */
    return VIGIL_OK;
}

/* The platform of `host`: a stored domain of it or of a parent domain, else
 * a new platform (status new) named after the host. */
static vigil_status platform_for(vigil_store *st, const case_actor *a, const char *host,
                                 int64_t *pid, int *is_new, vigil_err *err) {
    *is_new = 0;
    vigil_status rc = vigil_platform_seed(st, err);
    for (const char *h = host; rc == VIGIL_OK && h;) {
        rc = vigil__q_int(st, "SELECT platform_id FROM platform_domain WHERE domain = ?1", pid, err,
                          "t", h);
        if (rc != VIGIL_ENOENT) return rc;
        rc = VIGIL_OK;
        h = strchr(h, '.');
        if (h) h++;
        if (h && !strchr(h, '.')) break; /* never a bare TLD */
    }
    if (rc != VIGIL_OK) return rc;
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    rc = vigil__q_exec(st,
                       "INSERT INTO platform (name, kind, status, discovered, first_seen) VALUES "
                       "(?1, 'other', 'new', 1, ?2) ON CONFLICT (name) DO NOTHING",
                       NULL, err, "tt", host, now);
    if (rc == VIGIL_OK)
        rc = vigil__q_int(st, "SELECT id FROM platform WHERE name = ?1", pid, err, "t", host);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "INSERT OR IGNORE INTO platform_domain (domain, platform_id) "
                               "VALUES (?1, ?2)", NULL, err, "ti", host, *pid);
    if (rc == VIGIL_OK) {
        json_t *after = json_pack("{s:s, s:s, s:s}", "name", host, "status", "new", "first_seen", now);
        rc = vigil__audit(st, a->name, "platform.discovered", "platform", *pid, NULL, after, err);
        json_decref(after);
        *is_new = 1;
    }
    return rc;
}

/* Checks and normalises the fields of one report (no writes). */
typedef struct intake_fields {
    const char *type;
    char langs[MAX_LANGS][4];
    size_t n_langs;
    char htype[MAX_HASHES][8];
    char hval[MAX_HASHES][65];
    size_t n_hashes;
    char observed[VIGIL_TIME_LEN];
    int64_t reporter, agency; /* 0: none (the local administrator) */
} intake_fields;

static vigil_status check_fields(vigil_store *st, const case_actor *a, const vigil_item_input *in,
                                 intake_fields *f, vigil_err *err) {
    memset(f, 0, sizeof *f);
    vigil_status rc;
    if (!in->url || !*in->url) return vigil__err_set(err, VIGIL_EPARSE, "url: empty");
    f->type = in->type && *in->type ? in->type : "other";
    int ok = 0;
    for (const char *const *t = types; *t; t++)
        if (strcmp(*t, f->type) == 0) ok = 1;
    if (!ok)
        return vigil__err_set(err, VIGIL_EPARSE,
                              "unknown content type '%.40s' (video, image, audio, publication, "
                              "post, account, other)",
                              f->type);
    if (in->n_langs > MAX_LANGS)
        return vigil__err_set(err, VIGIL_ELIMIT, "more than %d languages", MAX_LANGS);
    for (size_t i = 0; i < in->n_langs; i++) {
        if (!in->langs[i] || !*in->langs[i]) continue;
        if ((rc = case_lang_check(in->langs[i], f->langs[f->n_langs], err)) != VIGIL_OK) return rc;
        f->n_langs++;
    }
    if (in->n_hashes > MAX_HASHES)
        return vigil__err_set(err, VIGIL_ELIMIT, "more than %d hashes", MAX_HASHES);
    for (size_t i = 0; i < in->n_hashes; i++) {
        if (!in->hashes[i] || !*in->hashes[i]) continue;
        vigil_err e;
        if (case_hash_parse(in->hashes[i], f->htype[f->n_hashes], f->hval[f->n_hashes], &e) !=
            VIGIL_OK)
            return vigil__err_set(err, VIGIL_EPARSE, "hash: %s", e.msg);
        f->n_hashes++;
    }
    if (in->text) {
        vigil_lang lang;
        vigil_err e;
        if ((rc = vigil_lang_detect(in->text, in->text_len, &lang, &e)) != VIGIL_OK)
            return vigil__err_set(err, rc == VIGIL_EFORMAT ? VIGIL_EPARSE : rc, "text: %s", e.msg);
        /* a confident ISO 639-1 answer, when the analyst named no language */
        if (f->n_langs == 0 && strlen(lang.code) == 2 && lang.confidence >= 0.5 &&
            case_lang_check(lang.code, f->langs[0], NULL) == VIGIL_OK)
            f->n_langs = 1;
        if (f->n_hashes == MAX_HASHES)
            return vigil__err_set(err, VIGIL_ELIMIT, "more than %d hashes", MAX_HASHES);
        uint8_t sha[32];
        if ((rc = vigil_digest(in->text, in->text_len, NULL, sha, err)) != VIGIL_OK) return rc;
        snprintf(f->htype[f->n_hashes], 8, "sha256");
        vigil_hex_encode(sha, 32, f->hval[f->n_hashes]);
        f->n_hashes++;
    }
    if ((rc = case_time_arg(st, in->observed_at, "observed_at", f->observed, err)) != VIGIL_OK) return rc;
    if ((rc = case_text_check(in->affiliation, "affiliation", 200, err)) != VIGIL_OK) return rc;
    if ((rc = case_text_check(in->outlet, "outlet", 200, err)) != VIGIL_OK) return rc;
    if ((rc = case_text_check(in->notes, "notes", 10000, err)) != VIGIL_OK) return rc;
    /* the reporter: the analyst named, else the acting user */
    case_actor rep = *a;
    if (in->analyst && *in->analyst && strcmp(in->analyst, a->name) != 0) {
        if ((rc = case_actor_get(st, in->analyst, &rep, err)) != VIGIL_OK) return rc;
        if (a->role != CASE_ADMIN && (a->role != CASE_COORDINATOR || rep.agency_id != a->agency_id))
            return vigil__err_set(err, VIGIL_EPERM,
                                  "%s may not file reports in the name of %s", a->name, rep.name);
    }
    if (rep.platform_id)
        return vigil__err_set(err, VIGIL_EPERM, "%s is a platform's user and cannot report items",
                              rep.name);
    f->reporter = rep.user_id;
    f->agency = rep.agency_id;
    return VIGIL_OK;
}

/* ---- content clusters --------------------------------------------------------------
 * Items of an operation that carry the same content share item.cluster_id,
 * the smallest item id among them (union-find with the root kept in every
 * row): an item whose content meets items of several clusters merges them
 * into the one with the smallest id.  Same content: an equal hash value of
 * any type (MD5, SHA-256, the SHA-256 of an item's text, PDQ), PDQ within
 * CASE_CLUSTER_PDQ_DISTANCE (the banks' default threshold), a near-duplicate
 * text or a matching video (cluster_link.c). */

static vigil_status meet_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    if (!vigil__row_is_null(r, 0)) case_meet_add(ctx, vigil__row_int(r, 0));
    return VIGIL_OK;
}

static const char sql_op_pdq[] =
    "SELECT h.item_id, h.value FROM item_hash h JOIN item i ON i.id = h.item_id "
    "WHERE h.signal_type = 'pdq' AND i.operation_id = ?1";

typedef struct pdq_hits {
    int64_t ids[CASE_MEET_MAX];
    size_t n;
} pdq_hits;

static int pdq_hit(void *ctx, const vigil_index_hit *hit) {
    pdq_hits *p = ctx;
    if (p->n < CASE_MEET_MAX) p->ids[p->n++] = hit->id;
    return 0;
}

/* Links item `id` (its hashes in f, already stored; its text and video in
 * li) with the items of its operation that carry the same content.  Inside
 * the caller's transaction, as the last step of an intake (so the indexes
 * never hold a row that is rolled back afterwards). */
static vigil_status cluster_link(vigil_store *st, intake_ctx *c, int64_t op_id, int64_t id,
                                 const intake_fields *f, const case_link_input *li,
                                 vigil_err *err) {
    case_meet m = {.n = 0};
    vigil_status rc = vigil__q_each(st, "SELECT cluster_id FROM item WHERE id = ?1", meet_row, &m,
                                    err, "i", id);
    for (size_t i = 0; rc == VIGIL_OK && i < f->n_hashes; i++) {
        if (strcmp(f->htype[i], "pdq") != 0) {
            /* likely(): the type and the operation do not narrow, the value
             * does (PostgreSQL: its hash index, never every item of the
             * operation or every hash of the type; see the head of pg.c) */
            rc = vigil__q_each(st,
                               "SELECT DISTINCT j.cluster_id FROM item_hash g CROSS JOIN item j "
                               "WHERE likely(g.signal_type = ?1) AND g.value = ?2 AND "
                               "j.id = g.item_id AND likely(j.operation_id = ?3)",
                               meet_row, &m, err, "tti", f->htype[i], f->hval[i], op_id);
            continue;
        }
        vigil_pdq q;
        if (vigil_pdq_from_hex(f->hval[i], &q, NULL) != VIGIL_OK) continue;
        if (!c->op_built) { /* the stored hashes, this item's included */
            if ((rc = vigil_index_new(&c->op_pdq, err)) != VIGIL_OK) break;
            rc = vigil__q_each(st, sql_op_pdq, pdq_row, c->op_pdq, err, "i", op_id);
            if (rc != VIGIL_OK) break;
            c->op_built = 1;
        } else if ((rc = vigil_index_add(c->op_pdq, &q, &id, 1, err)) != VIGIL_OK) {
            break;
        }
        pdq_hits hits = {.n = 0};
        rc = vigil_index_query(c->op_pdq, &q, CASE_CLUSTER_PDQ_DISTANCE, pdq_hit, &hits, err);
        for (size_t k = 0; rc == VIGIL_OK && k < hits.n; k++)
            if (hits.ids[k] != id)
                rc = vigil__q_each(st, "SELECT cluster_id FROM item WHERE id = ?1", meet_row, &m,
                                   err, "i", hits.ids[k]);
    }
    if (rc == VIGIL_OK) rc = case_link_similar(st, &c->links, op_id, id, li, &m, err);
    if (rc != VIGIL_OK || m.n < 2) return rc;
    int64_t root = m.ids[0];
    for (size_t i = 1; i < m.n; i++)
        if (m.ids[i] < root) root = m.ids[i];
    for (size_t i = 0; rc == VIGIL_OK && i < m.n; i++) {
        if (m.ids[i] == root) continue;
        int moved = 0;
        rc = vigil__q_exec(st,
                           "UPDATE item SET cluster_id = ?1 WHERE operation_id = ?2 AND "
                           "cluster_id = ?3",
                           &moved, err, "iii", root, op_id, m.ids[i]);
        if (rc == VIGIL_OK && moved > 0) rc = case_tally_contents(st, op_id, -1, err); /* one fewer */
    }
    return rc;
}

static const char sql_live[] =
    "SELECT id FROM item WHERE operation_id = ?1 AND canonical_url = ?2 AND state <> 'removed'";

/* One report, inside the caller's transaction. */
static vigil_status intake(vigil_store *st, const case_actor *a, int64_t op_id,
                           const vigil_item_input *in, intake_ctx *ctx, vigil_item_result *res,
                           vigil_err *err) {
    memset(res, 0, sizeof *res);
    intake_fields f;
    vigil_status rc = check_fields(st, a, in, &f, err);
    if (rc != VIGIL_OK) return rc;
    if (f.agency) { /* the reporting agency takes part, whoever files */
        int64_t one;
        rc = vigil__q_int(st,
                          "SELECT 1 FROM operation_agency WHERE operation_id = ?1 AND agency_id = ?2",
                          &one, err, "ii", op_id, f.agency);
        if (rc == VIGIL_ENOENT)
            return vigil__err_set(err, VIGIL_EPERM,
                                  "the reporting agency does not take part in operation '%.80s'",
                                  in->op);
        if (rc != VIGIL_OK) return rc;
    }
    vigil_url u;
    vigil_err e;
    if (vigil_url_canonicalize(in->url, &u, &e) != VIGIL_OK)
        return vigil__err_set(err, VIGIL_EPARSE, "url: %s", e.msg);
    case_link_input li; /* the text's fingerprint and the video, for clusters */
    if ((rc = case_link_prepare(in, &li, err)) != VIGIL_OK) {
        vigil_url_clear(&u);
        return rc;
    }
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    snprintf(res->canonical_url, sizeof res->canonical_url, "%s", u.canonical);
    int64_t id = 0, item_agency = 0;
    json_t *before = NULL, *after = NULL;
    rc = vigil__q_int(st, sql_live, &id, err, "it", op_id, u.canonical);
    if (rc == VIGIL_OK) { /* a further report of a live item */
        rc = case_item_row(st, id, &before, err);
        if (rc == VIGIL_OK) rc = case_tally_item(st, id, -1, NULL, NULL, err);
        if (rc == VIGIL_OK)
            rc = vigil__q_exec(st,
                               "UPDATE item SET affiliation = coalesce(affiliation, ?2), outlet = "
                               "coalesce(outlet, ?3), type = CASE WHEN type = 'other' THEN ?4 ELSE "
                               "type END WHERE id = ?1",
                               NULL, err, "ittt", id, in->affiliation && *in->affiliation ? in->affiliation : NULL,
                               in->outlet && *in->outlet ? in->outlet : NULL, f.type);
        if (rc == VIGIL_OK) rc = case_tally_item(st, id, 1, NULL, &item_agency, err);
    } else if (rc == VIGIL_ENOENT) { /* a new item */
        int64_t pid;
        int is_new;
        rc = platform_for(st, a, u.host, &pid, &is_new, err);
        int64_t of = 0;
        if (rc == VIGIL_OK) {
            rc = vigil__q_int(st,
                              "SELECT max(id) FROM item WHERE canonical_url = ?1 AND state = "
                              "'removed' HAVING max(id) IS NOT NULL",
                              &of, err, "t", u.canonical);
            if (rc == VIGIL_ENOENT) rc = VIGIL_OK, of = 0;
        }
        for (size_t i = 0; rc == VIGIL_OK && !of && i < f.n_hashes; i++) {
            if (strcmp(f.htype[i], "pdq") == 0) {
                rc = reupload_by_pdq(st, ctx, f.hval[i], &of, err);
            } else { /* likely(): as in cluster_link, the value narrows */
                rc = vigil__q_int(st,
                                  "SELECT max(h.item_id) FROM item_hash h JOIN item i ON i.id = "
                                  "h.item_id WHERE likely(h.signal_type = ?1) AND h.value = ?2 AND "
                                  "likely(i.state = 'removed') HAVING max(h.item_id) IS NOT NULL",
                                  &of, err, "tt", f.htype[i], f.hval[i]);
                if (rc == VIGIL_ENOENT) rc = VIGIL_OK, of = 0;
            }
        }
        if (rc == VIGIL_OK && !of) rc = case_link_reupload_video(st, &ctx->links, &li, &of, err);
        if (rc == VIGIL_OK)
            rc = vigil__q_int(st,
                               "INSERT INTO item (operation_id, canonical_url, platform_id, account, "
                               "type, affiliation, outlet, observed_at, reported_by, agency_id, "
                               "notes, reupload_of, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                               "?8, ?9, ?10, ?11, ?12, ?13) RETURNING id",
                               &id, err, "itittttt" "IItIt", op_id, u.canonical, pid, u.account,
                               f.type, in->affiliation && *in->affiliation ? in->affiliation : NULL,
                               in->outlet && *in->outlet ? in->outlet : NULL, f.observed,
                               f.reporter, f.agency, in->notes ? in->notes : "", of, now);
        if (rc == VIGIL_OK) /* a cluster of its own, until cluster_link */
            rc = vigil__q_exec(st, "UPDATE item SET cluster_id = id WHERE id = ?1", NULL, err,
                               "i", id);
        if (rc == VIGIL_OK)
            rc = case_tally_new_item(st, op_id, pid, f.type,
                                     in->affiliation && *in->affiliation ? in->affiliation : NULL,
                                     in->outlet && *in->outlet ? in->outlet : NULL, of != 0, err);
        item_agency = f.agency;
        if (rc == VIGIL_OK) {
            res->created = 1;
            res->reupload_of = of;
            rc = vigil__q_exec(st,
                               "INSERT INTO item_event (item_id, from_state, to_state, at, actor, "
                               "note) VALUES (?1, NULL, 'identified', ?2, ?3, ?4)",
                               NULL, err, "itt" "t", id, now, a->name,
                               of ? "re-upload of a removed item" : "");
        }
    }
    /* what every report adds */
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "INSERT OR IGNORE INTO item_url (item_id, url) VALUES (?1, ?2)", NULL,
                           err, "it", id, in->url);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "INSERT INTO item_report (item_id, url, user_id, agency_id, observed_at, "
                           "reported_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           NULL, err, "itIItt", id, in->url, f.reporter, f.agency, f.observed, now);
    if (rc == VIGIL_OK) rc = case_tally_report(st, op_id, item_agency, f.agency, err);
    for (size_t i = 0; rc == VIGIL_OK && i < f.n_langs; i++) {
        int added = 0;
        rc = vigil__q_exec(st, "INSERT OR IGNORE INTO item_language (item_id, lang) VALUES (?1, ?2)",
                           &added, err, "it", id, f.langs[i]);
        if (rc == VIGIL_OK && added > 0) rc = case_tally_lang(st, op_id, f.langs[i], err);
    }
    for (size_t i = 0; rc == VIGIL_OK && i < f.n_hashes; i++)
        rc = vigil__q_exec(st,
                           "INSERT OR IGNORE INTO item_hash (item_id, signal_type, value) "
                           "VALUES (?1, ?2, ?3)",
                           NULL, err, "itt", id, f.htype[i], f.hval[i]);
    if (rc == VIGIL_OK) rc = case_item_row(st, id, &after, err);
    if (rc == VIGIL_OK)
        rc = vigil__audit(st, a->name, res->created ? "item.create" : "item.report", "item", id,
                          before, after, err);
    json_decref(before);
    json_decref(after);
    int held = 0;
    if (rc == VIGIL_OK) rc = case_holds_check(st, a, id, &held, err);
    char *state = NULL;
    if (rc == VIGIL_OK)
        rc = vigil__q_text(st, "SELECT state FROM item WHERE id = ?1", &state, err, "i", id);
    if (rc == VIGIL_OK) rc = cluster_link(st, ctx, op_id, id, &f, &li, err);
    if (rc == VIGIL_OK) {
        res->id = id;
        res->held = held;
        snprintf(res->state, sizeof res->state, "%s", state ? state : "");
    }
    free(state);
    case_link_input_clear(&li);
    vigil_url_clear(&u);
    return rc;
}

/* The operation, checked open and visible to the actor. */
static vigil_status op_for_intake(vigil_store *st, const case_actor *a, const char *op,
                                  int64_t *op_id, vigil_err *err) {
    vigil_status rc = case_require(a, CASE_AGENCY_STAFF, "report items", err);
    if (rc == VIGIL_OK) rc = case_op_find(st, a, op, op_id, err);
    char *status = NULL;
    if (rc == VIGIL_OK)
        rc = vigil__q_text(st, "SELECT status FROM operation WHERE id = ?1", &status, err, "i",
                           *op_id);
    if (rc == VIGIL_OK && status && strcmp(status, "open") != 0)
        rc = vigil__err_set(err, VIGIL_ECONFLICT, "operation '%.80s' is closed", op);
    free(status);
    return rc;
}

vigil_status vigil_item_add(vigil_store *st, const char *by, const vigil_item_input *in,
                            vigil_item_result *res, vigil_err *err) {
    vigil_item_result scratch;
    if (!res) res = &scratch;
    memset(res, 0, sizeof *res);
    if (!st || !in) return vigil__err_set(err, VIGIL_EINVAL, "vigil_item_add: NULL argument");
    case_actor a;
    int64_t op_id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = vigil_platform_seed(st, err);
    if (rc == VIGIL_OK) rc = op_for_intake(st, &a, in->op, &op_id, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    intake_ctx ctx = {0};
    rc = intake(st, &a, op_id, in, &ctx, res, err);
    if (rc == VIGIL_OK) rc = case_link_flush(st, ctx.links, err); /* the text's band rows */
    intake_ctx_free(&ctx);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        memset(res, 0, sizeof *res);
    }
    return rc;
}

/* ---- dry run ---------------------------------------------------------------------------- */

vigil_status vigil_item_preview(vigil_store *st, const char *by, const char *op,
                                const char *const *urls, size_t n, json_t **out, vigil_err *err) {
    *out = NULL;
    case_actor a;
    int64_t op_id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = vigil_platform_seed(st, err);
    if (rc == VIGIL_OK) rc = op_for_intake(st, &a, op, &op_id, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    json_t *rows = json_array();
    int64_t *made = calloc(n ? n : 1, sizeof *made); /* ids created by earlier lines */
    intake_ctx ctx = {0};
    for (size_t i = 0; rc == VIGIL_OK && i < n; i++) {
        vigil_item_input in = {.op = op, .url = urls[i]};
        vigil_item_result res;
        vigil_err e;
        vigil_status r = made ? intake(st, &a, op_id, &in, &ctx, &res, &e) : VIGIL_ENOMEM;
        json_t *row = json_pack("{s:I, s:s}", "line", (json_int_t)i + 1, "url", urls[i]);
        if (r == VIGIL_EPARSE || r == VIGIL_ELIMIT || r == VIGIL_EINVAL) {
            json_object_set_new(row, "error", json_string(e.msg));
        } else if (r != VIGIL_OK) {
            rc = r;
            *err = e;
        } else {
            made[i] = res.created ? res.id : 0;
            int64_t dup_line = 0;
            for (size_t k = 0; !res.created && k < i; k++)
                if (made[k] == res.id) dup_line = (int64_t)k + 1;
            json_t *p = NULL;
            vigil_status r2 = vigil__q_json_one(
                st,
                "SELECT p.name AS platform, p.status = 'new' AS new_platform_bool FROM item i JOIN "
                "platform p ON p.id = i.platform_id WHERE i.id = ?1",
                &p, err, "i", res.id);
            if (r2 != VIGIL_OK) rc = r2;
            json_object_set_new(row, "canonical_url", json_string(res.canonical_url));
            json_object_update(row, p);
            json_decref(p);
            json_object_set_new(row, "duplicate", json_boolean(!res.created));
            json_object_set_new(row, "duplicate_of",
                                !res.created && !dup_line ? json_integer(res.id) : json_null());
            json_object_set_new(row, "duplicate_of_line", dup_line ? json_integer(dup_line) : json_null());
            json_object_set_new(row, "held", json_boolean(res.held));
            json_object_set_new(row, "reupload_of", res.reupload_of ? json_integer(res.reupload_of) : json_null());
        }
        json_array_append_new(rows, row);
    }
    intake_ctx_free(&ctx);
    free(made);
    vigil__store_rollback(st); /* a dry run: nothing is kept, audit events included */
    if (rc != VIGIL_OK) {
        json_decref(rows);
        return rc;
    }
    *out = rows;
    return VIGIL_OK;
}

/* ---- CSV import ----------------------------------------------------------------------- */

enum {
    C_URL, C_TYPE, C_LANG, C_AFFIL, C_OUTLET, C_OBSERVED, C_ANALYST, C_HASHES, C_NOTES, C_TEXT,
    C_VPDQ, C_N
};
static const char *const col_names[C_N] = {"url",         "type",    "language", "affiliation",
                                           "outlet",      "observed_at", "analyst", "hashes",
                                           "notes",       "text",    "vpdq"};

/* Splits `s` in place at ';' into at most `max` trimmed pieces. */
static size_t split_list(char *s, char **out, size_t max, int *too_many) {
    size_t n = 0;
    *too_many = 0;
    char *save = NULL;
    for (char *t = strtok_r(s, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
        while (*t == ' ') t++;
        size_t l = strlen(t);
        while (l && t[l - 1] == ' ') t[--l] = '\0';
        if (!*t) continue;
        if (n == max) {
            *too_many = 1;
            break;
        }
        out[n++] = t;
    }
    return n;
}

static void bad_row(const vigil_item_import_opts *o, uint64_t line, const char *msg) {
    if (o && o->on_bad) o->on_bad(o->ctx, line, msg);
}

vigil_status vigil_item_import(vigil_store *st, const char *by, const char *op, FILE *in,
                               const vigil_item_import_opts *opts,
                               vigil_item_import_stats *stats, vigil_err *err) {
    vigil_item_import_stats scratch;
    if (!stats) stats = &scratch;
    memset(stats, 0, sizeof *stats);
    if (!st || !in) return vigil__err_set(err, VIGIL_EINVAL, "vigil_item_import: NULL argument");
    case_actor a;
    int64_t op_id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = vigil_platform_seed(st, err);
    if (rc == VIGIL_OK) rc = op_for_intake(st, &a, op, &op_id, err);
    if (rc != VIGIL_OK) return rc;
    vigil__csv *csv = NULL;
    if ((rc = vigil__csv_new(in, &csv, err)) != VIGIL_OK) return rc;
    int col[C_N];
    for (int c = 0; c < C_N; c++) col[c] = -1;
    vigil__csv_row row;
    int got = vigil__csv_next(csv, &row, err);
    if (got < 0) {
        vigil__csv_free(csv);
        return err ? err->status : VIGIL_EIO;
    }
    if (got == 0 || row.error) {
        vigil__csv_free(csv);
        return vigil__err_set(err, VIGIL_EPARSE,
                              "line 1: expected a header naming the columns (url,type,language,"
                              "affiliation,outlet,observed_at,analyst)");
    }
    for (size_t i = 0; i < row.n; i++) {
        int found = -1;
        for (int c = 0; c < C_N; c++)
            if (strcmp(row.fields[i], col_names[c]) == 0) found = c;
        if (found < 0 || col[found] >= 0) {
            vigil__err_set(err, VIGIL_EPARSE,
                           "line 1: %s column '%.40s' (the columns are url, type, language, "
                           "affiliation, outlet, observed_at, analyst, hashes, notes, text, "
                           "vpdq)",
                           found < 0 ? "unknown" : "repeated", row.fields[i]);
            vigil__csv_free(csv);
            return VIGIL_EPARSE;
        }
        col[found] = (int)i;
    }
    if (col[C_URL] < 0) {
        vigil__csv_free(csv);
        return vigil__err_set(err, VIGIL_EPARSE, "line 1: the header has no url column");
    }
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) {
        vigil__csv_free(csv);
        return rc;
    }
    intake_ctx ctx = {0};
    while (rc == VIGIL_OK && (got = vigil__csv_next(csv, &row, err)) > 0) {
        if (row.n == 1 && row.lens[0] == 0 && !row.error) continue; /* blank line */
        stats->rows++;
        if (opts && opts->on_progress && stats->rows % 256 == 0)
            opts->on_progress(opts->ctx, stats->rows, vigil__csv_bytes(csv));
        char msg[VIGIL_ERR_MSG_MAX + 64];
        if (row.error) {
            snprintf(msg, sizeof msg, "malformed CSV: %s", row.error);
            bad_row(opts, row.line, msg);
            stats->bad++;
            continue;
        }
        const char *v[C_N];
        for (int c = 0; c < C_N; c++)
            v[c] = col[c] >= 0 && (size_t)col[c] < row.n ? row.fields[col[c]] : "";
        char *langs[MAX_LANGS + 1], *hashes[MAX_HASHES + 1];
        int many_l, many_h;
        char empty_l[1] = "", empty_h[1] = "";
        char *lf = col[C_LANG] >= 0 && (size_t)col[C_LANG] < row.n ? row.fields[col[C_LANG]] : empty_l;
        char *hf = col[C_HASHES] >= 0 && (size_t)col[C_HASHES] < row.n ? row.fields[col[C_HASHES]]
                                                                       : empty_h;
        size_t nl = split_list(lf, langs, MAX_LANGS, &many_l);
        size_t nh = split_list(hf, hashes, MAX_HASHES, &many_h);
        if (many_l || many_h) {
            snprintf(msg, sizeof msg, "more than %d %s", MAX_LANGS, many_l ? "languages" : "hashes");
            bad_row(opts, row.line, msg);
            stats->bad++;
            continue;
        }
        vigil_item_input item = {
            .op = op,
            .url = v[C_URL],
            .type = *v[C_TYPE] ? v[C_TYPE] : NULL,
            .langs = (const char *const *)langs,
            .n_langs = nl,
            .affiliation = v[C_AFFIL],
            .outlet = v[C_OUTLET],
            .hashes = (const char *const *)hashes,
            .n_hashes = nh,
            .observed_at = *v[C_OBSERVED] ? v[C_OBSERVED] : NULL,
            .analyst = *v[C_ANALYST] ? v[C_ANALYST] : NULL,
            .notes = v[C_NOTES],
            .text = *v[C_TEXT] ? v[C_TEXT] : NULL,
            .text_len = strlen(v[C_TEXT]),
            .vpdq = v[C_VPDQ],
        };
        vigil_item_result res;
        vigil_err rowerr;
        vigil_err_clear(&rowerr);
        rc = vigil__store_exec(st, "SAVEPOINT item_row", err);
        if (rc != VIGIL_OK) break;
        vigil__tally_mark(st); /* the row's totals go with the savepoint */
        vigil_status r = intake(st, &a, op_id, &item, &ctx, &res, &rowerr);
        if (r == VIGIL_OK) {
            rc = vigil__store_exec(st, "RELEASE item_row", err);
            vigil__tally_release(st);
            if (res.created) stats->created++;
            else stats->merged++;
            if (res.held && res.created) stats->held++;
        } else if (r == VIGIL_EPARSE || r == VIGIL_ELIMIT || r == VIGIL_ENOENT || r == VIGIL_EPERM ||
                   r == VIGIL_EINVAL) {
            rc = vigil__store_exec(st, "ROLLBACK TO item_row; RELEASE item_row", err);
            vigil__tally_undo(st);
            vigil_err_text(&rowerr, "", msg, sizeof msg); /* "vpdq: ..." names the column */
            bad_row(opts, row.line, msg);
            stats->bad++;
        } else {
            rc = r;
            if (err) *err = rowerr;
        }
    }
    if (got < 0 && rc == VIGIL_OK) rc = err ? err->status : VIGIL_EIO;
    if (rc == VIGIL_OK) rc = case_link_flush(st, ctx.links, err); /* the texts' band rows */
    intake_ctx_free(&ctx);
    vigil__csv_free(csv);
    if (rc == VIGIL_OK && stats->bad && !(opts && opts->skip_bad))
        rc = vigil__err_set(err, VIGIL_EPARSE,
                            "%llu bad row%s: nothing imported (fix them, or ask to skip bad rows)",
                            (unsigned long long)stats->bad, stats->bad == 1 ? "" : "s");
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        stats->created = stats->merged = stats->held = 0;
    }
    return rc;
}

/* ---- reading items ---------------------------------------------------------------------- */

vigil_status vigil_item_show(vigil_store *st, const char *by, int64_t id, json_t **out,
                             vigil_err *err) {
    *out = NULL;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_item_access(st, &a, id, err);
    if (rc == VIGIL_OK) rc = case_item_row(st, id, out, err);
    if (rc != VIGIL_OK) return rc;
    static const struct {
        const char *key;
        const char *sql;
    } parts[] = {
        {"urls", "SELECT url FROM item_url WHERE item_id = ?1 ORDER BY url"},
        {"reports",
         "SELECT r.url, u.name AS user, a.code AS agency, r.observed_at, r.reported_at FROM "
         "item_report r LEFT JOIN user u ON u.id = r.user_id LEFT JOIN agency a ON a.id = "
         "r.agency_id WHERE r.item_id = ?1 ORDER BY r.id"},
        {"holds",
         "SELECT h.id, a.code AS agency, h.kind, h.value, h.reason, h.until, h.released_at, "
         "x.matched_at, x.notified_at FROM item_hold x JOIN hold h ON h.id = x.hold_id JOIN agency "
         "a ON a.id = h.agency_id WHERE x.item_id = ?1 ORDER BY h.id"},
        {"referrals",
         "SELECT r.id, p.name AS platform, r.channel, r.sent_at, ri.response, ri.responded_at "
         "FROM referral_item ri JOIN referral r ON r.id = ri.referral_id JOIN platform p ON p.id = "
         "r.platform_id WHERE ri.item_id = ?1 ORDER BY r.id"},
        {"orders",
         "SELECT id, authority, received_at, deadline_at, acknowledged_at, actioned_at, status "
         "FROM removal_order WHERE item_id = ?1 ORDER BY id"},
        {"reuploads",
         "SELECT i.id, o.name AS operation, i.canonical_url, i.state, i.created_at FROM item i "
         "JOIN operation o ON o.id = i.operation_id WHERE i.reupload_of = ?1 ORDER BY i.id"},
        {"history",
         "SELECT from_state AS \"from\", to_state AS \"to\", at, actor AS by, note FROM item_event "
         "WHERE item_id = ?1 ORDER BY id"},
    };
    for (size_t i = 0; i < sizeof parts / sizeof parts[0] && rc == VIGIL_OK; i++) {
        json_t *v = NULL;
        rc = vigil__q_json(st, parts[i].sql, &v, err, "i", id);
        if (rc == VIGIL_OK) json_object_set_new(*out, parts[i].key, v);
    }
    if (rc == VIGIL_OK) { /* the item's content cluster */
        json_t *c = NULL;
        rc = case_cluster_of(st, &a, id, &c, err);
        if (rc == VIGIL_OK) json_object_set_new(*out, "cluster", c);
    }
    if (rc == VIGIL_OK) { /* urls as plain strings */
        json_t *urls = json_object_get(*out, "urls"), *flat = json_array();
        size_t k;
        json_t *u;
        json_array_foreach(urls, k, u) {
            json_array_append(flat, json_object_get(u, "url"));
        }
        json_object_set_new(*out, "urls", flat);
    }
    if (rc != VIGIL_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* The item list: one static statement per order (an order cannot be a
 * parameter), each served by an index of the operation's items. */
#define SQL_LIST(ORDER)                                                                           \
    "SELECT i.id, o.name AS operation, i.canonical_url, p.name AS platform, i.type, "             \
    "(SELECT json_group_array(lang) FROM (SELECT lang FROM item_language WHERE item_id = i.id "   \
    "ORDER BY lang)) AS languages_json, i.affiliation, i.outlet, a.code AS agency, i.state, "      \
    "i.observed_at, i.reupload_of, (SELECT count(*) FROM item_report WHERE item_id = i.id) AS "    \
    "reports FROM item i JOIN operation o ON o.id = i.operation_id JOIN platform p ON p.id = "     \
    "i.platform_id LEFT JOIN agency a ON a.id = i.agency_id "                                     \
    "WHERE i.id > ?1 AND (?2 IS NULL OR o.name = ?2) AND (?3 IS NULL OR i.state = ?3) AND "       \
    "(?4 IS NULL OR p.name = ?4 COLLATE NOCASE) AND (?5 IS NULL OR i.type = ?5) AND (?6 IS NULL " \
    "OR EXISTS (SELECT 1 FROM item_language l WHERE l.item_id = i.id AND l.lang = ?6)) AND "      \
    "(?7 OR EXISTS (SELECT 1 FROM operation_agency x WHERE x.operation_id = i.operation_id AND "  \
    "x.agency_id = ?8) OR EXISTS (SELECT 1 FROM referral_item ri JOIN referral r ON r.id = "      \
    "ri.referral_id WHERE ri.item_id = i.id AND r.platform_id = ?9)) AND (?11 = 0 OR EXISTS "     \
    "(SELECT 1 FROM item_report x WHERE x.item_id = i.id AND x.agency_id = ?11)) AND (?12 = 0 "   \
    "OR EXISTS (SELECT 1 FROM item_report x WHERE x.item_id = i.id AND x.user_id = ?12)) "        \
    "ORDER BY " ORDER " LIMIT ?10 OFFSET ?13"

static const struct {
    const char *name, *sql;
} list_orders[] = {
    {"id", SQL_LIST("i.id")},
    {"-id", SQL_LIST("i.id DESC")},
    {"observed_at", SQL_LIST("i.observed_at, i.id")},
    {"-observed_at", SQL_LIST("i.observed_at DESC, i.id DESC")},
    {"platform", SQL_LIST("p.name COLLATE NOCASE, i.id")},
    {"-platform", SQL_LIST("p.name COLLATE NOCASE DESC, i.id")},
    {"state", SQL_LIST("i.state, i.id")},
};

/* A filter's agency or user by name: its id, or -1 (matches nothing) when
 * there is none, so that a filter never tells which names exist. */
static vigil_status filter_id(vigil_store *st, const char *sql, const char *name, int64_t *id,
                              vigil_err *err) {
    *id = 0;
    if (!name || !*name) return VIGIL_OK;
    vigil_status rc = vigil__q_int(st, sql, id, err, "t", name);
    if (rc == VIGIL_ENOENT) *id = -1, rc = VIGIL_OK;
    return rc;
}

vigil_status vigil_item_list(vigil_store *st, const char *by, const vigil_item_filter *f,
                             json_t **out, vigil_err *err) {
    static const vigil_item_filter none = {0};
    if (!f) f = &none;
    *out = NULL;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc != VIGIL_OK) return rc;
    int limit = f->limit <= 0 ? 100 : f->limit;
    if (limit > 10000) return vigil__err_set(err, VIGIL_ELIMIT, "limit: at most 10000 per page");
    if (f->after_id < 0) return vigil__err_set(err, VIGIL_EPARSE, "bad page cursor");
    if (f->offset < 0) return vigil__err_set(err, VIGIL_EPARSE, "offset: 0 or more");
    const char *sql = NULL;
    for (size_t i = 0; i < sizeof list_orders / sizeof list_orders[0]; i++)
        if (strcmp(list_orders[i].name, f->sort && *f->sort ? f->sort : "id") == 0)
            sql = list_orders[i].sql;
    if (!sql)
        return vigil__err_field(err, VIGIL_EPARSE, "sort",
                                "unknown order '%.40s' (id, -id, observed_at, -observed_at, "
                                "platform, -platform, state)",
                                f->sort);
    int64_t agency = 0, reporter = 0;
    rc = filter_id(st, "SELECT id FROM agency WHERE code = ?1", f->agency, &agency, err);
    if (rc == VIGIL_OK)
        rc = filter_id(st, "SELECT id FROM user WHERE name = ?1", f->reporter, &reporter, err);
    if (rc != VIGIL_OK) return rc;
    json_t *items = NULL;
    rc = vigil__q_json(st, sql, &items, err, "itttttdiid" "iii", f->after_id, f->op, f->state,
                       f->platform, f->type, f->lang, a.role == CASE_ADMIN, a.agency_id,
                       a.platform_id, limit + 1, agency, reporter, f->offset);
    if (rc != VIGIL_OK) return rc;
    json_t *next = json_null(), *next_offset = json_null();
    if (json_array_size(items) > (size_t)limit) {
        json_array_remove(items, (size_t)limit);
        if (sql == list_orders[0].sql) /* keyset paging: id order only */
            next = json_integer(json_integer_value(
                json_object_get(json_array_get(items, (size_t)limit - 1), "id")));
        next_offset = json_integer(f->offset + limit);
    }
    *out = json_pack("{s:o, s:o, s:o}", "items", items, "next", next, "next_offset", next_offset);
    if (!*out) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL_OK;
}

/* ---- state changes ------------------------------------------------------------------------ */

static vigil_status transition(vigil_store *st, const char *by, int64_t id, const char *to,
                               const char *at, const char *note, const char *expect,
                               vigil_err *err) {
    if (!to) return vigil__err_set(err, VIGIL_EINVAL, "no target state");
    if (strcmp(to, "removed") == 0 || strcmp(to, "declined") == 0 ||
        strcmp(to, "no_response") == 0)
        return vigil_outcome(st, by, id, to, at, err);
    case_actor a;
    char t[VIGIL_TIME_LEN];
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK)
        rc = case_require(&a, CASE_REVIEWER | CASE_COORDINATOR, "assess or reject items", err);
    if (rc == VIGIL_OK) rc = case_item_access(st, &a, id, err);
    if (rc == VIGIL_OK) rc = case_time_arg(st, at, "at", t, err);
    if (rc == VIGIL_OK) rc = case_text_check(note, "note", 2000, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    char *from = NULL;
    rc = vigil__q_text(st, "SELECT state FROM item WHERE id = ?1", &from, err, "i", id);
    if (rc == VIGIL_ENOENT) rc = vigil__err_set(err, VIGIL_ENOENT, "no item %lld", (long long)id);
    if (rc == VIGIL_OK && expect && strcmp(from, expect) != 0) { /* someone was faster */
        char *who = NULL;
        vigil_status r2 = vigil__q_text(st,
                                        "SELECT actor || ' at ' || at FROM item_event WHERE item_id = "
                                        "?1 ORDER BY id DESC LIMIT 1",
                                        &who, err, "i", id);
        rc = vigil__err_set(err, VIGIL_ECONFLICT, "item %lld is %s now, not %s (changed by %s)",
                            (long long)id, from, expect, r2 == VIGIL_OK && who ? who : "?");
        free(who);
    }
    if (rc == VIGIL_OK) rc = case_move(st, &a, id, from, to, CASE_CAUSE_REVIEW, t, note, err);
    free(from);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_item_transition(vigil_store *st, const char *by, int64_t id, const char *to,
                                   const char *at, const char *note, vigil_err *err) {
    return transition(st, by, id, to, at, note, NULL, err);
}

vigil_status vigil_item_transition_expect(vigil_store *st, const char *by, int64_t id,
                                          const char *to, const char *at, const char *note,
                                          const char *expect, vigil_err *err) {
    return transition(st, by, id, to, at, note, expect, err);
}
