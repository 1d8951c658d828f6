// Convolution ops of the op table: conv2d (NHWC input, HWIO filter) and its
// two gradients, conv2d_backprop_input and conv2d_backprop_filter. Each is
// bilinear in its two tensor inputs, so each one's VJP and JVP are made of
// the three ops themselves: derivatives of any order.
//
//   y  = conv2d(x, w)                      VJP: dx = bpi(g, w),  dw = bpf(x, g)
//   dx = bpi(w, g)   (g: y's gradient)     VJP: dw = bpf(u, g),  dg = conv2d(u, w)
//   dw = bpf(x, g)                         VJP: dx = bpi(u, g),  dg = conv2d(x, u)
//
// Batched sweeps (jacobians): a gradient with a leading batch axis B of a
// per-image op is folded into the image axis (B*N images share the
// filter); a filter gradient, which sums over images, is taken per b.
#include "fasttape/ops_index.hpp"
#include "fasttape/ops_nn.hpp"
#include "kernels/conv_kernels.hpp"
#include "ops/common.hpp"

namespace fasttape {
using namespace ops_detail;

namespace {

// Geometry attributes shared by the three ops.
struct ConvAttrs {
  int64_t sh, sw, dh, dw, pt, pb, pl, pr;
  int64_t H, W;    // the input image (for bpi)
  int64_t KH, KW;  // the filter (for bpf)
};

const OpName kConvName{"conv2d", "Conv2D"};
const OpName kBpiName{"conv2d_backprop_input", "Conv2DBackpropInput"};
const OpName kBpfName{"conv2d_backprop_filter", "Conv2DBackpropFilter"};

int64_t out_size(const OpName& op, int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1,
                 const char* what) {
  const int64_t span = (k - 1) * d + 1, padded = in + p0 + p1;
  if (padded < span)
    fail(op, std::string("the ") + what + " (" + std::to_string(in) + " plus padding " + std::to_string(p0 + p1) +
                 ") is smaller than the dilated filter (" + std::to_string(span) +
                 "); use padding='SAME' or a smaller filter");
  return (padded - span) / s + 1;
}

kernels::Conv2dGeom geometry(const OpName& op, int64_t N, int64_t H, int64_t W, int64_t C, int64_t KH, int64_t KW,
                             int64_t O, const ConvAttrs& a) {
  kernels::Conv2dGeom g{N, H, W, C, KH, KW, O, 0, 0, a.sh, a.sw, a.dh, a.dw, a.pt, a.pl};
  g.Ho = out_size(op, H, KH, a.sh, a.dh, a.pt, a.pb, "input height");
  g.Wo = out_size(op, W, KW, a.sw, a.dw, a.pl, a.pr, "input width");
  return g;
}

void check_attrs(const OpName& op, const ConvAttrs& a) {
  if (a.sh < 1 || a.sw < 1) fail(op, "strides must be positive, got [" + std::to_string(a.sh) + ", " + std::to_string(a.sw) + "]");
  if (a.dh < 1 || a.dw < 1)
    fail(op, "dilations must be positive, got [" + std::to_string(a.dh) + ", " + std::to_string(a.dw) + "]");
  if (a.pt < 0 || a.pb < 0 || a.pl < 0 || a.pr < 0) fail(op, "explicit paddings must be non-negative");
}

void check_rank4(const OpName& op, const Tensor& t, const char* what) {
  if (t.ndim() != 4)
    fail(op, std::string(what) + " must be 4-dimensional, got shape " + shape_str(t.shape()));
}

// Folds a leading batch axis into the image axis: [B, N, ...] -> [B*N, ...].
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

Tensor conv2d_impl(const Tensor& x, const Tensor& w, const ConvAttrs& a);
Tensor bpi_impl(const Tensor& w, const Tensor& g, const ConvAttrs& a);
Tensor bpf_impl(const Tensor& x, const Tensor& g, const ConvAttrs& a);

// bpf under a batch axis B carried by x or by g: one filter gradient per b.
Tensor bpf_batched(const Tensor& x, bool x_batched, const Tensor& g, bool g_batched, int64_t B, const ConvAttrs& a) {
  std::vector<Tensor> xs = x_batched ? unstack(x, B, 0) : std::vector<Tensor>();
  std::vector<Tensor> gs = g_batched ? unstack(g, B, 0) : std::vector<Tensor>();
  std::vector<Tensor> out;
  out.reserve(static_cast<size_t>(B));
  for (int64_t b = 0; b < B; ++b) out.push_back(bpf_impl(x_batched ? xs[b] : x, g_batched ? gs[b] : g, a));
  return stack(out, 0);
}

// ---------------------------------------------------------------- conv2d: saves x (for dw), w (for dx)
void conv_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &x = c.saved[0], &w = c.saved[1];
  ConvAttrs a = c.attrs_as<ConvAttrs>();
  a.H = c.in_shapes[0][1];
  a.W = c.in_shapes[0][2];
  a.KH = c.in_shapes[1][0];
  a.KW = c.in_shapes[1][1];
  if (c.needs[0]) gi[0] = c.batch ? unfold(bpi_impl(w, fold(g[0]), a), c.batch_size) : bpi_impl(w, g[0], a);
  if (c.needs[1]) gi[1] = c.batch ? bpf_batched(x, false, g[0], true, c.batch_size, a) : bpf_impl(x, g[0], a);
}
void conv_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const ConvAttrs a = c.attrs_as<ConvAttrs>();
  to[0] = tadd(t[0].defined() ? conv2d_impl(t[0], *c.inputs[1], a) : Tensor(),
               t[1].defined() ? conv2d_impl(*c.inputs[0], t[1], a) : Tensor());
}
const OpDef kConv2d("conv2d", conv_vjp, conv_jvp);

// ---------------------------------------------------------------- bpi(w, g): saves w, g
void bpi_vjp(const VjpContext& c, const Tensor* u, Tensor* gi) {
  const Tensor &w = c.saved[0], &g = c.saved[1];
  const ConvAttrs a = c.attrs_as<ConvAttrs>();
  if (c.needs[0]) gi[0] = c.batch ? bpf_batched(u[0], true, g, false, c.batch_size, a) : bpf_impl(u[0], g, a);
  if (c.needs[1]) gi[1] = c.batch ? unfold(conv2d_impl(fold(u[0]), w, a), c.batch_size) : conv2d_impl(u[0], w, a);
}
void bpi_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const ConvAttrs a = c.attrs_as<ConvAttrs>();
  to[0] = tadd(t[0].defined() ? bpi_impl(t[0], *c.inputs[1], a) : Tensor(),
               t[1].defined() ? bpi_impl(*c.inputs[0], t[1], a) : Tensor());
}
const OpDef kBpi("conv2d_backprop_input", bpi_vjp, bpi_jvp);

// ---------------------------------------------------------------- bpf(x, g): saves x, g
void bpf_vjp(const VjpContext& c, const Tensor* u, Tensor* gi) {
  const Tensor &x = c.saved[0], &g = c.saved[1];
  const ConvAttrs a = c.attrs_as<ConvAttrs>();
  if (c.needs[0]) {
    if (!c.batch) {
      gi[0] = bpi_impl(u[0], g, a);
    } else {  // one filter-shaped cotangent per b
      std::vector<Tensor> us = unstack(u[0], c.batch_size, 0), out;
      for (const Tensor& ub : us) out.push_back(bpi_impl(ub, g, a));
      gi[0] = stack(out, 0);
    }
  }
  if (c.needs[1]) {
    if (!c.batch) {
      gi[1] = conv2d_impl(x, u[0], a);
    } else {
      std::vector<Tensor> us = unstack(u[0], c.batch_size, 0), out;
      for (const Tensor& ub : us) out.push_back(conv2d_impl(x, ub, a));
      gi[1] = stack(out, 0);
    }
  }
}
void bpf_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const ConvAttrs a = c.attrs_as<ConvAttrs>();
  to[0] = tadd(t[0].defined() ? bpf_impl(t[0], *c.inputs[1], a) : Tensor(),
               t[1].defined() ? bpf_impl(*c.inputs[0], t[1], a) : Tensor());
}
const OpDef kBpf("conv2d_backprop_filter", bpf_vjp, bpf_jvp);

Tensor conv2d_impl(const Tensor& x, const Tensor& w, const ConvAttrs& a0) {
  const OpName& op = kConvName;
  check_rank4(op, x, "input");
  check_rank4(op, w, "filter");
  check_float(op, x);
  check_same_dtype(op, x, w);
  check_attrs(op, a0);
  if (x.dim(3) != w.dim(2))
    fail(op, "input depth must be evenly divisible by filter depth: the input has " + std::to_string(x.dim(3)) +
                 " channels, the filter " + std::to_string(w.dim(2)) + " (input shape " + shape_str(x.shape()) +
                 ", filter shape " + shape_str(w.shape()) + ")");
  ConvAttrs a = a0;
  a.H = x.dim(1);
  a.W = x.dim(2);
  a.KH = w.dim(0);
  a.KW = w.dim(1);
  const kernels::Conv2dGeom g = geometry(op, x.dim(0), x.dim(1), x.dim(2), x.dim(3), w.dim(0), w.dim(1), w.dim(3), a);
  Shape s({g.N, g.Ho, g.Wo, g.O});
  check_shape(op, s);
  Tensor y = Tensor::empty(s, x.dtype());
  kernels::conv2d(g, x, w, y);
  if (tape::any_active()) tape::record(&kConv2d, {&x, &w}, {&y}, {{x, 0b10}, {w, 0b01}}, Packed<ConvAttrs>(a));
  return y;
}

Tensor bpi_impl(const Tensor& w, const Tensor& gy, const ConvAttrs& a0) {
  const OpName& op = kBpiName;
  check_rank4(op, w, "filter");
  check_rank4(op, gy, "out_backprop");
  ConvAttrs a = a0;  // every geometry field recorded, for the VJP's ops
  a.KH = w.dim(0);
  a.KW = w.dim(1);
  check_float(op, w);
  check_same_dtype(op, w, gy);
  check_attrs(op, a);
  const kernels::Conv2dGeom g = geometry(op, gy.dim(0), a.H, a.W, w.dim(2), w.dim(0), w.dim(1), w.dim(3), a);
  if (gy.dim(1) != g.Ho || gy.dim(2) != g.Wo || gy.dim(3) != g.O)
    fail(op, "out_backprop has shape " + shape_str(gy.shape()) + " but the convolution's output is [" +
                 std::to_string(g.N) + "," + std::to_string(g.Ho) + "," + std::to_string(g.Wo) + "," +
                 std::to_string(g.O) + "]");
  Shape s({g.N, g.H, g.W, g.C});
  check_shape(op, s);
  Tensor dx = Tensor::empty(s, w.dtype());
  kernels::conv2d_backprop_input(g, w, gy, dx);
  if (tape::any_active()) tape::record(&kBpi, {&w, &gy}, {&dx}, {{w, 0b10}, {gy, 0b01}}, Packed<ConvAttrs>(a));
  return dx;
}

Tensor bpf_impl(const Tensor& x, const Tensor& gy, const ConvAttrs& a0) {
  const OpName& op = kBpfName;
  check_rank4(op, x, "input");
  check_rank4(op, gy, "out_backprop");
  ConvAttrs a = a0;  // every geometry field recorded, for the VJP's ops
  a.H = x.dim(1);
  a.W = x.dim(2);
  check_float(op, x);
  check_same_dtype(op, x, gy);
  check_attrs(op, a);
  const kernels::Conv2dGeom g = geometry(op, x.dim(0), x.dim(1), x.dim(2), x.dim(3), a.KH, a.KW, gy.dim(3), a);
  if (gy.dim(0) != g.N || gy.dim(1) != g.Ho || gy.dim(2) != g.Wo)
    fail(op, "out_backprop has shape " + shape_str(gy.shape()) + " but the convolution's output is [" +
                 std::to_string(g.N) + "," + std::to_string(g.Ho) + "," + std::to_string(g.Wo) + "," +
                 std::to_string(g.O) + "]");
  Shape s({g.KH, g.KW, g.C, g.O});
  check_shape(op, s);
  Tensor dw = Tensor::empty(s, x.dtype());
  kernels::conv2d_backprop_filter(g, x, gy, dw);
  if (tape::any_active()) tape::record(&kBpf, {&x, &gy}, {&dw}, {{x, 0b10}, {gy, 0b01}}, Packed<ConvAttrs>(a));
  return dw;
}

ConvAttrs attrs_of(const Conv2dParams& p) {
  return ConvAttrs{p.strides[0], p.strides[1], p.dilations[0], p.dilations[1], p.pads[0], p.pads[1],
                   p.pads[2],    p.pads[3],    0,              0,              0,          0};
}

}  // namespace

Tensor conv2d(const Tensor& input, const Tensor& filter, const Conv2dParams& p) {
  return conv2d_impl(input, filter, attrs_of(p));
}

Tensor conv2d_backprop_input(const std::vector<int64_t>& input_shape, const Tensor& filter,
                             const Tensor& out_backprop, const Conv2dParams& p) {
  if (input_shape.size() != 4)
    fail(kBpiName, "input_sizes must have 4 elements, got " + std::to_string(input_shape.size()));
  if (out_backprop.ndim() == 4 && input_shape[0] != out_backprop.dim(0))
    fail(kBpiName, "input_sizes[0] (" + std::to_string(input_shape[0]) + ") must equal the batch of out_backprop " +
                       shape_str(out_backprop.shape()));
  if (filter.ndim() == 4 && input_shape[3] != filter.dim(2))
    fail(kBpiName, "input_sizes[3] (" + std::to_string(input_shape[3]) + ") must equal the filter's input depth " +
                       std::to_string(filter.dim(2)));
  ConvAttrs a = attrs_of(p);
  a.H = input_shape[1];
  a.W = input_shape[2];
  return bpi_impl(filter, out_backprop, a);
}

Tensor conv2d_backprop_filter(const Tensor& input, const std::vector<int64_t>& filter_shape,
                              const Tensor& out_backprop, const Conv2dParams& p) {
  if (filter_shape.size() != 4)
    fail(kBpfName, "filter_sizes must have 4 elements, got " + std::to_string(filter_shape.size()));
  if (input.ndim() == 4 && filter_shape[2] != input.dim(3))
    fail(kBpfName, "filter_sizes[2] (" + std::to_string(filter_shape[2]) + ") must equal the input depth " +
                       std::to_string(input.dim(3)));
  if (out_backprop.ndim() == 4 && filter_shape[3] != out_backprop.dim(3))
    fail(kBpfName, "filter_sizes[3] (" + std::to_string(filter_shape[3]) + ") must equal out_backprop's depth " +
                       std::to_string(out_backprop.dim(3)));
  ConvAttrs a = attrs_of(p);
  a.KH = filter_shape[0];
  a.KW = filter_shape[1];
  return bpf_impl(input, out_backprop, a);
}

}  // namespace fasttape
