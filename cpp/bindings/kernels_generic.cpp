// The core for the baseline instruction set of the build: runs on every CPU it targets.
#define STEEPEST_ISA_NAMESPACE isa_generic
#define STEEPEST_KERNELS_FUNCTION kernels_generic
#define STEEPEST_KERNELS_NAME "generic"
#include "kernels_impl.hpp"
