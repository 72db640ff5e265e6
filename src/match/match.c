/*
 * src/match/match.c - the matcher: loads the banks' PDQ entries into the
 * index and their MD5/SHA-256 entries into exact hash tables, answers
 * queries with per-bank thresholds, allow-lists and dihedral variants;
 * applies the store's change log as deltas (vigil_matcher_sync) and saves
 * and loads itself as a snapshot file.
 *
 * Deltas: the store is the authority, the in-memory tables only find
 * candidates.  Every candidate is looked up in the store (as before) and
 * kept only if its entry is enabled, its bank is enabled and in memory
 * here, and its current value is the one that was found (the distance is
 * recomputed).  So a change takes effect as soon as the store has it, and
 * a delta only has to make sure that every matchable entry is in memory
 * with its current value: an added or updated entry is added, the old
 * value of an updated, disabled or removed entry is removed where the
 * index can find it (else it stays as an unmatchable tombstone), a bank
 * enabled again has its entries added unless they are still here.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/sum.h"
#include "index/index_internal.h"
#include "match/allow.h"
#include "match/seen.h"
#include "store/store_internal.h"
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
    size_t dead; /* removed slots (id -1), counted in n */
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
            if (t->slots[i].id <= 0) continue;
            size_t j = key_hash(t->slots[i].key) & (ncap - 1);
            while (ns[j].id) j = (j + 1) & (ncap - 1);
            ns[j] = t->slots[i];
        }
        free(t->slots);
        t->slots = ns;
        t->cap = ncap;
        t->n -= t->dead;
        t->dead = 0;
    }
    size_t j = key_hash(key) & (t->cap - 1);
    while (t->slots[j].id) j = (j + 1) & (t->cap - 1);
    memset(t->slots[j].key, 0, sizeof t->slots[j].key);
    memcpy(t->slots[j].key, key, t->keylen);
    t->slots[j].id = id;
    t->n++;
    return 0;
}

/* Mark the slot of (key, id) removed (id -1: probes go on past it).
 * @return 1 if found. */
static int exact_remove(exact_table *t, const uint8_t *key, int64_t id) {
    if (!t->cap) return 0;
    for (size_t j = key_hash(key) & (t->cap - 1); t->slots[j].id; j = (j + 1) & (t->cap - 1))
        if (t->slots[j].id == id && memcmp(t->slots[j].key, key, t->keylen) == 0) {
            t->slots[j].id = -1;
            t->dead++;
            return 1;
        }
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
    /* deltas (vigil_matcher_sync): the change-log sequence applied through,
     * the banks whose entries are in memory, the banks asked for by name
     * (none: all), whether any delta was applied (then one entry may be
     * found twice: through a tombstone-free old copy and a new one) */
    int64_t seq;
    int64_t *in_mem;
    size_t n_in_mem, cap_in_mem;
    char **sel;
    size_t n_sel;
    int deltas;
    int syncing; /* a sync is under way (it may let mu go between windows) */
    /* the entries found lately (bank, kind, threshold, labels, ...) as the
     * store gave them, used only when it is unreachable (seen.h); a copy
     * goes when the change log touches its entry or bank */
    vigil__seen seen;
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

/* ---- the banks in memory ---------------------------------------------------- */

static int in_memory(const vigil_matcher *m, int64_t bank_id) {
    for (size_t i = 0; i < m->n_in_mem; i++)
        if (m->in_mem[i] == bank_id) return 1;
    return 0;
}

static int in_memory_set(vigil_matcher *m, int64_t bank_id, int on) {
    for (size_t i = 0; i < m->n_in_mem; i++)
        if (m->in_mem[i] == bank_id) {
            if (!on) m->in_mem[i] = m->in_mem[--m->n_in_mem];
            return 0;
        }
    if (!on) return 0;
    if (m->n_in_mem == m->cap_in_mem) {
        size_t ncap = m->cap_in_mem ? m->cap_in_mem * 2 : 8;
        int64_t *nv = realloc(m->in_mem, ncap * sizeof *nv);
        if (!nv) return -1;
        m->in_mem = nv;
        m->cap_in_mem = ncap;
    }
    m->in_mem[m->n_in_mem++] = bank_id;
    return 0;
}

static int selected(const vigil_matcher *m, const char *name) {
    if (m->n_sel == 0) return 1;
    for (size_t i = 0; i < m->n_sel; i++)
        if (strcmp(m->sel[i], name) == 0) return 1;
    return 0;
}

static void raise_radius(vigil_matcher *m, int d) {
    if (d > __atomic_load_n(&m->radius, __ATOMIC_RELAXED))
        __atomic_store_n(&m->radius, d, __ATOMIC_RELAXED);
}

void vigil_matcher_free(vigil_matcher *m) {
    if (!m) return;
    for (size_t i = 0; i < m->n_sel; i++) free(m->sel[i]);
    free(m->sel);
    free(m->in_mem);
    vigil_index_free(m->idx);
    free(m->groups);
    free(m->md5.slots);
    free(m->sha256.slots);
    vigil__seen_free(&m->seen);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* The options in force: `opts` (NULL: the defaults) with each negative
 * distance or quality floor replaced by its default. */
static void opts_resolve(const vigil_match_opts *opts, vigil_match_opts *o) {
    if (opts)
        *o = *opts;
    else
        vigil_match_opts_init(o);
    if (o->max_distance < 0) o->max_distance = VIGIL_DEFAULT_MAX_DISTANCE;
    if (o->quality_floor < 0) o->quality_floor = VIGIL_DEFAULT_QUALITY_FLOOR;
}

vigil_status vigil_matcher_open(vigil_store *st, const vigil_match_opts *opts, vigil_matcher **out,
                                vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    vigil_bank_info *banks = NULL;
    size_t nb = 0;
    int own_txn = 0;
    load_ctx lc;
    memset(&lc, 0, sizeof lc);
    if (!st || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_open: NULL argument");
    *out = NULL;
    vigil_match_opts o;
    opts_resolve(opts, &o);
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
    if (o.n_banks) {
        m->sel = calloc(o.n_banks, sizeof *m->sel);
        if (!m->sel) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
        for (; m->n_sel < o.n_banks; m->n_sel++)
            if (!(m->sel[m->n_sel] = strdup(o.banks[m->n_sel]))) {
                rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
                goto out;
            }
    }
    /* one snapshot of the store: the log's sequence agrees with what is loaded */
    own_txn = !vigil__store_in_transaction(st);
    if (own_txn && (rc = vigil__store_read_begin(st, err)) != VIGIL_OK) {
        own_txn = 0;
        goto out;
    }
    rc = vigil_bank_change_head(st, &m->seq, NULL, err);
    if (rc == VIGIL_OK) rc = vigil_bank_list(st, &banks, &nb, err);
    if (rc != VIGIL_OK) goto out;
    for (size_t i = 0; i < nb; i++) {
        if (!selected(m, banks[i].name) || !banks[i].enabled) continue;
        if (banks[i].max_distance > m->radius) m->radius = banks[i].max_distance;
        if (in_memory_set(m, banks[i].id, 1) != 0) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
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
    if (own_txn) vigil__store_read_end(st);
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
    return m ? m->n_pdq + m->md5.n - m->md5.dead + m->sha256.n - m->sha256.dead : 0;
}

int64_t vigil_matcher_sequence(const vigil_matcher *m) {
    return m ? __atomic_load_n(&m->seq, __ATOMIC_ACQUIRE) : 0;
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

/* Is the stored entry `e` still the one found, with the value found (the
 * PDQ query `q` at distance d, or the digest `dg`)?  The store is the
 * authority: see the head of this file. */
static int still_matches(const vigil_matcher *m, const vigil_entry *e, const vigil_pdq *q, int d,
                         const uint8_t *dg, size_t dlen) {
    if (!e->enabled || !e->bank_enabled || !in_memory(m, e->bank_id)) return 0;
    if (q) {
        vigil_pdq h;
        if (e->signal != VIGIL_SIGNAL_PDQ || vigil_pdq_from_hex(e->value, &h, NULL) != VIGIL_OK)
            return 0;
        return vigil_pdq_distance(q, &h) == d;
    }
    uint8_t key[32];
    return e->signal == (dlen == 16 ? VIGIL_SIGNAL_MD5 : VIGIL_SIGNAL_SHA256) &&
           dg &&
           vigil_hex_decode(e->value, key, dlen, NULL) == VIGIL_OK && memcmp(key, dg, dlen) == 0;
}

/* Append entry `id` found at distance d to res if it still matches and its
 * bank's threshold allows it.  Caller holds m->mu. */
static vigil_status add_match(vigil_matcher *m, int64_t id, int d, vigil_dihedral v,
                              const vigil_pdq *q, const uint8_t *dg, size_t dlen,
                              vigil_match_result *res, vigil_err *err) {
    vigil_entry e;
    if (id <= 0) return VIGIL_OK; /* a removed exact slot */
    vigil_status rc = vigil__seen_entry(&m->seen, vigil_bank_entry_get(m->st, id, &e, err), id, &e, err);
    if (rc == VIGIL_ENOENT) return VIGIL_OK; /* removed since the matcher loaded */
    if (rc != VIGIL_OK) return rc;
    if (!still_matches(m, &e, q, d, dg, dlen)) {
        vigil_entry_clear(&e);
        return VIGIL_OK;
    }
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
        rc = vigil_index_query(m->idx, v == 0 ? q : &dih[v],
                               __atomic_load_n(&m->radius, __ATOMIC_RELAXED), collect_hit, &b, err);
        if (b.failed) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    pthread_mutex_lock(&m->mu);
    /* one variant and no deltas: the index gives each entry once */
    if (rc == VIGIL_OK && (nv > 1 || m->deltas) && hits_fold(&b) != 0)
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    for (size_t i = 0; i < b.n && rc == VIGIL_OK; i++) {
        const vigil_dihedral v = b.variant[i];
        rc = add_match(m, b.h[i].id, b.h[i].distance, v, v == 0 ? q : &dih[v], NULL, 0, res, err);
    }
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
        if (memcmp(t->slots[j].key, digest, t->keylen) == 0)
            rc = add_match(m, t->slots[j].id, 0, VIGIL_DIH_ORIGINAL, NULL, digest, t->keylen, res, err);
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

/* ---- deltas ------------------------------------------------------------------- */

/* PDQ values to add, batched into one vigil_index_add. */
typedef struct add_batch {
    vigil_matcher *m;
    vigil_pdq *h;
    int64_t *ids;
    size_t n, cap;
    int failed;
    int64_t last_id; /* of the range being read */
    size_t seen;     /* rows of the window read */
} add_batch;

static int batch_flush(add_batch *ab, vigil_err *err) {
    if (!ab->n) return 0;
    if (vigil_index_add(ab->m->idx, ab->h, ab->ids, ab->n, err) != VIGIL_OK) return -1;
    ab->m->n_pdq += ab->n;
    ab->n = 0;
    return 0;
}

/* Put entry `id`'s value of signal `sig` in memory. @return 0 or -1 (no memory). */
static int add_value(add_batch *ab, int64_t id, vigil_signal sig, const char *value) {
    vigil_matcher *m = ab->m;
    if (sig == VIGIL_SIGNAL_PDQ) {
        if (ab->n == ab->cap) {
            size_t ncap = ab->cap ? ab->cap * 2 : 256;
            vigil_pdq *nh = realloc(ab->h, ncap * sizeof *nh);
            if (!nh) return -1;
            ab->h = nh;
            int64_t *ni = realloc(ab->ids, ncap * sizeof *ni);
            if (!ni) return -1;
            ab->ids = ni;
            ab->cap = ncap;
        }
        if (vigil_pdq_from_hex(value, &ab->h[ab->n], NULL) == VIGIL_OK) ab->ids[ab->n++] = id;
        return 0;
    }
    if (sig != VIGIL_SIGNAL_MD5 && sig != VIGIL_SIGNAL_SHA256) return 0;
    exact_table *t = sig == VIGIL_SIGNAL_MD5 ? &m->md5 : &m->sha256;
    uint8_t key[32];
    if (vigil_hex_decode(value, key, t->keylen, NULL) != VIGIL_OK) return 0;
    return exact_put(t, key, id);
}

/* Take entry `id`'s old value out of memory where it can be found. */
static void remove_value(vigil_matcher *m, int64_t id, vigil_signal sig, const char *value) {
    if (sig == VIGIL_SIGNAL_PDQ) {
        vigil_pdq h;
        if (vigil_pdq_from_hex(value, &h, NULL) == VIGIL_OK && vigil_index_remove(m->idx, id, &h))
            m->n_pdq--;
        return;
    }
    if (sig != VIGIL_SIGNAL_MD5 && sig != VIGIL_SIGNAL_SHA256) return;
    exact_table *t = sig == VIGIL_SIGNAL_MD5 ? &m->md5 : &m->sha256;
    uint8_t key[32];
    if (vigil_hex_decode(value, key, t->keylen, NULL) == VIGIL_OK) (void)exact_remove(t, key, id);
}

static int range_entry(void *ctx, const vigil_entry *e) {
    add_batch *ab = ctx;
    ab->last_id = e->id;
    ab->seen++;
    if (e->enabled && add_value(ab, e->id, e->signal, e->value) != 0) return ab->failed = 1;
    return 0;
}

/* The entries of a bank in first..last (an import, a bank enabled again),
 * read in windows of RANGE_WINDOW rows with m->mu let go between them, so
 * that queries go on during a large import; the PDQ values go into the
 * index at once at the end (one table build).  Caller holds m->mu. */
#define RANGE_WINDOW 50000
static vigil_status add_range(add_batch *ab, int64_t bank_id, int64_t first, int64_t last,
                              vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    for (int64_t from = first; rc == VIGIL_OK && from <= last;) {
        ab->seen = 0;
        rc = vigil_bank_entries_range(ab->m->st, bank_id, from, last, RANGE_WINDOW, range_entry, ab,
                                      err);
        if (rc == VIGIL_OK && ab->failed) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        if (rc != VIGIL_OK || ab->seen < RANGE_WINDOW || ab->last_id == INT64_MAX) break;
        from = ab->last_id + 1;
        pthread_mutex_unlock(&ab->m->mu);
        pthread_mutex_lock(&ab->m->mu);
    }
    if (rc == VIGIL_OK && batch_flush(ab, err) != 0) rc = err ? err->status : VIGIL_ENOMEM;
    return rc;
}

/* One change.  Caller holds m->mu. */
static vigil_status apply_change(add_batch *ab, const vigil_bank_change *c, vigil_err *err) {
    vigil_matcher *m = ab->m;
    vigil_status rc = VIGIL_OK;
    if (c->kind == VIGIL_CHANGE_ENTRY) {
        vigil__seen_forget(&m->seen, 0, c->entry_id, c->entry_id);
        if (c->old_value) {
            if (batch_flush(ab, err) != 0) return err ? err->status : VIGIL_ENOMEM;
            remove_value(m, c->entry_id, c->signal, c->old_value);
        }
        if (!in_memory(m, c->bank_id)) return VIGIL_OK;
        vigil_entry e;
        rc = vigil_bank_entry_get(m->st, c->entry_id, &e, err);
        if (rc == VIGIL_ENOENT) return VIGIL_OK; /* removed */
        if (rc != VIGIL_OK) return rc;
        /* the current value out first, then in once: applying a change
         * twice (or after a load that already saw it) leaves one copy */
        if (e.bank_id == c->bank_id) {
            if (batch_flush(ab, err) != 0) rc = err ? err->status : VIGIL_ENOMEM;
            if (rc == VIGIL_OK) remove_value(m, e.id, e.signal, e.value);
            if (rc == VIGIL_OK && e.enabled && add_value(ab, e.id, e.signal, e.value) != 0)
                rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        vigil_entry_clear(&e);
        return rc;
    }
    /* an import's range, or every entry of a bank whose settings changed */
    vigil__seen_forget(&m->seen, c->bank_id, c->kind == VIGIL_CHANGE_IMPORT ? c->entry_id : 1,
                c->kind == VIGIL_CHANGE_IMPORT ? c->last_id : INT64_MAX);
    if (c->kind == VIGIL_CHANGE_IMPORT)
        return in_memory(m, c->bank_id) ? add_range(ab, c->bank_id, c->entry_id, c->last_id, err)
                                        : VIGIL_OK;
    vigil_bank_info b;
    rc = vigil_bank_get_by_id(m->st, c->bank_id, &b, err);
    if (rc == VIGIL_ENOENT) { /* deleted: its entries stay as tombstones */
        (void)in_memory_set(m, c->bank_id, 0);
        return VIGIL_OK;
    }
    if (rc != VIGIL_OK || !b.enabled || !selected(m, b.name)) return rc;
    raise_radius(m, b.max_distance);
    if (in_memory(m, b.id)) return VIGIL_OK; /* disabled and enabled again: still here */
    rc = add_range(ab, b.id, 1, INT64_MAX, err);
    if (rc == VIGIL_OK && in_memory_set(m, b.id, 1) != 0)
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return rc;
}

#define SYNC_BATCH 1000

vigil_status vigil_matcher_sync(vigil_matcher *m, size_t *applied, vigil_err *err) {
    if (applied) *applied = 0;
    if (!m) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_sync: NULL matcher");
    vigil_status rc = VIGIL_OK;
    add_batch ab;
    memset(&ab, 0, sizeof ab);
    ab.m = m;
    pthread_mutex_lock(&m->mu);
    m->syncing = 1;
    for (;;) {
        vigil_bank_change *cs = NULL;
        size_t n = 0;
        rc = vigil_bank_changes_since(m->st, m->seq, SYNC_BATCH, &cs, &n, err);
        if (rc != VIGIL_OK) break;
        for (size_t i = 0; i < n && rc == VIGIL_OK; i++) rc = apply_change(&ab, &cs[i], err);
        if (rc == VIGIL_OK && batch_flush(&ab, err) != 0) rc = err ? err->status : VIGIL_ENOMEM;
        if (rc == VIGIL_OK && n) {
            m->deltas = 1;
            __atomic_store_n(&m->seq, cs[n - 1].seq, __ATOMIC_RELEASE);
            if (applied) *applied += n;
        }
        vigil_bank_changes_free(cs, n);
        if (rc != VIGIL_OK || n < SYNC_BATCH) break;
    }
    m->syncing = 0;
    pthread_mutex_unlock(&m->mu);
    free(ab.h);
    free(ab.ids);
    return rc;
}

/* ---- snapshots ------------------------------------------------------------------ */

#define SNAP_FORMAT 2

/* The head of a snapshot file; the rest: the ids of the banks in memory,
 * the groups, the two exact tables' slots, the index (vigil__index_save),
 * then the 64-bit sum of all that precedes it. */
typedef struct snap_head {
    char magic[8]; /* "VIGILSNP" */
    uint32_t format, schema;
    int64_t identity, seq;
    int32_t default_d, radius, dihedral, floor;
    uint64_t n_pdq, n_in_mem, n_groups;
    uint64_t md5_cap, md5_n, md5_dead, sha_cap, sha_n, sha_dead;
    char mark[96]; /* the log row at seq (vigil__change_mark) */
} snap_head;

static void *memdup_or_null(const void *p, size_t n, int *failed) {
    if (!n) return NULL;
    void *q = malloc(n);
    if (!q) {
        *failed = 1;
        return NULL;
    }
    memcpy(q, p, n);
    return q;
}

vigil_status vigil_matcher_save(vigil_matcher *m, const char *path, vigil_err *err) {
    if (!m || !path) return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_save: NULL argument");
    if (m->n_sel)
        return vigil__err_set(err, VIGIL_EINVAL,
                              "a matcher over named banks is not saved (only one over all banks)");
    snap_head h;
    memset(&h, 0, sizeof h);
    memcpy(h.magic, "VIGILSNP", 8);
    h.format = SNAP_FORMAT;
    /* the state at one sequence, taken under mu between syncs (a sync lets
     * mu go between the windows of a large range: wait for its end), then
     * written with no lock held: queries and syncs go on */
    pthread_mutex_lock(&m->mu);
    while (m->syncing) {
        pthread_mutex_unlock(&m->mu);
        struct timespec pause = {0, 10000000};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&m->mu);
    }
    vigil_status rc = vigil_store_identity(m->st, &h.identity, err);
    h.schema = (uint32_t)vigil_store_schema_version(m->st);
    h.seq = m->seq;
    if (rc == VIGIL_OK) rc = vigil__change_mark(m->st, h.seq, h.mark, sizeof h.mark, err);
    h.default_d = m->default_d;
    h.radius = m->radius;
    h.dihedral = m->dihedral;
    h.floor = m->floor;
    h.n_pdq = m->n_pdq;
    h.n_in_mem = m->n_in_mem;
    h.n_groups = m->n_groups;
    h.md5_cap = m->md5.cap;
    h.md5_n = m->md5.n;
    h.md5_dead = m->md5.dead;
    h.sha_cap = m->sha256.cap;
    h.sha_n = m->sha256.n;
    h.sha_dead = m->sha256.dead;
    int failed = 0;
    int64_t *in_mem = memdup_or_null(m->in_mem, m->n_in_mem * sizeof *m->in_mem, &failed);
    exact_slot *md5 = memdup_or_null(m->md5.slots, m->md5.cap * sizeof *md5, &failed);
    exact_slot *sha = memdup_or_null(m->sha256.slots, m->sha256.cap * sizeof *sha, &failed);
    vigil__index_view *view = failed ? NULL : vigil__index_pin(m->idx);
    pthread_mutex_unlock(&m->mu);
    if (rc == VIGIL_OK && !view) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    char tmp[4096];
    FILE *f = NULL;
    if (rc == VIGIL_OK && (size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp)
        rc = vigil__err_set(err, VIGIL_EINVAL, "snapshot path too long");
    if (rc == VIGIL_OK && !(f = fopen(tmp, "wb")))
        rc = vigil__err_set(err, VIGIL_EIO, "%s: cannot write the index snapshot: %s", tmp,
                            strerror(errno));
    if (rc == VIGIL_OK) {
        vigil__ckfile c = {f, 0, 0};
        vigil__ck_write(&c, &h, sizeof h);
        vigil__ck_write(&c, in_mem, h.n_in_mem * sizeof *in_mem);
        vigil__ck_write(&c, m->groups, m->n_groups * sizeof *m->groups); /* fixed at load */
        vigil__ck_write(&c, md5, h.md5_cap * sizeof *md5);
        vigil__ck_write(&c, sha, h.sha_cap * sizeof *sha);
        vigil__index_save(view, &c);
        uint64_t sum = c.sum;
        if (c.failed || fwrite(&sum, sizeof sum, 1, f) != 1 || fflush(f) != 0 || fsync(fileno(f)) != 0)
            rc = vigil__err_set(err, VIGIL_EIO, "%s: cannot write the index snapshot: %s", tmp,
                                strerror(errno));
    }
    vigil__index_unpin(view);
    free(in_mem);
    free(md5);
    free(sha);
    if (f && fclose(f) != 0 && rc == VIGIL_OK)
        rc = vigil__err_set(err, VIGIL_EIO, "%s: cannot write the index snapshot: %s", tmp,
                            strerror(errno));
    if (rc == VIGIL_OK && rename(tmp, path) != 0)
        rc = vigil__err_set(err, VIGIL_EIO, "%s: cannot replace the index snapshot: %s", path,
                            strerror(errno));
    if (rc != VIGIL_OK && f) unlink(tmp);
    return rc;
}

static vigil_status snap_bad(vigil_err *err, const char *path, const char *why) {
    return vigil__err_set(err, VIGIL_ECORRUPT, "%s: the index snapshot is not used: %s", path, why);
}

/* An exact table's slots, as counted in the head.  @return 0 or -1. */
static int read_table(vigil__ckfile *c, uint64_t *budget, exact_table *t, uint64_t cap, uint64_t n,
                      uint64_t dead) {
    if (cap == 0) return n == 0 && dead == 0 ? 0 : -1;
    if ((cap & (cap - 1)) || cap > ((uint64_t)1 << 40) || n > cap / 2 || dead > n) return -1;
    if (cap * sizeof(exact_slot) > *budget) return -1;
    *budget -= cap * sizeof(exact_slot);
    t->slots = malloc(cap * sizeof *t->slots);
    if (!t->slots) return -1;
    t->cap = cap;
    t->n = n;
    t->dead = dead;
    return vigil__ck_read(c, t->slots, cap * sizeof *t->slots);
}

vigil_status vigil_matcher_open_snapshot(vigil_store *st, const vigil_match_opts *opts,
                                         const char *path, vigil_matcher **out, vigil_err *err) {
    if (!st || !path || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_matcher_open_snapshot: NULL argument");
    *out = NULL;
    vigil_match_opts o;
    opts_resolve(opts, &o);
    if (o.n_banks)
        return vigil__err_set(err, VIGIL_EINVAL, "a snapshot holds all banks: not for named banks");
    struct stat sb;
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &sb) != 0) {
        vigil_status rc = vigil__err_set(err, VIGIL_ENOENT, "%s: no index snapshot: %s", path,
                                         strerror(errno));
        if (f) fclose(f);
        return rc;
    }
    vigil_status rc = VIGIL_OK;
    vigil_matcher *m = calloc(1, sizeof *m);
    vigil__ckfile c = {f, 0, 0};
    snap_head h;
    int64_t identity = 0;
    uint64_t budget = (uint64_t)sb.st_size;
    if (!m) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    pthread_mutex_init(&m->mu, NULL);
    m->st = st;
    m->md5.keylen = 16;
    m->sha256.keylen = 32;
    if (budget < sizeof h + 8 || vigil__ck_read(&c, &h, sizeof h) != 0 ||
        memcmp(h.magic, "VIGILSNP", 8) != 0 || h.format != SNAP_FORMAT) {
        rc = snap_bad(err, path, "not a snapshot of this vigil (its head)");
        goto out;
    }
    budget -= sizeof h + 8;
    rc = vigil_store_identity(st, &identity, err);
    if (rc != VIGIL_OK) goto out;
    if (h.identity != identity || h.schema != (uint32_t)vigil_store_schema_version(st)) {
        rc = snap_bad(err, path, "made from another store or schema");
        goto out;
    }
    char mark[sizeof h.mark];
    h.mark[sizeof h.mark - 1] = '\0';
    rc = vigil__change_mark(st, h.seq, mark, sizeof mark, err);
    if (rc != VIGIL_OK) goto out;
    if (h.seq > 0 && strcmp(mark, h.mark) != 0) {
        rc = snap_bad(err, path,
                      mark[0] ? "the store's change log differs from the one it was made from"
                              : "stale: the change log no longer reaches back to it");
        goto out;
    }
    if (h.default_d != o.max_distance || h.dihedral != o.dihedral || h.floor != o.quality_floor ||
        h.radius < h.default_d || h.radius > 256) {
        rc = snap_bad(err, path, "made with other match options");
        goto out;
    }
    m->seq = h.seq;
    m->default_d = h.default_d;
    m->radius = h.radius;
    m->dihedral = h.dihedral;
    m->floor = h.floor;
    m->n_pdq = h.n_pdq;
    if (h.n_in_mem > budget / 8 || h.n_groups > budget / 8) {
        rc = snap_bad(err, path, "truncated");
        goto out;
    }
    if (h.n_in_mem && !(m->in_mem = malloc(h.n_in_mem * sizeof *m->in_mem))) goto nomem;
    m->n_in_mem = m->cap_in_mem = h.n_in_mem;
    budget -= h.n_in_mem * 8;
    if (h.n_groups && !(m->groups = malloc(h.n_groups * sizeof *m->groups))) goto nomem;
    m->n_groups = h.n_groups;
    budget -= h.n_groups * 8;
    vigil__ck_read(&c, m->in_mem, h.n_in_mem * sizeof *m->in_mem);
    vigil__ck_read(&c, m->groups, h.n_groups * sizeof *m->groups);
    if (read_table(&c, &budget, &m->md5, h.md5_cap, h.md5_n, h.md5_dead) != 0 ||
        read_table(&c, &budget, &m->sha256, h.sha_cap, h.sha_n, h.sha_dead) != 0) {
        rc = snap_bad(err, path, "damaged or truncated (the exact tables)");
        goto out;
    }
    vigil_err ierr;
    vigil_err_clear(&ierr);
    rc = vigil__index_load(&c, &budget, &m->idx, &ierr);
    if (rc != VIGIL_OK) {
        rc = rc == VIGIL_ENOMEM ? vigil__err_set(err, rc, "%s", ierr.msg)
                                : snap_bad(err, path, ierr.msg);
        goto out;
    }
    uint64_t sum = 0, want = c.sum;
    if (c.failed || budget != 0 || fread(&sum, sizeof sum, 1, f) != 1 || sum != want) {
        rc = snap_bad(err, path, "damaged (its checksum does not match)");
        goto out;
    }
    /* the changes since it was made; too old a snapshot is stale */
    rc = vigil_matcher_sync(m, NULL, err);
    if (rc == VIGIL_ECONFLICT) rc = snap_bad(err, path, "stale: the change log no longer reaches back to it");
    goto out;
nomem:
    rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the index snapshot");
out:
    fclose(f);
    if (rc != VIGIL_OK || !m) {
        vigil_matcher_free(m);
        return rc != VIGIL_OK ? rc : VIGIL_ENOMEM;
    }
    m->deltas = 1; /* a snapshot may hold tombstones and copies */
    *out = m;
    return VIGIL_OK;
}
