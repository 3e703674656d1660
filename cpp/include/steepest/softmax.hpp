#pragma once

// Multinomial logistic regression: K classes, coefficients W (K x n_features, row-major) and
// intercepts b (K), the softmax cross-entropy of each row
//
//   z_k = w_k . x + b_k,   l = log(sum_k exp(z_k)) - z_y,   dl/dz_k = softmax(z)_k - [k = y]
//
// with y the row's class index (stored as a T in Problem::y), computed as m + log(sum exp(z - m))
// with m = max z so that no exp overflows. One pass over a batch reads each row once for all K
// classes. The training loop shares the single-output loop's pieces: epoch orders, schedules,
// and one Stepper per class (update rules, penalties and averaging act on each class's row).

#include "hessian.hpp"
#include "optim.hpp"
#include "shuffle.hpp"
#include "train.hpp"

STEEPEST_ALGORITHMS_BEGIN

namespace detail {

// Sums over positions [begin, end): [G (K x d), g_b (K), loss], G = sum_i s_i (p_i - e_y) x_i^T.
template <class T, class RowAt>
void softmax_block(const Problem<T>& p, index_t n_classes, const T* W, const T* B, RowAt row_at, index_t begin,
                   index_t end, T* out, T* logits) {
    const index_t d = p.n_features, K = n_classes;
    std::fill(out, out + K * (d + 1) + 1, T(0));
    T* G = out;
    T* g_b = out + K * d;
    T& total = out[K * (d + 1)];
    for (index_t k = begin; k < end; ++k) {
        prefetch_ahead(p, row_at, k);
        const index_t i = row_at(k);
        const T* x = p.row(i);
        T largest = -std::numeric_limits<T>::infinity();
        for (index_t c = 0; c < K; ++c) {
            logits[c] = dot(x, W + c * d, d) + B[c];
            largest = std::max(largest, logits[c]);
        }
        const auto label = static_cast<index_t>(p.y[i]);
        const T label_logit = logits[label];
        T sum = 0;
        for (index_t c = 0; c < K; ++c) {
            logits[c] = std::exp(logits[c] - largest);  // from here on, the unnormalised probabilities
            sum += logits[c];
        }
        const T weight = p.weights ? p.weights[i] : T(1);
        total += weight * (largest + std::log(sum) - label_logit);
        for (index_t c = 0; c < K; ++c) {
            const T g = weight * (logits[c] / sum - (c == label ? T(1) : T(0)));
            g_b[c] += g;
            T* row = G + c * d;
            for (index_t j = 0; j < d; ++j) row[j] += g * x[j];
        }
    }
}

// The mean softmax cross-entropy over `count` positions of `rows`, and its gradient (G: K x d,
// g_b: K), in parallel over fixed blocks combined in a fixed order as batch_sums.
template <class T, class RowAt>
T softmax_sums(const Problem<T>& p, index_t n_classes, const T* W, const T* B, RowAt rows, index_t count,
               Workspace<T>& workspace, int n_threads, T* G, T* g_b) {
    const index_t d = p.n_features, K = n_classes;
    const index_t width = padded_to_cache_line<T>(K * (d + 1) + 1);
    const index_t block = block_rows_for(count);
    const index_t n_blocks = (count + block - 1) / block;
    T* partial = workspace.get(static_cast<std::size_t>((n_blocks + (n_blocks + 1) / 2 + 1) * width +
                                                        n_blocks * padded_to_cache_line<T>(K)));
    T* scratch = partial + n_blocks * width;
    T* combined = scratch + (n_blocks + 1) / 2 * width;
    T* logits = combined + width;
    [[maybe_unused]] const bool parallel = n_blocks > 1 && count * d * K >= kMinParallelElements;
    [[maybe_unused]] const int threads = resolve_threads(n_threads);
    STEEPEST_OMP(omp parallel for schedule(static) if (parallel) num_threads(threads))
    for (index_t blk = 0; blk < n_blocks; ++blk) {
        const index_t begin = blk * block;
        softmax_block(p, K, W, B, rows, begin, std::min(count, begin + block), partial + blk * width,
                      logits + blk * padded_to_cache_line<T>(K));
    }
    combine_pairwise(partial, n_blocks, width, scratch, combined);
    const T scale = T(1) / static_cast<T>(count);
    for (index_t e = 0; e < K * d; ++e) G[e] = scale * combined[e];
    for (index_t c = 0; c < K; ++c) g_b[c] = scale * combined[K * d + c];
    return scale * combined[K * (d + 1)];
}

}  // namespace detail

// Throws std::invalid_argument unless every y is a class index: an integer in [0, n_classes).
template <class T>
void check_class_indices(const Problem<T>& p, index_t n_classes) {
    for (index_t i = 0; i < p.n_rows; ++i)
        if (!(p.y[i] >= 0 && p.y[i] < static_cast<T>(n_classes) && p.y[i] == std::floor(p.y[i])))
            throw std::invalid_argument("class index " + std::to_string(static_cast<double>(p.y[i])) + " at row " +
                                        std::to_string(i) + " is outside [0, n_classes)");
}

// The objective (mean cross-entropy + l2 ||W||^2 + l1 ||W||_1) and its gradient over all rows
// (rows == nullptr) or the `count` rows listed.
template <class T>
T softmax_loss_gradient(const Problem<T>& p, index_t n_classes, const T* W, const T* B, T l2, T l1,
                        const index_t* rows, index_t count, T* G, T* g_b, int n_threads) {
    check_class_indices(p, n_classes);
    Workspace<T> workspace;
    T value;
    if (rows == nullptr) {
        value = detail::softmax_sums(p, n_classes, W, B, ContiguousRows{0, p.n_rows}, p.n_rows, workspace, n_threads,
                                     G, g_b);
    } else {
        check_rows(rows, count, p.n_rows);
        value = detail::softmax_sums(p, n_classes, W, B, gathered_rows(p, rows, 0, count), count, workspace, n_threads,
                                     G, g_b);
    }
    const index_t size = n_classes * p.n_features;
    value += penalty_of(W, size, l2, l1);
    for (index_t e = 0; e < size; ++e) {
        G[e] += T(2) * l2 * W[e];
        if (l1 > 0) G[e] += W[e] > 0 ? l1 : (W[e] < 0 ? -l1 : T(0));
    }
    return value;
}

// Trains W and B in place. Supports every schedule, update rule, penalty, averaging, "auto" rates,
// tol, gtol (full batch), callbacks and divergence; not Newton, line search or early stopping.
template <class T>
FitReport fit_softmax(const Problem<T>& p, index_t n_classes, FitOptions<T> o, T* W, T* B,
                      const EpochObserver<T>& observer = {}) {
    if (p.n_rows <= 0 || p.n_features <= 0) throw std::invalid_argument("the problem needs rows and features");
    if (n_classes < 2) throw std::invalid_argument("multinomial needs at least two classes");
    if (o.method == Method::newton || o.line_search || o.validation_rows != nullptr || o.train_rows != nullptr)
        throw std::invalid_argument("the multinomial fit supports neither newton, line_search nor early stopping");
    check_class_indices(p, n_classes);
    const index_t n = p.n_rows, d = p.n_features, K = n_classes;
    if (o.batch_size >= n) o.batch_size = kFullBatch;
    if (!o.fit_intercept) std::fill(B, B + K, T(0));
    std::vector<T> auto_scale;
    if (o.auto_learning_rate) {
        // The softmax Hessian of a row is (diag(q) - q q^T) ⊗ x x^T <= 1/2 x x^T per class.
        AutoRate<T> chosen = auto_learning_rate(p, ContiguousRows{0, n}, n, o.l2, o.fit_intercept, o.batch_size,
                                                o.n_threads, 0.5);
        double rate = chosen.learning_rate;
        if ((o.method == Method::momentum || o.method == Method::nesterov) && o.batch_size != kFullBatch)
            rate *= 1.0 - o.momentum;
        o.learning_rate = static_cast<T>(rate);
        auto_scale = std::move(chosen.coordinate_scale);
        o.coordinate_scale = auto_scale.data();
    }
    o.schedule.eta0 = static_cast<double>(o.learning_rate);
    std::vector<Stepper<T>> steppers(static_cast<std::size_t>(K), Stepper<T>(o, d, T(1)));
    NoImprovementRule rule(o.tol, o.n_iter_no_change, o.absolute_tol);
    DivergenceRule<T> divergence(o.batch_size == kFullBatch && o.method == Method::sgd && o.l1 == 0,
                                 o.strict_divergence);
    FitReport report;
    Workspace<T> workspace;
    Interruption interruption{o.interrupt};
    std::vector<T> G(static_cast<std::size_t>(K * d)), g_b(static_cast<std::size_t>(K));
    const index_t size = K * d;

    auto epoch_ends = [&](double loss, double rate, double gradient_norm) -> std::optional<StopReason> {
        report.loss_history.push_back(loss);
        report.learning_rate_history.push_back(rate);
        if (divergence.diverged(loss)) return StopReason::diverged;
        if (observer && observer(EpochState<T>{report.n_epochs(), loss, rate,
                                               std::numeric_limits<double>::quiet_NaN(), W, size, B[0]}))
            return StopReason::callback;
        if (gradient_norm >= 0 && gradient_norm <= o.gtol) return StopReason::gtol;
        if (rule.should_stop(loss)) {
            if (o.schedule.kind != ScheduleKind::plateau) return StopReason::tol;
            rule.restart_count();
            bool above_minimum = true;
            for (auto& stepper : steppers) above_minimum = stepper.reduce_on_plateau();
            if (!above_minimum) return StopReason::tol;
        }
        return std::nullopt;
    };
    auto step_all = [&]() {
        for (index_t c = 0; c < K; ++c) steppers[c].update(G.data() + c * d, g_b[c], W + c * d, B[c]);
    };
    auto finish = [&](StopReason reason) {
        report.stop_reason = reason;
        report.n_updates = steppers[0].updates();
        if (reason != StopReason::diverged)
            for (index_t c = 0; c < K; ++c) steppers[c].use_average(W + c * d, B[c]);
        return report;
    };

    if (o.batch_size == kFullBatch) {
        T data_loss = detail::softmax_sums(p, K, W, B, ContiguousRows{0, n}, n, workspace, o.n_threads, G.data(),
                                           g_b.data());
        divergence.diverged(static_cast<double>(data_loss + penalty_of(W, size, o.l2, o.l1)));
        for (index_t epoch = 0; epoch < o.max_epochs; ++epoch) {
            if (interruption.check()) return finish(StopReason::interrupted);
            for (auto& stepper : steppers) stepper.begin_epoch(epoch);
            step_all();
            data_loss = detail::softmax_sums(p, K, W, B, ContiguousRows{0, n}, n, workspace, o.n_threads, G.data(),
                                             g_b.data());
            double norm = -1;
            if (o.gtol >= 0) {
                double sum = 0;
                for (index_t c = 0; c < K; ++c) {
                    const double class_norm =
                        detail::gradient_norm(G.data() + c * d, g_b[c], W + c * d, d, o.l2, o.l1, o.fit_intercept);
                    sum += class_norm * class_norm;
                }
                norm = std::sqrt(sum);
            }
            const double objective = static_cast<double>(data_loss + penalty_of(W, size, o.l2, o.l1));
            if (auto reason = epoch_ends(objective, steppers[0].last_rate(), norm)) return finish(*reason);
        }
        return finish(StopReason::max_epochs);
    }

    OrderScratch orders;
    for (index_t epoch = 0; epoch < o.max_epochs; ++epoch) {
        for (auto& stepper : steppers) stepper.begin_epoch(epoch);
        const index_t* order = nullptr;
        if (o.shuffle != ShuffleMode::none)
            order = epoch_order(o.shuffle, n, o.shuffle_block_rows, o.seed, epoch, orders, resolve_threads(o.n_threads));
        double total = 0;
        for (index_t start = 0; start < n; start += o.batch_size) {
            if (start / o.batch_size % std::max<index_t>(1, kPollRows / o.batch_size) == 0 && interruption.check())
                return finish(StopReason::interrupted);
            const index_t count = std::min(o.batch_size, n - start);
            const double penalty = static_cast<double>(penalty_of(W, size, o.l2, o.l1));
            const T batch_loss =
                order == nullptr
                    ? detail::softmax_sums(p, K, W, B, ContiguousRows{start, n}, count, workspace, o.n_threads,
                                           G.data(), g_b.data())
                    : detail::softmax_sums(p, K, W, B, gathered_rows(p, order, start, n), count, workspace,
                                           o.n_threads, G.data(), g_b.data());
            total += (static_cast<double>(batch_loss) + penalty) * static_cast<double>(count);
            step_all();
        }
        if (auto reason = epoch_ends(total / static_cast<double>(n), steppers[0].last_rate(), -1.0))
            return finish(*reason);
    }
    return finish(StopReason::max_epochs);
}

STEEPEST_ALGORITHMS_END
