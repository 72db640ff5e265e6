/*
 * cli/cmd_migrate.c - `vigil migrate`: brings a store's schema up to date,
 * or copies a whole store into an empty one (an SQLite file into
 * PostgreSQL, or back) with vigil_store_copy.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "vigil/store.h"

static void usage(FILE *out) {
    fprintf(out,
            "usage: vigil migrate [--db STORE]\n"
            "       vigil migrate --from STORE --to STORE\n"
            "\n"
            "The first form runs the pending schema migrations of the store (--db, else the\n"
            "global --db, $VIGIL_DB or ./vigil.db; opening a store does the same) and prints\n"
            "its schema version.  Two instances that migrate one PostgreSQL store at once\n"
            "take turns.\n"
            "\n"
            "The second copies the whole store FROM (banks and entries, the case store,\n"
            "users with their token digests and passwords, sessions, the audit chain) into\n"
            "the empty store TO, then checks every table's row count and the copy's audit\n"
            "chain.  A STORE is an SQLite file or a postgresql:// URL: --from vigil.db\n"
            "--to postgresql://vigil@db/vigil moves to PostgreSQL, the reverse makes a file\n"
            "backup.  TO must be new (its tables without rows); nothing is written to it\n"
            "otherwise.  No password of a URL is printed.\n"
            "Exit status: 0 done, 1 the store could not be opened, migrated or copied,\n"
            "2 usage.\n");
}

int cmd_migrate(int argc, char **argv) {
    enum { O_DB = 1, O_FROM, O_TO };
    static const cli_opt opts[] = {
        CLI_O_STR("db", 0, O_DB),
        CLI_O_STR("from", 0, O_FROM),
        CLI_O_STR("to", 0, O_TO),
        CLI_O_END,
    };
    const char *db = g_cli.db_path, *from = NULL, *to = NULL;
    cli_args a;
    int c;
    cli_args_init(&a, "migrate", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_DB: db = a.arg; break;
        case O_FROM: from = a.arg; break;
        case O_TO: to = a.arg; break;
        case CLI_HELP: usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    if (!from != !to) {
        cli_errorf("migrate: --from and --to go together (see `vigil migrate --help`)");
        return CLI_EXIT_USAGE;
    }
    vigil_err err;
    vigil_err_clear(&err);
    char a_shown[512], b_shown[512];
    if (from) {
        vigil_store_copy_report rep;
        if (vigil_store_copy(from, to, &rep, &err) != VIGIL_OK) {
            cli_errorf("migrate: %s", err.msg);
            return CLI_EXIT_FAIL;
        }
        printf("copied %s to %s: %d tables, %lld rows; audit chain intact: %lld events\n",
               vigil_store_redact(from, a_shown, sizeof a_shown),
               vigil_store_redact(to, b_shown, sizeof b_shown), rep.tables, rep.rows,
               rep.audit_events);
        return CLI_EXIT_OK;
    }
    vigil_store *st = NULL;
    if (vigil_store_open(db, &st, &err) != VIGIL_OK) {
        cli_errorf("migrate: %s", err.msg);
        return CLI_EXIT_FAIL;
    }
    printf("%s: schema version %d (up to date)\n", vigil_store_path(st),
           vigil_store_schema_version(st));
    vigil_store_close(st);
    return CLI_EXIT_OK;
}
