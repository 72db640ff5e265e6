/*
 * vigil/time.h - ISO 8601 times: parsing with any offset, formatting as UTC,
 * and the process clock (which $VIGIL_NOW can replace).  A store reads its
 * time through its own clock (vigil_store_set_clock), which defaults to
 * vigil_time_now.
 */
#ifndef VIGIL_TIME_H
#define VIGIL_TIME_H

#include <stdint.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_TIME_LEN 21 /* "2024-05-01T12:00:00Z" + NUL */

/*! vigil_time_parse() :
 *  Parses ISO 8601: "YYYY-MM-DD", "YYYY-MM-DDTHH:MM", "...:SS", "...:SS.fff"
 *  (fraction dropped), with "Z", "+HH:MM", "+HHMM", "+HH" or nothing (UTC);
 *  a space may stand for the "T".  @return VIGIL_OK with seconds since the
 *  epoch in *out, or VIGIL_EPARSE naming the fault. */
VIGIL_API vigil_status vigil_time_parse(const char *text, int64_t *out, vigil_err *err);

/*! vigil_time_format() : `t` as "YYYY-MM-DDTHH:MM:SSZ" into `out`. */
VIGIL_API void vigil_time_format(int64_t t, char out[VIGIL_TIME_LEN]);

/*! vigil_time_now() : seconds since the epoch; $VIGIL_NOW (ISO 8601), when
 *  set, replaces the clock (tests and demos of the one-hour deadline). */
VIGIL_API int64_t vigil_time_now(void);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_TIME_H */
