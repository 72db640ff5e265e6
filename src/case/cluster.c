/*
 * src/case/cluster.c - reading content clusters: an operation's clusters
 * (the same content on several platforms, linked at intake by item.c) and
 * the cluster of one item.  Referring a whole cluster is refer.c's.
 */
#include <stdio.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"

/* The groups first (over item_op_cluster, which covers them), then the
 * platforms and members of the `limit` kept only. */
static const char sql_clusters[] =
    "SELECT c.id, c.items, c.platform_count, c.still_up, c.removed, c.referable, c.first_seen, "
    "c.last_seen, (SELECT json_group_array(name) FROM (SELECT p.name FROM item k JOIN "
    "platform p ON p.id = k.platform_id WHERE k.operation_id = ?1 AND k.cluster_id = c.id GROUP "
    "BY p.name ORDER BY p.name COLLATE NOCASE)) AS platforms_json, (SELECT json_group_array(json_object('id', "
    "k.id, 'platform', p.name, 'state', k.state, 'canonical_url', k.canonical_url, 'observed_at', "
    "k.observed_at)) FROM (SELECT id, platform_id, state, canonical_url, observed_at FROM item "
    "WHERE operation_id = ?1 AND cluster_id = c.id ORDER BY id LIMIT 100) k JOIN platform p ON "
    "p.id = k.platform_id) AS members_json FROM (SELECT cluster_id AS id, count(*) AS items, "
    "count(DISTINCT platform_id) AS platform_count, sum(state <> 'removed') AS still_up, "
    "sum(state = 'removed') AS removed, sum(state = 'assessed') AS referable, min(observed_at) AS "
    "first_seen, max(observed_at) AS last_seen FROM item WHERE operation_id = ?1 GROUP BY "
    "cluster_id HAVING count(*) > 1 ORDER BY platform_count DESC, items DESC, id LIMIT ?2) c "
    "ORDER BY c.platform_count DESC, c.items DESC, c.id";

vigil_status vigil_cluster_list(vigil_store *st, const char *by, const char *op, int limit,
                                json_t **out, vigil_err *err) {
    if (out) *out = NULL;
    if (!st || !op || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_cluster_list: NULL argument");
    if (limit < 0 || limit > 10000)
        return vigil__err_set(err, VIGIL_ELIMIT, "limit: 1 to 10000 clusters (0: 100)");
    case_actor a;
    int64_t op_id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_AGENCY_STAFF, "see content clusters", err);
    if (rc == VIGIL_OK) rc = case_op_find(st, &a, op, &op_id, err);
    if (rc == VIGIL_OK) rc = vigil__q_json(st, sql_clusters, out, err, "id", op_id, limit ? limit : 100);
    return rc;
}

/* The other items of item `id`'s cluster; a liaison sees only those
 * referred to their platform, and no cluster id (it is an item id). */
static const char sql_copies[] =
    "SELECT k.id, p.name AS platform, k.state, k.canonical_url, k.observed_at FROM item x JOIN "
    "item k ON k.operation_id = x.operation_id AND k.cluster_id = x.cluster_id JOIN platform p "
    "ON p.id = k.platform_id WHERE x.id = ?1 AND k.id <> ?1 AND (?2 = 0 OR EXISTS (SELECT 1 FROM "
    "referral_item ri JOIN referral r ON r.id = ri.referral_id WHERE ri.item_id = k.id AND "
    "r.platform_id = ?2)) ORDER BY k.id LIMIT 100";

vigil_status case_cluster_of(vigil_store *st, const case_actor *a, int64_t id, json_t **out,
                             vigil_err *err) {
    *out = NULL;
    json_t *copies = NULL;
    int64_t cid = 0, n = 0;
    vigil_status rc = vigil__q_json(st, sql_copies, &copies, err, "ii", id, a->platform_id);
    if (rc == VIGIL_OK && !a->platform_id)
        rc = vigil__q_int(st, "SELECT cluster_id FROM item WHERE id = ?1", &cid, err, "i", id);
    if (rc == VIGIL_OK && !a->platform_id)
        rc = vigil__q_int(st,
                          "SELECT count(*) FROM item k JOIN item x ON k.operation_id = "
                          "x.operation_id AND k.cluster_id = x.cluster_id WHERE x.id = ?1",
                          &n, err, "i", id);
    if (rc == VIGIL_ENOENT) rc = VIGIL_OK; /* an item of a store before clusters */
    if (rc != VIGIL_OK) {
        json_decref(copies);
        return rc;
    }
    if (a->platform_id) n = (int64_t)json_array_size(copies) + 1;
    *out = json_pack("{s:o, s:I, s:o}", "id", cid ? json_integer(cid) : json_null(), "items",
                     (json_int_t)n, "copies", copies);
    if (!*out) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL_OK;
}
