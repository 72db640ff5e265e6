/*
 * src/http/vcache.c - the server's video and TMK matchers, kept in memory
 * between requests like the PDQ matcher (server.c): each is loaded at the
 * first request that needs it, on a store connection of its own, and
 * loaded again when the banks' generation has moved since: the bank
 * change-log sequence the server's matcher has applied (a change by this
 * server at its next request; one by another server or the CLI within the
 * change-log poll).
 *
 * A request holds its matcher under a read lock for the query; a reload
 * builds the new matcher first, then swaps it in under the write lock, so
 * queries never see a half-built one.  The load itself is serialised per
 * kind (one reload, the others wait and take its result).  A reload that
 * finds the store unreachable (VIGIL_EBUSY: a PostgreSQL outage) keeps the
 * matcher it has: queries go on with it (they answer from the matcher's
 * copies, match/seen.h) and the next request after the outage loads again.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "http/http_internal.h"
#include "vigil/video.h"

typedef struct vslot {
    pthread_rwlock_t lock;  /* read: a query; write: the swap */
    pthread_mutex_t reload; /* one load at a time */
    void *m;                /* vigil_video_matcher * or vigil_tmk_matcher * */
    vigil_store *st;        /* the matcher's own connection */
    atomic_ulong gen;       /* the banks' generation it was loaded at */
    atomic_int loaded;
    atomic_ulong loads;
    atomic_ulong videos;
} vslot;

struct http_vcache {
    char *db_path;
    vslot slot[HTTP_VC_KINDS];
};

static void matcher_free(int kind, void *m) {
    if (kind == HTTP_VC_TMK) vigil_tmk_matcher_free(m);
    else vigil_video_matcher_free(m);
}

vigil_status http_vcache_new(const char *db_path, http_vcache **out, vigil_err *err) {
    if (!db_path || !out) return vigil__err_set(err, VIGIL_EINVAL, "http_vcache_new: NULL argument");
    http_vcache *c = calloc(1, sizeof *c);
    if (c) c->db_path = strdup(db_path);
    if (!c || !c->db_path) {
        free(c);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    for (int k = 0; k < HTTP_VC_KINDS; k++) {
        pthread_rwlock_init(&c->slot[k].lock, NULL);
        pthread_mutex_init(&c->slot[k].reload, NULL);
    }
    *out = c;
    return VIGIL_OK;
}

void http_vcache_free(http_vcache *c) {
    if (!c) return;
    for (int k = 0; k < HTTP_VC_KINDS; k++) {
        matcher_free(k, c->slot[k].m);
        vigil_store_close(c->slot[k].st);
        pthread_rwlock_destroy(&c->slot[k].lock);
        pthread_mutex_destroy(&c->slot[k].reload);
    }
    free(c->db_path);
    free(c);
}

/* Load kind `kind` at generation `gen` and swap it in. */
static vigil_status load(http_vcache *c, int kind, unsigned long gen, vigil_err *err) {
    vslot *s = &c->slot[kind];
    vigil_store *st = NULL;
    void *m = NULL;
    size_t videos = 0;
    vigil_status rc = vigil_store_open(c->db_path, &st, err);
    if (rc == VIGIL_OK && kind == HTTP_VC_TMK) {
        vigil_tmk_matcher *tm = NULL;
        rc = vigil_tmk_matcher_open(st, NULL, 0, &tm, err);
        m = tm;
        videos = vigil_tmk_matcher_videos(tm);
    } else if (rc == VIGIL_OK) {
        vigil_video_matcher *vm = NULL;
        rc = vigil_video_matcher_open(st, NULL, &vm, err);
        m = vm;
        videos = vigil_video_matcher_videos(vm);
    }
    if (rc != VIGIL_OK) {
        matcher_free(kind, m);
        vigil_store_close(st);
        return rc;
    }
    pthread_rwlock_wrlock(&s->lock);
    void *old = s->m;
    vigil_store *old_st = s->st;
    s->m = m;
    s->st = st;
    atomic_store(&s->gen, gen);
    atomic_store(&s->loaded, 1);
    pthread_rwlock_unlock(&s->lock);
    atomic_fetch_add(&s->loads, 1);
    atomic_store(&s->videos, videos);
    matcher_free(kind, old);
    vigil_store_close(old_st);
    return VIGIL_OK;
}

void *http_vcache_acquire(http_vcache *c, int kind, unsigned long gen, vigil_err *err) {
    if (!c || kind < 0 || kind >= HTTP_VC_KINDS) {
        vigil__err_set(err, VIGIL_EINVAL, "http_vcache_acquire: bad argument");
        return NULL;
    }
    vslot *s = &c->slot[kind];
    if (!atomic_load(&s->loaded) || atomic_load(&s->gen) != gen) {
        pthread_mutex_lock(&s->reload);
        vigil_status rc = VIGIL_OK;
        if (!atomic_load(&s->loaded) || atomic_load(&s->gen) != gen) rc = load(c, kind, gen, err);
        pthread_mutex_unlock(&s->reload);
        if (rc == VIGIL_EBUSY && atomic_load(&s->loaded)) vigil_err_clear(err); /* keep the one it has */
        else if (rc != VIGIL_OK) return NULL;
    }
    pthread_rwlock_rdlock(&s->lock);
    return s->m;
}

void http_vcache_release(http_vcache *c, int kind) {
    if (c && kind >= 0 && kind < HTTP_VC_KINDS) pthread_rwlock_unlock(&c->slot[kind].lock);
}

void http_vcache_metrics(http_vcache *c, FILE *f) {
    if (!c || !f) return;
    static const char *const names[HTTP_VC_KINDS] = {"video", "tmk"};
    fputs("# HELP vigil_video_matcher_loads_total Loads of the video and TMK matchers (at the first request "
          "that needs one, and after a bank change).\n# TYPE vigil_video_matcher_loads_total counter\n",
          f);
    for (int k = 0; k < HTTP_VC_KINDS; k++)
        fprintf(f, "vigil_video_matcher_loads_total{kind=\"%s\"} %lu\n", names[k], atomic_load(&c->slot[k].loads));
    fputs("# HELP vigil_video_matcher_videos Bank videos in the loaded video and TMK matchers.\n"
          "# TYPE vigil_video_matcher_videos gauge\n",
          f);
    for (int k = 0; k < HTTP_VC_KINDS; k++)
        fprintf(f, "vigil_video_matcher_videos{kind=\"%s\"} %lu\n", names[k], atomic_load(&c->slot[k].videos));
}
