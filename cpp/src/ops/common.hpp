// Shared helpers of the op table: argument checks with TensorFlow-style error
// messages (naming the op, the shapes or dtypes and the fix) and the
// recording shorthand every op uses.
#pragma once

#include <string>

#include "fasttape/ops.hpp"
#include "fasttape/tape.hpp"
#include "kernels/kernels.hpp"

namespace fasttape {
namespace ops_detail {

// Names of an op: ours (fasttape.multiply) and TensorFlow's kernel name (Mul),
// both shown in errors so that messages read like TensorFlow's.
struct OpName {
  const char* ours;
  const char* tf;
};

[[noreturn]] inline void fail(const OpName& op, const std::string& what) {
  throw InvalidArgument(std::string(op.ours) + ": " + what + " [Op:" + op.tf + "]");
}

// For ops whose output shape comes from their arguments: a shape no tensor
// can have fails here, naming the op (Tensor::empty would fail without it).
inline void check_shape(const OpName& op, const Shape& s) {
  int64_t n;
  if (__builtin_expect(!s.checked_numel(&n), 0)) fail(op, shape_problem(s));
}

inline void check_same_dtype(const OpName& op, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    fail(op, std::string("cannot compute ") + op.tf + " as input #1(zero-based) was expected to be a " +
                 dtype_name(a.dtype()) + " tensor but is a " + dtype_name(b.dtype()) +
                 " tensor; both inputs must have the same dtype, so cast one with fasttape.cast");
}

inline void check_not_bool(const OpName& op, const Tensor& a) {
  if (a.dtype() == DType::Bool)
    fail(op, "bool tensors are not supported; cast to a numeric dtype with fasttape.cast");
}

inline void check_float(const OpName& op, const Tensor& a) {
  if (!is_floating(a.dtype()))
    fail(op, std::string("input dtype ") + dtype_name(a.dtype()) +
                 " is not supported; this op needs float32 or float64 (use fasttape.cast)");
}

inline Shape broadcast_or_fail(const OpName& op, const Shape& a, const Shape& b) {
  Shape out;
  if (!kernels::broadcast_shapes(a, b, &out))
    fail(op, "Incompatible shapes: " + shape_str(a) + " vs. " + shape_str(b) +
                 "; the shapes must be equal or broadcastable (numpy rules)");
  return out;
}

// Normalises a possibly negative axis against rank r.
inline int64_t norm_axis(const OpName& op, int64_t axis, int r) {
  if (axis < -r || axis >= r || r == 0)
    fail(op, "axis " + std::to_string(axis) + " is out of range for a tensor of rank " + std::to_string(r) +
                 (r ? " (valid axes: " + std::to_string(-r) + " to " + std::to_string(r - 1) + ")" : ""));
  return axis < 0 ? axis + r : axis;
}

inline Tensor scalar0(const Tensor& like) { return Tensor::scalar(0.0, like.dtype()); }

// A saved one-element tensor's value as T (false if the tensor was not kept
// or does not hold one T).
template <class T>
bool saved_value(const Tensor& t, T& v) {
  if (!t.defined() || t.numel() != 1 || t.dtype() != dtype_of<T>::value) return false;
  v = *t.data<T>();
  return true;
}

// Runs a scalar VJP rule (a ScalarVjpFn, tape.hpp) of an op with at most
// two inputs in the dtype's own arithmetic: rule(ctx, T g, T* gi) -> bool
// with T = float for float32 and double for float64, so every step rounds
// as the tensor kernels' do. (Computing in double and rounding each step to
// float would be exact for + - * / too, but GCC 12's SLP vectoriser was seen
// to drop such double -> float -> double round trips at -O3.)
template <class Rule>
bool scalar_rule(const VjpContext& c, DType dt, double g, double* gin, Rule rule) {
  auto run = [&](auto zero) -> bool {
    using T = decltype(zero);
    T gi[2] = {zero, zero};
    if (!rule(c, static_cast<T>(g), gi)) return false;
    gin[0] = gi[0];
    gin[1] = gi[1];
    return true;
  };
  if (c.n_inputs > 2) return false;
  if (dt == DType::Float32) return run(0.0f);
  if (dt == DType::Float64) return run(0.0);
  return false;
}

}  // namespace ops_detail
}  // namespace fasttape

namespace fasttape {
namespace ops_detail {

// ---------------------------------------------------------------- reduction helpers
// The reduced-dims mask of x under `axes`.
inline std::vector<bool> reduce_mask(const OpName& op, const Tensor& x, const Axes& axes) {
  std::vector<bool> m(x.ndim(), axes.all);
  if (!axes.all)
    for (int64_t a : axes.list) {
      const int64_t k = norm_axis(op, a, x.ndim());
      if (m[k])
        fail(op, "axis " + std::to_string(a) + " is given more than once (dimension " + std::to_string(k) +
                     " of a tensor of rank " + std::to_string(x.ndim()) + "); name each axis once");
      m[k] = true;
    }
  return m;
}

// in with the reduced dims set to 1 (keepdims) or dropped.
inline Shape keep_shape(const Shape& in, const std::vector<bool>& m) {
  std::vector<int64_t> d(in.begin(), in.end());
  for (size_t i = 0; i < d.size(); ++i)
    if (m[i]) d[i] = 1;
  return Shape(d);
}
inline Shape drop_shape(const Shape& in, const std::vector<bool>& m) {
  std::vector<int64_t> d;
  for (int i = 0; i < in.size(); ++i)
    if (!m[i]) d.push_back(in[i]);
  return Shape(d);
}

// The raw forward kernels of exp and log (out may be x; unary_ops.cpp), for
// ops that fuse them into a forward of their own (reduce_logsumexp).
void exp_kernel(const Tensor& x, const Tensor& out);
void log_kernel(const Tensor& x, const Tensor& out);

// sum of x over the dims marked in m (keepdims or dropped), unrecorded.
Tensor sum_raw(const Tensor& x, const std::vector<bool>& m, bool keepdims);

// The reduced axes as a record's attributes.
inline std::vector<int64_t> mask_to_attrs(const std::vector<bool>& m) {
  std::vector<int64_t> a;
  for (size_t i = 0; i < m.size(); ++i)
    if (m[i]) a.push_back(static_cast<int64_t>(i));
  return a;
}

// ---------------------------------------------------------------- VJP helpers
// The shape a gradient of a tensor of shape s has in this sweep: s, or s with
// the batch axis in front (batched sweeps for jacobians).
inline Shape grad_shape(const VjpContext& c, const Shape& s) {
  if (!c.batch) return s;
  std::vector<int64_t> d{c.batch_size};
  d.insert(d.end(), s.begin(), s.end());
  return Shape(d);
}
inline std::vector<int64_t> grad_dims(const VjpContext& c, const Shape& s) { return grad_shape(c, s).vec(); }

// Sums the gradient g of a broadcast result back to an input of shape s.
inline Tensor unbroadcast(const VjpContext& c, const Tensor& g, const Shape& s) {
  if (!c.batch) return sum_to(g, s);
  std::vector<int64_t> d{c.batch_size};
  for (int i = s.size(); i < g.ndim() - 1; ++i) d.push_back(1);
  d.insert(d.end(), s.begin(), s.end());
  return reshape(sum_to(g, Shape(d)), grad_dims(c, s));
}

// Broadcasts the gradient g of a tensor whose shape broadcasts to s up to s
// (the adjoint of unbroadcast).
inline Tensor rebroadcast(const VjpContext& c, const Tensor& g, const Shape& s) {
  if (!c.batch) return broadcast_to(g, s);
  std::vector<int64_t> d{c.batch_size};
  for (int i = g.ndim() - 1; i < s.size(); ++i) d.push_back(1);
  d.insert(d.end(), g.shape().begin() + 1, g.shape().end());
  return broadcast_to(reshape(g, d), grad_shape(c, s));
}

// Shifts per-dimension attributes (axes, perms, slice bounds) past the batch
// axis: prepend `first` and add `shift` to axis numbers.
inline std::vector<int64_t> batched_attr(const VjpContext& c, std::vector<int64_t> v, int64_t first,
                                         int64_t shift) {
  if (!c.batch) return v;
  for (auto& x : v) x += shift;
  v.insert(v.begin(), first);
  return v;
}

// ---------------------------------------------------------------- JVP helpers
// Tangent t (of an input) broadcast to the output's shape.
inline Tensor fit(const Tensor& t, const Tensor& out) {
  return t.shape() == out.shape() ? t : broadcast_to(t, out.shape());
}
// a + b where either may be undefined (= zero).
inline Tensor tadd(const Tensor& a, const Tensor& b) {
  if (!a.defined()) return b;
  if (!b.defined()) return a;
  return add(a, b);
}
inline Tensor zeros_or(const Tensor& t, const Tensor& like) { return t.defined() ? t : zeros_like(like); }

}  // namespace ops_detail
}  // namespace fasttape
