/*
 * src/store/user.c - who acts on a store: the user row behind a name (the
 * one lookup the case store's role checks and the bank calls' checks
 * share), and the bank calls' role gate.  Users themselves are managed by
 * the case store (src/case/actors.c).
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"

static const char sql_user[] =
    "SELECT id, role, coalesce(agency_id, 0), coalesce(platform_id, 0), revoked_at IS NOT NULL "
    "FROM user WHERE name = ?1";

static vigil_status user_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    vigil__user *u = ctx;
    const char *role = vigil__row_text(r, 1);
    u->id = vigil__row_int(r, 0);
    snprintf(u->role, sizeof u->role, "%s", role ? role : "");
    u->agency_id = vigil__row_int(r, 2);
    u->platform_id = vigil__row_int(r, 3);
    u->revoked = vigil__row_int(r, 4) != 0;
    return VIGIL__STOP;
}

vigil_status vigil__user_get(vigil_store *st, const char *name, vigil__user *u, vigil_err *err) {
    memset(u, 0, sizeof *u);
    if (!name) {
        snprintf(u->role, sizeof u->role, "admin");
        snprintf(u->name, sizeof u->name, "local");
        return VIGIL_OK;
    }
    snprintf(u->name, sizeof u->name, "%s", name);
    vigil_status rc = vigil__q_each(st, sql_user, user_row, u, err, "t", name);
    if (rc != VIGIL_OK) return rc;
    if (!u->role[0])
        return vigil__err_set(err, VIGIL_ENOENT, "no user named '%.80s' (list the users for the names)",
                              name);
    if (u->revoked) return vigil__err_set(err, VIGIL_EPERM, "user '%.80s' is revoked", name);
    return VIGIL_OK;
}

vigil_status vigil__bank_gate(vigil_store *st, int write, vigil_err *err) {
    vigil__user u;
    const char *who = vigil__store_actor(st); /* "local" when no user was set */
    vigil_status rc = vigil__user_get(st, strcmp(who, "local") == 0 ? NULL : who, &u, err);
    if (rc != VIGIL_OK) return rc;
    int ok = write ? strcmp(u.role, "coordinator") == 0 || strcmp(u.role, "admin") == 0
                   : strcmp(u.role, "liaison") != 0;
    if (ok) return VIGIL_OK;
    return vigil__err_set(err, VIGIL_EPERM, "%s (%s) may not %s", u.name, u.role,
                          write ? "change hash banks" : "read hash banks");
}
