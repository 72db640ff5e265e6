/*
 * src/store/csv.h - internal streaming CSV reader (RFC 4180 plus tolerance:
 * LF, CRLF or CR line ends, a UTF-8 BOM, stray quotes inside unquoted
 * fields).  Reports malformed records with their line instead of failing.
 */
#ifndef VIGIL_STORE_CSV_H
#define VIGIL_STORE_CSV_H

#include <stdint.h>
#include <stdio.h>

#include "vigil/status.h"

#define VIGIL__CSV_MAX_RECORD (4u * 1024 * 1024) /* bytes of one record's fields */
#define VIGIL__CSV_MAX_FIELDS 1024

typedef struct vigil__csv vigil__csv;

/* One record.  The strings belong to the reader and stay valid until the
 * next vigil__csv_next call. */
typedef struct vigil__csv_row {
    char **fields; /* n NUL-terminated fields (without their quotes) */
    size_t *lens;  /* their lengths (a field may not contain NUL: error) */
    size_t n;
    uint64_t line;     /* 1-based physical line where the record starts */
    const char *error; /* NULL, or why the record is malformed (fields then
                          unreliable): unterminated quote, text after a
                          closing quote, NUL byte, too long, too many fields */
} vigil__csv_row;

/*! vigil__csv_new() : a reader over `in` (not owned, not closed).  A
 *  leading UTF-8 byte-order mark is skipped.  @return VIGIL_OK or ENOMEM. */
vigil_status vigil__csv_new(FILE *in, vigil__csv **out, vigil_err *err);

/*! vigil__csv_free() : NULL ok. */
void vigil__csv_free(vigil__csv *c);

/*! vigil__csv_next() :
 *  @return 1 with the next record in *row (check row->error), 0 at the end
 *  of the input, -1 on a read error or out of memory (err says which). */
int vigil__csv_next(vigil__csv *c, vigil__csv_row *row, vigil_err *err);

/*! vigil__csv_bytes() : bytes consumed so far (BOM included). */
uint64_t vigil__csv_bytes(const vigil__csv *c);

#endif /* VIGIL_STORE_CSV_H */
