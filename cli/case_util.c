/*
 * cli/case_util.c - helpers of the case-store commands: store, acting user,
 * JSON and text output, error reporting.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "case_util.h"

vigil_store *cu_open(void) {
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_store_open(g_cli.db_path, &st, &err) != VIGIL_OK) {
        cli_errorf("%s", err.msg);
        return NULL;
    }
    return st;
}

const char *cu_by(const char *opt) {
    if (opt && *opt) return opt;
    const char *env = getenv("VIGIL_USER");
    return env && *env ? env : NULL;
}

int cu_fail(vigil_status rc, const vigil_err *err) {
    char text[VIGIL_ERR_MSG_MAX + VIGIL_ERR_FIELD_MAX + 8];
    if (err && (err->msg[0] || err->field[0])) vigil_err_text(err, "--", text, sizeof text);
    else snprintf(text, sizeof text, "%s", vigil_status_str(rc));
    cli_errorf("%s", text);
    return CLI_EXIT_FAIL;
}

void cu_print_json(json_t *v) { cli_print_json(v, 6, 0); }

/* A cell's text (malloc'd). */
static char *cell(json_t *v) {
    if (!v || json_is_null(v)) return strdup("-");
    if (json_is_string(v)) return strdup(json_string_value(v));
    if (json_is_true(v)) return strdup("yes");
    if (json_is_false(v)) return strdup("no");
    if (json_is_integer(v)) {
        char b[32];
        snprintf(b, sizeof b, "%lld", (long long)json_integer_value(v));
        return strdup(b);
    }
    if (json_is_real(v)) {
        char b[32];
        snprintf(b, sizeof b, "%.3f", json_real_value(v));
        return strdup(b);
    }
    if (json_is_array(v)) {
        size_t n = 0, i;
        json_t *x;
        char *parts[256];
        size_t np = 0, len = 1;
        json_array_foreach(v, i, x) {
            if (np == 256) break;
            parts[np] = json_is_string(x) ? strdup(json_string_value(x))
                                          : json_dumps(x, JSON_COMPACT | JSON_ENCODE_ANY);
            if (parts[np]) len += strlen(parts[np]) + 1, np++;
        }
        char *out = malloc(len);
        if (!out) {
            for (i = 0; i < np; i++) free(parts[i]);
            return NULL;
        }
        out[0] = '\0';
        for (i = 0; i < np; i++) {
            if (i) out[n++] = ',';
            size_t l = strlen(parts[i]);
            memcpy(out + n, parts[i], l + 1);
            n += l;
            free(parts[i]);
        }
        return np ? out : (free(out), strdup("-"));
    }
    return json_dumps(v, JSON_COMPACT);
}

int cu_print_rows(vigil_status rc, const vigil_err *err, json_t *rows, int json,
                  const char *const *cols) {
    int ret = CLI_EXIT_OK;
    if (rc != VIGIL_OK)
        ret = cu_fail(rc, err);
    else if (json)
        cu_print_json(rows);
    else
        cu_print_table(rows, cols);
    json_decref(rows);
    return ret;
}

void cu_print_table(json_t *rows, const char *const *cols) {
    size_t nc = 0;
    while (cols[nc]) nc++;
    size_t nr = json_array_size(rows);
    if (nc == 0) return;
    size_t *w = calloc(nc, sizeof *w);
    char **cells = calloc((nr + 1) * nc, sizeof *cells);
    if (!w || !cells) {
        free(w);
        free(cells);
        return;
    }
    for (size_t c = 0; c < nc; c++) {
        cells[c] = strdup(cols[c]);
        for (char *p = cells[c]; p && *p; p++)
            if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    }
    for (size_t r = 0; r < nr; r++)
        for (size_t c = 0; c < nc; c++)
            cells[(r + 1) * nc + c] = cell(json_object_get(json_array_get(rows, r), cols[c]));
    for (size_t i = 0; i < (nr + 1) * nc; i++) {
        size_t l = cells[i] ? strlen(cells[i]) : 0;
        if (l > w[i % nc]) w[i % nc] = l;
    }
    for (size_t r = 0; r <= nr; r++) {
        for (size_t c = 0; c < nc; c++) {
            const char *s = cells[r * nc + c] ? cells[r * nc + c] : "";
            if (c + 1 < nc) printf("%-*s  ", (int)w[c], s);
            else printf("%s\n", s);
        }
    }
    for (size_t i = 0; i < (nr + 1) * nc; i++) free(cells[i]);
    free(cells);
    free(w);
}

void cu_print_record(json_t *obj) {
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (json_is_array(v) && json_array_size(v) && json_is_object(json_array_get(v, 0))) {
            printf("%s:\n", key);
            const char *cols[32];
            size_t nc = 0;
            const char *k2;
            json_t *v2;
            json_object_foreach(json_array_get(v, 0), k2, v2) {
                if (nc < 31) cols[nc++] = k2;
            }
            cols[nc] = NULL;
            cu_print_table(v, cols);
        } else if (json_is_object(v)) {
            printf("%s:", key);
            const char *k2;
            json_t *v2;
            json_object_foreach(v, k2, v2) {
                char *c = cell(v2);
                printf(" %s=%s", k2, c ? c : "?");
                free(c);
            }
            putchar('\n');
        } else {
            char *c = cell(v);
            printf("%s: %s\n", key, c ? c : "?");
            free(c);
        }
    }
}

int cu_args(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
            void (*usage)(FILE *), int min, int max, const char *what, const char **by, int *json) {
    return cu_args_flag(a, cmd, opts, argc, argv, usage, min, max, what, by, json, 0, NULL);
}

/* The loop of cu_args*: --by, --json, --help, one flag (flag_code) and one
 * number (num_code) when asked for. */
static int args_loop(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
                     void (*usage)(FILE *), int min, int max, const char *what, const char **by,
                     int *json, int flag_code, int *flag, int num_code, int *num) {
    int c;
    cli_args_init(a, cmd, opts, 0, argc, argv);
    while ((c = cli_args_next(a)) != CLI_END) {
        if (flag && c == flag_code) {
            *flag = 1;
            continue;
        }
        if (num && c == num_code) {
            *num = (int)a->num;
            continue;
        }
        switch (c) {
        case CU_O_BY: *by = a->arg; break;
        case CU_O_JSON: *json = 1; break;
        case CLI_HELP: usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    return cli_args_operands(a, min, max, what) ? -1 : CLI_EXIT_USAGE;
}

int cu_args_flag(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
                 void (*usage)(FILE *), int min, int max, const char *what, const char **by,
                 int *json, int flag_code, int *flag) {
    return args_loop(a, cmd, opts, argc, argv, usage, min, max, what, by, json, flag_code, flag, 0,
                     NULL);
}

int cu_args_num(cli_args *a, const char *cmd, const cli_opt *opts, int argc, char **argv,
                void (*usage)(FILE *), int min, int max, const char *what, const char **by,
                int *json, int num_code, int *num) {
    return args_loop(a, cmd, opts, argc, argv, usage, min, max, what, by, json, 0, NULL, num_code,
                     num);
}

int64_t cu_id(const char *s, const char *what) {
    char *end = NULL;
    errno = 0;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v <= 0) {
        cli_errorf("%s: '%s' is not an id (a positive number)", what, s ? s : "");
        return 0;
    }
    return (int64_t)v;
}
