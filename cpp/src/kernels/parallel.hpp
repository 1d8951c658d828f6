// Intra-op parallelism: a small pool of worker threads that share work with
// the calling thread by claiming chunks.
//
// Why not an OpenMP team: a parallel region ends at a barrier, so the caller
// waits for every team member, including one the OS has not scheduled yet.
// Here the caller starts on the chunks at once and takes every chunk nobody
// else has claimed; a late worker finds nothing left and goes back to
// waiting. The caller waits only for chunks a worker has already started.
// W3's training step, with the same chunks handed to OpenMP regions instead:
// equal on a quiet 2-core machine (0.197 ms), but 0.40-0.57 ms against the
// pool's 0.34-0.38 with a busy loop on the other core.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

namespace fasttape {
namespace kernels {

int num_threads();

// The most threads set_num_threads or OMP_NUM_THREADS may ask for (the pool
// starts one OS thread per extra thread).
constexpr int kMaxThreads = 1024;

// parallel_for splits work only from 2 grains up. Memory-bound loops go
// parallel from 128k elements: on 2 cores, with the worker awake, a 200k-float
// multiply took 8 us instead of 14, a 140k one 4 us instead of 8 (below
// that the data sits in cache and one core is as fast). Compute-bound loops
// pass a smaller grain.
constexpr int64_t kParallelGrain = 1 << 16;

using ChunkFn = void (*)(void* ctx, int64_t chunk);

// Runs fn(ctx, c) for every c in [0, nchunks), each exactly once, on the
// calling thread and up to nthreads - 1 pool workers; returns when all have
// finished. Runs everything on the calling thread when called from inside a
// chunk, or while another thread's job holds the pool. An exception thrown by
// a chunk is rethrown here after the other chunks finish.
// wake = false is for jobs too short to pay for waking a sleeping worker (a
// futex call, then tens of microseconds before it runs): they use workers
// only while these still spin after an earlier job, else run on the caller.
void run_chunks(int64_t nchunks, int nthreads, ChunkFn fn, void* ctx, bool wake = true);

// True on pool workers, and on a caller while it runs the chunks of a job
// of more than one chunk (also when it runs them alone).
bool in_parallel_region();

// Calls f(c) for c in [0, nchunks), in parallel when more than one thread is
// configured. Which thread runs a chunk varies; what a chunk computes must
// depend only on c.
template <class F>
inline void parallel_chunks(int64_t nchunks, F&& f, bool wake = true) {
  if (nchunks <= 1) {
    if (nchunks == 1) f(int64_t(0));
    return;
  }
  using Fn = std::remove_reference_t<F>;
  run_chunks(nchunks, num_threads(), [](void* p, int64_t c) { (*static_cast<Fn*>(p))(c); }, &f, wake);
}

// Number of chunks parallel_for cuts [0, n) into for this grain: 1 below two
// grains or with one thread, else up to four per thread so that a caller can
// take over the share of a worker that starts late.
inline int64_t parallel_for_chunks(int64_t n, int64_t grain) {
  const int nt = num_threads();
  if (nt <= 1 || n < 2 * grain) return 1;
  return std::min<int64_t>(n / grain, 4 * static_cast<int64_t>(nt));
}


// Whether a parallel_for of n elements is long enough to wake sleeping
// workers (see run_chunks): from 16 grains, a million elements of a
// memory-bound loop. Measured on 2 cores: waking the worker for a 200k-float
// multiply made it 27 us instead of 22 us on the caller alone.
inline bool wakes_workers(int64_t n, int64_t grain) { return n >= 16 * grain; }

// Start of chunk c of k over [0, n): n*c/k, rounded down to a multiple of 64
// when chunks are long. Vector loops then see every element at the same
// position in its SIMD block as on one thread (only the final tail goes
// through the scalar path), so results do not depend on the thread count.
inline int64_t chunk_begin(int64_t n, int64_t c, int64_t k) {
  const int64_t p = n * c / k;
  return (c == k || n / k < 1024) ? p : p & ~int64_t(63);
}

// Calls f(begin, end) over [0, n) split into contiguous chunks; in parallel
// only when n >= 2 * grain and more than one thread is configured. Chunk c
// covers [chunk_begin(n, c, K), chunk_begin(n, c + 1, K)) for
// K = parallel_for_chunks(n, grain).
template <class F>
inline void parallel_for(int64_t n, int64_t grain, F&& f) {
  if (n <= 0) return;
  const int64_t k = parallel_for_chunks(n, grain);
  if (k == 1) {
    f(int64_t(0), n);
    return;
  }
  parallel_chunks(k, [&](int64_t c) { f(chunk_begin(n, c, k), chunk_begin(n, c + 1, k)); }, wakes_workers(n, grain));
}

// Full reductions of long arrays combine this many partial results (fewer for
// shorter arrays), on however many threads there are.
constexpr int64_t kReduceChunks = 16;

// Reduces [0, n): part(begin, end) reduces a range, and the partials are
// folded in order from init with combine. From 4 grains the range is cut
// into a number of partials that does not depend on the thread count, so
// the result has the same bits on any number of threads.
template <class T, class Part, class Combine>
inline T reduce_in_chunks(int64_t n, T init, Part&& part, Combine&& combine) {
  if (n < 4 * kParallelGrain) return part(int64_t(0), n);
  const int64_t k = std::min<int64_t>(n / kParallelGrain, kReduceChunks);
  T partial[kReduceChunks];
  parallel_chunks(k, [&](int64_t c) { partial[c] = part(chunk_begin(n, c, k), chunk_begin(n, c + 1, k)); },
                  wakes_workers(n, kParallelGrain));
  T s = init;
  for (int64_t c = 0; c < k; ++c) s = combine(s, partial[c]);
  return s;
}

}  // namespace kernels
}  // namespace fasttape
