// Memory-speed floors for benchmarks/run.py: the least time any epoch can take to read X once.
//
// This is a measuring instrument, not part of the package: run.py compiles it with
// `c++ -O3 -march=native -fopenmp -shared -fPIC` and calls it through ctypes.
//
//   sequential floor: sum every element of X in memory order (what an unshuffled or
//                     block-shuffled epoch must at least do);
//   gather floor:     sum every row of X once, visiting the rows in a given permutation and
//                     prefetching the rows some positions ahead into L2 (what a row-shuffled
//                     epoch must at least do). Prefetching into L1 instead (T0) was 30% slower:
//                     each such request holds one of the core's few line-fill buffers until its
//                     line arrives.
//
// Both return the sum, so that the compiler cannot drop the loads. Each thread takes one
// contiguous share of the work (static schedule), as an epoch's parallel loop would.

#include <cstdint>

namespace {

// Independent partial sums: enough vector registers in flight that the adds' latency never
// limits the loop, so it runs at the speed of the loads. The compiler vectorises the inner loop.
constexpr std::int64_t kLanes = 32;

template <class T>
void accumulate(const T* x, std::int64_t n, T* acc) {
    std::int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (std::int64_t j = 0; j < kLanes; ++j) acc[j] += x[i + j];
    for (std::int64_t j = 0; i + j < n; ++j) acc[j] += x[i + j];
}

template <class T>
double total(const T* acc) {
    double sum = 0;
    for (std::int64_t j = 0; j < kLanes; ++j) sum += acc[j];
    return sum;
}

// Rows [begin, end) of the thread's share when n_items are split into n_threads equal parts.
struct Share {
    std::int64_t begin, end;
    Share(std::int64_t n_items, std::int64_t n_threads, std::int64_t thread) {
        const std::int64_t size = (n_items + n_threads - 1) / n_threads;
        begin = size * thread < n_items ? size * thread : n_items;
        end = begin + size < n_items ? begin + size : n_items;
    }
};

template <class T>
double sum_sequential(const T* x, std::int64_t n_elements, int n_threads) {
    double sum = 0;
#pragma omp parallel for num_threads(n_threads) schedule(static) reduction(+ : sum)
    for (int thread = 0; thread < n_threads; ++thread) {
        const Share share(n_elements, n_threads, thread);
        T acc[kLanes] = {};
        accumulate(x + share.begin, share.end - share.begin, acc);
        sum += total(acc);
    }
    return sum;
}

template <class T>
double sum_gathered(const T* x, std::int64_t n_rows, std::int64_t n_cols, const std::int64_t* order,
                    std::int64_t prefetch_rows, int n_threads) {
    const std::int64_t row_bytes = n_cols * static_cast<std::int64_t>(sizeof(T));
    double sum = 0;
#pragma omp parallel for num_threads(n_threads) schedule(static) reduction(+ : sum)
    for (int thread = 0; thread < n_threads; ++thread) {
        const Share share(n_rows, n_threads, thread);
        T acc[kLanes] = {};
        for (std::int64_t k = share.begin; k < share.end; ++k) {
            if (k + prefetch_rows < share.end) {
                // Every cache line the row ahead touches (rows need not start on a line).
                const auto first = reinterpret_cast<std::uintptr_t>(x + order[k + prefetch_rows] * n_cols);
                for (std::uintptr_t line = first & ~std::uintptr_t{63}; line < first + row_bytes; line += 64)
                    __builtin_prefetch(reinterpret_cast<const void*>(line), 0, 2);
            }
            accumulate(x + order[k] * n_cols, n_cols, acc);
        }
        sum += total(acc);
    }
    return sum;
}

}  // namespace

extern "C" {

double floor_sequential_f64(const double* x, std::int64_t n, int n_threads) {
    return sum_sequential(x, n, n_threads);
}
double floor_sequential_f32(const float* x, std::int64_t n, int n_threads) {
    return sum_sequential(x, n, n_threads);
}
double floor_gathered_f64(const double* x, std::int64_t n_rows, std::int64_t n_cols, const std::int64_t* order,
                          std::int64_t prefetch_rows, int n_threads) {
    return sum_gathered(x, n_rows, n_cols, order, prefetch_rows, n_threads);
}
double floor_gathered_f32(const float* x, std::int64_t n_rows, std::int64_t n_cols, const std::int64_t* order,
                          std::int64_t prefetch_rows, int n_threads) {
    return sum_gathered(x, n_rows, n_cols, order, prefetch_rows, n_threads);
}

}  // extern "C"
