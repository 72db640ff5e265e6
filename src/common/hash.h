/*
 * src/common/hash.h - FNV-1a over text, for the in-memory tables keyed by
 * strings (bank.c's label counters, report.c's counts, tally.c's running
 * totals): one copy of the constants and the loop.
 */
#ifndef VIGIL_COMMON_HASH_H
#define VIGIL_COMMON_HASH_H

#include <stdint.h>

#define VIGIL__FNV_BASIS 1469598103934665603ull

/*! vigil__fnv1a() : `h` (VIGIL__FNV_BASIS to start) with the bytes of the
 *  NUL-terminated `s` folded in; chain calls to hash several strings.
 *  @return the new hash. */
static inline uint64_t vigil__fnv1a(uint64_t h, const char *s) {
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

#endif /* VIGIL_COMMON_HASH_H */
