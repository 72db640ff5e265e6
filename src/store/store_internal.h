/*
 * src/store/store_internal.h - what the store's modules (banks, and later
 * cases and audit) share: the SQLite handle, a prepared-statement cache,
 * transactions, and turning SQLite errors into vigil_err messages.
 */
#ifndef VIGIL_STORE_INTERNAL_H
#define VIGIL_STORE_INTERNAL_H

#include <sqlite3.h>

#include "vigil/store.h"

/*! vigil__store_db() : the connection (owned by the store). */
sqlite3 *vigil__store_db(vigil_store *st);

/*! vigil__store_sqlerr() :
 *  Fills `err` from SQLite result code `rc` and the connection's message:
 *  "<printf(fmt, ...)>: <sqlite3_errmsg>".  Maps NOMEM to VIGIL_ENOMEM,
 *  CORRUPT to VIGIL_ECORRUPT, NOTADB to VIGIL_EFORMAT, CONSTRAINT to
 *  VIGIL_EINVAL, everything else to VIGIL_EIO.  @return that status. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
vigil_status
vigil__store_sqlerr(vigil_store *st, int rc, vigil_err *err, const char *fmt, ...);

/*! vigil__store_stmt() :
 *  A cached prepared statement for `sql`, which must be a string with static
 *  storage (the cache is keyed by its address).  The statement comes back
 *  reset with no bindings.  The caller must sqlite3_reset() it when done (a
 *  statement left mid-way holds a read snapshot open).  The store finalizes
 *  it on close.  @return VIGIL_OK, or an error naming the SQL's failure. */
vigil_status vigil__store_stmt(vigil_store *st, const char *sql, sqlite3_stmt **out,
                               vigil_err *err);

/*! vigil__store_exec() : run SQL without parameters or results (DDL,
 *  transaction control).  @return VIGIL_OK or the SQLite error. */
vigil_status vigil__store_exec(vigil_store *st, const char *sql, vigil_err *err);

/*! Transactions.  begin takes the write lock at once (BEGIN IMMEDIATE), so
 *  a busy store fails early rather than at the first write.  rollback is
 *  safe to call when no transaction is open and never fails. */
vigil_status vigil__store_begin(vigil_store *st, vigil_err *err);
vigil_status vigil__store_commit(vigil_store *st, vigil_err *err);
void vigil__store_rollback(vigil_store *st);

/*! vigil__store_now() : the current time as ISO 8601 UTC, e.g.
 *  "2024-05-01T12:00:00Z" (20 characters + NUL). */
#define VIGIL__TIME_LEN 21
void vigil__store_now(char out[VIGIL__TIME_LEN]);

#endif /* VIGIL_STORE_INTERNAL_H */
