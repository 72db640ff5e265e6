/*
 * src/http/web_assets.h - the web app's files embedded in the binary: a
 * table generated at build time (tools/embed_web.c writes
 * BUILD/gen/web_assets.c from the bundle in build/web; empty without Node).
 */
#ifndef VIGIL_HTTP_WEB_ASSETS_H
#define VIGIL_HTTP_WEB_ASSETS_H

#include <stddef.h>

typedef struct vigil__web_asset {
    const char *path; /* "/index.html" */
    const char *type; /* "text/html; charset=utf-8" */
    const unsigned char *data;
    size_t len;
} vigil__web_asset;

/* The table and its size (0 when the app was not built). */
extern const vigil__web_asset vigil__web_assets[];
extern const size_t vigil__web_n_assets;

#endif /* VIGIL_HTTP_WEB_ASSETS_H */
