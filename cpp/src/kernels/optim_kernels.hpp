// The loops of the fused optimizer updates (fasttape/optim.hpp): each reads
// the gradient and updates the variable and its slots in place, one pass.
#pragma once

#include <cstdint>

#include "fasttape/optim.hpp"

namespace fasttape {
namespace kernels {

// x: the variable's n elements; g: the gradient; slots: the rule's slot
// buffers in optim::num_slots order. All distinct buffers of n elements.
template <class T>
void optim_update(optim::Rule rule, const optim::Params& p, T* x, const T* g, T* const* slots, int64_t n);

}  // namespace kernels
}  // namespace fasttape
