/*
 * src/case/refer.c - referrals (a batch of an operation's assessed items
 * to one platform), the platforms' responses (outcomes), and TCO removal
 * orders with their one-hour clock.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "vigil/url.h"

#define TCO_DEADLINE_SECONDS 3600

/* ---- referrals ------------------------------------------------------------------ */

static const char sql_referral_doc[] =
    "SELECT r.id AS referral_id, o.name AS operation, p.name AS platform, p.contact, r.channel, "
    "r.sent_at, r.created_by AS referred_by, (SELECT json_group_array(json_object('item_id', i.id, "
    "'url', (SELECT url FROM item_report WHERE item_id = i.id ORDER BY id LIMIT 1), "
    "'canonical_url', i.canonical_url, 'type', i.type, 'languages', (SELECT json_group_array(lang) "
    "FROM item_language WHERE item_id = i.id), 'affiliation', i.affiliation, 'observed_at', "
    "i.observed_at)) FROM referral_item ri JOIN item i ON i.id = ri.item_id WHERE ri.referral_id = "
    "r.id) AS items_json FROM referral r JOIN operation o ON o.id = r.operation_id JOIN platform p "
    "ON p.id = r.platform_id WHERE r.id = ?1";

/* Refers the assessed items of operation `op` (of one platform when
 * `platform`, of one content cluster when `cluster` is not 0). */
static vigil_status refer(vigil_store *st, const char *by, const char *op, const char *platform,
                          int64_t cluster, const char *channel, const char *at, json_t **out,
                          vigil_err *err) {
    *out = NULL;
    case_actor a;
    int64_t op_id = 0, only = 0;
    char t[VIGIL_TIME_LEN];
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "refer items", err);
    if (rc == VIGIL_OK) rc = case_op_find(st, &a, op, &op_id, err);
    if (rc == VIGIL_OK && platform) rc = case_platform_id(st, platform, &only, err);
    if (rc == VIGIL_OK && cluster) {
        int64_t one;
        rc = vigil__q_int(st, "SELECT 1 FROM item WHERE operation_id = ?1 AND cluster_id = ?2 LIMIT 1",
                          &one, err, "ii", op_id, cluster);
        if (rc == VIGIL_ENOENT)
            rc = vigil__err_set(err, VIGIL_ENOENT,
                                "no cluster %lld in operation '%.80s' (clusters merge as items "
                                "come in: list them again)",
                                (long long)cluster, op);
    }
    if (rc == VIGIL_OK) rc = case_time_arg(st, at, "at", t, err);
    if (rc == VIGIL_OK && channel && strcmp(channel, "email") != 0 &&
        strcmp(channel, "web_form") != 0 && strcmp(channel, "api") != 0 &&
        strcmp(channel, "portal") != 0 && strcmp(channel, "other") != 0)
        rc = vigil__err_set(err, VIGIL_EPARSE,
                            "unknown channel '%.40s' (email, web_form, api, portal, other)", channel);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    json_t *docs = json_array(), *items = NULL, *plats = NULL;
    /* the holds again: something may have been put on hold since intake */
    rc = vigil__q_json(st,
                       "SELECT id FROM item WHERE operation_id = ?1 AND state = 'assessed' AND "
                       "(?2 = 0 OR platform_id = ?2) AND (?3 = 0 OR cluster_id = ?3) ORDER BY id",
                       &items, err, "iii", op_id, only, cluster);
    size_t k;
    json_t *row;
    json_array_foreach(items, k, row) {
        if (rc != VIGIL_OK) break;
        rc = case_holds_check(st, &a, json_integer_value(json_object_get(row, "id")), NULL, err);
    }
    if (rc == VIGIL_OK)
        rc = vigil__q_json(st,
                           "SELECT i.platform_id AS pid, p.channel FROM item i JOIN "
                           "platform p ON p.id = i.platform_id WHERE i.operation_id = ?1 AND "
                           "i.state = 'assessed' AND (?2 = 0 OR i.platform_id = ?2) AND (?3 = 0 "
                           "OR i.cluster_id = ?3) GROUP BY i.platform_id, p.channel, p.name "
                           "ORDER BY p.name COLLATE NOCASE",
                           &plats, err, "iii", op_id, only, cluster);
    json_array_foreach(plats, k, row) {
        if (rc != VIGIL_OK) break;
        int64_t pid = json_integer_value(json_object_get(row, "pid"));
        const char *ch = channel ? channel : json_string_value(json_object_get(row, "channel"));
        int64_t rid = 0;
        rc = vigil__q_int(st,
                           "INSERT INTO referral (operation_id, platform_id, channel, sent_at, "
                           "created_by) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                           &rid, err, "iittt", op_id, pid, ch ? ch : "email", t, a.name);
        json_t *its = NULL;
        if (rc == VIGIL_OK)
            rc = vigil__q_json(st,
                               "SELECT id FROM item WHERE operation_id = ?1 AND platform_id = ?2 AND "
                               "state = 'assessed' AND (?3 = 0 OR cluster_id = ?3) ORDER BY id",
                               &its, err, "iii", op_id, pid, cluster);
        size_t j;
        json_t *it;
        json_array_foreach(its, j, it) {
            if (rc != VIGIL_OK) break;
            int64_t iid = json_integer_value(json_object_get(it, "id"));
            rc = case_tally_referral_item(st, op_id, pid, iid, err);
            if (rc == VIGIL_OK)
                rc = vigil__q_exec(st, "INSERT INTO referral_item (referral_id, item_id) VALUES (?1, ?2)",
                                   NULL, err, "ii", rid, iid);
            if (rc == VIGIL_OK) {
                char note[48];
                snprintf(note, sizeof note, "referral %lld", (long long)rid);
                rc = case_move(st, &a, iid, "assessed", "referred", CASE_CAUSE_REFER, t, note, err);
            }
        }
        json_decref(its);
        json_t *doc = NULL;
        if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_referral_doc, &doc, err, "i", rid);
        if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "referral.create", "referral", rid, NULL, doc, err);
        if (rc == VIGIL_OK) json_array_append_new(docs, doc);
        else json_decref(doc);
    }
    json_decref(items);
    json_decref(plats);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        json_decref(docs);
        return rc;
    }
    *out = docs;
    return VIGIL_OK;
}

vigil_status vigil_refer(vigil_store *st, const char *by, const char *op, const char *platform,
                         const char *channel, const char *at, json_t **out, vigil_err *err) {
    return refer(st, by, op, platform, 0, channel, at, out, err);
}

vigil_status vigil_cluster_refer(vigil_store *st, const char *by, const char *op, int64_t cluster,
                                 const char *channel, const char *at, json_t **out,
                                 vigil_err *err) {
    if (out) *out = NULL;
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_cluster_refer: NULL argument");
    if (cluster <= 0) return vigil__err_set(err, VIGIL_EPARSE, "bad cluster id %lld", (long long)cluster);
    return refer(st, by, op, NULL, cluster, channel, at, out, err);
}

/* ---- outcomes ----------------------------------------------------------------------- */

vigil_status vigil_outcome(vigil_store *st, const char *by, int64_t item, const char *outcome,
                           const char *at, vigil_err *err) {
    case_actor a;
    char t[VIGIL_TIME_LEN];
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK)
        rc = case_require(&a, CASE_COORDINATOR | CASE_LIAISON | CASE_REVIEWER, "record outcomes",
                          err);
    if (!outcome) return vigil__err_set(err, VIGIL_EPARSE, "no outcome given");
    if (rc == VIGIL_OK && (strcmp(outcome, "removed") != 0 &&
                                        strcmp(outcome, "declined") != 0 &&
                           strcmp(outcome, "no_response") != 0))
        rc = vigil__err_set(err, VIGIL_EPARSE,
                            "unknown outcome '%.40s' (removed, declined or no_response)", outcome);
    if (rc == VIGIL_OK) rc = case_time_arg(st, at, "at", t, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    /* the latest referral of an item the actor may see */
    json_t *ref = NULL;
    if ((rc = case_item_access(st, &a, item, err)) != VIGIL_OK) goto out;
    rc = vigil__q_json_one(st,
                           "SELECT ri.referral_id AS rid, r.sent_at, i.state FROM referral_item ri JOIN referral r ON r.id = "
                           "ri.referral_id JOIN item i ON i.id = ri.item_id WHERE ri.item_id = ?1 "
                           "ORDER BY ri.referral_id DESC LIMIT 1",
                           &ref, err, "i", item);
    if (rc == VIGIL_ENOENT) {
        rc = vigil__err_set(err, VIGIL_ECONFLICT,
                            "item %lld was never referred: refer it first",
                            (long long)item);
        goto out;
    }
    if (rc != VIGIL_OK) goto out;
    int64_t rid = json_integer_value(json_object_get(ref, "rid"));
    const char *state = json_string_value(json_object_get(ref, "state"));
    const char *sent = json_string_value(json_object_get(ref, "sent_at"));
    if (!state) {
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "item %lld has no state", (long long)item);
        goto out;
    }
    if ((rc = case_move_check(item, state, outcome, CASE_CAUSE_OUTCOME, NULL, err)) != VIGIL_OK)
        goto out;
    if (sent && strcmp(t, sent) < 0) {
        rc = vigil__err_field(err, VIGIL_EINVAL, "at", "%s is before the referral was sent (%s)", t,
                              sent);
        goto out;
    }
    rc = vigil__q_exec(st,
                       "UPDATE referral_item SET response = ?3, responded_at = ?4 WHERE "
                       "referral_id = ?1 AND item_id = ?2",
                       NULL, err, "iitt", rid, item, outcome, t);
    if (rc == VIGIL_OK) {
        char note[48];
        snprintf(note, sizeof note, "referral %lld", (long long)rid);
        rc = case_move(st, &a, item, state, outcome, CASE_CAUSE_OUTCOME, t, note, err);
    }
out:
    json_decref(ref);
    return vigil__store_end(st, rc, err);
}

/* ---- removal orders ------------------------------------------------------------------- */

static const char sql_order_row[] =
    "SELECT o.id, o.authority, p.name AS platform, o.item_id AS item, o.url, o.received_at, "
    "o.deadline_at, o.acknowledged_at, o.actioned_at, o.status, o.reason, o.created_by, "
    "CASE WHEN o.status IN ('open', 'acknowledged') THEN unixepoch(o.deadline_at) - ?2 END AS "
    "seconds_left, (o.status IN ('open', 'acknowledged') AND unixepoch(o.deadline_at) < ?2) AS "
    "overdue_bool, (o.status = 'actioned' AND o.actioned_at > o.deadline_at) AS late_bool "
    "FROM removal_order o JOIN platform p ON p.id = o.platform_id WHERE o.id = ?1";

vigil_status vigil_order_create(vigil_store *st, const char *by, const vigil_order_input *in,
                                int64_t *id_out, vigil_err *err) {
    if (id_out) *id_out = 0;
    if (!in) return vigil__err_set(err, VIGIL_EINVAL, "vigil_order_create: NULL argument");
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "record removal orders", err);
    if (rc != VIGIL_OK) return rc;
    if (!in->authority || !*in->authority)
        return vigil__err_field(err, VIGIL_EINVAL, "authority", "an order needs its issuing authority");
    if ((rc = case_text_check(in->authority, "authority", 200, err)) != VIGIL_OK) return rc;
    int64_t received;
    if (in->received) {
        vigil_err e;
        if (vigil_time_parse(in->received, &received, &e) != VIGIL_OK)
            return vigil__err_field(err, VIGIL_EPARSE, "received", "%s", e.msg);
    } else {
        received = vigil__store_time(st);
    }
    char tr[VIGIL_TIME_LEN], td[VIGIL_TIME_LEN];
    vigil_time_format(received, tr);
    vigil_time_format(received + TCO_DEADLINE_SECONDS, td); /* computed, never typed in */
    if ((rc = vigil_platform_seed(st, err)) != VIGIL_OK) return rc;
    int64_t pid = 0;
    char *url = NULL;
    if (in->item) {
        json_t *row = NULL;
        rc = vigil__q_json_one(st, "SELECT platform_id, canonical_url FROM item WHERE id = ?1", &row,
                               err, "i", in->item);
        if (rc == VIGIL_ENOENT)
            return vigil__err_set(err, VIGIL_ENOENT, "no item %lld", (long long)in->item);
        if (rc != VIGIL_OK) return rc;
        pid = json_integer_value(json_object_get(row, "platform_id"));
        url = strdup(in->url ? in->url : json_string_value(json_object_get(row, "canonical_url")));
        json_decref(row);
    } else if (in->url) {
        vigil_url u;
        vigil_err e;
        if (vigil_url_canonicalize(in->url, &u, &e) != VIGIL_OK)
            return vigil__err_field(err, VIGIL_EPARSE, "url", "%s", e.msg);
        url = strdup(u.canonical);
        int64_t p2;
        if (!in->platform &&
            vigil__q_int(st, "SELECT platform_id FROM platform_domain WHERE domain = ?1", &p2, NULL,
                         "t", u.host) == VIGIL_OK)
            pid = p2;
        vigil_url_clear(&u);
    } else {
        return vigil__err_field(err, VIGIL_EINVAL, "item", "an order names an item or a URL (url)");
    }
    if (!url) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (in->platform && (rc = case_platform_id(st, in->platform, &pid, err)) != VIGIL_OK) {
        free(url);
        return rc;
    }
    if (!pid) {
        free(url);
        return vigil__err_field(err, VIGIL_EINVAL, "platform",
                                "the URL's domain is no known platform: name the platform");
    }
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) {
        free(url);
        return rc;
    }
    int64_t id = 0;
    rc = vigil__q_int(st,
                       "INSERT INTO removal_order (authority, platform_id, item_id, url, "
                       "received_at, deadline_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                       &id, err, "tiItttt", in->authority, pid, in->item, url, tr, td, a.name);
    free(url);
    json_t *after = NULL;
    if (rc == VIGIL_OK)
        rc = vigil__q_json_one(st, sql_order_row, &after, err, "ii", id, vigil__store_time(st));
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "order.create", "order", id, NULL, after, err);
    json_decref(after);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        return rc;
    }
    if (id_out) *id_out = id;
    return VIGIL_OK;
}

static const char *const fail_reasons[] = {"force_majeure", "impossibility", "manifest_error",
                                           "insufficient_information", "other", NULL};

vigil_status vigil_order_update(vigil_store *st, const char *by, int64_t id, const char *action,
                                const char *reason, const char *at, vigil_err *err) {
    case_actor a;
    char t[VIGIL_TIME_LEN];
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK)
        rc = case_require(&a, CASE_COORDINATOR | CASE_LIAISON, "act on removal orders", err);
    if (rc == VIGIL_OK) rc = case_time_arg(st, at, "at", t, err);
    if (rc != VIGIL_OK) return rc;
    int is_ack = action && strcmp(action, "ack") == 0, is_done = action && strcmp(action, "done") == 0,
        is_fail = action && strcmp(action, "fail") == 0;
    if (!is_ack && !is_done && !is_fail)
        return vigil__err_set(err, VIGIL_EPARSE, "unknown order action '%.20s' (ack, done, fail)",
                              action ? action : "");
    if (is_fail) {
        int ok = 0;
        for (const char *const *r = fail_reasons; reason && *r; r++)
            if (strcmp(*r, reason) == 0) ok = 1;
        if (!ok)
            return vigil__err_field(err, VIGIL_EPARSE, "reason",
                                    "an order not acted on needs a reason: force_majeure, "
                                    "impossibility, manifest_error, insufficient_information or other");
    }
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    json_t *before = NULL, *after = NULL;
    int64_t now = vigil__store_time(st);
    rc = vigil__q_json_one(st, sql_order_row, &before, err, "ii", id, now);
    if (rc == VIGIL_ENOENT) rc = vigil__err_set(err, VIGIL_ENOENT, "no removal order %lld", (long long)id);
    if (rc != VIGIL_OK) goto out;
    const char *status = json_string_value(json_object_get(before, "status"));
    const char *received = json_string_value(json_object_get(before, "received_at"));
    if (!status) {
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "removal order %lld has no status", (long long)id);
        goto out;
    }
    int64_t pid;
    rc = vigil__q_int(st, "SELECT platform_id FROM removal_order WHERE id = ?1", &pid, err, "i", id);
    if (rc != VIGIL_OK) goto out;
    if (a.role == CASE_LIAISON && a.platform_id != pid) {
        rc = vigil__err_set(err, VIGIL_ENOENT, "no removal order %lld", (long long)id);
        goto out;
    }
    if (strcmp(status, "actioned") == 0 || strcmp(status, "not_actioned") == 0) {
        rc = vigil__err_set(err, VIGIL_ECONFLICT, "removal order %lld is closed already (%s)",
                            (long long)id, status);
        goto out;
    }
    if (is_ack && strcmp(status, "open") != 0) {
        rc = vigil__err_set(err, VIGIL_ECONFLICT, "removal order %lld was acknowledged already",
                            (long long)id);
        goto out;
    }
    if (received && strcmp(t, received) < 0) {
        rc = vigil__err_field(err, VIGIL_EINVAL, "at", "%s is before the order was received (%s)",
                              t, received);
        goto out;
    }
    if (is_ack)
        rc = vigil__q_exec(st,
                           "UPDATE removal_order SET status = 'acknowledged', acknowledged_at = ?2 "
                           "WHERE id = ?1",
                           NULL, err, "it", id, t);
    else
        rc = vigil__q_exec(st,
                           "UPDATE removal_order SET status = ?3, actioned_at = ?2, reason = ?4, "
                           "acknowledged_at = coalesce(acknowledged_at, ?2) WHERE id = ?1",
                           NULL, err, "ittt", id, t, is_done ? "actioned" : "not_actioned",
                           is_fail ? reason : NULL);
    /* an actioned order removes its item */
    json_t *item = json_object_get(before, "item");
    if (rc == VIGIL_OK && is_done && json_is_integer(item)) {
        char *state = NULL;
        int64_t iid = json_integer_value(item);
        rc = vigil__q_text(st, "SELECT state FROM item WHERE id = ?1", &state, err, "i", iid);
        if (rc == VIGIL_OK && case_move_allowed(state, "removed", CASE_CAUSE_ORDER)) {
            char note[48];
            snprintf(note, sizeof note, "removal order %lld", (long long)id);
            rc = case_move(st, &a, iid, state, "removed", CASE_CAUSE_ORDER, t, note, err);
        }
        free(state);
    }
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_order_row, &after, err, "ii", id, now);
    if (rc == VIGIL_OK) {
        char act[24];
        snprintf(act, sizeof act, "order.%s", action);
        rc = vigil__audit(st, a.name, act, "order", id, before, after, err);
    }
out:
    json_decref(before);
    json_decref(after);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_order_list(vigil_store *st, const char *by, int overdue_only, json_t **out,
                              vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc != VIGIL_OK) return rc;
    if (a.role == CASE_ANALYST) return case_require(&a, 0, "see removal orders", err);
    return vigil__q_json(
        st,
        "SELECT o.id, o.authority, p.name AS platform, o.item_id AS item, o.url, o.received_at, "
        "o.deadline_at, o.acknowledged_at, o.actioned_at, o.status, o.reason, "
        "CASE WHEN o.status IN ('open', 'acknowledged') THEN unixepoch(o.deadline_at) - ?1 END AS "
        "seconds_left, (o.status IN ('open', 'acknowledged') AND unixepoch(o.deadline_at) < ?1) AS "
        "overdue_bool, (o.status = 'actioned' AND o.actioned_at > o.deadline_at) AS late_bool "
        "FROM removal_order o JOIN platform p ON p.id = o.platform_id WHERE (?2 = 0 OR (o.status "
        "IN ('open', 'acknowledged') AND unixepoch(o.deadline_at) < ?1)) AND (?3 = 0 OR "
        "o.platform_id = ?3) ORDER BY o.deadline_at, o.id",
        out, err, "idi", vigil__store_time(st), overdue_only, a.platform_id);
}

vigil_status vigil_referral_list(vigil_store *st, const char *by, const char *op, json_t **out,
                                 vigil_err *err) {
    *out = NULL;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc != VIGIL_OK) return rc;
    return vigil__q_json(
        st,
        "SELECT r.id AS referral_id, o.name AS operation, p.name AS platform, r.channel, r.sent_at, "
        "r.created_by AS referred_by, (SELECT json_group_array(json_object('item_id', ri.item_id, "
        "'canonical_url', i.canonical_url, 'response', ri.response, 'responded_at', "
        "ri.responded_at)) FROM referral_item ri JOIN item i ON i.id = ri.item_id WHERE "
        "ri.referral_id = r.id) AS items_json FROM referral r JOIN operation o ON o.id = "
        "r.operation_id JOIN platform p ON p.id = r.platform_id WHERE (?1 IS NULL OR o.name = ?1) "
        "AND (?2 OR (?4 <> 0 AND r.platform_id = ?4) OR (?3 <> 0 AND EXISTS (SELECT 1 FROM "
        "operation_agency x WHERE x.operation_id = r.operation_id AND x.agency_id = ?3))) "
        "ORDER BY r.id DESC LIMIT 1000",
        out, err, "tdii", op, a.role == CASE_ADMIN, a.agency_id, a.platform_id);
}
