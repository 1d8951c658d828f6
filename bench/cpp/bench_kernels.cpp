// Throughput of each kernel family through the public ops (no tape active),
// against the machine's limits measured in this same binary:
//   elementwise add, multiply (read 2 + write 1 arrays), tanh, exp (read 1 +
//   write 1): GB/s of memory traffic, and that as a fraction of memcpy's
//   GB/s at the same size (counter vs_memcpy; memcpy moves read 1 + write 1);
//   reduce_sum: GB/s read;
//   matmul n x n @ n x n: GFLOP/s (2 n^3 flops per product).
// Sizes: 2^16 floats (256 KiB, cache), 2^20 (4 MiB), 2^24 (64 MiB, DRAM).
// An op allocates its output each call, as every eager op does; that cost
// (page faults on fresh memory for very large buffers) is part of the figure.
// The memcpy baseline runs on one thread; fasttape's kernels use its thread
// pool (threads: fasttape::num_threads(), printed in the context).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include <fasttape/fasttape.hpp>

using namespace fasttape;

namespace {

Tensor random_tensor(int64_t n, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(static_cast<float>(lo), static_cast<float>(hi));
  Tensor t = Tensor::empty(Shape{n}, DType::Float32);
  float* p = t.mutable_data<float>();
  for (int64_t i = 0; i < n; ++i) p[i] = u(rng);
  return t;
}

// memcpy GB/s (bytes read + written) between two warm buffers of nbytes:
// the best of several timed copies. Measured once per size.
double memcpy_gbps(size_t nbytes) {
  static std::map<size_t, double> cache;
  auto it = cache.find(nbytes);
  if (it != cache.end()) return it->second;
  char* src = static_cast<char*>(std::aligned_alloc(64, nbytes));
  char* dst = static_cast<char*>(std::aligned_alloc(64, nbytes));
  std::memset(src, 1, nbytes);
  std::memset(dst, 0, nbytes);
  int reps = static_cast<int>(std::max<size_t>(3, (size_t(1) << 28) / nbytes));
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    std::memcpy(dst, src, nbytes);
    benchmark::ClobberMemory();
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::free(src);
  std::free(dst);
  return cache[nbytes] = 2.0 * nbytes / best / 1e9;
}

void set_traffic(benchmark::State& state, int64_t n, int arrays) {
  const double bytes = static_cast<double>(n) * sizeof(float) * arrays;
  state.SetBytesProcessed(static_cast<int64_t>(bytes) * state.iterations());
  state.counters["GB"] = benchmark::Counter(bytes * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void set_vs_memcpy(benchmark::State& state, int64_t n, int arrays, double seconds_per_iter) {
  const double gbps = static_cast<double>(n) * sizeof(float) * arrays / seconds_per_iter / 1e9;
  state.counters["memcpy_GB_per_s"] = memcpy_gbps(n * sizeof(float));
  state.counters["vs_memcpy"] = gbps / memcpy_gbps(n * sizeof(float));
}

template <class F>
void run_timed(benchmark::State& state, int64_t n, int arrays, F&& f) {
  double total = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    Tensor y = f();
    benchmark::DoNotOptimize(y.raw());
    y = Tensor();  // free the output inside the timed region, as a loop of eager ops does
    total += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  set_traffic(state, n, arrays);
  set_vs_memcpy(state, n, arrays, total / state.iterations());
}

// ---- the baseline itself, as a benchmark row
void BM_Memcpy(benchmark::State& state) {
  const int64_t n = state.range(0);
  const size_t nbytes = n * sizeof(float);
  char* src = static_cast<char*>(std::aligned_alloc(64, nbytes));
  char* dst = static_cast<char*>(std::aligned_alloc(64, nbytes));
  std::memset(src, 1, nbytes);
  std::memset(dst, 0, nbytes);
  for (auto _ : state) {
    std::memcpy(dst, src, nbytes);
    benchmark::ClobberMemory();
  }
  set_traffic(state, n, 2);
  std::free(src);
  std::free(dst);
}

void BM_Add(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = random_tensor(n, -1, 1, 1), b = random_tensor(n, -1, 1, 2);
  run_timed(state, n, 3, [&] { return add(a, b); });
}

void BM_Mul(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = random_tensor(n, -1, 1, 1), b = random_tensor(n, -1, 1, 2);
  run_timed(state, n, 3, [&] { return multiply(a, b); });
}

void BM_Tanh(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = random_tensor(n, -4, 4, 3);
  run_timed(state, n, 2, [&] { return tanh(a); });
}

void BM_Exp(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = random_tensor(n, -10, 10, 4);
  run_timed(state, n, 2, [&] { return exp(a); });
}

void BM_ReduceSum(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = random_tensor(n, -1, 1, 5);
  run_timed(state, n, 1, [&] { return reduce_sum(a); });
}

void BM_Matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  Tensor a = random_tensor(n * n, -1, 1, 6).with_shape(Shape{n, n});
  Tensor b = random_tensor(n * n, -1, 1, 7).with_shape(Shape{n, n});
  for (auto _ : state) {
    Tensor c = matmul(a, b);
    benchmark::DoNotOptimize(c.raw());
  }
  state.counters["GFLOP"] =
      benchmark::Counter(2.0 * n * n * n * state.iterations() / 1e9, benchmark::Counter::kIsRate);
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(1 << 16)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(BM_Memcpy)->Apply(sizes);
BENCHMARK(BM_Add)->Apply(sizes);
BENCHMARK(BM_Mul)->Apply(sizes);
BENCHMARK(BM_Tanh)->Apply(sizes);
BENCHMARK(BM_Exp)->Apply(sizes);
BENCHMARK(BM_ReduceSum)->Apply(sizes);
BENCHMARK(BM_Matmul)->Arg(256)->Arg(512)->Arg(1024)->UseRealTime()->Unit(benchmark::kMillisecond);

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("fasttape_simd", simd_isa());
  benchmark::AddCustomContext("fasttape_threads", std::to_string(num_threads()));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
