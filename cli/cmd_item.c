/*
 * cli/cmd_item.c - the work of an action day: `vigil item` (intake,
 * import, assessment, reading), `vigil hold`, `vigil refer`, `vigil
 * outcome`, `vigil order` and `vigil report`.  Thin fronts over
 * vigil/case.h.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case_util.h"
#include "vigil/text.h"

static int is_help(const char *s) {
    return strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0 || strcmp(s, "help") == 0;
}

/* ---- vigil item --------------------------------------------------------------------- */

static void item_usage(FILE *out) {
    fprintf(out,
            "usage: vigil item add OP URL [--type T] [--lang L]... [--affiliation A]\n"
            "                      [--outlet O] [--hash TYPE:HEX]... [--observed T]\n"
            "                      [--notes TEXT] [--text FILE] [--by USER] [--json]\n"
            "       vigil item import OP FILE.csv [--skip-bad] [--by USER] [--json]\n"
            "       vigil item show ID [--json]\n"
            "       vigil item list [--op OP] [--state S] [--platform P] [--lang L]\n"
            "                       [--type T] [--after ID] [--limit N] [--json]\n"
            "       vigil item assess ID... [--note TEXT] [--at T]\n"
            "       vigil item reject ID... --note REASON [--at T]\n"
            "\n"
            "add files one report of URL in operation OP.  The URL is canonicalised (see\n"
            "`vigil url`): a live item of OP with the same canonical URL gets the report\n"
            "added (both reporters show in its history) instead of a duplicate.  Prints\n"
            "ID,STATE,new|merged,CANONICAL_URL (held: a hold matched; reupload: the URL\n"
            "or a hash was removed before).\n"
            "  T (type): video image audio publication post account other\n"
            "  L: ISO 639-1 code (ar, en, fr, ...); repeat for several\n"
            "  --text FILE: the item's text (UTF-8): its language is identified when no\n"
            "  --lang is given, and its SHA-256 is kept as a content hash\n"
            "import reads CSV with the header url,type,language,affiliation,outlet,\n"
            "observed_at,analyst (any order; url required; language 'ar;en'; analyst an\n"
            "existing user whose agency reports the row; optional hashes 'pdq:HEX;md5:HEX'\n"
            "and notes).  One transaction: a bad row (reported with its line) imports\n"
            "nothing unless --skip-bad.  Progress on a terminal.\n"
            "assess/reject move identified items on (reviewer or coordinator).\n"
            "  --by USER   act as USER (default $VIGIL_USER, else the local administrator)\n"
            "Exit status: 0 done, 1 refused (message on stderr), 2 usage error.\n");
}

static void on_bad(void *ctx, uint64_t line, const char *msg) {
    const char *path = ctx;
    cli_errorf("%s:%llu: %s", path, (unsigned long long)line, msg);
}

static void on_progress(void *ctx, uint64_t rows, uint64_t bytes) {
    (void)ctx;
    (void)bytes;
    cli_progress("importing items", (size_t)rows, 0);
}

int cmd_item(int argc, char **argv) {
    static const struct option opts[] = {{"type", required_argument, NULL, 't'},
                                         {"lang", required_argument, NULL, 'l'},
                                         {"affiliation", required_argument, NULL, 'a'},
                                         {"outlet", required_argument, NULL, 'o'},
                                         {"hash", required_argument, NULL, 'H'},
                                         {"observed", required_argument, NULL, 'O'},
                                         {"notes", required_argument, NULL, 'n'},
                                         {"text", required_argument, NULL, 'X'},
                                         {"note", required_argument, NULL, 'N'},
                                         {"at", required_argument, NULL, 'T'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"skip-bad", no_argument, NULL, 'S'},
                                         {"op", required_argument, NULL, 'p'},
                                         {"state", required_argument, NULL, 's'},
                                         {"platform", required_argument, NULL, 'P'},
                                         {"after", required_argument, NULL, 'A'},
                                         {"limit", required_argument, NULL, 'L'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        item_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *by = NULL, *note = NULL, *at = NULL, *text_path = NULL;
    const char *langs[16], *hashes[16];
    vigil_item_input in = {0};
    vigil_item_filter f = {0};
    int json = 0, skip_bad = 0, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': in.type = f.type = optarg; break;
        case 'l':
            if (in.n_langs == 16) {
                cli_errorf("item: at most 16 --lang");
                return CLI_EXIT_USAGE;
            }
            langs[in.n_langs++] = optarg;
            f.lang = optarg;
            break;
        case 'a': in.affiliation = optarg; break;
        case 'o': in.outlet = optarg; break;
        case 'H':
            if (in.n_hashes == 16) {
                cli_errorf("item: at most 16 --hash");
                return CLI_EXIT_USAGE;
            }
            hashes[in.n_hashes++] = optarg;
            break;
        case 'O': in.observed_at = optarg; break;
        case 'n': in.notes = optarg; break;
        case 'X': text_path = optarg; break;
        case 'N': note = optarg; break;
        case 'T': at = optarg; break;
        case 'b': by = optarg; break;
        case 'S': skip_bad = 1; break;
        case 'p': f.op = optarg; break;
        case 's': f.state = optarg; break;
        case 'P': f.platform = optarg; break;
        case 'A': {
            char *end;
            errno = 0;
            f.after_id = strtoll(optarg, &end, 10);
            if (*end || errno || f.after_id < 0) {
                cli_errorf("--after: '%s' is not an item id", optarg);
                return CLI_EXIT_USAGE;
            }
            break;
        }
        case 'L': f.limit = atoi(optarg); break;
        case 'j': json = 1; break;
        case 'h': item_usage(stdout); return CLI_EXIT_OK;
        default: item_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    in.langs = langs;
    in.hashes = hashes;
    by = cu_by(by);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc;
    int ret = CLI_EXIT_OK;
    if (strcmp(sub, "add") == 0) {
        if (optind + 2 != argc) {
            cli_errorf("item add: give OP and URL");
            return CLI_EXIT_USAGE;
        }
        in.op = argv[optind];
        in.url = argv[optind + 1];
        char *text = NULL;
        if (text_path) {
            size_t tl = 0;
            rc = vigil_text_read_file(text_path, 16u << 20, &text, &tl, &err);
            if (rc != VIGIL_OK) {
                cli_input_error(text_path, rc, &err);
                return CLI_EXIT_FAIL;
            }
            in.text = text;
            in.text_len = tl;
        }
        vigil_store *st = cu_open();
        if (!st) {
            free(text);
            return CLI_EXIT_FAIL;
        }
        vigil_item_result res;
        rc = vigil_item_add(st, by, &in, &res, &err);
        vigil_store_close(st);
        free(text);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "id", json_integer(res.id));
            json_object_set_new(o, "state", json_string(res.state));
            json_object_set_new(o, "created", json_boolean(res.created));
            json_object_set_new(o, "canonical_url", json_string(res.canonical_url));
            json_object_set_new(o, "held", json_boolean(res.held));
            json_object_set_new(o, "reupload_of",
                                res.reupload_of ? json_integer(res.reupload_of) : json_null());
            cu_print_json(o);
            json_decref(o);
        } else {
            printf("%lld,%s,%s,%s", (long long)res.id, res.state, res.created ? "new" : "merged",
                   res.canonical_url);
            if (res.reupload_of) printf(",reupload-of:%lld", (long long)res.reupload_of);
            putchar('\n');
        }
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "import") == 0) {
        if (optind + 2 != argc) {
            cli_errorf("item import: give OP and FILE.csv ('-' for standard input)");
            return CLI_EXIT_USAGE;
        }
        const char *path = argv[optind + 1];
        FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
        if (!fp) {
            cli_errorf("%s: %s", path, strerror(errno));
            return CLI_EXIT_FAIL;
        }
        vigil_store *st = cu_open();
        if (!st) {
            if (fp != stdin) fclose(fp);
            return CLI_EXIT_FAIL;
        }
        vigil_item_import_opts o = {skip_bad, on_bad, on_progress, (void *)path};
        vigil_item_import_stats s;
        rc = vigil_item_import(st, by, argv[optind], fp, &o, &s, &err);
        cli_progress_end();
        vigil_store_close(st);
        if (fp != stdin) fclose(fp);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (json)
            printf("{\"rows\":%llu,\"created\":%llu,\"merged\":%llu,\"held\":%llu,\"bad\":%llu}\n",
                   (unsigned long long)s.rows, (unsigned long long)s.created,
                   (unsigned long long)s.merged, (unsigned long long)s.held,
                   (unsigned long long)s.bad);
        else if (!g_cli.quiet)
            printf("%llu rows: %llu new items, %llu further reports, %llu held, %llu bad rows "
                   "skipped\n",
                   (unsigned long long)s.rows, (unsigned long long)s.created,
                   (unsigned long long)s.merged, (unsigned long long)s.held,
                   (unsigned long long)s.bad);
        return s.bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    }
    if (strcmp(sub, "show") == 0) {
        int64_t id;
        if (optind + 1 != argc) {
            item_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if (!(id = cu_id(argv[optind], "item"))) return CLI_EXIT_USAGE;
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *v = NULL;
        rc = vigil_item_show(st, by, id, &v, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (json) cu_print_json(v);
        else cu_print_record(v);
        json_decref(v);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0) {
        if (optind != argc) {
            item_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *v = NULL;
        rc = vigil_item_list(st, by, &f, &v, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        static const char *const cols[] = {"id",   "state",     "platform", "type", "languages",
                                           "agency", "reports", "canonical_url", NULL};
        if (json) {
            cu_print_json(v);
        } else {
            cu_print_table(json_object_get(v, "items"), cols);
            json_t *next = json_object_get(v, "next");
            if (json_is_integer(next))
                fprintf(stderr, "(more: --after %lld)\n", (long long)json_integer_value(next));
        }
        json_decref(v);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "assess") == 0 || strcmp(sub, "reject") == 0) {
        int reject = sub[0] == 'r';
        if (optind >= argc) {
            cli_errorf("item %s: give item ids", sub);
            return CLI_EXIT_USAGE;
        }
        if (reject && !note) {
            cli_errorf("item reject: give the reason with --note");
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        for (int i = optind; i < argc; i++) {
            int64_t id = cu_id(argv[i], "item");
            if (!id) {
                ret = CLI_EXIT_FAIL;
                continue;
            }
            rc = vigil_item_transition(st, by, id, reject ? "rejected" : "assessed", at, note, &err);
            if (rc != VIGIL_OK) ret = cu_fail(rc, &err);
            else if (!g_cli.quiet) printf("%lld,%s\n", (long long)id, reject ? "rejected" : "assessed");
        }
        vigil_store_close(st);
        return ret;
    }
    cli_errorf("item: unknown subcommand '%s' (add, import, show, list, assess, reject)", sub);
    return CLI_EXIT_USAGE;
}

/* ---- vigil hold ---------------------------------------------------------------------- */

static void hold_usage(FILE *out) {
    fprintf(out,
            "usage: vigil hold add --agency CODE (--prefix URL | --account PLATFORM:HANDLE |\n"
            "                      --hash TYPE:HEX) --reason R [--until T] [--by USER]\n"
            "       vigil hold release ID [--by USER]\n"
            "       vigil hold list [--all] [--json]\n"
            "\n"
            "Deconfliction.  An agency's hold on a URL prefix, an account or content (a\n"
            "PDQ hash within distance 31, or an exact MD5/SHA-256) keeps matching items in\n"
            "state held, not referable, and records the agency as to be notified.  Holds are\n"
            "checked at intake, when added, and again at referral.  Only the holding agency\n"
            "or an admin releases a hold; items then return to their earlier state.\n"
            "add prints the hold's ID.\n");
}

int cmd_hold(int argc, char **argv) {
    static const struct option opts[] = {{"agency", required_argument, NULL, 'a'},
                                         {"prefix", required_argument, NULL, 'p'},
                                         {"account", required_argument, NULL, 'c'},
                                         {"hash", required_argument, NULL, 'H'},
                                         {"reason", required_argument, NULL, 'r'},
                                         {"until", required_argument, NULL, 'u'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"all", no_argument, NULL, 'A'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        hold_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *agency = NULL, *kind = NULL, *value = NULL, *reason = NULL,
               *until = NULL, *by = NULL;
    int json = 0, all = 0, nkinds = 0, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': agency = optarg; break;
        case 'p': kind = "prefix", value = optarg, nkinds++; break;
        case 'c': kind = "account", value = optarg, nkinds++; break;
        case 'H': kind = "hash", value = optarg, nkinds++; break;
        case 'r': reason = optarg; break;
        case 'u': until = optarg; break;
        case 'b': by = optarg; break;
        case 'A': all = 1; break;
        case 'j': json = 1; break;
        case 'h': hold_usage(stdout); return CLI_EXIT_OK;
        default: hold_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    by = cu_by(by);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc;
    if (strcmp(sub, "add") == 0) {
        if (optind != argc || !agency || nkinds != 1 || !reason) {
            cli_errorf("hold add: give --agency, one of --prefix/--account/--hash, and --reason");
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        int64_t id = 0;
        rc = vigil_hold_add(st, by, agency, kind, value, until, reason, &id, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        printf("%lld\n", (long long)id);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "release") == 0) {
        int64_t id;
        if (optind + 1 != argc) {
            hold_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if (!(id = cu_id(argv[optind], "hold"))) return CLI_EXIT_USAGE;
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        rc = vigil_hold_release(st, by, id, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) printf("hold %lld released\n", (long long)id);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0) {
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *v = NULL;
        rc = vigil_hold_list(st, by, all, &v, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        static const char *const cols[] = {"id", "agency", "kind", "value", "active", "until",
                                           "reason", NULL};
        if (json) cu_print_json(v);
        else cu_print_table(v, cols);
        json_decref(v);
        return CLI_EXIT_OK;
    }
    cli_errorf("hold: unknown subcommand '%s' (add, release, list)", sub);
    return CLI_EXIT_USAGE;
}

/* ---- vigil refer ------------------------------------------------------------------------ */

/* Writes one referral document as DIR/referral-ID.json and .csv. */
static int write_referral(const char *dir, json_t *doc) {
    char path[4096];
    long long id = (long long)json_integer_value(json_object_get(doc, "referral_id"));
    snprintf(path, sizeof path, "%s/referral-%lld.json", dir, id);
    if (json_dump_file(doc, path, JSON_INDENT(2)) != 0) {
        cli_errorf("%s: cannot write", path);
        return -1;
    }
    snprintf(path, sizeof path, "%s/referral-%lld.csv", dir, id);
    FILE *fp = fopen(path, "w");
    if (!fp) {
        cli_errorf("%s: %s", path, strerror(errno));
        return -1;
    }
    fprintf(fp, "referral_id,platform,item_id,url,canonical_url,type,languages,observed_at\n");
    size_t i;
    json_t *it;
    json_array_foreach(json_object_get(doc, "items"), i, it) {
        const char *f[] = {json_string_value(json_object_get(it, "url")),
                           json_string_value(json_object_get(it, "canonical_url"))};
        fprintf(fp, "%lld,\"%s\",%lld", id, json_string_value(json_object_get(doc, "platform")),
                (long long)json_integer_value(json_object_get(it, "item_id")));
        for (int k = 0; k < 2; k++) { /* quote, doubling quotes */
            fputs(",\"", fp);
            for (const char *p = f[k] ? f[k] : ""; *p; p++) {
                if (*p == '"') fputc('"', fp);
                fputc(*p, fp);
            }
            fputc('"', fp);
        }
        fprintf(fp, ",%s,", json_string_value(json_object_get(it, "type")));
        size_t j;
        json_t *l;
        json_array_foreach(json_object_get(it, "languages"), j, l) {
            fprintf(fp, "%s%s", j ? ";" : "", json_string_value(l));
        }
        const char *obs = json_string_value(json_object_get(it, "observed_at"));
        fprintf(fp, ",%s\n", obs ? obs : "");
    }
    if (fclose(fp) != 0) {
        cli_errorf("%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

int cmd_refer(int argc, char **argv) {
    static const struct option opts[] = {{"platform", required_argument, NULL, 'p'},
                                         {"channel", required_argument, NULL, 'c'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"at", required_argument, NULL, 'T'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *platform = NULL, *channel = NULL, *out = NULL, *at = NULL, *by = NULL;
    int json = 0, c;
    optind = 0; /* a fresh scan: options may follow the operands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'p': platform = optarg; break;
        case 'c': channel = optarg; break;
        case 'o': out = optarg; break;
        case 'T': at = optarg; break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h':
            printf("usage: vigil refer OP [--platform P] [--out DIR] [--channel CH] [--at T]\n"
                   "                  [--by USER] [--json]\n\n"
                   "Checks the assessed items of OP against the holds again (matches are held),\n"
                   "then creates one referral per platform (or only for P) with all its assessed\n"
                   "items, which become referred.  Prints REFERRAL_ID,PLATFORM,ITEMS per referral;\n"
                   "--out DIR writes each as DIR/referral-ID.json and .csv for the platform;\n"
                   "--json prints the documents.  Coordinator or admin.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        cli_errorf("refer: usage: vigil refer OP [--platform P] [--out DIR]");
        return CLI_EXIT_USAGE;
    }
    if (out) {
        struct stat sb;
        if (mkdir(out, 0777) != 0 && (errno != EEXIST || stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))) {
            cli_errorf("%s: cannot create the output directory: %s", out, strerror(errno));
            return CLI_EXIT_FAIL;
        }
    }
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    json_t *docs = NULL;
    vigil_status rc = vigil_refer(st, cu_by(by), argv[optind], platform, channel, at, &docs, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    int ret = CLI_EXIT_OK;
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d) {
        if (out && write_referral(out, d) != 0) ret = CLI_EXIT_FAIL;
        if (!json)
            printf("%lld,%s,%zu\n", (long long)json_integer_value(json_object_get(d, "referral_id")),
                   json_string_value(json_object_get(d, "platform")),
                   json_array_size(json_object_get(d, "items")));
    }
    if (json) cu_print_json(docs);
    else if (json_array_size(docs) == 0 && !g_cli.quiet)
        fprintf(stderr, "vigil: no assessed items to refer in %s\n", argv[optind]);
    json_decref(docs);
    return ret;
}

/* ---- vigil outcome ------------------------------------------------------------------------ */

int cmd_outcome(int argc, char **argv) {
    static const struct option opts[] = {{"at", required_argument, NULL, 'T'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *at = NULL, *by = NULL;
    int c;
    optind = 0; /* a fresh scan: options may follow the operands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'T': at = optarg; break;
        case 'b': by = optarg; break;
        case 'h':
            printf("usage: vigil outcome ITEM removed|declined|no_response [--at T] [--by USER]\n\n"
                   "Records the platform's response to a referred item (at T, default now).\n"
                   "A platform's liaison may answer only for items referred to their platform.\n"
                   "Late answers: no_response -> removed|declined, declined -> removed.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (optind + 2 != argc) {
        cli_errorf("outcome: usage: vigil outcome ITEM removed|declined|no_response [--at T]");
        return CLI_EXIT_USAGE;
    }
    int64_t id = cu_id(argv[optind], "item");
    if (!id) return CLI_EXIT_USAGE;
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_outcome(st, cu_by(by), id, argv[optind + 1], at, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("%lld,%s\n", (long long)id, argv[optind + 1]);
    return CLI_EXIT_OK;
}

/* ---- vigil order -------------------------------------------------------------------------- */

static void order_usage(FILE *out) {
    fprintf(out,
            "usage: vigil order create --authority A (--item ID | --url URL) [--platform P]\n"
            "                          [--received T] [--by USER]\n"
            "       vigil order ack ID [--at T]\n"
            "       vigil order done ID [--at T]\n"
            "       vigil order fail ID --reason R [--at T]\n"
            "       vigil order list [--overdue] [--json]\n"
            "\n"
            "Removal orders under the TCO Regulation (EU) 2021/784: the hosting platform must\n"
            "act within one hour of receipt.  The deadline is computed (received + 1 h), never\n"
            "typed in.  done: the content was removed or disabled (its item becomes removed);\n"
            "fail: not acted on, R one of force_majeure, impossibility, manifest_error,\n"
            "insufficient_information, other.  list shows the time left (or overdue) of each\n"
            "open order; --overdue only those past the deadline.  create prints the ID.\n");
}

static void fmt_dur(long long s, char *out, size_t cap) {
    long long a = s < 0 ? -s : s;
    snprintf(out, cap, "%lldh%02lldm", a / 3600, a / 60 % 60);
}

int cmd_order(int argc, char **argv) {
    static const struct option opts[] = {{"authority", required_argument, NULL, 'a'},
                                         {"item", required_argument, NULL, 'i'},
                                         {"url", required_argument, NULL, 'u'},
                                         {"platform", required_argument, NULL, 'p'},
                                         {"received", required_argument, NULL, 'r'},
                                         {"reason", required_argument, NULL, 'R'},
                                         {"at", required_argument, NULL, 'T'},
                                         {"overdue", no_argument, NULL, 'o'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    if (argc < 2 || is_help(argv[1])) {
        order_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    const char *sub = argv[1], *reason = NULL, *at = NULL, *by = NULL;
    vigil_order_input in = {0};
    int json = 0, overdue = 0, c;
    argc--, argv++;
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'a': in.authority = optarg; break;
        case 'i':
            if (!(in.item = cu_id(optarg, "--item"))) return CLI_EXIT_USAGE;
            break;
        case 'u': in.url = optarg; break;
        case 'p': in.platform = optarg; break;
        case 'r': in.received = optarg; break;
        case 'R': reason = optarg; break;
        case 'T': at = optarg; break;
        case 'o': overdue = 1; break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h': order_usage(stdout); return CLI_EXIT_OK;
        default: order_usage(stderr); return CLI_EXIT_USAGE;
        }
    }
    by = cu_by(by);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc;
    if (strcmp(sub, "create") == 0) {
        if (optind != argc || !in.authority || (!in.item && !in.url)) {
            cli_errorf("order create: give --authority and --item or --url");
            return CLI_EXIT_USAGE;
        }
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        int64_t id = 0;
        rc = vigil_order_create(st, by, &in, &id, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        printf("%lld\n", (long long)id);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "ack") == 0 || strcmp(sub, "done") == 0 || strcmp(sub, "fail") == 0) {
        int64_t id;
        if (optind + 1 != argc) {
            order_usage(stderr);
            return CLI_EXIT_USAGE;
        }
        if (!(id = cu_id(argv[optind], "order"))) return CLI_EXIT_USAGE;
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        rc = vigil_order_update(st, by, id, sub, reason, at, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (!g_cli.quiet) printf("order %lld: %s\n", (long long)id, sub);
        return CLI_EXIT_OK;
    }
    if (strcmp(sub, "list") == 0) {
        vigil_store *st = cu_open();
        if (!st) return CLI_EXIT_FAIL;
        json_t *v = NULL;
        rc = vigil_order_list(st, by, overdue, &v, &err);
        vigil_store_close(st);
        if (rc != VIGIL_OK) return cu_fail(rc, &err);
        if (json) {
            cu_print_json(v);
        } else {
            size_t i;
            json_t *o;
            json_array_foreach(v, i, o) { /* the clock as people read it */
                json_t *left = json_object_get(o, "seconds_left");
                char d[32], clock[48];
                if (json_is_integer(left)) {
                    long long s = json_integer_value(left);
                    fmt_dur(s, d, sizeof d);
                    snprintf(clock, sizeof clock, "%s %s", s < 0 ? "OVERDUE" : "left", d);
                } else {
                    snprintf(clock, sizeof clock, "%s",
                             json_is_true(json_object_get(o, "late")) ? "late" : "-");
                }
                json_object_set_new(o, "clock", json_string(clock));
            }
            static const char *const cols[] = {"id",    "status",   "clock", "deadline_at",
                                               "platform", "authority", "item", "url", NULL};
            cu_print_table(v, cols);
        }
        json_decref(v);
        return CLI_EXIT_OK;
    }
    cli_errorf("order: unknown subcommand '%s' (create, ack, done, fail, list)", sub);
    return CLI_EXIT_USAGE;
}

/* ---- vigil report ---------------------------------------------------------------------------- */

int cmd_report(int argc, char **argv) {
    static const struct option opts[] = {{"tco", required_argument, NULL, 't'},
                                         {"by", required_argument, NULL, 'b'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *by = NULL;
    int json = 0, year = 0, c;
    optind = 0; /* a fresh scan: options may follow the operands */
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 't': year = atoi(optarg); break;
        case 'b': by = optarg; break;
        case 'j': json = 1; break;
        case 'h':
            printf("usage: vigil report OP [--json]\n"
                   "       vigil report --tco YEAR [--json]\n\n"
                   "OP: the operation's figures: distinct items, languages, platforms (and how\n"
                   "many were new), by type/affiliation/outlet/state, referred, removed,\n"
                   "declined, pending, removal rate, median and 90th-percentile time from\n"
                   "referral to removal, a per-platform table, re-uploads.\n"
                   "--tco YEAR: the TCO Regulation's Article 7 transparency figures: removal\n"
                   "orders received, acted on (within the hour or late), not acted on by reason,\n"
                   "items removed.  See docs/operations.md for every figure's definition.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if ((year == 0) != (optind + 1 == argc) || optind + 1 < argc) {
        cli_errorf("report: usage: vigil report OP | vigil report --tco YEAR");
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    json_t *r = NULL;
    vigil_status rc = year ? vigil_report_tco(st, cu_by(by), year, &r, &err)
                           : vigil_report_op(st, cu_by(by), argv[optind], &r, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json) {
        cu_print_json(r);
    } else if (year) {
        cu_print_record(r);
    } else {
        printf("%s: %lld items in %lld languages on %lld platforms (%lld new)\n",
               json_string_value(json_object_get(r, "operation")),
               (long long)json_integer_value(json_object_get(r, "items")),
               (long long)json_integer_value(json_object_get(r, "languages")),
               (long long)json_integer_value(json_object_get(r, "platforms")),
               (long long)json_integer_value(json_object_get(r, "new_platforms")));
        json_t *per = json_object_get(r, "per_platform");
        json_incref(per);
        json_object_del(r, "per_platform");
        cu_print_record(r);
        printf("per platform:\n");
        static const char *const cols[] = {"platform", "status", "items", "referred", "removed",
                                           "removal_rate", "median_removal_seconds", NULL};
        cu_print_table(per, cols);
        json_decref(per);
    }
    json_decref(r);
    return CLI_EXIT_OK;
}
