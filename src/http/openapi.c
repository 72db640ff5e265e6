/*
 * src/http/openapi.c - the `paths` of docs/openapi.yaml, generated from the
 * route table: parameters from the path's {names} and the query table,
 * request bodies from the body kind and the field table, the answer's
 * schema, and the error statuses every route can give.  `make docs` writes
 * them into the file; tests/cli_arch.sh fails when the file differs.
 */
#include <stdio.h>
#include <string.h>

#include "http/http_internal.h"

/* A YAML double-quoted scalar. */
static void q(FILE *o, const char *s) {
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') fputc('\\', o);
        fputc(*s, o);
    }
    fputc('"', o);
}

static const char *type_name(http_ftype t) {
    switch (t) {
    case FT_INT: return "integer";
    case FT_BOOL: return "boolean";
    case FT_STRINGS: return "array";
    case FT_LABELS: return "object";
    default: return "string";
    }
}

static void field_schema(FILE *o, const http_field *f, int ind) {
    fprintf(o, "%*stype: %s\n", ind, "", type_name(f->type));
    if (f->type == FT_TIME) fprintf(o, "%*sformat: date-time\n", ind, "");
    if (f->type == FT_INT && (f->flags & F_RANGE)) {
        fprintf(o, "%*sminimum: %lld\n", ind, "", f->min);
        if (f->max != INT64_MAX) fprintf(o, "%*smaximum: %lld\n", ind, "", f->max);
    }
    if (f->choices) {
        fprintf(o, "%*senum: [", ind, "");
        for (const char *c = f->choices; *c; c++)
            if (*c == '|') fputs(", ", o);
            else fputc(*c, o);
        fputs("]\n", o);
    }
    if (f->type == FT_STRINGS) {
        if (f->max > 0) fprintf(o, "%*smaxItems: %lld\n", ind, "", f->max);
        fprintf(o, "%*sitems:\n%*stype: string\n", ind, "", ind + 2, "");
    }
    if (f->type == FT_LABELS)
        fprintf(o, "%*sadditionalProperties:\n%*stype: string\n", ind, "", ind + 2, "");
    if (f->doc) {
        fprintf(o, "%*sdescription: ", ind, "");
        q(o, f->doc);
        fputc('\n', o);
    }
    if (f->example) {
        fprintf(o, "%*sexample: ", ind, "");
        q(o, f->example);
        fputc('\n', o);
    }
}

static void body_schema(FILE *o, const http_field *fs, int ind) {
    fprintf(o, "%*sschema:\n", ind, "");
    ind += 2;
    fprintf(o, "%*stype: object\n%*sadditionalProperties: false\n", ind, "", ind, "");
    int nreq = 0;
    for (const http_field *f = fs; f->name; f++) nreq += (f->flags & F_REQ) != 0;
    if (nreq) {
        fprintf(o, "%*srequired: [", ind, "");
        int k = 0;
        for (const http_field *f = fs; f->name; f++)
            if (f->flags & F_REQ) fprintf(o, "%s%s", k++ ? ", " : "", f->name);
        fputs("]\n", o);
    }
    fprintf(o, "%*sproperties:\n", ind, "");
    for (const http_field *f = fs; f->name; f++) {
        fprintf(o, "%*s%s:\n", ind + 2, "", f->name);
        field_schema(o, f, ind + 4);
    }
}

static void binary(FILE *o, const char *type) {
    fprintf(o, "          %s:\n            schema:\n              type: string\n"
               "              format: binary\n", type);
}

static void request_body(FILE *o, const route *r) {
    if (r->body == BODY_NONE && !(r->flags & RF_BODY_OPTIONAL)) return;
    fprintf(o, "      requestBody:\n        required: %s\n        content:\n",
            r->body == BODY_NONE ? "false" : "true");
    switch (r->body) {
    case BODY_IMAGE:
        binary(o, "application/octet-stream");
        binary(o, "image/*");
        break;
    case BODY_IMAGE_OR_JSON:
        fputs("          application/json:\n", o);
        body_schema(o, r->fields, 12);
        binary(o, "image/*");
        break;
    case BODY_CSV:
        fputs("          text/csv:\n            schema:\n              type: string\n", o);
        break;
    case BODY_JSON:
    case BODY_NONE:
        fputs("          application/json:\n", o);
        body_schema(o, r->fields, 12);
        break;
    }
}

static void parameters(FILE *o, const route *r) {
    int any = strchr(r->path, '{') != NULL || (r->query && r->query->name);
    if (!any) return;
    fputs("      parameters:\n", o);
    for (const char *p = strchr(r->path, '{'); p; p = strchr(p + 1, '{')) {
        const char *e = strchr(p, '}');
        if (!e) break;
        fprintf(o, "        - name: %.*s\n          in: path\n          required: true\n"
                   "          schema:\n            type: string\n",
                (int)(e - p - 1), p + 1);
    }
    for (const http_field *f = r->query; f && f->name; f++) {
        fprintf(o, "        - name: %s\n          in: query\n          required: false\n"
                   "          schema:\n",
                f->name);
        field_schema(o, f, 12);
    }
}

static void responses(FILE *o, const route *r) {
    fprintf(o, "      responses:\n        \"%u\":\n          description: OK\n", r->ok);
    if (r->result) {
        fputs("          content:\n            application/json:\n              schema:\n", o);
        if (strcmp(r->result, "[]") == 0) {
            fputs("                type: array\n                items:\n"
                  "                  type: object\n", o);
        } else if (strchr(r->result, '|')) { /* "A|B": one of the schemas */
            fputs("                oneOf:\n", o);
            for (const char *p = r->result; *p;) {
                size_t n = strcspn(p, "|");
                fprintf(o, "                  - $ref: '#/components/schemas/%.*s'\n", (int)n, p);
                p += n + (p[n] == '|');
            }
        } else {
            fprintf(o, "                $ref: '#/components/schemas/%s'\n", r->result);
        }
    }
    int writes = strcmp(r->method, "GET") != 0;
    int body = r->body != BODY_NONE || (r->flags & RF_BODY_OPTIONAL);
    static const unsigned all[] = {400, 401, 403, 404, 409, 413, 415, 429, 503};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        unsigned s = all[i];
        if ((s == 409 && !writes) || ((s == 413 || s == 415) && !body)) continue;
        if (s == 429 && !(r->flags & RF_LIMITED)) continue;
        fprintf(o, "        \"%u\":\n          $ref: '#/components/responses/Error'\n", s);
    }
}

static void method_lower(FILE *o, const char *m) {
    for (; *m; m++) fputc(*m >= 'A' && *m <= 'Z' ? *m + 32 : *m, o);
}

void http_openapi_paths(FILE *o) {
    fputs("paths:\n"
          "  /healthz:\n    get:\n      summary: Liveness\n      security: []\n"
          "      responses:\n        \"200\":\n          description: '{\"status\":\"ok\"}'\n"
          "  /metrics:\n    get:\n      summary: Prometheus metrics\n"
          "      description: Requests by route and status, latency histograms by route, index "
          "size, open and overdue removal orders.\n"
          "      security: []\n      responses:\n        \"200\":\n"
          "          description: Prometheus text format\n          content:\n"
          "            text/plain:\n              schema:\n                type: string\n",
          o);
    for (size_t i = 0; i < http_n_routes; i++) {
        int seen = 0; /* each path once, with all its methods */
        for (size_t j = 0; j < i; j++) seen |= strcmp(http_routes[j].path, http_routes[i].path) == 0;
        if (seen) continue;
        fprintf(o, "  %s:\n", http_routes[i].path);
        for (size_t j = i; j < http_n_routes; j++) {
            const route *r = &http_routes[j];
            if (strcmp(r->path, http_routes[i].path) != 0) continue;
            fputs("    ", o);
            method_lower(o, r->method);
            fputs(":\n      summary: ", o);
            fputs(r->summary ? r->summary : "", o);
            fprintf(o, "\n      tags: [%s]\n", r->tag ? r->tag : "Other");
            if (r->roles == R_NONE) fputs("      security: []\n", o); /* no token needed */
            if (r->doc) {
                fputs("      description: ", o);
                q(o, r->doc);
                fputc('\n', o);
            }
            parameters(o, r);
            request_body(o, r);
            responses(o, r);
        }
    }
}
