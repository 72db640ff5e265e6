/*
 * src/video/decode.c - video hashing in the vPDQ manner: libavformat reads
 * the container through vigil's own I/O (a file or a memory buffer; never
 * other files or URLs), libavcodec decodes the video stream, frames are
 * sampled at a fixed rate, converted to RGB by libswscale and hashed by the
 * image hasher; consecutive near-identical hashes are collapsed.  Or, in
 * the vpdq_reference mode, exactly as Meta's vpdq-hash-video samples and
 * hashes (decode-count sampling, SWS_AREA, full-frame PDQ).
 */
#include <errno.h>
#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "common/err.h"
#include "image/decode_internal.h"
#include "video/video_internal.h"
#include "vigil/video.h"

/* The demuxers vigil lets libavformat use: common video containers, and
 * WAV/MP3 so that audio files get "no video stream" rather than "unknown". */
static const char *const demuxers[] = {"mov", "mp4", "matroska", "webm", "avi", "flv", "mpegts",
                                       "mpeg", "ogg", "asf", "wav", "mp3"};
#define DEMUXER_LIST "mov,mp4,matroska,webm,avi,flv,mpegts,mpeg,ogg,asf,wav,mp3"
#define EXPECTED "expected MP4/MOV, Matroska/WebM, AVI, FLV, MPEG-TS/PS, Ogg or ASF"
#define IO_BUF 65536

void vigil_video_opts_init(vigil_video_opts *opts) {
    if (!opts) return;
    memset(opts, 0, sizeof *opts);
    opts->fps = VIGIL_VIDEO_DEFAULT_FPS;
    opts->collapse = VIGIL_VIDEO_DEFAULT_COLLAPSE;
    opts->threads = 1;
    opts->seconds_per_hash = 1.0;
}

void vigil_video_hash_clear(vigil_video_hash *v) {
    if (!v) return;
    free(v->frames);
    memset(v, 0, sizeof *v);
}

/* ---- libav's log: kept quiet; the last error line of each thread is kept
 * to explain a failure ------------------------------------------------- */

static _Thread_local char av_last[160];
static pthread_once_t log_once = PTHREAD_ONCE_INIT;

static void av_log_cb(void *avcl, int level, const char *fmt, va_list vl) {
    (void)avcl;
    if (level > AV_LOG_ERROR) return;
    vsnprintf(av_last, sizeof av_last, fmt, vl);
    size_t n = strlen(av_last);
    while (n && (av_last[n - 1] == '\n' || av_last[n - 1] == '\r' || av_last[n - 1] == ' '))
        av_last[--n] = '\0';
}

static void log_init(void) { av_log_set_callback(av_log_cb); }

/* "reason" from an AVERROR and the last logged line, when there is one. */
static void av_reason(int averr, char *out, size_t cap) {
    char e[AV_ERROR_MAX_STRING_SIZE];
    av_strerror(averr, e, sizeof e);
    if (av_last[0])
        snprintf(out, cap, "%s (%s)", e, av_last);
    else
        snprintf(out, cap, "%s", e);
}

static int demuxer_allowed(const char *name) {
    /* a demuxer's name may list several ("mov,mp4,m4a,3gp,3g2,mj2") */
    char buf[64];
    snprintf(buf, sizeof buf, "%s", name ? name : "");
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        for (size_t i = 0; i < sizeof demuxers / sizeof demuxers[0]; i++)
            if (strcmp(tok, demuxers[i]) == 0) return 1;
    return 0;
}

int vigil_video_sniff(const void *head, size_t n) {
    if (!head || n < 4) return 0;
    pthread_once(&log_once, log_init);
    if (n > (1u << 20)) n = 1u << 20;
    uint8_t *buf = calloc(1, n + AVPROBE_PADDING_SIZE);
    if (!buf) return 0;
    memcpy(buf, head, n);
    AVProbeData pd = {"", buf, (int)n, NULL};
    int score = 0;
    const AVInputFormat *f = av_probe_input_format3(&pd, 1, &score);
    free(buf);
    return f && demuxer_allowed(f->name) && score > AVPROBE_SCORE_MAX / 4;
}

/* ---- I/O: a file or a memory buffer behind an AVIOContext ------------- */

typedef struct io_src {
    FILE *f;
    int64_t size;
    const uint8_t *mem;
    size_t mem_len, mem_pos;
} io_src;

static int io_read(void *opaque, uint8_t *buf, int n) {
    io_src *s = opaque;
    if (s->f) {
        size_t got = fread(buf, 1, (size_t)n, s->f);
        if (got == 0) return ferror(s->f) ? AVERROR(EIO) : AVERROR_EOF;
        return (int)got;
    }
    size_t left = s->mem_len - s->mem_pos;
    if (left == 0) return AVERROR_EOF;
    size_t k = (size_t)n < left ? (size_t)n : left;
    memcpy(buf, s->mem + s->mem_pos, k);
    s->mem_pos += k;
    return (int)k;
}

static int64_t io_seek(void *opaque, int64_t off, int whence) {
    io_src *s = opaque;
    whence &= ~AVSEEK_FORCE;
    if (whence == AVSEEK_SIZE) return s->size;
    if (whence == SEEK_END && s->size < 0) return AVERROR(ENOSYS); /* a pipe: no end to seek to */
    int64_t cur = s->f ? (int64_t)ftello(s->f) : (int64_t)s->mem_pos;
    int64_t pos = whence == SEEK_SET ? off : whence == SEEK_CUR ? cur + off : whence == SEEK_END ? s->size + off : -1;
    if (pos < 0) return AVERROR(EINVAL);
    if (s->f) {
        if (fseeko(s->f, (off_t)pos, SEEK_SET) != 0) return AVERROR(errno);
    } else {
        s->mem_pos = (size_t)(pos > s->size ? s->size : pos);
    }
    return pos;
}

/* libavformat asks to open other files (playlists, references in MOV,
 * segments): refused, so a crafted file cannot make vigil read anything
 * but itself. */
static int io_open_refuse(struct AVFormatContext *s, AVIOContext **pb, const char *url, int flags,
                          AVDictionary **options) {
    (void)s, (void)pb, (void)url, (void)flags, (void)options;
    return AVERROR(EPERM);
}

/* ---- the hashing state -------------------------------------------------- */

typedef struct vstate {
    vigil_video_opts o;
    vigil_decode_limits lim;
    vigil_hasher *hasher;
    struct SwsContext *sws;
    uint8_t *rgb;
    size_t rgb_cap;
    vigil_video_hash *out;
    size_t cap;
    double period;      /* 1 / fps */
    int64_t next_k;     /* the next sample's number */
    int have_t0;
    int64_t t0;         /* first frame's timestamp, stream time base */
    double last_t;      /* seconds since t0 of the last decoded frame */
    double last_sample; /* ... of the last sampled frame */
    AVRational tb;
    double frame_dur;   /* 1 / the stream's frame rate, for frames without time */
    int decode_only;    /* count frames, sample nothing (the benchmark's ceiling) */
    /* the reference mode */
    int64_t mod;        /* every mod-th decoded frame */
    float ref_fps;      /* the frame rate as the reference keeps it (float) */
    int src_w, src_h, src_fmt, dst_w, dst_h;
    AVFrame *ref_rgb;   /* RGB24 frame as av_frame_get_buffer lays it out */
    /* TMK+PDQF */
    vigil_tmk *tmk;
    float prev_feat[VIGIL_TMK_DIM];
    int have_prev;
    int64_t sync_opts;  /* output frames so far (ffmpeg's CFR frame-rate conversion) */
    double in_dur;      /* an input frame's duration in output frames */
    uint8_t *rgb64;     /* 64x64 RGB24 */
} vstate;

static vigil_status push_frame(vstate *s, double t, const vigil_pdq *h, int quality, vigil_err *err) {
    vigil_video_hash *v = s->out;
    v->sampled++;
    uint32_t ms = t * 1000.0 > 4.0e9 ? 4000000000u : (uint32_t)llround(t * 1000.0);
    if (v->n && s->o.collapse >= 0 && vigil_pdq_distance(&v->frames[v->n - 1].pdq, h) <= s->o.collapse)
        return VIGIL_OK; /* collapsed into the run's first frame */
    if (v->n == s->cap) {
        size_t ncap = s->cap ? s->cap * 2 : 64;
        vigil_video_frame *nf = realloc(v->frames, ncap * sizeof *nf);
        if (!nf) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        v->frames = nf;
        s->cap = ncap;
    }
    vigil_video_frame *f = &v->frames[v->n++];
    memset(f, 0, sizeof *f); /* padding too: frames are compared with memcmp */
    f->start_ms = ms;
    f->duration_ms = 0;
    f->quality = quality;
    f->pdq = *h;
    f->number = -1;
    f->time = ms / 1000.0;
    return VIGIL_OK;
}

/* The reference mode's frame: every mod-th decoded frame, converted as
 * vpdq's ffmpegwrapper.cpp does and hashed whole. */
static vigil_status on_frame_ref(vstate *s, AVFrame *fr, vigil_err *err) {
    int64_t num = (int64_t)s->out->decoded++;
    s->last_t = (double)num / (double)s->ref_fps; /* for the truncation check */
    if (s->decode_only || num % s->mod != 0) return VIGIL_OK;
    if (num > INT32_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "video has more than %d frames (the reference numbers them as int)",
                              INT32_MAX);
    if (s->out->sampled >= s->o.max_samples)
        return vigil__err_set(err, VIGIL_ELIMIT, "video has more than %u hashed frames at one per %lld frames (the "
                              "limit)", s->o.max_samples, (long long)s->mod);
    if (fr->width != s->src_w || fr->height != s->src_h || fr->format != s->src_fmt)
        return vigil__err_set(err, VIGIL_EFORMAT, "video frame %lld is %dx%d %s, the stream %dx%d %s: the reference "
                              "hashes streams whose frames keep one size and pixel format only",
                              (long long)num, fr->width, fr->height,
                              av_get_pix_fmt_name((enum AVPixelFormat)fr->format) ? av_get_pix_fmt_name((enum AVPixelFormat)fr->format) : "?",
                              s->src_w, s->src_h,
                              av_get_pix_fmt_name((enum AVPixelFormat)s->src_fmt) ? av_get_pix_fmt_name((enum AVPixelFormat)s->src_fmt) : "?");
    AVFrame *dst = s->ref_rgb;
    if (sws_scale(s->sws, (const uint8_t *const *)fr->data, fr->linesize, 0, s->src_h, dst->data, dst->linesize) <= 0)
        return vigil__err_set(err, VIGIL_EINTERNAL, "video frame %lld: colour conversion failed", (long long)num);
    vigil_image img = {s->dst_w, s->dst_h, VIGIL_PIX_RGB8, (size_t)dst->linesize[0], dst->data[0]};
    vigil_hash_result r;
    vigil_status rc = vigil_hasher_image(s->hasher, &img, &r, err);
    if (rc != VIGIL_OK) return rc;
    float t = (float)num / s->ref_fps; /* hasher.h: static_cast<float>(frameNumber) / framerate */
    s->last_sample = (double)t;
    /* push_frame without the collapse rule */
    int keep = s->o.collapse;
    s->o.collapse = -1;
    rc = push_frame(s, (double)t, &r.pdq, r.quality, err);
    s->o.collapse = keep;
    if (rc != VIGIL_OK) return rc;
    s->out->frames[s->out->n - 1].number = (int32_t)num;
    s->out->frames[s->out->n - 1].time = (double)t;
    return VIGIL_OK;
}

/* The TMK mode's frame: scaled to 64x64, its PDQF; the 15 frames/s
 * instants nearer to the frame before it than to it take that one. */
static vigil_status on_frame_tmk(vstate *s, AVFrame *fr, double t, vigil_err *err) {
    if (fr->width < 1 || fr->height < 1 || fr->format < 0)
        return vigil__err_set(err, VIGIL_ECORRUPT, "video frame at %.3f s has no pixels", t);
    s->sws = sws_getCachedContext(s->sws, fr->width, fr->height, (enum AVPixelFormat)fr->format, 64, 64,
                                  AV_PIX_FMT_RGB24, SWS_BICUBIC, NULL, NULL, NULL);
    if (!s->sws)
        return vigil__err_set(err, VIGIL_EFORMAT, "video frames in pixel format '%s' cannot be converted",
                              av_get_pix_fmt_name((enum AVPixelFormat)fr->format) ? av_get_pix_fmt_name((enum AVPixelFormat)fr->format) : "?");
    uint8_t *dst[4] = {s->rgb64, NULL, NULL, NULL};
    int dst_stride[4] = {64 * 3, 0, 0, 0};
    if (sws_scale(s->sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height, dst, dst_stride) != 64)
        return vigil__err_set(err, VIGIL_EINTERNAL, "video frame at %.3f s: scaling failed", t);
    /* `ffmpeg -r 15` (the reference's pipe): constant-rate output, each
     * input frame emitted 0, 1 or more times by how far its time is from
     * the output frames written so far (ffmpeg 4.1 do_video_out, CFR) */
    double delta0 = t * VIGIL_TMK_FPS - (double)s->sync_opts, delta = delta0 + s->in_dur;
    int64_t nb = 1, nb0 = 0;
    if (delta0 < 0 && delta > 0) delta0 = 0; /* clipped to the output clock (delta unchanged) */
    if (delta < -1.1) {
        nb = 0;
    } else if (delta > 1.1) {
        nb = lrint(delta);
        if (delta0 > 1.1) nb0 = lrint(delta0 - 0.6);
    }
    if (s->sync_opts + nb > (int64_t)s->o.max_samples)
        return vigil__err_set(err, VIGIL_ELIMIT, "video has more than %u frames at 15 frames/s (the limit)",
                              s->o.max_samples);
    for (int64_t i = 0; i < nb0 && s->have_prev; i++, s->sync_opts++) vigil__tmk_ingest(s->tmk, s->prev_feat);
    vigil__tmk_frame_feature(s->rgb64, 64 * 3, s->prev_feat);
    s->have_prev = 1;
    for (int64_t i = nb0 < nb ? nb0 : nb; i < nb; i++, s->sync_opts++)
        vigil__tmk_ingest(s->tmk, s->prev_feat);
    return VIGIL_OK;
}

/* One decoded frame: sample it if it is due, and hash it. */
static vigil_status on_frame(vstate *s, AVFrame *fr, vigil_err *err) {
    int64_t ts = fr->best_effort_timestamp;
    double t;
    if (ts == AV_NOPTS_VALUE) {
        t = s->out->decoded ? s->last_t + s->frame_dur : 0.0;
    } else {
        if (!s->have_t0) {
            s->t0 = ts;
            s->have_t0 = 1;
        }
        t = (double)(ts - s->t0) * av_q2d(s->tb);
    }
    if (!isfinite(t) || t < s->last_t) t = s->last_t; /* out of order or broken: clamp */
    if (t > 4.0e6) t = 4.0e6; /* 46 days: frame times are kept in 32-bit milliseconds */
    s->last_t = t;
    s->out->decoded++;
    if (s->decode_only) return VIGIL_OK;
    if (s->tmk) return on_frame_tmk(s, fr, t, err);
    const double eps = 0.0005;
    if (t + eps < (double)s->next_k * s->period) return VIGIL_OK; /* not due */
    s->next_k = (int64_t)floor((t + eps) / s->period) + 1;
    if (s->out->sampled >= s->o.max_samples)
        return vigil__err_set(err, VIGIL_ELIMIT, "video has more than %u samples at %g frames/s (the limit)",
                              s->o.max_samples, s->o.fps);
    vigil_status rc = vigil__check_dims((uint64_t)fr->width, (uint64_t)fr->height, &s->lim, err);
    if (rc != VIGIL_OK) return rc;
    if (fr->width < 1 || fr->height < 1 || fr->format < 0)
        return vigil__err_set(err, VIGIL_ECORRUPT, "video frame at %.3f s has no pixels", t);
    s->sws = sws_getCachedContext(s->sws, fr->width, fr->height, (enum AVPixelFormat)fr->format, fr->width,
                                  fr->height, AV_PIX_FMT_RGB24, SWS_BILINEAR, NULL, NULL, NULL);
    if (!s->sws)
        return vigil__err_set(err, VIGIL_EFORMAT, "video frames in pixel format '%s' cannot be converted",
                              av_get_pix_fmt_name((enum AVPixelFormat)fr->format) ? av_get_pix_fmt_name((enum AVPixelFormat)fr->format) : "?");
    /* the frame's own colour matrix and range (unspecified: BT.601) */
    int cs = fr->colorspace == AVCOL_SPC_UNSPECIFIED ? SWS_CS_DEFAULT : (int)fr->colorspace;
    int *inv = NULL, *tab = NULL, src_range = 0, dst_range = 0, bri = 0, con = 0, sat = 0;
    if (sws_getColorspaceDetails(s->sws, &inv, &src_range, &tab, &dst_range, &bri, &con, &sat) >= 0)
        sws_setColorspaceDetails(s->sws, sws_getCoefficients(cs),
                                 fr->color_range == AVCOL_RANGE_JPEG ? 1 : src_range, tab, 1, bri, con, sat);
    size_t stride = ((size_t)fr->width * 3 + 63) & ~(size_t)63;
    size_t need = stride * (size_t)fr->height + 64;
    if (need > s->rgb_cap) {
        av_free(s->rgb);
        s->rgb = av_malloc(need);
        s->rgb_cap = s->rgb ? need : 0;
        if (!s->rgb) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    uint8_t *dst[4] = {s->rgb, NULL, NULL, NULL};
    int dst_stride[4] = {(int)stride, 0, 0, 0};
    if (sws_scale(s->sws, (const uint8_t *const *)fr->data, fr->linesize, 0, fr->height, dst, dst_stride) != fr->height)
        return vigil__err_set(err, VIGIL_EINTERNAL, "video frame at %.3f s: colour conversion failed", t);
    vigil_image img = {fr->width, fr->height, VIGIL_PIX_RGB8, stride, s->rgb};
    vigil_hash_result r;
    rc = vigil_hasher_image(s->hasher, &img, &r, err);
    if (rc != VIGIL_OK) return rc;
    s->last_sample = t;
    return push_frame(s, t, &r.pdq, r.quality, err);
}

static vigil_status drain(vstate *s, AVCodecContext *dec, AVFrame *fr, vigil_err *err) {
    for (;;) {
        int ret = avcodec_receive_frame(dec, fr);
        if (ret == AVERROR(EAGAIN) || ret == AVERROR_EOF) return VIGIL_OK;
        if (ret < 0) {
            char why[240];
            av_reason(ret, why, sizeof why);
            return vigil__err_set(err, VIGIL_ECORRUPT, "damaged video data after %.3f s: %s", s->last_t, why);
        }
        vigil_status rc = s->mod ? on_frame_ref(s, fr, err) : on_frame(s, fr, err);
        av_frame_unref(fr);
        if (rc != VIGIL_OK) return rc;
    }
}

/* Durations: each kept frame lasts until the next one; the last one until
 * one sample period after the last sampled frame. */
static void set_durations(vstate *s) {
    vigil_video_hash *v = s->out;
    for (size_t i = 0; i < v->n; i++) {
        double end_ms = i + 1 < v->n ? (double)v->frames[i + 1].start_ms
                                     : (s->last_sample + s->period) * 1000.0;
        double d = end_ms - (double)v->frames[i].start_ms;
        v->frames[i].duration_ms = d < 1.0 ? 1u : d > 4.0e9 ? 4000000000u : (uint32_t)llround(d);
    }
}

static const char *media_name(enum AVMediaType t) {
    const char *n = av_get_media_type_string(t);
    return n ? n : "data";
}

/* The whole decode over an opened source. */
static vigil_status hash_source(io_src *src, const vigil_video_opts *opts, int decode_only, vigil_tmk *tmk,
                                vigil_video_hash *out, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    AVIOContext *pb = NULL;
    AVFormatContext *fc = NULL;
    AVCodecContext *dec = NULL;
    AVPacket *pkt = NULL;
    AVFrame *fr = NULL;
    AVDictionary *dopts = NULL;
    uint8_t *iobuf = NULL;
    char why[240];
    int ret;
    vstate s;
    memset(&s, 0, sizeof s);
    s.out = out;
    s.decode_only = decode_only;
    if (opts) s.o = *opts;
    else vigil_video_opts_init(&s.o);
    s.tmk = tmk;
    if (tmk) {
        s.o.vpdq_reference = 0;
        s.o.fps = 1.0;
    }
    if (s.o.vpdq_reference) {
        if (!(s.o.seconds_per_hash >= 0.0) || s.o.seconds_per_hash > 86400.0)
            return vigil__err_set(err, VIGIL_EINVAL, "seconds per hash %g is outside 0..86400 (0: every frame)",
                                  s.o.seconds_per_hash);
        s.o.fps = 1.0;
        s.o.collapse = -1;
        s.o.flags |= VIGIL_HASH_NO_RESIZE; /* PDQ on the whole frame */
    }
    if (!(s.o.fps > 0.0) || s.o.fps > VIGIL_VIDEO_MAX_FPS)
        return vigil__err_set(err, VIGIL_EINVAL, "sample rate %g frames/s is outside (0, %g]", s.o.fps, VIGIL_VIDEO_MAX_FPS);
    if (s.o.collapse > 256) return vigil__err_set(err, VIGIL_EINVAL, "collapse distance %d is over 256", s.o.collapse);
    if (s.o.max_samples == 0) s.o.max_samples = VIGIL_VIDEO_DEFAULT_MAX_SAMPLES * (tmk ? VIGIL_TMK_FPS : 1);
    if (s.o.threads < 0) s.o.threads = 1;
    vigil__limits_resolve(&s.o.limits, &s.lim);
    s.period = 1.0 / s.o.fps;
    out->fps_milli = (uint32_t)llround(s.o.fps * 1000.0);
    pthread_once(&log_once, log_init);
    av_last[0] = '\0';

    vigil_hash_opts ho;
    vigil_hash_opts_init(&ho);
    ho.flags = s.o.flags & VIGIL_HASH_NO_RESIZE;
    ho.limits = s.lim;
    rc = vigil_hasher_new(&ho, &s.hasher, err);
    if (rc != VIGIL_OK) return rc;
    if (tmk && !(s.rgb64 = malloc(64 * 64 * 3))) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }

    iobuf = av_malloc(IO_BUF);
    if (iobuf) pb = avio_alloc_context(iobuf, IO_BUF, 0, src, io_read, NULL, io_seek);
    if (!pb) {
        av_free(iobuf);
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    const AVInputFormat *ifmt = NULL;
    ret = av_probe_input_buffer2(pb, &ifmt, "", NULL, 0, 0);
    if (ret < 0 || !ifmt || !demuxer_allowed(ifmt->name)) {
        if (ret == AVERROR(EIO))
            rc = vigil__err_set(err, VIGIL_EIO, "read error: %s", strerror(EIO));
        else if (src->size == 0)
            rc = vigil__err_set(err, VIGIL_EFORMAT, "empty input (0 bytes)");
        else
            rc = vigil__err_set(err, VIGIL_EFORMAT, "not a recognised video (%s)", EXPECTED);
        goto out;
    }
    fc = avformat_alloc_context();
    if (!fc) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    fc->pb = pb;
    fc->flags |= AVFMT_FLAG_CUSTOM_IO;
    fc->io_open = io_open_refuse;
    av_dict_set(&dopts, "format_whitelist", DEMUXER_LIST, 0);
    av_dict_set(&dopts, "protocol_whitelist", "none", 0);
    ret = avformat_open_input(&fc, "", ifmt, &dopts); /* frees fc on failure */
    if (ret < 0) {
        av_reason(ret, why, sizeof why);
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "cannot read the %s container: %s", ifmt->name, why);
        goto out;
    }
    snprintf(out->container, sizeof out->container, "%s", fc->iformat->name);
    ret = avformat_find_stream_info(fc, NULL);
    if (ret < 0) {
        av_reason(ret, why, sizeof why);
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "cannot read the streams: %s", why);
        goto out;
    }
    /* the best video stream that is not a cover picture */
    int vs = -1, others = 0;
    enum AVMediaType other_type = AVMEDIA_TYPE_UNKNOWN;
    for (unsigned i = 0; i < fc->nb_streams; i++) {
        const AVStream *st = fc->streams[i];
        if (st->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(st->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
            if (vs < 0) vs = (int)i;
        } else {
            others++;
            other_type = st->codecpar->codec_type;
        }
    }
    if (vs >= 0 && s.o.vpdq_reference) {
        /* the reference takes the first video stream, and loses the frames
         * its decoder holds at the end unless that stream is stream 0 */
        for (unsigned i = 0; i < fc->nb_streams; i++)
            if (fc->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO) {
                vs = (int)i;
                break;
            }
        if (vs != 0) {
            rc = vigil__err_set(err, VIGIL_EFORMAT, "the video is stream %d, not stream 0: Meta's reference drops the "
                                "last frames of such files, so --vpdq-reference cannot reproduce it (remux with the "
                                "video first: ffmpeg -i IN -map 0:v:0 -map 0:a? -c copy OUT), or hash it without "
                                "--vpdq-reference", vs);
            goto out;
        }
    } else if (vs >= 0) {
        int best = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
        if (best >= 0 && !(fc->streams[best]->disposition & AV_DISPOSITION_ATTACHED_PIC)) vs = best;
    }
    if (vs < 0) {
        if (others)
            rc = vigil__err_set(err, VIGIL_EFORMAT, "no video stream (the %s file has %d %s stream%s only)",
                                fc->iformat->name, others, others == 1 ? media_name(other_type) : "other",
                                others == 1 ? "" : "s");
        else
            rc = vigil__err_set(err, VIGIL_EFORMAT, "no video stream (the %s file has no streams)", fc->iformat->name);
        goto out;
    }
    AVStream *st = fc->streams[vs];
    for (unsigned i = 0; i < fc->nb_streams; i++)
        if ((int)i != vs) fc->streams[i]->discard = AVDISCARD_ALL;
    const AVCodec *codec = avcodec_find_decoder(st->codecpar->codec_id);
    const char *cname = avcodec_get_name(st->codecpar->codec_id);
    snprintf(out->codec, sizeof out->codec, "%s", cname ? cname : "?");
    if (!codec) {
        rc = vigil__err_set(err, VIGIL_EFORMAT, "no decoder for the video codec '%s'", out->codec);
        goto out;
    }
    if (st->codecpar->width > 0 && st->codecpar->height > 0) {
        rc = vigil__check_dims((uint64_t)st->codecpar->width, (uint64_t)st->codecpar->height, &s.lim, err);
        if (rc != VIGIL_OK) goto out;
    }
    out->width = st->codecpar->width;
    out->height = st->codecpar->height;
    dec = avcodec_alloc_context3(codec);
    if (!dec || avcodec_parameters_to_context(dec, st->codecpar) < 0) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    dec->thread_count = s.o.threads;
    dec->pkt_timebase = st->time_base;
    ret = avcodec_open2(dec, codec, NULL);
    if (ret < 0) {
        av_reason(ret, why, sizeof why);
        rc = vigil__err_set(err, VIGIL_EFORMAT, "cannot open the '%s' decoder: %s", out->codec, why);
        goto out;
    }
    s.tb = st->time_base;
    if (s.o.vpdq_reference) {
        AVRational q = st->avg_frame_rate;
        if (q.num == 0 || q.den == 0) q = st->r_frame_rate;
        double rate = q.den ? (double)q.num / (double)q.den : 0.0;
        if (!(rate > 0.0) || !isfinite(rate)) {
            rc = vigil__err_set(err, VIGIL_EFORMAT, "the video stream states no frame rate (%d/%d): the reference "
                                "cannot number its frames' times", q.num, q.den);
            goto out;
        }
        if (st->codecpar->width <= 0 || st->codecpar->height <= 0 || dec->width <= 0 || dec->height <= 0) {
            rc = vigil__err_set(err, VIGIL_EFORMAT, "the video stream states no frame size");
            goto out;
        }
        if (st->codecpar->width < 5 || st->codecpar->height < 5) {
            rc = vigil__err_set(err, VIGIL_ELIMIT, "frames of %dx%d are under the 5x5 pixels PDQ needs",
                                st->codecpar->width, st->codecpar->height);
            goto out;
        }
        double m = s.o.seconds_per_hash * rate;
        if (m >= 2147483647.0) {
            rc = vigil__err_set(err, VIGIL_EINVAL, "%g seconds per hash at %g frames/s is too many frames apart",
                                s.o.seconds_per_hash, rate);
            goto out;
        }
        s.mod = (int)m; /* filehasher.cpp: static_cast<int>(secondsPerHash * frameRate) */
        if (s.mod == 0) s.mod = 1;
        s.ref_fps = (float)rate;
        out->frame_rate = rate;
        out->ref_form = 1;
        double per_s = rate / (double)s.mod * 1000.0;
        out->fps_milli = per_s < 1.0 ? 1u : per_s > 4.0e9 ? 4000000000u : (uint32_t)llround(per_s);
        s.period = (double)s.mod / rate;
        s.src_w = dec->width;
        s.src_h = dec->height;
        s.src_fmt = dec->pix_fmt;
        s.dst_w = st->codecpar->width;
        s.dst_h = st->codecpar->height;
        s.sws = sws_getContext(s.src_w, s.src_h, dec->pix_fmt, s.dst_w, s.dst_h, AV_PIX_FMT_RGB24, SWS_AREA, NULL, NULL,
                               NULL);
        if (!s.sws) {
            rc = vigil__err_set(err, VIGIL_EFORMAT, "video frames in pixel format '%s' cannot be converted",
                                av_get_pix_fmt_name(dec->pix_fmt) ? av_get_pix_fmt_name(dec->pix_fmt) : "?");
            goto out;
        }
        s.ref_rgb = av_frame_alloc();
        if (s.ref_rgb) {
            s.ref_rgb->format = AV_PIX_FMT_RGB24;
            s.ref_rgb->width = s.dst_w;
            s.ref_rgb->height = s.dst_h;
        }
        if (!s.ref_rgb || av_frame_get_buffer(s.ref_rgb, 0) < 0) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
            goto out;
        }
    }
    AVRational fr_rate = st->avg_frame_rate.num > 0 && st->avg_frame_rate.den > 0 ? st->avg_frame_rate : st->r_frame_rate;
    s.frame_dur = fr_rate.num > 0 && fr_rate.den > 0 ? av_q2d(av_inv_q(fr_rate)) : 0.04;
    if (tmk) { /* ffmpeg's input frame rate: av_guess_frame_rate */
        AVRational g = av_guess_frame_rate(fc, st, NULL);
        if (g.num <= 0 || g.den <= 0) {
            rc = vigil__err_set(err, VIGIL_EFORMAT, "the video stream states no frame rate (%d/%d): TMK resamples "
                                "by frame rate", g.num, g.den);
            goto out;
        }
        s.in_dur = (double)VIGIL_TMK_FPS * g.den / g.num;
        if (s.in_dur > 1.0) s.in_dur = 1.0;
    }
    if (!(s.frame_dur > 0.0) || s.frame_dur > 10.0) s.frame_dur = 0.04;
    pkt = av_packet_alloc();
    fr = av_frame_alloc();
    if (!pkt || !fr) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    for (;;) {
        ret = av_read_frame(fc, pkt);
        if (ret == AVERROR_EOF) break;
        if (ret < 0) {
            av_reason(ret, why, sizeof why);
            rc = vigil__err_set(err, ret == AVERROR(EIO) ? VIGIL_EIO : VIGIL_ECORRUPT,
                                "damaged container after %.3f s: %s", s.last_t, why);
            goto out;
        }
        if (pkt->stream_index == vs) {
            ret = avcodec_send_packet(dec, pkt);
            if (ret < 0 && ret != AVERROR(EAGAIN)) {
                av_reason(ret, why, sizeof why);
                rc = vigil__err_set(err, VIGIL_ECORRUPT, "damaged video data after %.3f s: %s", s.last_t, why);
                goto out;
            }
            rc = drain(&s, dec, fr, err);
            if (rc != VIGIL_OK) goto out;
        }
        av_packet_unref(pkt);
    }
    avcodec_send_packet(dec, NULL); /* flush the frames the decoder holds */
    rc = drain(&s, dec, fr, err);
    if (rc != VIGIL_OK) goto out;
    if (tmk && s.have_prev) vigil__tmk_finish(tmk);
    if (tmk ? tmk->frame_count == 0 : out->n == 0 && !(decode_only && out->decoded)) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "no video frame could be decoded%s%s",
                            av_last[0] ? ": " : "", av_last);
        goto out;
    }
    /* A stream that ends well before the length it declares is truncated
     * (the stream's own duration, or the file's when video is all it has). */
    double declared = 0.0;
    if (st->duration > 0 && st->duration != AV_NOPTS_VALUE)
        declared = (double)st->duration * av_q2d(st->time_base);
    else if (fc->nb_streams == 1 && fc->duration > 0 && fc->duration_estimation_method != AVFMT_DURATION_FROM_BITRATE)
        declared = (double)fc->duration / AV_TIME_BASE;
    double seen = s.last_t + s.frame_dur;
    if (declared > 0.0 && seen < declared - (declared * 0.05 > 2.0 ? declared * 0.05 : 2.0)) {
        rc = vigil__err_set(err, VIGIL_ECORRUPT, "truncated: video frames end at %.1f s of the %.1f s the file declares",
                            seen, declared);
        goto out;
    }
    out->duration = declared > 0.0 ? declared : seen;
    set_durations(&s);
out:
    av_dict_free(&dopts);
    av_frame_free(&fr);
    av_packet_free(&pkt);
    avcodec_free_context(&dec);
    avformat_close_input(&fc);
    if (pb) {
        av_freep(&pb->buffer);
        avio_context_free(&pb);
    }
    sws_freeContext(s.sws);
    av_frame_free(&s.ref_rgb);
    free(s.rgb64);
    av_free(s.rgb);
    vigil_hasher_free(s.hasher);
    return rc;
}

/* ---- digests of a file, streamed --------------------------------------- */

static vigil_status file_digests(FILE *f, const char *path, uint8_t md5[16], uint8_t sha[32], vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    EVP_MD_CTX *a = EVP_MD_CTX_new(), *b = EVP_MD_CTX_new();
    uint8_t *buf = malloc(1u << 20);
    if (!a || !b || !buf || !EVP_DigestInit_ex(a, EVP_md5(), NULL) || !EVP_DigestInit_ex(b, EVP_sha256(), NULL)) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        goto out;
    }
    rewind(f);
    size_t got;
    while ((got = fread(buf, 1, 1u << 20, f)) > 0) {
        if (!EVP_DigestUpdate(a, buf, got) || !EVP_DigestUpdate(b, buf, got)) {
            rc = vigil__err_set(err, VIGIL_EINTERNAL, "digest failed");
            goto out;
        }
    }
    if (ferror(f)) {
        rc = vigil__err_set(err, VIGIL_EIO, "%s: read error: %s", path, strerror(errno));
        goto out;
    }
    unsigned la = 0, lb = 0;
    if (!EVP_DigestFinal_ex(a, md5, &la) || !EVP_DigestFinal_ex(b, sha, &lb))
        rc = vigil__err_set(err, VIGIL_EINTERNAL, "digest failed");
    rewind(f);
out:
    free(buf);
    EVP_MD_CTX_free(a);
    EVP_MD_CTX_free(b);
    return rc;
}

/* ---- public entry points ----------------------------------------------- */

vigil_status vigil_video_hash_file(const char *path, const vigil_video_opts *opts,
                                   vigil_video_hash *out, vigil_err *err) {
    if (!path || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_hash_file: NULL argument");
    memset(out, 0, sizeof *out);
    io_src src;
    memset(&src, 0, sizeof src);
    src.f = fopen(path, "rb");
    if (!src.f) {
        int e = errno;
        return vigil__err_set(err, e == ENOENT ? VIGIL_ENOENT : VIGIL_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    vigil_status rc = VIGIL_OK;
    struct stat sb;
    if (fstat(fileno(src.f), &sb) != 0 || S_ISDIR(sb.st_mode)) {
        rc = vigil__err_set(err, VIGIL_EIO, "%s: is a directory", path);
        goto out;
    }
    src.size = S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : -1;
    if (opts && (opts->flags & VIGIL_HASH_DIGESTS)) {
        rc = file_digests(src.f, path, out->md5, out->sha256, err);
        if (rc != VIGIL_OK) goto out;
    }
    uint8_t md5[16], sha[32];
    memcpy(md5, out->md5, 16);
    memcpy(sha, out->sha256, 32);
    rc = hash_source(&src, opts, 0, NULL, out, err);
    memcpy(out->md5, md5, 16);
    memcpy(out->sha256, sha, 32);
out:
    fclose(src.f);
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}

vigil_status vigil_video_hash_bytes(const void *data, size_t len, const vigil_video_opts *opts,
                                    vigil_video_hash *out, vigil_err *err) {
    if (!out || (!data && len)) return vigil__err_set(err, VIGIL_EINVAL, "vigil_video_hash_bytes: NULL argument");
    memset(out, 0, sizeof *out);
    vigil_decode_limits lim;
    vigil__limits_resolve(opts ? &opts->limits : NULL, &lim);
    if ((uint64_t)len > lim.max_file_bytes)
        return vigil__err_set(err, VIGIL_ELIMIT, "input is %zu bytes, over the limit of %llu", len,
                              (unsigned long long)lim.max_file_bytes);
    if (len == 0) return vigil__err_set(err, VIGIL_EFORMAT, "empty input (0 bytes)");
    io_src src;
    memset(&src, 0, sizeof src);
    src.mem = data;
    src.mem_len = len;
    src.size = (int64_t)len;
    vigil_status rc = VIGIL_OK;
    if (opts && (opts->flags & VIGIL_HASH_DIGESTS)) rc = vigil_digest(data, len, out->md5, out->sha256, err);
    if (rc == VIGIL_OK) {
        uint8_t md5[16], sha[32];
        memcpy(md5, out->md5, 16);
        memcpy(sha, out->sha256, 32);
        rc = hash_source(&src, opts, 0, NULL, out, err);
        memcpy(out->md5, md5, 16);
        memcpy(out->sha256, sha, 32);
    }
    if (rc != VIGIL_OK) vigil_video_hash_clear(out);
    return rc;
}

vigil_status vigil__video_decode_only(const char *path, const vigil_video_opts *opts, uint64_t *frames,
                                      vigil_err *err) {
    vigil_video_hash v;
    memset(&v, 0, sizeof v);
    io_src src;
    memset(&src, 0, sizeof src);
    src.f = fopen(path, "rb");
    if (!src.f) return vigil__err_set(err, VIGIL_ENOENT, "%s: cannot open: %s", path, strerror(errno));
    struct stat sb;
    src.size = fstat(fileno(src.f), &sb) == 0 ? (int64_t)sb.st_size : -1;
    vigil_status rc = hash_source(&src, opts, 1, NULL, &v, err);
    *frames = v.decoded;
    fclose(src.f);
    vigil_video_hash_clear(&v);
    return rc;
}

vigil_status vigil_tmk_hash_file(const char *path, const vigil_video_opts *opts, vigil_tmk **out, vigil_err *err) {
    if (!path || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_hash_file: NULL argument");
    *out = NULL;
    vigil_video_hash v;
    memset(&v, 0, sizeof v);
    io_src src;
    memset(&src, 0, sizeof src);
    src.f = fopen(path, "rb");
    if (!src.f) {
        int e = errno;
        return vigil__err_set(err, e == ENOENT ? VIGIL_ENOENT : VIGIL_EIO, "%s: cannot open: %s", path, strerror(e));
    }
    vigil_tmk *t = NULL;
    struct stat sb;
    vigil_status rc = VIGIL_OK;
    if (fstat(fileno(src.f), &sb) != 0 || S_ISDIR(sb.st_mode)) {
        rc = vigil__err_set(err, VIGIL_EIO, "%s: is a directory", path);
        goto out;
    }
    src.size = S_ISREG(sb.st_mode) ? (int64_t)sb.st_size : -1;
    rc = vigil__tmk_new(&t, err);
    if (rc == VIGIL_OK) rc = hash_source(&src, opts, 0, t, &v, err);
out:
    fclose(src.f);
    vigil_video_hash_clear(&v);
    if (rc != VIGIL_OK) {
        vigil_tmk_free(t);
        return rc;
    }
    *out = t;
    return VIGIL_OK;
}

vigil_status vigil_tmk_hash_bytes(const void *data, size_t len, const vigil_video_opts *opts, vigil_tmk **out,
                                  vigil_err *err) {
    if (!out || (!data && len)) return vigil__err_set(err, VIGIL_EINVAL, "vigil_tmk_hash_bytes: NULL argument");
    *out = NULL;
    vigil_decode_limits lim;
    vigil__limits_resolve(opts ? &opts->limits : NULL, &lim);
    if ((uint64_t)len > lim.max_file_bytes)
        return vigil__err_set(err, VIGIL_ELIMIT, "input is %zu bytes, over the limit of %llu", len,
                              (unsigned long long)lim.max_file_bytes);
    if (len == 0) return vigil__err_set(err, VIGIL_EFORMAT, "empty input (0 bytes)");
    io_src src;
    memset(&src, 0, sizeof src);
    src.mem = data;
    src.mem_len = len;
    src.size = (int64_t)len;
    vigil_video_hash v;
    memset(&v, 0, sizeof v);
    vigil_tmk *t = NULL;
    vigil_status rc = vigil__tmk_new(&t, err);
    if (rc == VIGIL_OK) rc = hash_source(&src, opts, 0, t, &v, err);
    vigil_video_hash_clear(&v);
    if (rc != VIGIL_OK) {
        vigil_tmk_free(t);
        return rc;
    }
    *out = t;
    return VIGIL_OK;
}
