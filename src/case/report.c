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
#include "common/hash.h"

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

/* ---- the operation's figures from its running totals ------------------------------------
 * The counts (states, types, affiliations, outlets, platforms, languages,
 * reports, agencies, contents, referred items) are the operation's running
 * totals (table op_tally: src/store/tally.c says what each counts, the
 * writes of src/case/totals.c keep them): a few hundred rows, however many
 * items.  The rows read are the operation's referrals and their removed
 * items (the removal times); small lookups name the platforms and agencies
 * met.  Maps keep the order of the SQL these figures first came from
 * ("ORDER BY n DESC, k": most first, then by key in byte order, NULL
 * first), so that every figure is what those GROUP BY queries gave
 * (tests/test_case.c compares both, also after random work). */

/* Counts by text key (NULL kept apart): an open-addressing table of copied
 * keys. */
typedef struct tally_slot {
    char *key; /* NULL: free */
    uint32_t hash;
    int64_t n;
} tally_slot;

typedef struct tally {
    tally_slot *s;
    size_t len, cap; /* cap: 0 or a power of two, at most half full */
    int64_t null_n;
} tally;

static uint32_t str_hash(const char *k) {
    return (uint32_t)vigil__fnv1a(VIGIL__FNV_BASIS, k);
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
    return 0;
}

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

/* Counts by integer key (platform and agency ids: few), kept sorted. */
typedef struct imap {
    int64_t *k, *n;
    size_t len, cap;
} imap;

static int64_t *imap_slot(imap *m, int64_t key) {
    size_t lo = 0, hi = m->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (m->k[mid] < key) lo = mid + 1;
        else hi = mid;
    }
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


/* A removal: the platform referred to, the seconds from referral to removal. */
typedef struct ref_row {
    int64_t pid, s;
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
    imap plat_items, plat_removed, item_agencies, report_agencies, plat_referred;
    int64_t items, reuploads, reports, contents, referred;
    ref_row *refs; /* the removals */
    size_t n_refs, cap_refs;
    ref_head *heads;
    size_t n_heads, cap_heads, last_head;
    ref_late *late;
    size_t n_late, cap_late;
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

static vigil_status acc_oom(int bad, vigil_err *err) {
    if (!bad) return VIGIL_OK;
    return vigil__err_set(err, VIGIL_ENOMEM, "out of memory counting the report");
}

/* The running totals (src/store/tally.c, kept by the writes of
 * src/case/totals.c): k is '' (NULL, or no key), '=' || value, or an id. */
static const char sql_rep_tally[] =
    "SELECT dim, k, n FROM op_tally WHERE operation_id = ?1 AND n <> 0";

static vigil_status rep_tally_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    const char *dim = vigil__row_text(r, 0), *k = vigil__row_text(r, 1);
    int64_t n = vigil__row_int(r, 2);
    if (!dim || !k) return VIGIL_OK;
    const char *text = k[0] == '=' ? k + 1 : NULL;
    int64_t id = strtoll(k, NULL, 10);
    const struct {
        const char *dim;
        int64_t *v;
    } scalars[] = {{"items", &c->items},       {"reupload", &c->reuploads},
                   {"reports", &c->reports},   {"contents", &c->contents},
                   {"referred", &c->referred}};
    for (size_t i = 0; i < sizeof scalars / sizeof scalars[0]; i++)
        if (strcmp(dim, scalars[i].dim) == 0) {
            *scalars[i].v += n;
            return VIGIL_OK;
        }
    const struct {
        const char *dim;
        tally *t;
        imap *m;
    } keyed[] = {{"state", &c->by_state, NULL},  {"type", &c->by_type, NULL},
                 {"affil", &c->by_affil, NULL},  {"outlet", &c->by_outlet, NULL},
                 {"lang", &c->by_lang, NULL},    {"plat", NULL, &c->plat_items},
                 {"platrm", NULL, &c->plat_removed}, {"iag", NULL, &c->item_agencies},
                 {"rag", NULL, &c->report_agencies}, {"refp", NULL, &c->plat_referred}};
    for (size_t i = 0; i < sizeof keyed / sizeof keyed[0]; i++)
        if (strcmp(dim, keyed[i].dim) == 0)
            return acc_oom(keyed[i].t ? tally_add_n(keyed[i].t, text, n)
                                         : imap_add(keyed[i].m, id, n),
                           err);
    return VIGIL_OK; /* a dimension of a later version: not this report's */
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
        if (!n) return acc_oom(1, err);
        c->heads = n;
    }
    ref_head *h = &c->heads[c->n_heads];
    const char *sent = vigil__row_text(r, 2);
    *h = (ref_head){vigil__row_int(r, 0), vigil__row_int(r, 1), 0, 0, NULL};
    h->sent_ok = sent && epoch_of(sent, &h->sent);
    if (sent && !(h->sent_text = strdup(sent))) return acc_oom(1, err);
    c->n_heads++;
    return VIGIL_OK;
}

static int cmp_head(const void *pa, const void *pb) {
    const ref_head *a = pa, *b = pb;
    return (a->id > b->id) - (a->id < b->id);
}

/* The referrals' removed items: the answer's time (through the partial
 * index referral_item_removed: the other items are not read). */
static const char sql_rep_refs[] =
    "SELECT ri.referral_id, ri.responded_at FROM referral f CROSS JOIN referral_item ri WHERE "
    "f.operation_id = ?1 AND ri.referral_id = f.id AND ri.response = 'removed'";

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
        if (!n) return acc_oom(1, err);
        c->refs = n;
    }
    const ref_head *f = &c->heads[h];
    ref_row *row = &c->refs[c->n_refs];
    *row = (ref_row){f->pid, 0};
    const char *resp = vigil__row_text(r, 1);
    int64_t t = 0;
    /* a removal time that is not a time counts as 0, as it always did */
    if (resp && f->sent_ok && epoch_of(resp, &t)) {
        row->s = t - f->sent;
    } else if (resp && f->sent_text) { /* another form: the store reads it */
        if (c->n_late == c->cap_late) {
            ref_late *n = grow(c->late, &c->cap_late, sizeof *n, 16);
            if (!n) return acc_oom(1, err);
            c->late = n;
        }
        ref_late *l = &c->late[c->n_late];
        l->at = c->n_refs;
        l->head = h;
        l->resp = strdup(resp);
        if (!l->resp) return acc_oom(1, err);
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

/* The referral pass: the referrals, then their removed items; the removal
 * times in another form than epoch_of reads are read by the store's
 * unixepoch(). */
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

/* The referral figures: referred (distinct items, from the totals), per
 * platform referred and median, the overall median, 90th percentile and
 * hours, from the removals. */
static vigil_status ref_figures(report_acc *c, json_t *r, json_t *plats, vigil_err *err) {
    size_t n = c->n_refs, np = json_array_size(plats);
    imap at = {0}; /* platform id -> its index in plats + 1 */
    int64_t *all = malloc((n ? n : 1) * sizeof *all), *by_p = malloc((n ? n : 1) * sizeof *by_p);
    int32_t *pi_of = malloc((n ? n : 1) * sizeof *pi_of);
    size_t *start = calloc(np + 2, sizeof *start);
    vigil_status rc = VIGIL_OK;
    int bad = !all || !by_p || !pi_of || !start;
    size_t k;
    json_t *p;
    json_array_foreach(plats, k, p) bad = bad || imap_add(&at, int_of(p, "pid"), (int64_t)k + 1);
    if (bad) goto oom;
    /* the removal times overall, and grouped by platform (counted first:
     * group 0, a platform of no item, then plats' order) */
    for (size_t i = 0; i < n; i++) {
        pi_of[i] = (int32_t)imap_get(&at, c->refs[i].pid); /* 0: a platform of no item */
        start[pi_of[i] + 1]++;
        all[i] = c->refs[i].s;
    }
    for (size_t j = 1; j < np + 2; j++) start[j] += start[j - 1];
    for (size_t i = 0; i < n; i++) by_p[start[pi_of[i]]++] = c->refs[i].s;
    /* now start[g] is where group g + 1 begins: group k + 1 is by_p[start[k]..start[k + 1]) */
    for (k = 0; k < np; k++) {
        p = json_array_get(plats, k);
        int64_t pref = imap_get(&c->plat_referred, int_of(p, "pid"));
        size_t from = start[k], to = start[k + 1];
        if (sort_i64(by_p + from, to - from)) goto oom;
        json_object_del(p, "pid");
        json_object_set_new(p, "referred", json_integer(pref));
        json_object_set_new(p, "removal_rate",
                            json_real(pref ? (double)int_of(p, "removed") / (double)pref : 0.0));
        json_object_set_new(p, "median_removal_seconds", median_of(by_p + from, to - from));
    }
    if (sort_i64(all, n)) goto oom;
    json_object_set_new(r, "referred", json_integer(c->referred));
    json_object_set_new(r, "median_removal_seconds", median_of(all, n));
    json_object_set_new(r, "p90_removal_seconds", p90_of(all, n));
    json_object_set_new(r, "removals_by_hour", hours_of(all, n));
    goto out;
oom:
    rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory counting the report's referrals");
out:
    free(all);
    free(by_p);
    free(pi_of);
    free(start);
    imap_free(&at);
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
    int64_t n_new = 0;
    rc = vigil__store_read_begin(st, err); /* one snapshot for every pass */
    if (rc != VIGIL_OK) goto out;
    rc = vigil__q_json_one(st,
                           "SELECT name AS operation, starts_at AS start, ends_at AS end, status "
                           "FROM operation WHERE id = ?1",
                           &r, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__q_each(st, sql_rep_tally, rep_tally_row, &c, err, "i", id);
    if (rc == VIGIL_OK) rc = ref_pass(st, &c, id, err);
    if (rc == VIGIL_OK) rc = plat_rows(st, &c, &plats, &n_new, err);
    json_t *by_agency = NULL;
    if (rc == VIGIL_OK) rc = agency_tally(st, &c.report_agencies, &by_agency, err);
    vigil__store_read_end(st);
    if (rc != VIGIL_OK) goto out;
    int64_t langs = (int64_t)c.by_lang.len - (tally_get(&c.by_lang, "und") ? 1 : 0);
    json_object_set_new(r, "items", json_integer(c.items));
    json_object_set_new(r, "contents", json_integer(c.contents));
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
    imap_free(&c.plat_referred);
    free(c.refs);
    for (size_t i = 0; i < c.n_heads; i++) free(c.heads[i].sent_text);
    free(c.heads);
    for (size_t i = 0; i < c.n_late; i++) free(c.late[i].resp);
    free(c.late);
    json_decref(plats);
    if (rc != VIGIL_OK) {
        json_decref(r);
        return rc;
    }
    *out = r;
    return VIGIL_OK;
}

/* ---- counting the totals again ------------------------------------------------------------ */

static const char sql_tally_rows[] =
    "SELECT operation_id, dim, k, n FROM op_tally WHERE (operation_id = ?1 OR ?1 = 0) AND n <> 0 "
    "ORDER BY operation_id, dim, k";

static const char *str_of(json_t *o, const char *k) {
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "";
}

/* Rows of a and b (both in sql_tally_rows' order) that are not in the other. */
static int64_t tally_diff(json_t *a, json_t *b) {
    size_t i = 0, j = 0, na = json_array_size(a), nb = json_array_size(b);
    int64_t d = 0;
    while (i < na || j < nb) {
        json_t *x = i < na ? json_array_get(a, i) : NULL, *y = j < nb ? json_array_get(b, j) : NULL;
        int c = !x ? 1 : !y ? -1 : 0;
        if (!c) {
            int64_t ox = int_of(x, "operation_id"), oy = int_of(y, "operation_id");
            c = ox < oy ? -1 : ox > oy;
        }
        if (!c) c = strcmp(str_of(x, "dim"), str_of(y, "dim"));
        if (!c) c = strcmp(str_of(x, "k"), str_of(y, "k"));
        if (c < 0) i++, d++;
        else if (c > 0) j++, d++;
        else d += int_of(x, "n") != int_of(y, "n"), i++, j++;
    }
    return d;
}

vigil_status vigil_report_recount(vigil_store *st, const char *by, const char *op,
                                  int64_t *corrected, vigil_err *err) {
    if (corrected) *corrected = 0;
    if (!st) return vigil__err_set(err, VIGIL_EINVAL, "vigil_report_recount: NULL store");
    case_actor a;
    int64_t id = 0, d = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_ADMIN, "count the reports' totals again (admins only)", err);
    if (rc == VIGIL_OK && op) rc = case_op_find(st, &a, op, &id, err);
    if (rc != VIGIL_OK) return rc;
    json_t *before = NULL, *after = NULL, *ev = NULL;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = vigil__q_json(st, sql_tally_rows, &before, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__tally_rebuild(st, id, err);
    if (rc == VIGIL_OK) rc = vigil__q_json(st, sql_tally_rows, &after, err, "i", id);
    if (rc == VIGIL_OK) {
        d = tally_diff(before, after);
        ev = json_pack("{s:s?, s:I}", "operation", op, "corrected", (json_int_t)d);
        if (!ev) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "report.recount", "operation", id, NULL, ev, err);
    rc = vigil__store_end(st, rc, err);
    json_decref(before);
    json_decref(after);
    json_decref(ev);
    if (rc == VIGIL_OK && corrected) *corrected = d;
    return rc;
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
