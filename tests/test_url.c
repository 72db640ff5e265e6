/*
 * tests/test_url.c - URL canonicalisation: generic normalisation, each
 * platform's alternate forms, accounts, errors; the platform registry.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "vigil/url.h"

typedef struct url_case {
    const char *in, *canonical, *platform, *account;
} url_case;

static const url_case cases[] = {
    /* generic */
    {"HTTP://WWW.Example.COM:80/a/../b/%7euser/?utm_source=x&b=2&a=1#frag", "https://example.com/b/~user?a=1&b=2", NULL, NULL},
    {"example.org/path/", "https://example.org/path", NULL, NULL},
    {"https://example.org", "https://example.org/", NULL, NULL},
    {"https://example.org:8443/x", "https://example.org:8443/x", NULL, NULL},
    {"https://user:secret@example.org/x", "https://example.org/x", NULL, NULL},
    {"https://example.org/a%2fb/%e2%82%ac?q=%7e%41", "https://example.org/a%2Fb/%E2%82%AC?q=~A", NULL, NULL},
    {"https://example.org/a b", "https://example.org/a%20b", NULL, NULL},
    {"https://example.org./x?fbclid=1&gclid=2&igshid=3&feature=share&ref=tw", "https://example.org/x", NULL, NULL},
    {"https://m.example.org/x", "https://example.org/x", NULL, NULL},
    {"https://mobile.example.org/x", "https://example.org/x", NULL, NULL},
    {"//example.org/x", "https://example.org/x", NULL, NULL},
    /* YouTube */
    {"https://youtu.be/dQw4w9WgXcQ?si=abc", "https://youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", NULL},
    {"https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL1&t=42", "https://youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", NULL},
    {"https://youtube.com/shorts/dQw4w9WgXcQ", "https://youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", NULL},
    {"https://m.youtube.com/embed/dQw4w9WgXcQ", "https://youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", NULL},
    {"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "https://youtube.com/watch?v=dQw4w9WgXcQ", "YouTube", NULL},
    {"https://www.youtube.com/@ExampleChannel/videos", "https://youtube.com/@examplechannel/videos", "YouTube", "@examplechannel"},
    /* X / Twitter */
    {"https://twitter.com/ExampleUser/status/1234567890?s=20&t=abc", "https://x.com/i/status/1234567890", "X", "exampleuser"},
    {"https://mobile.twitter.com/ExampleUser/status/1234567890/photo/1", "https://x.com/i/status/1234567890", "X", "exampleuser"},
    {"https://x.com/i/web/status/1234567890", "https://x.com/i/status/1234567890", "X", NULL},
    {"https://x.com/ExampleUser", "https://x.com/exampleuser", "X", "exampleuser"},
    /* Telegram */
    {"https://t.me/s/examplechannel/123", "https://t.me/examplechannel/123", "Telegram", "examplechannel"},
    {"https://t.me/ExampleChannel/123?single", "https://t.me/examplechannel/123", "Telegram", "examplechannel"},
    {"https://telegram.me/examplechannel/123", "https://t.me/examplechannel/123", "Telegram", "examplechannel"},
    {"https://t.me/c/1234567/89", "https://t.me/c/1234567/89", "Telegram", "c/1234567"},
    {"https://t.me/+AbCdEf", "https://t.me/+AbCdEf", "Telegram", NULL},
    /* Facebook, Instagram, TikTok, Reddit, Vimeo, Dailymotion */
    {"https://fb.com/examplepage/posts/123", "https://facebook.com/examplepage/posts/123", "Facebook", "examplepage"},
    {"https://web.facebook.com/examplepage", "https://facebook.com/examplepage", "Facebook", "examplepage"},
    {"https://m.facebook.com/profile.php?id=100&fbclid=zz", "https://facebook.com/profile.php?id=100", "Facebook", "100"},
    {"https://www.instagram.com/p/AbC123/?igsh=xyz", "https://instagram.com/p/AbC123", "Instagram", NULL},
    {"https://instagr.am/ExampleUser/", "https://instagram.com/exampleuser", "Instagram", "exampleuser"},
    {"https://www.tiktok.com/@ExampleUser/video/7000000000000000000?lang=en", "https://tiktok.com/@exampleuser/video/7000000000000000000", "TikTok", "@exampleuser"},
    {"https://old.reddit.com/r/Example/comments/abc/title/?utm_name=x", "https://reddit.com/r/example/comments/abc/title", "Reddit", "r/example"},
    {"https://redd.it/abc123", "https://reddit.com/comments/abc123", "Reddit", NULL},
    {"https://player.vimeo.com/video/123456?h=1", "https://vimeo.com/123456", "Vimeo", NULL},
    {"https://dai.ly/x8abc", "https://dailymotion.com/video/x8abc", "Dailymotion", NULL},
    /* registry: subdomains, longest domain, unknown hosts */
    {"https://drive.google.com/file/d/ABC/view", "https://drive.google.com/file/d/ABC/view", "Google Drive", NULL},
    {"https://example.blogspot.com/2024/01/post.html", "https://example.blogspot.com/2024/01/post.html", "Blogger", NULL},
    {"https://archive.is/AbCdE", "https://archive.ph/AbCdE", "archive.today", NULL},
    {"https://notyoutube.com/watch?v=x", "https://notyoutube.com/watch?v=x", NULL, NULL},
};

static void t_canonical_forms(void) {
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vigil_url u;
        vigil_err err;
        vigil_err_clear(&err);
        if (vigil_url_canonicalize(cases[i].in, &u, &err) != VIGIL_OK) {
            printf("    %s: %s\n", cases[i].in, err.msg);
            bad++;
            continue;
        }
        const char *plat = u.platform ? u.platform->name : NULL;
        int same_plat = (!plat && !cases[i].platform) || (plat && cases[i].platform && !strcmp(plat, cases[i].platform));
        int same_acc = (!u.account && !cases[i].account) || (u.account && cases[i].account && !strcmp(u.account, cases[i].account));
        if (strcmp(u.canonical, cases[i].canonical) || !same_plat || !same_acc) {
            printf("    %s\n      got  %s [%s] account %s\n      want %s [%s] account %s\n", cases[i].in, u.canonical,
                   plat ? plat : "-", u.account ? u.account : "-", cases[i].canonical,
                   cases[i].platform ? cases[i].platform : "-", cases[i].account ? cases[i].account : "-");
            bad++;
        }
        /* canonical forms are fixed points */
        vigil_url v;
        if (vigil_url_canonicalize(u.canonical, &v, &err) != VIGIL_OK || strcmp(u.canonical, v.canonical)) {
            printf("    not a fixed point: %s\n", u.canonical);
            bad++;
        }
        vigil_url_clear(&v);
        vigil_url_clear(&u);
    }
    CHECK_INT(bad, ==, 0);
}

static void t_errors(void) {
    static const char *const badin[] = {"", "   ", "mailto:someone@example.com", "ftp://example.org/x",
                                        "javascript:alert(1)", "https://", "https://localhostx/x",
                                        "https://exa mple.org/", "https://example.org/\x01", NULL};
    int bad = 0;
    for (const char *const *s = badin; *s; s++) {
        vigil_url u;
        vigil_err err;
        vigil_err_clear(&err);
        vigil_status rc = vigil_url_canonicalize(*s, &u, &err);
        if (rc != VIGIL_EPARSE || !err.msg[0] || u.canonical) {
            printf("    '%s': %s %s\n", *s, vigil_status_name(rc), err.msg);
            bad++;
        }
        vigil_url_clear(&u);
    }
    char *huge = malloc(9000);
    CHECK(huge);
    memset(huge, 'a', 8999);
    huge[8999] = '\0';
    vigil_url u;
    vigil_status rc = vigil_url_canonicalize(huge, &u, NULL);
    free(huge);
    CHECK_INT(rc, ==, VIGIL_EPARSE);
    CHECK_INT(vigil_url_canonicalize(NULL, &u, NULL), ==, VIGIL_EINVAL);
    vigil_url_clear(NULL);
    CHECK_INT(bad, ==, 0);
}

static void t_registry(void) {
    size_t n = 0;
    const vigil_platform_def *r = vigil_platform_registry(&n);
    CHECK(r != NULL);
    CHECK_INT(n, >=, 60);
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        if (!r[i].name || !r[i].kind || !r[i].domains || !r[i].domains[0]) bad++;
        /* every domain maps back to its own platform */
        for (const char *const *d = r[i].domains; d && *d; d++)
            if (vigil_platform_for_host(*d) != &r[i]) {
                printf("    %s does not map to %s\n", *d, r[i].name);
                bad++;
            }
    }
    CHECK_INT(bad, ==, 0);
    CHECK(vigil_platform_for_host("evil-t.me") == NULL); /* label boundary */
    CHECK(vigil_platform_for_host("cdn.t.me") != NULL);
    CHECK(vigil_platform_for_host(NULL) == NULL);
}

/* Replays fuzz/regress-url/: each input fails with a message or gives a
 * canonical form that is a fixed point. */
static void t_fuzz_regressions(void) {
    DIR *d = opendir("fuzz/regress-url");
    if (!d) SKIP("fuzz/regress-url not found (run from the repository root)");
    struct dirent *e;
    int n = 0, bad = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1024], buf[4097];
        snprintf(path, sizeof path, "fuzz/regress-url/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t len = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[len] = '\0';
        vigil_url u, v;
        vigil_err err;
        vigil_err_clear(&err);
        if (vigil_url_canonicalize(buf, &u, &err) != VIGIL_OK) {
            bad += err.msg[0] == '\0';
        } else {
            bad += vigil_url_canonicalize(u.canonical, &v, &err) != VIGIL_OK || strcmp(u.canonical, v.canonical) != 0;
            vigil_url_clear(&v);
        }
        vigil_url_clear(&u);
        n++;
    }
    closedir(d);
    CHECK_INT(bad, ==, 0);
    CHECK_INT(n, >=, 10);
}

const test_case suite_url[] = {
    {"url/fuzz_regressions", t_fuzz_regressions},
    {"url/canonical_forms", t_canonical_forms},
    {"url/errors", t_errors},
    {"url/registry", t_registry},
    {NULL, NULL},
};
