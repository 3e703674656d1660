#include "arrays.hpp"

#include <pybind11/functional.h>

#include <string>
#include <tuple>

#include <steepest/train.hpp>

namespace steepest_bindings {

namespace {

// Runs steepest::fit without the GIL. order_source(epoch) and observer(epoch, loss) are Python
// callables (or None); the GIL is taken back only around each call, once per epoch.
template <class T>
std::tuple<T, py::array_t<double>, std::string> fit(
    const Array<T>& X, const Array<T>& y, Array<T>& coef, T intercept, steepest::index_t batch_size,
    T learning_rate, T l2, bool fit_intercept, steepest::index_t max_epochs, double tol,
    steepest::index_t n_iter_no_change, int n_threads, const py::object& order_source,
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
    options.n_threads = n_threads;

    // Declared before the GIL is released so that it is destroyed with the GIL held.
    py::object current_order;
    steepest::OrderSource order_of_epoch;
    if (!order_source.is_none()) {
        order_of_epoch = [&](steepest::index_t epoch) -> const steepest::index_t* {
            py::gil_scoped_acquire acquire;
            auto order = py::cast<IndexArray>(order_source(epoch));
            if (order.ndim() != 1 || order.shape(0) != problem.n_rows)
                throw py::value_error("order_source must return " + std::to_string(problem.n_rows) +
                                      " row indices");
            current_order = order;
            return order.data();
        };
    }
    steepest::EpochObserver on_epoch;
    if (!observer.is_none()) {
        on_epoch = [&](steepest::index_t epoch, double loss) {
            py::gil_scoped_acquire acquire;
            return py::cast<bool>(observer(epoch, loss));
        };
    }

    T* w = coef.mutable_data();
    steepest::FitReport report;
    {
        py::gil_scoped_release release;
        report = steepest::fit(problem, options, w, intercept, order_of_epoch, on_epoch);
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
          py::arg("tol"), py::arg("n_iter_no_change"), py::arg("n_threads"),
          py::arg("order_source"), py::arg("observer"),
          "Train coef in place; returns (intercept, loss_history, stop_reason).");
}

}  // namespace

void register_train(py::module_& m) {
    register_for<float>(m);
    register_for<double>(m);
}

}  // namespace steepest_bindings
