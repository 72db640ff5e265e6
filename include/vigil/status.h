/*
 * vigil/status.h - the one status type of libvigil and the error record
 * that carries a user-actionable message with it.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro table: name, short description.  New codes are appended only. */
#define VIGIL_STATUS_LIST(X)                                                  \
    X(VIGIL_OK, "success")                                                    \
    X(VIGIL_ENOMEM, "out of memory")                                          \
    X(VIGIL_EINVAL, "invalid argument")                                       \
    X(VIGIL_EIO, "input/output error")                                        \
    X(VIGIL_ENOENT, "no such file")                                           \
    X(VIGIL_EFORMAT, "unrecognised or unsupported format")                    \
    X(VIGIL_ECORRUPT, "corrupt or truncated data")                            \
    X(VIGIL_ELIMIT, "input exceeds a configured limit")                       \
    X(VIGIL_EPARSE, "malformed text")                                         \
    X(VIGIL_EINTERNAL, "internal error")                                      \
    X(VIGIL_EPERM, "not permitted for this user")                             \
    X(VIGIL_ECONFLICT, "conflicts with the current state")

typedef enum vigil_status {
#define VIGIL_X_ENUM(name, desc) name,
    VIGIL_STATUS_LIST(VIGIL_X_ENUM)
#undef VIGIL_X_ENUM
        VIGIL_STATUS_COUNT_
} vigil_status;

/*! vigil_status_str() :
 *  @return a static, never-NULL description of `st` ("unknown status" for
 *  values outside the table). Thread-safe. */
const char *vigil_status_str(vigil_status st);

/*! vigil_status_name() :
 *  @return the symbolic name ("VIGIL_ECORRUPT"), static, never NULL. */
const char *vigil_status_name(vigil_status st);

/* An error record.  Every fallible libvigil function takes an optional
 * `vigil_err *` (NULL allowed) and, on failure, fills it with the status and
 * a message that names the input and what is wrong with it.  Plain struct,
 * owned by the caller, usually on the stack; no free needed. */
#define VIGIL_ERR_MSG_MAX 256
typedef struct vigil_err {
    vigil_status status;
    char msg[VIGIL_ERR_MSG_MAX];
} vigil_err;

/*! vigil_err_clear() : reset `err` to VIGIL_OK with an empty message. NULL ok. */
void vigil_err_clear(vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_STATUS_H */
