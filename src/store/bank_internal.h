/*
 * src/store/bank_internal.h - validation helpers and the entry upsert
 * shared by the bank API (bank.c) and CSV import/export (import.c).
 */
#ifndef VIGIL_STORE_BANK_INTERNAL_H
#define VIGIL_STORE_BANK_INTERNAL_H

#include "signal/signal_internal.h"
#include "vigil/bank.h"

/* vigil__value_canon(): src/signal/signal_internal.h */

/*! vigil__labels_canon() : parse + canonical format of label text (NULL or
 *  "" gives ""), in *out (malloc'd).  Errors are prefixed "labels: ". */
vigil_status vigil__labels_canon(const char *text, char **out, vigil_err *err);

/*! vigil__external_id_check() : NULL/"" ok; else valid UTF-8, no control
 *  characters, <= VIGIL_EXTERNAL_ID_MAX bytes.  Errors start "id: ". */
vigil_status vigil__external_id_check(const char *id, vigil_err *err);

/*! vigil__bank_id() : the id of bank `name`; VIGIL_ENOENT with the
 *  "no bank named" message if there is none. */
vigil_status vigil__bank_id(vigil_store *st, const char *name, int64_t *id, vigil_err *err);

/*! vigil__entry_put() :
 *  In the caller's write transaction, puts one validated entry into bank
 *  `bank_id` (named `bank`, for the audit event) by the rules of "Entry
 *  identity" in vigil/bank.h.  `value` and `labels` are canonical; `xid` is
 *  NULL for none.  A new entry gets id *next_id, which is then counted up
 *  (the caller records the last id used, vigil__entry_set_last_id).  An
 *  update writes the audit event "bank.update" (before and after); an add
 *  writes none (the caller audits adds, one event per call or import).
 *  `mode` VIGIL__PUT_ANY does all of this; the import splits it in two:
 *  VIGIL__PUT_EXISTING only handles a row whose entry exists (unchanged or
 *  updated) and reports VIGIL_PUT_ADDED, writing nothing, for one that
 *  would be new; VIGIL__PUT_NEW adds the row without looking (the caller
 *  knows it is new).
 *  @entry_id (NULL ok) receives the entry's id (0 for a row not added).
 *  @return VIGIL_OK with *outcome set, or a store error. */
enum { VIGIL__PUT_ANY = 0, VIGIL__PUT_EXISTING, VIGIL__PUT_NEW };
vigil_status vigil__entry_put(vigil_store *st, int64_t bank_id, const char *bank,
                              vigil_signal sig, const char *value, const char *labels,
                              const char *xid, const char *now, int64_t *next_id, int mode,
                              int64_t *entry_id, vigil_put_outcome *outcome, vigil_err *err);

/*! vigil__entry_next_id() : in a write transaction, the first entry id not
 *  used before (past every id ever given, deleted ones included). */
vigil_status vigil__entry_next_id(vigil_store *st, int64_t *next, vigil_err *err);

/*! vigil__entry_set_last_id() : in the same transaction, record that ids up
 *  to `last` are used. */
vigil_status vigil__entry_set_last_id(vigil_store *st, int64_t last, vigil_err *err);

#endif /* VIGIL_STORE_BANK_INTERNAL_H */
