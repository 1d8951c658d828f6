// Tensor storage and the Variable slot.
#include <cstdlib>
#include <new>
#include <sstream>

#include "fasttape/ops.hpp"
#include "fasttape/tape.hpp"
#include "fasttape/tensor.hpp"
#include "fasttape/variable.hpp"
#include "kernels/kernels.hpp"

namespace fasttape {

Buffer* Buffer::allocate(size_t nbytes) {
  size_t total = kHeader + ((nbytes + kAlign - 1) / kAlign) * kAlign;
  void* mem = std::aligned_alloc(kAlign, total);
  if (!mem) throw std::bad_alloc();
  return new (mem) Buffer(nbytes);
}

void Buffer::destroy() {
  this->~Buffer();
  std::free(this);
}

uint64_t next_tensor_id() {
  static std::atomic<uint64_t> counter{1};
  return counter.fetch_add(1, std::memory_order_relaxed);
}

Tensor Tensor::empty(const Shape& shape, DType dtype) {
  auto impl = std::make_shared<TensorImpl>();
  impl->shape = shape;
  impl->numel = shape.numel();
  impl->dtype = dtype;
  impl->buffer = BufferRef(Buffer::allocate(static_cast<size_t>(impl->numel) * dtype_size(dtype)));
  impl->id = next_tensor_id();
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
  auto impl = std::make_shared<TensorImpl>();
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
Variable::Variable(const Tensor& initial) {
  // A fresh TensorImpl on the same (immutable) buffer: the variable's value
  // has its own id and no tape history.
  value_ = initial.with_shape(initial.shape());
}

void Variable::check(const Tensor& v, const char* op) const {
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
  if (delta.dtype() != value_.dtype()) check(delta, "assign_add");
  update(value_, delta, kernels::BinOp::Add, "assign_add");
}

void Variable::assign_sub(const Tensor& delta) {
  if (delta.dtype() != value_.dtype()) check(delta, "assign_sub");
  update(value_, delta, kernels::BinOp::Sub, "assign_sub");
}

}  // namespace fasttape
