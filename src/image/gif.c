/*
 * src/image/gif.c - the GIF decoder: giflib's low-level reader, first frame
 * only, composited on the logical screen as RGB8.
 */
#include <gif_lib.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "image/decode_internal.h"

typedef struct gif_mem {
    const uint8_t *data;
    size_t len, pos;
    int short_read; /* a read asked for more than was left */
} gif_mem;

static int gif_read_cb(GifFileType *g, GifByteType *out, int n) {
    gif_mem *m = g->UserData;
    if (n <= 0) return 0;
    size_t want = (size_t)n, left = m->len - m->pos;
    if (want > left) {
        m->short_read = 1;
        want = left;
    }
    memcpy(out, m->data + m->pos, want);
    m->pos += want;
    return (int)want;
}

static vigil_status gif_fail(int code, const gif_mem *m, const char *what, vigil_err *err) {
    const char *lib = GifErrorString(code);
    if (!lib) lib = "unknown error";
    if (code == D_GIF_ERR_NOT_ENOUGH_MEM)
        return vigil__err_set(err, VIGIL_ENOMEM, "GIF: out of memory %s (giflib: %s)", what, lib);
    if (code == D_GIF_ERR_NOT_GIF_FILE)
        return vigil__err_set(err, VIGIL_EFORMAT, "GIF: not a GIF file (giflib: %s)", lib);
    if (m->short_read || code == D_GIF_ERR_READ_FAILED || code == D_GIF_ERR_EOF_TOO_SOON)
        return vigil__err_set(err, VIGIL_ECORRUPT, "GIF: truncated data %s (giflib: %s)", what,
                              lib);
    return vigil__err_set(err, VIGIL_ECORRUPT, "GIF: corrupt data %s (giflib: %s)", what, lib);
}

/* Row of an interlaced image stored as line `i` (file order) of `h` lines. */
static int gif_deinterlace(int i, int h) {
    static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
    for (int p = 0; p < 4; p++) {
        int n = h > start[p] ? (h - start[p] + step[p] - 1) / step[p] : 0;
        if (i < n) return start[p] + i * step[p];
        i -= n;
    }
    return -1;
}

/*! vigil__decode_gif() : see decode_internal.h.  GIF specifics: output is
 *  RGB8 of the logical screen size (the first frame's extent if the screen
 *  is declared 0 wide or high); the screen is filled with the background
 *  colour of the global colour map (black without one), then the first frame
 *  is drawn, clipped to the screen; its transparent pixels and pixels whose
 *  index is beyond its colour map keep the background / show black.  Later
 *  frames are never read.  A missing trailer after the first frame is fine. */
vigil_status vigil__decode_gif(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                               vigil__sink *sink, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    gif_mem m = {data, len, 0, 0};
    GifFileType *g = NULL;
    uint8_t *canvas = NULL, *line = NULL;
    int gerr = 0, transparent = NO_TRANSPARENT_COLOR;

    g = DGifOpen(&m, gif_read_cb, &gerr);
    if (!g) {
        rc = gif_fail(gerr, &m, "in the header", err);
        goto out;
    }

    /* Skip extensions up to the first image, remembering its transparency. */
    for (;;) {
        GifRecordType rt;
        if (DGifGetRecordType(g, &rt) == GIF_ERROR) {
            rc = gif_fail(g->Error, &m, "before the first image", err);
            goto out;
        }
        if (rt == IMAGE_DESC_RECORD_TYPE) break;
        if (rt == TERMINATE_RECORD_TYPE) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "GIF: file has no image");
            goto out;
        }
        if (rt != EXTENSION_RECORD_TYPE) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "GIF: unexpected record type %d", (int)rt);
            goto out;
        }
        int code = 0;
        GifByteType *ext = NULL;
        if (DGifGetExtension(g, &code, &ext) == GIF_ERROR) {
            rc = gif_fail(g->Error, &m, "in an extension", err);
            goto out;
        }
        if (code == GRAPHICS_EXT_FUNC_CODE && ext && ext[0] == 4) {
            GraphicsControlBlock gcb;
            if (DGifExtensionToGCB(ext[0], ext + 1, &gcb) == GIF_OK)
                transparent = gcb.TransparentColor;
        }
        while (ext) {
            if (DGifGetExtensionNext(g, &ext) == GIF_ERROR) {
                rc = gif_fail(g->Error, &m, "in an extension", err);
                goto out;
            }
        }
    }
    if (DGifGetImageDesc(g) == GIF_ERROR) {
        rc = gif_fail(g->Error, &m, "in the image descriptor", err);
        goto out;
    }

    const GifImageDesc *d = &g->Image;
    int fl = d->Left, ft = d->Top, fw = d->Width, fh = d->Height;
    int sw = g->SWidth, sh = g->SHeight;
    if (sw <= 0 || sh <= 0) { /* no usable screen: use the frame's extent */
        sw = fl + fw;
        sh = ft + fh;
    }
    rc = sink->begin(sink, sw, sh, VIGIL_PIX_RGB8, err);
    if (rc != VIGIL_OK) goto out;
    if (fw <= 0 || fh <= 0) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "GIF: first frame is empty (%dx%d)", fw, fh);
        goto out;
    }
    /* The frame is decoded line by line but all of it is read: bound it too. */
    vigil_decode_limits lim;
    vigil__limits_resolve(opts ? &opts->limits : NULL, &lim);
    rc = vigil__check_dims((uint64_t)fw, (uint64_t)fh, &lim, err);
    if (rc != VIGIL_OK) goto out;
    const ColorMapObject *cmap = d->ColorMap ? d->ColorMap : g->SColorMap;
    if (!cmap || !cmap->Colors || cmap->ColorCount < 1) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "GIF: first frame has no colour map");
        goto out;
    }

    GifColorType bg = {0, 0, 0};
    if (g->SColorMap && g->SColorMap->Colors && g->SBackGroundColor >= 0 &&
        g->SBackGroundColor < g->SColorMap->ColorCount)
        bg = g->SColorMap->Colors[g->SBackGroundColor];

    size_t stride = (size_t)sw * 3;
    canvas = malloc(stride * (size_t)sh);
    line = malloc((size_t)fw);
    if (!canvas || !line) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "GIF: out of memory for a %dx%d image", sw, sh);
        goto out;
    }
    for (size_t i = 0; i < (size_t)sw * (size_t)sh; i++) {
        canvas[3 * i] = bg.Red;
        canvas[3 * i + 1] = bg.Green;
        canvas[3 * i + 2] = bg.Blue;
    }

    for (int i = 0; i < fh; i++) {
        if (DGifGetLine(g, line, fw) == GIF_ERROR) {
            rc = gif_fail(g->Error, &m, "in the image data", err);
            goto out;
        }
        int y = ft + (d->Interlace ? gif_deinterlace(i, fh) : i);
        if (y < 0 || y >= sh) continue;
        uint8_t *dst = canvas + (size_t)y * stride;
        for (int x = 0; x < fw && fl + x < sw; x++) {
            int idx = line[x];
            if (idx == transparent) continue;
            uint8_t *p = dst + (size_t)(fl + x) * 3;
            if (idx < cmap->ColorCount) {
                p[0] = cmap->Colors[idx].Red;
                p[1] = cmap->Colors[idx].Green;
                p[2] = cmap->Colors[idx].Blue;
            } else {
                p[0] = p[1] = p[2] = 0;
            }
        }
    }
    for (int y = 0; y < sh; y++) sink->row(sink, y, canvas + (size_t)y * stride);
out:
    if (g) DGifCloseFile(g, &gerr);
    free(line);
    free(canvas);
    return rc;
}
