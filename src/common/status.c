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
    err->field[0] = '\0';
}

static void err_vset(vigil_err *err, vigil_status st, const char *field, const char *fmt,
                     va_list ap) {
    err->status = st;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    int n = vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    if (n < 0) snprintf(err->msg, sizeof err->msg, "%s", vigil_status_str(st));
}

vigil_status vigil__err_set(vigil_err *err, vigil_status st, const char *fmt, ...) {
    if (!err) return st;
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, st, NULL, fmt, ap);
    va_end(ap);
    return st;
}

vigil_status vigil__err_field(vigil_err *err, vigil_status st, const char *field, const char *fmt,
                              ...) {
    if (!err) return st;
    va_list ap;
    va_start(ap, fmt);
    err_vset(err, st, field, fmt, ap);
    va_end(ap);
    return st;
}

vigil_status vigil__err_name_field(vigil_err *err, const char *field) {
    if (!err) return VIGIL_OK;
    if (!err->field[0]) snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    return err->status;
}

size_t vigil_err_text(const vigil_err *err, const char *field_prefix, char *buf, size_t n) {
    if (!buf || n == 0) return 0;
    if (!err) {
        buf[0] = '\0';
        return 0;
    }
    const char *msg = err->msg[0] ? err->msg : vigil_status_str(err->status);
    if (!err->field[0]) {
        snprintf(buf, n, "%s", msg);
        return strlen(buf);
    }
    char f[VIGIL_ERR_FIELD_MAX];
    size_t i = 0;
    for (; err->field[i] && i + 1 < sizeof f; i++)
        f[i] = (field_prefix && field_prefix[0] == '-' && err->field[i] == '_') ? '-' : err->field[i];
    f[i] = '\0';
    snprintf(buf, n, "%s%s: %s", field_prefix ? field_prefix : "", f, msg);
    return strlen(buf);
}
