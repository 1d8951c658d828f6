// Pooling loops (pool_kernels.hpp): parallel over output rows of an image
// for the forward passes; over images for the scatters (gradients), where
// windows of one image may overlap.
#include "kernels/pool_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {
namespace {

struct Window {
  int64_t h0, h1, w0, w1;  // clipped to the image
};

inline Window window(const Pool2dGeom& g, int64_t i, int64_t j) {
  const int64_t hs = i * g.sh - g.pt, ws = j * g.sw - g.pl;
  return {std::max<int64_t>(hs, 0), std::min(hs + g.KH, g.H), std::max<int64_t>(ws, 0), std::min(ws + g.KW, g.W)};
}

// The first maximum of every channel of window `win` of image n: its value
// in m[c] and its offset in x in at[c]. Channels are innermost, so each
// window pixel is one contiguous, vectorisable pass. NaN wins (it
// propagates, as in TensorFlow). Windows are never empty (geometry()
// keeps paddings smaller than the window).
template <class T>
inline void window_max(const Pool2dGeom& g, const T* x, int64_t n, const Window& win, T* m, int64_t* at) {
  bool first = true;
  for (int64_t h = win.h0; h < win.h1; ++h)
    for (int64_t w = win.w0; w < win.w1; ++w) {
      const int64_t base = ((n * g.H + h) * g.W + w) * g.C;
      const T* in = x + base;
      if (first) {
        for (int64_t c = 0; c < g.C; ++c) {
          m[c] = in[c];
          at[c] = base + c;
        }
        first = false;
        continue;
      }
      for (int64_t c = 0; c < g.C; ++c) {
        const bool take = in[c] > m[c] || (in[c] != in[c] && m[c] == m[c]);
        m[c] = take ? in[c] : m[c];
        at[c] = take ? base + c : at[c];
      }
    }
}

template <class T>
void max_fwd(const Pool2dGeom& g, const T* x, T* y) {
  const int64_t rows = g.N * g.Ho;
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, g.Wo * g.C * g.KH * g.KW)),
               [&](int64_t r0, int64_t r1) {
                 std::vector<int64_t> at(static_cast<size_t>(g.C));
                 for (int64_t r = r0; r < r1; ++r) {
                   const int64_t n = r / g.Ho, i = r % g.Ho;
                   for (int64_t j = 0; j < g.Wo; ++j)
                     window_max(g, x, n, window(g, i, j), y + (r * g.Wo + j) * g.C, at.data());
                 }
               });
}

template <class T>
void max_grad(const Pool2dGeom& g, const T* x, const T* dy, T* dx) {
  std::memset(dx, 0, sizeof(T) * static_cast<size_t>(g.N * g.H * g.W * g.C));
  parallel_chunks(g.N, [&](int64_t n) {
    std::vector<T> m(static_cast<size_t>(g.C));
    std::vector<int64_t> at(static_cast<size_t>(g.C));
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        window_max(g, x, n, window(g, i, j), m.data(), at.data());
        const T* gin = dy + ((n * g.Ho + i) * g.Wo + j) * g.C;
        for (int64_t c = 0; c < g.C; ++c) dx[at[c]] += gin[c];
      }
  });
}

template <class T>
void max_grad_grad(const Pool2dGeom& g, const T* x, const T* u, T* out) {
  parallel_chunks(g.N, [&](int64_t n) {
    std::vector<T> m(static_cast<size_t>(g.C));
    std::vector<int64_t> at(static_cast<size_t>(g.C));
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        window_max(g, x, n, window(g, i, j), m.data(), at.data());
        T* o = out + ((n * g.Ho + i) * g.Wo + j) * g.C;
        for (int64_t c = 0; c < g.C; ++c) o[c] = u[at[c]];
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

}  // namespace

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
    max_grad(g, x.data<T>(), dy.data<T>(), dx.mutable_data<T>());
  });
}
void max_pool2d_grad_grad(const Pool2dGeom& g, const Tensor& x, const Tensor& u, Tensor& out) {
  if (out.numel() == 0) return;
  by_dtype(x, [&](auto z) {
    using T = decltype(z);
    max_grad_grad(g, x.data<T>(), u.data<T>(), out.mutable_data<T>());
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
