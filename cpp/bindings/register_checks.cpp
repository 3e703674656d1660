#include "arrays.hpp"
#include "kernels.hpp"

namespace steepest_bindings {

namespace {

template <class T>
steepest::index_t first_nonfinite(const Array<T>& a, int n_threads) {
    const T* data = a.data();
    const auto n = static_cast<steepest::index_t>(a.size());
    const auto& kernel = kernels().get<T>();
    py::gil_scoped_release release;
    return kernel.first_nonfinite(data, n, n_threads);
}

template <class T>
void register_for(py::module_& m) {
    m.def("first_nonfinite", &first_nonfinite<T>, py::arg("a").noconvert(), py::arg("n_threads") = 0,
          "Flat position of the first NaN or infinity in a C-contiguous array, or -1.");
}

}  // namespace

void register_checks(py::module_& m) {
    register_for<float>(m);
    register_for<double>(m);
}

}  // namespace steepest_bindings
