// Elementwise kernels: one functor per op (its scalar form; the compiler
// vectorises it once per target ISA through FT_MULTIVERSION), and one
// broadcasting iterator shared by every binary and ternary op.
//
// The iterator reduces any broadcast to a loop nest whose innermost dimension
// has, per input, stride 1 (contiguous) or 0 (broadcast); adjacent dimensions
// that are contiguous for every operand are merged first, so same-shape and
// scalar operands run as one flat loop.
#include <cmath>
#include <cstring>
#include <type_traits>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"
#include "kernels/vecmath.hpp"

namespace fasttape {
namespace kernels {

// ------------------------------------------------------------- functors
namespace fn {
#define FT_BIN(NAME, EXPR)                                   \
  struct NAME {                                              \
    template <class T> static inline auto f(T a, T b) { return EXPR; } \
  };
FT_BIN(Add, static_cast<T>(a + b))
FT_BIN(Sub, static_cast<T>(a - b))
FT_BIN(Mul, static_cast<T>(a * b))
FT_BIN(Div, static_cast<T>(a / b))
FT_BIN(Max, (a >= b || a != a) ? a : b)
FT_BIN(Min, (a <= b || a != a) ? a : b)
FT_BIN(Less, a < b)
FT_BIN(LessEq, a <= b)
FT_BIN(Greater, a > b)
FT_BIN(GreaterEq, a >= b)
FT_BIN(Eq, a == b)
FT_BIN(NotEq, a != b)
FT_BIN(And, static_cast<bool>(a && b))
FT_BIN(Or, static_cast<bool>(a || b))
#undef FT_BIN

struct Pow {
  template <class T> static inline T f(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::pow(a, b);
    } else {
      if (b < 0) return (a == 1) ? 1 : (a == -1 ? ((b & 1) ? -1 : 1) : 0);
      T r = 1;
      while (b) {
        if (b & 1) r = static_cast<T>(r * a);
        a = static_cast<T>(a * a);
        b >>= 1;
      }
      return r;
    }
  }
};
struct FloorDiv {
  template <class T> static inline T f(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      return std::floor(a / b);
    } else {
      T q = a / b;
      return (q * b != a && ((a < 0) != (b < 0))) ? q - 1 : q;
    }
  }
};
struct FloorMod {
  template <class T> static inline T f(T a, T b) {
    if constexpr (std::is_floating_point_v<T>) {
      T r = std::fmod(a, b);
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    } else {
      T r = a % b;
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
  }
};

#define FT_UN(NAME, EXPR)                                        \
  struct NAME {                                                  \
    template <class T> static inline T f(T x) { return EXPR; } \
  };
FT_UN(Neg, static_cast<T>(-x))
FT_UN(Square, static_cast<T>(x * x))
FT_UN(Sqrt, std::sqrt(x))
FT_UN(Exp, std::exp(x))
FT_UN(Log, std::log(x))
FT_UN(Sin, std::sin(x))
FT_UN(Cos, std::cos(x))
FT_UN(Tanh, std::tanh(x))
// Sigmoid through exp(-|x|): never overflows, and keeps the tiny values
// (down to the denormals) for very negative x.
struct Sigmoid {
  template <class T> static inline T f(T x) {
    const T e = std::exp(-std::fabs(x));
    const T r = T(1) / (T(1) + e);
    return x >= T(0) ? r : e * r;
  }
};
FT_UN(Relu, x > T(0) ? x : (x != x ? x : T(0)))
FT_UN(Abs, x < T(0) ? static_cast<T>(-x) : x)
FT_UN(Sign, static_cast<T>((T(0) < x) - (x < T(0))))
FT_UN(Not, !x)
FT_UN(Log1p, std::log1p(x))
FT_UN(Expm1, std::expm1(x))
FT_UN(Rsqrt, T(1) / std::sqrt(x))
FT_UN(Reciprocal, T(1) / x)
FT_UN(Erf, std::erf(x))
FT_UN(Floor, std::floor(x))
#undef FT_UN
// Round half to even (TensorFlow's tf.round); integers are already round.
struct Round {
  template <class T> static inline T f(T x) {
    if constexpr (std::is_floating_point_v<T>) return std::nearbyint(x);
    else return x;
  }
};
// Fused unary gradients: (g, s) -> g * f'(x), s being the saved input x or
// output y of the op.
#define FT_GRAD(NAME, EXPR)                                                \
  struct NAME {                                                            \
    template <class T> static inline T f(T g, T s) { return EXPR; }       \
  };
FT_GRAD(GradSquareX, g * (T(2) * s))
FT_GRAD(GradSqrtY, (g * T(0.5)) / s)
FT_GRAD(GradExpY, g * s)
FT_GRAD(GradLogX, g / s)
FT_GRAD(GradSinX, g * std::cos(s))
FT_GRAD(GradCosX, -(g * std::sin(s)))
FT_GRAD(GradTanhY, g * (T(1) - s * s))
FT_GRAD(GradSigmoidY, g * (s * (T(1) - s)))
FT_GRAD(GradAbsX, g * static_cast<T>((T(0) < s) - (s < T(0))))
FT_GRAD(GradLog1pX, g / (T(1) + s))
FT_GRAD(GradExpm1X, g * std::exp(s))
#undef FT_GRAD
}  // namespace fn

// ------------------------------------------------------------- inner loops
// Multiversioned (floating types) and plain (integers, bools) variants.
#define FT_LOOPS(SUFFIX, ATTR)                                                                   \
  template <class F, class T, class O>                                                           \
  ATTR void bin_vv##SUFFIX(const T* a, const T* b, O* o, int64_t n) {                           \
    for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i], b[i]);                                    \
  }                                                                                              \
  template <class F, class T, class O>                                                           \
  ATTR void bin_sv##SUFFIX(T a, const T* b, O* o, int64_t n) {                                  \
    for (int64_t i = 0; i < n; ++i) o[i] = F::f(a, b[i]);                                       \
  }                                                                                              \
  template <class F, class T, class O>                                                           \
  ATTR void bin_vs##SUFFIX(const T* a, T b, O* o, int64_t n) {                                  \
    for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i], b);                                       \
  }                                                                                              \
  template <class F, class T>                                                                    \
  ATTR void un_v##SUFFIX(const T* x, T* o, int64_t n) {                                         \
    for (int64_t i = 0; i < n; ++i) o[i] = F::f(x[i]);                                          \
  }
FT_LOOPS(_mv, FT_MULTIVERSION)
FT_LOOPS(_plain, )
#undef FT_LOOPS

template <class F, class T, class O>
inline void bin_inner(const T* a, int64_t sa, const T* b, int64_t sb, O* o, int64_t n) {
  constexpr bool mv = std::is_floating_point_v<T>;
  if (sa == 1 && sb == 1) {
    if constexpr (mv) bin_vv_mv<F, T, O>(a, b, o, n); else bin_vv_plain<F, T, O>(a, b, o, n);
  } else if (sa == 0 && sb == 1) {
    if constexpr (mv) bin_sv_mv<F, T, O>(*a, b, o, n); else bin_sv_plain<F, T, O>(*a, b, o, n);
  } else if (sa == 1 && sb == 0) {
    if constexpr (mv) bin_vs_mv<F, T, O>(a, *b, o, n); else bin_vs_plain<F, T, O>(a, *b, o, n);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = F::f(a[i * sa], b[i * sb]);
  }
}

// ------------------------------------------------------------- broadcasting
bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out) {
  int n = std::max(a.size(), b.size());
  int64_t d[64];
  if (n > 64) return false;
  for (int i = 0; i < n; ++i) {
    int ia = a.size() - n + i, ib = b.size() - n + i;
    int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
    if (da == db || db == 1) d[i] = da;
    else if (da == 1) d[i] = db;
    else return false;
  }
  *out = Shape(d, n);
  return true;
}

namespace {

// A loop nest over `out`'s shape with per-input element strides (0 where the
// input is broadcast). Output is contiguous.
template <int N>
struct Plan {
  int nd = 0;
  int64_t dims[kMaxDims];
  int64_t st[N][kMaxDims];
};

template <int N>
Plan<N> make_plan(const Shape& out, const Shape* const* ins) {
  Plan<N> p;
  int r = out.size();
  if (r > kMaxDims) throw InvalidArgument("fasttape kernels support at most 16 dimensions");
  int64_t st[N][kMaxDims];
  for (int k = 0; k < N; ++k) {
    const Shape& s = *ins[k];
    int64_t stride = 1;
    for (int i = r - 1; i >= 0; --i) {
      int j = s.size() - r + i;
      int64_t d = j >= 0 ? s[j] : 1;
      st[k][i] = (d == 1) ? 0 : stride;
      stride *= d;
    }
  }
  // Drop size-1 dims, merge mergeable neighbours.
  for (int i = 0; i < r; ++i) {
    if (out[i] == 1) continue;
    if (p.nd > 0) {
      int last = p.nd - 1;
      bool merge = true;
      for (int k = 0; k < N; ++k)
        if (p.st[k][last] != st[k][i] * out[i]) merge = false;
      if (merge) {
        p.dims[last] *= out[i];
        for (int k = 0; k < N; ++k) p.st[k][last] = st[k][i];
        continue;
      }
    }
    p.dims[p.nd] = out[i];
    for (int k = 0; k < N; ++k) p.st[k][p.nd] = st[k][i];
    ++p.nd;
  }
  if (p.nd == 0) {
    p.nd = 1;
    p.dims[0] = 1;
    for (int k = 0; k < N; ++k) p.st[k][0] = 0;
  }
  return p;
}

// Runs body(out_off, in_off[N], n) over rows of the innermost dim; rows run
// in parallel for big outputs, and a single long row is split.
template <int N, class Body>
void run_plan(const Plan<N>& p, Body&& body) {
  const int last = p.nd - 1;
  const int64_t inner = p.dims[last];
  int64_t rows = 1;
  for (int i = 0; i < last; ++i) rows *= p.dims[i];
  if (rows == 1) {
    parallel_for(inner, kParallelGrain, [&](int64_t b, int64_t e) {
      int64_t off[N];
      for (int k = 0; k < N; ++k) off[k] = b * p.st[k][last];
      body(b, off, e - b);
    });
    return;
  }
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(inner, 1));
  parallel_for(rows, grain, [&](int64_t rb, int64_t re) {
    int64_t idx[kMaxDims];
    int64_t off[N];
    int64_t rem = rb;
    for (int i = last - 1; i >= 0; --i) {
      idx[i] = rem % p.dims[i];
      rem /= p.dims[i];
    }
    for (int k = 0; k < N; ++k) {
      off[k] = 0;
      for (int i = 0; i < last; ++i) off[k] += idx[i] * p.st[k][i];
    }
    for (int64_t r = rb; r < re; ++r) {
      body(r * inner, off, inner);
      for (int i = last - 1; i >= 0; --i) {
        for (int k = 0; k < N; ++k) off[k] += p.st[k][i];
        if (++idx[i] < p.dims[i]) break;
        for (int k = 0; k < N; ++k) off[k] -= p.st[k][i] * p.dims[i];
        idx[i] = 0;
      }
    }
  });
}

template <class F, class T, class O>
void binary_typed(const Tensor& a, const Tensor& b, const Tensor& out) {
  if (out.numel() == 1) {  // scalars (the per-op overhead path): no loop nest
    *out.mutable_data<O>() = F::f(*a.data<T>(), *b.data<T>());
    return;
  }
  const Shape* ins[2] = {&a.shape(), &b.shape()};
  Plan<2> p = make_plan<2>(out.shape(), ins);
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  O* po = out.mutable_data<O>();
  const int last = p.nd - 1;
  const int64_t sa = p.st[0][last] ? 1 : 0, sb = p.st[1][last] ? 1 : 0;
  run_plan<2>(p, [&](int64_t o, const int64_t* off, int64_t n) {
    bin_inner<F, T, O>(pa + off[0], sa, pb + off[1], sb, po + o, n);
  });
}

template <class F>
void arith(const Tensor& a, const Tensor& b, const Tensor& out) {
  switch (a.dtype()) {
    case DType::Float32: return binary_typed<F, float, float>(a, b, out);
    case DType::Float64: return binary_typed<F, double, double>(a, b, out);
    case DType::Int32: return binary_typed<F, int32_t, int32_t>(a, b, out);
    case DType::Int64: return binary_typed<F, int64_t, int64_t>(a, b, out);
    case DType::Bool: break;
  }
  throw InvalidArgument("arithmetic is not defined for bool tensors");
}

template <class F>
void compare(const Tensor& a, const Tensor& b, const Tensor& out) {
  visit_dtype(a.dtype(), [&](auto t) {
    using T = decltype(t);
    binary_typed<F, T, bool>(a, b, out);
  });
}

template <class F, class T>
void unary_typed(const Tensor& x, const Tensor& out) {
  const T* px = x.data<T>();
  T* po = out.mutable_data<T>();
  parallel_for(x.numel(), kParallelGrain / 2, [&](int64_t b, int64_t e) {
    if constexpr (std::is_floating_point_v<T>) un_v_mv<F, T>(px + b, po + b, e - b);
    else un_v_plain<F, T>(px + b, po + b, e - b);
  });
}

template <class F>
void unary_numeric(const Tensor& x, const Tensor& out) {
  switch (x.dtype()) {
    case DType::Float32: return unary_typed<F, float>(x, out);
    case DType::Float64: return unary_typed<F, double>(x, out);
    case DType::Int32: return unary_typed<F, int32_t>(x, out);
    case DType::Int64: return unary_typed<F, int64_t>(x, out);
    case DType::Bool: break;
  }
  throw InvalidArgument("this op is not defined for bool tensors");
}

template <class F>
void unary_float(const Tensor& x, const Tensor& out) {
  if (x.dtype() == DType::Float64) return unary_typed<F, double>(x, out);
  return unary_typed<F, float>(x, out);
}

}  // namespace

void binary(BinOp op, const Tensor& a, const Tensor& b, const Tensor& out) {
  switch (op) {
    case BinOp::Add: return arith<fn::Add>(a, b, out);
    case BinOp::Sub: return arith<fn::Sub>(a, b, out);
    case BinOp::Mul: return arith<fn::Mul>(a, b, out);
    case BinOp::Div: return arith<fn::Div>(a, b, out);
    case BinOp::Pow: return arith<fn::Pow>(a, b, out);
    case BinOp::Max: return arith<fn::Max>(a, b, out);
    case BinOp::Min: return arith<fn::Min>(a, b, out);
    case BinOp::FloorDiv: return arith<fn::FloorDiv>(a, b, out);
    case BinOp::FloorMod: return arith<fn::FloorMod>(a, b, out);
    case BinOp::Less: return compare<fn::Less>(a, b, out);
    case BinOp::LessEq: return compare<fn::LessEq>(a, b, out);
    case BinOp::Greater: return compare<fn::Greater>(a, b, out);
    case BinOp::GreaterEq: return compare<fn::GreaterEq>(a, b, out);
    case BinOp::Eq: return compare<fn::Eq>(a, b, out);
    case BinOp::NotEq: return compare<fn::NotEq>(a, b, out);
    case BinOp::And: return binary_typed<fn::And, bool, bool>(a, b, out);
    case BinOp::Or: return binary_typed<fn::Or, bool, bool>(a, b, out);
  }
}

void unary(UnOp op, const Tensor& x, const Tensor& out) {
  switch (op) {
    case UnOp::Neg: return unary_numeric<fn::Neg>(x, out);
    case UnOp::Square: return unary_numeric<fn::Square>(x, out);
    case UnOp::Abs: return unary_numeric<fn::Abs>(x, out);
    case UnOp::Sign: return unary_numeric<fn::Sign>(x, out);
    case UnOp::Relu: return unary_numeric<fn::Relu>(x, out);
    case UnOp::Sqrt: return unary_float<fn::Sqrt>(x, out);
    case UnOp::Exp: return unary_float<fn::Exp>(x, out);
    case UnOp::Log: return unary_float<fn::Log>(x, out);
    case UnOp::Sin: return unary_float<fn::Sin>(x, out);
    case UnOp::Cos: return unary_float<fn::Cos>(x, out);
    case UnOp::Tanh: return unary_float<fn::Tanh>(x, out);
    case UnOp::Sigmoid: return unary_float<fn::Sigmoid>(x, out);
    case UnOp::Not: return unary_typed<fn::Not, bool>(x, out);
    case UnOp::Log1p: return unary_float<fn::Log1p>(x, out);
    case UnOp::Expm1: return unary_float<fn::Expm1>(x, out);
    case UnOp::Rsqrt: return unary_float<fn::Rsqrt>(x, out);
    case UnOp::Reciprocal: return unary_float<fn::Reciprocal>(x, out);
    case UnOp::Erf: return unary_float<fn::Erf>(x, out);
    case UnOp::Floor: return unary_float<fn::Floor>(x, out);
    case UnOp::Round: return unary_numeric<fn::Round>(x, out);
  }
}

namespace {
template <class F>
bool grad_float(const Tensor& g, const Tensor& s, const Tensor& out) {
  if (!out.defined()) return true;  // only asked whether a fused form exists
  if (g.dtype() == DType::Float64) binary_typed<F, double, double>(g, s, out);
  else binary_typed<F, float, float>(g, s, out);
  return true;
}
}  // namespace

bool unary_grad(UnOp op, const Tensor& g, const Tensor& s, const Tensor& out) {
  if (!is_floating(g.dtype()) || g.dtype() != s.dtype()) return false;
  switch (op) {
    case UnOp::Square: return grad_float<fn::GradSquareX>(g, s, out);
    case UnOp::Sqrt: return grad_float<fn::GradSqrtY>(g, s, out);
    case UnOp::Exp: return grad_float<fn::GradExpY>(g, s, out);
    case UnOp::Log: return grad_float<fn::GradLogX>(g, s, out);
    case UnOp::Sin: return grad_float<fn::GradSinX>(g, s, out);
    case UnOp::Cos: return grad_float<fn::GradCosX>(g, s, out);
    case UnOp::Tanh: return grad_float<fn::GradTanhY>(g, s, out);
    case UnOp::Sigmoid: return grad_float<fn::GradSigmoidY>(g, s, out);
    case UnOp::Abs: return grad_float<fn::GradAbsX>(g, s, out);
    case UnOp::Log1p: return grad_float<fn::GradLog1pX>(g, s, out);
    case UnOp::Expm1: return grad_float<fn::GradExpm1X>(g, s, out);
    default: return false;
  }
}

namespace {
// x ** e with the exponent's common values done exactly by multiplication.
template <class T>
FT_MULTIVERSION void pow_loop(const T* x, T* o, int64_t n, T e) {
  if (e == T(2)) {
    for (int64_t i = 0; i < n; ++i) o[i] = x[i] * x[i];
  } else if (e == T(1)) {
    for (int64_t i = 0; i < n; ++i) o[i] = x[i];
  } else if (e == T(3)) {
    for (int64_t i = 0; i < n; ++i) o[i] = x[i] * x[i] * x[i];
  } else if (e == T(0.5)) {
    for (int64_t i = 0; i < n; ++i) o[i] = std::sqrt(x[i]);
  } else if (e == T(-1)) {
    for (int64_t i = 0; i < n; ++i) o[i] = T(1) / x[i];
  } else if (e == T(-0.5)) {
    for (int64_t i = 0; i < n; ++i) o[i] = T(1) / std::sqrt(x[i]);
  } else if (e == T(0)) {
    for (int64_t i = 0; i < n; ++i) o[i] = T(1);
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = std::pow(x[i], e);
  }
}
// g * e * x ** (e - 1), through pow_loop's fast cases for e - 1.
template <class T>
FT_MULTIVERSION void pow_grad_loop(const T* g, const T* x, T* o, int64_t n, T e) {
  if (e == T(2)) {
    for (int64_t i = 0; i < n; ++i) o[i] = g[i] * (T(2) * x[i]);
  } else if (e == T(3)) {
    for (int64_t i = 0; i < n; ++i) o[i] = g[i] * (T(3) * (x[i] * x[i]));
  } else if (e == T(1)) {
    for (int64_t i = 0; i < n; ++i) o[i] = g[i];
  } else {
    for (int64_t i = 0; i < n; ++i) o[i] = g[i] * (e * std::pow(x[i], e - T(1)));
  }
}
}  // namespace

void pow_scalar(const Tensor& x, double e, const Tensor& out) {
  visit_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    T* po = out.mutable_data<T>();
    parallel_for(x.numel(), kParallelGrain, [&](int64_t b, int64_t end) {
      pow_loop<T>(px + b, po + b, end - b, static_cast<T>(e));
    });
  });
}

void pow_scalar_grad(const Tensor& g, const Tensor& x, double e, const Tensor& out) {
  visit_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pg = g.data<T>();
    const T* px = x.data<T>();
    T* po = out.mutable_data<T>();
    parallel_for(x.numel(), kParallelGrain, [&](int64_t b, int64_t end) {
      pow_grad_loop<T>(pg + b, px + b, po + b, end - b, static_cast<T>(e));
    });
  });
}

void where(const Tensor& cond, const Tensor& x, const Tensor& y, const Tensor& out) {
  const Shape* ins[3] = {&cond.shape(), &x.shape(), &y.shape()};
  Plan<3> p = make_plan<3>(out.shape(), ins);
  const int last = p.nd - 1;
  const int64_t sc = p.st[0][last] ? 1 : 0, sx = p.st[1][last] ? 1 : 0, sy = p.st[2][last] ? 1 : 0;
  const bool* pc = cond.data<bool>();
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* px = x.data<T>();
    const T* py = y.data<T>();
    T* po = out.mutable_data<T>();
    run_plan<3>(p, [&](int64_t o, const int64_t* off, int64_t n) {
      const bool* c = pc + off[0];
      const T* a = px + off[1];
      const T* b = py + off[2];
      for (int64_t i = 0; i < n; ++i) po[o + i] = c[i * sc] ? a[i * sx] : b[i * sy];
    });
  });
}

void broadcast_copy(const Tensor& x, const Tensor& out) {
  const Shape* ins[1] = {&x.shape()};
  Plan<1> p = make_plan<1>(out.shape(), ins);
  const int last = p.nd - 1;
  const bool contiguous = p.st[0][last] != 0;
  const size_t isz = dtype_size(x.dtype());
  const char* px = static_cast<const char*>(x.raw());
  char* po = static_cast<char*>(out.mutable_raw());
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    run_plan<1>(p, [&](int64_t o, const int64_t* off, int64_t n) {
      if (contiguous) {
        std::memcpy(po + o * isz, px + off[0] * isz, n * isz);
      } else {
        T v = reinterpret_cast<const T*>(px)[off[0]];
        T* dst = reinterpret_cast<T*>(po) + o;
        for (int64_t i = 0; i < n; ++i) dst[i] = v;
      }
    });
  });
}

void fill(const Tensor& out, double v) {
  visit_dtype(out.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = out.mutable_data<T>();
    T tv = static_cast<T>(v);
    parallel_for(out.numel(), kParallelGrain, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) p[i] = tv;
    });
  });
}

void cast(const Tensor& x, const Tensor& out) {
  visit_dtype(x.dtype(), [&](auto ti) {
    using I = decltype(ti);
    visit_dtype(out.dtype(), [&](auto to) {
      using O = decltype(to);
      const I* px = x.data<I>();
      O* po = out.mutable_data<O>();
      parallel_for(x.numel(), kParallelGrain, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) {
          if constexpr (std::is_same_v<O, bool>) po[i] = px[i] != I(0);
          else po[i] = static_cast<O>(px[i]);
        }
      });
    });
  });
}

}  // namespace kernels
}  // namespace fasttape
