/*
 * tools/gen_docs.c - writes the generated parts of the docs from the code:
 * the `paths` of docs/openapi.yaml from the HTTP route table.
 *   gen-docs openapi FILE           rewrite FILE's paths section
 *   gen-docs openapi --check FILE   exit 1 (naming the first difference)
 *                                   when FILE's paths differ
 * `make docs` runs the first; tests/cli_arch.sh the second.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_internal.h"

static char *slurp(const char *path, size_t *n) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, len = 0;
    char *b = malloc(cap);
    size_t k;
    while (b && (k = fread(b + len, 1, cap - len - 1, f)) > 0) {
        len += k;
        if (len + 1 == cap) {
            char *nb = realloc(b, cap *= 2);
            if (!nb) {
                free(b);
                b = NULL;
            }
            b = nb;
        }
    }
    fclose(f);
    if (b) b[len] = '\0';
    *n = len;
    return b;
}

int main(int argc, char **argv) {
    int check = argc == 4 && strcmp(argv[2], "--check") == 0;
    if ((argc != 3 && !check) || strcmp(argv[1], "openapi") != 0) {
        fprintf(stderr, "usage: gen-docs openapi [--check] FILE\n");
        return 2;
    }
    const char *path = argv[argc - 1];
    size_t n = 0;
    char *doc = slurp(path, &n);
    if (!doc) {
        fprintf(stderr, "gen-docs: %s: cannot read\n", path);
        return 1;
    }
    char *start = strstr(doc, "\npaths:\n"), *end = start ? strstr(start, "\ncomponents:\n") : NULL;
    if (!start || !end) {
        fprintf(stderr, "gen-docs: %s: no paths: ... components: sections\n", path);
        free(doc);
        return 1;
    }
    start++, end++;
    char *gen = NULL;
    size_t glen = 0;
    FILE *m = open_memstream(&gen, &glen);
    if (!m) return 1;
    http_openapi_paths(m);
    fclose(m);
    int rc = 0;
    if (check) {
        size_t have = (size_t)(end - start);
        if (have != glen || memcmp(start, gen, glen) != 0) {
            size_t i = 0;
            while (i < have && i < glen && start[i] == gen[i]) i++;
            size_t line = 1;
            for (char *p = doc; p < start + i; p++) line += *p == '\n';
            fprintf(stderr,
                    "gen-docs: %s: the paths differ from the route table from line %zu "
                    "(run `make docs`)\n",
                    path, line);
            rc = 1;
        }
    } else {
        FILE *f = fopen(path, "wb");
        if (!f || fwrite(doc, 1, (size_t)(start - doc), f) != (size_t)(start - doc) ||
            fwrite(gen, 1, glen, f) != glen || fputs(end, f) < 0 || fclose(f) != 0) {
            fprintf(stderr, "gen-docs: %s: cannot write\n", path);
            rc = 1;
        }
    }
    free(gen);
    free(doc);
    return rc;
}
