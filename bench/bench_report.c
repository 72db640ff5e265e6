/*
 * bench/bench_report.c - the operation report right after a change: each
 * run files one item (so nothing can be given again from a memo) and then
 * times vigil_report_op, which reads the operation's running totals, its
 * referrals and its removals; the baseline, in the same run, is counting
 * the same figures from every row of the operation (vigil__tally_rebuild
 * for that operation, in a transaction rolled back: the work a report
 * without totals does at the least).  Wall and thread CPU time, median
 * and worst of the runs, and the ratio.
 *
 *   bench-report [--db STORE] [--items N] [--runs R]
 *
 * Without --db a new store gets `vigil demo --items N` (default 20000
 * reports); `make bench-report` passes build/bench-ui-100000.db when
 * `make bench-ui` has built it.  The store is changed (one item a run).
 */
#define _GNU_SOURCE /* mkdtemp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "store/store_internal.h"
#include "vigil/case.h"
#include "vigil/store.h"

#define MAX_RUNS 101
#define OP "demo-action-day"

static double cpu_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int fail(const char *what, const vigil_err *err) {
    fprintf(stderr, "bench-report: %s: %s\n", what, err->msg);
    return 1;
}

int main(int argc, char **argv) {
    const char *db = NULL;
    int items = 20000, runs = 7;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) db = argv[++i];
        else if (strcmp(argv[i], "--items") == 0 && i + 1 < argc) items = atoi(argv[++i]);
        else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) runs = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: bench-report [--db STORE] [--items N] [--runs R]\n");
            return 2;
        }
    }
    if (runs < 1 || runs > MAX_RUNS || items < 10) {
        fprintf(stderr, "bench-report: --runs 1..%d, --items at least 10\n", MAX_RUNS);
        return 2;
    }
    char dir[] = "/tmp/vigil-bench-report-XXXXXX", path[512];
    vigil_err err;
    vigil_store *st = NULL;
    if (!db) {
        if (!mkdtemp(dir)) return perror("mkdtemp"), 1;
        snprintf(path, sizeof path, "%s/report.db", dir);
        db = path;
        if (vigil_store_open(db, &st, &err) != VIGIL_OK) return fail(db, &err);
        printf("building the store: vigil demo --items %d ...\n", items);
        fflush(stdout);
        double t0 = bench_now();
        if (vigil_demo(st, (size_t)items, 1, &err) != VIGIL_OK) return fail("demo", &err);
        printf("  %.1f s\n", bench_now() - t0);
    } else if (vigil_store_open(db, &st, &err) != VIGIL_OK) {
        return fail(db, &err);
    }
    int64_t op = 0;
    if (vigil__q_int(st, "SELECT id FROM operation WHERE name = ?1", &op, &err, "t", OP) != VIGIL_OK)
        return fail("the operation " OP, &err);
    json_t *r = NULL;
    if (vigil_report_op(st, NULL, OP, &r, &err) != VIGIL_OK) return fail("report", &err);
    printf("%s: %lld items, %lld reports, %lld referrals, %lld removed\n", db,
           (long long)json_integer_value(json_object_get(r, "items")),
           (long long)json_integer_value(json_object_get(r, "reports")),
           (long long)json_integer_value(json_object_get(r, "referrals")),
           (long long)json_integer_value(json_object_get(r, "removed")));
    json_decref(r);
    double rep_w[MAX_RUNS], rep_c[MAX_RUNS], cnt_w[MAX_RUNS], cnt_c[MAX_RUNS], worst[4] = {0};
    for (int i = 0; i < runs; i++) {
        char url[96];
        snprintf(url, sizeof url, "https://t.me/benchreport/%ld%d", (long)time(NULL), i);
        vigil_item_input in = {.op = OP, .url = url, .type = "post"};
        if (vigil_item_add(st, NULL, &in, NULL, &err) != VIGIL_OK) return fail("item add", &err);
        double w = bench_now(), c = cpu_now();
        if (vigil_report_op(st, NULL, OP, &r, &err) != VIGIL_OK) return fail("report", &err);
        rep_w[i] = bench_now() - w;
        rep_c[i] = cpu_now() - c;
        json_decref(r);
        w = bench_now(), c = cpu_now();
        vigil_status rc = vigil__store_begin(st, &err);
        if (rc == VIGIL_OK) rc = vigil__tally_rebuild(st, op, &err);
        vigil__store_rollback(st);
        if (rc != VIGIL_OK) return fail("count from the rows", &err);
        cnt_w[i] = bench_now() - w;
        cnt_c[i] = cpu_now() - c;
        double *v[4] = {&rep_w[i], &rep_c[i], &cnt_w[i], &cnt_c[i]};
        for (int k = 0; k < 4; k++)
            if (*v[k] > worst[k]) worst[k] = *v[k];
    }
    double m_rw = median(rep_w, runs), m_rc = median(rep_c, runs);
    double m_cw = median(cnt_w, runs), m_cc = median(cnt_c, runs);
    printf("%d runs, each after one new item (median / worst, ms)\n", runs);
    printf("  %-44s wall %7.1f / %7.1f   cpu %7.1f / %7.1f\n", "report (running totals)", m_rw * 1e3,
           worst[0] * 1e3, m_rc * 1e3, worst[1] * 1e3);
    printf("  %-44s wall %7.1f / %7.1f   cpu %7.1f / %7.1f\n", "baseline: the same counts from every row",
           m_cw * 1e3, worst[2] * 1e3, m_cc * 1e3, worst[3] * 1e3);
    printf("  the report takes %.3fx the baseline's wall time (%.1fx faster)\n", m_rw / m_cw,
           m_cw / m_rw);
    vigil_store_close(st);
    if (db == path) {
        char rm[600];
        snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
        if (system(rm) != 0) fprintf(stderr, "bench-report: could not remove %s\n", dir);
    }
    return 0;
}
