/*
 * src/store/import.c - CSV import into a bank (header CSV or one hash per
 * line; one transaction; bad rows reported by line and skipped) and CSV
 * export in the same header form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/err.h"
#include "store/bank_internal.h"
#include "store/csv.h"
#include "store/store_internal.h"

#define PROGRESS_EVERY 4096 /* rows */
/* Rows are put in chunks sorted by value (or by id): the index then takes
 * its probes and inserts in key order, touching each page once per chunk
 * rather than once per row.  Measured on 1M random PDQ rows: about a third
 * less time than inserting in file order. */
#define CHUNK_ROWS 262144
#define CHUNK_BYTES (64u * 1024 * 1024)

void vigil_import_opts_init(vigil_import_opts *o) {
    memset(o, 0, sizeof *o);
    o->signal = -1;
}

/* A valid row waiting in the chunk.  Offsets into the chunk's arena while
 * it grows; pointers once it is complete. */
typedef struct pending {
    size_t voff, loff, xoff; /* xoff NO_XID: no external id */
    const char *value, *labels, *xid;
    uint64_t line;
    vigil_signal sig;
    int stage;  /* rows with ids: 0 looked up, 1 new, 2 sharing an id (see put_with_ids) */
    int done;   /* already put */
} pending;

#define NO_XID ((size_t)-1)

typedef struct importer {
    vigil_store *st;
    const char *bank;
    int64_t bank_id;
    int64_t next_id;
    char now[VIGIL__TIME_LEN];
    const vigil_import_opts *o;
    vigil_import_report *r;
    int inserting; /* cleared once a strict import has a bad row */
    int col_type, col_value, col_labels, col_id;
    size_t header_fields;
    char *labels_raw, *labels_canon; /* the last labels seen, and their canonical form */
    /* the chunk of valid rows waiting to be inserted (see flush_chunk) */
    pending *pend;
    size_t npend, pcap;
    char *arena;
    size_t alen, acap;
} importer;

static int is_blank(char c) {
    return c == ' ' || c == '\t';
}

/* [*b, *e) = s without blanks at either end */
static void trim(const char *s, size_t n, const char **b, size_t *len) {
    while (n && is_blank(*s)) {
        s++;
        n--;
    }
    while (n && is_blank(s[n - 1]))
        n--;
    *b = s;
    *len = n;
}

static int all_hex(const char *s, size_t n) {
    if (!n) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return 0;
    }
    return 1;
}

static int row_blank(const vigil__csv_row *row) {
    for (size_t i = 0; i < row->n; i++)
        if (row->lens[i]) return 0;
    return 1;
}

static void bad_row(importer *im, uint64_t line, const char *reason) {
    im->r->bad++;
    if (im->o->strict) im->inserting = 0;
    if (im->o->on_bad) im->o->on_bad(im->o->ctx, line, reason);
}

/* Canonical labels for `raw`, reusing the last result when the text repeats
 * (exports label many rows alike).  @return VIGIL_OK or the fault. */
static vigil_status labels_for(importer *im, const char *raw, const char **canon, vigil_err *err) {
    if (!raw || !*raw) {
        *canon = "";
        return VIGIL_OK;
    }
    if (im->labels_raw && strcmp(raw, im->labels_raw) == 0) {
        *canon = im->labels_canon;
        return VIGIL_OK;
    }
    char *c = NULL;
    vigil_status rc = vigil__labels_canon(raw, &c, err);
    if (rc != VIGIL_OK) return rc;
    char *r = strdup(raw);
    if (!r) {
        free(c);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    }
    free(im->labels_raw);
    free(im->labels_canon);
    im->labels_raw = r;
    im->labels_canon = c;
    *canon = c;
    return VIGIL_OK;
}

static int arena_put(importer *im, const char *str, size_t *off) {
    size_t n = strlen(str) + 1;
    if (im->alen + n > im->acap) {
        size_t ncap = im->acap ? im->acap : 1 << 20;
        while (ncap < im->alen + n)
            ncap *= 2;
        char *na = realloc(im->arena, ncap);
        if (!na) return -1;
        im->arena = na;
        im->acap = ncap;
    }
    memcpy(im->arena + im->alen, str, n);
    *off = im->alen;
    im->alen += n;
    return 0;
}

/* The order a chunk is put in.  Rows must have the effect they would have
 * one by one in file order; sorting keeps that only where rows cannot
 * affect each other out of their order:
 *  - rows without an id affect only rows of the same (type, value): a chunk
 *    of them is sorted by value, ties in file order (the first is kept);
 *  - rows with an id affect only rows with the same (type, id): a chunk of
 *    them is put by put_with_ids;
 *  - but a row without an id is a duplicate when the bank holds its value
 *    under any id, which rows with an id add and update away: a chunk with
 *    both kinds is put in file order, unsorted.
 * Sorted probes and inserts touch each index page once per chunk instead of
 * once per row (measured in docs/cli.md). */
static int cmp_by_value(const pending *x, const pending *y) {
    if (x->sig != y->sig) return x->sig < y->sig ? -1 : 1;
    int c = strcmp(x->value, y->value);
    if (c) return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_by_id(const pending *x, const pending *y) {
    if (x->sig != y->sig) return x->sig < y->sig ? -1 : 1;
    int c = strcmp(x->xid, y->xid);
    if (c) return c;
    return x->line < y->line ? -1 : x->line > y->line;
}

static int cmp_anon(const void *a, const void *b) {
    return cmp_by_value(a, b);
}

static int cmp_ids(const void *a, const void *b) {
    return cmp_by_id(a, b);
}

/* rows with an id, once `stage` is set: by stage; stage 1 (new rows) by
 * value, the others by id */
static int cmp_staged(const void *a, const void *b) {
    const pending *x = a, *y = b;
    if (x->stage != y->stage) return x->stage < y->stage ? -1 : 1;
    return x->stage == 1 ? cmp_by_value(x, y) : cmp_by_id(x, y);
}

/* Put one row (vigil__entry_put `mode`) and count what it did; with
 * VIGIL__PUT_EXISTING a row that would be new is left for later. */
static vigil_status put_row(importer *im, pending *p, int mode, vigil_err *err) {
    vigil_put_outcome what = VIGIL_PUT_UNCHANGED;
    vigil_status rc = vigil__entry_put(im->st, im->bank_id, im->bank, p->sig, p->value, p->labels,
                                       p->xid, im->now, &im->next_id, mode, NULL, &what, err);
    if (rc != VIGIL_OK) {
        if (err) {
            char msg[VIGIL_ERR_MSG_MAX];
            memcpy(msg, err->msg, sizeof msg);
            vigil__err_set(err, rc, "line %llu: cannot store the entry: %.200s",
                           (unsigned long long)p->line, msg);
        }
        return rc;
    }
    if (mode == VIGIL__PUT_EXISTING && what == VIGIL_PUT_ADDED) return VIGIL_OK;
    p->done = 1;
    if (what == VIGIL_PUT_ADDED)
        im->r->imported++;
    else if (what == VIGIL_PUT_UPDATED)
        im->r->updated++;
    else
        im->r->unchanged++;
    return VIGIL_OK;
}

/* A chunk of rows that all have ids.  Rows with different ids do not
 * affect each other, so they are put in three stages, each in the key
 * order of the index it works on: the rows whose id is alone in the chunk
 * are looked up by id (stage 0, bank_entry_xid order), which settles the
 * unchanged and updated ones; the new ones are then added by value (stage
 * 1, bank_entry_value order, no second look-up); the few rows that share
 * an id with another row of the chunk come last, in file order per id
 * (stage 2: each applies after the earlier ones, the last wins). */
static vigil_status put_with_ids(importer *im, vigil_err *err) {
    pending *p = im->pend;
    const size_t n = im->npend;
    vigil_status rc = VIGIL_OK;
    qsort(p, n, sizeof *p, cmp_ids);
    for (size_t i = 0; i < n; i++)
        if ((i > 0 && p[i].sig == p[i - 1].sig && strcmp(p[i].xid, p[i - 1].xid) == 0) ||
            (i + 1 < n && p[i].sig == p[i + 1].sig && strcmp(p[i].xid, p[i + 1].xid) == 0))
            p[i].stage = 2;
    for (size_t i = 0; i < n && im->inserting && rc == VIGIL_OK; i++)
        if (p[i].stage == 0) rc = put_row(im, &p[i], VIGIL__PUT_EXISTING, err);
    for (size_t i = 0; i < n; i++)
        if (p[i].stage == 0 && !p[i].done) p[i].stage = 1;
    qsort(p, n, sizeof *p, cmp_staged);
    for (size_t i = 0; i < n && im->inserting && rc == VIGIL_OK; i++) {
        if (p[i].done) continue;
        rc = put_row(im, &p[i], p[i].stage == 1 ? VIGIL__PUT_NEW : VIGIL__PUT_ANY, err);
    }
    return rc;
}

/* Put the chunk into the bank, sorted where that is safe, and empty it. */
static vigil_status flush_chunk(importer *im, vigil_err *err) {
    vigil_status rc = VIGIL_OK;
    size_t with_id = 0;
    if (im->npend == 0) return VIGIL_OK;
    for (size_t i = 0; i < im->npend; i++) {
        pending *p = &im->pend[i];
        p->value = im->arena + p->voff;
        p->labels = im->arena + p->loff;
        p->xid = p->xoff == NO_XID ? NULL : im->arena + p->xoff;
        with_id += p->xid != NULL;
    }
    if (with_id == 0)
        qsort(im->pend, im->npend, sizeof *im->pend, cmp_anon);
    if (with_id == im->npend)
        rc = put_with_ids(im, err);
    else /* no ids (sorted), or both kinds (file order) */
        for (size_t i = 0; i < im->npend && im->inserting && rc == VIGIL_OK; i++)
            rc = put_row(im, &im->pend[i], VIGIL__PUT_ANY, err);
    im->npend = 0;
    im->alen = 0;
    return rc;
}

/* Add a valid row to the chunk; insert the chunk when it is full. */
static vigil_status queue_row(importer *im, uint64_t line, vigil_signal sig, const char *value,
                              const char *labels, const char *xid, vigil_err *err) {
    if (im->npend == im->pcap) {
        size_t ncap = im->pcap ? im->pcap * 2 : 1024;
        pending *np = realloc(im->pend, ncap * sizeof *np);
        if (!np)
            return vigil__err_set(err, VIGIL_ENOMEM, "out of memory importing (line %llu)",
                                  (unsigned long long)line);
        im->pend = np;
        im->pcap = ncap;
    }
    pending *p = &im->pend[im->npend];
    p->line = line;
    p->sig = sig;
    p->stage = 0;
    p->done = 0;
    p->xoff = NO_XID;
    if (arena_put(im, value, &p->voff) < 0 || arena_put(im, labels, &p->loff) < 0 ||
        (xid && arena_put(im, xid, &p->xoff) < 0))
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory importing (line %llu)",
                              (unsigned long long)line);
    im->npend++;
    if (im->npend >= CHUNK_ROWS || im->alen >= CHUNK_BYTES) return flush_chunk(im, err);
    return VIGIL_OK;
}

/* One data row.  @return VIGIL_OK (imported, duplicate or reported bad), or
 * a fatal error (store failure, out of memory). */
static vigil_status do_row(importer *im, const vigil__csv_row *row, int lines_mode,
                           vigil_err *err) {
    vigil_err e;
    vigil_err_clear(&e);
    vigil_signal sig;
    const char *value, *labels = NULL, *xid = NULL, *canon = NULL, *lab = "";
    char hex[65];
    im->r->rows++;
    if (row->error) {
        bad_row(im, row->line, row->error);
        return VIGIL_OK;
    }
    if (lines_mode) {
        const char *b;
        size_t n;
        value = row->fields[0];
        trim(value, row->lens[0], &b, &n);
        if (n == 0) {
            bad_row(im, row->line, "empty hash in the first field");
            return VIGIL_OK;
        }
        sig = im->o->signal >= 0 ? (vigil_signal)im->o->signal
              : n == 32          ? VIGIL_SIGNAL_MD5
                                 : VIGIL_SIGNAL_PDQ;
    } else {
        if (row->n <= (size_t)im->col_value) {
            snprintf(e.msg, sizeof e.msg,
                     "missing signal_value (the row has %zu field%s, the header %zu)", row->n,
                     row->n == 1 ? "" : "s", im->header_fields);
            bad_row(im, row->line, e.msg);
            return VIGIL_OK;
        }
        value = row->fields[im->col_value];
        const char *ts = "", *tb;
        size_t tn;
        if (im->col_type >= 0 && (size_t)im->col_type < row->n) ts = row->fields[im->col_type];
        trim(ts, strlen(ts), &tb, &tn);
        if (tn == 0 && im->o->signal >= 0) {
            sig = (vigil_signal)im->o->signal;
        } else if (vigil_signal_parse(ts, &sig, &e) != VIGIL_OK) {
            bad_row(im, row->line, e.msg);
            return VIGIL_OK;
        }
        if (im->col_labels >= 0 && (size_t)im->col_labels < row->n)
            labels = row->fields[im->col_labels];
        if (im->col_id >= 0 && (size_t)im->col_id < row->n) xid = row->fields[im->col_id];
        if (xid && !*xid) xid = NULL;
        const char *vb;
        size_t vn;
        trim(value, strlen(value), &vb, &vn);
        if (vn == 0) {
            bad_row(im, row->line, "empty signal_value");
            return VIGIL_OK;
        }
    }
    if (vigil__value_canon(sig, value, hex, &canon, &e) != VIGIL_OK ||
        labels_for(im, labels, &lab, &e) != VIGIL_OK ||
        vigil__external_id_check(xid, &e) != VIGIL_OK) {
        if (e.status == VIGIL_ENOMEM)
            return vigil__err_set(err, VIGIL_ENOMEM, "%s", "out of memory");
        bad_row(im, row->line, e.msg);
        return VIGIL_OK;
    }
    if (!im->inserting) return VIGIL_OK;
    return queue_row(im, row->line, sig, canon, lab, xid, err);
}

/* Map the header's columns.  @return VIGIL_OK or VIGIL_EPARSE naming what is missing. */
static vigil_status read_header(importer *im, const vigil__csv_row *row, vigil_err *err) {
    static const char *const names[4] = {"signal_type", "signal_value", "labels", "id"};
    int *cols[4] = {&im->col_type, &im->col_value, &im->col_labels, &im->col_id};
    for (int k = 0; k < 4; k++)
        *cols[k] = -1;
    im->header_fields = row->n;
    char found[160];
    size_t fo = 0;
    found[0] = '\0';
    for (size_t i = 0; i < row->n; i++) {
        const char *b;
        size_t n;
        trim(row->fields[i], row->lens[i], &b, &n);
        if (fo < sizeof found - 1)
            fo += (size_t)snprintf(found + fo, sizeof found - fo, "%s%.*s", i ? ", " : "",
                                   (int)(n > 32 ? 32 : n), b);
        if (fo > sizeof found - 1) fo = sizeof found - 1;
        for (int k = 0; k < 4; k++) {
            if (strlen(names[k]) != n || strncasecmp(b, names[k], n) != 0) continue;
            if (*cols[k] >= 0)
                return vigil__err_set(err, VIGIL_EPARSE,
                                      "line %llu: column '%s' appears twice in the header",
                                      (unsigned long long)row->line, names[k]);
            *cols[k] = (int)i;
        }
    }
    if (im->col_value < 0 || (im->col_type < 0 && im->o->signal < 0))
        return vigil__err_set(
            err, VIGIL_EPARSE,
            "line %llu: the header needs the columns signal_type and signal_value "
            "(found: %s); a file with one hash per line must start with a hash "
            "of 32 or 64 hex digits",
            (unsigned long long)row->line, found);
    return VIGIL_OK;
}

static uint64_t input_size(FILE *in) {
    struct stat sb;
    if (fstat(fileno(in), &sb) != 0 || !S_ISREG(sb.st_mode)) return 0;
    long pos = ftell(in);
    if (pos < 0 || (uint64_t)pos > (uint64_t)sb.st_size) pos = 0;
    return (uint64_t)sb.st_size - (uint64_t)pos;
}

vigil_status vigil_bank_import(vigil_store *st, const char *bank, FILE *in,
                               const vigil_import_opts *opts, vigil_import_report *report,
                               vigil_err *err) {
    vigil_import_opts o;
    vigil_import_report r;
    memset(&r, 0, sizeof r);
    if (opts)
        o = *opts;
    else
        vigil_import_opts_init(&o);
    if (report) *report = r;
    if (!st || !bank || !in)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_import: NULL argument");
    vigil_status gate = vigil__bank_gate(st, 1, err);
    if (gate != VIGIL_OK) return gate;
    if (o.signal < -1 || o.signal >= VIGIL_SIGNAL_COUNT)
        return vigil__err_set(err, VIGIL_EINVAL, "unknown signal type %d", o.signal);
    importer im;
    memset(&im, 0, sizeof im);
    im.st = st;
    im.bank = bank;
    im.o = &o;
    im.r = &r;
    im.inserting = 1;
    vigil__store_now(st, im.now);
    uint64_t total = input_size(in);
    vigil__csv *csv = NULL;
    vigil__csv_row row;
    int lines_mode = 0, have_first = 0, got;
    vigil_err cerr; /* the reader's own failure: read error, out of memory */
    vigil_err_clear(&cerr);
    vigil_status rc = vigil__csv_new(in, &csv, err);
    if (rc != VIGIL_OK) return rc;
    rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) goto out;
    rc = vigil__bank_id(st, bank, &im.bank_id, err);
    if (rc == VIGIL_OK) rc = vigil__entry_next_id(st, &im.next_id, err);
    int64_t first_new_id = im.next_id;
    if (rc != VIGIL_OK) goto out;
    while ((got = vigil__csv_next(csv, &row, &cerr)) == 1) {
        if (!have_first) {
            if (!row.error && row_blank(&row)) continue;
            if (row.error) {
                rc = vigil__err_set(err, VIGIL_EPARSE,
                                    "line %llu: %s (in the first line, which must "
                                    "be a header or a hash)",
                                    (unsigned long long)row.line, row.error);
                goto out;
            }
            have_first = 1;
            const char *b;
            size_t n;
            trim(row.fields[0], row.lens[0], &b, &n);
            if ((n == 32 || n == 64) && all_hex(b, n)) {
                lines_mode = 1;
                r.hash_per_line = 1;
            } else {
                rc = read_header(&im, &row, err);
                if (rc != VIGIL_OK) goto out;
                continue;
            }
        }
        if (!row.error && row_blank(&row)) continue;
        rc = do_row(&im, &row, lines_mode, err);
        if (rc != VIGIL_OK) goto out;
        if (o.on_progress && r.rows % PROGRESS_EVERY == 0)
            o.on_progress(o.ctx, r.rows, vigil__csv_bytes(csv), total);
    }
    if (got < 0) {
        rc = vigil__err_set(err, cerr.status, "%s", cerr.msg);
        goto out;
    }
    rc = flush_chunk(&im, err);
    if (rc != VIGIL_OK) goto out;
    if (o.on_progress) o.on_progress(o.ctx, r.rows, vigil__csv_bytes(csv), total);
    if (o.strict && r.bad) {
        rc = vigil__err_set(err, VIGIL_EPARSE, "%llu bad row%s: nothing imported (strict mode)",
                            (unsigned long long)r.bad, r.bad == 1 ? "" : "s");
        goto out;
    }
    r.duplicates = r.unchanged + r.updated;
    if (r.imported) rc = vigil__entry_set_last_id(st, im.next_id - 1, err);
    if (rc == VIGIL_OK && r.imported)
        rc = vigil__change_import(st, im.bank_id, first_new_id, im.next_id - 1, err);
    if (rc == VIGIL_OK) {
        json_t *after = json_pack(
            "{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "bank", bank, "rows", (json_int_t)r.rows,
            "imported", (json_int_t)r.imported, "duplicates", (json_int_t)r.duplicates,
            "unchanged", (json_int_t)r.unchanged, "updated", (json_int_t)r.updated, "first_id",
            (json_int_t)(r.imported ? first_new_id : 0), "last_id",
            (json_int_t)(r.imported ? im.next_id - 1 : 0));
        rc = vigil__audit(st, vigil__store_actor(st), "bank.import", "bank", im.bank_id, NULL,
                          after, err);
        json_decref(after);
    }
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK) {
        vigil__store_rollback(st);
        r.imported = r.duplicates = r.unchanged = r.updated = 0;
    }
    if (report) *report = r;
    free(im.labels_raw);
    free(im.labels_canon);
    free(im.pend);
    free(im.arena);
    vigil__csv_free(csv);
    return rc;
}

vigil_status vigil_bank_import_file(vigil_store *st, const char *bank, const char *path,
                                    const vigil_import_opts *opts, vigil_import_report *report,
                                    vigil_err *err) {
    if (report) memset(report, 0, sizeof *report);
    if (!path) return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_import_file: NULL path");
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        return vigil__err_set(err, e == ENOENT ? VIGIL_ENOENT : VIGIL_EIO, "%s: cannot open: %s",
                              path, strerror(e));
    }
    struct stat sb;
    if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        fclose(f);
        return vigil__err_set(err, VIGIL_EIO, "%s: is a directory", path);
    }
    vigil_status rc = vigil_bank_import(st, bank, f, opts, report, err);
    fclose(f);
    return rc;
}

/* ------------------------------------------------------------------------
 * Export
 * ---------------------------------------------------------------------- */

typedef struct exporter {
    FILE *out;
    uint64_t rows;
    int failed;
    int with_ids; /* the pass: 0 entries without an id, 1 those with one */
    vigil_export_value_fn fn; /* another form of the values, or NULL */
    void *ctx;
    vigil_err *err; /* fn's fault, with failed = 2 */
} exporter;

/* The value to write: *conv (malloc'd, NULL: e->value as stored). */
static int export_value(exporter *x, const vigil_entry *e, char **conv) {
    *conv = NULL;
    if (!x->fn) return 0;
    vigil_status rc = x->fn(x->ctx, e->signal, e->value, conv, x->err);
    if (rc == VIGIL_OK) return 0;
    char msg[VIGIL_ERR_MSG_MAX];
    memcpy(msg, x->err->msg, sizeof msg);
    vigil__err_set(x->err, rc, "entry %lld: %.200s", (long long)e->id, msg);
    x->failed = 2;
    return 1;
}

/* The checking pass of vigil_bank_export_as: every value converts. */
static int check_row(void *ctx, const vigil_entry *e) {
    char *conv = NULL;
    int stop = export_value(ctx, e, &conv);
    free(conv);
    return stop;
}

static void put_field(FILE *out, const char *s) {
    if (!strpbrk(s, ",\"\r\n")) {
        fputs(s, out);
        return;
    }
    putc('"', out);
    for (; *s; s++) {
        if (*s == '"') putc('"', out);
        putc(*s, out);
    }
    putc('"', out);
}

static int export_row(void *ctx, const vigil_entry *e) {
    exporter *x = ctx;
    if ((e->external_id != NULL) != x->with_ids) return 0;
    char *conv = NULL;
    if (export_value(x, e, &conv)) return 1;
    fputs(vigil_signal_name(e->signal), x->out);
    putc(',', x->out);
    put_field(x->out, conv ? conv : e->value);
    free(conv);
    putc(',', x->out);
    put_field(x->out, e->labels);
    putc(',', x->out);
    if (e->external_id) put_field(x->out, e->external_id);
    if (putc('\n', x->out) == EOF) {
        x->failed = 1;
        return 1;
    }
    x->rows++;
    return 0;
}

vigil_status vigil_bank_export(vigil_store *st, const char *bank, FILE *out, uint64_t *rows,
                               vigil_err *err) {
    return vigil_bank_export_as(st, bank, out, NULL, NULL, rows, err);
}

vigil_status vigil_bank_export_as(vigil_store *st, const char *bank, FILE *out,
                                  vigil_export_value_fn fn, void *ctx, uint64_t *rows,
                                  vigil_err *err) {
    if (rows) *rows = 0;
    if (!st || !bank || !out)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_bank_export: NULL argument");
    vigil_err local;
    vigil_err_clear(&local);
    exporter x = {out, 0, 0, 0, fn, ctx, err ? err : &local};
    vigil_bank_info b;
    vigil_status rc = vigil_bank_get(st, bank, &b, err); /* before writing anything */
    if (rc != VIGIL_OK) return rc;
    if (fn) { /* every value converts before anything is written */
        rc = vigil_bank_foreach(st, bank, check_row, &x, err);
        if (rc == VIGIL_OK && x.failed == 2) rc = x.err->status;
        if (rc != VIGIL_OK) return rc;
    }
    fputs("signal_type,signal_value,labels,id\n", out);
    /* Entries without an id first: read back in this order, each row makes
     * the same entry again.  (The other way round, a row without an id
     * would be a duplicate of an entry with an id updated to its value
     * after it was added.) */
    for (x.with_ids = 0; x.with_ids < 2 && rc == VIGIL_OK && !x.failed; x.with_ids++)
        rc = vigil_bank_foreach(st, bank, export_row, &x, err);
    if (rc != VIGIL_OK) return rc;
    if (x.failed == 2) return x.err->status;
    if (x.failed || fflush(out) != 0 || ferror(out))
        return vigil__err_set(err, VIGIL_EIO, "write error exporting bank '%s': %s", bank,
                              strerror(errno));
    if (rows) *rows = x.rows;
    return VIGIL_OK;
}
