/*
 * src/match/text_match.c - the text matcher: loads the banks' text entries
 * (MinHash signatures) into an LSH index and answers queries with the
 * similarity threshold and the allow-bank rule.  Like the video and TMK
 * matchers it is loaded whole (no change log: a bank change means a new
 * matcher) and keeps copies of the entries it found (match/seen.h), which
 * answer for them only while the store is unreachable (VIGIL_EBUSY).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "match/allow.h"
#include "match/seen.h"
#include "text/text_internal.h"

struct vigil_text_matcher {
    vigil_store *st;
    pthread_mutex_t mu; /* the store serves one thread at a time (and guards seen) */
    vigil__seen seen;   /* the entries found lately, for an outage (seen.h) */
    vigil_text_index *ix;
    double min_sim;
};

void vigil_text_match_opts_init(vigil_text_match_opts *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->min_similarity = VIGIL_TEXT_DEFAULT_MIN_SIMILARITY;
}

void vigil_text_match_result_clear(vigil_text_match_result *r) {
    if (!r) return;
    VIGIL__MATCHES_FREE(r);
    memset(r, 0, sizeof *r);
}

typedef struct load_ctx {
    vigil_text_sig *sigs;
    int64_t *ids;
    size_t n, cap;
    int failed;
} load_ctx;

static int load_one(void *ctx, int64_t entry_id, int64_t bank_id, const char *value) {
    (void)bank_id;
    load_ctx *c = ctx;
    if (c->n == c->cap) {
        size_t ncap = vigil__grow_cap(c->cap, c->n + 1, 1024, 0);
        vigil_text_sig *s = ncap ? vigil__realloc_n(c->sigs, ncap, sizeof *s) : NULL;
        if (!s) return c->failed = 1;
        c->sigs = s;
        int64_t *ids = vigil__realloc_n(c->ids, ncap, sizeof *ids);
        if (!ids) return c->failed = 1;
        c->ids = ids;
        c->cap = ncap;
    }
    /* values stored before text signatures were defined are skipped */
    if (vigil_text_sig_parse(value, &c->sigs[c->n], NULL) != VIGIL_OK) return 0;
    c->ids[c->n++] = entry_id;
    return 0;
}

void vigil_text_matcher_free(vigil_text_matcher *m) {
    if (!m) return;
    vigil_text_index_free(m->ix);
    vigil__seen_free(&m->seen);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

vigil_status vigil_text_matcher_open(vigil_store *st, const vigil_text_match_opts *opts,
                                     vigil_text_matcher **out, vigil_err *err) {
    if (!st || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_matcher_open: NULL argument");
    *out = NULL;
    vigil_text_match_opts o;
    if (opts)
        o = *opts;
    else
        vigil_text_match_opts_init(&o);
    if (o.min_similarity <= 0) o.min_similarity = VIGIL_TEXT_DEFAULT_MIN_SIMILARITY;
    if (o.min_similarity > 1)
        return vigil__err_set(err, VIGIL_EINVAL, "similarity %g is outside 0..1", o.min_similarity);
    vigil_text_matcher *m = calloc(1, sizeof *m);
    if (!m) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    pthread_mutex_init(&m->mu, NULL);
    vigil__seen_init(&m->seen, 0); /* entries only: a text's signature is in the index */
    m->st = st;
    m->min_sim = o.min_similarity;
    load_ctx lc;
    memset(&lc, 0, sizeof lc);
    vigil_status rc = vigil_text_index_new(o.min_similarity, &m->ix, err);
    if (rc == VIGIL_OK)
        rc = vigil_bank_scan(st, VIGIL_SIGNAL_TEXT, o.banks, o.n_banks, load_one, &lc, err);
    if (rc == VIGIL_OK && lc.failed)
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the banks");
    if (rc == VIGIL_OK) rc = vigil_text_index_add(m->ix, lc.sigs, lc.ids, lc.n, err);
    free(lc.sigs);
    free(lc.ids);
    if (rc != VIGIL_OK) {
        vigil_text_matcher_free(m);
        return rc;
    }
    *out = m;
    return VIGIL_OK;
}

size_t vigil_text_matcher_entries(const vigil_text_matcher *m) {
    return m ? vigil_text_index_size(m->ix) : 0;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Append the entry of `hit` (looked up in the store; while it is
 * unreachable, its copy from an earlier hit) to res.  Caller holds m->mu. */
static vigil_status add_match(vigil_text_matcher *m, const vigil_text_hit *hit,
                              vigil_text_match_result *res, vigil_err *err) {
    vigil_entry e;
    vigil_status rc =
        vigil__seen_entry(&m->seen, vigil_bank_entry_get(m->st, hit->id, &e, err), hit->id, &e, err);
    if (rc == VIGIL_ENOENT) return VIGIL_OK; /* removed since the matcher loaded */
    if (rc != VIGIL_OK) return rc;
    vigil_text_match *nm = realloc(res->matches, (res->n + 1) * sizeof *nm);
    if (!nm) {
        vigil_entry_clear(&e);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    res->matches = nm;
    vigil_text_match *x = &res->matches[res->n++];
    x->entry_id = e.id;
    x->bank_id = e.bank_id;
    x->bank = dup_or_null(e.bank_name);
    x->bank_kind = e.bank_kind;
    x->similarity = hit->similarity;
    x->labels = dup_or_null(e.labels ? e.labels : "");
    x->external_id = dup_or_null(e.external_id);
    if (!x->bank || !x->labels || (e.external_id && !x->external_id))
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_entry_clear(&e);
    return rc;
}

vigil_status vigil_text_matcher_match(vigil_text_matcher *m, const vigil_text_sig *q,
                                      vigil_text_match_result *res, vigil_err *err) {
    if (!m || !q || !res)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_matcher_match: NULL argument");
    memset(res, 0, sizeof *res);
    vigil_text_hit *hits = NULL;
    size_t nh = 0;
    vigil_status rc = vigil_text_index_query(m->ix, q, m->min_sim, &hits, &nh, err);
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < nh && rc == VIGIL_OK; i++) rc = add_match(m, &hits[i], res, err);
    pthread_mutex_unlock(&m->mu);
    free(hits);
    if (rc != VIGIL_OK) {
        vigil_text_match_result_clear(res);
        return rc;
    }
    /* an allow entry matched: keep only the allow entries (order kept) */
    VIGIL__KEEP_ALLOW_ONLY(res);
    return VIGIL_OK;
}
