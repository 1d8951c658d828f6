// fasttape._core: the pybind11 layer. It converts Python arguments to
// tensors (Python scalars take the other operand's dtype, as in TensorFlow),
// releases the GIL around big kernels, and does nothing else: there is no
// Python between a binding call and the op.
#include <algorithm>

#include "bindings.hpp"

namespace ftbind {
PyObject* g_invalid_argument = nullptr;
PyObject* g_convert_fallback = nullptr;

namespace {

// The one translator of fasttape's exceptions (error.hpp) into TensorFlow's
// Python classes. pybind11 calls it for bound functions (it rethrows what
// it does not know, for pybind11's own translators); the Tensor type's
// slots call it through set_python_error.
void translate(std::exception_ptr p) {
  try {
    if (p) std::rethrow_exception(p);
  } catch (const InvalidArgument& e) {
    PyErr_SetString(g_invalid_argument ? g_invalid_argument : PyExc_ValueError, e.what());
  } catch (const TapeError& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
}

}  // namespace

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

}  // namespace ftbind

PYBIND11_MODULE(_core, m) {
  m.doc() = "fasttape's C++ engine: tensors, tape, op table and kernels";

  py::register_exception_translator(&translate);

  // The element types' codes, owned by C++ (fasttape/dtype.hpp): the Python
  // DType objects and Tensor._dtype_code take their numbers from here.
  py::enum_<DType>(m, "DTypeCode", "The element types' codes (C++'s DType enum); Tensor._dtype_code holds one as an int.")
      .value("float32", DType::Float32)
      .value("float64", DType::Float64)
      .value("int32", DType::Int32)
      .value("int64", DType::Int64)
      .value("bool", DType::Bool);

  init_tensor_type(m);
  init_variable_type(m);

  // ---------------------------------------------------------------- conversion
  m.def("_set_hooks", [](py::object invalid_argument, py::object fallback) {
    g_invalid_argument = invalid_argument.release().ptr();
    g_convert_fallback = fallback.release().ptr();
  }, py::arg("invalid_argument"), py::arg("fallback"));
  m.def("from_numpy", [](py::array a) { return wrap(from_numpy(std::move(a))); }, py::arg("array"));
  m.def("to_tensor", [](py::handle h, py::object like_code) {
    if (like_code.is_none()) return wrap(must(h, "convert_to_tensor"));
    Tensor like = Tensor::scalar(0, dtype_from_code(like_code.cast<int>()));
    Tensor t = to_tensor(h, &like);
    if (!t.defined()) must(h, "convert_to_tensor");
    return wrap(t);
  }, py::arg("value"), py::arg("like_code"));
  // The one shape check (Tensor::empty's), for the Python layer's own
  // constructors (random, range, eye, one_hot), naming the op.
  auto check_shape = [](const Shape& s, const std::string& op) {
    std::string why = shape_problem(s);
    if (!why.empty()) throw InvalidArgument(op + ": " + why);
  };
  m.def("check_shape", [check_shape](py::handle shape, const std::string& op) {
    check_shape(Shape(parse_shape(shape)), op);
  }, py::arg("shape"), py::arg("op"));
  m.def("fill", [check_shape](py::handle shape, double v, int code, const std::string& op) {
    Shape s(parse_shape(shape));
    check_shape(s, op);
    return wrap(Tensor::full(s, v, dtype_from_code(code)));
  }, py::arg("shape"), py::arg("value"), py::arg("dtype_code"), py::arg("op") = "fill");
  m.def("is_tensor", [](py::handle h) { return is_tensor(h); }, py::arg("x"));
  m.def("is_variable", [](py::handle h) { return is_variable(h.ptr()); }, py::arg("x"));

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
      "identity", [](py::handle input, py::handle) { return wrap(identity(must(input, "identity"))); },
      py::arg("input"), py::arg("name") = py::none(),
      "A new tensor with input's value (no copy): watched or differentiated apart from input.");
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
  m.def("cast", [](py::handle x, int code) { return wrap(cast(must(x, "cast"), dtype_from_code(code))); }, py::arg("x"),
        py::arg("dtype_code"));
  m.def(
      "broadcast_to",
      [](py::handle x, py::handle shape, py::handle) {
        return wrap(broadcast_to(must(x, "broadcast_to"), Shape(parse_shape(shape))));
      },
      py::arg("input"), py::arg("shape"), nm);
  m.def("sum_to", [](py::handle x, py::handle shape) { return wrap(sum_to(must(x, "sum_to"), Shape(parse_shape(shape)))); },
        py::arg("x"), py::arg("shape"));
  m.def("strided_slice", [](py::handle x, std::vector<int64_t> b, std::vector<int64_t> e, std::vector<int64_t> s) {
    return wrap(strided_slice(must(x, "strided_slice"), b, e, s));
  }, py::arg("x"), py::arg("begin"), py::arg("end"), py::arg("strides"));
  m.def("strided_slice_grad", [](py::handle dy, py::handle shape, std::vector<int64_t> b, std::vector<int64_t> e,
                                 std::vector<int64_t> s) {
    return wrap(strided_slice_grad(must(dy, "strided_slice_grad"), Shape(parse_shape(shape)), b, e, s));
  }, py::arg("dy"), py::arg("shape"), py::arg("begin"), py::arg("end"), py::arg("strides"));
  m.def("stop_gradient", [](const Tensor& t) { return wrap(t.with_shape(t.shape())); }, py::arg("x"));
  m.def("zeros_like_t", [](const Tensor& t) { return wrap(zeros_like(t)); }, py::arg("x"));

  bind_math(m);
  bind_index(m);
  bind_nn(m);
  bind_optim(m);

  m.def("registered_ops", [] {
    py::list l;
    for (const OpDef* d : op_table()) l.append(d->name);
    return l;
  });

  // ---------------------------------------------------------------- tape
  py::class_<Tape, TapePtr>(m, "_Tape")
      .def(py::init<bool, bool>(), py::arg("persistent"), py::arg("watch_accessed_variables") = true)
      .def("watch", [](Tape& t, const Tensor& x) { t.watch(x); }, py::arg("x"))
      .def("watch_variable",
           [](Tape& t, py::handle v) {
             if (!is_variable(v.ptr())) throw py::type_error("watch_variable: expected a Variable");
             t.watch(variable_of(v.ptr()));
           }, py::arg("variable"))
      .def("watched_variables",
           [](const Tape& t) {
             // In creation order, as TensorFlow gives them.
             std::vector<const Variable*> vars;
             for (const Tape::WatchedVariable& w : t.watched_variables()) vars.push_back(w.var);
             std::sort(vars.begin(), vars.end(), [](const Variable* a, const Variable* b) { return a->uid() < b->uid(); });
             py::list l;
             for (const Variable* v : vars)
               if (PyObject* o = object_of(v)) l.append(py::handle(o));
             return l;
           })
      .def("variable_values",
           [](const Tape& t, py::handle v) {
             if (!is_variable(v.ptr())) throw py::type_error("variable_values: expected a Variable");
             return tensors_to_list(t.watched_values(variable_of(v.ptr())));
           }, py::arg("variable"))
      .def_property_readonly("recording", &Tape::recording)
      .def_property_readonly("watch_accessed_variables", &Tape::watch_accessed_variables)
      .def("tracks", [](const Tape& t, const Tensor& x) { return t.tracks(x); }, py::arg("x"))
      .def_property("persistent", &Tape::persistent, &Tape::set_persistent)
      .def_property_readonly("num_records", &Tape::num_records)
      .def_property_readonly("released", &Tape::released)
      .def_property_readonly("batchable", &Tape::batchable)
      .def("release", &Tape::release)
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
      .def("gradient_one", [](Tape& t, const Tensor& target, const Tensor& source) {
        // One tensor target, one tensor source: the common call, no lists.
        return wrap(t.gradient({target}, {source}, {}, false)[0]);
      }, py::arg("target"), py::arg("source"));
  py::class_<Accumulator, AccumulatorPtr>(m, "_Accumulator")
      .def(py::init<>())
      .def("watch", [](Accumulator& a, const Tensor& p, const Tensor& t) { a.watch(p, t); }, py::arg("primal"),
           py::arg("tangent"))
      .def("tangent", [](const Accumulator& a, const Tensor& t) { return wrap(a.tangent(t)); }, py::arg("x"));
  m.def("push_accumulator", [](const AccumulatorPtr& a) { tape::push_accumulator(a); }, py::arg("accumulator"));
  m.def("pop_accumulator", [](const AccumulatorPtr& a) { tape::pop_accumulator(a.get()); }, py::arg("accumulator"));
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
  }, py::arg("inputs"), py::arg("outputs"), py::arg("backward"));
  m.def("push_tape", [](const TapePtr& t) { tape::push(t); }, py::arg("tape"));
  // Collects the variables read on this thread from start() to stop().
  py::class_<VariableReads, VariableReadsPtr>(m, "_VariableReads")
      .def(py::init<>())
      .def("start", [](const VariableReadsPtr& r) { tape::push_variable_reads(r); })
      .def("stop", [](const VariableReadsPtr& r) { tape::pop_variable_reads(r.get()); })
      .def("variables", [](const VariableReads& r) {
        py::list l;
        for (const auto& p : r.variables())
          if (PyObject* o = object_of(p.first)) l.append(py::handle(o));
        return l;
      });
  m.def("pop_tape", [](const TapePtr& t) { tape::pop(t.get()); }, py::arg("tape"));
  py::class_<tape::Suspension>(m, "_Suspension",
                               "Made, it takes every tape and forward accumulator of this thread off recording "
                               "until resume().")
      .def(py::init<>())
      .def("resume", &tape::Suspension::resume);

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
  m.def("clear_memory_cache", &fasttape::clear_memory_cache);
#ifdef FASTTAPE_PLAIN_MALLOC
  m.attr("_plain_malloc") = true;  // a sanitizer build: no block pool, no buffer cache
#else
  m.attr("_plain_malloc") = false;
#endif
  m.def("num_threads", &fasttape::num_threads);
  m.def("set_num_threads", &fasttape::set_num_threads, py::arg("n"));
  m.def("simd_isa", &fasttape::simd_isa);

  // Last: every function defined above gets TensorFlow's errors for unknown keywords.
  add_argument_errors(m);
}
