/*
 * bench/bench_text.c - text matching at scale: fingerprints 100,000
 * generated texts, indexes them (LSH), and answers near-duplicate queries,
 * against brute-force MinHash comparison with every signature in the same
 * run (the baseline); reports queries/second, the ratio, and the recall of
 * the index against brute force.  Then the same through a bank: import as
 * CSV into a store, open the text matcher, match.
 *
 *   bench-text [N_TEXTS [N_QUERIES]]     (defaults 100000 and 2000)
 */
#define _GNU_SOURCE /* fmemopen, open_memstream */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "lang_samples.h"
#include "vigil/bank.h"
#include "vigil/store.h"
#include "vigil/text.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint32_t rnd(void) {
    return bench_rnd32(&rng);
}

/* Word k of a 50,000-word vocabulary, spelt in syllables. */
#define VOCAB 50000
static void word(char *w, uint32_t k) {
    static const char syl[][4] = {"ka", "lo", "mi", "ne", "tu", "ra", "si", "po", "de", "an",
                                  "ve", "gu", "ho", "ji", "ze", "bo"};
    int n = 0;
    do {
        memcpy(w + n, syl[k % 16], 2);
        n += 2;
        k /= 16;
    } while (k);
    w[n] = '\0';
}
static uint32_t zipf_word(void) { /* P(k) ~ 1/(k+1): "the" is about 6% of words */
    double u = (rnd() + 0.5) / 4294967296.0;
    uint32_t k = (uint32_t)exp(u * log(VOCAB + 1.0)) - 1;
    return k < VOCAB ? k : VOCAB - 1;
}

/* A "news" text of 80-400 words with punctuation and line breaks. */
static size_t gen_text(char *buf, size_t cap) {
    int n = 80 + (int)(rnd() % 320);
    size_t o = 0;
    for (int i = 0; i < n && o + 40 < cap; i++) {
        char w[40];
        word(w, zipf_word());
        o += (size_t)snprintf(buf + o, cap - o, "%s%s", w, i % 17 == 16 ? ".\n" : i % 7 == 6 ? ", " : " ");
    }
    buf[o] = '\0';
    return o;
}

/* A repost: every `every`-th word replaced, a header and a footer added. */
static size_t repost(const char *src, char *out, size_t cap, unsigned every) {
    size_t o = (size_t)snprintf(out, cap, "BREAKING | Share this article\n");
    for (const char *p = src; *p && o + 48 < cap;) {
        size_t k = strcspn(p, " \n");
        if (rnd() % every == 0)
            o += (size_t)snprintf(out + o, cap - o, "changed ");
        else
            o += (size_t)snprintf(out + o, cap - o, "%.*s ", (int)k, p);
        p += k;
        while (*p == ' ' || *p == '\n') p++;
    }
    o += (size_t)snprintf(out + o, cap - o, "\nShare this article. Advertisement: subscribe now.\n");
    return o;
}

int main(int argc, char **argv) {
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    size_t nq = argc > 2 ? strtoul(argv[2], NULL, 10) : 2000;
    if (n < 10 || nq < 2) {
        fprintf(stderr, "usage: bench-text [N_TEXTS >= 10 [N_QUERIES >= 2]]\n");
        return 2;
    }
    enum { CAP = 4096 };
    vigil_text_sig *sigs = malloc(n * sizeof *sigs);
    int64_t *ids = malloc(n * sizeof *ids);
    uint64_t *seeds = malloc(n * sizeof *seeds);
    char *buf = malloc(CAP), *q = malloc(2 * CAP);
    vigil_text_sig *qs = malloc(nq * sizeof *qs);
    if (!sigs || !ids || !seeds || !buf || !q || !qs) return 1;
    vigil_err err;

    printf("bench-text: %zu texts of 80-400 words (Zipf vocabulary of %d words), %zu queries\n", n,
           VOCAB, nq);
    /* 1. fingerprints */
    size_t bytes = 0;
    double t0 = bench_now();
    for (size_t i = 0; i < n; i++) {
        seeds[i] = rng;
        size_t len = gen_text(buf, CAP);
        bytes += len;
        if (vigil_text_minhash(buf, len, &sigs[i], NULL, &err) != VIGIL_OK) {
            fprintf(stderr, "minhash: %s\n", err.msg);
            return 1;
        }
        ids[i] = (int64_t)i + 1;
    }
    double t_hash = bench_now() - t0;
    printf("fingerprint (normalise + shingle + MinHash-128): %.1f us/text, %.1f MB/s\n",
           t_hash / (double)n * 1e6, (double)bytes / t_hash / 1e6);

    /* 1b. real scripts: the 16-language paragraphs of the tests */
    {
        size_t sb = 0, reps = 200;
        double tf = 0, tl = 0;
        for (size_t r = 0; r < reps; r++) {
            for (size_t i = 0; i < LANG_SAMPLES_N; i++) {
                const char *t = lang_samples[i].text;
                size_t len = strlen(t);
                vigil_text_sig s;
                vigil_lang l;
                double a = bench_now();
                if (vigil_text_minhash(t, len, &s, NULL, &err) != VIGIL_OK) return 1;
                double b = bench_now();
                if (vigil_lang_detect(t, len, &l, &err) != VIGIL_OK) return 1;
                tl += bench_now() - b;
                tf += b - a;
                sb += len;
            }
        }
        printf("16-language paragraphs (%zu texts, %zu bytes): fingerprint %.1f MB/s, "
               "language identification %.1f MB/s\n",
               LANG_SAMPLES_N, sb / reps, (double)sb / tf / 1e6, (double)sb / tl / 1e6);
    }

    /* 2. index */
    vigil_text_index *ix = NULL;
    t0 = bench_now();
    if (vigil_text_index_new(VIGIL_TEXT_DEFAULT_MIN_SIMILARITY, &ix, &err) != VIGIL_OK ||
        vigil_text_index_add(ix, sigs, ids, n, &err) != VIGIL_OK) {
        fprintf(stderr, "index: %s\n", err.msg);
        return 1;
    }
    printf("LSH index build: %.2f s (%d bands of %d values, threshold %.2f)\n", bench_now() - t0,
           VIGIL_MINHASH_N / vigil_text_index_rows(ix), vigil_text_index_rows(ix),
           VIGIL_TEXT_DEFAULT_MIN_SIMILARITY);

    /* 3. queries: half reposts of bank texts (1 word in 3..30 replaced),
     * half new texts */
    for (size_t k = 0; k < nq; k++) {
        size_t len;
        if (k % 2 == 0) {
            size_t target = rnd() % n;
            uint64_t save = rng;
            rng = seeds[target];
            gen_text(buf, CAP);
            rng = save;
            len = repost(buf, q, 2 * CAP, 3 + rnd() % 28);
        } else {
            len = gen_text(q, 2 * CAP);
        }
        if (vigil_text_minhash(q, len, &qs[k], NULL, &err) != VIGIL_OK) return 1;
    }
    t0 = bench_now();
    size_t lsh_hits = 0;
    vigil_text_hit **hits = calloc(nq, sizeof *hits);
    size_t *nh = calloc(nq, sizeof *nh);
    if (!hits || !nh) return 1;
    for (size_t k = 0; k < nq; k++) {
        if (vigil_text_index_query(ix, &qs[k], VIGIL_TEXT_DEFAULT_MIN_SIMILARITY, &hits[k], &nh[k], &err) != VIGIL_OK)
            return 1;
        lsh_hits += nh[k];
    }
    double t_lsh = bench_now() - t0;
    /* the baseline: every signature compared */
    t0 = bench_now();
    size_t truth = 0, found = 0, band_truth[5] = {0}, band_found[5] = {0};
    double sim_sum = 0;
    for (size_t k = 0; k < nq; k++) {
        for (size_t i = 0; i < n; i++) {
            double s = vigil_text_similarity(&qs[k], &sigs[i]);
            if (s < VIGIL_TEXT_DEFAULT_MIN_SIMILARITY) continue;
            truth++;
            sim_sum += s;
            int band = s >= 1.0 ? 4 : (int)((s - 0.5) * 10); /* 0.5-0.6, ..., 0.9-1 */
            band_truth[band]++;
            for (size_t h = 0; h < nh[k]; h++)
                if (hits[k][h].id == ids[i]) {
                    found++;
                    band_found[band]++;
                }
        }
    }
    double t_brute = bench_now() - t0;
    printf("\n%-36s %12s %12s\n", "query (threshold 0.5)", "queries/s", "us/query");
    printf("%-36s %12.0f %12.1f\n", "LSH index", (double)nq / t_lsh, t_lsh / (double)nq * 1e6);
    printf("%-36s %12.0f %12.1f\n", "brute force (baseline, same run)", (double)nq / t_brute,
           t_brute / (double)nq * 1e6);
    printf("speed-up: %.0fx\n", t_brute / t_lsh);
    printf("recall vs brute force: %zu/%zu = %.4f (mean similarity of true matches %.2f); "
           "LSH returned %zu\n",
           found, truth, truth ? (double)found / (double)truth : 1.0, truth ? sim_sum / (double)truth : 0,
           lsh_hits);
    printf("recall by similarity:");
    for (int b = 0; b < 5; b++)
        printf(" %.1f-%.1f %zu/%zu%s", 0.5 + b / 10.0, b == 4 ? 1.0 : 0.6 + b / 10.0, band_found[b],
               band_truth[b], b < 4 ? "," : "\n");
    for (size_t k = 0; k < nq; k++) free(hits[k]);
    free(hits);
    free(nh);
    vigil_text_index_free(ix);

    /* 4. the same through a bank: CSV import, matcher open, match */
    vigil_store *st = NULL;
    if (vigil_store_open(":memory:", &st, &err) != VIGIL_OK ||
        vigil_bank_create(st, "bench", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err) != VIGIL_OK) {
        fprintf(stderr, "store: %s\n", err.msg);
        return 1;
    }
    char *csv = NULL;
    size_t csv_len = 0;
    FILE *mf = open_memstream(&csv, &csv_len);
    if (!mf) return 1;
    fputs("signal_type,signal_value\n", mf);
    for (size_t i = 0; i < n; i++) {
        char s[VIGIL_TEXT_SIG_LEN + 1];
        vigil_text_sig_format(&sigs[i], s);
        fprintf(mf, "text,%s\n", s);
    }
    fclose(mf);
    FILE *in = fmemopen(csv, csv_len, "r");
    vigil_import_report rep;
    t0 = bench_now();
    if (!in || vigil_bank_import(st, "bench", in, NULL, &rep, &err) != VIGIL_OK) {
        fprintf(stderr, "import: %s\n", err.msg);
        return 1;
    }
    fclose(in);
    double t_imp = bench_now() - t0;
    vigil_text_matcher *m = NULL;
    t0 = bench_now();
    if (vigil_text_matcher_open(st, NULL, &m, &err) != VIGIL_OK) {
        fprintf(stderr, "matcher: %s\n", err.msg);
        return 1;
    }
    double t_open = bench_now() - t0;
    size_t bank_hits = 0;
    t0 = bench_now();
    for (size_t k = 0; k < nq; k++) {
        vigil_text_match_result r;
        if (vigil_text_matcher_match(m, &qs[k], &r, &err) != VIGIL_OK) return 1;
        bank_hits += r.n;
        vigil_text_match_result_clear(&r);
    }
    double t_match = bench_now() - t0;
    printf("\nbank: import of %llu text entries (%.0f MB CSV) %.2f s; matcher open %.2f s; "
           "match %.0f queries/s (%zu matches, entries looked up)\n",
           (unsigned long long)rep.imported, (double)csv_len / 1e6, t_imp, t_open,
           (double)nq / t_match, bank_hits);
    vigil_text_matcher_free(m);
    vigil_store_close(st);
    free(csv);
    free(sigs);
    free(ids);
    free(seeds);
    free(buf);
    free(q);
    free(qs);
    return 0;
}
