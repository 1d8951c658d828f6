// Linear algebra ops of the op table: matmul (2-D and batched, with
// transposes). Its VJP and JVP are matmuls themselves.
#include "ops/common.hpp"

namespace fasttape {
using namespace ops_detail;

// ---------------------------------------------------------------- matmul: saves a, b
struct MatmulAttrs {
  bool transpose_a, transpose_b;
};
static void matmul_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const Tensor &a = c.saved[0], &b = c.saved[1], &gy = g[0];
  const auto [ta, tb] = c.attrs_as<MatmulAttrs>();
  if (c.needs[0]) {
    Tensor ga = !ta ? (!tb ? matmul(gy, b, false, true) : matmul(gy, b, false, false))
                    : (!tb ? matmul(b, gy, false, true) : matmul(b, gy, true, true));
    gi[0] = unbroadcast(c, ga, c.in_shapes[0]);
  }
  if (c.needs[1]) {
    Tensor gb = !tb ? (!ta ? matmul(a, gy, true, false) : matmul(a, gy, false, false))
                    : (!ta ? matmul(gy, a, true, false) : matmul(gy, a, true, true));
    gi[1] = unbroadcast(c, gb, c.in_shapes[1]);
  }
}
static void matmul_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  const Tensor &a = *c.inputs[0], &b = *c.inputs[1];
  const auto [ta, tb] = c.attrs_as<MatmulAttrs>();
  Tensor r = tadd(t[0].defined() ? matmul(t[0], b, ta, tb) : Tensor(),
                  t[1].defined() ? matmul(a, t[1], ta, tb) : Tensor());
  to[0] = r;
}
static const OpDef kMatmul("matmul", matmul_vjp, matmul_jvp);
Tensor matmul(const Tensor& a, const Tensor& b, bool ta, bool tb) {
  const OpName op{"matmul", "MatMul"};
  check_not_bool(op, a);
  check_same_dtype(op, a, b);
  const int ra = a.ndim(), rb = b.ndim();
  if (ra < 2 || rb < 2)
    fail(op, "In[0] and In[1] must have rank >= 2, got shapes " + shape_str(a.shape()) + " and " +
                 shape_str(b.shape()) + "; use fasttape.linalg.matvec or reshape vectors to matrices");
  const int64_t M = ta ? a.dim(ra - 1) : a.dim(ra - 2), Ka = ta ? a.dim(ra - 2) : a.dim(ra - 1);
  const int64_t Kb = tb ? b.dim(rb - 1) : b.dim(rb - 2), N = tb ? b.dim(rb - 2) : b.dim(rb - 1);
  if (Ka != Kb)
    fail(op, "Matrix size-incompatible: In[0]: " + shape_str(a.shape()) + ", In[1]: " + shape_str(b.shape()) +
                 (ta || tb ? " (after transposes)" : "") + "; the inner dimensions must match");
  Shape ba(a.shape().data(), ra - 2), bb(b.shape().data(), rb - 2), bo;
  if (!kernels::broadcast_shapes(ba, bb, &bo))
    fail(op, "batch dimensions " + shape_str(ba) + " and " + shape_str(bb) + " cannot be broadcast together");
  std::vector<int64_t> od = bo.vec();
  od.push_back(M);
  od.push_back(N);
  Tensor out = Tensor::empty(Shape(od), a.dtype());
  kernels::matmul(a, b, ta, tb, out);
  if (tape::any_active())
    tape::record(&kMatmul, {&a, &b}, {&out}, {{a, 0b10}, {b, 0b01}}, Packed<MatmulAttrs>({ta, tb}));
  return out;
}

}  // namespace fasttape
