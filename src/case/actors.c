/*
 * src/case/actors.c - who acts: agencies, users and their roles, the
 * platforms (seeded from the built-in registry, grown by intake), and the
 * shared checks of the case store (role matrix, lookups, field validation).
 */
#include <ctype.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "case/case_internal.h"
#include "common/err.h"
#include "common/utf8.h"
#include "vigil/bank.h"
#include "vigil/url.h"

/* ---- roles and the acting user ------------------------------------------------ */

static const struct {
    const char *name;
    int bit;
} roles[] = {
    {"analyst", CASE_ANALYST},         {"reviewer", CASE_REVIEWER}, {"coordinator", CASE_COORDINATOR},
    {"liaison", CASE_LIAISON},         {"admin", CASE_ADMIN},
};

const char *case_role_name(int role) {
    for (size_t i = 0; i < sizeof roles / sizeof roles[0]; i++)
        if (roles[i].bit == role) return roles[i].name;
    return "?";
}

int case_role_parse(const char *name) {
    for (size_t i = 0; name && i < sizeof roles / sizeof roles[0]; i++)
        if (strcmp(roles[i].name, name) == 0) return roles[i].bit;
    return 0;
}

vigil_status case_actor_get(vigil_store *st, const char *by, case_actor *a, vigil_err *err) {
    memset(a, 0, sizeof *a);
    if (!by) {
        a->role = CASE_ADMIN;
        snprintf(a->name, sizeof a->name, "local");
        return VIGIL_OK;
    }
    vigil__user u;
    vigil_status rc = vigil__user_get(st, by, &u, err); /* the store's one user lookup */
    if (rc != VIGIL_OK) return rc;
    a->user_id = u.id;
    a->role = case_role_parse(u.role);
    a->agency_id = u.agency_id;
    a->platform_id = u.platform_id;
    snprintf(a->name, sizeof a->name, "%s", by);
    return VIGIL_OK;
}

vigil_status case_require(const case_actor *a, int allowed, const char *what, vigil_err *err) {
    if (a->role == CASE_ADMIN || (a->role & allowed)) return VIGIL_OK;
    return vigil__err_set(err, VIGIL_EPERM, "%s (%s) may not %s", a->name, case_role_name(a->role),
                          what);
}

/* ---- lookups -------------------------------------------------------------------- */

vigil_status case_agency_id(vigil_store *st, const char *code, int64_t *id, vigil_err *err) {
    if (!code || !*code) return vigil__err_set(err, VIGIL_EINVAL, "no agency given");
    vigil_status rc = vigil__q_int(st, "SELECT id FROM agency WHERE code = ?1", id, err, "t", code);
    if (rc == VIGIL_ENOENT)
        return vigil__err_set(err, VIGIL_ENOENT, "no agency '%.80s' (add the agency first)",
                              code);
    return rc;
}

vigil_status case_platform_id(vigil_store *st, const char *name, int64_t *id, vigil_err *err) {
    if (!name || !*name) return vigil__err_set(err, VIGIL_EINVAL, "no platform given");
    vigil_status rc = vigil_platform_seed(st, err);
    if (rc == VIGIL_OK)
        rc = vigil__q_int(st,
                          "SELECT id FROM platform WHERE name = ?1 UNION ALL "
                          "SELECT platform_id FROM platform_domain WHERE domain = lower(?1) LIMIT 1",
                          id, err, "t", name);
    if (rc == VIGIL_ENOENT)
        return vigil__err_set(err, VIGIL_ENOENT,
                              "no platform '%.80s' (list the platforms for the names)", name);
    return rc;
}

vigil_status case_op_id(vigil_store *st, const char *name, int64_t *id, vigil_err *err) {
    if (!name || !*name) return vigil__err_set(err, VIGIL_EINVAL, "no operation given");
    vigil_status rc = vigil__q_int(st, "SELECT id FROM operation WHERE name = ?1", id, err, "t", name);
    if (rc == VIGIL_ENOENT)
        return vigil__err_set(err, VIGIL_ENOENT, "no operation '%.80s' (list the operations for the names)", name);
    return rc;
}

static vigil_status op_access(vigil_store *st, const case_actor *a, int64_t op_id, const char *op,
                              vigil_err *err) {
    if (a->role == CASE_ADMIN) return VIGIL_OK;
    if (a->agency_id) {
        int64_t one;
        vigil_status rc = vigil__q_int(
            st, "SELECT 1 FROM operation_agency WHERE operation_id = ?1 AND agency_id = ?2", &one,
            err, "ii", op_id, a->agency_id);
        if (rc != VIGIL_ENOENT) return rc;
    }
    return vigil__err_set(err, VIGIL_EPERM, "%s's agency does not take part in operation '%.80s'",
                          a->name, op);
}

vigil_status case_op_find(vigil_store *st, const case_actor *a, const char *name, int64_t *id,
                          vigil_err *err) {
    vigil_status rc = case_op_id(st, name, id, err);
    return rc == VIGIL_OK ? op_access(st, a, *id, name, err) : rc;
}

/* ---- field checks ----------------------------------------------------------------- */

vigil_status case_time_arg(vigil_store *st, const char *text, const char *what, char out[VIGIL_TIME_LEN],
                           vigil_err *err) {
    int64_t t;
    if (!text) {
        t = vigil__store_time(st);
    } else {
        vigil_err e;
        if (vigil_time_parse(text, &t, &e) != VIGIL_OK)
            return vigil__err_field(err, VIGIL_EPARSE, what, "%s", e.msg);
    }
    vigil_time_format(t, out);
    return VIGIL_OK;
}

vigil_status case_text_check(const char *text, const char *what, size_t max, vigil_err *err) {
    if (!text) return VIGIL_OK;
    size_t n = strlen(text);
    /* `what` without a space is a field name; with one, a description */
    const char *field = strchr(what, ' ') ? NULL : what, *desc = field ? "" : what,
               *sep = field ? "" : ": ";
    if (n > max)
        return vigil__err_field(err, VIGIL_ELIMIT, field, "%s%slonger than %zu bytes", desc, sep,
                                max);
    size_t bad = vigil__utf8_check(text, n);
    if (bad)
        return vigil__err_field(err, VIGIL_EPARSE, field, "%s%snot valid UTF-8 at byte %zu", desc,
                                sep, bad);
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)text[i] < 0x20 && text[i] != '\t' && text[i] != '\n')
            return vigil__err_field(err, VIGIL_EPARSE, field, "%s%scontrol character at byte %zu",
                                    desc, sep, i + 1);
    return VIGIL_OK;
}

/* ISO 639-1 (all 183 two-letter codes). */
static const char iso639_1[] =
    "aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv "
    "cy da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr "
    "ht hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw "
    "ky la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv "
    "ny oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr "
    "ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi "
    "yo za zh zu";

vigil_status case_lang_check(const char *code, char out[4], vigil_err *err) {
    if (code && strlen(code) == 2 && isalpha((unsigned char)code[0]) &&
        isalpha((unsigned char)code[1])) {
        char c[3] = {(char)tolower((unsigned char)code[0]), (char)tolower((unsigned char)code[1]), 0};
        for (const char *p = iso639_1; *p; p += p[2] ? 3 : 2)
            if (p[0] == c[0] && p[1] == c[1]) {
                memcpy(out, c, 3);
                return VIGIL_OK;
            }
    }
    if (code && strcmp(code, "und") == 0) {
        memcpy(out, "und", 4);
        return VIGIL_OK;
    }
    return vigil__err_set(err, VIGIL_EPARSE,
                          "unknown language '%.40s' (expected an ISO 639-1 code such as ar, en, "
                          "fr, or und)",
                          code ? code : "");
}

vigil_status case_hash_parse(const char *text, char type[8], char value[65], vigil_err *err) {
    vigil_signal sig;
    vigil_status rc = vigil_hash_text_parse(text, &sig, value, err); /* the one parser */
    if (rc == VIGIL_OK) snprintf(type, 8, "%s", vigil_signal_name(sig));
    return rc;
}

/* ---- agencies ---------------------------------------------------------------------- */

static vigil_status code_check(const char *code, vigil_err *err) {
    size_t n = code ? strlen(code) : 0;
    if (n == 0 || n > 32)
        return vigil__err_set(err, VIGIL_EPARSE, "agency code must have 1 to 32 characters");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)code[i];
        if (!isalnum(c) && c != '-' && c != '_' && c != '.')
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "agency code '%.40s': only letters, digits, '-', '_' and '.'",
                                  code);
    }
    return VIGIL_OK;
}

static const char sql_agency_row[] =
    "SELECT code, name, country, created_at FROM agency WHERE id = ?1";

vigil_status vigil_agency_add(vigil_store *st, const char *by, const char *code, const char *name,
                              const char *country, vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "add agencies", err);
    if (rc == VIGIL_OK) rc = code_check(code, err);
    if (rc == VIGIL_OK) rc = case_text_check(name, "agency name", 200, err);
    if (rc != VIGIL_OK) return rc;
    char cc[3] = "";
    if (country && *country) {
        if (strlen(country) != 2 || !isalpha((unsigned char)country[0]) ||
            !isalpha((unsigned char)country[1]))
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "country '%.20s': expected an ISO 3166-1 alpha-2 code (DE, FR, ...)",
                                  country);
        cc[0] = (char)toupper((unsigned char)country[0]);
        cc[1] = (char)toupper((unsigned char)country[1]);
    }
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    int64_t id;
    if (vigil__q_int(st, "SELECT id FROM agency WHERE code = ?1", &id, err, "t", code) == VIGIL_OK) {
        rc = vigil__err_set(err, VIGIL_EEXIST, "agency '%.40s' exists already", code);
        goto out;
    }
    rc = vigil__q_int(st,
                       "INSERT INTO agency (code, name, country, created_at) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                       &id, err, "tttt", code, name ? name : "", cc[0] ? cc : NULL, now);
    if (rc != VIGIL_OK) goto out;
    json_t *after = NULL;
    rc = vigil__q_json_one(st, sql_agency_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "agency.add", "agency", id, NULL, after, err);
    json_decref(after);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

vigil_status vigil_agency_list(vigil_store *st, const char *by, json_t **out, vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err); /* every user may list agencies */
    if (rc != VIGIL_OK) return rc;
    return vigil__q_json(st, "SELECT code, name, country, created_at FROM agency ORDER BY code",
                         out, err, "");
}

/* ---- users ---------------------------------------------------------------------------- */

static const char sql_user_row[] =
    "SELECT u.name, u.role, a.code AS agency, p.name AS platform, u.created_at, "
    "u.revoked_at IS NOT NULL AS revoked_bool FROM user u LEFT JOIN agency a ON a.id = u.agency_id "
    "LEFT JOIN platform p ON p.id = u.platform_id WHERE u.id = ?1";

/* The checks of a new user: role and tenant resolved into *r, *ag, *pl. */
static vigil_status user_check(vigil_store *st, const char *name, const char *role,
                               const char *agency, const char *platform, int *r, int64_t *ag,
                               int64_t *pl, vigil_err *err) {
    vigil_status rc;
    if (!name || !*name) return vigil__err_field(err, VIGIL_EINVAL, "name", "a user needs a name");
    if (strcmp(name, "local") == 0)
        return vigil__err_field(err, VIGIL_EINVAL, "name", "'local' names the local administrator");
    if ((rc = case_text_check(name, "user name", 100, err)) != VIGIL_OK) return rc;
    for (const char *p = name; *p; p++)
        if (*p == ' ' || *p == ',' || *p == ':' || *p == '\t' || *p == '\n')
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "user name '%.80s': no spaces, commas or colons", name);
    *r = case_role_parse(role);
    if (!*r)
        return vigil__err_field(err, VIGIL_EPARSE, "role",
                                "unknown role '%.40s' (analyst, reviewer, coordinator, liaison, admin)",
                                role ? role : "");
    if ((agency && *agency) == (platform && *platform))
        return vigil__err_set(err, VIGIL_EINVAL, "a user belongs to exactly one agency or platform");
    if (platform && *r != CASE_LIAISON)
        return vigil__err_field(err, VIGIL_EINVAL, "role",
                                "a platform's user must have the role liaison");
    if (agency && *r == CASE_LIAISON)
        return vigil__err_field(err, VIGIL_EINVAL, "platform",
                                "liaison is the role of a platform's user: name the platform");
    *ag = *pl = 0;
    if (agency && (rc = case_agency_id(st, agency, ag, err)) != VIGIL_OK) return rc;
    if (platform && (rc = case_platform_id(st, platform, pl, err)) != VIGIL_OK) return rc;
    return VIGIL_OK;
}

/* Inside the caller's transaction: the user row and its audit event. */
static vigil_status user_insert(vigil_store *st, const case_actor *a, const char *name, int r,
                                int64_t ag, int64_t pl, vigil_err *err) {
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    int64_t id;
    if (vigil__q_int(st, "SELECT id FROM user WHERE name = ?1", &id, err, "t", name) == VIGIL_OK)
        return vigil__err_set(err, VIGIL_EEXIST, "user '%.80s' exists already", name);
    vigil_status rc = vigil__q_int(st,
                                    "INSERT INTO user (name, role, agency_id, platform_id, created_at) "
                                    "VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
                                    &id, err, "ttIIt", name, case_role_name(r), ag, pl, now);
    if (rc != VIGIL_OK) return rc;
    json_t *after = NULL;
    rc = vigil__q_json_one(st, sql_user_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a->name, "user.add", "user", id, NULL, after, err);
    json_decref(after);
    return rc;
}

static vigil_status token_new(char tok[VIGIL_TOKEN_LEN + 1], char dg[65], vigil_err *err);
static vigil_status token_set(vigil_store *st, const case_actor *a, const char *name,
                              const char *dg, vigil_err *err);

vigil_status vigil_user_add(vigil_store *st, const char *by, const char *name, const char *role,
                            const char *agency, const char *platform, vigil_err *err) {
    case_actor a;
    int r = 0;
    int64_t ag = 0, pl = 0;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "add users", err);
    if (rc == VIGIL_OK) rc = user_check(st, name, role, agency, platform, &r, &ag, &pl, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = user_insert(st, &a, name, r, ag, pl, err);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_user_create(vigil_store *st, const char *by, const char *name, const char *role,
                               const char *agency, const char *platform,
                               char token[VIGIL_TOKEN_LEN + 1], vigil_err *err) {
    if (token) token[0] = '\0';
    if (!token) return vigil__err_set(err, VIGIL_EINVAL, "vigil_user_create: NULL argument");
    case_actor a;
    int r = 0;
    int64_t ag = 0, pl = 0;
    char tok[VIGIL_TOKEN_LEN + 1], dg[65];
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "add users", err);
    if (rc == VIGIL_OK) rc = user_check(st, name, role, agency, platform, &r, &ag, &pl, err);
    if (rc == VIGIL_OK) rc = token_new(tok, dg, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = user_insert(st, &a, name, r, ag, pl, err);
    if (rc == VIGIL_OK) rc = token_set(st, &a, name, dg, err);
    rc = vigil__store_end(st, rc, err);
    if (rc == VIGIL_OK) memcpy(token, tok, sizeof tok);
    return rc;
}

vigil_status vigil_user_list(vigil_store *st, const char *by, json_t **out, vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "list users", err);
    if (rc != VIGIL_OK) return rc;
    return vigil__q_json(st,
                         "SELECT u.name, u.role, a.code AS agency, p.name AS platform, u.created_at, "
                         "u.revoked_at IS NOT NULL AS revoked_bool FROM user u "
                         "LEFT JOIN agency a ON a.id = u.agency_id "
                         "LEFT JOIN platform p ON p.id = u.platform_id ORDER BY u.name",
                         out, err, "");
}

/* ---- platforms --------------------------------------------------------------------------- */

static const char *const kinds[] = {"social",  "video", "audio",    "messenger", "file_sharing",
                                    "paste",   "archive", "forum",  "blogging",  "image",
                                    "other",   NULL};
static const char *const channels[] = {"email", "web_form", "api", "portal", "other", NULL};

static int in_list(const char *const *list, const char *v) {
    for (; *list; list++)
        if (strcmp(*list, v) == 0) return 1;
    return 0;
}

static vigil_status fields_check(const vigil_platform_fields *f, vigil_err *err) {
    if (!f) return VIGIL_OK;
    if (f->kind && !in_list(kinds, f->kind))
        return vigil__err_set(err, VIGIL_EPARSE,
                              "unknown platform kind '%.40s' (social, video, audio, messenger, "
                              "file_sharing, paste, archive, forum, blogging, image, other)",
                              f->kind);
    if (f->channel && !in_list(channels, f->channel))
        return vigil__err_set(err, VIGIL_EPARSE,
                              "unknown channel '%.40s' (email, web_form, api, portal, other)",
                              f->channel);
    if (f->status && strcmp(f->status, "known") != 0 && strcmp(f->status, "new") != 0)
        return vigil__err_set(err, VIGIL_EPARSE, "platform status is known or new");
    return case_text_check(f->contact, "contact", 500, err);
}

static const char sql_seeded[] = "SELECT last_id FROM id_counter WHERE name = 'platform_seed'";

/* Insert one domain for a platform (lowercase host, canonicalised through
 * the URL rules so that "www.Example.org" is example.org). */
static vigil_status add_domain(vigil_store *st, int64_t pid, const char *domain, vigil_err *err) {
    char url[300];
    if (strlen(domain) > 250) return vigil__err_set(err, VIGIL_EPARSE, "domain too long");
    snprintf(url, sizeof url, "https://%s/", domain);
    vigil_url u;
    vigil_err e;
    if (vigil_url_canonicalize(url, &u, &e) != VIGIL_OK)
        return vigil__err_set(err, VIGIL_EPARSE, "bad domain '%.80s': %s", domain, e.msg);
    int64_t other;
    vigil_status rc = vigil__q_int(st, "SELECT platform_id FROM platform_domain WHERE domain = ?1",
                                   &other, err, "t", u.host);
    if (rc == VIGIL_OK && other != pid)
        rc = vigil__err_set(err, VIGIL_EEXIST, "domain %s belongs to another platform already",
                            u.host);
    else if (rc == VIGIL_ENOENT)
        rc = vigil__q_exec(st, "INSERT INTO platform_domain (domain, platform_id) VALUES (?1, ?2)",
                           NULL, err, "ti", u.host, pid);
    vigil_url_clear(&u);
    return rc;
}

static vigil_status add_domains(vigil_store *st, int64_t pid, const char *list, vigil_err *err) {
    char *copy = strdup(list ? list : "");
    if (!copy) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory");
    vigil_status rc = VIGIL_OK;
    char *save = NULL;
    for (char *d = strtok_r(copy, ", ", &save); d && rc == VIGIL_OK; d = strtok_r(NULL, ", ", &save))
        rc = add_domain(st, pid, d, err);
    free(copy);
    return rc;
}

vigil_status vigil_platform_seed(vigil_store *st, vigil_err *err) {
    int64_t done = 0;
    vigil_status rc = vigil__q_int(st, sql_seeded, &done, err, "");
    if (rc == VIGIL_OK) return VIGIL_OK;
    if (rc != VIGIL_ENOENT) return rc;
    /* Seeding may happen inside a caller's transaction or on its own. */
    int own = !vigil__store_in_transaction(st);
    if (own && (rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = vigil__q_int(st, sql_seeded, &done, err, ""); /* someone else meanwhile? */
    if (rc == VIGIL_OK) goto out;
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    size_t n;
    const vigil_platform_def *reg = vigil_platform_registry(&n);
    rc = VIGIL_OK;
    for (size_t i = 0; i < n && rc == VIGIL_OK; i++) {
        rc = vigil__q_exec(st,
                           "INSERT OR IGNORE INTO platform (name, kind, requires_id, status, "
                           "first_seen) VALUES (?1, ?2, ?3, 'known', ?4)",
                           NULL, err, "ttdt", reg[i].name, reg[i].kind, reg[i].requires_id, now);
        int64_t pid;
        if (rc == VIGIL_OK)
            rc = vigil__q_int(st, "SELECT id FROM platform WHERE name = ?1", &pid, err, "t",
                              reg[i].name);
        for (size_t d = 0; rc == VIGIL_OK && reg[i].domains[d]; d++)
            rc = vigil__q_exec(st,
                               "INSERT OR IGNORE INTO platform_domain (domain, platform_id) "
                               "VALUES (?1, ?2)",
                               NULL, err, "ti", reg[i].domains[d], pid);
    }
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "INSERT INTO id_counter (name, last_id) VALUES ('platform_seed', ?1)",
                           NULL, err, "i", (int64_t)n);
out:
    if (own) {
        if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
        if (rc != VIGIL_OK) vigil__store_rollback(st);
    }
    return rc;
}

static const char sql_platform_row[] =
    "SELECT p.name, p.kind, (SELECT json_group_array(domain) FROM (SELECT domain FROM "
    "platform_domain WHERE platform_id = p.id ORDER BY domain)) AS domains_json, p.contact, "
    "p.channel, p.requires_id AS requires_id_bool, p.status, p.first_seen FROM platform p "
    "WHERE p.id = ?1";

vigil_status vigil_platform_add(vigil_store *st, const char *by, const char *name,
                                const vigil_platform_fields *f, vigil_err *err) {
    static const vigil_platform_fields none = {NULL, NULL, NULL, NULL, -1, NULL};
    if (!f) f = &none;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "add platforms", err);
    if (rc == VIGIL_OK) rc = fields_check(f, err);
    if (rc == VIGIL_OK && (!name || !*name))
        rc = vigil__err_set(err, VIGIL_EPARSE, "a platform needs a name");
    if (rc == VIGIL_OK) rc = case_text_check(name, "platform name", 100, err);
    if (rc == VIGIL_OK) rc = vigil_platform_seed(st, err);
    if (rc != VIGIL_OK) return rc;
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    int64_t id;
    if (vigil__q_int(st, "SELECT id FROM platform WHERE name = ?1", &id, err, "t", name) == VIGIL_OK) {
        rc = vigil__err_set(err, VIGIL_EEXIST, "platform '%.80s' exists already", name);
        goto out;
    }
    rc = vigil__q_int(st,
                       "INSERT INTO platform (name, kind, contact, channel, requires_id, status, "
                       "first_seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id",
                       &id, err, "ttttdtt", name, f->kind ? f->kind : "other",
                       f->contact ? f->contact : "", f->channel ? f->channel : "email",
                       f->requires_id > 0, f->status ? f->status : "known", now);
    if (rc != VIGIL_OK) goto out;
    rc = add_domains(st, id, f->domains, err);
    json_t *after = NULL;
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_platform_row, &after, err, "i", id);
    if (rc == VIGIL_OK) rc = vigil__audit(st, a.name, "platform.add", "platform", id, NULL, after, err);
    json_decref(after);
    if (rc == VIGIL_OK) rc = vigil__store_commit(st, err);
out:
    if (rc != VIGIL_OK) vigil__store_rollback(st);
    return rc;
}

vigil_status vigil_platform_edit(vigil_store *st, const char *by, const char *name,
                                 const vigil_platform_fields *f, vigil_err *err) {
    static const vigil_platform_fields none = {NULL, NULL, NULL, NULL, -1, NULL};
    if (!f) f = &none;
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, CASE_COORDINATOR, "edit platforms", err);
    if (rc == VIGIL_OK) rc = fields_check(f, err);
    int64_t id = 0;
    if (rc == VIGIL_OK) rc = case_platform_id(st, name, &id, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    json_t *before = NULL, *after = NULL;
    rc = vigil__q_json_one(st, sql_platform_row, &before, err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st,
                           "UPDATE platform SET kind = coalesce(?2, kind), contact = coalesce(?3, "
                           "contact), channel = coalesce(?4, channel), requires_id = CASE WHEN ?5 "
                           "< 0 THEN requires_id ELSE ?5 END, status = coalesce(?6, status) "
                           "WHERE id = ?1",
                           NULL, err, "itttdt", id, f->kind, f->contact, f->channel,
                           f->requires_id, f->status);
    if (rc == VIGIL_OK && f->domains) rc = add_domains(st, id, f->domains, err);
    if (rc == VIGIL_OK) rc = vigil__q_json_one(st, sql_platform_row, &after, err, "i", id);
    if (rc == VIGIL_OK)
        rc = vigil__audit(st, a.name, "platform.edit", "platform", id, before, after, err);
    json_decref(before);
    json_decref(after);
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_platform_list(vigil_store *st, const char *by, int only_new, json_t **out,
                                 vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err); /* every user; counts by tenancy */
    if (rc == VIGIL_OK) rc = vigil_platform_seed(st, err);
    if (rc != VIGIL_OK) return rc;
    /* `items` counts only the items the user may see (case_item_access's rule) */
    return vigil__q_json(
        st,
        "SELECT p.name, p.kind, (SELECT json_group_array(domain) FROM (SELECT domain FROM "
        "platform_domain WHERE platform_id = p.id ORDER BY domain)) AS domains_json, p.contact, "
        "p.channel, p.requires_id AS requires_id_bool, p.status, p.first_seen, "
        "(SELECT count(*) FROM item i WHERE i.platform_id = p.id AND (?2 OR EXISTS (SELECT 1 "
        "FROM operation_agency x WHERE x.operation_id = i.operation_id AND x.agency_id = ?3) OR "
        "EXISTS (SELECT 1 FROM referral_item ri JOIN referral r ON r.id = ri.referral_id WHERE "
        "ri.item_id = i.id AND r.platform_id = ?4))) AS items FROM platform p "
        "WHERE ?1 = 0 OR p.status = 'new' ORDER BY p.status = 'known', p.name COLLATE NOCASE",
        out, err, "ddii", only_new, a.role == CASE_ADMIN, a.agency_id, a.platform_id);
}

/* ---- API tokens ---------------------------------------------------------------------- */

int case_token_digest(const char *token, char out[65]) {
    unsigned char md[32];
    unsigned int n = 0;
    if (EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL) != 1) return -1;
    for (int i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

/* A new random token and its digest. */
static vigil_status token_new(char tok[VIGIL_TOKEN_LEN + 1], char dg[65], vigil_err *err) {
    unsigned char rnd[32];
    if (RAND_bytes(rnd, sizeof rnd) != 1)
        return vigil__err_set(err, VIGIL_EINTERNAL, "no random bytes from OpenSSL");
    memcpy(tok, "vgl_", 4);
    for (int i = 0; i < 32; i++)
        snprintf(tok + 4 + 2 * i, 3, "%02x", rnd[i]);
    if (case_token_digest(tok, dg) != 0) return vigil__err_set(err, VIGIL_EINTERNAL, "SHA-256 failed");
    return VIGIL_OK;
}

/* Inside the caller's transaction: user `name` gets token digest `dg`. */
static vigil_status token_set(vigil_store *st, const case_actor *a, const char *name,
                              const char *dg, vigil_err *err) {
    int changes = 0;
    int64_t id = 0;
    vigil_status rc =
        vigil__q_exec(st, "UPDATE user SET token_digest = ?2, revoked_at = NULL WHERE name = ?1",
                      &changes, err, "tt", name ? name : "", dg);
    if (rc == VIGIL_OK && changes == 0)
        rc = vigil__err_set(err, VIGIL_ENOENT, "no user named '%.80s'", name ? name : "");
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT id FROM user WHERE name = ?1", &id, err, "t", name);
    if (rc == VIGIL_OK) {
        json_t *after = json_pack("{s:s, s:s}", "name", name, "token", "issued (digest stored)");
        rc = vigil__audit(st, a->name, "user.token", "user", id, NULL, after, err);
        json_decref(after);
    }
    return rc;
}

vigil_status vigil_user_token_issue(vigil_store *st, const char *by, const char *name,
                                    char out[VIGIL_TOKEN_LEN + 1], vigil_err *err) {
    out[0] = '\0';
    case_actor a;
    char tok[VIGIL_TOKEN_LEN + 1], dg[65];
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "issue tokens", err);
    if (rc == VIGIL_OK) rc = token_new(tok, dg, err);
    if (rc != VIGIL_OK) return rc;
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    rc = token_set(st, &a, name, dg, err);
    rc = vigil__store_end(st, rc, err);
    if (rc == VIGIL_OK) memcpy(out, tok, sizeof tok);
    return rc;
}

vigil_status vigil_user_revoke(vigil_store *st, const char *by, const char *name, vigil_err *err) {
    case_actor a;
    vigil_status rc = case_actor_get(st, by, &a, err);
    if (rc == VIGIL_OK) rc = case_require(&a, 0, "revoke users", err);
    if (rc != VIGIL_OK) return rc;
    char now[VIGIL_TIME_LEN];
    vigil__store_now(st, now);
    if ((rc = vigil__store_begin(st, err)) != VIGIL_OK) return rc;
    int changes = 0;
    int64_t id = 0;
    rc = vigil__q_exec(st,
                       "UPDATE user SET token_digest = NULL, revoked_at = ?2 WHERE name = ?1 AND "
                       "revoked_at IS NULL",
                       &changes, err, "tt", name ? name : "", now);
    if (rc == VIGIL_OK && changes == 0)
        rc = vigil__err_set(err, VIGIL_ENOENT, "no active user named '%.80s'", name ? name : "");
    if (rc == VIGIL_OK) rc = vigil__q_int(st, "SELECT id FROM user WHERE name = ?1", &id, err, "t", name);
    /* their sign-in sessions end too (a later `user token` does not revive them) */
    if (rc == VIGIL_OK)
        rc = vigil__q_exec(st, "UPDATE session SET ended = ?2 WHERE user_id = ?1 AND ended IS NULL",
                           NULL, err, "ii", id, vigil_time_now());
    if (rc == VIGIL_OK) {
        json_t *after = json_pack("{s:s, s:s}", "name", name, "revoked_at", now);
        rc = vigil__audit(st, a.name, "user.revoke", "user", id, NULL, after, err);
        json_decref(after);
    }
    return vigil__store_end(st, rc, err);
}

vigil_status vigil_user_by_token(vigil_store *st, const char *token, char name[128],
                                 char role[16], vigil_err *err) {
    name[0] = '\0';
    role[0] = '\0';
    char dg[65];
    if (!token || strlen(token) != VIGIL_TOKEN_LEN || strncmp(token, "vgl_", 4) != 0 ||
        case_token_digest(token, dg) != 0)
        return vigil__err_set(err, VIGIL_EPERM, "invalid or revoked token");
    char *n = NULL;
    vigil_status rc = vigil__q_text(st,
                                    "SELECT name || ' ' || role FROM user WHERE token_digest = ?1 "
                                    "AND revoked_at IS NULL",
                                    &n, err, "t", dg);
    if (rc == VIGIL_ENOENT) return vigil__err_set(err, VIGIL_EPERM, "invalid or revoked token");
    if (rc == VIGIL_OK && n) {
        char *sp = strrchr(n, ' ');
        if (sp) {
            *sp = '\0';
            snprintf(role, 16, "%s", sp + 1);
        }
        snprintf(name, 128, "%s", n);
    }
    free(n);
    return rc;
}
