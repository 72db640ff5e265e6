/*
 * src/store/labels.c - entry labels: validation of keys and values, the
 * `k1=v1;k2="v;2"` text form (parse, canonical format) and the JSON form.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/err.h"
#include "common/utf8.h"
#include "vigil/bank.h"

void vigil_labels_init(vigil_labels *l) {
    l->v = NULL;
    l->n = l->cap = 0;
}

void vigil_labels_clear(vigil_labels *l) {
    if (!l) return;
    for (size_t i = 0; i < l->n; i++) {
        free(l->v[i].key);
        free(l->v[i].value);
    }
    free(l->v);
    vigil_labels_init(l);
}

static int key_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
}

static vigil_status check_key(const char *key, size_t n, vigil_err *err) {
    if (n == 0) return vigil__err_set(err, VIGIL_EPARSE, "empty label key");
    if (n > VIGIL_LABEL_KEY_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT,
                              "label key '%.20s...' is longer than %d characters", key,
                              VIGIL_LABEL_KEY_MAX);
    for (size_t i = 0; i < n; i++) {
        if (!key_char((unsigned char)key[i])) {
            unsigned char c = (unsigned char)key[i];
            if (c >= 0x20 && c < 0x7f)
                return vigil__err_set(err, VIGIL_EPARSE,
                                      "label key '%.*s': character '%c' not allowed (keys use "
                                      "A-Z a-z 0-9 _ . : -)",
                                      (int)n, key, c);
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "label key: byte 0x%02x at position %zu not allowed (keys use "
                                  "A-Z a-z 0-9 _ . : -)",
                                  c, i + 1);
        }
    }
    return VIGIL_OK;
}

static vigil_status check_value(const char *key, const char *v, size_t n, vigil_err *err) {
    if (n > VIGIL_LABEL_VALUE_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "label '%s': value is %zu bytes, over %d", key, n,
                              VIGIL_LABEL_VALUE_MAX);
    size_t bad = vigil__utf8_check(v, n);
    if (bad)
        return vigil__err_set(err, VIGIL_EPARSE, "label '%s': value is not valid UTF-8 (byte %zu)",
                              key, bad);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
            return vigil__err_set(err, VIGIL_EPARSE,
                                  "label '%s': control character 0x%02x in the value (byte %zu)",
                                  key, c, i + 1);
    }
    return VIGIL_OK;
}

/* Add a pair given as spans; validates. */
static vigil_status add_span(vigil_labels *l, const char *key, size_t kn, const char *val,
                             size_t vn, vigil_err *err) {
    vigil_status rc = check_key(key, kn, err);
    if (rc != VIGIL_OK) return rc;
    char k[VIGIL_LABEL_KEY_MAX + 1];
    memcpy(k, key, kn);
    k[kn] = '\0';
    rc = check_value(k, val, vn, err);
    if (rc != VIGIL_OK) return rc;
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].key, k) == 0)
            return vigil__err_set(err, VIGIL_EPARSE, "label key '%s' given twice", k);
    if (l->n >= VIGIL_LABELS_MAX)
        return vigil__err_set(err, VIGIL_ELIMIT, "more than %d labels", VIGIL_LABELS_MAX);
    if (l->n == l->cap) {
        size_t ncap = vigil__grow_cap(l->cap, l->n + 1, 4, 0);
        vigil_label *nv = ncap ? vigil__realloc_n(l->v, ncap, sizeof *nv) : NULL;
        if (!nv) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
        l->v = nv;
        l->cap = ncap;
    }
    char *kc = strdup(k);
    char *vc = malloc(vn + 1);
    if (!kc || !vc) {
        free(kc);
        free(vc);
        return vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
    }
    memcpy(vc, val, vn);
    vc[vn] = '\0';
    l->v[l->n].key = kc;
    l->v[l->n].value = vc;
    l->n++;
    return VIGIL_OK;
}

vigil_status vigil_labels_add(vigil_labels *l, const char *key, const char *value, vigil_err *err) {
    if (!l || !key || !value)
        return vigil__err_set(err, VIGIL_EINVAL, "vigil_labels_add: NULL argument");
    return add_span(l, key, strlen(key), value, strlen(value), err);
}

static int blank(char c) {
    return c == ' ' || c == '\t';
}

/* Drop the pairs added after `keep` (undo of a failed parse). */
static void truncate_to(vigil_labels *l, size_t keep) {
    while (l->n > keep) {
        l->n--;
        free(l->v[l->n].key);
        free(l->v[l->n].value);
    }
}

vigil_status vigil_labels_parse(vigil_labels *l, const char *text, vigil_err *err) {
    if (!l) return vigil__err_set(err, VIGIL_EINVAL, "vigil_labels_parse: NULL argument");
    if (!text) return VIGIL_OK;
    size_t keep = l->n;
    vigil_status rc = VIGIL_OK;
    char *buf = NULL; /* unquoted value */
    const char *p = text;
    for (;;) {
        while (blank(*p) || *p == ';')
            p++;
        if (!*p) break;
        const char *k = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        const char *ke = p;
        while (ke > k && blank(ke[-1]))
            ke--;
        if (*p != '=') {
            rc = vigil__err_set(err, VIGIL_EPARSE,
                                "label '%.*s' has no '=' (labels are key=value pairs separated "
                                "by ';')",
                                (int)(ke - k > 40 ? 40 : ke - k), k);
            goto out;
        }
        p++;
        while (blank(*p))
            p++;
        const char *v;
        size_t vn;
        if (*p == '"') {
            const char *q = ++p;
            size_t n = 0, cap = strlen(q) + 1;
            free(buf);
            buf = malloc(cap);
            if (!buf) {
                rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
                goto out;
            }
            for (;;) {
                if (!*q) {
                    rc =
                        vigil__err_set(err, VIGIL_EPARSE, "label '%.*s': unterminated quoted value",
                                       (int)(ke - k > 64 ? 64 : ke - k), k);
                    goto out;
                }
                if (*q == '"') {
                    if (q[1] == '"') {
                        buf[n++] = '"';
                        q += 2;
                        continue;
                    }
                    q++;
                    break;
                }
                buf[n++] = *q++;
            }
            p = q;
            while (blank(*p))
                p++;
            if (*p && *p != ';') {
                rc = vigil__err_set(err, VIGIL_EPARSE,
                                    "label '%.*s': text after the closing quote (use \"\" for a "
                                    "quote inside a quoted value)",
                                    (int)(ke - k > 64 ? 64 : ke - k), k);
                goto out;
            }
            v = buf;
            vn = n;
        } else {
            v = p;
            while (*p && *p != ';') {
                if (*p == '\n' || *p == '\r') {
                    rc = vigil__err_set(err, VIGIL_EPARSE,
                                        "label '%.*s': a line break in a value must be quoted",
                                        (int)(ke - k > 64 ? 64 : ke - k), k);
                    goto out;
                }
                p++;
            }
            const char *ve = p;
            while (ve > v && blank(ve[-1]))
                ve--;
            vn = (size_t)(ve - v);
        }
        rc = add_span(l, k, (size_t)(ke - k), v, vn, err);
        if (rc != VIGIL_OK) goto out;
    }
out:
    free(buf);
    if (rc != VIGIL_OK) truncate_to(l, keep);
    return rc;
}

static int cmp_label(const void *a, const void *b) {
    return strcmp(((const vigil_label *)a)->key, ((const vigil_label *)b)->key);
}

static int needs_quotes(const char *v) {
    size_t n = strlen(v);
    if (n && (blank(v[0]) || blank(v[n - 1]))) return 1;
    return strpbrk(v, ";\"\n\r") != NULL;
}

vigil_status vigil_labels_format(vigil_labels *l, char **out, vigil_err *err) {
    if (!l || !out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_labels_format: NULL argument");
    *out = NULL;
    if (l->n > 1) qsort(l->v, l->n, sizeof *l->v, cmp_label);
    size_t cap = 1;
    for (size_t i = 0; i < l->n; i++)
        cap += strlen(l->v[i].key) + 2 * strlen(l->v[i].value) + 4;
    char *s = malloc(cap);
    if (!s) return vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
    size_t o = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i) s[o++] = ';';
        size_t kn = strlen(l->v[i].key);
        memcpy(s + o, l->v[i].key, kn);
        o += kn;
        s[o++] = '=';
        const char *v = l->v[i].value;
        if (needs_quotes(v)) {
            s[o++] = '"';
            for (; *v; v++) {
                if (*v == '"') s[o++] = '"';
                s[o++] = *v;
            }
            s[o++] = '"';
        } else {
            size_t vn = strlen(v);
            memcpy(s + o, v, vn);
            o += vn;
        }
    }
    s[o] = '\0';
    *out = s;
    return VIGIL_OK;
}

vigil_status vigil_labels_to_json(const char *text, char **out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_labels_to_json: NULL argument");
    *out = NULL;
    vigil_labels l;
    vigil_labels_init(&l);
    vigil_status rc = vigil_labels_parse(&l, text, err);
    json_t *obj = NULL;
    if (rc != VIGIL_OK) goto out;
    obj = json_object();
    if (!obj) {
        rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
        goto out;
    }
    for (size_t i = 0; i < l.n; i++) {
        /* values were validated as UTF-8 without NUL, so this cannot fail
         * except for memory */
        if (json_object_set_new(obj, l.v[i].key, json_string(l.v[i].value)) != 0) {
            rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
            goto out;
        }
    }
    *out = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
    if (!*out) rc = vigil__err_set(err, VIGIL_ENOMEM, "out of memory for labels");
out:
    json_decref(obj);
    vigil_labels_clear(&l);
    return rc;
}
