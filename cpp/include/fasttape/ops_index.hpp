// The index ops of fasttape's public C++ API (see ops.hpp for conventions):
// concatenation, stacking, padding, tiling and gathers. All follow
// TensorFlow's semantics (tf.concat, tf.gather, ...); axes may be negative.
#pragma once

#include <string>

#include "fasttape/ops.hpp"

namespace fasttape {

// ---- joining and splitting
Tensor concat(const std::vector<Tensor>& values, int64_t axis);
// stack = expand_dims + concat (TensorFlow's Pack; gradient: unstack).
Tensor stack(const std::vector<Tensor>& values, int64_t axis = 0);
// num < 0: taken from the shape. Gradient: stack of the outputs' gradients
// (zeros for outputs nobody differentiated).
std::vector<Tensor> unstack(const Tensor& x, int64_t num = -1, int64_t axis = 0);

// ---- shape (composites of reshape)
Tensor expand_dims(const Tensor& x, int64_t axis);
Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes = {});  // empty: all size-1 dims
// Tile = reshape, broadcast_to, reshape (gradient: sum over the tiles).
Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples);
// paddings: one (before, after) pair per dimension, flattened.
// mode: "CONSTANT", "REFLECT" or "SYMMETRIC" (case-insensitive).
Tensor pad(const Tensor& x, const std::vector<int64_t>& paddings, const std::string& mode = "CONSTANT",
           double constant_value = 0.0);

// ---- gathers and their adjoints (dense scatter-adds)
// Output: params.shape[:axis] + indices.shape[batch_dims:] + params.shape[axis+1:].
Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis = 0, int64_t batch_dims = 0);
// The adjoint of gather: dy scattered (duplicates add) into zeros whose
// shape is params' shape with dimension `axis` of size `dim_size`.
Tensor gather_grad(const Tensor& dy, const Tensor& indices, int64_t dim_size, int64_t axis = 0,
                   int64_t batch_dims = 0);
// Output: indices.shape[:-1] + params.shape[batch_dims + indices.shape[-1]:].
Tensor gather_nd(const Tensor& params, const Tensor& indices, int64_t batch_dims = 0);
// The adjoint of gather_nd: dy scattered (duplicates add) into zeros of params_shape.
Tensor gather_nd_grad(const Tensor& dy, const Tensor& indices, const Shape& params_shape, int64_t batch_dims = 0);

}  // namespace fasttape
