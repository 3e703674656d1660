// Tests of the header-only core without Python (GoogleTest), every case over float and double
// with per-type tolerances: gradients against finite differences, each loop against its closed
// form, 1 versus 2 threads bit-identical, the interrupt hook honoured. Run by ctest; CI also runs
// them under AddressSanitizer and UndefinedBehaviorSanitizer.

#include <steepest/steepest.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

namespace {

using steepest::index_t;

template <class T>
struct Tolerance;
template <>
struct Tolerance<double> {
    static constexpr double step = 1e-6, gradient = 1e-6, solution = 1e-9;
};
template <>
struct Tolerance<float> {
    static constexpr double step = 1e-2, gradient = 2e-2, solution = 1e-3;
};

template <class T>
struct Data {
    std::vector<T> X, y;
    index_t n, d;
    steepest::Problem<T> problem() const { return {X.data(), y.data(), n, d}; }
};

// y = X w + 0.5 + noise, X standard normal, from a fixed generator.
template <class T>
Data<T> make_data(index_t n, index_t d, double noise, unsigned seed) {
    std::mt19937_64 engine(seed);
    std::normal_distribution<double> normal;
    std::vector<double> w(static_cast<std::size_t>(d));
    for (auto& value : w) value = normal(engine);
    Data<T> data{std::vector<T>(static_cast<std::size_t>(n * d)), std::vector<T>(static_cast<std::size_t>(n)), n, d};
    for (index_t i = 0; i < n; ++i) {
        double target = 0.5 + noise * normal(engine);
        for (index_t j = 0; j < d; ++j) {
            const double x = normal(engine);
            data.X[static_cast<std::size_t>(i * d + j)] = static_cast<T>(x);
            target += x * w[static_cast<std::size_t>(j)];
        }
        data.y[static_cast<std::size_t>(i)] = static_cast<T>(target);
    }
    return data;
}

// The least-squares solution (coefficients, then intercept) by Gaussian elimination on the normal
// equations in long double: an oracle independent of the core's Cholesky.
template <class T>
std::vector<double> least_squares(const Data<T>& data) {
    const index_t n = data.n, d = data.d, m = d + 1;
    std::vector<long double> A(static_cast<std::size_t>(m * (m + 1)), 0.0L);
    auto at = [&](index_t r, index_t c) -> long double& { return A[static_cast<std::size_t>(r * (m + 1) + c)]; };
    for (index_t i = 0; i < n; ++i) {
        std::vector<long double> row(static_cast<std::size_t>(m), 1.0L);
        for (index_t j = 0; j < d; ++j) row[static_cast<std::size_t>(j)] = data.X[static_cast<std::size_t>(i * d + j)];
        for (index_t a = 0; a < m; ++a) {
            for (index_t b = 0; b < m; ++b) at(a, b) += row[static_cast<std::size_t>(a)] * row[static_cast<std::size_t>(b)];
            at(a, m) += row[static_cast<std::size_t>(a)] * data.y[static_cast<std::size_t>(i)];
        }
    }
    for (index_t c = 0; c < m; ++c)
        for (index_t r = c + 1; r < m; ++r) {
            const long double f = at(r, c) / at(c, c);
            for (index_t k = c; k <= m; ++k) at(r, k) -= f * at(c, k);
        }
    std::vector<double> solution(static_cast<std::size_t>(m));
    for (index_t r = m - 1; r >= 0; --r) {
        long double value = at(r, m);
        for (index_t k = r + 1; k < m; ++k) value -= at(r, k) * solution[static_cast<std::size_t>(k)];
        solution[static_cast<std::size_t>(r)] = static_cast<double>(value / at(r, r));
    }
    return solution;
}

template <class T>
double relative_error(const std::vector<T>& coef, T intercept, const std::vector<double>& expected) {
    double worst = 0, scale = 0;
    for (std::size_t k = 0; k < expected.size(); ++k) {
        const double got = k < coef.size() ? static_cast<double>(coef[k]) : static_cast<double>(intercept);
        worst = std::max(worst, std::abs(got - expected[k]));
        scale = std::max(scale, std::abs(expected[k]));
    }
    return worst / scale;
}

template <class T>
class Core : public ::testing::Test {};
using Types = ::testing::Types<float, double>;
TYPED_TEST_SUITE(Core, Types);

TYPED_TEST(Core, GradientsMatchFiniteDifferencesForEverySmoothLoss) {
    using T = TypeParam;
    for (auto kind : {steepest::LossKind::squared_error, steepest::LossKind::huber, steepest::LossKind::log_loss,
                      steepest::LossKind::squared_hinge, steepest::LossKind::modified_huber,
                      steepest::LossKind::squared_epsilon_insensitive}) {
        auto data = make_data<T>(300, 5, 1.0, 1);
        if (steepest::is_classification(kind))
            for (auto& v : data.y) v = v > T(0.5) ? T(1) : T(-1);
        std::vector<T> w = {T(0.3), T(-0.2), T(0.5), T(0.1), T(-0.4)}, grad(5), scratch(5);
        T grad_b = 0, scratch_b = 0;
        const auto p = data.problem();
        steepest::loss_gradient(p, w.data(), T(0.1), T(0.05), T(0), nullptr, 0, grad.data(), &grad_b, 0, kind, 0.3);
        for (std::size_t j = 0; j < 5; ++j) {
            std::vector<T> plus = w, minus = w;
            plus[j] += static_cast<T>(Tolerance<T>::step);
            minus[j] -= static_cast<T>(Tolerance<T>::step);
            const double up = steepest::loss_gradient(p, plus.data(), T(0.1), T(0.05), T(0), nullptr, 0,
                                                      scratch.data(), &scratch_b, 0, kind, 0.3);
            const double down = steepest::loss_gradient(p, minus.data(), T(0.1), T(0.05), T(0), nullptr, 0,
                                                        scratch.data(), &scratch_b, 0, kind, 0.3);
            const double numeric = (up - down) / (static_cast<double>(plus[j]) - static_cast<double>(minus[j]));
            EXPECT_NEAR(numeric, grad[j], Tolerance<T>::gradient * std::max(1.0, std::abs(numeric)))
                << "loss " << static_cast<int>(kind) << ", coordinate " << j;
        }
    }
}

TYPED_TEST(Core, FullBatchReachesTheLeastSquaresSolution) {
    using T = TypeParam;
    const auto data = make_data<T>(2000, 6, 0.1, 2);
    std::vector<T> w(6, T(0));
    T b = 0;
    steepest::FitOptions<T> options;
    options.batch_size = steepest::kFullBatch;
    options.learning_rate = T(0.3);
    options.tol = -1;
    options.max_epochs = 300;
    steepest::fit(data.problem(), options, w.data(), b);
    EXPECT_LT(relative_error(w, b, least_squares(data)), Tolerance<T>::solution);
}

// The textbook update, written out: for each batch of consecutive rows (no shuffle),
// w -= eta * (2/B) sum r_i x_i, b -= eta * (2/B) sum r_i, with r_i = x_i . w + b - y_i.
template <class T>
void reference_epoch(const Data<T>& data, index_t batch, double eta, std::vector<double>& w, double& b) {
    for (index_t start = 0; start < data.n; start += batch) {
        const index_t count = std::min(batch, data.n - start);
        std::vector<double> g(w.size(), 0.0);
        double g_b = 0;
        for (index_t i = start; i < start + count; ++i) {
            double r = b - static_cast<double>(data.y[static_cast<std::size_t>(i)]);
            for (index_t j = 0; j < data.d; ++j) r += static_cast<double>(data.X[static_cast<std::size_t>(i * data.d + j)]) * w[static_cast<std::size_t>(j)];
            for (index_t j = 0; j < data.d; ++j) g[static_cast<std::size_t>(j)] += r * static_cast<double>(data.X[static_cast<std::size_t>(i * data.d + j)]);
            g_b += r;
        }
        for (std::size_t j = 0; j < w.size(); ++j) w[j] -= eta * 2.0 / static_cast<double>(count) * g[j];
        b -= eta * 2.0 / static_cast<double>(count) * g_b;
    }
}

TYPED_TEST(Core, StochasticAndMiniBatchEpochsFollowTheTextbookUpdate) {
    using T = TypeParam;
    const auto data = make_data<T>(1000, 7, 0.5, 8);
    for (index_t batch : {index_t{1}, index_t{32}, index_t{333}}) {
        std::vector<T> w(7, T(0));
        T b = 0;
        steepest::FitOptions<T> options;
        options.batch_size = batch;
        options.learning_rate = T(0.01);
        options.max_epochs = 2;
        options.tol = -1;
        options.shuffle = steepest::ShuffleMode::none;
        steepest::fit(data.problem(), options, w.data(), b);
        std::vector<double> expected(7, 0.0);
        double expected_b = 0;
        reference_epoch(data, batch, 0.01, expected, expected_b);
        reference_epoch(data, batch, 0.01, expected, expected_b);
        expected.push_back(expected_b);
        const double limit = std::is_same_v<T, double> ? 1e-12 : 1e-4;
        EXPECT_LT(relative_error(w, b, expected), limit) << "batch " << batch;
    }
}

TYPED_TEST(Core, NewtonLandsOnTheSolutionInOneStep) {
    using T = TypeParam;
    const auto data = make_data<T>(500, 4, 0.1, 3);
    std::vector<T> w(4, T(0));
    T b = 0;
    steepest::FitOptions<T> options;
    options.batch_size = steepest::kFullBatch;
    options.method = steepest::Method::newton;
    options.learning_rate = T(1);
    options.max_epochs = 1;
    steepest::fit(data.problem(), options, w.data(), b);
    const double limit = std::is_same_v<T, double> ? 1e-10 : 1e-4;
    EXPECT_LT(relative_error(w, b, least_squares(data)), limit);
}

// Three and five threads too: more threads than this machine's processors, where the epoch's
// barrier must yield its core instead of spinning against the thread it waits for.
TYPED_TEST(Core, OneAndSeveralThreadsGiveBitIdenticalWeights) {
    using T = TypeParam;
    const auto data = make_data<T>(20000, 16, 0.5, 4);
    for (index_t batch : {index_t{0}, index_t{32}, index_t{256}}) {
        std::vector<T> one(16, T(0));
        T b1 = 0;
        steepest::FitOptions<T> options;
        options.batch_size = batch;
        options.learning_rate = T(0.005);
        options.max_epochs = 2;
        options.tol = -1;
        options.seed = 42;
        options.n_threads = 1;
        steepest::fit(data.problem(), options, one.data(), b1);
        for (int threads : {2, 3, 5}) {
            std::vector<T> several(16, T(0));
            T b = 0;
            options.n_threads = threads;
            steepest::fit(data.problem(), options, several.data(), b);
            EXPECT_EQ(one, several) << "batch " << batch << ", " << threads << " threads";
            EXPECT_EQ(b1, b) << "batch " << batch << ", " << threads << " threads";
        }
    }
}

// Rows of a per-row shuffle are summed eight at a time, runs of rows four at a time
// (accumulate_block); the two loops must agree to the bit, or results would depend on the shuffle
// mode's code path rather than on the rows. Odd sizes reach both loops' leftover rows.
TYPED_TEST(Core, ScatteredAndRunRowsGiveBitIdenticalSums) {
    using T = TypeParam;
    auto data = make_data<T>(997, 37, 1.0, 5);
    for (auto& v : data.y) v = v > T(0.5) ? T(1) : T(-1);
    const auto p = data.problem();
    std::vector<index_t> order(static_cast<std::size_t>(p.n_rows));
    for (index_t k = 0; k < p.n_rows; ++k) order[static_cast<std::size_t>(k)] = (k * 389) % p.n_rows;
    std::vector<T> w(37);
    for (std::size_t j = 0; j < w.size(); ++j) w[j] = T(0.05) * static_cast<T>(static_cast<int>(j % 7) - 3);
    const index_t width = steepest::detail::Sums<T>::width(37);
    for (auto kind : {steepest::LossKind::squared_error, steepest::LossKind::log_loss, steepest::LossKind::hinge}) {
        for (index_t count : {index_t{13}, index_t{203}, index_t{997}}) {
            std::vector<T> scattered(static_cast<std::size_t>(width)), runs(static_cast<std::size_t>(width));
            steepest::with_loss<T>(kind, 0.1, [&](const auto& loss) {
                steepest::Workspace<T> workspace;
                const auto rows = steepest::gathered_rows(p, order.data(), 0, count);
                EXPECT_TRUE(rows.scattered);
                auto in_runs = rows;
                in_runs.scattered = false;
                steepest::batch_sums(p, w.data(), T(0.2), rows, count, workspace, 1, scattered.data(), loss);
                steepest::batch_sums(p, w.data(), T(0.2), in_runs, count, workspace, 1, runs.data(), loss);
                return 0;
            });
            EXPECT_EQ(scattered, runs) << "loss " << static_cast<int>(kind) << ", " << count << " rows";
            EXPECT_NE(scattered[0], T(0)) << "the sums are empty: the comparison would prove nothing";
        }
    }
}

TYPED_TEST(Core, SoftmaxGradientMatchesFiniteDifferences) {
    using T = TypeParam;
    auto data = make_data<T>(200, 3, 1.0, 5);
    for (std::size_t i = 0; i < data.y.size(); ++i) data.y[i] = static_cast<T>(i % 3);
    std::vector<T> W = {T(0.1), T(-0.2), T(0.3), T(0), T(0.2), T(-0.1), T(-0.3), T(0.1), T(0.2)};
    std::vector<T> B = {T(0.1), T(0), T(-0.1)}, G(9), g_b(3), scratch(9), scratch_b(3);
    const auto p = data.problem();
    steepest::softmax_loss_gradient(p, 3, W.data(), B.data(), T(0.01), T(0), nullptr, 0, G.data(), g_b.data(), 0);
    for (std::size_t e = 0; e < 9; ++e) {
        auto plus = W, minus = W;
        plus[e] += static_cast<T>(Tolerance<T>::step);
        minus[e] -= static_cast<T>(Tolerance<T>::step);
        const double up = steepest::softmax_loss_gradient(p, 3, plus.data(), B.data(), T(0.01), T(0), nullptr, 0,
                                                          scratch.data(), scratch_b.data(), 0);
        const double down = steepest::softmax_loss_gradient(p, 3, minus.data(), B.data(), T(0.01), T(0), nullptr,
                                                            0, scratch.data(), scratch_b.data(), 0);
        const double numeric = (up - down) / (static_cast<double>(plus[e]) - static_cast<double>(minus[e]));
        EXPECT_NEAR(numeric, G[e], Tolerance<T>::gradient * std::max(1.0, std::abs(numeric))) << "coefficient " << e;
    }
}

TYPED_TEST(Core, TheInterruptHookStopsTheFitInsideAnEpoch) {
    using T = TypeParam;
    const auto data = make_data<T>(300000, 8, 0.5, 6);
    for (index_t batch : {index_t{1}, index_t{64}, index_t{0}}) {
        std::vector<T> w(8, T(0));
        T b = 0;
        int polls = 0;
        const std::function<bool()> poll = [&polls] { return ++polls >= 3; };
        steepest::FitOptions<T> options;
        options.batch_size = batch;
        options.learning_rate = T(1e-4);
        options.max_epochs = 1000;
        options.tol = -1;
        options.interrupt = &poll;
        const auto report = steepest::fit(data.problem(), options, w.data(), b);
        EXPECT_EQ(report.stop_reason, steepest::StopReason::interrupted) << "batch " << batch;
        EXPECT_LE(report.n_epochs(), 3) << "batch " << batch;
        EXPECT_EQ(polls, 3);
    }
}

TEST(Orders, EveryEpochOrderIsAPermutation) {
    steepest::OrderScratch scratch;
    for (auto mode : {steepest::ShuffleMode::rows, steepest::ShuffleMode::blocks}) {
        for (index_t n : {1, 7, 4096, 4097, 100000}) {
            const index_t* order = steepest::epoch_order(mode, n, 64, 9, 3, scratch);
            std::vector<char> seen(static_cast<std::size_t>(n), 0);
            for (index_t k = 0; k < n; ++k) {
                ASSERT_GE(order[k], 0);
                ASSERT_LT(order[k], n);
                ASSERT_FALSE(seen[static_cast<std::size_t>(order[k])]) << "row " << order[k] << " twice";
                seen[static_cast<std::size_t>(order[k])] = 1;
            }
        }
    }
}

TEST(Options, BadValuesThrowInvalidArgument) {
    const auto data = make_data<double>(10, 2, 0.1, 7);
    std::vector<double> w(2, 0.0);
    double b = 0;
    steepest::FitOptions<double> options;
    options.learning_rate = -1;
    EXPECT_THROW(steepest::fit(data.problem(), options, w.data(), b), std::invalid_argument);
    options.learning_rate = 0.1;
    options.method = steepest::Method::newton;
    options.batch_size = 4;
    EXPECT_THROW(steepest::fit(data.problem(), options, w.data(), b), std::invalid_argument);
}

}  // namespace
