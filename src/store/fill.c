/*
 * src/store/fill.c - what migration steps compute from the rows in C
 * (store.c's migration_fill), where SQL alone would need a loop:
 *
 *   - the content clusters that step 6 left split: its four passes of "the
 *     smallest cluster among the items sharing a hash" join items at most
 *     four shared-hash steps apart; here every chain is joined, by
 *     union-find over the operation's equal hash values and the clusters
 *     as they are (including what the intake linked since), each cluster
 *     named by its smallest item id, as the intake names them;
 *   - the running totals (tally.c), counted from the rows once.
 *
 * Both run in the step's transaction, with today's code: they read only
 * tables and columns their step has.
 */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"

typedef struct uf {
    int64_t *id, *cluster; /* the items, by id (ascending), and their cluster ids */
    size_t *parent;
    size_t n, cap;
    int64_t last_op;       /* the hash walk: the previous row's operation and value */
    char *last_type, *last_value;
    size_t last_at;
    int oom;
} uf;

static size_t uf_find(uf *u, size_t i) {
    while (u->parent[i] != i) {
        u->parent[i] = u->parent[u->parent[i]]; /* path halving */
        i = u->parent[i];
    }
    return i;
}

/* Joins the sets of i and j, the one of the smaller id becoming the root. */
static void uf_join(uf *u, size_t i, size_t j) {
    i = uf_find(u, i);
    j = uf_find(u, j);
    if (i == j) return;
    if (u->id[j] < u->id[i]) u->parent[i] = j;
    else u->parent[j] = i;
}

/* The index of item `id`, or n when there is none. */
static size_t uf_at(const uf *u, int64_t id) {
    size_t lo = 0, hi = u->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (u->id[mid] < id) lo = mid + 1;
        else hi = mid;
    }
    return lo < u->n && u->id[lo] == id ? lo : u->n;
}

static vigil_status item_row(void *ctx, const vigil__row *r, vigil_err *err) {
    uf *u = ctx;
    if (u->n == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 1024;
        int64_t *id = realloc(u->id, cap * sizeof *id);
        if (id) u->id = id;
        int64_t *cl = id ? realloc(u->cluster, cap * sizeof *cl) : NULL;
        if (cl) u->cluster = cl;
        if (!id || !cl) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory joining clusters");
        u->cap = cap;
    }
    u->id[u->n] = vigil__row_int(r, 0);
    u->cluster[u->n] = vigil__row_is_null(r, 1) ? u->id[u->n] : vigil__row_int(r, 1);
    u->n++;
    return VIGIL_OK;
}

/* Rows by (operation, type, value): equal neighbours are one content. */
static vigil_status hash_row(void *ctx, const vigil__row *r, vigil_err *err) {
    uf *u = ctx;
    int64_t op = vigil__row_int(r, 0);
    const char *type = vigil__row_text(r, 1), *value = vigil__row_text(r, 2);
    size_t at = uf_at(u, vigil__row_int(r, 3));
    if (!type || !value || at == u->n) return VIGIL_OK;
    if (u->last_type && op == u->last_op && strcmp(type, u->last_type) == 0 &&
        strcmp(value, u->last_value) == 0) {
        uf_join(u, at, u->last_at);
        return VIGIL_OK;
    }
    free(u->last_type);
    free(u->last_value);
    u->last_type = strdup(type);
    u->last_value = strdup(value);
    u->last_op = op;
    u->last_at = at;
    if (!u->last_type || !u->last_value)
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory joining clusters");
    return VIGIL_OK;
}

vigil_status vigil__fill_clusters(vigil_store *st, int64_t *changed, vigil_err *err) {
    uf u;
    memset(&u, 0, sizeof u);
    if (changed) *changed = 0;
    vigil_status rc = vigil__q_each(st, "SELECT id, cluster_id FROM item ORDER BY id", item_row, &u,
                                    err, "");
    if (rc == VIGIL_OK && u.n) {
        if (!(u.parent = malloc(u.n * sizeof *u.parent))) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory joining clusters");
        } else {
            for (size_t i = 0; i < u.n; i++) u.parent[i] = i;
            /* the clusters as they are: each item with the item its cluster is named after */
            for (size_t i = 0; i < u.n; i++) {
                size_t c = uf_at(&u, u.cluster[i]);
                if (c < u.n) uf_join(&u, i, c);
            }
        }
    }
    if (rc == VIGIL_OK)
        rc = vigil__q_each(st,
                           "SELECT i.operation_id, h.signal_type, h.value, h.item_id FROM item_hash "
                           "h JOIN item i ON i.id = h.item_id ORDER BY i.operation_id, "
                           "h.signal_type, h.value",
                           hash_row, &u, err, "");
    /* a root is its set's smallest id (uf_join); items named otherwise move */
    int64_t n = 0;
    for (size_t i = 0; rc == VIGIL_OK && i < u.n; i++) {
        int64_t root = u.id[uf_find(&u, i)];
        if (root == u.cluster[i]) continue;
        rc = vigil__q_exec(st, "UPDATE item SET cluster_id = ?1 WHERE id = ?2", NULL, err, "ii",
                           root, u.id[i]);
        n++;
    }
    free(u.id);
    free(u.cluster);
    free(u.parent);
    free(u.last_type);
    free(u.last_value);
    if (rc == VIGIL_OK && changed) *changed = n;
    return rc;
}
