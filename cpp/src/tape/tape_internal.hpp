// What the tape's own files share and nobody else sees (the algorithm and
// its terms: include/fasttape/tape.hpp).
//
//   op_table.cpp  the op registry (OpDef)
//   tape.cpp      tape identity, live-tape tag pruning, per-thread storage
//                 recycling, watch (tensors and variables) / clear, the
//                 RAII GradientTape
//   recorder.cpp  the thread's tape, accumulator and variable-read stacks,
//                 recording, variable reads
//   sweep.cpp     the reverse sweep (Tape::gradient) and its gradient store
//   forward.cpp   forward mode (Accumulator)
//
// TapeAccess is the one door to a tape's record storage: the recorder appends
// through it, the sweep reads through it, and the public header keeps the
// storage private.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "fasttape/tape.hpp"

namespace fasttape {
namespace detail {

// A process-unique id for a new tape or accumulator (never reused).
uint64_t next_uid();
// The live-tape set: uids of tapes and accumulators that still exist.
void live_insert(uint64_t uid);
void live_erase(uint64_t uid);

// Gives impl a tag (uid -> slot). fresh: impl was just made by an op (no
// stale tags to prune).
void add_tag_slow(TensorImpl* impl, uint64_t uid, int32_t slot, bool fresh);
inline void add_tag(TensorImpl* impl, uint64_t uid, int32_t slot, bool fresh) {
  if (impl->tag0.tape_uid == 0) {
    impl->tag0 = {uid, slot};
    return;
  }
  add_tag_slow(impl, uid, slot, fresh);
}

// The calling thread's stacks (recorder.cpp).
const std::vector<TapePtr>& tape_stack();
bool accumulators_active();

[[noreturn]] void rank_too_big(int r);

struct TapeAccess {
  using Record = Tape::Record;
  using Slot = Tape::Slot;

  // Tape::new_slot's body, inlined into the recorder.
  __attribute__((always_inline)) static int32_t push_slot(Tape& tp, const Tensor& t, int32_t producer) {
    const int32_t s = static_cast<int32_t>(tp.slots_.size());
    const TensorImpl* impl = t.impl();
    const int r = impl->shape.size();
    if (r > 0xFFFF) rank_too_big(r);
    tp.slots_.push_back(Slot{producer, static_cast<uint32_t>(tp.dims_.size()), static_cast<uint16_t>(r),
                             impl->dtype, impl->numel == 1});
    if (r) tp.dims_.insert(tp.dims_.end(), impl->shape.begin(), impl->shape.end());
    add_tag(t.impl(), tp.uid(), s, /*fresh=*/producer >= 0);
    return s;
  }

  static std::vector<Record>& records(Tape& t) { return t.records_; }
  static std::vector<int32_t>& refs(Tape& t) { return t.refs_; }
  static std::vector<Tensor>& saved(Tape& t) { return t.saved_; }
  static std::vector<int64_t>& attrs(Tape& t) { return t.attrs_; }
  static std::vector<std::shared_ptr<const void>>& payloads(Tape& t) { return t.payloads_; }
  static std::atomic<const void*>& owner(Tape& t) { return t.owner_; }
  static std::atomic<bool>& active(VariableReads& r) { return r.active_; }
  static std::vector<Tensor>& tangents(Accumulator& a) { return a.tangents_; }
  static bool& paused(Accumulator& a) { return a.paused_; }
};

}  // namespace detail
}  // namespace fasttape
