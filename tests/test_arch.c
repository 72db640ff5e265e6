/*
 * tests/test_arch.c - the architecture's promises, checked: the lifecycle
 * table in docs/operations.md is the library's own; rules live in the
 * library (a rejection needs its note whichever front asks; a user and its
 * token are one transaction); errors carry their field and codes, not text
 * to be sniffed.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/buf.h"
#include "test.h"
#include "vigil/case.h"

/* The docs' copy of the state table equals case_state_table_md(). */
static void test_state_table_docs(void) {
    FILE *f = fopen("docs/operations.md", "rb");
    CHECK(f != NULL);
    if (!f) return;
    static char doc[1 << 17];
    size_t n = fread(doc, 1, sizeof doc - 1, f);
    fclose(f);
    doc[n] = '\0';
    const char *b = strstr(doc, "<!-- state-table: begin");
    const char *e = b ? strstr(b, "<!-- state-table: end -->") : NULL;
    CHECK(b && e);
    if (!b || !e) return;
    b = strchr(b, '\n') + 1;
    char want[8192];
    size_t len = case_state_table_md(want, sizeof want);
    CHECK_INT(len, <, sizeof want);
    CHECK_INT((size_t)(e - b), ==, len);
    CHECK(strncmp(b, want, len) == 0);
}

/* Table rules, pure. */
static void test_state_moves(void) {
    vigil_err err;
    CHECK(case_move_allowed("identified", "held", CASE_CAUSE_HOLD));
    CHECK(!case_move_allowed("referred", "held", CASE_CAUSE_HOLD));
    CHECK(case_move_allowed("rejected", "removed", CASE_CAUSE_ORDER));
    CHECK(!case_move_allowed("removed", "removed", CASE_CAUSE_ORDER));
    CHECK(!case_move_allowed("identified", "removed", CASE_CAUSE_OUTCOME));
    CHECK_INT(case_move_check(7, "removed", "assessed", CASE_CAUSE_REVIEW, NULL, &err), ==,
              VIGIL_ECONFLICT);
    CHECK(strstr(err.msg, "item 7 cannot go from removed to assessed") != NULL);
    CHECK_INT(case_move_check(7, "held", "assessed", CASE_CAUSE_REVIEW, NULL, &err), ==,
              VIGIL_ECONFLICT);
    CHECK(strstr(err.msg, "held") != NULL);
    CHECK_INT(case_move_check(7, "assessed", "rejected", CASE_CAUSE_REVIEW, "", &err), ==,
              VIGIL_EINVAL);
    CHECK(strcmp(err.field, "note") == 0);
    CHECK_OK(case_move_check(7, "assessed", "rejected", CASE_CAUSE_REVIEW, "why", &err), &err);
}

static vigil_store *small_store(vigil_err *err) {
    vigil_store *st = NULL;
    if (vigil_store_open(test_db(), &st, err) != VIGIL_OK) return NULL;
    vigil_item_input in = {.op = "op1", .url = "https://t.me/examplechannel/1"};
    vigil_item_result r;
    if (vigil_agency_add(st, NULL, "EU", "", NULL, err) != VIGIL_OK ||
        vigil_user_add(st, NULL, "rev", "reviewer", "EU", NULL, err) != VIGIL_OK ||
        vigil_op_create(st, NULL, "op1", "EU", NULL, 0, NULL, NULL, err) != VIGIL_OK ||
        vigil_item_add(st, NULL, &in, &r, err) != VIGIL_OK) {
        vigil_store_close(st);
        return NULL;
    }
    return st;
}

/* A rejection needs its note in the library, not only in the fronts. */
static void test_reject_needs_note(void) {
    vigil_err err;
    vigil_store *st = small_store(&err);
    CHECK(st != NULL);
    if (!st) return;
    int64_t before = 0, after = 0, bad = 0;
    CHECK_OK(vigil_audit_verify(st, NULL, &before, &bad, &err), &err);
    CHECK_INT(vigil_item_transition(st, "rev", 1, "rejected", NULL, NULL, &err), ==, VIGIL_EINVAL);
    CHECK(strcmp(err.field, "note") == 0);
    char text[300];
    vigil_err_text(&err, "--", text, sizeof text);
    CHECK(strncmp(text, "--note: ", 8) == 0);
    CHECK_INT(vigil_item_transition(st, "rev", 1, "rejected", NULL, "", &err), ==, VIGIL_EINVAL);
    CHECK_OK(vigil_audit_verify(st, NULL, &after, &bad, &err), &err);
    CHECK_INT(after, ==, before); /* nothing written */
    CHECK_OK(vigil_item_transition(st, "rev", 1, "rejected", NULL, "below the threshold", &err), &err);
    vigil_store_close(st);
}

/* vigil_user_create: a user exists with its token, or not at all; the
 * audit check is one call; errors name fields. */
static void test_composites(void) {
    vigil_err err;
    vigil_store *st = small_store(&err);
    CHECK(st != NULL);
    if (!st) return;
    char tok[VIGIL_TOKEN_LEN + 1];
    CHECK_OK(vigil_user_create(st, NULL, "ana", "analyst", "EU", NULL, tok, &err), &err);
    CHECK_INT(strlen(tok), ==, VIGIL_TOKEN_LEN);
    char name[128], role[16];
    CHECK_OK(vigil_user_by_token(st, tok, name, role, &err), &err);
    CHECK(strcmp(name, "ana") == 0);
    CHECK_INT(vigil_user_create(st, NULL, "ana", "analyst", "EU", NULL, tok, &err), ==, VIGIL_EEXIST);
    CHECK_INT(tok[0], ==, '\0');
    CHECK_INT(vigil_user_create(st, NULL, "bob", "boss", "EU", NULL, tok, &err), ==, VIGIL_EPARSE);
    CHECK(strcmp(err.field, "role") == 0);
    json_t *users = NULL;
    CHECK_OK(vigil_user_list(st, NULL, &users, &err), &err);
    CHECK_INT(json_array_size(users), ==, 2); /* rev, ana: no bob */
    json_decref(users);
    json_t *chk = NULL;
    CHECK_OK(vigil_audit_check(st, NULL, &chk, &err), &err);
    CHECK(json_is_true(json_object_get(chk, "ok")));
    CHECK(json_is_string(json_object_get(chk, "head")));
    json_decref(chk);
    CHECK_INT(vigil_audit_check(st, "ana", &chk, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_audit_list(st, "rev", NULL, 0, 5, &chk, &err), ==, VIGIL_EPERM);
    vigil_store_close(st);
}

/* One clock: an injected clock stamps both the record and its audit event. */
static int64_t fixed_clock(void *ctx) { return *(int64_t *)ctx; }

static void test_one_clock(void) {
    vigil_err err;
    vigil_store *st = NULL;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    int64_t t = 1767225600; /* 2026-01-01T00:00:00Z */
    vigil_store_set_clock(st, fixed_clock, &t);
    CHECK_OK(vigil_agency_add(st, NULL, "EU", "", NULL, &err), &err);
    json_t *ev = NULL;
    CHECK_OK(vigil_audit_list(st, NULL, NULL, 0, 1, &ev, &err), &err);
    CHECK(strcmp(json_string_value(json_object_get(json_array_get(ev, 0), "at")),
                 "2026-01-01T00:00:00Z") == 0);
    json_decref(ev);
    json_t *ag = NULL;
    CHECK_OK(vigil_agency_list(st, NULL, &ag, &err), &err);
    const char *created = json_string_value(json_object_get(json_array_get(ag, 0), "created_at"));
    CHECK(created && strcmp(created, "2026-01-01T00:00:00Z") == 0);
    json_decref(ag);
    vigil_store_close(st);
}

/* The one growth rule: doubling from `first`, capped, overflow-safe. */
static void test_grow(void) {
    CHECK_INT(vigil__grow_cap(0, 1, 16, 0), ==, 16);
    CHECK_INT(vigil__grow_cap(16, 17, 16, 0), ==, 32);
    CHECK_INT(vigil__grow_cap(16, 100, 16, 0), ==, 128);
    CHECK_INT(vigil__grow_cap(16, 100, 16, 64), ==, 0); /* over the cap */
    CHECK_INT(vigil__grow_cap(16, 60, 16, 50), ==, 0);
    CHECK_INT(vigil__grow_cap(16, 40, 16, 50), ==, 50); /* doubling stops at the cap */
    CHECK_INT(vigil__grow_cap(SIZE_MAX / 2 + 2, SIZE_MAX, 1, 0), ==, SIZE_MAX);
    CHECK(vigil__realloc_n(NULL, SIZE_MAX / 2, 4) == NULL); /* n * elem overflows */
    void *p = vigil__realloc_n(NULL, 4, 8);
    CHECK(p != NULL);
    free(p);
}

const test_case suite_arch[] = {
    {"arch/grow_rule", test_grow},
    {"arch/state_table_in_docs", test_state_table_docs},
    {"arch/state_moves", test_state_moves},
    {"arch/reject_needs_note_in_library", test_reject_needs_note},
    {"arch/composite_calls", test_composites},
    {"arch/one_clock", test_one_clock},
    {NULL, NULL},
};
