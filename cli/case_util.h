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

/*! cu_print_rows() : the end of a list subcommand: on failure the message
 *  (cu_fail); else `rows` as JSON (`json`) or as the table of `cols`.  Frees
 *  `rows`.  @return the exit status. */
int cu_print_rows(vigil_status rc, const vigil_err *err, json_t *rows, int json,
                  const char *const *cols);

/* An object as "key: value" lines; nested arrays of objects are printed as
 * indented tables of all their keys. */
void cu_print_record(json_t *obj);

/* The acting user and JSON output: options most case-store subcommands take
 * (ids above those of the commands' own enums). */
enum { CU_O_BY = 1000, CU_O_JSON };
#define CU_OPT_BY CLI_O_STR("by", 0, CU_O_BY)
#define CU_OPT_JSON CLI_O_FLAG("json", 0, CU_O_JSON)

/*! cu_args() : reads the command line of subcommand `cmd` whose only options are --by
 * and/or --json (as its table `opts` says) and checks it has min..max
 * operands (`what` names them).  Returns -1 with *by, *json (either may be
 * NULL when not in the table) and the operands in a->argv set; else the exit
 * status: 0 after printing `usage` for --help, 2 after a usage error. */
int cu_args(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
            void (*usage)(FILE *), int min, int max, const char *what, const char **by, int *json);

/*! cu_args_flag() : as cu_args, for a subcommand that also takes one flag
 *  (option code `flag_code` of its table): *flag is set to 1 when given. */
int cu_args_flag(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
                 void (*usage)(FILE *), int min, int max, const char *what, const char **by,
                 int *json, int flag_code, int *flag);

/*! cu_args_num() : as cu_args, for a subcommand that also takes one
 *  number (option code `num_code` of its table, e.g. --limit): *num is set
 *  to it when given (the table's range checked it). */
int cu_args_num(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
                void (*usage)(FILE *), int min, int max, const char *what, const char **by,
                int *json, int num_code, int *num);

/* Parses a positive decimal id; 0 on failure (after printing an error). */
int64_t cu_id(const char *s, const char *what);

#endif /* VIGIL_CLI_CASE_UTIL_H */
