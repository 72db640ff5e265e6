/*
 * src/match/seen.c - the matchers' copies of what they read from the store
 * lately, used only while the store answers VIGIL_EBUSY (seen.h).
 */
#include "match/seen.h"

#include <stdlib.h>
#include <string.h>

#include "common/err.h"

/* The one rule: a copy stands in for the store only when it is unreachable. */
static int store_unreachable(vigil_status rc) { return rc == VIGIL_EBUSY; }

void vigil__seen_init(vigil__seen *s, size_t n_body) {
    if (!s) return;
    memset(s, 0, sizeof *s);
    s->n_body = n_body;
}

static void body_clear(vigil__seen_body *b) {
    free(b->bytes);
    memset(b, 0, sizeof *b);
}

void vigil__seen_free(vigil__seen *s) {
    if (!s) return;
    for (size_t i = 0; s->entry && i < VIGIL__SEEN_ENTRIES; i++) vigil_entry_clear(&s->entry[i]);
    for (size_t i = 0; s->body && i < s->n_body; i++) body_clear(&s->body[i]);
    free(s->entry);
    free(s->body);
    memset(s, 0, sizeof *s);
}

/* A deep copy of `src` into *dst (its strings in one block, dst->owned_,
 * freed by vigil_entry_clear).  @return 0, -1 out of memory. */
static int entry_copy(vigil_entry *dst, const vigil_entry *src) {
    const char *f[5] = {src->bank_name, src->value, src->labels, src->external_id, src->added_at};
    size_t len[5], total = 0;
    for (int i = 0; i < 5; i++) total += len[i] = f[i] ? strlen(f[i]) + 1 : 0;
    char *blk = malloc(total ? total : 1);
    if (!blk) return -1;
    *dst = *src;
    dst->owned_ = blk;
    const char **to[5] = {&dst->bank_name, &dst->value, &dst->labels, &dst->external_id, &dst->added_at};
    for (int i = 0; i < 5; i++) {
        *to[i] = f[i] ? memcpy(blk, f[i], len[i]) : NULL;
        blk += len[i];
    }
    return 0;
}

vigil_status vigil__seen_entry(vigil__seen *s, vigil_status rc, int64_t id, vigil_entry *e, vigil_err *err) {
    if (!s || !e) return rc;
    if (rc == VIGIL_OK) {
        if (!s->entry && !(s->entry = calloc(VIGIL__SEEN_ENTRIES, sizeof *s->entry))) return rc;
        vigil_entry *x = &s->entry[(uint64_t)e->id % VIGIL__SEEN_ENTRIES];
        vigil_entry_clear(x);
        if (entry_copy(x, e) != 0) memset(x, 0, sizeof *x);
        return rc;
    }
    if (rc == VIGIL_ENOENT && id > 0) { /* removed: never answered from a copy again */
        vigil__seen_forget(s, 0, id, id);
        return rc;
    }
    const vigil_entry *x = s->entry ? &s->entry[(uint64_t)id % VIGIL__SEEN_ENTRIES] : NULL;
    if (!store_unreachable(rc) || !x || id <= 0 || x->id != id || entry_copy(e, x) != 0) return rc;
    vigil_err_clear(err);
    return VIGIL_OK;
}

vigil_status vigil__seen_bytes(vigil__seen *s, vigil_status rc, int64_t id, uint8_t **out, size_t *len,
                               vigil_err *err) {
    if (!s || !out || !len || !store_unreachable(rc) || !s->body || id <= 0) return rc;
    const vigil__seen_body *b = &s->body[(uint64_t)id % s->n_body];
    if (b->id != id) return rc;
    uint8_t *copy = malloc(b->len ? b->len : 1);
    if (!copy) return rc;
    memcpy(copy, b->bytes, b->len);
    *out = copy;
    *len = b->len;
    vigil_err_clear(err);
    return VIGIL_OK;
}

void vigil__seen_keep_bytes(vigil__seen *s, int64_t id, const uint8_t *bytes, size_t len) {
    if (!s || !s->n_body || id <= 0 || (!bytes && len)) return;
    if (!s->body && !(s->body = calloc(s->n_body, sizeof *s->body))) return;
    vigil__seen_body *b = &s->body[(uint64_t)id % s->n_body];
    if (b->id == id && b->len == len) return; /* kept already */
    body_clear(b);
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) return;
    if (len) memcpy(copy, bytes, len);
    b->id = id;
    b->bytes = copy;
    b->len = len;
}

void vigil__seen_forget(vigil__seen *s, int64_t bank_id, int64_t first, int64_t last) {
    if (!s) return;
    if (first == last) {
        vigil_entry *x = s->entry ? &s->entry[(uint64_t)first % VIGIL__SEEN_ENTRIES] : NULL;
        if (x && x->id == first) vigil_entry_clear(x);
        vigil__seen_body *b = s->body ? &s->body[(uint64_t)first % s->n_body] : NULL;
        if (b && b->id == first) body_clear(b);
        return;
    }
    for (size_t i = 0; s->entry && i < VIGIL__SEEN_ENTRIES; i++) {
        vigil_entry *x = &s->entry[i];
        if (x->id && (!bank_id || x->bank_id == bank_id) && x->id >= first && x->id <= last) vigil_entry_clear(x);
    }
    /* a body's bank is its entry's: without the entry, drop it by id range */
    for (size_t i = 0; s->body && i < s->n_body; i++)
        if (s->body[i].id >= first && s->body[i].id <= last && s->body[i].id) body_clear(&s->body[i]);
}
