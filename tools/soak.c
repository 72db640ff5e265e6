/*
 * tools/soak.c - `vigil-soak DB SECONDS CONNECTIONS`: a bounded soak of the HTTP API on
 * loopback.  Starts the server in process on a fresh store, then CONNECTIONS client threads
 * (libcurl, keep-alive) mix for SECONDS: item reports (writes), item pages and single items,
 * hash matches, referral lists and the audit check.  Afterwards it stops the server, and
 * checks that every request got its expected status, that every acknowledged write is in the
 * store (item count = 201 answers), and that the audit chain verifies.  It prints the
 * resident memory after the warm-up and at the end, and ends with "N passed, N failed".
 */
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vigil/case.h"
#include "vigil/http.h"

static unsigned g_port;
static char g_token[VIGIL_TOKEN_LEN + 1];
static double g_until;
static atomic_ulong n_req, n_err, n_created, n_merged;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    if (f) fclose(f);
    return kb;
}

static size_t sink(char *d, size_t s, size_t n, void *ctx) {
    (void)d;
    (void)ctx;
    return s * n;
}

typedef struct client {
    int id;
    CURL *c;
    struct curl_slist *hd;
} client;

static long call(client *cl, const char *method, const char *path, const char *body) {
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", g_port, path);
    curl_easy_setopt(cl->c, CURLOPT_URL, url);
    curl_easy_setopt(cl->c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(cl->c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(cl->c, CURLOPT_HTTPGET, body ? 0L : 1L);
    if (body) {
        curl_easy_setopt(cl->c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(cl->c, CURLOPT_CUSTOMREQUEST, method);
    }
    long status = 0;
    atomic_fetch_add(&n_req, 1);
    if (curl_easy_perform(cl->c) == CURLE_OK) curl_easy_getinfo(cl->c, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void *run(void *arg) {
    client *cl = arg;
    cl->c = curl_easy_init();
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", g_token);
    cl->hd = curl_slist_append(NULL, auth);
    cl->hd = curl_slist_append(cl->hd, "Content-Type: application/json");
    curl_easy_setopt(cl->c, CURLOPT_HTTPHEADER, cl->hd);
    curl_easy_setopt(cl->c, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(cl->c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(cl->c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM timeouts */
    unsigned long k = 0;
    char body[512], path[256];
    while (now_s() < g_until) {
        k++;
        long st, want;
        switch (k % 6) {
        case 0: /* a new item; every 5th a URL variant of an earlier one (merged) */
        case 3:
            if (k % 5 == 0)
                snprintf(body, sizeof body, "{\"op\":\"soak\",\"url\":\"https://t.me/s/soak%d/%lu?utm_source=x\",\"languages\":[\"ar\"]}", cl->id, k / 2);
            else
                snprintf(body, sizeof body, "{\"op\":\"soak\",\"url\":\"https://t.me/soak%d/%lu\",\"languages\":[\"en\"],\"type\":\"post\"}", cl->id, k);
            st = call(cl, "POST", "/v1/items", body);
            if (st == 201) atomic_fetch_add(&n_created, 1);
            else if (st == 200) atomic_fetch_add(&n_merged, 1);
            else atomic_fetch_add(&n_err, 1);
            continue;
        case 1:
            snprintf(path, sizeof path, "/v1/items?op=soak&limit=50&after=%lu", (k * 7) % 500);
            st = call(cl, "GET", path, NULL), want = 200;
            break;
        case 2:
            snprintf(body, sizeof body, "{\"hashes\":[\"pdq:%016lx%016lx%016lx%016lx\",\"md5:0123456789abcdef0123456789abcdef\"]}", k, k * 31, k * 17, ~k);
            st = call(cl, "POST", "/v1/match", body), want = 200;
            break;
        case 4:
            snprintf(path, sizeof path, "/v1/items/%lu", 1 + k % 50);
            st = call(cl, "GET", path, NULL), want = 200;
            break;
        default:
            st = call(cl, "GET", k % 12 == 5 ? "/v1/operations/soak/report" : "/v1/referrals", NULL), want = 200;
            break;
        }
        if (st != want) {
            if (atomic_fetch_add(&n_err, 1) < 5) fprintf(stderr, "  unexpected %ld for %s\n", st, path);
        }
    }
    curl_slist_free_all(cl->hd);
    curl_easy_cleanup(cl->c);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: vigil-soak DB SECONDS CONNECTIONS\n");
        return 2;
    }
    const char *db = argv[1];
    double secs = atof(argv[2]);
    int nconn = atoi(argv[3]);
    if (nconn < 1 || nconn > 256 || secs <= 0) return 2;
    remove(db);
    char aux[1024];
    snprintf(aux, sizeof aux, "%s-wal", db);
    remove(aux);
    snprintf(aux, sizeof aux, "%s-shm", db);
    remove(aux);
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(db, &st, &err) != VIGIL_OK || vigil_agency_add(st, NULL, "SOAK", "", NULL, &err) ||
        vigil_user_add(st, NULL, "soak", "coordinator", "SOAK", NULL, &err) ||
        vigil_user_token_issue(st, NULL, "soak", g_token, &err) ||
        vigil_op_create(st, NULL, "soak", "SOAK", NULL, 0, NULL, NULL, &err)) {
        fprintf(stderr, "soak: %s\n", err.msg);
        return 1;
    }
    for (int i = 0; i < 50; i++) { /* items for the reads */
        char url[64];
        snprintf(url, sizeof url, "https://x.com/i/status/%d", 1000 + i);
        vigil_item_input in = {.op = "soak", .url = url};
        if (vigil_item_add(st, NULL, &in, NULL, &err) != VIGIL_OK) return 1;
    }
    vigil_store_close(st);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = db;
    o.listen = "127.0.0.1:0";
    o.threads = 2;
    vigil_server *srv = NULL;
    if (vigil_server_start(&o, &srv, &err) != VIGIL_OK) {
        fprintf(stderr, "soak: %s\n", err.msg);
        return 1;
    }
    g_port = vigil_server_port(srv);
    pthread_t th[256];
    client cl[256];
    /* warm-up, then the soak proper */
    g_until = now_s() + (secs > 20 ? 5 : 1);
    for (int i = 0; i < nconn; i++) {
        cl[i] = (client){i, NULL, NULL};
        pthread_create(&th[i], NULL, run, &cl[i]);
    }
    for (int i = 0; i < nconn; i++) pthread_join(th[i], NULL);
    long rss0 = rss_kb();
    unsigned long req0 = n_req;
    double t0 = now_s();
    g_until = t0 + secs;
    for (int i = 0; i < nconn; i++) {
        cl[i] = (client){i + 1000, NULL, NULL};
        pthread_create(&th[i], NULL, run, &cl[i]);
    }
    for (int i = 0; i < nconn; i++) pthread_join(th[i], NULL);
    double took = now_s() - t0;
    long rss1 = rss_kb();
    vigil_server_stop(srv);
    curl_global_cleanup();
    /* the checks */
    int passed = 0, failed = 0;
#define VERDICT(cond, ...)                                                                                \
    do {                                                                                                  \
        if (cond) passed++, printf("ok   soak/");                                                        \
        else failed++, printf("FAIL soak/");                                                             \
        printf(__VA_ARGS__);                                                                             \
        putchar('\n');                                                                                    \
    } while (0)
    printf("  %lu requests in %.0f s from %d connections (%.0f/s): %lu new items, %lu merged reports\n",
           n_req - req0, took, nconn, (double)(n_req - req0) / took, (unsigned long)n_created,
           (unsigned long)n_merged);
    printf("  resident memory: %ld KiB after the warm-up, %ld KiB at the end\n", rss0, rss1);
    VERDICT(n_err == 0, "no_errors (%lu)", (unsigned long)n_err);
    json_t *r = NULL;
    int64_t items = -1, events = 0, bad = 0;
    if (vigil_store_open(db, &st, &err) == VIGIL_OK && vigil_report_op(st, NULL, "soak", &r, &err) == VIGIL_OK)
        items = json_integer_value(json_object_get(r, "items"));
    json_decref(r);
    VERDICT(items == 50 + (int64_t)n_created, "no_lost_writes (%lld items = 50 + %lu acknowledged)",
            (long long)items, (unsigned long)n_created);
    vigil_status rc = vigil_audit_verify(st, NULL, &events, &bad, &err);
    VERDICT(rc == VIGIL_OK, "audit_verify (%lld events%s%s)", (long long)events, rc ? ": " : "", rc ? err.msg : "");
    vigil_store_close(st);
    /* "flat": the end within 25% (+16 MiB for SQLite's page cache) of the warm-up.  Under
     * AddressSanitizer freed memory sits in its quarantine, so RSS only grows: not checked. */
#if defined(__SANITIZE_ADDRESS__)
    printf("skip soak/flat_memory: AddressSanitizer keeps freed memory (%ld -> %ld KiB)\n", rss0, rss1);
#else
    VERDICT(rss1 <= rss0 + rss0 / 4 + 16384, "flat_memory (%ld -> %ld KiB)", rss0, rss1);
#endif
    printf("soak: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
