/*
 * src/http/validate.c - request validation from the route table: query
 * arguments and JSON body fields are checked here once, before any handler
 * runs, so every route refuses unknown or wrong-typed input the same way
 * (the codes docs/openapi.yaml names).  The getters give handlers the
 * checked values.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "http/http_internal.h"

typedef struct qcheck {
    const http_field *allowed;
    const char *bad;
} qcheck;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value) {
    (void)kind;
    (void)value;
    qcheck *q = cls;
    for (const http_field *f = q->allowed; f && f->name; f++)
        if (strcmp(f->name, key) == 0) return MHD_YES;
    q->bad = key;
    return MHD_NO;
}

static const http_field *find_field(const http_field *fs, const char *name) {
    for (const http_field *f = fs; f && f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

/* One field's value against its type; 0 or -1 after answering. */
static int check_value(http_ctx *h, const http_field *f, json_t *v) {
    switch (f->type) {
    case FT_STRING:
    case FT_TIME:
        if (json_is_string(v)) return 0;
        http_error(h, 400, "wrong_type", "field '%s' must be a string", f->name);
        return -1;
    case FT_INT:
        if (!json_is_integer(v)) {
            http_error(h, 400, "wrong_type", "field '%s' must be an integer", f->name);
            return -1;
        }
        if ((f->flags & F_RANGE) &&
            (json_integer_value(v) < f->min || json_integer_value(v) > f->max)) {
            http_error(h, 400, "bad_request", "field '%s' must be %lld..%lld", f->name, f->min,
                       f->max);
            return -1;
        }
        return 0;
    case FT_BOOL:
        if (json_is_boolean(v)) return 0;
        http_error(h, 400, "wrong_type", "field '%s' must be true or false", f->name);
        return -1;
    case FT_STRINGS: {
        if (!json_is_array(v)) {
            http_error(h, 400, "wrong_type", "field '%s' must be an array of strings", f->name);
            return -1;
        }
        if (f->max > 0 && json_array_size(v) > (size_t)f->max) {
            if (f->flags & F_MAX413)
                http_error(h, 413, "too_many", "at most %lld %s per request (got %zu)", f->max,
                           f->name, json_array_size(v));
            else
                http_error(h, 400, "too_many", "field '%s' holds at most %lld values", f->name,
                           f->max);
            return -1;
        }
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e) {
            if (!json_is_string(e)) {
                http_error(h, 400, "wrong_type", "field '%s' must be an array of strings", f->name);
                return -1;
            }
        }
        return 0;
    }
    case FT_LABELS: {
        const char *k;
        json_t *e;
        int ok = json_is_object(v);
        if (ok) json_object_foreach(v, k, e) if (!json_is_string(e)) ok = 0;
        if (ok) return 0;
        http_error(h, 400, "wrong_type", "field '%s' must be an object of strings", f->name);
        return -1;
    }
    }
    return 0;
}

static int wants_json_body(const http_ctx *h) {
    const route *rt = h->rt;
    if (!rt->fields) return 0;
    switch (rt->body) {
    case BODY_JSON: return 1;
    case BODY_IMAGE_OR_JSON: return strncasecmp(h->ctype, "application/json", 16) == 0;
    case BODY_NONE: return (rt->flags & RF_BODY_OPTIONAL) != 0;
    default: return 0;
    }
}

int http_validate(http_ctx *h) {
    const route *rt = h->rt;
    qcheck q = {rt->query, NULL};
    MHD_get_connection_values(h->conn, MHD_GET_ARGUMENT_KIND, check_arg, &q);
    if (q.bad) {
        http_error(h, 400, "bad_request", "unknown query parameter '%.60s'", q.bad);
        return -1;
    }
    if (!wants_json_body(h)) return 0;
    json_t *b = rt->body == BODY_NONE && h->body_len == 0 ? json_object() : http_json_body(h);
    if (!b) return -1;
    const char *k;
    json_t *v;
    json_object_foreach(b, k, v) {
        if (!find_field(rt->fields, k)) {
            http_error(h, 400, "unknown_field", "unknown field '%.60s'", k);
            json_decref(b);
            return -1;
        }
    }
    for (const http_field *f = rt->fields; f->name; f++) {
        v = json_object_get(b, f->name);
        if (!v || json_is_null(v)) {
            if (f->flags & F_REQ) {
                http_error(h, 400, "missing_field", "field '%s' is required", f->name);
                json_decref(b);
                return -1;
            }
            continue;
        }
        if (check_value(h, f, v) != 0) {
            json_decref(b);
            return -1;
        }
    }
    h->in = b;
    return 0;
}

static json_t *in_get(http_ctx *h, const char *name) {
    json_t *v = h->in ? json_object_get(h->in, name) : NULL;
    return v && !json_is_null(v) ? v : NULL;
}

const char *http_in_str(http_ctx *h, const char *name) {
    json_t *v = in_get(h, name);
    return v ? json_string_value(v) : NULL;
}

int http_in_int(http_ctx *h, const char *name, long long *out) {
    json_t *v = in_get(h, name);
    if (!v || !json_is_integer(v)) return 0;
    *out = json_integer_value(v);
    return 1;
}

int http_in_bool(http_ctx *h, const char *name, int *out) {
    json_t *v = in_get(h, name);
    if (!v || !json_is_boolean(v)) return 0;
    *out = json_is_true(v);
    return 1;
}

size_t http_in_strs(http_ctx *h, const char *name, const char **out, size_t max) {
    json_t *a = in_get(h, name);
    size_t n = 0, i;
    json_t *v;
    if (!a || !json_is_array(a)) return 0;
    json_array_foreach(a, i, v) {
        if (n < max && json_is_string(v)) out[n++] = json_string_value(v);
    }
    return n;
}
