/*
 * bench/bench_util.h - what the benchmarks measure with: a monotonic clock in
 * seconds, the process's resident memory and a reproducible random stream,
 * one copy for every bench_*.c.
 */
#ifndef VIGIL_BENCH_UTIL_H
#define VIGIL_BENCH_UTIL_H

#include <stdint.h>
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

/*! bench_rnd32() : the next step of the xorshift64 stream `*s` (seed it
 *  non-zero), as 32 of its bits: reproducible inputs for every run.
 *  @return the value. */
static inline uint32_t bench_rnd32(uint64_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (uint32_t)(*s >> 16);
}

#endif /* VIGIL_BENCH_UTIL_H */
