/*
 * tests/test_pdq.c - PDQ against the reference's published outputs (the
 * fixtures), the fast path against the plain path, and the hash's algebra.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash/pdq_internal.h"
#include "imggen.h"
#include "test.h"
#include "vigil/hash.h"

/* ---- the reference fixtures (../shared/fixtures/pdq) --------------------- */

static void t_fixtures_exact(void) {
    const char *dir = test_fixtures_dir();
    if (!dir) SKIP("../shared/fixtures not present");
    char path[4096];
    snprintf(path, sizeof path, "%s/pdq/expected.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) SKIP("pdq/expected.txt not present");
    char line[512];
    int n = 0, bad = 0;
    vigil_hasher *h = NULL;
    vigil_err err;
    if (vigil_hasher_new(NULL, &h, &err) != VIGIL_OK) {
        fclose(f);
        CHECK(!"hasher");
    }
    while (fgets(line, sizeof line, f)) {
        char name[256], hex[80];
        int q;
        if (sscanf(line, "%255[^,],%79[^,],%d", name, hex, &q) != 3) continue;
        snprintf(path, sizeof path, "%s/pdq/images/%s", dir, name);
        vigil_hash_result r;
        vigil_pdq want;
        if (vigil_hasher_file(h, path, &r, &err) != VIGIL_OK ||
            vigil_pdq_from_hex(hex, &want, &err) != VIGIL_OK) {
            printf("    %s: %s\n", name, err.msg);
            bad++;
            continue;
        }
        int d = vigil_pdq_distance(&r.pdq, &want);
        if (d != 0 || r.quality != q) {
            printf("    %s: distance %d, quality %d (want %d)\n", name, d, r.quality, q);
            bad++;
        }
        n++;
    }
    fclose(f);
    vigil_hasher_free(h);
    CHECK_INT(bad, ==, 0);
    CHECK_INT(n, >=, 25);
}

static void t_fixtures_dihedral(void) {
    const char *dir = test_fixtures_dir();
    if (!dir) SKIP("../shared/fixtures not present");
    char path[4096], line[1024];
    snprintf(path, sizeof path, "%s/pdq/expected-dihedral.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f) SKIP("pdq/expected-dihedral.txt not present");
    char *ok = fgets(line, sizeof line, f);
    fclose(f);
    CHECK(ok != NULL);
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags = VIGIL_HASH_DIHEDRAL;
    vigil_hash_result r;
    vigil_err err;
    snprintf(path, sizeof path, "%s/pdq/images/dih__bridge-1-original.jpg", dir);
    CHECK_OK(vigil_hash_file(path, &o, &r, &err), &err);
    char *save = NULL, *tok = strtok_r(line, ",\n", &save);
    for (int v = 0; v < VIGIL_DIH_COUNT; v++) {
        CHECK(tok != NULL);
        char got[VIGIL_PDQ_HEX_LEN + 1];
        vigil_pdq_to_hex(&r.dihedral[v], got);
        CHECK_STR(got, tok);
        tok = strtok_r(NULL, ",\n", &save);
    }
    CHECK(tok != NULL);
    CHECK_INT(atoi(tok), ==, r.quality);
    CHECK_INT(memcmp(&r.pdq, &r.dihedral[0], sizeof r.pdq), ==, 0);
}

/* ---- fast path == plain path --------------------------------------------- */

static uint32_t rng_state;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

/* kind 0: noise; 1: smooth waves; 2: blocks; 3: constant */
static void fill_luma(float *l, int rows, int cols, int kind) {
    for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
            float v;
            switch (kind) {
            case 0: v = (float)(rng() % 256); break;
            case 1: v = (float)((x * 7 + y * 3 + (x * y) / 11) % 256); break;
            case 2: v = (((x / 13) ^ (y / 9)) & 1) ? 230.0f : 20.0f; break;
            default: v = 128.0f; break;
            }
            l[(size_t)y * cols + x] = v;
        }
    }
}

static void t_fast_equals_plain(void) {
    static const int sizes[][2] = {{5, 5},     {5, 9},     {9, 5},    {17, 64},  {63, 65},
                                   {64, 64},   {100, 37},  {128, 128}, {129, 255}, {256, 256},
                                   {300, 511}, {512, 512}, {511, 7},  {700, 1000}, {1024, 64}};
    vigil__pdq_work w;
    memset(&w, 0, sizeof w);
    rng_state = 12345;
    int cases = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int rows = sizes[s][0], cols = sizes[s][1];
        vigil_err err;
        CHECK_OK(vigil__pdq_work_reserve(&w, rows, cols, &err), &err);
        float *l = malloc((size_t)rows * cols * sizeof(float));
        float *t = malloc((size_t)rows * cols * sizeof(float));
        CHECK(l && t);
        for (int kind = 0; kind < 4; kind++) {
            fill_luma(l, rows, cols, kind);
            memcpy(w.luma, l, (size_t)rows * cols * sizeof(float));
            vigil_pdq fast[8], plain[8];
            int qf = -1, qp = -2;
            vigil__pdq_from_luma(&w, rows, cols, 1, fast, &qf);
            vigil__pdq_from_luma_plain(l, t, rows, cols, 1, plain, &qp);
            if (memcmp(fast, plain, sizeof fast) != 0 || qf != qp) {
                printf("    %dx%d kind %d: fast and plain differ (q %d vs %d)\n", cols, rows, kind,
                       qf, qp);
                free(l);
                free(t);
                vigil__pdq_work_free(&w);
                CHECK(!"fast == plain");
            }
            cases++;
        }
        free(l);
        free(t);
    }
    vigil__pdq_work_free(&w);
    CHECK_INT(cases, ==, 60);
}

/* ---- properties ------------------------------------------------------------ */

static void t_too_small(void) {
    uint8_t px[4 * 100];
    memset(px, 77, sizeof px);
    vigil_image img = {100, 4, VIGIL_PIX_GRAY8, 100, px};
    vigil_hash_result r;
    vigil_err err;
    CHECK_OK(vigil_hash_image(&img, NULL, &r, &err), &err);
    vigil_pdq zero;
    memset(&zero, 0, sizeof zero);
    CHECK_INT(memcmp(&r.pdq, &zero, sizeof zero), ==, 0);
    CHECK_INT(r.quality, ==, 0);
}

static void t_uniform_quality_zero(void) {
    static uint8_t px[200 * 200 * 3];
    memset(px, 200, sizeof px);
    vigil_image img = {200, 200, VIGIL_PIX_RGB8, 600, px};
    vigil_hash_result r;
    vigil_err err;
    CHECK_OK(vigil_hash_image(&img, NULL, &r, &err), &err);
    CHECK_INT(r.quality, ==, 0);
}

/* RGBA hashes as its RGB; a stride with padding is honoured. */
static void t_rgba_and_stride(void) {
    const int w = 90, h = 70;
    uint8_t *rgb = malloc((size_t)w * h * 3), *rgba = malloc((size_t)(w * 4 + 8) * h);
    CHECK(rgb && rgba);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            uint8_t *p = rgb + ((size_t)y * w + x) * 3, *q = rgba + (size_t)y * (w * 4 + 8) + x * 4;
            p[0] = q[0] = (uint8_t)(x * 2 + y);
            p[1] = q[1] = (uint8_t)(y * 3);
            p[2] = q[2] = (uint8_t)((x ^ y) * 5);
            q[3] = (uint8_t)(x * y);
        }
    }
    vigil_image a = {w, h, VIGIL_PIX_RGB8, (size_t)w * 3, rgb};
    vigil_image b = {w, h, VIGIL_PIX_RGBA8, (size_t)w * 4 + 8, rgba};
    vigil_hash_result ra, rb;
    vigil_err err;
    vigil_status s1 = vigil_hash_image(&a, NULL, &ra, &err);
    vigil_status s2 = vigil_hash_image(&b, NULL, &rb, &err);
    free(rgb);
    free(rgba);
    CHECK_OK(s1, &err);
    CHECK_OK(s2, &err);
    CHECK_INT(vigil_pdq_distance(&ra.pdq, &rb.pdq), ==, 0);
    CHECK_INT(ra.quality, ==, rb.quality);
    CHECK(ra.quality > 50);
}

/* Transforming the pixels and hashing lands nearest the dihedral variant of
 * that name computed from the untransformed image's DCT (near, not equal:
 * the box filter's window is not symmetric).  The reference's rotate90 is a
 * quarter turn counter-clockwise; its flipx mirrors top and bottom. */
static void t_dihedral_matches_pixel_transforms(void) {
    const int n = 256;
    uint8_t *src = malloc((size_t)n * n), *dst = malloc((size_t)n * n);
    uint8_t *rgb = imggen_pattern(n, n, 9);
    CHECK(src && dst && rgb);
    for (int i = 0; i < n * n; i++)
        src[i] = (uint8_t)((rgb[3 * i] * 3 + rgb[3 * i + 1] * 6 + rgb[3 * i + 2]) / 10);
    free(rgb);
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags = VIGIL_HASH_DIHEDRAL;
    vigil_image img = {n, n, VIGIL_PIX_GRAY8, (size_t)n, src};
    vigil_hash_result base, r;
    vigil_err err;
    vigil_status st = vigil_hash_image(&img, &o, &base, &err);
    int bad = 0;
    for (int v = 1; st == VIGIL_OK && v < VIGIL_DIH_COUNT; v++) {
        for (int y = 0; y < n; y++) {
            for (int x = 0; x < n; x++) {
                int sx = x, sy = y; /* output (x,y) reads source (sx,sy) */
                switch (v) {
                case VIGIL_DIH_ROTATE90: sx = n - 1 - y; sy = x; break;
                case VIGIL_DIH_ROTATE180: sx = n - 1 - x; sy = n - 1 - y; break;
                case VIGIL_DIH_ROTATE270: sx = y; sy = n - 1 - x; break;
                case VIGIL_DIH_FLIPX: sy = n - 1 - y; break;
                case VIGIL_DIH_FLIPY: sx = n - 1 - x; break;
                case VIGIL_DIH_FLIP_PLUS1: sx = y; sy = x; break;
                case VIGIL_DIH_FLIP_MINUS1: sx = n - 1 - y; sy = n - 1 - x; break;
                }
                dst[y * n + x] = src[sy * n + sx];
            }
        }
        img.pixels = dst;
        st = vigil_hash_image(&img, NULL, &r, &err);
        int mine = vigil_pdq_distance(&r.pdq, &base.dihedral[v]), others = 256;
        for (int k = 0; k < VIGIL_DIH_COUNT; k++) {
            int d = vigil_pdq_distance(&r.pdq, &base.dihedral[k]);
            if (k != v && d < others) others = d;
        }
        if (mine > 64 || others < 96) {
            printf("    %s: own variant at %d, nearest other at %d\n",
                   vigil_dihedral_name((vigil_dihedral)v), mine, others);
            bad++;
        }
    }
    free(src);
    free(dst);
    CHECK_OK(st, &err);
    CHECK_INT(bad, ==, 0);
}

/* The SIMD kernels (AVX2 tiles, luma pick) give the same bits as the portable
 * ones, on every pixel layout and with and without the resize step. */
static void t_simd_equals_portable(void) {
    static const int sizes[][2] = {{640, 480}, {513, 100}, {100, 700}, {37, 41}, {512, 512}, {9, 1030}};
    int bad = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        const int w = sizes[s][0], h = sizes[s][1];
        uint8_t *rgb = imggen_pattern(w, h, (unsigned)s + 40);
        uint8_t *px4 = malloc((size_t)w * h * 4), *px1 = malloc((size_t)w * h);
        if (!rgb || !px4 || !px1) {
            free(rgb);
            free(px4);
            free(px1);
            CHECK(!"alloc");
        }
        for (int i = 0; i < w * h; i++) {
            memcpy(px4 + 4 * i, rgb + 3 * i, 3);
            px4[4 * i + 3] = (uint8_t)i;
            px1[i] = rgb[3 * i + 1];
        }
        vigil_image imgs[3] = {{w, h, VIGIL_PIX_RGB8, (size_t)w * 3, rgb},
                               {w, h, VIGIL_PIX_RGBA8, (size_t)w * 4, px4},
                               {w, h, VIGIL_PIX_GRAY8, (size_t)w, px1}};
        vigil_hash_opts o;
        vigil_hash_opts_init(&o);
        for (int flags = 0; flags < 2; flags++) {
            o.flags = VIGIL_HASH_DIHEDRAL | (flags ? VIGIL_HASH_NO_RESIZE : 0);
            for (int k = 0; k < 3; k++) {
                vigil_hash_result a, b;
                vigil__pdq_set_simd(1);
                vigil_status s1 = vigil_hash_image(&imgs[k], &o, &a, NULL);
                vigil__pdq_set_simd(0);
                vigil_status s2 = vigil_hash_image(&imgs[k], &o, &b, NULL);
                vigil__pdq_set_simd(1);
                if (s1 != VIGIL_OK || s2 != VIGIL_OK || memcmp(a.dihedral, b.dihedral, sizeof a.dihedral) ||
                    a.quality != b.quality) {
                    printf("    %dx%d fmt %d flags %d: SIMD and portable differ\n", w, h,
                           (int)imgs[k].fmt, flags);
                    bad++;
                }
            }
        }
        free(rgb);
        free(px4);
        free(px1);
    }
    CHECK_INT(bad, ==, 0);
}

const test_case suite_pdq[] = {
    {"pdq/simd_equals_portable", t_simd_equals_portable},
    {"pdq/fixtures_exact", t_fixtures_exact},
    {"pdq/fixtures_dihedral", t_fixtures_dihedral},
    {"pdq/fast_equals_plain", t_fast_equals_plain},
    {"pdq/too_small", t_too_small},
    {"pdq/uniform_quality_zero", t_uniform_quality_zero},
    {"pdq/rgba_and_stride", t_rgba_and_stride},
    {"pdq/dihedral_matches_pixel_transforms", t_dihedral_matches_pixel_transforms},
    {NULL, NULL},
};
