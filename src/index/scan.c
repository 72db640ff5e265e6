/*
 * src/index/scan.c - linear-scan distance kernels (portable, POPCNT, AVX2,
 * AVX-512 VPOPCNTQ), selected once at run time.  All give identical output.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "index/scan.h"

static inline uint64_t word(const vigil_pdq *h, int k) {
    uint64_t w;
    memcpy(&w, h->bytes + 8 * k, 8);
    return w;
}

/* Portable popcount (no POPCNT instruction assumed). */
static inline int pop64(uint64_t x) {
    x = x - ((x >> 1) & 0x5555555555555555ull);
    x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
    return (int)((x * 0x0101010101010101ull) >> 56);
}

size_t vigil__scan_portable(const vigil_pdq *h, size_t n, const vigil_pdq *q, int maxd,
                            uint32_t *pos, uint16_t *dist) {
    const uint64_t q0 = word(q, 0), q1 = word(q, 1), q2 = word(q, 2), q3 = word(q, 3);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int d = pop64(word(&h[i], 0) ^ q0) + pop64(word(&h[i], 1) ^ q1) +
                pop64(word(&h[i], 2) ^ q2) + pop64(word(&h[i], 3) ^ q3);
        if (d <= maxd) {
            pos[m] = (uint32_t)i;
            dist[m++] = (uint16_t)d;
        }
    }
    return m;
}

static int dist_portable(const vigil_pdq *a, const vigil_pdq *b) {
    return pop64(word(a, 0) ^ word(b, 0)) + pop64(word(a, 1) ^ word(b, 1)) +
           pop64(word(a, 2) ^ word(b, 2)) + pop64(word(a, 3) ^ word(b, 3));
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

__attribute__((target("popcnt"))) static size_t scan_popcnt(const vigil_pdq *h, size_t n,
                                                            const vigil_pdq *q, int maxd,
                                                            uint32_t *pos, uint16_t *dist) {
    const uint64_t q0 = word(q, 0), q1 = word(q, 1), q2 = word(q, 2), q3 = word(q, 3);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        int d = __builtin_popcountll(word(&h[i], 0) ^ q0) + __builtin_popcountll(word(&h[i], 1) ^ q1) +
                __builtin_popcountll(word(&h[i], 2) ^ q2) + __builtin_popcountll(word(&h[i], 3) ^ q3);
        if (d <= maxd) {
            pos[m] = (uint32_t)i;
            dist[m++] = (uint16_t)d;
        }
    }
    return m;
}

__attribute__((target("popcnt"))) static int dist_popcnt(const vigil_pdq *a, const vigil_pdq *b) {
    return __builtin_popcountll(word(a, 0) ^ word(b, 0)) + __builtin_popcountll(word(a, 1) ^ word(b, 1)) +
           __builtin_popcountll(word(a, 2) ^ word(b, 2)) + __builtin_popcountll(word(a, 3) ^ word(b, 3));
}

/* AVX2: nibble-table popcount (Mula), 1 hash per 256-bit register, the byte
 * counts summed with SAD into four 64-bit lanes, then across lanes. */
__attribute__((target("avx2,popcnt"))) static size_t scan_avx2(const vigil_pdq *h, size_t n,
                                                               const vigil_pdq *q, int maxd,
                                                               uint32_t *pos, uint16_t *dist) {
    const __m256i lut = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
                                         2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
    const __m256i low = _mm256_set1_epi8(0x0f);
    const __m256i qv = _mm256_loadu_si256((const __m256i *)(const void *)q->bytes);
    size_t m = 0, i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256i acc[4];
        for (int k = 0; k < 4; k++) {
            __m256i x = _mm256_xor_si256(
                _mm256_load_si256((const __m256i *)(const void *)h[i + k].bytes), qv);
            __m256i c = _mm256_add_epi8(_mm256_shuffle_epi8(lut, _mm256_and_si256(x, low)),
                                        _mm256_shuffle_epi8(lut, _mm256_and_si256(_mm256_srli_epi16(x, 4), low)));
            acc[k] = _mm256_sad_epu8(c, _mm256_setzero_si256()); /* 4 x u64 partial sums */
        }
        for (int k = 0; k < 4; k++) {
            __m128i s = _mm_add_epi64(_mm256_castsi256_si128(acc[k]), _mm256_extracti128_si256(acc[k], 1));
            int d = (int)(_mm_cvtsi128_si64(s) + _mm_extract_epi64(s, 1));
            if (d <= maxd) {
                pos[m] = (uint32_t)(i + k);
                dist[m++] = (uint16_t)d;
            }
        }
    }
    size_t k = scan_popcnt(h + i, n - i, q, maxd, pos + m, dist + m);
    for (size_t j = m; j < m + k; j++) pos[j] += (uint32_t)i;
    return m + k;
}

/* AVX-512 VPOPCNTQ: 8 hashes (4 registers of 2) per step.  The 4 x 8 word
 * counts (each <= 64) are packed into 16-bit fields of one register, so that
 * two in-lane permutes and adds give all 8 distances; one 16-bit compare. */
__attribute__((target("avx512f,avx512bw,avx512vpopcntdq,popcnt"))) static size_t
scan_avx512(const vigil_pdq *h, size_t n, const vigil_pdq *q, int maxd, uint32_t *pos,
            uint16_t *dist) {
    const __m512i qv = _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(const void *)q->bytes));
    const __m512i lim = _mm512_set1_epi16((short)maxd);
    size_t m = 0, i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m512i *p = (const __m512i *)(const void *)h[i].bytes;
        __m512i x0 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_load_si512(p), qv));
        __m512i x1 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_load_si512(p + 1), qv));
        __m512i x2 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_load_si512(p + 2), qv));
        __m512i x3 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_load_si512(p + 3), qv));
        /* lane j, field k: the count of word j%4 of hash 2k + j/4 */
        __m512i z = _mm512_or_si512(_mm512_or_si512(x0, _mm512_slli_epi64(x1, 16)),
                                    _mm512_or_si512(_mm512_slli_epi64(x2, 32), _mm512_slli_epi64(x3, 48)));
        z = _mm512_add_epi64(z, _mm512_permutex_epi64(z, _MM_SHUFFLE(2, 3, 0, 1)));
        z = _mm512_add_epi64(z, _mm512_permutex_epi64(z, _MM_SHUFFLE(1, 0, 3, 2)));
        /* lane 0 field k = distance of hash 2k; lane 4 field k = hash 2k+1 */
        __mmask32 mk = _mm512_cmple_epu16_mask(z, lim) & 0x000F000Fu;
        if (mk) {
            uint16_t dd[32];
            _mm512_storeu_si512((void *)dd, z);
            for (int k = 0; k < 4; k++) {
                if (mk & (1u << k)) {
                    pos[m] = (uint32_t)(i + 2 * k);
                    dist[m++] = dd[k];
                }
                if (mk & (1u << (16 + k))) {
                    pos[m] = (uint32_t)(i + 2 * k + 1);
                    dist[m++] = dd[16 + k];
                }
            }
        }
    }
    size_t k = scan_popcnt(h + i, n - i, q, maxd, pos + m, dist + m);
    for (size_t j = m; j < m + k; j++) pos[j] += (uint32_t)i;
    return m + k;
}
#endif

static vigil__scan_fn best_scan = vigil__scan_portable;
static vigil__dist_fn best_dist = dist_portable;
static const char *best_name = "portable";
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void select_kernels(void) {
#if defined(__x86_64__) && defined(__GNUC__)
    const char *no = getenv("VIGIL_NO_SIMD");
    if (no && *no && *no != '0') return;
    __builtin_cpu_init();
    if (__builtin_cpu_supports("popcnt")) {
        best_scan = scan_popcnt;
        best_dist = dist_popcnt;
        best_name = "popcnt";
    }
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt")) {
        best_scan = scan_avx2;
        best_name = "avx2";
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vpopcntdq")) {
        best_scan = scan_avx512;
        best_name = "avx512-vpopcntdq";
    }
#endif
}

vigil__scan_fn vigil__scan_best(void) {
    pthread_once(&once, select_kernels);
    return best_scan;
}

vigil__dist_fn vigil__dist_best(void) {
    pthread_once(&once, select_kernels);
    return best_dist;
}

const char *vigil__scan_best_name(void) {
    pthread_once(&once, select_kernels);
    return best_name;
}
