/*
 * cli/cmd_bank.c - `vigil bank ...`: create, list, set and delete hash banks;
 * add, remove, import (CSV) and export their entries; statistics.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_video.h"
#include "vigil/bank.h"
#include "vigil/store.h"

#define MAX_BAD_SHOWN 100 /* bad import rows printed; the rest are counted */

static void bank_usage(FILE *out) {
    fprintf(out, "usage: vigil bank SUBCOMMAND [ARGS...]\n"
                 "\n"
                 "Hash banks: named sets of known-content hashes (PDQ, MD5, SHA-256) with labels,\n"
                 "kept in the store (--db PATH, $VIGIL_DB, else ./vigil.db).\n"
                 "\n"
                 "  create NAME [--allow] [--max-distance D] [--description TEXT]\n"
                 "  list [--json]\n"
                 "  set NAME [--allow|--no-allow] [--max-distance D|--no-max-distance]\n"
                 "           [--enable|--disable] [--description TEXT]\n"
                 "  set NAME --entry ENTRY-ID --enable|--disable\n"
                 "  delete NAME --yes\n"
                 "  add NAME (--pdq HEX|--md5 HEX|--sha256 HEX|--signal TYPE:VALUE)\n"
                 "           [--label KEY=VALUE]... [--id EXTERNAL-ID]\n"
                 "  import NAME FILE [--strict] [--signal-type TYPE]\n"
                 "  export NAME [--output FILE]\n"
                 "  remove NAME ENTRY-ID\n"
                 "  stats NAME [--json]\n"
                 "\n"
                 "`vigil bank SUBCOMMAND --help` for one.  --by USER (or $VIGIL_USER): the\n"
                 "acting user (changing banks: coordinators and admins).  Exit status: 0 done;\n"
                 "1 refused (unknown bank, invalid value, no right, bad rows skipped or --strict),\n"
                 "or the store cannot be opened; 2 usage error (nothing done).\n");
}

/* ---- helpers ----------------------------------------------------------- */

/* --by USER (or $VIGIL_USER): the acting user the bank calls check (reading
 * banks: agency staff; changing them: coordinators and admins). */
enum { O_BANK_BY = 900 };
#define BANK_OPT_BY CLI_O_STR("by", 0, O_BANK_BY)
static const char *s_by;

static int open_store(vigil_store **st) {
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_store_open(g_cli.db_path, st, &err) != VIGIL_OK) {
        cli_errorf("%s", err.msg);
        return 0;
    }
    const char *by = s_by && *s_by ? s_by : getenv("VIGIL_USER");
    if (by && *by) vigil_store_set_actor(*st, by);
    return 1;
}

static int parse_entry_id(const char *s, int64_t *out) {
    char *end = NULL;
    if (!s || !*s || *s == '-' || *s == '+') return 0;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v <= 0) return 0;
    *out = v;
    return 1;
}

static void print_json(json_t *obj) { cli_print_json(obj, 0, 1); }


/* ---- create ------------------------------------------------------------ */

static const char create_help[] =
    "usage: vigil bank create NAME [--allow] [--max-distance D] [--description TEXT]\n"
    "\n"
    "Creates an empty, enabled bank.  NAME: 1-64 characters of A-Z a-z 0-9 _ . -,\n"
    "beginning with a letter or a digit.\n"
    "\n"
    "  --allow             an allow-list bank: known false positives (a common logo, a\n"
    "                      news channel's frame); a query matching one of its entries\n"
    "                      has its other matches suppressed\n"
    "  --max-distance D    this bank's PDQ match threshold, 0-256 (default: none, the\n"
    "                      query's --max-distance applies)\n"
    "  --description TEXT  free text shown by `vigil bank list`\n";

static int bank_create(int argc, char **argv) {
    enum { O_ALLOW = 256, O_MAXD, O_DESC };
    static const cli_opt opts[] = {
        CLI_O_FLAG("allow", 0, O_ALLOW),
        CLI_O_INT("max-distance", 0, O_MAXD, 0, 256),
        CLI_O_STR("description", 0, O_DESC),
        BANK_OPT_BY,
        CLI_O_END,
    };
    vigil_bank_kind kind = VIGIL_BANK_NORMAL;
    int maxd = -1, c;
    const char *desc = NULL;
    cli_args a;
    cli_args_init(&a, "bank create", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_ALLOW: kind = VIGIL_BANK_ALLOW; break;
        case O_MAXD: maxd = (int)a.num; break;
        case O_DESC: desc = a.arg; break;
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(create_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "NAME")) return CLI_EXIT_USAGE;
    const char *name = a.argv[0];
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_bank_name_check(name, &err) != VIGIL_OK) {
        cli_errorf("bank create: %s", err.msg);
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    int rc = CLI_EXIT_OK;
    if (vigil_bank_create(st, name, kind, maxd, desc, NULL, &err) != VIGIL_OK) {
        cli_errorf("bank create: %s", err.msg);
        rc = CLI_EXIT_FAIL;
    } else {
        printf("created %sbank '%s'\n", kind == VIGIL_BANK_ALLOW ? "allow-list " : "", name);
    }
    vigil_store_close(st);
    return rc;
}

/* ---- list -------------------------------------------------------------- */

static const char list_help[] =
    "usage: vigil bank list [--json]\n"
    "\n"
    "Lists the banks by name: NAME KIND STATE ENTRIES MAX-DIST CREATED DESCRIPTION\n"
    "(MAX-DIST '-': the query's threshold applies).\n"
    "\n"
    "  --json   one JSON object per bank and line: {\"name\",\"id\",\"kind\",\"enabled\",\n"
    "           \"max_distance\",\"entries\",\"description\",\"created_at\"}\n";

static int bank_list(int argc, char **argv) {
    static const cli_opt opts[] = {
        CLI_O_FLAG("json", 0, 'j'),
        BANK_OPT_BY,
        CLI_O_END,
    };
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "bank list", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case 'j': json = 1; break;
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(list_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_bank_info *v = NULL;
    size_t n = 0;
    int rc = CLI_EXIT_OK;
    if (vigil_bank_list(st, &v, &n, &err) != VIGIL_OK) {
        cli_errorf("bank list: %s", err.msg);
        rc = CLI_EXIT_FAIL;
        goto out;
    }
    if (json) {
        for (size_t i = 0; i < n; i++)
            print_json(vigil_bank_info_json(&v[i]));
        goto out;
    }
    if (n == 0) {
        if (!g_cli.quiet) cli_errorf("no banks yet (create one with `vigil bank create NAME`)");
        goto out;
    }
    int w = 4;
    for (size_t i = 0; i < n; i++)
        if ((int)strlen(v[i].name) > w) w = (int)strlen(v[i].name);
    printf("%-*s  %-6s  %-8s  %9s  %8s  %-20s  %s\n", w, "NAME", "KIND", "STATE", "ENTRIES",
           "MAX-DIST", "CREATED", "DESCRIPTION");
    for (size_t i = 0; i < n; i++) {
        char md[16];
        if (v[i].max_distance >= 0)
            snprintf(md, sizeof md, "%d", v[i].max_distance);
        else
            snprintf(md, sizeof md, "-");
        printf("%-*s  %-6s  %-8s  %9" PRId64 "  %8s  %-20s  %s\n", w, v[i].name,
               vigil_bank_kind_name(v[i].kind), v[i].enabled ? "enabled" : "disabled", v[i].entries,
               md, v[i].created_at, v[i].description);
    }
out:
    free(v);
    vigil_store_close(st);
    return rc;
}

/* ---- set --------------------------------------------------------------- */

static const char set_help[] =
    "usage: vigil bank set NAME [--allow|--no-allow] [--max-distance D|--no-max-distance]\n"
    "                           [--enable|--disable] [--description TEXT]\n"
    "       vigil bank set NAME --entry ENTRY-ID --enable|--disable\n"
    "\n"
    "Changes a bank's settings (at least one option), or enables/disables one entry.\n"
    "A disabled bank or entry stays stored and exported but is not matched.\n"
    "\n"
    "  --allow / --no-allow    make it an allow-list bank / a normal bank\n"
    "  --max-distance D        this bank's PDQ threshold, 0-256\n"
    "  --no-max-distance       no threshold of its own: the query's applies\n"
    "  --enable / --disable    match against it / leave it out of matching\n"
    "  --description TEXT      replace the description ('' clears it)\n"
    "  --entry ENTRY-ID        apply --enable/--disable to this entry of the bank\n";

static int bank_set(int argc, char **argv) {
    enum { O_ALLOW = 256, O_NOALLOW, O_MAXD, O_NOMAXD, O_ENABLE, O_DISABLE, O_DESC, O_ENTRY };
    static const cli_opt opts[] = {
        CLI_O_FLAG("allow", 0, O_ALLOW),
        CLI_O_FLAG("no-allow", 0, O_NOALLOW),
        CLI_O_INT("max-distance", 0, O_MAXD, 0, 256),
        CLI_O_FLAG("no-max-distance", 0, O_NOMAXD),
        CLI_O_FLAG("enable", 0, O_ENABLE),
        CLI_O_FLAG("disable", 0, O_DISABLE),
        CLI_O_STR("description", 0, O_DESC),
        CLI_O_INT("entry", 0, O_ENTRY, 1, CLI_NO_MAX),
        BANK_OPT_BY,
        CLI_O_END,
    };
    vigil_bank_update u;
    memset(&u, 0, sizeof u);
    int64_t entry = 0;
    int c, conflict = 0;
    cli_args a;
    cli_args_init(&a, "bank set", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_ALLOW:
        case O_NOALLOW:
            if (u.set_kind && u.kind != (c == O_ALLOW ? VIGIL_BANK_ALLOW : VIGIL_BANK_NORMAL))
                conflict = 1;
            u.set_kind = 1;
            u.kind = c == O_ALLOW ? VIGIL_BANK_ALLOW : VIGIL_BANK_NORMAL;
            break;
        case O_MAXD:
        case O_NOMAXD: {
            int d = c == O_MAXD ? (int)a.num : -1;
            if (u.set_max_distance && u.max_distance != d) conflict = 1;
            u.set_max_distance = 1;
            u.max_distance = d;
            break;
        }
        case O_ENABLE:
        case O_DISABLE:
            if (u.set_enabled && u.enabled != (c == O_ENABLE)) conflict = 1;
            u.set_enabled = 1;
            u.enabled = c == O_ENABLE;
            break;
        case O_DESC: u.description = a.arg; break;
        case O_ENTRY: entry = (int64_t)a.num; break;
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(set_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "NAME")) return CLI_EXIT_USAGE;
    if (conflict) {
        cli_errorf("bank set: contradictory options (e.g. both --enable and --disable)");
        return CLI_EXIT_USAGE;
    }
    if (entry && (!u.set_enabled || u.set_kind || u.set_max_distance || u.description)) {
        cli_errorf("bank set: --entry takes only --enable or --disable");
        return CLI_EXIT_USAGE;
    }
    if (!u.set_kind && !u.set_max_distance && !u.set_enabled && !u.description) {
        cli_errorf("bank set: nothing to change (see `vigil bank set --help`)");
        return CLI_EXIT_USAGE;
    }
    const char *name = a.argv[0];
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    int rc = CLI_EXIT_OK;
    if (entry) {
        if (vigil_bank_entry_set_enabled(st, name, entry, u.enabled, &err) != VIGIL_OK) {
            cli_errorf("bank set: %s", err.msg);
            rc = CLI_EXIT_FAIL;
        } else {
            printf("%s entry %" PRId64 " of bank '%s'\n", u.enabled ? "enabled" : "disabled", entry,
                   name);
        }
    } else {
        vigil_bank_info b;
        if (vigil_bank_set(st, name, &u, &b, &err) != VIGIL_OK) {
            cli_errorf("bank set: %s", err.msg);
            rc = CLI_EXIT_FAIL;
        } else {
            char md[24];
            if (b.max_distance >= 0)
                snprintf(md, sizeof md, "%d", b.max_distance);
            else
                snprintf(md, sizeof md, "none");
            printf("bank '%s': %s, %s, max distance %s\n", b.name, vigil_bank_kind_name(b.kind),
                   b.enabled ? "enabled" : "disabled", md);
        }
    }
    vigil_store_close(st);
    return rc;
}

/* ---- delete ------------------------------------------------------------ */

static const char delete_help[] =
    "usage: vigil bank delete NAME --yes\n"
    "\n"
    "Deletes the bank and all its entries, at once and for good (export it first to\n"
    "keep a copy).  --yes confirms.\n";

static int bank_delete(int argc, char **argv) {
    static const cli_opt opts[] = {
        CLI_O_FLAG("yes", 0, 'y'),
        BANK_OPT_BY,
        CLI_O_END,
    };
    int yes = 0, c;
    cli_args a;
    cli_args_init(&a, "bank delete", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case 'y': yes = 1; break;
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(delete_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "NAME")) return CLI_EXIT_USAGE;
    const char *name = a.argv[0];
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    int rc = CLI_EXIT_OK;
    vigil_bank_info b;
    int64_t n = 0;
    if (!yes) {
        /* say what would go, but only for a bank that exists */
        if (vigil_bank_get(st, name, &b, &err) != VIGIL_OK)
            cli_errorf("bank delete: %s", err.msg);
        else
            cli_errorf(
                "bank delete: this deletes bank '%s' and all its entries; add --yes to confirm",
                name);
        rc = CLI_EXIT_USAGE;
    } else if (vigil_bank_delete(st, name, &n, &err) != VIGIL_OK) {
        cli_errorf("bank delete: %s", err.msg);
        rc = CLI_EXIT_FAIL;
    } else {
        printf("deleted bank '%s' and its %" PRId64 " entr%s\n", name, n, n == 1 ? "y" : "ies");
    }
    vigil_store_close(st);
    return rc;
}

/* ---- add --------------------------------------------------------------- */

static const char add_help[] =
    "usage: vigil bank add NAME (--pdq HEX|--md5 HEX|--sha256 HEX|--video FILE|--text FILE|--tmk FILE|\n"
    "                          --signal TYPE:VALUE)\n"
    "                          [--label KEY=VALUE]... [--id EXTERNAL-ID]\n"
    "\n"
    "Adds one entry and prints its ENTRY-ID.  A value the bank already has is not\n"
    "added again: its existing ENTRY-ID is printed, with a note on stderr.\n"
    "\n"
    "  --pdq HEX             a PDQ hash (64 hex digits)\n"
    "  --md5 HEX             an MD5 (32 hex digits)\n"
    "  --sha256 HEX          a SHA-256 (64 hex digits)\n"
    "  --signal TYPE:VALUE   any signal type: pdq, md5, sha256, video, text, tmk\n"
    "  --video FILE          hash the video FILE (1 frame/s, collapse 8) and add its\n"
    "                        vpdq1 value as signal type video\n"
    "  --tmk FILE            a TMK+PDQF .tmk file (or a video, hashed to one) as\n"
    "                        signal type tmk (tmk: + base64)\n"
    "  --text FILE           fingerprint the UTF-8 text FILE and add its mh1 MinHash\n"
    "                        signature as signal type text\n"
    "  --label KEY=VALUE     a label (repeatable), e.g. --label entity=example-group;\n"
    "                        keys: A-Z a-z 0-9 _ . : - (at most 64); values: UTF-8\n"
    "  --id EXTERNAL-ID      the entry's id in the source it came from\n";

static int set_signal(vigil_entry_spec *spec, int *given, vigil_signal sig, const char *value) {
    if (*given) {
        cli_errorf("bank add: give one value only (--pdq, --md5, --sha256 or --signal)");
        return 0;
    }
    *given = 1;
    spec->signal = sig;
    spec->value = value;
    return 1;
}

static int bank_add(int argc, char **argv) {
    enum { O_PDQ = 256, O_MD5, O_SHA, O_SIGNAL, O_LABEL, O_ID, O_VIDEO, O_TEXT, O_TMK };
    static const cli_opt opts[] = {
        CLI_O_STR("pdq", 0, O_PDQ),
        CLI_O_STR("md5", 0, O_MD5),
        CLI_O_STR("sha256", 0, O_SHA),
        CLI_O_STR("signal", 0, O_SIGNAL),
        CLI_O_STR("label", 0, O_LABEL),
        CLI_O_STR("id", 0, O_ID),
        CLI_O_STR("video", 0, O_VIDEO),
        CLI_O_STR("tmk", 0, O_TMK),
        CLI_O_STR("text", 0, O_TEXT),
        BANK_OPT_BY,
        CLI_O_END,
    };
    vigil_entry_spec spec;
    memset(&spec, 0, sizeof spec);
    vigil_labels labels;
    vigil_labels_init(&labels);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_store *st = NULL;
    char *label_text = NULL, *sigtype = NULL, *video_value = NULL, *text_value = NULL;
    int given = 0, c, rc = CLI_EXIT_USAGE;
    cli_video_init();
    cli_args a;
    cli_args_init(&a, "bank add", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_PDQ:
            if (!set_signal(&spec, &given, VIGIL_SIGNAL_PDQ, a.arg)) goto out;
            break;
        case O_MD5:
            if (!set_signal(&spec, &given, VIGIL_SIGNAL_MD5, a.arg)) goto out;
            break;
        case O_SHA:
            if (!set_signal(&spec, &given, VIGIL_SIGNAL_SHA256, a.arg)) goto out;
            break;
        case O_SIGNAL: {
            const char *colon = strchr(a.arg, ':');
            if (!colon) {
                cli_errorf("bank add: --signal needs TYPE:VALUE, e.g. --signal pdq:HEX");
                goto out;
            }
            free(sigtype);
            sigtype = strndup(a.arg, (size_t)(colon - a.arg));
            vigil_signal sig;
            if (!sigtype || vigil_signal_parse(sigtype, &sig, &err) != VIGIL_OK) {
                cli_errorf("bank add: %s", sigtype ? err.msg : "out of memory");
                goto out;
            }
            if (!set_signal(&spec, &given, sig, colon + 1)) goto out;
            break;
        }
        case O_LABEL: {
            char *eq = strchr(a.arg, '=');
            if (!eq) {
                cli_errorf("bank add: --label needs KEY=VALUE, got '%s'", a.arg);
                goto out;
            }
            *eq = '\0'; /* argv is ours to edit */
            vigil_status st_ = vigil_labels_add(&labels, a.arg, eq + 1, &err);
            *eq = '=';
            if (st_ != VIGIL_OK) {
                cli_errorf("bank add: %s", err.msg);
                goto out;
            }
            break;
        }
        case O_ID: spec.external_id = a.arg; break;
        case O_VIDEO: /* cli_video.c */
            if (given) {
                cli_errorf("bank add: give one value only (--pdq, --md5, --sha256, --video or --signal)");
                goto out;
            }
            if (!cli_video_value(a.arg, &video_value)) goto out;
            if (!set_signal(&spec, &given, VIGIL_SIGNAL_VIDEO, video_value)) goto out;
            break;
        case O_TMK: /* cli_video.c */
            if (given) {
                cli_errorf("bank add: give one value only (--pdq, --md5, --sha256, --video, --tmk or --signal)");
                goto out;
            }
            if (!cli_tmk_value(a.arg, &video_value)) goto out;
            if (!set_signal(&spec, &given, VIGIL_SIGNAL_TMK, video_value)) goto out;
            break;
        case O_TEXT: /* cmd_text.c */
            if (given) {
                cli_errorf("bank add: give one value only (--pdq, --md5, --sha256, --video, --text or --signal)");
                goto out;
            }
            if (!cli_text_value(a.arg, &text_value)) goto out;
            if (!set_signal(&spec, &given, VIGIL_SIGNAL_TEXT, text_value)) goto out;
            break;
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP:
            fputs(add_help, stdout);
            rc = CLI_EXIT_OK;
            goto out;
        default: goto out;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "NAME")) goto out;
    if (!given) {
        cli_errorf("bank add: no value given (--pdq, --md5, --sha256 or --signal TYPE:VALUE)");
        goto out;
    }
    const char *name = a.argv[0];
    if (vigil_labels_format(&labels, &label_text, &err) != VIGIL_OK) {
        cli_errorf("bank add: %s", err.msg);
        goto out;
    }
    spec.labels = label_text;
    if (!open_store(&st)) {
        rc = CLI_EXIT_FAIL;
        goto out;
    }
    int64_t id = 0;
    vigil_put_outcome what = VIGIL_PUT_ADDED;
    if (vigil_bank_put(st, name, &spec, &id, &what, &err) != VIGIL_OK) {
        cli_errorf("bank add: %s", err.msg);
        rc = CLI_EXIT_FAIL; /* the library refused: not a usage error */
        goto out;
    }
    printf("%" PRId64 "\n", id);
    if (what == VIGIL_PUT_UNCHANGED && !g_cli.quiet)
        cli_errorf("note: bank '%s' already has this %s %s as entry %" PRId64 "; nothing added",
                   name, vigil_signal_name(spec.signal),
                   spec.external_id && *spec.external_id ? "entry (same id)" : "value", id);
    else if (what == VIGIL_PUT_UPDATED && !g_cli.quiet)
        cli_errorf("note: entry %" PRId64 " of bank '%s' had this id: its value and labels are "
                   "updated",
                   id, name);
    rc = CLI_EXIT_OK;
out:
    vigil_store_close(st);
    vigil_labels_clear(&labels);
    free(label_text);
    free(sigtype);
    free(video_value);
    free(text_value);
    return rc;
}

/* ---- import ------------------------------------------------------------ */

static const char import_help[] =
    "usage: vigil bank import NAME FILE [--strict] [--signal-type TYPE]\n"
    "\n"
    "Imports entries from FILE ('-': standard input), in one transaction:\n"
    "  - CSV with a header naming the columns signal_type,signal_value and optionally\n"
    "    labels (k=v;k2=v2) and id; other columns are ignored.  RFC 4180 quoting.\n"
    "  - or one hash per line, no header (HMA/ThreatExchange-style exports), each line\n"
    "    possibly followed by ,QUALITY or other fields, which are ignored.\n"
    "A row with an id is the entry with that id (and signal type): new, unchanged,\n"
    "or updated when its value or labels differ (an audit event each).  Rows with\n"
    "one value under different ids are separate entries.  A row without an id is\n"
    "unchanged when the bank has its value without an id.\n"
    "Prints `imported N, unchanged N, updated N, bad N`; each bad row on stderr as\n"
    "`vigil: FILE:LINE: reason` (the first 100).\n"
    "\n"
    "  --strict            import nothing if any row is bad\n"
    "  --signal-type TYPE  the type of one-hash-per-line files (default: pdq, and md5\n"
    "                      for 32-digit values), or of CSV rows without a signal_type\n"
    "\n"
    "Exit status: 0 no bad rows; 1 some bad rows were skipped, or nothing imported\n"
    "(unknown bank, header without the columns, --strict with bad rows, the store\n"
    "cannot be opened); 2 usage error.\n";

typedef struct import_ui {
    const char *file;
    uint64_t shown, bad;
} import_ui;

static void on_bad(void *ctx, uint64_t line, const char *reason) {
    import_ui *ui = ctx;
    ui->bad++;
    if (ui->shown >= MAX_BAD_SHOWN) return;
    ui->shown++;
    cli_progress_end();
    cli_errorf("%s:%" PRIu64 ": %s", ui->file, line, reason);
}

static void on_progress(void *ctx, uint64_t rows, uint64_t bytes, uint64_t total) {
    (void)ctx;
    if (total)
        cli_progress("importing (KiB)", (size_t)(bytes / 1024), (size_t)(total / 1024));
    else
        cli_progress("importing: rows", (size_t)rows, 0);
}

static int bank_import(int argc, char **argv) {
    enum { O_STRICT = 256, O_TYPE };
    static const cli_opt opts[] = {
        CLI_O_FLAG("strict", 0, O_STRICT),
        CLI_O_STR("signal-type", 0, O_TYPE),
        BANK_OPT_BY,
        CLI_O_END,
    };
    vigil_import_opts o;
    vigil_import_opts_init(&o);
    vigil_err err;
    vigil_err_clear(&err);
    int c;
    cli_args a;
    cli_args_init(&a, "bank import", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_STRICT: o.strict = 1; break;
        case O_TYPE: {
            vigil_signal sig;
            if (vigil_signal_parse(a.arg, &sig, &err) != VIGIL_OK) {
                cli_errorf("bank import: --signal-type: %s", err.msg);
                return CLI_EXIT_USAGE;
            }
            o.signal = (int)sig;
            break;
        }
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(import_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 2, 2, "NAME and FILE")) return CLI_EXIT_USAGE;
    const char *name = a.argv[0], *file = a.argv[1];
    int from_stdin = strcmp(file, "-") == 0;
    import_ui ui = {from_stdin ? "stdin" : file, 0, 0};
    o.on_bad = on_bad;
    o.on_progress = on_progress;
    o.ctx = &ui;
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_import_report r;
    vigil_status s = from_stdin ? vigil_bank_import(st, name, stdin, &o, &r, &err)
                                : vigil_bank_import_file(st, name, file, &o, &r, &err);
    cli_progress_end();
    if (ui.bad > ui.shown)
        cli_errorf("%s: %" PRIu64 " more bad rows not shown", ui.file, ui.bad - ui.shown);
    int rc;
    if (s == VIGIL_OK) {
        printf("imported %" PRIu64 ", unchanged %" PRIu64 ", updated %" PRIu64 ", bad %" PRIu64
               "\n",
               r.imported, r.unchanged, r.updated, r.bad);
        rc = r.bad ? CLI_EXIT_FAIL : CLI_EXIT_OK;
    } else {
        if (o.strict && r.bad) /* the summary still says what was found */
            printf("imported 0, unchanged 0, updated 0, bad %" PRIu64 "\n", r.bad);
        /* a file that cannot be opened: the message names the file already */
        if (!from_stdin && s == VIGIL_ENOENT)
            cli_errorf("bank import: %s", err.msg);
        else
            cli_errorf("bank import: %s: %s", ui.file, err.msg);
        rc = CLI_EXIT_FAIL;
    }
    vigil_store_close(st);
    return rc;
}

/* ---- export ------------------------------------------------------------ */

static const char export_help[] =
    "usage: vigil bank export NAME [--output FILE] [--video-form FORM]\n"
    "\n"
    "Writes every entry of the bank as CSV with the header\n"
    "signal_type,signal_value,labels,id (the form `vigil bank import` reads back), to\n"
    "standard output or FILE.  The enabled/disabled flag of entries is not exported.\n"
    "\n"
    "  -o, --output FILE   write to FILE (replaced if it exists)\n"
    "  --video-form FORM   video values as value (stored form), vpdq1, vpdqr1,\n"
    "                      reference (Meta's per-frame file) or pytx (the\n"
    "                      python-threatexchange vpdq signal)\n";

static int bank_export(int argc, char **argv) {
    static const cli_opt opts[] = {
        CLI_O_STR("output", 'o', 'o'),
        CLI_O_STR("video-form", 0, 'V'),
        BANK_OPT_BY,
        CLI_O_END,
    };
    const char *output = NULL, *vform = NULL;
    int c;
    cli_args a;
    cli_args_init(&a, "bank export", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case 'o': output = a.arg; break;
        case 'V': vform = a.arg; break; /* vigil/video.h */
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(export_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "NAME")) return CLI_EXIT_USAGE;
    const char *name = a.argv[0];
    vigil_video_form form = VIGIL_VFORM_VALUE;
    vigil_err ferr;
    if (vform && vigil_video_form_parse(vform, &form, &ferr) != VIGIL_OK) {
        cli_errorf("bank export: --video-form: %s", ferr.msg);
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_bank_info b;
    FILE *out = stdout;
    uint64_t rows = 0;
    int rc = CLI_EXIT_FAIL; /* failures past the command line are not usage errors */
    if (vigil_bank_get(st, name, &b, &err) != VIGIL_OK) { /* before creating FILE */
        cli_errorf("bank export: %s", err.msg);
        goto out;
    }
    if (output && !(out = fopen(output, "w"))) {
        cli_errorf("bank export: %s: cannot create: %s", output, strerror(errno));
        goto out;
    }
    vigil_status s = vform ? vigil_video_bank_export(st, name, form, out, &rows, &err)
                           : vigil_bank_export(st, name, out, &rows, &err);
    if (out != stdout && fclose(out) != 0 && s == VIGIL_OK) {
        vigil_err_clear(&err);
        snprintf(err.msg, sizeof err.msg, "%s: write error: %s", output, strerror(errno));
        s = VIGIL_EIO;
    }
    if (s != VIGIL_OK) {
        cli_errorf("bank export: %s", err.msg);
        if (output) remove(output);
        goto out;
    }
    if (output && !g_cli.quiet)
        cli_errorf("exported %" PRIu64 " entr%s of bank '%s' to %s", rows, rows == 1 ? "y" : "ies",
                   name, output);
    rc = CLI_EXIT_OK;
out:
    vigil_store_close(st);
    return rc;
}

/* ---- remove ------------------------------------------------------------ */

static const char remove_help[] =
    "usage: vigil bank remove NAME ENTRY-ID\n"
    "\n"
    "Removes one entry (its ENTRY-ID as printed by `vigil bank add` or a match) from\n"
    "the bank.  The entry must belong to that bank.\n";

static int bank_remove(int argc, char **argv) {
    static const cli_opt opts[] = {BANK_OPT_BY, CLI_O_END};
    int c;
    cli_args a;
    cli_args_init(&a, "bank remove", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(remove_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 2, 2, "NAME and ENTRY-ID")) return CLI_EXIT_USAGE;
    const char *name = a.argv[0];
    int64_t id = 0;
    if (!parse_entry_id(a.argv[1], &id)) {
        cli_errorf("bank remove: ENTRY-ID must be a positive whole number, got '%s'", a.argv[1]);
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    int rc = CLI_EXIT_OK;
    if (vigil_bank_remove(st, name, id, &err) != VIGIL_OK) {
        cli_errorf("bank remove: %s", err.msg);
        rc = CLI_EXIT_FAIL;
    } else {
        printf("removed entry %" PRId64 " from bank '%s'\n", id, name);
    }
    vigil_store_close(st);
    return rc;
}

/* ---- stats ------------------------------------------------------------- */

static const char stats_help[] =
    "usage: vigil bank stats NAME [--json]\n"
    "\n"
    "The bank's settings, its entries per signal type (enabled and disabled), when\n"
    "they were added, and the most frequent label keys and key=value labels.\n"
    "\n"
    "  --json   one JSON object\n";

static void stats_json(const vigil_bank_info *b, const vigil_bank_stats *s) {
    json_t *o = vigil_bank_info_json(b);
    json_object_set_new(o, "entries", json_integer(s->entries));
    json_object_set_new(o, "enabled_entries", json_integer(s->enabled));
    json_object_set_new(o, "disabled_entries", json_integer(s->disabled));
    json_t *by = json_object();
    for (int i = 0; i < VIGIL_SIGNAL_COUNT; i++) {
        if (!s->by_signal[i]) continue;
        json_t *t = json_object();
        json_object_set_new(t, "entries", json_integer(s->by_signal[i]));
        json_object_set_new(t, "enabled", json_integer(s->enabled_by_signal[i]));
        json_object_set_new(by, vigil_signal_name((vigil_signal)i), t);
    }
    json_object_set_new(o, "by_signal", by);
    json_object_set_new(o, "labelled", json_integer(s->labelled));
    json_object_set_new(o, "first_added",
                        s->first_added[0] ? json_string(s->first_added) : json_null());
    json_object_set_new(o, "last_added",
                        s->last_added[0] ? json_string(s->last_added) : json_null());
    json_object_set_new(o, "distinct_label_keys", json_integer(s->distinct_keys));
    json_t *keys = json_array(), *pairs = json_array();
    for (size_t i = 0; i < s->n_top_keys; i++) {
        json_t *k = json_object();
        json_object_set_new(k, "key", json_string(s->top_keys[i].key));
        json_object_set_new(k, "count", json_integer(s->top_keys[i].count));
        json_array_append_new(keys, k);
    }
    for (size_t i = 0; i < s->n_top_pairs; i++) {
        json_t *k = json_object();
        json_object_set_new(k, "label", json_string(s->top_pairs[i].pair));
        json_object_set_new(k, "count", json_integer(s->top_pairs[i].count));
        json_array_append_new(pairs, k);
    }
    json_object_set_new(o, "top_label_keys", keys);
    json_object_set_new(o, "top_labels", pairs);
    print_json(o);
}

static void stats_text(const vigil_bank_info *b, const vigil_bank_stats *s) {
    printf("bank          %s\n", b->name);
    printf("kind          %s\n", vigil_bank_kind_name(b->kind));
    printf("state         %s\n", b->enabled ? "enabled" : "disabled");
    if (b->max_distance >= 0)
        printf("max distance  %d\n", b->max_distance);
    else
        printf("max distance  none (the query's applies)\n");
    if (b->description[0]) printf("description   %s\n", b->description);
    printf("created       %s\n", b->created_at);
    printf("entries       %" PRId64 " (%" PRId64 " enabled, %" PRId64 " disabled)\n", s->entries,
           s->enabled, s->disabled);
    for (int i = 0; i < VIGIL_SIGNAL_COUNT; i++) {
        if (!s->by_signal[i]) continue;
        printf("  %-11s %" PRId64 " (%" PRId64 " enabled)\n", vigil_signal_name((vigil_signal)i),
               s->by_signal[i], s->enabled_by_signal[i]);
    }
    if (s->entries) printf("added         %s to %s\n", s->first_added, s->last_added);
    printf("labelled      %" PRId64 "\n", s->labelled);
    if (s->n_top_keys) {
        printf("label keys    ");
        for (size_t i = 0; i < s->n_top_keys; i++)
            printf("%s%s (%" PRId64 ")", i ? ", " : "", s->top_keys[i].key, s->top_keys[i].count);
        if (s->distinct_keys > (int64_t)s->n_top_keys)
            printf(", ... (%" PRId64 " keys)", s->distinct_keys);
        putchar('\n');
    }
    for (size_t i = 0; i < s->n_top_pairs; i++)
        printf("%s%s (%" PRId64 ")\n", i ? "              " : "top labels    ",
               s->top_pairs[i].pair, s->top_pairs[i].count);
}

static int bank_stats(int argc, char **argv) {
    static const cli_opt opts[] = {
        CLI_O_FLAG("json", 0, 'j'),
        BANK_OPT_BY,
        CLI_O_END,
    };
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "bank stats", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case 'j': json = 1; break;
        case O_BANK_BY: s_by = a.arg; break;
        case CLI_HELP: fputs(stats_help, stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (!cli_args_operands(&a, 1, 1, "NAME")) return CLI_EXIT_USAGE;
    const char *name = a.argv[0];
    vigil_store *st = NULL;
    if (!open_store(&st)) return CLI_EXIT_FAIL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_bank_info b;
    vigil_bank_stats *s = malloc(sizeof *s);
    int rc = CLI_EXIT_FAIL;
    if (!s) {
        cli_errorf("bank stats: out of memory");
        goto out;
    }
    if (vigil_bank_get(st, name, &b, &err) != VIGIL_OK ||
        vigil_bank_stats_get(st, name, s, &err) != VIGIL_OK) {
        cli_errorf("bank stats: %s", err.msg);
        goto out;
    }
    if (json)
        stats_json(&b, s);
    else
        stats_text(&b, s);
    rc = CLI_EXIT_OK;
out:
    free(s);
    vigil_store_close(st);
    return rc;
}

/* ---- dispatch ---------------------------------------------------------- */

static const cli_sub subs[] = {
    {"create", bank_create, NULL}, {"list", bank_list, NULL},     {"set", bank_set, NULL},
    {"delete", bank_delete, NULL}, {"add", bank_add, NULL},       {"import", bank_import, NULL},
    {"export", bank_export, NULL}, {"remove", bank_remove, NULL}, {"stats", bank_stats, NULL},
};

int cmd_bank(int argc, char **argv) {
    return cli_dispatch("bank", subs, sizeof subs / sizeof subs[0], bank_usage, argc, argv);
}
