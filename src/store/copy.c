/*
 * src/store/copy.c - a whole store copied into an empty one, whatever the
 * two drivers (SQLite file to PostgreSQL, and back): every table in the
 * order it was created, rows with their ids, then the id generators, the
 * row counts and the audit chain checked on the copy.  Driver-neutral: the
 * table list and the binding of dynamic rows come from the driver table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/driver.h"
#include "vigil/store.h"

#define MAX_TABLES 128
#define MAX_COLS 32

typedef struct tables {
    char *name[MAX_TABLES];
    int n;
} tables;

static vigil_status table_row(void *ctx, const vigil__row *r, vigil_err *err) {
    tables *t = ctx;
    const char *name = vigil__row_text(r, 0);
    if (!name || strcmp(name, "schema_migration") == 0) return VIGIL_OK; /* each store has its own */
    if (t->n == MAX_TABLES) return vigil__err_set(err, VIGIL_ELIMIT, "more than %d tables", MAX_TABLES);
    if (!(t->name[t->n] = strdup(name))) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    t->n++;
    return VIGIL_OK;
}

/* One table's rows, inserted into `to` as they are read from `from`. */
typedef struct copier {
    vigil_store *to;
    const char *table;
    char *insert; /* built from the first row's column names */
    int64_t rows;
} copier;

static vigil_status copy_row(void *ctx, const vigil__row *r, vigil_err *err) {
    copier *c = ctx;
    int n = vigil__row_columns(r);
    if (n > MAX_COLS) return vigil__err_set(err, VIGIL_ELIMIT, "%s: more than %d columns", c->table, MAX_COLS);
    if (!c->insert) {
        size_t cap = 64 + strlen(c->table) + (size_t)n * 80;
        char *s = malloc(cap);
        if (!s) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        size_t o = (size_t)snprintf(s, cap, "INSERT INTO \"%s\" (", c->table);
        for (int i = 0; i < n; i++)
            o += (size_t)snprintf(s + o, cap - o, "%s\"%s\"", i ? ", " : "", vigil__row_name(r, i));
        o += (size_t)snprintf(s + o, cap - o, ") VALUES (");
        for (int i = 0; i < n; i++)
            o += (size_t)snprintf(s + o, cap - o, "%s?%d", i ? ", " : "", i + 1);
        snprintf(s + o, cap - o, ")");
        c->insert = s;
    }
    vigil__val v[MAX_COLS];
    for (int i = 0; i < n; i++) {
        memset(&v[i], 0, sizeof v[i]);
        v[i].type = vigil__row_type(r, i);
        switch (v[i].type) {
        case VIGIL__COL_INT: v[i].i = vigil__row_int(r, i); break;
        case VIGIL__COL_REAL: v[i].d = vigil__row_double(r, i); break;
        case VIGIL__COL_BLOB: v[i].text = vigil__row_blob(r, i, &v[i].n); break;
        case VIGIL__COL_TEXT: v[i].text = vigil__row_text(r, i); break;
        default: break;
        }
    }
    vigil_status rc = vigil__db_exec_vals(vigil__store_db(c->to), c->insert, n, v, err);
    if (rc != VIGIL_OK && err) {
        char msg[VIGIL_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        return vigil__err_set(err, rc, "copying %s: %s", c->table, msg);
    }
    if (rc != VIGIL_OK) return rc;
    c->rows++;
    return VIGIL_OK;
}

/* The number of rows of `table` (dynamic SQL: not through the statement cache). */
typedef struct counter {
    int64_t n;
} counter;

static vigil_status count_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    ((counter *)ctx)->n = vigil__row_int(r, 0);
    return VIGIL__STOP;
}

/* Dynamic statements are kept until both stores are closed: the drivers'
 * caches are keyed by the SQL text's address, which must not be reused. */
typedef struct keep {
    char **s;
    size_t n, cap;
} keep;

static char *kept(keep *k, char *s) {
    if (!s) return NULL;
    if (k->n == k->cap) {
        size_t nc = k->cap ? 2 * k->cap : 64;
        char **ns = realloc(k->s, nc * sizeof *ns);
        if (!ns) {
            free(s);
            return NULL;
        }
        k->s = ns;
        k->cap = nc;
    }
    return k->s[k->n++] = s;
}

static vigil_status count_rows(vigil_store *st, keep *k, const char *table, int64_t *n,
                               vigil_err *err) {
    char *sql = malloc(strlen(table) + 40);
    if (sql) sprintf(sql, "SELECT count(*) FROM \"%s\"", table);
    if (!kept(k, sql)) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    counter c = {0};
    vigil_status rc = vigil__q_each(st, sql, count_row, &c, err, "");
    *n = c.n;
    return rc;
}

vigil_status vigil_store_copy(const char *from, const char *to, vigil_store_copy_report *rep,
                              vigil_err *err) {
    if (rep) memset(rep, 0, sizeof *rep);
    if (!from || !to) return vigil__err_set(err, VIGIL_EINVAL, "vigil_store_copy: NULL argument");
    vigil_store *a = NULL, *b = NULL;
    tables t = {{NULL}, 0};
    keep k = {NULL, 0, 0};
    char shown[512];
    vigil_status rc = vigil_store_open(from, &a, err);
    if (rc == VIGIL_OK) rc = vigil_store_open(to, &b, err);
    if (rc == VIGIL_OK) { /* millions of rows: no statement timeout on either side */
        vigil__db_long_run(vigil__store_db(a));
        vigil__db_long_run(vigil__store_db(b));
    }
    if (rc == VIGIL_OK && vigil_store_schema_version(a) != vigil_store_schema_version(b))
        rc = vigil__err_set(err, VIGIL_ECONFLICT, "the two stores have different schema versions");
    if (rc == VIGIL_OK)
        rc = vigil__q_each(a, vigil__db_tables_sql(vigil__store_db(a)), table_row, &t, err, "");
    /* the target must be empty (a fresh store: its tables exist, without rows) */
    for (int i = 0; rc == VIGIL_OK && i < t.n; i++) {
        int64_t n = 0;
        rc = count_rows(b, &k, t.name[i], &n, err);
        if (rc == VIGIL_OK && n > 0)
            rc = vigil__err_set(err, VIGIL_EEXIST,
                                "%s: not empty (table %s has %lld rows): copy into a new store",
                                vigil_store_redact(to, shown, sizeof shown), t.name[i],
                                (long long)n);
    }
    if (rc == VIGIL_OK) rc = vigil__store_begin(b, err);
    for (int i = 0; rc == VIGIL_OK && i < t.n; i++) {
        char *sql = malloc(strlen(t.name[i]) + 40);
        if (sql) sprintf(sql, "SELECT * FROM \"%s\" ORDER BY 1", t.name[i]);
        if (!kept(&k, sql)) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            break;
        }
        copier c = {b, t.name[i], NULL, 0};
        rc = vigil__q_each(a, sql, copy_row, &c, err, "");
        free(c.insert);
        if (rc == VIGIL_OK) rc = vigil__db_after_copy(vigil__store_db(b), t.name[i], err);
        if (rc == VIGIL_OK && rep) {
            rep->tables++;
            rep->rows += c.rows;
        }
    }
    if (t.n > 0) rc = vigil__store_end(b, rc, err);
    /* the copy has what the original has: every table's count, and the chain */
    for (int i = 0; rc == VIGIL_OK && i < t.n; i++) {
        int64_t na = 0, nb = 0;
        rc = count_rows(a, &k, t.name[i], &na, err);
        if (rc == VIGIL_OK) rc = count_rows(b, &k, t.name[i], &nb, err);
        if (rc == VIGIL_OK && na != nb)
            rc = vigil__err_set(err, VIGIL_ECORRUPT, "table %s: %lld rows copied of %lld",
                                t.name[i], (long long)nb, (long long)na);
    }
    int64_t events = 0, bad = 0;
    if (rc == VIGIL_OK) rc = vigil__audit_verify(b, &events, &bad, err);
    if (rc == VIGIL_OK && rep) rep->audit_events = events;
    vigil_store_close(a);
    vigil_store_close(b);
    for (size_t i = 0; i < k.n; i++)
        free(k.s[i]);
    free(k.s);
    for (int i = 0; i < t.n; i++)
        free(t.name[i]);
    return rc;
}
