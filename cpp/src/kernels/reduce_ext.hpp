// Kernel declarations of this group (conventions: kernels.hpp).
#pragma once

#include "kernels/kernels.hpp"

namespace fasttape {
namespace kernels {}  // namespace kernels
}  // namespace fasttape
