/*
 * tests/test_video.c - video hashing and matching on generated videos
 * (tests/vidgen.c, never real content): sampling, the collapse rule, the
 * vpdq1 serialisation, matching a trimmed excerpt and a re-encode through
 * the bank store and the index (checked against brute force), an unrelated
 * video not matching, and bad inputs: truncated, corrupt, audio-only, not a
 * video, empty; the fuzz regression inputs; Meta's reference mode on a
 * generated video and against the upstream sample hashes (when present);
 * the partner forms (reference file, pytx signal, vpdqr1) and the match
 * rules (vigil, pytx, README; phase-robust shares).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vidgen.h"
#include "signal/signal_internal.h"
#include "store/store_internal.h"
#include "video/video_internal.h"
#include "vigil/bank.h"
#include "vigil/video.h"

/* The shared test videos, generated once per run (small and short so that
 * the suite stays fast under ASan). */
#define LONG_SECONDS 300 /* the "5-minute video" */
static char long_path[512], excerpt_path[512], reenc_path[512], other_path[512], wav_path[512],
    short_path[512];
static int videos_ok = -1;

static int make_videos(void) {
    if (videos_ok >= 0) return videos_ok;
    const char *d = test_tmpdir();
    snprintf(long_path, sizeof long_path, "%s/long.mp4", d);
    snprintf(excerpt_path, sizeof excerpt_path, "%s/excerpt.mkv", d);
    snprintf(reenc_path, sizeof reenc_path, "%s/reencoded.mkv", d);
    snprintf(other_path, sizeof other_path, "%s/other.avi", d);
    snprintf(wav_path, sizeof wav_path, "%s/audio.wav", d);
    snprintf(short_path, sizeof short_path, "%s/short.mp4", d);
    /* 5 minutes at 5 frames/s, 96x72, MPEG-4 part 2 in MP4 */
    vidgen_spec a = {.width = 96, .height = 72, .fps = 5, .seconds = LONG_SECONDS, .seed = 11};
    /* a 20-second excerpt from 123.4 s, cut off the grid of whole seconds,
     * re-encoded at another size, rate, bitrate, codec and container */
    vidgen_spec ex = a;
    ex.seconds = 20;
    ex.start = 123.4;
    ex.width = 80;
    ex.height = 60;
    ex.fps = 8;
    ex.bitrate = 150000;
    ex.codec = "mpeg2video";
    ex.format = "matroska";
    /* the first minute of the same content re-encoded */
    vidgen_spec re = {.width = 64, .height = 48, .fps = 12, .seconds = 60, .seed = 11, .bitrate = 60000,
                      .codec = "libx264", .format = "matroska"};
    vidgen_spec other = {.width = 96, .height = 72, .fps = 5, .seconds = 40, .seed = 12, .format = "avi"};
    vidgen_spec shrt = {.width = 96, .height = 72, .fps = 10, .seconds = 12, .seed = 13};
    videos_ok = vidgen_write(long_path, &a) == 0 && vidgen_write(excerpt_path, &ex) == 0 &&
                vidgen_write(reenc_path, &re) == 0 && vidgen_write(other_path, &other) == 0 &&
                vidgen_write(short_path, &shrt) == 0 && vidgen_wav(wav_path, 2.0) == 0;
    return videos_ok;
}

#define NEED_VIDEOS()                                                                              \
    do {                                                                                           \
        if (!make_videos()) CHECK(!"generating the test videos failed");                           \
    } while (0)

static void t_sampling(void) {
    NEED_VIDEOS();
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.collapse = -1;
    vigil_video_hash v;
    vigil_err err;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    int ok = v.n == 12 && v.sampled == 12 && v.decoded >= 119 && v.decoded <= 120 && v.width == 96 && v.height == 72 &&
             strcmp(v.codec, "mpeg4") == 0 && v.fps_milli == 1000;
    for (size_t i = 0; ok && i < v.n; i++)
        ok = v.frames[i].start_ms == 1000 * i && v.frames[i].duration_ms == 1000 && v.frames[i].quality >= 50;
    /* the first frame hashes like the picture it was encoded from */
    uint8_t *rgb = vidgen_content(&(vidgen_spec){.seed = 13}, 0.0, 96, 72);
    vigil_image img = {96, 72, VIGIL_PIX_RGB8, 96 * 3, rgb};
    vigil_hash_result r;
    int d = 256;
    if (rgb && vigil_hash_image(&img, NULL, &r, NULL) == VIGIL_OK) d = vigil_pdq_distance(&r.pdq, &v.frames[0].pdq);
    free(rgb);
    vigil_video_hash_clear(&v);
    CHECK(ok);
    CHECK_INT(d, <=, 16);
    /* 2 frames/s: twice the samples */
    o.fps = 2;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    ok = v.n == 24 && v.frames[1].start_ms == 500 && v.fps_milli == 2000;
    vigil_video_hash_clear(&v);
    CHECK(ok);
}

static void t_collapse(void) {
    NEED_VIDEOS();
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    vigil_video_hash v;
    vigil_err err;
    /* distance 256 collapses everything into the first frame, which then
     * stands for the whole video */
    o.collapse = 256;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    int ok = v.n == 1 && v.sampled == 12 && v.frames[0].start_ms == 0 && v.frames[0].duration_ms == 12000;
    vigil_video_hash_clear(&v);
    CHECK(ok);
    /* the default (8) keeps frames that differ: here the content moves */
    vigil_video_opts_init(&o);
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    uint32_t total = 0;
    ok = v.n >= 4 && v.n <= 12;
    for (size_t i = 0; i < v.n; i++) {
        total += v.frames[i].duration_ms;
        if (i && vigil_pdq_distance(&v.frames[i].pdq, &v.frames[i - 1].pdq) <= 8) ok = 0;
    }
    vigil_video_hash_clear(&v);
    CHECK(ok);
    CHECK_INT(total, ==, 12000);
}

static void t_serialise(void) {
    vigil_video_frame f[3] = {{0, 1000, 100, {{0}}, -1, 0.0}, {1000, 2000, 37, {{0}}, -1, 1.0}, {3000, 1000, 0, {{0}}, -1, 3.0}};
    for (int i = 0; i < 32; i++) {
        f[0].pdq.bytes[i] = (uint8_t)i;
        f[1].pdq.bytes[i] = (uint8_t)(255 - i);
        f[2].pdq.bytes[i] = (uint8_t)(i * 7);
    }
    vigil_video_hash v;
    memset(&v, 0, sizeof v);
    v.frames = f;
    v.n = 3;
    v.fps_milli = 1000;
    char *s = NULL;
    vigil_err err;
    CHECK_OK(vigil_video_serialize(&v, &s, &err), &err);
    vigil_video_hash back;
    vigil_status rc = vigil_video_parse(s, &back, &err);
    int same = rc == VIGIL_OK && back.n == 3 && back.fps_milli == 1000 && memcmp(back.frames, f, sizeof f) == 0;
    size_t len = strlen(s);
    char *bad = strdup(s);
    vigil_video_hash_clear(&back);
    free(s);
    CHECK(same);
    CHECK_INT(len, ==, 6 + 4 * ((8 + 3 * 41 + 2) / 3));
    CHECK_OK(vigil_video_value_check("vpdq1:AAAD6AAAAAEAAAAAAAAD6GQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", &err), &err);
    /* one character off in several ways */
    static const struct {
        const char *v, *msg;
    } cases[] = {
        {"vpdq2:AAAA", "expected 'vpdq1:'"},
        {"", "expected 'vpdq1:'"},
        {"vpdq1:", "not a header and whole frames"},
        {"vpdq1:AAAD6AAAAAEAAAAAAAAD6GQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw", "not a multiple of 4"},
        {"vpdq1:AAAD6AAAAAEAAAAAAAAD6GQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHx==", "bad base64"},
        {"vpdq1:AAAD6AAAAAEAAAAAAAAD6GQAAQIDBAUG!wgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "bad base64 at character 39"},
        {"vpdq1:AAAD6AAAAAIAAAAAAAAD6GQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "frame count"},
        {"vpdq1:AAAD6AAAAAEAAAAAAAAD6GUAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "quality over 100"},
        {"vpdq1:AAAD6AAAAAEAAAAAAAAAAGQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "duration 0"},
        {"vpdq1:AAAAAAAAAAEAAAAAAAAD6GQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "sample rate 0"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vigil_err_clear(&err);
        if (vigil_video_value_check(cases[i].v, &err) != VIGIL_EPARSE || !strstr(err.msg, cases[i].msg)) {
            printf("    case %zu: %s\n", i, err.msg);
            wrong++;
        }
    }
    /* times out of order */
    f[1].start_ms = 0;
    f[0].start_ms = 10;
    rc = vigil_video_serialize(&v, &s, &err);
    free(bad);
    CHECK_INT(rc, ==, VIGIL_EINVAL);
    CHECK_INT(wrong, ==, 0);
}

/* The store with bank "known" (the long video, the other video) and an
 * allow bank; the ids of the two entries. */
static vigil_store *video_store(int64_t *id_long, int64_t *id_other, vigil_err *err) {
    vigil_store *st = NULL;
    vigil_video_hash v;
    char *val = NULL;
    int ok = vigil_store_open(test_db(), &st, err) == VIGIL_OK &&
             vigil_bank_create(st, "known", VIGIL_BANK_NORMAL, -1, NULL, NULL, err) == VIGIL_OK;
    const char *paths[2] = {long_path, other_path};
    int64_t *ids[2] = {id_long, id_other};
    for (int i = 0; ok && i < 2; i++) {
        ok = vigil_video_hash_file(paths[i], NULL, &v, err) == VIGIL_OK && vigil_video_serialize(&v, &val, err) == VIGIL_OK;
        vigil_entry_spec spec = {VIGIL_SIGNAL_VIDEO, val, i ? "entity=b" : "entity=a", NULL};
        ok = ok && vigil_bank_add(st, "known", &spec, ids[i], NULL, err) == VIGIL_OK;
        free(val);
        val = NULL;
        vigil_video_hash_clear(&v);
    }
    if (!ok) {
        vigil_store_close(st);
        return NULL;
    }
    return st;
}

static void t_match(void) {
    NEED_VIDEOS();
    vigil_err err;
    vigil_err_clear(&err);
    int64_t id_long = 0, id_other = 0;
    vigil_store *st = video_store(&id_long, &id_other, &err);
    if (!st) CHECK_OK(err.status ? err.status : VIGIL_EINTERNAL, &err);
    vigil_video_matcher *m = NULL;
    vigil_status rc = vigil_video_matcher_open(st, NULL, &m, &err);
    if (rc != VIGIL_OK) vigil_store_close(st);
    CHECK_OK(rc, &err);
    int bad = 0;
    size_t frames = vigil_video_matcher_frames(m);
    bad += vigil_video_matcher_videos(m) != 2 || frames < 200;
    /* each query against the store, and the same shares by brute force */
    const char *queries[4] = {excerpt_path, reenc_path, other_path, short_path};
    vigil_video_hash bank_long, q;
    rc = vigil_video_hash_file(long_path, NULL, &bank_long, &err);
    for (int i = 0; rc == VIGIL_OK && i < 4; i++) {
        vigil_video_match_result r;
        rc = vigil_video_hash_file(queries[i], NULL, &q, &err);
        if (rc == VIGIL_OK) rc = vigil_video_matcher_query(m, &q, &r, &err);
        if (rc != VIGIL_OK) break;
        double bq = 0, bb = 0;
        vigil_video_compare(&q, &bank_long, 31, 50, &bq, &bb, NULL);
        const vigil_video_match *x = r.n ? &r.matches[0] : NULL;
        printf("    %s: %zu match(es)", strrchr(queries[i], '/') + 1, r.n);
        if (x) printf("; entry %lld: query %.1f%%, bank %.1f%%, distance %d, offset %.1f s", (long long)x->entry_id,
                      x->query_share, x->bank_share, x->distance, x->offset);
        printf(" (brute force vs the long video: %.1f%% / %.1f%%)\n", bq, bb);
        switch (i) {
        case 0: /* the excerpt: nearly all of it, about 20/300 of the long one, at 123.4 s */
            bad += r.n != 1 || !x || x->entry_id != id_long || x->query_share < 90 || x->bank_share < 5 ||
                   x->bank_share > 9 || x->offset < 122 || x->offset > 125 || strcmp(x->labels, "entity=a");
            break;
        case 1: /* the re-encoded first minute */
            bad += r.n != 1 || !x || x->entry_id != id_long || x->query_share < 90 || x->bank_share < 15;
            break;
        case 2: /* the other bank video itself */
            bad += r.n != 1 || !x || x->entry_id != id_other || x->query_share < 99 || x->bank_share < 99 ||
                   x->distance != 0;
            break;
        case 3: /* unrelated */
            bad += r.n != 0;
            break;
        }
        /* the index gives exactly the brute-force shares */
        for (size_t k = 0; k < r.n; k++)
            if (r.matches[k].entry_id == id_long && (r.matches[k].query_share - bq > 1e-9 || bq - r.matches[k].query_share > 1e-9 ||
                                                     r.matches[k].bank_share - bb > 1e-9 || bb - r.matches[k].bank_share > 1e-9))
                bad++;
        vigil_video_match_result_clear(&r);
        vigil_video_hash_clear(&q);
    }
    vigil_video_hash_clear(&bank_long);
    vigil_video_matcher_free(m);
    /* thresholds: requiring both shares drops the excerpt (it covers ~7%) */
    vigil_video_match_opts mo;
    vigil_video_match_opts_init(&mo);
    mo.require_both = 1;
    vigil_video_match_result r;
    memset(&r, 0, sizeof r);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_open(st, &mo, &m, &err);
    if (rc == VIGIL_OK) rc = vigil_video_hash_file(excerpt_path, NULL, &q, &err);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_query(m, &q, &r, &err);
    if (rc == VIGIL_OK) bad += r.n != 0;
    vigil_video_match_result_clear(&r);
    vigil_video_hash_clear(&q);
    vigil_video_matcher_free(m);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK_INT(bad, ==, 0);
}

/* A copy of the first `keep` bytes of src, with byte flips if `flip`. */
static int damaged_copy(const char *src, const char *dst, double keep, int flip) {
    uint8_t *data = NULL;
    size_t len = 0;
    if (vigil_read_file(src, 0, &data, &len, NULL) != VIGIL_OK) return -1;
    size_t n = (size_t)(len * keep);
    if (flip)
        for (size_t i = len / 4; i < len / 2; i += 97) data[i] ^= 0x5a; /* frame data, not the index */
    FILE *f = fopen(dst, "wb");
    int rc = f && fwrite(data, 1, n, f) == n ? 0 : -1;
    if (f) fclose(f);
    free(data);
    return rc;
}

static void t_bad_inputs(void) {
    NEED_VIDEOS();
    const char *d = test_tmpdir();
    char trunc_mp4[600], trunc_mkv[600], corrupt[600], text[600], empty[600];
    snprintf(trunc_mp4, sizeof trunc_mp4, "%s/truncated.mp4", d);
    snprintf(trunc_mkv, sizeof trunc_mkv, "%s/truncated.mkv", d);
    snprintf(corrupt, sizeof corrupt, "%s/corrupt.mp4", d);
    snprintf(text, sizeof text, "%s/notes.mp4", d);
    snprintf(empty, sizeof empty, "%s/empty.mp4", d);
    CHECK(damaged_copy(short_path, trunc_mp4, 0.5, 0) == 0);
    CHECK(damaged_copy(reenc_path, trunc_mkv, 0.5, 0) == 0);
    CHECK(damaged_copy(short_path, corrupt, 1.0, 1) == 0);
    FILE *f = fopen(text, "w");
    if (f) {
        fputs("these are notes, not a video\n", f);
        fclose(f);
    }
    f = fopen(empty, "w");
    if (f) fclose(f);
    static const struct {
        int which;
        vigil_status st;
        const char *msg;
    } cases[] = {
        {0, VIGIL_ECORRUPT, "cannot read the mov,mp4"},
        {1, VIGIL_ECORRUPT, "truncated: video frames end at"},
        {3, VIGIL_EFORMAT, "no video stream (the wav file has 1 audio stream only)"},
        {4, VIGIL_EFORMAT, "not a recognised video"},
        {5, VIGIL_EFORMAT, "empty input"},
        {6, VIGIL_ENOENT, "cannot open"},
    };
    const char *paths[7] = {trunc_mp4, trunc_mkv, corrupt, wav_path, text, empty, "/nonexistent/x.mp4"};
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vigil_video_hash v;
        vigil_err err;
        vigil_err_clear(&err);
        vigil_status rc = vigil_video_hash_file(paths[cases[i].which], NULL, &v, &err);
        if (rc != cases[i].st || !strstr(err.msg, cases[i].msg) || v.n || v.frames) {
            printf("    %s: %s: %s\n", paths[cases[i].which], vigil_status_name(rc), err.msg);
            wrong++;
        }
    }
    /* damaged video data: hashed or refused, never a crash or a silent error */
    vigil_video_hash v;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_video_hash_file(corrupt, NULL, &v, &err);
    printf("    corrupt.mp4: %s %s\n", vigil_status_name(rc), err.msg);
    int silent = rc != VIGIL_OK && !err.msg[0];
    vigil_video_hash_clear(&v);
    /* bad options */
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.fps = 0;
    vigil_status fps0 = vigil_video_hash_file(short_path, &o, &v, &err);
    o.fps = 1;
    o.max_samples = 3;
    vigil_status lim = vigil_video_hash_file(short_path, &o, &v, &err);
    CHECK_INT(wrong, ==, 0);
    CHECK_INT(silent, ==, 0);
    CHECK_INT(fps0, ==, VIGIL_EINVAL);
    CHECK_INT(lim, ==, VIGIL_ELIMIT);
    CHECK_INT(vigil_video_hash_file(NULL, NULL, &v, &err), ==, VIGIL_EINVAL);
}

static void t_bytes_and_sniff(void) {
    NEED_VIDEOS();
    uint8_t *data = NULL;
    size_t len = 0;
    vigil_err err;
    CHECK_OK(vigil_read_file(short_path, 0, &data, &len, &err), &err);
    vigil_video_hash a, b;
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.flags = VIGIL_HASH_DIGESTS;
    vigil_status ra = vigil_video_hash_bytes(data, len, &o, &a, &err);
    vigil_status rb = vigil_video_hash_file(short_path, &o, &b, &err);
    int same = ra == VIGIL_OK && rb == VIGIL_OK && a.n == b.n && memcmp(a.frames, b.frames, a.n * sizeof *a.frames) == 0 &&
               memcmp(a.md5, b.md5, 16) == 0 && memcmp(a.sha256, b.sha256, 32) == 0;
    uint8_t md5[16];
    vigil_digest(data, len, md5, NULL, NULL);
    same = same && memcmp(md5, b.md5, 16) == 0;
    int sniff = vigil_video_sniff(data, len > 4096 ? 4096 : len);
    vigil_video_hash_clear(&a);
    vigil_video_hash_clear(&b);
    o.limits.max_file_bytes = 100;
    vigil_status big = vigil_video_hash_bytes(data, len, &o, &a, &err);
    free(data);
    CHECK(same);
    CHECK(sniff);
    CHECK_INT(big, ==, VIGIL_ELIMIT);
    static const uint8_t png[16] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    CHECK(!vigil_video_sniff(png, sizeof png));
    CHECK(!vigil_video_sniff("hello, this is text and nothing else at all", 40));
}

/* ---- Meta's reference vPDQ (vpdq_reference) ------------------------------ */

/* The reference mode on a generated video: every (int)(S x fps)-th decoded
 * frame by count, the reference's float times, whole-frame PDQ (no 512
 * step, no collapse), and the per-frame file written and read back. */
static void t_reference_mode(void) {
    NEED_VIDEOS();
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.vpdq_reference = 1; /* seconds_per_hash 1: short.mp4 is 10 frames/s, 12 s */
    vigil_video_hash v;
    vigil_err err;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    /* the MP4 muxer's avg_frame_rate is near 10 (its last frame's duration) */
    int ok = v.n == 12 && v.frame_rate > 9.5 && v.frame_rate < 10.5 && v.decoded >= 119 && v.decoded <= 120;
    for (size_t i = 0; ok && i < v.n; i++)
        ok = v.frames[i].number == (int64_t)(10 * i) &&
             v.frames[i].time == (double)((float)(10 * i) / (float)v.frame_rate) && v.frames[i].quality >= 50;
    /* the first frame: PDQ of the whole picture it was encoded from */
    uint8_t *rgb = vidgen_content(&(vidgen_spec){.seed = 13}, 0.0, 96, 72);
    vigil_image img = {96, 72, VIGIL_PIX_RGB8, 96 * 3, rgb};
    vigil_hash_opts ho;
    vigil_hash_opts_init(&ho);
    ho.flags = VIGIL_HASH_NO_RESIZE;
    vigil_hash_result r;
    int d = 256;
    if (rgb && ok && vigil_hash_image(&img, &ho, &r, NULL) == VIGIL_OK) d = vigil_pdq_distance(&r.pdq, &v.frames[0].pdq);
    free(rgb);
    /* the file form, and back */
    char *text = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    vigil_video_hash back;
    memset(&back, 0, sizeof back);
    vigil_status rc = vigil_vpdq_ref_format(&v, &text, &len, &err);
    if (rc == VIGIL_OK) rc = vigil_vpdq_ref_parse(text, len, &back, &err);
    if (rc == VIGIL_OK) rc = vigil_vpdq_ref_format(&back, &again, &len2, &err);
    int line1 = text && strncmp(text, "0,", 2) == 0 && strstr(text, ",0.000\n10,") != NULL;
    int same = rc == VIGIL_OK && len == len2 && memcmp(text, again, len) == 0 && back.n == v.n &&
               back.frames[11].number == 110 && back.frames[11].start_ms == v.frames[11].start_ms;
    free(text);
    free(again);
    vigil_video_hash_clear(&back);
    vigil_video_hash_clear(&v);
    CHECK(ok);
    CHECK_INT(d, <=, 16);
    CHECK_OK(rc, &err);
    CHECK(line1);
    CHECK(same);
    /* 0: every frame; 0.25 s at 10 frames/s: (int)2.5 = every 2nd */
    o.seconds_per_hash = 0;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    ok = v.n == v.decoded && v.n >= 119 && v.frames[v.n - 1].number == (int32_t)v.n - 1;
    vigil_video_hash_clear(&v);
    CHECK(ok);
    o.seconds_per_hash = 0.25;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &v, &err), &err);
    ok = v.n == 60 && v.frames[1].number == 2 && v.frames[1].start_ms == (uint32_t)(2000.0 / v.frame_rate + 0.5);
    vigil_video_hash_clear(&v);
    CHECK(ok);
    o.seconds_per_hash = -1;
    CHECK(vigil_video_hash_file(short_path, &o, &v, &err) == VIGIL_EINVAL);
    /* bad reference files: a clear error naming the line */
    static const char *const bad[] = {
        "0,100,zz71017837246aac0f2fd1e1c5d8e0c8c5d8f7e1b2cc1f8e2a0d0c8d055c0000,0.000\n",
        "0,100,e271017837246aac0f2fd1e1c5d8e0c8c5d8f7e1b2cc1f8e2a0d0c8d055c0000,-1.000\n",
        "0,101,e271017837246aac0f2fd1e1c5d8e0c8c5d8f7e1b2cc1f8e2a0d0c8d055c0000,0.000\n",
        "0,100,e271017837246aac\n",
        "5,100,e271017837246aac0f2fd1e1c5d8e0c8c5d8f7e1b2cc1f8e2a0d0c8d055c0000,0.100\n"
        "4,100,e271017837246aac0f2fd1e1c5d8e0c8c5d8f7e1b2cc1f8e2a0d0c8d055c0000,0.200\n",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vigil_err_clear(&err);
        CHECK(vigil_vpdq_ref_parse(bad[i], strlen(bad[i]), &v, &err) == VIGIL_EPARSE && v.n == 0 && err.msg[0]);
    }
}

static char *slurp(const char *path, size_t *len) {
    uint8_t *data = NULL;
    if (vigil_read_file(path, 0, &data, len, NULL) != VIGIL_OK) return NULL;
    return (char *)data;
}

/* Upstream's regression rule (vpdq/python/tests, match-hashes-byline):
 * the same frame numbers, and distance < 31 wherever both qualities are
 * >= 50.  @return the number of frames breaking it (-1: counts differ). */
static long regress_rule(const vigil_video_hash *a, const vigil_video_hash *b, int *max_d, size_t *exact) {
    if (a->n != b->n) return -1;
    long bad = 0;
    for (size_t i = 0; i < a->n; i++) {
        if (a->frames[i].number != b->frames[i].number) return -1;
        int d = vigil_pdq_distance(&a->frames[i].pdq, &b->frames[i].pdq);
        if (d == 0) (*exact)++;
        if (a->frames[i].quality < 50 || b->frames[i].quality < 50) continue;
        if (d > *max_d) *max_d = d;
        if (d >= 31) bad++;
    }
    return bad;
}

/* Replays ../shared/fixtures/vpdq/upstream-sample-hashes (every frame,
 * `-r 0`) against vigil's reference mode on the clips beside them.  Three
 * clips by default (one HD, the 2026 file that the current reference made
 * and must match bit for bit, one SD); all 14 with VIGIL_VPDQ_ALL=1. */
static void t_reference_upstream(void) {
    const char *fx = test_fixtures_dir();
    char dir[1024];
    if (!fx) SKIP("fixtures not found (../shared/fixtures or $VIGIL_FIXTURES)");
    snprintf(dir, sizeof dir, "%s/vpdq/upstream-sample-hashes", fx);
    DIR *dh = opendir(dir);
    if (!dh) SKIP("vpdq/upstream-sample-hashes not in the fixtures");
    static const char *const some[] = {"doorknob-hd-no-bar", "test-padded-dimensions", "pattern-sd-grey-bar"};
    const char *all = getenv("VIGIL_VPDQ_ALL");
    int every = all && strcmp(all, "1") == 0, clips = 0;
    long broken = 0;
    struct dirent *e;
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.vpdq_reference = 1;
    o.seconds_per_hash = 0;
    while ((e = readdir(dh)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".txt") != 0 || strstr(e->d_name, "128x128")) continue;
        char name[256];
        snprintf(name, sizeof name, "%.*s", (int)(nl - 4), e->d_name);
        int pick = every;
        for (size_t i = 0; !pick && i < sizeof some / sizeof some[0]; i++) pick = strcmp(name, some[i]) == 0;
        char vpath[1400], hpath[1400];
        snprintf(vpath, sizeof vpath, "%s/vpdq/videos/%s.mp4", fx, name);
        snprintf(hpath, sizeof hpath, "%s/%s", dir, e->d_name);
        FILE *probe = fopen(vpath, "rb");
        if (!probe) continue; /* the HD/FHD clips are not in the fixtures */
        fclose(probe);
        if (!pick) continue;
        size_t len = 0;
        char *text = slurp(hpath, &len);
        vigil_video_hash up, mine;
        vigil_err err;
        vigil_err_clear(&err);
        vigil_status rc = text ? vigil_vpdq_ref_parse(text, len, &up, &err) : VIGIL_EIO;
        free(text);
        if (rc != VIGIL_OK) {
            closedir(dh);
            CHECK_OK(rc, &err);
        }
        rc = vigil_video_hash_file(vpath, &o, &mine, &err);
        if (rc != VIGIL_OK) {
            vigil_video_hash_clear(&up);
            closedir(dh);
            CHECK_OK(rc, &err);
        }
        int max_d = 0;
        size_t exact = 0;
        long bad = regress_rule(&up, &mine, &max_d, &exact);
        /* made by the current libav reference: bit for bit */
        if (strcmp(name, "test-padded-dimensions") == 0 && exact != up.n) bad = bad < 0 ? bad : bad + 1;
        if (bad) fprintf(stderr, "  %s: %ld frames break the rule (max distance %d)\n", name, bad, max_d);
        broken += bad < 0 ? 1000000 : bad;
        clips++;
        vigil_video_hash_clear(&up);
        vigil_video_hash_clear(&mine);
    }
    closedir(dh);
    CHECK_INT(broken, ==, 0);
    CHECK_INT(clips, >=, every ? 14 : 3);
}

/* ---- the partner forms (reference file, pytx signal, vpdqr1) ------------- */

static int same_frames(const vigil_video_hash *a, const vigil_video_hash *b, int numbers) {
    if (a->n != b->n) return 0;
    for (size_t i = 0; i < a->n; i++) {
        const vigil_video_frame *x = &a->frames[i], *y = &b->frames[i];
        if (x->quality != y->quality || memcmp(&x->pdq, &y->pdq, sizeof x->pdq) != 0 ||
            (numbers && x->number != y->number))
            return 0;
    }
    return 1;
}

static void t_forms(void) {
    NEED_VIDEOS();
    /* pytx's f"{t:.3}" */
    static const struct {
        double t;
        const char *s;
    } ts[] = {{0.0, "0.0"}, {1.0, "1.0"}, {5.0, "5.0"}, {12.345, "12.3"}, {99.95, "1e+02"}, {100.0, "1e+02"},
              {150.0, "1.5e+02"}, {663.0, "6.63e+02"}, {1234.5, "1.23e+03"}, {0.0333333, "0.0333"}, {0.001, "0.001"},
              {0.0001, "0.0001"}, {1e-5, "1e-05"}, {9.9996, "10.0"}, {33.36666, "33.4"}};
    for (size_t i = 0; i < sizeof ts / sizeof ts[0]; i++) {
        char b[40];
        vigil_vpdq_pytx_time(ts[i].t, b, sizeof b);
        CHECK_STR(b, ts[i].s);
    }
    /* the example signal (../shared/fixtures/exchange/pytx-vpdq-signal.json) */
    static const char pytx[] =
        "[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,100,0.0\", "
        "\"4ce949b11f1035e2f2ef0a5e76f68716870e70f97bd91d1049a3dbe1d064b454,100,1.0\", "
        "\"643c8f9e5f0eb6a66886355a4a4bdbe38343a4e924b969b41d321ba33a85d55e,100,2.0\", "
        "\"643c8f9e5f0eb6a66886355a4a4bdbe38343a4e924b969b41d321ba33a85d55e,100,12.3\", "
        "\"643c8f9e5f0eb6a66886355a4a4bdbe38343a4e924b969b41d321ba33a85d55e,100,1e+02\"]";
    vigil_video_hash p, back, r;
    vigil_err err;
    char *out = NULL, *val = NULL;
    CHECK_OK(vigil_video_parse(pytx, &p, &err), &err);
    int ok = p.n == 5 && p.ref_form && p.frames[4].time == 100.0 && p.frames[4].start_ms == 100000 &&
             p.frames[3].number == -1 && p.frames[3].duration_ms == 87700;
    vigil_status rc = vigil_video_format(&p, VIGIL_VFORM_PYTX, &out, &err);
    int same_text = rc == VIGIL_OK && strcmp(out, pytx) == 0;
    free(out);
    out = NULL;
    /* stored as vpdqr1, and back to the same signal */
    if (rc == VIGIL_OK) rc = vigil_video_value_canonical(pytx, &val, &err);
    int canon = rc == VIGIL_OK && strncmp(val, "vpdqr1:", 7) == 0;
    if (rc == VIGIL_OK) rc = vigil_video_parse(val, &back, &err);
    if (rc == VIGIL_OK) rc = vigil_video_format(&back, VIGIL_VFORM_PYTX, &out, &err);
    int round = rc == VIGIL_OK && strcmp(out, pytx) == 0 && same_frames(&p, &back, 1);
    free(out);
    out = NULL;
    free(val);
    val = NULL;
    vigil_video_hash_clear(&back);
    /* the reference form needs frame numbers: from a frame rate */
    vigil_status noref = vigil_video_format(&p, VIGIL_VFORM_REFERENCE, &out, &err);
    p.frame_rate = 30;
    if (rc == VIGIL_OK) rc = vigil_video_format(&p, VIGIL_VFORM_REFERENCE, &out, &err);
    int ref = rc == VIGIL_OK && strstr(out, "\n369,100,643c8f9e") && strstr(out, ",100.000\n");
    free(out);
    out = NULL;
    vigil_video_hash_clear(&p);
    CHECK_OK(rc, &err);
    CHECK(ok);
    CHECK(same_text);
    CHECK(canon);
    CHECK(round);
    CHECK_INT(noref, ==, VIGIL_EINVAL);
    CHECK(ref);
    /* a reference-mode hash: reference file -> vpdqr1 -> reference file, byte for byte */
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.vpdq_reference = 1;
    CHECK_OK(vigil_video_hash_file(short_path, &o, &r, &err), &err);
    char *text = NULL, *text2 = NULL, *v1 = NULL;
    rc = vigil_video_format(&r, VIGIL_VFORM_REFERENCE, &text, &err);
    if (rc == VIGIL_OK) rc = vigil_video_value_canonical(text, &val, &err);
    if (rc == VIGIL_OK) rc = vigil_video_parse(val, &back, &err);
    if (rc == VIGIL_OK) rc = vigil_video_format(&back, VIGIL_VFORM_REFERENCE, &text2, &err);
    int lossless = rc == VIGIL_OK && strcmp(text, text2) == 0 && same_frames(&r, &back, 1);
    if (!lossless && text && text2) printf("    %.120s\n    %.120s\n", text, text2);
    /* vpdq1 keeps hashes, qualities and millisecond times */
    vigil_video_hash w;
    memset(&w, 0, sizeof w);
    if (rc == VIGIL_OK) rc = vigil_video_format(&r, VIGIL_VFORM_VPDQ1, &v1, &err);
    if (rc == VIGIL_OK) rc = vigil_video_parse(v1, &w, &err);
    int as1 = rc == VIGIL_OK && strncmp(v1, "vpdq1:", 6) == 0 && same_frames(&r, &w, 0) &&
              w.frames[2].start_ms == r.frames[2].start_ms;
    free(text);
    free(text2);
    free(val);
    free(v1);
    vigil_video_hash_clear(&back);
    vigil_video_hash_clear(&w);
    vigil_video_hash_clear(&r);
    CHECK_OK(rc, &err);
    CHECK(lossless);
    CHECK(as1);
    /* bad signals and values: a clear error */
    static const struct {
        const char *v, *msg;
    } bad[] = {
        {"[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc5,100,0.0\"]", "not 64 hex"},
        {"[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,100,-1.0\"]", "negative"},
        {"[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,101,1.0\"]", "quality"},
        {"[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,100,1.0,7\"]", "expected"},
        {"[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,100,nan\"]", "not a number"},
        {"[1]", "not a string"},
        {"[]", "no frames"},
        {"[\"a\"", "bad JSON"},
        {"{}", "bad video value"},
        {"vpdqr1:AAAA", "not a header"},
        {"0,100,e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,-0.5", "negative"},
        /* a time no form could write back (the fuzzer's find: 1.6e308 s in a vpdqr1 value) */
        {"0,100,e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,4000000.5", "over 4,000,000 s"},
        {"[\"e46926b9cb58d261383b699f0ff2e1076fe6183dfb4986d82ca36da48034fc54,100,1e+300\"]", "over 4,000,000 s"},
        {"vpdqr1:AAAAAEAWOOOOOOOOAAAAAgAAAABkHw7c5tx6J6sDodxuPA9A8fIfD4U4VPBeDyAN4fAe9h4AAEAAAAAAAAAAAAVkPwzc4txyd6oHg9B+"
         "XK8B8fYffgUY1OD6LwAdweAepw9/7MzMzMzMzQ==",
         "time over 4,000,000 s"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vigil_err_clear(&err);
        vigil_video_hash z;
        if (vigil_video_parse(bad[i].v, &z, &err) != VIGIL_EPARSE || z.n != 0 || !strstr(err.msg, bad[i].msg)) {
            printf("    case %zu: %s\n", i, err.msg);
            wrong++;
        }
    }
    CHECK_INT(wrong, ==, 0);
}

/* The bank stores every form canonically and exports each form. */
static void t_forms_bank(void) {
    NEED_VIDEOS();
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.vpdq_reference = 1;
    vigil_video_hash r;
    char *text = NULL;
    vigil_status rc = vigil_bank_create(st, "partner", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_video_hash_file(short_path, &o, &r, &err);
    if (rc == VIGIL_OK) rc = vigil_video_format(&r, VIGIL_VFORM_REFERENCE, &text, &err);
    int64_t id = 0;
    vigil_entry_spec spec = {VIGIL_SIGNAL_VIDEO, text, "src=partner", NULL};
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "partner", &spec, &id, NULL, &err);
    vigil_entry e;
    memset(&e, 0, sizeof e);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_get(st, id, &e, &err);
    int stored = rc == VIGIL_OK && e.value && strncmp(e.value, "vpdqr1:", 7) == 0;
    vigil_entry_clear(&e);
    /* the CSV export in the reference form carries the file itself */
    char *buf = NULL;
    size_t blen = 0;
    FILE *mem = open_memstream(&buf, &blen);
    if (rc == VIGIL_OK && mem) rc = vigil_video_bank_export(st, "partner", VIGIL_VFORM_REFERENCE, mem, NULL, &err);
    if (mem) fclose(mem);
    int exported = rc == VIGIL_OK && buf && strncmp(buf, "signal_type,signal_value,labels,id\nvideo,\"0,", 44) == 0 &&
                   strstr(buf, ",src=partner,\n") != NULL;
    free(buf);
    free(text);
    vigil_video_hash_clear(&r);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK(stored);
    CHECK(exported);
}

/* The three rules, the dedupe, per-bank rules and phase-robust shares;
 * the matcher agrees with brute force. */
static void t_rules(void) {
    NEED_VIDEOS();
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.vpdq_reference = 1;
    vigil_video_hash bank, dense;
    vigil_err err;
    CHECK_OK(vigil_video_hash_file(long_path, &o, &bank, &err), &err); /* 1 s per hash, 5 frames/s */
    o.seconds_per_hash = 0;
    CHECK_OK(vigil_video_hash_file(long_path, &o, &dense, &err), &err); /* every frame */
    vigil_video_match_opts mo;
    vigil_video_match_opts_init(&mo);
    mo.rule = VIGIL_VRULE_PYTX;
    mo.max_distance = 0; /* the bank's frames are every 5th of the dense ones: only those match */
    vigil_video_match x, y;
    int plain = vigil_video_compare_rule(&dense, &bank, &mo, &x);
    mo.phase_robust = 1;
    int robust = vigil_video_compare_rule(&dense, &bank, &mo, &y);
    mo.rule = VIGIL_VRULE_README;
    vigil_video_match z;
    int readme = vigil_video_compare_rule(&bank, &dense, &mo, &z);
    int ok = x.query_share_frames < 30.0 && x.bank_share_frames > 95.0 && y.phase_robust && y.query_share > 95.0 &&
             y.bank_share > 95.0 && readme && z.rule == VIGIL_VRULE_README;
    printf("    dense vs 1 s: pytx %.1f%%/%.1f%% (%s); phase-robust %.1f%%/%.1f%% (%s)\n", x.query_share, x.bank_share,
           plain ? "match" : "no match", y.query_share, y.bank_share, robust ? "match" : "no match");
    /* dedupe: a video of one frame repeated counts as one frame */
    vigil_video_hash rep = bank;
    vigil_video_frame fr[4];
    for (int i = 0; i < 4; i++) {
        fr[i] = bank.frames[i < 3 ? 0 : 1];
        fr[i].time = i;
    }
    rep.frames = fr;
    rep.n = 4;
    vigil_video_hash one = bank;
    one.frames = bank.frames; /* frame 0 only */
    one.n = 1;
    mo.rule = VIGIL_VRULE_PYTX;
    mo.phase_robust = 0;
    vigil_video_compare_rule(&rep, &one, &mo, &z);
    int dd = z.query_share_frames == 50.0 && z.query_share_time < 80.0;
    /* the matcher: bank "pytx" with its own rule, the query's rule vigil */
    vigil_store *st = NULL;
    char *val = NULL;
    vigil_status rc = vigil_store_open(test_db(), &st, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_create(st, "pytx", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_video_serialize(&bank, &val, &err);
    vigil_entry_spec spec = {VIGIL_SIGNAL_VIDEO, val, NULL, NULL};
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "pytx", &spec, NULL, NULL, &err);
    free(val);
    vigil_video_bank_rule br = {"pytx", VIGIL_VRULE_PYTX, -1, -1};
    vigil_video_match_opts mq;
    vigil_video_match_opts_init(&mq);
    mq.max_distance = 0;
    mq.bank_rules = &br;
    mq.n_bank_rules = 1;
    vigil_video_matcher *m = NULL;
    vigil_video_match_result res1, res2;
    memset(&res1, 0, sizeof res1);
    memset(&res2, 0, sizeof res2);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_open(st, &mq, &m, &err);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_query(m, &dense, &res1, &err);
    vigil_video_matcher_free(m);
    m = NULL;
    mq.phase_robust = 1;
    if (rc == VIGIL_OK) rc = vigil_video_matcher_open(st, &mq, &m, &err);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_query(m, &dense, &res2, &err);
    int agree = rc == VIGIL_OK && res1.n == 0 && res2.n == 1 && res2.matches[0].rule == VIGIL_VRULE_PYTX &&
                res2.matches[0].query_share == y.query_share && res2.matches[0].bank_share == y.bank_share &&
                res2.matches[0].query_share_time == y.query_share_time;
    vigil_video_match_result_clear(&res1);
    vigil_video_match_result_clear(&res2);
    vigil_video_matcher_free(m);
    vigil_store_close(st);
    vigil_video_hash_clear(&bank);
    vigil_video_hash_clear(&dense);
    CHECK_OK(rc, &err);
    CHECK(!plain);
    CHECK(robust);
    CHECK(ok);
    CHECK(dd);
    CHECK(agree);
    vigil_video_rule rr;
    CHECK(vigil_video_rule_parse("pytx", &rr, &err) == VIGIL_OK && rr == VIGIL_VRULE_PYTX);
    CHECK(vigil_video_rule_parse("fuzzy", &rr, &err) == VIGIL_EPARSE);
}

/* ---- TMK+PDQF ------------------------------------------------------------- */

static void t_tmk(void) {
    NEED_VIDEOS();
    vigil_tmk *a = NULL, *b = NULL, *c = NULL, *d = NULL;
    vigil_err err;
    CHECK_OK(vigil_tmk_hash_file(short_path, NULL, &a, &err), &err);
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *value = NULL;
    vigil_status rc = vigil_tmk_write(a, &bytes, &len, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_read(bytes, len, &b, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(bytes, len, &value, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_value_parse(value, &c, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_hash_file(other_path, NULL, &d, &err);
    /* 12 s at 10 frames/s, resampled to 15: 180 frames, give or take the ends */
    int shape = rc == VIGIL_OK && len == VIGIL_TMK_FILE_BYTES && memcmp(bytes, "TMK1FVECPDQF", 12) == 0 &&
                a->frame_count >= 170 && a->frame_count <= 182 && memcmp(a, b, sizeof *a) == 0 && memcmp(a, c, sizeof *a) == 0;
    float s1 = 0, s2 = 0, o1 = 0, o2 = 0;
    int self = rc == VIGIL_OK && vigil_tmk_match(a, b, VIGIL_TMK_DEFAULT_LEVEL1, VIGIL_TMK_DEFAULT_LEVEL2, &s1, &s2);
    int other = rc == VIGIL_OK && vigil_tmk_match(a, d, VIGIL_TMK_DEFAULT_LEVEL1, VIGIL_TMK_DEFAULT_LEVEL2, &o1, &o2);
    printf("    self %.6f/%.6f, unrelated %.6f/%.6f\n", (double)s1, (double)s2, (double)o1, (double)o2);
    /* bad files: truncated, another magic, another coefficient, NaN */
    vigil_tmk *z = NULL;
    vigil_status trunc = bytes ? vigil_tmk_read(bytes, len - 1, &z, NULL) : VIGIL_OK;
    vigil_status empty = bytes ? vigil_tmk_read(bytes, 10, &z, NULL) : VIGIL_OK;
    vigil_status magic = VIGIL_OK, coef = VIGIL_OK, nan = VIGIL_OK, badv = VIGIL_OK;
    if (bytes) {
        bytes[5] = 'X';
        magic = vigil_tmk_read(bytes, len, &z, NULL);
        bytes[5] = 'V';
        bytes[48] ^= 0x40;
        coef = vigil_tmk_read(bytes, len, &z, NULL);
        bytes[48] ^= 0x40;
        memset(bytes + 200, 0xff, 4);
        vigil_err e2;
        nan = vigil_tmk_read(bytes, len, &z, &e2);
        if (nan != VIGIL_ECORRUPT) printf("    %s\n", e2.msg);
    }
    badv = vigil_tmk_value_parse("tmk:AAAA", &z, NULL);
    free(bytes);
    free(value);
    vigil_tmk_free(a);
    vigil_tmk_free(b);
    vigil_tmk_free(c);
    vigil_tmk_free(d);
    CHECK_OK(rc, &err);
    CHECK(shape);
    CHECK(self);
    CHECK(s1 > 0.9999f && s2 > 0.9999f);
    CHECK(!other);
    CHECK_INT(trunc, ==, VIGIL_ECORRUPT);
    CHECK_INT(empty, ==, VIGIL_EFORMAT);
    CHECK_INT(magic, ==, VIGIL_EFORMAT);
    CHECK_INT(coef, ==, VIGIL_EFORMAT);
    CHECK_INT(nan, ==, VIGIL_ECORRUPT);
    CHECK(badv != VIGIL_OK);
    CHECK(z == NULL);
}

/* vigil's signature of each test clip against upstream's .tmk of it
 * (../shared/fixtures/vpdq/tmk-sample-hashes, ffmpeg 4.1): >= 0.99 at both
 * levels.  Three clips by default; all with VIGIL_VPDQ_ALL=1. */
static void t_tmk_upstream(void) {
    const char *fx = test_fixtures_dir();
    if (!fx) SKIP("fixtures not found (../shared/fixtures or $VIGIL_FIXTURES)");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/vpdq/tmk-sample-hashes", fx);
    DIR *dh = opendir(dir);
    if (!dh) SKIP("vpdq/tmk-sample-hashes not in the fixtures");
    static const char *const some[] = {"doorknob-hd-no-bar", "pattern-sd-grey-bar", "chair-20-sd-bar"};
    const char *all = getenv("VIGIL_VPDQ_ALL");
    int every = all && strcmp(all, "1") == 0, clips = 0, low = 0;
    struct dirent *e;
    while ((e = readdir(dh)) != NULL) {
        size_t nl = strlen(e->d_name);
        if (nl < 5 || strcmp(e->d_name + nl - 4, ".tmk") != 0) continue;
        char name[256], vpath[1400], tpath[1400];
        snprintf(name, sizeof name, "%.*s", (int)(nl - 4), e->d_name);
        int pick = every;
        for (size_t i = 0; !pick && i < sizeof some / sizeof some[0]; i++) pick = strcmp(name, some[i]) == 0;
        snprintf(vpath, sizeof vpath, "%s/vpdq/videos/%s.mp4", fx, name);
        snprintf(tpath, sizeof tpath, "%s/%s", dir, e->d_name);
        FILE *probe = fopen(vpath, "rb");
        if (!probe) continue;
        fclose(probe);
        if (!pick) continue;
        uint8_t *data = NULL;
        size_t len = 0;
        vigil_tmk *up = NULL, *mine = NULL;
        vigil_err err;
        vigil_err_clear(&err);
        vigil_status rc = vigil_read_file(tpath, 0, &data, &len, &err);
        if (rc == VIGIL_OK) rc = vigil_tmk_read(data, len, &up, &err);
        free(data);
        if (rc == VIGIL_OK) rc = vigil_tmk_hash_file(vpath, NULL, &mine, &err);
        if (rc != VIGIL_OK) {
            vigil_tmk_free(up);
            closedir(dh);
            CHECK_OK(rc, &err);
        }
        float l1 = vigil_tmk_level1(mine, up), l2 = vigil_tmk_level2(mine, up);
        if (!(l1 >= 0.99f && l2 >= 0.99f) || mine->frame_count != up->frame_count) {
            fprintf(stderr, "  %s: %.6f,%.6f (%d frames, upstream %d)\n", name, (double)l1, (double)l2,
                    mine->frame_count, up->frame_count);
            low++;
        }
        clips++;
        vigil_tmk_free(up);
        vigil_tmk_free(mine);
    }
    closedir(dh);
    CHECK_INT(low, ==, 0);
    CHECK_INT(clips, >=, every ? 13 : 3);
}

/* POST /v1/hash's description of a video (vigil_video_hash_json). */
static void t_hash_json(void) {
    NEED_VIDEOS();
    uint8_t *data = NULL;
    size_t len = 0;
    vigil_err err;
    CHECK_OK(vigil_read_file(short_path, 0, &data, &len, &err), &err);
    char *a = NULL, *b = NULL, *c = NULL;
    vigil_status ra = vigil_video_hash_json(data, len, NULL, &a, &err);
    vigil_status rb = ra == VIGIL_OK ? vigil_video_hash_json(data, len, "vpdq", &b, &err) : ra;
    vigil_status rc = rb == VIGIL_OK ? vigil_video_hash_json(data, len, "tmk", &c, &err) : rb;
    vigil_status bad = vigil_video_hash_json(data, len, "md5", NULL, NULL);
    char *d = NULL;
    vigil_status notvid = vigil_video_hash_json("hello", 5, "vpdq", &d, &err);
    free(data);
#define STARTS(x, lit) (strncmp((x), (lit), sizeof(lit) - 1) == 0)
    int ok = rc == VIGIL_OK && STARTS(a, "{\"type\":\"video\",\"form\":\"vigil\",\"value\":\"vpdq1:") &&
             STARTS(b, "{\"type\":\"video\",\"form\":\"vpdq\",\"value\":\"vpdqr1:") && strstr(b, "\"pytx\":\"[\\\"") &&
             STARTS(c, "{\"type\":\"video\",\"form\":\"tmk\",\"tmk\":\"tmk:VE1LMUZWRUNQRFFG") &&
             strstr(c, "\"frame_count\":");
#undef STARTS
    if (!ok && a && b && c) printf("    %.80s\n    %.80s\n    %.80s\n", a, b, c);
    free(a);
    free(b);
    free(c);
    free(d);
    CHECK_OK(rc, &err);
    CHECK(ok);
    CHECK_INT(bad, ==, VIGIL_EINVAL);
    CHECK_INT(notvid, ==, VIGIL_EFORMAT);
}

/* POST /v1/match's video path (vigil_video_match_json): a value in any
 * form and a video body, against a bank holding both samplings. */
static void t_match_json(void) {
    NEED_VIDEOS();
    vigil_err err;
    int64_t a = 0, b = 0;
    vigil_store *st = video_store(&a, &b, &err);
    CHECK(st != NULL);
    uint8_t *data = NULL;
    size_t len = 0;
    char *j1 = NULL, *j2 = NULL, *j3 = NULL, *val = NULL;
    vigil_video_hash q;
    memset(&q, 0, sizeof q);
    vigil_status rc = vigil_read_file(excerpt_path, 0, &data, &len, &err);
    if (rc == VIGIL_OK) rc = vigil_video_match_json(st, NULL, data, len, NULL, NULL, 0, &j1, &err);
    if (rc == VIGIL_OK) rc = vigil_video_match_json(st, NULL, data, len, "vpdq", "pytx", 1, &j2, &err);
    if (rc == VIGIL_OK) rc = vigil_video_hash_file(excerpt_path, NULL, &q, &err);
    if (rc == VIGIL_OK) rc = vigil_video_format(&q, VIGIL_VFORM_PYTX, &val, &err);
    char *prefixed = val ? malloc(strlen(val) + 7) : NULL;
    if (prefixed) sprintf(prefixed, "video:%s", val);
    if (rc == VIGIL_OK && prefixed) rc = vigil_video_match_json(st, prefixed, NULL, 0, NULL, "readme", 0, &j3, &err);
    char *none = NULL;
    vigil_status badrule = vigil_video_match_json(st, NULL, data, len, NULL, "fuzzy", 0, &none, NULL);
    vigil_status badval = vigil_video_match_json(st, "video:[1]", NULL, 0, NULL, NULL, 0, &none, NULL);
    free(data);
    free(prefixed);
    vigil_video_hash_clear(&q);
    vigil_store_close(st);
    char want[64];
    snprintf(want, sizeof want, "\"entry_id\":%lld,", (long long)a);
    int ok = rc == VIGIL_OK && strstr(j1, want) && strstr(j1, "\"rule\":\"vigil\"") && strstr(j2, want) &&
             strstr(j2, "\"rule\":\"pytx\"") && strstr(j3, "\"hash\":\"video:[\\\"") &&
             strstr(j3, "\"matches\":[]"); /* the README's rule: a 20 s excerpt covers too little of the bank video */
    if (!ok && j1 && j2 && j3) printf("    %.200s\n    %.200s\n    %.200s\n", j1, j2, j3);
    free(j1);
    free(j2);
    free(j3);
    free(val);
    CHECK_OK(rc, &err);
    CHECK(ok);
    CHECK_INT(badrule, ==, VIGIL_EINVAL);
    CHECK_INT(badval, ==, VIGIL_EPARSE);
}

/* Signal type tmk in a bank, and the two-level matcher over it. */
static void t_tmk_bank(void) {
    NEED_VIDEOS();
    vigil_err err;
    vigil_store *st = NULL;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_tmk *a = NULL, *b = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    char *va = NULL, *vb = NULL;
    int64_t ida = 0, idb = 0;
    vigil_status rc = vigil_bank_create(st, "gifct", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_hash_file(short_path, NULL, &a, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_hash_file(other_path, NULL, &b, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_write(a, &bytes, &len, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(bytes, len, &va, &err);
    free(bytes);
    bytes = NULL;
    if (rc == VIGIL_OK) rc = vigil_tmk_write(b, &bytes, &len, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(bytes, len, &vb, &err);
    free(bytes);
    vigil_entry_spec sa = {VIGIL_SIGNAL_TMK, va, "entity=a", NULL}, sb = {VIGIL_SIGNAL_TMK, vb, "entity=b", NULL};
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "gifct", &sa, &ida, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "gifct", &sb, &idb, NULL, &err);
    /* a bad value is refused, nothing added */
    vigil_entry_spec bad = {VIGIL_SIGNAL_TMK, "tmk:AAAA", NULL, NULL};
    vigil_status refused = vigil_bank_add(st, "gifct", &bad, NULL, NULL, NULL);
    vigil_tmk_matcher *m = NULL;
    vigil_tmk_match_result r;
    memset(&r, 0, sizeof r);
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_open(st, NULL, 0, &m, &err);
    size_t videos = vigil_tmk_matcher_videos(m);
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_query(m, a, VIGIL_TMK_DEFAULT_LEVEL1, VIGIL_TMK_DEFAULT_LEVEL2, &r, &err);
    int ok = rc == VIGIL_OK && videos == 2 && r.n == 1 && r.matches[0].entry_id == ida && r.matches[0].level2 > 0.9999f &&
             strcmp(r.matches[0].labels, "entity=a") == 0 && r.candidates == 1;
    if (!ok)
        printf("    tmk bank: %s (videos %zu, matches %zu)\n", rc == VIGIL_OK ? "no error" : err.msg,
               videos, (size_t)r.n);
    vigil_tmk_match_result_clear(&r);
    vigil_tmk_matcher_free(m);
    /* POST /v1/match's form */
    char *js = NULL, want[48];
    snprintf(want, sizeof want, "\"entry_id\":%lld,", (long long)ida);
    if (rc == VIGIL_OK) rc = vigil_tmk_match_json(st, va, NULL, 0, &js, &err);
    int json_ok = rc == VIGIL_OK && strstr(js, "{\"hash\":\"tmk:VE1LMUZWRUNQRFFG") && strstr(js, want) &&
                  strstr(js, "\"signal\":\"tmk\"") && strstr(js, "\"candidates\":1,");
    free(js);
    vigil_status badjs = vigil_tmk_match_json(st, "tmk:AAAA", NULL, 0, &js, NULL);
    vigil_tmk_free(a);
    vigil_tmk_free(b);
    free(va);
    free(vb);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK(ok);
    CHECK(json_ok);
    CHECK(badjs != VIGIL_OK);
    CHECK(refused != VIGIL_OK);
    vigil_signal sig;
    CHECK(vigil_signal_parse("tmk", &sig, NULL) == VIGIL_OK && sig == VIGIL_SIGNAL_TMK);
}

/* ---- tmk entries kept as bytes (no videos needed) ---------------------- */

#define AVG_BYTE_FOR_TEST (32 + 16 + 128) /* the first float of the average in a .tmk */

/* A synthetic .tmk (deterministic values from `seed`) in *bytes and its
 * value in *value. */
static vigil_status synth_tmk(unsigned seed, uint8_t **bytes, size_t *len, char **value, vigil_err *err) {
    vigil_tmk *t = NULL;
    vigil_status rc = vigil__tmk_new(&t, err);
    if (rc != VIGIL_OK) return rc;
    unsigned x = seed * 2654435761u + 1;
    t->frame_count = 100 + (int)seed;
    for (int k = 0; k < VIGIL_TMK_DIM; k++) {
        x = x * 1103515245u + 12345u;
        t->avg[k] = (float)((x >> 8) % 2001) / 10.0f - 100.0f;
    }
    for (int i = 0; i < VIGIL_TMK_PERIODS; i++)
        for (int j = 0; j < VIGIL_TMK_COEFFS; j++)
            for (int k = 0; k < VIGIL_TMK_DIM; k++) {
                x = x * 1103515245u + 12345u;
                t->cos_f[i][j][k] = (float)((x >> 8) % 2001) / 100000.0f - 0.01f;
                t->sin_f[i][j][k] = (float)((x >> 9) % 2001) / 100000.0f - 0.01f;
            }
    vigil__tmk_finish(t); /* normalised and weighted as a hashed video's */
    rc = vigil_tmk_write(t, bytes, len, err);
    if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(*bytes, *len, value, err);
    vigil_tmk_free(t);
    return rc;
}

static char *export_text(vigil_store *st, const char *bank) {
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f) return NULL;
    vigil_status rc = vigil_bank_export(st, bank, f, NULL, NULL);
    fclose(f);
    if (rc != VIGIL_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static vigil_status import_text(vigil_store *st, const char *bank, const char *csv, vigil_import_report *r) {
    FILE *f = fmemopen((void *)csv, strlen(csv), "r");
    if (!f) return VIGIL_EIO;
    vigil_import_opts o;
    vigil_import_opts_init(&o);
    memset(r, 0, sizeof *r);
    vigil_status rc = vigil_bank_import(st, bank, f, &o, r, NULL);
    fclose(f);
    return rc;
}

/* Whether entry `id`'s bytes are bytes[0..len). */
static int entry_bytes_are(vigil_store *st, int64_t id, const uint8_t *bytes, size_t len) {
    uint8_t *got = NULL;
    size_t n = 0;
    int same = vigil_bank_entry_bytes(st, id, &got, &n, NULL) == VIGIL_OK && n == len && memcmp(got, bytes, n) == 0;
    free(got);
    return same;
}

/* A tmk entry is kept once, as bytes (bank_entry_blob: a 1,200-byte head
 * and the rest), its key in bank_entry.value and the audit; every way out
 * (entry get, export, the bytes, a re-import) gives the .tmk bit for bit;
 * duplicates, updates, removals and bank deletes keep the blobs in step. */
static void t_tmk_store_compact(void) {
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = NULL;
    CHECK_OK(vigil_store_open(":memory:", &st, &err), &err);
    uint8_t *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    char *va = NULL, *vb = NULL, *csv = NULL, *csv2 = NULL;
    int64_t ida = 0, idb = 0, idd = 0, vlen = 0, blobs = 0, heads = 0, bodies = 0, audit_max = 0, left = -1, left2 = -1;
    int dup = 0, got_same = 0, csv_full = 0, rt_same = 0, upd_same = 0, matched = 0;
    vigil_put_outcome how = VIGIL_PUT_ADDED;
    vigil_import_report r;
    memset(&r, 0, sizeof r);
    vigil_status rc = synth_tmk(1, &ba, &la, &va, &err);
    if (rc == VIGIL_OK) rc = synth_tmk(2, &bb, &lb, &vb, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_create(st, "gifct", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_create(st, "copy", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    vigil_entry_spec sa = {VIGIL_SIGNAL_TMK, va, "entity=a", NULL}, sb = {VIGIL_SIGNAL_TMK, vb, "", "x-1"};
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "gifct", &sa, &ida, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "gifct", &sb, &idb, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "gifct", &sa, &idd, &dup, &err);
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT max(length(value)) FROM bank_entry", &vlen, &err, "");
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT count(*) FROM bank_entry_blob", &blobs, &err, "");
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT max(length(head)) FROM bank_entry_blob", &heads, &err, "");
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT max(length(body)) FROM bank_entry_blob", &bodies, &err, "");
    if (rc == VIGIL_OK)
        rc = vigil__q_int(st, "SELECT max(length(coalesce(after, ''))) FROM audit", &audit_max, &err, "");
    vigil_entry e;
    memset(&e, 0, sizeof e);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_get(st, ida, &e, &err);
    got_same = rc == VIGIL_OK && strcmp(e.value, va) == 0 && strcmp(e.labels, "entity=a") == 0;
    vigil_entry_clear(&e);
    int bytes_a = entry_bytes_are(st, ida, ba, la), bytes_b = entry_bytes_are(st, idb, bb, lb);
    /* the export holds the values themselves; a re-import gives the same bytes */
    if (rc == VIGIL_OK) csv = export_text(st, "gifct");
    csv_full = csv && strstr(csv, va) && strstr(csv, vb) && !strstr(csv, "sha256");
    if (rc == VIGIL_OK && csv) rc = import_text(st, "copy", csv, &r);
    if (rc == VIGIL_OK) csv2 = export_text(st, "copy");
    rt_same = csv2 && strstr(csv2, va) && strstr(csv2, vb) && r.imported == 2;
    /* the matcher loads the heads and finds entry a */
    vigil_tmk *qa = NULL;
    vigil_tmk_matcher *m = NULL;
    vigil_tmk_match_result mr;
    memset(&mr, 0, sizeof mr);
    if (rc == VIGIL_OK) rc = vigil_tmk_read(ba, la, &qa, &err);
    const char *only[] = {"gifct"};
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_open(st, only, 1, &m, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_query(m, qa, 0.7f, 0.7f, &mr, &err);
    matched = rc == VIGIL_OK && vigil_tmk_matcher_videos(m) == 2 && mr.n == 1 && mr.matches[0].entry_id == ida;
    vigil_tmk_match_result_clear(&mr);
    vigil_tmk_matcher_free(m);
    vigil_tmk_free(qa);
    /* x-1 corrected to a's signature: its blob follows */
    vigil_entry_spec su = {VIGIL_SIGNAL_TMK, va, "", "x-1"};
    if (rc == VIGIL_OK) rc = vigil_bank_put(st, "gifct", &su, NULL, &how, &err);
    upd_same = how == VIGIL_PUT_UPDATED && entry_bytes_are(st, idb, ba, la);
    /* removal and bank delete take the blobs with them */
    if (rc == VIGIL_OK) rc = vigil_bank_remove(st, "gifct", ida, &err);
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT count(*) FROM bank_entry_blob", &left, &err, "");
    if (rc == VIGIL_OK) rc = vigil_bank_delete(st, "copy", NULL, &err);
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT count(*) FROM bank_entry_blob", &left2, &err, "");
    /* a text type has no bytes; an unknown entry is named */
    uint8_t *none = NULL;
    size_t nn = 0;
    vigil_status no_entry = vigil_bank_entry_bytes(st, 999, &none, &nn, NULL);
    vigil_store_close(st);
    free(ba);
    free(bb);
    free(va);
    free(vb);
    free(csv);
    free(csv2);
    CHECK_OK(rc, &err);
    CHECK_INT(la, ==, VIGIL_TMK_FILE_BYTES);
    CHECK(!dup || idd == ida);
    CHECK(dup);
    CHECK_INT(vlen, ==, VIGIL__VALUE_KEY_LEN - 1);
    CHECK_INT(blobs, ==, 2);
    CHECK_INT(heads, ==, VIGIL_TMK_HEAD_BYTES);
    CHECK_INT(bodies, ==, VIGIL_TMK_FILE_BYTES - VIGIL_TMK_HEAD_BYTES);
    CHECK_INT(audit_max, <, 1000);
    CHECK(got_same);
    CHECK(bytes_a);
    CHECK(bytes_b);
    CHECK(csv_full);
    CHECK(rt_same);
    CHECK(matched);
    CHECK(upd_same);
    CHECK_INT(left, ==, 3);
    CHECK_INT(left2, ==, 1);
    CHECK_INT(no_entry, ==, VIGIL_ENOENT);
}

/* The head reader (what the TMK matcher loads): the average of the first
 * VIGIL_TMK_HEAD_BYTES, as the full reader reads it; a shorter head or a
 * bad one is refused with its reason. */
static void t_tmk_head(void) {
    vigil_err err;
    vigil_err_clear(&err);
    uint8_t *b = NULL;
    size_t len = 0;
    char *v = NULL;
    vigil_tmk *t = NULL;
    float avg[VIGIL_TMK_DIM];
    int frames = 0;
    vigil_status rc = synth_tmk(7, &b, &len, &v, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_read(b, len, &t, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_read_head(b, VIGIL_TMK_HEAD_BYTES, avg, &frames, &err);
    int same = rc == VIGIL_OK && memcmp(avg, t->avg, sizeof avg) == 0 && frames == t->frame_count;
    vigil_err e1, e2;
    vigil_err_clear(&e1);
    vigil_err_clear(&e2);
    vigil_status shortr = b ? vigil_tmk_read_head(b, VIGIL_TMK_HEAD_BYTES - 1, avg, NULL, &e1) : VIGIL_OK;
    vigil_status fullr = VIGIL_OK;
    vigil_tmk *z = NULL;
    if (b) fullr = vigil_tmk_read(b, VIGIL_TMK_HEAD_BYTES, &z, NULL);
    if (b) b[AVG_BYTE_FOR_TEST] = 0xff, b[AVG_BYTE_FOR_TEST + 1] = 0xff, b[AVG_BYTE_FOR_TEST + 2] = 0xff,
           b[AVG_BYTE_FOR_TEST + 3] = 0x7f; /* a NaN in the average */
    vigil_status nan = b ? vigil_tmk_read_head(b, VIGIL_TMK_HEAD_BYTES, avg, NULL, &e2) : VIGIL_OK;
    vigil_tmk_free(t);
    vigil_tmk_free(z);
    free(b);
    free(v);
    CHECK_OK(rc, &err);
    CHECK(same);
    CHECK_INT(shortr, ==, VIGIL_ECORRUPT);
    CHECK(strstr(e1.msg, "truncated") != NULL);
    CHECK_INT(fullr, ==, VIGIL_ECORRUPT);
    CHECK_INT(nan, ==, VIGIL_ECORRUPT);
    CHECK(strstr(e2.msg, "not a finite number") != NULL);
}

/* A store at the schema before bank_entry_blob, holding a tmk entry as that
 * code wrote it (the value itself in bank_entry.value), migrates: the entry
 * reads, exports, gives its bytes and matches as before; the same value
 * added again is a duplicate; new entries are kept as bytes. */
static void t_tmk_store_migrate(void) {
    char path[600];
    snprintf(path, sizeof path, "%s/tmk-prev.db", test_tmpdir());
    remove(path);
    vigil_err err;
    vigil_err_clear(&err);
    uint8_t *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    char *va = NULL, *vb = NULL, *csv = NULL;
    vigil_store *st = NULL;
    int prev = 4; /* the last schema version before bank_entry_blob (step 5) */
    vigil_status rc = synth_tmk(3, &ba, &la, &va, &err);
    if (rc == VIGIL_OK) rc = synth_tmk(4, &bb, &lb, &vb, &err);
    if (rc == VIGIL_OK) rc = vigil__store_open_at(path, prev, &st, &err);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "INSERT INTO bank (id, name, kind, enabled, description, created_at) "
                           "VALUES (1, 'old', 'normal', 1, '', '2026-01-01T00:00:00Z')",
                           NULL, &err, "");
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "INSERT INTO bank_entry (id, bank_id, signal_type, enabled, value, added_at, labels) "
                           "VALUES (4, 1, 'tmk', 1, ?1, '2026-01-01T00:00:01Z', 'entity=old')",
                           NULL, &err, "t", va);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "INSERT INTO id_counter (name, last_id) VALUES ('bank_entry', 4)", NULL, &err, "");
    vigil_store_close(st);
    st = NULL;
    int version = 0, got_same = 0, dup = 0, matched = 0;
    int64_t idd = 0, idn = 0, blobs = -1;
    if (rc == VIGIL_OK) rc = vigil_store_open(path, &st, &err);
    if (rc == VIGIL_OK) version = vigil_store_schema_version(st);
    vigil_entry e;
    memset(&e, 0, sizeof e);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_get(st, 4, &e, &err);
    got_same = rc == VIGIL_OK && strcmp(e.value, va) == 0 && strcmp(e.labels, "entity=old") == 0;
    vigil_entry_clear(&e);
    int bytes_old = st && entry_bytes_are(st, 4, ba, la);
    if (rc == VIGIL_OK) csv = export_text(st, "old");
    int csv_ok = csv && strstr(csv, va) != NULL;
    vigil_entry_spec again = {VIGIL_SIGNAL_TMK, va, "", NULL}, fresh = {VIGIL_SIGNAL_TMK, vb, "", NULL};
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "old", &again, &idd, &dup, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "old", &fresh, &idn, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT count(*) FROM bank_entry_blob", &blobs, &err, "");
    int bytes_new = st && entry_bytes_are(st, idn, bb, lb);
    vigil_tmk *qa = NULL;
    vigil_tmk_matcher *m = NULL;
    vigil_tmk_match_result mr;
    memset(&mr, 0, sizeof mr);
    if (rc == VIGIL_OK) rc = vigil_tmk_read(ba, la, &qa, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_open(st, NULL, 0, &m, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_matcher_query(m, qa, 0.7f, 0.7f, &mr, &err);
    matched = rc == VIGIL_OK && vigil_tmk_matcher_videos(m) == 2 && mr.n == 1 && mr.matches[0].entry_id == 4;
    vigil_tmk_match_result_clear(&mr);
    vigil_tmk_matcher_free(m);
    vigil_tmk_free(qa);
    vigil_store_close(st);
    remove(path);
    free(ba);
    free(bb);
    free(va);
    free(vb);
    free(csv);
    CHECK_OK(rc, &err);
    CHECK_INT(version, ==, vigil_store_schema_latest());
    CHECK(got_same);
    CHECK(bytes_old);
    CHECK(csv_ok);
    CHECK(dup);
    CHECK_INT(idd, ==, 4);
    CHECK_INT(blobs, ==, 1);
    CHECK(bytes_new);
    CHECK(matched);
}

/* Replays fuzz/regress-video/: inputs the video fuzzer found interesting.
 * Each must hash or fail with a message; never crash. */
static void t_fuzz_regressions(void) {
    DIR *dir = opendir("fuzz/regress-video");
    if (!dir) SKIP("fuzz/regress-video not found (run from the repository root)");
    int n = 0, silent = 0;
    struct dirent *e;
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.limits.max_pixels = 1000000;
    o.max_samples = 1000;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "fuzz/regress-video/%s", e->d_name);
        uint8_t *data = NULL;
        size_t len = 0;
        if (vigil_read_file(path, 0, &data, &len, NULL) != VIGIL_OK) continue;
        vigil_video_hash v;
        vigil_err err;
        vigil_err_clear(&err);
        vigil_status st = vigil_video_hash_bytes(data, len, &o, &v, &err);
        if (st != VIGIL_OK && err.msg[0] == '\0') silent++;
        for (size_t i = 0; st == VIGIL_OK && i < v.n; i++)
            if (v.frames[i].quality < 0 || v.frames[i].quality > 100) silent++;
        vigil_video_hash_clear(&v);
        /* the value parsers and the .tmk reader, on the same bytes */
        char *text = malloc(len + 1);
        if (text) {
            memcpy(text, data, len);
            text[len] = '\0';
            vigil_err_clear(&err);
            if (vigil_video_parse(text, &v, &err) != VIGIL_OK && err.msg[0] == '\0') silent++;
            vigil_video_hash_clear(&v);
            free(text);
        }
        vigil_tmk *t = NULL;
        vigil_err_clear(&err);
        if (vigil_tmk_read(data, len, &t, &err) != VIGIL_OK && err.msg[0] == '\0') silent++;
        vigil_tmk_free(t);
        float avg[VIGIL_TMK_DIM];
        vigil_err_clear(&err);
        if (vigil_tmk_read_head(data, len, avg, NULL, &err) != VIGIL_OK && err.msg[0] == '\0') silent++;
        text = malloc(len + 1);
        if (text) { /* the "tmk:" text form */
            memcpy(text, data, len);
            text[len] = '\0';
            t = NULL;
            vigil_err_clear(&err);
            if (vigil_tmk_value_parse(text, &t, &err) != VIGIL_OK && err.msg[0] == '\0') silent++;
            vigil_tmk_free(t);
            free(text);
        }
        free(data);
        n++;
    }
    closedir(dir);
    CHECK_INT(silent, ==, 0);
    CHECK_INT(n, >, 3);
}

const test_case suite_video[] = {
    {"video/serialise", t_serialise},
    {"video/sampling", t_sampling},
    {"video/collapse", t_collapse},
    {"video/bytes_and_sniff", t_bytes_and_sniff},
    {"video/match", t_match},
    {"video/bad_inputs", t_bad_inputs},
    {"video/fuzz_regressions", t_fuzz_regressions},
    {"video/reference_mode", t_reference_mode},
    {"video/reference_upstream", t_reference_upstream},
    {"video/forms", t_forms},
    {"video/forms_bank", t_forms_bank},
    {"video/rules", t_rules},
    {"video/tmk", t_tmk},
    {"video/tmk_upstream", t_tmk_upstream},
    {"video/hash_json", t_hash_json},
    {"video/match_json", t_match_json},
    {"video/tmk_bank", t_tmk_bank},
    {"video/tmk_store_compact", t_tmk_store_compact},
    {"video/tmk_store_migrate", t_tmk_store_migrate},
    {"video/tmk_head", t_tmk_head},
    {NULL, NULL},
};
