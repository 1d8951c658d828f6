// Variable: a mutable slot holding an immutable tensor value.
//
// Invariant: an assign never changes a value anyone else can see. It writes
// in place only when the variable holds the only reference to both its
// TensorImpl and its Buffer (no tape saved it, no caller read it); otherwise
// it installs a fresh tensor (copy-on-write).
//
// Reading a variable (read()) is what TensorFlow calls accessing it: each
// tape recording on this thread that watches accessed variables watches the
// value it returns and remembers the variable (trainable variables only),
// and each active VariableReads scope (tape.hpp) notes the variable. Tapes
// refer to the variables they watched: keep_alive() gives them a reference
// that keeps the variable alive (null for C++ users, who keep a variable
// alive while a tape that watched it is in use; language bindings return a
// reference to their own object).
#pragma once

#include <memory>

#include "fasttape/tensor.hpp"

namespace fasttape {

class Variable;

namespace tape {
namespace detail {
// Tapes plus VariableReads scopes on this thread (kept by recorder.cpp): a
// read costs one thread-local load when there are none. (An inline variable,
// defined in every translation unit, rather than an extern one reached
// through a TLS wrapper: also what GCC's UBSan reads correctly.)
inline thread_local int read_hooks = 0;
void variable_read(const Variable& v);
}  // namespace detail
}  // namespace tape

// A process-unique, increasing number for each new variable (tensor.cpp).
uint64_t next_variable_uid();

class Variable {
 public:
  explicit Variable(const Tensor& initial, bool trainable = true) { init(initial, trainable); }
  virtual ~Variable() = default;
  // A variable has an identity (tapes refer to it): no copies.
  Variable(const Variable&) = delete;
  Variable& operator=(const Variable&) = delete;

  // The current value, as a user reads it (watched: see above). Each read
  // returns the same tensor until an assign. Undefined if never initialised.
  const Tensor& read() const {
    if (tape::detail::read_hooks) tape::detail::variable_read(*this);
    return value_;
  }
  // The current value, not watched (shapes, printing).
  const Tensor& value() const { return value_; }
  bool trainable() const { return trainable_; }
  // Increases with creation order (TensorFlow lists watched variables so).
  uint64_t uid() const { return uid_; }
  void assign(const Tensor& v);
  void assign_add(const Tensor& delta);
  void assign_sub(const Tensor& delta);

  // For fused updates that rewrite the value in place (fasttape/optim.hpp):
  // the value's buffer, which nothing else holds. When a tape saved the
  // value or a caller holds it, the variable first gets a copy of its own,
  // so the value they hold never changes.
  void* writable_data();

  virtual std::shared_ptr<const void> keep_alive() const { return nullptr; }

 protected:
  Variable() = default;  // for bindings that initialise it after construction
  // Sets the initial value: a fresh TensorImpl on the same (immutable)
  // buffer, so the value has its own id and no tape history.
  void init(const Tensor& initial, bool trainable);

 private:
  void check(const Tensor& v, const char* op) const;
  Tensor value_;
  bool trainable_ = true;
  uint64_t uid_ = next_variable_uid();
};

}  // namespace fasttape
