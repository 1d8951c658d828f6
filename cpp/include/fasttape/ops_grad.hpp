// Gradient ops: the derivative of a unary op as an op of its own,
// name_grad(g, s) = g * f'(x), where s is what the op saves for its
// gradient: its input x or its output y (see each op). g broadcasts against
// s (a leading batch axis, for jacobians). These are the ops the VJPs call:
// each is one fused kernel, and each has its own VJP, so gradients of every
// order go through them.
#pragma once

#include "fasttape/tensor.hpp"

namespace fasttape {

Tensor square_grad(const Tensor& g, const Tensor& x);      // g * 2x
Tensor sqrt_grad(const Tensor& g, const Tensor& y);        // g * 0.5 / y
Tensor exp_grad(const Tensor& g, const Tensor& y);         // g * y
Tensor log_grad(const Tensor& g, const Tensor& x);         // g / x
Tensor sin_grad(const Tensor& g, const Tensor& x);         // g * cos x
Tensor cos_grad(const Tensor& g, const Tensor& x);         // -g * sin x
Tensor tan_grad(const Tensor& g, const Tensor& y);         // g * (1 + y^2)
Tensor tanh_grad(const Tensor& g, const Tensor& y);        // g * (1 - y^2)
Tensor sigmoid_grad(const Tensor& g, const Tensor& y);     // g * y (1 - y)
Tensor relu_grad(const Tensor& g, const Tensor& y);        // g where y > 0, else 0
Tensor relu6_grad(const Tensor& g, const Tensor& y);       // g where 0 < y < 6, else 0
Tensor elu_grad(const Tensor& g, const Tensor& y);         // g * (y + 1) where y < 0, else g
Tensor abs_grad(const Tensor& g, const Tensor& x);         // g * sign x
Tensor log1p_grad(const Tensor& g, const Tensor& x);       // g / (1 + x)
Tensor expm1_grad(const Tensor& g, const Tensor& x);       // g * e^x
Tensor rsqrt_grad(const Tensor& g, const Tensor& y);       // g * -y^3 / 2
Tensor reciprocal_grad(const Tensor& g, const Tensor& y);  // g * -y^2
Tensor erf_grad(const Tensor& g, const Tensor& x);         // g * 2/sqrt(pi) e^(-x^2)
Tensor erfc_grad(const Tensor& g, const Tensor& x);        // g * -2/sqrt(pi) e^(-x^2)
Tensor erfinv_grad(const Tensor& g, const Tensor& y);      // g * sqrt(pi)/2 e^(y^2)
Tensor atan_grad(const Tensor& g, const Tensor& x);        // g / (1 + x^2)
Tensor asin_grad(const Tensor& g, const Tensor& x);        // g / sqrt(1 - x^2)
Tensor acos_grad(const Tensor& g, const Tensor& x);        // -g / sqrt(1 - x^2)
Tensor sinh_grad(const Tensor& g, const Tensor& x);        // g * cosh x
Tensor cosh_grad(const Tensor& g, const Tensor& x);        // g * sinh x
Tensor asinh_grad(const Tensor& g, const Tensor& y);       // g / cosh y
Tensor acosh_grad(const Tensor& g, const Tensor& y);       // g / sinh y
Tensor atanh_grad(const Tensor& g, const Tensor& x);       // g / (1 - x^2)
Tensor reciprocal_no_nan_grad(const Tensor& g, const Tensor& y);  // g * -y^2
Tensor lgamma_grad(const Tensor& g, const Tensor& x);      // g * digamma x
Tensor digamma_grad(const Tensor& g, const Tensor& x);     // g * polygamma(1, x)

}  // namespace fasttape
