/*
 * cli/cli_video.h - the video parts of `vigil hash`, `vigil match` and
 * `vigil bank add --video` (cli_video.c): detection, output, matching.
 */
#ifndef VIGIL_CLI_VIDEO_H
#define VIGIL_CLI_VIDEO_H

#include "vigil/match.h"
#include "vigil/video.h"

/* Video settings from the command line (--fps, --collapse, --vpdq, the
 * share thresholds); set while parsing options, read by the functions below. */
typedef struct cli_video_cfg {
    vigil_video_opts opts;
    vigil_video_match_opts match;
    int vpdq; /* vigil hash --vpdq: one VALUE,PATH line per video */
    int reference;      /* vigil hash --vpdq-reference: Meta's per-frame file   */
    int tmk;            /* vigil hash --tmk: TMK+PDQF                            */
    const char *outdir; /* vigil hash --vpdq-reference -o DIR: DIR/NAME.txt     */
    vigil_video_bank_rule bank_rules[16]; /* vigil match --video-bank-rule       */
} cli_video_cfg;

extern cli_video_cfg g_cli_video;

/* Resets g_cli_video to the library defaults. */
void cli_video_init(void);

/* Options shared by hash and match that need more than a number check:
 * --collapse D|off, --seconds-per-hash S, --vpdq-reference, and match's
 * --video-rule, --video-bank-rule, --video-phase-robust (`name` without the
 * dashes; `value` NULL or "" for those without one; --fps and the share
 * thresholds are checked by the option table and set directly).  Returns 1
 * if `name` is one of them (then *bad is set when its value is invalid,
 * after printing why), 0 otherwise. */
int cli_video_option(const char *name, const char *value, int *bad);

/* Whether PATH should go the video way: not an image by its first bytes,
 * and a video container by libavformat's probes or by its extension. */
int cli_is_video(const char *path);

/* vigil hash --vpdq-reference on one video: Meta's reference file, on
 * standard output (after a "# PATH" line when `header`) or written whole
 * to OUTDIR/NAME.txt.  Returns 1, or 0 after reporting the error. */
int cli_hash_vpdq_reference(const char *path, int header);

/* vigil hash --tmk on one video: "tmk:BASE64,PATH" on standard output, or
 * the .tmk file written whole to -o (a FILE for one video, a DIR for
 * several: DIR/NAME.tmk).  Returns 1, or 0 after reporting the error. */
int cli_hash_tmk(const char *path, int several);

/* vigil hash on one video: prints its lines (json, all as for images).
 * Returns 1 on success, 0 after reporting the error. */
int cli_hash_video(const char *path, int json, int all, int dihedral);

/* The same for a video read into memory (standard input); `label` names it. */
int cli_hash_video_bytes(const char *label, const uint8_t *data, size_t len, int json, int all, int dihedral);

/* vigil match on one video (or a "vpdq1:" value when `given`): its frames
 * against the banks' video entries, its file digests against `m`'s exact
 * tables.  Opens the video matcher over `st` on first use.  Sets
 * *any_match.  Returns 1 on success, 0 after reporting the error. */
int cli_match_video(vigil_store *st, vigil_matcher *m, const char *const *banks, size_t n_banks,
                    const char *query, int given, int json, int *any_match);

/* Frees what cli_match_video opened. */
void cli_video_match_end(void);

/* vigil bank add --tmk FILE: the "tmk:" value of a .tmk file, or of the
 * video FILE hashed with TMK+PDQF, in *value (malloc'd).  Returns 1, or 0
 * after reporting the error. */
int cli_tmk_value(const char *path, char **value);

/* vigil bank add --video FILE: the "vpdq1:" value of FILE in *value
 * (malloc'd).  Returns 1, or 0 after reporting the error. */
int cli_video_value(const char *path, char **value);

/* vigil item add --vpdq FILE: the video hash held in FILE ('-': standard
 * input) in any form (`vigil hash --vpdq` output, VALUE,PATH, included),
 * checked, in *value (malloc'd).  Returns 1, or 0 after reporting the
 * error (naming FILE). */
int cli_vpdq_value(const char *path, char **value);

#endif /* VIGIL_CLI_VIDEO_H */
