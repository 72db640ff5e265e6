/*
 * tests/test_live.c - bank changes reaching a running matcher (#13): the
 * change log (rows per change, one per import, pruning), deltas against a
 * freshly loaded matcher under random changes, a second store handle on
 * the same file, and index snapshots (good, damaged, truncated, stale,
 * another store's).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store_internal.h"
#include "test.h"
#include "vigil/match.h"

static const char *tmp_path(const char *name) {
    static char buf[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", test_tmpdir(), name);
    return buf[k];
}

/* A small deterministic generator. */
static uint64_t rng_state = 88172645463325252ull;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* 16 cluster centres; values are centres with a few bits flipped, so that
 * queries near a centre find several entries at various distances. */
static vigil_pdq centre(unsigned k) {
    vigil_pdq h;
    uint64_t s = 0x9E3779B97F4A7C15ull * (k + 1);
    for (int i = 0; i < 32; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        h.bytes[i] = (uint8_t)s;
    }
    return h;
}

static vigil_pdq near(unsigned k, int flips) {
    vigil_pdq h = centre(k);
    for (int i = 0; i < flips; i++) {
        unsigned bit = (unsigned)(rnd() % 256);
        h.bytes[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    return h;
}

static vigil_status add_value(vigil_store *st, const char *bank, const vigil_pdq *h,
                              const char *xid, int64_t *id, vigil_err *err) {
    char hex[65];
    vigil_pdq_to_hex(h, hex);
    vigil_entry_spec spec = {VIGIL_SIGNAL_PDQ, hex, "", xid};
    return vigil_bank_add(st, bank, &spec, id, NULL, err);
}

static size_t total_matches; /* over every comparison: the test compares something */

/* Do two matchers give the same answer to q (and to its md5 twin)?
 * @return 1 if so; prints the first difference. */
static int same_answers(vigil_matcher *a, vigil_matcher *b, const vigil_pdq *q) {
    vigil_match_result x, y;
    vigil_err err;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    int same = vigil_matcher_pdq(a, q, NULL, -1, &x, &err) == VIGIL_OK &&
               vigil_matcher_pdq(b, q, NULL, -1, &y, &err) == VIGIL_OK && x.n == y.n &&
               x.allowed == y.allowed && x.suppressed == y.suppressed;
    for (size_t i = 0; same && i < x.n; i++)
        same = x.matches[i].entry_id == y.matches[i].entry_id &&
               x.matches[i].distance == y.matches[i].distance &&
               strcmp(x.matches[i].bank, y.matches[i].bank) == 0 &&
               x.matches[i].bank_kind == y.matches[i].bank_kind;
    total_matches += x.n;
    if (!same)
        printf("    delta matcher: %zu matches (allowed %d, suppressed %zu); fresh: %zu (%d, %zu)\n",
               x.n, x.allowed, x.suppressed, y.n, y.allowed, y.suppressed);
    vigil_match_result_clear(&x);
    vigil_match_result_clear(&y);
    return same;
}

static int same_digest(vigil_matcher *a, vigil_matcher *b, const uint8_t *d) {
    vigil_match_result x, y;
    memset(&x, 0, sizeof x);
    memset(&y, 0, sizeof y);
    int same = vigil_matcher_digest(a, VIGIL_SIGNAL_MD5, d, &x, NULL) == VIGIL_OK &&
               vigil_matcher_digest(b, VIGIL_SIGNAL_MD5, d, &y, NULL) == VIGIL_OK && x.n == y.n;
    for (size_t i = 0; same && i < x.n; i++) same = x.matches[i].entry_id == y.matches[i].entry_id;
    vigil_match_result_clear(&x);
    vigil_match_result_clear(&y);
    return same;
}

static const char *const BANKS[3] = {"known", "strict", "logos"};

/* Every query near every centre, and the md5 values used, answered alike. */
static int compare_all(vigil_matcher *m, vigil_store *st) {
    vigil_matcher *fresh = NULL;
    vigil_err err;
    if (vigil_matcher_open(st, NULL, &fresh, &err) != VIGIL_OK) return 0;
    int ok = 1;
    for (unsigned k = 0; k < 16 && ok; k++)
        for (int j = 0; j < 4 && ok; j++) {
            vigil_pdq q = near(k, j * 6);
            ok = same_answers(m, fresh, &q);
        }
    for (unsigned v = 0; v < 8 && ok; v++) {
        uint8_t d[16] = {0};
        d[0] = (uint8_t)v;
        ok = same_digest(m, fresh, d);
    }
    vigil_matcher_free(fresh);
    return ok;
}

static void t_deltas_random(void) {
    const char *path = tmp_path("live-deltas.db");
    test_rm_db(path);
    vigil_store *st = NULL;
    vigil_matcher *m = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_OK(vigil_bank_create(st, "known", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    CHECK_OK(vigil_bank_create(st, "strict", VIGIL_BANK_NORMAL, 10, "", NULL, &err), &err);
    CHECK_OK(vigil_bank_create(st, "logos", VIGIL_BANK_ALLOW, 4, "", NULL, &err), &err);
    int64_t ids[4096];
    size_t nid = 0;
    for (int i = 0; i < 200; i++) {
        vigil_pdq h = near((unsigned)(rnd() % 16), (int)(rnd() % 40));
        char xid[32];
        snprintf(xid, sizeof xid, "x%d", i);
        CHECK_OK(add_value(st, BANKS[rnd() % 3], &h, i % 3 ? xid : NULL, &ids[nid], &err), &err);
        nid++;
    }
    /* exact copies under other ids: values held by several entries */
    for (int i = 0; i < 20; i++) {
        vigil_entry e;
        CHECK_OK(vigil_bank_entry_get(st, ids[i], &e, &err), &err);
        char xid[32];
        snprintf(xid, sizeof xid, "copy%d", i);
        char bank[80], value[80];
        snprintf(bank, sizeof bank, "%s", e.bank_name);
        snprintf(value, sizeof value, "%s", e.value);
        vigil_entry_clear(&e);
        vigil_entry_spec spec = {VIGIL_SIGNAL_PDQ, value, "", xid};
        CHECK_OK(vigil_bank_add(st, bank, &spec, &ids[nid++], NULL, &err), &err);
    }
    CHECK_OK(vigil_matcher_open(st, NULL, &m, &err), &err);
    CHECK(compare_all(m, st));
    int extra_bank = 0;
    for (int round = 0; round < 12; round++) {
        for (int op = 0; op < 25; op++) {
            unsigned what = (unsigned)(rnd() % 10);
            const char *bank = BANKS[rnd() % 3];
            int64_t id = ids[rnd() % nid];
            vigil_entry e;
            memset(&e, 0, sizeof e);
            int have = vigil_bank_entry_get(st, id, &e, NULL) == VIGIL_OK;
            char ebank[80] = "";
            if (have) snprintf(ebank, sizeof ebank, "%s", e.bank_name);
            char exid[300] = "";
            if (have && e.external_id) snprintf(exid, sizeof exid, "%s", e.external_id);
            vigil_entry_clear(&e);
            if (what <= 2 && nid < 4000) { /* add */
                vigil_pdq h = near((unsigned)(rnd() % 16), (int)(rnd() % 40));
                char xid[32];
                snprintf(xid, sizeof xid, "r%d-%d", round, op);
                CHECK_OK(add_value(st, bank, &h, xid, &ids[nid], &err), &err);
                nid++;
            } else if (what == 3 && have) { /* remove */
                CHECK_OK(vigil_bank_remove(st, ebank, id, &err), &err);
            } else if (what == 4 && have) { /* enable / disable the entry */
                CHECK_OK(vigil_bank_entry_set_enabled(st, ebank, id, (int)(rnd() % 2), &err), &err);
            } else if (what == 5 && have && exid[0]) { /* a new value for the same id */
                vigil_pdq h = near((unsigned)(rnd() % 16), (int)(rnd() % 40));
                char hex[65];
                vigil_pdq_to_hex(&h, hex);
                vigil_entry_spec spec = {VIGIL_SIGNAL_PDQ, hex, "", exid};
                CHECK_OK(vigil_bank_put(st, ebank, &spec, NULL, NULL, &err), &err);
            } else if (what == 6) { /* bank settings */
                vigil_bank_update u;
                memset(&u, 0, sizeof u);
                unsigned k = (unsigned)(rnd() % 3);
                if (k == 0) u.set_enabled = 1, u.enabled = (int)(rnd() % 2);
                if (k == 1) u.set_max_distance = 1, u.max_distance = (int)(rnd() % 60) - 1;
                if (k == 2) u.set_kind = 1, u.kind = rnd() % 4 ? VIGIL_BANK_NORMAL : VIGIL_BANK_ALLOW;
                vigil_status rc = vigil_bank_set(st, bank, &u, NULL, &err);
                CHECK(rc == VIGIL_OK || rc == VIGIL_ENOENT);
            } else if (what == 7) { /* an import: new rows, one updated id */
                char csv[4096];
                size_t len = (size_t)snprintf(csv, sizeof csv, "signal_type,signal_value,labels,id\n");
                for (int r = 0; r < 8; r++) {
                    vigil_pdq h = near((unsigned)(rnd() % 16), (int)(rnd() % 40));
                    char hex[65];
                    vigil_pdq_to_hex(&h, hex);
                    len += (size_t)snprintf(csv + len, sizeof csv - len, "pdq,%s,,i%d-%d-%d\n", hex,
                                            round, op, r);
                }
                if (exid[0]) {
                    vigil_pdq h = near((unsigned)(rnd() % 16), 3);
                    char hex[65];
                    vigil_pdq_to_hex(&h, hex);
                    len += (size_t)snprintf(csv + len, sizeof csv - len, "pdq,%s,,%s\n", hex, exid);
                }
                FILE *f = fmemopen(csv, len, "r");
                CHECK(f != NULL);
                vigil_status rc = vigil_bank_import(st, exid[0] ? ebank : bank, f, NULL, NULL, &err);
                fclose(f);
                CHECK(rc == VIGIL_OK || rc == VIGIL_ENOENT);
            } else if (what == 8) { /* md5 entries */
                char hex[33];
                snprintf(hex, sizeof hex, "%02x000000000000000000000000000000", (unsigned)(rnd() % 8));
                vigil_entry_spec spec = {VIGIL_SIGNAL_MD5, hex, "", NULL};
                vigil_status rc = vigil_bank_add(st, bank, &spec, &ids[nid], NULL, &err);
                CHECK(rc == VIGIL_OK || rc == VIGIL_ENOENT);
                if (rc == VIGIL_OK && nid < 4000) nid++;
            } else if (what == 9 && rnd() % 4 == 0) { /* a bank deleted, made again */
                char name[32];
                snprintf(name, sizeof name, "%s", BANKS[2]);
                if (vigil_bank_delete(st, name, NULL, NULL) == VIGIL_OK) {
                    CHECK_OK(vigil_bank_create(st, name, VIGIL_BANK_ALLOW, 4, "", NULL, &err), &err);
                    extra_bank++;
                }
            }
        }
        size_t applied = 0;
        CHECK_OK(vigil_matcher_sync(m, &applied, &err), &err);
        CHECK(applied > 0);
        int64_t head = 0;
        CHECK_OK(vigil_bank_change_head(st, &head, NULL, &err), &err);
        CHECK_INT(vigil_matcher_sequence(m), ==, head);
        if (!compare_all(m, st)) {
            printf("    tests/test_live.c: round %d differs\n", round);
            CHECK(0);
        }
    }
    printf("    %zu entries, %zu matches compared\n", nid, total_matches);
    CHECK_INT(total_matches, >, 1000);
    vigil_matcher_free(m);
    vigil_store_close(st);
    test_rm_db(path);
}

/* The log: one row per change, one per import, and pruned to the keep. */
static void t_log_rows(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(":memory:", &st, &err), &err);
    int64_t h0 = 0, h1 = 0, pruned = 0;
    CHECK_OK(vigil_bank_change_head(st, &h0, &pruned, &err), &err);
    CHECK_INT(h0, ==, 0);
    CHECK_OK(vigil_bank_create(st, "b", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    /* an import of 2000 rows: one row in the log */
    size_t cap = 2000 * 80 + 64, len = 0;
    char *csv = malloc(cap);
    CHECK(csv != NULL);
    for (int i = 0; i < 2000; i++) {
        vigil_pdq h = near((unsigned)i % 16, 20);
        char hex[65];
        vigil_pdq_to_hex(&h, hex);
        len += (size_t)snprintf(csv + len, cap - len, "%s\n", hex);
    }
    FILE *f = fmemopen(csv, len, "r");
    vigil_import_report r;
    vigil_status rc = vigil_bank_import(st, "b", f, NULL, &r, &err);
    fclose(f);
    free(csv);
    CHECK_OK(rc, &err);
    CHECK_OK(vigil_bank_change_head(st, &h1, NULL, &err), &err);
    CHECK_INT(h1, ==, 2); /* the bank's creation, the import */
    vigil_bank_change *cs = NULL;
    size_t n = 0;
    CHECK_OK(vigil_bank_changes_since(st, 0, 0, &cs, &n, &err), &err);
    CHECK_INT(n, ==, 2);
    CHECK_INT(cs[0].kind, ==, VIGIL_CHANGE_BANK);
    CHECK_INT(cs[1].kind, ==, VIGIL_CHANGE_IMPORT);
    CHECK_INT(cs[1].last_id - cs[1].entry_id + 1, ==, (int64_t)r.imported);
    vigil_bank_changes_free(cs, n);
    /* a removal carries the value it took away */
    CHECK_OK(vigil_bank_remove(st, "b", 5, &err), &err);
    CHECK_OK(vigil_bank_changes_since(st, h1, 0, &cs, &n, &err), &err);
    CHECK_INT(n, ==, 1);
    CHECK(cs[0].kind == VIGIL_CHANGE_ENTRY && cs[0].entry_id == 5 && cs[0].old_value &&
          cs[0].signal == VIGIL_SIGNAL_PDQ);
    vigil_bank_changes_free(cs, n);
    /* pruning: keep 10 rows; 2100 changes later the start is gone */
    vigil__store_set_log_keep(st, 10);
    vigil_matcher *m = NULL;
    CHECK_OK(vigil_matcher_open(st, NULL, &m, &err), &err);
    vigil_bank_update u;
    memset(&u, 0, sizeof u);
    u.set_max_distance = 1;
    for (int i = 0; i < 2100; i++) {
        u.max_distance = i % 50;
        CHECK_OK(vigil_bank_set(st, "b", &u, NULL, &err), &err);
    }
    CHECK_OK(vigil_bank_change_head(st, &h1, &pruned, &err), &err);
    CHECK_INT(pruned, >, 0);
    CHECK_INT(h1 - pruned, <=, 1024 + 10);
    CHECK_INT(vigil_bank_changes_since(st, 0, 0, &cs, &n, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_matcher_sync(m, NULL, &err), ==, VIGIL_ECONFLICT);
    CHECK_INT(vigil_bank_changes_since(st, h1 + 5, 0, &cs, &n, &err), ==, VIGIL_ECONFLICT);
    CHECK_OK(vigil_bank_changes_since(st, h1, 0, &cs, &n, &err), &err);
    CHECK_INT(n, ==, 0);
    vigil_matcher_free(m);
    vigil_store_close(st);
}

/* A second handle on the same file (another process's view) sees the
 * first one's changes through the log. */
static void t_second_handle(void) {
    const char *path = tmp_path("live-two.db");
    test_rm_db(path);
    vigil_store *a = NULL, *b = NULL;
    vigil_matcher *m = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &a, &err), &err);
    CHECK_OK(vigil_store_open(path, &b, &err), &err);
    CHECK_OK(vigil_matcher_open(b, NULL, &m, &err), &err);
    CHECK_OK(vigil_bank_create(a, "x", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    vigil_pdq h = centre(3);
    int64_t id = 0;
    CHECK_OK(add_value(a, "x", &h, NULL, &id, &err), &err);
    vigil_match_result r;
    CHECK_OK(vigil_matcher_pdq(m, &h, NULL, -1, &r, &err), &err);
    CHECK_INT(r.n, ==, 0); /* not yet synced */
    vigil_match_result_clear(&r);
    CHECK_OK(vigil_matcher_sync(m, NULL, &err), &err);
    CHECK_OK(vigil_matcher_pdq(m, &h, NULL, -1, &r, &err), &err);
    CHECK_INT(r.n, ==, 1);
    CHECK_INT(r.matches[0].entry_id, ==, id);
    vigil_match_result_clear(&r);
    /* removed through a: never matched again, even before a sync */
    CHECK_OK(vigil_bank_remove(a, "x", id, &err), &err);
    CHECK_OK(vigil_matcher_pdq(m, &h, NULL, -1, &r, &err), &err);
    CHECK_INT(r.n, ==, 0);
    vigil_match_result_clear(&r);
    CHECK_OK(vigil_matcher_sync(m, NULL, &err), &err);
    CHECK_INT(vigil_matcher_entries(m), ==, 0);
    vigil_matcher_free(m);
    vigil_store_close(a);
    vigil_store_close(b);
    test_rm_db(path);
}

/* Change byte `at` of a file (at < 0: from the end); or cut it to `len`. */
static int poke(const char *path, long at) {
    FILE *f = fopen(path, "r+b");
    if (!f) return -1;
    if (fseek(f, at, at < 0 ? SEEK_END : SEEK_SET) != 0) return fclose(f), -1;
    int c = fgetc(f);
    fseek(f, -1, SEEK_CUR);
    fputc(c ^ 0x5a, f);
    return fclose(f);
}

static void t_snapshots(void) {
    const char *path = tmp_path("live-snap.db"), *snap = tmp_path("live-snap.idx");
    const char *other = tmp_path("live-other.db"), *bad = tmp_path("live-bad.idx");
    test_rm_db(path);
    test_rm_db(other);
    unlink(snap);
    vigil_store *st = NULL, *st2 = NULL;
    vigil_matcher *m = NULL, *s = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_OK(vigil_bank_create(st, "known", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    CHECK_OK(vigil_bank_create(st, "strict", VIGIL_BANK_NORMAL, 10, "", NULL, &err), &err);
    CHECK_OK(vigil_bank_create(st, "logos", VIGIL_BANK_ALLOW, 4, "", NULL, &err), &err);
    for (int i = 0; i < 300; i++) {
        vigil_pdq h = near((unsigned)(rnd() % 16), (int)(rnd() % 40));
        CHECK_OK(add_value(st, BANKS[rnd() % 3], &h, NULL, NULL, &err), &err);
    }
    vigil_entry_spec md5 = {VIGIL_SIGNAL_MD5, "01000000000000000000000000000000", "", NULL};
    CHECK_OK(vigil_bank_add(st, "known", &md5, NULL, NULL, &err), &err);
    CHECK_OK(vigil_matcher_open(st, NULL, &m, &err), &err);
    CHECK_OK(vigil_matcher_save(m, snap, &err), &err);
    /* good: the same answers; changes made after it are applied on load */
    vigil_pdq h = centre(5);
    int64_t nid = 0;
    CHECK_OK(add_value(st, "known", &h, NULL, &nid, &err), &err);
    vigil_entry e7;
    CHECK_OK(vigil_bank_entry_get(st, 7, &e7, &err), &err);
    char b7[80];
    snprintf(b7, sizeof b7, "%s", e7.bank_name);
    vigil_entry_clear(&e7);
    CHECK_OK(vigil_bank_remove(st, b7, 7, &err), &err);
    CHECK_OK(vigil_matcher_open_snapshot(st, NULL, snap, &s, &err), &err);
    CHECK_INT(vigil_matcher_sequence(s), >, vigil_matcher_sequence(m));
    CHECK(compare_all(s, st));
    vigil_matcher_free(s);
    s = NULL;
    /* damaged in the middle, at the end; truncated; empty */
    long size = 0;
    {
        FILE *f = fopen(snap, "rb");
        CHECK(f != NULL);
        fseek(f, 0, SEEK_END);
        size = ftell(f);
        fclose(f);
    }
    const long spots[3] = {size / 2, size - 3, 40};
    for (int k = 0; k < 3; k++) {
        CHECK_INT(test_copy_file(snap, bad), ==, 0);
        CHECK_INT(poke(bad, spots[k]), ==, 0);
        vigil_status rc = vigil_matcher_open_snapshot(st, NULL, bad, &s, &err);
        if (rc != VIGIL_ECORRUPT) printf("    damaged at %ld: %s\n", spots[k], vigil_status_name(rc));
        CHECK_INT(rc, ==, VIGIL_ECORRUPT);
        CHECK(s == NULL);
    }
    const long cuts[3] = {size - 1, size / 3, 10};
    for (int k = 0; k < 3; k++) {
        CHECK_INT(test_copy_file(snap, bad), ==, 0);
        CHECK_INT(truncate(bad, cuts[k]), ==, 0);
        CHECK_INT(vigil_matcher_open_snapshot(st, NULL, bad, &s, &err), ==, VIGIL_ECORRUPT);
        CHECK(s == NULL);
    }
    CHECK_INT(vigil_matcher_open_snapshot(st, NULL, tmp_path("no-such.idx"), &s, &err), ==, VIGIL_ENOENT);
    /* another store's, other options */
    CHECK_OK(vigil_store_open(other, &st2, &err), &err);
    CHECK_INT(vigil_matcher_open_snapshot(st2, NULL, snap, &s, &err), ==, VIGIL_ECORRUPT);
    CHECK(strstr(err.msg, "another store") != NULL);
    vigil_match_opts o;
    vigil_match_opts_init(&o);
    o.max_distance = 20;
    CHECK_INT(vigil_matcher_open_snapshot(st, &o, snap, &s, &err), ==, VIGIL_ECORRUPT);
    /* stale: the log pruned past it */
    vigil__store_set_log_keep(st, 10);
    vigil_bank_update u;
    memset(&u, 0, sizeof u);
    u.set_max_distance = 1;
    for (int i = 0; i < 1100; i++) {
        u.max_distance = i % 40;
        CHECK_OK(vigil_bank_set(st, "strict", &u, NULL, &err), &err);
    }
    CHECK_INT(vigil_matcher_open_snapshot(st, NULL, snap, &s, &err), ==, VIGIL_ECORRUPT);
    CHECK(strstr(err.msg, "stale") != NULL);
    CHECK(s == NULL);
    vigil_matcher_free(m);
    vigil_store_close(st);
    vigil_store_close(st2);
    unlink(snap);
    unlink(bad);
    test_rm_db(path);
    test_rm_db(other);
}

/* A store restored from a backup (same identity) that logged other
 * changes since: a snapshot of the original at the same sequence is not
 * used. */
static void t_snapshot_restored(void) {
    const char *orig = tmp_path("live-orig.db"), *back = tmp_path("live-back.db");
    const char *snap = tmp_path("live-orig.idx");
    test_rm_db(orig);
    test_rm_db(back);
    vigil_store *st = NULL;
    vigil_matcher *m = NULL, *s = NULL;
    vigil_err err;
    int64_t id = 0;
    CHECK_OK(vigil_store_open(orig, &st, &err), &err);
    CHECK_OK(vigil_store_identity(st, &id, &err), &err);
    CHECK_OK(vigil_bank_create(st, "b", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    vigil_store_close(st); /* checkpointed: the file is the whole store */
    CHECK_INT(test_copy_file(orig, back), ==, 0);
    CHECK_OK(vigil_store_open(orig, &st, &err), &err);
    vigil_pdq h1 = centre(1), h2 = centre(2);
    CHECK_OK(add_value(st, "b", &h1, NULL, NULL, &err), &err);
    CHECK_OK(add_value(st, "b", &h2, NULL, NULL, &err), &err);
    CHECK_OK(vigil_matcher_open(st, NULL, &m, &err), &err);
    CHECK_OK(vigil_matcher_save(m, snap, &err), &err);
    vigil_matcher_free(m);
    vigil_store_close(st);
    /* the backup, with two other changes: the same sequence, other rows */
    CHECK_OK(vigil_store_open(back, &st, &err), &err);
    CHECK_OK(vigil_bank_create(st, "c", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    CHECK_OK(vigil_bank_create(st, "d", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    vigil_status rc = vigil_matcher_open_snapshot(st, NULL, snap, &s, &err);
    CHECK_INT(rc, ==, VIGIL_ECORRUPT);
    CHECK(strstr(err.msg, "differs") != NULL);
    CHECK(s == NULL);
    vigil_store_close(st);
    unlink(snap);
    test_rm_db(orig);
    test_rm_db(back);
}

/* Snapshots written while another thread syncs and queries: each one
 * loads to the same answers as a fresh matcher. */
typedef struct saver {
    vigil_matcher *m;
    const char *path;
    int stop, saved, failed;
} saver;

static void *save_loop(void *arg) {
    saver *sv = arg;
    while (!__atomic_load_n(&sv->stop, __ATOMIC_ACQUIRE)) {
        vigil_err err;
        if (vigil_matcher_save(sv->m, sv->path, &err) != VIGIL_OK) sv->failed = 1;
        sv->saved++;
    }
    return NULL;
}

static void t_save_during_sync(void) {
    const char *path = tmp_path("live-race.db"), *snap = tmp_path("live-race.idx");
    test_rm_db(path);
    vigil_store *st = NULL, *w = NULL;
    vigil_matcher *m = NULL, *s = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_OK(vigil_store_open(path, &w, &err), &err);
    CHECK_OK(vigil_bank_create(w, "known", VIGIL_BANK_NORMAL, -1, "", NULL, &err), &err);
    /* a bulk of 20,000 (built tables), then changes while saving */
    size_t cap = 20000 * 66 + 64, len = 0;
    char *csv = malloc(cap);
    CHECK(csv != NULL);
    for (int i = 0; i < 20000; i++) {
        vigil_pdq h = near((unsigned)(rnd() % 16), 10 + (int)(rnd() % 40));
        char hex[65];
        vigil_pdq_to_hex(&h, hex);
        len += (size_t)snprintf(csv + len, cap - len, "%s\n", hex);
    }
    FILE *f = fmemopen(csv, len, "r");
    vigil_status rc = vigil_bank_import(w, "known", f, NULL, NULL, &err);
    fclose(f);
    free(csv);
    CHECK_OK(rc, &err);
    CHECK_OK(vigil_matcher_open(st, NULL, &m, &err), &err);
    saver sv = {m, snap, 0, 0, 0};
    pthread_t th;
    CHECK_INT(pthread_create(&th, NULL, save_loop, &sv), ==, 0);
    for (int round = 0; round < 30; round++) {
        for (int k = 0; k < 20; k++) {
            vigil_pdq h = near((unsigned)(rnd() % 16), (int)(rnd() % 40));
            int64_t id = 0;
            if (add_value(w, "known", &h, NULL, &id, NULL) == VIGIL_OK && k % 3 == 0)
                (void)vigil_bank_remove(w, "known", 1 + (int64_t)(rnd() % 20000), NULL);
        }
        rc = vigil_matcher_sync(m, NULL, &err);
        if (rc != VIGIL_OK) break;
        vigil_pdq q = near((unsigned)(rnd() % 16), 8);
        vigil_match_result r;
        if (vigil_matcher_pdq(m, &q, NULL, -1, &r, &err) == VIGIL_OK) vigil_match_result_clear(&r);
    }
    __atomic_store_n(&sv.stop, 1, __ATOMIC_RELEASE);
    pthread_join(th, NULL);
    CHECK_OK(rc, &err);
    CHECK(!sv.failed);
    printf("    %d snapshots written meanwhile\n", sv.saved);
    CHECK_INT(sv.saved, >, 0);
    CHECK(compare_all(m, st));
    CHECK_OK(vigil_matcher_open_snapshot(st, NULL, snap, &s, &err), &err);
    CHECK(compare_all(s, st));
    vigil_matcher_free(s);
    vigil_matcher_free(m);
    vigil_store_close(st);
    vigil_store_close(w);
    unlink(snap);
    test_rm_db(path);
}

const test_case suite_live[] = {
    {"live/save_while_syncing", t_save_during_sync},
    {"live/snapshot_of_a_restored_store", t_snapshot_restored},
    {"live/log_rows_import_prune", t_log_rows},
    {"live/deltas_equal_fresh_matcher", t_deltas_random},
    {"live/second_store_handle", t_second_handle},
    {"live/snapshots", t_snapshots},
    {NULL, NULL},
};
