/*
 * src/store/tally.c - running totals: counts per operation (items by
 * state, type, platform, language, ...) kept in table op_tally by the
 * writes that change them, so that an operation's report reads a few
 * hundred rows instead of every row of the operation (src/case/report.c).
 *
 * Invariants:
 *   - op_tally (operation_id, dim, k) holds n = the number of rows the
 *     dimension counts; what each dimension counts is the rebuild query
 *     below (the one definition; the writers in src/case/ add the same
 *     amounts as they write, and tests/test_case.c compares both after
 *     random work);
 *   - inside a write transaction the amounts are kept in memory and added
 *     to op_tally once per key just before COMMIT (vigil__tally_commit,
 *     from vigil__store_commit): an import of 100,000 items writes a few
 *     hundred rows, not a million; on PostgreSQL sixteen keys a statement,
 *     so that one item filed costs one round trip more (SQLite: one cached
 *     statement a key, cheaper there than preparing a long one); a rollback
 *     drops them (vigil__tally_reset), and a savepoint's share is dropped
 *     or kept with it (mark/undo/release);
 *   - outside a transaction an amount is written at once;
 *   - k: '' for a NULL value or a dimension without key, '=' || value for
 *     a text value, the decimal id for an id.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/hash.h"
#include "store/driver.h"
#include "store/store_internal.h"

static const char sql_upsert[] =
    "INSERT INTO op_tally (operation_id, dim, k, n) VALUES (?1, ?2, ?3, ?4) ON CONFLICT "
    "(operation_id, dim, k) DO UPDATE SET n = op_tally.n + excluded.n";

/* Every dimension counted from the rows (?1: the operation, 0 every one). */
static const char sql_rebuild_delete[] =
    "DELETE FROM op_tally WHERE operation_id = ?1 OR ?1 = 0";
static const char sql_rebuild[] =
    "INSERT INTO op_tally (operation_id, dim, k, n) "
    "SELECT operation_id, 'items', '', count(*) FROM item WHERE operation_id = ?1 OR ?1 = 0 "
    "GROUP BY operation_id "
    "UNION ALL SELECT operation_id, 'reupload', '', count(reupload_of) FROM item WHERE "
    "operation_id = ?1 OR ?1 = 0 GROUP BY operation_id "
    "UNION ALL SELECT operation_id, 'contents', '', count(DISTINCT cluster_id) FROM item WHERE "
    "operation_id = ?1 OR ?1 = 0 GROUP BY operation_id "
    "UNION ALL SELECT operation_id, 'state', '=' || state, count(*) FROM item WHERE "
    "operation_id = ?1 OR ?1 = 0 GROUP BY operation_id, state "
    "UNION ALL SELECT operation_id, 'type', '=' || type, count(*) FROM item WHERE "
    "operation_id = ?1 OR ?1 = 0 GROUP BY operation_id, type "
    "UNION ALL SELECT operation_id, 'affil', coalesce('=' || affiliation, ''), count(*) FROM "
    "item WHERE operation_id = ?1 OR ?1 = 0 GROUP BY operation_id, affiliation "
    "UNION ALL SELECT operation_id, 'outlet', coalesce('=' || outlet, ''), count(*) FROM item "
    "WHERE operation_id = ?1 OR ?1 = 0 GROUP BY operation_id, outlet "
    "UNION ALL SELECT operation_id, 'plat', CAST(platform_id AS TEXT), count(*) FROM item WHERE "
    "operation_id = ?1 OR ?1 = 0 GROUP BY operation_id, platform_id "
    "UNION ALL SELECT operation_id, 'platrm', CAST(platform_id AS TEXT), count(*) FROM item "
    "WHERE (operation_id = ?1 OR ?1 = 0) AND state = 'removed' GROUP BY operation_id, "
    "platform_id "
    "UNION ALL SELECT i.operation_id, 'lang', '=' || l.lang, count(*) FROM item i JOIN "
    "item_language l ON l.item_id = i.id WHERE i.operation_id = ?1 OR ?1 = 0 GROUP BY "
    "i.operation_id, l.lang "
    "UNION ALL SELECT i.operation_id, 'reports', '', count(*) FROM item i JOIN item_report x ON "
    "x.item_id = i.id WHERE i.operation_id = ?1 OR ?1 = 0 GROUP BY i.operation_id "
    "UNION ALL SELECT i.operation_id, 'iag', CAST(i.agency_id AS TEXT), count(*) FROM item i "
    "JOIN item_report x ON x.item_id = i.id WHERE (i.operation_id = ?1 OR ?1 = 0) AND "
    "i.agency_id IS NOT NULL GROUP BY i.operation_id, i.agency_id "
    "UNION ALL SELECT i.operation_id, 'rag', CAST(x.agency_id AS TEXT), count(*) FROM item i "
    "JOIN item_report x ON x.item_id = i.id WHERE (i.operation_id = ?1 OR ?1 = 0) AND "
    "x.agency_id IS NOT NULL GROUP BY i.operation_id, x.agency_id "
    "UNION ALL SELECT f.operation_id, 'referred', '', count(DISTINCT ri.item_id) FROM referral "
    "f JOIN referral_item ri ON ri.referral_id = f.id WHERE f.operation_id = ?1 OR ?1 = 0 "
    "GROUP BY f.operation_id "
    "UNION ALL SELECT f.operation_id, 'refp', CAST(f.platform_id AS TEXT), count(DISTINCT "
    "ri.item_id) FROM referral f JOIN referral_item ri ON ri.referral_id = f.id WHERE "
    "f.operation_id = ?1 OR ?1 = 0 GROUP BY f.operation_id, f.platform_id";

#define TALLY_DIM_MAX 16

typedef struct vigil__tally_entry {
    int64_t op, n, n_sp; /* n: the transaction's amount; n_sp: the savepoint's */
    char dim[TALLY_DIM_MAX];
    char *k; /* NULL: a free slot */
    uint32_t hash;
    int touched; /* listed in touched[] */
} tally_entry;

struct vigil__tally_tx {
    tally_entry *e;
    size_t len, cap; /* cap: 0 or a power of two, at most half full */
    int in_sp;       /* amounts go to n_sp (a savepoint is open) */
    size_t *touched; /* [cap]: the slots the savepoint added to, each once */
    size_t n_touched;
};

/* (op, dim, k): the dimension and the key apart by a byte no name has. */
static uint32_t key_hash(int64_t op, const char *dim, const char *k) {
    uint64_t h = vigil__fnv1a(VIGIL__FNV_BASIS ^ (uint64_t)op, dim);
    return (uint32_t)vigil__fnv1a(vigil__fnv1a(h, "\x01"), k);
}

static size_t slot_of(const vigil__tally_tx *t, int64_t op, const char *dim, const char *k,
                      uint32_t h) {
    size_t i = h & (t->cap - 1);
    while (t->e[i].k && (t->e[i].hash != h || t->e[i].op != op || strcmp(t->e[i].dim, dim) != 0 ||
                         strcmp(t->e[i].k, k) != 0))
        i = (i + 1) & (t->cap - 1);
    return i;
}

/* Twice the slots (the touched list found again).  @return 0, -1 out of memory. */
static int tally_grow(vigil__tally_tx *t) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    tally_entry *e = calloc(cap, sizeof *e);
    size_t *touched = malloc(cap * sizeof *touched);
    if (!e || !touched) {
        free(e);
        free(touched);
        return -1;
    }
    tally_entry *old = t->e;
    size_t old_cap = t->cap;
    t->e = e;
    t->cap = cap;
    free(t->touched);
    t->touched = touched;
    t->n_touched = 0;
    for (size_t i = 0; i < old_cap; i++) {
        if (!old[i].k) continue;
        size_t j = slot_of(t, old[i].op, old[i].dim, old[i].k, old[i].hash);
        t->e[j] = old[i];
        if (old[i].touched) t->touched[t->n_touched++] = j;
    }
    free(old);
    return 0;
}

vigil__tally_tx *vigil__tally_tx_new(void) {
    return calloc(1, sizeof(vigil__tally_tx));
}

void vigil__tally_tx_free(vigil__tally_tx *t) {
    if (!t) return;
    for (size_t i = 0; i < t->cap; i++) free(t->e[i].k);
    free(t->e);
    free(t->touched);
    free(t);
}

void vigil__tally_reset(vigil_store *st) {
    vigil__tally_tx *t = vigil__store_tally_tx(st);
    if (!t) return;
    for (size_t i = 0; i < t->cap; i++) free(t->e[i].k);
    if (t->cap) memset(t->e, 0, t->cap * sizeof *t->e);
    t->len = 0;
    t->in_sp = 0;
    t->n_touched = 0;
}

static vigil_status tally_oom(vigil_err *err) {
    return vigil__err_set(err, VIGIL_ENOMEM, "out of memory (the operation's running totals)");
}

vigil_status vigil__tally_add(vigil_store *st, int64_t op, const char *dim, const char *k,
                              int64_t by, vigil_err *err) {
    if (!by) return VIGIL_OK;
    if (!k) k = "";
    if (strlen(dim) >= TALLY_DIM_MAX)
        return vigil__err_set(err, VIGIL_EINTERNAL, "running totals: dimension '%s' too long", dim);
    if (!vigil__store_in_transaction(st))
        return vigil__q_exec(st, sql_upsert, NULL, err, "itti", op, dim, k, by);
    vigil__tally_tx *t = vigil__store_tally_tx(st);
    if (!t) return tally_oom(err);
    if (2 * (t->len + 1) > t->cap && tally_grow(t)) return tally_oom(err);
    uint32_t h = key_hash(op, dim, k);
    size_t i = slot_of(t, op, dim, k, h);
    tally_entry *e = &t->e[i];
    if (!e->k) {
        if (!(e->k = strdup(k))) return tally_oom(err);
        e->op = op;
        e->hash = h;
        e->n = e->n_sp = 0;
        e->touched = 0;
        snprintf(e->dim, sizeof e->dim, "%s", dim);
        t->len++;
    }
    if (!t->in_sp) {
        e->n += by;
        return VIGIL_OK;
    }
    if (!e->touched) {
        e->touched = 1;
        t->touched[t->n_touched++] = i;
    }
    e->n_sp += by;
    return VIGIL_OK;
}

void vigil__tally_mark(vigil_store *st) {
    vigil__tally_tx *t = vigil__store_tally_tx(st);
    if (t) t->in_sp = 1;
}

/* Ends the savepoint's share: kept (added to the transaction's) or dropped. */
static void sp_end(vigil_store *st, int keep) {
    vigil__tally_tx *t = vigil__store_tally_tx(st);
    if (!t) return;
    for (size_t j = 0; j < t->n_touched; j++) {
        tally_entry *e = &t->e[t->touched[j]];
        if (keep) e->n += e->n_sp;
        e->n_sp = 0;
        e->touched = 0;
    }
    t->n_touched = 0;
    t->in_sp = 0;
}

void vigil__tally_release(vigil_store *st) { sp_end(st, 1); }
void vigil__tally_undo(vigil_store *st) { sp_end(st, 0); }

#define FLUSH_ROWS 16 /* keys per statement: 4 parameters each (pg.c: 64 at most) */

/* Adds rows[0..n) to op_tally in one statement (one round trip). */
static vigil_status flush_rows(vigil_store *st, const tally_entry *const *rows, int n,
                               vigil_err *err) {
    char sql[160 + FLUSH_ROWS * 32];
    vigil__val v[FLUSH_ROWS * 4];
    size_t o = (size_t)snprintf(sql, sizeof sql, "INSERT INTO op_tally (operation_id, dim, k, n) VALUES ");
    for (int i = 0; i < n; i++) {
        const tally_entry *e = rows[i];
        o += (size_t)snprintf(sql + o, sizeof sql - o, "%s(?%d, ?%d, ?%d, ?%d)", i ? ", " : "",
                              4 * i + 1, 4 * i + 2, 4 * i + 3, 4 * i + 4);
        v[4 * i] = (vigil__val){.type = VIGIL__COL_INT, .i = e->op};
        v[4 * i + 1] = (vigil__val){.type = VIGIL__COL_TEXT, .text = e->dim};
        v[4 * i + 2] = (vigil__val){.type = VIGIL__COL_TEXT, .text = e->k};
        v[4 * i + 3] = (vigil__val){.type = VIGIL__COL_INT, .i = e->n + e->n_sp};
    }
    snprintf(sql + o, sizeof sql - o,
             " ON CONFLICT (operation_id, dim, k) DO UPDATE SET n = op_tally.n + excluded.n");
    return vigil__db_exec_vals(vigil__store_db(st), sql, 4 * n, v, err);
}

vigil_status vigil__tally_commit(vigil_store *st, vigil_err *err) {
    vigil__tally_tx *t = vigil__store_tally_tx(st);
    if (!t) return VIGIL_OK;
    vigil_status rc = VIGIL_OK;
    const tally_entry *rows[FLUSH_ROWS];
    int n = 0, batch = vigil__db_remote(vigil__store_db(st));
    for (size_t i = 0; rc == VIGIL_OK && i < t->cap; i++) {
        const tally_entry *e = &t->e[i];
        /* n_sp: a savepoint left open is the transaction's */
        if (!e->k || !(e->n + e->n_sp)) continue;
        if (!batch) { /* in the process: one cached statement a key */
            rc = vigil__q_exec(st, sql_upsert, NULL, err, "itti", e->op, e->dim, e->k, e->n + e->n_sp);
            continue;
        }
        rows[n++] = e;
        if (n == FLUSH_ROWS) {
            rc = flush_rows(st, rows, n, err);
            n = 0;
        }
    }
    if (rc == VIGIL_OK && n) rc = flush_rows(st, rows, n, err);
    vigil__tally_reset(st);
    return rc;
}

vigil_status vigil__tally_rebuild(vigil_store *st, int64_t op, vigil_err *err) {
    vigil_status rc = vigil__q_exec(st, sql_rebuild_delete, NULL, err, "i", op);
    if (rc == VIGIL_OK) rc = vigil__q_exec(st, sql_rebuild, NULL, err, "i", op);
    return rc;
}
