// Thread count and ISA reporting for the kernels.
#include <atomic>
#include <cstdlib>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {

namespace {
int default_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();  // honours OMP_NUM_THREADS
#else
  return 1;
#endif
}
std::atomic<int> g_threads{0};  // 0 = not yet read
}  // namespace

int num_threads() {
  int n = g_threads.load(std::memory_order_relaxed);
  if (n == 0) {
    n = default_threads();
    g_threads.store(n, std::memory_order_relaxed);
  }
  return n;
}

void set_num_threads(int n) { g_threads.store(n > 0 ? n : default_threads(), std::memory_order_relaxed); }

const char* isa_name() {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__) && !defined(FASTTAPE_NO_MULTIVERSION)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
    return "AVX-512 (x86-64-v4)";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "AVX2+FMA (x86-64-v3)";
  return "SSE2 (x86-64 baseline)";
#else
  return "portable C++ (compiler auto-vectorisation)";
#endif
}

}  // namespace kernels
}  // namespace fasttape
