/*
 * src/store/hash_text.c - the one parser of a hash given as text:
 * "pdq:HEX", "md5:HEX", "sha256:HEX" or a bare 64-hex PDQ hash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "vigil/bank.h"

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
