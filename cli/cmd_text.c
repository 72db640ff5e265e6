/*
 * cli/cmd_text.c - the text side of the CLI: `vigil lang` (language of
 * each text), and the bodies of `vigil hash --text` (MinHash signatures)
 * and `vigil match --text` (near-duplicates in the banks' text entries).
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vigil/text.h"

#define MATCH_EXIT_NONE 1
#define MATCH_EXIT_ERROR 2

/* A JSON string for a path that may not be UTF-8: invalid bytes become U+FFFD. */
static json_t *text_path_json(const char *path) {
    json_t *s = json_string(path);
    if (s) return s;
    size_t n = strlen(path), o = 0;
    char *buf = malloc(3 * n + 1);
    if (!buf) return json_string("?");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x80) {
            buf[o++] = (char)c;
        } else {
            memcpy(buf + o, "\xEF\xBF\xBD", 3);
            o += 3;
        }
    }
    buf[o] = '\0';
    s = json_string(buf);
    free(buf);
    return s ? s : json_string("?");
}

static void print_json(json_t *o) { cli_print_json(o, 4, 1); }

/* ---- vigil lang ---------------------------------------------------------- */

static void lang_usage(FILE *out) {
    fprintf(out,
            "usage: vigil lang [--json] FILE...\n"
            "\n"
            "Identifies the language of each text file (UTF-8; '-' reads standard\n"
            "input) and prints one line per file: CODE,CONFIDENCE,PATH.  CODE is the\n"
            "ISO 639-1 code (ISO 639-3 where there is none), or 'und' when the text\n"
            "is too short or too mixed to tell; CONFIDENCE is 0-1.\n"
            "\n"
            "  --json              one JSON object per line:\n"
            "                      {\"path\",\"lang\",\"confidence\",\"reliable\",\"name\"}\n"
            "  -h, --help          this help\n"
            "\n"
            "Identification is CLD2's (about 160 languages).  Errors are reported per\n"
            "file on stderr; the other files are still read.\n"
            "Exit status: 0 all read, 1 some file failed, 2 usage error.\n");
}

int cmd_lang(int argc, char **argv) {
    enum { O_JSON = 1 };
    static const cli_opt opts[] = {
        CLI_O_FLAG("json", 0, O_JSON),
        CLI_O_END,
    };
    int json = 0, c;
    cli_args a;
    cli_args_init(&a, "lang", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_JSON: json = 1; break;
        case CLI_HELP: lang_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc == 0) {
        cli_errorf("lang: no FILE given (see `vigil lang --help`)");
        return CLI_EXIT_USAGE;
    }
    int rc = CLI_EXIT_OK;
    size_t total = (size_t)a.argc, done = 0;
    for (int i = 0; i < a.argc; i++) {
        const char *path = a.argv[i];
        vigil_err err;
        vigil_err_clear(&err);
        char *data = NULL;
        size_t len = 0;
        vigil_lang l;
        vigil_status st = vigil_text_read_file(path, 0, &data, &len, &err);
        if (st == VIGIL_OK) st = vigil_lang_detect(data, len, &l, &err);
        free(data);
        if (st != VIGIL_OK) {
            cli_input_error(path, st, &err);
            rc = CLI_EXIT_FAIL;
        } else if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "path", text_path_json(path));
            json_object_set_new(o, "lang", json_string(l.code));
            json_object_set_new(o, "confidence", json_real(l.confidence));
            json_object_set_new(o, "reliable", json_boolean(l.reliable));
            json_object_set_new(o, "name", json_string(l.name));
            print_json(o);
        } else {
            printf("%s,%.2f,%s\n", l.code, l.confidence, path);
        }
        cli_progress("read", ++done, total);
    }
    cli_progress_end();
    fflush(stdout);
    return rc;
}

/* ---- vigil hash --text ----------------------------------------------------- */

int cli_hash_text(char *const *paths, size_t n, int json, uint64_t max_bytes) {
    int rc = CLI_EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        const char *path = paths[i];
        vigil_err err;
        vigil_err_clear(&err);
        char *data = NULL;
        size_t len = 0, shingles = 0;
        vigil_text_sig sig;
        vigil_lang l;
        vigil_status st = vigil_text_read_file(path, max_bytes, &data, &len, &err);
        if (st == VIGIL_OK) st = vigil_text_minhash(data, len, &sig, &shingles, &err);
        if (st == VIGIL_OK && json) st = vigil_lang_detect(data, len, &l, &err);
        free(data);
        if (st != VIGIL_OK) {
            cli_input_error(path, st, &err);
            rc = CLI_EXIT_FAIL;
            continue;
        }
        char s[VIGIL_TEXT_SIG_LEN + 1];
        vigil_text_sig_format(&sig, s);
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "path", text_path_json(path));
            json_object_set_new(o, "text", json_string(s));
            json_object_set_new(o, "shingles", json_integer((json_int_t)shingles));
            json_object_set_new(o, "lang", json_string(l.code));
            json_object_set_new(o, "lang_confidence", json_real(l.confidence));
            print_json(o);
        } else {
            printf("%s,%s\n", s, path);
        }
        cli_progress("hashed", i + 1, n);
    }
    cli_progress_end();
    fflush(stdout);
    return rc;
}

/* ---- vigil match --text ---------------------------------------------------- */


static void print_text_result(int json, const char *query, const char *sig,
                              const vigil_text_match_result *r) {
    if (!json) {
        for (size_t i = 0; i < r->n; i++)
            printf("%s,%s,%lld,%.3f\n", query, r->matches[i].bank,
                   (long long)r->matches[i].entry_id, r->matches[i].similarity);
        if (r->allowed)
            cli_errorf("%s: matches an allow-list entry: %zu other match%s suppressed", query,
                       r->suppressed, r->suppressed == 1 ? "" : "es");
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    json_object_set_new(o, "query", text_path_json(query));
    json_object_set_new(o, "text", json_string(sig));
    json_object_set_new(o, "allowed", json_boolean(r->allowed));
    json_object_set_new(o, "suppressed", json_integer((json_int_t)r->suppressed));
    for (size_t i = 0; i < r->n; i++) {
        const vigil_text_match *x = &r->matches[i];
        json_t *mj = json_object();
        json_object_set_new(mj, "bank", json_string(x->bank));
        json_object_set_new(mj, "entry_id", json_integer(x->entry_id));
        json_object_set_new(mj, "similarity", json_real(x->similarity));
        json_object_set_new(mj, "signal", json_string("text"));
        json_object_set_new(mj, "allow", json_boolean(x->bank_kind == VIGIL_BANK_ALLOW));
        json_object_set_new(mj, "labels", vigil_labels_json(x->labels));
        json_object_set_new(mj, "external_id", x->external_id ? json_string(x->external_id) : json_null());
        json_array_append_new(arr, mj);
    }
    json_object_set_new(o, "matches", arr);
    print_json(o);
}

int cli_match_text(const char *const *banks, size_t n_banks, double min_similarity, int json,
                   int given, char *const *args, size_t n) {
    vigil_store *st = NULL;
    vigil_text_matcher *m = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_text_match_opts mo;
    vigil_text_match_opts_init(&mo);
    mo.banks = banks;
    mo.n_banks = n_banks;
    if (min_similarity > 0) mo.min_similarity = min_similarity;
    if (vigil_store_open(g_cli.db_path, &st, &err) != VIGIL_OK ||
        vigil_text_matcher_open(st, &mo, &m, &err) != VIGIL_OK) {
        cli_errorf("%s", err.msg);
        vigil_store_close(st);
        return MATCH_EXIT_ERROR;
    }
    int errors = 0, any = 0;
    for (size_t i = 0; i < n; i++) {
        const char *arg = args[i];
        vigil_err_clear(&err);
        vigil_text_sig sig;
        vigil_status rc;
        if (given) {
            rc = vigil_text_sig_parse(arg, &sig, &err);
        } else {
            char *data = NULL;
            size_t len = 0;
            rc = vigil_text_read_file(arg, 0, &data, &len, &err);
            if (rc == VIGIL_OK) rc = vigil_text_minhash(data, len, &sig, NULL, &err);
            free(data);
        }
        vigil_text_match_result r;
        memset(&r, 0, sizeof r);
        if (rc == VIGIL_OK) rc = vigil_text_matcher_match(m, &sig, &r, &err);
        if (rc == VIGIL_OK) {
            char s[VIGIL_TEXT_SIG_LEN + 1];
            vigil_text_sig_format(&sig, s);
            print_text_result(json, arg, s, &r);
            any |= r.n > 0;
        } else {
            cli_input_error(arg, rc, &err);
            errors++;
        }
        vigil_text_match_result_clear(&r);
        cli_progress("matched", i + 1, n);
    }
    cli_progress_end();
    vigil_text_matcher_free(m);
    vigil_store_close(st);
    fflush(stdout);
    return errors ? MATCH_EXIT_ERROR : any ? CLI_EXIT_OK : MATCH_EXIT_NONE;
}

/* ---- vigil bank add --text ------------------------------------------------- */

int cli_text_value(const char *path, char **value) {
    vigil_err err;
    vigil_err_clear(&err);
    char *data = NULL;
    size_t len = 0;
    vigil_text_sig sig;
    vigil_status st = vigil_text_read_file(path, 0, &data, &len, &err);
    if (st == VIGIL_OK) st = vigil_text_minhash(data, len, &sig, NULL, &err);
    free(data);
    if (st != VIGIL_OK) {
        const char *msg = err.msg[0] ? err.msg : vigil_status_str(st);
        if (strncmp(msg, path, strlen(path)) == 0)
            cli_errorf("bank add: %s", msg);
        else
            cli_errorf("bank add: %s: %s", path, msg);
        return 0;
    }
    *value = malloc(VIGIL_TEXT_SIG_LEN + 1);
    if (!*value) {
        cli_errorf("bank add: out of memory");
        return 0;
    }
    vigil_text_sig_format(&sig, *value);
    return 1;
}
