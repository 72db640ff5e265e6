/*
 * src/store/store_internal.h - what the store's modules (banks, cases,
 * audit, auth) share: transactions, the query module, and the driver seam.
 * No database library's type or header appears here: the drivers
 * (src/store/sqlite.c and src/store/pg.c, the only files that call a
 * database library) keep their connections opaque behind vigil__db;
 * driver.c picks one by the path and forwards the "driver" section below.
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>

#include "vigil/store.h"

/*! vigil__store_open_at() :
 *  As vigil_store_open, but migrates the schema only up to `version`
 *  (0..vigil_store_schema_latest()), for tests of the migrations: a store
 *  at an older version, filled the way that version's code did, then
 *  opened with vigil_store_open.  A store already past `version` is
 *  opened as it is.  @return as vigil_store_open; VIGIL_EINVAL for a
 *  version out of range. */
vigil_status vigil__store_open_at(const char *path, int version, vigil_store **out,
                                  vigil_err *err);

/*! vigil__store_actor() : the name set by vigil_store_set_actor ("local"). */
const char *vigil__store_actor(const vigil_store *st);

/*! vigil__store_exec() : run SQL without parameters or results (DDL,
 *  savepoints).  @return VIGIL_OK or the driver's error. */
vigil_status vigil__store_exec(vigil_store *st, const char *sql, vigil_err *err);

/*! Transactions.  begin takes the write lock at once (BEGIN IMMEDIATE), so
 *  a busy store fails early rather than at the first write.  rollback is
 *  safe to call when no transaction is open and never fails. */
vigil_status vigil__store_begin(vigil_store *st, vigil_err *err);
vigil_status vigil__store_commit(vigil_store *st, vigil_err *err);
void vigil__store_rollback(vigil_store *st);

/*! The audit chain inside a write transaction (audit.c).  The first event
 *  of a transaction reads audit_head (the committed head); later ones read
 *  the transaction's own newest event; audit_head is written once, by
 *  vigil__audit_commit() at commit, not once an event: on PostgreSQL every
 *  update of that one row inside a transaction leaves a version that each
 *  later read walks, so a 10,000-row import grew with the square of its
 *  size.  `open`: the transaction appended events; `base`: the committed
 *  head's id then. */
typedef struct vigil__audit_tx {
    int open;
    int64_t base;
} vigil__audit_tx;

/*! vigil__store_audit_tx() : the store's audit transaction state. */
vigil__audit_tx *vigil__store_audit_tx(vigil_store *st);

/*! vigil__audit_commit() : brings audit_head to the transaction's newest
 *  event before it commits (vigil__store_commit calls it).
 *  @return VIGIL_OK, or the store's error (the commit then rolls back). */
vigil_status vigil__audit_commit(vigil_store *st, vigil_err *err);

/*! Running totals (tally.c): counts per operation in table op_tally, which
 *  the report reads instead of every row.  vigil__tally_add() adds `by` to
 *  (op, dim, k) (k NULL: ""): inside a write transaction in memory, written
 *  once per key by vigil__tally_commit() just before COMMIT (called by
 *  vigil__store_commit) and dropped by vigil__tally_reset() on rollback;
 *  outside one at once.  mark/release/undo follow a savepoint: after
 *  mark, amounts belong to the savepoint until release (kept) or undo
 *  (dropped, as ROLLBACK TO drops its rows); one level.
 *  vigil__tally_rebuild() counts every dimension again from the rows, for
 *  operation `op` (0: every operation): the one definition of what each
 *  dimension counts.  @return VIGIL_OK, VIGIL_ENOMEM, or the store's error. */
/*! vigil__fill_clusters() : joins the content clusters that items' equal
 *  hash values link however far apart (migration step 9; fill.c), each
 *  named by its smallest item id.  *changed (NULL ok): the items moved.
 *  @return VIGIL_OK, VIGIL_ENOMEM or the store's error. */
vigil_status vigil__fill_clusters(vigil_store *st, int64_t *changed, vigil_err *err);

typedef struct vigil__tally_tx vigil__tally_tx;
vigil__tally_tx *vigil__tally_tx_new(void);
void vigil__tally_tx_free(vigil__tally_tx *t);
vigil__tally_tx *vigil__store_tally_tx(vigil_store *st); /* NULL: out of memory */
vigil_status vigil__tally_add(vigil_store *st, int64_t op, const char *dim, const char *k,
                              int64_t by, vigil_err *err);
void vigil__tally_mark(vigil_store *st);
void vigil__tally_release(vigil_store *st);
void vigil__tally_undo(vigil_store *st);
vigil_status vigil__tally_commit(vigil_store *st, vigil_err *err);
void vigil__tally_reset(vigil_store *st);
vigil_status vigil__tally_rebuild(vigil_store *st, int64_t op, vigil_err *err);

/*! vigil__store_end() : ends the write transaction: commits when `rc` is
 *  VIGIL_OK, else rolls back.  @return the final status (a failed commit's). */
vigil_status vigil__store_end(vigil_store *st, vigil_status rc, vigil_err *err);

/*! vigil__store_read_begin() / vigil__store_read_end() : a read
 *  transaction, so that several reads see one snapshot. */
vigil_status vigil__store_read_begin(vigil_store *st, vigil_err *err);
void vigil__store_read_end(vigil_store *st);

/*! vigil__store_time() / vigil__store_now() : the store's clock (see
 *  vigil_store_set_clock) in seconds, or as ISO 8601 UTC, e.g.
 *  "2024-05-01T12:00:00Z" (20 characters + NUL).  The only clock that
 *  store and case code read. */
#define VIGIL__TIME_LEN 21
int64_t vigil__store_time(const vigil_store *st);
void vigil__store_now(const vigil_store *st, char out[VIGIL__TIME_LEN]);

/* ---- queries (the driver's walk and exec in sqlite.c, the rest in query.c) ----
 * `sql` is a static string: the driver caches its prepared statement, keyed
 * by the string's address, until the store is closed.  `fmt`
 * gives the types of the bound parameters ?1, ?2, ... in order:
 *   't' const char * (NULL binds NULL)    'i' int64_t
 *   's' as 't', not copied: the text must stay unchanged until the call
 *       returns (the hot loops of the import)
 *   'I' int64_t, 0 binds NULL              'd' int
 *   'f' double                             'b' const void *, size_t (a blob)
 * Inserts that need the new row's id use "INSERT ... RETURNING id" with
 * vigil__q_int (SQLite >= 3.35 and PostgreSQL alike).
 * Errors read "PATH: <the driver's message>", with the status mapped from
 * the driver's code (busy/locked: VIGIL_EBUSY, constraint: VIGIL_EINVAL,
 * corrupt: VIGIL_ECORRUPT, not a database: VIGIL_EFORMAT, else VIGIL_EIO). */

/*! vigil__q_exec() : runs a statement to completion. *changes (NULL ok)
 *  receives the number of rows it inserted, updated or deleted. */
vigil_status vigil__q_exec(vigil_store *st, const char *sql, int *changes, vigil_err *err,
                           const char *fmt, ...);

/*! vigil__q_int() : the first column of the first row as an integer.
 *  @return VIGIL_OK, or VIGIL_ENOENT without a message when there is no row
 *  (the caller names what is missing), or the driver's error. */
vigil_status vigil__q_int(vigil_store *st, const char *sql, int64_t *out, vigil_err *err,
                          const char *fmt, ...);

/*! vigil__q_text() : as vigil__q_int, a malloc'd copy of the first column
 *  (NULL when the value is NULL). */
vigil_status vigil__q_text(vigil_store *st, const char *sql, char **out, vigil_err *err,
                           const char *fmt, ...);

/*! vigil__q_json() :
 *  All rows as a JSON array of objects keyed by column name.  Integers,
 *  reals, text and NULL map to their JSON kinds; a column named "x_json"
 *  holds JSON text (e.g. from json_group_array) and is stored parsed under
 *  the key "x"; a column named "x_bool" becomes true/false under "x".
 *  @return VIGIL_OK with a new array in *out. */
vigil_status vigil__q_json(vigil_store *st, const char *sql, json_t **out, vigil_err *err,
                           const char *fmt, ...);

/*! vigil__q_json_one() : as vigil__q_json, the first row's object;
 *  VIGIL_ENOENT without a message when there is none. */
vigil_status vigil__q_json_one(vigil_store *st, const char *sql, json_t **out, vigil_err *err,
                               const char *fmt, ...);

/*! vigil__q_each() : runs a query and calls `fn` for each row, in order;
 *  a row is valid only during its call.  `fn` returns VIGIL_OK to go on,
 *  VIGIL__STOP to end early (vigil__q_each then returns VIGIL_OK), or an
 *  error, which ends the walk and is returned. */
typedef struct vigil__row vigil__row;
#define VIGIL__STOP VIGIL_STATUS_COUNT_ /* not a status: "enough rows" */
typedef vigil_status (*vigil__row_fn)(void *ctx, const vigil__row *row, vigil_err *err);
vigil_status vigil__q_each(vigil_store *st, const char *sql, vigil__row_fn fn, void *ctx,
                           vigil_err *err, const char *fmt, ...);
/*! vigil__q_each_v() : vigil__q_each with the parameters in a va_list. */
vigil_status vigil__q_each_v(vigil_store *st, const char *sql, vigil__row_fn fn, void *ctx,
                             vigil_err *err, const char *fmt, va_list ap);

/*! Column readers of a row (0-based): integer, real, text (NULL for NULL;
 *  valid during the row's call), blob (its length in *n), NULL test. */
int64_t vigil__row_int(const vigil__row *r, int col);
double vigil__row_double(const vigil__row *r, int col);
const char *vigil__row_text(const vigil__row *r, int col);
const void *vigil__row_blob(const vigil__row *r, int col, size_t *n);
int vigil__row_is_null(const vigil__row *r, int col);

/*! The shape of a row: its number of columns, a column's name (valid
 *  during the row's call) and the type of its value in this row. */
typedef enum {
    VIGIL__COL_INT,
    VIGIL__COL_REAL,
    VIGIL__COL_TEXT,
    VIGIL__COL_BLOB,
    VIGIL__COL_NULL
} vigil__col_type;
int vigil__row_columns(const vigil__row *r);
const char *vigil__row_name(const vigil__row *r, int col);
vigil__col_type vigil__row_type(const vigil__row *r, int col);

/*! vigil__store_in_transaction() : whether a transaction is open. */
int vigil__store_in_transaction(vigil_store *st);

/* ---- the driver (driver.c over sqlite.c or pg.c) ------------------------------------
 * One connection to the database at `path`, with its statement cache.  The
 * store (store.c) owns it; the query functions above and the transaction
 * calls reach it through vigil__store_db.  A driver (driver.h) also
 * implements vigil__q_exec, vigil__q_each(_v), the vigil__row_* readers,
 * the transaction calls and vigil__store_exec; query.c and store.c are
 * shared.  SQL is written once, in SQLite's dialect; pg.c rewrites it for
 * PostgreSQL when it prepares a statement (the list of what it rewrites is
 * at the head of pg.c). */
typedef struct vigil__db vigil__db;

/*! vigil__db_open() : opens (creating if need be) and configures the
 *  database at `path` (SQLite: WAL, foreign keys, FULL sync, busy timeout;
 *  PostgreSQL: the URL through libpq, timeouts, the dialect's helpers).
 *  @return VIGIL_OK with *out; VIGIL_EFORMAT for a file that is not a
 *  database; VIGIL_EBUSY for a PostgreSQL server that cannot be reached;
 *  VIGIL_EIO otherwise, the message naming `path` without its password. */
vigil_status vigil__db_open(const char *path, vigil__db **out, vigil_err *err);

/*! vigil__db_close() : finalizes the cached statements and closes the
 *  connection (SQLite: checkpointing the WAL when idle).  NULL is harmless. */
void vigil__db_close(vigil__db *db);

/*! vigil__db_kind() : "SQLite" or "PostgreSQL", for messages. */
const char *vigil__db_kind(const vigil__db *db);

/*! vigil__db_exec() : runs `sql` (one or more statements, no parameters or
 *  results).  Errors read "PATH: WHAT: <message>" ("PATH: <message>" when
 *  `what` is NULL). */
vigil_status vigil__db_exec(vigil__db *db, const char *sql, const char *what, vigil_err *err);

/*! vigil__db_schema() : the schema version recorded by vigil__db_set_schema
 *  (0 for a new database), and *foreign (NULL ok): whether the database
 *  holds another program's data (not vigil's, and not empty).  Inside a
 *  write transaction it also takes the schema lock (SQLite: the write lock
 *  BEGIN IMMEDIATE holds; PostgreSQL: pg_advisory_xact_lock), so two
 *  processes that migrate at once run the steps one after the other. */
vigil_status vigil__db_schema(vigil__db *db, int64_t *version, int *foreign, vigil_err *err);

/*! vigil__db_set_schema() : in the caller's transaction, records schema
 *  `version` and marks the database as vigil's. */
vigil_status vigil__db_set_schema(vigil__db *db, int version, vigil_err *err);

/*! vigil__db_tables_sql() : the driver's query for the store's tables, in
 *  the order they were created (one column, "name"). */
const char *vigil__db_tables_sql(const vigil__db *db);

/*! vigil__db_long_run() : lifts the driver's statement timeout for this
 *  connection (PostgreSQL: 120 s by default), for migrations and copies. */
void vigil__db_long_run(vigil__db *db);

/*! vigil__store_db() : the store's connection (store.c; owned by the store). */
vigil__db *vigil__store_db(vigil_store *st);

/* ---- the bank change log (changes.c) ----------------------------------------------
 * Each appends one row to bank_change inside the caller's write
 * transaction (vigil/bank.h "The change log"), and every 1024th row prunes
 * the rows older than the store's keep count. */

/*! vigil__change_entry() : entry `entry_id` of bank `bank_id` changed; it
 *  held `old_value` of signal `sig` before (NULL: a new entry). */
vigil_status vigil__change_entry(vigil_store *st, int64_t bank_id, int64_t entry_id,
                                 const char *sig, const char *old_value, vigil_err *err);

/*! vigil__change_import() : bank `bank_id` gained entries first..last. */
vigil_status vigil__change_import(vigil_store *st, int64_t bank_id, int64_t first, int64_t last,
                                  vigil_err *err);

/*! vigil__change_bank() : bank `bank_id` was created, changed or deleted. */
vigil_status vigil__change_bank(vigil_store *st, int64_t bank_id, vigil_err *err);

/*! vigil__change_mark() : what names the log row `seq` (its time, kind,
 *  bank and entry) as text in out[0..cap), "" for seq 0 or a row no
 *  longer in the log: an index snapshot keeps it, to tell this store's
 *  row from another one at the same sequence (a store restored from a
 *  backup that logged other changes since).  @return VIGIL_OK or a store
 *  error. */
vigil_status vigil__change_mark(vigil_store *st, int64_t seq, char *out, size_t cap,
                                vigil_err *err);

/*! vigil__store_log_keep() / vigil__store_set_log_keep() : how many of the
 *  newest change-log rows pruning keeps (VIGIL_CHANGE_LOG_KEEP; tests set
 *  small numbers; at least 1). */
int64_t vigil__store_log_keep(const vigil_store *st);
void vigil__store_set_log_keep(vigil_store *st, int64_t keep);

/*! vigil__store_set_unreachable() / vigil__store_reachable() : for tests, a
 *  PostgreSQL outage on any driver: while `on`, every query, statement and
 *  transaction start of `st` fails with VIGIL_EBUSY, as against an
 *  unreachable server (0: normal again).  reachable() is VIGIL_OK, or that
 *  VIGIL_EBUSY with its message in err; the driver seam (driver.c) asks it. */
void vigil__store_set_unreachable(vigil_store *st, int on);
vigil_status vigil__store_reachable(const vigil_store *st, vigil_err *err);

/* ---- who acts (user.c) ----------------------------------------------------- */

/* A user row: the acting user of a store call. */
typedef struct vigil__user {
    int64_t id;          /* 0: the local administrator */
    int64_t agency_id;   /* 0 when none                 */
    int64_t platform_id; /* 0 when none                 */
    char role[16];       /* "analyst" ... "admin"       */
    char name[128];
    int revoked;
} vigil__user;

/*! vigil__user_get() : the user `name` (NULL: the local administrator,
 *  role admin).  VIGIL_ENOENT for an unknown user,
 *  VIGIL_EPERM for a revoked one. */
vigil_status vigil__user_get(vigil_store *st, const char *name, vigil__user *u, vigil_err *err);

/*! vigil__bank_gate() : the rule of the bank calls for the store's acting
 *  user (vigil_store_set_actor): reading banks is for agency staff and
 *  admins (no platform liaison), changing them for coordinators and admins.
 *  VIGIL_EPERM ("USER (ROLE) may not change hash banks") otherwise. */
vigil_status vigil__bank_gate(vigil_store *st, int write, vigil_err *err);

/* ---- the audit chain (audit.c) ----------------------------------------------- */

/*! vigil__audit() :
 *  Appends one event inside the caller's write transaction: who (`actor`),
 *  what (`action` on `entity` `entity_id`), and the record before and after
 *  (either may be NULL; not consumed).  The event's digest is SHA-256 over
 *  its fields and the previous event's digest; audit_head keeps the last
 *  id and digest so that removing the newest events is detected too. */
vigil_status vigil__audit(vigil_store *st, const char *actor, const char *action,
                          const char *entity, int64_t entity_id, json_t *before, json_t *after,
                          vigil_err *err);

/*! vigil__audit_verify() : walks the chain (no access check: the case
 *  layer's vigil_audit_verify does that).  VIGIL_OK with *n events, or
 *  VIGIL_ECORRUPT naming the first bad event, *bad its id. */
vigil_status vigil__audit_verify(vigil_store *st, int64_t *n, int64_t *bad, vigil_err *err);

/*! vigil__audit_list() : the last `limit` events (0: 100), newest first,
 *  optionally of one entity; no access check. */
vigil_status vigil__audit_list(vigil_store *st, const char *entity, int64_t entity_id, int limit,
                               json_t **out, vigil_err *err);

#endif /* VIGIL_STORE_INTERNAL_H */
