/*
 * src/index/scan.h - distance kernels for the index: which of n stored
 * hashes lie within a radius of a query (linear scans), with CPU-specific
 * versions chosen at run time and a portable one the tests compare against.
 */
#ifndef VIGIL_INDEX_SCAN_H
#define VIGIL_INDEX_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/hash.h"

/* Writes the positions i < n with distance(h[i], q) <= maxd into pos[] and
 * their distances into dist[] (both with room for n), returns how many.
 * h must be 32-byte aligned. */
typedef size_t (*vigil__scan_fn)(const vigil_pdq *h, size_t n, const vigil_pdq *q, int maxd,
                                 uint32_t *pos, uint16_t *dist);

/* The best kernel for this CPU (AVX-512 VPOPCNTQ, AVX2, POPCNT, portable),
 * unless $VIGIL_NO_SIMD is set.  Thread-safe. */
vigil__scan_fn vigil__scan_best(void);
/* The portable kernel. */
size_t vigil__scan_portable(const vigil_pdq *h, size_t n, const vigil_pdq *q, int maxd,
                            uint32_t *pos, uint16_t *dist);
/* Name of the kernel vigil__scan_best() returns ("avx512", "avx2", ...). */
const char *vigil__scan_best_name(void);

/* Distance of two hashes with the POPCNT instruction when the CPU has it. */
typedef int (*vigil__dist_fn)(const vigil_pdq *a, const vigil_pdq *b);
vigil__dist_fn vigil__dist_best(void);

#endif /* VIGIL_INDEX_SCAN_H */
