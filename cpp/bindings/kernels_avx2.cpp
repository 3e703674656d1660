// The core for x86-64 CPUs with AVX2 and FMA (Intel Haswell, AMD Zen and later).
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define STEEPEST_ISA_NAMESPACE isa_avx2
#define STEEPEST_KERNELS_FUNCTION kernels_avx2
#define STEEPEST_KERNELS_NAME "avx2"
#define STEEPEST_KERNELS_TARGET "avx2,fma"
#include "kernels_impl.hpp"
#else
#include "kernels.hpp"
const steepest_bindings::Kernels* steepest_bindings::kernels_avx2() { return nullptr; }
#endif
