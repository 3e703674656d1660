#pragma once

// The training loops: full-batch gradient descent, SGD (batch size 1) and mini-batch SGD with a
// constant learning rate, over rows read in place in an order the caller supplies.

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <vector>

#include "mse.hpp"

namespace steepest {

// batch_size 0 (or any value >= n_rows) means full-batch gradient descent.
inline constexpr index_t kFullBatch = 0;

template <class T>
struct FitOptions {
    index_t batch_size = 32;
    T learning_rate = T(0.01);
    T l2 = 0;
    bool fit_intercept = true;
    index_t max_epochs = 1000;
    // Stop once the epoch objective has failed to fall below best * (1 - tol) for
    // n_iter_no_change epochs in a row. A negative tol never stops.
    double tol = 1e-4;
    index_t n_iter_no_change = 5;
    int n_threads = 0;  // <= 0: OpenMP's default
};

enum class StopReason { max_epochs, tol, diverged, observer };

inline const char* to_string(StopReason reason) {
    switch (reason) {
        case StopReason::max_epochs: return "max_epochs";
        case StopReason::tol: return "tol";
        case StopReason::diverged: return "diverged";
        case StopReason::observer: return "callback";
    }
    return "unknown";
}

struct FitReport {
    // Full batch: the exact objective after each epoch. Stochastic: the mean of the batch
    // objectives met during the epoch, each taken just before its step (free to compute, and what
    // scikit-learn and PyTorch loops report).
    std::vector<double> loss_history;
    StopReason stop_reason = StopReason::max_epochs;
    index_t n_epochs() const { return static_cast<index_t>(loss_history.size()); }
};

// Returns the row order for a (0-based) epoch: n_rows distinct indices, or nullptr for 0..n-1.
using OrderSource = std::function<const index_t*(index_t epoch)>;
// Called after each epoch with its 1-based number and objective; returning true stops the fit.
using EpochObserver = std::function<bool(index_t epoch, double loss)>;

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

// One example per step: the row is read once, for both its residual and its update.
template <class T, class RowAt>
double sgd_epoch(const Problem<T>& p, RowAt row_at, const FitOptions<T>& o, T* w, T& b) {
    const index_t d = p.n_features;
    const T lr = o.learning_rate;
    const T decay = T(1) - T(2) * lr * o.l2;
    T penalty = o.l2 > 0 ? o.l2 * squared_norm(w, d) : T(0);
    double total = 0;
    for (index_t k = 0; k < p.n_rows; ++k) {
        if constexpr (RowAt::gathers) {
            const index_t next = row_at.ahead(k);
            if (next >= 0) prefetch_row(p.row(next), d);
        }
        const index_t i = row_at(k);
        const T* x = p.row(i);
        const T r = dot(x, w, d) + b - p.y[i];
        total += static_cast<double>(r * r + penalty);
        const T step = T(2) * lr * r;
        for (index_t j = 0; j < d; ++j) w[j] = decay * w[j] - step * x[j];
        if (o.fit_intercept) b -= step;
        if (o.l2 > 0) penalty = o.l2 * squared_norm(w, d);
    }
    return total / static_cast<double>(p.n_rows);
}

template <class T, class RowAt>
double minibatch_epoch(const Problem<T>& p, RowAt row_at, const FitOptions<T>& o, T* w, T& b,
                       Workspace<T>& workspace) {
    const index_t d = p.n_features;
    std::vector<T> buffer(static_cast<std::size_t>(Sums<T>::width(d)));
    const Sums<T> sums{buffer.data(), d};
    const T decay = T(1) - T(2) * o.learning_rate * o.l2;
    double total = 0;
    for (index_t start = 0; start < p.n_rows; start += o.batch_size) {
        const index_t count = std::min(o.batch_size, p.n_rows - start);
        batch_sums(p, w, b, row_at.shifted(start), count, workspace, o.n_threads, buffer.data());
        const T penalty = o.l2 > 0 ? o.l2 * squared_norm(w, d) : T(0);
        total += static_cast<double>(sums.squared_residual()) +
                 static_cast<double>(count) * static_cast<double>(penalty);
        const T step = T(2) * o.learning_rate / static_cast<T>(count);
        const T* g = sums.weighted_rows();
        for (index_t j = 0; j < d; ++j) w[j] = decay * w[j] - step * g[j];
        if (o.fit_intercept) b -= step * sums.residual();
    }
    return total / static_cast<double>(p.n_rows);
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
    if (order == nullptr) return run(ContiguousRows{});
    return run(GatheredRows{order, 0, p.n_rows});
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
}

// Trains w (n_features values) and b in place from their current values.
template <class T>
FitReport fit(const Problem<T>& p, FitOptions<T> o, T* w, T& b, const OrderSource& order_of_epoch = {},
              const EpochObserver& observer = {}) {
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
        if (observer && observer(report.n_epochs(), loss)) return StopReason::observer;
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
            const double loss = mse_loss_gradient(p, w, b, o.l2, nullptr, 0, grad.data(), &grad_b,
                                                  workspace, o.n_threads);
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

    for (index_t epoch = 0; epoch < o.max_epochs; ++epoch) {
        const index_t* order = order_of_epoch ? order_of_epoch(epoch) : nullptr;
        const double loss = stochastic_epoch(p, order, o, w, b, workspace);
        if (auto reason = epoch_ends(loss)) {
            report.stop_reason = *reason;
            return report;
        }
    }
    report.stop_reason = StopReason::max_epochs;
    return report;
}

}  // namespace steepest
