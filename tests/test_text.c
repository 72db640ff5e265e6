/*
 * tests/test_text.c - text signals: normalisation, bad input, the mh1 bank
 * form, near-duplicates surviving re-wrapping, punctuation changes and
 * added headers/footers in Latin, Arabic, Cyrillic, Bengali and Japanese
 * text; the LSH index against brute force; the text matcher over banks;
 * language identification on the 16-language test set; fuzz regressions;
 * the text matcher through a (simulated) store outage.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lang_samples.h"
#include "store/store_internal.h"
#include "test.h"
#include "vigil/text.h"

/* ---- normalisation -------------------------------------------------------- */

static void t_normalize(void) {
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"Hello,   World!!\r\n", "hello world"},
        {"\xEF\xBB\xBF" "BOM first", "bom first"},
        {"\xEF\xBC\xA6\xEF\xBD\x95\xEF\xBD\x8C\xEF\xBD\x8C width", "full width"}, /* NFKC */
        {"Stra\xC3\x9F" "e \xE2\x80\x94 \xC3\x89T\xC3\x89", "strasse \xC3\xA9t\xC3\xA9"},  /* fold, dash */
        {"e\xCC\x81t\xC3\xA9", "\xC3\xA9t\xC3\xA9"},                                 /* NFC */
        {"co\xC2\xADop\xE2\x80\x8B" "erate", "cooperate"}, /* soft hyphen, ZWSP ignored */
        /* Arabic: harakat and tatweel dropped, alef/yeh/keheh/teh marbuta folded */
        {"\xD9\x85\xD9\x8F\xD8\xAD\xD9\x8E\xD9\x85\xD9\x91\xD9\x80\xD8\xAF", "\xD9\x85\xD8\xAD\xD9\x85\xD8\xAF"},
        {"\xD8\xA3\xDA\xA9\xDB\x8C\xD8\xA9", "\xD8\xA7\xD9\x83\xD9\x8A\xD9\x87"},
        {"\xD9\xA2\xD9\xA0\xD9\xA2\xD9\xA4 \xE0\xA7\xA7\xE0\xA7\xA8", "2024 12"}, /* Arabic-Indic, Bengali digits */
        /* Japanese and Thai: one unit per character */
        {"\xE6\x9D\xB1\xE4\xBA\xAC\xE3\x80\x81Tokyo", "\xE6\x9D\xB1 \xE4\xBA\xAC tokyo"},
        {"\xE0\xB8\xAA\xE0\xB8\xA7\xE0\xB8\xB1", "\xE0\xB8\xAA \xE0\xB8\xA7 \xE0\xB8\xB1"},
        /* Bengali: vowel signs stay in the word */
        {"\xE0\xA6\xAC\xE0\xA7\x83\xE0\xA6\xB7\xE0\xA7\x8D\xE0\xA6\x9F\xE0\xA6\xBF\xE0\xA5\xA4",
         "\xE0\xA6\xAC\xE0\xA7\x83\xE0\xA6\xB7\xE0\xA7\x8D\xE0\xA6\x9F\xE0\xA6\xBF"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = NULL;
        vigil_err err;
        CHECK_OK(vigil_text_normalize(cases[i].in, strlen(cases[i].in), &out, NULL, &err), &err);
        if (strcmp(out, cases[i].want) != 0) printf("    case %zu: got '%s'\n", i, out);
        CHECK_STR(out, cases[i].want);
        free(out);
    }
}

/* Plain ASCII takes a shortcut past utf8proc: every ASCII character must be
 * treated as the full path treats it (a non-ASCII word forces that path). */
static void t_ascii_shortcut(void) {
    for (int c = 1; c < 128; c++) {
        char in[16], in2[32];
        snprintf(in, sizeof in, "Ab%cCd", c);
        snprintf(in2, sizeof in2, "%s \xC3\xA9t\xC3\xA9", in);
        char *a = NULL, *b = NULL;
        vigil_err err;
        CHECK_OK(vigil_text_normalize(in, strlen(in), &a, NULL, &err), &err);
        CHECK_OK(vigil_text_normalize(in2, strlen(in2), &b, NULL, &err), &err);
        size_t n = strlen(a);
        int same = strncmp(a, b, n) == 0 && strcmp(b + n, " \xC3\xA9t\xC3\xA9") == 0;
        if (!same) printf("    0x%02x: '%s' vs '%s'\n", c, a, b);
        free(a);
        free(b);
        CHECK(same);
    }
}

static void t_bad_input(void) {
    static const struct {
        const char *in;
        size_t len;
        const char *msg;
    } cases[] = {
        {"", 0, "empty input (0 bytes)"},
        {"caf\xE9 au lait", 12, "not UTF-8 text: invalid byte 0xe9 at byte 4"},
        {"\xFF\xFEh\0i\0", 6, "text is UTF-16"},
        {"h\0e\0l\0l\0o\0", 10, "text looks like UTF-16"},
        {"abc\0def ghi jkl mno pqr stu", 27, "not text: NUL byte at byte 4"},
        {"\xC0\xAF overlong", 10, "invalid byte 0xc0 at byte 1"},
        {"\xED\xA0\x80 surrogate", 13, "invalid byte 0xed"},
        {" ... !!! \xE2\x80\x94 ??? ", 16, "text has no words"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vigil_err err;
        vigil_err_clear(&err);
        vigil_text_sig sig;
        vigil_status rc = vigil_text_minhash(cases[i].in, cases[i].len, &sig, NULL, &err);
        if (rc != VIGIL_EFORMAT || !strstr(err.msg, cases[i].msg))
            printf("    case %zu: %s '%s'\n", i, vigil_status_name(rc), err.msg);
        CHECK_INT(rc, ==, VIGIL_EFORMAT);
        CHECK(strstr(err.msg, cases[i].msg) != NULL);
        vigil_lang l;
        CHECK_INT(vigil_lang_detect(cases[i].in, cases[i].len, &l, &err), ==,
                  i == sizeof cases / sizeof cases[0] - 1 ? VIGIL_OK : VIGIL_EFORMAT);
    }
    /* a file: missing, then not UTF-8 */
    char *data = NULL;
    size_t len = 0;
    vigil_err err;
    char path[1024];
    snprintf(path, sizeof path, "%s/no-such-text.txt", test_tmpdir());
    CHECK_INT(vigil_text_read_file(path, 0, &data, &len, &err), ==, VIGIL_ENOENT);
    snprintf(path, sizeof path, "%s/latin1.txt", test_tmpdir());
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    fputs("na\xEFve", f);
    fclose(f);
    CHECK_INT(vigil_text_read_file(path, 0, &data, &len, &err), ==, VIGIL_EFORMAT);
    CHECK(strstr(err.msg, "not UTF-8 text") != NULL);
    CHECK(data == NULL);
}

/* ---- signatures and their bank form --------------------------------------- */

/* The mh1 signature of the sentence in t_signature_form: pins the mh1
 * definition (bank values must not change between versions or machines) and
 * checks that every CPU-specific version of the value loop gives it. */
#define GOLDEN_SIG \
    "mh1:EBAx7AmLGCcI-qV1C-sjsBFA7moIQIqRA83mXQAEolkKVRcrCnTq3iPwoMAMMOhHBS8tngxfKfQEKbQbBAFKSh" \
    "N6RdMKz9s5FRnWCwQZu3E56xWyEPuTdgGe9BIlTeqWAyybLQ8VGaoK4wuIDE_BMg4gqcgiUmnsFWw0QzTsTFchhwRG" \
    "ATHtVQKkg40K0L-YGZ6N0wUuP6oxkNO9ADiljgQkcQ4KxRjACUabRwqbE4sQ9ZCzZur9WAtf_VkBr0YsK6SSnwoZ58" \
    "0eoGXfHb2xOwhsJ7kJdsTjM-YmRg4Cs-wevUnBCcNRohAYVbIP3pkYADjBNhhWvFIXdFlcBLq7Bgcyp1cJhyvJAt7N" \
    "KAHM1CEB6hFKQhuEPAIWnxkdkbjnATXEBhVaKswUKlC7D1cTpggjVpEMXRs4DtExtlSWTekcxKcoELE07gpRWwAhHR" \
    "jpSdTGZiVYnUwD7DVIKsh8cAG2dAAK9sD0FyRR4wmOfKUnCHgLFoHeihM2g2IKEfJ6BJwaeRAaMlIEthSYLZ8eJgvz" \
    "9Y44OZz9IIk9MAV1Iu9UXjrUQ6G9bwlQbF0Sw6oyKQIWOCtf1FcWKJWfGwG6fALR3Vkw7xVTF8QPbhPgw2UFNP43Al" \
    "GmsQcb9O4IoDdjUtXenQukvcMBqxqPHutoowNKrDZ1lOrZBjAcVgvNP4c"

static void t_signature_form(void) {
    const char *text = "The quick brown fox jumps over the lazy dog near the river bank.";
    vigil_text_sig a, b;
    vigil_err err;
    size_t sh = 0;
    CHECK_OK(vigil_text_minhash(text, strlen(text), &a, &sh, &err), &err);
    CHECK_INT(sh, ==, 11); /* 13 words, 3-word shingles */
    char s[VIGIL_TEXT_SIG_LEN + 1];
    vigil_text_sig_format(&a, s);
    CHECK_INT(strlen(s), ==, VIGIL_TEXT_SIG_LEN);
    CHECK(strncmp(s, "mh1:", 4) == 0);
    CHECK_STR(s, GOLDEN_SIG);
    CHECK_OK(vigil_text_sig_parse(s, &b, &err), &err);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK(vigil_text_similarity(&a, &b) == 1.0);
    /* deterministic, and the same for the normalised text */
    char *norm = NULL;
    CHECK_OK(vigil_text_normalize(text, strlen(text), &norm, NULL, &err), &err);
    CHECK_OK(vigil_text_minhash(norm, strlen(norm), &b, NULL, &err), &err);
    free(norm);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    /* a text of fewer words than a shingle still has a signature */
    CHECK_OK(vigil_text_minhash("Hi!", 3, &b, &sh, &err), &err);
    CHECK_INT(sh, ==, 1);
    /* bad forms */
    CHECK_INT(vigil_text_sig_parse("mh1:abc", NULL, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "expected 687 characters") && strstr(err.msg, "got 7"));
    char t[VIGIL_TEXT_SIG_LEN + 1];
    memcpy(t, s, sizeof t);
    t[0] = 'x';
    CHECK_INT(vigil_text_sig_parse(t, NULL, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "must start with 'mh1:'") != NULL);
    memcpy(t, s, sizeof t);
    t[10] = '+';
    CHECK_INT(vigil_text_sig_parse(t, NULL, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "'+' at position 11") != NULL);
    memcpy(t, s, sizeof t);
    t[VIGIL_TEXT_SIG_LEN - 1] = 'B'; /* unused bits set */
    CHECK_INT(vigil_text_sig_parse(t, NULL, &err), ==, VIGIL_EPARSE);
    /* bank values of type text are validated */
    char *canon = NULL;
    CHECK_OK(vigil_signal_canonical(VIGIL_SIGNAL_TEXT, s, &canon, &err), &err);
    CHECK_STR(canon, s);
    free(canon);
    CHECK_INT(vigil_signal_canonical(VIGIL_SIGNAL_TEXT, "some raw text", &canon, &err), ==, VIGIL_EPARSE);
    CHECK(strstr(err.msg, "vigil hash --text") != NULL);
}

/* ---- near-duplicates --------------------------------------------------------- */

static const char *const other_weather[] = {
    /* en */
    "Forecasters expect a cold and windy weekend in the north, with showers moving in from the "
    "sea on Saturday morning. Drivers are advised to allow extra time because several roads near "
    "the river could flood. By Tuesday the wind should ease and temperatures will return to "
    "normal for the season, the weather service said.",
    /* ar */
    "يتوقع خبراء الطقس عطلة نهاية أسبوع باردة وعاصفة في الشمال، مع زخات مطر قادمة من البحر صباح "
    "السبت. وينصح السائقون بتخصيص وقت إضافي لأن عدة طرق قرب النهر قد تغمرها المياه. وبحلول الثلاثاء "
    "يتوقع أن تهدأ الرياح وتعود درجات الحرارة إلى معدلاتها الموسمية، بحسب هيئة الأرصاد.",
    /* ru */
    "Синоптики обещают на севере холодные и ветреные выходные: в субботу утром с моря придут ливни. "
    "Водителям советуют закладывать больше времени на дорогу, так как несколько дорог у реки могут "
    "затопить. К вторнику ветер ослабнет, а температура вернётся к обычной для сезона, сообщила "
    "метеослужба.",
    /* bn */
    "আবহাওয়াবিদেরা উত্তরে ঠান্ডা ও ঝড়ো সপ্তাহান্তের পূর্বাভাস দিয়েছেন, শনিবার সকালে সাগর থেকে বৃষ্টি "
    "আসবে। নদীর কাছের কয়েকটি রাস্তা ডুবে যেতে পারে বলে চালকদের হাতে বাড়তি সময় রাখতে বলা হয়েছে। "
    "মঙ্গলবারের মধ্যে বাতাস কমবে এবং তাপমাত্রা মৌসুমের স্বাভাবিক অবস্থায় ফিরবে।",
    /* ja */
    "大阪では週末に冷たい風が吹き、土曜日の朝には海から雨雲が近づく見込みです。気象台は川沿いの道路が"
    "冠水するおそれがあるとして、車で出かける人に時間に余裕を持つよう呼びかけています。",
};

static const char *const japanese_article =
    "東京では週末に強い雨が降る見込みで、気象庁は川の近くの道路が冠水するおそれがあるとして注意を"
    "呼びかけています。気温は火曜日まで平年より低く、その後は晴れて乾いた天気になる見通しです。"
    "農家の人たちは、雨は最初の収穫には遅すぎたが秋の作物には役立つと話しています。"
    "地元のサッカークラブは土曜日の試合で二対一で勝ち、三連勝を飾りました。";

/* The article of language `code`: its two sample paragraphs. */
static char *article(const char *code) {
    if (strcmp(code, "ja") == 0) return strdup(japanese_article);
    size_t n = 0;
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < LANG_SAMPLES_N && out; i++) {
        if (strcmp(lang_samples[i].code, code) != 0) continue;
        n += (size_t)snprintf(out + n, 4096 - n, "%s%s", n ? "\n\n" : "", lang_samples[i].text);
    }
    return out;
}

/* The article as a reposter would have it: a site header, lines re-wrapped,
 * punctuation changed, a footer with share buttons and an ad. */
static char *repost(const char *src) {
    static const char header[] = "Home > World > Weather\nBREAKING | Share this article\n\n";
    static const char footer[] = "\n\nShare this article: Facebook | X | WhatsApp\n"
                                 "Advertisement - subscribe to our newsletter for the latest news!\n";
    char *out = malloc(sizeof header + 3 * strlen(src) + sizeof footer);
    if (!out) return NULL;
    size_t o = 0, spaces = 0;
    memcpy(out, header, sizeof header - 1);
    o = sizeof header - 1;
    for (const char *p = src; *p; p++) {
        if (*p == ' ' && ++spaces % 9 == 0) {
            out[o++] = '\n'; /* re-wrapped */
        } else if (*p == ',') {
            out[o++] = ' ';
            out[o++] = ';';
        } else if (*p == '.') {
            memcpy(out + o, "...", 3);
            o += 3;
        } else if (!strncmp(p, "\xD8\x8C", 2)) { /* Arabic comma */
            out[o++] = '-';
            p++;
        } else if (!strncmp(p, "\xE0\xA5\xA4", 3)) { /* danda */
            out[o++] = '!';
            p += 2;
        } else if (!strncmp(p, "\xE3\x80\x81", 3) || !strncmp(p, "\xE3\x80\x82", 3)) { /* 、。 */
            out[o++] = '\n';
            p += 2;
        } else {
            out[o++] = *p;
        }
    }
    memcpy(out + o, footer, sizeof footer);
    return out;
}

static double sim_of(const char *a, const char *b) {
    vigil_text_sig sa, sb;
    if (vigil_text_minhash(a, strlen(a), &sa, NULL, NULL) != VIGIL_OK) return -1;
    if (vigil_text_minhash(b, strlen(b), &sb, NULL, NULL) != VIGIL_OK) return -1;
    return vigil_text_similarity(&sa, &sb);
}

static void t_near_duplicates(void) {
    static const char *const codes[] = {"en", "ar", "ru", "bn", "ja"};
    int bad = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        char *orig = article(codes[i]);
        char *re = orig ? repost(orig) : NULL;
        CHECK(orig && re);
        double same = sim_of(orig, re), other = sim_of(orig, other_weather[i]);
        printf("    %s: repost %.2f, other text on the topic %.2f\n", codes[i], same, other);
        bad += same < 0.6 || other > 0.1 || other < 0;
        free(orig);
        free(re);
    }
    CHECK_INT(bad, ==, 0);
}

/* ---- the LSH index against brute force ----------------------------------- */

static uint64_t rng_state = 0x1234567;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* A random text of n words from a 3000-word vocabulary. */
static void random_text(char *buf, size_t cap, int n) {
    size_t o = 0;
    for (int i = 0; i < n && o + 16 < cap; i++)
        o += (size_t)snprintf(buf + o, cap - o, "w%u ", rnd() % 3000);
    buf[o] = '\0';
}

static void t_index_recall(void) {
    enum { N = 1500, Q = 150, CAP = 2048 };
    vigil_text_sig *sigs = malloc(N * sizeof *sigs);
    int64_t *ids = malloc(N * sizeof *ids);
    char *texts = malloc((size_t)N * CAP), *edit = malloc(CAP * 2);
    CHECK(sigs && ids && texts && edit);
    vigil_err err;
    for (int i = 0; i < N; i++) {
        char *t = texts + (size_t)i * CAP;
        random_text(t, CAP, 60 + (int)(rnd() % 100));
        CHECK_OK(vigil_text_minhash(t, strlen(t), &sigs[i], NULL, &err), &err);
        ids[i] = i + 1;
    }
    vigil_text_index *ix = NULL;
    CHECK_OK(vigil_text_index_new(0.5, &ix, &err), &err);
    CHECK_INT(vigil_text_index_rows(ix), ==, 3);
    CHECK_OK(vigil_text_index_add(ix, sigs, ids, N / 2, &err), &err); /* two batches */
    CHECK_OK(vigil_text_index_add(ix, sigs + N / 2, ids + N / 2, N - N / 2, &err), &err);
    CHECK_INT(vigil_text_index_size(ix), ==, N);
    /* queries: bank texts with a share of their words replaced */
    size_t truth = 0, found = 0, wrong = 0;
    for (int q = 0; q < Q; q++) {
        const char *t = texts + (size_t)(rnd() % N) * CAP;
        size_t o = 0;
        unsigned every = 4 + (unsigned)q % 20;
        for (const char *w = t; *w;) {
            size_t k = strcspn(w, " ");
            if (rnd() % every)
                o += (size_t)snprintf(edit + o, CAP * 2 - o, "%.*s ", (int)k, w);
            else
                o += (size_t)snprintf(edit + o, CAP * 2 - o, "changed ");
            w += k;
            w += *w == ' ';
        }
        vigil_text_sig qs;
        CHECK_OK(vigil_text_minhash(edit, o, &qs, NULL, &err), &err);
        vigil_text_hit *hits = NULL;
        size_t nh = 0;
        CHECK_OK(vigil_text_index_query(ix, &qs, 0.5, &hits, &nh, &err), &err);
        for (int i = 0; i < N; i++) {
            if (vigil_text_similarity(&qs, &sigs[i]) < 0.5) continue;
            truth++;
            for (size_t k = 0; k < nh; k++) found += hits[k].id == ids[i];
        }
        for (size_t k = 0; k < nh; k++) wrong += hits[k].similarity < 0.5;
        free(hits);
    }
    printf("    recall at 0.5: %zu/%zu\n", found, truth);
    CHECK_INT(wrong, ==, 0);
    CHECK_INT(truth, >=, Q / 2);
    CHECK_INT(found * 100, >=, truth * 97);
    vigil_text_index_free(ix);
    free(sigs);
    free(ids);
    free(texts);
    free(edit);
}

/* ---- the matcher over banks --------------------------------------------------- */

static void t_matcher(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    CHECK_OK(vigil_bank_create(st, "texts", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err), &err);
    CHECK_OK(vigil_bank_create(st, "ok-texts", VIGIL_BANK_ALLOW, -1, NULL, NULL, &err), &err);
    char *en = article("en"), *ru = article("ru");
    vigil_text_sig s;
    char v[VIGIL_TEXT_SIG_LEN + 1];
    int64_t id_en = 0, id_ru = 0;
    CHECK_OK(vigil_text_minhash(en, strlen(en), &s, NULL, &err), &err);
    vigil_text_sig_format(&s, v);
    vigil_entry_spec spec = {VIGIL_SIGNAL_TEXT, v, "entity=example", "T-1"};
    CHECK_OK(vigil_bank_add(st, "texts", &spec, &id_en, NULL, &err), &err);
    CHECK_OK(vigil_text_minhash(ru, strlen(ru), &s, NULL, &err), &err);
    vigil_text_sig_format(&s, v);
    spec.external_id = "T-2";
    CHECK_OK(vigil_bank_add(st, "texts", &spec, &id_ru, NULL, &err), &err);

    vigil_text_matcher *m = NULL;
    CHECK_OK(vigil_text_matcher_open(st, NULL, &m, &err), &err);
    CHECK_INT(vigil_text_matcher_entries(m), ==, 2);
    char *re = repost(ru);
    vigil_text_match_result r;
    CHECK_OK(vigil_text_minhash(re, strlen(re), &s, NULL, &err), &err);
    CHECK_OK(vigil_text_matcher_match(m, &s, &r, &err), &err);
    CHECK_INT(r.n, ==, 1);
    CHECK_INT(r.matches[0].entry_id, ==, id_ru);
    CHECK_STR(r.matches[0].bank, "texts");
    CHECK_STR(r.matches[0].external_id, "T-2");
    CHECK(r.matches[0].similarity >= 0.6 && r.matches[0].similarity < 1.0);
    vigil_text_match_result_clear(&r);
    vigil_text_matcher_free(m);

    /* the same text in an allow bank suppresses the match */
    spec.external_id = NULL;
    CHECK_OK(vigil_bank_add(st, "ok-texts", &spec, NULL, NULL, &err), &err);
    CHECK_OK(vigil_text_matcher_open(st, NULL, &m, &err), &err);
    CHECK_OK(vigil_text_matcher_match(m, &s, &r, &err), &err);
    CHECK_INT(r.n, ==, 1);
    CHECK(r.allowed && r.suppressed == 1);
    CHECK_STR(r.matches[0].bank, "ok-texts");
    vigil_text_match_result_clear(&r);
    vigil_text_matcher_free(m);

    /* one bank only; a stricter threshold */
    const char *only[] = {"texts"};
    vigil_text_match_opts o;
    vigil_text_match_opts_init(&o);
    o.banks = only;
    o.n_banks = 1;
    o.min_similarity = 0.99;
    CHECK_OK(vigil_text_matcher_open(st, &o, &m, &err), &err);
    CHECK_OK(vigil_text_matcher_match(m, &s, &r, &err), &err);
    CHECK_INT(r.n, ==, 0);
    vigil_text_match_result_clear(&r);
    vigil_text_matcher_free(m);
    o.banks = (const char *[]){"nope"};
    CHECK_INT(vigil_text_matcher_open(st, &o, &m, &err), ==, VIGIL_ENOENT);
    free(re);
    free(en);
    free(ru);
    vigil_store_close(st);
}

/* ---- language identification ---------------------------------------------- */

/* Splits a paragraph into sentences (., Urdu full stop, danda). */
static size_t sentences(const char *t, const char *out[8], size_t lens[8]) {
    size_t n = 0;
    const char *start = t;
    for (const char *p = t; *p && n < 8; p++) {
        size_t k = 0;
        if (*p == '.' && (p[1] == ' ' || !p[1])) k = 1;
        if (!strncmp(p, "\xDB\x94", 2)) k = 2;
        if (!strncmp(p, "\xE0\xA5\xA4", 3)) k = 3;
        if (!k) continue;
        while (*start == ' ') start++;
        out[n] = start;
        lens[n++] = (size_t)(p + k - start);
        start = p + k;
        p += k - 1;
    }
    return n;
}

static void t_lang(void) {
    int long_ok = 0, long_n = 0, short_ok = 0, short_n = 0;
    vigil_err err;
    for (size_t i = 0; i < LANG_SAMPLES_N; i++) {
        vigil_lang l;
        CHECK_OK(vigil_lang_detect(lang_samples[i].text, strlen(lang_samples[i].text), &l, &err), &err);
        long_n++;
        if (strcmp(l.code, lang_samples[i].code) == 0 && l.confidence >= 0.9)
            long_ok++;
        else
            printf("    long %s: got %s %.2f\n", lang_samples[i].code, l.code, l.confidence);
        const char *s[8];
        size_t lens[8];
        size_t ns = sentences(lang_samples[i].text, s, lens);
        for (size_t k = 0; k < ns; k++) {
            CHECK_OK(vigil_lang_detect(s[k], lens[k], &l, &err), &err);
            short_n++;
            short_ok += strcmp(l.code, lang_samples[i].code) == 0;
        }
    }
    printf("    long texts %d/%d, single sentences %d/%d\n", long_ok, long_n, short_ok, short_n);
    CHECK_INT(long_ok, ==, long_n);
    CHECK_INT(short_n, >=, 90);
    CHECK_INT(short_ok * 100, >=, short_n * 90);
    /* too little to tell */
    vigil_lang l;
    CHECK_OK(vigil_lang_detect("12 34 56 ...", 12, &l, &err), &err);
    CHECK_STR(l.code, "und");
    CHECK(l.confidence == 0.0);
}

/* ---- fuzz regressions --------------------------------------------------------- */

/* Replays fuzz/regress-text/: each input fails with a message, or has a
 * signature equal to that of its normalised form. */
static void t_fuzz_regressions(void) {
    DIR *d = opendir("fuzz/regress-text");
    if (!d) SKIP("fuzz/regress-text not found (run from the repository root)");
    struct dirent *e;
    int n = 0, bad = 0;
    static char buf[65536];
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "fuzz/regress-text/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        if (!f) continue;
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        vigil_err err;
        vigil_err_clear(&err);
        vigil_text_sig a, b;
        char *norm = NULL;
        size_t nlen = 0;
        if (vigil_text_minhash(buf, len, &a, NULL, &err) != VIGIL_OK) {
            bad += err.msg[0] == '\0';
        } else if (vigil_text_normalize(buf, len, &norm, &nlen, &err) != VIGIL_OK ||
                   vigil_text_minhash(norm, nlen, &b, NULL, &err) != VIGIL_OK ||
                   memcmp(&a, &b, sizeof a) != 0) {
            printf("    %s: not a fixed point\n", e->d_name);
            bad++;
        }
        free(norm);
        vigil_lang l;
        (void)vigil_lang_detect(buf, len, &l, &err);
        n++;
    }
    closedir(d);
    CHECK_INT(bad, ==, 0);
    CHECK_INT(n, >=, 5);
}

/* A store outage (VIGIL_EBUSY, simulated): a hit on an entry the matcher
 * found before answers from its copy (match/seen.h), a query with no hit
 * answers with no match, a hit never found before gets EBUSY, and an entry
 * the store has since called removed is not answered from its copy. */
static void t_matcher_outage(void) {
    vigil_store *st = NULL;
    vigil_err err;
    CHECK_OK(vigil_store_open(test_db(), &st, &err), &err);
    CHECK_OK(vigil_bank_create(st, "texts", VIGIL_BANK_NORMAL, -1, NULL, NULL, &err), &err);
    char *en = article("en"), *ru = article("ru"), *ar = article("ar");
    char *re_en = repost(en), *re_ru = repost(ru);
    vigil_text_sig s, q_en, q_ru, q_ar;
    char v[VIGIL_TEXT_SIG_LEN + 1];
    int64_t id_en = 0, id_ru = 0;
    CHECK_OK(vigil_text_minhash(en, strlen(en), &s, NULL, &err), &err);
    vigil_text_sig_format(&s, v);
    vigil_entry_spec spec = {VIGIL_SIGNAL_TEXT, v, "entity=example", "T-1"};
    CHECK_OK(vigil_bank_add(st, "texts", &spec, &id_en, NULL, &err), &err);
    CHECK_OK(vigil_text_minhash(ru, strlen(ru), &s, NULL, &err), &err);
    vigil_text_sig_format(&s, v);
    spec.labels = "entity=other";
    spec.external_id = "T-2";
    CHECK_OK(vigil_bank_add(st, "texts", &spec, &id_ru, NULL, &err), &err);
    CHECK_OK(vigil_text_minhash(re_en, strlen(re_en), &q_en, NULL, &err), &err);
    CHECK_OK(vigil_text_minhash(re_ru, strlen(re_ru), &q_ru, NULL, &err), &err);
    CHECK_OK(vigil_text_minhash(ar, strlen(ar), &q_ar, NULL, &err), &err);
    vigil_text_matcher *m = NULL;
    CHECK_OK(vigil_text_matcher_open(st, NULL, &m, &err), &err);
    vigil_text_match_result r;
    /* before the outage: the Russian repost matches, and its entry is copied */
    CHECK_OK(vigil_text_matcher_match(m, &q_ru, &r, &err), &err);
    CHECK_INT(r.n, ==, 1);
    vigil_text_match_result_clear(&r);
    vigil__store_set_unreachable(st, 1);
    vigil_entry down;
    CHECK_INT(vigil_bank_entry_get(st, id_ru, &down, &err), ==, VIGIL_EBUSY); /* the store is down */
    CHECK_OK(vigil_text_matcher_match(m, &q_ru, &r, &err), &err);
    CHECK_INT(r.n, ==, 1);
    if (r.n == 1) {
        CHECK_INT(r.matches[0].entry_id, ==, id_ru);
        CHECK_STR(r.matches[0].bank, "texts");
        CHECK_STR(r.matches[0].labels, "entity=other");
        CHECK_STR(r.matches[0].external_id, "T-2");
        CHECK(r.matches[0].similarity >= 0.6);
    }
    vigil_text_match_result_clear(&r);
    CHECK_OK(vigil_text_matcher_match(m, &q_ar, &r, &err), &err); /* no hit: the index is in memory */
    CHECK_INT(r.n, ==, 0);
    vigil_text_match_result_clear(&r);
    /* a hit on an entry never found: the matcher cannot tell, EBUSY (never "no match") */
    CHECK_INT(vigil_text_matcher_match(m, &q_en, &r, &err), ==, VIGIL_EBUSY);
    CHECK_INT(err.status, ==, VIGIL_EBUSY);
    CHECK_INT(r.n, ==, 0);
    /* the store back: the entry removed; the matcher (loaded before) sees it gone */
    vigil__store_set_unreachable(st, 0);
    CHECK_OK(vigil_bank_remove(st, "texts", id_ru, &err), &err);
    CHECK_OK(vigil_text_matcher_match(m, &q_ru, &r, &err), &err);
    CHECK_INT(r.n, ==, 0);
    vigil_text_match_result_clear(&r);
    vigil__store_set_unreachable(st, 1); /* and its copy is gone with it */
    CHECK_INT(vigil_text_matcher_match(m, &q_ru, &r, &err), ==, VIGIL_EBUSY);
    vigil__store_set_unreachable(st, 0);
    CHECK_OK(vigil_text_matcher_match(m, &q_en, &r, &err), &err); /* after it: the store again */
    CHECK_INT(r.n, ==, 1);
    vigil_text_match_result_clear(&r);
    vigil_text_matcher_free(m);
    free(re_en);
    free(re_ru);
    free(en);
    free(ru);
    free(ar);
    vigil_store_close(st);
}

const test_case suite_text[] = {
    {"text/normalize", t_normalize},
    {"text/ascii_shortcut", t_ascii_shortcut},
    {"text/bad_input", t_bad_input},
    {"text/signature_form", t_signature_form},
    {"text/near_duplicates", t_near_duplicates},
    {"text/index_recall", t_index_recall},
    {"text/matcher", t_matcher},
    {"text/matcher_outage", t_matcher_outage},
    {"text/lang", t_lang},
    {"text/fuzz_regressions", t_fuzz_regressions},
    {NULL, NULL},
};
