/*
 * cli/cmd_match.c - `vigil match`: hash files (or take given hashes) and
 * print their matches in the hash banks, one line per match; exit status
 * like grep's: 0 something matched, 1 nothing did, 2 an error.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_video.h"
#include "vigil/hash.h"
#include "vigil/match.h"
#include "vigil/store.h"

#define MATCH_EXIT_NONE 1
#define MATCH_EXIT_ERROR 2

static void match_usage(FILE *out) {
    fprintf(out,
            "usage: vigil match [OPTIONS] FILE...\n"
            "       vigil match [OPTIONS] --hash HASH...\n"
            "       vigil match --text [--min-similarity S] [--hash] FILE|SIGNATURE...\n"
            "\n"
            "Hashes each image (PDQ, MD5, SHA-256) and prints one line per match in the\n"
            "banks of the store (--db): QUERY,BANK,ENTRY_ID,DISTANCE.  With --hash the\n"
            "arguments are PDQ hashes (64 hex digits), or md5:HEX / sha256:HEX for exact\n"
            "matches.\n"
            "\n"
            "  --bank NAME         match only against this bank (repeatable)\n"
            "  --max-distance D    PDQ threshold for banks without their own (default 31)\n"
            "  --dihedral          also match the 8 rotations/mirrors of each query\n"
            "  --quality-floor Q   flag queries with PDQ quality below Q (default 50)\n"
            "  --json              one JSON object per query, with labels\n"
            "  --text              the files are UTF-8 texts, matched against the banks'\n"
            "                      text entries: QUERY,BANK,ENTRY_ID,SIMILARITY\n"
            "  --min-similarity S  text: estimated Jaccard similarity 0-1 (default 0.5)\n"
            "  -h, --help          this help\n"
            "\n"
            "Videos are sampled (--fps R, default 1 frame/s) and each frame looked up;\n"
            "a bank video matches when the share of the query's frames within the\n"
            "threshold of its frames, or the share of its frames covered, reaches:\n"
            "  --video-query-share P   percent of the query (default 50)\n"
            "  --video-bank-share P    percent of the bank video (default 50)\n"
            "  --video-both            require both shares (vPDQ's rule)\n"
            "  --video-rule R          vigil (the above), pytx (frames de-duplicated,\n"
            "                          by count: query >= 80%%) or readme (bank >= 80%%)\n"
            "  --video-bank-rule BANK=R[,Q,B]  a bank's own rule and shares\n"
            "  --video-phase-robust    count the denser side in windows of the other's\n"
            "                          sample period (catches trims at another phase)\n"
            "  --vpdq-reference        hash query videos as Meta's vPDQ does, every\n"
            "  --seconds-per-hash S    (int)(S x frame rate)-th frame (0: every frame)\n"
            "Video lines: QUERY,BANK,ENTRY_ID,DISTANCE,QUERY_SHARE,BANK_SHARE.\n"
            "\n"
            "Per-bank thresholds (`vigil bank set NAME --max-distance D`) take precedence.\n"
            "A query matching an entry of an allow bank has its other matches suppressed\n"
            "(noted on stderr).  Low-quality queries are noted on stderr: featureless\n"
            "images match too much.\n"
            "Exit status: 0 something matched, 1 nothing matched, 2 an error occurred.\n");
}

typedef struct match_cli {
    int json;
    int any_match;
    vigil_store *st; /* for videos (cli_video.c) */
    const char *const *banks;
    size_t nbanks;
} match_cli;


static void print_result(match_cli *c, const char *query, const vigil_pdq *pdq,
                         const vigil_match_result *r) {
    if (r->n) c->any_match = 1;
    if (!c->json) {
        for (size_t i = 0; i < r->n; i++)
            printf("%s,%s,%lld,%d\n", query, r->matches[i].bank, (long long)r->matches[i].entry_id,
                   r->matches[i].distance);
        if (r->low_quality)
            cli_errorf("%s: PDQ quality %d is below the floor: its matches are less reliable", query,
                       r->quality);
        if (r->allowed)
            cli_errorf("%s: matches an allow-list entry: %zu other match%s suppressed", query,
                       r->suppressed, r->suppressed == 1 ? "" : "es");
        return;
    }
    json_t *o = json_object(), *res = vigil_match_result_json(r); /* the API's form too */
    json_object_set_new(o, "query", json_string(query));
    if (pdq) {
        char hex[VIGIL_PDQ_HEX_LEN + 1];
        vigil_pdq_to_hex(pdq, hex);
        json_object_set_new(o, "pdq", json_string(hex));
    }
    json_object_update(o, res);
    json_decref(res);
    cli_print_json(o, 0, 1);
}

/* One --hash argument: PDQ hex, md5:HEX or sha256:HEX. */
static int match_hash_arg(vigil_matcher *m, match_cli *c, const char *arg) {
    if (strncmp(arg, VIGIL_VPDQ_PREFIX, strlen(VIGIL_VPDQ_PREFIX)) == 0 ||
        strncmp(arg, VIGIL_VPDQR_PREFIX, strlen(VIGIL_VPDQR_PREFIX)) == 0 || arg[0] == '[') /* a video's value */
        return cli_match_video(c->st, m, c->banks, c->nbanks, arg, 1, c->json, &c->any_match);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_match_result r;
    memset(&r, 0, sizeof r);
    vigil_pdq q;
    int is_pdq = 0;
    vigil_status rc = vigil_matcher_hash_text(m, arg, &r, &q, &is_pdq, &err); /* the one parser */
    if (rc == VIGIL_OK) print_result(c, arg, is_pdq ? &q : NULL, &r);
    vigil_match_result_clear(&r);
    if (rc != VIGIL_OK) {
        cli_errorf("%s: %s", arg, err.msg);
        return 0;
    }
    return 1;
}

static int match_file(vigil_matcher *m, vigil_hasher *h, match_cli *c, const char *path) {
    if (cli_is_video(path)) return cli_match_video(c->st, m, c->banks, c->nbanks, path, 0, c->json, &c->any_match);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_hash_result hr;
    vigil_match_result r;
    memset(&r, 0, sizeof r);
    vigil_status rc = vigil_hasher_file(h, path, &hr, &err);
    if (rc == VIGIL_OK) rc = vigil_matcher_pdq(m, &hr.pdq, hr.dihedral, hr.quality, &r, &err);
    if (rc == VIGIL_OK) rc = vigil_matcher_digest(m, VIGIL_SIGNAL_MD5, hr.md5, &r, &err);
    if (rc == VIGIL_OK) rc = vigil_matcher_digest(m, VIGIL_SIGNAL_SHA256, hr.sha256, &r, &err);
    if (rc == VIGIL_OK) print_result(c, path, &hr.pdq, &r);
    vigil_match_result_clear(&r);
    if (rc != VIGIL_OK) {
        cli_input_error(path, rc, &err);
        return 0;
    }
    return 1;
}

int cmd_match(int argc, char **argv) {
    enum { O_BANK = 1, O_MAXD, O_DIH, O_FLOOR, O_JSON, O_HASH, O_TEXT, O_MINSIM, O_FPS, O_VQS, O_VBS, O_VBOTH, O_VRULE, O_VBRULE, O_VPR, O_VREF, O_SPH };
    static const cli_opt opts[] = {
        CLI_O_STR("bank", 0, O_BANK),
        CLI_O_INT("max-distance", 0, O_MAXD, 0, 256),
        CLI_O_FLAG("dihedral", 0, O_DIH),
        CLI_O_INT("quality-floor", 0, O_FLOOR, 0, 100),
        CLI_O_FLAG("json", 0, O_JSON),
        CLI_O_FLAG("hash", 0, O_HASH),
        CLI_O_FLAG("text", 0, O_TEXT),
        CLI_O_REAL("min-similarity", 0, O_MINSIM, 0, 1, CLI_ABOVE_MIN, NULL),
        CLI_O_REAL("fps", 0, O_FPS, 0, VIGIL_VIDEO_MAX_FPS, CLI_ABOVE_MIN, "a number of samples per second"),
        CLI_O_REAL("video-query-share", 0, O_VQS, 0, 100, 0, "a percentage"),
        CLI_O_REAL("video-bank-share", 0, O_VBS, 0, 100, 0, "a percentage"),
        CLI_O_FLAG("video-both", 0, O_VBOTH),
        CLI_O_STR("video-rule", 0, O_VRULE),
        CLI_O_STR("video-bank-rule", 0, O_VBRULE),
        CLI_O_FLAG("video-phase-robust", 0, O_VPR),
        CLI_O_FLAG("vpdq-reference", 0, O_VREF),
        CLI_O_STR("seconds-per-hash", 0, O_SPH),
        CLI_O_END,
    };
    vigil_match_opts mo;
    vigil_match_opts_init(&mo);
    const char **banks = calloc((size_t)argc + 1, sizeof *banks);
    size_t nbanks = 0;
    int hashes = 0, c, text = 0;
    double min_sim = 0;
    match_cli mc = {0, 0, NULL, NULL, 0};
    int rc = CLI_EXIT_OK;
    vigil_store *st = NULL;
    vigil_matcher *m = NULL;
    vigil_hasher *h = NULL;
    if (!banks) return MATCH_EXIT_ERROR;
    cli_video_init();
    cli_args a;
    cli_args_init(&a, "match", opts, 0, argc, argv);
    while ((c = cli_args_next(&a)) != CLI_END) {
        switch (c) {
        case O_BANK: banks[nbanks++] = a.arg; break;
        case O_FPS: g_cli_video.opts.fps = a.real; break;
        case O_VQS: g_cli_video.match.min_query_share = a.real; break;
        case O_VBS: g_cli_video.match.min_bank_share = a.real; break;
        case O_VRULE:
        case O_VBRULE:
        case O_VPR:
        case O_VREF:
        case O_SPH: { /* checked and applied by cli_video.c */
            static const char *const names[] = {"video-rule", "video-bank-rule",
                                                "video-phase-robust", "vpdq-reference",
                                                "seconds-per-hash"};
            int bad = 0;
            cli_video_option(names[c - O_VRULE], a.arg, &bad);
            if (bad) {
                rc = MATCH_EXIT_ERROR;
                goto out;
            }
            break;
        }
        case O_VBOTH: g_cli_video.match.require_both = 1; break;
        case O_MAXD: mo.max_distance = (int)a.num; break;
        case O_DIH: mo.dihedral = 1; break;
        case O_FLOOR: mo.quality_floor = (int)a.num; break;
        case O_JSON: mc.json = 1; break;
        case O_HASH: hashes = 1; break;
        case O_TEXT: text = 1; break;
        case O_MINSIM: min_sim = a.real; break;
        case CLI_HELP: match_usage(stdout); goto out;
        default: rc = MATCH_EXIT_ERROR; goto out;
        }
    }
    if (a.argc == 0) {
        cli_errorf("match: no %s given (see `vigil match --help`)", hashes ? "HASH" : "FILE");
        rc = MATCH_EXIT_ERROR;
        goto out;
    }
    if (text) { /* cmd_text.c */
        rc = cli_match_text(banks, nbanks, min_sim, mc.json, hashes, a.argv, (size_t)a.argc);
        goto out;
    }
    mo.banks = banks;
    mo.n_banks = nbanks;
    vigil_err err;
    vigil_err_clear(&err);
    if (vigil_store_open(g_cli.db_path, &st, &err) != VIGIL_OK ||
        vigil_matcher_open(st, &mo, &m, &err) != VIGIL_OK) {
        cli_errorf("%s", err.msg);
        rc = MATCH_EXIT_ERROR;
        goto out;
    }
    mc.st = st;
    mc.banks = banks;
    mc.nbanks = nbanks;
    g_cli_video.match.max_distance = mo.max_distance;
    g_cli_video.match.quality_floor = mo.quality_floor;
    if (!hashes) {
        vigil_hash_opts ho;
        vigil_hash_opts_init(&ho);
        ho.flags = VIGIL_HASH_DIGESTS | (mo.dihedral ? VIGIL_HASH_DIHEDRAL : 0);
        if (vigil_hasher_new(&ho, &h, &err) != VIGIL_OK) {
            cli_errorf("%s", err.msg);
            rc = MATCH_EXIT_ERROR;
            goto out;
        }
    }
    int errors = 0;
    size_t total = (size_t)a.argc;
    size_t done = 0;
    for (int i = 0; i < a.argc; i++) {
        int ok = hashes ? match_hash_arg(m, &mc, a.argv[i]) : match_file(m, h, &mc, a.argv[i]);
        errors += !ok;
        cli_progress("matched", ++done, total);
    }
    cli_progress_end();
    rc = errors ? MATCH_EXIT_ERROR : mc.any_match ? CLI_EXIT_OK : MATCH_EXIT_NONE;
out:
    cli_video_match_end();
    vigil_hasher_free(h);
    vigil_matcher_free(m);
    vigil_store_close(st);
    free(banks);
    fflush(stdout);
    return rc;
}
