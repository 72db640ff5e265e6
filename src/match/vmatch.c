/*
 * src/match/vmatch.c - video matching: every usable frame of every bank
 * video goes into one PDQ index with a frame -> video map; a query video
 * looks up each of its frames, and the hits give, per bank video, the
 * share of the query matched and the share of the bank video covered.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "match/allow.h"
#include "match/seen.h"
#include "video/video_internal.h"
#include "vigil/index.h"
#include "vigil/match.h"
#include "vigil/video.h"

struct vigil_video_matcher {
    vigil_store *st;
    pthread_mutex_t mu; /* the store serves one thread at a time (and guards seen) */
    vigil__seen seen;   /* the entries found lately, for an outage (seen.h) */
    vigil_index *idx;
    /* per bank video */
    size_t nv, capv;
    int64_t *entry;
    int *limit;     /* its bank's frame threshold */
    uint32_t *vfirst, *vcount, *vperiod; /* its frames: [vfirst, vfirst + vcount); sample period, ms */
    int *vrule;     /* its bank's rule (vigil_video_rule) */
    double *vminq, *vminb; /* and thresholds */
    uint8_t *vbank; /* 1: the rule is its bank's own (bank_rules), which a query's rule does not replace */
    uint32_t maxv;  /* the most frames of one video */
    /* per indexed frame: the index id is the frame number */
    size_t nf, capf;
    uint32_t *fvideo, *fstart, *fdur;
    uint8_t *funiq;   /* the first of its exact hash in its video */
    vigil_pdq *fhash; /* only while loading */
    int radius, default_d, floor, both, phase;
    double minq, minb;
};

void vigil_video_match_opts_init(vigil_video_match_opts *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->max_distance = -1;
    o->quality_floor = -1;
    o->min_query_share = -1;
    o->min_bank_share = -1;
    o->rule = VIGIL_VRULE_VIGIL;
}

void vigil_video_match_result_clear(vigil_video_match_result *r) {
    if (!r) return;
    VIGIL__MATCHES_FREE(r);
    memset(r, 0, sizeof *r);
}

void vigil_video_matcher_free(vigil_video_matcher *m) {
    if (!m) return;
    vigil_index_free(m->idx);
    free(m->entry);
    free(m->limit);
    free(m->vfirst);
    free(m->vcount);
    free(m->vperiod);
    free(m->vrule);
    free(m->vminq);
    free(m->vminb);
    free(m->vbank);
    free(m->funiq);
    free(m->fvideo);
    free(m->fstart);
    free(m->fdur);
    free(m->fhash);
    vigil__seen_free(&m->seen);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

size_t vigil_video_matcher_videos(const vigil_video_matcher *m) { return m ? m->nv : 0; }
size_t vigil_video_matcher_frames(const vigil_video_matcher *m) { return m ? m->nf : 0; }

/* ---- loading ------------------------------------------------------------- */

typedef struct load_ctx {
    vigil_video_matcher *m;
    const vigil_bank_info *banks;
    size_t nb;
    const vigil_video_match_opts *o;
    int failed;
} load_ctx;

static int grow(void **p, size_t elem, size_t n) {
    void *q = realloc(*p, elem * n);
    if (!q) return -1;
    *p = q;
    return 0;
}

static int load_video(void *ctx, int64_t entry_id, int64_t bank_id, const char *value) {
    load_ctx *c = ctx;
    vigil_video_matcher *m = c->m;
    vigil_video_hash v;
    if (vigil_video_parse(value, &v, NULL) != VIGIL_OK) return 0; /* the store validated it */
    int limit = m->default_d;
    const char *bank_name = NULL;
    for (size_t i = 0; i < c->nb; i++)
        if (c->banks[i].id == bank_id) {
            bank_name = c->banks[i].name;
            if (c->banks[i].max_distance >= 0) limit = c->banks[i].max_distance;
        }
    /* the bank's own rule, else the query's */
    vigil_video_rule rule = c->o->rule;
    double minq = m->minq, minb = m->minb;
    uint8_t own = 0;
    for (size_t i = 0; bank_name && i < c->o->n_bank_rules; i++)
        if (c->o->bank_rules[i].bank && strcmp(c->o->bank_rules[i].bank, bank_name) == 0) {
            own = 1;
            rule = c->o->bank_rules[i].rule;
            minq = c->o->bank_rules[i].min_query_share;
            minb = c->o->bank_rules[i].min_bank_share;
        }
    vigil__rule_defaults(rule, &minq, &minb);
    if (m->nv == m->capv) {
        size_t n = m->capv ? m->capv * 2 : 64;
        if (grow((void **)&m->entry, sizeof *m->entry, n) || grow((void **)&m->limit, sizeof *m->limit, n) ||
            grow((void **)&m->vfirst, sizeof *m->vfirst, n) || grow((void **)&m->vcount, sizeof *m->vcount, n) ||
            grow((void **)&m->vperiod, sizeof *m->vperiod, n) || grow((void **)&m->vrule, sizeof *m->vrule, n) ||
            grow((void **)&m->vminq, sizeof *m->vminq, n) || grow((void **)&m->vminb, sizeof *m->vminb, n) ||
            grow((void **)&m->vbank, sizeof *m->vbank, n)) {
            vigil_video_hash_clear(&v);
            return c->failed = 1;
        }
        m->capv = n;
    }
    size_t vi = m->nv++;
    m->entry[vi] = entry_id;
    m->limit[vi] = limit;
    m->vfirst[vi] = (uint32_t)m->nf;
    m->vcount[vi] = 0;
    m->vperiod[vi] = vigil__sample_period_ms(v.fps_milli);
    m->vrule[vi] = (int)rule;
    m->vbank[vi] = own;
    m->vminq[vi] = minq;
    m->vminb[vi] = minb;
    for (size_t i = 0; i < v.n; i++) {
        if (v.frames[i].quality < m->floor) continue;
        if (m->nf == m->capf) {
            size_t n = m->capf ? m->capf * 2 : 4096;
            if (grow((void **)&m->fvideo, sizeof *m->fvideo, n) || grow((void **)&m->fstart, sizeof *m->fstart, n) ||
                grow((void **)&m->fdur, sizeof *m->fdur, n) || grow((void **)&m->fhash, sizeof *m->fhash, n) ||
                grow((void **)&m->funiq, sizeof *m->funiq, n)) {
                vigil_video_hash_clear(&v);
                return c->failed = 1;
            }
            m->capf = n;
        }
        m->fvideo[m->nf] = (uint32_t)vi;
        m->fstart[m->nf] = v.frames[i].start_ms;
        m->fdur[m->nf] = v.frames[i].duration_ms;
        m->fhash[m->nf] = v.frames[i].pdq;
        m->nf++;
        m->vcount[vi]++;
    }
    vigil_video_hash_clear(&v);
    /* which of its frames are the first of their exact hash (pytx's dedupe) */
    uint32_t nvf = m->vcount[vi], first = m->vfirst[vi];
    if (nvf > m->maxv) m->maxv = nvf;
    const vigil_pdq **hp = malloc((nvf ? nvf : 1) * sizeof(const vigil_pdq *));
    if (!hp) return c->failed = 1;
    for (uint32_t k = 0; k < nvf; k++) hp[k] = &m->fhash[first + k];
    int dr = vigil__dedupe(hp, nvf, m->funiq + first);
    free(hp);
    if (dr < 0) return c->failed = 1;
    return 0;
}

vigil_status vigil_video_matcher_open(vigil_store *st, const vigil_video_match_opts *opts,
                                      vigil_video_matcher **out, vigil_err *err) {
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_matcher_open: NULL argument");
    *out = NULL;
    vigil_video_match_opts o;
    if (opts) o = *opts;
    else vigil_video_match_opts_init(&o);
    if (o.max_distance < 0) o.max_distance = VIGIL_DEFAULT_MAX_DISTANCE;
    if (o.quality_floor < 0) o.quality_floor = VIGIL_DEFAULT_QUALITY_FLOOR;
    if ((unsigned)o.rule > VIGIL_VRULE_README) return vigil__err_set(err, VIGIL_EINVAL, "unknown video match rule %d", (int)o.rule);
    vigil__rule_defaults(o.rule, &o.min_query_share, &o.min_bank_share);
    for (size_t i = 0; i < o.n_bank_rules; i++)
        if ((unsigned)o.bank_rules[i].rule > VIGIL_VRULE_README || o.bank_rules[i].min_query_share > 100 ||
            o.bank_rules[i].min_bank_share > 100)
            return vigil__err_set(err, VIGIL_EINVAL, "bank rule %zu: a rule or share threshold out of range", i + 1);
    if (o.max_distance > 256) return vigil__err_set(err, VIGIL_EINVAL, "distance %d is outside 0..256", o.max_distance);
    if (o.quality_floor > 100) return vigil__err_set(err, VIGIL_EINVAL, "quality floor %d is over 100", o.quality_floor);
    if (o.min_query_share > 100 || o.min_bank_share > 100)
        return vigil__err_set(err, VIGIL_EINVAL, "a share threshold is over 100%%");
    vigil_video_matcher *m = calloc(1, sizeof *m);
    if (!m) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    pthread_mutex_init(&m->mu, NULL);
    m->st = st;
    m->default_d = m->radius = o.max_distance;
    m->floor = o.quality_floor;
    m->minq = o.min_query_share;
    m->minb = o.min_bank_share;
    m->both = o.require_both;
    m->phase = o.phase_robust;
    vigil_bank_info *banks = NULL;
    size_t nb = 0;
    vigil_status rc = vigil_bank_list(st, &banks, &nb, err);
    if (rc != VIGIL_OK) goto out;
    for (size_t i = 0; i < nb; i++) {
        int selected = o.n_banks == 0;
        for (size_t k = 0; k < o.n_banks; k++) selected |= strcmp(o.banks[k], banks[i].name) == 0;
        if (selected && banks[i].enabled && banks[i].max_distance > m->radius) m->radius = banks[i].max_distance;
    }
    load_ctx lc = {m, banks, nb, &o, 0};
    rc = vigil_bank_scan(st, VIGIL_SIGNAL_VIDEO, o.banks, o.n_banks, load_video, &lc, err);
    if (rc == VIGIL_OK && lc.failed) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the bank videos");
    if (rc == VIGIL_OK) rc = vigil_index_new(&m->idx, err);
    if (rc != VIGIL_OK) goto out;
    if (m->nf) {
        int64_t *ids = malloc(m->nf * sizeof *ids);
        if (!ids) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
        for (size_t i = 0; i < m->nf; i++) ids[i] = (int64_t)i;
        rc = vigil_index_add(m->idx, m->fhash, ids, m->nf, err);
        free(ids);
    }
    free(m->fhash);
    m->fhash = NULL;
out:
    free(banks);
    if (rc != VIGIL_OK) {
        vigil_video_matcher_free(m);
        return rc;
    }
    *out = m;
    return VIGIL_OK;
}

/* ---- querying ------------------------------------------------------------ */

typedef struct pair {
    uint32_t video, q, frame;
    int distance;
} pair;

typedef struct pairbuf {
    const vigil_video_matcher *m;
    pair *p;
    size_t n, cap;
    uint32_t q;
    int failed;
} pairbuf;

static int on_hit(void *ctx, const vigil_index_hit *hit) {
    pairbuf *b = ctx;
    uint32_t f = (uint32_t)hit->id;
    uint32_t v = b->m->fvideo[f];
    if (hit->distance > b->m->limit[v]) return 0;
    if (b->n == b->cap) {
        size_t n = b->cap ? b->cap * 2 : 256;
        pair *np = realloc(b->p, n * sizeof *np);
        if (!np) return b->failed = 1;
        b->p = np;
        b->cap = n;
    }
    b->p[b->n++] = (pair){v, b->q, f, hit->distance};
    return 0;
}

static int cmp_pair(const void *a, const void *b) {
    const pair *x = a, *y = b;
    if (x->video != y->video) return x->video < y->video ? -1 : 1;
    if (x->q != y->q) return x->q < y->q ? -1 : 1;
    return (x->frame > y->frame) - (x->frame < y->frame);
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double best_share(const vigil_video_match *x) {
    return x->query_share > x->bank_share ? x->query_share : x->bank_share;
}

static int cmp_match(const void *a, const void *b) {
    const vigil_video_match *x = a, *y = b;
    double sx = best_share(x), sy = best_share(y);
    if (sx != sy) return sx > sy ? -1 : 1;
    return (x->entry_id > y->entry_id) - (x->entry_id < y->entry_id);
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Append the bank video's entry (looked up in the store; while it is
 * unreachable, its copy from an earlier hit) to res. */
static vigil_status add_match(vigil_video_matcher *m, const vigil_video_match *x, vigil_video_match_result *res,
                              vigil_err *err) {
    vigil_entry e;
    pthread_mutex_lock(&m->mu);
    vigil_status rc =
        vigil__seen_entry(&m->seen, vigil_bank_entry_get(m->st, x->entry_id, &e, err), x->entry_id, &e, err);
    pthread_mutex_unlock(&m->mu);
    if (rc == VIGIL_ENOENT) return VIGIL_OK; /* removed since the matcher loaded */
    if (rc != VIGIL_OK) return rc;
    vigil_video_match *nm = realloc(res->matches, (res->n + 1) * sizeof *nm);
    if (!nm) {
        vigil_entry_clear(&e);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    res->matches = nm;
    vigil_video_match *y = &res->matches[res->n++];
    *y = *x;
    y->bank_id = e.bank_id;
    y->bank_kind = e.bank_kind;
    y->bank = dup_or_null(e.bank_name);
    y->labels = dup_or_null(e.labels ? e.labels : "");
    y->external_id = dup_or_null(e.external_id);
    if (!y->bank || !y->labels || (e.external_id && !y->external_id))
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_entry_clear(&e);
    return rc;
}

/* The query's usable frames as a side, and each frame's place in it. */
typedef struct qctx {
    vigil__vside side;
    uint32_t *start, *dur;
    uint8_t *uniq, *hit;
    size_t *place; /* q frame -> side index */
    uint8_t *bhit; /* a bank video's frames, maxv of them */
} qctx;

static void qctx_free(qctx *c) {
    free(c->start);
    free(c->dur);
    free(c->uniq);
    free(c->hit);
    free(c->place);
    free(c->bhit);
}

static int qctx_init(qctx *c, const vigil_video_matcher *m, const vigil_video_hash *q) {
    memset(c, 0, sizeof *c);
    size_t k = q->n ? q->n : 1;
    c->start = malloc(k * sizeof *c->start);
    c->dur = malloc(k * sizeof *c->dur);
    c->uniq = calloc(k, 1);
    c->hit = calloc(k, 1);
    c->place = malloc(k * sizeof *c->place);
    c->bhit = calloc(m->maxv ? m->maxv : 1, 1);
    const vigil_pdq **hp = malloc(k * sizeof(const vigil_pdq *));
    if (!c->start || !c->dur || !c->uniq || !c->hit || !c->place || !c->bhit || !hp) {
        free(hp);
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < q->n; i++) {
        c->place[i] = n;
        if (q->frames[i].quality < m->floor) continue;
        c->start[n] = q->frames[i].start_ms;
        c->dur[n] = q->frames[i].duration_ms;
        hp[n] = &q->frames[i].pdq;
        n++;
    }
    int dr = vigil__dedupe(hp, n, c->uniq);
    free(hp);
    c->side = (vigil__vside){c->start, c->dur, c->uniq, c->hit, n, vigil__sample_period_ms(q->fps_milli)};
    return dr;
}

/* A query's own rule (vigil_video_matcher_query_as): for bank videos
 * without a rule of their bank's own, in place of the loaded one. */
typedef struct qrule {
    int rule; /* -1: the loaded rule */
    double minq, minb;
    int phase;
} qrule;

/* Shares of one bank video from its pairs p[0..n) (sorted by query frame),
 * under its bank's rule.  @return 1 when the rule says match. */
static int score(const vigil_video_matcher *m, const qrule *qr, const vigil_video_hash *q, qctx *c, const pair *p,
                 size_t n, double *deltas, vigil_video_match *x) {
    memset(x, 0, sizeof *x);
    uint32_t v = p[0].video, first = m->vfirst[v], nvf = m->vcount[v];
    x->entry_id = m->entry[v];
    x->distance = 257;
    memset(c->hit, 0, c->side.n ? c->side.n : 1);
    memset(c->bhit, 0, nvf ? nvf : 1);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || p[i].q != p[i - 1].q) x->query_frames++;
        c->hit[c->place[p[i].q]] = 1;
        uint32_t bf = p[i].frame - first;
        if (!c->bhit[bf]) x->bank_frames++;
        c->bhit[bf] = 1;
        if (p[i].distance < x->distance) x->distance = p[i].distance;
        deltas[i] = ((double)m->fstart[p[i].frame] - (double)q->frames[p[i].q].start_ms) / 1000.0;
    }
    qsort(deltas, n, sizeof *deltas, cmp_double);
    x->offset = n % 2 ? deltas[n / 2] : (deltas[n / 2 - 1] + deltas[n / 2]) / 2;
    vigil__vside b = {m->fstart + first, m->fdur + first, m->funiq + first, c->bhit, nvf, m->vperiod[v]};
    uint32_t qw, bw;
    vigil__phase_windows(qr->phase, c->side.period_ms, b.period_ms, &qw, &bw);
    x->phase_robust = qw || bw;
    vigil__vside_shares(&c->side, qw, &x->query_share_time, &x->query_share_frames);
    vigil__vside_shares(&b, bw, &x->bank_share_time, &x->bank_share_frames);
    if (qr->rule >= 0 && !m->vbank[v])
        return vigil__rule_decide((vigil_video_rule)qr->rule, qr->minq, qr->minb, m->both, x);
    return vigil__rule_decide((vigil_video_rule)m->vrule[v], m->vminq[v], m->vminb[v], m->both, x);
}

static vigil_status query(vigil_video_matcher *m, const qrule *qr, const vigil_video_hash *q,
                          vigil_video_match_result *res, vigil_err *err) {
    if (!m || !q || !res || (q->n && !q->frames))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_matcher_query: NULL argument");
    memset(res, 0, sizeof *res);
    pairbuf b;
    memset(&b, 0, sizeof b);
    b.m = m;
    qctx qc;
    double *deltas = NULL;
    vigil_status rc = VIGIL_OK;
    if (qctx_init(&qc, m, q) < 0) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < q->n && rc == VIGIL_OK; i++) {
        if (q->frames[i].quality < m->floor) continue;
        res->usable++;
        b.q = (uint32_t)i;
        rc = vigil_index_query(m->idx, &q->frames[i].pdq, m->radius, on_hit, &b, err);
        if (b.failed) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    res->low_quality = res->usable == 0;
    if (rc != VIGIL_OK || b.n == 0) goto out;
    qsort(b.p, b.n, sizeof *b.p, cmp_pair);
    deltas = malloc(b.n * sizeof *deltas);
    if (!deltas) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < b.n && rc == VIGIL_OK;) {
        size_t j = i;
        while (j < b.n && b.p[j].video == b.p[i].video) j++;
        vigil_video_match x;
        if (score(m, qr, q, &qc, b.p + i, j - i, deltas, &x)) rc = add_match(m, &x, res, err);
        i = j;
    }
    if (rc != VIGIL_OK) goto out;
    VIGIL__KEEP_ALLOW_ONLY(res);
    if (res->n > 1) qsort(res->matches, res->n, sizeof *res->matches, cmp_match);
out:
    free(b.p);
    qctx_free(&qc);
    free(deltas);
    if (rc != VIGIL_OK) {
        size_t usable = res->usable;
        vigil_video_match_result_clear(res);
        res->usable = usable;
    }
    return rc;
}

vigil_status vigil_video_matcher_query(vigil_video_matcher *m, const vigil_video_hash *q,
                                       vigil_video_match_result *res, vigil_err *err) {
    qrule qr = {-1, 0, 0, m ? m->phase : 0};
    return query(m, &qr, q, res, err);
}

vigil_status vigil_video_matcher_query_as(vigil_video_matcher *m, const vigil_video_hash *q, int rule,
                                          int phase_robust, vigil_video_match_result *res, vigil_err *err) {
    if (rule > (int)VIGIL_VRULE_README)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown video match rule %d", rule);
    qrule qr = {rule < 0 ? -1 : rule, -1, -1, phase_robust < 0 ? (m ? m->phase : 0) : phase_robust != 0};
    if (rule >= 0) vigil__rule_defaults((vigil_video_rule)rule, &qr.minq, &qr.minb);
    return query(m, &qr, q, res, err);
}
