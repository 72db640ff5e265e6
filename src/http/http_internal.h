/*
 * src/http/http_internal.h - what the server core (server.c) and the route
 * handlers (routes.c) share: the request context, the route table, and the
 * helpers that turn library results into HTTP responses.
 */
#ifndef VIGIL_HTTP_INTERNAL_H
#define VIGIL_HTTP_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "vigil/auth.h"
#include "vigil/case.h"
#include "vigil/http.h"
#include "vigil/match.h"

#define HTTP_MAX_PARAMS 4

/* Who may call a route (coarse; the case store checks tenancy and the
 * finer rules).  R_NONE: no token needed. */
enum {
    R_ANALYST = 1,
    R_REVIEWER = 2,
    R_COORDINATOR = 4,
    R_LIAISON = 8,
    R_ADMIN = 16,
    R_STAFF = R_ANALYST | R_REVIEWER | R_COORDINATOR | R_ADMIN,
    R_ALL = R_STAFF | R_LIAISON,
    R_NONE = 0,
};

/* Request bodies a route takes. */
typedef enum body_kind { BODY_NONE, BODY_JSON, BODY_IMAGE_OR_JSON, BODY_IMAGE, BODY_CSV } body_kind;

typedef struct http_ctx http_ctx;

/* The type of a JSON body field or a query argument. */
typedef enum http_ftype {
    FT_STRING,  /* a string                                  */
    FT_TIME,    /* a string holding an ISO 8601 time          */
    FT_INT,     /* an integer (range min..max with F_RANGE)   */
    FT_BOOL,    /* true or false                              */
    FT_STRINGS, /* an array of at most `max` strings          */
    FT_LABELS,  /* an object of strings                       */
} http_ftype;

enum {
    F_REQ = 1,      /* required                                              */
    F_RANGE = 2,    /* FT_INT: min..max                                      */
    F_MAX413 = 4,   /* FT_STRINGS: more than max is 413 (a limit), not 400   */
};

/* One field of a route's JSON body (or one query argument): the table that
 * validates requests before the handler runs and that docs/openapi.yaml's
 * request schemas are generated from.  A list ends with a NULL name. */
typedef struct http_field {
    const char *name;
    http_ftype type;
    unsigned flags;
    const char *choices; /* "a|b|c": documented; the library checks the word */
    long long min, max;  /* F_RANGE bounds; FT_STRINGS: at most `max` items  */
    const char *example;
    const char *doc;
} http_field;

/* Route flags. */
enum {
    RF_BODY_OPTIONAL = 1, /* BODY_NONE route that takes an optional JSON body of `fields` */
    RF_LIMITED = 2,       /* may answer 429 (attempts limited: sign-in)                    */
    RF_OUTAGE = 4,        /* read-only matching against the in-memory matchers: answered
                             while the store is unreachable, a Bearer token then checked
                             against the cache of verified tokens (vigil_token_cache)      */
};

/* One operation of the API: the route table drives dispatch (method, path,
 * role gate, body kind), request validation (fields, query) and the
 * generated `paths` of docs/openapi.yaml (tag, summary, doc, answer). */
typedef struct route {
    const char *method;
    const char *path; /* "/v1/items/{id}" */
    void (*fn)(http_ctx *h);
    int roles;
    body_kind body;
    unsigned flags;           /* RF_*                                         */
    const http_field *fields; /* the JSON body's fields, or NULL              */
    const http_field *query;  /* the query arguments, or NULL (none allowed)  */
    unsigned ok;              /* the success status (200, 201)                */
    const char *result;       /* the answer's schema: a component name, "[]"  */
    const char *tag, *summary, *doc;
} route;

/* One request being answered. */
struct http_ctx {
    vigil_server *srv;
    struct MHD_Connection *conn;
    vigil_store *st;        /* this worker thread's connection */
    const route *rt;
    char params[HTTP_MAX_PARAMS][256];
    const char *user;       /* the authenticated user (NULL for R_NONE routes) */
    char user_buf[128];
    int role;               /* R_* bit of the user */
    const char *body;       /* NUL-terminated copy of the request body */
    size_t body_len;
    const char *ctype;      /* request Content-Type, or "" */
    json_t *in;             /* the validated JSON body (route fields), or NULL */
    /* the response */
    unsigned status;
    json_t *out;            /* JSON body, or ... */
    char *raw;              /* ... a raw body (malloc'd) with raw_type */
    size_t raw_len;
    const char *raw_type;
    char err_code[32];
    /* sign-in sessions (cookie auth) */
    int via_session;        /* authenticated by the session cookie, not a token */
    char sid[VIGIL_SESSION_LEN + 1];
    vigil_session_info sess;
    const void *asset;      /* a static body (the web app's files), or NULL */
    size_t asset_len;
    const char *cache;      /* Cache-Control; NULL: no-store */
    char etag[24];          /* an ETag header to send (the web app's files), or "" */
    char set_cookie[320];   /* a Set-Cookie header to send, or "" */
    int retry_after;        /* a Retry-After header (s) to send, or 0 */
};

/*! The route table (routes.c) and its size. */
extern const route http_routes[];
extern const size_t http_n_routes;

/*! http_error() : answer {"error":{"code","message"}} with `status`. */
void http_error(http_ctx *h, unsigned status, const char *code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*! http_fail() : the HTTP answer for a failed library call: status and code
 *  from the vigil_status alone (http_status_of) and the library's message;
 *  an error that names a field carries it as "field" (and the message
 *  starts with it).  503 answers carry `Retry-After: 1`. */
void http_fail(http_ctx *h, vigil_status rc, const vigil_err *err);

/*! http_status_of() : the HTTP status for a library status, and its error
 *  code ("bad_request", "not_found", ...; "internal" for 500).  One table:
 *  EINVAL/EPARSE 400, EPERM 403, ENOENT 404, ECONFLICT/EEXIST 409, ELIMIT
 *  413, EFORMAT 415, ECORRUPT 422, EBUSY 503, everything else 500. */
unsigned http_status_of(vigil_status rc, const char **code);

/*! http_ok() : answer `out` (consumed) with `status`. */
void http_ok(http_ctx *h, unsigned status, json_t *out);

/*! http_json_body() : the request body parsed as a JSON object; NULL after
 *  answering 400 (malformed, not an object, duplicate keys, invalid UTF-8). */
json_t *http_json_body(http_ctx *h);

/*! http_query() : a query-string argument or NULL (the route table's
 *  `query` lists the arguments a route takes; http_validate refuses others). */
const char *http_query(http_ctx *h, const char *name);

/*! http_validate() : checks the request against the route's table: query
 *  arguments (unknown ones: 400 bad_request) and, for routes with fields, the
 *  JSON body (malformed: bad_json; unknown fields: unknown_field; absent
 *  required ones: missing_field; wrong types: wrong_type; too many values:
 *  too_many; out of range: bad_request), parsed into h->in.  @return 0, or
 *  -1 after answering. */
int http_validate(http_ctx *h);

/*! Field getters for handlers, on h->in after http_validate (types are
 *  checked there): NULL / 0 when absent.  in_strs copies at most `max`
 *  pointers (into h->in) and sets *n. */
const char *http_in_str(http_ctx *h, const char *name);
int http_in_int(http_ctx *h, const char *name, long long *out);
int http_in_bool(http_ctx *h, const char *name, int *out);
size_t http_in_strs(http_ctx *h, const char *name, const char **out, size_t max);

/*! http_openapi_paths() : writes the `paths:` section of docs/openapi.yaml
 *  generated from the route table (tools/gen-docs writes it into the file;
 *  a test compares). */
void http_openapi_paths(FILE *out);

/*! http_auth_policy() : the server's session policy.  http_tls() : 1 when
 *  the server speaks HTTPS (cookies are then marked Secure). */
const vigil_auth_policy *http_auth_policy(const http_ctx *h);
int http_tls(const http_ctx *h);

/*! http_session_cookie() : sets h->set_cookie to the session cookie
 *  (HttpOnly, SameSite=Strict, Path=/, Secure under TLS) carrying `sid`
 *  for `max_age` seconds; sid "" with max_age 0 clears it. */
void http_session_cookie(http_ctx *h, const char *sid, int max_age);

/*! http_security_headers() : the headers of every answer: a strict
 *  Content-Security-Policy (default-src 'self', no inline script or style,
 *  no framing), X-Frame-Options DENY, nosniff, no referrer. */
void http_security_headers(struct MHD_Response *resp);

/*! http_static() : answers GET `url` from the web app embedded in the
 *  binary (static.c): "/" is index.html; without a built app, "/" says so. */
void http_static(http_ctx *h, const char *url);

/*! The server's shared matcher: acquire a read reference for a query, or
 *  mark the banks changed (the next query reloads). */
vigil_matcher *http_matcher_acquire(http_ctx *h, vigil_err *err);
void http_matcher_release(http_ctx *h);
void http_banks_changed(http_ctx *h);
size_t http_matcher_size(vigil_server *s);

/* ---- the video and TMK matchers, kept between requests (vcache.c) ---- */

typedef struct http_vcache http_vcache;
enum { HTTP_VC_VIDEO = 0, HTTP_VC_TMK, HTTP_VC_KINDS };

/*! http_vcache_new() / http_vcache_free() : an empty cache over the store
 *  at `db_path` (nothing is loaded until a request needs it); free: NULL ok. */
vigil_status http_vcache_new(const char *db_path, http_vcache **out, vigil_err *err);
void http_vcache_free(http_vcache *c);

/*! http_vcache_acquire() :
 *  The matcher of `kind` (HTTP_VC_VIDEO: a vigil_video_matcher *,
 *  HTTP_VC_TMK: a vigil_tmk_matcher *) loaded at banks generation `gen`,
 *  loading it first when there is none or it is of another generation
 *  (a load that finds the store unreachable keeps the one loaded before,
 *  if any: matching goes on through an outage);
 *  held under a read lock until http_vcache_release(c, kind).
 *  @return the matcher, or NULL with *err set (nothing held). */
void *http_vcache_acquire(http_vcache *c, int kind, unsigned long gen, vigil_err *err);
void http_vcache_release(http_vcache *c, int kind);

/*! http_vcache_metrics() : the loads and loaded videos per kind, in the
 *  Prometheus text format. */
void http_vcache_metrics(http_vcache *c, FILE *f);

/*! http_vcache_of() : the server's cache.  http_banks_gen() : the banks'
 *  generation now (the change-log sequence the matcher has applied: server.c). */
http_vcache *http_vcache_of(http_ctx *h);
unsigned long http_banks_gen(http_ctx *h);

/* ---- answers given again while the store is unchanged (memo.c) ---- */

typedef struct http_memo http_memo;

/*! http_memo_new() / http_memo_free() : an empty memo; free: NULL ok. */
vigil_status http_memo_new(http_memo **out, vigil_err *err);
void http_memo_free(http_memo *m);

/*! http_memo_get() : a copy of the answer kept for (`what`, `user`, `arg`)
 *  at store mark `mark` (vigil_store_mark), or NULL (none, another mark, or
 *  a key too long to keep). */
json_t *http_memo_get(http_memo *m, const char *what, const char *user, const char *arg,
                      int64_t mark);

/*! http_memo_put() : keeps a copy of `value` (not consumed), computed after
 *  reading mark `mark`, for (`what`, `user`, `arg`). */
void http_memo_put(http_memo *m, const char *what, const char *user, const char *arg,
                   int64_t mark, const json_t *value);

/*! http_memo_metrics() : hits and misses, in the Prometheus text format. */
void http_memo_metrics(http_memo *m, FILE *f);

/*! http_memo_of() : the server's memo. */
http_memo *http_memo_of(http_ctx *h);

#endif /* VIGIL_HTTP_INTERNAL_H */
