/*
 * vigil/index.h - the in-memory PDQ index: "all entries within Hamming
 * distance D of this hash", exact (100% recall), over millions of hashes.
 */
#ifndef VIGIL_INDEX_H
#define VIGIL_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/hash.h"
#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Design (docs/matching.md has the measurements behind it):
 * - Multi-index hashing (Norouzi et al., CVPR 2012) with 16 tables, one per
 *   16-bit substring of the hash.  A hash within distance D of the query
 *   has, by the pigeonhole principle, some substring within floor(D/16) of
 *   the query's; the tables are probed with every key that close and the
 *   candidates checked with a full 256-bit popcount.  Results are exact.
 * - For large radii, where probing would touch a large share of the index
 *   anyway, a linear scan (AVX-512 VPOPCNTQ or AVX2 where the CPU has them,
 *   portable otherwise) is used instead; the choice is made per query from
 *   the expected number of candidates.
 * - Memory: 32 bytes of hash + 8 of id + 16 tables x 3-byte slot numbers,
 *   about 89 bytes per hash in all.  Entries live in shards of up to 2^24.
 * - Adds go to a per-shard pending area that queries scan linearly, and
 *   are merged into the tables when it grows past n/64 (at least 16384);
 *   removes mark a tombstone.
 *
 * Thread safety: any number of concurrent queries, while one writer adds or
 * removes, under an internal read-write lock (writers wait for queries in
 * flight; a merge holds the write lock for about 0.1 s per million
 * entries).  The callbacks run under the read lock: they must not call back
 * into the same index's add/remove. */

typedef struct vigil_index vigil_index;

/*! vigil_index_new() : an empty index in *out.  @return VIGIL_OK or VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_index_new(vigil_index **out, vigil_err *err);

/*! vigil_index_free() : NULL is a no-op.  No query may be running. */
VIGIL_API void vigil_index_free(vigil_index *idx);

/*! vigil_index_add() : add `n` hashes with the caller's ids (e.g. bank entry
 *  ids; duplicates of an id are not detected, the caller's store is the
 *  authority).  Large batches (n >= 16384) go straight into the tables.
 *  @return VIGIL_OK or VIGIL_ENOMEM (then none of the n was added). */
VIGIL_API vigil_status vigil_index_add(vigil_index *idx, const vigil_pdq *hashes, const int64_t *ids,
                             size_t n, vigil_err *err);

/*! vigil_index_remove() : remove the entry with this id and hash (the hash
 *  locates it without an id map).  @return 1 if removed, 0 if not present. */
VIGIL_API int vigil_index_remove(vigil_index *idx, int64_t id, const vigil_pdq *hash);

/*! vigil_index_size() : live entries. */
VIGIL_API size_t vigil_index_size(const vigil_index *idx);

/*! vigil_index_memory() : bytes held by the index, all included. */
VIGIL_API size_t vigil_index_memory(const vigil_index *idx);

/* A result: the matching entry's id and its distance to the query. */
typedef struct vigil_index_hit {
    int64_t id;
    int distance;
} vigil_index_hit;

/* Called once per entry within the radius, in no particular order.  Return
 * 0 to go on, non-zero to stop the query early. */
typedef int (*vigil_index_cb)(void *ctx, const vigil_index_hit *hit);

/*! vigil_index_query() :
 *  Every entry within `max_distance` (0..256) of `q`, each exactly once.
 *  @return VIGIL_OK, or VIGIL_EINVAL for a radius outside 0..256. */
VIGIL_API vigil_status vigil_index_query(const vigil_index *idx, const vigil_pdq *q, int max_distance,
                               vigil_index_cb cb, void *ctx, vigil_err *err);

/*! vigil_index_query_buf() :
 *  As vigil_index_query, results into hits[0..cap).  *n_found receives the
 *  total number of matches, which may exceed cap (then only cap are stored). */
VIGIL_API vigil_status vigil_index_query_buf(const vigil_index *idx, const vigil_pdq *q, int max_distance,
                                   vigil_index_hit *hits, size_t cap, size_t *n_found,
                                   vigil_err *err);

/*! vigil_index_query_batch() :
 *  Many queries at once (the fast path for large radii: one pass over the
 *  index serves a whole batch).  cb receives the query's position in `qs`.
 *  @return as vigil_index_query. */
typedef int (*vigil_index_batch_cb)(void *ctx, size_t query, const vigil_index_hit *hit);
VIGIL_API vigil_status vigil_index_query_batch(const vigil_index *idx, const vigil_pdq *qs, size_t nq,
                                     int max_distance, vigil_index_batch_cb cb, void *ctx,
                                     vigil_err *err);

/* Query strategies, for tests and benchmarks. */
typedef enum vigil_index_strategy {
    VIGIL_INDEX_AUTO = 0, /* choose per query (the default)          */
    VIGIL_INDEX_MIH,      /* always probe the tables                 */
    VIGIL_INDEX_SCAN      /* always scan                             */
} vigil_index_strategy;

/*! vigil_index_set_strategy() : force a strategy (not thread-safe against queries). */
VIGIL_API void vigil_index_set_strategy(vigil_index *idx, vigil_index_strategy s);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_INDEX_H */
