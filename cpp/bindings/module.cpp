// fasttape._core: the pybind11 layer. It converts Python arguments to
// tensors (Python scalars take the other operand's dtype, as in TensorFlow),
// releases the GIL around big kernels, and does nothing else: there is no
// Python between a binding call and the op.
#include "bindings.hpp"

namespace ftbind {
PyObject* g_invalid_argument = nullptr;
PyObject* g_convert_fallback = nullptr;
PyTypeObject* g_variable_type = nullptr;
PyObject* g_read_name = nullptr;
py::handle g_tensor_type;
const py::detail::type_info* g_tensor_tinfo = nullptr;
}  // namespace ftbind

namespace {

// ------------------------------------------------------------ fast operators
// The arithmetic and comparison slots of the Tensor type call the ops
// directly, skipping the slot wrapper's method lookup and pybind11's argument
// dispatch (the per-op overhead budget is a fraction of a microsecond). The
// dunder methods bound above stay for explicit calls.

// The one translator of fasttape's exceptions (error.hpp) into TensorFlow's
// Python classes. pybind11 calls it for bound functions (it rethrows what
// it does not know, for pybind11's own translators); the fast slots below
// call it through set_python_error.
void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const InvalidArgument& e) {
    PyErr_SetString(g_invalid_argument ? g_invalid_argument : PyExc_ValueError, e.what());
  } catch (const TapeError& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

// Converts the C++ exception in flight into a Python error (for code that
// pybind11 does not dispatch: the number slots).
void set_python_error() {
  try {
    translate(std::current_exception());
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (const py::builtin_exception& e) {
    e.set_error();
  } catch (const std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (const std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  } catch (...) {
    PyErr_SetString(PyExc_RuntimeError, "fasttape: unknown C++ exception");
  }
}

template <BinFn F>
PyObject* nb_binary(PyObject* a, PyObject* b) {
  try {
    Tensor ta, tb;
    if (!operands(a, b, &ta, &tb)) Py_RETURN_NOTIMPLEMENTED;
    return wrap(run(ta.numel() + tb.numel(), [&] { return F(ta, tb); })).release().ptr();
  } catch (...) {
    set_python_error();
    return nullptr;
  }
}

PyObject* nb_power(PyObject* a, PyObject* b, PyObject* mod) {
  if (mod != Py_None) Py_RETURN_NOTIMPLEMENTED;
  return nb_binary<fasttape::pow>(a, b);
}

Tensor matmul2(const Tensor& a, const Tensor& b) { return matmul(a, b, false, false); }

template <UnFn F>
PyObject* nb_unary(PyObject* a) {
  try {
    return wrap(F(as_tensor(a))).release().ptr();
  } catch (...) {
    set_python_error();
    return nullptr;
  }
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

void install_fast_slots(py::handle type) {
  auto* ht = reinterpret_cast<PyHeapTypeObject*>(type.ptr());
  PyNumberMethods& n = ht->as_number;
  n.nb_add = nb_binary<add>;
  n.nb_subtract = nb_binary<subtract>;
  n.nb_multiply = nb_binary<multiply>;
  n.nb_true_divide = nb_binary<divide>;
  n.nb_floor_divide = nb_binary<floordiv>;
  n.nb_remainder = nb_binary<floormod>;
  n.nb_power = nb_power;
  n.nb_matrix_multiply = nb_binary<matmul2>;
  n.nb_and = nb_binary<logical_and>;
  n.nb_or = nb_binary<logical_or>;
  n.nb_negative = nb_unary<negative>;
  n.nb_absolute = nb_unary<fasttape::abs>;
  n.nb_invert = nb_unary<logical_not>;
  ht->ht_type.tp_richcompare = tp_compare;
  PyType_Modified(&ht->ht_type);
}

}  // namespace

PYBIND11_MODULE(_core, m) {
  m.doc() = "fasttape's C++ engine: tensors, tape, op table and kernels";

  py::register_exception_translator(&translate);

  // The element types' codes, owned by C++ (fasttape/dtype.hpp): the Python
  // DType objects and Tensor._dtype_code take their numbers from here.
  py::enum_<DType>(m, "DTypeCode")
      .value("float32", DType::Float32)
      .value("float64", DType::Float64)
      .value("int32", DType::Int32)
      .value("int64", DType::Int64)
      .value("bool", DType::Bool);

  auto T = py::class_<TensorImpl, TensorPtr>(m, "Tensor");
  g_tensor_type = T;
  g_tensor_tinfo = py::detail::get_type_info(typeid(TensorImpl));
  T.def_property_readonly("_shape", [](const TensorImpl& t) { return shape_tuple(t.shape); })
      .def_property_readonly("_dtype_code", [](const TensorImpl& t) { return static_cast<int>(t.dtype); })
      .def_property_readonly("ndim", [](const TensorImpl& t) { return t.shape.size(); })
      .def_property_readonly("_id", [](const TensorImpl& t) { return t.id; })
      .def("_numpy", [](const TensorPtr& t) { return copy_out(Tensor(t)); })
      .def("_view", [](const TensorPtr& t) { return view(Tensor(t)); })
      .def("_item", [](const TensorPtr& t) { return Tensor(t).item(); })
      .def("__len__",
           [](const TensorImpl& t) {
             if (t.shape.size() == 0) throw py::type_error("Scalar tensor has no `len()`");
             return t.shape[0];
           })
      .def("__add__", &bin_op<add>, py::is_operator())
      .def("__radd__", &bin_rop<add>, py::is_operator())
      .def("__sub__", &bin_op<subtract>, py::is_operator())
      .def("__rsub__", &bin_rop<subtract>, py::is_operator())
      .def("__mul__", &bin_op<multiply>, py::is_operator())
      .def("__rmul__", &bin_rop<multiply>, py::is_operator())
      .def("__truediv__", &bin_op<divide>, py::is_operator())
      .def("__rtruediv__", &bin_rop<divide>, py::is_operator())
      .def("__floordiv__", &bin_op<floordiv>, py::is_operator())
      .def("__rfloordiv__", &bin_rop<floordiv>, py::is_operator())
      .def("__mod__", &bin_op<floormod>, py::is_operator())
      .def("__rmod__", &bin_rop<floormod>, py::is_operator())
      .def("__pow__", &bin_op<fasttape::pow>, py::is_operator())
      .def("__rpow__", &bin_rop<fasttape::pow>, py::is_operator())
      .def("__lt__", &bin_op<less>, py::is_operator())
      .def("__le__", &bin_op<less_equal>, py::is_operator())
      .def("__gt__", &bin_op<greater>, py::is_operator())
      .def("__ge__", &bin_op<greater_equal>, py::is_operator())
      .def("__eq__", &bin_op<equal>, py::is_operator())
      .def("__ne__", &bin_op<not_equal>, py::is_operator())
      .def("__and__", &bin_op<logical_and>, py::is_operator())
      .def("__rand__", &bin_rop<logical_and>, py::is_operator())
      .def("__or__", &bin_op<logical_or>, py::is_operator())
      .def("__ror__", &bin_rop<logical_or>, py::is_operator())
      .def("__invert__", [](const TensorPtr& t) { return wrap(logical_not(Tensor(t))); })
      .def("__neg__", [](const TensorPtr& t) { return wrap(negative(Tensor(t))); })
      .def("__pos__", [](const TensorPtr& t) { return t; })
      .def("__abs__", [](const TensorPtr& t) { return wrap(fasttape::abs(Tensor(t))); })
      .def("__matmul__",
           [](py::handle a, py::handle b) -> py::object {
             Tensor ta, tb;
             if (!operands(a, b, &ta, &tb)) return not_impl();
             return wrap(run(ta.numel() + tb.numel(), [&] { return matmul(ta, tb); }));
           },
           py::is_operator())
      .def("__rmatmul__",
           [](py::handle a, py::handle b) -> py::object {
             Tensor ta, tb;
             if (!operands(b, a, &ta, &tb)) return not_impl();
             return wrap(run(ta.numel() + tb.numel(), [&] { return matmul(ta, tb); }));
           },
           py::is_operator());
  T.attr("__array_priority__") = 100;
  install_fast_slots(T);

  // ---------------------------------------------------------------- conversion
  m.def("_set_hooks", [](py::object invalid_argument, py::object fallback) {
    g_invalid_argument = invalid_argument.release().ptr();
    g_convert_fallback = fallback.release().ptr();
  });
  m.def("_set_variable_type", [](py::type variable) {
    g_read_name = PyUnicode_InternFromString("_fasttape_read");
    g_variable_type = reinterpret_cast<PyTypeObject*>(variable.release().ptr());  // leaked, as above
  });
  m.def("from_numpy", [](py::array a) { return wrap(from_numpy(std::move(a))); });
  m.def("to_tensor", [](py::handle h, py::object like_code) {
    if (like_code.is_none()) return wrap(must(h, "convert_to_tensor"));
    Tensor like = Tensor::scalar(0, dtype_from_code(like_code.cast<int>()));
    Tensor t = to_tensor(h, &like);
    if (!t.defined()) must(h, "convert_to_tensor");
    return wrap(t);
  });
  m.def("fill", [](py::handle shape, double v, int code) {
    return wrap(Tensor::full(Shape(parse_shape(shape)), v, dtype_from_code(code)));
  });
  m.def("is_tensor", [](py::handle h) { return is_tensor(h); });

  // ---------------------------------------------------------------- ops
  py::arg x("x"), y("y"), name("name");
  auto nm = name = py::none();
  m.def("add", &bin_fn<add>, x, y, nm);
  m.def("subtract", &bin_fn<subtract>, x, y, nm);
  m.def("multiply", &bin_fn<multiply>, x, y, nm);
  m.def("divide", &bin_fn<divide>, x, y, nm);
  m.def("floordiv", &bin_fn<floordiv>, x, y, nm);
  m.def("floormod", &bin_fn<floormod>, x, y, nm);
  m.def("pow", &bin_fn<fasttape::pow>, x, y, nm);
  m.def("maximum", &bin_fn<maximum>, x, y, nm);
  m.def("minimum", &bin_fn<minimum>, x, y, nm);
  m.def("less", &bin_fn<less>, x, y, nm);
  m.def("less_equal", &bin_fn<less_equal>, x, y, nm);
  m.def("greater", &bin_fn<greater>, x, y, nm);
  m.def("greater_equal", &bin_fn<greater_equal>, x, y, nm);
  m.def("equal", &bin_fn<equal>, x, y, nm);
  m.def("not_equal", &bin_fn<not_equal>, x, y, nm);
  m.def("logical_and", &bin_fn<logical_and>, x, y, nm);
  m.def("logical_or", &bin_fn<logical_or>, x, y, nm);
  m.def("logical_not", &un_fn<logical_not>, x, nm);
  bind_elementwise(m);
  m.def(
      "where",
      [](py::handle c, py::handle a, py::handle b) {
        Tensor tc = must(c, "where"), ta, tb;
        if (!operands(a, b, &ta, &tb)) {
          must(a, "where");
          must(b, "where");
        }
        return wrap(where(tc, ta, tb));
      },
      py::arg("condition"), x, y);
  m.def(
      "reduce_sum",
      [](py::handle x, py::handle axis, bool keepdims, py::handle) {
        Tensor t = must(x, "reduce_sum");
        Axes ax = parse_axes(axis);
        return wrap(run(t.numel(), [&] { return reduce_sum(t, ax, keepdims); }));
      },
      py::arg("input_tensor"), py::arg("axis") = py::none(), py::arg("keepdims") = false, nm);
  m.def(
      "reduce_mean",
      [](py::handle x, py::handle axis, bool keepdims, py::handle) {
        Tensor t = must(x, "reduce_mean");
        Axes ax = parse_axes(axis);
        return wrap(run(t.numel(), [&] { return reduce_mean(t, ax, keepdims); }));
      },
      py::arg("input_tensor"), py::arg("axis") = py::none(), py::arg("keepdims") = false, nm);
  m.def(
      "matmul",
      [](py::handle a, py::handle b, bool ta, bool tb, bool aa, bool ab, py::handle) {
        Tensor A, B;
        if (!operands(a, b, &A, &B)) {
          must(a, "matmul");
          must(b, "matmul");
        }
        return wrap(run(A.numel() + B.numel(), [&] { return matmul(A, B, ta || aa, tb || ab); }));
      },
      py::arg("a"), py::arg("b"), py::arg("transpose_a") = false, py::arg("transpose_b") = false,
      py::arg("adjoint_a") = false, py::arg("adjoint_b") = false, nm);
  m.def(
      "reshape", [](py::handle x, py::handle shape, py::handle) { return wrap(reshape(must(x, "reshape"), parse_shape(shape))); },
      py::arg("tensor"), py::arg("shape"), nm);
  m.def(
      "transpose",
      [](py::handle x, py::handle perm, bool conjugate, py::handle) {
        (void)conjugate;  // real dtypes only
        Tensor t = must(x, "transpose");
        std::vector<int64_t> p = perm.is_none() ? std::vector<int64_t>{} : parse_shape(perm);
        return wrap(run(t.numel(), [&] { return transpose(t, p); }));
      },
      py::arg("a"), py::arg("perm") = py::none(), py::arg("conjugate") = false, nm);
  m.def("cast", [](py::handle x, int code) { return wrap(cast(must(x, "cast"), dtype_from_code(code))); });
  m.def(
      "broadcast_to",
      [](py::handle x, py::handle shape, py::handle) {
        return wrap(broadcast_to(must(x, "broadcast_to"), Shape(parse_shape(shape))));
      },
      py::arg("input"), py::arg("shape"), nm);
  m.def("sum_to", [](py::handle x, py::handle shape) { return wrap(sum_to(must(x, "sum_to"), Shape(parse_shape(shape)))); });
  m.def("strided_slice", [](py::handle x, std::vector<int64_t> b, std::vector<int64_t> e, std::vector<int64_t> s) {
    return wrap(strided_slice(must(x, "strided_slice"), b, e, s));
  });
  m.def("strided_slice_grad", [](py::handle dy, py::handle shape, std::vector<int64_t> b, std::vector<int64_t> e,
                                 std::vector<int64_t> s) {
    return wrap(strided_slice_grad(must(dy, "strided_slice_grad"), Shape(parse_shape(shape)), b, e, s));
  });
  m.def("stop_gradient", [](const TensorPtr& t) { return wrap(Tensor(t).with_shape(t->shape)); });
  m.def("zeros_like_t", [](const TensorPtr& t) { return wrap(zeros_like(Tensor(t))); });

  bind_math(m);
  bind_index(m);
  bind_nn(m);

  m.def("registered_ops", [] {
    py::list l;
    for (const OpDef* d : op_table()) l.append(d->name);
    return l;
  });

  // ---------------------------------------------------------------- tape
  py::class_<Tape, TapePtr>(m, "_Tape")
      .def(py::init<bool>(), py::arg("persistent"))
      .def("watch", [](Tape& t, const TensorPtr& x) { t.watch(Tensor(x)); })
      .def("tracks", [](const Tape& t, const TensorPtr& x) { return t.tracks(Tensor(x)); })
      .def_property("persistent", &Tape::persistent, &Tape::set_persistent)
      .def_property_readonly("num_records", &Tape::num_records)
      .def_property_readonly("released", &Tape::released)
      .def_property_readonly("batchable", &Tape::batchable)
      .def("detach", &Tape::detach)
      .def("clear", &Tape::clear)
      .def(
          "gradient",
          [](Tape& t, py::handle targets, py::handle sources, py::handle output_grads, bool zero, int batch) {
            std::vector<Tensor> tg = list_to_tensors(targets, false);
            std::vector<Tensor> src = list_to_tensors(sources, false);
            std::vector<Tensor> og;
            if (!output_grads.is_none()) og = list_to_tensors(output_grads, true);
            return tensors_to_list(t.gradient(tg, src, og, zero, batch));
          },
          py::arg("targets"), py::arg("sources"), py::arg("output_grads"), py::arg("zero_unconnected"),
          py::arg("batch") = 0)
      .def("gradient_one", [](Tape& t, py::handle target, py::handle source) {
        // One tensor target, one tensor source: the common call, no lists.
        return wrap(t.gradient({as_tensor(target)}, {as_tensor(source)}, {}, false)[0]);
      });
  py::class_<Accumulator, AccumulatorPtr>(m, "_Accumulator")
      .def(py::init<>())
      .def("watch", [](Accumulator& a, const TensorPtr& p, const TensorPtr& t) { a.watch(Tensor(p), Tensor(t)); })
      .def("tangent", [](const Accumulator& a, const TensorPtr& t) { return wrap(a.tangent(Tensor(t))); });
  m.def("push_accumulator", [](const AccumulatorPtr& a) { tape::push_accumulator(a); });
  m.def("pop_accumulator", [](const AccumulatorPtr& a) { tape::pop_accumulator(a.get()); });
  // custom_gradient(inputs, outputs, backward): backward(upstream gradients,
  // recorded outputs) -> list of input gradients (None allowed), under the GIL.
  m.def("custom_gradient", [](py::handle inputs, py::handle outputs, py::object backward) {
    // The Python callable is dropped with the GIL held, whichever thread
    // releases the last record that refers to it.
    struct PyFn {
      py::object f;
      ~PyFn() {
        py::gil_scoped_acquire gil;
        f = py::object();
      }
    };
    auto pf = std::make_shared<PyFn>();
    pf->f = std::move(backward);
    CustomVjp vjp = [pf](const std::vector<Tensor>& up, const std::vector<Tensor>& outs) {
      py::gil_scoped_acquire gil;
      py::object r = pf->f(tensors_to_list(up), tensors_to_list(outs));
      return list_to_tensors(r, true);
    };
    return tensors_to_list(
        fasttape::custom_gradient(list_to_tensors(inputs, false), list_to_tensors(outputs, false), vjp));
  });
  m.def("push_tape", [](const TapePtr& t) { tape::push(t); });
  m.def("pop_tape", [](const TapePtr& t) { tape::pop(t.get()); });

  // ---------------------------------------------------------------- variables
  py::class_<Variable>(m, "_VariableSlot")
      .def(py::init([](const TensorPtr& t) { return Variable(Tensor(t)); }))
      .def("read", [](const Variable& v) { return wrap(v.read()); })
      .def("assign", [](Variable& v, const TensorPtr& t) { v.assign(Tensor(t)); })
      .def("assign_add", [](Variable& v, const TensorPtr& t) { v.assign_add(Tensor(t)); })
      .def("assign_sub", [](Variable& v, const TensorPtr& t) { v.assign_sub(Tensor(t)); });

  // ---------------------------------------------------------------- config
  m.def(
      "_big_buffer_stats",
      [](bool reset_peak) {
        BigBufferStats s = fasttape::big_buffer_stats(reset_peak);
        py::dict d;
        d["fresh"] = s.fresh;
        d["reused"] = s.reused;
        d["live_bytes"] = s.live_bytes;
        d["peak_bytes"] = s.peak_bytes;
        return d;
      },
      py::arg("reset_peak") = false);
  m.def("num_threads", &fasttape::num_threads);
  m.def("set_num_threads", &fasttape::set_num_threads);
  m.def("simd_isa", &fasttape::simd_isa);
}
