/*
 * cli/cli.h - shared state and helpers of the `vigil` command-line front end
 * (global options, output helpers, the command table).
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <stdio.h>

#include "vigil/status.h"

/* Exit codes common to all commands. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAIL 1  /* some input failed; the others were processed */
#define CLI_EXIT_USAGE 2 /* bad command line: nothing was done */

/* Global options, parsed before the subcommand. */
typedef struct cli_globals {
    const char *db_path; /* --db, $VIGIL_DB, or "./vigil.db" */
    int quiet;           /* --quiet: no progress, no notes     */
    const char *prog;    /* argv[0] for messages               */
} cli_globals;

extern cli_globals g_cli;

/* Print "vigil: <fmt>" on stderr. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void cli_errorf(const char *fmt, ...);

/* Report a failed input as "vigil: PATH: reason" (once: messages from
 * vigil_read_file already start with the path). */
void cli_input_error(const char *path, vigil_status rc, const vigil_err *err);

/* Progress on stderr, only when stderr is a terminal, stdout is not, and
 * not --quiet.  Call with done/total; rate-limited; cli_progress_end clears. */
void cli_progress(const char *what, size_t done, size_t total);
void cli_progress_end(void);

int cmd_hash(int argc, char **argv);
int cmd_distance(int argc, char **argv);
int cmd_bank(int argc, char **argv);
int cmd_match(int argc, char **argv);
int cmd_url(int argc, char **argv);
int cmd_agency(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_platform(int argc, char **argv);
int cmd_op(int argc, char **argv);
int cmd_item(int argc, char **argv);
int cmd_hold(int argc, char **argv);
int cmd_refer(int argc, char **argv);
int cmd_outcome(int argc, char **argv);
int cmd_order(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_lang(int argc, char **argv);
int cmd_vpdq(int argc, char **argv); /* cli_video.c */
int cmd_tmk(int argc, char **argv);  /* cli_video.c */

/* The text bodies of `vigil hash --text` and `vigil match --text`
 * (cmd_text.c); they return the command's exit status.  max_bytes 0: the
 * default text limit.  given: the arguments are signatures, not files. */
#include <stddef.h>
#include <stdint.h>
int cli_hash_text(char *const *paths, size_t n, int json, uint64_t max_bytes);
int cli_match_text(const char *const *banks, size_t n_banks, double min_similarity, int json,
                   int given, char *const *args, size_t n);
/* `vigil bank add --text FILE`: the mh1 signature of the text FILE in *value
 * (malloc'd); 0 after printing an error. */
int cli_text_value(const char *path, char **value);

#endif /* VIGIL_CLI_H */
