#pragma once

// The data types of steepest's interface, and every standard header the core uses.
//
// These are plain data, the same for every instruction set. The algorithms (gradient.hpp, train.hpp,
// shuffle.hpp, checks.hpp) live in an inline namespace that a translation unit may rename and
// compile for a wider instruction set (see kernels.hpp); standard headers are included here,
// before any such region, so that no standard-library code is ever compiled for a wider ISA than
// the baseline and then shared with code that runs on every CPU.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <exception>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace steepest {

// Signed 64-bit everywhere: arrays with more than 2^31 elements are ordinary.
using index_t = std::int64_t;

// A problem read in place: X is row-major with n_features contiguous values per row, y holds one
// target per row (for classification losses, -1 or +1), weights one non-negative weight per row or
// nullptr for all ones. The core never copies any of them.
template <class T>
struct Problem {
    const T* X = nullptr;
    const T* y = nullptr;
    index_t n_rows = 0;
    index_t n_features = 0;
    const T* weights = nullptr;

    const T* row(index_t i) const { return X + i * n_features; }
};

// The loss of one row as a function of its prediction p = x . w + b (losses.hpp has the formulas).
// Regression: squared_error (the mean squared error, without scikit-learn's 1/2), huber,
// epsilon_insensitive, squared_epsilon_insensitive. Classification, with y in {-1, +1}: log_loss
// (logistic regression), hinge (linear SVM), squared_hinge, modified_huber, perceptron.
enum class LossKind {
    squared_error,
    huber,
    epsilon_insensitive,
    squared_epsilon_insensitive,
    log_loss,
    hinge,
    squared_hinge,
    modified_huber,
    perceptron,
};

// How the rows are ordered in each epoch.
enum class ShuffleMode {
    none,    // 0, 1, ..., n-1 every epoch: reads X at the speed of a sequential scan
    rows,    // a fresh uniform permutation of the rows every epoch (scikit-learn, PyTorch)
    blocks,  // contiguous blocks of shuffle_block_rows rows, the blocks in a fresh random order:
             // nearly the speed of a sequential scan, with coarser randomness
};

// batch_size 0 (or any value >= n_rows) means full-batch gradient descent.
inline constexpr index_t kFullBatch = 0;

// The learning rate as a function of the update count t (1 for the first update of a fit) and
// the epoch e (0 for the first). See schedule.hpp for the formulas.
enum class ScheduleKind {
    constant,         // eta0
    inverse_scaling,  // eta0 / t^power                        (scikit-learn's "invscaling")
    optimal,          // 1 / (alpha * (t0 + t - 1))             (scikit-learn's "optimal")
    step,             // eta0 * gamma^floor(e / step_epochs)     (PyTorch's StepLR)
    exponential,      // eta0 * gamma^e                          (PyTorch's ExponentialLR)
    cosine,           // eta_min + (eta0 - eta_min) * (1 + cos(pi * min(e, period) / period)) / 2
    plateau,          // eta0 * factor^k after k plateaus of n_iter_no_change epochs (scikit-learn's "adaptive")
};

struct Schedule {
    ScheduleKind kind = ScheduleKind::constant;
    double eta0 = 0.01;
    double power = 0.25;     // inverse_scaling
    double alpha = 1e-4;     // optimal
    double t0 = 1;           // optimal
    index_t step_epochs = 1; // step
    double gamma = 0.1;      // step, exponential
    index_t period = 1;      // cosine
    double eta_min = 0;      // cosine
    double factor = 0.2;     // plateau: the rate is multiplied by this after each plateau...
    double min_rate = 1e-6;  // plateau: ...and the fit stops once it falls below this
    // Linear warm-up over the first warmup_steps updates: the rate is multiplied by
    // min(1, t / warmup_steps). 0: none.
    index_t warmup_steps = 0;
};

// How a step turns a gradient g into a change of the weights (PyTorch's conventions).
enum class Method {
    sgd,       // w -= eta * g
    momentum,  // v = mu * v + g;  w -= eta * v
    nesterov,  // v = mu * v + g;  w -= eta * (g + mu * v)
    adagrad,   // s += g^2;  w -= eta * g / (sqrt(s) + eps)
    rmsprop,   // s = rho * s + (1 - rho) * g^2;  w -= eta * g / (sqrt(s) + eps)
    adam,      // m, s: moving averages of g and g^2 (beta1, beta2), bias-corrected
    newton,    // w -= H^-1 g with the exact Hessian of the objective (full batch, no l1)
};

template <class T>
struct FitOptions {
    LossKind loss = LossKind::squared_error;
    double loss_epsilon = 0.1;  // huber and the epsilon-insensitive losses
    index_t batch_size = 32;
    T learning_rate = T(0.01);  // the constant rate; ignored unless schedule.kind is constant
    Schedule schedule;          // its eta0 is kept equal to learning_rate by fit()
    T l2 = 0;
    T l1 = 0;  // l1 > 0: a proximal (soft-thresholding) step after each update gives exact zeros
    Method method = Method::sgd;
    double momentum = 0.9;
    double beta1 = 0.9, beta2 = 0.999;  // adam
    double rho = 0.99;                  // rmsprop (PyTorch's alpha)
    double epsilon = 1e-8;              // adagrad, rmsprop, adam
    // Averaged SGD (Polyak-Ruppert): the result is the mean of the weights after each update
    // from update number average_start on. Negative: no averaging.
    index_t average_start = -1;
    // Per-coordinate multipliers of the step (n_features + 1 values, the intercept's last), e.g.
    // a Jacobi preconditioner; nullptr: all ones.
    const T* coordinate_scale = nullptr;
    // Replace learning_rate and coordinate_scale by a Jacobi preconditioner and the rate its
    // preconditioned Hessian allows (hessian.hpp, auto_learning_rate), computed when the fit starts.
    bool auto_learning_rate = false;
    // Full batch only: backtracking line search from learning_rate (sufficient decrease).
    bool line_search = false;
    // Full batch only: stop once the gradient's Euclidean norm (intercept included) is <= gtol.
    double gtol = -1;
    bool fit_intercept = true;
    index_t max_epochs = 1000;
    // Stop once the monitored objective has failed to fall below best - tol * |best| (or
    // best - tol with absolute_tol, scikit-learn's rule) for n_iter_no_change epochs in a row. A
    // negative tol never stops.
    double tol = 1e-4;
    bool absolute_tol = false;
    // Divergence: a non-finite objective always stops the fit; with strict_divergence, so does an
    // objective 1000 times its first, or (plain full batch, smooth loss) any rise. scikit-learn's
    // estimators only stop on overflow, and the drop-in estimators do the same.
    bool strict_divergence = true;
    // Clip each row's dℓ/dp to [-max_derivative, max_derivative] (scikit-learn's SGD: 1e12).
    double max_derivative = std::numeric_limits<double>::infinity();
    // Updates taken by earlier fits that this one continues (warm starts, partial_fit): schedules
    // go on from update initial_updates + 1.
    index_t initial_updates = 0;
    index_t n_iter_no_change = 5;
    ShuffleMode shuffle = ShuffleMode::rows;
    index_t shuffle_block_rows = 64;
    // The epoch orders are a pure function of (seed, epoch, mode, n_rows, shuffle_block_rows), the
    // same on every platform and compiler.
    std::uint64_t seed = 0;
    int n_threads = 0;  // <= 0: OpenMP's default (OMP_NUM_THREADS, threadpoolctl)
    // Train on these rows only (nullptr: all rows); with validation rows, the fit monitors their
    // mean squared error instead of the training objective, and ends with the weights that had
    // the lowest one (early stopping).
    const index_t* train_rows = nullptr;
    index_t n_train = 0;
    const index_t* validation_rows = nullptr;
    index_t n_validation = 0;
    // Polled about every kPollRows rows, outside the hot loops (from the calling thread only);
    // returning true stops the fit at once with StopReason::interrupted. The Python bindings
    // poll for Ctrl-C here.
    const std::function<bool()>* interrupt = nullptr;
};

// Rows between two polls of FitOptions::interrupt: a few milliseconds of work.
inline constexpr index_t kPollRows = index_t{1} << 16;

// The state of FitOptions::interrupt during a fit: once raised, it stays raised.
struct Interruption {
    const std::function<bool()>* poll = nullptr;
    bool raised = false;
    std::chrono::steady_clock::time_point last_poll = std::chrono::steady_clock::now();

    bool check() {
        if (!raised && poll != nullptr && *poll) raised = (*poll)();
        last_poll = std::chrono::steady_clock::now();
        return raised;
    }

    // check() at most every few milliseconds: for loops whose steps may be slow (a parallel epoch
    // on an oversubscribed machine waits at every barrier), where a count of rows is no clock.
    bool check_if_due() {
        if (raised || poll == nullptr) return raised;
        if (std::chrono::steady_clock::now() - last_poll < std::chrono::milliseconds(5)) return false;
        return check();
    }
};

enum class StopReason { max_epochs, tol, gtol, validation, diverged, callback, interrupted };

inline const char* to_string(StopReason reason) {
    switch (reason) {
        case StopReason::max_epochs: return "max_epochs";
        case StopReason::tol: return "tol";
        case StopReason::gtol: return "gtol";
        case StopReason::validation: return "validation";
        case StopReason::diverged: return "diverged";
        case StopReason::callback: return "callback";
        case StopReason::interrupted: return "interrupted";
    }
    return "unknown";
}

struct FitReport {
    // Full batch: the exact objective after each epoch. Stochastic: the mean of the batch
    // objectives met during the epoch, each taken just before its step (free to compute, and what
    // scikit-learn and PyTorch loops report).
    std::vector<double> loss_history;
    // The learning rate of each epoch's last update (before per-coordinate scaling).
    std::vector<double> learning_rate_history;
    // The mean squared error on the validation rows after each epoch (empty without them).
    std::vector<double> validation_loss_history;
    StopReason stop_reason = StopReason::max_epochs;
    index_t n_updates = 0;
    index_t n_epochs() const { return static_cast<index_t>(loss_history.size()); }
};

// What an epoch observer sees: the weights after the epoch, read-only.
template <class T>
struct EpochState {
    index_t epoch;  // 1-based
    double loss;
    double learning_rate;
    double validation_loss;  // NaN without validation rows
    const T* coef;
    index_t n_features;
    T intercept;
};

// Called after each epoch, outside any parallel region; returning true stops the fit.
template <class T>
using EpochObserver = std::function<bool(const EpochState<T>&)>;

// The names of the options' values, as the Python API and the C ABI spell them: one table each.
namespace names {

template <class Enum, std::size_t N>
std::optional<Enum> lookup(const std::pair<Enum, const char*> (&table)[N], const std::string& name) {
    for (const auto& [value, text] : table)
        if (name == text) return value;
    return std::nullopt;
}

inline const std::pair<LossKind, const char*> losses[] = {
    {LossKind::squared_error, "squared_error"},
    {LossKind::huber, "huber"},
    {LossKind::epsilon_insensitive, "epsilon_insensitive"},
    {LossKind::squared_epsilon_insensitive, "squared_epsilon_insensitive"},
    {LossKind::log_loss, "log_loss"},
    {LossKind::hinge, "hinge"},
    {LossKind::squared_hinge, "squared_hinge"},
    {LossKind::modified_huber, "modified_huber"},
    {LossKind::perceptron, "perceptron"},
};
inline const std::pair<Method, const char*> methods[] = {
    {Method::sgd, "sgd"},         {Method::momentum, "momentum"}, {Method::nesterov, "nesterov"},
    {Method::adagrad, "adagrad"}, {Method::rmsprop, "rmsprop"},   {Method::adam, "adam"},
    {Method::newton, "newton"},
};
inline const std::pair<ShuffleMode, const char*> shuffles[] = {
    {ShuffleMode::rows, "rows"}, {ShuffleMode::blocks, "blocks"}, {ShuffleMode::none, "none"}};
inline const std::pair<ScheduleKind, const char*> schedules[] = {
    {ScheduleKind::constant, "constant"}, {ScheduleKind::inverse_scaling, "inverse_scaling"},
    {ScheduleKind::optimal, "optimal"},   {ScheduleKind::step, "step"},
    {ScheduleKind::exponential, "exponential"}, {ScheduleKind::cosine, "cosine"},
    {ScheduleKind::plateau, "plateau"},
};

}  // namespace names

inline std::optional<LossKind> loss_from_name(const std::string& name) { return names::lookup(names::losses, name); }
inline std::optional<Method> method_from_name(const std::string& name) { return names::lookup(names::methods, name); }
inline std::optional<ShuffleMode> shuffle_from_name(const std::string& name) {
    return names::lookup(names::shuffles, name);
}
inline std::optional<ScheduleKind> schedule_from_name(const std::string& name) {
    return names::lookup(names::schedules, name);
}

// n_threads <= 0 means "whatever OpenMP would choose": OMP_NUM_THREADS and threadpoolctl's
// limits keep working because we never call omp_set_num_threads.
inline int resolve_threads(int n_threads) {
    if (n_threads > 0) return n_threads;
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

inline bool built_with_openmp() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

}  // namespace steepest

// For the few helpers called once per row (dot products, prefetches): GCC stops inlining them
// once a caller such as fit() grows past its budget, and a call per row costs ~10% of an SGD epoch.
#if defined(__GNUC__) || defined(__clang__)
#define STEEPEST_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define STEEPEST_ALWAYS_INLINE inline
#endif

// Tells the compiler that a pointer's memory is reached through no other pointer in its scope,
// so that a loop storing through it can keep other rows' values in registers and vectorise.
#if defined(__GNUC__) || defined(__clang__) || defined(_MSC_VER)
#define STEEPEST_RESTRICT __restrict
#else
#define STEEPEST_RESTRICT
#endif

// Serial builds drop the directives instead of warning about unknown pragmas.
#ifdef _OPENMP
#define STEEPEST_OMP(directive) _Pragma(#directive)
#else
#define STEEPEST_OMP(directive)
#endif

// The algorithms' namespace: steepest::STEEPEST_ISA_NAMESPACE, inline, so users write steepest::fit.
#ifndef STEEPEST_ISA_NAMESPACE
#define STEEPEST_ISA_NAMESPACE portable
#endif
#define STEEPEST_ALGORITHMS_BEGIN \
    namespace steepest {          \
    inline namespace STEEPEST_ISA_NAMESPACE {
#define STEEPEST_ALGORITHMS_END \
    }                           \
    }
