// pybind11 bindings of the nn ops (shared helpers: bindings.hpp). Argument
// names and defaults are TensorFlow's; static shape problems TensorFlow
// reports in Python (before running a kernel) raise ValueError here too.
#include "bindings.hpp"

namespace {

std::string shape_py(const Shape& s) {
  std::string r = "(";
  for (int i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

// axis: None (= -1), a Python int or a 0-d integer tensor.
int64_t parse_axis(py::handle axis) {
  if (axis.is_none()) return -1;
  if (is_tensor(axis)) {
    Tensor t = as_tensor(axis);
    if (t.numel() != 1 || is_floating(t.dtype())) throw py::type_error("axis must be an integer, got a tensor of shape " + shape_str(t.shape()));
    return static_cast<int64_t>(t.item());
  }
  return to_i64(axis);
}

// A unary op binding whose conversion errors name the op.
template <Tensor (*F)(const Tensor&)>
void def_act(py::module_& m, const char* name) {
  m.def(
      name,
      [name](py::handle x, py::handle) {
        Tensor t = must(x, name);
        return wrap(run(t.numel(), [&] { return F(t); }));
      },
      py::arg("features"), py::arg("name") = py::none());
}

}  // namespace

void bind_nn(py::module_& m) {
  auto nm = py::arg("name") = py::none();
  py::arg features("features");

  def_act<softplus>(m, "softplus");
  m.def(
      "leaky_relu",
      [](py::handle x, double alpha, py::handle) {
        Tensor t = must(x, "leaky_relu");
        // TensorFlow computes integer features in float32.
        if (!is_floating(t.dtype()) && t.dtype() != DType::Bool) t = cast(t, DType::Float32);
        return wrap(run(t.numel(), [&] { return leaky_relu(t, alpha); }));
      },
      features, py::arg("alpha") = 0.2, nm);
  m.def(
      "gelu",
      [](py::handle x, bool approximate, py::handle) {
        Tensor t = must(x, "gelu");
        if (!is_floating(t.dtype()))
          throw py::value_error(std::string("`features.dtype` must be a floating point tensor. Received:features.dtype=") +
                                dtype_name(t.dtype()));
        return wrap(run(t.numel(), [&] { return gelu(t, approximate); }));
      },
      features, py::arg("approximate") = false, nm);
  m.def(
      "gelu_grad",
      [](py::handle x, bool approximate) {
        Tensor t = must(x, "gelu_grad");
        return wrap(run(t.numel(), [&] { return gelu_grad(t, approximate); }));
      },
      features, py::arg("approximate") = false);

  m.def(
      "leaky_relu_grad",
      [](py::handle g, py::handle x, double alpha) {
        Tensor tg, tx;
        if (!operands(g, x, &tg, &tx)) must(g, "leaky_relu_grad"), must(x, "leaky_relu_grad");
        return wrap(leaky_relu_grad(tg, tx, alpha));
      },
      py::arg("gradients"), py::arg("features"), py::arg("alpha") = 0.2);
  m.def(
      "softmax",
      [](py::handle x, py::handle axis, py::handle) {
        Tensor t = must(x, "softmax");
        int64_t a = parse_axis(axis);
        return wrap(run(t.numel(), [&] { return softmax(t, a); }));
      },
      py::arg("logits"), py::arg("axis") = py::none(), nm);
  m.def(
      "log_softmax",
      [](py::handle x, py::handle axis, py::handle) {
        Tensor t = must(x, "log_softmax");
        int64_t a = parse_axis(axis);
        return wrap(run(t.numel(), [&] { return log_softmax(t, a); }));
      },
      py::arg("logits"), py::arg("axis") = py::none(), nm);

  m.def(
      "softmax_cross_entropy_with_logits",
      [](py::handle labels, py::handle logits, py::handle axis, py::handle) {
        Tensor lg = must(logits, "softmax_cross_entropy_with_logits");
        Tensor lb = to_tensor(labels, &lg);
        if (!lb.defined()) lb = must(labels, "softmax_cross_entropy_with_logits");
        int64_t a = parse_axis(axis);
        return wrap(run(lg.numel(), [&] { return softmax_cross_entropy_with_logits(lb, lg, a); }));
      },
      py::arg("labels"), py::arg("logits"), py::arg("axis") = -1, nm);
  m.def(
      "sparse_softmax_cross_entropy_with_logits",
      [](py::handle labels, py::handle logits, py::handle) {
        Tensor lg = must(logits, "sparse_softmax_cross_entropy_with_logits");
        Tensor lb = must(labels, "sparse_softmax_cross_entropy_with_logits");
        if (lg.ndim() == 0)
          throw py::value_error("Logits cannot be scalars - received shape " + shape_py(lg.shape()) + ".");
        if (lb.ndim() != lg.ndim() - 1)
          throw py::value_error("`labels.shape.rank` must equal `logits.shape.rank - 1`. Received: labels.shape=" +
                                shape_py(lb.shape()) + " of rank " + std::to_string(lb.ndim()) +
                                " and logits.shape=" + shape_py(lg.shape()) + " of rank " +
                                std::to_string(lg.ndim()));
        for (int i = 0; i < lb.ndim(); ++i)
          if (lb.dim(i) != lg.dim(i))
            throw py::value_error("Shape mismatch: The shape of labels (received " + shape_py(lb.shape()) +
                                  ") should equal the shape of logits except for the last dimension (received " +
                                  shape_py(lg.shape()) + ").");
        return wrap(run(lg.numel(), [&] { return sparse_softmax_cross_entropy_with_logits(lb, lg); }));
      },
      py::arg("labels"), py::arg("logits"), nm);
  m.def(
      "sigmoid_cross_entropy_with_logits",
      [](py::handle labels, py::handle logits, py::handle) {
        if (labels.is_none() || logits.is_none())
          throw py::value_error("Both labels and logits must be provided.");
        Tensor lb, lg;
        if (!operands(labels, logits, &lb, &lg)) {
          must(labels, "sigmoid_cross_entropy_with_logits");
          must(logits, "sigmoid_cross_entropy_with_logits");
        }
        if (lb.shape() != lg.shape())
          throw py::value_error("`logits` and `labels` must have the same shape, received (" + shape_py(lg.shape()) + " vs " +
                                shape_py(lb.shape()) + ").");
        return wrap(run(lg.numel(), [&] { return sigmoid_cross_entropy_with_logits(lb, lg); }));
      },
      py::arg("labels") = py::none(), py::arg("logits") = py::none(), nm);
  m.def(
      "l2_loss",
      [](py::handle x, py::handle) {
        Tensor t = must(x, "l2_loss");
        return wrap(run(t.numel(), [&] { return l2_loss(t); }));
      },
      py::arg("t"), nm);
}
