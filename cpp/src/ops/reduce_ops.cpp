// Reductions (sum, mean, max, min, prod, logsumexp, variance, std), index
// reductions and scans of the op table. Each entry: forward, VJP, JVP, what
// it saves and its attributes, side by side.
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

namespace ops_detail {
Tensor sum_raw(const Tensor& x, const std::vector<bool>& m, bool keepdims) {
  Shape ks = keep_shape(x.shape(), m);
  Tensor out = Tensor::empty(ks, x.dtype());
  kernels::reduce_sum(x, m, out);
  return keepdims ? out : out.with_shape(drop_shape(x.shape(), m));
}
}  // namespace ops_detail

namespace {

std::vector<bool> attrs_to_mask(const VjpContext& c, int r) {
  std::vector<bool> m(r, false);
  for (int i = 0; i < c.n_attrs; ++i) m[c.attrs[i]] = true;
  return m;
}

}  // namespace

// ---------------------------------------------------------------- reduce_sum: attrs = reduced axes
static Axes attr_axes(const JvpContext& c) { return Axes(std::vector<int64_t>(c.attrs, c.attrs + c.n_attrs)); }
static bool kept_dims(const JvpContext& c) { return c.outputs[0]->ndim() == c.inputs[0]->ndim(); }

// The number of elements each output of a reduction over mask m sums.
static int64_t reduced_count(const Shape& in, const std::vector<bool>& m) {
  int64_t count = 1;
  for (int i = 0; i < in.size(); ++i)
    if (m[i]) count *= in[i];
  return count;
}
// g, shaped like a reduction's output, spread back over its input's shape.
static Tensor spread_back(const VjpContext& c, const Tensor& g, const std::vector<bool>& m) {
  const Shape& in = c.in_shapes[0];
  return broadcast_to(reshape(g, grad_dims(c, keep_shape(in, m))), grad_shape(c, in));
}

static void sum_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = spread_back(c, g[0], attrs_to_mask(c, c.in_shapes[0].size()));
}
static void sum_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = reduce_sum(t[0], attr_axes(c), kept_dims(c));
}
static const OpDef kSum("reduce_sum", sum_vjp, sum_jvp);
Tensor reduce_sum(const Tensor& x, const Axes& axes, bool keepdims) {
  const OpName op{"reduce_sum", "Sum"};
  check_not_bool(op, x);
  std::vector<bool> m = reduce_mask(op, x, axes);
  Tensor out = sum_raw(x, m, keepdims);
  if (tape::any_active()) tape::record(&kSum, {&x}, {&out}, {}, mask_to_attrs(m));
  return out;
}

// ---------------------------------------------------------------- reduce_mean: attrs = reduced axes
static void mean_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  std::vector<bool> m = attrs_to_mask(c, c.in_shapes[0].size());
  Tensor b = spread_back(c, g[0], m);
  gi[0] = divide(b, Tensor::scalar(static_cast<double>(reduced_count(c.in_shapes[0], m)), b.dtype()));
}
static void mean_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = reduce_mean(t[0], attr_axes(c), kept_dims(c));
}
static const OpDef kMean("reduce_mean", mean_vjp, mean_jvp);
Tensor reduce_mean(const Tensor& x, const Axes& axes, bool keepdims) {
  const OpName op{"reduce_mean", "Mean"};
  check_not_bool(op, x);
  std::vector<bool> m = reduce_mask(op, x, axes);
  Tensor s = sum_raw(x, m, keepdims);
  Tensor out = Tensor::empty(s.shape(), s.dtype());
  Tensor n = Tensor::scalar(static_cast<double>(reduced_count(x.shape(), m)), s.dtype());
  kernels::binary(is_floating(s.dtype()) ? kernels::BinOp::Div : kernels::BinOp::FloorDiv, s, n, out);
  if (tape::any_active()) tape::record(&kMean, {&x}, {&out}, {}, mask_to_attrs(m));
  return out;
}

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

}  // namespace fasttape
