// parallel_for: OpenMP above a size threshold only, so tiny tensors never
// pay for a thread team.
#pragma once

#include <algorithm>
#include <cstdint>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace fasttape {
namespace kernels {

int num_threads();

// Elementwise work below this many elements runs on the calling thread
// (parallel_for splits only from 2 grains up). Measured on 2 cores: a 100k
// element op takes ~20-40 us alone, and handing half of it to a second
// thread was as often slower (waking it) as faster, so memory-bound loops
// go parallel from 256k elements; compute-bound ones pass a smaller grain.
constexpr int64_t kParallelGrain = 1 << 17;

// Calls f(begin, end) over [0, n) split into contiguous chunks; in parallel
// only when n >= 2 * grain and more than one thread is configured.
template <class F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
#ifdef _OPENMP
  int nt = num_threads();
  if (n >= 2 * grain && nt > 1) {
    int64_t chunks = std::min<int64_t>(nt, n / grain);
#pragma omp parallel num_threads(static_cast<int>(chunks))
    {
      int64_t t = omp_get_thread_num(), k = omp_get_num_threads();
      int64_t b = n * t / k, e = n * (t + 1) / k;
      if (b < e) f(b, e);
    }
    return;
  }
#else
  (void)grain;
#endif
  if (n > 0) f(0, n);
}

}  // namespace kernels
}  // namespace fasttape
