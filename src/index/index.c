/*
 * src/index/index.c - the PDQ index: multi-index hashing over 16 tables of
 * 16-bit substrings, a pending area for recent adds, tombstones for removes,
 * and a linear scan for radii where probing would not pay.  See
 * include/vigil/index.h for the design and docs/matching.md for figures.
 *
 * Invariants of a shard:
 *   entries [0, built) are in all m tables; [built, n) are pending (scanned
 *   linearly by queries); dead[] marks removed entries in either part;
 *   the 256 bits are cut into m substrings (table t covers bits start[t] ..
 *   start[t]+len[t]-1, lengths differing by at most one), and table t lists,
 *   for each key k of len[t] bits, the slots of the built entries whose
 *   substring t equals k: off[base[t]+k] .. off[base[t]+k+1], slots stored as
 *   3-byte little-endian numbers (a shard holds at most 2^24 entries).
 *   m is chosen at each build from the entry count: substrings of about
 *   log2(n) - 2 bits (16 to 24), so that buckets hold a few entries each
 *   while the bucket arrays stay near 12 bytes per entry.
 */
#define _DEFAULT_SOURCE /* madvise(MADV_HUGEPAGE) */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "common/buf.h"
#include "common/err.h"
#include "index/index_internal.h"
#include "index/scan.h"
#include "vigil/index.h"

#define MAXT 16                 /* at most 16 tables (substrings >= 16 bits) */
#define SHARD_CAP (1u << 24)    /* slot numbers are 24 bits       */
#define PENDING_MIN 16384       /* merge when pending exceeds this */
#define SCAN_BLOCK 4096         /* entries per scan step           */
#define GROW_MAX (1u << 20)     /* a full shard this large is not grown: adds
                                   go to a new shard (growing would copy its
                                   arrays, two copies for a moment) */
#define MAX_SHARDS 4096         /* a snapshot's bound */

typedef struct shard {
    vigil_pdq *hash; /* cap entries, 64-byte aligned */
    int64_t *id;
    uint64_t *dead; /* bitmap over cap */
    size_t n, cap, built, live, ndead;
    int m;                   /* tables; 0 until the first build */
    int start[MAXT], len[MAXT];
    size_t base[MAXT + 1];   /* table t's buckets start at off[base[t]] */
    uint32_t *off;           /* base[m] entries */
    uint8_t *slots;          /* m * built * 3 (+ 4 bytes slack) */
} shard;

struct vigil_index {
    pthread_rwlock_t lock;
    shard *sh;
    size_t nsh, capsh;
    vigil_index_strategy strategy;
    vigil__scan_fn scan;
    int pinned; /* snapshots being written from a view: no table rebuild, no
                   array of an existing shard moved or freed (adds that need
                   room open a new shard) */
};

/* Bits [start, start+len) of the hash read as 4 little-endian 64-bit words. */
static inline unsigned bits_at(const vigil_pdq *h, int start, int len) {
    uint64_t w[4];
    memcpy(w, h->bytes, sizeof w);
    const int i = start >> 6, o = start & 63;
    uint64_t v = w[i] >> o;
    if (o + len > 64) v |= w[i + 1] << (64 - o);
    return (unsigned)(v & ((1ull << len) - 1));
}

static inline unsigned sub_key(const shard *s, const vigil_pdq *h, int t) {
    return bits_at(h, s->start[t], s->len[t]);
}

/* Cut 256 bits into substrings of about log2(n) - 2 bits. */
static void choose_layout(shard *s, size_t n) {
    int lg = 0;
    while (lg < 40 && (1ull << (lg + 1)) <= n) lg++;
    int b = lg - 2;
    if (b < 16) b = 16;
    if (b > 24) b = 24;
    int m = 256 / b;
    if (m > MAXT) m = MAXT;
    int extra = 256 - m * b, pos = 0;
    s->m = m;
    s->base[0] = 0;
    for (int t = 0; t < m; t++) {
        s->len[t] = b + (t < extra ? 1 : 0);
        s->start[t] = pos;
        pos += s->len[t];
        s->base[t + 1] = s->base[t] + ((size_t)1 << s->len[t]) + 1;
    }
}

static inline uint32_t slot_at(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
}

static inline void slot_put(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
}

/* Large arrays: 2 MiB aligned and backed by huge pages where the kernel
 * allows it (the probes and the build touch them at random: with 4 KiB
 * pages most accesses would also miss the TLB).  free() releases them. */
static void *big_alloc(size_t bytes) {
    const size_t huge = (size_t)1 << 21;
    if (bytes < huge) return aligned_alloc(64, (bytes + 63) / 64 * 64);
    size_t sz = (bytes + huge - 1) / huge * huge;
    void *p = aligned_alloc(huge, sz);
#ifdef MADV_HUGEPAGE
    if (p) (void)madvise(p, sz, MADV_HUGEPAGE);
#endif
    return p;
}

static inline int is_dead(const shard *s, size_t i) { return (s->dead[i >> 6] >> (i & 63)) & 1; }

/* ---- shards ------------------------------------------------------------ */

static void shard_free(shard *s) {
    free(s->hash);
    free(s->id);
    free(s->dead);
    free(s->off);
    free(s->slots);
    memset(s, 0, sizeof *s);
}

static int shard_reserve(shard *s, size_t want) {
    if (want <= s->cap) return 0;
    size_t cap = s->cap ? s->cap * 2 : 1024;
    if (cap < want) cap = want; /* a bulk load gets exactly what it needs */
    if (cap > SHARD_CAP) cap = SHARD_CAP;
    vigil_pdq *h = big_alloc(cap * sizeof *h);
    int64_t *id = big_alloc(cap * sizeof *id);
    uint64_t *dead = calloc((cap + 63) / 64, sizeof *dead);
    if (!h || !id || !dead) {
        free(h);
        free(id);
        free(dead);
        return -1;
    }
    if (s->n) {
        memcpy(h, s->hash, s->n * sizeof *h);
        memcpy(id, s->id, s->n * sizeof *id);
        memcpy(dead, s->dead, (s->n + 63) / 64 * sizeof *dead);
    }
    free(s->hash);
    free(s->id);
    free(s->dead);
    s->hash = h;
    s->id = id;
    s->dead = dead;
    s->cap = cap;
    return 0;
}

/* Fill tables [t0, t1) of layout `lay` over the shard's n entries.  Each
 * table is a sort of (key, slot) pairs by key: two stable radix passes (the
 * low 11 bits, then the rest), each writing to at most a few thousand
 * sequential streams, which caches and TLBs handle well, then one
 * sequential pass writing the 3-byte slots and the bucket bounds.  `tmp`
 * has room for 2n pairs. */
#define RADIX_LO 11
typedef struct build_job {
    const shard *s, *lay;
    uint32_t *off;
    uint64_t *tmp;
    uint8_t *slots;
    int t0, t1;
} build_job;

static void radix_pass(const uint64_t *in, uint64_t *out, size_t n, int shift, int bits,
                       size_t *cnt) {
    const size_t nb = (size_t)1 << bits;
    const uint64_t mask = nb - 1;
    memset(cnt, 0, nb * sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[(in[i] >> shift) & mask]++;
    size_t sum = 0;
    for (size_t k = 0; k < nb; k++) {
        size_t c = cnt[k];
        cnt[k] = sum;
        sum += c;
    }
    for (size_t i = 0; i < n; i++) out[cnt[(in[i] >> shift) & mask]++] = in[i];
}

static void *build_tables(void *arg) {
    build_job *jb = arg;
    const shard *s = jb->s, *lay = jb->lay;
    const size_t n = s->n;
    uint64_t *a = jb->tmp, *b = jb->tmp + n;
    size_t cnt[(size_t)1 << 14];
    for (int t = jb->t0; t < jb->t1; t++) {
        const int len = lay->len[t];
        /* pairs: key in the high bits, slot in the low 24 */
        for (size_t i = 0; i < n; i++) a[i] = (uint64_t)sub_key(lay, &s->hash[i], t) << 24 | i;
        radix_pass(a, b, n, 24, RADIX_LO, cnt);
        radix_pass(b, a, n, 24 + RADIX_LO, len - RADIX_LO, cnt);
        uint32_t *o = jb->off + lay->base[t];
        uint8_t *tab = jb->slots + (size_t)t * n * 3;
        const size_t nb = (size_t)1 << len;
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            const size_t key = (size_t)(a[i] >> 24);
            while (k <= key) o[k++] = (uint32_t)i;
            slot_put(tab + 3 * i, (uint32_t)(a[i] & 0xFFFFFF));
        }
        while (k <= nb) o[k++] = (uint32_t)n;
    }
    return NULL;
}

/* Drop dead entries and (re)build the tables over all entries; large shards
 * are built on two threads (half of the tables each). */
static int shard_build(shard *s) {
    uint32_t *off = NULL;
    uint64_t *tmp[2] = {NULL, NULL};
    uint8_t *slots = NULL;
    /* compact */
    if (s->ndead) {
        size_t w = 0;
        for (size_t i = 0; i < s->n; i++) {
            if (is_dead(s, i)) continue;
            s->hash[w] = s->hash[i];
            s->id[w++] = s->id[i];
        }
        memset(s->dead, 0, (s->n + 63) / 64 * sizeof *s->dead);
        s->n = w;
        s->live = w;
        s->ndead = 0;
    }
    shard lay = *s;
    choose_layout(&lay, s->n);
    const int nthreads = s->n >= 1000000 ? 2 : 1;
    off = big_alloc(lay.base[lay.m] * sizeof *off);
    slots = big_alloc((size_t)lay.m * s->n * 3 + 4);
    for (int i = 0; i < nthreads; i++) tmp[i] = big_alloc((2 * s->n + 1) * sizeof *tmp[i]);
    if (!off || !slots || !tmp[0] || (nthreads > 1 && !tmp[1])) goto fail;
    build_job jobs[2];
    memset(jobs, 0, sizeof jobs);
    pthread_t th;
    int threaded = 0;
    for (int i = 0; i < nthreads; i++)
        jobs[i] = (build_job){s, &lay, off, tmp[i], slots, lay.m * i / nthreads, lay.m * (i + 1) / nthreads};
    if (nthreads > 1 && pthread_create(&th, NULL, build_tables, &jobs[1]) == 0) threaded = 1;
    build_tables(&jobs[0]);
    if (nthreads > 1) {
        if (threaded)
            pthread_join(th, NULL);
        else
            build_tables(&jobs[1]);
    }
    free(tmp[0]);
    free(tmp[1]);
    free(s->off);
    free(s->slots);
    s->m = lay.m;
    memcpy(s->start, lay.start, sizeof s->start);
    memcpy(s->len, lay.len, sizeof s->len);
    memcpy(s->base, lay.base, sizeof s->base);
    s->off = off;
    s->slots = slots;
    s->built = s->n;
    return 0;
fail:
    free(off);
    free(tmp[0]);
    free(tmp[1]);
    free(slots);
    return -1;
}

/* ---- lifecycle ----------------------------------------------------------- */

vigil_status vigil_index_new(vigil_index **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_index_new: NULL out");
    vigil_index *idx = calloc(1, sizeof *idx);
    if (!idx) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (pthread_rwlock_init(&idx->lock, NULL) != 0) {
        free(idx);
        return vigil__err_set(err, VIGIL_EINTERNAL, "cannot create the index lock");
    }
    idx->scan = vigil__scan_best();
    *out = idx;
    return VIGIL_OK;
}

void vigil_index_free(vigil_index *idx) {
    if (!idx) return;
    for (size_t i = 0; idx->sh && i < idx->nsh; i++) shard_free(&idx->sh[i]);
    free(idx->sh);
    pthread_rwlock_destroy(&idx->lock);
    free(idx);
}

void vigil_index_set_strategy(vigil_index *idx, vigil_index_strategy s) {
    if (idx) idx->strategy = s;
}

size_t vigil_index_size(const vigil_index *idx) {
    if (!idx) return 0;
    vigil_index *m = (vigil_index *)idx;
    pthread_rwlock_rdlock(&m->lock);
    size_t n = 0;
    for (size_t i = 0; i < idx->nsh; i++) n += idx->sh[i].live;
    pthread_rwlock_unlock(&m->lock);
    return n;
}

size_t vigil_index_memory(const vigil_index *idx) {
    if (!idx) return 0;
    vigil_index *m = (vigil_index *)idx;
    pthread_rwlock_rdlock(&m->lock);
    size_t b = sizeof *idx + idx->capsh * sizeof(shard);
    for (size_t i = 0; i < idx->nsh; i++) {
        const shard *s = &idx->sh[i];
        b += s->cap * (sizeof(vigil_pdq) + sizeof(int64_t)) + (s->cap + 63) / 64 * 8;
        if (s->off) b += s->base[s->m] * sizeof(uint32_t);
        if (s->slots) b += (size_t)s->m * s->built * 3 + 4;
    }
    pthread_rwlock_unlock(&m->lock);
    return b;
}

/* ---- add / remove ------------------------------------------------------- */

/* Small shards left by adds made while a snapshot view existed (each such
 * add that needed room opened one): the last one is folded into the one
 * before it when both are small, its live entries appended as pending, so
 * that their number stays bounded.  Caller holds the write lock, no view
 * exists.  Out of memory: left as they are. */
static void fold_small_shards(vigil_index *idx) {
    while (idx->nsh >= 2) {
        shard *a = &idx->sh[idx->nsh - 2], *b = &idx->sh[idx->nsh - 1];
        if (a->cap >= GROW_MAX || b->cap >= GROW_MAX || a->n + b->live > GROW_MAX) return;
        if (shard_reserve(a, a->n + b->live) != 0) return;
        for (size_t i = 0; i < b->n; i++) {
            if (is_dead(b, i)) continue;
            a->hash[a->n] = b->hash[i];
            a->id[a->n++] = b->id[i];
            a->live++;
        }
        shard_free(b);
        idx->nsh--;
    }
}

vigil_status vigil_index_add(vigil_index *idx, const vigil_pdq *hashes, const int64_t *ids,
                             size_t n, vigil_err *err) {
    if (!idx || (n && (!hashes || !ids)))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_index_add: NULL argument");
    vigil_status rc = VIGIL_OK;
    pthread_rwlock_wrlock(&idx->lock);
    if (!idx->pinned) fold_small_shards(idx);
    size_t done = 0, first_shard = idx->nsh ? idx->nsh - 1 : 0;
    /* remember where we started, to undo on failure */
    size_t n0_last = idx->nsh ? idx->sh[idx->nsh - 1].n : 0, nsh0 = idx->nsh;
    while (done < n) {
        const shard *tail = idx->nsh ? &idx->sh[idx->nsh - 1] : NULL;
        if (!tail || tail->n == SHARD_CAP ||
            (tail->n == tail->cap && (tail->cap >= GROW_MAX || idx->pinned))) {
            if (idx->nsh == idx->capsh) {
                size_t c = vigil__grow_cap(idx->capsh, idx->nsh + 1, 4, 0);
                shard *ns = c ? vigil__realloc_n(idx->sh, c, sizeof *ns) : NULL;
                if (!ns) goto nomem;
                idx->sh = ns;
                idx->capsh = c;
            }
            memset(&idx->sh[idx->nsh++], 0, sizeof(shard));
        }
        shard *s = &idx->sh[idx->nsh - 1];
        size_t take = n - done;
        if (take > SHARD_CAP - s->n) take = SHARD_CAP - s->n;
        if ((s->cap >= GROW_MAX || idx->pinned) && s->cap > s->n && take > s->cap - s->n)
            take = s->cap - s->n;
        if (shard_reserve(s, s->n + take) != 0) goto nomem;
        memcpy(s->hash + s->n, hashes + done, take * sizeof *hashes);
        memcpy(s->id + s->n, ids + done, take * sizeof *ids);
        s->n += take;
        s->live += take;
        done += take;
    }
    for (size_t i = first_shard; i < idx->nsh; i++) {
        shard *s = &idx->sh[i];
        size_t pending = s->n - s->built, limit = s->n / 64;
        if (limit < PENDING_MIN) limit = PENDING_MIN;
        if (!idx->pinned && pending > limit && shard_build(s) != 0) goto nomem_built;
    }
    pthread_rwlock_unlock(&idx->lock);
    return rc;
nomem_built:
    /* the entries are in (pending); the merge will be retried on the next add */
    pthread_rwlock_unlock(&idx->lock);
    return VIGIL_OK;
nomem:
    /* undo: drop what this call appended */
    while (idx->nsh > nsh0) shard_free(&idx->sh[--idx->nsh]);
    if (idx->nsh) {
        shard *s = &idx->sh[idx->nsh - 1];
        s->live -= s->n - n0_last;
        s->n = n0_last;
    }
    pthread_rwlock_unlock(&idx->lock);
    return vigil__err_set(err, VIGIL_ENOMEM, "out of memory adding %zu hashes to the index", n);
}

int vigil_index_remove(vigil_index *idx, int64_t id, const vigil_pdq *hash) {
    if (!idx || !hash) return 0;
    int found = 0;
    pthread_rwlock_wrlock(&idx->lock);
    for (size_t k = 0; k < idx->nsh && !found; k++) {
        shard *s = &idx->sh[k];
        size_t hit = (size_t)-1;
        if (s->built) {
            const uint32_t *o = s->off; /* table 0 */
            unsigned key = sub_key(s, hash, 0);
            for (uint32_t j = o[key]; j < o[key + 1]; j++) {
                uint32_t i = slot_at(s->slots + 3 * (size_t)j);
                if (s->id[i] == id && !is_dead(s, i) && memcmp(&s->hash[i], hash, sizeof *hash) == 0) {
                    hit = i;
                    break;
                }
            }
        }
        for (size_t i = s->built; hit == (size_t)-1 && i < s->n; i++)
            if (s->id[i] == id && !is_dead(s, i) && memcmp(&s->hash[i], hash, sizeof *hash) == 0)
                hit = i;
        if (hit != (size_t)-1) {
            s->dead[hit >> 6] |= 1ull << (hit & 63);
            s->ndead++;
            s->live--;
            found = 1;
            if (!idx->pinned && s->ndead > s->n / 4 && s->ndead > PENDING_MIN) (void)shard_build(s);
        }
    }
    pthread_rwlock_unlock(&idx->lock);
    return found;
}

/* ---- queries -------------------------------------------------------------- */

typedef int (*emit_fn)(void *ctx, int64_t id, int d);

/* Radius of table t for a query radius D over m tables (Norouzi's
 * refinement of the pigeonhole bound): D = m r + a; tables 0..a at r, the
 * rest at r - 1 (a negative radius: the table is not probed). */
static inline int table_radius(int m, int D, int t) {
    int r = D / m, a = D % m;
    return t <= a ? r : r - 1;
}

static double binom(int n, int k) {
    double c = 1;
    for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
    return c;
}

/* Expected candidates for radius D (for the strategy choice). */
static double expected_candidates(const shard *s, int D) {
    double c = 0;
    for (int t = 0; t < s->m; t++) {
        int rad = table_radius(s->m, D, t);
        if (rad > s->len[t]) rad = s->len[t];
        double p = 0;
        for (int k = 0; k <= rad; k++) p += binom(s->len[t], k);
        c += p * ((double)s->built / (double)((size_t)1 << s->len[t]) + 1.0);
    }
    return c;
}

/* Was this candidate already found through an earlier table? */
static inline int found_earlier(const shard *s, const vigil_pdq *h, const unsigned *qk, int D, int t) {
    for (int u = 0; u < t; u++) {
        int rad = table_radius(s->m, D, u);
        if (rad >= 0 && __builtin_popcount(sub_key(s, h, u) ^ qk[u]) <= rad) return 1;
    }
    return 0;
}

static inline int hash_distance(const vigil_pdq *a, const vigil_pdq *b) {
    uint64_t x[4], y[4];
    memcpy(x, a->bytes, sizeof x);
    memcpy(y, b->bytes, sizeof y);
    return __builtin_popcountll(x[0] ^ y[0]) + __builtin_popcountll(x[1] ^ y[1]) +
           __builtin_popcountll(x[2] ^ y[2]) + __builtin_popcountll(x[3] ^ y[3]);
}

static int scan_range(const vigil_index *idx, const shard *s, size_t from, size_t to,
                      const vigil_pdq *q, int D, emit_fn emit, void *ctx) {
    uint32_t pos[SCAN_BLOCK];
    uint16_t dist[SCAN_BLOCK];
    for (size_t b = from; b < to; b += SCAN_BLOCK) {
        size_t len = to - b < SCAN_BLOCK ? to - b : SCAN_BLOCK;
        size_t m = idx->scan(s->hash + b, len, q, D, pos, dist);
        for (size_t j = 0; j < m; j++) {
            size_t i = b + pos[j];
            if (s->ndead && is_dead(s, i)) continue;
            if (emit(ctx, s->id[i], dist[j])) return 1;
        }
    }
    return 0;
}

/* The next larger number with the same count of set bits (Gosper's hack);
 * `mask` must be non-zero. */
static inline unsigned next_combination(unsigned mask) {
    const unsigned low = mask & -mask, ripple = mask + low;
    return low ? (((ripple ^ mask) >> 2) / low) | ripple : ~0u;
}

/* Probe the tables.  Buckets hold a few entries each, so the cost is one
 * random memory access per probed bucket and per candidate: the probes are
 * handled in chunks, in stages that each issue many independent loads
 * (bucket bounds, then slot numbers, then the candidates' hashes), so that
 * the memory system works on many at once.  Compiled twice: with the
 * POPCNT instruction and without, chosen at load time. */
#define CHUNK 256
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("popcnt", "default")))
#endif
static int shard_query_mih(const shard *s, const vigil_pdq *q, int D, emit_fn emit, void *ctx) {
    unsigned qk[MAXT], keys[CHUNK];
    uint32_t lo[CHUNK], hi[CHUNK], cand[CHUNK * 8];
    for (int t = 0; t < s->m; t++) qk[t] = sub_key(s, q, t);
    for (int t = 0; t < s->m && s->built; t++) {
        int rad = table_radius(s->m, D, t);
        if (rad < 0) continue;
        const int len = s->len[t];
        if (len < 1 || len > 30) continue; /* never: choose_layout makes 16..25 */
        if (rad > len) rad = len;
        const uint32_t *o = s->off + s->base[t];
        const uint8_t *tab = s->slots + (size_t)t * s->built * 3;
        const unsigned limit = 1u << len;
        int k = 0;
        unsigned mask = 0;
        int more = 1;
        while (more) {
            /* stage 1: the next chunk of keys within rad of qk[t] (every
             * len-bit mask with k bits set, k = 0..rad, by Gosper's hack) */
            int nk = 0;
            while (nk < CHUNK) {
                keys[nk++] = qk[t] ^ mask;
                if (k == 0 || (mask = next_combination(mask)) >= limit) {
                    if (++k > rad) {
                        more = 0;
                        break;
                    }
                    mask = (1u << k) - 1;
                }
            }
            for (int i = 0; i < nk; i++) __builtin_prefetch(&o[keys[i]]);
            /* stage 2: bucket bounds; fetch the slot numbers */
            for (int i = 0; i < nk; i++) {
                lo[i] = o[keys[i]];
                hi[i] = o[keys[i] + 1];
                __builtin_prefetch(tab + 3 * (size_t)lo[i]);
            }
            /* stage 3: slot numbers; fetch the hashes; stage 4: check them */
            int i = 0;
            uint32_t j = nk ? lo[0] : 0;
            while (i < nk) {
                int nc = 0;
                for (; i < nk && nc < CHUNK * 8; i++, j = i < nk ? lo[i] : 0) {
                    for (; j < hi[i] && nc < CHUNK * 8; j++) {
                        const uint32_t sl = slot_at(tab + 3 * (size_t)j);
                        __builtin_prefetch(&s->hash[sl]);
                        cand[nc++] = sl;
                    }
                    if (j < hi[i]) break; /* candidate buffer full: resume here */
                }
                for (int c = 0; c < nc; c++) {
                    const uint32_t sl = cand[c];
                    const int d = hash_distance(&s->hash[sl], q);
                    if (d > D) continue;
                    if (found_earlier(s, &s->hash[sl], qk, D, t)) continue;
                    if (s->ndead && is_dead(s, sl)) continue;
                    if (emit(ctx, s->id[sl], d)) return 1;
                }
            }
        }
    }
    return 0;
}

static int shard_query(const vigil_index *idx, const shard *s, const vigil_pdq *q, int D,
                       emit_fn emit, void *ctx) {
    if (shard_query_mih(s, q, D, emit, ctx)) return 1;
    /* pending entries */
    return scan_range(idx, s, s->built, s->n, q, D, emit, ctx);
}

static int use_scan(const vigil_index *idx, const shard *s, int D) {
    if (idx->strategy == VIGIL_INDEX_SCAN || !s->built) return 1;
    if (idx->strategy == VIGIL_INDEX_MIH) return 0;
    /* expected candidates x (cost of a random fetch / cost of a scanned hash) */
    return expected_candidates(s, D) * 24.0 > (double)s->built;
}

static int query_locked(const vigil_index *idx, const vigil_pdq *q, int D, emit_fn emit, void *ctx) {
    for (size_t k = 0; k < idx->nsh; k++) {
        const shard *s = &idx->sh[k];
        int stop = use_scan(idx, s, D) ? scan_range(idx, s, 0, s->n, q, D, emit, ctx)
                                       : shard_query(idx, s, q, D, emit, ctx);
        if (stop) return 1;
    }
    return 0;
}

typedef struct cb_adapter {
    vigil_index_cb cb;
    void *ctx;
} cb_adapter;

static int emit_cb(void *ctx, int64_t id, int d) {
    cb_adapter *a = ctx;
    vigil_index_hit hit = {id, d};
    return a->cb(a->ctx, &hit);
}

vigil_status vigil_index_query(const vigil_index *idx, const vigil_pdq *q, int max_distance,
                               vigil_index_cb cb, void *ctx, vigil_err *err) {
    if (!idx || !q || !cb) return vigil__err_set(err, VIGIL_EINVAL, "vigil_index_query: NULL argument");
    if (max_distance < 0 || max_distance > 256)
        return vigil__err_set(err, VIGIL_EINVAL, "distance %d is outside 0..256", max_distance);
    vigil_index *m = (vigil_index *)idx;
    cb_adapter a = {cb, ctx};
    pthread_rwlock_rdlock(&m->lock);
    query_locked(idx, q, max_distance, emit_cb, &a);
    pthread_rwlock_unlock(&m->lock);
    return VIGIL_OK;
}

typedef struct buf_adapter {
    vigil_index_hit *hits;
    size_t cap, n;
} buf_adapter;

static int emit_buf(void *ctx, int64_t id, int d) {
    buf_adapter *b = ctx;
    if (b->n < b->cap) {
        b->hits[b->n].id = id;
        b->hits[b->n].distance = d;
    }
    b->n++;
    return 0;
}

vigil_status vigil_index_query_buf(const vigil_index *idx, const vigil_pdq *q, int max_distance,
                                   vigil_index_hit *hits, size_t cap, size_t *n_found,
                                   vigil_err *err) {
    if (!idx || !q || (cap && !hits))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_index_query_buf: NULL argument");
    if (max_distance < 0 || max_distance > 256)
        return vigil__err_set(err, VIGIL_EINVAL, "distance %d is outside 0..256", max_distance);
    vigil_index *m = (vigil_index *)idx;
    buf_adapter b = {hits, cap, 0};
    pthread_rwlock_rdlock(&m->lock);
    query_locked(idx, q, max_distance, emit_buf, &b);
    pthread_rwlock_unlock(&m->lock);
    if (n_found) *n_found = b.n;
    return VIGIL_OK;
}

typedef struct batch_adapter {
    vigil_index_batch_cb cb;
    void *ctx;
    size_t query;
} batch_adapter;

static int emit_batch(void *ctx, int64_t id, int d) {
    batch_adapter *a = ctx;
    vigil_index_hit hit = {id, d};
    return a->cb(a->ctx, a->query, &hit);
}

vigil_status vigil_index_query_batch(const vigil_index *idx, const vigil_pdq *qs, size_t nq,
                                     int max_distance, vigil_index_batch_cb cb, void *ctx,
                                     vigil_err *err) {
    if (!idx || (nq && !qs) || !cb)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_index_query_batch: NULL argument");
    if (max_distance < 0 || max_distance > 256)
        return vigil__err_set(err, VIGIL_EINVAL, "distance %d is outside 0..256", max_distance);
    vigil_index *m = (vigil_index *)idx;
    batch_adapter a = {cb, ctx, 0};
    pthread_rwlock_rdlock(&m->lock);
    for (size_t k = 0; k < idx->nsh; k++) {
        const shard *s = &idx->sh[k];
        if (!use_scan(idx, s, max_distance)) {
            for (a.query = 0; a.query < nq; a.query++)
                shard_query(idx, s, &qs[a.query], max_distance, emit_batch, &a);
            continue;
        }
        /* one pass over the shard per batch: each block stays in cache for
         * all the queries */
        for (size_t b = 0; b < s->n; b += SCAN_BLOCK) {
            size_t end = b + SCAN_BLOCK < s->n ? b + SCAN_BLOCK : s->n;
            for (a.query = 0; a.query < nq; a.query++)
                scan_range(idx, s, b, end, &qs[a.query], max_distance, emit_batch, &a);
        }
    }
    pthread_rwlock_unlock(&m->lock);
    return VIGIL_OK;
}

/* ---- snapshots -------------------------------------------------------------- */

#define SNAP_MAGIC 0x31584449474956ull /* "VIGIDX1" */

/* A shard's scalars as written. */
typedef struct shard_head {
    uint64_t n, built, ndead;
    int32_t m, pad;
    int32_t start[MAXT], len[MAXT];
    uint64_t base[MAXT + 1];
} shard_head;

struct vigil__index_view {
    vigil_index *idx;
    shard *sh; /* copies of the shards' structs, their dead bitmaps copied */
    size_t nsh;
};

vigil__index_view *vigil__index_pin(vigil_index *idx) {
    vigil__index_view *v = calloc(1, sizeof *v);
    if (!v) return NULL;
    v->idx = idx;
    pthread_rwlock_wrlock(&idx->lock);
    v->sh = idx->nsh ? calloc(idx->nsh, sizeof *v->sh) : NULL;
    int ok = !idx->nsh || v->sh;
    for (size_t k = 0; ok && k < idx->nsh; k++) {
        v->sh[k] = idx->sh[k];
        const size_t words = (v->sh[k].n + 63) / 64;
        v->sh[k].dead = malloc((words ? words : 1) * sizeof *v->sh[k].dead);
        if (!v->sh[k].dead) {
            ok = 0;
            break;
        }
        memcpy(v->sh[k].dead, idx->sh[k].dead, words * sizeof *v->sh[k].dead);
        v->nsh = k + 1;
    }
    if (ok) idx->pinned++;
    pthread_rwlock_unlock(&idx->lock);
    if (!ok) {
        for (size_t k = 0; k < v->nsh; k++) free(v->sh[k].dead);
        free(v->sh);
        free(v);
        return NULL;
    }
    return v;
}

void vigil__index_unpin(vigil__index_view *v) {
    if (!v) return;
    pthread_rwlock_wrlock(&v->idx->lock);
    if (--v->idx->pinned == 0) fold_small_shards(v->idx);
    pthread_rwlock_unlock(&v->idx->lock);
    for (size_t k = 0; k < v->nsh; k++) free(v->sh[k].dead);
    free(v->sh);
    free(v);
}

int vigil__index_save(const vigil__index_view *v, vigil__ckfile *c) {
    uint64_t head[2] = {SNAP_MAGIC, v->nsh};
    vigil__ck_write(c, head, sizeof head);
    for (size_t k = 0; k < v->nsh; k++) {
        const shard *s = &v->sh[k];
        shard_head h;
        memset(&h, 0, sizeof h);
        h.n = s->n;
        h.built = s->built;
        h.ndead = s->ndead;
        h.m = s->m;
        for (int t = 0; t < MAXT; t++) {
            h.start[t] = s->start[t];
            h.len[t] = s->len[t];
        }
        for (int t = 0; t <= MAXT; t++) h.base[t] = s->base[t];
        vigil__ck_write(c, &h, sizeof h);
        vigil__ck_write(c, s->hash, s->n * sizeof *s->hash);
        vigil__ck_write(c, s->id, s->n * sizeof *s->id);
        vigil__ck_write(c, s->dead, (s->n + 63) / 64 * sizeof *s->dead);
        if (s->built) {
            vigil__ck_write(c, s->off, s->base[s->m] * sizeof *s->off);
            vigil__ck_write(c, s->slots, (size_t)s->m * s->built * 3 + 4);
        }
    }
    return c->failed ? -1 : 0;
}

/* Take `bytes` from the budget; 0 if the file cannot hold them. */
static int budget_take(uint64_t *budget, uint64_t bytes) {
    if (bytes > *budget) return 0;
    *budget -= bytes;
    return 1;
}

/* The scalars of a shard as choose_layout would make them. */
static int head_valid(const shard_head *h) {
    if (h->n == 0 || h->n > SHARD_CAP || h->built > h->n || h->ndead > h->n) return 0;
    if (h->built == 0) return 1;
    if (h->m < 1 || h->m > MAXT || h->base[0] != 0) return 0;
    int pos = 0;
    for (int t = 0; t < h->m; t++) {
        if (h->len[t] < 16 || h->len[t] > 25 || h->start[t] != pos) return 0;
        pos += h->len[t];
        if (h->base[t + 1] != h->base[t] + ((uint64_t)1 << h->len[t]) + 1) return 0;
    }
    return pos <= 256;
}

vigil_status vigil__index_load(vigil__ckfile *c, uint64_t *budget, vigil_index **out,
                               vigil_err *err) {
    vigil_index *idx = NULL;
    *out = NULL;
    uint64_t head[2];
    if (!budget_take(budget, sizeof head) || vigil__ck_read(c, head, sizeof head) != 0 ||
        head[0] != SNAP_MAGIC || head[1] > MAX_SHARDS)
        return vigil__err_set(err, VIGIL_ECORRUPT, "the index part is damaged (its head)");
    vigil_status rc = vigil_index_new(&idx, err);
    if (rc != VIGIL_OK || !idx) return rc;
    if (head[1]) {
        idx->sh = calloc(head[1], sizeof *idx->sh);
        if (!idx->sh) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the index");
            goto out;
        }
        idx->capsh = head[1];
    }
    for (size_t k = 0; k < head[1]; k++) {
        shard_head h;
        if (!budget_take(budget, sizeof h) || vigil__ck_read(c, &h, sizeof h) != 0 ||
            !head_valid(&h)) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is damaged (shard %zu)", k);
            goto out;
        }
        const size_t n = h.n, words = (n + 63) / 64;
        const uint64_t bytes = n * (sizeof(vigil_pdq) + sizeof(int64_t)) + words * 8 +
                               (h.built ? h.base[h.m] * 4 + (uint64_t)h.m * h.built * 3 + 4 : 0);
        if (!budget_take(budget, bytes)) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is truncated (shard %zu)", k);
            goto out;
        }
        shard *s = &idx->sh[idx->nsh++];
        s->hash = big_alloc(n * sizeof *s->hash);
        s->id = big_alloc(n * sizeof *s->id);
        s->dead = calloc(words, sizeof *s->dead);
        if (h.built) {
            s->off = big_alloc(h.base[h.m] * sizeof *s->off);
            s->slots = big_alloc((size_t)h.m * h.built * 3 + 4);
        }
        if (!s->hash || !s->id || !s->dead || (h.built && (!s->off || !s->slots))) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory loading the index");
            goto out;
        }
        s->n = s->cap = n;
        s->built = h.built;
        s->ndead = h.ndead;
        s->m = h.m;
        for (int t = 0; t < MAXT; t++) {
            s->start[t] = h.start[t];
            s->len[t] = h.len[t];
        }
        for (int t = 0; t <= MAXT; t++) s->base[t] = h.base[t];
        vigil__ck_read(c, s->hash, n * sizeof *s->hash);
        vigil__ck_read(c, s->id, n * sizeof *s->id);
        vigil__ck_read(c, s->dead, words * sizeof *s->dead);
        if (h.built) {
            vigil__ck_read(c, s->off, h.base[h.m] * sizeof *s->off);
            vigil__ck_read(c, s->slots, (size_t)h.m * h.built * 3 + 4);
        }
        if (c->failed) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is truncated (shard %zu)", k);
            goto out;
        }
        /* the counts must agree with the bitmap; slots must point in the shard */
        size_t dead = 0;
        for (size_t w = 0; w < words; w++) dead += (size_t)__builtin_popcountll(s->dead[w]);
        if (dead != s->ndead || (n % 64 && s->dead[words - 1] >> (n % 64))) {
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is damaged (shard %zu)", k);
            goto out;
        }
        s->live = n - dead;
        if (h.built) {
            const size_t tot = (size_t)s->m * s->built;
            for (size_t j = 0; j < tot; j++)
                if (slot_at(s->slots + 3 * j) >= s->built) {
                    rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is damaged (shard %zu)", k);
                    goto out;
                }
            for (int t = 0; t < s->m; t++) {
                const uint32_t *o = s->off + s->base[t];
                const size_t nb = (size_t)1 << s->len[t];
                if (o[0] != 0 || o[nb] != s->built) {
                    rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is damaged (shard %zu)", k);
                    goto out;
                }
                for (size_t b = 0; b < nb; b++)
                    if (o[b] > o[b + 1]) {
                        rc = vigil__err_set(err, VIGIL_ECORRUPT, "the index part is damaged (shard %zu)", k);
                        goto out;
                    }
            }
        }
    }
out:
    if (rc != VIGIL_OK) {
        vigil_index_free(idx);
        return rc;
    }
    *out = idx;
    return VIGIL_OK;
}
