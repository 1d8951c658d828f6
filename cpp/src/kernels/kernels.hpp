// Dense kernels. They know nothing about tapes: each fills a preallocated
// output tensor from its inputs.
//
// SIMD: hot loops are compiled several times (baseline x86-64, x86-64-v3 =
// AVX2+FMA, x86-64-v4 = AVX-512) and the loader picks the best one the CPU
// supports (GCC/Clang target_clones). The default build never uses
// -march=native, so one wheel runs everywhere.
//
// Threads: the project's own work-sharing pool (parallel.hpp), only where a
// loop is long enough to pay for it.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "fasttape/tensor.hpp"

#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && defined(__linux__) && \
    !defined(FASTTAPE_NO_MULTIVERSION)
#define FT_MULTIVERSION __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define FT_MULTIVERSION
#endif

namespace fasttape {
namespace kernels {

// Every tensor's rank is at most this (Tensor::empty and with_shape check it),
// so the kernels' per-dimension arrays on the stack hold any tensor.
constexpr int kMaxDims = Shape::kMaxRank;

// Integer arithmetic wraps (two's complement), as TensorFlow's does. It is
// computed in the unsigned type of the same width, because signed overflow
// is undefined behaviour; floating types compute as themselves.
template <class T, bool = std::is_integral_v<T> && !std::is_same_v<T, bool>>
struct WrapType {
  using type = T;
};
template <class T>
struct WrapType<T, true> {
  using type = std::make_unsigned_t<T>;
};
template <class T>
using wrap_t = typename WrapType<T>::type;
template <class T> inline T wrap_add(T a, T b) { return static_cast<T>(wrap_t<T>(a) + wrap_t<T>(b)); }
template <class T> inline T wrap_sub(T a, T b) { return static_cast<T>(wrap_t<T>(a) - wrap_t<T>(b)); }
template <class T> inline T wrap_mul(T a, T b) { return static_cast<T>(wrap_t<T>(a) * wrap_t<T>(b)); }
template <class T> inline T wrap_neg(T a) {
  if constexpr (std::is_floating_point_v<T>) {
    return -a;  // flips the sign bit: -(+0) is -0, as TensorFlow's Neg
  } else {
    return static_cast<T>(wrap_t<T>(0) - wrap_t<T>(a));
  }
}

enum class BinOp {
  Add, Sub, Mul, Div, Pow, Max, Min, FloorDiv, FloorMod,
  Less, LessEq, Greater, GreaterEq, Eq, NotEq, And, Or
};
// The unary ops with a gradient bring their own functors (ops/unary_ops.cpp,
// through elementwise_loops.hpp); these are the others.
enum class UnOp { Neg, Not };

// numpy broadcasting of two shapes; false if incompatible.
bool broadcast_shapes(const Shape& a, const Shape& b, Shape* out);

// out = a (op) b, with a and b broadcast to out's shape. For comparisons out
// is bool; otherwise out has the inputs' dtype. out may alias a when a has
// out's shape (used for in-place variable updates).
void binary(BinOp op, const Tensor& a, const Tensor& b, const Tensor& out);
void unary(UnOp op, const Tensor& x, const Tensor& out);
void where(const Tensor& cond, const Tensor& x, const Tensor& y, const Tensor& out);
// out = x ** e for a scalar exponent, with exact fast paths for the common
// exponents (1, 2, 3, 0.5, -1, -0.5, 0); and the fused gradient
// out = g * e * x ** (e - 1) (g of x's shape). Floating dtypes only.
void pow_scalar(const Tensor& x, double e, const Tensor& out);
void pow_scalar_grad(const Tensor& g, const Tensor& x, double e, const Tensor& out);
void fill(const Tensor& out, double v);
void cast(const Tensor& x, const Tensor& out);

// A reduction's loop nest: x's dims with size-1 dims dropped and neighbours
// that are both reduced or both kept merged, so any reduction becomes an
// alternation of kept and reduced blocks. Fills dims/red, returns their count.
inline int merge_reduced_dims(const Tensor& x, const std::vector<bool>& reduced, int64_t* dims, bool* red) {
  int nd = 0;
  for (int i = 0; i < x.ndim(); ++i) {
    if (x.dim(i) == 1) continue;
    if (nd > 0 && red[nd - 1] == reduced[i]) {
      dims[nd - 1] *= x.dim(i);
    } else {
      dims[nd] = x.dim(i);
      red[nd] = reduced[i];
      ++nd;
    }
  }
  return nd;
}

// out (keepdims shape of x with reduced dims = 1) = sum of x over reduced dims.
void reduce_sum(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out);
// out = x broadcast to out's shape.
void broadcast_copy(const Tensor& x, const Tensor& out);
// out[...] = x permuted: out dim i is x dim perm[i].
void transpose(const Tensor& x, const std::vector<int64_t>& perm, const Tensor& out);
// Gather (forward) or scatter (adjoint, into zeroed out) of a strided slice.
void strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& strides,
                   const Tensor& out);
void strided_slice_scatter(const Tensor& dy, const std::vector<int64_t>& begin,
                           const std::vector<int64_t>& strides, const Tensor& out);

// C[b] = op(A[b]) @ op(B[b]) over broadcast batch dims; out preallocated.
void matmul(const Tensor& a, const Tensor& b, bool ta, bool tb, const Tensor& out);

int num_threads();
void set_num_threads(int n);
const char* isa_name();

}  // namespace kernels
}  // namespace fasttape
