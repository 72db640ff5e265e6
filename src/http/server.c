/*
 * src/http/server.c - the HTTP server core: libmicrohttpd with a pool of
 * worker threads (poll(2): measured faster than epoll here, 16.0k against
 * 12.1k single-hash matches/s, and MHD_quiesce_daemon is race-free with it),
 * each with its own store connection; request bodies read
 * up to per-route limits; token authentication; dispatch through the route
 * table; JSON errors; the shared matcher (kept up to date with the store's
 * bank change log by a thread of its own, loaded from an index snapshot);
 * Prometheus metrics; a JSON access log; graceful shutdown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "http/http_internal.h"
#include "store/store_internal.h"
#include "vigil/image.h"

#define MAX_ROUTES 64
#define MAX_STATUSES 12
#define N_BUCKETS 12
static const double bucket_le[N_BUCKETS] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                            0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

typedef struct route_stats {
    unsigned status[MAX_STATUSES];
    uint64_t count[MAX_STATUSES];
    uint64_t buckets[N_BUCKETS + 1]; /* the last: +Inf */
    double sum;
    uint64_t n;
} route_stats;

struct vigil_server {
    struct MHD_Daemon *d;
    vigil_server_opts o;
    char *db_path;
    unsigned port;
    /* every worker's store connection, closed at stop */
    pthread_mutex_t stores_mu;
    vigil_store **stores;
    size_t n_stores, cap_stores;
    /* the matcher: bank changes applied as deltas (vigil_matcher_sync) by
     * the live thread, or at once after a change made through this server;
     * replaced (m_lock held for writing) only by a full load, when the log
     * no longer reaches back.  m_reload serialises syncs and loads. */
    pthread_rwlock_t m_lock;
    pthread_mutex_t m_reload;
    vigil_matcher *matcher;
    vigil_store *m_store;
    atomic_ulong banks_gen;
    unsigned long loaded_gen;
    http_vcache *vcache; /* the video and TMK matchers (vcache.c) */
    http_memo *memo;     /* answers given again while the store is unchanged (memo.c) */
    /* the live thread polls the change log; the snapshot thread writes the
     * snapshot (holding m_lock for reading: the matcher is not replaced
     * meanwhile, while syncs and queries go on) */
    pthread_t live, snap;
    int live_started, snap_started;
    pthread_mutex_t live_mu;
    pthread_cond_t live_cv;
    int live_stop;
    int64_t snap_seq;       /* the sequence of the snapshot on disk; -1: none valid */
    long long snap_written; /* mono_ms of the last write */
    /* metrics and the log */
    pthread_mutex_t met_mu;
    route_stats stats[MAX_ROUTES + 1]; /* the last: no route matched */
    pthread_mutex_t log_mu;
    atomic_int in_flight;
    /* sign-in sessions and HTTPS */
    vigil_auth_policy auth;
    vigil_token_cache *tokens; /* verified API tokens, for outages (NULL: none) */
    char *tls_cert, *tls_key; /* PEM text, alive as long as the daemon */
};

/* A request from its first callback to its completion. */
typedef struct req {
    struct timespec t0;
    const route *rt;
    int method_known; /* the path matched a route under another method */
    char params[HTTP_MAX_PARAMS][256];
    char *body;
    size_t len, cap, limit;
    int answered; /* a response is queued (413s are queued while reading) */
    unsigned status;
    size_t bytes_out;
    char user[128];
    char method[16];
    char path[256];
} req;

static __thread vigil_store *tl_store;

void vigil_server_opts_init(vigil_server_opts *o) {
    memset(o, 0, sizeof *o);
}

unsigned vigil_server_port(const vigil_server *s) { return s ? s->port : 0; }

const vigil_auth_policy *http_auth_policy(const http_ctx *h) { return &h->srv->auth; }

int http_tls(const http_ctx *h) { return h->srv && h->srv->tls_cert != NULL; }

void http_session_cookie(http_ctx *h, const char *sid, int max_age) {
    snprintf(h->set_cookie, sizeof h->set_cookie,
             "vigil_session=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Strict%s", sid, max_age,
             http_tls(h) ? "; Secure" : "");
}

void vigil_server_routes(void (*fn)(void *ctx, const char *method, const char *path), void *ctx) {
    for (size_t i = 0; i < http_n_routes; i++) fn(ctx, http_routes[i].method, http_routes[i].path);
    fn(ctx, "GET", "/healthz");
    fn(ctx, "GET", "/metrics");
}

/* ---- routes --------------------------------------------------------------------- */

/* Does `path` fit `pattern`?  Captures {name} segments into params. */
static int route_fits(const char *pattern, const char *path, char params[][256]) {
    int np = 0;
    const char *p = pattern, *u = path;
    while (*p && *u) {
        if (*p != '/' || *u != '/') return 0;
        p++, u++;
        const char *pe = strchr(p, '/'), *ue = strchr(u, '/');
        size_t pl = pe ? (size_t)(pe - p) : strlen(p), ul = ue ? (size_t)(ue - u) : strlen(u);
        if (pl > 1 && p[0] == '{') {
            if (ul == 0 || ul >= 256 || np == HTTP_MAX_PARAMS) return 0;
            memcpy(params[np], u, ul);
            params[np][ul] = '\0';
            np++;
        } else if (pl != ul || strncmp(p, u, pl) != 0) {
            return 0;
        }
        p += pl, u += ul;
    }
    return *p == '\0' && *u == '\0';
}

static const route *find_route(const char *method, const char *path, char params[][256],
                               int *method_known) {
    *method_known = 0;
    for (size_t i = 0; i < http_n_routes; i++) {
        if (!route_fits(http_routes[i].path, path, params)) continue;
        if (strcmp(http_routes[i].method, method) == 0) return &http_routes[i];
        *method_known = 1;
    }
    return NULL;
}

/* ---- responses ------------------------------------------------------------------- */

void http_ok(http_ctx *h, unsigned status, json_t *out) {
    json_decref(h->out);
    h->status = status;
    h->out = out ? out : json_object();
}

void http_error(http_ctx *h, unsigned status, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg);
    http_ok(h, status, e);
    snprintf(h->err_code, sizeof h->err_code, "%s", code);
}

/* The one map from status codes to HTTP (the message is never looked at). */
static const struct {
    vigil_status rc;
    unsigned status;
    const char *code;
} http_status_map[] = {
    {VIGIL_EINVAL, 400, "bad_request"},   {VIGIL_EPARSE, 400, "bad_request"},
    {VIGIL_ENOENT, 404, "not_found"},     {VIGIL_EPERM, 403, "forbidden"},
    {VIGIL_ECONFLICT, 409, "conflict"},   {VIGIL_EEXIST, 409, "exists"},
    {VIGIL_ELIMIT, 413, "too_large"},     {VIGIL_EFORMAT, 415, "unsupported_media"},
    {VIGIL_ECORRUPT, 422, "corrupt_input"}, {VIGIL_EBUSY, 503, "busy"},
};

unsigned http_status_of(vigil_status rc, const char **code) {
    for (size_t i = 0; i < sizeof http_status_map / sizeof http_status_map[0]; i++)
        if (http_status_map[i].rc == rc) {
            if (code) *code = http_status_map[i].code;
            return http_status_map[i].status;
        }
    if (code) *code = "internal";
    return 500;
}

void http_fail(http_ctx *h, vigil_status rc, const vigil_err *err) {
    const char *code;
    unsigned status = http_status_of(rc, &code);
    char msg[VIGIL_ERR_MSG_MAX + VIGIL_ERR_FIELD_MAX + 8];
    if (err && (err->msg[0] || err->field[0])) vigil_err_text(err, "", msg, sizeof msg);
    else snprintf(msg, sizeof msg, "%s", vigil_status_str(rc));
    http_error(h, status, code, "%s", msg);
    if (err && err->field[0]) {
        json_t *e = json_object_get(h->out, "error");
        if (e) json_object_set_new(e, "field", json_string(err->field));
    }
    if (status == 503) h->retry_after = 1;
}

json_t *http_json_body(http_ctx *h) {
    json_error_t je;
    if (!h->body || h->body_len == 0) {
        http_error(h, 400, "bad_json", "the request needs a JSON object body");
        return NULL;
    }
    json_t *v = json_loadb(h->body, h->body_len, JSON_REJECT_DUPLICATES, &je);
    if (!v) {
        http_error(h, 400, "bad_json", "malformed JSON at line %d, column %d: %s", je.line,
                   je.column, je.text);
        return NULL;
    }
    if (!json_is_object(v)) {
        json_decref(v);
        http_error(h, 400, "bad_json", "the body must be a JSON object");
        return NULL;
    }
    return v;
}

const char *http_query(http_ctx *h, const char *name) {
    return MHD_lookup_connection_value(h->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* ---- the matcher ------------------------------------------------------------------ */

static vigil_status matcher_load(vigil_server *s, vigil_err *err) {
    vigil_store *st = NULL;
    vigil_matcher *m = NULL;
    unsigned long gen = atomic_load(&s->banks_gen);
    vigil_status rc = vigil_store_open(s->db_path, &st, err);
    vigil_match_opts mo;
    vigil_match_opts_init(&mo);
    if (rc == VIGIL_OK) rc = vigil_matcher_open(st, &mo, &m, err);
    if (rc != VIGIL_OK) {
        vigil_store_close(st);
        return rc;
    }
    pthread_rwlock_wrlock(&s->m_lock);
    vigil_matcher *old = s->matcher;
    vigil_store *old_st = s->m_store;
    s->matcher = m;
    s->m_store = st;
    s->loaded_gen = gen;
    pthread_rwlock_unlock(&s->m_lock);
    vigil_matcher_free(old);
    vigil_store_close(old_st);
    return VIGIL_OK;
}

/* At start: the matcher from the snapshot when it is valid.  @return 1 if used. */
static int matcher_from_snapshot(vigil_server *s) {
    vigil_store *st = NULL;
    vigil_matcher *m = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_store_open(s->db_path, &st, &err);
    if (rc == VIGIL_OK) rc = vigil_matcher_open_snapshot(st, NULL, s->o.index_snapshot, &m, &err);
    if (rc != VIGIL_OK) {
        if (rc != VIGIL_ENOENT)
            fprintf(stderr, "vigil serve: %s; loading the banks instead\n", err.msg);
        vigil_store_close(st);
        return 0;
    }
    s->matcher = m;
    s->m_store = st;
    s->snap_seq = vigil_matcher_sequence(m);
    return 1;
}

static long long mono_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Apply the changes committed since the matcher's sequence; a full load
 * when the log no longer reaches back.  Caller holds m_reload. */
static vigil_status matcher_catch_up(vigil_server *s, vigil_err *err) {
    unsigned long gen = atomic_load(&s->banks_gen);
    vigil_status rc = vigil_matcher_sync(s->matcher, NULL, err);
    if (rc == VIGIL_ECONFLICT) rc = matcher_load(s, err);
    if (rc == VIGIL_OK) s->loaded_gen = gen;
    return rc;
}

/* The snapshot rule: written when the matcher's sequence is not the one on
 * disk, at most every snapshot_interval_s (at once when there is no valid
 * snapshot), and at stop (`force`).  Only the snapshot thread (and the
 * stop, after it) calls this. */
static void snapshot_refresh(vigil_server *s, int force) {
    if (!s->o.index_snapshot) return;
    pthread_rwlock_rdlock(&s->m_lock);
    vigil_matcher *m = s->matcher;
    int64_t seq = m ? vigil_matcher_sequence(m) : s->snap_seq;
    long long now = mono_ms();
    long long every = (long long)(s->o.snapshot_interval_s ? s->o.snapshot_interval_s : 60) * 1000;
    if (seq != s->snap_seq && (force || s->snap_seq < 0 || now - s->snap_written >= every)) {
        vigil_err err;
        vigil_err_clear(&err);
        if (vigil_matcher_save(m, s->o.index_snapshot, &err) == VIGIL_OK)
            s->snap_seq = seq;
        else
            fprintf(stderr, "vigil serve: %s\n", err.msg);
        s->snap_written = now;
    }
    pthread_rwlock_unlock(&s->m_lock);
}

/* Waits `ms` on the live condition; @return 1 when the server stops. */
static int live_wait(vigil_server *s, long ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += (ms % 1000) * 1000000L;
    t.tv_sec += ms / 1000 + t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&s->live_mu);
    if (!s->live_stop) pthread_cond_timedwait(&s->live_cv, &s->live_mu, &t);
    int stop = s->live_stop;
    pthread_mutex_unlock(&s->live_mu);
    return stop;
}

static void *snap_main(void *arg) {
    vigil_server *s = arg;
    while (!live_wait(s, 1000)) snapshot_refresh(s, 0);
    return NULL;
}

/* The live thread: every sync_ms, the changes of the log. */
static void *live_main(void *arg) {
    vigil_server *s = arg;
    const long ms = s->o.sync_ms ? (long)s->o.sync_ms : 150;
    while (!live_wait(s, ms)) {
        pthread_mutex_lock(&s->m_reload);
        vigil_err err;
        vigil_err_clear(&err);
        if (matcher_catch_up(s, &err) != VIGIL_OK && err.status != VIGIL_EBUSY)
            fprintf(stderr, "vigil serve: applying bank changes: %s\n", err.msg);
        pthread_mutex_unlock(&s->m_reload);
    }
    return NULL;
}

vigil_matcher *http_matcher_acquire(http_ctx *h, vigil_err *err) {
    vigil_server *s = h->srv;
    /* a change made through this server: matchable by its next request */
    if (atomic_load(&s->banks_gen) != s->loaded_gen) {
        pthread_mutex_lock(&s->m_reload);
        vigil_status rc = VIGIL_OK;
        if (atomic_load(&s->banks_gen) != s->loaded_gen) rc = matcher_catch_up(s, err);
        pthread_mutex_unlock(&s->m_reload);
        if (rc != VIGIL_OK) return NULL;
    }
    pthread_rwlock_rdlock(&s->m_lock);
    return s->matcher;
}

void http_matcher_release(http_ctx *h) { pthread_rwlock_unlock(&h->srv->m_lock); }

void http_banks_changed(http_ctx *h) { atomic_fetch_add(&h->srv->banks_gen, 1); }

http_vcache *http_vcache_of(http_ctx *h) { return h->srv->vcache; }

http_memo *http_memo_of(http_ctx *h) { return h->srv->memo; }

static int64_t matcher_sequence(vigil_server *s) {
    pthread_rwlock_rdlock(&s->m_lock);
    int64_t q = s->matcher ? vigil_matcher_sequence(s->matcher) : 0;
    pthread_rwlock_unlock(&s->m_lock);
    return q;
}

/* The banks' generation for the video and TMK matchers (vcache.c): the
 * change-log sequence the matcher has applied, after catching up with a
 * change made through this server, so that such a change is seen by this
 * server's next request and anyone else's (another server, the CLI) within
 * the live thread's poll. */
unsigned long http_banks_gen(http_ctx *h) {
    vigil_server *s = h->srv;
    if (atomic_load(&s->banks_gen) != s->loaded_gen) {
        pthread_mutex_lock(&s->m_reload);
        vigil_err err;
        vigil_err_clear(&err);
        if (atomic_load(&s->banks_gen) != s->loaded_gen) (void)matcher_catch_up(s, &err);
        pthread_mutex_unlock(&s->m_reload);
    }
    return (unsigned long)matcher_sequence(s);
}

size_t http_matcher_size(vigil_server *s) {
    pthread_rwlock_rdlock(&s->m_lock);
    size_t n = s->matcher ? vigil_matcher_entries(s->matcher) : 0;
    pthread_rwlock_unlock(&s->m_lock);
    return n;
}

/* ---- metrics ---------------------------------------------------------------------- */

static void count_request(vigil_server *s, const route *rt, unsigned status, double secs) {
    size_t i = rt ? (size_t)(rt - http_routes) : MAX_ROUTES;
    if (i > MAX_ROUTES) i = MAX_ROUTES;
    pthread_mutex_lock(&s->met_mu);
    route_stats *r = &s->stats[i];
    for (int k = 0; k < MAX_STATUSES; k++) {
        if (r->status[k] == status || r->status[k] == 0) {
            r->status[k] = status;
            r->count[k]++;
            break;
        }
    }
    int b = 0;
    while (b < N_BUCKETS && secs > bucket_le[b]) b++;
    r->buckets[b]++;
    r->sum += secs;
    r->n++;
    pthread_mutex_unlock(&s->met_mu);
}

/* The Prometheus text exposition. */
static char *metrics_text(vigil_server *s, vigil_store *st, size_t *len) {
    char *buf = NULL;
    size_t cap = 0;
    FILE *f = open_memstream(&buf, &cap);
    if (!f) return NULL;
    fprintf(f, "# HELP vigil_http_requests_total HTTP requests by route and status.\n"
               "# TYPE vigil_http_requests_total counter\n");
    pthread_mutex_lock(&s->met_mu);
    for (size_t i = 0; i <= MAX_ROUTES; i++) {
        const route_stats *r = &s->stats[i];
        char name[160];
        if (i < http_n_routes) snprintf(name, sizeof name, "%s %s", http_routes[i].method, http_routes[i].path);
        else if (i == MAX_ROUTES) snprintf(name, sizeof name, "unmatched");
        else continue;
        for (int k = 0; k < MAX_STATUSES && r->status[k]; k++)
            fprintf(f, "vigil_http_requests_total{route=\"%s\",status=\"%u\"} %llu\n", name,
                    r->status[k], (unsigned long long)r->count[k]);
    }
    fprintf(f, "# HELP vigil_http_request_duration_seconds Time to answer, by route.\n"
               "# TYPE vigil_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= MAX_ROUTES; i++) {
        const route_stats *r = &s->stats[i];
        if (!r->n) continue;
        char name[160];
        if (i < http_n_routes) snprintf(name, sizeof name, "%s %s", http_routes[i].method, http_routes[i].path);
        else snprintf(name, sizeof name, "unmatched");
        uint64_t cum = 0;
        for (int b = 0; b < N_BUCKETS; b++) {
            cum += r->buckets[b];
            fprintf(f, "vigil_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                    name, bucket_le[b], (unsigned long long)cum);
        }
        fprintf(f, "vigil_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                name, (unsigned long long)r->n);
        fprintf(f, "vigil_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", name, r->sum);
        fprintf(f, "vigil_http_request_duration_seconds_count{route=\"%s\"} %llu\n", name,
                (unsigned long long)r->n);
    }
    pthread_mutex_unlock(&s->met_mu);
    fprintf(f, "# HELP vigil_index_entries Hashes loaded in the matcher.\n"
               "# TYPE vigil_index_entries gauge\nvigil_index_entries %zu\n",
            http_matcher_size(s));
    fprintf(f, "# HELP vigil_index_sequence The bank change-log sequence the matcher has applied.\n"
               "# TYPE vigil_index_sequence gauge\nvigil_index_sequence %lld\n",
            (long long)matcher_sequence(s));
    http_vcache_metrics(s->vcache, f);
    http_memo_metrics(s->memo, f);
    json_t *orders = NULL;
    long open = 0, overdue = 0;
    if (vigil_order_list(st, NULL, 0, &orders, NULL) == VIGIL_OK) {
        size_t k;
        json_t *o;
        json_array_foreach(orders, k, o) {
            const char *stt = json_string_value(json_object_get(o, "status"));
            if (stt && (strcmp(stt, "open") == 0 || strcmp(stt, "acknowledged") == 0)) open++;
            if (json_is_true(json_object_get(o, "overdue"))) overdue++;
        }
    }
    json_decref(orders);
    fprintf(f, "# HELP vigil_removal_orders_open Removal orders not yet actioned.\n"
               "# TYPE vigil_removal_orders_open gauge\nvigil_removal_orders_open %ld\n"
               "# HELP vigil_removal_orders_overdue Open removal orders past their one-hour deadline.\n"
               "# TYPE vigil_removal_orders_overdue gauge\nvigil_removal_orders_overdue %ld\n"
               "# HELP vigil_http_in_flight Requests being answered.\n"
               "# TYPE vigil_http_in_flight gauge\nvigil_http_in_flight %d\n",
            open, overdue, atomic_load(&s->in_flight));
    if (fclose(f) != 0) {
        free(buf);
        return NULL;
    }
    *len = cap;
    return buf;
}

/* ---- the access log ---------------------------------------------------------------- */

static void log_request(vigil_server *s, struct MHD_Connection *c, const char *method,
                        const char *url, const req *r, double secs) {
    if (!s->o.access_log) return;
    char ts[VIGIL_TIME_LEN], addr[INET6_ADDRSTRLEN] = "-";
    vigil_time_format((int64_t)time(NULL), ts);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, addr, sizeof addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, addr, sizeof addr);
    }
    json_t *o = json_pack("{s:s, s:s, s:s, s:s?, s:i, s:f, s:s?, s:I, s:I, s:s}", "ts", ts, "method",
                          method, "path", url, "route", r->rt ? r->rt->path : NULL, "status",
                          (int)r->status, "ms", secs * 1000.0, "user", r->user[0] ? r->user : NULL,
                          "bytes_in", (json_int_t)r->len, "bytes_out", (json_int_t)r->bytes_out,
                          "remote", addr);
    char *line = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(4)) : NULL;
    if (line) {
        pthread_mutex_lock(&s->log_mu);
        fprintf(s->o.access_log, "%s\n", line);
        fflush(s->o.access_log);
        pthread_mutex_unlock(&s->log_mu);
    }
    free(line);
    json_decref(o);
}

/* ---- the store of this worker thread ------------------------------------------------- */

static vigil_store *thread_store(vigil_server *s, vigil_err *err) {
    if (tl_store) return tl_store;
    vigil_store *st = NULL;
    if (vigil_store_open(s->db_path, &st, err) != VIGIL_OK) return NULL;
    pthread_mutex_lock(&s->stores_mu);
    if (s->n_stores == s->cap_stores) {
        size_t nc = s->cap_stores ? 2 * s->cap_stores : 8;
        vigil_store **ns = realloc(s->stores, nc * sizeof(vigil_store *));
        if (!ns) {
            pthread_mutex_unlock(&s->stores_mu);
            vigil_store_close(st);
            vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            return NULL;
        }
        s->stores = ns;
        s->cap_stores = nc;
    }
    s->stores[s->n_stores++] = st;
    pthread_mutex_unlock(&s->stores_mu);
    tl_store = st;
    return st;
}

/* ---- answering ------------------------------------------------------------------------ */

static int role_bit(const char *role) {
    if (strcmp(role, "analyst") == 0) return R_ANALYST;
    if (strcmp(role, "reviewer") == 0) return R_REVIEWER;
    if (strcmp(role, "coordinator") == 0) return R_COORDINATOR;
    if (strcmp(role, "liaison") == 0) return R_LIAISON;
    if (strcmp(role, "admin") == 0) return R_ADMIN;
    return 0;
}

static enum MHD_Result send_response(struct MHD_Connection *c, req *r, http_ctx *h) {
    char *data = NULL;
    size_t len = 0;
    const char *type = "application/json";
    if (h->raw) {
        data = h->raw, len = h->raw_len, type = h->raw_type;
        h->raw = NULL;
    } else if (h->asset) {
        data = NULL, len = h->asset_len, type = h->raw_type;
    } else {
        char *j = json_dumps(h->out ? h->out : json_null(), JSON_COMPACT | JSON_ENCODE_ANY);
        if (j) {
            len = strlen(j);
            data = realloc(j, len + 2);
            if (!data) data = j;
            else data[len++] = '\n';
        }
    }
    struct MHD_Response *resp =
        h->asset ? MHD_create_response_from_buffer(len, (void *)h->asset, MHD_RESPMEM_PERSISTENT)
                 : MHD_create_response_from_buffer(len, data ? data : (char *)"",
                                                   data ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        free(data);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", type);
    MHD_add_response_header(resp, "Cache-Control", h->cache ? h->cache : "no-store");
    if (h->etag[0]) MHD_add_response_header(resp, "ETag", h->etag);
    http_security_headers(resp);
    if (h->status == 401) MHD_add_response_header(resp, "WWW-Authenticate", "Bearer");
    if (h->set_cookie[0]) MHD_add_response_header(resp, "Set-Cookie", h->set_cookie);
    if (h->retry_after > 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", h->retry_after);
        MHD_add_response_header(resp, "Retry-After", ra);
    }
    r->status = h->status;
    r->bytes_out = len;
    r->answered = 1;
    enum MHD_Result ret = MHD_queue_response(c, h->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static size_t body_limit(const vigil_server *s, const route *rt) {
    if (!rt) return s->o.max_body;
    switch (rt->body) {
    case BODY_IMAGE:
    case BODY_IMAGE_OR_JSON: return s->o.max_image;
    case BODY_CSV: return s->o.max_import;
    default: return s->o.max_body;
    }
}

static int ctype_is(const char *ct, const char *want) {
    size_t n = strlen(want);
    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static void dispatch(vigil_server *s, struct MHD_Connection *c, const char *method, req *r,
                     http_ctx *h) {
    h->srv = s;
    h->conn = c;
    h->rt = r->rt;
    memcpy(h->params, r->params, sizeof h->params);
    const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    h->ctype = ct ? ct : "";
    h->body = r->body;
    h->body_len = r->len;
    vigil_err err;
    vigil_err_clear(&err);
    if (!r->rt) {
        if (r->method_known)
            http_error(h, 405, "method_not_allowed", "%s is not allowed on this path", method);
        else
            http_error(h, 404, "not_found", "no such route (see docs/openapi.yaml)");
        return;
    }
    /* a route that matches from memory goes on without the store (a token
     * then from the cache of verified tokens); every other route needs it */
    int outage_ok = (r->rt->flags & RF_OUTAGE) != 0;
    h->st = thread_store(s, &err);
    if (!h->st && !(outage_ok && err.status == VIGIL_EBUSY)) {
        http_fail(h, err.status ? err.status : VIGIL_EIO, &err);
        return;
    }
    if (r->rt->roles != R_NONE) {
        const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "vigil_session");
        char role[16];
        vigil_status rc;
        if (auth && strncasecmp(auth, "Bearer ", 7) == 0) { /* machine clients: no cookie, no CSRF */
            rc = vigil_user_by_token_cached(s->tokens, h->st, auth + 7, (int64_t)time(NULL), outage_ok,
                                            h->user_buf, role, NULL, &err);
            if (rc == VIGIL_EPERM) {
                http_error(h, 401, "unauthorized", "invalid or revoked token");
                return;
            }
        } else if (cookie && *cookie && !h->st) { /* sessions are checked in the store only */
            rc = err.status ? err.status : VIGIL_EBUSY;
        } else if (cookie && *cookie) { /* people: the session cookie */
            rc = vigil_session_check(h->st, &s->auth, cookie, (int64_t)time(NULL), &h->sess, &err);
            if (rc == VIGIL_EPERM) {
                http_session_cookie(h, "", 0);
                http_error(h, 401, "unauthorized", "%s", err.msg);
                return;
            }
            if (rc == VIGIL_OK) {
                h->via_session = 1;
                snprintf(h->sid, sizeof h->sid, "%s", cookie);
                snprintf(h->user_buf, sizeof h->user_buf, "%s", h->sess.user);
                snprintf(role, sizeof role, "%s", h->sess.role);
                /* every state-changing request that carries the cookie proves it comes
                 * from the app: the session's CSRF token in a header */
                const char *csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
                if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
                    !vigil_auth_equal(csrf, h->sess.csrf)) {
                    snprintf(r->user, sizeof r->user, "%s", h->user_buf);
                    http_error(h, 403, "csrf", "missing or wrong X-CSRF-Token header (GET "
                                               "/v1/session gives the token of this session)");
                    return;
                }
                if (h->sess.must_change && strncmp(r->rt->path, "/v1/session", 11) != 0) {
                    snprintf(r->user, sizeof r->user, "%s", h->user_buf);
                    http_error(h, 403, "password_change_required",
                               "change the first password before anything else "
                               "(POST /v1/session/password)");
                    return;
                }
            }
        } else {
            http_error(h, 401, "unauthorized",
                       "send an API token (Authorization: Bearer TOKEN) or sign in (POST /v1/session)");
            return;
        }
        if (rc != VIGIL_OK) {
            http_fail(h, rc, &err);
            return;
        }
        h->user = h->user_buf;
        h->role = role_bit(role);
        snprintf(r->user, sizeof r->user, "%s", h->user);
        if (!(h->role & r->rt->roles)) {
            http_error(h, 403, "forbidden", "%s (%s) may not use %s %s", h->user, role,
                       r->rt->method, r->rt->path);
            return;
        }
        vigil_store_set_actor(h->st, h->user); /* bank writes are audited with the user */
    }
    switch (r->rt->body) {
    case BODY_JSON:
        if (!ctype_is(ct, "application/json")) {
            http_error(h, 415, "unsupported_media", "send Content-Type: application/json");
            return;
        }
        break;
    case BODY_CSV:
        if (!ctype_is(ct, "text/csv") && !ctype_is(ct, "text/plain")) {
            http_error(h, 415, "unsupported_media", "send Content-Type: text/csv");
            return;
        }
        break;
    default: break;
    }
    if (http_validate(h) != 0) return; /* the route table's fields and query */
    r->rt->fn(h);
    json_decref(h->in);
    h->in = NULL;
    if (!h->status) http_error(h, 500, "internal", "the handler gave no answer");
}

/* 413 at once: the rest of the body is not read, and the connection is
 * closed after the answer. */
static enum MHD_Result answer_too_large(struct MHD_Connection *c, req *r) {
    free(r->body);
    r->body = NULL;
    r->len = r->cap = 0;
    http_ctx h;
    memset(&h, 0, sizeof h);
    http_error(&h, 413, "too_large", "the request body is over the limit of %zu bytes", r->limit);
    enum MHD_Result ret = send_response(c, r, &h);
    json_decref(h.out);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    (void)version;
    vigil_server *s = cls;
    req *r = *con_cls;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        atomic_fetch_add(&s->in_flight, 1);
        *con_cls = r;
        snprintf(r->method, sizeof r->method, "%s", method);
        snprintf(r->path, sizeof r->path, "%s", url);
        r->rt = find_route(method, url, r->params, &r->method_known);
        r->limit = body_limit(s, r->rt);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > r->limit) return answer_too_large(c, r);
        return MHD_YES;
    }
    if (*upload_size) {
        if (!r->answered) {
            if (r->len + *upload_size > r->limit) {
                *upload_size = 0;
                return answer_too_large(c, r);
            } else {
                if (r->len + *upload_size + 1 > r->cap) {
                    size_t nc = r->cap ? r->cap : 4096;
                    while (nc < r->len + *upload_size + 1) nc *= 2;
                    char *nb = realloc(r->body, nc);
                    if (!nb) return MHD_NO;
                    r->body = nb;
                    r->cap = nc;
                }
                memcpy(r->body + r->len, upload, *upload_size);
                r->len += *upload_size;
                r->body[r->len] = '\0';
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (r->answered) return MHD_YES;
    http_ctx h;
    memset(&h, 0, sizeof h);
    if (r->rt == NULL && !r->method_known && strcmp(method, "GET") == 0 &&
        (strcmp(url, "/healthz") == 0 || strcmp(url, "/metrics") == 0)) {
        if (url[1] == 'h') {
            h.status = 200;
            h.out = json_pack("{s:s}", "status", "ok");
        } else {
            vigil_err err;
            vigil_store *st = thread_store(s, &err);
            size_t len = 0;
            h.raw = st ? metrics_text(s, st, &len) : NULL;
            if (h.raw) {
                h.status = 200;
                h.raw_len = len;
                h.raw_type = "text/plain; version=0.0.4";
            } else {
                h.srv = s;
                http_error(&h, 500, "internal", "cannot produce the metrics");
            }
        }
    } else if (r->rt == NULL && !r->method_known && strncmp(url, "/v1/", 4) != 0 &&
               (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)) {
        h.conn = c;
        http_static(&h, url); /* the web app (src/http/static.c) */
    } else {
        dispatch(s, c, method, r, &h);
    }
    enum MHD_Result ret = send_response(c, r, &h);
    json_decref(h.out);
    free(h.raw);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)toe;
    vigil_server *s = cls;
    req *r = *con_cls;
    if (!r) return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - r->t0.tv_sec) + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e9;
    if (r->answered) {
        count_request(s, r->rt, r->status, secs);
        log_request(s, c, r->method, r->path, r, secs);
    }
    free(r->body);
    free(r);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

/* ---- start and stop --------------------------------------------------------------------- */

static vigil_status parse_listen(const char *listen, struct sockaddr_in *sa, vigil_err *err) {
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || (size_t)(colon - listen) >= sizeof host)
        return vigil__err_field(err, VIGIL_EINVAL, "listen", "'%s': expected ADDR:PORT (127.0.0.1:8080)", listen);
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (!colon[1] || *end || port > 65535)
        return vigil__err_field(err, VIGIL_EINVAL, "listen", "'%s': bad port", listen);
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) snprintf(host, sizeof host, "127.0.0.1");
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
        return vigil__err_field(err, VIGIL_EINVAL, "listen", "'%s': '%s' is not an IPv4 address", listen, host);
    return VIGIL_OK;
}

/* Reads the --tls-cert and --tls-key PEM files (both or neither). */
static vigil_status tls_load(vigil_server *s, vigil_err *err) {
    const char *cert = s->o.tls_cert, *key = s->o.tls_key;
    if (!cert && !key) return VIGIL_OK;
    if (!cert || !key)
        return vigil__err_set(err, VIGIL_EINVAL, "HTTPS needs both --tls-cert FILE and --tls-key FILE");
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES)
        return vigil__err_set(err, VIGIL_EINVAL, "this libmicrohttpd was built without TLS");
    const char *files[2] = {cert, key};
    char **dst[2] = {&s->tls_cert, &s->tls_key};
    for (int i = 0; i < 2; i++) {
        uint8_t *data = NULL;
        size_t n = 0;
        vigil_status rc = vigil_read_file(files[i], 1u << 20, &data, &n, err);
        if (rc != VIGIL_OK) return rc;
        char *txt = realloc(data, n + 1);
        if (!txt) {
            free(data);
            return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        txt[n] = '\0';
        if (!strstr(txt, "-----BEGIN ")) {
            free(txt);
            return vigil__err_set(err, VIGIL_EFORMAT, "%s: not a PEM file (-----BEGIN ...)", files[i]);
        }
        *dst[i] = txt;
    }
    return VIGIL_OK;
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    (void)fmt;
    (void)ap; /* MHD's own messages (client protocol errors) are not ours to print */
}

vigil_status vigil_server_start(const vigil_server_opts *opts, vigil_server **out, vigil_err *err) {
    *out = NULL;
    if (!opts || !opts->db_path)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_server_start: no store path");
    vigil_server *s = calloc(1, sizeof *s);
    if (!s) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    s->o = *opts;
    if (!s->o.listen) s->o.listen = "127.0.0.1:8080";
    if (!s->o.threads) s->o.threads = 2;
    if (!s->o.max_body) s->o.max_body = 4u << 20;
    if (!s->o.max_image) s->o.max_image = 32u << 20;
    if (!s->o.max_import) s->o.max_import = 64u << 20;
    if (!s->o.max_connections) s->o.max_connections = 512;
    if (!s->o.per_ip) s->o.per_ip = 64;
    if (!s->o.timeout_s) s->o.timeout_s = 15;
    s->db_path = strdup(opts->db_path);
    vigil_auth_policy_init(&s->auth);
    if (opts->session_idle_s > 0) s->auth.idle_s = opts->session_idle_s;
    if (opts->session_lifetime_s > 0) s->auth.lifetime_s = opts->session_lifetime_s;
    pthread_mutex_init(&s->stores_mu, NULL);
    pthread_rwlock_init(&s->m_lock, NULL);
    pthread_mutex_init(&s->m_reload, NULL);
    pthread_mutex_init(&s->met_mu, NULL);
    pthread_mutex_init(&s->log_mu, NULL);
    pthread_mutex_init(&s->live_mu, NULL);
    pthread_cond_init(&s->live_cv, NULL);
    struct sockaddr_in sa;
    vigil_status rc = s->db_path ? parse_listen(s->o.listen, &sa, err)
                                 : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (rc == VIGIL_OK) rc = tls_load(s, err);
    /* open (and migrate) the store once before the workers do */
    vigil_store *st0 = NULL;
    if (rc == VIGIL_OK) rc = vigil_store_open(s->db_path, &st0, err);
    if (rc == VIGIL_OK) rc = vigil_platform_seed(st0, err);
    vigil_store_close(st0);
    s->snap_seq = -1;
    if (rc == VIGIL_OK && !(s->o.index_snapshot && matcher_from_snapshot(s)))
        rc = matcher_load(s, err);
    if (rc == VIGIL_OK) {
        if (pthread_create(&s->live, NULL, live_main, s) == 0)
            s->live_started = 1;
        else
            rc = vigil__err_set(err, VIGIL_EINTERNAL, "cannot start the thread that applies bank changes");
    }
    if (rc == VIGIL_OK && s->o.index_snapshot) {
        if (pthread_create(&s->snap, NULL, snap_main, s) == 0)
            s->snap_started = 1;
        else
            rc = vigil__err_set(err, VIGIL_EINTERNAL, "cannot start the thread that writes the index snapshot");
    }
    if (rc == VIGIL_OK) rc = http_vcache_new(s->db_path, &s->vcache, err);
    if (rc == VIGIL_OK) rc = http_memo_new(&s->memo, err);
    if (rc == VIGIL_OK && s->o.token_cache_s >= 0)
        rc = vigil_token_cache_new(0, s->o.token_cache_s, &s->tokens, err);
    if (rc != VIGIL_OK) {
        vigil_server_stop(s);
        return rc;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    if (s->tls_cert) flags |= MHD_USE_TLS;
    s->d = MHD_start_daemon(
        flags, 0, NULL,
        NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_THREAD_POOL_SIZE, s->o.threads, MHD_OPTION_CONNECTION_LIMIT,
        s->o.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->o.per_ip,
        MHD_OPTION_CONNECTION_TIMEOUT, s->o.timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
        s->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, s->tls_cert,
        MHD_OPTION_HTTPS_MEM_KEY, s->tls_key, MHD_OPTION_END);
    if (!s->d) {
        rc = vigil__err_set(err, VIGIL_EIO, "cannot listen on %s: %s", s->o.listen,
                            errno ? strerror(errno) : "address in use or not available");
        vigil_server_stop(s);
        return rc;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : ntohs(sa.sin_port);
    *out = s;
    return VIGIL_OK;
}

void vigil_server_stop(vigil_server *s) {
    if (!s) return;
    if (s->d) {
        MHD_quiesce_daemon(s->d); /* no new connections */
        /* let the requests in flight finish (at most 10 s) */
        for (int i = 0; i < 1000 && atomic_load(&s->in_flight) > 0; i++) {
            struct timespec ts = {0, 10000000};
            nanosleep(&ts, NULL);
        }
        MHD_stop_daemon(s->d);
    }
    pthread_mutex_lock(&s->live_mu);
    s->live_stop = 1;
    pthread_cond_broadcast(&s->live_cv);
    pthread_mutex_unlock(&s->live_mu);
    if (s->live_started) pthread_join(s->live, NULL);
    if (s->snap_started) pthread_join(s->snap, NULL);
    if (s->live_started) snapshot_refresh(s, 1);
    for (size_t i = 0; i < s->n_stores; i++) vigil_store_close(s->stores[i]);
    free(s->stores);
    vigil_matcher_free(s->matcher);
    vigil_store_close(s->m_store);
    http_vcache_free(s->vcache);
    http_memo_free(s->memo);
    vigil_token_cache_free(s->tokens);
    pthread_mutex_destroy(&s->stores_mu);
    pthread_rwlock_destroy(&s->m_lock);
    pthread_mutex_destroy(&s->m_reload);
    pthread_mutex_destroy(&s->met_mu);
    pthread_mutex_destroy(&s->log_mu);
    pthread_mutex_destroy(&s->live_mu);
    pthread_cond_destroy(&s->live_cv);
    free(s->db_path);
    free(s->tls_cert);
    if (s->tls_key) {
        memset(s->tls_key, 0, strlen(s->tls_key));
        free(s->tls_key);
    }
    free(s);
}
