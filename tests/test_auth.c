/*
 * tests/test_auth.c - sign-in for people (src/auth/): password rules and
 * the first password that must be changed, sessions (idle timeout,
 * absolute lifetime, sign-out, revocation of the user), the growing delays
 * and the lockout after failed sign-ins, and the audit of each failure;
 * the cache of verified API tokens used while the store is unreachable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vigil/auth.h"
#include "vigil/case.h"

#define T0 1800000000 /* a fixed "now" (2027-01-15) */

static vigil_store *fixture(void) {
    vigil_store *st = NULL;
    vigil_err err;
    if (vigil_store_open(test_db(), &st, &err) != VIGIL_OK) return NULL;
    if (vigil_agency_add(st, NULL, "EU", "", NULL, &err) != VIGIL_OK ||
        vigil_user_add(st, NULL, "ana", "analyst", "EU", NULL, &err) != VIGIL_OK ||
        vigil_user_add(st, NULL, "boss", "admin", "EU", NULL, &err) != VIGIL_OK ||
        vigil_user_add(st, NULL, "rev", "reviewer", "EU", NULL, &err) != VIGIL_OK) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        vigil_store_close(st);
        return NULL;
    }
    return st;
}

static int64_t audit_count(vigil_store *st, const char *action) {
    json_t *ev = NULL;
    int64_t n = 0;
    if (vigil_audit_list(st, NULL, NULL, 0, 1000, &ev, NULL) != VIGIL_OK) return -1;
    size_t i;
    json_t *e;
    json_array_foreach(ev, i, e) {
        const char *a = json_string_value(json_object_get(e, "action"));
        if (a && strcmp(a, action) == 0) n++;
    }
    json_decref(ev);
    return n;
}

static void test_passwords(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    char sid[VIGIL_SESSION_LEN + 1];
    vigil_session_info si;
    /* rules: length, UTF-8, who may set */
    CHECK_INT(vigil_user_password_set(st, NULL, "ana", "short", &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_user_password_set(st, NULL, "ana", "twelve\x01chars!", &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_user_password_set(st, NULL, "nobody", "long-enough-pw", &err), ==, VIGIL_ENOENT);
    CHECK_INT(vigil_user_password_set(st, "rev", "ana", "long-enough-pw", &err), ==, VIGIL_EPERM);
    /* no password yet: the same answer as a wrong one */
    CHECK_INT(vigil_session_start(st, NULL, "ana", "long-enough-pw", T0, sid, &si, NULL, &err), ==, VIGIL_EPERM);
    CHECK_STR(err.msg, "wrong user name or password");
    /* set by the local admin: must be changed */
    CHECK_OK(vigil_user_password_set(st, NULL, "ana", "first-password-1", &err), &err);
    CHECK_OK(vigil_session_start(st, NULL, "ana", "first-password-1", T0, sid, &si, NULL, &err), &err);
    CHECK_INT(strlen(sid), ==, VIGIL_SESSION_LEN);
    CHECK_INT(strlen(si.csrf), ==, VIGIL_CSRF_LEN);
    CHECK_INT(si.must_change, ==, 1);
    CHECK_STR(si.role, "analyst");
    /* the store holds an argon2id hash, never the password or the session id */
    json_t *rows = NULL;
    CHECK_OK(vigil_audit_list(st, NULL, NULL, 0, 1000, &rows, &err), &err);
    char *dump = json_dumps(rows, 0);
    CHECK(dump && !strstr(dump, "first-password-1") && !strstr(dump, sid));
    free(dump);
    json_decref(rows);
    /* change: the current one must be right, the new one differ */
    int retry = 0;
    CHECK_INT(vigil_user_password_change(st, NULL, "ana", "first-password-1", "first-password-1", sid,
                                         T0, &retry, &err), ==, VIGIL_EPARSE);
    CHECK_INT(vigil_user_password_change(st, NULL, "ana", "not-the-password", "second-password-2", sid,
                                         T0, &retry, &err), ==, VIGIL_EPERM);
    CHECK_OK(vigil_user_password_change(st, NULL, "ana", "first-password-1", "second-password-2", sid,
                                        T0 + 1, &retry, &err), &err);
    CHECK_OK(vigil_session_check(st, NULL, sid, T0 + 2, &si, &err), &err); /* kept */
    CHECK_INT(si.must_change, ==, 0);
    CHECK_INT(vigil_session_start(st, NULL, "ana", "first-password-1", T0 + 3, sid, &si, NULL, &err), ==, VIGIL_EPERM);
    CHECK_OK(vigil_session_start(st, NULL, "ana", "second-password-2", T0 + 3, sid, &si, NULL, &err), &err);
    /* set by the user themself: not temporary; an admin's reset ends the sessions */
    CHECK_OK(vigil_user_password_set(st, "boss", "boss", "boss-password-1", &err), &err);
    CHECK_OK(vigil_session_start(st, NULL, "boss", "boss-password-1", T0, sid, &si, NULL, &err), &err);
    CHECK_INT(si.must_change, ==, 0);
    char sid_ana[VIGIL_SESSION_LEN + 1];
    CHECK_OK(vigil_session_start(st, NULL, "ana", "second-password-2", T0 + 4, sid_ana, &si, NULL, &err), &err);
    CHECK_OK(vigil_user_password_set(st, "boss", "ana", "reset-password-3", &err), &err);
    CHECK_INT(vigil_session_check(st, NULL, sid_ana, T0 + 5, &si, &err), ==, VIGIL_EPERM);
    CHECK(audit_count(st, "user.password") == 4);
    vigil_store_close(st);
}

static void test_sessions(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_auth_policy p;
    vigil_auth_policy_init(&p);
    CHECK_INT(p.idle_s, ==, 1800);
    CHECK_INT(p.lifetime_s, ==, 43200);
    CHECK_OK(vigil_user_password_set(st, "ana", "ana", "ana-password-1", &err), &err);
    char sid[VIGIL_SESSION_LEN + 1], sid2[VIGIL_SESSION_LEN + 1];
    vigil_session_info si;
    CHECK_OK(vigil_session_start(st, &p, "ana", "ana-password-1", T0, sid, &si, NULL, &err), &err);
    CHECK_INT(si.expires_at, ==, T0 + 43200);
    /* idle: used every 20 minutes it lives on, up to its lifetime */
    int64_t t = T0;
    for (; t + 1200 < T0 + 43200; t += 1200) CHECK_OK(vigil_session_check(st, &p, sid, t, &si, &err), &err);
    CHECK_INT(vigil_session_check(st, &p, sid, T0 + 43200, &si, &err), ==, VIGIL_EPERM);
    CHECK_STR(err.msg, "session expired or signed out: sign in again");
    /* unused for 30 minutes: ended */
    CHECK_OK(vigil_session_start(st, &p, "ana", "ana-password-1", T0, sid, &si, NULL, &err), &err);
    CHECK_OK(vigil_session_check(st, &p, sid, T0 + 1799, &si, &err), &err);
    CHECK_INT(vigil_session_check(st, &p, sid, T0 + 1799 + 1800, &si, &err), ==, VIGIL_EPERM);
    /* sign-out ends this session only */
    CHECK_OK(vigil_session_start(st, &p, "ana", "ana-password-1", T0, sid, &si, NULL, &err), &err);
    CHECK_OK(vigil_session_start(st, &p, "ana", "ana-password-1", T0, sid2, &si, NULL, &err), &err);
    CHECK_OK(vigil_session_end(st, sid, T0 + 10, &err), &err);
    CHECK_OK(vigil_session_end(st, sid, T0 + 11, &err), &err); /* again: nothing to do */
    CHECK_INT(vigil_session_check(st, &p, sid, T0 + 12, &si, &err), ==, VIGIL_EPERM);
    CHECK_OK(vigil_session_check(st, &p, sid2, T0 + 12, &si, &err), &err);
    /* bad ids */
    CHECK_INT(vigil_session_check(st, &p, "", T0, &si, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_session_check(st, &p, "zz", T0, &si, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_session_check(st, &p, NULL, T0, &si, &err), ==, VIGIL_EPERM);
    /* revoking the user ends the session, and a new token does not revive it */
    CHECK_OK(vigil_user_revoke(st, NULL, "ana", &err), &err);
    CHECK_INT(vigil_session_check(st, &p, sid2, T0 + 13, &si, &err), ==, VIGIL_EPERM);
    char tok[VIGIL_TOKEN_LEN + 1];
    CHECK_OK(vigil_user_token_issue(st, NULL, "ana", tok, &err), &err);
    CHECK_INT(vigil_session_check(st, &p, sid2, T0 + 14, &si, &err), ==, VIGIL_EPERM);
    CHECK_INT(audit_count(st, "session.start"), ==, 4);
    CHECK_INT(audit_count(st, "session.end"), ==, 1);
    CHECK_INT(vigil_auth_equal("abc", "abc"), ==, 1);
    CHECK_INT(vigil_auth_equal("abc", "abd"), ==, 0);
    CHECK_INT(vigil_auth_equal("abc", "ab"), ==, 0);
    CHECK_INT(vigil_auth_equal(NULL, "ab"), ==, 0);
    vigil_store_close(st);
}

static void test_lockout(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_auth_policy p;
    vigil_auth_policy_init(&p);
    /* the schedule: none, none, 1, 2, 4 s, then locked for 15 minutes */
    CHECK_INT(vigil_auth_delay(&p, 0), ==, 0);
    CHECK_INT(vigil_auth_delay(&p, 1), ==, 0);
    CHECK_INT(vigil_auth_delay(&p, 2), ==, 1);
    CHECK_INT(vigil_auth_delay(&p, 3), ==, 2);
    CHECK_INT(vigil_auth_delay(&p, 4), ==, 4);
    CHECK_INT(vigil_auth_delay(&p, 5), ==, 900);
    CHECK_OK(vigil_user_password_set(st, "ana", "ana", "ana-password-1", &err), &err);
    char sid[VIGIL_SESSION_LEN + 1];
    int retry = 0;
    int64_t t = T0;
    CHECK_INT(vigil_session_start(st, &p, "ana", "wrong-1", t, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_session_start(st, &p, "ana", "wrong-2", t, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    /* now a 1 s wait: even the right password is not heard */
    CHECK_INT(vigil_session_start(st, &p, "ana", "ana-password-1", t, sid, NULL, &retry, &err), ==, VIGIL_ELIMIT);
    CHECK_INT(retry, ==, 1);
    t += 1;
    CHECK_INT(vigil_session_start(st, &p, "ana", "wrong-3", t, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_session_start(st, &p, "ana", "wrong-x", t + 1, sid, NULL, &retry, &err), ==, VIGIL_ELIMIT);
    CHECK_INT(retry, ==, 1);
    t += 2;
    CHECK_INT(vigil_session_start(st, &p, "ana", "wrong-4", t, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    t += 4;
    CHECK_INT(vigil_session_start(st, &p, "ana", "wrong-5", t, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    /* locked */
    CHECK_INT(vigil_session_start(st, &p, "ana", "ana-password-1", t + 60, sid, NULL, &retry, &err), ==, VIGIL_ELIMIT);
    CHECK_INT(retry, ==, 840);
    CHECK(strstr(err.msg, "locked"));
    /* each failure audited, the last with the lock */
    CHECK_INT(audit_count(st, "session.fail"), ==, 5);
    json_t *ev = NULL;
    CHECK_OK(vigil_audit_list(st, NULL, NULL, 0, 1, &ev, &err), &err);
    char *last = json_dumps(ev, 0);
    CHECK(last && strstr(last, "locked_until") && strstr(last, "\"failures\": 5"));
    free(last);
    json_decref(ev);
    /* the lock ends by itself ... */
    CHECK_OK(vigil_session_start(st, &p, "ana", "ana-password-1", t + 900, sid, NULL, &retry, &err), &err);
    /* ... or when an admin sets a new password */
    for (int i = 0; i < 5; i++) {
        t += 1000;
        CHECK_INT(vigil_session_start(st, &p, "ana", "wrong", t, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    }
    CHECK_INT(vigil_session_start(st, &p, "ana", "ana-password-1", t + 1, sid, NULL, &retry, &err), ==, VIGIL_ELIMIT);
    CHECK_OK(vigil_user_password_set(st, NULL, "ana", "reset-password-2", &err), &err);
    CHECK_OK(vigil_session_start(st, &p, "ana", "reset-password-2", t + 2, sid, NULL, &retry, &err), &err);
    /* unknown users: the same answer, audited, no lock to learn from */
    for (int i = 0; i < 6; i++)
        CHECK_INT(vigil_session_start(st, &p, "nobody", "whatever-pw", T0, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    CHECK_STR(err.msg, "wrong user name or password");
    CHECK_INT(vigil_session_start(st, &p, "bad\x01name", "whatever-pw", T0, sid, NULL, &retry, &err), ==, VIGIL_EPERM);
    CHECK_INT(audit_count(st, "session.fail"), ==, 17);
    vigil_store_close(st);
}

/* The store is unreachable: what vigil_user_by_token_cached sees when the
 * server could not open it (st NULL, err saying why). */
static vigil_err *outage(vigil_err *err) {
    vigil_err_clear(err);
    err->status = VIGIL_EBUSY;
    snprintf(err->msg, sizeof err->msg, "PostgreSQL unavailable (retry later)");
    return err;
}

static void test_token_cache(void) {
    vigil_store *st = fixture();
    CHECK(st);
    vigil_err err;
    vigil_token_cache *c = NULL;
    CHECK_INT(vigil_token_cache_new(4, -1, &c, &err), ==, VIGIL_EINVAL);
    CHECK_OK(vigil_token_cache_new(4, 300, &c, &err), &err);
    char tok[VIGIL_TOKEN_LEN + 1], tok2[VIGIL_TOKEN_LEN + 1], name[128], role[16];
    CHECK_OK(vigil_user_token_issue(st, NULL, "ana", tok, &err), &err);
    CHECK_OK(vigil_user_token_issue(st, NULL, "rev", tok2, &err), &err);
    int cached = -1;
    /* never seen: unavailable, not unauthorized */
    CHECK_INT(vigil_user_by_token_cached(c, NULL, tok, T0, 1, name, role, &cached, outage(&err)), ==, VIGIL_EBUSY);
    CHECK_INT(cached, ==, 0);
    CHECK_INT(vigil_token_cache_size(c), ==, 0);
    /* the store up: it answers, and the cache keeps the digest */
    CHECK_OK(vigil_user_by_token_cached(c, st, tok, T0, 1, name, role, &cached, &err), &err);
    CHECK_INT(cached, ==, 0);
    CHECK_STR(name, "ana");
    CHECK_INT(vigil_token_cache_size(c), ==, 1);
    /* the outage, on a route allowed then: from the cache */
    CHECK_OK(vigil_user_by_token_cached(c, NULL, tok, T0 + 299, 1, name, role, &cached, outage(&err)), &err);
    CHECK_INT(cached, ==, 1);
    CHECK_STR(name, "ana");
    CHECK_STR(role, "analyst");
    /* ... never on other routes, never for other failures */
    CHECK_INT(vigil_user_by_token_cached(c, NULL, tok, T0 + 1, 0, name, role, &cached, outage(&err)), ==, VIGIL_EBUSY);
    CHECK_INT(cached, ==, 0);
    outage(&err)->status = VIGIL_EIO;
    CHECK_INT(vigil_user_by_token_cached(c, NULL, tok, T0 + 1, 1, name, role, &cached, &err), ==, VIGIL_EIO);
    /* expired ttl_s after the last check the store answered */
    CHECK_INT(vigil_user_by_token_cached(c, NULL, tok, T0 + 300, 1, name, role, &cached, outage(&err)), ==, VIGIL_EBUSY);
    CHECK_INT(vigil_token_cache_size(c), ==, 0);
    CHECK_OK(vigil_user_by_token_cached(c, st, tok, T0 + 400, 1, name, role, &cached, &err), &err);
    CHECK_OK(vigil_user_by_token_cached(c, NULL, tok, T0 + 699, 1, name, role, &cached, outage(&err)), &err);
    /* revoked while the store is up: the store decides, the entry goes */
    CHECK_OK(vigil_user_by_token_cached(c, st, tok2, T0 + 400, 1, name, role, &cached, &err), &err);
    CHECK_INT(vigil_token_cache_size(c), ==, 2);
    CHECK_OK(vigil_user_revoke(st, NULL, "ana", &err), &err);
    CHECK_INT(vigil_user_by_token_cached(c, st, tok, T0 + 401, 1, name, role, &cached, &err), ==, VIGIL_EPERM);
    CHECK_INT(cached, ==, 0);
    CHECK_INT(vigil_token_cache_size(c), ==, 1);
    CHECK_INT(vigil_user_by_token_cached(c, NULL, tok, T0 + 402, 1, name, role, &cached, outage(&err)), ==, VIGIL_EBUSY);
    /* a malformed token: refused by the store, unavailable in an outage */
    CHECK_INT(vigil_user_by_token_cached(c, st, "vgl_short", T0, 1, name, role, &cached, &err), ==, VIGIL_EPERM);
    CHECK_INT(vigil_user_by_token_cached(c, NULL, "vgl_short", T0, 1, name, role, &cached, outage(&err)), ==, VIGIL_EBUSY);
    /* bounded: 24 more tokens verified, at most 4 kept (the oldest go) */
    for (int i = 0; i < 24; i++) {
        char u[16], t[VIGIL_TOKEN_LEN + 1];
        snprintf(u, sizeof u, "bulk%d", i);
        CHECK_OK(vigil_user_create(st, NULL, u, "analyst", "EU", NULL, t, &err), &err);
        CHECK_OK(vigil_user_by_token_cached(c, st, t, T0 + 500 + i, 1, name, role, &cached, &err), &err);
        CHECK_STR(name, u);
        CHECK(vigil_token_cache_size(c) <= 4);
    }
    /* no cache: the store alone */
    CHECK_INT(vigil_user_by_token_cached(NULL, NULL, tok2, T0, 1, name, role, &cached, outage(&err)), ==, VIGIL_EBUSY);
    CHECK_OK(vigil_user_by_token_cached(NULL, st, tok2, T0, 1, name, role, &cached, &err), &err);
    vigil_token_cache_free(c);
    vigil_token_cache_free(NULL);
    vigil_store_close(st);
}

const test_case suite_auth[] = {
    {"auth/passwords_and_first_change", test_passwords},
    {"auth/sessions_idle_lifetime_signout_revocation", test_sessions},
    {"auth/delays_lockout_and_audit", test_lockout},
    {"auth/token_cache_outage_expiry_bound_revocation", test_token_cache},
    {NULL, NULL},
};
