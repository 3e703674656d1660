// The core for x86-64 CPUs with AVX-512 (F, DQ, BW, VL) besides AVX2 and FMA.
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#define STEEPEST_ISA_NAMESPACE isa_avx512
#define STEEPEST_KERNELS_FUNCTION kernels_avx512
#define STEEPEST_KERNELS_NAME "avx512"
#define STEEPEST_KERNELS_TARGET "avx512f,avx512dq,avx512bw,avx512vl,avx2,fma"
#include "kernels_impl.hpp"
#else
#include "kernels.hpp"
const steepest_bindings::Kernels* steepest_bindings::kernels_avx512() { return nullptr; }
#endif
