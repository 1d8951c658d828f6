// Reductions other than the sum, index reductions and scans.
//
// reduce() uses reduce_sum's layout: neighbouring dims that are both reduced
// or both kept are merged, so the work is an alternation of kept/reduced
// blocks whose innermost block is either a contiguous reduction (several
// independent accumulators, so it vectorises) or a contiguous combine into the
// output row. arg_reduce and cumsum view x as [outer, n, inner] and walk the
// n rows of each outer block, so their inner loops are contiguous over
// `inner`.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "kernels/parallel.hpp"
#include "kernels/reduce_ext.hpp"

namespace fasttape {
namespace kernels {

namespace {

// ---------------------------------------------------------------- reducers
template <class T>
struct RMax {
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return -std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::lowest();
  }
  // a: accumulator. NaN in either wins.
  static inline T f(T a, T b) { return (a >= b || a != a) ? a : b; }
  static inline T fast(T a, T b) { return b > a ? b : a; }  // NaN-free inputs
  static constexpr bool kSelect = true;
};
template <class T>
struct RMin {
  static T init() {
    if constexpr (std::is_floating_point_v<T>) return std::numeric_limits<T>::infinity();
    else return std::numeric_limits<T>::max();
  }
  static inline T f(T a, T b) { return (a <= b || a != a) ? a : b; }
  static inline T fast(T a, T b) { return b < a ? b : a; }
  static constexpr bool kSelect = true;
};
template <class T>
struct RProd {
  static T init() { return T(1); }
  static inline T f(T a, T b) {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;  // wrap around without signed-overflow UB
      return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
    } else {
      return a * b;
    }
  }
  static inline T fast(T a, T b) { return f(a, b); }
  static constexpr bool kSelect = false;
};

template <class R, class T>
FT_MULTIVERSION T reduce_row(const T* x, int64_t n) {
  constexpr int L = 8;
  if constexpr (R::kSelect) {
    // Max / min: a plain select (vectorises to vmax/vmin) plus a separate
    // NaN flag, so that NaN still propagates.
    T acc[L];
    for (int j = 0; j < L; ++j) acc[j] = R::init();
    int nan = 0;
    int64_t i = 0;
    for (; i + L <= n; i += L)
      for (int j = 0; j < L; ++j) {
        acc[j] = R::fast(acc[j], x[i + j]);
        nan |= x[i + j] != x[i + j];
      }
    T s = R::init();
    for (; i < n; ++i) {
      s = R::fast(s, x[i]);
      nan |= x[i] != x[i];
    }
    for (int j = 0; j < L; ++j) s = R::fast(s, acc[j]);
    if (nan) return std::numeric_limits<T>::quiet_NaN();
    return s;
  }
  T acc[L];
  for (int j = 0; j < L; ++j) acc[j] = R::init();
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) acc[j] = R::f(acc[j], x[i + j]);
  T s = R::init();
  for (; i < n; ++i) s = R::f(s, x[i]);
  for (int j = 0; j < L; ++j) s = R::f(s, acc[j]);
  return s;
}

template <class R, class T>
FT_MULTIVERSION void combine_row(T* o, const T* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = R::f(o[i], x[i]);
}

template <class R, class T>
void reduce_typed(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out) {
  const T* px = x.data<T>();
  T* po = out.mutable_data<T>();
  const int64_t n = x.numel(), on = out.numel();
  for (int64_t i = 0; i < on; ++i) po[i] = R::init();
  if (n == 0) return;
  int64_t dims[kMaxDims];
  bool red[kMaxDims];
  const int nd = merge_reduced_dims(x, reduced, dims, red);
  if (nd == 0 || (nd == 1 && !red[0])) {  // nothing reduced
    std::memcpy(po, px, out.nbytes());
    return;
  }
  if (nd == 1) {  // everything reduced
    po[0] = reduce_in_chunks(
        n, R::init(), [&](int64_t b, int64_t e) { return reduce_row<R, T>(px + b, e - b); },
        [](T s, T v) { return R::f(s, v); });
    return;
  }
  if (nd == 2 && !red[0]) {  // [rows kept, inner reduced]: rows in parallel
    const int64_t rows = dims[0], inner = dims[1];
    int64_t grain = std::max<int64_t>(1, kParallelGrain / inner);
    parallel_for(rows, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) po[r] = reduce_row<R, T>(px + r * inner, inner);
    });
    return;
  }
  if (nd == 2) {  // [reduced, cols kept]: column blocks in parallel
    const int64_t rows = dims[0], cols = dims[1];
    int64_t grain = std::max<int64_t>(64, kParallelGrain / rows);
    parallel_for(cols, grain, [&](int64_t b, int64_t e) {
      for (int64_t r = 0; r < rows; ++r) combine_row<R, T>(po + b, px + r * cols + b, e - b);
    });
    return;
  }
  int64_t ost[kMaxDims];
  int64_t stride = 1;
  for (int i = nd - 1; i >= 0; --i) {
    ost[i] = red[i] ? 0 : stride;
    if (!red[i]) stride *= dims[i];
  }
  const int last = nd - 1;
  const int64_t inner = dims[last];
  const int64_t rows = n / inner;
  int64_t idx[kMaxDims] = {0};
  int64_t o = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = px + r * inner;
    if (red[last]) po[o] = R::f(po[o], reduce_row<R, T>(row, inner));
    else combine_row<R, T>(po + o, row, inner);
    for (int i = last - 1; i >= 0; --i) {
      o += ost[i];
      if (++idx[i] < dims[i]) break;
      o -= ost[i] * dims[i];
      idx[i] = 0;
    }
  }
}

template <template <class> class R>
void reduce_dispatch(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out) {
  switch (x.dtype()) {
    case DType::Float32: return reduce_typed<R<float>, float>(x, reduced, out);
    case DType::Float64: return reduce_typed<R<double>, double>(x, reduced, out);
    case DType::Int32: return reduce_typed<R<int32_t>, int32_t>(x, reduced, out);
    case DType::Int64: return reduce_typed<R<int64_t>, int64_t>(x, reduced, out);
    case DType::Bool: break;
  }
  throw InvalidArgument("this reduction is not defined for bool tensors; cast to a numeric type first");
}

// [outer, n, inner] view of x around `axis`.
void split3(const Tensor& x, int axis, int64_t* outer, int64_t* n, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int i = 0; i < axis; ++i) *outer *= x.dim(i);
  for (int i = axis + 1; i < x.ndim(); ++i) *inner *= x.dim(i);
  *n = x.dim(axis);
}

template <class T, class I>
void arg_typed(bool is_max, const Tensor& x, int axis, const Tensor& out) {
  int64_t outer, n, inner;
  split3(x, axis, &outer, &n, &inner);
  const T* px = x.data<T>();
  I* po = out.mutable_data<I>();
  if (outer * inner == 0) return;
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n * inner, 1));
  parallel_for(outer, grain, [&](int64_t ob, int64_t oe) {
    std::vector<T> best(inner);
    for (int64_t o = ob; o < oe; ++o) {
      const T* base = px + o * n * inner;
      I* dst = po + o * inner;
      if (inner == 1) {  // along the last axis: one contiguous row
        // Vectorised extremum, then a search for its first occurrence; a
        // NaN in the row falls back to the ordered scan below.
        const T e = is_max ? reduce_row<RMax<T>, T>(base, n) : reduce_row<RMin<T>, T>(base, n);
        if (e == e) {
          int64_t k = 0;
          while (base[k] != e) ++k;
          dst[0] = static_cast<I>(k);
          continue;
        }
        T b = base[0];
        int64_t bi = 0;
        if (is_max) {
          for (int64_t k = 1; k < n; ++k)
            if (base[k] > b) b = base[k], bi = k;
        } else {
          for (int64_t k = 1; k < n; ++k)
            if (base[k] < b) b = base[k], bi = k;
        }
        dst[0] = static_cast<I>(bi);
        continue;
      }
      std::memcpy(best.data(), base, inner * sizeof(T));
      for (int64_t j = 0; j < inner; ++j) dst[j] = 0;
      for (int64_t k = 1; k < n; ++k) {
        const T* row = base + k * inner;
        // Strict comparison: ties keep the first index, as TensorFlow.
        if (is_max) {
          for (int64_t j = 0; j < inner; ++j)
            if (row[j] > best[j]) best[j] = row[j], dst[j] = static_cast<I>(k);
        } else {
          for (int64_t j = 0; j < inner; ++j)
            if (row[j] < best[j]) best[j] = row[j], dst[j] = static_cast<I>(k);
        }
      }
    }
  });
}

template <class T>
FT_MULTIVERSION void add_rows(T* o, const T* a, const T* b, int64_t n) {
  for (int64_t i = 0; i < n; ++i) o[i] = static_cast<T>(a[i] + b[i]);
}

template <class T>
void cumsum_typed(const Tensor& x, int axis, bool exclusive, bool reverse, const Tensor& out) {
  int64_t outer, n, inner;
  split3(x, axis, &outer, &n, &inner);
  const T* px = x.data<T>();
  T* po = out.mutable_data<T>();
  if (x.numel() == 0) return;
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n * inner, 1));
  parallel_for(outer, grain, [&](int64_t ob, int64_t oe) {
    for (int64_t o = ob; o < oe; ++o) {
      const T* xb = px + o * n * inner;
      T* ob_ = po + o * n * inner;
      // Walk the n rows in scan order: k-th visited row is r(k).
      auto r = [&](int64_t k) { return (reverse ? n - 1 - k : k) * inner; };
      if (inner == 1) {  // scan along the last axis: one running sum
        T acc = T(0);
        for (int64_t k = 0; k < n; ++k) {
          const int64_t i = reverse ? n - 1 - k : k;
          if (exclusive) {
            ob_[i] = acc;
            acc = static_cast<T>(acc + xb[i]);
          } else {
            acc = static_cast<T>(acc + xb[i]);
            ob_[i] = acc;
          }
        }
      } else if (exclusive) {
        std::fill(ob_ + r(0), ob_ + r(0) + inner, T(0));
        for (int64_t k = 1; k < n; ++k) add_rows<T>(ob_ + r(k), ob_ + r(k - 1), xb + r(k - 1), inner);
      } else {
        std::memcpy(ob_ + r(0), xb + r(0), inner * sizeof(T));
        for (int64_t k = 1; k < n; ++k) add_rows<T>(ob_ + r(k), ob_ + r(k - 1), xb + r(k), inner);
      }
    }
  });
}

// exp(x - m) into buf (a plain map, which vectorises), then a lane-wise sum.
template <class T>
FT_MULTIVERSION T sum_exp_shifted(const T* x, int64_t n, T m, T* buf) {
  for (int64_t i = 0; i < n; ++i) buf[i] = std::exp(x[i] - m);
  constexpr int L = 16;
  T acc[L] = {};
  int64_t i = 0;
  for (; i + L <= n; i += L)
    for (int j = 0; j < L; ++j) acc[j] += buf[i + j];
  T s = 0;
  for (; i < n; ++i) s += buf[i];
  for (int j = 0; j < L; ++j) s += acc[j];
  return s;
}

template <class T>
void lse_rows(const T* px, T* po, int64_t rows, int64_t inner) {
  constexpr int64_t kChunk = 2048;
  int64_t grain = std::max<int64_t>(1, kParallelGrain / 8 / std::max<int64_t>(inner, 1));
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    std::vector<T> buf(std::min(inner, kChunk));
    for (int64_t r = b; r < e; ++r) {
      const T* row = px + r * inner;
      T m = reduce_row<RMax<T>, T>(row, inner);
      if (!std::isfinite(m)) m = T(0);
      T s = 0;
      for (int64_t c = 0; c < inner; c += kChunk)
        s += sum_exp_shifted<T>(row + c, std::min(kChunk, inner - c), m, buf.data());
      po[r] = std::log(s) + m;
    }
  });
}

}  // namespace

bool logsumexp_trailing(const Tensor& x, const std::vector<bool>& reduced, const Tensor& out) {
  // Reduced dims (ignoring size-1 dims) must all come after the kept ones.
  bool seen_reduced = false;
  int64_t inner = 1;
  for (int i = 0; i < x.ndim(); ++i) {
    if (x.dim(i) == 1) continue;
    if (reduced[i]) {
      seen_reduced = true;
      inner *= x.dim(i);
    } else if (seen_reduced) {
      return false;
    }
  }
  if (x.numel() == 0) return false;
  const int64_t rows = x.numel() / inner;
  if (x.dtype() == DType::Float64) lse_rows<double>(x.data<double>(), out.mutable_data<double>(), rows, inner);
  else lse_rows<float>(x.data<float>(), out.mutable_data<float>(), rows, inner);
  return true;
}

void reduce(RedOp op, const Tensor& x, const std::vector<bool>& reduced, const Tensor& out) {
  switch (op) {
    case RedOp::Max: return reduce_dispatch<RMax>(x, reduced, out);
    case RedOp::Min: return reduce_dispatch<RMin>(x, reduced, out);
    case RedOp::Prod: return reduce_dispatch<RProd>(x, reduced, out);
  }
}

void arg_reduce(bool is_max, const Tensor& x, int axis, const Tensor& out) {
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, bool>) {
      throw InvalidArgument("argmax/argmin are not defined for bool tensors");
    } else {
      if (out.dtype() == DType::Int32) arg_typed<T, int32_t>(is_max, x, axis, out);
      else arg_typed<T, int64_t>(is_max, x, axis, out);
    }
  });
}

void cumsum(const Tensor& x, int axis, bool exclusive, bool reverse, const Tensor& out) {
  switch (x.dtype()) {
    case DType::Float32: return cumsum_typed<float>(x, axis, exclusive, reverse, out);
    case DType::Float64: return cumsum_typed<double>(x, axis, exclusive, reverse, out);
    // Integer scans wrap: summed as unsigned (same bits, no signed overflow).
    case DType::Int32: return cumsum_typed<uint32_t>(x, axis, exclusive, reverse, out);
    case DType::Int64: return cumsum_typed<uint64_t>(x, axis, exclusive, reverse, out);
    case DType::Bool: break;
  }
  throw InvalidArgument("cumsum is not defined for bool tensors; cast to a numeric type first");
}

}  // namespace kernels
}  // namespace fasttape
