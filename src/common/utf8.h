/*
 * src/common/utf8.h - internal UTF-8 validation (strict: no overlong forms,
 * no surrogates, nothing above U+10FFFF), for labels and other stored text.
 */
#ifndef VIGIL_COMMON_UTF8_H
#define VIGIL_COMMON_UTF8_H

#include <stddef.h>

/*! vigil__utf8_check() :
 *  @return 0 if the `n` bytes at `s` are valid UTF-8, else the 1-based byte
 *  position of the first invalid sequence.  NUL bytes count as valid here;
 *  callers that store C strings check for them separately. */
size_t vigil__utf8_check(const char *s, size_t n);

#endif /* VIGIL_COMMON_UTF8_H */
