/*
 * vigil/text.h - text signals: Unicode normalisation (utf8proc), MinHash
 * fingerprints of word shingles with an LSH index for near-duplicate
 * search, the text matcher over the banks, and language identification
 * (CLD2).  Design and measured figures: docs/matching.md, "Text".
 */
#ifndef VIGIL_TEXT_H
#define VIGIL_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/bank.h"
#include "vigil/status.h"
#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Input text
 * ---------------------------------------------------------------------- */

#define VIGIL_TEXT_MAX_BYTES (16u * 1024 * 1024) /* default size limit of a text file */

/*! vigil_text_check() :
 *  Checks that `len` bytes at `data` are a text vigil can fingerprint:
 *  non-empty, valid UTF-8 (strict; a leading byte-order mark is allowed),
 *  no NUL bytes.  Thread-safe.
 *  @return VIGIL_OK; VIGIL_EFORMAT with a message a user can act on:
 *  "empty input (0 bytes)", "text is UTF-16, not UTF-8 (convert it: iconv
 *  -f UTF-16 -t UTF-8)", "not UTF-8 text: invalid byte 0xe9 at byte 17
 *  (convert it to UTF-8, e.g. iconv -f LATIN1 -t UTF-8)", "not text: NUL
 *  byte at byte 3". */
VIGIL_API vigil_status vigil_text_check(const void *data, size_t len, vigil_err *err);

/*! vigil_text_read_file() :
 *  Reads the text file at `path` ("-": standard input), at most `max_bytes`
 *  (0: VIGIL_TEXT_MAX_BYTES), and checks it with vigil_text_check.  *data
 *  (malloc'd, the caller frees it; NUL-terminated, the NUL not counted in
 *  *len) and *len are set on success only.
 *  @return VIGIL_OK, VIGIL_ENOENT/VIGIL_EIO (cannot open or read),
 *  VIGIL_ELIMIT (too big), VIGIL_EFORMAT (as vigil_text_check),
 *  VIGIL_ENOMEM.  Open and read errors name the path; the others do not. */
VIGIL_API vigil_status vigil_text_read_file(const char *path, uint64_t max_bytes, char **data, size_t *len,
                                  vigil_err *err);

/*! vigil_text_normalize() :
 *  The normalised form of a text, as the fingerprint sees it: NFKC, case
 *  folded, default-ignorable code points removed, Arabic diacritics, hamza
 *  and madda marks and tatweel removed and Arabic letter variants folded
 *  (alef forms, yeh, keheh, teh marbuta), Arabic-Indic, Devanagari and Bengali digits made
 *  ASCII; then the words (runs of letters, marks and digits), separated by
 *  one space; punctuation, symbols and blanks are separators.  Letters of
 *  scripts written without spaces (Han, kana, Thai, Lao, Khmer, Myanmar,
 *  Tibetan) are units of one character each.  The input must pass
 *  vigil_text_check.  *out is malloc'd and NUL-terminated; @out_len may be
 *  NULL.  Thread-safe.
 *  @return VIGIL_OK; VIGIL_EFORMAT (input refused by vigil_text_check, or
 *  no words at all: "text has no words (only blanks, punctuation or
 *  symbols)"); VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_text_normalize(const void *data, size_t len, char **out, size_t *out_len,
                                  vigil_err *err);

/* ------------------------------------------------------------------------
 * MinHash fingerprints
 *
 * The fingerprint of a text is the MinHash signature of its set of
 * shingles: VIGIL_TEXT_WORD_SHINGLE consecutive words of the normalised
 * text, plus VIGIL_TEXT_CHAR_SHINGLE consecutive characters of the scripts
 * written without spaces (a text shorter than one shingle is one shingle).
 * The share of equal values of two signatures estimates the Jaccard
 * similarity of the two shingle sets (standard error about 0.044 at 0.5).
 * ---------------------------------------------------------------------- */

#define VIGIL_MINHASH_N 128       /* values in a signature */
#define VIGIL_TEXT_WORD_SHINGLE 3 /* words per shingle */
#define VIGIL_TEXT_CHAR_SHINGLE 4 /* characters per shingle, unspaced scripts */
#define VIGIL_TEXT_SIG_PREFIX "mh1:"
#define VIGIL_TEXT_SIG_LEN 687 /* "mh1:" + 683 base64url characters */
#define VIGIL_TEXT_DEFAULT_MIN_SIMILARITY 0.5

/* A MinHash signature: value i is the smallest 32-bit hash of any shingle
 * under hash function i. */
typedef struct vigil_text_sig {
    uint32_t v[VIGIL_MINHASH_N];
} vigil_text_sig;

/*! vigil_text_minhash() :
 *  The signature of the text `data` (checked with vigil_text_check).
 *  @shingles may be NULL; else the number of shingles hashed (word and
 *  character shingles, repeats counted).  Deterministic across runs and platforms.  Thread-safe.
 *  @return VIGIL_OK; VIGIL_EFORMAT (as vigil_text_normalize); VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_text_minhash(const void *data, size_t len, vigil_text_sig *sig,
                                size_t *shingles, vigil_err *err);

/*! vigil_text_sig_format() :
 *  The bank value of a signature: "mh1:" then base64url (RFC 4648 section
 *  5, no padding) of the 128 values as 32-bit big-endian numbers, written to
 *  `out` with its NUL (VIGIL_TEXT_SIG_LEN characters). */
VIGIL_API void vigil_text_sig_format(const vigil_text_sig *sig, char out[VIGIL_TEXT_SIG_LEN + 1]);

/*! vigil_text_sig_parse() :
 *  Parses the form of vigil_text_sig_format (exactly; no blanks).  @sig may
 *  be NULL to validate only.
 *  @return VIGIL_OK or VIGIL_EPARSE naming the fault ("bad text signature:
 *  expected 687 characters ('mh1:' and 683 base64url), got 12 (make one
 *  with `vigil hash --text FILE`)"). */
VIGIL_API vigil_status vigil_text_sig_parse(const char *s, vigil_text_sig *sig, vigil_err *err);

/*! vigil_text_similarity() : the estimated Jaccard similarity of the texts
 *  of two signatures, 0..1: the share of equal values. */
VIGIL_API double vigil_text_similarity(const vigil_text_sig *a, const vigil_text_sig *b);

/* ------------------------------------------------------------------------
 * The LSH index: signatures cut into bands of r values; two signatures are
 * candidates when some band is equal; candidates are then compared in full.
 * r is chosen from the build threshold so that a pair at that similarity
 * is a candidate with probability >= 0.99 (r = 3, 42 bands at 0.5).
 * ---------------------------------------------------------------------- */

typedef struct vigil_text_index vigil_text_index;

/*! vigil_text_index_new() :
 *  An empty index tuned for queries at `min_similarity` (0 < s <= 1).
 *  @return VIGIL_OK, VIGIL_EINVAL (similarity outside 0..1), VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_text_index_new(double min_similarity, vigil_text_index **out, vigil_err *err);

/*! vigil_text_index_free() : NULL ok. */
VIGIL_API void vigil_text_index_free(vigil_text_index *ix);

/*! vigil_text_index_add() :
 *  Adds n signatures with their ids (copied) and rebuilds the band tables
 *  (O(total log total): add in large batches).  Not thread-safe; queries
 *  may run concurrently with each other, not with an add.
 *  @return VIGIL_OK or VIGIL_ENOMEM (the index is then unchanged). */
VIGIL_API vigil_status vigil_text_index_add(vigil_text_index *ix, const vigil_text_sig *sigs,
                                  const int64_t *ids, size_t n, vigil_err *err);

/*! vigil_text_index_size() : signatures in the index. */
VIGIL_API size_t vigil_text_index_size(const vigil_text_index *ix);

/*! vigil_text_index_rows() : r, the values per band (bands = 128 / r). */
VIGIL_API int vigil_text_index_rows(const vigil_text_index *ix);

typedef struct vigil_text_hit {
    int64_t id;
    double similarity;
} vigil_text_hit;

/*! vigil_text_index_query() :
 *  The indexed signatures whose similarity to `q` is >= min_similarity
 *  (below the index's own threshold, recall drops), in *hits (malloc'd,
 *  free() it; NULL when none), by similarity then id.  Thread-safe.
 *  @return VIGIL_OK or VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_text_index_query(const vigil_text_index *ix, const vigil_text_sig *q,
                                    double min_similarity, vigil_text_hit **hits, size_t *n,
                                    vigil_err *err);

/* ------------------------------------------------------------------------
 * The text matcher: the banks' text entries in an LSH index
 * ---------------------------------------------------------------------- */

typedef struct vigil_text_match_opts {
    const char *const *banks; /* restrict to these banks (NULL/0: all enabled) */
    size_t n_banks;
    double min_similarity; /* <= 0: VIGIL_TEXT_DEFAULT_MIN_SIMILARITY */
} vigil_text_match_opts;

/*! vigil_text_match_opts_init() : all banks, similarity 0.5. */
VIGIL_API void vigil_text_match_opts_init(vigil_text_match_opts *o);

/* One match.  Strings are owned by the result. */
typedef struct vigil_text_match {
    int64_t entry_id;
    int64_t bank_id;
    char *bank;
    vigil_bank_kind bank_kind;
    double similarity;
    char *labels;      /* canonical text form, "" when none */
    char *external_id; /* NULL when none */
} vigil_text_match;

typedef struct vigil_text_match_result {
    vigil_text_match *matches; /* by similarity (highest first), then entry id */
    size_t n;
    int allowed;       /* matched an allow-bank entry: only those are kept */
    size_t suppressed; /* other matches dropped because of it */
} vigil_text_match_result;

/*! vigil_text_match_result_clear() : frees the matches; reusable. NULL ok. */
VIGIL_API void vigil_text_match_result_clear(vigil_text_match_result *r);

typedef struct vigil_text_matcher vigil_text_matcher;

/*! vigil_text_matcher_open() :
 *  Loads every enabled text entry of the enabled banks (or of the banks
 *  named in opts) into an LSH index.  Banks' PDQ thresholds do not apply to
 *  text.  `st` must outlive the matcher (matched entries are looked up).
 *  @return VIGIL_OK; VIGIL_ENOENT (a named bank does not exist);
 *  VIGIL_EINVAL (similarity above 1); VIGIL_ENOMEM; store errors. */
VIGIL_API vigil_status vigil_text_matcher_open(vigil_store *st, const vigil_text_match_opts *opts,
                                     vigil_text_matcher **out, vigil_err *err);

/*! vigil_text_matcher_free() : NULL ok. */
VIGIL_API void vigil_text_matcher_free(vigil_text_matcher *m);

/*! vigil_text_matcher_entries() : text entries loaded. */
VIGIL_API size_t vigil_text_matcher_entries(const vigil_text_matcher *m);

/*! vigil_text_matcher_match() :
 *  The entries whose similarity to `q` is at least the threshold, in *res
 *  (cleared first); allow-bank rules as for PDQ.  Thread-safe.  While the
 *  store is unreachable (VIGIL_EBUSY) a hit on an entry this matcher found
 *  before is answered from its copy (up to 4,096; an entry the store
 *  has since called removed is not), a query with no hit answers as usual,
 *  and any other hit gives VIGIL_EBUSY.
 *  @return VIGIL_OK, VIGIL_ENOMEM, store errors. */
VIGIL_API vigil_status vigil_text_matcher_match(vigil_text_matcher *m, const vigil_text_sig *q,
                                      vigil_text_match_result *res, vigil_err *err);

/* ------------------------------------------------------------------------
 * Language identification (CLD2, Debian's libcld2 with its full tables:
 * about 160 languages)
 * ---------------------------------------------------------------------- */

typedef struct vigil_lang {
    char code[16];     /* ISO 639-1 ("en", "ps"), ISO 639-3 where a language
                          has no 639-1 code ("ceb"), or "und": cannot tell */
    double confidence; /* 0..1: share of the text in that language, halved
                          when CLD2 does not call the result reliable; 0
                          for "und" */
    int reliable;      /* CLD2's own reliability flag */
    const char *name;  /* English name ("ENGLISH"), static; "UNKNOWN" */
} vigil_lang;

/*! vigil_lang_detect() :
 *  Identifies the language of the text `data` (checked with
 *  vigil_text_check; only the first 256 KiB are read).  A text with too
 *  few letters to tell gives "und" with confidence 0.  Thread-safe.
 *  @return VIGIL_OK; VIGIL_EFORMAT (as vigil_text_check); VIGIL_EINTERNAL
 *  if the identifier failed. */
VIGIL_API vigil_status vigil_lang_detect(const void *data, size_t len, vigil_lang *out, vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_TEXT_H */
