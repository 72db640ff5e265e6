/*
 * src/store/store.c - the store handle over a driver connection (driver.c):
 * the schema list and its migrations, the acting user, the clock.  No
 * database library is called here.
 *
 * Schema versions: the driver's schema version (SQLite: PRAGMA
 * user_version) is the number of migration steps applied; migrations[k]
 * takes version k to k+1.  Steps are only ever appended (a released step is
 * never edited), each in its own transaction together with its row in
 * schema_migration and the new version.  A step may also compute from the
 * rows it finds (migration_fill: today's code, so it reads only tables and
 * columns its version has).  The driver also marks the
 * database as vigil's (SQLite: PRAGMA application_id), so that --db pointed
 * at another program's database is refused instead of altered.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "store/store_internal.h"
#include "vigil/bank.h"
#include "vigil/time.h"

/* The migration steps.  Append only. */
static const char *const migrations[] = {
    /* 1: hash banks and their entries (issue 3).
     * bank_entry's columns are ordered for the full-table scans of
     * vigil_bank_scan(): the fields it reads come first, so a scan never
     * touches the labels or the overflow pages of large video/text values.
     * Ids are never reused: an ENTRY-ID or bank id, once shown to a user or
     * written into a referral, never comes back for another row.  Banks
     * use AUTOINCREMENT.  Entries get explicit ids from id_counter instead,
     * updated once per import: AUTOINCREMENT would rewrite sqlite_sequence
     * on every insert (a fifth of an import's time) and use up an id for
     * every duplicate that ON CONFLICT skips. */
    "CREATE TABLE schema_migration (\n"
    "    version    INTEGER PRIMARY KEY,\n"
    "    applied_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE id_counter (\n"
    "    name    TEXT PRIMARY KEY,\n"
    "    last_id INTEGER NOT NULL\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE bank (\n"
    "    id           INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    name         TEXT NOT NULL UNIQUE,\n"
    "    kind         TEXT NOT NULL DEFAULT 'normal',\n"
    "    max_distance INTEGER CHECK (max_distance IS NULL OR max_distance BETWEEN 0 AND 256),\n"
    "    enabled      INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),\n"
    "    description  TEXT NOT NULL DEFAULT '',\n"
    "    created_at   TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE bank_entry (\n"
    "    id          INTEGER PRIMARY KEY,\n"
    "    bank_id     INTEGER NOT NULL REFERENCES bank(id) ON DELETE CASCADE,\n"
    "    signal_type TEXT NOT NULL,\n"
    "    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),\n"
    "    value       TEXT NOT NULL,\n"
    "    added_at    TEXT NOT NULL,\n"
    "    external_id TEXT,\n"
    "    labels      TEXT NOT NULL DEFAULT '',\n"
    "    UNIQUE (bank_id, signal_type, value)\n"
    ");\n",
    /* 2: the referral case store (issue 4): agencies, platforms and their
     * domains, users, operations, items with their URLs, reports,
     * languages, hashes and state history, holds, referrals, removal
     * orders, and the audit chain.  Times are ISO 8601 UTC text
     * ("2024-05-01T12:00:00Z"), which sorts and compares as time and which
     * SQLite's unixepoch() reads.  An item's canonical URL is unique within
     * its operation among items not removed: a URL seen again after its
     * removal is a new item, linked to the removed one as a re-upload. */
    "CREATE TABLE agency (\n"
    "    id         INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    code       TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
    "    name       TEXT NOT NULL DEFAULT '',\n"
    "    country    TEXT,\n"
    "    created_at TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE platform (\n"
    "    id          INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    name        TEXT NOT NULL UNIQUE COLLATE NOCASE,\n"
    "    kind        TEXT NOT NULL DEFAULT 'other',\n"
    "    contact     TEXT NOT NULL DEFAULT '',\n"
    "    channel     TEXT NOT NULL DEFAULT 'email',\n"
    "    requires_id INTEGER NOT NULL DEFAULT 0 CHECK (requires_id IN (0, 1)),\n"
    "    status      TEXT NOT NULL DEFAULT 'known' CHECK (status IN ('known', 'new')),\n"
    "    discovered  INTEGER NOT NULL DEFAULT 0 CHECK (discovered IN (0, 1)),\n"
    "    first_seen  TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE platform_domain (\n"
    "    domain      TEXT PRIMARY KEY,\n"
    "    platform_id INTEGER NOT NULL REFERENCES platform(id) ON DELETE CASCADE\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE user (\n"
    "    id           INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    name         TEXT NOT NULL UNIQUE,\n"
    "    role         TEXT NOT NULL CHECK (role IN ('analyst', 'reviewer', 'coordinator',\n"
    "                                               'liaison', 'admin')),\n"
    "    agency_id    INTEGER REFERENCES agency(id),\n"
    "    platform_id  INTEGER REFERENCES platform(id),\n"
    "    token_digest TEXT UNIQUE,\n"
    "    revoked_at   TEXT,\n"
    "    created_at   TEXT NOT NULL,\n"
    "    CHECK ((agency_id IS NULL) <> (platform_id IS NULL))\n"
    ");\n"
    "CREATE TABLE operation (\n"
    "    id             INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    name           TEXT NOT NULL UNIQUE,\n"
    "    coordinator_id INTEGER NOT NULL REFERENCES agency(id),\n"
    "    starts_at      TEXT,\n"
    "    ends_at        TEXT,\n"
    "    status         TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),\n"
    "    created_at     TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE operation_agency (\n"
    "    operation_id INTEGER NOT NULL REFERENCES operation(id),\n"
    "    agency_id    INTEGER NOT NULL REFERENCES agency(id),\n"
    "    PRIMARY KEY (operation_id, agency_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE item (\n"
    "    id            INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    operation_id  INTEGER NOT NULL REFERENCES operation(id),\n"
    "    canonical_url TEXT NOT NULL,\n"
    "    platform_id   INTEGER NOT NULL REFERENCES platform(id),\n"
    "    account       TEXT,\n"
    "    type          TEXT NOT NULL CHECK (type IN ('video', 'image', 'audio', 'publication',\n"
    "                                                'post', 'account', 'other')),\n"
    "    affiliation   TEXT,\n"
    "    outlet        TEXT,\n"
    "    observed_at   TEXT,\n"
    "    reported_by   INTEGER REFERENCES user(id),\n"
    "    agency_id     INTEGER REFERENCES agency(id),\n"
    "    notes         TEXT NOT NULL DEFAULT '',\n"
    "    state         TEXT NOT NULL DEFAULT 'identified' CHECK (state IN ('identified',\n"
    "                      'assessed', 'referred', 'removed', 'declined', 'no_response',\n"
    "                      'held', 'rejected')),\n"
    "    held_from     TEXT,\n"
    "    reupload_of   INTEGER REFERENCES item(id),\n"
    "    created_at    TEXT NOT NULL\n"
    ");\n"
    "CREATE UNIQUE INDEX item_live_url ON item(operation_id, canonical_url)\n"
    "    WHERE state <> 'removed';\n"
    "CREATE INDEX item_canonical ON item(canonical_url);\n"
    "CREATE INDEX item_op_state ON item(operation_id, state);\n"
    "CREATE TABLE item_url (\n"
    "    item_id INTEGER NOT NULL REFERENCES item(id),\n"
    "    url     TEXT NOT NULL,\n"
    "    PRIMARY KEY (item_id, url)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE item_report (\n"
    "    id          INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    item_id     INTEGER NOT NULL REFERENCES item(id),\n"
    "    url         TEXT NOT NULL,\n"
    "    user_id     INTEGER REFERENCES user(id),\n"
    "    agency_id   INTEGER REFERENCES agency(id),\n"
    "    observed_at TEXT,\n"
    "    reported_at TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX item_report_item ON item_report(item_id);\n"
    "CREATE TABLE item_language (\n"
    "    item_id INTEGER NOT NULL REFERENCES item(id),\n"
    "    lang    TEXT NOT NULL,\n"
    "    PRIMARY KEY (item_id, lang)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE item_hash (\n"
    "    item_id     INTEGER NOT NULL REFERENCES item(id),\n"
    "    signal_type TEXT NOT NULL,\n"
    "    value       TEXT NOT NULL,\n"
    "    PRIMARY KEY (item_id, signal_type, value)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX item_hash_value ON item_hash(signal_type, value);\n"
    "CREATE TABLE item_event (\n"
    "    id         INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    item_id    INTEGER NOT NULL REFERENCES item(id),\n"
    "    from_state TEXT,\n"
    "    to_state   TEXT NOT NULL,\n"
    "    at         TEXT NOT NULL,\n"
    "    actor      TEXT NOT NULL,\n"
    "    note       TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "CREATE INDEX item_event_item ON item_event(item_id);\n"
    "CREATE TABLE hold (\n"
    "    id          INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    agency_id   INTEGER NOT NULL REFERENCES agency(id),\n"
    "    kind        TEXT NOT NULL CHECK (kind IN ('prefix', 'account', 'hash')),\n"
    "    value       TEXT NOT NULL,\n"
    "    reason      TEXT NOT NULL,\n"
    "    until       TEXT,\n"
    "    created_by  TEXT NOT NULL,\n"
    "    created_at  TEXT NOT NULL,\n"
    "    released_at TEXT,\n"
    "    released_by TEXT\n"
    ");\n"
    "CREATE TABLE item_hold (\n"
    "    item_id     INTEGER NOT NULL REFERENCES item(id),\n"
    "    hold_id     INTEGER NOT NULL REFERENCES hold(id),\n"
    "    matched_at  TEXT NOT NULL,\n"
    "    notified_at TEXT,\n"
    "    PRIMARY KEY (item_id, hold_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE TABLE referral (\n"
    "    id           INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    operation_id INTEGER NOT NULL REFERENCES operation(id),\n"
    "    platform_id  INTEGER NOT NULL REFERENCES platform(id),\n"
    "    channel      TEXT NOT NULL,\n"
    "    sent_at      TEXT NOT NULL,\n"
    "    created_by   TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE referral_item (\n"
    "    referral_id  INTEGER NOT NULL REFERENCES referral(id),\n"
    "    item_id      INTEGER NOT NULL REFERENCES item(id),\n"
    "    response     TEXT CHECK (response IN ('removed', 'declined', 'no_response')),\n"
    "    responded_at TEXT,\n"
    "    PRIMARY KEY (referral_id, item_id)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX referral_item_item ON referral_item(item_id);\n"
    "CREATE TABLE removal_order (\n"
    "    id              INTEGER PRIMARY KEY AUTOINCREMENT,\n"
    "    authority       TEXT NOT NULL,\n"
    "    platform_id     INTEGER NOT NULL REFERENCES platform(id),\n"
    "    item_id         INTEGER REFERENCES item(id),\n"
    "    url             TEXT NOT NULL,\n"
    "    received_at     TEXT NOT NULL,\n"
    "    deadline_at     TEXT NOT NULL,\n"
    "    acknowledged_at TEXT,\n"
    "    actioned_at     TEXT,\n"
    "    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged',\n"
    "                        'actioned', 'not_actioned')),\n"
    "    reason          TEXT,\n"
    "    created_by      TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE audit (\n"
    "    id        INTEGER PRIMARY KEY,\n"
    "    at        TEXT NOT NULL,\n"
    "    actor     TEXT NOT NULL,\n"
    "    action    TEXT NOT NULL,\n"
    "    entity    TEXT NOT NULL,\n"
    "    entity_id INTEGER,\n"
    "    before    TEXT,\n"
    "    after     TEXT,\n"
    "    prev      TEXT NOT NULL,\n"
    "    digest    TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE audit_head (\n"
    "    one    INTEGER PRIMARY KEY CHECK (one = 1),\n"
    "    last_id INTEGER NOT NULL,\n"
    "    digest TEXT NOT NULL\n"
    ");\n",
    /* bank entries are identified by their external id (issue 10): one
     * value may be held by several entries of a bank under different ids
     * (two partners' records of one picture).  bank_entry is rebuilt without
     * its UNIQUE (bank_id, signal_type, value), keeping every row, id and
     * column as it was ('' external ids become NULL, which is what they
     * always meant).  bank_entry_value finds a value's entries (a row
     * without an id whose value the bank has is a duplicate) and serves
     * per-bank counts and deletes; bank_entry_xid finds an id's entry.
     * Neither is UNIQUE: the rules are "(type, id) names one entry" and "a
     * value is held without an id at most once", which the bank code keeps
     * inside its write transactions, and schema 2 allowed one id on several
     * values (those rows are kept).  Self-contained: reads and writes
     * bank_entry only. */
    "CREATE TABLE bank_entry_v3 (\n"
    "    id          INTEGER PRIMARY KEY,\n"
    "    bank_id     INTEGER NOT NULL REFERENCES bank(id) ON DELETE CASCADE,\n"
    "    signal_type TEXT NOT NULL,\n"
    "    enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),\n"
    "    value       TEXT NOT NULL,\n"
    "    added_at    TEXT NOT NULL,\n"
    "    external_id TEXT,\n"
    "    labels      TEXT NOT NULL DEFAULT ''\n"
    ");\n"
    "INSERT INTO bank_entry_v3 (id, bank_id, signal_type, enabled, value, added_at, external_id,\n"
    "                           labels)\n"
    "    SELECT id, bank_id, signal_type, enabled, value, added_at, nullif(external_id, ''),\n"
    "           labels FROM bank_entry ORDER BY id;\n"
    "DROP TABLE bank_entry;\n"
    "ALTER TABLE bank_entry_v3 RENAME TO bank_entry;\n"
    "CREATE INDEX bank_entry_value ON bank_entry(bank_id, signal_type, value);\n"
    "CREATE INDEX bank_entry_xid ON bank_entry(bank_id, signal_type, external_id)\n"
    "    WHERE external_id IS NOT NULL;\n",
    /* sign-in for people (issue 12, src/auth/): a user's password hash
     * (argon2id, libsodium's encoded form) with the failed-attempt count
     * and lock, and the server-side sessions, keyed by the SHA-256 of the
     * session id (the id itself lives only in the browser's cookie).
     * Times are epoch seconds: they are compared on every request. */
    "CREATE TABLE credential (\n"
    "    user_id      INTEGER PRIMARY KEY REFERENCES user(id),\n"
    "    hash         TEXT NOT NULL,\n"
    "    must_change  INTEGER NOT NULL DEFAULT 1 CHECK (must_change IN (0, 1)),\n"
    "    failures     INTEGER NOT NULL DEFAULT 0,\n"
    "    last_failure INTEGER NOT NULL DEFAULT 0,\n"
    "    set_at       TEXT NOT NULL\n"
    ");\n"
    "CREATE TABLE session (\n"
    "    digest     TEXT PRIMARY KEY,\n"
    "    user_id    INTEGER NOT NULL REFERENCES user(id),\n"
    "    csrf       TEXT NOT NULL,\n"
    "    created    INTEGER NOT NULL,\n"
    "    last_seen  INTEGER NOT NULL,\n"
    "    expires    INTEGER NOT NULL,\n"
    "    ended      INTEGER\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX session_user ON session(user_id);\n",
    /* values kept as bytes (issue 14): a tmk entry's .tmk file (263,344
     * bytes) was base64 text in bank_entry.value, again in the
     * bank_entry_value index and again in its "bank.add" audit event: about
     * 1.07 MB an entry.  Its bytes are now here, once, in two parts: head,
     * what a matcher loads for every entry (TMK: header, coefficients and
     * average feature, 1,200 bytes), and body, the rest (read for one
     * entry: a level-2 candidate, an export).  bank_entry.value, its index
     * and the audit hold the key "tmk:sha256:HEX" instead
     * (src/signal/signal_internal.h).  Rows written before keep the value
     * in bank_entry.value and are read as before.  No foreign key: the bank
     * code deletes a blob with its entry (a rebuild of bank_entry under
     * foreign keys would cascade into this table). */
    "CREATE TABLE bank_entry_blob (\n"
    "    entry_id INTEGER PRIMARY KEY,\n"
    "    head     BLOB NOT NULL,\n"
    "    body     BLOB NOT NULL\n"
    ");\n",
    /* content clusters (issue 12, point 4): items of an operation that carry
     * the same content (equal hashes, PDQ within distance 31) share a
     * cluster_id, the smallest item id of the cluster; the intake links each
     * item as it comes (src/case/item.c).  Items filed before this version
     * are linked here by equal hash values: four passes of "the smallest
     * cluster id among the items sharing a hash with this one" join every
     * group whose items are at most four shared-hash steps apart (copies
     * usually share one hash: one step).  PDQ neighbours that are not equal
     * join when a further copy is filed.
     * The indexes serve the clusters, the report's passes (item_op_report
     * and item_report_who cover them: the passes read no table row), and
     * the queue's filters and sorts (CROSS JOIN
     * keeps the join order: hash, then item by id, never every item of the
     * operation). */
    "ALTER TABLE item ADD COLUMN cluster_id INTEGER;\n"
    "UPDATE item SET cluster_id = id;\n"
    "UPDATE item SET cluster_id = coalesce((SELECT min(j.cluster_id) FROM item_hash h CROSS\n"
    "    JOIN item_hash g CROSS JOIN item j WHERE h.item_id = item.id AND g.signal_type =\n"
    "    h.signal_type AND g.value = h.value AND j.id = g.item_id AND j.operation_id =\n"
    "    item.operation_id), cluster_id);\n"
    "UPDATE item SET cluster_id = coalesce((SELECT min(j.cluster_id) FROM item_hash h CROSS\n"
    "    JOIN item_hash g CROSS JOIN item j WHERE h.item_id = item.id AND g.signal_type =\n"
    "    h.signal_type AND g.value = h.value AND j.id = g.item_id AND j.operation_id =\n"
    "    item.operation_id), cluster_id);\n"
    "UPDATE item SET cluster_id = coalesce((SELECT min(j.cluster_id) FROM item_hash h CROSS\n"
    "    JOIN item_hash g CROSS JOIN item j WHERE h.item_id = item.id AND g.signal_type =\n"
    "    h.signal_type AND g.value = h.value AND j.id = g.item_id AND j.operation_id =\n"
    "    item.operation_id), cluster_id);\n"
    "UPDATE item SET cluster_id = coalesce((SELECT min(j.cluster_id) FROM item_hash h CROSS\n"
    "    JOIN item_hash g CROSS JOIN item j WHERE h.item_id = item.id AND g.signal_type =\n"
    "    h.signal_type AND g.value = h.value AND j.id = g.item_id AND j.operation_id =\n"
    "    item.operation_id), cluster_id);\n"
    "CREATE INDEX item_op_cluster ON item(operation_id, cluster_id, platform_id, state,\n"
    "    observed_at);\n"
    "CREATE INDEX item_op_observed ON item(operation_id, observed_at);\n"
    "CREATE INDEX item_op_report ON item(operation_id, platform_id, state, type, affiliation,\n"
    "    outlet, agency_id, reupload_of);\n"
    "CREATE INDEX item_report_who ON item_report(item_id, agency_id, user_id);\n"
    "CREATE INDEX referral_op ON referral(operation_id, platform_id);\n",
    /* the bank change log (issue 13, src/store/changes.c): one or more rows
     * per committed bank change, written in the change's transaction, read
     * by running matchers by sequence to apply the change as a delta.
     * kind 'entry': entry_id changed (added, updated, enabled, disabled or
     * removed); signal_type and old_value are what it held before (NULL
     * for a new entry).  'import': bank_id gained the new entries
     * entry_id..last_id (the updates of an import are 'entry' rows).
     * 'bank': the bank's settings changed (created, enabled, disabled,
     * threshold, kind, deleted).  Rows are pruned from the oldest
     * (changes.c), the newest is always kept, so seq only grows. */
    "CREATE TABLE bank_change (\n"
    "    seq         INTEGER PRIMARY KEY,\n"
    "    bank_id     INTEGER NOT NULL,\n"
    "    kind        TEXT NOT NULL,\n"
    "    entry_id    INTEGER,\n"
    "    last_id     INTEGER,\n"
    "    signal_type TEXT,\n"
    "    old_value   TEXT,\n"
    "    at          TEXT NOT NULL\n"
    ");\n",
    /* content clusters by near-duplicate text and matching video (issue
     * 12, point 4; src/case/cluster_link.c).  item_text: an item's text
     * fingerprint (the MinHash signature, "mh1:..."), one row per distinct
     * text filed for it; item_text_band: its LSH band keys at the text
     * banks' threshold (band << 32 | key), so that the intake finds the
     * texts sharing a band by equality, per operation (a text whose
     * signature equals one already indexed adds no bands: the first one
     * finds it).  item_video: an item's vPDQ video hash in its canonical
     * bank form, one row per distinct video filed for it (the intake
     * indexes the operation's frames in memory).  Items filed before this
     * version have no rows: their texts were not kept. */
    "CREATE TABLE item_text (\n"
    "    id      INTEGER PRIMARY KEY,\n"
    "    item_id INTEGER NOT NULL REFERENCES item(id),\n"
    "    sig     TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX item_text_item ON item_text(item_id);\n"
    "CREATE TABLE item_text_band (\n"
    "    operation_id INTEGER NOT NULL REFERENCES operation(id),\n"
    "    band_key     INTEGER NOT NULL,\n"
    "    text_id      INTEGER NOT NULL REFERENCES item_text(id)\n"
    ");\n"
    "CREATE INDEX item_text_band_key ON item_text_band(operation_id, band_key, text_id);\n"
    "CREATE TABLE item_video (\n"
    "    id           INTEGER PRIMARY KEY,\n"
    "    operation_id INTEGER NOT NULL REFERENCES operation(id),\n"
    "    item_id      INTEGER NOT NULL REFERENCES item(id),\n"
    "    value        TEXT NOT NULL\n"
    ");\n"
    "CREATE INDEX item_video_op ON item_video(operation_id);\n"
    "CREATE INDEX item_video_item ON item_video(item_id);\n",
    /* the report's running totals (issue 12, point 8; src/store/tally.c):
     * per operation, dimension and key, the number of rows counted (items
     * by state, type, affiliation, outlet, platform, language; reports by
     * agency; distinct contents and referred items), kept by the writes
     * that change them; counted from the rows once here (migration_fill,
     * which first joins the clusters that step 6's four passes left split).
     * referral_item_removed: the removal times the report reads, without
     * the referrals' other items. */
    "CREATE TABLE op_tally (\n"
    "    operation_id INTEGER NOT NULL,\n"
    "    dim          TEXT NOT NULL,\n"
    "    k            TEXT NOT NULL,\n"
    "    n            INTEGER NOT NULL,\n"
    "    PRIMARY KEY (operation_id, dim, k)\n"
    ") WITHOUT ROWID;\n"
    "CREATE INDEX referral_item_removed ON referral_item(referral_id, responded_at)\n"
    "    WHERE response = 'removed';\n",
};
#define N_MIGRATIONS ((int)(sizeof migrations / sizeof migrations[0]))

/* Step 9 (fill.c): the clusters step 6 left split joined, then the
 * running totals of the operations already there counted. */
static vigil_status fill_clusters_tallies(vigil_store *st, vigil_err *err) {
    vigil_status rc = vigil__fill_clusters(st, NULL, err);
    return rc == VIGIL_OK ? vigil__tally_rebuild(st, 0, err) : rc;
}

/* What a step computes from the rows it finds, after its SQL and in its
 * transaction: the version the step makes, and the function. */
static const struct {
    int version;
    vigil_status (*fill)(vigil_store *st, vigil_err *err);
} migration_fill[] = {
    {9, fill_clusters_tallies},
};

struct vigil_store {
    vigil__db *db;
    char *path;
    char actor[128]; /* who the audit events of bank changes name */
    int64_t (*clock)(void *ctx); /* NULL: vigil_time_now */
    void *clock_ctx;
    int version;
    int64_t log_keep; /* change-log rows kept; 0: VIGIL_CHANGE_LOG_KEEP */
    int unreachable;  /* tests: every query fails with VIGIL_EBUSY (vigil__store_set_unreachable) */
    vigil__audit_tx audit_tx; /* the open write transaction's audit events */
    vigil__tally_tx *tally_tx; /* its running totals (NULL until the first) */
};

int vigil_store_schema_latest(void) {
    return N_MIGRATIONS;
}

int64_t vigil__store_log_keep(const vigil_store *st) {
    return st && st->log_keep > 0 ? st->log_keep : VIGIL_CHANGE_LOG_KEEP;
}

void vigil__store_set_log_keep(vigil_store *st, int64_t keep) {
    if (st) st->log_keep = keep > 0 ? keep : 0;
}

void vigil__store_set_unreachable(vigil_store *st, int on) {
    if (st) st->unreachable = on != 0;
}

vigil_status vigil__store_reachable(const vigil_store *st, vigil_err *err) {
    if (!st || !st->unreachable) return VIGIL_OK;
    return vigil__err_set(err, VIGIL_EBUSY, "store unreachable (a simulated outage, for tests; retry later)");
}

const char *vigil_store_path(const vigil_store *st) {
    return st ? st->path : NULL;
}

int vigil_store_schema_version(const vigil_store *st) {
    return st ? st->version : 0;
}

void vigil_store_set_actor(vigil_store *st, const char *name) {
    if (st) snprintf(st->actor, sizeof st->actor, "%s", name && *name ? name : "local");
}

const char *vigil__store_actor(const vigil_store *st) {
    return st->actor[0] ? st->actor : "local";
}

vigil__db *vigil__store_db(vigil_store *st) {
    return st->db;
}

vigil__audit_tx *vigil__store_audit_tx(vigil_store *st) {
    return &st->audit_tx;
}

vigil__tally_tx *vigil__store_tally_tx(vigil_store *st) {
    if (!st->tally_tx) st->tally_tx = vigil__tally_tx_new();
    return st->tally_tx;
}

vigil_status vigil__store_end(vigil_store *st, vigil_status rc, vigil_err *err) {
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

void vigil_store_set_clock(vigil_store *st, int64_t (*clock)(void *ctx), void *ctx) {
    if (!st) return;
    st->clock = clock;
    st->clock_ctx = clock ? ctx : NULL;
}

int64_t vigil__store_time(const vigil_store *st) {
    return st && st->clock ? st->clock(st->clock_ctx) : vigil_time_now();
}

void vigil__store_now(const vigil_store *st, char out[VIGIL__TIME_LEN]) {
    vigil_time_format(vigil__store_time(st), out);
}

static const char SQL_MIGRATION_RECORD[] =
    "INSERT INTO schema_migration (version, applied_at) VALUES (?1, ?2)";

/* Apply migration step `k` (version k -> k+1) in one transaction, unless
 * another process did it while we waited for the write lock. */
static vigil_status migrate_step(vigil_store *st, int k, vigil_err *err) {
    vigil_status rc = vigil__store_begin(st, err);
    if (rc != VIGIL_OK) return rc;
    int64_t v = 0;
    rc = vigil__db_schema(st->db, &v, NULL, err);
    if (rc != VIGIL_OK || v > k) goto out; /* v > k: done meanwhile by someone else */
    char what[64];
    snprintf(what, sizeof what, "schema migration to version %d failed", k + 1);
    rc = vigil__db_exec(st->db, migrations[k], what, err);
    for (size_t i = 0; rc == VIGIL_OK && i < sizeof migration_fill / sizeof migration_fill[0]; i++)
        if (migration_fill[i].version == k + 1) rc = migration_fill[i].fill(st, err);
    if (rc != VIGIL_OK) goto out;
    char now[VIGIL__TIME_LEN];
    vigil__store_now(st, now);
    rc = vigil__q_exec(st, SQL_MIGRATION_RECORD, NULL, err, "dt", k + 1, now);
    if (rc == VIGIL_OK) rc = vigil__db_set_schema(st->db, k + 1, err);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

/* Refuse databases that are not vigil's, and schemas newer than ours. */
static vigil_status check_identity(vigil_store *st, vigil_err *err) {
    int64_t ver = 0;
    int foreign = 0;
    vigil_status rc = vigil__db_schema(st->db, &ver, &foreign, err);
    if (rc != VIGIL_OK) return rc;
    if (foreign)
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "%s: a database of another program (%s), not a vigil store "
                              "(open another store)",
                              st->path, vigil__db_kind(st->db));
    if (ver > N_MIGRATIONS)
        return vigil__err_set(err, VIGIL_EFORMAT,
                              "%s: the store has schema version %lld, newer than this vigil "
                              "knows (%d): upgrade vigil",
                              st->path, (long long)ver, N_MIGRATIONS);
    st->version = (int)ver;
    return VIGIL_OK;
}

/* Open and migrate up to schema version `target` (N_MIGRATIONS normally). */
static vigil_status store_open(const char *path, int target, vigil_store **out, vigil_err *err) {
    if (out) *out = NULL;
    if (!path || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_store_open: NULL argument");
    if (!*path)
        return vigil__err_set(err, VIGIL_EINVAL, "the store path is empty");
    vigil_status rc = VIGIL_OK;
    vigil_store *st = calloc(1, sizeof *st);
    if (!st) return vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory opening the store", path);
    char shown[512];
    st->path = strdup(vigil_store_redact(path, shown, sizeof shown));
    if (!st->path) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "%s: out of memory opening the store", path);
        goto out;
    }
    rc = vigil__db_open(path, &st->db, err);
    if (rc == VIGIL_OK) rc = check_identity(st, err);
    if (rc == VIGIL_OK && st->version < target) vigil__db_long_run(st->db); /* a step may be long */
    for (int k = st->version; rc == VIGIL_OK && k < target; k++)
        rc = migrate_step(st, k, err);
    if (rc == VIGIL_OK && st->version < target) st->version = target;
out:
    if (rc != VIGIL_OK) {
        vigil_store_close(st);
        return rc;
    }
    *out = st;
    return VIGIL_OK;
}

vigil_status vigil_store_open(const char *path, vigil_store **out, vigil_err *err) {
    return store_open(path, N_MIGRATIONS, out, err);
}

vigil_status vigil__store_open_at(const char *path, int version, vigil_store **out,
                                  vigil_err *err) {
    if (out) *out = NULL;
    if (version < 0 || version > N_MIGRATIONS)
        return vigil__err_set(err, VIGIL_EINVAL, "schema version %d is outside 0..%d", version,
                              N_MIGRATIONS);
    return store_open(path, version, out, err);
}

void vigil_store_close(vigil_store *st) {
    if (!st) return;
    vigil__db_close(st->db);
    vigil__tally_tx_free(st->tally_tx);
    free(st->path);
    free(st);
}
