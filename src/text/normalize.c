/*
 * src/text/normalize.c - checking and normalising texts: UTF-8 validation
 * with actionable messages, then utf8proc's NFKC + case folding, Arabic
 * folding, digit folding, and the split into words (or single characters
 * for scripts written without spaces) that the fingerprint is built from.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/utf8.h"
#include "text/text_internal.h"
#include "vigil/image.h"

/* Input is normalised in pieces of about this size, cut just before an
 * ASCII byte: NFKC and case folding never join an ASCII character to what
 * precedes it, so the pieces normalise as the whole would. */
#define PIECE_BYTES (64 * 1024)
#define PIECE_MAX (4 * PIECE_BYTES)

vigil_status vigil_text_check(const void *data, size_t len, vigil_err *err) {
    const unsigned char *p = data;
    if (!data && len) return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_check: NULL data");
    if (len == 0) return vigil__err_set(err, VIGIL_EFORMAT, "empty input (0 bytes)");
    if (len >= 2 && ((p[0] == 0xFF && p[1] == 0xFE) || (p[0] == 0xFE && p[1] == 0xFF)))
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "text is UTF-16, not UTF-8 (convert it: iconv -f UTF-16 -t UTF-8)");
    size_t sample = len < 512 ? len : 512, even = 0, odd = 0;
    for (size_t i = 0; i < sample; i++)
        if (!p[i]) *(i & 1 ? &odd : &even) += 1;
    if (sample >= 4 && (even * 3 >= sample / 2 || odd * 3 >= sample / 2))
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "text looks like UTF-16 (NUL bytes between characters), not UTF-8 "
                              "(convert it: iconv -f UTF-16 -t UTF-8)");
    const void *nul = memchr(p, 0, len);
    size_t bad = vigil__utf8_check((const char *)p, len);
    size_t nulpos = nul ? (size_t)((const unsigned char *)nul - p) + 1 : 0;
    if (bad && (!nulpos || bad < nulpos))
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "not UTF-8 text: invalid byte 0x%02x at byte %zu (convert it to "
                              "UTF-8, e.g. iconv -f LATIN1 -t UTF-8)",
                              p[bad - 1], bad);
    if (nulpos) return vigil__err_set(err, VIGIL_EFORMAT, "not text: NUL byte at byte %zu", nulpos);
    return VIGIL_OK;
}

vigil_status vigil_text_read_file(const char *path, uint64_t max_bytes, char **data, size_t *len,
                                  vigil_err *err) {
    if (!path || !data || !len)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_read_file: NULL argument");
    uint8_t *buf = NULL;
    size_t n = 0;
    vigil_status rc = vigil_read_file(strcmp(path, "-") == 0 ? "/dev/stdin" : path,
                                      max_bytes ? max_bytes : VIGIL_TEXT_MAX_BYTES, &buf, &n, err);
    if (rc != VIGIL_OK) return rc;
    rc = vigil_text_check(buf, n, err);
    if (rc != VIGIL_OK) {
        free(buf);
        return rc;
    }
    uint8_t *b2 = realloc(buf, n + 1);
    if (!b2) {
        free(buf);
        return vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory", path);
    }
    b2[n] = 0;
    *data = (char *)b2;
    *len = n;
    return VIGIL_OK;
}

/* Letters of scripts written without spaces between words: each is a unit. */
static int unspaced(int32_t c) {
    return (c >= 0x0E00 && c <= 0x0FFF)     /* Thai, Lao, Tibetan */
           || (c >= 0x1000 && c <= 0x109F)  /* Myanmar */
           || (c >= 0x1780 && c <= 0x17FF)  /* Khmer */
           || (c >= 0x19E0 && c <= 0x19FF)  /* Khmer symbols */
           || (c >= 0x2E80 && c <= 0x2FDF)  /* CJK radicals, Kangxi */
           || (c >= 0x3005 && c <= 0x3007)  /* ideographic iteration, zero */
           || (c >= 0x3040 && c <= 0x30FF)  /* Hiragana, Katakana */
           || (c >= 0x31F0 && c <= 0x31FF)  /* Katakana extension */
           || (c >= 0x3400 && c <= 0x4DBF)  /* CJK extension A */
           || (c >= 0x4E00 && c <= 0x9FFF)  /* CJK unified ideographs */
           || (c >= 0xA9E0 && c <= 0xA9FF)  /* Myanmar extended B */
           || (c >= 0xAA60 && c <= 0xAA7F)  /* Myanmar extended A */
           || (c >= 0xF900 && c <= 0xFAFF)  /* CJK compatibility */
           || (c >= 0x20000 && c <= 0x3FFFF); /* CJK extensions B.. */
}

/* Arabic marks that writers add or leave out: harakat, Quranic marks. */
static int arabic_optional(int32_t c) {
    return (c >= 0x0610 && c <= 0x061A) || (c >= 0x064B && c <= 0x065F) || c == 0x0670 ||
           (c >= 0x06D6 && c <= 0x06DC) || (c >= 0x06DF && c <= 0x06E8) ||
           (c >= 0x06EA && c <= 0x06ED) || c == 0x0640 /* tatweel */;
}

/* Letter variants folded to one form, and native digits to ASCII. */
static int32_t fold(int32_t c) {
    switch (c) {
    case 0x0622: /* alef with madda */
    case 0x0623: /* alef with hamza above */
    case 0x0625: /* alef with hamza below */
    case 0x0671: /* alef wasla */
        return 0x0627;
    case 0x0649: /* alef maksura */
    case 0x06CC: /* Farsi yeh */
        return 0x064A;
    case 0x06A9: /* keheh */
        return 0x0643;
    case 0x0629: /* teh marbuta */
        return 0x0647;
    default: break;
    }
    if (c >= 0x0660 && c <= 0x0669) return '0' + (c - 0x0660);
    if (c >= 0x06F0 && c <= 0x06F9) return '0' + (c - 0x06F0);
    if (c >= 0x0966 && c <= 0x096F) return '0' + (c - 0x0966);
    if (c >= 0x09E6 && c <= 0x09EF) return '0' + (c - 0x09E6);
    return c;
}

typedef struct walker {
    vigil__text_unit_fn fn;
    void *ctx;
    char *word;
    size_t n, cap;
    size_t units;
    int failed;
} walker;

static int word_put(walker *w, const uint8_t *b, size_t n) {
    if (n == 0) return 0;
    if (!w->word || w->n + n > w->cap) {
        size_t ncap = vigil__grow_cap(w->cap, w->n + n, 256, 0);
        char *nw = ncap ? realloc(w->word, ncap) : NULL;
        if (!nw) return -1;
        w->word = nw;
        w->cap = ncap;
    }
    memcpy(w->word + w->n, b, n);
    w->n += n;
    return 0;
}

static void word_flush(walker *w) {
    if (!w->n || w->failed) return;
    if (w->fn(w->ctx, w->word, w->n, 0)) w->failed = 1;
    w->units++;
    w->n = 0;
}

/* Removes the optional Arabic marks and folds letter variants and digits
 * in the NFKD text s[0..len), in place; returns the new length.  Done on
 * the decomposed form, so that removing a mark (hamza above, madda) folds
 * the precomposed letters too, and composing afterwards is stable. */
static size_t filter_decomposed(uint8_t *s, size_t len) {
    size_t i = 0, o = 0;
    while (i < len) {
        int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0) { /* cannot happen on utf8proc's own output */
            i++;
            continue;
        }
        i += (size_t)k;
        if (arabic_optional(c)) continue;
        o += (size_t)utf8proc_encode_char(fold(c), s + o); /* never longer */
    }
    return o;
}

/* Walk one piece of plain ASCII: NFKC and the folding leave it as it is
 * but for upper case, and its word characters are the letters and digits. */
static void walk_ascii(walker *w, const uint8_t *s, size_t len) {
    for (size_t i = 0; i < len && !w->failed; i++) {
        uint8_t c = s[i];
        if (c >= 'A' && c <= 'Z') c = (uint8_t)(c + 'a' - 'A');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (word_put(w, &c, 1) != 0) w->failed = 1;
        } else {
            word_flush(w);
        }
    }
}

static int all_ascii(const uint8_t *s, size_t len) {
    uint8_t acc = 0;
    for (size_t i = 0; i < len; i++) acc |= s[i];
    return acc < 0x80;
}

/* Walk one normalised piece. */
static void walk_piece(walker *w, const uint8_t *s, size_t len) {
    size_t i = 0;
    while (i < len && !w->failed) {
        int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(len - i), &c);
        if (k <= 0) { /* cannot happen on utf8proc's own output */
            i++;
            continue;
        }
        i += (size_t)k;
        utf8proc_category_t cat = utf8proc_category(c);
        if (cat < UTF8PROC_CATEGORY_LU || cat > UTF8PROC_CATEGORY_NO) {
            word_flush(w);
            continue;
        }
        uint8_t b[4];
        utf8proc_ssize_t nb = utf8proc_encode_char(c, b);
        if (unspaced(c)) {
            word_flush(w);
            if (!w->failed && w->fn(w->ctx, (const char *)b, (size_t)nb, 1)) w->failed = 1;
            w->units++;
            continue;
        }
        if (word_put(w, b, (size_t)nb) != 0) w->failed = 1;
    }
}

vigil_status vigil__text_walk(const void *data, size_t len, vigil__text_unit_fn fn, void *ctx,
                              size_t *units, vigil_err *err) {
    vigil_status rc = vigil_text_check(data, len, err);
    if (rc != VIGIL_OK) return rc;
    const uint8_t *p = data;
    size_t pos = 0;
    if (len >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) pos = 3; /* BOM */
    walker w;
    memset(&w, 0, sizeof w);
    w.fn = fn;
    w.ctx = ctx;
    /* NFKD + case folding + ignorables removed; the Arabic/digit folding;
     * then canonical composition: NFKC_Casefold plus vigil's folding. */
    const utf8proc_option_t decomp = UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |
                                     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    const utf8proc_option_t comp = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    while (pos < len && !w.failed) {
        size_t end = len;
        if (len - pos > PIECE_BYTES) {
            end = pos + PIECE_BYTES;
            size_t lim = len - pos > PIECE_MAX ? pos + PIECE_MAX : len;
            while (end < lim && p[end] >= 0x80) end++;
            if (end == lim && lim < len) { /* no ASCII byte: cut at a character */
                end = pos + PIECE_BYTES;
                while ((p[end] & 0xC0) == 0x80) end++;
            }
        }
        if (all_ascii(p + pos, end - pos)) { /* the common case, without utf8proc */
            walk_ascii(&w, p + pos, end - pos);
            pos = end;
            continue;
        }
        uint8_t *dec = NULL, *out = NULL;
        utf8proc_ssize_t n = utf8proc_map(p + pos, (utf8proc_ssize_t)(end - pos), &dec, decomp);
        if (n >= 0) {
            n = (utf8proc_ssize_t)filter_decomposed(dec, (size_t)n);
            n = utf8proc_map(dec, n, &out, comp);
        }
        free(dec);
        if (n < 0) {
            free(w.word);
            if (n == UTF8PROC_ERROR_NOMEM || n == UTF8PROC_ERROR_OVERFLOW)
                return vigil__err_set(err, VIGIL_ENOMEM, "out of memory normalising the text");
            return vigil__err_set(err, VIGIL_EFORMAT, "cannot normalise the text: %s",
                                  utf8proc_errmsg(n));
        }
        walk_piece(&w, out, (size_t)n);
        free(out);
        pos = end;
    }
    word_flush(&w);
    free(w.word);
    if (w.failed) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory normalising the text");
    if (units) *units = w.units;
    if (!w.units)
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "text has no words (only blanks, punctuation or symbols)");
    return VIGIL_OK;
}

typedef struct strbuf {
    char *s;
    size_t n, cap;
} strbuf;

static int norm_unit(void *ctx, const char *unit, size_t n, int is_char) {
    (void)is_char;
    strbuf *b = ctx;
    if (!b->s || b->n + n + 2 > b->cap) {
        size_t ncap = vigil__grow_cap(b->cap, b->n + n + 2, 1024, 0);
        char *ns = ncap ? realloc(b->s, ncap) : NULL;
        if (!ns) return -1;
        b->s = ns;
        b->cap = ncap;
    }
    if (b->n) b->s[b->n++] = ' ';
    memcpy(b->s + b->n, unit, n);
    b->n += n;
    b->s[b->n] = '\0';
    return 0;
}

vigil_status vigil_text_normalize(const void *data, size_t len, char **out, size_t *out_len,
                                  vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_text_normalize: NULL argument");
    *out = NULL;
    strbuf b = {NULL, 0, 0};
    vigil_status rc = vigil__text_walk(data, len, norm_unit, &b, NULL, err);
    if (rc != VIGIL_OK) {
        free(b.s);
        return rc;
    }
    *out = b.s;
    if (out_len) *out_len = b.n;
    return VIGIL_OK;
}
