/*
 * src/image/webp.c - the WebP decoder: libwebp for still images (lossy and
 * lossless), and libwebpdemux for the first frame of an animation if built in.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>
#ifdef VIGIL_HAVE_WEBPDEMUX
#include <webp/demux.h>
#endif

#include "common/err.h"
#include "image/decode_internal.h"

/* Animated WebP needs libwebpdemux: build with -DVIGIL_HAVE_WEBPDEMUX and
 * link `pkg-config --libs libwebpdemux`.  Without it animations are refused
 * with VIGIL_EFORMAT. */

static vigil_status webp_status(VP8StatusCode st, const char *what, vigil_err *err) {
    switch (st) {
    case VP8_STATUS_OK: return VIGIL_OK;
    case VP8_STATUS_OUT_OF_MEMORY:
        return vigil__err_set(err, VIGIL_ENOMEM, "WebP: out of memory (%s)", what);
    case VP8_STATUS_NOT_ENOUGH_DATA:
        return vigil__err_set(err, VIGIL_ECORRUPT, "WebP: truncated data (%s)", what);
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        return vigil__err_set(err, VIGIL_EFORMAT, "WebP: unsupported feature (%s)", what);
    case VP8_STATUS_BITSTREAM_ERROR:
        return vigil__err_set(err, VIGIL_ECORRUPT, "WebP: corrupt bitstream (%s)", what);
    case VP8_STATUS_INVALID_PARAM:
    case VP8_STATUS_SUSPENDED:
    case VP8_STATUS_USER_ABORT:
        break;
    }
    return vigil__err_set(err, VIGIL_ECORRUPT, "WebP: decoding failed (%s: libwebp status %d)",
                          what, (int)st);
}

#ifdef VIGIL_HAVE_WEBPDEMUX
/* First frame of an animation, composited by libwebp's WebPAnimDecoder on a
 * transparent canvas: RGBA8 of the canvas size (already checked by begin). */
static vigil_status webp_decode_anim(const uint8_t *data, size_t len, int w, int h,
                                     vigil__sink *sink, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    WebPAnimDecoderOptions dopt;
    WebPAnimDecoder *dec = NULL;
    WebPAnimInfo info;
    WebPData wd = {data, len};
    uint8_t *buf = NULL;
    int ts = 0;

    if (!WebPAnimDecoderOptionsInit(&dopt))
        return vigil__err_set(err, VIGIL_EINTERNAL, "WebP: libwebpdemux version mismatch");
    dopt.color_mode = MODE_RGBA;
    dopt.use_threads = 0;
    dec = WebPAnimDecoderNew(&wd, &dopt);
    if (!dec) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT,
                            "WebP: corrupt or truncated animation (libwebpdemux refused it)");
        goto out;
    }
    if (!WebPAnimDecoderGetInfo(dec, &info) || info.canvas_width != (uint32_t)w ||
        info.canvas_height != (uint32_t)h || info.frame_count < 1) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "WebP: inconsistent animation header");
        goto out;
    }
    if (!WebPAnimDecoderGetNext(dec, &buf, &ts) || !buf) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "WebP: cannot decode the first animation frame");
        goto out;
    }
    for (int y = 0; y < h; y++) sink->row(sink, y, buf + (size_t)y * (size_t)w * 4);
out:
    WebPAnimDecoderDelete(dec); /* owns buf */
    return rc;
}
#endif

/*! vigil__decode_webp() : see decode_internal.h.  WebP specifics: output is
 *  RGB8, or RGBA8 (non-premultiplied) when the file has alpha; an animation
 *  gives its first frame on a transparent canvas (RGBA8) when libwebpdemux is
 *  built in, VIGIL_EFORMAT otherwise. */
vigil_status vigil__decode_webp(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                                vigil__sink *sink, vigil_err *err) {
    vigil_status rc;
    WebPBitstreamFeatures feat;
    WebPDecoderConfig cfg;
    uint8_t *buf = NULL;
    int have_output = 0;
    (void)opts;

    rc = webp_status(WebPGetFeatures(data, len, &feat), "reading the header", err);
    if (rc != VIGIL_OK) return rc;
    if (feat.width < 1 || feat.height < 1)
        return vigil__err_set(err, VIGIL_ECORRUPT, "WebP: empty image (%dx%d)", feat.width,
                              feat.height);

    if (feat.has_animation) {
#ifdef VIGIL_HAVE_WEBPDEMUX
        rc = sink->begin(sink, feat.width, feat.height, VIGIL_PIX_RGBA8, err);
        if (rc != VIGIL_OK) return rc;
        return webp_decode_anim(data, len, feat.width, feat.height, sink, err);
#else
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "WebP: animated WebP not supported (built without libwebpdemux)");
#endif
    }

    vigil_pixfmt fmt = feat.has_alpha ? VIGIL_PIX_RGBA8 : VIGIL_PIX_RGB8;
    rc = sink->begin(sink, feat.width, feat.height, fmt, err);
    if (rc != VIGIL_OK) return rc;

    if (!WebPInitDecoderConfig(&cfg))
        return vigil__err_set(err, VIGIL_EINTERNAL, "WebP: libwebp version mismatch");
    size_t stride = (size_t)feat.width * (size_t)fmt;
    size_t size = stride * (size_t)feat.height;
    buf = malloc(size);
    if (!buf) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "WebP: out of memory for a %dx%d image",
                            feat.width, feat.height);
        goto out;
    }
    cfg.options.use_threads = 0;
    cfg.output.colorspace = feat.has_alpha ? MODE_RGBA : MODE_RGB;
    cfg.output.is_external_memory = 1;
    cfg.output.u.RGBA.rgba = buf;
    cfg.output.u.RGBA.stride = (int)stride;
    cfg.output.u.RGBA.size = size;
    have_output = 1;
    rc = webp_status(WebPDecode(data, len, &cfg), "decoding the image", err);
    if (rc != VIGIL_OK) goto out;
    if (cfg.output.width != feat.width || cfg.output.height != feat.height) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT,
                            "WebP: decoded size %dx%d differs from header %dx%d",
                            cfg.output.width, cfg.output.height, feat.width, feat.height);
        goto out;
    }
    for (int y = 0; y < feat.height; y++) sink->row(sink, y, buf + (size_t)y * stride);
out:
    if (have_output) WebPFreeDecBuffer(&cfg.output); /* external memory: frees nothing of ours */
    free(buf);
    return rc;
}
