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

/* Counts by text key (NULL kept apart). */
typedef struct tally {
    json_t *map; /* key -> integer */
    int64_t null_n;
} tally;

static int tally_add(tally *t, const char *key) {
    if (!key) {
        t->null_n++;
        return 0;
    }
    json_t *v = json_object_get(t->map, key);
    if (v) return json_integer_set(v, json_integer_value(v) + 1);
    return json_object_set_new(t->map, key, json_integer(1));
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

/* {key: n} in the order of "ORDER BY n DESC, k" ("(none)" for NULL). */
static json_t *tally_json(const tally *t) {
    size_t n = json_object_size(t->map) + (t->null_n ? 1 : 0), m = 0;
    tally_entry *e = malloc((n ? n : 1) * sizeof *e);
    json_t *out = json_object();
    if (!e || !out) {
        free(e);
        json_decref(out);
        return NULL;
    }
    const char *k;
    json_t *v;
    json_object_foreach(t->map, k, v) e[m++] = (tally_entry){k, json_integer_value(v)};
    if (t->null_n) e[m++] = (tally_entry){NULL, t->null_n};
    qsort(e, m, sizeof *e, cmp_entry);
    for (size_t i = 0; i < m; i++)
        json_object_set_new(out, e[i].key ? e[i].key : "(none)", json_integer(e[i].n));
    free(e);
    return out;
}

static int64_t tally_get(const tally *t, const char *key) {
    return json_integer_value(json_object_get(t->map, key));
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

/* A referral row: the platform referred to, the item, its removal time. */
typedef struct ref_row {
    int64_t pid, item, s;
    int removed;
} ref_row;

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
    int oom;
} report_acc;

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

static const char sql_rep_refs[] =
    "SELECT f.platform_id, ri.item_id, ri.response = 'removed', unixepoch(ri.responded_at) - "
    "unixepoch(f.sent_at) FROM referral f CROSS JOIN referral_item ri WHERE f.operation_id = ?1 "
    "AND ri.referral_id = f.id";

static vigil_status rep_ref_row(void *ctx, const vigil__row *r, vigil_err *err) {
    report_acc *c = ctx;
    if (c->n_refs == c->cap_refs) {
        size_t cap = c->cap_refs ? c->cap_refs * 2 : 1024;
        ref_row *n = realloc(c->refs, cap * sizeof *n);
        if (!n) return acc_oom(c, 1, err);
        c->refs = n;
        c->cap_refs = cap;
    }
    /* a removal time that is not a time counts as 0, as it always did */
    c->refs[c->n_refs++] = (ref_row){vigil__row_int(r, 0), vigil__row_int(r, 1),
                                     vigil__row_int(r, 3), (int)vigil__row_int(r, 2)};
    return VIGIL_OK;
}

static int cmp_ref_pid_item(const void *pa, const void *pb) {
    const ref_row *a = pa, *b = pb;
    if (a->pid != b->pid) return a->pid < b->pid ? -1 : 1;
    return (a->item > b->item) - (a->item < b->item);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
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

/* The referral figures: referred (distinct items), per platform referred and
 * median, the overall median, 90th percentile and hours. */
static vigil_status ref_figures(report_acc *c, json_t *r, json_t *plats, vigil_err *err) {
    size_t n = c->n_refs;
    int64_t *all = malloc((n ? n : 1) * sizeof *all), *items = malloc((n ? n : 1) * sizeof *items);
    if (!all || !items) {
        free(all);
        free(items);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    if (n) qsort(c->refs, n, sizeof *c->refs, cmp_ref_pid_item); /* c->refs is NULL when n is 0 */
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        items[i] = c->refs[i].item;
        if (c->refs[i].removed) all[na++] = c->refs[i].s;
    }
    qsort(items, n, sizeof *items, cmp_i64);
    int64_t referred = 0;
    for (size_t i = 0; i < n; i++) referred += !i || items[i] != items[i - 1];
    qsort(all, na, sizeof *all, cmp_i64);
    json_object_set_new(r, "referred", json_integer(referred));
    json_object_set_new(r, "median_removal_seconds", median_of(all, na));
    json_object_set_new(r, "p90_removal_seconds", p90_of(all, na));
    json_object_set_new(r, "removals_by_hour", hours_of(all, na));
    size_t k;
    json_t *p;
    json_array_foreach(plats, k, p) { /* c->refs is sorted by platform, then item */
        int64_t pid = int_of(p, "pid"), pref = 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (c->refs[i].pid != pid) continue;
            pref += !(i && c->refs[i - 1].pid == pid && c->refs[i - 1].item == c->refs[i].item);
            if (c->refs[i].removed) items[m++] = c->refs[i].s;
        }
        qsort(items, m, sizeof *items, cmp_i64);
        json_object_del(p, "pid");
        json_object_set_new(p, "referred", json_integer(pref));
        json_object_set_new(p, "removal_rate",
                            json_real(pref ? (double)int_of(p, "removed") / (double)pref : 0.0));
        json_object_set_new(p, "median_removal_seconds", median_of(items, m));
    }
    free(all);
    free(items);
    return VIGIL_OK;
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
    tally t = {json_object(), 0};
    vigil_status rc = VIGIL_OK;
    for (size_t i = 0; rc == VIGIL_OK && i < m->len; i++) {
        char *code = NULL;
        rc = vigil__q_text(st, "SELECT code FROM agency WHERE id = ?1", &code, err, "i", m->k[i]);
        if (rc == VIGIL_ENOENT) {
            rc = VIGIL_OK; /* a report of no agency row: not counted, as the join did */
            continue;
        }
        if (rc == VIGIL_OK && code) {
            json_t *v = json_object_get(t.map, code);
            json_object_set_new(t.map, code, json_integer(json_integer_value(v) + m->n[i]));
        }
        free(code);
    }
    *out = rc == VIGIL_OK ? tally_json(&t) : NULL;
    json_decref(t.map);
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
    c.by_type.map = json_object();
    c.by_affil.map = json_object();
    c.by_outlet.map = json_object();
    c.by_state.map = json_object();
    c.by_lang.map = json_object();
    json_t *r = NULL, *plats = NULL;
    int64_t n_new = 0, contents = 0, referrals = 0;
    rc = vigil__store_read_begin(st, err); /* one snapshot for every pass */
    if (rc != VIGIL_OK) goto out;
    rc = vigil__q_json_one(st,
                           "SELECT name AS operation, starts_at AS start, ends_at AS end, status "
                           "FROM operation WHERE id = ?1",
                           &r, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__q_each(st, sql_rep_items, rep_item_row, &c, err, "i", id);
    if (rc == VIGIL_OK) rc = lang_report_passes(st, &c, id, err);
    if (rc == VIGIL_OK) rc = vigil__q_each(st, sql_rep_refs, rep_ref_row, &c, err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__q_int(st, "SELECT count(*) FROM referral WHERE operation_id = ?1", &referrals,
                          err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__q_int(st,
                          "SELECT count(DISTINCT cluster_id) FROM item WHERE operation_id = ?1",
                          &contents, err, "i", id);
    if (rc == VIGIL_OK) rc = plat_rows(st, &c, &plats, &n_new, err);
    json_t *by_agency = NULL;
    if (rc == VIGIL_OK) rc = agency_tally(st, &c.report_agencies, &by_agency, err);
    vigil__store_read_end(st);
    if (rc != VIGIL_OK) goto out;
    int64_t langs = (int64_t)json_object_size(c.by_lang.map) - (json_object_get(c.by_lang.map, "und") ? 1 : 0);
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
    json_object_set_new(r, "referrals", json_integer(referrals));
    json_object_set_new(r, "removal_rate", json_real(0.0));
    json_object_set_new(r, "by_language", tally_json(&c.by_lang));
    json_object_set_new(r, "by_type", tally_json(&c.by_type));
    json_object_set_new(r, "by_affiliation", tally_json(&c.by_affil));
    json_object_set_new(r, "by_outlet", tally_json(&c.by_outlet));
    json_object_set_new(r, "by_state", tally_json(&c.by_state));
    json_object_set_new(r, "reports_by_agency", by_agency);
    rc = ref_figures(&c, r, plats, err);
    if (rc == VIGIL_OK) {
        int64_t referred = int_of(r, "referred");
        json_object_set_new(r, "removal_rate",
                            json_real(referred ? (double)int_of(r, "removed") / (double)referred : 0.0));
        json_object_set(r, "per_platform", plats);
    }
out:
    json_decref(c.by_type.map);
    json_decref(c.by_affil.map);
    json_decref(c.by_outlet.map);
    json_decref(c.by_state.map);
    json_decref(c.by_lang.map);
    imap_free(&c.plat_items);
    imap_free(&c.plat_removed);
    imap_free(&c.item_agencies);
    imap_free(&c.report_agencies);
    free(c.refs);
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
