// Custom gradients: an op-table entry whose VJP is a function supplied per
// record (the record's payload). Used by fasttape.custom_gradient.
#include <string>

#include "fasttape/ops.hpp"
#include "fasttape/tape.hpp"

namespace fasttape {

namespace {

const CustomVjp& fn_of(const void* payload) { return *static_cast<const CustomVjp*>(payload); }

void custom_vjp(const VjpContext& c, const Tensor* g, Tensor* gi) {
  const int n_out = c.n_saved;  // the outputs are saved
  std::vector<Tensor> up(g, g + n_out);
  std::vector<Tensor> outs(c.saved, c.saved + n_out);
  std::vector<Tensor> res = fn_of(c.payload)(up, outs);
  if (static_cast<int>(res.size()) != c.n_inputs)
    throw InvalidArgument("custom_gradient: the gradient function returned " + std::to_string(res.size()) +
                          " gradients for " + std::to_string(c.n_inputs) +
                          " inputs; return one per input (None for no gradient)");
  for (int i = 0; i < c.n_inputs; ++i) {
    if (!c.needs[i] || !res[i].defined()) continue;
    Tensor r = res[i];
    const std::string which = "input " + std::to_string(i) + " (" + dtype_name(c.in_dtypes[i]) + ", shape " +
                              shape_str(c.in_shapes[i]) + ")";
    if (!is_floating(r.dtype()))
      throw InvalidArgument("custom_gradient: the gradient function returned a " + std::string(dtype_name(r.dtype())) +
                            " gradient for " + which + "; gradients are floating: return the input's dtype");
    if (r.dtype() != c.in_dtypes[i]) r = cast(r, c.in_dtypes[i]);
    if (r.shape() != c.in_shapes[i]) {  // e.g. a scalar gradient, broadcast
      const Shape& to = c.in_shapes[i];
      bool fits = r.ndim() <= to.size();
      for (int k = 1; fits && k <= r.ndim(); ++k) fits = r.dim(r.ndim() - k) == 1 || r.dim(r.ndim() - k) == to[to.size() - k];
      if (!fits)
        throw InvalidArgument("custom_gradient: the gradient function returned a gradient of shape " +
                              shape_str(r.shape()) + " for " + which +
                              "; return the input's shape (or one that broadcasts to it)");
      r = broadcast_to(r, c.in_shapes[i]);
    }
    gi[i] = r;
  }
}

// Forward mode through a custom gradient: the VJP is linear in the upstream
// u, so J t = d/du <vjp(u), t>, one more reverse sweep over the VJP itself.
void custom_jvp(const JvpContext& c, const Tensor* t, Tensor* to) {
  std::vector<Tensor> u;
  std::vector<Tensor> outs;
  for (int i = 0; i < c.n_outputs; ++i) {
    u.push_back(zeros_like(*c.outputs[i]));
    outs.push_back(*c.outputs[i]);
  }
  auto tape = std::make_shared<Tape>(false);
  for (const Tensor& x : u) tape->watch(x);
  tape::push(tape);
  Tensor s;
  try {
    std::vector<Tensor> r = fn_of(c.payload)(u, outs);
    for (int i = 0; i < c.n_inputs && i < static_cast<int>(r.size()); ++i) {
      if (!t[i].defined() || !r[i].defined()) continue;
      Tensor term = reduce_sum(multiply(r[i], t[i]));
      s = s.defined() ? add(s, term) : term;
    }
  } catch (...) {
    tape::pop(tape.get());
    throw;
  }
  tape::pop(tape.get());
  if (!s.defined()) return;
  std::vector<Tensor> gs = tape->gradient({s}, u, {}, true);
  for (int i = 0; i < c.n_outputs; ++i) to[i] = gs[i];
}

const OpDef kCustom("custom_gradient", custom_vjp, custom_jvp, /*batchable=*/false);

}  // namespace

std::vector<Tensor> custom_gradient(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs,
                                    CustomVjp vjp) {
  std::vector<Tensor> outs;
  outs.reserve(outputs.size());
  for (const Tensor& o : outputs) outs.push_back(o.with_shape(o.shape()));
  if (tape::any_active()) {
    std::vector<const Tensor*> in_p, out_p;
    for (const Tensor& x : inputs) in_p.push_back(&x);
    for (const Tensor& o : outs) out_p.push_back(&o);
    auto payload = std::make_shared<const CustomVjp>(std::move(vjp));
    // Saved: the outputs, which the gradient function may use.
    std::vector<Save> saved(outs.begin(), outs.end());
    std::shared_ptr<const void> p = std::move(payload);
    tape::record(&kCustom, in_p, out_p, saved, {}, &p);
  }
  return outs;
}

}  // namespace fasttape
