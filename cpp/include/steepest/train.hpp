#pragma once

// The training loops: full-batch gradient descent, SGD (batch size 1) and mini-batch SGD with a
// constant learning rate, over rows read in place in the order each epoch's shuffle gives.

#include "mse.hpp"
#include "shuffle.hpp"

STEEPEST_ALGORITHMS_BEGIN

// scikit-learn's rule, made relative so that it does not depend on the scale of y.
class NoImprovementRule {
  public:
    NoImprovementRule(double tol, index_t patience) : tol_(tol), patience_(patience) {}

    bool should_stop(double loss) {
        if (tol_ < 0) return false;
        const bool improved = !seen_any_ || loss < best_ - tol_ * std::abs(best_);
        count_ = improved ? 0 : count_ + 1;
        best_ = seen_any_ ? std::min(best_, loss) : loss;
        seen_any_ = true;
        return count_ >= patience_;
    }

  private:
    double tol_;
    index_t patience_;
    double best_ = 0;
    bool seen_any_ = false;
    index_t count_ = 0;
};

// Tells a fit that is running away from one that is merely slow, so that it stops with an error
// instead of being reported as converged by the no-improvement rule.
template <class T>
class DivergenceRule {
  public:
    // monotone: the objective must never rise, as for full-batch gradient descent on a convex
    // quadratic with any stable rate (f(w - ηg) <= f(w) whenever η <= 2/L).
    explicit DivergenceRule(bool monotone) : monotone_(monotone) {}

    // Scales are taken from the first objective seen (the starting one, for full batch): near
    // an exact fit the objective itself sits at rounding level, where relative changes mean nothing.
    bool diverged(double loss) {
        if (!std::isfinite(loss)) return true;
        if (!seen_any_) {
            first_ = best_ = loss;
            seen_any_ = true;
            return false;
        }
        if (loss > kExplosion * first_) return true;
        if (monotone_ && loss - best_ > kRoundingMargin * first_) return true;
        best_ = std::min(best_, loss);
        return false;
    }

  private:
    static constexpr double kExplosion = 1e3;
    static constexpr double kRoundingMargin = 1e4 * std::numeric_limits<T>::epsilon();
    bool monotone_;
    bool seen_any_ = false;
    double first_ = 0;
    double best_ = 0;
};

namespace detail {

// One example per step, over positions [0, count) of row_at: the row is read once, for both its
// residual and its update. Adds each step's objective (before the step) to `total`; `penalty`
// carries l2 * ||w||^2 from one call to the next.
template <class T, class RowAt>
void sgd_rows(const Problem<T>& p, RowAt row_at, index_t count, const FitOptions<T>& o, T* w, T& b,
              T& penalty, double& total) {
    const index_t d = p.n_features;
    const T lr = o.learning_rate;
    const T decay = T(1) - T(2) * lr * o.l2;
    for (index_t k = 0; k < count; ++k) {
        const index_t next = row_at.ahead(k);
        if (next >= 0) prefetch_row(p.row(next), d);
        const index_t i = row_at(k);
        const T* x = p.row(i);
        const T r = dot(x, w, d) + b - p.y[i];
        total += static_cast<double>(r * r + penalty);
        const T step = T(2) * lr * r;
        for (index_t j = 0; j < d; ++j) w[j] = decay * w[j] - step * x[j];
        if (o.fit_intercept) b -= step;
        if (o.l2 > 0) penalty = o.l2 * squared_norm(w, d);
    }
}

template <class T>
T initial_penalty(const FitOptions<T>& o, const T* w, index_t d) {
    return o.l2 > 0 ? o.l2 * squared_norm(w, d) : T(0);
}

template <class T, class RowAt>
double sgd_epoch(const Problem<T>& p, RowAt row_at, const FitOptions<T>& o, T* w, T& b) {
    T penalty = initial_penalty(o, w, p.n_features);
    double total = 0;
    sgd_rows(p, row_at, p.n_rows, o, w, b, penalty, total);
    return total / static_cast<double>(p.n_rows);
}

// Rows first, first + 1, ... of one run of `count` rows. Its last `lead` rows prefetch the first
// `lead` rows of the next run (about 64 KiB ahead), so that the jump to a new place in memory
// does not stall while the hardware prefetcher finds the new stream: with 80-row runs, that stall
// alone costs about 40% of an epoch.
inline constexpr index_t kRunLeadBytes = 64 * 1024;

template <class T>
index_t run_lead_rows(const Problem<T>& p) {
    return std::max(kPrefetchRows, kRunLeadBytes / (p.n_features * static_cast<index_t>(sizeof(T))));
}

struct RunRows {
    index_t first;
    index_t count;
    index_t next_first;
    index_t next_end;
    index_t lead;
    index_t operator()(index_t k) const { return first + k; }
    index_t ahead(index_t k) const {
        const index_t row = next_first + k - (count - lead);
        return row >= next_first && row < next_end ? row : -1;
    }
};

// SGD over shuffled blocks, each walked as a contiguous run: through an order array the same rows
// cost about 40% more, as every step would wait on an index before it can address its row.
template <class T>
double sgd_epoch_over_blocks(const Problem<T>& p, const index_t* blocks, const FitOptions<T>& o, T* w, T& b) {
    const index_t block_rows = o.shuffle_block_rows;
    const index_t n_blocks = (p.n_rows + block_rows - 1) / block_rows;
    const index_t lead = run_lead_rows(p);
    T penalty = initial_penalty(o, w, p.n_features);
    double total = 0;
    for (index_t k = 0; k < n_blocks; ++k) {
        const index_t first = blocks[k] * block_rows;
        const index_t next = k + 1 < n_blocks ? blocks[k + 1] * block_rows : p.n_rows;
        const index_t count = std::min(block_rows, p.n_rows - first);
        const RunRows run{first, count, next, std::min(p.n_rows, next + block_rows), lead};
        sgd_rows(p, run, count, o, w, b, penalty, total);
    }
    return total / static_cast<double>(p.n_rows);
}

// One mini-batch step from the batch's combined sums; adds the batch objective (before the step,
// times the batch's rows) to `total`.
template <class T>
inline void take_step(const Sums<T>& sums, index_t count, const FitOptions<T>& o, T* w, T& b,
                      double& total) {
    const index_t d = sums.n_features;
    const T penalty = o.l2 > 0 ? o.l2 * squared_norm(w, d) : T(0);
    total += static_cast<double>(sums.squared_residual()) +
             static_cast<double>(count) * static_cast<double>(penalty);
    const T decay = T(1) - T(2) * o.learning_rate * o.l2;
    const T step = T(2) * o.learning_rate / static_cast<T>(count);
    const T* g = sums.weighted_rows();
    for (index_t j = 0; j < d; ++j) w[j] = decay * w[j] - step * g[j];
    if (o.fit_intercept) b -= step * sums.residual();
}

inline constexpr index_t kPrefetchShareBytes = 256 * 1024;

inline index_t blocks_in(index_t batch_rows) {
    const index_t block = block_rows_for(batch_rows);
    return (batch_rows + block - 1) / block;
}

// One parallel region for the whole epoch, with one barrier per batch: each thread sums its share
// of the batch's blocks into shared memory, then every thread combines all blocks and takes the
// step on its own copy of the weights. The copies stay identical, as every thread performs the
// same operations in the same order, so no second barrier is needed to publish the weights.
// Batches alternate between two sets of block sums, so a thread that starts the next batch never
// overwrites sums another thread is still combining (both must pass the next barrier first).
template <class T, class RowAt>
double minibatch_epoch(const Problem<T>& p, RowAt row_at, const FitOptions<T>& o, T* w, T& b,
                       Workspace<T>& workspace) {
    const index_t n = p.n_rows, d = p.n_features, batch = o.batch_size;
    // Every block's sums and every thread's memory start on a cache line of their own: threads
    // writing neighbouring lines would otherwise bounce them between cores on every row.
    const index_t width = padded_to_cache_line<T>(Sums<T>::width(d));
    // A short last batch has smaller blocks, and may have up to 9 of them.
    const index_t max_blocks = std::max<index_t>(blocks_in(batch), 9);
    const index_t scratch_rows = (max_blocks + 1) / 2;
    const int threads = resolve_threads(o.n_threads);
    const bool parallel = threads > 1 && blocks_in(batch) > 1 && batch * d >= kMinParallelElements;
    [[maybe_unused]] const int team = parallel ? threads : 1;
    const index_t per_thread = padded_to_cache_line<T>(d) + (scratch_rows + 1) * width;
    T* shared_blocks = workspace.get(static_cast<std::size_t>(2 * max_blocks * width + team * per_thread));
    T* private_memory = shared_blocks + 2 * max_blocks * width;
    double epoch_total = 0;
    T final_b = b;

    // Threads whose share of a batch fits in their L2 cache prefetch their share of the next
    // batch, a batch ahead: the memory stream then goes on while they meet at the barrier.
    const bool small_shares =
        parallel && batch / team * d * static_cast<index_t>(sizeof(T)) <= kPrefetchShareBytes;
    const RowAt epoch_rows = small_shares ? row_at.every_row(batch) : row_at;

    auto run = [&](int thread, int n_threads) {
        T* my_w = private_memory + thread * per_thread;
        T* combined = my_w + padded_to_cache_line<T>(d);
        T* scratch = combined + width;
        std::copy(w, w + d, my_w);
        T my_b = b;
        double total = 0;
        index_t batch_number = 0;
        for (index_t start = 0; start < n; start += batch, ++batch_number) {
            const index_t count = std::min(batch, n - start);
            const index_t block = block_rows_for(count);
            const index_t n_blocks = (count + block - 1) / block;
            T* blocks = shared_blocks + (batch_number & 1) * max_blocks * width;
            const RowAt rows = epoch_rows.shifted(start);
            // Consecutive blocks per thread: long sequential streams for the hardware prefetcher.
            const index_t first_block = n_blocks * thread / n_threads;
            const index_t end_block = n_blocks * (thread + 1) / n_threads;
            for (index_t blk = first_block; blk < end_block; ++blk)
                accumulate_block(p, my_w, my_b, rows, blk * block, std::min(count, (blk + 1) * block),
                                 Sums<T>{blocks + blk * width, d});
            STEEPEST_OMP(omp barrier)
            combine_pairwise(blocks, n_blocks, width, scratch, combined);
            take_step(Sums<T>{combined, d}, count, o, my_w, my_b, total);
        }
        if (thread == 0) {
            std::copy(my_w, my_w + d, w);
            final_b = my_b;
            epoch_total = total;
        }
    };
#ifdef _OPENMP
    // Serial epochs go through the same region (the if clause keeps it to one thread), so that
    // both run the very same machine code: another inlined copy of `run` could contract
    // multiply-adds differently and break bit-identical results across thread counts.
    STEEPEST_OMP(omp parallel if (parallel) num_threads(team))
    run(omp_get_thread_num(), omp_get_num_threads());
#else
    run(0, 1);
#endif
    b = final_b;
    return epoch_total / static_cast<double>(n);
}

}  // namespace detail

// One epoch of SGD or mini-batch SGD (o.batch_size >= 1) over the rows in `order` (nullptr:
// natural order). Updates w and b in place and returns the epoch's mean batch objective.
template <class T>
double stochastic_epoch(const Problem<T>& p, const index_t* order, const FitOptions<T>& o, T* w,
                        T& b, Workspace<T>& workspace) {
    auto run = [&](auto row_at) {
        return o.batch_size == 1 ? detail::sgd_epoch(p, row_at, o, w, b)
                                 : detail::minibatch_epoch(p, row_at, o, w, b, workspace);
    };
    if (order == nullptr) return run(ContiguousRows{0, p.n_rows});
    // Runs of consecutive rows (block shuffling) are prefetched from further ahead: the hardware
    // prefetcher needs a long lead to ramp up on each new run, a random row needs only a few.
    const index_t lookahead =
        o.shuffle == ShuffleMode::blocks ? detail::run_lead_rows(p) : detail::kPrefetchRows;
    return run(GatheredRows{order, 0, p.n_rows, lookahead});
}

template <class T>
void check_options(const Problem<T>& p, const FitOptions<T>& o) {
    if (p.n_rows <= 0 || p.n_features <= 0)
        throw std::invalid_argument("the problem needs at least one row and one feature");
    if (o.batch_size < 0) throw std::invalid_argument("batch_size must be >= 0 (0: full batch)");
    if (!(o.learning_rate > 0) || !std::isfinite(static_cast<double>(o.learning_rate)))
        throw std::invalid_argument("learning_rate must be positive and finite");
    if (!(o.l2 >= 0) || !std::isfinite(static_cast<double>(o.l2)))
        throw std::invalid_argument("l2 must be non-negative and finite");
    if (o.max_epochs <= 0) throw std::invalid_argument("max_epochs must be positive");
    if (o.n_iter_no_change <= 0) throw std::invalid_argument("n_iter_no_change must be positive");
    if (o.shuffle == ShuffleMode::blocks && o.shuffle_block_rows <= 0)
        throw std::invalid_argument("shuffle_block_rows must be positive");
}

// Trains w (n_features values) and b in place from their current values.
template <class T>
FitReport fit(const Problem<T>& p, FitOptions<T> o, T* w, T& b, const EpochObserver<T>& observer = {}) {
    check_options(p, o);
    if (o.batch_size >= p.n_rows) o.batch_size = kFullBatch;
    if (!o.fit_intercept) b = 0;
    Workspace<T> workspace;
    NoImprovementRule rule(o.tol, o.n_iter_no_change);
    DivergenceRule<T> divergence(o.batch_size == kFullBatch);
    FitReport report;
    auto epoch_ends = [&](double loss) -> std::optional<StopReason> {
        report.loss_history.push_back(loss);
        if (divergence.diverged(loss)) return StopReason::diverged;
        if (observer && observer(EpochState<T>{report.n_epochs(), loss, w, p.n_features, b}))
            return StopReason::callback;
        if (rule.should_stop(loss)) return StopReason::tol;
        return std::nullopt;
    };

    if (o.batch_size == kFullBatch) {
        // Each pass yields the objective at the current weights, which is the objective after the
        // previous epoch: the history costs nothing, and a fit that stops keeps the weights whose
        // objective it reports. Only a fit that runs out of epochs pays one extra pass.
        const index_t d = p.n_features;
        std::vector<T> grad(static_cast<std::size_t>(d));
        T grad_b = 0;
        for (index_t epoch = 0;; ++epoch) {
            const double loss = loss_gradient_with(p, w, b, o.l2, ContiguousRows{0, p.n_rows}, p.n_rows, grad.data(),
                                                   &grad_b, workspace, o.n_threads);
            if (epoch == 0) {
                // The starting objective: a first step that raises it already diverges.
                divergence.diverged(loss);
            } else if (auto reason = epoch_ends(loss)) {
                report.stop_reason = *reason;
                return report;
            }
            if (epoch == o.max_epochs) break;
            for (index_t j = 0; j < d; ++j) w[j] -= o.learning_rate * grad[j];
            if (o.fit_intercept) b -= o.learning_rate * grad_b;
        }
        report.stop_reason = StopReason::max_epochs;
        return report;
    }

    OrderScratch orders;
    const bool sgd_over_blocks = o.batch_size == 1 && o.shuffle == ShuffleMode::blocks;
    for (index_t epoch = 0; epoch < o.max_epochs; ++epoch) {
        double loss;
        if (sgd_over_blocks) {
            const index_t* blocks = epoch_block_order(p.n_rows, o.shuffle_block_rows, o.seed, epoch, orders);
            loss = detail::sgd_epoch_over_blocks(p, blocks, o, w, b);
        } else {
            const index_t* epoch_rows =
                o.shuffle == ShuffleMode::none
                    ? nullptr
                    : epoch_order(o.shuffle, p.n_rows, o.shuffle_block_rows, o.seed, epoch, orders);
            loss = stochastic_epoch(p, epoch_rows, o, w, b, workspace);
        }
        if (auto reason = epoch_ends(loss)) {
            report.stop_reason = *reason;
            return report;
        }
    }
    report.stop_reason = StopReason::max_epochs;
    return report;
}

STEEPEST_ALGORITHMS_END
