/*
 * src/image/bmp.c - the BMP decoder: a bounded header check of vigil's own
 * (limits, truncation), then stb_image (Debian's libstb) for the pixels, RGB8.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <stb/stb_image.h> /* implementation is in libstb.so: no STB_IMAGE_IMPLEMENTATION */

#include "common/err.h"
#include "image/decode_internal.h"

/* stb_image reports errors through stbi_failure_reason(), a global that is
 * thread-local in Debian's build (v2.27, STBI_THREAD_LOCAL) but a plain
 * global in some older builds: a message may then come from another thread's
 * failure.  Only the text is affected, never the status. */

static uint32_t bmp_le16(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t bmp_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static const char *bmp_reason(void) {
    const char *r = stbi_failure_reason();
    return r && *r ? r : "unknown error";
}

/*! vigil__decode_bmp() : see decode_internal.h.  BMP specifics: what
 *  stb_image reads (1/4/8/16/24/32 bpp, uncompressed or bitfields, OS/2 and
 *  V3-V5 headers; RLE and embedded JPEG/PNG are VIGIL_EFORMAT), output RGB8
 *  (alpha dropped).  Pixel data shorter than the header promises is
 *  VIGIL_ECORRUPT (stb_image alone would pad it with zeros). */
vigil_status vigil__decode_bmp(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                               vigil__sink *sink, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    stbi_uc *px = NULL;
    (void)opts;

    if (len > INT_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "BMP: file of %zu bytes is too large (max %d)",
                              len, INT_MAX);
    if (len < 14 + 4 || data[0] != 'B' || data[1] != 'M')
        return vigil__err_set(err, VIGIL_ECORRUPT, "BMP: truncated file header (%zu bytes)", len);

    /* Our own look at the header: stb_image's info call reports only
     * "unknown image type" on failure, and does not check the file length. */
    uint32_t offbits = bmp_le32(data + 10), hsz = bmp_le32(data + 14);
    if (hsz != 12 && hsz != 40 && hsz != 56 && hsz != 108 && hsz != 124)
        return vigil__err_set(err, VIGIL_EFORMAT, "BMP: unsupported info header size %lu",
                              (unsigned long)hsz);
    if (len < 14 + (size_t)hsz)
        return vigil__err_set(err, VIGIL_ECORRUPT, "BMP: truncated info header (%zu bytes)", len);
    int64_t w, h;
    uint32_t bpp, compression = 0;
    if (hsz == 12) {
        w = bmp_le16(data + 18);
        h = bmp_le16(data + 20);
        bpp = bmp_le16(data + 24);
    } else {
        w = (int32_t)bmp_le32(data + 18);
        h = (int32_t)bmp_le32(data + 22);
        bpp = bmp_le16(data + 28);
        compression = bmp_le32(data + 30);
    }
    if (h < 0) h = -h; /* top-down */
    if (w < 1 || h < 1)
        return vigil__err_set(err, VIGIL_ECORRUPT, "BMP: bad dimensions %lldx%lld", (long long)w,
                              (long long)h);
    if (compression == 1 || compression == 2 || compression >= 4)
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "BMP: compression type %lu not supported (RLE, JPEG or PNG)",
                              (unsigned long)compression);
    if (bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
        return vigil__err_set(err, VIGIL_ECORRUPT, "BMP: bad bit depth %lu", (unsigned long)bpp);

    int sx = 0, sy = 0, sn = 0;
    if (!stbi_info_from_memory(data, (int)len, &sx, &sy, &sn))
        return vigil__err_set(err, VIGIL_ECORRUPT, "BMP: unreadable header (stb_image: %s)",
                              bmp_reason());
    /* stb's info reports the raw height, negative for a top-down file. */
    if ((int64_t)sx != w || (sy < 0 ? -(int64_t)sy : (int64_t)sy) != h)
        return vigil__err_set(err, VIGIL_EINTERNAL, "BMP: header size mismatch with stb_image");
    if (w > INT_MAX || h > INT_MAX) /* unreachable for the 32-bit fields; keeps casts safe */
        return vigil__err_set(err, VIGIL_ELIMIT, "BMP: image too large");

    rc = sink->begin(sink, (int)w, (int)h, VIGIL_PIX_RGB8, err);
    if (rc != VIGIL_OK) return rc;

    /* Rows are padded to 4 bytes and start at bfOffBits. */
    uint64_t rowbytes = ((uint64_t)w * bpp + 31) / 32 * 4;
    uint64_t need = (uint64_t)offbits + rowbytes * (uint64_t)h;
    if (need > len)
        return vigil__err_set(err, VIGIL_ECORRUPT,
                              "BMP: truncated pixel data (file has %zu bytes, header needs %llu)",
                              len, (unsigned long long)need);

    int x = 0, y = 0, n = 0;
    px = stbi_load_from_memory(data, (int)len, &x, &y, &n, 3);
    if (!px) {
        const char *why = bmp_reason();
        rc = vigil__err_set(err, strcmp(why, "outofmem") == 0 ? VIGIL_ENOMEM : VIGIL_ECORRUPT,
                            "BMP: decoding failed (stb_image: %s)", why);
        goto out;
    }
    if (x != (int)w || y != (int)h) {
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "BMP: stb_image decoded %dx%d, header says "
                            "%lldx%lld", x, y, (long long)w, (long long)h);
        goto out;
    }
    for (int r = 0; r < y; r++) sink->row(sink, r, px + (size_t)r * (size_t)x * 3);
out:
    stbi_image_free(px);
    return rc;
}
