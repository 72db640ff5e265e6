/*
 * vigil/image.h - decoded images and the decoders that make them
 * (JPEG via libjpeg-turbo, PNG via libpng, WebP via libwebp, GIF via giflib,
 * BMP via vigil's own bounded reader).
 */
#ifndef VIGIL_IMAGE_H
#define VIGIL_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/file.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum vigil_format {
    VIGIL_FMT_UNKNOWN = 0,
    VIGIL_FMT_JPEG,
    VIGIL_FMT_PNG,
    VIGIL_FMT_WEBP,
    VIGIL_FMT_GIF,
    VIGIL_FMT_BMP
} vigil_format;

/*! vigil_format_name() : "jpeg", "png", ...; "unknown"; static, never NULL. */
VIGIL_API const char *vigil_format_name(vigil_format f);

/*! vigil_format_sniff() : the format of `data` from its magic bytes. */
VIGIL_API vigil_format vigil_format_sniff(const void *data, size_t len);

/* Pixel layouts: 8 bits per channel, channels interleaved. */
typedef enum vigil_pixfmt {
    VIGIL_PIX_GRAY8 = 1,
    VIGIL_PIX_RGB8 = 3,
    VIGIL_PIX_RGBA8 = 4 /* alpha is ignored when hashing, as the reference does */
} vigil_pixfmt;

/* A decoded image.  Plain struct: `pixels` points to height rows of
 * `stride` bytes each, row 0 at the top.  An image made by vigil_image_decode
 * owns its pixels and is freed with vigil_image_free(); a caller may also
 * fill one in over its own buffer and pass it to the hashing functions,
 * which only read it. */
typedef struct vigil_image {
    int width, height;
    vigil_pixfmt fmt;
    size_t stride;
    uint8_t *pixels;
} vigil_image;

/* Limits applied before any pixel memory is allocated.  A zero field means
 * the default below. */
typedef struct vigil_decode_limits {
    uint64_t max_pixels;     /* width*height; default 100 Mpx (~ 10000x10000) */
    uint32_t max_dimension;  /* either side; default 65535                    */
    uint64_t max_file_bytes; /* files read from disk; default 256 MiB         */
} vigil_decode_limits;

#define VIGIL_DEFAULT_MAX_PIXELS (100ull * 1000 * 1000)
#define VIGIL_DEFAULT_MAX_DIMENSION 65535u

/*! vigil_image_decode() :
 *  Decode `data` (format sniffed from content) into a new RGB8, RGBA8 or
 *  GRAY8 image in *out.  GIF: first frame, composited on its logical screen.
 *  EXIF orientation is NOT applied (the reference hashes stored pixels).
 *  @limits may be NULL for defaults.
 *  @return VIGIL_OK, or VIGIL_EFORMAT / VIGIL_ECORRUPT / VIGIL_ELIMIT /
 *  VIGIL_ENOMEM with *out set to NULL and `err` filled. */
VIGIL_API vigil_status vigil_image_decode(const void *data, size_t len, const vigil_decode_limits *limits,
                                vigil_image **out, vigil_err *err);

/*! vigil_image_free() : frees an image from vigil_image_decode. NULL ok. */
VIGIL_API void vigil_image_free(vigil_image *img);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_IMAGE_H */
