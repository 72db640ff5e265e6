/*
 * src/store/csv.c - the streaming CSV reader: a byte-at-a-time state machine
 * over a 64 KiB input buffer; fields of one record go into one growable
 * buffer capped at VIGIL__CSV_MAX_RECORD, so hostile input cannot make it
 * allocate without bound.
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "store/csv.h"

#define IN_BUF (64 * 1024)

enum { S_START, S_UNQUOTED, S_QUOTED, S_AFTER_QUOTE };

struct vigil__csv {
    FILE *in;
    unsigned char ibuf[IN_BUF];
    size_t pos, lim;
    int eof, ioerr, started;
    uint64_t consumed;
    uint64_t line; /* current physical line */
    /* the record being built */
    char *buf;
    size_t len, cap;
    size_t *off; /* field start offsets into buf */
    size_t *lens;
    char **fields;
    size_t nf, fcap;
    int overflow; /* stopped storing: record or field count too large */
    char errmsg[128];
    int has_err;
};

vigil_status vigil__csv_new(FILE *in, vigil__csv **out, vigil_err *err) {
    *out = NULL;
    vigil__csv *c = calloc(1, sizeof *c);
    if (!c) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory for the CSV reader");
    c->in = in;
    c->line = 1;
    *out = c;
    return VIGIL_OK;
}

void vigil__csv_free(vigil__csv *c) {
    if (!c) return;
    free(c->buf);
    free(c->off);
    free(c->lens);
    free(c->fields);
    free(c);
}

uint64_t vigil__csv_bytes(const vigil__csv *c) {
    return c->consumed;
}

static int fill(vigil__csv *c) {
    if (c->eof) return 0;
    c->pos = 0;
    c->lim = fread(c->ibuf, 1, IN_BUF, c->in);
    if (c->lim == 0) {
        c->eof = 1;
        if (ferror(c->in)) c->ioerr = 1;
        return 0;
    }
    return 1;
}

static inline int peek(vigil__csv *c) {
    if (c->pos == c->lim && !fill(c)) return EOF;
    return c->ibuf[c->pos];
}

static inline int get(vigil__csv *c) {
    if (c->pos == c->lim && !fill(c)) return EOF;
    c->consumed++;
    return c->ibuf[c->pos++];
}

static void set_error(vigil__csv *c, const char *fmt, unsigned long long a) {
    if (c->has_err) return;
    c->has_err = 1;
    snprintf(c->errmsg, sizeof c->errmsg, fmt, a);
}

/* Append one byte to the current field. */
static int put(vigil__csv *c, char ch) {
    if (c->overflow) return 0;
    if (ch == '\0') set_error(c, "NUL byte in the data (line %llu)", (unsigned long long)c->line);
    if (c->len + 2 > VIGIL__CSV_MAX_RECORD) { /* +1 for this field's NUL */
        set_error(c, "record longer than %llu bytes", VIGIL__CSV_MAX_RECORD);
        c->overflow = 1;
        return 0;
    }
    if (c->len + 2 > c->cap) {
        size_t ncap = vigil__grow_cap(c->cap, c->len + 2, 4096, VIGIL__CSV_MAX_RECORD);
        char *nb = ncap ? realloc(c->buf, ncap) : NULL;
        if (!nb) return -1;
        c->buf = nb;
        c->cap = ncap;
    }
    c->buf[c->len++] = ch;
    return 0;
}

/* Start a new field at the current end of buf. */
static int begin_field(vigil__csv *c) {
    if (c->overflow) return 0;
    if (c->nf == VIGIL__CSV_MAX_FIELDS) {
        set_error(c, "more than %llu fields", VIGIL__CSV_MAX_FIELDS);
        c->overflow = 1;
        return 0;
    }
    if (c->nf == c->fcap) {
        size_t ncap = vigil__grow_cap(c->fcap, c->nf + 1, 16, 0);
        size_t *no = ncap ? vigil__realloc_n(c->off, ncap, sizeof *no) : NULL;
        if (!no) return -1;
        c->off = no;
        size_t *nl = vigil__realloc_n(c->lens, ncap, sizeof *nl);
        if (!nl) return -1;
        c->lens = nl;
        char **nfld = vigil__realloc_n(c->fields, ncap, sizeof *nfld);
        if (!nfld) return -1;
        c->fields = nfld;
        c->fcap = ncap;
    }
    c->off[c->nf++] = c->len;
    return 0;
}

static int end_field(vigil__csv *c) {
    if (c->overflow) return 0;
    if (c->len + 1 > c->cap) { /* put() keeps one byte free; an empty record may have none */
        size_t ncap = vigil__grow_cap(c->cap, c->len + 1, 4096, 0);
        char *nb = ncap ? realloc(c->buf, ncap) : NULL;
        if (!nb) return -1;
        c->buf = nb;
        c->cap = ncap;
    }
    c->lens[c->nf - 1] = c->len - c->off[c->nf - 1];
    c->buf[c->len++] = '\0';
    return 0;
}

/* Consume a line end whose first byte `ch` was just read. */
static void line_end(vigil__csv *c, int ch) {
    if (ch == '\r' && peek(c) == '\n') get(c);
    c->line++;
}

int vigil__csv_next(vigil__csv *c, vigil__csv_row *row, vigil_err *err) {
    if (!c->started) {
        c->started = 1;
        if (fill(c) && c->lim >= 3 && c->ibuf[0] == 0xEF && c->ibuf[1] == 0xBB &&
            c->ibuf[2] == 0xBF) {
            c->pos = 3;
            c->consumed = 3;
        }
    }
    c->len = 0;
    c->nf = 0;
    c->overflow = 0;
    c->has_err = 0;
    uint64_t start = c->line, quote_line = 0;
    int state = S_START, any = 0, ch;
    for (;;) {
        ch = get(c);
        if (ch == EOF) break;
        any = 1;
        switch (state) {
        case S_START:
            if (begin_field(c) < 0) goto nomem;
            if (ch == '"') {
                state = S_QUOTED;
                quote_line = c->line;
            } else if (ch == ',') {
                if (end_field(c) < 0) goto nomem;
            } else if (ch == '\n' || ch == '\r') {
                if (end_field(c) < 0) goto nomem;
                line_end(c, ch);
                goto record;
            } else {
                if (put(c, (char)ch) < 0) goto nomem;
                state = S_UNQUOTED;
            }
            break;
        case S_UNQUOTED:
            if (ch == ',') {
                if (end_field(c) < 0) goto nomem;
                state = S_START;
            } else if (ch == '\n' || ch == '\r') {
                if (end_field(c) < 0) goto nomem;
                line_end(c, ch);
                goto record;
            } else if (put(c, (char)ch) < 0) {
                goto nomem;
            }
            break;
        case S_QUOTED:
            if (ch == '"') {
                state = S_AFTER_QUOTE;
            } else {
                if (ch == '\n') c->line++;
                if (put(c, (char)ch) < 0) goto nomem;
            }
            break;
        case S_AFTER_QUOTE:
            if (ch == '"') {
                if (put(c, '"') < 0) goto nomem;
                state = S_QUOTED;
            } else if (ch == ',') {
                if (end_field(c) < 0) goto nomem;
                state = S_START;
            } else if (ch == '\n' || ch == '\r') {
                if (end_field(c) < 0) goto nomem;
                line_end(c, ch);
                goto record;
            } else {
                set_error(c,
                          "text after a closing quote on line %llu (a quote inside a quoted "
                          "field is written \"\")",
                          (unsigned long long)c->line);
                if (put(c, (char)ch) < 0) goto nomem;
                state = S_UNQUOTED;
            }
            break;
        }
    }
    /* end of input */
    if (c->ioerr) {
        vigil__err_set(err, VIGIL_EIO, "read error after %llu bytes",
                       (unsigned long long)c->consumed);
        return -1;
    }
    if (!any) return 0;
    if (state == S_QUOTED)
        set_error(c, "unterminated quoted field (the quote opened on line %llu is never closed)",
                  (unsigned long long)quote_line);
    if (state == S_START) {
        if (begin_field(c) < 0) goto nomem; /* "a,b," : a last, empty field */
    }
    if (end_field(c) < 0) goto nomem;
record:
    if (c->ioerr) {
        vigil__err_set(err, VIGIL_EIO, "read error after %llu bytes",
                       (unsigned long long)c->consumed);
        return -1;
    }
    for (size_t i = 0; i < c->nf; i++)
        c->fields[i] = c->buf + c->off[i];
    row->fields = c->fields;
    row->lens = c->lens;
    row->n = c->overflow ? 0 : c->nf; /* an overflowed record's last field is unterminated */
    row->line = start;
    row->error = c->has_err ? c->errmsg : NULL;
    return 1;
nomem:
    vigil__err_set(err, VIGIL_ENOMEM, "out of memory reading CSV (line %llu)",
                   (unsigned long long)start);
    return -1;
}
