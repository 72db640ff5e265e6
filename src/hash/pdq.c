/*
 * src/hash/pdq.c - the PDQ perceptual hash (Meta's published algorithm):
 * float luma -> two-pass Jarosz box filter -> 64x64 decimation -> 16x16 DCT
 * (DC row/column dropped) -> median threshold; quality from 64x64 gradients.
 *
 * Bit-exactness: every filtered value is produced by the same sequence of
 * float additions, subtractions and divisions as the reference computes it,
 * so the fast path may skip work (values the decimation never reads) and
 * reorder *independent* computations (vectorising across rows or columns),
 * but never reassociate a sum.  Built with -ffp-contract=off (no FMA).
 */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "hash/pdq_internal.h"

#define LANES 8 /* rows processed together in a row pass */

/* ---- DCT matrix --------------------------------------------------------- */

static float dct_m[16][64];  /* D[i][k] = sqrt(2/64) cos(pi/128 (i+1)(2k+1)) */
static float dct_mt[64][16]; /* its transpose                                */
static pthread_once_t dct_once = PTHREAD_ONCE_INIT;

static void dct_init(void) {
    const double pi = 3.14159265358979323846;
    const double scale = sqrt(2.0 / 64.0);
    for (int i = 0; i < 16; i++) {
        for (int k = 0; k < 64; k++) {
            dct_m[i][k] = (float)(scale * cos((pi / 2 / 64.0) * (i + 1) * (2 * k + 1)));
            dct_mt[k][i] = dct_m[i][k];
        }
    }
}

/* ---- shared pieces ------------------------------------------------------ */

/* Box window for a side of `dim` pixels when targeting 64 samples. */
static int jarosz_window(int dim) { return (dim + 2 * 64 - 1) / (2 * 64); }

/* The 64 positions the decimation reads along a side of n. */
static void sample_positions(int n, int pos[64]) {
    for (int i = 0; i < 64; i++) pos[i] = (int)(((i + 0.5) * n) / 64);
}

/* Quality: sum of truncated, scaled absolute neighbour differences / 90. */
static int quality_metric(const float a[64][64]) {
    int sum = 0;
    for (int i = 0; i < 63; i++) {
        for (int j = 0; j < 64; j++) {
            int d = (int)(((a[i][j] - a[i + 1][j]) * 100) / 255);
            sum += d < 0 ? -d : d;
        }
    }
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 63; j++) {
            int d = (int)(((a[i][j] - a[i][j + 1]) * 100) / 255);
            sum += d < 0 ? -d : d;
        }
    }
    int q = sum / 90;
    return q > 100 ? 100 : q;
}

/* B = D A D^T, each sum accumulated in increasing k, as the reference does. */
static void dct_64_to_16(const float a[64][64], float b[16][16]) {
    float t[16][64];
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 64; j++) t[i][j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            const float d = dct_m[i][k];
            for (int j = 0; j < 64; j++) t[i][j] += d * a[k][j];
        }
    }
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) b[i][j] = 0.0f;
        for (int k = 0; k < 64; k++) {
            const float v = t[i][k];
            for (int j = 0; j < 16; j++) b[i][j] += v * dct_mt[k][j];
        }
    }
}

/* The k-th smallest of v[0..n) (v is permuted).  Quickselect. */
static float kth_smallest(float *v, int n, int k) {
    int lo = 0, hi = n - 1;
    while (lo < hi) {
        float pivot = v[(lo + hi) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                float t = v[i];
                v[i] = v[j];
                v[j] = t;
                i++;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return v[k];
    }
    return v[k];
}

/* Threshold at the lower median (128th smallest); bit i*16+j is word i, bit j. */
static void dct_to_bits(const float b[16][16], vigil_pdq *out) {
    float tmp[256];
    memcpy(tmp, b, sizeof tmp);
    const float median = kth_smallest(tmp, 256, 127);
    memset(out->bytes, 0, sizeof out->bytes);
    for (int i = 0; i < 16; i++) {
        for (int j = 0; j < 16; j++) {
            if (b[i][j] > median) {
                int byte = 2 * (15 - i) + (j < 8 ? 1 : 0);
                out->bytes[byte] |= (uint8_t)(1u << (j & 7));
            }
        }
    }
}

/* The 8 dihedral variants from one DCT.  For basis index u = i + 1, a mirror
 * along an axis multiplies coefficient u by (-1)^u, i.e. negates even i;
 * a transpose swaps the roles of i and j. */
static void dct_to_hashes(const float b[16][16], int dihedral, vigil_pdq *out) {
    dct_to_bits(b, &out[0]);
    if (!dihedral) return;
    /* {transpose, negate even rows, negate even columns} per variant of the
     * *image* transform, expressed on the source coefficients. */
    static const struct {
        int transpose, neg_i, neg_j;
    } var[VIGIL_DIH_COUNT] = {
        [VIGIL_DIH_ORIGINAL] = {0, 0, 0},   [VIGIL_DIH_ROTATE90] = {1, 0, 1},
        [VIGIL_DIH_ROTATE180] = {0, 1, 1},  [VIGIL_DIH_ROTATE270] = {1, 1, 0},
        [VIGIL_DIH_FLIPX] = {0, 1, 0},      [VIGIL_DIH_FLIPY] = {0, 0, 1},
        [VIGIL_DIH_FLIP_PLUS1] = {1, 0, 0}, [VIGIL_DIH_FLIP_MINUS1] = {1, 1, 1},
    };
    for (int v = 1; v < VIGIL_DIH_COUNT; v++) {
        float t[16][16];
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j < 16; j++) {
                /* output (i,j) reads source (si,sj) */
                int si = var[v].transpose ? j : i, sj = var[v].transpose ? i : j;
                float x = b[si][sj];
                if (var[v].neg_i && (si & 1) == 0) x = -x;
                if (var[v].neg_j && (sj & 1) == 0) x = -x;
                t[i][j] = x;
            }
        }
        dct_to_bits(t, &out[v]);
    }
}

static void finish(const float a[64][64], int dihedral, vigil_pdq *out, int *quality) {
    float b[16][16];
    pthread_once(&dct_once, dct_init);
    *quality = quality_metric(a);
    dct_64_to_16(a, b);
    dct_to_hashes(b, dihedral, out);
}

void vigil__pdqf_64(const float a[64][64], float out[16][16]) {
    pthread_once(&dct_once, dct_init);
    dct_64_to_16(a, out);
}

static void too_small(int dihedral, vigil_pdq *out, int *quality) {
    int n = dihedral ? VIGIL_DIH_COUNT : 1;
    for (int v = 0; v < n; v++) memset(out[v].bytes, 0, sizeof out[v].bytes);
    *quality = 0;
}

/* ---- the plain path ----------------------------------------------------- */

/* One box filter over a strided vector, in four phases: fill the first half
 * window without writing, grow the window while writing, slide it, shrink it. */
static void box1d_plain(const float *in, float *out, int n, int stride, int w) {
    const int half = (w + 2) / 2;
    const int p1 = half - 1, p2 = w - half + 1, p3 = n - w, p4 = half - 1;
    int li = 0, ri = 0, oi = 0, cnt = 0;
    float sum = 0.0f;
    for (int i = 0; i < p1; i++, ri += stride) {
        sum += in[ri];
        cnt++;
    }
    for (int i = 0; i < p2; i++, ri += stride, oi += stride) {
        sum += in[ri];
        cnt++;
        out[oi] = sum / (float)cnt;
    }
    for (int i = 0; i < p3; i++, li += stride, ri += stride, oi += stride) {
        sum += in[ri];
        sum -= in[li];
        out[oi] = sum / (float)cnt;
    }
    for (int i = 0; i < p4; i++, li += stride, oi += stride) {
        sum -= in[li];
        cnt--;
        out[oi] = sum / (float)cnt;
    }
}

void vigil__pdq_from_luma_plain(float *luma, float *tmp, int rows, int cols, int dihedral,
                                vigil_pdq *out, int *quality) {
    if (rows < VIGIL__PDQ_MIN_DIM || cols < VIGIL__PDQ_MIN_DIM) {
        too_small(dihedral, out, quality);
        return;
    }
    const int wr = jarosz_window(cols), wc = jarosz_window(rows);
    for (int pass = 0; pass < 2; pass++) {
        for (int r = 0; r < rows; r++)
            box1d_plain(luma + (size_t)r * cols, tmp + (size_t)r * cols, cols, 1, wr);
        for (int c = 0; c < cols; c++) box1d_plain(tmp + c, luma + c, rows, cols, wc);
    }
    float a[64][64];
    int pr[64], pc[64];
    sample_positions(rows, pr);
    sample_positions(cols, pc);
    for (int i = 0; i < 64; i++)
        for (int j = 0; j < 64; j++) a[i][j] = luma[(size_t)pr[i] * cols + pc[j]];
    finish(a, dihedral, out, quality);
}

/* ---- the fast path ------------------------------------------------------ */

/* 1/n when n is a power of two, else 0.  Then x / n and x * (1/n) are the
 * same float: 1/n is exact, and both are the correctly rounded value of the
 * same real number x/n.  So the sliding phase, where the count is the window
 * (4 for a 512-pixel side), multiplies instead of dividing: same bits, and a
 * multiplication costs less than a division. */
static inline float pow2_reciprocal(int n) {
    return n > 0 && (n & (n - 1)) == 0 ? 1.0f / (float)n : 0.0f;
}

/* Box-filter L independent lanes at once.  Element (position p, lane l) is
 * in[p*ls + l], so lanes are contiguous and the inner loops vectorise; each
 * lane sees exactly box1d_plain's operations.  Writes out[q*ols + l] for
 * every position (q = p) when sel is NULL, else only at the positions listed
 * in sel[0..63] (ascending, repeats allowed), with q the index in sel. */
static inline __attribute__((always_inline)) void box_lanes(const float *restrict in, size_t ls, float *restrict out, size_t ols, int n,
                      int L, int w, const int *sel, float *restrict sum) {
    const int half = (w + 2) / 2;
    const int p1 = half - 1, p2 = w - half + 1, p3 = n - w, p4 = half - 1;
    int li = 0, ri = 0, oi = 0, cnt = 0, next = 0;
    for (int l = 0; l < L; l++) sum[l] = 0.0f;

/* write lane sums divided by cnt (QUOT: the lane's quotient) at output
 * position oi, if wanted */
#define EMIT_Q(QUOT)                                                                           \
    do {                                                                                       \
        if (!sel) {                                                                            \
            float *restrict o = out + (size_t)oi * ols;                                        \
            const float c = (float)cnt;                                                        \
            (void)c;                                                                           \
            for (int l = 0; l < L; l++) o[l] = QUOT;                                           \
        } else {                                                                               \
            while (next < 64 && sel[next] == oi) {                                             \
                float *restrict o = out + (size_t)next * ols;                                  \
                const float c = (float)cnt;                                                    \
                (void)c;                                                                       \
                for (int l = 0; l < L; l++) o[l] = QUOT;                                       \
                next++;                                                                        \
            }                                                                                  \
        }                                                                                      \
    } while (0)
#define EMIT() EMIT_Q(sum[l] / c)

    for (int i = 0; i < p1; i++, ri++) {
        const float *restrict x = in + (size_t)ri * ls;
        for (int l = 0; l < L; l++) sum[l] += x[l];
        cnt++;
    }
    for (int i = 0; i < p2; i++, ri++, oi++) {
        const float *restrict x = in + (size_t)ri * ls;
        for (int l = 0; l < L; l++) sum[l] += x[l];
        cnt++;
        EMIT();
    }
    const float rcp = pow2_reciprocal(w); /* cnt == w while sliding */
    for (int i = 0; i < p3; i++, li++, ri++, oi++) {
        const float *restrict x = in + (size_t)ri * ls;
        const float *restrict y = in + (size_t)li * ls;
        if (!sel) {
            /* every position written: update and write in one sweep */
            float *restrict o = out + (size_t)oi * ols;
            if (rcp != 0.0f) {
                for (int l = 0; l < L; l++) {
                    float t = sum[l] + x[l];
                    t -= y[l];
                    sum[l] = t;
                    o[l] = t * rcp;
                }
            } else {
                const float c = (float)cnt;
                for (int l = 0; l < L; l++) {
                    float t = sum[l] + x[l];
                    t -= y[l];
                    sum[l] = t;
                    o[l] = t / c;
                }
            }
            continue;
        }
        for (int l = 0; l < L; l++) {
            sum[l] += x[l];
            sum[l] -= y[l];
        }
        if (next >= 64 || sel[next] != oi) continue;
        if (rcp != 0.0f)
            EMIT_Q(sum[l] * rcp);
        else
            EMIT();
    }
    for (int i = 0; i < p4; i++, li++, oi++) {
        const float *restrict y = in + (size_t)li * ls;
        for (int l = 0; l < L; l++) sum[l] -= y[l];
        cnt--;
        EMIT();
    }
#undef EMIT
#undef EMIT_Q
}

/* box_lanes for T tiles of exactly LANES contiguous lanes each (transposed
 * row tiles; tile t at in + t*istep, written at out + t*ostep), with each
 * tile's running sums held in one vector register.  Several tiles at once:
 * each tile's sum is a chain of dependent additions, so filtering T of them
 * together keeps T chains in flight instead of waiting on one.  GCC/Clang
 * vector extensions: element-wise IEEE operations, so the same bits as the
 * scalar code; SSE pairs on baseline x86-64, one AVX register in the AVX2
 * clone. */
typedef float v8sf __attribute__((vector_size(LANES * sizeof(float))));

#define TILES 4 /* row tiles filtered together */

static inline __attribute__((always_inline)) void box_tiles(const float *restrict in,
                                                            size_t istep, float *restrict out,
                                                            size_t ostep, int T, int n, int w,
                                                            const int *sel) {
    const int half = (w + 2) / 2;
    const int p1 = half - 1, p2 = w - half + 1, p3 = n - w, p4 = half - 1;
    int li = 0, ri = 0, oi = 0, cnt = 0, next = 0;
    v8sf sum[TILES];
    for (int t = 0; t < T; t++) sum[t] = (v8sf){0, 0, 0, 0, 0, 0, 0, 0};
#define LOAD8(v, t, pos) memcpy(&(v), in + (size_t)(t) * istep + (size_t)(pos) * LANES, sizeof(v))
#define STORE8(t, q, val)                                                                      \
    do {                                                                                       \
        const v8sf s_ = (val);                                                                 \
        memcpy(out + (size_t)(t) * ostep + (size_t)(q) * LANES, &s_, sizeof s_);               \
    } while (0)
/* write each tile's sums divided by cnt (QUOT: tile t's quotient) at output
 * position oi, if wanted */
#define EMIT8_Q(QUOT)                                                                          \
    do {                                                                                       \
        if (!sel) {                                                                            \
            for (int t = 0; t < T; t++) STORE8(t, oi, QUOT);                                   \
        } else {                                                                               \
            while (next < 64 && sel[next] == oi) {                                             \
                for (int t = 0; t < T; t++) STORE8(t, next, QUOT);                             \
                next++;                                                                        \
            }                                                                                  \
        }                                                                                      \
    } while (0)
#define EMIT8() EMIT8_Q(sum[t] / (float)cnt)
    v8sf x, y;
    for (int i = 0; i < p1; i++, ri++) {
        for (int t = 0; t < T; t++) {
            LOAD8(x, t, ri);
            sum[t] += x;
        }
        cnt++;
    }
    for (int i = 0; i < p2; i++, ri++, oi++) {
        for (int t = 0; t < T; t++) {
            LOAD8(x, t, ri);
            sum[t] += x;
        }
        cnt++;
        EMIT8();
    }
    const float rcp = pow2_reciprocal(w); /* cnt == w while sliding */
    for (int i = 0; i < p3; i++, li++, ri++, oi++) {
        for (int t = 0; t < T; t++) {
            LOAD8(x, t, ri);
            LOAD8(y, t, li);
            sum[t] += x;
            sum[t] -= y;
        }
        if (sel && (next >= 64 || sel[next] != oi)) continue;
        if (rcp != 0.0f)
            EMIT8_Q(sum[t] * rcp);
        else
            EMIT8();
    }
    for (int i = 0; i < p4; i++, li++, oi++) {
        for (int t = 0; t < T; t++) {
            LOAD8(y, t, li);
            sum[t] -= y;
        }
        cnt--;
        EMIT8();
    }
#undef EMIT8
#undef EMIT8_Q
#undef STORE8
#undef LOAD8
}

/* ---- 8-row tile transposes --------------------------------------------- */

/* tile[p*8 + k] = in[k*stride + p] for k < 8, p < cols (and back).  The
 * portable versions are plain loops; on x86-64 with AVX2 the same moves are
 * done 8x8 at a time in registers.  Pure data movement: no arithmetic. */
static void tile_in_c(const float *in, size_t stride, int cols, float *tile) {
    for (int k = 0; k < LANES; k++) {
        const float *src = in + (size_t)k * stride;
        for (int p = 0; p < cols; p++) tile[(size_t)p * LANES + k] = src[p];
    }
}

static void tile_out_c(const float *tile, float *out, size_t stride, int cols) {
    for (int k = 0; k < LANES; k++) {
        float *dst = out + (size_t)k * stride;
        for (int p = 0; p < cols; p++) dst[p] = tile[(size_t)p * LANES + k];
    }
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define VIGIL_HAVE_AVX2_TILES 1

__attribute__((target("avx2"))) static inline void transpose8(__m256 r[8]) {
    __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
    __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
    __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
    __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
    __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
    __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
    __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
    r[0] = _mm256_permute2f128_ps(u0, u4, 0x20);
    r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
    r[2] = _mm256_permute2f128_ps(u2, u6, 0x20);
    r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
    r[4] = _mm256_permute2f128_ps(u0, u4, 0x31);
    r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
    r[6] = _mm256_permute2f128_ps(u2, u6, 0x31);
    r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

__attribute__((target("avx2"))) static void tile_in_avx2(const float *in, size_t stride, int cols,
                                                         float *tile) {
    int p = 0;
    for (; p + 8 <= cols; p += 8) {
        __m256 r[8];
        for (int k = 0; k < 8; k++) r[k] = _mm256_loadu_ps(in + (size_t)k * stride + p);
        transpose8(r);
        for (int j = 0; j < 8; j++) _mm256_storeu_ps(tile + (size_t)(p + j) * LANES, r[j]);
    }
    for (; p < cols; p++)
        for (int k = 0; k < LANES; k++) tile[(size_t)p * LANES + k] = in[(size_t)k * stride + p];
}

__attribute__((target("avx2"))) static void tile_out_avx2(const float *tile, float *out,
                                                          size_t stride, int cols) {
    int p = 0;
    for (; p + 8 <= cols; p += 8) {
        __m256 r[8];
        for (int j = 0; j < 8; j++) r[j] = _mm256_loadu_ps(tile + (size_t)(p + j) * LANES);
        transpose8(r);
        for (int k = 0; k < 8; k++) _mm256_storeu_ps(out + (size_t)k * stride + p, r[k]);
    }
    for (; p < cols; p++)
        for (int k = 0; k < LANES; k++) out[(size_t)k * stride + p] = tile[(size_t)p * LANES + k];
}
#endif

/* ---- luma ------------------------------------------------------------- */

/* The reference's luma: (0.299f r + 0.587f g) + 0.114f b, as floats. */
static void luma_pick_c(const uint8_t *px, size_t row_bytes, const int *off, int n, int ch,
                        float *dst) {
    (void)row_bytes;
    if (ch == 1) {
        for (int x = 0; x < n; x++) dst[x] = (float)px[off[x]];
        return;
    }
    for (int x = 0; x < n; x++) {
        const uint8_t *p = px + off[x];
        dst[x] = VIGIL__LUMA_R * (float)p[0] + VIGIL__LUMA_G * (float)p[1] +
                 VIGIL__LUMA_B * (float)p[2];
    }
}

#ifdef VIGIL_HAVE_AVX2_TILES
/* 8 pixels at a time: the 4 bytes at each pixel's offset are first copied,
 * with plain 32-bit loads, into a small buffer (twice as fast as a gather on
 * the CI machine's AMD EPYC), then unpacked and weighted with the same float
 * products and sums as luma_pick_c.  A 4-byte read would pass the row's end
 * for the last pixels: those go scalar. */
__attribute__((target("avx2"))) static void luma_pick_avx2(const uint8_t *px, size_t row_bytes,
                                                           const int *off, int n, int ch,
                                                           float *dst) {
    const __m256i mask = _mm256_set1_epi32(0xff);
    const __m256 kr = _mm256_set1_ps(VIGIL__LUMA_R), kg = _mm256_set1_ps(VIGIL__LUMA_G),
                 kb = _mm256_set1_ps(VIGIL__LUMA_B);
    int nv = 0; /* pixels done 8 at a time */
    while (nv + 8 <= n && (size_t)off[nv + 7] + 4 <= row_bytes) nv += 8;
    uint32_t four[256];
    for (int x = 0; x < nv; x += 256) {
        const int m = nv - x < 256 ? nv - x : 256;
        for (int i = 0; i < m; i++) memcpy(&four[i], px + off[x + i], 4);
        for (int i = 0; i < m; i += 8) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(const void *)(four + i));
            __m256 r = _mm256_cvtepi32_ps(_mm256_and_si256(v, mask));
            if (ch == 1) {
                _mm256_storeu_ps(dst + x + i, r);
                continue;
            }
            __m256 g = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(v, 8), mask));
            __m256 b = _mm256_cvtepi32_ps(_mm256_and_si256(_mm256_srli_epi32(v, 16), mask));
            __m256 y = _mm256_add_ps(_mm256_add_ps(_mm256_mul_ps(kr, r), _mm256_mul_ps(kg, g)),
                                     _mm256_mul_ps(kb, b));
            _mm256_storeu_ps(dst + x + i, y);
        }
    }
    luma_pick_c(px, row_bytes, off + nv, n - nv, ch, dst + nv);
}
#endif

void vigil__luma_pick(const uint8_t *px, size_t row_bytes, const int *off, int n, int ch,
                      float *dst);

/* ---- kernel selection -------------------------------------------------- */

typedef void (*tile_in_fn)(const float *, size_t, int, float *);
typedef void (*tile_out_fn)(const float *, float *, size_t, int);
typedef void (*luma_fn)(const uint8_t *, size_t, const int *, int, int, float *);
static tile_in_fn tile_in = tile_in_c;
static tile_out_fn tile_out = tile_out_c;
static luma_fn luma_pick = luma_pick_c;
static pthread_once_t simd_once = PTHREAD_ONCE_INIT;

void vigil__pdq_set_simd(int on) {
    tile_in = tile_in_c;
    tile_out = tile_out_c;
    luma_pick = luma_pick_c;
#ifdef VIGIL_HAVE_AVX2_TILES
    if (on && __builtin_cpu_supports("avx2")) {
        tile_in = tile_in_avx2;
        tile_out = tile_out_avx2;
        luma_pick = luma_pick_avx2;
    }
#else
    (void)on;
#endif
}

static void simd_select(void) {
    const char *no = getenv("VIGIL_NO_SIMD");
    vigil__pdq_set_simd(!(no && *no && *no != '0'));
}

void vigil__pdq_init(void) { pthread_once(&simd_once, simd_select); }

void vigil__luma_pick(const uint8_t *px, size_t row_bytes, const int *off, int n, int ch,
                      float *dst) {
    luma_pick(px, row_bytes, off, n, ch, dst);
}

/* A box pass along each row of in (rows x cols).  Rows are taken LANES at a
 * time and transposed into a tile so that the filter runs on contiguous
 * lanes, TILES tiles together while enough rows remain.
 * sel NULL: out is rows x cols; else out is rows x 64 (the selected columns). */
static inline __attribute__((always_inline)) void box_rows(const float *in, float *out, int rows,
                                                           int cols, int w, const int *sel,
                                                           float *tile) {
    const size_t istep = (size_t)cols * LANES, ostep = (size_t)(cols > 64 ? cols : 64) * LANES;
    float *tin = tile, *tout = tile + TILES * istep;
    const int nout = sel ? 64 : cols;
    int r0 = 0;
    for (; r0 + TILES * LANES <= rows; r0 += TILES * LANES) {
        for (int t = 0; t < TILES; t++)
            tile_in(in + (size_t)(r0 + t * LANES) * cols, (size_t)cols, cols, tin + t * istep);
        box_tiles(tin, istep, tout, ostep, TILES, cols, w, sel);
        for (int t = 0; t < TILES; t++)
            tile_out(tout + t * ostep, out + (size_t)(r0 + t * LANES) * nout, (size_t)nout, nout);
    }
    for (; r0 < rows; r0 += LANES) {
        const int k_n = rows - r0 < LANES ? rows - r0 : LANES;
        const float *src = in + (size_t)r0 * cols;
        if (k_n == LANES) {
            tile_in(src, (size_t)cols, cols, tin);
        } else {
            for (int k = 0; k < k_n; k++)
                for (int p = 0; p < cols; p++) tin[(size_t)p * LANES + k] = src[(size_t)k * cols + p];
            for (int k = k_n; k < LANES; k++)
                for (int p = 0; p < cols; p++) tin[(size_t)p * LANES + k] = 0.0f;
        }
        box_tiles(tin, istep, tout, ostep, 1, cols, w, sel);
        float *dst = out + (size_t)r0 * nout;
        if (k_n == LANES) {
            tile_out(tout, dst, (size_t)nout, nout);
        } else {
            for (int k = 0; k < k_n; k++)
                for (int q = 0; q < nout; q++) dst[(size_t)k * nout + q] = tout[(size_t)q * LANES + k];
        }
    }
}

vigil_status vigil__pdq_work_reserve(vigil__pdq_work *w, int rows, int cols, vigil_err *err) {
    size_t px = (size_t)rows * (size_t)cols;
    if (px > w->cap_px) {
        float *a = malloc(px * sizeof(float)), *b = malloc(px * sizeof(float));
        if (!a || !b) {
            free(a);
            free(b);
            return vigil__err_set(err, VIGIL_ENOMEM, "out of memory for a %dx%d luma buffer", cols,
                                  rows);
        }
        free(w->luma);
        free(w->tmp);
        w->luma = a;
        w->tmp = b;
        w->cap_px = px;
    }
    if ((size_t)rows > w->cap_rows) {
        float *a = malloc((size_t)rows * 64 * sizeof(float));
        if (!a) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        free(w->narrow);
        w->narrow = a;
        w->cap_rows = (size_t)rows;
    }
    if ((size_t)cols > w->cap_cols) {
        size_t n = (size_t)(cols > 64 ? cols : 64);
        float *a = malloc(2 * TILES * n * LANES * sizeof(float));
        if (!a) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        free(w->tile);
        w->tile = a;
        w->cap_cols = n;
    }
    return VIGIL_OK;
}

void vigil__pdq_work_free(vigil__pdq_work *w) {
    if (!w) return;
    free(w->luma);
    free(w->tmp);
    free(w->narrow);
    free(w->tile);
    memset(w, 0, sizeof *w);
}

/* Compiled twice, for AVX2 and for baseline x86-64, the choice made once at
 * load time.  Same IEEE single-precision operations either way (no FMA), so
 * the same bits. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(VIGIL_NO_CLONES)
__attribute__((target_clones("avx2", "default")))
#endif
void vigil__pdq_from_luma(vigil__pdq_work *w, int rows, int cols, int dihedral, vigil_pdq *out,
                          int *quality) {
    if (rows < VIGIL__PDQ_MIN_DIM || cols < VIGIL__PDQ_MIN_DIM) {
        too_small(dihedral, out, quality);
        return;
    }
    const int wr = jarosz_window(cols), wc = jarosz_window(rows);
    int pr[64], pc[64];
    vigil__pdq_init();
    sample_positions(rows, pr);
    sample_positions(cols, pc);
    float a[64][64];
    float sum64[64];

    /* pass 1: rows, every value (luma -> tmp) */
    box_rows(w->luma, w->tmp, rows, cols, wr, NULL, w->tile);
    /* pass 2: columns, every value (tmp -> luma); all columns are lanes */
    box_lanes(w->tmp, (size_t)cols, w->luma, (size_t)cols, rows, cols, wc, NULL, w->tile);
    /* pass 3: rows again, written only at the 64 sampled columns (-> narrow) */
    box_rows(w->luma, w->narrow, rows, cols, wr, pc, w->tile);
    /* pass 4: the 64 sampled columns, written only at the 64 sampled rows */
    box_lanes(w->narrow, 64, &a[0][0], 64, rows, 64, wc, pr, sum64);
    finish(a, dihedral, out, quality);
}
