// Shared helpers of the pybind11 layer: converting Python arguments to
// tensors (Python scalars take the other operand's dtype, as in TensorFlow),
// wrapping results, and releasing the GIL around big kernels.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "fasttape/fasttape.hpp"
#include "tensor_type.hpp"
#include "variable_type.hpp"

namespace py = pybind11;
using namespace fasttape;

namespace ftbind {

constexpr int64_t kReleaseGil = 1 << 16;  // elements above which kernels run without the GIL

extern PyObject* g_invalid_argument;  // fasttape.errors.InvalidArgumentError
// fasttape._tensor._fallback(obj, dtype_code). A raw, deliberately leaked
// reference: a static py::object would be released after the interpreter
// is gone.
extern PyObject* g_convert_fallback;

inline int64_t to_i64(py::handle h) {
  py::object i = py::reinterpret_steal<py::object>(PyNumber_Index(h.ptr()));
  if (!i) throw py::error_already_set();
  int overflow = 0;
  const long long v = PyLong_AsLongLongAndOverflow(i.ptr(), &overflow);
  if (overflow)
    throw py::value_error("integer " + py::str(i).cast<std::string>() +
                          " does not fit a dimension, axis or index (at most 2^63 - 1 in magnitude)");
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  return static_cast<int64_t>(v);
}
inline Tensor as_tensor(py::handle h) { return tensor_of(h.ptr()); }

inline bool numpy_dtype(const py::dtype& dt, DType* out) {
  char k = dt.kind();
  size_t sz = dt.itemsize();
  if (k == 'f' && sz == 4) *out = DType::Float32;
  else if (k == 'f' && sz == 8) *out = DType::Float64;
  else if (k == 'i' && sz == 4) *out = DType::Int32;
  else if (k == 'i' && sz == 8) *out = DType::Int64;
  else if (k == 'b' && sz == 1) *out = DType::Bool;
  else return false;
  return true;
}

[[noreturn]] inline void type_error(const std::string& msg) { throw py::type_error(msg); }

inline Tensor scalar_for(double v, DType d, py::handle src) {
  (void)src;
  return Tensor::scalar(v, d);
}

// Converts a Python object to a tensor. `like` (may be null) is the other
// operand: Python scalars and numpy values take its dtype.
// Returns an undefined tensor if the object is of a kind nobody converts
// (the caller then returns NotImplemented from an operator).
inline Tensor to_tensor(py::handle h, const Tensor* like) {
  if (is_tensor(h)) return as_tensor(h);
  PyObject* o = h.ptr();
  if (PyBool_Check(o)) {
    DType d = like ? like->dtype() : DType::Bool;
    return Tensor::scalar(o == Py_True ? 1.0 : 0.0, d);
  }
  if (PyFloat_Check(o)) {
    double v = PyFloat_AS_DOUBLE(o);
    if (like && !is_floating(like->dtype()))
      type_error("Cannot convert " + py::repr(h).cast<std::string>() + " to EagerTensor of dtype " +
                 dtype_name(like->dtype()));
    return scalar_for(v, like ? like->dtype() : DType::Float32, h);
  }
  if (PyLong_Check(o)) {
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) type_error("Can't convert Python int " + py::repr(h).cast<std::string>() + " to a tensor: out of int64 range");
    DType d = like ? like->dtype()
                   : (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()
                          ? DType::Int32
                          : DType::Int64);
    if (d == DType::Int64) {
      Tensor t = Tensor::empty(Shape(), DType::Int64);
      *t.mutable_data<int64_t>() = v;
      return t;
    }
    return Tensor::scalar(static_cast<double>(v), d);
  }
  // A Variable: its current value, read (and so watched).
  if (is_variable(o)) return read_variable(o);
  // Everything else (numpy arrays and scalars, lists, ...) goes through the
  // Python fallback, which knows TensorFlow's conversion rules.
  py::object r = py::handle(g_convert_fallback)(h, like ? py::object(py::int_(static_cast<int>(like->dtype()))) : py::object(py::none()));
  if (r.ptr() == Py_NotImplemented) return Tensor();
  return as_tensor(r);
}

inline bool is_python_scalar(py::handle h) {
  PyObject* o = h.ptr();
  return PyFloat_Check(o) || PyLong_Check(o);
}

// Converts both operands of a binary op: tensor-like operands first, Python
// scalars then take their dtype.
inline bool operands(py::handle a, py::handle b, Tensor* ta, Tensor* tb) {
  if (is_tensor(a)) {
    *ta = as_tensor(a);
    *tb = to_tensor(b, ta);
  } else if (is_tensor(b)) {
    *tb = as_tensor(b);
    *ta = to_tensor(a, tb);
  } else if (is_python_scalar(a) && !is_python_scalar(b)) {
    *tb = to_tensor(b, nullptr);
    if (!tb->defined()) return false;
    *ta = to_tensor(a, tb);
  } else {
    *ta = to_tensor(a, nullptr);
    if (!ta->defined()) return false;
    *tb = to_tensor(b, ta);
  }
  return ta->defined() && tb->defined();
}

inline Tensor must(py::handle h, const char* op) {
  Tensor t = to_tensor(h, nullptr);
  if (!t.defined())
    type_error(std::string(op) + ": cannot convert an object of type " +
               py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>() + " to a tensor");
  return t;
}

template <class F>
inline Tensor run(int64_t size, F&& f) {
  if (size >= kReleaseGil) {
    py::gil_scoped_release nogil;
    return f();
  }
  return f();
}

using BinFn = Tensor (*)(const Tensor&, const Tensor&);
using UnFn = Tensor (*)(const Tensor&);

template <BinFn F>
inline TensorObject bin_fn(py::handle a, py::handle b, py::handle /*name*/) {
  Tensor ta, tb;
  if (!operands(a, b, &ta, &tb)) {
    if (!ta.defined()) must(a, "binary op");
    must(b, "binary op");
  }
  return wrap(run(ta.numel() + tb.numel(), [&] { return F(ta, tb); }));
}

template <UnFn F>
inline TensorObject un_fn(py::handle x, py::handle /*name*/) {
  Tensor t = must(x, "unary op");
  return wrap(run(t.numel(), [&] { return F(t); }));
}

inline Axes parse_axes(py::handle axis) {
  if (axis.is_none()) return Axes::All();
  if (is_tensor(axis)) {
    Tensor t = as_tensor(axis);
    std::vector<int64_t> v;
    for (double d : t.to_vector()) v.push_back(static_cast<int64_t>(d));
    return Axes(v);
  }
  if (PyIndex_Check(axis.ptr()) && !PySequence_Check(axis.ptr())) return Axes({to_i64(axis)});
  std::vector<int64_t> v;
  for (py::handle a : axis) v.push_back(to_i64(a));
  return Axes(v);
}

inline std::vector<int64_t> parse_shape(py::handle s) {
  if (is_tensor(s)) {
    std::vector<int64_t> v;
    for (double d : as_tensor(s).to_vector()) v.push_back(static_cast<int64_t>(d));
    return v;
  }
  if (PyIndex_Check(s.ptr()) && !PySequence_Check(s.ptr())) return {to_i64(s)};
  std::vector<int64_t> v;
  for (py::handle a : s) v.push_back(a.is_none() ? -1 : to_i64(a));
  return v;
}

inline py::tuple shape_tuple(const Shape& s) {
  py::tuple t(s.size());
  for (int i = 0; i < s.size(); ++i) t[i] = py::int_(s[i]);
  return t;
}

inline py::dtype np_dtype(DType d) {
  switch (d) {
    case DType::Float32: return py::dtype::of<float>();
    case DType::Float64: return py::dtype::of<double>();
    case DType::Int32: return py::dtype::of<int32_t>();
    case DType::Int64: return py::dtype::of<int64_t>();
    case DType::Bool: return py::dtype::of<bool>();
  }
  return py::dtype::of<float>();
}

inline std::vector<ssize_t> np_strides(const Tensor& t) {
  std::vector<ssize_t> st(t.ndim());
  ssize_t s = static_cast<ssize_t>(dtype_size(t.dtype()));
  for (int i = t.ndim() - 1; i >= 0; --i) {
    st[i] = s;
    s *= static_cast<ssize_t>(t.dim(i));
  }
  return st;
}

// A read-only numpy view of the tensor's buffer; the view keeps it alive.
inline py::array view(const Tensor& t) {
  auto* keep = new Tensor(t);
  py::capsule owner(keep, [](void* p) { delete static_cast<Tensor*>(p); });
  std::vector<ssize_t> shape(t.shape().begin(), t.shape().end());
  py::array a(np_dtype(t.dtype()), shape, np_strides(t), t.raw(), owner);
  a.attr("flags").attr("writeable") = false;
  return a;
}

// A fresh, writable copy.
inline py::array copy_out(const Tensor& t) {
  std::vector<ssize_t> shape(t.shape().begin(), t.shape().end());
  py::array a(np_dtype(t.dtype()), shape, np_strides(t));
  if (t.nbytes()) std::memcpy(a.mutable_data(), t.raw(), t.nbytes());
  return a;
}

inline Tensor from_numpy(py::array a) {
  DType d;
  if (!numpy_dtype(a.dtype(), &d))
    type_error("fasttape supports float32, float64, int32, int64 and bool; got numpy dtype " +
               py::str(a.dtype()).cast<std::string>() + " (convert with .astype)");
  if (!(a.flags() & py::array::c_style)) a = py::array::ensure(a, py::array::c_style | py::array::forcecast);
  std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
  return Tensor::from_data(a.data(), Shape(shape), d);
}

inline DType dtype_from_code(int code) {
  if (code < 0 || code > 4) throw py::value_error("invalid dtype code " + std::to_string(code));
  return static_cast<DType>(code);
}

inline py::list tensors_to_list(const std::vector<Tensor>& v) {
  py::list l(v.size());
  for (size_t i = 0; i < v.size(); ++i) l[i] = wrap(v[i]);
  return l;
}

inline std::vector<Tensor> list_to_tensors(py::handle seq, bool allow_none) {
  std::vector<Tensor> v;
  for (py::handle h : seq) {
    if (h.is_none() && allow_none) v.emplace_back();
    else v.push_back(must(h, "gradient"));
  }
  return v;
}

}  // namespace ftbind

using namespace ftbind;

void bind_elementwise(py::module_& m);
void bind_math(py::module_& m);
void bind_index(py::module_& m);
void bind_nn(py::module_& m);
void bind_optim(py::module_& m);
namespace ftbind {
void add_argument_errors(py::module_& m);
}
