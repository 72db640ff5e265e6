/*
 * cli/cmd_case.c - the actors and operations of the case store:
 * `vigil agency`, `vigil user`, `vigil platform`, `vigil op`, `vigil audit`
 * and `vigil demo`.  Thin fronts over vigil/case.h.
 */
#include <stdlib.h>
#include <string.h>

#include "case_util.h"
#include "passwd.h"

/* The options of this file's commands (besides --by and --json); each
 * subcommand's table takes its own. */
enum {
    O_NAME = 1,
    O_COUNTRY,
    O_ROLE,
    O_AGENCY,
    O_PLATFORM,
    O_NEW,
    O_KIND,
    O_DOMAIN,
    O_CONTACT,
    O_CHANNEL,
    O_REQID,
    O_STATUS,
    O_COORD,
    O_PART,
    O_START,
    O_END,
    O_ENTITY,
    O_ID,
    O_LIMIT,
    O_ITEMS,
    O_SEED
};

/* ---- vigil agency ------------------------------------------------------------ */

static void agency_usage(FILE *out) {
    fprintf(out,
            "usage: vigil agency add CODE [--name NAME] [--country CC]\n"
            "       vigil agency list [--by USER] [--json]\n"
            "\n"
            "Agencies (police units, IRUs) that take part in operations.  CODE is short and\n"
            "unique (letters, digits, '-', '_', '.'); CC is an ISO 3166-1 alpha-2 country.\n"
            "Adding agencies needs an admin (or the local administrator: no --by).\n"
            "\n"
            "  --by USER   act as USER (default $VIGIL_USER, else the local administrator)\n"
            "  --json      JSON output\n");
}

static const cli_opt agency_add_opts[] = {CLI_O_STR("name", 0, O_NAME),
                                          CLI_O_STR("country", 0, O_COUNTRY), CU_OPT_BY, CLI_O_END};
static int agency_add(int argc, char **argv) {
    const char *name = NULL, *country = NULL, *by = NULL;
    cli_args a;
    int c;
    cli_args_init(&a, "agency add", agency_add_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_NAME: name = a.arg; break;
        case O_COUNTRY: country = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: agency_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "CODE")) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_status rc = vigil_agency_add(st, cu_by(by), a.argv[0], name, country, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("agency %s added\n", a.argv[0]);
    return CLI_EXIT_OK;
}

static const cli_opt agency_list_opts[] = {CU_OPT_BY, CU_OPT_JSON, CLI_O_END};
static int agency_list(int argc, char **argv) {
    cli_args a;
    const char *by = NULL;
    int json = 0, rc = cu_args(&a, "agency list", agency_list_opts, argc, argv, agency_usage, 0, 0,
                               "", &by, &json);
    if (rc >= 0) return rc;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *rows = NULL;
    vigil_status s = vigil_agency_list(st, cu_by(by), &rows, &err);
    vigil_store_close(st);
    static const char *const cols[] = {"code", "country", "name", NULL};
    return cu_print_rows(s, &err, rows, json, cols);
}

int cmd_agency(int argc, char **argv) {
    static const cli_sub subs[] = {{"add", agency_add, agency_add_opts},
                                   {"list", agency_list, agency_list_opts}};
    return cli_dispatch("agency", subs, sizeof subs / sizeof subs[0], agency_usage, argc, argv);
}

/* ---- vigil user ----------------------------------------------------------------- */

static void user_usage(FILE *out) {
    fprintf(out,
            "usage: vigil user add NAME --role ROLE (--agency CODE | --platform NAME)\n"
            "       vigil user token NAME      (a new API token; the old one stops working)\n"
            "       vigil user revoke NAME     (the token stops working; the user cannot act)\n"
            "       vigil user passwd NAME     (the web app's password, read from the terminal\n"
            "                                  or stdin; set for someone else, it must be\n"
            "                                  changed at the first sign-in)\n"
            "       vigil user list [--json]\n"
            "\n"
            "add prints the user's API token once (for `vigil serve`: Authorization: Bearer\n"
            "TOKEN); only its SHA-256 is stored.\n"
            "Users act on the case store (commands take --by USER, or $VIGIL_USER).\n"
            "ROLE is analyst, reviewer, coordinator, liaison or admin; a platform's users\n"
            "are liaisons (they answer referrals and removal orders for their platform).\n"
            "See docs/operations.md for what each role may do.\n");
}

static const cli_opt user_add_opts[] = {CLI_O_STR("role", 0, O_ROLE),
                                        CLI_O_STR("agency", 0, O_AGENCY),
                                        CLI_O_STR("platform", 0, O_PLATFORM), CU_OPT_BY, CLI_O_END};
static int user_add(int argc, char **argv) {
    const char *role = NULL, *agency = NULL, *platform = NULL, *by = NULL;
    cli_args a;
    int c;
    cli_args_init(&a, "user add", user_add_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_ROLE: role = a.arg; break;
        case O_AGENCY: agency = a.arg; break;
        case O_PLATFORM: platform = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: user_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 1 || !role || (!agency == !platform)) {
        cli_errorf("user add: give NAME, --role and one of --agency or --platform");
        return CLI_EXIT_USAGE;
    }
    const char *name = a.argv[0];
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    char token[VIGIL_TOKEN_LEN + 1];
    vigil_status rc = vigil_user_create(st, cu_by(by), name, role, agency, platform, token, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) fprintf(stderr, "user %s added (%s); API token (shown once):\n", name, role);
    printf("%s\n", token);
    return CLI_EXIT_OK;
}

/* vigil user token NAME, vigil user revoke NAME */
static const cli_opt user_token_opts[] = {CU_OPT_BY, CLI_O_END};
static int user_token(int argc, char **argv) {
    int token_sub = strcmp(argv[0], "token") == 0;
    const char *by = NULL;
    cli_args a;
    int rc = cu_args(&a, token_sub ? "user token" : "user revoke", user_token_opts, argc, argv,
                     user_usage, 1, 1, "NAME", &by, NULL);
    if (rc >= 0) return rc;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    char token[VIGIL_TOKEN_LEN + 1];
    vigil_status s = token_sub ? vigil_user_token_issue(st, cu_by(by), a.argv[0], token, &err)
                               : vigil_user_revoke(st, cu_by(by), a.argv[0], &err);
    vigil_store_close(st);
    if (s != VIGIL_OK) return cu_fail(s, &err);
    if (token_sub)
        printf("%s\n", token);
    else if (!g_cli.quiet)
        printf("user %s revoked\n", a.argv[0]);
    return CLI_EXIT_OK;
}

static const cli_opt user_list_opts[] = {CU_OPT_BY, CU_OPT_JSON, CLI_O_END};
static int user_list(int argc, char **argv) {
    const char *by = NULL;
    cli_args a;
    int json = 0,
        rc = cu_args(&a, "user list", user_list_opts, argc, argv, user_usage, 0, 0, "", &by, &json);
    if (rc >= 0) return rc;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *rows = NULL;
    vigil_status s = vigil_user_list(st, cu_by(by), &rows, &err);
    vigil_store_close(st);
    static const char *const cols[] = {"name", "role", "agency", "platform", "revoked", NULL};
    return cu_print_rows(s, &err, rows, json, cols);
}

static const cli_opt user_passwd_opts[] = {CU_OPT_BY, CLI_O_END};
static int user_passwd(int argc, char **argv) {
    cli_args a;
    const char *by = NULL;
    int rc = cu_args(&a, "user passwd", user_passwd_opts, argc, argv, user_usage, 1, 1, "NAME",
                     &by, NULL);
    if (rc >= 0) return rc;
    return cli_user_passwd(a.argv[0], cu_by(by)); /* cli/passwd.c: never from argv */
}

int cmd_user(int argc, char **argv) {
    static const cli_sub subs[] = {{"add", user_add, user_add_opts},
                                   {"token", user_token, user_token_opts},
                                   {"revoke", user_token, user_token_opts},
                                   {"passwd", user_passwd, user_passwd_opts},
                                   {"list", user_list, user_list_opts}};
    return cli_dispatch("user", subs, sizeof subs / sizeof subs[0], user_usage, argc, argv);
}

/* ---- vigil platform --------------------------------------------------------------- */

static void platform_usage(FILE *out) {
    fprintf(out,
            "usage: vigil platform list [--new] [--by USER] [--json]\n"
            "       vigil platform add NAME [--kind K] [--domain D]... [--contact C]\n"
            "                          [--channel CH] [--requires-id yes|no]\n"
            "       vigil platform edit NAME [same options] [--status known|new]\n"
            "\n"
            "The platforms items are found on.  The store starts with vigil's registry of\n"
            "known platforms (`vigil url --registry`); an item on a domain no platform has\n"
            "creates a platform in status new, listed by --new for review: mark it reviewed\n"
            "with `edit NAME --status known` (and give its kind and contact).\n"
            "  K:  social video audio messenger file_sharing paste archive forum blogging\n"
            "      image other\n"
            "  CH: how referrals reach it: email web_form api portal other\n");
}

static const cli_opt platform_list_opts[] = {CLI_O_FLAG("new", 0, O_NEW), CU_OPT_BY, CU_OPT_JSON,
                                             CLI_O_END};
static int platform_list(int argc, char **argv) {
    const char *by = NULL;
    int json = 0, only_new = 0;
    cli_args a;
    int ret = cu_args_flag(&a, "platform list", platform_list_opts, argc, argv, platform_usage, 0,
                           0, "", &by, &json, O_NEW, &only_new);
    if (ret >= 0) return ret;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *rows = NULL;
    vigil_status rc = vigil_platform_list(st, cu_by(by), only_new, &rows, &err);
    vigil_store_close(st);
    static const char *const cols[] = {"name",        "kind",    "status",  "items",
                                       "requires_id", "channel", "domains", NULL};
    return cu_print_rows(rc, &err, rows, json, cols);
}

/* vigil platform add NAME ..., vigil platform edit NAME ... (edit also --status) */
#define PLATFORM_FIELDS                                                                            \
    CLI_O_STR("kind", 0, O_KIND), CLI_O_STR("domain", 0, O_DOMAIN),                                \
        CLI_O_STR("contact", 0, O_CONTACT), CLI_O_STR("channel", 0, O_CHANNEL),                    \
        CLI_O_STR("requires-id", 0, O_REQID), CU_OPT_BY
static const cli_opt platform_add_opts[] = {PLATFORM_FIELDS, CLI_O_END};
static const cli_opt platform_edit_opts[] = {PLATFORM_FIELDS, CLI_O_STR("status", 0, O_STATUS),
                                             CLI_O_END};
#undef PLATFORM_FIELDS
static int platform_add(int argc, char **argv) {
    int is_add = strcmp(argv[0], "add") == 0, c;
    const char *by = NULL;
    vigil_platform_fields f = {NULL, NULL, NULL, NULL, -1, NULL};
    char domains[2048] = "";
    cli_args a;
    cli_args_init(&a, is_add ? "platform add" : "platform edit",
                  is_add ? platform_add_opts : platform_edit_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_KIND: f.kind = a.arg; break;
        case O_DOMAIN: {
            if (strlen(domains) + strlen(a.arg) + 2 >= sizeof domains) {
                cli_errorf("platform: too many domains");
                return CLI_EXIT_USAGE;
            }
            size_t dl = strlen(domains);
            snprintf(domains + dl, sizeof domains - dl, "%s%s", dl ? "," : "", a.arg);
            break;
        }
        case O_CONTACT: f.contact = a.arg; break;
        case O_CHANNEL: f.channel = a.arg; break;
        case O_REQID:
            if (strcmp(a.arg, "yes") == 0)
                f.requires_id = 1;
            else if (strcmp(a.arg, "no") == 0)
                f.requires_id = 0;
            else {
                cli_errorf("--requires-id takes yes or no");
                return CLI_EXIT_USAGE;
            }
            break;
        case O_STATUS: f.status = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: platform_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (*domains) f.domains = domains;
    if (!cli_args_operands(&a, 1, 1, "NAME")) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_status rc = is_add ? vigil_platform_add(st, cu_by(by), a.argv[0], &f, &err)
                             : vigil_platform_edit(st, cu_by(by), a.argv[0], &f, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("platform %s %s\n", a.argv[0], is_add ? "added" : "updated");
    return CLI_EXIT_OK;
}

int cmd_platform(int argc, char **argv) {
    static const cli_sub subs[] = {{"list", platform_list, platform_list_opts},
                                   {"add", platform_add, platform_add_opts},
                                   {"edit", platform_add, platform_edit_opts}};
    return cli_dispatch("platform", subs, sizeof subs / sizeof subs[0], platform_usage, argc, argv);
}

/* ---- vigil op ---------------------------------------------------------------------- */

static void op_usage(FILE *out) {
    fprintf(out,
            "usage: vigil op create NAME --coordinator CODE [--participant CODE]...\n"
            "                       [--start T] [--end T]\n"
            "       vigil op list [--json]\n"
            "       vigil op show NAME [--json]\n"
            "       vigil op close NAME\n"
            "\n"
            "Operations (referral action days).  The coordinating agency always takes part;\n"
            "only users of participating agencies see an operation and report items to it.\n"
            "Times are ISO 8601 (2024-05-01T08:00Z; UTC unless an offset is given).\n"
            "  --by USER   act as USER (default $VIGIL_USER, else the local administrator)\n");
}

static const cli_opt op_create_opts[] = {CLI_O_STR("coordinator", 0, O_COORD),
                                         CLI_O_STR("participant", 0, O_PART),
                                         CLI_O_STR("start", 0, O_START),
                                         CLI_O_STR("end", 0, O_END),
                                         CU_OPT_BY,
                                         CLI_O_END};
static int op_create(int argc, char **argv) {
    const char *coord = NULL, *start = NULL, *end = NULL, *by = NULL;
    const char *parts[64];
    size_t np = 0;
    cli_args a;
    int c;
    cli_args_init(&a, "op create", op_create_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_COORD: coord = a.arg; break;
        case O_PART:
            if (np == 64) {
                cli_errorf("op: at most 64 participants");
                return CLI_EXIT_USAGE;
            }
            parts[np++] = a.arg;
            break;
        case O_START: start = a.arg; break;
        case O_END: end = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: op_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 1 || !coord) {
        cli_errorf("op create: give NAME and --coordinator CODE");
        return CLI_EXIT_USAGE;
    }
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_status rc = vigil_op_create(st, cu_by(by), a.argv[0], coord, parts, np, start, end, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("operation %s created\n", a.argv[0]);
    return CLI_EXIT_OK;
}

static const cli_opt op_close_opts[] = {CU_OPT_BY, CLI_O_END};
static int op_close(int argc, char **argv) {
    const char *by = NULL;
    cli_args a;
    int rc = cu_args(&a, "op close", op_close_opts, argc, argv, op_usage, 1, 1, "NAME", &by, NULL);
    if (rc >= 0) return rc;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_status s = vigil_op_close(st, cu_by(by), a.argv[0], &err);
    vigil_store_close(st);
    if (s != VIGIL_OK) return cu_fail(s, &err);
    if (!g_cli.quiet) printf("operation %s closed\n", a.argv[0]);
    return CLI_EXIT_OK;
}

/* vigil op list, vigil op show NAME */
static const cli_opt op_list_opts[] = {CU_OPT_BY, CU_OPT_JSON, CLI_O_END};
static int op_list(int argc, char **argv) {
    int show = strcmp(argv[0], "show") == 0, json = 0;
    const char *by = NULL;
    cli_args a;
    int rc = cu_args(&a, show ? "op show" : "op list", op_list_opts, argc, argv, op_usage, show,
                     show, "NAME", &by, &json);
    if (rc >= 0) return rc;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status s = show ? vigil_op_show(st, cu_by(by), a.argv[0], &v, &err)
                          : vigil_op_list(st, cu_by(by), &v, &err);
    vigil_store_close(st);
    if (s != VIGIL_OK) return cu_fail(s, &err);
    static const char *const cols[] = {"name",  "coordinator", "status",       "items",
                                       "start", "end",         "participants", NULL};
    if (json)
        cu_print_json(v);
    else if (show)
        cu_print_record(v);
    else
        cu_print_table(v, cols);
    json_decref(v);
    return CLI_EXIT_OK;
}

int cmd_op(int argc, char **argv) {
    static const cli_sub subs[] = {{"create", op_create, op_create_opts},
                                   {"list", op_list, op_list_opts},
                                   {"show", op_list, op_list_opts},
                                   {"close", op_close, op_close_opts}};
    return cli_dispatch("op", subs, sizeof subs / sizeof subs[0], op_usage, argc, argv);
}

/* ---- vigil audit ---------------------------------------------------------------------- */

static void audit_usage(FILE *out) {
    fprintf(out,
            "usage: vigil audit verify [--by USER] [--json]\n"
            "       vigil audit log [--entity E --id N] [--limit N] [--by USER] [--json]\n"
            "\n"
            "verify walks the audit chain (each event holds the SHA-256 of the one before)\n"
            "and names the first event that was edited, deleted, inserted or reordered;\n"
            "it prints the number of events and the chain's head digest: keep the head\n"
            "somewhere else to detect a rewritten history.  Exit status 0 intact, 1 broken.\n"
            "log prints the newest events (entity: agency user platform operation item\n"
            "hold referral order).\n");
}

static const cli_opt audit_verify_opts[] = {CU_OPT_BY, CU_OPT_JSON, CLI_O_END};
static int audit_verify(int argc, char **argv) {
    cli_args a;
    const char *by = NULL;
    int json = 0, ret = cu_args(&a, "audit verify", audit_verify_opts, argc, argv, audit_usage, 0,
                                0, "", &by, &json);
    if (ret >= 0) return ret;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    ret = CLI_EXIT_OK;
    json_t *o = NULL;
    vigil_status rc = vigil_audit_check(st, cu_by(by), &o, &err); /* verify + head: one call */
    int intact = rc == VIGIL_OK && json_is_true(json_object_get(o, "ok"));
    const char *digest = json_string_value(json_object_get(o, "head"));
    if (rc != VIGIL_OK) {
        ret = cu_fail(rc, &err);
    } else if (json) {
        cu_print_json(o);
    } else if (intact) {
        printf("audit chain intact: %lld events, head %s\n",
               (long long)json_integer_value(json_object_get(o, "events")), digest ? digest : "-");
    } else {
        cli_errorf("%s", json_string_value(json_object_get(o, "error")));
    }
    if (rc == VIGIL_OK && !intact) ret = CLI_EXIT_FAIL;
    json_decref(o);
    vigil_store_close(st);
    return ret;
}

static const cli_opt audit_log_opts[] = {
    CLI_O_STR("entity", 0, O_ENTITY), CLI_O_INT("id", 0, O_ID, 1, CLI_NO_MAX),
    CLI_O_INT("limit", 0, O_LIMIT, 1, 1000000), CU_OPT_BY, CU_OPT_JSON, CLI_O_END};
static int audit_log(int argc, char **argv) {
    const char *entity = NULL, *by = NULL;
    int64_t id = 0;
    int json = 0, limit = 20, c;
    cli_args a;
    cli_args_init(&a, "audit log", audit_log_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_ENTITY: entity = a.arg; break;
        case O_ID: id = (int64_t)a.num; break;
        case O_LIMIT: limit = (int)a.num; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP: audit_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *rows = NULL;
    vigil_status rc = vigil_audit_list(st, cu_by(by), entity, id, limit, &rows, &err);
    vigil_store_close(st);
    static const char *const cols[] = {"id", "at", "actor", "action", "entity", "entity_id", NULL};
    return cu_print_rows(rc, &err, rows, json, cols);
}

int cmd_audit(int argc, char **argv) {
    static const cli_sub subs[] = {{"verify", audit_verify, audit_verify_opts},
                                   {"log", audit_log, audit_log_opts}};
    return cli_dispatch("audit", subs, sizeof subs / sizeof subs[0], audit_usage, argc, argv);
}

/* ---- vigil demo -------------------------------------------------------------------------- */

int cmd_demo(int argc, char **argv) {
    static const cli_opt opts[] = {CLI_O_INT("items", 0, O_ITEMS, 1, 1000000),
                                   CLI_O_INT("seed", 0, O_SEED, 0, 4294967295.0), CLI_O_END};
    unsigned n = 400, seed = 1;
    cli_args a;
    int c;
    cli_args_init(&a, "demo", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_ITEMS: n = (unsigned)a.num; break;
        case O_SEED: seed = (unsigned)a.num; break;
        case CLI_HELP:
            printf("usage: vigil demo [--items N] [--seed S]\n\n"
                   "Fills the store (--db) with a synthetic referral action day: agencies, users,\n"
                   "the operation demo-action-day, N reports (default 400) of placeholder URLs on\n"
                   "real platform domains, URL variants of the same items, holds, referrals,\n"
                   "outcomes, removal orders and re-uploads.  No real content.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_demo(st, n, seed, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet)
        printf("demo operation demo-action-day built in %s (%u reports)\n", g_cli.db_path, n);
    return CLI_EXIT_OK;
}
