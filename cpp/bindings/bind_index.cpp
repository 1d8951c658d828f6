// pybind11 bindings of the index ops (shared helpers: bindings.hpp).
#include "bindings.hpp"

namespace {

// A list of tensor-likes: Python scalars and lists take the dtype of the
// first tensor among them (as TensorFlow converts a list of values).
std::vector<Tensor> tensor_list(py::handle values, const char* op) {
  if (is_tensor(values)) type_error(std::string(op) + ": values must be a list or tuple of tensors, got a tensor");
  std::vector<py::handle> hs;
  for (py::handle h : values) hs.push_back(h);
  const Tensor* like = nullptr;
  Tensor first;
  for (py::handle h : hs)
    if (is_tensor(h)) {
      first = as_tensor(h);
      like = &first;
      break;
    }
  std::vector<Tensor> v;
  for (py::handle h : hs) {
    Tensor t = like ? to_tensor(h, like) : to_tensor(h, nullptr);
    if (!t.defined()) must(h, op);
    v.push_back(t);
  }
  return v;
}

// Integers of a (nested) list, numpy array or tensor, flattened.
std::vector<int64_t> flat_ints(py::handle h) {
  if (is_tensor(h)) {
    std::vector<int64_t> v;
    for (double d : as_tensor(h).to_vector()) v.push_back(static_cast<int64_t>(d));
    return v;
  }
  auto a = py::array_t<int64_t, py::array::c_style | py::array::forcecast>::ensure(h);
  if (!a) throw py::error_already_set();
  return std::vector<int64_t>(a.data(), a.data() + a.size());
}

Tensor index_tensor(py::handle h, const char* op) {
  Tensor t = must(h, op);
  return t;
}

}  // namespace

void bind_index(py::module_& m) {
  auto nm = py::arg("name") = py::none();
  m.def(
      "concat",
      [](py::handle values, py::handle axis, py::handle) {
        std::vector<Tensor> v = tensor_list(values, "concat");
        int64_t ax = to_i64(axis);
        int64_t n = 0;
        for (const Tensor& t : v) n += t.numel();
        return wrap(run(n, [&] { return concat(v, ax); }));
      },
      py::arg("values"), py::arg("axis"), nm);
  m.def(
      "stack",
      [](py::handle values, py::handle axis, py::handle) {
        std::vector<Tensor> v = tensor_list(values, "stack");
        return wrap(stack(v, to_i64(axis)));
      },
      py::arg("values"), py::arg("axis") = 0, nm);
  m.def(
      "unstack",
      [](py::handle value, py::handle num, py::handle axis, py::handle) {
        Tensor t = must(value, "unstack");
        return tensors_to_list(unstack(t, num.is_none() ? -1 : to_i64(num), to_i64(axis)));
      },
      py::arg("value"), py::arg("num") = py::none(), py::arg("axis") = 0, nm);
  m.def(
      "expand_dims", [](py::handle x, py::handle axis, py::handle) {
        return wrap(expand_dims(must(x, "expand_dims"), to_i64(axis)));
      },
      py::arg("input"), py::arg("axis"), nm);
  m.def(
      "squeeze",
      [](py::handle x, py::handle axis, py::handle) {
        std::vector<int64_t> ax = axis.is_none() ? std::vector<int64_t>{} : flat_ints(axis);
        return wrap(squeeze(must(x, "squeeze"), ax));
      },
      py::arg("input"), py::arg("axis") = py::none(), nm);
  m.def(
      "tile",
      [](py::handle x, py::handle multiples, py::handle) {
        Tensor t = must(x, "tile");
        std::vector<int64_t> mul = flat_ints(multiples);
        return wrap(run(t.numel(), [&] { return tile(t, mul); }));
      },
      py::arg("input"), py::arg("multiples"), nm);
  m.def(
      "pad",
      [](py::handle x, py::handle paddings, std::string mode, py::handle cval, py::handle) {
        Tensor t = must(x, "pad");
        std::vector<int64_t> p = flat_ints(paddings);
        double c = is_tensor(cval) ? as_tensor(cval).item() : py::reinterpret_borrow<py::object>(cval).cast<double>();
        return wrap(run(t.numel(), [&] { return pad(t, p, mode, c); }));
      },
      py::arg("tensor"), py::arg("paddings"), py::arg("mode") = "CONSTANT", py::arg("constant_values") = 0, nm);
  m.def(
      "gather",
      [](py::handle params, py::handle indices, py::handle, py::handle axis, py::handle batch_dims, py::handle) {
        Tensor p = must(params, "gather"), i = index_tensor(indices, "gather");
        int64_t bd = to_i64(batch_dims);
        int64_t ax = axis.is_none() ? bd : to_i64(axis);
        return wrap(run(i.numel(), [&] { return gather(p, i, ax, bd); }));
      },
      py::arg("params"), py::arg("indices"), py::arg("validate_indices") = py::none(), py::arg("axis") = py::none(),
      py::arg("batch_dims") = 0, nm);
  m.def(
      "gather_nd",
      [](py::handle params, py::handle indices, py::handle batch_dims, py::handle) {
        Tensor p = must(params, "gather_nd"), i = index_tensor(indices, "gather_nd");
        int64_t bd = to_i64(batch_dims);
        return wrap(run(i.numel(), [&] { return gather_nd(p, i, bd); }));
      },
      py::arg("params"), py::arg("indices"), py::arg("batch_dims") = 0, nm);
  m.def(
      "gather_grad",
      [](py::handle dy, py::handle indices, int64_t dim_size, int64_t axis, int64_t batch_dims) {
        return wrap(gather_grad(must(dy, "gather_grad"), must(indices, "gather_grad"), dim_size, axis, batch_dims));
      },
      py::arg("dy"), py::arg("indices"), py::arg("dim_size"), py::arg("axis") = 0, py::arg("batch_dims") = 0);
  m.def(
      "gather_nd_grad",
      [](py::handle dy, py::handle indices, py::handle shape, int64_t batch_dims) {
        return wrap(gather_nd_grad(must(dy, "gather_nd_grad"), must(indices, "gather_nd_grad"),
                                   Shape(parse_shape(shape)), batch_dims));
      },
      py::arg("dy"), py::arg("indices"), py::arg("shape"), py::arg("batch_dims") = 0);
}
