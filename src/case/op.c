/*
 * src/case/op.c - operations (referral action days): a coordinating agency,
 * participant agencies, a time window, and a status.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"

static const char sql_op_row[] =
    "SELECT o.id, o.name, a.code AS coordinator, (SELECT json_group_array(code) FROM (SELECT "
    "g.code FROM operation_agency x JOIN agency g ON g.id = x.agency_id WHERE x.operation_id = o.id "
    "ORDER BY g.code)) AS participants_json, o.starts_at AS start, o.ends_at AS end, o.status, "
    "o.created_at, (SELECT count(*) FROM item WHERE operation_id = o.id) AS items "
    "FROM operation o JOIN agency a ON a.id = o.coordinator_id WHERE o.id = ?1";

vigil_status vigil_op_create(vigil_store *st, const char *by, const char *name,
                             const char *coordinator, const char *const *participants,
                             size_t n_participants, const char *start, const char *end,
                             vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "create operations", err);
    if (rc != VIGIL_OK) return rc;
    if (!name || !*name) return vigil__err_set(err, VIGIL_EPARSE, "an operation needs a name");
    if ((rc = case_text_check(name, "operation name", 100, err)) != VIGIL_OK) return rc;
    if (strchr(name, '\n') || strchr(name, '\t'))
        return vigil__err_set(err, VIGIL_EPARSE, "operation name: one line, no tabs");
    char ts[VIGIL_TIME_LEN] = "", te[VIGIL_TIME_LEN] = "";
    if (start && (rc = case_time_arg(st, start, "start", ts, err)) != VIGIL_OK) return rc;
    if (end && (rc = case_time_arg(st, end, "end", te, err)) != VIGIL_OK) return rc;
    if (start && end && strcmp(ts, te) > 0)
        return vigil__err_set(err, VIGIL_EINVAL, "the operation ends (%s) before it starts (%s)",
                              te, ts);
    int64_t coord;
    if ((rc = case_agency_id(st, coordinator, &coord, err)) != VIGIL_OK) return rc;
    /* a coordinator may only create operations their own agency coordinates */
    if (a.role != CASE_ADMIN && a.agency_id != coord)
        return vigil__err_set(err, VIGIL_EPERM,
                              "%s may only create operations coordinated by their own agency",
                              a.name);
    int64_t *ids = calloc(n_participants + 1, sizeof *ids);
    if (!ids) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    ids[0] = coord;
    for (size_t i = 0; i < n_participants && rc == VIGIL_OK; i++)
        rc = case_agency_id(st, participants[i], &ids[i + 1], err);
    if (rc != VIGIL_OK) {
        free(ids);
        return rc;
    }
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) {
        free(ids);
        return rc;
    }
    int64_t id;
    if (vigil__q_int(st, "SELECT id FROM operation WHERE name = ?1", &id, err, "t", name) ==
        VIGIL_OK) {
        rc = vigil__err_set(err, VIGIL_EEXIST, "operation '%.80s' exists already", name);
        goto out;
    }
    rc = vigil__q_int(st,
                       "INSERT INTO operation (name, coordinator_id, starts_at, ends_at, created_at) "
                       "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                       &id, err, "titt" "t", name, coord, start ? ts : NULL, end ? te : NULL, now);
    if (rc != VIGIL_OK) goto out;
    for (size_t i = 0; i <= n_participants && rc == VIGIL_OK; i++)
        rc = vigil__q_exec(st,
                           "INSERT OR IGNORE INTO operation_agency (operation_id, agency_id) "
                           "VALUES (?1, ?2)",
                           NULL, err, "ii", id, ids[i]);
    json_t *after = NULL;
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_op_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "op.create", "operation", id, NULL, after, err);
    json_decref(after);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    free(ids);
    return rc;
}

vigil_status vigil_op_close(vigil_store *st, const char *by, const char *name, vigil_err *err) {
    case_actor a;
    int64_t id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "close operations", err);
    if (rc == VIGIL_OK) rc = case_op_find(st, &a, name, &id, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    json_t *before = NULL, *after = NULL;
    rc = vigil__q_json_one(st, sql_op_row, &before, err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "UPDATE operation SET status = 'closed' WHERE id = ?1", NULL, err,
                           "i", id);
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_op_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "op.close", "operation", id, before, after, err);
    json_decref(before);
    json_decref(after);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_op_list(vigil_store *st, const char *by, json_t **out, vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    /* platform liaisons see referrals, never operations */
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_AGENCY_STAFF, "list operations", err);
    if (rc != VIGIL_OK) return rc;
    return vigil__q_json(
        st,
        "SELECT o.name, a.code AS coordinator, (SELECT json_group_array(code) FROM (SELECT "
        "g.code FROM operation_agency x JOIN agency g ON g.id = x.agency_id WHERE "
        "x.operation_id = o.id ORDER BY g.code)) AS participants_json, o.starts_at AS start, "
        "o.ends_at AS end, o.status, (SELECT count(*) FROM item WHERE operation_id = o.id) AS items "
        "FROM operation o JOIN agency a ON a.id = o.coordinator_id "
        "WHERE ?1 OR EXISTS (SELECT 1 FROM operation_agency x WHERE x.operation_id = o.id AND "
        "x.agency_id = ?2) ORDER BY o.id",
        out, err, "di", a.role == CASE_ADMIN, a.agency_id);
}

vigil_status vigil_op_show(vigil_store *st, const char *by, const char *name, json_t **out,
                           vigil_err *err) {
    case_actor a;
    int64_t id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_op_find(st, &a, name, &id, err);
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_op_row, out, err, "i", id);
    if (rc != VIGIL_OK) return rc;
    json_t *states = NULL;
    rc = vigil__q_json_one(st,
                           "SELECT json_group_object(state, n) AS s_json FROM (SELECT state, "
                           "count(*) AS n FROM item WHERE operation_id = ?1 GROUP BY state)",
                           &states, err, "i", id);
    if (rc == VIGIL_OK) {
        json_object_set(*out, "by_state", json_object_get(states, "s"));
        json_decref(states);
    } else {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}
