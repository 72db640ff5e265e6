/*
 * src/case/totals.c - what each write adds to its operation's running
 * totals (kept by src/store/tally.c, read by report.c).  The writers call
 * these next to the rows they write: item.c (intake, further reports,
 * languages, clusters), state.c (every state move) and refer.c (referred
 * items).  What each dimension counts is defined once, by the rebuild
 * query in tally.c; tests/test_case.c checks after random work that the
 * totals equal it.
 *
 * The dimensions:
 *   items, reupload, state, type, affil, outlet, plat, platrm  an item's
 *       fields (case_tally_item: -1 before a change, +1 after)
 *   lang      a language row of an item     reports, iag, rag  a report
 *   contents  distinct clusters             referred, refp     distinct
 *       items referred, overall and to a platform
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"

/* (op, dim, "=" value) or (op, dim, "") for NULL. */
static vigil_status add_text(vigil_store *st, int64_t op, const char *dim, const char *value,
                             int64_t by, vigil_err *err) {
    if (!value) return vigil__tally_add(st, op, dim, "", by, err);
    char small[256], *k = small;
    size_t n = strlen(value);
    if (n + 2 > sizeof small && !(k = malloc(n + 2)))
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory (running totals)");
    k[0] = '=';
    memcpy(k + 1, value, n + 1);
    vigil_status rc = vigil__tally_add(st, op, dim, k, by, err);
    if (k != small) free(k);
    return rc;
}

static vigil_status add_id(vigil_store *st, int64_t op, const char *dim, int64_t id, int64_t by,
                           vigil_err *err) {
    char k[24];
    snprintf(k, sizeof k, "%lld", (long long)id);
    return vigil__tally_add(st, op, dim, k, by, err);
}

typedef struct item_dims {
    int64_t op, platform, agency;
    int reupload, removed, found;
    char state[16];
    char *type, *affil, *outlet;
} item_dims;

static vigil_status dims_row(void *ctx, const vigil__row *r, vigil_err *err) {
    item_dims *d = ctx;
    const char *state = vigil__row_text(r, 2);
    d->op = vigil__row_int(r, 0);
    d->platform = vigil__row_int(r, 1);
    snprintf(d->state, sizeof d->state, "%s", state ? state : "");
    d->removed = strcmp(d->state, "removed") == 0;
    d->reupload = (int)vigil__row_int(r, 6);
    d->agency = vigil__row_is_null(r, 7) ? 0 : vigil__row_int(r, 7);
    const char *t = vigil__row_text(r, 3), *a = vigil__row_text(r, 4), *o = vigil__row_text(r, 5);
    d->type = t ? strdup(t) : NULL;
    d->affil = a ? strdup(a) : NULL;
    d->outlet = o ? strdup(o) : NULL;
    d->found = 1;
    if ((t && !d->type) || (a && !d->affil) || (o && !d->outlet))
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory (running totals)");
    return VIGIL__STOP;
}

/* Adds d's counted fields with `by` (+1 or -1). */
static vigil_status add_dims(vigil_store *st, const item_dims *d, int64_t by, vigil_err *err) {
    vigil_status rc = vigil__tally_add(st, d->op, "items", "", by, err);
    if (rc == VIGIL_OK) rc = vigil__tally_add(st, d->op, "reupload", "", d->reupload ? by : 0, err);
    if (rc == VIGIL_OK) rc = add_text(st, d->op, "state", d->state, by, err);
    if (rc == VIGIL_OK) rc = add_text(st, d->op, "type", d->type, by, err);
    if (rc == VIGIL_OK) rc = add_text(st, d->op, "affil", d->affil, by, err);
    if (rc == VIGIL_OK) rc = add_text(st, d->op, "outlet", d->outlet, by, err);
    if (rc == VIGIL_OK) rc = add_id(st, d->op, "plat", d->platform, by, err);
    if (rc == VIGIL_OK && d->removed) rc = add_id(st, d->op, "platrm", d->platform, by, err);
    return rc;
}

vigil_status case_tally_item(vigil_store *st, int64_t id, int sign, int64_t *op, int64_t *agency,
                             vigil_err *err) {
    item_dims d;
    memset(&d, 0, sizeof d);
    vigil_status rc = vigil__q_each(st,
                                    "SELECT operation_id, platform_id, state, type, affiliation, "
                                    "outlet, reupload_of IS NOT NULL, agency_id FROM item WHERE id "
                                    "= ?1",
                                    dims_row, &d, err, "i", id);
    if (rc == VIGIL_OK && !d.found) rc = vigil__err_set(err, VIGIL_ENOENT, "no item %lld", (long long)id);
    if (rc == VIGIL_OK) rc = add_dims(st, &d, sign < 0 ? -1 : 1, err);
    free(d.type);
    free(d.affil);
    free(d.outlet);
    if (rc == VIGIL_OK) {
        if (op) *op = d.op;
        if (agency) *agency = d.agency;
    }
    return rc;
}

vigil_status case_tally_new_item(vigil_store *st, int64_t op, int64_t platform, const char *type,
                                 const char *affiliation, const char *outlet, int reupload,
                                 vigil_err *err) {
    item_dims d = {.op = op, .platform = platform, .reupload = reupload, .found = 1,
                   .state = "identified", .type = (char *)type, .affil = (char *)affiliation,
                   .outlet = (char *)outlet};
    vigil_status rc = add_dims(st, &d, 1, err);
    if (rc == VIGIL_OK) rc = vigil__tally_add(st, op, "contents", "", 1, err); /* its own cluster */
    return rc;
}

vigil_status case_tally_report(vigil_store *st, int64_t op, int64_t item_agency,
                               int64_t report_agency, vigil_err *err) {
    vigil_status rc = vigil__tally_add(st, op, "reports", "", 1, err);
    if (rc == VIGIL_OK && item_agency) rc = add_id(st, op, "iag", item_agency, 1, err);
    if (rc == VIGIL_OK && report_agency) rc = add_id(st, op, "rag", report_agency, 1, err);
    return rc;
}

vigil_status case_tally_lang(vigil_store *st, int64_t op, const char *lang, vigil_err *err) {
    return add_text(st, op, "lang", lang, 1, err);
}

vigil_status case_tally_contents(vigil_store *st, int64_t op, int64_t by, vigil_err *err) {
    return vigil__tally_add(st, op, "contents", "", by, err);
}

vigil_status case_tally_referral_item(vigil_store *st, int64_t op, int64_t platform, int64_t item,
                                      vigil_err *err) {
    int64_t any = 0, here = 0;
    vigil_status rc = vigil__q_int(st,
                                   "SELECT count(*) FROM referral_item ri JOIN referral f ON f.id "
                                   "= ri.referral_id WHERE ri.item_id = ?1 AND f.operation_id = ?2",
                                   &any, err, "ii", item, op);
    if (rc == VIGIL_OK && any)
        rc = vigil__q_int(st,
                          "SELECT count(*) FROM referral_item ri JOIN referral f ON f.id = "
                          "ri.referral_id WHERE ri.item_id = ?1 AND f.operation_id = ?2 AND "
                          "f.platform_id = ?3",
                          &here, err, "iii", item, op, platform);
    if (rc == VIGIL_OK && !any) rc = vigil__tally_add(st, op, "referred", "", 1, err);
    if (rc == VIGIL_OK && !here) rc = add_id(st, op, "refp", platform, 1, err);
    return rc;
}
