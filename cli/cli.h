/*
 * cli/cli.h - shared state and helpers of the `vigil` command-line front end
 * (global options, output helpers, the command table).
 */
#ifndef VIGIL_CLI_H
#define VIGIL_CLI_H

#include <jansson.h>
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

/* ---- options (cli/opt.c) -------------------------------------------------
 * Every command declares its options in one table of cli_opt, one line an
 * option, and reads its command line with cli_args_next():
 *
 *     static const cli_opt opts[] = {
 *         CLI_O_FLAG("json", 0, O_JSON),
 *         CLI_O_INT("limit", 0, O_LIMIT, 1, 10000),
 *         CLI_O_STR("output", 'o', O_OUT),
 *         CLI_O_END,
 *     };
 *     cli_args a;
 *     cli_args_init(&a, "item list", opts, 0, argc, argv);
 *     while ((c = cli_args_next(&a)) != CLI_END) switch (c) { ... }
 *     ... the operands are a.argv[0..a.argc) ...
 *
 * Options may come before, between and after the operands; `--` ends them
 * (later words are operands even if they begin with '-'); `-` alone is an
 * operand (standard input).  `--name=value` and `--name value` are the same;
 * `-o FILE` and `-oFILE` too.  -h and --help are always known.  Numbers are
 * checked whole (no trailing characters) and against the range; an unknown
 * option, a missing or malformed value is a usage error naming the option
 * and the command.  No getopt: no optind, no POSIXLY_CORRECT. */

typedef enum cli_opt_kind {
    CLI_FLAG, /* no value                                          */
    CLI_STR,  /* a value, kept as text (p->arg)                    */
    CLI_INT,  /* a whole number in [min, max] (p->num)             */
    CLI_REAL  /* a finite number in [min, max] (p->real)           */
} cli_opt_kind;

#define CLI_NO_MAX 1e18        /* max: no upper bound worth naming         */
#define CLI_ABOVE_MIN 1u       /* flags: min itself is not allowed (> min) */

typedef struct cli_opt {
    const char *name;   /* the long name without "--"; NULL ends the table     */
    char short_name;    /* -X, or 0                                            */
    cli_opt_kind kind;
    int id;             /* what cli_args_next() returns for it; > 0            */
    double min, max;    /* CLI_INT, CLI_REAL: the allowed range (inclusive)    */
    unsigned flags;     /* CLI_ABOVE_MIN                                       */
    const char *what;   /* the value in messages ("a percentage"); NULL: "a
                           whole number" / "a number"                          */
} cli_opt;

/* One table line per option (short: 'X' or 0). */
#define CLI_O_FLAG(name, short_name, id) {name, short_name, CLI_FLAG, id, 0, 0, 0, NULL}
#define CLI_O_STR(name, short_name, id) {name, short_name, CLI_STR, id, 0, 0, 0, NULL}
#define CLI_O_INT(name, short_name, id, min, max) {name, short_name, CLI_INT, id, min, max, 0, NULL}
#define CLI_O_REAL(name, short_name, id, min, max, flags, what)                                    \
    {name, short_name, CLI_REAL, id, min, max, flags, what}
#define CLI_O_END {NULL, 0, CLI_FLAG, 0, 0, 0, 0, NULL}

/* cli_args_next() results besides an option's id. */
#define CLI_END 0   /* no more options: the operands are in p->argv[0..p->argc) */
#define CLI_BAD (-1) /* usage error, already reported: exit CLI_EXIT_USAGE       */
#define CLI_HELP (-2) /* -h or --help: print the command's help, exit 0         */

/* cli_args_init() flags: the first operand ends the options (the global
 * options before a command). */
#define CLI_STOP_AT_OPERAND 1u

typedef struct cli_args {
    const char *cmd;       /* "hash", "item add": named in messages              */
    const cli_opt *opts;
    unsigned flags;
    char **words;          /* the words after the command word                  */
    int n_words, next;     /* how many; the next one to read                    */
    int dashdash;          /* `--` seen: the rest are operands                  */
    /* after CLI_END: the operands, in order (compacted in place in words) */
    int argc;
    char **argv;
    /* after an option's id: its value */
    const cli_opt *opt;    /* the option                                         */
    char *arg;             /* its value as given (NULL for CLI_FLAG)             */
    long long num;         /* CLI_INT                                            */
    double real;           /* CLI_INT, CLI_REAL                                  */
} cli_args;

/*! cli_args_init() : prepares to read the options and operands of command
 *  `cmd` (shown in messages) from argv[1..argc) (argv[0] is the command's
 *  own word).  `opts` is the command's table; the array argv points to may
 *  be reordered (the strings are not changed). */
void cli_args_init(cli_args *p, const char *cmd, const cli_opt *opts, unsigned flags, int argc,
                   char **argv);

/*! cli_args_next() : the next option: its id (its value in p->arg, p->num,
 *  p->real), CLI_HELP, CLI_BAD after printing the usage error, or CLI_END
 *  with the operands in p->argv[0..p->argc). */
int cli_args_next(cli_args *p);

/*! cli_args_operands() : the usage check of the operand count once the
 *  options are read: 1 if min <= p->argc <= max (max -1: no limit); else 0
 *  after printing "CMD: missing WHAT" or "CMD: unexpected argument 'X'". */
int cli_args_operands(const cli_args *p, int min, int max, const char *what);

/* A subcommand of a command with several (bank, item, op, ...). */
typedef struct cli_sub {
    const char *name;
    int (*fn)(int argc, char **argv); /* argv[0] is the subcommand's word */
    const cli_opt *opts; /* its option table (for "an option of `vigil item list`"
                            hints), or NULL */
} cli_sub;

/*! cli_dispatch() : runs the subcommand argv[1] of command `cmd` from
 *  `subs`; prints `usage` for no subcommand (to stderr, exit 2) or for
 *  -h/--help/help (stdout, exit 0).  While it runs, an unknown option that
 *  another of `subs` has is named as that subcommand's.  @return the exit
 *  status. */
int cli_dispatch(const char *cmd, const cli_sub *subs, size_t n, void (*usage)(FILE *out), int argc,
                 char **argv);

/* Print "vigil: <fmt>" on stderr. */
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
void cli_errorf(const char *fmt, ...);

/*! cli_print_json() : the one JSON printer of the CLI: `v` as one compact
 *  line on stdout (key order as built; reals with `real_digits` significant
 *  digits, 0: as many as round-trip), then json_decref(v) when `consume`. */
void cli_print_json(json_t *v, int real_digits, int consume);

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
int cmd_cluster(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv); /* cmd_migrate.c */
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
