/*
 * src/match/allow.h - the allow-bank rule (and the freeing of a result), shared by the image,
 * text, video and TMK matchers:
 * when a query matched an entry of an allow bank (a known false positive), only the allow
 * matches are kept and the others are counted as suppressed.
 */
#ifndef VIGIL_MATCH_ALLOW_H
#define VIGIL_MATCH_ALLOW_H

#include <stdlib.h>

#include "vigil/bank.h"

/* VIGIL__MATCHES_FREE(res): frees the strings of every match of a result (as above) and the
 * array; the caller then clears the struct.  One body for the four kinds of result. */
#define VIGIL__MATCHES_FREE(res)                                                              \
    do {                                                                                      \
        for (size_t i_ = 0; i_ < (res)->n; i_++) {                                            \
            free((res)->matches[i_].bank);                                                    \
            free((res)->matches[i_].labels);                                                  \
            free((res)->matches[i_].external_id);                                             \
        }                                                                                     \
        free((res)->matches);                                                                 \
    } while (0)

/* VIGIL__KEEP_ALLOW_ONLY(res): `res` points to a result with `matches` (elements with
 * bank_kind, bank, labels, external_id), `n`, `allowed` and `suppressed`.  Dropped matches'
 * strings are freed; the order of the kept ones is unchanged. */
#define VIGIL__KEEP_ALLOW_ONLY(res)                                                           \
    do {                                                                                      \
        size_t allow_ = 0, w_ = 0;                                                            \
        for (size_t i_ = 0; i_ < (res)->n; i_++)                                              \
            allow_ += (res)->matches[i_].bank_kind == VIGIL_BANK_ALLOW;                       \
        if (!allow_) break;                                                                   \
        for (size_t i_ = 0; i_ < (res)->n; i_++) {                                            \
            if ((res)->matches[i_].bank_kind == VIGIL_BANK_ALLOW) {                           \
                (res)->matches[w_++] = (res)->matches[i_];                                    \
            } else {                                                                          \
                free((res)->matches[i_].bank);                                                \
                free((res)->matches[i_].labels);                                              \
                free((res)->matches[i_].external_id);                                         \
                (res)->suppressed++;                                                          \
            }                                                                                 \
        }                                                                                     \
        (res)->n = w_;                                                                        \
        (res)->allowed = 1;                                                                   \
    } while (0)

#endif /* VIGIL_MATCH_ALLOW_H */
