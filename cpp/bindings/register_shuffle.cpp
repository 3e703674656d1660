#include "arrays.hpp"

#include <steepest/shuffle.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace steepest_bindings {

steepest::ShuffleMode shuffle_mode(const std::string& name) {
    if (const auto mode = steepest::shuffle_from_name(name)) return *mode;
    throw py::value_error("shuffle must be 'rows', 'blocks' or 'none', got '" + name + "'");
}

void register_shuffle(py::module_& m) {
    m.def(
        "epoch_order",
        [](const std::string& mode, steepest::index_t n_rows, steepest::index_t block_rows,
           std::uint64_t seed, steepest::index_t epoch) {
            if (n_rows <= 0) throw py::value_error("n_rows must be positive");
            const steepest::ShuffleMode shuffle = shuffle_mode(mode);
            steepest::OrderScratch scratch;
            {
                py::gil_scoped_release release;
                steepest::epoch_order(shuffle, n_rows, block_rows, seed, epoch, scratch);
            }
            IndexArray result(static_cast<py::ssize_t>(scratch.order.size()));
            std::copy(scratch.order.begin(), scratch.order.end(), result.mutable_data());
            return result;
        },
        py::arg("mode"), py::arg("n_rows"), py::arg("block_rows"), py::arg("seed"), py::arg("epoch"),
        "The row order the core uses in a (0-based) epoch of a fit with this shuffle mode and seed.");
}

}  // namespace steepest_bindings
