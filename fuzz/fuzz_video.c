/*
 * fuzz/fuzz_video.c - libFuzzer target for the video path: any bytes ->
 * libavformat (from memory, through vigil's own AVIOContext, demuxers
 * limited to the video containers) -> libavcodec -> sampling -> libswscale
 * -> PDQ -> collapse; the result must serialise and parse back to itself.
 * The same bytes also go through the vpdq1 value parser.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/video.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vigil_video_opts o;
    vigil_video_opts_init(&o);
    o.limits.max_pixels = 1000 * 1000; /* keep each run fast */
    o.max_samples = 1000;
    vigil_video_hash v, back;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status st = vigil_video_hash_bytes(data, size, &o, &v, &err);
    if (st != VIGIL_OK && err.msg[0] == '\0') __builtin_trap(); /* every error explains itself */
    if (st == VIGIL_OK) {
        if (v.n == 0 || v.n > v.sampled) __builtin_trap();
        for (size_t i = 0; i < v.n; i++)
            if (v.frames[i].quality < 0 || v.frames[i].quality > 100 || v.frames[i].duration_ms == 0 ||
                (i && v.frames[i].start_ms < v.frames[i - 1].start_ms))
                __builtin_trap();
        char *s = NULL;
        if (vigil_video_serialize(&v, &s, &err) == VIGIL_OK) {
            if (vigil_video_parse(s, &back, &err) != VIGIL_OK || back.n != v.n ||
                memcmp(back.frames, v.frames, v.n * sizeof *v.frames) != 0)
                __builtin_trap();
            vigil_video_hash_clear(&back);
        }
        free(s);
    }
    vigil_video_hash_clear(&v);

    /* the bank value parser, on the same bytes as a string */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    vigil_err_clear(&err);
    if (vigil_video_parse(text, &back, &err) == VIGIL_OK) {
        char *s = NULL;
        /* a value that parses is canonical: it serialises to itself */
        if (vigil_video_serialize(&back, &s, &err) != VIGIL_OK || strcmp(s, text) != 0) __builtin_trap();
        free(s);
    } else if (err.msg[0] == '\0') {
        __builtin_trap();
    }
    vigil_video_hash_clear(&back);
    free(text);
    return 0;
}
