/*
 * src/match/match_json.c - matches as JSON records: the one form the CLI
 * prints and the API sends (the union of the keys either printed before:
 * extend, never drop a key a client may read).
 */
#include "vigil/match.h"

json_t *vigil_match_json(const vigil_match *m) {
    json_t *o = json_object();
    if (!o || !m) return o;
    /* the CLI's order first (scripts may read it), then what the API added */
    json_object_set_new(o, "bank", json_string(m->bank));
    json_object_set_new(o, "entry_id", json_integer(m->entry_id));
    json_object_set_new(o, "distance", json_integer(m->distance));
    json_object_set_new(o, "signal", json_string(vigil_signal_name(m->signal)));
    json_object_set_new(o, "variant", json_string(vigil_dihedral_name(m->variant)));
    json_object_set_new(o, "allow", json_boolean(m->bank_kind == VIGIL_BANK_ALLOW));
    json_object_set_new(o, "labels", vigil_labels_json(m->labels));
    json_object_set_new(o, "external_id", m->external_id ? json_string(m->external_id) : json_null());
    json_object_set_new(o, "bank_kind", json_string(vigil_bank_kind_name(m->bank_kind)));
    return o;
}

json_t *vigil_match_result_json(const vigil_match_result *r) {
    json_t *o = json_object(), *a = json_array();
    if (!o || !a || !r) {
        json_decref(a);
        return o;
    }
    for (size_t i = 0; i < r->n; i++) json_array_append_new(a, vigil_match_json(&r->matches[i]));
    if (r->quality >= 0) json_object_set_new(o, "quality", json_integer(r->quality));
    json_object_set_new(o, "low_quality", json_boolean(r->low_quality));
    json_object_set_new(o, "allowed", json_boolean(r->allowed));
    json_object_set_new(o, "suppressed", json_integer((json_int_t)r->suppressed));
    json_object_set_new(o, "matches", a);
    return o;
}
