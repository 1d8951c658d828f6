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

// ---- 2-D convolution: input NHWC, filter HWIO [KH, KW, C, O]
struct Conv2dParams {
  int64_t strides[2] = {1, 1};    // rows, columns
  int64_t dilations[2] = {1, 1};
  int64_t pads[4] = {0, 0, 0, 0};  // top, bottom, left, right (SAME/VALID are computed by the caller)
};
Tensor conv2d(const Tensor& input, const Tensor& filter, const Conv2dParams& p = {});
// The gradients of conv2d (TensorFlow's Conv2DBackpropInput / Filter); each
// is an op with its own VJP, so convolutions differentiate to any order.
Tensor conv2d_backprop_input(const std::vector<int64_t>& input_shape, const Tensor& filter,
                             const Tensor& out_backprop, const Conv2dParams& p = {});
Tensor conv2d_backprop_filter(const Tensor& input, const std::vector<int64_t>& filter_shape,
                              const Tensor& out_backprop, const Conv2dParams& p = {});

// ---- 2-D pooling over NHWC input; padding never wins a max and is not
// counted in an average (TensorFlow's 'SAME' pooling).
struct Pool2dParams {
  int64_t ksize[2] = {2, 2};
  int64_t strides[2] = {2, 2};
  int64_t pads[4] = {0, 0, 0, 0};  // top, bottom, left, right
};
Tensor max_pool2d(const Tensor& input, const Pool2dParams& p = {});
Tensor avg_pool2d(const Tensor& input, const Pool2dParams& p = {});
// Their gradients (TensorFlow's MaxPoolGrad / AvgPoolGrad), ops of their own.
Tensor max_pool2d_grad(const Tensor& input, const Tensor& grad, const Pool2dParams& p = {});
// max_pool2d_grad's gradient in grad (TensorFlow's MaxPoolGradGrad): grad
// (shaped like input) read at each window's maximum.
Tensor max_pool2d_grad_grad(const Tensor& input, const Tensor& grad, const Pool2dParams& p = {});
Tensor avg_pool2d_grad(const std::vector<int64_t>& input_shape, const Tensor& grad, const Pool2dParams& p = {});

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
