/*
 * fuzz/fuzz_http.c - libFuzzer target for the HTTP API: the server runs in process on a
 * demo store; each input becomes one request over loopback, sent raw (so that MHD's parser
 * and every handler see it).  Input: byte 0 picks a route of the table, byte 1 the token
 * (none, admin, liaison) and the Content-Type, then "PARAM\nQUERY\nBODY".  A 500 answer
 * (an internal error) or a lost connection is a finding.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http_internal.h"

static vigil_server *srv;
static unsigned port;
static char tok_admin[VIGIL_TOKEN_LEN + 1], tok_liaison[VIGIL_TOKEN_LEN + 1];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    char path[] = "/tmp/vigil-fuzz-http.db";
    remove(path);
    remove("/tmp/vigil-fuzz-http.db-wal");
    remove("/tmp/vigil-fuzz-http.db-shm");
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(path, &st, &err) != VIGIL_OK || vigil_demo(st, 40, 1, &err) != VIGIL_OK ||
        vigil_user_token_issue(st, NULL, "admin", tok_admin, &err) != VIGIL_OK ||
        vigil_user_token_issue(st, NULL, "liaison-telegram", tok_liaison, &err) != VIGIL_OK) {
        fprintf(stderr, "fuzz_http: %s\n", err.msg);
        abort();
    }
    vigil_store_close(st);
    vigil_server_opts o;
    vigil_server_opts_init(&o);
    o.db_path = path;
    o.listen = "127.0.0.1:0";
    o.max_body = 65536;
    o.max_image = 65536;
    o.max_import = 65536;
    /* one connection per input, thousands a second: the abuse limits would drop some */
    o.per_ip = 4096;
    o.max_connections = 4096;
    if (vigil_server_start(&o, &srv, &err) != VIGIL_OK) {
        fprintf(stderr, "fuzz_http: %s\n", err.msg);
        abort();
    }
    port = vigil_server_port(srv);
    return 0;
}

/* Appends s percent-encoded (everything but unreserved characters). */
static size_t put_escaped(char *out, size_t cap, size_t at, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n && at + 4 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~' || c == '=' || c == '&') {
            out[at++] = (char)c;
        } else {
            out[at++] = '%';
            out[at++] = hex[c >> 4];
            out[at++] = hex[c & 15];
        }
    }
    return at;
}

/* Sends one raw request on a new connection; the status, or -1 without an answer. */
static int send_request(const char *req, size_t at) {
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = -1;
    for (int attempt = 0; attempt < 50 && fd < 0; attempt++) { /* the harness's own limits */
        fd = socket(AF_INET, SOCK_STREAM, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
            close(fd);
            fd = -1;
            struct timespec pause = {0, 20000000};
            nanosleep(&pause, NULL);
        }
    }
    if (fd < 0) return -1;
    /* close with a reset: no TIME_WAIT piling up over thousands of inputs a second */
    struct linger lg = {1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    for (size_t sent = 0; sent < at;) {
        ssize_t w = send(fd, req + sent, at - sent, MSG_NOSIGNAL);
        if (w <= 0) break;
        sent += (size_t)w;
    }
    char resp[64];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof resp - 1 && (r = recv(fd, resp + got, sizeof resp - 1 - got, 0)) > 0) got += (size_t)r;
    resp[got] = '\0';
    char drain[4096];
    while (recv(fd, drain, sizeof drain, 0) > 0) {
    }
    close(fd);
    if (got < 12 || strncmp(resp, "HTTP/1.1 ", 9) != 0) return -1;
    return atoi(resp + 9);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    const route *rt = &http_routes[data[0] % http_n_routes];
    int flags = data[1];
    const char *rest = (const char *)data + 2;
    size_t n = size - 2;
    const char *nl1 = memchr(rest, '\n', n);
    const char *param = rest;
    size_t plen = nl1 ? (size_t)(nl1 - rest) : n;
    const char *query = nl1 ? nl1 + 1 : rest + n;
    size_t qmax = (size_t)(rest + n - query);
    const char *nl2 = memchr(query, '\n', qmax);
    size_t qlen = nl2 ? (size_t)(nl2 - query) : qmax;
    const char *body = nl2 ? nl2 + 1 : query + qlen;
    size_t blen = (size_t)(rest + n - body);
    if (plen > 200) plen = 200;
    if (qlen > 400) qlen = 400;

    static char req[200000];
    size_t at = (size_t)snprintf(req, sizeof req, "%s ", rt->method);
    for (const char *p = rt->path; *p && at < 4000;) { /* the path with {x} replaced by the param */
        if (*p == '{') {
            at = put_escaped(req, sizeof req, at, plen ? param : "1", plen ? plen : 1);
            while (*p && *p != '}') p++;
            if (*p) p++;
        } else {
            req[at++] = *p++;
        }
    }
    if (qlen) {
        req[at++] = '?';
        at = put_escaped(req, sizeof req, at, query, qlen);
    }
    const char *tok = (flags & 3) == 1 ? tok_admin : (flags & 3) == 2 ? tok_liaison : NULL;
    static const char *const ctypes[4] = {"application/json", "text/csv", "image/png", "application/json; charset=utf-8"};
    at += (size_t)snprintf(req + at, sizeof req - at,
                           " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: %s\r\n%s%s%s"
                           "Content-Length: %zu\r\n\r\n",
                           ctypes[(flags >> 2) & 3], tok ? "Authorization: Bearer " : "", tok ? tok : "",
                           tok ? "\r\n" : "", blen);
    if (blen > sizeof req - at) blen = sizeof req - at;
    memcpy(req + at, body, blen);
    at += blen;

    int status = send_request(req, at);
    if (status < 0) status = send_request(req, at); /* a transient loopback failure: once more */
    if (status < 0) {
        fprintf(stderr, "fuzz_http: no answer to %s %s\n", rt->method, rt->path);
        abort();
    }
    if (status == 500) {
        fprintf(stderr, "fuzz_http: 500 on %s %s\n", rt->method, rt->path);
        abort();
    }
    return 0;
}
