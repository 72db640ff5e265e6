/*
 * src/hash/pdq_internal.h - the PDQ algorithm proper, from a float luma
 * buffer to the 256-bit hash(es) and quality.  Used by hasher.c, the tests
 * and the benchmark.
 */
#ifndef VIGIL_PDQ_INTERNAL_H
#define VIGIL_PDQ_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/hash.h"

/* Luma coefficients, as float, as the reference uses them. */
#define VIGIL__LUMA_R 0.299f
#define VIGIL__LUMA_G 0.587f
#define VIGIL__LUMA_B 0.114f

/* Images smaller than this on either side hash to all-zero bits, quality 0,
 * as in the reference. */
#define VIGIL__PDQ_MIN_DIM 5

/* The reference's command-line hasher resizes anything wider or taller than
 * this to exactly this many pixels square (nearest neighbour). */
#define VIGIL__PDQ_RESIZE 512

/* Scratch memory for hashing one luma image.  Zero-initialise; grows on
 * demand; free with vigil__pdq_work_free. */
typedef struct vigil__pdq_work {
    float *luma;   /* rows*cols: the input, filled by the caller        */
    float *tmp;    /* rows*cols                                          */
    float *narrow; /* rows*64                                            */
    float *tile;   /* 2 * 4 * max(cols, 64) * 8 (row-pass tiles)         */
    size_t cap_px, cap_rows, cap_cols;
} vigil__pdq_work;

/*! vigil__pdq_work_reserve() : make room for a rows x cols luma image.
 *  @return VIGIL_OK or VIGIL_ENOMEM (the work keeps its old buffers). */
vigil_status vigil__pdq_work_reserve(vigil__pdq_work *w, int rows, int cols, vigil_err *err);
void vigil__pdq_work_free(vigil__pdq_work *w);

/*! vigil__pdq_from_luma() :
 *  Hash w->luma (rows x cols, row-major; clobbered).  Writes the hash into
 *  out[0], or the 8 dihedral hashes into out[0..7] when `dihedral` is set
 *  (out[0] is then the original), and the quality into *quality.  Fast
 *  path: computes only the filtered values the 64x64 decimation reads, in
 *  exactly the reference's floating-point order (bit-identical output). */
/* (hidden explicitly: GCC gives target_clones' ifunc default visibility) */
__attribute__((visibility("hidden"))) void vigil__pdq_from_luma(vigil__pdq_work *w, int rows,
                                                                int cols, int dihedral,
                                                                vigil_pdq *out, int *quality);

/*! vigil__pdq_from_luma_plain() :
 *  The same result computed the plain way: two full passes of the Jarosz
 *  box filter over the whole image, one element at a time.  The portable
 *  baseline the tests compare the fast path against, and the benchmark's
 *  in-process baseline.  luma and tmp are rows*cols floats; luma clobbered. */
void vigil__pdq_from_luma_plain(float *luma, float *tmp, int rows, int cols, int dihedral,
                                vigil_pdq *out, int *quality);

/*! vigil__luma_pick() :
 *  dst[x] = luma of the pixel at byte offset off[x] of row `px` (row_bytes
 *  long, `ch` = 1, 3 or 4 channels), x < n; the reference's formula, bit
 *  exact (grey: the value itself).  Call vigil__pdq_init() first. */
void vigil__luma_pick(const uint8_t *px, size_t row_bytes, const int *off, int n, int ch,
                      float *dst);

/*! vigil__pdqf_64() : PDQF, PDQ before its thresholding: the 16x16 DCT of
 *  a 64x64 float luma image (TMK+PDQF's frame feature).  Thread-safe. */
void vigil__pdqf_64(const float a[64][64], float out[16][16]);

/*! vigil__pdq_init() : pick the kernels for this CPU, once (thread-safe).
 *  AVX2 where available unless $VIGIL_NO_SIMD is set; same bits either way. */
void vigil__pdq_init(void);

/*! vigil__pdq_set_simd() : force the SIMD kernels on (where the CPU has
 *  them) or off.  For tests and benchmarks; call while no hashing runs. */
void vigil__pdq_set_simd(int on);

#endif /* VIGIL_PDQ_INTERNAL_H */
