// fasttape tensors: immutable values with a shared, 64-byte-aligned buffer.
//
// Terms
//   DType   one of float32, float64 (differentiable), int32, int64, bool.
//   Shape   dimensions, row-major; a tensor is always contiguous.
//   Buffer  a refcounted block of bytes whose header and data are one
//           allocation; the data starts on a 64-byte boundary.
//   Tensor  a handle (shared_ptr) to a TensorImpl: shape, dtype, buffer, a
//           process-unique id and the tags of the tapes that track it.
//
// Invariants
//   * A tensor's values never change once a caller can see them. The only
//     writer after construction is Variable::assign, and only when nobody else
//     holds the TensorImpl or the Buffer (see variable.hpp).
//   * A tensor never aliases memory a caller can write: data coming from
//     outside is copied in; views handed out are read-only.
//   * Tape tags (tape uid -> slot) are the only mutable part of a TensorImpl
//     and are touched only by the tape layer.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "fasttape/dtype.hpp"
#include "fasttape/error.hpp"
#include "fasttape/shape.hpp"

namespace fasttape {

// ---------------------------------------------------------------- Buffer
class Buffer {
 public:
  static constexpr size_t kAlign = 64;

  // Allocates nbytes of uninitialised, 64-byte-aligned storage (refcount 1).
  static Buffer* allocate(size_t nbytes);

  void* data() { return reinterpret_cast<char*>(this) + kHeader; }
  const void* data() const { return reinterpret_cast<const char*>(this) + kHeader; }
  size_t nbytes() const { return nbytes_; }

  void retain() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void release() {
    // A count of 1 is ours alone: nobody else can retain concurrently, so the
    // last owner frees without an atomic read-modify-write.
    if (refs_.load(std::memory_order_acquire) == 1 || refs_.fetch_sub(1, std::memory_order_acq_rel) == 1)
      destroy();
  }
  int use_count() const { return refs_.load(std::memory_order_acquire); }

 private:
  static constexpr size_t kHeader = 64;
  explicit Buffer(size_t n) : refs_(1), nbytes_(n) {}
  void destroy();
  std::atomic<int32_t> refs_;
  size_t nbytes_;
};

// Intrusive owning pointer to a Buffer.
class BufferRef {
 public:
  BufferRef() = default;
  explicit BufferRef(Buffer* adopt) : b_(adopt) {}
  BufferRef(const BufferRef& o) : b_(o.b_) { if (b_) b_->retain(); }
  BufferRef(BufferRef&& o) noexcept : b_(o.b_) { o.b_ = nullptr; }
  BufferRef& operator=(BufferRef o) noexcept { std::swap(b_, o.b_); return *this; }
  ~BufferRef() { if (b_) b_->release(); }
  Buffer* get() const { return b_; }
  Buffer* operator->() const { return b_; }
  explicit operator bool() const { return b_ != nullptr; }

 private:
  Buffer* b_ = nullptr;
};

// ---------------------------------------------------------------- tape tags
// Which tape tracks this tensor, and under which slot number of that tape.
struct TapeTag {
  uint64_t tape_uid = 0;  // 0 = empty
  int32_t slot = -1;
};

struct TensorImpl {
  // User-provided, so that make_shared's value-initialisation runs only the
  // member initialisers below instead of first zero-filling the whole object.
  TensorImpl() noexcept {}

  Shape shape;
  int64_t numel = 1;
  DType dtype = DType::Float32;
  BufferRef buffer;
  uint64_t id = 0;
  // Tape tags: the first inline (the common case: one tape), more spill.
  TapeTag tag0;
  std::vector<TapeTag> more_tags;

  int32_t slot_on(uint64_t tape_uid) const {
    if (tag0.tape_uid == tape_uid) return tag0.slot;
    if (tag0.tape_uid == 0 && more_tags.empty()) return -1;
    for (const TapeTag& t : more_tags)
      if (t.tape_uid == tape_uid) return t.slot;
    return -1;
  }
  bool has_tags() const { return tag0.tape_uid != 0 || !more_tags.empty(); }
};

uint64_t next_tensor_id();
// Buffers of 64 KiB and more: how many were freshly allocated or reused from
// the cache, and the bytes in use now and at the peak (since the last reset).
struct BigBufferStats {
  uint64_t fresh, reused;
  int64_t live_bytes, peak_bytes;
};
BigBufferStats big_buffer_stats(bool reset_peak = false);
// Returns the big buffers cached for reuse to the system (and, with glibc,
// the allocator's free pages); gives the bytes freed from the cache. Cached
// buffers idle for a second go back on their own at the next big
// allocation or free.
size_t clear_memory_cache();

// ---------------------------------------------------------------- Tensor
class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : p_(std::move(impl)) {}

  // An uninitialised tensor of the given shape and dtype (for kernels to fill).
  static Tensor empty(const Shape& shape, DType dtype);
  // Copies nbytes from src (which must hold numel * itemsize bytes).
  static Tensor from_data(const void* src, const Shape& shape, DType dtype);
  static Tensor scalar(double v, DType dtype);
  static Tensor full(const Shape& shape, double v, DType dtype);
  static Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
  static Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
  // A new tensor sharing this one's buffer under another shape (same numel).
  Tensor with_shape(const Shape& shape) const;

  bool defined() const { return p_ != nullptr; }
  const Shape& shape() const { return p_->shape; }
  int64_t dim(int i) const { return p_->shape[i]; }
  int ndim() const { return p_->shape.size(); }
  int64_t numel() const { return p_->numel; }
  DType dtype() const { return p_->dtype; }
  uint64_t id() const { return p_->id; }
  size_t nbytes() const { return static_cast<size_t>(p_->numel) * dtype_size(p_->dtype); }

  template <class T> const T* data() const { return static_cast<const T*>(p_->buffer->data()); }
  template <class T> T* mutable_data() const { return static_cast<T*>(p_->buffer->data()); }
  const void* raw() const { return p_->buffer->data(); }
  void* mutable_raw() const { return p_->buffer->data(); }

  // Value of a one-element tensor as double (any dtype).
  double item() const;
  std::vector<double> to_vector() const;  // all values as double (tests, C++ users)

  TensorImpl* impl() const { return p_.get(); }
  const std::shared_ptr<TensorImpl>& ptr() const { return p_; }
  long use_count() const { return p_.use_count(); }

 private:
  std::shared_ptr<TensorImpl> p_;
};

std::string shape_str(const Shape& s);  // "[2,3]"
// Why no tensor can have this shape (a negative dimension, too many elements
// or dimensions), or "" if one can: the check Tensor::empty makes.
std::string shape_problem(const Shape& s);

}  // namespace fasttape
