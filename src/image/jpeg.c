/*
 * src/image/jpeg.c - JPEG decoding with libjpeg-turbo, streaming rows into a
 * sink.  Default settings (ISLOW IDCT, fancy upsampling) give exactly the
 * pixels ImageMagick produces, which is what the PDQ reference hashes.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <jerror.h>

#include "common/err.h"
#include "image/decode_internal.h"

/* A progressive JPEG may hold any number of scans, each a full pass over the
 * coefficients: a few kilobytes can cost minutes.  Real files have < 20. */
#define JPEG_MAX_SCANS 500

typedef struct jpeg_err_ctx {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    vigil_status status;
    char msg[JMSG_LENGTH_MAX];
} jpeg_err_ctx;

static void jpeg_on_error(j_common_ptr cinfo) {
    jpeg_err_ctx *e = (jpeg_err_ctx *)cinfo->err;
    (*cinfo->err->format_message)(cinfo, e->msg);
    if (e->status == VIGIL_OK) e->status = VIGIL_ECORRUPT;
    longjmp(e->jump, 1);
}

/* Warnings: libjpeg reports damaged data as warnings and goes on with grey
 * pixels.  vigil refuses such images rather than hash invented pixels; only
 * stray bytes between markers (harmless, common) are tolerated. */
static void jpeg_on_message(j_common_ptr cinfo, int level) {
    jpeg_err_ctx *e = (jpeg_err_ctx *)cinfo->err;
    if (level >= 0) return; /* trace messages */
    if (cinfo->err->msg_code == JWRN_EXTRANEOUS_DATA) return;
    (*cinfo->err->format_message)(cinfo, e->msg);
    e->status = VIGIL_ECORRUPT;
    longjmp(e->jump, 1);
}

static void jpeg_on_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    j_decompress_ptr d = (j_decompress_ptr)cinfo;
    if (d->input_scan_number > JPEG_MAX_SCANS) {
        jpeg_err_ctx *e = (jpeg_err_ctx *)cinfo->err;
        snprintf(e->msg, sizeof e->msg, "more than %d progressive scans", JPEG_MAX_SCANS);
        e->status = VIGIL_ELIMIT;
        longjmp(e->jump, 1);
    }
}

/* The largest 1/d (d in 8,4,2) that keeps both sides >= min(side, 512). */
static unsigned pick_scale_denom(unsigned w, unsigned h) {
    static const unsigned denoms[] = {8, 4, 2};
    unsigned need_w = w < 512 ? w : 512, need_h = h < 512 ? h : 512;
    for (size_t i = 0; i < sizeof denoms / sizeof denoms[0]; i++) {
        unsigned d = denoms[i];
        if ((w + d - 1) / d >= need_w && (h + d - 1) / d >= need_h) return d;
    }
    return 1;
}

/* Adobe CMYK JPEGs store inverted values; convert to RGB the simple way. */
static void cmyk_to_rgb(const uint8_t *in, uint8_t *out, unsigned w, int inverted) {
    for (unsigned x = 0; x < w; x++) {
        unsigned c = in[4 * x], m = in[4 * x + 1], y = in[4 * x + 2], k = in[4 * x + 3];
        if (!inverted) {
            c = 255 - c;
            m = 255 - m;
            y = 255 - y;
            k = 255 - k;
        }
        out[3 * x] = (uint8_t)((c * k + 127) / 255);
        out[3 * x + 1] = (uint8_t)((m * k + 127) / 255);
        out[3 * x + 2] = (uint8_t)((y * k + 127) / 255);
    }
}

vigil_status vigil__decode_jpeg(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                                vigil__sink *sink, vigil_err *err) {
    struct jpeg_decompress_struct cinfo;
    struct jpeg_progress_mgr progress;
    /* volatile: modified between setjmp and a possible longjmp */
    jpeg_err_ctx jerr;
    JSAMPLE *volatile rows = NULL;
    uint8_t *volatile conv = NULL;
    vigil_status rc = VIGIL_OK;

    memset(&jerr, 0, sizeof jerr);
    cinfo.err = jpeg_std_error(&jerr.pub);
    jerr.pub.error_exit = jpeg_on_error;
    jerr.pub.emit_message = jpeg_on_message;
    if (len > (size_t)(unsigned long)-1)
        return vigil__err_set(err, VIGIL_ELIMIT, "JPEG: input too large");

    if (setjmp(jerr.jump)) {
        rc = vigil__err_set(err, jerr.status != VIGIL_OK ? jerr.status : VIGIL_ECORRUPT,
                            "JPEG: %s", jerr.msg);
        goto out;
    }
    jpeg_create_decompress(&cinfo);
    progress.progress_monitor = jpeg_on_progress;
    cinfo.progress = &progress;
    /* Bound libjpeg's own working memory (coefficient buffers etc.). */
    cinfo.mem->max_memory_to_use = 1024L * 1024L * 1024L;
    jpeg_mem_src(&cinfo, data, (unsigned long)len);
    jpeg_read_header(&cinfo, TRUE);

    /* Check the declared size before libjpeg allocates anything for it. */
    rc = vigil__check_dims(cinfo.image_width, cinfo.image_height, &opts->limits, err);
    if (rc != VIGIL_OK) goto out;

    vigil_pixfmt fmt = VIGIL_PIX_RGB8;
    int cmyk = 0;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
        cinfo.out_color_space = JCS_GRAYSCALE;
        fmt = VIGIL_PIX_GRAY8;
        break;
    case JCS_CMYK:
    case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK;
        cmyk = 1;
        break;
    default:
        cinfo.out_color_space = JCS_RGB;
        break;
    }
    if (opts->jpeg_fast_scale) {
        cinfo.scale_num = 1;
        cinfo.scale_denom = pick_scale_denom(cinfo.image_width, cinfo.image_height);
    }
    jpeg_calc_output_dimensions(&cinfo);
    rc = sink->begin(sink, (int)cinfo.output_width, (int)cinfo.output_height, fmt, err);
    if (rc != VIGIL_OK) goto out;

    jpeg_start_decompress(&cinfo);
    unsigned batch = cinfo.rec_outbuf_height > 0 ? (unsigned)cinfo.rec_outbuf_height : 1;
    size_t row_bytes = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    /* Rows start 1 byte past a 64-byte boundary.  libjpeg-turbo's SIMD colour
     * conversion writes an aligned row with non-temporal stores, which send it
     * past the caches: the sink would then read every row back from memory
     * (measured: +0.8 ms per 640x480 image).  A misaligned row is written
     * with ordinary stores and stays in L1 for the sink. */
    size_t row_stride = (row_bytes + 63) / 64 * 64;
    rows = malloc(row_stride * batch + 64 + 1);
    if (cmyk) conv = malloc((size_t)cinfo.output_width * 3);
    if (!rows || (cmyk && !conv)) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "JPEG: out of memory");
        goto out;
    }
    JSAMPROW ptrs[16];
    if (batch > 16) batch = 16;
    JSAMPLE *row0 = rows + (64 - (uintptr_t)rows % 64) % 64 + 1;
    for (unsigned i = 0; i < batch; i++) ptrs[i] = row0 + i * row_stride;
    while (cinfo.output_scanline < cinfo.output_height) {
        unsigned y0 = cinfo.output_scanline;
        unsigned got = jpeg_read_scanlines(&cinfo, ptrs, batch);
        if (got == 0) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "JPEG: decoder stalled at row %u", y0);
            goto out;
        }
        for (unsigned i = 0; i < got; i++) {
            const uint8_t *px = ptrs[i];
            if (cmyk) {
                cmyk_to_rgb(px, conv, cinfo.output_width, cinfo.saw_Adobe_marker);
                px = conv;
            }
            sink->row(sink, (int)(y0 + i), px);
        }
    }
    jpeg_finish_decompress(&cinfo);
out:
    jpeg_destroy_decompress(&cinfo);
    free(rows);
    free(conv);
    return rc;
}
