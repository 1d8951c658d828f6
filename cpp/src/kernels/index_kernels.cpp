// Kernels (see kernels.hpp for the conventions).
#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"
#include "kernels/index_kernels.hpp"

namespace fasttape {
namespace kernels {}  // namespace kernels
}  // namespace fasttape
