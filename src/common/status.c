/*
 * src/common/status.c - status names and messages (from the X-macro table in
 * vigil/status.h) and the error-record helpers.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "vigil/status.h"

static const char *const status_desc[] = {
#define VIGIL_X_DESC(name, desc) desc,
    VIGIL_STATUS_LIST(VIGIL_X_DESC)
#undef VIGIL_X_DESC
};

static const char *const status_names[] = {
#define VIGIL_X_NAME(name, desc) #name,
    VIGIL_STATUS_LIST(VIGIL_X_NAME)
#undef VIGIL_X_NAME
};

const char *vigil_status_str(vigil_status st) {
    if ((unsigned)st >= (unsigned)VIGIL_STATUS_COUNT_) return "unknown status";
    return status_desc[st];
}

const char *vigil_status_name(vigil_status st) {
    if ((unsigned)st >= (unsigned)VIGIL_STATUS_COUNT_) return "VIGIL_UNKNOWN";
    return status_names[st];
}

void vigil_err_clear(vigil_err *err) {
    if (!err) return;
    err->status = VIGIL_OK;
    err->msg[0] = '\0';
}

vigil_status vigil__err_set(vigil_err *err, vigil_status st, const char *fmt, ...) {
    if (!err) return st;
    err->status = st;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    if (n < 0) snprintf(err->msg, sizeof err->msg, "%s", vigil_status_str(st));
    return st;
}
