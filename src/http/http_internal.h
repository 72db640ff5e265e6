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
    int retry_after;        /* seconds for a Retry-After header (503), or 0 */
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

/*! http_query() : a query-string argument or NULL.  http_query_check()
 *  answers 400 and returns -1 when the query has an argument not in the
 *  NULL-terminated `allowed` list. */
const char *http_query(http_ctx *h, const char *name);
int http_query_check(http_ctx *h, const char *const *allowed);

/*! The server's shared matcher: acquire a read reference for a query, or
 *  mark the banks changed (the next query reloads). */
vigil_matcher *http_matcher_acquire(http_ctx *h, vigil_err *err);
void http_matcher_release(http_ctx *h);
void http_banks_changed(http_ctx *h);
size_t http_matcher_size(vigil_server *s);

#endif /* VIGIL_HTTP_INTERNAL_H */
