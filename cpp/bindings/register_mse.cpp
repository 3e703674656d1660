#include "arrays.hpp"
#include "kernels.hpp"

#include <pybind11/stl.h>

#include <optional>
#include <tuple>

namespace steepest_bindings {

namespace {

template <class T>
std::tuple<T, Array<T>, T> loss_and_gradient(const Array<T>& X, const Array<T>& y,
                                             const Array<T>& coef, T intercept, T l2, T l1,
                                             const std::optional<IndexArray>& rows, int n_threads) {
    const auto problem = problem_from(X, y);
    check_coef(coef, problem.n_features);
    const steepest::index_t* row_ptr = rows ? rows->data() : nullptr;
    const steepest::index_t count = rows ? static_cast<steepest::index_t>(rows->size()) : 0;
    Array<T> grad(problem.n_features);
    T* grad_ptr = grad.mutable_data();
    const T* w = coef.data();
    T grad_b = 0, loss = 0;
    const auto& kernel = kernels().get<T>();
    {
        py::gil_scoped_release release;
        loss = kernel.loss_gradient(problem, w, intercept, l2, l1, row_ptr, count, grad_ptr, &grad_b,
                                    n_threads);
    }
    return {loss, grad, grad_b};
}

template <class T>
void register_for(py::module_& m) {
    m.def("loss_and_gradient", &loss_and_gradient<T>, py::arg("X").noconvert(),
          py::arg("y").noconvert(), py::arg("coef").noconvert(), py::arg("intercept"),
          py::arg("l2"), py::arg("l1") = 0, py::arg("rows").noconvert() = py::none(), py::arg("n_threads") = 0,
          "Mean squared error objective and its gradients (loss, grad_coef, grad_intercept).");
}

}  // namespace

void register_mse(py::module_& m) {
    register_for<float>(m);
    register_for<double>(m);
}

}  // namespace steepest_bindings
