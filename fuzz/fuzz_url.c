/*
 * fuzz/fuzz_url.c - libFuzzer target for the URL canonicaliser: any bytes
 * either fail with a message or give a canonical URL that is a fixed point
 * (canonicalising it again gives the same string; an account found again
 * is the same one: a canonical form may drop it, as x.com/i/status/ID does).
 */
#include <stdlib.h>
#include <string.h>

#include "vigil/url.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    vigil_url u, v;
    vigil_err err;
    vigil_status rc = vigil_url_canonicalize(s, &u, &err);
    if (rc != VIGIL_OK) {
        if (!err.msg[0]) __builtin_trap();
    } else {
        if (strncmp(u.canonical, "https://", 8) != 0) __builtin_trap();
        if (vigil_url_canonicalize(u.canonical, &v, &err) != VIGIL_OK) __builtin_trap();
        if (strcmp(u.canonical, v.canonical) != 0) __builtin_trap();
        if (v.account && (!u.account || strcmp(u.account, v.account) != 0)) __builtin_trap();
        vigil_url_clear(&v);
    }
    vigil_url_clear(&u);
    free(s);
    return 0;
}
