/*
 * cli/cmd_serve.c - `vigil serve`: runs the HTTP/JSON API until SIGTERM or
 * SIGINT, then shuts down gracefully (requests in flight finish, the store
 * is checkpointed).
 */
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vigil/http.h"

static void serve_usage(FILE *out) {
    fprintf(out,
            "usage: vigil serve [--listen ADDR:PORT] [--db PATH] [--threads N]\n"
            "                   [--max-body BYTES] [--max-image BYTES] [--timeout S]\n"
            "                   [--max-connections N] [--access-log PATH|-|off] [--routes]\n"
            "                   [--tls-cert FILE --tls-key FILE]\n"
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
            "  --routes             print the routes (METHOD PATH) and exit\n"
            "\n"
            "SIGTERM or SIGINT stops it: requests in flight finish first.\n");
}

static void print_route(void *ctx, const char *method, const char *path) {
    (void)ctx;
    printf("%s %s\n", method, path);
}

int cmd_serve(int argc, char **argv) {
    static const struct option opts[] = {{"listen", required_argument, NULL, 'l'},
                                         {"db", required_argument, NULL, 'd'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"max-body", required_argument, NULL, 'b'},
                                         {"max-image", required_argument, NULL, 'i'},
                                         {"timeout", required_argument, NULL, 'T'},
                                         {"max-connections", required_argument, NULL, 'c'},
                                         {"access-log", required_argument, NULL, 'a'},
                                         {"routes", no_argument, NULL, 'r'},
                                         {"tls-cert", required_argument, NULL, 'C'},
                                         {"tls-key", required_argument, NULL, 'K'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = g_cli.db_path;
    const char *log = "-";
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'l': o.listen = optarg; break;
        case 'd': o.db_path = optarg; break;
        case 't': o.threads = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'b': o.max_body = strtoull(optarg, NULL, 10); break;
        case 'i': o.max_image = strtoull(optarg, NULL, 10); break;
        case 'T': o.timeout_s = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'c': o.max_connections = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'a': log = optarg; break;
        case 'r': vigil_server_routes(print_route, NULL); return CLI_EXIT_OK;
        case 'C': o.tls_cert = optarg; break;
        case 'K': o.tls_key = optarg; break;
        case 'h': serve_usage(stdout); return CLI_EXIT_OK;
        default: serve_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc || o.threads > 256) {
        serve_usage(stderr);
        return CLI_EXIT_USAGE;
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
        cli_errorf("%s", err.msg);
        if (lf) fclose(lf);
        return CLI_EXIT_FAIL;
    }
    const char *host = o.listen ? o.listen : "127.0.0.1:8080";
    char shown[128];
    snprintf(shown, sizeof shown, "%.*s:%u", (int)(strrchr(host, ':') - host), host,
             vigil_server_port(srv));
    fprintf(stderr, "vigil serve: listening on http%s://%s (store %s, %u threads); "
                    "SIGTERM/Ctrl-C stops\n",
            o.tls_cert ? "s" : "", shown, o.db_path, o.threads ? o.threads : 2);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "vigil serve: %s: finishing the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    vigil_server_stop(srv);
    fprintf(stderr, "vigil serve: stopped\n");
    if (lf) fclose(lf);
    return CLI_EXIT_OK;
}
