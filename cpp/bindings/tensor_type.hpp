// fasttape._core.Tensor: one small CPython type written by hand, not a
// pybind11 class.
//
// Why: every op call converts its tensor arguments from Python objects and
// wraps its result in a new one, and the per-op budget is a fraction of a
// microsecond. Here the Python object holds the fasttape::Tensor (one
// shared_ptr) inline, so reading an argument is a type check and a load, and
// wrapping a result is one small-object allocation. Through pybind11's public
// API the same two steps go through its type registry (a hash lookup for
// each argument, a registered-instance lookup for each result); reaching
// past it into pybind11's instance layout is what this type replaces.
//
// The type is a heap type (PyType_FromSpec) so that the Python layer can add
// methods and properties to it (fasttape/_tensor.py). Its arithmetic and
// comparison operators are its number and rich-compare slots, bound once
// here; Python derives `__add__` and the rest from them. pybind11 functions
// take and return tensors through the type casters below.
#pragma once

#include <pybind11/pybind11.h>

#include "fasttape/tensor.hpp"

namespace ftbind {

namespace py = pybind11;

struct PyTensor {
  PyObject_HEAD
  fasttape::Tensor value;  // always defined
  PyObject* weakrefs;
};

extern PyTypeObject* g_tensor_type;

inline bool is_tensor(PyObject* o) { return PyObject_TypeCheck(o, g_tensor_type); }
inline bool is_tensor(py::handle h) { return is_tensor(h.ptr()); }
// The tensor held by a Tensor object (the caller has checked is_tensor).
inline const fasttape::Tensor& tensor_of(PyObject* o) { return reinterpret_cast<PyTensor*>(o)->value; }

// A new reference to a Tensor object holding t (None if t is undefined);
// null with a Python error set if allocation fails.
inline PyObject* new_tensor_object(const fasttape::Tensor& t) {
  if (!t.defined()) Py_RETURN_NONE;
  PyTensor* o = PyObject_New(PyTensor, g_tensor_type);
  if (!o) return nullptr;
  new (&o->value) fasttape::Tensor(t);
  o->weakrefs = nullptr;
  return reinterpret_cast<PyObject*>(o);
}

// A py::object known to be a Tensor (or None): signatures and the generated
// stub name it `Tensor`.
class TensorObject : public py::object {
 public:
  TensorObject() = default;
  TensorObject(py::handle h, borrowed_t) : py::object(h, borrowed_t{}) {}
  TensorObject(py::handle h, stolen_t) : py::object(h, stolen_t{}) {}
  static bool check_(py::handle h) { return h.is_none() || is_tensor(h); }
};

inline TensorObject wrap(const fasttape::Tensor& t) {
  PyObject* o = new_tensor_object(t);
  if (!o) throw py::error_already_set();
  return py::reinterpret_steal<TensorObject>(o);
}

// A function as a PyType_Slot's pointer.
template <class F>
void* slot(F f) {
  return reinterpret_cast<void*>(f);
}
// Creates a heap type from spec, stores it in *global (for type checks) and
// adds it to the module under name.
py::object add_heap_type(py::module_& m, const char* name, PyType_Spec& spec, PyTypeObject** global);

// Creates the type and adds it to the module as `Tensor`.
void init_tensor_type(py::module_& m);

// Sets the Python error for the C++ exception in flight (for the slots,
// which pybind11 does not dispatch). Uses the module's one translator.
void set_python_error();

// Runs f (which returns a new reference, or null with a Python error set)
// for a slot or C method: a C++ exception becomes the Python error.
template <class F>
PyObject* guarded(F&& f) {
  try {
    return f();
  } catch (...) {
    set_python_error();
    return nullptr;
  }
}

}  // namespace ftbind

namespace pybind11 {
namespace detail {

template <>
struct handle_type_name<ftbind::TensorObject> {
  static constexpr auto name = const_name("Tensor");
};

// fasttape::Tensor and its shared_ptr<TensorImpl> cross the boundary as
// Tensor objects (an undefined tensor as None).
template <>
struct type_caster<fasttape::Tensor> {
  PYBIND11_TYPE_CASTER(fasttape::Tensor, const_name("Tensor"));
  bool load(handle src, bool) {
    if (!ftbind::is_tensor(src)) return false;
    value = ftbind::tensor_of(src.ptr());
    return true;
  }
  static handle cast(const fasttape::Tensor& t, return_value_policy, handle) {
    return ftbind::new_tensor_object(t);
  }
};

template <>
struct type_caster<std::shared_ptr<fasttape::TensorImpl>> {
  PYBIND11_TYPE_CASTER(std::shared_ptr<fasttape::TensorImpl>, const_name("Tensor"));
  bool load(handle src, bool) {
    if (!ftbind::is_tensor(src)) return false;
    value = ftbind::tensor_of(src.ptr()).ptr();
    return true;
  }
  static handle cast(const std::shared_ptr<fasttape::TensorImpl>& t, return_value_policy, handle) {
    return ftbind::new_tensor_object(fasttape::Tensor(t));
  }
};

}  // namespace detail
}  // namespace pybind11
