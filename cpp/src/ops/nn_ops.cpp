// Neural-network ops of the op table: activations, softmax / log_softmax,
// fused cross-entropies and l2_loss. Each entry: forward (checks, kernel,
// record), VJP and JVP side by side. VJPs are written with fasttape ops so
// outer tapes see them (higher orders), honour the needs mask, and are
// batch-aware: per-axis attributes shift by c.batch, and elementwise products
// of a batched gradient with a saved tensor broadcast on their own.
#include <algorithm>
#include <cstring>

#include "fasttape/ops_nn.hpp"
#include "kernels/nn_kernels.hpp"
#include "ops/common.hpp"

namespace fasttape {
using namespace ops_detail;
using kernels::ActOp;

namespace {

Tensor act_forward(ActOp k, const OpName& op, const Tensor& x, double alpha = 0.0) {
  check_float(op, x);
  Tensor out = Tensor::empty(x.shape(), x.dtype());
  kernels::activation(k, x, alpha, out);
  return out;
}

Tensor sc(double v, const Tensor& like) { return Tensor::scalar(v, like.dtype()); }

// leaky_relu's and leaky_relu_grad's attribute.
struct LeakyAttrs {
  double alpha;
};

// The (outer, n, inner) view of x around axis a (normalised).
void layout(const Shape& s, int64_t a, int64_t* outer, int64_t* n, int64_t* inner) {
  *outer = 1;
  *inner = 1;
  for (int64_t i = 0; i < a; ++i) *outer *= s[i];
  *n = s[a];
  for (int64_t i = a + 1; i < s.size(); ++i) *inner *= s[i];
}

// s with the axis a removed / set to 1.
Shape drop_axis(const Shape& s, int64_t a) {
  std::vector<int64_t> d;
  for (int64_t i = 0; i < s.size(); ++i)
    if (i != a) d.push_back(s[i]);
  return Shape(d);
}
Shape keep_axis(const Shape& s, int64_t a) {
  std::vector<int64_t> d = s.vec();
  d[a] = 1;
  return Shape(d);
}

Tensor sum_axis(const Tensor& t, int64_t a, bool keep) { return reduce_sum(t, Axes({a}), keep); }

}  // namespace

// g times leaky_relu's derivative at its input v. g has v's shape, or v's
// shape after leading batch axes.
static Tensor leaky_backprop(const OpName& op, const Tensor& g, const Tensor& v, double alpha) {
  const Shape &gs = g.shape(), &vs = v.shape();
  // Leading batch axes come from (nested) jacobian sweeps.
  bool ok = gs.size() >= vs.size() && std::equal(vs.begin(), vs.end(), gs.begin() + (gs.size() - vs.size()));
  if (!ok)
    fail(op, "the gradient's shape " + shape_str(gs) + " must be the activation's shape " + shape_str(vs) +
                 ", possibly with leading batch axes");
  Tensor out = Tensor::empty(gs, g.dtype());
  kernels::leaky_relu_backprop(g, v, alpha, out);
  return out;
}

// ---------------------------------------------------------------- leaky_relu: saves x; attr alpha
// LeakyReluGrad: g where x > 0, alpha * g elsewhere (alpha at the kink); an
// op of its own (leaky_relu_grad) for the same reason as relu6_grad.
static void leaky_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = leaky_relu_grad(g[0], c.saved[0], c.attrs_as<LeakyAttrs>().alpha);
}
static void leaky_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = leaky_relu_grad(t[0], *c.inputs[0], c.attrs_as<LeakyAttrs>().alpha);
}
static const OpDef kLeaky("leaky_relu", leaky_vjp, leaky_jvp);
Tensor leaky_relu(const Tensor& x, double alpha) {
  Tensor y = act_forward(ActOp::LeakyRelu, {"leaky_relu", "LeakyRelu"}, x, alpha);
  if (tape::any_active()) tape::record(&kLeaky, {&x}, {&y}, {x}, Packed<LeakyAttrs>({alpha}));
  return y;
}

// leaky_relu_grad(g, x): inputs (g, x); saves x; attr alpha.
static void leaky_grad_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = unbroadcast(c, leaky_relu_grad(g[0], c.saved[0], c.attrs_as<LeakyAttrs>().alpha), c.in_shapes[0]);
  if (c.needs[1]) gi[1] = Tensor::zeros(grad_shape(c, c.in_shapes[1]), c.in_dtypes[1]);
}
static void leaky_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor& out = *c.outputs[0];
  to[0] = t[0].defined() ? fit(leaky_relu_grad(t[0], *c.inputs[1], c.attrs_as<LeakyAttrs>().alpha), out) : zeros_like(out);
}
static const OpDef kLeakyGrad("leaky_relu_grad", leaky_grad_vjp, leaky_grad_jvp);
Tensor leaky_relu_grad(const Tensor& g, const Tensor& x, double alpha) {
  const OpName op{"leaky_relu_grad", "LeakyReluGrad"};
  check_float(op, x);
  check_same_dtype(op, x, g);
  Tensor out = leaky_backprop(op, g, x, alpha);
  if (tape::any_active()) tape::record(&kLeakyGrad, {&g, &x}, {&out}, {x}, Packed<LeakyAttrs>({alpha}));
  return out;
}

// ---------------------------------------------------------------- gelu: saves x; attr approximate
static void gelu_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = multiply(g[0], gelu_grad(c.saved[0], c.attrs[0] != 0));
}
static void gelu_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = multiply(t[0], gelu_grad(*c.inputs[0], c.attrs[0] != 0));
}
static const OpDef kGelu("gelu", gelu_vjp, gelu_jvp);
Tensor gelu(const Tensor& x, bool approximate) {
  Tensor y = act_forward(approximate ? ActOp::GeluTanh : ActOp::Gelu, {"gelu", "Gelu"}, x);
  if (tape::any_active()) tape::record(&kGelu, {&x}, {&y}, {x}, {approximate ? 1 : 0});
  return y;
}

// ---------------------------------------------------------------- gelu_grad: saves x; attr approximate
// d/dx gelu has its own kernel (it needs erf); its derivative, the second
// derivative of gelu, needs only exp / tanh and is composed from ops, so
// every higher order comes from the tape.
//   exact:  gelu'' = phi(x) (2 - x^2),  phi the standard normal density
//   tanh:   with u = k (x + c x^3), t = tanh u, u' = k (1 + 3 c x^2):
//           gelu'' = (1 - t^2) (u' - x t u'^2 + 3 k c x^2)
static Tensor gelu_second(const Tensor& x, bool approximate) {
  Tensor x2 = multiply(x, x);
  if (!approximate) {
    Tensor phi = multiply(exp(multiply(x2, sc(-0.5, x))), sc(0.3989422804014327, x));
    return multiply(phi, subtract(sc(2.0, x), x2));
  }
  const double k = 0.7978845608028654, cc = 0.044715;
  Tensor u = multiply(add(x, multiply(multiply(x2, x), sc(cc, x))), sc(k, x));
  Tensor t = tanh(u);
  Tensor du = multiply(add(sc(1.0, x), multiply(x2, sc(3 * cc, x))), sc(k, x));
  Tensor inner = subtract(du, multiply(multiply(x, t), multiply(du, du)));
  inner = add(inner, multiply(x2, sc(3 * k * cc, x)));
  return multiply(subtract(sc(1.0, x), multiply(t, t)), inner);
}
static void gelu_grad_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = multiply(g[0], gelu_second(c.saved[0], c.attrs[0] != 0));
}
static void gelu_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = multiply(t[0], gelu_second(*c.inputs[0], c.attrs[0] != 0));
}
static const OpDef kGeluGrad("gelu_grad", gelu_grad_vjp, gelu_grad_jvp);
Tensor gelu_grad(const Tensor& x, bool approximate) {
  Tensor y = act_forward(approximate ? ActOp::GeluTanhGrad : ActOp::GeluGrad, {"gelu_grad", "GeluGrad"}, x);
  if (tape::any_active()) tape::record(&kGeluGrad, {&x}, {&y}, {x}, {approximate ? 1 : 0});
  return y;
}

// ---------------------------------------------------------------- softplus: saves x
// SoftplusGrad: g * sigmoid(x) (finite everywhere).
static void softplus_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = multiply(g[0], sigmoid(c.saved[0]));
}
static void softplus_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = multiply(t[0], sigmoid(*c.inputs[0]));
}
static const OpDef kSoftplus("softplus", softplus_vjp, softplus_jvp);
Tensor softplus(const Tensor& x) {
  Tensor y = act_forward(ActOp::Softplus, {"softplus", "Softplus"}, x);
  if (tape::any_active()) tape::record(&kSoftplus, {&x}, {&y}, {x});
  return y;
}

// ---------------------------------------------------------------- softmax / log_softmax: save y; attr axis
static Tensor softmax_forward(const OpName& op, const Tensor& x, int64_t axis, bool log, int64_t* a) {
  check_float(op, x);
  if (x.ndim() == 0)
    fail(op, "logits must have at least one dimension, got a scalar (shape []); reshape it to [1] or more");
  *a = norm_axis(op, axis, x.ndim());
  int64_t outer, n, inner;
  layout(x.shape(), *a, &outer, &n, &inner);
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  kernels::softmax(x, outer, n, inner, log, y);
  return y;
}

// softmax: dx = y * (g - sum(g * y))
static void softmax_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor& y = c.saved[0];
  gi[0] = multiply(y, subtract(g[0], sum_axis(multiply(g[0], y), c.attrs[0] + c.batch, true)));
}
static void softmax_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor& y = *c.outputs[0];
  to[0] = multiply(y, subtract(t[0], sum_axis(multiply(t[0], y), c.attrs[0], true)));
}
static const OpDef kSoftmax("softmax", softmax_vjp, softmax_jvp);
Tensor softmax(const Tensor& x, int64_t axis) {
  int64_t a;
  Tensor y = softmax_forward({"softmax", "Softmax"}, x, axis, false, &a);
  if (tape::any_active()) tape::record(&kSoftmax, {&x}, {&y}, {y}, {a});
  return y;
}

// log_softmax: dx = g - exp(y) * sum(g)
static void log_softmax_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor& y = c.saved[0];
  gi[0] = subtract(g[0], multiply(exp(y), sum_axis(g[0], c.attrs[0] + c.batch, true)));
}
static void log_softmax_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor& y = *c.outputs[0];
  to[0] = subtract(t[0], sum_axis(multiply(exp(y), t[0]), c.attrs[0], true));
}
static const OpDef kLogSoftmax("log_softmax", log_softmax_vjp, log_softmax_jvp);
Tensor log_softmax(const Tensor& x, int64_t axis) {
  int64_t a;
  Tensor y = softmax_forward({"log_softmax", "LogSoftmax"}, x, axis, true, &a);
  if (tape::any_active()) tape::record(&kLogSoftmax, {&x}, {&y}, {y}, {a});
  return y;
}

// ---------------------------------------------------------------- softmax_cross_entropy_with_logits
// Inputs (labels, logits); saves labels, logits and the forward's
// log_softmax; attr axis. As TensorFlow's kernel, the logits' gradient is
// g * (softmax - labels) (exact when each label row sums to 1) and the
// labels' gradient is -g * log_softmax. When some tape or accumulator is
// active the VJP recomputes log_softmax with the recorded op so that higher
// orders see its dependence on the logits; otherwise it uses the saved one.
static void sxent_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &labels = c.saved[0], &logits = c.saved[1];
  int64_t a = c.attrs[0];
  bool recording = tape::any_active();
  Tensor lsm = recording ? log_softmax(logits, a) : c.saved[2];
  Tensor ge = reshape(g[0], grad_dims(c, keep_axis(logits.shape(), a)));
  if (c.needs[0]) gi[0] = negative(multiply(ge, lsm));
  if (c.needs[1]) {
    if (recording) {
      gi[1] = multiply(ge, subtract(exp(lsm), labels));
    } else {  // nobody records: one fused pass
      int64_t outer, n, inner;
      layout(logits.shape(), a, &outer, &n, &inner);
      gi[1] = Tensor::empty(grad_shape(c, logits.shape()), logits.dtype());
      kernels::softmax_xent_backprop(g[0], lsm, labels, outer, n, inner, gi[1]);
    }
  }
}
static void sxent_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &labels = *c.inputs[0], &logits = *c.inputs[1];
  int64_t a = c.attrs[0];
  Tensor lsm = log_softmax(logits, a);
  Tensor d;
  if (t[1].defined()) d = multiply(t[1], subtract(exp(lsm), labels));
  if (t[0].defined()) d = tadd(d, negative(multiply(t[0], lsm)));
  to[0] = sum_axis(d, a, false);
}
static const OpDef kSxent("softmax_cross_entropy_with_logits", sxent_vjp, sxent_jvp);
Tensor softmax_cross_entropy_with_logits(const Tensor& labels0, const Tensor& logits, int64_t axis) {
  const OpName op{"softmax_cross_entropy_with_logits", "SoftmaxCrossEntropyWithLogits"};
  check_float(op, logits);
  if (logits.ndim() == 0) fail(op, "logits must have at least one dimension (the classes), got a scalar");
  int64_t a = norm_axis(op, axis, logits.ndim());
  Tensor labels = labels0;
  if (labels.dtype() != logits.dtype()) {
    check_not_bool(op, labels);
    labels = cast(labels, logits.dtype());
  }
  if (labels.shape() != logits.shape()) {
    Shape s = broadcast_or_fail(op, labels.shape(), logits.shape());
    if (s != logits.shape())
      fail(op, "labels of shape " + shape_str(labels.shape()) + " do not broadcast to the logits' shape " +
                   shape_str(logits.shape()) + "; give labels the logits' shape");
    labels = broadcast_to(labels, s);
  }
  int64_t outer, n, inner;
  layout(logits.shape(), a, &outer, &n, &inner);
  Tensor loss = Tensor::empty(drop_axis(logits.shape(), a), logits.dtype());
  Tensor lsm = Tensor::empty(logits.shape(), logits.dtype());
  kernels::softmax_xent(logits, labels, outer, n, inner, loss, lsm);
  if (tape::any_active()) tape::record(&kSxent, {&labels, &logits}, {&loss}, {labels, logits, lsm}, {a});
  return loss;
}

// ---------------------------------------------------------------- sparse_softmax_cross_entropy_with_logits
// Inputs (labels, logits); integer labels are never tracked, so they get no
// gradient (None), as in TensorFlow. Saves labels, logits and the forward's
// log_softmax. d/dlogits = g * (softmax - one_hot(labels)).
namespace {
template <class L>
void check_labels(const OpName& op, const L* lab, int64_t rows, int64_t n) {
  for (int64_t r = 0; r < rows; ++r)
    if (lab[r] < 0 || lab[r] >= n) {
      std::string vals;
      for (int64_t i = 0; i < rows && i < 20; ++i) vals += (i ? " " : "") + std::to_string(lab[i]);
      fail(op, "Received a label value of " + std::to_string(lab[r]) + " which is outside the valid range of [0, " +
                   std::to_string(n) + ").  Label values: " + vals + (rows > 20 ? " ..." : ""));
    }
}
// one_hot(labels) with logits' shape and dtype (labels already checked).
Tensor onehot_like(const Tensor& labels, const Tensor& logits) {
  Tensor oh = Tensor::zeros(logits.shape(), logits.dtype());
  int64_t rows = labels.numel(), n = logits.ndim() ? logits.dim(logits.ndim() - 1) : 1;
  visit_dtype(logits.dtype(), [&](auto tag) {
    using T = decltype(tag);
    T* p = oh.mutable_data<T>();
    for (int64_t r = 0; r < rows; ++r) {
      int64_t k = labels.dtype() == DType::Int32 ? labels.data<int32_t>()[r] : labels.data<int64_t>()[r];
      p[r * n + k] = T(1);
    }
  });
  return oh;
}
}  // namespace

static void ssxent_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[1]) return;
  const Tensor &labels = c.saved[0], &logits = c.saved[1];
  int64_t a = logits.ndim() - 1;
  if (!tape::any_active()) {  // nobody records: one fused pass from the saved log_softmax
    gi[1] = Tensor::empty(grad_shape(c, logits.shape()), logits.dtype());
    kernels::sparse_xent_backprop(g[0], c.saved[2], labels, labels.numel(), logits.dim(a), gi[1]);
    return;
  }
  Tensor lsm = log_softmax(logits, a);
  Tensor ge = reshape(g[0], grad_dims(c, keep_axis(logits.shape(), a)));
  gi[1] = multiply(ge, subtract(exp(lsm), onehot_like(labels, logits)));
}
static void ssxent_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &labels = *c.inputs[0], &logits = *c.inputs[1];
  int64_t a = logits.ndim() - 1;
  to[0] = sum_axis(multiply(t[1], subtract(softmax(logits, a), onehot_like(labels, logits))), a, false);
}
static const OpDef kSsxent("sparse_softmax_cross_entropy_with_logits", ssxent_vjp, ssxent_jvp);
Tensor sparse_softmax_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  const OpName op{"sparse_softmax_cross_entropy_with_logits", "SparseSoftmaxCrossEntropyWithLogits"};
  check_float(op, logits);
  if (labels.dtype() != DType::Int32 && labels.dtype() != DType::Int64)
    fail(op, std::string("labels must be int32 or int64 class indices, got ") + dtype_name(labels.dtype()) +
                 "; cast them with fasttape.cast (or use softmax_cross_entropy_with_logits for "
                 "probability labels)");
  if (logits.ndim() == 0) fail(op, "Logits cannot be scalars - received shape []");
  if (labels.ndim() != logits.ndim() - 1 || drop_axis(logits.shape(), logits.ndim() - 1) != labels.shape())
    fail(op, "labels of shape " + shape_str(labels.shape()) +
                 " must have the shape of logits without its last dimension; logits have shape " +
                 shape_str(logits.shape()));
  int64_t n = logits.dim(logits.ndim() - 1), rows = labels.numel();
  if (n == 0 && rows > 0)
    fail(op, "Must have at least one class, but got logits shape " + shape_str(logits.shape()));
  if (labels.dtype() == DType::Int32) check_labels(op, labels.data<int32_t>(), rows, n);
  else check_labels(op, labels.data<int64_t>(), rows, n);
  Tensor loss = Tensor::empty(labels.shape(), logits.dtype());
  Tensor lsm = Tensor::empty(logits.shape(), logits.dtype());
  kernels::sparse_softmax_xent(logits, labels, rows, n, loss, lsm);
  if (tape::any_active()) tape::record(&kSsxent, {&labels, &logits}, {&loss}, {labels, logits, lsm});
  return loss;
}

// ---------------------------------------------------------------- sigmoid_cross_entropy_with_logits
// Inputs (labels, logits), both saved: d/dx = sigmoid(x) - z, d/dz = -x.
static void sigxent_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &z = c.saved[0], &x = c.saved[1];
  if (c.needs[0]) gi[0] = negative(multiply(g[0], x));
  if (c.needs[1]) gi[1] = multiply(g[0], subtract(sigmoid(x), z));
}
static void sigxent_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &z = *c.inputs[0], &x = *c.inputs[1];
  Tensor d;
  if (t[1].defined()) d = multiply(t[1], subtract(sigmoid(x), z));
  if (t[0].defined()) d = tadd(d, negative(multiply(t[0], x)));
  to[0] = d;
}
static const OpDef kSigxent("sigmoid_cross_entropy_with_logits", sigxent_vjp, sigxent_jvp);
Tensor sigmoid_cross_entropy_with_logits(const Tensor& labels, const Tensor& logits) {
  const OpName op{"sigmoid_cross_entropy_with_logits", "SigmoidCrossEntropyWithLogits"};
  check_float(op, logits);
  check_same_dtype(op, logits, labels);
  if (labels.shape() != logits.shape())
    fail(op, "logits and labels must have the same shape (" + shape_str(logits.shape()) + " vs " +
                 shape_str(labels.shape()) + ")");
  Tensor out = Tensor::empty(logits.shape(), logits.dtype());
  kernels::sigmoid_xent(labels, logits, out);
  if (tape::any_active()) tape::record(&kSigxent, {&labels, &logits}, {&out}, {labels, logits});
  return out;
}

// ---------------------------------------------------------------- l2_loss: saves x
static void l2_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor& x = c.saved[0];
  Tensor ge = c.batch ? reshape(g[0], grad_dims(c, Shape(std::vector<int64_t>(x.ndim(), 1)))) : g[0];
  gi[0] = multiply(ge, x);
}
static void l2_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = reduce_sum(multiply(t[0], *c.inputs[0]));
}
static const OpDef kL2("l2_loss", l2_vjp, l2_jvp);
Tensor l2_loss(const Tensor& x) {
  check_float({"l2_loss", "L2Loss"}, x);
  Tensor out = Tensor::empty(Shape(), x.dtype());
  kernels::l2_loss(x, out);
  if (tape::any_active()) tape::record(&kL2, {&x}, {&out}, {x});
  return out;
}

}  // namespace fasttape
