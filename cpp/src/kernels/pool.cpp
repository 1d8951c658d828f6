// The worker pool behind parallel_chunks (see parallel.hpp for why).
//
// One job at a time. A job is published through one 64-bit word: the job's
// generation in the high half, the next unclaimed chunk in the low half.
// Threads claim a chunk with a compare-and-swap on that word, so a worker
// still holding the word of a finished job can never claim a chunk of the
// next one (the old word is retired before the new job's fields are
// written). Idle workers spin for a short while (a training step calls the
// pool again within tens of microseconds), then sleep on a condition
// variable; the caller notifies only when someone sleeps.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <climits>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/parallel.hpp"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FT_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define FT_CPU_RELAX() asm volatile("yield" ::: "memory")
#else
#define FT_CPU_RELAX() ((void)0)
#endif

namespace fasttape {
namespace kernels {

namespace {

thread_local bool t_in_parallel = false;

// How long an idle worker spins before it sleeps. Longer than the gaps
// between the GEMMs of a small training step, short enough that a program
// that stops calling the pool frees the core at once to the eye.
constexpr auto kSpin = std::chrono::microseconds(400);

// How long after a kick the workers count as awake: less than kSpin, so a
// kicked worker is still spinning when a job skips the notify for it.
constexpr int64_t kKickedNs = 300000;

inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline uint32_t gen_of(uint64_t w) { return static_cast<uint32_t>(w >> 32); }
inline uint32_t idx_of(uint64_t w) { return static_cast<uint32_t>(w); }
constexpr uint64_t kNoChunk = 0xFFFFFFFFu;  // index of a retired word: nothing to claim

// Runs every chunk on this thread, marked as inside a parallel region; like
// a pool job, all chunks run even if one throws, and the first exception is
// rethrown at the end.
void run_inline(int64_t nchunks, ChunkFn fn, void* ctx) {
  const bool was = t_in_parallel;
  t_in_parallel = true;
  std::exception_ptr err;
  for (int64_t c = 0; c < nchunks; ++c) {
    try {
      fn(ctx, c);
    } catch (...) {
      if (!err) err = std::current_exception();
    }
  }
  t_in_parallel = was;
  if (err) std::rethrow_exception(err);
}

class Pool {
 public:
  // Runs the job; the caller holds busy_.
  void run(int64_t nchunks, int nthreads, ChunkFn fn, void* ctx, bool wake) {
    // Workers kicked this recently are waking up (or already spinning): the
    // job needs no notify, and they will find it.
    const int64_t start = now_ns();
    const bool kicked = start - last_kick_.load(std::memory_order_relaxed) < kKickedNs;
    // Workers that take part: the first nthreads - 1. Only they count in
    // sleepers_ (the others sleep uncounted, and are woken when the thread
    // count grows again).
    const int takers = std::min(static_cast<int>(nworkers_), nthreads - 1);
    if (!wake && !kicked && sleepers_.load(std::memory_order_relaxed) >= takers) {
      // Every worker sleeps (or none exists yet): the caller runs the job
      // alone. When such jobs come in a stream (two within a millisecond),
      // it then wakes the workers so that the next ones find them spinning;
      // an isolated job does not pay for the wake-up (about 6 us here).
      const bool stream = start - last_alone_end_.load(std::memory_order_relaxed) < 1000000;
      const bool had_workers = nworkers_ > 0;
      if (stream && !had_workers) {
        try {
          grow(nthreads - 1);  // new workers start out spinning
        } catch (...) {
        }
      }
      busy_.store(false, std::memory_order_release);
      struct After {  // also when a chunk throws
        Pool* pool;
        bool kick;
        ~After() {
          pool->last_alone_end_.store(now_ns(), std::memory_order_relaxed);
          if (kick) pool->kick();
        }
      } after{this, stream && had_workers};
      run_inline(nchunks, fn, ctx);
      return;
    }
    try {
      grow(nthreads - 1);
    } catch (...) {
      // No new thread: the job runs on the workers there are, if any.
    }
    // First retire the previous job's word: a worker that read it before
    // and then reads this job's fields would otherwise claim a chunk of this
    // job through the old word. The fences pair with the one in work(): a
    // worker that sees any new field fails its compare-and-swap.
    const uint32_t gen = gen_of(word_.load(std::memory_order_relaxed)) + 2;
    word_.store((static_cast<uint64_t>(gen - 1) << 32) | kNoChunk, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
    const bool more_takers = nthreads - 1 > limit_.load(std::memory_order_relaxed);
    fn_.store(fn, std::memory_order_relaxed);
    ctx_.store(ctx, std::memory_order_relaxed);
    n_.store(static_cast<uint32_t>(nchunks), std::memory_order_relaxed);
    limit_.store(nthreads - 1, std::memory_order_seq_cst);
    done_.store(0, std::memory_order_relaxed);
    error_ = nullptr;
    word_.store(static_cast<uint64_t>(gen) << 32, std::memory_order_seq_cst);
    if ((sleepers_.load(std::memory_order_seq_cst) > 0 && !kicked) || more_takers) {
      { std::lock_guard<std::mutex> lk(m_); }
      cv_.notify_all();
    }
    t_in_parallel = true;
    work(gen);
    t_in_parallel = false;
    // Wait for chunks that workers have started.
    for (unsigned spins = 0; done_.load(std::memory_order_acquire) < static_cast<uint32_t>(nchunks); ++spins) {
      if (spins < 4096) {
        FT_CPU_RELAX();
      } else {
        std::this_thread::yield();  // the worker may be waiting for this core
      }
    }
    std::exception_ptr err = error_;
    error_ = nullptr;
    busy_.store(false, std::memory_order_release);
    if (err) std::rethrow_exception(err);
  }

  bool try_acquire() { return !busy_.exchange(true, std::memory_order_acquire); }

 private:
  // Claims and runs chunks of job `gen` until none is left.
  void work(uint32_t gen) {
    uint64_t w = word_.load(std::memory_order_acquire);
    for (;;) {
      if (gen_of(w) != gen) return;
      const uint32_t i = idx_of(w);
      const uint32_t n = n_.load(std::memory_order_relaxed);
      const ChunkFn fn = fn_.load(std::memory_order_relaxed);
      void* ctx = ctx_.load(std::memory_order_relaxed);
      if (i >= n) return;
      std::atomic_thread_fence(std::memory_order_acquire);
      if (!word_.compare_exchange_weak(w, w + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      try {
        fn(ctx, i);
      } catch (...) {
        std::lock_guard<std::mutex> lk(m_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_release);
      w = word_.load(std::memory_order_acquire);
    }
  }

  void grow(int want) {
    while (static_cast<int>(nworkers_) < want) {
      const int index = static_cast<int>(nworkers_);
      std::thread([this, index] { worker(index); }).detach();
      ++nworkers_;
    }
  }

  // Wakes sleeping workers without a job: they spin again for a while.
  void kick() {
    last_kick_.store(now_ns(), std::memory_order_relaxed);
    {
      std::lock_guard<std::mutex> lk(m_);
      kicks_.fetch_add(1, std::memory_order_relaxed);
    }
    cv_.notify_all();
  }

  void worker(int index) {
    t_in_parallel = true;
    uint32_t seen = gen_of(word_.load(std::memory_order_acquire));
    bool spin = true;
    for (;;) {
      // Wait for a new job: spin, then sleep until a job or a kick.
      uint64_t w = word_.load(std::memory_order_acquire);
      if (gen_of(w) == seen) {
        // A worker left out of the last job (its index is beyond the thread
        // count now set) goes back to sleep at once instead of spinning.
        const auto until = std::chrono::steady_clock::now() + (spin ? kSpin : std::chrono::microseconds(0));
        bool job = false;
        for (unsigned spins = 1;; ++spins) {
          FT_CPU_RELAX();
          w = word_.load(std::memory_order_acquire);
          if (gen_of(w) != seen) {
            job = true;
            break;
          }
          if ((spins & 255) == 0 && std::chrono::steady_clock::now() > until) {
            std::unique_lock<std::mutex> lk(m_);
            const uint32_t kicks = kicks_.load(std::memory_order_relaxed);
            const bool counted = index < limit_.load(std::memory_order_seq_cst);
            if (counted) sleepers_.fetch_add(1, std::memory_order_seq_cst);
            cv_.wait(lk, [&] {
              return gen_of(word_.load(std::memory_order_seq_cst)) != seen ||
                     kicks_.load(std::memory_order_relaxed) != kicks;
            });
            if (counted) sleepers_.fetch_sub(1, std::memory_order_relaxed);
            w = word_.load(std::memory_order_acquire);
            job = gen_of(w) != seen;
            break;
          }
        }
        if (!job) continue;  // kicked: spin again
      }
      seen = gen_of(w);
      spin = index < limit_.load(std::memory_order_relaxed);
      if (spin) work(seen);
    }
  }

  alignas(64) std::atomic<uint64_t> word_{0};
  std::atomic<ChunkFn> fn_{nullptr};
  std::atomic<void*> ctx_{nullptr};
  std::atomic<uint32_t> n_{0};
  std::atomic<int> limit_{0};
  alignas(64) std::atomic<uint32_t> done_{0};
  alignas(64) std::atomic<bool> busy_{false};
  std::atomic<int> sleepers_{0};
  std::atomic<uint32_t> kicks_{0};
  std::atomic<int64_t> last_kick_{INT64_MIN / 2};
  unsigned nworkers_ = 0;  // touched only by the thread holding busy_
  std::atomic<int64_t> last_alone_end_{INT64_MIN / 2};  // when a job that ran on the caller alone ended
  std::mutex m_;
  std::condition_variable cv_;
  std::exception_ptr error_;
};

// The pool lives for the whole process (its workers are detached and never
// stop). A forked child has none of the parent's threads, so it starts a
// fresh pool; the parent's is abandoned there without being touched.
std::atomic<Pool*> g_pool{nullptr};
std::mutex g_pool_init;

// Fork: g_pool_init is held across fork() so that the child never inherits
// it locked by a thread that does not exist there.
void lock_before_fork() { g_pool_init.lock(); }
void unlock_in_parent() { g_pool_init.unlock(); }
void reset_in_child() {
  g_pool_init.unlock();
  g_pool.store(nullptr, std::memory_order_relaxed);
}

Pool* pool() {
  Pool* p = g_pool.load(std::memory_order_acquire);
  if (p) return p;
  std::lock_guard<std::mutex> lk(g_pool_init);
  p = g_pool.load(std::memory_order_relaxed);
  if (!p) {
    static std::once_flag once;
    std::call_once(once, [] { pthread_atfork(lock_before_fork, unlock_in_parent, reset_in_child); });
    p = new Pool();
    g_pool.store(p, std::memory_order_release);
  }
  return p;
}

}  // namespace

bool in_parallel_region() { return t_in_parallel; }

void run_chunks(int64_t nchunks, int nthreads, ChunkFn fn, void* ctx, bool wake) {
  Pool* p = nullptr;
  if (nchunks > 1 && nthreads > 1 && !t_in_parallel && nchunks < (int64_t(1) << 31)) {
    p = pool();
    if (!p->try_acquire()) p = nullptr;
  }
  if (!p) return run_inline(nchunks, fn, ctx);
  p->run(nchunks, nthreads, fn, ctx, wake);
}

}  // namespace kernels
}  // namespace fasttape
