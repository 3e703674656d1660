#pragma once

// The core compiled for several instruction sets, chosen once at run time.
//
// kernels_generic.cpp, kernels_avx2.cpp and kernels_avx512.cpp each compile the same header-only
// core inside an instruction-set region of their own (kernels_impl.hpp) and export a table of
// entry points; kernels() picks the widest table the CPU and the OS support. The package is
// built for the baseline x86-64 (no -march), so a wheel runs everywhere and still uses AVX2/FMA
// or AVX-512 where they exist.

#include <steepest/types.hpp>

#include <string>
#include <vector>

namespace steepest_bindings {

template <class T>
struct KernelSet {
    steepest::FitReport (*fit)(const steepest::Problem<T>&, const steepest::FitOptions<T>&, T*, T&,
                               const steepest::EpochObserver<T>&);
    T (*loss_gradient)(const steepest::Problem<T>&, const T*, T, T, T, const steepest::index_t*,
                       steepest::index_t, T*, T*, int, steepest::LossKind, double);
    steepest::index_t (*first_nonfinite)(const T*, steepest::index_t, int);
    steepest::FitReport (*fit_softmax)(const steepest::Problem<T>&, steepest::index_t, steepest::FitOptions<T>, T*,
                                       T*, const steepest::EpochObserver<T>&);
    T (*softmax_loss_gradient)(const steepest::Problem<T>&, steepest::index_t, const T*, const T*, T, T,
                               const steepest::index_t*, steepest::index_t, T*, T*, int);
};

struct Kernels {
    const char* isa;
    KernelSet<float> f32;
    KernelSet<double> f64;

    template <class T>
    const KernelSet<T>& get() const {
        if constexpr (std::is_same_v<T, float>) return f32;
        else return f64;
    }
};

// Each returns nullptr where that instruction set was not compiled (another architecture or compiler).
const Kernels* kernels_generic();
const Kernels* kernels_avx2();
const Kernels* kernels_avx512();

// The kernels in use: the best supported, unless select_kernels() chose others.
const Kernels& kernels();
// Names of the kernel sets this CPU can run, best first.
std::vector<std::string> supported_kernels();
// Switches to the named kernel set; throws std::invalid_argument if it cannot run here.
void select_kernels(const std::string& isa);

}  // namespace steepest_bindings
