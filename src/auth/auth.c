/*
 * src/auth/auth.c - passwords (argon2id, libsodium), server-side sessions
 * (idle timeout, absolute lifetime, CSRF token), failed sign-in delays and
 * the lockout.  The HTTP layer only carries cookies and headers to these.
 */
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "vigil/auth.h"

#define MSG_WRONG "wrong user name or password"
#define MSG_SESSION "session expired or signed out: sign in again"

void vigil_auth_policy_init(vigil_auth_policy *p) {
    p->idle_s = 1800;
    p->lifetime_s = 43200;
    p->max_failures = 5;
    p->lockout_s = 900;
}

static const vigil_auth_policy *policy(const vigil_auth_policy *p, vigil_auth_policy *def) {
    if (p) return p;
    vigil_auth_policy_init(def);
    return def;
}

int vigil_auth_delay(const vigil_auth_policy *p, int failures) {
    vigil_auth_policy def;
    p = policy(p, &def);
    if (failures >= p->max_failures) return p->lockout_s;
    if (failures < 2) return 0;
    int d = 1 << (failures - 2 > 6 ? 6 : failures - 2);
    return d > 60 ? 60 : d;
}

int vigil_auth_equal(const char *a, const char *b) {
    if (!a || !b) return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb) return 0;
    return sodium_memcmp(a, b, la) == 0;
}

/* ---- helpers ------------------------------------------------------------------------ */

static vigil_status sodium_ready(vigil_err *err) {
    if (sodium_init() < 0) return vigil__err_set(err, VIGIL_EINTERNAL, "libsodium failed to start");
    return VIGIL_OK;
}

/* 32 random bytes as 64 hex digits. */
static void random_hex(char out[65]) {
    unsigned char b[32];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 65, b, sizeof b);
    sodium_memzero(b, sizeof b);
}

/* SHA-256 hex of a session id: the store keeps only this. */
static vigil_status sid_digest(const char *sid, char out[65], vigil_err *err) {
    unsigned char md[32];
    unsigned int n = 0;
    if (!sid || strlen(sid) != VIGIL_SESSION_LEN)
        return vigil__err_set(err, VIGIL_EPERM, MSG_SESSION);
    if (EVP_Digest(sid, VIGIL_SESSION_LEN, md, &n, EVP_sha256(), NULL) != 1)
        return vigil__err_set(err, VIGIL_EINTERNAL, "SHA-256 failed");
    sodium_bin2hex(out, 65, md, sizeof md);
    return VIGIL_OK;
}

static vigil_status password_check(const char *pw, vigil_err *err) {
    size_t n = pw ? strlen(pw) : 0;
    if (n < VIGIL_PASSWORD_MIN)
        return vigil__err_set(err, VIGIL_EPARSE, "a password needs at least %d characters",
                              VIGIL_PASSWORD_MIN);
    if (n > VIGIL_PASSWORD_MAX)
        return vigil__err_set(err, VIGIL_EPARSE, "a password has at most %d bytes", VIGIL_PASSWORD_MAX);
    return case_text_check(pw, "password", VIGIL_PASSWORD_MAX, err);
}

static vigil_status password_hash(const char *pw, char out[crypto_pwhash_STRBYTES], vigil_err *err) {
    if (crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return vigil__err_set(err, VIGIL_ENOMEM, "not enough memory to hash the password");
    return VIGIL_OK;
}

/* A user's sign-in record. */
typedef struct cred {
    int64_t user_id;
    int revoked;
    int has_password;
    int must_change;
    int failures;
    int64_t last_failure;
    char role[16];
    char hash[crypto_pwhash_STRBYTES];
} cred;

static const char sql_cred[] =
    "SELECT u.id, u.revoked_at IS NOT NULL, c.hash IS NOT NULL, coalesce(c.must_change, 0), "
    "coalesce(c.failures, 0), coalesce(c.last_failure, 0), u.role, coalesce(c.hash, '') "
    "FROM user u LEFT JOIN credential c ON c.user_id = u.id WHERE u.name = ?1";

static vigil_status cred_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    cred *c = ctx;
    const char *role = vigil__row_text(r, 6), *hash = vigil__row_text(r, 7);
    c->user_id = vigil__row_int(r, 0);
    c->revoked = (int)vigil__row_int(r, 1);
    c->has_password = (int)vigil__row_int(r, 2);
    c->must_change = (int)vigil__row_int(r, 3);
    c->failures = (int)vigil__row_int(r, 4);
    c->last_failure = vigil__row_int(r, 5);
    snprintf(c->role, sizeof c->role, "%s", role ? role : "");
    snprintf(c->hash, sizeof c->hash, "%s", hash ? hash : "");
    return VIGIL__STOP;
}

/* VIGIL_ENOENT without a message when there is no such user. */
static vigil_status cred_get(vigil_store *st, const char *name, cred *c, vigil_err *err) {
    memset(c, 0, sizeof *c);
    vigil_status rc = vigil__q_each(st, sql_cred, cred_row, c, err, "t", name);
    if (rc == VIGIL_OK && !c->user_id) return VIGIL_ENOENT;
    return rc;
}

/* Must the user wait?  @return the seconds left (> 0), or 0. */
static int must_wait(const vigil_auth_policy *p, const cred *c, int64_t now) {
    int d = vigil_auth_delay(p, c->failures);
    int64_t left = c->last_failure + d - now;
    return d > 0 && left > 0 ? (int)left : 0;
}

/* A hash to check unknown users' passwords against, made once. */
static char dummy[crypto_pwhash_STRBYTES];
static int have_dummy;
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_make(void) {
    have_dummy = crypto_pwhash_str(dummy, "vigil-dummy-password", 20, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                   crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0;
}

/* Is `pw` the user's password?  Unknown users and users without one are
 * checked against a dummy hash, so that they take the same time. */
static int password_ok(const cred *c, const char *pw) {
    if (!c->has_password) {
        pthread_once(&dummy_once, dummy_make);
        if (have_dummy && crypto_pwhash_str_verify(dummy, pw, strlen(pw)) == 0) return 0;
        return 0;
    }
    return crypto_pwhash_str_verify(c->hash, pw, strlen(pw)) == 0;
}

/* Counts a failed attempt on a known user (audited), in its own
 * transaction.  Returns VIGIL_EPERM with the sign-in message. */
static vigil_status record_failure(vigil_store *st, const vigil_auth_policy *p, const char *name,
                                   const cred *c, const char *what, int64_t now, vigil_err *err) {
    vigil_status rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    int64_t failures = 0;
    if (c->user_id && c->has_password) {
        rc = vigil__q_exec(st,
                           "UPDATE credential SET failures = failures + 1, last_failure = ?2 "
                           "WHERE user_id = ?1",
                           NULL, err, "ii", c->user_id, now);
        if (rc == VIGIL_OK)
            rc = vigil__q_int(st, "SELECT failures FROM credential WHERE user_id = ?1", &failures,
                              err, "i", c->user_id);
    }
    if (rc == VIGIL_OK) {
        vigil_err e;
        int name_ok = case_text_check(name, "name", 128, &e) == VIGIL_OK;
        json_t *after = json_pack("{s:s, s:s, s:I}", "name", name_ok ? name : "(not valid text)",
                                  "attempt", what, "failures", (json_int_t)failures);
        if (failures >= p->max_failures) {
            char until[VIGIL_TIME_LEN];
            vigil_time_format(now + p->lockout_s, until);
            json_object_set_new(after, "locked_until", json_string(until));
        }
        rc = vigil__audit(st, name_ok ? name : "(unknown)", "session.fail", "user", c->user_id, NULL,
                          after, err);
        json_decref(after);
    }
    rc = vigil__store_end(st, rc, err);
    if (rc != VIGIL_OK) return rc;
    return vigil__err_set(err, VIGIL_EPERM, MSG_WRONG);
}

/* ---- passwords ---------------------------------------------------------------------- */

vigil_status vigil_user_password_set(vigil_store *st, const char *by, const char *name,
                                     const char *password, vigil_err *err) {
    case_actor a;
    vigil_status rc = sodium_ready(err);
    if (rc == VIGIL_OK) rc = case_actor_get(st, by, &a, err);
    int self = rc == VIGIL_OK && by && name && strcmp(by, name) == 0;
    if (rc == VIGIL_OK && !self) rc = case_require(&a, 0, "set other users' passwords", err);
    if (rc == VIGIL_OK) rc = password_check(password, err);
    if (rc != VIGIL_OK) return rc;
    cred c;
    rc = cred_get(st, name ? name : "", &c, err);
    if (rc == VIGIL_ENOENT)
        return vigil__err_set(err, VIGIL_ENOENT, "no user named '%.80s' (see `vigil user list`)",
                              name ? name : "");
    if (rc != VIGIL_OK) return rc;
    char hash[crypto_pwhash_STRBYTES];
    if ((rc = password_hash(password, hash, err)) != VIGIL_OK) return rc;
    char now[VIGIL_TIME_LEN];
    int64_t t = vigil_time_now();
    vigil_time_format(t, now);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = vigil__q_exec(st,
                       "INSERT INTO credential (user_id, hash, must_change, failures, last_failure, "
                       "set_at) VALUES (?1, ?2, ?3, 0, 0, ?4) ON CONFLICT (user_id) DO UPDATE SET "
                       "hash = excluded.hash, must_change = excluded.must_change, failures = 0, "
                       "last_failure = 0, set_at = excluded.set_at",
                       NULL, err, "itdt", c.user_id, hash, !self, now);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "UPDATE session SET ended = ?2 WHERE user_id = ?1 AND ended IS NULL",
                           NULL, err, "ii", c.user_id, t);
    if (rc == VIGIL_OK) {
        json_t *after = json_pack("{s:s, s:b}", "name", name, "must_change", !self);
        rc = vigil__audit(st, a.name, "user.password", "user", c.user_id, NULL, after, err);
        json_decref(after);
    }
    sodium_memzero(hash, sizeof hash);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_user_password_change(vigil_store *st, const vigil_auth_policy *p,
                                        const char *name, const char *current, const char *fresh,
                                        const char *keep_sid, int64_t now, int *retry_after,
                                        vigil_err *err) {
    vigil_auth_policy def;
    p = policy(p, &def);
    if (retry_after) *retry_after = 0;
    vigil_status rc = sodium_ready(err);
    if (rc != VIGIL_OK) return rc;
    if (!name || !current || !fresh)
        return vigil__err_set(err, VIGIL_EINVAL, "give the current and the new password");
    cred c;
    rc = cred_get(st, name, &c, err);
    if (rc == VIGIL_ENOENT) return vigil__err_set(err, VIGIL_EPERM, "wrong current password");
    if (rc != VIGIL_OK) return rc;
    if (c.revoked || !c.has_password)
        return vigil__err_set(err, VIGIL_EPERM, "wrong current password");
    int wait = must_wait(p, &c, now);
    if (wait) {
        if (retry_after) *retry_after = wait;
        return vigil__err_set(err, VIGIL_ELIMIT, "too many failed attempts: wait %d s", wait);
    }
    if (!password_ok(&c, current)) {
        rc = record_failure(st, p, name, &c, "password change", now, err);
        return rc == VIGIL_EPERM ? vigil__err_set(err, VIGIL_EPERM, "wrong current password") : rc;
    }
    if (strcmp(current, fresh) == 0)
        return vigil__err_set(err, VIGIL_EPARSE, "the new password must differ from the current one");
    if ((rc = password_check(fresh, err)) != VIGIL_OK) return rc;
    char hash[crypto_pwhash_STRBYTES], keep[65] = "", at[VIGIL_TIME_LEN];
    if ((rc = password_hash(fresh, hash, err)) != VIGIL_OK) return rc;
    if (keep_sid && sid_digest(keep_sid, keep, NULL) != VIGIL_OK) keep[0] = '\0';
    vigil_time_format(now, at);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = vigil__q_exec(st,
                       "UPDATE credential SET hash = ?2, must_change = 0, failures = 0, "
                       "last_failure = 0, set_at = ?3 WHERE user_id = ?1",
                       NULL, err, "itt", c.user_id, hash, at);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "UPDATE session SET ended = ?2 WHERE user_id = ?1 AND ended IS NULL "
                           "AND digest <> ?3",
                           NULL, err, "iit", c.user_id, now, keep);
    if (rc == VIGIL_OK) {
        json_t *after = json_pack("{s:s, s:b}", "name", name, "must_change", 0);
        rc = vigil__audit(st, name, "user.password", "user", c.user_id, NULL, after, err);
        json_decref(after);
    }
    sodium_memzero(hash, sizeof hash);
    return vigil__store_end(st, rc, err);
}

/* ---- sessions ------------------------------------------------------------------------- */

vigil_status vigil_session_start(vigil_store *st, const vigil_auth_policy *p, const char *name,
                                 const char *password, int64_t now,
                                 char sid[VIGIL_SESSION_LEN + 1], vigil_session_info *info,
                                 int *retry_after, vigil_err *err) {
    vigil_auth_policy def;
    p = policy(p, &def);
    sid[0] = '\0';
    if (retry_after) *retry_after = 0;
    vigil_status rc = sodium_ready(err);
    if (rc != VIGIL_OK) return rc;
    if (!name || !*name || !password || strlen(password) > VIGIL_PASSWORD_MAX ||
        strlen(name) > 127)
        return vigil__err_set(err, VIGIL_EPERM, MSG_WRONG);
    cred c;
    rc = cred_get(st, name, &c, err);
    if (rc != VIGIL_OK && rc != VIGIL_ENOENT) return rc;
    int known = rc == VIGIL_OK;
    int wait = known ? must_wait(p, &c, now) : 0;
    if (wait) {
        if (retry_after) *retry_after = wait;
        return vigil__err_set(err, VIGIL_ELIMIT,
                              c.failures >= p->max_failures
                                  ? "too many failed sign-ins: the account is locked for %d s "
                                    "(or until an admin sets a new password)"
                                  : "too many failed sign-ins: wait %d s before trying again",
                              wait);
    }
    if (!password_ok(&c, password) || c.revoked)
        return record_failure(st, p, name, &c, known ? "sign-in" : "sign-in (unknown user)", now, err);
    char id[65], dg[65], csrf[65];
    random_hex(id);
    random_hex(csrf);
    if ((rc = sid_digest(id, dg, err)) != VIGIL_OK) return rc;
    int64_t expires = now + p->lifetime_s;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = vigil__q_exec(st, "UPDATE credential SET failures = 0, last_failure = 0 WHERE user_id = ?1",
                       NULL, err, "i", c.user_id);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "INSERT INTO session (digest, user_id, csrf, created, last_seen, expires) "
                           "VALUES (?1, ?2, ?3, ?4, ?4, ?5)",
                           NULL, err, "titii", dg, c.user_id, csrf, now,
                           expires);
    if (rc == VIGIL_OK) {
        char until[VIGIL_TIME_LEN];
        vigil_time_format(expires, until);
        json_t *after = json_pack("{s:s, s:s, s:s}", "name", name, "session", "started (digest stored)",
                                  "expires_at", until);
        rc = vigil__audit(st, name, "session.start", "user", c.user_id, NULL, after, err);
        json_decref(after);
    }
    rc = vigil__store_end(st, rc, err);
    if (rc != VIGIL_OK) return rc;
    memcpy(sid, id, sizeof id);
    if (info) {
        memset(info, 0, sizeof *info);
        snprintf(info->user, sizeof info->user, "%s", name);
        snprintf(info->role, sizeof info->role, "%s", c.role);
        memcpy(info->csrf, csrf, sizeof csrf);
        info->must_change = c.must_change;
        info->expires_at = expires;
        info->idle_until = now + p->idle_s;
    }
    sodium_memzero(id, sizeof id);
    return VIGIL_OK;
}

static const char sql_session[] =
    "SELECT u.name, u.role, s.csrf, coalesce(c.must_change, 0), s.last_seen, s.expires, "
    "s.ended IS NOT NULL OR u.revoked_at IS NOT NULL FROM session s JOIN user u ON u.id = "
    "s.user_id LEFT JOIN credential c ON c.user_id = s.user_id WHERE s.digest = ?1";

typedef struct session_row_ctx {
    vigil_session_info in;
    int64_t last_seen;
    int ended, found;
} session_row_ctx;

static vigil_status session_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    session_row_ctx *c = ctx;
    const char *user = vigil__row_text(r, 0), *role = vigil__row_text(r, 1),
               *csrf = vigil__row_text(r, 2);
    c->found = 1;
    snprintf(c->in.user, sizeof c->in.user, "%s", user ? user : "");
    snprintf(c->in.role, sizeof c->in.role, "%s", role ? role : "");
    snprintf(c->in.csrf, sizeof c->in.csrf, "%s", csrf ? csrf : "");
    c->in.must_change = (int)vigil__row_int(r, 3);
    c->last_seen = vigil__row_int(r, 4);
    c->in.expires_at = vigil__row_int(r, 5);
    c->ended = (int)vigil__row_int(r, 6);
    return VIGIL__STOP;
}

vigil_status vigil_session_check(vigil_store *st, const vigil_auth_policy *p, const char *sid,
                                 int64_t now, vigil_session_info *info, vigil_err *err) {
    vigil_auth_policy def;
    p = policy(p, &def);
    char dg[65];
    vigil_status rc = sid_digest(sid, dg, err);
    if (rc != VIGIL_OK) return rc;
    session_row_ctx c;
    memset(&c, 0, sizeof c);
    c.ended = 1;
    if ((rc = vigil__q_each(st, sql_session, session_row, &c, err, "t", dg)) != VIGIL_OK) return rc;
    vigil_session_info in = c.in;
    int64_t last_seen = c.last_seen;
    if (!c.found || c.ended || now >= in.expires_at || now >= last_seen + p->idle_s)
        return vigil__err_set(err, VIGIL_EPERM, MSG_SESSION);
    if (now - last_seen >= 60) {
        rc = vigil__q_exec(st, "UPDATE session SET last_seen = ?2 WHERE digest = ?1", NULL, err,
                           "ti", dg, now);
        if (rc != VIGIL_OK) return rc;
        last_seen = now;
    }
    in.idle_until = last_seen + p->idle_s;
    if (in.idle_until > in.expires_at) in.idle_until = in.expires_at;
    if (info) *info = in;
    return VIGIL_OK;
}

vigil_status vigil_session_end(vigil_store *st, const char *sid, int64_t now, vigil_err *err) {
    char dg[65];
    if (sid_digest(sid, dg, NULL) != VIGIL_OK) return VIGIL_OK;
    vigil_status rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    int changes = 0;
    rc = vigil__q_exec(st, "UPDATE session SET ended = ?2 WHERE digest = ?1 AND ended IS NULL",
                       &changes, err, "ti", dg, now);
    if (rc == VIGIL_OK && changes) {
        char *name = NULL;
        int64_t uid = 0;
        rc = vigil__q_int(st, "SELECT user_id FROM session WHERE digest = ?1", &uid, err, "t", dg);
        if (rc == VIGIL_OK)
            rc = vigil__q_text(st, "SELECT name FROM user WHERE id = ?1", &name, err, "i", uid);
        if (rc == VIGIL_OK) {
            json_t *after = json_pack("{s:s}", "session", "signed out");
            rc = vigil__audit(st, name ? name : "?", "session.end", "user", uid, NULL, after, err);
            json_decref(after);
        }
        free(name);
    }
    return vigil__store_end(st, rc, err);
}
