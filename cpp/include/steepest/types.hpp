#pragma once

// The data types of steepest's interface, and every standard header the core uses.
//
// These are plain data, the same for every instruction set. The algorithms (mse.hpp, train.hpp,
// shuffle.hpp, checks.hpp) live in an inline namespace that a translation unit may rename and
// compile for a wider instruction set (see kernels.hpp); standard headers are included here,
// before any such region, so that no standard-library code is ever compiled for a wider ISA than
// the baseline and then shared with code that runs on every CPU.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

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

// How the rows are ordered in each epoch.
enum class ShuffleMode {
    none,    // 0, 1, ..., n-1 every epoch: reads X at the speed of a sequential scan
    rows,    // a fresh uniform permutation of the rows every epoch (scikit-learn, PyTorch)
    blocks,  // contiguous blocks of shuffle_block_rows rows, the blocks in a fresh random order:
             // nearly the speed of a sequential scan, with coarser randomness
};

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
    ShuffleMode shuffle = ShuffleMode::rows;
    index_t shuffle_block_rows = 64;
    // The epoch orders are a pure function of (seed, epoch, mode, n_rows, shuffle_block_rows), the
    // same on every platform and compiler.
    std::uint64_t seed = 0;
    int n_threads = 0;  // <= 0: OpenMP's default (OMP_NUM_THREADS, threadpoolctl)
};

enum class StopReason { max_epochs, tol, diverged, callback };

inline const char* to_string(StopReason reason) {
    switch (reason) {
        case StopReason::max_epochs: return "max_epochs";
        case StopReason::tol: return "tol";
        case StopReason::diverged: return "diverged";
        case StopReason::callback: return "callback";
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

// What an epoch observer sees: the weights after the epoch, read-only.
template <class T>
struct EpochState {
    index_t epoch;  // 1-based
    double loss;
    const T* coef;
    index_t n_features;
    T intercept;
};

// Called after each epoch, outside any parallel region; returning true stops the fit.
template <class T>
using EpochObserver = std::function<bool(const EpochState<T>&)>;

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
