/*
 * vigil/auth.h - sign-in for people: passwords (argon2id through libsodium),
 * server-side sessions with an idle timeout and an absolute lifetime, a
 * per-session CSRF token, growing delays then a lockout after failed
 * sign-ins.  Machine clients keep using API tokens (vigil/case.h).
 */
#ifndef VIGIL_AUTH_H
#define VIGIL_AUTH_H

#include <stdint.h>

#include "vigil/store.h"

#ifdef __cplusplus
extern "C" {
#endif

#define VIGIL_SESSION_LEN 64 /* hex digits of a session id (256 random bits) */
#define VIGIL_CSRF_LEN 64    /* hex digits of a CSRF token                  */
#define VIGIL_PASSWORD_MIN 12
#define VIGIL_PASSWORD_MAX 1024

typedef struct vigil_auth_policy {
    int idle_s;       /* a session unused this long ends; default 1800 (30 min)        */
    int lifetime_s;   /* a session ends this long after sign-in; default 43200 (12 h)  */
    int max_failures; /* consecutive failed sign-ins that lock the account; default 5  */
    int lockout_s;    /* how long a lock lasts (an admin's `user passwd` ends it); 900 */
} vigil_auth_policy;

/*! vigil_auth_policy_init() : the defaults above. */
void vigil_auth_policy_init(vigil_auth_policy *p);

/*! vigil_auth_delay() : seconds a user must wait after `failures`
 *  consecutive failed sign-ins before the next attempt is heard: 0 after
 *  one, then 1, 2, 4, ... s (doubling, at most 60 s); from
 *  p->max_failures on, p->lockout_s (locked). */
int vigil_auth_delay(const vigil_auth_policy *p, int failures);

/* A signed-in session as the server sees it. */
typedef struct vigil_session_info {
    char user[128];
    char role[16];               /* analyst, reviewer, coordinator, liaison, admin     */
    char csrf[VIGIL_CSRF_LEN + 1];
    int must_change;             /* the password was set by an admin: change it first */
    int64_t expires_at;          /* absolute end (epoch seconds)                      */
    int64_t idle_until;          /* ends if unused until then                         */
} vigil_session_info;

/*! vigil_user_password_set() :
 *  Sets user NAME's password (argon2id, libsodium's interactive limits; only
 *  the hash is stored).  Set by anyone but the user (`by` NULL is the local
 *  administrator; others must be admins) it is a first password that must
 *  be changed at the next sign-in; set by the user themself (`by` == NAME)
 *  it is not.  Either way the user's failed-sign-in count and lock are
 *  cleared and their open sessions end.  Audited (the hash is not).
 *  @return VIGIL_OK; VIGIL_EPARSE (shorter than VIGIL_PASSWORD_MIN or longer
 *  than VIGIL_PASSWORD_MAX bytes, not UTF-8), VIGIL_ENOENT, VIGIL_EPERM. */
vigil_status vigil_user_password_set(vigil_store *st, const char *by, const char *name,
                                     const char *password, vigil_err *err);

/*! vigil_session_start() :
 *  Signs user NAME in with `password` at time `now` (epoch seconds): a new
 *  session id into `sid` (give it to the browser only, as a cookie) and the
 *  session's details into *info (NULL ok).  A wrong name or password gets
 *  VIGIL_EPERM "wrong user name or password" (the same for both; unknown
 *  names cost the same time), counts a failure and is audited
 *  (session.fail); after p->max_failures failures the account is locked
 *  (audited with "locked").  While the user must wait (vigil_auth_delay) or
 *  is locked, attempts get VIGIL_ELIMIT with *retry_after (NULL ok) set,
 *  without checking the password.  Revoked users and users without a
 *  password get VIGIL_EPERM, the same message.  p NULL: the defaults. */
vigil_status vigil_session_start(vigil_store *st, const vigil_auth_policy *p, const char *name,
                                 const char *password, int64_t now,
                                 char sid[VIGIL_SESSION_LEN + 1], vigil_session_info *info,
                                 int *retry_after, vigil_err *err);

/*! vigil_session_check() :
 *  The session `sid` at time `now`: VIGIL_OK with *info, or VIGIL_EPERM
 *  "session expired or signed out" when it is unknown, ended, past its
 *  idle timeout or lifetime, or its user is revoked.  Refreshes the idle
 *  timeout (written at most once a minute). */
vigil_status vigil_session_check(vigil_store *st, const vigil_auth_policy *p, const char *sid,
                                 int64_t now, vigil_session_info *info, vigil_err *err);

/*! vigil_session_end() : signs session `sid` out (audited).  VIGIL_OK also
 *  for unknown or ended sessions (nothing to do). */
vigil_status vigil_session_end(vigil_store *st, const char *sid, int64_t now, vigil_err *err);

/*! vigil_user_password_change() :
 *  User NAME changes their own password: `current` must be right (a wrong
 *  one is a failed attempt, as at sign-in, audited and counted), `fresh`
 *  must differ from it and follow the length rule.  Clears must_change;
 *  ends the user's other sessions (`keep_sid`, NULL ok, stays).
 *  @return VIGIL_OK; VIGIL_EPERM (wrong current password), VIGIL_ELIMIT
 *  (must wait, *retry_after), VIGIL_EPARSE (new password). */
vigil_status vigil_user_password_change(vigil_store *st, const vigil_auth_policy *p,
                                        const char *name, const char *current, const char *fresh,
                                        const char *keep_sid, int64_t now, int *retry_after,
                                        vigil_err *err);

/*! vigil_auth_equal() : constant-time comparison of two NUL-terminated
 *  secrets (1 when equal; 0 when either is NULL). */
int vigil_auth_equal(const char *a, const char *b);

/* ---- API tokens while the store is unreachable ---------------------------------- */

#define VIGIL_TOKEN_CACHE_TTL_S 300 /* default lifetime of a verified token's entry (s)   */
#define VIGIL_TOKEN_CACHE_MAX 4096  /* default bound: entries (about 250 bytes each)      */

/* A bounded cache of verified API tokens for a server: key the token's
 * SHA-256 digest (as the store keeps it; never the token), value the user,
 * role and time of the last check the store answered.  It answers only
 * while the store is unreachable (VIGIL_EBUSY) and only for requests the
 * caller marks as allowed then; with the store up, the store decides
 * every time.  Thread-safe (one mutex). */
typedef struct vigil_token_cache vigil_token_cache;

/*! vigil_token_cache_new() :
 *  A cache of at most `max` entries (0: VIGIL_TOKEN_CACHE_MAX), each
 *  usable for `ttl_s` seconds after the store last said the token is valid
 *  (0: VIGIL_TOKEN_CACHE_TTL_S).  Free it with vigil_token_cache_free.
 *  @return VIGIL_OK with *out; VIGIL_EINVAL (ttl_s < 0), VIGIL_ENOMEM. */
vigil_status vigil_token_cache_new(size_t max, int ttl_s, vigil_token_cache **out, vigil_err *err);

/*! vigil_token_cache_free() : NULL ok.  The entries are wiped first. */
void vigil_token_cache_free(vigil_token_cache *c);

/*! vigil_token_cache_size() : the entries held (expired ones included
 *  until replaced); 0 for NULL. */
size_t vigil_token_cache_size(vigil_token_cache *c);

/*! vigil_user_by_token_cached() :
 *  vigil_user_by_token through the cache `c` at time `now` (epoch s).
 *  st NULL means the store could not be opened: *err then already says why
 *  (its status, e.g. VIGIL_EBUSY) and is treated as the store's answer.
 *  - the store says OK: the entry is (re)written with `now`; VIGIL_OK.
 *  - the store says VIGIL_EPERM (unknown, revoked): the entry is removed;
 *    VIGIL_EPERM.
 *  - the store is unreachable (VIGIL_EBUSY) and `outage_ok`: the entry, if
 *    it was verified less than ttl_s ago, answers (VIGIL_OK, *from_cache
 *    1); else VIGIL_EBUSY (an unknown token is "unavailable", never
 *    "unauthorized").
 *  - anything else: the store's status.
 *  c NULL: plain vigil_user_by_token.  from_cache NULL ok. */
vigil_status vigil_user_by_token_cached(vigil_token_cache *c, vigil_store *st, const char *token,
                                        int64_t now, int outage_ok, char name[128], char role[16],
                                        int *from_cache, vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_AUTH_H */
