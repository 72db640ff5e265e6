/*
 * src/case/hold.c - deconfliction.  An agency investigating a URL prefix,
 * an account or a piece of content declares a hold; items that match it
 * are held (not referable) and the agency is recorded as to be notified,
 * until that agency (or an admin) releases the hold.  Holds are checked at
 * intake, when a hold is added, and again at referral.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "vigil/hash.h"
#include "vigil/url.h"

#define HOLD_PDQ_DISTANCE 31
#define ITEM_MAX_HASHES 64

/* What a hold is matched against. */
typedef struct item_info {
    int64_t id;
    char *url, *platform, *account, *state;
    size_t n_hashes;
    char htype[ITEM_MAX_HASHES][8];
    char hval[ITEM_MAX_HASHES][65];
} item_info;

static void item_info_clear(item_info *it) {
    free(it->url);
    free(it->platform);
    free(it->account);
    free(it->state);
    memset(it, 0, sizeof *it);
}

static char *dup_col(const vigil__row *r, int c) {
    const char *t = vigil__row_text(r, c);
    return t ? strdup(t) : NULL;
}

static vigil_status info_row(void *ctx, const vigil__row *r, vigil_err *err) {
    item_info *it = ctx;
    it->url = dup_col(r, 0);
    it->platform = dup_col(r, 1);
    it->account = dup_col(r, 2);
    it->state = dup_col(r, 3);
    if (!it->url || !it->platform || !it->state)
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    return VIGIL__STOP;
}

static vigil_status info_hash_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    item_info *it = ctx;
    if (it->n_hashes == ITEM_MAX_HASHES) return VIGIL__STOP;
    snprintf(it->htype[it->n_hashes], 8, "%s", vigil__row_text(r, 0));
    snprintf(it->hval[it->n_hashes], 65, "%s", vigil__row_text(r, 1));
    it->n_hashes++;
    return VIGIL_OK;
}

static const char sql_info[] =
    "SELECT i.canonical_url, p.name, i.account, i.state FROM item i JOIN platform p ON p.id = "
    "i.platform_id WHERE i.id = ?1";
static const char sql_info_hashes[] =
    "SELECT signal_type, value FROM item_hash WHERE item_id = ?1 LIMIT 64";

static vigil_status item_info_load(vigil_store *st, int64_t id, item_info *it, vigil_err *err) {
    memset(it, 0, sizeof *it);
    it->id = id;
    vigil_status rc = vigil__q_each(st, sql_info, info_row, it, err, "i", id);
    if (rc == VIGIL_OK && !it->state)
        rc = vigil__err_set(err, VIGIL_ENOENT, "no item %lld", (long long)id);
    if (rc == VIGIL_OK) rc = vigil__q_each(st, sql_info_hashes, info_hash_row, it, err, "i", id);
    return rc;
}

/* Does hold (kind, value) cover the item? */
static int hold_matches(const char *kind, const char *value, const item_info *it) {
    if (strcmp(kind, "prefix") == 0) {
        size_t n = strlen(value);
        if (strncmp(it->url, value, n) != 0) return 0;
        char next = it->url[n];
        return next == '\0' || next == '/' || next == '?' || value[n - 1] == '/';
    }
    if (strcmp(kind, "account") == 0) {
        const char *colon = strchr(value, ':');
        if (!colon || !it->account) return 0;
        size_t pn = (size_t)(colon - value);
        return strlen(it->platform) == pn && strncasecmp(it->platform, value, pn) == 0 &&
               strcasecmp(it->account, colon + 1) == 0;
    }
    if (strcmp(kind, "hash") == 0) {
        const char *colon = strchr(value, ':');
        if (!colon) return 0;
        size_t tn = (size_t)(colon - value);
        for (size_t i = 0; i < it->n_hashes; i++) {
            if (strlen(it->htype[i]) != tn || strncmp(it->htype[i], value, tn) != 0) continue;
            if (strcmp(it->htype[i], "pdq") == 0) {
                vigil_pdq a, b;
                if (vigil_pdq_from_hex(it->hval[i], &a, NULL) == VIGIL_OK &&
                    vigil_pdq_from_hex(colon + 1, &b, NULL) == VIGIL_OK &&
                    vigil_pdq_distance(&a, &b) <= HOLD_PDQ_DISTANCE)
                    return 1;
            } else if (strcmp(it->hval[i], colon + 1) == 0) {
                return 1;
            }
        }
    }
    return 0;
}

static const char sql_active_holds[] =
    "SELECT id, kind, value FROM hold WHERE released_at IS NULL AND (until IS NULL OR until > ?1) "
    "ORDER BY id";

/* Record that hold `hold` covers the loaded item, and hold the item when
 * it is still before referral. */
static vigil_status apply_hold(vigil_store *st, const case_actor *a, int64_t hold,
                               const item_info *it, const char *now, int *held, vigil_err *err) {
    int changes = 0;
    vigil_status rc = vigil__q_exec(st,
                                    "INSERT OR IGNORE INTO item_hold (item_id, hold_id, matched_at) "
                                    "VALUES (?1, ?2, ?3)",
                                    &changes, err, "iit", it->id, hold, now);
    if (rc != VIGIL_OK) return rc;
    if (held) *held = 1;
    if (case_move_allowed(it->state, "held", CASE_CAUSE_HOLD)) {
        char note[64];
        snprintf(note, sizeof note, "hold %lld", (long long)hold);
        rc = case_move(st, a, it->id, it->state, "held", CASE_CAUSE_HOLD, now, note, err);
        if (rc == VIGIL_OK) {
            free(it->state);
            ((item_info *)it)->state = strdup("held");
            if (!it->state) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
        }
    }
    return rc;
}

vigil_status case_holds_check(vigil_store *st, const case_actor *a, int64_t id, int *held,
                              vigil_err *err) {
    if (held) *held = 0;
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    /* the active holds first (the statement must be done before writes) */
    json_t *holds = NULL;
    vigil_status rc = vigil__q_json(st, sql_active_holds, &holds, err, "t", now);
    if (rc != VIGIL_OK) return rc;
    if (json_array_size(holds) == 0) {
        json_decref(holds);
        return VIGIL_OK;
    }
    item_info it;
    rc = item_info_load(st, id, &it, err);
    size_t k;
    json_t *h;
    json_array_foreach(holds, k, h) {
        if (rc != VIGIL_OK) break;
        const char *kind = json_string_value(json_object_get(h, "kind"));
        const char *value = json_string_value(json_object_get(h, "value"));
        if (kind && value && hold_matches(kind, value, &it))
            rc = apply_hold(st, a, json_integer_value(json_object_get(h, "id")), &it, now, held,
                            err);
    }
    item_info_clear(&it);
    json_decref(holds);
    return rc;
}

static const char sql_hold_row[] =
    "SELECT h.id, a.code AS agency, h.kind, h.value, h.reason, h.until, h.created_by, "
    "h.created_at, h.released_at, h.released_by FROM hold h JOIN agency a ON a.id = h.agency_id "
    "WHERE h.id = ?1";

/* Normalises a hold's value for its kind. */
static vigil_status hold_value(vigil_store *st, const char *kind, const char *value, char **out,
                               vigil_err *err) {
    *out = NULL;
    if (!value || !*value) return vigil__err_set(err, VIGIL_EPARSE, "the hold needs a value");
    if (strcmp(kind, "prefix") == 0) {
        vigil_url u;
        vigil_err e;
        if (vigil_url_canonicalize(value, &u, &e) != VIGIL_OK)
            return vigil__err_field(err, VIGIL_EPARSE, "prefix", "%s", e.msg);
        *out = u.canonical;
        u.canonical = NULL;
        vigil_url_clear(&u);
        return VIGIL_OK;
    }
    if (strcmp(kind, "account") == 0) {
        const char *colon = strchr(value, ':');
        if (!colon || colon == value || !colon[1])
            return vigil__err_field(err, VIGIL_EPARSE, "account",
                                    "expected PLATFORM:HANDLE (e.g. Telegram:examplechannel)");
        char pname[128];
        snprintf(pname, sizeof pname, "%.*s", (int)(colon - value), value);
        int64_t pid;
        vigil_status rc = case_platform_id(st, pname, &pid, err);
        char *name = NULL;
        if (rc == VIGIL_OK)
            rc = vigil__q_text(st, "SELECT name FROM platform WHERE id = ?1", &name, err, "i", pid);
        if (rc != VIGIL_OK) return rc;
        const char *handle = colon + 1;
        if (*handle == '@') handle++;
        size_t n = strlen(name) + strlen(handle) + 2;
        *out = malloc(n);
        if (*out) snprintf(*out, n, "%s:%s", name, handle);
        free(name);
        return *out ? case_text_check(*out, "account", 300, err)
                    : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    char type[8], hex[65];
    vigil_err e;
    if (case_hash_parse(value, type, hex, &e) != VIGIL_OK)
        return vigil__err_field(err, VIGIL_EPARSE, "hash", "%s", e.msg);
    size_t n = strlen(type) + strlen(hex) + 2;
    *out = malloc(n);
    if (!*out) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    snprintf(*out, n, "%s:%s", type, hex);
    return VIGIL_OK;
}

vigil_status vigil_hold_add(vigil_store *st, const char *by, const char *agency, const char *kind,
                            const char *value, const char *until, const char *reason,
                            int64_t *id_out, vigil_err *err) {
    if (id_out) *id_out = 0;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_AGENCY_STAFF, "add holds", err);
    int64_t ag = 0;
    if (rc == VIGIL_OK) rc = case_agency_id(st, agency, &ag, err);
    if (rc != VIGIL_OK) return rc;
    if (a.role != CASE_ADMIN && a.agency_id != ag)
        return vigil__err_set(err, VIGIL_EPERM, "%s may only add holds for their own agency",
                              a.name);
    if (!kind || (strcmp(kind, "prefix") != 0 && strcmp(kind, "account") != 0 &&
                  strcmp(kind, "hash") != 0))
        return vigil__err_set(err, VIGIL_EPARSE, "a hold is on a prefix, an account or a hash");
    if (!reason || !*reason)
        return vigil__err_set(err, VIGIL_EPARSE, "a hold needs a reason (--reason)");
    if ((rc = case_text_check(reason, "reason", 2000, err)) != VIGIL_OK) return rc;
    char now[VIGIL_TIME_LEN], tu[VIGIL_TIME_LEN] = "";
    vigil__store_now(st, now);
    if (until) {
        if ((rc = case_time_arg(st, until, "until", tu, err)) != VIGIL_OK) return rc;
        if (strcmp(tu, now) <= 0)
            return vigil__err_field(err, VIGIL_EINVAL, "until", "%s is already past", tu);
    }
    if ((rc = vigil_platform_seed(st, err)) != VIGIL_OK) return rc;
    char *v = NULL;
    if ((rc = hold_value(st, kind, value, &v, err)) != VIGIL_OK) {
        free(v);
        return rc;
    }
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) {
        free(v);
        return rc;
    }
    int64_t id = 0;
    rc = vigil__q_int(st,
                       "INSERT INTO hold (agency_id, kind, value, reason, until, created_by, "
                       "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                       &id, err, "ittttt" "t", ag, kind, v, reason, until ? tu : NULL, a.name, now);
    json_t *after = NULL;
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_hold_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "hold.add", "hold", id, NULL, after, err);
    json_decref(after);
    /* live items before referral that it covers are held now */
    json_t *live = NULL;
    if (rc == VIGIL_OK)
        rc = vigil__q_json(st,
                           "SELECT id FROM item WHERE state IN ('identified', 'assessed', 'held', "
                           "'referred')",
                           &live, err, "");
    size_t k;
    json_t *row;
    json_array_foreach(live, k, row) {
        if (rc != VIGIL_OK) break;
        item_info it;
        rc = item_info_load(st, json_integer_value(json_object_get(row, "id")), &it, err);
        if (rc == VIGIL_OK && hold_matches(kind, v, &it))
            rc = apply_hold(st, &a, id, &it, now, NULL, err);
        item_info_clear(&it);
    }
    json_decref(live);
    free(v);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        return rc;
    }
    if (id_out) *id_out = id;
    return VIGIL_OK;
}

vigil_status vigil_hold_release(vigil_store *st, const char *by, int64_t id, vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc != VIGIL_OK) return rc;
    int64_t ag;
    rc = vigil__q_int(st, "SELECT agency_id FROM hold WHERE id = ?1", &ag, err, "i", id);
    if (rc == VIGIL_ENOENT) return vigil__err_set(err, VIGIL_ENOENT, "no hold %lld", (long long)id);
    if (rc != VIGIL_OK) return rc;
    if (a.role != CASE_ADMIN && a.agency_id != ag)
        return vigil__err_set(err, VIGIL_EPERM,
                              "hold %lld belongs to another agency: only that agency or an admin "
                              "can release it",
                              (long long)id);
    if (a.role == CASE_LIAISON) return case_require(&a, 0, "release holds", err);
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    json_t *before = NULL, *after = NULL, *items = NULL;
    rc = vigil__q_json_one(st, sql_hold_row, &before, err, "i", id);
    if (rc == VIGIL_OK && !json_is_null(json_object_get(before, "released_at")))
        rc = vigil__err_set(err, VIGIL_ECONFLICT, "hold %lld was released already", (long long)id);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "UPDATE hold SET released_at = ?2, released_by = ?3 WHERE id = ?1",
                           NULL, err, "itt", id, now, a.name);
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_hold_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "hold.release", "hold", id, before, after, err);
    /* items held by this hold and no other active one go back */
    if (rc == VIGIL_OK)
        rc = vigil__q_json(st,
                           "SELECT i.id, coalesce(i.held_from, 'identified') AS back FROM item_hold "
                           "x JOIN item i ON i.id = x.item_id WHERE x.hold_id = ?1 AND i.state = "
                           "'held' AND NOT EXISTS (SELECT 1 FROM item_hold y JOIN hold h ON h.id = "
                           "y.hold_id WHERE y.item_id = i.id AND h.released_at IS NULL AND "
                           "(h.until IS NULL OR h.until > ?2))",
                           &items, err, "it", id, now);
    size_t k;
    json_t *row;
    json_array_foreach(items, k, row) {
        if (rc != VIGIL_OK) break;
        char note[64];
        snprintf(note, sizeof note, "hold %lld released", (long long)id);
        rc = case_move(st, &a, json_integer_value(json_object_get(row, "id")), "held",
                       json_string_value(json_object_get(row, "back")), CASE_CAUSE_RELEASE, now,
                       note, err);
    }
    json_decref(items);
    json_decref(before);
    json_decref(after);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_hold_list(vigil_store *st, const char *by, int all, json_t **out,
                             vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    /* holds are between agencies: platforms never see them */
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_AGENCY_STAFF, "list holds", err);
    if (rc != VIGIL_OK) return rc;
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    return vigil__q_json(
        st,
        "SELECT h.id, a.code AS agency, h.kind, h.value, h.reason, h.until, h.created_by, "
        "h.created_at, h.released_at, (h.released_at IS NULL AND (h.until IS NULL OR h.until > "
        "?1)) AS active_bool, (SELECT json_group_array(json_object('item', x.item_id, 'state', "
        "i.state, 'matched_at', x.matched_at, 'notified', x.notified_at IS NOT NULL)) FROM "
        "item_hold x JOIN item i ON i.id = x.item_id WHERE x.hold_id = h.id) AS items_json "
        "FROM hold h JOIN agency a ON a.id = h.agency_id WHERE (?2 OR (h.released_at IS NULL AND "
        "(h.until IS NULL OR h.until > ?1))) AND (?3 OR h.agency_id = ?4) ORDER BY h.id",
        out, err, "tddi", now, all, a.role == CASE_ADMIN, a.agency_id);
}
