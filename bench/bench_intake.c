/*
 * bench/bench_intake.c - intake speed with content-cluster links: `vigil
 * item import` (vigil_item_import) of generated rows into a new store, for
 * rows with an MD5 each (the baseline, in the same run), rows with a
 * 60-word text each (a fifth near-duplicates of an earlier row: their
 * fingerprints and links), and rows with a 60-frame video hash each (noisy
 * pairs of videos); items/s, the ratio to the baseline, the clusters found;
 * and up to 1,000 items filed one at a time (a transaction each, as the
 * API files them), against the same baseline.
 *
 *   bench-intake [N_ROWS [N_VIDEO_ROWS]]     (defaults 10000 and 2000)
 */
#define _GNU_SOURCE /* open_memstream, fmemopen, mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "vigil/case.h"
#include "vigil/store.h"
#include "vigil/video.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(void) {
    return bench_rnd32(&rng);
}

/* Word k of a 3,000-word vocabulary, spelt in syllables. */
static void word(char *w, uint32_t k) {
    static const char syl[][3] = {"ka", "lo", "mi", "ne", "su", "ta", "ri", "po", "de", "fa",
                                  "gu", "hi", "jo", "be", "vo", "xi", "za", "qu", "wy", "el"};
    k %= 3000;
    w[0] = '\0';
    for (int i = 0; i < 2 + (int)(k % 3); i++, k /= 20) strcat(w, syl[k % 20]);
}

#define WORDS 60
#define FRAMES 60

static const char *const hosts[] = {"t.me/benchchan/", "x.com/bench/status/", "vk.com/wall-1_",
                                    "www.facebook.com/bench/posts/", "archive.org/details/bench-"};

/* The CSV of one case in *out (malloc'd).  kind 0: md5; 1: md5 + text;
 * 2: video hash (row i a noisy copy of video i % (n / 2)). */
static int make_csv(int kind, size_t n, char **out) {
    size_t len = 0;
    FILE *f = open_memstream(out, &len);
    if (!f) return -1;
    fputs(kind == 2 ? "url,vpdq\n" : kind == 1 ? "url,hashes,text\n" : "url,hashes\n", f);
    uint32_t(*texts)[WORDS] = kind == 1 ? malloc(n * sizeof *texts) : NULL;
    vigil_pdq *base = kind == 2 ? malloc((n / 2 + 1) * FRAMES * sizeof *base) : NULL;
    if ((kind == 1 && !texts) || (kind == 2 && !base)) {
        fclose(f);
        free(texts);
        return -1;
    }
    for (size_t i = 0; kind == 2 && i < (n / 2 + 1) * FRAMES; i++)
        for (int b = 0; b < 32; b++) base[i].bytes[b] = (uint8_t)rnd();
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        fprintf(f, "https://%s%zu,", hosts[i % 5], i);
        if (kind == 2) {
            vigil_video_frame fr[FRAMES];
            memset(fr, 0, sizeof fr);
            for (int k = 0; k < FRAMES; k++) {
                fr[k].start_ms = (uint32_t)k * 1000;
                fr[k].duration_ms = 1000;
                fr[k].quality = 100;
                fr[k].number = -1;
                fr[k].pdq = base[(i % (n / 2 + 1)) * FRAMES + (size_t)k];
                for (int j = 0; j < 8; j++) { /* 8 bits flipped a frame */
                    uint32_t bit = rnd() % 256;
                    fr[k].pdq.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
                }
            }
            vigil_video_hash v = {.frames = fr, .n = FRAMES, .fps_milli = 1000};
            char *val = NULL;
            if (vigil_video_serialize(&v, &val, NULL) != VIGIL_OK) rc = -1;
            else fprintf(f, "%s\n", val);
            free(val);
            continue;
        }
        fprintf(f, "md5:%08x%08x%08x%08x", rnd(), rnd(), rnd(), rnd());
        if (kind == 0) {
            fputc('\n', f);
            continue;
        }
        if (i && rnd() % 5 == 0) { /* a near-duplicate: 8 words of an earlier text changed */
            memcpy(texts[i], texts[rnd() % i], sizeof texts[i]);
            uint32_t at = rnd() % (WORDS - 8);
            for (uint32_t k = at; k < at + 8; k++) texts[i][k] = rnd();
        } else {
            for (int k = 0; k < WORDS; k++) texts[i][k] = rnd();
        }
        fputs(",\"", f);
        for (int k = 0; k < WORDS; k++) {
            char w[16];
            word(w, texts[i][k]);
            fprintf(f, "%s%s", k ? " " : "", w);
        }
        fputs(".\"\n", f);
    }
    free(texts);
    free(base);
    if (fclose(f) != 0) rc = -1;
    return rc;
}

/* A new store at `path` with agency EU and operation "bench", or NULL
 * (the reason on stderr). */
static vigil_store *new_store(const char *path) {
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(path, &st, &err) != VIGIL_OK ||
        vigil_agency_add(st, NULL, "EU", "", NULL, &err) != VIGIL_OK ||
        vigil_op_create(st, NULL, "bench", "EU", NULL, 0, NULL, NULL, &err) != VIGIL_OK) {
        fprintf(stderr, "bench-intake: %s\n", err.msg);
        vigil_store_close(st);
        return NULL;
    }
    return st;
}

/* Removes the SQLite file `path` and its -wal and -shm. */
static void remove_store(const char *path) {
    static const char *const ext[] = {"", "-wal", "-shm"};
    for (int k = 0; k < 3; k++) {
        char p[1100];
        snprintf(p, sizeof p, "%s%s", path, ext[k]);
        remove(p);
    }
}

/* One import into a new store; items/s, or -1. */
static double run(const char *dir, const char *name, const char *csv, size_t rows,
                  size_t *clusters) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    vigil_err err;
    double r = -1;
    vigil_store *st = new_store(path);
    if (!st) return -1;
    FILE *f = fmemopen((void *)csv, strlen(csv), "r");
    vigil_item_import_stats s;
    double t0 = bench_now();
    vigil_status rc = f ? vigil_item_import(st, NULL, "bench", f, NULL, &s, &err) : VIGIL_EIO;
    double t = bench_now() - t0;
    if (f) fclose(f);
    json_t *cl = NULL;
    if (rc == VIGIL_OK && s.created == rows &&
        vigil_cluster_list(st, NULL, "bench", 10000, &cl, &err) == VIGIL_OK) {
        *clusters = json_array_size(cl);
        r = (double)rows / t;
    } else {
        fprintf(stderr, "bench-intake: %s: %s\n", name, rc == VIGIL_OK ? "rows missing" : err.msg);
    }
    json_decref(cl);
    vigil_store_close(st);
    remove_store(path);
    return r;
}

/* `rows` items filed one vigil_item_add each (its own transaction, as the
 * API's POST /v1/items), an MD5 and two languages each, into a new store;
 * items/s, or -1. */
static double run_single(const char *dir, size_t rows) {
    char path[1024];
    snprintf(path, sizeof path, "%s/single.db", dir);
    vigil_err err;
    double r = -1;
    vigil_store *st = new_store(path);
    if (!st) return -1;
    double t0 = bench_now();
    size_t i = 0;
    for (; i < rows; i++) {
        char url[96], md5[40];
        snprintf(url, sizeof url, "https://%s%zu", hosts[i % 5], i);
        snprintf(md5, sizeof md5, "md5:%08x%08x%08x%08x", rnd(), rnd(), rnd(), rnd());
        const char *langs[2] = {"en", "ar"}, *hs[1] = {md5};
        vigil_item_input in = {.op = "bench", .url = url, .type = "post", .langs = langs,
                               .n_langs = 2, .affiliation = "bench", .hashes = hs, .n_hashes = 1};
        if (vigil_item_add(st, NULL, &in, NULL, &err) != VIGIL_OK) {
            fprintf(stderr, "bench-intake: single: %s\n", err.msg);
            break;
        }
    }
    if (i == rows) r = (double)rows / (bench_now() - t0);
    vigil_store_close(st);
    remove_store(path);
    return r;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
    size_t nv = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
    char dir[] = "/tmp/vigil-bench-intake.XXXXXX";
    if (n < 2 || nv < 2 || !mkdtemp(dir)) {
        fprintf(stderr, "usage: bench-intake [N_ROWS [N_VIDEO_ROWS]] (at least 2 each)\n");
        return 2;
    }
    const struct {
        const char *name, *what;
        int kind;
        size_t rows;
    } cases[] = {
        {"md5", "an MD5 each (baseline)", 0, n},
        {"text", "an MD5 and a 60-word text each, 1/5 near-duplicates", 1, n},
        {"md5-v", "an MD5 each (baseline for the video rows)", 0, nv},
        {"video", "a 60-frame video hash each, noisy pairs", 2, nv},
    };
    double base = 0, base0 = 0; /* the last baseline, the first */
    int fail = 0;
    printf("vigil item import into a new store, one operation, one transaction\n");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *csv = NULL;
        size_t clusters = 0;
        double r = make_csv(cases[i].kind, cases[i].rows, &csv) == 0
                       ? run(dir, cases[i].name, csv, cases[i].rows, &clusters)
                       : -1;
        free(csv);
        if (r < 0) {
            fail = 1;
            continue;
        }
        if (cases[i].kind == 0) base = r;
        if (cases[i].kind == 0 && base0 == 0) base0 = r;
        printf("%7zu rows, %-52s %8.0f items/s  x%.2f  %zu clusters\n", cases[i].rows,
               cases[i].what, r, base > 0 ? r / base : 0.0, clusters);
    }
    size_t ns = n < 1000 ? n : 1000;
    double r = run_single(dir, ns);
    if (r < 0) fail = 1;
    else
        printf("%7zu items filed one at a time, a transaction each (against the first row) %8.0f "
               "items/s  x%.2f\n", ns, r, base0 > 0 ? r / base0 : 0.0);
    rmdir(dir);
    return fail;
}
