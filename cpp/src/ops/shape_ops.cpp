// Shape ops of the op table: reshape, transpose, cast, broadcast_to and its
// adjoint sum_to, and strided slices. Each entry: forward, VJP, what it
// saves and its attributes (perms, slice bounds) side by side.
#include <algorithm>
#include <numeric>

#include "ops/common.hpp"

namespace fasttape {
using namespace ops_detail;

// ---------------------------------------------------------------- reshape (shares the buffer)
static void reshape_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = reshape(g[0], grad_dims(c, c.in_shapes[0]));
}
static void reshape_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = reshape(t[0], c.outputs[0]->shape().vec());
}
static const OpDef kReshape("reshape", reshape_vjp, reshape_jvp);
Tensor reshape(const Tensor& x, const std::vector<int64_t>& shape) {
  const OpName op{"reshape", "Reshape"};
  std::vector<int64_t> d = shape;
  int infer = -1;
  int64_t known = 1;
  for (size_t i = 0; i < d.size(); ++i) {
    if (d[i] == -1) {
      if (infer >= 0) fail(op, "only one dimension of the new shape may be -1, got " + shape_str(Shape(shape)));
      infer = static_cast<int>(i);
    } else if (d[i] < 0) {
      fail(op, "dimensions must be non-negative (or -1 to infer one), got " + shape_str(Shape(shape)));
    } else if (__builtin_mul_overflow(known, d[i], &known) || known > Shape::kMaxElements) {
      fail(op, "the requested shape " + shape_str(Shape(shape)) + " has more than 2^58 elements; a tensor of " +
                   std::to_string(x.numel()) + " values cannot take it");
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known != 0)
      fail(op, "Input to reshape is a tensor with " + std::to_string(x.numel()) +
                   " values, which cannot be reshaped to " + shape_str(Shape(shape)));
    d[infer] = x.numel() / known;
  } else if (known != x.numel()) {
    fail(op, "Input to reshape is a tensor with " + std::to_string(x.numel()) +
                 " values, but the requested shape has " + std::to_string(known) + " (shape " +
                 shape_str(Shape(shape)) + ")");
  }
  Shape s(d);
  if (s == x.shape()) return x;
  Tensor out = x.with_shape(s);
  if (tape::any_active()) tape::record(&kReshape, {&x}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- identity (shares the buffer)
// A new tensor (its own id) with x's value: watching it is watching
// something other than x, as TensorFlow's Identity.
static void identity_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = g[0];
}
static void identity_jvp(const JvpContext&, const Tensor* t, Tensor* to) { to[0] = t[0]; }
static const OpDef kIdentity("identity", identity_vjp, identity_jvp);
Tensor identity(const Tensor& x) {
  Tensor out = x.with_shape(x.shape());
  if (tape::any_active()) tape::record(&kIdentity, {&x}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- transpose: attrs = perm
static void transpose_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  std::vector<int64_t> inv(c.n_attrs);
  for (int i = 0; i < c.n_attrs; ++i) inv[c.attrs[i]] = i;
  gi[0] = transpose(g[0], batched_attr(c, inv, 0, 1));
}
static void transpose_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = transpose(t[0], std::vector<int64_t>(c.attrs, c.attrs + c.n_attrs));
}
static const OpDef kTranspose("transpose", transpose_vjp, transpose_jvp);
Tensor transpose(const Tensor& x, const std::vector<int64_t>& perm_in) {
  const OpName op{"transpose", "Transpose"};
  const int r = x.ndim();
  std::vector<int64_t> perm = perm_in;
  if (perm.empty()) {
    perm.resize(r);
    for (int i = 0; i < r; ++i) perm[i] = r - 1 - i;
  }
  if (static_cast<int>(perm.size()) != r)
    fail(op, "perm " + shape_str(Shape(perm_in)) + " has " + std::to_string(perm.size()) +
                 " entries but the input has rank " + std::to_string(r));
  std::vector<bool> seen(r, false);
  for (auto& p : perm) {
    p = norm_axis(op, p, r);
    if (seen[p]) fail(op, "perm " + shape_str(Shape(perm_in)) + " is not a permutation");
    seen[p] = true;
  }
  bool identity = true;
  std::vector<int64_t> d(r);
  for (int i = 0; i < r; ++i) {
    d[i] = x.dim(static_cast<int>(perm[i]));
    identity &= perm[i] == i;
  }
  if (identity) return x;
  Tensor out = Tensor::empty(Shape(d), x.dtype());
  kernels::transpose(x, perm, out);
  if (tape::any_active()) tape::record(&kTranspose, {&x}, {&out}, {}, perm);
  return out;
}

// ---------------------------------------------------------------- cast
static void cast_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = cast(g[0], c.in_dtypes[0]);
}
static void cast_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  if (is_floating(c.outputs[0]->dtype())) to[0] = cast(t[0], c.outputs[0]->dtype());
}
static const OpDef kCast("cast", cast_vjp, cast_jvp);
Tensor cast(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  Tensor out = Tensor::empty(x.shape(), dtype);
  kernels::cast(x, out);
  if (tape::any_active()) tape::record(&kCast, {&x}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- broadcast_to / sum_to (adjoints)
static void bcast_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = unbroadcast(c, g[0], c.in_shapes[0]);
}
static void bcast_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = broadcast_to(t[0], c.outputs[0]->shape());
}
static const OpDef kBroadcast("broadcast_to", bcast_vjp, bcast_jvp);
Tensor broadcast_to(const Tensor& x, const Shape& shape) {
  const OpName op{"broadcast_to", "BroadcastTo"};
  if (x.shape() == shape) return x;
  check_shape(op, shape);
  Shape s;
  if (!kernels::broadcast_shapes(x.shape(), shape, &s) || s != shape)
    fail(op, "cannot broadcast a tensor of shape " + shape_str(x.shape()) + " to shape " + shape_str(shape) +
                 "; each dimension must match or be 1");
  Tensor out = Tensor::empty(shape, x.dtype());
  kernels::broadcast_copy(x, out);
  if (tape::any_active()) tape::record(&kBroadcast, {&x}, {&out}, {});
  return out;
}

static void sum_to_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (c.needs[0]) gi[0] = rebroadcast(c, g[0], c.in_shapes[0]);
}
static void sum_to_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  to[0] = sum_to(t[0], c.outputs[0]->shape());
}
static const OpDef kSumTo("sum_to", sum_to_vjp, sum_to_jvp);
Tensor sum_to(const Tensor& x, const Shape& shape) {
  const OpName op{"sum_to", "Sum"};
  if (x.shape() == shape) return x;
  Shape s;
  if (!kernels::broadcast_shapes(shape, x.shape(), &s) || s != x.shape())
    fail(op, "cannot sum a tensor of shape " + shape_str(x.shape()) + " down to shape " + shape_str(shape) +
                 "; the target shape must broadcast to the input shape");
  const int r = x.ndim(), lead = r - shape.size();
  std::vector<bool> m(r, false);
  for (int i = 0; i < r; ++i) m[i] = i < lead || (shape[i - lead] == 1 && x.dim(i) != 1);
  Tensor k = sum_raw(x, m, true);
  Tensor out = k.with_shape(shape);
  if (tape::any_active()) tape::record(&kSumTo, {&x}, {&out}, {});
  return out;
}

// ---------------------------------------------------------------- strided slice: attrs = begin, end, strides
namespace {
Shape slice_shape(const OpName& op, const Shape& in, const std::vector<int64_t>& b, const std::vector<int64_t>& e,
                  const std::vector<int64_t>& s) {
  const int r = in.size();
  if (static_cast<int>(b.size()) != r || static_cast<int>(e.size()) != r || static_cast<int>(s.size()) != r)
    fail(op, "begin, end and strides need one entry per dimension of the input (rank " + std::to_string(r) + ")");
  std::vector<int64_t> d(r);
  for (int i = 0; i < r; ++i) {
    if (s[i] == 0) fail(op, "slice step cannot be zero");
    // In 128 bits: steps near +-2^63 (and -(2^63) itself) must not overflow.
    const __int128 bi = b[i], ei = e[i], si = s[i];
    const __int128 n = si > 0 ? (ei - bi + si - 1) / si : (bi - ei - si - 1) / (-si);
    d[i] = n > 0 ? static_cast<int64_t>(n) : 0;
    if (d[i] > 0) {
      const __int128 last128 = bi + static_cast<__int128>(d[i] - 1) * si;
      const int64_t last = last128 < 0 ? -1 : (last128 >= in[i] ? in[i] : static_cast<int64_t>(last128));
      if (b[i] < 0 || b[i] >= in[i] || last < 0 || last >= in[i])
        fail(op, "slice index " + std::to_string(b[i] < 0 || b[i] >= in[i] ? b[i] : last) + " of dimension " +
                     std::to_string(i) + " out of bounds (size " + std::to_string(in[i]) + ")");
    }
  }
  return Shape(d);
}
std::vector<int64_t> pack3(const std::vector<int64_t>& a, const std::vector<int64_t>& b,
                           const std::vector<int64_t>& c) {
  std::vector<int64_t> v(a);
  v.insert(v.end(), b.begin(), b.end());
  v.insert(v.end(), c.begin(), c.end());
  return v;
}
void unpack3(const int64_t* attrs, int n, std::vector<int64_t>* a, std::vector<int64_t>* b,
             std::vector<int64_t>* s) {
  int r = n / 3;
  a->assign(attrs, attrs + r);
  b->assign(attrs + r, attrs + 2 * r);
  s->assign(attrs + 2 * r, attrs + 3 * r);
}
// Slice bounds for a batched gradient: the whole batch axis, then the slice.
void unpack3_batched(const VjpContext& c, std::vector<int64_t>* a, std::vector<int64_t>* b,
                     std::vector<int64_t>* s) {
  unpack3(c.attrs, c.n_attrs, a, b, s);
  *a = batched_attr(c, *a, 0, 0);
  *b = batched_attr(c, *b, c.batch_size, 0);
  *s = batched_attr(c, *s, 1, 0);
}
}  // namespace

static void slice_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  std::vector<int64_t> b, e, s;
  unpack3_batched(c, &b, &e, &s);
  gi[0] = strided_slice_grad(g[0], grad_shape(c, c.in_shapes[0]), b, e, s);
}
static void slice_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  std::vector<int64_t> b, e, s;
  unpack3(c.attrs, c.n_attrs, &b, &e, &s);
  to[0] = strided_slice(t[0], b, e, s);
}
static const OpDef kSlice("strided_slice", slice_vjp, slice_jvp);
Tensor strided_slice(const Tensor& x, const std::vector<int64_t>& begin, const std::vector<int64_t>& end,
                     const std::vector<int64_t>& strides) {
  const OpName op{"strided_slice", "StridedSlice"};
  Shape s = slice_shape(op, x.shape(), begin, end, strides);
  Tensor out = Tensor::empty(s, x.dtype());
  kernels::strided_slice(x, begin, strides, out);
  if (tape::any_active()) tape::record(&kSlice, {&x}, {&out}, {}, pack3(begin, end, strides));
  return out;
}

static void slice_grad_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  std::vector<int64_t> b, e, s;
  unpack3_batched(c, &b, &e, &s);
  gi[0] = strided_slice(g[0], b, e, s);
}
static void slice_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  std::vector<int64_t> b, e, s;
  unpack3(c.attrs, c.n_attrs, &b, &e, &s);
  to[0] = strided_slice_grad(t[0], c.outputs[0]->shape(), b, e, s);
}
static const OpDef kSliceGrad("strided_slice_grad", slice_grad_vjp, slice_grad_jvp);
Tensor strided_slice_grad(const Tensor& dy, const Shape& input_shape, const std::vector<int64_t>& begin,
                          const std::vector<int64_t>& end, const std::vector<int64_t>& strides) {
  const OpName op{"strided_slice_grad", "StridedSliceGrad"};
  Shape s = slice_shape(op, input_shape, begin, end, strides);
  if (s != dy.shape())
    fail(op, "dy has shape " + shape_str(dy.shape()) + " but the slice has shape " + shape_str(s));
  Tensor out = Tensor::empty(input_shape, dy.dtype());
  kernels::strided_slice_scatter(dy, begin, strides, out);
  if (tape::any_active()) tape::record(&kSliceGrad, {&dy}, {&out}, {}, pack3(begin, end, strides));
  return out;
}

}  // namespace fasttape
