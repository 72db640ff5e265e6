/*
 * src/case/audit.c - the audit chain as users see it: verify, the verified
 * head, and the event log, each with its role check.  The chain itself
 * (appending, hashing, walking) is the store's (src/store/audit.c).
 */
#include <stdlib.h>

#include "case/case_internal.h"
#include "common/err.h"

vigil_status vigil_audit_verify(vigil_store *st, const char *by, int64_t *n, int64_t *bad,
                                vigil_err *err) {
    if (!st || !n || !bad) return vigil__err_set(err, VIGIL_EINVAL, "vigil_audit_verify: NULL argument");
    *n = 0;
    *bad = 0;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "verify the audit chain", err);
    if (rc == VIGIL_OK) rc = vigil__audit_verify(st, n, bad, err);
    return rc;
}

vigil_status vigil_audit_check(vigil_store *st, const char *by, json_t **out, vigil_err *err) {
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_audit_check: NULL argument");
    *out = NULL;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "verify the audit chain", err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_read_begin(st, err)) != VIGIL_OK) return rc;
    int64_t n = 0, bad = 0;
    vigil_err verr;
    vigil_err_clear(&verr);
    json_t *head = NULL;
    vigil_status vrc = vigil__audit_verify(st, &n, &bad, &verr);
    if (vrc == VIGIL_OK) {
        rc = vigil__audit_list(st, NULL, 0, 1, &head, err);
        if (rc == VIGIL_OK) {
            json_t *d = json_object_get(json_array_get(head, 0), "digest");
            *out = json_pack("{s:b, s:I, s:O?}", "ok", 1, "events", (json_int_t)n, "head", d);
        }
    } else if (vrc == VIGIL_ECORRUPT) {
        *out = json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "events", (json_int_t)n, "first_bad",
                         (json_int_t)bad, "error", verr.msg);
    } else {
        rc = vrc;
        if (err) *err = verr;
    }
    json_decref(head);
    vigil__store_read_end(st);
    if (rc == VIGIL_OK && !*out) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return rc;
}

vigil_status vigil_audit_list(vigil_store *st, const char *by, const char *entity,
                              int64_t entity_id, int limit, json_t **out, vigil_err *err) {
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_audit_list: NULL argument");
    *out = NULL;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "read the audit log", err);
    if (rc == VIGIL_OK) rc = vigil__audit_list(st, entity, entity_id, limit, out, err);
    return rc;
}
