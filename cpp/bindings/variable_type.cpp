// The Variable base type's slots and methods (see variable_type.hpp).
#include "variable_type.hpp"

#include "bindings.hpp"

namespace ftbind {

PyTypeObject* g_variable_type = nullptr;

std::shared_ptr<const void> BoundVariable::keep_alive() const {
  Py_INCREF(self);
  return std::shared_ptr<const void>(self, [](const void* p) {
    // A tape may be freed by C++ code without the GIL, or at thread exit
    // after the interpreter is gone (then the reference is left alone).
    if (!Py_IsInitialized()) return;
    PyGILState_STATE g = PyGILState_Ensure();
    Py_DECREF(static_cast<PyObject*>(const_cast<void*>(p)));
    PyGILState_Release(g);
  });
}

const Tensor& read_variable(PyObject* o) {
  const Tensor& t = variable_of(o).read();
  if (!t.defined())
    throw py::value_error("the Variable was never initialised (a subclass's __init__ must call "
                          "fasttape.Variable.__init__)");
  return t;
}

namespace {

PyObject* variable_new(PyTypeObject* type, PyObject*, PyObject*) {
  PyObject* self = type->tp_alloc(type, 0);
  if (!self) return nullptr;
  auto* o = reinterpret_cast<PyVariable*>(self);
  new (&o->var) BoundVariable();
  o->var.self = self;
  return self;
}

void variable_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  reinterpret_cast<PyVariable*>(self)->var.~BoundVariable();
  tp->tp_free(self);
  Py_DECREF(tp);
}

Tensor tensor_arg(PyObject* arg, const char* op) {
  if (!is_tensor(arg))
    throw py::type_error(std::string("Variable.") + op + ": expected a Tensor, got " + Py_TYPE(arg)->tp_name);
  return tensor_of(arg);
}

PyObject* m_init(PyObject* self, PyObject* args) {
  PyObject* value = nullptr;
  int trainable = 1;
  if (!PyArg_ParseTuple(args, "O|p:_init", &value, &trainable)) return nullptr;
  return guarded([&] {
    mutable_variable_of(self).init(tensor_arg(value, "_init"), trainable != 0);
    Py_RETURN_NONE;
  });
}
PyObject* m_read(PyObject* self, PyObject*) {
  return guarded([&] { return new_tensor_object(read_variable(self)); });
}
PyObject* m_peek(PyObject* self, PyObject*) {
  return guarded([&] {
    const Tensor& t = variable_of(self).value();
    if (!t.defined()) read_variable(self);  // raises
    return new_tensor_object(t);
  });
}
template <void (fasttape::Variable::*Op)(const Tensor&)>
PyObject* m_update(PyObject* self, PyObject* arg) {
  return guarded([&] {
    (mutable_variable_of(self).*Op)(tensor_arg(arg, "assign"));
    Py_RETURN_NONE;
  });
}
PyObject* get_trainable(PyObject* self, void*) { return PyBool_FromLong(variable_of(self).trainable()); }

PyMethodDef variable_methods[] = {
    {"_init", m_init, METH_VARARGS,
     "_init($self, value, trainable=True, /)\n--\n\nSets the initial value (a Tensor) and trainability."},
    {"_read", m_read, METH_NOARGS,
     "_read($self, /)\n--\n\nThe current value, read as an op reads it: recording tapes that watch accessed "
     "variables watch it."},
    {"_peek", m_peek, METH_NOARGS, "_peek($self, /)\n--\n\nThe current value, not watched."},
    {"_assign", m_update<&fasttape::Variable::assign>, METH_O,
     "_assign($self, value, /)\n--\n\nWrites a Tensor of the variable's shape and dtype."},
    {"_assign_add", m_update<&fasttape::Variable::assign_add>, METH_O,
     "_assign_add($self, delta, /)\n--\n\nAdds a Tensor (broadcast to the variable's shape)."},
    {"_assign_sub", m_update<&fasttape::Variable::assign_sub>, METH_O,
     "_assign_sub($self, delta, /)\n--\n\nSubtracts a Tensor (broadcast to the variable's shape)."},
    {nullptr, nullptr, 0, nullptr},
};

PyGetSetDef variable_getset[] = {
    {"trainable", get_trainable, nullptr, "Whether tapes watch the variable when it is read.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

}  // namespace

void init_variable_type(py::module_& m) {
  PyType_Slot slots[] = {
      {Py_tp_doc, const_cast<char*>("The C++ variable slot under fasttape.Variable.")},
      {Py_tp_new, slot(variable_new)},
      {Py_tp_dealloc, slot(variable_dealloc)},
      {Py_tp_methods, variable_methods},
      {Py_tp_getset, variable_getset},
      {0, nullptr},
  };
  PyType_Spec spec = {"fasttape._core.Variable", static_cast<int>(sizeof(PyVariable)), 0,
                      Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE, slots};
  add_heap_type(m, "Variable", spec, &g_variable_type);
}

}  // namespace ftbind
