/*
 * bench/bench_video.c - video matching and video hashing, with their
 * baselines measured in the same run.
 *
 * Matching: a bank of N videos (default 1,000), each 5 minutes at 1 frame/s
 * (300 frame hashes: synthetic scenes of 2-10 s whose frames drift a few
 * bits a second), stored as vpdq1 values in an in-memory store and loaded
 * by the video matcher (one PDQ index over all frames).  Queries: 20-second
 * excerpts of bank videos with every frame 0-16 bits off (re-encoding
 * noise), and unrelated 20-second videos.  Reports the load time, queries/s,
 * two brute-force baselines on the same queries - a flat POPCNT scan of
 * every bank frame for every query frame, and vPDQ's own per-video
 * comparison (vigil_video_compare) - the recall of the matcher against the
 * first, and whether each excerpt found its source.
 *
 * Hashing: generated videos (640x360 H.264 and MPEG-4 part 2, 1280x720
 * H.264, 30 frames/s) decoded alone - the ceiling - and hashed at 1 frame/s
 * (decode included), in frames/s, best of 3 runs, on one decoder thread and
 * on libavcodec's choice.
 *
 * With the ffmpeg command installed, its decoding alone is timed too.
 * Usage: bench-video [--videos N] [--queries N] [--brute N] [--no-hash] [--no-match]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"
#include "vidgen.h"
#include "video/video_internal.h"
#include "vigil/match.h"
#include "vigil/video.h"

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}

static void random_hash(vigil_pdq *h) {
    for (int i = 0; i < 32; i += 8) {
        uint64_t r = rnd();
        memcpy(h->bytes + i, &r, 8);
    }
}

static void flip_bits(vigil_pdq *h, int n) {
    for (int i = 0; i < n; i++) {
        unsigned b = (unsigned)(rnd() % 256);
        h->bytes[b / 8] ^= (uint8_t)(1u << (b % 8));
    }
}

/* A synthetic video of `seconds` frames at 1 frame/s. */
static void synth_video(vigil_video_hash *v, int seconds) {
    memset(v, 0, sizeof *v);
    v->frames = calloc((size_t)seconds, sizeof *v->frames);
    v->n = (size_t)seconds;
    v->fps_milli = 1000;
    vigil_pdq cur;
    int left = 0;
    for (int i = 0; i < seconds; i++) {
        if (left-- <= 0) {
            random_hash(&cur);
            left = 2 + (int)(rnd() % 9) - 1;
        } else {
            flip_bits(&cur, 6);
        }
        v->frames[i] = (vigil_video_frame){(uint32_t)i * 1000, 1000, 60 + (int)(rnd() % 41), cur, -1, (double)i};
    }
}

/* Frames [start, start+len) of b, each 0..16 bits off, times from 0. */
static void excerpt(const vigil_video_hash *b, int start, int len, vigil_video_hash *q) {
    memset(q, 0, sizeof *q);
    q->frames = calloc((size_t)len, sizeof *q->frames);
    q->n = (size_t)len;
    q->fps_milli = 1000;
    for (int i = 0; i < len; i++) {
        q->frames[i] = b->frames[start + i];
        q->frames[i].start_ms = (uint32_t)i * 1000;
        flip_bits(&q->frames[i].pdq, (int)(rnd() % 17));
    }
}

/* The strongest brute force: one flat array of every bank frame, scanned
 * with POPCNT for each query frame; shares per video from the hits.  (All
 * synthetic frames are above the quality floor, so it does not check it.) */
typedef struct flat {
    uint64_t *h; /* 4 words per frame */
    uint32_t *video, *dur;
    double *total;
    size_t nf;
} flat;

__attribute__((target("popcnt"))) static void brute_flat(const flat *f, int nv, const vigil_video_hash *q, int maxd,
                                                         uint8_t *bhit, int *lastq, double *qm, double *bm) {
    double qtotal = 0;
    memset(bhit, 0, f->nf);
    for (int v = 0; v < nv; v++) {
        lastq[v] = -1;
        qm[v] = bm[v] = 0;
    }
    for (size_t i = 0; i < q->n; i++) {
        uint64_t w[4];
        memcpy(w, q->frames[i].pdq.bytes, 32);
        qtotal += q->frames[i].duration_ms;
        for (size_t j = 0; j < f->nf; j++) {
            const uint64_t *h = f->h + 4 * j;
            int d = __builtin_popcountll(h[0] ^ w[0]) + __builtin_popcountll(h[1] ^ w[1]) +
                    __builtin_popcountll(h[2] ^ w[2]) + __builtin_popcountll(h[3] ^ w[3]);
            if (d > maxd) continue;
            bhit[j] = 1;
            uint32_t v = f->video[j];
            if (lastq[v] != (int)i) {
                lastq[v] = (int)i;
                qm[v] += q->frames[i].duration_ms;
            }
        }
    }
    for (size_t j = 0; j < f->nf; j++)
        if (bhit[j]) bm[f->video[j]] += f->dur[j];
    for (int v = 0; v < nv; v++) {
        qm[v] = qtotal > 0 ? 100.0 * qm[v] / qtotal : 0;
        bm[v] = f->total[v] > 0 ? 100.0 * bm[v] / f->total[v] : 0;
    }
}

static int decide(double qs, double bs) {
    return qs >= VIGIL_VIDEO_DEFAULT_SHARE || bs >= VIGIL_VIDEO_DEFAULT_SHARE;
}

static int bench_match(int nv, int nq, int nbrute) {
    printf("== matching: %d bank videos x 300 frames (5 min at 1 frame/s), %d queries of 20 s\n", nv, nq);
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(":memory:", &st, &err) != VIGIL_OK ||
        vigil_bank_create(st, "videos", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err) != VIGIL_OK) {
        fprintf(stderr, "bench-video: %s\n", err.msg);
        return 1;
    }
    vigil_video_hash *bank = calloc((size_t)nv, sizeof *bank);
    int64_t *ids = calloc((size_t)nv, sizeof *ids);
    double t0 = bench_now();
    for (int i = 0; i < nv; i++) {
        synth_video(&bank[i], 300);
        char *val = NULL;
        vigil_entry_spec spec = {VIGIL_SIGNAL_VIDEO, NULL, NULL, NULL};
        if (vigil_video_serialize(&bank[i], &val, &err) != VIGIL_OK) return 1;
        spec.value = val;
        if (vigil_bank_add(st, "videos", &spec, &ids[i], NULL, &err) != VIGIL_OK) {
            fprintf(stderr, "bench-video: %s\n", err.msg);
            return 1;
        }
        free(val);
    }
    printf("store: %d videos added in %.2f s\n", nv, bench_now() - t0);
    t0 = bench_now();
    vigil_video_matcher *m = NULL;
    if (vigil_video_matcher_open(st, NULL, &m, &err) != VIGIL_OK) {
        fprintf(stderr, "bench-video: %s\n", err.msg);
        return 1;
    }
    printf("matcher: %zu videos, %zu frame hashes loaded and indexed in %.2f s\n", vigil_video_matcher_videos(m),
           vigil_video_matcher_frames(m), bench_now() - t0);
    vigil_video_hash *qs = calloc((size_t)nq, sizeof *qs);
    int *src = calloc((size_t)nq, sizeof *src);
    for (int i = 0; i < nq; i++) {
        if (i % 2 == 0) {
            src[i] = (int)(rnd() % (uint64_t)nv);
            excerpt(&bank[src[i]], (int)(rnd() % 281), 20, &qs[i]);
        } else {
            src[i] = -1;
            synth_video(&qs[i], 20);
        }
    }
    /* the matcher */
    vigil_video_match_result *res = calloc((size_t)nq, sizeof *res);
    t0 = bench_now();
    for (int i = 0; i < nq; i++)
        if (vigil_video_matcher_query(m, &qs[i], &res[i], &err) != VIGIL_OK) {
            fprintf(stderr, "bench-video: %s\n", err.msg);
            return 1;
        }
    double t_idx = bench_now() - t0;
    int found = 0, excerpts = 0, false_pos = 0, unrelated = 0;
    for (int i = 0; i < nq; i++) {
        if (src[i] >= 0) {
            excerpts++;
            for (size_t k = 0; k < res[i].n; k++) found += res[i].matches[k].entry_id == ids[src[i]];
        } else {
            unrelated++;
            false_pos += res[i].n > 0;
        }
    }
    /* brute force 1: the flat POPCNT scan, on every query: the recall reference */
    flat f = {calloc((size_t)nv * 300 * 4, 8), calloc((size_t)nv * 300, 4), calloc((size_t)nv * 300, 4),
              calloc((size_t)nv, sizeof(double)), 0};
    for (int v = 0; v < nv; v++)
        for (size_t k = 0; k < bank[v].n; k++, f.nf++) {
            memcpy(f.h + 4 * f.nf, bank[v].frames[k].pdq.bytes, 32);
            f.video[f.nf] = (uint32_t)v;
            f.dur[f.nf] = bank[v].frames[k].duration_ms;
            f.total[v] += bank[v].frames[k].duration_ms;
        }
    uint8_t *bhit = malloc(f.nf);
    int *lastq = malloc((size_t)nv * sizeof *lastq);
    double *qm = malloc((size_t)nv * sizeof *qm), *bm = malloc((size_t)nv * sizeof *bm);
    long truth = 0, hit = 0, extra = 0, share_diff = 0;
    t0 = bench_now();
    for (int i = 0; i < nq; i++) {
        brute_flat(&f, nv, &qs[i], VIGIL_DEFAULT_MAX_DISTANCE, bhit, lastq, qm, bm);
        for (int v = 0; v < nv; v++) {
            int want = decide(qm[v], bm[v]), got = 0;
            for (size_t k = 0; k < res[i].n; k++) {
                if (res[i].matches[k].entry_id != ids[v]) continue;
                got = 1;
                double dq = res[i].matches[k].query_share - qm[v], db = res[i].matches[k].bank_share - bm[v];
                if (dq > 1e-9 || dq < -1e-9 || db > 1e-9 || db < -1e-9) share_diff++;
            }
            truth += want;
            hit += want && got;
            extra += got && !want;
        }
    }
    double t_flat = bench_now() - t0;
    /* brute force 2: vPDQ's own way, each query against each bank video
     * (vigil_video_compare), on the first nbrute queries */
    if (nbrute > nq) nbrute = nq;
    long disagree = 0;
    t0 = bench_now();
    for (int i = 0; i < nbrute; i++)
        for (int v = 0; v < nv; v++) {
            double q, b;
            vigil_video_compare(&qs[i], &bank[v], VIGIL_DEFAULT_MAX_DISTANCE, VIGIL_DEFAULT_QUALITY_FLOOR, &q, &b, NULL);
            int got = 0;
            for (size_t k = 0; k < res[i].n; k++) got |= res[i].matches[k].entry_id == ids[v];
            disagree += got != decide(q, b);
        }
    double t_pair = bench_now() - t0;
    double qps_idx = nq / t_idx, qps_flat = nq / t_flat, qps_pair = nbrute / t_pair;
    printf("index (vigil):                  %8.0f queries/s (%.2f ms/query, 1 thread)\n", qps_idx, 1000 * t_idx / nq);
    printf("brute force, flat POPCNT scan:  %8.1f queries/s (%.1f ms/query: every query frame vs all %zu bank "
           "frames)  -> index %.0fx faster\n", qps_flat, 1000 * t_flat / nq, f.nf, qps_idx / qps_flat);
    printf("brute force, per video (vPDQ):  %8.1f queries/s (%.1f ms/query, %d queries)  -> index %.0fx faster\n",
           qps_pair, 1000 * t_pair / nbrute, nbrute, qps_idx / qps_pair);
    printf("recall vs brute force: %.2f%% (%ld of %ld matching query/video pairs), extra matches %ld, shares "
           "differing %ld; per-video brute force disagreeing: %ld\n",
           truth ? 100.0 * hit / truth : 100.0, hit, truth, extra, share_diff, disagree);
    printf("excerpts finding their source: %d of %d (%.1f%%); unrelated queries with a match: %d of %d\n", found, excerpts,
           100.0 * found / excerpts, false_pos, unrelated);
    free(f.h);
    free(f.video);
    free(f.dur);
    free(f.total);
    free(bhit);
    free(lastq);
    free(qm);
    free(bm);
    for (int i = 0; i < nq; i++) {
        vigil_video_match_result_clear(&res[i]);
        vigil_video_hash_clear(&qs[i]);
    }
    for (int i = 0; i < nv; i++) vigil_video_hash_clear(&bank[i]);
    free(res);
    free(qs);
    free(src);
    free(bank);
    free(ids);
    vigil_video_matcher_free(m);
    vigil_store_close(st);
    return 0;
}

/* Seconds the ffmpeg command takes to decode the video stream of `path`
 * alone (best of 3), or -1 when it is not installed. */
static double ffmpeg_decode(const char *path, int threads) {
    static int have = -1;
    if (have < 0) have = system("command -v ffmpeg > /dev/null 2>&1") == 0;
    if (!have) return -1;
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "ffmpeg -nostdin -loglevel error -threads %d -i '%s' -map 0:v:0 -f null - 2>/dev/null",
             threads, path);
    double best = 1e9;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = bench_now();
        if (system(cmd) != 0) return -1;
        if (bench_now() - t0 < best) best = bench_now() - t0;
    }
    return best;
}

static int bench_hash_one(const char *path, const char *label) {
    for (int threads = 1; threads >= 0; threads--) {
        vigil_video_opts o;
        vigil_video_opts_init(&o);
        o.threads = threads;
        vigil_err err;
        uint64_t frames = 0;
        vigil_video_hash v;
        memset(&v, 0, sizeof v);
        double t_dec = 1e9, t_hash = 1e9;
        for (int rep = 0; rep < 3; rep++) { /* best of 3: the machine is shared */
            double t0 = bench_now();
            if (vigil__video_decode_only(path, &o, &frames, &err) != VIGIL_OK) {
                fprintf(stderr, "bench-video: %s\n", err.msg);
                return 1;
            }
            if (bench_now() - t0 < t_dec) t_dec = bench_now() - t0;
            vigil_video_hash_clear(&v);
            t0 = bench_now();
            if (vigil_video_hash_file(path, &o, &v, &err) != VIGIL_OK) {
                fprintf(stderr, "bench-video: %s\n", err.msg);
                return 1;
            }
            if (bench_now() - t0 < t_hash) t_hash = bench_now() - t0;
        }
        double t_ff = ffmpeg_decode(path, threads);
        char ff[64] = "ffmpeg not installed";
        if (t_ff > 0) snprintf(ff, sizeof ff, "ffmpeg decode alone %5.0f frames/s", frames / t_ff);
        printf("%-36s threads=%-4s | %s | decode alone (in process) %5.0f frames/s | hash at 1 frame/s %5.0f "
               "frames/s (%zu samples, %.0fx real time) = %.0f%% of in-process decode%s",
               label, threads ? "1" : "auto", ff, frames / t_dec, v.decoded / t_hash, v.sampled, v.duration / t_hash,
               100.0 * t_dec / t_hash, t_ff > 0 ? "" : "\n");
        if (t_ff > 0) printf(", %.0f%% of ffmpeg\n", 100.0 * t_ff / t_hash);
        vigil_video_hash_clear(&v);
    }
    return 0;
}

static int bench_hash(void) {
    printf("== hashing (best of 3 runs each): generated videos at 30 frames/s\n");
    char dir[] = "/tmp/vigil-bench-video-XXXXXX";
    if (!mkdtemp(dir)) return 1;
    char p264[256], pm4[256], p720[256];
    snprintf(p264, sizeof p264, "%s/h264.mkv", dir);
    snprintf(pm4, sizeof pm4, "%s/mpeg4.mp4", dir);
    snprintf(p720, sizeof p720, "%s/h264-720.mkv", dir);
    vidgen_spec s = {.width = 640, .height = 360, .fps = 30, .seconds = 60, .seed = 5, .bitrate = 1500000,
                     .codec = "libx264", .format = "matroska"};
    double t0 = bench_now();
    int rc = vidgen_write(p264, &s);
    s.codec = "mpeg4";
    s.format = "mp4";
    rc = rc || vidgen_write(pm4, &s);
    vidgen_spec s720 = {.width = 1280, .height = 720, .fps = 30, .seconds = 20, .seed = 6, .bitrate = 4000000,
                        .codec = "libx264", .format = "matroska"};
    rc = rc || vidgen_write(p720, &s720);
    printf("(generated in %.1f s)\n", bench_now() - t0);
    if (!rc)
        rc = bench_hash_one(p264, "640x360 60 s H.264 (x264 ultrafast)") || bench_hash_one(pm4, "640x360 60 s MPEG-4 part 2") ||
             bench_hash_one(p720, "1280x720 20 s H.264 (x264 ultrafast)");
    printf("(ffmpeg: `ffmpeg -threads N -i FILE -map 0:v:0 -f null -`, process start included; without it the\n"
           " ceiling is the in-process decode, the same libavcodec decoder through vigil's demuxing)\n");
    remove(p264);
    remove(pm4);
    remove(p720);
    rmdir(dir);
    return rc;
}

int main(int argc, char **argv) {
    int nv = 1000, nq = 1000, nbrute = 200, hash = 1, match = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--videos") == 0 && i + 1 < argc) nv = atoi(argv[++i]);
        else if (strcmp(argv[i], "--queries") == 0 && i + 1 < argc) nq = atoi(argv[++i]);
        else if (strcmp(argv[i], "--brute") == 0 && i + 1 < argc) nbrute = atoi(argv[++i]);
        else if (strcmp(argv[i], "--no-hash") == 0) hash = 0;
        else if (strcmp(argv[i], "--no-match") == 0) match = 0;
        else {
            fprintf(stderr, "usage: bench-video [--videos N] [--queries N] [--brute N] [--no-hash] [--no-match]\n");
            return 2;
        }
    }
    if (nv < 1 || nq < 2 || nbrute < 1) return 2;
    int rc = match ? bench_match(nv, nq, nbrute) : 0;
    if (!rc && hash) rc = bench_hash();
    return rc;
}
