// Pooling ops of the op table (NHWC): max_pool2d and avg_pool2d with their
// gradient ops, each an entry whose VJP is another of them, so pooling
// differentiates to any order, as TensorFlow's MaxPoolGrad / MaxPoolGradGrad.
//
//   y = max_pool2d(x)           VJP: dx = max_pool2d_grad(x, g)
//   max_pool2d_grad(x, g)       VJP: dg = max_pool2d_grad_grad(x, u); dx = 0
//   max_pool2d_grad_grad(x, u)  VJP: du = max_pool2d_grad(x, v);      dx = 0
//   y = avg_pool2d(x)           VJP: dx = avg_pool2d_grad(g)
//   avg_pool2d_grad(g)          VJP: dg = avg_pool2d(u)
//
// The max ops find each window's maximum in x again rather than storing
// indices; ties go to the first maximum in row-major window order.
#include "fasttape/ops_index.hpp"
#include "fasttape/ops_nn.hpp"
#include "kernels/pool_kernels.hpp"
#include "ops/common.hpp"

namespace fasttape {
using namespace ops_detail;

namespace {

struct PoolAttrs {
  int64_t KH, KW, sh, sw, pt, pb, pl, pr;
  int64_t H, W;  // the input image (for avg_pool2d_grad)
};

int64_t pool_out(const OpName& op, int64_t in, int64_t k, int64_t s, int64_t p0, int64_t p1, const char* what) {
  if (in + p0 + p1 < k)
    fail(op, std::string("the ") + what + " (" + std::to_string(in) + " plus padding " + std::to_string(p0 + p1) +
                 ") is smaller than the window (" + std::to_string(k) + "); use padding='SAME' or a smaller ksize");
  return (in + p0 + p1 - k) / s + 1;
}

kernels::Pool2dGeom geometry(const OpName& op, int64_t N, int64_t H, int64_t W, int64_t C, const PoolAttrs& a) {
  if (a.KH < 1 || a.KW < 1) fail(op, "ksize must be positive");
  if (a.sh < 1 || a.sw < 1) fail(op, "strides must be positive");
  if (a.pt < 0 || a.pb < 0 || a.pl < 0 || a.pr < 0) fail(op, "paddings must be non-negative");
  if (a.pt >= a.KH || a.pb >= a.KH || a.pl >= a.KW || a.pr >= a.KW)
    fail(op, "a padding must be smaller than the window, else some windows hold no pixel");
  kernels::Pool2dGeom g{N, H, W, C, a.KH, a.KW, 0, 0, a.sh, a.sw, a.pt, a.pl};
  g.Ho = pool_out(op, H, a.KH, a.sh, a.pt, a.pb, "input height");
  g.Wo = pool_out(op, W, a.KW, a.sw, a.pl, a.pr, "input width");
  return g;
}

void check_input(const OpName& op, const Tensor& x) {
  if (x.ndim() != 4) fail(op, "the input must be 4-dimensional (NHWC), got shape " + shape_str(x.shape()));
  check_float(op, x);
}

const OpName kMaxName{"max_pool2d", "MaxPool"};
const OpName kMaxGradName{"max_pool2d_grad", "MaxPoolGrad"};
const OpName kMaxGradGradName{"max_pool2d_grad_grad", "MaxPoolGradGrad"};
const OpName kAvgName{"avg_pool2d", "AvgPool"};
const OpName kAvgGradName{"avg_pool2d_grad", "AvgPoolGrad"};

Tensor max_impl(const Tensor& x, const PoolAttrs& a);
Tensor max_grad_impl(const Tensor& x, const Tensor& g, const PoolAttrs& a);
Tensor max_grad_grad_impl(const Tensor& x, const Tensor& u, const PoolAttrs& a);
Tensor avg_impl(const Tensor& x, const PoolAttrs& a);
Tensor avg_grad_impl(const Tensor& g, const PoolAttrs& a);

// f(x, t) for a tangent/cotangent t carrying a leading batch axis B.
template <class F>
Tensor per_b(const Tensor& t, int64_t B, F&& f) {
  std::vector<Tensor> ts = unstack(t, B, 0), out;
  for (const Tensor& tb : ts) out.push_back(f(tb));
  return stack(out, 0);
}
Tensor fold(const Tensor& t) {
  std::vector<int64_t> d = t.shape().vec();
  d[1] *= d[0];
  d.erase(d.begin());
  return reshape(t, d);
}
Tensor unfold(const Tensor& t, int64_t B) {
  std::vector<int64_t> d = t.shape().vec();
  d[0] /= B;
  d.insert(d.begin(), B);
  return reshape(t, d);
}

void max_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const Tensor& x = c.saved[0];
  const PoolAttrs a = c.attrs_as<PoolAttrs>();
  gi[0] = c.batch ? per_b(g[0], c.batch_size, [&](const Tensor& gb) { return max_grad_impl(x, gb, a); })
                  : max_grad_impl(x, g[0], a);
}
void max_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = max_grad_grad_impl(*c.inputs[0], t[0], c.attrs_as<PoolAttrs>());
}
const OpDef kMax("max_pool2d", max_vjp, max_jvp);

void max_grad_vjp(const VjpContext& c, const Tensor* u, Tensor* gi) {
  const Tensor& x = c.saved[0];
  const PoolAttrs a = c.attrs_as<PoolAttrs>();
  if (c.needs[0]) gi[0] = Tensor::zeros(grad_shape(c, c.in_shapes[0]), c.in_dtypes[0]);
  if (c.needs[1])
    gi[1] = c.batch ? per_b(u[0], c.batch_size, [&](const Tensor& ub) { return max_grad_grad_impl(x, ub, a); })
                    : max_grad_grad_impl(x, u[0], a);
}
void max_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  if (t[1].defined()) to[0] = max_grad_impl(*c.inputs[0], t[1], c.attrs_as<PoolAttrs>());
}
const OpDef kMaxGrad("max_pool2d_grad", max_grad_vjp, max_grad_jvp);

void max_grad_grad_vjp(const VjpContext& c, const Tensor* v, Tensor* gi) {
  const Tensor& x = c.saved[0];
  const PoolAttrs a = c.attrs_as<PoolAttrs>();
  if (c.needs[0]) gi[0] = Tensor::zeros(grad_shape(c, c.in_shapes[0]), c.in_dtypes[0]);
  if (c.needs[1])
    gi[1] = c.batch ? per_b(v[0], c.batch_size, [&](const Tensor& vb) { return max_grad_impl(x, vb, a); })
                    : max_grad_impl(x, v[0], a);
}
void max_grad_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  if (t[1].defined()) to[0] = max_grad_grad_impl(*c.inputs[0], t[1], c.attrs_as<PoolAttrs>());
}
const OpDef kMaxGradGrad("max_pool2d_grad_grad", max_grad_grad_vjp, max_grad_grad_jvp);

void avg_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const PoolAttrs a = c.attrs_as<PoolAttrs>();
  gi[0] = c.batch ? unfold(avg_grad_impl(fold(g[0]), a), c.batch_size) : avg_grad_impl(g[0], a);
}
void avg_jvp(const JvpContext& c, const Tensor* t, Tensor* to) { to[0] = avg_impl(t[0], c.attrs_as<PoolAttrs>()); }
const OpDef kAvg("avg_pool2d", avg_vjp, avg_jvp);

void avg_grad_vjp(const VjpContext& c, const Tensor* u, Tensor* gi) {
  if (!c.needs[0]) return;
  const PoolAttrs a = c.attrs_as<PoolAttrs>();
  gi[0] = c.batch ? unfold(avg_impl(fold(u[0]), a), c.batch_size) : avg_impl(u[0], a);
}
void avg_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = avg_grad_impl(t[0], c.attrs_as<PoolAttrs>());
}
const OpDef kAvgGrad("avg_pool2d_grad", avg_grad_vjp, avg_grad_jvp);

Tensor max_impl(const Tensor& x, const PoolAttrs& a0) {
  check_input(kMaxName, x);
  PoolAttrs a = a0;
  a.H = x.dim(1);
  a.W = x.dim(2);
  const kernels::Pool2dGeom g = geometry(kMaxName, x.dim(0), x.dim(1), x.dim(2), x.dim(3), a);
  Tensor y = Tensor::empty(Shape({g.N, g.Ho, g.Wo, g.C}), x.dtype());
  kernels::max_pool2d(g, x, y);
  if (tape::any_active()) tape::record(&kMax, {&x}, {&y}, {{x, 0}}, Packed<PoolAttrs>(a));
  return y;
}

Tensor max_grad_impl(const Tensor& x, const Tensor& gy, const PoolAttrs& a) {
  check_input(kMaxGradName, x);
  check_same_dtype(kMaxGradName, x, gy);
  const kernels::Pool2dGeom g = geometry(kMaxGradName, x.dim(0), x.dim(1), x.dim(2), x.dim(3), a);
  if (gy.shape() != Shape({g.N, g.Ho, g.Wo, g.C}))
    fail(kMaxGradName, "the gradient has shape " + shape_str(gy.shape()) + " but the pooled output is [" +
                           std::to_string(g.N) + "," + std::to_string(g.Ho) + "," + std::to_string(g.Wo) + "," +
                           std::to_string(g.C) + "]");
  Tensor dx = Tensor::empty(x.shape(), x.dtype());
  kernels::max_pool2d_grad(g, x, gy, dx);
  if (tape::any_active()) tape::record(&kMaxGrad, {&x, &gy}, {&dx}, {{x, 0}}, Packed<PoolAttrs>(a));
  return dx;
}

Tensor max_grad_grad_impl(const Tensor& x, const Tensor& u, const PoolAttrs& a) {
  check_input(kMaxGradGradName, x);
  check_same_dtype(kMaxGradGradName, x, u);
  if (u.shape() != x.shape())
    fail(kMaxGradGradName, "the input gradient has shape " + shape_str(u.shape()) + " but the input is " +
                               shape_str(x.shape()));
  const kernels::Pool2dGeom g = geometry(kMaxGradGradName, x.dim(0), x.dim(1), x.dim(2), x.dim(3), a);
  Tensor out = Tensor::empty(Shape({g.N, g.Ho, g.Wo, g.C}), x.dtype());
  kernels::max_pool2d_grad_grad(g, x, u, out);
  if (tape::any_active()) tape::record(&kMaxGradGrad, {&x, &u}, {&out}, {{x, 0}}, Packed<PoolAttrs>(a));
  return out;
}

Tensor avg_impl(const Tensor& x, const PoolAttrs& a0) {
  check_input(kAvgName, x);
  PoolAttrs a = a0;
  a.H = x.dim(1);
  a.W = x.dim(2);
  const kernels::Pool2dGeom g = geometry(kAvgName, x.dim(0), x.dim(1), x.dim(2), x.dim(3), a);
  Tensor y = Tensor::empty(Shape({g.N, g.Ho, g.Wo, g.C}), x.dtype());
  kernels::avg_pool2d(g, x, y);
  if (tape::any_active()) tape::record(&kAvg, {&x}, {&y}, {}, Packed<PoolAttrs>(a));
  return y;
}

Tensor avg_grad_impl(const Tensor& gy, const PoolAttrs& a) {
  check_input(kAvgGradName, gy);
  const kernels::Pool2dGeom g = geometry(kAvgGradName, gy.dim(0), a.H, a.W, gy.dim(3), a);
  if (gy.dim(1) != g.Ho || gy.dim(2) != g.Wo)
    fail(kAvgGradName, "the gradient has shape " + shape_str(gy.shape()) + " but the pooled output is " +
                           std::to_string(g.Ho) + " x " + std::to_string(g.Wo));
  Tensor dx = Tensor::empty(Shape({g.N, g.H, g.W, g.C}), gy.dtype());
  kernels::avg_pool2d_grad(g, gy, dx);
  if (tape::any_active()) tape::record(&kAvgGrad, {&gy}, {&dx}, {}, Packed<PoolAttrs>(a));
  return dx;
}

PoolAttrs attrs_of(const Pool2dParams& p) {
  return PoolAttrs{p.ksize[0], p.ksize[1], p.strides[0], p.strides[1], p.pads[0], p.pads[1], p.pads[2], p.pads[3],
                   0,          0};
}

}  // namespace

Tensor max_pool2d(const Tensor& input, const Pool2dParams& p) { return max_impl(input, attrs_of(p)); }
Tensor avg_pool2d(const Tensor& input, const Pool2dParams& p) { return avg_impl(input, attrs_of(p)); }
Tensor max_pool2d_grad(const Tensor& input, const Tensor& grad, const Pool2dParams& p) {
  return max_grad_impl(input, grad, attrs_of(p));
}
Tensor max_pool2d_grad_grad(const Tensor& input, const Tensor& grad, const Pool2dParams& p) {
  return max_grad_grad_impl(input, grad, attrs_of(p));
}
Tensor avg_pool2d_grad(const std::vector<int64_t>& input_shape, const Tensor& grad, const Pool2dParams& p) {
  if (input_shape.size() != 4)
    fail(kAvgGradName, "the input shape must have 4 elements, got " + std::to_string(input_shape.size()));
  PoolAttrs a = attrs_of(p);
  a.H = input_shape[1];
  a.W = input_shape[2];
  return avg_grad_impl(grad, a);
}

}  // namespace fasttape
