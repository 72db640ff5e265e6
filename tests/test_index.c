/*
 * tests/test_index.c - the PDQ index against brute force: every strategy,
 * random and clustered data, radii from 0 to 256, adds after the build,
 * removals, batches, thousands of entries under one value; and the scan
 * kernels against the portable one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/index_internal.h"
#include "index/scan.h"
#include "test.h"
#include "vigil/index.h"

static uint64_t rs = 88172645463325252ull;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static void random_hash(vigil_pdq *h) {
    for (int k = 0; k < 4; k++) {
        uint64_t w = rnd();
        memcpy(h->bytes + 8 * k, &w, 8);
    }
}

static void flip_bits(vigil_pdq *h, int nbits) {
    for (int i = 0; i < nbits; i++) {
        int b = (int)(rnd() % 256);
        h->bytes[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}

/* n hashes: random, or with every `cluster`-th one a near copy (0-31 bits)
 * of an earlier one when cluster > 0. */
static vigil_pdq *make_hashes(size_t n, int cluster) {
    vigil_pdq *h = malloc(n * sizeof *h);
    if (!h) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (cluster && i > 0 && i % (size_t)cluster == 0) {
            h[i] = h[rnd() % i];
            flip_bits(&h[i], (int)(rnd() % 32));
        } else {
            random_hash(&h[i]);
        }
    }
    return h;
}

typedef struct collect {
    int64_t *ids;
    int *dist;
    size_t n, cap;
    int dup;
} collect;

static int on_hit(void *ctx, const vigil_index_hit *hit) {
    collect *c = ctx;
    if (c->n < c->cap) {
        c->ids[c->n] = hit->id;
        c->dist[c->n] = hit->distance;
    }
    c->n++;
    return 0;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Compare one query's results with brute force over live[]: same set, each once. */
static int check_query(vigil_index *idx, const vigil_pdq *h, const int64_t *ids,
                       const unsigned char *live, size_t n, const vigil_pdq *q, int D) {
    int64_t want[4096], got[4096];
    int gd[4096];
    size_t nw = 0;
    for (size_t i = 0; i < n; i++)
        if (live[i] && vigil_pdq_distance(&h[i], q) <= D && nw < 4096) want[nw++] = ids[i];
    collect c = {got, gd, 0, 4096, 0};
    if (vigil_index_query(idx, q, D, on_hit, &c, NULL) != VIGIL_OK) return 0;
    if (c.n != nw) {
        printf("    D=%d: index found %zu, brute force %zu\n", D, c.n, nw);
        return 0;
    }
    qsort(want, nw, sizeof *want, cmp_i64);
    qsort(got, c.n, sizeof *got, cmp_i64);
    for (size_t i = 0; i < nw; i++) {
        if (want[i] != got[i]) {
            printf("    D=%d: result sets differ\n", D);
            return 0;
        }
    }
    return 1;
}

static void run_recall(int cluster, vigil_index_strategy strat) {
    const size_t n = 60000;
    vigil_pdq *h = make_hashes(n, cluster);
    int64_t *ids = malloc(n * sizeof *ids);
    unsigned char *live = malloc(n);
    vigil_index *idx = NULL;
    vigil_err err;
    CHECK(h && ids && live);
    for (size_t i = 0; i < n; i++) {
        ids[i] = (int64_t)(i * 7 + 1000);
        live[i] = 1;
    }
    CHECK_OK(vigil_index_new(&idx, &err), &err);
    vigil_index_set_strategy(idx, strat);
    /* one big add (built), then small adds (pending) */
    CHECK_OK(vigil_index_add(idx, h, ids, 50000, &err), &err);
    for (size_t i = 50000; i < n; i += 1000) CHECK_OK(vigil_index_add(idx, h + i, ids + i, 1000, &err), &err);
    CHECK_INT(vigil_index_size(idx), ==, n);
    /* remove some built and some pending entries */
    for (size_t i = 0; i < n; i += 97) {
        CHECK_INT(vigil_index_remove(idx, ids[i], &h[i]), ==, 1);
        live[i] = 0;
    }
    CHECK_INT(vigil_index_remove(idx, ids[0], &h[0]), ==, 0); /* already gone */
    CHECK_INT(vigil_index_remove(idx, 424242, &h[1]), ==, 0);  /* wrong id */
    static const int radii[] = {0, 1, 8, 15, 16, 17, 31, 32, 40, 47, 64};
    int ok = 1;
    for (int qi = 0; qi < 40 && ok; qi++) {
        vigil_pdq q;
        if (qi % 2) {
            random_hash(&q);
        } else {
            q = h[rnd() % n];
            flip_bits(&q, (int)(rnd() % 32));
        }
        for (size_t r = 0; r < sizeof radii / sizeof radii[0] && ok; r++)
            ok = check_query(idx, h, ids, live, n, &q, radii[r]);
    }
    vigil_index_free(idx);
    free(h);
    free(ids);
    free(live);
    CHECK(ok);
}

static void t_recall_random_auto(void) { run_recall(0, VIGIL_INDEX_AUTO); }
static void t_recall_random_mih(void) { run_recall(0, VIGIL_INDEX_MIH); }
static void t_recall_random_scan(void) { run_recall(0, VIGIL_INDEX_SCAN); }
static void t_recall_clustered_auto(void) { run_recall(10, VIGIL_INDEX_AUTO); }
static void t_recall_clustered_mih(void) { run_recall(10, VIGIL_INDEX_MIH); }

/* Exact duplicates and a radius of 256 (everything). */
static void t_duplicates_and_extremes(void) {
    vigil_pdq h[300];
    int64_t ids[300];
    for (int i = 0; i < 300; i++) {
        random_hash(&h[i]);
        if (i >= 100 && i < 200) h[i] = h[0]; /* 101 copies of h[0] */
        ids[i] = i;
    }
    vigil_index *idx = NULL;
    vigil_err err;
    CHECK_OK(vigil_index_new(&idx, &err), &err);
    vigil_status st = vigil_index_add(idx, h, ids, 300, &err);
    size_t n = 0;
    vigil_index_hit hits[400];
    if (st == VIGIL_OK) st = vigil_index_query_buf(idx, &h[0], 0, hits, 400, &n, &err);
    size_t all = 0;
    if (st == VIGIL_OK) st = vigil_index_query_buf(idx, &h[5], 256, hits, 400, &all, &err);
    size_t few = 0;
    if (st == VIGIL_OK) st = vigil_index_query_buf(idx, &h[5], 256, hits, 10, &few, &err);
    vigil_status bad = vigil_index_query_buf(idx, &h[0], 257, hits, 400, &n, &err);
    vigil_index_free(idx);
    CHECK_OK(st, &err);
    CHECK_INT(n, ==, 101);
    CHECK_INT(all, ==, 300);
    CHECK_INT(few, ==, 300); /* total reported even when the buffer is smaller */
    CHECK_INT(bad, ==, VIGIL_EINVAL);
    CHECK(strstr(err.msg, "257") != NULL);
}

/* Many entries under one value (issue 10: exact copies under different
 * ids), in the built tables and in the pending area: every strategy
 * reports each entry once, removing one copy leaves the others. */
static int cmp_hit_id(const void *a, const void *b) {
    int64_t x = ((const vigil_index_hit *)a)->id, y = ((const vigil_index_hit *)b)->id;
    return (x > y) - (x < y);
}

static void t_many_entries_per_value(void) {
    const size_t n = 40000, extra = 500, cap = 8000;
    vigil_pdq *h = make_hashes(n + extra, 0);
    int64_t *ids = malloc((n + extra) * sizeof *ids);
    vigil_index_hit *hits = malloc(cap * sizeof *hits);
    CHECK(h && ids && hits);
    /* 3000 copies of h[0] among the first n, 500 more added after the build */
    for (size_t i = 0; i < n + extra; i++) {
        ids[i] = (int64_t)i + 1;
        if ((i > 0 && i < n && i % 13 == 0) || i >= n) h[i] = h[0];
    }
    vigil_index *idx = NULL;
    vigil_err err;
    vigil_status st = vigil_index_new(&idx, &err);
    if (st == VIGIL_OK) st = vigil_index_add(idx, h, ids, n, &err);
    if (st == VIGIL_OK) st = vigil_index_add(idx, h + n, ids + n, extra, &err);
    int bad = 0, removed = 0;
    static const vigil_index_strategy strat[3] = {VIGIL_INDEX_AUTO, VIGIL_INDEX_MIH, VIGIL_INDEX_SCAN};
    static const int radii[3] = {0, 12, 31};
    for (int round = 0; round < 2 && st == VIGIL_OK; round++) {
        if (round == 1) /* remove every other copy among the first 2000 rows */
            for (size_t i = 13; i < 2000; i += 26) removed += vigil_index_remove(idx, ids[i], &h[i]);
        for (int s = 0; s < 3 && st == VIGIL_OK; s++) {
            vigil_index_set_strategy(idx, strat[s]);
            for (int r = 0; r < 3 && st == VIGIL_OK; r++) {
                vigil_pdq q = h[0];
                flip_bits(&q, radii[r] / 2);
                size_t got = 0;
                st = vigil_index_query_buf(idx, &q, radii[r], hits, cap, &got, &err);
                if (st != VIGIL_OK || got > cap) break;
                qsort(hits, got, sizeof *hits, cmp_hit_id);
                /* brute force over the rows, minus the removed ones */
                size_t want = 0, k = 0;
                int same = 1;
                for (size_t i = 0; i < n + extra; i++) {
                    int gone = round == 1 && i >= 13 && i < 2000 && (i - 13) % 26 == 0;
                    int d = vigil_pdq_distance(&q, &h[i]);
                    if (gone || d > radii[r]) continue;
                    want++;
                    if (k >= got || hits[k].id != ids[i] || hits[k].distance != d) same = 0;
                    k++;
                }
                if (!same || got != want) {
                    printf("    round %d strategy %d radius %d: %zu hits, brute force %zu\n", round, s, radii[r], got, want);
                    bad++;
                }
            }
        }
    }
    vigil_index_free(idx);
    free(h);
    free(ids);
    free(hits);
    CHECK_OK(st, &err);
    CHECK_INT(removed, ==, 77);
    CHECK_INT(bad, ==, 0);
}

typedef struct bcollect {
    size_t count[64];
} bcollect;

static int on_batch(void *ctx, size_t q, const vigil_index_hit *hit) {
    (void)hit;
    ((bcollect *)ctx)->count[q]++;
    return 0;
}

static void t_batch_matches_single(void) {
    const size_t n = 30000;
    vigil_pdq *h = make_hashes(n, 5), qs[64];
    int64_t *ids = malloc(n * sizeof *ids);
    CHECK(h && ids);
    for (size_t i = 0; i < n; i++) ids[i] = (int64_t)i;
    for (int i = 0; i < 64; i++) {
        qs[i] = h[rnd() % n];
        flip_bits(&qs[i], i % 40);
    }
    vigil_index *idx = NULL;
    vigil_err err;
    CHECK_OK(vigil_index_new(&idx, &err), &err);
    vigil_status st = vigil_index_add(idx, h, ids, n, &err);
    int ok = 1;
    static const int radii[] = {10, 31, 64, 90};
    for (int r = 0; r < 4 && st == VIGIL_OK; r++) {
        bcollect b;
        memset(&b, 0, sizeof b);
        st = vigil_index_query_batch(idx, qs, 64, radii[r], on_batch, &b, &err);
        for (int i = 0; i < 64 && st == VIGIL_OK; i++) {
            size_t single = 0;
            st = vigil_index_query_buf(idx, &qs[i], radii[r], NULL, 0, &single, &err);
            if (single != b.count[i]) ok = 0;
        }
    }
    vigil_index_free(idx);
    free(h);
    free(ids);
    CHECK_OK(st, &err);
    CHECK(ok);
}

/* Each scan kernel (whichever this CPU runs) equals the portable one. */
static void t_scan_kernels(void) {
    const size_t n = 5003;
    vigil_pdq *h = aligned_alloc(64, 5056 * sizeof *h);
    CHECK(h);
    for (size_t i = 0; i < n; i++) {
        random_hash(&h[i]);
        if (i % 3 == 0) {
            h[i] = h[0];
            flip_bits(&h[i], (int)(i % 70));
        }
    }
    uint32_t p1[5003], p2[5003];
    uint16_t d1[5003], d2[5003];
    vigil__scan_fn best = vigil__scan_best();
    int ok = 1;
    for (int D = 0; D <= 256 && ok; D += 9) {
        size_t a = vigil__scan_portable(h, n, &h[0], D, p1, d1);
        size_t b = best(h, n, &h[0], D, p2, d2);
        if (a != b) ok = 0;
        /* same set; order may differ within a step of 8 */
        for (size_t i = 0; i < a && ok; i++) {
            size_t j = 0;
            while (j < b && p2[j] != p1[i]) j++;
            if (j == b || d2[j] != d1[i]) ok = 0;
        }
    }
    free(h);
    if (!ok) printf("    kernel %s differs from the portable one\n", vigil__scan_best_name());
    CHECK(ok);
}

/* Adds while a snapshot view pins the index go to new shards; once it is
 * let go, the small shards fold back into one, and every query still
 * finds exactly what brute force finds. */
static void t_pinned_adds_fold(void) {
    vigil_index *idx = NULL;
    vigil_err err;
    const size_t n0 = 5000, n = 9000;
    vigil_pdq *h = make_hashes(n, 1);
    int64_t *ids = malloc(n * sizeof *ids);
    CHECK(h && ids);
    for (size_t i = 0; i < n; i++) ids[i] = (int64_t)i + 1;
    CHECK_OK(vigil_index_new(&idx, &err), &err);
    CHECK_OK(vigil_index_add(idx, h, ids, n0, &err), &err);
    for (int round = 0; round < 4; round++) {
        vigil__index_view *v = vigil__index_pin(idx);
        CHECK(v != NULL);
        for (size_t i = n0 + (size_t)round * 1000; i < n0 + (size_t)(round + 1) * 1000; i += 100)
            CHECK_OK(vigil_index_add(idx, h + i, ids + i, 100, &err), &err);
        (void)vigil_index_remove(idx, ids[round * 7], &h[round * 7]);
        vigil__index_unpin(v);
    }
    CHECK_INT(vigil_index_size(idx), ==, n - 4);
    for (size_t q = 0; q < 200; q++) {
        vigil_pdq qh = h[(q * 37) % n];
        flip_bits(&qh, (int)(q % 20));
        size_t found = 0, want = 0;
        CHECK_OK(vigil_index_query_buf(idx, &qh, 31, NULL, 0, &found, &err), &err);
        for (size_t i = 0; i < n; i++) {
            int dead = i < 28 && i % 7 == 0 && i / 7 < 4;
            if (!dead && vigil_pdq_distance(&qh, &h[i]) <= 31) want++;
        }
        CHECK_INT(found, ==, want);
    }
    vigil_index_free(idx);
    free(h);
    free(ids);
}

const test_case suite_index[] = {
    {"index/pinned_adds_fold", t_pinned_adds_fold},
    {"index/recall_random_auto", t_recall_random_auto},
    {"index/recall_random_mih", t_recall_random_mih},
    {"index/recall_random_scan", t_recall_random_scan},
    {"index/recall_clustered_auto", t_recall_clustered_auto},
    {"index/recall_clustered_mih", t_recall_clustered_mih},
    {"index/duplicates_and_extremes", t_duplicates_and_extremes},
    {"index/many_entries_per_value", t_many_entries_per_value},
    {"index/batch_matches_single", t_batch_matches_single},
    {"index/scan_kernels", t_scan_kernels},
    {NULL, NULL},
};
