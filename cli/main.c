/*
 * cli/main.c - `vigil`: global options, dispatch to subcommands, help and
 * version.  Every command is a thin front over libvigil.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

#define VIGIL_VERSION_STR "0.1.0"

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
    {"audit", cmd_audit, "verify the audit chain; read the audit log"},
    {"demo", cmd_demo, "build a synthetic referral action day (demo data)"},
    {"serve", cmd_serve, "the HTTP/JSON API (docs/openapi.yaml)"},
    {"lang", cmd_lang, "language of texts (ISO 639-1 code and confidence)"},
    {"vpdq", cmd_vpdq, "vPDQ video hashes: convert between forms, compare two videos"},
    {"tmk", cmd_tmk, "TMK+PDQF video signatures: score two .tmk files"},
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
            "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nExit status: 0 success, 1 some input failed, 2 usage error.\n");
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
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    g_cli.prog = argv[0];
    g_cli.db_path = getenv("VIGIL_DB");
    if (!g_cli.db_path || !*g_cli.db_path) g_cli.db_path = "./vigil.db";

    int c;
    /* '+': stop at the first non-option, which is the command */
    while ((c = getopt_long(argc, argv, "+qhV", opts, NULL)) != -1) {
        switch (c) {
        case 'd': g_cli.db_path = optarg; break;
        case 'q': g_cli.quiet = 1; break;
        case 'h': usage(stdout); return CLI_EXIT_OK;
        case 'V': printf("vigil %s\n", VIGIL_VERSION_STR); return CLI_EXIT_OK;
        default: usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        if (optind + 1 < argc) {
            /* `vigil help hash` == `vigil hash --help` */
            for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
                if (strcmp(commands[i].name, argv[optind + 1]) == 0) {
                    char *sub[] = {argv[optind + 1], "--help", NULL};
                    optind = 1;
                    return commands[i].fn(2, sub);
                }
            }
            cli_errorf("unknown command '%s'", argv[optind + 1]);
            return CLI_EXIT_USAGE;
        }
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (strcmp(name, "version") == 0) {
        printf("vigil %s\n", VIGIL_VERSION_STR);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 1; /* reset getopt for the subcommand */
            return commands[i].fn(sub_argc, sub_argv);
        }
    }
    cli_errorf("unknown command '%s' (see `vigil --help`)", name);
    return CLI_EXIT_USAGE;
}
