// 2-D convolution kernels, NHWC input, HWIO filter: the forward pass and its
// two gradients, each as an im2col (or col2im) copy around one GEMM.
//
// Terms: an input image is H x W x C; the filter is KH x KW x C x O; the
// output image is Ho x Wo x O. Output pixel (i, j) reads input rows
// i*sh - pt + a*dh and columns j*sw - pl + b*dw for filter taps (a, b);
// reads outside the image are zeros (padding). A "patch row" is the
// KH*KW*C input values one output pixel reads, in (a, b, c) order, which is
// the filter's own row order: the forward pass is then
// [pixels x KH*KW*C] @ [KH*KW*C x O].
#pragma once

#include <cstdint>

#include "fasttape/tensor.hpp"

namespace fasttape {
namespace kernels {

struct Conv2dGeom {
  int64_t N, H, W, C;   // input
  int64_t KH, KW, O;    // filter (KH x KW x C x O)
  int64_t Ho, Wo;       // output
  int64_t sh, sw;       // strides
  int64_t dh, dw;       // dilations
  int64_t pt, pl;       // padding before the first row / column
};

// y[N, Ho, Wo, O] = conv(x[N, H, W, C], w[KH, KW, C, O]).
void conv2d(const Conv2dGeom& g, const Tensor& x, const Tensor& w, Tensor& y);
// dx[N, H, W, C] from dy[N, Ho, Wo, O] and w.
void conv2d_backprop_input(const Conv2dGeom& g, const Tensor& w, const Tensor& dy, Tensor& dx);
// dw[KH, KW, C, O] from x and dy.
void conv2d_backprop_filter(const Conv2dGeom& g, const Tensor& x, const Tensor& dy, Tensor& dw);

}  // namespace kernels
}  // namespace fasttape
