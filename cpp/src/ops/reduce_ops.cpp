// Reductions, index reductions, scans and the composite elementwise math ops
// of the op table (beyond reduce_sum / reduce_mean). Each entry: forward, VJP,
// JVP, what it saves and its integer attributes, side by side.
//
// Reduction entries store the reduced axes (normalised, ascending) as
// attributes and, where the VJP needs them, the input and the keepdims-shaped
// output. VJPs reshape the incoming gradient to the keepdims shape (with the
// batch axis in front in jacobian sweeps) and let elementwise products with
// input-shaped tensors broadcast it back.
#include <cmath>
#include <stdexcept>

#include "fasttape/ops_math.hpp"
#include "kernels/reduce_ext.hpp"
#include "ops/common.hpp"
#include "ops/elementwise_entry.hpp"

namespace fasttape {
using namespace ops_detail;

namespace {

Axes attr_axes(const int64_t* attrs, int n) { return Axes(std::vector<int64_t>(attrs, attrs + n)); }

Shape keep_from_attrs(const Shape& in, const int64_t* attrs, int n) {
  std::vector<bool> m(in.size(), false);
  for (int i = 0; i < n; ++i) m[attrs[i]] = true;
  return keep_shape(in, m);
}

// The incoming gradient of a reduction, reshaped to the keepdims shape.
Tensor g_keep(const VjpContext& c, const Tensor& g, const Shape& keep) { return reshape(g, grad_dims(c, keep)); }

// Raw (unrecorded) reduction into the keepdims shape.
Tensor reduce_raw(kernels::RedOp k, const Tensor& x, const std::vector<bool>& m) {
  Tensor out = Tensor::empty(keep_shape(x.shape(), m), x.dtype());
  kernels::reduce(k, x, m, out);
  return out;
}

}  // namespace

// ---------------------------------------------------------------- reduce_max / reduce_min
// Saves x and the keepdims output y. The gradient goes to every element equal
// to y, divided by the number of such ties (TensorFlow's _MinOrMaxGrad).
static Tensor tie_weights(const Tensor& x, const Tensor& yk, const int64_t* attrs, int n) {
  Tensor ind = cast(equal(x, yk), x.dtype());
  return divide(ind, reduce_sum(ind, attr_axes(attrs, n), true));
}
static void minmax_red_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor &x = c.saved[0], &yk = c.saved[1];
  gi[0] = multiply(tie_weights(x, yk, c.attrs, c.n_attrs), g_keep(c, g[0], yk.shape()));
}
static void minmax_red_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &x = *c.inputs[0], &y = *c.outputs[0];
  Shape keep = keep_from_attrs(x.shape(), c.attrs, c.n_attrs);
  Tensor w = tie_weights(x, reshape(y, keep.vec()), c.attrs, c.n_attrs);
  to[0] = reduce_sum(multiply(t[0], w), attr_axes(c.attrs, c.n_attrs), y.ndim() == x.ndim());
}
static const OpDef kReduceMax("reduce_max", minmax_red_vjp, minmax_red_jvp);
static const OpDef kReduceMin("reduce_min", minmax_red_vjp, minmax_red_jvp);

static Tensor minmax_forward(kernels::RedOp k, const OpDef* def, const OpName& op, const Tensor& x,
                             const Axes& axes, bool keepdims) {
  check_not_bool(op, x);
  std::vector<bool> m = reduce_mask(op, x, axes);
  Tensor yk = reduce_raw(k, x, m);
  Tensor out = keepdims ? yk : yk.with_shape(drop_shape(x.shape(), m));
  if (tape::any_active()) tape::record(def, {&x}, {&out}, {x, yk}, mask_to_attrs(m));
  return out;
}
Tensor reduce_max(const Tensor& x, const Axes& axes, bool keepdims) {
  return minmax_forward(kernels::RedOp::Max, &kReduceMax, {"reduce_max", "Max"}, x, axes, keepdims);
}
Tensor reduce_min(const Tensor& x, const Axes& axes, bool keepdims) {
  return minmax_forward(kernels::RedOp::Min, &kReduceMin, {"reduce_min", "Min"}, x, axes, keepdims);
}

// ---------------------------------------------------------------- reduce_prod: saves x
// d prod / d x_i = product of the other elements of x_i's group ("others").
// Without zeros in x that is prod / x. With zeros, write x = s * z where
// s = x with zeros replaced by 1 and z = x at the zeros, 1 elsewhere; then
// others_i = (prod(s) / s_i) * (product of z over the group except i). The
// second factor is a product of values that are all zero, written through
// elementary symmetric polynomials e1, e2 of the zero entries, so that its
// value (0 or 1) and its first and second derivatives are exact: first-order
// gradients are exact with any number of zeros, second-order ones too, and
// only third and higher orders with three or more zeros in one group are not.
// Never divides by zero.
static bool has_zero(const Tensor& x) {
  return visit_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = x.data<T>();
    for (int64_t i = 0; i < x.numel(); ++i)
      if (p[i] == T(0)) return true;
    return false;
  });
}
static Tensor prod_others(const Tensor& x, const int64_t* attrs, int n) {
  Axes ax = attr_axes(attrs, n);
  if (!has_zero(x)) return divide(reduce_prod(x, ax, true), x);
  Tensor zero = scalar0(x), one = Tensor::scalar(1.0, x.dtype());
  auto k = [&](double v) { return Tensor::scalar(v, x.dtype()); };
  Tensor is0 = equal(x, zero);
  Tensor nz = reduce_sum(cast(is0, x.dtype()), ax, true);
  Tensor safe = where(is0, one, x);
  Tensor zx = where(is0, x, zero);                    // the zero entries (value 0)
  Tensor e1 = reduce_sum(zx, ax, true);               // their sum
  Tensor e2 = multiply(subtract(multiply(e1, e1), reduce_sum(multiply(zx, zx), ax, true)), k(0.5));
  // At a zero i: product of the other zeros, e_{nz-1} without x_i.
  Tensor e1_wo = subtract(e1, x);
  Tensor e2_wo = subtract(e2, multiply(x, e1_wo));
  Tensor at0 = where(equal(nz, one), one, where(equal(nz, k(2)), e1_wo, where(equal(nz, k(3)), e2_wo, zero)));
  // Elsewhere: product of all the zeros, e_nz.
  Tensor at_nz = where(equal(nz, zero), one, where(equal(nz, one), e1, where(equal(nz, k(2)), e2, zero)));
  Tensor zfac = where(is0, at0, at_nz);
  return multiply(divide(reduce_prod(safe, ax, true), safe), zfac);
}
static void prod_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor& x = c.saved[0];
  gi[0] = multiply(prod_others(x, c.attrs, c.n_attrs),
                   g_keep(c, g[0], keep_from_attrs(x.shape(), c.attrs, c.n_attrs)));
}
static void prod_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &x = *c.inputs[0], &y = *c.outputs[0];
  to[0] = reduce_sum(multiply(t[0], prod_others(x, c.attrs, c.n_attrs)), attr_axes(c.attrs, c.n_attrs),
                     y.ndim() == x.ndim());
}
static const OpDef kReduceProd("reduce_prod", prod_vjp, prod_jvp);
Tensor reduce_prod(const Tensor& x, const Axes& axes, bool keepdims) {
  const OpName op{"reduce_prod", "Prod"};
  check_not_bool(op, x);
  std::vector<bool> m = reduce_mask(op, x, axes);
  Tensor yk = reduce_raw(kernels::RedOp::Prod, x, m);
  Tensor out = keepdims ? yk : yk.with_shape(drop_shape(x.shape(), m));
  if (tape::any_active()) tape::record(&kReduceProd, {&x}, {&out}, {x}, mask_to_attrs(m));
  return out;
}

// ---------------------------------------------------------------- reduce_logsumexp: saves x, shift m
// y = log(sum(exp(x - m))) + m with m the group max (0 where it is not
// finite, as TensorFlow). Gradient: softmax(x) = exp(x - m) / sum(exp(x - m)),
// computed from the shifted values (exp(x - y) would lose |y| * eps of
// relative precision). m is an untracked constant: softmax is invariant to the
// shift, so treating m as constant keeps higher derivatives exact.
static Tensor lse_shift(const Tensor& x, const std::vector<bool>& m) {
  Tensor mx = reduce_raw(kernels::RedOp::Max, x, m);
  visit_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = mx.mutable_data<T>();
    for (int64_t i = 0; i < mx.numel(); ++i)
      if (!std::isfinite(p[i])) p[i] = T(0);
  });
  return mx;
}
static Tensor lse_weights(const Tensor& x, const Tensor& shift, const Axes& ax) {
  Tensor e = exp(subtract(x, shift));
  return divide(e, reduce_sum(e, ax, true));
}
static void lse_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor &x = c.saved[0], &shift = c.saved[1];
  gi[0] = multiply(lse_weights(x, shift, attr_axes(c.attrs, c.n_attrs)), g_keep(c, g[0], shift.shape()));
}
static void lse_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &x = *c.inputs[0], &y = *c.outputs[0];
  std::vector<bool> m(x.ndim(), false);
  for (int i = 0; i < c.n_attrs; ++i) m[c.attrs[i]] = true;
  Axes ax = attr_axes(c.attrs, c.n_attrs);
  to[0] = reduce_sum(multiply(t[0], lse_weights(x, lse_shift(x, m), ax)), ax, y.ndim() == x.ndim());
}
static const OpDef kLogSumExp("reduce_logsumexp", lse_vjp, lse_jvp);
Tensor reduce_logsumexp(const Tensor& x, const Axes& axes, bool keepdims) {
  const OpName op{"reduce_logsumexp", "LogSumExp"};
  check_float(op, x);
  std::vector<bool> m = reduce_mask(op, x, axes);
  // Raw kernels only: the whole computation is one record. Reductions over
  // trailing dims (the common case) take one fused pass per row.
  Tensor yk = Tensor::empty(keep_shape(x.shape(), m), x.dtype());
  Tensor mx;
  if (!kernels::logsumexp_trailing(x, m, yk)) {
    mx = lse_shift(x, m);
    Tensor e = Tensor::empty(x.shape(), x.dtype());
    kernels::binary(kernels::BinOp::Sub, x, mx, e);
    exp_kernel(e, e);
    kernels::reduce_sum(e, m, yk);
    log_kernel(yk, yk);
    kernels::binary(kernels::BinOp::Add, yk, mx, yk);
  }
  Tensor out = keepdims ? yk : yk.with_shape(drop_shape(x.shape(), m));
  if (tape::any_active() && !mx.defined()) mx = lse_shift(x, m);
  if (tape::any_active()) tape::record(&kLogSumExp, {&x}, {&out}, {x, mx}, mask_to_attrs(m));
  return out;
}

// ---------------------------------------------------------------- reduce_variance / reduce_std (composites)
// As TensorFlow: mean(squared_difference(x, mean(x, keepdims))) and its sqrt.
// (The Python binding raises TypeError first, as TensorFlow does.)
static void check_real(const OpName& op, const Tensor& x) {
  if (!is_floating(x.dtype()))
    fail(op, std::string("Input must be either real or complex, got ") + dtype_name(x.dtype()) +
                 "; cast to float32 or float64 first");
}
Tensor reduce_variance(const Tensor& x, const Axes& axes, bool keepdims) {
  const OpName op{"reduce_variance", "Variance"};
  check_real(op, x);
  reduce_mask(op, x, axes);  // validates the axes
  Tensor mean = reduce_mean(x, axes, true);
  return reduce_mean(squared_difference(x, mean), axes, keepdims);
}
Tensor reduce_std(const Tensor& x, const Axes& axes, bool keepdims) {
  check_real({"reduce_std", "Std"}, x);
  return sqrt(reduce_variance(x, axes, keepdims));
}

// ---------------------------------------------------------------- argmax / argmin (not recorded)
static Tensor arg_forward(bool is_max, const OpName& op, const Tensor& x, int64_t axis, DType out_type) {
  check_not_bool(op, x);
  if (out_type != DType::Int32 && out_type != DType::Int64)
    fail(op, std::string("output_type must be int32 or int64, got ") + dtype_name(out_type));
  const int a = static_cast<int>(norm_axis(op, axis, x.ndim()));
  if (x.dim(a) == 0)
    fail(op, "Reduction axis " + std::to_string(axis) + " is empty in shape " + shape_str(x.shape()));
  std::vector<bool> m(x.ndim(), false);
  m[a] = true;
  Tensor out = Tensor::empty(drop_shape(x.shape(), m), out_type);
  kernels::arg_reduce(is_max, x, a, out);
  return out;
}
Tensor argmax(const Tensor& x, int64_t axis, DType out_type) {
  return arg_forward(true, {"argmax", "ArgMax"}, x, axis, out_type);
}
Tensor argmin(const Tensor& x, int64_t axis, DType out_type) {
  return arg_forward(false, {"argmin", "ArgMin"}, x, axis, out_type);
}

// ---------------------------------------------------------------- cumsum
struct CumsumAttrs {
  int64_t axis;  // normalised
  bool exclusive, reverse;
};
// The adjoint of a scan is the same scan run the other way.
static void cumsum_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const auto a = c.attrs_as<CumsumAttrs>();
  gi[0] = cumsum(g[0], a.axis + (c.batch ? 1 : 0), a.exclusive, !a.reverse);
}
static void cumsum_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const auto a = c.attrs_as<CumsumAttrs>();
  to[0] = cumsum(t[0], a.axis, a.exclusive, a.reverse);
}
static const OpDef kCumsum("cumsum", cumsum_vjp, cumsum_jvp);
Tensor cumsum(const Tensor& x, int64_t axis, bool exclusive, bool reverse) {
  const OpName op{"cumsum", "Cumsum"};
  check_not_bool(op, x);
  const int a = static_cast<int>(norm_axis(op, axis, x.ndim()));
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  kernels::cumsum(x, a, exclusive, reverse, out);
  if (tape::any_active()) tape::record(&kCumsum, {&x}, {&out}, {}, Packed<CumsumAttrs>({a, exclusive, reverse}));
  return out;
}

// ---------------------------------------------------------------- clip_by_value / squared_difference (composites)
Tensor clip_by_value(const Tensor& t, const Tensor& lo, const Tensor& hi) {
  const OpName op{"clip_by_value", "ClipByValue"};
  check_not_bool(op, t);
  check_same_dtype(op, t, lo);
  check_same_dtype(op, t, hi);
  Shape s = broadcast_or_fail(op, broadcast_or_fail(op, t.shape(), lo.shape()), hi.shape());
  if (s != t.shape())
    throw std::invalid_argument(  // ValueError in Python
        "clip_by_value: the clip values (shapes " + shape_str(lo.shape()) + " and " +
                     shape_str(hi.shape()) + ") would broadcast t of shape " + shape_str(t.shape()) + " to " +
                     shape_str(s) + "; they must broadcast to t's shape");
  // TensorFlow's composition: the gradient passes to t where lo <= t <= hi.
  return maximum(minimum(t, hi), lo);
}

Tensor squared_difference(const Tensor& x, const Tensor& y) {
  const OpName op{"squared_difference", "SquaredDifference"};
  check_not_bool(op, x);
  check_same_dtype(op, x, y);
  return square(subtract(x, y));
}

// ---------------------------------------------------------------- add_n: n inputs, saves nothing
static void add_n_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  for (int i = 0; i < c.n_inputs; ++i)
    if (c.needs[i]) gi[i] = g[0];
}
static void add_n_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  Tensor r;
  for (int i = 0; i < c.n_inputs; ++i) r = tadd(r, t[i]);
  to[0] = r;
}
static const OpDef kAddN("add_n", add_n_vjp, add_n_jvp);
Tensor add_n(const std::vector<Tensor>& inputs) {
  const OpName op{"add_n", "AddN"};
  if (inputs.empty()) throw std::invalid_argument(  // ValueError in Python
        "add_n: inputs must be a non-empty list of tensors");
  const Tensor& first = inputs[0];
  check_not_bool(op, first);
  for (size_t i = 1; i < inputs.size(); ++i) {
    check_same_dtype(op, first, inputs[i]);
    if (inputs[i].shape() != first.shape())
      fail(op, "inputs must all have the same shape: input 0 has shape " + shape_str(first.shape()) + ", input " +
                   std::to_string(i) + " has shape " + shape_str(inputs[i].shape()));
  }
  if (inputs.size() == 1) return first;  // TensorFlow returns the input itself
  Tensor out = Tensor::empty(first.shape(), first.dtype());
  kernels::binary(kernels::BinOp::Add, inputs[0], inputs[1], out);
  for (size_t i = 2; i < inputs.size(); ++i) kernels::binary(kernels::BinOp::Add, out, inputs[i], out);
  if (tape::any_active()) {
    std::vector<const Tensor*> ins;
    for (const Tensor& t : inputs) ins.push_back(&t);
    tape::record(&kAddN, ins, {&out});
  }
  return out;
}

}  // namespace fasttape
