/*
 * src/match/seen.h - the matchers' copies of what they read from the store
 * lately (the entries they found; for TMK, the bodies of the entries that
 * matched), used only when the store answers VIGIL_EBUSY (unreachable), so
 * that matching goes on from memory during a PostgreSQL outage.  One rule
 * for the PDQ/MD5/SHA-256 (match.c), video (vmatch.c), TMK (tmkmatch.c)
 * and text (text_match.c) matchers.  Not locked: the caller holds the lock
 * of its store.
 */
#ifndef VIGIL_MATCH_SEEN_H
#define VIGIL_MATCH_SEEN_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/bank.h"

#define VIGIL__SEEN_ENTRIES 4096 /* entries kept, direct-mapped by id */

typedef struct vigil__seen_body {
    int64_t id; /* 0: free */
    uint8_t *bytes;
    size_t len;
} vigil__seen_body;

typedef struct vigil__seen {
    vigil_entry *entry;     /* VIGIL__SEEN_ENTRIES slots, allocated at the first copy */
    vigil__seen_body *body; /* n_body slots, allocated at the first copy */
    size_t n_body;
} vigil__seen;

/*! vigil__seen_init() : an empty cache that keeps up to `n_body` bodies
 *  (0: none; entries are always kept).  Allocates nothing. */
void vigil__seen_init(vigil__seen *s, size_t n_body);

/*! vigil__seen_free() : frees every copy; *s is empty (init again to reuse). */
void vigil__seen_free(vigil__seen *s);

/*! vigil__seen_entry() : the rule, after `rc = vigil_bank_entry_get(st, id,
 *  e, err)`: VIGIL_OK keeps a copy of *e (best effort) and returns OK;
 *  VIGIL_EBUSY with a copy of entry `id` fills *e with it (the caller clears
 *  it), clears *err and returns OK; VIGIL_ENOENT (the entry is gone) drops
 *  the copies of `id` (entry and body) and returns ENOENT; anything else
 *  returns rc as it is. */
vigil_status vigil__seen_entry(vigil__seen *s, vigil_status rc, int64_t id, vigil_entry *e, vigil_err *err);

/*! vigil__seen_bytes() : the same rule after `rc = vigil_bank_entry_bytes(st,
 *  id, out, len, err)`: VIGIL_EBUSY with a kept body of `id` gives a malloc'd
 *  copy in *out and *len and OK; anything else returns rc.  A body is kept only
 *  by vigil__seen_keep_bytes. */
vigil_status vigil__seen_bytes(vigil__seen *s, vigil_status rc, int64_t id, uint8_t **out, size_t *len,
                               vigil_err *err);

/*! vigil__seen_keep_bytes() : keeps a copy of entry `id`'s body (best effort;
 *  the slot of id % n_body; nothing when n_body is 0). */
void vigil__seen_keep_bytes(vigil__seen *s, int64_t id, const uint8_t *bytes, size_t len);

/*! vigil__seen_forget() : drops the copies of entries first..last of bank
 *  `bank_id` (0: any bank; first == last: that one entry, any bank). */
void vigil__seen_forget(vigil__seen *s, int64_t bank_id, int64_t first, int64_t last);

#endif
