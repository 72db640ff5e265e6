/*
 * cli/cmd_url.c - `vigil url`: canonical forms of URLs (the key items are
 * deduplicated on), with the platform and account they belong to; and the
 * built-in platform registry.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vigil/url.h"

static void url_usage(FILE *out) {
    fprintf(out,
            "usage: vigil url [--json] URL...\n"
            "       vigil url --registry [--json]\n"
            "\n"
            "Prints the canonical form of each URL, one per line: the form under which\n"
            "vigil deduplicates items (https, host without www./m./mobile., no tracking\n"
            "parameters or fragment, each platform's alternate forms mapped onto one).\n"
            "URL '-' reads URLs from standard input, one per line.\n"
            "\n"
            "  --json       one object per URL: {\"input\",\"url\",\"host\",\"platform\",\n"
            "               \"kind\",\"account\"} (platform null: not in the registry)\n"
            "  --registry   list the built-in platforms: NAME,KIND,REQUIRES_ID,DOMAINS\n"
            "  -h, --help   this help\n"
            "\n"
            "Exit status: 0 all canonicalised, 1 some URL was invalid, 2 usage error.\n");
}

static int print_registry(int json) {
    size_t n = 0;
    const vigil_platform_def *r = vigil_platform_registry(&n);
    for (size_t i = 0; i < n; i++) {
        if (json) {
            json_t *o = json_object(), *d = json_array();
            for (const char *const *s = r[i].domains; *s; s++) json_array_append_new(d, json_string(*s));
            json_object_set_new(o, "name", json_string(r[i].name));
            json_object_set_new(o, "kind", json_string(r[i].kind));
            json_object_set_new(o, "requires_id", json_boolean(r[i].requires_id));
            json_object_set_new(o, "domains", d);
            cli_print_json(o, 0, 1);
        } else {
            printf("%s,%s,%s,", r[i].name, r[i].kind, r[i].requires_id ? "yes" : "no");
            for (const char *const *s = r[i].domains; *s; s++) printf("%s%s", s == r[i].domains ? "" : " ", *s);
            putchar('\n');
        }
    }
    return CLI_EXIT_OK;
}

static int one_url(const char *in, int json) {
    vigil_url u;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_url_canonicalize(in, &u, &err) != VIGIL_OK) {
        cli_errorf("%s: %s", in, err.msg);
        return 0;
    }
    if (json) {
        json_t *o = json_object();
        json_t *js = json_string(in); /* NULL when the input is not UTF-8 */
        json_object_set_new(o, "input", js ? js : json_null());
        json_object_set_new(o, "url", json_string(u.canonical));
        json_object_set_new(o, "host", json_string(u.host));
        json_object_set_new(o, "platform", u.platform ? json_string(u.platform->name) : json_null());
        json_object_set_new(o, "kind", u.platform ? json_string(u.platform->kind) : json_null());
        json_object_set_new(o, "account", u.account ? json_string(u.account) : json_null());
        cli_print_json(o, 0, 1);
    } else {
        puts(u.canonical);
    }
    vigil_url_clear(&u);
    return 1;
}

int cmd_url(int argc, char **argv) {
    enum { O_JSON = 1, O_REG };
    static const cli_opt opts[] = {
        CLI_O_FLAG("json", 0, O_JSON),
        CLI_O_FLAG("registry", 0, O_REG),
        CLI_O_END,
    };
    int json = 0, reg = 0, c;
    cli_args a;
    cli_args_init(&a, "url", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_JSON: json = 1; break;
        case O_REG: reg = 1; break;
        case CLI_HELP: url_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (reg && !cli_args_operands(&a, 0, 0, "")) return CLI_EXIT_USAGE;
    if (reg) return print_registry(json);
    if (a.argc == 0) {
        cli_errorf("url: no URL given (see `vigil url --help`)");
        return CLI_EXIT_USAGE;
    }
    int failed = 0;
    for (int i = 0; i < a.argc; i++) {
        if (strcmp(a.argv[i], "-") == 0) {
            char *line = NULL;
            size_t cap = 0;
            ssize_t n;
            while ((n = getline(&line, &cap, stdin)) >= 0) {
                while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
                if (n > 0) failed += !one_url(line, json);
            }
            free(line);
        } else {
            failed += !one_url(a.argv[i], json);
        }
    }
    fflush(stdout);
    return failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
