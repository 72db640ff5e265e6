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

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_AUTH_H */
