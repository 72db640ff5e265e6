/*
 * cli/passwd.h - `vigil user passwd NAME`: the password read from the
 * terminal (no echo, twice) or from one line of standard input.
 */
#ifndef VIGIL_CLI_PASSWD_H
#define VIGIL_CLI_PASSWD_H

/*! cli_user_passwd() : reads a password (never from argv) and sets user
 *  NAME's with vigil_user_password_set as `by` (NULL: local admin).
 *  @return a CLI exit code. */
int cli_user_passwd(const char *name, const char *by);

#endif /* VIGIL_CLI_PASSWD_H */
