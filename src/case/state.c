/*
 * src/case/state.c - the item lifecycle: the one table of every allowed
 * state change, and the one function that makes a change (history row +
 * audit event).  item.c (review), refer.c (referral, outcome, removal
 * order) and hold.c (hold, release) call case_move with their cause; none
 * of them knows the moves.  The item's record (case_item_row) and who may
 * see it (case_item_access) live here too, below every caller.
 *
 * The table (docs/operations.md shows it, and a test checks the page
 * against case_state_table_md()):
 *   identified, assessed   -> held       (a hold matched)        cause HOLD
 *   held                   -> identified | assessed (where it was) RELEASE
 *   identified             -> assessed | rejected                 REVIEW
 *   assessed               -> rejected; rejected -> assessed      REVIEW
 *   assessed               -> referred                            REFER
 *   referred               -> removed | declined | no_response    OUTCOME
 *   no_response            -> removed | declined (a late answer)  OUTCOME
 *   declined               -> removed (a late removal)            OUTCOME
 *   any state but removed  -> removed (a removal order was done)  ORDER
 * Rejecting needs a note (the reason).  Every other move is refused with
 * VIGIL_ECONFLICT naming both states.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"

#define ANY "*" /* any state but removed */

static const struct move {
    const char *from, *to;
    case_cause cause;
    int needs_note;
    const char *what; /* for the docs */
} moves[] = {
    {"identified", "held", CASE_CAUSE_HOLD, 0, "a hold matches it"},
    {"assessed", "held", CASE_CAUSE_HOLD, 0, "a hold matches it"},
    {"held", "identified", CASE_CAUSE_RELEASE, 0, "its last hold is released (back where it was)"},
    {"held", "assessed", CASE_CAUSE_RELEASE, 0, "its last hold is released (back where it was)"},
    {"identified", "assessed", CASE_CAUSE_REVIEW, 0, "a reviewer assesses it"},
    {"identified", "rejected", CASE_CAUSE_REVIEW, 1, "a reviewer rejects it (a note is required)"},
    {"assessed", "rejected", CASE_CAUSE_REVIEW, 1, "a reviewer rejects it (a note is required)"},
    {"rejected", "assessed", CASE_CAUSE_REVIEW, 0, "a reviewer reassesses it"},
    {"assessed", "referred", CASE_CAUSE_REFER, 0, "a coordinator refers it to its platform"},
    {"referred", "removed", CASE_CAUSE_OUTCOME, 0, "the platform removed it"},
    {"referred", "declined", CASE_CAUSE_OUTCOME, 0, "the platform declined"},
    {"referred", "no_response", CASE_CAUSE_OUTCOME, 0, "the platform did not answer"},
    {"no_response", "removed", CASE_CAUSE_OUTCOME, 0, "a late answer: removed"},
    {"no_response", "declined", CASE_CAUSE_OUTCOME, 0, "a late answer: declined"},
    {"declined", "removed", CASE_CAUSE_OUTCOME, 0, "a late removal"},
    {ANY, "removed", CASE_CAUSE_ORDER, 0, "a removal order for it was done"},
};
#define N_MOVES (sizeof moves / sizeof moves[0])

static const char *const cause_names[] = {"hold", "release", "review", "refer", "outcome", "order"};

static const struct move *find_move(const char *from, const char *to, case_cause cause) {
    for (size_t i = 0; i < N_MOVES; i++) {
        const struct move *m = &moves[i];
        if (m->cause != cause || strcmp(m->to, to) != 0) continue;
        if (strcmp(m->from, from) == 0 || (strcmp(m->from, ANY) == 0 && strcmp(from, "removed") != 0))
            return m;
    }
    return NULL;
}

int case_move_allowed(const char *from, const char *to, case_cause cause) {
    return from && to && find_move(from, to, cause) != NULL;
}

vigil_status case_move_check(int64_t id, const char *from, const char *to, case_cause cause,
                             const char *note, vigil_err *err) {
    const struct move *m = from && to ? find_move(from, to, cause) : NULL;
    if (!m) {
        if (from && strcmp(from, "held") == 0 && cause != CASE_CAUSE_RELEASE)
            return vigil__err_set(err, VIGIL_ECONFLICT,
                                  "item %lld is held (deconfliction): only the holding agency can "
                                  "release its hold",
                                  (long long)id);
        return vigil__err_set(err, VIGIL_ECONFLICT, "item %lld cannot go from %s to %s",
                              (long long)id, from ? from : "?", to ? to : "?");
    }
    if (m->needs_note && (!note || !*note))
        return vigil__err_field(err, VIGIL_EINVAL, "note", "rejecting item %lld needs a note (the reason)",
                                (long long)id);
    return VIGIL_OK;
}

vigil_status case_move(vigil_store *st, const case_actor *a, int64_t id, const char *from,
                       const char *to, case_cause cause, const char *at, const char *note,
                       vigil_err *err) {
    vigil_status rc = case_move_check(id, from, to, cause, note, err);
    if (rc != VIGIL_OK) return rc;
    json_t *before = NULL, *after = NULL;
    rc = case_item_row(st, id, &before, err);
    if (rc == VIGIL_OK) rc = case_tally_item(st, id, -1, NULL, NULL, err);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "UPDATE item SET state = ?2, held_from = CASE WHEN ?2 = 'held' THEN ?3 "
                           "ELSE NULL END WHERE id = ?1",
                           NULL, err, "itt", id, to, from);
    if (rc == VIGIL_OK) rc = case_tally_item(st, id, 1, NULL, NULL, err);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "INSERT INTO item_event (item_id, from_state, to_state, at, actor, note) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                           NULL, err, "itttt" "t", id, from, to, at, a->name, note ? note : "");
    if (rc == VIGIL_OK) rc = case_item_row(st, id, &after, err);
    if (rc == VIGIL_OK) {
        char action[40];
        snprintf(action, sizeof action, "item.%s", to);
        rc = vigil__audit(st, a->name, action, "item", id, before, after, err);
    }
    json_decref(before);
    json_decref(after);
    return rc;
}

/* snprintf at offset *n of buf[cap], counting the full length like snprintf. */
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void put(char *buf, size_t cap, size_t *n, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + (*n < cap ? *n : cap - 1), *n < cap ? cap - *n : 1, fmt, ap);
    va_end(ap);
    if (k > 0) *n += (size_t)k;
}

size_t case_state_table_md(char *buf, size_t cap) {
    char dummy[1];
    if (!buf || cap == 0) buf = dummy, cap = 1;
    size_t n = 0;
    buf[0] = '\0';
    put(buf, cap, &n, "| from | to | cause | when |\n|---|---|---|---|\n");
    for (size_t i = 0; i < N_MOVES; i++)
        put(buf, cap, &n, "| %s | %s | %s | %s |\n",
            strcmp(moves[i].from, ANY) == 0 ? "any but removed" : moves[i].from, moves[i].to,
            cause_names[moves[i].cause], moves[i].what);
    return n;
}

/* ---- the item's record and who may see it ------------------------------------------------ */

static const char sql_item_row[] =
    "SELECT i.id, o.name AS operation, i.canonical_url, p.name AS platform, i.account, i.type, "
    "(SELECT json_group_array(lang) FROM (SELECT lang FROM item_language WHERE item_id = i.id "
    "ORDER BY lang)) AS languages_json, i.affiliation, i.outlet, "
    "(SELECT json_group_array(signal_type || ':' || value) FROM (SELECT signal_type, value FROM "
    "item_hash WHERE item_id = i.id ORDER BY signal_type, value)) AS hashes_json, i.observed_at, "
    "u.name AS reported_by, a.code AS agency, i.state, i.reupload_of, i.notes, i.created_at "
    "FROM item i JOIN operation o ON o.id = i.operation_id JOIN platform p ON p.id = i.platform_id "
    "LEFT JOIN user u ON u.id = i.reported_by LEFT JOIN agency a ON a.id = i.agency_id "
    "WHERE i.id = ?1";

vigil_status case_item_row(vigil_store *st, int64_t id, json_t **out, vigil_err *err) {
    vigil_status rc = vigil__q_json_one(st, sql_item_row, out, err, "i", id);
    if (rc == VIGIL_ENOENT) return vigil__err_set(err, VIGIL_ENOENT, "no item %lld", (long long)id);
    return rc;
}

vigil_status case_item_access(vigil_store *st, const case_actor *a, int64_t id, vigil_err *err) {
    int64_t one;
    vigil_status rc = vigil__q_int(
        st,
        "SELECT 1 FROM item i WHERE i.id = ?1 AND (?2 OR EXISTS (SELECT 1 FROM operation_agency x "
        "WHERE x.operation_id = i.operation_id AND x.agency_id = ?3) OR EXISTS (SELECT 1 FROM "
        "referral_item ri JOIN referral r ON r.id = ri.referral_id WHERE ri.item_id = i.id AND "
        "r.platform_id = ?4))",
        &one, err, "idii", id, a->role == CASE_ADMIN, a->agency_id, a->platform_id);
    if (rc == VIGIL_ENOENT) return vigil__err_set(err, VIGIL_ENOENT, "no item %lld", (long long)id);
    return rc;
}
