// Bindings of the elementwise op registry (fasttape/registry.hpp): every
// entry becomes a function of _core, with TensorFlow's argument names, and
// its gradient op becomes name_grad(gradients, x or y). The Python
// namespaces read elementwise_ops() to place each name.
#include <cstring>

#include "bindings.hpp"
#include "fasttape/registry.hpp"

namespace {
// Both operands as tensors (a Python scalar takes the other's dtype), or a
// TypeError naming the op.
void two_operands(py::handle a, py::handle b, const char* op, Tensor* ta, Tensor* tb) {
  if (operands(a, b, ta, tb)) return;
  if (!ta->defined()) must(a, op);
  must(b, op);
}
}  // namespace

void bind_elementwise(py::module_& m) {
  for (const ElementwiseEntry& e : elementwise_entries()) {
    const ElementwiseEntry* ep = &e;
    if (e.unary) {
      m.def(
          e.name,
          [ep](py::handle x, py::handle /*name*/) {
            Tensor t = must(x, ep->name);
            return wrap(run(t.numel(), [&] { return ep->unary(t); }));
          },
          py::arg(e.arg0), py::arg("name") = py::none(), e.doc);
    } else {
      m.def(
          e.name,
          [ep](py::handle a, py::handle b, py::handle /*name*/) {
            Tensor ta, tb;
            two_operands(a, b, ep->name, &ta, &tb);
            return wrap(run(ta.numel() + tb.numel(), [&] { return ep->binary(ta, tb); }));
          },
          py::arg(e.arg0), py::arg(e.arg1), py::arg("name") = py::none(), e.doc);
    }
    if (e.grad) {
      const std::string grad_name = std::string(e.name) + "_grad";
      const std::string doc = std::string("The gradient op of ") + e.name + ": gradients * d" + e.name +
                              "/dx, given its saved " + (e.saved[0] == 'y' ? "output y." : "input x.");
      m.def(
          grad_name.c_str(),
          [ep](py::handle g, py::handle s, py::handle /*name*/) {
            Tensor tg, ts;
            two_operands(g, s, ep->name, &tg, &ts);
            return wrap(run(tg.numel() + ts.numel(), [&] { return ep->grad(tg, ts); }));
          },
          py::arg("gradients"), py::arg(std::strcmp(e.arg0, "x") == 0 ? e.saved : e.arg0), py::arg("name") = py::none(),
          doc.c_str());
    }
  }
  m.def(
      "elementwise_ops",
      [] {
        py::list info;
        for (const ElementwiseEntry& e : elementwise_entries()) {
          py::list spaces;
          if (e.namespaces & kNsTop) spaces.append("top");
          if (e.namespaces & kNsMath) spaces.append("math");
          if (e.namespaces & kNsNn) spaces.append("nn");
          py::dict d;
          d["name"] = e.name;
          d["tf"] = e.tf;
          d["arity"] = e.unary ? 1 : 2;
          d["namespaces"] = py::tuple(spaces);
          d["grad"] = e.grad ? py::object(py::str(std::string(e.name) + "_grad")) : py::object(py::none());
          d["saved"] = e.grad ? py::object(py::str(e.saved)) : py::object(py::none());
          info.append(d);
        }
        return info;
      },
      "The elementwise op registry: one dict per entry (name, tf, arity, namespaces, grad, saved).");
}
