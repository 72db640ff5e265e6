/*
 * tests/test_hasher.c - the hashing front door: files and bytes in every
 * format, digests, hasher reuse, the reference's resize, and bad input
 * (zero bytes, truncated, corrupt, decompression bombs, non-images).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "imggen.h"
#include "test.h"
#include "vigil/hash.h"

/* The same picture in every lossless format hashes identically. */
static void t_formats_agree(void) {
    const int w = 300, h = 200;
    uint8_t *rgb = imggen_pattern(w, h, 7);
    CHECK(rgb);
    imggen_snap332(rgb, w, h); /* so that GIF is lossless too */
    uint8_t *enc[4] = {NULL, NULL, NULL, NULL};
    size_t len[4] = {0, 0, 0, 0};
    int ok = imggen_png(rgb, w, h, 3, 0, &enc[0], &len[0]) == 0 &&
             imggen_webp(rgb, w, h, 1, &enc[1], &len[1]) == 0 &&
             imggen_gif(rgb, w, h, 0, &enc[2], &len[2]) == 0 &&
             imggen_bmp(rgb, w, h, &enc[3], &len[3]) == 0;
    vigil_image img = {w, h, VIGIL_PIX_RGB8, (size_t)w * 3, rgb};
    vigil_hash_result want, got[4];
    vigil_err err;
    vigil_status st = vigil_hash_image(&img, NULL, &want, &err);
    vigil_status sts[4] = {VIGIL_EINTERNAL, VIGIL_EINTERNAL, VIGIL_EINTERNAL, VIGIL_EINTERNAL};
    for (int i = 0; ok && i < 4; i++) sts[i] = vigil_hash_bytes(enc[i], len[i], NULL, &got[i], &err);
    for (int i = 0; i < 4; i++) free(enc[i]);
    free(rgb);
    CHECK(ok);
    CHECK_OK(st, &err);
    static const vigil_format fmts[4] = {VIGIL_FMT_PNG, VIGIL_FMT_WEBP, VIGIL_FMT_GIF, VIGIL_FMT_BMP};
    for (int i = 0; i < 4; i++) {
        CHECK_OK(sts[i], &err);
        CHECK_INT(got[i].format, ==, fmts[i]);
        CHECK_INT(vigil_pdq_distance(&got[i].pdq, &want.pdq), ==, 0);
        CHECK_INT(got[i].quality, ==, want.quality);
        CHECK_INT(got[i].width, ==, w);
        CHECK_INT(got[i].height, ==, h);
    }
    CHECK(want.quality >= 50);
}

/* A JPEG of the picture is near (not equal) to the picture itself. */
static void t_jpeg_near_original(void) {
    const int w = 640, h = 480;
    uint8_t *rgb = imggen_pattern(w, h, 3), *jpg = NULL;
    size_t len = 0;
    CHECK(rgb);
    int ok = imggen_jpeg(rgb, w, h, 85, &jpg, &len) == 0;
    vigil_image img = {w, h, VIGIL_PIX_RGB8, (size_t)w * 3, rgb};
    vigil_hash_result a, b;
    vigil_err err;
    vigil_status s1 = vigil_hash_image(&img, NULL, &a, &err);
    vigil_status s2 = ok ? vigil_hash_bytes(jpg, len, NULL, &b, &err) : VIGIL_EINTERNAL;
    free(rgb);
    free(jpg);
    CHECK(ok);
    CHECK_OK(s1, &err);
    CHECK_OK(s2, &err);
    CHECK_INT(b.format, ==, VIGIL_FMT_JPEG);
    CHECK_INT(vigil_pdq_distance(&a.pdq, &b.pdq), <=, 16);
}

/* Images over 512 px are resized to 512x512 first; --no-resize differs. */
static void t_resize_rule(void) {
    const int w = 1030, h = 700;
    uint8_t *big = imggen_pattern(w, h, 11), *small = malloc(512 * 512 * 3);
    CHECK(big && small);
    for (int y = 0; y < 512; y++) {
        for (int x = 0; x < 512; x++) {
            int sx = (int)((double)x * w / 512), sy = (int)((double)y * h / 512);
            memcpy(small + ((size_t)y * 512 + x) * 3, big + ((size_t)sy * w + sx) * 3, 3);
        }
    }
    vigil_image a = {w, h, VIGIL_PIX_RGB8, (size_t)w * 3, big};
    vigil_image b = {512, 512, VIGIL_PIX_RGB8, 512 * 3, small};
    vigil_hash_result ra, rb, rc;
    vigil_err err;
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags = VIGIL_HASH_NO_RESIZE;
    vigil_status s1 = vigil_hash_image(&a, NULL, &ra, &err);
    vigil_status s2 = vigil_hash_image(&b, NULL, &rb, &err);
    vigil_status s3 = vigil_hash_image(&a, &o, &rc, &err);
    free(big);
    free(small);
    CHECK_OK(s1, &err);
    CHECK_OK(s2, &err);
    CHECK_OK(s3, &err);
    CHECK_INT(vigil_pdq_distance(&ra.pdq, &rb.pdq), ==, 0);
    CHECK_INT(ra.quality, ==, rb.quality);
    CHECK_INT(ra.width, ==, w); /* reports the decoded size, not 512 */
    CHECK_INT(vigil_pdq_distance(&ra.pdq, &rc.pdq), <=, 32); /* near, computed differently */
}

static void t_digests_and_no_pdq(void) {
    uint8_t *rgb = imggen_pattern(64, 64, 1), *png = NULL;
    size_t len = 0;
    CHECK(rgb);
    int ok = imggen_png(rgb, 64, 64, 3, 0, &png, &len) == 0;
    free(rgb);
    CHECK(ok);
    uint8_t md5[16], sha[32];
    vigil_err err;
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags = VIGIL_HASH_DIGESTS;
    vigil_hash_result r;
    vigil_status s1 = vigil_digest(png, len, md5, sha, &err);
    vigil_status s2 = vigil_hash_bytes(png, len, &o, &r, &err);
    CHECK_OK(s1, &err);
    CHECK_OK(s2, &err);
    CHECK_INT(memcmp(md5, r.md5, 16), ==, 0);
    CHECK_INT(memcmp(sha, r.sha256, 32), ==, 0);
    /* digests only: works on any bytes, image or not */
    o.flags = VIGIL_HASH_NO_PDQ;
    vigil_status s3 = vigil_hash_bytes("hello", 5, &o, &r, &err);
    free(png);
    CHECK_OK(s3, &err);
    char hex[33];
    vigil_hex_encode(r.md5, 16, hex);
    CHECK_STR(hex, "5d41402abc4b2a76b9719d911017c592");
}

/* Every bad input: a clear error, and the same hasher goes on working. */
static void t_bad_inputs_then_good(void) {
    uint8_t *rgb = imggen_pattern(200, 150, 5), *jpg = NULL;
    size_t len = 0;
    CHECK(rgb);
    int ok = imggen_jpeg(rgb, 200, 150, 90, &jpg, &len) == 0;
    free(rgb);
    CHECK(ok);
    vigil_hasher *h = NULL;
    vigil_err err;
    vigil_hash_result good, r;
    vigil_status st = vigil_hasher_new(NULL, &h, &err);
    if (st == VIGIL_OK) st = vigil_hasher_bytes(h, jpg, len, &good, &err);
    if (st != VIGIL_OK) {
        free(jpg);
        vigil_hasher_free(h);
        CHECK_OK(st, &err);
    }
    uint8_t *corrupt = malloc(len);
    memcpy(corrupt, jpg, len);
    for (size_t i = len / 3; i < len / 3 + 64 && i < len; i++) corrupt[i] ^= 0x5A;
    /* A JPEG header declaring 60000 x 60000 (SOF0 of a tiny file). */
    static const uint8_t bomb[] = {
        0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x43, 0x00, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0xFF, 0xC0, 0x00, 0x0B,
        0x08, 0xEA, 0x60, 0xEA, 0x60, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01,
        0x01, 0x00, 0x00, 0x3F, 0x00, 0xFF, 0xD9};
    struct {
        const char *what;
        const void *data;
        size_t len;
        vigil_status want;
    } cases[] = {
        {"zero bytes", "", 0, VIGIL_EFORMAT},
        {"text", "this is not an image\n", 21, VIGIL_EFORMAT},
        {"JPEG magic only", jpg, 3, VIGIL_ECORRUPT},
        {"truncated JPEG", jpg, len / 2, VIGIL_ECORRUPT},
        {"corrupt JPEG", corrupt, len, VIGIL_ECORRUPT},
        {"decompression bomb", bomb, sizeof bomb, VIGIL_ELIMIT},
    };
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vigil_err_clear(&err);
        vigil_status got = vigil_hasher_bytes(h, cases[i].data, cases[i].len, &r, &err);
        if (got != cases[i].want || err.msg[0] == '\0') {
            printf("    %s: got %s (%s), want %s\n", cases[i].what, vigil_status_name(got), err.msg,
                   vigil_status_name(cases[i].want));
            bad++;
        }
        /* the hasher still works after each failure */
        vigil_hash_result again;
        if (vigil_hasher_bytes(h, jpg, len, &again, &err) != VIGIL_OK ||
            vigil_pdq_distance(&again.pdq, &good.pdq) != 0) {
            printf("    hasher broken after %s\n", cases[i].what);
            bad++;
        }
    }
    free(corrupt);
    free(jpg);
    vigil_hasher_free(h);
    CHECK_INT(bad, ==, 0);
}

static void t_files(void) {
    char path[512];
    snprintf(path, sizeof path, "%s/hasher-missing.jpg", test_tmpdir());
    vigil_hash_result r;
    vigil_err err;
    vigil_err_clear(&err);
    CHECK_INT(vigil_hash_file(path, NULL, &r, &err), ==, VIGIL_ENOENT);
    CHECK(strstr(err.msg, "hasher-missing.jpg") != NULL);
    CHECK_INT(vigil_hash_file(test_tmpdir(), NULL, &r, &err), ==, VIGIL_EIO);
    /* a file over max_file_bytes is refused before it is read */
    snprintf(path, sizeof path, "%s/hasher-big.bin", test_tmpdir());
    static uint8_t zeros[5000];
    CHECK_INT(imggen_write_file(path, zeros, sizeof zeros), ==, 0);
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.limits.max_file_bytes = 4096;
    CHECK_INT(vigil_hash_file(path, &o, &r, &err), ==, VIGIL_ELIMIT);
    /* max_pixels is honoured */
    uint8_t *rgb = imggen_pattern(100, 100, 2), *png = NULL;
    size_t len = 0;
    CHECK(rgb);
    int ok = imggen_png(rgb, 100, 100, 3, 0, &png, &len) == 0;
    free(rgb);
    CHECK(ok);
    o.limits.max_file_bytes = 0;
    o.limits.max_pixels = 9999;
    vigil_status st = vigil_hash_bytes(png, len, &o, &r, &err);
    free(png);
    CHECK_INT(st, ==, VIGIL_ELIMIT);
    CHECK(strstr(err.msg, "100x100") != NULL);
}

static void t_null_args(void) {
    vigil_hash_result r;
    vigil_err err;
    CHECK_INT(vigil_hash_bytes(NULL, 10, NULL, &r, &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_hash_file(NULL, NULL, &r, &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_hash_image(NULL, NULL, &r, &err), ==, VIGIL_EINVAL);
    uint8_t px[3] = {1, 2, 3};
    vigil_image img = {1, 1, (vigil_pixfmt)2, 3, px};
    CHECK_INT(vigil_hash_image(&img, NULL, &r, &err), ==, VIGIL_EINVAL);
    img.fmt = VIGIL_PIX_RGB8;
    img.stride = 2;
    CHECK_INT(vigil_hash_image(&img, NULL, &r, &err), ==, VIGIL_EINVAL);
    vigil_hasher_free(NULL);
    CHECK_INT(vigil_hasher_new(NULL, NULL, &err), ==, VIGIL_EINVAL);
}

/* Replays fuzz/regress/: inputs the fuzzer found interesting (mutations of
 * generated images).  Each must hash or fail with a message; never crash. */
static void t_fuzz_regressions(void) {
    DIR *d = opendir("fuzz/regress");
    if (!d) SKIP("fuzz/regress not found (run from the repository root)");
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags = VIGIL_HASH_DIHEDRAL | VIGIL_HASH_DIGESTS;
    o.limits.max_pixels = 4u * 1000 * 1000;
    vigil_hasher *h = NULL;
    vigil_err err;
    if (vigil_hasher_new(&o, &h, &err) != VIGIL_OK) {
        closedir(d);
        CHECK(!"hasher");
    }
    int n = 0, silent = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "fuzz/regress/%s", e->d_name);
        vigil_hash_result r;
        vigil_err_clear(&err);
        vigil_status st = vigil_hasher_file(h, path, &r, &err);
        if (st != VIGIL_OK && err.msg[0] == '\0') silent++;
        if (st == VIGIL_OK && (r.quality < 0 || r.quality > 100)) silent++;
        n++;
    }
    closedir(d);
    vigil_hasher_free(h);
    CHECK_INT(silent, ==, 0);
    CHECK_INT(n, >, 10);
}

const test_case suite_hasher[] = {
    {"hasher/fuzz_regressions", t_fuzz_regressions},
    {"hasher/formats_agree", t_formats_agree},
    {"hasher/jpeg_near_original", t_jpeg_near_original},
    {"hasher/resize_rule", t_resize_rule},
    {"hasher/digests_and_no_pdq", t_digests_and_no_pdq},
    {"hasher/bad_inputs_then_good", t_bad_inputs_then_good},
    {"hasher/files", t_files},
    {"hasher/null_args", t_null_args},
    {NULL, NULL},
};
