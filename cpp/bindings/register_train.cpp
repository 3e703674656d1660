#include "arrays.hpp"
#include "kernels.hpp"

#include <cstdint>
#include <string>
#include <tuple>

namespace steepest_bindings {

namespace {

// Runs the core's fit without the GIL. observer(epoch, loss, intercept) is a Python callable or
// None; the GIL is taken back only around each call, once per epoch, outside parallel regions.
template <class T>
std::tuple<T, py::array_t<double>, std::string> fit(
    const Array<T>& X, const Array<T>& y, Array<T>& coef, T intercept, steepest::index_t batch_size,
    T learning_rate, T l2, bool fit_intercept, steepest::index_t max_epochs, double tol,
    steepest::index_t n_iter_no_change, const std::string& shuffle,
    steepest::index_t shuffle_block_rows, std::uint64_t seed, int n_threads,
    const py::object& observer) {
    const auto problem = problem_from(X, y);
    check_coef(coef, problem.n_features);
    steepest::FitOptions<T> options;
    options.batch_size = batch_size;
    options.learning_rate = learning_rate;
    options.l2 = l2;
    options.fit_intercept = fit_intercept;
    options.max_epochs = max_epochs;
    options.tol = tol;
    options.n_iter_no_change = n_iter_no_change;
    options.shuffle = shuffle_mode(shuffle);
    options.shuffle_block_rows = shuffle_block_rows;
    options.seed = seed;
    options.n_threads = n_threads;

    steepest::EpochObserver<T> on_epoch;
    if (!observer.is_none()) {
        on_epoch = [&observer](const steepest::EpochState<T>& state) {
            py::gil_scoped_acquire acquire;
            return py::cast<bool>(observer(state.epoch, state.loss, state.intercept));
        };
    }

    T* w = coef.mutable_data();
    const auto& kernel = kernels().get<T>();
    steepest::FitReport report;
    {
        py::gil_scoped_release release;
        report = kernel.fit(problem, options, w, intercept, on_epoch);
    }
    py::array_t<double> history(static_cast<py::ssize_t>(report.loss_history.size()));
    std::copy(report.loss_history.begin(), report.loss_history.end(), history.mutable_data());
    return {intercept, history, steepest::to_string(report.stop_reason)};
}

template <class T>
void register_for(py::module_& m) {
    m.def("fit", &fit<T>, py::arg("X").noconvert(), py::arg("y").noconvert(),
          py::arg("coef").noconvert(), py::arg("intercept"), py::arg("batch_size"),
          py::arg("learning_rate"), py::arg("l2"), py::arg("fit_intercept"), py::arg("max_epochs"),
          py::arg("tol"), py::arg("n_iter_no_change"), py::arg("shuffle"),
          py::arg("shuffle_block_rows"), py::arg("seed"), py::arg("n_threads"), py::arg("observer"),
          "Train coef in place; returns (intercept, loss_history, stop_reason).");
}

}  // namespace

void register_train(py::module_& m) {
    register_for<float>(m);
    register_for<double>(m);
}

}  // namespace steepest_bindings
