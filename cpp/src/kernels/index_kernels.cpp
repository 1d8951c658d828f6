// Kernels (see kernels.hpp for the conventions).
#include "kernels/index_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {

namespace {
inline int64_t grain_rows(int64_t row_elems) { return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(row_elems, 1)); }

template <class Idx>
inline const Idx* idx_ptr(const Tensor& t) {
  return t.data<Idx>();
}
}  // namespace

void concat(const std::vector<Tensor>& xs, int64_t outer, const Tensor& out) {
  const size_t isz = dtype_size(out.dtype());
  if (outer == 0 || out.numel() == 0) return;
  const int64_t total = out.numel() / outer;  // elements per output row
  char* po = static_cast<char*>(out.mutable_raw());
  parallel_for(outer, grain_rows(total), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      int64_t off = 0;
      for (const Tensor& x : xs) {
        const int64_t cols = x.numel() / outer;
        if (cols) std::memcpy(po + (r * total + off) * isz, static_cast<const char*>(x.raw()) + r * cols * isz, cols * isz);
        off += cols;
      }
    }
  });
}

void unstack(const Tensor& x, int64_t outer, int64_t inner, const std::vector<Tensor>& outs) {
  const size_t isz = dtype_size(x.dtype());
  const int64_t n = static_cast<int64_t>(outs.size());
  if (inner == 0 || outer == 0) return;
  const char* px = static_cast<const char*>(x.raw());
  parallel_for(outer * n, grain_rows(inner), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t o = r / n, k = r % n;
      std::memcpy(static_cast<char*>(outs[k].mutable_raw()) + o * inner * isz, px + r * inner * isz, inner * isz);
    }
  });
}

namespace {
template <class Idx, class Row>
void gather_rows(const char* src, const Idx* idx, const GatherDims& d, size_t row_bytes, char* dst, Row copy) {
  const int64_t rows = d.P * d.B * d.O * d.I;
  parallel_for(rows, grain_rows(d.In), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t i = r % d.I, pbo = r / d.I;  // pbo = (p*B + bb)*O + o
      const int64_t bb = (pbo / d.O) % d.B;
      const int64_t src_row = pbo * d.N + static_cast<int64_t>(idx[bb * d.I + i]);
      copy(dst + r * row_bytes, src + src_row * row_bytes);
    }
  });
}

template <class Idx>
void gather_impl(const char* src, const Idx* idx, const GatherDims& d, size_t isz, char* dst) {
  const size_t row_bytes = static_cast<size_t>(d.In) * isz;
  // Single-element rows (1-D gathers, gather_nd of elements): typed copies.
  if (row_bytes == 8)
    gather_rows(src, idx, d, 8, dst, [](char* o, const char* s) { std::memcpy(o, s, 8); });
  else if (row_bytes == 4)
    gather_rows(src, idx, d, 4, dst, [](char* o, const char* s) { std::memcpy(o, s, 4); });
  else
    gather_rows(src, idx, d, row_bytes, dst, [row_bytes](char* o, const char* s) { std::memcpy(o, s, row_bytes); });
}

template <class T, class Idx>
void scatter_add_impl(const T* dy, const Idx* idx, const GatherDims& d, T* out) {
  const int64_t blocks = d.P * d.B * d.O;
  const int64_t In = d.In;
  // Columns [j0, j1) of block blk: disjoint output elements for disjoint
  // (blk, column range), so either split runs in parallel without races.
  auto run = [&](int64_t blk, int64_t j0, int64_t j1) {
    const int64_t bb = (blk / d.O) % d.B;
    T* o = out + blk * d.N * In;
    const T* g = dy + blk * d.I * In;
    const Idx* ix = idx + bb * d.I;
    for (int64_t i = 0; i < d.I; ++i) {
      T* row = o + static_cast<int64_t>(ix[i]) * In;
      const T* gr = g + i * In;
      for (int64_t j = j0; j < j1; ++j) row[j] += gr[j];
    }
  };
  if (blocks >= num_threads() || In < 256) {
    parallel_for(blocks, grain_rows(d.I * In), [&](int64_t b0, int64_t e0) {
      for (int64_t blk = b0; blk < e0; ++blk) run(blk, 0, In);
    });
  } else {
    const int64_t per_col = std::max<int64_t>(1, d.I);
    for (int64_t blk = 0; blk < blocks; ++blk)
      parallel_for(In, grain_rows(per_col), [&](int64_t j0, int64_t j1) { run(blk, j0, j1); });
  }
}
}  // namespace

void gather(const Tensor& params, const Tensor& idx, const GatherDims& d, const Tensor& out) {
  if (out.numel() == 0) return;
  const char* src = static_cast<const char*>(params.raw());
  char* dst = static_cast<char*>(out.mutable_raw());
  const size_t isz = dtype_size(params.dtype());
  if (idx.dtype() == DType::Int64) gather_impl(src, idx.data<int64_t>(), d, isz, dst);
  else gather_impl(src, idx.data<int32_t>(), d, isz, dst);
}

void gather_scatter_add(const Tensor& dy, const Tensor& idx, const GatherDims& d, const Tensor& out) {
  std::memset(out.mutable_raw(), 0, out.nbytes());
  if (dy.numel() == 0) return;
  visit_dtype(dy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same<T, bool>::value) {
      return;  // rejected by the op
    } else {
      if (idx.dtype() == DType::Int64)
        scatter_add_impl(dy.data<T>(), idx.data<int64_t>(), d, out.mutable_data<T>());
      else
        scatter_add_impl(dy.data<T>(), idx.data<int32_t>(), d, out.mutable_data<T>());
    }
  });
}

}  // namespace kernels
}  // namespace fasttape
