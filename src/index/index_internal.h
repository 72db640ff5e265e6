/*
 * src/index/index_internal.h - the index's snapshot form, for the matcher's
 * snapshot file (src/match/match.c): the shards written and read back as
 * they are in memory, tables included, so a load is one read, no rebuild.
 */
#ifndef VIGIL_INDEX_INTERNAL_H
#define VIGIL_INDEX_INTERNAL_H

#include "common/sum.h"
#include "vigil/index.h"

/* A view of the index for writing it out while it goes on changing: the
 * shards as they were when it was taken.  While a view exists, the index
 * rebuilds no tables and moves no array (adds that need room go to a new
 * shard, removes only set tombstones), so the view's arrays stay valid. */
typedef struct vigil__index_view vigil__index_view;

/*! vigil__index_pin() : takes a view (briefly under the write lock: it
 *  copies the tombstone bitmaps).  @return the view, NULL out of memory. */
vigil__index_view *vigil__index_pin(vigil_index *idx);

/*! vigil__index_unpin() : lets the index rebuild and move again; frees
 *  the view.  NULL is harmless. */
void vigil__index_unpin(vigil__index_view *v);

/*! vigil__index_save() : writes the view to c, holding no lock (queries
 *  and writers go on).  @return 0, or -1 on a write error. */
int vigil__index_save(const vigil__index_view *v, vigil__ckfile *c);

/*! vigil__index_load() : reads what vigil__index_save wrote into a new
 *  index, *out.  Every count is checked against the format's bounds and
 *  against *budget (the bytes left in the file, counted down) before
 *  anything is allocated.  @return VIGIL_OK; VIGIL_ECORRUPT (a short or
 *  inconsistent file: the message says what); VIGIL_ENOMEM. */
vigil_status vigil__index_load(vigil__ckfile *c, uint64_t *budget, vigil_index **out,
                               vigil_err *err);

#endif /* VIGIL_INDEX_INTERNAL_H */
