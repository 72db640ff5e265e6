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

typedef struct route {
    const char *method;
    const char *path; /* "/v1/items/{id}" */
    void (*fn)(http_ctx *h);
    int roles;
    body_kind body;
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
 *  from the vigil_status (EPARSE 400 bad_request, ENOENT 404 not_found,
 *  EPERM 403 forbidden, ECONFLICT 409 conflict, ELIMIT 413, EFORMAT 415,
 *  ECORRUPT 422, EIO "locked" 503, others 500) and the library's message. */
void http_fail(http_ctx *h, vigil_status rc, const vigil_err *err);

/*! http_ok() : answer `out` (consumed) with `status`. */
void http_ok(http_ctx *h, unsigned status, json_t *out);

/*! http_json_body() : the request body parsed as a JSON object; NULL after
 *  answering 400 (malformed, not an object, duplicate keys, invalid UTF-8). */
json_t *http_json_body(http_ctx *h);

/*! http_query() : a query-string argument or NULL.  http_query_check()
 *  answers 400 and returns -1 when the query has an argument not in the
 *  NULL-terminated `allowed` list. */
const char *http_query(http_ctx *h, const char *name);
int http_query_check(http_ctx *h, const char *const *allowed);

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

#endif /* VIGIL_HTTP_INTERNAL_H */
