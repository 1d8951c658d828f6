// Variable: a mutable slot holding an immutable tensor value.
//
// Invariant: an assign never changes a value anyone else can see. It writes
// in place only when the variable holds the only reference to both its
// TensorImpl and its Buffer (no tape saved it, no caller read it); otherwise
// it installs a fresh tensor (copy-on-write).
#pragma once

#include "fasttape/tensor.hpp"

namespace fasttape {

class Variable {
 public:
  Variable() = default;
  explicit Variable(const Tensor& initial);

  // The current value. Each read returns the same tensor until an assign.
  const Tensor& read() const { return value_; }
  void assign(const Tensor& v);
  void assign_add(const Tensor& delta);
  void assign_sub(const Tensor& delta);

 private:
  void check(const Tensor& v, const char* op) const;
  Tensor value_;
};

}  // namespace fasttape
