/*
 * cli/cli_video.c - the video parts of the `vigil` commands: telling videos
 * from images, `vigil hash VIDEO` output (per-frame lines, the vpdq1 bank
 * value, JSON), `vigil match VIDEO` against the banks' video entries, and
 * the value behind `vigil bank add --video FILE`.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "cli_video.h"
#include "vigil/hash.h"

cli_video_cfg g_cli_video;

void cli_video_init(void) {
    vigil_video_opts_init(&g_cli_video.opts);
    vigil_video_match_opts_init(&g_cli_video.match);
    g_cli_video.vpdq = 0;
    g_cli_video.reference = 0;
    g_cli_video.outdir = NULL;
}

int cli_video_option(const char *name, const char *value, int *bad) {
    char *end = NULL;
    *bad = 0;
    if (strcmp(name, "fps") == 0) {
        double v = strtod(value, &end);
        if (!*value || *end || !(v > 0 && v <= VIGIL_VIDEO_MAX_FPS)) {
            cli_errorf("--fps needs a number above 0 and at most %g (samples per second), got '%s'",
                       VIGIL_VIDEO_MAX_FPS, value);
            *bad = 1;
        } else {
            g_cli_video.opts.fps = v;
        }
        return 1;
    }
    if (strcmp(name, "collapse") == 0) {
        int off = strcmp(value, "off") == 0;
        long v = off ? -1 : strtol(value, &end, 10);
        if (!off && (!*value || !end || *end || v < 0 || v > 256)) {
            cli_errorf("--collapse needs a distance from 0 to 256 or 'off', got '%s'", value);
            *bad = 1;
        } else {
            g_cli_video.opts.collapse = (int)v;
        }
        return 1;
    }
    if (strcmp(name, "seconds-per-hash") == 0) {
        double v = strtod(value, &end);
        if (!*value || *end || !(v >= 0 && v <= 86400)) {
            cli_errorf("--seconds-per-hash needs a number of seconds from 0 (every frame) to 86400, got '%s'", value);
            *bad = 1;
        } else {
            /* the reference's CLI reads -r with std::stof */
            g_cli_video.opts.seconds_per_hash = (double)(float)v;
        }
        return 1;
    }
    if (strcmp(name, "video-query-share") == 0 || strcmp(name, "video-bank-share") == 0) {
        double v = strtod(value, &end);
        if (!*value || *end || !(v >= 0 && v <= 100)) {
            cli_errorf("--%s needs a percentage from 0 to 100, got '%s'", name, value);
            *bad = 1;
        } else if (name[6] == 'q') {
            g_cli_video.match.min_query_share = v;
        } else {
            g_cli_video.match.min_bank_share = v;
        }
        return 1;
    }
    return 0;
}

static const char *const video_ext[] = {"mp4", "m4v", "mov", "3gp", "3g2", "mkv", "webm", "avi", "flv",
                                        "ts",  "mts", "m2ts", "mpg", "mpeg", "ogv", "ogg", "wmv", "asf"};

int cli_is_video(const char *path) {
    if (strcmp(path, "-") == 0) return 0;
    FILE *f = fopen(path, "rb");
    if (!f) return 0; /* the image path reports it */
    static uint8_t head[65536];
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n && vigil_format_sniff(head, n) != VIGIL_FMT_UNKNOWN) return 0;
    if (vigil_video_sniff(head, n)) return 1;
    const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
    if (!dot || (slash && dot < slash)) return 0;
    for (size_t i = 0; i < sizeof video_ext / sizeof video_ext[0]; i++)
        if (strcasecmp(dot + 1, video_ext[i]) == 0) return 1;
    return 0;
}

/* ---- vigil hash ------------------------------------------------------------ */

static void print_json(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (s) puts(s);
    free(s);
    json_decref(o);
}

static json_t *str_json(const char *s) {
    json_t *j = json_string(s);
    return j ? j : json_string("?"); /* a path that is not UTF-8 */
}

static json_t *frame_json(const vigil_video_frame *f) {
    char hex[VIGIL_PDQ_HEX_LEN + 1];
    vigil_pdq_to_hex(&f->pdq, hex);
    json_t *o = json_object();
    json_object_set_new(o, "start", json_real(f->start_ms / 1000.0));
    json_object_set_new(o, "duration", json_real(f->duration_ms / 1000.0));
    json_object_set_new(o, "pdq", json_string(hex));
    json_object_set_new(o, "quality", json_integer(f->quality));
    return o;
}

/* Hash the video at path, or in data[0..len) when data is given. */
static int hash_video(const char *path, const uint8_t *data, size_t len, int json, int all, int dihedral) {
    if (dihedral) {
        cli_errorf("%s: --dihedral applies to images, not videos", path);
        return 0;
    }
    vigil_video_opts o = g_cli_video.opts;
    if (json || all) o.flags |= VIGIL_HASH_DIGESTS;
    vigil_video_hash v;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = data ? vigil_video_hash_bytes(data, len, &o, &v, &err) : vigil_video_hash_file(path, &o, &v, &err);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    char *value = NULL;
    if (json || g_cli_video.vpdq) {
        rc = vigil_video_serialize(&v, &value, &err);
        if (rc != VIGIL_OK) {
            cli_input_error(path, rc, &err);
            vigil_video_hash_clear(&v);
            return 0;
        }
    }
    char md5[33], sha[65];
    vigil_hex_encode(v.md5, 16, md5);
    vigil_hex_encode(v.sha256, 32, sha);
    if (json) {
        json_t *obj = json_object(), *frames = json_array();
        json_object_set_new(obj, "path", str_json(path));
        json_object_set_new(obj, "type", json_string("video"));
        json_object_set_new(obj, "md5", json_string(md5));
        json_object_set_new(obj, "sha256", json_string(sha));
        json_object_set_new(obj, "container", json_string(v.container));
        json_object_set_new(obj, "codec", json_string(v.codec));
        json_object_set_new(obj, "width", json_integer(v.width));
        json_object_set_new(obj, "height", json_integer(v.height));
        json_object_set_new(obj, "duration", json_real(v.duration));
        json_object_set_new(obj, "fps", json_real(v.fps_milli / 1000.0));
        json_object_set_new(obj, "decoded", json_integer((json_int_t)v.decoded));
        json_object_set_new(obj, "sampled", json_integer((json_int_t)v.sampled));
        for (size_t i = 0; i < v.n; i++) json_array_append_new(frames, frame_json(&v.frames[i]));
        json_object_set_new(obj, "frames", frames);
        json_object_set_new(obj, "vpdq", json_string(value));
        print_json(obj);
    } else if (g_cli_video.vpdq) {
        printf("%s,%s\n", value, path);
    } else {
        for (size_t i = 0; i < v.n; i++) {
            char hex[VIGIL_PDQ_HEX_LEN + 1];
            const vigil_video_frame *f = &v.frames[i];
            vigil_pdq_to_hex(&f->pdq, hex);
            printf("%s,%d,%u.%03u,%u.%03u", hex, f->quality, f->start_ms / 1000, f->start_ms % 1000,
                   f->duration_ms / 1000, f->duration_ms % 1000);
            if (all) printf(",%s,%s", md5, sha);
            printf(",%s\n", path);
        }
    }
    free(value);
    vigil_video_hash_clear(&v);
    return 1;
}

int cli_hash_video(const char *path, int json, int all, int dihedral) {
    return hash_video(path, NULL, 0, json, all, dihedral);
}

int cli_hash_video_bytes(const char *label, const uint8_t *data, size_t len, int json, int all, int dihedral) {
    return hash_video(label, data, len, json, all, dihedral);
}

/* ---- vigil hash --vpdq-reference -------------------------------------------- */

/* OUTDIR/NAME.txt, NAME the file's base name without its extension (as
 * vpdq-hash-video -d names it).  malloc'd. */
static char *ref_out_path(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t bl = dot ? (size_t)(dot - base) : strlen(base);
    size_t n = strlen(g_cli_video.outdir) + 1 + bl + 5;
    char *o = malloc(n);
    if (o) snprintf(o, n, "%s/%.*s.txt", g_cli_video.outdir, (int)bl, base);
    return o;
}

/* Write text[0..len) to `to` whole or not at all (a temporary file renamed). */
static int write_whole(const char *to, const char *text, size_t len) {
    size_t n = strlen(to) + 16;
    char *tmp = malloc(n);
    if (!tmp) return 0;
    snprintf(tmp, n, "%s.tmp%ld", to, (long)getpid());
    FILE *f = fopen(tmp, "wb");
    int ok = f && fwrite(text, 1, len, f) == len;
    if (f && fclose(f) != 0) ok = 0;
    if (ok && rename(tmp, to) != 0) ok = 0;
    if (!ok) remove(tmp);
    free(tmp);
    return ok;
}

int cli_hash_vpdq_reference(const char *path, int header) {
    vigil_video_opts o = g_cli_video.opts;
    o.vpdq_reference = 1;
    vigil_video_hash v;
    vigil_err err;
    vigil_err_clear(&err);
    char *text = NULL;
    size_t len = 0;
    vigil_status rc = vigil_video_hash_file(path, &o, &v, &err);
    if (rc == VIGIL_OK) rc = vigil_vpdq_ref_format(&v, &text, &len, &err);
    vigil_video_hash_clear(&v);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    int ok = 1;
    if (g_cli_video.outdir) {
        char *to = ref_out_path(path);
        ok = to && write_whole(to, text, len);
        if (!ok) cli_errorf("%s: cannot write %s: %s", path, to ? to : "the output file", strerror(errno));
        free(to);
    } else {
        if (header) printf("# %s\n", path);
        fwrite(text, 1, len, stdout);
    }
    free(text);
    return ok;
}

/* ---- vigil bank add --video ------------------------------------------------ */

int cli_video_value(const char *path, char **value) {
    vigil_video_hash v;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_video_hash_file(path, &g_cli_video.opts, &v, &err);
    if (rc == VIGIL_OK) rc = vigil_video_serialize(&v, value, &err);
    vigil_video_hash_clear(&v);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    return 1;
}

/* ---- vigil match ----------------------------------------------------------- */

static vigil_video_matcher *g_vm;

void cli_video_match_end(void) {
    vigil_video_matcher_free(g_vm);
    g_vm = NULL;
}

static json_t *labels_json(const char *text) {
    char *js = NULL;
    json_t *v = NULL;
    if (vigil_labels_to_json(text ? text : "", &js, NULL) == VIGIL_OK && js) v = json_loads(js, 0, NULL);
    free(js);
    return v ? v : json_object();
}

static void print_video(const char *query, const vigil_video_hash *q, const vigil_video_match_result *r,
                        const vigil_match_result *d, int json) {
    if (!json) {
        for (size_t i = 0; i < d->n; i++)
            printf("%s,%s,%lld,0\n", query, d->matches[i].bank, (long long)d->matches[i].entry_id);
        for (size_t i = 0; i < r->n; i++) {
            const vigil_video_match *x = &r->matches[i];
            printf("%s,%s,%lld,%d,%.1f,%.1f\n", query, x->bank, (long long)x->entry_id, x->distance, x->query_share,
                   x->bank_share);
        }
        if (r->low_quality)
            cli_errorf("%s: no frame has PDQ quality at or above the floor: its frames cannot match", query);
        if (r->allowed)
            cli_errorf("%s: matches an allow-list video: %zu other match%s suppressed", query, r->suppressed,
                       r->suppressed == 1 ? "" : "es");
        return;
    }
    json_t *o = json_object(), *arr = json_array();
    json_object_set_new(o, "query", str_json(query));
    json_object_set_new(o, "type", json_string("video"));
    json_object_set_new(o, "frames", json_integer((json_int_t)q->n));
    json_object_set_new(o, "usable_frames", json_integer((json_int_t)r->usable));
    json_object_set_new(o, "low_quality", json_boolean(r->low_quality));
    json_object_set_new(o, "allowed", json_boolean(r->allowed || d->allowed));
    json_object_set_new(o, "suppressed", json_integer((json_int_t)r->suppressed + (json_int_t)d->suppressed));
    for (size_t i = 0; i < d->n; i++) {
        const vigil_match *x = &d->matches[i];
        json_t *mj = json_object();
        json_object_set_new(mj, "bank", json_string(x->bank));
        json_object_set_new(mj, "entry_id", json_integer(x->entry_id));
        json_object_set_new(mj, "signal", json_string(vigil_signal_name(x->signal)));
        json_object_set_new(mj, "distance", json_integer(0));
        json_object_set_new(mj, "allow", json_boolean(x->bank_kind == VIGIL_BANK_ALLOW));
        json_object_set_new(mj, "labels", labels_json(x->labels));
        json_object_set_new(mj, "external_id", x->external_id ? json_string(x->external_id) : json_null());
        json_array_append_new(arr, mj);
    }
    for (size_t i = 0; i < r->n; i++) {
        const vigil_video_match *x = &r->matches[i];
        json_t *mj = json_object();
        json_object_set_new(mj, "bank", json_string(x->bank));
        json_object_set_new(mj, "entry_id", json_integer(x->entry_id));
        json_object_set_new(mj, "signal", json_string("video"));
        json_object_set_new(mj, "distance", json_integer(x->distance));
        json_object_set_new(mj, "query_share", json_real(x->query_share));
        json_object_set_new(mj, "bank_share", json_real(x->bank_share));
        json_object_set_new(mj, "query_frames", json_integer((json_int_t)x->query_frames));
        json_object_set_new(mj, "bank_frames", json_integer((json_int_t)x->bank_frames));
        json_object_set_new(mj, "offset", json_real(x->offset));
        json_object_set_new(mj, "allow", json_boolean(x->bank_kind == VIGIL_BANK_ALLOW));
        json_object_set_new(mj, "labels", labels_json(x->labels));
        json_object_set_new(mj, "external_id", x->external_id ? json_string(x->external_id) : json_null());
        json_array_append_new(arr, mj);
    }
    json_object_set_new(o, "matches", arr);
    print_json(o);
}

int cli_match_video(vigil_store *st, vigil_matcher *m, const char *const *banks, size_t n_banks,
                    const char *query, int given, int json, int *any_match) {
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = VIGIL_OK;
    if (!g_vm) {
        vigil_video_match_opts mo = g_cli_video.match;
        mo.banks = banks;
        mo.n_banks = n_banks;
        rc = vigil_video_matcher_open(st, &mo, &g_vm, &err);
        if (rc != VIGIL_OK) {
            cli_errorf("%s", err.msg);
            return 0;
        }
    }
    vigil_video_hash q;
    vigil_video_match_result r;
    vigil_match_result d;
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    d.quality = -1;
    vigil_video_opts o = g_cli_video.opts;
    o.flags |= VIGIL_HASH_DIGESTS;
    rc = given ? vigil_video_parse(query, &q, &err) : vigil_video_hash_file(query, &o, &q, &err);
    if (rc == VIGIL_OK) rc = vigil_video_matcher_query(g_vm, &q, &r, &err);
    if (rc == VIGIL_OK && !given) rc = vigil_matcher_digest(m, VIGIL_SIGNAL_MD5, q.md5, &d, &err);
    if (rc == VIGIL_OK && !given) rc = vigil_matcher_digest(m, VIGIL_SIGNAL_SHA256, q.sha256, &d, &err);
    if (rc == VIGIL_OK) {
        char label[40];
        snprintf(label, sizeof label, "%.24s...", query); /* a given value is long */
        print_video(given ? label : query, &q, &r, &d, json);
        if (r.n || d.n) *any_match = 1;
    }
    vigil_video_match_result_clear(&r);
    vigil_match_result_clear(&d);
    vigil_video_hash_clear(&q);
    if (rc != VIGIL_OK) {
        if (given)
            cli_errorf("%s", err.msg);
        else
            cli_input_error(query, rc, &err);
        return 0;
    }
    return 1;
}
