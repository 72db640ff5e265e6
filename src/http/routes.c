/*
 * src/http/routes.c - the route table of the HTTP API and its handlers.
 * Each handler checks the request's shape (types, required and unknown
 * fields), calls one library function, and turns the result into JSON:
 * no business rule lives here.  docs/openapi.yaml documents each route.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "http/http_internal.h"
#include "vigil/bank.h"
#include "vigil/hash.h"

/* ---- request helpers ------------------------------------------------------------- */

/* 400 unless every key of `o` is in the NULL-terminated `allowed`. */
static int only_keys(http_ctx *h, json_t *o, const char *const *allowed) {
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v) {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, k) == 0) ok = 1;
        if (!ok) {
            http_error(h, 400, "unknown_field", "unknown field '%.60s'", k);
            return -1;
        }
    }
    return 0;
}

/* A string field: *out NULL when absent (400 if required). */
static int str_field(http_ctx *h, json_t *o, const char *key, int required, const char **out) {
    json_t *v = json_object_get(o, key);
    *out = NULL;
    if (!v || json_is_null(v)) {
        if (!required) return 0;
        http_error(h, 400, "missing_field", "field '%s' is required", key);
        return -1;
    }
    if (!json_is_string(v)) {
        http_error(h, 400, "wrong_type", "field '%s' must be a string", key);
        return -1;
    }
    *out = json_string_value(v);
    return 0;
}

/* An array of strings (at most `max`) into out[] (pointers into `o`). */
static int str_array(http_ctx *h, json_t *o, const char *key, const char **out, size_t max,
                     size_t *n) {
    json_t *a = json_object_get(o, key);
    *n = 0;
    if (!a || json_is_null(a)) return 0;
    if (!json_is_array(a)) {
        http_error(h, 400, "wrong_type", "field '%s' must be an array of strings", key);
        return -1;
    }
    if (json_array_size(a) > max) {
        http_error(h, 400, "too_many", "field '%s' holds at most %zu values", key, max);
        return -1;
    }
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        if (!json_is_string(v)) {
            http_error(h, 400, "wrong_type", "field '%s' must be an array of strings", key);
            return -1;
        }
        out[(*n)++] = json_string_value(v);
    }
    return 0;
}

static int int_field(http_ctx *h, json_t *o, const char *key, int required, long long *out,
                     int *present) {
    json_t *v = json_object_get(o, key);
    *present = 0;
    if (!v || json_is_null(v)) {
        if (!required) return 0;
        http_error(h, 400, "missing_field", "field '%s' is required", key);
        return -1;
    }
    if (!json_is_integer(v)) {
        http_error(h, 400, "wrong_type", "field '%s' must be an integer", key);
        return -1;
    }
    *out = json_integer_value(v);
    *present = 1;
    return 0;
}

/* The path parameter `i` as a positive id; 400 otherwise. */
static int64_t param_id(http_ctx *h, int i) {
    char *end = NULL;
    errno = 0;
    long long v = strtoll(h->params[i], &end, 10);
    if (!h->params[i][0] || *end || errno || v <= 0) {
        http_error(h, 400, "bad_id", "'%.60s' is not an id", h->params[i]);
        return 0;
    }
    return v;
}

/* A JSON body with only `allowed` keys; NULL after answering. */
static json_t *body_with(http_ctx *h, const char *const *allowed) {
    json_t *b = http_json_body(h);
    if (b && only_keys(h, b, allowed) != 0) {
        json_decref(b);
        return NULL;
    }
    return b;
}

/* Answer a library result: ok -> status with `out`, else the error. */
static void answer(http_ctx *h, vigil_status rc, const vigil_err *err, unsigned status, json_t *out) {
    if (rc == VIGIL_OK) http_ok(h, status, out);
    else {
        json_decref(out);
        http_fail(h, rc, err);
    }
}

/* ---- hashing and matching ------------------------------------------------------------ */

static void h_hash(http_ctx *h) {
    if (!h->body_len) {
        http_error(h, 400, "missing_body", "send the image as the request body");
        return;
    }
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags |= VIGIL_HASH_DIGESTS;
    vigil_hash_result r;
    vigil_err err;
    vigil_status rc = vigil_hash_bytes(h->body, h->body_len, &o, &r, &err);
    if (rc != VIGIL_OK) {
        http_fail(h, rc, &err);
        return;
    }
    char pdq[VIGIL_PDQ_HEX_LEN + 1], md5[33], sha[65];
    vigil_pdq_to_hex(&r.pdq, pdq);
    vigil_hex_encode(r.md5, 16, md5);
    vigil_hex_encode(r.sha256, 32, sha);
    http_ok(h, 200, json_pack("{s:s, s:i, s:s, s:s, s:i, s:i}", "pdq", pdq, "quality", r.quality,
                              "md5", md5, "sha256", sha, "width", r.width, "height", r.height));
}

static json_t *matches_json(const vigil_match_result *res) {
    json_t *a = json_array();
    for (size_t i = 0; i < res->n; i++) {
        const vigil_match *m = &res->matches[i];
        char *lj = NULL;
        json_t *labels = NULL;
        if (vigil_labels_to_json(m->labels ? m->labels : "", &lj, NULL) == VIGIL_OK)
            labels = json_loads(lj, 0, NULL);
        free(lj);
        json_array_append_new(
            a, json_pack("{s:s, s:I, s:s, s:s, s:i, s:o, s:s?}", "bank", m->bank, "entry_id",
                         (json_int_t)m->entry_id, "bank_kind", vigil_bank_kind_name(m->bank_kind),
                         "signal", vigil_signal_name(m->signal), "distance", m->distance, "labels",
                         labels ? labels : json_object(), "external_id", m->external_id));
    }
    return a;
}

/* Matches one "type:value" hash text; fills *res. */
static vigil_status match_one(vigil_matcher *m, const char *text, vigil_match_result *res,
                              vigil_err *err) {
    memset(res, 0, sizeof *res);
    const char *colon = strchr(text, ':');
    vigil_signal sig = VIGIL_SIGNAL_PDQ;
    const char *v = text;
    if (colon) {
        char name[16];
        size_t n = (size_t)(colon - text);
        if (n >= sizeof name) return vigil__err_set(err, VIGIL_EPARSE, "unknown signal type");
        memcpy(name, text, n);
        name[n] = '\0';
        vigil_status rc = vigil_signal_parse(name, &sig, err);
        if (rc != VIGIL_OK) return rc;
        v = colon + 1;
    }
    if (sig == VIGIL_SIGNAL_PDQ) {
        vigil_pdq q;
        vigil_status rc = vigil_pdq_from_hex(v, &q, err);
        if (rc != VIGIL_OK) return rc;
        return vigil_matcher_pdq(m, &q, NULL, -1, res, err);
    }
    if (sig == VIGIL_SIGNAL_MD5 || sig == VIGIL_SIGNAL_SHA256) {
        size_t n = sig == VIGIL_SIGNAL_MD5 ? 16 : 32;
        uint8_t d[32];
        if (strlen(v) != 2 * n)
            return vigil__err_set(err, VIGIL_EPARSE, "%s: expected %zu hex digits",
                                  vigil_signal_name(sig), 2 * n);
        vigil_status rc = vigil_hex_decode(v, d, n, err);
        if (rc != VIGIL_OK) return rc;
        return vigil_matcher_digest(m, sig, d, res, err);
    }
    return vigil__err_set(err, VIGIL_EPARSE, "the API matches pdq, md5 and sha256 hashes");
}

static void h_match(http_ctx *h) {
    vigil_err err;
    vigil_err_clear(&err);
    int is_json = strncasecmp(h->ctype, "application/json", 16) == 0;
    if (is_json) {
        static const char *const keys[] = {"hashes", NULL};
        json_t *b = body_with(h, keys);
        if (!b) return;
        const char *hs[1000];
        size_t n = 0;
        json_t *a = json_object_get(b, "hashes");
        if (json_is_array(a) && json_array_size(a) > 1000) {
            json_decref(b);
            http_error(h, 413, "too_many", "at most 1000 hashes per request (got %zu)", json_array_size(a));
            return;
        }
        if (!a) {
            json_decref(b);
            http_error(h, 400, "missing_field", "field 'hashes' is required");
            return;
        }
        if (str_array(h, b, "hashes", hs, 1000, &n) != 0) {
            json_decref(b);
            return;
        }
        vigil_matcher *m = http_matcher_acquire(h, &err);
        if (!m) {
            json_decref(b);
            http_fail(h, err.status ? err.status : VIGIL_EIO, &err);
            return;
        }
        json_t *results = json_array();
        vigil_status rc = VIGIL_OK;
        for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
            vigil_match_result res;
            rc = match_one(m, hs[i], &res, &err);
            if (rc == VIGIL_OK) {
                json_t *r = json_pack("{s:s, s:o}", "hash", hs[i], "matches", matches_json(&res));
                if (res.allowed) json_object_set_new(r, "allowed", json_true());
                json_array_append_new(results, r);
            } else if (rc == VIGIL_EPARSE || rc == VIGIL_EINVAL) {
                char msg[VIGIL_ERR_MSG_MAX];
                snprintf(msg, sizeof msg, "%s", err.msg);
                vigil__err_set(&err, VIGIL_EPARSE, "hashes[%zu]: %s", i, msg);
            }
            vigil_match_result_clear(&res);
        }
        http_matcher_release(h);
        json_decref(b);
        answer(h, rc, &err, 200, json_pack("{s:o}", "results", results));
        return;
    }
    if (!h->body_len) {
        http_error(h, 400, "missing_body", "send hashes as JSON or an image as the body");
        return;
    }
    vigil_hash_opts o;
    vigil_hash_opts_init(&o);
    o.flags |= VIGIL_HASH_DIGESTS;
    vigil_hash_result r;
    vigil_status rc = vigil_hash_bytes(h->body, h->body_len, &o, &r, &err);
    if (rc != VIGIL_OK) {
        http_fail(h, rc, &err);
        return;
    }
    vigil_matcher *m = http_matcher_acquire(h, &err);
    if (!m) {
        http_fail(h, err.status ? err.status : VIGIL_EIO, &err);
        return;
    }
    vigil_match_result res;
    memset(&res, 0, sizeof res);
    rc = vigil_matcher_pdq(m, &r.pdq, NULL, r.quality, &res, &err);
    if (rc == VIGIL_OK) rc = vigil_matcher_digest(m, VIGIL_SIGNAL_MD5, r.md5, &res, &err);
    if (rc == VIGIL_OK) rc = vigil_matcher_digest(m, VIGIL_SIGNAL_SHA256, r.sha256, &res, &err);
    http_matcher_release(h);
    char pdq[VIGIL_PDQ_HEX_LEN + 1];
    vigil_pdq_to_hex(&r.pdq, pdq);
    json_t *out = NULL;
    if (rc == VIGIL_OK)
        out = json_pack("{s:s, s:i, s:b, s:o}", "pdq", pdq, "quality", r.quality, "low_quality",
                        res.low_quality, "matches", matches_json(&res));
    vigil_match_result_clear(&res);
    answer(h, rc, &err, 200, out);
}

/* ---- banks ------------------------------------------------------------------------------ */

static json_t *bank_json(const vigil_bank_info *b) {
    json_t *o = json_pack("{s:s, s:s, s:b, s:s, s:s}", "name", b->name, "kind",
                          vigil_bank_kind_name(b->kind), "enabled", b->enabled, "description",
                          b->description, "created_at", b->created_at);
    json_object_set_new(o, "max_distance", b->max_distance >= 0 ? json_integer(b->max_distance) : json_null());
    if (b->entries >= 0) json_object_set_new(o, "entries", json_integer(b->entries));
    return o;
}

static void h_banks_list(http_ctx *h) {
    vigil_bank_info *b = NULL;
    size_t n = 0;
    vigil_err err;
    vigil_status rc = vigil_bank_list(h->st, &b, &n, &err);
    json_t *a = json_array();
    for (size_t i = 0; rc == VIGIL_OK && i < n; i++) json_array_append_new(a, bank_json(&b[i]));
    free(b);
    answer(h, rc, &err, 200, a);
}

static void h_bank_create(http_ctx *h) {
    static const char *const keys[] = {"name", "kind", "max_distance", "description", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *name, *kind, *desc;
    long long md = -1;
    int has_md;
    if (str_field(h, b, "name", 1, &name) || str_field(h, b, "kind", 0, &kind) ||
        str_field(h, b, "description", 0, &desc) || int_field(h, b, "max_distance", 0, &md, &has_md)) {
        json_decref(b);
        return;
    }
    vigil_bank_kind k = VIGIL_BANK_NORMAL;
    if (kind && strcmp(kind, "allow") == 0) k = VIGIL_BANK_ALLOW;
    else if (kind && strcmp(kind, "normal") != 0) {
        json_decref(b);
        http_error(h, 400, "bad_request", "kind is normal or allow");
        return;
    }
    if (has_md && (md < 0 || md > 256)) {
        json_decref(b);
        http_error(h, 400, "bad_request", "max_distance is 0..256");
        return;
    }
    vigil_bank_info info;
    vigil_err err;
    vigil_status rc = vigil_bank_create(h->st, name, k, has_md ? (int)md : -1, desc, &info, &err);
    json_decref(b);
    if (rc == VIGIL_EINVAL && strstr(err.msg, "already exists")) rc = VIGIL_ECONFLICT;
    if (rc == VIGIL_OK) http_banks_changed(h);
    answer(h, rc, &err, 201, rc == VIGIL_OK ? bank_json(&info) : NULL);
}

static void h_bank_get(http_ctx *h) {
    vigil_bank_info info;
    vigil_err err;
    vigil_status rc = vigil_bank_get(h->st, h->params[0], &info, &err);
    answer(h, rc, &err, 200, rc == VIGIL_OK ? bank_json(&info) : NULL);
}

static void h_bank_add(http_ctx *h) {
    static const char *const keys[] = {"signal_type", "value", "labels", "external_id", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *type, *value, *ext;
    if (str_field(h, b, "signal_type", 1, &type) || str_field(h, b, "value", 1, &value) ||
        str_field(h, b, "external_id", 0, &ext)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_entry_spec spec;
    memset(&spec, 0, sizeof spec);
    vigil_status rc = vigil_signal_parse(type, &spec.signal, &err);
    /* labels: an object of strings, turned into the text form k=v;k=v */
    json_t *lab = json_object_get(b, "labels");
    vigil_labels ls;
    vigil_labels_init(&ls);
    char *ltext = NULL;
    if (rc == VIGIL_OK && lab && !json_is_null(lab)) {
        if (!json_is_object(lab)) {
            rc = vigil__err_set(&err, VIGIL_EPARSE, "labels must be an object of strings");
        } else {
            const char *k;
            json_t *v;
            json_object_foreach(lab, k, v) {
                if (rc != VIGIL_OK) break;
                if (!json_is_string(v)) rc = vigil__err_set(&err, VIGIL_EPARSE, "label '%.40s' must be a string", k);
                else rc = vigil_labels_add(&ls, k, json_string_value(v), &err);
            }
            if (rc == VIGIL_OK) rc = vigil_labels_format(&ls, &ltext, &err);
        }
    }
    int64_t id = 0;
    int dup = 0;
    if (rc == VIGIL_OK) {
        spec.value = value;
        spec.labels = ltext;
        spec.external_id = ext;
        rc = vigil_bank_add(h->st, h->params[0], &spec, &id, &dup, &err);
    }
    vigil_labels_clear(&ls);
    free(ltext);
    json_decref(b);
    if (rc == VIGIL_OK && !dup) http_banks_changed(h);
    answer(h, rc, &err, dup ? 200 : 201,
           rc == VIGIL_OK ? json_pack("{s:I, s:b}", "entry_id", (json_int_t)id, "duplicate", dup) : NULL);
}

static void h_bank_remove(http_ctx *h) {
    int64_t id = param_id(h, 1);
    if (!id) return;
    vigil_err err;
    vigil_status rc = vigil_bank_remove(h->st, h->params[0], id, &err);
    if (rc == VIGIL_OK) http_banks_changed(h);
    answer(h, rc, &err, 200, json_pack("{s:I, s:b}", "entry_id", (json_int_t)id, "removed", 1));
}

static void h_bank_import(http_ctx *h) {
    static const char *const q[] = {"strict", NULL};
    if (http_query_check(h, q) != 0) return;
    FILE *f = fmemopen((void *)(h->body_len ? h->body : ""), h->body_len ? h->body_len : 1, "r");
    if (!f) {
        http_error(h, 500, "internal", "cannot read the body");
        return;
    }
    vigil_import_opts o;
    vigil_import_opts_init(&o);
    const char *strict = http_query(h, "strict");
    o.strict = strict && strcmp(strict, "1") == 0;
    vigil_import_report r;
    vigil_err err;
    vigil_status rc = vigil_bank_import(h->st, h->params[0], f, &o, &r, &err);
    fclose(f);
    if (rc == VIGIL_OK && r.imported) http_banks_changed(h);
    answer(h, rc, &err, 200,
           json_pack("{s:I, s:I, s:I, s:I}", "rows", (json_int_t)r.rows, "imported",
                     (json_int_t)r.imported, "duplicates", (json_int_t)r.duplicates, "bad",
                     (json_int_t)r.bad));
}

/* ---- agencies, users, platforms -------------------------------------------------------- */

static void h_agencies(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_agency_list(h->st, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_agency_add(http_ctx *h) {
    static const char *const keys[] = {"code", "name", "country", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *code, *name, *country;
    if (str_field(h, b, "code", 1, &code) || str_field(h, b, "name", 0, &name) ||
        str_field(h, b, "country", 0, &country)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_status rc = vigil_agency_add(h->st, h->user, code, name, country, &err);
    answer(h, rc, &err, 201, json_pack("{s:s}", "code", code));
    json_decref(b);
}

static void h_users(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_user_list(h->st, h->user, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_user_add(http_ctx *h) {
    static const char *const keys[] = {"name", "role", "agency", "platform", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *name, *role, *agency, *platform;
    if (str_field(h, b, "name", 1, &name) || str_field(h, b, "role", 1, &role) ||
        str_field(h, b, "agency", 0, &agency) || str_field(h, b, "platform", 0, &platform)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    char token[VIGIL_TOKEN_LEN + 1] = "";
    vigil_status rc = vigil_user_add(h->st, h->user, name, role, agency, platform, &err);
    if (rc == VIGIL_OK) rc = vigil_user_token_issue(h->st, h->user, name, token, &err);
    answer(h, rc, &err, 201, json_pack("{s:s, s:s, s:s}", "name", name, "role", role, "token", token));
    json_decref(b);
}

static void h_user_revoke(http_ctx *h) {
    vigil_err err;
    vigil_status rc = vigil_user_revoke(h->st, h->user, h->params[0], &err);
    answer(h, rc, &err, 200, json_pack("{s:s, s:b}", "name", h->params[0], "revoked", 1));
}

static void h_platforms(http_ctx *h) {
    static const char *const q[] = {"new", NULL};
    if (http_query_check(h, q) != 0) return;
    const char *n = http_query(h, "new");
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_platform_list(h->st, n && strcmp(n, "1") == 0, &out, &err);
    answer(h, rc, &err, 200, out);
}

/* Platform fields from a JSON body (domains joined into `dom`). */
static int platform_fields(http_ctx *h, json_t *b, vigil_platform_fields *f, char *dom, size_t cap) {
    f->requires_id = -1;
    const char *doms[64];
    size_t nd = 0;
    if (str_field(h, b, "kind", 0, &f->kind) || str_field(h, b, "contact", 0, &f->contact) ||
        str_field(h, b, "channel", 0, &f->channel) || str_field(h, b, "status", 0, &f->status) ||
        str_array(h, b, "domains", doms, 64, &nd))
        return -1;
    json_t *rid = json_object_get(b, "requires_id");
    if (rid && !json_is_null(rid)) {
        if (!json_is_boolean(rid)) {
            http_error(h, 400, "wrong_type", "field 'requires_id' must be true or false");
            return -1;
        }
        f->requires_id = json_is_true(rid);
    }
    dom[0] = '\0';
    for (size_t i = 0; i < nd; i++) {
        size_t l = strlen(dom);
        if (l + strlen(doms[i]) + 2 > cap) {
            http_error(h, 400, "too_long", "too many domains");
            return -1;
        }
        snprintf(dom + l, cap - l, "%s%s", l ? "," : "", doms[i]);
    }
    f->domains = nd ? dom : NULL;
    return 0;
}

static void h_platform_add(http_ctx *h) {
    static const char *const keys[] = {"name", "kind", "domains", "contact", "channel", "requires_id", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *name;
    vigil_platform_fields f;
    char dom[4096];
    if (str_field(h, b, "name", 1, &name) || platform_fields(h, b, &f, dom, sizeof dom)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_status rc = vigil_platform_add(h->st, h->user, name, &f, &err);
    answer(h, rc, &err, 201, json_pack("{s:s}", "name", name));
    json_decref(b);
}

static void h_platform_edit(http_ctx *h) {
    static const char *const keys[] = {"kind", "domains", "contact", "channel", "requires_id", "status", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    vigil_platform_fields f;
    char dom[4096];
    if (platform_fields(h, b, &f, dom, sizeof dom)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_status rc = vigil_platform_edit(h->st, h->user, h->params[0], &f, &err);
    answer(h, rc, &err, 200, json_pack("{s:s}", "name", h->params[0]));
    json_decref(b);
}

/* ---- operations ------------------------------------------------------------------------------ */

static void h_ops(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_op_list(h->st, h->user, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_op_create(http_ctx *h) {
    static const char *const keys[] = {"name", "coordinator", "participants", "start", "end", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *name, *coord, *start, *end, *parts[64];
    size_t np = 0;
    if (str_field(h, b, "name", 1, &name) || str_field(h, b, "coordinator", 1, &coord) ||
        str_field(h, b, "start", 0, &start) || str_field(h, b, "end", 0, &end) ||
        str_array(h, b, "participants", parts, 64, &np)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    json_t *out = NULL;
    vigil_status rc = vigil_op_create(h->st, h->user, name, coord, parts, np, start, end, &err);
    if (rc == VIGIL_OK) rc = vigil_op_show(h->st, h->user, name, &out, &err);
    answer(h, rc, &err, 201, out);
    json_decref(b);
}

static void h_op_show(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_op_show(h->st, h->user, h->params[0], &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_op_close(http_ctx *h) {
    vigil_err err;
    vigil_status rc = vigil_op_close(h->st, h->user, h->params[0], &err);
    answer(h, rc, &err, 200, json_pack("{s:s, s:s}", "name", h->params[0], "status", "closed"));
}

static void h_op_report(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_report_op(h->st, h->user, h->params[0], &out, &err);
    answer(h, rc, &err, 200, out);
}

typedef struct bad_rows {
    json_t *rows;
} bad_rows;

static void on_bad_row(void *ctx, uint64_t line, const char *msg) {
    bad_rows *b = ctx;
    if (json_array_size(b->rows) < 1000)
        json_array_append_new(b->rows, json_pack("{s:I, s:s}", "line", (json_int_t)line, "message", msg));
}

static void h_op_import(http_ctx *h) {
    static const char *const q[] = {"skip_bad", NULL};
    if (http_query_check(h, q) != 0) return;
    const char *sb = http_query(h, "skip_bad");
    FILE *f = fmemopen((void *)(h->body_len ? h->body : ""), h->body_len ? h->body_len : 1, "r");
    if (!f) {
        http_error(h, 500, "internal", "cannot read the body");
        return;
    }
    bad_rows br = {json_array()};
    vigil_item_import_opts o = {sb && strcmp(sb, "1") == 0, on_bad_row, NULL, &br};
    vigil_item_import_stats s;
    vigil_err err;
    vigil_status rc = vigil_item_import(h->st, h->user, h->params[0], f, &o, &s, &err);
    fclose(f);
    json_t *out = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o}", "rows", (json_int_t)s.rows, "created",
                            (json_int_t)s.created, "merged", (json_int_t)s.merged, "held",
                            (json_int_t)s.held, "bad", (json_int_t)s.bad, "bad_rows", br.rows);
    if (rc == VIGIL_EPARSE && s.bad) { /* the rows, with the error */
        json_t *e = json_pack("{s:{s:s, s:s, s:O}}", "error", "code", "bad_rows", "message", err.msg,
                              "bad_rows", json_object_get(out, "bad_rows"));
        json_decref(out);
        http_ok(h, 400, e);
        return;
    }
    answer(h, rc, &err, 200, out);
}

/* ---- items ----------------------------------------------------------------------------------- */

static void h_items(http_ctx *h) {
    static const char *const q[] = {"op", "state", "platform", "lang", "type", "after", "limit", NULL};
    if (http_query_check(h, q) != 0) return;
    vigil_item_filter f = {0};
    f.op = http_query(h, "op");
    f.state = http_query(h, "state");
    f.platform = http_query(h, "platform");
    f.lang = http_query(h, "lang");
    f.type = http_query(h, "type");
    const char *after = http_query(h, "after"), *limit = http_query(h, "limit");
    char *end = NULL;
    if (after) {
        errno = 0;
        long long v = strtoll(after, &end, 10);
        if (!*after || *end || errno || v < 0) {
            http_error(h, 400, "bad_cursor", "bad pagination cursor 'after=%.40s' (use the 'next' of the previous page)", after);
            return;
        }
        f.after_id = v;
    }
    if (limit) {
        errno = 0;
        long v = strtol(limit, &end, 10);
        if (!*limit || *end || errno || v < 1 || v > 10000) {
            http_error(h, 400, "bad_request", "limit is 1..10000");
            return;
        }
        f.limit = (int)v;
    }
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_list(h->st, h->user, &f, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_item_add(http_ctx *h) {
    static const char *const keys[] = {"op", "url", "type", "languages", "affiliation", "outlet",
                                       "hashes", "observed_at", "notes", "analyst", "text", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    vigil_item_input in;
    memset(&in, 0, sizeof in);
    const char *langs[16], *hashes[16];
    if (str_field(h, b, "op", 1, &in.op) || str_field(h, b, "url", 1, &in.url) ||
        str_field(h, b, "type", 0, &in.type) || str_field(h, b, "affiliation", 0, &in.affiliation) ||
        str_field(h, b, "outlet", 0, &in.outlet) || str_field(h, b, "observed_at", 0, &in.observed_at) ||
        str_field(h, b, "notes", 0, &in.notes) || str_field(h, b, "analyst", 0, &in.analyst) ||
        str_field(h, b, "text", 0, &in.text) ||
        str_array(h, b, "languages", langs, 16, &in.n_langs) ||
        str_array(h, b, "hashes", hashes, 16, &in.n_hashes)) {
        json_decref(b);
        return;
    }
    in.langs = langs;
    in.hashes = hashes;
    if (in.text) in.text_len = json_string_length(json_object_get(b, "text"));
    vigil_item_result res;
    vigil_err err;
    vigil_status rc = vigil_item_add(h->st, h->user, &in, &res, &err);
    json_t *out = NULL;
    if (rc == VIGIL_OK) {
        out = json_pack("{s:I, s:s, s:b, s:s, s:b}", "id", (json_int_t)res.id, "state", res.state,
                        "created", res.created, "canonical_url", res.canonical_url, "held", res.held);
        json_object_set_new(out, "reupload_of", res.reupload_of ? json_integer(res.reupload_of) : json_null());
    }
    answer(h, rc, &err, rc == VIGIL_OK && res.created ? 201 : 200, out);
    json_decref(b);
}

static void h_item_preview(http_ctx *h) {
    static const char *const keys[] = {"op", "urls", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *op, **urls = calloc(1000, sizeof *urls);
    size_t n = 0;
    if (!urls) {
        json_decref(b);
        http_error(h, 500, "internal", "out of memory");
        return;
    }
    if (str_field(h, b, "op", 1, &op) || str_array(h, b, "urls", urls, 1000, &n)) {
        free(urls);
        json_decref(b);
        return;
    }
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_preview(h->st, h->user, op, urls, n, &out, &err);
    answer(h, rc, &err, 200, rc == VIGIL_OK ? json_pack("{s:o}", "preview", out) : NULL);
    free(urls);
    json_decref(b);
}

static void h_item_show(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_show(h->st, h->user, id, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void item_move(http_ctx *h, const char *to, int note_required) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    static const char *const keys[] = {"note", "at", "expect", NULL};
    json_t *b = h->body_len ? body_with(h, keys) : json_object();
    if (!b) return;
    const char *note, *at, *expect;
    if (str_field(h, b, "note", note_required, &note) || str_field(h, b, "at", 0, &at) ||
        str_field(h, b, "expect", 0, &expect)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_status rc = vigil_item_transition_expect(h->st, h->user, id, to, at, note, expect, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", to));
    json_decref(b);
}

static void h_item_assess(http_ctx *h) { item_move(h, "assessed", 0); }
static void h_item_reject(http_ctx *h) { item_move(h, "rejected", 1); }

static void h_item_outcome(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    static const char *const keys[] = {"outcome", "at", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *outcome, *at;
    if (str_field(h, b, "outcome", 1, &outcome) || str_field(h, b, "at", 0, &at)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_status rc = vigil_outcome(h->st, h->user, id, outcome, at, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", outcome));
    json_decref(b);
}

/* ---- holds, referrals, orders ------------------------------------------------------------------ */

static void h_holds(http_ctx *h) {
    static const char *const q[] = {"all", NULL};
    if (http_query_check(h, q) != 0) return;
    const char *all = http_query(h, "all");
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_hold_list(h->st, h->user, all && strcmp(all, "1") == 0, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_hold_add(http_ctx *h) {
    static const char *const keys[] = {"agency", "prefix", "account", "hash", "reason", "until", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *agency, *prefix, *account, *hash, *reason, *until;
    if (str_field(h, b, "agency", 1, &agency) || str_field(h, b, "prefix", 0, &prefix) ||
        str_field(h, b, "account", 0, &account) || str_field(h, b, "hash", 0, &hash) ||
        str_field(h, b, "reason", 1, &reason) || str_field(h, b, "until", 0, &until)) {
        json_decref(b);
        return;
    }
    if (!!prefix + !!account + !!hash != 1) {
        json_decref(b);
        http_error(h, 400, "bad_request", "give exactly one of prefix, account, hash");
        return;
    }
    const char *kind = prefix ? "prefix" : account ? "account" : "hash";
    const char *value = prefix ? prefix : account ? account : hash;
    int64_t id = 0;
    vigil_err err;
    vigil_status rc = vigil_hold_add(h->st, h->user, agency, kind, value, until, reason, &id, &err);
    answer(h, rc, &err, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "kind", kind));
    json_decref(b);
}

static void h_hold_release(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    vigil_err err;
    vigil_status rc = vigil_hold_release(h->st, h->user, id, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "released", 1));
}

static void h_referrals(http_ctx *h) {
    static const char *const q[] = {"op", NULL};
    if (http_query_check(h, q) != 0) return;
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_referral_list(h->st, h->user, http_query(h, "op"), &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_refer(http_ctx *h) {
    static const char *const keys[] = {"op", "platform", "channel", "at", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *op, *platform, *channel, *at;
    if (str_field(h, b, "op", 1, &op) || str_field(h, b, "platform", 0, &platform) ||
        str_field(h, b, "channel", 0, &channel) || str_field(h, b, "at", 0, &at)) {
        json_decref(b);
        return;
    }
    json_t *docs = NULL;
    vigil_err err;
    vigil_status rc = vigil_refer(h->st, h->user, op, platform, channel, at, &docs, &err);
    answer(h, rc, &err, 201, rc == VIGIL_OK ? json_pack("{s:o}", "referrals", docs) : NULL);
    json_decref(b);
}

static void h_orders(http_ctx *h) {
    static const char *const q[] = {"overdue", NULL};
    if (http_query_check(h, q) != 0) return;
    const char *od = http_query(h, "overdue");
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_order_list(h->st, h->user, od && strcmp(od, "1") == 0, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_order_create(http_ctx *h) {
    static const char *const keys[] = {"authority", "platform", "item", "url", "received", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    vigil_order_input in;
    memset(&in, 0, sizeof in);
    long long item = 0;
    int has_item;
    if (str_field(h, b, "authority", 1, &in.authority) || str_field(h, b, "platform", 0, &in.platform) ||
        str_field(h, b, "url", 0, &in.url) || str_field(h, b, "received", 0, &in.received) ||
        int_field(h, b, "item", 0, &item, &has_item)) {
        json_decref(b);
        return;
    }
    if (has_item && item <= 0) {
        json_decref(b);
        http_error(h, 400, "bad_request", "item must be a positive id");
        return;
    }
    in.item = item;
    int64_t id = 0;
    vigil_err err;
    vigil_status rc = vigil_order_create(h->st, h->user, &in, &id, &err);
    answer(h, rc, &err, 201, json_pack("{s:I}", "id", (json_int_t)id));
    json_decref(b);
}

static void order_action(http_ctx *h, const char *action) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    static const char *const keys[] = {"at", "reason", NULL};
    json_t *b = h->body_len ? body_with(h, keys) : json_object();
    if (!b) return;
    const char *at, *reason;
    if (str_field(h, b, "at", 0, &at) || str_field(h, b, "reason", 0, &reason)) {
        json_decref(b);
        return;
    }
    vigil_err err;
    vigil_status rc = vigil_order_update(h->st, h->user, id, action, reason, at, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "action", action));
    json_decref(b);
}

static void h_order_ack(http_ctx *h) { order_action(h, "ack"); }
static void h_order_done(http_ctx *h) { order_action(h, "done"); }
static void h_order_fail(http_ctx *h) { order_action(h, "fail"); }

/* ---- reports and audit -------------------------------------------------------------------------- */

static void h_tco(http_ctx *h) {
    static const char *const q[] = {"year", NULL};
    if (http_query_check(h, q) != 0) return;
    const char *y = http_query(h, "year");
    char *end = NULL;
    long year = y ? strtol(y, &end, 10) : 0;
    if (!y || !*y || *end) {
        http_error(h, 400, "bad_request", "give ?year=YYYY");
        return;
    }
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_report_tco(h->st, h->user, (int)year, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_audit_verify(http_ctx *h) {
    int64_t n = 0, bad = 0;
    vigil_err err;
    vigil_status rc = vigil_audit_verify(h->st, &n, &bad, &err);
    if (rc == VIGIL_OK) {
        json_t *last = NULL;
        vigil_audit_list(h->st, NULL, 0, 1, &last, NULL);
        json_t *d = json_object_get(json_array_get(last, 0), "digest");
        http_ok(h, 200, json_pack("{s:b, s:I, s:O?}", "ok", 1, "events", (json_int_t)n, "head", d));
        json_decref(last);
    } else if (rc == VIGIL_ECORRUPT) {
        http_ok(h, 200, json_pack("{s:b, s:I, s:I, s:s}", "ok", 0, "events", (json_int_t)n,
                                  "first_bad", (json_int_t)bad, "error", err.msg));
    } else {
        http_fail(h, rc, &err);
    }
}

static void h_audit(http_ctx *h) {
    static const char *const q[] = {"entity", "id", "limit", NULL};
    if (http_query_check(h, q) != 0) return;
    const char *entity = http_query(h, "entity"), *id = http_query(h, "id"), *limit = http_query(h, "limit");
    long long eid = id ? strtoll(id, NULL, 10) : 0;
    long lim = limit ? strtol(limit, NULL, 10) : 100;
    if ((entity && !id) || lim < 1 || lim > 10000) {
        http_error(h, 400, "bad_request", "give entity with id; limit 1..10000");
        return;
    }
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_audit_list(h->st, entity, eid, (int)lim, &out, &err);
    answer(h, rc, &err, 200, out);
}

/* ---- sign-in sessions (the web app; rules in src/auth/auth.c) ----------------------------------- */

static json_t *session_json(http_ctx *h, const vigil_session_info *si) {
    char exp[VIGIL_TIME_LEN], idle[VIGIL_TIME_LEN];
    vigil_time_format(si->expires_at, exp);
    vigil_time_format(si->idle_until, idle);
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:i}", "user", si->user, "role", si->role,
                     "auth", "session", "csrf", si->csrf, "must_change_password", si->must_change,
                     "expires_at", exp, "idle_until", idle, "idle_timeout_s",
                     http_auth_policy(h)->idle_s);
}

static void h_session_start(http_ctx *h) {
    static const char *const keys[] = {"name", "password", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *name, *password;
    if (str_field(h, b, "name", 1, &name) || str_field(h, b, "password", 1, &password)) {
        json_decref(b);
        return;
    }
    char sid[VIGIL_SESSION_LEN + 1];
    vigil_session_info si;
    int retry = 0;
    vigil_err err;
    vigil_status rc = vigil_session_start(h->st, http_auth_policy(h), name, password, vigil_time_now(),
                                          sid, &si, &retry, &err);
    json_decref(b);
    if (rc == VIGIL_EPERM) {
        http_error(h, 401, "sign_in_failed", "%s", err.msg);
    } else if (rc == VIGIL_ELIMIT) {
        h->retry_after = retry;
        http_error(h, 429, "too_many_attempts", "%s", err.msg);
    } else if (rc == VIGIL_OK) {
        http_session_cookie(h, sid, http_auth_policy(h)->lifetime_s);
        http_ok(h, 201, session_json(h, &si));
    } else {
        http_fail(h, rc, &err);
    }
}

static void h_session_show(http_ctx *h) {
    if (h->via_session) {
        http_ok(h, 200, session_json(h, &h->sess));
        return;
    }
    static const char *const names[] = {"", "analyst", "reviewer", "", "coordinator", "", "", "",
                                        "liaison", "", "", "", "", "", "", "", "admin"};
    http_ok(h, 200, json_pack("{s:s, s:s, s:s, s:b}", "user", h->user, "role",
                              h->role > 0 && h->role <= 16 ? names[h->role] : "?", "auth", "token",
                              "must_change_password", 0));
}

static void h_session_end(http_ctx *h) {
    vigil_err err;
    vigil_status rc = VIGIL_OK;
    if (h->via_session) {
        rc = vigil_session_end(h->st, h->sid, vigil_time_now(), &err);
        if (rc == VIGIL_OK) http_session_cookie(h, "", 0);
    }
    answer(h, rc, &err, 200, json_pack("{s:b}", "signed_out", h->via_session));
}

static void h_session_password(http_ctx *h) {
    static const char *const keys[] = {"current", "new", NULL};
    json_t *b = body_with(h, keys);
    if (!b) return;
    const char *cur, *fresh;
    if (str_field(h, b, "current", 1, &cur) || str_field(h, b, "new", 1, &fresh)) {
        json_decref(b);
        return;
    }
    int retry = 0;
    vigil_err err;
    vigil_status rc = vigil_user_password_change(h->st, http_auth_policy(h), h->user, cur, fresh,
                                                 h->via_session ? h->sid : NULL, vigil_time_now(),
                                                 &retry, &err);
    json_decref(b);
    if (rc == VIGIL_ELIMIT) {
        h->retry_after = retry;
        http_error(h, 429, "too_many_attempts", "%s", err.msg);
        return;
    }
    answer(h, rc, &err, 200, json_pack("{s:s, s:b}", "user", h->user, "changed", 1));
}

/* ---- the table ------------------------------------------------------------------------------------- */

const route http_routes[] = {
    {"POST", "/v1/hash", h_hash, R_ALL, BODY_IMAGE},
    {"POST", "/v1/match", h_match, R_ALL, BODY_IMAGE_OR_JSON},
    {"GET", "/v1/banks", h_banks_list, R_STAFF, BODY_NONE},
    {"POST", "/v1/banks", h_bank_create, R_COORDINATOR | R_ADMIN, BODY_JSON},
    {"GET", "/v1/banks/{bank}", h_bank_get, R_STAFF, BODY_NONE},
    {"POST", "/v1/banks/{bank}/entries", h_bank_add, R_COORDINATOR | R_ADMIN, BODY_JSON},
    {"DELETE", "/v1/banks/{bank}/entries/{id}", h_bank_remove, R_COORDINATOR | R_ADMIN, BODY_NONE},
    {"POST", "/v1/banks/{bank}/import", h_bank_import, R_COORDINATOR | R_ADMIN, BODY_CSV},
    {"GET", "/v1/agencies", h_agencies, R_ALL, BODY_NONE},
    {"POST", "/v1/agencies", h_agency_add, R_ALL, BODY_JSON},
    {"GET", "/v1/users", h_users, R_ALL, BODY_NONE},
    {"POST", "/v1/users", h_user_add, R_ALL, BODY_JSON},
    {"POST", "/v1/users/{name}/revoke", h_user_revoke, R_ALL, BODY_NONE},
    {"GET", "/v1/platforms", h_platforms, R_ALL, BODY_NONE},
    {"POST", "/v1/platforms", h_platform_add, R_ALL, BODY_JSON},
    {"PATCH", "/v1/platforms/{name}", h_platform_edit, R_ALL, BODY_JSON},
    {"GET", "/v1/operations", h_ops, R_STAFF, BODY_NONE},
    {"POST", "/v1/operations", h_op_create, R_STAFF, BODY_JSON},
    {"GET", "/v1/operations/{op}", h_op_show, R_STAFF, BODY_NONE},
    {"POST", "/v1/operations/{op}/close", h_op_close, R_STAFF, BODY_NONE},
    {"GET", "/v1/operations/{op}/report", h_op_report, R_STAFF, BODY_NONE},
    {"POST", "/v1/operations/{op}/items/import", h_op_import, R_STAFF, BODY_CSV},
    {"GET", "/v1/items", h_items, R_ALL, BODY_NONE},
    {"POST", "/v1/items", h_item_add, R_STAFF, BODY_JSON},
    {"POST", "/v1/items/preview", h_item_preview, R_STAFF, BODY_JSON},
    {"GET", "/v1/items/{id}", h_item_show, R_ALL, BODY_NONE},
    {"POST", "/v1/items/{id}/assess", h_item_assess, R_STAFF, BODY_NONE},
    {"POST", "/v1/items/{id}/reject", h_item_reject, R_STAFF, BODY_NONE},
    {"POST", "/v1/items/{id}/outcome", h_item_outcome, R_ALL, BODY_JSON},
    {"GET", "/v1/holds", h_holds, R_STAFF, BODY_NONE},
    {"POST", "/v1/holds", h_hold_add, R_STAFF, BODY_JSON},
    {"POST", "/v1/holds/{id}/release", h_hold_release, R_STAFF, BODY_NONE},
    {"GET", "/v1/referrals", h_referrals, R_ALL, BODY_NONE},
    {"POST", "/v1/referrals", h_refer, R_STAFF, BODY_JSON},
    {"GET", "/v1/orders", h_orders, R_ALL, BODY_NONE},
    {"POST", "/v1/orders", h_order_create, R_STAFF, BODY_JSON},
    {"POST", "/v1/orders/{id}/ack", h_order_ack, R_ALL, BODY_NONE},
    {"POST", "/v1/orders/{id}/done", h_order_done, R_ALL, BODY_NONE},
    {"POST", "/v1/orders/{id}/fail", h_order_fail, R_ALL, BODY_NONE},
    {"GET", "/v1/reports/tco", h_tco, R_ALL, BODY_NONE},
    {"GET", "/v1/audit/verify", h_audit_verify, R_COORDINATOR | R_ADMIN, BODY_NONE},
    {"GET", "/v1/audit", h_audit, R_ADMIN, BODY_NONE},
    {"POST", "/v1/session", h_session_start, R_NONE, BODY_JSON},
    {"GET", "/v1/session", h_session_show, R_ALL, BODY_NONE},
    {"DELETE", "/v1/session", h_session_end, R_ALL, BODY_NONE},
    {"POST", "/v1/session/password", h_session_password, R_ALL, BODY_JSON},
};
const size_t http_n_routes = sizeof http_routes / sizeof http_routes[0];
