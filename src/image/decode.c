/*
 * src/image/decode.c - format sniffing, decode limits, dispatch to the
 * per-format decoders, and vigil_image_decode() (a sink that keeps all rows).
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "image/decode_internal.h"

const char *vigil_format_name(vigil_format f) {
    switch (f) {
    case VIGIL_FMT_JPEG: return "jpeg";
    case VIGIL_FMT_PNG: return "png";
    case VIGIL_FMT_WEBP: return "webp";
    case VIGIL_FMT_GIF: return "gif";
    case VIGIL_FMT_BMP: return "bmp";
    case VIGIL_FMT_UNKNOWN: break;
    }
    return "unknown";
}

vigil_format vigil_format_sniff(const void *data, size_t len) {
    const uint8_t *p = data;
    if (!p) return VIGIL_FMT_UNKNOWN;
    if (len >= 3 && p[0] == 0xFF && p[1] == 0xD8 && p[2] == 0xFF) return VIGIL_FMT_JPEG;
    if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0) return VIGIL_FMT_PNG;
    if (len >= 12 && memcmp(p, "RIFF", 4) == 0 && memcmp(p + 8, "WEBP", 4) == 0) return VIGIL_FMT_WEBP;
    if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 || memcmp(p, "GIF89a", 6) == 0)) return VIGIL_FMT_GIF;
    if (len >= 2 && p[0] == 'B' && p[1] == 'M') return VIGIL_FMT_BMP;
    return VIGIL_FMT_UNKNOWN;
}

void vigil__limits_resolve(const vigil_decode_limits *in, vigil_decode_limits *out) {
    vigil_decode_limits l = {0, 0, 0};
    if (in) l = *in;
    if (!l.max_pixels) l.max_pixels = VIGIL_DEFAULT_MAX_PIXELS;
    if (!l.max_dimension) l.max_dimension = VIGIL_DEFAULT_MAX_DIMENSION;
    if (!l.max_file_bytes) l.max_file_bytes = VIGIL_DEFAULT_MAX_FILE_BYTES;
    *out = l;
}

vigil_status vigil__check_dims(uint64_t width, uint64_t height, const vigil_decode_limits *lim,
                               vigil_err *err) {
    if (width < 1 || height < 1)
        return vigil__err_set(err, VIGIL_ECORRUPT, "image has an empty dimension (%llux%llu)",
                              (unsigned long long)width, (unsigned long long)height);
    if (width > lim->max_dimension || height > lim->max_dimension)
        return vigil__err_set(err, VIGIL_ELIMIT,
                              "image is %llux%llu, a side exceeds the limit of %u pixels",
                              (unsigned long long)width, (unsigned long long)height,
                              (unsigned)lim->max_dimension);
    const unsigned long long pixels = (unsigned long long)width * (unsigned long long)height;
    if (pixels > lim->max_pixels)
        return vigil__err_set(err, VIGIL_ELIMIT,
                              "image is %llux%llu = %llu pixels, over the limit of %llu "
                              "(possible decompression bomb)",
                              (unsigned long long)width, (unsigned long long)height, pixels,
                              (unsigned long long)lim->max_pixels);
    return VIGIL_OK;
}

vigil_status vigil__decode(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                           vigil__sink *sink, vigil_format *fmt_out, vigil_err *err) {
    vigil_format fmt = vigil_format_sniff(data, len);
    if (fmt_out) *fmt_out = fmt;
    if (len == 0) return vigil__err_set(err, VIGIL_EFORMAT, "empty input (0 bytes)");
    switch (fmt) {
    case VIGIL_FMT_JPEG: return vigil__decode_jpeg(data, len, opts, sink, err);
    case VIGIL_FMT_PNG: return vigil__decode_png(data, len, opts, sink, err);
    case VIGIL_FMT_WEBP: return vigil__decode_webp(data, len, opts, sink, err);
    case VIGIL_FMT_GIF: return vigil__decode_gif(data, len, opts, sink, err);
    case VIGIL_FMT_BMP: return vigil__decode_bmp(data, len, opts, sink, err);
    case VIGIL_FMT_UNKNOWN: break;
    }
    return vigil__err_set(err, VIGIL_EFORMAT,
                          "not a recognised image (expected JPEG, PNG, WebP, GIF or BMP)");
}

/* ---- vigil_image_decode: a sink that keeps every row ------------------- */

typedef struct store_sink {
    vigil__sink base;
    vigil_image *img;
    const vigil_decode_limits *lim;
} store_sink;

static vigil_status store_begin(vigil__sink *s, int w, int h, vigil_pixfmt fmt, vigil_err *err) {
    store_sink *ss = (store_sink *)s;
    vigil_status rc = vigil__check_dims((uint64_t)w, (uint64_t)h, ss->lim, err);
    if (rc != VIGIL_OK) return rc;
    if (ss->img) return vigil__err_set(err, VIGIL_EINTERNAL, "decoder called begin() twice");
    vigil_image *img = calloc(1, sizeof *img);
    if (!img) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    img->width = w;
    img->height = h;
    img->fmt = fmt;
    img->stride = (size_t)w * (size_t)fmt;
    img->pixels = malloc(img->stride * (size_t)h);
    if (!img->pixels) {
        free(img);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory for a %dx%d image", w, h);
    }
    ss->img = img;
    return VIGIL_OK;
}

static void store_row(vigil__sink *s, int y, const uint8_t *px) {
    store_sink *ss = (store_sink *)s;
    memcpy(ss->img->pixels + (size_t)y * ss->img->stride, px, ss->img->stride);
}

vigil_status vigil_image_decode(const void *data, size_t len, const vigil_decode_limits *limits,
                                vigil_image **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_image_decode: NULL out");
    *out = NULL;
    if (!data && len) return vigil__err_set(err, VIGIL_EINVAL, "vigil_image_decode: NULL data");
    vigil__decode_opts opts;
    memset(&opts, 0, sizeof opts);
    vigil__limits_resolve(limits, &opts.limits);
    store_sink ss = {{store_begin, store_row}, NULL, &opts.limits};
    vigil_status rc = vigil__decode(data, len, &opts, &ss.base, NULL, err);
    if (rc == VIGIL_OK && !ss.img) rc = vigil__err_set(err, VIGIL_EINTERNAL, "decoder produced no image");
    if (rc != VIGIL_OK) {
        vigil_image_free(ss.img);
        return rc;
    }
    *out = ss.img;
    return VIGIL_OK;
}

void vigil_image_free(vigil_image *img) {
    if (!img) return;
    free(img->pixels);
    free(img);
}
