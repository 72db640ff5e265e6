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

#include "case_util.h"
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
    if (!value) value = ""; /* the options without a value */
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
    if (strcmp(name, "vpdq-reference") == 0) {
        g_cli_video.reference = 1;
        return 1;
    }
    if (strcmp(name, "video-phase-robust") == 0) {
        g_cli_video.match.phase_robust = 1;
        return 1;
    }
    if (strcmp(name, "video-rule") == 0) {
        vigil_err err;
        if (vigil_video_rule_parse(value, &g_cli_video.match.rule, &err) != VIGIL_OK) {
            cli_errorf("--video-rule: %s", err.msg);
            *bad = 1;
        }
        return 1;
    }
    if (strcmp(name, "video-bank-rule") == 0) { /* BANK=RULE[,Q,B] */
        const char *eq = strrchr(value, '=');
        size_t n = g_cli_video.match.n_bank_rules;
        vigil_video_bank_rule *r = &g_cli_video.bank_rules[n < 16 ? n : 15];
        char rule[16] = "";
        double q = -1, b = -1;
        vigil_err err;
        int k = eq ? sscanf(eq + 1, "%15[a-z],%lf,%lf", rule, &q, &b) : 0;
        if (n >= 16 || !eq || eq == value || (k != 1 && k != 3) ||
            vigil_video_rule_parse(rule, &r->rule, &err) != VIGIL_OK || q > 100 || b > 100 || (k == 3 && (q < 0 || b < 0))) {
            cli_errorf("--video-bank-rule needs BANK=RULE or BANK=RULE,QUERY_SHARE,BANK_SHARE (rule vigil, pytx or "
                       "readme; shares in percent; at most 16), got '%s'", value);
            *bad = 1;
            return 1;
        }
        r->min_query_share = q;
        r->min_bank_share = b;
        static char names[16][128];
        snprintf(names[n], sizeof names[n], "%.*s", (int)(eq - value), value);
        r->bank = names[n];
        g_cli_video.match.bank_rules = g_cli_video.bank_rules;
        g_cli_video.match.n_bank_rules = n + 1;
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

static void print_json(json_t *o) { cli_print_json(o, 0, 1); }

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

/* ---- vigil hash --tmk -------------------------------------------------------- */

int cli_hash_tmk(const char *path, int several) {
    vigil_err err;
    vigil_err_clear(&err);
    vigil_tmk *t = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    vigil_status rc = vigil_tmk_hash_file(path, &g_cli_video.opts, &t, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_write(t, &bytes, &len, &err);
    vigil_tmk_free(t);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    int ok = 1;
    if (g_cli_video.outdir) {
        char *to = NULL;
        if (several) { /* -o DIR: DIR/NAME.tmk */
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            const char *dot = strrchr(base, '.');
            size_t bl = dot ? (size_t)(dot - base) : strlen(base), n = strlen(g_cli_video.outdir) + bl + 6;
            to = malloc(n);
            if (to) snprintf(to, n, "%s/%.*s.tmk", g_cli_video.outdir, (int)bl, base);
        } else {
            to = strdup(g_cli_video.outdir);
        }
        ok = to && write_whole(to, (const char *)bytes, len);
        if (!ok) cli_errorf("%s: cannot write %s: %s", path, to ? to : "the output file", strerror(errno));
        free(to);
    } else {
        char *value = NULL;
        ok = vigil_tmk_value_from_file(bytes, len, &value, &err) == VIGIL_OK;
        if (ok) printf("%s,%s\n", value, path);
        else cli_input_error(path, err.status, &err);
        free(value);
    }
    free(bytes);
    return ok;
}

/* ---- vigil bank add --tmk ------------------------------------------------------ */

/* The signature in the file at path: a .tmk file, or a video hashed. */
static vigil_tmk *tmk_of(const char *path) {
    vigil_err err;
    vigil_err_clear(&err);
    vigil_tmk *t = NULL;
    uint8_t head[8] = {0};
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(head, 1, sizeof head, f) : 0;
    if (f) fclose(f);
    vigil_status rc;
    if (got == 8 && memcmp(head, "TMK1FVEC", 8) == 0) {
        uint8_t *data = NULL;
        size_t len = 0;
        rc = vigil_read_file(path, (uint64_t)VIGIL_TMK_FILE_BYTES + 1, &data, &len, &err);
        if (rc == VIGIL_OK) rc = vigil_tmk_read(data, len, &t, &err);
        free(data);
    } else {
        rc = vigil_tmk_hash_file(path, &g_cli_video.opts, &t, &err);
    }
    if (rc != VIGIL_OK) cli_input_error(path, rc, &err);
    return rc == VIGIL_OK ? t : NULL;
}

int cli_tmk_value(const char *path, char **value) {
    vigil_tmk *t = tmk_of(path);
    if (!t) return 0;
    uint8_t *bytes = NULL;
    size_t len = 0;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = vigil_tmk_write(t, &bytes, &len, &err);
    if (rc == VIGIL_OK) rc = vigil_tmk_value_from_file(bytes, len, value, &err);
    free(bytes);
    vigil_tmk_free(t);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    return 1;
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
        json_object_set_new(mj, "labels", vigil_labels_json(x->labels));
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
        if (g_cli_video.match.rule != VIGIL_VRULE_VIGIL || g_cli_video.match.n_bank_rules ||
            g_cli_video.match.phase_robust) { /* the rule's details, when one was asked for */
            json_object_set_new(mj, "rule", json_string(vigil_video_rule_name(x->rule)));
            json_object_set_new(mj, "query_share_time", json_real(x->query_share_time));
            json_object_set_new(mj, "bank_share_time", json_real(x->bank_share_time));
            json_object_set_new(mj, "query_share_frames", json_real(x->query_share_frames));
            json_object_set_new(mj, "bank_share_frames", json_real(x->bank_share_frames));
            json_object_set_new(mj, "phase_robust", json_boolean(x->phase_robust));
        }
        json_object_set_new(mj, "query_frames", json_integer((json_int_t)x->query_frames));
        json_object_set_new(mj, "bank_frames", json_integer((json_int_t)x->bank_frames));
        json_object_set_new(mj, "offset", json_real(x->offset));
        json_object_set_new(mj, "allow", json_boolean(x->bank_kind == VIGIL_BANK_ALLOW));
        json_object_set_new(mj, "labels", vigil_labels_json(x->labels));
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
    o.vpdq_reference = g_cli_video.reference;
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

/* ---- vigil vpdq ------------------------------------------------------------ */

static const char vpdq_help[] =
    "usage: vigil vpdq convert --to FORM [--frame-rate R] INPUT...\n"
    "       vigil vpdq compare [--rule vigil|pytx|readme] [OPTIONS] A B\n"
    "\n"
    "INPUT, A and B are files (or '-': standard input) holding a video hash in any\n"
    "form: vigil's vpdq1:/vpdqr1: value, Meta's per-frame file (vpdq-hash-video),\n"
    "or python-threatexchange's vpdq signal (a JSON list of \"hex,quality,time\").\n"
    "\n"
    "convert prints each INPUT in FORM: value (vigil's bank value), vpdq1, vpdqr1,\n"
    "reference (frameNumber,quality,hash,timestamp lines) or pytx.\n"
    "  --frame-rate R      for the reference form of hashes without frame numbers\n"
    "                      (a pytx signal): frame = round(time x R); R above 0,\n"
    "                      at most 1000\n"
    "\n"
    "compare matches A (the query) against B (the compared, bank video) and prints\n"
    "RULE,QUERY_SHARE,BANK_SHARE,DISTANCE,match|no-match (shares in percent).\n"
    "  --rule R            vigil (shares by time; query >= 50% or bank >= 50%),\n"
    "                      pytx (frames de-duplicated, by count; query >= 80%),\n"
    "                      readme (unique frames; compared >= 80%)\n"
    "  --distance D        frame distance threshold, 0 to 256 (default 31)\n"
    "  --quality Q         quality floor on both sides, 0 to 100 (default 50)\n"
    "  --query-share P, --bank-share P   the rule's thresholds (percent, 0 to 100)\n"
    "  --phase-robust      count the denser side in windows of the sparser side's\n"
    "                      sample period (trims at another sampling phase)\n"
    "  --json              every share: by time and by frames\n";

/* The text of the file at path ('-': stdin) in *text (malloc'd), up to
 * VIGIL_VALUE_MAX + 1 bytes, without trailing blanks (a value saved with
 * its newline). */
static vigil_status read_text(const char *path, char **text, vigil_err *err) {
    uint8_t *data = NULL;
    size_t len = 0;
    *text = NULL;
    vigil_status rc = vigil_read_file(strcmp(path, "-") == 0 ? "/dev/stdin" : path, (uint64_t)VIGIL_VALUE_MAX + 2,
                                      &data, &len, err);
    if (rc == VIGIL_OK && memchr(data, '\0', len)) {
        rc = VIGIL_EPARSE;
        snprintf(err->msg, sizeof err->msg, "holds a NUL byte: not a video hash in text form");
    }
    if (rc == VIGIL_OK) {
        char *t = realloc(data, len + 1);
        if (t) {
            data = NULL;
            while (len && strchr(" \t\r\n", t[len - 1])) len--;
            t[len] = '\0';
            *text = t;
        } else {
            rc = VIGIL_ENOMEM;
            snprintf(err->msg, sizeof err->msg, "out of memory");
        }
    }
    free(data);
    return rc;
}

/* The hash held in the file at path ('-': stdin), any form. */
static int read_any(const char *path, vigil_video_hash *v) {
    char *text = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = read_text(path, &text, &err);
    if (rc == VIGIL_OK) rc = vigil_video_parse(text, v, &err);
    free(text);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    return 1;
}

int cli_vpdq_value(const char *path, char **value) {
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc = read_text(path, value, &err);
    if (rc == VIGIL_OK && (strncmp(*value, VIGIL_VPDQ_PREFIX, 6) == 0 || strncmp(*value, VIGIL_VPDQR_PREFIX, 7) == 0)) {
        char *comma = strchr(*value, ','); /* `vigil hash --vpdq` prints VALUE,PATH */
        if (comma) *comma = '\0';
    }
    vigil_video_hash v;
    if (rc == VIGIL_OK) rc = vigil_video_parse(*value, &v, &err);
    if (rc == VIGIL_OK) vigil_video_hash_clear(&v);
    if (rc != VIGIL_OK) {
        free(*value);
        *value = NULL;
        cli_input_error(path, rc, &err);
        return 0;
    }
    return 1;
}

static void vpdq_usage(FILE *out) {
    fputs(vpdq_help, out);
}

enum { O_TO = 256, O_FRAME_RATE, O_RULE, O_DISTANCE, O_QUALITY, O_QUERY_SHARE, O_BANK_SHARE,
       O_PHASE_ROBUST, O_JSON, O_BANK, O_LEVEL1, O_LEVEL2 };

static const cli_opt vpdq_convert_opts[] = {
    CLI_O_STR("to", 0, O_TO),
    CLI_O_REAL("frame-rate", 0, O_FRAME_RATE, 0, 1000, CLI_ABOVE_MIN, "frames per second"),
    CLI_O_END,
};

/* vigil vpdq convert --to FORM [--frame-rate R] INPUT... */
static int vpdq_convert(int argc, char **argv) {
    const char *to = NULL;
    double rate = 0;
    int c;
    vigil_err err;
    vigil_err_clear(&err);
    cli_args a;
    cli_args_init(&a, "vpdq convert", vpdq_convert_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_TO: to = a.arg; break;
        case O_FRAME_RATE: rate = a.real; break;
        case CLI_HELP: vpdq_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    vigil_video_form form;
    if (!to) {
        cli_errorf("vpdq convert: --to FORM is required (value, vpdq1, vpdqr1, reference or pytx)");
        return CLI_EXIT_USAGE;
    }
    if (vigil_video_form_parse(to, &form, &err) != VIGIL_OK) {
        cli_errorf("vpdq convert: --to: %s", err.msg);
        return CLI_EXIT_USAGE;
    }
    if (a.argc < 1) {
        cli_errorf("vpdq convert: no INPUT given (see `vigil vpdq --help`)");
        return CLI_EXIT_USAGE;
    }
    int rc = CLI_EXIT_OK;
    for (int i = 0; i < a.argc; i++) {
        vigil_video_hash v;
        if (!read_any(a.argv[i], &v)) {
            rc = CLI_EXIT_FAIL;
            continue;
        }
        if (rate > 0) v.frame_rate = rate;
        char *out = NULL;
        vigil_status st = vigil_video_format(&v, form, &out, &err);
        vigil_video_hash_clear(&v);
        if (st != VIGIL_OK) {
            cli_input_error(a.argv[i], st, &err);
            rc = CLI_EXIT_FAIL;
            continue;
        }
        size_t n = strlen(out);
        fputs(out, stdout);
        if (n && out[n - 1] != '\n') putchar('\n');
        free(out);
    }
    fflush(stdout);
    return rc;
}

static const cli_opt vpdq_compare_opts[] = {
    CLI_O_STR("rule", 0, O_RULE),
    CLI_O_INT("distance", 0, O_DISTANCE, 0, 256),
    CLI_O_INT("quality", 0, O_QUALITY, 0, 100),
    CLI_O_REAL("query-share", 0, O_QUERY_SHARE, 0, 100, 0, "a percentage"),
    CLI_O_REAL("bank-share", 0, O_BANK_SHARE, 0, 100, 0, "a percentage"),
    CLI_O_FLAG("phase-robust", 0, O_PHASE_ROBUST),
    CLI_O_FLAG("json", 0, O_JSON),
    CLI_O_END,
};

/* vigil vpdq compare [--rule R] [OPTIONS] A B */
static int vpdq_compare(int argc, char **argv) {
    vigil_video_match_opts o;
    vigil_video_match_opts_init(&o);
    vigil_err err;
    vigil_err_clear(&err);
    int c, json = 0;
    cli_args a;
    cli_args_init(&a, "vpdq compare", vpdq_compare_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_RULE:
            if (vigil_video_rule_parse(a.arg, &o.rule, &err) != VIGIL_OK) {
                cli_errorf("--rule: %s", err.msg);
                return CLI_EXIT_USAGE;
            }
            break;
        case O_DISTANCE: o.max_distance = (int)a.num; break;
        case O_QUALITY: o.quality_floor = (int)a.num; break;
        case O_QUERY_SHARE: o.min_query_share = a.real; break;
        case O_BANK_SHARE: o.min_bank_share = a.real; break;
        case O_PHASE_ROBUST: o.phase_robust = 1; break;
        case O_JSON: json = 1; break;
        case CLI_HELP: vpdq_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (a.argc != 2) {
        cli_errorf("vpdq compare: give two INPUTs, the query and the compared video "
                   "(see `vigil vpdq --help`)");
        return CLI_EXIT_USAGE;
    }
    vigil_video_hash qa, qb;
    if (!read_any(a.argv[0], &qa)) return CLI_EXIT_FAIL;
    if (!read_any(a.argv[1], &qb)) {
        vigil_video_hash_clear(&qa);
        return CLI_EXIT_FAIL;
    }
    vigil_video_match x;
    int ok = vigil_video_compare_rule(&qa, &qb, &o, &x);
    if (json) {
        json_t *j = json_object();
        json_object_set_new(j, "rule", json_string(vigil_video_rule_name(x.rule)));
        json_object_set_new(j, "match", json_boolean(ok));
        json_object_set_new(j, "query_share", json_real(x.query_share));
        json_object_set_new(j, "bank_share", json_real(x.bank_share));
        json_object_set_new(j, "query_share_time", json_real(x.query_share_time));
        json_object_set_new(j, "bank_share_time", json_real(x.bank_share_time));
        json_object_set_new(j, "query_share_frames", json_real(x.query_share_frames));
        json_object_set_new(j, "bank_share_frames", json_real(x.bank_share_frames));
        json_object_set_new(j, "query_frames", json_integer((json_int_t)x.query_frames));
        json_object_set_new(j, "bank_frames", json_integer((json_int_t)x.bank_frames));
        json_object_set_new(j, "distance", json_integer(x.distance));
        json_object_set_new(j, "phase_robust", json_boolean(x.phase_robust));
        print_json(j);
    } else {
        printf("%s,%.1f,%.1f,%d,%s\n", vigil_video_rule_name(x.rule), x.query_share, x.bank_share, x.distance,
               ok ? "match" : "no-match");
    }
    vigil_video_hash_clear(&qa);
    vigil_video_hash_clear(&qb);
    return CLI_EXIT_OK;
}

int cmd_vpdq(int argc, char **argv) {
    static const cli_sub subs[] = {{"convert", vpdq_convert, vpdq_convert_opts},
                                   {"compare", vpdq_compare, vpdq_compare_opts}};
    return cli_dispatch("vpdq", subs, sizeof subs / sizeof subs[0], vpdq_usage, argc, argv);
}

/* ---- vigil tmk ------------------------------------------------------------- */

static const char tmk_help[] =
    "usage: vigil tmk score A.tmk B.tmk\n"
    "       vigil tmk match [--bank NAME]... [--level1 T] [--level2 T] [--json] INPUT...\n"
    "       vigil tmk export ENTRY-ID FILE.tmk\n"
    "\n"
    "score prints LEVEL1,LEVEL2: the reference's two TMK+PDQF scores of two .tmk\n"
    "files (from `vigil hash --tmk -o FILE.tmk` or tmk-hash-video).  Level 1 is the\n"
    "cosine of the average frame features, level 2 the kernel over all Fourier\n"
    "coefficients at the best time offset; 1.0 is a perfect match, and the\n"
    "reference's thresholds are 0.7 for both.\n"
    "\n"
    "match: each INPUT (a .tmk file, or a video hashed with TMK+PDQF) against the\n"
    "banks' tmk entries, with the reference's two-level rule (level 1 >= T as a\n"
    "prefilter, then level 2 >= T; 0.7 and 0.7): QUERY,BANK,ENTRY_ID,LEVEL1,LEVEL2.\n"
    "  --bank NAME         only bank NAME (repeatable; default: every enabled bank)\n"
    "  --level1 T          the level-1 threshold, a score from -1 to 1 (default 0.7)\n"
    "  --level2 T          the level-2 threshold, a score from -1 to 1 (default 0.7)\n"
    "  --json              one JSON object per INPUT (candidates, matches, labels)\n"
    "Exit status as vigil match: 0 something matched, 1 nothing, 2 an error.\n"
    "\n"
    "export: a bank entry of type tmk (ENTRY-ID, a positive whole number) written\n"
    "back as its .tmk file.\n";

static vigil_tmk *read_tmk(const char *path) {
    uint8_t *data = NULL;
    size_t len = 0;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_tmk *t = NULL;
    vigil_status rc = vigil_read_file(path, (uint64_t)VIGIL_TMK_FILE_BYTES + 1, &data, &len, &err);
    if (rc == VIGIL_ELIMIT) {
        vigil_err_clear(&err);
        snprintf(err.msg, sizeof err.msg, "TMK file is over %d bytes (trailing data)", VIGIL_TMK_FILE_BYTES);
        rc = VIGIL_EFORMAT;
    }
    if (rc == VIGIL_OK) rc = vigil_tmk_read(data, len, &t, &err);
    free(data);
    if (rc != VIGIL_OK) cli_input_error(path, rc, &err);
    return t;
}

static void tmk_usage(FILE *out) {
    fputs(tmk_help, out);
}

static const cli_opt tmk_score_opts[] = {CLI_O_END};

/* vigil tmk score A.tmk B.tmk */
static int tmk_score(int argc, char **argv) {
    cli_args a;
    int ret = cu_args(&a, "tmk score", tmk_score_opts, argc, argv, tmk_usage, 2, 2, "A.tmk and B.tmk", NULL, NULL);
    if (ret >= 0) return ret;
    vigil_tmk *ta = read_tmk(a.argv[0]), *tb = ta ? read_tmk(a.argv[1]) : NULL;
    if (!ta || !tb) {
        vigil_tmk_free(ta);
        return CLI_EXIT_FAIL;
    }
    printf("%.6f,%.6f\n", (double)vigil_tmk_level1(ta, tb), (double)vigil_tmk_level2(ta, tb));
    vigil_tmk_free(ta);
    vigil_tmk_free(tb);
    return CLI_EXIT_OK;
}

static const cli_opt tmk_match_opts[] = {
    CLI_O_STR("bank", 0, O_BANK),
    CLI_O_REAL("level1", 0, O_LEVEL1, -1, 1, 0, "a score"),
    CLI_O_REAL("level2", 0, O_LEVEL2, -1, 1, 0, "a score"),
    CLI_O_FLAG("json", 0, O_JSON),
    CLI_O_END,
};

/* vigil tmk match [--bank NAME]... [--level1 T] [--level2 T] [--json] INPUT... */
static int tmk_match(int argc, char **argv) {
    const char **banks = calloc((size_t)argc + 1, sizeof *banks);
    if (!banks) return CLI_EXIT_FAIL;
    size_t nb = 0;
    float l1 = VIGIL_TMK_DEFAULT_LEVEL1, l2 = VIGIL_TMK_DEFAULT_LEVEL2;
    int c, json = 0, rc = CLI_EXIT_OK, any = 0;
    cli_args a;
    cli_args_init(&a, "tmk match", tmk_match_opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_BANK: banks[nb++] = a.arg; break;
        case O_LEVEL1: l1 = (float)a.real; break;
        case O_LEVEL2: l2 = (float)a.real; break;
        case O_JSON: json = 1; break;
        case CLI_HELP: tmk_usage(stdout); free(banks); return CLI_EXIT_OK;
        default: free(banks); return CLI_EXIT_USAGE;
        }
    }
    if (a.argc < 1) {
        cli_errorf("tmk match: no INPUT given (see `vigil tmk --help`)");
        free(banks);
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = NULL;
    vigil_tmk_matcher *m = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_store_open(g_cli.db_path, &st, &err) != VIGIL_OK ||
        vigil_tmk_matcher_open(st, banks, nb, &m, &err) != VIGIL_OK) {
        cli_errorf("tmk match: %s", err.msg);
        vigil_store_close(st);
        free(banks);
        return CLI_EXIT_USAGE;
    }
    for (int i = 0; i < a.argc; i++) {
        vigil_tmk *q = tmk_of(a.argv[i]);
        if (!q) {
            rc = CLI_EXIT_FAIL;
            continue;
        }
        vigil_tmk_match_result r;
        vigil_status st_ = vigil_tmk_matcher_query(m, q, l1, l2, &r, &err);
        vigil_tmk_free(q);
        if (st_ != VIGIL_OK) {
            cli_input_error(a.argv[i], st_, &err);
            rc = CLI_EXIT_FAIL;
            continue;
        }
        if (json) {
            json_t *o = json_object(), *arr = json_array();
            json_object_set_new(o, "query", str_json(a.argv[i]));
            json_object_set_new(o, "type", json_string("tmk"));
            json_object_set_new(o, "candidates", json_integer((json_int_t)r.candidates));
            json_object_set_new(o, "allowed", json_boolean(r.allowed));
            json_object_set_new(o, "suppressed", json_integer((json_int_t)r.suppressed));
            for (size_t k = 0; k < r.n; k++) {
                const vigil_tmk_hit *x = &r.matches[k];
                json_t *mj = json_object();
                json_object_set_new(mj, "bank", json_string(x->bank));
                json_object_set_new(mj, "entry_id", json_integer(x->entry_id));
                json_object_set_new(mj, "signal", json_string("tmk"));
                json_object_set_new(mj, "level1", json_real(x->level1));
                json_object_set_new(mj, "level2", json_real(x->level2));
                json_object_set_new(mj, "allow", json_boolean(x->bank_kind == VIGIL_BANK_ALLOW));
                json_object_set_new(mj, "labels", vigil_labels_json(x->labels));
                json_object_set_new(mj, "external_id", x->external_id ? json_string(x->external_id) : json_null());
                json_array_append_new(arr, mj);
            }
            json_object_set_new(o, "matches", arr);
            print_json(o);
        } else {
            for (size_t k = 0; k < r.n; k++)
                printf("%s,%s,%lld,%.6f,%.6f\n", a.argv[i], r.matches[k].bank,
                       (long long)r.matches[k].entry_id, (double)r.matches[k].level1,
                       (double)r.matches[k].level2);
            if (r.allowed)
                cli_errorf("%s: matches an allow-list video: %zu other match%s suppressed",
                           a.argv[i], r.suppressed, r.suppressed == 1 ? "" : "es");
        }
        if (r.n) any = 1;
        vigil_tmk_match_result_clear(&r);
    }
    vigil_tmk_matcher_free(m);
    vigil_store_close(st);
    free(banks);
    fflush(stdout);
    return rc != CLI_EXIT_OK ? CLI_EXIT_USAGE : any ? CLI_EXIT_OK : CLI_EXIT_FAIL; /* like vigil match */
}

static const cli_opt tmk_export_opts[] = {CLI_O_END};

/* vigil tmk export ENTRY-ID FILE.tmk */
static int tmk_export(int argc, char **argv) {
    cli_args a;
    int ret = cu_args(&a, "tmk export", tmk_export_opts, argc, argv, tmk_usage, 2, 2, "ENTRY-ID and FILE.tmk", NULL, NULL);
    if (ret >= 0) return ret;
    const char *id_text = a.argv[0], *path = a.argv[1];
    char *end = NULL;
    errno = 0;
    long long id = strtoll(id_text, &end, 10); /* an operand: no option table to check it */
    if (!*id_text || *end || errno || id <= 0) {
        cli_errorf("tmk export: ENTRY-ID must be a positive whole number, got '%s'", id_text);
        return CLI_EXIT_USAGE;
    }
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_entry e;
    memset(&e, 0, sizeof e);
    vigil_tmk *t = NULL;
    uint8_t *bytes = NULL;
    size_t len = 0;
    int rc = CLI_EXIT_FAIL;
    if (vigil_store_open(g_cli.db_path, &st, &err) != VIGIL_OK || vigil_bank_entry_get(st, id, &e, &err) != VIGIL_OK) {
        cli_errorf("tmk export: %s", err.msg);
        goto out;
    }
    if (e.signal != VIGIL_SIGNAL_TMK) {
        cli_errorf("tmk export: entry %lld is of signal type %s, not tmk", id, vigil_signal_name(e.signal));
        goto out;
    }
    if (vigil_tmk_value_parse(e.value, &t, &err) != VIGIL_OK || vigil_tmk_write(t, &bytes, &len, &err) != VIGIL_OK) {
        cli_errorf("tmk export: entry %lld: %s", id, err.msg);
        goto out;
    }
    if (!write_whole(path, (const char *)bytes, len)) {
        cli_errorf("tmk export: cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = CLI_EXIT_OK;
out:
    free(bytes);
    vigil_tmk_free(t);
    vigil_entry_clear(&e);
    vigil_store_close(st);
    return rc;
}

int cmd_tmk(int argc, char **argv) {
    static const cli_sub subs[] = {{"score", tmk_score, tmk_score_opts},
                                   {"match", tmk_match, tmk_match_opts},
                                   {"export", tmk_export, tmk_export_opts}};
    return cli_dispatch("tmk", subs, sizeof subs / sizeof subs[0], tmk_usage, argc, argv);
}
