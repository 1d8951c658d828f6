// Pooling loops (pool_kernels.hpp): parallel over output rows of an image
// for the forward passes; over images for the scatters (gradients), where
// windows of one image may overlap.
#include "kernels/pool_kernels.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {
namespace {

#define FT_R __restrict__

struct Window {
  int64_t h0, h1, w0, w1;  // clipped to the image
};

inline Window window(const Pool2dGeom& g, int64_t i, int64_t j) {
  const int64_t hs = i * g.sh - g.pt, ws = j * g.sw - g.pl;
  return {std::max<int64_t>(hs, 0), std::min(hs + g.KH, g.H), std::max<int64_t>(ws, 0), std::min(ws + g.KW, g.W)};
}

// The first maximum of every channel of window `win` of image n: its value
// in m[c] and the input pixel it came from in at[c] (an offset into x of
// that pixel's channel 0). Channels are innermost, so each window pixel is
// one contiguous pass; the offsets are kept in integers as wide as T so the
// selects vectorise. NaN wins (it propagates, as in TensorFlow). Windows
// are never empty (geometry() keeps paddings smaller than the window).
template <class T>
using Idx = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;

template <class T, class I>
FT_MULTIVERSION void argmax_row(const T* FT_R in, T* FT_R m, I* FT_R at, I pixel, int64_t C) {
  for (int64_t c = 0; c < C; ++c) {
    const bool take = in[c] > m[c] || (in[c] != in[c] && m[c] == m[c]);
    m[c] = take ? in[c] : m[c];
    at[c] = take ? pixel : at[c];
  }
}

template <class T, class I>
inline void window_max(const Pool2dGeom& g, const T* x, int64_t n, const Window& win, T* m, I* at) {
  bool first = true;
  for (int64_t h = win.h0; h < win.h1; ++h)
    for (int64_t w = win.w0; w < win.w1; ++w) {
      const int64_t pixel = (n * g.H + h) * g.W + w;
      const T* in = x + pixel * g.C;
      if (first) {
        std::copy(in, in + g.C, m);
        std::fill(at, at + g.C, static_cast<I>(pixel));
        first = false;
      } else {
        argmax_row(in, m, at, static_cast<I>(pixel), g.C);
      }
    }
}

// The forward pass needs the maxima only: a select per channel that the
// compiler vectorises (NaN propagates: a NaN input replaces the running max).
template <class T>
FT_MULTIVERSION void max_row(const T* FT_R in, T* FT_R m, int64_t C) {
  for (int64_t c = 0; c < C; ++c) m[c] = (in[c] > m[c] || in[c] != in[c]) ? in[c] : m[c];
}

template <class T>
void max_fwd(const Pool2dGeom& g, const T* x, T* y) {
  const int64_t rows = g.N * g.Ho;
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, g.Wo * g.C * g.KH * g.KW)),
               [&](int64_t r0, int64_t r1) {
                 for (int64_t r = r0; r < r1; ++r) {
                   const int64_t n = r / g.Ho, i = r % g.Ho;
                   for (int64_t j = 0; j < g.Wo; ++j) {
                     const Window win = window(g, i, j);
                     T* out = y + (r * g.Wo + j) * g.C;
                     bool first = true;
                     for (int64_t h = win.h0; h < win.h1; ++h)
                       for (int64_t w = win.w0; w < win.w1; ++w) {
                         const T* in = x + ((n * g.H + h) * g.W + w) * g.C;
                         if (first) {
                           std::copy(in, in + g.C, out);
                           first = false;
                         } else {
                           max_row(in, out, g.C);
                         }
                       }
                   }
                 }
               });
}

template <class T, class I>
void max_grad(const Pool2dGeom& g, const T* x, const T* dy, T* dx) {
  std::memset(dx, 0, sizeof(T) * static_cast<size_t>(g.N * g.H * g.W * g.C));
  parallel_chunks(g.N, [&](int64_t n) {
    std::vector<T> m(static_cast<size_t>(g.C));
    std::vector<I> at(static_cast<size_t>(g.C));
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        window_max(g, x, n, window(g, i, j), m.data(), at.data());
        const T* gin = dy + ((n * g.Ho + i) * g.Wo + j) * g.C;
        for (int64_t c = 0; c < g.C; ++c) dx[static_cast<int64_t>(at[c]) * g.C + c] += gin[c];
      }
  });
}

template <class T, class I>
void max_grad_grad(const Pool2dGeom& g, const T* x, const T* u, T* out) {
  parallel_chunks(g.N, [&](int64_t n) {
    std::vector<T> m(static_cast<size_t>(g.C));
    std::vector<I> at(static_cast<size_t>(g.C));
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        window_max(g, x, n, window(g, i, j), m.data(), at.data());
        T* o = out + ((n * g.Ho + i) * g.Wo + j) * g.C;
        for (int64_t c = 0; c < g.C; ++c) o[c] = u[static_cast<int64_t>(at[c]) * g.C + c];
      }
  });
}

template <class T>
void avg_fwd(const Pool2dGeom& g, const T* x, T* y) {
  parallel_chunks(g.N, [&](int64_t n) {
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        const Window win = window(g, i, j);
        T* out = y + ((n * g.Ho + i) * g.Wo + j) * g.C;
        std::fill(out, out + g.C, T(0));
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) {
            const T* in = x + ((n * g.H + h) * g.W + w) * g.C;
            for (int64_t c = 0; c < g.C; ++c) out[c] += in[c];
          }
        const int64_t count = (win.h1 - win.h0) * (win.w1 - win.w0);
        if (count > 0)  // divided, not multiplied by 1/count: TensorFlow's rounding
          for (int64_t c = 0; c < g.C; ++c) out[c] /= T(count);
      }
  });
}

template <class T>
void avg_grad(const Pool2dGeom& g, const T* dy, T* dx) {
  std::memset(dx, 0, sizeof(T) * static_cast<size_t>(g.N * g.H * g.W * g.C));
  parallel_chunks(g.N, [&](int64_t n) {
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        const Window win = window(g, i, j);
        const int64_t count = (win.h1 - win.h0) * (win.w1 - win.w0);
        if (count == 0) continue;
        const T cnt = T(count);
        const T* gin = dy + ((n * g.Ho + i) * g.Wo + j) * g.C;
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) {
            T* d = dx + ((n * g.H + h) * g.W + w) * g.C;
            for (int64_t c = 0; c < g.C; ++c) d[c] += gin[c] / cnt;
          }
      }
  });
}

#undef FT_R

}  // namespace

// Whether every pixel index of the input fits the narrow index type (int32
// for float: the selects then vectorise with the values).
inline bool narrow_index_fits(const Pool2dGeom& g) { return g.N * g.H * g.W < (int64_t(1) << 31); }

// Runs f(float tag) or f(double tag) by the tensor's dtype.
template <class F>
inline void by_dtype(const Tensor& t, F&& f) {
  if (t.dtype() == DType::Float32)
    f(float());
  else
    f(double());
}

void max_pool2d(const Pool2dGeom& g, const Tensor& x, Tensor& y) {
  if (y.numel() == 0) return;
  by_dtype(x, [&](auto z) {
    using T = decltype(z);
    max_fwd(g, x.data<T>(), y.mutable_data<T>());
  });
}
void max_pool2d_grad(const Pool2dGeom& g, const Tensor& x, const Tensor& dy, Tensor& dx) {
  if (dx.numel() == 0) return;
  by_dtype(x, [&](auto z) {
    using T = decltype(z);
    if (narrow_index_fits(g))
      max_grad<T, Idx<T>>(g, x.data<T>(), dy.data<T>(), dx.mutable_data<T>());
    else
      max_grad<T, int64_t>(g, x.data<T>(), dy.data<T>(), dx.mutable_data<T>());
  });
}
void max_pool2d_grad_grad(const Pool2dGeom& g, const Tensor& x, const Tensor& u, Tensor& out) {
  if (out.numel() == 0) return;
  by_dtype(x, [&](auto z) {
    using T = decltype(z);
    if (narrow_index_fits(g))
      max_grad_grad<T, Idx<T>>(g, x.data<T>(), u.data<T>(), out.mutable_data<T>());
    else
      max_grad_grad<T, int64_t>(g, x.data<T>(), u.data<T>(), out.mutable_data<T>());
  });
}
void avg_pool2d(const Pool2dGeom& g, const Tensor& x, Tensor& y) {
  if (y.numel() == 0) return;
  by_dtype(x, [&](auto z) {
    using T = decltype(z);
    avg_fwd(g, x.data<T>(), y.mutable_data<T>());
  });
}
void avg_pool2d_grad(const Pool2dGeom& g, const Tensor& dy, Tensor& dx) {
  if (dx.numel() == 0) return;
  by_dtype(dy, [&](auto z) {
    using T = decltype(z);
    avg_grad(g, dy.data<T>(), dx.mutable_data<T>());
  });
}


}  // namespace kernels
}  // namespace fasttape
