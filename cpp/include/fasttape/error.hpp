// Errors thrown by the C++ core. The Python bindings translate them to
// fasttape.errors.InvalidArgumentError / TypeError / RuntimeError, the classes
// TensorFlow raises in the same situations.
#pragma once

#include <stdexcept>
#include <string>

namespace fasttape {

// Bad shapes, dtypes or values given to an op (TensorFlow: InvalidArgumentError).
struct InvalidArgument : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Misuse of a tape (TensorFlow: RuntimeError), e.g. a second gradient call
// on a non-persistent tape.
struct TapeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace fasttape
