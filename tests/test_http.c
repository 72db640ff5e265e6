/*
 * tests/test_http.c - the HTTP API end to end over loopback (libcurl as the
 * client): the role x route x tenant matrix with the exact status of every
 * cell, bad input (oversized, malformed, deeply nested, wrong types,
 * invalid UTF-8, unknown fields, bad hex, bad cursors, wrong media types),
 * no partial writes, slow and too many connections, the audit trail of API
 * writes, metrics, and docs/openapi.yaml against the route table.
 */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "imggen.h"
#include "test.h"
#include "vigil/auth.h"
#include "vigil/bank.h"
#include "vigil/case.h"
#include "video/video_internal.h"
#include "vigil/http.h"
#include "vigil/video.h"

#define role_users test_role_users

static char g_template[1024], g_db[1100];
static char g_tokens[TEST_N_ROLES][VIGIL_TOKEN_LEN + 1];
static vigil_server *g_srv;
static unsigned g_port;

/* ---- fixture ----------------------------------------------------------------------- */

/* The template store (tests/fixture.c): op1 (EU + DE) and op2 (FR) with
 * items, referrals, holds, orders, a bank, and a user per role. */
static int build_template(void) {
    test_db_named("http-template.db", g_template, sizeof g_template);
    return test_case_fixture(g_template, g_tokens);
}

/* (Re)starts the server on a fresh copy of the template. */
static int start(unsigned timeout_s, unsigned per_ip) {
    if (g_srv) vigil_server_stop(g_srv);
    g_srv = NULL;
    test_db_named("http.db", g_db, sizeof g_db);
    if (test_store_copy(g_template, g_db) != 0) return -1;
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = g_db;
    o.listen = "127.0.0.1:0";
    o.timeout_s = timeout_s;
    o.per_ip = per_ip;
    o.max_body = 1u << 20;
    vigil_err err;
    if (vigil_server_start(&o, &g_srv, &err) != VIGIL_OK) {
        fprintf(stderr, "server: %s\n", err.msg);
        return -1;
    }
    g_port = vigil_server_port(g_srv);
    return 0;
}

static void stop(void) {
    vigil_server_stop(g_srv);
    g_srv = NULL;
}

/* ---- the client ------------------------------------------------------------------------ */

typedef struct buf {
    char *p;
    size_t n;
} buf;

static size_t on_data(char *d, size_t sz, size_t nm, void *ctx) {
    buf *b = ctx;
    size_t n = sz * nm;
    char *np = realloc(b->p, b->n + n + 1);
    if (!np) return 0;
    memcpy(np + b->n, d, n);
    b->p = np;
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

/* One request; returns the status (0: transport error); *resp (NULL ok)
 * receives the body (free it). */
static long req(const char *method, const char *path, const char *token, const char *ctype,
                const void *body, size_t len, char **resp) {
    CURL *c = curl_easy_init();
    if (!c) return 0;
    char url[2048], auth[128], ct[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", g_port, path);
    struct curl_slist *hd = NULL;
    if (token) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
        hd = curl_slist_append(hd, auth);
    }
    snprintf(ct, sizeof ct, "Content-Type: %s", ctype ? ctype : "application/json");
    hd = curl_slist_append(hd, ct);
    hd = curl_slist_append(hd, "Expect:");
    buf b = {NULL, 0};
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    }
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
    if (resp) *resp = b.p;
    else free(b.p);
    return status;
}

static long jreq(const char *method, const char *path, int role, const char *json, char **resp) {
    return req(method, path, role ? g_tokens[role] : NULL, "application/json", json,
               json ? strlen(json) : 0, resp);
}

/* ---- the matrix ----------------------------------------------------------------------------- */

typedef struct cell {
    const char *method, *path, *ctype, *body;
    const char *expect; /* statuses for none analyst reviewer coordinator liaison admin */
} cell;

static uint8_t *g_png;
static size_t g_png_len;

static const cell matrix[] = {
    {"POST", "/v1/hash", "image/png", "@png", "401 200 200 200 200 200"},
    {"POST", "/v1/match", NULL, "{\"hashes\":[\"pdq:f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22\"]}", "401 200 200 200 200 200"},
    {"POST", "/v1/match", "image/png", "@png", "401 200 200 200 200 200"},
    {"GET", "/v1/banks", NULL, NULL, "401 200 200 200 403 200"},
    {"POST", "/v1/banks", NULL, "{\"name\":\"b2\"}", "401 403 403 201 403 201"},
    {"GET", "/v1/banks/b1", NULL, NULL, "401 200 200 200 403 200"},
    {"GET", "/v1/banks/nope", NULL, NULL, "401 404 404 404 403 404"},
    {"POST", "/v1/banks/b1/entries", NULL, "{\"signal_type\":\"md5\",\"value\":\"0123456789abcdef0123456789abcdef\",\"labels\":{\"entity\":\"x\"}}", "401 403 403 201 403 201"},
    {"DELETE", "/v1/banks/b1/entries/1", NULL, NULL, "401 403 403 200 403 200"},
    {"POST", "/v1/banks/b1/import", "text/csv", "signal_type,signal_value\nmd5,0123456789abcdef0123456789abcdef\n", "401 403 403 200 403 200"},
    {"GET", "/v1/agencies", NULL, NULL, "401 200 200 200 200 200"},
    {"POST", "/v1/agencies", NULL, "{\"code\":\"NEW\"}", "401 403 403 403 403 201"},
    {"GET", "/v1/users", NULL, NULL, "401 403 403 403 403 200"},
    {"POST", "/v1/users", NULL, "{\"name\":\"u9\",\"role\":\"analyst\",\"agency\":\"EU\"}", "401 403 403 403 403 201"},
    {"POST", "/v1/users/ana-fr/revoke", NULL, NULL, "401 403 403 403 403 200"},
    {"GET", "/v1/platforms", NULL, NULL, "401 200 200 200 200 200"},
    {"POST", "/v1/platforms", NULL, "{\"name\":\"P9\",\"kind\":\"forum\",\"domains\":[\"p9.example\"]}", "401 403 403 201 403 201"},
    {"PATCH", "/v1/platforms/Telegram", NULL, "{\"contact\":\"abuse@example.org\"}", "401 403 403 200 403 200"},
    {"GET", "/v1/operations", NULL, NULL, "401 200 200 200 403 200"},
    {"POST", "/v1/operations", NULL, "{\"name\":\"op9\",\"coordinator\":\"EU\"}", "401 403 403 201 403 201"},
    {"GET", "/v1/operations/op1", NULL, NULL, "401 200 200 200 403 200"},
    {"GET", "/v1/operations/op2", NULL, NULL, "401 403 403 403 403 200"},
    {"POST", "/v1/operations/op1/close", NULL, NULL, "401 403 403 200 403 200"},
    {"POST", "/v1/operations/op2/close", NULL, NULL, "401 403 403 403 403 200"},
    {"GET", "/v1/operations/op1/report", NULL, NULL, "401 200 200 200 403 200"},
    {"GET", "/v1/operations/op2/report", NULL, NULL, "401 403 403 403 403 200"},
    {"POST", "/v1/operations/op1/report/recount", NULL, NULL, "401 403 403 403 403 200"},
    {"GET", "/v1/operations/op1/clusters", NULL, NULL, "401 200 200 200 403 200"},
    {"GET", "/v1/operations/op2/clusters", NULL, NULL, "401 403 403 403 403 200"},
    {"POST", "/v1/operations/op1/clusters/1/refer", NULL, NULL, "401 403 403 201 403 201"},
    {"POST", "/v1/operations/op2/clusters/4/refer", NULL, NULL, "401 403 403 403 403 201"},
    {"POST", "/v1/operations/op1/items/import", "text/csv", "url\nhttps://t.me/newchan/1\n", "401 200 200 200 403 200"},
    {"POST", "/v1/operations/op2/items/import", "text/csv", "url\nhttps://t.me/newchan/1\n", "401 403 403 403 403 400"},
    {"GET", "/v1/items", NULL, NULL, "401 200 200 200 200 200"},
    {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"url\":\"https://t.me/newchan/2\",\"languages\":[\"ar\"]}", "401 201 201 201 403 201"},
    {"POST", "/v1/items", NULL, "{\"op\":\"op2\",\"url\":\"https://t.me/newchan/2\"}", "401 403 403 403 403 403"},
    {"POST", "/v1/items/preview", NULL, "{\"op\":\"op1\",\"urls\":[\"https://t.me/chan/1\",\"https://newsite.example/x\"]}", "401 200 200 200 403 200"},
    {"POST", "/v1/items/preview", NULL, "{\"op\":\"op2\",\"urls\":[\"https://t.me/chan/1\"]}", "401 403 403 403 403 403"},
    {"GET", "/v1/items/1", NULL, NULL, "401 200 200 200 200 200"},
    {"GET", "/v1/items/4", NULL, NULL, "401 404 404 404 404 200"},
    {"GET", "/v1/items/2", NULL, NULL, "401 200 200 200 404 200"},
    {"GET", "/v1/items/1/audit", NULL, NULL, "401 200 200 200 403 200"},
    {"GET", "/v1/items/4/audit", NULL, NULL, "401 404 404 404 403 200"},
    {"POST", "/v1/items/2/assess", NULL, NULL, "401 403 200 200 403 200"},
    {"POST", "/v1/items/2/assess", NULL, "{\"expect\":\"assessed\"}", "401 403 409 409 403 409"},
    {"POST", "/v1/items/4/assess", NULL, NULL, "401 403 404 404 403 200"},
    {"POST", "/v1/items/2/reject", NULL, "{\"note\":\"below the threshold\"}", "401 403 200 200 403 200"},
    {"POST", "/v1/items/4/reject", NULL, "{\"note\":\"below the threshold\"}", "401 403 404 404 403 200"},
    {"POST", "/v1/items/1/outcome", NULL, "{\"outcome\":\"removed\"}", "401 403 200 200 200 200"},
    {"POST", "/v1/items/6/outcome", NULL, "{\"outcome\":\"removed\"}", "401 403 404 404 404 200"},
    {"GET", "/v1/holds", NULL, NULL, "401 200 200 200 403 200"},
    {"POST", "/v1/holds", NULL, "{\"agency\":\"EU\",\"prefix\":\"https://t.me/zzz\",\"reason\":\"r\"}", "401 201 201 201 403 201"},
    {"POST", "/v1/holds", NULL, "{\"agency\":\"FR\",\"prefix\":\"https://t.me/zzz\",\"reason\":\"r\"}", "401 403 403 403 403 201"},
    {"POST", "/v1/holds/1/release", NULL, NULL, "401 200 200 200 403 200"},
    {"POST", "/v1/holds/2/release", NULL, NULL, "401 403 403 403 403 200"},
    {"GET", "/v1/referrals", NULL, NULL, "401 200 200 200 200 200"},
    {"POST", "/v1/referrals", NULL, "{\"op\":\"op1\"}", "401 403 403 201 403 201"},
    {"POST", "/v1/referrals", NULL, "{\"op\":\"op2\"}", "401 403 403 403 403 201"},
    {"GET", "/v1/orders", NULL, NULL, "401 403 200 200 200 200"},
    {"POST", "/v1/orders", NULL, "{\"authority\":\"EU\",\"url\":\"https://t.me/chan/99\"}", "401 403 403 201 403 201"},
    {"POST", "/v1/orders/1/ack", NULL, NULL, "401 403 403 200 200 200"},
    {"POST", "/v1/orders/2/ack", NULL, NULL, "401 403 403 200 404 200"},
    {"POST", "/v1/orders/1/done", NULL, NULL, "401 403 403 200 200 200"},
    {"POST", "/v1/orders/2/done", NULL, NULL, "401 403 403 200 404 200"},
    {"POST", "/v1/orders/1/fail", NULL, "{\"reason\":\"force_majeure\"}", "401 403 403 200 200 200"},
    {"POST", "/v1/orders/2/fail", NULL, "{\"reason\":\"force_majeure\"}", "401 403 403 200 404 200"},
    {"GET", "/v1/reports/tco?year=2026", NULL, NULL, "401 403 403 200 403 200"},
    {"GET", "/v1/audit/verify", NULL, NULL, "401 403 403 200 403 200"},
    {"GET", "/v1/audit?limit=5", NULL, NULL, "401 403 403 403 403 200"},
    {"POST", "/v1/session", NULL, "{\"name\":\"nobody\",\"password\":\"wrong-password-1\"}", "401 401 401 401 401 401"},
    {"GET", "/v1/session", NULL, NULL, "401 200 200 200 200 200"},
    {"DELETE", "/v1/session", NULL, NULL, "401 200 200 200 200 200"},
    {"POST", "/v1/session/password", NULL, "{\"current\":\"wrong-password-1\",\"new\":\"another-password-2\"}", "401 403 403 403 403 403"},
};

static void test_matrix(void) {
    if (start(15, 64) != 0) CHECK(0);
    int failures = 0, cells = 0, restarts = 0;
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        const cell *m = &matrix[i];
        const char *e = m->expect;
        for (int r = 0; r < TEST_N_ROLES; r++) {
            long want = strtol(e, (char **)&e, 10);
            const void *body = m->body;
            size_t len = m->body ? strlen(m->body) : 0;
            if (m->body && strcmp(m->body, "@png") == 0) body = g_png, len = g_png_len;
            char *resp = NULL;
            long got = req(m->method, m->path, r ? g_tokens[r] : NULL, m->ctype, body, len, &resp);
            cells++;
            if (got != want) {
                failures++;
                fprintf(stderr, "    %s %s as %s: %ld, want %ld: %.200s\n", m->method, m->path,
                        r ? role_users[r] : "(no token)", got, want, resp ? resp : "");
            } else if (got >= 400 && (!resp || !strstr(resp, "\"error\":{\"code\":"))) {
                failures++;
                fprintf(stderr, "    %s %s: error body is not {\"error\":{...}}: %s\n", m->method, m->path, resp ? resp : "");
            }
            free(resp);
            if (got >= 200 && got < 300 && strcmp(m->method, "GET") != 0) { /* a write happened */
                if (start(15, 64) != 0) CHECK(0);
                restarts++;
            }
        }
    }
    stop();
    fprintf(stderr, "    %d cells (%zu requests x %d roles, own and other tenant), %d restarts\n", cells,
            sizeof matrix / sizeof matrix[0], TEST_N_ROLES, restarts);
    CHECK_INT(failures, ==, 0);
}

/* Every route of the table is in the matrix. */
typedef struct seen {
    int missing;
} seen;

static void check_in_matrix(void *ctx, const char *method, const char *path) {
    seen *s = ctx;
    if (path[1] != 'v') return; /* /healthz, /metrics: no token, tested below */
    for (size_t i = 0; i < sizeof matrix / sizeof matrix[0]; i++) {
        /* the matrix path with ids, the route with {params}: compare by shape */
        const char *a = matrix[i].path, *b = path;
        if (strcmp(matrix[i].method, method) != 0) continue;
        int ok = 1;
        while (*a && *b && ok) {
            if (*b == '{') {
                while (*b && *b != '/') b++;
                while (*a && *a != '/' && *a != '?') a++;
            } else if (*a == *b) {
                a++, b++;
            } else {
                ok = 0;
            }
        }
        if (ok && !*b && (!*a || *a == '?')) return;
    }
    fprintf(stderr, "    route %s %s is not in the matrix\n", method, path);
    s->missing++;
}

static void test_matrix_covers_routes(void) {
    seen s = {0};
    vigil_server_routes(check_in_matrix, &s);
    CHECK_INT(s.missing, ==, 0);
}

/* ---- bad input -------------------------------------------------------------------------------- */

static int64_t count_items(void) {
    vigil_store *st = NULL;
    json_t *v = NULL;
    int64_t n = -1;
    vigil_item_filter f = {.limit = 10000};
    if (vigil_store_open(g_db, &st, NULL) == VIGIL_OK && vigil_item_list(st, NULL, &f, &v, NULL) == VIGIL_OK)
        n = (int64_t)json_array_size(json_object_get(v, "items"));
    json_decref(v);
    vigil_store_close(st);
    return n;
}

static void test_bad_input(void) {
    if (start(15, 64) != 0) CHECK(0);
    char *resp = NULL;
    int64_t before = count_items();
    struct {
        const char *method, *path, *ctype, *body;
        long want;
        const char *code;
    } cases[] = {
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",", 400, "bad_json"},
        {"POST", "/v1/items", NULL, "[1,2]", 400, "bad_json"},
        {"POST", "/v1/items", NULL, "{\"op\":5,\"url\":\"https://t.me/x/1\"}", 400, "wrong_type"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"url\":\"https://t.me/x/1\",\"colour\":\"red\"}", 400, "unknown_field"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\"}", 400, "missing_field"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"url\":\"ftp://x\"}", 400, "bad_request"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"url\":\"https://t.me/x/1\",\"languages\":[\"klingon\"]}", 400, "bad_request"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"op\":\"op2\",\"url\":\"https://t.me/x/1\"}", 400, "bad_json"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"url\":\"https://t.me/x/1\",\"vpdq\":\"vpdq1:AAAA\"}", 400, "bad_request"},
        {"POST", "/v1/items", NULL, "{\"op\":\"op1\",\"url\":\"https://t.me/x/1\",\"vpdq\":7}", 400, "wrong_type"},
        {"POST", "/v1/items", "text/plain", "{\"op\":\"op1\",\"url\":\"https://t.me/x/1\"}", 415, "unsupported_media"},
        {"POST", "/v1/match", NULL, "{\"hashes\":[\"pdq:zz\"]}", 400, "bad_request"},
        {"POST", "/v1/match", NULL, "{\"hashes\":[\"sha1:00\"]}", 400, "bad_request"},
        {"POST", "/v1/match", NULL, "{\"hashes\":\"x\"}", 400, "wrong_type"},
        {"POST", "/v1/match", "image/png", "not an image", 415, "unsupported_media"},
        {"GET", "/v1/items?after=abc", NULL, NULL, 400, "bad_cursor"},
        {"GET", "/v1/items?after=-5", NULL, NULL, 400, "bad_cursor"},
        {"GET", "/v1/items?limit=0", NULL, NULL, 400, "bad_request"},
        {"GET", "/v1/items/1/audit?limit=0", NULL, NULL, 400, "bad_request"},
        {"GET", "/v1/items/1/audit?limit=5x", NULL, NULL, 400, "bad_request"},
        {"GET", "/v1/operations/op1/clusters?limit=10001", NULL, NULL, 400, "bad_request"},
        {"GET", "/v1/items?colour=red", NULL, NULL, 400, "bad_request"},
        {"GET", "/v1/items/abc", NULL, NULL, 400, "bad_id"},
        {"GET", "/v1/nothing", NULL, NULL, 404, "not_found"},
        {"DELETE", "/v1/items", NULL, NULL, 405, "method_not_allowed"},
        {"POST", "/v1/reports/tco?year=abc", NULL, NULL, 405, "method_not_allowed"},
        {"GET", "/v1/reports/tco?year=abc", NULL, NULL, 400, "bad_request"},
    };
    int failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long got = req(cases[i].method, cases[i].path, g_tokens[5], cases[i].ctype, cases[i].body,
                       cases[i].body ? strlen(cases[i].body) : 0, &resp);
        char code[64];
        snprintf(code, sizeof code, "\"code\":\"%s\"", cases[i].code);
        if (got != cases[i].want || !resp || !strstr(resp, code)) {
            failures++;
            fprintf(stderr, "    case %zu %s %s: %ld %s\n", i, cases[i].method, cases[i].path, got, resp ? resp : "");
        }
        free(resp);
        resp = NULL;
    }
    CHECK_INT(failures, ==, 0);
    /* a malformed video hash names its field */
    CHECK_INT(jreq("POST", "/v1/items", 5, "{\"op\":\"op1\",\"url\":\"https://t.me/x/1\",\"vpdq\":\"hello\"}", &resp),
              ==, 400);
    CHECK(resp && strstr(resp, "\"field\":\"vpdq\"") && strstr(resp, "bad video value"));
    free(resp);
    resp = NULL;
    /* invalid UTF-8 inside a JSON string */
    const char bad_utf8[] = "{\"op\":\"op1\",\"url\":\"https://t.me/x/\xff\xfe\"}";
    CHECK_INT(jreq("POST", "/v1/items", 5, bad_utf8, NULL), ==, 400);
    /* deeply nested JSON */
    size_t depth = 100000;
    char *deep = malloc(2 * depth + 16);
    CHECK(deep);
    memset(deep, '[', depth);
    memset(deep + depth, ']', depth);
    deep[2 * depth] = '\0';
    long st = jreq("POST", "/v1/items", 5, deep, &resp);
    free(deep);
    CHECK_INT(st, ==, 400);
    free(resp);
    /* oversized body: 413, connection closed, server fine */
    size_t big = (1u << 20) + 10;
    char *huge = malloc(big + 1);
    CHECK(huge);
    memset(huge, ' ', big);
    huge[0] = '{';
    huge[big - 1] = '}';
    huge[big] = '\0';
    st = jreq("POST", "/v1/items", 5, huge, &resp);
    free(huge);
    CHECK_INT(st, ==, 413);
    CHECK(resp && strstr(resp, "too_large"));
    free(resp);
    /* a batch over 1000 hashes */
    size_t cap = 1100 * 72 + 32;
    char *batch = malloc(cap), *p = batch;
    CHECK(batch);
    p += sprintf(p, "{\"hashes\":[");
    for (int i = 0; i < 1001; i++) p += sprintf(p, "%s\"md5:0123456789abcdef0123456789abcdef\"", i ? "," : "");
    sprintf(p, "]}");
    st = jreq("POST", "/v1/match", 5, batch, NULL);
    batch[strlen(batch) - 2] = '\0';
    char *last = strrchr(batch, ',');
    if (last) sprintf(last, "]}");
    long st2 = jreq("POST", "/v1/match", 5, batch, &resp);
    free(batch);
    CHECK_INT(st, ==, 413);
    CHECK_INT(st2, ==, 200);
    CHECK(resp && strstr(resp, "\"results\":["));
    free(resp);
    /* nothing was written by any of it */
    stop();
    CHECK_INT(count_items(), ==, before);
    vigil_store *s = NULL;
    int64_t n, badid;
    CHECK_OK(vigil_store_open(g_db, &s, NULL), NULL);
    CHECK_OK(vigil_audit_verify(s, NULL, &n, &badid, NULL), NULL);
    vigil_store_close(s);
}

/* An item filed through the API names its user in the audit chain; tenancy
 * of lists; pagination. */
/* Content clusters and the queue's filters and orders over HTTP. */
static void test_clusters_and_queue(void) {
    if (start(15, 64) != 0) CHECK(0);
    char *resp = NULL;
    CHECK_INT(jreq("POST", "/v1/items", 1, "{\"op\":\"op1\",\"url\":\"https://t.me/copies/1\",\"hashes\":[\"md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}", NULL), ==, 201);
    CHECK_INT(jreq("POST", "/v1/items", 1, "{\"op\":\"op1\",\"url\":\"https://www.youtube.com/watch?v=COPIES00001\",\"hashes\":[\"md5:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"]}", NULL), ==, 201);
    CHECK_INT(jreq("GET", "/v1/operations/op1/clusters", 1, NULL, &resp), ==, 200);
    json_t *v = resp ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    CHECK(json_is_array(v));
    json_t *c = json_array_get(v, json_array_size(v) - 1);
    CHECK_INT(json_integer_value(json_object_get(c, "items")), ==, 2);
    CHECK_INT(json_integer_value(json_object_get(c, "platform_count")), ==, 2);
    char path[128];
    snprintf(path, sizeof path, "/v1/operations/op1/clusters/%lld/refer",
             (long long)json_integer_value(json_object_get(c, "id")));
    json_decref(v);
    CHECK_INT(jreq("GET", "/v1/operations/op1/clusters", 4, NULL, NULL), ==, 403);
    CHECK_INT(jreq("GET", "/v1/operations/op1/clusters?limit=0", 1, NULL, NULL), ==, 400);
    CHECK_INT(jreq("POST", path, 1, NULL, NULL), ==, 403);
    CHECK_INT(jreq("POST", path, 3, "{}", &resp), ==, 201); /* nothing assessed yet */
    CHECK(resp && strstr(resp, "\"referrals\":[]"));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/operations/op1/clusters/abc/refer", 3, NULL, NULL), ==, 400);
    CHECK_INT(jreq("POST", "/v1/operations/op1/clusters/999999/refer", 3, NULL, NULL), ==, 404);
    CHECK_INT(jreq("GET", "/v1/operations/op1/report", 1, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"contents\":"));
    free(resp);
    /* an item's copies say which links join them to it (via), no hash shown */
    int64_t p1 = 0, p2 = 0;
    CHECK_INT(jreq("POST", "/v1/items", 1, "{\"op\":\"op1\",\"url\":\"https://vk.com/wall-7_7\",\"hashes\":[\"pdq:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff\"]}", &resp), ==, 201);
    v = resp ? json_loads(resp, 0, NULL) : NULL;
    p1 = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    free(resp);
    CHECK_INT(jreq("POST", "/v1/items", 1, "{\"op\":\"op1\",\"url\":\"https://x.com/copies/status/7\",\"hashes\":[\"pdq:fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff0\",\"md5:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"]}", &resp), ==, 201);
    v = resp ? json_loads(resp, 0, NULL) : NULL;
    p2 = json_integer_value(json_object_get(v, "id"));
    json_decref(v);
    free(resp);
    snprintf(path, sizeof path, "/v1/items/%lld", (long long)p1);
    CHECK_INT(jreq("GET", path, 1, NULL, &resp), ==, 200);
    v = resp ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    json_t *copies = json_object_get(json_object_get(v, "cluster"), "copies");
    CHECK_INT(json_array_size(copies), ==, 3); /* the two MD5 copies, then p2 */
    for (size_t i = 0; i < json_array_size(copies); i++) {
        json_t *x = json_array_get(copies, i), *via = json_object_get(x, "via");
        char *vs = json_dumps(via, JSON_COMPACT);
        if (json_integer_value(json_object_get(x, "id")) == p2)
            CHECK_STR(vs ? vs : "", "[{\"signal\":\"pdq\",\"distance\":4}]");
        else
            CHECK_STR(vs ? vs : "", "[]"); /* through p2 */
        free(vs);
    }
    json_decref(v);
    snprintf(path, sizeof path, "/v1/items/%lld", (long long)p2);
    CHECK_INT(jreq("GET", path, 2, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"via\":[{\"signal\":\"md5\"}]") && strstr(resp, "\"via\":[{\"signal\":\"pdq\",\"distance\":4}]"));
    free(resp);
    /* the queue: agency and reporter filters, orders, offset paging */
    CHECK_INT(jreq("GET", "/v1/items?op=op1&agency=EU&reporter=ana-eu&sort=-id&limit=1", 2, NULL, &resp), ==, 200);
    v = resp ? json_loads(resp, 0, NULL) : NULL;
    free(resp);
    CHECK_INT(json_array_size(json_object_get(v, "items")), ==, 1);
    CHECK(json_is_integer(json_object_get(v, "next_offset")));
    CHECK(json_is_null(json_object_get(v, "next")));
    json_decref(v);
    CHECK_INT(jreq("GET", "/v1/items?op=op1&sort=-id&offset=1&limit=1", 2, NULL, NULL), ==, 200);
    CHECK_INT(jreq("GET", "/v1/items?op=op1&sort=colour", 2, NULL, &resp), ==, 400);
    CHECK(resp && strstr(resp, "unknown order"));
    free(resp);
    CHECK_INT(jreq("GET", "/v1/items?op=op1&offset=-1", 2, NULL, NULL), ==, 400);
    stop();
}

static void test_audit_and_tenancy(void) {
    if (start(15, 64) != 0) CHECK(0);
    char *resp = NULL;
    CHECK_INT(jreq("POST", "/v1/items", 1, "{\"op\":\"op1\",\"url\":\"https://t.me/audited/7\"}", &resp), ==, 201);
    free(resp);
    CHECK_INT(jreq("GET", "/v1/audit?limit=1", 5, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"actor\":\"ana-eu\"") && strstr(resp, "\"action\":\"item.create\""));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3, "{\"signal_type\":\"md5\",\"value\":\"00112233445566778899aabbccddeeff\"}", NULL), ==, 201);
    CHECK_INT(jreq("GET", "/v1/audit?limit=1", 5, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"actor\":\"coord-eu\"") && strstr(resp, "\"action\":\"bank.add\""));
    free(resp);
    /* the new entry matches at once (the matcher reloads) */
    CHECK_INT(jreq("POST", "/v1/match", 4, "{\"hashes\":[\"md5:00112233445566778899AABBCCDDEEFF\"]}", &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"bank\":\"b1\""));
    free(resp);
    /* a bank change made by another process (the CLI) is seen within the 2 s poll */
    {
        vigil_store *other = NULL;
        vigil_entry_spec e = {.signal = VIGIL_SIGNAL_SHA256,
                              .value = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"};
        CHECK_OK(vigil_store_open(g_db, &other, NULL), NULL);
        CHECK_OK(vigil_bank_add(other, "b1", &e, NULL, NULL, NULL), NULL);
        vigil_store_close(other);
        struct timespec pause = {2, 300000000};
        nanosleep(&pause, NULL);
        CHECK_INT(jreq("POST", "/v1/match", 4, "{\"hashes\":[\"sha256:00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"]}", &resp), ==, 200);
        CHECK(resp && strstr(resp, "\"bank\":\"b1\""));
        free(resp);
    }
    /* the liaison sees only what was referred to Telegram */
    CHECK_INT(jreq("GET", "/v1/items", 4, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"id\":1,") && strstr(resp, "\"id\":5,") && !strstr(resp, "\"id\":2,") &&
          !strstr(resp, "\"id\":6,"));
    free(resp);
    CHECK_INT(jreq("GET", "/v1/referrals", 4, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"platform\":\"Telegram\"") && !strstr(resp, "\"platform\":\"YouTube\""));
    free(resp);
    CHECK_INT(jreq("GET", "/v1/orders", 4, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"platform\":\"Telegram\"") && !strstr(resp, "YouTube"));
    free(resp);
    /* an agency user sees their operations' items only */
    CHECK_INT(jreq("GET", "/v1/items?limit=100", 1, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"operation\":\"op1\"") && !strstr(resp, "\"operation\":\"op2\""));
    free(resp);
    /* pagination */
    CHECK_INT(jreq("GET", "/v1/items?limit=2", 5, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"next\":2"));
    free(resp);
    CHECK_INT(jreq("GET", "/v1/items?limit=2&after=2", 5, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"id\":3,") && strstr(resp, "\"next\":4"));
    free(resp);
    /* revoked tokens stop working */
    CHECK_INT(jreq("POST", "/v1/users/ana-eu/revoke", 5, NULL, NULL), ==, 200);
    CHECK_INT(jreq("GET", "/v1/items", 1, NULL, NULL), ==, 401);
    /* health and metrics need no token */
    CHECK_INT(req("GET", "/healthz", NULL, NULL, NULL, 0, &resp), ==, 200);
    free(resp);
    CHECK_INT(req("GET", "/metrics", NULL, NULL, NULL, 0, &resp), ==, 200);
    CHECK(resp && strstr(resp, "vigil_http_requests_total{route=\"POST /v1/items\",status=\"201\"} 1") &&
          strstr(resp, "vigil_http_request_duration_seconds_bucket") && strstr(resp, "vigil_index_entries 3") &&
          strstr(resp, "vigil_removal_orders_open 2") && strstr(resp, "vigil_removal_orders_overdue"));
    free(resp);
    stop();
}

/* ---- the video and TMK matchers, kept between requests ------------------------------------ */

/* A synthetic TMK value (seed: which one). */
static char *tmk_value(unsigned seed) {
    vigil_tmk *t = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *value = NULL;
    if (vigil__tmk_new(&t, NULL) != VIGIL_OK) return NULL;
    unsigned x = seed * 2654435761u + 1;
    t->frame_count = 60;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) {
        x = x * 1103515245u + 12345u;
        t->avg[k] = (float)((x >> 8) % 2001) - 1000.0f;
    }
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++)
        for (int j = 0; j < VIGIL_TMK_COEFFS; j++)
            for (int k = 0; k < VIGIL_TMK_DIM; k++) {
                x = x * 1103515245u + 12345u;
                t->cos_f[i][j][k] = (float)((x >> 8) % 2001) - 1000.0f;
                t->sin_f[i][j][k] = (float)((x >> 9) % 2001) - 1000.0f;
            }
    vigil__tmk_finish(t);
    if (vigil_tmk_write(t, &bytes, &len, NULL) == VIGIL_OK) vigil_tmk_value_from_file(bytes, len, &value, NULL);
    free(bytes);
    vigil_tmk_free(t);
    return value;
}

/* A synthetic vpdq1 value: 20 frames at 1 frame/s. */
static char *video_value(unsigned seed) {
    vigil_video_frame fr[20];
    vigil_video_hash v;
    memset(&v, 0, sizeof v);
    unsigned x = seed * 2654435761u + 7;
    for (int i = 0; i < 20; i++) {
        memset(&fr[i], 0, sizeof fr[i]);
        fr[i].start_ms = (uint32_t)i * 1000;
        fr[i].duration_ms = 1000;
        fr[i].quality = 90;
        fr[i].number = -1;
        fr[i].time = i;
        for (int b = 0; b < 32; b++) {
            x = x * 1103515245u + 12345u;
            fr[i].pdq.bytes[b] = (uint8_t)(x >> 16);
        }
    }
    v.frames = fr;
    v.n = 20;
    v.fps_milli = 1000;
    char *out = NULL;
    return vigil_video_serialize(&v, &out, NULL) == VIGIL_OK ? out : NULL;
}

/* The count of `metric{LABEL="VALUE"}` in /metrics, -1 when absent. */
static long metric_of(const char *name, const char *label, const char *value) {
    char *resp = NULL, key[128];
    long v = -1;
    if (req("GET", "/metrics", NULL, NULL, NULL, 0, &resp) == 200 && resp) {
        snprintf(key, sizeof key, "%s{%s=\"%s\"} ", name, label, value);
        const char *p = strstr(resp, key);
        if (p) v = strtol(p + strlen(key), NULL, 10);
    }
    free(resp);
    return v;
}

/* The count of `metric{kind="KIND"}` in /metrics, -1 when absent. */
static long metric(const char *name, const char *kind) { return metric_of(name, "kind", kind); }

/* The operation report is computed once per change of the store and per
 * user: asked again, the same figures come from the memo (/metrics counts
 * a hit); another user gets their own answer (a 403 stays a 403); any write
 * moves the store's mark, so the next report counts the new item. */
static long memo_hits(void) { return metric_of("vigil_report_memo_total", "result", "hit"); }

static long report_items(int tok, const char *op) {
    char path[128], *resp = NULL;
    snprintf(path, sizeof path, "/v1/operations/%s/report", op);
    long n = -1;
    if (jreq("GET", path, tok, NULL, &resp) == 200 && resp) {
        json_t *v = json_loads(resp, 0, NULL);
        n = (long)json_integer_value(json_object_get(v, "items"));
        json_decref(v);
    }
    free(resp);
    return n;
}

static void test_report_memo(void) {
    if (start(15, 64) != 0) CHECK(0);
    long h0 = memo_hits();
    CHECK_INT(h0, ==, 0);
    long n = report_items(1, "op1");
    CHECK_INT(n, >, 0);
    CHECK_INT(report_items(1, "op1"), ==, n);
    CHECK_INT(memo_hits(), ==, 1);
    CHECK_INT(report_items(5, "op2"), >=, 0); /* the admin's, kept */
    CHECK_INT(jreq("GET", "/v1/operations/op2/report", 1, NULL, NULL), ==, 403);
    CHECK_INT(jreq("GET", "/v1/operations/op2/report", 1, NULL, NULL), ==, 403);
    CHECK_INT(jreq("POST", "/v1/items", 1, "{\"op\":\"op1\",\"url\":\"https://t.me/memo/1\"}", NULL), ==, 201);
    CHECK_INT(report_items(1, "op1"), ==, n + 1);
    CHECK_INT(report_items(3, "op1"), ==, n + 1);
    CHECK_INT(memo_hits(), ==, 1);
    stop();
}

/* POST /v1/match with a video or TMK hash loads that matcher once, keeps it
 * for the next requests, and loads it again after a bank change (an entry
 * added over the API), which the next query then finds. */
static void test_video_matchers_kept(void) {
    if (start(15, 64) != 0) CHECK(0);
    char *tv = tmk_value(5), *vv = video_value(9);
    CHECK(tv && vv);
    if (!tv || !vv) {
        free(tv);
        free(vv);
        stop();
        return;
    }
    size_t n = strlen(tv) + strlen(vv) + 256;
    char *tq = malloc(n), *vq = malloc(n), *tadd = malloc(n), *vadd = malloc(n), *resp = NULL;
    snprintf(tq, n, "{\"hashes\":[\"%s\"]}", tv);
    snprintf(vq, n, "{\"hashes\":[\"%s\"]}", vv);
    snprintf(tadd, n, "{\"signal_type\":\"tmk\",\"value\":\"%s\",\"labels\":{\"entity\":\"t\"}}", tv);
    snprintf(vadd, n, "{\"signal_type\":\"video\",\"value\":\"%s\"}", vv);
    CHECK_INT(metric("vigil_video_matcher_loads_total", "tmk"), ==, 0);
    CHECK_INT(jreq("POST", "/v1/match", 1, tq, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"type\":\"tmk\"") && strstr(resp, "\"matches\":[]"));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/match", 1, tq, NULL), ==, 200);
    CHECK_INT(jreq("POST", "/v1/match", 1, vq, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"type\":\"video\"") && strstr(resp, "\"matches\":[]"));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/match?video_rule=pytx", 1, vq, NULL), ==, 200);
    CHECK_INT(metric("vigil_video_matcher_loads_total", "tmk"), ==, 1);
    CHECK_INT(metric("vigil_video_matcher_loads_total", "video"), ==, 1);
    /* bank changes: the next query loads again and finds the new entries */
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3, tadd, NULL), ==, 201);
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3, vadd, NULL), ==, 201);
    CHECK_INT(jreq("POST", "/v1/match", 1, tq, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"signal\":\"tmk\"") && strstr(resp, "\"level2\":1") && strstr(resp, "\"entity\""));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/match?video_rule=pytx", 1, vq, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"signal\":\"video\"") && strstr(resp, "\"rule\":\"pytx\""));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/match", 1, vq, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"rule\":\"vigil\""));
    free(resp);
    CHECK_INT(jreq("POST", "/v1/match", 1, tq, NULL), ==, 200);
    CHECK_INT(metric("vigil_video_matcher_loads_total", "tmk"), ==, 2);
    CHECK_INT(metric("vigil_video_matcher_loads_total", "video"), ==, 2);
    CHECK_INT(metric("vigil_video_matcher_videos", "tmk"), ==, 1);
    CHECK_INT(metric("vigil_video_matcher_videos", "video"), ==, 1);
    /* a bad value is a 400 naming its index; the kept matchers stay */
    CHECK_INT(jreq("POST", "/v1/match", 1, "{\"hashes\":[\"tmk:AAAA\"]}", &resp), ==, 400);
    CHECK(resp && strstr(resp, "hashes[0]"));
    free(resp);
    CHECK_INT(metric("vigil_video_matcher_loads_total", "tmk"), ==, 2);
    free(tq);
    free(vq);
    free(tadd);
    free(vadd);
    free(tv);
    free(vv);
    stop();
}

/* ---- abusive clients ----------------------------------------------------------------------------- */

static int raw_connect(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)g_port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Whether the server closed `fd` within `ms`. */
static int closed_within(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, ms) <= 0) return 0;
    char b[256];
    return recv(fd, b, sizeof b, 0) <= 0;
}

static void test_slow_and_many_clients(void) {
    if (start(1, 8) != 0) CHECK(0);
    /* slowloris: half a request, then silence */
    int slow = raw_connect();
    CHECK(slow >= 0);
    const char partial[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
    CHECK(send(slow, partial, sizeof partial - 1, 0) > 0);
    /* others are served meanwhile */
    CHECK_INT(req("GET", "/healthz", NULL, NULL, NULL, 0, NULL), ==, 200);
    CHECK(closed_within(slow, 4000)); /* dropped after the 1 s timeout */
    close(slow);
    /* too many connections from one address: the extra ones are dropped */
    int fds[20], dropped = 0;
    for (int i = 0; i < 20; i++) fds[i] = raw_connect();
    for (int i = 0; i < 20; i++)
        if (fds[i] < 0 || closed_within(fds[i], 300)) dropped++;
    CHECK_INT(dropped, >=, 10);
    for (int i = 0; i < 20; i++)
        if (fds[i] >= 0) close(fds[i]);
    struct timespec pause = {0, 200000000};
    nanosleep(&pause, NULL);
    CHECK_INT(req("GET", "/healthz", NULL, NULL, NULL, 0, NULL), ==, 200);
    stop();
}

/* ---- sign-in sessions over HTTP ---------------------------------------------------------------------- */

typedef struct hdrs {
    char cookie[512]; /* the Set-Cookie value */
    char csp[512];
    char xfo[512];
} hdrs;

static size_t on_header(char *d, size_t sz, size_t nm, void *ctx) {
    hdrs *h = ctx;
    size_t n = sz * nm;
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)(n < 511 ? n : 511), d);
    line[strcspn(line, "\r\n")] = '\0';
    if (strncasecmp(line, "Set-Cookie: ", 12) == 0) snprintf(h->cookie, sizeof h->cookie, "%s", line + 12);
    if (strncasecmp(line, "Content-Security-Policy: ", 25) == 0) snprintf(h->csp, sizeof h->csp, "%s", line + 25);
    if (strncasecmp(line, "X-Frame-Options: ", 17) == 0) snprintf(h->xfo, sizeof h->xfo, "%s", line + 17);
    return n;
}

/* A request as the browser sends it: the session cookie `sid` (NULL: none)
 * and the X-CSRF-Token header `csrf` (NULL: none). */
static long creq(const char *method, const char *path, const char *sid, const char *csrf,
                 const char *json, char **resp, hdrs *hd_out) {
    CURL *c = curl_easy_init();
    if (!c) return 0;
    char url[2048], ck[160], cs[160];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", g_port, path);
    struct curl_slist *hd = curl_slist_append(NULL, "Content-Type: application/json");
    if (csrf) {
        snprintf(cs, sizeof cs, "X-CSRF-Token: %s", csrf);
        hd = curl_slist_append(hd, cs);
    }
    buf b = {NULL, 0};
    hdrs tmp;
    memset(&tmp, 0, sizeof tmp);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, hd_out ? hd_out : &tmp);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (sid) {
        snprintf(ck, sizeof ck, "vigil_session=%s", sid);
        curl_easy_setopt(c, CURLOPT_COOKIE, ck);
    }
    if (json) curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
    long status = 0;
    if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    curl_easy_cleanup(c);
    if (resp) *resp = b.p;
    else free(b.p);
    return status;
}

/* "key":"VALUE" of a flat JSON text into out. */
static void json_str(const char *j, const char *key, char *out, size_t cap) {
    json_t *v = j ? json_loads(j, 0, NULL) : NULL;
    const char *s = json_string_value(json_object_get(v, key));
    snprintf(out, cap, "%s", s ? s : "");
    json_decref(v);
}

static void test_sessions(void) {
    if (start(15, 64) != 0) CHECK(0);
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(g_db, &st, &err), &err);
    vigil_status rc = vigil_user_password_set(st, NULL, "rev-eu", "first-password-1", &err);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    char *resp = NULL, sid[VIGIL_SESSION_LEN + 1], csrf[VIGIL_CSRF_LEN + 1];
    hdrs h;
    memset(&h, 0, sizeof h);
    /* sign in: a cookie that scripts cannot read and other sites do not send */
    CHECK_INT(creq("POST", "/v1/session", NULL, NULL, "{\"name\":\"rev-eu\",\"password\":\"first-password-1\"}", &resp, &h), ==, 201);
    CHECK(strstr(resp, "\"must_change_password\":true"));
    json_str(resp, "csrf", csrf, sizeof csrf);
    free(resp);
    CHECK(strncmp(h.cookie, "vigil_session=", 14) == 0);
    CHECK(strstr(h.cookie, "; HttpOnly") && strstr(h.cookie, "; SameSite=Strict") && strstr(h.cookie, "Path=/"));
    CHECK(!strstr(h.cookie, "Secure")); /* plain HTTP here */
    CHECK(strstr(h.csp, "default-src 'self'") && strcmp(h.xfo, "DENY") == 0);
    snprintf(sid, sizeof sid, "%.64s", h.cookie + 14);
    CHECK_INT(strlen(csrf), ==, VIGIL_CSRF_LEN);
    /* the first password must be changed before anything else */
    CHECK_INT(creq("GET", "/v1/items", sid, NULL, NULL, &resp, NULL), ==, 403);
    CHECK(strstr(resp, "password_change_required"));
    free(resp);
    CHECK_INT(creq("GET", "/v1/session", sid, NULL, NULL, NULL, NULL), ==, 200);
    /* CSRF: a state-changing request with the cookie needs the session's token */
    const char *chg = "{\"current\":\"first-password-1\",\"new\":\"second-password-2\"}";
    CHECK_INT(creq("POST", "/v1/session/password", sid, NULL, chg, &resp, NULL), ==, 403);
    CHECK(strstr(resp, "\"csrf\""));
    free(resp);
    CHECK_INT(creq("POST", "/v1/session/password", sid, "0000", chg, NULL, NULL), ==, 403);
    CHECK_INT(creq("POST", "/v1/session/password", sid, csrf, chg, NULL, NULL), ==, 200);
    /* now the API as the reviewer, cookie + token */
    CHECK_INT(creq("GET", "/v1/items?op=op1", sid, NULL, NULL, NULL, NULL), ==, 200);
    CHECK_INT(creq("POST", "/v1/items/2/assess", sid, NULL, NULL, NULL, NULL), ==, 403);
    CHECK_INT(creq("POST", "/v1/items/2/assess", sid, csrf, NULL, NULL, NULL), ==, 200);
    CHECK_INT(creq("GET", "/v1/operations", sid, NULL, NULL, NULL, NULL), ==, 200);
    CHECK_INT(creq("GET", "/v1/audit", sid, NULL, NULL, NULL, NULL), ==, 403); /* roles as with tokens */
    /* the dry run of an intake: duplicates, new platforms, refused lines; nothing kept */
    int64_t before = count_items();
    CHECK_INT(creq("POST", "/v1/items/preview", sid, csrf,
                   "{\"op\":\"op1\",\"urls\":[\"https://t.me/chan/1?utm_source=x\",\"https://newsite.example/a\","
                   "\"https://newsite.example/a/\",\"javascript:alert(1)\"]}", &resp, NULL), ==, 200);
    CHECK(strstr(resp, "\"duplicate_of\":1"));
    CHECK(strstr(resp, "\"new_platform\":true"));
    CHECK(strstr(resp, "\"duplicate_of_line\":2"));
    CHECK(strstr(resp, "\"line\":4") && strstr(resp, "\"error\":"));
    free(resp);
    CHECK_INT(count_items(), ==, before);
    /* a change against a stale state: 409 naming who changed it */
    CHECK_INT(creq("POST", "/v1/items/2/reject", sid, csrf, "{\"note\":\"n\",\"expect\":\"identified\"}", &resp, NULL), ==, 409);
    CHECK(strstr(resp, "item 2 is assessed now, not identified (changed by rev-eu at "));
    free(resp);
    /* tokens keep working without CSRF */
    CHECK_INT(jreq("POST", "/v1/items/3/reject", 2, "{\"note\":\"machine client\"}", NULL), ==, 200);
    /* a forged or unknown cookie: 401 and the cookie is cleared */
    memset(&h, 0, sizeof h);
    CHECK_INT(creq("GET", "/v1/session", "00000000000000000000000000000000000000000000000000000000000000ff", NULL, NULL, NULL, &h), ==, 401);
    CHECK(strstr(h.cookie, "Max-Age=0"));
    /* wrong passwords over HTTP: 401, then 429 with Retry-After */
    const char *bad = "{\"name\":\"rev-eu\",\"password\":\"not-my-password\"}";
    CHECK_INT(creq("POST", "/v1/session", NULL, NULL, bad, &resp, NULL), ==, 401);
    CHECK(strstr(resp, "wrong user name or password"));
    free(resp);
    /* the next ones wait (1, 2, 4 s) and then lock: a 429 comes however slow the
     * argon2id checks are (under ASan they can outlast the first delays) */
    long got = 0;
    for (int i = 0; i < 6 && got != 429; i++) {
        got = creq("POST", "/v1/session", NULL, NULL, bad, &resp, NULL);
        int limited = resp && strstr(resp, "too_many_attempts") != NULL;
        free(resp);
        resp = NULL;
        CHECK(got == 401 || (got == 429 && limited));
    }
    CHECK_INT(got, ==, 429);
    /* sign-out: the session ends, the cookie is cleared */
    memset(&h, 0, sizeof h);
    CHECK_INT(creq("DELETE", "/v1/session", sid, NULL, NULL, NULL, NULL), ==, 403);
    CHECK_INT(creq("DELETE", "/v1/session", sid, csrf, NULL, &resp, &h), ==, 200);
    CHECK(strstr(resp, "\"signed_out\":true") && strstr(h.cookie, "Max-Age=0"));
    free(resp);
    CHECK_INT(creq("GET", "/v1/items?op=op1", sid, NULL, NULL, NULL, NULL), ==, 401);
    /* the web app (or the page saying it is not built) at / with the same headers */
    memset(&h, 0, sizeof h);
    CHECK_INT(creq("GET", "/", NULL, NULL, NULL, &resp, &h), ==, 200);
    CHECK(resp && strstr(resp, "<!doctype html>"));
    CHECK(strstr(h.csp, "default-src 'self'") && strcmp(h.xfo, "DENY") == 0);
    free(resp);
    CHECK_INT(creq("GET", "/no-such-file.js", NULL, NULL, NULL, NULL, NULL), ==, 404);
    stop();
}

/* ---- docs/openapi.yaml matches the route table ---------------------------------------------------- */

typedef struct doc_routes {
    char routes[128][160];
    int n, undocumented;
} doc_routes;

static void check_documented(void *ctx, const char *method, const char *path) {
    doc_routes *d = ctx;
    char key[160];
    snprintf(key, sizeof key, "%s %s", method, path);
    for (int i = 0; i < d->n; i++)
        if (strcmp(d->routes[i], key) == 0) {
            d->routes[i][0] = '\0'; /* seen */
            return;
        }
    fprintf(stderr, "    %s is not documented in docs/openapi.yaml\n", key);
    d->undocumented++;
}

static void test_openapi(void) {
    FILE *f = fopen("docs/openapi.yaml", "r");
    if (!f) SKIP("docs/openapi.yaml not found (run from the repository root)");
    doc_routes d;
    memset(&d, 0, sizeof d);
    char line[8192], path[256] = "";
    int in_paths = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (strcmp(line, "paths:") == 0) {
            in_paths = 1;
            continue;
        }
        if (in_paths && line[0] && line[0] != ' ' && line[0] != '#') in_paths = 0;
        if (!in_paths) continue;
        if (strncmp(line, "  /", 3) == 0 && line[strlen(line) - 1] == ':') {
            snprintf(path, sizeof path, "%.*s", (int)strlen(line) - 3, line + 2);
        } else if (strncmp(line, "    ", 4) == 0 && line[4] != ' ' && path[0]) {
            static const char *const methods[] = {"get", "post", "put", "patch", "delete"};
            for (int m = 0; m < 5; m++) {
                size_t l = strlen(methods[m]);
                if (strncmp(line + 4, methods[m], l) == 0 && line[4 + l] == ':' && d.n < 128) {
                    char up[8];
                    for (size_t k = 0; k <= l; k++) up[k] = (char)(methods[m][k] >= 'a' ? methods[m][k] - 32 : methods[m][k]);
                    snprintf(d.routes[d.n++], 160, "%s %s", up, path);
                }
            }
        }
    }
    fclose(f);
    CHECK_INT(d.n, >, 30);
    vigil_server_routes(check_documented, &d);
    int extra = 0;
    for (int i = 0; i < d.n; i++)
        if (d.routes[i][0]) {
            fprintf(stderr, "    documented but not served: %s\n", d.routes[i]);
            extra++;
        }
    CHECK_INT(d.undocumented, ==, 0);
    CHECK_INT(extra, ==, 0);
}

/* One value under two external ids is two entries, both matched (issue 10);
 * the same id again is a duplicate, or an update when its labels differ. */
static void test_bank_copies(void) {
    if (start(15, 64) != 0) CHECK(0);
    static const char v[] = "0605cd67a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a31a4";
    char body[512], *resp = NULL;
    long ids[2] = {0, 0};
    static const char *const xids[2] = {"gifct-1", "gifct-2"}, *const ents[2] = {"a", "b"};
    for (int i = 0; i < 2; i++) {
        snprintf(body, sizeof body,
                 "{\"signal_type\":\"pdq\",\"value\":\"%s\",\"labels\":{\"entity\":\"%s\"},\"external_id\":\"%s\"}",
                 v, ents[i], xids[i]);
        CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3, body, &resp), ==, 201);
        const char *p = resp ? strstr(resp, "\"entry_id\":") : NULL;
        if (p) ids[i] = strtol(p + 11, NULL, 10);
        CHECK(resp && strstr(resp, "\"duplicate\":false") && strstr(resp, "\"updated\":false"));
        free(resp);
    }
    CHECK(ids[0] > 0 && ids[1] > 0 && ids[0] != ids[1]);
    /* the same id and labels: a duplicate; other labels: an update */
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3, body, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"duplicate\":true"));
    free(resp);
    snprintf(body, sizeof body,
             "{\"signal_type\":\"pdq\",\"value\":\"%s\",\"labels\":{\"entity\":\"c\"},\"external_id\":\"gifct-2\"}", v);
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3, body, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"updated\":true") && strstr(resp, "\"duplicate\":false"));
    free(resp);
    CHECK_INT(jreq("GET", "/v1/audit?limit=1", 5, NULL, &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"action\":\"bank.update\""));
    free(resp);
    snprintf(body, sizeof body, "{\"hashes\":[\"pdq:%s\"]}", v);
    CHECK_INT(jreq("POST", "/v1/match", 4, body, &resp), ==, 200);
    char want[2][64];
    for (int i = 0; i < 2; i++) snprintf(want[i], sizeof want[i], "\"entry_id\":%ld,", ids[i]);
    CHECK(resp && strstr(resp, want[0]) && strstr(resp, want[1]));
    CHECK(resp && strstr(resp, "\"gifct-1\"") && strstr(resp, "\"gifct-2\"") && strstr(resp, "\"entity\":\"c\""));
    free(resp);
    /* the import route's summary */
    snprintf(body, sizeof body, "signal_type,signal_value,labels,id\npdq,%s,entity=a,gifct-1\npdq,%s,entity=d,gifct-2\npdq,%s,,gifct-3\n", v, v, v);
    CHECK_INT(req("POST", "/v1/banks/b1/import", g_tokens[3], "text/csv", body, strlen(body), &resp), ==, 200);
    CHECK(resp && strstr(resp, "\"imported\":1") && strstr(resp, "\"unchanged\":1") && strstr(resp, "\"updated\":1") &&
          strstr(resp, "\"duplicates\":2") && strstr(resp, "\"bad\":0"));
    free(resp);
    stop();
}

/* ---- suite ----------------------------------------------------------------------------------------- */

static void test_setup(void) {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    CHECK_INT(build_template(), ==, 0);
    uint8_t *px = imggen_pattern(64, 64, 7);
    CHECK(px);
    CHECK_INT(imggen_png(px, 64, 64, 3, 0, &g_png, &g_png_len), ==, 0);
    free(px);
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = g_template;
    o.listen = "127.0.0.1:99999";
    vigil_server *s = NULL;
    vigil_err err;
    CHECK_INT(vigil_server_start(&o, &s, &err), ==, VIGIL_EINVAL);
    o.listen = "nowhere:80";
    CHECK_INT(vigil_server_start(&o, &s, &err), ==, VIGIL_EINVAL);
}

static void test_teardown(void) {
    free(g_png);
    g_png = NULL;
    curl_global_cleanup();
}

static long long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Polls /v1/match on port `port` for `body` until its answer names bank
 * b1, for at most `ms`.  @return the milliseconds it took, or -1. */
static long long match_within(unsigned port, const char *body, long long ms) {
    unsigned keep = g_port;
    g_port = port;
    long long t0 = now_ms(), took = -1;
    while (now_ms() - t0 <= ms) {
        char *resp = NULL;
        long st = jreq("POST", "/v1/match", 4, body, &resp);
        int hit = st == 200 && resp && strstr(resp, "\"bank\":\"b1\"");
        free(resp);
        if (hit) {
            took = now_ms() - t0;
            break;
        }
        struct timespec pause = {0, 20000000};
        nanosleep(&pause, NULL);
    }
    g_port = keep;
    return took;
}

static vigil_status start_second(const char *snap, vigil_server **out) {
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = g_db;
    o.listen = "127.0.0.1:0";
    o.index_snapshot = snap;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_server_start(&o, out, &err);
    if (rc != VIGIL_OK) fprintf(stderr, "second server: %s\n", err.msg);
    return rc;
}

/* Two servers on one store: a bank change through one is matchable on the
 * other within a second (the change log, polled); a restart from the index
 * snapshot, with the changes made while it was down; a damaged snapshot is
 * not used (the banks are loaded instead). */
static void test_live_servers(void) {
    if (start(15, 64) != 0) CHECK(0);
    char snap[1200];
    snprintf(snap, sizeof snap, "%s/http-live.idx", test_tmpdir());
    unlink(snap);
    vigil_server *b = NULL;
    CHECK_OK(start_second(snap, &b), NULL);
    const char *q1 = "{\"hashes\":[\"md5:aabbccddeeff00112233445566778899\"]}";
    const char *q2 = "{\"hashes\":[\"md5:99887766554433221100ffeeddccbbaa\"]}";
    CHECK_INT(match_within(vigil_server_port(b), q1, 0), ==, -1);
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3,
                   "{\"signal_type\":\"md5\",\"value\":\"aabbccddeeff00112233445566778899\"}", NULL),
              ==, 201);
    long long took = match_within(vigil_server_port(b), q1, 15000);
    printf("    matchable on the other server after %lld ms\n", took);
    CHECK_INT(took, >=, 0);
    /* the sequence it applied, in its metrics */
    {
        unsigned keep = g_port;
        g_port = vigil_server_port(b);
        char *resp = NULL;
        long st = jreq("GET", "/metrics", 0, NULL, &resp);
        g_port = keep;
        const char *line = resp ? strstr(resp, "\nvigil_index_sequence ") : NULL;
        int ok = st == 200 && line && atoll(line + 22) > 0;
        free(resp);
        CHECK(ok);
    }
    /* stopped: the snapshot is written; a change while it is down */
    vigil_server_stop(b);
    b = NULL;
    CHECK_INT(access(snap, R_OK), ==, 0);
    CHECK_INT(jreq("POST", "/v1/banks/b1/entries", 3,
                   "{\"signal_type\":\"md5\",\"value\":\"99887766554433221100ffeeddccbbaa\"}", NULL),
              ==, 201);
    CHECK_OK(start_second(snap, &b), NULL);
    CHECK_INT(match_within(vigil_server_port(b), q1, 0), >=, 0);
    CHECK_INT(match_within(vigil_server_port(b), q2, 0), >=, 0);
    vigil_server_stop(b);
    b = NULL;
    /* damaged: not used, the banks are loaded */
    FILE *f = fopen(snap, "r+b");
    CHECK(f != NULL);
    fseek(f, 200, SEEK_SET);
    fputc(0x55, f);
    fputc(0xaa, f);
    fclose(f);
    CHECK_OK(start_second(snap, &b), NULL);
    CHECK_INT(match_within(vigil_server_port(b), q1, 0), >=, 0);
    CHECK_INT(match_within(vigil_server_port(b), q2, 0), >=, 0);
    vigil_server_stop(b);
    unlink(snap);
    stop();
}

const test_case suite_http[] = {
    {"http/setup", test_setup},
    {"http/matrix_covers_every_route", test_matrix_covers_routes},
    {"http/role_route_tenant_matrix", test_matrix},
    {"http/bad_input_changes_nothing", test_bad_input},
    {"http/audit_tenancy_pagination_metrics", test_audit_and_tenancy},
    {"http/video_matchers_kept", test_video_matchers_kept},
    {"http/report_memo", test_report_memo},
    {"http/clusters_and_queue_orders", test_clusters_and_queue},
    {"http/slow_and_too_many_clients", test_slow_and_many_clients},
    {"http/sessions_csrf_lockout", test_sessions},
    {"http/openapi_matches_routes", test_openapi},
    {"http/bank_copies", test_bank_copies},
    {"http/live_changes_two_servers_snapshot", test_live_servers},
    {"http/teardown", test_teardown},
    {NULL, NULL},
};
