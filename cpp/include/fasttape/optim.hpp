// Fused optimizer updates.
//
// Each rule updates one variable and its slot variables (the optimizer's
// per-variable state: Adam's first and second moments, ...) from the
// variable's gradient in one pass over memory: every element of the
// gradient, the variable and the slots is read once and written once, in
// place, with no temporaries. The formulas are Keras 3's (keras.optimizers),
// evaluated in the variable's dtype in the same order, so that a step gives
// Keras's numbers up to rounding of the fused expression.
//
// Terms: `step` is the 1-based number of the update (Keras's
// iterations + 1); `weight_decay` is decoupled (AdamW): the variable is
// first scaled by (1 - weight_decay * learning_rate), as Keras's
// Optimizer._apply_weight_decay does before every rule.
//
// In place is safe: a variable's (or slot's) buffer is written directly
// only when nothing else holds it; when a tape saved the value or a caller
// still holds it, the variable first gets a copy of its own
// (Variable::writable_data), so a saved value never changes.
#pragma once

#include <cstdint>

#include "fasttape/tensor.hpp"
#include "fasttape/variable.hpp"

namespace fasttape {
namespace optim {

enum class Rule : int { SGD = 0, Adam, Adamax, Nadam, RMSprop, Adagrad, Lion };

struct Params {
  double learning_rate = 0.001;
  double weight_decay = 0.0;
  double beta_1 = 0.9, beta_2 = 0.999, epsilon = 1e-7;
  double momentum = 0.0;  // SGD, RMSprop
  double rho = 0.9;       // RMSprop
  bool nesterov = false;  // SGD
  bool amsgrad = false;   // Adam
  bool centered = false;  // RMSprop
  int64_t step = 1;       // Keras's iterations + 1
  // Nadam: the product of the momentum-decay factors u_1 ... u_step
  // (Keras's _u_product after this step's factor).
  double u_product = 1.0;
};

// The slot variables a rule reads and writes, in order:
//   SGD     [momentum] when momentum > 0, else none
//   Adam    [m, v], then [v_hat] with amsgrad
//   Adamax  [m, u]
//   Nadam   [m, v]
//   RMSprop [velocity], then [momentum] when momentum > 0, then [average_gradient] when centered
//   Adagrad [accumulator]
//   Lion    [m]
int num_slots(Rule rule, const Params& p);

// Rule's name ("Adam", ...), for errors.
const char* rule_name(Rule rule);

// Applies one update. `grad` must have the variable's shape and dtype
// (float32 or float64); each slot too. Throws InvalidArgument otherwise,
// before anything is written.
void apply(Rule rule, Variable& var, const Tensor& grad, Variable* const* slots, int nslots, const Params& p);

}  // namespace optim
}  // namespace fasttape
