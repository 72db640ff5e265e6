/*
 * bench/bench_index.c - vigil's PDQ index against its peers in one run:
 * a brute-force popcount loop (-O3 -march=native) and, when built with it,
 * Debian's Faiss (IndexBinaryFlat, IndexBinaryMultiHash).  Random and
 * clustered hashes; queries half near-copies (0-31 bits flipped), half
 * random.  Reports build time, memory, queries/s on 1 and 2 threads, recall.
 * With --images DIR (default: Tux Paint's stamps when installed, Debian
 * package tuxpaint-stamps-default), it also hashes up to 3000 real pictures
 * of at least 128x128 (transparent ones composited onto white) and an
 * edited copy of each (resized to 70% bilinear, JPEG quality 50), and reports
 * the distances between copies and originals and between unrelated pictures
 * (to choose a threshold), and the index's speed on such hashes.
 * Exact copies: the same hash under several entry ids (1 in 10 rows, or
 * 1 in K with --copies-every K), one index slot per entry against one slot
 * per distinct value with entry lists (--copies-only runs just that,
 * --no-copies skips it).
 * Usage: bench-index [--quick] [--n N]... [--faiss-full] [--images DIR]
 *        [--no-copies] [--copies-only] [--copies-every K]
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "imggen.h"
#include "index/scan.h"
#include "vigil/hash.h"
#include "vigil/index.h"

size_t peer_brute_query(const uint8_t *hashes, size_t n, const uint8_t *q, int maxd);
#ifndef VIGIL_BENCH_NO_FAISS
void *peer_faiss_flat(const uint8_t *hashes, size_t n);
void *peer_faiss_multihash(const uint8_t *hashes, size_t n, int nhash, int b, int nflip);
size_t peer_faiss_range(void *index, const uint8_t *q, int maxd);
void peer_faiss_free(void *index);
#endif

static uint64_t rs = 0x9E3779B97F4A7C15ull;
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

static void flip(vigil_pdq *h, int nbits) {
    for (int i = 0; i < nbits; i++) {
        int b = (int)(rnd() % 256);
        h->bytes[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}

typedef struct qctx {
    const vigil_index *idx;
    const vigil_pdq *qs;
    size_t from, to;
    int D;
    size_t found;
} qctx;

static int count_cb(void *ctx, const vigil_index_hit *hit) {
    (void)hit;
    ++*(size_t *)ctx;
    return 0;
}

static void *run_queries(void *p) {
    qctx *c = p;
    for (size_t i = c->from; i < c->to; i++) vigil_index_query(c->idx, &c->qs[i], c->D, count_cb, &c->found, NULL);
    return NULL;
}

/* queries/s of vigil on `threads` threads */
static double vigil_qps(const vigil_index *idx, const vigil_pdq *qs, size_t nq, int D, int threads,
                        size_t *found) {
    pthread_t t[2];
    qctx c[2];
    double t0 = bench_now();
    for (int i = 0; i < threads; i++) {
        c[i] = (qctx){idx, qs, nq * (size_t)i / (size_t)threads, nq * (size_t)(i + 1) / (size_t)threads, D, 0};
        pthread_create(&t[i], NULL, run_queries, &c[i]);
    }
    size_t f = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        f += c[i].found;
    }
    if (found) *found = f;
    return (double)nq / (bench_now() - t0);
}

static int batch_cb(void *ctx, size_t q, const vigil_index_hit *hit) {
    (void)q;
    (void)hit;
    ++*(size_t *)ctx;
    return 0;
}

static void bench_config(size_t n, int clustered, int faiss_full) {
    printf("\n== %zu hashes, %s ==\n", n, clustered ? "clustered (1 in 10 a near-copy of another)" : "random");
    vigil_pdq *h = aligned_alloc(64, (n + 64) * sizeof *h);
    int64_t *ids = malloc(n * sizeof *ids);
    if (!h || !ids) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = (int64_t)i;
        if (clustered && i > 0 && i % 10 == 0) {
            h[i] = h[rnd() % i];
            flip(&h[i], (int)(rnd() % 32));
        } else {
            random_hash(&h[i]);
        }
    }
    const size_t nq = 2000;
    vigil_pdq *qs = malloc(nq * sizeof *qs);
    for (size_t i = 0; i < nq; i++) {
        if (i % 2 == 0) {
            qs[i] = h[rnd() % n];
            flip(&qs[i], (int)(rnd() % 32));
        } else {
            random_hash(&qs[i]);
        }
    }

    /* vigil */
    double m0 = bench_rss_mb();
    vigil_index *idx = NULL;
    vigil_index_new(&idx, NULL);
    double t0 = bench_now();
    if (vigil_index_add(idx, h, ids, n, NULL) != VIGIL_OK) {
        fprintf(stderr, "index add failed\n");
        exit(1);
    }
    double build = bench_now() - t0;
    double mem = (double)vigil_index_memory(idx);
    printf("vigil index: build %.2f s, memory %.0f MB = %.1f bytes/hash (RSS +%.0f MB), scan kernel %s\n",
           build, mem / 1e6, mem / (double)n, bench_rss_mb() - m0, vigil__scan_best_name());

    /* recall against brute force on a subset */
    const size_t nrec = n >= 5000000 ? 60 : 200;
    static const int rec_radii[] = {16, 31, 64};
    for (int r = 0; r < 3; r++) {
        size_t want = 0, got = 0, exact = 0;
        for (size_t i = 0; i < nrec; i++) {
            size_t w = peer_brute_query(h[0].bytes, n, qs[i].bytes, rec_radii[r]), g = 0;
            vigil_index_query(idx, &qs[i], rec_radii[r], count_cb, &g, NULL);
            want += w;
            got += g;
            exact += w == g;
        }
        printf("  recall d<=%-3d %zu/%zu queries exact, %zu of %zu matches found (%.2f%%)\n", rec_radii[r],
               exact, nrec, got, want, want ? 100.0 * (double)got / (double)want : 100.0);
    }

    size_t found;
    static const int radii[] = {16, 31};
    for (int r = 0; r < 2; r++) {
        double q1 = vigil_qps(idx, qs, nq, radii[r], 1, &found);
        double q2 = vigil_qps(idx, qs, nq, radii[r], 2, NULL);
        printf("  vigil      d<=%-3d %9.0f q/s (1 thread) %9.0f q/s (2 threads)  [%zu matches]\n", radii[r],
               q1, q2, found);
    }
    /* large radius: the batched scan */
    {
        const size_t nb = n >= 5000000 ? 256 : 1024;
        size_t f = 0;
        double tb = bench_now();
        for (size_t b = 0; b < nb; b += 64) vigil_index_query_batch(idx, qs + b, 64, 64, batch_cb, &f, NULL);
        double qps = (double)nb / (bench_now() - tb);
        printf("  vigil      d<=64  %9.0f q/s (1 thread, batches of 64: the scan path)\n", qps);
        double q1 = vigil_qps(idx, qs, nq / 8, 64, 1, NULL);
        printf("  vigil      d<=64  %9.0f q/s (1 thread, one query at a time)\n", q1);
    }

    /* brute force */
    {
        const size_t nb = n >= 5000000 ? 40 : 200;
        double tb = bench_now();
        size_t f = 0;
        for (size_t i = 0; i < nb; i++) f += peer_brute_query(h[0].bytes, n, qs[i].bytes, 31);
        double qps = (double)nb / (bench_now() - tb);
        double v = vigil_qps(idx, qs, nq, 31, 1, NULL);
        printf("  brute force d<=31 %9.1f q/s (1 thread, -O3 -march=native)   vigil is %.0fx faster\n", qps,
               v / qps);
    }
#ifndef VIGIL_BENCH_NO_FAISS
    {
        double mf = bench_rss_mb();
        double tf = bench_now();
        void *flat = peer_faiss_flat(h[0].bytes, n);
        double bflat = bench_now() - tf;
        const size_t nb = n >= 5000000 ? 10 : 60;
        tf = bench_now();
        for (size_t i = 0; i < nb; i++) peer_faiss_range(flat, qs[i].bytes, 31);
        double qps = (double)nb / (bench_now() - tf);
        printf("  faiss IndexBinaryFlat       d<=31 %9.1f q/s, build %.2f s, RSS +%.0f MB\n", qps, bflat,
               bench_rss_mb() - mf);
        peer_faiss_free(flat);
        static const int cfg[2][3] = {{16, 16, 1}, {8, 32, 3}};
        for (int c = 0; c < 2; c++) {
            if (n >= 5000000 && !faiss_full) {
                printf("  faiss IndexBinaryMultiHash %dx%d nflip %d: skipped at this size (--faiss-full)\n",
                       cfg[c][0], cfg[c][1], cfg[c][2]);
                continue;
            }
            mf = bench_rss_mb();
            tf = bench_now();
            void *mh = peer_faiss_multihash(h[0].bytes, n, cfg[c][0], cfg[c][1], cfg[c][2]);
            double bm = bench_now() - tf;
            double mem_mh = bench_rss_mb() - mf;
            size_t f = 0, want = 0;
            const size_t nm = 100;
            tf = bench_now();
            for (size_t i = 0; i < nm; i++) f += peer_faiss_range(mh, qs[i].bytes, 31);
            qps = (double)nm / (bench_now() - tf);
            for (size_t i = 0; i < nm; i++) want += peer_brute_query(h[0].bytes, n, qs[i].bytes, 31);
            printf("  faiss IndexBinaryMultiHash %dx%d nflip %d d<=31 %7.1f q/s, build %.1f s, RSS +%.0f MB "
                   "(%.0f bytes/hash), recall %.2f%%\n",
                   cfg[c][0], cfg[c][1], cfg[c][2], qps, bm, mem_mh, mem_mh * 1e6 / (double)n,
                   want ? 100.0 * (double)f / (double)want : 100.0);
            peer_faiss_free(mh);
        }
    }
#else
    (void)faiss_full;
    printf("  (built without Faiss: install libfaiss-dev and rebuild for the Faiss peer)\n");
#endif
    vigil_index_free(idx);
    free(h);
    free(ids);
    free(qs);
}

/* ---- exact copies under different ids ------------------------------------ */

/* One hash value held by several bank entries (two partners' ids for one
 * picture).  Two layouts are measured on the same rows: one index slot per
 * entry (the copies are just more entries), and one slot per distinct value
 * (what vigil's matcher does, src/match/match.c: the slot's id is the entry
 * id when one entry holds the value, else -(k+1) for group k, which lists
 * the entries: count, ids).  Memory is per entry (per bank row) in both. */
typedef struct pv_ctx {
    const vigil_index *idx;
    const int64_t *groups;
    const vigil_pdq *qs;
    size_t from, to, found;
} pv_ctx;

static int expand_cb(void *ctx, const vigil_index_hit *hit) {
    pv_ctx *c = ctx;
    c->found += hit->id > 0 ? 1 : (size_t)c->groups[-(hit->id + 1)];
    return 0;
}

static void *run_pv(void *p) {
    pv_ctx *c = p;
    for (size_t i = c->from; i < c->to; i++) vigil_index_query(c->idx, &c->qs[i], 31, expand_cb, c, NULL);
    return NULL;
}

static double pv_qps(const vigil_index *idx, const int64_t *groups, const vigil_pdq *qs, size_t nq, int threads,
                     size_t *found) {
    pthread_t t[2];
    pv_ctx c[2];
    double t0 = bench_now();
    for (int i = 0; i < threads; i++) {
        c[i] = (pv_ctx){idx, groups, qs, nq * (size_t)i / (size_t)threads, nq * (size_t)(i + 1) / (size_t)threads, 0};
        pthread_create(&t[i], NULL, run_pv, &c[i]);
    }
    size_t f = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        f += c[i].found;
    }
    if (found) *found = f;
    return (double)nq / (bench_now() - t0);
}

static const vigil_pdq *sort_base;
static int cmp_by_hash(const void *a, const void *b) {
    return memcmp(&sort_base[*(const uint32_t *)a], &sort_base[*(const uint32_t *)b], sizeof(vigil_pdq));
}

static void bench_copies(size_t n, int every) {
    printf("\n== %zu entries, 1 in %d an exact copy of an earlier entry's hash (another id) ==\n", n, every);
    vigil_pdq *h = aligned_alloc(64, (n + 64) * sizeof *h);
    int64_t *ids = malloc(n * sizeof *ids);
    uint32_t *order = malloc(n * sizeof *order);
    if (!h || !ids || !order) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < n; i++) {
        ids[i] = (int64_t)i;
        order[i] = (uint32_t)i;
        if (i > 0 && i % (size_t)every == 0)
            h[i] = h[rnd() % i];
        else
            random_hash(&h[i]);
    }
    const size_t nq = 2000;
    vigil_pdq *qs = malloc(nq * sizeof *qs);
    for (size_t i = 0; i < nq; i++) {
        if (i % 2 == 0) {
            qs[i] = h[rnd() % n];
            flip(&qs[i], (int)(rnd() % 32));
        } else {
            random_hash(&qs[i]);
        }
    }
    /* one slot per entry */
    vigil_index *idx = NULL;
    vigil_index_new(&idx, NULL);
    double t0 = bench_now();
    if (vigil_index_add(idx, h, ids, n, NULL) != VIGIL_OK) {
        fprintf(stderr, "index add failed\n");
        exit(1);
    }
    double build = bench_now() - t0;
    double mem = (double)vigil_index_memory(idx);
    size_t want = 0, got = 0, exact = 0;
    const size_t nrec = n >= 5000000 ? 60 : 200;
    for (size_t i = 0; i < nrec; i++) {
        size_t w = peer_brute_query(h[0].bytes, n, qs[i].bytes, 31), g = 0;
        vigil_index_query(idx, &qs[i], 31, count_cb, &g, NULL);
        want += w;
        got += g;
        exact += w == g;
    }
    size_t f1 = 0;
    double q1 = vigil_qps(idx, qs, nq, 31, 1, &f1);
    double q2 = vigil_qps(idx, qs, nq, 31, 2, NULL);
    printf("  one slot per entry:   build %.2f s, %.1f bytes/entry, d<=31 %7.0f q/s (1 thread) %7.0f q/s "
           "(2 threads) [%zu matches]; brute-force check %zu/%zu queries exact\n",
           build, mem / (double)n, q1, q2, f1, exact, nrec);
    vigil_index_free(idx);
    /* one slot per distinct value + entry lists (the grouping itself is
     * timed with a sort here; the matcher uses a hash table) */
    t0 = bench_now();
    sort_base = h;
    qsort(order, n, sizeof *order, cmp_by_hash);
    vigil_pdq *dv = aligned_alloc(64, (n + 64) * sizeof *dv);
    int64_t *vid = malloc(n * sizeof *vid), *groups = malloc(2 * n * sizeof *groups);
    size_t nd = 0, words = 0;
    for (size_t k = 0; k < n;) {
        size_t e = k + 1;
        while (e < n && memcmp(&h[order[e]], &h[order[k]], sizeof *h) == 0) e++;
        dv[nd] = h[order[k]];
        if (e - k == 1) {
            vid[nd++] = ids[order[k]] + 1; /* entry ids are > 0 */
        } else {
            vid[nd++] = -(int64_t)words - 1;
            groups[words++] = (int64_t)(e - k);
            for (size_t j = k; j < e; j++) groups[words++] = ids[order[j]] + 1;
        }
        k = e;
    }
    vigil_index_new(&idx, NULL);
    if (vigil_index_add(idx, dv, vid, nd, NULL) != VIGIL_OK) {
        fprintf(stderr, "index add failed\n");
        exit(1);
    }
    build = bench_now() - t0;
    mem = (double)vigil_index_memory(idx) + (double)words * sizeof *groups;
    size_t f2 = 0;
    q1 = pv_qps(idx, groups, qs, nq, 1, &f2);
    q2 = pv_qps(idx, groups, qs, nq, 2, NULL);
    printf("  one slot per value:   build %.2f s (with the sort), %.1f bytes/entry (%zu distinct values), d<=31 "
           "%7.0f q/s (1 thread) %7.0f q/s (2 threads) [%zu matches]\n",
           build, mem / (double)n, nd, q1, q2, f2);
    if (f1 != f2) printf("  MISMATCH: the two layouts found %zu and %zu matches\n", f1, f2);
    vigil_index_free(idx);
    free(h);
    free(ids);
    free(order);
    free(qs);
    free(dv);
    free(groups);
    free(vid);
}

/* ---- real pictures -------------------------------------------------------- */

static char **img_paths;
static size_t img_n, img_cap, img_max = 3000;

static int collect_image(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    (void)ftw;
    if (type != FTW_F || img_n >= img_max) return img_n >= img_max;
    size_t l = strlen(path);
    if (l < 5 || (strcmp(path + l - 4, ".png") && strcmp(path + l - 4, ".jpg"))) return 0;
    if (img_n == img_cap) {
        img_cap = img_cap ? img_cap * 2 : 256;
        img_paths = realloc(img_paths, img_cap * sizeof *img_paths);
    }
    img_paths[img_n++] = strdup(path);
    return 0;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static void percentiles(const char *what, int *v, size_t n) {
    qsort(v, n, sizeof *v, cmp_int);
    printf("  %-34s n=%-7zu p1 %3d  p5 %3d  p50 %3d  p95 %3d  p99 %3d  max %3d\n", what, n, v[n / 100],
           v[n / 20], v[n / 2], v[n * 95 / 100], v[n * 99 / 100], v[n - 1]);
}

static void bench_images(const char *dir) {
    if (nftw(dir, collect_image, 16, FTW_PHYS) < 0 || img_n == 0) {
        printf("\n(no pictures under %s: skipping the real-picture measurements)\n", dir);
        return;
    }
    printf("\n== real pictures: %s ==\n", dir);
    vigil_pdq *orig = aligned_alloc(64, (img_n + 64) * sizeof *orig), *copy = malloc(img_n * sizeof *copy);
    int *copy_d = malloc(img_n * sizeof *copy_d);
    int64_t *ids = malloc(img_n * sizeof *ids);
    size_t n = 0, lowq = 0;
    vigil_hasher *hs = NULL;
    vigil_hasher_new(NULL, &hs, NULL);
    for (size_t i = 0; i < img_n; i++) {
        uint8_t *data = NULL, *jpg = NULL;
        size_t len = 0, jlen = 0;
        vigil_image *img = NULL;
        vigil_hash_result r1, r2;
        if (vigil_read_file(img_paths[i], 0, &data, &len, NULL) != VIGIL_OK) continue;
        int ok = vigil_image_decode(data, len, NULL, &img, NULL) == VIGIL_OK && img->width >= 128 &&
                 img->height >= 128;
        if (ok && img->fmt == VIGIL_PIX_RGBA8) {
            /* clip art: composite onto white, as a person sees it (the RGB
             * under transparent pixels is arbitrary) */
            for (int y = 0; y < img->height; y++) {
                uint8_t *px = img->pixels + (size_t)y * img->stride;
                for (int x = 0; x < img->width; x++, px += 4)
                    for (int c = 0; c < 3; c++) px[c] = (uint8_t)((px[c] * px[3] + 255 * (255 - px[3]) + 127) / 255);
            }
        }
        ok = ok && vigil_hasher_image(hs, img, &r1, NULL) == VIGIL_OK;
        free(data);
        if (ok && r1.quality < 50) {
            lowq++;
            ok = 0;
        }
        if (ok) {
            /* the edited copy: RGB, resized to 70% (bilinear), JPEG quality 50 */
            int w = img->width * 7 / 10, h = img->height * 7 / 10, ch = (int)img->fmt;
            uint8_t *full = malloc((size_t)img->width * img->height * 3), *rgb = NULL;
            for (int y = 0; y < img->height && full; y++) {
                for (int x = 0; x < img->width; x++) {
                    const uint8_t *px = img->pixels + (size_t)y * img->stride + (size_t)x * ch;
                    uint8_t *o = full + ((size_t)y * img->width + x) * 3;
                    o[0] = px[0];
                    o[1] = ch >= 3 ? px[1] : px[0];
                    o[2] = ch >= 3 ? px[2] : px[0];
                }
            }
            if (full) rgb = imggen_resize(full, img->width, img->height, w, h);
            free(full);
            ok = rgb && imggen_jpeg(rgb, w, h, 50, &jpg, &jlen) == 0 &&
                 vigil_hasher_bytes(hs, jpg, jlen, &r2, NULL) == VIGIL_OK;
            free(rgb);
            free(jpg);
        }
        vigil_image_free(img);
        if (!ok) continue;
        orig[n] = r1.pdq;
        copy[n] = r2.pdq;
        copy_d[n] = vigil_pdq_distance(&r1.pdq, &r2.pdq);
        ids[n] = (int64_t)n;
        n++;
    }
    vigil_hasher_free(hs);
    printf("  %zu pictures hashed (%zu more skipped for PDQ quality < 50)\n", n, lowq);
    if (n < 10) return;
    /* distances: copy vs its original; unrelated pairs */
    size_t np = 200000;
    int *pair_d = malloc(np * sizeof *pair_d);
    for (size_t k = 0; k < np; k++) {
        size_t a = rnd() % n, b = rnd() % n;
        if (a == b) b = (b + 1) % n;
        pair_d[k] = vigil_pdq_distance(&orig[a], &orig[b]);
    }
    static const int th[] = {16, 24, 31, 40, 48, 64};
    printf("  threshold:                         ");
    for (int t = 0; t < 6; t++) printf("  d<=%-3d", th[t]);
    printf("\n  edited copies matched (recall)     ");
    for (int t = 0; t < 6; t++) {
        size_t c = 0;
        for (size_t i = 0; i < n; i++) c += copy_d[i] <= th[t];
        printf("  %5.1f%%", 100.0 * (double)c / (double)n);
    }
    printf("\n  unrelated pairs matched (false +)  ");
    for (int t = 0; t < 6; t++) {
        size_t c = 0;
        for (size_t k = 0; k < np; k++) c += pair_d[k] <= th[t];
        printf(" %6.3f%%", 100.0 * (double)c / (double)np);
    }
    printf("\n");
    percentiles("distance, edited copy to original", copy_d, n);
    percentiles("distance, unrelated pairs", pair_d, np);
    /* index speed on these hashes vs random hashes of the same count */
    vigil_index *idx = NULL;
    vigil_index_new(&idx, NULL);
    vigil_index_add(idx, orig, ids, n, NULL);
    size_t found = 0, self = 0;
    for (size_t i = 0; i < n; i++) {
        vigil_index_hit hits[64];
        size_t got = 0;
        vigil_index_query_buf(idx, &copy[i], 31, hits, 64, &got, NULL);
        found += got;
        for (size_t k = 0; k < got && k < 64; k++) self += hits[k].id == (int64_t)i;
    }
    double q = vigil_qps(idx, copy, n, 31, 1, NULL);
    printf("  index of the %zu originals, each copy queried at d<=31: %zu of its own originals found, "
           "%zu matches in all, %.0f q/s\n", n, self, found, q);
    vigil_index_free(idx);
    free(pair_d);
    free(orig);
    free(copy);
    free(copy_d);
    free(ids);
}

int main(int argc, char **argv) {
    size_t sizes[8];
    int ns = 0, quick = 0, faiss_full = 0, no_copies = 0, copies_only = 0, every = 10;
    const char *images = "/usr/share/tuxpaint/stamps";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--faiss-full") == 0)
            faiss_full = 1;
        else if (strcmp(argv[i], "--no-copies") == 0)
            no_copies = 1;
        else if (strcmp(argv[i], "--copies-only") == 0)
            copies_only = 1;
        else if (strcmp(argv[i], "--copies-every") == 0 && i + 1 < argc && atoi(argv[i + 1]) >= 2)
            every = atoi(argv[++i]);
        else if (strcmp(argv[i], "--images") == 0 && i + 1 < argc)
            images = argv[++i];
        else if (strcmp(argv[i], "--n") == 0 && i + 1 < argc && ns < 8)
            sizes[ns++] = (size_t)strtoull(argv[++i], NULL, 10);
        else {
            fprintf(stderr, "usage: bench-index [--quick] [--n N]... [--faiss-full] [--images DIR] [--no-copies] "
                            "[--copies-only] [--copies-every K]\n");
            return 2;
        }
    }
    if (!ns) {
        if (quick) {
            sizes[ns++] = 100000;
            sizes[ns++] = 1000000;
        } else {
            sizes[ns++] = 1000000;
            sizes[ns++] = 10000000;
        }
    }
    printf("vigil bench-index: 2000 queries (half near-copies of entries with 0-31 bits flipped, half random)\n");
    for (int i = 0; i < ns; i++) {
        if (copies_only) {
            bench_copies(sizes[i], every);
            continue;
        }
        bench_config(sizes[i], 0, faiss_full);
        bench_config(sizes[i], 1, faiss_full);
        if (!no_copies) bench_copies(sizes[i], every);
    }
    bench_images(images);
    return 0;
}
