/*
 * tests/test_match.c - the matcher over a real (in-memory) store: per-bank
 * thresholds, allow-lists, dihedral variants, exact digests, bank selection,
 * the quality floor, entries removed after loading, exact copies under
 * different ids against brute force over the rows; the copies the matchers
 * keep for an outage (match/seen.h), used only on VIGIL_EBUSY.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "match/seen.h"
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
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
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
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
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

/* ---- exact copies under different ids (issue 10) ------------------------- */

static uint64_t rs_state = 0x2545F4914F6CDD1Dull;
static uint64_t rnd64(void) {
    rs_state ^= rs_state << 13;
    rs_state ^= rs_state >> 7;
    rs_state ^= rs_state << 17;
    return rs_state;
}

static vigil_pdq random_pdq(void) {
    vigil_pdq h;
    for (int k = 0; k < 4; k++) {
        uint64_t w = rnd64();
        memcpy(h.bytes + 8 * k, &w, 8);
    }
    return h;
}

/* A match or a brute-force find: the row's external id and the distance. */
typedef struct found {
    char xid[16];
    int distance;
} found;

static int cmp_found(const void *a, const void *b) {
    const found *x = a, *y = b;
    int c = strcmp(x->xid, y->xid);
    return c ? c : x->distance - y->distance;
}

#define COPY_ROWS 50000
#define COPY_QUERIES 400

/* A bank of 50,000 rows, each under its own id, where 1 row in 10 is an
 * exact copy of an earlier row's hash and one hash is held by about 50
 * rows: every query's list of (entry, distance) must be brute force's over
 * the file's rows (not over its distinct values), with and without the
 * dihedral variants (which must not report an entry twice). */
static void t_match_copies_recall(void) {
    vigil_pdq *rows = malloc(COPY_ROWS * sizeof *rows);
    size_t cap = (size_t)COPY_ROWS * 100 + 64, len = 0;
    char *csv = malloc(cap);
    found *want = malloc(COPY_ROWS * sizeof *want), *got = malloc(COPY_ROWS * sizeof *got);
    vigil_store *st = NULL;
    vigil_matcher *m = NULL, *md = NULL;
    vigil_match_result r;
    memset(&r, 0, sizeof r);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_import_report rep;
    memset(&rep, 0, sizeof rep);
    int bad = 0, copies = 0;
    size_t total_want = 0, max_want = 0;
    vigil_status rc = rows && csv && want && got ? VIGIL_OK : VIGIL_ENOMEM;
    if (rc == VIGIL_OK) {
        len += (size_t)snprintf(csv + len, cap - len, "signal_type,signal_value,labels,id\n");
        for (int i = 0; i < COPY_ROWS; i++) {
            if (i > 0 && i % 1000 == 3) {
                rows[i] = rows[0];
                copies++;
            } else if (i > 0 && i % 10 == 5) {
                rows[i] = rows[rnd64() % (uint64_t)i];
                copies++;
            } else {
                rows[i] = random_pdq();
            }
            char hex[65];
            hex_of(&rows[i], hex);
            len += (size_t)snprintf(csv + len, cap - len, "pdq,%s,entity=g%d,e%d\n", hex, i % 7, i);
        }
        rc = vigil_store_open(test_db(), &st, &err);
    }
    if (rc == VIGIL_OK) rc = vigil_bank_create(st, "partners", VIGIL_BANK_NORMAL, -1, "", NULL, &err);
    FILE *f = rc == VIGIL_OK ? fmemopen(csv, len, "r") : NULL;
    if (rc == VIGIL_OK && !f) rc = VIGIL_EIO;
    if (rc == VIGIL_OK) rc = vigil_bank_import(st, "partners", f, NULL, &rep, &err);
    if (f) fclose(f);
    if (rc == VIGIL_OK) rc = vigil_matcher_open(st, NULL, &m, &err);
    vigil_match_opts o;
    vigil_match_opts_init(&o);
    o.dihedral = 1;
    if (rc == VIGIL_OK) rc = vigil_matcher_open(st, &o, &md, &err);
    if (rc == VIGIL_OK) {
        bad += failed_at(__LINE__, rep.imported != COPY_ROWS || rep.unchanged || rep.updated || rep.bad);
        bad += failed_at(__LINE__, vigil_matcher_entries(m) != COPY_ROWS);
    }
    for (int qi = 0; rc == VIGIL_OK && qi < COPY_QUERIES && bad < 5; qi++) {
        /* a third exact (row 0's hash among them), a third near, a third random */
        vigil_pdq q = qi == 0 ? rows[0] : rows[rnd64() % COPY_ROWS];
        if (qi % 3 == 1) {
            for (int k = (int)(rnd64() % 32); k > 0; k--) {
                int bit = (int)(rnd64() % 256);
                q.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
            }
        } else if (qi % 3 == 2) {
            q = random_pdq();
        }
        size_t nw = 0;
        for (int i = 0; i < COPY_ROWS; i++) {
            int d = vigil_pdq_distance(&q, &rows[i]);
            if (d > VIGIL_DEFAULT_MAX_DISTANCE) continue;
            snprintf(want[nw].xid, sizeof want[nw].xid, "e%d", i);
            want[nw++].distance = d;
        }
        qsort(want, nw, sizeof *want, cmp_found);
        total_want += nw;
        if (nw > max_want) max_want = nw;
        /* plain, then dihedral with every variant the query itself */
        for (int pass = 0; pass < 2 && rc == VIGIL_OK; pass++) {
            vigil_pdq dih[VIGIL_DIH_COUNT];
            for (int v = 0; v < VIGIL_DIH_COUNT; v++) dih[v] = q;
            rc = vigil_matcher_pdq(pass ? md : m, &q, dih, 90, &r, &err);
            if (rc != VIGIL_OK) break;
            size_t ng = 0;
            for (size_t k = 0; k < r.n && ng < COPY_ROWS; k++) {
                snprintf(got[ng].xid, sizeof got[ng].xid, "%s", r.matches[k].external_id ? r.matches[k].external_id : "?");
                got[ng++].distance = r.matches[k].distance;
                if (r.matches[k].variant != VIGIL_DIH_ORIGINAL) bad += failed_at(__LINE__, 1);
            }
            qsort(got, ng, sizeof *got, cmp_found);
            int same = ng == nw;
            for (size_t k = 0; same && k < nw; k++) same = cmp_found(&got[k], &want[k]) == 0;
            if (!same) printf("    query %d (%s): %zu matches, brute force over the rows %zu\n", qi, pass ? "dihedral" : "plain", ng, nw);
            bad += failed_at(__LINE__, !same);
            vigil_match_result_clear(&r);
        }
    }
    vigil_matcher_free(m);
    vigil_matcher_free(md);
    vigil_store_close(st);
    free(rows);
    free(csv);
    free(want);
    free(got);
    CHECK_OK(rc, &err);
    printf("    %d rows (%d exact copies under other ids), %d queries, %zu matches (up to %zu for one query)\n",
           COPY_ROWS, copies, COPY_QUERIES, total_want, max_want);
    CHECK_INT(bad, ==, 0);
    CHECK_INT(max_want, >=, 40);
}

/* The copies for an outage (match/seen.h): an entry and a body the store gave
 * stand in for it only while it answers VIGIL_EBUSY; any other failure, an
 * id not kept, and a copy forgotten by the change log go through as they are;
 * an entry the store calls removed (VIGIL_ENOENT) loses its copy. */
static void t_match_seen_outage(void) {
    vigil__seen s;
    vigil__seen_init(&s, 2);
    vigil_err err;
    vigil_entry e = {5, 2, "b", VIGIL_BANK_NORMAL, 12, 1, VIGIL_SIGNAL_VIDEO, "vpdq1:x", "entity=g", NULL,
                     "2026-12-01T00:00:00Z", 1, NULL};
    CHECK_INT(vigil__seen_entry(&s, VIGIL_OK, 5, &e, &err), ==, VIGIL_OK); /* borrowed e: copied, not taken */
    vigil_entry got;
    memset(&got, 0, sizeof got);
    vigil_err_clear(&err);
    err.status = VIGIL_EBUSY;
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5, &got, &err), ==, VIGIL_OK);
    CHECK_INT(err.status, ==, VIGIL_OK);
    CHECK_INT(got.id, ==, 5);
    CHECK_INT(got.bank_max_distance, ==, 12);
    CHECK_STR(got.bank_name, "b");
    CHECK_STR(got.labels, "entity=g");
    CHECK(got.external_id == NULL);
    vigil_entry_clear(&got);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5 + VIGIL__SEEN_ENTRIES, &got, &err), ==, VIGIL_EBUSY); /* same slot */
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EIO, 5, &got, &err), ==, VIGIL_EIO);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_ENOENT, 5, &got, &err), ==, VIGIL_ENOENT);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5, &got, &err), ==, VIGIL_EBUSY); /* removed: copy dropped */
    CHECK_INT(vigil__seen_entry(&s, VIGIL_OK, 5, &e, &err), ==, VIGIL_OK);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5, &got, &err), ==, VIGIL_OK);
    vigil_entry_clear(&got);
    /* bodies: kept only on purpose, bounded by their slots */
    const uint8_t body[3] = {1, 2, 3};
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK_INT(vigil__seen_bytes(&s, VIGIL_EBUSY, 7, &b, &n, &err), ==, VIGIL_EBUSY);
    vigil__seen_keep_bytes(&s, 7, body, sizeof body);
    CHECK_INT(vigil__seen_bytes(&s, VIGIL_EBUSY, 7, &b, &n, &err), ==, VIGIL_OK);
    CHECK(n == 3 && b && b[2] == 3);
    free(b);
    b = NULL;
    CHECK_INT(vigil__seen_bytes(&s, VIGIL_EIO, 7, &b, &n, &err), ==, VIGIL_EIO);
    vigil__seen_keep_bytes(&s, 9, body, 2); /* 9 % 2 == 7 % 2: takes 7's slot */
    CHECK_INT(vigil__seen_bytes(&s, VIGIL_EBUSY, 7, &b, &n, &err), ==, VIGIL_EBUSY);
    CHECK_INT(vigil__seen_bytes(&s, VIGIL_EBUSY, 9, &b, &n, &err), ==, VIGIL_OK);
    CHECK(n == 2);
    free(b);
    /* the change log: one entry, then a bank's range */
    vigil__seen_forget(&s, 0, 5, 5);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5, &got, &err), ==, VIGIL_EBUSY);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_OK, 5, &e, &err), ==, VIGIL_OK);
    vigil__seen_forget(&s, 3, 1, 100); /* another bank: kept */
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5, &got, &err), ==, VIGIL_OK);
    vigil_entry_clear(&got);
    vigil__seen_forget(&s, 2, 1, 100);
    CHECK_INT(vigil__seen_entry(&s, VIGIL_EBUSY, 5, &got, &err), ==, VIGIL_EBUSY);
    CHECK_INT(vigil__seen_bytes(&s, VIGIL_EBUSY, 9, &b, &n, &err), ==, VIGIL_EBUSY);
    vigil__seen_free(&s);
    vigil__seen_free(&s); /* harmless twice */
}

const test_case suite_match[] = {
    {"match/rules", t_match_rules},
    {"match/banks_and_dihedral", t_match_banks_and_dihedral},
    {"match/copies_recall_vs_brute_force", t_match_copies_recall},
    {"match/seen_outage", t_match_seen_outage},
    {NULL, NULL},
};
