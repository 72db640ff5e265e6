/*
 * src/store/query.c - one-call helpers over cached statements: bind by a
 * type string, run, and read an integer, a text or every row as JSON.  The
 * case store's lists and records are mostly single queries through these.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"

static vigil_status prep(vigil_store *st, const char *sql, sqlite3_stmt **s, vigil_err *err,
                         const char *fmt, va_list ap) {
    vigil_status rc = vigil__store_stmt(st, sql, s, err);
    if (rc != VIGIL_OK) return rc;
    int i = 1;
    for (const char *f = fmt ? fmt : ""; *f; f++, i++) {
        int src = SQLITE_OK;
        switch (*f) {
        case 't': {
            const char *v = va_arg(ap, const char *);
            src = v ? sqlite3_bind_text(*s, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(*s, i);
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
            return vigil__store_sqlerr(st, src, err, "%s: binding a parameter",
                                       vigil_store_path(st));
        }
    }
    return VIGIL_OK;
}

static vigil_status step_err(vigil_store *st, sqlite3_stmt *s, int src, vigil_err *err) {
    vigil_status rc = vigil__store_sqlerr(st, src, err, "%s", vigil_store_path(st));
    sqlite3_reset(s);
    return rc;
}

vigil_status vigil__q_exec(vigil_store *st, const char *sql, int *changes, vigil_err *err,
                           const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = prep(st, sql, &s, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
    }
    if (src != SQLITE_DONE) return step_err(st, s, src, err);
    if (changes) *changes = sqlite3_changes(vigil__store_db(st));
    sqlite3_reset(s);
    return VIGIL_OK;
}

vigil_status vigil__q_int(vigil_store *st, const char *sql, int64_t *out, vigil_err *err,
                          const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = prep(st, sql, &s, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = VIGIL_OK;
    } else if (src == SQLITE_DONE) {
        rc = VIGIL_ENOENT;
    } else {
        return step_err(st, s, src, err);
    }
    sqlite3_reset(s);
    return rc;
}

vigil_status vigil__q_text(vigil_store *st, const char *sql, char **out, vigil_err *err,
                           const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = prep(st, sql, &s, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(s, 0);
        if (t && !(*out = strdup(t))) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    } else if (src == SQLITE_DONE) {
        rc = VIGIL_ENOENT;
    } else {
        return step_err(st, s, src, err);
    }
    sqlite3_reset(s);
    return rc;
}

static int ends_with(const char *s, const char *suf, size_t *stem) {
    size_t n = strlen(s), m = strlen(suf);
    if (n <= m || strcmp(s + n - m, suf) != 0) return 0;
    *stem = n - m;
    return 1;
}

/* The current row as an object. */
static json_t *row_json(sqlite3_stmt *s) {
    json_t *o = json_object();
    if (!o) return NULL;
    int n = sqlite3_column_count(s);
    for (int c = 0; c < n; c++) {
        const char *name = sqlite3_column_name(s, c);
        char key[64];
        size_t stem;
        json_t *v = NULL;
        int type = sqlite3_column_type(s, c);
        if (ends_with(name, "_json", &stem) && stem < sizeof key) {
            memcpy(key, name, stem);
            key[stem] = '\0';
            const char *t = (const char *)sqlite3_column_text(s, c);
            v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : json_null();
        } else if (ends_with(name, "_bool", &stem) && stem < sizeof key) {
            memcpy(key, name, stem);
            key[stem] = '\0';
            v = json_boolean(sqlite3_column_int(s, c));
        } else {
            snprintf(key, sizeof key, "%s", name);
            switch (type) {
            case SQLITE_INTEGER: v = json_integer(sqlite3_column_int64(s, c)); break;
            case SQLITE_FLOAT: v = json_real(sqlite3_column_double(s, c)); break;
            case SQLITE_NULL: v = json_null(); break;
            default: v = json_string((const char *)sqlite3_column_text(s, c)); break;
            }
        }
        if (!v || json_object_set_new(o, key, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static vigil_status rows_json(vigil_store *st, sqlite3_stmt *s, int one, json_t **out,
                              vigil_err *err) {
    json_t *arr = json_array();
    if (!arr) {
        sqlite3_reset(s);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        json_t *o = row_json(s);
        if (!o || json_array_append_new(arr, o) != 0) {
            json_decref(arr);
            sqlite3_reset(s);
            return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        }
        if (one) break;
    }
    if (src != SQLITE_ROW && src != SQLITE_DONE) {
        json_decref(arr);
        return step_err(st, s, src, err);
    }
    sqlite3_reset(s);
    if (one) {
        json_t *o = json_array_get(arr, 0);
        if (!o) {
            json_decref(arr);
            return VIGIL_ENOENT;
        }
        json_incref(o);
        json_decref(arr);
        *out = o;
    } else {
        *out = arr;
    }
    return VIGIL_OK;
}

vigil_status vigil__q_json(vigil_store *st, const char *sql, json_t **out, vigil_err *err,
                           const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = prep(st, sql, &s, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    return rows_json(st, s, 0, out, err);
}

vigil_status vigil__q_json_one(vigil_store *st, const char *sql, json_t **out, vigil_err *err,
                               const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = prep(st, sql, &s, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    return rows_json(st, s, 1, out, err);
}

/* ---- rows, one at a time --------------------------------------------------------- */

/* A vigil__row is the statement positioned on its current row. */
int64_t vigil__row_int(const vigil__row *r, int col) {
    return sqlite3_column_int64((sqlite3_stmt *)r, col);
}

double vigil__row_double(const vigil__row *r, int col) {
    return sqlite3_column_double((sqlite3_stmt *)r, col);
}

const char *vigil__row_text(const vigil__row *r, int col) {
    return (const char *)sqlite3_column_text((sqlite3_stmt *)r, col);
}

const void *vigil__row_blob(const vigil__row *r, int col, size_t *n) {
    const void *p = sqlite3_column_blob((sqlite3_stmt *)r, col);
    *n = (size_t)sqlite3_column_bytes((sqlite3_stmt *)r, col);
    return p;
}

int vigil__row_is_null(const vigil__row *r, int col) {
    return sqlite3_column_type((sqlite3_stmt *)r, col) == SQLITE_NULL;
}

vigil_status vigil__q_each(vigil_store *st, const char *sql, vigil__row_fn fn, void *ctx,
                           vigil_err *err, const char *fmt, ...) {
    sqlite3_stmt *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = prep(st, sql, &s, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        rc = fn(ctx, (const vigil__row *)s, err);
        if (rc != VIGIL_OK) break;
    }
    if (rc == VIGIL_OK && src != SQLITE_DONE) return step_err(st, s, src, err);
    sqlite3_reset(s);
    return rc == VIGIL__STOP ? VIGIL_OK : rc;
}

int vigil__store_in_transaction(vigil_store *st) {
    return !sqlite3_get_autocommit(vigil__store_db(st));
}
