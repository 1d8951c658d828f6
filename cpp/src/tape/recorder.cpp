// Recording (include/fasttape/tape.hpp): the calling thread's stacks of
// tapes and forward accumulators, and the recorder every op calls after its
// forward. This is the per-op path: one thread-local check when nothing is
// active, one record per tape that tracks an input otherwise.
#include <algorithm>

#include "tape/tape_internal.hpp"

namespace fasttape {

namespace {
using TA = detail::TapeAccess;

// This thread's stacks. The tape stack's address is the thread's token
// (Tape::owner_): a tape records only on the thread whose token it holds, so
// a tape stopped from another thread stops at once, and the stack drops it
// at its next push or pop. At thread exit the tapes still on it stop.
struct TapeStack {
  std::vector<TapePtr> v;
  ~TapeStack() {
    for (const TapePtr& t : v) TA::owner(*t).store(nullptr, std::memory_order_relaxed);
  }
};
thread_local TapeStack t_stack;
thread_local std::vector<AccumulatorPtr> a_stack;
thread_local std::vector<VariableReadsPtr> r_stack;
void update_active() {
  tape::detail::active_count = static_cast<int>(t_stack.v.size() + a_stack.size());
  tape::detail::read_hooks = static_cast<int>(t_stack.v.size() + r_stack.size());
}
const void* token() { return &t_stack; }

// Drops what was stopped from another thread.
void prune_stopped() {
  const void* me = token();
  auto& v = t_stack.v;
  v.erase(std::remove_if(v.begin(), v.end(),
                         [me](const TapePtr& t) { return TA::owner(*t).load(std::memory_order_relaxed) != me; }),
          v.end());
  r_stack.erase(std::remove_if(r_stack.begin(), r_stack.end(), [](const VariableReadsPtr& r) { return !r->active(); }),
                r_stack.end());
}

// Removes the innermost entry holding p (wherever it is); no-op if absent.
template <class Ptr, class T>
void erase_innermost(std::vector<Ptr>& stack, const T* p) {
  for (size_t i = stack.size(); i-- > 0;) {
    if (stack[i].get() == p) {
      stack.erase(stack.begin() + static_cast<std::ptrdiff_t>(i));
      return;
    }
  }
}
}  // namespace

namespace detail {
const std::vector<TapePtr>& tape_stack() { return t_stack.v; }
bool accumulators_active() { return !a_stack.empty(); }
}  // namespace detail

namespace tape {

namespace detail {

void variable_read(const Variable& v) {
  const void* me = token();
  if (v.trainable()) {
    for (const TapePtr& t : t_stack.v) {
      if (t->watch_accessed_variables() && !t->released() && TA::owner(*t).load(std::memory_order_relaxed) == me)
        t->watch(v);
    }
  }
  for (const VariableReadsPtr& r : r_stack)
    if (r->active()) r->note(v);
}
}  // namespace detail

void push(const TapePtr& t) {
  const void* expected = nullptr;
  if (!TA::owner(*t).compare_exchange_strong(expected, token(), std::memory_order_relaxed))
    throw TapeError("Tape is still recording, This can happen if you try to re-enter an already-active tape.");
  prune_stopped();
  t_stack.v.push_back(t);
  update_active();
}

void pop(const Tape* t) {
  auto& owner = TA::owner(const_cast<Tape&>(*t));
  const void* me = token();
  const void* cur = owner.load(std::memory_order_relaxed);
  if (cur == me) {
    erase_innermost(t_stack.v, t);
    owner.store(nullptr, std::memory_order_relaxed);
  } else if (cur != nullptr) {
    owner.compare_exchange_strong(cur, nullptr, std::memory_order_relaxed);  // recording on another thread
  }
  prune_stopped();
  update_active();
}

void push_accumulator(const AccumulatorPtr& a) {
  a_stack.push_back(a);
  update_active();
}

void pop_accumulator(const Accumulator* a) {
  erase_innermost(a_stack, a);
  update_active();
}

Suspension::Suspension() {
  prune_stopped();
  tapes_ = t_stack.v;
  accumulators_ = a_stack;
  for (size_t i = tapes_.size(); i-- > 0;) pop(tapes_[i].get());
  for (size_t i = accumulators_.size(); i-- > 0;) pop_accumulator(accumulators_[i].get());
}

void Suspension::resume() {
  if (resumed_) return;
  resumed_ = true;
  for (const AccumulatorPtr& a : accumulators_) push_accumulator(a);
  for (const TapePtr& t : tapes_) {
    // A tape stopped meanwhile (by another thread's pop) stays stopped.
    if (!t->released()) {
      try {
        push(t);
      } catch (const TapeError&) {
      }
    }
  }
}

void push_variable_reads(const VariableReadsPtr& r) {
  if (TA::active(*r).exchange(true)) throw TapeError("push_variable_reads: the scope is already active");
  prune_stopped();
  r_stack.push_back(r);
  update_active();
}

void pop_variable_reads(const VariableReads* r) {
  TA::active(const_cast<VariableReads&>(*r)).store(false);
  erase_innermost(r_stack, r);
  prune_stopped();
  update_active();
}

namespace {
// The recorder's body (the per-op path), inlined into tape::record.
__attribute__((always_inline)) inline void record_impl(const OpDef* op, const Tensor* const* inputs, int n_in,
                                                       const Tensor* const* outputs, int n_out, const Save* saved,
                                                       int n_saved, const int64_t* attrs, int n_attrs,
                                                       const std::shared_ptr<const void>* payload) {
  if (!op->vjp) return;
  // Each input's slot on the tape at hand, looked up once.
  int32_t in_slot_small[8];
  std::vector<int32_t> in_slot_big;
  int32_t* in_slot = in_slot_small;
  if (n_in > 8) {
    in_slot_big.resize(static_cast<size_t>(n_in));
    in_slot = in_slot_big.data();
  }
  // Iterate by index: the stack is not modified while recording. (One
  // access to each thread_local: every access goes through its TLS wrapper.)
  std::vector<TapePtr>& stack = t_stack.v;
  const void* me = &t_stack;
  for (size_t k = 0; k < stack.size(); ++k) {
    Tape& t = *stack[k];
    if (t.released() || TA::owner(t).load(std::memory_order_relaxed) != me) continue;
    const uint64_t uid = t.uid();
    uint32_t tracked_mask = 0;
    bool tracked = false;
    for (int i = 0; i < n_in; ++i) {
      const int32_t s = inputs[i]->impl()->slot_on(uid);
      in_slot[i] = s;
      tracked |= s >= 0;
      if (s >= 0 && i < 32) tracked_mask |= uint32_t(1) << i;
    }
    if (!tracked) continue;
    const int32_t rec = static_cast<int32_t>(TA::records(t).size());
    TA::Record r;
    r.op = op;
    r.in_off = static_cast<uint32_t>(TA::refs(t).size());
    r.n_in = static_cast<uint32_t>(n_in);
    for (int i = 0; i < n_in; ++i) TA::refs(t).push_back(in_slot[i]);
    r.out_off = static_cast<uint32_t>(TA::refs(t).size());
    r.n_out = static_cast<uint32_t>(n_out);
    for (int i = 0; i < n_out; ++i)
      TA::refs(t).push_back(is_floating(outputs[i]->dtype()) ? TA::push_slot(t, *outputs[i], rec) : -1);
    r.saved_off = static_cast<uint32_t>(TA::saved(t).size());
    r.n_saved = static_cast<uint32_t>(n_saved);
    for (int i = 0; i < n_saved; ++i) {
      if (saved[i].when && !(saved[i].when & tracked_mask)) TA::saved(t).emplace_back();
      else TA::saved(t).push_back(*saved[i].t);
    }
    r.attr_off = static_cast<uint32_t>(TA::attrs(t).size());
    r.n_attrs = static_cast<uint32_t>(n_attrs);
    if (n_attrs) TA::attrs(t).insert(TA::attrs(t).end(), attrs, attrs + n_attrs);
    r.payload = -1;
    if (payload && *payload) {
      r.payload = static_cast<int32_t>(TA::payloads(t).size());
      TA::payloads(t).push_back(*payload);
    }
    TA::records(t).push_back(r);
  }
  std::vector<AccumulatorPtr>& accs = a_stack;
  if (accs.empty() || !op->jvp) return;
  // Forward mode, outermost accumulator first. While an accumulator's JVP
  // rule runs, it and every accumulator inside it (later on the stack) are
  // paused, so the rule's own ops are seen only by the accumulators outside
  // it: as in TensorFlow, an outer accumulator differentiates an inner one's
  // tangents (forward-over-forward), but an inner one does not track the
  // outer one's. Going outside-in, an inner accumulator's rule (which reads
  // this op's outputs) runs when the outer ones already hold the outputs'
  // tangents.
  for (size_t k = 0; k < accs.size(); ++k) {
    AccumulatorPtr acc = accs[k];
    if (TA::paused(*acc)) continue;
    const uint64_t uid = acc->uid();
    std::vector<Tensor> tin(n_in), tout(n_out);
    bool any = false;
    for (int i = 0; i < n_in; ++i) {
      int32_t s = inputs[i]->impl()->slot_on(uid);
      if (s >= 0) {
        tin[i] = TA::tangents(*acc)[s];
        any = true;
      }
    }
    if (!any) continue;
    JvpContext ctx{op, inputs, n_in, outputs, n_out, attrs, n_attrs, payload ? payload->get() : nullptr};
    // Pause accs[k..]: remember which were paused already (a rule of an
    // outer accumulator may be running further up this call chain).
    const size_t n_acc = accs.size();
    std::vector<AccumulatorPtr> held(accs.begin() + static_cast<std::ptrdiff_t>(k), accs.end());
    std::vector<char> was(n_acc - k);
    for (size_t j = 0; j < held.size(); ++j) {
      was[j] = TA::paused(*held[j]);
      TA::paused(*held[j]) = true;
    }
    auto resume = [&] {
      for (size_t j = 0; j < held.size(); ++j) TA::paused(*held[j]) = was[j] != 0;
    };
    try {
      op->jvp(ctx, tin.data(), tout.data());
    } catch (...) {
      resume();
      throw;
    }
    resume();
    for (int i = 0; i < n_out; ++i)
      if (tout[i].defined() && is_floating(outputs[i]->dtype())) acc->add_tangent(*outputs[i], tout[i], true);
  }
}

}  // namespace

void record(const OpDef* op, List<const Tensor*> inputs, List<const Tensor*> outputs, List<Save> saved,
            Attrs attrs, const std::shared_ptr<const void>* payload) {
  record_impl(op, inputs.p, inputs.n, outputs.p, outputs.n, saved.p, saved.n, attrs.p, attrs.n, payload);
}

}  // namespace tape

}  // namespace fasttape
