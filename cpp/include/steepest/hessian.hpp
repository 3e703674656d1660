#pragma once

// The Hessian of the objective, H = (2/N) [X 1]^T [X 1] + 2 l2 diag(1, ..., 1, 0) (the intercept's
// row and column last, unpenalised), and what the optimiser draws from it:
//   * the Newton step H^-1 g, from XᵀX built in one parallel pass and factored once (for mean
//     squared error the Hessian does not depend on the weights);
//   * learning_rate="auto": a Jacobi preconditioner S = diag(H)^-1 and the largest eigenvalue L
//     of S^1/2 H S^1/2 from a few power-iteration passes, each one Hessian-vector product.
//
// Reductions are cut into a fixed number of chunks that do not depend on the thread count and
// are added in a fixed order, so the results are the same with any number of threads.

#include "gradient.hpp"
#include "shuffle.hpp"

STEEPEST_ALGORITHMS_BEGIN

namespace detail {

// Sums `width` doubles per chunk of rows with add_row(row pointer, row weight, chunk sums), in parallel over
// chunks, then adds the chunks in order into the returned vector. `max_chunks` bounds memory.
template <class T, class RowAt, class AddRow>
std::vector<double> chunked_sum(const Problem<T>& p, RowAt rows, index_t count, index_t width, index_t max_chunks,
                                int n_threads, AddRow add_row) {
    const index_t n_chunks = std::max<index_t>(1, std::min<index_t>(max_chunks, count / 256));
    std::vector<double> partial(static_cast<std::size_t>(n_chunks * width), 0.0);
    [[maybe_unused]] const int threads = resolve_threads(n_threads);
    STEEPEST_OMP(omp parallel for schedule(static) if (n_chunks > 1) num_threads(threads))
    for (index_t c = 0; c < n_chunks; ++c) {
        double* sums = partial.data() + c * width;
        const index_t end = count * (c + 1) / n_chunks;
        for (index_t k = count * c / n_chunks; k < end; ++k) {
            detail::prefetch_ahead(p, rows, k);
            const index_t i = rows(k);
            add_row(p.row(i), p.weights ? static_cast<double>(p.weights[i]) : 1.0, sums);
        }
    }
    std::vector<double> total(static_cast<std::size_t>(width), 0.0);
    for (index_t c = 0; c < n_chunks; ++c)
        for (index_t j = 0; j < width; ++j) total[j] += partial[c * width + j];
    return total;
}

// Cholesky factorisation in place of a symmetric positive definite matrix (row-major, n x n,
// lower triangle used); throws std::domain_error when it is not positive definite.
inline void cholesky(std::vector<double>& a, index_t n) {
    for (index_t j = 0; j < n; ++j) {
        const double original = a[j * n + j];
        double diagonal = original;
        for (index_t k = 0; k < j; ++k) diagonal -= a[j * n + k] * a[j * n + k];
        // A pivot that cancels to rounding level is a zero one: the column is (numerically) a
        // combination of earlier ones, and dividing by the remnant would give garbage weights.
        if (!(diagonal > 1e-12 * original))
            throw std::domain_error(
                "the Hessian is singular (a feature is constant or a linear combination of others): "
                "use l2 > 0 for a unique solution");
        const double root = std::sqrt(diagonal);
        a[j * n + j] = root;
        for (index_t i = j + 1; i < n; ++i) {
            double value = a[i * n + j];
            for (index_t k = 0; k < j; ++k) value -= a[i * n + k] * a[j * n + k];
            a[i * n + j] = value / root;
        }
    }
}

// Solves L Lᵀ x = b in place for the factor from cholesky().
inline void cholesky_solve(const std::vector<double>& l, index_t n, std::vector<double>& b) {
    for (index_t i = 0; i < n; ++i) {
        for (index_t k = 0; k < i; ++k) b[i] -= l[i * n + k] * b[k];
        b[i] /= l[i * n + i];
    }
    for (index_t i = n - 1; i >= 0; --i) {
        for (index_t k = i + 1; k < n; ++k) b[i] -= l[k * n + i] * b[k];
        b[i] /= l[i * n + i];
    }
}

}  // namespace detail

// The Hessian over `count` rows (n_features + 1 square, row-major, intercept last; without an
// intercept its row and column are those of the identity, so that they never move anything).
template <class T, class RowAt>
std::vector<double> hessian(const Problem<T>& p, RowAt rows, index_t count, T l2, bool fit_intercept,
                            int n_threads) {
    const index_t d = p.n_features, size = d + 1;
    // Chunks of a whole (d+1)^2 matrix each: at most about 32 MB of them.
    const index_t max_chunks = std::max<index_t>(1, std::min<index_t>(64, (index_t{1} << 22) / (size * size)));
    std::vector<double> gram = detail::chunked_sum(p, rows, count, size * size, max_chunks, n_threads,
                                                   [d, size](const T* x, double weight, double* g) {
                                                       for (index_t j = 0; j < d; ++j) {
                                                           const double xj = weight * x[j];
                                                           double* row = g + j * size;
                                                           for (index_t k = j; k < d; ++k) row[k] += xj * x[k];
                                                           row[d] += xj;
                                                       }
                                                       g[d * size + d] += weight;
                                                   });
    const double scale = 2.0 / static_cast<double>(count);
    for (index_t j = 0; j < d; ++j) {
        for (index_t k = j; k <= d; ++k) {
            gram[j * size + k] *= scale;
            gram[k * size + j] = gram[j * size + k];
        }
        gram[j * size + j] += 2.0 * static_cast<double>(l2);
    }
    gram[d * size + d] *= scale;  // (2/N) * (sum of the weights)
    if (!fit_intercept) {
        for (index_t j = 0; j < d; ++j) gram[j * size + d] = gram[d * size + j] = 0.0;
    }
    return gram;
}

// Newton's method for mean squared error: the Hessian is factored once, each step solves with it.
template <class T>
class NewtonSolver {
  public:
    template <class RowAt>
    NewtonSolver(const Problem<T>& p, RowAt rows, index_t count, T l2, bool fit_intercept, int n_threads)
        : size_(p.n_features + 1), factor_(hessian(p, rows, count, l2, fit_intercept, n_threads)) {
        detail::cholesky(factor_, size_);
    }

    // Overwrites (g, g_b) with H^-1 (g, g_b).
    void solve(T* g, T& g_b) const {
        std::vector<double> x(static_cast<std::size_t>(size_));
        for (index_t j = 0; j + 1 < size_; ++j) x[j] = g[j];
        x[size_ - 1] = g_b;
        detail::cholesky_solve(factor_, size_, x);
        for (index_t j = 0; j + 1 < size_; ++j) g[j] = static_cast<T>(x[j]);
        g_b = static_cast<T>(x[size_ - 1]);
    }

  private:
    index_t size_;
    std::vector<double> factor_;
};

// learning_rate="auto": per-coordinate multipliers (the inverse Hessian diagonal, intercept last)
// and one rate for the preconditioned problem.
template <class T>
struct AutoRate {
    double learning_rate = 0;
    double largest_eigenvalue = 0;  // L of S^1/2 H S^1/2
    double largest_row_curvature = 0;  // beta: the largest per-row L, max_i 2 x~_i . x~_i
    std::vector<T> coordinate_scale;
};

inline constexpr int kPowerIterations = 12;

// The rate: for full batch 1/L, the step that minimises the largest contraction factor's bound;
// for batches of B rows, B / (beta + (B - 1) L) (Ma, Bassily & Belkin 2018), which falls from
// 1/L at full batch to 1/beta at B = 1, where a single row's curvature limits the step.
//
// `curvature` bounds the loss's second derivative in the prediction (2 for squared error): the
// Hessian of a smooth loss is at most (curvature/N) [X 1]^T S [X 1] + 2 l2, S the row weights.
template <class T, class RowAt>
AutoRate<T> auto_learning_rate(const Problem<T>& p, RowAt rows, index_t count, T l2, bool fit_intercept,
                               index_t batch_size, int n_threads, double curvature = 2.0) {
    const index_t d = p.n_features;
    AutoRate<T> result;
    std::vector<double> squares =
        detail::chunked_sum(p, rows, count, d + 1, 64, n_threads, [d](const T* x, double weight, double* s) {
            for (index_t j = 0; j < d; ++j) s[j] += weight * static_cast<double>(x[j]) * x[j];
            s[d] += weight;
        });
    std::vector<double> inverse_diagonal(static_cast<std::size_t>(d + 1));
    const double scale = curvature / static_cast<double>(count);
    for (index_t j = 0; j < d; ++j) {
        const double diagonal = scale * squares[j] + 2.0 * static_cast<double>(l2);
        // An all-zero column has no curvature and no gradient: any finite scale leaves it at 0.
        inverse_diagonal[j] = diagonal > 0 ? 1.0 / diagonal : 1.0;
    }
    inverse_diagonal[d] = squares[d] > 0 ? 1.0 / (scale * squares[d]) : 1.0;  // the intercept's
    result.coordinate_scale.assign(inverse_diagonal.begin(), inverse_diagonal.end());

    // beta: per-row curvature of the preconditioned problem, c w_i (sum_j x_ij^2 s_j + s_b).
    double beta = 0;
    {
        const std::vector<double>& s = inverse_diagonal;
        const index_t n_chunks = std::max<index_t>(1, std::min<index_t>(64, count / 256));
        std::vector<double> chunk_max(static_cast<std::size_t>(n_chunks), 0.0);
        [[maybe_unused]] const int threads = resolve_threads(n_threads);
        STEEPEST_OMP(omp parallel for schedule(static) if (n_chunks > 1) num_threads(threads))
        for (index_t c = 0; c < n_chunks; ++c) {
            double largest = 0;
            for (index_t k = count * c / n_chunks; k < count * (c + 1) / n_chunks; ++k) {
                const index_t i = rows(k);
                const T* x = p.row(i);
                double norm = fit_intercept ? s[d] : 0.0;
                for (index_t j = 0; j < d; ++j) norm += static_cast<double>(x[j]) * x[j] * s[j];
                const double weight = p.weights ? static_cast<double>(p.weights[i]) : 1.0;
                largest = std::max(largest, curvature * weight * norm);
            }
            chunk_max[c] = largest;
        }
        for (double value : chunk_max) beta = std::max(beta, value);
    }

    // Power iteration on P = S^1/2 H S^1/2 from a fixed, slightly perturbed vector of ones.
    std::vector<double> v(static_cast<std::size_t>(d + 1));
    std::uint64_t state = 0x5eed;
    for (auto& value : v) value = 1.0 + 0.5 * (static_cast<double>(splitmix64(state) >> 11) * 0x1p-53 - 0.5);
    if (!fit_intercept) v[d] = 0;
    std::vector<T> u(static_cast<std::size_t>(d));
    std::vector<T> sums(static_cast<std::size_t>(detail::Sums<T>::width(d)));
    Workspace<T> workspace;
    double eigenvalue = 0;
    for (int iteration = 0; iteration < kPowerIterations; ++iteration) {
        double norm = 0;
        for (double value : v) norm += value * value;
        norm = std::sqrt(norm);
        if (!(norm > 0)) break;
        for (auto& value : v) value /= norm;
        for (index_t j = 0; j < d; ++j) u[j] = static_cast<T>(std::sqrt(inverse_diagonal[j]) * v[j]);
        const auto u_b = static_cast<T>(fit_intercept ? std::sqrt(inverse_diagonal[d]) * v[d] : 0.0);
        batch_sums(p, u.data(), u_b, rows, count, workspace, n_threads, sums.data(), Predictions<T>{});
        const detail::Sums<T> s{sums.data(), d};
        std::vector<double> pv(static_cast<std::size_t>(d + 1));
        for (index_t j = 0; j < d; ++j)
            pv[j] = std::sqrt(inverse_diagonal[j]) *
                    (scale * s.weighted_rows()[j] + 2.0 * static_cast<double>(l2) * static_cast<double>(u[j]));
        pv[d] = fit_intercept ? std::sqrt(inverse_diagonal[d]) * scale * static_cast<double>(s.derivative()) : 0.0;
        eigenvalue = 0;  // the Rayleigh quotient v . P v, with |v| = 1
        for (index_t j = 0; j <= d; ++j) eigenvalue += v[j] * pv[j];
        v = pv;
    }
    // The Rayleigh quotient approaches L from below; a few percent of margin covers the rest.
    const double largest = std::max(eigenvalue, 1e-300) * 1.05;
    result.largest_eigenvalue = largest;
    result.largest_row_curvature = std::max(beta, largest);
    const double b = static_cast<double>(batch_size <= 0 || batch_size >= count ? count : batch_size);
    result.learning_rate =
        b >= static_cast<double>(count) ? 1.0 / largest : b / (result.largest_row_curvature + (b - 1.0) * largest);
    return result;
}

STEEPEST_ALGORITHMS_END
