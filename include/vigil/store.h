/*
 * vigil/store.h - the durable vigil store: one SQLite file (WAL mode) whose
 * schema is versioned and migrated forward when the store is opened.
 */
#ifndef VIGIL_STORE_H
#define VIGIL_STORE_H

#include <stdint.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An open store.  Opaque; one SQLite connection.  Threads: a vigil_store
 * must be used by one thread at a time (it caches prepared statements);
 * open one store per thread instead.  Several stores, in this process or
 * others, may have the same file open: WAL lets readers run while one
 * writer writes, and a writer waits up to 5 s for another one (busy
 * timeout) before failing with VIGIL_EIO "database is locked". */
typedef struct vigil_store vigil_store;

/*! vigil_store_open() :
 *  Opens the store at `path`, creating the file if it does not exist, and
 *  brings its schema up to the newest version this vigil knows (each
 *  migration step runs in one transaction with its version record, so a
 *  crash leaves the old or the new schema, never half of one).  The
 *  connection uses WAL, foreign keys, synchronous=FULL (a commit that
 *  returned survives a crash or power loss) and a 5 s busy
 *  timeout.  `path` ":memory:" opens a private in-memory store (tests,
 *  fuzzing).  A `path` that starts with postgresql:// or postgres:// opens a
 *  PostgreSQL store through libpq instead (the URL's own parameters, then
 *  libpq's PG* variables; the store lives in the first schema of its
 *  search_path, created if missing): the same schema, migrations and
 *  behaviour (docs/deploy.md); a server that cannot be reached is
 *  VIGIL_EBUSY.  No message ever shows a password of the URL.
 *  @return VIGIL_OK and the store in *out (close with vigil_store_close), or:
 *  VIGIL_EINVAL (NULL argument), VIGIL_EIO (cannot open or create the file,
 *  locked, I/O error), VIGIL_EFORMAT (not an SQLite file; an SQLite file of
 *  another program; a schema newer than this vigil: the message says to
 *  upgrade vigil), VIGIL_ECORRUPT (a damaged file), VIGIL_ENOMEM.
 *  *out is NULL on failure.  The message names `path`. */
VIGIL_API vigil_status vigil_store_open(const char *path, vigil_store **out, vigil_err *err);

/*! vigil_store_close() :
 *  Checkpoints the WAL into the main file (best effort) and closes.
 *  NULL is a no-op.  Every statement of the store is finalized. */
VIGIL_API void vigil_store_close(vigil_store *st);

/*! vigil_store_set_actor() :
 *  Names the user on whose behalf this connection changes hash banks: the
 *  audit events of bank writes name them (default "local", the local
 *  administrator).  The case store's functions take their user explicitly. */
VIGIL_API void vigil_store_set_actor(vigil_store *st, const char *name);

/*! vigil_store_set_clock() :
 *  The store's one clock: every time the store and the case store write
 *  (created_at, audit events, deadlines, "now" defaults) comes from
 *  `clock(ctx)`, seconds since the epoch.  NULL restores the default,
 *  vigil_time_now() (the system clock, or $VIGIL_NOW when set).  Tests and
 *  simulations inject a clock here. */
VIGIL_API void vigil_store_set_clock(vigil_store *st, int64_t (*clock)(void *ctx), void *ctx);

/*! vigil_store_path() : the path given to vigil_store_open, any password
 *  in it replaced by "***" (vigil_store_redact); owned by the store, valid
 *  until it is closed. */
VIGIL_API const char *vigil_store_path(const vigil_store *st);

/* What vigil_store_copy copied. */
typedef struct vigil_store_copy_report {
    int tables;           /* tables copied (schema_migration aside: each store has its own) */
    long long rows;       /* rows in all */
    long long audit_events; /* the copy's audit chain, verified */
} vigil_store_copy_report;

/*! vigil_store_copy() :
 *  Copies the whole store at `from` into the empty store at `to` (either
 *  may be an SQLite file or a PostgreSQL URL; both are opened, and so
 *  migrated, first): every table in creation order with its rows and ids
 *  (banks and entries, the case store, users with their token digests,
 *  passwords, sessions, the audit chain), in one transaction of `to`.
 *  Then checks that every table has as many rows in both and that the
 *  copy's audit chain verifies.  `rep` (NULL ok) receives the figures.
 *  @return VIGIL_OK; VIGIL_EEXIST when `to` has rows already (nothing
 *  written); VIGIL_ECONFLICT for stores of different schema versions;
 *  VIGIL_ECORRUPT when the counts or the chain do not match; or an error
 *  of opening, reading or writing.  No password is shown in a message. */
VIGIL_API vigil_status vigil_store_copy(const char *from, const char *to,
                                        vigil_store_copy_report *rep, vigil_err *err);

/*! vigil_store_is_url() : whether store path `path` names a PostgreSQL
 *  database (it starts with postgresql: or postgres:) rather than an SQLite
 *  file.  NULL: 0.  Pure. */
VIGIL_API int vigil_store_is_url(const char *path);

/*! vigil_store_redact() :
 *  Copies store path or connection string `path` into `out` (capacity
 *  `cap`, truncated, always NUL-terminated when cap > 0) with any password
 *  replaced by "***": the user:PASSWORD@ of a URL and password=VALUE
 *  parameters.  For printing and logging a --db value.
 *  @return `out` ("" when `out` is NULL or `cap` is 0).  Thread-safe. */
VIGIL_API const char *vigil_store_redact(const char *path, char *out, size_t cap);

/*! vigil_store_schema_version() : the schema version of the open store
 *  (after migration: always vigil_store_schema_latest()). */
VIGIL_API int vigil_store_schema_version(const vigil_store *st);

/*! vigil_store_mark() :
 *  A number that grows with every committed change to the store: the
 *  newest event of the audit chain, which every change appends to in its
 *  own transaction.  While it stays equal, so does every record, so a
 *  front may reuse an answer it computed after reading the mark (read the
 *  mark first, then compute: the answer is then never older than the mark).
 *  @return VIGIL_OK with *mark (0 for a store without events). */
VIGIL_API vigil_status vigil_store_mark(vigil_store *st, int64_t *mark, vigil_err *err);

/*! vigil_store_schema_latest() : the newest schema version this vigil knows.
 *  Pure function. */
VIGIL_API int vigil_store_schema_latest(void);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_STORE_H */
