// Kernel declarations of the nn group (conventions: kernels.hpp).
//
// Softmax-like kernels see their input as a 3-D block (outer, n, inner): the
// reduced axis has length n, `inner` is the product of the dims after it (1
// when it is the last axis, the common case: contiguous rows). Each pass over
// a row or a block is a contiguous inner loop.
#pragma once

#include "kernels/kernels.hpp"

namespace fasttape {
namespace kernels {

enum class ActOp {
  LeakyRelu,     // x > 0 ? x : alpha * x
  Gelu,          // 0.5 x erfc(-x / sqrt 2)
  GeluTanh,      // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
  Softplus,      // max(x, 0) + log1p(exp(-|x|))
  GeluGrad,      // d/dx Gelu
  GeluTanhGrad,  // d/dx GeluTanh
};

// out = act(x) elementwise (float32 / float64; same shape).
void activation(ActOp op, const Tensor& x, double alpha, const Tensor& out);

// Backprop of LeakyRelu: v = its input, out = g where v > 0 else alpha * g.
// (relu, relu6 and elu are op entries with fused gradient ops of their own:
// ops/unary_ops.cpp.)
// g's shape is v's after any leading dims (v repeats: out[i] uses
// v[i % v.numel()]).
void leaky_relu_backprop(const Tensor& g, const Tensor& v, double alpha, const Tensor& out);

// out = softmax (or log_softmax when log) of x along the middle axis of the
// (outer, n, inner) view. n >= 1.
void softmax(const Tensor& x, int64_t outer, int64_t n, int64_t inner, bool log, const Tensor& out);

// Dense cross-entropy: lsm = log_softmax(logits), loss[o, k] = -sum_j
// labels[o, j, k] * lsm[o, j, k]. labels has logits' shape.
void softmax_xent(const Tensor& logits, const Tensor& labels, int64_t outer, int64_t n, int64_t inner,
                  const Tensor& loss, const Tensor& lsm);

// Sparse cross-entropy over rows of length n: loss[r] = -lsm[r, labels[r]].
// labels (int32/int64) must already be checked to lie in [0, n).
void sparse_softmax_xent(const Tensor& logits, const Tensor& labels, int64_t rows, int64_t n,
                         const Tensor& loss, const Tensor& lsm);

// Fused backprops of the cross-entropies (no tape is recording): with g the
// loss gradient, possibly with leading batch dims (nb = g.numel() / loss size),
//   dense:  out[b, o, j, k] = g[b, o, k] * (exp(lsm[o, j, k]) - z[o, j, k])
//   sparse: out[b, r, j]    = g[b, r] * (exp(lsm[r, j]) - (j == labels[r]))
void softmax_xent_backprop(const Tensor& g, const Tensor& lsm, const Tensor& labels, int64_t outer, int64_t n,
                           int64_t inner, const Tensor& out);
void sparse_xent_backprop(const Tensor& g, const Tensor& lsm, const Tensor& labels, int64_t rows, int64_t n,
                          const Tensor& out);

// out = max(x, 0) - x * z + log1p(exp(-|x|)) (x = logits, z = labels).
void sigmoid_xent(const Tensor& labels, const Tensor& logits, const Tensor& out);

// out (0-d) = sum(x * x) / 2.
void l2_loss(const Tensor& x, const Tensor& out);

}  // namespace kernels
}  // namespace fasttape
