/*
 * src/common/buf.h - growth with a cap, in one place: vigil__grow_cap (the
 * doubling rule, with a cap and overflow checks) and vigil__realloc_n (no
 * size multiplication that could overflow), so that no file hand-rolls a
 * doubling loop.
 */
#ifndef VIGIL_COMMON_BUF_H
#define VIGIL_COMMON_BUF_H

#include <stddef.h>

/*! vigil__grow_cap() : the capacity (elements) an array of capacity `cap`
 *  grows to so that it holds `need`: doubling from `first`, at least
 *  `need`, at most `max` (0: no cap).  @return 0 when `need` > `max` or the
 *  size would overflow. Pure. */
size_t vigil__grow_cap(size_t cap, size_t need, size_t first, size_t max);

/*! vigil__realloc_n() : realloc for `n` elements of `elem` bytes, NULL
 *  (and `p` untouched) on overflow or out of memory. */
void *vigil__realloc_n(void *p, size_t n, size_t elem);

#endif /* VIGIL_COMMON_BUF_H */
