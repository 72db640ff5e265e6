/*
 * src/store/bank_json.c - banks and labels as JSON records: the one form the
 * CLI prints and the API sends, so both show the same keys.
 */
#include <stdlib.h>

#include "vigil/bank.h"

json_t *vigil_labels_json(const char *text) {
    char *js = NULL;
    json_t *v = NULL;
    if (vigil_labels_to_json(text ? text : "", &js, NULL) == VIGIL_OK && js) v = json_loads(js, 0, NULL);
    free(js);
    return v ? v : json_object();
}

json_t *vigil_bank_info_json(const vigil_bank_info *b) {
    json_t *o = json_object();
    if (!o || !b) return o;
    json_object_set_new(o, "name", json_string(b->name));
    json_object_set_new(o, "id", json_integer(b->id));
    json_object_set_new(o, "kind", json_string(vigil_bank_kind_name(b->kind)));
    json_object_set_new(o, "enabled", json_boolean(b->enabled));
    json_object_set_new(o, "max_distance",
                        b->max_distance >= 0 ? json_integer(b->max_distance) : json_null());
    if (b->entries >= 0) json_object_set_new(o, "entries", json_integer(b->entries));
    json_object_set_new(o, "description", json_string(b->description));
    json_object_set_new(o, "created_at", json_string(b->created_at));
    return o;
}
