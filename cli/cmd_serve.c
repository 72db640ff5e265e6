/*
 * cli/cmd_serve.c - `vigil serve`: runs the HTTP/JSON API until SIGTERM or
 * SIGINT, then shuts down gracefully (requests in flight finish, the store
 * is checkpointed).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vigil/store.h"
#include "vigil/http.h"

static void serve_usage(FILE *out) {
    fprintf(out,
            "usage: vigil serve [--listen ADDR:PORT] [--db PATH] [--threads N]\n"
            "                   [--max-body BYTES] [--max-image BYTES] [--timeout S]\n"
            "                   [--max-connections N] [--access-log PATH|-|off] [--routes]\n"
            "                   [--tls-cert FILE --tls-key FILE] [--index-snapshot FILE]\n"
            "                   [--token-cache S]\n"
            "\n"
            "Serves the HTTP/JSON API (docs/openapi.yaml) and the web app (at /) on\n"
            "ADDR:PORT (default 127.0.0.1:8080) over the store (--db, default $VIGIL_DB\n"
            "or ./vigil.db).\n"
            "Clients send Authorization: Bearer TOKEN (`vigil user add` prints one).\n"
            "GET /healthz and GET /metrics (Prometheus) need no token.\n"
            "\n"
            "  --threads N          worker threads (default 2)\n"
            "  --max-body BYTES     JSON/CSV request bodies (default 4 MiB)\n"
            "  --max-image BYTES    image uploads to /v1/hash and /v1/match (default 32 MiB)\n"
            "  --timeout S          close idle or too slow connections after S s (default 15)\n"
            "  --max-connections N  open connections in all (default 512; 64 per client)\n"
            "  --access-log DEST    one JSON line per request: a file, '-' for stderr\n"
            "                       (default), or 'off'\n"
            "  --tls-cert FILE      serve HTTPS with this PEM certificate (chain) ...\n"
            "  --tls-key FILE       ... and its PEM private key (session cookies get Secure)\n"
            "  --index-snapshot FILE  start from this snapshot of the matcher when it is\n"
            "                       valid (else load the banks and write it); refreshed\n"
            "                       after bank changes at most once a minute, and at stop\n"
            "  --token-cache S      while the store is unreachable, POST /v1/match still\n"
            "                       takes API tokens the store verified in the last S s\n"
            "                       (default 300; 0: never, 503 then)\n"
            "  --routes             print the routes (METHOD PATH) and exit\n"
            "\n"
            "SIGTERM or SIGINT stops it: requests in flight finish first.\n");
}

static void print_route(void *ctx, const char *method, const char *path) {
    (void)ctx;
    printf("%s %s\n", method, path);
}

int cmd_serve(int argc, char **argv) {
    enum { O_LISTEN = 1, O_DB, O_THREADS, O_BODY, O_IMAGE, O_TIMEOUT, O_CONNS, O_LOG, O_ROUTES, O_CERT, O_KEY,
           O_SNAP, O_TOKCACHE };
    static const cli_opt opts[] = {
        CLI_O_STR("listen", 0, O_LISTEN),
        CLI_O_STR("db", 0, O_DB),
        CLI_O_INT("threads", 0, O_THREADS, 1, 256),
        CLI_O_INT("max-body", 0, O_BODY, 1, CLI_NO_MAX),
        CLI_O_INT("max-image", 0, O_IMAGE, 1, CLI_NO_MAX),
        CLI_O_INT("timeout", 0, O_TIMEOUT, 1, 86400),
        CLI_O_INT("max-connections", 0, O_CONNS, 1, 1000000),
        CLI_O_STR("access-log", 0, O_LOG),
        CLI_O_FLAG("routes", 0, O_ROUTES),
        CLI_O_STR("tls-cert", 0, O_CERT),
        CLI_O_STR("tls-key", 0, O_KEY),
        CLI_O_STR("index-snapshot", 0, O_SNAP),
        CLI_O_INT("token-cache", 0, O_TOKCACHE, 0, 86400),
        CLI_O_END,
    };
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = g_cli.db_path;
    const char *log = "-";
    int c, routes = 0;
    cli_args a;
    cli_args_init(&a, "serve", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_LISTEN: o.listen = a.arg; break;
        case O_DB: o.db_path = a.arg; break;
        case O_THREADS: o.threads = (unsigned)a.num; break;
        case O_BODY: o.max_body = (size_t)a.num; break;
        case O_IMAGE: o.max_image = (size_t)a.num; break;
        case O_TIMEOUT: o.timeout_s = (unsigned)a.num; break;
        case O_CONNS: o.max_connections = (unsigned)a.num; break;
        case O_LOG: log = a.arg; break;
        case O_ROUTES: routes = 1; break;
        case O_CERT: o.tls_cert = a.arg; break;
        case O_KEY: o.tls_key = a.arg; break;
        case O_SNAP: o.index_snapshot = a.arg; break;
        case O_TOKCACHE: o.token_cache_s = a.num ? (int)a.num : -1; break;
        case CLI_HELP: serve_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    if (routes) {
        vigil_server_routes(print_route, NULL);
        return CLI_EXIT_OK;
    }
    FILE *lf = NULL;
    if (strcmp(log, "-") == 0) o.access_log = stderr;
    else if (strcmp(log, "off") != 0) {
        lf = fopen(log, "a");
        if (!lf) {
            cli_errorf("--access-log %s: cannot open", log);
            return CLI_EXIT_FAIL;
        }
        o.access_log = lf;
    }
    /* the workers inherit this mask: only this thread receives the signals */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    vigil_server *srv = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_server_start(&o, &srv, &err) != VIGIL_OK) {
        char text[VIGIL_ERR_MSG_MAX + VIGIL_ERR_FIELD_MAX + 8];
        vigil_err_text(&err, "--", text, sizeof text); /* "--listen: ..." */
        cli_errorf("%s", text);
        if (lf) fclose(lf);
        return CLI_EXIT_FAIL;
    }
    const char *host = o.listen ? o.listen : "127.0.0.1:8080";
    char shown[128];
    snprintf(shown, sizeof shown, "%.*s:%u", (int)(strrchr(host, ':') - host), host,
             vigil_server_port(srv));
    char store[512]; /* never a password of a connection string */
    fprintf(stderr, "vigil serve: listening on http%s://%s (store %s, %u threads); "
                    "SIGTERM/Ctrl-C stops\n",
            o.tls_cert ? "s" : "", shown, vigil_store_redact(o.db_path, store, sizeof store),
            o.threads ? o.threads : 2);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "vigil serve: %s: finishing the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    vigil_server_stop(srv);
    fprintf(stderr, "vigil serve: stopped\n");
    if (lf) fclose(lf);
    return CLI_EXIT_OK;
}
