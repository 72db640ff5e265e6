/*
 * cli/case_util.h - what the case-store commands (cmd_case.c, cmd_item.c)
 * share: opening the store, the acting user, printing records as JSON or
 * as text, and reporting library errors.
 */
#ifndef VIGIL_CLI_CASE_UTIL_H
#define VIGIL_CLI_CASE_UTIL_H

#include <jansson.h>

#include "cli.h"
#include "vigil/case.h"

/* Opens --db; on failure prints the error and returns NULL. */
vigil_store *cu_open(void);

/* The acting user: --by if given, else $VIGIL_USER, else NULL (local admin). */
const char *cu_by(const char *opt);

/* Prints "vigil: MSG" for a failed library call and returns the exit code
 * (1; 2 for VIGIL_EINVAL-free usage mistakes are caught before the call). */
int cu_fail(vigil_status rc, const vigil_err *err);

/* One JSON value on a line. */
void cu_print_json(json_t *v);

/* An array of objects as aligned text columns `cols` (header line first);
 * arrays are joined with ',', null is '-'. */
void cu_print_table(json_t *rows, const char *const *cols);

/* An object as "key: value" lines; nested arrays of objects are printed as
 * indented tables of all their keys. */
void cu_print_record(json_t *obj);

/* Parses a positive decimal id; 0 on failure (after printing an error). */
int64_t cu_id(const char *s, const char *what);

#endif /* VIGIL_CLI_CASE_UTIL_H */
