/*
 * src/case/demo.c - a synthetic referral action day for demos and tests:
 * six agencies, their users, one operation, reports of placeholder URLs on
 * real platforms' domains (some under URL variants of the same item, some
 * on unknown domains), several languages, holds, referrals, outcomes,
 * removal orders, and re-uploads.  No real content: every handle and id
 * is made up ("examplechannel12").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"

#define DEMO_OP "demo-action-day"

static unsigned rnd(unsigned *s) {
    *s = *s * 1103515245u + 12345u;
    return (*s >> 8) & 0xffffff;
}

/* URL of unique item k in its canonical-ish form (variant 0) or a variant
 * that canonicalises to the same item (variant 1). */
static void item_url(unsigned k, int variant, char *out, size_t cap) {
    unsigned id = 100000 + k * 7;
    switch (k % 16) {
    case 0: snprintf(out, cap, variant ? "https://t.me/s/examplechannel%u/%u?utm_source=x" : "https://t.me/examplechannel%u/%u", k % 9, id); break;
    case 1: snprintf(out, cap, variant ? "https://youtu.be/EXAMPLE%06u?si=abc" : "https://www.youtube.com/watch?v=EXAMPLE%06u", id); break;
    case 2: snprintf(out, cap, variant ? "https://twitter.com/example_user%u/status/%u" : "https://x.com/example_user%u/status/%u", k % 5, id); break;
    case 3: snprintf(out, cap, variant ? "https://m.facebook.com/examplepage%u/posts/%u/?fbclid=1" : "https://www.facebook.com/examplepage%u/posts/%u", k % 7, id); break;
    case 4: snprintf(out, cap, variant ? "https://archive.org/details/example-%u/#top" : "https://archive.org/details/example-%u", id); break;
    case 5: snprintf(out, cap, variant ? "HTTPS://JustPaste.it/example%u" : "https://justpaste.it/example%u", id); break;
    case 6: snprintf(out, cap, "https://www.tiktok.com/@example%u/video/%u%s", k % 6, id, variant ? "?lang=en" : ""); break;
    case 7: snprintf(out, cap, "https://www.instagram.com/p/EXAMPLE%u/%s", id, variant ? "?igshid=zz" : ""); break;
    case 8: snprintf(out, cap, "https://rumble.com/vexample%u.html%s", id, variant ? "#x" : ""); break;
    case 9: snprintf(out, cap, "https://odysee.com/@example%u:1/clip%u%s", k % 4, id, variant ? "/" : ""); break;
    case 10: snprintf(out, cap, "%s://mega.nz/file/EXAMPLE%u", variant ? "http" : "https", id); break;
    case 11: snprintf(out, cap, "https://www.bitchute.com/video/EXAMPLE%u/%s", id, variant ? "?ref=demo" : ""); break;
    case 12: snprintf(out, cap, "https://vk.com/wall-%u_%u%s", k % 3 + 1, id, variant ? "?utm_medium=y" : ""); break;
    case 13: snprintf(out, cap, "https://%ssoundcloud.com/example%u/track-%u", variant ? "m." : "", k % 5, id); break;
    case 14: snprintf(out, cap, "https://telegra.ph/Example-%u%s", id, variant ? "?utm_campaign=z" : ""); break;
    default: /* a few unknown hosts: new platforms, as IRUs see them appear */
        snprintf(out, cap, "https://%s.example/%s/%u", (k / 16) % 3 == 0 ? "videos.newhost" : (k / 16) % 3 == 1 ? "files.otherhost" : "forum.thirdhost",
                 variant ? "item/" : "item", id);
        break;
    }
}

static const char *const type_of[16] = {"post", "video", "post", "post", "publication", "publication",
                                        "video", "image", "video", "video", "publication", "video",
                                        "post", "audio", "publication", "other"};

vigil_status vigil_demo(vigil_store *st, unsigned n_items, unsigned seed, vigil_err *err) {
    static const char *const agencies[][3] = {
        {"EU-IRU", "EU Internet Referral Unit (demo)", NULL}, {"DE-IRU", "German referral unit (demo)", "DE"},
        {"FR-IRU", "French referral unit (demo)", "FR"},     {"ES-IRU", "Spanish referral unit (demo)", "ES"},
        {"NL-IRU", "Dutch referral unit (demo)", "NL"},      {"IT-IRU", "Italian referral unit (demo)", "IT"},
    };
    static const char *const langs[] = {"ar", "en", "fr", "de", "ru", "tr", "ps", "so"};
    static const char *const affil[] = {"example-group-a", "example-group-b", "example-group-c"};
    static const char *const outlets[] = {"example-outlet-1", "example-outlet-2", "example-outlet-3",
                                          "example-outlet-4"};
    vigil_status rc = VIGIL_OK;
    if (n_items == 0) n_items = 400;
    if (n_items > 1000000) return vigil__err_set(err, VIGIL_ELIMIT, "demo: at most 1000000 items");
    int64_t exists;
    if (vigil__q_int(st, "SELECT id FROM operation WHERE name = ?1", &exists, NULL, "t", DEMO_OP) ==
        VIGIL_OK)
        return vigil__err_set(err, VIGIL_EEXIST,
                              "the store has the demo operation already (use a new store)");
    char names[6][32];
    for (size_t i = 0; i < 6 && rc == VIGIL_OK; i++) {
        rc = vigil_agency_add(st, NULL, agencies[i][0], agencies[i][1], agencies[i][2], err);
        snprintf(names[i], sizeof names[i], "analyst-%s", agencies[i][0]);
        for (char *p = names[i]; *p; p++)
            if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
        if (rc == VIGIL_OK) rc = vigil_user_add(st, NULL, names[i], "analyst", agencies[i][0], NULL, err);
    }
    if (rc == VIGIL_OK) rc = vigil_user_add(st, NULL, "coordinator-eu", "coordinator", "EU-IRU", NULL, err);
    if (rc == VIGIL_OK) rc = vigil_user_add(st, NULL, "reviewer-eu", "reviewer", "EU-IRU", NULL, err);
    if (rc == VIGIL_OK) rc = vigil_user_add(st, NULL, "admin", "admin", "EU-IRU", NULL, err);
    if (rc == VIGIL_OK) rc = vigil_user_add(st, NULL, "liaison-telegram", "liaison", NULL, "Telegram", err);
    if (rc == VIGIL_OK) rc = vigil_user_add(st, NULL, "liaison-youtube", "liaison", NULL, "YouTube", err);
    if (rc != VIGIL_OK) return rc;

    int64_t now = vigil__store_time(st);
    char t_start[VIGIL_TIME_LEN], t_end[VIGIL_TIME_LEN], t[VIGIL_TIME_LEN];
    vigil_time_format(now - 30 * 3600, t_start);
    vigil_time_format(now + 18 * 3600, t_end);
    const char *parts[] = {"DE-IRU", "FR-IRU", "ES-IRU", "NL-IRU", "IT-IRU"};
    rc = vigil_op_create(st, "coordinator-eu", DEMO_OP, "EU-IRU", parts, 5, t_start, t_end, err);
    if (rc == VIGIL_OK)
        rc = vigil_hold_add(st, names[1], "DE-IRU", "account", "Telegram:examplechannel3", NULL,
                            "ongoing investigation (demo)", NULL, err);
    if (rc == VIGIL_OK)
        rc = vigil_hold_add(st, names[2], "FR-IRU", "account", "X:example_user4", NULL,
                            "account under observation (demo)", NULL, err);
    if (rc != VIGIL_OK) return rc;

    /* the reports; a seventh are further reports of earlier items under URL variants */
    unsigned s = seed ? seed : 1;
    unsigned unique = n_items - n_items / 7;
    for (unsigned r = 0; r < n_items && rc == VIGIL_OK; r++) {
        unsigned k = r < unique ? r : rnd(&s) % unique;
        int variant = r >= unique;
        char url[256], hash[80];
        item_url(k, variant, url, sizeof url);
        const char *l[2] = {langs[rnd(&s) % 8], langs[k % 8]};
        vigil_time_format(now - 29 * 3600 + (int64_t)(r * 60) % (24 * 3600), t);
        const char *hashes[1] = {hash};
        /* the same content on several platforms (content clusters): every fifth
         * item is a copy of the one before, every 25th of the one two before */
        unsigned c = k % 25 == 2 ? k - 2 : k % 5 == 1 ? k - 1 : k;
        snprintf(hash, sizeof hash, "md5:%08x%08x%08x%08x", c * 2654435761u, c, ~c, c ^ 0x5a5a5a5au);
        vigil_item_input in = {
            .op = DEMO_OP,
            .url = url,
            .type = type_of[k % 16],
            .langs = l,
            .n_langs = rnd(&s) % 4 == 0 ? 2 : 1,
            .affiliation = affil[k % 3],
            .outlet = outlets[k % 4],
            .hashes = hashes,
            .n_hashes = 1,
            .observed_at = t,
            .analyst = names[rnd(&s) % 6],
        };
        vigil_item_result res;
        rc = vigil_item_add(st, NULL, &in, &res, err);
    }
    if (rc != VIGIL_OK) return rc;
    /* assessment: most are assessed, a few rejected */
    json_t *items = NULL;
    rc = vigil__q_json(st, "SELECT i.id FROM item i JOIN operation o ON o.id = i.operation_id "
                           "WHERE o.name = ?1 AND i.state = 'identified' ORDER BY i.id",
                       &items, err, "t", DEMO_OP);
    size_t k;
    json_t *row;
    vigil_time_format(now - 12 * 3600, t);
    json_array_foreach(items, k, row) {
        if (rc != VIGIL_OK) break;
        int64_t id = json_integer_value(json_object_get(row, "id"));
        rc = vigil_item_transition(st, "reviewer-eu", id, k % 23 == 5 ? "rejected" : "assessed", t,
                                   k % 23 == 5 ? "below the threshold (demo)" : NULL, err);
    }
    json_decref(items);
    /* referral to every platform, then the platforms' answers */
    json_t *docs = NULL;
    vigil_time_format(now - 10 * 3600, t);
    if (rc == VIGIL_OK) rc = vigil_refer(st, "coordinator-eu", DEMO_OP, NULL, NULL, t, &docs, err);
    json_decref(docs);
    items = NULL;
    if (rc == VIGIL_OK)
        rc = vigil__q_json(st, "SELECT i.id FROM item i JOIN operation o ON o.id = i.operation_id "
                               "WHERE o.name = ?1 AND i.state = 'referred' ORDER BY i.id",
                           &items, err, "t", DEMO_OP);
    json_array_foreach(items, k, row) {
        if (rc != VIGIL_OK) break;
        unsigned x = rnd(&s) % 100;
        if (x >= 92) continue; /* still pending */
        vigil_time_format(now - 10 * 3600 + 300 + (int64_t)(rnd(&s) % (8 * 3600)), t);
        rc = vigil_outcome(st, "coordinator-eu", json_integer_value(json_object_get(row, "id")),
                           x < 78 ? "removed" : x < 86 ? "declined" : "no_response", t, err);
    }
    json_decref(items);
    /* re-uploads: removed content back under the same URL, and by its hash elsewhere */
    if (rc == VIGIL_OK) {
        json_t *gone = NULL;
        rc = vigil__q_json(st, "SELECT i.id, i.canonical_url, h.value FROM item i JOIN item_hash h "
                               "ON h.item_id = i.id WHERE i.state = 'removed' ORDER BY i.id LIMIT 3",
                           &gone, err, "");
        json_array_foreach(gone, k, row) {
            if (rc != VIGIL_OK) break;
            char url[300], hash[80];
            if (k == 0)
                snprintf(url, sizeof url, "%s", json_string_value(json_object_get(row, "canonical_url")));
            else
                snprintf(url, sizeof url, "https://pixeldrain.com/u/EXAMPLE-REUP%zu", k);
            snprintf(hash, sizeof hash, "md5:%s", json_string_value(json_object_get(row, "value")));
            const char *hashes[1] = {hash};
            const char *l[1] = {"ar"};
            vigil_item_input in = {.op = DEMO_OP, .url = url, .type = "video", .langs = l,
                                   .n_langs = 1, .hashes = hashes, .n_hashes = 1,
                                   .analyst = names[3]};
            rc = vigil_item_add(st, NULL, &in, NULL, err);
        }
        json_decref(gone);
    }
    /* removal orders: one actioned in time, one open with time left, one
     * overdue, one not acted on */
    vigil_order_input o = {.authority = "DE-IRU", .url = "https://t.me/examplechannel7/424242"};
    int64_t oid;
    vigil_time_format(now - 5 * 3600, t);
    o.received = t;
    if (rc == VIGIL_OK) rc = vigil_order_create(st, "coordinator-eu", &o, &oid, err);
    vigil_time_format(now - 5 * 3600 + 35 * 60, t);
    if (rc == VIGIL_OK) rc = vigil_order_update(st, "liaison-telegram", oid, "done", NULL, t, err);
    char t2[VIGIL_TIME_LEN];
    vigil_time_format(now - 20 * 60, t2);
    o = (vigil_order_input){.authority = "FR-IRU", .url = "https://www.youtube.com/watch?v=EXAMPLEORD1",
                            .received = t2};
    if (rc == VIGIL_OK) rc = vigil_order_create(st, "coordinator-eu", &o, &oid, err);
    vigil_time_format(now - 2 * 3600, t2);
    o = (vigil_order_input){.authority = "ES-IRU", .url = "https://x.com/example_user9/status/1", .received = t2};
    if (rc == VIGIL_OK) rc = vigil_order_create(st, "coordinator-eu", &o, &oid, err);
    o = (vigil_order_input){.authority = "NL-IRU", .url = "https://mega.nz/file/EXAMPLEORD2", .received = t2};
    if (rc == VIGIL_OK) rc = vigil_order_create(st, "coordinator-eu", &o, &oid, err);
    vigil_time_format(now - 2 * 3600 + 50 * 60, t2);
    if (rc == VIGIL_OK)
        rc = vigil_order_update(st, "coordinator-eu", oid, "fail", "insufficient_information", t2, err);
    return rc;
}
