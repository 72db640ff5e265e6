/*
 * cli/main.c - `vigil`: global options, dispatch to subcommands, help and
 * version.  Every command is a thin front over libvigil.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define VIGIL_VERSION_STR VIGIL_VERSION /* include/vigil/export.h */

cli_globals g_cli;

typedef struct cli_command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
} cli_command;

static const cli_command commands[] = {
    {"hash", cmd_hash, "hash images: PDQ (+ dihedral variants), MD5, SHA-256"},
    {"distance", cmd_distance, "Hamming distance between PDQ hashes"},
    {"bank", cmd_bank, "hash banks: create, list, add, import, export, remove, stats"},
    {"match", cmd_match, "match images or hashes against the banks"},
    {"url", cmd_url, "canonical forms of URLs; the platform registry"},
    {"agency", cmd_agency, "agencies taking part in operations: add, list"},
    {"user", cmd_user, "users and their roles: add, list"},
    {"platform", cmd_platform, "platforms: list (--new to review), add, edit"},
    {"op", cmd_op, "operations (referral action days): create, list, show, close"},
    {"item", cmd_item, "items: add, import CSV, show, list, assess, reject"},
    {"hold", cmd_hold, "deconfliction holds: add, release, list"},
    {"refer", cmd_refer, "refer an operation's assessed items to their platforms"},
    {"outcome", cmd_outcome, "record a platform's response to a referred item"},
    {"order", cmd_order, "TCO removal orders and their one-hour clock"},
    {"report", cmd_report, "operation statistics; TCO transparency figures"},
    {"cluster", cmd_cluster, "content clusters: the same content on several platforms; refer one"},
    {"audit", cmd_audit, "verify the audit chain; read the audit log"},
    {"demo", cmd_demo, "build a synthetic referral action day (demo data)"},
    {"serve", cmd_serve, "the HTTP/JSON API (docs/openapi.yaml)"},
    {"migrate", cmd_migrate, "schema migrations; copy a store (SQLite <-> PostgreSQL)"},
    {"lang", cmd_lang, "language of texts (ISO 639-1 code and confidence)"},
    {"vpdq", cmd_vpdq, "vPDQ video hashes: convert between forms, compare two videos"},
    {"tmk", cmd_tmk, "TMK+PDQF video signatures: score, match against the banks, export"},
};

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
            "\n"
            "Global options (before the command):\n"
            "  --db PATH     the vigil store (default $VIGIL_DB, else ./vigil.db)\n"
            "  -q, --quiet   no progress display\n"
            "  -h, --help    this help; `vigil COMMAND --help` for a command\n"
            "  -V, --version print the version\n"
            "\n"
            "Options of a command may come before, between or after its operands; `--`\n"
            "ends them (`vigil hash -- --json` hashes a file named --json).\n"
            "\n"
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nExit status: 0 success, 1 some input failed or no store, 2 usage error.\n");
}

void cli_print_json(json_t *v, int real_digits, int consume) {
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY;
    if (real_digits > 0) flags |= JSON_REAL_PRECISION(real_digits);
    char *s = v ? json_dumps(v, flags) : NULL;
    if (s) puts(s);
    free(s);
    if (consume) json_decref(v);
}

void cli_errorf(const char *fmt, ...) {
    va_list ap;
    fputs("vigil: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_input_error(const char *path, vigil_status rc, const vigil_err *err) {
    const char *msg = err && err->msg[0] ? err->msg : vigil_status_str(rc);
    if (strncmp(msg, path, strlen(path)) == 0)
        cli_errorf("%s", msg);
    else
        cli_errorf("%s: %s", path, msg);
}

static int progress_shown;
static struct timespec progress_last;

void cli_progress(const char *what, size_t done, size_t total) {
    if (g_cli.quiet || !isatty(STDERR_FILENO) || isatty(STDOUT_FILENO)) return;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double dt = (double)(now.tv_sec - progress_last.tv_sec) +
                (double)(now.tv_nsec - progress_last.tv_nsec) / 1e9;
    if (progress_shown && dt < 0.1 && done != total) return;
    progress_last = now;
    progress_shown = 1;
    if (total)
        fprintf(stderr, "\r%s %zu/%zu (%.0f%%)", what, done, total, 100.0 * (double)done / (double)total);
    else
        fprintf(stderr, "\r%s %zu", what, done);
    fflush(stderr);
}

void cli_progress_end(void) {
    if (!progress_shown) return;
    fputs("\r\033[K", stderr);
    fflush(stderr);
    progress_shown = 0;
}

int main(int argc, char **argv) {
    enum { O_DB = 1, O_QUIET, O_VERSION };
    static const cli_opt opts[] = {
        CLI_O_STR("db", 0, O_DB),
        CLI_O_FLAG("quiet", 'q', O_QUIET),
        CLI_O_FLAG("version", 'V', O_VERSION),
        CLI_O_END,
    };
    g_cli.prog = argv[0];
    g_cli.db_path = getenv("VIGIL_DB");
    if (!g_cli.db_path || !*g_cli.db_path) g_cli.db_path = "./vigil.db";

    cli_args a;
    int c;
    /* the first operand is the command: what follows is its own */
    cli_args_init(&a, NULL, opts, CLI_STOP_AT_OPERAND, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_DB: g_cli.db_path = a.arg; break;
        case O_QUIET: g_cli.quiet = 1; break;
        case CLI_HELP: usage(stdout); return CLI_EXIT_OK;
        case O_VERSION: printf("vigil %s\n", VIGIL_VERSION_STR); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    argc = a.argc; /* argv[0]: the command */
    argv = a.argv;
    if (argc == 0) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[0];
    if (strcmp(name, "help") == 0) {
        if (argc > 1) {
            /* `vigil help hash` == `vigil hash --help` */
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
                if (strcmp(commands[i].name, argv[1]) == 0) {
                    char *sub[] = {argv[1], "--help", NULL};
                    return commands[i].fn(2, sub);
                }
            }
            cli_errorf("unknown command '%s'", argv[1]);
            return CLI_EXIT_USAGE;
        }
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "version") == 0) {
        printf("vigil %s\n", VIGIL_VERSION_STR);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(commands[i].name, name) == 0) return commands[i].fn(argc, argv);
    cli_errorf("unknown command '%s' (see `vigil --help`)", name);
    return CLI_EXIT_USAGE;
}
