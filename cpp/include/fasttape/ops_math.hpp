// The math ops of fasttape's public C++ API (see ops.hpp for conventions):
// reductions beyond sum/mean, index reductions, scans and elementwise math.
#pragma once

#include <vector>

#include "fasttape/ops.hpp"

namespace fasttape {

// ---- reductions (TensorFlow's reduce_*; Axes as in reduce_sum)
// Max / min: the gradient is shared equally between tied extrema.
Tensor reduce_max(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);
Tensor reduce_min(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);
// Product; its gradient is exact with zeros in the input.
Tensor reduce_prod(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);
// log(sum(exp(x))), computed stably (the max is subtracted); float only.
Tensor reduce_logsumexp(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);
// Population variance and standard deviation (composites); float only.
Tensor reduce_variance(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);
Tensor reduce_std(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);

// ---- index reductions (not differentiable): index of the first max / min
// along `axis`; out_type is Int32 or Int64.
Tensor argmax(const Tensor& x, int64_t axis = 0, DType out_type = DType::Int64);
Tensor argmin(const Tensor& x, int64_t axis = 0, DType out_type = DType::Int64);

// ---- scans
Tensor cumsum(const Tensor& x, int64_t axis = 0, bool exclusive = false, bool reverse = false);

// ---- elementwise
Tensor log1p(const Tensor& x);
Tensor expm1(const Tensor& x);
Tensor rsqrt(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor erfc(const Tensor& x);
Tensor erfinv(const Tensor& x);  // +-inf at +-1, NaN outside [-1, 1]
Tensor atan(const Tensor& x);
Tensor asin(const Tensor& x);  // NaN outside [-1, 1]
Tensor acos(const Tensor& x);  // NaN outside [-1, 1]
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor asinh(const Tensor& x);
Tensor acosh(const Tensor& x);  // NaN below 1
Tensor atanh(const Tensor& x);  // +-inf at +-1, NaN outside [-1, 1]
Tensor reciprocal_no_nan(const Tensor& x);  // 1 / x, 0 where x == 0
Tensor lgamma(const Tensor& x);   // log |Gamma(x)|
Tensor digamma(const Tensor& x);  // lgamma'; NaN at 0 and the negative integers
// The a-th derivative of digamma (a = 0, 1, ...; NaN otherwise); a gets no gradient.
Tensor polygamma(const Tensor& a, const Tensor& x);
// Float predicates: bool results, no gradient.
Tensor is_finite(const Tensor& x);
Tensor is_nan(const Tensor& x);
Tensor is_inf(const Tensor& x);
// The angle of the point (x, y) in (-pi, pi]: atan(y / x) in the right quadrant.
Tensor atan2(const Tensor& y, const Tensor& x);
// Binary ops with a zero case (TensorFlow's): float only, broadcasting.
Tensor xlogy(const Tensor& x, const Tensor& y);            // x * log(y), 0 where x == 0
Tensor xlog1py(const Tensor& x, const Tensor& y);          // x * log1p(y), 0 where x == 0
Tensor xdivy(const Tensor& x, const Tensor& y);            // x / y, 0 where x == 0
Tensor divide_no_nan(const Tensor& x, const Tensor& y);    // x / y, 0 where y == 0
Tensor multiply_no_nan(const Tensor& x, const Tensor& y);  // x * y, 0 where y == 0
Tensor floor(const Tensor& x);  // zero gradient
Tensor round(const Tensor& x);  // half to even; zero gradient
// min(max(t, lo), hi) as TensorFlow composes it (minimum then maximum); the
// result must keep t's shape.
Tensor clip_by_value(const Tensor& t, const Tensor& lo, const Tensor& hi);
// (x - y)^2 (composite of subtract and square).
Tensor squared_difference(const Tensor& x, const Tensor& y);
// Sum of same-shape, same-dtype tensors (one op; each input gets the gradient).
Tensor add_n(const std::vector<Tensor>& inputs);

}  // namespace fasttape
