/*
 * fuzz/fuzz_csv.c - libFuzzer target for the bank CSV importer: any bytes ->
 * BOM/format detection -> RFC 4180 reader -> header mapping -> value, label
 * and id validation -> one transaction into an in-memory store.  Checks the
 * importer's promises, not just the absence of crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vigil/bank.h"
#include "vigil/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vigil_store *st;

static void check_reason(void *ctx, uint64_t line, const char *reason) {
    (void)ctx;
    if (line == 0 || !reason || !reason[0]) __builtin_trap(); /* every bad row explains itself */
}

static int64_t entries(const char *bank) {
    vigil_bank_stats s;
    if (vigil_bank_stats_get(st, bank, &s, NULL) != VIGIL_OK) __builtin_trap();
    return s.entries;
}

static char *export_bank(const char *bank, size_t *len) {
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f) return NULL;
    if (vigil_bank_export(st, bank, f, NULL, NULL) != VIGIL_OK) __builtin_trap();
    fclose(f);
    return buf;
}

static vigil_status import(const char *bank, const void *bytes, size_t len, int strict,
                           vigil_import_report *r, vigil_err *err) {
    memset(r, 0, sizeof *r);
    vigil_err_clear(err);
    FILE *f = fmemopen((void *)bytes, len, "r");
    if (!f) return VIGIL_ENOMEM;
    vigil_import_opts o;
    vigil_import_opts_init(&o);
    o.strict = strict;
    o.on_bad = check_reason;
    vigil_err_clear(err);
    vigil_status rc = vigil_bank_import(st, bank, f, &o, r, err);
    fclose(f);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) return 0;
    if (!st && vigil_store_open(":memory:", &st, NULL) != VIGIL_OK) __builtin_trap();
    const char *banks[3] = {"f", "g", "s"};
    for (int i = 0; i < 3; i++)
        if (vigil_bank_create(st, banks[i], VIGIL_BANK_NORMAL, -1, NULL, NULL, NULL) != VIGIL_OK)
            __builtin_trap();
    vigil_import_report r;
    vigil_err err;

    /* 1. lenient import: the counts add up; an error writes nothing */
    vigil_status rc = import("f", data, size, 0, &r, &err);
    if (rc == VIGIL_OK) {
        if (r.imported + r.duplicates + r.bad != r.rows) __builtin_trap();
        if (r.imported + r.unchanged + r.updated + r.bad != r.rows) __builtin_trap();
        if (entries("f") != (int64_t)r.imported) __builtin_trap();
    } else {
        if (!err.msg[0] || r.imported || entries("f") != 0) __builtin_trap();
    }

    /* 2. strict import: all or nothing */
    vigil_import_report rs;
    vigil_status rcs = import("s", data, size, 1, &rs, &err);
    if (rcs == VIGIL_OK && (rs.bad || rs.imported != r.imported)) __builtin_trap();
    if (rcs != VIGIL_OK && entries("s") != 0) __builtin_trap();

    /* 3. what was imported exports and re-imports to the same entries */
    if (rc == VIGIL_OK && r.imported) {
        size_t len1 = 0, len2 = 0;
        char *csv1 = export_bank("f", &len1);
        if (!csv1) __builtin_trap();
        vigil_import_report r2;
        if (import("g", csv1, len1, 1, &r2, &err) != VIGIL_OK) __builtin_trap();
        if (r2.imported != r.imported || r2.bad || r2.duplicates) __builtin_trap();
        char *csv2 = export_bank("g", &len2);
        if (!csv2 || len1 != len2) __builtin_trap();
        free(csv1);
        free(csv2);
    }
    for (int i = 0; i < 3; i++)
        if (vigil_bank_delete(st, banks[i], NULL, NULL) != VIGIL_OK) __builtin_trap();
    return 0;
}
