/*
 * bench/peer_brute.c - the plain brute-force peer: a popcount loop over all
 * hashes, built by the benchmark with -O3 -march=native (hardware POPCNT,
 * whatever the compiler vectorises).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

size_t peer_brute_query(const uint8_t *hashes, size_t n, const uint8_t *q, int maxd);

size_t peer_brute_query(const uint8_t *hashes, size_t n, const uint8_t *q, int maxd) {
    uint64_t q0, q1, q2, q3;
    memcpy(&q0, q, 8);
    memcpy(&q1, q + 8, 8);
    memcpy(&q2, q + 16, 8);
    memcpy(&q3, q + 24, 8);
    size_t found = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *h = hashes + 32 * i;
        uint64_t w0, w1, w2, w3;
        memcpy(&w0, h, 8);
        memcpy(&w1, h + 8, 8);
        memcpy(&w2, h + 16, 8);
        memcpy(&w3, h + 24, 8);
        int d = __builtin_popcountll(w0 ^ q0) + __builtin_popcountll(w1 ^ q1) +
                __builtin_popcountll(w2 ^ q2) + __builtin_popcountll(w3 ^ q3);
        found += d <= maxd;
    }
    return found;
}
