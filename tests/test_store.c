/* tests/test_store.c - the store (open, migrations, refusals, a schema-2
 * store with banks migrated) and hash banks: CRUD, entries, labels, CSV
 * import edge cases, strict mode, idempotence, export round trip,
 * hash-per-line files, one value under several ids, the scan, stats. */
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/driver.h"
#include "store/store_internal.h"
#include "test.h"
#include "vigil/bank.h"
#include "vigil/case.h"
#include "vigil/store.h"

#define PDQ_A "d8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22"
/* the text signature of "some text\n" (vigil hash --text) */
#define TEXT_SIG \
    "mh1:h_RC-DnEffsMxVO6MjaxbUG917X9nbwlHTbLIFsZVTsJkrLoy1dBRmQi2bzKgvnVDknRe-081s_TjNdbdg5S32" \
    "GW7uDy_Z5XY3-thk4UpYSEiA7LEnCUNSoCao-_EXBZ3o1_3F9b19kje28JfLrsRqFBLZ8du12e16QLQv3nv6NhVkGo" \
    "KUAAnRcubY6yMNUMPl26Zo9dIID1kP_K8aRtSSUTNcXJ0_yY40ZYcmV8sIgEMr9YsGDC_AmQ7vIWfzrumc9rncaJG9" \
    "oWF2b4RUZOIhM_ubJILR73Cv-vO8vgqWhX5tZtkdmUlU8nypqiARmkC1UJM1ZZLw59QYIquYNUQOYfb9J8xdS597Dd" \
    "q7XhSADglVvPuSO4t-6OicjX_t2uRJAzJkCIeLCwAnyvMpVoTTK2Rg4wLT-yW46Tt0QK-VYgL-0J1xrJ9Iwa7j7xmG" \
    "T0r8FWGAaXomuD6pt2XNXnGCp0FzH9Ka-VT2LL2Mb2POKMex6rzNGiRcZQhqz-44iaVkCeeEc6kg4HxfUIgTNFYtJ8" \
    "7LaDrsm76OgcfiBRoEbjUy1JgVXOQD6oxHlGD0IdX-8TIjrA43bvinwWpiojJxKM6lxvre94XiOo1dMQlQUmhVSpXe" \
    "Q8vLuabkgTtISo-SbTcb8xDtYTM4kUzqO5CXmgHzTwIXtKq8WhTtW4pk0"
#define PDQ_B "0000000000000000000000000000000000000000000000000000000000000001"
#define PDQ_C "f000000000000000000000000000000000000000000000000000000000000000"
#define MD5_A "0123456789abcdef0123456789abcdef"

static const char *tmp_path(const char *name) {
    static char buf[512];
    snprintf(buf, sizeof buf, "%s/%s", test_tmpdir(), name);
    return buf;
}

/* Bad rows collected as "LINE: reason\n". */
typedef struct bad_log {
    char text[8192];
    size_t len;
    int n;
} bad_log;

static void collect_bad(void *ctx, uint64_t line, const char *reason) {
    bad_log *b = ctx;
    b->n++;
    if (b->len < sizeof b->text)
        b->len += (size_t)snprintf(b->text + b->len, sizeof b->text - b->len, "%llu: %s\n",
                                   (unsigned long long)line, reason);
    if (b->len > sizeof b->text) b->len = sizeof b->text;
}

/* Import a string. */
static vigil_status import_str(vigil_store *st, const char *bank, const char *csv, int strict,
                               int signal, bad_log *bad, vigil_import_report *r, vigil_err *err) {
    FILE *f = fmemopen((void *)csv, strlen(csv), "r");
    if (!f) return VIGIL_EIO;
    vigil_import_opts o;
    vigil_import_opts_init(&o);
    o.strict = strict;
    o.signal = signal;
    if (bad) {
        memset(bad, 0, sizeof *bad);
        o.on_bad = collect_bad;
        o.ctx = bad;
    }
    vigil_status rc = vigil_bank_import(st, bank, f, &o, r, err);
    fclose(f);
    return rc;
}

static int64_t count_entries(vigil_store *st, const char *bank) {
    vigil_bank_stats s;
    if (vigil_bank_stats_get(st, bank, &s, NULL) != VIGIL_OK) return -1;
    return s.entries;
}

/* ---- store ------------------------------------------------------------- */

static void t_open_migrate(void) {
    const char *path = tmp_path("migrate.db");
    test_rm_db(path);
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_INT(vigil_store_schema_version(st), ==, vigil_store_schema_latest());
    CHECK_INT(vigil_store_schema_latest(), >=, 1);
    CHECK_STR(vigil_store_path(st), path);
    vigil_store_close(st);
    /* again: nothing to migrate, same version */
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_INT(vigil_store_schema_version(st), ==, vigil_store_schema_latest());
    vigil_store_close(st);
    /* recorded: user_version, one schema_migration row per step, WAL */
    sqlite3 *db = NULL;
    CHECK_INT(sqlite3_open(path, &db), ==, SQLITE_OK);
    sqlite3_stmt *s = NULL;
    int ok = sqlite3_prepare_v2(db,
                                "SELECT (SELECT user_version FROM pragma_user_version), "
                                "(SELECT count(*) FROM schema_migration), "
                                "(SELECT journal_mode FROM pragma_journal_mode)",
                                -1, &s, NULL) == SQLITE_OK &&
             sqlite3_step(s) == SQLITE_ROW;
    int uv = ok ? sqlite3_column_int(s, 0) : -1, steps = ok ? sqlite3_column_int(s, 1) : -1;
    char mode[16] = "";
    if (ok) snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(s, 2));
    sqlite3_finalize(s);
    sqlite3_close(db);
    CHECK(ok);
    CHECK_INT(uv, ==, vigil_store_schema_latest());
    CHECK_INT(steps, ==, vigil_store_schema_latest());
    CHECK_STR(mode, "wal");
    vigil_store_close(NULL);
}

/* Make an SQLite file with the given application id, user_version and SQL. */
static int make_db(const char *path, int app_id, int version, const char *sql) {
    test_rm_db(path);
    sqlite3 *db = NULL;
    char q[256];
    snprintf(q, sizeof q, "PRAGMA application_id = %d; PRAGMA user_version = %d; %s", app_id,
             version, sql ? sql : "");
    int rc =
        sqlite3_open(path, &db) == SQLITE_OK && sqlite3_exec(db, q, NULL, NULL, NULL) == SQLITE_OK;
    sqlite3_close(db);
    return rc;
}

static void t_future_version_refused(void) {
    const char *path = tmp_path("future.db");
    CHECK(make_db(path, 0x5649474C, vigil_store_schema_latest() + 5, "CREATE TABLE x (a)"));
    vigil_store *st = (vigil_store *)1;
    vigil_err err;
    vigil_err_clear(&err);
    CHECK_INT(vigil_store_open(path, &st, &err), ==, VIGIL_EFORMAT);
    CHECK(st == NULL);
    CHECK(strstr(err.msg, "upgrade vigil") != NULL);
    CHECK(strstr(err.msg, path) != NULL);
}

static void t_foreign_files_refused(void) {
    vigil_store *st = NULL;
    vigil_err err;
    const char *path = tmp_path("other.db");
    CHECK(make_db(path, 0, 0, "CREATE TABLE photos (a)"));
    CHECK_INT(vigil_store_open(path, &st, &err), ==, VIGIL_EFORMAT);
    CHECK(strstr(err.msg, "another program") != NULL);
    CHECK(make_db(path, 1234, 0, NULL));
    CHECK_INT(vigil_store_open(path, &st, &err), ==, VIGIL_EFORMAT);
    /* not SQLite at all */
    path = tmp_path("notes.txt");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("these are notes, long enough to look like a header of something else entirely\n"
          "and then some more text so that the file is over one hundred bytes long\n",
          f);
    fclose(f);
    CHECK_INT(vigil_store_open(path, &st, &err), ==, VIGIL_EFORMAT);
    CHECK(strstr(err.msg, "not an SQLite database") != NULL);
    /* a directory that does not exist */
    CHECK_INT(vigil_store_open(tmp_path("no/such/dir/x.db"), &st, &err), ==, VIGIL_EIO);
    CHECK(strstr(err.msg, "cannot open the store") != NULL);
    CHECK_INT(vigil_store_open("", &st, &err), ==, VIGIL_EINVAL);
    CHECK_INT(vigil_store_open(NULL, &st, &err), ==, VIGIL_EINVAL);
}

static void t_memory_store(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_status rc = vigil_bank_create(st, "m", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
}

/* ---- banks ------------------------------------------------------------- */

static void t_bank_crud(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_bank_info b, *v = NULL;
    size_t n = 0;
    int ok = 0;
    /* the checks run in a block so that `st` is closed on every path */
    do {
        if (vigil_bank_create(st, "zeta", VIGIL_BANK_NORMAL, -1, "second", &b, &err) != VIGIL_OK)
            break;
        if (b.id <= 0 || b.kind != VIGIL_BANK_NORMAL || b.max_distance != -1 || !b.enabled) break;
        if (strlen(b.created_at) != 20 || b.created_at[10] != 'T' || b.created_at[19] != 'Z') break;
        if (vigil_bank_create(st, "alpha.1_x-y", VIGIL_BANK_ALLOW, 12, NULL, NULL, &err) !=
            VIGIL_OK)
            break;
        if (vigil_bank_create(st, "zeta", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err) != VIGIL_EEXIST)
            break;
        if (!strstr(err.msg, "a bank named 'zeta' already exists")) break;
        if (vigil_bank_get(st, "alpha.1_x-y", &b, &err) != VIGIL_OK) break;
        if (b.kind != VIGIL_BANK_ALLOW || b.max_distance != 12 || b.description[0]) break;
        if (vigil_bank_get(st, "nope", &b, &err) != VIGIL_ENOENT) break;
        if (!strstr(err.msg, "no bank named 'nope' (see `vigil bank list`)")) break;
        if (vigil_bank_list(st, &v, &n, &err) != VIGIL_OK || n != 2) break;
        if (strcmp(v[0].name, "alpha.1_x-y") != 0 || strcmp(v[1].name, "zeta") != 0) break;
        if (v[0].entries != 0 || strcmp(v[1].description, "second") != 0) break;
        vigil_bank_update u;
        memset(&u, 0, sizeof u);
        u.set_kind = 1;
        u.kind = VIGIL_BANK_NORMAL;
        u.set_max_distance = 1;
        u.max_distance = -1;
        u.set_enabled = 1;
        u.enabled = 0;
        u.description = "now off";
        if (vigil_bank_set(st, "alpha.1_x-y", &u, &b, &err) != VIGIL_OK) break;
        if (b.kind != VIGIL_BANK_NORMAL || b.max_distance != -1 || b.enabled) break;
        if (vigil_bank_get(st, "alpha.1_x-y", &b, &err) != VIGIL_OK ||
            strcmp(b.description, "now off") != 0)
            break;
        u.max_distance = 300;
        if (vigil_bank_set(st, "alpha.1_x-y", &u, NULL, &err) != VIGIL_EINVAL) break;
        if (vigil_bank_set(st, "gone", &u, NULL, &err) == VIGIL_OK) break;
        vigil_entry_spec e = {VIGIL_SIGNAL_PDQ, PDQ_A, NULL, NULL};
        if (vigil_bank_add(st, "zeta", &e, NULL, NULL, &err) != VIGIL_OK) break;
        int64_t deleted = -1;
        if (vigil_bank_delete(st, "zeta", &deleted, &err) != VIGIL_OK || deleted != 1) break;
        if (vigil_bank_get(st, "zeta", &b, &err) != VIGIL_ENOENT) break;
        if (vigil_bank_delete(st, "zeta", NULL, &err) != VIGIL_ENOENT) break;
        ok = 1;
    } while (0);
    free(v);
    vigil_store_close(st);
    if (!ok) printf("    last error: %s\n", err.msg);
    CHECK(ok);
}

static void t_bank_validation(void) {
    vigil_err err;
    static const char *const bad[] = {
        "",        "a b", "-x",
        ".hidden", "_x",  "é",
        "x/y",     "x;y", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vigil_err_clear(&err);
        CHECK_INT(vigil_bank_name_check(bad[i], &err), ==, VIGIL_EINVAL);
        CHECK(err.msg[0] != '\0');
    }
    CHECK_OK(vigil_bank_name_check("a", &err), &err);
    CHECK_OK(vigil_bank_name_check("9-Bank_v1.2", &err), &err);
    CHECK_OK(vigil_bank_name_check(
                 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &err),
             &err);
    vigil_store *st = NULL;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_status r1 = vigil_bank_create(st, "ok", VIGIL_BANK_NORMAL, 257, NULL, NULL, &err);
    vigil_status r2 = vigil_bank_create(st, "ok", VIGIL_BANK_NORMAL, -2, NULL, NULL, &err);
    vigil_status r3 = vigil_bank_create(st, "ok", VIGIL_BANK_NORMAL, -1, "bad\xff", NULL, &err);
    vigil_status r4 = vigil_bank_create(st, "has space", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    vigil_status r5 = vigil_bank_create(st, "ok", VIGIL_BANK_NORMAL, 256, NULL, NULL, &err);
    vigil_store_close(st);
    CHECK_INT(r1, ==, VIGIL_EINVAL);
    CHECK_INT(r2, ==, VIGIL_EINVAL);
    CHECK_INT(r3, ==, VIGIL_EPARSE);
    CHECK_INT(r4, ==, VIGIL_EINVAL);
    CHECK_INT(r5, ==, VIGIL_OK);
}

/* ---- entries ----------------------------------------------------------- */

static void t_entries(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_entry e;
    memset(&e, 0, sizeof e);
    int ok = 0;
    int64_t id1 = 0, id2 = 0, id3 = 0, id4 = 0, idx = 0;
    int dup = -1;
    do {
        if (vigil_bank_create(st, "one", VIGIL_BANK_NORMAL, 20, NULL, NULL, &err) != VIGIL_OK)
            break;
        if (vigil_bank_create(st, "two", VIGIL_BANK_ALLOW, -1, NULL, NULL, &err) != VIGIL_OK) break;
        /* upper case and blanks accepted, stored lower case */
        vigil_entry_spec s = {VIGIL_SIGNAL_PDQ,
                              "  D8F8F0CEE0F4A84F0637022A078F67F0B36E2ED596621E1D33E6339C4E9C9B22 ",
                              "source=partner-x; entity=example-group", "TE-1"};
        if (vigil_bank_add(st, "one", &s, &id1, &dup, &err) != VIGIL_OK || dup != 0 || id1 <= 0)
            break;
        /* the same again: duplicate, same id, labels untouched */
        vigil_entry_spec s2 = {VIGIL_SIGNAL_PDQ, PDQ_A, "other=1", NULL};
        if (vigil_bank_add(st, "one", &s2, &idx, &dup, &err) != VIGIL_OK || dup != 1 || idx != id1)
            break;
        /* the same value in another bank, or as another type, is another entry */
        if (vigil_bank_add(st, "two", &s2, &id2, &dup, &err) != VIGIL_OK || dup || id2 == id1)
            break;
        vigil_entry_spec s3 = {VIGIL_SIGNAL_SHA256, PDQ_A, NULL, NULL};
        if (vigil_bank_add(st, "one", &s3, &id3, &dup, &err) != VIGIL_OK || dup) break;
        vigil_entry_spec s4 = {VIGIL_SIGNAL_TEXT, "  " TEXT_SIG, NULL, NULL}; /* blanks skipped */
        if (vigil_bank_add(st, "one", &s4, &id4, &dup, &err) != VIGIL_OK || dup) break;
        /* the entry with its bank, for printing a match */
        if (vigil_bank_entry_get(st, id1, &e, &err) != VIGIL_OK) break;
        if (strcmp(e.bank_name, "one") != 0 || e.bank_kind != VIGIL_BANK_NORMAL ||
            e.bank_max_distance != 20)
            break;
        if (e.signal != VIGIL_SIGNAL_PDQ || strcmp(e.value, PDQ_A) != 0 || !e.enabled) break;
        if (strcmp(e.labels, "entity=example-group;source=partner-x") != 0 ||
            strcmp(e.external_id, "TE-1") != 0)
            break;
        vigil_entry_clear(&e);
        if (vigil_bank_entry_get(st, id2, &e, &err) != VIGIL_OK) break;
        if (e.bank_kind != VIGIL_BANK_ALLOW || e.bank_max_distance != -1 || e.external_id) break;
        if (strcmp(e.labels, "other=1") != 0) break;
        vigil_entry_clear(&e);
        if (vigil_bank_entry_get(st, id4, &e, &err) != VIGIL_OK ||
            strcmp(e.value, TEXT_SIG) != 0)
            break;
        vigil_entry_clear(&e);
        if (vigil_bank_entry_get(st, 999, &e, &err) != VIGIL_ENOENT ||
            !strstr(err.msg, "no entry 999"))
            break;
        /* remove: the bank must match */
        if (vigil_bank_remove(st, "two", id1, &err) != VIGIL_ENOENT) break;
        if (!strstr(err.msg, "is in bank 'one', not in 'two'")) break;
        if (vigil_bank_remove(st, "one", 999, &err) != VIGIL_ENOENT ||
            !strstr(err.msg, "bank 'one' has no entry 999"))
            break;
        if (vigil_bank_remove(st, "nope", id1, &err) != VIGIL_ENOENT ||
            !strstr(err.msg, "no bank named 'nope'"))
            break;
        if (vigil_bank_remove(st, "one", id4, &err) != VIGIL_OK) break;
        if (vigil_bank_remove(st, "one", id4, &err) != VIGIL_ENOENT) break;
        /* ids are never reused, even the highest one's after removal */
        vigil_entry_spec s5 = {VIGIL_SIGNAL_MD5, MD5_A, NULL, NULL};
        if (vigil_bank_add(st, "one", &s5, &idx, &dup, &err) != VIGIL_OK || idx <= id4) break;
        if (count_entries(st, "one") != 3) break;
        ok = 1;
    } while (0);
    vigil_entry_clear(&e);
    vigil_store_close(st);
    if (!ok) printf("    last error: %s\n", err.msg);
    CHECK(ok);
}

static void t_entry_validation(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_status rc = vigil_bank_create(st, "b", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err);
    struct {
        vigil_entry_spec s;
        vigil_status want;
        const char *msg;
    } cases[] = {
        {{VIGIL_SIGNAL_MD5, "123", NULL, NULL},
         VIGIL_EPARSE,
         "bad MD5 hash: expected 32 hex digits, got 3"},
        {{VIGIL_SIGNAL_PDQ, MD5_A, NULL, NULL},
         VIGIL_EPARSE,
         "bad PDQ hash: expected 64 hex digits, got 32"},
        {{VIGIL_SIGNAL_SHA256, "g8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22",
          NULL, NULL},
         VIGIL_EPARSE,
         "'g' at position 1 is not a hex digit"},
        {{VIGIL_SIGNAL_PDQ, PDQ_A, "entity=bad\xc3\x28", NULL},
         VIGIL_EPARSE,
         "labels: label 'entity': value is not valid UTF-8"},
        {{VIGIL_SIGNAL_PDQ, PDQ_A, "bad key=1", NULL}, VIGIL_EPARSE, "labels: label key 'bad key'"},
        {{VIGIL_SIGNAL_PDQ, PDQ_A, "novalue", NULL}, VIGIL_EPARSE, "has no '='"},
        {{VIGIL_SIGNAL_PDQ, PDQ_A, NULL, "id\nwith newline"},
         VIGIL_EPARSE,
         "id: control character"},
        {{VIGIL_SIGNAL_TEXT, "", NULL, NULL}, VIGIL_EPARSE, "empty text value"},
        {{VIGIL_SIGNAL_VIDEO, "\xff", NULL, NULL}, VIGIL_EPARSE, "not valid UTF-8"},
        {{(vigil_signal)42, PDQ_A, NULL, NULL}, VIGIL_EINVAL, "unknown signal type"},
    };
    int failed = -1;
    for (size_t i = 0; rc == VIGIL_OK && i < sizeof cases / sizeof cases[0]; i++) {
        vigil_err_clear(&err);
        vigil_status got = vigil_bank_add(st, "b", &cases[i].s, NULL, NULL, &err);
        if (got != cases[i].want || !strstr(err.msg, cases[i].msg)) {
            printf("    case %zu: %s: %s\n", i, vigil_status_name(got), err.msg);
            failed = (int)i;
            break;
        }
    }
    vigil_entry_spec ok_spec = {VIGIL_SIGNAL_PDQ, PDQ_A, NULL, NULL};
    vigil_status missing = vigil_bank_add(st, "nobank", &ok_spec, NULL, NULL, &err);
    int64_t n = count_entries(st, "b");
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK_INT(failed, ==, -1);
    CHECK_INT(missing, ==, VIGIL_ENOENT);
    CHECK_INT(n, ==, 0);
    vigil_signal sig;
    CHECK_INT(vigil_signal_parse("PDQ", &sig, &err), ==, VIGIL_OK);
    CHECK_INT(sig, ==, VIGIL_SIGNAL_PDQ);
    CHECK_INT(vigil_signal_parse("photo", &sig, &err), ==, VIGIL_EPARSE);
    CHECK(
        strstr(err.msg, "unknown signal type 'photo' (expected pdq, md5, sha256, video or text)"));
    char *canon = NULL;
    CHECK_OK(
        vigil_signal_canonical(VIGIL_SIGNAL_MD5, "0123456789ABCDEF0123456789abcdef", &canon, &err),
        &err);
    int same = strcmp(canon, MD5_A) == 0;
    free(canon);
    CHECK(same);
}

/* ---- labels ------------------------------------------------------------ */

static void t_labels(void) {
    vigil_labels l;
    vigil_labels_init(&l);
    vigil_err err;
    char *text = NULL, *json = NULL;
    int ok = 0;
    do {
        if (vigil_labels_parse(&l,
                               " source = partner-x ;entity=example-group;;note=\"a;b \"\"c\"\"\"",
                               &err) != VIGIL_OK)
            break;
        if (l.n != 3) break;
        if (vigil_labels_add(&l, "z:k.1-2_3", "line\nbreak", &err) != VIGIL_OK) break;
        if (vigil_labels_format(&l, &text, &err) != VIGIL_OK) break;
        if (strcmp(text, "entity=example-group;note=\"a;b \"\"c\"\"\";source=partner-x;"
                         "z:k.1-2_3=\"line\nbreak\"") != 0)
            break;
        /* canonical text parses back to itself */
        vigil_labels_clear(&l);
        char *again = NULL;
        if (vigil_labels_parse(&l, text, &err) != VIGIL_OK ||
            vigil_labels_format(&l, &again, &err) != VIGIL_OK)
            break;
        int same = strcmp(again, text) == 0;
        free(again);
        if (!same) break;
        if (vigil_labels_to_json(text, &json, &err) != VIGIL_OK) break;
        if (strcmp(
                json,
                "{\"entity\":\"example-group\",\"note\":\"a;b \\\"c\\\"\",\"source\":\"partner-x\","
                "\"z:k.1-2_3\":\"line\\nbreak\"}") != 0)
            break;
        /* errors leave the set unchanged */
        size_t before = l.n;
        if (vigil_labels_parse(&l, "x=1;entity=dup", &err) != VIGIL_EPARSE || l.n != before) break;
        if (!strstr(err.msg, "label key 'entity' given twice")) break;
        if (vigil_labels_add(&l, "bad key", "v", &err) != VIGIL_EPARSE) break;
        if (vigil_labels_add(&l, "", "v", &err) != VIGIL_EPARSE) break;
        if (vigil_labels_add(&l, "k", "\xed\xa0\x80", &err) != VIGIL_EPARSE) break; /* surrogate */
        if (vigil_labels_add(&l, "k", "\xc0\xaf", &err) != VIGIL_EPARSE) break;     /* overlong */
        if (vigil_labels_add(&l, "k", "bell\a", &err) != VIGIL_EPARSE) break;
        if (vigil_labels_add(&l, "k", "caf\xc3\xa9 \xf0\x9f\x98\x80", &err) != VIGIL_OK) break;
        if (vigil_labels_parse(&l, "a=\"open", &err) != VIGIL_EPARSE ||
            !strstr(err.msg, "unterminated"))
            break;
        if (vigil_labels_parse(&l, "a=\"x\"y", &err) != VIGIL_EPARSE) break;
        if (vigil_labels_parse(&l, "a=x\ny", &err) != VIGIL_EPARSE ||
            !strstr(err.msg, "must be quoted"))
            break;
        if (vigil_labels_parse(&l, NULL, &err) != VIGIL_OK ||
            vigil_labels_parse(&l, "", &err) != VIGIL_OK)
            break;
        ok = 1;
    } while (0);
    vigil_labels_clear(&l);
    vigil_labels_clear(NULL);
    free(text);
    free(json);
    if (!ok) printf("    last error: %s\n", err.msg);
    CHECK(ok);
}

/* ---- CSV import -------------------------------------------------------- */

/* A store with banks "b" (and "c"), for import tests. */
static vigil_store *bank_store(void) {
    vigil_store *st = NULL;
    if (vigil_store_open(test_db(), &st, NULL) != VIGIL_OK) return NULL;
    if (vigil_bank_create(st, "b", VIGIL_BANK_NORMAL, -1, NULL, NULL, NULL) != VIGIL_OK ||
        vigil_bank_create(st, "c", VIGIL_BANK_NORMAL, -1, NULL, NULL, NULL) != VIGIL_OK) {
        vigil_store_close(st);
        return NULL;
    }
    return st;
}

/* 1 if `want` is given and `got` is not it. */
static int text_differs(const char *got, const char *want) {
    return want != NULL && strcmp(got, want) != 0;
}

/* Import `csv` into "b" and check the report and the bad-row log. */
#define IMPORT(csv, strict, want_rc, imp, dups, nbad, bad_text)                                    \
    do {                                                                                           \
        vigil_err_clear(&err);                                                                     \
        memset(&r, 0, sizeof r);                                                                   \
        vigil_status got_ = import_str(st, "b", csv, strict, -1, &bad, &r, &err);                  \
        if (got_ != (want_rc) || r.imported != (imp) || r.duplicates != (dups) ||                  \
            r.bad != (nbad) || text_differs(bad.text, (bad_text))) {                               \
            printf("    rc %s (%s) imported %llu dup %llu bad %llu\n%s", vigil_status_name(got_),  \
                   err.msg, (unsigned long long)r.imported, (unsigned long long)r.duplicates,      \
                   (unsigned long long)r.bad, bad.text);                                           \
            vigil_store_close(st);                                                                 \
            CHECK(!"import result");                                                               \
        }                                                                                          \
    } while (0)

static void t_csv_quoting(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_report r;
    bad_log bad;
    vigil_entry e;
    /* quoted fields with commas, doubled quotes and a newline; columns in
     * another order, other case, an extra column; CRLF; BOM */
    IMPORT("\xEF\xBB\xBF"
           "Labels,ID,extra,SIGNAL_VALUE, signal_type \r\n"
           "\"entity=example-group;note=\"\"a,b\"\"\",\"TE,1\",x," PDQ_A ",pdq\r\n"
           "\"k=\"\"multi\nline\"\"\",,\"y\ny\"," MD5_A ",MD5\r\n"
           "\r\n"
           ",,,\"" PDQ_B "\",pdq\r\n",
           0, VIGIL_OK, 3, 0, 0, "");
    /* ids follow the sorted insertion order (see import.c), so look them all up */
    int64_t found = 0, good = 0;
    for (int64_t id = 1; id <= 3; id++) {
        if (vigil_bank_entry_get(st, id, &e, &err) != VIGIL_OK) continue;
        if (e.signal == VIGIL_SIGNAL_MD5 && strcmp(e.labels, "k=\"multi\nline\"") == 0 &&
            !e.external_id)
            found++;
        if (e.signal == VIGIL_SIGNAL_PDQ && strcmp(e.value, PDQ_A) == 0 &&
            strcmp(e.labels, "entity=example-group;note=a,b") == 0 &&
            strcmp(e.external_id, "TE,1") == 0)
            good++;
        vigil_entry_clear(&e);
    }
    vigil_store_close(st);
    CHECK_INT(good, ==, 1);
    CHECK_INT(found, ==, 1);
}

static void t_csv_bad_rows(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_report r;
    bad_log bad;
    /* each bad row names its line (quoted newlines count) and is skipped */
    IMPORT("signal_type,signal_value,labels\n"
           "pdq," PDQ_A ",\"a=\"\"1\n\"\"\"\n"      /* 2-3 ok */
           "photo," PDQ_B "\n"                      /* 4 unknown type */
           "pdq,0123\n"                             /* 5 wrong length */
           "md5,0123456789abcdef0123456789abcdeg\n" /* 6 bad hex */
           "pdq," PDQ_B ",entity=\xff\n"            /* 7 non-UTF-8 label */
           "pdq\n"                                  /* 8 missing column */
           "pdq," PDQ_C "\n"                        /* 9 ok */
           "pdq,\"" PDQ_B "\"x\n"                   /* 10 text after quote */
           ",abc\n"                                 /* 11 empty type */
           "pdq,\n"                                 /* 12 empty value */
           "sha256,\"" PDQ_B "\n",                  /* 13 unterminated quote */
           0, VIGIL_OK, 2, 0, 9,
           "4: unknown signal type 'photo' (expected pdq, md5, sha256, video or text)\n"
           "5: bad PDQ hash: expected 64 hex digits, got 4\n"
           "6: bad MD5 hash: 'g' at position 32 is not a hex digit\n"
           "7: labels: label 'entity': value is not valid UTF-8 (byte 1)\n"
           "8: missing signal_value (the row has 1 field, the header 3)\n"
           "10: text after a closing quote on line 10 (a quote inside a quoted field is written "
           "\"\")\n"
           "11: empty signal type (expected pdq, md5, sha256, video or text)\n"
           "12: empty signal_value\n"
           "13: unterminated quoted field (the quote opened on line 13 is never closed)\n");
    int64_t n = count_entries(st, "b");
    vigil_store_close(st);
    CHECK_INT(n, ==, 2);
}

static void t_csv_header_errors(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_report r;
    bad_log bad;
    IMPORT("type,value\npdq," PDQ_A "\n", 0, VIGIL_EPARSE, 0, 0, 0, "");
    if (!strstr(err.msg, "line 1: the header needs the columns signal_type and signal_value "
                         "(found: type, value)")) {
        vigil_store_close(st);
        CHECK(!"message");
    }
    IMPORT("signal_type,signal_value,signal_value\n", 0, VIGIL_EPARSE, 0, 0, 0, "");
    IMPORT("\"signal_type,signal_value\n", 0, VIGIL_EPARSE, 0, 0, 0, "");
    if (!strstr(err.msg, "line 1: unterminated quoted field")) {
        vigil_store_close(st);
        CHECK(!"message 2");
    }
    /* empty input and header only: nothing, no error */
    IMPORT("\n\n", 0, VIGIL_OK, 0, 0, 0, "");
    IMPORT("signal_type,signal_value\n", 0, VIGIL_OK, 0, 0, 0, "");
    /* signal_type may be missing when the option gives it */
    vigil_err_clear(&err);
    vigil_status rc =
        import_str(st, "b", "signal_value\n" MD5_A "\n", 0, VIGIL_SIGNAL_MD5, &bad, &r, &err);
    vigil_status rc2 = import_str(st, "nobank", "signal_value\n", 0, -1, &bad, &r, &err);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK_INT(r.imported, ==, 0); /* of the second call */
    CHECK_INT(rc2, ==, VIGIL_ENOENT);
}

static void t_csv_strict_and_idempotent(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_report r;
    bad_log bad;
    const char *csv = "signal_type,signal_value\npdq," PDQ_A "\npdq,bad\nmd5," MD5_A "\n";
    IMPORT(csv, 1, VIGIL_EPARSE, 0, 0, 1, "3: bad PDQ hash: expected 64 hex digits, got 3\n");
    int64_t after_strict = count_entries(st, "b");
    IMPORT(csv, 0, VIGIL_OK, 2, 0, 1, NULL);
    IMPORT(csv, 0, VIGIL_OK, 0, 2, 1, NULL); /* again: nothing new */
    /* duplicates inside one file */
    IMPORT("signal_type,signal_value\npdq," PDQ_C "\npdq," PDQ_C "\n", 0, VIGIL_OK, 1, 1, 0, "");
    int64_t n = count_entries(st, "b");
    vigil_store_close(st);
    CHECK_INT(after_strict, ==, 0);
    CHECK_INT(n, ==, 3);
}

static void t_hash_per_line(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_report r;
    bad_log bad;
    vigil_bank_stats s;
    IMPORT(PDQ_A ",100\n"
                 "\n" PDQ_B ",87,extra\r\n" MD5_A "\n"
                 "nothex\n" PDQ_C "\n",
           0, VIGIL_OK, 4, 0, 1, "5: bad PDQ hash: expected 64 hex digits, got 6\n");
    int is_lines = r.hash_per_line;
    vigil_status rc = vigil_bank_stats_get(st, "b", &s, &err);
    /* the option decides the type: sha256 */
    vigil_import_report r2;
    vigil_status rc2 =
        import_str(st, "c", PDQ_A "\n" PDQ_B "\n", 0, VIGIL_SIGNAL_SHA256, NULL, &r2, &err);
    vigil_bank_stats s2;
    vigil_status rc3 = vigil_bank_stats_get(st, "c", &s2, &err);
    vigil_store_close(st);
    CHECK(is_lines);
    CHECK_OK(rc, &err);
    CHECK_INT(s.by_signal[VIGIL_SIGNAL_PDQ], ==, 3);
    CHECK_INT(s.by_signal[VIGIL_SIGNAL_MD5], ==, 1);
    CHECK_OK(rc2, &err);
    CHECK_OK(rc3, &err);
    CHECK_INT(r2.imported, ==, 2);
    CHECK_INT(s2.by_signal[VIGIL_SIGNAL_SHA256], ==, 2);
}

/* ---- export round trip ------------------------------------------------- */

/* Every entry of a bank as one sortable string per entry. */
typedef struct dump {
    char *rows[64];
    int n;
} dump;

static int dump_row(void *ctx, const vigil_entry *e) {
    dump *d = ctx;
    if (d->n == 64) return 1;
    size_t len = strlen(e->value) + strlen(e->labels) + 300;
    char *s = malloc(len);
    if (!s) return 1;
    snprintf(s, len, "%s\x1f%s\x1f%s\x1f%s", vigil_signal_name(e->signal), e->value, e->labels,
             e->external_id ? e->external_id : "(none)");
    d->rows[d->n++] = s;
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void dump_free(dump *d) {
    for (int i = 0; i < d->n; i++)
        free(d->rows[i]);
    d->n = 0;
}

static vigil_status export_str(vigil_store *st, const char *bank, char **out, vigil_err *err) {
    size_t len = 0;
    FILE *f = open_memstream(out, &len);
    if (!f) return VIGIL_EIO;
    vigil_status rc = vigil_bank_export(st, bank, f, NULL, err);
    fclose(f);
    return rc;
}

static void t_export_roundtrip(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_err_clear(&err);
    static const vigil_entry_spec specs[] = {
        {VIGIL_SIGNAL_PDQ, PDQ_A, "entity=example-group;note=\"a;b, \"\"c\"\"\"", "TE,\"1\""},
        {VIGIL_SIGNAL_MD5, MD5_A, NULL, NULL},
        {VIGIL_SIGNAL_SHA256, PDQ_B, "k=\"two\nlines\"", "x"},
        {VIGIL_SIGNAL_TEXT, TEXT_SIG, "lang=en", NULL},
        {VIGIL_SIGNAL_VIDEO, "vpdq1:AAAD6AAAAAEAAAAAAAAD6GQAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "", ""},
    };
    dump a = {.n = 0}, b = {.n = 0};
    char *csv = NULL, *csv2 = NULL;
    vigil_import_report r;
    memset(&r, 0, sizeof r);
    vigil_status rc = VIGIL_OK;
    for (size_t i = 0; rc == VIGIL_OK && i < sizeof specs / sizeof specs[0]; i++)
        rc = vigil_bank_add(st, "b", &specs[i], NULL, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_set_enabled(st, "b", 2, 0, &err); /* still exported */
    if (rc == VIGIL_OK) rc = export_str(st, "b", &csv, &err);
    if (rc == VIGIL_OK) rc = import_str(st, "c", csv, 1, -1, NULL, &r, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_foreach(st, "b", dump_row, &a, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_foreach(st, "c", dump_row, &b, &err);
    if (rc == VIGIL_OK) rc = export_str(st, "c", &csv2, &err);
    int header = csv && strncmp(csv, "signal_type,signal_value,labels,id\n", 35) == 0;
    int first =
        csv &&
        strstr(csv,
               "\npdq," PDQ_A
               ",\"entity=example-group;note=\"\"a;b, \"\"\"\"c\"\"\"\"\"\"\",\"TE,\"\"1\"\"\"\n");
    vigil_store_close(st);
    qsort(a.rows, (size_t)a.n, sizeof a.rows[0], cmp_str);
    qsort(b.rows, (size_t)b.n, sizeof b.rows[0], cmp_str);
    int same = a.n == 5 && a.n == b.n;
    for (int i = 0; same && i < a.n; i++)
        same = strcmp(a.rows[i], b.rows[i]) == 0;
    int same_text = csv && csv2 && strlen(csv) == strlen(csv2);
    dump_free(&a);
    dump_free(&b);
    free(csv);
    free(csv2);
    CHECK_OK(rc, &err);
    CHECK_INT(r.imported, ==, 5);
    CHECK(header);
    CHECK(first);
    CHECK(same);
    CHECK(same_text);
}

/* ---- scan, stats ------------------------------------------------------- */

typedef struct scan_log {
    int64_t ids[32];
    int64_t banks[32];
    size_t len[32];
    int n, stop_after;
} scan_log;

static int scan_cb(void *ctx, int64_t entry_id, int64_t bank_id, const char *value_hex) {
    scan_log *l = ctx;
    if (l->n == 32) return 1;
    l->len[l->n] = strlen(value_hex);
    l->ids[l->n] = entry_id;
    l->banks[l->n] = bank_id;
    l->n++;
    return l->stop_after && l->n >= l->stop_after;
}

static void t_scan(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    vigil_bank_info on, off, other;
    scan_log all = {.n = 0}, only = {.n = 0}, none = {.n = 0}, early = {.n = 0, .stop_after = 2};
    int64_t ids[6];
    vigil_status rc = vigil_bank_create(st, "on", VIGIL_BANK_NORMAL, -1, NULL, &on, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_create(st, "off", VIGIL_BANK_NORMAL, -1, NULL, &off, &err);
    if (rc == VIGIL_OK)
        rc = vigil_bank_create(st, "other", VIGIL_BANK_ALLOW, -1, NULL, &other, &err);
    const char *const banks[6] = {"on", "off", "other", "on", "on", "other"};
    const vigil_entry_spec specs[6] = {
        {VIGIL_SIGNAL_PDQ, PDQ_A, NULL, NULL}, {VIGIL_SIGNAL_PDQ, PDQ_A, NULL, NULL},
        {VIGIL_SIGNAL_PDQ, PDQ_B, NULL, NULL}, {VIGIL_SIGNAL_PDQ, PDQ_C, NULL, NULL},
        {VIGIL_SIGNAL_MD5, MD5_A, NULL, NULL}, {VIGIL_SIGNAL_PDQ, PDQ_C, NULL, NULL},
    };
    for (int i = 0; rc == VIGIL_OK && i < 6; i++)
        rc = vigil_bank_add(st, banks[i], &specs[i], &ids[i], NULL, &err);
    vigil_bank_update u;
    memset(&u, 0, sizeof u);
    u.set_enabled = 1;
    u.enabled = 0;
    if (rc == VIGIL_OK) rc = vigil_bank_set(st, "off", &u, NULL, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_set_enabled(st, "on", ids[3], 0, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_scan(st, VIGIL_SIGNAL_PDQ, NULL, 0, scan_cb, &all, &err);
    const char *const sel[1] = {"other"};
    if (rc == VIGIL_OK) rc = vigil_bank_scan(st, VIGIL_SIGNAL_PDQ, sel, 1, scan_cb, &only, &err);
    const char *const sel_off[2] = {"off", "off"};
    if (rc == VIGIL_OK)
        rc = vigil_bank_scan(st, VIGIL_SIGNAL_PDQ, sel_off, 2, scan_cb, &none, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_scan(st, VIGIL_SIGNAL_PDQ, NULL, 0, scan_cb, &early, &err);
    const char *const sel_bad[1] = {"nope"};
    vigil_status missing = vigil_bank_scan(st, VIGIL_SIGNAL_PDQ, sel_bad, 1, scan_cb, &none, NULL);
    scan_log md5 = {.n = 0};
    if (rc == VIGIL_OK) rc = vigil_bank_scan(st, VIGIL_SIGNAL_MD5, NULL, 0, scan_cb, &md5, &err);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    /* enabled pdq entries of enabled banks, by id: on/A, other/B, other/C */
    CHECK_INT(all.n, ==, 3);
    CHECK_INT(all.ids[0], ==, ids[0]);
    CHECK_INT(all.banks[0], ==, on.id);
    CHECK_INT(all.ids[1], ==, ids[2]);
    CHECK_INT(all.ids[2], ==, ids[5]);
    CHECK_INT(all.banks[2], ==, other.id);
    CHECK_INT(only.n, ==, 2);
    CHECK_INT(only.banks[0], ==, other.id);
    CHECK_INT(none.n, ==, 0);
    CHECK_INT(early.n, ==, 2);
    CHECK_INT(missing, ==, VIGIL_ENOENT);
    CHECK_INT(all.len[0], ==, 64);
    CHECK_INT(md5.n, ==, 1);
    CHECK_INT(md5.ids[0], ==, ids[4]);
    CHECK_INT(md5.len[0], ==, 32);
}

static void t_stats(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_report r;
    vigil_bank_stats s;
    vigil_status rc = import_str(st, "b",
                                 "signal_type,signal_value,labels\n"
                                 "pdq," PDQ_A ",entity=example-group;source=x\n"
                                 "pdq," PDQ_B ",entity=example-group\n"
                                 "pdq," PDQ_C ",entity=other-group\n"
                                 "md5," MD5_A ",\n",
                                 0, -1, NULL, &r, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_set_enabled(st, "b", 2, 0, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_stats_get(st, "b", &s, &err);
    vigil_bank_stats none;
    vigil_status missing = vigil_bank_stats_get(st, "zz", &none, NULL);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK_INT(s.entries, ==, 4);
    CHECK_INT(s.enabled, ==, 3);
    CHECK_INT(s.disabled, ==, 1);
    CHECK_INT(s.by_signal[VIGIL_SIGNAL_PDQ], ==, 3);
    CHECK_INT(s.by_signal[VIGIL_SIGNAL_MD5], ==, 1);
    CHECK_INT(s.enabled_by_signal[VIGIL_SIGNAL_PDQ] + s.enabled_by_signal[VIGIL_SIGNAL_MD5], ==, 3);
    CHECK_INT(s.labelled, ==, 3);
    CHECK_INT(s.n_top_keys, ==, 2);
    CHECK_STR(s.top_keys[0].key, "entity");
    CHECK_INT(s.top_keys[0].count, ==, 3);
    CHECK_STR(s.top_pairs[0].pair, "entity=example-group");
    CHECK_INT(s.top_pairs[0].count, ==, 2);
    CHECK_INT(s.distinct_keys, ==, 2);
    CHECK(s.first_added[0] != '\0');
    CHECK_INT(missing, ==, VIGIL_ENOENT);
}

static void progress_cb(void *ctx, uint64_t rows, uint64_t bytes, uint64_t total) {
    uint64_t *last = ctx;
    last[0] = rows;
    last[1] = bytes;
    last[2] = total;
}

static void t_import_file_progress(void) {
    const char *path = tmp_path("many.csv");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    fputs("signal_type,signal_value,labels,id\n", f);
    for (int i = 0; i < 20000; i++)
        fprintf(f, "pdq,%064x,entity=example-group,e%d\n", i, i);
    long size = ftell(f);
    fclose(f);
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_import_opts o;
    vigil_import_opts_init(&o);
    uint64_t last[3] = {0, 0, 0};
    o.on_progress = progress_cb;
    o.ctx = last;
    vigil_import_report r;
    vigil_status rc = vigil_bank_import_file(st, "b", path, &o, &r, &err);
    vigil_status rc2 = vigil_bank_import_file(st, "b", tmp_path("missing.csv"), NULL, NULL, &err);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    CHECK_INT(r.imported, ==, 20000);
    CHECK_INT(last[0], ==, 20000);
    CHECK_INT(last[1], ==, size);
    CHECK_INT(last[2], ==, size);
    CHECK_INT(rc2, ==, VIGIL_ENOENT);
    CHECK(strstr(err.msg, "missing.csv: cannot open"));
}

/* Counts the entries of a bank holding `value` (ctx: the value, then the count). */
typedef struct value_count {
    const char *value;
    int64_t n, with_id;
} value_count;

static int count_value(void *ctx, const vigil_entry *e) {
    value_count *c = ctx;
    if (strcmp(e->value, c->value) == 0) {
        c->n++;
        c->with_id += e->external_id != NULL;
    }
    return 0;
}

/* Rows without ids into a bank that already holds rows (the look-up of
 * each value that PostgreSQL once answered by reading the whole bank,
 * bank.c): values the bank holds, with an id or not, and values repeated
 * in the file are duplicates; the rest are added once. */
static void t_idless_into_filled(void) {
    enum { HELD = 3000, NEW_FROM = 1500, NEW_TO = 4500 }; /* the second file: [NEW_FROM, NEW_TO) */
    size_t cap = (size_t)(NEW_TO + 16) * 80;
    char *first = malloc(cap), *second = malloc(cap);
    if (!first || !second) {
        free(first);
        free(second);
        CHECK(!"out of memory");
    }
    size_t n1 = (size_t)snprintf(first, cap, "signal_type,signal_value,labels,id\n");
    for (int i = 0; i < HELD; i++)
        n1 += (size_t)snprintf(first + n1, cap - n1, "pdq,%064x,,\n", i + 1);
    for (int i = 0; i < 5; i++) /* held under an id */
        n1 += (size_t)snprintf(first + n1, cap - n1, "pdq,%064x,,x-%d\n", 5000 + i, i);
    size_t n2 = (size_t)snprintf(second, cap, "signal_type,signal_value\n");
    for (int i = NEW_FROM; i < NEW_TO; i++)
        n2 += (size_t)snprintf(second + n2, cap - n2, "pdq,%064x\n", i + 1);
    for (int i = 0; i < 5; i++)
        n2 += (size_t)snprintf(second + n2, cap - n2, "pdq,%064x\n", 5000 + i);
    snprintf(second + n2, cap - n2, "pdq,%064x\n", 4000); /* twice in the file */
    vigil_store *st = bank_store();
    vigil_err err;
    vigil_err_clear(&err);
    vigil_import_report r1, r2, r3;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    memset(&r3, 0, sizeof r3);
    char v4000[65], v5000[65];
    snprintf(v4000, sizeof v4000, "%064x", 4000);
    snprintf(v5000, sizeof v5000, "%064x", 5000);
    value_count c1 = {v4000, 0, 0}, c2 = {v5000, 0, 0};
    int64_t n = -1, after_again = -1;
    vigil_status rc = st ? VIGIL_OK : VIGIL_EIO;
    if (rc == VIGIL_OK) rc = import_str(st, "b", first, 1, -1, NULL, &r1, &err);
    if (rc == VIGIL_OK) rc = import_str(st, "b", second, 1, -1, NULL, &r2, &err);
    if (rc == VIGIL_OK) n = count_entries(st, "b");
    if (rc == VIGIL_OK) rc = vigil_bank_foreach(st, "b", count_value, &c1, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_foreach(st, "b", count_value, &c2, &err);
    /* again: nothing is added */
    if (rc == VIGIL_OK) rc = import_str(st, "b", second, 1, -1, NULL, &r3, &err);
    if (rc == VIGIL_OK) after_again = count_entries(st, "b");
    vigil_store_close(st);
    free(first);
    free(second);
    CHECK_OK(rc, &err);
    CHECK_INT(r1.imported, ==, HELD + 5);
    CHECK_INT(r2.rows, ==, NEW_TO - NEW_FROM + 6);
    CHECK_INT(r2.imported, ==, NEW_TO - HELD);
    CHECK_INT(r2.duplicates, ==, (HELD - NEW_FROM) + 5 + 1);
    CHECK_INT(r2.unchanged, ==, r2.duplicates);
    CHECK_INT(r2.updated, ==, 0);
    CHECK_INT(n, ==, NEW_TO + 5);
    CHECK_INT(c1.n, ==, 1);
    CHECK_INT(c2.n, ==, 1); /* the entry with its id, no copy without */
    CHECK_INT(c2.with_id, ==, 1);
    CHECK_INT(r3.imported, ==, 0);
    CHECK_INT(r3.duplicates, ==, r2.rows);
    CHECK_INT(after_again, ==, NEW_TO + 5);
}

/* The store file survives a reopen with its data; a second store on the
 * same file sees the first one's writes (WAL). */
static void t_durable(void) {
    const char *path = tmp_path("durable.db");
    test_rm_db(path);
    vigil_store *a = NULL, *b = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(path, &a, &err), &err);
    vigil_status rc = vigil_store_open(path, &b, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_create(a, "kept", VIGIL_BANK_NORMAL, 5, NULL, NULL, &err);
    vigil_bank_info info;
    if (rc == VIGIL_OK) rc = vigil_bank_get(b, "kept", &info, &err);
    vigil_store_close(a);
    vigil_store_close(b);
    CHECK_OK(rc, &err);
    CHECK_OK(vigil_store_open(path, &a, &err), &err);
    rc = vigil_bank_get(a, "kept", &info, &err);
    vigil_store_close(a);
    CHECK_OK(rc, &err);
    CHECK_INT(info.max_distance, ==, 5);
}

/* ---- one value under several ids (issue 10) ------------------------------ */

/* Canonical rows: the export must give them back byte for byte.  A value
 * under three ids, an id on two signal types, a row without an id. */
static const char copies_csv[] = "signal_type,signal_value,labels,id\n"
                                 "pdq," PDQ_C ",,\n"
                                 "pdq," PDQ_A ",entity=a,gifct-1\n"
                                 "pdq," PDQ_A ",entity=b,gifct-2\n"
                                 "pdq," PDQ_A ",\"entity=c;note=x,y\",gifct-3\n"
                                 "pdq," PDQ_B ",entity=a,gifct-4\n"
                                 "md5," MD5_A ",entity=b,gifct-2\n";

static void t_copies_import(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_import_report r1, r2, r3;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    memset(&r3, 0, sizeof r3);
    char *e1 = NULL, *e2 = NULL, *e3 = NULL;
    int64_t n1 = -1, n2 = -1;
    vigil_status rc = import_str(st, "b", copies_csv, 1, -1, NULL, &r1, &err);
    if (rc == VIGIL_OK) n1 = count_entries(st, "b");
    if (rc == VIGIL_OK) rc = export_str(st, "b", &e1, &err);
    /* again: nothing changes */
    if (rc == VIGIL_OK) rc = import_str(st, "b", copies_csv, 1, -1, NULL, &r2, &err);
    if (rc == VIGIL_OK) n2 = count_entries(st, "b");
    if (rc == VIGIL_OK) rc = export_str(st, "b", &e2, &err);
    /* the export into another bank, and out again */
    if (rc == VIGIL_OK) rc = import_str(st, "c", e1 ? e1 : "", 1, -1, NULL, &r3, &err);
    if (rc == VIGIL_OK) rc = export_str(st, "c", &e3, &err);
    vigil_store_close(st);
    int same1 = e1 && strcmp(e1, copies_csv) == 0, same2 = e1 && e2 && strcmp(e1, e2) == 0,
        same3 = e1 && e3 && strcmp(e1, e3) == 0;
    if (!same1 && e1) printf("    export:\n%s    file:\n%s", e1, copies_csv);
    free(e1);
    free(e2);
    free(e3);
    CHECK_OK(rc, &err);
    CHECK_INT(r1.rows, ==, 6);
    CHECK_INT(r1.imported, ==, 6);
    CHECK_INT(r1.unchanged + r1.updated + r1.bad, ==, 0);
    CHECK_INT(n1, ==, 6);
    CHECK(same1);
    CHECK_INT(r2.imported, ==, 0);
    CHECK_INT(r2.unchanged, ==, 6);
    CHECK_INT(r2.updated, ==, 0);
    CHECK_INT(r2.duplicates, ==, 6);
    CHECK_INT(n2, ==, 6);
    CHECK(same2);
    CHECK_INT(r3.imported, ==, 6);
    CHECK(same3);
}

/* The same id with another value or labels is an update (audited); other
 * ids, other types and rows without an id are what the rules say; rows of
 * one file apply in file order. */
static void t_copies_update(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_err_clear(&err);
    vigil_put_outcome w[8];
    int64_t id[8] = {0};
    int dup = -1;
    vigil_entry e;
    memset(&e, 0, sizeof e);
    char *value = NULL, *labels = NULL, *audit = NULL, *ex = NULL;
    vigil_import_report r1, r2, r3;
    memset(&r1, 0, sizeof r1);
    memset(&r2, 0, sizeof r2);
    memset(&r3, 0, sizeof r3);
    const vigil_entry_spec specs[8] = {
        {VIGIL_SIGNAL_PDQ, PDQ_A, "entity=a", "X"},    /* added */
        {VIGIL_SIGNAL_PDQ, PDQ_A, "entity=a", "X"},    /* unchanged */
        {VIGIL_SIGNAL_PDQ, PDQ_B, "entity=a", "X"},    /* updated: value */
        {VIGIL_SIGNAL_PDQ, PDQ_B, "entity=z", "X"},    /* updated: labels */
        {VIGIL_SIGNAL_MD5, MD5_A, "", "X"},            /* added: another type */
        {VIGIL_SIGNAL_PDQ, PDQ_B, "entity=q", NULL},   /* unchanged: value held under X */
        {VIGIL_SIGNAL_PDQ, PDQ_A, "", NULL},           /* added: nobody holds A now */
        {VIGIL_SIGNAL_PDQ, PDQ_A, "entity=b", "Y"},    /* added: another id */
    };
    vigil_status rc = VIGIL_OK;
    for (int i = 0; i < 8 && rc == VIGIL_OK; i++) rc = vigil_bank_put(st, "b", &specs[i], &id[i], &w[i], &err);
    if (rc == VIGIL_OK) rc = vigil_bank_add(st, "b", &specs[5], NULL, &dup, &err);
    if (rc == VIGIL_OK) rc = vigil_bank_entry_get(st, id[0], &e, &err);
    if (rc == VIGIL_OK) {
        value = strdup(e.value);
        labels = strdup(e.labels);
    }
    json_t *ev = NULL;
    if (rc == VIGIL_OK) rc = vigil_audit_list(st, NULL, "bank_entry", id[0], 10, &ev, &err);
    if (rc == VIGIL_OK) audit = json_dumps(ev, JSON_COMPACT);
    json_decref(ev);
    /* one file: the last row of an id wins; a row without an id after a
     * row with one of its value is a duplicate, before it a new entry */
    if (rc == VIGIL_OK)
        rc = import_str(st, "c",
                        "signal_type,signal_value,labels,id\n"
                        "pdq," PDQ_C ",,Z\npdq," PDQ_A ",k=1,Z\npdq," PDQ_B ",k=2,Z\n",
                        1, -1, NULL, &r1, &err);
    if (rc == VIGIL_OK)
        rc = import_str(st, "c",
                        "signal_type,signal_value,labels,id\n"
                        "pdq," PDQ_B ",,\npdq," PDQ_C ",,W\npdq," PDQ_C ",,\n",
                        1, -1, NULL, &r2, &err);
    if (rc == VIGIL_OK) rc = export_str(st, "c", &ex, &err);
    /* and again: nothing changes */
    if (rc == VIGIL_OK) rc = import_str(st, "c", ex ? ex : "", 1, -1, NULL, &r3, &err);
    vigil_entry_clear(&e);
    vigil_store_close(st);
    static const char want_c[] = "signal_type,signal_value,labels,id\n"
                                 "pdq," PDQ_B ",k=2,Z\n"
                                 "pdq," PDQ_C ",,W\n";
    int ex_ok = ex && strcmp(ex, want_c) == 0;
    if (!ex_ok && ex) printf("    export of c:\n%s", ex);
    int audit_ok = audit && strstr(audit, "\"action\":\"bank.update\"") && strstr(audit, PDQ_A) &&
                   strstr(audit, "entity=z") && strstr(audit, "\"external_id\":\"X\"");
    if (!audit_ok && audit) printf("    audit: %.400s\n", audit);
    int val_ok = value && labels && strcmp(value, PDQ_B) == 0 && strcmp(labels, "entity=z") == 0;
    free(value);
    free(labels);
    free(audit);
    free(ex);
    CHECK_OK(rc, &err);
    CHECK_INT(w[0], ==, VIGIL_PUT_ADDED);
    CHECK_INT(w[1], ==, VIGIL_PUT_UNCHANGED);
    CHECK_INT(id[1], ==, id[0]);
    CHECK_INT(w[2], ==, VIGIL_PUT_UPDATED);
    CHECK_INT(id[2], ==, id[0]);
    CHECK_INT(w[3], ==, VIGIL_PUT_UPDATED);
    CHECK_INT(w[4], ==, VIGIL_PUT_ADDED);
    CHECK(id[4] != id[0]);
    CHECK_INT(w[5], ==, VIGIL_PUT_UNCHANGED);
    CHECK_INT(id[5], ==, id[0]);
    CHECK_INT(dup, ==, 1);
    CHECK_INT(w[6], ==, VIGIL_PUT_ADDED);
    CHECK_INT(w[7], ==, VIGIL_PUT_ADDED);
    CHECK(id[7] != id[6]);
    CHECK(val_ok);
    CHECK(audit_ok);
    CHECK_INT(r1.imported, ==, 1);
    CHECK_INT(r1.updated, ==, 2);
    CHECK_INT(r2.imported, ==, 1); /* C under W */
    CHECK_INT(r2.unchanged, ==, 2); /* B held under Z; C held under W by then */
    CHECK(ex_ok);
    CHECK_INT(r3.imported + r3.updated, ==, 0);
    CHECK_INT(r3.unchanged, ==, 2);
}

/* An export imports back to the same entries whatever their history: here
 * an id updated to the value of an entry without an id added before. */
static void t_copies_export_history(void) {
    vigil_store *st = bank_store();
    CHECK(st != NULL);
    vigil_err err;
    vigil_err_clear(&err);
    const vigil_entry_spec specs[3] = {
        {VIGIL_SIGNAL_PDQ, PDQ_A, "", "X"},
        {VIGIL_SIGNAL_PDQ, PDQ_B, "k=1", NULL},
        {VIGIL_SIGNAL_PDQ, PDQ_B, "", "X"}, /* X: A -> B, the value of the entry without an id */
    };
    vigil_status rc = VIGIL_OK;
    for (int i = 0; i < 3 && rc == VIGIL_OK; i++) rc = vigil_bank_put(st, "b", &specs[i], NULL, NULL, &err);
    char *e1 = NULL, *e2 = NULL;
    vigil_import_report r;
    memset(&r, 0, sizeof r);
    if (rc == VIGIL_OK) rc = export_str(st, "b", &e1, &err);
    if (rc == VIGIL_OK) rc = import_str(st, "c", e1 ? e1 : "", 1, -1, NULL, &r, &err);
    if (rc == VIGIL_OK) rc = export_str(st, "c", &e2, &err);
    int64_t nb = count_entries(st, "b"), nc = count_entries(st, "c");
    vigil_store_close(st);
    int same = e1 && e2 && strcmp(e1, e2) == 0;
    if (!same && e1 && e2) printf("    b:\n%s    c:\n%s", e1, e2);
    free(e1);
    free(e2);
    CHECK_OK(rc, &err);
    CHECK_INT(nb, ==, 2);
    CHECK_INT(r.imported, ==, 2);
    CHECK_INT(nc, ==, 2);
    CHECK(same);
}

/* A store made at schema version 2 (value unique in a bank) with banks in
 * it survives the migration to the current schema: every row as it was,
 * entries matched and exported, and new rows follow the new rules. */
static void t_migrate_v2_banks(void) {
    const char *path = tmp_path("schema2.db");
    test_rm_db(path);
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    CHECK_OK(vigil__store_open_at(path, 2, &st, &err), &err);
    int v2 = vigil_store_schema_version(st);
    /* what vigil at schema 2 wrote: banks, entries with and without ids
     * (one id on two values, allowed then), labels, a disabled entry, an
     * empty id, the entry counter */
    vigil_status rc = vigil__store_exec(
        st,
        "INSERT INTO bank (id, name, kind, max_distance, enabled, description, created_at) VALUES "
        "(1, 'old', 'normal', NULL, 1, 'from schema 2', '2026-01-01T00:00:00Z'), "
        "(2, 'logos', 'allow', 10, 1, '', '2026-01-01T00:00:00Z');"
        "INSERT INTO bank_entry (id, bank_id, signal_type, enabled, value, added_at, external_id, labels) VALUES "
        "(1, 1, 'pdq', 1, '" PDQ_A "', '2026-01-01T00:00:01Z', 'te-1', 'entity=a'), "
        "(2, 1, 'pdq', 1, '" PDQ_B "', '2026-01-01T00:00:02Z', 'te-1', ''), "
        "(3, 1, 'md5', 0, '" MD5_A "', '2026-01-01T00:00:03Z', NULL, 'source=x'), "
        "(5, 1, 'pdq', 1, '" PDQ_C "', '2026-01-01T00:00:04Z', '', ''), "
        "(7, 2, 'pdq', 1, '" PDQ_A "', '2026-01-01T00:00:05Z', NULL, '');"
        "INSERT INTO id_counter (name, last_id) VALUES ('bank_entry', 9);",
        &err);
    vigil_store_close(st);
    st = NULL;
    CHECK_OK(rc, &err);
    CHECK_INT(v2, ==, 2);
    static const char dump_sql[] =
        "SELECT group_concat(id || '|' || bank_id || '|' || signal_type || '|' || enabled || '|' || value || '|' || "
        "added_at || '|' || coalesce(external_id, '-') || '|' || labels, ';') FROM "
        "(SELECT * FROM bank_entry ORDER BY id)";
    static const char want_rows[] =
        "1|1|pdq|1|" PDQ_A "|2026-01-01T00:00:01Z|te-1|entity=a;"
        "2|1|pdq|1|" PDQ_B "|2026-01-01T00:00:02Z|te-1|;"
        "3|1|md5|0|" MD5_A "|2026-01-01T00:00:03Z|-|source=x;"
        "5|1|pdq|1|" PDQ_C "|2026-01-01T00:00:04Z|-|;"
        "7|2|pdq|1|" PDQ_A "|2026-01-01T00:00:05Z|-|";
    char *rows = NULL, *ex = NULL;
    int64_t new_id = 0;
    int version = 0;
    vigil_bank_info *banks = NULL;
    size_t nb = 0;
    vigil_import_report r;
    memset(&r, 0, sizeof r);
    vigil_put_outcome w1 = VIGIL_PUT_ADDED, w2 = VIGIL_PUT_ADDED;
    rc = vigil_store_open(path, &st, &err);
    if (rc == VIGIL_OK) {
        version = vigil_store_schema_version(st);
        rc = vigil__q_text(st, dump_sql, &rows, &err, "");
    }
    if (rc == VIGIL_OK) rc = vigil_bank_list(st, &banks, &nb, &err);
    if (rc == VIGIL_OK) rc = export_str(st, "old", &ex, &err);
    /* the old file again: nothing changes, the two te-1 rows included */
    if (rc == VIGIL_OK) rc = import_str(st, "old", ex ? ex : "", 1, -1, NULL, &r, &err);
    /* new rows: the next id, and the new rules */
    vigil_entry_spec copy = {VIGIL_SIGNAL_PDQ, PDQ_C, "entity=b", "te-2"};
    if (rc == VIGIL_OK) rc = vigil_bank_put(st, "old", &copy, &new_id, &w1, &err);
    vigil_entry_spec upd = {VIGIL_SIGNAL_PDQ, PDQ_C, "entity=c", "te-1"};
    int64_t upd_id = 0;
    if (rc == VIGIL_OK) rc = vigil_bank_put(st, "old", &upd, &upd_id, &w2, &err);
    vigil_store_close(st);
    static const char want_ex[] = "signal_type,signal_value,labels,id\n"
                                  "md5," MD5_A ",source=x,\n"
                                  "pdq," PDQ_C ",,\n"
                                  "pdq," PDQ_A ",entity=a,te-1\n"
                                  "pdq," PDQ_B ",,te-1\n";
    int rows_ok = rows && strcmp(rows, want_rows) == 0, ex_ok = ex && strcmp(ex, want_ex) == 0;
    if (!rows_ok && rows) printf("    rows after the migration: %s\n", rows);
    if (!ex_ok && ex) printf("    export after the migration:\n%s", ex);
    int64_t n_old = -1, n_logos = -1;
    for (size_t i = 0; i < nb; i++) {
        if (strcmp(banks[i].name, "old") == 0) n_old = banks[i].entries;
        if (strcmp(banks[i].name, "logos") == 0 && banks[i].kind == VIGIL_BANK_ALLOW &&
            banks[i].max_distance == 10)
            n_logos = banks[i].entries;
    }
    free(rows);
    free(ex);
    free(banks);
    CHECK_OK(rc, &err);
    CHECK_INT(version, ==, vigil_store_schema_latest());
    CHECK(rows_ok);
    CHECK_INT(n_old, ==, 4);
    CHECK_INT(n_logos, ==, 1);
    CHECK(ex_ok);
    CHECK_INT(r.imported + r.updated + r.bad, ==, 0);
    CHECK_INT(r.unchanged, ==, 4);
    CHECK_INT(w1, ==, VIGIL_PUT_ADDED);
    CHECK_INT(new_id, ==, 10);
    CHECK_INT(w2, ==, VIGIL_PUT_UPDATED);
    CHECK_INT(upd_id, ==, 1); /* of the two te-1 entries, the oldest */
}

/* Replays fuzz/regress-csv/: inputs the CSV fuzzer found interesting.  Each
 * must import or fail with a message, and the counts must add up. */
static void t_csv_fuzz_regressions(void) {
    DIR *d = opendir("fuzz/regress-csv");
    if (!d) SKIP("fuzz/regress-csv not found (run from the repository root)");
    vigil_store *st = bank_store();
    if (!st) {
        closedir(d);
        CHECK(!"store");
    }
    int n = 0, wrong = 0;
    struct dirent *ent;
    while ((ent = readdir(d)) != NULL) {
        if (ent->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "fuzz/regress-csv/%s", ent->d_name);
        vigil_err err;
        vigil_err_clear(&err);
        vigil_import_report r;
        vigil_status rc = vigil_bank_import_file(st, "b", path, NULL, &r, &err);
        if (rc != VIGIL_OK && err.msg[0] == '\0') wrong++;
        if (rc == VIGIL_OK && r.imported + r.duplicates + r.bad != r.rows) wrong++;
        n++;
    }
    closedir(d);
    vigil_store_close(st);
    CHECK_INT(wrong, ==, 0);
    CHECK_INT(n, >, 0);
}

/* A store at the version before content clusters, with items of two
 * operations that share hashes, gains clusters when it is opened: items of
 * one operation with an equal hash (through a chain of three) join, other
 * operations' items do not, and the intake goes on linking new items. */
static void t_migrate_clusters(void) {
    const char *path = tmp_path("before-clusters.db");
    test_rm_db(path);
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    /* the last version without item.cluster_id (migrations of other work
     * may come after the clusters' one) */
    int before = vigil_store_schema_latest() - 1;
    for (; before > 0; before--) {
        test_rm_db(path);
        CHECK_OK(vigil__store_open_at(path, before, &st, &err), &err);
        vigil_err e2;
        int has = vigil__store_exec(st, "SELECT cluster_id FROM item LIMIT 0", &e2) == VIGIL_OK;
        vigil_store_close(st);
        st = NULL;
        if (!has) break;
    }
    CHECK_INT(before, >, 0);
    CHECK_OK(vigil__store_open_at(path, before, &st, &err), &err);
    const char *t = "'2026-01-01T00:00:00Z'";
    char sql[4096];
    snprintf(sql, sizeof sql,
             "INSERT INTO agency (id, code, created_at) VALUES (1, 'EU', %s);"
             "INSERT INTO operation (id, name, coordinator_id, created_at) VALUES (1, 'op1', 1, %s), "
             "(2, 'op2', 1, %s);"
             "INSERT INTO operation_agency VALUES (1, 1), (2, 1);"
             "INSERT INTO platform (id, name, first_seen) VALUES (1, 'P1', %s), (2, 'P2', %s);"
             "INSERT INTO item (id, operation_id, canonical_url, platform_id, type, created_at) VALUES "
             "(1, 1, 'https://a.example/1', 1, 'video', %s), (2, 1, 'https://b.example/2', 2, 'video', %s), "
             "(3, 1, 'https://a.example/3', 1, 'video', %s), (4, 1, 'https://a.example/4', 1, 'video', %s), "
             "(5, 2, 'https://a.example/1', 1, 'video', %s);"
             "INSERT INTO item_hash VALUES (1, 'md5', 'aa'), (2, 'md5', 'aa'), (2, 'sha256', 'bb'), "
             "(3, 'sha256', 'bb'), (3, 'pdq', 'cc'), (4, 'pdq', 'dd'), (5, 'md5', 'aa');",
             t, t, t, t, t, t, t, t, t, t);
    vigil_status rc = vigil__store_exec(st, sql, &err);
    vigil_store_close(st);
    st = NULL;
    CHECK_OK(rc, &err);
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_INT(vigil_store_schema_version(st), ==, vigil_store_schema_latest());
    json_t *v = NULL;
    CHECK_OK(vigil_cluster_list(st, NULL, "op1", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 1);
    json_t *c = json_array_get(v, 0);
    CHECK_INT(json_integer_value(json_object_get(c, "id")), ==, 1);
    CHECK_INT(json_integer_value(json_object_get(c, "items")), ==, 3);
    CHECK_INT(json_integer_value(json_object_get(c, "platform_count")), ==, 2);
    json_decref(v);
    CHECK_OK(vigil_cluster_list(st, NULL, "op2", 0, &v, &err), &err);
    CHECK_INT(json_array_size(v), ==, 0); /* item 5 shares 'aa', in another operation */
    json_decref(v);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "op1", &r, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(r, "items")), ==, 4);
    CHECK_INT(json_integer_value(json_object_get(r, "contents")), ==, 2);
    json_decref(r);
    vigil_store_close(st);
    test_rm_db(path);
}

/* The newest schema version whose store has no table `table` (found, not
 * written down: steps may be renumbered when branches merge), or 0. */
static int last_version_without(const char *path, const char *table) {
    for (int v = vigil_store_schema_latest() - 1; v > 0; v--) {
        test_rm_db(path);
        vigil_store *st = NULL;
        int64_t n = -1;
        if (vigil__store_open_at(path, v, &st, NULL) != VIGIL_OK) return 0;
        vigil_status rc = vigil__q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = ?1",
                                       &n, NULL, "t", table);
        vigil_store_close(st);
        if (rc == VIGIL_OK && n == 0) return v;
    }
    return 0;
}

/* A store migrated by step 6 with a chain of hash links longer than its
 * four passes join (item 7 stays split from 6): step 9 joins the chain, and
 * the report counts one content for it. */
static void t_migrate_long_chain(void) {
    const char *path = tmp_path("long-chain.db");
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    int before = last_version_without(path, "op_tally");
    test_rm_db(path);
    CHECK_OK(vigil__store_open_at(path, before, &st, &err), &err);
    /* the chain 6 - 11 - 10 - 9 - 8 - 7 (one hash a link), clustered as step 6 left it */
    const char *t = "'2026-01-01T00:00:00Z'";
    char sql[4096];
    snprintf(sql, sizeof sql,
             "INSERT INTO agency (id, code, created_at) VALUES (1, 'EU', %s);"
             "INSERT INTO operation (id, name, coordinator_id, created_at) VALUES (1, 'op1', 1, %s);"
             "INSERT INTO operation_agency VALUES (1, 1);"
             "INSERT INTO platform (id, name, first_seen) VALUES (1, 'P1', %s);"
             "INSERT INTO item (id, operation_id, canonical_url, platform_id, type, cluster_id, "
             "created_at) VALUES (6, 1, 'https://a.example/6', 1, 'video', 6, %s), "
             "(7, 1, 'https://a.example/7', 1, 'video', 7, %s), (8, 1, 'https://a.example/8', 1, "
             "'video', 6, %s), (9, 1, 'https://a.example/9', 1, 'video', 6, %s), "
             "(10, 1, 'https://a.example/10', 1, 'video', 6, %s), (11, 1, 'https://a.example/11', 1, "
             "'video', 6, %s), (12, 1, 'https://a.example/12', 1, 'video', 12, %s);"
             "INSERT INTO item_hash VALUES (6, 'md5', 'l1'), (11, 'md5', 'l1'), (11, 'md5', 'l2'), "
             "(10, 'md5', 'l2'), (10, 'md5', 'l3'), (9, 'md5', 'l3'), (9, 'md5', 'l4'), "
             "(8, 'md5', 'l4'), (8, 'md5', 'l5'), (7, 'md5', 'l5'), (12, 'md5', 'other');",
             t, t, t, t, t, t, t, t, t, t);
    vigil_status rc = vigil__store_exec(st, sql, &err);
    vigil_store_close(st);
    st = NULL;
    CHECK_OK(rc, &err);
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    int64_t n = -1;
    CHECK_OK(vigil__q_int(st, "SELECT count(*) FROM item WHERE cluster_id = 6", &n, &err, ""), &err);
    CHECK_INT(n, ==, 6);
    json_t *r = NULL;
    CHECK_OK(vigil_report_op(st, NULL, "op1", &r, &err), &err);
    CHECK_INT(json_integer_value(json_object_get(r, "contents")), ==, 2);
    json_decref(r);
    /* joined already: nothing to move again */
    CHECK_OK(vigil__fill_clusters(st, &n, &err), &err);
    CHECK_INT(n, ==, 0);
    vigil_store_close(st);
    test_rm_db(path);
}

/* A store from before the running totals, with items, languages, reports,
 * referrals and removals written as that version's code wrote them, gains
 * its totals when it is opened: the report equals the full count, and the
 * next intake adds to them. */
static void t_migrate_tallies(void) {
    const char *path = tmp_path("before-tallies.db");
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    int before = last_version_without(path, "op_tally");
    CHECK_INT(before, >, 0);
    test_rm_db(path);
    CHECK_OK(vigil__store_open_at(path, before, &st, &err), &err);
    const char *t = "'2026-01-01T00:00:00Z'";
    char sql[6000];
    snprintf(sql, sizeof sql,
             "INSERT INTO agency (id, code, created_at) VALUES (1, 'EU', %s), (2, 'DE', %s);"
             "INSERT INTO operation (id, name, coordinator_id, created_at) VALUES (1, 'op1', 1, %s), "
             "(2, 'op2', 1, %s);"
             "INSERT INTO operation_agency VALUES (1, 1), (1, 2), (2, 1);"
             "INSERT INTO platform (id, name, first_seen, discovered) VALUES (1, 'P1', %s, 0), "
             "(2, 'P2', %s, 1);"
             "INSERT INTO item (id, operation_id, canonical_url, platform_id, type, affiliation, "
             "outlet, agency_id, state, reupload_of, cluster_id, created_at) VALUES "
             "(1, 1, 'https://a.example/1', 1, 'video', 'IS', NULL, 1, 'removed', NULL, 1, %s), "
             "(2, 1, 'https://b.example/2', 2, 'post', NULL, 'Amaq', 2, 'referred', NULL, 1, %s), "
             "(3, 1, 'https://a.example/3', 1, 'video', 'IS', 'Amaq', NULL, 'identified', 1, 3, %s), "
             "(4, 2, 'https://a.example/1', 1, 'image', NULL, NULL, 1, 'assessed', NULL, 4, %s);"
             "INSERT INTO item_language VALUES (1, 'ar'), (1, 'en'), (2, 'und'), (3, 'ar'), (4, 'de');"
             "INSERT INTO item_report (item_id, url, agency_id, reported_at) VALUES "
             "(1, 'https://a.example/1', 1, %s), (1, 'https://a.example/1?x', 2, %s), "
             "(2, 'https://b.example/2', 2, %s), (3, 'https://a.example/3', NULL, %s), "
             "(4, 'https://a.example/1', 1, %s);"
             "INSERT INTO referral (id, operation_id, platform_id, channel, sent_at, created_by) VALUES "
             "(1, 1, 1, 'email', '2026-01-02T00:00:00Z', 'x'), (2, 1, 2, 'email', "
             "'2026-01-02T00:00:00Z', 'x'), (3, 1, 1, 'email', '2026-01-03T00:00:00Z', 'x');"
             "INSERT INTO referral_item VALUES (1, 1, 'removed', '2026-01-02T01:30:00Z'), "
             "(2, 2, NULL, NULL), (3, 1, NULL, NULL);",
             t, t, t, t, t, t, t, t, t, t, t, t, t, t, t);
    vigil_status rc = vigil__store_exec(st, sql, &err);
    vigil_store_close(st);
    st = NULL;
    CHECK_OK(rc, &err);
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_INT(vigil_store_schema_version(st), ==, vigil_store_schema_latest());
    const char *ops[] = {"op1", "op2"};
    for (size_t i = 0; i < 2; i++) {
        json_t *now = NULL;
        int64_t contents = -1;
        CHECK(test_report_matches_ref(st, ops[i], &contents));
        CHECK_INT(contents, ==, i ? 1 : 2);
        CHECK_OK(vigil_report_op(st, NULL, ops[i], &now, &err), &err);
        if (i == 0) {
            CHECK_INT(json_integer_value(json_object_get(now, "referred")), ==, 2);
            CHECK_INT(json_integer_value(json_object_get(now, "median_removal_seconds")), ==, 5400);
        }
        json_decref(now);
    }
    vigil_store_close(st);
    test_rm_db(path);
}

/* The version that made the change log (found, not written down: steps
 * may be renumbered when branches merge), or -1. */
static int change_log_version(void) {
    const char *path = tmp_path("find-log.db");
    for (int v = 1; v <= vigil_store_schema_latest(); v++) {
        test_rm_db(path);
        vigil_store *st = NULL;
        int64_t n = 0;
        if (vigil__store_open_at(path, v, &st, NULL) != VIGIL_OK) return -1;
        vigil_status rc = vigil__q_int(st, "SELECT count(*) FROM sqlite_master WHERE name = 'bank_change'",
                                       &n, NULL, "");
        vigil_store_close(st);
        if (rc == VIGIL_OK && n == 1) {
            test_rm_db(path);
            return v;
        }
    }
    test_rm_db(path);
    return -1;
}

/* A store from before the change log, with banks, migrated: the log
 * starts empty (matchers loaded after the migration see every row) and
 * the next change is its first row. */
static void t_migrate_change_log(void) {
    int v = change_log_version();
    CHECK_INT(v, >, 1);
    const char *path = tmp_path("pre-log.db");
    test_rm_db(path);
    vigil_store *st = NULL;
    vigil_err err;
    vigil_err_clear(&err);
    CHECK_OK(vigil__store_open_at(path, v - 1, &st, &err), &err);
    /* what the code of that version wrote */
    vigil_status rc = vigil__store_exec(
        st,
        "INSERT INTO bank (id, name, kind, max_distance, enabled, description, created_at) VALUES "
        "(1, 'old', 'normal', NULL, 1, '', '2026-01-01T00:00:00Z');"
        "INSERT INTO bank_entry (id, bank_id, signal_type, enabled, value, added_at, external_id, labels) "
        "VALUES (1, 1, 'pdq', 1, '" PDQ_B "', '2026-01-01T00:00:01Z', NULL, '');"
        "INSERT INTO id_counter (name, last_id) VALUES ('bank_entry', 1);",
        &err);
    vigil_store_close(st);
    CHECK_OK(rc, &err);
    vigil_entry_spec e = {VIGIL_SIGNAL_PDQ, PDQ_A, "", NULL};
    st = NULL;
    CHECK_OK(vigil_store_open(path, &st, &err), &err);
    CHECK_INT(vigil_store_schema_version(st), ==, vigil_store_schema_latest());
    int64_t head = -1, pruned = -1;
    CHECK_OK(vigil_bank_change_head(st, &head, &pruned, &err), &err);
    CHECK_INT(head, ==, 0);
    CHECK_INT(pruned, ==, 0);
    int64_t id = 0;
    CHECK_OK(vigil_bank_add(st, "old", &e, &id, NULL, &err), &err);
    vigil_bank_change *cs = NULL;
    size_t n = 0;
    CHECK_OK(vigil_bank_changes_since(st, 0, 0, &cs, &n, &err), &err);
    int ok = n == 1 && cs[0].seq == 1 && cs[0].kind == VIGIL_CHANGE_ENTRY && cs[0].entry_id == id &&
             id == 2 && !cs[0].old_value;
    vigil_bank_changes_free(cs, n);
    vigil_store_close(st);
    test_rm_db(path);
    CHECK(ok);
}

/* The PostgreSQL rewrite of SQLite-dialect SQL (src/store/pg.c), rule by
 * rule; tests/pg.sh runs every real query through it. */
static void t_pg_rewrite(void) {
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"SELECT id FROM user WHERE name = ?1 AND x = '?2 user'",
         "SELECT id FROM \"user\" WHERE name = $1 AND x = '?2 user'"},
        {"SELECT 1 FROM t WHERE ?1 OR a = ?2", "SELECT 1 FROM t WHERE ($1 <> 0) OR a = $2"},
        {"INSERT OR IGNORE INTO t (a) VALUES (?1)",
         "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING"},
        {"INSERT OR IGNORE INTO t (a) VALUES (?1) RETURNING id",
         "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id"},
        {"CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, n TEXT NOT NULL, "
         "c TEXT UNIQUE COLLATE NOCASE, r REAL, b BLOB) WITHOUT ROWID;",
         "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n TEXT COLLATE "
         "\"C\" NOT NULL, c TEXT UNIQUE COLLATE NOCASE, r DOUBLE PRECISION, b BYTEA) ;"},
        {"SELECT json_object('a', x) FROM (SELECT x FROM t) WHERE 1",
         "SELECT json_build_object('a', x) FROM (SELECT x FROM t) AS vigil_q1 WHERE 1"},
        {"CREATE INDEX e_v ON e(bank_id, signal_type, value) WHERE x IS NULL",
         "CREATE INDEX e_v ON e (bank_id, signal_type) WHERE x IS NULL; "
         "CREATE INDEX e_v_hash ON e USING hash (value) WHERE x IS NULL"},
        {"SELECT ifnull(a, 0) FROM t WHERE b LIKE ?1", "SELECT coalesce(a, 0) FROM t WHERE b ILIKE $1"},
        {"SELECT a FROM t WHERE a BETWEEN ?1 AND ?2 AND ?3 OR b = ?4",
         "SELECT a FROM t WHERE a BETWEEN $1 AND $2 AND ($3 <> 0) OR b = $4"},
    };
    char why[200];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = vigil__pg_rewrite(cases[i].in, why, sizeof why);
        CHECK(out != NULL);
        if (out) CHECK_STR(out, cases[i].out);
        free(out);
    }
    CHECK(vigil__pg_rewrite("INSERT OR REPLACE INTO t VALUES (1)", why, sizeof why) == NULL);
    CHECK(strstr(why, "ON CONFLICT") != NULL);
    char shown[128];
    CHECK_STR(vigil_store_redact("postgresql://u:secret@h/db?password=x&sslmode=require", shown,
                                 sizeof shown),
              "postgresql://u:***@h/db?password=***&sslmode=require");
    CHECK_STR(vigil_store_redact("host=h password=pw dbname=d", shown, sizeof shown),
              "host=h password=*** dbname=d");
    CHECK_STR(vigil_store_redact("./vigil.db", shown, sizeof shown), "./vigil.db");
    CHECK(vigil_store_is_url("postgres://h/db") && !vigil_store_is_url("x.db"));
}

const test_case suite_store[] = {
    {"store/pg_rewrite", t_pg_rewrite},
    {"store/migrate_change_log", t_migrate_change_log},
    {"store/open_migrate", t_open_migrate},
    {"store/future_version_refused", t_future_version_refused},
    {"store/foreign_files_refused", t_foreign_files_refused},
    {"store/memory", t_memory_store},
    {"store/durable", t_durable},
    {"bank/crud", t_bank_crud},
    {"bank/validation", t_bank_validation},
    {"bank/entries", t_entries},
    {"bank/entry_validation", t_entry_validation},
    {"bank/labels", t_labels},
    {"bank/csv_quoting", t_csv_quoting},
    {"bank/csv_bad_rows", t_csv_bad_rows},
    {"bank/csv_header_errors", t_csv_header_errors},
    {"bank/csv_strict_idempotent", t_csv_strict_and_idempotent},
    {"bank/hash_per_line", t_hash_per_line},
    {"bank/export_roundtrip", t_export_roundtrip},
    {"bank/scan", t_scan},
    {"bank/stats", t_stats},
    {"bank/import_file_progress", t_import_file_progress},
    {"bank/idless_into_filled", t_idless_into_filled},
    {"bank/csv_fuzz_regressions", t_csv_fuzz_regressions},
    {"bank/copies_import_export_reimport", t_copies_import},
    {"bank/copies_update_rules", t_copies_update},
    {"bank/copies_export_after_updates", t_copies_export_history},
    {"store/migrate_schema2_banks", t_migrate_v2_banks},
    {"store/migrate_clusters", t_migrate_clusters},
    {"store/migrate_tallies", t_migrate_tallies},
    {"store/migrate_long_hash_chain", t_migrate_long_chain},
    {NULL, NULL},
};
