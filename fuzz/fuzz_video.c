/*
 * fuzz/fuzz_video.c - libFuzzer target for the video path: any bytes ->
 * libavformat (from memory, through vigil's own AVIOContext, demuxers
 * limited to the video containers) -> libavcodec -> sampling -> libswscale
 * -> PDQ -> collapse; the result must serialise and parse back to itself.
 * The same bytes also go through the video value parsers (vpdq1, vpdqr1,
 * Meta's per-frame file, pytx's vpdq signal; canonical forms and every
 * conversion must read back), the .tmk reader, its head reader (the TMK
 * matcher's load) and the "tmk:" text form.
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

    /* the bank value parsers (vpdq1, vpdqr1, the reference file, pytx's
     * signal), on the same bytes as a string */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    vigil_err_clear(&err);
    if (vigil_video_parse(text, &back, &err) == VIGIL_OK) {
        char *s = NULL, *canon = NULL;
        int binary = strncmp(text, VIGIL_VPDQ_PREFIX, 6) == 0 || strncmp(text, VIGIL_VPDQR_PREFIX, 7) == 0;
        /* a vpdq1/vpdqr1 value that parses is canonical: it serialises to itself */
        if (vigil_video_serialize(&back, &s, &err) != VIGIL_OK || (binary && strcmp(s, text) != 0)) __builtin_trap();
        /* any other form: its canonical value parses back to the same frames */
        if (vigil_video_value_canonical(text, &canon, &err) != VIGIL_OK || strcmp(canon, s) != 0) __builtin_trap();
        vigil_video_hash again;
        if (vigil_video_parse(canon, &again, &err) != VIGIL_OK || again.n != back.n) __builtin_trap();
        for (size_t i = 0; i < back.n; i++)
            if (again.frames[i].quality != back.frames[i].quality ||
                memcmp(&again.frames[i].pdq, &back.frames[i].pdq, sizeof back.frames[i].pdq) != 0 ||
                (back.ref_form && (again.frames[i].number != back.frames[i].number ||
                                   again.frames[i].time != back.frames[i].time)))
                __builtin_trap();
        vigil_video_hash_clear(&again);
        /* and every partner form reads back to the same hashes and qualities */
        for (int f = VIGIL_VFORM_REFERENCE; f <= VIGIL_VFORM_PYTX; f++) {
            char *o = NULL;
            if (vigil_video_format(&back, (vigil_video_form)f, &o, &err) == VIGIL_OK) {
                if (vigil_video_parse(o, &again, &err) != VIGIL_OK || again.n != back.n) __builtin_trap();
                for (size_t i = 0; i < back.n; i++)
                    if (again.frames[i].quality != back.frames[i].quality ||
                        memcmp(&again.frames[i].pdq, &back.frames[i].pdq, sizeof back.frames[i].pdq) != 0)
                        __builtin_trap();
                vigil_video_hash_clear(&again);
            } else if (err.msg[0] == '\0') {
                __builtin_trap();
            }
            free(o);
        }
        free(s);
        free(canon);
    } else if (err.msg[0] == '\0') {
        __builtin_trap();
    }
    vigil_video_hash_clear(&back);
    free(text);

    /* the .tmk reader: a file that reads writes back to one that reads the same */
    vigil_tmk *t = NULL, *t2 = NULL;
    vigil_err_clear(&err);
    if (vigil_tmk_read(data, size, &t, &err) == VIGIL_OK) {
        uint8_t *bytes = NULL;
        size_t n = 0;
        if (vigil_tmk_write(t, &bytes, &n, &err) != VIGIL_OK || vigil_tmk_read(bytes, n, &t2, &err) != VIGIL_OK ||
            memcmp(t->avg, t2->avg, sizeof t->avg) != 0 || t->frame_count != t2->frame_count)
            __builtin_trap();
        float l1 = vigil_tmk_level1(t, t2);
        if (l1 != l1) __builtin_trap(); /* finite inputs: never NaN */
        free(bytes);
    } else if (err.msg[0] == '\0') {
        __builtin_trap();
    }
    vigil_tmk_free(t);
    vigil_tmk_free(t2);

    /* the head reader (the matcher's level-1 load): it agrees with the full
     * reader on a whole file */
    float avg[VIGIL_TMK_DIM];
    int frames = -1;
    vigil_err_clear(&err);
    vigil_status hs = vigil_tmk_read_head(data, size, avg, &frames, &err);
    if (hs != VIGIL_OK && err.msg[0] == '\0') __builtin_trap();
    if (hs == VIGIL_OK && frames < 0) __builtin_trap();
    if (size == VIGIL_TMK_FILE_BYTES && vigil_tmk_read(data, size, &t, NULL) == VIGIL_OK) {
        if (hs != VIGIL_OK || memcmp(avg, t->avg, sizeof avg) != 0 || frames != t->frame_count) __builtin_trap();
        vigil_tmk_free(t);
    }

    /* the text form: "tmk:" + base64 */
    text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    vigil_err_clear(&err);
    t = NULL;
    if (vigil_tmk_value_parse(text, &t, &err) == VIGIL_OK) {
        char *again = NULL;
        uint8_t *bytes = NULL;
        size_t n = 0;
        vigil_tmk *t3 = NULL;
        /* written back (the reader keeps the reference's coefficients, which
         * the file may hold within 1e-6), it reads the same */
        if (vigil_tmk_write(t, &bytes, &n, &err) != VIGIL_OK ||
            vigil_tmk_value_from_file(bytes, n, &again, &err) != VIGIL_OK ||
            vigil_tmk_value_parse(again, &t3, &err) != VIGIL_OK || memcmp(t3->avg, t->avg, sizeof t->avg) != 0 ||
            memcmp(t3->sin_f, t->sin_f, sizeof t->sin_f) != 0)
            __builtin_trap();
        vigil_tmk_free(t3);
        free(bytes);
        free(again);
    } else if (err.msg[0] == '\0') {
        __builtin_trap();
    }
    vigil_tmk_free(t);
    free(text);
    return 0;
}
