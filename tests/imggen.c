/*
 * tests/imggen.c - deterministic test images and in-memory encoders (libjpeg,
 * libpng, libwebp, giflib, and a hand-written BMP writer); see imggen.h.
 */
#include "imggen.h"

#include <setjmp.h>
#include <stdio.h> /* before jpeglib.h, which needs FILE */
#include <stdlib.h>
#include <string.h>

#include <gif_lib.h>
#include <jpeglib.h>
#include <png.h>
#include <webp/encode.h>

/* ---- the pattern ------------------------------------------------------- */

static uint32_t imggen_rand(uint32_t *s) {
    /* xorshift32: fixed, portable, good enough for placing shapes */
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *s = x;
    return x;
}

static int imggen_clamp(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* A triangle wave of period `p` (> 0) and amplitude 0..a. */
static int imggen_tri(int t, int p, int a) {
    int m = t % p;
    if (m < 0) m += p;
    return m < p / 2 ? a * m / (p / 2) : a * (p - m) / (p - p / 2);
}

typedef struct imggen_shape {
    int kind; /* 0 disc, 1 rectangle, 2 ring */
    int cx, cy, rx, ry;
    int r, g, b;
} imggen_shape;

uint8_t *imggen_pattern(int w, int h, unsigned seed) {
    if (w < 1 || h < 1) return NULL;
    uint8_t *px = malloc((size_t)w * (size_t)h * 3);
    if (!px) return NULL;
    uint32_t s = seed * 2654435761u + 0x9E3779B9u;
    if (!s) s = 1;
    for (int i = 0; i < 4; i++) imggen_rand(&s);

    int m = w < h ? w : h;
    int period_x = 8 + (int)(imggen_rand(&s) % 5 + 2) * (w / 8 + 1);
    int period_y = 8 + (int)(imggen_rand(&s) % 5 + 2) * (h / 8 + 1);
    int swap = (int)(imggen_rand(&s) % 3);
    imggen_shape sh[6];
    int nshapes = 3 + (int)(imggen_rand(&s) % 4);
    for (int i = 0; i < nshapes; i++) {
        sh[i].kind = (int)(imggen_rand(&s) % 3);
        sh[i].cx = (int)(imggen_rand(&s) % (unsigned)w);
        sh[i].cy = (int)(imggen_rand(&s) % (unsigned)h);
        sh[i].rx = m / 10 + (int)(imggen_rand(&s) % (unsigned)(m / 4 + 1));
        sh[i].ry = m / 10 + (int)(imggen_rand(&s) % (unsigned)(m / 4 + 1));
        if (sh[i].rx < 1) sh[i].rx = 1;
        if (sh[i].ry < 1) sh[i].ry = 1;
        sh[i].r = (int)(imggen_rand(&s) % 256);
        sh[i].g = (int)(imggen_rand(&s) % 256);
        sh[i].b = (int)(imggen_rand(&s) % 256);
    }

    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int gx = w > 1 ? 255 * x / (w - 1) : 0;
            int gy = h > 1 ? 255 * y / (h - 1) : 0;
            int gd = 255 * (x + y) / (w + h);
            int c[3] = {gx, gy, 255 - gd};
            if (swap == 1) c[0] = 255 - gd, c[2] = gx;
            if (swap == 2) c[1] = gd, c[0] = 255 - gy;
            int wave = imggen_tri(x, period_x, 48) + imggen_tri(y, period_y, 48) - 48;
            c[0] += wave;
            c[1] -= wave / 2;
            c[2] += wave / 3;
            for (int i = 0; i < nshapes; i++) {
                const imggen_shape *p = &sh[i];
                int64_t dx = x - p->cx, dy = y - p->cy, rx = p->rx, ry = p->ry;
                int in;
                if (p->kind == 1) {
                    in = dx <= rx && -dx <= rx && dy <= ry && -dy <= ry;
                } else {
                    /* (dx/rx)^2 + (dy/ry)^2 <= 1, in integers */
                    int64_t e = dx * dx * ry * ry + dy * dy * rx * rx, r2 = rx * rx * ry * ry;
                    in = e <= r2;
                    if (p->kind == 2) in = in && e * 16 >= r2 * 9; /* ring: outer 1/4 */
                }
                if (in) {
                    /* flat colour with a gentle shade so edges are not the only detail */
                    int shade = (int)((dx + dy) * 24 / (rx + ry + 1));
                    c[0] = p->r + shade;
                    c[1] = p->g + shade;
                    c[2] = p->b + shade;
                }
            }
            uint8_t *o = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
            o[0] = (uint8_t)imggen_clamp(c[0]);
            o[1] = (uint8_t)imggen_clamp(c[1]);
            o[2] = (uint8_t)imggen_clamp(c[2]);
        }
    }
    return px;
}

/* ---- a growing memory buffer ------------------------------------------- */

typedef struct imggen_buf {
    uint8_t *data;
    size_t len, cap;
    int failed;
} imggen_buf;

static int imggen_buf_put(imggen_buf *b, const void *p, size_t n) {
    if (b->failed) return -1;
    if (n > b->cap - b->len) {
        size_t cap = b->cap ? b->cap : 4096;
        while (n > cap - b->len) cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (!d) {
            b->failed = 1;
            return -1;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static int imggen_buf_finish(imggen_buf *b, int ok, uint8_t **out, size_t *len) {
    if (!ok || b->failed || !b->len) {
        free(b->data);
        *out = NULL;
        *len = 0;
        return -1;
    }
    *out = b->data;
    *len = b->len;
    return 0;
}

/* ---- 3-3-2 palette ----------------------------------------------------- */

uint8_t imggen_index332(uint8_t r, uint8_t g, uint8_t b) {
    return (uint8_t)((r >> 5) << 5 | (g >> 5) << 2 | (b >> 6));
}

void imggen_color332(uint8_t index, uint8_t rgb[3]) {
    rgb[0] = (uint8_t)(((index >> 5) * 255 + 3) / 7);
    rgb[1] = (uint8_t)((((index >> 2) & 7) * 255 + 3) / 7);
    rgb[2] = (uint8_t)((index & 3) * 85);
}

void imggen_snap332(uint8_t *rgb, int w, int h) {
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++) {
        uint8_t *p = rgb + 3 * i;
        imggen_color332(imggen_index332(p[0], p[1], p[2]), p);
    }
}

/* ---- JPEG -------------------------------------------------------------- */

typedef struct imggen_jpeg_job {
    struct jpeg_compress_struct cinfo;
    struct jpeg_error_mgr jerr;
    jmp_buf jb;
    unsigned char *buf;
    unsigned long size;
    const uint8_t *rgb;
    int w, h, quality;
} imggen_jpeg_job;

static void imggen_jpeg_error_exit(j_common_ptr c) {
    imggen_jpeg_job *j = (imggen_jpeg_job *)c->client_data;
    longjmp(j->jb, 1);
}

static void imggen_jpeg_silent(j_common_ptr c) { (void)c; }

static int imggen_jpeg_run(imggen_jpeg_job *j) {
    if (setjmp(j->jb)) return -1;
    jpeg_create_compress(&j->cinfo);
    j->cinfo.client_data = j;
    jpeg_mem_dest(&j->cinfo, &j->buf, &j->size);
    j->cinfo.image_width = (JDIMENSION)j->w;
    j->cinfo.image_height = (JDIMENSION)j->h;
    j->cinfo.input_components = 3;
    j->cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&j->cinfo);
    jpeg_set_quality(&j->cinfo, j->quality, TRUE);
    jpeg_start_compress(&j->cinfo, TRUE);
    while (j->cinfo.next_scanline < j->cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(j->rgb + (size_t)j->cinfo.next_scanline * (size_t)j->w * 3);
        jpeg_write_scanlines(&j->cinfo, &row, 1);
    }
    jpeg_finish_compress(&j->cinfo);
    return 0;
}

int imggen_jpeg(const uint8_t *rgb, int w, int h, int quality, uint8_t **out, size_t *len) {
    imggen_jpeg_job j;
    memset(&j, 0, sizeof j);
    *out = NULL;
    *len = 0;
    if (!rgb || w < 1 || h < 1) return -1;
    j.rgb = rgb;
    j.w = w;
    j.h = h;
    j.quality = quality < 1 ? 1 : quality > 100 ? 100 : quality;
    j.cinfo.err = jpeg_std_error(&j.jerr);
    j.jerr.error_exit = imggen_jpeg_error_exit;
    j.jerr.output_message = imggen_jpeg_silent;
    j.cinfo.client_data = &j;
    int rc = imggen_jpeg_run(&j);
    jpeg_destroy_compress(&j.cinfo);
    if (rc != 0 || !j.buf || !j.size) {
        free(j.buf); /* jpeg_mem_dest allocates with malloc() */
        return -1;
    }
    *out = j.buf;
    *len = (size_t)j.size;
    return 0;
}

/* ---- PNG --------------------------------------------------------------- */

typedef struct imggen_png_job {
    png_structp png;
    png_infop info;
    imggen_buf out;
    uint8_t *packed;  /* the rows as written */
    png_bytep *rows;
    int w, h, ctype, depth, interlace;
    size_t rowbytes;
    png_color palette[256];
    int npalette;
} imggen_png_job;

static void imggen_png_write_cb(png_structp png, png_bytep p, size_t n) {
    imggen_png_job *j = png_get_io_ptr(png);
    if (imggen_buf_put(&j->out, p, n) != 0) png_error(png, "out of memory");
}

static void imggen_png_flush_cb(png_structp png) { (void)png; }

static void imggen_png_error_cb(png_structp png, png_const_charp msg) {
    (void)msg;
    png_longjmp(png, 1);
}

static void imggen_png_warning_cb(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static int imggen_png_run(imggen_png_job *j) {
    if (setjmp(png_jmpbuf(j->png))) return -1;
    png_set_write_fn(j->png, j, imggen_png_write_cb, imggen_png_flush_cb);
    png_set_IHDR(j->png, j->info, (png_uint_32)j->w, (png_uint_32)j->h, j->depth, j->ctype,
                 j->interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (j->ctype == PNG_COLOR_TYPE_PALETTE) png_set_PLTE(j->png, j->info, j->palette, j->npalette);
    png_write_info(j->png, j->info);
    png_write_image(j->png, j->rows); /* does the Adam7 passes itself */
    png_write_end(j->png, j->info);
    return 0;
}

/* Encode rows already packed in j->packed (j->rowbytes each). */
static int imggen_png_encode(imggen_png_job *j, uint8_t **out, size_t *len) {
    int rc = -1;
    j->rows = malloc(sizeof *j->rows * (size_t)j->h);
    if (!j->rows) goto out;
    for (int y = 0; y < j->h; y++) j->rows[y] = j->packed + (size_t)y * j->rowbytes;
    j->png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, imggen_png_error_cb,
                                     imggen_png_warning_cb);
    if (!j->png) goto out;
    j->info = png_create_info_struct(j->png);
    if (!j->info) goto out;
    rc = imggen_png_run(j);
out:
    if (j->png) png_destroy_write_struct(&j->png, j->info ? &j->info : NULL);
    free(j->rows);
    free(j->packed);
    return imggen_buf_finish(&j->out, rc == 0, out, len);
}

int imggen_png_depth(const uint8_t *px, int w, int h, int channels, int interlace,
                     int bit_depth, uint8_t **out, size_t *len) {
    imggen_png_job j;
    memset(&j, 0, sizeof j);
    *out = NULL;
    *len = 0;
    if (!px || w < 1 || h < 1) return -1;
    if (channels != 1 && channels != 3 && channels != 4) return -1;
    if (bit_depth != 1 && bit_depth != 2 && bit_depth != 4 && bit_depth != 8 && bit_depth != 16)
        return -1;
    if (bit_depth < 8 && channels != 1) return -1;
    j.w = w;
    j.h = h;
    j.depth = bit_depth;
    j.interlace = interlace;
    j.ctype = channels == 1 ? PNG_COLOR_TYPE_GRAY
              : channels == 3 ? PNG_COLOR_TYPE_RGB
                              : PNG_COLOR_TYPE_RGB_ALPHA;
    size_t samples = (size_t)w * (size_t)channels;
    j.rowbytes = (samples * (size_t)bit_depth + 7) / 8;
    j.packed = calloc((size_t)h, j.rowbytes);
    if (!j.packed) return -1;
    for (int y = 0; y < h; y++) {
        const uint8_t *src = px + (size_t)y * samples;
        uint8_t *dst = j.packed + (size_t)y * j.rowbytes;
        for (size_t i = 0; i < samples; i++) {
            if (bit_depth == 8) {
                dst[i] = src[i];
            } else if (bit_depth == 16) {
                dst[2 * i] = src[i]; /* big-endian v*257 */
                dst[2 * i + 1] = src[i];
            } else {
                unsigned v = (unsigned)src[i] >> (8 - bit_depth);
                size_t bit = i * (size_t)bit_depth;
                dst[bit / 8] |= (uint8_t)(v << (8 - bit_depth - bit % 8));
            }
        }
    }
    return imggen_png_encode(&j, out, len);
}

int imggen_png(const uint8_t *px, int w, int h, int channels, int interlace, uint8_t **out,
               size_t *len) {
    return imggen_png_depth(px, w, h, channels, interlace, 8, out, len);
}

int imggen_png_palette(const uint8_t *rgb, int w, int h, uint8_t **out, size_t *len) {
    imggen_png_job j;
    memset(&j, 0, sizeof j);
    *out = NULL;
    *len = 0;
    if (!rgb || w < 1 || h < 1) return -1;
    j.w = w;
    j.h = h;
    j.depth = 8;
    j.ctype = PNG_COLOR_TYPE_PALETTE;
    j.npalette = 256;
    for (int i = 0; i < 256; i++) {
        uint8_t c[3];
        imggen_color332((uint8_t)i, c);
        j.palette[i].red = c[0];
        j.palette[i].green = c[1];
        j.palette[i].blue = c[2];
    }
    j.rowbytes = (size_t)w;
    j.packed = malloc((size_t)w * (size_t)h);
    if (!j.packed) return -1;
    for (size_t i = 0; i < (size_t)w * (size_t)h; i++)
        j.packed[i] = imggen_index332(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
    return imggen_png_encode(&j, out, len);
}

/* ---- WebP -------------------------------------------------------------- */

int imggen_webp(const uint8_t *rgb, int w, int h, int lossless, uint8_t **out, size_t *len) {
    uint8_t *enc = NULL;
    size_t n;
    *out = NULL;
    *len = 0;
    if (!rgb || w < 1 || h < 1) return -1;
    if (lossless) n = WebPEncodeLosslessRGB(rgb, w, h, w * 3, &enc);
    else n = WebPEncodeRGB(rgb, w, h, w * 3, 90.0f, &enc);
    if (!n || !enc) {
        WebPFree(enc);
        return -1;
    }
    *out = malloc(n);
    if (*out) {
        memcpy(*out, enc, n);
        *len = n;
    }
    WebPFree(enc);
    return *out ? 0 : -1;
}

/* ---- GIF --------------------------------------------------------------- */

static int imggen_gif_write_cb(GifFileType *g, const GifByteType *p, int n) {
    imggen_buf *b = g->UserData;
    if (n <= 0) return 0;
    return imggen_buf_put(b, p, (size_t)n) == 0 ? n : 0;
}

int imggen_gif(const uint8_t *rgb, int w, int h, int interlace, uint8_t **out, size_t *len) {
    static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
    imggen_buf b = {NULL, 0, 0, 0};
    GifFileType *g = NULL;
    ColorMapObject *cmap = NULL;
    uint8_t *line = NULL;
    int gerr = 0, ok = 0;
    *out = NULL;
    *len = 0;
    if (!rgb || w < 1 || h < 1 || w > 65535 || h > 65535) return -1;

    cmap = GifMakeMapObject(256, NULL);
    line = malloc((size_t)w);
    if (!cmap || !line) goto out;
    for (int i = 0; i < 256; i++) {
        uint8_t c[3];
        imggen_color332((uint8_t)i, c);
        cmap->Colors[i].Red = c[0];
        cmap->Colors[i].Green = c[1];
        cmap->Colors[i].Blue = c[2];
    }
    g = EGifOpen(&b, imggen_gif_write_cb, &gerr);
    if (!g) goto out;
    if (EGifPutScreenDesc(g, w, h, 8, 0, cmap) == GIF_ERROR) goto out;
    if (EGifPutImageDesc(g, 0, 0, w, h, interlace ? true : false, NULL) == GIF_ERROR) goto out;
    for (int p = interlace ? 0 : 3; p < 4; p++) {
        int y0 = interlace ? start[p] : 0, dy = interlace ? step[p] : 1;
        for (int y = y0; y < h; y += dy) {
            const uint8_t *src = rgb + (size_t)y * (size_t)w * 3;
            for (int x = 0; x < w; x++)
                line[x] = imggen_index332(src[3 * x], src[3 * x + 1], src[3 * x + 2]);
            if (EGifPutLine(g, line, w) == GIF_ERROR) goto out;
        }
    }
    ok = 1;
out:
    if (g && EGifCloseFile(g, &gerr) == GIF_ERROR) ok = 0; /* frees g in any case */
    GifFreeMapObject(cmap);
    free(line);
    return imggen_buf_finish(&b, ok, out, len);
}

/* ---- BMP --------------------------------------------------------------- */

static void imggen_le32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

int imggen_bmp(const uint8_t *rgb, int w, int h, uint8_t **out, size_t *len) {
    *out = NULL;
    *len = 0;
    if (!rgb || w < 1 || h < 1) return -1;
    size_t row = ((size_t)w * 3 + 3) & ~(size_t)3;
    size_t size = 54 + row * (size_t)h;
    if (size > 0xFFFFFFFFu) return -1;
    uint8_t *b = calloc(1, size);
    if (!b) return -1;
    b[0] = 'B';
    b[1] = 'M';
    imggen_le32(b + 2, (uint32_t)size);
    imggen_le32(b + 10, 54);               /* bfOffBits */
    imggen_le32(b + 14, 40);               /* BITMAPINFOHEADER */
    imggen_le32(b + 18, (uint32_t)w);
    imggen_le32(b + 22, (uint32_t)h);      /* positive: bottom-up */
    b[26] = 1;                             /* planes */
    b[28] = 24;                            /* bits per pixel */
    imggen_le32(b + 34, (uint32_t)(row * (size_t)h));
    imggen_le32(b + 38, 2835);             /* 72 dpi */
    imggen_le32(b + 42, 2835);
    for (int y = 0; y < h; y++) {
        const uint8_t *src = rgb + (size_t)y * (size_t)w * 3;
        uint8_t *dst = b + 54 + (size_t)(h - 1 - y) * row;
        for (int x = 0; x < w; x++) {
            dst[3 * x] = src[3 * x + 2];
            dst[3 * x + 1] = src[3 * x + 1];
            dst[3 * x + 2] = src[3 * x];
        }
    }
    *out = b;
    *len = size;
    return 0;
}

/* ---- files ------------------------------------------------------------- */

int imggen_write_file(const char *path, const uint8_t *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int rc = fwrite(data, 1, len, f) == len ? 0 : -1;
    if (fclose(f) != 0) rc = -1;
    return rc;
}

uint8_t *imggen_resize(const uint8_t *in, int w, int h, int nw, int nh) {
    uint8_t *out = malloc((size_t)nw * nh * 3);
    if (!out) return NULL;
    for (int y = 0; y < nh; y++) {
        double fy = (y + 0.5) * h / nh - 0.5;
        int y0 = fy < 0 ? 0 : (int)fy, y1 = y0 + 1 < h ? y0 + 1 : h - 1;
        double ay = fy - y0 < 0 ? 0 : fy - y0;
        for (int x = 0; x < nw; x++) {
            double fx = (x + 0.5) * w / nw - 0.5;
            int x0 = fx < 0 ? 0 : (int)fx, x1 = x0 + 1 < w ? x0 + 1 : w - 1;
            double ax = fx - x0 < 0 ? 0 : fx - x0;
            for (int c = 0; c < 3; c++) {
                double v = (1 - ay) * ((1 - ax) * in[((size_t)y0 * w + x0) * 3 + c] +
                                       ax * in[((size_t)y0 * w + x1) * 3 + c]) +
                           ay * ((1 - ax) * in[((size_t)y1 * w + x0) * 3 + c] +
                                 ax * in[((size_t)y1 * w + x1) * 3 + c]);
                out[((size_t)y * nw + x) * 3 + c] = (uint8_t)(v + 0.5);
            }
        }
    }
    return out;
}
