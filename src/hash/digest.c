/*
 * src/hash/digest.c - MD5 and SHA-256 of byte strings through OpenSSL's EVP
 * interface (exact-match signals shared alongside PDQ).
 */
#include <openssl/evp.h>

#include "common/err.h"
#include "vigil/hash.h"

static vigil_status one_digest(const EVP_MD *md, const void *data, size_t len, uint8_t *out,
                               const char *name, vigil_err *err) {
    unsigned int n = 0;
    if (EVP_Digest(data, len, out, &n, md, NULL) != 1)
        return vigil__err_set(err, VIGIL_EINTERNAL, "OpenSSL %s failed", name);
    return VIGIL_OK;
}

vigil_status vigil_digest(const void *data, size_t len, uint8_t md5[16], uint8_t sha256[32],
                          vigil_err *err) {
    static const uint8_t empty = 0;
    if (!data) {
        if (len) return vigil__err_set(err, VIGIL_EINVAL, "vigil_digest: NULL data");
        data = &empty;
    }
    vigil_status rc = VIGIL_OK;
    if (md5) rc = one_digest(EVP_md5(), data, len, md5, "MD5", err);
    if (rc == VIGIL_OK && sha256) rc = one_digest(EVP_sha256(), data, len, sha256, "SHA-256", err);
    return rc;
}
