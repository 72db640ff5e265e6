/*
 * tools/gen_samples.c - writes vigil's demo and CLI-test images: generated
 * pictures (never real content) in every supported format, a few edited
 * copies of one picture (re-encoded, resized, rotated, mirrored), and a few
 * deliberately broken files.  Usage: gen-samples DIR
 * `gen-samples --seeds DIR` writes small images of every format and variant
 * instead: the fuzzer's seed corpus.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "imggen.h"

#define EMIT_TO(dir_, name, call)                                                          \
    do {                                                                                   \
        d = NULL;                                                                          \
        n = 0;                                                                             \
        int enc_ok_ = (call) == 0;                                                         \
        ok &= put(dir_, name, d, n, enc_ok_);                                              \
    } while (0)

static int put(const char *dir, const char *name, uint8_t *data, size_t len, int ok) {
    char path[4096];
    if (!ok || !data) {
        fprintf(stderr, "gen-samples: cannot encode %s\n", name);
        free(data);
        return 0;
    }
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int rc = imggen_write_file(path, data, len) == 0;
    if (!rc) fprintf(stderr, "gen-samples: cannot write %s\n", path);
    free(data);
    return rc;
}

/* out(x,y) = in(sx,sy) for a rotation by 90 degrees clockwise. */
static uint8_t *rotate90(const uint8_t *in, int w, int h) {
    uint8_t *out = malloc((size_t)w * h * 3);
    if (!out) return NULL;
    /* output is h wide, w tall */
    for (int y = 0; y < w; y++)
        for (int x = 0; x < h; x++)
            memcpy(out + ((size_t)y * h + x) * 3, in + ((size_t)(h - 1 - x) * w + y) * 3, 3);
    return out;
}

static uint8_t *mirror(const uint8_t *in, int w, int h) {
    uint8_t *out = malloc((size_t)w * h * 3);
    if (!out) return NULL;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            memcpy(out + ((size_t)y * w + x) * 3, in + ((size_t)y * w + (w - 1 - x)) * 3, 3);
    return out;
}

static uint8_t *shrink(const uint8_t *in, int w, int h, int nw, int nh) {
    uint8_t *out = malloc((size_t)nw * nh * 3);
    if (!out) return NULL;
    for (int y = 0; y < nh; y++)
        for (int x = 0; x < nw; x++)
            memcpy(out + ((size_t)y * nw + x) * 3, in + ((size_t)(y * h / nh) * w + x * w / nw) * 3, 3);
    return out;
}

/* Small inputs that reach every decoder branch cheaply. */
static int seeds(const char *dir) {
    int ok = 1;
    uint8_t *d = NULL;
    size_t n = 0;
    mkdir(dir, 0755);
    uint8_t *a = imggen_pattern(40, 30, 9);
    if (!a) return 1;
    uint8_t gray[40 * 30], rgba[40 * 30 * 4];
    for (int i = 0; i < 40 * 30; i++) {
        gray[i] = a[3 * i];
        memcpy(rgba + 4 * i, a + 3 * i, 3);
        rgba[4 * i + 3] = (uint8_t)(i * 7);
    }
    EMIT_TO(dir, "s.jpg", imggen_jpeg(a, 40, 30, 75, &d, &n));
    EMIT_TO(dir, "s.png", imggen_png(a, 40, 30, 3, 0, &d, &n));
    EMIT_TO(dir, "s-i.png", imggen_png(a, 40, 30, 3, 1, &d, &n));
    EMIT_TO(dir, "s-g.png", imggen_png(gray, 40, 30, 1, 0, &d, &n));
    EMIT_TO(dir, "s-a.png", imggen_png(rgba, 40, 30, 4, 0, &d, &n));
    EMIT_TO(dir, "s-16.png", imggen_png_depth(a, 40, 30, 3, 0, 16, &d, &n));
    EMIT_TO(dir, "s-p.png", imggen_png_palette(a, 40, 30, &d, &n));
    EMIT_TO(dir, "s.webp", imggen_webp(a, 40, 30, 0, &d, &n));
    EMIT_TO(dir, "s-l.webp", imggen_webp(a, 40, 30, 1, &d, &n));
    EMIT_TO(dir, "s.gif", imggen_gif(a, 40, 30, 0, &d, &n));
    EMIT_TO(dir, "s-i.gif", imggen_gif(a, 40, 30, 1, &d, &n));
    EMIT_TO(dir, "s.bmp", imggen_bmp(a, 40, 30, &d, &n));
    free(a);
    return ok ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--seeds") == 0) return seeds(argv[2]);
    if (argc != 2) {
        fprintf(stderr, "usage: gen-samples DIR | gen-samples --seeds DIR\n");
        return 2;
    }
    const char *dir = argv[1];
    mkdir(dir, 0755);
    int ok = 1;
    uint8_t *d = NULL;
    size_t n = 0;

    /* one picture, several edits */
#define EMIT(name, call) EMIT_TO(dir, name, call)
    const int w = 1024, h = 768;
    uint8_t *a = imggen_pattern(w, h, 1);
    if (!a) return 1;
    EMIT("poster.jpg", imggen_jpeg(a, w, h, 92, &d, &n));
    EMIT("poster-q40.jpg", imggen_jpeg(a, w, h, 40, &d, &n));
    uint8_t *s = shrink(a, w, h, 400, 300);
    if (s) EMIT("poster-small.png", imggen_png(s, 400, 300, 3, 0, &d, &n));
    uint8_t *r = rotate90(a, w, h);
    if (r) EMIT("poster-rotated.jpg", imggen_jpeg(r, h, w, 90, &d, &n));
    uint8_t *m = mirror(a, w, h);
    if (m) EMIT("poster-mirrored.webp", imggen_webp(m, w, h, 0, &d, &n));
    ok &= s && r && m;
    free(s);
    free(r);
    free(m);
    free(a);

    /* other pictures in the other formats */
    uint8_t *b = imggen_pattern(640, 480, 2);
    uint8_t *c = imggen_pattern(320, 240, 3);
    uint8_t *e = imggen_pattern(256, 256, 4);
    uint8_t *f = imggen_pattern(800, 600, 5);
    ok &= b && c && e && f;
    if (b) EMIT("flyer.png", imggen_png(b, 640, 480, 3, 1, &d, &n));
    if (c) EMIT("banner.gif", imggen_gif(c, 320, 240, 0, &d, &n));
    if (e) EMIT("logo.bmp", imggen_bmp(e, 256, 256, &d, &n));
    if (f) EMIT("leaflet.webp", imggen_webp(f, 800, 600, 1, &d, &n));
    free(b);
    free(c);
    free(e);
    free(f);

    /* broken files, for the error paths */
    char path[4096];
    snprintf(path, sizeof path, "%s/bad", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/bad/empty.jpg", dir);
    ok &= imggen_write_file(path, (const uint8_t *)"", 0) == 0;
    snprintf(path, sizeof path, "%s/bad/notes.txt", dir);
    ok &= imggen_write_file(path, (const uint8_t *)"not an image\n", 13) == 0;
    uint8_t *g = imggen_pattern(300, 300, 6);
    if (g && imggen_jpeg(g, 300, 300, 90, &d, &n) == 0) {
        snprintf(path, sizeof path, "%s/bad/truncated.jpg", dir);
        ok &= imggen_write_file(path, d, n / 2) == 0;
        free(d);
    } else {
        ok = 0;
    }
    free(g);
    return ok ? 0 : 1;
}
