// Summing gradients, the one op the reverse sweep calls itself (the tape
// depends on ops, not on kernels).
#pragma once

#include "fasttape/tensor.hpp"

namespace fasttape {
namespace ops_detail {

// acc += g (same shape and dtype). In place when nobody else can see acc's
// buffer and nothing records; otherwise acc becomes add(acc, g), recorded
// like any op.
void accumulate_into(Tensor& acc, const Tensor& g);

}  // namespace ops_detail
}  // namespace fasttape
