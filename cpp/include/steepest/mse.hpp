#pragma once

// Mean squared error of a linear model and its gradient, from one pass over the rows.
//
//   L      = (1/N) sum_i r_i^2 + l2 * ||w||^2        with r_i = x_i . w + b - y_i
//   dL/dw  = (2/N) sum_i r_i x_i + 2 * l2 * w
//   dL/db  = (2/N) sum_i r_i                          (the intercept is never penalised)

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "parallel.hpp"
#include "problem.hpp"

namespace steepest {

// Rows per reduction block. Each block is summed serially in row order and the blocks are then
// combined pairwise in block order, so the result is the same whichever thread computed which
// block: a fit is bit-for-bit identical with any number of threads.
inline constexpr index_t kBlockRows = 256;

// Below this many matrix elements in one batch, starting a parallel region costs more than it gains.
inline constexpr index_t kMinParallelElements = index_t{1} << 16;

namespace detail {

// Eight independent partial sums let the compiler use vector registers without -ffast-math, and
// fix the summation order, so the result does not depend on the vector width the compiler picks.
template <class T>
inline T dot(const T* a, const T* b, index_t n) {
    T acc[8] = {};
    index_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; ++k) acc[k] += a[j + k] * b[j + k];
    T tail = 0;
    for (; j < n; ++j) tail += a[j] * b[j];
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7])) + tail;
}

template <class T>
inline T squared_norm(const T* a, index_t n) {
    return dot(a, a, n);
}

// Rows ahead of the current one whose cache lines are requested early when rows are gathered
// through a permutation: random rows cost a DRAM latency each, which prefetching overlaps.
inline constexpr index_t kPrefetchRows = 8;

template <class T>
inline void prefetch_row(const T* row, index_t n_features) {
#if defined(__GNUC__) || defined(__clang__)
    const char* bytes = reinterpret_cast<const char*>(row);
    const index_t size = n_features * static_cast<index_t>(sizeof(T));
    for (index_t offset = 0; offset < size; offset += 64) __builtin_prefetch(bytes + offset);
#else
    (void)row;
    (void)n_features;
#endif
}

}  // namespace detail

// Maps a position within a batch to a row of X. Rows in natural order need no prefetching: the
// hardware sees the sequential stream.
struct ContiguousRows {
    static constexpr bool gathers = false;
    index_t first = 0;
    index_t operator()(index_t k) const { return first + k; }
    ContiguousRows shifted(index_t by) const { return {first + by}; }
    index_t ahead(index_t) const { return -1; }
};

// Rows listed in an order array (a permutation or a batch's indices). `ahead` looks past the end
// of the batch into the rest of the order, so prefetching runs across batch boundaries.
struct GatheredRows {
    static constexpr bool gathers = true;
    const index_t* order = nullptr;
    index_t first = 0;
    index_t end = 0;  // one past the last valid position in `order`
    index_t operator()(index_t k) const { return order[first + k]; }
    GatheredRows shifted(index_t by) const { return {order, first + by, end}; }
    index_t ahead(index_t k) const {
        const index_t position = first + k + detail::kPrefetchRows;
        return position < end ? order[position] : -1;
    }
};

namespace detail {

// Layout of one block's sums: [sum r_i x_i (n_features values), sum r_i, sum r_i^2].
template <class T>
struct Sums {
    T* data;
    index_t n_features;
    T* weighted_rows() const { return data; }
    T& residual() const { return data[n_features]; }
    T& squared_residual() const { return data[n_features + 1]; }
    static index_t width(index_t n_features) { return n_features + 2; }
};

// Accumulates the sums over positions [begin, end) of a batch; row_at (ContiguousRows or
// GatheredRows) maps a position to a row of X, so both share this one loop and rows are read in place.
template <class T, class RowAt>
inline void accumulate_block(const Problem<T>& p, const T* w, T b, RowAt row_at, index_t begin,
                             index_t end, Sums<T> out) {
    const index_t d = p.n_features;
    T* g = out.weighted_rows();
    std::fill(g, g + Sums<T>::width(d), T(0));
    T sum_r = 0, sum_r2 = 0;
    for (index_t k = begin; k < end; ++k) {
        if constexpr (RowAt::gathers) {
            const index_t next = row_at.ahead(k);
            if (next >= 0) prefetch_row(p.row(next), d);
        }
        const index_t i = row_at(k);
        const T* x = p.row(i);
        const T r = dot(x, w, d) + b - p.y[i];
        sum_r += r;
        sum_r2 += r * r;
        for (index_t j = 0; j < d; ++j) g[j] += r * x[j];
    }
    out.residual() = sum_r;
    out.squared_residual() = sum_r2;
}

}  // namespace detail

// Scratch memory for the per-block sums, kept across batches so the hot loop never allocates.
template <class T>
class Workspace {
  public:
    T* block_sums(index_t n_blocks, index_t width) {
        const auto needed = static_cast<std::size_t>(n_blocks * width);
        if (buffer_.size() < needed) buffer_.resize(needed);
        return buffer_.data();
    }

  private:
    std::vector<T> buffer_;
};

// Sums over `count` batch positions (row_at maps position -> row) into `out`, which must hold
// n_features + 2 values laid out as detail::Sums.
template <class T, class RowAt>
void batch_sums(const Problem<T>& p, const T* w, T b, RowAt row_at, index_t count,
                Workspace<T>& workspace, int n_threads, T* out) {
    const index_t d = p.n_features;
    const index_t width = detail::Sums<T>::width(d);
    const index_t n_blocks = (count + kBlockRows - 1) / kBlockRows;
    if (n_blocks <= 1) {
        detail::accumulate_block(p, w, b, row_at, 0, count, detail::Sums<T>{out, d});
        return;
    }
    T* partial = workspace.block_sums(n_blocks, width);
    [[maybe_unused]] const bool parallel = count * d >= kMinParallelElements;
    [[maybe_unused]] const int threads = resolve_threads(n_threads);
    STEEPEST_OMP(omp parallel for schedule(static) if (parallel) num_threads(threads))
    for (index_t blk = 0; blk < n_blocks; ++blk) {
        const index_t begin = blk * kBlockRows;
        const index_t end = std::min(count, begin + kBlockRows);
        detail::accumulate_block(p, w, b, row_at, begin, end, detail::Sums<T>{partial + blk * width, d});
    }
    // Pairwise in a fixed tree: deterministic, and its rounding error grows with log(n_blocks).
    for (index_t stride = 1; stride < n_blocks; stride *= 2)
        for (index_t blk = 0; blk + stride < n_blocks; blk += 2 * stride) {
            T* into = partial + blk * width;
            const T* from = partial + (blk + stride) * width;
            for (index_t j = 0; j < width; ++j) into[j] += from[j];
        }
    std::copy(partial, partial + width, out);
}

// Throws std::invalid_argument unless every index lies in [0, n_rows).
inline void check_rows(const index_t* rows, index_t count, index_t n_rows) {
    for (index_t k = 0; k < count; ++k)
        if (rows[k] < 0 || rows[k] >= n_rows)
            throw std::invalid_argument("row index " + std::to_string(rows[k]) + " at position " +
                                        std::to_string(k) + " is outside [0, " +
                                        std::to_string(n_rows) + ")");
}

// The objective and its gradient over a batch: all rows when rows == nullptr, otherwise the
// `count` rows listed (read in place, in that order). Returns the objective; writes n_features
// values to grad_w and one to grad_b.
template <class T>
T mse_loss_gradient(const Problem<T>& p, const T* w, T b, T l2, const index_t* rows, index_t count,
                    T* grad_w, T* grad_b, Workspace<T>& workspace, int n_threads = 0) {
    const index_t d = p.n_features;
    if (rows == nullptr) count = p.n_rows;
    if (count <= 0) throw std::invalid_argument("the batch has no rows");
    std::vector<T> sums(static_cast<std::size_t>(detail::Sums<T>::width(d)));
    if (rows == nullptr) {
        batch_sums(p, w, b, ContiguousRows{}, count, workspace, n_threads, sums.data());
    } else {
        check_rows(rows, count, p.n_rows);
        batch_sums(p, w, b, GatheredRows{rows, 0, count}, count, workspace, n_threads, sums.data());
    }
    const detail::Sums<T> s{sums.data(), d};
    const T scale = T(2) / static_cast<T>(count);
    for (index_t j = 0; j < d; ++j) grad_w[j] = scale * s.weighted_rows()[j] + T(2) * l2 * w[j];
    *grad_b = scale * s.residual();
    return s.squared_residual() / static_cast<T>(count) + l2 * detail::squared_norm(w, d);
}

}  // namespace steepest
