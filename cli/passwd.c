/*
 * cli/passwd.c - `vigil user passwd NAME`: reads the new password from the
 * terminal without echo (asked twice) or from the first line of standard
 * input (for scripts), never from the command line, and sets it.
 */
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "case_util.h"
#include "passwd.h"
#include "vigil/auth.h"

/* One line from `f` without its line end; -1 at EOF or when too long. */
static int read_line(FILE *f, char *buf, size_t cap) {
    if (!fgets(buf, (int)cap, f)) return -1;
    size_t n = strlen(buf);
    if (n && buf[n - 1] != '\n' && !feof(f)) return -1; /* longer than the buffer */
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r')) buf[--n] = '\0';
    return 0;
}

static int ask(const char *prompt, char *buf, size_t cap) {
    struct termios old, quiet;
    fprintf(stderr, "%s", prompt);
    fflush(stderr);
    int tty = tcgetattr(STDIN_FILENO, &old) == 0;
    if (tty) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    int rc = read_line(stdin, buf, cap);
    if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    fprintf(stderr, "\n");
    return rc;
}

int cli_user_passwd(const char *name, const char *by) {
    char pw[VIGIL_PASSWORD_MAX + 2], again[VIGIL_PASSWORD_MAX + 2];
    int rc = CLI_EXIT_FAIL;
    if (isatty(STDIN_FILENO)) {
        char prompt[200];
        snprintf(prompt, sizeof prompt, "new password for %.100s (at least %d characters): ", name,
                 VIGIL_PASSWORD_MIN);
        if (ask(prompt, pw, sizeof pw) != 0 || ask("again: ", again, sizeof again) != 0) {
            cli_errorf("user passwd: no password read");
            goto out;
        }
        if (strcmp(pw, again) != 0) {
            cli_errorf("user passwd: the two passwords differ; nothing changed");
            goto out;
        }
    } else if (read_line(stdin, pw, sizeof pw) != 0) {
        cli_errorf("user passwd: give the password on the first line of standard input "
                   "(at most %d bytes)", VIGIL_PASSWORD_MAX);
        goto out;
    }
    vigil_store *st = cu_open();
    if (!st) goto out;
    vigil_err err;
    vigil_err_clear(&err);
    vigil_status s = vigil_user_password_set(st, by, name, pw, &err);
    vigil_store_close(st);
    if (s != VIGIL_OK) {
        rc = cu_fail(s, &err);
        goto out;
    }
    if (!g_cli.quiet)
        fprintf(stderr, "password of %s set%s\n", name,
                by && strcmp(by, name) == 0 ? "" : "; it must be changed at the first sign-in");
    rc = CLI_EXIT_OK;
out:
    memset(pw, 0, sizeof pw);
    memset(again, 0, sizeof again);
    return rc;
}
