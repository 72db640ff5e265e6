/*
 * src/text/lsh.c - the LSH (banding) index over MinHash signatures: each
 * signature is cut into bands of r values; per band, a table of
 * (32-bit band key, signature number) sorted by key.  A query looks up its
 * own key in every band, then compares the candidates in full.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "text/text_internal.h"

#define MAX_ROWS 8
#define TARGET_RECALL 0.99

struct vigil_text_index {
    double min_sim;
    int rows, bands;
    size_t n, cap;
    vigil_text_sig *sigs;
    int64_t *ids;
    uint64_t *tab; /* bands * n entries: key << 32 | signature number */
};

/* r: the most values per band for which a pair at similarity s is still a
 * candidate with probability >= TARGET_RECALL: 1 - (1 - s^r)^(128/r). */
static int choose_rows(double s) {
    for (int r = MAX_ROWS; r > 1; r--) {
        int b = VIGIL_MINHASH_N / r;
        if (1.0 - pow(1.0 - pow(s, r), b) >= TARGET_RECALL) return r;
    }
    return 1;
}

static uint32_t band_key(const vigil_text_sig *s, int band, int rows) {
    uint64_t h = (uint64_t)(band + 1) * 0x9E3779B97F4A7C15ULL;
    for (int j = 0; j < rows; j++) h = vigil__mix64(h ^ s->v[band * rows + j]);
    return (uint32_t)(h >> 32);
}

int vigil__text_band_keys(const vigil_text_sig *s, double min_similarity,
                          int64_t keys[VIGIL_MINHASH_N]) {
    int rows = choose_rows(min_similarity), bands = VIGIL_MINHASH_N / rows;
    for (int b = 0; b < bands; b++) keys[b] = (int64_t)b << 32 | band_key(s, b, rows);
    return bands;
}

vigil_status vigil_text_index_new(double min_similarity, vigil_text_index **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_index_new: NULL argument");
    *out = NULL;
    if (!(min_similarity > 0.0 && min_similarity <= 1.0))
        return vigil__err_set(err, VIGIL_EINVAL, "similarity %g is outside 0..1 (0 excluded)",
                              min_similarity);
    vigil_text_index *ix = calloc(1, sizeof *ix);
    if (!ix) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    ix->min_sim = min_similarity;
    ix->rows = choose_rows(min_similarity);
    ix->bands = VIGIL_MINHASH_N / ix->rows;
    *out = ix;
    return VIGIL_OK;
}

void vigil_text_index_free(vigil_text_index *ix) {
    if (!ix) return;
    free(ix->sigs);
    free(ix->ids);
    free(ix->tab);
    free(ix);
}

size_t vigil_text_index_size(const vigil_text_index *ix) { return ix ? ix->n : 0; }

int vigil_text_index_rows(const vigil_text_index *ix) { return ix ? ix->rows : 0; }

/* LSD radix sort of v[0..n) by the upper 32 bits, 8 bits a pass. */
static void sort_by_key(uint64_t *v, uint64_t *tmp, size_t n) {
    for (int shift = 32; shift < 64; shift += 8) {
        size_t count[257];
        memset(count, 0, sizeof count);
        for (size_t i = 0; i < n; i++) count[((v[i] >> shift) & 0xFF) + 1]++;
        for (int d = 0; d < 256; d++) count[d + 1] += count[d];
        for (size_t i = 0; i < n; i++) tmp[count[(v[i] >> shift) & 0xFF]++] = v[i];
        memcpy(v, tmp, n * sizeof *v);
    }
}

vigil_status vigil_text_index_add(vigil_text_index *ix, const vigil_text_sig *sigs,
                                  const int64_t *ids, size_t n, vigil_err *err) {
    if (!ix || (n && (!sigs || !ids)))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_index_add: NULL argument");
    if (n == 0) return VIGIL_OK;
    size_t total = ix->n + n;
    if (total > UINT32_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "text index: more than %u signatures",
                              (unsigned)UINT32_MAX);
    if (total > ix->cap) {
        size_t ncap = vigil__grow_cap(ix->cap, total, 1024, 0);
        vigil_text_sig *ns = ncap ? vigil__realloc_n(ix->sigs, ncap, sizeof *ns) : NULL;
        if (!ns) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        ix->sigs = ns;
        int64_t *ni = vigil__realloc_n(ix->ids, ncap, sizeof *ni);
        if (!ni) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        ix->ids = ni;
        ix->cap = ncap;
    }
    uint64_t *tab = malloc((size_t)ix->bands * total * sizeof *tab);
    uint64_t *tmp = malloc(total * sizeof *tmp);
    if (!tab || !tmp) {
        free(tab);
        free(tmp);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory building the text index");
    }
    memcpy(ix->sigs + ix->n, sigs, n * sizeof *sigs);
    memcpy(ix->ids + ix->n, ids, n * sizeof *ids);
    for (int b = 0; b < ix->bands; b++) {
        uint64_t *t = tab + (size_t)b * total;
        for (size_t i = 0; i < total; i++)
            t[i] = (uint64_t)band_key(&ix->sigs[i], b, ix->rows) << 32 | (uint64_t)i;
        sort_by_key(t, tmp, total);
    }
    free(tmp);
    free(ix->tab);
    ix->tab = tab;
    ix->n = total;
    return VIGIL_OK;
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static int cmp_hit(const void *a, const void *b) {
    const vigil_text_hit *x = a, *y = b;
    if (x->similarity != y->similarity) return x->similarity < y->similarity ? 1 : -1;
    return (x->id > y->id) - (x->id < y->id);
}

vigil_status vigil_text_index_query(const vigil_text_index *ix, const vigil_text_sig *q,
                                    double min_similarity, vigil_text_hit **hits, size_t *n,
                                    vigil_err *err) {
    if (!ix || !q || !hits || !n)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_index_query: NULL argument");
    *hits = NULL;
    *n = 0;
    if (ix->n == 0) return VIGIL_OK;
    uint32_t *cand = NULL;
    size_t nc = 0, cc = 0;
    for (int b = 0; b < ix->bands; b++) {
        const uint64_t *t = ix->tab + (size_t)b * ix->n;
        uint32_t key = band_key(q, b, ix->rows);
        size_t lo = 0, hi = ix->n;
        while (lo < hi) { /* first entry with key >= key */
            size_t mid = lo + (hi - lo) / 2;
            if ((uint32_t)(t[mid] >> 32) < key)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (; lo < ix->n && (uint32_t)(t[lo] >> 32) == key; lo++) {
            if (nc == cc) {
                size_t ncc = vigil__grow_cap(cc, nc + 1, 64, 0);
                uint32_t *nw = ncc ? vigil__realloc_n(cand, ncc, sizeof *nw) : NULL;
                if (!nw) {
                    free(cand);
                    return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
                }
                cand = nw;
                cc = ncc;
            }
            cand[nc++] = (uint32_t)t[lo];
        }
    }
    if (nc == 0) return VIGIL_OK;
    qsort(cand, nc, sizeof *cand, cmp_u32);
    vigil_text_hit *h = NULL;
    size_t nh = 0, ch = 0;
    for (size_t i = 0; i < nc; i++) {
        if (i && cand[i] == cand[i - 1]) continue;
        double s = vigil_text_similarity(q, &ix->sigs[cand[i]]);
        if (s < min_similarity) continue;
        if (nh == ch) {
            size_t nch = vigil__grow_cap(ch, nh + 1, 8, 0);
            vigil_text_hit *nw = nch ? vigil__realloc_n(h, nch, sizeof *nw) : NULL;
            if (!nw) {
                free(h);
                free(cand);
                return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            }
            h = nw;
            ch = nch;
        }
        h[nh].id = ix->ids[cand[i]];
        h[nh].similarity = s;
        nh++;
    }
    free(cand);
    if (nh > 1) qsort(h, nh, sizeof *h, cmp_hit);
    *hits = h;
    *n = nh;
    return VIGIL_OK;
}
