/*
 * vigil/file.h - bounded file reading (the common layer; vigil/image.h
 * includes it for the callers that always found it there).
 */
#ifndef VIGIL_FILE_H
#define VIGIL_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default cap of vigil_read_file (and of image and video inputs). */
#define VIGIL_DEFAULT_MAX_FILE_BYTES (256ull * 1024 * 1024)

/*! vigil_read_file() :
 *  Read a whole file into a new malloc'd buffer (*data, *len; free()).  A
 *  file larger than `max_bytes` (0: default) is refused with VIGIL_ELIMIT.
 *  @return VIGIL_OK, VIGIL_ENOENT, VIGIL_EIO, VIGIL_ELIMIT or VIGIL_ENOMEM. */
VIGIL_API vigil_status vigil_read_file(const char *path, uint64_t max_bytes, uint8_t **data, size_t *len,
                             vigil_err *err);

#ifdef __cplusplus
}
#endif
#endif /* VIGIL_FILE_H */
