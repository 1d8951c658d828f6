// Tests of the intra-op worker pool (cpp/src/kernels/pool.cpp): every chunk
// runs exactly once, whatever the thread count; exceptions reach the caller
// and leave the pool usable; nested and concurrent callers run correctly.
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <fasttape/fasttape.hpp>

#include "check.hpp"

#include "kernels/parallel.hpp"

using namespace fasttape;
using kernels::parallel_chunks;
using kernels::parallel_for;

using fttest::check;

static void each_chunk_once() {
  for (int nt : {1, 2, 3, 8}) {
    set_num_threads(nt);
    for (int64_t n : {0, 1, 2, 3, 7, 64, 1000}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      for (auto& h : hits) h = 0;
      for (int rep = 0; rep < 50; ++rep)
        parallel_chunks(n, [&](int64_t c) { hits[static_cast<size_t>(c)]++; }, /*wake=*/rep % 2 == 0);
      bool ok = true;
      for (auto& h : hits) ok &= h.load() == 50;
      check(ok, "threads " + std::to_string(nt) + ", " + std::to_string(n) + " chunks: each ran once per job");
    }
  }
  set_num_threads(0);
}

static void parallel_for_covers_range() {
  set_num_threads(2);
  for (int64_t n : {1, 5, 1000, 1 << 20}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    for (auto& h : hits) h = 0;
    std::atomic<int64_t> calls{0};
    parallel_for(n, 1000, [&](int64_t b, int64_t e) {
      ++calls;
      for (int64_t i = b; i < e; ++i) hits[static_cast<size_t>(i)]++;
    });
    bool ok = true;
    for (auto& h : hits) ok &= h.load() == 1;
    check(ok, "parallel_for over " + std::to_string(n) + " covers each index once");
    check(calls.load() == kernels::parallel_for_chunks(n, 1000), "parallel_for makes the announced number of chunks");
  }
  set_num_threads(0);
}

static void uses_workers_and_respects_one_thread() {
  std::mutex m;
  std::set<std::thread::id> ids;
  auto record = [&](int64_t) {
    // Long enough that an idle worker gets to claim some chunks.
    volatile double s = 0;
    for (int i = 0; i < 200000; ++i) s = s + i;
    std::lock_guard<std::mutex> lk(m);
    ids.insert(std::this_thread::get_id());
  };
  set_num_threads(1);
  parallel_chunks(16, record);
  check(ids.size() == 1 && *ids.begin() == std::this_thread::get_id(), "one thread: chunks run on the caller only");
  set_num_threads(2);
  for (int rep = 0; rep < 20 && ids.size() < 2; ++rep) parallel_chunks(16, record);
  check(ids.size() == 2, "two threads: a pool worker takes part");
  // Jobs that do not wake sleeping workers: once they come in a stream, the
  // workers are woken for the ones that follow.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));  // the worker goes to sleep
  ids.clear();
  for (int rep = 0; rep < 200 && ids.size() < 2; ++rep) parallel_chunks(16, record, /*wake=*/false);
  check(ids.size() == 2, "a stream of non-waking jobs gets the worker back");
  set_num_threads(0);
}

static void exception_reaches_caller() {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(32);
  for (auto& h : hits) h = 0;
  std::string msg;
  try {
    parallel_chunks(32, [&](int64_t c) {
      hits[static_cast<size_t>(c)]++;
      if (c == 5) throw std::runtime_error("chunk five");
    });
  } catch (const std::runtime_error& e) {
    msg = e.what();
  }
  check(msg == "chunk five", "a chunk's exception is rethrown to the caller: '" + msg + "'");
  bool ok = true;
  for (auto& h : hits) ok &= h.load() == 1;
  check(ok, "the other chunks still ran once each");
  std::atomic<int> after{0};
  parallel_chunks(64, [&](int64_t) { ++after; });
  check(after.load() == 64, "the pool works after an exception");

  // The same promise when the caller runs a job alone: on one thread, and
  // for a job that does not wake the sleeping workers.
  for (int mode = 0; mode < 2; ++mode) {
    set_num_threads(mode == 0 ? 1 : 2);
    if (mode == 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // workers asleep
    for (auto& h : hits) h = 0;
    bool inside = true;
    msg.clear();
    try {
      parallel_chunks(32, [&](int64_t c) {
        hits[static_cast<size_t>(c)]++;
        if (!kernels::in_parallel_region()) inside = false;
        if (c == 0) throw std::runtime_error("chunk zero");
      }, /*wake=*/false);
    } catch (const std::runtime_error& e) {
      msg = e.what();
    }
    ok = true;
    for (auto& h : hits) ok &= h.load() == 1;
    const std::string how = mode == 0 ? " (one thread)" : " (workers asleep, no wake)";
    check(msg == "chunk zero" && ok, "run alone, a throwing chunk 0 leaves the others to run, then rethrows" + how);
    check(inside, "run alone, chunks see in_parallel_region()" + how);
  }
  set_num_threads(0);
}

static void nested_and_concurrent_callers() {
  set_num_threads(2);
  std::atomic<int64_t> total{0};
  parallel_chunks(8, [&](int64_t) {
    check(kernels::in_parallel_region(), "inside a chunk, in_parallel_region() is true");
    parallel_chunks(10, [&](int64_t c) { total += c; });  // runs inline
  });
  check(total.load() == 8 * 45, "nested parallel_chunks run every inner chunk");
  check(!kernels::in_parallel_region(), "after a job, the caller is no longer in a parallel region");

  // Back-to-back jobs from one caller: a worker finishing with one job must
  // never run a chunk of the next through the old job's state.
  int bad_serial = 0;
  for (int rep = 0; rep < 100000; ++rep) {
    const int64_t n = 2 + rep % 5;
    std::atomic<int64_t> s{0};
    parallel_chunks(n, [&](int64_t c) { s += c + 1; });
    if (s.load() != n * (n + 1) / 2) ++bad_serial;
  }
  check(bad_serial == 0, "100000 back-to-back jobs all complete exactly (" + std::to_string(bad_serial) + " bad)");

  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int rep = 0; rep < 3000; ++rep) {
        const int64_t n = 1 + (rep * 7 + t) % 40;
        std::atomic<int64_t> s{0};
        parallel_chunks(n, [&](int64_t c) { s += c + 1; });
        if (s.load() != n * (n + 1) / 2) ++bad;
      }
    });
  }
  for (auto& th : threads) th.join();
  check(bad.load() == 0, "four threads calling the pool at once all get complete jobs");
  set_num_threads(0);
}

// The threaded GEMM computes each element of C with the same blocking and
// order of additions as the single-threaded one, so results are bitwise
// equal, for edge shapes and transposed operands alike.
static void threaded_matmul_matches_serial() {
  const int64_t shapes[][3] = {{64, 256, 784}, {784, 256, 64}, {13, 700, 333}, {300, 5, 2000}, {1, 4096, 1025},
                               {257, 129, 520}};
  for (auto& s : shapes) {
    for (DType dt : {DType::Float32, DType::Float64}) {
      for (int ta = 0; ta < 2; ++ta) {
        const int64_t M = s[0], N = s[1], K = s[2];
        Tensor a = Tensor::zeros(ta ? Shape{K, M} : Shape{M, K}, DType::Float64);
        Tensor b = Tensor::zeros(Shape{K, N}, DType::Float64);
        double* pa = a.mutable_data<double>();
        double* pb = b.mutable_data<double>();
        for (int64_t i = 0; i < a.numel(); ++i) pa[i] = std::sin(0.37 * static_cast<double>(i)) + 0.1;
        for (int64_t i = 0; i < b.numel(); ++i) pb[i] = std::cos(0.11 * static_cast<double>(i)) - 0.2;
        Tensor ac = cast(a, dt), bc = cast(b, dt);
        set_num_threads(1);
        Tensor c1 = matmul(ac, bc, ta != 0, false);
        set_num_threads(2);
        Tensor c2 = matmul(ac, bc, ta != 0, false);
        set_num_threads(0);
        Tensor d1 = cast(c1, DType::Float64), d2 = cast(c2, DType::Float64);
        bool same = true;
        for (int64_t i = 0; i < d1.numel(); ++i) same &= d1.data<double>()[i] == d2.data<double>()[i];
        check(same, "matmul " + std::to_string(M) + "x" + std::to_string(K) + " @ " + std::to_string(K) + "x" +
                        std::to_string(N) + (ta ? " (A transposed)" : "") +
                        (dt == DType::Float32 ? " float32" : " float64") + ": 2 threads == 1 thread bitwise");
      }
    }
  }
}

int main() {
  each_chunk_once();
  parallel_for_covers_range();
  uses_workers_and_respects_one_thread();
  exception_reaches_caller();
  nested_and_concurrent_callers();
  threaded_matmul_matches_serial();
  return fttest::report();
}
