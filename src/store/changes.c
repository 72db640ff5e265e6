/*
 * src/store/changes.c - the bank change log: the rows every bank change
 * appends in its own transaction (entry, import, bank), their pruning, the
 * read by sequence that running matchers apply as deltas, and the store's
 * identity that index snapshots are checked against.  Driver-neutral SQL
 * through the query module.
 *
 * Sequences: bank_change.seq is the table's integer key, assigned on
 * insert (SQLite: the largest + 1; pruning never deletes the newest row,
 * so it only grows).  Writers are serialised by the store's write lock
 * (SQLite), so the order of seq is the order of commits.  A driver whose
 * writers run concurrently (PostgreSQL) must keep that true, e.g. by
 * taking a lock on bank_change before the insert, or a reader could pass
 * over a sequence that commits later.
 *
 * Pruning: when the new row's seq is a multiple of 1024, the rows older
 * than the newest keep (vigil__store_log_keep: VIGIL_CHANGE_LOG_KEEP) are
 * deleted and the last deleted seq is recorded in id_counter
 * ('bank_change_pruned'); a reader asking for changes after an older seq
 * gets VIGIL_ECONFLICT (reload in full).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/err.h"
#include "store/store_internal.h"
#include "vigil/bank.h"

#define PRUNE_EVERY 1024

static const char SQL_INSERT[] =
    "INSERT INTO bank_change (bank_id, kind, entry_id, last_id, signal_type, old_value, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING seq";
static const char SQL_PRUNE[] = "DELETE FROM bank_change WHERE seq <= ?1";
static const char SQL_SET_PRUNED[] =
    "INSERT INTO id_counter (name, last_id) VALUES ('bank_change_pruned', ?1) "
    "ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id";
static const char SQL_HEAD[] = "SELECT coalesce(max(seq), 0) FROM bank_change";
static const char SQL_PRUNED[] = "SELECT last_id FROM id_counter WHERE name = 'bank_change_pruned'";
static const char SQL_SINCE[] =
    "SELECT seq, kind, bank_id, entry_id, last_id, signal_type, old_value FROM bank_change "
    "WHERE seq > ?1 ORDER BY seq LIMIT ?2";
static const char SQL_IDENTITY[] = "SELECT last_id FROM id_counter WHERE name = 'store_identity'";
static const char SQL_SET_IDENTITY[] =
    "INSERT INTO id_counter (name, last_id) VALUES ('store_identity', ?1) "
    "ON CONFLICT (name) DO NOTHING";

static vigil_status append(vigil_store *st, int64_t bank_id, const char *kind, int64_t entry_id,
                           int64_t last_id, const char *sig, const char *old_value,
                           vigil_err *err) {
    char now[VIGIL__TIME_LEN];
    vigil__store_now(st, now);
    int64_t seq = 0;
    vigil_status rc = vigil__q_int(st, SQL_INSERT, &seq, err, "itIIttt", bank_id, kind, entry_id,
                                   last_id, sig, old_value, now);
    if (rc == VIGIL_ENOENT)
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "%s: the change log gave no sequence",
                            vigil_store_path(st));
    if (rc != VIGIL_OK || seq % PRUNE_EVERY != 0) return rc;
    int64_t keep = vigil__store_log_keep(st), upto = seq - keep;
    if (upto <= 0) return VIGIL_OK;
    rc = vigil__q_exec(st, SQL_PRUNE, NULL, err, "i", upto);
    if (rc == VIGIL_OK) rc = vigil__q_exec(st, SQL_SET_PRUNED, NULL, err, "i", upto);
    return rc;
}

vigil_status vigil__change_entry(vigil_store *st, int64_t bank_id, int64_t entry_id,
                                 const char *sig, const char *old_value, vigil_err *err) {
    return append(st, bank_id, "entry", entry_id, 0, old_value ? sig : NULL, old_value, err);
}

vigil_status vigil__change_import(vigil_store *st, int64_t bank_id, int64_t first, int64_t last,
                                  vigil_err *err) {
    return append(st, bank_id, "import", first, last, NULL, NULL, err);
}

vigil_status vigil__change_bank(vigil_store *st, int64_t bank_id, vigil_err *err) {
    return append(st, bank_id, "bank", 0, 0, NULL, NULL, err);
}

vigil_status vigil_bank_change_head(vigil_store *st, int64_t *seq, int64_t *pruned,
                                    vigil_err *err) {
    if (!st || !seq) return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_change_head: NULL argument");
    *seq = 0;
    if (pruned) *pruned = 0;
    vigil_status rc = vigil__q_int(st, SQL_HEAD, seq, err, "");
    if (rc == VIGIL_ENOENT) rc = VIGIL_OK;
    if (rc == VIGIL_OK && pruned) {
        rc = vigil__q_int(st, SQL_PRUNED, pruned, err, "");
        if (rc == VIGIL_ENOENT) rc = VIGIL_OK;
    }
    return rc;
}

static vigil_signal signal_named(const char *s) {
    for (int i = 0; s && i < VIGIL_SIGNAL_COUNT; i++)
        if (strcmp(s, vigil_signal_name((vigil_signal)i)) == 0) return (vigil_signal)i;
    return VIGIL_SIGNAL_COUNT;
}

typedef struct change_vec {
    vigil_bank_change *v;
    size_t n, cap;
} change_vec;

static vigil_status change_row(void *ctx, const vigil__row *r, vigil_err *err) {
    change_vec *cv = ctx;
    if (cv->n == cv->cap) {
        size_t ncap = cv->cap ? cv->cap * 2 : 16;
        vigil_bank_change *nv = realloc(cv->v, ncap * sizeof *nv);
        if (!nv) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory reading the change log");
        cv->v = nv;
        cv->cap = ncap;
    }
    vigil_bank_change *c = &cv->v[cv->n];
    memset(c, 0, sizeof *c);
    c->seq = vigil__row_int(r, 0);
    const char *kind = vigil__row_text(r, 1);
    /* a kind from a newer vigil: reconsider the whole bank */
    c->kind = kind && strcmp(kind, "entry") == 0    ? VIGIL_CHANGE_ENTRY
              : kind && strcmp(kind, "import") == 0 ? VIGIL_CHANGE_IMPORT
                                                    : VIGIL_CHANGE_BANK;
    c->bank_id = vigil__row_int(r, 2);
    c->entry_id = vigil__row_is_null(r, 3) ? 0 : vigil__row_int(r, 3);
    c->last_id = vigil__row_is_null(r, 4) ? 0 : vigil__row_int(r, 4);
    c->signal = signal_named(vigil__row_text(r, 5));
    const char *old = vigil__row_text(r, 6);
    if (old && !(c->old_value = strdup(old)))
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory reading the change log");
    cv->n++;
    return VIGIL_OK;
}

void vigil_bank_changes_free(vigil_bank_change *c, size_t n) {
    if (!c) return;
    for (size_t i = 0; i < n; i++) free(c[i].old_value);
    free(c);
}

vigil_status vigil_bank_changes_since(vigil_store *st, int64_t seq, size_t limit,
                                      vigil_bank_change **out, size_t *n, vigil_err *err) {
    if (!st || !out || !n)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_changes_since: NULL argument");
    *out = NULL;
    *n = 0;
    if (limit == 0) limit = 1000;
    change_vec cv = {0};
    int64_t head = 0, pruned = 0;
    /* one snapshot: the bounds and the rows agree */
    int own = !vigil__store_in_transaction(st);
    vigil_status rc = own ? vigil__store_read_begin(st, err) : VIGIL_OK;
    if (rc == VIGIL_OK) rc = vigil_bank_change_head(st, &head, &pruned, err);
    if (rc == VIGIL_OK && (seq < pruned || seq > head))
        rc = vigil__err_set(err, VIGIL_ECONFLICT,
                            "%s: the change log holds sequences %lld..%lld, not the changes "
                            "after %lld: reload in full",
                            vigil_store_path(st), (long long)pruned + 1, (long long)head,
                            (long long)seq);
    if (rc == VIGIL_OK && seq < head)
        rc = vigil__q_each(st, SQL_SINCE, change_row, &cv, err, "ii", seq, (int64_t)limit);
    if (own) vigil__store_read_end(st);
    if (rc != VIGIL_OK) {
        vigil_bank_changes_free(cv.v, cv.n);
        return rc;
    }
    *out = cv.v;
    *n = cv.n;
    return VIGIL_OK;
}

static const char SQL_MARK[] =
    "SELECT at || '|' || kind || '|' || bank_id || '|' || coalesce(entry_id, 0) FROM bank_change "
    "WHERE seq = ?1";

vigil_status vigil__change_mark(vigil_store *st, int64_t seq, char *out, size_t cap,
                                vigil_err *err) {
    char *text = NULL;
    if (cap) out[0] = '\0';
    vigil_status rc = seq > 0 ? vigil__q_text(st, SQL_MARK, &text, err, "i", seq) : VIGIL_OK;
    if (rc == VIGIL_ENOENT) rc = VIGIL_OK;
    if (rc == VIGIL_OK && text && cap) snprintf(out, cap, "%s", text);
    free(text);
    return rc;
}

/* A random 62-bit number from the clock and the address space (the
 * identity needs to differ between stores, not to be secret). */
static int64_t random_id(const vigil_store *st) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    uint64_t x = (uint64_t)t.tv_sec * 1000000007ull ^ (uint64_t)t.tv_nsec ^
                 (uint64_t)(uintptr_t)st << 17 ^ (uint64_t)(uintptr_t)&t;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (int64_t)(x >> 2) + 1;
}

vigil_status vigil_store_identity(vigil_store *st, int64_t *id, vigil_err *err) {
    if (!st || !id) return vigil__err_set(err, VIGIL_EINVAL, "vigil_store_identity: NULL argument");
    *id = 0;
    vigil_status rc = vigil__q_int(st, SQL_IDENTITY, id, err, "");
    if (rc != VIGIL_ENOENT) return rc;
    rc = vigil__store_begin(st, err);
    if (rc == VIGIL_OK) rc = vigil__q_exec(st, SQL_SET_IDENTITY, NULL, err, "i", random_id(st));
    rc = vigil__store_end(st, rc, err);
    if (rc == VIGIL_OK) rc = vigil__q_int(st, SQL_IDENTITY, id, err, "");
    if (rc == VIGIL_ENOENT)
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "%s: the store identity was not kept",
                            vigil_store_path(st));
    return rc;
}

/* `+bank_id`: through the table's key (the id range), not the bank's index,
 * whose entries of a large bank would all be read to find a range */
static const char SQL_RANGE[] =
    "SELECT id, signal_type, value, enabled FROM bank_entry "
    "WHERE +bank_id = ?1 AND id BETWEEN ?2 AND ?3 ORDER BY id LIMIT ?4";

typedef struct range_ctx {
    vigil_entry_fn fn;
    void *ctx;
    vigil_entry e;
} range_ctx;

static vigil_status range_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    range_ctx *rc = ctx;
    const char *v = vigil__row_text(r, 2);
    rc->e.id = vigil__row_int(r, 0);
    rc->e.signal = signal_named(vigil__row_text(r, 1));
    rc->e.value = v ? v : "";
    rc->e.enabled = (int)vigil__row_int(r, 3);
    return rc->fn(rc->ctx, &rc->e) != 0 ? VIGIL__STOP : VIGIL_OK;
}

vigil_status vigil_bank_entries_range(vigil_store *st, int64_t bank_id, int64_t first,
                                      int64_t last, size_t limit, vigil_entry_fn fn, void *ctx,
                                      vigil_err *err) {
    if (!st || !fn)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_entries_range: NULL argument");
    range_ctx rc = {fn, ctx, {0}};
    rc.e.bank_id = bank_id;
    rc.e.labels = "";
    rc.e.added_at = "";
    return vigil__q_each(st, SQL_RANGE, range_row, &rc, err, "iiii", bank_id, first, last,
                         limit ? (int64_t)limit : INT64_MAX);
}
