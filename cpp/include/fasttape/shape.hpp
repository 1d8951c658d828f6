// Shape: a small vector of int64 dimensions, inline up to 6 dims so that the
// common tensor allocates nothing for its shape.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <vector>

namespace fasttape {

class Shape {
 public:
  static constexpr int kInline = 6;

  Shape() = default;
  Shape(std::initializer_list<int64_t> d) { assign(d.begin(), static_cast<int>(d.size())); }
  explicit Shape(const std::vector<int64_t>& d) { assign(d.data(), static_cast<int>(d.size())); }
  Shape(const int64_t* d, int n) { assign(d, n); }
  Shape(const Shape& o) { assign(o.data(), o.size_); }
  Shape(Shape&& o) noexcept { take(o); }
  Shape& operator=(const Shape& o) {
    if (this != &o) assign(o.data(), o.size_);
    return *this;
  }
  Shape& operator=(Shape&& o) noexcept {
    if (this != &o) {
      delete[] heap_;
      heap_ = nullptr;
      take(o);
    }
    return *this;
  }
  ~Shape() { delete[] heap_; }

  int size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const int64_t* data() const { return heap_ ? heap_ : inline_; }
  int64_t* data() { return heap_ ? heap_ : inline_; }
  int64_t operator[](int i) const { return data()[i]; }
  int64_t& operator[](int i) { return data()[i]; }
  const int64_t* begin() const { return data(); }
  const int64_t* end() const { return data() + size_; }

  // The element count of a valid shape (checked_numel below checks one;
  // for others the product wraps, through unsigned arithmetic).
  int64_t numel() const {
    uint64_t n = 1;
    for (int i = 0; i < size_; ++i) n *= static_cast<uint64_t>(data()[i]);
    return static_cast<int64_t>(n);
  }
  // The element count, checked: false if a dimension is negative, the
  // product exceeds kMaxElements (the count of a tensor that may exist) or
  // the rank exceeds kMaxRank (the kernels' index arrays hold that many).
  static constexpr int64_t kMaxElements = int64_t(1) << 58;
  static constexpr int kMaxRank = 64;
  bool checked_numel(int64_t* out) const {
    int64_t n = 1;
    bool ok = true;
    for (int i = 0; i < size_; ++i) {
      const int64_t d = data()[i];
      ok &= d >= 0 && !__builtin_mul_overflow(n, d, &n);
    }
    *out = n;
    return ok && n <= kMaxElements && size_ <= kMaxRank;
  }
  std::vector<int64_t> vec() const { return std::vector<int64_t>(begin(), end()); }
  bool operator==(const Shape& o) const {
    return size_ == o.size_ && std::equal(begin(), end(), o.begin());
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }

 private:
  void assign(const int64_t* d, int n) {
    if (n > kInline) {
      int64_t* h = new int64_t[n];
      std::copy(d, d + n, h);
      delete[] heap_;
      heap_ = h;
    } else {
      int64_t tmp[kInline];
      std::copy(d, d + n, tmp);
      delete[] heap_;
      heap_ = nullptr;
      std::copy(tmp, tmp + n, inline_);
    }
    size_ = n;
  }
  void take(Shape& o) noexcept {
    size_ = o.size_;
    if (o.heap_) {
      heap_ = o.heap_;
      o.heap_ = nullptr;
    } else {
      std::copy(o.inline_, o.inline_ + size_, inline_);
    }
    o.size_ = 0;
  }
  int64_t inline_[kInline];  // only the first size_ entries are ever read
  int64_t* heap_ = nullptr;
  int size_ = 0;
};

}  // namespace fasttape
