// Elementwise ops of the op table. Each entry: forward, VJP, what it saves —
// side by side. VJPs are written with fasttape ops so that an outer tape
// records them (higher-order gradients), and they honour the needs-gradient
// mask. Broadcast inputs get their gradient summed back to their own shape
// with sum_to.
#include <cmath>

#include "ops/common.hpp"

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

Tensor arith_forward(BinOp k, const OpName& op, const Tensor& a, const Tensor& b) {
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
  if (c.needs[0]) gi[0] = sum_to(g[0], c.in_shapes[0]);
  if (c.needs[1]) gi[1] = sum_to(g[0], c.in_shapes[1]);
}
static const OpDef kAdd("add", add_vjp);
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Add, {"add", "AddV2"}, a, b);
  if (tape::any_active()) tape::record(&kAdd, {&a, &b}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- subtract
static void sub_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = sum_to(g[0], c.in_shapes[0]);
  if (c.needs[1]) gi[1] = sum_to(negative(g[0]), c.in_shapes[1]);
}
static const OpDef kSub("subtract", sub_vjp);
Tensor subtract(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Sub, {"subtract", "Sub"}, a, b);
  if (tape::any_active()) tape::record(&kSub, {&a, &b}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- multiply: saves a, b
static void mul_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1];
  if (c.needs[0]) gi[0] = sum_to(multiply(g[0], b), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = sum_to(multiply(a, g[0]), c.in_shapes[1]);
}
static const OpDef kMul("multiply", mul_vjp);
Tensor multiply(const Tensor& a, const Tensor& b) {
  Tensor out = arith_forward(BinOp::Mul, {"multiply", "Mul"}, a, b);
  if (tape::any_active()) tape::record(&kMul, {&a, &b}, {&out}, {a, b});
  return out;
}

// ---------------------------------------------------------------- divide: saves a, b
static void div_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1];
  if (c.needs[0]) gi[0] = sum_to(divide(g[0], b), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = sum_to(multiply(g[0], divide(divide(negative(a), b), b)), c.in_shapes[1]);
}
static const OpDef kDiv("divide", div_vjp);
Tensor divide(const Tensor& a0, const Tensor& b0) {
  const OpName op{"divide", "RealDiv"};
  check_not_bool(op, a0);
  check_same_dtype(op, a0, b0);
  // True division: integers divide as float64, as TensorFlow's truediv does.
  Tensor a = is_floating(a0.dtype()) ? a0 : cast(a0, DType::Float64);
  Tensor b = is_floating(b0.dtype()) ? b0 : cast(b0, DType::Float64);
  Tensor out = arith_forward(BinOp::Div, op, a, b);
  if (tape::any_active()) tape::record(&kDiv, {&a, &b}, {&out}, {a, b});
  return out;
}

// ---------------------------------------------------------------- pow: saves a, b, out
static void pow_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1], &z = c.saved[2];
  if (c.needs[0]) gi[0] = sum_to(multiply(multiply(g[0], b), pow(a, b - 1.0)), c.in_shapes[0]);
  if (c.needs[1]) {
    // d/db a^b = a^b log a, taken as 0 where a <= 0 (as TensorFlow does).
    Tensor pos = greater(a, scalar0(a));
    Tensor safe = where(pos, a, ones_like(a));
    Tensor log_a = where(pos, log(safe), scalar0(a));
    gi[1] = sum_to(multiply(multiply(g[0], z), log_a), c.in_shapes[1]);
  }
}
static const OpDef kPow("pow", pow_vjp);
Tensor pow(const Tensor& a, const Tensor& b) {
  const OpName op{"pow", "Pow"};
  Tensor out = arith_forward(BinOp::Pow, op, a, b);
  if (tape::any_active()) tape::record(&kPow, {&a, &b}, {&out}, {a, b, out});
  return out;
}

// ---------------------------------------------------------------- maximum / minimum: save a, b
// The gradient goes to x where x >= y (maximum) or x <= y (minimum): ties go
// to the first input, as in TensorFlow.
static void minmax_vjp(const Tensor& mask, const VjpContext& c, const Tensor* g, Tensor* gi) {
  Tensor zero = scalar0(g[0]);
  if (c.needs[0]) gi[0] = sum_to(where(mask, g[0], zero), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = sum_to(where(mask, zero, g[0]), c.in_shapes[1]);
}
static void max_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  minmax_vjp(greater_equal(c.saved[0], c.saved[1]), c, g, gi);
}
static void min_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  minmax_vjp(less_equal(c.saved[0], c.saved[1]), c, g, gi);
}
static const OpDef kMax("maximum", max_vjp);
static const OpDef kMin("minimum", min_vjp);
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

// ---------------------------------------------------------------- unary ops
// Shorthand for a unary op entry: NAME, TF name, kernel, dtype check,
// what it saves (x = input, y = output) and its VJP body.
#define FT_UNARY(FN, TF, KIND, CHECK, SAVE, NAME_STR, VJP_BODY)                  \
  static void FN##_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {      \
    if (!c.needs[0]) return;                                                    \
    const Tensor& s = c.saved[0];                                               \
    (void)s;                                                                    \
    gi[0] = (VJP_BODY);                                                         \
  }                                                                             \
  static const OpDef k_##FN(NAME_STR, FN##_vjp);                                \
  Tensor FN(const Tensor& x) {                                                  \
    CHECK({NAME_STR, TF}, x);                                                   \
    Tensor y = unary_forward(UnOp::KIND, x);                                    \
    if (tape::any_active()) tape::record(&k_##FN, {&x}, {&y}, {SAVE});          \
    return y;                                                                   \
  }

// negative: saves nothing; -g
static void negative_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = negative(g[0]);
}
static const OpDef kNeg("negative", negative_vjp);
Tensor negative(const Tensor& x) {
  check_not_bool({"negative", "Neg"}, x);
  Tensor y = unary_forward(UnOp::Neg, x);
  if (tape::any_active()) tape::record(&kNeg, {&x}, {&y}, {});
  return y;
}

FT_UNARY(square, "Square", Square, check_not_bool, x, "square", multiply(g[0], multiply(s, Tensor::scalar(2.0, s.dtype()))))
FT_UNARY(sqrt, "Sqrt", Sqrt, check_float, y, "sqrt", divide(multiply(g[0], Tensor::scalar(0.5, s.dtype())), s))
FT_UNARY(exp, "Exp", Exp, check_float, y, "exp", multiply(g[0], s))
FT_UNARY(log, "Log", Log, check_float, x, "log", divide(g[0], s))
FT_UNARY(sin, "Sin", Sin, check_float, x, "sin", multiply(g[0], cos(s)))
FT_UNARY(cos, "Cos", Cos, check_float, x, "cos", negative(multiply(g[0], sin(s))))
FT_UNARY(tanh, "Tanh", Tanh, check_float, y, "tanh", multiply(g[0], 1.0 - multiply(s, s)))
FT_UNARY(sigmoid, "Sigmoid", Sigmoid, check_float, y, "sigmoid", multiply(g[0], multiply(s, 1.0 - s)))
FT_UNARY(relu, "Relu", Relu, check_not_bool, y, "relu", where(greater(s, scalar0(s)), g[0], scalar0(g[0])))
FT_UNARY(abs, "Abs", Abs, check_not_bool, x, "abs", multiply(g[0], sign(s)))
#undef FT_UNARY

// sign: piecewise constant, so its gradient is zero (not None), as in TensorFlow.
static void sign_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = zeros_like(g[0]);
}
static const OpDef kSign("sign", sign_vjp);
Tensor sign(const Tensor& x) {
  check_not_bool({"sign", "Sign"}, x);
  Tensor y = unary_forward(UnOp::Sign, x);
  if (tape::any_active()) tape::record(&kSign, {&x}, {&y}, {});
  return y;
}

// ---------------------------------------------------------------- where: saves cond
static void where_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor& cond = c.saved[0];
  Tensor zero = scalar0(g[0]);
  if (c.needs[1]) gi[1] = sum_to(where(cond, g[0], zero), c.in_shapes[1]);
  if (c.needs[2]) gi[2] = sum_to(where(cond, zero, g[0]), c.in_shapes[2]);
}
static const OpDef kWhere("where", where_vjp);
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

// ---------------------------------------------------------------- constructors
Tensor zeros_like(const Tensor& x) { return Tensor::zeros(x.shape(), x.dtype()); }
Tensor ones_like(const Tensor& x) { return Tensor::ones(x.shape(), x.dtype()); }
Tensor scalar_like(double v, const Tensor& x) { return Tensor::scalar(v, x.dtype()); }

}  // namespace fasttape
