/*
 * src/image/decode_internal.h - the contract between the format decoders and
 * their consumers: a decoder streams rows, top to bottom, into a sink.
 */
#ifndef VIGIL_DECODE_INTERNAL_H
#define VIGIL_DECODE_INTERNAL_H

#include "vigil/image.h"

/* A row sink.  A decoder calls begin() exactly once, after it knows the
 * image geometry and before it allocates any pixel memory (begin() enforces
 * the limits and may refuse), then row() once per row y = 0 .. height-1 in
 * increasing order, then nothing else.  `px` holds width pixels of `fmt`,
 * valid only for the duration of the call. */
typedef struct vigil__sink vigil__sink;
struct vigil__sink {
    vigil_status (*begin)(vigil__sink *s, int width, int height, vigil_pixfmt fmt,
                          vigil_err *err);
    void (*row)(vigil__sink *s, int y, const uint8_t *px);
};

/* Options a decoder may honour (zeroed = exact, full size). */
typedef struct vigil__decode_opts {
    vigil_decode_limits limits; /* already defaulted: no zero fields       */
    int jpeg_fast_scale;        /* JPEG: reduced-scale IDCT, output >= 512 */
} vigil__decode_opts;

/* Each decoder: decode `data` of `len` bytes into `sink`.  On any error
 * return a status, fill `err` (vigil__err_set) and free everything the
 * decoder allocated; rows already delivered are then to be discarded by the
 * caller.  Must never read outside data[0..len), never abort(), and check
 * the limits (via sink->begin or directly) before allocating pixel memory.
 * Errors: VIGIL_ECORRUPT (truncated, damaged), VIGIL_EFORMAT (a variant not
 * supported), VIGIL_ELIMIT, VIGIL_ENOMEM. */
typedef vigil_status (*vigil__decoder_fn)(const uint8_t *data, size_t len,
                                           const vigil__decode_opts *opts, vigil__sink *sink,
                                           vigil_err *err);

vigil_status vigil__decode_jpeg(const uint8_t *, size_t, const vigil__decode_opts *,
                                vigil__sink *, vigil_err *);
vigil_status vigil__decode_png(const uint8_t *, size_t, const vigil__decode_opts *,
                               vigil__sink *, vigil_err *);
vigil_status vigil__decode_webp(const uint8_t *, size_t, const vigil__decode_opts *,
                                vigil__sink *, vigil_err *);
vigil_status vigil__decode_gif(const uint8_t *, size_t, const vigil__decode_opts *,
                               vigil__sink *, vigil_err *);
vigil_status vigil__decode_bmp(const uint8_t *, size_t, const vigil__decode_opts *,
                               vigil__sink *, vigil_err *);

/*! vigil__decode() : sniff the format and run the matching decoder.
 *  *fmt_out (may be NULL) receives the detected format even on error. */
vigil_status vigil__decode(const uint8_t *data, size_t len, const vigil__decode_opts *opts,
                           vigil__sink *sink, vigil_format *fmt_out, vigil_err *err);

/*! vigil__check_dims() : VIGIL_ELIMIT (with a message naming the sizes) if
 *  width x height breaks `lim`, VIGIL_ECORRUPT if a side is < 1. */
vigil_status vigil__check_dims(uint64_t width, uint64_t height, const vigil_decode_limits *lim,
                               vigil_err *err);

/*! vigil__limits_resolve() : copy `in` (NULL ok) replacing zero fields by defaults. */
void vigil__limits_resolve(const vigil_decode_limits *in, vigil_decode_limits *out);

#endif /* VIGIL_DECODE_INTERNAL_H */
