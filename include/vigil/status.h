/*
 * vigil/status.h - the one status type of libvigil and the error record
 * that carries a user-actionable message with it.
 */
#ifndef VIGIL_STATUS_H
#define VIGIL_STATUS_H

#include <stddef.h>

#include "vigil/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* X-macro table: name, short description.  New codes are appended only.
 * The taxonomy, for callers that map codes (the HTTP server derives every
 * status from the code alone, never from the message):
 *   EINVAL    a well-formed value is not acceptable here: missing,
 *             contradictory, out of range, in the past, NULL argument -> 400
 *   EPARSE    text is not in its syntax or vocabulary: a malformed
 *             time, URL, hash, CSV or JSON; an unknown role or reason -> 400
 *   ENOENT    not found: no such file, or no such record visible     -> 404
 *   EPERM     forbidden for this user (role, tenancy, revoked)       -> 403
 *   ECONFLICT conflicts with the current state: an illegal or stale
 *             change (the record moved on since it was read)         -> 409
 *   EEXIST    a record with that name or key exists already          -> 409
 *   EBUSY     the store is busy or unavailable; retry later          -> 503
 *   ELIMIT 413, EFORMAT 415, ECORRUPT 422, EIO / EINTERNAL / ENOMEM 500. */
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
    X(VIGIL_ECONFLICT, "conflicts with the current state")                  \
    X(VIGIL_EEXIST, "exists already")                                         \
    X(VIGIL_EBUSY, "busy or unavailable, retry later")

typedef enum vigil_status {
#define VIGIL_X_ENUM(name, desc) name,
    VIGIL_STATUS_LIST(VIGIL_X_ENUM)
#undef VIGIL_X_ENUM
        VIGIL_STATUS_COUNT_
} vigil_status;

/*! vigil_status_str() :
 *  @return a static, never-NULL description of `st` ("unknown status" for
 *  values outside the table). Thread-safe. */
VIGIL_API const char *vigil_status_str(vigil_status st);

/*! vigil_status_name() :
 *  @return the symbolic name ("VIGIL_ECORRUPT"), static, never NULL. */
VIGIL_API const char *vigil_status_name(vigil_status st);

/* An error record.  Every fallible libvigil function takes an optional
 * `vigil_err *` (NULL allowed) and, on failure, fills it with the status and
 * a message that names the input and what is wrong with it.  When the error
 * is about one named input of the call, `field` names it neutrally ("at",
 * "reason", "signal_value": the JSON field and, with '_' as '-', the CLI
 * option) and the message does not repeat it; each front presents the field
 * in its own terms (`--at: ...` on the CLI, `"field":"at"` in the API).
 * Plain struct, owned by the caller, usually on the stack; no free needed. */
#define VIGIL_ERR_MSG_MAX 256
#define VIGIL_ERR_FIELD_MAX 32
typedef struct vigil_err {
    vigil_status status;
    char msg[VIGIL_ERR_MSG_MAX];
    char field[VIGIL_ERR_FIELD_MAX]; /* "" when the error names no input */
} vigil_err;

/*! vigil_err_clear() : reset `err` to VIGIL_OK with an empty message and
 *  no field. NULL ok. */
VIGIL_API void vigil_err_clear(vigil_err *err);

/*! vigil_err_text() : the error as one line for a person: the message, or,
 *  when the error names a field, `field_prefix` + field + ": " + message.
 *  With a `field_prefix` starting with '-' (the CLI's "--"), '_' in the
 *  field is written as '-' (`--signal-type: ...`).  Writes at most `n`
 *  bytes including the NUL into `buf` (truncating).  @return the length
 *  written.  NULL err: an empty string. */
VIGIL_API size_t vigil_err_text(const vigil_err *err, const char *field_prefix, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_STATUS_H */
