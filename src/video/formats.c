/*
 * src/video/formats.c - the vPDQ forms partners use, read and written
 * without loss of what each holds: Meta's reference per-frame file
 * (vpdq-hash-video: frameNumber,quality,pdqHex,timestamp), the
 * python-threatexchange `vpdq` signal string (a JSON list of
 * "pdqHex,quality,timestamp"), and the dispatch between them and the
 * vpdq1/vpdqr1 bank values.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
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
    if (v->frame_rate > 0.0) {
        double n = f->time * v->frame_rate;
        return n < 2147483647.0 ? (int64_t)llround(n) : INT64_MAX;
    }
    return -1;
}

vigil_status vigil_vpdq_ref_format(const vigil_video_hash *v, char **out, size_t *len, vigil_err *err) {
    if (!v || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_vpdq_ref_format: NULL argument");
    *out = NULL;
    if (len) *len = 0;
    if (v->n == 0 || !v->frames) return vigil__err_set(err, VIGIL_EINVAL, "video hash has no frames");
    tbuf b = {NULL, 0, 0, 0};
    int64_t prev = -1;
    for (size_t i = 0; i < v->n; i++) {
        const vigil_video_frame *f = &v->frames[i];
        int64_t num = frame_number(v, f);
        if (num < 0) {
            free(b.s);
            return vigil__err_set(err, VIGIL_EINVAL, "frame %zu has no frame number and the video no frame rate: "
                                  "the reference file needs both (give the frame rate)", i + 1);
        }
        if (num <= prev || num > 2147483647) {
            free(b.s);
            return vigil__err_set(err, VIGIL_EINVAL, "frame %zu: frame number %lld (from its time at %g frames/s) is "
                                  "%s: the reference file needs increasing frame numbers", i + 1, (long long)num,
                                  v->frame_rate, num > 2147483647 ? "too large" : "not after the frame before it's");
        }
        prev = num;
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
    double v = strtod(buf, &end); /* ERANGE on underflow is fine: a tiny time */
    if (end != buf + n || !isfinite(v)) return 0;
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
        v->frames[i].start_ms = ms > VIGIL__VIDEO_TIME_MAX * 1000.0 ? (uint32_t)(VIGIL__VIDEO_TIME_MAX * 1000.0)
                                                                     : (uint32_t)llround(ms);
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
        else if (!parse_num(f[3], fl[3], &t) || t < 0 || t > VIGIL__VIDEO_TIME_MAX)
            why = t < 0 ? "the timestamp is negative"
                  : t > VIGIL__VIDEO_TIME_MAX ? "the timestamp is over 4,000,000 s"
                                              : "the timestamp is not a number";
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
    out->ref_form = 1;
out:
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}

/* ---- python-threatexchange's vpdq signal string --------------------------- */

void vigil_vpdq_pytx_time(double t, char *out, size_t cap) {
    /* Python's format(t, ".3"): 3 significant digits, exponent form when the
     * exponent is < -4 or >= 2, trailing zeros dropped, but fixed notation
     * keeps one digit after the point. */
    char e[32];
    if (!(t == t) || cap < 8) {
        if (cap) snprintf(out, cap, "nan");
        return;
    }
    if (t == 0.0) {
        snprintf(out, cap, "0.0");
        return;
    }
    snprintf(e, sizeof e, "%.2e", t);
    char *ep = strchr(e, 'e');
    int ex = ep ? atoi(ep + 1) : 0;
    if (ex < -4 || ex >= 2) {
        /* mantissa without trailing zeros, then the exponent as C prints it (e+02) */
        size_t m = ep ? (size_t)(ep - e) : strlen(e);
        while (m > 1 && e[m - 1] == '0') m--;
        if (m > 1 && e[m - 1] == '.') m--;
        snprintf(out, cap, "%.*s%s", (int)m, e, ep ? ep : "");
        return;
    }
    snprintf(out, cap, "%.*f", 2 - ex, t);
    size_t n = strlen(out);
    char *dot = strchr(out, '.');
    if (dot)
        while (n > (size_t)(dot - out) + 2 && out[n - 1] == '0') out[--n] = '\0';
    else if (n + 2 < cap) {
        out[n++] = '.';
        out[n++] = '0';
        out[n] = '\0';
    }
}

static vigil_status pytx_format(const vigil_video_hash *v, char **out, vigil_err *err) {
    tbuf b = {NULL, 0, 0, 0};
    tb_printf(&b, "[");
    for (size_t i = 0; i < v->n; i++) {
        const vigil_video_frame *f = &v->frames[i];
        char hex[VIGIL_PDQ_HEX_LEN + 1], ts[40];
        vigil_pdq_to_hex(&f->pdq, hex);
        vigil_vpdq_pytx_time(f->time, ts, sizeof ts);
        tb_printf(&b, "%s\"%s,%d,%s\"", i ? ", " : "", hex, f->quality, ts);
    }
    tb_printf(&b, "]");
    if (b.failed) {
        free(b.s);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    *out = b.s;
    return VIGIL_OK;
}

vigil_status vigil_vpdq_pytx_parse(const char *text, size_t len, vigil_video_hash *out, vigil_err *err) {
    if (!text || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_vpdq_pytx_parse: NULL argument");
    memset(out, 0, sizeof *out);
    if (len > VIGIL_VALUE_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "vpdq signal is %zu bytes, over the limit of %d", len, VIGIL_VALUE_MAX);
    json_error_t je;
    json_t *a = json_loadb(text, len, 0, &je);
    vigil_status rc = VIGIL_OK;
    if (!a || !json_is_array(a)) {
        rc = a ? vigil__err_set(err, VIGIL_EPARSE, "vpdq signal: expected a JSON list of \"pdqHex,quality,timestamp\" "
                                "strings")
               : vigil__err_set(err, VIGIL_EPARSE, "vpdq signal: bad JSON at character %d: %s", je.position, je.text);
        goto out;
    }
    size_t n = json_array_size(a);
    if (n == 0) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "vpdq signal: the list has no frames");
        goto out;
    }
    out->frames = calloc(n, sizeof *out->frames);
    if (!out->frames) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(a, i);
        const char *s = json_string_value(e);
        size_t sl = s ? json_string_length(e) : 0;
        const char *c1 = s ? memchr(s, ',', sl) : NULL;
        const char *c2 = c1 ? memchr(c1 + 1, ',', sl - (size_t)(c1 + 1 - s)) : NULL;
        const char *c3 = c2 ? memchr(c2 + 1, ',', sl - (size_t)(c2 + 1 - s)) : NULL;
        long long q = 0;
        double t = 0;
        vigil_pdq h;
        const char *why = NULL;
        if (!s)
            why = "not a string";
        else if (!c2 || c3)
            why = "expected \"pdqHex,quality,timestamp\"";
        else if (parse_hex(s, (size_t)(c1 - s), &h) != VIGIL_OK)
            why = "the PDQ hash is not 64 hex digits";
        else if (!parse_int(c1 + 1, (size_t)(c2 - c1 - 1), 0, 100, &q))
            why = "the quality is not a whole number from 0 to 100";
        else if (!parse_num(c2 + 1, sl - (size_t)(c2 + 1 - s), &t) || t < 0 || t > VIGIL__VIDEO_TIME_MAX)
            why = t < 0 ? "the timestamp is negative"
                  : t > VIGIL__VIDEO_TIME_MAX ? "the timestamp is over 4,000,000 s"
                                              : "the timestamp is not a number";
        else if (i && t < out->frames[i - 1].time)
            why = "frames are not in time order";
        if (why) {
            rc = vigil__err_set(err, VIGIL_EPARSE, "vpdq signal: frame %zu: %s", i + 1, why);
            goto out;
        }
        vigil_video_frame *f = &out->frames[i];
        f->number = -1;
        f->quality = (int)q;
        f->pdq = h;
        f->time = t;
        out->n = i + 1;
    }
    out->ref_form = 1;
    vigil__video_fill_times(out);
out:
    json_decref(a);
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}

/* ---- any form in, any form out ------------------------------------------ */

static const char *const form_names[] = {"value", "vpdq1", "vpdqr1", "reference", "pytx"};

vigil_status vigil_video_form_parse(const char *name, vigil_video_form *out, vigil_err *err) {
    for (size_t i = 0; name && i < sizeof form_names / sizeof form_names[0]; i++)
        if (strcmp(name, form_names[i]) == 0) {
            *out = (vigil_video_form)i;
            return VIGIL_OK;
        }
    return vigil__err_set(err, VIGIL_EPARSE, "unknown video form '%.40s' (expected value, vpdq1, vpdqr1, reference "
                          "or pytx)", name ? name : "");
}

static int blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

vigil_status vigil_video_parse(const char *value, vigil_video_hash *out, vigil_err *err) {
    if (!value || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_parse: NULL argument");
    memset(out, 0, sizeof *out);
    size_t n = strlen(value);
    if (n > VIGIL_VALUE_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "video value is %zu bytes, over the limit of %d", n, VIGIL_VALUE_MAX);
    if (n >= 6 && memcmp(value, VIGIL_VPDQ_PREFIX, 6) == 0) return vigil__video_parse1(value, n, out, err);
    if (n >= 7 && memcmp(value, VIGIL_VPDQR_PREFIX, 7) == 0) return vigil__video_parse_r1(value, n, out, err);
    size_t a = 0;
    while (a < n && blank(value[a])) a++;
    while (n > a && blank(value[n - 1])) n--;
    if (a < n && value[a] == '[') return vigil_vpdq_pytx_parse(value + a, n - a, out, err);
    if (a < n && value[a] >= '0' && value[a] <= '9') {
        vigil_status rc = vigil_vpdq_ref_parse(value + a, n - a, out, err);
        if (rc == VIGIL_OK) out->ref_form = 1;
        return rc;
    }
    return vigil__err_set(err, VIGIL_EPARSE, "bad video value: expected '%s' and base64 (from `vigil hash --vpdq "
                          "VIDEO`), '%s' and base64, Meta's per-frame vPDQ file or a pytx vpdq JSON list",
                          VIGIL_VPDQ_PREFIX, VIGIL_VPDQR_PREFIX);
}

vigil_status vigil_video_format(const vigil_video_hash *v, vigil_video_form form, char **out, vigil_err *err) {
    if (!v || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_format: NULL argument");
    *out = NULL;
    if (v->n == 0 || !v->frames) return vigil__err_set(err, VIGIL_EINVAL, "video hash has no frames");
    vigil_video_hash w = *v;
    switch (form) {
    case VIGIL_VFORM_VALUE: return vigil_video_serialize(v, out, err);
    case VIGIL_VFORM_VPDQ1: w.ref_form = 0; return vigil_video_serialize(&w, out, err);
    case VIGIL_VFORM_VPDQR1: w.ref_form = 1; return vigil_video_serialize(&w, out, err);
    case VIGIL_VFORM_REFERENCE: return vigil_vpdq_ref_format(v, out, NULL, err);
    case VIGIL_VFORM_PYTX: return pytx_format(v, out, err);
    }
    return vigil__err_set(err, VIGIL_EINVAL, "unknown video form %d", (int)form);
}

vigil_status vigil_video_value_canonical(const char *value, char **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_value_canonical: NULL argument");
    *out = NULL;
    vigil_video_hash v;
    vigil_status rc = vigil_video_parse(value, &v, err);
    if (rc != VIGIL_OK) return rc;
    if (strncmp(value, VIGIL_VPDQ_PREFIX, 6) == 0 || strncmp(value, VIGIL_VPDQR_PREFIX, 7) == 0) {
        *out = strdup(value); /* strict: canonical as given */
        rc = *out ? VIGIL_OK : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    } else {
        rc = vigil_video_serialize(&v, out, err);
    }
    vigil_video_hash_clear(&v);
    return rc;
}

/* The store's canonical value: a thread's last conversion stays valid
 * until its next one (the callers copy or bind it at once). */
static pthread_key_t canon_key;
static pthread_once_t canon_once = PTHREAD_ONCE_INIT;
static void canon_init(void) { (void)pthread_key_create(&canon_key, free); }

vigil_status vigil__video_value_canon(const char *value, const char **canon, vigil_err *err) {
    if (!value || !canon) return vigil__err_set(err, VIGIL_EINVAL, "no value given");
    if (strncmp(value, VIGIL_VPDQ_PREFIX, 6) == 0 || strncmp(value, VIGIL_VPDQR_PREFIX, 7) == 0) {
        vigil_status rc = vigil_video_value_check(value, err);
        if (rc == VIGIL_OK) *canon = value;
        return rc;
    }
    char *c = NULL;
    vigil_status rc = vigil_video_value_canonical(value, &c, err);
    if (rc != VIGIL_OK) return rc;
    pthread_once(&canon_once, canon_init);
    free(pthread_getspecific(canon_key));
    if (pthread_setspecific(canon_key, c) != 0) {
        free(c);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    *canon = c;
    return VIGIL_OK;
}

/* ---- bank export with video values in a chosen form ---------------------- */

/* vigil_bank_export_as's converter: video values in the form *(vigil_video_form *)ctx. */
static vigil_status video_form_value(void *ctx, vigil_signal sig, const char *value, char **out,
                                     vigil_err *err) {
    *out = NULL;
    if (sig != VIGIL_SIGNAL_VIDEO) return VIGIL_OK;
    vigil_video_hash v;
    memset(&v, 0, sizeof v);
    vigil_status rc = vigil_video_parse(value, &v, err);
    if (rc == VIGIL_OK) rc = vigil_video_format(&v, *(const vigil_video_form *)ctx, out, err);
    vigil_video_hash_clear(&v);
    return rc;
}

vigil_status vigil_video_bank_export(vigil_store *st, const char *bank, vigil_video_form form, FILE *out,
                                     uint64_t *rows, vigil_err *err) {
    return vigil_bank_export_as(st, bank, out, video_form_value, &form, rows, err);
}

/* ---- the HTTP API's description of a hashed video ------------------------ */

vigil_status vigil_video_hash_json(const void *data, size_t len, const char *form, char **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_hash_json: NULL argument");
    *out = NULL;
    int f = !form || strcmp(form, "vigil") == 0 ? 0 : strcmp(form, "vpdq") == 0 ? 1 : strcmp(form, "tmk") == 0 ? 2 : -1;
    if (f < 0)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown video form '%.40s' (expected vigil, vpdq or tmk)", form);
    uint8_t md5[16], sha[32];
    char md5h[33], shah[65];
    vigil_status rc = vigil_digest(data, len, md5, sha, err);
    if (rc != VIGIL_OK) return rc;
    vigil_hex_encode(md5, 16, md5h);
    vigil_hex_encode(sha, 32, shah);
    json_t *o = NULL;
    char *a = NULL, *b = NULL;
    if (f == 2) {
        vigil_tmk *t = NULL;
        uint8_t *bytes = NULL;
        size_t n = 0;
        rc = vigil_tmk_hash_bytes(data, len, NULL, &t, err);
        if (rc == VIGIL_OK) rc = vigil_tmk_write(t, &bytes, &n, err);
        if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(bytes, n, &a, err);
        if (rc == VIGIL_OK)
            o = json_pack("{s:s, s:s, s:s, s:i, s:s, s:s}", "type", "video", "form", "tmk", "tmk", a, "frame_count",
                          t->frame_count, "md5", md5h, "sha256", shah);
        free(bytes);
        vigil_tmk_free(t);
    } else {
        vigil_video_opts vo;
        vigil_video_opts_init(&vo);
        vo.vpdq_reference = f == 1;
        vigil_video_hash v;
        rc = vigil_video_hash_bytes(data, len, &vo, &v, err);
        if (rc == VIGIL_OK) rc = vigil_video_serialize(&v, &a, err);
        if (rc == VIGIL_OK && f == 1) rc = vigil_video_format(&v, VIGIL_VFORM_PYTX, &b, err);
        if (rc == VIGIL_OK && f == 1)
            o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:f, s:I, s:s, s:s}", "type", "video", "form", "vpdq", "value", a,
                          "pytx", b, "frames", (json_int_t)v.n, "frame_rate", v.frame_rate, "decoded",
                          (json_int_t)v.decoded, "md5", md5h, "sha256", shah);
        else if (rc == VIGIL_OK)
            o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:f, s:s, s:s}", "type", "video", "form", "vigil", "value", a,
                          "frames", (json_int_t)v.n, "decoded", (json_int_t)v.decoded, "duration", v.duration, "md5",
                          md5h, "sha256", shah);
        vigil_video_hash_clear(&v);
    }
    free(a);
    free(b);
    if (rc != VIGIL_OK) return rc;
    *out = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return *out ? VIGIL_OK : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
}

/* ---- the HTTP API's video match ------------------------------------------- */

vigil_status vigil_video_matcher_match_json(vigil_video_matcher *m, const char *value, const void *data, size_t len,
                                            const char *form, const char *rule, int phase_robust, char **out,
                                            vigil_err *err) {
    if (!m || !out || (!value && !data))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_matcher_match_json: NULL argument");
    *out = NULL;
    vigil_video_rule vr = VIGIL_VRULE_VIGIL;
    vigil_status rc = rule ? vigil_video_rule_parse(rule, &vr, err) : VIGIL_OK;
    if (rc != VIGIL_OK) {
        if (err) err->status = VIGIL_EINVAL;
        return VIGIL_EINVAL;
    }
    int f = !form || strcmp(form, "vigil") == 0 ? 0 : strcmp(form, "vpdq") == 0 ? 1 : -1;
    if (!value && f < 0)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown video form '%.40s' (expected vigil or vpdq)", form);
    vigil_video_hash q;
    memset(&q, 0, sizeof q);
    if (value) {
        rc = vigil_video_parse(strncmp(value, "video:", 6) == 0 ? value + 6 : value, &q, err);
    } else {
        vigil_video_opts vo;
        vigil_video_opts_init(&vo);
        vo.vpdq_reference = f == 1;
        rc = vigil_video_hash_bytes(data, len, &vo, &q, err);
    }
    if (rc != VIGIL_OK) return rc;
    vigil_video_match_result r;
    memset(&r, 0, sizeof r);
    rc = vigil_video_matcher_query_as(m, &q, (int)vr, phase_robust != 0, &r, err);
    json_t *o = NULL;
    if (rc == VIGIL_OK) {
        char label[40];
        snprintf(label, sizeof label, "%.24s...", value ? value : "(video body)");
        json_t *arr = json_array();
        for (size_t i = 0; i < r.n; i++) {
            const vigil_video_match *x = &r.matches[i];
            char *lj = NULL;
            json_t *labels = NULL;
            if (vigil_labels_to_json(x->labels ? x->labels : "", &lj, NULL) == VIGIL_OK) labels = json_loads(lj, 0, NULL);
            free(lj);
            json_array_append_new(
                arr, json_pack("{s:s, s:I, s:s, s:s, s:i, s:f, s:f, s:s, s:f, s:f, s:f, s:f, s:f, s:o, s:s?}", "bank",
                               x->bank, "entry_id", (json_int_t)x->entry_id, "bank_kind",
                               vigil_bank_kind_name(x->bank_kind), "signal", "video", "distance", x->distance,
                               "query_share", x->query_share, "bank_share", x->bank_share, "rule",
                               vigil_video_rule_name(x->rule), "query_share_time", x->query_share_time,
                               "bank_share_time", x->bank_share_time, "query_share_frames", x->query_share_frames,
                               "bank_share_frames", x->bank_share_frames, "offset", x->offset, "labels",
                               labels ? labels : json_object(), "external_id", x->external_id));
        }
        o = json_pack("{s:s, s:s, s:I, s:I, s:b, s:b, s:I, s:o}", "hash", value ? label : "(video body)", "type",
                      "video", "frames", (json_int_t)q.n, "usable_frames", (json_int_t)r.usable, "low_quality",
                      r.low_quality, "allowed", r.allowed, "suppressed", (json_int_t)r.suppressed, "matches", arr);
    }
    vigil_video_match_result_clear(&r);
    vigil_video_hash_clear(&q);
    if (rc != VIGIL_OK) return rc;
    *out = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(o);
    return *out ? VIGIL_OK : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
}

vigil_status vigil_video_match_json(vigil_store *st, const char *value, const void *data, size_t len, const char *form,
                                    const char *rule, int phase_robust, char **out, vigil_err *err) {
    if (!st || !out || (!value && !data)) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_match_json: NULL argument");
    *out = NULL;
    vigil_video_rule vr = VIGIL_VRULE_VIGIL;
    if (rule && vigil_video_rule_parse(rule, &vr, err) != VIGIL_OK) { /* before the load */
        if (err) err->status = VIGIL_EINVAL;
        return VIGIL_EINVAL;
    }
    vigil_video_matcher *m = NULL;
    vigil_status rc = vigil_video_matcher_open(st, NULL, &m, err);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_match_json(m, value, data, len, form, rule, phase_robust, out, err);
    vigil_video_matcher_free(m);
    return rc;
}
