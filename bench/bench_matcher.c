/*
 * bench/bench_matcher.c - helpers of the HTTP benchmark (bench/bench_http.sh):
 *   bench-matcher gen N SEED          N random PDQ hashes, one per line (a bank import file)
 *   bench-matcher queries N SEED FILE  a wrk Lua table of N match bodies: each one random hash,
 *                                      one in ten a near copy (distance <= 8) of a line of FILE
 *   bench-matcher inproc DB SECONDS THREADS
 *                                      the matcher alone, in process: single-hash queries/s over
 *                                      the store's banks with THREADS threads (the ceiling the
 *                                      HTTP API is compared with)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "vigil/hash.h"
#include "vigil/match.h"
#include "vigil/store.h"

static uint64_t rng(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void rand_pdq(uint64_t *s, vigil_pdq *h) {
    for (int i = 0; i < 32; i += 8) {
        uint64_t v = rng(s);
        memcpy(h->bytes + i, &v, 8);
    }
}

typedef struct worker {
    vigil_matcher *m;
    const vigil_pdq *qs;
    size_t nq;
    double until;
    uint64_t done, hits;
} worker;

static void *run(void *arg) {
    worker *w = arg;
    vigil_match_result r;
    memset(&r, 0, sizeof r);
    size_t i = 0;
    while (bench_now() < w->until) {
        for (int k = 0; k < 64; k++, i++) {
            if (vigil_matcher_pdq(w->m, &w->qs[i % w->nq], NULL, -1, &r, NULL) == VIGIL_OK && r.n) w->hits++;
            vigil_match_result_clear(&r);
        }
        w->done += 64;
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc >= 4 && strcmp(argv[1], "gen") == 0) {
        size_t n = strtoull(argv[2], NULL, 10);
        uint64_t s = strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ull + 1;
        char hex[VIGIL_PDQ_HEX_LEN + 1];
        vigil_pdq h;
        for (size_t i = 0; i < n; i++) {
            rand_pdq(&s, &h);
            vigil_pdq_to_hex(&h, hex);
            fputs(hex, stdout);
            fputc('\n', stdout);
        }
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "queries") == 0) {
        size_t n = strtoull(argv[2], NULL, 10);
        uint64_t s = strtoull(argv[3], NULL, 10) * 0x9E3779B97F4A7C15ull + 7;
        FILE *f = fopen(argv[4], "r");
        if (!f) return 1;
        char line[128];
        size_t nl = 0;
        vigil_pdq bank[1000];
        while (nl < 1000 && fgets(line, sizeof line, f))
            if (vigil_pdq_from_hex(line, &bank[nl], NULL) == VIGIL_OK) nl++;
        fclose(f);
        printf("bodies = {\n");
        char hex[VIGIL_PDQ_HEX_LEN + 1];
        for (size_t i = 0; i < n; i++) {
            vigil_pdq h;
            if (nl && i % 10 == 0) {
                h = bank[rng(&s) % nl];
                for (int k = 0; k < 8; k++) h.bytes[rng(&s) % 32] ^= (uint8_t)(1u << (rng(&s) % 8));
            } else {
                rand_pdq(&s, &h);
            }
            vigil_pdq_to_hex(&h, hex);
            printf("  '{\"hashes\":[\"pdq:%s\"]}',\n", hex);
        }
        printf("}\n");
        return 0;
    }
    if (argc >= 5 && strcmp(argv[1], "inproc") == 0) {
        vigil_store *st = NULL;
        vigil_matcher *m = NULL;
        vigil_err err;
        vigil_match_opts o;
        vigil_match_opts_init(&o);
        double t0 = bench_now();
        if (vigil_store_open(argv[2], &st, &err) != VIGIL_OK || vigil_matcher_open(st, &o, &m, &err) != VIGIL_OK) {
            fprintf(stderr, "bench-matcher: %s\n", err.msg);
            return 1;
        }
        double load = bench_now() - t0;
        int threads = atoi(argv[4]);
        if (threads < 1 || threads > 64) threads = 1;
        size_t nq = 4096;
        vigil_pdq *qs = malloc(nq * sizeof *qs);
        uint64_t s = 99;
        for (size_t i = 0; i < nq; i++) rand_pdq(&s, &qs[i]);
        worker w[64];
        pthread_t th[64];
        double until = bench_now() + atof(argv[3]);
        t0 = bench_now();
        for (int i = 0; i < threads; i++) {
            w[i] = (worker){m, qs, nq, until, 0, 0};
            pthread_create(&th[i], NULL, run, &w[i]);
        }
        uint64_t total = 0;
        for (int i = 0; i < threads; i++) {
            pthread_join(th[i], NULL);
            total += w[i].done;
        }
        double secs = bench_now() - t0;
        printf("in-process matcher: %zu entries (loaded in %.1f s), %d thread(s): %.0f queries/s\n",
               vigil_matcher_entries(m), load, threads, (double)total / secs);
        free(qs);
        vigil_matcher_free(m);
        vigil_store_close(st);
        return 0;
    }
    fprintf(stderr, "usage: bench-matcher gen N SEED | queries N SEED BANKFILE | inproc DB SECONDS THREADS\n");
    return 2;
}
