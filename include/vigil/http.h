/*
 * vigil/http.h - `vigil serve`: the HTTP/JSON API over the library (libmicrohttpd for HTTP,
 * jansson for JSON).  Handlers only translate between HTTP and library calls; roles and
 * tenancy are decided by the case store (vigil/case.h), so the CLI and the API share one
 * set of rules.  docs/openapi.yaml documents every route.
 */
#ifndef VIGIL_HTTP_H
#define VIGIL_HTTP_H

#include <stddef.h>
#include <stdio.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct vigil_server_opts {
    const char *db_path;      /* the store (required)                                      */
    const char *listen;       /* "ADDR:PORT"; NULL: "127.0.0.1:8080"; port 0: any free one  */
    unsigned threads;         /* worker threads; 0: 2                                      */
    size_t max_body;          /* JSON and CSV bodies; 0: 4 MiB                             */
    size_t max_image;         /* image uploads (hash, match); 0: 32 MiB                    */
    size_t max_import;        /* CSV imports; 0: 64 MiB                                    */
    unsigned max_connections; /* open connections in all; 0: 512                          */
    unsigned per_ip;          /* open connections per client address; 0: 64                */
    unsigned timeout_s;       /* idle or too slow connections are closed; 0: 15 s          */
    FILE *access_log;         /* one JSON line per request; NULL: no log                   */
    const char *tls_cert;     /* PEM certificate (chain) file: serve HTTPS; NULL: HTTP      */
    const char *tls_key;      /* its PEM private key file (both or neither)                */
    int session_idle_s;       /* sign-in sessions: idle timeout; 0: 1800 s                 */
    int session_lifetime_s;   /* absolute lifetime; 0: 43200 s (12 h)                      */
    int token_cache_s;        /* while the store is unreachable, POST /v1/match still takes
                                 API tokens the store verified this recently (vigil/auth.h:
                                 vigil_token_cache); 0: 300 s; -1: no cache (503 then)     */
    /* bank changes (made through any server or the CLI) reach the matcher as
     * deltas from the store's change log, polled every sync_ms */
    unsigned sync_ms;           /* 0: 150 ms                                               */
    const char *index_snapshot; /* a file for the matcher's snapshot: loaded at start when
                                   valid (else the banks are loaded and it is rewritten),
                                   refreshed after changes at most every
                                   snapshot_interval_s and at stop; NULL: none           */
    unsigned snapshot_interval_s; /* 0: 60 s                                               */
} vigil_server_opts;

/*! vigil_server_opts_init() : the defaults above, db_path NULL. */
VIGIL_API void vigil_server_opts_init(vigil_server_opts *o);

typedef struct vigil_server vigil_server;

/*! vigil_server_start() :
 *  Opens the store (migrating it), loads the matcher (every enabled bank's
 *  PDQ/MD5/SHA-256 entries; from o->index_snapshot when it is valid) and
 *  starts serving on worker threads, with a thread that applies the store's
 *  bank changes to the matcher every o->sync_ms.
 *  @return VIGIL_OK with *out; VIGIL_EINVAL (bad listen address), VIGIL_EIO
 *  (cannot bind: the message names the address), store or matcher errors. */
VIGIL_API vigil_status vigil_server_start(const vigil_server_opts *o, vigil_server **out, vigil_err *err);

/*! vigil_server_port() : the port listened on (useful with port 0). */
VIGIL_API unsigned vigil_server_port(const vigil_server *s);

/*! vigil_server_stop() :
 *  Stops accepting connections, lets the requests in flight finish, writes
 *  the index snapshot (when one is configured and the matcher changed since
 *  it was written), closes every store connection (checkpointing the WAL)
 *  and frees the server.
 *  NULL is a no-op. */
VIGIL_API void vigil_server_stop(vigil_server *s);

/*! vigil_server_routes() : calls fn for every route the server answers
 *  ("GET", "/v1/items/{id}"), for the check against docs/openapi.yaml. */
VIGIL_API void vigil_server_routes(void (*fn)(void *ctx, const char *method, const char *path), void *ctx);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_HTTP_H */
