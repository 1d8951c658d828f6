// The Tensor type's slots and methods (see tensor_type.hpp for why it is
// written by hand). Each operator is bound once, as a slot.
#include "tensor_type.hpp"

#include <structmember.h>

#include "bindings.hpp"

namespace ftbind {

PyTypeObject* g_tensor_type = nullptr;

namespace {

// Tensors are made by ops (and the conversions), never by calling the type.
PyObject* tensor_new(PyTypeObject*, PyObject*, PyObject*) {
  PyErr_SetString(PyExc_TypeError,
                  "fasttape.Tensor cannot be created directly: use fasttape.constant or fasttape.convert_to_tensor");
  return nullptr;
}

void tensor_dealloc(PyObject* self) {
  PyTypeObject* tp = Py_TYPE(self);
  auto* o = reinterpret_cast<PyTensor*>(self);
  if (o->weakrefs) PyObject_ClearWeakRefs(self);
  o->value.~Tensor();
  tp->tp_free(self);
  Py_DECREF(tp);  // instances of a heap type own a reference to it
}

// ------------------------------------------------------------ operators
// Operands are converted as for the ops (Python scalars take the tensor's
// dtype); an operand nobody converts gives NotImplemented, so that Python
// tries the other side's reflected operator.
template <BinFn F>
PyObject* nb_binary(PyObject* a, PyObject* b) {
  return guarded([&]() -> PyObject* {
    Tensor ta, tb;
    if (!operands(a, b, &ta, &tb)) Py_RETURN_NOTIMPLEMENTED;
    return new_tensor_object(run(ta.numel() + tb.numel(), [&] { return F(ta, tb); }));
  });
}

PyObject* nb_power(PyObject* a, PyObject* b, PyObject* mod) {
  if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
  return nb_binary<fasttape::pow>(a, b);
}

Tensor matmul2(const Tensor& a, const Tensor& b) { return matmul(a, b, false, false); }

template <UnFn F>
PyObject* nb_unary(PyObject* a) {
  return guarded([&] { return new_tensor_object(F(tensor_of(a))); });
}

PyObject* nb_positive(PyObject* a) {
  Py_INCREF(a);
  return a;
}

PyObject* tp_compare(PyObject* a, PyObject* b, int op) {
  switch (op) {
    case Py_LT: return nb_binary<less>(a, b);
    case Py_LE: return nb_binary<less_equal>(a, b);
    case Py_GT: return nb_binary<greater>(a, b);
    case Py_GE: return nb_binary<greater_equal>(a, b);
    case Py_EQ: return nb_binary<equal>(a, b);
    case Py_NE: return nb_binary<not_equal>(a, b);
  }
  Py_RETURN_NOTIMPLEMENTED;
}

Py_ssize_t sq_length(PyObject* self) {
  const Tensor& t = tensor_of(self);
  if (t.ndim() == 0) {
    PyErr_SetString(PyExc_TypeError, "Scalar tensor has no `len()`");
    return -1;
  }
  return static_cast<Py_ssize_t>(t.dim(0));
}

// ------------------------------------------------------------ properties
PyObject* get_shape(PyObject* self, void*) {
  return guarded([&] { return shape_tuple(tensor_of(self).shape()).release().ptr(); });
}
PyObject* get_dtype_code(PyObject* self, void*) { return PyLong_FromLong(static_cast<long>(tensor_of(self).dtype())); }
PyObject* get_ndim(PyObject* self, void*) { return PyLong_FromLong(tensor_of(self).ndim()); }
PyObject* get_id(PyObject* self, void*) { return PyLong_FromUnsignedLongLong(tensor_of(self).id()); }

PyObject* m_numpy(PyObject* self, PyObject*) { return guarded([&] { return copy_out(tensor_of(self)).release().ptr(); }); }
PyObject* m_view(PyObject* self, PyObject*) { return guarded([&] { return view(tensor_of(self)).release().ptr(); }); }
PyObject* m_item(PyObject* self, PyObject*) { return guarded([&] { return PyFloat_FromDouble(tensor_of(self).item()); }); }

PyGetSetDef tensor_getset[] = {
    {"_shape", get_shape, nullptr, "The shape as a tuple of ints.", nullptr},
    {"_dtype_code", get_dtype_code, nullptr, "The element type's DTypeCode, as an int.", nullptr},
    {"ndim", get_ndim, nullptr, "The number of dimensions.", nullptr},
    {"_id", get_id, nullptr, "A number unique to this tensor in the process.", nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMethodDef tensor_methods[] = {
    {"_numpy", m_numpy, METH_NOARGS, "_numpy($self, /)\n--\n\nA fresh, writable numpy copy of the values."},
    {"_view", m_view, METH_NOARGS, "_view($self, /)\n--\n\nA read-only numpy view that keeps the buffer alive."},
    {"_item", m_item, METH_NOARGS, "_item($self, /)\n--\n\nThe value of a one-element tensor, as a float."},
    {nullptr, nullptr, 0, nullptr},
};

PyMemberDef tensor_members[] = {
    {const_cast<char*>("__weaklistoffset__"), T_PYSSIZET, static_cast<Py_ssize_t>(offsetof(PyTensor, weakrefs)),
     READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

}  // namespace

py::object add_heap_type(py::module_& m, const char* name, PyType_Spec& spec, PyTypeObject** global) {
  PyObject* type = PyType_FromSpec(&spec);
  if (!type) throw py::error_already_set();
  Py_INCREF(type);  // the global's reference: the type lives as long as the process
  *global = reinterpret_cast<PyTypeObject*>(type);
  py::object t = py::reinterpret_steal<py::object>(type);
  m.add_object(name, t);
  return t;
}

void init_tensor_type(py::module_& m) {
  PyType_Slot slots[] = {
      {Py_tp_doc, const_cast<char*>("An immutable, typed, n-dimensional array (TensorFlow's EagerTensor).")},
      {Py_tp_new, slot(tensor_new)},
      {Py_tp_dealloc, slot(tensor_dealloc)},
      {Py_tp_richcompare, slot(tp_compare)},
      {Py_tp_getset, tensor_getset},
      {Py_tp_methods, tensor_methods},
      {Py_tp_members, tensor_members},
      {Py_nb_add, slot(nb_binary<add>)},
      {Py_nb_subtract, slot(nb_binary<subtract>)},
      {Py_nb_multiply, slot(nb_binary<multiply>)},
      {Py_nb_true_divide, slot(nb_binary<divide>)},
      {Py_nb_floor_divide, slot(nb_binary<floordiv>)},
      {Py_nb_remainder, slot(nb_binary<floormod>)},
      {Py_nb_power, slot(nb_power)},
      {Py_nb_matrix_multiply, slot(nb_binary<matmul2>)},
      {Py_nb_and, slot(nb_binary<logical_and>)},
      {Py_nb_or, slot(nb_binary<logical_or>)},
      {Py_nb_negative, slot(nb_unary<negative>)},
      {Py_nb_positive, slot(nb_positive)},
      {Py_nb_absolute, slot(nb_unary<fasttape::abs>)},
      {Py_nb_invert, slot(nb_unary<logical_not>)},
      {Py_sq_length, slot(sq_length)},
      {0, nullptr},
  };
  // Not subclassable (as TensorFlow's EagerTensor): ops return exactly this
  // type, and tensor_of reads the layout above.
  PyType_Spec spec = {"fasttape._core.Tensor", static_cast<int>(sizeof(PyTensor)), 0, Py_TPFLAGS_DEFAULT, slots};
  py::object t = add_heap_type(m, "Tensor", spec, &g_tensor_type);
  t.attr("__array_priority__") = 100;
}

}  // namespace ftbind
