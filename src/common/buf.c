/*
 * src/common/buf.c - the array growth rule (see buf.h).
 */
#include <stdint.h>
#include <stdlib.h>

#include "common/buf.h"

size_t vigil__grow_cap(size_t cap, size_t need, size_t first, size_t max) {
    if (max && need > max) return 0;
    size_t n = cap ? cap : (first ? first : 1);
    while (n < need) {
        if (n > SIZE_MAX / 2) return need;
        n *= 2;
    }
    if (max && n > max) n = max;
    return n;
}

void *vigil__realloc_n(void *p, size_t n, size_t elem) {
    if (elem && n > SIZE_MAX / elem) return NULL;
    size_t bytes = n * elem;
    return realloc(p, bytes > 0 ? bytes : 1);
}
