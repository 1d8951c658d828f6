// Tests of the packed GEMM (cpp/src/kernels/gemm.cpp) with every micro-kernel
// this CPU can run (portable, AVX2+FMA, AVX-512), not only the best one:
// edge shapes around the register tiles and the K blocks, transposed
// operands through strides, float and double, one and two threads.
// Reference: a plain triple loop in long double.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <fasttape/fasttape.hpp>

#include "check.hpp"

#include "kernels/gemm.hpp"

using namespace fasttape;

using fttest::check;

template <class T>
static void gemm(int64_t M, int64_t N, int64_t K, const T* A, int64_t rsa, int64_t csa, const T* B, int64_t rsb,
                 int64_t csb, T* C, bool threads) {
  if constexpr (sizeof(T) == 4) kernels::gemm_f32(M, N, K, A, rsa, csa, B, rsb, csb, C, threads);
  else kernels::gemm_f64(M, N, K, A, rsa, csa, B, rsb, csb, C, threads);
}

template <class T>
static void one_shape(const std::string& kernel, int64_t M, int64_t N, int64_t K, bool ta, bool tb) {
  // A is M x K (stored K x M when ta), B is K x N (stored N x K when tb).
  std::vector<T> a(static_cast<size_t>(M * K)), b(static_cast<size_t>(K * N));
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<T>(std::sin(0.7 * static_cast<double>(i) + 0.3));
  for (size_t i = 0; i < b.size(); ++i) b[i] = static_cast<T>(std::cos(0.45 * static_cast<double>(i)) - 0.1);
  const int64_t rsa = ta ? 1 : K, csa = ta ? M : 1, rsb = tb ? 1 : N, csb = tb ? K : 1;
  // Guard elements after C catch writes past its end.
  const T guard = static_cast<T>(12345.0);
  std::vector<T> c1(static_cast<size_t>(M * N + 16), guard), c2(c1.size(), guard);
  set_num_threads(1);
  gemm<T>(M, N, K, a.data(), rsa, csa, b.data(), rsb, csb, c1.data(), true);
  set_num_threads(2);
  gemm<T>(M, N, K, a.data(), rsa, csa, b.data(), rsb, csb, c2.data(), true);
  set_num_threads(0);
  double worst = 0;
  bool same = true, guards = true;
  for (int64_t i = 0; i < M; ++i) {
    for (int64_t j = 0; j < N; ++j) {
      long double ref = 0, mag = 0;
      for (int64_t k = 0; k < K; ++k) {
        const long double p = static_cast<long double>(a[static_cast<size_t>(i * rsa + k * csa)]) *
                              static_cast<long double>(b[static_cast<size_t>(k * rsb + j * csb)]);
        ref += p;
        mag += std::fabs(p);
      }
      const T got = c1[static_cast<size_t>(i * N + j)];
      worst = std::max(worst, static_cast<double>(std::fabs(static_cast<long double>(got) - ref) / (mag + 1e-30L)));
      same &= got == c2[static_cast<size_t>(i * N + j)];
    }
  }
  for (size_t i = static_cast<size_t>(M * N); i < c1.size(); ++i) guards &= c1[i] == guard && c2[i] == guard;
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
  const std::string what = kernel + (sizeof(T) == 4 ? " f32 " : " f64 ") + std::to_string(M) + "x" +
                           std::to_string(K) + (ta ? "^T" : "") + " @ " + std::to_string(K) + "x" +
                           std::to_string(N) + (tb ? "^T" : "");
  check(worst <= tol, what + ": relative error " + std::to_string(worst));
  check(same, what + ": 2 threads == 1 thread bitwise");
  check(guards, what + ": nothing written past C");
}

int main() {
  const int64_t shapes[][3] = {
      {1, 1, 1},     {1, 37, 5},    {5, 1, 300},   {2, 3, 1},      {3, 17, 2},     {6, 16, 8},
      {7, 33, 257},  {11, 9, 256},  {12, 32, 255}, {13, 31, 513},  {25, 65, 100},  {64, 10, 256},
      {256, 10, 64}, {64, 256, 196}, {97, 70, 784}, {200, 300, 130}, {300, 5, 2000}, {40, 1000, 120}};
  for (const char* kernel : {"portable", "avx2", "avx512"}) {
    if (!kernels::gemm_limit_kernel(kernel)) {
      std::printf("(this CPU has no %s micro-kernel: skipped)\n", kernel);
      continue;
    }
    for (auto& s : shapes) {
      for (int t = 0; t < 4; ++t) {
        one_shape<float>(kernel, s[0], s[1], s[2], t & 1, t & 2);
        one_shape<double>(kernel, s[0], s[1], s[2], t & 1, t & 2);
      }
    }
  }
  kernels::gemm_limit_kernel(nullptr);
  return fttest::report();
}
