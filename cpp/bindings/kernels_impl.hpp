// Included once by each kernels_<isa>.cpp, after it defines STEEPEST_ISA_NAMESPACE,
// STEEPEST_KERNELS_FUNCTION, STEEPEST_KERNELS_NAME and, for a wider ISA, STEEPEST_KERNELS_TARGET.
//
// The standard library and the core's types are parsed first, for the baseline ISA: only the
// core's own functions fall inside the target region, so nothing compiled for a wider ISA is ever
// shared, through the linker's merging of inline functions, with code that runs on every CPU.

#include "kernels.hpp"

#include <steepest/types.hpp>

// _Pragma with one level of indirection, so that the target string macro is expanded first.
#define STEEPEST_DO_PRAGMA(text) _Pragma(#text)
#define STEEPEST_TARGET_PUSH_GCC(isa) STEEPEST_DO_PRAGMA(GCC target(isa))
#define STEEPEST_TARGET_PUSH_CLANG(isa) \
    STEEPEST_DO_PRAGMA(clang attribute push(__attribute__((target(isa))), apply_to = function))

#ifdef STEEPEST_KERNELS_TARGET
#if defined(__clang__)
STEEPEST_TARGET_PUSH_CLANG(STEEPEST_KERNELS_TARGET)
#else
#pragma GCC push_options
STEEPEST_TARGET_PUSH_GCC(STEEPEST_KERNELS_TARGET)
#endif
#endif

#include <steepest/checks.hpp>
#include <steepest/gradient.hpp>
#include <steepest/softmax.hpp>
#include <steepest/train.hpp>

#ifdef STEEPEST_KERNELS_TARGET
#if defined(__clang__)
#pragma clang attribute pop
#else
#pragma GCC pop_options
#endif
#endif

namespace steepest_bindings {

namespace {

template <class T>
constexpr KernelSet<T> kernel_set() {
    return {&steepest::STEEPEST_ISA_NAMESPACE::fit<T>,
            &steepest::STEEPEST_ISA_NAMESPACE::loss_gradient<T>,
            &steepest::STEEPEST_ISA_NAMESPACE::first_nonfinite<T>,
            &steepest::STEEPEST_ISA_NAMESPACE::fit_softmax<T>,
            &steepest::STEEPEST_ISA_NAMESPACE::softmax_loss_gradient<T>};
}

}  // namespace

const Kernels* STEEPEST_KERNELS_FUNCTION() {
    static const Kernels table{STEEPEST_KERNELS_NAME, kernel_set<float>(), kernel_set<double>()};
    return &table;
}

}  // namespace steepest_bindings
