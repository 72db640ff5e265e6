/*
 * src/signal/signal_internal.h - what the store needs of the signal module
 * beyond the public vigil/signal.h: the in-place value check, and the
 * binary form of the values the store keeps as bytes (tmk).
 */
#ifndef VIGIL_SIGNAL_INTERNAL_H
#define VIGIL_SIGNAL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/signal.h"

/*! vigil__value_canon() :
 *  Validates `value` as a value of `sig`.  Hex types: the lowercase form is
 *  written to `hexbuf` and *canon points to it.  video/text/tmk: *canon
 *  points to `value` itself or to the value's canonical form (text: past
 *  leading blanks, and it must be an "mh1:" signature; video partner forms:
 *  a per-thread buffer valid until the thread's next call).
 *  @return VIGIL_OK or the fault. */
vigil_status vigil__value_canon(vigil_signal sig, const char *value, char hexbuf[65],
                                const char **canon, vigil_err *err);

/* ---- values kept as bytes --------------------------------------------------
 * A tmk value ("tmk:" + base64 of a 263,344-byte .tmk file) is stored as its
 * bytes, in two parts: the head, which a matcher loads for every entry (TMK:
 * header, coefficients and the average feature, VIGIL_TMK_HEAD_BYTES), and
 * the body, the rest (read for one entry: a level-2 candidate, an export).
 * Where the value text would go (bank_entry.value, its index, duplicate
 * checks, audit events) goes its key instead: "tmk:sha256:" and the SHA-256
 * of the bytes in lowercase hex (75 characters), which no value is. */
#define VIGIL__VALUE_KEY_LEN 76 /* the key and its NUL */

/*! vigil__value_head_bytes() : the head's size for a type kept as bytes;
 *  0 for a type kept as text (every type but tmk). */
size_t vigil__value_head_bytes(vigil_signal sig);

/*! vigil__value_is_key() : whether `value` is a key (above). */
int vigil__value_is_key(vigil_signal sig, const char *value);

/*! vigil__value_to_bytes() :
 *  The bytes of a value of a type kept as bytes (canonical, as
 *  vigil__value_canon gives it) in *bin (malloc'd, *len bytes, checked:
 *  a .tmk file), and its key in key[] (NULL: not wanted).
 *  @return VIGIL_OK, VIGIL_EINVAL (a type kept as text), or the parse
 *  error of the value. */
vigil_status vigil__value_to_bytes(vigil_signal sig, const char *value, uint8_t **bin, size_t *len,
                                   char key[VIGIL__VALUE_KEY_LEN], vigil_err *err);

/*! vigil__value_from_bytes() :
 *  The value text of head[0..nh) + body[0..nb) (the parts as stored) in
 *  *out (malloc'd), the bytes checked first.
 *  @return VIGIL_OK, VIGIL_EINVAL, VIGIL_ECORRUPT/VIGIL_EFORMAT (bytes that
 *  are not a value of `sig`), VIGIL_ENOMEM. */
vigil_status vigil__value_from_bytes(vigil_signal sig, const void *head, size_t nh, const void *body,
                                     size_t nb, char **out, vigil_err *err);

#endif /* VIGIL_SIGNAL_INTERNAL_H */
