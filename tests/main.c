/*
 * tests/main.c - runs every unit-test suite and prints the closing summary
 * line "N passed, N failed, N skipped".  Usage: vigil-tests [SUBSTRING]
 * runs only the tests whose name contains SUBSTRING.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test.h"
#include "vigil/store.h"

#define SUITE(name) extern const test_case name[];
#include "suites.h"
#undef SUITE

static const test_case *const suites[] = {
#define SUITE(name) name,
#include "suites.h"
#undef SUITE
};

static int cur_failed, cur_skipped;

void test_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    cur_failed = 1;
    fprintf(stdout, "    %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
}

void test_skip(const char *why) {
    cur_skipped = 1;
    fprintf(stdout, "    skipped: %s\n", why);
}

int test_copy_file(const char *from, const char *to) {
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    char buf[65536];
    size_t n;
    int ok = a && b;
    while (ok && (n = fread(buf, 1, sizeof buf, a)) > 0) ok = fwrite(buf, 1, n, b) == n;
    if (a && ferror(a)) ok = 0;
    if (a) fclose(a);
    if (b && fclose(b) != 0) ok = 0;
    return ok ? 0 : -1;
}

const char *test_fixtures_dir(void) {
    static char buf[4096];
    const char *env = getenv("VIGIL_FIXTURES");
    struct stat st;
    if (env && *env) return stat(env, &st) == 0 ? env : NULL;
    snprintf(buf, sizeof buf, "../shared/fixtures");
    return stat(buf, &st) == 0 && S_ISDIR(st.st_mode) ? buf : NULL;
}

const char *test_tmpdir(void) {
    static char dir[256];
    if (!dir[0]) {
        const char *base = getenv("TMPDIR");
        snprintf(dir, sizeof dir, "%s/vigil-tests-XXXXXX", base && *base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(2);
        }
    }
    return dir;
}

/* A fresh PostgreSQL store: $VIGIL_TEST_DB with a new schema (created by
 * the driver on open) in its search_path. */
static const char *fresh_pg(const char *base, char *buf, size_t n) {
    static int counter;
    snprintf(buf, n, "%s%soptions=-csearch_path%%3Dt%ld_%d", base, strchr(base, '?') ? "&" : "?",
             (long)getpid(), ++counter);
    return buf;
}

const char *test_db(void) {
    static char ring[16][1024];
    static int next;
    const char *base = getenv("VIGIL_TEST_DB");
    if (!base || !*base) return ":memory:";
    char *buf = ring[next++ % 16];
    return fresh_pg(base, buf, sizeof ring[0]);
}

const char *test_db_named(const char *file, char *buf, size_t n) {
    const char *base = getenv("VIGIL_TEST_DB");
    if (base && *base) return fresh_pg(base, buf, n);
    snprintf(buf, n, "%s/%s", test_tmpdir(), file);
    return buf;
}

void test_rm_db(const char *path) {
    char p[600];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

int test_store_copy(const char *from, const char *to) {
    if (!vigil_store_is_url(from)) {
        char wal[1200];
        snprintf(wal, sizeof wal, "%s-wal", to);
        remove(wal);
        snprintf(wal, sizeof wal, "%s-shm", to);
        remove(wal);
        return test_copy_file(from, to);
    }
    vigil_err err;
    if (vigil_store_copy(from, to, NULL, &err) == VIGIL_OK) return 0;
    fprintf(stderr, "test_store_copy: %s\n", err.msg);
    return -1;
}

int main(int argc, char **argv) {
    const char *filter = argc > 1 ? argv[1] : NULL;
    int passed = 0, failed = 0, skipped = 0;
    for (size_t s = 0; s < sizeof suites / sizeof suites[0]; s++) {
        for (const test_case *t = suites[s]; t->name; t++) {
            if (filter && !strstr(t->name, filter)) continue;
            cur_failed = cur_skipped = 0;
            t->fn();
            if (cur_failed) {
                failed++;
                printf("FAIL %s\n", t->name);
            } else if (cur_skipped) {
                skipped++;
                printf("skip %s\n", t->name);
            } else {
                passed++;
                printf("ok   %s\n", t->name);
            }
            fflush(stdout);
        }
    }
    printf("unit: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
