/*
 * src/video/tmk.c - TMK+PDQF (the Temporal Match Kernel over PDQ-float frame
 * features), written from the published algorithm (facebook/ThreatExchange
 * tmk/): the streaming feature accumulation, the fixed 263,344-byte .tmk
 * file, and the two-level score.  Decoding to 15 frames/s at 64x64 is in
 * decode.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "hash/pdq_internal.h"
#include "video/video_internal.h"
#include "vigil/video.h"

static const int tmk_periods[VIGIL_TMK_PERIODS] = {2731, 4391, 9767, 14653};

/* Poullot's coefficients (beta = 32, m = 32), as the reference tabulates
 * them: a0 = (I0(b) - exp(-b)) / (2 sinh b), ai = Ii(b) / sinh b. */
static const float tmk_coeffs[VIGIL_TMK_COEFFS] = {
    0.0708041893112f,   0.13937789309f,     0.132897260304f,    0.122765735552f,    0.109878684888f,
    0.09529606433f,     0.0800986647852f,   0.0652590650356f,   0.0515478238322f,   0.0394851531195f,
    0.0293374252025f,   0.0211492623679f,   0.0147973073245f,   0.0100512818746f,   0.0066306408014f,
    0.00424947117334f,  0.0026467615764f,   0.00160270959695f,  0.000943882629639f, 0.000540841638603f,
    0.000301633183798f, 0.000163800158855f, 8.66454753015e-05f, 4.46626303151e-05f, 2.24429442235e-05f,
    1.09982139799e-05f, 5.25823487999e-06f, 2.45358229988e-06f, 1.11781474895e-06f, 4.97406489221e-07f,
    2.16265487234e-07f, 9.19087006565e-08f};

vigil_status vigil__tmk_new(vigil_tmk **out, vigil_err *err) {
    *out = calloc(1, sizeof **out);
    if (!*out) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    (*out)->fps = VIGIL_TMK_FPS;
    memcpy((*out)->periods, tmk_periods, sizeof tmk_periods);
    memcpy((*out)->coeffs, tmk_coeffs, sizeof tmk_coeffs);
    return VIGIL_OK;
}

void vigil_tmk_free(vigil_tmk *t) { free(t); }

static float norm(const float *v, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += v[i] * v[i];
    return sqrtf(s);
}

static void l2_normalize(float *v, int n) {
    float m = norm(v, n);
    if (m > 0.0f)
        for (int i = 0; i < n; i++) v[i] /= m;
}

void vigil__tmk_ingest(vigil_tmk *t, const float feat[VIGIL_TMK_DIM]) {
    const double pi = 3.14159265358979323846;
    float nf[VIGIL_TMK_DIM];
    for (int k = 0; k < VIGIL_TMK_DIM; k++) {
        t->avg[k] += feat[k];
        nf[k] = feat[k];
    }
    l2_normalize(nf, VIGIL_TMK_DIM);
    int frame = t->frame_count;
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++) {
        for (int k = 0; k < VIGIL_TMK_DIM; k++) t->cos_f[i][0][k] += nf[k];
        for (int j = 1; j < VIGIL_TMK_COEFFS; j++) {
            double arg = 2.0 * pi * (double)j * (double)frame / (double)t->periods[i];
            double c = cos(arg), s = sin(arg);
            float *cf = t->cos_f[i][j], *sf = t->sin_f[i][j];
            for (int k = 0; k < VIGIL_TMK_DIM; k++) {
                cf[k] = (float)(cf[k] + nf[k] * c);
                sf[k] = (float)(sf[k] + nf[k] * s);
            }
        }
    }
    t->frame_count++;
}

void vigil__tmk_finish(vigil_tmk *t) {
    if (t->frame_count <= 0) return;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) t->avg[k] /= (float)t->frame_count;
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++)
        for (int j = 0; j < VIGIL_TMK_COEFFS; j++) {
            float r = sqrtf(t->coeffs[j]);
            l2_normalize(t->cos_f[i][j], VIGIL_TMK_DIM);
            l2_normalize(t->sin_f[i][j], VIGIL_TMK_DIM);
            for (int k = 0; k < VIGIL_TMK_DIM; k++) {
                t->cos_f[i][j][k] *= r;
                t->sin_f[i][j][k] *= r;
            }
        }
}

void vigil__tmk_frame_feature(const uint8_t *rgb, size_t stride, float feat[VIGIL_TMK_DIM]) {
    float luma[64][64], out[16][16];
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            const uint8_t *p = rgb + (size_t)y * stride + 3 * (size_t)x;
            luma[y][x] = VIGIL__LUMA_R * p[0] + VIGIL__LUMA_G * p[1] + VIGIL__LUMA_B * p[2];
        }
    vigil__pdqf_64(luma, out);
    memcpy(feat, out, sizeof out);
}

/* ---- the .tmk file ---------------------------------------------------- */

/* Header: "TMK1" "FVEC" "PDQF" i32 fps, i32 P, i32 C, i32 D, i32 frame count;
 * then i32 periods[P], f32 coefficients[C], f32 average[D], f32 cos[P][C][D],
 * f32 sin[P][C][D]; all little-endian. */
#define HEADER_BYTES 32

static void put_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static uint32_t get_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_f32(uint8_t *p, float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    put_le32(p, u);
}

static float get_f32(const uint8_t *p) {
    uint32_t u = get_le32(p);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

vigil_status vigil_tmk_write(const vigil_tmk *t, uint8_t **out, size_t *len, vigil_err *err) {
    if (!t || !out || !len) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_write: NULL argument");
    uint8_t *b = malloc(VIGIL_TMK_FILE_BYTES);
    if (!b) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    static const uint8_t magic[12] = {'T', 'M', 'K', '1', 'F', 'V', 'E', 'C', 'P', 'D', 'Q', 'F'};
    memcpy(b, magic, sizeof magic);
    put_le32(b + 12, (uint32_t)t->fps);
    put_le32(b + 16, VIGIL_TMK_PERIODS);
    put_le32(b + 20, VIGIL_TMK_COEFFS);
    put_le32(b + 24, VIGIL_TMK_DIM);
    put_le32(b + 28, (uint32_t)t->frame_count);
    uint8_t *p = b + HEADER_BYTES;
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++, p += 4) put_le32(p, (uint32_t)t->periods[i]);
    for (int j = 0; j < VIGIL_TMK_COEFFS; j++, p += 4) put_f32(p, t->coeffs[j]);
    for (int k = 0; k < VIGIL_TMK_DIM; k++, p += 4) put_f32(p, t->avg[k]);
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < VIGIL_TMK_PERIODS; i++)
            for (int j = 0; j < VIGIL_TMK_COEFFS; j++)
                for (int k = 0; k < VIGIL_TMK_DIM; k++, p += 4) put_f32(p, s ? t->sin_f[i][j][k] : t->cos_f[i][j][k]);
    *out = b;
    *len = VIGIL_TMK_FILE_BYTES;
    return VIGIL_OK;
}

/* The checks of the header up to the average (the first
 * VIGIL_TMK_HEAD_BYTES): magic, sizes, frame rate and count, periods and
 * coefficients.  `full`: data[0..len) must be the whole file. */
static vigil_status check_head(const uint8_t *b, size_t len, int full, int32_t *fps_out, int32_t *count_out,
                               vigil_err *err) {
    if (len < HEADER_BYTES || memcmp(b, "TMK1FVEC", 8) != 0)
        return vigil__err_set(err, VIGIL_EFORMAT, "not a TMK feature-vector file (expected 'TMK1FVEC' at the start)");
    if (memcmp(b + 8, "PDQF", 4) != 0)
        return vigil__err_set(err, VIGIL_EFORMAT, "TMK file of frame algorithm '%.4s': only PDQF is supported",
                              (const char *)b + 8);
    int32_t fps = (int32_t)get_le32(b + 12), np = (int32_t)get_le32(b + 16), nc = (int32_t)get_le32(b + 20),
            nd = (int32_t)get_le32(b + 24), count = (int32_t)get_le32(b + 28);
    if (np != VIGIL_TMK_PERIODS || nc != VIGIL_TMK_COEFFS || nd != VIGIL_TMK_DIM)
        return vigil__err_set(err, VIGIL_EFORMAT, "TMK file has %d periods, %d coefficients, %d dimensions: expected "
                              "%d, %d, %d (TMK+PDQF)", np, nc, nd, VIGIL_TMK_PERIODS, VIGIL_TMK_COEFFS, VIGIL_TMK_DIM);
    if (full ? len != VIGIL_TMK_FILE_BYTES : len < VIGIL_TMK_HEAD_BYTES)
        return vigil__err_set(err, len < VIGIL_TMK_FILE_BYTES ? VIGIL_ECORRUPT : VIGIL_EFORMAT,
                              "TMK file is %zu bytes, not %d (%s)", len, VIGIL_TMK_FILE_BYTES,
                              len < VIGIL_TMK_FILE_BYTES ? "truncated" : "trailing data");
    if (fps <= 0 || count < 0)
        return vigil__err_set(err, VIGIL_ECORRUPT, "TMK file has %d frames/s and %d frames", fps, count);
    const uint8_t *p = b + HEADER_BYTES;
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++, p += 4)
        if ((int32_t)get_le32(p) != tmk_periods[i])
            return vigil__err_set(err, VIGIL_EFORMAT, "TMK file period %d is %d, not %d", i + 1,
                                  (int)(int32_t)get_le32(p), tmk_periods[i]);
    for (int j = 0; j < VIGIL_TMK_COEFFS; j++, p += 4) {
        float c = get_f32(p), m = fmaxf(fabsf(c), fabsf(tmk_coeffs[j]));
        if (!(fabsf(c - tmk_coeffs[j]) <= 1e-6f * m)) /* the reference's relative check */
            return vigil__err_set(err, VIGIL_EFORMAT, "TMK file Fourier coefficient %d is %.7e, not %.7e", j + 1,
                                  (double)c, (double)tmk_coeffs[j]);
    }
    *fps_out = fps;
    *count_out = count;
    return VIGIL_OK;
}

/* n floats from p into v, each finite (b: the file's start, for the byte
 * offset of the message). */
static vigil_status read_floats(const uint8_t *b, const uint8_t *p, float *v, int n, vigil_err *err) {
    for (int k = 0; k < n; k++, p += 4) {
        float f = get_f32(p);
        if (!isfinite(f))
            return vigil__err_set(err, VIGIL_ECORRUPT, "TMK file holds a value that is not a finite number "
                                  "(byte %zu)", (size_t)(p - b));
        v[k] = f;
    }
    return VIGIL_OK;
}

#define AVG_OFFSET (HEADER_BYTES + 4 * VIGIL_TMK_PERIODS + 4 * VIGIL_TMK_COEFFS)

vigil_status vigil_tmk_read_head(const void *data, size_t len, float avg[VIGIL_TMK_DIM], int *frame_count,
                                 vigil_err *err) {
    if (!data || !avg) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_read_head: NULL argument");
    int32_t fps = 0, count = 0;
    vigil_status rc = check_head(data, len, 0, &fps, &count, err);
    if (rc == VIGIL_OK) rc = read_floats(data, (const uint8_t *)data + AVG_OFFSET, avg, VIGIL_TMK_DIM, err);
    if (rc == VIGIL_OK && frame_count) *frame_count = count;
    return rc;
}

vigil_status vigil_tmk_read(const void *data, size_t len, vigil_tmk **out, vigil_err *err) {
    if (!data || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_read: NULL argument");
    *out = NULL;
    const uint8_t *b = data;
    int32_t fps = 0, count = 0;
    vigil_status rc = check_head(b, len, 1, &fps, &count, err);
    if (rc != VIGIL_OK) return rc;
    vigil_tmk *t = NULL;
    rc = vigil__tmk_new(&t, err);
    if (rc != VIGIL_OK) return rc;
    t->fps = fps;
    t->frame_count = count;
    const uint8_t *p = b + AVG_OFFSET;
    rc = read_floats(b, p, t->avg, VIGIL_TMK_DIM, err);
    p += 4 * VIGIL_TMK_DIM;
    for (int s = 0; s < 2 && rc == VIGIL_OK; s++)
        for (int i = 0; i < VIGIL_TMK_PERIODS && rc == VIGIL_OK; i++)
            for (int j = 0; j < VIGIL_TMK_COEFFS && rc == VIGIL_OK; j++, p += 4 * VIGIL_TMK_DIM)
                rc = read_floats(b, p, s ? t->sin_f[i][j] : t->cos_f[i][j], VIGIL_TMK_DIM, err);
    if (rc != VIGIL_OK) {
        vigil_tmk_free(t);
        return rc;
    }
    *out = t;
    return VIGIL_OK;
}

/* ---- the text form ----------------------------------------------------- */

vigil_status vigil_tmk_value_from_file(const void *data, size_t len, char **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_value_from_file: NULL argument");
    *out = NULL;
    vigil_tmk *t = NULL;
    vigil_status rc = vigil_tmk_read(data, len, &t, err);
    vigil_tmk_free(t);
    if (rc != VIGIL_OK) return rc;
    char *s = malloc(4 + 4 * ((len + 2) / 3) + 1);
    if (!s) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    memcpy(s, VIGIL_TMK_PREFIX, sizeof VIGIL_TMK_PREFIX); /* the base64 follows from s + 4 */
    vigil__base64_encode(data, len, s + 4);
    *out = s;
    return VIGIL_OK;
}

vigil_status vigil__tmk_value_bytes(const char *value, uint8_t **bin, size_t *len, vigil_err *err) {
    if (!value || !bin || !len) return vigil__err_set(err, VIGIL_EINVAL, "vigil__tmk_value_bytes: NULL argument");
    *bin = NULL;
    *len = 0;
    size_t n = strlen(value);
    if (n < 4 || memcmp(value, VIGIL_TMK_PREFIX, 4) != 0)
        return vigil__err_set(err, VIGIL_EPARSE, "bad TMK value: expected '%s' and the base64 of a .tmk file",
                              VIGIL_TMK_PREFIX);
    if (n - 4 > 4 * ((VIGIL_TMK_FILE_BYTES + 2) / 3))
        return vigil__err_set(err, VIGIL_EFORMAT, "TMK value is %zu characters: a .tmk file is %d bytes", n,
                              VIGIL_TMK_FILE_BYTES);
    uint8_t *b = malloc((n - 4) / 4 * 3 + 3);
    if (!b) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    size_t bad = 0, nb = vigil__base64_decode(value + 4, n - 4, b, &bad);
    if (nb == (size_t)-1) {
        free(b);
        return vigil__err_set(err, VIGIL_EPARSE, "bad TMK value: bad base64 at character %zu", bad + 5);
    }
    *bin = b;
    *len = nb;
    return VIGIL_OK;
}

vigil_status vigil_tmk_value_parse(const char *value, vigil_tmk **out, vigil_err *err) {
    if (!value || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_value_parse: NULL argument");
    *out = NULL;
    uint8_t *bin = NULL;
    size_t nb = 0;
    vigil_status rc = vigil__tmk_value_bytes(value, &bin, &nb, err);
    if (rc == VIGIL_OK) rc = vigil_tmk_read(bin, nb, out, err);
    free(bin);
    return rc;
}

vigil_status vigil__tmk_value_canon(const char *value, const char **canon, vigil_err *err) {
    vigil_tmk *t = NULL;
    vigil_status rc = vigil_tmk_value_parse(value, &t, err);
    vigil_tmk_free(t);
    if (rc == VIGIL_OK) *canon = value;
    return rc;
}

/* ---- scores ----------------------------------------------------------- */

static float dot(const float *a, const float *b, int n) {
    float s = 0;
    for (int i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

float vigil_tmk_level1(const vigil_tmk *a, const vigil_tmk *b) {
    if (!a || !b) return 0.0f;
    float na = norm(a->avg, VIGIL_TMK_DIM), nb = norm(b->avg, VIGIL_TMK_DIM);
    if (na == 0.0f || nb == 0.0f) return 0.0f;
    return dot(a->avg, b->avg, VIGIL_TMK_DIM) / (na * nb);
}

float vigil_tmk_level2(const vigil_tmk *a, const vigil_tmk *b) {
    if (!a || !b) return 0.0f;
    const double pi = 3.14159265358979323846;
    float normalizer = a->coeffs[0];
    for (int j = 1; j < VIGIL_TMK_COEFFS; j++) normalizer += 2.0f * a->coeffs[j];
    float best = -INFINITY;
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++) {
        float cc[VIGIL_TMK_COEFFS], ss[VIGIL_TMK_COEFFS], sc[VIGIL_TMK_COEFFS], cs[VIGIL_TMK_COEFFS];
        for (int j = 0; j < VIGIL_TMK_COEFFS; j++) {
            cc[j] = dot(a->cos_f[i][j], b->cos_f[i][j], VIGIL_TMK_DIM);
            ss[j] = dot(a->sin_f[i][j], b->sin_f[i][j], VIGIL_TMK_DIM);
            sc[j] = dot(a->sin_f[i][j], b->cos_f[i][j], VIGIL_TMK_DIM);
            cs[j] = dot(a->cos_f[i][j], b->sin_f[i][j], VIGIL_TMK_DIM);
        }
        int period = a->periods[i];
        for (int off = 0; off < period; off++) {
            /* K(delta) over the Fourier terms, cos/sin of j*delta by the
             * addition formulae (as the reference evaluates it) */
            float delta = (float)(2.0 * pi * (double)off / (double)period);
            float k = cc[0], cj = 1.0f, sj = 0.0f;
            float beta = sinf(delta), alpha = sinf(delta / 2);
            alpha = 2 * alpha * alpha;
            for (int j = 1; j < VIGIL_TMK_COEFFS; j++) {
                float nc = alpha * cj + beta * sj, ns = alpha * sj - beta * cj;
                cj -= nc;
                sj -= ns;
                k += cj * (cc[j] + ss[j]);
                k += sj * (sc[j] - cs[j]);
            }
            if (off == 0 && i == 0) best = k;
            if (k > best) best = k;
        }
    }
    return best / normalizer;
}

int vigil_tmk_match(const vigil_tmk *a, const vigil_tmk *b, float level1, float level2, float *s1, float *s2) {
    float l1 = vigil_tmk_level1(a, b), l2 = 0.0f;
    int pass1 = l1 >= level1, ok = 0;
    if (pass1) {
        l2 = vigil_tmk_level2(a, b);
        ok = l2 >= level2;
    }
    if (s1) *s1 = l1;
    if (s2) *s2 = pass1 ? l2 : NAN;
    return ok;
}
