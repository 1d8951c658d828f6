// 2-D pooling kernels over NHWC images: max and average, forward and
// gradients. A window is KH x KW input pixels starting at (i*sh - pt,
// j*sw - pl); pixels outside the image are not part of it (padding never
// wins a max and is not counted in an average, as TensorFlow's).
#pragma once

#include <cstdint>

#include "fasttape/tensor.hpp"

namespace fasttape {
namespace kernels {

struct Pool2dGeom {
  int64_t N, H, W, C;
  int64_t KH, KW, Ho, Wo;
  int64_t sh, sw, pt, pl;
};

void max_pool2d(const Pool2dGeom& g, const Tensor& x, Tensor& y);
// dx[argmax of each window] += dy (the first maximum in row-major window order).
void max_pool2d_grad(const Pool2dGeom& g, const Tensor& x, const Tensor& dy, Tensor& dx);
// out[window] = u[argmax of the window]: the adjoint of max_pool2d_grad in dy.
void max_pool2d_grad_grad(const Pool2dGeom& g, const Tensor& x, const Tensor& u, Tensor& out);
void avg_pool2d(const Pool2dGeom& g, const Tensor& x, Tensor& y);
// dx += dy / (window size) over each window: the adjoint of avg_pool2d.
void avg_pool2d_grad(const Pool2dGeom& g, const Tensor& dy, Tensor& dx);

}  // namespace kernels
}  // namespace fasttape
