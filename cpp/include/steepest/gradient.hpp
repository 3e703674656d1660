#pragma once

// The objective of a linear model and its gradient, from one pass over the rows.
//
//   L      = (1/N) sum_i s_i l(p_i, y_i) + l2 * ||w||^2 + l1 * ||w||_1     with p_i = x_i . w + b
//   dL/dw  = (1/N) sum_i s_i l'(p_i, y_i) x_i + 2 * l2 * w (+ l1 * sign(w))
//   dL/db  = (1/N) sum_i s_i l'(p_i, y_i)                 (the intercept is never penalised)
//
// for the row losses l of losses.hpp and row weights s_i (1 without weights); for squared error,
// the mean squared error (1/N) sum_i s_i (p_i - y_i)^2.
//
// Determinism: a batch is cut into blocks whose size depends only on the batch size
// (block_rows_for); each block is summed serially in row order, and the blocks are combined in a
// fixed pairwise tree. Which thread computed which block never matters, so results are
// bit-for-bit the same with any number of threads.

#include <cstdint>
#include <cstring>

#include "losses.hpp"
#include "types.hpp"

STEEPEST_ALGORITHMS_BEGIN

// Rows per reduction block for a batch of `batch_rows` rows: at least two blocks once a batch
// is worth splitting, at most 256 rows so that float32 sums stay accurate.
inline index_t block_rows_for(index_t batch_rows) {
    return std::clamp<index_t>(batch_rows / 8, 16, 256);
}

// Below this many matrix elements in one batch, splitting it between threads costs more in
// synchronisation than it gains.
inline constexpr index_t kMinParallelElements = 2048;

namespace detail {

// Eight independent partial sums per dot product: the compiler keeps them in vector registers
// without -ffast-math, and the summation order is fixed by this code rather than by the vector
// width the compiler picks. (Sixteen for float measured 7-10% slower.)
template <class T>
inline constexpr int kLanes = 8;

#if defined(__GNUC__) && !defined(__clang__)
// The kLanes partial sums as one GCC vector, for finish_dot.
template <class T>
struct LaneVector;
template <>
struct LaneVector<float> {
    typedef float type __attribute__((vector_size(kLanes<float> * sizeof(float))));
    typedef std::int32_t mask __attribute__((vector_size(kLanes<float> * sizeof(float))));
};
template <>
struct LaneVector<double> {
    typedef double type __attribute__((vector_size(kLanes<double> * sizeof(double))));
    typedef std::int64_t mask __attribute__((vector_size(kLanes<double> * sizeof(double))));
};
#endif

// acc[0] + ... + acc[kLanes - 1] in a fixed tree (lane k plus lane k + 4, then k plus k + 2,
// then 0 plus 1), plus the products of the n leftover elements. With GCC the tree is written as
// vector shuffles: written on the array, GCC moved the last lanes through the stack, and SGD,
// where each row's dot product waits on the previous row's update, paid for it on every row
// (float32, rows in cache: 1.15-1.16 -> 1.01-1.07 ms per 30,000 rows; X 10^6 x 100, 2 threads,
// through Python: unshuffled 34.7-37.5 -> 30.0-31.1 ms per epoch, block-shuffled 37.3-39.1 ->
// 32.0-34.1, log loss 56.7-59.0 -> 50.1-50.4). Mini-batches: within noise. The additions, and
// so the bits, are the same either way (checked against the previous build with every kernel).
template <class T>
STEEPEST_ALWAYS_INLINE T finish_dot(T (&acc)[kLanes<T>], const T* a, const T* b, index_t n) {
    T tail = 0;
    for (index_t j = 0; j < n; ++j) tail += a[j] * b[j];
#if defined(__GNUC__) && !defined(__clang__)
    static_assert(kLanes<T> == 8, "the shuffles below are written for eight lanes");
    using Vector = typename LaneVector<T>::type;
    using Mask = typename LaneVector<T>::mask;
    Vector sums;
    std::memcpy(&sums, acc, sizeof sums);
    sums += __builtin_shuffle(sums, Mask{4, 5, 6, 7, 4, 5, 6, 7});
    sums += __builtin_shuffle(sums, Mask{2, 3, 2, 3, 2, 3, 2, 3});
    sums += __builtin_shuffle(sums, Mask{1, 1, 1, 1, 1, 1, 1, 1});
    return sums[0] + tail;
#else
    for (int width = kLanes<T> / 2; width > 0; width /= 2)
        for (int k = 0; k < width; ++k) acc[k] += acc[k + width];
    return acc[0] + tail;
#endif
}

template <class T>
STEEPEST_ALWAYS_INLINE T dot(const T* a, const T* b, index_t n) {
    T acc[kLanes<T>] = {};
    index_t j = 0;
    for (; j + kLanes<T> <= n; j += kLanes<T>)
        for (int k = 0; k < kLanes<T>; ++k) acc[k] += a[j + k] * b[j + k];
    return finish_dot(acc, a + j, b + j, n - j);
}

template <class T>
STEEPEST_ALWAYS_INLINE T squared_norm(const T* a, index_t n) {
    return dot(a, a, n);
}

// How far ahead rows gathered through an order array are requested: a random row costs a DRAM
// latency, which prefetching overlaps. About 20 KiB (24 rows of 100 float64) measured best here;
// 8 rows left SGD over shuffled rows 13% slower.
inline constexpr index_t kGatherLeadBytes = 20 * 1024;
inline constexpr index_t kPrefetchRows = 8;  // the fewest rows ahead, whatever their size

template <class T>
index_t gather_lead_rows(index_t n_features) {
    return std::clamp<index_t>(kGatherLeadBytes / (n_features * static_cast<index_t>(sizeof(T))), kPrefetchRows, 256);
}

template <class T>
STEEPEST_ALWAYS_INLINE void prefetch_row(const T* row, index_t n_features) {
#if defined(__GNUC__) || defined(__clang__)
    // Every cache line the row touches: a row need not start on a line boundary. Into L2 (T1),
    // not L1: requests for L1 hold one of its few line-fill buffers until the line arrives, which
    // caps the misses in flight; with T1, mini-batches over shuffled rows ran 15-20% faster.
    const auto first = reinterpret_cast<std::uintptr_t>(row) & ~std::uintptr_t{63};
    const auto end = reinterpret_cast<std::uintptr_t>(row + n_features);
    for (std::uintptr_t line = first; line < end; line += 64)
        __builtin_prefetch(reinterpret_cast<const void*>(line), 0, 2);
#else
    (void)row;
    (void)n_features;
#endif
}

template <class T>
STEEPEST_ALWAYS_INLINE void prefetch_value(const T* values, index_t i) {
#if defined(__GNUC__) || defined(__clang__)
    if (values != nullptr) __builtin_prefetch(values + i, 0, 2);
#else
    (void)values;
    (void)i;
#endif
}

}  // namespace detail

// Map a position within a batch to a row of X, and say which row to prefetch next: the row
// `lookahead` positions ahead, or -1 for none. By default only rows that do not continue a run
// of consecutive rows are prefetched, since the hardware streams runs by itself; a thread that
// reads a share of each small batch prefetches every row of its share of the next batch
// (every_row), so that memory keeps streaming while it waits at the batch's barrier.
struct ContiguousRows {
    index_t first = 0;
    index_t end = 0;        // one past the last row
    index_t lookahead = 0;  // 0: leave it to the hardware
    index_t operator()(index_t k) const { return first + k; }
    ContiguousRows shifted(index_t by) const { return {first + by, end, lookahead}; }
    ContiguousRows every_row(index_t distance) const { return {first, end, distance}; }
    index_t ahead(index_t k) const {
        const index_t position = first + k + lookahead;
        return lookahead > 0 && position < end ? position : -1;
    }
};

struct GatheredRows {
    const index_t* order = nullptr;
    index_t first = 0;
    index_t end = 0;  // one past the last valid position in `order`
    index_t lookahead = 0;  // gathered_rows() sets the measured distance
    bool all = false;
    bool scattered = false;  // rows in a random order (gathered_rows), not in runs
    index_t operator()(index_t k) const { return order[first + k]; }
    GatheredRows shifted(index_t by) const { return {order, first + by, end, lookahead, all, scattered}; }
    GatheredRows every_row(index_t distance) const { return {order, first, end, distance, true, scattered}; }
    // The row `lookahead` positions ahead, unless the current row's run of consecutive rows
    // reaches it: the hardware streams that run, but cannot guess where the next one starts.
    index_t ahead(index_t k) const {
        const index_t position = first + k + lookahead;
        if (position >= end) return -1;
        const index_t row = order[position];
        return all || row != order[first + k] + lookahead ? row : -1;
    }
};

// Positions [first, end) of `order`, each row prefetched about kGatherLeadBytes ahead: how every
// loop over listed rows reads them, unless it walks runs of consecutive rows (run_lead_rows).
template <class T>
GatheredRows gathered_rows(const Problem<T>& p, const index_t* order, index_t first, index_t end) {
    return {order, first, end, detail::gather_lead_rows<T>(p.n_features), false, true};
}

namespace detail {

// Requests the row `rows` says to prefetch at position k, if any, with its target and weight:
// every loop over rows starts so. A gathered row's y (and weight) is a random access of its own,
// another cache miss per row that, unrequested, stalled the row's derivative (float64 mini-batches
// over shuffled rows: about 5% of the epoch).
template <class T, class RowAt>
STEEPEST_ALWAYS_INLINE void prefetch_ahead(const Problem<T>& p, const RowAt& rows, index_t k) {
    const index_t next = rows.ahead(k);
    if (next < 0) return;
    prefetch_row(p.row(next), p.n_features);
    prefetch_value(p.y, next);
    prefetch_value(p.weights, next);
}

// Layout of one block's sums: [sum s_i g_i x_i (n_features values), sum s_i g_i, sum s_i l_i],
// g_i the loss policy's derivative of row i (dl/dp / kScale) and l_i its loss.
template <class T>
struct Sums {
    T* data;
    index_t n_features;
    T* weighted_rows() const { return data; }
    T& derivative() const { return data[n_features]; }
    T& loss() const { return data[n_features + 1]; }
    static index_t width(index_t n_features) { return n_features + 2; }
};

// Row i's weighted derivative (dl/dp / kScale) of the loss at `prediction`, and its weighted
// loss in `value`: what every loop over rows needs from a row.
template <class T, class Loss>
STEEPEST_ALWAYS_INLINE T weighted_derivative_at(const Problem<T>& p, const Loss& loss, T prediction, index_t i,
                                                T& value) {
    T r = loss(prediction, p.y[i], value);
    if (p.weights != nullptr) {
        r *= p.weights[i];
        value *= p.weights[i];
    }
    return r;
}

// The same at the prediction x . w + b.
template <class T, class Loss>
STEEPEST_ALWAYS_INLINE T weighted_derivative(const Problem<T>& p, const Loss& loss, const T* x, const T* w, T b,
                                             index_t i, T& value) {
    return weighted_derivative_at(p, loss, dot(x, w, p.n_features) + b, i, value);
}

// Loss policies that may hold the log loss, whose loops RowLosses treats apart.
template <class Loss>
inline constexpr bool may_be_log_loss = std::is_same_v<Loss, AnyLoss<typename Loss::value_type>>;

// Turns a row's prediction into its weighted derivative (as weighted_derivative_at) and adds its
// weighted loss, plus a penalty, to `total`. With kLogLoss (AnyLoss of kind log_loss), the log1p
// of each row's loss waits until 64 rows have gathered or the loop ends: it is a library call
// whose result no later row needs, yet inside a loop over rows it fills the processor's window,
// which then holds fewer rows' memory reads and, in SGD, delays the chain from one row's update to
// the next row's prediction. The same terms are added in the same order either way. Over 10^6 x
// 100 rows, log-loss SGD got 5-9% faster (float64) and 18-22% (float32), 24% over shuffled float64
// rows; mini-batches of 256 shuffled rows 12%.
template <class T, class Total, class Loss, bool kLogLoss>
class RowLosses {
  public:
    RowLosses(const Problem<T>& p, const Loss& loss, Total& total) : p_(p), loss_(loss), total_(total) {}
    ~RowLosses() { flush(); }
    RowLosses(const RowLosses&) = delete;
    RowLosses& operator=(const RowLosses&) = delete;

    // For SGD, whose objective counts the penalty before each step.
    STEEPEST_ALWAYS_INLINE T derivative(T prediction, index_t i, T penalty) {
        return derivative_and<true>(prediction, i, penalty);
    }

    // For the blocks of a batch, whose objective is the loss alone.
    STEEPEST_ALWAYS_INLINE T derivative(T prediction, index_t i) { return derivative_and<false>(prediction, i, T(0)); }

    void flush() {
        for (int k = 0; k < size_; ++k) {
            const Pending& row = pending_[k];
            T value = row.excess + std::log1p(row.e);
            value *= row.weight;
            total_ += static_cast<Total>(value + row.penalty);
        }
        size_ = 0;
    }

  private:
    template <bool kPenalty>
    STEEPEST_ALWAYS_INLINE T derivative_and(T prediction, index_t i, T penalty) {
        if constexpr (kLogLoss) {
            const T target = p_.y[i];
            Pending& row = pending_[size_];
            T r = std::clamp(AnyLoss<T>::log_loss_parts(target * prediction, target, row.e, row.excess),
                             -loss_.max_derivative, loss_.max_derivative);
            row.weight = 1;
            if (p_.weights != nullptr) {
                row.weight = p_.weights[i];
                r *= row.weight;
            }
            row.penalty = penalty;
            if (++size_ == kPending) flush();
            return r;
        } else {
            T value;
            const T r = weighted_derivative_at(p_, loss_, prediction, i, value);
            if constexpr (kPenalty) value += penalty;
            total_ += static_cast<Total>(value);
            return r;
        }
    }

    static constexpr int kPending = kLogLoss ? 64 : 1;
    struct Pending {
        T e, excess, weight, penalty;
    };
    const Problem<T>& p_;
    const Loss& loss_;
    Total& total_;
    Pending pending_[kPending];
    int size_ = 0;
};

// Sums over positions [begin, end) of a batch; row_at (ContiguousRows or GatheredRows) maps a
// position to a row of X, so both share this one loop. Each row is read once, for its prediction
// and for its share of the gradient. kGroup rows are taken at a time (see accumulate_block below).
template <int kGroup, bool kLogLoss, class T, class RowAt, class Loss>
inline void accumulate_rows(const Problem<T>& p, const T* w, T b, RowAt row_at, index_t begin, index_t end,
                            Sums<T> out, const Loss& loss) {
    static_assert(kGroup % 4 == 0, "g is updated four rows at a time");
    const index_t d = p.n_features;
    T* STEEPEST_RESTRICT g = out.weighted_rows();
    std::fill(g, g + Sums<T>::width(d), T(0));
    T sum_g = 0, sum_loss = 0;
    RowLosses<T, T, Loss, kLogLoss> losses(p, loss, sum_loss);
    index_t k = begin;
    // Several rows at a time: within a batch the predictions do not depend on each other, so the
    // processor overlaps their dot products, and g is loaded and stored once per four rows
    // instead of once per row (17.7 -> 13.8 ns per row in cache, d = 100 float64). Each g[j] takes
    // its rows' terms one at a time in row order, as in the one-row loop below, whatever kGroup is.
    for (; k + kGroup <= end; k += kGroup) {
        const T* x[kGroup];
        index_t i[kGroup];
        for (int q = 0; q < kGroup; ++q) {
            prefetch_ahead(p, row_at, k + q);
            i[q] = row_at(k + q);
            x[q] = p.row(i[q]);
        }
        T prediction[kGroup];
        for (int q = 0; q < kGroup; ++q) prediction[q] = dot(x[q], w, d) + b;
        T r[kGroup];
        for (int q = 0; q < kGroup; ++q) {
            r[q] = losses.derivative(prediction[q], i[q]);
            sum_g += r[q];
        }
        // Four rows per pass over g: with eight pointers at once GCC ran out of general registers.
        for (int q = 0; q < kGroup; q += 4) {
            const T* STEEPEST_RESTRICT x0 = x[q];
            const T* STEEPEST_RESTRICT x1 = x[q + 1];
            const T* STEEPEST_RESTRICT x2 = x[q + 2];
            const T* STEEPEST_RESTRICT x3 = x[q + 3];
            const T r0 = r[q], r1 = r[q + 1], r2 = r[q + 2], r3 = r[q + 3];
            for (index_t j = 0; j < d; ++j) g[j] = g[j] + r0 * x0[j] + r1 * x1[j] + r2 * x2[j] + r3 * x3[j];
        }
    }
    for (; k < end; ++k) {
        prefetch_ahead(p, row_at, k);
        const index_t i = row_at(k);
        const T* x = p.row(i);
        const T r = losses.derivative(dot(x, w, d) + b, i);
        sum_g += r;
        for (index_t j = 0; j < d; ++j) g[j] += r * x[j];
    }
    losses.flush();
    out.derivative() = sum_g;
    out.loss() = sum_loss;
}

// Rows scattered through X (a per-row shuffle) are taken eight at a time, other rows four at a
// time; the sums are the same to the bit. Over scattered rows the loop waits on memory, and eight
// rows' dot products in flight helped most where rows start on a cache line (float64, X 10^6 x
// 100, C++ harness, 2 threads: batch 32 / 256 / 4096 120 / 91 / 85 -> 82 / 74 / 64 ms per epoch),
// less at the 16-byte offset NumPy's large arrays usually have (through Python, medians of 3
// alternating runs, batch 256 with 1 thread: float32 95.5 -> 77.1, float64 134 -> 126; with 2
// threads within noise). Sixteen rows were slower with 2 threads. Rows in order or in runs were
// slower with eight (float64, batch 256, 1 thread, unshuffled: 38-42 -> 44-48 ms), as the
// hardware already streams them.
template <class T, class RowAt, class Loss>
inline void accumulate_block(const Problem<T>& p, const T* w, T b, RowAt row_at, index_t begin,
                             index_t end, Sums<T> out, const Loss& loss) {
    auto rows_by = [&](auto group) {
        constexpr int kGroup = decltype(group)::value;
        if constexpr (may_be_log_loss<Loss>)
            if (loss.kind == LossKind::log_loss)
                return accumulate_rows<kGroup, true>(p, w, b, row_at, begin, end, out, loss);
        accumulate_rows<kGroup, false>(p, w, b, row_at, begin, end, out, loss);
    };
    if constexpr (std::is_same_v<RowAt, GatheredRows>)
        if (row_at.scattered) return rows_by(std::integral_constant<int, 8>{});
    rows_by(std::integral_constant<int, 4>{});
}

// Adds n_blocks rows of `width` values in a fixed pairwise tree: out = ((b0+b1)+(b2+b3))+...
// The blocks are only read, so several threads may combine the same blocks at once; scratch
// holds (n_blocks + 1) / 2 rows.
template <class T>
inline void combine_pairwise(const T* blocks, index_t n_blocks, index_t width, T* scratch, T* out) {
    if (n_blocks == 1) {
        std::copy(blocks, blocks + width, out);
        return;
    }
    const index_t pairs = (n_blocks + 1) / 2;
    for (index_t k = 0; k < pairs; ++k) {
        const T* left = blocks + 2 * k * width;
        T* into = scratch + k * width;
        if (2 * k + 1 < n_blocks) {
            const T* right = left + width;
            for (index_t j = 0; j < width; ++j) into[j] = left[j] + right[j];
        } else {
            std::copy(left, left + width, into);
        }
    }
    for (index_t stride = 1; stride < pairs; stride *= 2)
        for (index_t k = 0; k + stride < pairs; k += 2 * stride) {
            T* into = scratch + k * width;
            const T* from = scratch + (k + stride) * width;
            for (index_t j = 0; j < width; ++j) into[j] += from[j];
        }
    std::copy(scratch, scratch + width, out);
}

}  // namespace detail

inline constexpr index_t kCacheLine = 64;

// The smallest multiple of a cache line's worth of T that holds n values.
template <class T>
index_t padded_to_cache_line(index_t n) {
    constexpr index_t per_line = kCacheLine / static_cast<index_t>(sizeof(T));
    return (n + per_line - 1) / per_line * per_line;
}

// Scratch memory for block sums, kept across batches so that the hot loop never allocates, and
// aligned to a cache line.
template <class T>
class Workspace {
  public:
    T* get(std::size_t size) {
        constexpr std::size_t per_line = kCacheLine / sizeof(T);
        if (buffer_.size() < size + per_line) buffer_.resize(size + per_line);
        const auto address = reinterpret_cast<std::uintptr_t>(buffer_.data());
        const std::size_t skip = (kCacheLine - address % kCacheLine) % kCacheLine / sizeof(T);
        return buffer_.data() + skip;
    }

  private:
    std::vector<T> buffer_;
};

// Sums over `count` batch positions into `out` (n_features + 2 values, laid out as detail::Sums),
// with the blocks computed in parallel when the batch is large enough.
template <class T, class RowAt, class Loss>
void batch_sums(const Problem<T>& p, const T* w, T b, RowAt row_at, index_t count,
                Workspace<T>& workspace, int n_threads, T* out, const Loss& loss) {
    const index_t d = p.n_features;
    // Each block's sums start on a cache line: a vector load or store that straddles two lines
    // costs two, and the sums are loaded and stored for every group of rows.
    const index_t width = padded_to_cache_line<T>(detail::Sums<T>::width(d));
    const index_t block = block_rows_for(count);
    const index_t n_blocks = (count + block - 1) / block;
    T* partial = workspace.get(static_cast<std::size_t>((n_blocks + (n_blocks + 1) / 2 + 1) * width));
    T* scratch = partial + n_blocks * width;
    T* combined = scratch + (n_blocks + 1) / 2 * width;
    [[maybe_unused]] const bool parallel = n_blocks > 1 && count * d >= kMinParallelElements;
    [[maybe_unused]] const int threads = resolve_threads(n_threads);
    STEEPEST_OMP(omp parallel for schedule(static) if (parallel) num_threads(threads))
    for (index_t blk = 0; blk < n_blocks; ++blk) {
        const index_t begin = blk * block;
        detail::accumulate_block(p, w, b, row_at, begin, std::min(count, begin + block),
                                 detail::Sums<T>{partial + blk * width, d}, loss);
    }
    detail::combine_pairwise(partial, n_blocks, width, scratch, combined);
    std::copy(combined, combined + detail::Sums<T>::width(d), out);
}

// Throws std::invalid_argument unless every index lies in [0, n_rows).
inline void check_rows(const index_t* rows, index_t count, index_t n_rows) {
    for (index_t k = 0; k < count; ++k)
        if (rows[k] < 0 || rows[k] >= n_rows)
            throw std::invalid_argument("row index " + std::to_string(rows[k]) + " at position " +
                                        std::to_string(k) + " is outside [0, " +
                                        std::to_string(n_rows) + ")");
}

// The objective and its gradient over `count` batch positions of `rows`, with the caller's
// workspace (the training loop calls it every epoch). Returns the objective; writes n_features
// values to grad_w, one to grad_b.
template <class T, class RowAt, class Loss>
T loss_gradient_with(const Problem<T>& p, const T* w, T b, T l2, RowAt rows, index_t count, T* grad_w,
                     T* grad_b, Workspace<T>& workspace, int n_threads, const Loss& loss) {
    const index_t d = p.n_features;
    if (count <= 0) throw std::invalid_argument("the batch has no rows");
    std::vector<T> sums(static_cast<std::size_t>(detail::Sums<T>::width(d)));
    batch_sums(p, w, b, rows, count, workspace, n_threads, sums.data(), loss);
    const detail::Sums<T> s{sums.data(), d};
    const T scale = Loss::kScale / static_cast<T>(count);
    for (index_t j = 0; j < d; ++j) grad_w[j] = scale * s.weighted_rows()[j] + T(2) * l2 * w[j];
    *grad_b = scale * s.derivative();
    return s.loss() / static_cast<T>(count) + l2 * detail::squared_norm(w, d);
}

// Calls run(loss policy) with the policy for `kind`: squared error has its own, exact and fast.
template <class T, class Run>
auto with_loss(LossKind kind, double epsilon, Run run, double max_derivative = std::numeric_limits<double>::infinity()) {
    // Beyond T's range (infinity included) nothing needs clipping.
    const T limit = max_derivative >= static_cast<double>(std::numeric_limits<T>::max())
                        ? std::numeric_limits<T>::infinity()
                        : static_cast<T>(max_derivative);
    if (kind == LossKind::squared_error) return run(SquaredError<T>{limit / SquaredError<T>::kScale});
    return run(AnyLoss<T>{kind, static_cast<T>(epsilon), limit});
}

// The objective and its gradient over a batch: all rows when rows == nullptr, otherwise the
// `count` rows listed (read in place, in that order; repeats allowed). With l1 > 0 the objective
// gains l1 * ||w||_1 and the gradient l1 * sign(w) (0 where w is 0: a subgradient).
template <class T>
T loss_gradient(const Problem<T>& p, const T* w, T b, T l2, T l1, const index_t* rows, index_t count,
                T* grad_w, T* grad_b, int n_threads, LossKind kind, double epsilon) {
    Workspace<T> workspace;
    if (rows != nullptr) check_rows(rows, count, p.n_rows);
    T loss = with_loss<T>(kind, epsilon, [&](const auto& policy) {
        if (rows == nullptr)
            return loss_gradient_with(p, w, b, l2, ContiguousRows{0, p.n_rows}, p.n_rows, grad_w, grad_b, workspace,
                                      n_threads, policy);
        return loss_gradient_with(p, w, b, l2, gathered_rows(p, rows, 0, count), count, grad_w, grad_b, workspace,
                                  n_threads, policy);
    });
    if (l1 > 0) {
        for (index_t j = 0; j < p.n_features; ++j) {
            loss += l1 * std::abs(w[j]);
            grad_w[j] += w[j] > 0 ? l1 : (w[j] < 0 ? -l1 : T(0));
        }
    }
    return loss;
}

STEEPEST_ALGORITHMS_END
