/*
 * src/common/file.c - read a whole file into memory, bounded by a size limit,
 * with errors that name the file and the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/buf.h"
#include "common/err.h"
#include "vigil/file.h"

vigil_status vigil_read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len,
                             vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    FILE *f = NULL;
    uint8_t *buf = NULL;
    size_t cap = 0, n = 0;

    if (!path || !data || !len) return vigil__err_set(err, VIGIL_EINVAL, "vigil_read_file: NULL argument");
    *data = NULL;
    *len = 0;
    if (max_bytes == 0) max_bytes = VIGIL_DEFAULT_MAX_FILE_BYTES;

    f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return vigil__err_set(err, e == ENOENT ? VIGIL_ENOENT : VIGIL_EIO, "%s: cannot open: %s", path,
                              strerror(e));
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = vigil__err_set(err, VIGIL_EIO, "%s: is a directory", path);
            goto out;
        }
        if (S_ISREG(st.st_mode)) {
            if ((uint64_t)st.st_size > max_bytes) {
                rc = vigil__err_set(err, VIGIL_ELIMIT, "%s: file is %lld bytes, over the limit of %llu", path,
                                    (long long)st.st_size, (unsigned long long)max_bytes);
                goto out;
            }
            cap = (size_t)st.st_size + 1; /* +1: one read sees EOF without a regrow */
        }
    }
    if (cap < 4096) cap = 4096;
    buf = malloc(cap);
    if (!buf) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory reading file", path);
        goto out;
    }
    for (;;) {
        if (n == cap) {
            if ((uint64_t)cap > max_bytes) break; /* caught below */
            size_t ncap = vigil__grow_cap(cap, cap + 1, 4096, 0);
            uint8_t *nb = ncap ? realloc(buf, ncap) : NULL;
            if (!nb) {
                rc = vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory reading file", path);
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                rc = vigil__err_set(err, VIGIL_EIO, "%s: read error: %s", path, strerror(errno));
                goto out;
            }
            break;
        }
    }
    if ((uint64_t)n > max_bytes) {
        rc = vigil__err_set(err, VIGIL_ELIMIT, "%s: file is over the limit of %llu bytes", path,
                            (unsigned long long)max_bytes);
        goto out;
    }
    *data = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    if (f) fclose(f);
    return rc;
}
