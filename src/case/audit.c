/*
 * src/case/audit.c - the audit chain as users see it: verify, the verified
 * head, and the event log, each with its role check.  The chain itself
 * (appending, hashing, walking) is the store's (src/store/audit.c).
 */
#include <stdlib.h>
#include <string.h>

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

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The keys of `before` and `after` whose values differ, sorted; none when
 * a side is missing (the event created the record: its action says so). */
static json_t *changed_keys(json_t *before, json_t *after) {
    json_t *keys = json_array();
    if (!keys || !json_is_object(before) || !json_is_object(after)) return keys;
    size_t n = 0, cap = json_object_size(before) + json_object_size(after);
    const char **k = malloc((cap ? cap : 1) * sizeof *k);
    if (!k) {
        json_decref(keys);
        return NULL;
    }
    const char *key;
    json_t *v;
    json_object_foreach(after, key, v) {
        if (!json_equal(v, json_object_get(before, key))) k[n++] = key;
    }
    json_object_foreach(before, key, v) {
        if (!json_object_get(after, key)) k[n++] = key;
    }
    qsort(k, n, sizeof *k, cmp_str);
    for (size_t i = 0; i < n; i++) json_array_append_new(keys, json_string(k[i]));
    free(k);
    return keys;
}

vigil_status vigil_item_audit(vigil_store *st, const char *by, int64_t id, int limit,
                              json_t **out, vigil_err *err) {
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_item_audit: NULL argument");
    *out = NULL;
    if (limit < 0 || limit > 10000) return vigil__err_set(err, VIGIL_ELIMIT, "limit: 1 to 10000 events (0: 100)");
    case_actor a;
    json_t *ev = NULL;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK)
        rc = case_require(&a, CASE_AGENCY_STAFF, "read an item's audit events", err);
    if (rc == VIGIL_OK) rc = case_item_access(st, &a, id, err);
    if (rc == VIGIL_OK) rc = vigil__audit_list(st, "item", id, limit ? limit : 100, &ev, err);
    if (rc != VIGIL_OK) return rc;
    json_t *rows = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e) {
        json_t *row = json_pack("{s:O, s:O, s:O, s:O, s:o}", "id", json_object_get(e, "id"), "at",
                                json_object_get(e, "at"), "actor", json_object_get(e, "actor"),
                                "action", json_object_get(e, "action"), "changed",
                                changed_keys(json_object_get(e, "before"), json_object_get(e, "after")));
        if (!row || json_array_append_new(rows, row)) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            break;
        }
    }
    json_decref(ev);
    if (rc != VIGIL_OK) {
        json_decref(rows);
        return rc;
    }
    *out = rows;
    return VIGIL_OK;
}
