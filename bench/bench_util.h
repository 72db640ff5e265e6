/*
 * bench/bench_util.h - what the benchmarks measure with: a monotonic clock in
 * seconds and the process's resident memory, one copy for every bench_*.c.
 */
#ifndef VIGIL_BENCH_UTIL_H
#define VIGIL_BENCH_UTIL_H

#include <stdio.h>
#include <time.h>
#include <unistd.h>

/*! bench_now() :
 *  @return seconds on the monotonic clock; only differences mean anything. */
static inline double bench_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*! bench_rss_mb() :
 *  @return this process's resident memory in MB (10^6 bytes), from
 *          /proc/self/statm; 0 when that cannot be read. */
static inline double bench_rss_mb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, res = 0;
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
        fclose(f);
    }
    return (double)res * (double)sysconf(_SC_PAGESIZE) / 1e6;
}

#endif /* VIGIL_BENCH_UTIL_H */
