/*
 * cli/cmd_hash.c - `vigil hash`: PDQ hashes (optionally the 8 dihedral
 * variants), MD5 and SHA-256 of image files, as CSV-like lines or JSON lines.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_video.h"
#include "vigil/hash.h"

static void hash_usage(FILE *out) {
    fprintf(out,
            "usage: vigil hash [OPTIONS] FILE...\n"
            "\n"
            "Prints one line per image: HASH,QUALITY,PATH (PDQ as 64 hex digits,\n"
            "quality 0-100).  FILE '-' reads the image from standard input.\n"
            "\n"
            "  --all               also MD5 and SHA-256 of the file bytes:\n"
            "                      HASH,QUALITY,MD5,SHA256,PATH\n"
            "  --dihedral          the 8 dihedral hashes (original, rotate90, rotate180,\n"
            "                      rotate270, flipx, flipy, flipplus1, flipminus1):\n"
            "                      H0,...,H7,QUALITY,PATH\n"
            "  --json              one JSON object per line:\n"
            "                      {\"path\",\"pdq\",\"quality\",\"md5\",\"sha256\",...}\n"
            "  --text              the files are UTF-8 texts: SIGNATURE,PATH, the MinHash\n"
            "                      signature (mh1:...) of their word shingles\n"
            "  --files-from LIST   read paths from LIST, one per line ('-': stdin)\n"
            "  --no-resize         hash at full size (skip the reference's 512x512 step;\n"
            "                      NOT compatible with hashes shared by partners)\n"
            "  --jpeg-fast         decode large JPEGs at 1/2, 1/4 or 1/8 scale (faster,\n"
            "                      a few bits off the reference; see docs/cli.md)\n"
            "  --max-pixels N      refuse images over N pixels (default 100000000)\n"
            "  --max-bytes N       refuse files over N bytes (default 268435456)\n"
            "  -h, --help          this help\n"
            "\n"
            "Videos (MP4/MOV, Matroska/WebM, AVI, FLV, MPEG-TS/PS, Ogg, ASF) are hashed\n"
            "vPDQ-style: one line per kept frame, HASH,QUALITY,START,DURATION,PATH\n"
            "(seconds); with --all HASH,QUALITY,START,DURATION,MD5,SHA256,PATH.\n"
            "  --fps R             video frames sampled per second (default 1)\n"
            "  --collapse D|off    merge consecutive frames within distance D of the\n"
            "                      first of their run (default 8)\n"
            "  --vpdq              one line per video: VALUE,PATH, the bank value\n"
            "                      (vpdq1:...) for `vigil bank import` as signal video\n"
            "  --vpdq-reference    Meta's vPDQ, bit for bit (vpdq-hash-video -r S):\n"
            "                      FRAMENUMBER,QUALITY,HASH,TIMESTAMP per hashed frame\n"
            "                      (a '# PATH' line before each video when several)\n"
            "  --seconds-per-hash S  with --vpdq-reference: one frame in every\n"
            "                      (int)(S x frame rate) decoded (default 1; 0: all)\n"
            "  -o DIR              with --vpdq-reference: write DIR/NAME.txt per video\n"
            "  --tmk               TMK+PDQF (GIFCT/TCAP): one line tmk:BASE64,PATH per\n"
            "                      video; with -o FILE.tmk (one video) or -o DIR\n"
            "                      (DIR/NAME.tmk) the 263,344-byte .tmk file\n"
            "\n"
            "Errors are reported per file on stderr; the other files are still hashed.\n"
            "Exit status: 0 all hashed, 1 some file failed, 2 usage error.\n");
}

typedef struct hash_cli_opts {
    int json, all, dihedral;
} hash_cli_opts;

/* A JSON string for a path that may not be UTF-8: invalid bytes become U+FFFD. */
static json_t *path_json(const char *path) {
    json_t *s = json_string(path);
    if (s) return s;
    size_t n = strlen(path);
    char *buf = malloc(3 * n + 1);
    if (!buf) return json_string("?");
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c < 0x80) {
            buf[o++] = (char)c;
        } else {
            buf[o++] = (char)0xEF;
            buf[o++] = (char)0xBF;
            buf[o++] = (char)0xBD;
        }
    }
    buf[o] = '\0';
    s = json_string(buf);
    free(buf);
    return s ? s : json_string("?");
}

static void print_result(const hash_cli_opts *o, const char *path, const vigil_hash_result *r) {
    char pdq[VIGIL_PDQ_HEX_LEN + 1], md5[33], sha[65];
    vigil_pdq_to_hex(&r->pdq, pdq);
    vigil_hex_encode(r->md5, 16, md5);
    vigil_hex_encode(r->sha256, 32, sha);
    if (o->json) {
        json_t *obj = json_object();
        json_object_set_new(obj, "path", path_json(path));
        json_object_set_new(obj, "pdq", json_string(pdq));
        json_object_set_new(obj, "quality", json_integer(r->quality));
        json_object_set_new(obj, "md5", json_string(md5));
        json_object_set_new(obj, "sha256", json_string(sha));
        json_object_set_new(obj, "format", json_string(vigil_format_name(r->format)));
        json_object_set_new(obj, "width", json_integer(r->width));
        json_object_set_new(obj, "height", json_integer(r->height));
        if (o->dihedral) {
            json_t *d = json_object();
            for (int v = 0; v < VIGIL_DIH_COUNT; v++) {
                char h[VIGIL_PDQ_HEX_LEN + 1];
                vigil_pdq_to_hex(&r->dihedral[v], h);
                json_object_set_new(d, vigil_dihedral_name((vigil_dihedral)v), json_string(h));
            }
            json_object_set_new(obj, "dihedral", d);
        }
        cli_print_json(obj, 0, 1);
        return;
    }
    if (o->dihedral) {
        for (int v = 0; v < VIGIL_DIH_COUNT; v++) {
            char h[VIGIL_PDQ_HEX_LEN + 1];
            vigil_pdq_to_hex(&r->dihedral[v], h);
            printf("%s,", h);
        }
        printf("%d", r->quality);
    } else {
        printf("%s,%d", pdq, r->quality);
    }
    if (o->all) printf(",%s,%s", md5, sha);
    printf(",%s\n", path);
}

/* Read stdin whole into memory (bounded). */
static vigil_status read_stdin(uint64_t max, uint8_t **data, size_t *len, vigil_err *err) {
    return vigil_read_file("/dev/stdin", max, data, len, err);
}

static int hash_one(vigil_hasher *h, const hash_cli_opts *o, const char *path, uint64_t max_bytes) {
    if (cli_is_video(path)) return cli_hash_video(path, o->json, o->all, o->dihedral); /* cli_video.c */
    vigil_hash_result r;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status rc;
    if (strcmp(path, "-") == 0) {
        uint8_t *data = NULL;
        size_t len = 0;
        rc = read_stdin(max_bytes, &data, &len, &err);
        if (rc == VIGIL_OK && vigil_format_sniff(data, len) == VIGIL_FMT_UNKNOWN && vigil_video_sniff(data, len)) {
            int ok = cli_hash_video_bytes(path, data, len, o->json, o->all, o->dihedral); /* cli_video.c */
            free(data);
            return ok;
        }
        if (rc == VIGIL_OK) rc = vigil_hasher_bytes(h, data, len, &r, &err);
        free(data);
    } else {
        rc = vigil_hasher_file(h, path, &r, &err);
    }
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    print_result(o, path, &r);
    return 1;
}

/* Paths from a list file, one per line; blank lines skipped. */
static char **read_list(const char *list, size_t *n_out) {
    FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    if (!f) return NULL;
    char **v = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t got;
    while ((got = getline(&line, &lcap, f)) >= 0) {
        while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r')) line[--got] = '\0';
        if (got == 0) continue;
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 64;
            char **nv = realloc(v, ncap * sizeof *nv);
            if (!nv) break;
            v = nv;
            cap = ncap;
        }
        v[n] = strdup(line);
        if (!v[n]) break;
        n++;
    }
    free(line);
    if (f != stdin) fclose(f);
    if (!v) v = calloc(1, sizeof *v);
    *n_out = n;
    return v;
}

int cmd_hash(int argc, char **argv) {
    enum { O_ALL = 1, O_DIH, O_JSON, O_NORESIZE, O_FAST, O_MAXPX, O_MAXB, O_LIST, O_TEXT, O_FPS, O_COLLAPSE, O_VPDQ, O_VREF, O_SPH, O_TMK, O_OUT };
    static const cli_opt opts[] = {
        CLI_O_FLAG("all", 0, O_ALL),
        CLI_O_FLAG("dihedral", 0, O_DIH),
        CLI_O_FLAG("json", 0, O_JSON),
        CLI_O_FLAG("no-resize", 0, O_NORESIZE),
        CLI_O_FLAG("jpeg-fast", 0, O_FAST),
        CLI_O_INT("max-pixels", 0, O_MAXPX, 1, CLI_NO_MAX),
        CLI_O_INT("max-bytes", 0, O_MAXB, 1, CLI_NO_MAX),
        CLI_O_STR("files-from", 0, O_LIST),
        CLI_O_FLAG("text", 0, O_TEXT),
        CLI_O_REAL("fps", 0, O_FPS, 0, VIGIL_VIDEO_MAX_FPS, CLI_ABOVE_MIN, "a number of samples per second"),
        CLI_O_STR("collapse", 0, O_COLLAPSE),
        CLI_O_FLAG("vpdq", 0, O_VPDQ),
        CLI_O_FLAG("vpdq-reference", 0, O_VREF),
        CLI_O_FLAG("tmk", 0, O_TMK),
        CLI_O_STR("seconds-per-hash", 0, O_SPH),
        CLI_O_STR("output", 'o', O_OUT),
        CLI_O_END,
    };
    hash_cli_opts o = {0, 0, 0};
    vigil_hash_opts ho;
    vigil_hash_opts_init(&ho);
    cli_video_init();
    const char *list = NULL;
    int c, text = 0;
    cli_args a;
    cli_args_init(&a, "hash", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_TEXT: text = 1; break;
        case O_FPS: g_cli_video.opts.fps = a.real; break;
        case O_COLLAPSE: {
            int bad = 0;
            cli_video_option("collapse", a.arg, &bad);
            if (bad) return CLI_EXIT_USAGE;
            break;
        }
        case O_VPDQ: g_cli_video.vpdq = 1; break;
        case O_VREF: g_cli_video.reference = 1; break; /* cli_video.c */
        case O_TMK: g_cli_video.tmk = 1; break;
        case O_OUT: g_cli_video.outdir = a.arg; break;
        case O_SPH: {
            int bad = 0;
            cli_video_option("seconds-per-hash", a.arg, &bad);
            if (bad) return CLI_EXIT_USAGE;
            break;
        }
        case O_ALL: o.all = 1; break;
        case O_DIH: o.dihedral = 1; break;
        case O_JSON: o.json = 1; break;
        case O_NORESIZE: ho.flags |= VIGIL_HASH_NO_RESIZE; break;
        case O_FAST: ho.jpeg_fast_scale = 1; break;
        case O_MAXPX: ho.limits.max_pixels = (uint64_t)a.num; break;
        case O_MAXB: ho.limits.max_file_bytes = (uint64_t)a.num; break;
        case O_LIST: list = a.arg; break;
        case CLI_HELP: hash_usage(stdout); return CLI_EXIT_OK;
        default: return CLI_EXIT_USAGE;
        }
    }
    if (g_cli_video.outdir && !g_cli_video.reference && !g_cli_video.tmk) {
        cli_errorf("-o DIR writes --vpdq-reference or --tmk files; give one of them too");
        return CLI_EXIT_USAGE;
    }
    if (o.all || o.json) ho.flags |= VIGIL_HASH_DIGESTS;
    if (o.dihedral) ho.flags |= VIGIL_HASH_DIHEDRAL;
    g_cli_video.opts.flags |= ho.flags & VIGIL_HASH_NO_RESIZE; /* videos: the same frame rules */
    g_cli_video.opts.limits.max_pixels = ho.limits.max_pixels;

    char **paths = a.argv;
    size_t n = (size_t)a.argc;
    char **owned = NULL;
    if (list) {
        if (n) {
            cli_errorf("give files either on the command line or with --files-from, not both");
            return CLI_EXIT_USAGE;
        }
        owned = read_list(list, &n);
        if (!owned) {
            cli_errorf("%s: cannot read the file list", list);
            return CLI_EXIT_USAGE;
        }
        paths = owned;
    } else if (n == 0) {
        cli_errorf("hash: no FILE given (see `vigil hash --help`)");
        return CLI_EXIT_USAGE;
    }

    vigil_hasher *h = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    int rc = CLI_EXIT_OK;
    if (text) { /* cmd_text.c; --max-bytes applies when given */
        rc = cli_hash_text(paths, n, o.json,
                           ho.limits.max_file_bytes == VIGIL_DEFAULT_MAX_FILE_BYTES ? 0 : ho.limits.max_file_bytes);
        goto out;
    }
    if (vigil_hasher_new(&ho, &h, &err) != VIGIL_OK) {
        cli_errorf("%s", err.msg);
        rc = CLI_EXIT_FAIL;
        goto out;
    }
    uint64_t max_bytes = ho.limits.max_file_bytes;
    for (size_t i = 0; i < n; i++) {
        if (g_cli_video.tmk ? !cli_hash_tmk(paths[i], n > 1)
            : g_cli_video.reference ? !cli_hash_vpdq_reference(paths[i], n > 1)
                                    : !hash_one(h, &o, paths[i], max_bytes))
            rc = CLI_EXIT_FAIL;
        cli_progress("hashed", i + 1, n);
    }
    cli_progress_end();
out:
    vigil_hasher_free(h);
    if (owned) {
        for (size_t i = 0; i < n; i++) free(owned[i]);
        free(owned);
    }
    fflush(stdout);
    return rc;
}
