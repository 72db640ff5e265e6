/*
 * src/text/minhash.c - MinHash signatures of texts (format "mh1"): word and
 * character shingles of the normalised text, 128 min-wise hash values, the
 * base64url bank form and its validation, and the similarity estimate.
 *
 * The mh1 definition (changing any of it needs a new prefix):
 *  - units: vigil__text_walk (normalize.c); unit hash u = FNV-1a 64 of its
 *    normalised UTF-8 bytes;
 *  - shingles: 3 consecutive words, 4 consecutive unspaced-script
 *    characters; a stream with fewer units than that is one shingle of all
 *    of them.  Shingle hash: h = domain (1 words, 2 characters); for each
 *    unit, h = mix64(h * 0x9E3779B97F4A7C15 + u);
 *  - value i = min over shingles of (a_i * h + b_i) >> 32 (64-bit
 *    arithmetic), with a_i (made odd), b_i the splitmix64 sequence from
 *    seed 0x766967696c6d6831 ("vigilmh1"), a_0 b_0 a_1 b_1 ...
 */
#include <string.h>

#include "common/err.h"
#include "text/text_internal.h"

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL
#define GOLDEN 0x9E3779B97F4A7C15ULL
#define MH1_SEED 0x766967696c6d6831ULL

typedef struct shingler {
    uint64_t ring[VIGIL_TEXT_CHAR_SHINGLE]; /* the last k unit hashes */
    size_t seen;                            /* units so far */
    int k;
    uint64_t domain;
} shingler;

typedef struct mh_ctx {
    uint64_t a[VIGIL_MINHASH_N], b[VIGIL_MINHASH_N];
    uint32_t v[VIGIL_MINHASH_N];
    shingler words, chars;
    size_t shingles;
} mh_ctx;

static uint64_t splitmix_next(uint64_t *state) {
    *state += GOLDEN;
    return vigil__mix64(*state);
}

/* The value loop, the hot spot: vectorised for AVX-512 and AVX2 as well
 * and picked at load time (GCC/clang function multiversioning).  Integer
 * arithmetic: every version gives the same values (test text/golden). */
#if defined(__x86_64__) && defined(__linux__) && (defined(__GNUC__) || defined(__clang__))
#define MH_CLONES __attribute__((target_clones("arch=skylake-avx512", "avx2", "default")))
#else
#define MH_CLONES
#endif

MH_CLONES static void mh_add(mh_ctx *c, uint64_t h) {
    for (int i = 0; i < VIGIL_MINHASH_N; i++) {
        uint32_t x = (uint32_t)((c->a[i] * h + c->b[i]) >> 32);
        if (x < c->v[i]) c->v[i] = x;
    }
    c->shingles++;
}

/* The hash of the last `n` units of s (n <= k), oldest first. */
static uint64_t shingle_hash(const shingler *s, size_t n) {
    uint64_t h = s->domain;
    for (size_t j = 0; j < n; j++) {
        size_t idx = (s->seen - n + j) % (size_t)s->k;
        h = vigil__mix64(h * GOLDEN + s->ring[idx]);
    }
    return h;
}

static void shingler_push(mh_ctx *c, shingler *s, uint64_t u) {
    s->ring[s->seen % (size_t)s->k] = u;
    s->seen++;
    if (s->seen >= (size_t)s->k) mh_add(c, shingle_hash(s, (size_t)s->k));
}

static void shingler_end(mh_ctx *c, const shingler *s) {
    if (s->seen > 0 && s->seen < (size_t)s->k) mh_add(c, shingle_hash(s, s->seen));
}

static int mh_unit(void *ctx, const char *unit, size_t n, int is_char) {
    mh_ctx *c = ctx;
    uint64_t u = FNV_OFFSET;
    for (size_t i = 0; i < n; i++) u = (u ^ (unsigned char)unit[i]) * FNV_PRIME;
    shingler_push(c, is_char ? &c->chars : &c->words, u);
    return 0;
}

vigil_status vigil_text_minhash(const void *data, size_t len, vigil_text_sig *sig,
                                size_t *shingles, vigil_err *err) {
    if (!sig) return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_minhash: NULL argument");
    mh_ctx c;
    memset(&c, 0, sizeof c);
    uint64_t st = MH1_SEED;
    for (int i = 0; i < VIGIL_MINHASH_N; i++) {
        c.a[i] = splitmix_next(&st) | 1;
        c.b[i] = splitmix_next(&st);
        c.v[i] = UINT32_MAX;
    }
    c.words.k = VIGIL_TEXT_WORD_SHINGLE;
    c.words.domain = 1;
    c.chars.k = VIGIL_TEXT_CHAR_SHINGLE;
    c.chars.domain = 2;
    vigil_status rc = vigil__text_walk(data, len, mh_unit, &c, NULL, err);
    if (rc != VIGIL_OK) return rc;
    shingler_end(&c, &c.words);
    shingler_end(&c, &c.chars);
    memcpy(sig->v, c.v, sizeof sig->v);
    if (shingles) *shingles = c.shingles;
    return VIGIL_OK;
}

double vigil_text_similarity(const vigil_text_sig *a, const vigil_text_sig *b) {
    int eq = 0;
    for (int i = 0; i < VIGIL_MINHASH_N; i++) eq += a->v[i] == b->v[i];
    return (double)eq / VIGIL_MINHASH_N;
}

/* ---- the bank form: "mh1:" + base64url ---------------------------------- */

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
#define SIG_BYTES (VIGIL_MINHASH_N * 4)
#define PREFIX_LEN 4

void vigil_text_sig_format(const vigil_text_sig *sig, char out[VIGIL_TEXT_SIG_LEN + 1]) {
    uint8_t raw[SIG_BYTES];
    for (int i = 0; i < VIGIL_MINHASH_N; i++) {
        raw[4 * i] = (uint8_t)(sig->v[i] >> 24);
        raw[4 * i + 1] = (uint8_t)(sig->v[i] >> 16);
        raw[4 * i + 2] = (uint8_t)(sig->v[i] >> 8);
        raw[4 * i + 3] = (uint8_t)sig->v[i];
    }
    for (int i = 0; i < PREFIX_LEN; i++) out[i] = VIGIL_TEXT_SIG_PREFIX[i];
    char *o = out + PREFIX_LEN;
    size_t i = 0;
    for (; i + 3 <= SIG_BYTES; i += 3) {
        uint32_t x = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 | raw[i + 2];
        *o++ = b64[x >> 18];
        *o++ = b64[(x >> 12) & 63];
        *o++ = b64[(x >> 6) & 63];
        *o++ = b64[x & 63];
    }
    /* 512 = 3 * 170 + 2: two bytes left, three characters */
    uint32_t x = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8;
    *o++ = b64[x >> 18];
    *o++ = b64[(x >> 12) & 63];
    *o++ = b64[(x >> 6) & 63];
    *o = '\0';
}

static int b64_val(unsigned char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
}

#define MAKE_ONE "(make one with `vigil hash --text FILE`)"

vigil_status vigil_text_sig_parse(const char *s, vigil_text_sig *sig, vigil_err *err) {
    if (!s) return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_sig_parse: NULL argument");
    size_t n = strlen(s);
    if (n >= PREFIX_LEN && strncmp(s, VIGIL_TEXT_SIG_PREFIX, PREFIX_LEN) != 0)
        return vigil__err_set(err, VIGIL_EPARSE,
                              "bad text signature: it must start with '" VIGIL_TEXT_SIG_PREFIX
                              "' " MAKE_ONE);
    if (n != VIGIL_TEXT_SIG_LEN)
        return vigil__err_set(err, VIGIL_EPARSE,
                              "bad text signature: expected %d characters ('" VIGIL_TEXT_SIG_PREFIX
                              "' and %d base64url), got %zu " MAKE_ONE,
                              VIGIL_TEXT_SIG_LEN, VIGIL_TEXT_SIG_LEN - PREFIX_LEN, n);
    uint8_t raw[SIG_BYTES + 1];
    const unsigned char *p = (const unsigned char *)s + PREFIX_LEN;
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < VIGIL_TEXT_SIG_LEN - PREFIX_LEN; i++) {
        int v = b64_val(p[i]);
        if (v < 0) {
            if (p[i] >= 0x21 && p[i] < 0x7f)
                return vigil__err_set(err, VIGIL_EPARSE,
                                      "bad text signature: '%c' at position %zu is not a base64url "
                                      "character (A-Z a-z 0-9 - _)",
                                      p[i], i + PREFIX_LEN + 1);
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "bad text signature: byte 0x%02x at position %zu is not a "
                                  "base64url character (A-Z a-z 0-9 - _)",
                                  p[i], i + PREFIX_LEN + 1);
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            raw[o++] = (uint8_t)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (acc != 0) /* the two unused bits of the last character */
        return vigil__err_set(err, VIGIL_EPARSE,
                              "bad text signature: its last character has unused bits set "
                              "(not a form vigil writes) " MAKE_ONE);
    if (sig)
        for (int i = 0; i < VIGIL_MINHASH_N; i++)
            sig->v[i] = (uint32_t)raw[4 * i] << 24 | (uint32_t)raw[4 * i + 1] << 16 |
                        (uint32_t)raw[4 * i + 2] << 8 | raw[4 * i + 3];
    return VIGIL_OK;
}

vigil_status vigil__text_value_canon(const char *value, const char **canon, vigil_err *err) {
    if (!value || !canon) return vigil__err_set(err, VIGIL_EINVAL, "no value given");
    while (*value == ' ' || *value == '\t' || *value == '\r' || *value == '\n') value++;
    vigil_status rc = vigil_text_sig_parse(value, NULL, err);
    if (rc == VIGIL_OK) *canon = value;
    return rc;
}
