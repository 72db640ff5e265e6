/*
 * bench/bench_hash.c - how fast vigil hashes JPEGs: decode and hash timed
 * separately, end to end, reduced-scale JPEG decoding, 1 and 2 threads, with
 * baselines measured in the same run (vigil's plain PDQ path; ImageMagick's
 * `convert`, the reference hasher's decoder, when installed) and against the
 * reference command-line hasher's published figures.
 * Usage: bench-hash [--quick] [--fixtures DIR]
 */
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hash/pdq_internal.h"
#include "imggen.h"
#include "vigil/hash.h"

/* The reference command-line hasher on this kind of machine, ~200 JPEGs of
 * 640-2048 px (figures given in issue #2): decode via an external converter,
 * then hash. */
#define REF_DECODE_MS 36.0
#define REF_HASH_MS 3.6

typedef struct jpg {
    uint8_t *data;
    size_t len;
    int w, h;
} jpg;

typedef struct set {
    const char *name;
    jpg *v;
    int n;
} set;

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what, const vigil_err *e) {
    fprintf(stderr, "bench-hash: %s: %s\n", what, e ? e->msg : "");
    exit(1);
}

/* Source pictures: the PDQ fixtures when present, else generated ones.
 * Each set encodes every source at each size at JPEG quality 90, then 75. */
static int load_sources(const char *dir, vigil_image ***out) {
    vigil_image **v = NULL;
    int n = 0;
    DIR *d = dir ? opendir(dir) : NULL;
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            size_t l = strlen(e->d_name);
            if (l < 5 || strcmp(e->d_name + l - 4, ".jpg") != 0) continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            uint8_t *data;
            size_t len;
            vigil_err err;
            vigil_image *img;
            if (vigil_read_file(path, 0, &data, &len, &err) != VIGIL_OK) continue;
            vigil_status st = vigil_image_decode(data, len, NULL, &img, &err);
            free(data);
            if (st != VIGIL_OK || img->fmt != VIGIL_PIX_RGB8 || img->width < 100) {
                vigil_image_free(st == VIGIL_OK ? img : NULL);
                continue;
            }
            v = realloc(v, (size_t)(n + 1) * sizeof *v);
            v[n++] = img;
        }
        closedir(d);
    }
    if (n == 0) {
        for (int i = 0; i < 20; i++) {
            vigil_image *img = calloc(1, sizeof *img);
            img->width = 800;
            img->height = 600;
            img->fmt = VIGIL_PIX_RGB8;
            img->stride = 800 * 3;
            img->pixels = imggen_pattern(800, 600, (unsigned)i + 100);
            v = realloc(v, (size_t)(n + 1) * sizeof *v);
            v[n++] = img;
        }
    }
    *out = v;
    return n;
}

static void make_set(set *s, const char *name, vigil_image **src, int nsrc, const int (*sizes)[2],
                     int nsizes, int limit) {
    s->name = name;
    s->n = 0;
    s->v = calloc((size_t)nsrc * nsizes * 2, sizeof *s->v);
    for (int pass = 0; pass < 2; pass++) {
        const int quality = pass ? 75 : 90;
        for (int i = 0; i < nsrc && s->n < limit; i++) {
            for (int k = 0; k < nsizes && s->n < limit; k++) {
                int w = sizes[k][0], h = sizes[k][1];
                if (src[i]->height > src[i]->width) {
                    int t = w;
                    w = h;
                    h = t;
                }
                uint8_t *rgb = imggen_resize(src[i]->pixels, src[i]->width, src[i]->height, w, h);
                jpg *j = &s->v[s->n];
                if (!rgb || imggen_jpeg(rgb, w, h, quality, &j->data, &j->len) != 0)
                    die("encode", NULL);
                free(rgb);
                j->w = w;
                j->h = h;
                s->n++;
            }
        }
    }
}

typedef struct run_stats {
    double decode_s, hash_s, plain_s, e2e_s, fast_s;
    int fast_max_dist;
    double fast_mean_dist;
} run_stats;

static void measure(const set *s, run_stats *st) {
    vigil_hasher *h = NULL, *hf = NULL;
    vigil_err err;
    vigil_hash_opts fo;
    vigil_hash_opts_init(&fo);
    fo.jpeg_fast_scale = 1;
    if (vigil_hasher_new(NULL, &h, &err) != VIGIL_OK ||
        vigil_hasher_new(&fo, &hf, &err) != VIGIL_OK)
        die("hasher", &err);
    vigil__pdq_work w;
    memset(&w, 0, sizeof w);
    memset(st, 0, sizeof *st);
    long dist_sum = 0;
    for (int i = 0; i < s->n; i++) {
        const jpg *j = &s->v[i];
        vigil_image *img;
        vigil_hash_result r, rf, re;
        double t0 = now_s();
        if (vigil_image_decode(j->data, j->len, NULL, &img, &err) != VIGIL_OK) die("decode", &err);
        double t1 = now_s();
        if (vigil_hasher_image(h, img, &r, &err) != VIGIL_OK) die("hash", &err);
        double t2 = now_s();
        /* the plain path, from the same 512x512 luma the fast path sees */
        int rows = img->height > 512 || img->width > 512 ? 512 : img->height;
        int cols = img->height > 512 || img->width > 512 ? 512 : img->width;
        float *l = malloc((size_t)rows * cols * sizeof(float)),
              *t = malloc((size_t)rows * cols * sizeof(float));
        for (int y = 0; y < rows; y++) {
            const uint8_t *row =
                img->pixels + (size_t)((double)y * img->height / rows) * img->stride;
            for (int x = 0; x < cols; x++) {
                const uint8_t *p = row + (size_t)((double)x * img->width / cols) * 3;
                l[y * cols + x] =
                    VIGIL__LUMA_R * p[0] + VIGIL__LUMA_G * p[1] + VIGIL__LUMA_B * p[2];
            }
        }
        vigil_pdq ph;
        int pq;
        double t3 = now_s();
        vigil__pdq_from_luma_plain(l, t, rows, cols, 0, &ph, &pq);
        double t4 = now_s();
        free(l);
        free(t);
        vigil_image_free(img);
        if (vigil_hasher_bytes(h, j->data, j->len, &re, &err) != VIGIL_OK) die("e2e", &err);
        double t5 = now_s();
        if (vigil_hasher_bytes(hf, j->data, j->len, &rf, &err) != VIGIL_OK) die("fast", &err);
        double t6 = now_s();
        st->decode_s += t1 - t0;
        st->hash_s += t2 - t1;
        st->plain_s += t4 - t3;
        st->e2e_s += t5 - t4;
        st->fast_s += t6 - t5;
        int d = vigil_pdq_distance(&re.pdq, &rf.pdq);
        if (d > st->fast_max_dist) st->fast_max_dist = d;
        dist_sum += d;
        if (vigil_pdq_distance(&ph, &r.pdq) != 0 || pq != r.quality) die("plain != fast", NULL);
        if (vigil_pdq_distance(&re.pdq, &r.pdq) != 0) die("streaming != decoded", NULL);
    }
    st->fast_mean_dist = s->n ? (double)dist_sum / s->n : 0;
    vigil_hasher_free(h);
    vigil_hasher_free(hf);
}

/* 2 threads, end to end, each with its own hasher over half the set. */
typedef struct thr_arg {
    const set *s;
    int from, step;
} thr_arg;

static void *thr_main(void *p) {
    thr_arg *a = p;
    vigil_hasher *h = NULL;
    vigil_err err;
    vigil_hash_result r;
    if (vigil_hasher_new(NULL, &h, &err) != VIGIL_OK) die("hasher", &err);
    for (int i = a->from; i < a->s->n; i += a->step)
        if (vigil_hasher_bytes(h, a->s->v[i].data, a->s->v[i].len, &r, &err) != VIGIL_OK)
            die("mt", &err);
    vigil_hasher_free(h);
    return NULL;
}

static double measure_threads(const set *s, int nthreads) {
    pthread_t t[8];
    thr_arg a[8];
    double t0 = now_s();
    for (int i = 0; i < nthreads; i++) {
        a[i] = (thr_arg){s, i, nthreads};
        pthread_create(&t[i], NULL, thr_main, &a[i]);
    }
    for (int i = 0; i < nthreads; i++)
        pthread_join(t[i], NULL);
    return now_s() - t0;
}

/* The reference's decode path: ImageMagick's convert to PPM, one process per
 * image, as CImg runs it.  -1 if convert is not installed. */
static double measure_convert(const set *s, int limit) {
    if (system("convert -version > /dev/null 2>&1") != 0) return -1;
    char tmpl[] = "/tmp/vigil-bench-XXXXXX";
    int fd = mkstemp(tmpl);
    if (fd < 0) return -1;
    close(fd);
    double total = 0;
    int n = 0;
    for (int i = 0; i < s->n && n < limit; i++, n++) {
        FILE *f = fopen(tmpl, "wb");
        if (!f) break;
        fwrite(s->v[i].data, 1, s->v[i].len, f);
        fclose(f);
        char cmd[256];
        snprintf(cmd, sizeof cmd, "convert 'jpg:%s' ppm:- > /dev/null 2>&1", tmpl);
        double t0 = now_s();
        if (system(cmd) != 0) break;
        total += now_s() - t0;
    }
    unlink(tmpl);
    return n ? total / n : -1;
}

static void report(const set *s, int convert_n) {
    run_stats st;
    measure(s, &st);
    const double n = s->n;
    double dec = st.decode_s / n * 1e3, hash = st.hash_s / n * 1e3, plain = st.plain_s / n * 1e3;
    double e2e = st.e2e_s / n * 1e3, fast = st.fast_s / n * 1e3;
    double mt2 = measure_threads(s, 2);
    printf("\n%s: %d JPEGs\n", s->name, s->n);
    printf("  decode (libjpeg-turbo, full RGB)   %8.2f ms/image\n", dec);
    printf("  hash a decoded image (fast path)   %8.3f ms/image\n", hash);
    printf("  hash, plain path (baseline)        %8.3f ms/image   fast is %.1fx faster\n", plain,
           plain / hash);
    printf("  end to end (streaming decode+hash) %8.2f ms/image = %6.1f images/s (1 thread)\n", e2e,
           1e3 / e2e);
    printf("  end to end, 2 threads              %17s %6.1f images/s\n", "", n / mt2);
    printf("  --jpeg-fast end to end             %8.2f ms/image = %6.1f images/s, %.1fx; "
           "distance to exact: max %d, mean %.2f\n",
           fast, 1e3 / fast, e2e / fast, st.fast_max_dist, st.fast_mean_dist);
    printf("  reference hasher (published)       %8.2f ms/image = %6.1f images/s "
           "(decode %.1f + hash %.1f)\n",
           REF_DECODE_MS + REF_HASH_MS, 1e3 / (REF_DECODE_MS + REF_HASH_MS), REF_DECODE_MS,
           REF_HASH_MS);
    printf("  ratio vigil / reference, images/s  %8.1fx (1 thread), %.1fx (2 threads); "
           "hash alone %.0fx\n",
           (REF_DECODE_MS + REF_HASH_MS) / e2e, (REF_DECODE_MS + REF_HASH_MS) / (mt2 / n * 1e3),
           REF_HASH_MS / hash);
    if (convert_n > 0) {
        double cv = measure_convert(s, convert_n);
        if (cv > 0)
            printf("  convert->PPM (reference's decoder, measured now, %d images) %.2f ms/image: "
                   "vigil end to end is %.1fx faster\n",
                   convert_n, cv * 1e3, cv * 1e3 / e2e);
        else
            printf("  (ImageMagick convert not installed: no same-run decoder baseline)\n");
    }
}

int main(int argc, char **argv) {
    int quick = 0;
    const char *fixtures = "../shared/fixtures/pdq/images";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--fixtures") == 0 && i + 1 < argc)
            fixtures = argv[++i];
        else {
            fprintf(stderr, "usage: bench-hash [--quick] [--fixtures DIR]\n");
            return 2;
        }
    }
    vigil_image **src;
    int nsrc = load_sources(fixtures, &src);
    printf("vigil bench-hash: %d source pictures (%s)\n", nsrc,
           nsrc == 20 ? "generated" : fixtures);
    static const int mid[][2] = {{640, 480}, {1024, 768}, {1600, 1200}, {2048, 1536}};
    static const int big[][2] = {{4000, 3000}};
    static const int small[][2] = {{320, 240}, {512, 384}};
    set s1, s2, s3;
    make_set(&s1, "640-2048 px (the reference's workload)", src, nsrc, mid, 4, quick ? 24 : 200);
    make_set(&s2, "4000x3000 px", src, nsrc, big, 1, quick ? 3 : 10);
    make_set(&s3, "320-512 px (no resize step)", src, nsrc, small, 2, quick ? 10 : 50);
    report(&s1, quick ? 5 : 20);
    report(&s2, 0);
    report(&s3, 0);
    for (int i = 0; i < nsrc; i++)
        vigil_image_free(src[i]);
    free(src);
    set *sets[] = {&s1, &s2, &s3};
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < sets[k]->n; i++)
            free(sets[k]->v[i].data);
        free(sets[k]->v);
    }
    return 0;
}
