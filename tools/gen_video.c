/*
 * tools/gen_video.c - `gen-video`: writes a synthetic test video (generated
 * moving pictures, never real content) or an audio-only WAV file, for the
 * CLI tests, the fuzz seeds and the benchmark.
 *
 * usage: gen-video [--size WxH] [--fps N] [--seconds S] [--start T]
 *                  [--seed N] [--scene S] [--codec NAME] [--format NAME]
 *                  [--bitrate B] [--audio-first] OUT
 *        gen-video --wav [--seconds S] OUT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vidgen.h"

static int usage(void) {
    fprintf(stderr, "usage: gen-video [--size WxH] [--fps N] [--seconds S] [--start T] [--seed N]\n"
                    "                 [--scene S] [--codec NAME] [--format NAME] [--bitrate B] [--audio-first] OUT\n"
                    "       gen-video --wav [--seconds S] OUT\n");
    return 2;
}

int main(int argc, char **argv) {
    vidgen_spec s;
    memset(&s, 0, sizeof s);
    int wav = 0;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--wav") == 0) {
            wav = 1;
            continue;
        }
        if (strcmp(a, "--audio-first") == 0) {
            s.audio_first = 1;
            continue;
        }
        if (a[0] != '-' || !a[1]) {
            if (out) return usage();
            out = a;
            continue;
        }
        if (!v) return usage();
        i++;
        if (strcmp(a, "--size") == 0) {
            if (sscanf(v, "%dx%d", &s.width, &s.height) != 2) return usage();
        } else if (strcmp(a, "--fps") == 0) {
            s.fps = atoi(v);
        } else if (strcmp(a, "--seconds") == 0) {
            s.seconds = atof(v);
        } else if (strcmp(a, "--start") == 0) {
            s.start = atof(v);
        } else if (strcmp(a, "--seed") == 0) {
            s.seed = (unsigned)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--scene") == 0) {
            s.scene_seconds = atof(v);
        } else if (strcmp(a, "--codec") == 0) {
            s.codec = v;
        } else if (strcmp(a, "--format") == 0) {
            s.format = v;
        } else if (strcmp(a, "--bitrate") == 0) {
            s.bitrate = atoi(v);
        } else {
            return usage();
        }
    }
    if (!out) return usage();
    if (wav) return vidgen_wav(out, s.seconds > 0 ? s.seconds : 2.0) == 0 ? 0 : 1;
    return vidgen_write(out, &s) == 0 ? 0 : 1;
}
