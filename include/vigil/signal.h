/*
 * vigil/signal.h - signal types (pdq, md5, sha256, video, text, tmk) and
 * their values: names, checks and canonical forms, and the parser of a hash
 * given as "TYPE:HEX".  Below the store: banks hold values of these types.
 */
#ifndef VIGIL_SIGNAL_H
#define VIGIL_SIGNAL_H

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Signal types
 * ---------------------------------------------------------------------- */

typedef enum vigil_signal {
    VIGIL_SIGNAL_PDQ = 0, /* 64 hex digits */
    VIGIL_SIGNAL_MD5,     /* 32 hex digits */
    VIGIL_SIGNAL_SHA256,  /* 64 hex digits */
    VIGIL_SIGNAL_VIDEO,   /* "vpdq1:" + base64 frame hashes (vigil/video.h) */
    VIGIL_SIGNAL_TEXT,    /* "mh1:" + base64url MinHash signature (vigil/text.h) */
    VIGIL_SIGNAL_TMK,     /* "tmk:" + base64 of a TMK+PDQF .tmk file (vigil/video.h) */
    VIGIL_SIGNAL_COUNT
} vigil_signal;

#define VIGIL_VALUE_MAX (1024 * 1024) /* bytes of a video/text value */

/*! vigil_signal_name() : "pdq", "md5", "sha256", "video", "text"; static,
 *  never NULL ("unknown" outside the enum). */
VIGIL_API const char *vigil_signal_name(vigil_signal sig);

/*! vigil_signal_parse() :
 *  Parses a signal type name, case-insensitively ("PDQ" is pdq); "vpdq"
 *  (python-threatexchange's and HMA's name) is video.
 *  @return VIGIL_OK with *out set, or VIGIL_EPARSE: "unknown signal type
 *  'x' (expected pdq, md5, sha256, video or text)". */
VIGIL_API vigil_status vigil_signal_parse(const char *name, vigil_signal *out, vigil_err *err);

/*! vigil_signal_canonical() :
 *  Validates a value of type `sig` and returns its canonical form in *out
 *  (malloc'd, the caller frees it).  pdq/md5/sha256: hex of the exact
 *  length, either case, surrounding blanks ignored; canonical form is
 *  lowercase.  video/text: kept as given; must be non-empty valid UTF-8
 *  without NUL, at most VIGIL_VALUE_MAX bytes; a video value must also
 *  parse as "vpdq1:..." (vigil_video_value_check).
 *  A text value must be a MinHash signature "mh1:..." (vigil/text.h);
 *  leading blanks are skipped.
 *  @return VIGIL_OK, VIGIL_EPARSE naming the fault ("bad PDQ hash: expected
 *  64 hex digits, got 3"), VIGIL_ELIMIT, VIGIL_ENOMEM.  *out is NULL on
 *  error. */
VIGIL_API vigil_status vigil_signal_canonical(vigil_signal sig, const char *value, char **out,
                                    vigil_err *err);

/*! vigil_hash_text_parse() :
 *  The one parser of a hash given as text, "TYPE:HEX" or a bare 64-hex PDQ
 *  hash (the CLI's `match --hash`, item hashes, holds, the API's `hashes`):
 *  TYPE is pdq, md5 or sha256; the hex is checked as vigil_signal_canonical
 *  does and written lowercase into `hex`.  @return VIGIL_OK with *sig;
 *  VIGIL_EPARSE naming the fault (an unknown type, another signal type,
 *  bad hex). */
VIGIL_API vigil_status vigil_hash_text_parse(const char *text, vigil_signal *sig, char hex[65],
                                             vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_SIGNAL_H */
