/*
 * src/match/match.c - the matcher: loads the banks' PDQ entries into the
 * index and their MD5/SHA-256 entries into exact hash tables, answers
 * queries with per-bank thresholds, allow-lists and dihedral variants.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "match/allow.h"
#include "vigil/index.h"
#include "vigil/match.h"

/* ---- exact tables: open addressing, duplicate keys allowed ------------- */

typedef struct exact_slot {
    uint8_t key[32];
    int64_t id; /* 0: empty (entry ids start at 1) */
} exact_slot;

typedef struct exact_table {
    exact_slot *slots;
    size_t cap, n, keylen;
} exact_table;

static uint64_t key_hash(const uint8_t *k) {
    uint64_t h;
    memcpy(&h, k, 8); /* digests are uniformly distributed already */
    return h;
}

static int exact_put(exact_table *t, const uint8_t *key, int64_t id) {
    if ((t->n + 1) * 2 > t->cap) {
        size_t ncap = t->cap ? t->cap * 2 : 1024;
        exact_slot *ns = calloc(ncap, sizeof *ns);
        if (!ns) return -1;
        for (size_t i = 0; i < t->cap; i++) {
            if (!t->slots[i].id) continue;
            size_t j = key_hash(t->slots[i].key) & (ncap - 1);
            while (ns[j].id) j = (j + 1) & (ncap - 1);
            ns[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
    }
    size_t j = key_hash(key) & (t->cap - 1);
    while (t->slots[j].id) j = (j + 1) & (t->cap - 1);
    memset(t->slots[j].key, 0, sizeof t->slots[j].key);
    memcpy(t->slots[j].key, key, t->keylen);
    t->slots[j].id = id;
    t->n++;
    return 0;
}

/* ---- the matcher ------------------------------------------------------- */

struct vigil_matcher {
    vigil_store *st;
    pthread_mutex_t mu; /* the store serves one thread at a time */
    vigil_index *idx;
    exact_table md5, sha256;
    size_t n_pdq;
    /* PDQ values held by several entries (see group_values): group k is
     * groups[k] = n followed by its n entry ids */
    int64_t *groups;
    size_t n_groups;
    int default_d, radius, dihedral, floor;
};

void vigil_match_opts_init(vigil_match_opts *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->max_distance = -1;
    o->quality_floor = -1;
}

void vigil_match_result_clear(vigil_match_result *r) {
    if (!r) return;
    VIGIL__MATCHES_FREE(r);
    memset(r, 0, sizeof *r);
    r->quality = -1;
}

typedef struct load_ctx {
    vigil_matcher *m;
    vigil_signal sig;
    vigil_pdq *hashes;
    int64_t *ids;
    size_t n, cap;
    int failed;
} load_ctx;

static int load_one(void *ctx, int64_t entry_id, int64_t bank_id, const char *value_hex) {
    (void)bank_id;
    load_ctx *c = ctx;
    uint8_t key[32];
    if (c->sig == VIGIL_SIGNAL_PDQ) {
        if (c->n == c->cap) {
            size_t ncap = c->cap ? c->cap * 2 : 4096;
            vigil_pdq *h = realloc(c->hashes, ncap * sizeof *h);
            if (!h) return c->failed = 1;
            c->hashes = h;
            int64_t *ids = realloc(c->ids, ncap * sizeof *ids);
            if (!ids) return c->failed = 1;
            c->ids = ids;
            c->cap = ncap;
        }
        if (vigil_pdq_from_hex(value_hex, &c->hashes[c->n], NULL) != VIGIL_OK) return 0; /* stored values are canonical */
        c->ids[c->n++] = entry_id;
        return 0;
    }
    exact_table *t = c->sig == VIGIL_SIGNAL_MD5 ? &c->m->md5 : &c->m->sha256;
    if (vigil_hex_decode(value_hex, key, t->keylen, NULL) != VIGIL_OK) return 0;
    if (exact_put(t, key, entry_id) != 0) return c->failed = 1;
    return 0;
}

/* ---- one index slot per PDQ value ------------------------------------------
 * One value may be held by several entries (exact copies under different
 * ids: two partners' records of one picture).  The index gets each distinct
 * value once: its id there is the entry id when one entry holds the value
 * (entry ids are > 0), or -(k + 1) for group k of m->groups, listing the
 * entries that hold it.  With no copies this costs nothing (89.5 bytes per
 * entry at 10M); with copies it saves their index slots and their share of
 * the probing (docs/matching.md has the measurements that chose this over
 * one slot per entry). */

static uint64_t pdq_key(const vigil_pdq *h) {
    uint64_t w[4];
    memcpy(w, h->bytes, sizeof w);
    uint64_t x = w[0] ^ (w[1] << 17 | w[1] >> 47) ^ (w[2] << 31 | w[2] >> 33) ^
                 (w[3] << 47 | w[3] >> 17);
    return x * 0x9E3779B97F4A7C15ull;
}

/* Folds lc's n hashes into distinct values, in place (the first occurrence
 * of each stays, in order), their ids as above; the groups go to m.
 * @return 0, or -1 when out of memory (then lc is unchanged). */
static int group_values(vigil_matcher *m, load_ctx *lc) {
    const size_t n = lc->n;
    if (n < 2 || n >= ((size_t)1 << 31)) return 0;
    int lg = 1;
    while (((size_t)1 << lg) < 2 * n) lg++;
    const size_t cap = (size_t)1 << lg;
    uint32_t *table = calloc(cap, sizeof *table); /* index + 1 of a first occurrence */
    uint32_t *rep = malloc(n * sizeof *rep);      /* the first occurrence of i's value */
    uint32_t *cnt = calloc(n, sizeof *cnt);       /* entries per first occurrence */
    int64_t *groups = NULL;
    if (!table || !rep || !cnt) goto fail;
    size_t words = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)(pdq_key(&lc->hashes[i]) >> (64 - lg));
        while (table[j] &&
               memcmp(&lc->hashes[table[j] - 1], &lc->hashes[i], sizeof(vigil_pdq)) != 0)
            j = (j + 1) & (cap - 1);
        if (!table[j]) table[j] = (uint32_t)i + 1;
        rep[i] = table[j] - 1;
        if (++cnt[rep[i]] == 2) words += 3; /* the count and the first two ids */
        else if (cnt[rep[i]] > 2) words++;
    }
    free(table);
    table = NULL;
    if (words == 0) { /* every value once: nothing to fold */
        free(rep);
        free(cnt);
        return 0;
    }
    groups = malloc(words * sizeof *groups);
    uint32_t *start = calloc(n, sizeof *start); /* a group's next free word */
    if (!groups || !start) {
        free(start);
        goto fail;
    }
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (rep[i] != i || cnt[i] < 2) continue;
        start[i] = (uint32_t)(w + 1);
        groups[w] = cnt[i];
        w += 1 + cnt[i];
    }
    for (size_t i = 0; i < n; i++)
        if (cnt[rep[i]] >= 2) groups[start[rep[i]]++] = lc->ids[i];
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (rep[i] != i) continue;
        lc->hashes[k] = lc->hashes[i];
        lc->ids[k++] = cnt[i] >= 2 ? -(int64_t)(start[i] - cnt[i] - 1) - 1 : lc->ids[i];
    }
    lc->n = k;
    free(start);
    free(rep);
    free(cnt);
    m->groups = groups;
    m->n_groups = words;
    return 0;
fail:
    free(table);
    free(rep);
    free(cnt);
    free(groups);
    return -1;
}

void vigil_matcher_free(vigil_matcher *m) {
    if (!m) return;
    vigil_index_free(m->idx);
    free(m->groups);
    free(m->md5.slots);
    free(m->sha256.slots);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

vigil_status vigil_matcher_open(vigil_store *st, const vigil_match_opts *opts, vigil_matcher **out,
                                vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    vigil_bank_info *banks = NULL;
    size_t nb = 0;
    load_ctx lc;
    memset(&lc, 0, sizeof lc);
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_open: NULL argument");
    *out = NULL;
    vigil_match_opts o;
    if (opts)
        o = *opts;
    else
        vigil_match_opts_init(&o);
    if (o.max_distance < 0) o.max_distance = VIGIL_DEFAULT_MAX_DISTANCE;
    if (o.quality_floor < 0) o.quality_floor = VIGIL_DEFAULT_QUALITY_FLOOR;
    if (o.max_distance > 256)
        return vigil__err_set(err, VIGIL_EINVAL, "distance %d is outside 0..256", o.max_distance);
    vigil_matcher *m = calloc(1, sizeof *m);
    if (!m) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    pthread_mutex_init(&m->mu, NULL);
    m->st = st;
    m->md5.keylen = 16;
    m->sha256.keylen = 32;
    m->default_d = o.max_distance;
    m->dihedral = o.dihedral;
    m->floor = o.quality_floor;
    /* the index radius: the largest threshold any selected bank may use */
    m->radius = o.max_distance;
    rc = vigil_bank_list(st, &banks, &nb, err);
    if (rc != VIGIL_OK) goto out;
    for (size_t i = 0; i < nb; i++) {
        int selected = o.n_banks == 0;
        for (size_t k = 0; k < o.n_banks; k++) selected |= strcmp(o.banks[k], banks[i].name) == 0;
        if (selected && banks[i].enabled && banks[i].max_distance > m->radius)
            m->radius = banks[i].max_distance;
    }
    rc = vigil_index_new(&m->idx, err);
    if (rc != VIGIL_OK) goto out;
    lc.m = m;
    static const vigil_signal sigs[3] = {VIGIL_SIGNAL_PDQ, VIGIL_SIGNAL_MD5, VIGIL_SIGNAL_SHA256};
    for (int s = 0; s < 3; s++) {
        lc.sig = sigs[s];
        rc = vigil_bank_scan(st, sigs[s], o.banks, o.n_banks, load_one, &lc, err);
        if (rc != VIGIL_OK) goto out;
        if (lc.failed) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the banks");
            goto out;
        }
    }
    m->n_pdq = lc.n;
    if (group_values(m, &lc) != 0) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the banks");
        goto out;
    }
    rc = vigil_index_add(m->idx, lc.hashes, lc.ids, lc.n, err);
    if (rc != VIGIL_OK) goto out;
out:
    free(banks);
    free(lc.hashes);
    free(lc.ids);
    if (rc != VIGIL_OK) {
        vigil_matcher_free(m);
        return rc;
    }
    *out = m;
    return VIGIL_OK;
}

size_t vigil_matcher_entries(const vigil_matcher *m) {
    return m ? m->n_pdq + m->md5.n + m->sha256.n : 0;
}

/* ---- results -------------------------------------------------------------- */

/* The index's hits for a query, over all the variants tried.  One value may
 * be held by many entries (exact copies under different ids), so a query
 * can have many hits: they are appended as they come, and an entry found
 * through several variants is folded afterwards (hits_fold), not looked up
 * at each hit. */
typedef struct hitbuf {
    vigil_index_hit *h;
    vigil_dihedral *variant;
    size_t n, cap;
    vigil_dihedral cur;
    int failed;
    const int64_t *groups; /* the matcher's */
} hitbuf;

static int collect_entry(hitbuf *b, int64_t id, int distance) {
    if (b->n == b->cap) {
        size_t ncap = b->cap ? b->cap * 2 : 16;
        vigil_index_hit *nh = realloc(b->h, ncap * sizeof *nh);
        if (!nh) return b->failed = 1;
        b->h = nh;
        vigil_dihedral *nv = realloc(b->variant, ncap * sizeof *nv);
        if (!nv) return b->failed = 1;
        b->variant = nv;
        b->cap = ncap;
    }
    b->h[b->n].id = id;
    b->h[b->n].distance = distance;
    b->variant[b->n++] = b->cur;
    return 0;
}

/* An index hit: one entry, or every entry of a value's group. */
static int collect_hit(void *ctx, const vigil_index_hit *hit) {
    hitbuf *b = ctx;
    if (hit->id > 0) return collect_entry(b, hit->id, hit->distance);
    const int64_t *g = b->groups + (size_t)(-(hit->id + 1));
    for (int64_t k = 1; k <= g[0]; k++)
        if (collect_entry(b, g[k], hit->distance)) return 1;
    return 0;
}

typedef struct hit_order {
    int64_t id;
    int distance;
    int variant;
} hit_order;

static int cmp_hit(const void *a, const void *b) {
    const hit_order *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    if (x->distance != y->distance) return x->distance - y->distance;
    return x->variant - y->variant;
}

/* Keep one hit per entry: the smallest distance, and of equal ones the
 * first variant.  @return 0, or -1 when out of memory. */
static int hits_fold(hitbuf *b) {
    if (b->n < 2) return 0;
    hit_order *o = malloc(b->n * sizeof *o);
    if (!o) return -1;
    for (size_t i = 0; i < b->n; i++)
        o[i] = (hit_order){b->h[i].id, b->h[i].distance, (int)b->variant[i]};
    qsort(o, b->n, sizeof *o, cmp_hit);
    size_t w = 0;
    for (size_t i = 0; i < b->n; i++) {
        if (w && o[i].id == b->h[w - 1].id) continue;
        b->h[w].id = o[i].id;
        b->h[w].distance = o[i].distance;
        b->variant[w++] = (vigil_dihedral)o[i].variant;
    }
    b->n = w;
    free(o);
    return 0;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

/* Append entry `id` found at distance d to res if its bank's threshold
 * allows it.  Caller holds m->mu. */
static vigil_status add_match(vigil_matcher *m, int64_t id, int d, vigil_dihedral v,
                              vigil_match_result *res, vigil_err *err) {
    vigil_entry e;
    vigil_status rc = vigil_bank_entry_get(m->st, id, &e, err);
    if (rc == VIGIL_ENOENT) return VIGIL_OK; /* removed since the matcher loaded */
    if (rc != VIGIL_OK) return rc;
    int limit = e.bank_max_distance >= 0 ? e.bank_max_distance : m->default_d;
    if (d <= limit || e.signal != VIGIL_SIGNAL_PDQ) {
        vigil_match *nm = realloc(res->matches, (res->n + 1) * sizeof *nm);
        if (!nm) {
            vigil_entry_clear(&e);
            return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        res->matches = nm;
        vigil_match *x = &res->matches[res->n];
        x->entry_id = e.id;
        x->bank_id = e.bank_id;
        x->bank = dup_or_null(e.bank_name);
        x->bank_kind = e.bank_kind;
        x->signal = e.signal;
        x->distance = d;
        x->variant = v;
        x->labels = dup_or_null(e.labels ? e.labels : "");
        x->external_id = dup_or_null(e.external_id);
        res->n++;
        if (!x->bank || !x->labels || (e.external_id && !x->external_id)) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    vigil_entry_clear(&e);
    return rc;
}

static int cmp_match(const void *a, const void *b) {
    const vigil_match *x = a, *y = b;
    if (x->distance != y->distance) return x->distance - y->distance;
    return (x->entry_id > y->entry_id) - (x->entry_id < y->entry_id);
}

/* Sort; if an allow entry matched, keep only the allow entries. */
static void finalize(vigil_match_result *res) {
    VIGIL__KEEP_ALLOW_ONLY(res);
    if (res->n > 1) qsort(res->matches, res->n, sizeof *res->matches, cmp_match);
}

vigil_status vigil_matcher_pdq(vigil_matcher *m, const vigil_pdq *q, const vigil_pdq *dih,
                               int quality, vigil_match_result *res, vigil_err *err) {
    if (!m || !q || !res) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_pdq: NULL argument");
    memset(res, 0, sizeof *res);
    res->quality = quality;
    res->low_quality = quality >= 0 && quality < m->floor;
    hitbuf b;
    memset(&b, 0, sizeof b);
    b.groups = m->groups;
    vigil_status rc = VIGIL_OK;
    int nv = m->dihedral && dih ? VIGIL_DIH_COUNT : 1;
    for (int v = 0; v < nv && rc == VIGIL_OK; v++) {
        b.cur = (vigil_dihedral)v;
        rc = vigil_index_query(m->idx, v == 0 ? q : &dih[v], m->radius, collect_hit, &b, err);
        if (b.failed) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    /* one variant: the index gives each entry once */
    if (rc == VIGIL_OK && nv > 1 && hits_fold(&b) != 0)
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    pthread_mutex_lock(&m->mu);
    for (size_t i = 0; i < b.n && rc == VIGIL_OK; i++) rc = add_match(m, b.h[i].id, b.h[i].distance, b.variant[i], res, err);
    pthread_mutex_unlock(&m->mu);
    free(b.h);
    free(b.variant);
    if (rc != VIGIL_OK) {
        vigil_match_result_clear(res);
        return rc;
    }
    finalize(res);
    return VIGIL_OK;
}

vigil_status vigil_matcher_digest(vigil_matcher *m, vigil_signal sig, const uint8_t *digest,
                                  vigil_match_result *res, vigil_err *err) {
    if (!m || !digest || !res) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_digest: NULL argument");
    if (sig != VIGIL_SIGNAL_MD5 && sig != VIGIL_SIGNAL_SHA256)
        return vigil__err_set(err, VIGIL_EINVAL, "exact matching is for md5 and sha256, not %s", vigil_signal_name(sig));
    const exact_table *t = sig == VIGIL_SIGNAL_MD5 ? &m->md5 : &m->sha256;
    vigil_status rc = VIGIL_OK;
    if (!t->cap) return VIGIL_OK;
    pthread_mutex_lock(&m->mu);
    for (size_t j = key_hash(digest) & (t->cap - 1); t->slots[j].id && rc == VIGIL_OK; j = (j + 1) & (t->cap - 1))
        if (memcmp(t->slots[j].key, digest, t->keylen) == 0) rc = add_match(m, t->slots[j].id, 0, VIGIL_DIH_ORIGINAL, res, err);
    pthread_mutex_unlock(&m->mu);
    if (rc != VIGIL_OK) return rc;
    finalize(res);
    return VIGIL_OK;
}

vigil_status vigil_matcher_hash_text(vigil_matcher *m, const char *text, vigil_match_result *res,
                                     vigil_pdq *pdq, int *is_pdq, vigil_err *err) {
    if (!m || !text || !res) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_hash_text: NULL argument");
    memset(res, 0, sizeof *res);
    res->quality = -1;
    if (is_pdq) *is_pdq = 0;
    vigil_signal sig;
    char hex[65];
    vigil_status rc = vigil_hash_text_parse(text, &sig, hex, err);
    if (rc != VIGIL_OK) return rc;
    if (sig == VIGIL_SIGNAL_PDQ) {
        vigil_pdq q;
        rc = vigil_pdq_from_hex(hex, &q, err);
        if (rc == VIGIL_OK) rc = vigil_matcher_pdq(m, &q, NULL, -1, res, err);
        if (rc == VIGIL_OK && pdq) *pdq = q;
        if (rc == VIGIL_OK && is_pdq) *is_pdq = 1;
        return rc;
    }
    size_t n = sig == VIGIL_SIGNAL_MD5 ? 16 : 32;
    uint8_t d[32];
    rc = vigil_hex_decode(hex, d, n, err);
    return rc == VIGIL_OK ? vigil_matcher_digest(m, sig, d, res, err) : rc;
}
