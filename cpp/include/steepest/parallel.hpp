#pragma once

#ifdef _OPENMP
#include <omp.h>
// Serial builds drop the directives instead of warning about unknown pragmas.
#define STEEPEST_OMP(directive) _Pragma(#directive)
#else
#define STEEPEST_OMP(directive)
#endif

namespace steepest {

// n_threads <= 0 means "whatever OpenMP would choose": OMP_NUM_THREADS and threadpoolctl's
// limits keep working because we never call omp_set_num_threads.
inline int resolve_threads(int n_threads) {
    if (n_threads > 0) return n_threads;
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

inline bool built_with_openmp() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

}  // namespace steepest
