// fasttape::optim::apply: checks a fused optimizer update's operands, then
// runs its loop (kernels/optim_kernels.cpp) on buffers nobody else holds.
#include "fasttape/optim.hpp"

#include <string>

#include "fasttape/error.hpp"
#include "kernels/optim_kernels.hpp"

namespace fasttape {
namespace optim {

const char* rule_name(Rule rule) {
  switch (rule) {
    case Rule::SGD: return "SGD";
    case Rule::Adam: return "Adam";
    case Rule::Adamax: return "Adamax";
    case Rule::Nadam: return "Nadam";
    case Rule::RMSprop: return "RMSprop";
    case Rule::Adagrad: return "Adagrad";
    case Rule::Lion: return "Lion";
  }
  return "optimizer";
}

int num_slots(Rule rule, const Params& p) {
  switch (rule) {
    case Rule::SGD: return p.momentum != 0.0 ? 1 : 0;
    case Rule::Adam: return p.amsgrad ? 3 : 2;
    case Rule::Adamax: return 2;
    case Rule::Nadam: return 2;
    case Rule::RMSprop: return 1 + (p.momentum > 0.0) + (p.centered ? 1 : 0);
    case Rule::Adagrad: return 1;
    case Rule::Lion: return 1;
  }
  throw InvalidArgument("optimizer update: unknown rule " + std::to_string(static_cast<int>(rule)));
}

namespace {

void check_operand(Rule rule, const Tensor& want, const Tensor& got, const char* what) {
  if (!got.defined())
    throw InvalidArgument(std::string(rule_name(rule)) + " update: the " + what + " was never given a value");
  if (got.dtype() != want.dtype() || got.shape() != want.shape())
    throw InvalidArgument(std::string(rule_name(rule)) + " update: the " + what + " has shape " +
                          shape_str(got.shape()) + " and dtype " + dtype_name(got.dtype()) +
                          " but the variable has shape " + shape_str(want.shape()) + " and dtype " +
                          dtype_name(want.dtype()));
}

template <class T>
void run(Rule rule, const Params& p, Variable& var, const Tensor& grad, Variable* const* slots, int nslots) {
  // `held` keeps each buffer alive while the loop writes it, even if another
  // thread assigns the variable meanwhile (the caller may have released the
  // GIL); the references are taken after writable_data() made each sole.
  T* s[3] = {nullptr, nullptr, nullptr};
  Tensor held[4];
  for (int k = 0; k < nslots; ++k) {
    s[k] = static_cast<T*>(slots[k]->writable_data());
    held[k] = slots[k]->value();
  }
  T* x = static_cast<T*>(var.writable_data());
  held[3] = var.value();
  kernels::optim_update<T>(rule, p, x, grad.data<T>(), s, held[3].numel());
}

}  // namespace

void apply(Rule rule, Variable& var, const Tensor& grad, Variable* const* slots, int nslots, const Params& p) {
  const int want = num_slots(rule, p);
  if (nslots != want)
    throw InvalidArgument(std::string(rule_name(rule)) + " update: expected " + std::to_string(want) +
                          " slot variables, got " + std::to_string(nslots));
  const Tensor& v = var.value();
  if (!v.defined()) throw InvalidArgument(std::string(rule_name(rule)) + " update: the variable was never initialised");
  if (v.dtype() != DType::Float32 && v.dtype() != DType::Float64)
    throw InvalidArgument(std::string(rule_name(rule)) + " update: the variable has dtype " + dtype_name(v.dtype()) +
                          "; optimizers update float32 and float64 variables");
  check_operand(rule, v, grad, "gradient");
  for (int k = 0; k < nslots; ++k) {
    if (slots[k] == &var) throw InvalidArgument(std::string(rule_name(rule)) + " update: a slot is the variable itself");
    for (int j = 0; j < k; ++j)
      if (slots[j] == slots[k]) throw InvalidArgument(std::string(rule_name(rule)) + " update: a slot is given twice");
    check_operand(rule, v, slots[k]->value(), "slot variable");
  }
  // No aliasing: a gradient or slot that shares the variable's buffer makes
  // that buffer shared, so writable_data() gives the variable a copy first.
  if (v.dtype() == DType::Float32)
    run<float>(rule, p, var, grad, slots, nslots);
  else
    run<double>(rule, p, var, grad, slots, nslots);
}

}  // namespace optim
}  // namespace fasttape
