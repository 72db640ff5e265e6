/*
 * tests/fixture.c - the case-store fixture the HTTP and the library rule
 * matrices share: agencies EU, DE, FR; a user per role; op1 (EU coordinates,
 * DE takes part) and op2 (FR) with items 1-3 and 4-6; item 1 referred to
 * Telegram, 5 and 6 referred, 3 assessed; holds of EU (1) and FR (2);
 * removal orders 1 (Telegram, item 1) and 2 (YouTube); the bank b1.
 */
#include <stdio.h>

#include "test.h"
#include "vigil/bank.h"
#include "vigil/case.h"

const char *const test_role_users[TEST_N_ROLES] = {NULL, "ana-eu", "rev-eu", "coord-eu", "tg", "admin"};

#define FX(call)                                                                                \
    do {                                                                                        \
        if ((call) != VIGIL_OK) {                                                               \
            fprintf(stderr, "fixture: %s: %s\n", #call, err.msg);                              \
            goto fail;                                                                          \
        }                                                                                       \
    } while (0)

int test_case_fixture(const char *path, char tokens[][VIGIL_TOKEN_LEN + 1]) {
    remove(path);
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(path, &st, &err) != VIGIL_OK) return -1;
    FX(vigil_agency_add(st, NULL, "EU", "", NULL, &err));
    FX(vigil_agency_add(st, NULL, "DE", "", "DE", &err));
    FX(vigil_agency_add(st, NULL, "FR", "", "FR", &err));
    FX(vigil_user_add(st, NULL, "ana-eu", "analyst", "EU", NULL, &err));
    FX(vigil_user_add(st, NULL, "rev-eu", "reviewer", "EU", NULL, &err));
    FX(vigil_user_add(st, NULL, "coord-eu", "coordinator", "EU", NULL, &err));
    FX(vigil_user_add(st, NULL, "tg", "liaison", NULL, "Telegram", &err));
    FX(vigil_user_add(st, NULL, "admin", "admin", "EU", NULL, &err));
    FX(vigil_user_add(st, NULL, "coord-fr", "coordinator", "FR", NULL, &err));
    FX(vigil_user_add(st, NULL, "ana-fr", "analyst", "FR", NULL, &err));
    for (int r = 1; r < TEST_N_ROLES; r++)
        FX(vigil_user_token_issue(st, NULL, test_role_users[r], tokens[r], &err));
    const char *de[] = {"DE"};
    FX(vigil_op_create(st, NULL, "op1", "EU", de, 1, NULL, NULL, &err));
    FX(vigil_op_create(st, NULL, "op2", "FR", NULL, 0, NULL, NULL, &err));
    const char *urls[] = {"https://t.me/chan/1", "https://youtu.be/EXAMPLE2", "https://x.com/i/status/3",
                          "https://t.me/chan/4", "https://t.me/chan/5", "https://youtu.be/EXAMPLE6"};
    const char *ops[] = {"op1", "op1", "op1", "op2", "op2", "op2"};
    const char *by[] = {"ana-eu", "ana-eu", "ana-eu", "ana-fr", "ana-fr", "ana-fr"};
    for (int i = 0; i < 6; i++) {
        vigil_item_input in = {.op = ops[i], .url = urls[i], .type = "post"};
        FX(vigil_item_add(st, by[i], &in, NULL, &err));
    }
    /* 1 (op1, Telegram) and 5, 6 (op2) referred; 3 assessed; 2 and 4 identified */
    for (int id = 1; id <= 6; id++)
        if (id != 2 && id != 4) FX(vigil_item_transition(st, NULL, id, "assessed", NULL, NULL, &err));
    json_t *docs = NULL;
    FX(vigil_refer(st, NULL, "op1", "Telegram", NULL, NULL, &docs, &err));
    json_decref(docs);
    FX(vigil_refer(st, NULL, "op2", NULL, NULL, NULL, &docs, &err));
    json_decref(docs);
    FX(vigil_hold_add(st, NULL, "EU", "prefix", "https://example.org/eu", NULL, "eu hold", NULL, &err));
    FX(vigil_hold_add(st, NULL, "FR", "prefix", "https://example.org/fr", NULL, "fr hold", NULL, &err));
    vigil_order_input o1 = {.authority = "EU", .item = 1};
    vigil_order_input o2 = {.authority = "EU", .url = "https://youtu.be/EXAMPLE2"};
    int64_t oid;
    FX(vigil_order_create(st, NULL, &o1, &oid, &err));
    FX(vigil_order_create(st, NULL, &o2, &oid, &err));
    FX(vigil_bank_create(st, "b1", VIGIL_BANK_NORMAL, -1, "test bank", NULL, &err));
    vigil_entry_spec e = {.signal = VIGIL_SIGNAL_PDQ,
                          .value = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22",
                          .labels = "entity=example"};
    FX(vigil_bank_add(st, "b1", &e, NULL, NULL, &err));
    vigil_store_close(st);
    return 0;
fail:
    vigil_store_close(st);
    return -1;
}

