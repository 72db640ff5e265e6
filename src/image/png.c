/*
 * src/image/png.c - the PNG decoder: libpng (classic API, read from memory)
 * streaming 8-bit GRAY8 / RGB8 / RGBA8 rows into a vigil__sink.
 */
#include <limits.h>
#include <png.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "image/decode_internal.h"

/* Ancillary chunks that libpng would otherwise decompress or keep for
 * nothing: vigil hashes stored pixels and ignores colour management and
 * metadata, so they are skipped unread (no zTXt/iCCP decompression bombs). */
static const png_byte skipped_chunks[] = {
    'i', 'C', 'C', 'P', '\0', 'z', 'T', 'X', 't', '\0', 'i', 'T', 'X', 't', '\0',
    't', 'E', 'X', 't', '\0', 's', 'P', 'L', 'T', '\0', 'e', 'X', 'I', 'f', '\0',
    'h', 'I', 'S', 'T', '\0', 't', 'I', 'M', 'E', '\0',
};

/* Maximum memory libpng may allocate for one ancillary chunk, and the
 * maximum number of ancillary chunks it keeps. */
#define PNG_CHUNK_MALLOC_MAX (8u * 1024 * 1024)
#define PNG_CHUNK_CACHE_MAX 128u

/* Everything that must survive a longjmp out of libpng lives here, never in
 * a local of the function that called setjmp. */
typedef struct png_ctx {
    png_structp png;
    png_infop info;
    const uint8_t *data;
    size_t len, pos;
    int truncated;         /* the read callback ran out of input       */
    char libmsg[160];      /* last libpng error message                */
    uint8_t *pixels;       /* one row, or the whole image if interlaced */
    png_bytep *rows;       /* row pointers into pixels (interlaced)    */
    const vigil__decode_opts *opts;
    vigil__sink *sink;
    vigil_err *err;
} png_ctx;

static void png_error_cb(png_structp png, png_const_charp msg) {
    png_ctx *c = png_get_error_ptr(png);
    snprintf(c->libmsg, sizeof c->libmsg, "%s", msg ? msg : "unknown error");
    png_longjmp(png, 1);
}

static void png_warning_cb(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg; /* warnings (bad CRC in an ancillary chunk, ...) are not fatal */
}

static void png_read_cb(png_structp png, png_bytep out, size_t n) {
    png_ctx *c = png_get_io_ptr(png);
    if (n > c->len - c->pos) {
        c->truncated = 1;
        png_error(png, "read past the end of the input");
    }
    memcpy(out, c->data + c->pos, n);
    c->pos += n;
}

/* The libpng error path: called only after a longjmp. */
static vigil_status png_fail(png_ctx *c) {
    if (c->truncated)
        return vigil__err_set(c->err, VIGIL_ECORRUPT, "PNG: truncated data (libpng: %s)",
                              c->libmsg);
    if (strstr(c->libmsg, "memory") || strstr(c->libmsg, "Memory"))
        return vigil__err_set(c->err, VIGIL_ENOMEM, "PNG: out of memory (libpng: %s)",
                              c->libmsg);
    return vigil__err_set(c->err, VIGIL_ECORRUPT, "PNG: corrupt data (libpng: %s)", c->libmsg);
}

/* Runs the whole decode under one setjmp.  Only `c` (a pointer that is never
 * reassigned) is used after the longjmp. */
static vigil_status png_run(png_ctx *c) {
    if (setjmp(png_jmpbuf(c->png))) return png_fail(c);

    png_set_read_fn(c->png, c, png_read_cb);
    /* Dimensions are checked by sink->begin against vigil's limits, so let
     * libpng accept anything the format allows and refuse nothing itself. */
    png_set_user_limits(c->png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_chunk_cache_max(c->png, PNG_CHUNK_CACHE_MAX);
    png_set_chunk_malloc_max(c->png, PNG_CHUNK_MALLOC_MAX);
    png_set_keep_unknown_chunks(c->png, PNG_HANDLE_CHUNK_NEVER, NULL, 0);
    png_set_keep_unknown_chunks(c->png, PNG_HANDLE_CHUNK_NEVER, skipped_chunks,
                                (int)(sizeof skipped_chunks / 5));

    png_read_info(c->png, c->info);
    png_uint_32 w = png_get_image_width(c->png, c->info);
    png_uint_32 h = png_get_image_height(c->png, c->info);
    int depth = png_get_bit_depth(c->png, c->info);
    int ctype = png_get_color_type(c->png, c->info);
    int has_trns = png_get_valid(c->png, c->info, PNG_INFO_tRNS) != 0;

    /* Output: gray -> GRAY8; gray+alpha -> RGBA8; palette -> RGB8 (RGBA8
     * with tRNS); RGB -> RGB8 (RGBA8 with tRNS); RGBA -> RGBA8.  16-bit
     * samples keep their high byte (png_set_strip_16, as most readers). */
    vigil_pixfmt fmt;
    if (ctype == PNG_COLOR_TYPE_GRAY && !has_trns) fmt = VIGIL_PIX_GRAY8;
    else if ((ctype & PNG_COLOR_MASK_ALPHA) || has_trns) fmt = VIGIL_PIX_RGBA8;
    else fmt = VIGIL_PIX_RGB8;

    if (w > INT_MAX || h > INT_MAX)
        return vigil__err_set(c->err, VIGIL_ELIMIT, "PNG: image is %lux%lu, too large",
                              (unsigned long)w, (unsigned long)h);
    vigil_status rc = c->sink->begin(c->sink, (int)w, (int)h, fmt, c->err);
    if (rc != VIGIL_OK) return rc;

    if (depth == 16) png_set_strip_16(c->png);
    if (ctype == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(c->png);
    if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(c->png);
    if (has_trns) png_set_tRNS_to_alpha(c->png);
    if (fmt == VIGIL_PIX_RGBA8 && !(ctype & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(c->png);
    png_set_packing(c->png);
    int passes = png_set_interlace_handling(c->png);
    png_read_update_info(c->png, c->info);

    size_t rowbytes = png_get_rowbytes(c->png, c->info);
    size_t want = (size_t)w * (size_t)fmt;
    if (rowbytes != want || png_get_bit_depth(c->png, c->info) != 8)
        return vigil__err_set(c->err, VIGIL_EINTERNAL,
                              "PNG: libpng produced %zu-byte rows, expected %zu (colour type %d, "
                              "depth %d)", rowbytes, want, ctype, depth);

    if (passes <= 1) {
        c->pixels = malloc(rowbytes);
        if (!c->pixels) return vigil__err_set(c->err, VIGIL_ENOMEM, "PNG: out of memory");
        for (png_uint_32 y = 0; y < h; y++) {
            png_read_row(c->png, c->pixels, NULL);
            c->sink->row(c->sink, (int)y, c->pixels);
        }
    } else {
        /* Adam7 needs the whole image before the first row is final. */
        if ((size_t)h > SIZE_MAX / rowbytes)
            return vigil__err_set(c->err, VIGIL_ELIMIT, "PNG: interlaced image too large");
        c->pixels = malloc(rowbytes * (size_t)h);
        c->rows = calloc((size_t)h, sizeof *c->rows);
        if (!c->pixels || !c->rows)
            return vigil__err_set(c->err, VIGIL_ENOMEM,
                                  "PNG: out of memory for an interlaced %lux%lu image",
                                  (unsigned long)w, (unsigned long)h);
        for (png_uint_32 y = 0; y < h; y++) c->rows[y] = c->pixels + (size_t)y * rowbytes;
        png_read_image(c->png, c->rows);
        for (png_uint_32 y = 0; y < h; y++) c->sink->row(c->sink, (int)y, c->rows[y]);
    }
    /* png_read_end() is not called: what follows the last IDAT (text chunks,
     * IEND) does not change the pixels, and a missing trailer is tolerated. */
    return VIGIL_OK;
}

/*! vigil__decode_png() : see decode_internal.h.  PNG specifics: output is
 *  GRAY8 (gray), RGB8 (RGB, palette) or RGBA8 (any alpha or tRNS; gray+alpha
 *  becomes RGBA8); 16-bit samples are reduced to their high byte; gamma and
 *  colour profiles are ignored.  Truncated image data is VIGIL_ECORRUPT. */
vigil_status vigil__decode_png(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                               vigil__sink *sink, vigil_err *err) {
    vigil_status rc;
    png_ctx c;
    memset(&c, 0, sizeof c);
    c.data = data;
    c.len = len;
    c.opts = opts;
    c.sink = sink;
    c.err = err;

    if (len < 8 || png_sig_cmp(data, 0, 8) != 0)
        return vigil__err_set(err, VIGIL_EFORMAT, "PNG: bad signature");
    c.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &c, png_error_cb, png_warning_cb);
    if (!c.png) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "PNG: cannot create the libpng reader");
        goto out;
    }
    c.info = png_create_info_struct(c.png);
    if (!c.info) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "PNG: cannot create the libpng info struct");
        goto out;
    }
    rc = png_run(&c);
out:
    if (c.png) png_destroy_read_struct(&c.png, c.info ? &c.info : NULL, NULL);
    free(c.rows);
    free(c.pixels);
    return rc;
}
