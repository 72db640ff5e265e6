/*
 * src/case/report.c - the figures of an operation ("2,068 items in 6
 * languages on 52 platforms", removal rate, time to removal, per platform)
 * and the TCO Regulation's Article 7 transparency figures for a year.
 * Every figure is a query over the store: nothing is typed in.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"

/* Median (mean of the two middle values when even) and the 90th percentile
 * (nearest rank: the smallest value with at least 90% at or below it) of
 * sorted v[0..n). */
static json_t *median_of(const int64_t *v, size_t n) {
    if (!n) return json_null();
    if (n % 2) return json_integer(v[n / 2]);
    return json_integer((v[n / 2 - 1] + v[n / 2]) / 2);
}

static json_t *p90_of(const int64_t *v, size_t n) {
    if (!n) return json_null();
    size_t rank = (size_t)ceil(0.9 * (double)n);
    if (rank < 1) rank = 1;
    return json_integer(v[rank - 1]);
}

/* ---- the operation's figures in four passes -------------------------------------------
 * One pass over the operation's items (states, types, affiliations,
 * outlets, platforms, re-uploads: a covering index, no table row read), one
 * over its items' languages, one over its items' reports (both by id range
 * when the operation's ids are dense), one over its referrals' items
 * (referred, removal times); small lookups name the platforms and agencies
 * met.  Counting
 * happens here, in maps with the order of the SQL it replaces ("ORDER BY n
 * DESC, k": most first, then by key in byte order, NULL first), so that
 * every figure is what the earlier GROUP BY queries gave (tests/test_case.c
 * compares both on a generated operation). */

/* Counts by text key (NULL kept apart): an open-addressing table of copied
 * keys, with the slot of the last key counted tried first (the item pass
 * reads its rows in index order, so equal keys come in runs). */
typedef struct tally_slot {
    char *key; /* NULL: free */
    uint32_t hash;
    int64_t n;
} tally_slot;

typedef struct tally {
    tally_slot *s;
    size_t len, cap; /* cap: 0 or a power of two, at most half full */
    size_t last;     /* the slot of the last key counted (valid when len) */
    int64_t null_n;
} tally;

static uint32_t str_hash(const char *k) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *k; k++) h = (h ^ (unsigned char)*k) * 16777619u;
    return h;
}

/* The slot of `key` (hash h), or the free slot where it would go. */
static size_t tally_find(const tally *t, const char *key, uint32_t h) {
    size_t i = h & (t->cap - 1);
    while (t->s[i].key && (t->s[i].hash != h || strcmp(t->s[i].key, key) != 0))
        i = (i + 1) & (t->cap - 1);
    return i;
}

static int tally_grow(tally *t) {
    size_t cap = t->cap ? t->cap * 2 : 16;
    tally_slot *s = calloc(cap, sizeof *s);
    if (!s) return -1;
    tally old = *t;
    t->s = s;
    t->cap = cap;
    for (size_t i = 0; i < old.cap; i++)
        if (old.s[i].key) t->s[tally_find(t, old.s[i].key, old.s[i].hash)] = old.s[i];
    free(old.s);
    return 0;
}

/* Adds `by` to key's count (NULL: the NULL key).  @return 0, -1 out of memory. */
static int tally_add_n(tally *t, const char *key, int64_t by) {
    if (!key) {
        t->null_n += by;
        return 0;
    }
    if (t->len && strcmp(t->s[t->last].key, key) == 0) {
        t->s[t->last].n += by;
        return 0;
    }
    uint32_t h = str_hash(key);
    size_t i = t->cap ? tally_find(t, key, h) : 0;
    if (!t->cap || !t->s[i].key) {
        if (2 * (t->len + 1) > t->cap) {
            if (tally_grow(t)) return -1;
            i = tally_find(t, key, h);
        }
        t->s[i].key = strdup(key);
        if (!t->s[i].key) return -1;
        t->s[i].hash = h;
        t->s[i].n = 0;
        t->len++;
    }
    t->s[i].n += by;
    t->last = i;
    return 0;
}

static int tally_add(tally *t, const char *key) { return tally_add_n(t, key, 1); }

static int64_t tally_get(const tally *t, const char *key) {
    if (!t->cap) return 0;
    size_t i = tally_find(t, key, str_hash(key));
    return t->s[i].key ? t->s[i].n : 0;
}

static void tally_free(tally *t) {
    for (size_t i = 0; i < t->cap; i++) free(t->s[i].key);
    free(t->s);
}

typedef struct tally_entry {
    const char *key; /* NULL: the NULL key */
    int64_t n;
} tally_entry;

static int cmp_entry(const void *pa, const void *pb) {
    const tally_entry *a = pa, *b = pb;
    if (a->n != b->n) return a->n > b->n ? -1 : 1;
    if (!a->key || !b->key) return a->key ? 1 : b->key ? -1 : 0;
    return strcmp(a->key, b->key);
}

/* {key: n} in the order of "ORDER BY n DESC, k" ("(none)" for NULL), or
 * NULL (out of memory, or a key that is not UTF-8). */
static json_t *tally_json(const tally *t) {
    size_t n = t->len + (t->null_n ? 1 : 0), m = 0;
    tally_entry *e = malloc((n ? n : 1) * sizeof *e);
    json_t *out = json_object();
    if (!e || !out) {
        free(e);
        json_decref(out);
        return NULL;
    }
    for (size_t i = 0; i < t->cap; i++)
        if (t->s[i].key) e[m++] = (tally_entry){t->s[i].key, t->s[i].n};
    if (t->null_n) e[m++] = (tally_entry){NULL, t->null_n};
    qsort(e, m, sizeof *e, cmp_entry);
    int bad = 0;
    for (size_t i = 0; i < m; i++)
        bad |= json_object_set_new(out, e[i].key ? e[i].key : "(none)", json_integer(e[i].n));
    free(e);
    if (bad) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* Counts by integer key (platform and agency ids: few), kept sorted; the
 * slot of the last key met tried first. */
typedef struct imap {
    int64_t *k, *n;
    size_t len, cap, last;
} imap;

static int64_t *imap_slot(imap *m, int64_t key) {
    if (m->last < m->len && m->k[m->last] == key) return &m->n[m->last];
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->k[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    m->last = lo;
    if (lo < m->len && m->k[lo] == key) return &m->n[lo];
    if (m->len == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        int64_t *k = realloc(m->k, cap * sizeof *k);
        if (!k) return NULL;
        m->k = k;
        int64_t *n = realloc(m->n, cap * sizeof *n);
        if (!n) return NULL;
        m->n = n;
        m->cap = cap;
    }
    memmove(m->k + lo + 1, m->k + lo, (m->len - lo) * sizeof *m->k);
    memmove(m->n + lo + 1, m->n + lo, (m->len - lo) * sizeof *m->n);
    m->k[lo] = key;
    m->n[lo] = 0;
    m->len++;
    return &m->n[lo];
}

static int imap_add(imap *m, int64_t key, int64_t by) {
    int64_t *s = imap_slot(m, key);
    if (!s) return -1;
    *s += by;
    return 0;
}

static int64_t imap_get(const imap *m, int64_t key) {
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->k[mid] < key) lo = mid + 1;
        else hi = mid;
    }
    return lo < m->len && m->k[lo] == key ? m->n[lo] : 0;
}

static void imap_free(imap *m) {
    free(m->k);
    free(m->n);
}

/* A referral row: the platform referred to, the item, its removal time. */
typedef struct ref_row {
    int64_t pid, item, s;
    int removed;
} ref_row;

/* A referral of the operation: its id, platform and sending time (its
 * text, and epoch seconds when `sent_ok`). */
typedef struct ref_head {
    int64_t id, pid, sent;
    int sent_ok;
    char *sent_text;
} ref_head;

/* A removal time the store reads (its text not in the form parsed here):
 * refs[at].s = unixepoch(resp) - unixepoch(head's sent_at). */
typedef struct ref_late {
    size_t at, head;
    char *resp;
} ref_late;

typedef struct report_acc {
    tally by_type, by_affil, by_outlet, by_state, by_lang;
    imap plat_items, plat_removed, item_agencies, report_agencies;
    int64_t items, reuploads, reports;
    /* the items' ids and agencies (pass 1), for the range passes */
    int64_t *ids, *agencies;
    size_t n_ids, cap_ids;
    int64_t lo, hi;          /* the smallest and largest id */
    int64_t *agency_of;      /* [id - lo]: the item's agency (0: none) */
    uint8_t *in_op;          /* [id - lo]: 1 the operation's, 2 and reported */
    ref_row *refs;
    size_t n_refs, cap_refs;
    ref_head *heads;
    size_t n_heads, cap_heads, last_head;
    ref_late *late;
    size_t n_late, cap_late;
    int oom;
} report_acc;

/* The array `a` (*cap elements of `size` bytes) moved to twice the room
 * (`first` elements when it has none), *cap updated; NULL when out of
 * memory (then `a` and *cap are unchanged). */
static void *grow(void *a, size_t *cap, size_t size, size_t first) {
    size_t n = *cap ? *cap * 2 : first;
    void *p = realloc(a, n * size);
    if (p) *cap = n;
    return p;
}

static vigil_status acc_oom(report_acc *c, int bad, vigil_err *err) {
    if (!bad) return VIGIL_OK;
    c->oom = 1;
    return vigil__err_set(err, VIGIL_ENOMEM, "out of memory counting the report");
}

static const char sql_rep_items[] =
    "SELECT platform_id, state, type, affiliation, outlet, reupload_of IS NOT NULL, id, "
    "agency_id FROM item WHERE operation_id = ?1";

static vigil_status rep_item_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    int64_t pid = vigil__row_int(r, 0);
    const char *state = vigil__row_text(r, 1);
    if (c->n_ids == c->cap_ids) {
        size_t cap = c->cap_ids ? c->cap_ids * 2 : 1024;
        int64_t *ids = realloc(c->ids, cap * sizeof *ids);
        if (!ids) return acc_oom(c, 1, err);
        c->ids = ids;
        int64_t *ag = realloc(c->agencies, cap * sizeof *ag);
        if (!ag) return acc_oom(c, 1, err);
        c->agencies = ag;
        c->cap_ids = cap;
    }
    int64_t id = vigil__row_int(r, 6);
    c->ids[c->n_ids] = id;
    c->agencies[c->n_ids++] = vigil__row_is_null(r, 7) ? 0 : vigil__row_int(r, 7);
    if (c->items == 0 || id < c->lo) c->lo = id;
    if (c->items == 0 || id > c->hi) c->hi = id;
    c->items++;
    c->reuploads += vigil__row_int(r, 5) ? 1 : 0;
    int bad = tally_add(&c->by_state, state) | tally_add(&c->by_type, vigil__row_text(r, 2)) |
              tally_add(&c->by_affil, vigil__row_text(r, 3)) |
              tally_add(&c->by_outlet, vigil__row_text(r, 4)) | imap_add(&c->plat_items, pid, 1) |
              imap_add(&c->plat_removed, pid, state && strcmp(state, "removed") == 0);
    return acc_oom(c, bad, err);
}

static const char sql_rep_langs[] =
    "SELECT l.lang FROM item i CROSS JOIN item_language l WHERE i.operation_id = ?1 AND "
    "l.item_id = i.id";

static vigil_status rep_lang_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    return acc_oom(c, tally_add(&c->by_lang, vigil__row_text(r, 0)), err);
}

/* the item's agency (reporting_agencies) and the report's (reports_by_agency) */
static const char sql_rep_reports[] =
    "SELECT i.agency_id, x.agency_id FROM item i CROSS JOIN item_report x WHERE i.operation_id "
    "= ?1 AND x.item_id = i.id";

static vigil_status rep_report_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    c->reports++;
    int bad = 0;
    if (!vigil__row_is_null(r, 0)) bad |= imap_add(&c->item_agencies, vigil__row_int(r, 0), 1);
    if (!vigil__row_is_null(r, 1)) bad |= imap_add(&c->report_agencies, vigil__row_int(r, 1), 1);
    return acc_oom(c, bad, err);
}

/* The range passes: when the operation's ids are dense (most of [lo, hi]
 * is the operation's, as an action day filed in one go), its languages and
 * reports are read by one walk of an id range of their indexes, each row
 * kept when its item is the operation's, instead of one index seek per
 * item; sparse operations take the joins above. */
#define REPORT_DENSE_SLACK 64

static const char sql_rep_langs_range[] =
    "SELECT item_id, lang FROM item_language WHERE item_id BETWEEN ?1 AND ?2";

static vigil_status rep_lang_range_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    int64_t id = vigil__row_int(r, 0);
    if (id < c->lo || id > c->hi || !c->in_op[id - c->lo]) return VIGIL_OK;
    return acc_oom(c, tally_add(&c->by_lang, vigil__row_text(r, 1)), err);
}

static const char sql_rep_reports_range[] =
    "SELECT item_id, agency_id FROM item_report WHERE item_id BETWEEN ?1 AND ?2";

static vigil_status rep_report_range_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    int64_t id = vigil__row_int(r, 0);
    if (id < c->lo || id > c->hi || !c->in_op[id - c->lo]) return VIGIL_OK;
    c->reports++;
    c->in_op[id - c->lo] = 2;
    if (vigil__row_is_null(r, 1)) return VIGIL_OK;
    return acc_oom(c, imap_add(&c->report_agencies, vigil__row_int(r, 1), 1), err);
}

/* Languages and reports of the operation's items: by id ranges when dense. */
static vigil_status lang_report_passes(vigil_store *st, report_acc *c, int64_t op,
                                       vigil_err *err) {
    size_t range = c->items ? (size_t)(c->hi - c->lo) + 1 : 0;
    if (!c->items || range > 4 * (size_t)c->items + REPORT_DENSE_SLACK) {
        vigil_status rc = vigil__q_each(st, sql_rep_langs, rep_lang_row, c, err, "i", op);
        if (rc == VIGIL_OK) rc = vigil__q_each(st, sql_rep_reports, rep_report_row, c, err, "i", op);
        return rc;
    }
    c->in_op = calloc(range, 1);
    c->agency_of = calloc(range, sizeof *c->agency_of);
    if (!c->in_op || !c->agency_of) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t i = 0; i < c->n_ids; i++) {
        c->in_op[c->ids[i] - c->lo] = 1;
        c->agency_of[c->ids[i] - c->lo] = c->agencies[i];
    }
    vigil_status rc = vigil__q_each(st, sql_rep_langs_range, rep_lang_range_row, c, err, "ii",
                                    c->lo, c->hi);
    if (rc == VIGIL_OK)
        rc = vigil__q_each(st, sql_rep_reports_range, rep_report_range_row, c, err, "ii", c->lo,
                           c->hi);
    /* reporting agencies: the agencies of the items that have a report */
    for (size_t i = 0; rc == VIGIL_OK && i < range; i++)
        if (c->in_op[i] == 2 && c->agency_of[i] && imap_add(&c->item_agencies, c->agency_of[i], 1))
            rc = acc_oom(c, 1, err);
    return rc;
}

/* Seconds since 1970 of "YYYY-MM-DDTHH:MM:SSZ" (the store's own form of a
 * time) into *out; @return 0 for any other text (or a day the month does
 * not have), which the store's unixepoch() then reads. */
static int epoch_of(const char *t, int64_t *out) {
    static const char form[] = "dddd-dd-ddTdd:dd:ddZ";
    for (size_t i = 0; i < sizeof form; i++) {
        if (form[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != form[i]) return 0;
    }
#define DIG2(i) ((t[i] - '0') * 10 + (t[(i) + 1] - '0'))
    int64_t y = DIG2(0) * 100 + DIG2(2);
    int mo = DIG2(5), d = DIG2(8), hh = DIG2(11), mi = DIG2(14), ss = DIG2(17);
#undef DIG2
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
        hh > 23 || mi > 59 || ss > 59)
        return 0;
    /* days since 1970-01-01 of a proleptic Gregorian date (civil calendar) */
    int64_t yy = y - (mo <= 2), era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400, mp = (mo + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + d - 1, doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    *out = days * 86400 + hh * 3600 + mi * 60 + ss;
    return 1;
}

/* The operation's referrals: their platforms and sending times. */
static const char sql_rep_heads[] =
    "SELECT id, platform_id, sent_at FROM referral WHERE operation_id = ?1";

static vigil_status rep_head_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    if (c->n_heads == c->cap_heads) {
        ref_head *n = grow(c->heads, &c->cap_heads, sizeof *n, 64);
        if (!n) return acc_oom(c, 1, err);
        c->heads = n;
    }
    ref_head *h = &c->heads[c->n_heads];
    const char *sent = vigil__row_text(r, 2);
    *h = (ref_head){vigil__row_int(r, 0), vigil__row_int(r, 1), 0, 0, NULL};
    h->sent_ok = sent && epoch_of(sent, &h->sent);
    if (sent && !(h->sent_text = strdup(sent))) return acc_oom(c, 1, err);
    c->n_heads++;
    return VIGIL_OK;
}

static int cmp_head(const void *pa, const void *pb) {
    const ref_head *a = pa, *b = pb;
    return (a->id > b->id) - (a->id < b->id);
}

/* The referrals' items: removed or not, and the answer's time when removed. */
static const char sql_rep_refs[] =
    "SELECT ri.referral_id, ri.item_id, ri.response = 'removed', CASE WHEN ri.response = "
    "'removed' THEN ri.responded_at END FROM referral f CROSS JOIN referral_item ri WHERE "
    "f.operation_id = ?1 AND ri.referral_id = f.id";

static vigil_status rep_ref_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    int64_t rid = vigil__row_int(r, 0);
    size_t h = c->last_head;
    if (h >= c->n_heads || c->heads[h].id != rid) { /* rows come by referral: rarely */
        size_t lo = 0, hi = c->n_heads;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (c->heads[mid].id < rid) lo = mid + 1;
            else hi = mid;
        }
        if (lo == c->n_heads || c->heads[lo].id != rid) return VIGIL_OK; /* not possible */
        c->last_head = h = lo;
    }
    if (c->n_refs == c->cap_refs) {
        ref_row *n = grow(c->refs, &c->cap_refs, sizeof *n, 1024);
        if (!n) return acc_oom(c, 1, err);
        c->refs = n;
    }
    const ref_head *f = &c->heads[h];
    ref_row *row = &c->refs[c->n_refs];
    *row = (ref_row){f->pid, vigil__row_int(r, 1), 0, (int)vigil__row_int(r, 2)};
    const char *resp = row->removed ? vigil__row_text(r, 3) : NULL;
    int64_t t = 0;
    /* a removal time that is not a time counts as 0, as it always did */
    if (resp && f->sent_ok && epoch_of(resp, &t)) {
        row->s = t - f->sent;
    } else if (resp && f->sent_text) { /* another form: the store reads it */
        if (c->n_late == c->cap_late) {
            ref_late *n = grow(c->late, &c->cap_late, sizeof *n, 16);
            if (!n) return acc_oom(c, 1, err);
            c->late = n;
        }
        ref_late *l = &c->late[c->n_late];
        l->at = c->n_refs;
        l->head = h;
        l->resp = strdup(resp);
        if (!l->resp) return acc_oom(c, 1, err);
        c->n_late++;
    }
    c->n_refs++;
    return VIGIL_OK;
}

static vigil_status rep_late_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    int64_t *s = ctx;
    *s = vigil__row_is_null(r, 0) ? 0 : vigil__row_int(r, 0);
    return VIGIL_OK;
}

/* The referral pass: the referrals, then their items; the removal times
 * in another form than epoch_of reads are read by the store's unixepoch(). */
static vigil_status ref_pass(vigil_store *st, report_acc *c, int64_t op, vigil_err *err) {
    vigil_status rc = vigil__q_each(st, sql_rep_heads, rep_head_row, c, err, "i", op);
    if (rc != VIGIL_OK) return rc;
    if (c->n_heads) qsort(c->heads, c->n_heads, sizeof *c->heads, cmp_head);
    rc = vigil__q_each(st, sql_rep_refs, rep_ref_row, c, err, "i", op);
    for (size_t i = 0; rc == VIGIL_OK && i < c->n_late; i++) {
        rc = vigil__q_each(st, "SELECT unixepoch(?1) - unixepoch(?2)", rep_late_row,
                           &c->refs[c->late[i].at].s, err, "tt", c->late[i].resp,
                           c->heads[c->late[i].head].sent_text);
    }
    return rc;
}

/* Sorts v[0..n) ascending (LSD radix sort on the bytes of the order-keeping
 * unsigned form; qsort for few).  @return 0, -1 out of memory. */
static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int sort_i64(int64_t *v, size_t n) {
    if (n < 256) {
        if (n > 1) qsort(v, n, sizeof *v, cmp_i64);
        return 0;
    }
    uint64_t *tmp = malloc(n * sizeof *tmp), *src = (uint64_t *)v, *dst = tmp;
    if (!tmp) return -1;
    const uint64_t flip = (uint64_t)1 << 63;
    for (size_t i = 0; i < n; i++) src[i] ^= flip;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t cnt[256] = {0};
        for (size_t i = 0; i < n; i++) cnt[(src[i] >> shift) & 255]++;
        if (cnt[(src[0] >> shift) & 255] == n) continue; /* one value of this byte */
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t k = cnt[b];
            cnt[b] = pos;
            pos += k;
        }
        for (size_t i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & 255]++] = src[i];
        uint64_t *x = src;
        src = dst;
        dst = x;
    }
    if (src != (uint64_t *)v) memcpy(v, src, n * sizeof *v);
    for (size_t i = 0; i < n; i++) ((uint64_t *)v)[i] ^= flip;
    free(tmp);
    return 0;
}

/* A set of (item, platform index) pairs, -1 the index of "any platform";
 * open addressing, sized once for `n` pairs. */
typedef struct pairset {
    int64_t *item;
    int32_t *pi; /* INT32_MIN: free */
    size_t mask;
} pairset;

static int pairset_init(pairset *p, size_t n) {
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    p->mask = cap - 1;
    p->item = malloc(cap * sizeof *p->item);
    p->pi = malloc(cap * sizeof *p->pi);
    if (!p->item || !p->pi) return -1;
    for (size_t i = 0; i < cap; i++) p->pi[i] = INT32_MIN;
    return 0;
}

/* @return 1 when (item, pi) was not in the set yet (it is now), 0 when it was. */
static int pairset_add(pairset *p, int64_t item, int32_t pi) {
    uint64_t h = ((uint64_t)item * 0x9E3779B97F4A7C15u) ^ ((uint64_t)(uint32_t)pi * 0xC2B2AE3D27D4EB4Fu);
    size_t i = (size_t)(h >> 32) & p->mask;
    for (; p->pi[i] != INT32_MIN; i = (i + 1) & p->mask)
        if (p->item[i] == item && p->pi[i] == pi) return 0;
    p->item[i] = item;
    p->pi[i] = pi;
    return 1;
}

static void pairset_free(pairset *p) {
    free(p->item);
    free(p->pi);
}

static int64_t int_of(json_t *o, const char *k) { return json_integer_value(json_object_get(o, k)); }

/* ASCII-only case folding, as SQLite's NOCASE. */
static int nocase_cmp(const char *a, const char *b) {
    for (;; a++, b++) {
        int x = (unsigned char)*a, y = (unsigned char)*b;
        if (x >= 'A' && x <= 'Z') x += 32;
        if (y >= 'A' && y <= 'Z') y += 32;
        if (x != y || !x) return x - y;
    }
}

static int cmp_plat_row(const void *pa, const void *pb) {
    json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    int64_t x = int_of(a, "items"), y = int_of(b, "items");
    if (x != y) return x > y ? -1 : 1;
    return nocase_cmp(json_string_value(json_object_get(a, "platform")),
                      json_string_value(json_object_get(b, "platform")));
}

/* removals by whole hours since referral (the dashboard's distribution and its
 * removals-over-time curve) from sorted all[0..n); 72 h and later in the last bucket */
static json_t *hours_of(const int64_t *all, size_t n) {
    size_t nb = n ? (size_t)(all[n - 1] > 0 ? all[n - 1] / 3600 + 1 : 1) : 0;
    if (nb > 73) nb = 73;
    json_t *hours = json_array();
    int64_t *cnt = calloc(nb ? nb : 1, sizeof *cnt);
    for (size_t i = 0; cnt && i < n; i++) {
        size_t hb = all[i] > 0 ? (size_t)(all[i] / 3600) : 0;
        cnt[hb < nb ? hb : nb - 1]++;
    }
    for (size_t i = 0; cnt && i < nb; i++) json_array_append_new(hours, json_integer(cnt[i]));
    free(cnt);
    return hours;
}

/* Distinct (item, platform) pairs: by stamps over the operation's id range
 * when its ids are dense and every referred item lies in it, else by a set. */
typedef struct distinct {
    pairset set;
    int64_t lo;
    size_t range;
    uint8_t *any;    /* [id - lo]: referred to some platform */
    uint32_t *last;  /* [id - lo]: the last platform group (index + 1) that met it */
} distinct;

static int distinct_init(distinct *d, const report_acc *c) {
    memset(d, 0, sizeof *d);
    int dense = c->in_op != NULL;
    for (size_t i = 0; dense && i < c->n_refs; i++)
        dense = c->refs[i].item >= c->lo && c->refs[i].item <= c->hi;
    if (!dense) return pairset_init(&d->set, 2 * c->n_refs);
    d->lo = c->lo;
    d->range = (size_t)(c->hi - c->lo) + 1;
    d->any = calloc(d->range, 1);
    d->last = calloc(d->range, sizeof *d->last);
    return d->any && d->last ? 0 : -1;
}

/* @return 1 when `item` was not met yet (overall: k -1; else in platform
 * group k, the groups taken one after the other), 0 when it was. */
static int distinct_add(distinct *d, int64_t item, int32_t k) {
    if (!d->range) return pairset_add(&d->set, item, k);
    size_t x = (size_t)(item - d->lo);
    if (k < 0) {
        int fresh = !d->any[x];
        d->any[x] = 1;
        return fresh;
    }
    int fresh = d->last[x] != (uint32_t)k + 1;
    d->last[x] = (uint32_t)k + 1;
    return fresh;
}

static void distinct_free(distinct *d) {
    pairset_free(&d->set);
    free(d->any);
    free(d->last);
}

/* The referral figures: referred (distinct items), per platform referred and
 * median, the overall median, 90th percentile and hours. */
static vigil_status ref_figures(report_acc *c, json_t *r, json_t *plats, vigil_err *err) {
    size_t n = c->n_refs, np = json_array_size(plats);
    imap at = {0}; /* platform id -> its index in plats + 1 */
    distinct seen;
    int64_t *all = malloc((n ? n : 1) * sizeof *all), *by_p = malloc((n ? n : 1) * sizeof *by_p);
    size_t *ord = malloc((n ? n : 1) * sizeof *ord);
    int32_t *pi_of = malloc((n ? n : 1) * sizeof *pi_of);
    size_t *start = calloc(np + 2, sizeof *start), *pend = calloc(np + 1, sizeof *pend);
    vigil_status rc = VIGIL_OK;
    int bad = distinct_init(&seen, c);
    bad = bad || !all || !by_p || !ord || !pi_of || !start || !pend;
    size_t k;
    json_t *p;
    json_array_foreach(plats, k, p) bad = bad || imap_add(&at, int_of(p, "pid"), (int64_t)k + 1);
    if (bad) goto oom;
    /* distinct items overall, the removal times overall; the rows grouped
     * by platform (counted first: group 0, a platform of no item, then
     * plats' order) */
    int64_t referred = 0;
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        const ref_row *f = &c->refs[i];
        pi_of[i] = (int32_t)imap_get(&at, f->pid); /* 0: a platform of no item */
        start[pi_of[i] + 1]++;
        referred += distinct_add(&seen, f->item, -1);
        if (f->removed) all[na++] = f->s;
    }
    for (size_t j = 1; j < np + 2; j++) start[j] += start[j - 1];
    for (size_t i = 0; i < n; i++) ord[start[pi_of[i]]++] = i;
    /* per platform: distinct items, and its removal times by_p[pend[k-1]..pend[k]) */
    size_t m = 0, i = start[0];
    for (k = 0; k < np; k++) {
        int64_t pref = 0;
        for (; i < start[k + 1]; i++) {
            const ref_row *f = &c->refs[ord[i]];
            pref += distinct_add(&seen, f->item, (int32_t)k);
            if (f->removed) by_p[m++] = f->s;
        }
        pend[k] = m;
        p = json_array_get(plats, k);
        size_t from = k ? pend[k - 1] : 0;
        if (sort_i64(by_p + from, m - from)) goto oom;
        json_object_del(p, "pid");
        json_object_set_new(p, "referred", json_integer(pref));
        json_object_set_new(p, "removal_rate",
                            json_real(pref ? (double)int_of(p, "removed") / (double)pref : 0.0));
        json_object_set_new(p, "median_removal_seconds", median_of(by_p + from, m - from));
    }
    if (sort_i64(all, na)) goto oom;
    json_object_set_new(r, "referred", json_integer(referred));
    json_object_set_new(r, "median_removal_seconds", median_of(all, na));
    json_object_set_new(r, "p90_removal_seconds", p90_of(all, na));
    json_object_set_new(r, "removals_by_hour", hours_of(all, na));
    goto out;
oom:
    rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory counting the report's referrals");
out:
    free(all);
    free(by_p);
    free(ord);
    free(pi_of);
    free(start);
    free(pend);
    imap_free(&at);
    distinct_free(&seen);
    return rc;
}

/* The per-platform rows (platform, status, items, removed; pid until
 * ref_figures), most items first, and the platforms and new platforms. */
static vigil_status plat_rows(vigil_store *st, report_acc *c, json_t **out, int64_t *n_new,
                              vigil_err *err) {
    *out = NULL;
    *n_new = 0;
    json_t **rows = calloc(c->plat_items.len ? c->plat_items.len : 1, sizeof(json_t *));
    if (!rows) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_status rc = VIGIL_OK;
    size_t m = 0;
    for (size_t i = 0; rc == VIGIL_OK && i < c->plat_items.len; i++) {
        int64_t pid = c->plat_items.k[i];
        json_t *p = NULL;
        rc = vigil__q_json_one(st,
                               "SELECT name AS platform, status, discovered FROM platform WHERE id "
                               "= ?1",
                               &p, err, "i", pid);
        if (rc == VIGIL_ENOENT) rc = VIGIL_OK; /* not possible: item.platform_id is a key */
        if (rc != VIGIL_OK || !p) continue;
        *n_new += int_of(p, "discovered") == 1;
        json_object_del(p, "discovered");
        json_object_set_new(p, "items", json_integer(c->plat_items.n[i]));
        json_object_set_new(p, "removed", json_integer(imap_get(&c->plat_removed, pid)));
        json_object_set_new(p, "pid", json_integer(pid));
        rows[m++] = p;
    }
    qsort(rows, m, sizeof(json_t *), cmp_plat_row);
    json_t *arr = json_array();
    for (size_t i = 0; i < m; i++) json_array_append_new(arr, rows[i]);
    free(rows);
    if (rc != VIGIL_OK) {
        json_decref(arr);
        return rc;
    }
    *out = arr;
    return VIGIL_OK;
}

/* reports_by_agency: {code: n}, most first, then by code. */
static vigil_status agency_tally(vigil_store *st, const imap *m, json_t **out, vigil_err *err) {
    tally t = {0};
    vigil_status rc = VIGIL_OK;
    for (size_t i = 0; rc == VIGIL_OK && i < m->len; i++) {
        char *code = NULL;
        rc = vigil__q_text(st, "SELECT code FROM agency WHERE id = ?1", &code, err, "i", m->k[i]);
        if (rc == VIGIL_ENOENT) {
            rc = VIGIL_OK; /* a report of no agency row: not counted, as the join did */
            continue;
        }
        if (rc == VIGIL_OK && code && tally_add_n(&t, code, m->n[i]))
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        free(code);
    }
    *out = rc == VIGIL_OK ? tally_json(&t) : NULL;
    tally_free(&t);
    if (rc == VIGIL_OK && !*out) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return rc;
}

vigil_status vigil_report_op(vigil_store *st, const char *by, const char *op, json_t **out,
                             vigil_err *err) {
    *out = NULL;
    case_actor a;
    int64_t id = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_op_find(st, &a, op, &id, err);
    if (rc != VIGIL_OK) return rc;
    report_acc c;
    memset(&c, 0, sizeof c);
    json_t *r = NULL, *plats = NULL;
    int64_t n_new = 0, contents = 0;
    rc = vigil__store_read_begin(st, err); /* one snapshot for every pass */
    if (rc != VIGIL_OK) goto out;
    rc = vigil__q_json_one(st,
                           "SELECT name AS operation, starts_at AS start, ends_at AS end, status "
                           "FROM operation WHERE id = ?1",
                           &r, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__q_each(st, sql_rep_items, rep_item_row, &c, err, "i", id);
    if (rc == VIGIL_OK) rc = lang_report_passes(st, &c, id, err);
    if (rc == VIGIL_OK) rc = ref_pass(st, &c, id, err);
    if (rc == VIGIL_OK)
        rc = vigil__q_int(st,
                          "SELECT count(DISTINCT cluster_id) FROM item WHERE operation_id = ?1",
                          &contents, err, "i", id);
    if (rc == VIGIL_OK) rc = plat_rows(st, &c, &plats, &n_new, err);
    json_t *by_agency = NULL;
    if (rc == VIGIL_OK) rc = agency_tally(st, &c.report_agencies, &by_agency, err);
    vigil__store_read_end(st);
    if (rc != VIGIL_OK) goto out;
    int64_t langs = (int64_t)c.by_lang.len - (tally_get(&c.by_lang, "und") ? 1 : 0);
    json_object_set_new(r, "items", json_integer(c.items));
    json_object_set_new(r, "contents", json_integer(contents));
    json_object_set_new(r, "languages", json_integer(langs));
    json_object_set_new(r, "platforms", json_integer((json_int_t)c.plat_items.len));
    json_object_set_new(r, "new_platforms", json_integer(n_new));
    json_object_set_new(r, "reporting_agencies", json_integer((json_int_t)c.item_agencies.len));
    json_object_set_new(r, "reports", json_integer(c.reports));
    json_object_set_new(r, "referred", json_integer(0)); /* ref_figures sets it */
    json_object_set_new(r, "removed", json_integer(tally_get(&c.by_state, "removed")));
    json_object_set_new(r, "declined", json_integer(tally_get(&c.by_state, "declined")));
    json_object_set_new(r, "no_response", json_integer(tally_get(&c.by_state, "no_response")));
    json_object_set_new(r, "pending", json_integer(tally_get(&c.by_state, "referred")));
    json_object_set_new(r, "held", json_integer(tally_get(&c.by_state, "held")));
    json_object_set_new(r, "rejected", json_integer(tally_get(&c.by_state, "rejected")));
    json_object_set_new(r, "reuploads", json_integer(c.reuploads));
    json_object_set_new(r, "referrals", json_integer((json_int_t)c.n_heads));
    json_object_set_new(r, "removal_rate", json_real(0.0));
    const struct {
        const char *key;
        const tally *t;
    } tallies[] = {{"by_language", &c.by_lang}, {"by_type", &c.by_type},
                   {"by_affiliation", &c.by_affil}, {"by_outlet", &c.by_outlet},
                   {"by_state", &c.by_state}};
    for (size_t i = 0; rc == VIGIL_OK && i < sizeof tallies / sizeof tallies[0]; i++) {
        json_t *v = tally_json(tallies[i].t);
        if (!v || json_object_set_new(r, tallies[i].key, v))
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory (the report's %s)",
                                tallies[i].key);
    }
    json_object_set_new(r, "reports_by_agency", by_agency);
    if (rc == VIGIL_OK) rc = ref_figures(&c, r, plats, err);
    if (rc == VIGIL_OK) {
        int64_t referred = int_of(r, "referred");
        json_object_set_new(r, "removal_rate",
                            json_real(referred ? (double)int_of(r, "removed") / (double)referred : 0.0));
        json_object_set(r, "per_platform", plats);
    }
out:
    tally_free(&c.by_type);
    tally_free(&c.by_affil);
    tally_free(&c.by_outlet);
    tally_free(&c.by_state);
    tally_free(&c.by_lang);
    imap_free(&c.plat_items);
    imap_free(&c.plat_removed);
    imap_free(&c.item_agencies);
    imap_free(&c.report_agencies);
    free(c.refs);
    for (size_t i = 0; i < c.n_heads; i++) free(c.heads[i].sent_text);
    free(c.heads);
    for (size_t i = 0; i < c.n_late; i++) free(c.late[i].resp);
    free(c.late);
    free(c.ids);
    free(c.agencies);
    free(c.in_op);
    free(c.agency_of);
    json_decref(plats);
    if (rc != VIGIL_OK) {
        json_decref(r);
        return rc;
    }
    *out = r;
    return VIGIL_OK;
}

vigil_status vigil_report_tco(vigil_store *st, const char *by, int year, json_t **out,
                              vigil_err *err) {
    *out = NULL;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "see the TCO report", err);
    if (rc != VIGIL_OK) return rc;
    if (year < 2021 || year > 9999)
        return vigil__err_set(err, VIGIL_EINVAL, "year %d: the TCO Regulation applies from 2021",
                              year);
    char from[16], to[16];
    snprintf(from, sizeof from, "%04d-01-01", year);
    snprintf(to, sizeof to, "%04d-01-01", year + 1);
    json_t *r = NULL;
    rc = vigil__q_json_one(
        st,
        "SELECT ?3 AS year, count(*) AS orders_received, "
        "coalesce(sum(status = 'actioned'), 0) AS orders_acted_on, "
        "coalesce(sum(status = 'actioned' AND actioned_at <= deadline_at), 0) AS "
        "acted_on_within_one_hour, "
        "coalesce(sum(status = 'actioned' AND actioned_at > deadline_at), 0) AS acted_on_late, "
        "coalesce(sum(status = 'not_actioned'), 0) AS orders_not_acted_on, "
        "coalesce(sum(status IN ('open', 'acknowledged')), 0) AS orders_pending, "
        "CAST(avg(CASE WHEN status = 'actioned' THEN unixepoch(actioned_at) - "
        "unixepoch(received_at) END) AS INTEGER) AS mean_seconds_to_action, "
        "(SELECT json_group_object(reason, n) FROM (SELECT reason, count(*) AS n FROM "
        "removal_order WHERE status = 'not_actioned' AND received_at >= ?1 AND received_at < ?2 "
        "GROUP BY reason)) AS not_acted_on_reasons_json, "
        "(SELECT json_group_object(name, n) FROM (SELECT p.name, count(*) AS n FROM removal_order "
        "o JOIN platform p ON p.id = o.platform_id WHERE o.received_at >= ?1 AND o.received_at < "
        "?2 GROUP BY p.name)) AS orders_by_platform_json, "
        "(SELECT count(DISTINCT item_id) FROM item_event WHERE to_state = 'removed' AND at >= ?1 "
        "AND at < ?2) AS items_removed, "
        "(SELECT count(DISTINCT ri.item_id) FROM referral_item ri JOIN referral f ON f.id = "
        "ri.referral_id WHERE f.sent_at >= ?1 AND f.sent_at < ?2) AS items_referred, "
        "(SELECT count(*) FROM referral_item WHERE response = 'removed' AND responded_at >= ?1 AND "
        "responded_at < ?2) AS removed_after_referral "
        "FROM removal_order WHERE received_at >= ?1 AND received_at < ?2",
        &r, err, "ttd", from, to, year);
    if (rc != VIGIL_OK) return rc;
    *out = r;
    return VIGIL_OK;
}
