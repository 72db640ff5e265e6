/*
 * tests/report_ref.c - the operation report as it was computed before the
 * single-pass rewrite (about twenty queries over the operation), kept as
 * the reference that tests/test_case.c compares vigil_report_op against.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"
#include "test.h"

/* Median (mean of the two middle values when even) and the 90th percentile
 * (nearest rank: the smallest value with at least 90% at or below it) of
 * sorted v[0..n). */
static json_t *median_of(const int64_t *v, size_t n) {
    if (!n) return json_null();
    if (n % 2) return json_integer(v[n / 2]);
    return json_integer((v[n / 2 - 1] + v[n / 2]) / 2);
}

static json_t *p90_of(const int64_t *v, size_t n) {
    if (!n) return json_null();
    size_t rank = (size_t)ceil(0.9 * (double)n);
    if (rank < 1) rank = 1;
    return json_integer(v[rank - 1]);
}

/* {KEY: count} of one GROUP BY query (?1 the operation). */
static vigil_status counts(vigil_store *st, const char *sql, int64_t op, json_t *out,
                           const char *key, vigil_err *err) {
    json_t *rows = NULL;
    vigil_status rc = vigil__q_json(st, sql, &rows, err, "i", op);
    if (rc != VIGIL_OK) return rc;
    json_t *obj = json_object();
    size_t k;
    json_t *r;
    json_array_foreach(rows, k, r) {
        const char *name = json_string_value(json_object_get(r, "k"));
        json_object_set(obj, name ? name : "(none)", json_object_get(r, "n"));
    }
    json_decref(rows);
    json_object_set_new(out, key, obj);
    return VIGIL_OK;
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int64_t int_of(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

static const char sql_times[] =
    "SELECT p.name AS platform, unixepoch(ri.responded_at) - unixepoch(r.sent_at) AS s FROM "
    "referral_item ri JOIN referral r ON r.id = ri.referral_id JOIN item i ON i.id = ri.item_id "
    "JOIN platform p ON p.id = r.platform_id WHERE r.operation_id = ?1 AND ri.response = "
    "'removed' ORDER BY p.name COLLATE NOCASE, s";

vigil_status test_report_ref(vigil_store *st, const char *op, json_t **out, vigil_err *err) {
    *out = NULL;
    int64_t id = 0;
    vigil_status rc = vigil__q_int(st, "SELECT id FROM operation WHERE name = ?1", &id, err, "t", op);
    if (rc != VIGIL_OK) return rc;
    json_t *r = NULL;
    rc = vigil__q_json_one(
        st,
        "SELECT o.name AS operation, o.starts_at AS start, o.ends_at AS end, o.status, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id) AS items, "
        "(SELECT count(DISTINCT l.lang) FROM item_language l JOIN item i ON i.id = l.item_id WHERE "
        "i.operation_id = o.id AND l.lang <> 'und') AS languages, "
        "(SELECT count(DISTINCT platform_id) FROM item WHERE operation_id = o.id) AS platforms, "
        "(SELECT count(DISTINCT i.platform_id) FROM item i JOIN platform p ON p.id = i.platform_id "
        "WHERE i.operation_id = o.id AND p.discovered = 1) AS new_platforms, "
        "(SELECT count(DISTINCT i.agency_id) FROM item_report x JOIN item i ON i.id = x.item_id "
        "WHERE i.operation_id = o.id) AS reporting_agencies, "
        "(SELECT count(*) FROM item_report x JOIN item i ON i.id = x.item_id WHERE i.operation_id "
        "= o.id) AS reports, "
        "(SELECT count(DISTINCT ri.item_id) FROM referral_item ri JOIN referral f ON f.id = "
        "ri.referral_id WHERE f.operation_id = o.id) AS referred, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND state = 'removed') AS removed, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND state = 'declined') AS declined, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND state = 'no_response') AS "
        "no_response, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND state = 'referred') AS pending, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND state = 'held') AS held, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND state = 'rejected') AS rejected, "
        "(SELECT count(*) FROM item WHERE operation_id = o.id AND reupload_of IS NOT NULL) AS "
        "reuploads, "
        "(SELECT count(*) FROM referral WHERE operation_id = o.id) AS referrals "
        "FROM operation o WHERE o.id = ?1",
        &r, err, "i", id);
    if (rc != VIGIL_OK) return rc;
    int64_t referred = int_of(r, "referred");
    json_object_set_new(r, "removal_rate",
                        json_real(referred ? (double)int_of(r, "removed") / (double)referred : 0.0));
    /* the breakdowns: {key: count} each */
    static const struct {
        const char *key, *sql;
    } breakdowns[] = {
        {"by_language", "SELECT l.lang AS k, count(*) AS n FROM item_language l JOIN item i ON "
                        "i.id = l.item_id WHERE i.operation_id = ?1 GROUP BY l.lang ORDER BY n "
                        "DESC, k"},
        {"by_type", "SELECT type AS k, count(*) AS n FROM item WHERE operation_id = ?1 GROUP BY "
                    "type ORDER BY n DESC, k"},
        {"by_affiliation", "SELECT affiliation AS k, count(*) AS n FROM item WHERE operation_id "
                           "= ?1 GROUP BY affiliation ORDER BY n DESC, k"},
        {"by_outlet", "SELECT outlet AS k, count(*) AS n FROM item WHERE operation_id = ?1 GROUP "
                      "BY outlet ORDER BY n DESC, k"},
        {"by_state", "SELECT state AS k, count(*) AS n FROM item WHERE operation_id = ?1 GROUP BY "
                     "state ORDER BY n DESC, k"},
        {"reports_by_agency", "SELECT a.code AS k, count(*) AS n FROM item_report x JOIN item i "
                              "ON i.id = x.item_id JOIN agency a ON a.id = x.agency_id WHERE "
                              "i.operation_id = ?1 GROUP BY a.code ORDER BY n DESC, k"},
    };
    for (size_t b = 0; b < sizeof breakdowns / sizeof breakdowns[0] && rc == VIGIL_OK; b++)
        rc = counts(st, breakdowns[b].sql, id, r, breakdowns[b].key, err);
    /* times from referral to removal, overall and per platform */
    json_t *times = NULL, *plats = NULL;
    if (rc == VIGIL_OK) rc = vigil__q_json(st, sql_times, &times, err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__q_json(
            st,
            "SELECT p.name AS platform, p.status, count(*) AS items, sum(i.state = 'removed') AS "
            "removed, (SELECT count(DISTINCT ri.item_id) FROM referral_item ri JOIN referral f ON "
            "f.id = ri.referral_id WHERE f.operation_id = ?1 AND f.platform_id = p.id) AS referred "
            "FROM item i JOIN platform p ON p.id = i.platform_id WHERE i.operation_id = ?1 GROUP "
            "BY p.id ORDER BY items DESC, p.name COLLATE NOCASE",
            &plats, err, "i", id);
    if (rc == VIGIL_OK) {
        size_t n = json_array_size(times);
        int64_t *all = malloc((n ? n : 1) * sizeof *all), *one = malloc((n ? n : 1) * sizeof *one);
        if (!all || !one) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < n; i++)
                all[i] = int_of(json_array_get(times, i), "s");
            /* times come sorted per platform; sort the whole for the overall figures */
            qsort(all, n, sizeof *all, cmp_i64);
            json_object_set_new(r, "median_removal_seconds", median_of(all, n));
            json_object_set_new(r, "p90_removal_seconds", p90_of(all, n));
            /* removals by whole hours since referral (the dashboard's distribution and
             * its removals-over-time curve); 72 h and later in the last bucket */
            size_t nb = n ? (size_t)(all[n - 1] > 0 ? all[n - 1] / 3600 + 1 : 1) : 0;
            if (nb > 73) nb = 73;
            json_t *hours = json_array();
            int64_t *cnt = calloc(nb ? nb : 1, sizeof *cnt);
            for (size_t i = 0; cnt && i < n; i++) {
                size_t hb = all[i] > 0 ? (size_t)(all[i] / 3600) : 0;
                cnt[hb < nb ? hb : nb - 1]++;
            }
            for (size_t i = 0; cnt && i < nb; i++) json_array_append_new(hours, json_integer(cnt[i]));
            free(cnt);
            json_object_set_new(r, "removals_by_hour", hours);
            size_t k;
            json_t *p;
            json_array_foreach(plats, k, p) {
                const char *name = json_string_value(json_object_get(p, "platform"));
                size_t m = 0;
                for (size_t i = 0; i < n; i++) {
                    json_t *t = json_array_get(times, i);
                    if (strcmp(json_string_value(json_object_get(t, "platform")), name) == 0)
                        one[m++] = int_of(t, "s");
                }
                int64_t pref = int_of(p, "referred");
                json_object_set_new(p, "removal_rate",
                                    json_real(pref ? (double)int_of(p, "removed") / (double)pref : 0.0));
                json_object_set_new(p, "median_removal_seconds", median_of(one, m));
            }
            json_object_set(r, "per_platform", plats);
        }
        free(all);
        free(one);
    }
    json_decref(times);
    json_decref(plats);
    if (rc != VIGIL_OK) {
        json_decref(r);
        return rc;
    }
    *out = r;
    return VIGIL_OK;
}


int test_report_matches_ref(vigil_store *st, const char *op, int64_t *contents) {
    vigil_err err;
    vigil_err_clear(&err);
    json_t *ref = NULL, *now = NULL;
    if (test_report_ref(st, op, &ref, &err) != VIGIL_OK || vigil_report_op(st, NULL, op, &now, &err) != VIGIL_OK) {
        printf("    report of %s: %s\n", op, err.msg);
        json_decref(ref);
        return 0;
    }
    json_t *c = json_object_get(now, "contents");
    if (contents) *contents = json_is_integer(c) ? json_integer_value(c) : -1;
    json_object_del(now, "contents");
    int same = json_equal(ref, now);
    if (!same) {
        char *x = json_dumps(ref, JSON_SORT_KEYS), *y = json_dumps(now, JSON_SORT_KEYS);
        printf("    counted: %.900s\n    report:  %.900s\n", x, y);
        free(x);
        free(y);
    }
    json_decref(ref);
    json_decref(now);
    return same;
}
