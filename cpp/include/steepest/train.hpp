#pragma once

// The training loops: full-batch gradient descent (and Newton's method), SGD (batch size 1) and
// mini-batch SGD, over rows read in place in the order each epoch's shuffle gives.

#include "hessian.hpp"
#include "gradient.hpp"
#include "optim.hpp"
#include "shuffle.hpp"

STEEPEST_ALGORITHMS_BEGIN

// scikit-learn's rule, made relative so that it does not depend on the scale of y.
class NoImprovementRule {
  public:
    NoImprovementRule(double tol, index_t patience, bool absolute = false)
        : tol_(tol), patience_(patience), absolute_(absolute) {}

    bool should_stop(double loss) {
        if (tol_ < 0) return false;
        const bool improved = !seen_any_ || loss < best_ - tol_ * (absolute_ ? 1.0 : std::abs(best_));
        count_ = improved ? 0 : count_ + 1;
        best_ = seen_any_ ? std::min(best_, loss) : loss;
        seen_any_ = true;
        return count_ >= patience_;
    }

    // Starts counting epochs without improvement afresh (after a plateau schedule lowered its rate).
    void restart_count() { count_ = 0; }

  private:
    double tol_;
    index_t patience_;
    bool absolute_;
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
    explicit DivergenceRule(bool monotone, bool strict = true) : monotone_(monotone), strict_(strict) {}

    // Scales are taken from the first objective seen (the starting one, for full batch): near
    // an exact fit the objective itself sits at rounding level, where relative changes mean nothing.
    bool diverged(double loss) {
        if (!std::isfinite(loss)) return true;
        if (!strict_) return false;
        if (!seen_any_) {
            first_ = best_ = loss;
            seen_any_ = true;
            return false;
        }
        // A first objective of 0 (the perceptron's, from zero weights) sets no scale.
        if (first_ > 0 && loss > kExplosion * first_) return true;
        if (monotone_ && loss - best_ > kRoundingMargin * first_) return true;
        best_ = std::min(best_, loss);
        return false;
    }

  private:
    static constexpr double kExplosion = 1e3;
    static constexpr double kRoundingMargin = 1e4 * std::numeric_limits<T>::epsilon();
    bool monotone_;
    bool strict_;
    bool seen_any_ = false;
    double first_ = 0;
    double best_ = 0;
};

namespace detail {

// Keeps T out of template argument deduction where it appears (C++20's std::type_identity).
template <class T>
struct Identity {
    using type = T;
};

// How far an SGD epoch has got (a position in its order), for a second thread that reads the
// rows ahead of it (read_ahead); published every kProgressRows rows, or every block of rows.
struct RowProgress {
    std::atomic<index_t> position{0};
    std::atomic<bool> done{false};
};

inline constexpr index_t kProgressRows = 32;

// One example per step, over positions [0, count) of row_at: the row is read once, for both its
// prediction and its update. Adds each step's objective (before the step) to `total`; `penalty`
// carries l2 * ||w||^2 from one call to the next. kLogLoss: `loss` is AnyLoss with kind log_loss
// (see RowLosses). `progress`, if any, hears where the loop is.
template <bool kLogLoss, class T, class RowAt, class Loss>
void sgd_rows(const Problem<T>& p, RowAt row_at, index_t count, const FitOptions<T>& o, T* w, T& b,
              T& penalty, double& total, const Loss& loss, UpdateClock* clock, Interruption& interruption,
              RowProgress* progress) {
    const index_t d = p.n_features;
    T lr = o.learning_rate;
    T decay = T(1) - T(2) * lr * o.l2;
    RowLosses<T, double, Loss, kLogLoss> losses(p, loss, total);
    for (index_t chunk = 0; chunk < count; chunk += kPollRows) {
    if (chunk > 0 && interruption.check()) return;
    for (index_t k = chunk, chunk_end = std::min(count, chunk + kPollRows); k < chunk_end; ++k) {
        if (clock != nullptr) {
            lr = static_cast<T>(clock->next_rate());
            decay = T(1) - T(2) * lr * o.l2;
        }
        prefetch_ahead(p, row_at, k);
        if (progress != nullptr && k % kProgressRows == 0) progress->position.store(k, std::memory_order_relaxed);
        const index_t i = row_at(k);
        const T* x = p.row(i);
        const T r = losses.derivative(dot(x, w, d) + b, i, penalty);
        const T step = Loss::kScale * lr * r;
        for (index_t j = 0; j < d; ++j) w[j] = decay * w[j] - step * x[j];
        if (o.fit_intercept) b -= step;
        if (o.l2 > 0) penalty = o.l2 * squared_norm(w, d);
    }
    }
}

template <class T, class RowAt, class Loss>
void sgd_rows(const Problem<T>& p, RowAt row_at, index_t count, const FitOptions<T>& o, T* w, T& b,
              T& penalty, double& total, const Loss& loss, UpdateClock* clock, Interruption& interruption,
              RowProgress* progress = nullptr) {
    if constexpr (may_be_log_loss<Loss>)
        if (loss.kind == LossKind::log_loss)
            return sgd_rows<true>(p, row_at, count, o, w, b, penalty, total, loss, clock, interruption, progress);
    sgd_rows<false>(p, row_at, count, o, w, b, penalty, total, loss, clock, interruption, progress);
}

// SGD runs on one core, and is limited by the misses that core keeps in flight, its software
// prefetches included: about 84 ns per random row of 100 float64 (one thread's gather floor),
// about 50 ns per row read in order. A second thread that loads the rows 48-160 KiB ahead of the
// epoch (one byte of each cache line) serves them to the first core from its cache. X 10^6 x 100,
// per epoch: over shuffled rows float64 116 -> 90-96 ms, float32 68 -> 54-56, log loss float64
// 137 -> 108; over rows in order float64 61.6 -> 52.0, float32 41.0 -> 37.3. It only reads, and
// never holds the epoch up: it stops when told the epoch is done, however far it has got.
inline constexpr index_t kReadAheadFromBytes = 48 * 1024;
inline constexpr index_t kReadAheadToBytes = 160 * 1024;

template <class T, class RowOf>
void read_ahead(const Problem<T>& p, RowOf row_of, index_t n, const RowProgress& progress) {
    const index_t row_bytes = p.n_features * static_cast<index_t>(sizeof(T));
    const index_t from = std::max<index_t>(1, kReadAheadFromBytes / row_bytes);
    const index_t to = std::max<index_t>(from + 1, kReadAheadToBytes / row_bytes);
    unsigned sink = 0;
    index_t k = 0;
    while (!progress.done.load(std::memory_order_relaxed)) {
        const index_t at = progress.position.load(std::memory_order_relaxed);
        k = std::max(k, at + from);
        if (k >= n) break;
        const index_t end = std::min(n, at + to);
        if (k >= end) {
            std::this_thread::yield();
            continue;
        }
        for (; k < end; ++k) {
            // Every cache line of the row: one byte in each 64, and the row's last byte.
            const auto* row = reinterpret_cast<const volatile unsigned char*>(p.row(row_of(k)));
            for (index_t byte = 0; byte < row_bytes; byte += 64) sink += row[byte];
            sink += row[row_bytes - 1];
        }
    }
    // The loads (volatile) happen anyway; keeping their sum spares readers the question.
    static std::atomic<unsigned> kept{0};
    kept.store(sink, std::memory_order_relaxed);
}

// SGD's next prediction waits on the current update, so the hardware prefetcher, which paces
// itself by the loads it sees, falls behind even on rows read in order: requesting the rows about
// 2 KiB ahead made an unshuffled float64 epoch 20% faster (float32 7%); 6 KiB or more ahead was
// slower than none.
inline constexpr index_t kSgdLeadBytes = 2048;

template <class T>
ContiguousRows sgd_order(const Problem<T>& p, ContiguousRows rows) {
    return rows.every_row(std::max<index_t>(1, kSgdLeadBytes / (p.n_features * static_cast<index_t>(sizeof(T)))));
}

template <class T>
GatheredRows sgd_order(const Problem<T>& /*p*/, GatheredRows rows) {
    return rows;
}

template <class T>
T initial_penalty(const FitOptions<T>& o, const T* w, index_t d) {
    return o.l2 > 0 ? o.l2 * squared_norm(w, d) : T(0);
}

template <class T, class RowAt, class Loss>
double sgd_epoch(const Problem<T>& p, RowAt row_at, index_t count, const FitOptions<T>& o, T* w, T& b,
                 const Loss& loss, UpdateClock* clock, Interruption& interruption, RowProgress* progress) {
    T penalty = initial_penalty(o, w, p.n_features);
    double total = 0;
    sgd_rows(p, row_at, count, o, w, b, penalty, total, loss, clock, interruption, progress);
    return total / static_cast<double>(count);
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
template <class T, class Loss>
double sgd_epoch_over_blocks(const Problem<T>& p, const index_t* blocks, const FitOptions<T>& o, T* w, T& b,
                             const Loss& loss, UpdateClock* clock, Interruption& interruption, RowProgress* progress) {
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
        if (progress != nullptr) progress->position.store(k * block_rows, std::memory_order_relaxed);
        sgd_rows(p, run, count, o, w, b, penalty, total, loss, clock, interruption);
        // Blocks are short: poll about every kPollRows rows of them.
        if ((k + 1) % std::max<index_t>(1, kPollRows / block_rows) == 0 && interruption.check()) break;
    }
    return total / static_cast<double>(p.n_rows);
}

inline constexpr index_t kPrefetchShareBytes = 256 * 1024;

// The barrier between a mini-batch epoch's threads, met once per batch. OpenMP's own (libgomp)
// cost 270-750 ns per crossing here against 100-410 ns for this one, and a batch of 32 rows takes
// about 1.5 us on one thread, so the barrier decided whether two threads paid: float64, X 10^6 x
// 100, 2 threads, C++ harness, medians of 4 alternating runs, batch 32 unshuffled 55 -> 38 ms
// per epoch (43-70 -> 35-40 across runs), block-shuffled 61 -> 42, shuffled rows 105 -> 83;
// batch 256 unshuffled 35 -> 31, shuffled rows 80 -> 75. Waiting threads spin, and yield their
// core after kSpinsBeforeYield pauses, or at once when there are more threads than processors,
// where a spinning thread would hold back the very thread it waits for. With another program
// keeping one of these 2 cores busy every choice is slow: this barrier less than libgomp's on
// small batches (float64 batch 32 over shuffled rows 640-765 -> 327-437 ms per epoch, against
// 86 alone), more on larger ones (batch 256 unshuffled 78-97 -> 105-197); sleeping on a
// condition variable after the spins, instead of yielding, was slower still (1067-1292, 222-261).
class EpochBarrier {
  public:
    // requested: the threads asked of the parallel region, which may grant fewer.
    explicit EpochBarrier(int requested) : spins_before_yield_(spin_budget(requested)) {}

    // Returns once all n_threads threads of the team (the number the region granted) have called
    // it. Everything a thread wrote before its call is visible to every thread after theirs:
    // arrivals are release-acquire read-modify-writes on one counter, and the last arrival
    // publishes the new generation with a release store.
    void wait(int n_threads) {
        if (n_threads <= 1) return;
        const unsigned current = generation_.load(std::memory_order_acquire);
        if (arrived_.fetch_add(1, std::memory_order_acq_rel) == n_threads - 1) {
            arrived_.store(0, std::memory_order_relaxed);
            generation_.store(current + 1, std::memory_order_release);
            return;
        }
        for (int spins = 0; generation_.load(std::memory_order_acquire) == current; ++spins) {
            if (spins < spins_before_yield_) pause();
            else std::this_thread::yield();
        }
    }

  private:
    static constexpr int kSpinsBeforeYield = 1 << 14;  // about 0.1-0.5 ms

    static int spin_budget(int n_threads) {
#ifdef _OPENMP
        const int processors = omp_get_num_procs();
#else
        const int processors = static_cast<int>(std::thread::hardware_concurrency());
#endif
        return processors > 0 && n_threads > processors ? 0 : kSpinsBeforeYield;
    }

    static void pause() {
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
        __builtin_ia32_pause();
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
        __asm__ __volatile__("yield");
#endif
    }

    // Each on a cache line of its own: the counter takes every arrival, the generation is polled.
    alignas(64) std::atomic<int> arrived_{0};
    alignas(64) std::atomic<unsigned> generation_{0};
    int spins_before_yield_;
};

inline bool is_power_of_two(index_t n) { return n > 0 && (n & (n - 1)) == 0; }

inline index_t blocks_in(index_t batch_rows) {
    const index_t block = block_rows_for(batch_rows);
    return (batch_rows + block - 1) / block;
}

// One parallel region for the whole epoch, with one barrier per batch: each thread sums its share
// of the batch's blocks into shared memory, then every thread combines all blocks and takes the
// step on its own copy of the weights. The copies stay identical, as every thread performs the
// same operations in the same order, so no second barrier is needed to publish the weights.
// When each thread's blocks form whole subtrees of the pairwise combining tree (power-of-two
// counts of blocks and threads, two blocks or more per thread), each thread combines its own
// subtree before the barrier and, after it, only the threads' subtree sums: the same additions in
// the same tree, and one sum read from each other core instead of all its blocks (batch 256: one
// instead of four).
// Batches alternate between two sets of block sums, so a thread that starts the next batch never
// overwrites sums another thread is still combining (both must pass the next barrier first).
//
// `step` (PlainStep or Stepper) turns a batch's sums into an update; each thread steps a copy of
// it, and the copy of thread 0 is handed back at the end of the epoch, with the state it carries.
template <class T, class RowAt, class Step, class Loss>
double minibatch_epoch(const Problem<T>& p, RowAt row_at, index_t n, const FitOptions<T>& o, T* w, T& b,
                       Step& step, Workspace<T>& workspace, const Loss& loss, Interruption& interruption) {
    const index_t d = p.n_features, batch = o.batch_size;
    // Every block's sums and every thread's memory start on a cache line of their own: threads
    // writing neighbouring lines would otherwise bounce them between cores on every row.
    const index_t width = padded_to_cache_line<T>(Sums<T>::width(d));
    // A short last batch has smaller blocks, and may have up to 9 of them.
    const index_t max_blocks = std::max<index_t>(blocks_in(batch), 9);
    const index_t scratch_rows = (max_blocks + 1) / 2;
    const int threads = resolve_threads(o.n_threads);
    const bool parallel = threads > 1 && blocks_in(batch) > 1 && batch * d >= kMinParallelElements;
    const int team = parallel ? threads : 1;
    const index_t per_thread = padded_to_cache_line<T>(d) + (scratch_rows + 1) * width;
    T* shared_blocks =
        workspace.get(static_cast<std::size_t>(2 * max_blocks * width + 2 * team * width + team * per_thread));
    T* shared_subtrees = shared_blocks + 2 * max_blocks * width;
    T* private_memory = shared_subtrees + 2 * team * width;
    double epoch_total = 0;
    T final_b = b;
    // Thread 0 polls for an interruption (when a few milliseconds have passed) before every
    // batch's barrier and every thread reads the answer after it; two slots by batch parity, as
    // for the block sums, so that thread 0 never overwrites an answer another thread has yet to read.
    char stop[2] = {0, 0};
    EpochBarrier barrier(team);

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
        Step my_step = step;
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
                                 Sums<T>{blocks + blk * width, d}, loss);
            const bool by_subtrees =
                n_threads > 1 && is_power_of_two(n_threads) && is_power_of_two(n_blocks) && n_blocks >= 2 * n_threads;
            T* subtrees = shared_subtrees + (batch_number & 1) * team * width;
            if (by_subtrees)
                combine_pairwise(blocks + first_block * width, end_block - first_block, width, scratch,
                                 subtrees + thread * width);
            if (thread == 0) stop[batch_number & 1] = interruption.check_if_due() ? 1 : 0;
            barrier.wait(n_threads);
            if (stop[batch_number & 1]) break;
            if (by_subtrees)
                combine_pairwise(subtrees, n_threads, width, scratch, combined);
            else
                combine_pairwise(blocks, n_blocks, width, scratch, combined);
            my_step(Sums<T>{combined, d}, count, my_w, my_b, total);
        }
        if (thread == 0) {
            std::copy(my_w, my_w + d, w);
            final_b = my_b;
            epoch_total = total;
            step = std::move(my_step);
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

namespace detail {

// Calls run(rows) with the accessor for an epoch's order: in place when order is nullptr,
// gathered otherwise. Runs of consecutive rows (block shuffling, or the training rows of an
// early-stopping fit) are prefetched from further ahead: the hardware prefetcher needs a long
// lead to ramp up on each new run, a random row needs only a few. Rows in order are requested
// from as far ahead as runs are: on an AMD EPYC (Zen, AVX-512), one thread's unshuffled
// mini-batches were slower than block-shuffled ones without it, as the hardware prefetcher alone
// fell behind (float64, X 10^6 x 100, 1 thread, C++ harness: batch 32 72-74 -> 42-50 ms per
// epoch, batch 256 43-47 -> 36-37.5; through Python 73-82 -> 54-59 and 50-53 -> 42-46; batch
// 4096 and full batch unchanged, and two threads within noise).
template <class T, class Run>
auto with_rows(const Problem<T>& p, const index_t* order, index_t count, bool runs, Run run) {
    if (order == nullptr) return run(ContiguousRows{0, count, run_lead_rows(p)});
    if (runs) return run(GatheredRows{order, 0, count, run_lead_rows(p)});
    return run(gathered_rows(p, order, 0, count));
}

// The Euclidean norm of the objective's gradient (g: the data term's, n_features values, then
// the intercept's), penalties included; with l1, of its smallest subgradient.
template <class T>
double gradient_norm(const T* g, T g_b, const T* w, index_t d, T l2, T l1, bool fit_intercept) {
    double sum = fit_intercept ? static_cast<double>(g_b) * g_b : 0.0;
    for (index_t j = 0; j < d; ++j) {
        double gradient = static_cast<double>(g[j]) + 2.0 * static_cast<double>(l2) * w[j];
        if (l1 > 0) {
            if (w[j] != 0) gradient += w[j] > 0 ? l1 : -l1;
            else gradient = std::max(std::abs(gradient) - static_cast<double>(l1), 0.0);
        }
        sum += gradient * gradient;
    }
    return std::sqrt(sum);
}

}  // namespace detail

template <class T>
void check_options(const Problem<T>& p, const FitOptions<T>& o) {
    if (p.n_rows <= 0 || p.n_features <= 0)
        throw std::invalid_argument("the problem needs at least one row and one feature");
    if (o.batch_size < 0) throw std::invalid_argument("batch_size must be >= 0 (0: full batch)");
    if (!(o.learning_rate > 0) || !std::isfinite(static_cast<double>(o.learning_rate)))
        throw std::invalid_argument("learning_rate must be positive and finite");
    if (!(o.l2 >= 0) || !std::isfinite(static_cast<double>(o.l2)))
        throw std::invalid_argument("l2 must be non-negative and finite");
    if (!(o.l1 >= 0) || !std::isfinite(static_cast<double>(o.l1)))
        throw std::invalid_argument("l1 must be non-negative and finite");
    if (o.max_epochs <= 0) throw std::invalid_argument("max_epochs must be positive");
    if (o.n_iter_no_change <= 0) throw std::invalid_argument("n_iter_no_change must be positive");
    if (o.shuffle == ShuffleMode::blocks && o.shuffle_block_rows <= 0)
        throw std::invalid_argument("shuffle_block_rows must be positive");
    if (o.train_rows != nullptr) {
        if (o.n_train <= 0) throw std::invalid_argument("the training rows are empty");
        check_rows(o.train_rows, o.n_train, p.n_rows);
    }
    if (o.validation_rows != nullptr) check_rows(o.validation_rows, o.n_validation, p.n_rows);
    const bool full = o.batch_size == kFullBatch || o.batch_size >= (o.train_rows ? o.n_train : p.n_rows);
    if (o.method == Method::newton && !full) throw std::invalid_argument("method newton needs full batch");
    if (o.method == Method::newton && o.l1 > 0) throw std::invalid_argument("method newton cannot take an l1 penalty");
    if (o.method == Method::newton && o.loss != LossKind::squared_error)
        throw std::invalid_argument("method newton needs loss squared_error");
    if (o.auto_learning_rate && curvature_bound(o.loss) <= 0)
        throw std::invalid_argument("auto_learning_rate needs a smooth loss");
    if (!(o.loss_epsilon >= 0) || !std::isfinite(o.loss_epsilon))
        throw std::invalid_argument("loss_epsilon must be non-negative and finite");
    if (o.line_search && (!full || o.method != Method::sgd))
        throw std::invalid_argument("line_search needs full batch and method sgd");
}

namespace detail {

// One epoch's order of rows (nullptr: all rows in order), drawn by epoch_order and mapped through
// the training rows of an early-stopping fit, with the memory it needs.
template <class T>
struct EpochOrders {
    OrderScratch scratch;
    std::vector<index_t> mapped;  // the order, through the training rows
    const index_t* order = nullptr;
    index_t epoch = -1;

    const index_t* get(const FitOptions<T>& o, index_t n, index_t wanted) {
        if (epoch == wanted) return order;
        order = nullptr;
        if (o.shuffle != ShuffleMode::none)
            order = epoch_order(o.shuffle, n, o.shuffle_block_rows, o.seed, wanted, scratch, resolve_threads(o.n_threads));
        if (o.train_rows != nullptr) {
            if (order == nullptr) {
                order = o.train_rows;
            } else {
                mapped.resize(static_cast<std::size_t>(n));
                for (index_t k = 0; k < n; ++k) mapped[k] = o.train_rows[order[k]];
                order = mapped.data();
            }
        }
        epoch = wanted;
        return order;
    }

    // Runs run_epoch() on the calling thread while another draws `next`'s order for epoch
    // next_epoch (unless it is max_epochs) and then runs read_ahead_rows() until run_epoch has set
    // progress.done. For SGD, which runs on one thread and waits on memory: drawing 10^6 rows'
    // order takes about 4 ms, 3-5% of an epoch over shuffled rows, and the orders are the same.
    template <class RunEpoch, class ReadAhead>
    static double overlap(const RunEpoch& run_epoch, const ReadAhead& read_ahead_rows, RowProgress& progress,
                          EpochOrders& next, const FitOptions<T>& o, index_t n, index_t next_epoch) {
        double result = 0;
        std::exception_ptr failure[2];
        auto epoch = [&]() {
            try {
                result = run_epoch();
            } catch (...) {
                failure[0] = std::current_exception();
            }
            progress.done.store(true, std::memory_order_relaxed);
        };
        auto helper = [&]() {
            try {
                if (next_epoch < o.max_epochs) next.get(o, n, next_epoch);
                read_ahead_rows();
            } catch (...) {
                failure[1] = std::current_exception();
            }
        };
#ifdef _OPENMP
        STEEPEST_OMP(omp parallel num_threads(2))
        {
            const int thread = omp_get_thread_num();
            // The calling thread runs the epoch: it may call back into Python (interruptions).
            if (thread == 0 || omp_get_num_threads() == 1) epoch();
            if (thread == 1 || omp_get_num_threads() == 1) helper();
        }
#else
        epoch();
        helper();
#endif
        for (const auto& thrown : failure)
            if (thrown) std::rethrow_exception(thrown);
        return result;
    }
};

template <class T, class Loss>
FitReport fit_with(const Problem<T>& p, FitOptions<T> o, T* w, T& b, const EpochObserver<T>& observer,
                   const Loss& loss) {
    const index_t n = o.train_rows ? o.n_train : p.n_rows;
    const index_t d = p.n_features;
    if (o.batch_size >= n) o.batch_size = kFullBatch;
    if (!o.fit_intercept) b = 0;
    std::vector<T> auto_scale;
    if (o.auto_learning_rate) {
        AutoRate<T> chosen = detail::with_rows(p, o.train_rows, n, true, [&](auto rows) {
            return auto_learning_rate(p, rows, n, o.l2, o.fit_intercept, o.batch_size, o.n_threads,
                                      curvature_bound(o.loss));
        });
        double rate = chosen.learning_rate;
        // Momentum multiplies the effective step of noisy gradients by 1 / (1 - momentum); full
        // batch needs no such care (heavy ball is stable up to 2 (1 + momentum) / L).
        const bool with_momentum = o.method == Method::momentum || o.method == Method::nesterov;
        if (with_momentum && o.batch_size != kFullBatch) rate *= 1.0 - o.momentum;
        o.learning_rate = static_cast<T>(rate);
        auto_scale = std::move(chosen.coordinate_scale);
        o.coordinate_scale = auto_scale.data();
    }
    o.schedule.eta0 = static_cast<double>(o.learning_rate);
    const bool full_batch = o.batch_size == kFullBatch;
    const bool validating = o.validation_rows != nullptr && o.n_validation > 0;
    Workspace<T> workspace;
    Interruption interruption{o.interrupt};
    Stepper<T> stepper(o, d, Loss::kScale);
    const bool plain = is_plain(o);
    NoImprovementRule rule(o.tol, o.n_iter_no_change, o.absolute_tol);
    // Full-batch gradient descent on a smooth convex objective never raises it at a stable rate;
    // momentum, adaptive rules, proximal steps and subgradients of kinked losses may, without diverging.
    DivergenceRule<T> divergence(full_batch && (o.method == Method::sgd || o.method == Method::newton) &&
                                 o.l1 == 0 && curvature_bound(o.loss) > 0,
                                 o.strict_divergence);
    FitReport report;

    std::vector<T> best_w, evaluated_w(static_cast<std::size_t>(d));
    T best_b = b;
    double best_validation = std::numeric_limits<double>::infinity();
    auto validation_loss = [&]() {
        // Measured on the weights the fit would return: the average, when averaging.
        std::copy(w, w + d, evaluated_w.begin());
        T evaluated_b = b;
        stepper.use_average(evaluated_w.data(), evaluated_b);
        std::vector<T> sums(static_cast<std::size_t>(detail::Sums<T>::width(d)));
        batch_sums(p, evaluated_w.data(), evaluated_b, gathered_rows(p, o.validation_rows, 0, o.n_validation),
                   o.n_validation, workspace, o.n_threads, sums.data(), loss);
        const double value =
            static_cast<double>(Sums<T>{sums.data(), d}.loss()) / static_cast<double>(o.n_validation);
        if (value < best_validation) {
            best_validation = value;
            best_w = evaluated_w;
            best_b = evaluated_b;
        }
        return value;
    };
    auto finish = [&](StopReason reason) {
        report.stop_reason = reason;
        report.n_updates = stepper.updates();
        if (reason == StopReason::diverged) return report;
        if (validating && !best_w.empty()) {
            std::copy(best_w.begin(), best_w.end(), w);
            b = best_b;
        } else {
            stepper.use_average(w, b);
        }
        return report;
    };
    // Records an epoch; returns the reason to stop, if any. gradient_norm < 0: not known.
    auto epoch_ends = [&](double objective, double rate, double gradient_norm) -> std::optional<StopReason> {
        report.loss_history.push_back(objective);
        report.learning_rate_history.push_back(rate);
        if (divergence.diverged(objective)) return StopReason::diverged;
        double monitored = objective;
        double validation = std::numeric_limits<double>::quiet_NaN();
        if (validating) {
            validation = validation_loss();
            report.validation_loss_history.push_back(validation);
            monitored = validation;
        }
        if (observer && observer(EpochState<T>{report.n_epochs(), objective, rate, validation, w, d, b}))
            return StopReason::callback;
        if (gradient_norm >= 0 && gradient_norm <= o.gtol) return StopReason::gtol;
        if (rule.should_stop(monitored)) {
            if (o.schedule.kind != ScheduleKind::plateau) return validating ? StopReason::validation : StopReason::tol;
            rule.restart_count();
            if (!stepper.reduce_on_plateau()) return StopReason::tol;
        }
        return std::nullopt;
    };

    const index_t* train_rows = o.train_rows;
    if (full_batch) {
        std::vector<T> grad(static_cast<std::size_t>(d)), direction(static_cast<std::size_t>(d));
        T grad_b = 0;
        // The data term's objective and gradient at (ww, bb); every epoch is one such pass.
        auto evaluate = [&](const T* ww, T bb) {
            return detail::with_rows(p, train_rows, n, true, [&](auto rows) {
                return static_cast<double>(loss_gradient_with(p, ww, bb, T(0), rows, n, grad.data(), &grad_b,
                                                              workspace, o.n_threads, loss));
            });
        };
        auto objective_at = [&](double data_loss, const T* ww) {
            return data_loss + static_cast<double>(penalty_of(ww, d, o.l2, o.l1));
        };
        std::optional<NewtonSolver<T>> newton;
        if (o.method == Method::newton)
            detail::with_rows(p, train_rows, n, true, [&](auto rows) {
                newton.emplace(p, rows, n, o.l2, o.fit_intercept, o.n_threads);
                return 0.0;
            });
        double data_loss = evaluate(w, b);
        // The starting objective: a first step that raises it already diverges.
        divergence.diverged(objective_at(data_loss, w));
        double trial_rate = static_cast<double>(o.learning_rate);
        std::vector<T> old_w(static_cast<std::size_t>(d)), old_grad(static_cast<std::size_t>(d));
        for (index_t epoch = 0; epoch < o.max_epochs; ++epoch) {
            if (interruption.check()) return finish(StopReason::interrupted);
            stepper.begin_epoch(epoch);
            double rate = stepper.rate();
            const auto eta = static_cast<T>(rate);
            if (o.line_search) {
                // Backtracking until f(w+) <= f(w) + g.(w+ - w) + |w+ - w|^2 / (2 eta) (Armijo's
                // sufficient decrease with c = 1/2 for a plain step; Beck and Teboulle's with the
                // proximal step of l1). For the quadratic objective it is tested in its exact
                // equivalent form (w+ - w).(g+ - g) <= |w+ - w|^2 / eta, from the gradients the
                // trial pass computes anyway: comparing objectives instead fails near the minimum,
                // where their differences sink below rounding and decide at random.
                std::copy(w, w + d, old_w.begin());
                std::copy(grad.begin(), grad.end(), old_grad.begin());
                const T old_b = b, old_grad_b = grad_b;
                bool accepted = false;
                for (int halving = 0; halving < 60 && !accepted; ++halving, trial_rate /= 2) {
                    const auto step = static_cast<T>(trial_rate);
                    for (index_t j = 0; j < d; ++j) {
                        w[j] = old_w[j] - step * (old_grad[j] + T(2) * o.l2 * old_w[j]);
                        if (o.l1 > 0) w[j] = soft_threshold(w[j], step * o.l1);
                    }
                    if (o.fit_intercept) b = old_b - step * old_grad_b;
                    data_loss = evaluate(w, b);
                    double curvature = 0, distance = 0;
                    for (index_t j = 0; j < d; ++j) {
                        const double change = static_cast<double>(w[j]) - old_w[j];
                        const double gradient_change = static_cast<double>(grad[j]) - old_grad[j] +
                                                       2.0 * static_cast<double>(o.l2) * change;
                        curvature += change * gradient_change;
                        distance += change * change;
                    }
                    if (o.fit_intercept) {
                        const double change = static_cast<double>(b) - old_b;
                        curvature += change * (static_cast<double>(grad_b) - old_grad_b);
                        distance += change * change;
                    }
                    accepted = curvature <= distance / trial_rate;
                    if (accepted) rate = trial_rate;
                }
                if (!accepted) {
                    // No step decreases the objective beyond rounding: the minimum is reached.
                    std::copy(old_w.begin(), old_w.end(), w);
                    b = old_b;
                    data_loss = evaluate(w, b);
                    return finish(StopReason::tol);
                }
                // The next epoch starts from the accepted step (Beck and Teboulle): doubling it
                // again would, near the minimum, let rounding accept steps beyond 2/L, on which
                // the iterates oscillate instead of converging.
                trial_rate = rate;
            } else {
                for (index_t j = 0; j < d; ++j) direction[j] = grad[j] + T(2) * o.l2 * w[j];
                T direction_b = o.fit_intercept ? grad_b : T(0);
                if (newton) {
                    newton->solve(direction.data(), direction_b);
                    for (index_t j = 0; j < d; ++j) w[j] -= eta * direction[j];
                    if (o.fit_intercept) b -= eta * direction_b;
                    stepper.count_updates(1);
                } else if (plain) {
                    for (index_t j = 0; j < d; ++j) w[j] -= eta * direction[j];
                    if (o.fit_intercept) b -= eta * direction_b;
                    stepper.count_updates(1);
                } else {
                    stepper.update(grad.data(), grad_b, w, b);
                    rate = stepper.last_rate();
                }
                data_loss = evaluate(w, b);
            }
            const double norm = o.gtol >= 0 ? detail::gradient_norm(grad.data(), grad_b, w, d, o.l2, o.l1,
                                                                    o.fit_intercept)
                                            : -1.0;
            if (auto reason = epoch_ends(objective_at(data_loss, w), rate, norm)) return finish(*reason);
        }
        return finish(StopReason::max_epochs);
    }

    // Two epochs' orders when a one-thread SGD epoch runs over one while a second thread draws the
    // next into the other (EpochOrders::overlap); otherwise the first is reused, so that a fit
    // holds one order (8 bytes per row) and not two.
    EpochOrders<T> epoch_orders[2];
    const bool runs = o.shuffle != ShuffleMode::rows;
    const index_t batches = (n + o.batch_size - 1) / o.batch_size;
    const bool sgd_over_blocks =
        plain && o.batch_size == 1 && o.shuffle == ShuffleMode::blocks && train_rows == nullptr;
    // One-thread SGD epochs get a second thread: it draws the next epoch's order (rows shuffle)
    // and reads the rows ahead of the epoch (plain SGD, whatever the shuffle).
    const bool helper_thread = o.batch_size == 1 && (plain || o.shuffle == ShuffleMode::rows) &&
                                resolve_threads(o.n_threads) > 1;
    for (index_t epoch = 0; epoch < o.max_epochs; ++epoch) {
        stepper.begin_epoch(epoch);
        double rate = stepper.rate();
        const index_t* order = nullptr;
        EpochOrders<T>& orders = epoch_orders[helper_thread ? epoch & 1 : 0];
        double epoch_loss = 0;
        FitOptions<T> epoch_options = o;
        epoch_options.learning_rate = static_cast<T>(rate);
        std::optional<UpdateClock> clock;
        if (plain && changes_every_update(o.schedule)) clock = UpdateClock{&o.schedule, stepper.updates(), epoch, stepper.plateaus()};
        UpdateClock* clock_ptr = clock ? &*clock : nullptr;
        RowProgress progress;
        // Only plain SGD reports its progress; other epochs leave the reader with nothing to do.
        RowProgress* sgd_progress = plain && helper_thread ? &progress : nullptr;
        // The epoch, on this thread; with helper_thread, another draws epoch next_epoch's order
        // (when it is below max_epochs) and reads the rows ahead (row_of(k): the row at position k).
        auto run = [&](auto run_epoch, index_t next_epoch, auto row_of, index_t positions) {
            if (!helper_thread) return run_epoch();
            auto read_ahead_rows = [&]() {
                if (sgd_progress != nullptr) read_ahead(p, row_of, positions, *sgd_progress);
            };
            return EpochOrders<T>::overlap(run_epoch, read_ahead_rows, progress, epoch_orders[(epoch + 1) & 1], o, n,
                                           next_epoch);
        };
        if (sgd_over_blocks) {
            const index_t* blocks = epoch_block_order(n, o.shuffle_block_rows, o.seed, epoch, orders.scratch);
            // Position k of the epoch is row k % block_rows of its block; rows past the last are
            // clamped (the short last block shifts the positions after it, and the reader only reads).
            const index_t block_rows = o.shuffle_block_rows;
            epoch_loss = run(
                [&]() {
                    return sgd_epoch_over_blocks(p, blocks, epoch_options, w, b, loss, clock_ptr, interruption,
                                                 sgd_progress);
                },
                o.max_epochs,
                [&](index_t k) { return std::min(n - 1, blocks[k / block_rows] * block_rows + k % block_rows); },
                (n + block_rows - 1) / block_rows * block_rows);
        } else {
            order = orders.get(o, n, epoch);
            epoch_loss = run(
                [&]() {
                    return with_rows(p, order, n, runs, [&](auto rows) {
                        if (!plain)
                            return minibatch_epoch(p, rows, n, epoch_options, w, b, stepper, workspace, loss,
                                                   interruption);
                        if (o.batch_size == 1)
                            return sgd_epoch(p, sgd_order(p, rows), n, epoch_options, w, b, loss, clock_ptr,
                                             interruption, sgd_progress);
                        PlainStep<T> step{epoch_options.learning_rate, o.l2, o.fit_intercept, Loss::kScale, clock};
                        return minibatch_epoch(p, rows, n, epoch_options, w, b, step, workspace, loss, interruption);
                    });
                },
                epoch + 1, [order](index_t k) { return order != nullptr ? order[k] : k; }, n);
        }
        if (interruption.check()) return finish(StopReason::interrupted);
        if (plain) {
            stepper.count_updates(batches);
            if (clock) rate = scheduled_rate(o.schedule, stepper.updates(), epoch, stepper.plateaus());
        } else {
            rate = stepper.last_rate();
        }
        if (auto reason = epoch_ends(epoch_loss, rate, -1.0)) return finish(*reason);
    }
    return finish(StopReason::max_epochs);
}

}  // namespace detail

// Trains w (n_features values) and b in place from their current values. observer may be any
// callable bool(const EpochState<T>&), a lambda included (T is taken from the other arguments).
template <class T>
FitReport fit(const Problem<T>& p, const FitOptions<T>& o, T* w, T& b,
              const EpochObserver<typename detail::Identity<T>::type>& observer = {}) {
    check_options(p, o);
    return with_loss<T>(
        o.loss, o.loss_epsilon, [&](const auto& loss) { return detail::fit_with(p, o, w, b, observer, loss); },
        o.max_derivative);
}


STEEPEST_ALGORITHMS_END
