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
#include "vigil/video.h"

/* ---- request helpers ------------------------------------------------------------- */

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
    const char *vform = http_query(h, "video"); /* a video: vigil, vpdq or tmk (vigil/video.h) */
    if (vform || (vigil_format_sniff(h->body, h->body_len) == VIGIL_FMT_UNKNOWN && vigil_video_sniff(h->body, h->body_len))) {
        char *js = NULL;
        vigil_err verr;
        vigil_status vrc = vigil_video_hash_json(h->body, h->body_len, vform, &js, &verr);
        json_t *vj = vrc == VIGIL_OK ? json_loads(js, 0, NULL) : NULL;
        free(js);
        if (vrc != VIGIL_OK) http_fail(h, vrc, &verr);
        else http_ok(h, 200, vj);
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



/* A video query - `value` (any video form, or "tmk:...") or the body, hashed
 * in `vform` - against the server's video or TMK matcher (kept between
 * requests: vcache.c), as the text of its JSON result in *vj. */
static vigil_status match_video_cached(http_ctx *h, const char *value, const char *vform, char **vj,
                                       vigil_err *err) {
    int kind = (value ? strncmp(value, "tmk:", 4) == 0 : vform && strcmp(vform, "tmk") == 0) ? HTTP_VC_TMK
                                                                                             : HTTP_VC_VIDEO;
    http_vcache *c = http_vcache_of(h);
    void *m = http_vcache_acquire(c, kind, http_banks_gen(h), err);
    if (!m) return err->status ? err->status : VIGIL_EIO;
    const void *data = value ? NULL : h->body;
    size_t len = value ? 0 : h->body_len;
    vigil_status rc = kind == HTTP_VC_TMK
                          ? vigil_tmk_matcher_match_json(m, value, data, len, vj, err)
                          : vigil_video_matcher_match_json(m, value, data, len, vform, http_query(h, "video_rule"),
                                                           http_query(h, "phase_robust") != NULL, vj, err);
    http_vcache_release(c, kind);
    return rc;
}

/* One value of `hashes` that is a video (any form) or TMK value: its result or
 * the error, named by its index. */
static vigil_status match_video_value(http_ctx *h, const char *v, size_t i, json_t *results,
                                      vigil_err *err) {
    char *vj = NULL;
    vigil_status rc = match_video_cached(h, v, NULL, &vj, err);
    if (rc == VIGIL_OK) {
        json_array_append_new(results, json_loads(vj, 0, NULL));
    } else if (rc == VIGIL_EPARSE || rc == VIGIL_EINVAL || rc == VIGIL_EFORMAT || rc == VIGIL_ECORRUPT) {
        char msg[VIGIL_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        rc = vigil__err_set(err, VIGIL_EPARSE, "hashes[%zu]: %s", i, msg);
    }
    free(vj);
    return rc;
}

static int is_video_value(const char *v) { /* vigil/video.h */
    return strncmp(v, "tmk:", 4) == 0 || strncmp(v, "video:", 6) == 0 ||
           strncmp(v, "vpdq1:", 6) == 0 || strncmp(v, "vpdqr1:", 7) == 0;
}

/* The JSON form: {"hashes": [...]} (at most 1000, checked by the route table). */
static void match_hashes(http_ctx *h) {
    vigil_err err;
    vigil_err_clear(&err);
    const char *hs[1000];
    size_t n = http_in_strs(h, "hashes", hs, 1000);
    vigil_matcher *m = http_matcher_acquire(h, &err);
    if (!m) {
        http_fail(h, err.status ? err.status : VIGIL_EIO, &err);
        return;
    }
    json_t *results = json_array();
    vigil_status rc = VIGIL_OK;
    for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
        if (is_video_value(hs[i])) {
            rc = match_video_value(h, hs[i], i, results, &err);
            continue;
        }
        vigil_match_result res;
        rc = vigil_matcher_hash_text(m, hs[i], &res, NULL, NULL, &err);
        if (rc == VIGIL_OK) {
            json_t *r = json_pack("{s:s}", "hash", hs[i]), *mr = vigil_match_result_json(&res);
            json_object_update(r, mr); /* the CLI's form too */
            json_decref(mr);
            json_array_append_new(results, r);
        } else if (rc == VIGIL_EPARSE || rc == VIGIL_EINVAL) {
            char msg[VIGIL_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err.msg);
            vigil__err_set(&err, VIGIL_EPARSE, "hashes[%zu]: %s", i, msg);
        }
        vigil_match_result_clear(&res);
    }
    http_matcher_release(h);
    answer(h, rc, &err, 200, json_pack("{s:o}", "results", results));
}

/* A video body: vigil's sampling, Meta's vPDQ or TMK (?video=). */
static void match_video_body(http_ctx *h, const char *vform) {
    vigil_err err;
    vigil_err_clear(&err);
    char *vj = NULL;
    vigil_status rc = match_video_cached(h, NULL, vform, &vj, &err);
    json_t *out = rc == VIGIL_OK ? json_loads(vj, 0, NULL) : NULL;
    free(vj);
    answer(h, rc, &err, 200, out);
}

/* An image body: hashed, then PDQ, MD5 and SHA-256 matched. */
static void match_image_body(http_ctx *h) {
    vigil_err err;
    vigil_err_clear(&err);
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
    if (rc == VIGIL_OK) { /* the CLI's form, with the query's hash */
        json_t *mr = vigil_match_result_json(&res);
        out = json_pack("{s:s, s:i}", "pdq", pdq, "quality", r.quality);
        json_object_update(out, mr);
        json_object_set_new(out, "quality", json_integer(r.quality));
        json_decref(mr);
    }
    vigil_match_result_clear(&res);
    answer(h, rc, &err, 200, out);
}

static void h_match(http_ctx *h) {
    if (strncasecmp(h->ctype, "application/json", 16) == 0) {
        match_hashes(h);
        return;
    }
    if (!h->body_len) {
        http_error(h, 400, "missing_body", "send hashes as JSON or an image as the body");
        return;
    }
    const char *vform = http_query(h, "video"); /* a video body (vigil/video.h) */
    if (vform || (vigil_format_sniff(h->body, h->body_len) == VIGIL_FMT_UNKNOWN &&
                  vigil_video_sniff(h->body, h->body_len)))
        match_video_body(h, vform);
    else
        match_image_body(h);
}

/* ---- banks ------------------------------------------------------------------------------ */


static void h_banks_list(http_ctx *h) {
    vigil_bank_info *b = NULL;
    size_t n = 0;
    vigil_err err;
    vigil_status rc = vigil_bank_list(h->st, &b, &n, &err);
    json_t *a = json_array();
    for (size_t i = 0; rc == VIGIL_OK && i < n; i++) json_array_append_new(a, vigil_bank_info_json(&b[i]));
    free(b);
    answer(h, rc, &err, 200, a);
}

static void h_bank_create(http_ctx *h) {
    const char *name = http_in_str(h, "name"), *kind = http_in_str(h, "kind"),
               *desc = http_in_str(h, "description");
    long long md = -1;
    int has_md = http_in_int(h, "max_distance", &md);
    vigil_bank_kind k = VIGIL_BANK_NORMAL;
    if (kind && strcmp(kind, "allow") == 0) k = VIGIL_BANK_ALLOW;
    else if (kind && strcmp(kind, "normal") != 0) {
        http_error(h, 400, "bad_request", "kind is normal or allow");
        return;
    }
    vigil_bank_info info;
    vigil_err err;
    vigil_status rc = vigil_bank_create(h->st, name, k, has_md ? (int)md : -1, desc, &info, &err);
    if (rc == VIGIL_OK) http_banks_changed(h);
    answer(h, rc, &err, 201, rc == VIGIL_OK ? vigil_bank_info_json(&info) : NULL);
}

static void h_bank_get(http_ctx *h) {
    vigil_bank_info info;
    vigil_err err;
    vigil_status rc = vigil_bank_get(h->st, h->params[0], &info, &err);
    answer(h, rc, &err, 200, rc == VIGIL_OK ? vigil_bank_info_json(&info) : NULL);
}

static void h_bank_add(http_ctx *h) {
    const char *type = http_in_str(h, "signal_type"), *value = http_in_str(h, "value"),
               *ext = http_in_str(h, "external_id");
    vigil_err err;
    vigil_entry_spec spec;
    memset(&spec, 0, sizeof spec);
    vigil_status rc = vigil_signal_parse(type, &spec.signal, &err);
    /* labels: an object of strings (checked by the route table), turned
     * into the text form k=v;k=v */
    json_t *lab = json_object_get(h->in, "labels");
    vigil_labels ls;
    vigil_labels_init(&ls);
    char *ltext = NULL;
    if (rc == VIGIL_OK && json_is_object(lab)) {
        const char *k;
        json_t *v;
        json_object_foreach(lab, k, v) {
            if (rc != VIGIL_OK) break;
            rc = vigil_labels_add(&ls, k, json_string_value(v), &err);
        }
        if (rc == VIGIL_OK) rc = vigil_labels_format(&ls, &ltext, &err);
    }
    int64_t id = 0;
    vigil_put_outcome what = VIGIL_PUT_ADDED;
    if (rc == VIGIL_OK) {
        spec.value = value;
        spec.labels = ltext;
        spec.external_id = ext;
        rc = vigil_bank_put(h->st, h->params[0], &spec, &id, &what, &err);
    }
    vigil_labels_clear(&ls);
    free(ltext);
    int dup = what == VIGIL_PUT_UNCHANGED, upd = what == VIGIL_PUT_UPDATED;
    if (rc == VIGIL_OK && !dup) http_banks_changed(h);
    answer(h, rc, &err, what == VIGIL_PUT_ADDED ? 201 : 200,
           rc == VIGIL_OK ? json_pack("{s:I, s:b, s:b}", "entry_id", (json_int_t)id, "duplicate", dup,
                                      "updated", upd)
                          : NULL);
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
    if (rc == VIGIL_OK && (r.imported || r.updated)) http_banks_changed(h);
    answer(h, rc, &err, 200,
           json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "rows", (json_int_t)r.rows, "imported",
                     (json_int_t)r.imported, "duplicates", (json_int_t)r.duplicates, "unchanged",
                     (json_int_t)r.unchanged, "updated", (json_int_t)r.updated, "bad",
                     (json_int_t)r.bad));
}

/* ---- agencies, users, platforms -------------------------------------------------------- */

static void h_agencies(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_agency_list(h->st, h->user, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_agency_add(http_ctx *h) {
    const char *code, *name, *country;
    code = http_in_str(h, "code");
    name = http_in_str(h, "name");
    country = http_in_str(h, "country");
    vigil_err err;
    vigil_status rc = vigil_agency_add(h->st, h->user, code, name, country, &err);
    answer(h, rc, &err, 201, json_pack("{s:s}", "code", code));
}

static void h_users(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_user_list(h->st, h->user, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_user_add(http_ctx *h) {
    const char *name, *role, *agency, *platform;
    name = http_in_str(h, "name");
    role = http_in_str(h, "role");
    agency = http_in_str(h, "agency");
    platform = http_in_str(h, "platform");
    vigil_err err;
    char token[VIGIL_TOKEN_LEN + 1] = "";
    vigil_status rc = vigil_user_create(h->st, h->user, name, role, agency, platform, token, &err);
    answer(h, rc, &err, 201, json_pack("{s:s, s:s, s:s}", "name", name, "role", role, "token", token));
}

static void h_user_revoke(http_ctx *h) {
    vigil_err err;
    vigil_status rc = vigil_user_revoke(h->st, h->user, h->params[0], &err);
    answer(h, rc, &err, 200, json_pack("{s:s, s:b}", "name", h->params[0], "revoked", 1));
}

static void h_platforms(http_ctx *h) {
    const char *n = http_query(h, "new");
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_platform_list(h->st, h->user, n && strcmp(n, "1") == 0, &out, &err);
    answer(h, rc, &err, 200, out);
}

/* Platform fields from the checked JSON body (domains joined into `dom`). */
static int platform_fields(http_ctx *h, vigil_platform_fields *f, char *dom, size_t cap) {
    const char *doms[64];
    size_t nd = http_in_strs(h, "domains", doms, 64);
    int rid;
    f->kind = http_in_str(h, "kind");
    f->contact = http_in_str(h, "contact");
    f->channel = http_in_str(h, "channel");
    f->status = http_in_str(h, "status");
    f->requires_id = http_in_bool(h, "requires_id", &rid) ? rid : -1;
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
    const char *name = http_in_str(h, "name");
    vigil_platform_fields f;
    char dom[4096];
    if (platform_fields(h, &f, dom, sizeof dom)) return;
    vigil_err err;
    vigil_status rc = vigil_platform_add(h->st, h->user, name, &f, &err);
    answer(h, rc, &err, 201, json_pack("{s:s}", "name", name));
}

static void h_platform_edit(http_ctx *h) {
    vigil_platform_fields f;
    char dom[4096];
    if (platform_fields(h, &f, dom, sizeof dom)) return;
    vigil_err err;
    vigil_status rc = vigil_platform_edit(h->st, h->user, h->params[0], &f, &err);
    answer(h, rc, &err, 200, json_pack("{s:s}", "name", h->params[0]));
}

/* ---- operations ------------------------------------------------------------------------------ */

static void h_ops(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_op_list(h->st, h->user, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_op_create(http_ctx *h) {
    const char *name, *coord, *start, *end, *parts[64];
    size_t np = 0;
    name = http_in_str(h, "name");
    coord = http_in_str(h, "coordinator");
    start = http_in_str(h, "start");
    end = http_in_str(h, "end");
    np = http_in_strs(h, "participants", parts, 64);
    vigil_err err;
    json_t *out = NULL;
    vigil_status rc = vigil_op_create(h->st, h->user, name, coord, parts, np, start, end, &err);
    if (rc == VIGIL_OK) rc = vigil_op_show(h->st, h->user, name, &out, &err);
    answer(h, rc, &err, 201, out);
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

/* The report is computed once per change of the store and per user
 * (memo.c): dashboards ask for it every few seconds. */
static void h_op_report(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    int64_t mark = 0;
    int keep = vigil_store_mark(h->st, &mark, NULL) == VIGIL_OK;
    if (keep && (out = http_memo_get(http_memo_of(h), "report", h->user, h->params[0], mark))) {
        http_ok(h, 200, out);
        return;
    }
    vigil_status rc = vigil_report_op(h->st, h->user, h->params[0], &out, &err);
    if (rc == VIGIL_OK && keep) http_memo_put(http_memo_of(h), "report", h->user, h->params[0], mark, out);
    answer(h, rc, &err, 200, out);
}

static void h_op_recount(http_ctx *h) {
    vigil_err err;
    int64_t corrected = 0;
    vigil_status rc = vigil_report_recount(h->st, h->user, h->params[0], &corrected, &err);
    answer(h, rc, &err, 200,
           rc == VIGIL_OK ? json_pack("{s:s, s:I}", "operation", h->params[0], "corrected",
                                      (json_int_t)corrected)
                          : NULL);
}

/* The query's `limit` (1..10000) into *out, left as it is when absent.
 * @return 1, or 0 after answering 400. */
static int query_limit(http_ctx *h, int *out) {
    const char *limit = http_query(h, "limit");
    if (!limit) return 1;
    char *end = NULL;
    errno = 0;
    long v = strtol(limit, &end, 10);
    if (!*limit || *end || errno || v < 1 || v > 10000) {
        http_error(h, 400, "bad_request", "limit is 1..10000");
        return 0;
    }
    *out = (int)v;
    return 1;
}

static void h_op_clusters(http_ctx *h) {
    int limit = 0;
    if (!query_limit(h, &limit)) return;
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_cluster_list(h->st, h->user, h->params[0], limit, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_cluster_refer(http_ctx *h) {
    int64_t id = param_id(h, 1);
    if (!id) return;
    json_t *docs = NULL;
    vigil_err err;
    vigil_status rc = vigil_cluster_refer(h->st, h->user, h->params[0], id, http_in_str(h, "channel"),
                                          http_in_str(h, "at"), &docs, &err);
    answer(h, rc, &err, 201, rc == VIGIL_OK ? json_pack("{s:o}", "referrals", docs) : NULL);
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
    vigil_item_filter f = {0};
    f.op = http_query(h, "op");
    f.state = http_query(h, "state");
    f.platform = http_query(h, "platform");
    f.lang = http_query(h, "lang");
    f.type = http_query(h, "type");
    f.agency = http_query(h, "agency");
    f.reporter = http_query(h, "reporter");
    f.sort = http_query(h, "sort");
    const char *after = http_query(h, "after"), *offset = http_query(h, "offset");
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
    if (!query_limit(h, &f.limit)) return;
    if (offset) {
        errno = 0;
        long long v = strtoll(offset, &end, 10);
        if (!*offset || *end || errno || v < 0) {
            http_error(h, 400, "bad_request", "offset is 0 or more (use the 'next_offset' of the previous page)");
            return;
        }
        f.offset = v;
    }
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_list(h->st, h->user, &f, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_item_add(http_ctx *h) {
    vigil_item_input in;
    memset(&in, 0, sizeof in);
    const char *langs[16], *hashes[16];
    in.op = http_in_str(h, "op");
    in.url = http_in_str(h, "url");
    in.type = http_in_str(h, "type");
    in.affiliation = http_in_str(h, "affiliation");
    in.outlet = http_in_str(h, "outlet");
    in.observed_at = http_in_str(h, "observed_at");
    in.notes = http_in_str(h, "notes");
    in.analyst = http_in_str(h, "analyst");
    in.text = http_in_str(h, "text");
    in.vpdq = http_in_str(h, "vpdq");
    in.n_langs = http_in_strs(h, "languages", langs, 16);
    in.n_hashes = http_in_strs(h, "hashes", hashes, 16);
    in.langs = langs;
    in.hashes = hashes;
    if (in.text) in.text_len = json_string_length(json_object_get(h->in, "text"));
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
}

static void h_item_preview(http_ctx *h) {
    const char **urls = calloc(1000, sizeof *urls);
    if (!urls) {
        http_error(h, 500, "internal", "out of memory");
        return;
    }
    size_t n = http_in_strs(h, "urls", urls, 1000); /* at most 1000 (the route table) */
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_preview(h->st, h->user, http_in_str(h, "op"), urls, n, &out, &err);
    answer(h, rc, &err, 200, rc == VIGIL_OK ? json_pack("{s:o}", "preview", out) : NULL);
    free(urls);
}

static void h_item_show(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_show(h->st, h->user, id, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_item_audit(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    int limit = 100;
    if (!query_limit(h, &limit)) return;
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_item_audit(h->st, h->user, id, limit, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void item_move(http_ctx *h, const char *to) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    const char *note = http_in_str(h, "note"), *at = http_in_str(h, "at"),
               *expect = http_in_str(h, "expect");
    vigil_err err;
    vigil_status rc = vigil_item_transition_expect(h->st, h->user, id, to, at, note, expect, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", to));
}

static void h_item_assess(http_ctx *h) { item_move(h, "assessed"); }
static void h_item_reject(http_ctx *h) { item_move(h, "rejected"); }

static void h_item_outcome(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    const char *outcome, *at;
    outcome = http_in_str(h, "outcome");
    at = http_in_str(h, "at");
    vigil_err err;
    vigil_status rc = vigil_outcome(h->st, h->user, id, outcome, at, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "state", outcome));
}

/* ---- holds, referrals, orders ------------------------------------------------------------------ */

static void h_holds(http_ctx *h) {
    const char *all = http_query(h, "all");
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_hold_list(h->st, h->user, all && strcmp(all, "1") == 0, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_hold_add(http_ctx *h) {
    const char *agency, *prefix, *account, *hash, *reason, *until;
    agency = http_in_str(h, "agency");
    prefix = http_in_str(h, "prefix");
    account = http_in_str(h, "account");
    hash = http_in_str(h, "hash");
    reason = http_in_str(h, "reason");
    until = http_in_str(h, "until");
    if (!!prefix + !!account + !!hash != 1) {
        http_error(h, 400, "bad_request", "give exactly one of prefix, account, hash");
        return;
    }
    const char *kind = prefix ? "prefix" : account ? "account" : "hash";
    const char *value = prefix ? prefix : account ? account : hash;
    int64_t id = 0;
    vigil_err err;
    vigil_status rc = vigil_hold_add(h->st, h->user, agency, kind, value, until, reason, &id, &err);
    answer(h, rc, &err, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "kind", kind));
}

static void h_hold_release(http_ctx *h) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    vigil_err err;
    vigil_status rc = vigil_hold_release(h->st, h->user, id, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "released", 1));
}

static void h_referrals(http_ctx *h) {
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_referral_list(h->st, h->user, http_query(h, "op"), &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_refer(http_ctx *h) {
    const char *op, *platform, *channel, *at;
    op = http_in_str(h, "op");
    platform = http_in_str(h, "platform");
    channel = http_in_str(h, "channel");
    at = http_in_str(h, "at");
    json_t *docs = NULL;
    vigil_err err;
    vigil_status rc = vigil_refer(h->st, h->user, op, platform, channel, at, &docs, &err);
    answer(h, rc, &err, 201, rc == VIGIL_OK ? json_pack("{s:o}", "referrals", docs) : NULL);
}

static void h_orders(http_ctx *h) {
    const char *od = http_query(h, "overdue");
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_order_list(h->st, h->user, od && strcmp(od, "1") == 0, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_order_create(http_ctx *h) {
    vigil_order_input in;
    memset(&in, 0, sizeof in);
    long long item = 0;
    in.authority = http_in_str(h, "authority");
    in.platform = http_in_str(h, "platform");
    in.url = http_in_str(h, "url");
    in.received = http_in_str(h, "received");
    http_in_int(h, "item", &item); /* 1.. (the route table) */
    in.item = item;
    int64_t id = 0;
    vigil_err err;
    vigil_status rc = vigil_order_create(h->st, h->user, &in, &id, &err);
    answer(h, rc, &err, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

static void order_action(http_ctx *h, const char *action) {
    int64_t id = param_id(h, 0);
    if (!id) return;
    const char *at, *reason;
    at = http_in_str(h, "at");
    reason = http_in_str(h, "reason");
    vigil_err err;
    vigil_status rc = vigil_order_update(h->st, h->user, id, action, reason, at, &err);
    answer(h, rc, &err, 200, json_pack("{s:I, s:s}", "id", (json_int_t)id, "action", action));
}

static void h_order_ack(http_ctx *h) { order_action(h, "ack"); }
static void h_order_done(http_ctx *h) { order_action(h, "done"); }
static void h_order_fail(http_ctx *h) { order_action(h, "fail"); }

/* ---- reports and audit -------------------------------------------------------------------------- */

static void h_tco(http_ctx *h) {
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
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_audit_check(h->st, h->user, &out, &err);
    answer(h, rc, &err, 200, out);
}

static void h_audit(http_ctx *h) {
    const char *entity = http_query(h, "entity"), *id = http_query(h, "id"), *limit = http_query(h, "limit");
    long long eid = id ? strtoll(id, NULL, 10) : 0;
    long lim = limit ? strtol(limit, NULL, 10) : 100;
    if ((entity && !id) || lim < 1 || lim > 10000) {
        http_error(h, 400, "bad_request", "give entity with id; limit 1..10000");
        return;
    }
    json_t *out = NULL;
    vigil_err err;
    vigil_status rc = vigil_audit_list(h->st, h->user, entity, eid, (int)lim, &out, &err);
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
    const char *name = http_in_str(h, "name"), *password = http_in_str(h, "password");
    char sid[VIGIL_SESSION_LEN + 1];
    vigil_session_info si;
    int retry = 0;
    vigil_err err;
    vigil_status rc = vigil_session_start(h->st, http_auth_policy(h), name, password, vigil_time_now(),
                                          sid, &si, &retry, &err);
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
    const char *cur = http_in_str(h, "current"), *fresh = http_in_str(h, "new");
    int retry = 0;
    vigil_err err;
    vigil_status rc = vigil_user_password_change(h->st, http_auth_policy(h), h->user, cur, fresh,
                                                 h->via_session ? h->sid : NULL, vigil_time_now(),
                                                 &retry, &err);
    if (rc == VIGIL_ELIMIT) {
        h->retry_after = retry;
        http_error(h, 429, "too_many_attempts", "%s", err.msg);
        return;
    }
    answer(h, rc, &err, 200, json_pack("{s:s, s:b}", "user", h->user, "changed", 1));
}

/* ---- the table ------------------------------------------------------------------------------------- */

/* Each route's fields and query arguments: checked by http_validate before
 * the handler runs, and the request schemas of docs/openapi.yaml. */
static const http_field q_hash[] = {
    {"video", FT_STRING, 0, "vigil|vpdq|tmk", 0, 0, NULL,
     "The video hash to compute: `vigil` (default: vigil's own sampling, the `vpdq1:` bank value), `vpdq` (Meta's vPDQ bit for bit, 1 s per hash: the `vpdqr1:` value and python-threatexchange's `vpdq` signal string) or `tmk` (TMK+PDQF: the `.tmk` file as `tmk:` + base64)."},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_match[] = {
    {"video", FT_STRING, 0, "vigil|vpdq|tmk", 0, 0, NULL,
     "For a video body: `vigil` (default, vigil's own sampling), `vpdq` (Meta's reference, 1 s per hash) or `tmk` (TMK+PDQF against the tmk entries)."},
    {"video_rule", FT_STRING, 0, "vigil|pytx|readme", 0, 0, NULL,
     "The video match rule: `vigil` (default; shares by time, query >= 50% or bank >= 50%), `pytx` (python-threatexchange/HMA: frames de-duplicated, query >= 80%) or `readme` (the vPDQ README: bank >= 80%)."},
    {"phase_robust", FT_STRING, 0, NULL, 0, 0, NULL,
     "Present: phase-robust shares (a denser side's frames near a matched frame count as matched)."},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_match[] = {
    {"hashes", FT_STRINGS, F_REQ | F_MAX413, NULL, 0, 1000, "pdq:f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22", NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_bank_create[] = {
    {"name", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"kind", FT_STRING, 0, "normal|allow", 0, 0, NULL, NULL},
    {"max_distance", FT_INT, F_RANGE, NULL, 0, 256, NULL, NULL},
    {"description", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_bank_add[] = {
    {"signal_type", FT_STRING, F_REQ, "pdq|md5|sha256|video|text|tmk", 0, 0, NULL, NULL},
    {"value", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"labels", FT_LABELS, 0, NULL, 0, 0, NULL, NULL},
    {"external_id", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_bank_import[] = {
    {"strict", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_agency_add[] = {
    {"code", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"name", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"country", FT_STRING, 0, NULL, 0, 0, NULL, "ISO 3166-1 alpha-2"},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_user_add[] = {
    {"name", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"role", FT_STRING, F_REQ, "analyst|reviewer|coordinator|liaison|admin", 0, 0, NULL, NULL},
    {"agency", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"platform", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_platforms[] = {
    {"new", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_platform_add[] = {
    {"name", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"kind", FT_STRING, 0, "social|video|audio|messenger|file_sharing|paste|archive|forum|blogging|image|other", 0, 0, NULL, NULL},
    {"domains", FT_STRINGS, 0, NULL, 0, 64, NULL, NULL},
    {"contact", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"channel", FT_STRING, 0, "email|web_form|api|portal|other", 0, 0, NULL, NULL},
    {"requires_id", FT_BOOL, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_platform_edit[] = {
    {"kind", FT_STRING, 0, "social|video|audio|messenger|file_sharing|paste|archive|forum|blogging|image|other", 0, 0, NULL, NULL},
    {"domains", FT_STRINGS, 0, NULL, 0, 64, NULL, NULL},
    {"contact", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"channel", FT_STRING, 0, "email|web_form|api|portal|other", 0, 0, NULL, NULL},
    {"requires_id", FT_BOOL, 0, NULL, 0, 0, NULL, NULL},
    {"status", FT_STRING, 0, "known|new", 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_op_create[] = {
    {"name", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"coordinator", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"participants", FT_STRINGS, 0, NULL, 0, 64, NULL, NULL},
    {"start", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {"end", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_op_import[] = {
    {"skip_bad", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_items[] = {
    {"op", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"state", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"platform", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"lang", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"type", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"after", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {"limit", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {"agency", FT_STRING, 0, NULL, 0, 0, "DE-IRU", "Items with a report by this agency (code)."},
    {"reporter", FT_STRING, 0, NULL, 0, 0, NULL, "Items with a report by this user (name)."},
    {"sort", FT_STRING, 0, "id|-id|observed_at|-observed_at|platform|-platform|state", 0, 0, NULL,
     "The order (default id, oldest first; '-': descending). Pages of other orders than id go by `offset`."},
    {"offset", FT_INT, 0, NULL, 0, 0, NULL, "Items to skip: the `next_offset` of the previous page."},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_clusters[] = {
    {"limit", FT_INT, 0, NULL, 0, 0, NULL, "1..10000 clusters (default 100)."},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_cluster_refer[] = {
    {"channel", FT_STRING, 0, "email|web_form|api|portal|other", 0, 0, NULL, NULL},
    {"at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_item_add[] = {
    {"op", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"url", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"type", FT_STRING, 0, "video|image|audio|publication|post|account|other", 0, 0, NULL, NULL},
    {"languages", FT_STRINGS, 0, NULL, 0, 16, NULL, "ISO 639-1"},
    {"affiliation", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"outlet", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"hashes", FT_STRINGS, 0, NULL, 0, 16, "md5:0123456789abcdef0123456789abcdef", NULL},
    {"observed_at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {"notes", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"analyst", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"text", FT_STRING, 0, NULL, 0, 0, NULL,
     "The item's text (a statement, a post): its language is identified when no languages are "
     "given, its SHA-256 is kept as a content hash, and near-duplicate texts (MinHash similarity "
     ">= 0.5) join one content cluster."},
    {"vpdq", FT_STRING, 0, NULL, 0, 0, NULL,
     "The item's video hash, as `vigil hash --vpdq VIDEO` prints it or POST /v1/hash returns it "
     "(any form of a bank value of type video: vpdq1:, vpdqr1:, Meta's per-frame file, pytx's "
     "signal); items whose videos match under the banks' default vPDQ rule join one content "
     "cluster. A value that does not parse is refused (400, nothing is written)."},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

#define EXPECT_FIELD                                                                             \
    {"expect", FT_STRING, 0, NULL, 0, 0, NULL,                                                   \
     "The state the client saw. If the item is in another state now, 409 \"item N is STATE now, " \
     "not EXPECT (changed by USER at TIME)\" and nothing changes."}

static const http_field f_item_assess[] = {
    {"note", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    EXPECT_FIELD,
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_item_reject[] = {
    {"note", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    EXPECT_FIELD,
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_item_outcome[] = {
    {"outcome", FT_STRING, F_REQ, "removed|declined|no_response", 0, 0, NULL, NULL},
    {"at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_holds[] = {
    {"all", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_hold_add[] = {
    {"agency", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"prefix", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"account", FT_STRING, 0, NULL, 0, 0, "Telegram:examplechannel", NULL},
    {"hash", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"reason", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"until", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_referrals[] = {
    {"op", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_refer[] = {
    {"op", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"platform", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"channel", FT_STRING, 0, "email|web_form|api|portal|other", 0, 0, NULL, NULL},
    {"at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_orders[] = {
    {"overdue", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_order_create[] = {
    {"authority", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"platform", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"item", FT_INT, F_RANGE, NULL, 1, INT64_MAX, NULL, NULL},
    {"url", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"received", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_order_action[] = {
    {"at", FT_TIME, 0, NULL, 0, 0, NULL, NULL},
    {"reason", FT_STRING, 0, "force_majeure|impossibility|manifest_error|insufficient_information|other", 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_tco[] = {
    {"year", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_item_audit[] = {
    {"limit", FT_INT, 0, NULL, 0, 0, NULL, "1..10000 events, newest first (default 100)."},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field q_audit[] = {
    {"entity", FT_STRING, 0, NULL, 0, 0, NULL, NULL},
    {"id", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {"limit", FT_INT, 0, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_item_preview[] = {
    {"op", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"urls", FT_STRINGS, F_REQ, NULL, 0, 1000, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_session_start[] = {
    {"name", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"password", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const http_field f_session_password[] = {
    {"current", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {"new", FT_STRING, F_REQ, NULL, 0, 0, NULL, NULL},
    {NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

/* The operations: dispatch, role gate, body, validation and docs. */
const route http_routes[] = {
    {"POST", "/v1/hash", h_hash, R_ALL, BODY_IMAGE, 0,
     NULL, q_hash, 200, "HashResult|VideoHashResult",
     "Hashing", "Hash an image or a video",
     "PDQ hash, quality, MD5 and SHA-256 of the uploaded image (JPEG, PNG, WebP, GIF, BMP). A video body (MP4/MOV, Matroska/WebM, AVI, FLV, MPEG-TS/PS, Ogg, ASF; recognised by its bytes, or forced with `video`) is hashed as a video: `VideoHashResult`. Roles: all roles."},
    {"POST", "/v1/match", h_match, R_ALL, BODY_IMAGE_OR_JSON, RF_OUTAGE,
     f_match, q_match, 200, "MatchResult|VideoMatchResult",
     "Matching", "Match hashes, an image or a video against the banks",
     "Either JSON `{\"hashes\": [\"pdq:HEX\", \"md5:HEX\", \"sha256:HEX\", ...]}` (at most 1,000; a bare 64-hex value is PDQ) or an image body. PDQ matches within each bank's threshold (default 31). A hash `vpdq1:...`, `vpdqr1:...` or `video:VALUE` (VALUE in any video form: Meta's per-frame file, python-threatexchange's vpdq signal) is matched against the banks' video entries, and so is a video body (hashed as `video` says): its result is a `VideoMatchResult`. The server keeps the video and TMK matchers in memory between requests (loaded at the first request that needs one, and again after a bank change). While the store is unreachable this route still answers from memory for an API token the server verified in the last 5 minutes (`vigil serve --token-cache`); video and TMK hits on entries matched before the outage answer from the matchers' copies and a query with no hit gets no matches; other tokens, sign-in sessions, matchers not yet loaded, hits not copied and a TMK level-1 candidate whose signature is not kept get 503 with Retry-After. A hash `tmk:BASE64` (a .tmk file), or a video body with `?video=tmk`, is matched against the banks' tmk entries with the TMK two-level rule (0.7/0.7): `{hash, type: tmk, candidates, allowed, suppressed, matches: [{bank, entry_id, bank_kind, signal: tmk, level1, level2, labels, external_id}]}`. Roles: all roles."},
    {"GET", "/v1/banks", h_banks_list, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "BankList",
     "Banks", "List banks",
     "Every bank with its entry count. Roles: analyst, reviewer, coordinator, admin."},
    {"POST", "/v1/banks", h_bank_create, R_COORDINATOR | R_ADMIN, BODY_JSON, 0,
     f_bank_create, NULL, 201, "Bank",
     "Banks", "Create a bank",
     "Roles: coordinator, admin."},
    {"GET", "/v1/banks/{bank}", h_bank_get, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "Bank",
     "Banks", "One bank",
     "Roles: analyst, reviewer, coordinator, admin."},
    {"POST", "/v1/banks/{bank}/entries", h_bank_add, R_COORDINATOR | R_ADMIN, BODY_JSON, 0,
     f_bank_add, NULL, 201, "EntryResult",
     "Banks", "Add an entry",
     "201 for a new entry; 200 when the bank had it already (duplicate: the same external_id with the same value and labels, or no external_id and the same value) or when an entry with this external_id and signal type is updated to this value and these labels (updated). One value under different external_ids is several entries. Roles: coordinator, admin."},
    {"DELETE", "/v1/banks/{bank}/entries/{id}", h_bank_remove, R_COORDINATOR | R_ADMIN, BODY_NONE, 0,
     NULL, NULL, 200, "Generic",
     "Banks", "Remove an entry",
     "Roles: coordinator, admin."},
    {"POST", "/v1/banks/{bank}/import", h_bank_import, R_COORDINATOR | R_ADMIN, BODY_CSV, 0,
     NULL, q_bank_import, 200, "ImportResult",
     "Banks", "Bulk import (CSV)",
     "The CSV of `vigil bank import` (signal_type,signal_value,labels,id). One transaction. `?strict=1`: any bad row imports nothing. Roles: coordinator, admin."},
    {"GET", "/v1/agencies", h_agencies, R_ALL, BODY_NONE, 0,
     NULL, NULL, 200, "[]",
     "Actors", "List agencies",
     "Roles: all roles."},
    {"POST", "/v1/agencies", h_agency_add, R_ALL, BODY_JSON, 0,
     f_agency_add, NULL, 201, "Generic",
     "Actors", "Add an agency",
     "Roles: admin."},
    {"GET", "/v1/users", h_users, R_ALL, BODY_NONE, 0,
     NULL, NULL, 200, "[]",
     "Actors", "List users",
     "Roles: admin."},
    {"POST", "/v1/users", h_user_add, R_ALL, BODY_JSON, 0,
     f_user_add, NULL, 201, "UserCreated",
     "Actors", "Add a user",
     "Returns the user's API token, once. Roles: admin."},
    {"POST", "/v1/users/{name}/revoke", h_user_revoke, R_ALL, BODY_NONE, 0,
     NULL, NULL, 200, "Generic",
     "Actors", "Revoke a user",
     "The token stops working at once. Roles: admin."},
    {"GET", "/v1/platforms", h_platforms, R_ALL, BODY_NONE, 0,
     NULL, q_platforms, 200, "[]",
     "Actors", "List platforms",
     "`?new=1`: only platforms discovered at intake, to review. Roles: all roles."},
    {"POST", "/v1/platforms", h_platform_add, R_ALL, BODY_JSON, 0,
     f_platform_add, NULL, 201, "Generic",
     "Actors", "Add a platform",
     "Roles: coordinator, admin."},
    {"PATCH", "/v1/platforms/{name}", h_platform_edit, R_ALL, BODY_JSON, 0,
     f_platform_edit, NULL, 200, "Generic",
     "Actors", "Edit a platform",
     "Given fields change; domains are added. `status: known` marks a new platform reviewed. Roles: coordinator, admin."},
    {"GET", "/v1/operations", h_ops, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "[]",
     "Operations", "List operations",
     "The operations the user's agency takes part in (admin: all). Roles: analyst, reviewer, coordinator, admin."},
    {"POST", "/v1/operations", h_op_create, R_STAFF, BODY_JSON, 0,
     f_op_create, NULL, 201, "Operation",
     "Operations", "Create an operation",
     "Roles: coordinator (own agency coordinates), admin."},
    {"GET", "/v1/operations/{op}", h_op_show, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "Operation",
     "Operations", "One operation",
     "With its item counts by state. Roles: participating agencies, admin."},
    {"POST", "/v1/operations/{op}/close", h_op_close, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "Generic",
     "Operations", "Close an operation",
     "No new items afterwards. Roles: coordinator of a participating agency, admin."},
    {"GET", "/v1/operations/{op}/report", h_op_report, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "Report",
     "Reports", "Operation statistics",
     "The figures of `vigil report OP --json` (docs/operations.md defines each). Roles: participating agencies, admin."},
    {"POST", "/v1/operations/{op}/report/recount", h_op_recount, R_ADMIN, BODY_NONE, 0,
     NULL, NULL, 200, "Generic",
     "Reports", "Count the report's running totals again",
     "As `vigil report --recount OP`: the operation's running totals (docs/operations.md) counted again from the rows, audited (`report.recount`); `{operation, corrected}`, corrected the number of counts that were wrong (normally 0). Needed only after a rolling upgrade from a vigil without totals. Roles: admin."},
    {"GET", "/v1/operations/{op}/clusters", h_op_clusters, R_STAFF, BODY_NONE, 0,
     NULL, q_clusters, 200, "ClusterList",
     "Reports", "Content clusters (the same content on several platforms)",
     "Groups of two or more items of the operation that carry the same content (an equal MD5, SHA-256 or text SHA-256, PDQ within distance 31, near-duplicate texts: MinHash similarity >= 0.5, or matching videos: vPDQ under the banks' default rule), linked at intake: `[{id, items, platform_count, platforms, still_up, removed, referable, first_seen, last_seen, members: [{id, platform, state, canonical_url, observed_at}]}]`, most platforms first. `id` is the cluster's smallest item id (clusters merge as items come in). Roles: participating agencies, admin."},
    {"POST", "/v1/operations/{op}/clusters/{id}/refer", h_cluster_refer, R_STAFF, BODY_NONE, RF_BODY_OPTIONAL,
     f_cluster_refer, NULL, 201, "ReferralDocs",
     "Referrals", "Refer a whole content cluster",
     "`POST /v1/referrals` for the cluster's assessed items only: one referral per platform of the cluster (holds checked again first); `{\"referrals\": []}` when none is assessed. 404 for a cluster the operation does not have (merged into a smaller id: list again). Roles: coordinator, admin."},
    {"POST", "/v1/operations/{op}/items/import", h_op_import, R_STAFF, BODY_CSV, 0,
     NULL, q_op_import, 200, "ItemImportResult",
     "Items", "Import items (CSV)",
     "Header url,type,language,affiliation,outlet,observed_at,analyst (+ hashes, notes, text, vpdq). One transaction: bad rows (listed with their line in the error's bad_rows) import nothing unless `?skip_bad=1`. Roles: analyst, reviewer, coordinator, admin."},
    {"GET", "/v1/items", h_items, R_ALL, BODY_NONE, 0,
     NULL, q_items, 200, "ItemPage",
     "Items", "List items",
     "Filters op, state, platform, lang, type, agency and reporter (a report by that agency or user); `sort` orders (default id). Paging: `after` = the `next` of the previous page (id order), or `offset` = its `next_offset` (any order); `limit` 1..10000 (default 100). Agency users see their operations' items; a liaison sees the items referred to their platform. Roles: all roles."},
    {"POST", "/v1/items", h_item_add, R_STAFF, BODY_JSON, 0,
     f_item_add, NULL, 201, "ItemResult",
     "Items", "Report an item",
     "The URL is canonicalised; a further report of a live item of the operation is merged into it (200, created false) instead of a duplicate (201). Roles: analyst, reviewer, coordinator, admin."},
    {"POST", "/v1/items/preview", h_item_preview, R_STAFF, BODY_JSON, 0,
     f_item_preview, NULL, 200, NULL,
     "Items", "Dry run of filing many URLs",
     "Runs the real intake for each URL (at most 1000) in a transaction that is rolled back, and answers what saving would do, `{\"preview\": [{line, url, canonical_url, platform, new_platform, duplicate, duplicate_of, duplicate_of_line, held, reupload_of} | {line, url, error}]}`: the canonical URL, the platform (new_platform when the domain is not a known platform yet), duplicate (merged into an existing item, duplicate_of, or into an earlier line of the batch, duplicate_of_line), held (a hold would match), reupload_of; or an error for a URL that would be refused. Nothing changes. Roles and tenancy as POST /v1/items."},
    {"GET", "/v1/items/{id}", h_item_show, R_ALL, BODY_NONE, 0,
     NULL, NULL, 200, "Item",
     "Items", "One item with its history",
     "URLs, languages, hashes, reports, holds, referrals, orders, re-uploads and the state history. 404 for items the user may not see. Roles: all roles (tenancy applies)."},
    {"GET", "/v1/items/{id}/audit", h_item_audit, R_STAFF, BODY_NONE, 0,
     NULL, q_item_audit, 200, "[]",
     "Items", "The item's audit events",
     "Newest first: `[{id, at, actor, action, changed}]`, `changed` the fields of the item's record the event changed (the records themselves stay in the audit log, `GET /v1/audit`, for admins). 404 for items the user may not see. Roles: analyst, reviewer, coordinator of an agency of the item's operation, admin."},
    {"POST", "/v1/items/{id}/assess", h_item_assess, R_STAFF, BODY_NONE, RF_BODY_OPTIONAL,
     f_item_assess, NULL, 200, "Generic",
     "Items", "Assess an item",
     "identified or rejected -> assessed. Roles: reviewer, coordinator, admin."},
    {"POST", "/v1/items/{id}/reject", h_item_reject, R_STAFF, BODY_NONE, RF_BODY_OPTIONAL,
     f_item_reject, NULL, 200, "Generic",
     "Items", "Reject an item",
     "identified or assessed -> rejected; `note` (the reason) is required. Roles: reviewer, coordinator, admin."},
    {"POST", "/v1/items/{id}/outcome", h_item_outcome, R_ALL, BODY_JSON, 0,
     f_item_outcome, NULL, 200, "Generic",
     "Referrals", "Record a platform's response",
     "For a referred item: removed, declined or no_response. Roles: reviewer, coordinator, admin; a liaison for items referred to their platform."},
    {"GET", "/v1/holds", h_holds, R_STAFF, BODY_NONE, 0,
     NULL, q_holds, 200, "[]",
     "Holds", "List holds",
     "The user's agency's holds (admin: all); `?all=1` includes released and expired ones. Roles: analyst, reviewer, coordinator, admin."},
    {"POST", "/v1/holds", h_hold_add, R_STAFF, BODY_JSON, 0,
     f_hold_add, NULL, 201, "Generic",
     "Holds", "Add a deconfliction hold",
     "Exactly one of prefix, account (PLATFORM:HANDLE), hash (TYPE:HEX). Roles: agency staff for their own agency, admin."},
    {"POST", "/v1/holds/{id}/release", h_hold_release, R_STAFF, BODY_NONE, 0,
     NULL, NULL, 200, "Generic",
     "Holds", "Release a hold",
     "Only the holding agency or an admin. Roles: holding agency, admin."},
    {"GET", "/v1/referrals", h_referrals, R_ALL, BODY_NONE, 0,
     NULL, q_referrals, 200, "[]",
     "Referrals", "List referrals",
     "A liaison sees the referrals to their platform; agency users those of their operations. `?op=NAME` filters. Roles: all roles."},
    {"POST", "/v1/referrals", h_refer, R_STAFF, BODY_JSON, 0,
     f_refer, NULL, 201, "ReferralDocs",
     "Referrals", "Refer an operation's assessed items",
     "One referral per platform (or only `platform`); holds are checked again first. Roles: coordinator, admin."},
    {"GET", "/v1/orders", h_orders, R_ALL, BODY_NONE, 0,
     NULL, q_orders, 200, "[]",
     "Orders", "List removal orders",
     "With seconds_left (negative when overdue), overdue and late; `?overdue=1`: only open orders past the deadline. A liaison sees their platform's. Roles: reviewer, coordinator, liaison, admin."},
    {"POST", "/v1/orders", h_order_create, R_STAFF, BODY_JSON, 0,
     f_order_create, NULL, 201, "Generic",
     "Orders", "Record a TCO removal order",
     "deadline_at = received + 1 hour (computed). Roles: coordinator, admin."},
    {"POST", "/v1/orders/{id}/ack", h_order_ack, R_ALL, BODY_NONE, RF_BODY_OPTIONAL,
     f_order_action, NULL, 200, "Generic",
     "Orders", "Acknowledge an order",
     "Roles: coordinator, admin, the platform's liaison."},
    {"POST", "/v1/orders/{id}/done", h_order_done, R_ALL, BODY_NONE, RF_BODY_OPTIONAL,
     f_order_action, NULL, 200, "Generic",
     "Orders", "Record an order as actioned",
     "The content was removed or disabled; its item becomes removed. Roles: coordinator, admin, the platform's liaison."},
    {"POST", "/v1/orders/{id}/fail", h_order_fail, R_ALL, BODY_NONE, RF_BODY_OPTIONAL,
     f_order_action, NULL, 200, "Generic",
     "Orders", "Record an order as not acted on",
     "`reason`: force_majeure, impossibility, manifest_error, insufficient_information, other. Roles: coordinator, admin, the platform's liaison."},
    {"GET", "/v1/reports/tco", h_tco, R_ALL, BODY_NONE, 0,
     NULL, q_tco, 200, "Generic",
     "Reports", "TCO Article 7 figures",
     "`?year=YYYY`. Roles: coordinator, admin."},
    {"GET", "/v1/audit/verify", h_audit_verify, R_COORDINATOR | R_ADMIN, BODY_NONE, 0,
     NULL, NULL, 200, "AuditVerify",
     "Audit", "Verify the audit chain",
     "ok true with the event count and head digest, or ok false naming the first bad event. Roles: coordinator, admin."},
    {"GET", "/v1/audit", h_audit, R_ADMIN, BODY_NONE, 0,
     NULL, q_audit, 200, "[]",
     "Audit", "Read the audit log",
     "Newest first; `entity` and `id` select one record's events; `limit` 1..10000. Roles: admin."},
    {"POST", "/v1/session", h_session_start, R_NONE, BODY_JSON, RF_LIMITED,
     f_session_start, NULL, 201, "Session",
     "Sessions", "Sign in (people; the web app)",
     "Checks the password (argon2id) and starts a server-side session: `Set-Cookie: vigil_session=...; HttpOnly; SameSite=Strict; Path=/` (plus `Secure` under HTTPS). The session ends after 30 minutes unused or 12 hours in all, at sign-out, or when the user is revoked or their password is reset. A wrong name or password is 401 (the same answer for both) and is audited (`session.fail`); after 2 failures each attempt waits 1, 2, 4 s (429 with Retry-After, the password is not checked), and 5 failures lock the account for 15 minutes (429) or until an admin sets a new password (`vigil user passwd`)."},
    {"GET", "/v1/session", h_session_show, R_ALL, BODY_NONE, 0,
     NULL, NULL, 200, "Session",
     "Sessions", "Who is signed in (and the CSRF token of the session)",
     "With a token: {user, role, auth: token}. Roles: all."},
    {"DELETE", "/v1/session", h_session_end, R_ALL, BODY_NONE, 0,
     NULL, NULL, 200, "Generic",
     "Sessions", "Sign out",
     "Ends the cookie's session and clears the cookie (`{\"signed_out\": true}`); with a token, nothing to do (`{\"signed_out\": false}`). Needs X-CSRF-Token."},
    {"POST", "/v1/session/password", h_session_password, R_ALL, BODY_JSON, RF_LIMITED,
     f_session_password, NULL, 200, "Generic",
     "Sessions", "Change one's own password",
     "`current` must be right (a wrong one counts as a failed sign-in: 403, then 429); `new` has at least 12 characters and differs from it. Clears the must-change flag of a first password; the user's other sessions end (`{\"user\": NAME, \"changed\": true}`). Needs X-CSRF-Token with the cookie."},
};

const size_t http_n_routes = sizeof http_routes / sizeof http_routes[0];
