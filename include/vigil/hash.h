/*
 * vigil/hash.h - hashing media: PDQ perceptual hashes of images (bit-exact
 * with Meta's reference hasher), the 8 dihedral variants, MD5 and SHA-256.
 */
#ifndef VIGIL_HASH_H
#define VIGIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/image.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The usual PDQ match threshold (Hamming distance) and quality floor, used
 * by the image, video and case matchers alike. */
#define VIGIL_DEFAULT_MAX_DISTANCE 31 /* the industry's usual PDQ threshold */
#define VIGIL_DEFAULT_QUALITY_FLOOR 50

/* ------------------------------------------------------------------------
 * PDQ hashes
 * ---------------------------------------------------------------------- */

/* A 256-bit PDQ hash.  bytes[] is in the order of its hex form: bytes[0] is
 * the first two hex digits.  (The reference stores 16 words of 16 bits and
 * prints them from word 15 down to 0; bytes[2k] and bytes[2k+1] are the high
 * and low byte of word 15-k.)  Plain value type: copy freely. */
typedef struct vigil_pdq {
    uint8_t bytes[32];
} vigil_pdq;

#define VIGIL_PDQ_HEX_LEN 64 /* characters, without the terminating NUL */

/* The 8 dihedral variants, in the reference's order and with its names
 * (as `pdq-photo-hasher --pdqdih-across` prints them).  Each is the hash
 * the image would have after that transform of its pixels, computed from
 * the one DCT by sign changes and a transpose. */
typedef enum vigil_dihedral {
    VIGIL_DIH_ORIGINAL = 0,
    VIGIL_DIH_ROTATE90,  /* a quarter turn counter-clockwise             */
    VIGIL_DIH_ROTATE180,
    VIGIL_DIH_ROTATE270, /* a quarter turn clockwise                     */
    VIGIL_DIH_FLIPX,     /* mirror top <-> bottom                        */
    VIGIL_DIH_FLIPY,     /* mirror left <-> right                        */
    VIGIL_DIH_FLIP_PLUS1,  /* transpose: mirror about the main diagonal  */
    VIGIL_DIH_FLIP_MINUS1, /* mirror about the anti-diagonal             */
    VIGIL_DIH_COUNT
} vigil_dihedral;

/*! vigil_dihedral_name() : "original", "rotate90", ... ; static, never NULL. */
VIGIL_API const char *vigil_dihedral_name(vigil_dihedral d);

/*! vigil_pdq_distance() :
 *  @return the Hamming distance (0..256) between two hashes. Pure function. */
VIGIL_API int vigil_pdq_distance(const vigil_pdq *a, const vigil_pdq *b);

/*! vigil_pdq_to_hex() :
 *  Writes 64 lowercase hex digits and a NUL into `out` (65 bytes). */
VIGIL_API void vigil_pdq_to_hex(const vigil_pdq *h, char out[VIGIL_PDQ_HEX_LEN + 1]);

/*! vigil_pdq_from_hex() :
 *  Parses exactly 64 hex digits (either case) from `hex`, which must be NUL
 *  terminated with nothing else around it.
 *  @return VIGIL_OK, or VIGIL_EPARSE (wrong length, non-hex character) with
 *  the position named in `err`; `*out` is untouched on error. */
VIGIL_API vigil_status vigil_pdq_from_hex(const char *hex, vigil_pdq *out, vigil_err *err);

/* ------------------------------------------------------------------------
 * Options and results
 * ---------------------------------------------------------------------- */

/* Flags for vigil_hash_opts.flags */
#define VIGIL_HASH_DIHEDRAL 0x1u  /* also compute the 8 dihedral hashes */
#define VIGIL_HASH_DIGESTS 0x2u   /* also MD5 and SHA-256 of the bytes  */
#define VIGIL_HASH_NO_RESIZE 0x4u /* skip the reference's 512x512 step  */
#define VIGIL_HASH_NO_PDQ 0x8u    /* digests only: do not decode        */

typedef struct vigil_hash_opts {
    unsigned flags;
    /* Decoder limits (0 selects the default from vigil/image.h). */
    vigil_decode_limits limits;
    /* JPEG only: allow libjpeg-turbo's reduced-scale IDCT (1/2, 1/4, 1/8)
     * as long as both output sides stay >= 512 (or the full size when the
     * image is smaller).  Faster, but no longer reference-exact; see
     * docs/cli.md for the measured distance.  0 = off (default). */
    int jpeg_fast_scale;
} vigil_hash_opts;

/*! vigil_hash_opts_init() : defaults: PDQ only, reference-exact, default limits. */
VIGIL_API void vigil_hash_opts_init(vigil_hash_opts *opts);

typedef struct vigil_hash_result {
    vigil_pdq pdq;                        /* valid unless VIGIL_HASH_NO_PDQ */
    int quality;                          /* 0..100                        */
    vigil_pdq dihedral[VIGIL_DIH_COUNT];  /* with VIGIL_HASH_DIHEDRAL      */
    uint8_t md5[16];                      /* with VIGIL_HASH_DIGESTS       */
    uint8_t sha256[32];                   /* with VIGIL_HASH_DIGESTS       */
    int width, height;                    /* decoded size, before resize   */
    vigil_format format;                  /* detected container format     */
} vigil_hash_result;

/* ------------------------------------------------------------------------
 * The hasher: reusable scratch memory, so that hashing many images does not
 * allocate per image.  One hasher per thread; distinct hashers may be used
 * concurrently.
 * ---------------------------------------------------------------------- */

typedef struct vigil_hasher vigil_hasher;

/*! vigil_hasher_new() :
 *  @opts may be NULL for defaults; it is copied.
 *  @return VIGIL_OK and a hasher in *out (free with vigil_hasher_free), or
 *  VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_hasher_new(const vigil_hash_opts *opts, vigil_hasher **out,
                              vigil_err *err);

/*! vigil_hasher_free() : NULL is a no-op. */
VIGIL_API void vigil_hasher_free(vigil_hasher *h);

/*! vigil_hasher_bytes() :
 *  Decode an encoded image held in memory (JPEG, PNG, WebP, GIF, BMP; the
 *  format is sniffed from the content, never from a name) and hash it.
 *  `data` is only read and not retained.
 *  @return VIGIL_OK with *res filled; otherwise VIGIL_EFORMAT (not an image
 *  vigil can read), VIGIL_ECORRUPT (truncated or damaged), VIGIL_ELIMIT
 *  (dimensions or size over the limits), VIGIL_ENOMEM; *res is then
 *  unspecified and `err` says why. */
VIGIL_API vigil_status vigil_hasher_bytes(vigil_hasher *h, const void *data, size_t len,
                                vigil_hash_result *res, vigil_err *err);

/*! vigil_hasher_file() :
 *  As vigil_hasher_bytes() on the contents of the file at `path` (read whole,
 *  up to limits.max_file_bytes).  Adds VIGIL_ENOENT / VIGIL_EIO. */
VIGIL_API vigil_status vigil_hasher_file(vigil_hasher *h, const char *path,
                               vigil_hash_result *res, vigil_err *err);

/*! vigil_hasher_image() :
 *  Hash already-decoded pixels (no digests: there are no file bytes).  The
 *  reference's resize to 512x512 applies unless VIGIL_HASH_NO_RESIZE. */
VIGIL_API vigil_status vigil_hasher_image(vigil_hasher *h, const vigil_image *img,
                                vigil_hash_result *res, vigil_err *err);

/* One-shot conveniences; each creates and frees a hasher internally. */
VIGIL_API vigil_status vigil_hash_bytes(const void *data, size_t len, const vigil_hash_opts *opts,
                              vigil_hash_result *res, vigil_err *err);
VIGIL_API vigil_status vigil_hash_file(const char *path, const vigil_hash_opts *opts,
                             vigil_hash_result *res, vigil_err *err);
VIGIL_API vigil_status vigil_hash_image(const vigil_image *img, const vigil_hash_opts *opts,
                              vigil_hash_result *res, vigil_err *err);

/* ------------------------------------------------------------------------
 * Exact digests of byte strings (OpenSSL).
 * ---------------------------------------------------------------------- */

/*! vigil_digest() : MD5 and SHA-256 of `data`.  Either output may be NULL.
 *  @return VIGIL_OK or VIGIL_EINTERNAL if the crypto library fails. */
VIGIL_API vigil_status vigil_digest(const void *data, size_t len, uint8_t md5[16],
                          uint8_t sha256[32], vigil_err *err);

/*! vigil_hex_encode() : lowercase hex of `n` bytes into out (2n+1 bytes). */
VIGIL_API void vigil_hex_encode(const uint8_t *bytes, size_t n, char *out);

/*! vigil_hex_decode() : exactly 2n hex digits in `hex` (NUL-terminated) into
 *  `bytes`.  @return VIGIL_OK or VIGIL_EPARSE naming the bad position. */
VIGIL_API vigil_status vigil_hex_decode(const char *hex, uint8_t *bytes, size_t n, vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_HASH_H */
