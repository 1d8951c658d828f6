// The ops: forward computation plus recording on active tapes. Every
// differentiable op has one entry in the op table (cpp/src/ops/) holding its
// forward, its VJP and what it saves.
//
// Binary elementwise ops broadcast as numpy does and require both inputs to
// have the same dtype (TensorFlow does not promote). Errors name the op, the
// shapes or dtypes and the fix.
#pragma once

#include <cstdint>
#include <vector>

#include "fasttape/ops_grad.hpp"
#include "fasttape/tensor.hpp"

namespace fasttape {

// Axes for reductions: all (TensorFlow's axis=None) or an explicit list
// (negative values count from the end; an empty list reduces nothing).
struct Axes {
  bool all = true;
  std::vector<int64_t> list;
  Axes() = default;
  Axes(std::initializer_list<int64_t> l) : all(false), list(l) {}
  explicit Axes(std::vector<int64_t> l) : all(false), list(std::move(l)) {}
  static Axes All() { return Axes(); }
};

// ---- elementwise binary (broadcasting)
Tensor add(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Tensor& b);
Tensor divide(const Tensor& a, const Tensor& b);  // true division (ints give float64)
Tensor pow(const Tensor& a, const Tensor& b);
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor floordiv(const Tensor& a, const Tensor& b);  // no gradient
Tensor floormod(const Tensor& a, const Tensor& b);  // no gradient

// ---- comparisons (bool results, not differentiable)
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& a);

// ---- elementwise unary
Tensor negative(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor sigmoid(const Tensor& x);
Tensor relu(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);

// where(cond, x, y): cond is bool; all three broadcast.
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y);

// ---- reductions
Tensor reduce_sum(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);
Tensor reduce_mean(const Tensor& x, const Axes& axes = Axes::All(), bool keepdims = false);

// ---- linear algebra: 2-D or batched (leading dims broadcast)
Tensor matmul(const Tensor& a, const Tensor& b, bool transpose_a = false, bool transpose_b = false);

// ---- shape
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape);  // one -1 allowed
// x's value as a new tensor (its own id, the same buffer): TensorFlow's Identity.
Tensor identity(const Tensor& x);
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm = {});  // empty = reverse
Tensor cast(const Tensor& x, DType dtype);
Tensor broadcast_to(const Tensor& x, const Shape& shape);
// Sums x down to `shape` (x's shape must be `shape` broadcast): the adjoint
// of broadcast_to.
Tensor sum_to(const Tensor& x, const Shape& shape);
// Full-rank strided slice: per dim, indices begin, begin+step, ... stopping
// before end (begin/end already normalised as Python's slice.indices does).
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides);
// The adjoint: dy scattered into zeros of input_shape.
Tensor strided_slice_grad(const Tensor& dy, const Shape& input_shape, const std::vector<int64_t>& begin,
                          const std::vector<int64_t>& end, const std::vector<int64_t>& strides);

// ---- constructors
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
Tensor scalar_like(double v, const Tensor& x);  // 0-d tensor of x's dtype

// ---- operators for C++ users
inline Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
inline Tensor operator-(const Tensor& a, const Tensor& b) { return subtract(a, b); }
inline Tensor operator*(const Tensor& a, const Tensor& b) { return multiply(a, b); }
inline Tensor operator/(const Tensor& a, const Tensor& b) { return divide(a, b); }
inline Tensor operator-(const Tensor& a) { return negative(a); }
inline Tensor operator*(const Tensor& a, double s) { return multiply(a, scalar_like(s, a)); }
inline Tensor operator*(double s, const Tensor& a) { return multiply(scalar_like(s, a), a); }
inline Tensor operator+(const Tensor& a, double s) { return add(a, scalar_like(s, a)); }
inline Tensor operator+(double s, const Tensor& a) { return add(scalar_like(s, a), a); }
inline Tensor operator-(const Tensor& a, double s) { return subtract(a, scalar_like(s, a)); }
inline Tensor operator-(double s, const Tensor& a) { return subtract(scalar_like(s, a), a); }
inline Tensor operator/(const Tensor& a, double s) { return divide(a, scalar_like(s, a)); }
inline Tensor operator/(double s, const Tensor& a) { return divide(scalar_like(s, a), a); }

// ---- configuration
int num_threads();
void set_num_threads(int n);  // <= 0: the default (OMP_NUM_THREADS, else the usable CPUs); at most 1024
const char* simd_isa();        // the instruction set the kernels use

}  // namespace fasttape
