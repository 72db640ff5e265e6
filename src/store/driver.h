/*
 * src/store/driver.h - the seam between the store and its two drivers
 * (sqlite.c, pg.c): the table of functions a driver fills in, the handle
 * and row shapes that driver.c dispatches on.  Only driver.c and the driver
 * files include it; the store's other modules see store_internal.h alone.
 */
#ifndef VIGIL_STORE_DRIVER_H
#define VIGIL_STORE_DRIVER_H

#include <stdarg.h>

#include "store/store_internal.h"

typedef struct vigil__driver vigil__driver;

/* A value for vigil__db_exec_vals (the whole-store copy, copy.c). */
typedef struct vigil__val {
    vigil__col_type type; /* INT, REAL, TEXT, BLOB or NULL */
    int64_t i;
    double d;
    const char *text; /* TEXT; BLOB with n */
    size_t n;
} vigil__val;

/* A connection: the driver's table and its own state. */
struct vigil__db {
    const vigil__driver *drv;
    void *impl;
};

/* A row handed to a vigil__row_fn: the driver's table, its result handle
 * (SQLite: the statement; PostgreSQL: the PGresult) and the row index in it. */
struct vigil__row {
    const vigil__driver *drv;
    void *impl;
    int i;
};

/* What a driver implements; the contracts are those of the same-named
 * vigil__db_* / vigil__q_* / vigil__store_* / vigil__row_* calls in
 * store_internal.h, on the driver's own state (`impl`). */
struct vigil__driver {
    const char *name;  /* "SQLite", "PostgreSQL": messages name the kind of database */
    vigil_status (*open)(const char *path, const char *shown, void **impl, vigil_err *err);
    void (*close)(void *impl);
    vigil_status (*exec)(void *impl, const char *sql, const char *what, vigil_err *err);
    vigil_status (*schema)(void *impl, int64_t *version, int *foreign, vigil_err *err);
    vigil_status (*set_schema)(void *impl, int version, vigil_err *err);
    vigil_status (*q_exec)(void *impl, const char *sql, int *changes, vigil_err *err,
                           const char *fmt, va_list ap);
    vigil_status (*q_each)(void *impl, const char *sql, vigil__row_fn fn, void *ctx,
                           vigil_err *err, const char *fmt, va_list ap);
    vigil_status (*begin)(void *impl, vigil_err *err);
    vigil_status (*commit)(void *impl, vigil_err *err);
    void (*rollback)(void *impl);
    vigil_status (*read_begin)(void *impl, vigil_err *err);
    void (*read_end)(void *impl);
    int (*in_transaction)(void *impl);
    int64_t (*row_int)(const vigil__row *r, int col);
    double (*row_double)(const vigil__row *r, int col);
    const char *(*row_text)(const vigil__row *r, int col);
    const void *(*row_blob)(const vigil__row *r, int col, size_t *n);
    int (*row_is_null)(const vigil__row *r, int col);
    int (*row_columns)(const vigil__row *r);
    const char *(*row_name)(const vigil__row *r, int col);
    vigil__col_type (*row_type)(const vigil__row *r, int col);
    /* the store's tables in the order they were created (a copy in that
     * order meets every foreign key), one column "name"; no parameters */
    const char *tables_sql;
    /* `sql` (dynamic, not cached) with n values bound to ?1..?n */
    vigil_status (*exec_vals)(void *impl, const char *sql, int n, const vigil__val *v,
                              vigil_err *err);
    /* after rows with explicit ids were copied into `table`: its id
     * generator continues after them (PostgreSQL: setval) */
    vigil_status (*after_copy)(void *impl, const char *table, vigil_err *err);
    /* the connection's next statements may run long (a migration step, a
     * whole-store copy): no statement timeout (PostgreSQL) */
    void (*long_run)(void *impl);
    /* 1: each statement is a round trip to a server (PostgreSQL), so that
     * writes of many small rows go in few statements (tally.c); 0: in the
     * process (SQLite), where a cached statement a row costs less than
     * preparing one long statement */
    int remote;
};

/*! vigil__pg_rewrite() : `sql` (SQLite's dialect, one or more statements)
 *  as PostgreSQL runs it (the rules at the head of pg.c).  @return a
 *  malloc'd string, or NULL with the reason in `why` (a construct that
 *  cannot be rewritten, or out of memory). */
char *vigil__pg_rewrite(const char *sql, char *why, size_t why_cap);

/*! vigil__db_exec_vals() / vigil__db_after_copy() : the driver's
 *  exec_vals and after_copy (above), for copy.c. */
vigil_status vigil__db_exec_vals(vigil__db *db, const char *sql, int n, const vigil__val *v,
                                 vigil_err *err);
vigil_status vigil__db_after_copy(vigil__db *db, const char *table, vigil_err *err);

/*! vigil__db_remote() : the driver's `remote` (above). */
int vigil__db_remote(const vigil__db *db);

extern const vigil__driver vigil__sqlite_driver;
extern const vigil__driver vigil__pg_driver;

#endif /* VIGIL_STORE_DRIVER_H */
