#include "arrays.hpp"
#include "kernels.hpp"

#include <pybind11/stl.h>

#include <steepest/optim.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace steepest_bindings {

namespace {

steepest::ScheduleKind schedule_kind(const std::string& name) {
    if (const auto kind = steepest::schedule_from_name(name)) return *kind;
    throw py::value_error("unknown schedule kind '" + name + "'");
}

steepest::Method method_of(const std::string& name) {
    if (const auto method = steepest::method_from_name(name)) return *method;
    throw py::value_error("unknown method '" + name + "'");
}

// A schedule from the dict steepest.schedules builds; every key must be known.
steepest::Schedule schedule_from(const py::dict& spec) {
    steepest::Schedule s;
    for (const auto& item : spec) {
        const auto key = py::cast<std::string>(item.first);
        const py::handle value = item.second;
        if (key == "kind") s.kind = schedule_kind(py::cast<std::string>(value));
        else if (key == "eta0") s.eta0 = py::cast<double>(value);
        else if (key == "power") s.power = py::cast<double>(value);
        else if (key == "alpha") s.alpha = py::cast<double>(value);
        else if (key == "t0") s.t0 = py::cast<double>(value);
        else if (key == "step_epochs") s.step_epochs = py::cast<steepest::index_t>(value);
        else if (key == "gamma") s.gamma = py::cast<double>(value);
        else if (key == "period") s.period = py::cast<steepest::index_t>(value);
        else if (key == "eta_min") s.eta_min = py::cast<double>(value);
        else if (key == "factor") s.factor = py::cast<double>(value);
        else if (key == "min_rate") s.min_rate = py::cast<double>(value);
        else if (key == "warmup_steps") s.warmup_steps = py::cast<steepest::index_t>(value);
        else throw py::value_error("unknown schedule option '" + key + "'");
    }
    return s;
}

// FitOptions from the dict steepest.fit builds (already validated there); every key must be known,
// so that a misspelt option fails loudly instead of being ignored.
template <class T>
steepest::FitOptions<T> options_from(const py::dict& spec) {
    steepest::FitOptions<T> o;
    using steepest::index_t;
    const std::map<std::string, std::function<void(py::handle)>> setters{
        {"loss", [&](py::handle v) { o.loss = loss_kind(py::cast<std::string>(v)); }},
        {"loss_epsilon", [&](py::handle v) { o.loss_epsilon = py::cast<double>(v); }},
        {"batch_size", [&](py::handle v) { o.batch_size = py::cast<index_t>(v); }},
        {"learning_rate", [&](py::handle v) { o.learning_rate = py::cast<T>(v); }},
        {"auto_learning_rate", [&](py::handle v) { o.auto_learning_rate = py::cast<bool>(v); }},
        {"schedule", [&](py::handle v) { o.schedule = schedule_from(py::cast<py::dict>(v)); }},
        {"l2", [&](py::handle v) { o.l2 = py::cast<T>(v); }},
        {"l1", [&](py::handle v) { o.l1 = py::cast<T>(v); }},
        {"method", [&](py::handle v) { o.method = method_of(py::cast<std::string>(v)); }},
        {"momentum", [&](py::handle v) { o.momentum = py::cast<double>(v); }},
        {"beta1", [&](py::handle v) { o.beta1 = py::cast<double>(v); }},
        {"beta2", [&](py::handle v) { o.beta2 = py::cast<double>(v); }},
        {"rho", [&](py::handle v) { o.rho = py::cast<double>(v); }},
        {"epsilon", [&](py::handle v) { o.epsilon = py::cast<double>(v); }},
        {"average_start", [&](py::handle v) { o.average_start = py::cast<index_t>(v); }},
        {"line_search", [&](py::handle v) { o.line_search = py::cast<bool>(v); }},
        {"gtol", [&](py::handle v) { o.gtol = py::cast<double>(v); }},
        {"fit_intercept", [&](py::handle v) { o.fit_intercept = py::cast<bool>(v); }},
        {"max_epochs", [&](py::handle v) { o.max_epochs = py::cast<index_t>(v); }},
        {"tol", [&](py::handle v) { o.tol = py::cast<double>(v); }},
        {"absolute_tol", [&](py::handle v) { o.absolute_tol = py::cast<bool>(v); }},
        {"strict_divergence", [&](py::handle v) { o.strict_divergence = py::cast<bool>(v); }},
        {"max_derivative", [&](py::handle v) { o.max_derivative = py::cast<double>(v); }},
        {"initial_updates", [&](py::handle v) { o.initial_updates = py::cast<index_t>(v); }},
        {"n_iter_no_change", [&](py::handle v) { o.n_iter_no_change = py::cast<index_t>(v); }},
        {"shuffle", [&](py::handle v) { o.shuffle = shuffle_mode(py::cast<std::string>(v)); }},
        {"shuffle_block_rows", [&](py::handle v) { o.shuffle_block_rows = py::cast<index_t>(v); }},
        {"seed", [&](py::handle v) { o.seed = py::cast<std::uint64_t>(v); }},
        {"n_threads", [&](py::handle v) { o.n_threads = py::cast<int>(v); }},
    };
    for (const auto& item : spec) {
        const auto key = py::cast<std::string>(item.first);
        const auto setter = setters.find(key);
        if (setter == setters.end()) throw py::value_error("unknown fit option '" + key + "'");
        setter->second(item.second);
    }
    return o;
}

// Polled by the core every few milliseconds, from the thread that called fit (the GIL released):
// Ctrl-C sets Python's signal flag, which only PyErr_CheckSignals reads, with the GIL held.
bool python_signal_pending() {
    py::gil_scoped_acquire acquire;
    return PyErr_CheckSignals() != 0;
}

// After an interrupted fit: the KeyboardInterrupt (or the signal handler's exception) that
// PyErr_CheckSignals left set, raised in Python.
[[noreturn]] void raise_interruption() {
    if (!PyErr_Occurred()) PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
}

py::array_t<double> to_array(const std::vector<double>& values) {
    py::array_t<double> result(static_cast<py::ssize_t>(values.size()));
    std::copy(values.begin(), values.end(), result.mutable_data());
    return result;
}

// observer(epoch, loss, learning_rate, validation_loss, intercept), a Python callable or None, as
// the core's epoch observer: the GIL is taken back only around each call, once per epoch, outside
// parallel regions.
template <class T>
steepest::EpochObserver<T> epoch_observer(const py::object& observer) {
    if (observer.is_none()) return {};
    return [&observer](const steepest::EpochState<T>& state) {
        py::gil_scoped_acquire acquire;
        return py::cast<bool>(
            observer(state.epoch, state.loss, state.learning_rate, state.validation_loss, state.intercept));
    };
}

// Runs run(options) (a core fit) without the GIL and with Ctrl-C polled, and returns its record as
// a dict: loss_history, learning_rate_history, validation_loss_history, stop_reason, n_updates.
template <class T, class Run>
py::dict run_fit(steepest::FitOptions<T>& options, Run run) {
    const std::function<bool()> poll = python_signal_pending;
    options.interrupt = &poll;
    steepest::FitReport report;
    {
        py::gil_scoped_release release;
        report = run(options);
    }
    if (report.stop_reason == steepest::StopReason::interrupted) raise_interruption();
    py::dict result;
    result["loss_history"] = to_array(report.loss_history);
    result["learning_rate_history"] = to_array(report.learning_rate_history);
    result["validation_loss_history"] = to_array(report.validation_loss_history);
    result["stop_reason"] = steepest::to_string(report.stop_reason);
    result["n_updates"] = report.n_updates;
    return result;
}

template <class T>
void check_softmax_shapes(const Array<T>& X, const Array<T>& coef, const Array<T>& intercept) {
    if (coef.ndim() != 2 || coef.shape(1) != X.shape(1) || intercept.ndim() != 1 || intercept.shape(0) != coef.shape(0))
        throw py::value_error("coef must be (n_classes, n_features) and intercept (n_classes,)");
}

// Trains coef in place from (coef, intercept); the dict of run_fit also holds the new intercept.
template <class T>
py::dict fit(const Array<T>& X, const Array<T>& y, Array<T>& coef, T intercept, const py::dict& spec,
             const std::optional<IndexArray>& train_rows, const std::optional<IndexArray>& validation_rows,
             const py::object& observer, const std::optional<Array<T>>& sample_weight) {
    const auto problem = problem_from(X, y, sample_weight);
    check_coef(coef, problem.n_features);
    steepest::FitOptions<T> options = options_from<T>(spec);
    if (train_rows) {
        options.train_rows = train_rows->data();
        options.n_train = static_cast<steepest::index_t>(train_rows->size());
    }
    if (validation_rows) {
        options.validation_rows = validation_rows->data();
        options.n_validation = static_cast<steepest::index_t>(validation_rows->size());
    }
    const auto on_epoch = epoch_observer<T>(observer);
    T* w = coef.mutable_data();
    const auto& kernel = kernels().get<T>();
    py::dict result = run_fit(options, [&](const steepest::FitOptions<T>& o) {
        return kernel.fit(problem, o, w, intercept, on_epoch);
    });
    result["intercept"] = intercept;
    return result;
}

// Multinomial logistic regression: y holds class indices (as floats), coef is (K, n_features),
// intercept (K,); both are trained in place.
template <class T>
py::dict fit_softmax(const Array<T>& X, const Array<T>& y, Array<T>& coef, Array<T>& intercept, const py::dict& spec,
                     const py::object& observer, const std::optional<Array<T>>& sample_weight) {
    const auto problem = problem_from(X, y, sample_weight);
    check_softmax_shapes(X, coef, intercept);
    const auto n_classes = static_cast<steepest::index_t>(coef.shape(0));
    steepest::FitOptions<T> options = options_from<T>(spec);
    const auto on_epoch = epoch_observer<T>(observer);
    T* W = coef.mutable_data();
    T* B = intercept.mutable_data();
    const auto& kernel = kernels().get<T>();
    return run_fit(options, [&](const steepest::FitOptions<T>& o) {
        return kernel.fit_softmax(problem, n_classes, o, W, B, on_epoch);
    });
}

template <class T>
std::tuple<T, Array<T>, Array<T>> softmax_loss_gradient(const Array<T>& X, const Array<T>& y, const Array<T>& coef,
                                                        const Array<T>& intercept, T l2, T l1, int n_threads,
                                                        const std::optional<Array<T>>& sample_weight) {
    const auto problem = problem_from(X, y, sample_weight);
    check_softmax_shapes(X, coef, intercept);
    const auto n_classes = static_cast<steepest::index_t>(coef.shape(0));
    Array<T> G({coef.shape(0), coef.shape(1)});
    Array<T> g_b(coef.shape(0));
    T value = 0;
    const auto& kernel = kernels().get<T>();
    {
        py::gil_scoped_release release;
        value = kernel.softmax_loss_gradient(problem, n_classes, coef.data(), intercept.data(), l2, l1, nullptr, 0,
                                             G.mutable_data(), g_b.mutable_data(), n_threads);
    }
    return {value, G, g_b};
}

template <class T>
void register_for(py::module_& m) {
    m.def("fit_softmax", &fit_softmax<T>, py::arg("X").noconvert(), py::arg("y").noconvert(),
          py::arg("coef").noconvert(), py::arg("intercept").noconvert(), py::arg("options"),
          py::arg("observer") = py::none(), py::arg("sample_weight").noconvert() = py::none(),
          "Multinomial logistic regression: trains coef (K, d) and intercept (K,) in place.");
    m.def("softmax_loss_and_gradient", &softmax_loss_gradient<T>, py::arg("X").noconvert(),
          py::arg("y").noconvert(), py::arg("coef").noconvert(), py::arg("intercept").noconvert(), py::arg("l2"),
          py::arg("l1"), py::arg("n_threads") = 0, py::arg("sample_weight").noconvert() = py::none(),
          "Mean softmax cross-entropy (+ penalties) and its gradients (value, grad_coef, grad_intercept).");
    m.def("fit", &fit<T>, py::arg("X").noconvert(), py::arg("y").noconvert(), py::arg("coef").noconvert(),
          py::arg("intercept"), py::arg("options"), py::arg("train_rows").noconvert() = py::none(),
          py::arg("validation_rows").noconvert() = py::none(), py::arg("observer") = py::none(),
          py::arg("sample_weight").noconvert() = py::none(),
          "Train coef in place; returns a dict: intercept, loss_history, learning_rate_history, "
          "validation_loss_history, stop_reason, n_updates.");
}

}  // namespace

void register_train(py::module_& m) {
    register_for<float>(m);
    register_for<double>(m);
    m.def(
        "schedule_rate",
        [](const py::dict& spec, steepest::index_t step, steepest::index_t epoch, steepest::index_t plateaus) {
            return steepest::scheduled_rate(schedule_from(spec), step, epoch, plateaus);
        },
        py::arg("schedule"), py::arg("step"), py::arg("epoch"), py::arg("plateaus") = 0,
        "The rate a schedule gives update number `step` (1-based) in epoch `epoch` (0-based).");
}

}  // namespace steepest_bindings
