/*
 * vigil/match.h - matching queries against the hash banks: PDQ through the
 * in-memory index (per-bank thresholds, allow-lists, dihedral variants,
 * quality floor), MD5 and SHA-256 through exact hash tables.
 */
#ifndef VIGIL_MATCH_H
#define VIGIL_MATCH_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/bank.h"
#include "vigil/hash.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* VIGIL_DEFAULT_MAX_DISTANCE and VIGIL_DEFAULT_QUALITY_FLOOR: vigil/hash.h */

typedef struct vigil_match_opts {
    const char *const *banks; /* restrict to these banks (NULL/0: all enabled) */
    size_t n_banks;
    int max_distance;  /* for banks without their own threshold; -1: default 31 */
    int dihedral;      /* also match the query's 8 rotations/mirrors          */
    int quality_floor; /* flag queries below it; -1: default 50              */
} vigil_match_opts;

/*! vigil_match_opts_init() : all banks, distance 31, no dihedral, floor 50. */
VIGIL_API void vigil_match_opts_init(vigil_match_opts *o);

/* One match.  Strings are owned by the result. */
typedef struct vigil_match {
    int64_t entry_id;
    int64_t bank_id;
    char *bank;
    vigil_bank_kind bank_kind;
    vigil_signal signal;
    int distance;           /* 0 for MD5/SHA-256                          */
    vigil_dihedral variant; /* which variant of the query matched         */
    char *labels;           /* canonical text form, "" when none          */
    char *external_id;      /* NULL when none                             */
} vigil_match;

typedef struct vigil_match_result {
    vigil_match *matches; /* sorted by distance, then entry id           */
    size_t n;
    /* allow-listed: the query matched an entry of an allow bank; `matches`
     * then holds only the allow entries, and `suppressed` counts the other
     * matches that were dropped. */
    int allowed;
    size_t suppressed;
    int quality;     /* the query's PDQ quality, -1 when unknown           */
    int low_quality; /* quality below the floor: matches are less reliable */
} vigil_match_result;

/*! vigil_match_result_clear() : frees the matches; the struct may be reused. */
VIGIL_API void vigil_match_result_clear(vigil_match_result *r);

/*! vigil_match_json() : one match as the CLI prints it and the API sends it:
 *  bank, entry_id, bank_kind, allow (bank_kind is allow), signal, distance,
 *  variant (the dihedral variant of the query that matched), labels (an
 *  object), external_id (null when none).  A new object; NULL only out of
 *  memory. */
VIGIL_API json_t *vigil_match_json(const vigil_match *m);

/*! vigil_match_result_json() : a query's result: {matches: [...],
 *  allowed, suppressed, low_quality, quality (when known)}; the fronts add
 *  what names the query (query, hash, pdq).  A new object; NULL only out of
 *  memory. */
VIGIL_API json_t *vigil_match_result_json(const vigil_match_result *r);

typedef struct vigil_matcher vigil_matcher;

/*! vigil_matcher_open() :
 *  Loads every enabled PDQ, MD5 and SHA-256 entry of the enabled banks (or
 *  of the banks named in opts) from `st` into memory.  The matcher keeps a
 *  pointer to `st`, which must outlive it, for looking up matched entries.
 *  @return VIGIL_OK; VIGIL_ENOENT (a named bank does not exist);
 *  VIGIL_EINVAL (a distance outside 0..256); VIGIL_ENOMEM; store errors. */
VIGIL_API vigil_status vigil_matcher_open(vigil_store *st, const vigil_match_opts *opts, vigil_matcher **out,
                                vigil_err *err);

/*! vigil_matcher_free() : NULL ok. */
VIGIL_API void vigil_matcher_free(vigil_matcher *m);

/*! vigil_matcher_entries() : PDQ, MD5 and SHA-256 entries loaded. */
VIGIL_API size_t vigil_matcher_entries(const vigil_matcher *m);

/*! vigil_matcher_pdq() :
 *  Matches one PDQ hash (with the 8 variants when opts->dihedral; `dih`
 *  may then hold the variants as computed by the hasher, or be NULL and
 *  they are not tried).  `quality` -1 if unknown.  Fills *res (cleared
 *  first).  Thread-safe for concurrent queries.
 *  @return VIGIL_OK, VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_matcher_pdq(vigil_matcher *m, const vigil_pdq *q, const vigil_pdq *dih,
                               int quality, vigil_match_result *res, vigil_err *err);

/*! vigil_matcher_hash_text() :
 *  Matches one hash given as text (vigil_hash_text_parse: "pdq:HEX",
 *  "md5:HEX", "sha256:HEX" or a bare PDQ hash) into *res (cleared first);
 *  *pdq (NULL ok) is the query hash when it is a PDQ one, and *is_pdq says
 *  so.  @return VIGIL_OK; VIGIL_EPARSE for a malformed hash; store errors. */
VIGIL_API vigil_status vigil_matcher_hash_text(vigil_matcher *m, const char *text,
                                               vigil_match_result *res, vigil_pdq *pdq,
                                               int *is_pdq, vigil_err *err);

/*! vigil_matcher_digest() :
 *  Exact match of an MD5 (16 bytes) or SHA-256 (32 bytes) digest.  Results
 *  are added to *res (not cleared), with distance 0.
 *  @return VIGIL_OK, VIGIL_EINVAL (signal not md5/sha256), store errors. */
VIGIL_API vigil_status vigil_matcher_digest(vigil_matcher *m, vigil_signal sig, const uint8_t *digest,
                                  vigil_match_result *res, vigil_err *err);

/* ---- live changes and snapshots --------------------------------------------
 * A matcher follows the store's change log (vigil/bank.h): sync applies the
 * bank changes committed since it was loaded as deltas (entries added,
 * removed, updated; banks enabled, disabled, deleted, thresholds and kinds
 * changed) without reloading, so a change anyone made to the store is
 * matchable after the next sync.  Every match is checked against the
 * store, so a removed or disabled entry never matches once committed. */

/*! vigil_matcher_sync() :
 *  Applies the changes logged after vigil_matcher_sequence(m).  Runs
 *  alongside queries and a save (each table is locked briefly); one sync
 *  at a time per matcher.  @applied (NULL ok) receives the number of changes
 *  applied.  @return VIGIL_OK; VIGIL_ECONFLICT when the log no longer
 *  reaches back to the matcher's sequence (pruned: open a new matcher);
 *  VIGIL_ENOMEM; store errors (the changes not applied are tried again by
 *  the next sync). */
VIGIL_API vigil_status vigil_matcher_sync(vigil_matcher *m, size_t *applied, vigil_err *err);

/*! vigil_matcher_sequence() : the change-log sequence the matcher has
 *  applied through (0: none logged when it was loaded). */
VIGIL_API int64_t vigil_matcher_sequence(const vigil_matcher *m);

/*! vigil_matcher_save() :
 *  Writes the matcher (its tables as they are in memory, tagged with its
 *  sequence, the store's identity and schema version, and a checksum) to
 *  `path`, through a temporary file renamed over it.  Takes the state
 *  between two syncs, then writes it with no lock held: queries and syncs
 *  go on meanwhile.  One save at a time per matcher.  Only for a matcher
 *  over all banks.
 *  @return VIGIL_OK; VIGIL_EINVAL (named banks); VIGIL_EIO naming the file. */
VIGIL_API vigil_status vigil_matcher_save(vigil_matcher *m, const char *path, vigil_err *err);

/*! vigil_matcher_open_snapshot() :
 *  As vigil_matcher_open (all banks only), from the snapshot at `path`:
 *  checked (format, checksum, every count, the store's identity and schema
 *  version, the options), then brought up to date with vigil_matcher_sync.
 *  A bad snapshot is never used: @return VIGIL_OK; VIGIL_ENOENT (no file);
 *  VIGIL_ECORRUPT (damaged, truncated, another store's, other options, or
 *  stale: the message says which); VIGIL_EINVAL; VIGIL_ENOMEM; store
 *  errors.  The caller then opens the matcher from the store. */
VIGIL_API vigil_status vigil_matcher_open_snapshot(vigil_store *st, const vigil_match_opts *opts,
                                                   const char *path, vigil_matcher **out,
                                                   vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_MATCH_H */
