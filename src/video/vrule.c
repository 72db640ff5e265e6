/*
 * src/video/vrule.c - the match rules for two videos (vigil's, python-
 * threatexchange's, the vPDQ README's): the shares of each side by time and
 * by de-duplicated frame count, phase-robust windows, the decision; and the
 * brute-force comparison under a rule that the matcher is checked against.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "video/video_internal.h"
#include "vigil/video.h"

static const char *const rule_names[] = {"vigil", "pytx", "readme"};

const char *vigil_video_rule_name(vigil_video_rule r) {
    return (unsigned)r < sizeof rule_names / sizeof rule_names[0] ? rule_names[r] : "?";
}

vigil_status vigil_video_rule_parse(const char *name, vigil_video_rule *out, vigil_err *err) {
    for (size_t i = 0; name && i < sizeof rule_names / sizeof rule_names[0]; i++)
        if (strcmp(name, rule_names[i]) == 0) {
            *out = (vigil_video_rule)i;
            return VIGIL_OK;
        }
    return vigil__err_set(err, VIGIL_EPARSE, "unknown video match rule '%.40s' (expected vigil, pytx or readme)",
                          name ? name : "");
}

void vigil__rule_defaults(vigil_video_rule r, double *minq, double *minb) {
    double dq = r == VIGIL_VRULE_PYTX ? 80.0 : r == VIGIL_VRULE_README ? 0.0 : VIGIL_VIDEO_DEFAULT_SHARE;
    double db = r == VIGIL_VRULE_PYTX ? 0.0 : r == VIGIL_VRULE_README ? 80.0 : VIGIL_VIDEO_DEFAULT_SHARE;
    if (*minq < 0) *minq = dq;
    if (*minb < 0) *minb = db;
}

int vigil__rule_decide(vigil_video_rule r, double minq, double minb, int both, vigil_video_match *x) {
    x->rule = r;
    if (r == VIGIL_VRULE_VIGIL) {
        x->query_share = x->query_share_time;
        x->bank_share = x->bank_share_time;
        int okq = x->query_share >= minq, okb = x->bank_share >= minb;
        return both ? okq && okb : okq || okb;
    }
    x->query_share = x->query_share_frames;
    x->bank_share = x->bank_share_frames;
    /* both published rules need the two shares (one threshold is 0 by default) */
    return x->query_share >= minq && x->bank_share >= minb && (x->query_share > 0 || x->bank_share > 0);
}

void vigil__vside_shares(const vigil__vside *s, uint32_t tol_ms, double *by_time, double *by_frames) {
    double tt = 0, tm = 0, ft = 0, fm = 0;
    /* with tol_ms: a frame counts as matched when a matched frame of its
     * side lies within tol_ms of it (frames are in time order) */
    int64_t last = -1; /* start of the last matched frame so far */
    size_t next = 0;   /* the next matched frame at or after i */
    for (size_t i = 0; i < s->n; i++) {
        int m = s->hit[i];
        if (!m && tol_ms) {
            if (next < i) next = i;
            while (next < s->n && !s->hit[next]) next++;
            int64_t t = s->start[i];
            m = (last >= 0 && t - last <= (int64_t)tol_ms) ||
                (next < s->n && (int64_t)s->start[next] - t <= (int64_t)tol_ms);
        }
        if (s->hit[i]) last = s->start[i];
        tt += s->dur[i];
        if (m) tm += s->dur[i];
        if (!s->uniq[i]) continue;
        ft += 1;
        if (m) fm += 1;
    }
    double a = tt > 0 ? 100.0 * tm / tt : 0.0, b = ft > 0 ? 100.0 * fm / ft : 0.0;
    *by_time = a > 100.0 ? 100.0 : a;
    *by_frames = b > 100.0 ? 100.0 : b;
}

uint32_t vigil__sample_period_ms(uint32_t fps_milli) {
    if (fps_milli == 0) return 1000;
    uint64_t p = (1000000u + fps_milli / 2) / fps_milli;
    return p == 0 ? 1 : p > 4000000000u ? 4000000000u : (uint32_t)p;
}

void vigil__phase_windows(int phase_robust, uint32_t qperiod, uint32_t bperiod, uint32_t *qwin, uint32_t *bwin) {
    /* Any instant of the denser side has a sample instant of the sparser
     * side within half its period P, and that instant a frame of the denser
     * side within half the denser period p: P/2 + p/2 (+1 ms of rounding). */
    *qwin = *bwin = 0;
    if (!phase_robust) return;
    uint32_t tol = (uint32_t)(((uint64_t)qperiod + bperiod + 1) / 2 + 1);
    if ((uint64_t)qperiod * 4 <= (uint64_t)bperiod * 3) *qwin = tol;
    if ((uint64_t)bperiod * 4 <= (uint64_t)qperiod * 3) *bwin = tol;
}

typedef struct hix {
    const vigil_pdq *h;
    size_t i;
} hix;

static int cmp_hix(const void *a, const void *b) {
    const hix *x = a, *y = b;
    int c = memcmp(x->h->bytes, y->h->bytes, 32);
    if (c) return c;
    return (x->i > y->i) - (x->i < y->i);
}

int vigil__dedupe(const vigil_pdq *const *h, size_t n, uint8_t *uniq) {
    if (n == 0) return 0;
    hix *v = malloc(n * sizeof *v);
    if (!v) return -1;
    for (size_t i = 0; i < n; i++) v[i] = (hix){h[i], i};
    qsort(v, n, sizeof *v, cmp_hix);
    for (size_t k = 0; k < n; k++) uniq[v[k].i] = k == 0 || memcmp(v[k].h->bytes, v[k - 1].h->bytes, 32) != 0;
    free(v);
    return 0;
}

/* The usable frames of v as a side (arrays malloc'd into *s; free with side_free). */
static int side_of(const vigil_video_hash *v, int floor, vigil__vside *s, const vigil_pdq ***hp, size_t **orig) {
    memset(s, 0, sizeof *s);
    size_t n = 0;
    for (size_t i = 0; i < v->n; i++) n += v->frames[i].quality >= floor;
    size_t k = n ? n : 1;
    uint32_t *start = malloc(k * sizeof *start), *dur = malloc(k * sizeof *dur);
    uint8_t *uniq = calloc(k, 1), *hit = calloc(k, 1);
    *hp = malloc(k * sizeof(const vigil_pdq *));
    *orig = malloc(k * sizeof **orig);
    if (!start || !dur || !uniq || !hit || !*hp || !*orig) {
        free(start), free(dur), free(uniq), free(hit), free(*hp), free(*orig);
        return -1;
    }
    n = 0;
    for (size_t i = 0; i < v->n; i++) {
        if (v->frames[i].quality < floor) continue;
        start[n] = v->frames[i].start_ms;
        dur[n] = v->frames[i].duration_ms;
        (*hp)[n] = &v->frames[i].pdq;
        (*orig)[n] = i;
        n++;
    }
    if (vigil__dedupe(*hp, n, uniq) < 0) {
        free(start), free(dur), free(uniq), free(hit), free(*hp), free(*orig);
        return -1;
    }
    s->start = start;
    s->dur = dur;
    s->uniq = uniq;
    s->hit = hit;
    s->n = n;
    s->period_ms = vigil__sample_period_ms(v->fps_milli);
    return 0;
}

static void side_free(vigil__vside *s) {
    free((void *)s->start);
    free((void *)s->dur);
    free((void *)s->uniq);
    free(s->hit);
}

int vigil_video_compare_rule(const vigil_video_hash *q, const vigil_video_hash *b, const vigil_video_match_opts *opts,
                             vigil_video_match *x) {
    if (!x) return 0;
    memset(x, 0, sizeof *x);
    x->distance = 257;
    if (!q || !b) return 0;
    vigil_video_match_opts o;
    if (opts) o = *opts;
    else vigil_video_match_opts_init(&o);
    int d = o.max_distance < 0 ? VIGIL_DEFAULT_MAX_DISTANCE : o.max_distance;
    int floor = o.quality_floor < 0 ? VIGIL_DEFAULT_QUALITY_FLOOR : o.quality_floor;
    double minq = o.min_query_share, minb = o.min_bank_share;
    vigil__rule_defaults(o.rule, &minq, &minb);
    vigil__vside qs, bs;
    const vigil_pdq **qh = NULL, **bh = NULL;
    size_t *qo = NULL, *bo = NULL;
    if (side_of(q, floor, &qs, &qh, &qo) < 0) return 0;
    if (side_of(b, floor, &bs, &bh, &bo) < 0) {
        side_free(&qs);
        free(qh), free(qo);
        return 0;
    }
    for (size_t i = 0; i < qs.n; i++)
        for (size_t j = 0; j < bs.n; j++) {
            int dd = vigil_pdq_distance(qh[i], bh[j]);
            if (dd < x->distance) x->distance = dd;
            if (dd <= d) qs.hit[i] = bs.hit[j] = 1;
        }
    for (size_t i = 0; i < qs.n; i++) x->query_frames += qs.hit[i];
    for (size_t j = 0; j < bs.n; j++) x->bank_frames += bs.hit[j];
    uint32_t qw, bw;
    vigil__phase_windows(o.phase_robust, qs.period_ms, bs.period_ms, &qw, &bw);
    x->phase_robust = qw || bw;
    vigil__vside_shares(&qs, qw, &x->query_share_time, &x->query_share_frames);
    vigil__vside_shares(&bs, bw, &x->bank_share_time, &x->bank_share_frames);
    int ok = vigil__rule_decide(o.rule, minq, minb, o.require_both, x);
    side_free(&qs);
    side_free(&bs);
    free(qh), free(qo), free(bh), free(bo);
    return ok;
}
