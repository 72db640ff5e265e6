/*
 * src/common/err.h - internal helpers to fill a vigil_err.
 */
#ifndef VIGIL_COMMON_ERR_H
#define VIGIL_COMMON_ERR_H

#include "vigil/status.h"

/*! vigil__err_set() : set err->status = st and a printf-style message
 *  (truncated to fit).  `err` may be NULL.  @return st, so that callers can
 *  write `return vigil__err_set(err, VIGIL_ECORRUPT, "...");`. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
vigil_status vigil__err_set(vigil_err *err, vigil_status st, const char *fmt, ...);

#endif /* VIGIL_COMMON_ERR_H */
