/* tests/test_hex.c - hex encode/decode, PDQ hex round trip, Hamming distance, digests. */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vigil/hash.h"

static void t_pdq_hex_roundtrip(void) {
    const char *hex = "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22";
    vigil_pdq h;
    vigil_err err;
    char out[VIGIL_PDQ_HEX_LEN + 1];
    CHECK_OK(vigil_pdq_from_hex(hex, &h, &err), &err);
    vigil_pdq_to_hex(&h, out);
    CHECK_STR(out, hex);
    CHECK_INT(h.bytes[0], ==, 0xd8);
    CHECK_INT(h.bytes[31], ==, 0x22);
    /* upper case accepted, printed lower case */
    CHECK_OK(vigil_pdq_from_hex("D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22", &h, &err), &err);
    vigil_pdq_to_hex(&h, out);
    CHECK_STR(out, hex);
}

static void t_pdq_hex_bad(void) {
    vigil_pdq h;
    memset(&h, 0xAB, sizeof h);
    vigil_err err;
    vigil_err_clear(&err);
    CHECK_INT(vigil_pdq_from_hex("abc", &h, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "expected 64 hex digits, got 3") != NULL);
    CHECK_INT(vigil_pdq_from_hex("g8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22", &h, &err), ==,
              VIGIL_EPARSE);
    CHECK(strstr(err.msg, "position 1") != NULL);
    CHECK_INT(vigil_pdq_from_hex("d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b2 ", &h, &err), ==,
              VIGIL_EPARSE);
    CHECK_INT(vigil_pdq_from_hex("", &h, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_pdq_from_hex(NULL, &h, NULL), ==, VIGIL_EINVAL);
    CHECK_INT(h.bytes[0], ==, 0xAB); /* untouched on error */
}

static void t_pdq_distance(void) {
    vigil_pdq a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    CHECK_INT(vigil_pdq_distance(&a, &b), ==, 0);
    memset(&b, 0xFF, sizeof b);
    CHECK_INT(vigil_pdq_distance(&a, &b), ==, 256);
    memset(&b, 0, sizeof b);
    b.bytes[0] = 0x81;
    b.bytes[17] = 0x10;
    b.bytes[31] = 0x01;
    CHECK_INT(vigil_pdq_distance(&a, &b), ==, 4);
    CHECK_INT(vigil_pdq_distance(&b, &a), ==, 4);
}

static void t_digest_vectors(void) {
    uint8_t md5[16], sha[32];
    char hex[65];
    vigil_err err;
    CHECK_OK(vigil_digest("abc", 3, md5, sha, &err), &err);
    vigil_hex_encode(md5, 16, hex);
    CHECK_STR(hex, "900150983cd24fb0d6963f7d28e17f72");
    vigil_hex_encode(sha, 32, hex);
    CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK_OK(vigil_digest(NULL, 0, md5, sha, &err), &err);
    vigil_hex_encode(md5, 16, hex);
    CHECK_STR(hex, "d41d8cd98f00b204e9800998ecf8427e");
    CHECK_INT(vigil_digest(NULL, 5, md5, NULL, &err), ==, VIGIL_EINVAL);
}

static void t_hex_decode(void) {
    uint8_t b[4];
    vigil_err err;
    CHECK_OK(vigil_hex_decode("00ff10Aa", b, 4, &err), &err);
    CHECK_INT(b[1], ==, 0xff);
    CHECK_INT(b[3], ==, 0xaa);
    CHECK_INT(vigil_hex_decode("00ff10A", b, 4, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_hex_decode("00ff10Az", b, 4, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "position 8") != NULL);
}

static void t_dihedral_names(void) {
    CHECK_STR(vigil_dihedral_name(VIGIL_DIH_ORIGINAL), "original");
    CHECK_STR(vigil_dihedral_name(VIGIL_DIH_FLIP_MINUS1), "flipminus1");
    CHECK_STR(vigil_dihedral_name((vigil_dihedral)42), "unknown");
}

const test_case suite_hex[] = {
    {"hex/pdq_roundtrip", t_pdq_hex_roundtrip},
    {"hex/pdq_bad", t_pdq_hex_bad},
    {"hex/pdq_distance", t_pdq_distance},
    {"hex/digest_vectors", t_digest_vectors},
    {"hex/decode", t_hex_decode},
    {"hex/dihedral_names", t_dihedral_names},
    {NULL, NULL},
};
