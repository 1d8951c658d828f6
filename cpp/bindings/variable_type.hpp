// fasttape._core.Variable: the C++ Variable (fasttape/variable.hpp) inside a
// Python object, the base class of fasttape.Variable (python/fasttape/
// _variable.py, which adds TensorFlow's methods).
//
// Written by hand like the Tensor type, for the same reason: an op given a
// Variable reads its value in C++ (a type check and a call), and the tapes
// that watch it keep the Python object alive through keep_alive(), so
// GradientTape.watched_variables() returns the very objects that were read.
// The tape stack, the variables each tape watched and the reads custom
// gradients collect all live in C++; Python keeps none of that state.
#pragma once

#include <pybind11/pybind11.h>

#include "fasttape/variable.hpp"

namespace ftbind {

namespace py = pybind11;

class BoundVariable : public fasttape::Variable {
 public:
  BoundVariable() = default;
  using Variable::init;
  // A strong reference to the Python object, released under the GIL.
  std::shared_ptr<const void> keep_alive() const override;
  PyObject* self = nullptr;  // the object this lives in (borrowed)
};

struct PyVariable {
  PyObject_HEAD
  BoundVariable var;
};

extern PyTypeObject* g_variable_type;

inline bool is_variable(PyObject* o) { return PyObject_TypeCheck(o, g_variable_type); }
inline const BoundVariable& variable_of(PyObject* o) { return reinterpret_cast<PyVariable*>(o)->var; }
inline BoundVariable& mutable_variable_of(PyObject* o) { return reinterpret_cast<PyVariable*>(o)->var; }
// The Python object of a variable watched from Python (null for a C++ one).
inline PyObject* object_of(const fasttape::Variable* v) {
  auto* b = dynamic_cast<const BoundVariable*>(v);
  return b ? b->self : nullptr;
}

// The value of a Variable object, read (and so watched): raises if the
// variable was never initialised.
const fasttape::Tensor& read_variable(PyObject* o);

// Creates the type and adds it to the module as `Variable`.
void init_variable_type(py::module_& m);

}  // namespace ftbind
