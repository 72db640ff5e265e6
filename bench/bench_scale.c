/*
 * bench/bench_scale.c - the in-process half of `make bench-scale`
 * (bench/bench_scale.sh): on a store's banks, the full load every bank
 * change used to cost (the baseline) against one change applied as a delta
 * (vigil_matcher_sync), and the snapshot written and loaded, with the
 * process's memory before and after.
 *   bench-scale inproc DB SNAPSHOT   figures, one per line
 * and the load of the several-instances rows: THREADS clients, each with
 * one kept-alive connection, sending for SECONDS either single-hash
 * POST /v1/match requests or item reports (POST /v1/items) round-robin to
 * the instances' PORTs; it prints the answered requests per second.
 *   bench-scale load match|item SECONDS THREADS TOKEN PORT...
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench_util.h"
#include "vigil/bank.h"
#include "vigil/hash.h"
#include "vigil/match.h"
#include "vigil/store.h"

/* A line of /proc/self/status in MiB ("VmRSS", "VmHWM"). */
static double mem_mib(const char *key) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double v = -1;
    size_t n = strlen(key);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, n) == 0 && line[n] == ':') v = atof(line + n + 1) / 1024.0;
    if (f) fclose(f);
    return v;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fail(const char *what, const vigil_err *err) {
    fprintf(stderr, "bench-scale: %s: %s\n", what, err->msg);
    return 1;
}

static int inproc(const char *db, const char *snap) {
    vigil_store *st = NULL, *writer = NULL;
    vigil_matcher *m = NULL, *s = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_store_open(db, &st, &err) != VIGIL_OK || vigil_store_open(db, &writer, &err) != VIGIL_OK)
        return fail(db, &err);
    double t0 = bench_now();
    if (vigil_matcher_open(st, NULL, &m, &err) != VIGIL_OK) return fail("loading the banks", &err);
    double full = bench_now() - t0;
    size_t n = vigil_matcher_entries(m);
    double rss0 = mem_mib("VmRSS"), hwm0 = mem_mib("VmHWM");
    printf("entries %zu\n", n);
    printf("full_load_s %.3f\n", full);
    printf("rss_mib %.0f\n", rss0);
    /* five single changes, each through another store handle, then one sync */
    double took[5];
    uint64_t seed = 0x5ca1ab1eull ^ (uint64_t)time(NULL);
    int64_t ids[5];
    for (int k = 0; k < 5; k++) {
        vigil_pdq h;
        for (int i = 0; i < 32; i += 8) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            memcpy(h.bytes + i, &seed, 8);
        }
        char hex[65];
        vigil_pdq_to_hex(&h, hex);
        vigil_entry_spec spec = {VIGIL_SIGNAL_PDQ, hex, "", NULL};
        if (vigil_bank_add(writer, "bench", &spec, &ids[k], NULL, &err) != VIGIL_OK)
            return fail("adding an entry", &err);
        t0 = bench_now();
        if (vigil_matcher_sync(m, NULL, &err) != VIGIL_OK) return fail("sync", &err);
        vigil_match_result r;
        if (vigil_matcher_pdq(m, &h, NULL, -1, &r, &err) != VIGIL_OK) return fail("match", &err);
        took[k] = bench_now() - t0;
        int found = r.n == 1 && r.matches[0].entry_id == ids[k];
        vigil_match_result_clear(&r);
        if (!found) {
            fprintf(stderr, "bench-scale: the added entry did not match\n");
            return 1;
        }
    }
    qsort(took, 5, sizeof *took, cmp_d);
    printf("delta_ms_median %.3f\n", took[2] * 1000);
    printf("delta_ms_max %.3f\n", took[4] * 1000);
    printf("rss_after_changes_mib %.0f\n", mem_mib("VmRSS"));
    printf("peak_growth_during_changes_mib %.0f\n", mem_mib("VmHWM") - hwm0);
    for (int k = 0; k < 5; k++) (void)vigil_bank_remove(writer, "bench", ids[k], NULL);
    t0 = bench_now();
    if (vigil_matcher_save(m, snap, &err) != VIGIL_OK) return fail("saving the snapshot", &err);
    printf("snapshot_write_s %.3f\n", bench_now() - t0);
    vigil_matcher_free(m);
    t0 = bench_now();
    if (vigil_matcher_open_snapshot(st, NULL, snap, &s, &err) != VIGIL_OK)
        return fail("loading the snapshot", &err);
    printf("snapshot_load_s %.3f\n", bench_now() - t0);
    FILE *f = fopen(snap, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0) printf("snapshot_mib %.0f\n", (double)ftell(f) / 1048576.0);
    if (f) fclose(f);
    remove(snap);
    vigil_matcher_free(s);
    vigil_store_close(writer);
    vigil_store_close(st);
    return 0;
}

/* ---- the load of the several-instances rows ---- */

typedef struct load_arg {
    int item; /* 1: item reports, 0: single-hash matches */
    int id;   /* the client's number */
    double until;
    const char *token;
    char **ports;
    int nports;
    long ok, failed;
} load_arg;

static size_t discard(char *p, size_t size, size_t n, void *ctx) {
    (void)p;
    (void)ctx;
    return size * n;
}

static void *load_main(void *arg) {
    load_arg *a = arg;
    CURL *c = curl_easy_init();
    if (!c) return NULL;
    char auth[256], url[128], body[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", a->token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
    unsigned long long x = 0x9e3779b97f4a7c15ull * (unsigned long long)(a->id + 1);
    for (long k = 0; bench_now() < a->until; k++) {
        const char *port = a->ports[(a->id + k) % a->nports];
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if (a->item) {
            snprintf(url, sizeof url, "http://127.0.0.1:%s/v1/items", port);
            snprintf(body, sizeof body, "{\"op\":\"benchop\",\"url\":\"https://t.me/bench%d/%llu\"}", a->id,
                     x % 1000000000ull);
        } else {
            snprintf(url, sizeof url, "http://127.0.0.1:%s/v1/match", port);
            snprintf(body, sizeof body, "{\"hashes\":[\"pdq:%016llx%016llx%016llx%016llx\"]}", x, ~x,
                     x * 3, x * 5);
        }
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        long code = 0;
        if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        if (code == 200 || code == 201) a->ok++;
        else a->failed++;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return NULL;
}

static int load(int argc, char **argv) {
    int item = strcmp(argv[2], "item") == 0;
    double secs = atof(argv[3]);
    int threads = atoi(argv[4]);
    if (threads < 1 || threads > 256 || secs <= 0) return 2;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    load_arg *a = calloc((size_t)threads, sizeof *a);
    pthread_t *t = calloc((size_t)threads, sizeof *t);
    if (!a || !t) {
        free(a);
        free(t);
        return 1;
    }
    double t0 = bench_now();
    for (int i = 0; i < threads; i++) {
        a[i] = (load_arg){item, i, t0 + secs, argv[5], argv + 6, argc - 6, 0, 0};
        pthread_create(&t[i], NULL, load_main, &a[i]);
    }
    long ok = 0, failed = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        ok += a[i].ok;
        failed += a[i].failed;
    }
    double el = bench_now() - t0;
    printf("%.0f %ld\n", (double)ok / el, failed);
    free(a);
    free(t);
    curl_global_cleanup();
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "inproc") == 0) return inproc(argv[2], argv[3]);
    if (argc >= 7 && strcmp(argv[1], "load") == 0) return load(argc, argv);
    fprintf(stderr, "usage: bench-scale inproc DB SNAPSHOT\n"
                    "       bench-scale load match|item SECONDS THREADS TOKEN PORT...\n");
    return 2;
}
