/*
 * tests/vidgen.c - synthetic test videos encoded with libavcodec/libavformat
 * (see vidgen.h): each scene is a striped gradient with discs drifting slowly,
 * a new scene every scene_seconds.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include "imggen.h"
#include "vidgen.h"

static vidgen_spec with_defaults(const vidgen_spec *in) {
    vidgen_spec s = *in;
    if (s.width <= 0) s.width = 128;
    if (s.height <= 0) s.height = 96;
    if (s.fps <= 0) s.fps = 25;
    if (s.seconds <= 0) s.seconds = 10;
    if (s.scene_seconds <= 0) s.scene_seconds = 3;
    if (!s.codec) s.codec = "mpeg4";
    if (!s.format) s.format = "mp4";
    if (s.bitrate <= 0) s.bitrate = 400000;
    return s;
}

/* A scene: a background gradient with stripes and a few discs, each drifting slowly
 * (PDQ looks at low frequencies: content sampled half a second apart must
 * stay near, content of another scene must not). */
#define DISCS 6

static unsigned lcg(unsigned *st) {
    *st = *st * 1103515245u + 12345u;
    return (*st >> 8) & 0xffffu;
}

static double rnd(unsigned *st) { return lcg(st) / 65535.0; }

uint8_t *vidgen_content(const vidgen_spec *in, double t, int w, int h) {
    vidgen_spec s = with_defaults(in);
    int scene = (int)floor(t / s.scene_seconds);
    double ts = t - scene * s.scene_seconds;
    unsigned st = s.seed * 7919u + (unsigned)scene * 104729u + 1u;
    for (int i = 0; i < 4; i++) lcg(&st);
    double bg[2][3], cx[DISCS], cy[DISCS], vx[DISCS], vy[DISCS], r[DISCS], col[DISCS][3];
    for (int k = 0; k < 2; k++)
        for (int c = 0; c < 3; c++) bg[k][c] = 255 * rnd(&st);
    double angle = 6.2832 * rnd(&st), freq = 2 + 4 * rnd(&st);
    for (int d = 0; d < DISCS; d++) {
        cx[d] = rnd(&st);
        cy[d] = rnd(&st);
        vx[d] = (rnd(&st) - 0.5) * 0.04; /* up to 2% of the width per second */
        vy[d] = (rnd(&st) - 0.5) * 0.04;
        r[d] = 0.05 + 0.15 * rnd(&st);
        for (int c = 0; c < 3; c++) col[d][c] = 255 * rnd(&st);
    }
    /* the background of a scene is drawn once and kept (single-threaded use) */
    static float *bgbuf;
    static unsigned bg_key;
    static int bg_w, bg_h;
    size_t npx = (size_t)w * h;
    double ca = cos(angle), sa = sin(angle);
    if (!bgbuf || bg_key != st || bg_w != w || bg_h != h) {
        free(bgbuf);
        bgbuf = malloc(npx * 3 * sizeof *bgbuf);
        if (!bgbuf) return NULL;
        bg_key = st;
        bg_w = w;
        bg_h = h;
        for (int y = 0; y < h; y++) {
            double fy = (y + 0.5) / h;
            for (int x = 0; x < w; x++) {
                double fx = (x + 0.5) / w;
                double g = 0.5 + 0.5 * ((fx - 0.5) * ca + (fy - 0.5) * sa);
                double stripe = 40 * sin(6.2832 * freq * ((fx - 0.5) * sa - (fy - 0.5) * ca));
                for (int c = 0; c < 3; c++)
                    bgbuf[((size_t)y * w + x) * 3 + c] = (float)(bg[0][c] * (1 - g) + bg[1][c] * g + stripe);
            }
        }
    }
    float *px = malloc(npx * 3 * sizeof *px);
    uint8_t *out = malloc(npx * 3);
    if (!px || !out) {
        free(px);
        free(out);
        return NULL;
    }
    memcpy(px, bgbuf, npx * 3 * sizeof *px);
    for (int d = 0; d < DISCS; d++) { /* each disc over its bounding box only */
        double ccx = (cx[d] + vx[d] * ts) * w - 0.5, ccy = (cy[d] + vy[d] * ts) * h - 0.5, rr = r[d] * w;
        double sy = (double)w / h; /* discs are round in pixels: y distances scale like x */
        int x0 = (int)floor(ccx - rr - 2), x1 = (int)ceil(ccx + rr + 2);
        int y0 = (int)floor(ccy - (rr + 2) / sy), y1 = (int)ceil(ccy + (rr + 2) / sy);
        if (x0 < 0) x0 = 0;
        if (y0 < 0) y0 = 0;
        if (x1 > w - 1) x1 = w - 1;
        if (y1 > h - 1) y1 = h - 1;
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++) {
                double dx = x - ccx, dy = (y - ccy) * sy;
                double e = rr - sqrt(dx * dx + dy * dy); /* > 0 inside, in pixels */
                if (e <= -1) continue;
                float a = (float)(e >= 1 ? 1 : (e + 1) / 2);
                float *p = px + ((size_t)y * w + x) * 3;
                for (int c = 0; c < 3; c++) p[c] = p[c] * (1 - a) + (float)col[d][c] * a;
            }
    }
    for (size_t i = 0; i < npx * 3; i++) out[i] = (uint8_t)(px[i] < 0 ? 0 : px[i] > 255 ? 255 : px[i]);
    free(px);
    return out;
}

static int encode(AVCodecContext *c, AVFrame *f, AVFormatContext *oc, AVStream *st, AVPacket *pkt) {
    int ret = avcodec_send_frame(c, f);
    while (ret >= 0) {
        ret = avcodec_receive_packet(c, pkt);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return 0;
        if (ret < 0) return -1;
        av_packet_rescale_ts(pkt, c->time_base, st->time_base);
        pkt->stream_index = st->index;
        if (av_interleaved_write_frame(oc, pkt) < 0) return -1;
    }
    return ret == AVERROR(EAGAIN) || ret == AVERROR_EOF ? 0 : ret;
}

int vidgen_write(const char *path, const vidgen_spec *in) {
    vidgen_spec s = with_defaults(in);
    int rc = -1;
    av_log_set_level(AV_LOG_ERROR); /* the encoders' statistics are noise here */
    AVFormatContext *oc = NULL;
    AVCodecContext *c = NULL;
    AVFrame *f = NULL;
    AVPacket *pkt = NULL;
    struct SwsContext *sws = NULL;
    const AVCodec *codec = avcodec_find_encoder_by_name(s.codec);
    if (!codec) {
        fprintf(stderr, "vidgen: no encoder '%s'\n", s.codec);
        return -1;
    }
    if (avformat_alloc_output_context2(&oc, NULL, s.format, path) < 0 || !oc) {
        fprintf(stderr, "vidgen: no muxer '%s'\n", s.format);
        return -1;
    }
    AVStream *ast = NULL; /* the silent audio stream before the video (audio_first) */
    if (s.audio_first) {
        ast = avformat_new_stream(oc, NULL);
        if (!ast) goto out;
        ast->codecpar->codec_type = AVMEDIA_TYPE_AUDIO;
        ast->codecpar->codec_id = AV_CODEC_ID_PCM_S16LE;
        ast->codecpar->sample_rate = 8000;
        av_channel_layout_default(&ast->codecpar->ch_layout, 1);
        ast->codecpar->bits_per_coded_sample = 16;
        ast->codecpar->block_align = 2;
        ast->time_base = (AVRational){1, 8000};
    }
    AVStream *st = avformat_new_stream(oc, NULL);
    c = avcodec_alloc_context3(codec);
    f = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!st || !c || !f || !pkt) goto out;
    c->width = s.width;
    c->height = s.height;
    c->time_base = (AVRational){1, s.fps};
    c->framerate = (AVRational){s.fps, 1};
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->bit_rate = s.bitrate;
    c->gop_size = 12;
    c->max_b_frames = strcmp(s.codec, "mpeg4") == 0 || strcmp(s.codec, "libx264") == 0 ? 2 : 0;
    c->thread_count = 1;
    if (strcmp(s.codec, "libx264") == 0) av_opt_set(c->priv_data, "preset", "ultrafast", 0);
    if (oc->oformat->flags & AVFMT_GLOBALHEADER) c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if (avcodec_open2(c, codec, NULL) < 0 || avcodec_parameters_from_context(st->codecpar, c) < 0) goto out;
    st->time_base = c->time_base;
    if (!(oc->oformat->flags & AVFMT_NOFILE) && avio_open(&oc->pb, path, AVIO_FLAG_WRITE) < 0) {
        fprintf(stderr, "vidgen: cannot write %s\n", path);
        goto out;
    }
    if (avformat_write_header(oc, NULL) < 0) goto out;
    f->format = c->pix_fmt;
    f->width = c->width;
    f->height = c->height;
    if (av_frame_get_buffer(f, 0) < 0) goto out;
    sws = sws_getContext(s.width, s.height, AV_PIX_FMT_RGB24, s.width, s.height, AV_PIX_FMT_YUV420P, SWS_BILINEAR,
                         NULL, NULL, NULL);
    if (!sws) goto out;
    int n = (int)llround(s.seconds * s.fps);
    for (int i = 0; i < n; i++) {
        uint8_t *rgb = vidgen_content(&s, s.start + (double)i / s.fps, s.width, s.height);
        if (!rgb || av_frame_make_writable(f) < 0) {
            free(rgb);
            goto out;
        }
        const uint8_t *src[1] = {rgb};
        int stride[1] = {s.width * 3};
        sws_scale(sws, src, stride, 0, s.height, f->data, f->linesize);
        free(rgb);
        f->pts = i;
        if (encode(c, f, oc, st, pkt) < 0) goto out;
        if (ast) { /* the frame's stretch of silence */
            int ns = 8000 / s.fps;
            AVPacket *ap = av_packet_alloc();
            if (!ap || av_new_packet(ap, 2 * ns) < 0) {
                av_packet_free(&ap);
                goto out;
            }
            memset(ap->data, 0, (size_t)ap->size);
            ap->pts = ap->dts = av_rescale_q((int64_t)i * ns, (AVRational){1, 8000}, ast->time_base);
            ap->duration = av_rescale_q(ns, (AVRational){1, 8000}, ast->time_base);
            ap->stream_index = ast->index;
            int wr = av_interleaved_write_frame(oc, ap);
            av_packet_free(&ap);
            if (wr < 0) goto out;
        }
    }
    if (encode(c, NULL, oc, st, pkt) < 0) goto out;
    if (av_write_trailer(oc) < 0) goto out;
    rc = 0;
out:
    if (rc) fprintf(stderr, "vidgen: encoding %s failed\n", path);
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&f);
    avcodec_free_context(&c);
    if (oc && !(oc->oformat->flags & AVFMT_NOFILE)) avio_closep(&oc->pb);
    avformat_free_context(oc);
    return rc;
}

static void le16(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v) {
    le16(p, v & 0xffff);
    le16(p + 2, v >> 16);
}

int vidgen_wav(const char *path, double seconds) {
    uint32_t n = (uint32_t)(seconds * 8000);
    size_t len = 44 + (size_t)n * 2;
    uint8_t *b = calloc(1, len);
    if (!b) return -1;
    memcpy(b, "RIFF", 4);
    le32(b + 4, (uint32_t)len - 8);
    memcpy(b + 8, "WAVEfmt ", 8);
    le32(b + 16, 16);
    le16(b + 20, 1);       /* PCM */
    le16(b + 22, 1);       /* mono */
    le32(b + 24, 8000);    /* rate */
    le32(b + 28, 16000);   /* bytes/s */
    le16(b + 32, 2);       /* block align */
    le16(b + 34, 16);      /* bits */
    memcpy(b + 36, "data", 4);
    le32(b + 40, n * 2);
    for (uint32_t i = 0; i < n; i++) le16(b + 44 + 2 * i, (unsigned)(int16_t)(8000 * sin(i * 0.3)) & 0xffff);
    int rc = imggen_write_file(path, b, len);
    free(b);
    return rc;
}
