#pragma once

#include <cstdint>

namespace steepest {

// Signed 64-bit everywhere: arrays with more than 2^31 elements are ordinary.
using index_t = std::int64_t;

// A least-squares problem read in place: X is row-major with n_features contiguous values per
// row, y holds one target per row. The core never copies either.
template <class T>
struct Problem {
    const T* X = nullptr;
    const T* y = nullptr;
    index_t n_rows = 0;
    index_t n_features = 0;

    const T* row(index_t i) const { return X + i * n_features; }
};

}  // namespace steepest
