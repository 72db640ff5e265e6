/*
 * tests/test_case.c - the referral case store: times, actors, operations,
 * intake and deduplication, new platforms, holds, referrals, outcomes,
 * re-uploads, removal orders, statistics (exact figures), CSV import, the
 * role checks, and the audit chain under tampering.
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "test.h"
#include "vidgen.h"
#include "vigil/case.h"
#include "vigil/video.h"

/* ---- fixture --------------------------------------------------------------------- */

/* A store with agencies EU (coordinator), DE (participant), FR (not taking
 * part); users per role; operation "op1" (EU + DE). */
static vigil_store *fixture(void) {
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(test_db(), &st, &err) != VIGIL_OK) return NULL;
    const char *ag[][2] = {{"EU", NULL}, {"DE", "DE"}, {"FR", "fr"}};
    int ok = 1;
    for (int i = 0; i < 3; i++) ok &= vigil_agency_add(st, NULL, ag[i][0], "", ag[i][1], &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "ana-eu", "analyst", "EU", NULL, &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "ana-de", "analyst", "DE", NULL, &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "ana-fr", "analyst", "FR", NULL, &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "rev-eu", "reviewer", "EU", NULL, &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "coord-eu", "coordinator", "EU", NULL, &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "coord-de", "coordinator", "DE", NULL, &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "tg", "liaison", NULL, "Telegram", &err) == VIGIL_OK;
    ok &= vigil_user_add(st, NULL, "yt", "liaison", NULL, "youtube.com", &err) == VIGIL_OK;
    const char *parts[] = {"DE"};
    ok &= vigil_op_create(st, "coord-eu", "op1", "EU", parts, 1, "2026-01-10T08:00Z",
                          "2026-01-12T08:00+00:00", &err) == VIGIL_OK;
    if (!ok) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        vigil_store_close(st);
        return NULL;
    }
    return st;
}

static vigil_status add(vigil_store *st, const char *by, const char *url, const char *lang,
                        vigil_item_result *res, vigil_err *err) {
    const char *langs[1] = {lang};
    vigil_item_input in = {.op = "op1", .url = url, .type = "video", .langs = langs,
                           .n_langs = lang ? 1 : 0};
    return vigil_item_add(st, by, &in, res, err);
}

static int64_t count(vigil_store *st, const char *what) {
    json_t *v = NULL;
    int64_t n = -1;
    if (strcmp(what, "items") == 0) {
        vigil_item_filter f = {.limit = 10000};
        if (vigil_item_list(st, NULL, &f, &v, NULL) == VIGIL_OK)
            n = (int64_t)json_array_size(json_object_get(v, "items"));
    } else if (strcmp(what, "audit") == 0) {
        int64_t bad;
        if (vigil_audit_verify(st, NULL, &n, &bad, NULL) != VIGIL_OK) n = -1;
    }
    json_decref(v);
    return n;
}

static const char *state_of(vigil_store *st, int64_t id, char buf[32]) {
    json_t *v = NULL;
    buf[0] = '\0';
    if (vigil_item_show(st, NULL, id, &v, NULL) == VIGIL_OK)
        snprintf(buf, 32, "%s", json_string_value(json_object_get(v, "state")));
    json_decref(v);
    return buf;
}

/* ---- tests --------------------------------------------------------------------------- */

static void test_time(void) {
    int64_t t;
    vigil_err err;
    char buf[VIGIL_TIME_LEN];
    CHECK_OK(vigil_time_parse("2024-05-01T14:30:00Z", &t, &err), &err);
    vigil_time_format(t, buf);
    CHECK_STR(buf, "2024-05-01T14:30:00Z");
    CHECK_OK(vigil_time_parse("2024-05-01T16:30+02:00", &t, &err), &err);
    vigil_time_format(t, buf);
    CHECK_STR(buf, "2024-05-01T14:30:00Z");
    CHECK_OK(vigil_time_parse("2024-05-01 09:30:00.123-0500", &t, &err), &err);
    vigil_time_format(t, buf);
    CHECK_STR(buf, "2024-05-01T14:30:00Z");
    CHECK_OK(vigil_time_parse("2024-02-29", &t, &err), &err);
    vigil_time_format(t, buf);
    CHECK_STR(buf, "2024-02-29T00:00:00Z");
    const char *bad[] = {"", "2024", "2023-02-29", "2024-13-01", "2024-05-01T25:00", "2024-05-01T10:00Zx",
                         "yesterday", "2024-05-01T10:00+15:00", "2024-05-01T"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CHECK_INT(vigil_time_parse(bad[i], &t, &err), ==, VIGIL_EPARSE);
}

static void test_actors(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    CHECK_INT(vigil_agency_add(st, NULL, "eu", "", NULL, &err), ==, VIGIL_EEXIST);
    CHECK_INT(vigil_agency_add(st, NULL, "bad code", "", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_agency_add(st, NULL, "XX", "", "Germany", &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_agency_add(st, "ana-eu", "NEW", "", NULL, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_user_add(st, NULL, "x", "boss", "EU", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_user_add(st, NULL, "x", "analyst", NULL, "Telegram", &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_user_add(st, NULL, "x", "liaison", "EU", NULL, &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_user_add(st, NULL, "x", "analyst", "EU", "Telegram", &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_user_add(st, NULL, "x", "liaison", NULL, "NoSuchPlatform", &err), ==, VIGIL_ENOENT);
    CHECK_INT(vigil_user_add(st, NULL, "ana-eu", "analyst", "EU", NULL, &err), ==, VIGIL_EEXIST);
    CHECK_INT(vigil_user_add(st, "nobody", "x", "analyst", "EU", NULL, &err), ==, VIGIL_ENOENT);
    /* operations */
    const char *parts[] = {"FR"};
    CHECK_INT(vigil_op_create(st, "coord-eu", "op1", "EU", NULL, 0, NULL, NULL, &err), ==, VIGIL_EEXIST);
    CHECK_INT(vigil_op_create(st, "ana-eu", "op2", "EU", NULL, 0, NULL, NULL, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_op_create(st, "coord-de", "op2", "EU", NULL, 0, NULL, NULL, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_op_create(st, NULL, "op2", "EU", parts, 1, "2026-01-02", "2026-01-01", &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_op_create(st, NULL, "op2", "EU", parts, 1, "soon", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_op_create(st, NULL, "op2", "ZZ", parts, 1, NULL, NULL, &err), ==, VIGIL_ENOENT);
    json_t *v = NULL;
    CHECK_OK(vigil_op_show(st, "ana-de", "op1", &v, &err), &err);
    CHECK_STR(json_string_value(json_object_get(v, "start")), "2026-01-10T08:00:00Z");
    CHECK_INT(json_array_size(json_object_get(v, "participants")), ==, 2);
    json_decref(v);
    CHECK_INT(vigil_op_show(st, "ana-fr", "op1", &v, &err), ==, VIGIL_EPERM);
    CHECK_OK(vigil_op_list(st, "ana-fr", &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 0); /* FR sees no operation */
    json_decref(v);
    CHECK_OK(vigil_op_list(st, "ana-de", &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 1);
    json_decref(v);
    vigil_store_close(st);
}

static void test_dedup(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r1, r2;
    /* the same video under five URLs, reported by two agencies */
    CHECK_OK(add(st, "ana-eu", "https://www.youtube.com/watch?v=EXAMPLE0001", "ar", &r1, &err), &err);
    CHECK_INT(r1.created, ==, 1);
    CHECK_STR(r1.state, "identified");
    const char *variants[] = {"https://youtu.be/EXAMPLE0001?si=tracking",
                              "https://m.youtube.com/shorts/EXAMPLE0001",
                              "http://youtube.com/watch?feature=share&v=EXAMPLE0001#t=1",
                              "HTTPS://WWW.YOUTUBE.COM:443/watch?v=EXAMPLE0001&utm_source=x"};
    for (size_t i = 0; i < 4; i++) {
        CHECK_OK(add(st, i % 2 ? "ana-eu" : "ana-de", variants[i], i == 0 ? "en" : "ar", &r2, &err), &err);
        CHECK_INT(r2.created, ==, 0);
        CHECK_INT(r2.id, ==, r1.id);
    }
    /* other platforms' alternate forms */
    struct {
        const char *a, *b;
    } pairs[] = {
        {"https://twitter.com/ExampleUser/status/123", "https://x.com/exampleuser/status/123?s=20"},
        {"https://t.me/s/examplechannel/45", "https://t.me/examplechannel/45"},
        {"https://fb.com/examplepage/posts/9", "https://www.facebook.com/examplepage/posts/9/?fbclid=z"},
    };
    for (size_t i = 0; i < 3; i++) {
        CHECK_OK(add(st, "ana-eu", pairs[i].a, NULL, &r1, &err), &err);
        CHECK_OK(add(st, "ana-de", pairs[i].b, NULL, &r2, &err), &err);
        CHECK_INT(r1.created, ==, 1);
        CHECK_INT(r2.created, ==, 0);
        CHECK_INT(r2.id, ==, r1.id);
    }
    CHECK_INT(count(st, "items"), ==, 4);
    json_t *v = NULL;
    CHECK_OK(vigil_item_show(st, NULL, 1, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "reports")), ==, 5);
    CHECK_INT(json_array_size(json_object_get(v, "urls")), ==, 5);
    CHECK_INT(json_array_size(json_object_get(v, "languages")), ==, 2);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(v, "reports"), 1), "agency")), "DE");
    CHECK_STR(json_string_value(json_object_get(v, "platform")), "YouTube");
    json_decref(v);
    vigil_store_close(st);
}

static void test_intake_errors(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    CHECK_OK(add(st, "ana-eu", "https://t.me/examplechannel/1", "ar", &r, &err), &err);
    int64_t events = count(st, "audit");
    CHECK_INT(add(st, "ana-eu", "ftp://example.org/x", NULL, &r, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "url"));
    CHECK_INT(add(st, "ana-eu", "not a url at all", NULL, &r, &err), ==, VIGIL_EPARSE);
    CHECK_INT(add(st, "ana-eu", "https://t.me/examplechannel/2", "xx", &r, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "language"));
    vigil_item_input in = {.op = "op1", .url = "https://t.me/examplechannel/3", .type = "movie"};
    CHECK_INT(vigil_item_add(st, "ana-eu", &in, &r, &err), ==, VIGIL_EPARSE);
    in.type = "video";
    const char *h[] = {"pdq:1234"};
    in.hashes = h, in.n_hashes = 1;
    CHECK_INT(vigil_item_add(st, "ana-eu", &in, &r, &err), ==, VIGIL_EPARSE);
    in.n_hashes = 0;
    in.op = "nope";
    CHECK_INT(vigil_item_add(st, "ana-eu", &in, &r, &err), ==, VIGIL_ENOENT);
    in.op = "op1";
    CHECK_INT(vigil_item_add(st, "ana-fr", &in, &r, &err), ==, VIGIL_EPERM); /* FR not in op1 */
    CHECK_INT(vigil_item_add(st, "tg", &in, &r, &err), ==, VIGIL_EPERM);     /* a platform */
    in.analyst = "ana-de";
    CHECK_INT(vigil_item_add(st, "ana-eu", &in, &r, &err), ==, VIGIL_EPERM); /* not on behalf */
    in.observed_at = "2026-99-01";
    in.analyst = NULL;
    CHECK_INT(vigil_item_add(st, "ana-eu", &in, &r, &err), ==, VIGIL_EPARSE);
    /* nothing changed */
    CHECK_INT(count(st, "items"), ==, 1);
    CHECK_INT(count(st, "audit"), ==, events);
    /* transitions */
    CHECK_INT(vigil_item_transition(st, "ana-eu", r.id ? r.id : 1, "assessed", NULL, NULL, &err), ==, VIGIL_EPERM);
    CHECK_OK(vigil_item_transition(st, "rev-eu", 1, "assessed", NULL, NULL, &err), &err);
    CHECK_INT(vigil_item_transition(st, "rev-eu", 1, "identified", NULL, NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_item_transition(st, "rev-eu", 1, "removed", NULL, NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_item_transition(st, "rev-eu", 99, "assessed", NULL, NULL, &err), ==, VIGIL_ENOENT);
    /* a closed operation takes no new items */
    CHECK_OK(vigil_op_close(st, "coord-eu", "op1", &err), &err);
    in.observed_at = NULL;
    CHECK_INT(vigil_item_add(st, "ana-eu", &in, &r, &err), ==, VIGIL_ECONFLICT);
    vigil_store_close(st);
}

static void test_new_platform(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    CHECK_OK(add(st, "ana-eu", "https://www.videos.newhost.example/v/1", NULL, &r, &err), &err);
    CHECK_OK(add(st, "ana-eu", "https://cdn.videos.newhost.example/v/2", NULL, &r, &err), &err);
    json_t *v = NULL;
    CHECK_OK(vigil_platform_list(st, NULL, 1, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 1);
    CHECK_STR(json_string_value(json_object_get(json_array_get(v, 0), "name")), "videos.newhost.example");
    CHECK_STR(json_string_value(json_object_get(json_array_get(v, 0), "status")), "new");
    CHECK_INT(json_integer_value(json_object_get(json_array_get(v, 0), "items")), ==, 2);
    json_decref(v);
    CHECK_OK(vigil_platform_list(st, NULL, 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), >=, 61); /* the registry + the new one */
    json_decref(v);
    vigil_platform_fields f = {"video", "newhost-mirror.example", "abuse@newhost.example", "email", 0, "known"};
    CHECK_OK(vigil_platform_edit(st, "coord-eu", "videos.newhost.example", &f, &err), &err);
    CHECK_OK(vigil_platform_list(st, NULL, 1, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 0);
    json_decref(v);
    CHECK_OK(add(st, "ana-eu", "https://newhost-mirror.example/v/3", NULL, &r, &err), &err);
    CHECK_OK(vigil_item_show(st, NULL, r.id, &v, &err), &err);
    CHECK_STR(json_string_value(json_object_get(v, "platform")), "videos.newhost.example");
    json_decref(v);
    vigil_platform_fields g = {"video", "youtube.com", NULL, NULL, -1, NULL};
    CHECK_INT(vigil_platform_add(st, "coord-eu", "Clone", &g, &err), ==, VIGIL_EEXIST);
    CHECK_INT(vigil_platform_add(st, "ana-eu", "Other", NULL, &err), ==, VIGIL_EPERM);
    g.kind = "spaceship";
    CHECK_INT(vigil_platform_add(st, "coord-eu", "Other", &g, &err), ==, VIGIL_EPARSE);
    vigil_store_close(st);
}

static void test_holds(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    char buf[32];
    int64_t h1, h2;
    /* DE holds a Telegram channel: new items there are held at intake */
    CHECK_OK(vigil_hold_add(st, "ana-de", "DE", "account", "Telegram:@ExampleChannel", NULL,
                            "investigation 17", &h1, &err), &err);
    CHECK_OK(add(st, "ana-eu", "https://t.me/s/examplechannel/10", "ar", &r, &err), &err);
    CHECK_INT(r.held, ==, 1);
    CHECK_STR(r.state, "held");
    int64_t held_item = r.id;
    CHECK_INT(vigil_item_transition(st, "rev-eu", held_item, "assessed", NULL, NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK(strstr(err.msg, "held"));
    /* a hold on a URL prefix added later holds existing items */
    CHECK_OK(add(st, "ana-eu", "https://archive.org/details/example-a/file1", NULL, &r, &err), &err);
    CHECK_OK(vigil_item_transition(st, "rev-eu", r.id, "assessed", NULL, NULL, &err), &err);
    CHECK_OK(vigil_hold_add(st, "ana-eu", "EU", "prefix", "https://www.archive.org/details/example-a",
                            NULL, "check", &h2, &err), &err);
    CHECK_STR(state_of(st, r.id, buf), "held");
    /* an unrelated item with a similar prefix is not held */
    vigil_item_result r2;
    CHECK_OK(add(st, "ana-eu", "https://archive.org/details/example-ab", NULL, &r2, &err), &err);
    CHECK_STR(r2.state, "identified");
    /* bad holds */
    CHECK_INT(vigil_hold_add(st, "ana-de", "EU", "prefix", "https://x.com/a", NULL, "r", NULL, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_hold_add(st, NULL, "EU", "prefix", "mailto:x", NULL, "r", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_hold_add(st, NULL, "EU", "account", "nocolon", NULL, "r", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_hold_add(st, NULL, "EU", "hash", "pdq:zz", NULL, "r", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_hold_add(st, NULL, "EU", "prefix", "https://x.com/a", NULL, "", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_hold_add(st, NULL, "EU", "prefix", "https://x.com/a", "2001-01-01", "r", NULL, &err), ==, VIGIL_EINVAL);
    /* release: only the holding agency or an admin */
    int64_t events = count(st, "audit");
    CHECK_INT(vigil_hold_release(st, "ana-eu", h1, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_hold_release(st, "coord-eu", h1, &err), ==, VIGIL_EPERM);
    CHECK_INT(count(st, "audit"), ==, events);
    CHECK_STR(state_of(st, held_item, buf), "held");
    CHECK_OK(vigil_hold_release(st, "ana-de", h1, &err), &err);
    CHECK_STR(state_of(st, held_item, buf), "identified");
    CHECK_INT(vigil_hold_release(st, "ana-de", h1, &err), ==, VIGIL_ECONFLICT);
    CHECK_OK(vigil_hold_release(st, NULL, h2, &err), &err); /* admin */
    CHECK_STR(state_of(st, r.id, buf), "assessed");        /* back where it was */
    /* hash holds: PDQ within 31 bits */
    const char pdq[] = "pdq:f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    const char near[] = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b2d";
    CHECK_OK(vigil_hold_add(st, "ana-de", "DE", "hash", pdq, NULL, "content", NULL, &err), &err);
    const char *hs[] = {near};
    vigil_item_input in = {.op = "op1", .url = "https://rumble.com/vexample1.html", .hashes = hs, .n_hashes = 1};
    CHECK_OK(vigil_item_add(st, "ana-eu", &in, &r, &err), &err);
    CHECK_STR(r.state, "held");
    json_t *v = NULL;
    CHECK_OK(vigil_hold_list(st, "ana-de", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 1); /* DE's active hold */
    json_decref(v);
    CHECK_OK(vigil_hold_list(st, NULL, 1, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 3);
    json_decref(v);
    vigil_store_close(st);
}

/* Items on two platforms, assessed, referred, answered. */
static void test_refer_outcome_reupload(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r[4];
    const char *urls[] = {"https://t.me/examplechannel/1", "https://t.me/examplechannel/2",
                          "https://youtu.be/EXAMPLE0002", "https://t.me/otherchannel/3"};
    const char *md5 = "md5:0123456789abcdef0123456789abcdef";
    for (int i = 0; i < 4; i++) {
        const char *hs[] = {md5};
        vigil_item_input in = {.op = "op1", .url = urls[i], .hashes = hs, .n_hashes = i == 0};
        CHECK_OK(vigil_item_add(st, "ana-eu", &in, &r[i], &err), &err);
        CHECK_OK(vigil_item_transition(st, "rev-eu", r[i].id, "assessed", NULL, NULL, &err), &err);
    }
    /* a hold arriving after assessment is caught at referral */
    CHECK_OK(vigil_hold_add(st, "ana-de", "DE", "account", "Telegram:otherchannel", NULL, "late",
                            NULL, &err), &err);
    json_t *docs = NULL;
    CHECK_INT(vigil_outcome(st, "coord-eu", r[0].id, "removed", NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_refer(st, "ana-eu", "op1", NULL, NULL, NULL, &docs, &err), ==, VIGIL_EPERM);
    CHECK_OK(vigil_refer(st, "coord-eu", "op1", NULL, NULL, "2026-01-10T12:00:00Z", &docs, &err), &err);
    CHECK_INT(json_array_size(docs), ==, 2);
    json_t *tg = json_array_get(docs, 0);
    CHECK_STR(json_string_value(json_object_get(tg, "platform")), "Telegram");
    CHECK_INT(json_array_size(json_object_get(tg, "items")), ==, 2); /* the third is held */
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(tg, "items"), 0), "url")), urls[0]);
    json_decref(docs);
    char buf[32];
    CHECK_STR(state_of(st, r[3].id, buf), "held");
    CHECK_OK(vigil_refer(st, "coord-eu", "op1", NULL, NULL, NULL, &docs, &err), &err);
    CHECK_INT(json_array_size(docs), ==, 0); /* nothing left to refer */
    json_decref(docs);
    /* outcomes: a liaison only for their platform */
    CHECK_INT(vigil_outcome(st, "yt", r[0].id, "removed", NULL, &err), ==, VIGIL_ENOENT);
    CHECK_INT(vigil_outcome(st, "tg", r[0].id, "gone", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_outcome(st, "tg", r[0].id, "removed", "2026-01-10T11:00:00Z", &err), ==, VIGIL_EINVAL);
    CHECK_OK(vigil_outcome(st, "tg", r[0].id, "removed", "2026-01-10T12:20:00Z", &err), &err);
    CHECK_OK(vigil_outcome(st, "tg", r[1].id, "no_response", "2026-01-11T12:00:00Z", &err), &err);
    CHECK_OK(vigil_outcome(st, "tg", r[1].id, "removed", "2026-01-11T13:00:00Z", &err), &err);
    CHECK_OK(vigil_outcome(st, "yt", r[2].id, "declined", "2026-01-10T13:00:00Z", &err), &err);
    CHECK_INT(vigil_outcome(st, "tg", r[0].id, "declined", NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_item_transition(st, "rev-eu", r[0].id, "assessed", NULL, NULL, &err), ==, VIGIL_ECONFLICT);
    /* re-uploads: the same URL after removal, and the same content elsewhere */
    vigil_item_result again;
    CHECK_OK(add(st, "ana-de", "https://t.me/s/examplechannel/1", NULL, &again, &err), &err);
    CHECK_INT(again.created, ==, 1);
    CHECK_INT(again.reupload_of, ==, r[0].id);
    const char *hs[] = {"MD5:0123456789ABCDEF0123456789ABCDEF"};
    vigil_item_input in = {.op = "op1", .url = "https://mega.nz/file/EXAMPLE9", .hashes = hs, .n_hashes = 1};
    CHECK_OK(vigil_item_add(st, "ana-de", &in, &again, &err), &err);
    CHECK_INT(again.reupload_of, ==, r[0].id);
    json_t *v = NULL;
    CHECK_OK(vigil_item_show(st, "ana-eu", r[0].id, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "reuploads")), ==, 2);
    CHECK_INT(json_array_size(json_object_get(v, "history")), ==, 4);
    json_decref(v);
    /* tenancy: a liaison sees only items referred to their platform */
    CHECK_OK(vigil_item_show(st, "tg", r[0].id, &v, &err), &err);
    json_decref(v);
    CHECK_INT(vigil_item_show(st, "tg", r[2].id, &v, &err), ==, VIGIL_ENOENT);
    vigil_item_filter f = {0};
    CHECK_OK(vigil_item_list(st, "yt", &f, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "items")), ==, 1);
    json_decref(v);
    CHECK_INT(vigil_item_show(st, "ana-fr", r[0].id, &v, &err), ==, VIGIL_ENOENT);

    /* the figures, exactly */
    json_t *rep = NULL;
    CHECK_OK(vigil_report_op(st, "coord-de", "op1", &rep, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(rep, "items")), ==, 6);
    CHECK_INT(json_integer_value(json_object_get(rep, "platforms")), ==, 3);
    CHECK_INT(json_integer_value(json_object_get(rep, "referred")), ==, 3);
    CHECK_INT(json_integer_value(json_object_get(rep, "removed")), ==, 2);
    CHECK_INT(json_integer_value(json_object_get(rep, "declined")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(rep, "reuploads")), ==, 2);
    CHECK_INT(json_integer_value(json_object_get(rep, "held")), ==, 1);
    CHECK(json_real_value(json_object_get(rep, "removal_rate")) > 0.666 &&
          json_real_value(json_object_get(rep, "removal_rate")) < 0.667);
    /* removal times 1200 s and 90000 s: median their mean, p90 the larger */
    CHECK_INT(json_integer_value(json_object_get(rep, "median_removal_seconds")), ==, 45600);
    CHECK_INT(json_integer_value(json_object_get(rep, "p90_removal_seconds")), ==, 90000);
    /* by whole hours: 1200 s in hour 0, 90000 s (25 h) in hour 25 */
    json_t *byh = json_object_get(rep, "removals_by_hour");
    CHECK_INT(json_array_size(byh), ==, 26);
    CHECK_INT(json_integer_value(json_array_get(byh, 0)), ==, 1);
    CHECK_INT(json_integer_value(json_array_get(byh, 1)), ==, 0);
    CHECK_INT(json_integer_value(json_array_get(byh, 25)), ==, 1);
    json_decref(rep);
    CHECK_INT(vigil_report_op(st, "ana-fr", "op1", &rep, &err), ==, VIGIL_EPERM);
    vigil_store_close(st);
}

static void test_orders(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    CHECK_OK(add(st, "ana-eu", "https://t.me/examplechannel/77", NULL, &r, &err), &err);
    setenv("VIGIL_NOW", "2026-01-10T10:30:00Z", 1);
    int64_t o1, o2, o3;
    vigil_order_input in = {.authority = "DE", .item = r.id, .received = "2026-01-10T11:00+01:00"};
    CHECK_OK(vigil_order_create(st, "coord-de", &in, &o1, &err), &err);
    vigil_order_input in2 = {.authority = "EU", .url = "https://youtu.be/EXAMPLEORD", .received = "2026-01-10T10:00:00Z"};
    CHECK_OK(vigil_order_create(st, "coord-eu", &in2, &o2, &err), &err);
    vigil_order_input in3 = {.authority = "EU", .url = "https://unknown.example/x"};
    CHECK_INT(vigil_order_create(st, "coord-eu", &in3, &o3, &err), ==, VIGIL_EINVAL);
    in3.platform = "MEGA";
    CHECK_OK(vigil_order_create(st, "coord-eu", &in3, &o3, &err), &err);
    int64_t o4;
    CHECK_INT(vigil_order_create(st, "ana-eu", &in2, &o4, &err), ==, VIGIL_EPERM);
    json_t *v = NULL;
    CHECK_OK(vigil_order_list(st, NULL, 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 3);
    json_t *first = json_array_get(v, 0); /* sorted by deadline: o1 (10:00Z + 1 h) */
    CHECK_INT(json_integer_value(json_object_get(first, "id")), ==, o1);
    CHECK_STR(json_string_value(json_object_get(first, "deadline_at")), "2026-01-10T11:00:00Z");
    CHECK_INT(json_integer_value(json_object_get(first, "seconds_left")), ==, 1800);
    CHECK(json_is_false(json_object_get(first, "overdue")));
    json_decref(v);
    setenv("VIGIL_NOW", "2026-01-10T11:20:00Z", 1);
    CHECK_OK(vigil_order_list(st, NULL, 1, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 2); /* o1, o2 past their deadline */
    CHECK_INT(json_integer_value(json_object_get(json_array_get(v, 0), "seconds_left")), ==, -1200);
    json_decref(v);
    /* liaison of another platform cannot touch it */
    CHECK_INT(vigil_order_update(st, "yt", o1, "ack", NULL, NULL, &err), ==, VIGIL_ENOENT);
    CHECK_OK(vigil_order_update(st, "tg", o1, "ack", NULL, "2026-01-10T10:05:00Z", &err), &err);
    CHECK_INT(vigil_order_update(st, "tg", o1, "ack", NULL, NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_order_update(st, "tg", o1, "done", NULL, "2026-01-10T09:00:00Z", &err), ==, VIGIL_EINVAL);
    CHECK_OK(vigil_order_update(st, "tg", o1, "done", NULL, "2026-01-10T10:40:00Z", &err), &err);
    char buf[32];
    CHECK_STR(state_of(st, r.id, buf), "removed");
    CHECK_INT(vigil_order_update(st, "tg", o1, "done", NULL, NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_order_update(st, "yt", o2, "fail", "because", NULL, &err), ==, VIGIL_EPARSE);
    CHECK_OK(vigil_order_update(st, "yt", o2, "done", NULL, "2026-01-10T11:30:00Z", &err), &err); /* late */
    CHECK_OK(vigil_order_update(st, NULL, o3, "fail", "manifest_error", NULL, &err), &err);
    CHECK_OK(vigil_order_list(st, NULL, 0, &v, &err), &err);
    CHECK(json_is_true(json_object_get(json_array_get(v, 1), "late")));
    json_decref(v);
    json_t *tco = NULL;
    CHECK_OK(vigil_report_tco(st, NULL, 2026, &tco, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(tco, "orders_received")), ==, 3);
    CHECK_INT(json_integer_value(json_object_get(tco, "orders_acted_on")), ==, 2);
    CHECK_INT(json_integer_value(json_object_get(tco, "acted_on_within_one_hour")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(tco, "acted_on_late")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(tco, "orders_not_acted_on")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(json_object_get(tco, "not_acted_on_reasons"), "manifest_error")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(tco, "items_removed")), ==, 1);
    json_decref(tco);
    CHECK_OK(vigil_report_tco(st, NULL, 2025, &tco, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(tco, "orders_received")), ==, 0);
    json_decref(tco);
    unsetenv("VIGIL_NOW");
    vigil_store_close(st);
}

static void test_import(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    const char *good =
        "url,type,language,affiliation,outlet,observed_at,analyst\n"
        "https://t.me/examplechannel/1,post,ar;en,group-a,outlet-1,2026-01-10T09:00Z,ana-eu\n"
        "https://t.me/s/examplechannel/1,post,fr,,,,ana-de\n"
        "\"https://youtu.be/EXAMPLE0003\",video,so,group-b,outlet-2,,ana-de\n";
    FILE *fp = fmemopen((void *)good, strlen(good), "r");
    vigil_item_import_stats s;
    CHECK_OK(vigil_item_import(st, NULL, "op1", fp, NULL, &s, &err), &err);
    fclose(fp);
    CHECK_INT(s.rows, ==, 3);
    CHECK_INT(s.created, ==, 2);
    CHECK_INT(s.merged, ==, 1);
    json_t *v = NULL;
    CHECK_OK(vigil_item_show(st, NULL, 1, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "languages")), ==, 3);
    CHECK_STR(json_string_value(json_object_get(v, "agency")), "EU");
    json_decref(v);
    /* bad rows: reported by line, nothing imported */
    const char *bad =
        "analyst,url,language\n"
        "ana-eu,https://t.me/examplechannel/5,ar\n"
        "ana-eu,notaurl,ar\n"
        "ana-eu,https://t.me/examplechannel/6,klingon\n"
        "nobody,https://t.me/examplechannel/7,ar\n"
        "ana-fr,https://t.me/examplechannel/8,ar\n";
    vigil_item_import_opts o = {0};
    int64_t before = count(st, "items"), events = count(st, "audit");
    fp = fmemopen((void *)bad, strlen(bad), "r");
    CHECK_INT(vigil_item_import(st, NULL, "op1", fp, &o, &s, &err), ==, VIGIL_EPARSE);
    fclose(fp);
    CHECK_INT(s.bad, ==, 4);
    CHECK_INT(count(st, "items"), ==, before);
    CHECK_INT(count(st, "audit"), ==, events);
    /* --skip-bad keeps the good rows */
    o.skip_bad = 1;
    fp = fmemopen((void *)bad, strlen(bad), "r");
    CHECK_OK(vigil_item_import(st, NULL, "op1", fp, &o, &s, &err), &err);
    fclose(fp);
    CHECK_INT(s.created, ==, 1);
    CHECK_INT(s.bad, ==, 4);
    CHECK_INT(count(st, "items"), ==, before + 1);
    /* headers */
    const char *hdr[] = {"", "url,colour\nhttps://x.com/a,red\n", "type\nvideo\n", "url,url\n"};
    for (size_t i = 0; i < 4; i++) {
        fp = fmemopen((void *)hdr[i], strlen(hdr[i]) ? strlen(hdr[i]) : 1, "r");
        CHECK_INT(vigil_item_import(st, NULL, "op1", fp, NULL, &s, &err), ==, VIGIL_EPARSE);
        fclose(fp);
    }
    CHECK_OK(vigil_audit_verify(st, NULL, &before, &events, &err), &err);
    vigil_store_close(st);
}

/* Runs SQL on the store file behind vigil's back. */
static int raw(const char *path, const char *sql) {
    sqlite3 *db = NULL;
    int rc = sqlite3_open(path, &db);
    if (rc == SQLITE_OK) rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* Inside a write transaction audit_head is written once, at commit: an
 * event after a savepoint rolled one back still chains on, a transaction
 * rolled back (or whose events all were) leaves the head where it was, an
 * event outside a transaction moves it at once, and the chain verifies. */
static void test_audit_head_at_commit(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    int64_t m0 = 0, m = 0, n = 0, bad = 0;
    CHECK_OK(vigil_store_mark(st, &m0, &err), &err);
    CHECK_OK(vigil__store_begin(st, &err), &err);
    CHECK_OK(vigil__audit(st, "t", "test.one", "test", 1, NULL, NULL, &err), &err);
    CHECK_OK(vigil__store_exec(st, "SAVEPOINT t1", &err), &err);
    CHECK_OK(vigil__audit(st, "t", "test.two", "test", 2, NULL, NULL, &err), &err);
    CHECK_OK(vigil__store_exec(st, "ROLLBACK TO t1; RELEASE t1", &err), &err);
    CHECK_OK(vigil__audit(st, "t", "test.three", "test", 3, NULL, NULL, &err), &err);
    CHECK_OK(vigil_store_mark(st, &m, &err), &err);
    CHECK_INT(m, ==, m0); /* not yet: at commit */
    CHECK_OK(vigil__store_commit(st, &err), &err);
    CHECK_OK(vigil_store_mark(st, &m, &err), &err);
    CHECK_INT(m, ==, m0 + 2);
    CHECK_OK(vigil__store_begin(st, &err), &err);
    CHECK_OK(vigil__audit(st, "t", "test.four", "test", 4, NULL, NULL, &err), &err);
    vigil__store_rollback(st);
    CHECK_OK(vigil__store_begin(st, &err), &err);
    CHECK_OK(vigil__store_exec(st, "SAVEPOINT t2", &err), &err);
    CHECK_OK(vigil__audit(st, "t", "test.five", "test", 5, NULL, NULL, &err), &err);
    CHECK_OK(vigil__store_exec(st, "ROLLBACK TO t2; RELEASE t2", &err), &err);
    CHECK_OK(vigil__store_commit(st, &err), &err);
    CHECK_OK(vigil_store_mark(st, &m, &err), &err);
    CHECK_INT(m, ==, m0 + 2);
    CHECK_OK(vigil__audit(st, "t", "test.six", "test", 6, NULL, NULL, &err), &err);
    CHECK_OK(vigil_store_mark(st, &m, &err), &err);
    CHECK_INT(m, ==, m0 + 3);
    CHECK_OK(vigil_audit_verify(st, NULL, &n, &bad, &err), &err);
    CHECK_INT(n, ==, m0 + 3);
    CHECK_INT(bad, ==, 0);
    vigil_store_close(st);
}

static void test_audit_tamper(void) {
    char path[1024], work[1100];
    snprintf(path, sizeof path, "%s/audit.db", test_tmpdir());
    remove(path);
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_OK(vigil_demo(st, 60, 3, &err), &err);
    int64_t n = 0, bad = 0;
    CHECK_OK(vigil_audit_verify(st, NULL, &n, &bad, &err), &err);
    CHECK_INT(n, >, 100);
    vigil_store_close(st); /* checkpoints: the file holds everything */
    struct {
        const char *sql;
        int64_t first_bad;
    } cases[] = {
        {"UPDATE audit SET actor = 'someone-else' WHERE id = 50", 50},
        {"UPDATE audit SET after = replace(after, 'identified', 'removed') WHERE id = 70", 70},
        {"DELETE FROM audit WHERE id = 40", 40},
        {"UPDATE audit SET id = -id WHERE id IN (30, 31); UPDATE audit SET id = 31 WHERE id = -30; "
         "UPDATE audit SET id = 30 WHERE id = -31", 30},
        {"DELETE FROM audit WHERE id = (SELECT max(id) FROM audit)", -1},
        {"INSERT INTO audit SELECT id + 1000000, at, actor, action, entity, entity_id, before, "
         "after, prev, digest FROM audit WHERE id = 5", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(work, sizeof work, "%s.%zu", path, i);
        CHECK_INT(test_copy_file(path, work), ==, 0);
        CHECK_INT(raw(work, cases[i].sql), ==, SQLITE_OK);
        CHECK_OK(vigil_store_open(work, &st, &err), &err);
        vigil_status rc = vigil_audit_verify(st, NULL, &n, &bad, &err);
        vigil_store_close(st);
        if (rc != VIGIL_ECORRUPT) test_fail(__FILE__, __LINE__, "tamper case %zu not detected", i);
        CHECK_INT(rc, ==, VIGIL_ECORRUPT);
        if (cases[i].first_bad > 0) CHECK_INT(bad, ==, cases[i].first_bad);
        CHECK(strstr(err.msg, "audit chain broken at event"));
        remove(work);
    }
    remove(path);
}

static void test_text_language(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    const char *fr = "La m\xc3\xa9t\xc3\xa9o de demain annonce des pluies abondantes sur toute la "
                     "r\xc3\xa9gion, avec des vents forts venant de l'ouest. Les habitants sont "
                     "invit\xc3\xa9s \xc3\xa0 la prudence sur les routes et pr\xc3\xa8s des "
                     "rivi\xc3\xa8res pendant tout le week-end.";
    vigil_item_input in = {.op = "op1", .url = "https://telegra.ph/Example-1", .text = fr, .text_len = strlen(fr)};
    CHECK_OK(vigil_item_add(st, "ana-eu", &in, &r, &err), &err);
    json_t *v = NULL;
    CHECK_OK(vigil_item_show(st, NULL, r.id, &v, &err), &err);
    CHECK_STR(json_string_value(json_array_get(json_object_get(v, "languages"), 0)), "fr");
    CHECK(strncmp(json_string_value(json_array_get(json_object_get(v, "hashes"), 0)), "sha256:", 7) == 0);
    json_decref(v);
    /* the analyst's language wins over the identifier's */
    const char *langs[] = {"ar"};
    vigil_item_input in2 = {.op = "op1", .url = "https://telegra.ph/Example-2", .text = fr,
                            .text_len = strlen(fr), .langs = langs, .n_langs = 1};
    CHECK_OK(vigil_item_add(st, "ana-eu", &in2, &r, &err), &err);
    CHECK_OK(vigil_item_show(st, NULL, r.id, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "languages")), ==, 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(v, "languages"), 0)), "ar");
    json_decref(v);
    const char bad[] = "caf\xe9";
    vigil_item_input in3 = {.op = "op1", .url = "https://telegra.ph/Example-3", .text = bad, .text_len = 4};
    CHECK_INT(vigil_item_add(st, "ana-eu", &in3, &r, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "text"));
    vigil_store_close(st);
}

/* ---- content clusters ------------------------------------------------------------- */

#define PDQ_F "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
#define PDQ_F4 "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0"
#define PDQ_0 "0000000000000000000000000000000000000000000000000000000000000000"
#define MD5_X "md5:0123456789abcdef0123456789abcdef"
#define SHA_S "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static vigil_status add_h(vigil_store *st, const char *url, const char *h1, const char *h2,
                          int64_t *id, vigil_err *err) {
    const char *hs[2] = {h1, h2};
    vigil_item_input in = {.op = "op1", .url = url, .type = "video", .hashes = hs,
                           .n_hashes = h2 ? 2 : h1 ? 1 : 0};
    vigil_item_result r;
    vigil_status rc = vigil_item_add(st, "ana-eu", &in, &r, err);
    *id = r.id;
    return rc;
}

static int64_t cluster_id_of(vigil_store *st, int64_t id) {
    json_t *v = NULL;
    int64_t c = -1;
    if (vigil_item_show(st, NULL, id, &v, NULL) == VIGIL_OK)
        c = json_integer_value(json_object_get(json_object_get(v, "cluster"), "id"));
    json_decref(v);
    return c;
}

/* The `via` of copy `copy` in item `id`'s cluster as `by` sees it, in short
 * ("md5 pdq:4 text:0.75 video"; "" for a copy in through other items; "?"
 * when the copy is not listed or a link is malformed). */
static const char *via_of(vigil_store *st, const char *by, int64_t id, int64_t copy,
                          char buf[128]) {
    json_t *v = NULL;
    snprintf(buf, 128, "?");
    if (vigil_item_show(st, by, id, &v, NULL) != VIGIL_OK) return buf;
    size_t i, k;
    json_t *x, *l;
    json_array_foreach(json_object_get(json_object_get(v, "cluster"), "copies"), i, x) {
        if (json_integer_value(json_object_get(x, "id")) != copy) continue;
        json_t *via = json_object_get(x, "via");
        if (!json_is_array(via)) break;
        buf[0] = 0;
        json_array_foreach(via, k, l) {
            const char *sig = json_string_value(json_object_get(l, "signal"));
            size_t n = strlen(buf);
            if (!sig) {
                snprintf(buf, 128, "?");
                break;
            }
            if (strcmp(sig, "pdq") == 0)
                snprintf(buf + n, 128 - n, "%spdq:%lld", n ? " " : "",
                         (long long)json_integer_value(json_object_get(l, "distance")));
            else if (strcmp(sig, "text") == 0)
                snprintf(buf + n, 128 - n, "%stext:%.2f", n ? " " : "",
                         json_real_value(json_object_get(l, "similarity")));
            else if (strcmp(sig, "video") == 0) /* the rule: 50% of either video */
                snprintf(buf + n, 128 - n, "%s%s", n ? " " : "",
                         json_real_value(json_object_get(l, "item_share")) >= 50 ||
                                 json_real_value(json_object_get(l, "copy_share")) >= 50
                             ? "video"
                             : "video-below-rule");
            else
                snprintf(buf + n, 128 - n, "%s%s", n ? " " : "", sig);
        }
        break;
    }
    json_decref(v);
    return buf;
}

/* Items with the same content join one cluster as they come in; an item
 * meeting two clusters merges them; the report counts contents; a
 * coordinator refers a whole cluster; liaisons see no clusters. */
static void test_clusters(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    int64_t a, b, c, d, e, f, g;
    CHECK_OK(add_h(st, "https://t.me/examplechannel/1", MD5_X, NULL, &a, &err), &err);
    CHECK_OK(add_h(st, "https://www.youtube.com/watch?v=EXAMPLE0001", MD5_X, NULL, &b, &err), &err);
    CHECK_OK(add_h(st, "https://x.com/example/status/1", "pdq:" PDQ_F, NULL, &c, &err), &err);
    CHECK_OK(add_h(st, "https://www.facebook.com/example/posts/1", "pdq:" PDQ_F4, SHA_S, &d, &err), &err);
    CHECK_OK(add_h(st, "https://vk.com/wall-1_1", "pdq:" PDQ_0, NULL, &f, &err), &err);
    CHECK_OK(add_h(st, "https://rumble.com/vexample1.html", NULL, NULL, &g, &err), &err);
    CHECK_INT(cluster_id_of(st, b), ==, a);
    CHECK_INT(cluster_id_of(st, d), ==, c); /* PDQ distance 4 */
    CHECK_INT(cluster_id_of(st, f), ==, f); /* distance 256: alone */
    CHECK_INT(cluster_id_of(st, g), ==, g);
    json_t *v = NULL;
    CHECK_OK(vigil_cluster_list(st, "ana-de", "op1", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 2);
    json_decref(v);
    /* one item carrying both contents merges the two clusters into a's */
    CHECK_OK(add_h(st, "https://archive.org/details/example-1", MD5_X, SHA_S, &e, &err), &err);
    CHECK_INT(cluster_id_of(st, c), ==, a);
    CHECK_INT(cluster_id_of(st, d), ==, a);
    CHECK_OK(vigil_cluster_list(st, "ana-de", "op1", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 1);
    json_t *cl = json_array_get(v, 0);
    CHECK_INT(json_integer_value(json_object_get(cl, "id")), ==, a);
    CHECK_INT(json_integer_value(json_object_get(cl, "items")), ==, 5);
    CHECK_INT(json_integer_value(json_object_get(cl, "platform_count")), ==, 5);
    CHECK_INT(json_integer_value(json_object_get(cl, "still_up")), ==, 5);
    CHECK_INT(json_array_size(json_object_get(cl, "members")), ==, 5);
    CHECK_INT(json_array_size(json_object_get(cl, "platforms")), ==, 5);
    CHECK(json_is_string(json_object_get(cl, "first_seen")));
    json_decref(v);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "op1", &r, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(r, "items")), ==, 7);
    CHECK_INT(json_integer_value(json_object_get(r, "contents")), ==, 3);
    json_decref(r);
    /* the rules: liaisons and other agencies see no clusters */
    CHECK_INT(vigil_cluster_list(st, "tg", "op1", 0, &v, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_cluster_list(st, "ana-fr", "op1", 0, &v, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_cluster_list(st, NULL, "op1", 10001, &v, &err), ==, VIGIL_ELIMIT);
    CHECK_INT(vigil_cluster_refer(st, "ana-eu", "op1", a, NULL, NULL, &v, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_cluster_refer(st, "coord-eu", "op1", b, NULL, NULL, &v, &err), ==, VIGIL_ENOENT);
    CHECK(strstr(err.msg, "no cluster"));
    /* refer the whole cluster: its assessed items, per platform; g is not in it */
    CHECK_OK(vigil_item_transition(st, "rev-eu", a, "assessed", NULL, NULL, &err), &err);
    CHECK_OK(vigil_item_transition(st, "rev-eu", b, "assessed", NULL, NULL, &err), &err);
    CHECK_OK(vigil_item_transition(st, "rev-eu", g, "assessed", NULL, NULL, &err), &err);
    CHECK_OK(vigil_cluster_refer(st, "coord-eu", "op1", a, NULL, NULL, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 2); /* Telegram and YouTube */
    json_decref(v);
    char buf[32];
    CHECK_STR(state_of(st, a, buf), "referred");
    CHECK_STR(state_of(st, b, buf), "referred");
    CHECK_STR(state_of(st, g, buf), "assessed");
    CHECK_STR(state_of(st, c, buf), "identified");
    /* a liaison sees the item referred to them, and of its cluster only what
     * was referred to their platform too: here nothing, and no cluster id */
    CHECK_OK(vigil_item_show(st, "tg", a, &v, &err), &err);
    cl = json_object_get(v, "cluster");
    CHECK(json_is_null(json_object_get(cl, "id")));
    CHECK_INT(json_array_size(json_object_get(cl, "copies")), ==, 0);
    json_decref(v);
    CHECK_OK(vigil_item_show(st, "ana-de", a, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(json_object_get(v, "cluster"), "copies")), ==, 4);
    json_decref(v);
    /* via: the direct links of each copy with the item shown; [] through others */
    char via[128];
    CHECK_STR(via_of(st, NULL, b, a, via), "md5");
    CHECK_STR(via_of(st, NULL, b, e, via), "md5");
    CHECK_STR(via_of(st, NULL, b, c, via), "");
    CHECK_STR(via_of(st, NULL, b, d, via), "");
    CHECK_STR(via_of(st, NULL, d, c, via), "pdq:4");
    CHECK_STR(via_of(st, NULL, c, d, via), "pdq:4");
    CHECK_STR(via_of(st, NULL, d, e, via), "sha256");
    CHECK_STR(via_of(st, "ana-de", e, d, via), "sha256");
    CHECK_STR(via_of(st, NULL, e, c, via), "");
    CHECK_STR(via_of(st, NULL, a, g, via), "?"); /* not in the cluster */
    /* an equal PDQ and MD5 at once: both, distance 0 */
    int64_t k;
    CHECK_OK(add_h(st, "https://www.tiktok.com/@example/video/1", MD5_X, "pdq:" PDQ_F, &k, &err), &err);
    CHECK_STR(via_of(st, NULL, k, c, via), "pdq:0");
    CHECK_STR(via_of(st, NULL, k, d, via), "pdq:4");
    CHECK_STR(via_of(st, NULL, k, a, via), "md5");
    /* a liaison: the copies referred to their platform, with their via, no hash */
    int64_t h;
    CHECK_OK(add_h(st, "https://t.me/examplechannel/2", MD5_X, NULL, &h, &err), &err);
    CHECK_OK(vigil_item_transition(st, "rev-eu", h, "assessed", NULL, NULL, &err), &err);
    CHECK_OK(vigil_cluster_refer(st, "coord-eu", "op1", a, NULL, NULL, &v, &err), &err);
    json_decref(v);
    CHECK_OK(vigil_item_show(st, "tg", a, &v, &err), &err);
    cl = json_object_get(v, "cluster");
    CHECK_INT(json_array_size(json_object_get(cl, "copies")), ==, 1);
    char *cj = json_dumps(cl, JSON_COMPACT);
    CHECK(cj && strstr(cj, "\"via\":[{\"signal\":\"md5\"}]") && !strstr(cj, "0123456789abcdef"));
    free(cj);
    json_decref(v);
    CHECK_STR(via_of(st, "tg", a, h, via), "md5");
    CHECK_STR(via_of(st, "tg", a, b, via), "?"); /* YouTube's: not shown */
    vigil_store_close(st);
}

/* One import is one intake context: near-duplicate PDQ rows of one file join. */
static void test_clusters_import(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    const char csv[] = "url,hashes\n"
                       "https://t.me/examplechannel/7,pdq:" PDQ_F "\n"
                       "https://www.youtube.com/watch?v=EXAMPLE0007,pdq:" PDQ_F4 "\n"
                       "https://x.com/example/status/7,pdq:" PDQ_0 "\n";
    FILE *fp = fmemopen((void *)csv, sizeof csv - 1, "r");
    CHECK(fp);
    vigil_item_import_stats s;
    vigil_status rc = vigil_item_import(st, "ana-eu", "op1", fp, NULL, &s, &err);
    fclose(fp);
    CHECK_OK(rc, &err);
    json_t *v = NULL;
    CHECK_OK(vigil_cluster_list(st, NULL, "op1", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(v, 0), "items")), ==, 2);
    json_decref(v);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "op1", &r, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(r, "contents")), ==, 2);
    json_decref(r);
    vigil_store_close(st);
}

/* ---- content clusters by near-duplicate text and matching video ------------------- */

/* Benign placeholder statements (never real content). */
static const char stmt_a[] =
    "The neighbourhood garden club announces its spring meeting. Members will gather at the old "
    "library on Saturday morning to plan the new flower beds along the river path. Volunteers "
    "are asked to bring gloves, spades and a packed lunch. The committee will present the budget "
    "for seeds and tools, and the children's corner will get a new bench. Tea and biscuits are "
    "provided by the bakery on Mill Street. Everyone who lives in the district is welcome, and "
    "no experience with plants is needed. Please tell the secretary by Thursday if you plan to "
    "come, so that there are enough chairs for all.";
/* one sentence changed */
static const char stmt_b[] =
    "The neighbourhood garden club announces its spring meeting. Members will gather at the old "
    "library on Saturday morning to plan the new flower beds along the river path. Volunteers "
    "are asked to bring gloves, spades and a packed lunch. The committee will present the budget "
    "for seeds and tools, and the children's corner will get a new bench. Coffee and cake will "
    "be served by the cafe next to the station. Everyone who lives in the district is welcome, "
    "and no experience with plants is needed. Please tell the secretary by Thursday if you plan "
    "to come, so that there are enough chairs for all.";
/* other blanks, case and punctuation */
static const char stmt_c[] =
    "THE NEIGHBOURHOOD GARDEN CLUB announces its spring meeting!!  Members will gather at the old\n"
    "library on Saturday morning -- to plan the new flower beds along the river path; volunteers\n"
    "are asked to bring gloves, spades, and a packed lunch...  The committee will present the\n"
    "budget for seeds and tools, and the children's corner will get a new bench.  Tea and\n"
    "biscuits are provided by the bakery on Mill Street.  Everyone who lives in the district is\n"
    "welcome; and no experience with plants is needed.  Please tell the secretary by Thursday if\n"
    "you plan to come, so that there are enough chairs for all!";
static const char stmt_other[] =
    "The city library extends its opening hours during the exam weeks. Study rooms on the second "
    "floor can be booked online, and the reading hall stays open until ten in the evening. The "
    "printers in the basement accept cards only. Lost items are kept at the front desk for one "
    "month.";

static vigil_status add_tv(vigil_store *st, const char *url, const char *text, const char *vpdq,
                           const char *hash, int64_t *id, vigil_err *err) {
    const char *hs[1] = {hash};
    vigil_item_input in = {.op = "op1", .url = url, .type = "post", .text = text,
                           .text_len = text ? strlen(text) : 0, .vpdq = vpdq, .hashes = hs,
                           .n_hashes = hash ? 1 : 0};
    vigil_item_result r = {0};
    vigil_status rc = vigil_item_add(st, "ana-eu", &in, &r, err);
    *id = r.id;
    return rc;
}

/* Near-duplicate texts (a changed sentence, other blanks and punctuation)
 * join one cluster, an unrelated text does not; a text link merges two
 * clusters; a further report with the same text changes nothing. */
static void test_clusters_text(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    int64_t a, b, c, o, x, y, z;
    CHECK_OK(add_tv(st, "https://t.me/examplechannel/31", stmt_a, NULL, NULL, &a, &err), &err);
    CHECK_OK(add_tv(st, "https://x.com/example/status/31", stmt_b, NULL, NULL, &b, &err), &err);
    CHECK_OK(add_tv(st, "https://vk.com/wall-1_31", stmt_c, NULL, NULL, &c, &err), &err);
    CHECK_OK(add_tv(st, "https://www.facebook.com/example/posts/31", stmt_other, NULL, NULL, &o, &err), &err);
    CHECK_INT(cluster_id_of(st, b), ==, a);
    CHECK_INT(cluster_id_of(st, c), ==, a);
    CHECK_INT(cluster_id_of(st, o), ==, o);
    /* the same text reported again on the same URL: one item, same cluster */
    int64_t again;
    CHECK_OK(add_tv(st, "https://x.com/example/status/31", stmt_b, NULL, NULL, &again, &err), &err);
    CHECK_INT(again, ==, b);
    CHECK_INT(cluster_id_of(st, b), ==, a);
    /* x (a hash) and y (a text) apart; z carries both and merges them */
    CHECK_OK(add_tv(st, "https://rumble.com/vexample31.html", NULL, NULL, MD5_X, &x, &err), &err);
    CHECK_INT(cluster_id_of(st, x), ==, x);
    CHECK_OK(add_tv(st, "https://archive.org/details/example-31", stmt_other, NULL, NULL, &y, &err), &err);
    CHECK_INT(cluster_id_of(st, y), ==, o); /* equal text */
    char near[sizeof stmt_other + 64];
    snprintf(near, sizeof near, "%s Quiet please.", stmt_other);
    CHECK_OK(add_tv(st, "https://www.youtube.com/watch?v=EXAMPLE0031", near, NULL, MD5_X, &z, &err), &err);
    CHECK_INT(cluster_id_of(st, x), ==, o);
    CHECK_INT(cluster_id_of(st, z), ==, o);
    CHECK_INT(cluster_id_of(st, a), ==, a);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "op1", &r, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(r, "contents")), ==, 2);
    json_decref(r);
    /* via: the texts' similarity (equal texts: their SHA-256 too) */
    char via[128];
    CHECK_STR(via_of(st, NULL, a, c, via), "text:1.00");
    CHECK_STR(via_of(st, NULL, o, y, via), "sha256 text:1.00");
    CHECK_STR(via_of(st, NULL, x, z, via), "md5");
    CHECK_STR(via_of(st, NULL, o, x, via), ""); /* through z */
    const char *ab = via_of(st, NULL, b, a, via);
    double sim = strncmp(ab, "text:", 5) == 0 ? atof(ab + 5) : -1;
    CHECK(sim >= 0.5 && sim < 1.0);
    CHECK_STR(via_of(st, NULL, a, b, via), ab);
    /* a text of punctuation only has no fingerprint: filed, alone */
    int64_t p;
    CHECK_OK(add_tv(st, "https://t.me/examplechannel/32", "!!! ...", NULL, NULL, &p, &err), &err);
    CHECK_INT(cluster_id_of(st, p), ==, p);
    vigil_store_close(st);
}

static char vid_paths[4][512];
static char *vid_values[4]; /* vpdq1 values: original, re-encoded, excerpt, another video */
static int vids_ok = -1;

static int make_cluster_videos(void) {
    if (vids_ok >= 0) return vids_ok;
    /* 24 s of generated content at 5 frames/s; a re-encode at another size,
     * rate, bitrate, codec and container; an excerpt (8 s from 9.5 s); and
     * another video */
    vidgen_spec orig = {.width = 96, .height = 72, .fps = 5, .seconds = 24, .seed = 41};
    vidgen_spec re = {.width = 64, .height = 48, .fps = 12, .seconds = 24, .seed = 41,
                      .bitrate = 60000, .codec = "mpeg2video", .format = "matroska"};
    vidgen_spec ex = orig;
    ex.start = 9.5, ex.seconds = 8, ex.width = 80, ex.height = 60, ex.format = "avi";
    vidgen_spec other = {.width = 96, .height = 72, .fps = 5, .seconds = 24, .seed = 42};
    const vidgen_spec *specs[4] = {&orig, &re, &ex, &other};
    const char *names[4] = {"cl-orig.mp4", "cl-re.mkv", "cl-ex.avi", "cl-other.mp4"};
    vids_ok = 1;
    for (int i = 0; i < 4 && vids_ok; i++) {
        snprintf(vid_paths[i], sizeof vid_paths[i], "%s/%s", test_tmpdir(), names[i]);
        vigil_video_hash v;
        vids_ok = vidgen_write(vid_paths[i], specs[i]) == 0 &&
                  vigil_video_hash_file(vid_paths[i], NULL, &v, NULL) == VIGIL_OK;
        if (vids_ok) vids_ok = vigil_video_serialize(&v, &vid_values[i], NULL) == VIGIL_OK;
        vigil_video_hash_clear(&v);
    }
    return vids_ok;
}

/* Two encodes and an excerpt of one generated video join one cluster,
 * another video does not; any video value form is taken; a video link
 * merges two clusters; a malformed video hash is refused with nothing
 * written. */
static void test_clusters_video(void) {
    if (!make_cluster_videos()) {
        CHECK(!"generating the test videos failed");
        return;
    }
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    int64_t a, b, c, d, x, y;
    CHECK_OK(add_tv(st, "https://t.me/examplechannel/41", NULL, vid_values[0], NULL, &a, &err), &err);
    /* the re-encode in python-threatexchange's form */
    vigil_video_hash v;
    char *pytx = NULL;
    CHECK_OK(vigil_video_parse(vid_values[1], &v, &err), &err);
    CHECK_OK(vigil_video_format(&v, VIGIL_VFORM_PYTX, &pytx, &err), &err);
    vigil_video_hash_clear(&v);
    CHECK_OK(add_tv(st, "https://www.youtube.com/watch?v=EXAMPLE0041", NULL, pytx, NULL, &b, &err), &err);
    free(pytx);
    CHECK_OK(add_tv(st, "https://x.com/example/status/41", NULL, vid_values[2], NULL, &c, &err), &err);
    CHECK_OK(add_tv(st, "https://vk.com/wall-1_41", NULL, vid_values[3], NULL, &d, &err), &err);
    CHECK_INT(cluster_id_of(st, b), ==, a);
    CHECK_INT(cluster_id_of(st, c), ==, a);
    CHECK_INT(cluster_id_of(st, d), ==, d);
    /* x (a hash) alone; y carries x's hash and the other video: d's
     * cluster and x's merge into d's */
    CHECK_OK(add_tv(st, "https://rumble.com/vexample41.html", NULL, NULL, MD5_X, &x, &err), &err);
    CHECK_INT(cluster_id_of(st, x), ==, x);
    CHECK_OK(add_tv(st, "https://archive.org/details/example-41", NULL, vid_values[3], MD5_X, &y, &err), &err);
    CHECK_INT(cluster_id_of(st, x), ==, d);
    CHECK_INT(cluster_id_of(st, y), ==, d);
    json_t *l = NULL;
    CHECK_OK(vigil_cluster_list(st, "ana-de", "op1", 0, &l, &err), &err);
    CHECK_INT(json_array_size(l), ==, 2);
    json_decref(l);
    /* via: matching videos with their shares, from either side */
    char via[128];
    CHECK_STR(via_of(st, NULL, a, b, via), "video");
    CHECK_STR(via_of(st, NULL, b, a, via), "video");
    CHECK_STR(via_of(st, NULL, c, a, via), "video");
    CHECK_STR(via_of(st, NULL, a, c, via), "video");
    CHECK_STR(via_of(st, NULL, d, y, via), "video");
    CHECK_STR(via_of(st, NULL, x, y, via), "md5");
    CHECK_STR(via_of(st, NULL, d, x, via), "");
    CHECK_OK(vigil_item_show(st, NULL, c, &l, &err), &err);
    json_t *w = json_array_get(json_object_get(json_array_get(json_object_get(json_object_get(l, "cluster"), "copies"), 0), "via"), 0);
    CHECK(json_real_value(json_object_get(w, "item_share")) > 90); /* the excerpt is all in a */
    CHECK(json_real_value(json_object_get(w, "copy_share")) < 50);
    CHECK(json_integer_value(json_object_get(w, "distance")) <= 31);
    json_decref(l);
    /* malformed video hashes: refused, nothing written */
    int64_t items = count(st, "items"), events = count(st, "audit");
    const char *bad[] = {"vpdq1:!!!!", "vpdq1:", "not a video hash", "[\"zz,100,0.0\"]",
                         "0,100,abc,0.000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t id = 0;
        vigil_err_clear(&err);
        CHECK_INT(add_tv(st, "https://t.me/examplechannel/49", stmt_a, bad[i], MD5_X, &id, &err), ==,
                  VIGIL_EPARSE);
        CHECK_STR(err.field, "vpdq");
        CHECK(strstr(err.msg, "video") != NULL || strstr(err.msg, "vpdq") != NULL ||
              strstr(err.msg, "frame") != NULL || strstr(err.msg, "line") != NULL);
    }
    /* also on a further report of an existing item */
    CHECK_INT(add_tv(st, "https://t.me/examplechannel/41", NULL, "vpdq1:AAAA", NULL, &x, &err), ==,
              VIGIL_EPARSE);
    CHECK_INT(count(st, "items"), ==, items);
    CHECK_INT(count(st, "audit"), ==, events);
    CHECK_INT(cluster_id_of(st, a), ==, a);
    /* "" and blanks: no video */
    int64_t e;
    CHECK_OK(add_tv(st, "https://t.me/examplechannel/42", NULL, "  ", NULL, &e, &err), &err);
    CHECK_INT(cluster_id_of(st, e), ==, e);
    vigil_store_close(st);
}

/* The CSV import's text and vpdq columns link as the single intake does,
 * within one file too. */
static void test_clusters_import_text_video(void) {
    if (!make_cluster_videos()) {
        CHECK(!"generating the test videos failed");
        return;
    }
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    size_t cap = strlen(vid_values[0]) + strlen(vid_values[1]) + strlen(vid_values[3]) + 4096;
    char *csv = malloc(cap);
    CHECK(csv);
    if (!csv) {
        vigil_store_close(st);
        return;
    }
    snprintf(csv, cap,
             "url,text,vpdq\n"
             "https://t.me/examplechannel/51,\"%s\",\n"
             "https://x.com/example/status/51,\"%s\",\n"
             "https://vk.com/wall-1_51,\"%s\",\n"
             "https://t.me/examplechannel/52,,%s\n"
             "https://x.com/example/status/52,,%s\n"
             "https://vk.com/wall-1_52,,%s\n",
             stmt_a, stmt_b, stmt_other, vid_values[0], vid_values[1], vid_values[3]);
    FILE *fp = fmemopen(csv, strlen(csv), "r");
    CHECK(fp);
    vigil_item_import_stats s;
    vigil_status rc = vigil_item_import(st, "ana-eu", "op1", fp, NULL, &s, &err);
    fclose(fp);
    CHECK_OK(rc, &err);
    CHECK_INT(s.created, ==, 6);
    json_t *v = NULL;
    CHECK_OK(vigil_cluster_list(st, NULL, "op1", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 2);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(v, 0), "items")), ==, 2);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(v, 1), "items")), ==, 2);
    json_decref(v);
    /* a bad vpdq cell is a bad row: nothing imported */
    snprintf(csv, cap, "url,vpdq\nhttps://t.me/examplechannel/53,vpdq1:bad\n");
    fp = fmemopen(csv, strlen(csv), "r");
    CHECK(fp);
    int64_t items = count(st, "items");
    CHECK_INT(vigil_item_import(st, "ana-eu", "op1", fp, NULL, &s, &err), ==, VIGIL_EPARSE);
    fclose(fp);
    CHECK_INT(count(st, "items"), ==, items);
    free(csv);
    vigil_store_close(st);
}

/* The queue's filters (agency, reporter) and orders, with offset paging. */
static void test_list_filters_sort(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    CHECK_OK(add(st, "ana-eu", "https://t.me/examplechannel/21", "ar", &r, &err), &err);
    int64_t first = r.id;
    CHECK_OK(add(st, "ana-de", "https://www.youtube.com/watch?v=EXAMPLE0021", "de", &r, &err), &err);
    CHECK_OK(add(st, "ana-de", "https://archive.org/details/example-21", "de", &r, &err), &err);
    int64_t last = r.id;
    CHECK_OK(add(st, "ana-eu", "https://archive.org/details/example-21", "de", &r, &err), &err);
    json_t *v = NULL;
    vigil_item_filter f = {.op = "op1", .agency = "DE"};
    CHECK_OK(vigil_item_list(st, "rev-eu", &f, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "items")), ==, 2);
    json_decref(v);
    f = (vigil_item_filter){.op = "op1", .reporter = "ana-eu"};
    CHECK_OK(vigil_item_list(st, "rev-eu", &f, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "items")), ==, 2); /* one first, one further report */
    json_decref(v);
    f = (vigil_item_filter){.op = "op1", .reporter = "nobody-of-that-name", .agency = "NOPE"};
    CHECK_OK(vigil_item_list(st, "rev-eu", &f, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "items")), ==, 0);
    json_decref(v);
    f = (vigil_item_filter){.op = "op1", .sort = "-id", .limit = 2};
    CHECK_OK(vigil_item_list(st, "rev-eu", &f, &v, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(v, "items"), 0), "id")), ==, last);
    CHECK(json_is_null(json_object_get(v, "next")));
    CHECK_INT(json_integer_value(json_object_get(v, "next_offset")), ==, 2);
    json_decref(v);
    f.offset = 2;
    CHECK_OK(vigil_item_list(st, "rev-eu", &f, &v, &err), &err);
    CHECK_INT(json_array_size(json_object_get(v, "items")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(json_array_get(json_object_get(v, "items"), 0), "id")), ==, first);
    CHECK(json_is_null(json_object_get(v, "next_offset")));
    json_decref(v);
    f = (vigil_item_filter){.op = "op1", .sort = "platform"};
    CHECK_OK(vigil_item_list(st, "rev-eu", &f, &v, &err), &err);
    CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(v, "items"), 0), "platform")), "Internet Archive");
    json_decref(v);
    f = (vigil_item_filter){.op = "op1", .sort = "size; DROP TABLE item"};
    CHECK_INT(vigil_item_list(st, "rev-eu", &f, &v, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "unknown order"));
    CHECK_STR(err.field, "sort");
    vigil_store_close(st);
}

/* The single-pass report gives every figure the twenty queries gave. */
static void test_report_same_figures(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    /* op1's two items lie far apart (the joins); the demo's are dense (the id ranges) */
    vigil_item_result r1;
    CHECK_OK(add(st, "ana-de", "https://t.me/examplechannel/77", "de", &r1, &err), &err);
    CHECK_OK(vigil_demo(st, 600, 11, &err), &err);
    CHECK_OK(add(st, "ana-eu", "https://www.youtube.com/watch?v=EXAMPLE0077", "und", &r1, &err), &err);
    CHECK_OK(add(st, "ana-de", "https://www.youtube.com/watch?v=EXAMPLE0077", "ar", &r1, &err), &err);
    /* odd values too: no affiliation or outlet, a further report, 'und' */
    const char *l[2] = {"und", "fr"};
    vigil_item_input in = {.op = "demo-action-day", .url = "https://t.me/examplechannel1/9", .langs = l,
                           .n_langs = 2};
    CHECK_OK(vigil_item_add(st, NULL, &in, NULL, &err), &err);
    CHECK_OK(vigil_item_add(st, NULL, &in, NULL, &err), &err);
    /* times in other forms than the store writes (read by the store's unixepoch) */
    CHECK_OK(vigil__q_exec(st,
                           "UPDATE referral_item SET responded_at = '2026-12-01 11:00:00' WHERE "
                           "item_id = (SELECT min(item_id) FROM referral_item WHERE response = "
                           "'removed')",
                           NULL, &err, ""),
             &err);
    CHECK_OK(vigil__q_exec(st,
                           "UPDATE referral_item SET responded_at = '2026-12-01T12:00:00.500Z' "
                           "WHERE item_id = (SELECT max(item_id) FROM referral_item WHERE "
                           "response = 'removed')",
                           NULL, &err, ""),
             &err);
    CHECK_OK(vigil__q_exec(st,
                           "UPDATE referral SET sent_at = '2026-11-30 23:00:00' WHERE id = "
                           "(SELECT max(id) FROM referral)",
                           NULL, &err, ""),
             &err);
    const char *ops[] = {"demo-action-day", "op1"};
    for (size_t i = 0; i < 2; i++) CHECK(test_report_matches_ref(st, ops[i], NULL));
    vigil_store_close(st);
}

/* The report from its running totals equals the full count after random
 * work: intake (new items, further reports, languages, clusters), imports
 * with bad rows skipped (a savepoint undone) or refused (all rolled
 * back), reviews, holds, referrals, outcomes and removal orders; and the
 * totals equal the rows counted again (vigil__tally_rebuild). */
static uint32_t rnd_next(uint32_t *x) {
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static json_t *tally_rows(vigil_store *st) {
    json_t *v = NULL;
    vigil_err err;
    if (vigil__q_json(st,
                      "SELECT operation_id, dim, k, n FROM op_tally WHERE n <> 0 ORDER BY "
                      "operation_id, dim, k",
                      &v, &err, "") != VIGIL_OK)
        return NULL;
    return v;
}

static void check_report_vs_ref(vigil_store *st, const char *op) {
    vigil_err err;
    int64_t contents = -1, counted = -2;
    CHECK(test_report_matches_ref(st, op, &contents));
    CHECK_OK(vigil__q_int(st,
                          "SELECT count(DISTINCT cluster_id) FROM item i JOIN operation o ON "
                          "o.id = i.operation_id WHERE o.name = ?1",
                          &counted, &err, "t", op),
             &err);
    CHECK_INT(contents, ==, counted);
}

static void test_report_totals_random(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    uint32_t x = 2463534242u;
    const char *users[] = {"ana-eu", "ana-de", "ana-fr", "coord-eu"};
    const char *langs[] = {"en", "de", "ar", "und", "fr"};
    const char *types[] = {NULL, "video", "post", "other", "image"};
    const char *affils[] = {NULL, "IS", "AQ", ""};
    const char *outlets[] = {NULL, "Amaq", "<b>x</b>"};
    const char *hosts[] = {"https://t.me/examplechannel/%u", "https://www.youtube.com/watch?v=EXAMPLE%04u",
                           "https://archive.org/details/example-%u", "https://new-host-%u.example/x"};
    int64_t holds[8];
    size_t n_holds = 0;
    int64_t t0 = 1767945600; /* 2026-01-09T08:00:00Z */
    int steps = 0, ok_steps = 0;
    for (int step = 0; step < 700; step++, steps++) {
        uint32_t r = rnd_next(&x) % 20;
        vigil_status rc = VIGIL_OK;
        char at[VIGIL_TIME_LEN];
        vigil_time_format(t0 + step * 97, at);
        if (r < 8) { /* intake */
            char url[96], md5[40];
            snprintf(url, sizeof url, hosts[rnd_next(&x) % 4], rnd_next(&x) % 90);
            const char *l[2] = {langs[rnd_next(&x) % 5], langs[rnd_next(&x) % 5]};
            snprintf(md5, sizeof md5, "md5:%032x", rnd_next(&x) % 12);
            const char *hs[1] = {md5};
            vigil_item_input in = {.op = "op1", .url = url, .type = types[rnd_next(&x) % 5],
                                   .langs = l, .n_langs = rnd_next(&x) % 3,
                                   .affiliation = affils[rnd_next(&x) % 4],
                                   .outlet = outlets[rnd_next(&x) % 3], .hashes = hs,
                                   .n_hashes = rnd_next(&x) % 2};
            rc = vigil_item_add(st, users[rnd_next(&x) % 4], &in, NULL, &err);
        } else if (r < 10) { /* an import: a bad row, skipped or refusing the file */
            char csv[512];
            unsigned a = rnd_next(&x) % 90, b = rnd_next(&x) % 90;
            snprintf(csv, sizeof csv,
                     "url,language,affiliation,outlet,hashes\n"
                     "https://t.me/examplechannel/%u,en;ar,IS,,md5:%032x\n"
                     "notaurl,en,,,\n"
                     "https://archive.org/details/example-%u,de,,Amaq,\n"
                     "https://t.me/examplechannel/%u,xx-bad,,,\n",
                     a, rnd_next(&x) % 12, b, (a + 1) % 90);
            FILE *fp = fmemopen(csv, strlen(csv), "r");
            CHECK(fp);
            vigil_item_import_opts o = {.skip_bad = (int)(rnd_next(&x) % 2)};
            vigil_item_import_stats s;
            rc = vigil_item_import(st, "ana-de", "op1", fp, &o, &s, &err);
            fclose(fp);
        } else if (r < 13) { /* review */
            int64_t id = 1 + rnd_next(&x) % 120;
            rc = vigil_item_transition(st, "rev-eu", id, rnd_next(&x) % 4 ? "assessed" : "rejected",
                                       at, "not in scope", &err);
        } else if (r < 14) {
            json_t *docs = NULL;
            rc = vigil_refer(st, "coord-eu", "op1", NULL, NULL, at, &docs, &err);
            json_decref(docs);
        } else if (r < 17) {
            static const char *const outs[] = {"removed", "declined", "no_response"};
            int64_t id = 1 + rnd_next(&x) % 120;
            rc = vigil_outcome(st, NULL, id, outs[rnd_next(&x) % 3], at, &err);
        } else if (r < 18) { /* a removal order, done */
            vigil_order_input in = {.authority = "DE", .item = 1 + rnd_next(&x) % 120, .received = at};
            int64_t oid = 0;
            rc = vigil_order_create(st, NULL, &in, &oid, &err);
            if (rc == VIGIL_OK) rc = vigil_order_update(st, NULL, oid, "done", NULL, NULL, &err);
        } else if (r < 19 && n_holds < 8) {
            char v[64];
            snprintf(v, sizeof v, "https://t.me/examplechannel/%u", rnd_next(&x) % 90);
            rc = vigil_hold_add(st, "ana-de", "DE", "prefix", v, NULL, "investigation", &holds[n_holds], &err);
            if (rc == VIGIL_OK) n_holds++;
        } else if (n_holds) {
            rc = vigil_hold_release(st, "ana-de", holds[--n_holds], &err);
        }
        ok_steps += rc == VIGIL_OK;
        if (step % 175 == 174) check_report_vs_ref(st, "op1");
    }
    printf("    %d random steps, %d changed the store\n", steps, ok_steps);
    CHECK_INT(ok_steps, >, 200);
    check_report_vs_ref(st, "op1");
    /* the totals are the rows counted again */
    json_t *kept = tally_rows(st);
    CHECK(kept && json_array_size(kept) > 20);
    CHECK_OK(vigil__store_begin(st, &err), &err);
    CHECK_OK(vigil__tally_rebuild(st, 0, &err), &err);
    CHECK_OK(vigil__store_commit(st, &err), &err);
    json_t *counted = tally_rows(st);
    CHECK(counted && json_equal(kept, counted));
    json_decref(kept);
    json_decref(counted);
    /* totals gone wrong (rows changed by hand) are found and mended */
    int64_t fixed = -1;
    CHECK_OK(vigil_report_recount(st, NULL, "op1", &fixed, &err), &err);
    CHECK_INT(fixed, ==, 0);
    CHECK_OK(vigil__q_exec(st, "UPDATE op_tally SET n = n + 2 WHERE dim = 'items'", NULL, &err, ""), &err);
    CHECK_OK(vigil__q_exec(st, "DELETE FROM op_tally WHERE dim = 'lang' AND k = '=en'", NULL, &err, ""), &err);
    CHECK_INT(vigil_report_recount(st, "coord-eu", "op1", &fixed, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_report_recount(st, NULL, "nope", &fixed, &err), ==, VIGIL_ENOENT);
    CHECK_OK(vigil_report_recount(st, NULL, NULL, &fixed, &err), &err);
    CHECK_INT(fixed, ==, 2);
    check_report_vs_ref(st, "op1");
    vigil_store_close(st);
}

/* Running totals in a transaction: a savepoint's share is dropped with
 * ROLLBACK TO and kept with RELEASE; a rollback drops everything; outside
 * a transaction an amount is written at once. */
static int64_t tally_n(vigil_store *st, const char *dim, const char *k) {
    int64_t n = 0;
    vigil_err err;
    if (vigil__q_int(st, "SELECT n FROM op_tally WHERE operation_id = 77 AND dim = ?1 AND k = ?2",
                     &n, &err, "tt", dim, k) != VIGIL_OK)
        return 0;
    return n;
}

static void test_tally_savepoints(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    CHECK_OK(vigil__store_begin(st, &err), &err);
    CHECK_OK(vigil__tally_add(st, 77, "lang", "=en", 2, &err), &err);
    CHECK_OK(vigil__store_exec(st, "SAVEPOINT item_row", &err), &err);
    vigil__tally_mark(st);
    CHECK_OK(vigil__tally_add(st, 77, "lang", "=en", 5, &err), &err);
    CHECK_OK(vigil__tally_add(st, 77, "lang", "=de", 1, &err), &err);
    CHECK_OK(vigil__store_exec(st, "ROLLBACK TO item_row; RELEASE item_row", &err), &err);
    vigil__tally_undo(st);
    CHECK_OK(vigil__store_exec(st, "SAVEPOINT item_row", &err), &err);
    vigil__tally_mark(st);
    CHECK_OK(vigil__tally_add(st, 77, "lang", "=ar", 3, &err), &err);
    /* many keys: the table grows while the savepoint is open */
    for (int i = 0; i < 300; i++) {
        char k[16];
        snprintf(k, sizeof k, "=k%d", i);
        CHECK_OK(vigil__tally_add(st, 77, "outlet", k, 1, &err), &err);
    }
    CHECK_OK(vigil__store_exec(st, "RELEASE item_row", &err), &err);
    vigil__tally_release(st);
    CHECK_INT(tally_n(st, "lang", "=en"), ==, 0); /* not written before the commit */
    CHECK_OK(vigil__store_commit(st, &err), &err);
    CHECK_INT(tally_n(st, "lang", "=en"), ==, 2);
    CHECK_INT(tally_n(st, "lang", "=de"), ==, 0);
    CHECK_INT(tally_n(st, "lang", "=ar"), ==, 3);
    CHECK_INT(tally_n(st, "outlet", "=k299"), ==, 1);
    CHECK_OK(vigil__store_begin(st, &err), &err);
    CHECK_OK(vigil__tally_add(st, 77, "lang", "=en", 10, &err), &err);
    vigil__store_rollback(st);
    CHECK_INT(tally_n(st, "lang", "=en"), ==, 2);
    CHECK_OK(vigil__tally_add(st, 77, "lang", "=en", -1, &err), &err); /* at once */
    CHECK_INT(tally_n(st, "lang", "=en"), ==, 1);
    CHECK_INT(vigil__tally_add(st, 77, "a-dimension-name-too-long", "", 1, &err), ==, VIGIL_EINTERNAL);
    vigil_store_close(st);
}

/* An item's audit events, for the agencies of its operation: what changed,
 * by whom, newest first; not for other agencies (404) or liaisons. */
static void test_item_audit(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_item_result r;
    CHECK_OK(add(st, "ana-eu", "https://t.me/examplechannel/501", "ar", &r, &err), &err);
    CHECK_OK(vigil_item_transition(st, "rev-eu", r.id, "assessed", NULL, NULL, &err), &err);
    json_t *v = NULL;
    CHECK_OK(vigil_item_audit(st, "ana-de", r.id, 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 2);
    json_t *e = json_array_get(v, 0);
    CHECK_STR(json_string_value(json_object_get(e, "action")), "item.assessed");
    CHECK_STR(json_string_value(json_object_get(e, "actor")), "rev-eu");
    CHECK_INT(json_array_size(json_object_get(e, "changed")), ==, 1);
    CHECK_STR(json_string_value(json_array_get(json_object_get(e, "changed"), 0)), "state");
    CHECK(!json_object_get(e, "before") && !json_object_get(e, "after"));
    e = json_array_get(v, 1);
    CHECK_STR(json_string_value(json_object_get(e, "action")), "item.create");
    CHECK_INT(json_array_size(json_object_get(e, "changed")), ==, 0);
    json_decref(v);
    CHECK_OK(vigil_item_audit(st, NULL, r.id, 1, &v, &err), &err); /* admin; limit */
    CHECK_INT(json_array_size(v), ==, 1);
    json_decref(v);
    CHECK_INT(vigil_item_audit(st, "ana-fr", r.id, 0, &v, &err), ==, VIGIL_ENOENT);
    CHECK_INT(vigil_item_audit(st, "tg", r.id, 0, &v, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_item_audit(st, NULL, r.id, -1, &v, &err), ==, VIGIL_ELIMIT);
    CHECK_INT(vigil_item_audit(st, NULL, 999999, 0, &v, &err), ==, VIGIL_ENOENT);
    vigil_store_close(st);
}

/* A re-upload found by its video: a re-encode of a removed item's video
 * (filed under another URL, in another operation too) is marked as its
 * re-upload; another video is not. */
static int64_t reupload_of(vigil_store *st, int64_t id) {
    int64_t of = -1;
    if (vigil__q_int(st, "SELECT coalesce(reupload_of, 0) FROM item WHERE id = ?1", &of, NULL, "i", id) != VIGIL_OK)
        return -1;
    return of;
}

static void test_reupload_by_video(void) {
    if (!make_cluster_videos()) {
        CHECK(!"generating the test videos failed");
        return;
    }
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    int64_t a = 0, b = 0, c = 0;
    CHECK_OK(add_tv(st, "https://t.me/examplechannel/61", NULL, vid_values[0], NULL, &a, &err), &err);
    CHECK_INT(reupload_of(st, a), ==, 0);
    CHECK_OK(vigil_item_transition(st, "rev-eu", a, "assessed", NULL, NULL, &err), &err);
    json_t *docs = NULL;
    CHECK_OK(vigil_refer(st, "coord-eu", "op1", NULL, NULL, NULL, &docs, &err), &err);
    json_decref(docs);
    CHECK_OK(vigil_outcome(st, NULL, a, "removed", NULL, &err), &err);
    /* the re-encode, on another platform */
    CHECK_OK(add_tv(st, "https://www.youtube.com/watch?v=EXAMPLE0061", NULL, vid_values[1], NULL, &b, &err), &err);
    CHECK_INT(reupload_of(st, b), ==, a);
    /* another video: no re-upload */
    CHECK_OK(add_tv(st, "https://vk.com/wall-1_61", NULL, vid_values[3], NULL, &c, &err), &err);
    CHECK_INT(reupload_of(st, c), ==, 0);
    /* another operation, by import (the vpdq column) */
    const char *parts[] = {"DE"};
    CHECK_OK(vigil_op_create(st, "coord-eu", "op-later", "EU", parts, 1, NULL, NULL, &err), &err);
    size_t cap = strlen(vid_values[1]) + 200;
    char *csv = malloc(cap);
    CHECK(csv);
    snprintf(csv, cap, "url,vpdq\nhttps://x.com/example/status/61,%s\n", vid_values[1]);
    FILE *fp = fmemopen(csv, strlen(csv), "r");
    CHECK(fp);
    vigil_item_import_stats stats;
    CHECK_OK(vigil_item_import(st, "ana-eu", "op-later", fp, NULL, &stats, &err), &err);
    fclose(fp);
    free(csv);
    int64_t d = 0;
    CHECK_OK(vigil__q_int(st, "SELECT max(id) FROM item", &d, &err, ""), &err);
    CHECK_INT(reupload_of(st, d), ==, a);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "op-later", &r, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(r, "reuploads")), ==, 1);
    json_decref(r);
    vigil_store_close(st);
}

static void test_demo(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    CHECK_OK(vigil_demo(st, 120, 7, &err), &err);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "demo-action-day", &r, &err), &err);
    int64_t items = json_integer_value(json_object_get(r, "items"));
    int64_t reports = json_integer_value(json_object_get(r, "reports"));
    CHECK_INT(items, >, 90);
    CHECK_INT(reports, >, items); /* URL variants merged */
    CHECK_INT(json_integer_value(json_object_get(r, "languages")), ==, 8);
    CHECK_INT(json_integer_value(json_object_get(r, "new_platforms")), ==, 3);
    CHECK_INT(json_integer_value(json_object_get(r, "removed")), >, 0);
    CHECK_INT(json_integer_value(json_object_get(r, "reuploads")), >=, 1);
    CHECK(json_is_integer(json_object_get(r, "median_removal_seconds")));
    json_decref(r);
    CHECK_INT(vigil_demo(st, 10, 1, &err), ==, VIGIL_EEXIST);
    vigil_store_close(st);
}

const test_case suite_case[] = {
    {"case/time", test_time},
    {"case/actors_and_operations", test_actors},
    {"case/dedup_across_url_variants_and_agencies", test_dedup},
    {"case/intake_errors_change_nothing", test_intake_errors},
    {"case/new_platforms", test_new_platform},
    {"case/holds", test_holds},
    {"case/refer_outcome_reupload_report", test_refer_outcome_reupload},
    {"case/removal_orders_and_tco", test_orders},
    {"case/import", test_import},
    {"case/audit_tamper", test_audit_tamper},
    {"case/audit_head_at_commit", test_audit_head_at_commit},
    {"case/text_language_at_intake", test_text_language},
    {"case/demo", test_demo},
    {"case/clusters", test_clusters},
    {"case/list_filters_and_orders", test_list_filters_sort},
    {"case/clusters_import", test_clusters_import},
    {"case/clusters_by_text", test_clusters_text},
    {"case/clusters_by_video", test_clusters_video},
    {"case/clusters_import_text_video", test_clusters_import_text_video},
    {"case/report_same_figures_as_before", test_report_same_figures},
    {"case/report_totals_after_random_work", test_report_totals_random},
    {"case/tally_savepoints", test_tally_savepoints},
    {"case/item_audit_events", test_item_audit},
    {"case/reupload_by_video", test_reupload_by_video},
    {NULL, NULL},
};
