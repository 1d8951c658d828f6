// Elementwise ops of the op table beyond the unary entries (unary_ops.cpp):
// arithmetic with its fast paths and save masks, comparisons and logical
// ops, negative, where, the binary entries (atan2), and the composites
// clip_by_value, squared_difference and add_n. Each: forward, VJP, what it
// saves, side by side. VJPs are written with fasttape ops so that an outer
// tape records them (higher-order gradients), and they honour the
// needs-gradient mask. Broadcast inputs get their gradient summed back to
// their own shape with sum_to.
#include <cmath>

#include "fasttape/ops_math.hpp"
#include "ops/accumulate.hpp"
#include "ops/elementwise_entry.hpp"

namespace fasttape {
using namespace ops_detail;
using kernels::BinOp;
using kernels::UnOp;

namespace {

Tensor binary_forward(BinOp k, const OpName& op, const Tensor& a, const Tensor& b, bool bool_out = false) {
  check_same_dtype(op, a, b);
  Shape s = a.shape() == b.shape() ? a.shape() : broadcast_or_fail(op, a.shape(), b.shape());
  Tensor out = Tensor::empty(s, bool_out ? DType::Bool : a.dtype());
  kernels::binary(k, a, b, out);
  return out;
}

template <class T>
T scalar_arith(BinOp k, T x, T y) {
  switch (k) {
    case BinOp::Add: return x + y;
    case BinOp::Sub: return x - y;
    case BinOp::Mul: return x * y;
    default: return x / y;
  }
}

// Inlined into each op: it is the per-op path of scalar code.
__attribute__((always_inline)) inline Tensor arith_forward(BinOp k, const OpName& op, const Tensor& a, const Tensor& b) {
  // Two 0-d floats under + - * / (scalar code's per-op path): computed here,
  // without the kernels' broadcasting dispatch. Same IEEE operation, same value.
  const TensorImpl &ia = *a.impl(), &ib = *b.impl();
  if (ia.shape.size() == 0 && ib.shape.size() == 0 && ia.dtype == ib.dtype &&
      (k == BinOp::Add || k == BinOp::Sub || k == BinOp::Mul || k == BinOp::Div)) {
    if (ia.dtype == DType::Float32) {
      Tensor out = Tensor::empty(Shape(), DType::Float32);
      *out.mutable_data<float>() = scalar_arith(k, *a.data<float>(), *b.data<float>());
      return out;
    }
    if (ia.dtype == DType::Float64) {
      Tensor out = Tensor::empty(Shape(), DType::Float64);
      *out.mutable_data<double>() = scalar_arith(k, *a.data<double>(), *b.data<double>());
      return out;
    }
  }
  check_not_bool(op, a);
  return binary_forward(k, op, a, b);
}

Tensor unary_forward(UnOp k, const Tensor& x) {
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  kernels::unary(k, x, out);
  return out;
}

}  // namespace

// ---------------------------------------------------------------- add
static void add_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = unbroadcast(c, g[0], c.in_shapes[0]);
  if (c.needs[1]) gi[1] = unbroadcast(c, g[0], c.in_shapes[1]);
}
static void add_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor& out = *c.outputs[0];
  to[0] = t[0].defined() && t[1].defined() ? add(t[0], t[1]) : fit(t[0].defined() ? t[0] : t[1], out);
}
static bool add_svjp(const VjpContext& c, DType dt, double g, double* gin) {
  return scalar_rule(c, dt, g, gin, [](const VjpContext&, auto g, auto* gi) {
    gi[0] = gi[1] = g;
    return true;
  });
}
static const OpDef kAdd("add", add_vjp, add_jvp, add_svjp);
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Add, {"add", "AddV2"}, a, b);
  if (tape::any_active()) tape::record(&kAdd, {&a, &b}, {&out}, {});
  return out;
}

namespace ops_detail {
void accumulate_into(Tensor& acc, const Tensor& g) {
  if (!tape::any_active() && acc.use_count() == 1 && acc.impl()->buffer->use_count() == 1 &&
      !acc.impl()->has_tags() && acc.shape() == g.shape()) {
    kernels::binary(BinOp::Add, acc, g, acc);
    return;
  }
  acc = add(acc, g);
}
}  // namespace ops_detail

// ---------------------------------------------------------------- subtract
static void sub_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = unbroadcast(c, g[0], c.in_shapes[0]);
  if (c.needs[1]) gi[1] = unbroadcast(c, negative(g[0]), c.in_shapes[1]);
}
static void sub_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor& out = *c.outputs[0];
  to[0] = t[0].defined() && t[1].defined() ? subtract(t[0], t[1])
                                           : (t[0].defined() ? fit(t[0], out) : fit(negative(t[1]), out));
}
static bool sub_svjp(const VjpContext& c, DType dt, double g, double* gin) {
  return scalar_rule(c, dt, g, gin, [](const VjpContext&, auto g, auto* gi) {
    gi[0] = g;
    gi[1] = -g;
    return true;
  });
}
static const OpDef kSub("subtract", sub_vjp, sub_jvp, sub_svjp);
Tensor subtract(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Sub, {"subtract", "Sub"}, a, b);
  if (tape::any_active()) tape::record(&kSub, {&a, &b}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- multiply: saves a, b
static void mul_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1];
  if (c.needs[0]) gi[0] = unbroadcast(c, multiply(g[0], b), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = unbroadcast(c, multiply(a, g[0]), c.in_shapes[1]);
}
static void mul_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &a = *c.inputs[0], &b = *c.inputs[1];
  Tensor r = tadd(t[0].defined() ? multiply(t[0], b) : Tensor(), t[1].defined() ? multiply(a, t[1]) : Tensor());
  to[0] = fit(r, *c.outputs[0]);
}
static bool mul_svjp(const VjpContext& c, DType dt, double g, double* gin) {
  return scalar_rule(c, dt, g, gin, [](const VjpContext& c, auto g, auto* gi) {
    decltype(g) a = 0, b = 0;
    if (c.needs[0] && !saved_value(c.saved[1], b)) return false;
    if (c.needs[1] && !saved_value(c.saved[0], a)) return false;
    gi[0] = g * b;
    gi[1] = a * g;
    return true;
  });
}
static const OpDef kMul("multiply", mul_vjp, mul_jvp, mul_svjp);
Tensor multiply(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Mul, {"multiply", "Mul"}, a, b);
  // b is read only for a's gradient, a only for b's.
  if (tape::any_active()) tape::record(&kMul, {&a, &b}, {&out}, {{a, 0b10}, {b, 0b01}});
  return out;
}

// ---------------------------------------------------------------- divide: saves a, b
static void div_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1];
  if (c.needs[0]) gi[0] = unbroadcast(c, divide(g[0], b), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = unbroadcast(c, multiply(g[0], divide(divide(negative(a), b), b)), c.in_shapes[1]);
}
static void div_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &b = *c.inputs[1], &out = *c.outputs[0];
  Tensor r = tadd(t[0].defined() ? divide(t[0], b) : Tensor(),
                  t[1].defined() ? negative(multiply(t[1], divide(out, b))) : Tensor());
  to[0] = fit(r, out);
}
static bool div_svjp(const VjpContext& c, DType dt, double g, double* gin) {
  return scalar_rule(c, dt, g, gin, [](const VjpContext& c, auto g, auto* gi) {
    using T = decltype(g);
    T a = 0, b = 0;
    if (!saved_value(c.saved[1], b) || (c.needs[1] && !saved_value(c.saved[0], a))) return false;
    gi[0] = g / b;
    const T t = -a / b;  // the tensor VJP's steps: g * ((-a / b) / b)
    const T u = t / b;
    gi[1] = g * u;
    return true;
  });
}
static const OpDef kDiv("divide", div_vjp, div_jvp, div_svjp);
Tensor divide(const Tensor& a0, const Tensor& b0) {
  const OpName op{"divide", "RealDiv"};
  check_not_bool(op, a0);
  check_same_dtype(op, a0, b0);
  // True division: integers divide as float64, as TensorFlow's truediv does.
  Tensor a = is_floating(a0.dtype()) ? a0 : cast(a0, DType::Float64);
  Tensor b = is_floating(b0.dtype()) ? b0 : cast(b0, DType::Float64);
  Tensor out = arith_forward(BinOp::Div, op, a, b);
  if (tape::any_active()) tape::record(&kDiv, {&a, &b}, {&out}, {{a, 0b10}, b});
  return out;
}

// ---------------------------------------------------------------- pow: saves a, b, out
static bool scalar_float(const Tensor& t) { return t.defined() && t.ndim() == 0 && is_floating(t.dtype()); }

static void pow_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1], &z = c.saved[2];
  if (c.needs[0] && !tape::any_active() && scalar_float(b) && g[0].shape() == a.shape()) {
    // Nothing records: g * e * a^(e-1) in one pass for a scalar exponent.
    Tensor out = Tensor::empty(a.shape(), a.dtype());
    kernels::pow_scalar_grad(g[0], a, b.item(), out);
    gi[0] = out;
  } else if (c.needs[0]) {
    gi[0] = unbroadcast(c, multiply(multiply(g[0], b), pow(a, b - 1.0)), c.in_shapes[0]);
  }
  if (c.needs[1]) {
    // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TensorFlow does).
    Tensor pos = greater(a, scalar0(a));
    Tensor safe = where(pos, a, ones_like(a));
    Tensor log_a = where(pos, log(safe), scalar0(a));
    gi[1] = unbroadcast(c, multiply(multiply(g[0], z), log_a), c.in_shapes[1]);
  }
}
static void pow_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &a = *c.inputs[0], &b = *c.inputs[1], &z = *c.outputs[0];
  Tensor r;
  if (t[0].defined()) r = multiply(multiply(t[0], b), pow(a, b - 1.0));
  if (t[1].defined()) {
    Tensor pos = greater(a, scalar0(a));
    Tensor log_a = where(pos, log(where(pos, a, ones_like(a))), scalar0(a));
    r = tadd(r, multiply(multiply(t[1], z), log_a));
  }
  to[0] = fit(r, z);
}
static const OpDef kPow("pow", pow_vjp, pow_jvp);
Tensor pow(const Tensor& a, const Tensor& b) {
  const OpName op{"pow", "Pow"};
  Tensor out;
  if (scalar_float(b) && a.dtype() == b.dtype()) {
    out = Tensor::empty(a.shape(), a.dtype());
    kernels::pow_scalar(a, b.item(), out);
  } else {
    if (!is_floating(b.dtype()) && b.dtype() != DType::Bool && b.dtype() == a.dtype())
      visit_dtype(b.dtype(), [&](auto tag) {
        using T = decltype(tag);
        const T* p = b.data<T>();
        for (int64_t i = 0; i < b.numel(); ++i)
          if (p[i] < T(0))
            fail(op, "Integers to negative integer powers are not allowed; cast the base to float32 or float64");
      });
    out = arith_forward(BinOp::Pow, op, a, b);
  }
  if (tape::any_active()) tape::record(&kPow, {&a, &b}, {&out}, {a, {b, 0b01}, {out, 0b10}});
  return out;
}

// ---------------------------------------------------------------- maximum / minimum: save a, b
// The gradient goes to x where x >= y (maximum) or x <= y (minimum): ties go
// to the first input, as in TensorFlow.
static void minmax_vjp(const Tensor& mask, const VjpContext& c, const Tensor* g, Tensor* gi) {
  Tensor zero = scalar0(g[0]);
  if (c.needs[0]) gi[0] = unbroadcast(c, where(mask, g[0], zero), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = unbroadcast(c, where(mask, zero, g[0]), c.in_shapes[1]);
}
static void max_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  minmax_vjp(greater_equal(c.saved[0], c.saved[1]), c, g, gi);
}
static void min_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  minmax_vjp(less_equal(c.saved[0], c.saved[1]), c, g, gi);
}
static void minmax_jvp(const Tensor& mask, const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor& out = *c.outputs[0];
  to[0] = where(mask, t[0].defined() ? t[0] : scalar0(out), t[1].defined() ? t[1] : scalar0(out));
}
static void max_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  minmax_jvp(greater_equal(*c.inputs[0], *c.inputs[1]), c, t, to);
}
static void min_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  minmax_jvp(less_equal(*c.inputs[0], *c.inputs[1]), c, t, to);
}
static const OpDef kMax("maximum", max_vjp, max_jvp);
static const OpDef kMin("minimum", min_vjp, min_jvp);
Tensor maximum(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Max, {"maximum", "Maximum"}, a, b);
  if (tape::any_active()) tape::record(&kMax, {&a, &b}, {&out}, {a, b});
  return out;
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Min, {"minimum", "Minimum"}, a, b);
  if (tape::any_active()) tape::record(&kMin, {&a, &b}, {&out}, {a, b});
  return out;
}

// ---------------------------------------------------------------- floordiv / floormod (no gradient)
static void check_int_divisor(const OpName& op, const Tensor& b) {
  if (is_floating(b.dtype())) return;
  visit_dtype(b.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = b.data<T>();
    for (int64_t i = 0; i < b.numel(); ++i)
      if (p[i] == T(0)) fail(op, "Integer division by zero");
  });
}
Tensor floordiv(const Tensor& a, const Tensor& b) {
  const OpName op{"floordiv", "FloorDiv"};
  check_same_dtype(op, a, b);
  check_int_divisor(op, b);
  return arith_forward(BinOp::FloorDiv, op, a, b);
}
Tensor floormod(const Tensor& a, const Tensor& b) {
  const OpName op{"floormod", "FloorMod"};
  check_same_dtype(op, a, b);
  check_int_divisor(op, b);
  return arith_forward(BinOp::FloorMod, op, a, b);
}

// ---------------------------------------------------------------- comparisons (bool, no gradient)
#define FT_COMPARE(FN, KIND, TF)                                     \
  Tensor FN(const Tensor& a, const Tensor& b) {                      \
    return binary_forward(BinOp::KIND, {#FN, TF}, a, b, true);       \
  }
FT_COMPARE(less, Less, "Less")
FT_COMPARE(less_equal, LessEq, "LessEqual")
FT_COMPARE(greater, Greater, "Greater")
FT_COMPARE(greater_equal, GreaterEq, "GreaterEqual")
FT_COMPARE(equal, Eq, "Equal")
FT_COMPARE(not_equal, NotEq, "NotEqual")
#undef FT_COMPARE

static void check_bool(const OpName& op, const Tensor& a) {
  if (a.dtype() != DType::Bool)
    fail(op, std::string("expected bool tensors, got ") + dtype_name(a.dtype()) +
                 "; compare first or cast with fasttape.cast(x, fasttape.bool)");
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  const OpName op{"logical_and", "LogicalAnd"};
  check_bool(op, a);
  check_bool(op, b);
  return binary_forward(BinOp::And, op, a, b, true);
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  const OpName op{"logical_or", "LogicalOr"};
  check_bool(op, a);
  check_bool(op, b);
  return binary_forward(BinOp::Or, op, a, b, true);
}
Tensor logical_not(const Tensor& a) {
  check_bool({"logical_not", "LogicalNot"}, a);
  return unary_forward(UnOp::Not, a);
}

// ---------------------------------------------------------------- negative
// negative: saves nothing
static void negative_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = negative(g[0]);
}
static void negative_jvp(const JvpContext&, const Tensor* t, Tensor* to) { to[0] = negative(t[0]); }
static bool negative_svjp(const VjpContext& c, DType dt, double g, double* gin) {
  return scalar_rule(c, dt, g, gin, [](const VjpContext&, auto g, auto* gi) {
    gi[0] = -g;
    return true;
  });
}
static const OpDef kNeg("negative", negative_vjp, negative_jvp, negative_svjp);
Tensor negative(const Tensor& x) {
  check_not_bool({"negative", "Neg"}, x);
  Tensor y = unary_forward(UnOp::Neg, x);
  if (tape::any_active()) tape::record(&kNeg, {&x}, {&y}, {});
  return y;
}
static const Registrar negative_registrar(
    ElementwiseEntry{"negative", "Neg", "-x, elementwise.", kNsTop | kNsMath, "x", nullptr, nullptr, &negative, nullptr, nullptr});

// ---------------------------------------------------------------- binary entries
namespace ops_detail {
// atan2(y, x): the angle of the point (x, y), in (-pi, pi].
// d/dy = x / (x^2 + y^2), d/dx = -y / (x^2 + y^2).
struct Atan2 {
  static constexpr const char* tf = "Atan2";
  static constexpr const char* arg0 = "y";
  static constexpr const char* arg1 = "x";
  template <class T> static T f(T y, T x) { return std::atan2(y, x); }
  static Tensor da(const Tensor& y, const Tensor& x, const Tensor&) { return divide(x, add(square(x), square(y))); }
  static Tensor db(const Tensor& y, const Tensor& x, const Tensor&) {
    return negative(divide(y, add(square(x), square(y))));
  }
};
FT_BINARY_ENTRY(Atan2, atan2, kNsTop | kNsMath, "The angle of the point (x, y): atan(y / x) in the right quadrant.")

// 1 where x != 0, else 0, in x's dtype: the factor TensorFlow's gradients of
// xlogy, xlog1py and xdivy put on their x-partials.
inline Tensor nonzero(const Tensor& x) { return cast(not_equal(x, scalar0(x)), x.dtype()); }

// xlogy(x, y) = x log y, and x itself (a signed zero) where x == 0, even
// where y is 0 or NaN.
// d/dx = xlogy(x != 0, y), d/dy = xdivy(x, y).
struct Xlogy {
  static constexpr const char* tf = "Xlogy";
  static constexpr const char* arg0 = "x";
  static constexpr const char* arg1 = "y";
  template <class T> static T f(T x, T y) { return x == T(0) ? x : x * std::log(y); }
  static Tensor da(const Tensor& x, const Tensor& y, const Tensor&) { return xlogy(nonzero(x), y); }
  static Tensor db(const Tensor& x, const Tensor& y, const Tensor&) { return xdivy(x, y); }
};
FT_BINARY_ENTRY(Xlogy, xlogy, kNsMath, "x * log(y), elementwise, and 0 where x is 0.")

// xlog1py(x, y) = x log(1 + y), x where x == 0.
// d/dx = xlog1py(x != 0, y), d/dy = xdivy(x, y + 1).
struct Xlog1py {
  static constexpr const char* tf = "Xlog1py";
  static constexpr const char* arg0 = "x";
  static constexpr const char* arg1 = "y";
  template <class T> static T f(T x, T y) { return x == T(0) ? x : x * std::log1p(y); }
  static Tensor da(const Tensor& x, const Tensor& y, const Tensor&) { return xlog1py(nonzero(x), y); }
  static Tensor db(const Tensor& x, const Tensor& y, const Tensor&) { return xdivy(x, y + 1.0); }
};
FT_BINARY_ENTRY(Xlog1py, xlog1py, kNsMath, "x * log(1 + y), elementwise, and 0 where x is 0.")

// xdivy(x, y) = x / y, x where x == 0 (even where y is 0 or NaN).
// d/dx = xdivy(x != 0, y), d/dy = xdivy(-x, y^2).
struct Xdivy {
  static constexpr const char* tf = "Xdivy";
  static constexpr const char* arg0 = "x";
  static constexpr const char* arg1 = "y";
  template <class T> static T f(T x, T y) { return x == T(0) ? x : x / y; }
  static Tensor da(const Tensor& x, const Tensor& y, const Tensor&) { return xdivy(nonzero(x), y); }
  static Tensor db(const Tensor& x, const Tensor& y, const Tensor&) { return xdivy(negative(x), square(y)); }
};
FT_BINARY_ENTRY(Xdivy, xdivy, kNsMath, "x / y, elementwise, and 0 where x is 0.")

// divide_no_nan(x, y) = x / y, 0 where y == 0 (even where x is 0 or NaN).
// d/dx = divide_no_nan(1, y), d/dy = divide_no_nan(divide_no_nan(-x, y), y).
struct DivNoNan {
  static constexpr const char* tf = "DivNoNan";
  static constexpr const char* arg0 = "x";
  static constexpr const char* arg1 = "y";
  template <class T> static T f(T x, T y) { return y == T(0) ? T(0) : x / y; }
  static Tensor da(const Tensor&, const Tensor& y, const Tensor&) { return divide_no_nan(scalar_like(1.0, y), y); }
  static Tensor db(const Tensor& x, const Tensor& y, const Tensor&) {
    return divide_no_nan(divide_no_nan(negative(x), y), y);
  }
};
FT_BINARY_ENTRY(DivNoNan, divide_no_nan, kNsMath, "x / y, elementwise, and 0 where y is 0.")

// multiply_no_nan(x, y) = x * y, 0 where y == 0 (even where x is inf or NaN).
// d/dx = y (0 where y == 0), d/dy = x.
struct MulNoNan {
  static constexpr const char* tf = "MulNoNan";
  static constexpr const char* arg0 = "x";
  static constexpr const char* arg1 = "y";
  template <class T> static T f(T x, T y) { return y == T(0) ? T(0) : x * y; }
  static Tensor da(const Tensor&, const Tensor& y, const Tensor&) { return y; }
  static Tensor db(const Tensor& x, const Tensor&, const Tensor&) { return x; }
};
FT_BINARY_ENTRY(MulNoNan, multiply_no_nan, kNsMath, "x * y, elementwise, and 0 where y is 0.")
}  // namespace ops_detail

// ---------------------------------------------------------------- where: saves cond
static void where_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor& cond = c.saved[0];
  Tensor zero = scalar0(g[0]);
  if (c.needs[1]) gi[1] = unbroadcast(c, where(cond, g[0], zero), c.in_shapes[1]);
  if (c.needs[2]) gi[2] = unbroadcast(c, where(cond, zero, g[0]), c.in_shapes[2]);
}
static void where_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &cond = *c.inputs[0], &out = *c.outputs[0];
  to[0] = where(cond, t[1].defined() ? t[1] : scalar0(out), t[2].defined() ? t[2] : scalar0(out));
}
static const OpDef kWhere("where", where_vjp, where_jvp);
Tensor where(const Tensor& cond, const Tensor& x, const Tensor& y) {
  const OpName op{"where", "SelectV2"};
  if (cond.dtype() != DType::Bool)
    fail(op, std::string("condition must be a bool tensor, got ") + dtype_name(cond.dtype()));
  check_same_dtype(op, x, y);
  Shape s = broadcast_or_fail(op, broadcast_or_fail(op, cond.shape(), x.shape()), y.shape());
  Tensor out = Tensor::empty(s, x.dtype());
  kernels::where(cond, x, y, out);
  if (tape::any_active()) tape::record(&kWhere, {&cond, &x, &y}, {&out}, {cond});
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

// ---------------------------------------------------------------- constructors
Tensor zeros_like(const Tensor& x) { return Tensor::zeros(x.shape(), x.dtype()); }
Tensor ones_like(const Tensor& x) { return Tensor::ones(x.shape(), x.dtype()); }
Tensor scalar_like(double v, const Tensor& x) { return Tensor::scalar(v, x.dtype()); }

}  // namespace fasttape
