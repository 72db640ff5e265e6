/*
 * src/common/sum.h - a checksummed file stream for the index snapshots
 * (src/index/index.c, src/match/match.c): every block written or read is
 * folded into a 64-bit sum, so a damaged or truncated file is detected.
 */
#ifndef VIGIL_COMMON_SUM_H
#define VIGIL_COMMON_SUM_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct vigil__ckfile {
    FILE *f;
    uint64_t sum;
    int failed; /* a short read or write happened */
} vigil__ckfile;

/* Fold n bytes (and n itself) into *sum: a multiply-xor over 8-byte words. */
static inline void vigil__ck_mix(uint64_t *sum, const void *p, size_t n) {
    const unsigned char *b = p;
    uint64_t h = *sum ^ ((uint64_t)n * 0xff51afd7ed558ccdull);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ull;
        h ^= h >> 31;
    }
    for (; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    *sum = h;
}

/*! vigil__ck_write() / vigil__ck_read() : one block; @return 0, or -1 (then
 *  c->failed is set and later calls do nothing). */
static inline int vigil__ck_write(vigil__ckfile *c, const void *p, size_t n) {
    if (c->failed) return -1;
    if (n && fwrite(p, 1, n, c->f) != n) return c->failed = -1;
    vigil__ck_mix(&c->sum, p, n);
    return 0;
}

static inline int vigil__ck_read(vigil__ckfile *c, void *p, size_t n) {
    if (c->failed) return -1;
    if (n && fread(p, 1, n, c->f) != n) return c->failed = -1;
    vigil__ck_mix(&c->sum, p, n);
    return 0;
}

#endif /* VIGIL_COMMON_SUM_H */
