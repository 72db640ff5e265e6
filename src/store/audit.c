/*
 * src/store/audit.c - the audit chain.  Every change to the case store
 * appends an event (who, when, what, the record before and after) in the
 * transaction of the change.  Each event stores the SHA-256 of its own
 * fields and of the previous event's digest, and audit_head records the
 * newest id and digest, so `vigil audit verify` finds any event that was
 * edited, deleted, inserted or moved, and a chain cut short at its end.
 *
 * What the chain cannot do alone: someone who can write the file can also
 * recompute every digest after an edit.  Record the head (`vigil audit
 * verify` prints it) somewhere else - a ticket, a partner's copy - and a
 * rewritten history no longer matches it.
 */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"
#include "vigil/time.h"

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static const char sql_head[] = "SELECT last_id, digest FROM audit_head WHERE one = 1";
static const char sql_set_head[] =
    "INSERT INTO audit_head (one, last_id, digest) VALUES (1, ?1, ?2) "
    "ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, digest = excluded.digest";
/* the newest event of the open transaction (ids above the committed head) */
static const char sql_tx_head[] =
    "SELECT id, digest FROM audit WHERE id > ?1 ORDER BY id DESC LIMIT 1";
static const char sql_set_head_tx[] =
    "INSERT INTO audit_head (one, last_id, digest) SELECT 1, id, digest FROM audit WHERE id > ?1 "
    "ORDER BY id DESC LIMIT 1 ON CONFLICT (one) DO UPDATE SET last_id = excluded.last_id, "
    "digest = excluded.digest";
static const char sql_insert[] =
    "INSERT INTO audit (id, at, actor, action, entity, entity_id, before, after, prev, digest) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
static const char sql_walk[] =
    "SELECT id, at, actor, action, entity, entity_id, before, after, prev, digest FROM audit "
    "ORDER BY id";

/* SHA-256 (hex) over the fields, each followed by a NUL so that no two
 * different field lists hash the same text. */
static vigil_status event_digest(int64_t id, const char *at, const char *actor, const char *action,
                                 const char *entity, int64_t entity_id, const char *before,
                                 const char *after, const char *prev, char out[65],
                                 vigil_err *err) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (!ctx) return vigil__err_set(err, VIGIL_ENOMEM, "audit: out of memory");
    char nums[48];
    int n = snprintf(nums, sizeof nums, "%lld:%lld", (long long)id, (long long)entity_id);
    const char *f[] = {prev, at, actor, action, entity, before ? before : "", after ? after : ""};
    int ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1 &&
             EVP_DigestUpdate(ctx, nums, (size_t)n + 1) == 1;
    for (size_t i = 0; ok && i < sizeof f / sizeof f[0]; i++)
        ok = EVP_DigestUpdate(ctx, f[i], strlen(f[i]) + 1) == 1;
    unsigned char md[32];
    unsigned int mdlen = 0;
    ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1;
    EVP_MD_CTX_free(ctx);
    if (!ok) return vigil__err_set(err, VIGIL_EINTERNAL, "audit: SHA-256 failed");
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return VIGIL_OK;
}

typedef struct audit_head {
    int64_t last;
    char digest[65];
} audit_head;

static vigil_status head_row(void *ctx, const vigil__row *r, vigil_err *err) {
    (void)err;
    audit_head *h = ctx;
    const char *d = vigil__row_text(r, 1);
    h->last = vigil__row_int(r, 0);
    snprintf(h->digest, sizeof h->digest, "%s", d ? d : "");
    return VIGIL__STOP;
}

vigil_status vigil__audit(vigil_store *st, const char *actor, const char *action,
                          const char *entity, int64_t entity_id, json_t *before, json_t *after,
                          vigil_err *err) {
    /* in a write transaction: its own newest event, else the committed head
     * (also after a savepoint rolled the transaction's events back) */
    vigil__audit_tx *tx = vigil__store_in_transaction(st) ? vigil__store_audit_tx(st) : NULL;
    audit_head h = {0, GENESIS};
    vigil_status rc = VIGIL_OK;
    if (tx && tx->open) rc = vigil__q_each(st, sql_tx_head, head_row, &h, err, "i", tx->base);
    if (rc == VIGIL_OK && h.last == 0) rc = vigil__q_each(st, sql_head, head_row, &h, err, "");
    if (rc != VIGIL_OK) return rc;
    if (tx && !tx->open) {
        tx->open = 1;
        tx->base = h.last;
    }
    int64_t last = h.last;
    const char *prev = h.digest;

    char at[VIGIL_TIME_LEN];
    vigil__store_now(st, at);
    size_t flags = JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII;
    char *b = before ? json_dumps(before, flags) : NULL;
    char *a = after ? json_dumps(after, flags) : NULL;
    if ((before && !b) || (after && !a)) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "audit: out of memory");
        goto out;
    }
    char digest[65];
    int64_t id = last + 1;
    rc = event_digest(id, at, actor, action, entity, entity_id, b, a, prev, digest, err);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, sql_insert, NULL, err, "ittttittt" "t", id, at, actor, action,
                           entity, entity_id, b, a, prev, digest);
    if (rc == VIGIL_OK && !tx) rc = vigil__q_exec(st, sql_set_head, NULL, err, "it", id, digest);
    /* Bank changes no longer bump id_counter's 'bank_version' row: servers
     * follow the change log (changes.c) since schema 7, and nothing reads
     * the row (stores written before keep it, unused). */
out:
    free(b);
    free(a);
    return rc;
}

vigil_status vigil__audit_commit(vigil_store *st, vigil_err *err) {
    vigil__audit_tx *tx = vigil__store_audit_tx(st);
    if (!tx->open) return VIGIL_OK;
    tx->open = 0;
    return vigil__q_exec(st, sql_set_head_tx, NULL, err, "i", tx->base);
}

/* The walk over the chain: each event must follow the one before. */
typedef struct walk {
    char prev[65];
    int64_t expect, *n, *bad;
} walk;

static vigil_status walk_row(void *ctx, const vigil__row *r, vigil_err *err) {
    walk *w = ctx;
    int64_t id = vigil__row_int(r, 0);
    const char *col[10];
    for (int c = 1; c < 10; c++) col[c] = vigil__row_text(r, c);
    int64_t eid = vigil__row_int(r, 5);
    if (id != w->expect) {
        *w->bad = w->expect;
        return vigil__err_set(err, VIGIL_ECORRUPT,
                              "audit chain broken at event %lld: the event is missing "
                              "(deleted, or the chain reordered; found %lld next)",
                              (long long)w->expect, (long long)id);
    }
    if (!col[1] || !col[2] || !col[3] || !col[4] || !col[8] || !col[9] ||
        strcmp(col[8], w->prev) != 0) {
        *w->bad = id;
        return vigil__err_set(err, VIGIL_ECORRUPT,
                              "audit chain broken at event %lld: it does not follow the "
                              "previous event (an event before it was deleted or replaced)",
                              (long long)id);
    }
    char d[65];
    vigil_status rc =
        event_digest(id, col[1], col[2], col[3], col[4], eid, col[6], col[7], col[8], d, err);
    if (rc != VIGIL_OK) return rc;
    if (strcmp(d, col[9]) != 0) {
        *w->bad = id;
        return vigil__err_set(err, VIGIL_ECORRUPT,
                              "audit chain broken at event %lld: its content was changed "
                              "after it was written (%s %s %lld by %s at %s)",
                              (long long)id, col[3], col[4], (long long)eid, col[2], col[1]);
    }
    memcpy(w->prev, d, sizeof w->prev);
    w->expect++;
    (*w->n)++;
    return VIGIL_OK;
}

vigil_status vigil__audit_verify(vigil_store *st, int64_t *n, int64_t *bad, vigil_err *err) {
    *n = 0;
    *bad = 0;
    audit_head h = {0, ""};
    vigil_status rc = vigil__q_each(st, sql_head, head_row, &h, err, "");
    if (rc != VIGIL_OK) return rc;
    walk w = {GENESIS, 1, n, bad};
    rc = vigil__q_each(st, sql_walk, walk_row, &w, err, "");
    if (rc == VIGIL_OK && (*n != h.last || (h.digest[0] && strcmp(h.digest, w.prev) != 0))) {
        *bad = *n + 1;
        rc = vigil__err_set(err, VIGIL_ECORRUPT,
                            "audit chain broken at event %lld: the chain ends at event %lld but "
                            "its head says %lld (the newest events were deleted or altered)",
                            (long long)*n + 1, (long long)*n, (long long)h.last);
    }
    return rc;
}

static const char sql_list_all[] =
    "SELECT id, at, actor, action, entity, entity_id, before AS before_json, after AS after_json, "
    "digest FROM audit ORDER BY id DESC LIMIT ?1";
static const char sql_list_entity[] =
    "SELECT id, at, actor, action, entity, entity_id, before AS before_json, after AS after_json, "
    "digest FROM audit WHERE entity = ?2 AND entity_id = ?3 ORDER BY id DESC LIMIT ?1";

vigil_status vigil__audit_list(vigil_store *st, const char *entity, int64_t entity_id, int limit,
                               json_t **out, vigil_err *err) {
    if (limit <= 0) limit = 100;
    if (entity)
        return vigil__q_json(st, sql_list_entity, out, err, "dti", limit, entity, entity_id);
    return vigil__q_json(st, sql_list_all, out, err, "d", limit);
}

vigil_status vigil_store_mark(vigil_store *st, int64_t *mark, vigil_err *err) {
    *mark = 0;
    vigil_status rc = vigil__q_int(st, "SELECT last_id FROM audit_head WHERE one = 1", mark, err, "");
    return rc == VIGIL_ENOENT ? VIGIL_OK : rc;
}
