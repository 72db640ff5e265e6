/*
 * bench/bench_scale.c - the in-process half of `make bench-scale`
 * (bench/bench_scale.sh): on a store's banks, the full load every bank
 * change used to cost (the baseline) against one change applied as a delta
 * (vigil_matcher_sync), and the snapshot written and loaded, with the
 * process's memory before and after.
 *   bench-scale inproc DB SNAPSHOT   figures, one per line
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/bank.h"
#include "vigil/hash.h"
#include "vigil/match.h"
#include "vigil/store.h"

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

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
    double t0 = now_s();
    if (vigil_matcher_open(st, NULL, &m, &err) != VIGIL_OK) return fail("loading the banks", &err);
    double full = now_s() - t0;
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
        t0 = now_s();
        if (vigil_matcher_sync(m, NULL, &err) != VIGIL_OK) return fail("sync", &err);
        vigil_match_result r;
        if (vigil_matcher_pdq(m, &h, NULL, -1, &r, &err) != VIGIL_OK) return fail("match", &err);
        took[k] = now_s() - t0;
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
    t0 = now_s();
    if (vigil_matcher_save(m, snap, &err) != VIGIL_OK) return fail("saving the snapshot", &err);
    printf("snapshot_write_s %.3f\n", now_s() - t0);
    vigil_matcher_free(m);
    t0 = now_s();
    if (vigil_matcher_open_snapshot(st, NULL, snap, &s, &err) != VIGIL_OK)
        return fail("loading the snapshot", &err);
    printf("snapshot_load_s %.3f\n", now_s() - t0);
    FILE *f = fopen(snap, "rb");
    if (f && fseek(f, 0, SEEK_END) == 0) printf("snapshot_mib %.0f\n", (double)ftell(f) / 1048576.0);
    if (f) fclose(f);
    remove(snap);
    vigil_matcher_free(s);
    vigil_store_close(writer);
    vigil_store_close(st);
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 4 && strcmp(argv[1], "inproc") == 0) return inproc(argv[2], argv[3]);
    fprintf(stderr, "usage: bench-scale inproc DB SNAPSHOT\n");
    return 2;
}
