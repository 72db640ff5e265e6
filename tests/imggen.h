/*
 * tests/imggen.h - deterministic test images and in-memory encoders (JPEG,
 * PNG, WebP, GIF, BMP) for the unit tests and the benchmarks.
 */
#ifndef VIGIL_TESTS_IMGGEN_H
#define VIGIL_TESTS_IMGGEN_H

#include <stddef.h>
#include <stdint.h>

/*! imggen_pattern() :
 *  A smooth but structured w x h RGB8 picture (gradients, soft waves and a
 *  few shapes placed by `seed`), the same bytes on every run and platform.
 *  @return malloc'd w*h*3 bytes (free()), NULL if w or h < 1 or no memory. */
uint8_t *imggen_pattern(int w, int h, unsigned seed);

/* Encoders.  Each writes a complete file into a new malloc'd buffer (*out,
 * *len; free()) and returns 0, or returns -1 with *out = NULL, *len = 0. */

/*! imggen_jpeg() : baseline JPEG of RGB8 pixels, quality 1..100, 4:2:0. */
int imggen_jpeg(const uint8_t *rgb, int w, int h, int quality, uint8_t **out, size_t *len);

/*! imggen_png() : 8-bit PNG of `channels` = 1 (gray), 3 (RGB) or 4 (RGBA)
 *  interleaved samples per pixel; Adam7 if `interlace`. */
int imggen_png(const uint8_t *px, int w, int h, int channels, int interlace, uint8_t **out,
               size_t *len);

/*! imggen_png_depth() : as imggen_png with `bit_depth` 8 or 16 (any
 *  channels: each 8-bit sample v is stored as v*257, so its high byte is v)
 *  or 1, 2, 4 (channels must be 1: the sample's top bits are kept). */
int imggen_png_depth(const uint8_t *px, int w, int h, int channels, int interlace,
                     int bit_depth, uint8_t **out, size_t *len);

/*! imggen_png_palette() : 8-bit palette PNG of RGB8 pixels quantised to the
 *  3-3-2 palette (see imggen_snap332). */
int imggen_png_palette(const uint8_t *rgb, int w, int h, uint8_t **out, size_t *len);

/*! imggen_webp() : WebP of RGB8 pixels, lossless or lossy (quality 90). */
int imggen_webp(const uint8_t *rgb, int w, int h, int lossless, uint8_t **out, size_t *len);

/*! imggen_gif() : single-frame GIF of RGB8 pixels quantised to the fixed
 *  3-3-2 palette (256 colours, global colour map); interlaced if asked. */
int imggen_gif(const uint8_t *rgb, int w, int h, int interlace, uint8_t **out, size_t *len);

/*! imggen_bmp() : 24-bit bottom-up uncompressed BMP (BITMAPINFOHEADER). */
int imggen_bmp(const uint8_t *rgb, int w, int h, uint8_t **out, size_t *len);

/*! imggen_index332() : the 3-3-2 palette index of one RGB colour. */
uint8_t imggen_index332(uint8_t r, uint8_t g, uint8_t b);

/*! imggen_color332() : colour `index` of the 3-3-2 palette, into rgb[3]. */
void imggen_color332(uint8_t index, uint8_t rgb[3]);

/*! imggen_snap332() : replace each RGB8 pixel by its 3-3-2 palette colour,
 *  so that a GIF or palette PNG of the result is lossless. */
void imggen_snap332(uint8_t *rgb, int w, int h);

/*! imggen_resize() : bilinear resize of RGB8 w x h to nw x nh (malloc'd,
 *  free(); NULL on failure). */
uint8_t *imggen_resize(const uint8_t *rgb, int w, int h, int nw, int nh);

/*! imggen_write_file() : write `len` bytes to `path`; 0, or -1 on error. */
int imggen_write_file(const char *path, const uint8_t *data, size_t len);

#endif /* VIGIL_TESTS_IMGGEN_H */
