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

/* Box-filter L independent lanes at once.  Element (position p, lane l) is
 * in[p*ls + l], so lanes are contiguous and the inner loops vectorise; each
 * lane sees exactly box1d_plain's operations.  Writes out[q*ols + l] for
 * every position (q = p) when sel is NULL, else only at the positions listed
 * in sel[0..63] (ascending, repeats allowed), with q the index in sel. */
static void box_lanes(const float *restrict in, size_t ls, float *restrict out, size_t ols, int n,
                      int L, int w, const int *sel, float *restrict sum) {
    const int half = (w + 2) / 2;
    const int p1 = half - 1, p2 = w - half + 1, p3 = n - w, p4 = half - 1;
    int li = 0, ri = 0, oi = 0, cnt = 0, next = 0;
    for (int l = 0; l < L; l++) sum[l] = 0.0f;

/* write lane sums divided by cnt at output position oi, if wanted */
#define EMIT()                                                                                 \
    do {                                                                                       \
        if (!sel) {                                                                            \
            float *restrict o = out + (size_t)oi * ols;                                        \
            const float c = (float)cnt;                                                        \
            for (int l = 0; l < L; l++) o[l] = sum[l] / c;                                     \
        } else {                                                                               \
            while (next < 64 && sel[next] == oi) {                                             \
                float *restrict o = out + (size_t)next * ols;                                  \
                const float c = (float)cnt;                                                    \
                for (int l = 0; l < L; l++) o[l] = sum[l] / c;                                 \
                next++;                                                                        \
            }                                                                                  \
        }                                                                                      \
    } while (0)

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
    for (int i = 0; i < p3; i++, li++, ri++, oi++) {
        const float *restrict x = in + (size_t)ri * ls;
        const float *restrict y = in + (size_t)li * ls;
        for (int l = 0; l < L; l++) {
            sum[l] += x[l];
            sum[l] -= y[l];
        }
        if (sel && (next >= 64 || sel[next] != oi)) continue;
        EMIT();
    }
    for (int i = 0; i < p4; i++, li++, oi++) {
        const float *restrict y = in + (size_t)li * ls;
        for (int l = 0; l < L; l++) sum[l] -= y[l];
        cnt--;
        EMIT();
    }
#undef EMIT
}

/* A box pass along each row of in (rows x cols).  Rows are taken LANES at a
 * time and transposed into a tile so that box_lanes runs on contiguous lanes.
 * sel NULL: out is rows x cols; else out is rows x 64 (the selected columns). */
static void box_rows(const float *in, float *out, int rows, int cols, int w, const int *sel,
                     float *tile) {
    float *tin = tile, *tout = tile + (size_t)cols * LANES;
    float sum[LANES];
    const int nout = sel ? 64 : cols;
    for (int r0 = 0; r0 < rows; r0 += LANES) {
        const int k_n = rows - r0 < LANES ? rows - r0 : LANES;
        for (int k = 0; k < k_n; k++) {
            const float *src = in + (size_t)(r0 + k) * cols;
            for (int p = 0; p < cols; p++) tin[(size_t)p * LANES + k] = src[p];
        }
        for (int k = k_n; k < LANES; k++)
            for (int p = 0; p < cols; p++) tin[(size_t)p * LANES + k] = 0.0f;
        box_lanes(tin, LANES, tout, LANES, cols, LANES, w, sel, sum);
        for (int k = 0; k < k_n; k++) {
            float *dst = out + (size_t)(r0 + k) * nout;
            for (int q = 0; q < nout; q++) dst[q] = tout[(size_t)q * LANES + k];
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
        float *a = malloc(2 * n * LANES * sizeof(float));
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

void vigil__pdq_from_luma(vigil__pdq_work *w, int rows, int cols, int dihedral, vigil_pdq *out,
                          int *quality) {
    if (rows < VIGIL__PDQ_MIN_DIM || cols < VIGIL__PDQ_MIN_DIM) {
        too_small(dihedral, out, quality);
        return;
    }
    const int wr = jarosz_window(cols), wc = jarosz_window(rows);
    int pr[64], pc[64];
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
