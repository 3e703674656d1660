#include "arrays.hpp"

#include <pybind11/stl.h>
#include <steepest/shuffle.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace steepest_bindings {

steepest::ShuffleMode shuffle_mode(const std::string& name) {
    if (const auto mode = steepest::shuffle_from_name(name)) return *mode;
    throw py::value_error("shuffle must be 'rows', 'blocks' or 'none', got '" + name + "'");
}

namespace {

// The checks both order functions make; returns the number of threads to draw with.
int checked_order_arguments(steepest::index_t n_rows, int n_threads) {
    if (n_rows <= 0) throw py::value_error("n_rows must be positive");
    if (n_threads < 0) throw py::value_error("n_threads must be positive, or 0 for OpenMP's default");
    return steepest::resolve_threads(n_threads);
}

}  // namespace

void register_shuffle(py::module_& m) {
    m.def(
        "epoch_order",
        [](const std::string& mode, steepest::index_t n_rows, steepest::index_t block_rows,
           std::uint64_t seed, steepest::index_t epoch, int n_threads) {
            const int threads = checked_order_arguments(n_rows, n_threads);
            const steepest::ShuffleMode shuffle = shuffle_mode(mode);
            steepest::OrderScratch scratch;
            {
                py::gil_scoped_release release;
                steepest::epoch_order(shuffle, n_rows, block_rows, seed, epoch, scratch, threads);
            }
            IndexArray result(static_cast<py::ssize_t>(scratch.order.size()));
            std::copy(scratch.order.begin(), scratch.order.end(), result.mutable_data());
            return result;
        },
        py::arg("mode"), py::arg("n_rows"), py::arg("block_rows"), py::arg("seed"), py::arg("epoch"),
        py::arg("n_threads") = 0,
        "The row order the core uses in a (0-based) epoch of a fit with this shuffle mode and seed (the "
        "same for any n_threads).");
    // For benchmarks/run.py: epoch_order above allocates and fills a fresh NumPy array on every
    // call, which costs as much again as drawing the order; a fit reuses one scratch buffer. In a
    // fit, though, each draw follows an epoch that has read all of X and pushed that buffer out of
    // the cache: `between` (X, say) is read before each draw, untimed, to time it in that state.
    m.def(
        "epoch_order_seconds",
        [](const std::string& mode, steepest::index_t n_rows, steepest::index_t block_rows,
           std::uint64_t seed, steepest::index_t epochs, int n_threads, std::optional<py::array> between) {
            const int threads = checked_order_arguments(n_rows, n_threads);
            if (epochs <= 0) throw py::value_error("epochs must be positive");
            const steepest::ShuffleMode shuffle = shuffle_mode(mode);
            const unsigned char* read_first = nullptr;
            std::size_t read_bytes = 0;
            if (between) {
                if (!(between->flags() & py::array::c_style))
                    throw py::value_error("between must be a C-contiguous array");
                read_first = static_cast<const unsigned char*>(between->data());
                read_bytes = static_cast<std::size_t>(between->nbytes());
            }
            std::vector<double> seconds;
            py::gil_scoped_release release;
            steepest::OrderScratch scratch;
            std::uint64_t sink = 0;
            for (steepest::index_t epoch = 0; epoch < epochs; ++epoch) {
                for (std::size_t byte = 0; byte + 8 <= read_bytes; byte += 64) {
                    std::uint64_t word;
                    std::memcpy(&word, read_first + byte, 8);
                    sink += word;
                }
                const auto start = std::chrono::steady_clock::now();
                steepest::epoch_order(shuffle, n_rows, block_rows, seed, epoch, scratch, threads);
                seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
            }
            static std::atomic<std::uint64_t> kept{0};  // so that the reads of `between` stay
            kept.store(sink, std::memory_order_relaxed);
            return seconds;
        },
        py::arg("mode"), py::arg("n_rows"), py::arg("block_rows"), py::arg("seed"), py::arg("epochs"),
        py::arg("n_threads") = 0, py::arg("between") = py::none(),
        "Wall seconds of drawing the orders of epochs 0, 1, ... into one reused buffer, as a fit does; "
        "`between`, if given, is read before each draw (untimed).");
}

}  // namespace steepest_bindings
