/*
 * src/auth/tokcache.c - the cache of verified API tokens that lets a server
 * go on answering read-only matching while its store is unreachable: keyed
 * by the token's digest, bounded (4-way set-associative), entries expire.
 */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "vigil/auth.h"
#include "vigil/case.h"

#define WAYS 4

typedef struct tok_entry {
    char dg[65];   /* the token's SHA-256 hex; "" when the slot is free */
    char name[128];
    char role[16];
    int64_t at;    /* when the store last said the token is valid */
} tok_entry;

struct vigil_token_cache {
    pthread_mutex_t mu;
    tok_entry *e;
    size_t n_sets; /* n_sets * WAYS slots */
    int ttl_s;
};

vigil_status vigil_token_cache_new(size_t max, int ttl_s, vigil_token_cache **out, vigil_err *err) {
    *out = NULL;
    if (ttl_s < 0) return vigil__err_set(err, VIGIL_EINVAL, "token cache lifetime %d s is negative", ttl_s);
    if (max == 0) max = VIGIL_TOKEN_CACHE_MAX;
    vigil_token_cache *c = calloc(1, sizeof *c);
    size_t n_sets = (max + WAYS - 1) / WAYS;
    tok_entry *e = c ? calloc(n_sets * WAYS, sizeof *e) : NULL;
    if (!e) {
        free(c);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    c->e = e;
    c->n_sets = n_sets;
    c->ttl_s = ttl_s ? ttl_s : VIGIL_TOKEN_CACHE_TTL_S;
    *out = c;
    return VIGIL_OK;
}

void vigil_token_cache_free(vigil_token_cache *c) {
    if (!c) return;
    OPENSSL_cleanse(c->e, c->n_sets * WAYS * sizeof *c->e);
    free(c->e);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

size_t vigil_token_cache_size(vigil_token_cache *c) {
    if (!c) return 0;
    size_t n = 0;
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n_sets * WAYS; i++) n += c->e[i].dg[0] != '\0';
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* The first slot of the set of digest `dg` (its first 15 hex digits).
 * Caller holds c->mu. */
static tok_entry *set_of(vigil_token_cache *c, const char *dg) {
    char head[16];
    memcpy(head, dg, 15);
    head[15] = '\0';
    return &c->e[(strtoull(head, NULL, 16) % c->n_sets) * WAYS];
}

/* The slot holding `dg`, or NULL.  Caller holds c->mu. */
static tok_entry *find(vigil_token_cache *c, const char *dg) {
    tok_entry *s = set_of(c, dg);
    for (int i = 0; i < WAYS; i++)
        if (strcmp(s[i].dg, dg) == 0) return &s[i];
    return NULL;
}

/* The store said `dg` is user `name` (`role`) at `now`. */
static void put(vigil_token_cache *c, const char *dg, const char *name, const char *role, int64_t now) {
    pthread_mutex_lock(&c->mu);
    tok_entry *x = find(c, dg);
    if (!x) { /* a free slot of the set, else the one verified longest ago */
        tok_entry *s = set_of(c, dg);
        x = &s[0];
        for (int i = 0; i < WAYS && x->dg[0]; i++)
            if (!s[i].dg[0] || s[i].at < x->at) x = &s[i];
        memcpy(x->dg, dg, sizeof x->dg);
    }
    snprintf(x->name, sizeof x->name, "%s", name);
    snprintf(x->role, sizeof x->role, "%s", role);
    x->at = now;
    pthread_mutex_unlock(&c->mu);
}

static void drop(vigil_token_cache *c, const char *dg) {
    pthread_mutex_lock(&c->mu);
    tok_entry *x = find(c, dg);
    if (x) OPENSSL_cleanse(x, sizeof *x);
    pthread_mutex_unlock(&c->mu);
}

/* The entry of `dg` if it is younger than the lifetime: 1 with name and role. */
static int get(vigil_token_cache *c, const char *dg, int64_t now, char name[128], char role[16]) {
    pthread_mutex_lock(&c->mu);
    tok_entry *x = find(c, dg);
    int ok = x && now - x->at < c->ttl_s;
    if (ok) {
        memcpy(name, x->name, 128);
        memcpy(role, x->role, 16);
    } else if (x) {
        OPENSSL_cleanse(x, sizeof *x); /* expired: gone */
    }
    pthread_mutex_unlock(&c->mu);
    return ok;
}

vigil_status vigil_user_by_token_cached(vigil_token_cache *c, vigil_store *st, const char *token,
                                        int64_t now, int outage_ok, char name[128], char role[16],
                                        int *from_cache, vigil_err *err) {
    if (from_cache) *from_cache = 0;
    name[0] = '\0';
    role[0] = '\0';
    vigil_status rc = st ? vigil_user_by_token(st, token, name, role, err)
                         : (err && err->status ? err->status : VIGIL_EBUSY);
    char dg[65];
    if (!c || !token || strlen(token) != VIGIL_TOKEN_LEN ||
        case_token_digest(token, dg) != 0)
        return rc;
    if (rc == VIGIL_OK) put(c, dg, name, role, now);
    else if (rc == VIGIL_EPERM) drop(c, dg);
    else if (rc == VIGIL_EBUSY && outage_ok && get(c, dg, now, name, role)) {
        if (from_cache) *from_cache = 1;
        vigil_err_clear(err);
        rc = VIGIL_OK;
    }
    OPENSSL_cleanse(dg, sizeof dg);
    return rc;
}
