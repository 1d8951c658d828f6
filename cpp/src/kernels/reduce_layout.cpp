// Reductions along any set of axes, transposes and strided slices.
//
// reduce_sum first merges neighbouring dimensions that are both reduced or
// both kept, so every reduction becomes an alternation of kept/reduced blocks;
// the innermost block is either a contiguous sum (reduced) or a contiguous
// accumulate into the output row (kept). Full reductions use independent
// partial sums per thread and several accumulators per lane.
#include <cstring>
#include <type_traits>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {

namespace {

template <class T>
FT_MULTIVERSION T sum_contiguous(const T* x, int64_t n) {
  constexpr int L = 16;
  T acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) acc[j] += x[i + j];
  T s = 0;
  for (; i < n; ++i) s += x[i];
  T t = 0;
  for (int j = 0; j < L; ++j) t += acc[j];
  return t + s;
}

template <class T>
FT_MULTIVERSION void add_row(T* o, const T* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] += x[i];
}

template <class T>
void reduce_sum_typed(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out) {
  const T* px = x.data<T>();
  T* po = out.mutable_data<T>();
  const int64_t n = x.numel();
  int64_t dims[kMaxDims];
  bool red[kMaxDims];
  const int nd = merge_reduced_dims(x, reduced, dims, red);
  if (n == 0) {
    std::memset(po, 0, out.nbytes());
    return;
  }
  if (nd == 0 || (nd == 1 && !red[0])) {  // nothing reduced
    std::memcpy(po, px, out.nbytes());
    return;
  }
  if (nd == 1) {  // everything reduced
    po[0] = reduce_in_chunks(
        n, T(0), [&](int64_t b, int64_t e) { return sum_contiguous<T>(px + b, e - b); },
        [](T s, T v) { return s + v; });
    return;
  }
  // General: output strides for kept blocks, 0 for reduced ones.
  int64_t ost[kMaxDims];
  int64_t stride = 1;
  for (int i = nd - 1; i >= 0; --i) {
    ost[i] = red[i] ? 0 : stride;
    if (!red[i]) stride *= dims[i];
  }
  std::memset(po, 0, out.nbytes());
  const int last = nd - 1;
  const int64_t inner = dims[last];
  int64_t rows = n / inner;
  int64_t idx[kMaxDims] = {0};
  int64_t o = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = px + r * inner;
    if (red[last]) po[o] += sum_contiguous<T>(row, inner);
    else add_row<T>(po + o, row, inner);
    for (int i = last - 1; i >= 0; --i) {
      o += ost[i];
      if (++idx[i] < dims[i]) break;
      o -= ost[i] * dims[i];
      idx[i] = 0;
    }
  }
}

}  // namespace

void reduce_sum(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out) {
  switch (x.dtype()) {
    case DType::Float32: return reduce_sum_typed<float>(x, reduced, out);
    case DType::Float64: return reduce_sum_typed<double>(x, reduced, out);
    // Integer sums wrap: summed as unsigned (same bits, no signed overflow).
    case DType::Int32: return reduce_sum_typed<uint32_t>(x, reduced, out);
    case DType::Int64: return reduce_sum_typed<uint64_t>(x, reduced, out);
    case DType::Bool: break;
  }
  throw InvalidArgument("reduce_sum is not defined for bool tensors; cast to an integer type first");
}

// ------------------------------------------------------------- transpose
void transpose(const Tensor& x, const std::vector<int64_t>& perm, const Tensor& out) {
  const int r = x.ndim();
  int64_t xst[kMaxDims];
  int64_t s = 1;
  for (int i = r - 1; i >= 0; --i) {
    xst[i] = s;
    s *= x.dim(i);
  }
  // Source stride for each output dim.
  int64_t st[kMaxDims], dims[kMaxDims];
  for (int i = 0; i < r; ++i) {
    st[i] = xst[perm[i]];
    dims[i] = out.dim(i);
  }
  const int64_t n = out.numel();
  if (n == 0) return;
  const size_t isz = dtype_size(x.dtype());
  auto body = [&](auto tag) {
    using T = decltype(tag);
    const T* px = static_cast<const T*>(x.raw());
    T* po = static_cast<T*>(out.mutable_raw());
    if (r == 0) {
      po[0] = px[0];
      return;
    }
    const int last = r - 1;
    const int64_t inner = dims[last];
    const int64_t rows = n / inner;
    int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(inner, 1));
    parallel_for(rows, grain, [&](int64_t rb, int64_t re) {
      int64_t idx[kMaxDims];
      int64_t rem = rb, off = 0;
      for (int i = last - 1; i >= 0; --i) {
        idx[i] = rem % dims[i];
        rem /= dims[i];
        off += idx[i] * st[i];
      }
      const int64_t sl = st[last];
      for (int64_t row = rb; row < re; ++row) {
        T* dst = po + row * inner;
        for (int64_t j = 0; j < inner; ++j) dst[j] = px[off + j * sl];
        for (int i = last - 1; i >= 0; --i) {
          off += st[i];
          if (++idx[i] < dims[i]) break;
          off -= st[i] * dims[i];
          idx[i] = 0;
        }
      }
    });
  };
  switch (isz) {
    case 1: return body(uint8_t{});
    case 4: return body(uint32_t{});
    default: return body(uint64_t{});
  }
}

// ------------------------------------------------------------- strided slice
namespace {
template <bool kScatter>
void slice_walk(const Tensor& big, const std::vector<int64_t>& begin, const std::vector<int64_t>& strides,
                const Tensor& small) {
  // big: the full tensor (read for gather, written for scatter); small: the
  // slice (written for gather, read for scatter). Walks the slice in order.
  const int r = big.ndim();
  const int64_t n = small.numel();
  if (n == 0) return;
  int64_t bst[kMaxDims], st[kMaxDims], dims[kMaxDims];
  int64_t s = 1;
  for (int i = r - 1; i >= 0; --i) {
    bst[i] = s;
    s *= big.dim(i);
  }
  int64_t base = 0;
  for (int i = 0; i < r; ++i) {
    st[i] = bst[i] * strides[i];
    dims[i] = small.dim(i);
    base += begin[i] * bst[i];
  }
  const size_t isz = dtype_size(big.dtype());
  auto body = [&](auto tag) {
    using T = decltype(tag);
    T* pbig = static_cast<T*>(big.mutable_raw());
    T* psmall = static_cast<T*>(small.mutable_raw());
    if (r == 0) {
      if (kScatter) pbig[0] = psmall[0]; else psmall[0] = pbig[0];
      return;
    }
    const int last = r - 1;
    const int64_t inner = dims[last];
    int64_t idx[kMaxDims] = {0};
    int64_t off = base;
    for (int64_t row = 0; row < n / inner; ++row) {
      T* sm = psmall + row * inner;
      for (int64_t j = 0; j < inner; ++j) {
        if (kScatter) pbig[off + j * st[last]] = sm[j];
        else sm[j] = pbig[off + j * st[last]];
      }
      for (int i = last - 1; i >= 0; --i) {
        off += st[i];
        if (++idx[i] < dims[i]) break;
        off -= st[i] * dims[i];
        idx[i] = 0;
      }
    }
  };
  switch (isz) {
    case 1: return body(uint8_t{});
    case 4: return body(uint32_t{});
    default: return body(uint64_t{});
  }
}
}  // namespace

void strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& strides,
                   const Tensor& out) {
  slice_walk<false>(x, begin, strides, out);
}

void strided_slice_scatter(const Tensor& dy, const std::vector<int64_t>& begin,
                           const std::vector<int64_t>& strides, const Tensor& out) {
  std::memset(out.mutable_raw(), 0, out.nbytes());
  slice_walk<true>(out, begin, strides, dy);
}

}  // namespace kernels
}  // namespace fasttape
