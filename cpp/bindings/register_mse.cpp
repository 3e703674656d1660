#include "arrays.hpp"
#include "kernels.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <tuple>

namespace steepest_bindings {

namespace {

template <class T>
std::tuple<T, Array<T>, T> loss_and_gradient(const Array<T>& X, const Array<T>& y,
                                             const Array<T>& coef, T intercept, T l2, T l1,
                                             const std::optional<IndexArray>& rows, int n_threads,
                                             const std::string& loss, double epsilon,
                                             const std::optional<Array<T>>& sample_weight) {
    const auto problem = problem_from(X, y, sample_weight);
    const steepest::LossKind kind = loss_kind(loss);
    check_coef(coef, problem.n_features);
    const steepest::index_t* row_ptr = rows ? rows->data() : nullptr;
    const steepest::index_t count = rows ? static_cast<steepest::index_t>(rows->size()) : 0;
    Array<T> grad(problem.n_features);
    T* grad_ptr = grad.mutable_data();
    const T* w = coef.data();
    T grad_b = 0, value = 0;
    const auto& kernel = kernels().get<T>();
    {
        py::gil_scoped_release release;
        value = kernel.loss_gradient(problem, w, intercept, l2, l1, row_ptr, count, grad_ptr, &grad_b,
                                     n_threads, kind, epsilon);
    }
    return {value, grad, grad_b};
}

template <class T>
void register_for(py::module_& m) {
    m.def("loss_and_gradient", &loss_and_gradient<T>, py::arg("X").noconvert(),
          py::arg("y").noconvert(), py::arg("coef").noconvert(), py::arg("intercept"),
          py::arg("l2"), py::arg("l1") = 0, py::arg("rows").noconvert() = py::none(), py::arg("n_threads") = 0,
          py::arg("loss") = "squared_error", py::arg("epsilon") = 0.1,
          py::arg("sample_weight").noconvert() = py::none(),
          "The objective and its gradients (value, grad_coef, grad_intercept).");
}

}  // namespace

steepest::LossKind loss_kind(const std::string& name) {
    if (const auto kind = steepest::loss_from_name(name)) return *kind;
    throw py::value_error("unknown loss '" + name + "'");
}

void register_mse(py::module_& m) {
    register_for<float>(m);
    register_for<double>(m);
}

}  // namespace steepest_bindings
