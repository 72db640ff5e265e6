/*
 * src/signal/signal.c - signal types and their values, below the store: the
 * names, the checks and canonical forms of a value of each type (hex
 * hashes here; text, video and TMK values by their own layers' parsers),
 * and the one parser of a hash given as "TYPE:HEX".  The store calls these;
 * it includes nothing of text/ or video/ itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/err.h"
#include "common/utf8.h"
#include "vigil/hash.h"
#include "signal/signal_internal.h"
#include "text/text_internal.h"
#include "video/video_internal.h"
#include "vigil/video.h"

static const char *const signal_names[VIGIL_SIGNAL_COUNT] = {"pdq", "md5", "sha256", "video",
                                                             "text", "tmk"};

const char *vigil_signal_name(vigil_signal sig) {
    return (unsigned)sig < VIGIL_SIGNAL_COUNT ? signal_names[sig] : "unknown";
}

static int blank(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

vigil_status vigil_signal_parse(const char *name, vigil_signal *out, vigil_err *err) {
    if (!name || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_signal_parse: NULL argument");
    while (blank(*name))
        name++;
    size_t n = strlen(name);
    while (n && blank(name[n - 1]))
        n--;
    for (int i = 0; i < VIGIL_SIGNAL_COUNT; i++) {
        if (strlen(signal_names[i]) == n && strncasecmp(name, signal_names[i], n) == 0) {
            *out = (vigil_signal)i;
            return VIGIL_OK;
        }
    }
    /* python-threatexchange's and HMA's name of the video signal type: their
     * files (a dataset CSV, an exchange) import as they are */
    if (n == 4 && strncasecmp(name, "vpdq", 4) == 0) {
        *out = VIGIL_SIGNAL_VIDEO;
        return VIGIL_OK;
    }
    if (n == 0)
        return vigil__err_set(err, VIGIL_EPARSE,
                              "empty signal type (expected pdq, md5, sha256, video or text)");
    return vigil__err_set(err, VIGIL_EPARSE,
                          "unknown signal type '%.*s' (expected pdq, md5, sha256, video or text)",
                          (int)(n > 40 ? 40 : n), name);
}

static const char *hex_type_name(vigil_signal sig) {
    return sig == VIGIL_SIGNAL_PDQ ? "PDQ" : sig == VIGIL_SIGNAL_MD5 ? "MD5" : "SHA-256";
}

vigil_status vigil__value_canon(vigil_signal sig, const char *value, char hexbuf[65],
                                const char **canon, vigil_err *err) {
    if (!value) return vigil__err_set(err, VIGIL_EINVAL, "no value given");
    if (sig == VIGIL_SIGNAL_PDQ || sig == VIGIL_SIGNAL_MD5 || sig == VIGIL_SIGNAL_SHA256) {
        size_t want = sig == VIGIL_SIGNAL_MD5 ? 32 : 64;
        while (blank(*value))
            value++;
        size_t n = strlen(value);
        while (n && blank(value[n - 1]))
            n--;
        if (n != want)
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "bad %s hash: expected %zu hex digits, got %zu",
                                  hex_type_name(sig), want, n);
        for (size_t i = 0; i < n; i++) {
            char c = value[i];
            if (c >= 'A' && c <= 'F') c = (char)(c - 'A' + 'a');
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                unsigned char u = (unsigned char)value[i];
                if (u >= 0x21 && u < 0x7f)
                    return vigil__err_set(err, VIGIL_EPARSE,
                                          "bad %s hash: '%c' at position %zu is not a hex digit",
                                          hex_type_name(sig), u, i + 1);
                return vigil__err_set(err, VIGIL_EPARSE,
                                      "bad %s hash: byte 0x%02x at position %zu is not a hex digit",
                                      hex_type_name(sig), u, i + 1);
            }
            hexbuf[i] = c;
        }
        hexbuf[n] = '\0';
        *canon = hexbuf;
        return VIGIL_OK;
    }
    if (sig == VIGIL_SIGNAL_TMK) /* "tmk:" + base64 of a .tmk file (vigil/video.h) */
        return vigil__tmk_value_canon(value, canon, err);
    if (sig != VIGIL_SIGNAL_VIDEO && sig != VIGIL_SIGNAL_TEXT)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown signal type %d", (int)sig);
    size_t n = strlen(value), lead = 0;
    while (lead < n && blank(value[lead]))
        lead++;
    if (lead == n)
        return vigil__err_set(err, VIGIL_EPARSE, "empty %s value", vigil_signal_name(sig));
    if (n > VIGIL_VALUE_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "%s value is %zu bytes, over the limit of %d",
                              vigil_signal_name(sig), n, VIGIL_VALUE_MAX);
    size_t bad = vigil__utf8_check(value, n);
    if (bad)
        return vigil__err_set(err, VIGIL_EPARSE, "%s value is not valid UTF-8 (byte %zu)",
                              vigil_signal_name(sig), bad);
    if (sig == VIGIL_SIGNAL_TEXT) /* "mh1:..." (vigil/text.h) */
        return vigil__text_value_canon(value, canon, err);
    if (sig == VIGIL_SIGNAL_VIDEO) /* vpdq1, vpdqr1, reference file, pytx signal (vigil/video.h) */
        return vigil__video_value_canon(value, canon, err);
    *canon = value;
    return VIGIL_OK;
}

vigil_status vigil_signal_canonical(vigil_signal sig, const char *value, char **out,
                                    vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_signal_canonical: NULL argument");
    *out = NULL;
    char hex[65];
    const char *canon = NULL;
    vigil_status rc = vigil__value_canon(sig, value, hex, &canon, err);
    if (rc != VIGIL_OK) return rc;
    if (!canon) return vigil__err_set(err, VIGIL_EINVAL, "vigil_signal_canonical: no value");
    *out = strdup(canon);
    return *out ? VIGIL_OK : vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
}

vigil_status vigil_hash_text_parse(const char *text, vigil_signal *sig, char hex[65],
                                   vigil_err *err) {
    if (!text || !sig || !hex) return vigil__err_set(err, VIGIL_EINVAL, "vigil_hash_text_parse: NULL argument");
    const char *colon = strchr(text, ':');
    const char *v = text;
    *sig = VIGIL_SIGNAL_PDQ;
    if (colon) {
        char name[16];
        size_t n = (size_t)(colon - text);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, text, n);
        name[n] = '\0';
        vigil_status rc = vigil_signal_parse(name, sig, err);
        if (rc != VIGIL_OK) return rc;
        if (*sig != VIGIL_SIGNAL_PDQ && *sig != VIGIL_SIGNAL_MD5 && *sig != VIGIL_SIGNAL_SHA256)
            return vigil__err_set(err, VIGIL_EPARSE, "hashes are pdq, md5 or sha256 (got '%s')",
                                  name);
        v = colon + 1;
    }
    char *canon = NULL;
    vigil_status rc = vigil_signal_canonical(*sig, v, &canon, err);
    if (rc != VIGIL_OK) return rc;
    snprintf(hex, 65, "%s", canon);
    free(canon);
    return VIGIL_OK;
}

/* ---- values kept as bytes (tmk) ------------------------------------------ */

#define KEY_PREFIX "tmk:sha256:"

size_t vigil__value_head_bytes(vigil_signal sig) {
    return sig == VIGIL_SIGNAL_TMK ? VIGIL_TMK_HEAD_BYTES : 0;
}

int vigil__value_is_key(vigil_signal sig, const char *value) {
    return sig == VIGIL_SIGNAL_TMK && value && strlen(value) == VIGIL__VALUE_KEY_LEN - 1 &&
           strncmp(value, KEY_PREFIX, sizeof KEY_PREFIX - 1) == 0;
}

vigil_status vigil__value_to_bytes(vigil_signal sig, const char *value, uint8_t **bin, size_t *len,
                                   char key[VIGIL__VALUE_KEY_LEN], vigil_err *err) {
    if (!value || !bin || !len) return vigil__err_set(err, VIGIL_EINVAL, "vigil__value_to_bytes: NULL argument");
    *bin = NULL;
    *len = 0;
    if (sig != VIGIL_SIGNAL_TMK)
        return vigil__err_set(err, VIGIL_EINVAL, "%s values are kept as text", vigil_signal_name(sig));
    uint8_t *b = NULL;
    size_t n = 0;
    vigil_status rc = vigil__tmk_value_bytes(value, &b, &n, err);
    vigil_tmk *t = NULL;
    if (rc == VIGIL_OK) rc = vigil_tmk_read(b, n, &t, err);
    vigil_tmk_free(t);
    uint8_t sha[32];
    if (rc == VIGIL_OK && key) rc = vigil_digest(b, n, NULL, sha, err);
    if (rc != VIGIL_OK) {
        free(b);
        return rc;
    }
    if (key) {
        memcpy(key, KEY_PREFIX, sizeof KEY_PREFIX - 1);
        vigil_hex_encode(sha, sizeof sha, key + sizeof KEY_PREFIX - 1);
    }
    *bin = b;
    *len = n;
    return VIGIL_OK;
}

vigil_status vigil__value_from_bytes(vigil_signal sig, const void *head, size_t nh, const void *body,
                                     size_t nb, char **out, vigil_err *err) {
    if (!out || (nh && !head) || (nb && !body))
        return vigil__err_set(err, VIGIL_EINVAL, "vigil__value_from_bytes: NULL argument");
    *out = NULL;
    if (sig != VIGIL_SIGNAL_TMK)
        return vigil__err_set(err, VIGIL_EINVAL, "%s values are kept as text", vigil_signal_name(sig));
    if (nh > VIGIL_TMK_FILE_BYTES || nb > VIGIL_TMK_FILE_BYTES - nh)
        return vigil__err_set(err, VIGIL_ECORRUPT, "a stored TMK signature of %zu bytes, not %d", nh + nb,
                              VIGIL_TMK_FILE_BYTES);
    uint8_t *b = malloc(nh + nb + 1);
    if (!b) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    if (nh) memcpy(b, head, nh);
    if (nb) memcpy(b + nh, body, nb);
    vigil_status rc = vigil_tmk_value_from_file(b, nh + nb, out, err);
    free(b);
    return rc;
}
