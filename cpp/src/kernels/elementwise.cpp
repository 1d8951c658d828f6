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

#include "kernels/elementwise_loops.hpp"

namespace fasttape {
namespace kernels {
using namespace loops;

// ------------------------------------------------------------- functors
namespace fn {
#define FT_BIN(NAME, EXPR)                                   \
  struct NAME {                                              \
    template <class T> static inline auto f(T a, T b) { return EXPR; } \
  };
FT_BIN(Add, wrap_add(a, b))
FT_BIN(Sub, wrap_sub(a, b))
FT_BIN(Mul, wrap_mul(a, b))
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
        if (b & 1) r = wrap_mul(r, a);
        a = wrap_mul(a, a);
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
      // x / -1 is -x, wrapping as TensorFlow's does (INT_MIN / -1 would trap).
      if (b == T(-1)) return wrap_neg(a);
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
      if (b == T(-1)) return T(0);  // INT_MIN % -1 would trap
      T r = a % b;
      return (r != 0 && ((r < 0) != (b < 0))) ? r + b : r;
    }
  }
};

#define FT_UN(NAME, EXPR)                                        \
  struct NAME {                                                  \
    template <class T> static inline T f(T x) { return EXPR; } \
  };
FT_UN(Neg, wrap_neg(x))
FT_UN(Not, !x)
#undef FT_UN
// The unary ops with a gradient have their functors in their op entries
// (ops/unary_ops.cpp), which run them through elementwise_loops.hpp.
}  // namespace fn

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
    case UnOp::Not: return unary_typed<fn::Not, bool>(x, out);
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
