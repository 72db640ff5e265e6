/*
 * tests/test_match.c - the matcher over a real (in-memory) store: per-bank
 * thresholds, allow-lists, dihedral variants, exact digests, bank selection,
 * the quality floor, entries removed after loading.
 */
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vigil/match.h"

/* Counts a failed condition and says where (these tests check many in a row). */
static int failed_at(int line, int failed) {
    if (failed) printf("    tests/test_match.c:%d: check failed\n", line);
    return failed != 0;
}

static void hex_of(const vigil_pdq *h, char out[65]) { vigil_pdq_to_hex(h, out); }

static vigil_pdq pattern(unsigned seed) {
    vigil_pdq h;
    for (int i = 0; i < 32; i++) h.bytes[i] = (uint8_t)((seed * 2654435761u >> (i % 24)) ^ (i * 37u) ^ seed);
    return h;
}

/* h with n distinct bits flipped (37 is odd: i -> 37 i mod 256 is a bijection) */
static vigil_pdq flipped(vigil_pdq h, int n) {
    for (int i = 0; i < n; i++) {
        int bit = (i * 37) % 256;
        h.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    return h;
}

static int add_pdq(vigil_store *st, const char *bank, const vigil_pdq *h, const char *labels, int64_t *id) {
    char hex[65];
    hex_of(h, hex);
    vigil_entry_spec spec = {VIGIL_SIGNAL_PDQ, hex, labels, NULL};
    return vigil_bank_add(st, bank, &spec, id, NULL, NULL) == VIGIL_OK;
}

static void t_match_rules(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(":memory:", &st, &err), &err);
    vigil_matcher *m = NULL;
    vigil_match_result r;
    memset(&r, 0, sizeof r);
    int ok = vigil_bank_create(st, "known", VIGIL_BANK_NORMAL, -1, "", NULL, &err) == VIGIL_OK &&
             vigil_bank_create(st, "logos", VIGIL_BANK_ALLOW, -1, "", NULL, &err) == VIGIL_OK &&
             vigil_bank_create(st, "strict", VIGIL_BANK_NORMAL, 8, "", NULL, &err) == VIGIL_OK;
    vigil_pdq a = pattern(1), b = pattern(2), c = pattern(3);
    int64_t ida = 0, idb = 0, idc = 0;
    ok = ok && add_pdq(st, "known", &a, "entity=example-group", &ida) && add_pdq(st, "logos", &b, "", &idb) &&
         add_pdq(st, "known", &b, "", NULL) && add_pdq(st, "strict", &c, "", &idc);
    vigil_entry_spec md5 = {VIGIL_SIGNAL_MD5, "900150983cd24fb0d6963f7d28e17f72", "", "ext-1"};
    ok = ok && vigil_bank_add(st, "known", &md5, NULL, NULL, &err) == VIGIL_OK;
    if (!ok) {
        vigil_store_close(st);
        CHECK(!"setup");
    }
    CHECK_OK(vigil_matcher_open(st, NULL, &m, &err), &err);
    int bad = 0;
    bad += failed_at(__LINE__, vigil_matcher_entries(m) != 5);
    /* within the default 31 */
    vigil_pdq q = flipped(a, 10);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 90, &r, &err) != VIGIL_OK || r.n != 1 || r.matches[0].entry_id != ida ||
           r.matches[0].distance != 10 || strcmp(r.matches[0].bank, "known") || strcmp(r.matches[0].labels, "entity=example-group") ||
           r.low_quality);
    vigil_match_result_clear(&r);
    /* beyond it */
    q = flipped(a, 40);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 90, &r, &err) != VIGIL_OK || r.n != 0);
    vigil_match_result_clear(&r);
    /* the strict bank's own threshold of 8 */
    q = flipped(c, 10);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 90, &r, &err) != VIGIL_OK || r.n != 0);
    vigil_match_result_clear(&r);
    q = flipped(c, 6);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 90, &r, &err) != VIGIL_OK || r.n != 1 || r.matches[0].entry_id != idc);
    vigil_match_result_clear(&r);
    /* allow-list: b is in logos (allow) and in known: only the allow entry stays */
    q = flipped(b, 3);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 90, &r, &err) != VIGIL_OK || r.n != 1 || !r.allowed || r.suppressed != 1 ||
           r.matches[0].entry_id != idb || r.matches[0].bank_kind != VIGIL_BANK_ALLOW);
    vigil_match_result_clear(&r);
    /* quality floor */
    q = a;
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 12, &r, &err) != VIGIL_OK || !r.low_quality || r.n != 1);
    vigil_match_result_clear(&r);
    /* exact digests */
    uint8_t d[16];
    vigil_hex_decode("900150983cd24fb0d6963f7d28e17f72", d, 16, NULL);
    r.quality = -1;
    bad += failed_at(__LINE__, vigil_matcher_digest(m, VIGIL_SIGNAL_MD5, d, &r, &err) != VIGIL_OK || r.n != 1 || r.matches[0].distance != 0 ||
           r.matches[0].signal != VIGIL_SIGNAL_MD5 || !r.matches[0].external_id || strcmp(r.matches[0].external_id, "ext-1"));
    vigil_match_result_clear(&r);
    d[0] ^= 1;
    bad += failed_at(__LINE__, vigil_matcher_digest(m, VIGIL_SIGNAL_MD5, d, &r, &err) != VIGIL_OK || r.n != 0);
    vigil_match_result_clear(&r);
    bad += failed_at(__LINE__, vigil_matcher_digest(m, VIGIL_SIGNAL_PDQ, d, &r, &err) != VIGIL_EINVAL);
    /* an entry removed after loading is not reported */
    bad += failed_at(__LINE__, vigil_bank_remove(st, "known", ida, &err) != VIGIL_OK);
    q = a;
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &q, NULL, 90, &r, &err) != VIGIL_OK || r.n != 0);
    vigil_match_result_clear(&r);
    vigil_matcher_free(m);
    vigil_store_close(st);
    CHECK_INT(bad, ==, 0);
}

static void t_match_banks_and_dihedral(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(":memory:", &st, &err), &err);
    vigil_matcher *m = NULL;
    vigil_match_result r;
    memset(&r, 0, sizeof r);
    /* the bank holds the rotate90 variant of an image's hash */
    vigil_pdq dih[VIGIL_DIH_COUNT];
    for (int v = 0; v < VIGIL_DIH_COUNT; v++) dih[v] = pattern(100 + (unsigned)v);
    int ok = vigil_bank_create(st, "one", VIGIL_BANK_NORMAL, -1, "", NULL, &err) == VIGIL_OK &&
             vigil_bank_create(st, "two", VIGIL_BANK_NORMAL, -1, "", NULL, &err) == VIGIL_OK &&
             add_pdq(st, "one", &dih[VIGIL_DIH_ROTATE90], "", NULL) && add_pdq(st, "two", &dih[0], "", NULL);
    if (!ok) {
        vigil_store_close(st);
        CHECK(!"setup");
    }
    int bad = 0;
    vigil_match_opts o;
    vigil_match_opts_init(&o);
    const char *only[] = {"one"};
    o.banks = only;
    o.n_banks = 1;
    o.dihedral = 1;
    CHECK_OK(vigil_matcher_open(st, &o, &m, &err), &err);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &dih[0], dih, 90, &r, &err) != VIGIL_OK || r.n != 1 ||
           r.matches[0].variant != VIGIL_DIH_ROTATE90 || strcmp(r.matches[0].bank, "one"));
    vigil_match_result_clear(&r);
    vigil_matcher_free(m);
    m = NULL;
    /* without --dihedral: only bank two's original */
    o.dihedral = 0;
    o.n_banks = 0;
    CHECK_OK(vigil_matcher_open(st, &o, &m, &err), &err);
    bad += failed_at(__LINE__, vigil_matcher_pdq(m, &dih[0], dih, 90, &r, &err) != VIGIL_OK || r.n != 1 || strcmp(r.matches[0].bank, "two"));
    vigil_match_result_clear(&r);
    vigil_matcher_free(m);
    m = NULL;
    /* a bank that does not exist; a bad distance */
    const char *none[] = {"nope"};
    o.banks = none;
    o.n_banks = 1;
    bad += failed_at(__LINE__, vigil_matcher_open(st, &o, &m, &err) != VIGIL_ENOENT || m != NULL);
    o.n_banks = 0;
    o.max_distance = 300;
    bad += failed_at(__LINE__, vigil_matcher_open(st, &o, &m, &err) != VIGIL_EINVAL);
    vigil_store_close(st);
    CHECK_INT(bad, ==, 0);
}

const test_case suite_match[] = {
    {"match/rules", t_match_rules},
    {"match/banks_and_dihedral", t_match_banks_and_dihedral},
    {NULL, NULL},
};
