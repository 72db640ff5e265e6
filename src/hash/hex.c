/*
 * src/hash/hex.c - hex encoding and validated decoding, PDQ hash helpers
 * (hex form, Hamming distance, dihedral names).
 */
#include <string.h>

#include "common/err.h"
#include "vigil/hash.h"

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

void vigil_hex_encode(const uint8_t *bytes, size_t n, char *out) {
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

vigil_status vigil_hex_decode(const char *hex, uint8_t *bytes, size_t n, vigil_err *err) {
    if (!hex || !bytes) return vigil__err_set(err, VIGIL_EINVAL, "vigil_hex_decode: NULL argument");
    size_t len = strlen(hex);
    if (len != 2 * n)
        return vigil__err_set(err, VIGIL_EPARSE, "expected %zu hex digits, got %zu", 2 * n, len);
    for (size_t i = 0; i < len; i++) {
        if (hexval((unsigned char)hex[i]) < 0)
            return vigil__err_set(err, VIGIL_EPARSE, "invalid hex character at position %zu",
                                  i + 1);
    }
    for (size_t i = 0; i < n; i++)
        bytes[i] = (uint8_t)(hexval((unsigned char)hex[2 * i]) << 4 |
                             hexval((unsigned char)hex[2 * i + 1]));
    return VIGIL_OK;
}

void vigil_pdq_to_hex(const vigil_pdq *h, char out[VIGIL_PDQ_HEX_LEN + 1]) {
    vigil_hex_encode(h->bytes, sizeof h->bytes, out);
}

vigil_status vigil_pdq_from_hex(const char *hex, vigil_pdq *out, vigil_err *err) {
    vigil_pdq tmp;
    vigil_status rc = vigil_hex_decode(hex, tmp.bytes, sizeof tmp.bytes, err);
    if (rc != VIGIL_OK) {
        if (err) {
            char msg[VIGIL_ERR_MSG_MAX];
            memcpy(msg, err->msg, sizeof msg);
            vigil__err_set(err, rc, "bad PDQ hash: %.200s", msg);
        }
        return rc;
    }
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_pdq_from_hex: NULL out");
    *out = tmp;
    return VIGIL_OK;
}

int vigil_pdq_distance(const vigil_pdq *a, const vigil_pdq *b) {
    int d = 0;
    for (int i = 0; i < 32; i += 8) {
        uint64_t x, y;
        memcpy(&x, a->bytes + i, 8);
        memcpy(&y, b->bytes + i, 8);
        d += __builtin_popcountll(x ^ y);
    }
    return d;
}

const char *vigil_dihedral_name(vigil_dihedral d) {
    static const char *const names[VIGIL_DIH_COUNT] = {
        "original", "rotate90", "rotate180", "rotate270",
        "flipx",    "flipy",    "flipplus1", "flipminus1",
    };
    return (unsigned)d < VIGIL_DIH_COUNT ? names[d] : "unknown";
}
