#include "arrays.hpp"
#include "kernels.hpp"

#include <pybind11/stl.h>

namespace steepest_bindings {

void register_kernels(py::module_& m) {
    m.def("kernel_isa", [] { return std::string(kernels().isa); },
          "Instruction set of the kernels in use: 'avx512', 'avx2' or 'generic'.");
    m.def("supported_kernels", &supported_kernels, "Kernel sets this CPU can run, best first.");
    m.def("select_kernels", &select_kernels, py::arg("isa"),
          "Use the named kernel set from now on (for tests and benchmarks).");
    m.def("max_threads", [] { return steepest::resolve_threads(0); },
          "Threads a fit with n_threads=None uses: OpenMP's default (OMP_NUM_THREADS, threadpoolctl).");
}

}  // namespace steepest_bindings
