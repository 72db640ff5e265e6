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

/*! vigil__err_field() : as vigil__err_set, and names the input the error
 *  is about (`field`, neutral: "at", "reason"); the message should then not
 *  repeat it.  @return st. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
vigil_status vigil__err_field(vigil_err *err, vigil_status st, const char *field, const char *fmt,
                              ...);

/*! vigil__err_name_field() : names `field` on an error already set by a
 *  callee (unless it names one already).  @return err->status (VIGIL_OK for
 *  a NULL err). */
vigil_status vigil__err_name_field(vigil_err *err, const char *field);

#endif /* VIGIL_COMMON_ERR_H */
