// src/text/cld2_shim.cc - the C++ shim over CLD2 (Debian's libcld2, linked
// with its full tables, libcld2_full) behind vigil__cld2_detect(), so that
// the rest of vigil stays C.
#include <cstdio>  // compact_lang_det.h uses FILE without including it

#include <cld2/public/compact_lang_det.h>

namespace CLD2 {
const char *LanguageCode(Language lang);  // internal/lang_script.h
const char *LanguageName(Language lang);
}  // namespace CLD2

extern "C" int vigil__cld2_detect(const char *buf, int len, const char **code, const char **name,
                                  int *percent, int *reliable);

extern "C" int vigil__cld2_detect(const char *buf, int len, const char **code, const char **name,
                                  int *percent, int *reliable) {
    try {
        CLD2::Language lang3[3];
        int percent3[3] = {0, 0, 0};
        double score3[3];
        int text_bytes = 0;
        bool is_reliable = false;
        CLD2::Language l = CLD2::ExtDetectLanguageSummary(buf, len, true, nullptr, 0, lang3,
                                                          percent3, score3, nullptr,
                                                          &text_bytes, &is_reliable);
        *code = CLD2::LanguageCode(l);
        *name = CLD2::LanguageName(l);
        *percent = l == lang3[0] ? percent3[0] : 0;
        *reliable = is_reliable ? 1 : 0;
        return 0;
    } catch (...) {
        return -1;
    }
}
