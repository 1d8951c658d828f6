// Shape and indexing ops of the op table: concat, stack, tile, pad, gather, ...
#include "ops/common.hpp"

namespace fasttape {}  // namespace fasttape
