// Forward mode: the Accumulator (include/fasttape/tape.hpp). The recorder
// (recorder.cpp) runs each op's JVP rule for every active accumulator that
// tracks one of its inputs.
#include "fasttape/ops.hpp"
#include "tape/tape_internal.hpp"

namespace fasttape {

Accumulator::Accumulator() : uid_(detail::next_uid()) { detail::live_insert(uid_); }

Accumulator::~Accumulator() { detail::live_erase(uid_); }

int32_t Accumulator::add_tangent(const Tensor& primal, const Tensor& tangent, bool fresh) {
  int32_t s = static_cast<int32_t>(tangents_.size());
  tangents_.push_back(tangent);
  detail::add_tag(primal.impl(), uid_, s, fresh);
  return s;
}

void Accumulator::watch(const Tensor& primal, const Tensor& tangent) {
  if (!is_floating(primal.dtype()))
    throw InvalidArgument(std::string("ForwardAccumulator: primal of dtype ") + dtype_name(primal.dtype()) +
                          " cannot have a tangent; only float32 and float64 are differentiable");
  if (tangent.shape() != primal.shape() || tangent.dtype() != primal.dtype())
    throw InvalidArgument("ForwardAccumulator: tangent of shape " + shape_str(tangent.shape()) + " " +
                          dtype_name(tangent.dtype()) + " does not match its primal of shape " +
                          shape_str(primal.shape()) + " " + dtype_name(primal.dtype()));
  int32_t s = primal.impl()->slot_on(uid_);
  if (s >= 0) {
    tangents_[s] = add(tangents_[s], tangent);
    return;
  }
  add_tangent(primal, tangent, false);
}

Tensor Accumulator::tangent(const Tensor& t) const {
  int32_t s = t.defined() ? t.impl()->slot_on(uid_) : -1;
  return s >= 0 ? tangents_[s] : Tensor();
}

}  // namespace fasttape
