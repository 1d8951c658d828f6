// Thread count and ISA reporting for the kernels.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <thread>

#include "kernels/kernels.hpp"
#include "kernels/parallel.hpp"

namespace fasttape {
namespace kernels {

namespace {
// OMP_NUM_THREADS when set (its first entry, as OpenMP reads a list), else
// the CPUs this process may run on.
int default_threads() {
  if (const char* s = std::getenv("OMP_NUM_THREADS")) {
    char* end = nullptr;
    const long v = std::strtol(s, &end, 10);
    if (end != s && v > 0) return static_cast<int>(std::min<long>(v, kMaxThreads));
  }
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n > 0) return n;
  }
  const unsigned hc = std::thread::hardware_concurrency();
  return hc > 0 ? static_cast<int>(hc) : 1;
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

void set_num_threads(int n) {
  g_threads.store(n > 0 ? std::min(n, kMaxThreads) : default_threads(), std::memory_order_relaxed);
}

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
