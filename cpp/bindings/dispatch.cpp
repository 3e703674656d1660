#include "kernels.hpp"

#include <atomic>
#include <stdexcept>

namespace steepest_bindings {

namespace {

bool cpu_runs(const std::string& isa) {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
    // GCC's and Clang's checks include the OS's support for the wider registers (XGETBV).
    __builtin_cpu_init();
    if (isa == "avx512")
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
               __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == "avx2") return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    return isa == "generic";
}

const Kernels* compiled(const std::string& isa) {
    if (isa == "avx512") return kernels_avx512();
    if (isa == "avx2") return kernels_avx2();
    if (isa == "generic") return kernels_generic();
    return nullptr;
}

const char* const kBestFirst[] = {"avx512", "avx2", "generic"};

std::atomic<const Kernels*>& current() {
    static std::atomic<const Kernels*> chosen{[] {
        for (const char* isa : kBestFirst)
            if (compiled(isa) && cpu_runs(isa)) return compiled(isa);
        return kernels_generic();
    }()};
    return chosen;
}

}  // namespace

const Kernels& kernels() { return *current().load(std::memory_order_acquire); }

std::vector<std::string> supported_kernels() {
    std::vector<std::string> names;
    for (const char* isa : kBestFirst)
        if (compiled(isa) && cpu_runs(isa)) names.emplace_back(isa);
    return names;
}

void select_kernels(const std::string& isa) {
    if (!compiled(isa) || !cpu_runs(isa))
        throw std::invalid_argument("kernel '" + isa + "' cannot run here");
    current().store(compiled(isa), std::memory_order_release);
}

}  // namespace steepest_bindings
