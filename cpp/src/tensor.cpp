// Tensor storage and the Variable slot.
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <new>
#include <sstream>

#include "fasttape/ops.hpp"
#include "fasttape/tape.hpp"
#include "fasttape/tensor.hpp"
#include "fasttape/variable.hpp"
#include "kernels/kernels.hpp"

#ifdef __GLIBC__
#include <malloc.h>
#endif
#ifdef __linux__
#include <sys/mman.h>
#endif

namespace fasttape {

// Small buffers come from per-thread free lists of 64-byte-aligned blocks
// (size classes of 64 bytes up to kPoolMax), carved from slabs: tiny tensors
// (scalars, short vectors) cost a list pop instead of an aligned malloc. A
// block freed on another thread joins that thread's lists. When a thread
// exits, its lists go to a shared store that other threads draw from, so
// memory stays bounded by the peak in use. Big buffers use aligned_alloc.
namespace {
constexpr size_t kPoolMax = 1024;  // header + data, bytes
constexpr size_t kClasses = kPoolMax / 64;
constexpr size_t kSlabBlocks = 32;

struct FreeBlock {
  FreeBlock* next;
};

// Lists left by exited threads.
std::mutex g_orphan_mu;
FreeBlock* g_orphans[kClasses + 1] = {};

void push_list(FreeBlock*& head, FreeBlock* b) {
  b->next = head;
  head = b;
}

thread_local bool t_pool_gone = false;  // trivially destructible: valid at exit

struct Pool {
  FreeBlock* heads[kClasses + 1] = {};
  ~Pool() {
    t_pool_gone = true;
    std::lock_guard<std::mutex> lk(g_orphan_mu);
    for (size_t c = 1; c <= kClasses; ++c)
      while (FreeBlock* b = heads[c]) {
        heads[c] = b->next;
        push_list(g_orphans[c], b);
      }
  }
  void* take(size_t cls) {
    if (FreeBlock* b = heads[cls]) {
      heads[cls] = b->next;
      return b;
    }
    {
      std::lock_guard<std::mutex> lk(g_orphan_mu);
      if (g_orphans[cls]) {
        heads[cls] = g_orphans[cls];
        g_orphans[cls] = nullptr;
      }
    }
    if (FreeBlock* b = heads[cls]) {
      heads[cls] = b->next;
      return b;
    }
    const size_t bs = cls * 64;
    char* slab = static_cast<char*>(std::aligned_alloc(64, bs * kSlabBlocks));
    if (!slab) throw std::bad_alloc();
    for (size_t i = 1; i < kSlabBlocks; ++i) push_list(heads[cls], reinterpret_cast<FreeBlock*>(slab + i * bs));
    return slab;
  }
};

Pool& pool() {
  static thread_local Pool p;
  return p;
}

#ifdef FASTTAPE_PLAIN_MALLOC
size_t block_class(size_t) { return 0; }  // sanitizer builds: every block from malloc
#else
size_t block_class(size_t total) { return total <= kPoolMax ? (total + 63) / 64 : 0; }
#endif

void give_block(void* p, size_t cls) {
  auto* b = static_cast<FreeBlock*>(p);
  if (t_pool_gone) {
    std::lock_guard<std::mutex> lk(g_orphan_mu);
    push_list(g_orphans[cls], b);
    return;
  }
  push_list(pool().heads[cls], b);
}

// The same pool for TensorImpl objects and their shared_ptr control blocks
// (std::allocate_shared): a tensor costs no malloc at all when small.
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) {}
  T* allocate(size_t n) {
    size_t cls = block_class(n * sizeof(T));
    if (cls) return static_cast<T*>(pool().take(cls));
    return static_cast<T*>(::operator new(n * sizeof(T)));
  }
  void deallocate(T* p, size_t n) {
    size_t cls = block_class(n * sizeof(T));
    if (cls) give_block(p, cls);
    else ::operator delete(p);
  }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const PoolAllocator<U>&) const { return false; }
};

std::shared_ptr<TensorImpl> new_impl() { return std::allocate_shared<TensorImpl>(PoolAllocator<TensorImpl>()); }
}  // namespace

// Big buffers (64 KiB and more, sizes rounded up to 64 KiB): a bounded cache
// of freed ones, so a loop that allocates the same sizes over and over
// reuses memory that is already mapped instead of faulting in fresh pages
// each time (glibc maps such sizes afresh or trims them off the heap). (Asking for transparent huge pages was
// measured to stall for tens of milliseconds in synchronous compaction on
// these machines, so plain pages it is.) The cache holds at most kCacheEntries
// buffers and kCacheBytes bytes, so peak memory stays close to the live set.
//
// Memory goes back to the system when it is not being reused: a buffer that
// sat in the cache for kIdle (a loop reuses its buffers within one step, far
// sooner) is freed at the next big allocation or free, and
// clear_memory_cache() frees them all at once. After freeing much, glibc is
// asked to return its free pages (malloc_trim), since it keeps freed heap
// memory resident.
namespace {
constexpr size_t kBigMin = size_t(64) << 10;  // buffers this big or bigger are cached
constexpr size_t kBigGrain = size_t(64) << 10;  // their sizes are rounded up to this
constexpr size_t kCacheEntries = 64;
constexpr size_t kCacheBytes = size_t(512) << 20;
constexpr std::chrono::steady_clock::duration kIdle = std::chrono::seconds(1);
constexpr size_t kTrimBytes = size_t(16) << 20;  // freeing this much at once asks glibc to trim

struct CachedBuffer {
  size_t size;
  void* p;
  std::chrono::steady_clock::time_point since;
};
struct BigCache {
  std::mutex mu;
  std::vector<CachedBuffer> free;  // oldest first
  size_t bytes = 0;
  uint64_t fresh = 0, reused = 0;
  int64_t live = 0, peak = 0;  // bytes of big buffers in use, and the peak since reset
};
BigCache& big_cache() {
  static BigCache* c = new BigCache();  // never destroyed: used until exit
  return *c;
}

size_t big_size(size_t total) { return ((total + kBigGrain - 1) / kBigGrain) * kBigGrain; }

// Moves the entries cached since before `older_than` (all of them when it is
// the clock's maximum) into `out`; the caller frees them outside the lock.
void take_idle_locked(BigCache& c, std::chrono::steady_clock::time_point older_than, std::vector<CachedBuffer>* out) {
  size_t k = 0;
  while (k < c.free.size() && c.free[k].since < older_than) ++k;
  if (!k) return;
  for (size_t i = 0; i < k; ++i) {
    c.bytes -= c.free[i].size;
    out->push_back(c.free[i]);
  }
  c.free.erase(c.free.begin(), c.free.begin() + static_cast<std::ptrdiff_t>(k));
}

[[maybe_unused]] void release_to_system(const std::vector<CachedBuffer>& bufs) {
  size_t total = 0;
  for (const CachedBuffer& b : bufs) {
    std::free(b.p);
    total += b.size;
  }
#ifdef __GLIBC__
  if (total >= kTrimBytes) malloc_trim(0);
#endif
}

// Asks Linux to back a fresh buffer of 4 MiB or more with transparent huge
// pages, as numpy does for its arrays: where the system's setting is
// "madvise" (the common default), a buffer without the advice gets 4 KiB
// pages, and streaming through it costs a TLB miss every 4 KiB (the
// Dataset.batch benchmark read such buffers about 8% slower than numpy's).
void advise_huge_pages([[maybe_unused]] void* p, [[maybe_unused]] size_t size) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr size_t kMin = size_t(4) << 20, kPage = 4096;
  if (size < kMin) return;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(p) + kPage - 1) & ~uintptr_t(kPage - 1);
  const uintptr_t end = (reinterpret_cast<uintptr_t>(p) + size) & ~uintptr_t(kPage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only: errors ignored
#endif
}

void* big_alloc(size_t size) {
  BigCache& c = big_cache();
  std::vector<CachedBuffer> idle;
  void* p = nullptr;
#ifndef FASTTAPE_PLAIN_MALLOC  // sanitizer builds: counted, never cached
  {
    std::lock_guard<std::mutex> lk(c.mu);
    const auto now = std::chrono::steady_clock::now();
    for (size_t i = c.free.size(); i-- > 0;) {  // the most recently freed first
      if (c.free[i].size == size) {
        p = c.free[i].p;
        c.free.erase(c.free.begin() + static_cast<std::ptrdiff_t>(i));
        c.bytes -= size;
        ++c.reused;
        break;
      }
    }
    if (!c.free.empty() && c.free.front().since < now - kIdle) take_idle_locked(c, now - kIdle, &idle);
  }
  if (!idle.empty()) release_to_system(idle);
  if (p) return p;
#endif
  p = std::aligned_alloc(Buffer::kAlign, size);
  if (!p) throw std::bad_alloc();
  advise_huge_pages(p, size);
  std::lock_guard<std::mutex> lk(c.mu);
  ++c.fresh;
  return p;
}

void big_free(void* p, [[maybe_unused]] size_t size) {
  std::vector<CachedBuffer> idle;
  bool cached = false;
#ifndef FASTTAPE_PLAIN_MALLOC  // sanitizer builds: never cached
  BigCache& c = big_cache();
  {
    std::lock_guard<std::mutex> lk(c.mu);
    const auto now = std::chrono::steady_clock::now();
    if (!c.free.empty() && c.free.front().since < now - kIdle) take_idle_locked(c, now - kIdle, &idle);
    if (c.free.size() < kCacheEntries && c.bytes + size <= kCacheBytes) {
      c.free.push_back(CachedBuffer{size, p, now});
      c.bytes += size;
      cached = true;
    }
  }
#endif
  if (!cached) std::free(p);
  if (!idle.empty()) release_to_system(idle);
}
}  // namespace

size_t clear_memory_cache() {
  BigCache& c = big_cache();
  std::vector<CachedBuffer> all;
  {
    std::lock_guard<std::mutex> lk(c.mu);
    take_idle_locked(c, std::chrono::steady_clock::time_point::max(), &all);
  }
  size_t total = 0;
  for (const CachedBuffer& b : all) {
    std::free(b.p);
    total += b.size;
  }
#ifdef __GLIBC__
  malloc_trim(0);
#endif
  return total;
}

BigBufferStats big_buffer_stats(bool reset_peak) {
  BigCache& c = big_cache();
  std::lock_guard<std::mutex> lk(c.mu);
  BigBufferStats s{c.fresh, c.reused, c.live, c.peak};
  if (reset_peak) c.peak = c.live;
  return s;
}

namespace {
void count_big(int64_t delta) {
  BigCache& c = big_cache();
  std::lock_guard<std::mutex> lk(c.mu);
  c.live += delta;
  if (c.live > c.peak) c.peak = c.live;
}
}  // namespace

Buffer* Buffer::allocate(size_t nbytes) {
  size_t total = kHeader + ((nbytes + kAlign - 1) / kAlign) * kAlign;
  size_t cls = block_class(total);
  void* mem;
  if (cls) {
    mem = pool().take(cls);
  } else if (total >= kBigMin) {
    mem = big_alloc(big_size(total));
    count_big(static_cast<int64_t>(nbytes));
  } else {
    mem = std::aligned_alloc(kAlign, total);
    if (!mem) throw std::bad_alloc();
  }
  return new (mem) Buffer(nbytes);
}

void Buffer::destroy() {
  const size_t nbytes = nbytes_;
  size_t total = kHeader + ((nbytes + kAlign - 1) / kAlign) * kAlign;
  size_t cls = block_class(total);
  this->~Buffer();
  if (cls) {
    give_block(this, cls);
  } else if (total >= kBigMin) {
    count_big(-static_cast<int64_t>(nbytes));
    big_free(this, big_size(total));
  } else {
    std::free(this);
  }
}

// Ids are unique per process. A thread takes them from the shared counter a
// block at a time, so making a tensor costs no atomic operation.
uint64_t next_tensor_id() {
  static std::atomic<uint64_t> counter{1};
  constexpr uint64_t kBlock = 4096;
  static thread_local uint64_t next = 0, end = 0;
  if (next == end) {
    next = counter.fetch_add(kBlock, std::memory_order_relaxed);
    end = next + kBlock;
  }
  return next++;
}

std::string shape_problem(const Shape& shape) {
  if (shape.size() > Shape::kMaxRank)
    return "cannot make a tensor of rank " + std::to_string(shape.size()) + ": fasttape supports at most " +
           std::to_string(Shape::kMaxRank) + " dimensions";
  for (int64_t d : shape)
    if (d < 0) return "cannot make a tensor of shape " + shape_str(shape) + ": dimension " + std::to_string(d) + " must be >= 0";
  int64_t n;
  if (!shape.checked_numel(&n))
    return "cannot make a tensor of shape " + shape_str(shape) + ": it would have more than 2^58 elements; use "
           "smaller dimensions";
  return std::string();
}

[[noreturn]] static void bad_shape(const Shape& shape) { throw InvalidArgument(shape_problem(shape)); }

// Every tensor's storage is made here, so every shape an op or constructor
// creates passes this check (negative dimensions, element counts that
// overflow or exceed Shape::kMaxElements, ranks above Shape::kMaxRank);
// with_shape, the one other way to make a tensor, checks the rank (its
// callers check the element count).
Tensor Tensor::empty(const Shape& shape, DType dtype) {
  int64_t n;
  if (__builtin_expect(!shape.checked_numel(&n), 0)) bad_shape(shape);
  BufferRef buf(Buffer::allocate(static_cast<size_t>(n) * dtype_size(dtype)));
  auto impl = new_impl();
  TensorImpl& t = *impl;
  if (shape.size()) t.shape = shape;
  t.numel = n;
  t.dtype = dtype;
  t.buffer = std::move(buf);
  t.id = next_tensor_id();
  return Tensor(std::move(impl));
}

Tensor Tensor::from_data(const void* src, const Shape& shape, DType dtype) {
  Tensor t = empty(shape, dtype);
  if (t.nbytes()) std::memcpy(t.mutable_raw(), src, t.nbytes());
  return t;
}

Tensor Tensor::scalar(double v, DType dtype) {
  Tensor t = empty(Shape(), dtype);
  visit_dtype(dtype, [&](auto tag) {
    using T = decltype(tag);
    *t.mutable_data<T>() = static_cast<T>(v);
  });
  return t;
}

Tensor Tensor::full(const Shape& shape, double v, DType dtype) {
  Tensor t = empty(shape, dtype);
  kernels::fill(t, v);
  return t;
}

Tensor Tensor::with_shape(const Shape& shape) const {
  if (__builtin_expect(shape.size() > Shape::kMaxRank, 0)) bad_shape(shape);
  auto impl = new_impl();
  impl->shape = shape;
  impl->numel = p_->numel;
  impl->dtype = p_->dtype;
  impl->buffer = p_->buffer;
  impl->id = next_tensor_id();
  return Tensor(std::move(impl));
}

double Tensor::item() const {
  if (numel() != 1)
    throw InvalidArgument("item(): the tensor has " + std::to_string(numel()) +
                          " elements; only one-element tensors convert to a scalar");
  return visit_dtype(dtype(), [&](auto tag) -> double {
    using T = decltype(tag);
    return static_cast<double>(*data<T>());
  });
}

std::vector<double> Tensor::to_vector() const {
  std::vector<double> v(static_cast<size_t>(numel()));
  visit_dtype(dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* p = data<T>();
    for (int64_t i = 0; i < numel(); ++i) v[i] = static_cast<double>(p[i]);
  });
  return v;
}

std::string shape_str(const Shape& s) {
  std::ostringstream os;
  os << '[';
  for (int i = 0; i < s.size(); ++i) os << (i ? "," : "") << s[i];
  os << ']';
  return os.str();
}

// ---------------------------------------------------------------- Variable
uint64_t next_variable_uid() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

void Variable::init(const Tensor& initial, bool trainable) {
  if (!initial.defined()) throw InvalidArgument("Variable: the initial value is undefined");
  value_ = initial.with_shape(initial.shape());
  trainable_ = trainable;
}

void Variable::check(const Tensor& v, const char* op) const {
  if (!value_.defined())
    throw InvalidArgument(std::string(op) + ": the variable was never given an initial value");
  if (v.dtype() != value_.dtype())
    throw InvalidArgument(std::string(op) + ": the variable has dtype " + dtype_name(value_.dtype()) +
                          " but the value has dtype " + dtype_name(v.dtype()) + "; cast the value first");
  if (v.shape() != value_.shape())
    throw InvalidArgument(std::string(op) + ": cannot assign a value of shape " + shape_str(v.shape()) +
                          " to a variable of shape " + shape_str(value_.shape()));
}

static bool sole_owner(const Tensor& t) {
  return t.use_count() == 1 && t.impl()->buffer->use_count() == 1;
}

void* Variable::writable_data() {
  if (!value_.defined()) throw InvalidArgument("update: the variable was never given an initial value");
  if (!sole_owner(value_)) {
    Tensor fresh = Tensor::empty(value_.shape(), value_.dtype());
    std::memcpy(fresh.mutable_raw(), value_.raw(), value_.nbytes());
    value_ = fresh;
  }
  return value_.mutable_raw();
}

void Variable::assign(const Tensor& v) {
  check(v, "assign");
  if (sole_owner(value_)) {
    std::memcpy(value_.mutable_raw(), v.raw(), v.nbytes());
  } else {
    value_ = v.with_shape(v.shape());
  }
}

static void update(Tensor& value, const Tensor& delta, kernels::BinOp op, const char* name) {
  Shape out;
  if (!kernels::broadcast_shapes(value.shape(), delta.shape(), &out) || out != value.shape())
    throw InvalidArgument(std::string(name) + ": cannot update a variable of shape " + shape_str(value.shape()) +
                          " with a value of shape " + shape_str(delta.shape()));
  if (sole_owner(value)) {
    kernels::binary(op, value, delta, value);  // in place: nobody else sees it
  } else {
    Tensor fresh = Tensor::empty(value.shape(), value.dtype());
    kernels::binary(op, value, delta, fresh);
    value = fresh;
  }
}

void Variable::assign_add(const Tensor& delta) {
  if (!value_.defined() || delta.dtype() != value_.dtype()) check(delta, "assign_add");
  update(value_, delta, kernels::BinOp::Add, "assign_add");
}

void Variable::assign_sub(const Tensor& delta) {
  if (!value_.defined() || delta.dtype() != value_.dtype()) check(delta, "assign_sub");
  update(value_, delta, kernels::BinOp::Sub, "assign_sub");
}

}  // namespace fasttape
