// Neural-network ops of the op table: softmax, log_softmax, cross-entropies, ...
#include "ops/common.hpp"

namespace fasttape {}  // namespace fasttape
