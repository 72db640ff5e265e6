/*
 * src/http/static.c - the web app served by `vigil serve` at "/": files
 * embedded in the binary at build time, the security headers of every
 * answer, and a plain page when the app was built without Node.
 */
#include <stdio.h>
#include <string.h>

#include "http/http_internal.h"
#include "http/web_assets.h"

static const char not_built[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>vigil</title></head>\n"
    "<body><h1>vigil: web app not built</h1>\n"
    "<p>This binary was built without the web app (Node.js was not available).\n"
    "The HTTP/JSON API under /v1 works as usual (docs/openapi.yaml).</p>\n"
    "<p>To build the app: <code>make web all</code> (installs Debian's nodejs and npm when\n"
    "missing), then restart <code>vigil serve</code>.</p></body></html>\n";

void http_security_headers(struct MHD_Response *resp) {
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
}

/* The ETag of a file: "FNV-1a 64 of its bytes" in hex, quoted. */
static void etag_of(const unsigned char *p, size_t n, char out[24]) {
    unsigned long long x = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) x = (x ^ p[i]) * 0x100000001b3ull;
    snprintf(out, 24, "\"%016llx\"", x);
}

void http_static(http_ctx *h, const char *url) {
    if (strcmp(url, "/") == 0) url = "/index.html";
    for (size_t i = 0; i < vigil__web_n_assets; i++) {
        if (strcmp(vigil__web_assets[i].path, url) != 0) continue;
        h->status = 200;
        h->asset = vigil__web_assets[i].data;
        h->asset_len = vigil__web_assets[i].len;
        h->raw_type = vigil__web_assets[i].type;
        /* revalidated on every use (no-cache), answered 304 when unchanged: the
         * browser keeps the file, and its compiled script, across page loads */
        h->cache = "no-cache";
        etag_of(vigil__web_assets[i].data, vigil__web_assets[i].len, h->etag);
        const char *inm = h->conn ? MHD_lookup_connection_value(h->conn, MHD_HEADER_KIND,
                                                                 "If-None-Match")
                                  : NULL;
        if (inm && strstr(inm, h->etag)) {
            h->status = 304;
            h->asset_len = 0;
        }
        return;
    }
    if (strcmp(url, "/index.html") == 0) {
        h->status = 200;
        h->asset = not_built;
        h->asset_len = sizeof not_built - 1;
        h->raw_type = "text/html; charset=utf-8";
        return;
    }
    h->status = 404;
    static const char nf[] = "not found\n";
    h->asset = nf;
    h->asset_len = sizeof nf - 1;
    h->raw_type = "text/plain; charset=utf-8";
}
