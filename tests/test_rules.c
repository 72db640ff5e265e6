/*
 * tests/test_rules.c - the role x operation x tenant matrix against the
 * library itself, without HTTP: each cell calls the library as one user of
 * the shared fixture (tests/fixture.c) on a fresh copy of it, and the
 * status the library returns, mapped the way the server maps it, must be
 * the status the HTTP matrix (tests/test_http.c) expects for the same
 * request.  So the rules hold for every front, and the server's route
 * table adds no rule of its own.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_internal.h"
#include "test.h"
#include "vigil/bank.h"
#include "vigil/case.h"

typedef vigil_status (*cell_fn)(vigil_store *st, const char *by, vigil_err *err);

#define JSON_CALL(call)                                                                            \
    do {                                                                                           \
        json_t *out_ = NULL;                                                                       \
        vigil_status rc_ = (call);                                                                 \
        json_decref(out_);                                                                         \
        return rc_;                                                                                \
    } while (0)

static vigil_status c_agencies(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_agency_list(st, by, &out_, err)); }
static vigil_status c_agency_add(vigil_store *st, const char *by, vigil_err *err) { return vigil_agency_add(st, by, "NEW", "", NULL, err); }
static vigil_status c_users(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_user_list(st, by, &out_, err)); }
static vigil_status c_user_add(vigil_store *st, const char *by, vigil_err *err) {
    char tok[VIGIL_TOKEN_LEN + 1];
    return vigil_user_create(st, by, "u9", "analyst", "EU", NULL, tok, err);
}
static vigil_status c_user_revoke(vigil_store *st, const char *by, vigil_err *err) { return vigil_user_revoke(st, by, "ana-fr", err); }
static vigil_status c_platforms(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_platform_list(st, by, 0, &out_, err)); }
static vigil_status c_platform_add(vigil_store *st, const char *by, vigil_err *err) {
    vigil_platform_fields f = {.kind = "forum", .domains = "p9.example", .requires_id = -1};
    return vigil_platform_add(st, by, "P9", &f, err);
}
static vigil_status c_platform_edit(vigil_store *st, const char *by, vigil_err *err) {
    vigil_platform_fields f = {.contact = "abuse@example.org", .requires_id = -1};
    return vigil_platform_edit(st, by, "Telegram", &f, err);
}
static vigil_status c_ops(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_op_list(st, by, &out_, err)); }
static vigil_status c_op_create(vigil_store *st, const char *by, vigil_err *err) { return vigil_op_create(st, by, "op9", "EU", NULL, 0, NULL, NULL, err); }
static vigil_status c_op1_show(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_op_show(st, by, "op1", &out_, err)); }
static vigil_status c_op2_show(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_op_show(st, by, "op2", &out_, err)); }
static vigil_status c_op1_close(vigil_store *st, const char *by, vigil_err *err) { return vigil_op_close(st, by, "op1", err); }
static vigil_status c_op2_close(vigil_store *st, const char *by, vigil_err *err) { return vigil_op_close(st, by, "op2", err); }
static vigil_status c_op1_clusters(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_cluster_list(st, by, "op1", 0, &out_, err)); }
static vigil_status c_op2_clusters(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_cluster_list(st, by, "op2", 0, &out_, err)); }
static vigil_status c_op1_cluster_refer(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_cluster_refer(st, by, "op1", 1, NULL, NULL, &out_, err)); }
static vigil_status c_op2_cluster_refer(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_cluster_refer(st, by, "op2", 4, NULL, NULL, &out_, err)); }
static vigil_status c_op1_report(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_report_op(st, by, "op1", &out_, err)); }
static vigil_status c_op2_report(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_report_op(st, by, "op2", &out_, err)); }
static vigil_status import_into(vigil_store *st, const char *by, const char *op, vigil_err *err) {
    static const char csv[] = "url\nhttps://t.me/newchan/1\n";
    FILE *f = fmemopen((void *)csv, sizeof csv - 1, "r");
    vigil_item_import_stats s;
    vigil_status rc = vigil_item_import(st, by, op, f, NULL, &s, err);
    fclose(f);
    return rc;
}
static vigil_status c_op1_import(vigil_store *st, const char *by, vigil_err *err) { return import_into(st, by, "op1", err); }
static vigil_status c_op2_import(vigil_store *st, const char *by, vigil_err *err) { return import_into(st, by, "op2", err); }
static vigil_status c_items(vigil_store *st, const char *by, vigil_err *err) {
    vigil_item_filter f = {.limit = 100};
    JSON_CALL(vigil_item_list(st, by, &f, &out_, err));
}
static vigil_status add_item(vigil_store *st, const char *by, const char *op, vigil_err *err) {
    const char *langs[] = {"ar"};
    vigil_item_input in = {.op = op, .url = "https://t.me/newchan/2", .langs = langs, .n_langs = 1};
    return vigil_item_add(st, by, &in, NULL, err);
}
static vigil_status c_item_add1(vigil_store *st, const char *by, vigil_err *err) { return add_item(st, by, "op1", err); }
static vigil_status c_item_add2(vigil_store *st, const char *by, vigil_err *err) { return add_item(st, by, "op2", err); }
static vigil_status c_item1(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_item_show(st, by, 1, &out_, err)); }
static vigil_status c_item4(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_item_show(st, by, 4, &out_, err)); }
static vigil_status c_item2(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_item_show(st, by, 2, &out_, err)); }
static vigil_status c_assess2(vigil_store *st, const char *by, vigil_err *err) { return vigil_item_transition(st, by, 2, "assessed", NULL, NULL, err); }
static vigil_status c_assess4(vigil_store *st, const char *by, vigil_err *err) { return vigil_item_transition(st, by, 4, "assessed", NULL, NULL, err); }
static vigil_status c_reject2(vigil_store *st, const char *by, vigil_err *err) { return vigil_item_transition(st, by, 2, "rejected", NULL, "below the threshold", err); }
static vigil_status c_reject4(vigil_store *st, const char *by, vigil_err *err) { return vigil_item_transition(st, by, 4, "rejected", NULL, "below the threshold", err); }
static vigil_status c_outcome1(vigil_store *st, const char *by, vigil_err *err) { return vigil_outcome(st, by, 1, "removed", NULL, err); }
static vigil_status c_outcome6(vigil_store *st, const char *by, vigil_err *err) { return vigil_outcome(st, by, 6, "removed", NULL, err); }
static vigil_status c_holds(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_hold_list(st, by, 0, &out_, err)); }
static vigil_status c_hold_eu(vigil_store *st, const char *by, vigil_err *err) { return vigil_hold_add(st, by, "EU", "prefix", "https://t.me/zzz", NULL, "r", NULL, err); }
static vigil_status c_hold_fr(vigil_store *st, const char *by, vigil_err *err) { return vigil_hold_add(st, by, "FR", "prefix", "https://t.me/zzz", NULL, "r", NULL, err); }
static vigil_status c_release1(vigil_store *st, const char *by, vigil_err *err) { return vigil_hold_release(st, by, 1, err); }
static vigil_status c_release2(vigil_store *st, const char *by, vigil_err *err) { return vigil_hold_release(st, by, 2, err); }
static vigil_status c_referrals(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_referral_list(st, by, NULL, &out_, err)); }
static vigil_status c_refer1(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_refer(st, by, "op1", NULL, NULL, NULL, &out_, err)); }
static vigil_status c_refer2(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_refer(st, by, "op2", NULL, NULL, NULL, &out_, err)); }
static vigil_status c_orders(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_order_list(st, by, 0, &out_, err)); }
static vigil_status c_order_add(vigil_store *st, const char *by, vigil_err *err) {
    vigil_order_input in = {.authority = "EU", .url = "https://t.me/chan/99"};
    int64_t id;
    return vigil_order_create(st, by, &in, &id, err);
}
static vigil_status c_ack1(vigil_store *st, const char *by, vigil_err *err) { return vigil_order_update(st, by, 1, "ack", NULL, NULL, err); }
static vigil_status c_ack2(vigil_store *st, const char *by, vigil_err *err) { return vigil_order_update(st, by, 2, "ack", NULL, NULL, err); }
static vigil_status c_done1(vigil_store *st, const char *by, vigil_err *err) { return vigil_order_update(st, by, 1, "done", NULL, NULL, err); }
static vigil_status c_done2(vigil_store *st, const char *by, vigil_err *err) { return vigil_order_update(st, by, 2, "done", NULL, NULL, err); }
static vigil_status c_fail1(vigil_store *st, const char *by, vigil_err *err) { return vigil_order_update(st, by, 1, "fail", "force_majeure", NULL, err); }
static vigil_status c_fail2(vigil_store *st, const char *by, vigil_err *err) { return vigil_order_update(st, by, 2, "fail", "force_majeure", NULL, err); }
static vigil_status c_tco(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_report_tco(st, by, 2026, &out_, err)); }
static vigil_status c_audit_verify(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_audit_check(st, by, &out_, err)); }
static vigil_status c_audit(vigil_store *st, const char *by, vigil_err *err) { JSON_CALL(vigil_audit_list(st, by, NULL, 0, 5, &out_, err)); }

/* Bank calls act as the store's user (vigil_store_set_actor). */
static vigil_status c_banks(vigil_store *st, const char *by, vigil_err *err) {
    vigil_store_set_actor(st, by);
    vigil_bank_info *v = NULL;
    size_t n = 0;
    vigil_status rc = vigil_bank_list(st, &v, &n, err);
    free(v);
    return rc;
}
static vigil_status c_bank_create(vigil_store *st, const char *by, vigil_err *err) {
    vigil_store_set_actor(st, by);
    return vigil_bank_create(st, "b2", VIGIL_BANK_NORMAL, -1, NULL, NULL, err);
}
static vigil_status bank_get(vigil_store *st, const char *by, const char *name, vigil_err *err) {
    vigil_store_set_actor(st, by);
    vigil_bank_info b;
    return vigil_bank_get(st, name, &b, err);
}
static vigil_status c_bank_b1(vigil_store *st, const char *by, vigil_err *err) { return bank_get(st, by, "b1", err); }
static vigil_status c_bank_nope(vigil_store *st, const char *by, vigil_err *err) { return bank_get(st, by, "nope", err); }
static vigil_status c_bank_add(vigil_store *st, const char *by, vigil_err *err) {
    vigil_store_set_actor(st, by);
    vigil_entry_spec e = {.signal = VIGIL_SIGNAL_MD5, .value = "0123456789abcdef0123456789abcdef",
                          .labels = "entity=x"};
    return vigil_bank_add(st, "b1", &e, NULL, NULL, err);
}
static vigil_status c_bank_remove(vigil_store *st, const char *by, vigil_err *err) {
    vigil_store_set_actor(st, by);
    return vigil_bank_remove(st, "b1", 1, err);
}
static vigil_status c_bank_import(vigil_store *st, const char *by, vigil_err *err) {
    vigil_store_set_actor(st, by);
    static const char csv[] = "signal_type,signal_value\nmd5,0123456789abcdef0123456789abcdef\n";
    FILE *f = fmemopen((void *)csv, sizeof csv - 1, "r");
    vigil_import_report r;
    vigil_status rc = vigil_bank_import(st, "b1", f, NULL, &r, err);
    fclose(f);
    return rc;
}

/* The expected statuses are the HTTP matrix's (tests/test_http.c) for
 * analyst reviewer coordinator liaison admin, the same requests. */
static const struct {
    const char *what;
    cell_fn fn;
    const char *expect;
} cells[] = {
    {"GET /v1/banks", c_banks, "200 200 200 403 200"},
    {"POST /v1/banks", c_bank_create, "403 403 201 403 201"},
    {"GET /v1/banks/b1", c_bank_b1, "200 200 200 403 200"},
    {"GET /v1/banks/nope", c_bank_nope, "404 404 404 403 404"},
    {"POST /v1/banks/b1/entries", c_bank_add, "403 403 201 403 201"},
    {"DELETE /v1/banks/b1/entries/1", c_bank_remove, "403 403 200 403 200"},
    {"POST /v1/banks/b1/import", c_bank_import, "403 403 200 403 200"},
    {"GET /v1/agencies", c_agencies, "200 200 200 200 200"},
    {"POST /v1/agencies", c_agency_add, "403 403 403 403 201"},
    {"GET /v1/users", c_users, "403 403 403 403 200"},
    {"POST /v1/users", c_user_add, "403 403 403 403 201"},
    {"POST /v1/users/ana-fr/revoke", c_user_revoke, "403 403 403 403 200"},
    {"GET /v1/platforms", c_platforms, "200 200 200 200 200"},
    {"POST /v1/platforms", c_platform_add, "403 403 201 403 201"},
    {"PATCH /v1/platforms/Telegram", c_platform_edit, "403 403 200 403 200"},
    {"GET /v1/operations", c_ops, "200 200 200 403 200"},
    {"POST /v1/operations", c_op_create, "403 403 201 403 201"},
    {"GET /v1/operations/op1", c_op1_show, "200 200 200 403 200"},
    {"GET /v1/operations/op2", c_op2_show, "403 403 403 403 200"},
    {"POST /v1/operations/op1/close", c_op1_close, "403 403 200 403 200"},
    {"POST /v1/operations/op2/close", c_op2_close, "403 403 403 403 200"},
    {"GET /v1/operations/op1/report", c_op1_report, "200 200 200 403 200"},
    {"GET /v1/operations/op2/report", c_op2_report, "403 403 403 403 200"},
    {"GET /v1/operations/op1/clusters", c_op1_clusters, "200 200 200 403 200"},
    {"GET /v1/operations/op2/clusters", c_op2_clusters, "403 403 403 403 200"},
    {"POST /v1/operations/op1/clusters/1/refer", c_op1_cluster_refer, "403 403 201 403 201"},
    {"POST /v1/operations/op2/clusters/4/refer", c_op2_cluster_refer, "403 403 403 403 201"},
    {"POST /v1/operations/op1/items/import", c_op1_import, "200 200 200 403 200"},
    {"POST /v1/operations/op2/items/import", c_op2_import, "403 403 403 403 400"},
    {"GET /v1/items", c_items, "200 200 200 200 200"},
    {"POST /v1/items (op1)", c_item_add1, "201 201 201 403 201"},
    {"POST /v1/items (op2)", c_item_add2, "403 403 403 403 403"},
    {"GET /v1/items/1", c_item1, "200 200 200 200 200"},
    {"GET /v1/items/4", c_item4, "404 404 404 404 200"},
    {"GET /v1/items/2", c_item2, "200 200 200 404 200"},
    {"POST /v1/items/2/assess", c_assess2, "403 200 200 403 200"},
    {"POST /v1/items/4/assess", c_assess4, "403 404 404 403 200"},
    {"POST /v1/items/2/reject", c_reject2, "403 200 200 403 200"},
    {"POST /v1/items/4/reject", c_reject4, "403 404 404 403 200"},
    {"POST /v1/items/1/outcome", c_outcome1, "403 200 200 200 200"},
    {"POST /v1/items/6/outcome", c_outcome6, "403 404 404 404 200"},
    {"GET /v1/holds", c_holds, "200 200 200 403 200"},
    {"POST /v1/holds (EU)", c_hold_eu, "201 201 201 403 201"},
    {"POST /v1/holds (FR)", c_hold_fr, "403 403 403 403 201"},
    {"POST /v1/holds/1/release", c_release1, "200 200 200 403 200"},
    {"POST /v1/holds/2/release", c_release2, "403 403 403 403 200"},
    {"GET /v1/referrals", c_referrals, "200 200 200 200 200"},
    {"POST /v1/referrals (op1)", c_refer1, "403 403 201 403 201"},
    {"POST /v1/referrals (op2)", c_refer2, "403 403 403 403 201"},
    {"GET /v1/orders", c_orders, "403 200 200 200 200"},
    {"POST /v1/orders", c_order_add, "403 403 201 403 201"},
    {"POST /v1/orders/1/ack", c_ack1, "403 403 200 200 200"},
    {"POST /v1/orders/2/ack", c_ack2, "403 403 200 404 200"},
    {"POST /v1/orders/1/done", c_done1, "403 403 200 200 200"},
    {"POST /v1/orders/2/done", c_done2, "403 403 200 404 200"},
    {"POST /v1/orders/1/fail", c_fail1, "403 403 200 200 200"},
    {"POST /v1/orders/2/fail", c_fail2, "403 403 200 404 200"},
    {"GET /v1/reports/tco", c_tco, "403 403 200 403 200"},
    {"GET /v1/audit/verify", c_audit_verify, "403 403 200 403 200"},
    {"GET /v1/audit", c_audit, "403 403 403 403 200"},
};

static char g_tpl[1024];

static void test_matrix(void) {
    char tokens[TEST_N_ROLES][VIGIL_TOKEN_LEN + 1];
    test_db_named("rules-template.db", g_tpl, sizeof g_tpl);
    CHECK_INT(test_case_fixture(g_tpl, tokens), ==, 0);
    char db[1100];
    int failures = 0, n = 0;
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        const char *e = cells[i].expect;
        for (int r = 1; r < TEST_N_ROLES; r++, e += 4) {
            unsigned want = (unsigned)atoi(e);
            if (want == 201) want = 200;
            test_db_named("rules.db", db, sizeof db);
            if (test_store_copy(g_tpl, db) != 0) {
                failures++;
                continue;
            }
            vigil_store *st = NULL;
            vigil_err err;
            vigil_err_clear(&err);
            if (vigil_store_open(db, &st, &err) != VIGIL_OK) {
                failures++;
                continue;
            }
            vigil_status rc = cells[i].fn(st, test_role_users[r], &err);
            vigil_store_close(st);
            unsigned got = rc == VIGIL_OK ? 200 : http_status_of(rc, NULL);
            n++;
            if (got != want) {
                failures++;
                fprintf(stderr, "    %s as %s: library %s (%u) \"%s\", HTTP expects %u\n",
                        cells[i].what, test_role_users[r], vigil_status_name(rc), got, err.msg,
                        want);
            }
        }
    }
    printf("    %d cells (%zu operations x 5 roles) against the library\n", n,
           sizeof cells / sizeof cells[0]);
    CHECK_INT(failures, ==, 0);
}

const test_case suite_rules[] = {
    {"rules/library_matrix_equals_http_matrix", test_matrix},
    {NULL, NULL},
};
