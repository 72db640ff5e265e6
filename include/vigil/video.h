/*
 * vigil/video.h - video hashing in the vPDQ manner (frames sampled at a
 * fixed rate, one PDQ hash + quality per sampled frame with its time), the
 * compact "vpdq1:" serialisation kept in banks as signal type `video`, and
 * video matching through the PDQ index over every bank video's frames.
 * Uses Debian's FFmpeg libraries.  libav's log is captured, not printed: on
 * first use vigil installs an av_log callback (process-wide) that keeps each
 * thread's last error line for vigil's own messages.
 */
#ifndef VIGIL_VIDEO_H
#define VIGIL_VIDEO_H

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "vigil/bank.h"
#include "vigil/hash.h"
#include "vigil/status.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Hashing
 * ---------------------------------------------------------------------- */

#define VIGIL_VIDEO_DEFAULT_FPS 1.0       /* samples per second                  */
#define VIGIL_VIDEO_DEFAULT_COLLAPSE 8    /* distance of the collapse rule        */
#define VIGIL_VIDEO_MAX_FPS 60.0          /* highest sample rate accepted         */
#define VIGIL_VIDEO_DEFAULT_MAX_SAMPLES 86400u /* 24 h at 1 frame/s               */

typedef struct vigil_video_opts {
    /* Samples per second, 0 < fps <= 60 (default 1).  Sample k is the first
     * decoded frame whose presentation time is at or after k/fps. */
    double fps;
    /* The collapse rule: a sampled frame whose hash is within this distance
     * of the first frame of the current run is merged into that frame (its
     * duration grows); otherwise it starts a new run.  0..256; -1 keeps
     * every sampled frame.  Default 8. */
    int collapse;
    /* VIGIL_HASH_NO_RESIZE (hash frames at full size, not partner
     * compatible) and VIGIL_HASH_DIGESTS (MD5 and SHA-256 of the file
     * bytes); other flags are ignored. */
    unsigned flags;
    /* Per-frame limits (max_pixels, max_dimension; 0: image defaults) and,
     * for vigil_video_hash_bytes() only, max_file_bytes. */
    vigil_decode_limits limits;
    /* Refuse a video with more samples than this (0: default 86400). */
    uint32_t max_samples;
    /* Decoder threads: 0 lets libavcodec choose, 1 decodes on the caller's
     * thread only.  Default 1. */
    int threads;
    /* Meta's reference sampling and hashing, bit for bit (`vpdq-hash-video
     * -r seconds_per_hash` built on the same FFmpeg): the first video
     * stream (it must be stream 0), frames converted to RGB24 by libswscale
     * with SWS_AREA at the stream's own size and swscale's default colour
     * matrix, PDQ on the whole frame (no 512x512 step), every
     * (int)(seconds_per_hash x avg_frame_rate)-th decoded frame by decode
     * count (at least every frame), no collapsing.  fps, collapse and
     * VIGIL_HASH_NO_RESIZE are then ignored.  Default 0 (vigil's own). */
    int vpdq_reference;
    /* With vpdq_reference: seconds per hash, 0 (every frame) .. 86400;
     * default 1.  The reference's CLI reads it as a float: pass
     * (double)(float)S to reproduce `-r S` exactly. */
    double seconds_per_hash;
} vigil_video_opts;

/*! vigil_video_opts_init() : 1 frame/s, collapse 8, reference resize, default
 *  limits, one decoder thread; vigil's own sampling (seconds_per_hash 1 for
 *  the reference mode). */
VIGIL_API void vigil_video_opts_init(vigil_video_opts *opts);

/* One kept frame.  Times are milliseconds from the start of the stream. */
typedef struct vigil_video_frame {
    uint32_t start_ms;    /* presentation time of the sampled frame        */
    uint32_t duration_ms; /* time it stands for (up to the next kept frame) */
    int quality;          /* PDQ quality 0..100                            */
    vigil_pdq pdq;
    /* The reference's own fields (vpdq_reference mode, or read from a
     * reference file): the decoded frame's index, -1 when not known, and
     * its time in seconds as the reference states it (frame / frame rate
     * in float; start_ms is it rounded to the millisecond).  From vigil's
     * own sampling: -1 and start_ms / 1000. */
    int32_t number; /* (int, as the reference keeps it; no padding before time) */
    double time;
} vigil_video_frame;

/* A video's hash.  `frames` is owned (vigil_video_hash_clear frees it).
 * Only fps_milli and the frames are serialised; the rest is information
 * about the file that was hashed (zero after vigil_video_parse). */
typedef struct vigil_video_hash {
    vigil_video_frame *frames;
    size_t n;
    uint32_t fps_milli; /* sample rate in samples per 1000 s (1000 = 1/s) */
    size_t sampled;     /* frames sampled before the collapse rule        */
    uint64_t decoded;   /* frames decoded                                 */
    double duration;    /* seconds, from the container (or the last frame) */
    int width, height;  /* coded size of the video stream                 */
    double frame_rate;  /* the stream's avg_frame_rate (r_frame_rate when 0);
                           0 when not known                                */
    /* 1: the frames are the reference's (vpdq_reference hashing, or read
     * from a reference file, a pytx signal or a vpdqr1 value): frame
     * numbers and exact times are kept, and it serialises as "vpdqr1:". */
    int ref_form;
    char container[32]; /* libavformat's short name, e.g. "mov,mp4,..."   */
    char codec[32];     /* e.g. "h264"                                    */
    uint8_t md5[16], sha256[32]; /* with VIGIL_HASH_DIGESTS               */
} vigil_video_hash;

/*! vigil_video_hash_clear() : frees the frames and zeroes *v.  NULL ok. */
VIGIL_API void vigil_video_hash_clear(vigil_video_hash *v);

/*! vigil_video_sniff() :
 *  Whether the first bytes of a file (pass at least 4096 when the file has
 *  them) look like a container vigil reads video from: MP4/MOV/3GP,
 *  Matroska/WebM, AVI, FLV, MPEG-TS, MPEG-PS, Ogg, ASF/WMV, and the
 *  audio-only containers WAV and MP3 (which are then refused with "no video
 *  stream").  Uses libavformat's probes, limited to those demuxers.
 *  @return 1 or 0.  Pure function of the bytes; thread-safe. */
VIGIL_API int vigil_video_sniff(const void *head, size_t n);

/*! vigil_video_hash_file() :
 *  Decodes the video stream of the file at `path` (read through vigil's own
 *  I/O: libavformat never opens other files or URLs) and hashes it: frames
 *  sampled at opts->fps, converted to RGB with libswscale, hashed with PDQ
 *  exactly as vigil_hasher_image() hashes the same pixels (512x512 rule
 *  included), then collapsed by opts->collapse.  @opts may be NULL.
 *  *out is cleared first and owns the frames on success.
 *  @return VIGIL_OK (at least one frame); VIGIL_ENOENT/VIGIL_EIO (cannot
 *  read); VIGIL_EFORMAT (not a supported container, no video stream, no
 *  decoder for its codec); VIGIL_ECORRUPT (the stream could not be decoded,
 *  or no frame was); VIGIL_ELIMIT (frame size, samples); VIGIL_EINVAL (bad
 *  opts); VIGIL_ENOMEM.  *out is empty on error and `err` says why.
 *  Thread-safe: each call uses its own decoder. */
VIGIL_API vigil_status vigil_video_hash_file(const char *path, const vigil_video_opts *opts,
                                   vigil_video_hash *out, vigil_err *err);

/*! vigil_video_hash_bytes() :
 *  As vigil_video_hash_file() on a video held in memory (`data` is only
 *  read).  Adds VIGIL_ELIMIT for len over limits.max_file_bytes. */
VIGIL_API vigil_status vigil_video_hash_bytes(const void *data, size_t len, const vigil_video_opts *opts,
                                    vigil_video_hash *out, vigil_err *err);

/* ------------------------------------------------------------------------
 * Serialisation: the bank value of signal type `video`
 *
 *   "vpdq1:" + base64 (RFC 4648, standard alphabet, with padding) of
 *     u32 fps_milli | u32 N | N x ( u32 start_ms | u32 duration_ms |
 *                                   u8 quality | 32 bytes PDQ )
 *   all integers big-endian; the PDQ bytes in their hex order.
 * 41 bytes per frame: about 55 characters, so a 5-minute video at 1 frame/s
 * takes at most 16.4 KB, and the 1 MiB value limit holds about 19,000
 * frames (5.3 hours at 1 frame/s before collapsing).
 * ---------------------------------------------------------------------- */

#define VIGIL_VPDQ_PREFIX "vpdq1:"

/* ------------------------------------------------------------------------
 * "vpdqr1:" + base64 of
 *     u32 flags (0) | f64 frame_rate (0: unknown) | u32 N |
 *     N x ( i32 frame number (-1: unknown) | u8 quality | 32 bytes PDQ |
 *           f64 time in seconds )
 * big-endian, doubles as IEEE-754 bits: the reference's frames without
 * loss (a reference file's numbers and 3-decimal times, a pytx signal's
 * 3-significant-digit times).  45 bytes a frame: the 1 MiB value limit
 * holds 17,470 frames (9.7 minutes of every frame at 30 frames/s, 4.9
 * hours at 1 s per hash).
 *
 * A bank value of type video may be given in any of four forms, and is
 * stored in the canonical one (vpdq1 as given, anything else as vpdqr1):
 *   vpdq1:...   vigil's own sampling;
 *   vpdqr1:...   the reference's frames;
 *   the reference per-frame file, frameNumber,quality,pdqHex,timestamp
 *   lines (vigil_vpdq_ref_parse);
 *   python-threatexchange's `vpdq` signal string: a JSON list of
 *   "pdqHex,quality,timestamp" strings (vigil_vpdq_pytx_parse).
 * ---------------------------------------------------------------------- */

#define VIGIL_VPDQR_PREFIX "vpdqr1:"

/* The forms a video hash can be written in. */
typedef enum vigil_video_form {
    VIGIL_VFORM_VALUE = 0,  /* the canonical bank value: vpdq1, or vpdqr1 (ref_form) */
    VIGIL_VFORM_VPDQ1,      /* vpdq1 (frame numbers and exact times dropped)        */
    VIGIL_VFORM_VPDQR1,     /* vpdqr1                                               */
    VIGIL_VFORM_REFERENCE,  /* the reference per-frame file                         */
    VIGIL_VFORM_PYTX,       /* python-threatexchange's vpdq signal string           */
} vigil_video_form;

/*! vigil_video_form_parse() : "value", "vpdq1", "vpdqr1", "reference",
 *  "pytx" into *out.  @return VIGIL_OK or VIGIL_EPARSE listing them. */
VIGIL_API vigil_status vigil_video_form_parse(const char *name, vigil_video_form *out, vigil_err *err);

/*! vigil_video_format() :
 *  v in the given form, in *out (malloc'd, NUL-terminated).  The reference
 *  file needs frame numbers (or v->frame_rate to derive them).
 *  @return VIGIL_OK, VIGIL_EINVAL, VIGIL_ELIMIT (a value over
 *  VIGIL_VALUE_MAX), VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_video_format(const vigil_video_hash *v, vigil_video_form form, char **out, vigil_err *err);

/*! vigil_video_value_canonical() :
 *  Any of the four forms (leading and trailing blanks ignored) in its
 *  canonical bank form, in *out (malloc'd).  @return as vigil_video_parse. */
VIGIL_API vigil_status vigil_video_value_canonical(const char *value, char **out, vigil_err *err);

/*! vigil_video_bank_export() :
 *  As vigil_bank_export() (the same CSV), with every video value written
 *  in `form` (pytx and the reference file are quoted CSV fields; `vigil
 *  bank import` reads each of them back).  Nothing is written when the
 *  bank does not exist.  @return as vigil_bank_export, and the conversion
 *  faults naming the entry (VIGIL_EINVAL: the reference form without frame
 *  numbers or frame rate). */
VIGIL_API vigil_status vigil_video_bank_export(vigil_store *st, const char *bank, vigil_video_form form, FILE *out,
                                     uint64_t *rows, vigil_err *err);

/*! vigil_vpdq_pytx_parse() :
 *  python-threatexchange's vpdq signal string (text[0..len)): a JSON list
 *  of "pdqHex,quality,timestamp" strings, as pytx's json_to_vpdq reads it
 *  (exactly 3 fields, 64 hex digits, quality 0..100, timestamp >= 0 in any
 *  float form, "1e+02" included).  Frame numbers unknown (-1).
 *  @return VIGIL_OK, VIGIL_EPARSE naming the element, VIGIL_ELIMIT,
 *  VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_vpdq_pytx_parse(const char *text, size_t len, vigil_video_hash *out, vigil_err *err);

/*! vigil_vpdq_pytx_time() : a timestamp as pytx writes it, f"{t:.3}"
 *  (Python's shortest 3-significant-digit form: 12.3, 1e+02, 0.0333,
 *  5.0) into out (at least 32 bytes). */
VIGIL_API void vigil_vpdq_pytx_time(double t, char *out, size_t cap);

/*! vigil_video_serialize() :
 *  The "vpdq1:..." form of v in *out (malloc'd, free()).
 *  @return VIGIL_OK; VIGIL_EINVAL (no frames, quality out of range, times
 *  not in order); VIGIL_ELIMIT (over VIGIL_VALUE_MAX); VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_video_serialize(const vigil_video_hash *v, char **out, vigil_err *err);

/*! vigil_video_parse() :
 *  Parses a video value in any of its four forms (above) into *out (cleared
 *  first; frames owned).  vpdq1 and vpdqr1 are strict: canonical base64
 *  only, 1..N frames, quality <= 100, start times non-decreasing,
 *  durations > 0, fps_milli > 0 (vpdqr1: times finite, >= 0 and
 *  non-decreasing, known frame numbers increasing).
 *  @return VIGIL_OK, VIGIL_EPARSE naming the fault, VIGIL_ELIMIT,
 *  VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_video_parse(const char *value, vigil_video_hash *out, vigil_err *err);

/*! vigil_video_value_check() :
 *  Validates a bank value of type video without keeping it (the store's
 *  check).  @return as vigil_video_parse. */
VIGIL_API vigil_status vigil_video_value_check(const char *value, vigil_err *err);

/* ------------------------------------------------------------------------
 * Meta's reference per-frame file (vpdq-hash-video's output), one line per
 * hashed frame:  frameNumber,quality,pdqHex,timestamp   (timestamp in
 * seconds with 3 decimals).
 * ---------------------------------------------------------------------- */

/*! vigil_vpdq_ref_format() :
 *  The reference file text of v in *out (malloc'd, NUL-terminated; *len its
 *  length when len is not NULL).  A frame without a number (vigil's own
 *  sampling, a pytx signal) gets round(time x v->frame_rate); without a
 *  frame rate that is an error.
 *  @return VIGIL_OK, VIGIL_EINVAL (no frames, no frame number), VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_vpdq_ref_format(const vigil_video_hash *v, char **out, size_t *len, vigil_err *err);

/*! vigil_vpdq_ref_parse() :
 *  Reads a reference file (text[0..len), need not be NUL-terminated) into
 *  *out (cleared first): frame numbers, qualities, hashes and times as
 *  written; start_ms/duration_ms from the times; frame_rate estimated from
 *  the last frame's number and time.  Fields after the fourth are ignored,
 *  as the reference's reader does; blank lines are skipped.  Strict
 *  otherwise: 64 hex digits, quality 0..100, frame numbers increasing,
 *  timestamps finite, >= 0 and non-decreasing.
 *  @return VIGIL_OK, VIGIL_EPARSE naming the line, VIGIL_ELIMIT (over
 *  VIGIL_VALUE_MAX bytes), VIGIL_ENOMEM.  *out is empty on error. */
VIGIL_API vigil_status vigil_vpdq_ref_parse(const char *text, size_t len, vigil_video_hash *out, vigil_err *err);

/* ------------------------------------------------------------------------
 * Matching
 * ---------------------------------------------------------------------- */

#define VIGIL_VIDEO_DEFAULT_SHARE 50.0 /* percent */

/* The published rules for deciding that two videos match.  In all three a
 * frame pair matches at distance <= the threshold (31 by default), and
 * frames under the quality floor (50) are left out on both sides. */
typedef enum vigil_video_rule {
    /* vigil's own: shares weighted by frame duration (so collapsing does not
     * change them); query share >= Q OR bank share >= B (both with
     * require_both); Q and B default to 50. */
    VIGIL_VRULE_VIGIL = 0,
    /* python-threatexchange (HMA's vpdq): frames de-duplicated by exact
     * hash, shares by frame count; query share >= Q (80) AND bank (compared)
     * share >= B (0). */
    VIGIL_VRULE_PYTX,
    /* the vPDQ README: unique frames by count; bank (compared) share >= B
     * (80) AND query share >= Q (0). */
    VIGIL_VRULE_README,
} vigil_video_rule;

/*! vigil_video_rule_parse() : "vigil", "pytx" or "readme".  @return
 *  VIGIL_OK or VIGIL_EPARSE listing them. */
VIGIL_API vigil_status vigil_video_rule_parse(const char *name, vigil_video_rule *out, vigil_err *err);

/*! vigil_video_rule_name() : "vigil", "pytx", "readme"; static. */
VIGIL_API const char *vigil_video_rule_name(vigil_video_rule r);

/* A bank's own rule and thresholds (share -1: the rule's default). */
typedef struct vigil_video_bank_rule {
    const char *bank;
    vigil_video_rule rule;
    double min_query_share, min_bank_share;
} vigil_video_bank_rule;

typedef struct vigil_video_match_opts {
    const char *const *banks; /* restrict to these banks (NULL/0: all enabled) */
    size_t n_banks;
    int max_distance;  /* frame threshold for banks without their own; -1: 31 */
    int quality_floor; /* frames below it are left out on both sides; -1: 50  */
    /* The query's thresholds for banks without a bank_rules entry (percent,
     * 0..100; -1: the rule's defaults), and require_both for the vigil rule. */
    double min_query_share, min_bank_share;
    int require_both;
    vigil_video_rule rule; /* default VIGIL_VRULE_VIGIL */
    const vigil_video_bank_rule *bank_rules; /* per bank; NULL/0: none */
    size_t n_bank_rules;
    /* Phase-robust shares: when one side is sampled at least 4/3 as densely
     * as the other, a frame of the denser side also counts as matched when
     * a matched frame of its own side lies within (P + p) / 2 of it (P, p:
     * the two sample periods), so that a 1 frame/s bank video and an
     * every-frame query of the same footage, trimmed at another phase,
     * match in full.  Default 0 (off). */
    int phase_robust;
} vigil_video_match_opts;

/*! vigil_video_match_opts_init() : all banks, 31, floor 50, vigil's rule
 *  at 50%/50% either, not phase-robust. */
VIGIL_API void vigil_video_match_opts_init(vigil_video_match_opts *o);

/* One matching bank video.  Strings are owned by the result. */
typedef struct vigil_video_match {
    int64_t entry_id, bank_id;
    char *bank;
    vigil_bank_kind bank_kind;
    /* Shares in percent (0..100), weighted by frame duration, so they equal
     * the shares of sampled frames before collapsing:
     *  query_share: of the query's usable frames, those within the
     *               threshold of some frame of this bank video;
     *  bank_share:  of the bank video's usable frames, those within the
     *               threshold of some frame of the query. */
    double query_share, bank_share;
    size_t query_frames, bank_frames; /* kept frames matched on each side */
    /* The rule that decided, and the shares it used (query_share and
     * bank_share above): by time for vigil's rule, by de-duplicated frame
     * count for pytx's and the README's; both kinds are given here. */
    vigil_video_rule rule;
    double query_share_time, bank_share_time;
    double query_share_frames, bank_share_frames;
    int phase_robust; /* a share was counted in windows (phase_robust)     */
    int distance;                     /* the closest frame pair           */
    double offset;  /* seconds: median of (bank time - query time) over the
                       matching pairs, i.e. where the query starts in the
                       bank video (negative: before it)                    */
    char *labels;      /* canonical text form, "" when none */
    char *external_id; /* NULL when none */
} vigil_video_match;

typedef struct vigil_video_match_result {
    vigil_video_match *matches; /* best first: larger of the two shares, then entry id */
    size_t n;
    int allowed;        /* matched an allow bank's video: others suppressed */
    size_t suppressed;
    size_t usable;      /* query frames at or above the quality floor       */
    int low_quality;    /* no usable frame: the query cannot match           */
} vigil_video_match_result;

/*! vigil_video_match_result_clear() : frees the matches; reusable after. */
VIGIL_API void vigil_video_match_result_clear(vigil_video_match_result *r);

typedef struct vigil_video_matcher vigil_video_matcher;

/*! vigil_video_matcher_open() :
 *  Loads every enabled `video` entry of the enabled banks (or of those named
 *  in opts) from `st`: all their usable frame hashes go into one PDQ index
 *  (vigil/index.h), each frame mapped back to its video.  `st` must outlive
 *  the matcher (matched entries are looked up in it).  @opts may be NULL.
 *  Entries whose value does not parse are skipped (the store validates
 *  values on the way in).
 *  @return VIGIL_OK, VIGIL_ENOENT (a named bank does not exist),
 *  VIGIL_EINVAL (a threshold out of range), VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_video_matcher_open(vigil_store *st, const vigil_video_match_opts *opts,
                                      vigil_video_matcher **out, vigil_err *err);

/*! vigil_video_matcher_free() : NULL ok. */
VIGIL_API void vigil_video_matcher_free(vigil_video_matcher *m);

/*! vigil_video_matcher_videos() / _frames() : bank videos and frames loaded. */
VIGIL_API size_t vigil_video_matcher_videos(const vigil_video_matcher *m);
VIGIL_API size_t vigil_video_matcher_frames(const vigil_video_matcher *m);

/*! vigil_video_matcher_query() :
 *  Matches a query video against the loaded bank videos: one index query
 *  per usable query frame (radius: the largest threshold in use), hits
 *  checked against their bank's threshold, then the two shares per bank
 *  video.  Fills *res (cleared first).  Thread-safe for concurrent queries.
 *  @return VIGIL_OK, VIGIL_EINVAL, VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_video_matcher_query(vigil_video_matcher *m, const vigil_video_hash *q,
                                       vigil_video_match_result *res, vigil_err *err);

/*! vigil_video_matcher_query_as() :
 *  As vigil_video_matcher_query, with the query's own rule: `rule` (a
 *  vigil_video_rule, at its default thresholds; -1: the one the matcher was
 *  opened with) for the bank videos whose bank has no rule of its own in
 *  opts->bank_rules, and `phase_robust` (0, 1; -1: as opened), so that one
 *  loaded matcher serves queries under any rule (the server keeps one).
 *  @return as vigil_video_matcher_query; VIGIL_EINVAL for an unknown rule. */
VIGIL_API vigil_status vigil_video_matcher_query_as(vigil_video_matcher *m, const vigil_video_hash *q, int rule,
                                          int phase_robust, vigil_video_match_result *res, vigil_err *err);

/*! vigil_video_compare() :
 *  The two shares of one query video against one video, by brute force
 *  over all frame pairs (no index, no store): the reference the tests and
 *  the benchmark check the matcher against.  Frames under quality_floor
 *  are left out.  *query_share, *bank_share in percent; *distance the
 *  closest pair (257 when there is none).  Any output may be NULL. */
VIGIL_API void vigil_video_compare(const vigil_video_hash *q, const vigil_video_hash *b, int max_distance,
                         int quality_floor, double *query_share, double *bank_share,
                         int *distance);

/*! vigil_video_compare_rule() :
 *  One query video against one video by brute force, under `o`'s rule,
 *  thresholds and phase_robust (o->banks and bank_rules are ignored; NULL:
 *  defaults).  Fills *x's shares (all kinds), distance, matched frame
 *  counts and rule (not its bank or entry fields).
 *  @return 1 when the rule says match, 0 when not or on a bad argument. */
VIGIL_API int vigil_video_compare_rule(const vigil_video_hash *q, const vigil_video_hash *b, const vigil_video_match_opts *o,
                             vigil_video_match *x);

/* ------------------------------------------------------------------------
 * TMK+PDQF (facebook/ThreatExchange tmk/), the video hash of GIFCT's
 * hash-sharing database, TCAP, NCMEC and StopNCII: frames resampled to 15
 * frames/s and 64x64 RGB, each frame's PDQF (the 16x16 DCT before PDQ's
 * thresholding), their average and cosine/sine-weighted averages for 4
 * periods x 32 Fourier coefficients.  It matches whole, near-identical
 * videos; it is weak at clips (use vPDQ for those).
 * ---------------------------------------------------------------------- */

#define VIGIL_TMK_FPS 15
#define VIGIL_TMK_PERIODS 4
#define VIGIL_TMK_COEFFS 32
#define VIGIL_TMK_DIM 256
#define VIGIL_TMK_FILE_BYTES 263344 /* 32 + 16 + 128 + 1024 + 2 x 131072 */
#define VIGIL_TMK_HEAD_BYTES 1200   /* the header up to the average: what level 1 reads */
#define VIGIL_TMK_DEFAULT_LEVEL1 0.7f
#define VIGIL_TMK_DEFAULT_LEVEL2 0.7f

/* A TMK+PDQF signature (263 KB: allocate it, vigil_tmk_free it). */
typedef struct vigil_tmk {
    int fps;         /* frames/s the video was resampled to (15)      */
    int frame_count; /* resampled frames hashed                       */
    int periods[VIGIL_TMK_PERIODS];
    float coeffs[VIGIL_TMK_COEFFS];
    float avg[VIGIL_TMK_DIM]; /* the pure average feature              */
    float cos_f[VIGIL_TMK_PERIODS][VIGIL_TMK_COEFFS][VIGIL_TMK_DIM];
    float sin_f[VIGIL_TMK_PERIODS][VIGIL_TMK_COEFFS][VIGIL_TMK_DIM];
} vigil_tmk;

/*! vigil_tmk_free() : NULL ok. */
VIGIL_API void vigil_tmk_free(vigil_tmk *t);

/*! vigil_tmk_hash_file() :
 *  The TMK+PDQF signature of the video at `path` in *out (vigil_tmk_free):
 *  decoded as vigil_video_hash_file() does (same I/O, limits, threads from
 *  `opts`, which may be NULL), each frame scaled to 64x64 RGB24 by
 *  libswscale (bicubic, as the ffmpeg command the reference pipes from),
 *  resampled to 15 frames/s (each output instant k/15 takes the nearest
 *  decoded frame; the reference uses `ffmpeg -r 15`), then accumulated.
 *  Scores against the reference's own signatures are >= 0.99 at both
 *  levels on the test clips (docs/matching.md), not bit-equal.
 *  @return as vigil_video_hash_file; VIGIL_EFORMAT for a stream without a
 *  frame rate. */
VIGIL_API vigil_status vigil_tmk_hash_file(const char *path, const vigil_video_opts *opts, vigil_tmk **out, vigil_err *err);

/*! vigil_tmk_hash_bytes() : as vigil_tmk_hash_file() on a video held in
 *  memory; adds VIGIL_ELIMIT for len over limits.max_file_bytes. */
VIGIL_API vigil_status vigil_tmk_hash_bytes(const void *data, size_t len, const vigil_video_opts *opts, vigil_tmk **out,
                                  vigil_err *err);

/*! vigil_video_hash_json() :
 *  Hashes the video in data[0..len) and describes it as the text of a JSON
 *  object in *out (malloc'd), for the HTTP API (POST /v1/hash?video=FORM):
 *   form NULL or "vigil": vigil's own sampling (1 frame/s, collapse 8):
 *     {"type":"video","form":"vigil","value":"vpdq1:...","frames":N,
 *      "decoded":N,"duration":S,"md5":HEX,"sha256":HEX}
 *   "vpdq": Meta's reference (1 s per hash): {"type":"video","form":"vpdq",
 *     "value":"vpdqr1:...","pytx":"[...]","frames":N,"frame_rate":R,
 *     "decoded":N,"md5","sha256"}
 *   "tmk": {"type":"video","form":"tmk","tmk":"tmk:BASE64","frame_count":N,
 *     "md5","sha256"}
 *  @return VIGIL_OK, VIGIL_EINVAL (unknown form), or as the hashing. */
VIGIL_API vigil_status vigil_video_hash_json(const void *data, size_t len, const char *form, char **out, vigil_err *err);

/*! vigil_video_match_json() :
 *  Matches one query video against the `video` entries of the enabled banks
 *  of `st` and describes the result as the text of a JSON object in *out
 *  (malloc'd), for the HTTP API (POST /v1/match).  The query is either
 *  `value` (any video value form, "video:" prefix allowed) or the video in
 *  data[0..len), hashed in `form` ("vigil" or NULL: vigil's own sampling;
 *  "vpdq": Meta's reference at 1 s per hash).  `rule` ("vigil", "pytx",
 *  "readme" or NULL) and `phase_robust` as in vigil_video_match_opts.
 *  {"hash":LABEL,"type":"video","frames":N,"usable_frames":N,
 *   "low_quality":B,"allowed":B,"suppressed":N,"matches":[{"bank",
 *   "entry_id","bank_kind","signal":"video","distance","query_share",
 *   "bank_share","rule","query_share_time","bank_share_time",
 *   "query_share_frames","bank_share_frames","offset","labels",
 *   "external_id"}]}.  The matcher is loaded for this call (its cost grows
 *  with the banks' video frames).  @return VIGIL_OK, VIGIL_EPARSE (a bad
 *  value), VIGIL_EINVAL (form, rule), or as the hashing and matching. */
VIGIL_API vigil_status vigil_video_match_json(vigil_store *st, const char *value, const void *data, size_t len, const char *form,
                                    const char *rule, int phase_robust, char **out, vigil_err *err);

/*! vigil_video_matcher_match_json() : as vigil_video_match_json, against
 *  the matcher `m`, loaded beforehand and kept (the server's), with `rule`
 *  and `phase_robust` applied per query (vigil_video_matcher_query_as).
 *  Thread-safe as vigil_video_matcher_query.  @return as
 *  vigil_video_match_json. */
VIGIL_API vigil_status vigil_video_matcher_match_json(vigil_video_matcher *m, const char *value, const void *data,
                                                     size_t len, const char *form, const char *rule, int phase_robust,
                                                     char **out, vigil_err *err);

/*! vigil_tmk_write() : the .tmk file bytes (VIGIL_TMK_FILE_BYTES, malloc'd
 *  in *out, little-endian, as tmk-hash-video writes them).
 *  @return VIGIL_OK or VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_tmk_write(const vigil_tmk *t, uint8_t **out, size_t *len, vigil_err *err);

/*! vigil_tmk_read() :
 *  Parses a .tmk file (data[0..len)) into *out.  Strict: magic TMK1 FVEC
 *  PDQF, 4 periods {2731, 4391, 9767, 14653}, 32 coefficients equal to the
 *  reference's (relative 1e-6), 256 dimensions, exactly 263,344 bytes,
 *  every value finite.  @return VIGIL_OK, VIGIL_EFORMAT (another file or
 *  TMK variant), VIGIL_ECORRUPT (truncated, bad values), VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_tmk_read(const void *data, size_t len, vigil_tmk **out, vigil_err *err);

/*! vigil_tmk_read_head() :
 *  The average feature of a .tmk file from its first VIGIL_TMK_HEAD_BYTES
 *  (data[0..len), len >= VIGIL_TMK_HEAD_BYTES; what follows is not read),
 *  checked as vigil_tmk_read checks them, into avg[]; *frame_count (NULL
 *  ok) gets the file's frame count.  For level 1 without the 263 KB.
 *  @return as vigil_tmk_read (VIGIL_ECORRUPT when len is short). */
VIGIL_API vigil_status vigil_tmk_read_head(const void *data, size_t len, float avg[VIGIL_TMK_DIM], int *frame_count,
                                           vigil_err *err);

/* The text form of a .tmk file: "tmk:" + base64 (RFC 4648, padded) of its
 * 263,344 bytes (351,132 characters), as TCAP's hash verification carries
 * TMK values (base64 of the .tmk file). */
#define VIGIL_TMK_PREFIX "tmk:"

/*! vigil_tmk_value_from_file() : "tmk:BASE64" of .tmk bytes, checked with
 *  vigil_tmk_read first, in *out (malloc'd).  @return as vigil_tmk_read. */
VIGIL_API vigil_status vigil_tmk_value_from_file(const void *data, size_t len, char **out, vigil_err *err);

/*! vigil_tmk_value_parse() : "tmk:BASE64" (canonical base64) into *out.
 *  @return VIGIL_OK, VIGIL_EPARSE (prefix, base64), or as vigil_tmk_read. */
VIGIL_API vigil_status vigil_tmk_value_parse(const char *value, vigil_tmk **out, vigil_err *err);

/*! vigil_tmk_level1() : cosine similarity of the average features (-1..1;
 *  0 when either is zero).  vigil_tmk_level2() : the reference's level-2
 *  score, the best over periods and time offsets of the kernel over all
 *  coefficients, normalised so that a video scores 1 against itself.
 *  Pure functions. */
VIGIL_API float vigil_tmk_level1(const vigil_tmk *a, const vigil_tmk *b);
VIGIL_API float vigil_tmk_level2(const vigil_tmk *a, const vigil_tmk *b);

/*! vigil_tmk_match() : the reference's two-level rule: level 1 >= `level1`
 *  as a prefilter, then level 2 >= `level2`.  *s1, *s2 (either may be NULL)
 *  get the scores; *s2 is NaN when level 1 failed.  @return 1 on a match. */
VIGIL_API int vigil_tmk_match(const vigil_tmk *a, const vigil_tmk *b, float level1, float level2, float *s1, float *s2);

/* ---- TMK+PDQF matching against the banks' `tmk` entries ---------------- */

typedef struct vigil_tmk_matcher vigil_tmk_matcher;

/* One matching bank video.  Strings are owned by the result. */
typedef struct vigil_tmk_hit {
    int64_t entry_id, bank_id;
    char *bank;
    vigil_bank_kind bank_kind;
    float level1, level2;
    char *labels;      /* canonical text form, "" when none */
    char *external_id; /* NULL when none */
} vigil_tmk_hit;

typedef struct vigil_tmk_match_result {
    vigil_tmk_hit *matches; /* best level 2 first */
    size_t n;
    size_t candidates; /* bank videos that passed level 1 */
    int allowed;       /* matched an allow bank's video: others suppressed */
    size_t suppressed;
} vigil_tmk_match_result;

/*! vigil_tmk_matcher_open() :
 *  Loads the average feature of every enabled `tmk` entry of the enabled
 *  banks (or of those named) from `st`, which must outlive the matcher
 *  (level 2 reads candidates' signatures from it).  1 KB per bank video.
 *  @return VIGIL_OK, VIGIL_ENOENT (a named bank), VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_tmk_matcher_open(vigil_store *st, const char *const *banks, size_t n_banks,
                                    vigil_tmk_matcher **out, vigil_err *err);

/*! vigil_tmk_matcher_free() : NULL ok.  vigil_tmk_matcher_videos() : loaded. */
VIGIL_API void vigil_tmk_matcher_free(vigil_tmk_matcher *m);
VIGIL_API size_t vigil_tmk_matcher_videos(const vigil_tmk_matcher *m);

/*! vigil_tmk_matcher_query() :
 *  The reference's two-level rule: level 1 (cosine of the averages) >=
 *  `level1` over every bank video, then level 2 >= `level2` on those
 *  (each read from the store).  Allow banks suppress the others.  Fills
 *  *res (cleared first).  Thread-safe.  @return VIGIL_OK, store errors,
 *  VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_tmk_matcher_query(vigil_tmk_matcher *m, const vigil_tmk *q, float level1, float level2,
                                     vigil_tmk_match_result *res, vigil_err *err);

/*! vigil_tmk_match_result_clear() : frees the matches; reusable after. */
VIGIL_API void vigil_tmk_match_result_clear(vigil_tmk_match_result *r);

/*! vigil_tmk_match_json() :
 *  One TMK query against the banks' tmk entries of `st` (the reference's
 *  two-level rule at 0.7/0.7), as the text of a JSON object in *out
 *  (malloc'd), for the HTTP API (POST /v1/match): the query is `value`
 *  ("tmk:BASE64") or the video in data[0..len) (hashed).
 *  {"hash":LABEL,"type":"tmk","candidates":N,"allowed":B,"suppressed":N,
 *   "matches":[{"bank","entry_id","bank_kind","signal":"tmk","level1",
 *   "level2","labels","external_id"}]}.  The bank averages are loaded for
 *  this call.  @return VIGIL_OK, VIGIL_EPARSE/VIGIL_EFORMAT/VIGIL_ECORRUPT
 *  (a bad value), or as the hashing and matching. */
VIGIL_API vigil_status vigil_tmk_match_json(vigil_store *st, const char *value, const void *data, size_t len, char **out,
                                  vigil_err *err);

/*! vigil_tmk_matcher_match_json() : as vigil_tmk_match_json, against the
 *  matcher `m`, loaded beforehand and kept (the server's).  Thread-safe as
 *  vigil_tmk_matcher_query.  @return as vigil_tmk_match_json. */
VIGIL_API vigil_status vigil_tmk_matcher_match_json(vigil_tmk_matcher *m, const char *value, const void *data,
                                                   size_t len, char **out, vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_VIDEO_H */
