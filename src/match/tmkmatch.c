/*
 * src/match/tmkmatch.c - TMK+PDQF matching against the banks' `tmk`
 * entries with the reference's two-level rule: the bank videos' average
 * features are kept in memory (1 KB each, normalised, loaded from the
 * store's 1,200-byte heads) for the level-1 prefilter; a candidate's full
 * signature is read from the store for level 2 (its 263 KB blob), so memory
 * does not grow with the signatures (bench/bench_tmk.c measures both ways).
 * For a PostgreSQL outage (seen.h) the matcher keeps the entries it found
 * and the full signatures of the last TMK_BODIES entries that matched: while
 * the store is unreachable those match again from memory, a query with no
 * level-1 candidate answers no match, and a level-1 candidate whose
 * signature is not kept makes the query VIGIL_EBUSY (level 2 cannot be
 * decided; a level-1-only answer would be a guess).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "match/allow.h"
#include "match/seen.h"
#include "vigil/video.h"

#define TMK_BODIES 16 /* full signatures kept for an outage: 16 x 263 KB */

struct vigil_tmk_matcher {
    vigil_store *st;
    pthread_mutex_t mu; /* the store serves one thread at a time (and guards seen) */
    vigil__seen seen;   /* entries and signatures found lately, for an outage */
    size_t n, cap;
    int64_t *entry;
    float (*avg)[VIGIL_TMK_DIM]; /* L2-normalised average features */
    int failed;
};

void vigil_tmk_matcher_free(vigil_tmk_matcher *m) {
    if (!m) return;
    free(m->entry);
    free(m->avg);
    vigil__seen_free(&m->seen);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

size_t vigil_tmk_matcher_videos(const vigil_tmk_matcher *m) { return m ? m->n : 0; }

static void normalise(const float *in, float *out) {
    float s = 0;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) s += in[k] * in[k];
    float r = s > 0 ? 1.0f / sqrtf(s) : 0.0f;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) out[k] = in[k] * r;
}

static int load_tmk(void *ctx, int64_t entry_id, int64_t bank_id, const void *head, size_t len) {
    (void)bank_id;
    vigil_tmk_matcher *m = ctx;
    float avg[VIGIL_TMK_DIM];
    if (vigil_tmk_read_head(head, len, avg, NULL, NULL) != VIGIL_OK) return 0; /* the store validated it */
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 256;
        int64_t *ne = realloc(m->entry, nc * sizeof *ne);
        if (ne) m->entry = ne;
        float(*na)[VIGIL_TMK_DIM] = ne ? realloc(m->avg, nc * sizeof *na) : NULL;
        if (!ne || !na) return m->failed = 1;
        m->avg = na;
        m->cap = nc;
    }
    m->entry[m->n] = entry_id;
    normalise(avg, m->avg[m->n]);
    m->n++;
    return 0;
}

vigil_status vigil_tmk_matcher_open(vigil_store *st, const char *const *banks, size_t n_banks,
                                    vigil_tmk_matcher **out, vigil_err *err) {
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_matcher_open: NULL argument");
    *out = NULL;
    vigil_tmk_matcher *m = calloc(1, sizeof *m);
    if (!m) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    pthread_mutex_init(&m->mu, NULL);
    vigil__seen_init(&m->seen, TMK_BODIES);
    m->st = st;
    vigil_status rc = vigil_bank_scan_heads(st, VIGIL_SIGNAL_TMK, banks, n_banks, load_tmk, m, err);
    if (rc == VIGIL_OK && m->failed) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the bank videos");
    if (rc != VIGIL_OK) {
        vigil_tmk_matcher_free(m);
        return rc;
    }
    *out = m;
    return VIGIL_OK;
}

void vigil_tmk_match_result_clear(vigil_tmk_match_result *r) {
    if (!r) return;
    VIGIL__MATCHES_FREE(r);
    memset(r, 0, sizeof *r);
}

static int cmp_match(const void *a, const void *b) {
    const vigil_tmk_hit *x = a, *y = b;
    if (x->level2 != y->level2) return x->level2 > y->level2 ? -1 : 1;
    return (x->entry_id > y->entry_id) - (x->entry_id < y->entry_id);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* A match: entry `id`'s bank and labels added to res (an entry removed
 * meanwhile is left out). */
static vigil_status add_hit(vigil_tmk_matcher *m, vigil_tmk_match_result *res, int64_t id, float l1, float l2,
                            vigil_err *err) {
    vigil_entry e;
    pthread_mutex_lock(&m->mu);
    vigil_status rc = vigil__seen_entry(&m->seen, vigil_bank_entry_get(m->st, id, &e, err), id, &e, err);
    pthread_mutex_unlock(&m->mu);
    if (rc == VIGIL_ENOENT) return VIGIL_OK;
    if (rc != VIGIL_OK) return rc;
    vigil_tmk_hit *nm = realloc(res->matches, (res->n + 1) * sizeof *nm);
    if (!nm) {
        vigil_entry_clear(&e);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    res->matches = nm;
    vigil_tmk_hit *x = &res->matches[res->n++];
    memset(x, 0, sizeof *x);
    x->entry_id = id;
    x->bank_id = e.bank_id;
    x->bank_kind = e.bank_kind;
    x->level1 = l1;
    x->level2 = l2;
    x->bank = dup_or_null(e.bank_name);
    x->labels = dup_or_null(e.labels ? e.labels : "");
    x->external_id = dup_or_null(e.external_id);
    if (!x->bank || !x->labels || (e.external_id && !x->external_id))
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_entry_clear(&e);
    return rc;
}

vigil_status vigil_tmk_matcher_query(vigil_tmk_matcher *m, const vigil_tmk *q, float level1, float level2,
                                     vigil_tmk_match_result *res, vigil_err *err) {
    if (!m || !q || !res) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_matcher_query: NULL argument");
    memset(res, 0, sizeof *res);
    float qa[VIGIL_TMK_DIM];
    normalise(q->avg, qa);
    vigil_status rc = VIGIL_OK;
    for (size_t i = 0; i < m->n && rc == VIGIL_OK; i++) {
        float l1 = 0;
        for (int k = 0; k < VIGIL_TMK_DIM; k++) l1 += qa[k] * m->avg[i][k];
        if (!(l1 >= level1)) continue;
        res->candidates++;
        /* level 2 on the full signature, read back from the store */
        uint8_t *bin = NULL;
        size_t nbin = 0;
        pthread_mutex_lock(&m->mu);
        rc = vigil__seen_bytes(&m->seen, vigil_bank_entry_bytes(m->st, m->entry[i], &bin, &nbin, err), m->entry[i],
                               &bin, &nbin, err);
        pthread_mutex_unlock(&m->mu);
        if (rc == VIGIL_ENOENT) { /* removed since the matcher loaded */
            rc = VIGIL_OK;
            continue;
        }
        if (rc == VIGIL_EBUSY) {
            char msg[VIGIL_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            rc = vigil__err_set(err, VIGIL_EBUSY,
                                "bank video %lld is a level-1 candidate and its TMK signature is not in memory: "
                                "level 2 needs the store, which is unreachable (%s); retry",
                                (long long)m->entry[i], msg);
        }
        if (rc != VIGIL_OK) break;
        vigil_tmk *b = NULL;
        vigil_status rb = vigil_tmk_read(bin, nbin, &b, NULL);
        float l2 = rb == VIGIL_OK ? vigil_tmk_level2(q, b) : 0;
        vigil_tmk_free(b);
        if (rb == VIGIL_OK && l2 >= level2) {
            pthread_mutex_lock(&m->mu);
            vigil__seen_keep_bytes(&m->seen, m->entry[i], bin, nbin);
            pthread_mutex_unlock(&m->mu);
            rc = add_hit(m, res, m->entry[i], l1, l2, err);
        }
        free(bin);
    }
    if (rc != VIGIL_OK) {
        vigil_tmk_match_result_clear(res);
        return rc;
    }
    VIGIL__KEEP_ALLOW_ONLY(res);
    if (res->n > 1) qsort(res->matches, res->n, sizeof *res->matches, cmp_match);
    return VIGIL_OK;
}

vigil_status vigil_tmk_matcher_match_json(vigil_tmk_matcher *m, const char *value, const void *data, size_t len,
                                          char **out, vigil_err *err) {
    if (!m || !out || (!value && !data))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_matcher_match_json: NULL argument");
    *out = NULL;
    vigil_tmk *q = NULL;
    vigil_status rc = value ? vigil_tmk_value_parse(value, &q, err) : vigil_tmk_hash_bytes(data, len, NULL, &q, err);
    if (rc != VIGIL_OK) return rc;
    vigil_tmk_match_result r;
    memset(&r, 0, sizeof r);
    rc = vigil_tmk_matcher_query(m, q, VIGIL_TMK_DEFAULT_LEVEL1, VIGIL_TMK_DEFAULT_LEVEL2, &r, err);
    json_t *o = NULL;
    if (rc == VIGIL_OK) {
        char label[40];
        snprintf(label, sizeof label, "%.24s...", value ? value : "");
        json_t *arr = json_array();
        for (size_t i = 0; i < r.n; i++) {
            const vigil_tmk_hit *x = &r.matches[i];
            char *lj = NULL;
            json_t *labels = NULL;
            if (vigil_labels_to_json(x->labels ? x->labels : "", &lj, NULL) == VIGIL_OK) labels = json_loads(lj, 0, NULL);
            free(lj);
            json_array_append_new(arr, json_pack("{s:s, s:I, s:s, s:s, s:f, s:f, s:o, s:s?}", "bank", x->bank, "entry_id",
                                                 (json_int_t)x->entry_id, "bank_kind", vigil_bank_kind_name(x->bank_kind),
                                                 "signal", "tmk", "level1", (double)x->level1, "level2",
                                                 (double)x->level2, "labels", labels ? labels : json_object(),
                                                 "external_id", x->external_id));
        }
        o = json_pack("{s:s, s:s, s:I, s:b, s:I, s:o}", "hash", value ? label : "(video body)", "type", "tmk",
                      "candidates", (json_int_t)r.candidates, "allowed", r.allowed, "suppressed",
                      (json_int_t)r.suppressed, "matches", arr);
    }
    vigil_tmk_match_result_clear(&r);
    vigil_tmk_free(q);
    if (rc != VIGIL_OK) return rc;
    *out = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return *out ? VIGIL_OK : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
}

vigil_status vigil_tmk_match_json(vigil_store *st, const char *value, const void *data, size_t len, char **out,
                                  vigil_err *err) {
    if (!st || !out || (!value && !data)) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_match_json: NULL argument");
    *out = NULL;
    vigil_tmk_matcher *m = NULL;
    vigil_status rc = vigil_tmk_matcher_open(st, NULL, 0, &m, err);
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_match_json(m, value, data, len, out, err);
    vigil_tmk_matcher_free(m);
    return rc;
}
