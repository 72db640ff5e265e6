/*
 * src/video/formats.c - the vPDQ forms partners use, read and written
 * without loss of what each holds: Meta's reference per-frame file
 * (vpdq-hash-video: frameNumber,quality,pdqHex,timestamp).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "video/video_internal.h"
#include "vigil/video.h"

/* ---- a growable text buffer ------------------------------------------- */

typedef struct tbuf {
    char *s;
    size_t n, cap;
    int failed;
} tbuf;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void tb_printf(tbuf *b, const char *fmt, ...) {
    if (b->failed) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0) {
            b->failed = 1;
            return;
        }
        if (b->s && (size_t)k < b->cap - b->n) {
            b->n += (size_t)k;
            return;
        }
        size_t ncap = b->cap ? b->cap * 2 : 4096;
        while (ncap < b->n + (size_t)k + 1) ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            b->failed = 1;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
}

/* ---- the reference per-frame file ------------------------------------- */

/* The frame number a frame states, or one derived from its time and the
 * video's frame rate; -1 when neither is known. */
static int64_t frame_number(const vigil_video_hash *v, const vigil_video_frame *f) {
    if (f->number >= 0) return f->number;
    if (v->frame_rate > 0.0) return (int64_t)llround(f->time * v->frame_rate);
    return -1;
}

vigil_status vigil_vpdq_ref_format(const vigil_video_hash *v, char **out, size_t *len, vigil_err *err) {
    if (!v || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_vpdq_ref_format: NULL argument");
    *out = NULL;
    if (len) *len = 0;
    if (v->n == 0 || !v->frames) return vigil__err_set(err, VIGIL_EINVAL, "video hash has no frames");
    tbuf b = {NULL, 0, 0, 0};
    for (size_t i = 0; i < v->n; i++) {
        const vigil_video_frame *f = &v->frames[i];
        int64_t num = frame_number(v, f);
        if (num < 0) {
            free(b.s);
            return vigil__err_set(err, VIGIL_EINVAL, "frame %zu has no frame number and the video no frame rate: "
                                  "the reference file needs both (give the frame rate)", i + 1);
        }
        char hex[VIGIL_PDQ_HEX_LEN + 1];
        vigil_pdq_to_hex(&f->pdq, hex);
        tb_printf(&b, "%lld,%d,%s,%.3f\n", (long long)num, f->quality, hex, f->time);
    }
    if (b.failed) {
        free(b.s);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    *out = b.s;
    if (len) *len = b.n;
    return VIGIL_OK;
}

/* A whole decimal integer in [lo, hi] from s[0..n). */
static int parse_int(const char *s, size_t n, long long lo, long long hi, long long *out) {
    if (n == 0 || n > 19) return 0;
    long long v = 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (n == 1) return 0;
    }
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (s[i] - '0');
    }
    if (neg) v = -v;
    if (v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* A finite decimal number (exponents allowed: "1e+02") from s[0..n). */
static int parse_num(const char *s, size_t n, double *out) {
    char buf[64];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    for (size_t i = 0; i < n; i++)
        if (!strchr("0123456789.eE+-", buf[i])) return 0;
    char *end = NULL;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + n || errno == ERANGE || !isfinite(v)) return 0;
    *out = v;
    return 1;
}

/* Exactly 64 hex digits from hex[0..hex_len). */
static vigil_status parse_hex(const char *hex, size_t hex_len, vigil_pdq *pdq) {
    char h[VIGIL_PDQ_HEX_LEN + 1];
    if (hex_len != VIGIL_PDQ_HEX_LEN) return VIGIL_EPARSE;
    memcpy(h, hex, hex_len);
    h[hex_len] = '\0';
    return vigil_pdq_from_hex(h, pdq, NULL);
}

/* Start times, durations and the sample rate from the frames' times. */
void vigil__video_fill_times(vigil_video_hash *v) {
    for (size_t i = 0; i < v->n; i++) {
        double ms = v->frames[i].time * 1000.0;
        v->frames[i].start_ms = ms > 4.0e9 ? 4000000000u : (uint32_t)llround(ms);
    }
    uint32_t last_gap = 1000;
    for (size_t i = 0; i < v->n; i++) {
        uint32_t d = i + 1 < v->n ? v->frames[i + 1].start_ms - v->frames[i].start_ms : last_gap;
        if (d == 0) d = 1;
        v->frames[i].duration_ms = d;
        last_gap = d;
    }
    double span = v->n > 1 ? v->frames[v->n - 1].time - v->frames[0].time : 0.0;
    double rate = span > 0.0 ? (double)(v->n - 1) / span * 1000.0 : 1000.0;
    v->fps_milli = rate < 1.0 ? 1u : rate > 4.0e9 ? 4000000000u : (uint32_t)llround(rate);
    v->sampled = v->n;
}

vigil_status vigil_vpdq_ref_parse(const char *text, size_t len, vigil_video_hash *out, vigil_err *err) {
    if (!text || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_vpdq_ref_parse: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > VIGIL_VALUE_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "vPDQ file is %zu bytes, over the limit of %d", len, VIGIL_VALUE_MAX);
    vigil_status rc = VIGIL_OK;
    size_t cap = 0, line = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        line++;
        size_t n = (size_t)(le - p);
        if (n && p[n - 1] == '\r') n--;
        if (n == 0) { /* blank lines (the trailing newline) */
            p = eol ? eol + 1 : end;
            continue;
        }
        /* frameNumber,quality,pdqHex,timestamp[,more fields ignored, as the reference does] */
        const char *f[4];
        size_t fl[4];
        size_t k = 0;
        const char *q = p, *qe = p + n;
        while (k < 4) {
            const char *c = memchr(q, ',', (size_t)(qe - q));
            f[k] = q;
            fl[k] = (size_t)((c ? c : qe) - q);
            k++;
            if (!c) break;
            q = c + 1;
        }
        long long num = 0, qual = 0;
        double t = 0;
        vigil_pdq h;
        const char *why = NULL;
        if (k < 4)
            why = "expected frameNumber,quality,pdqHex,timestamp";
        else if (!parse_int(f[0], fl[0], 0, 2147483647LL, &num))
            why = "the frame number is not a whole number from 0";
        else if (!parse_int(f[1], fl[1], 0, 100, &qual))
            why = "the quality is not a whole number from 0 to 100";
        else if (parse_hex(f[2], fl[2], &h) != VIGIL_OK)
            why = "the PDQ hash is not 64 hex digits";
        else if (!parse_num(f[3], fl[3], &t) || t < 0)
            why = t < 0 ? "the timestamp is negative" : "the timestamp is not a number";
        else if (out->n && (num <= out->frames[out->n - 1].number || t < out->frames[out->n - 1].time))
            why = "frames are not in increasing order";
        if (why) {
            rc = vigil__err_set(err, VIGIL_EPARSE, "vPDQ file line %zu: %s", line, why);
            goto out;
        }
        if (out->n == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            vigil_video_frame *nf = realloc(out->frames, ncap * sizeof *nf);
            if (!nf) {
                rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
                goto out;
            }
            out->frames = nf;
            cap = ncap;
        }
        vigil_video_frame *fr = &out->frames[out->n++];
        memset(fr, 0, sizeof *fr);
        fr->number = (int32_t)num;
        fr->quality = (int)qual;
        fr->pdq = h;
        fr->time = t;
        p = eol ? eol + 1 : end;
    }
    if (out->n == 0) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "vPDQ file has no frame lines");
        goto out;
    }
    vigil__video_fill_times(out);
    /* the frame rate, when the frame numbers and times state it */
    const vigil_video_frame *last = &out->frames[out->n - 1];
    if (last->number > 0 && last->time > 0) out->frame_rate = (double)last->number / last->time;
out:
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}
