/*
 * bench/bench_tmk.c - TMK+PDQF matching at bank scale: a bank of N videos
 * (default 10,000) of synthetic signatures in a store file, its size (and
 * the size the previous schema's text values took), the matcher's load
 * time and memory, and the query time of the two-level rule, against two
 * baselines in the same run: every signature held in memory, and brute
 * force (level 2 against every bank video).
 *
 * The signatures are generated here, never hashed from real content: an
 * average feature that shares a component with every other video's (so
 * that unrelated videos score about 0.1 at level 1, as unrelated clips do
 * in ../shared/fixtures), and normalised, weighted cos/sin features, as
 * vigil__tmk_finish leaves them.  Q near-copies of bank videos are planted
 * as queries (every vector perturbed by about 30%: level 1 about 0.96),
 * with Q unrelated queries beside them.
 *
 * Usage: bench-tmk [--videos N] [--queries Q] [--brute N] [--no-memory]
 *                  [--legacy N] [--dir DIR]
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "store/store_internal.h"
#include "video/video_internal.h"
#include "vigil/bank.h"
#include "vigil/video.h"

/* xorshift64*, one stream per video */
static uint64_t next(uint64_t *s) {
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ull;
}

/* about N(0, 1): the sum of four uniforms, rescaled */
static float gauss(uint64_t *s) {
    uint64_t r = next(s);
    float a = 0;
    for (int i = 0; i < 4; i++) a += (float)((r >> (16 * i)) & 0xffff) / 65535.0f;
    return (a - 2.0f) * 1.7320508f;
}

static float common[VIGIL_TMK_DIM]; /* the component every video's average shares */

static void set_norm(float *v, float want) {
    float s = 0;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) s += v[k] * v[k];
    if (s <= 0) return;
    float r = want / sqrtf(s);
    for (int k = 0; k < VIGIL_TMK_DIM; k++) v[k] *= r;
}

/* The synthetic signature of bank video `i`. */
static void gen_video(vigil_tmk *t, uint64_t i) {
    uint64_t s = 0x9E3779B97F4A7C15ull ^ (i * 0xD1B54A32D192ED03ull);
    next(&s);
    t->frame_count = 15 * (30 + (int)(next(&s) % 600)); /* 30 s to 10 min at 15 frames/s */
    for (int k = 0; k < VIGIL_TMK_DIM; k++) t->avg[k] = 100.0f * common[k] + 300.0f * gauss(&s);
    for (int p = 0; p < VIGIL_TMK_PERIODS; p++)
        for (int j = 0; j < VIGIL_TMK_COEFFS; j++) {
            float r = sqrtf(t->coeffs[j]);
            for (int k = 0; k < VIGIL_TMK_DIM; k++) {
                t->cos_f[p][j][k] = j == 0 ? t->avg[k] : gauss(&s);
                t->sin_f[p][j][k] = j == 0 ? 0.0f : gauss(&s);
            }
            set_norm(t->cos_f[p][j], r);
            set_norm(t->sin_f[p][j], r);
        }
}

/* A near-copy of t: every vector moved by `eps` of its length, renormalised. */
static void perturb(vigil_tmk *t, float eps, uint64_t seed) {
    uint64_t s = seed * 0x2545F4914F6CDD1Dull + 7;
    float na = 0;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) na += t->avg[k] * t->avg[k];
    na = sqrtf(na);
    for (int k = 0; k < VIGIL_TMK_DIM; k++) t->avg[k] += eps * na / 16.0f * gauss(&s);
    for (int p = 0; p < VIGIL_TMK_PERIODS; p++)
        for (int j = 0; j < VIGIL_TMK_COEFFS; j++) {
            float r = sqrtf(t->coeffs[j]);
            for (int k = 0; k < VIGIL_TMK_DIM; k++) {
                t->cos_f[p][j][k] += eps * r / 16.0f * gauss(&s);
                if (j) t->sin_f[p][j][k] += eps * r / 16.0f * gauss(&s);
            }
            set_norm(t->cos_f[p][j], r);
            set_norm(t->sin_f[p][j], r);
        }
}

/* The bank as CSV into a pipe, from a thread (the import reads the other end). */
typedef struct writer {
    FILE *out;
    int n;
    int failed;
} writer;

static void *write_bank(void *arg) {
    writer *w = arg;
    vigil_tmk *t = NULL;
    if (vigil__tmk_new(&t, NULL) != VIGIL_OK) {
        w->failed = 1;
        fclose(w->out);
        return NULL;
    }
    fputs("signal_type,signal_value,labels,id\n", w->out);
    for (int i = 0; i < w->n && !w->failed; i++) {
        gen_video(t, (uint64_t)i);
        uint8_t *bytes = NULL;
        size_t len = 0;
        char *value = NULL;
        if (vigil_tmk_write(t, &bytes, &len, NULL) != VIGIL_OK ||
            vigil_tmk_value_from_file(bytes, len, &value, NULL) != VIGIL_OK ||
            fprintf(w->out, "tmk,%s,video=v%d,bench-%d\n", value, i, i) < 0)
            w->failed = 1;
        free(bytes);
        free(value);
    }
    vigil_tmk_free(t);
    fclose(w->out);
    return NULL;
}

static long long file_bytes(const char *path) {
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : 0;
}

static long long store_bytes(const char *path) {
    char p[1100];
    snprintf(p, sizeof p, "%s-wal", path);
    return file_bytes(path) + file_bytes(p);
}

static void rm_store(const char *path) {
    char p[1100];
    remove(path);
    snprintf(p, sizeof p, "%s-wal", path);
    remove(p);
    snprintf(p, sizeof p, "%s-shm", path);
    remove(p);
}

/* The previous schema's form of N tmk entries, for its size: the value as
 * text in bank_entry.value (and so in the bank_entry_value index), as that
 * code's import wrote it (vigil bank add also wrote it into its audit
 * event). */
static long long legacy_store(const char *path, int n) {
    rm_store(path);
    vigil_store *st = NULL;
    vigil_err err;
    vigil_status rc = vigil__store_open_at(path, vigil_store_schema_latest() - 1, &st, &err);
    vigil_tmk *t = NULL;
    if (rc == VIGIL_OK) rc = vigil__tmk_new(&t, &err);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "INSERT INTO bank (id, name, created_at) VALUES (1, 'old', '2026-01-01T00:00:00Z')",
                           NULL, &err, "");
    if (rc == VIGIL_OK) rc = vigil__store_begin(st, &err);
    for (int i = 0; i < n && rc == VIGIL_OK; i++) {
        gen_video(t, (uint64_t)i);
        uint8_t *bytes = NULL;
        size_t len = 0;
        char *value = NULL;
        rc = vigil_tmk_write(t, &bytes, &len, &err);
        if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(bytes, len, &value, &err);
        if (rc == VIGIL_OK)
            rc = vigil__q_exec(st,
                               "INSERT INTO bank_entry (id, bank_id, signal_type, value, added_at, external_id, labels) "
                               "VALUES (?1, 1, 'tmk', ?2, '2026-01-01T00:00:00Z', ?3, ?4)",
                               NULL, &err, "itss", (int64_t)i + 1, value, "bench", "video=v");
        free(bytes);
        free(value);
    }
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, &err);
    vigil_tmk_free(t);
    vigil_store_close(st);
    if (rc != VIGIL_OK) fprintf(stderr, "bench-tmk: the previous schema's store: %s\n", err.msg);
    long long b = rc == VIGIL_OK ? store_bytes(path) : 0;
    rm_store(path);
    return b;
}

/* Every bank signature in memory (the other way to hold level 2). */
typedef struct all_sigs {
    vigil_store *st;
    int64_t *id;
    vigil_tmk **t;
    size_t n, cap;
    int failed;
} all_sigs;

static int collect(void *ctx, int64_t entry_id, int64_t bank_id, const void *head, size_t len) {
    (void)bank_id;
    (void)head;
    (void)len;
    all_sigs *a = ctx;
    if (a->n == a->cap) {
        size_t nc = a->cap ? 2 * a->cap : 1024;
        int64_t *ni = realloc(a->id, nc * sizeof *ni);
        if (ni) a->id = ni;
        vigil_tmk **nt = ni ? realloc(a->t, nc * sizeof *nt) : NULL;
        if (!nt) return a->failed = 1;
        a->t = nt;
        a->cap = nc;
    }
    uint8_t *bin = NULL;
    size_t nb = 0;
    vigil_tmk *t = NULL;
    if (vigil_bank_entry_bytes(a->st, entry_id, &bin, &nb, NULL) != VIGIL_OK ||
        vigil_tmk_read(bin, nb, &t, NULL) != VIGIL_OK) {
        free(bin);
        return a->failed = 1;
    }
    free(bin);
    a->id[a->n] = entry_id;
    a->t[a->n++] = t;
    return 0;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int n = 10000, nq = 5, brute = -1, memory = 1, legacy = 200;
    const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--videos") == 0 && i + 1 < argc) n = atoi(argv[++i]);
        else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc) nq = atoi(argv[++i]);
        else if (strcmp(argv[i], "--brute") == 0 && i + 1 < argc) brute = atoi(argv[++i]);
        else if (strcmp(argv[i], "--legacy") == 0 && i + 1 < argc) legacy = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-memory") == 0) memory = 0;
        else if (strcmp(argv[i], "--dir") == 0 && i + 1 < argc) dir = argv[++i];
        else {
            fprintf(stderr, "usage: bench-tmk [--videos N] [--queries Q] [--brute N] [--no-memory] [--legacy N] "
                            "[--dir DIR]\n");
            return 2;
        }
    }
    if (n < 1 || nq < 1 || nq > n) {
        fprintf(stderr, "bench-tmk: --videos must be >= 1 and --queries 1..videos\n");
        return 2;
    }
    if (brute < 0 || brute > n) brute = n;
    uint64_t cs = 42;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) common[k] = gauss(&cs);
    char path[1024];
    snprintf(path, sizeof path, "%s/bench-tmk-%d.db", dir, (int)getpid());
    rm_store(path);
    printf("bench-tmk: %d bank videos (synthetic TMK+PDQF signatures), %d near-copy and %d unrelated queries\n", n, nq,
           nq);

    /* 1. the bank, imported from CSV (one .tmk value a row) */
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = NULL;
    vigil_status rc = vigil_store_open(path, &st, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_create(st, "gifct", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    int fds[2];
    if (rc != VIGIL_OK || pipe(fds) != 0) {
        fprintf(stderr, "bench-tmk: %s\n", rc != VIGIL_OK ? err.msg : "pipe failed");
        return 1;
    }
    writer w = {fdopen(fds[1], "w"), n, 0};
    FILE *in = fdopen(fds[0], "r");
    pthread_t th;
    pthread_create(&th, NULL, write_bank, &w);
    double t0 = bench_now();
    vigil_import_opts io;
    vigil_import_opts_init(&io);
    vigil_import_report rep;
    memset(&rep, 0, sizeof rep);
    rc = vigil_bank_import(st, "gifct", in, &io, &rep, &err);
    pthread_join(th, NULL);
    fclose(in);
    double t_import = bench_now() - t0;
    vigil_store_close(st);
    st = NULL;
    if (rc != VIGIL_OK || w.failed || rep.imported != (uint64_t)n) {
        fprintf(stderr, "bench-tmk: import: %s (%llu imported)\n", rc != VIGIL_OK ? err.msg : "generation failed",
                (unsigned long long)rep.imported);
        rm_store(path);
        return 1;
    }
    long long size = store_bytes(path);
    char lpath[1100];
    snprintf(lpath, sizeof lpath, "%s.prev", path);
    long long old_sample = legacy > 0 ? legacy_store(lpath, legacy) : 0;
    double per_new = (double)size / n, per_old = legacy > 0 ? (double)old_sample / legacy : 0;
    printf("\nstore (%s)\n", path);
    printf("  import of %d videos (generation, CSV parse, checks, SHA-256, insert): %.1f s\n", n, t_import);
    printf("  store file: %.1f MB, %.1f KB a video (the .tmk file itself: %.1f KB)\n", (double)size / 1e6,
           per_new / 1e3, VIGIL_TMK_FILE_BYTES / 1e3);
    if (legacy > 0)
        printf("  previous schema (value as base64 text + its index, as its import wrote it; %d videos measured): %.1f KB a video, %.2f GB "
               "for %d -> %.2fx smaller now\n",
               legacy, per_old / 1e3, per_old * n / 1e9, n, per_old / per_new);

    /* 2. the matcher: averages in memory, level 2 read per candidate */
    rc = vigil_store_open(path, &st, &err);
    t0 = bench_now();
    vigil_tmk_matcher *m = NULL;
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_open(st, NULL, 0, &m, &err);
    double t_load = bench_now() - t0;
    if (rc != VIGIL_OK) {
        fprintf(stderr, "bench-tmk: matcher: %s\n", err.msg);
        rm_store(path);
        return 1;
    }
    printf("\nvigil_tmk_matcher (level-1 averages in memory, level 2 from the store)\n");
    printf("  load %zu videos: %.3f s; memory %.1f MB (%zu B a video: the normalised average and the entry id)\n",
           vigil_tmk_matcher_videos(m), t_load, (double)vigil_tmk_matcher_videos(m) * (VIGIL_TMK_DIM * 4 + 8) / 1e6,
           (size_t)(VIGIL_TMK_DIM * 4 + 8));

    /* the queries: near-copies of spread-out bank videos, and unrelated ones */
    vigil_tmk **qs = calloc((size_t)(2 * nq), sizeof *qs);
    int *src = calloc((size_t)nq, sizeof *src);
    int64_t *src_entry = calloc((size_t)nq, sizeof *src_entry); /* the entry a copy's source became */
    for (int q = 0; q < 2 * nq && qs; q++) {
        if (vigil__tmk_new(&qs[q], &err) != VIGIL_OK) return 1;
        if (q < nq) {
            src[q] = (int)((long long)(q + 1) * n / (nq + 1));
            gen_video(qs[q], (uint64_t)src[q]);
            perturb(qs[q], 0.3f, (uint64_t)q + 1);
        } else {
            gen_video(qs[q], (uint64_t)n + 1000003u * (uint64_t)q); /* not in the bank */
        }
    }
    double *tq = calloc((size_t)(2 * nq), sizeof *tq);
    int found = 0, false_hits = 0;
    size_t cand_total = 0;
    float l1_copy = 0, l2_copy = 0;
    for (int q = 0; q < 2 * nq; q++) {
        vigil_tmk_match_result res;
        t0 = bench_now();
        rc = vigil_tmk_matcher_query(m, qs[q], VIGIL_TMK_DEFAULT_LEVEL1, VIGIL_TMK_DEFAULT_LEVEL2, &res, &err);
        tq[q] = bench_now() - t0;
        if (rc != VIGIL_OK) {
            fprintf(stderr, "bench-tmk: query: %s\n", err.msg);
            return 1;
        }
        cand_total += res.candidates;
        for (size_t i = 0; i < res.n; i++) {
            char want[32];
            snprintf(want, sizeof want, "bench-%d", q < nq ? src[q] : -1);
            int is_src = q < nq && res.matches[i].external_id && strcmp(res.matches[i].external_id, want) == 0;
            if (is_src) {
                found++;
                src_entry[q] = res.matches[i].entry_id;
                l1_copy += res.matches[i].level1;
                l2_copy += res.matches[i].level2;
            } else {
                false_hits++;
            }
        }
        vigil_tmk_match_result_clear(&res);
    }
    double tsum = 0, tcopy = 0, tother = 0;
    for (int q = 0; q < 2 * nq; q++) {
        tsum += tq[q];
        if (q < nq) tcopy += tq[q];
        else tother += tq[q];
    }
    double t_mean = tsum / (2 * nq);
    qsort(tq, (size_t)(2 * nq), sizeof *tq, cmp_d);
    printf("  query against all %d (two-level rule 0.7/0.7): mean %.2f ms (near-copies %.2f ms, unrelated %.2f ms: "
           "level 1 alone), max %.2f ms; %.1f candidates a query past level 1\n",
           n, 1e3 * t_mean, 1e3 * tcopy / nq, 1e3 * tother / nq, 1e3 * tq[2 * nq - 1],
           (double)cand_total / (2 * nq));
    printf("  near-copies finding their source: %d of %d (mean level 1 %.3f, level 2 %.3f); other matches: %d\n",
           found, nq, found ? l1_copy / found : 0, found ? l2_copy / found : 0, false_hits);
    vigil_tmk_matcher_free(m);

    /* 3. the baselines: every signature in memory; brute-force level 2 */
    if (memory) {
        all_sigs a = {st, NULL, NULL, 0, 0, 0};
        double r0 = bench_rss_mb();
        t0 = bench_now();
        rc = vigil_bank_scan_heads(st, VIGIL_SIGNAL_TMK, NULL, 0, collect, &a, &err);
        double t_all = bench_now() - t0;
        double r1 = bench_rss_mb();
        if (rc != VIGIL_OK || a.failed) {
            fprintf(stderr, "bench-tmk: loading every signature failed\n");
            return 1;
        }
        printf("\nbaseline: every signature in memory\n");
        printf("  load %zu videos: %.2f s (%.0fx the matcher's); memory %.0f MB (%zu B a video; RSS +%.0f MB, "
               "%.0fx the matcher's)\n",
               a.n, t_all, t_all / t_load, (double)a.n * sizeof(vigil_tmk) / 1e6, sizeof(vigil_tmk), r1 - r0,
               (double)sizeof(vigil_tmk) / (VIGIL_TMK_DIM * 4 + 8));
        /* the two-level rule over memory */
        double tm = 0;
        int mem_found = 0;
        for (int q = 0; q < 2 * nq; q++) {
            t0 = bench_now();
            for (size_t i = 0; i < a.n; i++) {
                float s1 = 0, s2 = 0;
                if (vigil_tmk_match(qs[q], a.t[i], VIGIL_TMK_DEFAULT_LEVEL1, VIGIL_TMK_DEFAULT_LEVEL2, &s1, &s2) &&
                    q < nq && a.id[i] == src_entry[q])
                    mem_found++;
            }
            tm += bench_now() - t0;
        }
        printf("  two-level query over memory (vigil_tmk_match on each): mean %.2f ms; the matcher, reading its "
               "candidates from the store, takes %.2fx the time; same sources found: %d of %d\n",
               1e3 * tm / (2 * nq), t_mean / (tm / (2 * nq)), mem_found, nq);
        /* brute force: level 2 against `brute` bank videos, one query */
        t0 = bench_now();
        float best = -2;
        for (int i = 0; i < brute && (size_t)i < a.n; i++) {
            float s2 = vigil_tmk_level2(qs[0], a.t[i]);
            if (s2 > best) best = s2;
        }
        double tb = bench_now() - t0, tb_all = tb / brute * n;
        printf("  brute force, level 2 against %d videos: %.2f s (%.2f ms a video)%s -> %.1f s for one query "
               "against all %d\n",
               brute, tb, 1e3 * tb / brute, brute < n ? ", extrapolated" : "", tb_all, n);
        printf("  two-level matcher against brute force: %.0fx faster (best level 2 by brute force %.3f)\n",
               tb_all / t_mean, (double)best);
        for (size_t i = 0; i < a.n; i++) vigil_tmk_free(a.t[i]);
        free(a.t);
        free(a.id);
    }
    for (int q = 0; q < 2 * nq; q++) vigil_tmk_free(qs[q]);
    free(qs);
    free(src);
    free(src_entry);
    free(tq);
    vigil_store_close(st);
    rm_store(path);
    return 0;
}
