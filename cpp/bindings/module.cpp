#include "arrays.hpp"

#include <steepest/version.hpp>

PYBIND11_MODULE(_core, m) {
    m.doc() = "steepest's compiled core. Use the steepest package, not this module.";
    m.attr("__version__") = STEEPEST_VERSION_STRING;
    m.attr("has_openmp") = steepest::built_with_openmp();
    steepest_bindings::register_checks(m);
    steepest_bindings::register_kernels(m);
    steepest_bindings::register_mse(m);
    steepest_bindings::register_shuffle(m);
    steepest_bindings::register_train(m);
}
