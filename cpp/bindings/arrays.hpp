#pragma once

// What every binding shares: the array types it accepts and how it turns them into a
// steepest::Problem. Python has already made X and y contiguous and of one dtype, so these accept
// exactly that (noconvert at the call sites) and never copy.

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include <steepest/types.hpp>

namespace steepest_bindings {

namespace py = pybind11;

template <class T>
using Array = py::array_t<T, py::array::c_style>;

using IndexArray = py::array_t<steepest::index_t, py::array::c_style>;

// A loss by its Python name ("squared_error", "log_loss", ...); ValueError otherwise.
steepest::LossKind loss_kind(const std::string& name);

template <class T>
steepest::Problem<T> problem_from(const Array<T>& X, const Array<T>& y,
                                  const std::optional<Array<T>>& weights = std::nullopt) {
    if (X.ndim() != 2) throw py::value_error("X must be 2-D, got " + std::to_string(X.ndim()) + "-D");
    if (y.ndim() != 1) throw py::value_error("y must be 1-D, got " + std::to_string(y.ndim()) + "-D");
    if (y.shape(0) != X.shape(0))
        throw py::value_error("X has " + std::to_string(X.shape(0)) + " rows but y has " +
                              std::to_string(y.shape(0)));
    if (weights && (weights->ndim() != 1 || weights->shape(0) != X.shape(0)))
        throw py::value_error("sample_weight must be 1-D with one weight per row of X");
    return steepest::Problem<T>{X.data(), y.data(), static_cast<steepest::index_t>(X.shape(0)),
                                static_cast<steepest::index_t>(X.shape(1)), weights ? weights->data() : nullptr};
}

template <class T>
void check_coef(const Array<T>& coef, steepest::index_t n_features) {
    if (coef.ndim() != 1 || coef.shape(0) != n_features)
        throw py::value_error("coef must be 1-D with " + std::to_string(n_features) + " values");
}

// "none", "rows" or "blocks" as the core's enum; ValueError otherwise.
steepest::ShuffleMode shuffle_mode(const std::string& name);

void register_checks(py::module_& m);
void register_kernels(py::module_& m);
void register_mse(py::module_& m);
void register_shuffle(py::module_& m);
void register_train(py::module_& m);

}  // namespace steepest_bindings
