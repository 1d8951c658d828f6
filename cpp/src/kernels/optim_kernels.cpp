// Fused optimizer loops. Each rule's scalars (bias corrections and the like)
// are computed once per call in the variable's dtype, as Keras computes them;
// the per-element expressions follow Keras 3's formulas term by term.
#include "kernels/optim_kernels.hpp"

#include <algorithm>
#include <cmath>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {
namespace {

#define FT_R __restrict__

// Decoupled weight decay (Keras's _apply_weight_decay: x - x * wd * lr).
template <class T>
inline T decay(T x, T wd, T lr, bool on) {
  return on ? x - x * wd * lr : x;
}

template <class T>
FT_MULTIVERSION void sgd_loop(T* FT_R x, const T* FT_R g, int64_t n, T lr, T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) x[i] = decay(x[i], wd, lr, dec) - g[i] * lr;
}

template <class T>
FT_MULTIVERSION void sgd_momentum_loop(T* FT_R x, const T* FT_R g, T* FT_R m, int64_t n, T lr, T mom, bool nesterov,
                                       T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T xi = decay(x[i], wd, lr, dec);
    const T mi = -g[i] * lr + m[i] * mom;
    m[i] = mi;
    x[i] = nesterov ? xi + (-g[i] * lr + mi * mom) : xi + mi;
  }
}

template <class T>
FT_MULTIVERSION void adam_loop(T* FT_R x, const T* FT_R g, T* FT_R m, T* FT_R v, int64_t n, T alpha, T one_b1,
                               T one_b2, T eps, T wd, T lr, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * one_b1;
    const T vi = v[i] + (gi * gi - v[i]) * one_b2;
    m[i] = mi;
    v[i] = vi;
    x[i] = decay(x[i], wd, lr, dec) - (mi * alpha) / (std::sqrt(vi) + eps);
  }
}

template <class T>
FT_MULTIVERSION void amsgrad_loop(T* FT_R x, const T* FT_R g, T* FT_R m, T* FT_R v, T* FT_R vh, int64_t n, T alpha,
                                  T one_b1, T one_b2, T eps, T wd, T lr, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * one_b1;
    const T vi = v[i] + (gi * gi - v[i]) * one_b2;
    const T hi = std::max(vh[i], vi);
    m[i] = mi;
    v[i] = vi;
    vh[i] = hi;
    x[i] = decay(x[i], wd, lr, dec) - (mi * alpha) / (std::sqrt(hi) + eps);
  }
}

template <class T>
FT_MULTIVERSION void adamax_loop(T* FT_R x, const T* FT_R g, T* FT_R m, T* FT_R u, int64_t n, T lr, T b2, T one_b1,
                                 T one_b1p, T eps, T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * one_b1;
    const T ui = std::max(b2 * u[i], std::abs(gi));
    m[i] = mi;
    u[i] = ui;
    x[i] = decay(x[i], wd, lr, dec) - (lr * mi) / (one_b1p * (ui + eps));
  }
}

template <class T>
FT_MULTIVERSION void nadam_loop(T* FT_R x, const T* FT_R g, T* FT_R m, T* FT_R v, int64_t n, T lr, T one_b1,
                                T one_b2, T u_t, T u_t1, T one_up, T one_up1, T one_b2p, T eps, T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T mi = m[i] + (gi - m[i]) * one_b1;
    const T vi = v[i] + (gi * gi - v[i]) * one_b2;
    m[i] = mi;
    v[i] = vi;
    const T m_hat = u_t1 * mi / one_up1 + (T(1) - u_t) * gi / one_up;
    const T v_hat = vi / one_b2p;
    x[i] = decay(x[i], wd, lr, dec) - (m_hat * lr) / (std::sqrt(v_hat) + eps);
  }
}

// RMSprop: velocity, then optional momentum and average-gradient slots.
template <class T>
FT_MULTIVERSION void rmsprop_loop(T* FT_R x, const T* FT_R g, T* FT_R vel, T* FT_R mo, T* FT_R ag, int64_t n, T lr,
                                  T rho, T one_rho, T mom, T eps, T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T veli = rho * vel[i] + one_rho * (gi * gi);
    vel[i] = veli;
    T denom;
    if (ag) {
      const T agi = rho * ag[i] + one_rho * gi;
      ag[i] = agi;
      denom = veli - agi * agi + eps;
    } else {
      denom = veli + eps;
    }
    const T inc = lr * gi / std::sqrt(denom);
    const T xi = decay(x[i], wd, lr, dec);
    if (mo) {
      const T moi = mom * mo[i] + inc;
      mo[i] = moi;
      x[i] = xi - moi;
    } else {
      x[i] = xi - inc;
    }
  }
}

template <class T>
FT_MULTIVERSION void adagrad_loop(T* FT_R x, const T* FT_R g, T* FT_R acc, int64_t n, T lr, T eps, T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i];
    const T ai = acc[i] + gi * gi;
    acc[i] = ai;
    x[i] = decay(x[i], wd, lr, dec) - lr * gi / std::sqrt(ai + eps);
  }
}

template <class T>
inline T sign_of(T v) {
  return T(v > T(0)) - T(v < T(0));
}

template <class T>
FT_MULTIVERSION void lion_loop(T* FT_R x, const T* FT_R g, T* FT_R m, int64_t n, T lr, T b1, T one_b1, T b2,
                               T one_b2, T wd, bool dec) {
  for (int64_t i = 0; i < n; ++i) {
    const T gi = g[i], mi = m[i];
    x[i] = decay(x[i], wd, lr, dec) - lr * sign_of(mi * b1 + gi * one_b1);
    m[i] = mi * b2 + gi * one_b2;
  }
}

#undef FT_R

}  // namespace

template <class T>
void optim_update(optim::Rule rule, const optim::Params& p, T* x, const T* g, T* const* s, int64_t n) {
  using optim::Rule;
  const T lr = T(p.learning_rate), wd = T(p.weight_decay), eps = T(p.epsilon);
  const bool dec = p.weight_decay != 0.0;
  const T b1 = T(p.beta_1), b2 = T(p.beta_2), one = T(1);
  const T step = T(p.step);
  // Keras writes (1 - beta) with Python floats: computed in double, then
  // rounded to the variable's dtype.
  const T one_b1 = T(1.0 - p.beta_1), one_b2 = T(1.0 - p.beta_2);
  // One memory-bound pass: split across threads like any long elementwise loop.
  auto run = [&](auto&& body) {
    parallel_for(n, kParallelGrain, [&](int64_t b, int64_t e) { body(b, e - b); });
  };
  switch (rule) {
    case Rule::SGD:
      if (p.momentum != 0.0) {
        const T mom = T(p.momentum);
        run([&](int64_t b, int64_t k) { sgd_momentum_loop(x + b, g + b, s[0] + b, k, lr, mom, p.nesterov, wd, dec); });
      } else {
        run([&](int64_t b, int64_t k) { sgd_loop(x + b, g + b, k, lr, wd, dec); });
      }
      return;
    case Rule::Adam: {
      const T b1p = std::pow(b1, step), b2p = std::pow(b2, step);
      const T alpha = lr * std::sqrt(one - b2p) / (one - b1p);
      if (p.amsgrad)
        run([&](int64_t b, int64_t k) {
          amsgrad_loop(x + b, g + b, s[0] + b, s[1] + b, s[2] + b, k, alpha, one_b1, one_b2, eps, wd, lr, dec);
        });
      else
        run([&](int64_t b, int64_t k) {
          adam_loop(x + b, g + b, s[0] + b, s[1] + b, k, alpha, one_b1, one_b2, eps, wd, lr, dec);
        });
      return;
    }
    case Rule::Adamax: {
      const T one_b1p = one - std::pow(b1, step);
      run([&](int64_t b, int64_t k) {
        adamax_loop(x + b, g + b, s[0] + b, s[1] + b, k, lr, b2, one_b1, one_b1p, eps, wd, dec);
      });
      return;
    }
    case Rule::Nadam: {
      const T decay_base = T(0.96), half = T(0.5);
      const T u_t = b1 * (one - half * std::pow(decay_base, step));
      const T u_t1 = b1 * (one - half * std::pow(decay_base, step + one));
      const T up = T(p.u_product), up1 = up * u_t1;
      const T one_b2p = one - std::pow(b2, step);
      run([&](int64_t b, int64_t k) {
        nadam_loop(x + b, g + b, s[0] + b, s[1] + b, k, lr, one_b1, one_b2, u_t, u_t1, one - up, one - up1,
                   one_b2p, eps, wd, dec);
      });
      return;
    }
    case Rule::RMSprop: {
      const T rho = T(p.rho), mom = T(p.momentum);
      int next = 1;
      T* mo = p.momentum > 0.0 ? s[next++] : nullptr;
      T* ag = p.centered ? s[next++] : nullptr;
      run([&](int64_t b, int64_t k) {
        rmsprop_loop(x + b, g + b, s[0] + b, mo ? mo + b : nullptr, ag ? ag + b : nullptr, k, lr, rho, T(1.0 - p.rho), mom,
                     eps, wd, dec);
      });
      return;
    }
    case Rule::Adagrad:
      run([&](int64_t b, int64_t k) { adagrad_loop(x + b, g + b, s[0] + b, k, lr, eps, wd, dec); });
      return;
    case Rule::Lion:
      run([&](int64_t b, int64_t k) { lion_loop(x + b, g + b, s[0] + b, k, lr, b1, one_b1, b2, one_b2, wd, dec); });
      return;
  }
}

template void optim_update<float>(optim::Rule, const optim::Params&, float*, const float*, float* const*, int64_t);
template void optim_update<double>(optim::Rule, const optim::Params&, double*, const double*, double* const*,
                                   int64_t);

}  // namespace kernels
}  // namespace fasttape
