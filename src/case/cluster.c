/*
 * src/case/cluster.c - reading content clusters: an operation's clusters
 * (the same content on several platforms, linked at intake by item.c) and
 * the cluster of one item, with the links that join each copy to it (`via`,
 * worked out on read with the intake's rules).  Referring a whole cluster
 * is refer.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "vigil/hash.h"

/* The groups first (over item_op_cluster, which covers them), then the
 * platforms and members of the `limit` kept only. */
static const char sql_clusters[] =
    "SELECT c.id, c.items, c.platform_count, c.still_up, c.removed, c.referable, c.first_seen, "
    "c.last_seen, (SELECT json_group_array(name) FROM (SELECT p.name FROM item k JOIN "
    "platform p ON p.id = k.platform_id WHERE k.operation_id = ?1 AND k.cluster_id = c.id GROUP "
    "BY p.name ORDER BY p.name COLLATE NOCASE)) AS platforms_json, (SELECT json_group_array(json_object('id', "
    "k.id, 'platform', p.name, 'state', k.state, 'canonical_url', k.canonical_url, 'observed_at', "
    "k.observed_at)) FROM (SELECT id, platform_id, state, canonical_url, observed_at FROM item "
    "WHERE operation_id = ?1 AND cluster_id = c.id ORDER BY id LIMIT 100) k JOIN platform p ON "
    "p.id = k.platform_id) AS members_json FROM (SELECT cluster_id AS id, count(*) AS items, "
    "count(DISTINCT platform_id) AS platform_count, sum(state <> 'removed') AS still_up, "
    "sum(state = 'removed') AS removed, sum(state = 'assessed') AS referable, min(observed_at) AS "
    "first_seen, max(observed_at) AS last_seen FROM item WHERE operation_id = ?1 GROUP BY "
    "cluster_id HAVING count(*) > 1 ORDER BY platform_count DESC, items DESC, id LIMIT ?2) c "
    "ORDER BY c.platform_count DESC, c.items DESC, c.id";

vigil_status vigil_cluster_list(vigil_store *st, const char *by, const char *op, int limit,
                                json_t **out, vigil_err *err) {
    if (out) *out = NULL;
    if (!st || !op || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_cluster_list: NULL argument");
    if (limit < 0 || limit > 10000)
        return vigil__err_set(err, VIGIL_ELIMIT, "limit: 1 to 10000 clusters (0: 100)");
    case_actor a;
    int64_t op_id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_AGENCY_STAFF, "see content clusters", err);
    if (rc == VIGIL_OK) rc = case_op_find(st, &a, op, &op_id, err);
    if (rc == VIGIL_OK) rc = vigil__q_json(st, sql_clusters, out, err, "id", op_id, limit ? limit : 100);
    return rc;
}

/* The other items of item `id`'s cluster; a liaison sees only those
 * referred to their platform, and no cluster id (it is an item id).  The
 * `via` queries read the same copies' rows (k.id <= the last one shown). */
#define SQL_COPIES_FROM                                                                          \
    "FROM item x JOIN item k ON k.operation_id = x.operation_id AND k.cluster_id = x.cluster_id "
#define SQL_COPIES_WHERE                                                                         \
    "WHERE x.id = ?1 AND k.id <> ?1 AND (?2 = 0 OR EXISTS (SELECT 1 FROM referral_item ri JOIN " \
    "referral r ON r.id = ri.referral_id WHERE ri.item_id = k.id AND r.platform_id = ?2)) "

static const char sql_copies[] =
    "SELECT k.id, p.name AS platform, k.state, k.canonical_url, k.observed_at " SQL_COPIES_FROM
    "JOIN platform p ON p.id = k.platform_id " SQL_COPIES_WHERE "ORDER BY k.id LIMIT 100";

/* ---- via: the direct links between the item and each copy ---------------------------
 * Read per kind in one statement over the copies shown, each row compared
 * with the item's own rows by the intake's rules (CASE_CLUSTER_PDQ_DISTANCE,
 * case_text_alike, case_video_alike); the copies' rows and the video pairs
 * compared are capped, so an item view stays cheap whatever the cluster. */

#define VIA_OWN_MAX 16     /* the item's own hashes and texts read */
#define VIA_OWN_VIDEOS 4   /* the item's own videos read */
#define VIA_ROWS_MAX 4000  /* the copies' rows read, per kind */
#define VIA_VIDEO_PAIRS 200 /* video comparisons (each direction counts one) */

static const char sql_via_hashes[] =
    "SELECT k.id, h.signal_type, h.value " SQL_COPIES_FROM "JOIN item_hash h ON h.item_id = k.id "
    SQL_COPIES_WHERE "AND k.id <= ?3 ORDER BY k.id LIMIT ?4";
static const char sql_via_texts[] =
    "SELECT k.id, t.sig " SQL_COPIES_FROM "JOIN item_text t ON t.item_id = k.id " SQL_COPIES_WHERE
    "AND k.id <= ?3 ORDER BY k.id, t.id LIMIT ?4";
static const char sql_via_videos[] =
    "SELECT k.id, v.value " SQL_COPIES_FROM "JOIN item_video v ON v.item_id = k.id "
    SQL_COPIES_WHERE "AND k.id <= ?3 ORDER BY k.id, v.id LIMIT ?4";

/* The best link of each kind found between the item and one copy. */
typedef struct via_acc {
    int64_t id;            /* the copy */
    int md5, sha256;       /* an equal value */
    int pdq;               /* the smallest PDQ distance within the threshold; -1: none */
    double text;           /* the highest similarity at the threshold; -1: none */
    int video;             /* 1: a video pair matched, as `how` says */
    vigil_video_match how; /* query_share: of the item's video; bank_share: of the copy's */
} via_acc;

typedef struct via_ctx {
    via_acc *acc; /* the copies, by id */
    size_t n;
    char htype[VIA_OWN_MAX][8], hval[VIA_OWN_MAX][65]; /* the item's hashes */
    vigil_pdq pdq[VIA_OWN_MAX];                         /* parsed, when htype is pdq */
    size_t nh;
    vigil_text_sig text[VIA_OWN_MAX];
    size_t nt;
    vigil_video_hash video[VIA_OWN_VIDEOS];
    size_t nv;
    size_t pairs; /* video comparisons made */
} via_ctx;

static via_acc *via_find(via_ctx *c, int64_t id) {
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->acc[mid].id == id) return &c->acc[mid];
        if (c->acc[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    return NULL;
}

static vigil_status own_hash_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    via_ctx *c = ctx;
    const char *t = vigil__row_text(r, 0), *v = vigil__row_text(r, 1);
    if (!t || !v || strlen(t) >= sizeof c->htype[0] || strlen(v) >= sizeof c->hval[0]) return VIGIL_OK;
    if (strcmp(t, "pdq") == 0 && vigil_pdq_from_hex(v, &c->pdq[c->nh], NULL) != VIGIL_OK)
        return VIGIL_OK;
    memcpy(c->htype[c->nh], t, strlen(t) + 1);
    memcpy(c->hval[c->nh], v, strlen(v) + 1);
    return ++c->nh == VIA_OWN_MAX ? VIGIL__STOP : VIGIL_OK;
}

static vigil_status own_text_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    via_ctx *c = ctx;
    const char *sig = vigil__row_text(r, 0);
    if (sig && vigil_text_sig_parse(sig, &c->text[c->nt], NULL) == VIGIL_OK) c->nt++;
    return c->nt == VIA_OWN_MAX ? VIGIL__STOP : VIGIL_OK;
}

static vigil_status own_video_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    via_ctx *c = ctx;
    const char *v = vigil__row_text(r, 0);
    if (v && vigil_video_parse(v, &c->video[c->nv], NULL) == VIGIL_OK) c->nv++;
    return c->nv == VIA_OWN_VIDEOS ? VIGIL__STOP : VIGIL_OK;
}

static vigil_status copy_hash_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    via_ctx *c = ctx;
    via_acc *x = via_find(c, vigil__row_int(r, 0));
    const char *t = vigil__row_text(r, 1), *v = vigil__row_text(r, 2);
    if (!x || !t || !v) return VIGIL_OK;
    int is_pdq = strcmp(t, "pdq") == 0;
    vigil_pdq q;
    if (is_pdq && vigil_pdq_from_hex(v, &q, NULL) != VIGIL_OK) return VIGIL_OK;
    for (size_t i = 0; i < c->nh; i++) {
        if (strcmp(c->htype[i], t) != 0) continue;
        if (is_pdq) {
            int d = vigil_pdq_distance(&c->pdq[i], &q);
            if (d <= CASE_CLUSTER_PDQ_DISTANCE && (x->pdq < 0 || d < x->pdq)) x->pdq = d;
        } else if (strcmp(c->hval[i], v) == 0) {
            if (strcmp(t, "md5") == 0) x->md5 = 1;
            else if (strcmp(t, "sha256") == 0) x->sha256 = 1;
        }
    }
    return VIGIL_OK;
}

static vigil_status copy_text_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    via_ctx *c = ctx;
    via_acc *x = via_find(c, vigil__row_int(r, 0));
    const char *sig = vigil__row_text(r, 1);
    vigil_text_sig other;
    if (!x || !sig || vigil_text_sig_parse(sig, &other, NULL) != VIGIL_OK) return VIGIL_OK;
    for (size_t i = 0; i < c->nt; i++) {
        double s;
        if (case_text_alike(&c->text[i], &other, &s) && s > x->text) x->text = s;
    }
    return VIGIL_OK;
}

/* The item's video as the query first (as a later copy's intake saw it the
 * other way round, both directions are tried: the rule need not be
 * symmetric); the first pair that matches is kept. */
static vigil_status copy_video_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    via_ctx *c = ctx;
    via_acc *x = via_find(c, vigil__row_int(r, 0));
    const char *v = vigil__row_text(r, 1);
    if (c->pairs >= VIA_VIDEO_PAIRS) return VIGIL__STOP;
    vigil_video_hash b;
    if (!x || x->video || !v || vigil_video_parse(v, &b, NULL) != VIGIL_OK) return VIGIL_OK;
    for (size_t i = 0; i < c->nv && !x->video && c->pairs < VIA_VIDEO_PAIRS; i++) {
        c->pairs++;
        if (case_video_alike(&c->video[i], &b, &x->how)) {
            x->video = 1;
            break;
        }
        c->pairs++;
        if (case_video_alike(&b, &c->video[i], &x->how)) {
            double qs = x->how.query_share;
            x->how.query_share = x->how.bank_share;
            x->how.bank_share = qs;
            x->video = 1;
        }
    }
    vigil_video_hash_clear(&b);
    return VIGIL_OK;
}

/* The `via` array of one copy, from what was found. */
static json_t *via_json(const via_acc *x) {
    json_t *a = json_array();
    if (!a) return NULL;
    int bad = 0;
    if (x->md5) bad |= json_array_append_new(a, json_pack("{s:s}", "signal", "md5"));
    if (x->sha256) bad |= json_array_append_new(a, json_pack("{s:s}", "signal", "sha256"));
    if (x->pdq >= 0)
        bad |= json_array_append_new(a, json_pack("{s:s, s:i}", "signal", "pdq", "distance", x->pdq));
    if (x->text >= 0)
        bad |= json_array_append_new(
            a, json_pack("{s:s, s:f}", "signal", "text", "similarity", x->text));
    if (x->video)
        bad |= json_array_append_new(
            a, json_pack("{s:s, s:f, s:f, s:i}", "signal", "video", "item_share",
                         x->how.query_share, "copy_share", x->how.bank_share, "distance",
                         x->how.distance));
    if (bad) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* Adds `via` to each object of `copies` (those item `id` may show the actor
 * `platform`: 0 for agency staff). */
static vigil_status add_via(vigil_store *st, int64_t id, int64_t platform, json_t *copies,
                            vigil_err *err) {
    size_t n = json_array_size(copies);
    if (!n) return VIGIL_OK;
    vigil_status rc = VIGIL_OK;
    via_ctx *c = calloc(1, sizeof *c);
    if (!c || !(c->acc = calloc(n, sizeof *c->acc))) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    c->n = n;
    for (size_t i = 0; i < n; i++) {
        c->acc[i].id = json_integer_value(json_object_get(json_array_get(copies, i), "id"));
        c->acc[i].pdq = -1;
        c->acc[i].text = -1;
    }
    int64_t last = c->acc[n - 1].id; /* the copies come in id order */
    rc = vigil__q_each(st,
                       "SELECT signal_type, value FROM item_hash WHERE item_id = ?1 ORDER BY "
                       "signal_type, value LIMIT ?2",
                       own_hash_row, c, err, "ii", id, (int64_t)VIA_OWN_MAX);
    if (rc == VIGIL_OK)
        rc = vigil__q_each(st, "SELECT sig FROM item_text WHERE item_id = ?1 ORDER BY id LIMIT ?2",
                           own_text_row, c, err, "ii", id, (int64_t)VIA_OWN_MAX);
    if (rc == VIGIL_OK)
        rc = vigil__q_each(st, "SELECT value FROM item_video WHERE item_id = ?1 ORDER BY id LIMIT ?2",
                           own_video_row, c, err, "ii", id, (int64_t)VIA_OWN_VIDEOS);
    if (rc == VIGIL_OK && c->nh)
        rc = vigil__q_each(st, sql_via_hashes, copy_hash_row, c, err, "iiii", id, platform, last,
                           (int64_t)VIA_ROWS_MAX);
    if (rc == VIGIL_OK && c->nt)
        rc = vigil__q_each(st, sql_via_texts, copy_text_row, c, err, "iiii", id, platform, last,
                           (int64_t)VIA_ROWS_MAX);
    if (rc == VIGIL_OK && c->nv)
        rc = vigil__q_each(st, sql_via_videos, copy_video_row, c, err, "iiii", id, platform, last,
                           (int64_t)VIA_ROWS_MAX);
    for (size_t i = 0; rc == VIGIL_OK && i < n; i++) {
        json_t *v = via_json(&c->acc[i]);
        if (!v || json_object_set_new(json_array_get(copies, i), "via", v) != 0)
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
out:
    if (c) {
        for (size_t i = 0; i < c->nv; i++) vigil_video_hash_clear(&c->video[i]);
        free(c->acc);
        free(c);
    }
    return rc;
}

vigil_status case_cluster_of(vigil_store *st, const case_actor *a, int64_t id, json_t **out,
                             vigil_err *err) {
    *out = NULL;
    json_t *copies = NULL;
    int64_t cid = 0, n = 0;
    vigil_status rc = vigil__q_json(st, sql_copies, &copies, err, "ii", id, a->platform_id);
    if (rc == VIGIL_OK) rc = add_via(st, id, a->platform_id, copies, err);
    if (rc == VIGIL_OK && !a->platform_id)
        rc = vigil__q_int(st, "SELECT cluster_id FROM item WHERE id = ?1", &cid, err, "i", id);
    if (rc == VIGIL_OK && !a->platform_id)
        rc = vigil__q_int(st,
                          "SELECT count(*) FROM item k JOIN item x ON k.operation_id = "
                          "x.operation_id AND k.cluster_id = x.cluster_id WHERE x.id = ?1",
                          &n, err, "i", id);
    if (rc == VIGIL_ENOENT) rc = VIGIL_OK; /* an item of a store before clusters */
    if (rc != VIGIL_OK) {
        json_decref(copies);
        return rc;
    }
    if (a->platform_id) n = (int64_t)json_array_size(copies) + 1;
    *out = json_pack("{s:o, s:I, s:o}", "id", cid ? json_integer(cid) : json_null(), "items",
                     (json_int_t)n, "copies", copies);
    if (!*out) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL_OK;
}
