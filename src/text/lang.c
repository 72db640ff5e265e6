/*
 * src/text/lang.c - language identification: checks the text, asks CLD2
 * (through cld2_shim.cc) and maps its answer to ISO 639 codes and a
 * confidence from 0 to 1.
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "text/text_internal.h"

#define LANG_MAX_BYTES (256 * 1024)

/* CLD2 codes that are not ISO 639-1/-3 codes. */
static const char *const renamed[][2] = {
    {"iw", "he"}, /* Hebrew */
    {"jw", "jv"}, /* Javanese */
    {"in", "id"}, /* Indonesian (old code) */
    {"mo", "ro"}, /* Moldavian */
};

vigil_status vigil_lang_detect(const void *data, size_t len, vigil_lang *out, vigil_err *err) {
    if (!out) return vigil__err_set(err, VIGIL_EINVAL, "vigil_lang_detect: NULL argument");
    memset(out, 0, sizeof *out);
    strcpy(out->code, "und");
    out->name = "UNKNOWN";
    vigil_status rc = vigil_text_check(data, len, err);
    if (rc != VIGIL_OK) return rc;
    const unsigned char *p = data;
    if (len > LANG_MAX_BYTES) { /* cut at a character boundary */
        len = LANG_MAX_BYTES;
        while (len > 0 && (p[len] & 0xC0) == 0x80) len--;
    }
    const char *code = NULL, *name = NULL;
    int percent = 0, reliable = 0;
    if (vigil__cld2_detect((const char *)p, (int)len, &code, &name, &percent, &reliable) != 0)
        return vigil__err_set(err, VIGIL_EINTERNAL, "language identification failed");
    if (!code || !*code || strcmp(code, "un") == 0 || strncmp(code, "xx", 2) == 0 ||
        percent <= 0)
        return VIGIL_OK;
    size_t n = strcspn(code, "-_");
    if (n == 0 || n >= sizeof out->code) return VIGIL_OK;
    memcpy(out->code, code, n);
    out->code[n] = '\0';
    for (size_t i = 0; i < sizeof renamed / sizeof renamed[0]; i++)
        if (strcmp(out->code, renamed[i][0]) == 0) snprintf(out->code, sizeof out->code, "%s", renamed[i][1]);
    out->name = name ? name : "UNKNOWN";
    out->reliable = reliable;
    out->confidence = (percent > 100 ? 100 : percent) / 100.0;
    if (!reliable) out->confidence *= 0.5;
    return VIGIL_OK;
}
