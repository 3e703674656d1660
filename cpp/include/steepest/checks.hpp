#pragma once

#include "types.hpp"

STEEPEST_ALGORITHMS_BEGIN

// Position of the first NaN or infinity among n values, or -1 when all are finite. Scans in
// parallel without a temporary array, so validating a large X costs one read of it and no memory.
template <class T>
index_t first_nonfinite(const T* data, index_t n, int n_threads = 0) {
    constexpr index_t kChunk = index_t{1} << 14;
    const index_t n_chunks = (n + kChunk - 1) / kChunk;
    index_t first_bad_chunk = n_chunks;
    [[maybe_unused]] const int threads = resolve_threads(n_threads);
    STEEPEST_OMP(omp parallel for schedule(static) reduction(min : first_bad_chunk) if (n_chunks > 16) num_threads(threads))
    for (index_t c = 0; c < n_chunks; ++c) {
        const index_t end = std::min(n, (c + 1) * kChunk);
        // x - x is 0 for every finite x and NaN otherwise; an OR over comparisons vectorises.
        bool bad = false;
        for (index_t i = c * kChunk; i < end; ++i) bad |= (data[i] - data[i]) != T(0);
        if (bad) first_bad_chunk = std::min(first_bad_chunk, c);
    }
    if (first_bad_chunk == n_chunks) return -1;
    for (index_t i = first_bad_chunk * kChunk; i < n; ++i)
        if (!std::isfinite(data[i])) return i;
    return -1;
}

STEEPEST_ALGORITHMS_END
