/*
 * src/video/video_internal.h - internals of the video layer shared with the
 * tests and the benchmark.
 */
#ifndef VIGIL_VIDEO_INTERNAL_H
#define VIGIL_VIDEO_INTERNAL_H

#include <stdint.h>

#include "vigil/video.h"

/* The latest frame time any form holds, in seconds (start_ms is capped at
 * 4e9 ms): a later time could not be written back in every form (the
 * reference file prints it with 3 decimals and the readers take a number
 * of under 64 characters). */
#define VIGIL__VIDEO_TIME_MAX 4.0e6

/*! vigil__video_decode_only() :
 *  Demuxes and decodes the video stream of `path` exactly as
 *  vigil_video_hash_file() does (same I/O, same decoder settings from
 *  opts), but samples and hashes nothing: *frames receives the number of
 *  frames decoded.  The benchmark's ceiling.  @return as hash_file. */
vigil_status vigil__video_decode_only(const char *path, const vigil_video_opts *opts, uint64_t *frames,
                                      vigil_err *err);

/*! vigil__base64_encode() : standard alphabet with padding; out must hold
 *  4 * ((n + 2) / 3) + 1 bytes.  @return the characters written. */
size_t vigil__base64_encode(const uint8_t *in, size_t n, char *out);

/*! vigil__base64_decode() : strict (canonical) decode of n characters into
 *  out (room for 3 * n / 4 bytes).  @return bytes written, or (size_t)-1
 *  with *bad the offset of the first bad character. */
size_t vigil__base64_decode(const char *in, size_t n, uint8_t *out, size_t *bad);

/*! vigil__video_fill_times() : start_ms and duration_ms of every frame
 *  from its `time` (each lasts until the next; the last as long as the one
 *  before it), fps_milli from their spacing, sampled = n.  For hashes read
 *  from the reference's forms. */
void vigil__video_fill_times(vigil_video_hash *v);

/*! vigil__video_parse1() / vigil__video_parse_r1() : the strict "vpdq1:" and
 *  "vpdqr1:" parsers (value[0..n), prefix included and already checked). */
vigil_status vigil__video_parse1(const char *value, size_t n, vigil_video_hash *out, vigil_err *err);
vigil_status vigil__video_parse_r1(const char *value, size_t n, vigil_video_hash *out, vigil_err *err);

/*! vigil__video_value_canon() :
 *  The store's check of a video value (src/store/bank.c): *canon is `value`
 *  itself when it is vpdq1/vpdqr1, or its vpdqr1 conversion, which stays
 *  valid until this thread's next call.  @return as vigil_video_parse. */
vigil_status vigil__video_value_canon(const char *value, const char **canon, vigil_err *err);

/* ---- the match rules (vrule.c), shared by the matcher and brute force -- */

/* One side of a comparison: its usable frames in time order, each with its
 * start and duration (ms), whether it is the first of its exact hash
 * (uniq), and whether it matched (hit). */
typedef struct vigil__vside {
    const uint32_t *start, *dur;
    const uint8_t *uniq;
    uint8_t *hit;
    size_t n;
    uint32_t period_ms; /* its sample period */
} vigil__vside;

/*! vigil__vside_shares() : the side's matched share by time and by
 *  de-duplicated frame count, in percent; with tol_ms > 0 a frame also
 *  counts when a matched frame of its side is within tol_ms (phase-robust). */
void vigil__vside_shares(const vigil__vside *s, uint32_t tol_ms, double *by_time, double *by_frames);

/*! vigil__rule_defaults() : replace thresholds < 0 by the rule's own. */
void vigil__rule_defaults(vigil_video_rule r, double *minq, double *minb);

/*! vigil__rule_decide() : sets x->rule and x->query_share/bank_share to the
 *  rule's kind of share; @return 1 when the rule says match. */
int vigil__rule_decide(vigil_video_rule r, double minq, double minb, int both, vigil_video_match *x);

/*! vigil__sample_period_ms() : 1 / rate for a rate in samples per 1000 s. */
uint32_t vigil__sample_period_ms(uint32_t fps_milli);

/*! vigil__phase_windows() : each side's phase-robust tolerance (0: none):
 *  the denser side's gets half the sum of the two sample periods. */
void vigil__phase_windows(int phase_robust, uint32_t qperiod, uint32_t bperiod, uint32_t *qwin, uint32_t *bwin);

/*! vigil__dedupe() : uniq[i] = 1 when h[i] is the first of its exact hash.
 *  @return 0, or -1 out of memory. */
int vigil__dedupe(const vigil_pdq *const *h, size_t n, uint8_t *uniq);

/* ---- TMK+PDQF (tmk.c) --------------------------------------------------- */

/*! vigil__tmk_new() : a zeroed signature with the reference's periods and
 *  coefficients, 15 frames/s. */
vigil_status vigil__tmk_new(vigil_tmk **out, vigil_err *err);

/*! vigil__tmk_frame_feature() : PDQF of a 64x64 RGB24 frame. */
void vigil__tmk_frame_feature(const uint8_t *rgb, size_t stride, float feat[VIGIL_TMK_DIM]);

/*! vigil__tmk_ingest() : add resampled frame number t->frame_count. */
void vigil__tmk_ingest(vigil_tmk *t, const float feat[VIGIL_TMK_DIM]);

/*! vigil__tmk_finish() : average, normalise, weight (after the last frame). */
void vigil__tmk_finish(vigil_tmk *t);

/*! vigil__tmk_value_bytes() : the bytes of a "tmk:BASE64" value (canonical
 *  base64; not checked as a .tmk file: vigil_tmk_read does that) in *bin
 *  (malloc'd, *len bytes).  @return VIGIL_OK, VIGIL_EPARSE (prefix,
 *  base64), VIGIL_EFORMAT (too long), VIGIL_ENOMEM. */
vigil_status vigil__tmk_value_bytes(const char *value, uint8_t **bin, size_t *len, vigil_err *err);

/*! vigil__tmk_value_canon() : the store's check of a tmk value: *canon is
 *  `value` (strict: "tmk:" + canonical base64 of a valid .tmk file).
 *  @return as vigil_tmk_value_parse. */
vigil_status vigil__tmk_value_canon(const char *value, const char **canon, vigil_err *err);

#endif /* VIGIL_VIDEO_INTERNAL_H */
