/*
 * src/store/bank.c - hash banks in the store: signal types and value
 * validation, bank CRUD, entries (add, remove, enable, get), the per-bank
 * iteration used by export, the fast scan the index is built from, stats.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/hash.h"
#include "common/utf8.h"
#include "store/bank_internal.h"
#include "store/store_internal.h"
#include "signal/signal_internal.h"


vigil_status vigil__labels_canon(const char *text, char **out, vigil_err *err) {
    vigil_labels l;
    vigil_labels_init(&l);
    vigil_status rc = vigil_labels_parse(&l, text, err);
    if (rc == VIGIL_OK) rc = vigil_labels_format(&l, out, err);
    vigil_labels_clear(&l);
    if (rc != VIGIL_OK && err) {
        char msg[VIGIL_ERR_MSG_MAX];
        memcpy(msg, err->msg, sizeof msg);
        vigil__err_set(err, rc, "labels: %.230s", msg);
    }
    return rc;
}

/* Short free text (description, external id): UTF-8, no control chars. */
static vigil_status check_text(const char *what, const char *s, size_t max, vigil_err *err) {
    size_t n = strlen(s);
    if (n > max)
        return vigil__err_set(err, VIGIL_ELIMIT, "%s: %zu bytes, over the limit of %zu", what, n,
                              max);
    size_t bad = vigil__utf8_check(s, n);
    if (bad) return vigil__err_set(err, VIGIL_EPARSE, "%s: not valid UTF-8 (byte %zu)", what, bad);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            return vigil__err_set(err, VIGIL_EPARSE, "%s: control character 0x%02x (byte %zu)",
                                  what, c, i + 1);
    }
    return VIGIL_OK;
}

vigil_status vigil__external_id_check(const char *id, vigil_err *err) {
    if (!id || !*id) return VIGIL_OK;
    return check_text("id", id, VIGIL_EXTERNAL_ID_MAX, err);
}

/* ------------------------------------------------------------------------
 * Banks
 * ---------------------------------------------------------------------- */

const char *vigil_bank_kind_name(vigil_bank_kind kind) {
    return kind == VIGIL_BANK_ALLOW ? "allow" : "normal";
}

vigil_status vigil_bank_name_check(const char *name, vigil_err *err) {
    if (!name || !*name) return vigil__err_set(err, VIGIL_EINVAL, "empty bank name");
    size_t n = strlen(name);
    if (n > VIGIL_BANK_NAME_MAX)
        return vigil__err_set(err, VIGIL_EINVAL,
                              "bank name '%.20s...' is longer than %d characters", name,
                              VIGIL_BANK_NAME_MAX);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        int alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (alnum || (i > 0 && (c == '_' || c == '.' || c == '-'))) continue;
        if (i == 0 && (c == '_' || c == '.' || c == '-'))
            return vigil__err_set(err, VIGIL_EINVAL,
                                  "bank name '%s' must begin with a letter or a digit", name);
        return vigil__err_set(err, VIGIL_EINVAL,
                              "bank name '%.64s': character %zu is not allowed (use A-Z a-z 0-9 "
                              "_ . -)",
                              name, i + 1);
    }
    return VIGIL_OK;
}

static vigil_status no_bank(const char *name, vigil_err *err) {
    return vigil__err_set(err, VIGIL_ENOENT, "no bank named '%.64s' (see `vigil bank list`)", name);
}

static void copy_col(char *dst, size_t cap, const vigil__row *r, int col) {
    const char *v = vigil__row_text(r, col);
    snprintf(dst, cap, "%s", v ? v : "");
}

#define BANK_COLS "b.id, b.name, b.kind, b.max_distance, b.enabled, b.description, b.created_at"

static void row_to_bank(const vigil__row *r, vigil_bank_info *b) {
    b->id = vigil__row_int(r, 0);
    copy_col(b->name, sizeof b->name, r, 1);
    const char *kind = vigil__row_text(r, 2);
    b->kind = kind && strcmp(kind, "allow") == 0 ? VIGIL_BANK_ALLOW : VIGIL_BANK_NORMAL;
    b->max_distance = vigil__row_is_null(r, 3) ? -1 : (int)vigil__row_int(r, 3);
    b->enabled = (int)vigil__row_int(r, 4);
    copy_col(b->description, sizeof b->description, r, 5);
    copy_col(b->created_at, sizeof b->created_at, r, 6);
    b->entries = -1;
}

/* One bank row into ctx (a vigil_bank_info whose id is 0 until found). */
static vigil_status bank_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    row_to_bank(r, ctx);
    return VIGIL__STOP;
}

static const char SQL_BANK_BY_NAME[] = "SELECT " BANK_COLS " FROM bank b WHERE b.name = ?1";
static const char SQL_BANK_BY_ID[] = "SELECT " BANK_COLS " FROM bank b WHERE b.id = ?1";

/* Look a bank up by name (name != NULL) or id.  ENOENT if absent. */
static vigil_status bank_lookup(vigil_store *st, const char *name, int64_t id, vigil_bank_info *out,
                                vigil_err *err) {
    memset(out, 0, sizeof *out);
    vigil_status rc = name ? vigil__q_each(st, SQL_BANK_BY_NAME, bank_row, out, err, "t", name)
                           : vigil__q_each(st, SQL_BANK_BY_ID, bank_row, out, err, "i", id);
    if (rc != VIGIL_OK || out->id != 0) return rc;
    return name ? no_bank(name, err)
                : vigil__err_set(err, VIGIL_ENOENT, "no bank with id %lld", (long long)id);
}

vigil_status vigil_bank_get(vigil_store *st, const char *name, vigil_bank_info *out,
                            vigil_err *err) {
    if (!st || !name || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_get: NULL argument");
    vigil_status rc = vigil__bank_gate(st, 0, err);
    return rc == VIGIL_OK ? bank_lookup(st, name, 0, out, err) : rc;
}

vigil_status vigil_bank_get_by_id(vigil_store *st, int64_t id, vigil_bank_info *out,
                                  vigil_err *err) {
    if (!st || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_get_by_id: NULL argument");
    return bank_lookup(st, NULL, id, out, err);
}

vigil_status vigil__bank_id(vigil_store *st, const char *name, int64_t *id, vigil_err *err) {
    vigil_bank_info b;
    vigil_status rc = bank_lookup(st, name, 0, &b, err);
    if (rc == VIGIL_OK) *id = b.id;
    return rc;
}

static vigil_status check_settings(int max_distance, const char *description, vigil_err *err) {
    if (max_distance < -1 || max_distance > 256)
        return vigil__err_set(err, VIGIL_EINVAL, "max distance %d is out of range (0 to 256)",
                              max_distance);
    if (description) {
        vigil_status rc = check_text("description", description, VIGIL_BANK_DESC_MAX, err);
        if (rc != VIGIL_OK) return rc;
    }
    return VIGIL_OK;
}

static const char SQL_BANK_INSERT[] =
    "INSERT INTO bank (name, kind, max_distance, enabled, description, created_at) "
    "VALUES (?1, ?2, NULLIF(?3, -1), 1, ?4, ?5)";
static const char SQL_BANK_EXISTS[] = "SELECT id FROM bank WHERE name = ?1";

vigil_status vigil_bank_create(vigil_store *st, const char *name, vigil_bank_kind kind,
                               int max_distance, const char *description, vigil_bank_info *out,
                               vigil_err *err) {
    if (!st) return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_create: NULL store");
    vigil_status rc = vigil__bank_gate(st, 1, err);
    if (rc == VIGIL_OK) rc = vigil_bank_name_check(name, err);
    if (rc != VIGIL_OK) return rc;
    if (kind != VIGIL_BANK_NORMAL && kind != VIGIL_BANK_ALLOW)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown bank kind %d", (int)kind);
    rc = check_settings(max_distance, description, err);
    if (rc != VIGIL_OK) return rc;
    char now[VIGIL__TIME_LEN];
    vigil__store_now(st, now);
    rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    /* the write lock is held: no other writer can add the name meanwhile */
    int64_t taken = 0;
    rc = vigil__q_int(st, SQL_BANK_EXISTS, &taken, err, "t", name);
    if (rc == VIGIL_OK)
        rc = vigil__err_set(err, VIGIL_EEXIST, "a bank named '%s' already exists", name);
    else if (rc == VIGIL_ENOENT)
        rc = vigil__q_exec(st, SQL_BANK_INSERT, NULL, err, "ttdtt", name,
                           vigil_bank_kind_name(kind), max_distance < 0 ? -1 : max_distance,
                           description ? description : "", now);
    vigil_bank_info b;
    if (rc == VIGIL_OK) rc = bank_lookup(st, name, 0, &b, err);
    if (rc == VIGIL_OK) {
        json_t *after = json_pack("{s:s, s:s, s:i, s:s}", "name", name, "kind",
                                  vigil_bank_kind_name(kind), "max_distance", max_distance,
                                  "description", description ? description : "");
        rc = vigil__audit(st, vigil__store_actor(st), "bank.create", "bank", b.id, NULL, after, err);
        json_decref(after);
    }
    if (rc == VIGIL_OK) rc = vigil__change_bank(st, b.id, err);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        return rc;
    }
    if (out) *out = b;
    return rc;
}

static const char SQL_BANK_LIST[] =
    "SELECT " BANK_COLS ", (SELECT count(*) FROM bank_entry e WHERE e.bank_id = b.id) "
    "FROM bank b ORDER BY b.name";

typedef struct bank_vec {
    vigil_bank_info *v;
    size_t n, cap;
} bank_vec;

static vigil_status bank_list_row(void *ctx, const vigil__row *r, vigil_err *err) {
    bank_vec *v = ctx;
    if (v->n == v->cap) {
        size_t ncap = v->cap ? v->cap * 2 : 8;
        vigil_bank_info *nv = realloc(v->v, ncap * sizeof *nv);
        if (!nv) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory listing banks");
        v->v = nv;
        v->cap = ncap;
    }
    row_to_bank(r, &v->v[v->n]);
    v->v[v->n].entries = vigil__row_int(r, 7);
    v->n++;
    return VIGIL_OK;
}

vigil_status vigil_bank_list(vigil_store *st, vigil_bank_info **out, size_t *n, vigil_err *err) {
    if (!st || !out || !n)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_list: NULL argument");
    *out = NULL;
    *n = 0;
    vigil_status gate = vigil__bank_gate(st, 0, err);
    if (gate != VIGIL_OK) return gate;
    bank_vec v = {0};
    vigil_status rc = vigil__q_each(st, SQL_BANK_LIST, bank_list_row, &v, err, "");
    if (rc != VIGIL_OK) {
        free(v.v);
        return rc;
    }
    *out = v.v;
    *n = v.n;
    return VIGIL_OK;
}

static const char SQL_BANK_UPDATE[] =
    "UPDATE bank SET kind = ?2, max_distance = NULLIF(?3, -1), enabled = ?4, description = ?5 "
    "WHERE id = ?1";

vigil_status vigil_bank_set(vigil_store *st, const char *name, const vigil_bank_update *upd,
                            vigil_bank_info *out, vigil_err *err) {
    if (!st || !name || !upd)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_set: NULL argument");
    if (upd->set_kind && upd->kind != VIGIL_BANK_NORMAL && upd->kind != VIGIL_BANK_ALLOW)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown bank kind %d", (int)upd->kind);
    vigil_status gate = vigil__bank_gate(st, 1, err);
    if (gate != VIGIL_OK) return gate;
    vigil_status rc =
        check_settings(upd->set_max_distance ? upd->max_distance : -1, upd->description, err);
    if (rc != VIGIL_OK) return rc;
    vigil_bank_info b;
    rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    rc = bank_lookup(st, name, 0, &b, err);
    if (rc != VIGIL_OK) goto out;
    if (upd->set_kind) b.kind = upd->kind;
    if (upd->set_max_distance) b.max_distance = upd->max_distance;
    if (upd->set_enabled) b.enabled = upd->enabled ? 1 : 0;
    if (upd->description) snprintf(b.description, sizeof b.description, "%s", upd->description);
    rc = vigil__q_exec(st, SQL_BANK_UPDATE, NULL, err, "itddt", b.id, vigil_bank_kind_name(b.kind),
                       b.max_distance < 0 ? -1 : b.max_distance, b.enabled, b.description);
    if (rc != VIGIL_OK) goto out;
    json_t *after = json_pack("{s:s, s:s, s:i, s:b, s:s}", "name", name, "kind",
                              vigil_bank_kind_name(b.kind), "max_distance", b.max_distance,
                              "enabled", b.enabled, "description", b.description);
    rc = vigil__audit(st, vigil__store_actor(st), "bank.set", "bank", b.id, NULL, after, err);
    json_decref(after);
    if (rc == VIGIL_OK) rc = vigil__change_bank(st, b.id, err);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc == VIGIL_OK && out) *out = b;
out:
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

static const char SQL_BLOBS_DELETE_BANK[] =
    "DELETE FROM bank_entry_blob WHERE entry_id IN (SELECT id FROM bank_entry WHERE bank_id = ?1)";
static const char SQL_ENTRIES_DELETE_BANK[] = "DELETE FROM bank_entry WHERE bank_id = ?1";
static const char SQL_BANK_DELETE[] = "DELETE FROM bank WHERE id = ?1";

vigil_status vigil_bank_delete(vigil_store *st, const char *name, int64_t *entries_deleted,
                               vigil_err *err) {
    if (!st || !name) return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_delete: NULL argument");
    int64_t id = 0, n = 0;
    vigil_status rc = vigil__bank_gate(st, 1, err);
    if (rc == VIGIL_OK) rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    rc = vigil__bank_id(st, name, &id, err);
    if (rc != VIGIL_OK) goto out;
    int changed = 0;
    rc = vigil__q_exec(st, SQL_BLOBS_DELETE_BANK, NULL, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__q_exec(st, SQL_ENTRIES_DELETE_BANK, &changed, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__q_exec(st, SQL_BANK_DELETE, NULL, err, "i", id);
    if (rc != VIGIL_OK) goto out;
    n = changed;
    json_t *before = json_pack("{s:s, s:I}", "name", name, "entries", (json_int_t)n);
    rc = vigil__audit(st, vigil__store_actor(st), "bank.delete", "bank", id, before, NULL, err);
    json_decref(before);
    if (rc == VIGIL_OK) rc = vigil__change_bank(st, id, err);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK)
        vigil__store_rollback(st);
    else if (entries_deleted)
        *entries_deleted = n;
    return rc;
}

/* ------------------------------------------------------------------------
 * Entries
 * ---------------------------------------------------------------------- */

static const char SQL_INSERT_ENTRY[] =
    "INSERT INTO bank_entry (id, bank_id, signal_type, value, added_at, external_id, labels) "
    "VALUES (?7, ?1, ?2, ?3, ?4, ?5, ?6)";
/* the entry with this id: the one with this value first (schema 2 may have
 * left several), else the oldest */
static const char SQL_ENTRY_BY_XID[] =
    "SELECT id, value, labels FROM bank_entry "
    "WHERE bank_id = ?1 AND signal_type = ?2 AND external_id = ?3 "
    "ORDER BY value <> ?4, id LIMIT 1";
static const char SQL_ENTRY_UPDATE[] =
    "UPDATE bank_entry SET value = ?2, labels = ?3 WHERE id = ?1";
/* the oldest entry holding this value, with an id or not.  The value
 * narrows, the bank and type do not (a bank is one type, often the only
 * bank): likely() says so, and id + 0 sorts the few rows found instead of
 * walking the primary key.  SQLite uses bank_entry_value on all three
 * columns either way; PostgreSQL, whose bank_entry_value is (bank_id,
 * signal_type) plus a hash index on value (pg.c), would otherwise pick the
 * former inside an import (no statistics yet on the rows it adds) and read
 * the whole bank for every row: 100,000 id-less rows took over 100 s. */
static const char SQL_ENTRY_BY_VALUE[] =
    "SELECT id FROM bank_entry WHERE likely(bank_id = ?1) AND likely(signal_type = ?2) "
    "AND value = ?3 ORDER BY id + 0 LIMIT 1";
/* a row without an id, added unless the bank holds its value (with an id
 * or not): the look-up above and the insert in one round trip */
static const char SQL_INSERT_ENTRY_ABSENT[] =
    "INSERT INTO bank_entry (id, bank_id, signal_type, value, added_at, external_id, labels) "
    "SELECT ?7, ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM bank_entry WHERE "
    "likely(bank_id = ?1) AND likely(signal_type = ?2) AND value = ?3)";

static const char SQL_NEXT_ID[] =
    "SELECT max(coalesce((SELECT last_id FROM id_counter WHERE name = 'bank_entry'), 0), "
    "coalesce((SELECT max(id) FROM bank_entry), 0)) + 1";
static const char SQL_SET_LAST_ID[] =
    "INSERT INTO id_counter (name, last_id) VALUES ('bank_entry', ?1) "
    "ON CONFLICT (name) DO UPDATE SET last_id = max(id_counter.last_id, excluded.last_id)";

vigil_status vigil__entry_next_id(vigil_store *st, int64_t *next, vigil_err *err) {
    vigil_status rc = vigil__q_int(st, SQL_NEXT_ID, next, err, "");
    if (rc == VIGIL_ENOENT) /* an aggregate always gives a row */
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "%s: reading the entry counter gave no row",
                            vigil_store_path(st));
    return rc;
}

vigil_status vigil__entry_set_last_id(vigil_store *st, int64_t last, vigil_err *err) {
    return vigil__q_exec(st, SQL_SET_LAST_ID, NULL, err, "i", last);
}

void vigil_entry_clear(vigil_entry *e) {
    if (!e) return;
    free(e->owned_);
    memset(e, 0, sizeof *e);
}

/* The existing entry with external id `xid`: *found 0 if none. */
typedef struct xid_hit {
    int found;
    int64_t id;
    char *value, *labels;
} xid_hit;

static vigil_status xid_row(void *ctx, const vigil__row *r, vigil_err *err) {
    xid_hit *h = ctx;
    const char *v = vigil__row_text(r, 1);
    const char *l = vigil__row_text(r, 2);
    h->id = vigil__row_int(r, 0);
    h->value = strdup(v ? v : "");
    h->labels = strdup(l ? l : "");
    h->found = 1;
    if (!h->value || !h->labels)
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory reading entry %lld",
                              (long long)h->id);
    return VIGIL__STOP;
}

static vigil_status entry_by_xid(vigil_store *st, int64_t bank_id, vigil_signal sig,
                                 const char *xid, const char *value, int *found, int64_t *id,
                                 char **old_value, char **old_labels, vigil_err *err) {
    xid_hit h = {0, 0, NULL, NULL};
    vigil_status rc = vigil__q_each(st, SQL_ENTRY_BY_XID, xid_row, &h, err, "isss", bank_id,
                                    vigil_signal_name(sig), xid, value);
    *found = h.found;
    *id = h.id;
    *old_value = h.value;
    *old_labels = h.labels;
    return rc;
}

/* The bytes of a value kept as bytes (signal_internal.h), in two parts. */
static const char SQL_BLOB_INSERT[] =
    "INSERT INTO bank_entry_blob (entry_id, head, body) VALUES (?1, ?2, ?3)";
static const char SQL_BLOB_DELETE[] = "DELETE FROM bank_entry_blob WHERE entry_id = ?1";

static vigil_status blob_write(vigil_store *st, vigil_signal sig, int64_t id, const uint8_t *bin,
                               size_t len, vigil_err *err) {
    size_t nh = vigil__value_head_bytes(sig);
    if (nh > len) nh = len;
    vigil_status rc = vigil__q_exec(st, SQL_BLOB_DELETE, NULL, err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, SQL_BLOB_INSERT, NULL, err, "ibb", id, (const void *)bin, nh,
                           (const void *)(bin + nh), len - nh);
    return rc;
}

/* The audit record of an entry's contents: a value kept as bytes is
 * recorded as its key (signal_internal.h). */
static json_t *entry_json(const char *bank, vigil_signal sig, const char *value,
                          const char *labels, const char *xid) {
    char key[VIGIL__VALUE_KEY_LEN];
    uint8_t *bin = NULL;
    size_t n = 0;
    if (vigil__value_head_bytes(sig) && !vigil__value_is_key(sig, value) &&
        vigil__value_to_bytes(sig, value, &bin, &n, key, NULL) == VIGIL_OK)
        value = key;
    free(bin);
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "bank", bank, "signal_type",
                          vigil_signal_name(sig), "value", value, "labels", labels ? labels : "");
    if (o && xid && json_object_set_new(o, "external_id", json_string(xid)) != 0) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

vigil_status vigil__entry_put(vigil_store *st, int64_t bank_id, const char *bank,
                              vigil_signal sig, const char *value, const char *labels,
                              const char *xid, const char *now, int64_t *next_id, int mode,
                              int64_t *entry_id, vigil_put_outcome *outcome, vigil_err *err) {
    char *old_value = NULL, *old_labels = NULL;
    json_t *before = NULL, *after = NULL;
    int64_t id = 0;
    int found = 0;
    if (!value || !labels || !next_id || !outcome)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil__entry_put: NULL argument");
    if (xid && !*xid) xid = NULL;
    vigil_status rc = VIGIL_OK;
    /* a value kept as bytes: its key stands for it from here on; `full`, the
     * value itself, is how rows written before schema 5 hold it */
    char key[VIGIL__VALUE_KEY_LEN];
    uint8_t *bin = NULL;
    size_t nbin = 0;
    const char *full = NULL;
    if (vigil__value_head_bytes(sig)) {
        rc = vigil__value_to_bytes(sig, value, &bin, &nbin, key, err);
        if (rc != VIGIL_OK) return rc;
        full = value;
        value = key;
    }
    if (xid && mode != VIGIL__PUT_NEW) {
        rc = entry_by_xid(st, bank_id, sig, xid, value, &found, &id, &old_value, &old_labels,
                          err);
        if (rc != VIGIL_OK) goto out;
        if (!found && mode == VIGIL__PUT_EXISTING) {
            *outcome = VIGIL_PUT_ADDED; /* would be: the caller puts it with VIGIL__PUT_NEW */
            goto out;
        }
    }
    if (found) {
        int same = strcmp(old_value, value) == 0 || (full && strcmp(old_value, full) == 0);
        if (same && strcmp(old_labels, labels) == 0) {
            *outcome = VIGIL_PUT_UNCHANGED;
            goto out;
        }
        rc = vigil__q_exec(st, SQL_ENTRY_UPDATE, NULL, err, "iss", id, value, labels);
        if (rc == VIGIL_OK && bin && strcmp(old_value, value) != 0)
            rc = blob_write(st, sig, id, bin, nbin, err);
        if (rc == VIGIL_OK)
            rc = vigil__change_entry(st, bank_id, id, vigil_signal_name(sig), old_value, err);
        if (rc != VIGIL_OK) goto out;
        before = entry_json(bank, sig, old_value, old_labels, xid);
        after = entry_json(bank, sig, value, labels, xid);
        if (!before || !after) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
        rc = vigil__audit(st, vigil__store_actor(st), "bank.update", "bank_entry", id, before,
                          after, err);
        if (rc == VIGIL_OK) *outcome = VIGIL_PUT_UPDATED;
        goto out;
    }
    /* a value the bank holds, with an id or not, is a duplicate; a value
     * kept as itself (no key, no older form to look for) is looked up and
     * added in one statement, and looked up again only when the caller
     * wants the duplicate's id */
    if (!xid && mode != VIGIL__PUT_NEW && !full) {
        int added = 0;
        rc = vigil__q_exec(st, SQL_INSERT_ENTRY_ABSENT, &added, err, "isssssi", bank_id,
                           vigil_signal_name(sig), value, now, xid, labels, *next_id);
        if (rc != VIGIL_OK) goto out;
        if (added) {
            id = (*next_id)++;
            *outcome = VIGIL_PUT_ADDED;
            goto out;
        }
        *outcome = VIGIL_PUT_UNCHANGED;
        if (entry_id)
            rc = vigil__q_int(st, SQL_ENTRY_BY_VALUE, &id, err, "iss", bank_id,
                              vigil_signal_name(sig), value);
        goto out;
    }
    if (!xid && mode != VIGIL__PUT_NEW) {
        rc = vigil__q_int(st, SQL_ENTRY_BY_VALUE, &id, err, "iss", bank_id,
                          vigil_signal_name(sig), value);
        if (rc == VIGIL_ENOENT && full)
            rc = vigil__q_int(st, SQL_ENTRY_BY_VALUE, &id, err, "iss", bank_id,
                              vigil_signal_name(sig), full);
        if (rc == VIGIL_OK) {
            *outcome = VIGIL_PUT_UNCHANGED;
            goto out;
        }
        if (rc != VIGIL_ENOENT) goto out;
    }
    rc = vigil__q_exec(st, SQL_INSERT_ENTRY, NULL, err, "isssssi", bank_id, vigil_signal_name(sig),
                       value, now, xid, labels, *next_id);
    if (rc == VIGIL_OK && bin) rc = blob_write(st, sig, *next_id, bin, nbin, err);
    if (rc != VIGIL_OK) goto out;
    id = (*next_id)++;
    *outcome = VIGIL_PUT_ADDED;
out:
    if (rc == VIGIL_OK && entry_id) *entry_id = id;
    free(bin);
    free(old_value);
    free(old_labels);
    json_decref(before);
    json_decref(after);
    return rc;
}

vigil_status vigil_bank_put(vigil_store *st, const char *bank, const vigil_entry_spec *spec,
                            int64_t *entry_id, vigil_put_outcome *outcome, vigil_err *err) {
    if (!st || !bank || !spec)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_put: NULL argument");
    if ((unsigned)spec->signal >= VIGIL_SIGNAL_COUNT)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown signal type %d", (int)spec->signal);
    vigil_status gate = vigil__bank_gate(st, 1, err);
    if (gate != VIGIL_OK) return gate;
    char hex[65];
    const char *value = NULL;
    char *labels = NULL;
    int64_t bank_id = 0, id = 0, next = 0;
    vigil_put_outcome what = VIGIL_PUT_UNCHANGED;
    int in_txn = 0;
    const char *xid = spec->external_id && *spec->external_id ? spec->external_id : NULL;
    vigil_status rc = vigil__value_canon(spec->signal, spec->value, hex, &value, err);
    if (rc == VIGIL_OK) rc = vigil__labels_canon(spec->labels, &labels, err);
    if (rc == VIGIL_OK) rc = vigil__external_id_check(xid, err);
    if (rc == VIGIL_OK) rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) goto out;
    in_txn = 1;
    rc = vigil__bank_id(st, bank, &bank_id, err);
    if (rc == VIGIL_OK) rc = vigil__entry_next_id(st, &next, err);
    char now[VIGIL__TIME_LEN];
    vigil__store_now(st, now);
    if (rc == VIGIL_OK)
        rc = vigil__entry_put(st, bank_id, bank, spec->signal, value, labels, xid, now, &next,
                              VIGIL__PUT_ANY, &id, &what, err);
    if (rc == VIGIL_OK && what == VIGIL_PUT_ADDED) {
        rc = vigil__entry_set_last_id(st, id, err);
        if (rc == VIGIL_OK) rc = vigil__change_entry(st, bank_id, id, NULL, NULL, err);
        json_t *after = rc == VIGIL_OK ? entry_json(bank, spec->signal, value, labels, xid) : NULL;
        if (rc == VIGIL_OK && !after) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        if (rc == VIGIL_OK)
            rc = vigil__audit(st, vigil__store_actor(st), "bank.add", "bank_entry", id, NULL, after,
                              err);
        json_decref(after);
    }
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc == VIGIL_OK) {
        in_txn = 0;
        if (entry_id) *entry_id = id;
        if (outcome) *outcome = what;
    }
out:
    if (in_txn) vigil__store_rollback(st);
    free(labels);
    return rc;
}

vigil_status vigil_bank_add(vigil_store *st, const char *bank, const vigil_entry_spec *spec,
                            int64_t *entry_id, int *duplicate, vigil_err *err) {
    vigil_put_outcome what = VIGIL_PUT_ADDED;
    vigil_status rc = vigil_bank_put(st, bank, spec, entry_id, &what, err);
    if (rc == VIGIL_OK && duplicate) *duplicate = what == VIGIL_PUT_UNCHANGED;
    return rc;
}

static const char SQL_ENTRY_BANK[] = "SELECT bank_id FROM bank_entry WHERE id = ?1";
static const char SQL_ENTRY_DELETE[] = "DELETE FROM bank_entry WHERE id = ?1";
static const char SQL_ENTRY_ENABLE[] = "UPDATE bank_entry SET enabled = ?2 WHERE id = ?1";

/* In a transaction: check that entry `id` exists and is in bank `bank`. */
static vigil_status entry_in_bank(vigil_store *st, const char *bank, int64_t id, vigil_err *err) {
    int64_t bank_id = 0, owner = 0;
    vigil_status rc = vigil__bank_id(st, bank, &bank_id, err);
    if (rc != VIGIL_OK) return rc;
    rc = vigil__q_int(st, SQL_ENTRY_BANK, &owner, err, "i", id);
    if (rc == VIGIL_ENOENT)
        return vigil__err_set(err, VIGIL_ENOENT, "bank '%s' has no entry %lld", bank,
                              (long long)id);
    if (rc != VIGIL_OK) return rc;
    if (owner != bank_id) {
        vigil_bank_info other;
        if (bank_lookup(st, NULL, owner, &other, NULL) != VIGIL_OK)
            snprintf(other.name, sizeof other.name, "?");
        return vigil__err_set(err, VIGIL_ENOENT, "entry %lld is in bank '%s', not in '%s'",
                              (long long)id, other.name, bank);
    }
    return VIGIL_OK;
}

static const char SQL_ENTRY_HELD[] =
    "SELECT bank_id, signal_type, value FROM bank_entry WHERE id = ?1";

/* What an entry holds: its bank, signal type and value (malloc'd). */
typedef struct held {
    int64_t bank_id;
    char *sig, *value;
} held;

static vigil_status held_row(void *ctx, const vigil__row *r, vigil_err *err) {
    held *h = ctx;
    const char *sig = vigil__row_text(r, 1), *v = vigil__row_text(r, 2);
    h->bank_id = vigil__row_int(r, 0);
    h->sig = strdup(sig ? sig : "");
    h->value = strdup(v ? v : "");
    if (!h->sig || !h->value) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL__STOP;
}

/* In the transaction of a change to entry `id`: its log row, with the
 * value it holds before the change. */
static vigil_status log_entry_change(vigil_store *st, int64_t id, vigil_err *err) {
    held h = {0, NULL, NULL};
    vigil_status rc = vigil__q_each(st, SQL_ENTRY_HELD, held_row, &h, err, "i", id);
    if (rc == VIGIL_OK && h.value)
        rc = vigil__change_entry(st, h.bank_id, id, h.sig, h.value, err);
    free(h.sig);
    free(h.value);
    return rc;
}

/* Delete (enable < 0) or set the enabled flag of one entry of `bank`. */
static vigil_status entry_change(vigil_store *st, const char *bank, int64_t id, int enable,
                                 vigil_err *err) {
    if (!st || !bank) return vigil__err_set(err, VIGIL_EINVAL, "NULL argument");
    vigil_status rc = vigil__bank_gate(st, 1, err);
    if (rc == VIGIL_OK) rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    rc = entry_in_bank(st, bank, id, err);
    if (rc != VIGIL_OK) goto out;
    rc = log_entry_change(st, id, err);
    if (rc != VIGIL_OK) goto out;
    if (enable < 0) rc = vigil__q_exec(st, SQL_BLOB_DELETE, NULL, err, "i", id);
    if (rc == VIGIL_OK)
        rc = enable < 0 ? vigil__q_exec(st, SQL_ENTRY_DELETE, NULL, err, "i", id)
                        : vigil__q_exec(st, SQL_ENTRY_ENABLE, NULL, err, "id", id, enable ? 1 : 0);
    if (rc != VIGIL_OK) goto out;
    json_t *what = json_pack("{s:s, s:i}", "bank", bank, "enabled", enable);
    rc = vigil__audit(st, vigil__store_actor(st),
                      enable < 0 ? "bank.remove" : enable ? "bank.enable" : "bank.disable",
                      "bank_entry", id, what, NULL, err);
    json_decref(what);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

vigil_status vigil_bank_remove(vigil_store *st, const char *bank, int64_t entry_id,
                               vigil_err *err) {
    return entry_change(st, bank, entry_id, -1, err);
}

vigil_status vigil_bank_entry_set_enabled(vigil_store *st, const char *bank, int64_t entry_id,
                                          int enabled, vigil_err *err) {
    return entry_change(st, bank, entry_id, enabled ? 1 : 0, err);
}

static vigil_signal signal_from_db(const char *s) {
    for (int i = 0; s && i < VIGIL_SIGNAL_COUNT; i++)
        if (strcmp(s, vigil_signal_name((vigil_signal)i)) == 0) return (vigil_signal)i;
    return VIGIL_SIGNAL_COUNT; /* a type from a newer vigil: never matched */
}

/* A value kept as bytes is read back from its two parts: the scalar
 * subqueries run for such rows only (the CASE), so a scan of other types
 * does not look into bank_entry_blob. */
#define BLOB_COLS(e)                                                                           \
    "CASE WHEN " e ".signal_type = 'tmk' THEN "                                                \
    "(SELECT x.head FROM bank_entry_blob x WHERE x.entry_id = " e ".id) END, "                \
    "CASE WHEN " e ".signal_type = 'tmk' THEN "                                                \
    "(SELECT x.body FROM bank_entry_blob x WHERE x.entry_id = " e ".id) END"

/* The value of a row: `v` as stored, or, for a key (a value kept as bytes),
 * the value rebuilt from the row's parts at columns head, head+1, in *owned
 * (malloc'd; NULL when `v` is the value). */
static vigil_status row_value(const vigil__row *r, vigil_signal sig, const char *v, int head,
                              const char **value, char **owned, vigil_err *err) {
    *owned = NULL;
    *value = v ? v : "";
    if (!vigil__value_is_key(sig, v)) return VIGIL_OK;
    size_t nh = 0, nb = 0;
    const void *h = vigil__row_blob(r, head, &nh), *b = vigil__row_blob(r, head + 1, &nb);
    if (!h || !b)
        return vigil__err_set(err, VIGIL_ECORRUPT, "entry %lld: its %s signature is missing from the store",
                              (long long)vigil__row_int(r, 0), vigil_signal_name(sig));
    vigil_status rc = vigil__value_from_bytes(sig, h, nh, b, nb, owned, err);
    if (rc == VIGIL_OK) *value = *owned;
    return rc;
}

static const char SQL_ENTRY_GET[] =
    "SELECT e.id, e.bank_id, b.name, b.kind, b.max_distance, b.enabled, e.signal_type, e.value, "
    "e.labels, e.external_id, e.added_at, e.enabled, " BLOB_COLS("e") " "
    "FROM bank_entry e JOIN bank b ON b.id = e.bank_id WHERE e.id = ?1";

/* The row of SQL_ENTRY_GET into the vigil_entry ctx (whose id is 0 until
 * found); its strings are copied into one block, owned_. */
static vigil_status entry_row(void *ctx, const vigil__row *r, vigil_err *err) {
    vigil_entry *out = ctx;
    /* the strings: bank name (2), value (7), labels (8), external id (9),
     * added_at (10) */
    static const int cols[5] = {2, 7, 8, 9, 10};
    const char *txt[5];
    size_t len[5], total = 0;
    char *rebuilt = NULL;
    for (int i = 0; i < 5; i++)
        txt[i] = vigil__row_text(r, cols[i]);
    vigil_status rc = row_value(r, signal_from_db(vigil__row_text(r, 6)), txt[1], 12, &txt[1],
                                &rebuilt, err);
    if (rc != VIGIL_OK) return rc;
    for (int i = 0; i < 5; i++) {
        len[i] = txt[i] ? strlen(txt[i]) : 0;
        total += len[i] + 1;
    }
    char *block = malloc(total);
    if (!block) {
        free(rebuilt);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory reading entry %lld",
                              (long long)vigil__row_int(r, 0));
    }
    const char *ptrs[5];
    char *p = block;
    for (int i = 0; i < 5; i++) {
        if (txt[i]) memcpy(p, txt[i], len[i]);
        p[len[i]] = '\0';
        ptrs[i] = txt[i] ? p : NULL;
        p += len[i] + 1;
    }
    free(rebuilt);
    out->id = vigil__row_int(r, 0);
    out->bank_id = vigil__row_int(r, 1);
    out->bank_name = ptrs[0];
    const char *kind = vigil__row_text(r, 3);
    out->bank_kind = kind && strcmp(kind, "allow") == 0 ? VIGIL_BANK_ALLOW : VIGIL_BANK_NORMAL;
    out->bank_max_distance = vigil__row_is_null(r, 4) ? -1 : (int)vigil__row_int(r, 4);
    out->bank_enabled = (int)vigil__row_int(r, 5);
    out->signal = signal_from_db(vigil__row_text(r, 6));
    out->value = ptrs[1] ? ptrs[1] : "";
    out->labels = ptrs[2] ? ptrs[2] : "";
    out->external_id = ptrs[3] && *ptrs[3] ? ptrs[3] : NULL;
    out->added_at = ptrs[4] ? ptrs[4] : "";
    out->enabled = (int)vigil__row_int(r, 11);
    out->owned_ = block;
    return VIGIL__STOP;
}

vigil_status vigil_bank_entry_get(vigil_store *st, int64_t entry_id, vigil_entry *out,
                                  vigil_err *err) {
    if (!st || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_entry_get: NULL argument");
    memset(out, 0, sizeof *out);
    vigil_status rc = vigil__q_each(st, SQL_ENTRY_GET, entry_row, out, err, "i", entry_id);
    if (rc == VIGIL_OK && !out->owned_)
        rc = vigil__err_set(err, VIGIL_ENOENT, "no entry %lld", (long long)entry_id);
    return rc;
}

/* `+bank_id` keeps SQLite from the (bank, type, value) index: a scan of the
 * table in id order reads each page once, with no sort and no per-row
 * index lookups. */
static const char SQL_BANK_ENTRIES[] =
    "SELECT e.id, e.signal_type, e.value, e.labels, e.external_id, e.added_at, e.enabled, "
    BLOB_COLS("e") " FROM bank_entry e WHERE +e.bank_id = ?1 ORDER BY e.id";

typedef struct foreach_ctx {
    vigil_entry_fn fn;
    void *ctx;
    vigil_entry e; /* the bank's fields set once, the entry's per row */
} foreach_ctx;

static vigil_status foreach_row(void *ctx, const vigil__row *r, vigil_err *err) {
    foreach_ctx *f = ctx;
    vigil_entry *e = &f->e;
    e->id = vigil__row_int(r, 0);
    e->signal = signal_from_db(vigil__row_text(r, 1));
    char *rebuilt = NULL;
    vigil_status rc = row_value(r, e->signal, vigil__row_text(r, 2), 7, &e->value, &rebuilt, err);
    if (rc != VIGIL_OK) return rc;
    const char *l = vigil__row_text(r, 3);
    const char *x = vigil__row_text(r, 4);
    const char *a = vigil__row_text(r, 5);
    e->labels = l ? l : "";
    e->external_id = x && *x ? x : NULL;
    e->added_at = a ? a : "";
    e->enabled = (int)vigil__row_int(r, 6);
    int stop = f->fn(f->ctx, e) != 0;
    free(rebuilt);
    e->value = NULL;
    return stop ? VIGIL__STOP : VIGIL_OK;
}

vigil_status vigil_bank_foreach(vigil_store *st, const char *bank, vigil_entry_fn fn, void *ctx,
                                vigil_err *err) {
    if (!st || !bank || !fn)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_foreach: NULL argument");
    vigil_bank_info b;
    vigil_status rc = bank_lookup(st, bank, 0, &b, err);
    if (rc != VIGIL_OK) return rc;
    foreach_ctx f = {fn, ctx, {0}};
    f.e.bank_id = b.id;
    f.e.bank_name = b.name;
    f.e.bank_kind = b.kind;
    f.e.bank_max_distance = b.max_distance;
    f.e.bank_enabled = b.enabled;
    return vigil__q_each(st, SQL_BANK_ENTRIES, foreach_row, &f, err, "i", b.id);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static const char SQL_ENABLED_BANKS[] = "SELECT id FROM bank WHERE enabled = 1";
static const char SQL_SCAN[] =
    "SELECT id, bank_id, value FROM bank_entry WHERE signal_type = ?1 AND enabled = 1 ORDER BY id";
/* the heads of values kept as bytes; e.value for rows written before
 * schema 5, which hold the value itself */
static const char SQL_SCAN_HEADS[] =
    "SELECT e.id, e.bank_id, (SELECT x.head FROM bank_entry_blob x WHERE x.entry_id = e.id), "
    "e.value FROM bank_entry e WHERE e.signal_type = ?1 AND e.enabled = 1 ORDER BY e.id";

typedef struct id_vec {
    int64_t *v;
    size_t n, cap;
} id_vec;

static vigil_status id_row(void *ctx, const vigil__row *r, vigil_err *err) {
    id_vec *ids = ctx;
    if (ids->n == ids->cap) {
        size_t ncap = ids->cap ? ids->cap * 2 : 16;
        int64_t *ni = realloc(ids->v, ncap * sizeof *ni);
        if (!ni) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        ids->v = ni;
        ids->cap = ncap;
    }
    ids->v[ids->n++] = vigil__row_int(r, 0);
    return VIGIL_OK;
}

/* The scan's walk: the banks kept (sorted ids) and the last bank's verdict,
 * remembered because entries of one bank mostly come in runs. */
typedef struct scan_ctx {
    const id_vec *ids;
    vigil_scan_fn fn;       /* vigil_bank_scan */
    vigil_head_scan_fn hfn; /* vigil_bank_scan_heads */
    vigil_signal sig;
    void *ctx;
    int64_t last_bank;
    int last_keep;
} scan_ctx;

/* A row of SQL_SCAN_HEADS to sc->hfn.  A row whose head is missing or whose
 * old-style value does not parse is left out, as a matcher leaves out a
 * value it cannot read. */
static int head_row(scan_ctx *sc, const vigil__row *r, int64_t bank_id) {
    size_t nh = 0;
    const void *h = vigil__row_blob(r, 2, &nh);
    if (h) return sc->hfn(sc->ctx, vigil__row_int(r, 0), bank_id, h, nh);
    const char *v = vigil__row_text(r, 3);
    uint8_t *bin = NULL;
    size_t n = 0;
    if (!v || vigil__value_is_key(sc->sig, v) ||
        vigil__value_to_bytes(sc->sig, v, &bin, &n, NULL, NULL) != VIGIL_OK)
        return 0;
    size_t want = vigil__value_head_bytes(sc->sig);
    int stop = sc->hfn(sc->ctx, vigil__row_int(r, 0), bank_id, bin, n < want ? n : want);
    free(bin);
    return stop;
}

static vigil_status scan_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    scan_ctx *sc = ctx;
    int64_t bank_id = vigil__row_int(r, 1);
    if (bank_id != sc->last_bank) {
        sc->last_bank = bank_id;
        sc->last_keep = bsearch(&bank_id, sc->ids->v, sc->ids->n, sizeof *sc->ids->v, cmp_i64) != NULL;
    }
    if (!sc->last_keep) return VIGIL_OK;
    if (sc->hfn) return head_row(sc, r, bank_id) != 0 ? VIGIL__STOP : VIGIL_OK;
    const char *v = vigil__row_text(r, 2);
    if (!v) return VIGIL_OK;
    return sc->fn(sc->ctx, vigil__row_int(r, 0), bank_id, v) != 0 ? VIGIL__STOP : VIGIL_OK;
}

static vigil_status scan(vigil_store *st, vigil_signal sig, const char *const *banks,
                         size_t n_banks, vigil_scan_fn fn, vigil_head_scan_fn hfn, void *ctx,
                         vigil_err *err) {
    if ((unsigned)sig >= VIGIL_SIGNAL_COUNT)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown signal type %d", (int)sig);
    vigil_status rc = VIGIL_OK;
    id_vec ids = {0};
    /* 1. the set of bank ids to keep, sorted */
    if (n_banks) {
        ids.v = malloc(n_banks * sizeof *ids.v);
        if (!ids.v) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        ids.cap = n_banks;
        for (size_t i = 0; i < n_banks; i++) {
            vigil_bank_info b;
            rc = bank_lookup(st, banks[i], 0, &b, err);
            if (rc != VIGIL_OK) goto out;
            if (b.enabled) ids.v[ids.n++] = b.id;
        }
    } else {
        rc = vigil__q_each(st, SQL_ENABLED_BANKS, id_row, &ids, err, "");
        if (rc != VIGIL_OK) goto out;
    }
    if (ids.n == 0) goto out;
    qsort(ids.v, ids.n, sizeof *ids.v, cmp_i64);
    /* 2. one pass over the table */
    scan_ctx sc = {&ids, fn, hfn, sig, ctx, -1, 0};
    rc = vigil__q_each(st, hfn ? SQL_SCAN_HEADS : SQL_SCAN, scan_row, &sc, err, "t",
                       vigil_signal_name(sig));
out:
    free(ids.v);
    return rc;
}

vigil_status vigil_bank_scan(vigil_store *st, vigil_signal sig, const char *const *banks,
                             size_t n_banks, vigil_scan_fn fn, void *ctx, vigil_err *err) {
    if (!st || !fn || (n_banks && !banks))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_scan: NULL argument");
    return scan(st, sig, banks, n_banks, fn, NULL, ctx, err);
}

vigil_status vigil_bank_scan_heads(vigil_store *st, vigil_signal sig, const char *const *banks,
                                   size_t n_banks, vigil_head_scan_fn fn, void *ctx,
                                   vigil_err *err) {
    if (!st || !fn || (n_banks && !banks))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_scan_heads: NULL argument");
    if (!vigil__value_head_bytes(sig))
        return vigil__err_set(err, VIGIL_EINVAL, "%s values are kept as text: use vigil_bank_scan",
                              vigil_signal_name(sig));
    return scan(st, sig, banks, n_banks, NULL, fn, ctx, err);
}

static const char SQL_ENTRY_BYTES[] =
    "SELECT e.id, e.signal_type, e.value, " BLOB_COLS("e") " FROM bank_entry e WHERE e.id = ?1";

typedef struct bytes_ctx {
    uint8_t *bin;
    size_t len;
    int found;
} bytes_ctx;

static vigil_status bytes_row(void *ctx, const vigil__row *r, vigil_err *err) {
    bytes_ctx *bc = ctx;
    bc->found = 1;
    vigil_signal sig = signal_from_db(vigil__row_text(r, 1));
    const char *v = vigil__row_text(r, 2);
    if (!vigil__value_head_bytes(sig))
        return vigil__err_set(err, VIGIL_EINVAL, "entry %lld is a %s entry, kept as text",
                              (long long)vigil__row_int(r, 0), vigil_signal_name(sig));
    if (!vigil__value_is_key(sig, v)) /* written before schema 5: the value itself */
        return vigil__value_to_bytes(sig, v ? v : "", &bc->bin, &bc->len, NULL, err);
    size_t nh = 0, nb = 0;
    const void *h = vigil__row_blob(r, 3, &nh), *b = vigil__row_blob(r, 4, &nb);
    if (!h || !b)
        return vigil__err_set(err, VIGIL_ECORRUPT, "entry %lld: its %s signature is missing from the store",
                              (long long)vigil__row_int(r, 0), vigil_signal_name(sig));
    bc->bin = malloc(nh + nb + 1);
    if (!bc->bin) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    memcpy(bc->bin, h, nh);
    memcpy(bc->bin + nh, b, nb);
    bc->len = nh + nb;
    return VIGIL__STOP;
}

vigil_status vigil_bank_entry_bytes(vigil_store *st, int64_t entry_id, uint8_t **out, size_t *len,
                                    vigil_err *err) {
    if (!st || !out || !len)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_entry_bytes: NULL argument");
    *out = NULL;
    *len = 0;
    bytes_ctx bc = {NULL, 0, 0};
    vigil_status rc = vigil__q_each(st, SQL_ENTRY_BYTES, bytes_row, &bc, err, "i", entry_id);
    if (rc == VIGIL_OK && !bc.found)
        rc = vigil__err_set(err, VIGIL_ENOENT, "no entry %lld", (long long)entry_id);
    if (rc != VIGIL_OK) {
        free(bc.bin);
        return rc;
    }
    *out = bc.bin;
    *len = bc.len;
    return VIGIL_OK;
}

/* ------------------------------------------------------------------------
 * Statistics
 * ---------------------------------------------------------------------- */

/* A string -> count table (open addressing), capped in size: past the cap,
 * new strings are not counted (stats over hostile labels stay bounded). */
#define COUNTER_MAX 200000
typedef struct counter {
    char **keys;
    int64_t *counts;
    size_t n, cap;
} counter;

static int counter_grow(counter *c) {
    size_t ncap = c->cap ? c->cap * 2 : 64;
    char **nk = calloc(ncap, sizeof *nk);
    int64_t *nc = calloc(ncap, sizeof *nc);
    if (!nk || !nc) {
        free(nk);
        free(nc);
        return -1;
    }
    for (size_t i = 0; i < c->cap; i++) {
        if (!c->keys[i]) continue;
        size_t j = (size_t)vigil__fnv1a(VIGIL__FNV_BASIS, c->keys[i]) & (ncap - 1);
        while (nk[j])
            j = (j + 1) & (ncap - 1);
        nk[j] = c->keys[i];
        nc[j] = c->counts[i];
    }
    free(c->keys);
    free(c->counts);
    c->keys = nk;
    c->counts = nc;
    c->cap = ncap;
    return 0;
}

static int counter_add(counter *c, const char *key) {
    if (c->n * 2 >= c->cap) {
        if (c->n >= COUNTER_MAX) {
            /* full: count only strings already present */
            if (!c->cap) return 0;
        } else if (counter_grow(c) < 0) {
            return -1;
        }
    }
    size_t j = (size_t)vigil__fnv1a(VIGIL__FNV_BASIS, key) & (c->cap - 1);
    while (c->keys[j]) {
        if (strcmp(c->keys[j], key) == 0) {
            c->counts[j]++;
            return 0;
        }
        j = (j + 1) & (c->cap - 1);
    }
    if (c->n >= COUNTER_MAX) return 0;
    c->keys[j] = strdup(key);
    if (!c->keys[j]) return -1;
    c->counts[j] = 1;
    c->n++;
    return 0;
}

static void counter_free(counter *c) {
    for (size_t i = 0; i < c->cap; i++)
        free(c->keys[i]);
    free(c->keys);
    free(c->counts);
}

typedef struct kv_count {
    const char *key;
    int64_t count;
} kv_count;

static int cmp_count(const void *a, const void *b) {
    const kv_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key, y->key);
}

/* The top VIGIL_STATS_TOP of `c`, sorted; calls put(i, key, count). */
static int counter_top(const counter *c,
                       void (*put)(vigil_bank_stats *, size_t, const char *, int64_t),
                       vigil_bank_stats *out, size_t *n_out) {
    kv_count *v = malloc((c->n ? c->n : 1) * sizeof *v);
    if (!v) return -1;
    size_t n = 0;
    for (size_t i = 0; i < c->cap; i++)
        if (c->keys[i]) v[n++] = (kv_count){c->keys[i], c->counts[i]};
    qsort(v, n, sizeof *v, cmp_count);
    size_t top = n < VIGIL_STATS_TOP ? n : VIGIL_STATS_TOP;
    for (size_t i = 0; i < top; i++)
        put(out, i, v[i].key, v[i].count);
    *n_out = top;
    free(v);
    return 0;
}

static void put_key(vigil_bank_stats *o, size_t i, const char *key, int64_t count) {
    snprintf(o->top_keys[i].key, sizeof o->top_keys[i].key, "%s", key);
    o->top_keys[i].count = count;
}

static void put_pair(vigil_bank_stats *o, size_t i, const char *pair, int64_t count) {
    char *d = o->top_pairs[i].pair;
    size_t n = strlen(pair);
    if (n < VIGIL_STATS_PAIR_MAX) {
        memcpy(d, pair, n + 1);
    } else { /* cut on a UTF-8 character boundary, add "..." */
        size_t cut = VIGIL_STATS_PAIR_MAX - 4;
        while (cut > 0 && ((unsigned char)pair[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(d, pair, cut);
        memcpy(d + cut, "...", 4);
    }
    o->top_pairs[i].count = count;
}

static const char SQL_BANK_STATS[] =
    "SELECT signal_type, enabled, labels, added_at FROM bank_entry WHERE +bank_id = ?1";

#define PAIR_CAP (VIGIL_LABEL_KEY_MAX + VIGIL_LABEL_VALUE_MAX + 2)

/* The stats walk: the totals, the label counters, a label list and a
 * "key=value" buffer reused row after row. */
typedef struct stats_ctx {
    vigil_bank_stats *out;
    counter keys, pairs;
    vigil_labels l;
    char *pair;
} stats_ctx;

static vigil_status stats_row(void *ctx, const vigil__row *r, vigil_err *err) {
    stats_ctx *sc = ctx;
    vigil_bank_stats *out = sc->out;
    vigil_signal sig = signal_from_db(vigil__row_text(r, 0));
    int enabled = (int)vigil__row_int(r, 1);
    out->entries++;
    if (enabled)
        out->enabled++;
    else
        out->disabled++;
    if (sig < VIGIL_SIGNAL_COUNT) {
        out->by_signal[sig]++;
        if (enabled) out->enabled_by_signal[sig]++;
    }
    const char *at = vigil__row_text(r, 3);
    if (at) {
        if (!out->first_added[0] || strcmp(at, out->first_added) < 0)
            snprintf(out->first_added, sizeof out->first_added, "%s", at);
        if (strcmp(at, out->last_added) > 0)
            snprintf(out->last_added, sizeof out->last_added, "%s", at);
    }
    const char *labels = vigil__row_text(r, 2);
    if (!labels || !*labels) return VIGIL_OK;
    vigil_labels_clear(&sc->l);
    if (vigil_labels_parse(&sc->l, labels, NULL) != VIGIL_OK || sc->l.n == 0) return VIGIL_OK;
    out->labelled++;
    for (size_t i = 0; i < sc->l.n; i++) {
        snprintf(sc->pair, PAIR_CAP, "%s=%s", sc->l.v[i].key, sc->l.v[i].value);
        if (counter_add(&sc->keys, sc->l.v[i].key) < 0 || counter_add(&sc->pairs, sc->pair) < 0)
            return vigil__err_set(err, VIGIL_ENOMEM, "out of memory counting labels");
    }
    return VIGIL_OK;
}

vigil_status vigil_bank_stats_get(vigil_store *st, const char *bank, vigil_bank_stats *out,
                                  vigil_err *err) {
    if (!st || !bank || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_stats_get: NULL argument");
    memset(out, 0, sizeof *out);
    vigil_status gate = vigil__bank_gate(st, 0, err);
    if (gate != VIGIL_OK) return gate;
    int64_t bank_id = 0;
    stats_ctx sc = {out, {0}, {0}, {0}, NULL};
    vigil_labels_init(&sc.l);
    vigil_status rc = vigil__bank_id(st, bank, &bank_id, err);
    if (rc != VIGIL_OK) return rc;
    sc.pair = malloc(PAIR_CAP);
    if (!sc.pair) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    rc = vigil__q_each(st, SQL_BANK_STATS, stats_row, &sc, err, "i", bank_id);
    if (rc != VIGIL_OK) goto out;
    out->distinct_keys = (int64_t)sc.keys.n;
    if (counter_top(&sc.keys, put_key, out, &out->n_top_keys) < 0 ||
        counter_top(&sc.pairs, put_pair, out, &out->n_top_pairs) < 0)
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory counting labels");
out:
    vigil_labels_clear(&sc.l);
    free(sc.pair);
    counter_free(&sc.keys);
    counter_free(&sc.pairs);
    return rc;
}
