// Fit a linear model on data held in a std::vector with steepest's C++ core: the README's
// "Using the C++ core" example, also built by CI as a consumer of the core through
// add_subdirectory and through find_package.
#include <steepest/steepest.hpp>

#include <cmath>
#include <cstdio>
#include <functional>
#include <vector>

// The data every consumer (C++, C, Python) fits: a formula, so all of them build the same bits.
static void make_data(std::vector<double>& X, std::vector<double>& y, long n, long d) {
    X.resize(static_cast<std::size_t>(n * d));
    y.resize(static_cast<std::size_t>(n));
    for (long i = 0; i < n; ++i) {
        for (long j = 0; j < d; ++j) X[static_cast<std::size_t>(i * d + j)] = std::sin(0.1 * static_cast<double>(i * d + j) + static_cast<double>(j));
        const double* x = &X[static_cast<std::size_t>(i * d)];
        y[static_cast<std::size_t>(i)] = 1.5 * x[0] - 2.0 * x[1] + 0.5 * x[2] + 0.25 + 0.1 * std::sin(7.0 * static_cast<double>(i));
    }
}

int main() {
    const long n = 200, d = 3;
    std::vector<double> X, y;
    make_data(X, y, n, d);

    // The core reads X in place: pointers and shapes, no container it must own.
    const steepest::Problem<double> problem{X.data(), y.data(), n, d};
    steepest::FitOptions<double> options;
    options.batch_size = 16;
    options.learning_rate = 0.05;
    options.max_epochs = 20;
    options.tol = -1;  // run every epoch
    options.shuffle = steepest::ShuffleMode::none;
    options.n_threads = 1;

    // A hook polled every few milliseconds of work: return true to stop (a GUI's cancel button).
    const std::function<bool()> never_interrupt = [] { return false; };
    options.interrupt = &never_interrupt;

    std::vector<double> coef(static_cast<std::size_t>(d), 0.0);
    double intercept = 0.0;
    const auto on_epoch = [](const steepest::EpochState<double>& state) {
        std::fprintf(stderr, "epoch %ld: objective %.6g\n", static_cast<long>(state.epoch), state.loss);
        return false;  // true would stop the fit
    };
    const steepest::FitReport report = steepest::fit(problem, options, coef.data(), intercept, on_epoch);

    std::printf("stop_reason %s\n", steepest::to_string(report.stop_reason));
    for (double c : coef) std::printf("%.17g\n", c);
    std::printf("%.17g\n", intercept);
    return report.stop_reason == steepest::StopReason::max_epochs ? 0 : 1;
}
