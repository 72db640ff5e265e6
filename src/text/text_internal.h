/*
 * src/text/text_internal.h - internals shared by the text files: the walk
 * over the normalised units of a text (normalize.c), 64-bit mixing, and the
 * validation of text signatures as bank values (used by src/store/bank.c).
 */
#ifndef VIGIL_TEXT_INTERNAL_H
#define VIGIL_TEXT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/text.h"

/* Called for each unit of the normalised text, in order: a word (is_char 0)
 * or one character of a script written without spaces (is_char 1), as
 * normalised UTF-8 bytes valid during the call.  Nonzero return: stop (the
 * walk then fails with VIGIL_ENOMEM). */
typedef int (*vigil__text_unit_fn)(void *ctx, const char *unit, size_t n, int is_char);

/*! vigil__text_walk() :
 *  Checks the text (vigil_text_check), normalises it piece by piece and
 *  calls `fn` for each unit.  *units (may be NULL) receives their number.
 *  @return VIGIL_OK; VIGIL_EFORMAT (bad input, or no unit at all);
 *  VIGIL_ENOMEM. */
vigil_status vigil__text_walk(const void *data, size_t len, vigil__text_unit_fn fn, void *ctx,
                              size_t *units, vigil_err *err);

/* splitmix64's finaliser: a bijective 64-bit mix. */
static inline uint64_t vigil__mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/*! vigil__text_value_canon() :
 *  Validates a bank value of signal type text: leading blanks are skipped,
 *  the rest must be a signature in the form of vigil_text_sig_format.
 *  *canon points into `value`.  @return VIGIL_OK or VIGIL_EPARSE. */
vigil_status vigil__text_value_canon(const char *value, const char **canon, vigil_err *err);

/*! vigil__text_band_keys() :
 *  The LSH band keys of `s` as an index tuned for `min_similarity` cuts
 *  them (vigil_text_index_new, the same r and bands): key b is
 *  b << 32 | the band's 32-bit key, so equal keys mean an equal band.  Two
 *  signatures that share a key are candidates (then compare them in full).
 *  For indexes kept outside memory (the case store's content clusters).
 *  @return the number of bands written to keys[]. */
int vigil__text_band_keys(const vigil_text_sig *s, double min_similarity,
                          int64_t keys[VIGIL_MINHASH_N]);

/*! vigil__cld2_detect() : the C++ shim over CLD2 (cld2_shim.cc).  `buf`
 *  is valid UTF-8 of `len` bytes.  Sets the CLD2 language code and name
 *  (static strings), the percentage of the text in that language, and
 *  CLD2's reliability flag.  @return 0, or -1 if CLD2 threw. */
int vigil__cld2_detect(const char *buf, int len, const char **code, const char **name,
                       int *percent, int *reliable);

#endif /* VIGIL_TEXT_INTERNAL_H */
