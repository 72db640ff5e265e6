/*
 * src/signal/signal_internal.h - what the store needs of the signal module
 * beyond the public vigil/signal.h: the in-place value check.
 */
#ifndef VIGIL_SIGNAL_INTERNAL_H
#define VIGIL_SIGNAL_INTERNAL_H

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

#endif /* VIGIL_SIGNAL_INTERNAL_H */
