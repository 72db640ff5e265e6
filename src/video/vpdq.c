/*
 * src/video/vpdq.c - the "vpdq1:" serialisation of a video hash (the bank
 * value of signal type video), its strict parser, and the brute-force
 * comparison of two video hashes that the matcher is checked against.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "video/video_internal.h"
#include "vigil/video.h"

#define HEAD_BYTES 8u
#define FRAME_BYTES 41u
#define PREFIX_LEN 6u

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

vigil_status vigil_video_serialize(const vigil_video_hash *v, char **out, vigil_err *err) {
    if (!v || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_serialize: NULL argument");
    *out = NULL;
    if (v->n == 0 || !v->frames) return vigil__err_set(err, VIGIL_EINVAL, "video hash has no frames");
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

vigil_status vigil_video_parse(const char *value, vigil_video_hash *out, vigil_err *err) {
    if (!value || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_parse: NULL argument");
    memset(out, 0, sizeof *out);
    size_t n = strlen(value);
    if (n > VIGIL_VALUE_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "video value is %zu bytes, over the limit of %d", n, VIGIL_VALUE_MAX);
    if (n < PREFIX_LEN || memcmp(value, VIGIL_VPDQ_PREFIX, PREFIX_LEN) != 0)
        return vigil__err_set(err, VIGIL_EPARSE, "bad video value: expected '%s' and base64 (from `vigil hash "
                              "--vpdq VIDEO`)", VIGIL_VPDQ_PREFIX);
    const char *b = value + PREFIX_LEN;
    size_t nc = n - PREFIX_LEN, bad = 0;
    uint8_t *bin = malloc(nc / 4 * 3 + 3);
    if (!bin) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_status rc = VIGIL_OK;
    size_t nb = vigil__base64_decode(b, nc, bin, &bad);
    if (nb == (size_t)-1) {
        rc = bad >= nc ? vigil__err_set(err, VIGIL_EPARSE, "bad video value: base64 length %zu is not a multiple of 4", nc)
                       : vigil__err_set(err, VIGIL_EPARSE, "bad video value: bad base64 at character %zu",
                                        bad + PREFIX_LEN + 1);
        goto out;
    }
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
