// Reductions and scans of the op table (beyond reduce_sum / reduce_mean).
#include "ops/common.hpp"

namespace fasttape {}  // namespace fasttape
