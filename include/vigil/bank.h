/*
 * vigil/bank.h - hash banks: named sets of known-content signals (PDQ, MD5,
 * SHA-256, later video and text) with labels, kept in the vigil store; CSV
 * import and export; the fast scan the matching index is built from.
 * Every function that takes a vigil_store follows its threading rule (one
 * thread at a time per store: see vigil/store.h).
 */
#ifndef VIGIL_BANK_H
#define VIGIL_BANK_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include <stdio.h>

#include "vigil/signal.h"
#include "vigil/status.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Labels: free-form key=value pairs on an entry (entity=..., source=...).
 *
 * Text form: pairs separated by ';', e.g. `entity=example-group;source=x`.
 * Keys: 1-64 of [A-Za-z0-9_.:-]; each key at most once.  Values: valid
 * UTF-8, at most 4096 bytes, no control characters except tab and newline.
 * A value with ';', '"', a newline, or blanks at either end must be quoted:
 * "..." with "" for a quote inside.  Blanks around keys and unquoted values
 * are ignored.  The canonical form (what the store keeps and prints) has the
 * pairs sorted by key, quoting only where needed, no spaces added.
 * ---------------------------------------------------------------------- */

#define VIGIL_LABEL_KEY_MAX 64
#define VIGIL_LABEL_VALUE_MAX 4096
#define VIGIL_LABELS_MAX 64 /* pairs per entry */

typedef struct vigil_label {
    char *key;
    char *value;
} vigil_label;

/* A set of labels.  Plain struct, owned by the caller: init, fill, clear. */
typedef struct vigil_labels {
    vigil_label *v;
    size_t n, cap;
} vigil_labels;

/*! vigil_labels_init() : an empty set (no allocation). */
VIGIL_API void vigil_labels_init(vigil_labels *l);

/*! vigil_labels_clear() : frees the pairs; the set is empty again. NULL ok. */
VIGIL_API void vigil_labels_clear(vigil_labels *l);

/*! vigil_labels_add() :
 *  Adds one pair (copied).  The value is taken literally: no quoting.
 *  @return VIGIL_OK, VIGIL_EPARSE naming the fault (bad key character,
 *  key given twice, invalid UTF-8 at byte N, control character),
 *  VIGIL_ELIMIT (too long, too many), VIGIL_ENOMEM.  On error the set is
 *  unchanged. */
VIGIL_API vigil_status vigil_labels_add(vigil_labels *l, const char *key, const char *value, vigil_err *err);

/*! vigil_labels_parse() :
 *  Adds the pairs of the text form `text` (NULL or "" adds nothing).
 *  @return as vigil_labels_add; on error the set is unchanged. */
VIGIL_API vigil_status vigil_labels_parse(vigil_labels *l, const char *text, vigil_err *err);

/*! vigil_labels_format() :
 *  The canonical text form in *out (malloc'd; "" for no labels).  Sorts the
 *  set by key.  @return VIGIL_OK or VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_labels_format(vigil_labels *l, char **out, vigil_err *err);

/*! vigil_labels_to_json() :
 *  A compact JSON object {"key":"value",...} (keys sorted) of the text form
 *  `text`, in *out (malloc'd).  @return VIGIL_OK, VIGIL_EPARSE (text is not
 *  a valid label text), VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_labels_to_json(const char *text, char **out, vigil_err *err);

/*! vigil_labels_json() : the labels of text form `text` (NULL: none) as a
 *  new jansson object, for the fronts that print or send them (the one
 *  labels-to-JSON of the CLI and the API).  Never NULL but out of memory;
 *  an invalid text gives {}. */
VIGIL_API json_t *vigil_labels_json(const char *text);

/* ------------------------------------------------------------------------
 * Banks
 * ---------------------------------------------------------------------- */

typedef enum vigil_bank_kind {
    VIGIL_BANK_NORMAL = 0, /* known content: a match is a hit */
    VIGIL_BANK_ALLOW       /* known false positives (a common logo, a news
                              channel's frame): a query that matches an allow
                              entry has its other matches suppressed */
} vigil_bank_kind;

#define VIGIL_BANK_NAME_MAX 64
#define VIGIL_BANK_DESC_MAX 1024
#define VIGIL_TIME_MAX 32 /* room for "2024-05-01T12:00:00Z" and a NUL */

/* A bank as stored.  Plain value type. */
typedef struct vigil_bank_info {
    int64_t id; /* stable, never reused */
    char name[VIGIL_BANK_NAME_MAX + 1];
    vigil_bank_kind kind;
    int max_distance; /* PDQ threshold 0..256; -1: none, the query's applies */
    int enabled;      /* 0: left out of matching */
    char description[VIGIL_BANK_DESC_MAX + 1];
    char created_at[VIGIL_TIME_MAX]; /* ISO 8601 UTC */
    int64_t entries;                 /* vigil_bank_list only, else -1 */
} vigil_bank_info;

/*! vigil_bank_name_check() :
 *  A bank name is 1-64 characters of [A-Za-z0-9_.-] beginning with a
 *  letter or a digit.  @return VIGIL_OK or VIGIL_EINVAL naming the fault. */
VIGIL_API vigil_status vigil_bank_name_check(const char *name, vigil_err *err);

/*! vigil_bank_kind_name() : "normal" or "allow"; static. */
VIGIL_API const char *vigil_bank_kind_name(vigil_bank_kind kind);

/*! vigil_bank_create() :
 *  Creates an enabled bank.  `max_distance` is 0..256 or -1 (none);
 *  `description` may be NULL (none): valid UTF-8 of at most 1024 bytes.
 *  @out may be NULL; else receives the new bank.
 *  @return VIGIL_OK; VIGIL_EINVAL (bad name, kind, distance or description;
 *  a bank of that name exists); VIGIL_EIO and others from the store. */
VIGIL_API vigil_status vigil_bank_create(vigil_store *st, const char *name, vigil_bank_kind kind,
                               int max_distance, const char *description, vigil_bank_info *out,
                               vigil_err *err);

/*! vigil_bank_get() :
 *  The bank called `name` (exact, case-sensitive).  out->entries is -1.
 *  @return VIGIL_OK; VIGIL_ENOENT "no bank named 'x' (see `vigil bank
 *  list`)"; store errors. */
VIGIL_API vigil_status vigil_bank_get(vigil_store *st, const char *name, vigil_bank_info *out,
                            vigil_err *err);

/*! vigil_bank_get_by_id() : as vigil_bank_get, by id (from vigil_bank_scan). */
VIGIL_API vigil_status vigil_bank_get_by_id(vigil_store *st, int64_t id, vigil_bank_info *out,
                                  vigil_err *err);

/*! vigil_bank_list() :
 *  Every bank, by name, with its entry count, in *out (malloc'd array of
 *  *n; free() it; NULL when there are none).  Counting reads each bank's
 *  index: about 0.1 s per million entries.
 *  @return VIGIL_OK or a store error (then *out is NULL, *n 0). */
VIGIL_API vigil_status vigil_bank_list(vigil_store *st, vigil_bank_info **out, size_t *n, vigil_err *err);

/*! vigil_bank_info_json() : a bank as the CLI prints it and the API sends it
 *  (one record, the same keys on both fronts): name, id, kind, enabled,
 *  max_distance (null: the matcher's default), entries (when counted),
 *  description, created_at.  A new object (caller decrefs); NULL only out
 *  of memory. */
VIGIL_API json_t *vigil_bank_info_json(const vigil_bank_info *b);

/* Which fields vigil_bank_set changes: each set_* flag says whether the
 * field beside it is used.  Start from {0} (change nothing). */
typedef struct vigil_bank_update {
    int set_kind;
    vigil_bank_kind kind;
    int set_max_distance;
    int max_distance; /* 0..256 or -1 (none) */
    int set_enabled;
    int enabled;
    const char *description; /* NULL: unchanged; "" clears it */
} vigil_bank_update;

/*! vigil_bank_set() :
 *  Changes the bank's settings (all or nothing).  @out may be NULL; else
 *  receives the bank as changed.
 *  @return VIGIL_OK, VIGIL_ENOENT (no such bank), VIGIL_EINVAL (bad value),
 *  store errors. */
VIGIL_API vigil_status vigil_bank_set(vigil_store *st, const char *name, const vigil_bank_update *upd,
                            vigil_bank_info *out, vigil_err *err);

/*! vigil_bank_delete() :
 *  Deletes the bank and all its entries, in one transaction.
 *  @entries_deleted may be NULL; else the number of entries deleted.
 *  @return VIGIL_OK, VIGIL_ENOENT, store errors. */
VIGIL_API vigil_status vigil_bank_delete(vigil_store *st, const char *name, int64_t *entries_deleted,
                               vigil_err *err);

/* ------------------------------------------------------------------------
 * Entries
 * ---------------------------------------------------------------------- */

#define VIGIL_EXTERNAL_ID_MAX 256 /* bytes */

/* What to add. */
typedef struct vigil_entry_spec {
    vigil_signal signal;
    const char *value;       /* any accepted form (vigil_signal_canonical) */
    const char *labels;      /* label text form; NULL or "" for none */
    const char *external_id; /* NULL or "" for none: valid UTF-8, no
                                control characters, <= 256 bytes */
} vigil_entry_spec;

/* An entry with its bank's settings.  From vigil_bank_entry_get() the
 * strings are owned by the struct (vigil_entry_clear frees them); in a
 * vigil_bank_foreach() callback they are borrowed for the call only. */
typedef struct vigil_entry {
    int64_t id; /* the ENTRY-ID users see; never reused */
    int64_t bank_id;
    const char *bank_name;
    vigil_bank_kind bank_kind;
    int bank_max_distance; /* 0..256, or -1: none */
    int bank_enabled;
    vigil_signal signal;
    const char *value;       /* canonical form */
    const char *labels;      /* canonical text form, "" when none */
    const char *external_id; /* NULL when none */
    const char *added_at;    /* ISO 8601 UTC */
    int enabled;
    void *owned_; /* private */
} vigil_entry;

/*! vigil_entry_clear() : frees what vigil_bank_entry_get allocated and
 *  zeroes *e.  NULL ok; harmless on a zeroed or borrowed-only entry. */
VIGIL_API void vigil_entry_clear(vigil_entry *e);

/* Entry identity.  Within a bank, an entry with an external id is
 * identified by (signal type, external id): rows with the same value and
 * different ids are separate entries (two partners' records of one
 * picture), and the same id coming back with another value or other labels
 * updates its entry (the partner corrected its record; an audit event
 * "bank.update" keeps the before and after).  An entry without an external
 * id is identified by (signal type, value): a value without an id that the
 * bank already holds, with or without an id, is a duplicate and changes
 * nothing (labels included: without an id there is no record to correct).
 * (A store migrated from schema 2 may hold several entries under one id;
 * they are kept, and a row with that id goes to the one with the same
 * value, else the oldest.) */

/* What vigil_bank_put did. */
typedef enum vigil_put_outcome {
    VIGIL_PUT_ADDED = 0, /* a new entry */
    VIGIL_PUT_UNCHANGED, /* the bank had it: the same id with the same value
                            and labels, or no id and a value the bank holds;
                            nothing written */
    VIGIL_PUT_UPDATED    /* the same id with another value or other labels:
                            the entry now has the new ones (same ENTRY-ID) */
} vigil_put_outcome;

/*! vigil_bank_put() :
 *  Adds one entry to bank `bank`, or updates the entry with the same
 *  external id (see "Entry identity" above).  The value is canonicalised and
 *  the labels validated first.  @entry_id (NULL ok) receives the new or the
 *  existing entry's id; @outcome (NULL ok) what was done.  One transaction,
 *  with the audit event "bank.add" or "bank.update".
 *  @return VIGIL_OK; VIGIL_ENOENT (no such bank); VIGIL_EPARSE/VIGIL_ELIMIT
 *  (bad value, labels or external id: the message names it); store errors. */
VIGIL_API vigil_status vigil_bank_put(vigil_store *st, const char *bank, const vigil_entry_spec *spec,
                            int64_t *entry_id, vigil_put_outcome *outcome, vigil_err *err);

/*! vigil_bank_add() :
 *  As vigil_bank_put, with the outcome as a flag: *duplicate is 1 when the
 *  bank already had the entry and nothing changed (VIGIL_PUT_UNCHANGED), 0
 *  when it was added or updated; *entry_id is the entry's id either way.
 *  @entry_id, @duplicate may be NULL.  @return as vigil_bank_put. */
VIGIL_API vigil_status vigil_bank_add(vigil_store *st, const char *bank, const vigil_entry_spec *spec,
                            int64_t *entry_id, int *duplicate, vigil_err *err);

/*! vigil_bank_remove() :
 *  Removes entry `entry_id`, which must be in bank `bank`.
 *  @return VIGIL_OK; VIGIL_ENOENT: no such bank, "bank 'x' has no entry 42",
 *  or "entry 42 is in bank 'y', not in 'x'"; store errors. */
VIGIL_API vigil_status vigil_bank_remove(vigil_store *st, const char *bank, int64_t entry_id, vigil_err *err);

/*! vigil_bank_entry_set_enabled() :
 *  Enables or disables one entry of `bank` (a disabled entry stays stored
 *  and exported, but is left out of vigil_bank_scan).  Errors as
 *  vigil_bank_remove. */
VIGIL_API vigil_status vigil_bank_entry_set_enabled(vigil_store *st, const char *bank, int64_t entry_id,
                                          int enabled, vigil_err *err);

/*! vigil_bank_entry_get() :
 *  Entry `entry_id` with its bank's name, kind and threshold (for printing
 *  a match).  Uses a cached statement: a few microseconds.  *out owns its
 *  strings: vigil_entry_clear() it.
 *  @return VIGIL_OK, VIGIL_ENOENT "no entry 42", VIGIL_ENOMEM, store errors;
 *  *out is zeroed on error. */
VIGIL_API vigil_status vigil_bank_entry_get(vigil_store *st, int64_t entry_id, vigil_entry *out,
                                  vigil_err *err);

/* Callback of vigil_bank_foreach: `e` and its strings are valid during the
 * call only.  Return 0 to go on, anything else to stop. */
typedef int (*vigil_entry_fn)(void *ctx, const vigil_entry *e);

/*! vigil_bank_foreach() :
 *  Calls `fn` for every entry of bank `bank` (enabled or not) in id order
 *  (the order they were added), e.g. for export.  The store must not be
 *  written to from inside the callback.
 *  @return VIGIL_OK (also when the callback stopped early), VIGIL_ENOENT,
 *  store errors. */
VIGIL_API vigil_status vigil_bank_foreach(vigil_store *st, const char *bank, vigil_entry_fn fn, void *ctx,
                                vigil_err *err);

/* Callback of vigil_bank_scan.  `value_hex` is the canonical value (for
 * pdq 64 lowercase hex digits), valid during the call only.  Return 0 to go
 * on, anything else to stop. */
typedef int (*vigil_scan_fn)(void *ctx, int64_t entry_id, int64_t bank_id, const char *value_hex);

/*! vigil_bank_scan() :
 *  Calls `fn` for every ENABLED entry of signal type `sig` in the ENABLED
 *  banks, restricted to the banks named in banks[0..n_banks-1] when
 *  n_banks > 0 (a named bank that is disabled is still left out).  Order:
 *  by entry id.  One sequential pass over the entry table: about 10 M
 *  entries in a few seconds.  This is what the matching index is built
 *  from.  The store must not be written to from inside the callback.
 *  @return VIGIL_OK (also when stopped early), VIGIL_ENOENT (a named bank
 *  does not exist), VIGIL_EINVAL, store errors. */
VIGIL_API vigil_status vigil_bank_scan(vigil_store *st, vigil_signal sig, const char *const *banks,
                             size_t n_banks, vigil_scan_fn fn, void *ctx, vigil_err *err);

/* Callback of vigil_bank_scan_heads: head[0..len) is the first part of the
 * entry's bytes (tmk: the .tmk file's first VIGIL_TMK_HEAD_BYTES, its
 * header and average feature), valid during the call only.  Return 0 to go
 * on, anything else to stop. */
typedef int (*vigil_head_scan_fn)(void *ctx, int64_t entry_id, int64_t bank_id, const void *head,
                                  size_t len);

/*! vigil_bank_scan_heads() :
 *  As vigil_bank_scan, for a signal type whose values the store keeps as
 *  bytes (tmk: the .tmk file, stored once as a blob in two parts): calls
 *  `fn` with the first part only, which is what a matcher keeps in memory
 *  (tmk: 1,200 bytes an entry instead of 263,344).  The rest is read one
 *  entry at a time with vigil_bank_entry_bytes.
 *  @return as vigil_bank_scan; VIGIL_EINVAL for a type kept as text. */
VIGIL_API vigil_status vigil_bank_scan_heads(vigil_store *st, vigil_signal sig, const char *const *banks,
                                   size_t n_banks, vigil_head_scan_fn fn, void *ctx, vigil_err *err);

/*! vigil_bank_entry_bytes() :
 *  The bytes of entry `entry_id`'s value, for a type kept as bytes (tmk:
 *  the 263,344-byte .tmk file, exactly as it was added), in *out (malloc'd,
 *  *len bytes; free() it).  Enabled or not.
 *  @return VIGIL_OK, VIGIL_ENOENT "no entry 42", VIGIL_EINVAL (an entry of
 *  a type kept as text), VIGIL_ECORRUPT, VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_bank_entry_bytes(vigil_store *st, int64_t entry_id, uint8_t **out, size_t *len,
                                    vigil_err *err);

/* ------------------------------------------------------------------------
 * The change log: every committed bank change, in commit order, for the
 * matchers that keep an in-memory copy of the banks (vigil/match.h:
 * vigil_matcher_sync).  Written in the change's own transaction, so a
 * commit is exactly one set of rows.  Kept for the newest
 * VIGIL_CHANGE_LOG_KEEP rows (pruned from the oldest as changes are
 * written); a reader further behind than that reloads in full.
 * ---------------------------------------------------------------------- */

#define VIGIL_CHANGE_LOG_KEEP 100000

typedef enum vigil_change_kind {
    VIGIL_CHANGE_ENTRY = 0, /* one entry added, updated, enabled, disabled or removed */
    VIGIL_CHANGE_IMPORT,    /* an import's new entries entry_id..last_id            */
    VIGIL_CHANGE_BANK       /* a bank created, deleted, or its settings changed     */
} vigil_change_kind;

/* One change.  Owned by the array vigil_bank_changes_since gives. */
typedef struct vigil_bank_change {
    int64_t seq; /* > 0, increasing in commit order */
    vigil_change_kind kind;
    int64_t bank_id;
    int64_t entry_id;    /* ENTRY: the entry; IMPORT: the first new entry */
    int64_t last_id;     /* IMPORT: the last new entry; else 0            */
    vigil_signal signal; /* ENTRY: the signal type of old_value            */
    char *old_value;     /* ENTRY: the value the entry held before the
                            change (what a matcher may hold); NULL for a
                            new entry and for other kinds                 */
} vigil_bank_change;

/*! vigil_bank_change_head() :
 *  The newest sequence in *seq (0: no change logged yet) and, @pruned
 *  (NULL ok), the last sequence pruned away (0: none): a reader at a
 *  sequence below *pruned cannot catch up from the log.
 *  @return VIGIL_OK or a store error. */
VIGIL_API vigil_status vigil_bank_change_head(vigil_store *st, int64_t *seq, int64_t *pruned,
                                              vigil_err *err);

/*! vigil_bank_changes_since() :
 *  The changes after sequence `seq`, oldest first, at most `limit` (0:
 *  1000) of them, in *out (an array of *n; vigil_bank_changes_free it;
 *  NULL when there are none).  No access check (the matcher's read).
 *  @return VIGIL_OK; VIGIL_ECONFLICT when changes after `seq` were pruned
 *  (or `seq` is past the newest: another store): reload in full; store
 *  errors. */
VIGIL_API vigil_status vigil_bank_changes_since(vigil_store *st, int64_t seq, size_t limit,
                                                vigil_bank_change **out, size_t *n,
                                                vigil_err *err);

/*! vigil_bank_changes_free() : frees what vigil_bank_changes_since gave. NULL ok. */
VIGIL_API void vigil_bank_changes_free(vigil_bank_change *c, size_t n);

/*! vigil_bank_entries_range() :
 *  Calls `fn` for the first `limit` (0: all) entries of bank `bank_id`
 *  (enabled or not) with an id in first..last, in id order, read through
 *  the id range: what a matcher reads to apply an import (a range) or a
 *  bank enabled again (1..INT64_MAX, in windows: the next window starts
 *  after the last id seen).  In the callback's vigil_entry only id,
 *  bank_id, signal, value and enabled are set.  No access check; the store
 *  must not be written to from inside the callback.
 *  @return VIGIL_OK (also when stopped early) or a store error. */
VIGIL_API vigil_status vigil_bank_entries_range(vigil_store *st, int64_t bank_id, int64_t first,
                                                int64_t last, size_t limit, vigil_entry_fn fn,
                                                void *ctx, vigil_err *err);

/*! vigil_store_identity() :
 *  A random number naming this store, made once (on the first call, in a
 *  short write transaction) and kept in it, in *id: a copy of the file
 *  keeps it, another store has another (index snapshots are checked
 *  against it).  @return VIGIL_OK or a store error. */
VIGIL_API vigil_status vigil_store_identity(vigil_store *st, int64_t *id, vigil_err *err);

/* ------------------------------------------------------------------------
 * Statistics
 * ---------------------------------------------------------------------- */

#define VIGIL_STATS_TOP 10
#define VIGIL_STATS_PAIR_MAX 96 /* key=value shown, truncated with "..." */

typedef struct vigil_bank_stats {
    int64_t entries, enabled, disabled;
    int64_t by_signal[VIGIL_SIGNAL_COUNT];         /* all entries */
    int64_t enabled_by_signal[VIGIL_SIGNAL_COUNT]; /* enabled entries only */
    int64_t labelled;                              /* with >= 1 label */
    char first_added[VIGIL_TIME_MAX];              /* "" when empty */
    char last_added[VIGIL_TIME_MAX];
    /* The most frequent label keys (entries having the key), and the most
     * frequent key=value pairs, most frequent first, ties by name. */
    size_t n_top_keys;
    struct {
        char key[VIGIL_LABEL_KEY_MAX + 1];
        int64_t count;
    } top_keys[VIGIL_STATS_TOP];
    size_t n_top_pairs;
    struct {
        char pair[VIGIL_STATS_PAIR_MAX];
        int64_t count;
    } top_pairs[VIGIL_STATS_TOP];
    int64_t distinct_keys; /* distinct label keys in the bank */
} vigil_bank_stats;

/*! vigil_bank_stats_get() :
 *  Counts the entries of bank `bank` (one pass over them).
 *  @return VIGIL_OK, VIGIL_ENOENT, VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_bank_stats_get(vigil_store *st, const char *bank, vigil_bank_stats *out,
                                  vigil_err *err);

/* ------------------------------------------------------------------------
 * CSV import and export
 *
 * Two input forms, told apart by the first line:
 *  - CSV with a header (RFC 4180: quoted fields may hold commas, doubled
 *    quotes and newlines; CRLF or LF; a UTF-8 BOM is skipped).  Columns are
 *    found by name (case-insensitive): signal_type and signal_value are
 *    required (signal_type may be missing when opts.signal is given),
 *    labels (label text form) and id (external id) are optional, others are
 *    ignored.
 *  - One hash per line, no header (HMA/ThreatExchange-style exports): the
 *    first field of the first line is hex.  Whatever follows a comma on a
 *    line (a quality, ...) is ignored.  The signal type is opts.signal when
 *    given; otherwise a 32-digit value is md5 and any other pdq.
 * Blank lines are skipped in both.  Line numbers are 1-based physical lines
 * (a record with quoted newlines is reported at its first line).
 * ---------------------------------------------------------------------- */

typedef struct vigil_import_opts {
    int strict; /* 1: import nothing if any row is bad */
    int signal; /* a vigil_signal, or -1 (default): see above */
    /* Called once per bad row, in order.  `reason` is valid during the
     * call only.  NULL: bad rows are only counted. */
    void (*on_bad)(void *ctx, uint64_t line, const char *reason);
    /* Called every few thousand rows and at the end.  total_bytes is 0 when
     * the input's size is unknown (a pipe).  NULL: no progress. */
    void (*on_progress)(void *ctx, uint64_t rows, uint64_t bytes, uint64_t total_bytes);
    void *ctx;
} vigil_import_opts;

/*! vigil_import_opts_init() : not strict, signal -1, no callbacks. */
VIGIL_API void vigil_import_opts_init(vigil_import_opts *o);

/* rows = imported + unchanged + updated + bad. */
typedef struct vigil_import_report {
    uint64_t rows;       /* data rows read (not the header, not blank lines) */
    uint64_t imported;   /* entries added */
    uint64_t duplicates; /* rows that added no entry: unchanged + updated (the
                            older name, kept for callers that sum it) */
    uint64_t bad;        /* rows refused (each reported through on_bad) */
    int hash_per_line;   /* 1 if the input was read as one hash per line */
    uint64_t unchanged;  /* rows the bank (or an earlier row) already had as
                            they are: nothing written */
    uint64_t updated;    /* rows that changed the value or labels of the entry
                            with their id (one "bank.update" audit event each) */
} vigil_import_report;

/*! vigil_bank_import() :
 *  Imports the CSV read from `in` (not closed) into bank `bank`, as ONE
 *  transaction: on any error, or with opts.strict and a bad row, nothing is
 *  written.  A bad row (bad hex, wrong length, unknown signal type, bad
 *  labels, broken quoting, ...) is reported with its line and skipped; the
 *  others are put into the bank as vigil_bank_put does ("Entry identity"):
 *  a row with an id the bank has (same signal type) and the same value and
 *  labels is unchanged, one with another value or labels updates that
 *  entry, a row without an id whose value the bank holds is unchanged;
 *  everything else is a new entry.  So importing a file twice changes
 *  nothing the second time, and an export imports back to the same
 *  entries.  Rows have the effect they would have one by one in file
 *  order (of several rows with one id, the last wins; of equal values
 *  without an id, the first is kept).  For speed they are put in chunks
 *  (up to 262,144 rows) sorted by value (rows sharing an id with another
 *  row of the chunk last), so the new ENTRY-IDs follow that order, not the
 *  file's; a chunk mixing rows with and without ids is put in file order
 *  (about a third slower).  The store is write-locked for the whole import (readers
 *  go on).
 *  @opts may be NULL (defaults); @report may be NULL.
 *  @return VIGIL_OK when the import was committed (report->bad may be > 0);
 *  VIGIL_EPARSE when the header lacks a required column, or in strict mode
 *  when some row was bad (nothing imported; report->imported 0);
 *  VIGIL_ENOENT (no such bank), VIGIL_EIO (read error), store errors. */
VIGIL_API vigil_status vigil_bank_import(vigil_store *st, const char *bank, FILE *in,
                               const vigil_import_opts *opts, vigil_import_report *report,
                               vigil_err *err);

/*! vigil_bank_import_file() : as vigil_bank_import, reading the file at
 *  `path` (its size drives the progress total).  Adds VIGIL_ENOENT /
 *  VIGIL_EIO for a file that cannot be opened, naming it. */
VIGIL_API vigil_status vigil_bank_import_file(vigil_store *st, const char *bank, const char *path,
                                    const vigil_import_opts *opts, vigil_import_report *report,
                                    vigil_err *err);

/*! vigil_bank_export() :
 *  Writes every entry of bank `bank` (enabled or not; the flag itself is
 *  not exported) to `out` as CSV with the header
 *  `signal_type,signal_value,labels,id`, quoting fields as RFC 4180
 *  needs, LF line ends: one row per entry, so a value held by several
 *  entries is written once for each.  The entries without an external id
 *  come first, then those with one, each in id order (two passes over the
 *  bank).  vigil_bank_import reads it back to the same entries, however
 *  they were added and updated.  @rows may be NULL; else the number of entries written.
 *  @return VIGIL_OK, VIGIL_ENOENT, VIGIL_EIO (write error), store errors. */
VIGIL_API vigil_status vigil_bank_export(vigil_store *st, const char *bank, FILE *out, uint64_t *rows,
                               vigil_err *err);

/* A value written in another form on export: *out (malloc'd) the form to
 * write, or NULL to write the stored value as it is. */
typedef vigil_status (*vigil_export_value_fn)(void *ctx, vigil_signal sig, const char *value,
                                              char **out, vigil_err *err);

/*! vigil_bank_export_as() :
 *  As vigil_bank_export, with every value passed through `fn` (NULL: as
 *  vigil_bank_export).  Every value is converted once before anything is
 *  written, so a value that does not convert writes nothing: the error
 *  names its entry ("entry N: ...").  @return as vigil_bank_export, and the
 *  faults of `fn`. */
VIGIL_API vigil_status vigil_bank_export_as(vigil_store *st, const char *bank, FILE *out,
                                            vigil_export_value_fn fn, void *ctx, uint64_t *rows,
                                            vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_BANK_H */
