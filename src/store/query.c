/*
 * src/store/query.c - one-call queries built on the driver's row walk
 * (vigil__q_each, sqlite.c): the first integer or text of a query, or
 * every row as JSON.  Driver-neutral: no database library is called here.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"

/* The first row's first column: an integer or a copy of its text. */
typedef struct first {
    int found;
    int64_t i;
    char *text;
    int want_text;
} first;

static vigil_status first_row(void *ctx, const vigil__row *r, vigil_err *err) {
    first *f = ctx;
    f->found = 1;
    if (!f->want_text) {
        f->i = vigil__row_int(r, 0);
    } else {
        const char *t = vigil__row_text(r, 0);
        if (t && !(f->text = strdup(t))) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    return VIGIL__STOP;
}

vigil_status vigil__q_int(vigil_store *st, const char *sql, int64_t *out, vigil_err *err,
                          const char *fmt, ...) {
    first f = {0, 0, NULL, 0};
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = vigil__q_each_v(st, sql, first_row, &f, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) return rc;
    if (!f.found) return VIGIL_ENOENT;
    *out = f.i;
    return VIGIL_OK;
}

vigil_status vigil__q_text(vigil_store *st, const char *sql, char **out, vigil_err *err,
                           const char *fmt, ...) {
    first f = {0, 0, NULL, 1};
    *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = vigil__q_each_v(st, sql, first_row, &f, err, fmt, ap);
    va_end(ap);
    if (rc != VIGIL_OK) {
        free(f.text);
        return rc;
    }
    if (!f.found) return VIGIL_ENOENT;
    *out = f.text;
    return VIGIL_OK;
}

static int ends_with(const char *s, const char *suf, size_t *stem) {
    size_t n = strlen(s), m = strlen(suf);
    if (n <= m || strcmp(s + n - m, suf) != 0) return 0;
    *stem = n - m;
    return 1;
}

/* The current row as an object. */
static json_t *row_json(const vigil__row *r) {
    json_t *o = json_object();
    if (!o) return NULL;
    int n = vigil__row_columns(r);
    for (int c = 0; c < n; c++) {
        const char *name = vigil__row_name(r, c);
        char key[64];
        size_t stem;
        json_t *v = NULL;
        if (ends_with(name, "_json", &stem) && stem < sizeof key) {
            memcpy(key, name, stem);
            key[stem] = '\0';
            const char *t = vigil__row_text(r, c);
            v = t ? json_loads(t, JSON_DECODE_ANY, NULL) : json_null();
        } else if (ends_with(name, "_bool", &stem) && stem < sizeof key) {
            memcpy(key, name, stem);
            key[stem] = '\0';
            v = json_boolean(vigil__row_int(r, c));
        } else {
            snprintf(key, sizeof key, "%s", name);
            switch (vigil__row_type(r, c)) {
            case VIGIL__COL_INT: v = json_integer(vigil__row_int(r, c)); break;
            case VIGIL__COL_REAL: v = json_real(vigil__row_double(r, c)); break;
            case VIGIL__COL_NULL: v = json_null(); break;
            default: v = json_string(vigil__row_text(r, c)); break;
            }
        }
        if (!v || json_object_set_new(o, key, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

typedef struct rows {
    json_t *arr;
    int one;
} rows;

static vigil_status json_row(void *ctx, const vigil__row *r, vigil_err *err) {
    rows *w = ctx;
    json_t *o = row_json(r);
    if (!o || json_array_append_new(w->arr, o) != 0)
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return w->one ? VIGIL__STOP : VIGIL_OK;
}

static vigil_status rows_json(vigil_store *st, const char *sql, int one, json_t **out,
                              vigil_err *err, const char *fmt, va_list ap) {
    *out = NULL;
    rows w = {json_array(), one};
    if (!w.arr) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_status rc = vigil__q_each_v(st, sql, json_row, &w, err, fmt, ap);
    if (rc != VIGIL_OK) {
        json_decref(w.arr);
        return rc;
    }
    if (!one) {
        *out = w.arr;
        return VIGIL_OK;
    }
    json_t *o = json_array_get(w.arr, 0);
    if (o) json_incref(o);
    json_decref(w.arr);
    if (!o) return VIGIL_ENOENT;
    *out = o;
    return VIGIL_OK;
}

vigil_status vigil__q_json(vigil_store *st, const char *sql, json_t **out, vigil_err *err,
                           const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = rows_json(st, sql, 0, out, err, fmt, ap);
    va_end(ap);
    return rc;
}

vigil_status vigil__q_json_one(vigil_store *st, const char *sql, json_t **out, vigil_err *err,
                               const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vigil_status rc = rows_json(st, sql, 1, out, err, fmt, ap);
    va_end(ap);
    return rc;
}
