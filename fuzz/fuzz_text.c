/*
 * fuzz/fuzz_text.c - libFuzzer target for the text normaliser and
 * fingerprinter: any bytes either fail with a message, or normalise to a
 * text whose signature equals that of the input (normalisation is a fixed
 * point), whose bank form parses back to the same signature; language
 * identification never fails on accepted text.
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/text.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    vigil_err err;
    vigil_err_clear(&err);
    vigil_text_sig a, b;
    size_t shingles = 0;
    vigil_status rc = vigil_text_minhash(data, size, &a, &shingles, &err);
    if (rc != VIGIL_OK) {
        if (!err.msg[0] || rc != VIGIL_EFORMAT) __builtin_trap();
        return 0;
    }
    if (shingles == 0) __builtin_trap();
    char *norm = NULL;
    size_t nlen = 0;
    if (vigil_text_normalize(data, size, &norm, &nlen, &err) != VIGIL_OK) __builtin_trap();
    if (strlen(norm) != nlen) __builtin_trap();
    if (vigil_text_minhash(norm, nlen, &b, NULL, &err) != VIGIL_OK) __builtin_trap();
    if (memcmp(&a, &b, sizeof a) != 0) __builtin_trap();
    free(norm);
    char s[VIGIL_TEXT_SIG_LEN + 1];
    vigil_text_sig_format(&a, s);
    if (vigil_text_sig_parse(s, &b, &err) != VIGIL_OK || memcmp(&a, &b, sizeof a) != 0) __builtin_trap();
    vigil_lang l;
    if (vigil_lang_detect(data, size, &l, &err) != VIGIL_OK) __builtin_trap();
    if (!(l.confidence >= 0 && l.confidence <= 1)) __builtin_trap();
    return 0;
}
