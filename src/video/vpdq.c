/*
 * src/video/vpdq.c - the "vpdq1:" and "vpdqr1:" serialisations of a video
 * hash (the bank value of signal type video), their strict parsers, and the
 * brute-force comparison of two video hashes that the matcher is checked
 * against.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "video/video_internal.h"
#include "vigil/video.h"

#define HEAD_BYTES 8u
#define FRAME_BYTES 41u
#define PREFIX_LEN 6u  /* vpdq1: */
#define PREFIXR_LEN 7u /* vpdqr1: */
#define HEAD2_BYTES 16u
#define FRAME2_BYTES 45u

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t vigil__base64_encode(const uint8_t *in, size_t n, char *out) {
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = b64[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = '=';
        out[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = b64[v >> 18];
        out[o++] = b64[(v >> 12) & 63];
        out[o++] = b64[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return o;
}

static int b64_val(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

size_t vigil__base64_decode(const char *in, size_t n, uint8_t *out, size_t *bad) {
    size_t o = 0;
    if (n % 4) {
        *bad = n;
        return (size_t)-1;
    }
    for (size_t i = 0; i < n; i += 4) {
        int v[4];
        int pad = 0;
        for (int k = 0; k < 4; k++) {
            char c = in[i + (size_t)k];
            if (c == '=' && i + 4 == n && k >= 2 && (k == 3 || in[i + 3] == '=')) {
                v[k] = 0;
                pad++;
                continue;
            }
            v[k] = b64_val(c);
            if (v[k] < 0 || pad) {
                *bad = i + (size_t)k;
                return (size_t)-1;
            }
        }
        uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 | (uint32_t)v[3];
        /* canonical: the bits the padding drops must be zero */
        if ((pad == 1 && (w & 0xff)) || (pad == 2 && (w & 0xffff))) {
            *bad = i + 4 - (size_t)pad - 1;
            return (size_t)-1;
        }
        out[o++] = (uint8_t)(w >> 16);
        if (pad < 2) out[o++] = (uint8_t)(w >> 8);
        if (pad < 1) out[o++] = (uint8_t)w;
    }
    return o;
}

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void putf64(uint8_t *p, double d) {
    uint64_t u;
    memcpy(&u, &d, 8);
    put32(p, (uint32_t)(u >> 32));
    put32(p + 4, (uint32_t)u);
}

static double getf64(const uint8_t *p) {
    uint64_t u = (uint64_t)get32(p) << 32 | get32(p + 4);
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* "vpdqr1:": the reference's frames without loss. */
static vigil_status serialize_r1(const vigil_video_hash *v, char **out, vigil_err *err) {
    size_t max_frames = ((size_t)VIGIL_VALUE_MAX - PREFIXR_LEN) / 4 * 3 / FRAME2_BYTES - 1;
    if (v->n > max_frames)
        return vigil__err_set(err, VIGIL_ELIMIT,
                              "video hash has %zu frames; a bank value holds at most %zu (hash fewer frames, "
                              "or split the video)", v->n, max_frames);
    if (!(v->frame_rate >= 0.0) || !isfinite(v->frame_rate))
        return vigil__err_set(err, VIGIL_EINVAL, "video hash has a bad frame rate");
    for (size_t i = 0; i < v->n; i++) {
        const vigil_video_frame *f = &v->frames[i];
        if (f->quality < 0 || f->quality > 100 || !(f->time >= 0.0) || !(f->time <= VIGIL__VIDEO_TIME_MAX) ||
            f->number < -1 ||
            (i && f->time < v->frames[i - 1].time))
            return vigil__err_set(err, VIGIL_EINVAL, "video hash frame %zu is invalid (quality %d, time %g s, "
                                  "number %d)", i + 1, f->quality, f->time, (int)f->number);
    }
    size_t nb = HEAD2_BYTES + FRAME2_BYTES * v->n;
    uint8_t *bin = malloc(nb);
    char *s = malloc(PREFIXR_LEN + 4 * ((nb + 2) / 3) + 1);
    if (!bin || !s) {
        free(bin);
        free(s);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    put32(bin, 0);
    putf64(bin + 4, v->frame_rate);
    put32(bin + 12, (uint32_t)v->n);
    for (size_t i = 0; i < v->n; i++) {
        uint8_t *p = bin + HEAD2_BYTES + FRAME2_BYTES * i;
        put32(p, (uint32_t)v->frames[i].number);
        p[4] = (uint8_t)v->frames[i].quality;
        memcpy(p + 5, v->frames[i].pdq.bytes, 32);
        putf64(p + 37, v->frames[i].time);
    }
    memcpy(s, VIGIL_VPDQR_PREFIX, PREFIXR_LEN + 1);
    vigil__base64_encode(bin, nb, s + PREFIXR_LEN);
    free(bin);
    *out = s;
    return VIGIL_OK;
}

vigil_status vigil_video_serialize(const vigil_video_hash *v, char **out, vigil_err *err) {
    if (!v || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_serialize: NULL argument");
    *out = NULL;
    if (v->n == 0 || !v->frames) return vigil__err_set(err, VIGIL_EINVAL, "video hash has no frames");
    if (v->ref_form) return serialize_r1(v, out, err);
    if (v->fps_milli == 0) return vigil__err_set(err, VIGIL_EINVAL, "video hash has no sample rate");
    size_t max_frames = ((size_t)VIGIL_VALUE_MAX - PREFIX_LEN) / 4 * 3 / FRAME_BYTES - 1;
    if (v->n > max_frames)
        return vigil__err_set(err, VIGIL_ELIMIT,
                              "video hash has %zu frames; a bank value holds at most %zu (sample less often, "
                              "or split the video)", v->n, max_frames);
    for (size_t i = 0; i < v->n; i++) {
        const vigil_video_frame *f = &v->frames[i];
        if (f->quality < 0 || f->quality > 100 || f->duration_ms == 0 || (i && f->start_ms < v->frames[i - 1].start_ms))
            return vigil__err_set(err, VIGIL_EINVAL, "video hash frame %zu is invalid (quality %d, start %u ms, "
                                  "duration %u ms)", i + 1, f->quality, f->start_ms, f->duration_ms);
    }
    size_t nb = HEAD_BYTES + FRAME_BYTES * v->n;
    uint8_t *bin = malloc(nb);
    char *s = malloc(PREFIX_LEN + 4 * ((nb + 2) / 3) + 1);
    if (!bin || !s) {
        free(bin);
        free(s);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    put32(bin, v->fps_milli);
    put32(bin + 4, (uint32_t)v->n);
    for (size_t i = 0; i < v->n; i++) {
        uint8_t *p = bin + HEAD_BYTES + FRAME_BYTES * i;
        put32(p, v->frames[i].start_ms);
        put32(p + 4, v->frames[i].duration_ms);
        p[8] = (uint8_t)v->frames[i].quality;
        memcpy(p + 9, v->frames[i].pdq.bytes, 32);
    }
    memcpy(s, VIGIL_VPDQ_PREFIX, PREFIX_LEN + 1);
    vigil__base64_encode(bin, nb, s + PREFIX_LEN);
    free(bin);
    *out = s;
    return VIGIL_OK;
}

/* The base64 after the prefix, decoded into *bin (malloc'd). */
static vigil_status unbase64(const char *value, size_t n, size_t plen, uint8_t **bin, size_t *nb, vigil_err *err) {
    const char *b = value + plen;
    size_t nc = n - plen, bad = 0;
    *bin = malloc(nc / 4 * 3 + 3);
    if (!*bin) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    *nb = vigil__base64_decode(b, nc, *bin, &bad);
    if (*nb != (size_t)-1) return VIGIL_OK;
    free(*bin);
    *bin = NULL;
    return bad >= nc ? vigil__err_set(err, VIGIL_EPARSE, "bad video value: base64 length %zu is not a multiple of 4", nc)
                     : vigil__err_set(err, VIGIL_EPARSE, "bad video value: bad base64 at character %zu",
                                      bad + plen + 1);
}

vigil_status vigil__video_parse_r1(const char *value, size_t n, vigil_video_hash *out, vigil_err *err) {
    memset(out, 0, sizeof *out);
    uint8_t *bin = NULL;
    size_t nb = 0;
    vigil_status rc = unbase64(value, n, PREFIXR_LEN, &bin, &nb, err);
    if (rc != VIGIL_OK) return rc;
    if (nb < HEAD2_BYTES + FRAME2_BYTES || (nb - HEAD2_BYTES) % FRAME2_BYTES) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "bad vpdqr1 value: %zu bytes is not a header and whole frames", nb);
        goto out;
    }
    uint32_t flags = get32(bin), count = get32(bin + 12);
    double rate = getf64(bin + 4);
    size_t frames = (nb - HEAD2_BYTES) / FRAME2_BYTES;
    if (flags != 0 || count != frames || !(rate >= 0.0) || !isfinite(rate)) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "bad vpdqr1 value: %s",
                            flags ? "unknown flags" : count != frames ? "frame count does not match its length"
                                                                      : "bad frame rate");
        goto out;
    }
    out->frames = calloc(frames, sizeof *out->frames);
    if (!out->frames) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    out->frame_rate = rate;
    out->ref_form = 1;
    int32_t last_num = -1;
    for (size_t i = 0; i < frames; i++) {
        const uint8_t *p = bin + HEAD2_BYTES + FRAME2_BYTES * i;
        vigil_video_frame *f = &out->frames[i];
        f->number = (int32_t)get32(p);
        f->quality = p[4];
        memcpy(f->pdq.bytes, p + 5, 32);
        f->time = getf64(p + 37);
        const char *why = f->quality > 100                                        ? "quality over 100"
                          : !(f->time >= 0.0) || !isfinite(f->time)               ? "bad time"
                          : f->time > VIGIL__VIDEO_TIME_MAX                       ? "time over 4,000,000 s"
                          : i && f->time < out->frames[i - 1].time                ? "starts before the frame before it"
                          : f->number < -1                                        ? "bad frame number"
                          : f->number >= 0 && last_num >= 0 && f->number <= last_num ? "frame numbers not increasing"
                                                                                  : NULL;
        if (why) {
            rc = vigil__err_set(err, VIGIL_EPARSE, "bad vpdqr1 value: frame %zu: %s", i + 1, why);
            goto out;
        }
        if (f->number >= 0) last_num = f->number;
    }
    out->n = frames;
    vigil__video_fill_times(out);
out:
    free(bin);
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}

vigil_status vigil__video_parse1(const char *value, size_t n, vigil_video_hash *out, vigil_err *err) {
    memset(out, 0, sizeof *out);
    uint8_t *bin = NULL;
    size_t nb = 0;
    vigil_status rc = unbase64(value, n, PREFIX_LEN, &bin, &nb, err);
    if (rc != VIGIL_OK) return rc;
    if (nb < HEAD_BYTES + FRAME_BYTES || (nb - HEAD_BYTES) % FRAME_BYTES) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "bad video value: %zu bytes is not a header and whole frames", nb);
        goto out;
    }
    uint32_t fps = get32(bin), count = get32(bin + 4);
    size_t frames = (nb - HEAD_BYTES) / FRAME_BYTES;
    if (fps == 0 || count != frames) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "bad video value: %s",
                            fps == 0 ? "sample rate 0" : "frame count does not match its length");
        goto out;
    }
    out->frames = malloc(frames * sizeof *out->frames);
    if (!out->frames) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    out->fps_milli = fps;
    for (size_t i = 0; i < frames; i++) {
        const uint8_t *p = bin + HEAD_BYTES + FRAME_BYTES * i;
        vigil_video_frame *f = &out->frames[i];
        memset(f, 0, sizeof *f);
        f->start_ms = get32(p);
        f->duration_ms = get32(p + 4);
        f->quality = p[8];
        memcpy(f->pdq.bytes, p + 9, 32);
        f->number = -1;
        f->time = f->start_ms / 1000.0;
        if (f->quality > 100 || f->duration_ms == 0 || (i && f->start_ms < out->frames[i - 1].start_ms)) {
            rc = vigil__err_set(err, VIGIL_EPARSE, "bad video value: frame %zu: %s", i + 1,
                                f->quality > 100 ? "quality over 100"
                                : f->duration_ms == 0 ? "duration 0" : "starts before the frame before it");
            goto out;
        }
    }
    out->n = frames;
    out->sampled = frames;
out:
    free(bin);
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}

vigil_status vigil_video_value_check(const char *value, vigil_err *err) {
    vigil_video_hash v;
    vigil_status rc = vigil_video_parse(value, &v, err);
    vigil_video_hash_clear(&v);
    return rc;
}

void vigil_video_compare(const vigil_video_hash *q, const vigil_video_hash *b, int max_distance,
                         int quality_floor, double *query_share, double *bank_share, int *distance) {
    double qs = 0, bs = 0, qt = 0, bt = 0;
    int best = 257;
    unsigned char *bhit = q && b ? calloc(b->n ? b->n : 1, 1) : NULL;
    if (bhit) {
        for (size_t i = 0; i < q->n; i++) {
            if (q->frames[i].quality < quality_floor) continue;
            qt += q->frames[i].duration_ms;
            int hit = 0;
            for (size_t j = 0; j < b->n; j++) {
                if (b->frames[j].quality < quality_floor) continue;
                int d = vigil_pdq_distance(&q->frames[i].pdq, &b->frames[j].pdq);
                if (d < best) best = d;
                if (d <= max_distance) hit = bhit[j] = 1;
            }
            if (hit) qs += q->frames[i].duration_ms;
        }
        for (size_t j = 0; j < b->n; j++) {
            if (b->frames[j].quality < quality_floor) continue;
            bt += b->frames[j].duration_ms;
            if (bhit[j]) bs += b->frames[j].duration_ms;
        }
        free(bhit);
    }
    if (query_share) *query_share = qt > 0 ? 100.0 * qs / qt : 0.0;
    if (bank_share) *bank_share = bt > 0 ? 100.0 * bs / bt : 0.0;
    if (distance) *distance = best;
}
