/*
 * cli/cmd_item.c - the work of an action day: `vigil item` (intake,
 * import, assessment, reading), `vigil hold`, `vigil refer`, `vigil
 * outcome`, `vigil order` and `vigil report`.  Thin fronts over
 * vigil/case.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "case_util.h"
#include "cli_video.h"
#include "vigil/text.h"

/* The options of this file's commands (besides --by and --json); each
 * subcommand's table takes its own. */
enum {
    O_TYPE = 1,
    O_LANG,
    O_AFFIL,
    O_OUTLET,
    O_HASH,
    O_OBSERVED,
    O_NOTES,
    O_TEXT,
    O_NOTE,
    O_AT,
    O_SKIPBAD,
    O_OP,
    O_STATE,
    O_PLATFORM,
    O_AFTER,
    O_LIMIT,
    O_AGENCY,
    O_PREFIX,
    O_ACCOUNT,
    O_REASON,
    O_UNTIL,
    O_ALL,
    O_CHANNEL,
    O_OUT,
    O_AUTHORITY,
    O_ITEM,
    O_URL,
    O_RECEIVED,
    O_OVERDUE,
    O_TCO,
    O_RECOUNT,
    O_REPORTER,
    O_SORT,
    O_OFFSET,
    O_VPDQ,
    O_VIDEO
};

/* ---- vigil item --------------------------------------------------------------------- */

static void item_usage(FILE *out) {
    fprintf(out,
            "usage: vigil item add OP URL [--type T] [--lang L]... [--affiliation A]\n"
            "                      [--outlet O] [--hash TYPE:HEX]... [--observed T]\n"
            "                      [--notes TEXT] [--text FILE] [--vpdq FILE | --video FILE]\n"
            "                      [--by USER] [--json]\n"
            "       vigil item import OP FILE.csv [--skip-bad] [--by USER] [--json]\n"
            "       vigil item show ID [--json]\n"
            "       vigil item audit ID [--limit N] [--json]\n"
            "       vigil item list [--op OP] [--state S] [--platform P] [--lang L]\n"
            "                       [--type T] [--agency CODE] [--reporter USER]\n"
            "                       [--sort ORDER] [--after ID] [--offset N] [--limit N] [--json]\n"
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
            "  --lang is given, its SHA-256 is kept as a content hash, and near-duplicate\n"
            "  texts join one content cluster\n"
            "  --vpdq FILE: the item's video hash (`vigil hash --vpdq VIDEO` output, or any\n"
            "  video value form); --video FILE hashes the video FILE itself (1 frame/s);\n"
            "  items whose videos match (vPDQ, the banks' default rule) join one cluster\n"
            "import reads CSV with the header url,type,language,affiliation,outlet,\n"
            "observed_at,analyst (any order; url required; language 'ar;en'; analyst an\n"
            "existing user whose agency reports the row; optional hashes 'pdq:HEX;md5:HEX',\n"
            "notes, text (the item's text) and vpdq (its video hash)).  One transaction: a\n"
            "bad row (reported with its line) imports nothing unless --skip-bad.  Progress\n"
            "on a terminal.\n"
            "audit lists the item's audit events, newest first: ID TIME ACTION by USER:\n"
            "the fields of its record each changed (agency staff of its operation).\n"
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

static const cli_opt item_add_opts[] = {CLI_O_STR("type", 0, O_TYPE),
                                        CLI_O_STR("lang", 0, O_LANG),
                                        CLI_O_STR("affiliation", 0, O_AFFIL),
                                        CLI_O_STR("outlet", 0, O_OUTLET),
                                        CLI_O_STR("hash", 0, O_HASH),
                                        CLI_O_STR("observed", 0, O_OBSERVED),
                                        CLI_O_STR("notes", 0, O_NOTES),
                                        CLI_O_STR("text", 0, O_TEXT),
                                        CLI_O_STR("vpdq", 0, O_VPDQ),
                                        CLI_O_STR("video", 0, O_VIDEO),
                                        CU_OPT_BY,
                                        CU_OPT_JSON,
                                        CLI_O_END};
static int item_add(int argc, char **argv) {
    const char *by = NULL, *text_path = NULL, *vpdq_path = NULL, *video_path = NULL;
    const char *langs[16], *hashes[16];
    vigil_item_input in = {0};
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "item add", item_add_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_TYPE: in.type = a.arg; break;
        case O_LANG:
            if (in.n_langs == 16) {
                cli_errorf("item: at most 16 --lang");
                return CLI_EXIT_USAGE;
            }
            langs[in.n_langs++] = a.arg;
            break;
        case O_AFFIL: in.affiliation = a.arg; break;
        case O_OUTLET: in.outlet = a.arg; break;
        case O_HASH:
            if (in.n_hashes == 16) {
                cli_errorf("item: at most 16 --hash");
                return CLI_EXIT_USAGE;
            }
            hashes[in.n_hashes++] = a.arg;
            break;
        case O_OBSERVED: in.observed_at = a.arg; break;
        case O_NOTES: in.notes = a.arg; break;
        case O_TEXT: text_path = a.arg; break;
        case O_VPDQ: vpdq_path = a.arg; break;
        case O_VIDEO: video_path = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP: item_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    in.langs = langs;
    in.hashes = hashes;
    if (a.argc != 2) {
        cli_errorf("item add: give OP and URL");
        return CLI_EXIT_USAGE;
    }
    if (vpdq_path && video_path) {
        cli_errorf("item add: give one of --vpdq FILE (a video hash) and --video FILE (a video)");
        return CLI_EXIT_USAGE;
    }
    in.op = a.argv[0];
    in.url = a.argv[1];
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc;
    char *text = NULL, *vpdq = NULL;
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
    if (video_path) cli_video_init();
    if ((vpdq_path && !cli_vpdq_value(vpdq_path, &vpdq)) ||
        (video_path && !cli_video_value(video_path, &vpdq))) {
        free(text);
        return CLI_EXIT_FAIL;
    }
    in.vpdq = vpdq;
    vigil_store *st = cu_open();
    if (!st) {
        free(text);
        free(vpdq);
        return CLI_EXIT_FAIL;
    }
    vigil_item_result res;
    rc = vigil_item_add(st, cu_by(by), &in, &res, &err);
    vigil_store_close(st);
    free(text);
    free(vpdq);
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

static const cli_opt item_import_opts[] = {CLI_O_FLAG("skip-bad", 0, O_SKIPBAD), CU_OPT_BY,
                                           CU_OPT_JSON, CLI_O_END};
static int item_import(int argc, char **argv) {
    const char *by = NULL;
    int json = 0, skip_bad = 0, c;
    cli_args a;
    cli_args_init(&a, "item import", item_import_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_SKIPBAD: skip_bad = 1; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP: item_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 2) {
        cli_errorf("item import: give OP and FILE.csv ('-' for standard input)");
        return CLI_EXIT_USAGE;
    }
    const char *path = a.argv[1];
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
    vigil_err err;
    vigil_err_clear(&err);
    vigil_item_import_opts o = {skip_bad, on_bad, on_progress, (void *)path};
    vigil_item_import_stats s;
    vigil_status rc = vigil_item_import(st, cu_by(by), a.argv[0], fp, &o, &s, &err);
    cli_progress_end();
    vigil_store_close(st);
    if (fp != stdin) fclose(fp);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json)
        printf("{\"rows\":%llu,\"created\":%llu,\"merged\":%llu,\"held\":%llu,\"bad\":%llu}\n",
               (unsigned long long)s.rows, (unsigned long long)s.created,
               (unsigned long long)s.merged, (unsigned long long)s.held, (unsigned long long)s.bad);
    else if (!g_cli.quiet)
        printf("%llu rows: %llu new items, %llu further reports, %llu held, %llu bad rows "
               "skipped\n",
               (unsigned long long)s.rows, (unsigned long long)s.created,
               (unsigned long long)s.merged, (unsigned long long)s.held, (unsigned long long)s.bad);
    return s.bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}

static const cli_opt item_show_opts[] = {CU_OPT_BY, CU_OPT_JSON, CLI_O_END};
static int item_show(int argc, char **argv) {
    const char *by = NULL;
    cli_args a;
    int json = 0, ret = cu_args(&a, "item show", item_show_opts, argc, argv, item_usage, 1, 1, "ID",
                                &by, &json);
    if (ret >= 0) return ret;
    int64_t id = cu_id(a.argv[0], "item");
    if (!id) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status rc = vigil_item_show(st, cu_by(by), id, &v, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json)
        cu_print_json(v);
    else
        cu_print_record(v);
    json_decref(v);
    return CLI_EXIT_OK;
}

static const cli_opt item_audit_opts[] = {CLI_O_INT("limit", 0, O_LIMIT, 1, 10000), CU_OPT_BY,
                                          CU_OPT_JSON, CLI_O_END};
static int item_audit(int argc, char **argv) {
    const char *by = NULL;
    int json = 0, limit = 0;
    cli_args a;
    int ret = cu_args_num(&a, "item audit", item_audit_opts, argc, argv, item_usage, 1, 1, "ID", &by,
                          &json, O_LIMIT, &limit);
    if (ret >= 0) return ret;
    int64_t id = cu_id(a.argv[0], "item");
    if (!id) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status rc = vigil_item_audit(st, cu_by(by), id, limit, &v, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json) {
        cu_print_json(v);
    } else {
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            printf("%lld %s %s by %s", (long long)json_integer_value(json_object_get(e, "id")),
                   json_string_value(json_object_get(e, "at")),
                   json_string_value(json_object_get(e, "action")),
                   json_string_value(json_object_get(e, "actor")));
            json_t *changed = json_object_get(e, "changed");
            for (size_t k = 0; k < json_array_size(changed); k++)
                printf("%s%s", k ? ", " : ": ", json_string_value(json_array_get(changed, k)));
            printf("\n");
        }
    }
    json_decref(v);
    return CLI_EXIT_OK;
}

static const cli_opt item_list_opts[] = {CLI_O_STR("op", 0, O_OP),
                                         CLI_O_STR("state", 0, O_STATE),
                                         CLI_O_STR("platform", 0, O_PLATFORM),
                                         CLI_O_STR("lang", 0, O_LANG),
                                         CLI_O_STR("type", 0, O_TYPE),
                                         CLI_O_INT("after", 0, O_AFTER, 0, CLI_NO_MAX),
                                         CLI_O_INT("limit", 0, O_LIMIT, 1, 10000),
                                         CLI_O_STR("agency", 0, O_AGENCY),
                                         CLI_O_STR("reporter", 0, O_REPORTER),
                                         CLI_O_STR("sort", 0, O_SORT),
                                         CLI_O_INT("offset", 0, O_OFFSET, 0, CLI_NO_MAX),
                                         CU_OPT_BY,
                                         CU_OPT_JSON,
                                         CLI_O_END};
static int item_list(int argc, char **argv) {
    const char *by = NULL;
    vigil_item_filter f = {0};
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "item list", item_list_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_OP: f.op = a.arg; break;
        case O_STATE: f.state = a.arg; break;
        case O_PLATFORM: f.platform = a.arg; break;
        case O_LANG: f.lang = a.arg; break;
        case O_TYPE: f.type = a.arg; break;
        case O_AFTER: f.after_id = (int64_t)a.num; break;
        case O_LIMIT: f.limit = (int)a.num; break;
        case O_AGENCY: f.agency = a.arg; break;
        case O_REPORTER: f.reporter = a.arg; break;
        case O_SORT: f.sort = a.arg; break;
        case O_OFFSET: f.offset = (int64_t)a.num; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP: item_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status rc = vigil_item_list(st, cu_by(by), &f, &v, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    static const char *const cols[] = {"id",     "state",   "platform",      "type", "languages",
                                       "agency", "reports", "canonical_url", NULL};
    if (json) {
        cu_print_json(v);
    } else {
        cu_print_table(json_object_get(v, "items"), cols);
        json_t *next = json_object_get(v, "next");
        json_t *noff = json_object_get(v, "next_offset");
        if (json_is_integer(next))
            fprintf(stderr, "(more: --after %lld)\n", (long long)json_integer_value(next));
        else if (json_is_integer(noff))
            fprintf(stderr, "(more: --offset %lld)\n", (long long)json_integer_value(noff));
    }
    json_decref(v);
    return CLI_EXIT_OK;
}

/* vigil item assess ID..., vigil item reject ID... --note REASON */
static const cli_opt item_transition_opts[] = {CLI_O_STR("note", 0, O_NOTE),
                                               CLI_O_STR("at", 0, O_AT), CU_OPT_BY, CLI_O_END};
static int item_transition(int argc, char **argv) {
    int reject = strcmp(argv[0], "reject") == 0, c, ret = CLI_EXIT_OK;
    const char *note = NULL, *at = NULL, *by = NULL;
    cli_args a;
    cli_args_init(&a, reject ? "item reject" : "item assess", item_transition_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_NOTE: note = a.arg; break;
        case O_AT: at = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: item_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc == 0) {
        cli_errorf("item %s: give item ids", argv[0]);
        return CLI_EXIT_USAGE;
    }
    if (reject && !note) {
        cli_errorf("item reject: give the reason with --note");
        return CLI_EXIT_USAGE;
    }
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    for (int i = 0; i < a.argc; i++) {
        int64_t id = cu_id(a.argv[i], "item");
        if (!id) {
            ret = CLI_EXIT_FAIL;
            continue;
        }
        vigil_status rc = vigil_item_transition(st, cu_by(by), id, reject ? "rejected" : "assessed",
                                                at, note, &err);
        if (rc != VIGIL_OK)
            ret = cu_fail(rc, &err);
        else if (!g_cli.quiet)
            printf("%lld,%s\n", (long long)id, reject ? "rejected" : "assessed");
    }
    vigil_store_close(st);
    return ret;
}

int cmd_item(int argc, char **argv) {
    static const cli_sub subs[] = {{"add", item_add, item_add_opts},
                                   {"import", item_import, item_import_opts},
                                   {"show", item_show, item_show_opts},
                                   {"list", item_list, item_list_opts},
                                   {"audit", item_audit, item_audit_opts},
                                   {"assess", item_transition, item_transition_opts},
                                   {"reject", item_transition, item_transition_opts}};
    return cli_dispatch("item", subs, sizeof subs / sizeof subs[0], item_usage, argc, argv);
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

static const cli_opt hold_add_opts[] = {CLI_O_STR("agency", 0, O_AGENCY),
                                        CLI_O_STR("prefix", 0, O_PREFIX),
                                        CLI_O_STR("account", 0, O_ACCOUNT),
                                        CLI_O_STR("hash", 0, O_HASH),
                                        CLI_O_STR("reason", 0, O_REASON),
                                        CLI_O_STR("until", 0, O_UNTIL),
                                        CU_OPT_BY,
                                        CLI_O_END};
static int hold_add(int argc, char **argv) {
    const char *agency = NULL, *kind = NULL, *value = NULL, *reason = NULL, *until = NULL,
               *by = NULL;
    int nkinds = 0, c;
    cli_args a;
    cli_args_init(&a, "hold add", hold_add_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_AGENCY: agency = a.arg; break;
        case O_PREFIX: kind = "prefix", value = a.arg, nkinds++; break;
        case O_ACCOUNT: kind = "account", value = a.arg, nkinds++; break;
        case O_HASH: kind = "hash", value = a.arg, nkinds++; break;
        case O_REASON: reason = a.arg; break;
        case O_UNTIL: until = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: hold_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 0 || !agency || nkinds != 1 || !reason) {
        cli_errorf("hold add: give --agency, one of --prefix/--account/--hash, and --reason");
        return CLI_EXIT_USAGE;
    }
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    int64_t id = 0;
    vigil_status rc = vigil_hold_add(st, cu_by(by), agency, kind, value, until, reason, &id, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    printf("%lld\n", (long long)id);
    return CLI_EXIT_OK;
}

static const cli_opt hold_release_opts[] = {CU_OPT_BY, CLI_O_END};
static int hold_release(int argc, char **argv) {
    const char *by = NULL;
    cli_args a;
    int ret = cu_args(&a, "hold release", hold_release_opts, argc, argv, hold_usage, 1, 1, "ID",
                      &by, NULL);
    if (ret >= 0) return ret;
    int64_t id = cu_id(a.argv[0], "hold");
    if (!id) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_status rc = vigil_hold_release(st, cu_by(by), id, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("hold %lld released\n", (long long)id);
    return CLI_EXIT_OK;
}

static const cli_opt hold_list_opts[] = {CLI_O_FLAG("all", 0, O_ALL), CU_OPT_BY, CU_OPT_JSON,
                                         CLI_O_END};
static int hold_list(int argc, char **argv) {
    const char *by = NULL;
    int json = 0, all = 0;
    cli_args a;
    int ret = cu_args_flag(&a, "hold list", hold_list_opts, argc, argv, hold_usage, 0, 0, "", &by,
                           &json, O_ALL, &all);
    if (ret >= 0) return ret;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status rc = vigil_hold_list(st, cu_by(by), all, &v, &err);
    vigil_store_close(st);
    static const char *const cols[] = {"id",     "agency", "kind",   "value",
                                       "active", "until",  "reason", NULL};
    return cu_print_rows(rc, &err, v, json, cols);
}

int cmd_hold(int argc, char **argv) {
    static const cli_sub subs[] = {{"add", hold_add, hold_add_opts},
                                   {"release", hold_release, hold_release_opts},
                                   {"list", hold_list, hold_list_opts}};
    return cli_dispatch("hold", subs, sizeof subs / sizeof subs[0], hold_usage, argc, argv);
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
    static const cli_opt opts[] = {CLI_O_STR("platform", 0, O_PLATFORM),
                                   CLI_O_STR("channel", 0, O_CHANNEL),
                                   CLI_O_STR("out", 0, O_OUT),
                                   CLI_O_STR("at", 0, O_AT),
                                   CU_OPT_BY,
                                   CU_OPT_JSON,
                                   CLI_O_END};
    const char *platform = NULL, *channel = NULL, *out = NULL, *at = NULL, *by = NULL;
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "refer", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_PLATFORM: platform = a.arg; break;
        case O_CHANNEL: channel = a.arg; break;
        case O_OUT: out = a.arg; break;
        case O_AT: at = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP:
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
    if (a.argc != 1) {
        cli_errorf("refer: usage: vigil refer OP [--platform P] [--out DIR]");
        return CLI_EXIT_USAGE;
    }
    const char *op = a.argv[0];
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
    vigil_status rc = vigil_refer(st, cu_by(by), op, platform, channel, at, &docs, &err);
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
        fprintf(stderr, "vigil: no assessed items to refer in %s\n", op);
    json_decref(docs);
    return ret;
}

/* ---- vigil outcome ------------------------------------------------------------------------ */

int cmd_outcome(int argc, char **argv) {
    static const cli_opt opts[] = {CLI_O_STR("at", 0, O_AT), CU_OPT_BY, CLI_O_END};
    const char *at = NULL, *by = NULL;
    int c;
    cli_args a;
    cli_args_init(&a, "outcome", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_AT: at = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP:
            printf("usage: vigil outcome ITEM removed|declined|no_response [--at T] [--by USER]\n\n"
                   "Records the platform's response to a referred item (at T, default now).\n"
                   "A platform's liaison may answer only for items referred to their platform.\n"
                   "Late answers: no_response -> removed|declined, declined -> removed.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 2) {
        cli_errorf("outcome: usage: vigil outcome ITEM removed|declined|no_response [--at T]");
        return CLI_EXIT_USAGE;
    }
    int64_t id = cu_id(a.argv[0], "item");
    if (!id) return CLI_EXIT_USAGE;
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_outcome(st, cu_by(by), id, a.argv[1], at, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("%lld,%s\n", (long long)id, a.argv[1]);
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

static const cli_opt order_create_opts[] = {CLI_O_STR("authority", 0, O_AUTHORITY),
                                            CLI_O_INT("item", 0, O_ITEM, 1, CLI_NO_MAX),
                                            CLI_O_STR("url", 0, O_URL),
                                            CLI_O_STR("platform", 0, O_PLATFORM),
                                            CLI_O_STR("received", 0, O_RECEIVED),
                                            CU_OPT_BY,
                                            CLI_O_END};
static int order_create(int argc, char **argv) {
    const char *by = NULL;
    vigil_order_input in = {0};
    int c;
    cli_args a;
    cli_args_init(&a, "order create", order_create_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_AUTHORITY: in.authority = a.arg; break;
        case O_ITEM: in.item = (int64_t)a.num; break;
        case O_URL: in.url = a.arg; break;
        case O_PLATFORM: in.platform = a.arg; break;
        case O_RECEIVED: in.received = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: order_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 0 || !in.authority || (!in.item && !in.url)) {
        cli_errorf("order create: give --authority and --item or --url");
        return CLI_EXIT_USAGE;
    }
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    int64_t id = 0;
    vigil_status rc = vigil_order_create(st, cu_by(by), &in, &id, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    printf("%lld\n", (long long)id);
    return CLI_EXIT_OK;
}

/* vigil order ack|done ID [--at T], vigil order fail ID --reason R [--at T] */
static const cli_opt order_update_opts[] = {CLI_O_STR("at", 0, O_AT), CU_OPT_BY, CLI_O_END};
static const cli_opt order_fail_opts[] = {CLI_O_STR("reason", 0, O_REASON),
                                          CLI_O_STR("at", 0, O_AT), CU_OPT_BY, CLI_O_END};
static int order_update(int argc, char **argv) {
    const char *sub = argv[0], *reason = NULL, *at = NULL, *by = NULL;
    char cmd[32];
    int c;
    snprintf(cmd, sizeof cmd, "order %s", sub);
    cli_args a;
    cli_args_init(&a, cmd, strcmp(sub, "fail") == 0 ? order_fail_opts : order_update_opts, 0, argc,
                  argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_REASON: reason = a.arg; break;
        case O_AT: at = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CLI_HELP: order_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "ID")) return CLI_EXIT_USAGE;
    int64_t id = cu_id(a.argv[0], "order");
    if (!id) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_status rc = vigil_order_update(st, cu_by(by), id, sub, reason, at, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (!g_cli.quiet) printf("order %lld: %s\n", (long long)id, sub);
    return CLI_EXIT_OK;
}

static const cli_opt order_list_opts[] = {CLI_O_FLAG("overdue", 0, O_OVERDUE), CU_OPT_BY,
                                          CU_OPT_JSON, CLI_O_END};
static int order_list(int argc, char **argv) {
    const char *by = NULL;
    int json = 0, overdue = 0;
    cli_args a;
    int ret = cu_args_flag(&a, "order list", order_list_opts, argc, argv, order_usage, 0, 0, "",
                           &by, &json, O_OVERDUE, &overdue);
    if (ret >= 0) return ret;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status rc = vigil_order_list(st, cu_by(by), overdue, &v, &err);
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
                long long sec = json_integer_value(left);
                fmt_dur(sec, d, sizeof d);
                snprintf(clock, sizeof clock, "%s %s", sec < 0 ? "OVERDUE" : "left", d);
            } else {
                snprintf(clock, sizeof clock, "%s",
                         json_is_true(json_object_get(o, "late")) ? "late" : "-");
            }
            json_object_set_new(o, "clock", json_string(clock));
        }
        static const char *const cols[] = {
            "id", "status", "clock", "deadline_at", "platform", "authority", "item", "url", NULL};
        cu_print_table(v, cols);
    }
    json_decref(v);
    return CLI_EXIT_OK;
}

int cmd_order(int argc, char **argv) {
    static const cli_sub subs[] = {{"create", order_create, order_create_opts},
                                   {"ack", order_update, order_update_opts},
                                   {"done", order_update, order_update_opts},
                                   {"fail", order_update, order_fail_opts},
                                   {"list", order_list, order_list_opts}};
    return cli_dispatch("order", subs, sizeof subs / sizeof subs[0], order_usage, argc, argv);
}

/* ---- vigil cluster ------------------------------------------------------------------------ */

static void cluster_usage(FILE *out) {
    fprintf(out,
            "usage: vigil cluster list OP [--limit N] [--by USER] [--json]\n"
            "       vigil cluster refer OP ID [--channel CH] [--at T] [--by USER] [--json]\n\n"
            "Content clusters: items of OP that carry the same content (an equal MD5,\n"
            "SHA-256 or text SHA-256, PDQ hashes within distance 31, near-duplicate texts\n"
            "or matching videos: see `vigil item add --text/--vpdq`), linked as they are\n"
            "filed.  list prints each cluster of two or more items, most platforms first:\n"
            "ID (its smallest item id), items, platforms, copies still up, assessed\n"
            "(referable), first and last seen.  refer refers the cluster's assessed items,\n"
            "one referral per platform (as `vigil refer`), and prints the referral ids.\n");
}

static const cli_opt cluster_list_opts[] = {CLI_O_INT("limit", 0, O_LIMIT, 1, 10000), CU_OPT_BY,
                                            CU_OPT_JSON, CLI_O_END};
static int cluster_list(int argc, char **argv) {
    const char *by = NULL;
    int json = 0, limit = 0;
    cli_args a;
    int ret = cu_args_num(&a, "cluster list", cluster_list_opts, argc, argv, cluster_usage, 1, 1,
                          "OP", &by, &json, O_LIMIT, &limit);
    if (ret >= 0) return ret;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *v = NULL;
    vigil_status rc = vigil_cluster_list(st, cu_by(by), a.argv[0], limit, &v, &err);
    vigil_store_close(st);
    if (rc == VIGIL_OK && !json) { /* the table: platforms as one column */
        size_t k;
        json_t *row;
        json_array_foreach(v, k, row) {
            char list[1024] = "";
            size_t j, used = 0;
            json_t *p;
            json_array_foreach(json_object_get(row, "platforms"), j, p) {
                int w = snprintf(list + used, sizeof list - used, "%s%s", j ? ";" : "",
                                 json_string_value(p));
                if (w < 0 || (size_t)w >= sizeof list - used) break;
                used += (size_t)w;
            }
            json_object_set_new(row, "platforms", json_string(list));
            json_object_del(row, "members");
        }
    }
    static const char *const cols[] = {"id",        "items",     "platform_count", "still_up",
                                       "referable", "first_seen", "last_seen",     "platforms",
                                       NULL};
    return cu_print_rows(rc, &err, v, json, cols);
}

static const cli_opt cluster_refer_opts[] = {CLI_O_STR("channel", 0, O_CHANNEL),
                                             CLI_O_STR("at", 0, O_AT), CU_OPT_BY, CU_OPT_JSON,
                                             CLI_O_END};
static int cluster_refer(int argc, char **argv) {
    const char *by = NULL, *channel = NULL, *at = NULL;
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "cluster refer", cluster_refer_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_CHANNEL: channel = a.arg; break;
        case O_AT: at = a.arg; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP: cluster_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 2, 2, "OP ID")) return CLI_EXIT_USAGE;
    int64_t id = cu_id(a.argv[1], "cluster");
    if (!id) return CLI_EXIT_USAGE;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    json_t *docs = NULL;
    vigil_status rc = vigil_cluster_refer(st, cu_by(by), a.argv[0], id, channel, at, &docs, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json) {
        cu_print_json(docs);
    } else {
        size_t k;
        json_t *d;
        json_array_foreach(docs, k, d) {
            printf("referral %lld: %s, %zu items\n",
                   (long long)json_integer_value(json_object_get(d, "referral_id")),
                   json_string_value(json_object_get(d, "platform")),
                   json_array_size(json_object_get(d, "items")));
        }
        if (!json_array_size(docs) && !g_cli.quiet)
            printf("no assessed item in cluster %lld: nothing referred\n", (long long)id);
    }
    json_decref(docs);
    return CLI_EXIT_OK;
}

int cmd_cluster(int argc, char **argv) {
    static const cli_sub subs[] = {{"list", cluster_list, cluster_list_opts},
                                   {"refer", cluster_refer, cluster_refer_opts}};
    return cli_dispatch("cluster", subs, sizeof subs / sizeof subs[0], cluster_usage, argc, argv);
}

/* ---- vigil report ---------------------------------------------------------------------------- */

/* vigil report --recount [OP]: the running totals counted again. */
static int report_recount(const char *by, const char *op, int json) {
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    int64_t corrected = 0;
    vigil_status rc = vigil_report_recount(st, cu_by(by), op, &corrected, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json) {
        json_t *r = json_pack("{s:s?, s:I}", "operation", op, "corrected", (json_int_t)corrected);
        cu_print_json(r);
        json_decref(r);
    } else if (!g_cli.quiet) {
        printf("%s: running totals counted again, %lld count%s corrected\n",
               op ? op : "every operation", (long long)corrected, corrected == 1 ? "" : "s");
    }
    return CLI_EXIT_OK;
}

int cmd_report(int argc, char **argv) {
    static const cli_opt opts[] = {CLI_O_INT("tco", 0, O_TCO, 1, 9999),
                                   CLI_O_FLAG("recount", 0, O_RECOUNT), CU_OPT_BY, CU_OPT_JSON,
                                   CLI_O_END};
    const char *by = NULL;
    int json = 0, year = 0, recount = 0, c;
    cli_args a;
    cli_args_init(&a, "report", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_TCO: year = (int)a.num; break;
        case O_RECOUNT: recount = 1; break;
        case CU_O_BY: by = a.arg; break;
        case CU_O_JSON: json = 1; break;
        case CLI_HELP:
            printf("usage: vigil report OP [--json]\n"
                   "       vigil report --tco YEAR [--json]\n"
                   "       vigil report --recount [OP] [--json]\n\n"
                   "OP: the operation's figures: distinct items, languages, platforms (and how\n"
                   "many were new), by type/affiliation/outlet/state, referred, removed,\n"
                   "declined, pending, removal rate, median and 90th-percentile time from\n"
                   "referral to removal, a per-platform table, re-uploads.\n"
                   "--tco YEAR: the TCO Regulation's Article 7 transparency figures: removal\n"
                   "orders received, acted on (within the hour or late), not acted on by reason,\n"
                   "items removed.\n"
                   "--recount: count the running totals the reports read again from the rows\n"
                   "(of OP, or of every operation), audited; says how many counts were wrong.\n"
                   "Admins; needed only after a rolling upgrade from a vigil without them.\n"
                   "See docs/operations.md for every figure's definition.\n");
            return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (recount && !year && a.argc <= 1) return report_recount(by, a.argc ? a.argv[0] : NULL, json);
    if (recount || a.argc != (year ? 0 : 1)) {
        cli_errorf("report: usage: vigil report OP | vigil report --tco YEAR | vigil report "
                   "--recount [OP]");
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = cu_open();
    if (!st) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    json_t *r = NULL;
    vigil_status rc = year ? vigil_report_tco(st, cu_by(by), year, &r, &err)
                           : vigil_report_op(st, cu_by(by), a.argv[0], &r, &err);
    vigil_store_close(st);
    if (rc != VIGIL_OK) return cu_fail(rc, &err);
    if (json) {
        cu_print_json(r);
    } else if (year) {
        cu_print_record(r);
    } else {
        printf("%s: %lld items in %lld languages on %lld platforms (%lld new), %lld distinct "
               "contents\n",
               json_string_value(json_object_get(r, "operation")),
               (long long)json_integer_value(json_object_get(r, "items")),
               (long long)json_integer_value(json_object_get(r, "languages")),
               (long long)json_integer_value(json_object_get(r, "platforms")),
               (long long)json_integer_value(json_object_get(r, "new_platforms")),
               (long long)json_integer_value(json_object_get(r, "contents")));
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
