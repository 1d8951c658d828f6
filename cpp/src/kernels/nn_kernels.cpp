// nn kernels: activations, softmax / log_softmax, fused cross-entropies and
// l2_loss (see nn_kernels.hpp for the (outer, n, inner) view).
#include "kernels/nn_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {

namespace act {
// Scalar forms, one functor per activation. Each is finite wherever its
// input is (no inf * 0 from an untaken branch).
constexpr double kSqrt2OverPi = 0.7978845608028654;   // sqrt(2 / pi)
constexpr double kInvSqrt2 = 0.7071067811865476;      // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.3989422804014327;    // 1 / sqrt(2 pi)
constexpr double kGeluC = 0.044715;

struct LeakyRelu {
  template <class T> static inline T f(T x, T a) { return x > T(0) ? x : x * a; }
};
struct Gelu {
  template <class T> static inline T f(T x, T) { return T(0.5) * x * std::erfc(-x * T(kInvSqrt2)); }
};
struct GeluTanh {
  template <class T> static inline T f(T x, T) {
    return T(0.5) * x * (T(1) + std::tanh(T(kSqrt2OverPi) * (x + T(kGeluC) * x * x * x)));
  }
};
struct Softplus {
  template <class T> static inline T f(T x, T) { return (x > T(0) ? x : T(0)) + std::log1p(std::exp(-std::fabs(x))); }
};
struct GeluGrad {
  template <class T> static inline T f(T x, T) {
    return T(0.5) * std::erfc(-x * T(kInvSqrt2)) + x * T(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
  }
};
struct GeluTanhGrad {
  template <class T> static inline T f(T x, T) {
    T t = std::tanh(T(kSqrt2OverPi) * (x + T(kGeluC) * x * x * x));
    return T(0.5) * (T(1) + t) +
           T(0.5) * x * (T(1) - t * t) * T(kSqrt2OverPi) * (T(1) + T(3 * kGeluC) * x * x);
  }
};
}  // namespace act

template <class F, class T>
FT_MULTIVERSION void act_loop(const T* x, T* o, int64_t n, T a) {
  for (int64_t i = 0; i < n; ++i) o[i] = F::template f<T>(x[i], a);
}

template <class F>
static void act_run(const Tensor& x, double alpha, const Tensor& out) {
  int64_t n = x.numel();
  if (x.dtype() == DType::Float32) {
    const float* xp = x.data<float>();
    float* op = out.mutable_data<float>();
    float a = static_cast<float>(alpha);
    parallel_for(n, kParallelGrain / 4, [&](int64_t b, int64_t e) { act_loop<F, float>(xp + b, op + b, e - b, a); });
  } else {
    const double* xp = x.data<double>();
    double* op = out.mutable_data<double>();
    parallel_for(n, kParallelGrain / 4, [&](int64_t b, int64_t e) { act_loop<F, double>(xp + b, op + b, e - b, alpha); });
  }
}

void activation(ActOp op, const Tensor& x, double alpha, const Tensor& out) {
  switch (op) {
    case ActOp::LeakyRelu: return act_run<act::LeakyRelu>(x, alpha, out);
    case ActOp::Gelu: return act_run<act::Gelu>(x, alpha, out);
    case ActOp::GeluTanh: return act_run<act::GeluTanh>(x, alpha, out);
    case ActOp::Softplus: return act_run<act::Softplus>(x, alpha, out);
    case ActOp::GeluGrad: return act_run<act::GeluGrad>(x, alpha, out);
    case ActOp::GeluTanhGrad: return act_run<act::GeluTanhGrad>(x, alpha, out);
  }
}

template <class T>
FT_MULTIVERSION void backprop_loop(const T* g, const T* v, T* o, int64_t n, T a) {
  for (int64_t i = 0; i < n; ++i) o[i] = v[i] > T(0) ? g[i] : g[i] * a;
}

template <class T>
static void backprop_t(const Tensor& g, const Tensor& v, T a, const Tensor& out) {
  const T *gp = g.data<T>(), *vp = v.data<T>();
  T* op = out.mutable_data<T>();
  int64_t nv = v.numel(), reps = nv ? g.numel() / nv : 0;
  for (int64_t r = 0; r < reps; ++r)
    parallel_for(nv, kParallelGrain, [&](int64_t b, int64_t e) {
      backprop_loop<T>(gp + r * nv + b, vp + b, op + r * nv + b, e - b, a);
    });
}

void leaky_relu_backprop(const Tensor& g, const Tensor& v, double alpha, const Tensor& out) {
  if (g.dtype() == DType::Float32) backprop_t<float>(g, v, static_cast<float>(alpha), out);
  else backprop_t<double>(g, v, alpha, out);
}

// ------------------------------------------------------------- softmax
// Max and sum of a row with 8 independent accumulators, so the loops
// vectorise without reassociating a single serial chain.
template <class T>
static inline T row_max(const T* x, int64_t n) {
  T m[8];
  for (int k = 0; k < 8; ++k) m[k] = x[0];
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) m[k] = x[j + k] > m[k] ? x[j + k] : m[k];
  for (; j < n; ++j) m[0] = x[j] > m[0] ? x[j] : m[0];
  T r = m[0];
  for (int k = 1; k < 8; ++k) r = m[k] > r ? m[k] : r;
  return r;
}
template <class T>
static inline T row_sum(const T* x, int64_t n) {
  T s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int k = 0; k < 8; ++k) s[k] += x[j + k];
  for (; j < n; ++j) s[0] += x[j];
  return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

// One contiguous row of length n: y = softmax(x) or log_softmax(x). y holds
// exp(x - max) between the passes (no separate scratch).
template <class T>
FT_MULTIVERSION void softmax_row(const T* x, T* y, int64_t n, bool log) {
  T m = row_max(x, n);
  for (int64_t j = 0; j < n; ++j) y[j] = std::exp(x[j] - m);
  T s = row_sum(y, n);
  if (log) {
    // (x - m) - log(s), as TensorFlow: x - (m + log s) would round the
    // offset to the precision of m.
    T ls = std::log(s);
    for (int64_t j = 0; j < n; ++j) y[j] = (x[j] - m) - ls;
  } else {
    T inv = T(1) / s;
    for (int64_t j = 0; j < n; ++j) y[j] *= inv;
  }
}

// One (n, inner) block, reduced along n; mx and s are scratch of length inner.
template <class T>
FT_MULTIVERSION void softmax_block(const T* x, T* y, int64_t n, int64_t inner, bool log, T* mx, T* s) {
  for (int64_t k = 0; k < inner; ++k) mx[k] = x[k];
  for (int64_t j = 1; j < n; ++j) {
    const T* r = x + j * inner;
    for (int64_t k = 0; k < inner; ++k) mx[k] = r[k] > mx[k] ? r[k] : mx[k];
  }
  for (int64_t k = 0; k < inner; ++k) s[k] = 0;
  for (int64_t j = 0; j < n; ++j) {
    const T* r = x + j * inner;
    T* q = y + j * inner;
    for (int64_t k = 0; k < inner; ++k) {
      T e = std::exp(r[k] - mx[k]);
      if (!log) q[k] = e;
      s[k] += e;
    }
  }
  if (log) {
    for (int64_t k = 0; k < inner; ++k) s[k] = std::log(s[k]);
    for (int64_t j = 0; j < n; ++j) {
      const T* r = x + j * inner;
      T* q = y + j * inner;
      for (int64_t k = 0; k < inner; ++k) q[k] = (r[k] - mx[k]) - s[k];
    }
  } else {
    for (int64_t k = 0; k < inner; ++k) s[k] = T(1) / s[k];
    for (int64_t j = 0; j < n; ++j) {
      T* q = y + j * inner;
      for (int64_t k = 0; k < inner; ++k) q[k] *= s[k];
    }
  }
}

template <class T>
static void softmax_t(const T* x, T* y, int64_t outer, int64_t n, int64_t inner, bool log) {
  if (outer == 0 || n == 0 || inner == 0) return;  // empty: nothing to do
  int64_t grain = std::max<int64_t>(1, kParallelGrain / (n * inner));
  if (inner == 1) {
    parallel_for(outer, grain, [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) softmax_row<T>(x + o * n, y + o * n, n, log);
    });
    return;
  }
  parallel_for(outer, grain, [&](int64_t b, int64_t e) {
    std::vector<T> mx(inner), s(inner);
    for (int64_t o = b; o < e; ++o)
      softmax_block<T>(x + o * n * inner, y + o * n * inner, n, inner, log, mx.data(), s.data());
  });
}

void softmax(const Tensor& x, int64_t outer, int64_t n, int64_t inner, bool log, const Tensor& out) {
  if (x.dtype() == DType::Float32)
    softmax_t<float>(x.data<float>(), out.mutable_data<float>(), outer, n, inner, log);
  else
    softmax_t<double>(x.data<double>(), out.mutable_data<double>(), outer, n, inner, log);
}

// ------------------------------------------------------------- cross-entropies
template <class T>
static void xent_t(const T* z, const T* lsm, T* loss, int64_t outer, int64_t n, int64_t inner) {
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n * inner));
  parallel_for(outer, grain, [&](int64_t b, int64_t e) {
    for (int64_t o = b; o < e; ++o) {
      T* l = loss + o * inner;
      for (int64_t k = 0; k < inner; ++k) l[k] = 0;
      for (int64_t j = 0; j < n; ++j) {
        const T* zr = z + (o * n + j) * inner;
        const T* lr = lsm + (o * n + j) * inner;
        // 0 * log_softmax is 0 even where log_softmax is -inf (TF's convention
        // for one-hot labels with a saturated logit).
        for (int64_t k = 0; k < inner; ++k) l[k] -= zr[k] == T(0) ? T(0) : zr[k] * lr[k];
      }
    }
  });
}

void softmax_xent(const Tensor& logits, const Tensor& labels, int64_t outer, int64_t n, int64_t inner,
                  const Tensor& loss, const Tensor& lsm) {
  softmax(logits, outer, n, inner, /*log=*/true, lsm);
  if (logits.dtype() == DType::Float32)
    xent_t<float>(labels.data<float>(), lsm.data<float>(), loss.mutable_data<float>(), outer, n, inner);
  else
    xent_t<double>(labels.data<double>(), lsm.data<double>(), loss.mutable_data<double>(), outer, n, inner);
}

template <class T, class L>
static void sparse_t(const L* lab, const T* lsm, T* loss, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r) loss[r] = -lsm[r * n + static_cast<int64_t>(lab[r])];
}

void sparse_softmax_xent(const Tensor& logits, const Tensor& labels, int64_t rows, int64_t n,
                         const Tensor& loss, const Tensor& lsm) {
  softmax(logits, rows, n, 1, /*log=*/true, lsm);
  bool i32 = labels.dtype() == DType::Int32;
  if (logits.dtype() == DType::Float32) {
    if (i32) sparse_t(labels.data<int32_t>(), lsm.data<float>(), loss.mutable_data<float>(), rows, n);
    else sparse_t(labels.data<int64_t>(), lsm.data<float>(), loss.mutable_data<float>(), rows, n);
  } else {
    if (i32) sparse_t(labels.data<int32_t>(), lsm.data<double>(), loss.mutable_data<double>(), rows, n);
    else sparse_t(labels.data<int64_t>(), lsm.data<double>(), loss.mutable_data<double>(), rows, n);
  }
}

template <class T>
static void xent_backprop_t(const T* g, const T* lsm, const T* z, T* out, int64_t nb, int64_t outer, int64_t n,
                            int64_t inner) {
  int64_t block = n * inner, grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, block));
  for (int64_t b = 0; b < nb; ++b) {
    const T* gb = g + b * outer * inner;
    T* ob = out + b * outer * block;
    parallel_for(outer, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t o = lo; o < hi; ++o)
        for (int64_t j = 0; j < n; ++j) {
          const T* gr = gb + o * inner;
          const T* lr = lsm + o * block + j * inner;
          const T* zr = z + o * block + j * inner;
          T* q = ob + o * block + j * inner;
          for (int64_t k = 0; k < inner; ++k) q[k] = gr[k] * (std::exp(lr[k]) - zr[k]);
        }
    });
  }
}

void softmax_xent_backprop(const Tensor& g, const Tensor& lsm, const Tensor& labels, int64_t outer, int64_t n,
                           int64_t inner, const Tensor& out) {
  int64_t loss_size = outer * inner, nb = loss_size ? g.numel() / loss_size : 0;
  if (nb == 0 || n == 0) return;
  if (g.dtype() == DType::Float32)
    xent_backprop_t(g.data<float>(), lsm.data<float>(), labels.data<float>(), out.mutable_data<float>(), nb, outer,
                    n, inner);
  else
    xent_backprop_t(g.data<double>(), lsm.data<double>(), labels.data<double>(), out.mutable_data<double>(), nb,
                    outer, n, inner);
}

template <class T, class L>
static void sparse_backprop_t(const T* g, const T* lsm, const L* lab, T* out, int64_t nb, int64_t rows, int64_t n) {
  int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, n));
  for (int64_t b = 0; b < nb; ++b) {
    const T* gb = g + b * rows;
    T* ob = out + b * rows * n;
    parallel_for(rows, grain, [&](int64_t lo, int64_t hi) {
      for (int64_t r = lo; r < hi; ++r) {
        const T* lr = lsm + r * n;
        T* q = ob + r * n;
        T gr = gb[r];
        for (int64_t j = 0; j < n; ++j) q[j] = gr * std::exp(lr[j]);
        q[static_cast<int64_t>(lab[r])] -= gr;
      }
    });
  }
}

void sparse_xent_backprop(const Tensor& g, const Tensor& lsm, const Tensor& labels, int64_t rows, int64_t n,
                          const Tensor& out) {
  int64_t nb = rows ? g.numel() / rows : 0;
  if (nb == 0 || n == 0) return;
  bool i32 = labels.dtype() == DType::Int32;
  if (g.dtype() == DType::Float32) {
    if (i32) sparse_backprop_t(g.data<float>(), lsm.data<float>(), labels.data<int32_t>(), out.mutable_data<float>(), nb, rows, n);
    else sparse_backprop_t(g.data<float>(), lsm.data<float>(), labels.data<int64_t>(), out.mutable_data<float>(), nb, rows, n);
  } else {
    if (i32) sparse_backprop_t(g.data<double>(), lsm.data<double>(), labels.data<int32_t>(), out.mutable_data<double>(), nb, rows, n);
    else sparse_backprop_t(g.data<double>(), lsm.data<double>(), labels.data<int64_t>(), out.mutable_data<double>(), nb, rows, n);
  }
}

template <class T>
FT_MULTIVERSION void sigmoid_xent_loop(const T* z, const T* x, T* o, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    o[i] = (x[i] > T(0) ? x[i] : T(0)) - x[i] * z[i] + std::log1p(std::exp(-std::fabs(x[i])));
}

void sigmoid_xent(const Tensor& labels, const Tensor& logits, const Tensor& out) {
  int64_t n = logits.numel();
  if (logits.dtype() == DType::Float32) {
    const float *z = labels.data<float>(), *x = logits.data<float>();
    float* o = out.mutable_data<float>();
    parallel_for(n, kParallelGrain / 4, [&](int64_t b, int64_t e) { sigmoid_xent_loop<float>(z + b, x + b, o + b, e - b); });
  } else {
    const double *z = labels.data<double>(), *x = logits.data<double>();
    double* o = out.mutable_data<double>();
    parallel_for(n, kParallelGrain / 4, [&](int64_t b, int64_t e) { sigmoid_xent_loop<double>(z + b, x + b, o + b, e - b); });
  }
}

template <class T>
FT_MULTIVERSION double sumsq(const T* x, int64_t n) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(x[i]) * static_cast<double>(x[i]);
  return s;
}

void l2_loss(const Tensor& x, const Tensor& out) {
  int64_t n = x.numel();
  double s = x.dtype() == DType::Float32 ? sumsq<float>(x.data<float>(), n) : sumsq<double>(x.data<double>(), n);
  if (out.dtype() == DType::Float32) *out.mutable_data<float>() = static_cast<float>(0.5 * s);
  else *out.mutable_data<double>() = 0.5 * s;
}

}  // namespace kernels
}  // namespace fasttape
