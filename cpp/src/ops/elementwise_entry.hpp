// Elementwise op entries: an op is one struct, and everything else about it
// is derived from that struct here.
//
// A unary entry E declares, once:
//   tf        TensorFlow's kernel name (shown in errors as [Op:Tanh])
//   dtypes    Float (float32 / float64) or Numeric (also int32 / int64)
//   saves     what its gradient reads: the input x or the output y
//   f(x)      the forward functor, on one number of type T
//   df(g, s)  the gradient: g * f'(x), in terms of the saved s (x or y)
//   ddf(g, s) d df / d s, written with fasttape ops (undefined Tensor = 0)
// FT_UNARY_ENTRY(E, name, namespaces, doc) then defines:
//   name(x)             the op: the forward kernel (f vectorised per ISA),
//                       recorded with its saved value on active tapes
//   name_grad(g, s)     the gradient op: df as one fused kernel. It is an op
//                       of the table with its own VJP (from df and ddf), so
//                       second and higher orders run through fused kernels.
//   the VJP of name     name_grad(g, saved)
//   the JVP of name     name_grad(t, s): df is linear in g
//   the scalar rule     df on one number (ScalarVjpFn), the same function the
//                       one-element kernel calls, so both give the same bits
//   a registry entry    name, namespaces, doc: the Python bindings and the
//                       Python namespaces are made from it (fasttape/registry.hpp)
// The derivative is written once (df); there is no other copy to keep in
// step, and nothing reads whether a tape is active to choose between copies.
//
// A zero-gradient entry (floor, round, sign: piecewise constant) declares tf,
// dtypes and f; FT_ZERO_GRAD_ENTRY gives it a gradient of zeros (not None,
// as TensorFlow) and a JVP of zeros.
//
// A binary entry (atan2) declares tf, dtypes, f(a, b) and its partial
// derivatives da(a, b, z), db(a, b, z) written with fasttape ops;
// FT_BINARY_ENTRY derives the broadcasting op, VJP (g * partial, summed to
// each input's shape) and JVP (ta * da + tb * db).
#pragma once

#include <string>
#include <type_traits>

#include "fasttape/registry.hpp"
#include "kernels/elementwise_loops.hpp"
#include "ops/common.hpp"

namespace fasttape {
namespace ops_detail {

enum class Dtypes { Float, Numeric };
enum class Saves { Input, Output };

// x * v for a constant v, in x's dtype.
inline Tensor times(const Tensor& x, double v) { return multiply(x, Tensor::scalar(v, x.dtype())); }

// Runs F over x's dtype under policy D (the check names the op on failure).
template <class F, Dtypes D>
void dispatch_unary(const OpName& op, const Tensor& x, const Tensor& out) {
  if constexpr (D == Dtypes::Numeric) check_not_bool(op, x);
  switch (x.dtype()) {
    case DType::Float32: return kernels::map_unary<F, float>(x, out);
    case DType::Float64: return kernels::map_unary<F, double>(x, out);
    case DType::Int32:
      if constexpr (D == Dtypes::Numeric) return kernels::map_unary<F, int32_t>(x, out);
      break;
    case DType::Int64:
      if constexpr (D == Dtypes::Numeric) return kernels::map_unary<F, int64_t>(x, out);
      break;
    case DType::Bool: break;
  }
  check_float(op, x);
}

template <class F>
void dispatch_float_binary(const Tensor& a, const Tensor& b, const Tensor& out) {
  if (a.dtype() == DType::Float64) kernels::map_binary<F, double>(a, b, out);
  else kernels::map_binary<F, float>(a, b, out);
}

// The Python argument name of a unary entry: E::arg where it has one.
template <class E, class = void>
struct ArgName {
  static constexpr const char* value = "x";
};
template <class E>
struct ArgName<E, std::void_t<decltype(E::arg)>> {
  static constexpr const char* value = E::arg;
};

// The registry's record of an entry (see fasttape/registry.hpp).
struct Registrar {
  explicit Registrar(const ElementwiseEntry& e) { detail::register_elementwise(e); }
};

// ------------------------------------------------------------------ unary
template <class E>
struct UnaryOp {
  static const OpDef def;       // the op
  static const OpDef grad_def;  // its gradient op
  static constexpr bool kSavesY = E::saves == Saves::Output;

  static OpName name() { return {def.name, E::tf}; }

  static Tensor forward(const Tensor& x) {
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    dispatch_unary<E, E::dtypes>(name(), x, y);
    if (tape::any_active()) tape::record(&def, {&x}, {&y}, {kSavesY ? y : x});
    return y;
  }

  // The fused gradient functor: df on one number.
  struct Df {
    template <class T>
    static inline T f(T g, T s) { return E::df(g, s); }
  };

  static Tensor grad(const Tensor& g, const Tensor& s) {
    static const std::string tf = std::string(E::tf) + "Grad";  // TanhGrad, for errors
    const OpName op{grad_def.name, tf.c_str()};
    check_float(op, s);
    check_same_dtype(op, s, g);
    Shape out_shape = g.shape() == s.shape() ? g.shape() : broadcast_or_fail(op, g.shape(), s.shape());
    Tensor out = Tensor::empty(out_shape, g.dtype());
    dispatch_float_binary<Df>(g, s, out);
    // g is read only for s's gradient; s for both.
    if (tape::any_active()) tape::record(&grad_def, {&g, &s}, {&out}, {{g, 0b10}, s});
    return out;
  }

  static void vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
    if (c.needs[0]) gi[0] = grad(g[0], c.saved[0]);
  }
  static void jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
    to[0] = grad(t[0], kSavesY ? *c.outputs[0] : *c.inputs[0]);
  }
  static bool svjp(const VjpContext& ctx, DType dt, double g0, double* gin) {
    return scalar_rule(ctx, dt, g0, gin, [](const VjpContext& c, auto g, auto* gi) {
      using T = decltype(g);
      T s;
      if (!saved_value(c.saved[0], s)) return false;
      gi[0] = Df::f(g, s);
      return true;
    });
  }

  // d grad(g, s) = grad(dg, s) + dg-independent ddf(g, s) * ds.
  static Tensor ds_term(const Tensor& g, const Tensor& s, const Tensor& ds) {
    Tensor d = E::ddf(g, s);
    return d.defined() ? multiply(ds, d) : Tensor();
  }
  static void grad_vjp(const VjpContext& c, const Tensor* gg, Tensor* gi) {
    const Tensor &g = c.saved[0], &s = c.saved[1];
    if (c.needs[0]) gi[0] = unbroadcast(c, grad(gg[0], s), c.in_shapes[0]);
    if (c.needs[1]) {
      Tensor d = ds_term(g, s, gg[0]);
      gi[1] = d.defined() ? unbroadcast(c, d, c.in_shapes[1])
                          : Tensor::zeros(grad_shape(c, c.in_shapes[1]), c.in_dtypes[1]);
    }
  }
  static void grad_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
    const Tensor &g = *c.inputs[0], &s = *c.inputs[1], &out = *c.outputs[0];
    Tensor r = t[0].defined() ? grad(t[0], s) : Tensor();
    if (t[1].defined()) r = tadd(r, ds_term(g, s, t[1]));
    to[0] = r.defined() ? fit(r, out) : zeros_like(out);
  }
};

#define FT_UNARY_ENTRY(E, FN, NAMESPACES, DOC)                                                                \
  template <>                                                                                                 \
  const OpDef UnaryOp<E>::def;                                                                                \
  template <>                                                                                                 \
  const OpDef UnaryOp<E>::grad_def;                                                                           \
  template <>                                                                                                 \
  const OpDef UnaryOp<E>::def{#FN, &UnaryOp<E>::vjp, &UnaryOp<E>::jvp, &UnaryOp<E>::svjp};                     \
  template <>                                                                                                 \
  const OpDef UnaryOp<E>::grad_def{#FN "_grad", &UnaryOp<E>::grad_vjp, &UnaryOp<E>::grad_jvp};               \
  }                                                                                                           \
  Tensor FN(const Tensor& x) { return ops_detail::UnaryOp<ops_detail::E>::forward(x); }                       \
  Tensor FN##_grad(const Tensor& g, const Tensor& s) { return ops_detail::UnaryOp<ops_detail::E>::grad(g, s); } \
  namespace ops_detail {                                                                                      \
  static const Registrar FN##_registrar(ElementwiseEntry{                                                     \
      #FN, E::tf, DOC, NAMESPACES, ArgName<E>::value, nullptr, UnaryOp<E>::kSavesY ? "y" : "x", &fasttape::FN,   \
      nullptr, &fasttape::FN##_grad});

// ------------------------------------------------------------------ zero gradient
template <class E>
struct ZeroGradOp {
  static const OpDef def;
  static Tensor forward(const Tensor& x) {
    if constexpr (E::dtypes == Dtypes::Numeric)
      if (E::identity_on_integers && (x.dtype() == DType::Int32 || x.dtype() == DType::Int64))
        return x;  // already integral (TF: identity)
    Tensor y = Tensor::empty(x.shape(), x.dtype());
    dispatch_unary<E, E::dtypes>({def.name, E::tf}, x, y);
    if (tape::any_active()) tape::record(&def, {&x}, {&y}, {});
    return y;
  }
  static void vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
    if (c.needs[0]) gi[0] = zeros_like(g[0]);
  }
  static void jvp(const JvpContext&, const Tensor* t, Tensor* to) { to[0] = zeros_like(t[0]); }
};

#define FT_ZERO_GRAD_ENTRY(E, FN, NAMESPACES, DOC)                                                            \
  template <>                                                                                                 \
  const OpDef ZeroGradOp<E>::def;                                                                             \
  template <>                                                                                                 \
  const OpDef ZeroGradOp<E>::def{#FN, &ZeroGradOp<E>::vjp, &ZeroGradOp<E>::jvp};                               \
  }                                                                                                           \
  Tensor FN(const Tensor& x) { return ops_detail::ZeroGradOp<ops_detail::E>::forward(x); }                    \
  namespace ops_detail {                                                                                      \
  static const Registrar FN##_registrar(                                                                      \
      ElementwiseEntry{#FN, E::tf, DOC, NAMESPACES, "x", nullptr, nullptr, &fasttape::FN, nullptr, nullptr});

// ------------------------------------------------------------------ binary
template <class E>
struct BinaryOp {
  static const OpDef def;
  static OpName name() { return {def.name, E::tf}; }
  static Tensor forward(const Tensor& a, const Tensor& b) {
    const OpName op = name();
    check_same_dtype(op, a, b);
    check_float(op, a);
    Shape s = a.shape() == b.shape() ? a.shape() : broadcast_or_fail(op, a.shape(), b.shape());
    Tensor z = Tensor::empty(s, a.dtype());
    dispatch_float_binary<E>(a, b, z);
    if (tape::any_active()) tape::record(&def, {&a, &b}, {&z}, {a, b, z});
    return z;
  }
  static void vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
    const Tensor &a = c.saved[0], &b = c.saved[1], &z = c.saved[2];
    if (c.needs[0]) gi[0] = unbroadcast(c, multiply(g[0], E::da(a, b, z)), c.in_shapes[0]);
    if (c.needs[1]) gi[1] = unbroadcast(c, multiply(g[0], E::db(a, b, z)), c.in_shapes[1]);
  }
  static void jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
    const Tensor &a = *c.inputs[0], &b = *c.inputs[1], &z = *c.outputs[0];
    Tensor r = t[0].defined() ? multiply(t[0], E::da(a, b, z)) : Tensor();
    if (t[1].defined()) r = tadd(r, multiply(t[1], E::db(a, b, z)));
    to[0] = fit(r, z);
  }
};

#define FT_BINARY_ENTRY(E, FN, NAMESPACES, DOC)                                                               \
  template <>                                                                                                 \
  const OpDef BinaryOp<E>::def;                                                                               \
  template <>                                                                                                 \
  const OpDef BinaryOp<E>::def{#FN, &BinaryOp<E>::vjp, &BinaryOp<E>::jvp};                                     \
  }                                                                                                           \
  Tensor FN(const Tensor& a, const Tensor& b) { return ops_detail::BinaryOp<ops_detail::E>::forward(a, b); }  \
  namespace ops_detail {                                                                                      \
  static const Registrar FN##_registrar(                                                                      \
      ElementwiseEntry{#FN, E::tf, DOC, NAMESPACES, E::arg0, E::arg1, nullptr, nullptr, &fasttape::FN, nullptr});

}  // namespace ops_detail
}  // namespace fasttape
