/*
 * cli/cmd_case.c - the actors and operations of the case store:
 * `vigil agency`, `vigil user`, `vigil platform`, `vigil op`, `vigil audit`
 * and `vigil demo`.  Thin fronts over vigil/case.h.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "case_util.h"
#include "passwd.h"

static int is_help(const char *s) {
    return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "help") == 0;
}

/* ---- vigil agency ------------------------------------------------------------ */

static void agency_usage(FILE *out) {
    fprintf(out,
            "usage: vigil agency add CODE [--name NAME] [--country CC]\n"
            "       vigil agency list [--json]\n"
            "\n"
            "Agencies (police units, IRUs) that take part in operations.  CODE is short and\n"
            "unique (letters, digits, '-', '_', '.'); CC is an ISO 3166-1 alpha-2 country.\n"
            "Adding agencies needs an admin (or the local administrator: no --by).\n"
            "\n"
            "  --by USER   act as USER (default $VIGIL_USER, else the local administrator)\n"
            "  --json      JSON output\n");
}

int cmd_agency(int argc, char **argv) {
    static const struct option opts[] = {{"name", required_argument, NULL, 'n'},
                                         {"country", required_argument, NULL, 'c'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        agency_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *name = NULL, *country = NULL, *by = NULL;
    int json = 0, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': name = optarg; break;
        case 'c': country = optarg; break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h': agency_usage(stdout); return CLI_EXIT_OK;
        default: agency_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    vigil_err err;
    vigil_err_clear(&err);
    if (strcmp(sub, "add") == 0) {
        if (optind + 1 != argc) {
            agency_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        vigil_status rc = vigil_agency_add(st, cu_by(by), argv[optind], name, country, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) printf("agency %s added\n", argv[optind]);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0) {
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *rows = NULL;
        vigil_status rc = vigil_agency_list(st, &rows, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        static const char *const cols[] = {"code", "country", "name", NULL};
        if (json) cu_print_json(rows);
        else cu_print_table(rows, cols);
        json_decref(rows);
        return CLI_EXIT_OK;
    }
    cli_errorf("agency: unknown subcommand '%s' (add, list)", sub);
    return CLI_EXIT_USAGE;
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

int cmd_user(int argc, char **argv) {
    static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
                                         {"agency", required_argument, NULL, 'a'},
                                         {"platform", required_argument, NULL, 'p'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        user_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *role = NULL, *agency = NULL, *platform = NULL, *by = NULL;
    int json = 0, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': role = optarg; break;
        case 'a': agency = optarg; break;
        case 'p': platform = optarg; break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h': user_usage(stdout); return CLI_EXIT_OK;
        default: user_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    vigil_err err;
    vigil_err_clear(&err);
    if (strcmp(sub, "add") == 0) {
        if (optind + 1 != argc || !role || (!agency == !platform)) {
            cli_errorf("user add: give NAME, --role and one of --agency or --platform");
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        char token[VIGIL_TOKEN_LEN + 1];
        vigil_status rc = vigil_user_add(st, cu_by(by), argv[optind], role, agency, platform, &err);
        if (rc == VIGIL_OK) rc = vigil_user_token_issue(st, cu_by(by), argv[optind], token, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) fprintf(stderr, "user %s added (%s); API token (shown once):\n", argv[optind], role);
        printf("%s\n", token);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "token") == 0 || strcmp(sub, "revoke") == 0) {
        if (optind + 1 != argc) {
            user_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        char token[VIGIL_TOKEN_LEN + 1];
        vigil_status rc = sub[0] == 't' ? vigil_user_token_issue(st, cu_by(by), argv[optind], token, &err)
                                        : vigil_user_revoke(st, cu_by(by), argv[optind], &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (sub[0] == 't') printf("%s\n", token);
        else if (!g_cli.quiet) printf("user %s revoked\n", argv[optind]);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "passwd") == 0) {
        if (optind + 1 != argc) {
            user_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        return cli_user_passwd(argv[optind], cu_by(by));
    }
    if (strcmp(sub, "list") == 0) {
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *rows = NULL;
        vigil_status rc = vigil_user_list(st, cu_by(by), &rows, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        static const char *const cols[] = {"name", "role", "agency", "platform", "revoked", NULL};
        if (json) cu_print_json(rows);
        else cu_print_table(rows, cols);
        json_decref(rows);
        return CLI_EXIT_OK;
    }
    cli_errorf("user: unknown subcommand '%s' (add, token, revoke, passwd, list)", sub);
    return CLI_EXIT_USAGE;
}

/* ---- vigil platform --------------------------------------------------------------- */

static void platform_usage(FILE *out) {
    fprintf(out,
            "usage: vigil platform list [--new] [--json]\n"
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

int cmd_platform(int argc, char **argv) {
    static const struct option opts[] = {{"new", no_argument, NULL, 'N'},
                                         {"kind", required_argument, NULL, 'k'},
                                         {"domain", required_argument, NULL, 'd'},
                                         {"contact", required_argument, NULL, 'c'},
                                         {"channel", required_argument, NULL, 'C'},
                                         {"requires-id", required_argument, NULL, 'r'},
                                         {"status", required_argument, NULL, 's'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        platform_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *by = NULL;
    vigil_platform_fields f = {NULL, NULL, NULL, NULL, -1, NULL};
    int json = 0, only_new = 0, c;
    char domains[2048] = "";
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'N': only_new = 1; break;
        case 'k': f.kind = optarg; break;
        case 'd':
            if (strlen(domains) + strlen(optarg) + 2 >= sizeof domains) {
                cli_errorf("platform: too many domains");
                return CLI_EXIT_USAGE;
            }
            size_t dl = strlen(domains);
            snprintf(domains + dl, sizeof domains - dl, "%s%s", dl ? "," : "", optarg);
            break;
        case 'c': f.contact = optarg; break;
        case 'C': f.channel = optarg; break;
        case 'r':
            if (strcmp(optarg, "yes") == 0) f.requires_id = 1;
            else if (strcmp(optarg, "no") == 0) f.requires_id = 0;
            else {
                cli_errorf("--requires-id takes yes or no");
                return CLI_EXIT_USAGE;
            }
            break;
        case 's': f.status = optarg; break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h': platform_usage(stdout); return CLI_EXIT_OK;
        default: platform_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (*domains) f.domains = domains;
    vigil_err err;
    vigil_err_clear(&err);
    int is_add = strcmp(sub, "add") == 0, is_edit = strcmp(sub, "edit") == 0;
    if (is_add || is_edit) {
        if (optind + 1 != argc) {
            platform_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if (is_add && f.status) {
            cli_errorf("platform add: --status is for edit");
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        vigil_status rc = is_add ? vigil_platform_add(st, cu_by(by), argv[optind], &f, &err)
                                 : vigil_platform_edit(st, cu_by(by), argv[optind], &f, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) printf("platform %s %s\n", argv[optind], is_add ? "added" : "updated");
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0) {
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *rows = NULL;
        vigil_status rc = vigil_platform_list(st, only_new, &rows, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        static const char *const cols[] = {"name",  "kind",  "status", "items", "requires_id",
                                           "channel", "domains", NULL};
        if (json) cu_print_json(rows);
        else cu_print_table(rows, cols);
        json_decref(rows);
        return CLI_EXIT_OK;
    }
    cli_errorf("platform: unknown subcommand '%s' (list, add, edit)", sub);
    return CLI_EXIT_USAGE;
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

int cmd_op(int argc, char **argv) {
    static const struct option opts[] = {{"coordinator", required_argument, NULL, 'c'},
                                         {"participant", required_argument, NULL, 'p'},
                                         {"start", required_argument, NULL, 's'},
                                         {"end", required_argument, NULL, 'e'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        op_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *coord = NULL, *start = NULL, *end = NULL, *by = NULL;
    const char *parts[64];
    size_t np = 0;
    int json = 0, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': coord = optarg; break;
        case 'p':
            if (np == 64) {
                cli_errorf("op: at most 64 participants");
                return CLI_EXIT_USAGE;
            }
            parts[np++] = optarg;
            break;
        case 's': start = optarg; break;
        case 'e': end = optarg; break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h': op_usage(stdout); return CLI_EXIT_OK;
        default: op_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc;
    if (strcmp(sub, "create") == 0) {
        if (optind + 1 != argc || !coord) {
            cli_errorf("op create: give NAME and --coordinator CODE");
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        rc = vigil_op_create(st, cu_by(by), argv[optind], coord, parts, np, start, end, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) printf("operation %s created\n", argv[optind]);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "close") == 0) {
        if (optind + 1 != argc) {
            op_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        rc = vigil_op_close(st, cu_by(by), argv[optind], &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) printf("operation %s closed\n", argv[optind]);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0 || strcmp(sub, "show") == 0) {
        int show = sub[0] == 's';
        if (optind + show != argc) {
            op_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *v = NULL;
        rc = show ? vigil_op_show(st, cu_by(by), argv[optind], &v, &err)
                  : vigil_op_list(st, cu_by(by), &v, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        static const char *const cols[] = {"name", "coordinator", "status", "items", "start",
                                           "end",  "participants", NULL};
        if (json) cu_print_json(v);
        else if (show) cu_print_record(v);
        else cu_print_table(v, cols);
        json_decref(v);
        return CLI_EXIT_OK;
    }
    cli_errorf("op: unknown subcommand '%s' (create, list, show, close)", sub);
    return CLI_EXIT_USAGE;
}

/* ---- vigil audit ---------------------------------------------------------------------- */

static void audit_usage(FILE *out) {
    fprintf(out,
            "usage: vigil audit verify [--json]\n"
            "       vigil audit log [--entity E --id N] [--limit N] [--json]\n"
            "\n"
            "verify walks the audit chain (each event holds the SHA-256 of the one before)\n"
            "and names the first event that was edited, deleted, inserted or reordered;\n"
            "it prints the number of events and the chain's head digest: keep the head\n"
            "somewhere else to detect a rewritten history.  Exit status 0 intact, 1 broken.\n"
            "log prints the newest events (entity: agency user platform operation item\n"
            "hold referral order).\n");
}

int cmd_audit(int argc, char **argv) {
    static const struct option opts[] = {{"entity", required_argument, NULL, 'e'},
                                         {"id", required_argument, NULL, 'i'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        audit_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *entity = NULL;
    int64_t id = 0;
    int json = 0, limit = 20, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'e': entity = optarg; break;
        case 'i':
            if (!(id = cu_id(optarg, "--id"))) return CLI_EXIT_USAGE;
            break;
        case 'l': limit = atoi(optarg); break;
        case 'j': json = 1; break;
        case 'h': audit_usage(stdout); return CLI_EXIT_OK;
        default: audit_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        audit_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    int ret = CLI_EXIT_OK;
    if (strcmp(sub, "verify") == 0) {
        int64_t n = 0, bad = 0;
        vigil_status rc = vigil_audit_verify(st, &n, &bad, &err);
        json_t *head = NULL;
        vigil_audit_list(st, NULL, 0, 1, &head, NULL);
        const char *digest = json_string_value(json_object_get(json_array_get(head, 0), "digest"));
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "ok", json_boolean(rc == VIGIL_OK));
            json_object_set_new(o, "events", json_integer(n));
            if (rc == VIGIL_OK) {
                json_object_set_new(o, "head", digest ? json_string(digest) : json_null());
            } else {
                json_object_set_new(o, "first_bad", json_integer(bad));
                json_object_set_new(o, "error", json_string(err.msg));
            }
            cu_print_json(o);
            json_decref(o);
        } else if (rc == VIGIL_OK) {
            printf("audit chain intact: %lld events, head %s\n", (long long)n, digest ? digest : "-");
        }
        if (rc != VIGIL_OK) {
            if (!json) cu_fail(rc, &err);
            ret = CLI_EXIT_FAIL;
        }
        json_decref(head);
    } else if (strcmp(sub, "log") == 0) {
        json_t *rows = NULL;
        vigil_status rc = vigil_audit_list(st, entity, id, limit, &rows, &err);
        if (rc != VIGIL_OK) {
            ret = cu_fail(rc, &err);
        } else if (json) {
            cu_print_json(rows);
        } else {
            static const char *const cols[] = {"id", "at", "actor", "action", "entity", "entity_id", NULL};
            cu_print_table(rows, cols);
        }
        json_decref(rows);
    } else {
        cli_errorf("audit: unknown subcommand '%s' (verify, log)", sub);
        ret = CLI_EXIT_USAGE;
    }
    vigil_store_close(st);
    return ret;
}

/* ---- vigil demo -------------------------------------------------------------------------- */

int cmd_demo(int argc, char **argv) {
    static const struct option opts[] = {{"items", required_argument, NULL, 'n'},
                                         {"seed", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    unsigned n = 400, seed = 1;
    int c;
    optind = 0; /* a fresh scan: options may follow the operands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': n = (unsigned)strtoul(optarg, NULL, 10); break;
        case 's': seed = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'h':
            printf("usage: vigil demo [--items N] [--seed S]\n\n"
                   "Fills the store (--db) with a synthetic referral action day: agencies, users,\n"
                   "the operation demo-action-day, N reports (default 400) of placeholder URLs on\n"
                   "real platform domains, URL variants of the same items, holds, referrals,\n"
                   "outcomes, removal orders and re-uploads.  No real content.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (optind != argc || n == 0) {
        cli_errorf("demo: usage: vigil demo [--items N] [--seed S]");
        return CLI_EXIT_USAGE;
    }
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
