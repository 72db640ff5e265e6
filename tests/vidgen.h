/*
 * tests/vidgen.h - synthetic test videos (never real content): moving
 * generated pictures that change scene every few seconds, encoded with
 * libavcodec into a container file; and audio-only WAV files.
 */
#ifndef VIGIL_TESTS_VIDGEN_H
#define VIGIL_TESTS_VIDGEN_H

#include <stdint.h>

typedef struct vidgen_spec {
    int width, height;    /* output size (default 128x96)                      */
    int fps;              /* output frame rate (default 25)                    */
    double seconds;       /* length (default 10)                               */
    double start;         /* content time of the first frame: an excerpt of the
                             same video starts later (default 0)              */
    unsigned seed;        /* the content; different seeds, unrelated videos    */
    double scene_seconds; /* a new scene this often (default 3)                */
    const char *codec;    /* encoder name (default "mpeg4")                    */
    const char *format;   /* muxer name (default "mp4")                        */
    int bitrate;          /* bits/s (default 400000)                           */
    int audio_first;      /* 1: a silent PCM audio stream before the video, so
                             that the video is stream 1 (matroska)            */
} vidgen_spec;

/*! vidgen_content() : the RGB8 picture (w x h) of the video's content at
 *  content time t.  @return malloc'd w*h*3 bytes, or NULL. */
uint8_t *vidgen_content(const vidgen_spec *s, double t, int w, int h);

/*! vidgen_write() : encode the video described by `s` into `path`.
 *  @return 0, or -1 with a message on stderr. */
int vidgen_write(const char *path, const vidgen_spec *s);

/*! vidgen_wav() : a mono 16-bit 8 kHz WAV file of a tone, `seconds` long.
 *  @return 0 or -1. */
int vidgen_wav(const char *path, double seconds);

#endif /* VIGIL_TESTS_VIDGEN_H */
