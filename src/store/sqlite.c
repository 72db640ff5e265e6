/*
 * src/store/sqlite.c - the SQLite driver: the one file of src/ that calls
 * sqlite3_*.  A connection (WAL, foreign keys, busy timeout) with its
 * prepared-statement cache, parameter binding and row stepping for the
 * query module, transactions, the schema version record, and SQLite's
 * result codes turned into vigil statuses, behind the function table of
 * driver.h (the other driver: pg.c).
 *
 * Invariants: every cached statement is reset before it is handed out and
 * after each use (a statement left mid-way would hold a read snapshot
 * open); error messages read "PATH: [WHAT: ]<SQLite's message>".
 */
#include <sqlite3.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/driver.h"

#define VIGIL_APPLICATION_ID 0x5649474C /* "VIGL" */
#define STMT_CACHE_MAX 512
#define BUSY_TIMEOUT_MS 5000

typedef struct sl_db {
    sqlite3 *h;
    char *path;
    size_t n_stmts;
    struct {
        const char *sql; /* the cache key: the string's address */
        sqlite3_stmt *stmt;
    } stmts[STMT_CACHE_MAX];
} sl_db;

/* ---- errors ------------------------------------------------------------------- */

static vigil_status map_rc(int rc) {
    switch (rc & 0xff) {
    case SQLITE_OK: return VIGIL_OK;
    case SQLITE_NOMEM: return VIGIL_ENOMEM;
    case SQLITE_CORRUPT: return VIGIL_ECORRUPT;
    case SQLITE_NOTADB: return VIGIL_EFORMAT;
    case SQLITE_CONSTRAINT: return VIGIL_EINVAL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return VIGIL_EBUSY;
    default: return VIGIL_EIO;
    }
}

/* Fills `err` from result code `rc`: "PATH: WHAT: <message>" ("PATH:
 * <message>" when `what` is NULL).  Maps NOMEM to VIGIL_ENOMEM, CORRUPT to
 * VIGIL_ECORRUPT, NOTADB to VIGIL_EFORMAT, CONSTRAINT to VIGIL_EINVAL,
 * BUSY and LOCKED to VIGIL_EBUSY, everything else to VIGIL_EIO. */
static vigil_status db_err(const sl_db *db, int rc, vigil_err *err, const char *what) {
    const char *msg = db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc);
    vigil_status st = map_rc(rc);
    if (st == VIGIL_OK) st = VIGIL_EIO;
    const char *path = db && db->path ? db->path : "?";
    if (what) return vigil__err_set(err, st, "%s: %s: %s", path, what, msg);
    return vigil__err_set(err, st, "%s: %s", path, msg);
}

static void sl_close(void *impl);

/* ---- the connection ------------------------------------------------------------ */

/* Connection settings.  journal_mode answers with the mode it got. */
static vigil_status configure(sl_db *db, vigil_err *err) {
    sqlite3_stmt *s = NULL;
    vigil_status rc = VIGIL_OK;
    int src = sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
    if (src == SQLITE_OK) src = sqlite3_prepare_v2(db->h, "PRAGMA journal_mode = WAL", -1, &s, NULL);
    if (src == SQLITE_OK) src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        const char *mode = (const char *)sqlite3_column_text(s, 0);
        if (!mode || (strcmp(mode, "wal") != 0 && strcmp(mode, "memory") != 0)) {
            rc = vigil__err_set(err, VIGIL_EIO,
                                "%s: cannot use WAL mode (journal mode is '%s'; is the file on a "
                                "network or read-only file system?)",
                                db->path, mode ? mode : "?");
            goto out;
        }
        src = SQLITE_OK;
    }
    if (src != SQLITE_OK) {
        if ((src & 0xff) == SQLITE_NOTADB)
            rc = vigil__err_set(err, VIGIL_EFORMAT,
                                "%s: not a vigil store (not an SQLite database)", db->path);
        else
            rc = db_err(db, src, err, "cannot open the store");
        goto out;
    }
    src = sqlite3_exec(db->h,
                       "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; "
                       "PRAGMA cache_size = -65536",
                       NULL, NULL, NULL);
    if (src != SQLITE_OK) rc = db_err(db, src, err, "cannot configure the store");
out:
    sqlite3_finalize(s);
    return rc;
}

static vigil_status sl_open(const char *path, const char *shown, void **out, vigil_err *err) {
    (void)shown; /* a file path holds no secret */
    *out = NULL;
    vigil_status rc = VIGIL_OK;
    sl_db *db = calloc(1, sizeof *db);
    if (!db || !(db->path = strdup(path))) {
        free(db);
        return vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory opening the store", path);
    }
    /* a store serves one thread at a time (vigil/store.h), so the
     * connection needs no mutex of its own: SQLite's would be taken and
     * released on every call, each column of each row read included */
    int src = sqlite3_open_v2(path, &db->h,
                              SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (src != SQLITE_OK)
        rc = db_err(db, src, err, "cannot open the store");
    else
        rc = configure(db, err);
    if (rc != VIGIL_OK) {
        sl_close(db);
        return rc;
    }
    *out = db;
    return VIGIL_OK;
}

static void sl_close(void *impl) {
    sl_db *db = impl;
    if (!db) return;
    for (size_t i = 0; i < db->n_stmts; i++)
        sqlite3_finalize(db->stmts[i].stmt);
    if (db->h) {
        if (sqlite3_get_autocommit(db->h))
            sqlite3_wal_checkpoint_v2(db->h, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        sqlite3_close_v2(db->h);
    }
    free(db->path);
    free(db);
}

static vigil_status sl_exec(void *impl, const char *sql, const char *what, vigil_err *err) {
    sl_db *db = impl;
    int src = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
    return src == SQLITE_OK ? VIGIL_OK : db_err(db, src, err, what);
}

/* One integer from a PRAGMA (or any single-value query); 0 when no row. */
static vigil_status pragma_int(sl_db *db, const char *sql, int64_t *out, vigil_err *err) {
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
    if (src == SQLITE_OK) {
        src = sqlite3_step(s);
        *out = src == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
        if (src == SQLITE_ROW || src == SQLITE_DONE) src = SQLITE_OK;
    }
    vigil_status rc = src == SQLITE_OK ? VIGIL_OK : db_err(db, src, err, "cannot read the store");
    sqlite3_finalize(s);
    return rc;
}

/* The schema version is PRAGMA user_version; PRAGMA application_id marks
 * the file as vigil's. */
static vigil_status sl_schema(void *impl, int64_t *version, int *foreign, vigil_err *err) {
    sl_db *db = impl;
    int64_t app = 0, objects = 0;
    vigil_status rc = pragma_int(db, "PRAGMA application_id", &app, err);
    if (rc == VIGIL_OK) rc = pragma_int(db, "PRAGMA user_version", version, err);
    if (rc == VIGIL_OK) rc = pragma_int(db, "SELECT count(*) FROM sqlite_master", &objects, err);
    if (rc == VIGIL_OK && foreign)
        *foreign = app != VIGIL_APPLICATION_ID && (app != 0 || *version != 0 || objects != 0);
    return rc;
}

static vigil_status sl_set_schema(void *impl, int version, vigil_err *err) {
    /* PRAGMAs take no bound parameters; these are our own integers. */
    char sql[96], what[64];
    snprintf(sql, sizeof sql, "PRAGMA user_version = %d; PRAGMA application_id = %d", version,
             VIGIL_APPLICATION_ID);
    snprintf(what, sizeof what, "recording schema version %d failed", version);
    return sl_exec(impl, sql, what, err);
}

/* ---- statements ------------------------------------------------------------------ */

/* A cached prepared statement for static `sql`, reset, with no bindings. */
static vigil_status stmt_get(sl_db *db, const char *sql, sqlite3_stmt **out, vigil_err *err) {
    for (size_t i = 0; i < db->n_stmts; i++) {
        if (db->stmts[i].sql == sql) {
            sqlite3_reset(db->stmts[i].stmt);
            sqlite3_clear_bindings(db->stmts[i].stmt);
            *out = db->stmts[i].stmt;
            return VIGIL_OK;
        }
    }
    if (db->n_stmts == STMT_CACHE_MAX)
        return vigil__err_set(err, VIGIL_EINTERNAL, "store: statement cache full");
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (src != SQLITE_OK) return db_err(db, src, err, "preparing a query");
    db->stmts[db->n_stmts].sql = sql;
    db->stmts[db->n_stmts].stmt = s;
    db->n_stmts++;
    *out = s;
    return VIGIL_OK;
}

/* The cached statement for `sql` with the parameters of `fmt` bound. */
static vigil_status prep(sl_db *db, const char *sql, sqlite3_stmt **s, vigil_err *err,
                         const char *fmt, va_list ap) {
    vigil_status rc = stmt_get(db, sql, s, err);
    if (rc != VIGIL_OK) return rc;
    int i = 1;
    for (const char *f = fmt ? fmt : ""; *f; f++, i++) {
        int src = SQLITE_OK;
        switch (*f) {
        case 't':
        case 's': { /* 's': no copy, the caller keeps the text unchanged meanwhile */
            const char *v = va_arg(ap, const char *);
            src = !v ? sqlite3_bind_null(*s, i)
                     : sqlite3_bind_text(*s, i, v, -1, *f == 's' ? SQLITE_STATIC : SQLITE_TRANSIENT);
            break;
        }
        case 'i': src = sqlite3_bind_int64(*s, i, va_arg(ap, int64_t)); break;
        case 'I': {
            int64_t v = va_arg(ap, int64_t);
            src = v ? sqlite3_bind_int64(*s, i, v) : sqlite3_bind_null(*s, i);
            break;
        }
        case 'd': src = sqlite3_bind_int(*s, i, va_arg(ap, int)); break;
        case 'f': src = sqlite3_bind_double(*s, i, va_arg(ap, double)); break;
        case 'b': {
            const void *v = va_arg(ap, const void *);
            size_t n = va_arg(ap, size_t);
            src = v ? sqlite3_bind_blob64(*s, i, v, n, SQLITE_TRANSIENT) : sqlite3_bind_null(*s, i);
            break;
        }
        default: return vigil__err_set(err, VIGIL_EINTERNAL, "query: bad bind type '%c'", *f);
        }
        if (src != SQLITE_OK) {
            sqlite3_reset(*s);
            return db_err(db, src, err, "binding a parameter");
        }
    }
    return VIGIL_OK;
}

static vigil_status step_err(sl_db *db, sqlite3_stmt *s, int src, vigil_err *err) {
    vigil_status rc = db_err(db, src, err, NULL);
    sqlite3_reset(s);
    return rc;
}

static vigil_status sl_q_exec(void *impl, const char *sql, int *changes, vigil_err *err,
                              const char *fmt, va_list ap) {
    sl_db *db = impl;
    sqlite3_stmt *s = NULL;
    vigil_status rc = prep(db, sql, &s, err, fmt, ap);
    if (rc != VIGIL_OK) return rc;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (src != SQLITE_DONE) return step_err(db, s, src, err);
    if (changes) *changes = sqlite3_changes(db->h);
    sqlite3_reset(s);
    return VIGIL_OK;
}

/* ---- rows, one at a time --------------------------------------------------------- */

/* A vigil__row's impl is the statement positioned on its current row. */
#define STMT(r) ((sqlite3_stmt *)(r)->impl)

static int64_t sl_row_int(const vigil__row *r, int col) { return sqlite3_column_int64(STMT(r), col); }

static double sl_row_double(const vigil__row *r, int col) {
    return sqlite3_column_double(STMT(r), col);
}

static const char *sl_row_text(const vigil__row *r, int col) {
    return (const char *)sqlite3_column_text(STMT(r), col);
}

static const void *sl_row_blob(const vigil__row *r, int col, size_t *n) {
    const void *p = sqlite3_column_blob(STMT(r), col);
    *n = (size_t)sqlite3_column_bytes(STMT(r), col);
    return p;
}

static int sl_row_is_null(const vigil__row *r, int col) {
    return sqlite3_column_type(STMT(r), col) == SQLITE_NULL;
}

static int sl_row_columns(const vigil__row *r) { return sqlite3_column_count(STMT(r)); }

static const char *sl_row_name(const vigil__row *r, int col) {
    return sqlite3_column_name(STMT(r), col);
}

static vigil__col_type sl_row_type(const vigil__row *r, int col) {
    switch (sqlite3_column_type(STMT(r), col)) {
    case SQLITE_INTEGER: return VIGIL__COL_INT;
    case SQLITE_FLOAT: return VIGIL__COL_REAL;
    case SQLITE_NULL: return VIGIL__COL_NULL;
    case SQLITE_BLOB: return VIGIL__COL_BLOB;
    default: return VIGIL__COL_TEXT;
    }
}

static vigil_status sl_q_each(void *impl, const char *sql, vigil__row_fn fn, void *ctx,
                              vigil_err *err, const char *fmt, va_list ap) {
    sl_db *db = impl;
    sqlite3_stmt *s = NULL;
    vigil_status rc = prep(db, sql, &s, err, fmt, ap);
    if (rc != VIGIL_OK) return rc;
    vigil__row row = {&vigil__sqlite_driver, s, 0};
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        rc = fn(ctx, &row, err);
        if (rc != VIGIL_OK) break;
    }
    if (rc == VIGIL_OK && src != SQLITE_DONE) return step_err(db, s, src, err);
    sqlite3_reset(s);
    return rc == VIGIL__STOP ? VIGIL_OK : rc;
}

/* ---- transactions ------------------------------------------------------------------ */

static vigil_status sl_begin(void *impl, vigil_err *err) {
    return sl_exec(impl, "BEGIN IMMEDIATE", "cannot start a write transaction", err);
}

static vigil_status sl_commit(void *impl, vigil_err *err) {
    return sl_exec(impl, "COMMIT", "commit failed", err);
}

static vigil_status sl_read_begin(void *impl, vigil_err *err) {
    return sl_exec(impl, "BEGIN", "cannot start a read transaction", err);
}

static void sl_read_end(void *impl) {
    sqlite3 *h = ((sl_db *)impl)->h;
    if (!sqlite3_get_autocommit(h)) sqlite3_exec(h, "COMMIT", NULL, NULL, NULL);
}

static void sl_rollback(void *impl) {
    sqlite3 *h = ((sl_db *)impl)->h;
    if (!sqlite3_get_autocommit(h)) sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
}

static int sl_in_transaction(void *impl) {
    return !sqlite3_get_autocommit(((sl_db *)impl)->h);
}

static vigil_status sl_exec_vals(void *impl, const char *sql, int n, const vigil__val *v,
                                 vigil_err *err) {
    sl_db *db = impl;
    sqlite3_stmt *s = NULL;
    int src = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
    for (int i = 0; src == SQLITE_OK && i < n; i++) {
        switch (v[i].type) {
        case VIGIL__COL_INT: src = sqlite3_bind_int64(s, i + 1, v[i].i); break;
        case VIGIL__COL_REAL: src = sqlite3_bind_double(s, i + 1, v[i].d); break;
        case VIGIL__COL_TEXT: src = sqlite3_bind_text(s, i + 1, v[i].text, -1, SQLITE_STATIC); break;
        case VIGIL__COL_BLOB:
            src = sqlite3_bind_blob64(s, i + 1, v[i].text, v[i].n, SQLITE_STATIC);
            break;
        default: src = sqlite3_bind_null(s, i + 1); break;
        }
    }
    if (src == SQLITE_OK) {
        while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        }
        if (src == SQLITE_DONE) src = SQLITE_OK;
    }
    vigil_status rc = src == SQLITE_OK ? VIGIL_OK : db_err(db, src, err, NULL);
    sqlite3_finalize(s);
    return rc;
}

static vigil_status sl_after_copy(void *impl, const char *table, vigil_err *err) {
    (void)impl; /* sqlite_sequence follows explicit ids by itself */
    (void)table;
    (void)err;
    return VIGIL_OK;
}

static void sl_long_run(void *impl) {
    (void)impl; /* SQLite has no statement timeout */
}

const vigil__driver vigil__sqlite_driver = {
    "SQLite",       sl_open,        sl_close,       sl_exec,           sl_schema,
    sl_set_schema,  sl_q_exec,      sl_q_each,      sl_begin,          sl_commit,
    sl_rollback,    sl_read_begin,  sl_read_end,    sl_in_transaction, sl_row_int,
    sl_row_double,  sl_row_text,    sl_row_blob,    sl_row_is_null,    sl_row_columns,
    sl_row_name,    sl_row_type,
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%' "
    "ORDER BY rowid",
    sl_exec_vals,   sl_after_copy,  sl_long_run,    0,
};
