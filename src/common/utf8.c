/*
 * src/common/utf8.c - strict UTF-8 validation (RFC 3629): rejects overlong
 * encodings, UTF-16 surrogates, code points above U+10FFFF, stray bytes.
 */
#include <stdint.h>

#include "common/utf8.h"

size_t vigil__utf8_check(const char *s, size_t n) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; /* overlong */
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return i + 1;
        }
        if (n - i < len) return i + 1;
        if (p[i + 1] < lo || p[i + 1] > hi) return i + 1;
        for (size_t k = 2; k < len; k++)
            if ((p[i + k] & 0xC0) != 0x80) return i + 1;
        i += len;
    }
    return 0;
}
