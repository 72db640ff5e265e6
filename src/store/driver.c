/*
 * src/store/driver.c - picks a store's driver from its path (a
 * postgresql:// or postgres:// URL: pg.c; anything else: an SQLite file,
 * sqlite.c) and forwards the driver section of store_internal.h to it.
 * Also the one redaction of passwords in connection strings, so that no
 * message, log line or startup banner shows one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "store/driver.h"

int vigil_store_is_url(const char *path) {
    return path && (strncmp(path, "postgresql:", 11) == 0 || strncmp(path, "postgres:", 9) == 0);
}

/* Appends s[0..n) to out (capacity cap, *o used), always NUL-terminated. */
static void put(char *out, size_t cap, size_t *o, const char *s, size_t n) {
    while (n-- && *o + 1 < cap)
        out[(*o)++] = *s++;
    out[*o] = '\0';
}

const char *vigil_store_redact(const char *path, char *out, size_t cap) {
    if (!out || cap == 0) return "";
    out[0] = '\0';
    if (!path) return out;
    size_t o = 0;
    const char *p = path, *auth = strstr(path, "://");
    if (auth) {
        auth += 3;
        size_t alen = strcspn(auth, "/?#");
        const char *at = memchr(auth, '@', alen);
        const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
        if (colon) { /* user:PASSWORD@host */
            put(out, cap, &o, path, (size_t)(colon + 1 - path));
            put(out, cap, &o, "***", 3);
            p = at;
        }
    }
    /* password=VALUE in the query (URL) or as a keyword (key=value form) */
    while (*p) {
        const char *hit = NULL;
        for (const char *q = p; *q; q++)
            if (strncasecmp(q, "password=", 9) == 0 &&
                (q == path || q[-1] == '?' || q[-1] == '&' || q[-1] == ' ')) {
                hit = q;
                break;
            }
        if (!hit) break;
        put(out, cap, &o, p, (size_t)(hit + 9 - p));
        put(out, cap, &o, "***", 3);
        p = hit + 9 + strcspn(hit + 9, "& ");
    }
    put(out, cap, &o, p, strlen(p));
    return out;
}

/* ---- the connection ------------------------------------------------------------ */

vigil_status vigil__db_open(const char *path, vigil__db **out, vigil_err *err) {
    *out = NULL;
    char shown[512];
    vigil_store_redact(path, shown, sizeof shown);
    vigil__db *db = calloc(1, sizeof *db);
    if (!db) return vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory opening the store", shown);
    db->drv = vigil_store_is_url(path) ? &vigil__pg_driver : &vigil__sqlite_driver;
    vigil_status rc = db->drv->open(path, shown, &db->impl, err);
    if (rc != VIGIL_OK) {
        free(db);
        return rc;
    }
    *out = db;
    return VIGIL_OK;
}

void vigil__db_close(vigil__db *db) {
    if (!db) return;
    db->drv->close(db->impl);
    free(db);
}

const char *vigil__db_kind(const vigil__db *db) {
    return db->drv->name;
}

const char *vigil__db_tables_sql(const vigil__db *db) {
    return db->drv->tables_sql;
}

vigil_status vigil__db_exec_vals(vigil__db *db, const char *sql, int n, const vigil__val *v,
                                 vigil_err *err) {
    return db->drv->exec_vals(db->impl, sql, n, v, err);
}

int vigil__db_remote(const vigil__db *db) {
    return db->drv->remote;
}

vigil_status vigil__db_after_copy(vigil__db *db, const char *table, vigil_err *err) {
    return db->drv->after_copy(db->impl, table, err);
}

void vigil__db_long_run(vigil__db *db) {
    db->drv->long_run(db->impl);
}

vigil_status vigil__db_exec(vigil__db *db, const char *sql, const char *what, vigil_err *err) {
    return db->drv->exec(db->impl, sql, what, err);
}

vigil_status vigil__db_schema(vigil__db *db, int64_t *version, int *foreign, vigil_err *err) {
    return db->drv->schema(db->impl, version, foreign, err);
}

vigil_status vigil__db_set_schema(vigil__db *db, int version, vigil_err *err) {
    return db->drv->set_schema(db->impl, version, err);
}

/* ---- queries ----------------------------------------------------------------------- */

vigil_status vigil__q_exec(vigil_store *st, const char *sql, int *changes, vigil_err *err,
                           const char *fmt, ...) {
    vigil__db *db = vigil__store_db(st);
    vigil_status rc = vigil__store_reachable(st, err);
    if (rc != VIGIL_OK) return rc;
    va_list ap;
    va_start(ap, fmt);
    rc = db->drv->q_exec(db->impl, sql, changes, err, fmt, ap);
    va_end(ap);
    return rc;
}

vigil_status vigil__q_each_v(vigil_store *st, const char *sql, vigil__row_fn fn, void *ctx,
                             vigil_err *err, const char *fmt, va_list ap) {
    vigil__db *db = vigil__store_db(st);
    vigil_status rc = vigil__store_reachable(st, err);
    return rc == VIGIL_OK ? db->drv->q_each(db->impl, sql, fn, ctx, err, fmt, ap) : rc;
}

vigil_status vigil__q_each(vigil_store *st, const char *sql, vigil__row_fn fn, void *ctx,
                           vigil_err *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = vigil__q_each_v(st, sql, fn, ctx, err, fmt, ap);
    va_end(ap);
    return rc;
}

int64_t vigil__row_int(const vigil__row *r, int col) { return r->drv->row_int(r, col); }
double vigil__row_double(const vigil__row *r, int col) { return r->drv->row_double(r, col); }
const char *vigil__row_text(const vigil__row *r, int col) { return r->drv->row_text(r, col); }
const void *vigil__row_blob(const vigil__row *r, int col, size_t *n) {
    return r->drv->row_blob(r, col, n);
}
int vigil__row_is_null(const vigil__row *r, int col) { return r->drv->row_is_null(r, col); }
int vigil__row_columns(const vigil__row *r) { return r->drv->row_columns(r); }
const char *vigil__row_name(const vigil__row *r, int col) { return r->drv->row_name(r, col); }
vigil__col_type vigil__row_type(const vigil__row *r, int col) { return r->drv->row_type(r, col); }

/* ---- transactions ------------------------------------------------------------------ */

vigil_status vigil__store_exec(vigil_store *st, const char *sql, vigil_err *err) {
    return vigil__db_exec(vigil__store_db(st), sql, NULL, err);
}

vigil_status vigil__store_begin(vigil_store *st, vigil_err *err) {
    vigil__db *db = vigil__store_db(st);
    vigil_status rc = vigil__store_reachable(st, err);
    return rc == VIGIL_OK ? db->drv->begin(db->impl, err) : rc;
}

vigil_status vigil__store_commit(vigil_store *st, vigil_err *err) {
    vigil__db *db = vigil__store_db(st);
    vigil_status rc = vigil__tally_commit(st, err); /* the running totals, once per key */
    if (rc == VIGIL_OK) rc = vigil__audit_commit(st, err); /* audit_head, once */
    if (rc == VIGIL_OK) rc = db->drv->commit(db->impl, err);
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

void vigil__store_rollback(vigil_store *st) {
    vigil__db *db = vigil__store_db(st);
    vigil__store_audit_tx(st)->open = 0;
    vigil__tally_reset(st);
    db->drv->rollback(db->impl);
}

vigil_status vigil__store_read_begin(vigil_store *st, vigil_err *err) {
    vigil__db *db = vigil__store_db(st);
    vigil_status rc = vigil__store_reachable(st, err);
    return rc == VIGIL_OK ? db->drv->read_begin(db->impl, err) : rc;
}

void vigil__store_read_end(vigil_store *st) {
    vigil__db *db = vigil__store_db(st);
    db->drv->read_end(db->impl);
}

int vigil__store_in_transaction(vigil_store *st) {
    vigil__db *db = vigil__store_db(st);
    return db->drv->in_transaction(db->impl);
}
