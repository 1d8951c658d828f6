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

// Conv2dParams from the Python layer's resolved lists (fasttape/_nn_ops.py
// turns TensorFlow's strides/padding/data_format arguments into these).
fasttape::Conv2dParams conv_params(const std::vector<int64_t>& strides, const std::vector<int64_t>& dilations,
                                   const std::vector<int64_t>& pads) {
  if (strides.size() != 2 || dilations.size() != 2 || pads.size() != 4)
    throw py::value_error("conv2d: strides and dilations need 2 values (rows, columns), pads 4 (top, bottom, "
                          "left, right)");
  fasttape::Conv2dParams p;
  for (int i = 0; i < 2; ++i) {
    p.strides[i] = strides[i];
    p.dilations[i] = dilations[i];
  }
  for (int i = 0; i < 4; ++i) p.pads[i] = pads[i];
  return p;
}

fasttape::Pool2dParams pool_params(const std::vector<int64_t>& ksize, const std::vector<int64_t>& strides,
                                   const std::vector<int64_t>& pads) {
  if (ksize.size() != 2 || strides.size() != 2 || pads.size() != 4)
    throw py::value_error("pooling: ksize and strides need 2 values (rows, columns), pads 4 (top, bottom, left, "
                          "right)");
  fasttape::Pool2dParams p;
  for (int i = 0; i < 2; ++i) {
    p.ksize[i] = ksize[i];
    p.strides[i] = strides[i];
  }
  for (int i = 0; i < 4; ++i) p.pads[i] = pads[i];
  return p;
}

void bind_nn(py::module_& m) {
  auto nm = py::arg("name") = py::none();
  using IV = std::vector<int64_t>;
  m.def(
      "max_pool2d",
      [](py::handle input, IV ksize, IV strides, IV pads) {
        Tensor x = must(input, "max_pool2d");
        const auto p = pool_params(ksize, strides, pads);
        return wrap(run(x.numel(), [&] { return max_pool2d(x, p); }));
      },
      py::arg("input"), py::arg("ksize"), py::arg("strides"), py::arg("pads"),
      "2-D max pooling of an NHWC input; explicit pads (top, bottom, left, right). fasttape.nn.max_pool2d takes "
      "TensorFlow's arguments.");
  m.def(
      "avg_pool2d",
      [](py::handle input, IV ksize, IV strides, IV pads) {
        Tensor x = must(input, "avg_pool2d");
        const auto p = pool_params(ksize, strides, pads);
        return wrap(run(x.numel(), [&] { return avg_pool2d(x, p); }));
      },
      py::arg("input"), py::arg("ksize"), py::arg("strides"), py::arg("pads"),
      "2-D average pooling of an NHWC input (padding is not counted in the average).");
  m.def(
      "max_pool2d_grad",
      [](py::handle input, py::handle grad, IV ksize, IV strides, IV pads) {
        Tensor x = must(input, "max_pool2d_grad"), g = must(grad, "max_pool2d_grad");
        const auto p = pool_params(ksize, strides, pads);
        return wrap(run(x.numel(), [&] { return max_pool2d_grad(x, g, p); }));
      },
      py::arg("input"), py::arg("grad"), py::arg("ksize"), py::arg("strides"), py::arg("pads"),
      "The gradient of max_pool2d: grad routed to each window's first maximum in input.");
  m.def(
      "max_pool2d_grad_grad",
      [](py::handle input, py::handle grad, IV ksize, IV strides, IV pads) {
        Tensor x = must(input, "max_pool2d_grad_grad"), g = must(grad, "max_pool2d_grad_grad");
        const auto p = pool_params(ksize, strides, pads);
        return wrap(run(x.numel(), [&] { return max_pool2d_grad_grad(x, g, p); }));
      },
      py::arg("input"), py::arg("grad"), py::arg("ksize"), py::arg("strides"), py::arg("pads"),
      "The gradient of max_pool2d_grad in its grad: each window takes grad at its first maximum in input.");
  m.def(
      "avg_pool2d_grad",
      [](IV input_shape, py::handle grad, IV ksize, IV strides, IV pads) {
        Tensor g = must(grad, "avg_pool2d_grad");
        const auto p = pool_params(ksize, strides, pads);
        return wrap(run(g.numel(), [&] { return avg_pool2d_grad(input_shape, g, p); }));
      },
      py::arg("input_shape"), py::arg("grad"), py::arg("ksize"), py::arg("strides"), py::arg("pads"),
      "The gradient of avg_pool2d: grad spread evenly over each window.");
  m.def(
      "conv2d",
      [](py::handle input, py::handle filter, std::vector<int64_t> strides, std::vector<int64_t> dilations,
         std::vector<int64_t> pads) {
        Tensor x = must(input, "conv2d"), w = must(filter, "conv2d");
        const auto p = conv_params(strides, dilations, pads);
        return wrap(run(x.numel() + w.numel(), [&] { return conv2d(x, w, p); }));
      },
      py::arg("input"), py::arg("filter"), py::arg("strides"), py::arg("dilations"), py::arg("pads"),
      "2-D convolution of an NHWC input with an HWIO filter; explicit pads (top, bottom, left, right). "
      "fasttape.nn.conv2d takes TensorFlow's arguments.");
  m.def(
      "conv2d_backprop_input",
      [](std::vector<int64_t> input_sizes, py::handle filter, py::handle out_backprop, std::vector<int64_t> strides,
         std::vector<int64_t> dilations, std::vector<int64_t> pads) {
        Tensor w = must(filter, "conv2d_backprop_input"), g = must(out_backprop, "conv2d_backprop_input");
        const auto p = conv_params(strides, dilations, pads);
        return wrap(run(w.numel() + g.numel(), [&] { return conv2d_backprop_input(input_sizes, w, g, p); }));
      },
      py::arg("input_sizes"), py::arg("filter"), py::arg("out_backprop"), py::arg("strides"), py::arg("dilations"),
      py::arg("pads"), "The gradient of conv2d with respect to its input (TensorFlow's Conv2DBackpropInput).");
  m.def(
      "conv2d_backprop_filter",
      [](py::handle input, std::vector<int64_t> filter_sizes, py::handle out_backprop, std::vector<int64_t> strides,
         std::vector<int64_t> dilations, std::vector<int64_t> pads) {
        Tensor x = must(input, "conv2d_backprop_filter"), g = must(out_backprop, "conv2d_backprop_filter");
        const auto p = conv_params(strides, dilations, pads);
        return wrap(run(x.numel() + g.numel(), [&] { return conv2d_backprop_filter(x, filter_sizes, g, p); }));
      },
      py::arg("input"), py::arg("filter_sizes"), py::arg("out_backprop"), py::arg("strides"), py::arg("dilations"),
      py::arg("pads"), "The gradient of conv2d with respect to its filter (TensorFlow's Conv2DBackpropFilter).");
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
