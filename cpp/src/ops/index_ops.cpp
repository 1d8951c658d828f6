// Shape and indexing ops of the op table: concat, unstack, gather, gather_nd
// and the gathers' adjoints (dense scatter-adds), plus composites built from
// existing entries whose gradients are TensorFlow's exactly:
//   stack       = reshape (expand_dims) + concat      (TF: Pack, grad unstack)
//   expand_dims, squeeze = reshape                    (TF: grad is a reshape)
//   tile        = reshape + broadcast_to + reshape    (TF: grad sums the tiles)
//   pad CONSTANT = strided_slice_grad (+ a constant)  (TF: grad is a slice)
//   pad REFLECT/SYMMETRIC = gathers along each axis   (TF: MirrorPadGrad adds
//                                                      the mirrored parts back)
//
// Gathers carry an internal `lead` count: extra leading dims of params (and
// of the output) in front of the batch dims that the indices do not have.
// Batched sweeps (jacobians) pass their batch axis through that way.
#include <algorithm>
#include <cctype>

#include "fasttape/ops_index.hpp"
#include "kernels/index_kernels.hpp"
#include "ops/common.hpp"

namespace fasttape {
using namespace ops_detail;

// Internal forms with `lead` extra leading dims of params (and of the output)
// in front of the batch dims, which the indices do not have: how batched
// sweeps (jacobians) carry their batch axis through gathers.
static Tensor gather_ex(const Tensor& params, const Tensor& indices, int64_t axis, int64_t batch_dims, int64_t lead);
static Tensor gather_grad_ex(const Tensor& dy, const Tensor& indices, int64_t dim_size, int64_t axis, int64_t batch_dims,
                      int64_t lead);
static Tensor gather_nd_ex(const Tensor& params, const Tensor& indices, int64_t batch_dims, int64_t lead);
static Tensor gather_nd_grad_ex(const Tensor& dy, const Tensor& indices, const Shape& params_shape, int64_t batch_dims,
                         int64_t lead);


namespace {

int64_t prod(const Shape& s, int b, int e) {
  int64_t n = 1;
  for (int i = b; i < e; ++i) n *= s[i];
  return n;
}

// x[..., start:start+len, ...] along `axis`.
Tensor slice_axis(const Tensor& x, int axis, int64_t start, int64_t len) {
  const int r = x.ndim();
  std::vector<int64_t> b(r, 0), e = x.shape().vec(), s(r, 1);
  b[axis] = start;
  e[axis] = start + len;
  return strided_slice(x, b, e, s);
}

std::string multi_index(const Shape& s, int64_t flat) {
  std::vector<int64_t> idx(s.size());
  for (int i = s.size() - 1; i >= 0; --i) {
    idx[i] = s[i] ? flat % s[i] : 0;
    flat = s[i] ? flat / s[i] : 0;
  }
  std::string out;
  for (size_t i = 0; i < idx.size(); ++i) out += (i ? "," : "") + std::to_string(idx[i]);
  return out;
}

void check_indices_dtype(const OpName& op, const Tensor& indices) {
  if (indices.dtype() != DType::Int32 && indices.dtype() != DType::Int64)
    fail(op, std::string("indices must be an int32 or int64 tensor, got ") + dtype_name(indices.dtype()) +
                 "; cast them with fasttape.cast");
}

int64_t index_at(const Tensor& t, int64_t i) {
  return t.dtype() == DType::Int64 ? t.data<int64_t>()[i] : static_cast<int64_t>(t.data<int32_t>()[i]);
}

// First flat position of an index outside [0, n), or -1.
int64_t first_out_of_range(const Tensor& idx, int64_t n) {
  const int64_t m = idx.numel();
  if (idx.dtype() == DType::Int64) {
    const int64_t* p = idx.data<int64_t>();
    for (int64_t i = 0; i < m; ++i)
      if (p[i] < 0 || p[i] >= n) return i;
  } else {
    const int32_t* p = idx.data<int32_t>();
    for (int64_t i = 0; i < m; ++i)
      if (p[i] < 0 || p[i] >= n) return i;
  }
  return -1;
}


}  // namespace

// ---------------------------------------------------------------- concat: attrs = axis, sizes along axis
static void concat_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const int axis = static_cast<int>(c.attrs[0]) + c.batch;
  int64_t off = 0;
  for (int i = 0; i < c.n_inputs; ++i) {
    const int64_t n = c.attrs[1 + i];
    if (c.needs[i]) gi[i] = slice_axis(g[0], axis, off, n);
    off += n;
  }
}
static void concat_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  std::vector<Tensor> ts(c.n_inputs);
  for (int i = 0; i < c.n_inputs; ++i) ts[i] = zeros_or(t[i], *c.inputs[i]);
  to[0] = concat(ts, c.attrs[0]);
}
static const OpDef kConcat("concat", concat_vjp, concat_jvp);
Tensor concat(const std::vector<Tensor>& values, int64_t axis_in) {
  const OpName op{"concat", "ConcatV2"};
  if (values.empty()) fail(op, "expected a non-empty list of tensors to concatenate");
  const Tensor& v0 = values[0];
  const int r = v0.ndim();
  for (size_t i = 0; i < values.size(); ++i) {
    const Tensor& v = values[i];
    if (v.ndim() == 0) fail(op, "ConcatOp : Can't concatenate scalars (use fasttape.stack instead)");
    if (v.dtype() != v0.dtype())
      fail(op, "cannot concatenate a " + std::string(dtype_name(v0.dtype())) + " tensor (values[0]) with a " +
                   dtype_name(v.dtype()) + " tensor (values[" + std::to_string(i) +
                   "]); all values must have the same dtype, so cast with fasttape.cast");
    if (v.ndim() != r)
      fail(op, "ConcatOp : Ranks of all input tensors should match: shape[0] = " + shape_str(v0.shape()) +
                   " vs. shape[" + std::to_string(i) + "] = " + shape_str(v.shape()));
  }
  if (axis_in < -r || axis_in >= r)
    fail(op, "ConcatOp : Expected concatenating dimensions in the range [" + std::to_string(-r) + ", " +
                 std::to_string(r) + "), but got " + std::to_string(axis_in));
  const int axis = static_cast<int>(axis_in < 0 ? axis_in + r : axis_in);
  std::vector<int64_t> d = v0.shape().vec();
  d[axis] = 0;
  std::vector<int64_t> attrs{axis};
  for (size_t i = 0; i < values.size(); ++i) {
    const Tensor& v = values[i];
    for (int k = 0; k < r; ++k)
      if (k != axis && v.dim(k) != v0.dim(k))
        fail(op, "ConcatOp : Dimension " + std::to_string(k) + " in both shapes must be equal: shape[0] = " +
                     shape_str(v0.shape()) + " vs. shape[" + std::to_string(i) + "] = " + shape_str(v.shape()));
    d[axis] += v.dim(axis);
    attrs.push_back(v.dim(axis));
  }
  if (values.size() == 1) return v0;
  Tensor out = Tensor::empty(Shape(d), v0.dtype());
  kernels::concat(values, prod(v0.shape(), 0, axis), out);
  if (tape::any_active()) {
    std::vector<const Tensor*> ins;
    for (const Tensor& v : values) ins.push_back(&v);
    tape::record(&kConcat, ins, {&out}, {}, attrs);
  }
  return out;
}

// ---------------------------------------------------------------- stack (composite)
Tensor stack(const std::vector<Tensor>& values, int64_t axis_in) {
  const OpName op{"stack", "Pack"};
  if (values.empty()) fail(op, "expected a non-empty list of tensors to stack");
  const Tensor& v0 = values[0];
  const int r = v0.ndim();
  for (size_t i = 1; i < values.size(); ++i) {
    if (values[i].shape() != v0.shape())
      fail(op, "Shapes of all inputs must match: values[0].shape = " + shape_str(v0.shape()) + " != values[" +
                   std::to_string(i) + "].shape = " + shape_str(values[i].shape()));
    if (values[i].dtype() != v0.dtype())
      fail(op, "cannot stack a " + std::string(dtype_name(v0.dtype())) + " tensor (values[0]) with a " +
                   dtype_name(values[i].dtype()) + " tensor (values[" + std::to_string(i) +
                   "]); cast with fasttape.cast");
  }
  if (axis_in < -(r + 1) || axis_in > r)
    fail(op, "axis = " + std::to_string(axis_in) + " not in range [" + std::to_string(-(r + 1)) + ", " +
                 std::to_string(r + 1) + ")");
  const int64_t axis = axis_in < 0 ? axis_in + r + 1 : axis_in;
  std::vector<int64_t> d = v0.shape().vec();
  d.insert(d.begin() + axis, 1);
  {
    std::vector<int64_t> out = d;
    out[axis] = static_cast<int64_t>(values.size());
    check_shape(op, Shape(out));
  }
  std::vector<Tensor> ex;
  ex.reserve(values.size());
  for (const Tensor& v : values) ex.push_back(reshape(v, d));
  return concat(ex, axis);
}

// ---------------------------------------------------------------- unstack: attrs = axis, num (multi-output)
static void unstack_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  std::vector<Tensor> gs(g, g + c.attrs[1]);
  gi[0] = stack(gs, c.attrs[0] + c.batch);
}
static void unstack_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  std::vector<Tensor> r = unstack(t[0], c.attrs[1], c.attrs[0]);
  for (size_t i = 0; i < r.size(); ++i) to[i] = r[i];
}
static const OpDef kUnstack("unstack", unstack_vjp, unstack_jvp);
std::vector<Tensor> unstack(const Tensor& x, int64_t num, int64_t axis_in) {
  const OpName op{"unstack", "Unpack"};
  const int r = x.ndim();
  if (r == 0) fail(op, "cannot unstack a scalar (shape []); the input needs rank >= 1");
  if (axis_in < -r || axis_in >= r)
    fail(op, "axis = " + std::to_string(axis_in) + " not in range [" + std::to_string(-r) + ", " +
                 std::to_string(r) + ")");
  const int axis = static_cast<int>(axis_in < 0 ? axis_in + r : axis_in);
  const int64_t n = x.dim(axis);
  if (num >= 0 && num != n)
    fail(op, "Input shape axis " + std::to_string(axis) + " must equal " + std::to_string(num) + ", got shape " +
                 shape_str(x.shape()));
  std::vector<int64_t> d = x.shape().vec();
  d.erase(d.begin() + axis);
  std::vector<Tensor> outs;
  outs.reserve(n);
  for (int64_t k = 0; k < n; ++k) outs.push_back(Tensor::empty(Shape(d), x.dtype()));
  kernels::unstack(x, prod(x.shape(), 0, axis), prod(x.shape(), axis + 1, r), outs);
  if (n > 0 && tape::any_active()) {
    std::vector<const Tensor*> po;
    for (const Tensor& o : outs) po.push_back(&o);
    tape::record(&kUnstack, {&x}, po, {}, {axis, n});
  }
  return outs;
}

// ---------------------------------------------------------------- expand_dims / squeeze (reshape)
Tensor expand_dims(const Tensor& x, int64_t axis) {
  const OpName op{"expand_dims", "ExpandDims"};
  const int r = x.ndim();
  if (axis < -(r + 1) || axis > r)
    fail(op, "Tried to expand dim index " + std::to_string(axis) + " for tensor with " + std::to_string(r) +
                 " dimensions (valid: " + std::to_string(-(r + 1)) + " to " + std::to_string(r) + ")");
  if (axis < 0) axis += r + 1;
  std::vector<int64_t> d = x.shape().vec();
  d.insert(d.begin() + axis, 1);
  check_shape(op, Shape(d));
  return reshape(x, d);
}

Tensor squeeze(const Tensor& x, const std::vector<int64_t>& axes) {
  const OpName op{"squeeze", "Squeeze"};
  const int r = x.ndim();
  std::vector<bool> drop(r, false);
  if (axes.empty()) {
    for (int i = 0; i < r; ++i) drop[i] = x.dim(i) == 1;
  } else {
    for (int64_t a : axes) {
      if (a < -r || a >= r)
        fail(op, "Tried to squeeze dim index " + std::to_string(a) + " for tensor with " + std::to_string(r) +
                     " dimensions");
      const int k = static_cast<int>(a < 0 ? a + r : a);
      if (x.dim(k) != 1)
        fail(op, "Can not squeeze dim[" + std::to_string(k) + "], expected a dimension of 1, got " +
                     std::to_string(x.dim(k)) + " (shape " + shape_str(x.shape()) + ")");
      drop[k] = true;
    }
  }
  std::vector<int64_t> d;
  for (int i = 0; i < r; ++i)
    if (!drop[i]) d.push_back(x.dim(i));
  return reshape(x, d);
}

// ---------------------------------------------------------------- tile (composite)
Tensor tile(const Tensor& x, const std::vector<int64_t>& multiples) {
  const OpName op{"tile", "Tile"};
  const int r = x.ndim();
  if (static_cast<int>(multiples.size()) != r)
    fail(op, "Expected multiples argument to be a vector of length " + std::to_string(r) + " but got length " +
                 std::to_string(multiples.size()) + " (input shape " + shape_str(x.shape()) + ")");
  bool trivial = true;
  for (int i = 0; i < r; ++i) {
    if (multiples[i] < 0)
      fail(op, "Expected multiples[" + std::to_string(i) + "] >= 0, but got " + std::to_string(multiples[i]));
    trivial &= multiples[i] == 1;
  }
  if (trivial) return x;
  std::vector<int64_t> inter, big, out;
  for (int i = 0; i < r; ++i) {
    inter.push_back(1);
    inter.push_back(x.dim(i));
    big.push_back(multiples[i]);
    big.push_back(x.dim(i));
    int64_t d;
    if (__builtin_mul_overflow(multiples[i], x.dim(i), &d)) d = -1;  // reported as too big below
    out.push_back(d);
  }
  {
    Shape s(out);
    int64_t n;
    if (!s.checked_numel(&n))
      fail(op, "tiling shape " + shape_str(x.shape()) + " by " + shape_str(Shape(multiples)) +
                   " gives more than 2^58 elements (or more than " + std::to_string(Shape::kMaxRank) +
                   " dimensions); use smaller multiples");
  }
  if (2 * r > Shape::kMaxRank) {
    // The interleaved form below would pass the rank limit: one axis at a
    // time, each as [before, 1, axis * after] broadcast to [before, k, ...].
    Tensor y = x;
    for (int i = 0; i < r; ++i) {
      if (multiples[i] == 1) continue;
      int64_t before = 1, after = 1;
      for (int j = 0; j < i; ++j) before *= y.dim(j);
      for (int j = i; j < r; ++j) after *= y.dim(j);
      std::vector<int64_t> d = y.shape().vec();
      d[i] *= multiples[i];
      y = reshape(broadcast_to(reshape(y, {before, 1, after}), Shape({before, multiples[i], after})), d);
    }
    return y;
  }
  return reshape(broadcast_to(reshape(x, inter), Shape(big)), out);
}

// ---------------------------------------------------------------- pad (composite)
Tensor pad(const Tensor& x, const std::vector<int64_t>& paddings, const std::string& mode_in, double cval) {
  std::string mode = mode_in;
  for (char& ch : mode) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  const bool mirror = mode == "REFLECT" || mode == "SYMMETRIC";
  const OpName op{"pad", mirror ? "MirrorPad" : "PadV2"};
  if (mode != "CONSTANT" && !mirror)
    fail(op, "Unknown padding mode: " + mode_in + "; use \"CONSTANT\", \"REFLECT\" or \"SYMMETRIC\"");
  const int r = x.ndim();
  if (static_cast<int>(paddings.size()) != 2 * r)
    fail(op, "The first dimension of paddings must be the rank of inputs: paddings has " +
                 std::to_string(paddings.size() / 2) + " rows (" + std::to_string(paddings.size()) +
                 " values) but the input has shape " + shape_str(x.shape()) + "; give one [before, after] pair per dimension");
  for (int i = 0; i < r; ++i) {
    const int64_t a = paddings[2 * i], b = paddings[2 * i + 1];
    if (a < 0 || b < 0)
      fail(op, "Paddings must be non-negative: " + std::to_string(a) + " " + std::to_string(b));
    int64_t padded;
    if (__builtin_add_overflow(a, x.dim(i), &padded) || __builtin_add_overflow(padded, b, &padded) ||
        padded > Shape::kMaxElements)
      fail(op, "padding dimension " + std::to_string(i) + " of shape " + shape_str(x.shape()) + " by [" +
                   std::to_string(a) + ", " + std::to_string(b) + "] gives more than 2^58 elements; use smaller paddings");
    if (mode == "REFLECT" && (a >= x.dim(i) || b >= x.dim(i)))
      fail(op, "paddings must be less than the dimension size: " + std::to_string(a) + ", " + std::to_string(b) +
                   " not less than " + std::to_string(x.dim(i)) + " (dimension " + std::to_string(i) +
                   " of shape " + shape_str(x.shape()) + ", mode REFLECT)");
    if (mode == "SYMMETRIC" && (a > x.dim(i) || b > x.dim(i)))
      fail(op, "paddings must be no greater than the dimension size: " + std::to_string(a) + ", " +
                   std::to_string(b) + " greater than " + std::to_string(x.dim(i)) + " (dimension " +
                   std::to_string(i) + " of shape " + shape_str(x.shape()) + ", mode SYMMETRIC)");
  }
  if (mirror) {
    Tensor y = x;
    for (int i = 0; i < r; ++i) {
      const int64_t a = paddings[2 * i], b = paddings[2 * i + 1], n = x.dim(i);
      if (a == 0 && b == 0) continue;
      const int64_t s = mode == "REFLECT" ? 1 : 0;  // REFLECT skips the edge element
      std::vector<int64_t> idx;
      for (int64_t k = a; k >= 1; --k) idx.push_back(k - 1 + s);
      for (int64_t k = 0; k < n; ++k) idx.push_back(k);
      for (int64_t k = 1; k <= b; ++k) idx.push_back(n - k - s);
      Tensor it = Tensor::from_data(idx.data(), Shape({static_cast<int64_t>(idx.size())}), DType::Int64);
      y = gather(y, it, i, 0);
    }
    return y;
  }
  std::vector<int64_t> d(r), b(r), e(r), s(r, 1);
  bool trivial = true;
  for (int i = 0; i < r; ++i) {
    b[i] = paddings[2 * i];
    e[i] = b[i] + x.dim(i);
    d[i] = e[i] + paddings[2 * i + 1];
    trivial &= d[i] == x.dim(i);
  }
  if (trivial) return x;
  Tensor out = strided_slice_grad(x, Shape(d), b, e, s);
  if (cval != 0.0) {
    // A constant: cval outside the interior, 0 inside (no tape tracks it).
    Tensor inner = Tensor::full(x.shape(), 1.0, x.dtype());
    Tensor mask = Tensor::empty(Shape(d), x.dtype());
    kernels::strided_slice_scatter(inner, b, s, mask);
    Tensor border = Tensor::empty(Shape(d), x.dtype());
    if (x.dtype() == DType::Bool) {  // constant_values=True
      kernels::unary(kernels::UnOp::Not, mask, border);
      return logical_or(out, border);
    }
    kernels::binary(kernels::BinOp::Sub, Tensor::scalar(1.0, x.dtype()), mask, border);
    kernels::binary(kernels::BinOp::Mul, border, Tensor::scalar(cval, x.dtype()), border);
    out = add(out, border);
  }
  return out;
}

// ---------------------------------------------------------------- gather geometry
namespace {

struct GatherPlan {
  kernels::GatherDims d;
  Shape out;
};

// params = [lead..., batch..., outer..., N, inner...], indices = [batch..., I...].
GatherPlan plan_gather(const OpName& op, const Shape& ps, const Tensor& indices, int64_t axis, int64_t bd,
                       int64_t lead) {
  check_indices_dtype(op, indices);
  const Shape& is = indices.shape();
  const int r = ps.size();
  if (bd < 0 || bd > is.size())
    fail(op, "batch_dims = " + std::to_string(bd) + " must be in [0, rank(indices) = " +
                 std::to_string(is.size()) + "]");
  if (axis < lead + bd || axis >= r)
    fail(op, "axis = " + std::to_string(axis - lead) + " must be in [batch_dims = " + std::to_string(bd) +
                 ", rank(params) = " + std::to_string(r - lead) + ") for params of shape " + shape_str(ps));
  for (int j = 0; j < bd; ++j)
    if (ps[static_cast<int>(lead) + j] != is[j])
      fail(op, "params.shape[" + std::to_string(j) + "]: " + std::to_string(ps[static_cast<int>(lead) + j]) +
                   " should be equal to indices.shape[" + std::to_string(j) + "]: " + std::to_string(is[j]) +
                   " (batch_dims = " + std::to_string(bd) + ")");
  const int L = static_cast<int>(lead), B = static_cast<int>(bd), A = static_cast<int>(axis);
  GatherPlan p;
  p.d = {prod(ps, 0, L), prod(ps, L, L + B), prod(ps, L + B, A), ps[A], prod(is, B, is.size()), prod(ps, A + 1, r)};
  std::vector<int64_t> o(ps.begin(), ps.begin() + A);
  o.insert(o.end(), is.begin() + B, is.end());
  o.insert(o.end(), ps.begin() + A + 1, ps.end());
  p.out = Shape(o);
  return p;
}

void check_range(const OpName& op, const Tensor& indices, int64_t n) {
  int64_t bad = first_out_of_range(indices, n);
  if (bad >= 0)
    fail(op, "indices[" + multi_index(indices.shape(), bad) + "] = " + std::to_string(index_at(indices, bad)) +
                 " is not in [0, " + std::to_string(n) + ")");
}

}  // namespace

// ---------------------------------------------------------------- gather: saves indices
// The attributes of gather and gather_grad (n: the gathered axis's length,
// gather_grad only).
struct GatherAttrs {
  int64_t axis, batch_dims, lead, n;
};
static void gather_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const auto a = c.attrs_as<GatherAttrs>();
  gi[0] = gather_grad_ex(g[0], c.saved[0], c.in_shapes[0][static_cast<int>(a.axis)], a.axis + c.batch,
                         a.batch_dims, a.lead + c.batch);
}
static void gather_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const auto a = c.attrs_as<GatherAttrs>();
  if (t[0].defined()) to[0] = gather_ex(t[0], *c.inputs[1], a.axis, a.batch_dims, a.lead);
}
static const OpDef kGather("gather", gather_vjp, gather_jvp);
static Tensor gather_ex(const Tensor& params, const Tensor& indices, int64_t axis, int64_t bd, int64_t lead) {
  const OpName op{"gather", "GatherV2"};
  GatherPlan p = plan_gather(op, params.shape(), indices, axis, bd, lead);
  check_range(op, indices, p.d.N);
  Tensor out = Tensor::empty(p.out, params.dtype());
  kernels::gather(params, indices, p.d, out);
  if (tape::any_active()) tape::record(&kGather, {&params, &indices}, {&out}, {indices}, Packed<GatherAttrs>({axis, bd, lead, 0}));
  return out;
}
Tensor gather(const Tensor& params, const Tensor& indices, int64_t axis, int64_t batch_dims) {
  const OpName op{"gather", "GatherV2"};
  const int r = params.ndim(), ri = indices.ndim();
  if (batch_dims < -ri || batch_dims > ri)
    fail(op, "Expected batch_dims in the range [" + std::to_string(-ri) + ", " + std::to_string(ri) +
                 "], but got " + std::to_string(batch_dims));
  if (batch_dims < 0) batch_dims += ri;
  if (r == 0) fail(op, "params must be at least 1 dimensional, got a scalar");
  if (axis < -r || axis >= r)
    fail(op, "Expected axis in the range [" + std::to_string(-r) + ", " + std::to_string(r) + "), but got " +
                 std::to_string(axis));
  if (axis < 0) axis += r;
  if (batch_dims > axis)
    fail(op, "batch_dims (" + std::to_string(batch_dims) + ") must be less than or equal to axis (" +
                 std::to_string(axis) + ")");
  return gather_ex(params, indices, axis, batch_dims, 0);
}

// ---------------------------------------------------------------- gather_grad: saves indices
static void gather_grad_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const auto a = c.attrs_as<GatherAttrs>();
  gi[0] = gather_ex(g[0], c.saved[0], a.axis + c.batch, a.batch_dims, a.lead + c.batch);
}
static void gather_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const auto a = c.attrs_as<GatherAttrs>();
  if (t[0].defined()) to[0] = gather_grad_ex(t[0], *c.inputs[1], a.n, a.axis, a.batch_dims, a.lead);
}
static const OpDef kGatherGrad("gather_grad", gather_grad_vjp, gather_grad_jvp);
static Tensor gather_grad_ex(const Tensor& dy, const Tensor& indices, int64_t n, int64_t axis, int64_t bd, int64_t lead) {
  const OpName op{"gather_grad", "UnsortedSegmentSum"};
  check_not_bool(op, dy);
  check_indices_dtype(op, indices);
  const Shape& ds = dy.shape();
  const Shape& is = indices.shape();
  const int ni = is.size() - static_cast<int>(bd);  // index dims in dy
  const int A = static_cast<int>(axis);
  if (n < 0 || bd < 0 || ni < 0 || axis < lead + bd || A + ni > ds.size())
    fail(op, "dy of shape " + shape_str(ds) + " does not fit indices of shape " + shape_str(is) + " at axis " +
                 std::to_string(axis) + " (batch_dims " + std::to_string(bd) + ")");
  for (int j = 0; j < ni; ++j)
    if (ds[A + j] != is[static_cast<int>(bd) + j])
      fail(op, "dy of shape " + shape_str(ds) + " does not fit indices of shape " + shape_str(is) + " at axis " +
                   std::to_string(axis));
  std::vector<int64_t> ps(ds.begin(), ds.begin() + A);
  ps.push_back(n);
  ps.insert(ps.end(), ds.begin() + A + ni, ds.end());
  GatherPlan p = plan_gather(op, Shape(ps), indices, axis, bd, lead);
  check_range(op, indices, n);
  Tensor out = Tensor::empty(Shape(ps), dy.dtype());
  kernels::gather_scatter_add(dy, indices, p.d, out);
  if (tape::any_active()) tape::record(&kGatherGrad, {&dy, &indices}, {&out}, {indices}, Packed<GatherAttrs>({axis, bd, lead, n}));
  return out;
}
Tensor gather_grad(const Tensor& dy, const Tensor& indices, int64_t dim_size, int64_t axis, int64_t batch_dims) {
  return gather_grad_ex(dy, indices, dim_size, axis, batch_dims, 0);
}

// ---------------------------------------------------------------- gather_nd geometry
namespace {

// params = [lead..., batch..., N1..Nk, inner...], indices = [batch..., I..., k].
// Returns the plan (O = 1, N = N1*...*Nk) and the flat row indices [B*I].
GatherPlan plan_gather_nd(const OpName& op, const Shape& ps, const Tensor& indices, int64_t bd, int64_t lead,
                          Tensor* flat) {
  check_indices_dtype(op, indices);
  const Shape& is = indices.shape();
  const int r = ps.size(), ri = is.size(), L = static_cast<int>(lead), B = static_cast<int>(bd);
  if (ri < 1) fail(op, "indices must be at least a vector, got shape " + shape_str(is));
  if (bd < 0 || B >= ri)
    fail(op, "batch_dims = " + std::to_string(bd) + " must be less than rank(indices) = " + std::to_string(ri));
  if (B > r - L)
    fail(op, "batch_dims = " + std::to_string(bd) + " must be at most rank(params) = " + std::to_string(r - L));
  for (int j = 0; j < B; ++j)
    if (ps[L + j] != is[j])
      fail(op, "params.shape[" + std::to_string(j) + "]: " + std::to_string(ps[L + j]) +
                   " should be equal to indices.shape[" + std::to_string(j) + "]: " + std::to_string(is[j]) +
                   " (batch_dims = " + std::to_string(bd) + ")");
  const int64_t k = is[ri - 1];
  if (k > r - L - B)
    fail(op, "index innermost dimension length must be <= params rank; saw: " + std::to_string(k) + " vs. " +
                 std::to_string(r - L - B) + " (params shape " + shape_str(ps) + ", indices shape " + shape_str(is) +
                 ", batch_dims " + std::to_string(bd) + ")");
  const int K = static_cast<int>(k);
  GatherPlan p;
  p.d = {prod(ps, 0, L), prod(ps, L, L + B), 1, prod(ps, L + B, L + B + K), prod(is, B, ri - 1),
         prod(ps, L + B + K, r)};
  std::vector<int64_t> o(ps.begin(), ps.begin() + L);
  o.insert(o.end(), is.begin(), is.end() - 1);
  o.insert(o.end(), ps.begin() + L + B + K, ps.end());
  p.out = Shape(o);
  const int64_t rows = p.d.B * p.d.I;
  *flat = Tensor::empty(Shape({rows}), DType::Int64);
  int64_t* f = flat->mutable_data<int64_t>();
  for (int64_t row = 0; row < rows; ++row) {
    int64_t lin = 0;
    for (int j = 0; j < K; ++j) {
      const int64_t v = index_at(indices, row * k + j), dim = ps[L + B + j];
      if (v < 0 || v >= dim) {
        std::string vals;
        for (int q = 0; q < K; ++q) vals += (q ? ", " : "") + std::to_string(index_at(indices, row * k + q));
        Shape lead_is(is.data(), ri - 1);
        Shape sub(ps.data() + L + B, K);
        fail(op, "indices[" + multi_index(lead_is, row) + "] = [" + vals + "] does not index into param shape " +
                     shape_str(Shape(ps.data() + L, r - L)) + " (each index j must be in [0, " + shape_str(sub) +
                     "[j]))");
      }
      lin = lin * dim + v;
    }
    f[row] = lin;
  }
  return p;
}

}  // namespace

// ---------------------------------------------------------------- gather_nd: saves indices
// The attributes of gather_nd and gather_nd_grad.
struct GatherNdAttrs {
  int64_t batch_dims, lead;
};
static void gather_nd_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const auto a = c.attrs_as<GatherNdAttrs>();
  gi[0] = gather_nd_grad_ex(g[0], c.saved[0], grad_shape(c, c.in_shapes[0]), a.batch_dims, a.lead + c.batch);
}
static void gather_nd_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const auto a = c.attrs_as<GatherNdAttrs>();
  if (t[0].defined()) to[0] = gather_nd_ex(t[0], *c.inputs[1], a.batch_dims, a.lead);
}
static const OpDef kGatherNd("gather_nd", gather_nd_vjp, gather_nd_jvp);
static Tensor gather_nd_ex(const Tensor& params, const Tensor& indices, int64_t bd, int64_t lead) {
  const OpName op{"gather_nd", "GatherNd"};
  Tensor flat;
  GatherPlan p = plan_gather_nd(op, params.shape(), indices, bd, lead, &flat);
  Tensor out = Tensor::empty(p.out, params.dtype());
  kernels::gather(params, flat, p.d, out);
  if (tape::any_active()) tape::record(&kGatherNd, {&params, &indices}, {&out}, {indices}, Packed<GatherNdAttrs>({bd, lead}));
  return out;
}
Tensor gather_nd(const Tensor& params, const Tensor& indices, int64_t batch_dims) {
  return gather_nd_ex(params, indices, batch_dims, 0);
}

// ---------------------------------------------------------------- gather_nd_grad: saves indices
static void gather_nd_grad_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  if (!c.needs[0]) return;
  const auto a = c.attrs_as<GatherNdAttrs>();
  gi[0] = gather_nd_ex(g[0], c.saved[0], a.batch_dims, a.lead + c.batch);
}
static void gather_nd_grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const auto a = c.attrs_as<GatherNdAttrs>();
  if (t[0].defined()) to[0] = gather_nd_grad_ex(t[0], *c.inputs[1], c.outputs[0]->shape(), a.batch_dims, a.lead);
}
static const OpDef kGatherNdGrad("gather_nd_grad", gather_nd_grad_vjp, gather_nd_grad_jvp);
static Tensor gather_nd_grad_ex(const Tensor& dy, const Tensor& indices, const Shape& ps, int64_t bd, int64_t lead) {
  const OpName op{"gather_nd_grad", "ScatterNd"};
  check_not_bool(op, dy);
  Tensor flat;
  GatherPlan p = plan_gather_nd(op, ps, indices, bd, lead, &flat);
  if (dy.shape() != p.out)
    fail(op, "dy has shape " + shape_str(dy.shape()) + " but gathering from " + shape_str(ps) + " with indices " +
                 shape_str(indices.shape()) + " gives " + shape_str(p.out));
  Tensor out = Tensor::empty(ps, dy.dtype());
  kernels::gather_scatter_add(dy, flat, p.d, out);
  if (tape::any_active()) tape::record(&kGatherNdGrad, {&dy, &indices}, {&out}, {indices}, Packed<GatherNdAttrs>({bd, lead}));
  return out;
}
Tensor gather_nd_grad(const Tensor& dy, const Tensor& indices, const Shape& params_shape, int64_t batch_dims) {
  return gather_nd_grad_ex(dy, indices, params_shape, batch_dims, 0);
}

}  // namespace fasttape
