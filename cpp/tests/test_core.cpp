// Tests of the header-only core without Python: the loops, gradients and orders against closed
// forms and finite differences. Built with -DSTEEPEST_BUILD_TESTS=ON, run by ctest; CI also runs
// it under AddressSanitizer and UndefinedBehaviorSanitizer.

#include <steepest/steepest.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

int failures = 0;

void check(bool condition, const std::string& what) {
    if (!condition) {
        ++failures;
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
    }
}

template <class T>
struct Data {
    std::vector<T> X, y;
    std::vector<double> truth;
    steepest::index_t n, d;
    steepest::Problem<T> problem() const { return {X.data(), y.data(), n, d}; }
};

// y = X w + 0.5 + noise, X standard normal (a fixed generator: the same data on every platform).
template <class T>
Data<T> make_data(steepest::index_t n, steepest::index_t d, double noise, unsigned seed) {
    std::mt19937_64 engine(seed);
    std::normal_distribution<double> normal;
    Data<T> data{std::vector<T>(static_cast<std::size_t>(n * d)), std::vector<T>(static_cast<std::size_t>(n)),
                 std::vector<double>(static_cast<std::size_t>(d)), n, d};
    for (auto& w : data.truth) w = normal(engine);
    for (steepest::index_t i = 0; i < n; ++i) {
        double target = 0.5 + noise * normal(engine);
        for (steepest::index_t j = 0; j < d; ++j) {
            const double x = normal(engine);
            data.X[static_cast<std::size_t>(i * d + j)] = static_cast<T>(x);
            target += x * data.truth[static_cast<std::size_t>(j)];
        }
        data.y[static_cast<std::size_t>(i)] = static_cast<T>(target);
    }
    return data;
}

// The least-squares solution (with intercept) from the normal equations, by Gaussian elimination
// in long double: an oracle independent of the core's Cholesky.
template <class T>
std::vector<double> least_squares(const Data<T>& data) {
    const auto n = data.n, d = data.d, m = d + 1;
    std::vector<long double> A(static_cast<std::size_t>(m * (m + 1)), 0.0L);
    for (steepest::index_t i = 0; i < n; ++i) {
        std::vector<long double> row(static_cast<std::size_t>(m));
        for (steepest::index_t j = 0; j < d; ++j) row[static_cast<std::size_t>(j)] = data.X[static_cast<std::size_t>(i * d + j)];
        row[static_cast<std::size_t>(d)] = 1.0L;
        for (steepest::index_t a = 0; a < m; ++a) {
            for (steepest::index_t b = 0; b < m; ++b)
                A[static_cast<std::size_t>(a * (m + 1) + b)] += row[static_cast<std::size_t>(a)] * row[static_cast<std::size_t>(b)];
            A[static_cast<std::size_t>(a * (m + 1) + m)] += row[static_cast<std::size_t>(a)] * data.y[static_cast<std::size_t>(i)];
        }
    }
    for (steepest::index_t c = 0; c < m; ++c)
        for (steepest::index_t r = c + 1; r < m; ++r) {
            const long double f = A[static_cast<std::size_t>(r * (m + 1) + c)] / A[static_cast<std::size_t>(c * (m + 1) + c)];
            for (steepest::index_t k = c; k <= m; ++k)
                A[static_cast<std::size_t>(r * (m + 1) + k)] -= f * A[static_cast<std::size_t>(c * (m + 1) + k)];
        }
    std::vector<double> solution(static_cast<std::size_t>(m));
    for (steepest::index_t r = m - 1; r >= 0; --r) {
        long double value = A[static_cast<std::size_t>(r * (m + 1) + m)];
        for (steepest::index_t k = r + 1; k < m; ++k) value -= A[static_cast<std::size_t>(r * (m + 1) + k)] * solution[static_cast<std::size_t>(k)];
        solution[static_cast<std::size_t>(r)] = static_cast<double>(value / A[static_cast<std::size_t>(r * (m + 1) + r)]);
    }
    return solution;
}

double max_relative(const std::vector<double>& a, const std::vector<double>& b) {
    double worst = 0, scale = 0;
    for (std::size_t k = 0; k < a.size(); ++k) {
        worst = std::max(worst, std::abs(a[k] - b[k]));
        scale = std::max(scale, std::abs(b[k]));
    }
    return worst / scale;
}

template <class T>
void test_gradient_against_finite_differences(steepest::LossKind kind, const char* name) {
    auto data = make_data<T>(300, 5, 1.0, 1);
    if (steepest::is_classification(kind))
        for (auto& v : data.y) v = v > T(0.5) ? T(1) : T(-1);
    std::vector<double> w64 = {0.3, -0.2, 0.5, 0.1, -0.4};
    std::vector<T> w(w64.begin(), w64.end()), grad(5);
    T grad_b = 0;
    const auto p = data.problem();
    steepest::loss_gradient(p, w.data(), T(0.1), T(0.05), T(0), nullptr, 0, grad.data(), &grad_b, 0, kind, 0.3);
    const double h = std::is_same_v<T, float> ? 1e-2 : 1e-6;
    for (int j = 0; j < 5; ++j) {
        std::vector<T> plus = w, minus = w;
        plus[static_cast<std::size_t>(j)] += static_cast<T>(h);
        minus[static_cast<std::size_t>(j)] -= static_cast<T>(h);
        T unused_g[5];
        T unused_b;
        const double up = steepest::loss_gradient(p, plus.data(), T(0.1), T(0.05), T(0), nullptr, 0, unused_g,
                                                  &unused_b, 0, kind, 0.3);
        const double down = steepest::loss_gradient(p, minus.data(), T(0.1), T(0.05), T(0), nullptr, 0, unused_g,
                                                    &unused_b, 0, kind, 0.3);
        const double numeric = (up - down) / (2 * h);
        const double tolerance = std::is_same_v<T, float> ? 2e-2 : 1e-5;
        check(std::abs(numeric - grad[static_cast<std::size_t>(j)]) <= tolerance * std::max(1.0, std::abs(numeric)),
              std::string("finite differences, loss ") + name + ", coordinate " + std::to_string(j));
    }
}

void test_full_batch_reaches_least_squares() {
    const auto data = make_data<double>(2000, 6, 0.1, 2);
    const auto oracle = least_squares(data);
    std::vector<double> w(6, 0.0);
    double b = 0;
    steepest::FitOptions<double> options;
    options.batch_size = steepest::kFullBatch;
    options.learning_rate = 0.3;
    options.tol = -1;
    options.gtol = 1e-12;
    options.max_epochs = 2000;
    const auto report = steepest::fit(data.problem(), options, w.data(), b);
    std::vector<double> got(w);
    got.push_back(b);
    check(report.stop_reason == steepest::StopReason::gtol, "full batch stops on gtol");
    check(max_relative(got, oracle) < 1e-9, "full batch reaches the normal equations' solution");
}

void test_newton_in_one_step() {
    const auto data = make_data<double>(500, 4, 0.1, 3);
    const auto oracle = least_squares(data);
    std::vector<double> w(4, 0.0);
    double b = 0;
    steepest::FitOptions<double> options;
    options.batch_size = steepest::kFullBatch;
    options.method = steepest::Method::newton;
    options.learning_rate = 1.0;
    options.max_epochs = 1;
    steepest::fit(data.problem(), options, w.data(), b);
    std::vector<double> got(w);
    got.push_back(b);
    check(max_relative(got, oracle) < 1e-10, "Newton lands on the solution in one step");
}

template <class T>
void test_threads_give_identical_results(steepest::index_t batch) {
    const auto data = make_data<T>(20000, 16, 0.5, 4);
    std::vector<T> one(16, T(0)), two(16, T(0));
    T b1 = 0, b2 = 0;
    steepest::FitOptions<T> options;
    options.batch_size = batch;
    options.learning_rate = T(0.005);
    options.max_epochs = 2;
    options.tol = -1;
    options.seed = 42;
    options.n_threads = 1;
    steepest::fit(data.problem(), options, one.data(), b1);
    options.n_threads = 2;
    steepest::fit(data.problem(), options, two.data(), b2);
    check(one == two && b1 == b2, "1 and 2 threads give bit-identical weights, batch " + std::to_string(batch));
}

void test_epoch_orders_are_permutations() {
    steepest::OrderScratch scratch;
    for (auto mode : {steepest::ShuffleMode::rows, steepest::ShuffleMode::blocks}) {
        for (steepest::index_t n : {1, 7, 4096, 4097, 100000}) {
            const steepest::index_t* order = steepest::epoch_order(mode, n, 64, 9, 3, scratch);
            std::vector<char> seen(static_cast<std::size_t>(n), 0);
            bool ok = true;
            for (steepest::index_t k = 0; k < n; ++k) {
                if (order[k] < 0 || order[k] >= n || seen[static_cast<std::size_t>(order[k])]) ok = false;
                else seen[static_cast<std::size_t>(order[k])] = 1;
            }
            check(ok, "epoch order is a permutation of " + std::to_string(n) + " rows");
        }
    }
}

void test_softmax_gradient() {
    auto data = make_data<double>(200, 3, 1.0, 5);
    for (std::size_t i = 0; i < data.y.size(); ++i) data.y[i] = static_cast<double>(i % 3);
    std::vector<double> W = {0.1, -0.2, 0.3, 0.0, 0.2, -0.1, -0.3, 0.1, 0.2}, B = {0.1, 0.0, -0.1}, G(9), g_b(3);
    const auto p = data.problem();
    steepest::softmax_loss_gradient(p, 3, W.data(), B.data(), 0.01, 0.0, nullptr, 0, G.data(), g_b.data(), 0);
    for (std::size_t e = 0; e < 9; ++e) {
        auto plus = W, minus = W;
        plus[e] += 1e-6;
        minus[e] -= 1e-6;
        std::vector<double> scratch(9), scratch_b(3);
        const double up = steepest::softmax_loss_gradient(p, 3, plus.data(), B.data(), 0.01, 0.0, nullptr, 0,
                                                          scratch.data(), scratch_b.data(), 0);
        const double down = steepest::softmax_loss_gradient(p, 3, minus.data(), B.data(), 0.01, 0.0, nullptr, 0,
                                                            scratch.data(), scratch_b.data(), 0);
        check(std::abs((up - down) / 2e-6 - G[e]) < 1e-6, "softmax gradient, coefficient " + std::to_string(e));
    }
}

void test_interrupt_stops_the_fit() {
    const auto data = make_data<double>(200000, 8, 0.5, 6);
    std::vector<double> w(8, 0.0);
    double b = 0;
    int polls = 0;
    const std::function<bool()> poll = [&polls] { return ++polls >= 3; };
    steepest::FitOptions<double> options;
    options.batch_size = 1;
    options.learning_rate = 1e-4;
    options.max_epochs = 1000;
    options.tol = -1;
    options.interrupt = &poll;
    const auto report = steepest::fit(data.problem(), options, w.data(), b);
    check(report.stop_reason == steepest::StopReason::interrupted && report.n_epochs() == 0,
          "an interrupt stops the fit inside its first epoch");
}

void test_bad_options_throw() {
    const auto data = make_data<double>(10, 2, 0.1, 7);
    std::vector<double> w(2, 0.0);
    double b = 0;
    steepest::FitOptions<double> options;
    options.learning_rate = -1;
    bool threw = false;
    try {
        steepest::fit(data.problem(), options, w.data(), b);
    } catch (const std::invalid_argument&) {
        threw = true;
    }
    check(threw, "a negative learning rate throws std::invalid_argument");
}

}  // namespace

int main() {
    test_gradient_against_finite_differences<double>(steepest::LossKind::squared_error, "squared_error");
    test_gradient_against_finite_differences<double>(steepest::LossKind::huber, "huber");
    test_gradient_against_finite_differences<double>(steepest::LossKind::log_loss, "log_loss");
    test_gradient_against_finite_differences<double>(steepest::LossKind::squared_hinge, "squared_hinge");
    test_gradient_against_finite_differences<double>(steepest::LossKind::modified_huber, "modified_huber");
    test_gradient_against_finite_differences<float>(steepest::LossKind::squared_error, "squared_error (float)");
    test_full_batch_reaches_least_squares();
    test_newton_in_one_step();
    test_threads_give_identical_results<double>(steepest::kFullBatch);
    test_threads_give_identical_results<double>(256);
    test_threads_give_identical_results<float>(32);
    test_epoch_orders_are_permutations();
    test_softmax_gradient();
    test_interrupt_stops_the_fit();
    test_bad_options_throw();
    if (failures > 0) {
        std::fprintf(stderr, "%d check(s) failed\n", failures);
        return EXIT_FAILURE;
    }
    std::printf("all core tests passed\n");
    return EXIT_SUCCESS;
}
