/*
 * src/video/video_internal.h - internals of the video layer shared with the
 * tests and the benchmark.
 */
#ifndef VIGIL_VIDEO_INTERNAL_H
#define VIGIL_VIDEO_INTERNAL_H

#include <stdint.h>

#include "vigil/video.h"

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

#endif /* VIGIL_VIDEO_INTERNAL_H */
