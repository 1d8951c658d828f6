// Kernel declarations of the math group: reductions other than the sum
// (max, min, product), index reductions (argmax/argmin) and scans (cumsum).
// Conventions: kernels.hpp (preallocated outputs, no tapes).
#pragma once

#include "kernels/kernels.hpp"

namespace fasttape {
namespace kernels {

enum class RedOp { Max, Min, Prod };

// out (keepdims shape of x, reduced dims = 1) = max / min / product of x over
// the reduced dims. Empty reductions give the identity (-inf / +inf for
// floats, the lowest / highest value for integers, 1 for the product). NaN
// propagates through max and min. Integer products wrap around.
void reduce(RedOp op, const Tensor& x, const std::vector<bool>& reduced, const Tensor& out);

// Fused log-sum-exp when the reduced dims form one trailing block (after
// dropping size-1 dims): out (keepdims shape) = log(sum(exp(x - m))) + m per
// row, m the row max (0 if not finite). Returns false, doing nothing, for
// other layouts.
bool logsumexp_trailing(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out);

// out (x's shape without dim `axis`, int32 or int64) = index of the first
// maximum (is_max) or minimum along `axis`. dim(axis) must be > 0.
void arg_reduce(bool is_max, const Tensor& x, int axis, const Tensor& out);

// out (x's shape) = inclusive or exclusive running sum of x along `axis`,
// forwards or from the end (reverse).
void cumsum(const Tensor& x, int axis, bool exclusive, bool reverse, const Tensor& out);

}  // namespace kernels
}  // namespace fasttape
