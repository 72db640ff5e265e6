// bench/peer_faiss.cpp - the Faiss peer (Debian's libfaiss-dev), built only
// by the benchmark: IndexBinaryFlat range search and IndexBinaryMultiHash.
// Faiss is never a dependency of vigil itself.
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHash.h>
#include <faiss/impl/AuxIndexStructures.h>
#include <cstdint>
#include <cstddef>

extern "C" {
void *peer_faiss_flat(const uint8_t *hashes, size_t n);
void *peer_faiss_multihash(const uint8_t *hashes, size_t n, int nhash, int b, int nflip);
size_t peer_faiss_range(void *index, const uint8_t *q, int maxd);
void peer_faiss_free(void *index);
}

void *peer_faiss_flat(const uint8_t *hashes, size_t n) {
    auto *ix = new faiss::IndexBinaryFlat(256);
    ix->add((faiss::Index::idx_t)n, hashes);
    return ix;
}

void *peer_faiss_multihash(const uint8_t *hashes, size_t n, int nhash, int b, int nflip) {
    auto *ix = new faiss::IndexBinaryMultiHash(256, nhash, b);
    ix->nflip = nflip;
    ix->add((faiss::Index::idx_t)n, hashes);
    return ix;
}

size_t peer_faiss_range(void *index, const uint8_t *q, int maxd) {
    auto *ix = static_cast<faiss::IndexBinary *>(index);
    faiss::RangeSearchResult res(1);
    // Faiss's radius is exclusive: distances < radius
    ix->range_search(1, q, maxd + 1, &res);
    return res.lims[1];
}

void peer_faiss_free(void *index) { delete static_cast<faiss::IndexBinary *>(index); }
