// 2-D convolution by im2col + GEMM (conv_kernels.hpp). Images are processed
// in groups whose patch matrix stays near kColsBytes, so memory stays
// bounded for any batch; a 1x1, stride-1, unpadded convolution needs no
// patch matrix at all (the input is already [pixels x C]).
#include "kernels/conv_kernels.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/gemm.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {
namespace {

constexpr int64_t kColsBytes = int64_t(16) << 20;

bool is_pointwise(const Conv2dGeom& g) {
  return g.KH == 1 && g.KW == 1 && g.sh == 1 && g.sw == 1 && g.pt == 0 && g.pl == 0 && g.Ho == g.H && g.Wo == g.W;
}

// Images per group for a patch matrix of `row_elems` per output pixel.
int64_t group_size(const Conv2dGeom& g, int64_t row_elems, size_t elem) {
  const int64_t per_image = std::max<int64_t>(1, g.Ho * g.Wo * row_elems * static_cast<int64_t>(elem));
  return std::max<int64_t>(1, std::min<int64_t>(g.N, kColsBytes / per_image));
}

// cols[(n, i, j), (a, b, c)] for images [n0, n0 + nn).
template <class T>
void im2col(const Conv2dGeom& g, const T* x, int64_t n0, int64_t nn, T* cols) {
  const int64_t K = g.KH * g.KW * g.C, rows = nn * g.Ho * g.Wo;
  parallel_for(rows, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(K, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t n = n0 + r / (g.Ho * g.Wo), p = r % (g.Ho * g.Wo), i = p / g.Wo, j = p % g.Wo;
      T* out = cols + r * K;
      const int64_t w0 = j * g.sw - g.pl;
      // Undilated taps of one filter row that stay inside the image are
      // one contiguous run of KW * C input values: one copy, not KW.
      const bool row_inside = g.dw == 1 && w0 >= 0 && w0 + g.KW <= g.W;
      for (int64_t a = 0; a < g.KH; ++a) {
        const int64_t hi = i * g.sh - g.pt + a * g.dh;
        T* row = out + a * g.KW * g.C;
        if (hi < 0 || hi >= g.H) {
          std::fill(row, row + g.KW * g.C, T(0));
          continue;
        }
        const T* src = x + ((n * g.H + hi) * g.W) * g.C;
        if (row_inside) {
          std::copy(src + w0 * g.C, src + (w0 + g.KW) * g.C, row);
          continue;
        }
        for (int64_t b = 0; b < g.KW; ++b) {
          const int64_t wi = w0 + b * g.dw;
          T* dst = row + b * g.C;
          if (wi < 0 || wi >= g.W)
            std::fill(dst, dst + g.C, T(0));
          else
            std::copy(src + wi * g.C, src + (wi + 1) * g.C, dst);
        }
      }
    }
  });
}

// dx[n] += the patch gradients dcols scattered back, for images [n0, n0 + nn).
// Parallel over images: each image's pixels are written by one thread.
template <class T>
void col2im(const Conv2dGeom& g, const T* dcols, int64_t n0, int64_t nn, T* dx) {
  const int64_t K = g.KH * g.KW * g.C;
  parallel_chunks(nn, [&](int64_t k) {
    const int64_t n = n0 + k;
    for (int64_t i = 0; i < g.Ho; ++i)
      for (int64_t j = 0; j < g.Wo; ++j) {
        const T* src = dcols + ((k * g.Ho + i) * g.Wo + j) * K;
        for (int64_t a = 0; a < g.KH; ++a) {
          const int64_t hi = i * g.sh - g.pt + a * g.dh;
          if (hi < 0 || hi >= g.H) continue;
          for (int64_t b = 0; b < g.KW; ++b) {
            const int64_t wi = j * g.sw - g.pl + b * g.dw;
            if (wi < 0 || wi >= g.W) continue;
            T* dst = dx + ((n * g.H + hi) * g.W + wi) * g.C;
            const T* s = src + (a * g.KW + b) * g.C;
            for (int64_t c = 0; c < g.C; ++c) dst[c] += s[c];
          }
        }
      }
  });
}

void gemm(int64_t M, int64_t N, int64_t K, const float* A, int64_t rsa, int64_t csa, const float* B, int64_t rsb,
          int64_t csb, float* C) {
  gemm_f32(M, N, K, A, rsa, csa, B, rsb, csb, C, true);
}
void gemm(int64_t M, int64_t N, int64_t K, const double* A, int64_t rsa, int64_t csa, const double* B, int64_t rsb,
          int64_t csb, double* C) {
  gemm_f64(M, N, K, A, rsa, csa, B, rsb, csb, C, true);
}

template <class T>
void forward(const Conv2dGeom& g, const T* x, const T* w, T* y) {
  const int64_t K = g.KH * g.KW * g.C, pix = g.Ho * g.Wo;
  if (is_pointwise(g)) {
    gemm(g.N * pix, g.O, K, x, K, 1, w, g.O, 1, y);
    return;
  }
  const int64_t group = group_size(g, K, sizeof(T));
  std::vector<T> cols(static_cast<size_t>(group * pix * K));
  for (int64_t n0 = 0; n0 < g.N; n0 += group) {
    const int64_t nn = std::min(group, g.N - n0);
    im2col(g, x, n0, nn, cols.data());
    gemm(nn * pix, g.O, K, cols.data(), K, 1, w, g.O, 1, y + n0 * pix * g.O);
  }
}

template <class T>
void backprop_input(const Conv2dGeom& g, const T* w, const T* dy, T* dx) {
  const int64_t K = g.KH * g.KW * g.C, pix = g.Ho * g.Wo;
  // dcols = dy [pixels x O] @ w^T [O x K]: w is [K x O] row-major, read transposed.
  if (is_pointwise(g)) {
    gemm(g.N * pix, K, g.O, dy, g.O, 1, w, 1, g.O, dx);
    return;
  }
  std::memset(dx, 0, sizeof(T) * static_cast<size_t>(g.N * g.H * g.W * g.C));
  const int64_t group = group_size(g, K, sizeof(T));
  std::vector<T> dcols(static_cast<size_t>(group * pix * K));
  for (int64_t n0 = 0; n0 < g.N; n0 += group) {
    const int64_t nn = std::min(group, g.N - n0);
    gemm(nn * pix, K, g.O, dy + n0 * pix * g.O, g.O, 1, w, 1, g.O, dcols.data());
    col2im(g, dcols.data(), n0, nn, dx);
  }
}

template <class T>
void backprop_filter(const Conv2dGeom& g, const T* x, const T* dy, T* dw) {
  const int64_t K = g.KH * g.KW * g.C, pix = g.Ho * g.Wo;
  // dw [K x O] = cols^T [K x pixels] @ dy [pixels x O], summed over groups.
  if (is_pointwise(g)) {
    gemm(K, g.O, g.N * pix, x, 1, K, dy, g.O, 1, dw);
    return;
  }
  const int64_t group = group_size(g, K, sizeof(T));
  std::vector<T> cols(static_cast<size_t>(group * pix * K));
  std::vector<T> part(g.N > group ? static_cast<size_t>(K * g.O) : 0);
  for (int64_t n0 = 0; n0 < g.N; n0 += group) {
    const int64_t nn = std::min(group, g.N - n0);
    im2col(g, x, n0, nn, cols.data());
    T* out = n0 == 0 ? dw : part.data();
    gemm(K, g.O, nn * pix, cols.data(), 1, K, dy + n0 * pix * g.O, g.O, 1, out);
    if (n0 != 0)
      for (int64_t e = 0; e < K * g.O; ++e) dw[e] += part[static_cast<size_t>(e)];
  }
}

}  // namespace

void conv2d(const Conv2dGeom& g, const Tensor& x, const Tensor& w, Tensor& y) {
  if (y.numel() == 0) return;
  if (g.C == 0 || g.KH * g.KW == 0) {
    std::memset(y.mutable_raw(), 0, y.nbytes());
    return;
  }
  if (x.dtype() == DType::Float32)
    forward(g, x.data<float>(), w.data<float>(), y.mutable_data<float>());
  else
    forward(g, x.data<double>(), w.data<double>(), y.mutable_data<double>());
}

void conv2d_backprop_input(const Conv2dGeom& g, const Tensor& w, const Tensor& dy, Tensor& dx) {
  if (dx.numel() == 0) return;
  if (dy.numel() == 0 || g.O == 0) {
    std::memset(dx.mutable_raw(), 0, dx.nbytes());
    return;
  }
  if (w.dtype() == DType::Float32)
    backprop_input(g, w.data<float>(), dy.data<float>(), dx.mutable_data<float>());
  else
    backprop_input(g, w.data<double>(), dy.data<double>(), dx.mutable_data<double>());
}

void conv2d_backprop_filter(const Conv2dGeom& g, const Tensor& x, const Tensor& dy, Tensor& dw) {
  if (dw.numel() == 0) return;
  if (dy.numel() == 0) {
    std::memset(dw.mutable_raw(), 0, dw.nbytes());
    return;
  }
  if (x.dtype() == DType::Float32)
    backprop_filter(g, x.data<float>(), dy.data<float>(), dw.mutable_data<float>());
  else
    backprop_filter(g, x.data<double>(), dy.data<double>(), dw.mutable_data<double>());
}

}  // namespace kernels
}  // namespace fasttape
