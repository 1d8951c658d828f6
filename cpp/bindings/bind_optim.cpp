// pybind11 binding of the fused optimizer updates (fasttape/optim.hpp), used
// by fasttape.keras.optimizers: one call updates every variable of a step.
#include "bindings.hpp"
#include "fasttape/optim.hpp"
#include "variable_type.hpp"

namespace {

namespace optim = fasttape::optim;

fasttape::Variable& variable_arg(py::handle h, const char* what) {
  if (!is_variable(h.ptr()))
    throw py::type_error(std::string("optimizer update: each ") + what + " must be a fasttape.Variable, got " +
                         py::str(py::type::handle_of(h).attr("__name__")).cast<std::string>());
  return mutable_variable_of(h.ptr());
}

}  // namespace

void bind_optim(py::module_& m) {
  py::enum_<optim::Rule>(m, "OptimizerRule")
      .value("SGD", optim::Rule::SGD)
      .value("Adam", optim::Rule::Adam)
      .value("Adamax", optim::Rule::Adamax)
      .value("Nadam", optim::Rule::Nadam)
      .value("RMSprop", optim::Rule::RMSprop)
      .value("Adagrad", optim::Rule::Adagrad)
      .value("Lion", optim::Rule::Lion);
  py::class_<optim::Params>(m, "OptimizerParams", "Hyperparameters of one fused optimizer step (fasttape/optim.hpp).")
      .def(py::init<>())
      .def_readwrite("learning_rate", &optim::Params::learning_rate)
      .def_readwrite("weight_decay", &optim::Params::weight_decay)
      .def_readwrite("beta_1", &optim::Params::beta_1)
      .def_readwrite("beta_2", &optim::Params::beta_2)
      .def_readwrite("epsilon", &optim::Params::epsilon)
      .def_readwrite("momentum", &optim::Params::momentum)
      .def_readwrite("rho", &optim::Params::rho)
      .def_readwrite("nesterov", &optim::Params::nesterov)
      .def_readwrite("amsgrad", &optim::Params::amsgrad)
      .def_readwrite("centered", &optim::Params::centered)
      .def_readwrite("step", &optim::Params::step)
      .def_readwrite("u_product", &optim::Params::u_product);
  m.def("optimizer_slot_count", &optim::num_slots, py::arg("rule"), py::arg("params"),
        "Number of slot variables the rule keeps per variable.");
  m.def(
      "optimizer_update",
      [](optim::Rule rule, const optim::Params& p, py::sequence vars, py::sequence grads, py::sequence slots,
         py::sequence weight_decay) {
        const size_t n = py::len(vars);
        if (py::len(grads) != n || py::len(slots) != n || py::len(weight_decay) != n)
          throw py::value_error("optimizer_update: vars, grads, slots and weight_decay must have equal lengths");
        // Convert everything first, so that a bad operand raises before any
        // variable changes.
        std::vector<fasttape::Variable*> v(n);
        std::vector<Tensor> g(n);
        std::vector<std::vector<fasttape::Variable*>> s(n);
        std::vector<char> wd(n);
        int64_t total = 0;
        for (size_t i = 0; i < n; ++i) {
          v[i] = &variable_arg(vars[i], "variable");
          g[i] = must(grads[i], optim::rule_name(rule));
          for (py::handle h : py::sequence(slots[i])) s[i].push_back(&variable_arg(h, "slot"));
          wd[i] = py::bool_(weight_decay[i]);
          const Tensor& cur = v[i]->value();
          if (cur.defined() && (g[i].shape() != cur.shape() || g[i].dtype() != cur.dtype()))
            throw py::value_error(std::string(optim::rule_name(rule)) + ": the gradient of variable " +
                                  std::to_string(i) + " has shape " + shape_str(g[i].shape()) + " and dtype " +
                                  dtype_name(g[i].dtype()) + " but the variable has shape " +
                                  shape_str(cur.shape()) + " and dtype " + dtype_name(cur.dtype()));
          total += g[i].numel();
        }
        auto step = [&] {
          for (size_t i = 0; i < n; ++i) {
            optim::Params pi = p;
            if (!wd[i]) pi.weight_decay = 0.0;
            optim::apply(rule, *v[i], g[i], s[i].data(), static_cast<int>(s[i].size()), pi);
          }
        };
        if (total >= kReleaseGil) {
          py::gil_scoped_release nogil;
          step();
        } else {
          step();
        }
      },
      py::arg("rule"), py::arg("params"), py::arg("vars"), py::arg("grads"), py::arg("slots"),
      py::arg("weight_decay"),
      "Applies one fused update of `rule` to each variable in place: vars[i] from grads[i], with the slot "
      "variables slots[i] (optimizer_slot_count of them); weight_decay[i] says whether the decoupled weight "
      "decay applies to vars[i].");
}
