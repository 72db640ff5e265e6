/*
 * src/case/cluster_link.c - content clusters by near-duplicate text and by
 * matching video: what an item's text fingerprint and video hash meet among
 * the other items of its operation, found incrementally at intake (item.c's
 * cluster_link calls it), and storing them for the items that come later.
 *
 * Text: the MinHash signature of the item's text (src/text/minhash.c) and
 * its LSH band keys at the text banks' threshold (lsh.c: 42 bands of 3
 * values at 0.5) are rows (item_text, item_text_band); a new text looks up
 * its own keys by equality, then compares each candidate's signature in
 * full against the threshold, as the banks' text index does in memory.
 * Video: the operation's video frames (item_video, parsed) go into a PDQ
 * index (vigil/index.h) on first need, as item.c's PDQ cluster index does;
 * a new video's usable frames look up their neighbours within 31, and each
 * candidate video is then compared with the vPDQ rule banks use by default
 * (vigil_video_compare_rule: vigil's rule, 50% either share, floor 50).
 */
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/buf.h"
#include "common/err.h"
#include "text/text_internal.h"
#include "vigil/index.h"

#define LINK_TEXT_MIN VIGIL_TEXT_DEFAULT_MIN_SIMILARITY
#define LINK_CHUNK 21            /* band keys per statement (PostgreSQL: 32 parameters) */
#define LINK_MAX_CANDIDATES 100000 /* candidate rows (texts) or frame hits (videos) read */
#define LINK_MAX_VERIFY 256      /* candidate videos compared in full, most frame hits first */
#define LINK_MAX_PENDING (1u << 20) /* band rows kept before they are written (32 MiB of slots) */
#define LINK_FLUSH_ROWS 15       /* band rows per INSERT (31 parameters) */

/* A band key of a text stored during this intake, not yet written. */
typedef struct band_ent {
    int64_t key, tid; /* tid 0: an empty slot */
} band_ent;

struct case_link_ctx {
    vigil_index *frames; /* usable frames of the operation's videos, id item_video.id */
    int built;
    vigil_index *removed; /* usable frames of removed items' videos (every operation) */
    int removed_built;
    /* the band rows of the texts stored by this intake (or import), kept
     * here (open addressing, found as the stored ones are) and written in
     * key order by case_link_flush: rows written one text at a time land on
     * random pages of the band index, and inside an import's per-row
     * savepoint every page touched is copied to the statement journal */
    band_ent *pend;
    size_t n_pend, cap_pend; /* cap: 0 or a power of 2 */
    int64_t op_id;           /* a context serves one operation (one intake or import) */
};

void case_meet_add(case_meet *m, int64_t c) {
    if (case_meet_has(m, c)) return;
    if (m->n < CASE_MEET_MAX) m->ids[m->n++] = c;
}

int case_meet_has(const case_meet *m, int64_t c) {
    for (size_t i = 0; i < m->n; i++)
        if (m->ids[i] == c) return 1;
    return 0;
}

void case_link_ctx_free(case_link_ctx *c) {
    if (!c) return;
    vigil_index_free(c->frames);
    vigil_index_free(c->removed);
    free(c->pend);
    free(c);
}

void case_link_input_clear(case_link_input *li) {
    if (!li) return;
    free(li->video);
    vigil_video_hash_clear(&li->vhash);
    memset(li, 0, sizeof *li);
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

vigil_status case_link_prepare(const vigil_item_input *in, case_link_input *li, vigil_err *err) {
    memset(li, 0, sizeof *li);
    vigil_status rc = VIGIL_OK;
    if (in->text) { /* no words (only punctuation): no fingerprint */
        vigil_err e;
        rc = vigil_text_minhash(in->text, in->text_len, &li->text, NULL, &e);
        if (rc == VIGIL_OK) li->has_text = 1;
        else if (rc == VIGIL_EFORMAT) rc = VIGIL_OK;
        else if (err) *err = e;
    }
    const char *v = in->vpdq;
    if (rc != VIGIL_OK || !v) return rc;
    size_t n = strlen(v);
    while (n && blank(*v)) v++, n--;
    while (n && blank(v[n - 1])) n--;
    if (n == 0) return VIGIL_OK;
    if (n > VIGIL_VALUE_MAX)
        return vigil__err_field(err, VIGIL_ELIMIT, "vpdq",
                                "the video hash is %zu bytes, over the limit of %d", n,
                                VIGIL_VALUE_MAX);
    char *copy = strndup(v, n);
    if (!copy) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_err e;
    rc = vigil_video_parse(copy, &li->vhash, &e);
    free(copy);
    if (rc == VIGIL_OK) rc = vigil_video_format(&li->vhash, VIGIL_VFORM_VALUE, &li->video, &e);
    if (rc != VIGIL_OK) {
        case_link_input_clear(li);
        if (rc == VIGIL_ENOMEM) return vigil__err_set(err, rc, "out of memory");
        return vigil__err_field(err, rc == VIGIL_ELIMIT ? VIGIL_ELIMIT : VIGIL_EPARSE, "vpdq",
                                "%s", e.msg);
    }
    return VIGIL_OK;
}

/* ---- the rules ---------------------------------------------------------------------- */

int case_text_alike(const vigil_text_sig *a, const vigil_text_sig *b, double *similarity) {
    double s = vigil_text_similarity(a, b);
    if (similarity) *similarity = s;
    return s >= LINK_TEXT_MIN;
}

int case_video_alike(const vigil_video_hash *q, const vigil_video_hash *b, vigil_video_match *how) {
    return vigil_video_compare_rule(q, b, NULL, how);
}

/* ---- near-duplicate text ----------------------------------------------------------- */

#define KEYS_2_22 "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, " \
                  "?19, ?20, ?21, ?22"
#define KEYS_ARGS(k)                                                                             \
    (k)[0], (k)[1], (k)[2], (k)[3], (k)[4], (k)[5], (k)[6], (k)[7], (k)[8], (k)[9], (k)[10],    \
        (k)[11], (k)[12], (k)[13], (k)[14], (k)[15], (k)[16], (k)[17], (k)[18], (k)[19], (k)[20]
#define FMT_21 "iiiiiiiiiiiiiiiiiiiii"

/* The texts of the operation sharing one of 21 band keys, with their item
 * and its cluster (CROSS JOIN: band rows first, by the key index). */
static const char sql_text_cands[] =
    "SELECT DISTINCT b.text_id, t.item_id, i.cluster_id FROM item_text_band b CROSS JOIN "
    "item_text t CROSS JOIN item i WHERE b.operation_id = ?1 AND b.band_key IN (" KEYS_2_22
    ") AND t.id = b.text_id AND i.id = t.item_id";

typedef struct cand {
    int64_t ref;  /* item_text.id or item_video.id */
    int64_t item, cluster;
    int64_t hits; /* videos: frame hits */
} cand;

typedef struct cands {
    cand *v;
    size_t n, cap;
    int full, oom; /* at LINK_MAX_CANDIDATES (the rest is left out) / out of memory */
} cands;

/* @return 0 (kept, or dropped when full), -1 out of memory. */
static int cands_push(cands *c, cand x) {
    if (c->n == c->cap) {
        size_t nc = vigil__grow_cap(c->cap, c->n + 1, 64, LINK_MAX_CANDIDATES);
        if (!nc) {
            c->full = 1;
            return 0;
        }
        cand *nv = vigil__realloc_n(c->v, nc, sizeof *nv);
        if (!nv) {
            c->oom = 1;
            return -1;
        }
        c->v = nv;
        c->cap = nc;
    }
    c->v[c->n++] = x;
    return 0;
}

static vigil_status text_cand_row(void *ctx, const vigil__row *r, vigil_err *err) {
    cand x = {.ref = vigil__row_int(r, 0), .item = vigil__row_int(r, 1),
              .cluster = vigil__row_int(r, 2)};
    if (cands_push(ctx, x) < 0) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return ((cands *)ctx)->full ? VIGIL__STOP : VIGIL_OK;
}

static int cmp_ref(const void *a, const void *b) {
    const cand *x = a, *y = b;
    return (x->ref > y->ref) - (x->ref < y->ref);
}

static size_t pend_slot(const case_link_ctx *c, int64_t key) {
    return (size_t)vigil__mix64((uint64_t)key) & (c->cap_pend - 1);
}

/* Keeps band row (key, tid) for case_link_flush.  @return 0 or -1 (out of memory). */
static int pend_add(case_link_ctx *c, int64_t key, int64_t tid) {
    if ((c->n_pend + 1) * 2 > c->cap_pend) { /* at most half full */
        size_t ncap = c->cap_pend ? c->cap_pend * 2 : 1024;
        band_ent *nt = calloc(ncap, sizeof *nt);
        if (!nt) return -1;
        band_ent *old = c->pend;
        size_t ocap = c->cap_pend;
        c->pend = nt;
        c->cap_pend = ncap;
        for (size_t i = 0; i < ocap; i++)
            if (old[i].tid) {
                size_t j = pend_slot(c, old[i].key);
                while (nt[j].tid) j = (j + 1) & (ncap - 1);
                nt[j] = old[i];
            }
        free(old);
    }
    size_t j = pend_slot(c, key);
    while (c->pend[j].tid) j = (j + 1) & (c->cap_pend - 1);
    c->pend[j].key = key;
    c->pend[j].tid = tid;
    c->n_pend++;
    return 0;
}

/* The kept texts sharing band `key`, as candidates (item and cluster to
 * be read: 0). */
static int pend_find(const case_link_ctx *c, int64_t key, cands *out) {
    if (!c->cap_pend) return 0;
    for (size_t j = pend_slot(c, key); c->pend[j].tid; j = (j + 1) & (c->cap_pend - 1))
        if (c->pend[j].key == key && cands_push(out, (cand){.ref = c->pend[j].tid}) < 0) return -1;
    return 0;
}

static int cmp_band(const void *a, const void *b) {
    const band_ent *x = a, *y = b;
    if (x->key != y->key) return (x->key > y->key) - (x->key < y->key);
    return (x->tid > y->tid) - (x->tid < y->tid);
}

#define PAIRS_ARGS(e)                                                                            \
    (e)[0].key, (e)[0].tid, (e)[1].key, (e)[1].tid, (e)[2].key, (e)[2].tid, (e)[3].key,          \
        (e)[3].tid, (e)[4].key, (e)[4].tid, (e)[5].key, (e)[5].tid, (e)[6].key, (e)[6].tid,      \
        (e)[7].key, (e)[7].tid, (e)[8].key, (e)[8].tid, (e)[9].key, (e)[9].tid, (e)[10].key,     \
        (e)[10].tid, (e)[11].key, (e)[11].tid, (e)[12].key, (e)[12].tid, (e)[13].key,            \
        (e)[13].tid, (e)[14].key, (e)[14].tid

static const char sql_band_rows[] =
    "INSERT INTO item_text_band (operation_id, band_key, text_id) VALUES (?1, ?2, ?3), (?1, ?4, "
    "?5), (?1, ?6, ?7), (?1, ?8, ?9), (?1, ?10, ?11), (?1, ?12, ?13), (?1, ?14, ?15), (?1, ?16, "
    "?17), (?1, ?18, ?19), (?1, ?20, ?21), (?1, ?22, ?23), (?1, ?24, ?25), (?1, ?26, ?27), (?1, "
    "?28, ?29), (?1, ?30, ?31)";

vigil_status case_link_flush(vigil_store *st, case_link_ctx *c, vigil_err *err) {
    if (!c || !c->n_pend) return VIGIL_OK;
    size_t n = 0;
    for (size_t i = 0; i < c->cap_pend; i++) /* compact, then in key order */
        if (c->pend[i].tid) c->pend[n++] = c->pend[i];
    qsort(c->pend, n, sizeof *c->pend, cmp_band);
    vigil_status rc = VIGIL_OK;
    size_t i = 0;
    for (; rc == VIGIL_OK && i + LINK_FLUSH_ROWS <= n; i += LINK_FLUSH_ROWS)
        rc = vigil__q_exec(st, sql_band_rows, NULL, err, "i" FMT_21 "iiiiiiiii", c->op_id,
                           PAIRS_ARGS(c->pend + i));
    for (; rc == VIGIL_OK && i < n; i++)
        rc = vigil__q_exec(st,
                           "INSERT INTO item_text_band (operation_id, band_key, text_id) VALUES "
                           "(?1, ?2, ?3)",
                           NULL, err, "iii", c->op_id, c->pend[i].key, c->pend[i].tid);
    free(c->pend); /* written, or the transaction is rolled back */
    c->pend = NULL;
    c->n_pend = c->cap_pend = 0;
    return rc;
}

/* A candidate's owner: (item id, cluster id) into the cand `ctx`; the text
 * and the video links both read it. */
static vigil_status owner_row(void *ctx, const vigil__row *r, vigil_err *err) {
    cand *x = ctx;
    (void)err;
    x->item = vigil__row_int(r, 0);
    x->cluster = vigil__row_int(r, 1);
    return VIGIL_OK;
}

/* Links by text, then stores the fingerprint and keeps its bands for
 * case_link_flush (unless a text with the very same signature has its
 * bands already: a near-duplicate of this text finds that one). */
static vigil_status link_text(vigil_store *st, case_link_ctx *lc, int64_t op_id, int64_t id,
                              const vigil_text_sig *sig, case_meet *m, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    if (lc->n_pend >= LINK_MAX_PENDING && (rc = case_link_flush(st, lc, err)) != VIGIL_OK)
        return rc;
    lc->op_id = op_id;
    int64_t keys[VIGIL_MINHASH_N];
    int nk = vigil__text_band_keys(sig, LINK_TEXT_MIN, keys);
    int padded = (nk + LINK_CHUNK - 1) / LINK_CHUNK * LINK_CHUNK;
    for (int k = nk; k < padded; k++) keys[k] = -1; /* never a key */
    cands c = {0};
    for (int k = 0; rc == VIGIL_OK && k < padded && !c.full; k += LINK_CHUNK)
        rc = vigil__q_each(st, sql_text_cands, text_cand_row, &c, err, "i" FMT_21, op_id,
                           KEYS_ARGS(keys + k));
    for (int k = 0; rc == VIGIL_OK && k < nk && !c.full; k++)
        if (pend_find(lc, keys[k], &c) < 0) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK && c.n > 1) qsort(c.v, c.n, sizeof *c.v, cmp_ref);
    int indexed = 0; /* a text with this very signature has its bands */
    for (size_t i = 0; rc == VIGIL_OK && i < c.n; i++) {
        cand *x = &c.v[i];
        if (i && x->ref == c.v[i - 1].ref) continue;
        if (!x->item) /* kept by this intake: its item and cluster from the store */
            rc = vigil__q_each(st,
                               "SELECT t.item_id, i.cluster_id FROM item_text t JOIN item i ON "
                               "i.id = t.item_id WHERE t.id = ?1",
                               owner_row, x, err, "i", x->ref);
        if (rc != VIGIL_OK || !x->item || x->item == id) continue;
        if (indexed && case_meet_has(m, x->cluster)) continue; /* nothing to learn */
        char *text = NULL;
        rc = vigil__q_text(st, "SELECT sig FROM item_text WHERE id = ?1", &text, err, "i", x->ref);
        vigil_text_sig other;
        if (rc == VIGIL_OK && text && vigil_text_sig_parse(text, &other, NULL) == VIGIL_OK) {
            double s;
            int alike = case_text_alike(sig, &other, &s);
            if (s >= 1.0) indexed = 1;
            if (alike) case_meet_add(m, x->cluster);
        }
        free(text);
    }
    free(c.v);
    if (rc != VIGIL_OK) return rc;
    char form[VIGIL_TEXT_SIG_LEN + 1];
    vigil_text_sig_format(sig, form);
    int64_t tid = 0;
    rc = vigil__q_int(st, "SELECT id FROM item_text WHERE item_id = ?1 AND sig = ?2", &tid, err,
                      "it", id, form);
    if (rc != VIGIL_ENOENT) return rc; /* this item has this text already */
    rc = vigil__q_int(st, "INSERT INTO item_text (item_id, sig) VALUES (?1, ?2) RETURNING id", &tid,
                      err, "it", id, form);
    for (int k = 0; rc == VIGIL_OK && !indexed && k < nk; k++)
        if (pend_add(lc, keys[k], tid) < 0) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return rc;
}

/* ---- matching video ---------------------------------------------------------------- */

/* The usable frames of v (quality at or above the floor) in *out
 * (malloc'd; NULL when none), their number in *n.  @return 0 or -1 (out of
 * memory). */
static int usable_frames(const vigil_video_hash *v, vigil_pdq **out, size_t *n) {
    *out = NULL;
    *n = 0;
    if (!v->n) return 0;
    vigil_pdq *h = vigil__realloc_n(NULL, v->n, sizeof *h);
    if (!h) return -1;
    for (size_t i = 0; i < v->n; i++)
        if (v->frames[i].quality >= VIGIL_DEFAULT_QUALITY_FLOOR) h[(*n)++] = v->frames[i].pdq;
    *out = h;
    return 0;
}

/* The usable frames of v into the index, under `ref`, in one batch. */
static vigil_status index_frames(vigil_index *ix, const vigil_video_hash *v, int64_t ref,
                                 vigil_err *err) {
    vigil_pdq *h;
    size_t n;
    if (usable_frames(v, &h, &n) < 0) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (!n) {
        free(h);
        return VIGIL_OK;
    }
    int64_t *ids = vigil__realloc_n(NULL, n, sizeof *ids);
    vigil_status rc;
    if (ids) {
        for (size_t i = 0; i < n; i++) ids[i] = ref;
        rc = vigil_index_add(ix, h, ids, n, err);
    } else {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    free(h);
    free(ids);
    return rc;
}

/* A row (item_video.id, value) into the index `ctx`; a value that does not
 * parse is left out (the intake stores canonical values only). */
static vigil_status video_row(void *ctx, const vigil__row *r, vigil_err *err) {
    vigil_video_hash v;
    if (vigil_video_parse(vigil__row_text(r, 1), &v, NULL) != VIGIL_OK) return VIGIL_OK;
    vigil_status rc = index_frames(ctx, &v, vigil__row_int(r, 0), err);
    vigil_video_hash_clear(&v);
    return rc;
}

static int frame_hit(void *ctx, size_t query, const vigil_index_hit *hit) {
    (void)query;
    cands *c = ctx;
    cand x = {.ref = hit->id, .hits = 1};
    return cands_push(c, x) < 0 || c->full; /* stop */
}

static int cmp_hits(const void *a, const void *b) {
    const cand *x = a, *y = b;
    if (x->hits != y->hits) return x->hits < y->hits ? 1 : -1;
    return (x->ref > y->ref) - (x->ref < y->ref);
}

/* The videos of index `ix` whose frames meet q's (within the default
 * distance), as candidates in c->v[0..*nv) by frame hits, most first. */
static vigil_status video_cands(vigil_index *ix, const vigil_video_hash *q, cands *c, size_t *nv,
                                vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    vigil_pdq *qh = NULL;
    size_t nq = 0;
    *nv = 0;
    if (usable_frames(q, &qh, &nq) < 0) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (nq && vigil_index_size(ix)) /* one batch: one pass serves every frame */
        rc = vigil_index_query_batch(ix, qh, nq, VIGIL_DEFAULT_MAX_DISTANCE, frame_hit, c, err);
    free(qh);
    if (rc == VIGIL_OK && c->oom) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK && c->n) {
        qsort(c->v, c->n, sizeof *c->v, cmp_ref);
        for (size_t i = 0; i < c->n; i++) {
            if (*nv && c->v[*nv - 1].ref == c->v[i].ref) c->v[*nv - 1].hits++;
            else c->v[(*nv)++] = c->v[i];
        }
        qsort(c->v, *nv, sizeof *c->v, cmp_hits);
    }
    return rc;
}

/* Whether stored video `ref` (item_video.id) matches q by the banks' rule. */
static vigil_status video_matches(vigil_store *st, int64_t ref, const vigil_video_hash *q,
                                  int *match, vigil_err *err) {
    *match = 0;
    char *value = NULL;
    vigil_status rc = vigil__q_text(st, "SELECT value FROM item_video WHERE id = ?1", &value, err,
                                    "i", ref);
    vigil_video_hash b;
    if (rc == VIGIL_OK && value && vigil_video_parse(value, &b, NULL) == VIGIL_OK) {
        vigil_video_match how;
        *match = case_video_alike(q, &b, &how);
        vigil_video_hash_clear(&b);
    }
    free(value);
    return rc;
}

/* Links by video, then stores the video (once per item) and indexes it. */
static vigil_status link_video(vigil_store *st, case_link_ctx *lc, int64_t op_id, int64_t id,
                               const case_link_input *li, case_meet *m, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    if (!lc->built) {
        if ((rc = vigil_index_new(&lc->frames, err)) != VIGIL_OK) return rc;
        rc = vigil__q_each(st, "SELECT id, value FROM item_video WHERE operation_id = ?1",
                           video_row, lc->frames, err, "i", op_id);
        if (rc != VIGIL_OK) return rc;
        lc->built = 1;
    }
    cands c = {0};
    const vigil_video_hash *q = &li->vhash;
    size_t nv = 0;
    rc = video_cands(lc->frames, q, &c, &nv, err);
    for (size_t i = 0, tried = 0; rc == VIGIL_OK && i < nv && tried < LINK_MAX_VERIFY; i++) {
        cand *x = &c.v[i];
        rc = vigil__q_each(st,
                           "SELECT v.item_id, i.cluster_id FROM item_video v JOIN item i ON i.id = "
                           "v.item_id WHERE v.id = ?1",
                           owner_row, x, err, "i", x->ref);
        if (rc != VIGIL_OK || !x->item || x->item == id || case_meet_has(m, x->cluster)) continue;
        int match = 0;
        rc = video_matches(st, x->ref, q, &match, err);
        if (rc == VIGIL_OK && match) case_meet_add(m, x->cluster);
        tried++;
    }
    free(c.v);
    if (rc != VIGIL_OK) return rc;
    int64_t vid = 0;
    rc = vigil__q_int(st, "SELECT id FROM item_video WHERE item_id = ?1 AND value = ?2", &vid, err,
                      "it", id, li->video);
    if (rc != VIGIL_ENOENT) return rc; /* this item has this video already */
    rc = vigil__q_int(st,
                      "INSERT INTO item_video (operation_id, item_id, value) VALUES (?1, ?2, ?3) "
                      "RETURNING id",
                      &vid, err, "iit", op_id, id, li->video);
    if (rc == VIGIL_OK) rc = index_frames(lc->frames, q, vid, err);
    return rc;
}

/* *ctx, made on first need (an intake or import keeps one); NULL when out
 * of memory. */
static case_link_ctx *ctx_made(case_link_ctx **ctx) {
    if (!*ctx) *ctx = calloc(1, sizeof **ctx);
    return *ctx;
}

vigil_status case_link_similar(vigil_store *st, case_link_ctx **ctx, int64_t op_id, int64_t id,
                               const case_link_input *li, case_meet *m, vigil_err *err) {
    if (!li->has_text && !li->video) return VIGIL_OK;
    case_link_ctx *lc = ctx_made(ctx);
    if (!lc) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_status rc = VIGIL_OK;
    if (li->has_text) rc = link_text(st, lc, op_id, id, &li->text, m, err);
    if (rc == VIGIL_OK && li->video) rc = link_video(st, lc, op_id, id, li, m, err);
    return rc;
}

/* ---- re-uploads by video ------------------------------------------------------------------ */

vigil_status case_link_reupload_video(vigil_store *st, case_link_ctx **ctx,
                                      const case_link_input *li, int64_t *of, vigil_err *err) {
    if (!li->video) return VIGIL_OK;
    case_link_ctx *lc = ctx_made(ctx);
    if (!lc) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_status rc = VIGIL_OK;
    if (!lc->removed_built) { /* once per intake or import: removals do not happen during one */
        if ((rc = vigil_index_new(&lc->removed, err)) != VIGIL_OK) return rc;
        rc = vigil__q_each(st,
                           "SELECT v.id, v.value FROM item_video v JOIN item i ON i.id = v.item_id "
                           "WHERE i.state = 'removed'",
                           video_row, lc->removed, err, "");
        if (rc != VIGIL_OK) return rc;
        lc->removed_built = 1;
    }
    cands c = {0};
    size_t nv = 0;
    rc = video_cands(lc->removed, &li->vhash, &c, &nv, err);
    for (size_t i = 0; rc == VIGIL_OK && i < nv && i < LINK_MAX_VERIFY; i++) {
        int64_t item = 0;
        int match = 0;
        rc = video_matches(st, c.v[i].ref, &li->vhash, &match, err);
        if (rc == VIGIL_OK && match)
            rc = vigil__q_int(st, "SELECT item_id FROM item_video WHERE id = ?1", &item, err, "i",
                              c.v[i].ref);
        if (rc == VIGIL_OK && item > *of) *of = item; /* the latest removed one */
    }
    free(c.v);
    return rc;
}
