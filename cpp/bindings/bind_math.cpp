// pybind11 bindings of the math ops (shared helpers: bindings.hpp).
// TensorFlow's argument names and defaults, with an ignored name=None.
#include "bindings.hpp"

namespace {

using ReduceFn = Tensor (*)(const Tensor&, const Axes&, bool);

// parse_axes, plus numpy integer scalars (which are not Python ints).
Axes reduce_axes(py::handle axis) {
  if (!axis.is_none() && !is_tensor(axis) && !PyLong_Check(axis.ptr()) && PyIndex_Check(axis.ptr()) &&
      !PySequence_Check(axis.ptr()))
    return Axes({to_i64(axis)});
  return parse_axes(axis);
}

template <ReduceFn F, const char* Name>
TensorObject reduce_fn(py::handle x, py::handle axis, bool keepdims, py::handle /*name*/) {
  Tensor t = must(x, Name);
  Axes ax = reduce_axes(axis);
  return wrap(run(t.numel(), [&] { return F(t, ax, keepdims); }));
}

// reduce_variance / reduce_std: TensorFlow raises TypeError for non-float input.
template <ReduceFn F, const char* Name>
TensorObject moment_fn(py::handle x, py::handle axis, bool keepdims, py::handle name) {
  Tensor t = must(x, Name);
  if (!is_floating(t.dtype()))
    type_error(std::string(Name) + ": Input must be either real or complex, got " + dtype_name(t.dtype()) +
               " (" + Name + " needs float32 or float64; cast first)");
  return reduce_fn<F, Name>(x, axis, keepdims, name);
}

// A scalar axis given as a Python int, numpy integer or 0-d / 1-element tensor.
int64_t scalar_axis(py::handle axis, const char* op) {
  if (is_tensor(axis)) {
    Tensor t = as_tensor(axis);
    if (t.numel() != 1 || is_floating(t.dtype()))
      type_error(std::string(op) + ": axis must be a scalar integer, got a tensor of shape " +
                 shape_str(t.shape()) + " and dtype " + dtype_name(t.dtype()));
    return static_cast<int64_t>(t.to_vector()[0]);
  }
  return to_i64(axis);
}

using ArgFn = Tensor (*)(const Tensor&, int64_t, DType);
template <ArgFn F, const char* Name>
TensorObject arg_fn(py::handle x, py::handle axis, int out_code) {
  Tensor t = must(x, Name);
  int64_t a = axis.is_none() ? 0 : scalar_axis(axis, Name);
  return wrap(run(t.numel(), [&] { return F(t, a, dtype_from_code(out_code)); }));
}

// The ops' names, as template arguments of the shared wrappers above.
constexpr char kReduceMax[] = "reduce_max", kReduceMin[] = "reduce_min", kReduceProd[] = "reduce_prod",
               kLogSumExp[] = "reduce_logsumexp", kVariance[] = "reduce_variance", kStd[] = "reduce_std",
               kArgmax[] = "argmax", kArgmin[] = "argmin";

}  // namespace

void bind_math(py::module_& m) {
  py::arg x("x"), name("name");
  auto nm = name = py::none();
  py::arg it("input_tensor");
  py::arg_v ax = py::arg("axis") = py::none(), kd = py::arg("keepdims") = false;

  m.def("reduce_max", &reduce_fn<reduce_max, kReduceMax>, it, ax, kd, nm);
  m.def("reduce_min", &reduce_fn<reduce_min, kReduceMin>, it, ax, kd, nm);
  m.def("reduce_prod", &reduce_fn<reduce_prod, kReduceProd>, it, ax, kd, nm);
  m.def("reduce_logsumexp", &reduce_fn<reduce_logsumexp, kLogSumExp>, it, ax, kd, nm);
  m.def("reduce_variance", &moment_fn<reduce_variance, kVariance>, it, ax, kd, nm);
  m.def("reduce_std", &moment_fn<reduce_std, kStd>, it, ax, kd, nm);

  // Internal: the Python wrappers (fasttape._math_ops) convert output_type.
  m.def("_argmax", &arg_fn<argmax, kArgmax>, py::arg("input"), py::arg("axis"), py::arg("output_type"));
  m.def("_argmin", &arg_fn<argmin, kArgmin>, py::arg("input"), py::arg("axis"), py::arg("output_type"));

  m.def(
      "cumsum",
      [](py::handle x, py::handle axis, bool exclusive, bool reverse, py::handle) {
        Tensor t = must(x, "cumsum");
        int64_t a = scalar_axis(axis, "cumsum");
        return wrap(run(t.numel(), [&] { return cumsum(t, a, exclusive, reverse); }));
      },
      x, py::arg("axis") = 0, py::arg("exclusive") = false, py::arg("reverse") = false, nm);

  m.def("squared_difference", &bin_fn<squared_difference>, x, py::arg("y"), nm);

  m.def(
      "clip_by_value",
      [](py::handle t, py::handle lo, py::handle hi, py::handle) {
        Tensor tt = must(t, "clip_by_value");
        Tensor tl = to_tensor(lo, &tt), th = to_tensor(hi, &tt);
        if (!tl.defined()) must(lo, "clip_by_value");
        if (!th.defined()) must(hi, "clip_by_value");
        return wrap(run(tt.numel(), [&] { return clip_by_value(tt, tl, th); }));
      },
      py::arg("t"), py::arg("clip_value_min"), py::arg("clip_value_max"), nm);

  m.def(
      "add_n",
      [](py::handle inputs, py::handle) {
        if (is_tensor(inputs) || !py::isinstance<py::sequence>(inputs) || py::len(inputs) == 0)
          throw py::value_error(
              "add_n: inputs must be a non-empty list of tensors with the same dtype and shape");
        py::sequence seq = py::reinterpret_borrow<py::sequence>(inputs);
        // Tensor-like items first fix the dtype; Python scalars then take it.
        Tensor like;
        for (py::handle h : seq)
          if (!is_python_scalar(h)) {
            like = must(h, "add_n");
            break;
          }
        std::vector<Tensor> v;
        for (py::handle h : seq) {
          Tensor t = to_tensor(h, like.defined() ? &like : nullptr);
          if (!t.defined()) t = must(h, "add_n");
          v.push_back(t);
        }
        return wrap(run(v[0].numel() * static_cast<int64_t>(v.size()), [&] { return add_n(v); }));
      },
      py::arg("inputs"), nm);
}
