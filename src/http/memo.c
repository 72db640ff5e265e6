/*
 * src/http/memo.c - answers the server may give again: an operation's
 * report, asked for every few seconds by each coordinator's dashboard, is
 * computed once per change of the store and per user, then reused.
 *
 * Invariants:
 *   - an answer is kept with the store's mark (vigil_store_mark) read
 *     before it was computed, and is given again only while the mark is
 *     still that number: any committed change anywhere (this server,
 *     another one on the same store, the CLI) moves the mark, so a kept
 *     answer is never older than what the library would say now;
 *   - the key holds the user, so no user is given what was computed for
 *     another (the library decided what that user may see);
 *   - at most MEMO_SLOTS answers are kept; the least recently used goes.
 * Kept answers are the server's own copies: callers get a deep copy (a
 * jansson value's reference count is not safe across threads).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "http/http_internal.h"

#define MEMO_SLOTS 64
#define MEMO_KEY_MAX 512

typedef struct memo_slot {
    char key[MEMO_KEY_MAX]; /* "" when free */
    int64_t mark;
    json_t *value;
    unsigned long used; /* the tick of its last use */
} memo_slot;

struct http_memo {
    pthread_mutex_t mu;
    unsigned long tick;
    unsigned long hits, misses;
    memo_slot slot[MEMO_SLOTS];
};

vigil_status http_memo_new(http_memo **out, vigil_err *err) {
    http_memo *m = calloc(1, sizeof *m);
    if (!m) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory (the server's answer memo)");
    pthread_mutex_init(&m->mu, NULL);
    *out = m;
    return VIGIL_OK;
}

void http_memo_free(http_memo *m) {
    if (!m) return;
    for (int i = 0; i < MEMO_SLOTS; i++) json_decref(m->slot[i].value);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

/* "WHAT\nUSER\nARG", or 0 when it does not fit (then nothing is kept). */
static int memo_key(char out[MEMO_KEY_MAX], const char *what, const char *user, const char *arg) {
    int n = snprintf(out, MEMO_KEY_MAX, "%s\n%s\n%s", what, user ? user : "", arg);
    return n >= 0 && n < MEMO_KEY_MAX;
}

json_t *http_memo_get(http_memo *m, const char *what, const char *user, const char *arg,
                      int64_t mark) {
    char key[MEMO_KEY_MAX];
    if (!m || !memo_key(key, what, user, arg)) return NULL;
    json_t *out = NULL;
    pthread_mutex_lock(&m->mu);
    for (int i = 0; i < MEMO_SLOTS; i++) {
        memo_slot *s = &m->slot[i];
        if (s->value && s->mark == mark && strcmp(s->key, key) == 0) {
            out = json_deep_copy(s->value);
            s->used = ++m->tick;
            break;
        }
    }
    if (out) m->hits++;
    else m->misses++;
    pthread_mutex_unlock(&m->mu);
    return out;
}

void http_memo_put(http_memo *m, const char *what, const char *user, const char *arg,
                   int64_t mark, const json_t *value) {
    char key[MEMO_KEY_MAX];
    if (!m || !value || !memo_key(key, what, user, arg)) return;
    json_t *copy = json_deep_copy(value);
    if (!copy) return;
    pthread_mutex_lock(&m->mu);
    memo_slot *s = NULL;
    for (int i = 0; i < MEMO_SLOTS && !s; i++)
        if (m->slot[i].value && strcmp(m->slot[i].key, key) == 0) s = &m->slot[i];
    for (int i = 0; i < MEMO_SLOTS && !s; i++)
        if (!m->slot[i].value) s = &m->slot[i];
    if (!s) {
        s = &m->slot[0];
        for (int i = 1; i < MEMO_SLOTS; i++)
            if (m->slot[i].used < s->used) s = &m->slot[i];
    }
    if (s->value && s->mark > mark && strcmp(s->key, key) == 0) {
        json_decref(copy); /* a newer answer is kept already */
    } else {
        json_decref(s->value);
        memcpy(s->key, key, sizeof key);
        s->mark = mark;
        s->value = copy;
        s->used = ++m->tick;
    }
    pthread_mutex_unlock(&m->mu);
}

void http_memo_metrics(http_memo *m, FILE *f) {
    if (!m) return;
    pthread_mutex_lock(&m->mu);
    unsigned long hits = m->hits, misses = m->misses;
    pthread_mutex_unlock(&m->mu);
    fprintf(f,
            "# HELP vigil_report_memo_total Operation reports given from the memo (hit) or computed (miss).\n"
            "# TYPE vigil_report_memo_total counter\n"
            "vigil_report_memo_total{result=\"hit\"} %lu\nvigil_report_memo_total{result=\"miss\"} %lu\n",
            hits, misses);
}
