// The nn ops of fasttape's public C++ API (see ops.hpp for conventions).
// All take float32 / float64 tensors; `axis` may be negative.
#pragma once

#include "fasttape/ops.hpp"

namespace fasttape {

// ---- activations (TensorFlow's tf.nn names and conventions at the kinks)
Tensor relu6(const Tensor& x);                             // gradient 0 at x = 0 and x = 6
Tensor leaky_relu(const Tensor& x, double alpha = 0.2);    // gradient alpha at x = 0
Tensor elu(const Tensor& x);                               // gradient 1 at x = 0
Tensor gelu(const Tensor& x, bool approximate = false);    // exact (erf) or tanh form
Tensor gelu_grad(const Tensor& x, bool approximate = false);  // d gelu / dx (used by gelu's VJP)
Tensor softplus(const Tensor& x);                          // log(1 + exp(x)), stable
// The backprop of leaky_relu as an op (TensorFlow's LeakyReluGrad): g
// masked by the kink rule, x = leaky_relu's input; its gradient w.r.t. x is
// zero (not None). relu6_grad and elu_grad: fasttape/ops_grad.hpp.
Tensor leaky_relu_grad(const Tensor& g, const Tensor& x, double alpha = 0.2);

// ---- softmax along one axis (stable: the max is subtracted)
Tensor softmax(const Tensor& logits, int64_t axis = -1);
Tensor log_softmax(const Tensor& logits, int64_t axis = -1);

// ---- losses (per example; TensorFlow's v2 semantics)
// -sum(labels * log_softmax(logits)) along axis; labels broadcast to logits'
// shape and are cast to its dtype. Differentiable in both.
Tensor softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits, int64_t axis = -1);
// labels: int32/int64 of shape logits.shape[:-1], values in [0, classes).
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
// max(x, 0) - x * z + log1p(exp(-|x|)); labels and logits of one shape.
Tensor sigmoid_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits);
// sum(t * t) / 2 (a 0-d tensor).
Tensor l2_loss(const Tensor& t);

}  // namespace fasttape
