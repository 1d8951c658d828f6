// The elementwise loop machinery shared by the kernels (elementwise.cpp) and
// the op entries that bring their own functors (ops/unary_ops.cpp): inner
// loops compiled once per target ISA, and the broadcasting iterator.
//
// A functor F carries an op's scalar form: `static T f(T)` (unary) or
// `static T f(T, T)` (binary). map_unary / map_binary run it over tensors:
// the loops are vectorised per ISA clone (FT_MULTIVERSION) for floating
// types, and a one-element output calls F::f once, in plain scalar code, so
// that a scalar rule calling the same F::f gives the same bits.
//
// The iterator reduces any broadcast to a loop nest whose innermost dimension
// has, per input, stride 1 (contiguous) or 0 (broadcast); adjacent dimensions
// that are contiguous for every operand are merged first, so same-shape and
// scalar operands run as one flat loop.
//
// Templates with FT_MULTIVERSION must be instantiated for a given functor in
// one translation unit only (each clone set gets one resolver).
#pragma once

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"
#include "kernels/vecmath.hpp"

namespace fasttape {
namespace kernels {
namespace loops {

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
  if (r > kMaxDims) throw InvalidArgument("fasttape kernels support at most " + std::to_string(kMaxDims) + " dimensions");
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

template <class F, class T>
void unary_typed(const Tensor& x, const Tensor& out) {
  const T* px = x.data<T>();
  T* po = out.mutable_data<T>();
  parallel_for(x.numel(), kParallelGrain / 2, [&](int64_t b, int64_t e) {
    if constexpr (std::is_floating_point_v<T>) un_v_mv<F, T>(px + b, po + b, e - b);
    else un_v_plain<F, T>(px + b, po + b, e - b);
  });
}

}  // namespace loops

// out = F(x) elementwise; x and out have the same shape and dtype T.
template <class F, class T>
void map_unary(const Tensor& x, const Tensor& out) {
  loops::unary_typed<F, T>(x, out);
}

// out = F(a, b) with a and b broadcast to out's shape; all of dtype T.
template <class F, class T>
void map_binary(const Tensor& a, const Tensor& b, const Tensor& out) {
  loops::binary_typed<F, T, T>(a, b, out);
}

}  // namespace kernels
}  // namespace fasttape
