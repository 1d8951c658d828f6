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

// erfc: d/dx erfc x = -2/sqrt(pi) e^(-x^2)
struct Erfc {
  static constexpr const char* tf = "Erfc";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::erfc(x); }
  template <class T> static T df(T g, T x) { return g * (std::exp(-(x * x)) * T(-1.1283791670955126)); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return multiply(erfc_grad(g, x), times(x, -2.0)); }
};
FT_UNARY_ENTRY(Erfc, erfc, kNsMath, "The complementary error function 1 - erf(x), elementwise.")

// erfinv: the inverse of erf on (-1, 1); +-inf at +-1, NaN outside.
// Giles' single-precision approximation ("Approximating the erfinv
// function", 2010) as the start, then Newton steps on erf (on log erfc where
// |x| > 0.5: 1 - |x| is exact there, and erf(y) near 1 would cancel). Always
// computed in double and rounded, so float32 gets the correctly rounded
// value or its neighbour. d/dx erfinv x = sqrt(pi)/2 e^(y^2).
inline double erfinv_double(double x) {
  const double a = std::fabs(x);
  if (!(a < 1.0)) return a == 1.0 ? std::copysign(HUGE_VAL, x) : std::nan("");
  double w = -std::log((1.0 - a) * (1.0 + a)), p;
  if (w < 5.0) {
    w -= 2.5;
    p = 2.81022636e-08;
    p = 3.43273939e-07 + p * w;
    p = -3.5233877e-06 + p * w;
    p = -4.39150654e-06 + p * w;
    p = 0.00021858087 + p * w;
    p = -0.00125372503 + p * w;
    p = -0.00417768164 + p * w;
    p = 0.246640727 + p * w;
    p = 1.50140941 + p * w;
  } else {
    w = std::sqrt(w) - 3.0;
    p = -0.000200214257;
    p = 0.000100950558 + p * w;
    p = 0.00134934322 + p * w;
    p = -0.00367342844 + p * w;
    p = 0.00573950773 + p * w;
    p = -0.0076224613 + p * w;
    p = 0.00943887047 + p * w;
    p = 1.00167406 + p * w;
    p = 2.83297682 + p * w;
  }
  double y = p * a;  // erfinv is odd: solve for |x|, then put the sign back
  const double c = 1.0 - a;  // exact for a >= 0.5
  for (int i = 0; i < 8; ++i) {
    const double k = 1.1283791670955126 * std::exp(-(y * y));  // erf'(y)
    double step;
    if (a > 0.5) {  // on log erfc(y) = log(1 - a): nearly quadratic in y, so Newton converges from afar
      const double e = std::erfc(y);
      step = (std::log(c) - std::log(e)) * e / k;  // g / g' for g = log erfc(y) - log c
    } else {
      step = (std::erf(y) - a) / k;
    }
    if (!(std::fabs(step) < HUGE_VAL)) break;
    y -= step;
    if (std::fabs(step) <= 1e-16 * y) break;
  }
  return std::copysign(y, x);
}
struct Erfinv {
  static constexpr const char* tf = "Erfinv";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return static_cast<T>(erfinv_double(static_cast<double>(x))); }
  template <class T> static T df(T g, T y) { return g * (std::exp(y * y) * T(0.88622692545275801)); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return multiply(erfinv_grad(g, y), times(y, 2.0)); }
};
FT_UNARY_ENTRY(Erfinv, erfinv, kNsMath, "The inverse error function, elementwise: erf(erfinv(x)) = x.")

// ---------------------------------------------------------------- the gamma family
// lgamma' = digamma = polygamma(0, .), digamma' = polygamma(1, .), and
// d/dx polygamma(n, x) = polygamma(n + 1, x): each derivative is an op, so
// every order runs through these entries. The scalar forms follow Cephes
// (psi, zeta) with TensorFlow's conventions at the poles, in double (float32
// rounds the double result). polygamma is the one binary entry of this file:
// it shares the scalar code.

// digamma: NaN at 0 and the negative integers (TensorFlow's value there),
// reflection psi(x) = psi(1 - x) - pi / tan(pi x) below 0, the recurrence
// psi(x) = psi(x + 1) - 1/x up to 10, then the asymptotic series.
inline double digamma_double(double x) {
  double reflect = 0.0;
  if (x <= 0.0) {
    const double p = std::floor(x);
    if (p == x) return std::nan("");  // a pole, or -inf
    const double r = x - std::nearbyint(x);  // exact, in [-0.5, 0.5]: pi / tan(pi x) from it
    if (std::fabs(r) != 0.5) reflect = 3.141592653589793 / std::tan(3.141592653589793 * r);
    x = 1.0 - x;
  }
  double w = 0.0;
  while (x < 10.0) {
    w += 1.0 / x;
    x += 1.0;
  }
  double y = 0.0;
  if (x < 1e17) {  // sum_k B_2k / (2k x^2k), k = 1..7
    const double z = 1.0 / (x * x);
    y = z * (1.0 / 12 - z * (1.0 / 120 - z * (1.0 / 252 - z * (1.0 / 240 - z * (1.0 / 132 -
            z * (691.0 / 32760 - z / 12))))));
  }
  return std::log(x) - 0.5 / x - y - w - reflect;
}

// The Hurwitz zeta function sum_k (k + q)^-s, s >= 1: Euler-Maclaurin
// summation (Cephes' zeta, and Eigen's conventions that TensorFlow has: inf
// at s == 1; at q a non-positive integer, inf for even s, else NaN; NaN for
// q < 0 and s not an integer). Below 0, s = 2 and 3 reflect to q > 0.
inline double zeta_double(double s, double q) {
  // (2k)! / B_2k, k = 1..12
  static constexpr double kA[12] = {12.0, -720.0, 30240.0, -1209600.0, 47900160.0, -1892437580.3183792,
                                    74724249600.0, -2950130727918.164, 116467828143500.67, -4597978722407473.0,
                                    1.8152105401943546e+17, -7.166165256175667e+18};
  const double eps = 1.1102230246251565e-16;
  if (s == 1.0) return HUGE_VAL;
  if (!(s > 1.0)) return std::nan("");
  if (q <= 0.0) {
    if (q == std::floor(q)) return (s == std::floor(s) && std::fmod(s, 2.0) == 0.0) ? HUGE_VAL : std::nan("");
    if (s != std::floor(s)) return std::nan("");
  }
  if (q == HUGE_VAL) return 0.0;
  if (q < 0.0 && (s == 2.0 || s == 3.0)) {
    // Reflection (q not an integer): psi1(q) = pi^2 / sin^2(pi q) - psi1(1 - q),
    // psi2(q) = psi2(1 - q) - 2 pi^3 cot(pi q) / sin^2(pi q); from the reduced argument.
    const double pi = 3.141592653589793, r = q - std::nearbyint(q), sn = std::sin(pi * r);
    const double z = zeta_double(s, 1.0 - q);
    return s == 2.0 ? pi * pi / (sn * sn) - z : z + pi * pi * pi * std::cos(pi * r) / (sn * sn * sn);
  }
  if (q < -1e6) return std::nan("");  // higher orders far below 0: not computed (the sum takes -q terms)
  double sum = std::pow(q, -s), a = q, b = 0.0;
  for (int i = 0; i < 9 || a <= 9.0; ++i) {  // direct terms until q + k > 9
    a += 1.0;
    b = std::pow(a, -s);
    sum += b;
    if (std::fabs(b / sum) < eps) return sum;
  }
  const double w = a;
  sum += b * w / (s - 1.0) - 0.5 * b;
  double f = 1.0, k = 0.0;
  for (int i = 0; i < 12; ++i) {
    f *= s + k;
    b /= w;
    const double t = f * b / kA[i];
    sum += t;
    if (std::fabs(t / sum) < eps) break;
    k += 1.0;
    f *= s + k;
    b /= w;
    k += 1.0;
  }
  return sum;
}

// polygamma(n, x) = (-1)^(n+1) n! zeta(n + 1, x) for n = 1, 2, ...; digamma
// for n = 0; NaN unless n is a non-negative integer.
inline double polygamma_double(double n, double x) {
  if (!(n >= 0.0 && n == std::floor(n))) return std::nan("");
  if (n == 0.0) return digamma_double(x);
  const double sign = std::fmod(n, 2.0) == 0.0 ? -1.0 : 1.0;
  return sign * std::tgamma(n + 1.0) * zeta_double(n + 1.0, x);
}

// lgamma: log |Gamma(x)|; d/dx = digamma x. (lgamma_r: no global sign write.)
struct Lgamma {
  static constexpr const char* tf = "Lgamma";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) {
    int sign;
    if constexpr (std::is_same_v<T, float>) return ::lgammaf_r(x, &sign);
    else return ::lgamma_r(x, &sign);
  }
  template <class T> static T df(T g, T x) { return g * static_cast<T>(digamma_double(x)); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return multiply(g, polygamma(scalar_like(1.0, x), x)); }
};
FT_UNARY_ENTRY(Lgamma, lgamma, kNsMath, "log |Gamma(x)|, elementwise; inf at 0 and the negative integers.")

// digamma: d/dx digamma x = polygamma(1, x) (the trigamma function).
struct Digamma {
  static constexpr const char* tf = "Digamma";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return static_cast<T>(digamma_double(x)); }
  template <class T> static T df(T g, T x) { return g * static_cast<T>(zeta_double(2.0, x)); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return multiply(g, polygamma(scalar_like(2.0, x), x)); }
};
FT_UNARY_ENTRY(Digamma, digamma, kNsMath, "The derivative of lgamma, elementwise; NaN at 0 and the negative integers.")

// polygamma(a, x): the a-th derivative of digamma. d/dx = polygamma(a + 1, x);
// a is an order, not a variable: its gradient is zeros (TensorFlow: None).
struct Polygamma {
  static constexpr const char* tf = "Polygamma";
  static constexpr const char* arg0 = "a";
  static constexpr const char* arg1 = "x";
  template <class T> static T f(T a, T x) { return static_cast<T>(polygamma_double(a, x)); }
  static Tensor da(const Tensor& a, const Tensor& x, const Tensor&) {
    return Tensor::zeros(broadcast_or_fail({"polygamma", tf}, a.shape(), x.shape()), a.dtype());
  }
  static Tensor db(const Tensor& a, const Tensor& x, const Tensor&) { return polygamma(a + 1.0, x); }
};
FT_BINARY_ENTRY(Polygamma, polygamma, kNsMath, "The a-th derivative of digamma at x (a = 0, 1, 2, ...).")

// ---------------------------------------------------------------- inverse trigonometric
// atan: d/dx atan x = 1 / (1 + x^2)
struct Atan {
  static constexpr const char* tf = "Atan";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::atan(x); }
  template <class T> static T df(T g, T x) { return g / (T(1) + x * x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) {
    return multiply(atan_grad(g, x), divide(times(x, -2.0), 1.0 + square(x)));
  }
};
FT_UNARY_ENTRY(Atan, atan, kNsTop | kNsMath, "Arctangent, elementwise, in [-pi/2, pi/2].")

// asin: d/dx asin x = 1 / sqrt(1 - x^2)
struct Asin {
  static constexpr const char* tf = "Asin";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::asin(x); }
  template <class T> static T df(T g, T x) { return g / std::sqrt(T(1) - x * x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) {
    return multiply(asin_grad(g, x), divide(x, 1.0 - square(x)));
  }
};
FT_UNARY_ENTRY(Asin, asin, kNsTop | kNsMath, "Arcsine, elementwise, in [-pi/2, pi/2]; NaN outside [-1, 1].")

// acos: d/dx acos x = -1 / sqrt(1 - x^2)
struct Acos {
  static constexpr const char* tf = "Acos";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::acos(x); }
  template <class T> static T df(T g, T x) { return -(g / std::sqrt(T(1) - x * x)); }
  static Tensor ddf(const Tensor& g, const Tensor& x) {
    return multiply(acos_grad(g, x), divide(x, 1.0 - square(x)));
  }
};
FT_UNARY_ENTRY(Acos, acos, kNsTop | kNsMath, "Arccosine, elementwise, in [0, pi]; NaN outside [-1, 1].")

// ---------------------------------------------------------------- hyperbolic
// sinh: d/dx sinh x = cosh x
struct Sinh {
  static constexpr const char* tf = "Sinh";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::sinh(x); }
  template <class T> static T df(T g, T x) { return g * std::cosh(x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return multiply(g, sinh(x)); }
};
FT_UNARY_ENTRY(Sinh, sinh, kNsTop | kNsMath, "Hyperbolic sine, elementwise.")

// cosh: d/dx cosh x = sinh x
struct Cosh {
  static constexpr const char* tf = "Cosh";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::cosh(x); }
  template <class T> static T df(T g, T x) { return g * std::sinh(x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) { return multiply(g, cosh(x)); }
};
FT_UNARY_ENTRY(Cosh, cosh, kNsTop | kNsMath, "Hyperbolic cosine, elementwise.")

// asinh: d/dx asinh x = 1 / sqrt(x^2 + 1) = 1 / cosh y (TensorFlow's form:
// no overflow of x^2); d/dy (g / cosh y) = -tanh y * (g / cosh y).
struct Asinh {
  static constexpr const char* tf = "Asinh";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return std::asinh(x); }
  template <class T> static T df(T g, T y) { return g / std::cosh(y); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return negative(multiply(asinh_grad(g, y), tanh(y))); }
};
FT_UNARY_ENTRY(Asinh, asinh, kNsTop | kNsMath, "Inverse hyperbolic sine, elementwise.")

// acosh: d/dx acosh x = 1 / sqrt(x^2 - 1) = 1 / sinh y (TensorFlow's form);
// d/dy (g / sinh y) = -(g / sinh y) / tanh y.
struct Acosh {
  static constexpr const char* tf = "Acosh";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return std::acosh(x); }
  template <class T> static T df(T g, T y) { return g / std::sinh(y); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return negative(divide(acosh_grad(g, y), tanh(y))); }
};
FT_UNARY_ENTRY(Acosh, acosh, kNsTop | kNsMath, "Inverse hyperbolic cosine, elementwise; NaN below 1.")

// atanh: d/dx atanh x = 1 / (1 - x^2)
struct Atanh {
  static constexpr const char* tf = "Atanh";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Input;
  template <class T> static T f(T x) { return std::atanh(x); }
  template <class T> static T df(T g, T x) { return g / (T(1) - x * x); }
  static Tensor ddf(const Tensor& g, const Tensor& x) {
    return multiply(atanh_grad(g, x), divide(times(x, 2.0), 1.0 - square(x)));
  }
};
FT_UNARY_ENTRY(Atanh, atanh, kNsTop | kNsMath, "Inverse hyperbolic tangent, elementwise; +-inf at +-1.")

// reciprocal_no_nan: 1 / x, 0 where x == 0 (TensorFlow computes it as
// DivNoNan(1, x), whose gradient is -g / x^2, 0 where x == 0: -g * y^2).
struct ReciprocalNoNan {
  static constexpr const char* tf = "DivNoNan";
  static constexpr Dtypes dtypes = Dtypes::Float;
  static constexpr Saves saves = Saves::Output;
  template <class T> static T f(T x) { return x == T(0) ? T(0) : T(1) / x; }
  template <class T> static T df(T g, T y) { return -(g * (y * y)); }
  static Tensor ddf(const Tensor& g, const Tensor& y) { return times(multiply(g, y), -2.0); }
};
FT_UNARY_ENTRY(ReciprocalNoNan, reciprocal_no_nan, kNsMath, "1 / x, elementwise, and 0 where x is 0.")

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

// ---------------------------------------------------------------- float predicates
// Bool results, not differentiable (TensorFlow: no gradient). They are ops of
// the table whose VJP gives no gradient (None), like TensorFlow's
// NotDifferentiable; a bool output never receives a gradient, so the VJP
// only states that.
struct IsFinite {
  static constexpr const char* tf = "IsFinite";
  template <class T> static bool f(T x) { return std::isfinite(x); }
};
struct IsNan {
  static constexpr const char* tf = "IsNan";
  template <class T> static bool f(T x) { return std::isnan(x); }
};
struct IsInf {
  static constexpr const char* tf = "IsInf";
  template <class T> static bool f(T x) { return std::isinf(x); }
};

template <class P>
struct PredicateOp {
  static const OpDef def;
  template <class T>
  static void loop(const Tensor& x, const Tensor& out) {
    const T* px = x.data<T>();
    bool* po = out.mutable_data<bool>();
    kernels::parallel_for(x.numel(), kernels::kParallelGrain / 2, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) po[i] = P::f(px[i]);
    });
  }
  static Tensor forward(const Tensor& x) {
    check_float({def.name, P::tf}, x);
    Tensor out = Tensor::empty(x.shape(), DType::Bool);
    if (x.dtype() == DType::Float64) loop<double>(x, out);
    else loop<float>(x, out);
    if (tape::any_active()) tape::record(&def, {&x}, {&out}, {});
    return out;
  }
  static void vjp(const VjpContext&, const Tensor*, Tensor*) {}  // no gradient
};

#define FT_PREDICATE_ENTRY(P, FN, DOC)                                                                   \
  template <>                                                                                            \
  const OpDef PredicateOp<P>::def;                                                                       \
  template <>                                                                                            \
  const OpDef PredicateOp<P>::def{#FN, &PredicateOp<P>::vjp, nullptr};                                   \
  }                                                                                                      \
  Tensor FN(const Tensor& x) { return ops_detail::PredicateOp<ops_detail::P>::forward(x); }              \
  namespace ops_detail {                                                                                 \
  static const Registrar FN##_registrar(                                                                 \
      ElementwiseEntry{#FN, P::tf, DOC, kNsMath, "x", nullptr, nullptr, &fasttape::FN, nullptr, nullptr});

FT_PREDICATE_ENTRY(IsFinite, is_finite, "True where x is neither infinite nor NaN, elementwise (bool).")
FT_PREDICATE_ENTRY(IsNan, is_nan, "True where x is NaN, elementwise (bool).")
FT_PREDICATE_ENTRY(IsInf, is_inf, "True where x is +inf or -inf, elementwise (bool).")
#undef FT_PREDICATE_ENTRY

}  // namespace ops_detail

// ---- the raw kernels, for other ops' fused forwards
namespace ops_detail {
void exp_kernel(const Tensor& x, const Tensor& out) { dispatch_unary<Exp, Dtypes::Float>({"exp", "Exp"}, x, out); }
void log_kernel(const Tensor& x, const Tensor& out) { dispatch_unary<Log, Dtypes::Float>({"log", "Log"}, x, out); }
}  // namespace ops_detail

}  // namespace fasttape
