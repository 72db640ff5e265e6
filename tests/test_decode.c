/*
 * tests/test_decode.c - the image decoders: round trips through every format,
 * the sink contract, limits, and hostile input (empty, truncated, garbage).
 */
#include <gif_lib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "image/decode_internal.h"
#include "imggen.h"
#include "test.h"
#include "vigil/image.h"

/* ---- helpers ------------------------------------------------------------ */

enum { F_JPEG, F_PNG, F_WEBP, F_GIF, F_BMP, F_COUNT };
static const char *const fmt_names[F_COUNT] = {"JPEG", "PNG", "WebP", "GIF", "BMP"};

/* Encode `rgb` in format `f` (lossless where the format allows). */
static int encode(int f, const uint8_t *rgb, int w, int h, uint8_t **out, size_t *len) {
    switch (f) {
    case F_JPEG: return imggen_jpeg(rgb, w, h, 90, out, len);
    case F_PNG: return imggen_png(rgb, w, h, 3, 0, out, len);
    case F_WEBP: return imggen_webp(rgb, w, h, 1, out, len);
    case F_GIF: return imggen_gif(rgb, w, h, 0, out, len);
    case F_BMP: return imggen_bmp(rgb, w, h, out, len);
    }
    return -1;
}

/* A pattern snapped to the 3-3-2 palette, encoded in format f. */
static int sample_file(int f, int w, int h, unsigned seed, uint8_t **rgb, uint8_t **out,
                       size_t *len) {
    *out = NULL;
    *rgb = imggen_pattern(w, h, seed);
    if (!*rgb) return -1;
    imggen_snap332(*rgb, w, h);
    return encode(f, *rgb, w, h, out, len);
}

static uint32_t xs(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Decode and compare: dims, pixel format, and pixels (tol 0: exact; tol > 0:
 * mean absolute difference at most tol, loose: small lossy images with hard
 * colour edges are off by ~10 on average, a wrong decode by far more).
 * 0 if fine, else -1 (reported). */
static int expect_image(const char *what, const uint8_t *file, size_t len, int w, int h,
                        vigil_pixfmt fmt, const uint8_t *px, double tol) {
    vigil_image *img = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_image_decode(file, len, NULL, &img, &err);
    int bad = -1;
    if (rc != VIGIL_OK) {
        test_fail(__FILE__, __LINE__, "%s: decode failed: %s: %s", what, vigil_status_name(rc),
                  err.msg);
        return -1;
    }
    if (!img || img->width != w || img->height != h || img->fmt != fmt ||
        img->stride < (size_t)w * (size_t)fmt) {
        test_fail(__FILE__, __LINE__, "%s: got %dx%d fmt %d, want %dx%d fmt %d", what,
                  img ? img->width : -1, img ? img->height : -1, img ? (int)img->fmt : -1, w, h,
                  (int)fmt);
        goto out;
    }
    if (px) {
        size_t row = (size_t)w * (size_t)fmt;
        double sum = 0;
        for (int y = 0; y < h; y++) {
            const uint8_t *a = img->pixels + (size_t)y * img->stride, *b = px + (size_t)y * row;
            for (size_t i = 0; i < row; i++) {
                int d = a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
                if (tol == 0 && d) {
                    test_fail(__FILE__, __LINE__, "%s: pixel byte %zu of row %d is %d, want %d",
                              what, i, y, a[i], b[i]);
                    goto out;
                }
                sum += d;
            }
        }
        double mean = sum / ((double)row * h);
        if (mean > tol) {
            test_fail(__FILE__, __LINE__, "%s: mean abs difference %.2f > %.2f", what, mean, tol);
            goto out;
        }
    }
    bad = 0;
out:
    vigil_image_free(img);
    return bad;
}

/* Decode must fail (with `want`, or any error if want < 0), with a message
 * and no image.  0 if so, else -1 (reported). */
static int expect_error(const char *what, const uint8_t *file, size_t len, int want) {
    vigil_image *img = (vigil_image *)&img; /* must be reset to NULL */
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_image_decode(file, len, NULL, &img, &err);
    if (rc == VIGIL_OK) {
        test_fail(__FILE__, __LINE__, "%s: decoded (%dx%d), want an error", what, img->width,
                  img->height);
        vigil_image_free(img);
        return -1;
    }
    if (img || err.status != rc || !err.msg[0] || (want >= 0 && rc != (vigil_status)want)) {
        test_fail(__FILE__, __LINE__, "%s: got %s \"%s\" (img %p), want %s with a message", what,
                  vigil_status_name(rc), err.msg, (void *)img,
                  want >= 0 ? vigil_status_name((vigil_status)want) : "an error");
        return -1;
    }
    return 0;
}

/* Decode may succeed (then with dims w x h) or fail (then properly). */
static int expect_no_crash(const char *what, const uint8_t *file, size_t len, int w, int h) {
    vigil_image *img = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_image_decode(file, len, NULL, &img, &err);
    int bad = 0;
    if (rc == VIGIL_OK) {
        if (!img || (w > 0 && (img->width != w || img->height != h))) {
            test_fail(__FILE__, __LINE__, "%s: OK but got a wrong image", what);
            bad = -1;
        }
    } else if (img || err.status != rc || !err.msg[0]) {
        test_fail(__FILE__, __LINE__, "%s: %s without a proper error record (\"%s\")", what,
                  vigil_status_name(rc), err.msg);
        bad = -1;
    }
    vigil_image_free(img);
    return bad;
}

static void put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void put_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_le24(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

static uint32_t crc32_png(const uint8_t *p, size_t n) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    }
    return c ^ 0xFFFFFFFFu;
}

/* Append a PNG chunk (type + data + CRC) at p; returns bytes written. */
static size_t png_chunk(uint8_t *p, const char *type, const uint8_t *data, uint32_t n) {
    put_be32(p, n);
    memcpy(p + 4, type, 4);
    if (n) memcpy(p + 8, data, n);
    put_be32(p + 8 + n, crc32_png(p + 4, 4 + (size_t)n));
    return 12 + (size_t)n;
}

/* ---- round trips -------------------------------------------------------- */

static void t_jpeg(void) {
    const int sizes[][2] = {{97, 61}, {16, 16}, {1, 1}, {300, 7}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        uint8_t *rgb = imggen_pattern(w, h, 1), *jpg = NULL;
        size_t len = 0;
        CHECK(rgb);
        int ok = imggen_jpeg(rgb, w, h, 95, &jpg, &len) == 0 &&
                 expect_image("jpeg q95", jpg, len, w, h, VIGIL_PIX_RGB8,
                              w * h >= 1000 ? rgb : NULL, 12.0) == 0;
        free(rgb);
        free(jpg);
        CHECK(ok);
    }
}

static void t_png_rgb(void) {
    const int sizes[][2] = {{64, 48}, {1, 1}, {33, 7}, {7, 200}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int interlace = 0; interlace < 2; interlace++) {
            int w = sizes[i][0], h = sizes[i][1];
            uint8_t *rgb = imggen_pattern(w, h, 2 + (unsigned)i), *png = NULL;
            size_t len = 0;
            CHECK(rgb);
            int ok = imggen_png(rgb, w, h, 3, interlace, &png, &len) == 0 &&
                     expect_image(interlace ? "png rgb adam7" : "png rgb", png, len, w, h,
                                  VIGIL_PIX_RGB8, rgb, 0) == 0;
            free(rgb);
            free(png);
            CHECK(ok);
        }
    }
}

static void t_png_rgba(void) {
    int w = 45, h = 31;
    uint8_t *rgb = imggen_pattern(w, h, 3), *rgba = malloc((size_t)w * h * 4), *png = NULL;
    size_t len = 0;
    int ok = rgb && rgba;
    for (int i = 0; ok && i < w * h; i++) {
        memcpy(rgba + 4 * i, rgb + 3 * i, 3);
        rgba[4 * i + 3] = (uint8_t)(i * 7 + 3);
    }
    for (int interlace = 0; ok && interlace < 2; interlace++) {
        ok = imggen_png(rgba, w, h, 4, interlace, &png, &len) == 0 &&
             expect_image("png rgba", png, len, w, h, VIGIL_PIX_RGBA8, rgba, 0) == 0;
        free(png);
        png = NULL;
    }
    free(rgb);
    free(rgba);
    CHECK(ok);
}

/* Gray PNGs decode to GRAY8. */
static void t_png_gray(void) {
    int w = 50, h = 37;
    uint8_t *rgb = imggen_pattern(w, h, 4), *gray = malloc((size_t)w * h), *png = NULL;
    size_t len = 0;
    int ok = rgb && gray;
    for (int i = 0; ok && i < w * h; i++) gray[i] = rgb[3 * i + 1];
    for (int interlace = 0; ok && interlace < 2; interlace++) {
        ok = imggen_png(gray, w, h, 1, interlace, &png, &len) == 0 &&
             expect_image("png gray", png, len, w, h, VIGIL_PIX_GRAY8, gray, 0) == 0;
        free(png);
        png = NULL;
    }
    free(rgb);
    free(gray);
    CHECK(ok);
}

/* 16-bit samples keep their high byte; 1/2/4-bit gray expands to 8 bits. */
static void t_png_depths(void) {
    int w = 29, h = 19;
    uint8_t *rgb = imggen_pattern(w, h, 5), *gray = malloc((size_t)w * h);
    uint8_t *want = malloc((size_t)w * h), *png = NULL;
    size_t len = 0;
    int ok = rgb && gray && want;
    for (int i = 0; ok && i < w * h; i++) gray[i] = rgb[3 * i];
    for (int interlace = 0; ok && interlace < 2; interlace++) {
        ok = imggen_png_depth(rgb, w, h, 3, interlace, 16, &png, &len) == 0 &&
             expect_image("png rgb16", png, len, w, h, VIGIL_PIX_RGB8, rgb, 0) == 0;
        free(png);
        png = NULL;
        ok = ok && imggen_png_depth(gray, w, h, 1, interlace, 16, &png, &len) == 0 &&
             expect_image("png gray16", png, len, w, h, VIGIL_PIX_GRAY8, gray, 0) == 0;
        free(png);
        png = NULL;
    }
    for (int bd = 1; ok && bd <= 4; bd *= 2) {
        int scale = 255 / ((1 << bd) - 1);
        for (int i = 0; i < w * h; i++) want[i] = (uint8_t)((gray[i] >> (8 - bd)) * scale);
        for (int interlace = 0; ok && interlace < 2; interlace++) {
            ok = imggen_png_depth(gray, w, h, 1, interlace, bd, &png, &len) == 0 &&
                 expect_image("png low-bit gray", png, len, w, h, VIGIL_PIX_GRAY8, want, 0) == 0;
            free(png);
            png = NULL;
        }
    }
    free(rgb);
    free(gray);
    free(want);
    CHECK(ok);
}

static void t_png_palette(void) {
    int w = 40, h = 30;
    uint8_t *rgb = imggen_pattern(w, h, 6), *png = NULL;
    size_t len = 0;
    CHECK(rgb);
    imggen_snap332(rgb, w, h);
    int ok = imggen_png_palette(rgb, w, h, &png, &len) == 0 &&
             expect_image("png palette", png, len, w, h, VIGIL_PIX_RGB8, rgb, 0) == 0;
    free(rgb);
    free(png);
    CHECK(ok);
}

static void t_webp(void) {
    const int sizes[][2] = {{64, 48}, {1, 1}, {33, 7}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        uint8_t *rgb = imggen_pattern(w, h, 7), *wp = NULL;
        size_t len = 0;
        CHECK(rgb);
        int ok = imggen_webp(rgb, w, h, 1, &wp, &len) == 0 &&
                 expect_image("webp lossless", wp, len, w, h, VIGIL_PIX_RGB8, rgb, 0) == 0;
        free(wp);
        wp = NULL;
        ok = ok && imggen_webp(rgb, w, h, 0, &wp, &len) == 0 &&
             expect_image("webp lossy", wp, len, w, h, VIGIL_PIX_RGB8,
                          w * h >= 1000 ? rgb : NULL, 12.0) == 0;
        free(rgb);
        free(wp);
        CHECK(ok);
    }
}

/* An animated WebP by hand: canvas cw x ch, ANMF frames (the VP8L chunk of a
 * lossless still) at (fx, fy); a second frame, full canvas, must not show. */
static int webp_anim(const uint8_t *still1, size_t len1, const uint8_t *still2, size_t len2,
                     int cw, int ch, int fx, int fy, int fw, int fh, uint8_t **out,
                     size_t *outlen) {
    *out = NULL;
    if (len1 < 20 || memcmp(still1 + 12, "VP8L", 4) || len2 < 20 || memcmp(still2 + 12, "VP8L", 4))
        return -1;
    size_t c1 = len1 - 12, c2 = len2 - 12; /* whole VP8L chunks, padded */
    size_t total = 12 + 18 + 14 + (8 + 16 + c1) + (8 + 16 + c2);
    uint8_t *b = calloc(1, total), *p = b;
    if (!b) return -1;
    memcpy(p, "RIFF", 4);
    put_le32(p + 4, (uint32_t)(total - 8));
    memcpy(p + 8, "WEBP", 4);
    p += 12;
    memcpy(p, "VP8X", 4);
    put_le32(p + 4, 10);
    p[8] = 0x02; /* animation */
    put_le24(p + 12, (uint32_t)cw - 1);
    put_le24(p + 15, (uint32_t)ch - 1);
    p += 18;
    memcpy(p, "ANIM", 4);
    put_le32(p + 4, 6);
    p += 14; /* background 0,0,0,0; loop count 0 */
    const uint8_t *chunk[2] = {still1 + 12, still2 + 12};
    size_t clen[2] = {c1, c2};
    int geo[2][4] = {{fx, fy, fw, fh}, {0, 0, cw, ch}};
    for (int i = 0; i < 2; i++) {
        memcpy(p, "ANMF", 4);
        put_le32(p + 4, (uint32_t)(16 + clen[i]));
        put_le24(p + 8, (uint32_t)geo[i][0] / 2);
        put_le24(p + 11, (uint32_t)geo[i][1] / 2);
        put_le24(p + 14, (uint32_t)geo[i][2] - 1);
        put_le24(p + 17, (uint32_t)geo[i][3] - 1);
        put_le24(p + 20, 100); /* duration */
        p[23] = 0x02;          /* do not blend */
        memcpy(p + 24, chunk[i], clen[i]);
        p += 24 + clen[i];
    }
    *out = b;
    *outlen = total;
    return 0;
}

static void t_webp_animated(void) {
    int cw = 20, ch = 16, fx = 4, fy = 2, fw = 8, fh = 6;
    uint8_t *f1 = imggen_pattern(fw, fh, 8), *f2 = imggen_pattern(cw, ch, 9);
    uint8_t *s1 = NULL, *s2 = NULL, *anim = NULL, *want = calloc((size_t)cw * ch, 4);
    size_t l1 = 0, l2 = 0, la = 0;
    int ok = f1 && f2 && want && imggen_webp(f1, fw, fh, 1, &s1, &l1) == 0 &&
             imggen_webp(f2, cw, ch, 1, &s2, &l2) == 0 &&
             webp_anim(s1, l1, s2, l2, cw, ch, fx, fy, fw, fh, &anim, &la) == 0;
    if (ok) {
        for (int y = 0; y < fh; y++)
            for (int x = 0; x < fw; x++) {
                uint8_t *d = want + ((size_t)(fy + y) * cw + (size_t)(fx + x)) * 4;
                memcpy(d, f1 + ((size_t)y * fw + (size_t)x) * 3, 3);
                d[3] = 255;
            }
#ifdef VIGIL_HAVE_WEBPDEMUX
        ok = expect_image("webp animated", anim, la, cw, ch, VIGIL_PIX_RGBA8, want, 0) == 0;
        ok = ok && expect_error("webp animated cut", anim, la / 2, -1) == 0;
#else
        ok = expect_error("webp animated", anim, la, VIGIL_EFORMAT) == 0;
#endif
    }
    free(f1);
    free(f2);
    free(s1);
    free(s2);
    free(anim);
    free(want);
    CHECK(ok);
}

static void t_gif(void) {
    const int sizes[][2] = {{64, 48}, {1, 1}, {33, 7}, {5, 19}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        for (int interlace = 0; interlace < 2; interlace++) {
            int w = sizes[i][0], h = sizes[i][1];
            uint8_t *rgb = imggen_pattern(w, h, 10 + (unsigned)i), *gif = NULL;
            size_t len = 0;
            CHECK(rgb);
            imggen_snap332(rgb, w, h);
            int ok = imggen_gif(rgb, w, h, interlace, &gif, &len) == 0 &&
                     expect_image(interlace ? "gif interlaced" : "gif", gif, len, w, h,
                                  VIGIL_PIX_RGB8, rgb, 0) == 0;
            free(rgb);
            free(gif);
            CHECK(ok);
        }
    }
}

/* ---- GIF compositing: files built with giflib's low-level writer -------- */

typedef struct gif_frame {
    int left, top, w, h, interlace, transparent; /* transparent: -1 for none */
    const GifColorType *local;                   /* NULL: use the global map */
    int nlocal;                                  /* power of two             */
    const uint8_t *idx;                          /* w*h indices, row order   */
} gif_frame;

typedef struct gif_out {
    uint8_t *data;
    size_t len, cap;
} gif_out;

static int gif_out_cb(GifFileType *g, const GifByteType *p, int n) {
    gif_out *o = g->UserData;
    if (o->len + (size_t)n > o->cap) {
        size_t cap = (o->len + (size_t)n) * 2;
        uint8_t *d = realloc(o->data, cap);
        if (!d) return 0;
        o->data = d;
        o->cap = cap;
    }
    memcpy(o->data + o->len, p, (size_t)n);
    o->len += (size_t)n;
    return n;
}

static int gif_build(int sw, int sh, int bg, const GifColorType *global, int nglobal,
                     const gif_frame *fr, int nframes, uint8_t **out, size_t *len) {
    static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
    gif_out o = {NULL, 0, 0};
    ColorMapObject *gmap = NULL;
    int gerr = 0, ok = 0;
    GifFileType *g = EGifOpen(&o, gif_out_cb, &gerr);
    if (!g) goto out;
    EGifSetGifVersion(g, true);
    if (global && !(gmap = GifMakeMapObject(nglobal, global))) goto out;
    if (EGifPutScreenDesc(g, sw, sh, 8, bg, gmap) == GIF_ERROR) goto out;
    for (int f = 0; f < nframes; f++) {
        const gif_frame *fp = &fr[f];
        if (fp->transparent >= 0) {
            GraphicsControlBlock gcb = {0, false, 0, fp->transparent};
            GifByteType ext[4];
            size_t n = EGifGCBToExtension(&gcb, ext);
            if (EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, (int)n, ext) == GIF_ERROR) goto out;
        }
        ColorMapObject *lmap = NULL;
        if (fp->local && !(lmap = GifMakeMapObject(fp->nlocal, fp->local))) goto out;
        if (!lmap && g->Image.ColorMap) { /* giflib 5.2 would drop (leak) the last local map */
            GifFreeMapObject(g->Image.ColorMap);
            g->Image.ColorMap = NULL;
        }
        int rc = EGifPutImageDesc(g, fp->left, fp->top, fp->w, fp->h, fp->interlace, lmap);
        GifFreeMapObject(lmap);
        if (rc == GIF_ERROR) goto out;
        for (int p = fp->interlace ? 0 : 3; p < 4; p++) {
            int y0 = fp->interlace ? start[p] : 0, dy = fp->interlace ? step[p] : 1;
            for (int y = y0; y < fp->h; y += dy)
                if (EGifPutLine(g, (GifPixelType *)(fp->idx + (size_t)y * fp->w), fp->w) ==
                    GIF_ERROR)
                    goto out;
        }
    }
    ok = 1;
out:
    if (g && EGifCloseFile(g, &gerr) == GIF_ERROR) ok = 0;
    GifFreeMapObject(gmap);
    if (!ok) {
        free(o.data);
        return -1;
    }
    *out = o.data;
    *len = o.len;
    return 0;
}

/* Expected canvas: bg everywhere, then frame f (clipped, transparency). */
static void gif_expect(uint8_t *want, int sw, int sh, GifColorType bg, const gif_frame *f,
                       const GifColorType *map) {
    for (int i = 0; i < sw * sh; i++) {
        want[3 * i] = bg.Red;
        want[3 * i + 1] = bg.Green;
        want[3 * i + 2] = bg.Blue;
    }
    for (int y = 0; y < f->h; y++)
        for (int x = 0; x < f->w; x++) {
            int idx = f->idx[y * f->w + x], cx = f->left + x, cy = f->top + y;
            if (idx == f->transparent || cx >= sw || cy >= sh) continue;
            uint8_t *d = want + ((size_t)cy * sw + (size_t)cx) * 3;
            d[0] = map[idx].Red;
            d[1] = map[idx].Green;
            d[2] = map[idx].Blue;
        }
}

static void t_gif_composite(void) {
    static const GifColorType pal[4] = {{10, 20, 30}, {200, 0, 0}, {0, 200, 0}, {0, 0, 200}};
    static const GifColorType loc[2] = {{1, 2, 3}, {250, 251, 252}};
    uint8_t idx[64], all3[16 * 16], want[16 * 16 * 3], *gif = NULL;
    size_t len = 0;
    for (int i = 0; i < 64; i++) idx[i] = (uint8_t)((i * 5 + i / 3) % 4);
    memset(all3, 3, sizeof all3);
    const GifColorType black = {0, 0, 0};
    struct {
        const char *name;
        int sw, sh, bg, global;
        gif_frame f;
    } cases[] = {
        /* offset frame, transparent index 0 shows the background colour 1 */
        {"gif offset+transparent", 10, 8, 1, 1, {3, 2, 4, 3, 0, 0, NULL, 0, idx}},
        /* frame running off the screen to the right and bottom: clipped */
        {"gif clipped", 6, 5, 2, 1, {4, 3, 5, 4, 0, -1, NULL, 0, idx}},
        /* interlaced frame with an offset */
        {"gif interlaced offset", 7, 12, 0, 1, {1, 0, 5, 11, 1, 2, NULL, 0, idx}},
        /* local map only: background is black */
        {"gif local map", 4, 4, 0, 0, {1, 1, 2, 2, 0, -1, loc, 2, idx}},
        /* local map over a global one */
        {"gif local over global", 5, 3, 3, 1, {0, 0, 3, 2, 0, 1, loc, 2, idx}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        gif_frame fr[2] = {cases[c].f, {0, 0, 16, 16, 0, -1, NULL, 0, all3}};
        if (fr[0].local) /* local maps here have 2 colours: keep indices in range */
            for (int i = 0; i < 64; i++) idx[i] &= 1;
        int sw = cases[c].sw, sh = cases[c].sh;
        int ok = gif_build(sw, sh, cases[c].bg, cases[c].global ? pal : NULL, 4, fr,
                           cases[c].global ? 2 : 1, &gif, &len) == 0;
        if (!ok) test_fail(__FILE__, __LINE__, "%s: cannot build the GIF", cases[c].name);
        const GifColorType *map = fr[0].local ? fr[0].local : pal;
        gif_expect(want, sw, sh, cases[c].global ? pal[cases[c].bg] : black, &fr[0], map);
        ok = ok && expect_image(cases[c].name, gif, len, sw, sh, VIGIL_PIX_RGB8, want, 0) == 0;
        free(gif);
        gif = NULL;
        CHECK(ok);
    }
}

/* Thousands of frames: only the first one is decoded. */
static void t_gif_many_frames(void) {
    static const GifColorType pal[4] = {{10, 20, 30}, {200, 0, 0}, {0, 200, 0}, {0, 0, 200}};
    enum { N = 4000 };
    uint8_t idx[64], want[8 * 8 * 3], *gif = NULL;
    size_t len = 0;
    gif_frame *fr = calloc(N, sizeof *fr);
    CHECK(fr);
    for (int i = 0; i < 64; i++) idx[i] = (uint8_t)(i % 3);
    fr[0] = (gif_frame){0, 0, 8, 8, 0, -1, NULL, 0, idx};
    for (int i = 1; i < N; i++) fr[i] = (gif_frame){i % 8, i / 8 % 8, 1, 1, 0, -1, NULL, 0, idx};
    int ok = gif_build(8, 8, 3, pal, 4, fr, N, &gif, &len) == 0;
    free(fr);
    CHECK(ok);
    gif_frame f0 = {0, 0, 8, 8, 0, -1, NULL, 0, idx};
    gif_expect(want, 8, 8, pal[3], &f0, pal);
    ok = expect_image("gif 4000 frames", gif, len, 8, 8, VIGIL_PIX_RGB8, want, 0) == 0;
    free(gif);
    CHECK(ok);
}

static void t_bmp(void) {
    const int sizes[][2] = {{64, 48}, {1, 1}, {33, 7}, {2, 3}, {3, 2}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        int w = sizes[i][0], h = sizes[i][1];
        uint8_t *rgb = imggen_pattern(w, h, 20 + (unsigned)i), *bmp = NULL;
        size_t len = 0;
        CHECK(rgb);
        int ok = imggen_bmp(rgb, w, h, &bmp, &len) == 0 &&
                 expect_image("bmp", bmp, len, w, h, VIGIL_PIX_RGB8, rgb, 0) == 0;
        if (ok) { /* the same rows stored top-down (negative height) */
            size_t row = ((size_t)w * 3 + 3) & ~(size_t)3;
            uint8_t *td = malloc(len);
            ok = td != NULL;
            if (ok) {
                memcpy(td, bmp, 54);
                put_le32(td + 22, (uint32_t)-h);
                for (int y = 0; y < h; y++)
                    memcpy(td + 54 + (size_t)y * row, bmp + 54 + (size_t)(h - 1 - y) * row, row);
                ok = expect_image("bmp top-down", td, len, w, h, VIGIL_PIX_RGB8, rgb, 0) == 0;
            }
            free(td);
        }
        free(rgb);
        free(bmp);
        CHECK(ok);
    }
}

/* ---- the sink contract, checked on every decoder ------------------------ */

typedef struct check_sink {
    vigil__sink base;
    int begins, rows, next_y, w, h, bad;
    vigil_pixfmt fmt;
    vigil_status refuse; /* begin() returns this if not VIGIL_OK */
} check_sink;

static vigil_status cs_begin(vigil__sink *s, int w, int h, vigil_pixfmt fmt, vigil_err *err) {
    check_sink *c = (check_sink *)s;
    c->begins++;
    if (c->rows) c->bad = 1;
    c->w = w;
    c->h = h;
    c->fmt = fmt;
    if (c->refuse != VIGIL_OK) {
        vigil_err_clear(err);
        if (err) {
            err->status = c->refuse;
            snprintf(err->msg, sizeof err->msg, "refused by the test sink");
        }
        return c->refuse;
    }
    return VIGIL_OK;
}

static void cs_row(vigil__sink *s, int y, const uint8_t *px) {
    check_sink *c = (check_sink *)s;
    if (c->begins != 1 || c->refuse != VIGIL_OK || y != c->next_y || y >= c->h || !px) c->bad = 1;
    else {
        /* touch every byte of the row: ASan checks it is all readable */
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < (size_t)c->w * (size_t)c->fmt; i++) sum ^= px[i];
        (void)sum;
    }
    c->next_y = y + 1;
    c->rows++;
}

static void t_sink_contract(void) {
    int w = 37, h = 23;
    vigil__decode_opts opts;
    memset(&opts, 0, sizeof opts);
    vigil__limits_resolve(NULL, &opts.limits);
    for (int f = 0; f < F_COUNT; f++) {
        uint8_t *rgb = NULL, *file = NULL;
        size_t len = 0;
        int ok = sample_file(f, w, h, 30, &rgb, &file, &len) == 0;
        free(rgb);
        for (int refuse = 0; ok && refuse < 2; refuse++) {
            check_sink cs;
            memset(&cs, 0, sizeof cs);
            cs.base.begin = cs_begin;
            cs.base.row = cs_row;
            cs.refuse = refuse ? VIGIL_ELIMIT : VIGIL_OK;
            vigil_err err;
            vigil_err_clear(&err);
            vigil_format fmt = VIGIL_FMT_UNKNOWN;
            vigil_status rc = vigil__decode(file, len, &opts, &cs.base, &fmt, &err);
            if (rc != (refuse ? VIGIL_ELIMIT : VIGIL_OK) || cs.begins != 1 || cs.bad ||
                cs.rows != (refuse ? 0 : h) || cs.w != w || cs.h != h ||
                fmt != (vigil_format)(VIGIL_FMT_JPEG + f)) {
                test_fail(__FILE__, __LINE__,
                          "%s (refuse %d): rc %s \"%s\", begins %d, rows %d, bad %d, %dx%d",
                          fmt_names[f], refuse, vigil_status_name(rc), err.msg, cs.begins,
                          cs.rows, cs.bad, cs.w, cs.h);
                ok = 0;
            }
        }
        free(file);
        CHECK(ok);
    }
}

/* ---- limits ------------------------------------------------------------- */

static void t_limits_option(void) {
    int w = 64, h = 48;
    for (int f = 0; f < F_COUNT; f++) {
        uint8_t *rgb = NULL, *file = NULL;
        size_t len = 0;
        int ok = sample_file(f, w, h, 31, &rgb, &file, &len) == 0;
        free(rgb);
        const vigil_decode_limits lims[3] = {{1000, 0, 0}, {0, 63, 0}, {(uint64_t)w * h, 64, 0}};
        for (int i = 0; ok && i < 3; i++) {
            vigil_image *img = NULL;
            vigil_err err;
            vigil_err_clear(&err);
            vigil_status rc = vigil_image_decode(file, len, &lims[i], &img, &err);
            vigil_status want = i < 2 ? VIGIL_ELIMIT : VIGIL_OK;
            if (rc != want || (rc != VIGIL_OK && (!err.msg[0] || img))) {
                test_fail(__FILE__, __LINE__, "%s limits %d: %s \"%s\"", fmt_names[f], i,
                          vigil_status_name(rc), err.msg);
                ok = 0;
            }
            vigil_image_free(img);
        }
        free(file);
        CHECK(ok);
    }
}

/* Headers declaring a huge image, crafted by hand: VIGIL_ELIMIT before any
 * pixel memory is allocated (ASan would report a 10 GB malloc). */
static void t_limits_huge_headers(void) {
    uint8_t b[256];
    size_t n;

    /* PNG: IHDR 60000x60000 RGB, then the start of an IDAT */
    memset(b, 0, sizeof b);
    memcpy(b, "\x89PNG\r\n\x1a\n", 8);
    uint8_t ihdr[13] = {0, 0, 0xEA, 0x60, 0, 0, 0xEA, 0x60, 8, 2, 0, 0, 0};
    n = 8 + png_chunk(b + 8, "IHDR", ihdr, 13);
    uint8_t idat[16] = {0x78, 0x9C};
    n += png_chunk(b + n, "IDAT", idat, sizeof idat);
    CHECK(expect_error("png 60000x60000", b, n, VIGIL_ELIMIT) == 0);

    /* JPEG: SOI, SOF0 60000x60000 with 3 components, SOS, a little data */
    static const uint8_t jpg[] = {
        0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08, 0xEA, 0x60, 0xEA, 0x60, 0x03, 0x01, 0x11,
        0x00, 0x02, 0x11, 0x00, 0x03, 0x11, 0x00, 0xFF, 0xDA, 0x00, 0x0C, 0x03, 0x01, 0x00,
        0x02, 0x00, 0x03, 0x00, 0x00, 0x3F, 0x00, 0x12, 0x34, 0x56, 0x78, 0xFF, 0xD9};
    CHECK(expect_error("jpeg 60000x60000", jpg, sizeof jpg, VIGIL_ELIMIT) == 0);

    /* WebP: a VP8L header of the largest size, 16383x16383 (268 Mpx) */
    memset(b, 0, sizeof b);
    memcpy(b, "RIFF", 4);
    put_le32(b + 4, 4 + 8 + 16);
    memcpy(b + 8, "WEBPVP8L", 8);
    put_le32(b + 16, 16);
    b[20] = 0x2F;
    put_le32(b + 21, 16382u | 16382u << 14);
    CHECK(expect_error("webp 16383x16383", b, 36, VIGIL_ELIMIT) == 0);

    /* WebP: an animation canvas of 60000x60000 */
    memset(b, 0, sizeof b);
    memcpy(b, "RIFF", 4);
    put_le32(b + 4, 4 + 18 + 14);
    memcpy(b + 8, "WEBPVP8X", 8);
    put_le32(b + 16, 10);
    b[20] = 0x02;
    put_le24(b + 24, 59999);
    put_le24(b + 27, 59999);
    memcpy(b + 30, "ANIM", 4);
    put_le32(b + 34, 6);
#ifdef VIGIL_HAVE_WEBPDEMUX
    CHECK(expect_error("webp animated 60000x60000", b, 44, VIGIL_ELIMIT) == 0);
#else
    CHECK(expect_error("webp animated 60000x60000", b, 44, VIGIL_EFORMAT) == 0);
#endif

    /* GIF: a 60000x60000 screen with a 1x1 frame */
    static const uint8_t gif[] = {'G', 'I', 'F', '8', '9', 'a', 0x60, 0xEA, 0x60, 0xEA, 0x00,
                                  0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01,
                                  0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};
    CHECK(expect_error("gif 60000x60000", gif, sizeof gif, VIGIL_ELIMIT) == 0);
    /* GIF: a small screen but a 65535x65535 first frame */
    static const uint8_t gif2[] = {'G', 'I', 'F', '8', '9', 'a', 0x10, 0x00, 0x10, 0x00, 0x00,
                                   0x00, 0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF,
                                   0xFF, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3B};
    CHECK(expect_error("gif 65535x65535 frame", gif2, sizeof gif2, VIGIL_ELIMIT) == 0);

    /* BMP: 60000x60000 24-bit, header only */
    memset(b, 0, sizeof b);
    b[0] = 'B';
    b[1] = 'M';
    put_le32(b + 10, 54);
    put_le32(b + 14, 40);
    put_le32(b + 18, 60000);
    put_le32(b + 22, 60000);
    b[26] = 1;
    b[28] = 24;
    CHECK(expect_error("bmp 60000x60000", b, 64, VIGIL_ELIMIT) == 0);
    put_le32(b + 22, (uint32_t)-60000); /* top-down */
    CHECK(expect_error("bmp 60000x-60000", b, 64, VIGIL_ELIMIT) == 0);
}

/* ---- hostile input ------------------------------------------------------ */

static const uint8_t *const magic[F_COUNT] = {
    (const uint8_t *)"\xFF\xD8\xFF", (const uint8_t *)"\x89PNG\r\n\x1a\n",
    (const uint8_t *)"RIFF\x40\x00\x00\x00WEBP", (const uint8_t *)"GIF89a",
    (const uint8_t *)"BM"};
static const size_t magic_len[F_COUNT] = {3, 8, 12, 6, 2};

static void t_empty_and_text(void) {
    static const char text[] = "This is a plain text file, not an image.\nSecond line.\n";
    const uint8_t one = 0;
    CHECK(expect_error("zero bytes", &one, 0, VIGIL_EFORMAT) == 0);
    CHECK(expect_error("NULL, zero bytes", NULL, 0, VIGIL_EFORMAT) == 0);
    CHECK(expect_error("text", (const uint8_t *)text, sizeof text - 1, VIGIL_EFORMAT) == 0);
    CHECK(expect_error("one byte", &one, 1, VIGIL_EFORMAT) == 0);
}

static void t_magic_only(void) {
    for (int f = 0; f < F_COUNT; f++) {
        CHECK_INT(vigil_format_sniff(magic[f], magic_len[f]), ==, VIGIL_FMT_JPEG + f);
        if (expect_error(fmt_names[f], magic[f], magic_len[f], -1) != 0) {
            test_fail(__FILE__, __LINE__, "%s: magic bytes only", fmt_names[f]);
            return;
        }
    }
}

static void t_garbage_after_magic(void) {
    uint8_t b[512];
    for (int f = 0; f < F_COUNT; f++) {
        for (uint32_t seed = 1; seed <= 3; seed++) {
            uint32_t s = seed * 7919u + (uint32_t)f;
            for (size_t i = 0; i < sizeof b; i++) b[i] = (uint8_t)(xs(&s) >> 7);
            memcpy(b, magic[f], magic_len[f]);
            if (expect_error(fmt_names[f], b, sizeof b, -1) != 0) {
                test_fail(__FILE__, __LINE__, "%s: garbage after the magic, seed %u",
                          fmt_names[f], (unsigned)seed);
                return;
            }
        }
    }
}

/* Every prefix of a small valid file: up to half of it must fail; longer
 * ones may decode (a missing trailer is tolerated) or fail cleanly. */
static void t_truncated(void) {
    int w = 24, h = 18;
    for (int f = 0; f < F_COUNT; f++) {
        uint8_t *rgb = NULL, *file = NULL;
        size_t len = 0;
        int ok = sample_file(f, w, h, 40, &rgb, &file, &len) == 0;
        free(rgb);
        if (!ok) test_fail(__FILE__, __LINE__, "%s: cannot encode", fmt_names[f]);
        for (size_t n = 1; ok && n < len; n++) {
            /* an exact-size copy, so that ASan sees any read past the end */
            uint8_t *cut = malloc(n);
            ok = cut != NULL;
            if (!ok) break;
            memcpy(cut, file, n);
            if (n <= len / 2) ok = expect_error(fmt_names[f], cut, n, -1) == 0;
            else ok = expect_no_crash(fmt_names[f], cut, n, w, h) == 0;
            if (!ok) test_fail(__FILE__, __LINE__, "%s cut at %zu of %zu bytes", fmt_names[f], n,
                               len);
            free(cut);
        }
        /* named points: 10 bytes, half, len - 1 */
        if (ok) ok = expect_error(fmt_names[f], file, 10, -1) == 0;
        if (ok) ok = expect_error(fmt_names[f], file, len / 2, -1) == 0;
        if (ok) ok = expect_no_crash(fmt_names[f], file, len - 1, w, h) == 0;
        if (ok) ok = expect_image(fmt_names[f], file, len, w, h, VIGIL_PIX_RGB8, NULL, 0) == 0;
        free(file);
        CHECK(ok);
    }
}

/* Interlaced PNG and GIF cut in half: the rows are not all there. */
static void t_truncated_interlaced(void) {
    int w = 40, h = 30;
    uint8_t *rgb = imggen_pattern(w, h, 41), *png = NULL, *gif = NULL;
    size_t lp = 0, lg = 0;
    CHECK(rgb);
    imggen_snap332(rgb, w, h);
    int ok = imggen_png(rgb, w, h, 3, 1, &png, &lp) == 0 &&
             imggen_gif(rgb, w, h, 1, &gif, &lg) == 0;
    free(rgb);
    ok = ok && expect_error("png adam7 half", png, lp / 2, VIGIL_ECORRUPT) == 0 &&
         expect_error("png adam7 len-20", png, lp - 20, VIGIL_ECORRUPT) == 0 &&
         expect_error("gif interlaced half", gif, lg / 2, VIGIL_ECORRUPT) == 0 &&
         expect_error("gif interlaced len-4", gif, lg - 4, VIGIL_ECORRUPT) == 0;
    free(png);
    free(gif);
    CHECK(ok);
}

/* Random byte changes in valid files: any outcome but a crash, a leak or a
 * status without a message. */
static void t_mutations(void) {
    int w = 32, h = 24;
    for (int f = 0; f < F_COUNT; f++) {
        uint8_t *rgb = NULL, *file = NULL;
        size_t len = 0;
        int ok = sample_file(f, w, h, 50, &rgb, &file, &len) == 0;
        free(rgb);
        uint8_t *m = ok ? malloc(len) : NULL;
        uint32_t s = 12345u + (uint32_t)f;
        for (int iter = 0; ok && m && iter < 400; iter++) {
            memcpy(m, file, len);
            int flips = 1 + (int)(xs(&s) % 4);
            for (int k = 0; k < flips; k++) {
                size_t at = magic_len[f] + xs(&s) % (len - magic_len[f]);
                m[at] = (uint8_t)(iter & 1 ? xs(&s) : m[at] ^ (1u << (xs(&s) % 8)));
            }
            ok = expect_no_crash(fmt_names[f], m, len, -1, -1) == 0;
            if (!ok) test_fail(__FILE__, __LINE__, "%s mutation %d", fmt_names[f], iter);
        }
        free(m);
        free(file);
        CHECK(ok);
    }
}

const test_case suite_decode[] = {
    {"decode/jpeg", t_jpeg},
    {"decode/png_rgb", t_png_rgb},
    {"decode/png_rgba", t_png_rgba},
    {"decode/png_gray", t_png_gray},
    {"decode/png_depths", t_png_depths},
    {"decode/png_palette", t_png_palette},
    {"decode/webp", t_webp},
    {"decode/webp_animated", t_webp_animated},
    {"decode/gif", t_gif},
    {"decode/gif_composite", t_gif_composite},
    {"decode/gif_many_frames", t_gif_many_frames},
    {"decode/bmp", t_bmp},
    {"decode/sink_contract", t_sink_contract},
    {"decode/limits_option", t_limits_option},
    {"decode/limits_huge_headers", t_limits_huge_headers},
    {"decode/empty_and_text", t_empty_and_text},
    {"decode/magic_only", t_magic_only},
    {"decode/garbage_after_magic", t_garbage_after_magic},
    {"decode/truncated", t_truncated},
    {"decode/truncated_interlaced", t_truncated_interlaced},
    {"decode/mutations", t_mutations},
    {NULL, NULL},
};
