/*
 * src/index/index_internal.h - the index's snapshot form, for the matcher's
 * snapshot file (src/match/match.c): the shards written and read back as
 * they are in memory, tables included, so a load is one read, no rebuild.
 */
#ifndef VIGIL_INDEX_INTERNAL_H
#define VIGIL_INDEX_INTERNAL_H

#include "common/sum.h"
#include "vigil/index.h"

/*! vigil__index_save() : writes `idx` to c (under its read lock: queries
 *  go on, writers wait).  @return 0, or -1 on a write error. */
int vigil__index_save(const vigil_index *idx, vigil__ckfile *c);

/*! vigil__index_load() : reads what vigil__index_save wrote into a new
 *  index, *out.  Every count is checked against the format's bounds and
 *  against *budget (the bytes left in the file, counted down) before
 *  anything is allocated.  @return VIGIL_OK; VIGIL_ECORRUPT (a short or
 *  inconsistent file: the message says what); VIGIL_ENOMEM. */
vigil_status vigil__index_load(vigil__ckfile *c, uint64_t *budget, vigil_index **out,
                               vigil_err *err);

#endif /* VIGIL_INDEX_INTERNAL_H */
