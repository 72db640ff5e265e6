/*
 * tests/test.h - vigil's minimal unit-test harness: each test is a function;
 * CHECK* macros record a failure and return from it.  tests/main.c runs the
 * suites and prints "N passed, N failed, N skipped".
 */
#ifndef VIGIL_TEST_H
#define VIGIL_TEST_H

#include <stdio.h>
#include <string.h>

#include "vigil/case.h"
#include "vigil/status.h"

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

/* Set by the macros; read by the runner. */
void test_fail(const char *file, int line, const char *fmt, ...);
void test_skip(const char *why);

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            test_fail(__FILE__, __LINE__, "%s", #cond);                        \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_INT(a, op, b)                                                    \
    do {                                                                       \
        long long va_ = (long long)(a), vb_ = (long long)(b);                  \
        if (!(va_ op vb_)) {                                                   \
            test_fail(__FILE__, __LINE__, "%s %s %s (%lld vs %lld)", #a, #op,  \
                      #b, va_, vb_);                                           \
            return;                                                            \
        }                                                                      \
    } while (0)

#define CHECK_STR(a, b)                                                        \
    do {                                                                       \
        const char *sa_ = (a), *sb_ = (b);                                     \
        if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) {                           \
            test_fail(__FILE__, __LINE__, "%s == %s (\"%s\" vs \"%s\")", #a,   \
                      #b, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)");         \
            return;                                                            \
        }                                                                      \
    } while (0)

/* rc must be VIGIL_OK; on failure prints the error message. */
#define CHECK_OK(rc, errp)                                                     \
    do {                                                                       \
        vigil_status rc_ = (rc);                                               \
        const vigil_err *e_ = (errp);                                          \
        if (rc_ != VIGIL_OK) {                                                 \
            test_fail(__FILE__, __LINE__, "%s failed: %s: %s", #rc,            \
                      vigil_status_name(rc_), e_ ? e_->msg : "");              \
            return;                                                            \
        }                                                                      \
    } while (0)

#define SKIP(why)                                                              \
    do {                                                                       \
        test_skip(why);                                                        \
        return;                                                                \
    } while (0)

/* Path of ../shared/fixtures (or $VIGIL_FIXTURES), or NULL if absent. */
const char *test_fixtures_dir(void);

/* Copies the file `from` to `to` (for tests that alter a copy of a store).
 * @return 0, or -1 when either could not be opened, read or written. */
int test_copy_file(const char *from, const char *to);

/* The case-store fixture (tests/fixture.c): roles 0..5 are none, analyst,
 * reviewer, coordinator, liaison, admin; test_role_users names their users
 * (NULL for none).  test_case_fixture() builds it at `path` (replaced) and
 * issues each user's API token into tokens[1..5].  @return 0 or -1. */
#define TEST_N_ROLES 6
extern const char *const test_role_users[TEST_N_ROLES];
int test_case_fixture(const char *path, char tokens[][VIGIL_TOKEN_LEN + 1]);

/* The operation report as computed before the single-pass rewrite
 * (tests/report_ref.c): the figures vigil_report_op must give (without
 * `contents`), for operation `op`, with no access check. */
vigil_status test_report_ref(vigil_store *st, const char *op, json_t **out, vigil_err *err);

/* test_report_matches_ref() : whether vigil_report_op gives every figure
 * test_report_ref gives for `op` (printing both when not); *contents (NULL
 * ok) receives its "contents", which the reference does not have.
 * @return 1 or 0 (also when either fails: its message printed). */
int test_report_matches_ref(vigil_store *st, const char *op, int64_t *contents);

/* A fresh temporary directory for this run (created on first use). */
const char *test_tmpdir(void);

/* Stores for tests: test_db() is ":memory:", or with $VIGIL_TEST_DB (a
 * postgresql:// URL; tests/pg.sh sets it) a URL of a fresh, empty
 * PostgreSQL schema, a new one per call.  test_db_named() is FILE in
 * test_tmpdir() (into `buf`), or also a fresh schema.  test_store_copy()
 * copies store `from` over `to` (a file copy, or vigil_store_copy into the
 * fresh schema `to`); 0 or -1. */
const char *test_db(void);
const char *test_db_named(const char *file, char *buf, size_t n);
int test_store_copy(const char *from, const char *to);

/* Removes the SQLite file `path` and its -wal and -shm companions (each
 * may be absent). */
void test_rm_db(const char *path);

#endif /* VIGIL_TEST_H */
