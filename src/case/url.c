/*
 * src/case/url.c - URL canonicalisation (libcurl's URL API parses; vigil
 * normalises): one canonical string per resource, so that the same item
 * reported through different URLs is recognised as one.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <idn2.h>

#include "common/buf.h"
#include "common/err.h"
#include "vigil/url.h"

#define URL_MAX 8192

/* ---- small string builder ---------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_putn(sbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->n + n + 1 > b->cap) {
        size_t cap = vigil__grow_cap(b->cap, b->n + n + 1, 128, 0);
        char *np = cap ? realloc(b->p, cap) : NULL;
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }

/* ---- percent-encoding -------------------------------------------------- */

static int hexv(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int unreserved(int c) { return isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

/* Characters kept as they are in a path or a query component (RFC 3986
 * pchar minus what separates query parameters). */
static int keep_raw(int c, int in_query) {
    if (unreserved(c)) return 1;
    if (strchr("!$'()*,;:@/", c)) return 1;
    if (c == '+' || c == '=') return 1;
    if (!in_query && c == '&') return 1;
    if (in_query && c == '?') return 1;
    return 0;
}

/* Normalise one component: %XX of unreserved characters decoded, other
 * escapes upper case, characters that must be escaped escaped. */
static void put_component(sbuf *b, const char *s, size_t n, int in_query) {
    static const char hx[] = "0123456789ABCDEF";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%' && i + 2 < n + 0 && hexv(s[i + 1]) >= 0 && hexv(s[i + 2]) >= 0) {
            unsigned char d = (unsigned char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
            if (unreserved(d)) {
                sb_putc(b, (char)d);
            } else {
                char e[3] = {'%', hx[d >> 4], hx[d & 15]};
                sb_putn(b, e, 3);
            }
            i += 2;
        } else if (keep_raw(c, in_query)) {
            sb_putc(b, (char)c);
        } else {
            char e[3] = {'%', hx[c >> 4], hx[c & 15]};
            sb_putn(b, e, 3);
        }
    }
}

/* A new string holding s[0..n) normalised as put_component does; NULL when
 * out of memory. */
static char *norm_component(const char *s, size_t n, int in_query) {
    sbuf b = {NULL, 0, 0, 0};
    put_component(&b, s, n, in_query);
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p ? b.p : strdup("");
}

/* ---- tracking parameters ------------------------------------------------- */

static int is_tracking(const char *name, size_t n, const char *host) {
    static const char *const exact[] = {
        "fbclid", "gclid",  "dclid",  "gbraid", "wbraid",  "msclkid", "yclid",  "twclid",
        "igshid", "igsh",   "si",     "feature", "ref",    "ref_src", "ref_url", "_ga",
        "_gl",    "mc_cid", "mc_eid", "mkt_tok", "spm",    "share_id", "rdt",   "__tn__",
        "__cft__", "mibextid", "sfnsn", "s_r", "utm",     NULL};
    char low[64];
    if (n == 0 || n >= sizeof low) return 0;
    for (size_t i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)name[i]);
    low[n] = '\0';
    if (strncmp(low, "utm_", 4) == 0) return 1;
    for (const char *const *e = exact; *e; e++)
        if (strcmp(low, *e) == 0) return 1;
    /* X's share parameters */
    if (strcmp(host, "x.com") == 0 && (strcmp(low, "s") == 0 || strcmp(low, "t") == 0)) return 1;
    return 0;
}

/* ---- platform rules ---------------------------------------------------------- */

typedef struct parts {
    char host[256];
    char *seg[32]; /* path segments, decoded form as given (normalised later) */
    int nseg;
    char *params[64]; /* "name=value" as given */
    int nparams;
} parts;

/* The value of parameter `name`, or NULL when it is absent or given more
 * than once (then no single value names the resource). */
static const char *param_value(const parts *p, const char *name) {
    size_t n = strlen(name);
    const char *v = NULL;
    int seen = 0;
    for (int i = 0; i < p->nparams; i++) {
        if (strncmp(p->params[i], name, n) == 0 && (p->params[i][n] == '=' || !p->params[i][n])) {
            seen++;
            if (p->params[i][n] == '=') v = p->params[i] + n + 1;
        }
    }
    return seen == 1 ? v : NULL;
}

/* "name=" + a path segment as a query value ('&' escaped: a path may hold
 * it raw, a query value may not).  malloc'd, or NULL. */
static char *as_param(const char *name, const char *seg) {
    sbuf b = {NULL, 0, 0, 0};
    sb_puts(&b, name);
    sb_putc(&b, '=');
    for (; *seg; seg++) {
        if (*seg == '&')
            sb_puts(&b, "%26");
        else
            sb_putc(&b, *seg);
    }
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    return b.p;
}

static void keep_only_param(parts *p, const char *name) {
    int w = 0;
    size_t n = strlen(name);
    for (int i = 0; i < p->nparams; i++) {
        if (strncmp(p->params[i], name, n) == 0 && (p->params[i][n] == '=' || !p->params[i][n]))
            p->params[w++] = p->params[i];
        else
            free(p->params[i]);
    }
    p->nparams = w;
}

static void drop_params(parts *p) {
    for (int i = 0; i < p->nparams; i++) free(p->params[i]);
    p->nparams = 0;
}

static int set_segs(parts *p, int n, const char *const *v) {
    for (int i = 0; i < p->nseg; i++) free(p->seg[i]);
    p->nseg = 0;
    for (int i = 0; i < n; i++) {
        p->seg[i] = strdup(v[i]);
        if (!p->seg[i]) return -1;
        p->nseg++;
    }
    return 0;
}

static int seg_is(const parts *p, int i, const char *s) { return i < p->nseg && strcmp(p->seg[i], s) == 0; }

static void lower(char *s) {
    for (; *s; s++) *s = (char)tolower((unsigned char)*s);
}

/* Hosts that are the same site under another name. */
static void alias_host(char *host) {
    static const char *const map[][2] = {
        {"twitter.com", "x.com"},          {"telegram.me", "t.me"},
        {"telegram.dog", "t.me"},          {"fb.com", "facebook.com"},
        {"web.facebook.com", "facebook.com"}, {"instagr.am", "instagram.com"},
        {"vkontakte.ru", "vk.com"},        {"vk.ru", "vk.com"},
        {"discordapp.com", "discord.com"}, {"odnoklassniki.ru", "ok.ru"},
        {"youtube-nocookie.com", "youtube.com"}, {"music.youtube.com", "youtube.com"},
        {"archive.is", "archive.ph"},      {"archive.li", "archive.ph"},
        {"archive.md", "archive.ph"},      {"archive.today", "archive.ph"},
        {"4channel.org", "4chan.org"},     {"threads.com", "threads.net"},
        {"old.reddit.com", "reddit.com"},  {"np.reddit.com", "reddit.com"},
        {"new.reddit.com", "reddit.com"},  {"lbry.tv", "odysee.com"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(host, map[i][0]) == 0) {
            snprintf(host, 256, "%s", map[i][1]);
            return;
        }
    }
}

/* Rewrites alternate URL forms onto one; sets *account (malloc'd) where the
 * URL names an account.  Returns -1 on allocation failure. */
static int platform_rules(parts *p, char **account) {
    const char *h = p->host;
    *account = NULL;
    /* On these platforms the first path segment (a keyword, or an account
     * name) ignores case: lowercase it before any rule looks at it.  Not
     * Telegram's "+invite" codes, which are case-sensitive. */
    static const char *const fold_first[] = {"t.me", "instagram.com", "tiktok.com", "reddit.com",
                                              "x.com", "youtube.com", "facebook.com", NULL};
    for (const char *const *f = fold_first; *f; f++)
        if (strcmp(h, *f) == 0 && p->nseg >= 1 && p->seg[0][0] != '+') lower(p->seg[0]);
    if (strcmp(h, "youtu.be") == 0 && p->nseg >= 1) {
        char *v = as_param("v", p->seg[0]);
        if (!v) return -1;
        snprintf(p->host, sizeof p->host, "%s", "youtube.com");
        drop_params(p);
        p->params[0] = v;
        p->nparams = 1;
        return set_segs(p, 1, (const char *const[]){"watch"});
    }
    if (strcmp(h, "youtube.com") == 0) {
        if (p->nseg >= 2 && (seg_is(p, 0, "shorts") || seg_is(p, 0, "embed") || seg_is(p, 0, "live") ||
                             seg_is(p, 0, "v"))) {
            char *v = as_param("v", p->seg[1]);
            if (!v) return -1;
            drop_params(p);
            p->params[0] = v;
            p->nparams = 1;
            return set_segs(p, 1, (const char *const[]){"watch"});
        }
        if (seg_is(p, 0, "watch")) {
            keep_only_param(p, "v");
            return 0;
        }
        if (p->nseg >= 1 && p->seg[0][0] == '@') {
            lower(p->seg[0]);
            *account = strdup(p->seg[0]);
        } else if (p->nseg >= 2 && (seg_is(p, 0, "channel") || seg_is(p, 0, "c") || seg_is(p, 0, "user"))) {
            size_t n = strlen(p->seg[0]) + strlen(p->seg[1]) + 2;
            *account = malloc(n);
            if (*account) snprintf(*account, n, "%s/%s", p->seg[0], p->seg[1]);
        }
        return 0;
    }
    if (strcmp(h, "x.com") == 0) {
        /* /HANDLE/status/ID[/...] and /i/web/status/ID -> /i/status/ID */
        int idx = -1;
        for (int i = 0; i + 1 < p->nseg; i++)
            if (strcmp(p->seg[i], "status") == 0 || strcmp(p->seg[i], "statuses") == 0) idx = i;
        if (idx >= 0) {
            if (idx >= 1 && !seg_is(p, 0, "i")) {
                lower(p->seg[0]);
                *account = strdup(p->seg[0]);
            }
            char *id = strdup(p->seg[idx + 1]);
            if (!id) return -1;
            drop_params(p);
            int rc = set_segs(p, 3, (const char *const[]){"i", "status", id});
            free(id);
            return rc;
        }
        if (p->nseg == 1 && !seg_is(p, 0, "i") && !seg_is(p, 0, "search") && !seg_is(p, 0, "home")) {
            lower(p->seg[0]);
            *account = strdup(p->seg[0]);
            drop_params(p);
        }
        return 0;
    }
    if (strcmp(h, "t.me") == 0) {
        /* the web preview of a channel (usernames have >= 5 characters, so
         * "s" is never a channel: strip every leading one) */
        while (p->nseg >= 2 && seg_is(p, 0, "s")) {
            free(p->seg[0]);
            memmove(p->seg, p->seg + 1, (size_t)(p->nseg - 1) * sizeof *p->seg);
            p->nseg--;
            if (p->seg[0][0] != '+') lower(p->seg[0]);
        }
        drop_params(p);
        if (p->nseg >= 1 && !seg_is(p, 0, "joinchat") && !seg_is(p, 0, "addstickers") &&
            !seg_is(p, 0, "share") && p->seg[0][0] != '+') {
            if (seg_is(p, 0, "c") && p->nseg >= 2) {
                size_t n = strlen(p->seg[1]) + 3;
                *account = malloc(n);
                if (*account) snprintf(*account, n, "c/%s", p->seg[1]);
            } else {
                lower(p->seg[0]);
                *account = strdup(p->seg[0]);
            }
        }
        return 0;
    }
    if (strcmp(h, "instagram.com") == 0) {
        if (p->nseg >= 1 && !seg_is(p, 0, "p") && !seg_is(p, 0, "reel") && !seg_is(p, 0, "reels") &&
            !seg_is(p, 0, "tv") && !seg_is(p, 0, "explore") && !seg_is(p, 0, "stories")) {
            lower(p->seg[0]);
            *account = strdup(p->seg[0]);
        } else if (seg_is(p, 0, "stories") && p->nseg >= 2) {
            lower(p->seg[1]);
            *account = strdup(p->seg[1]);
        }
        if (seg_is(p, 0, "p") || seg_is(p, 0, "reel") || seg_is(p, 0, "tv")) drop_params(p);
        return 0;
    }
    if (strcmp(h, "tiktok.com") == 0) {
        if (p->nseg >= 1 && p->seg[0][0] == '@') {
            lower(p->seg[0]);
            *account = strdup(p->seg[0]);
        }
        drop_params(p);
        return 0;
    }
    if (strcmp(h, "facebook.com") == 0) {
        static const char *const not_account[] = {"watch", "groups", "events", "photo", "photo.php",
                                                  "permalink.php", "story.php", "profile.php",
                                                  "share", "reel", "hashtag", "pages", NULL};
        int acc = p->nseg >= 1;
        for (const char *const *n = not_account; acc && *n; n++) acc = !seg_is(p, 0, *n);
        if (acc) *account = strdup(p->seg[0]);
        else if (seg_is(p, 0, "groups") && p->nseg >= 2) {
            size_t n = strlen(p->seg[1]) + 8;
            *account = malloc(n);
            if (*account) snprintf(*account, n, "groups/%s", p->seg[1]);
        } else if (seg_is(p, 0, "profile.php") && param_value(p, "id")) {
            *account = strdup(param_value(p, "id"));
        }
        return 0;
    }
    if (strcmp(h, "reddit.com") == 0) {
        if (p->nseg >= 2 && (seg_is(p, 0, "r") || seg_is(p, 0, "u") || seg_is(p, 0, "user"))) {
            lower(p->seg[1]);
            size_t n = strlen(p->seg[1]) + 3;
            *account = malloc(n);
            if (*account) snprintf(*account, n, "%s/%s", seg_is(p, 0, "r") ? "r" : "u", p->seg[1]);
        }
        drop_params(p);
        return 0;
    }
    if (strcmp(h, "redd.it") == 0 && p->nseg == 1) {
        char *id = strdup(p->seg[0]);
        if (!id) return -1;
        snprintf(p->host, sizeof p->host, "%s", "reddit.com");
        drop_params(p); /* as for reddit.com */
        int rc = set_segs(p, 2, (const char *const[]){"comments", id});
        free(id);
        return rc;
    }
    if (strcmp(h, "player.vimeo.com") == 0 && seg_is(p, 0, "video") && p->nseg >= 2) {
        char *id = strdup(p->seg[1]);
        if (!id) return -1;
        snprintf(p->host, sizeof p->host, "%s", "vimeo.com");
        drop_params(p);
        int rc = set_segs(p, 1, (const char *const[]){id});
        free(id);
        return rc;
    }
    if (strcmp(h, "dai.ly") == 0 && p->nseg == 1) {
        char *id = strdup(p->seg[0]);
        if (!id) return -1;
        snprintf(p->host, sizeof p->host, "%s", "dailymotion.com");
        int rc = set_segs(p, 2, (const char *const[]){"video", id});
        free(id);
        return rc;
    }
    return 0;
}

/* ---- the canonicaliser ------------------------------------------------------ */

void vigil_url_clear(vigil_url *u) {
    if (!u) return;
    free(u->canonical);
    free(u->host);
    free(u->account);
    memset(u, 0, sizeof *u);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* One pass of canonicalisation (see vigil_url_canonicalize). */
static vigil_status canon_once(const char *input, vigil_url *out, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    CURLU *cu = NULL;
    char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *full = NULL;
    parts p;
    sbuf b = {NULL, 0, 0, 0};
    memset(&p, 0, sizeof p);
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_url_canonicalize: NULL out");
    memset(out, 0, sizeof *out);
    if (!input) return vigil__err_set(err, VIGIL_EINVAL, "vigil_url_canonicalize: NULL input");
    while (isspace((unsigned char)*input)) input++;
    size_t len = strlen(input);
    while (len && isspace((unsigned char)input[len - 1])) len--;
    if (len == 0) return vigil__err_set(err, VIGIL_EPARSE, "empty URL");
    if (len > URL_MAX) return vigil__err_set(err, VIGIL_EPARSE, "URL longer than %d bytes", URL_MAX);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)input[i] < 0x20 || input[i] == 0x7f)
            return vigil__err_set(err, VIGIL_EPARSE, "control character in URL at position %zu", i + 1);

    /* no scheme: https */
    const char *sep = strstr(input, "://");
    const char *colon = memchr(input, ':', len);
    sbuf in = {NULL, 0, 0, 0};
    if (!sep || (size_t)(sep - input) > len) {
        if (colon && colon < input + len && !strchr(colon, '/') && !isdigit((unsigned char)colon[1])) {
            /* "mailto:x", "javascript:..." */
            size_t n = (size_t)(colon - input);
            return vigil__err_set(err, VIGIL_EPARSE, "unsupported scheme '%.*s' (only http and https)",
                                  (int)(n > 32 ? 32 : n), input);
        }
        sb_puts(&in, strncmp(input, "//", 2) == 0 ? "https:" : "https://");
    }
    sb_putn(&in, input, len);
    if (in.oom) {
        free(in.p);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }

    cu = curl_url();
    if (!cu) {
        free(in.p);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    CURLUcode uc = curl_url_set(cu, CURLUPART_URL, in.p, CURLU_NON_SUPPORT_SCHEME | CURLU_ALLOW_SPACE);
    free(in.p);
    if (uc != CURLUE_OK) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "not a valid URL: %s", curl_url_strerror(uc));
        goto out;
    }
    if (curl_url_get(cu, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "not a valid URL: no scheme");
        goto out;
    }
    lower(scheme);
    if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "unsupported scheme '%.32s' (only http and https)", scheme);
        goto out;
    }
    /* the host as given (libcurl 7.88's CURLU_PUNYCODE leaks: libidn2 directly) */
    if (curl_url_get(cu, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "URL has no host");
        goto out;
    }
    if (strlen(host) == 0 || strlen(host) >= sizeof p.host - 1) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "URL host is empty or too long");
        goto out;
    }
    int ascii = 1;
    for (const char *c = host; *c; c++) ascii &= (unsigned char)*c < 0x80;
    if (ascii) {
        snprintf(p.host, sizeof p.host, "%s", host);
    } else {
        char *puny = NULL;
        int irc = idn2_to_ascii_8z(host, &puny, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
        if (irc != IDN2_OK || !puny || strlen(puny) >= sizeof p.host - 1) {
            if (puny) idn2_free(puny);
            rc = vigil__err_set(err, VIGIL_EPARSE, "invalid international domain name: %s",
                                irc != IDN2_OK ? idn2_strerror(irc) : "too long");
            goto out;
        }
        snprintf(p.host, sizeof p.host, "%s", puny);
        idn2_free(puny);
    }
    lower(p.host);
    size_t hl = strlen(p.host);
    while (hl > 1 && p.host[hl - 1] == '.') p.host[--hl] = '\0';
    /* a numeric host must be a plain dotted quad (curl reads "0.0.0" or
     * "010.1.1.1" as other addresses, so such forms are not stable) */
    if (strspn(p.host, "0123456789.") == hl) {
        int labels = 0, okq = 1;
        for (const char *c = p.host; *c && okq;) {
            size_t d = strspn(c, "0123456789");
            okq = d >= 1 && d <= 3 && !(d > 1 && c[0] == '0') && atoi(c) <= 255;
            labels++;
            c += d;
            if (*c == '.') c++;
        }
        if (!okq || labels != 4 || p.host[hl - 1] == '.') {
            rc = vigil__err_set(err, VIGIL_EPARSE, "host '%.64s' is not a valid IPv4 address", p.host);
            goto out;
        }
    }
    /* a host name (or a bracketed IPv6 address) and nothing else: libcurl
     * decodes percent-escapes in hosts, which could smuggle in anything */
    const char *allowed = p.host[0] == '[' ? "[]0123456789abcdef:." : "abcdefghijklmnopqrstuvwxyz0123456789.-_";
    if (strspn(p.host, allowed) != hl) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "invalid character in the host name");
        goto out;
    }
    if (!strchr(p.host, '.') && p.host[0] != '[' && strcmp(p.host, "localhost") != 0) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "host '%.64s' is not a domain name", p.host);
        goto out;
    }
    for (int again = 1; again;) {
        again = 0;
        static const char *const prefixes[] = {"www.", "m.", "mobile.", NULL};
        for (const char *const *pre = prefixes; *pre; pre++) {
            size_t n = strlen(*pre);
            /* only in front of a domain name: what remains must have a dot and
             * a top-level label that is not all digits (m.9.9 stays: 9.9
             * would read as an IPv4 address) */
            const char *tld = strrchr(p.host, '.');
            int named = tld && tld[1] && strspn(tld + 1, "0123456789") != strlen(tld + 1);
            if (named && strncmp(p.host, *pre, n) == 0 && strchr(p.host + n, '.')) {
                memmove(p.host, p.host + n, strlen(p.host + n) + 1);
                again = 1;
            }
        }
    }
    alias_host(p.host);
    if (curl_url_get(cu, CURLUPART_PORT, &port, CURLU_NO_DEFAULT_PORT) != CURLUE_OK) port = NULL;
    if (port && (strcmp(port, "443") == 0 || strcmp(port, "80") == 0)) {
        curl_free(port);
        port = NULL;
    }
    /* path segments (raw, percent-encoding as given; normalised when written) */
    if (curl_url_get(cu, CURLUPART_PATH, &path, 0) == CURLUE_OK && path) {
        for (char *s = path; *s;) {
            while (*s == '/') s++;
            if (!*s) break;
            char *e = strchr(s, '/');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (p.nseg == (int)(sizeof p.seg / sizeof p.seg[0])) {
                rc = vigil__err_set(err, VIGIL_EPARSE, "URL path has more than 32 segments");
                goto out;
            }
            /* normalised now, so that platform rules and accounts see the
             * same text whatever encoding the input used */
            char *seg = norm_component(s, n, 0);
            if (!seg) goto nomem;
            /* "%2e" and "%2e%2e" decode to dot segments: resolve them too */
            if (strcmp(seg, ".") == 0 || strcmp(seg, "..") == 0) {
                if (seg[1] == '.' && p.nseg > 0) free(p.seg[--p.nseg]);
                free(seg);
                s += n;
                continue;
            }
            p.seg[p.nseg++] = seg; /* owned by p.seg[], freed at out */
            s += n;                /* NOLINT(clang-analyzer-unix.Malloc): see above */
        }
    }
    if (curl_url_get(cu, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query) {
        for (char *s = query; *s;) {
            char *e = strchr(s, '&');
            size_t n = e ? (size_t)(e - s) : strlen(s);
            if (n) {
                /* normalised first, so that an escaped name (utm%5Fsource)
                 * is recognised as well */
                char *prm = norm_component(s, n, 1);
                if (!prm) goto nomem;
                const char *eq = strchr(prm, '=');
                size_t nn = eq ? (size_t)(eq - prm) : strlen(prm);
                if (is_tracking(prm, nn, p.host)) {
                    free(prm);
                } else if (p.nparams == (int)(sizeof p.params / sizeof p.params[0])) {
                    free(prm);
                    rc = vigil__err_set(err, VIGIL_EPARSE, "URL has more than 64 query parameters");
                    goto out;
                } else {
                    p.params[p.nparams++] = prm; /* owned by p.params[], freed at out */
                }
            }
            s += n;
            if (*s == '&') s++;
        }
    }
    if (platform_rules(&p, &out->account) != 0) goto nomem;

    /* assemble */
    sb_puts(&b, "https://");
    sb_puts(&b, p.host);
    if (port) {
        sb_putc(&b, ':');
        sb_puts(&b, port);
    }
    if (p.nseg == 0) sb_putc(&b, '/');
    for (int i = 0; i < p.nseg; i++) {
        sb_putc(&b, '/');
        put_component(&b, p.seg[i], strlen(p.seg[i]), 0);
    }
    if (p.nparams) {
        /* parameters were normalised when parsed (and as_param keeps them
         * so): only the order remains */
        qsort(p.params, (size_t)p.nparams, sizeof p.params[0], cmp_str);
        for (int i = 0; i < p.nparams; i++) {
            sb_putc(&b, i ? '&' : '?');
            sb_puts(&b, p.params[i]);
        }
    }
    if (b.oom) goto nomem;
    out->canonical = b.p;
    b.p = NULL;
    out->host = strdup(p.host);
    if (!out->host) goto nomem;
    out->platform = vigil_platform_for_host(p.host);
    goto out;
nomem:
    rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
out:
    for (int i = 0; i < p.nseg; i++) free(p.seg[i]);
    for (int i = 0; i < p.nparams; i++) free(p.params[i]);
    free(b.p);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_free(path);
    curl_free(query);
    curl_free(full);
    curl_url_cleanup(cu);
    if (rc != VIGIL_OK) vigil_url_clear(out);
    return rc;
}

/* The canonical form must be a fixed point: canonicalising it again gives
 * it back.  A few inputs only get there in a second pass (libcurl reads
 * some hosts differently once a trailing dot or a www. is gone, e.g.
 * "0x0.0." -> "0x0.0" -> "0.0.0.0"), so passes repeat until stable.  The
 * account comes from the first pass that names one: a canonical form may
 * drop it (x.com/i/status/ID). */
vigil_status vigil_url_canonicalize(const char *input, vigil_url *out, vigil_err *err) {
    vigil_status rc = canon_once(input, out, err);
    for (int pass = 0; rc == VIGIL_OK; pass++) {
        vigil_url next;
        rc = canon_once(out->canonical, &next, err);
        if (rc != VIGIL_OK) break;
        int stable = strcmp(next.canonical, out->canonical) == 0;
        if (!out->account && next.account) {
            out->account = next.account;
            next.account = NULL;
        }
        if (!stable) {
            free(out->canonical);
            free(out->host);
            out->canonical = next.canonical;
            out->host = next.host;
            out->platform = next.platform;
            next.canonical = next.host = NULL;
        }
        vigil_url_clear(&next);
        if (stable) return VIGIL_OK;
        if (pass == 3) {
            rc = vigil__err_set(err, VIGIL_EPARSE, "URL has no stable canonical form");
            break;
        }
    }
    vigil_url_clear(out);
    return rc;
}
