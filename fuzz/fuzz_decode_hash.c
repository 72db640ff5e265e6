/*
 * fuzz/fuzz_decode_hash.c - libFuzzer target for the whole decode+hash path:
 * any bytes -> format sniffing -> JPEG/PNG/WebP/GIF/BMP decoder -> resize ->
 * PDQ with dihedral variants and digests; also the keep-all-rows decoder.
 */
#include <stddef.h>
#include <stdint.h>

#include "vigil/hash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static vigil_hasher *h;
    if (!h) {
        vigil_hash_opts o;
        vigil_hash_opts_init(&o);
        o.flags = VIGIL_HASH_DIHEDRAL | VIGIL_HASH_DIGESTS;
        o.limits.max_pixels = 4u * 1000 * 1000; /* keep each run fast */
        if (vigil_hasher_new(&o, &h, NULL) != VIGIL_OK) return 0;
    }
    vigil_hash_result r;
    vigil_err err;
    vigil_status st = vigil_hasher_bytes(h, data, size, &r, &err);
    if (st == VIGIL_OK && (r.quality < 0 || r.quality > 100)) __builtin_trap();
    if (st != VIGIL_OK && err.msg[0] == '\0') __builtin_trap(); /* every error explains itself */

    vigil_decode_limits lim = {4u * 1000 * 1000, 0, 0};
    vigil_image *img = NULL;
    if (vigil_image_decode(data, size, &lim, &img, &err) == VIGIL_OK) {
        if (!img || img->width < 1 || img->height < 1) __builtin_trap();
        vigil_image_free(img);
    }
    return 0;
}
