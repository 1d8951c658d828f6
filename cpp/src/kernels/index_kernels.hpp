// Kernel declarations of this group (conventions: kernels.hpp): block copies
// for concat/unstack, and row gathers / scatter-adds for gather and gather_nd.
// Indices reaching these kernels have been validated by the op.
#pragma once

#include "kernels/kernels.hpp"

namespace fasttape {
namespace kernels {

// out viewed as [outer, sum_k cols_k]: input k (viewed as [outer, cols_k],
// cols_k = its size along the axis times the inner size) fills its column block.
void concat(const std::vector<Tensor>& xs, int64_t outer, const Tensor& out);
// x viewed as [outer, n, inner]: outs[k] ([outer, inner]) = x[:, k, :].
void unstack(const Tensor& x, int64_t outer, int64_t inner, const std::vector<Tensor>& outs);

// Gather geometry: params viewed as [P, B, O, N, In], indices (int32/int64,
// all in [0, N)) as [B, I]; the gathered tensor is [P, B, O, I, In].
struct GatherDims {
  int64_t P, B, O, N, I, In;
};
// out[p,b,o,i,:] = params[p,b,o,idx[b,i],:]
void gather(const Tensor& params, const Tensor& idx, const GatherDims& d, const Tensor& out);
// out (zeroed here) [p,b,o,idx[b,i],:] += dy[p,b,o,i,:]  (duplicates accumulate)
void gather_scatter_add(const Tensor& dy, const Tensor& idx, const GatherDims& d, const Tensor& out);

}  // namespace kernels
}  // namespace fasttape
