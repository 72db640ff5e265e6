/*
 * cli/opt.c - the one command-line parser of `vigil`: options from each
 * command's cli_opt table anywhere among the operands, `--`, checked
 * numbers, and the dispatch of subcommands (see cli.h).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void cli_args_init(cli_args *p, const char *cmd, const cli_opt *opts, unsigned flags, int argc,
                   char **argv) {
    memset(p, 0, sizeof *p);
    p->cmd = cmd ? cmd : "";
    p->opts = opts;
    p->flags = flags;
    p->words = argc > 0 ? argv + 1 : argv; /* argv[argc] is NULL: argv + 1 is valid */
    p->n_words = argc > 0 ? argc - 1 : 0;
    p->argv = p->words;
}

/* "hash: " (or "" for the global options) before a message. */
static const char *sep(const cli_args *p) {
    return p->cmd[0] ? ": " : "";
}

/* The help hint "`vigil hash --help`" for messages. */
static void hint(const cli_args *p, char *out, size_t cap) {
    snprintf(out, cap, "`vigil %s%s--help`", p->cmd, p->cmd[0] ? " " : "");
}

static int is_global(const char *name, size_t len) {
    static const char *const globals[] = {"db", "quiet", "version"};
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
        if (strlen(globals[i]) == len && strncmp(globals[i], name, len) == 0) return 1;
    return 0;
}

/* The subcommands of the command cli_dispatch() is running (for hints). */
static const char *family_cmd;
static const cli_sub *family;
static size_t n_family;

/* Whether table `opts` has the option word w (`--name` or `-X`). */
static int has_option(const cli_opt *opts, const char *w, size_t len) {
    for (const cli_opt *t = opts; t && t->name; t++) {
        if (w[1] == '-' ? strlen(t->name) == len - 2 && strncmp(t->name, w + 2, len - 2) == 0
                        : len == 2 && t->short_name == w[1])
            return 1;
    }
    return 0;
}

/* The sibling subcommand of p->cmd ("item show") that has option w, or NULL. */
static const char *sibling_with(const cli_args *p, const char *w, size_t len) {
    if (!family || !family_cmd) return NULL;
    size_t cl = strlen(family_cmd);
    if (strncmp(p->cmd, family_cmd, cl) != 0 || p->cmd[cl] != ' ') return NULL;
    const char *self = p->cmd + cl + 1;
    for (size_t i = 0; i < n_family; i++)
        if (strcmp(family[i].name, self) != 0 && has_option(family[i].opts, w, len))
            return family[i].name;
    return NULL;
}

static int unknown(const cli_args *p, const char *shown, size_t len, int global) {
    char h[96];
    hint(p, h, sizeof h);
    const char *other = sibling_with(p, shown, len);
    if (other)
        cli_errorf("%s: unknown option '%.*s': it is an option of `vigil %s %s` (see %s)", p->cmd,
                   (int)len, shown, family_cmd, other, h);
    else if (global && p->cmd[0])
        cli_errorf("%s: unknown option '%.*s': it is a global option, give it before the command "
                   "(vigil %.*s ... %s ...)",
                   p->cmd, (int)len, shown, (int)len, shown, p->cmd);
    else
        cli_errorf("%s%sunknown option '%.*s' (see %s)", p->cmd, sep(p), (int)len, shown, h);
    return CLI_BAD;
}

/* The range of a numeric option in words: "a whole number from 0 to 256". */
static void range_text(const cli_opt *o, char *out, size_t cap) {
    const char *what = o->what ? o->what : o->kind == CLI_INT ? "a whole number" : "a number";
    int above = (o->flags & CLI_ABOVE_MIN) != 0, nomax = o->max >= CLI_NO_MAX;
    if (o->kind == CLI_INT && !above && nomax && o->min == 1 && !o->what)
        snprintf(out, cap, "a positive whole number");
    else if (nomax)
        snprintf(out, cap, "%s %s %.15g", what, above ? "above" : "of at least", o->min);
    else if (above)
        snprintf(out, cap, "%s above %.15g and at most %.15g", what, o->min, o->max);
    else
        snprintf(out, cap, "%s from %.15g to %.15g", what, o->min, o->max);
}

/* Checks and converts p->arg for a numeric option; 0 after the message. */
static int number(cli_args *p, const cli_opt *o, const char *shown) {
    const char *s = p->arg;
    char *end = NULL;
    int ok = *s && !(*s == ' ' || (*s >= '\t' && *s <= '\r'));
    errno = 0;
    if (ok && o->kind == CLI_INT) {
        long long v = strtoll(s, &end, 10);
        ok = *end == '\0' && errno == 0 && (double)v >= o->min && (double)v <= o->max;
        p->num = v;
        p->real = (double)v;
    } else if (ok) {
        double v = strtod(s, &end);
        ok = *end == '\0' && errno == 0 && isfinite(v) && v <= o->max &&
             ((o->flags & CLI_ABOVE_MIN) ? v > o->min : v >= o->min);
        p->real = v;
    }
    if (ok) return 1;
    char r[128];
    range_text(o, r, sizeof r);
    cli_errorf("%s%s%s needs %s, got '%s'", p->cmd, sep(p), shown, r, s);
    return 0;
}

/* The option word w (after its leading '-'s are checked). */
static int option(cli_args *p, char *w) {
    const cli_opt *o = NULL;
    char *value = NULL;
    char shown[80];
    if (w[1] == '-') { /* --name, --name=value */
        const char *name = w + 2;
        char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        for (const cli_opt *t = p->opts; t && t->name; t++)
            if (strlen(t->name) == len && strncmp(t->name, name, len) == 0) o = t;
        if (!o && len == 4 && strncmp(name, "help", 4) == 0 && !eq) return CLI_HELP;
        if (!o) return unknown(p, w, len + 2, is_global(name, len));
        snprintf(shown, sizeof shown, "--%s", o->name);
        if (eq) {
            if (o->kind == CLI_FLAG) {
                cli_errorf("%s%s%s takes no value (got '%s')", p->cmd, sep(p), shown, w);
                return CLI_BAD;
            }
            value = eq + 1;
        }
    } else { /* -X, -XVALUE */
        for (const cli_opt *t = p->opts; t && t->name; t++)
            if (t->short_name && t->short_name == w[1]) o = t;
        if (!o && w[1] == 'h' && !w[2]) return CLI_HELP;
        if (!o || (o->kind == CLI_FLAG && w[2]))
            return unknown(p, w, strlen(w), w[1] == 'q' && !w[2]);
        snprintf(shown, sizeof shown, "-%c", w[1]);
        if (w[2]) value = w + 2;
    }
    p->opt = o;
    p->arg = NULL;
    p->num = 0;
    p->real = 0;
    if (o->kind == CLI_FLAG) return o->id;
    if (!value) {
        if (p->next >= p->n_words) {
            cli_errorf("%s%s%s needs a value (see `vigil %s%s--help`)", p->cmd, sep(p), shown,
                       p->cmd, p->cmd[0] ? " " : "");
            return CLI_BAD;
        }
        value = p->words[p->next++]; /* taken whatever it looks like (a value may begin with -) */
    }
    p->arg = value;
    if (o->kind != CLI_STR && !number(p, o, shown)) return CLI_BAD;
    return o->id;
}

int cli_args_next(cli_args *p) {
    while (p->next < p->n_words) {
        char *w = p->words[p->next];
        if (p->dashdash || w[0] != '-' || w[1] == '\0') { /* an operand ('-': stdin) */
            if (p->flags & CLI_STOP_AT_OPERAND) {
                p->argv = p->words + p->next;
                p->argc = p->n_words - p->next;
                return CLI_END;
            }
            p->words[p->argc++] = w; /* compacted in place: argc <= next */
            p->next++;
            continue;
        }
        p->next++;
        if (strcmp(w, "--") == 0) {
            p->dashdash = 1;
            continue;
        }
        return option(p, w);
    }
    if (p->flags & CLI_STOP_AT_OPERAND) {
        p->argv = p->words + p->next;
        p->argc = 0;
    } else {
        p->argv = p->words;
    }
    return CLI_END;
}

int cli_args_operands(const cli_args *p, int min, int max, const char *what) {
    char h[96];
    hint(p, h, sizeof h);
    if (p->argc < min) {
        cli_errorf("%s%smissing %s (see %s)", p->cmd, sep(p), what, h);
        return 0;
    }
    if (max >= 0 && p->argc > max) {
        cli_errorf("%s%sunexpected argument '%s' (see %s)", p->cmd, sep(p), p->argv[max], h);
        return 0;
    }
    return 1;
}

int cli_dispatch(const char *cmd, const cli_sub *subs, size_t n, void (*usage)(FILE *out), int argc,
                 char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(subs[i].name, sub) != 0) continue;
        family_cmd = cmd;
        family = subs;
        n_family = n;
        int rc = subs[i].fn(argc - 1, argv + 1);
        family = NULL;
        return rc;
    }
    cli_errorf("%s: unknown subcommand '%s' (see `vigil %s --help`)", cmd, sub, cmd);
    return CLI_EXIT_USAGE;
}
