/*
 * src/common/time.c - ISO 8601 times: parsing with any offset, formatting as
 * UTC, and the process clock (overridable by $VIGIL_NOW so that tests and
 * demos can put the one-hour TCO deadline where they want).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "vigil/time.h"

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* n digits at *p into *v; advances *p.  @return 1 on success. */
static int digits(const char **p, int n, int *v) {
    int x = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return 0;
        x = x * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *v = x;
    return 1;
}

vigil_status vigil_time_parse(const char *text, int64_t *out, vigil_err *err) {
    if (!text || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_time_parse: NULL argument");
    const char *p = text;
    int y, mo, d, h = 0, mi = 0, s = 0, oh = 0, om = 0, sign = 0;
    if (!digits(&p, 4, &y) || *p++ != '-' || !digits(&p, 2, &mo) || *p++ != '-' ||
        !digits(&p, 2, &d))
        goto bad;
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) goto bad_range;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (!digits(&p, 2, &h) || *p++ != ':' || !digits(&p, 2, &mi)) goto bad;
        if (*p == ':') {
            p++;
            if (!digits(&p, 2, &s)) goto bad;
            if (*p == '.' || *p == ',') {
                p++;
                if (!isdigit((unsigned char)*p)) goto bad;
                while (isdigit((unsigned char)*p)) p++;
            }
        }
        if (h > 23 || mi > 59 || s > 60) goto bad_range;
        if (s == 60) s = 59; /* a leap second: the last second of the minute */
        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            sign = *p++ == '-' ? -1 : 1;
            if (!digits(&p, 2, &oh)) goto bad;
            if (*p == ':') p++;
            if (isdigit((unsigned char)*p) && !digits(&p, 2, &om)) goto bad;
            if (oh > 14 || om > 59) goto bad_range;
        }
    }
    if (*p) goto bad;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s -
           sign * (oh * 3600 + om * 60);
    return VIGIL_OK;
bad:
    return vigil__err_set(err, VIGIL_EPARSE,
                          "'%.60s' is not an ISO 8601 time (e.g. 2024-05-01T14:30:00Z, "
                          "2024-05-01T16:30+02:00 or 2024-05-01)",
                          text);
bad_range:
    return vigil__err_set(err, VIGIL_EPARSE, "'%.60s': a date or time field is out of range",
                          text);
}

void vigil_time_format(int64_t t, char out[VIGIL_TIME_LEN]) {
    time_t tt = (time_t)t;
    struct tm tm;
    if (!gmtime_r(&tt, &tm) || strftime(out, VIGIL_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, VIGIL_TIME_LEN, "1970-01-01T00:00:00Z");
}

int64_t vigil_time_now(void) {
    const char *fake = getenv("VIGIL_NOW");
    int64_t t = 0;
    if (fake && *fake && vigil_time_parse(fake, &t, NULL) == VIGIL_OK) return t;
    return (int64_t)time(NULL);
}
