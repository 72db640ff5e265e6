/*
 * vigil/url.h - URL canonicalisation for item intake (the same resource
 * reached by different URLs is one item) and the registry of known
 * platforms with their domains.
 */
#ifndef VIGIL_URL_H
#define VIGIL_URL_H

#include <stddef.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A known platform.  Static data: never freed. */
typedef struct vigil_platform_def {
    const char *name;            /* "Telegram"                                    */
    const char *kind;            /* social, video, audio, messenger, file_sharing,
                                    paste, archive, forum, blogging, image         */
    const char *const *domains;  /* NULL-terminated; the first is the canonical one */
    int requires_id;             /* sign-up needs a phone number or other identity */
} vigil_platform_def;

/*! vigil_platform_registry() : the built-in registry; *n receives its size. */
VIGIL_API const vigil_platform_def *vigil_platform_registry(size_t *n);

/*! vigil_platform_for_host() :
 *  The platform whose domain is `host` or a parent of it (the longest such
 *  domain wins: drive.google.com is Google Drive), or NULL.  `host` must be
 *  lowercase, as vigil_url_canonicalize returns it. */
VIGIL_API const vigil_platform_def *vigil_platform_for_host(const char *host);

/* A canonicalised URL.  Strings are owned by the struct. */
typedef struct vigil_url {
    char *canonical;                   /* https://host[:port]/path[?query]      */
    char *host;                        /* lowercase, without www./m./mobile.   */
    const vigil_platform_def *platform;/* NULL: not in the registry (a new one) */
    char *account;                     /* the account/channel the URL belongs
                                          to where the platform's URL form says
                                          it (t.me/CHANNEL/..., x.com/HANDLE,
                                          youtube.com/@HANDLE, ...), lowercase
                                          where the platform ignores case; or
                                          NULL                                  */
} vigil_url;

/*! vigil_url_canonicalize() :
 *  Parses `input` with libcurl's URL API and returns its canonical form:
 *  - the scheme is https (http and https name the same resource; a missing
 *    scheme is taken as https); only http and https are accepted;
 *  - the host is lowercased and IDN-encoded (punycode), a trailing dot and
 *    the prefixes www., m. and mobile. are removed; default ports, user
 *    names and passwords are dropped;
 *  - the path has its dot segments resolved, percent-encoding normalised
 *    (unreserved characters decoded, other escapes in upper case) and a
 *    trailing slash removed;
 *  - tracking parameters (utm_*, fbclid, gclid, igshid, si, feature, ref,
 *    ...; see docs/cli.md) are removed and the others sorted; the fragment
 *    is removed;
 *  - each major platform's alternate forms are mapped onto one (youtu.be/ID,
 *    youtube.com/shorts/ID -> youtube.com/watch?v=ID; twitter.com -> x.com;
 *    t.me/s/chan/N -> t.me/chan/N; fb.com -> facebook.com; ...).
 *  @return VIGIL_OK with *out filled (vigil_url_clear it), or VIGIL_EPARSE
 *  naming the fault (empty, not a URL, unsupported scheme, no host), or
 *  VIGIL_ENOMEM.  *out is zeroed on error. */
VIGIL_API vigil_status vigil_url_canonicalize(const char *input, vigil_url *out, vigil_err *err);

/*! vigil_url_clear() : frees the strings and zeroes *u.  NULL ok. */
VIGIL_API void vigil_url_clear(vigil_url *u);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_URL_H */
