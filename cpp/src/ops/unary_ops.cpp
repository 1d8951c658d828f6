// Unary elementwise ops: one entry each (the format and what is derived from
// it: elementwise_entry.hpp). df is the op's derivative, written once, in
// terms of g and the saved value s; ddf differentiates df once more, with
// fasttape ops. The gradient formulas are TensorFlow's (math_grad.py).
#include <cmath>

#include "fasttape/ops_math.hpp"
#include "fasttape/ops_nn.hpp"
#include "ops/elementwise_entry.hpp"

namespace fasttape {
namespace ops_detail {

// ---------------------------------------------------------------- smooth ops
// square: d/dx x^2 = 2x
struct Square {
  static constexpr const char* tf = "Square";
  static constexpr Dtypes dtypes = Dtypes::Numeric;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return kernels::wrap_mul(x, x); }
  template <class T> static T df(T g, T x) { return g * (T(2) * x); }
  static Tensor ddf(const Tensor& g, const Tensor&) { return times(g, 2.0); }
};
FT_UNARY_ENTRY(Square, square, kNsTop | kNsMath, "x * x, elementwise.")

// sqrt: d/dx sqrt(x) = 0.5 / y
struct Sqrt {
  static constexpr const char* tf = "Sqrt";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return std::sqrt(x); }
  template <class T> static T df(T g, T y) { return (g * T(0.5)) / y; }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return negative(divide(sqrt_grad(g, y), y)); }
};
FT_UNARY_ENTRY(Sqrt, sqrt, kNsTop | kNsMath, "Square root, elementwise.")

// exp: d/dx e^x = y
struct Exp {
  static constexpr const char* tf = "Exp";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return std::exp(x); }
  template <class T> static T df(T g, T y) { return g * y; }
  static Tensor ddf(const Tensor& g, const Tensor&) { return g; }
};
FT_UNARY_ENTRY(Exp, exp, kNsTop | kNsMath, "e ** x, elementwise.")

// log: d/dx log x = 1 / x
struct Log {
  static constexpr const char* tf = "Log";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::log(x); }
  template <class T> static T df(T g, T x) { return g / x; }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return negative(divide(divide(g, x), x)); }
};
FT_UNARY_ENTRY(Log, log, kNsMath, "Natural logarithm, elementwise.")

// sin: d/dx sin x = cos x
struct Sin {
  static constexpr const char* tf = "Sin";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::sin(x); }
  template <class T> static T df(T g, T x) { return g * std::cos(x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return negative(multiply(g, sin(x))); }
};
FT_UNARY_ENTRY(Sin, sin, kNsTop | kNsMath, "Sine, elementwise.")

// cos: d/dx cos x = -sin x
struct Cos {
  static constexpr const char* tf = "Cos";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::cos(x); }
  template <class T> static T df(T g, T x) { return -(g * std::sin(x)); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return negative(multiply(g, cos(x))); }
};
FT_UNARY_ENTRY(Cos, cos, kNsTop | kNsMath, "Cosine, elementwise.")

// tan: d/dx tan x = 1 + y^2
struct Tan {
  static constexpr const char* tf = "Tan";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return std::tan(x); }
  template <class T> static T df(T g, T y) { return g * (T(1) + y * y); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return times(multiply(g, y), 2.0); }
};
FT_UNARY_ENTRY(Tan, tan, kNsTop | kNsMath, "Tangent, elementwise.")

// tanh: d/dx tanh x = 1 - y^2
struct Tanh {
  static constexpr const char* tf = "Tanh";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return std::tanh(x); }
  template <class T> static T df(T g, T y) { return g * (T(1) - y * y); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return times(multiply(g, y), -2.0); }
};
FT_UNARY_ENTRY(Tanh, tanh, kNsTop | kNsMath | kNsNn, "Hyperbolic tangent, elementwise.")

// sigmoid: d/dx sigmoid x = y (1 - y). The forward goes through exp(-|x|):
// it never overflows, and keeps the tiny values (down to the denormals) for
// very negative x.
struct Sigmoid {
  static constexpr const char* tf = "Sigmoid";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) {
    const T e = std::exp(-std::fabs(x));
    const T r = T(1) / (T(1) + e);
    return x >= T(0) ? r : e * r;
  }
  template <class T> static T df(T g, T y) { return g * (y * (T(1) - y)); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return subtract(g, times(multiply(g, y), 2.0)); }
};
FT_UNARY_ENTRY(Sigmoid, sigmoid, kNsTop | kNsMath | kNsNn, "1 / (1 + e ** -x), elementwise.")

// relu: the gradient passes where y > 0; its derivative in y is zero (not
// None), as TensorFlow's ReluGrad.
struct Relu {
  static constexpr const char* tf = "Relu";
  static constexpr const char* arg = "features";
  static constexpr Dtypes dtypes = Dtypes::Numeric;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return x > T(0) ? x : (x != x ? x : T(0)); }
  template <class T> static T df(T g, T y) { return y > T(0) ? g : T(0); }
  static Tensor ddf(const Tensor&, const Tensor&) { return Tensor(); }
};
FT_UNARY_ENTRY(Relu, relu, kNsNn, "max(x, 0), elementwise (NaN stays NaN).")

// relu6: min(max(x, 0), 6). The gradient passes where 0 < y < 6 only (0 at
// both kinks, as TensorFlow's Relu6Grad); zero second derivative.
struct Relu6 {
  static constexpr const char* tf = "Relu6";
  static constexpr const char* arg = "features";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return x > T(0) ? (x < T(6) ? x : T(6)) : (x != x ? x : T(0)); }
  template <class T> static T df(T g, T y) { return (y > T(0) && y < T(6)) ? g : T(0); }
  static Tensor ddf(const Tensor&, const Tensor&) { return Tensor(); }
};
FT_UNARY_ENTRY(Relu6, relu6, kNsNn, "min(max(x, 0), 6), elementwise.")

// elu: x for x > 0, e^x - 1 below. EluGrad: g * (y + 1) where y < 0, g
// elsewhere (1 at the kink), written with the output so that no exp of a
// large x is taken; its derivative in y is g where y < 0.
struct Elu {
  static constexpr const char* tf = "Elu";
  static constexpr const char* arg = "features";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return x < T(0) ? std::expm1(x) : x; }
  template <class T> static T df(T g, T y) { return y < T(0) ? g * (y + T(1)) : g; }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return where(less(y, scalar0(y)), g, scalar0(g)); }
};
FT_UNARY_ENTRY(Elu, elu, kNsNn, "Exponential linear unit: x if x > 0 else e ** x - 1.")

// abs: d/dx |x| = sign(x)
struct Abs {
  static constexpr const char* tf = "Abs";
  static constexpr Dtypes dtypes = Dtypes::Numeric;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return x < T(0) ? kernels::wrap_neg(x) : x; }
  template <class T> static T df(T g, T x) { return g * static_cast<T>((T(0) < x) - (x < T(0))); }
  static Tensor ddf(const Tensor&, const Tensor&) { return Tensor(); }
};
FT_UNARY_ENTRY(Abs, abs, kNsTop | kNsMath, "Absolute value, elementwise.")

// log1p: d/dx log(1 + x) = 1 / (1 + x)
struct Log1p {
  static constexpr const char* tf = "Log1p";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::log1p(x); }
  template <class T> static T df(T g, T x) { return g / (T(1) + x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return negative(divide(log1p_grad(g, x), 1.0 + x)); }
};
FT_UNARY_ENTRY(Log1p, log1p, kNsMath, "log(1 + x), accurate for small x.")

// expm1: d/dx (e^x - 1) = e^x
struct Expm1 {
  static constexpr const char* tf = "Expm1";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::expm1(x); }
  template <class T> static T df(T g, T x) { return g * std::exp(x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return expm1_grad(g, x); }
};
FT_UNARY_ENTRY(Expm1, expm1, kNsMath, "e ** x - 1, accurate for small x.")

// rsqrt: d/dx x^-1/2 = -y^3 / 2
struct Rsqrt {
  static constexpr const char* tf = "Rsqrt";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return T(1) / std::sqrt(x); }
  template <class T> static T df(T g, T y) { return g * ((y * (y * y)) * T(-0.5)); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return times(multiply(g, square(y)), -1.5); }
};
FT_UNARY_ENTRY(Rsqrt, rsqrt, kNsMath, "1 / sqrt(x), elementwise.")

// reciprocal: d/dx 1/x = -y^2
struct Reciprocal {
  static constexpr const char* tf = "Reciprocal";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return T(1) / x; }
  template <class T> static T df(T g, T y) { return -(g * (y * y)); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return times(multiply(g, y), -2.0); }
};
FT_UNARY_ENTRY(Reciprocal, reciprocal, kNsMath, "1 / x, elementwise.")

// erf: d/dx erf x = 2/sqrt(pi) e^(-x^2)
struct Erf {
  static constexpr const char* tf = "Erf";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::erf(x); }
  template <class T> static T df(T g, T x) { return g * (std::exp(-(x * x)) * T(1.1283791670955126)); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return multiply(erf_grad(g, x), times(x, -2.0)); }
};
FT_UNARY_ENTRY(Erf, erf, kNsMath, "The error function, elementwise.")

// ---------------------------------------------------------------- piecewise constant
// Zero gradient (not None), as in TensorFlow.
struct Floor {
  static constexpr const char* tf = "Floor";
  static constexpr Dtypes dtypes = Dtypes::Float;
  template <class T> static T f(T x) { return std::floor(x); }
};
FT_ZERO_GRAD_ENTRY(Floor, floor, kNsTop | kNsMath, "The largest integer not above x, elementwise.")

// Round half to even (TensorFlow's tf.round); integers are already round.
struct Round {
  static constexpr const char* tf = "Round";
  static constexpr Dtypes dtypes = Dtypes::Numeric;
  static constexpr bool identity_on_integers = true;
  template <class T> static T f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::nearbyint(x);
    else return x;
  }
};
FT_ZERO_GRAD_ENTRY(Round, round, kNsTop | kNsMath, "Rounds half to even, elementwise.")

struct Sign {
  static constexpr const char* tf = "Sign";
  static constexpr Dtypes dtypes = Dtypes::Numeric;
  static constexpr bool identity_on_integers = false;
  template <class T> static T f(T x) { return static_cast<T>((T(0) < x) - (x < T(0))); }
};
FT_ZERO_GRAD_ENTRY(Sign, sign, kNsTop | kNsMath, "-1, 0 or 1 by the sign of x, elementwise.")

}  // namespace ops_detail

// ---- the raw kernels, for other ops' fused forwards
namespace ops_detail {
void exp_kernel(const Tensor& x, const Tensor& out) { dispatch_unary<Exp, Dtypes::Float>({"exp", "Exp"}, x, out); }
void log_kernel(const Tensor& x, const Tensor& out) { dispatch_unary<Log, Dtypes::Float>({"log", "Log"}, x, out); }
}  // namespace ops_detail

}  // namespace fasttape
