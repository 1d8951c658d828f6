// The tape: recording ops and the reverse sweep (TensorFlow's algorithm, our
// data structures).
//
// Terms
//   slot     a tape-local number given to every tensor the tape tracks. The
//            tensor carries a TapeTag (tape uid -> slot); the tape keeps per
//            slot the producing record (-1 = watched), dtype and shape.
//   record   one recorded op: its OpDef and index ranges into flat arrays of
//            input/output slots, saved tensors and integer attributes. No hash
//            map and no heap object per op: everything is a contiguous vector.
//   active   tapes on the calling thread's stack. An op is recorded on every
//            active tape that tracks at least one of its inputs; its
//            floating-point outputs then become tracked by that tape.
//
// The sweep (gradient)
//   1. Forward over the records (they are in topological order): mark each
//      slot that depends on a source. An input "needs a gradient" iff marked;
//      a record none of whose inputs is marked is never visited.
//   2. Seed the targets' slots with ones (or output_gradients).
//   3. Backward over the records: skip a record whose outputs received no
//      gradient; otherwise call its VJP with the needs-gradient mask and add
//      the results into the input slots. Release each output's gradient (and,
//      on a non-persistent tape, the record's saved tensors) right after.
//   VJPs are written with fasttape ops, so an outer active tape records the
//   backward pass: that is how nested tapes give higher-order gradients. A
//   non-persistent tape is paused while it computes its own gradient.
//
// Invariants
//   * Tapes are identified by a process-unique uid, never reused, so a stale
//     tag on a tensor can never match a later tape.
//   * Records only reference slots created before them.
#pragma once

#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>
#include <type_traits>
#include <memory>
#include <unordered_map>
#include <vector>

#include "fasttape/tensor.hpp"
#include "fasttape/variable.hpp"

namespace fasttape {

struct OpDef;

// A tensor an op saves for its VJP. `when` (a bitmask of input positions;
// 0 = always) keeps it only if one of those inputs is tracked by the tape,
// since only then can the VJP read it: x * c saves only c when only x is
// tracked.
struct Save {
  const Tensor* t;
  uint32_t when;
  Save(const Tensor& x, uint32_t w = 0) : t(&x), when(w) {}
};

// A list given by pointer and count: a braced list at the call, an array or
// a vector. A List is a parameter type only: never store one.
template <class T>
struct List {
  const T* p = nullptr;
  int n = 0;
  List() = default;
  // Only for call arguments: a braced list's array lives until the end of
  // the full-expression, i.e. until the call returns. (GCC cannot see that a
  // List is never kept, hence the pragma.)
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winit-list-lifetime"
#endif
  List(std::initializer_list<T> l) : p(l.begin()), n(static_cast<int>(l.size())) {}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
  List(const T* ptr, int count) : p(ptr), n(count) {}
  List(const std::vector<T>& v) : p(v.data()), n(static_cast<int>(v.size())) {}
};

// An op's attributes, as int64 words: a list (axes, a permutation, slice
// bounds) or a small typed struct packed with Packed<A> and read back with
// ctx.attrs_as<A>().
using Attrs = List<int64_t>;

// A trivially copyable attribute struct as int64 words (tape::record's
// attrs), read back by VjpContext / JvpContext::attrs_as<A>().
template <class A>
struct Packed {
  static_assert(std::is_trivially_copyable_v<A>, "attributes are copied as bytes");
  int64_t w[(sizeof(A) + 7) / 8] = {};
  explicit Packed(const A& a) { std::memcpy(w, &a, sizeof a); }
  operator Attrs() const { return Attrs(w, static_cast<int>(sizeof w / sizeof w[0])); }
};
template <class A>
A unpack_attrs(const int64_t* p) {
  A a;
  std::memcpy(&a, p, sizeof a);
  return a;
}


// What a VJP sees: the saved tensors, attributes, and for each input whether
// its gradient is wanted plus its dtype and shape.
//
// Batched sweeps (jacobians): when `batch` is 1, every gradient — the
// incoming grads_out and the grads_in a VJP returns — carries one extra
// leading axis of size batch_size in front of the tensor's own shape. VJPs
// stay batch-agnostic by building shapes with grad_shape() and by summing
// broadcast gradients with unbroadcast() (ops/common.hpp).
struct VjpContext {
  const OpDef* op;
  const Tensor* saved;
  int n_saved;
  const int64_t* attrs;
  int n_attrs;
  int n_inputs;
  const bool* needs;         // [n_inputs]
  const Shape* in_shapes;    // [n_inputs]; valid where needs[i]
  const DType* in_dtypes;    // [n_inputs]; valid where needs[i]
  int batch;                 // 0, or 1 for a leading batch axis on gradients
  int64_t batch_size;
  const void* payload;       // the record's payload (custom gradients), else null
  template <class A>
  A attrs_as() const { return unpack_attrs<A>(attrs); }
};

// grads_out: one gradient per output (never undefined: missing ones are zeros).
// grads_in: one per input; fill those with needs[i]; leave others undefined
// (an undefined gradient means "no gradient" — None in Python).
using VjpFn = void (*)(const VjpContext& ctx, const Tensor* grads_out, Tensor* grads_in);

// What a JVP sees: the op's inputs and outputs (primal values) and attributes.
struct JvpContext {
  const OpDef* op;
  const Tensor* const* inputs;
  int n_inputs;
  const Tensor* const* outputs;
  int n_outputs;
  const int64_t* attrs;
  int n_attrs;
  const void* payload;
  template <class A>
  A attrs_as() const { return unpack_attrs<A>(attrs); }
};

// tangents_in: one per input, undefined where the tangent is zero (at least
// one is defined). tangents_out: one per output; leave undefined for zero.
using JvpFn = void (*)(const JvpContext& ctx, const Tensor* tangents_in, Tensor* tangents_out);

// The VJP of a one-output record on plain numbers, used by the sweep when
// the output's gradient and every input that needs one hold a single element
// and nothing records the sweep (no tensor is made per record). g is the
// output's gradient, a value of `dtype`; fill gin[i] where ctx.needs[i],
// computed in dtype's own arithmetic (float for float32, see
// ops_detail::scalar_rule) so that it is bit-identical to the tensor VJP's
// result. Return false to fall back to the tensor VJP (ctx.in_shapes and
// ctx.in_dtypes are null here).
using ScalarVjpFn = bool (*)(const VjpContext& ctx, DType dtype, double g, double* gin);

// One entry of the op table. vjp == nullptr: not differentiable (never
// recorded, gradient None). jvp: the forward-mode rule. svjp (optional): the
// scalar rule above.
struct OpDef {
  const char* name;
  VjpFn vjp;
  JvpFn jvp;
  bool batchable;  // its VJP accepts a leading batch axis (all built-in ops)
  ScalarVjpFn svjp = nullptr;
  OpDef(const char* n, VjpFn f, JvpFn j, bool batchable = true);
  OpDef(const char* n, VjpFn f, JvpFn j, ScalarVjpFn s) : OpDef(n, f, j, true) { svjp = s; }
};

// All registered differentiable ops (the op table), in registration order.
const std::vector<const OpDef*>& op_table();

class Tape;
using TapePtr = std::shared_ptr<Tape>;
class Accumulator;
namespace detail {
struct TapeAccess;
}  // namespace detail

// ------------------------------------------------------------ recording
namespace tape {

namespace detail {
// Tapes plus accumulators on this thread's stacks (maintained by push/pop;
// inline for the reason read_hooks is, variable.hpp).
inline thread_local int active_count = 0;
}  // namespace detail
// True if some tape is active on this thread: one thread-local load, inline
// in every op.
inline bool any_active() { return detail::active_count != 0; }

// The one recording call. Appends a record on every active tape that tracks
// one of `inputs`; outputs with a floating dtype become tracked there; every
// active forward accumulator tracking an input computes the outputs'
// tangents with the op's JVP. payload: a per-record object (custom
// gradients), or null.
void record(const OpDef* op, List<const Tensor*> inputs, List<const Tensor*> outputs, List<Save> saved = {},
            Attrs attrs = {}, const std::shared_ptr<const void>* payload = nullptr);

// Starts t recording on this thread (on top of its stack). A tape records
// on one thread at a time: pushing a recording tape throws TapeError.
void push(const TapePtr& t);
// Stops t recording. On the thread that pushed it, t leaves the stack
// (wherever it is in it). From another thread (a scope that ended on a
// thread other than the one that entered it), t stops recording at once and
// its own thread drops it from its stack at the next push or pop. No-op if t
// is not recording.
void pop(const Tape* t);

}  // namespace tape

class Tape {
 public:
  explicit Tape(bool persistent, bool watch_accessed_variables = true);
  ~Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;

  uint64_t uid() const { return uid_; }
  bool persistent() const { return persistent_; }
  // Lets a caller keep the records over several gradient calls (row-by-row
  // jacobians) and then restore the tape's own setting.
  void set_persistent(bool p) { persistent_ = p; }

  // Starts tracking t (floating dtypes only; others are ignored, as their
  // gradient is None). Watching twice is harmless.
  void watch(const Tensor& t);
  bool tracks(const Tensor& t) const;

  // Variables. Watching a variable watches its current value and remembers
  // the variable; a gradient with respect to a variable is the sum over the
  // values of it this tape watched (it may have been assigned in between).
  // Reads of trainable variables while the tape records do this when
  // watch_accessed_variables is set (variable.hpp).
  bool watch_accessed_variables() const { return watch_accessed_; }
  void watch(const Variable& v);
  struct WatchedVariable {
    const Variable* var;
    std::shared_ptr<const void> keep;  // v.keep_alive()
    std::vector<Tensor> values;        // the values watched (dropped when the tape is released)
  };
  // In the order first watched.
  const std::vector<WatchedVariable>& watched_variables() const { return variables_; }
  // The values of v this tape watched (empty if none).
  const std::vector<Tensor>& watched_values(const Variable& v) const;

  // Whether the tape is recording (pushed and not popped).
  bool recording() const { return owner_.load(std::memory_order_relaxed) != nullptr; }

  // Gradients of sum(targets[i] * output_grads[i]) w.r.t. each source.
  // output_grads may be empty or hold undefined entries (= ones). Undefined
  // results mean "not connected" unless zero_unconnected (then zeros).
  // With batch = 1 every output_grads[i] is required and has a leading axis
  // of the same size B in front of targets[i]'s shape; the results then have
  // that axis too (one sweep computes B vector-Jacobian products).
  std::vector<Tensor> gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources,
                               const std::vector<Tensor>& output_grads, bool zero_unconnected, int batch = 0);

  // Forget everything recorded (the tape stays usable).
  void clear();
  // What a non-persistent gradient call does after its sweep: drops what
  // was recorded and records nothing more (for callers that swept it as
  // persistent several times, such as a row-by-row jacobian).
  void release();
  size_t num_records() const { return records_.size(); }
  size_t num_slots() const { return slots_.size(); }
  // A non-persistent tape after its gradient call: it records nothing more.
  bool released() const { return released_; }
  // Whether every recorded op's VJP takes a leading batch axis, so that
  // gradient(..., batch = 1) can run (else a jacobian needs one sweep per row).
  bool batchable() const { return first_unbatchable() == nullptr; }
  // The first recorded op whose VJP cannot take a batch axis, or null.
  const OpDef* first_unbatchable() const;

 private:
  friend struct detail::TapeAccess;
  friend class Sweep;

  struct Record {
    const OpDef* op;
    uint32_t in_off, n_in, out_off, n_out, saved_off, n_saved, attr_off, n_attrs;
    int32_t payload;  // index into payloads_, -1 = none
  };
  // 12 bytes a slot: the dims of its shape live in dims_ (a scalar has none),
  // which keeps the tape's memory traffic per recorded op small.
  struct Slot {
    int32_t producer;   // record index, -1 = watched
    uint32_t dims_off;  // offset of its dims in dims_
    uint16_t ndim;
    DType dtype;
    bool unit;          // one element
  };
  Shape slot_shape(int32_t s) const { return Shape(dims_.data() + slots_[s].dims_off, slots_[s].ndim); }
  void release_storage();  // drops everything recorded (and variables' values), keeps (small) capacity

  std::vector<Record> records_;
  std::vector<int32_t> refs_;   // input and output slots of all records
  std::vector<Tensor> saved_;   // saved tensors of all records
  std::vector<int64_t> attrs_;  // integer attributes of all records
  std::vector<std::shared_ptr<const void>> payloads_;  // per-record objects (custom gradients)
  std::vector<Slot> slots_;
  std::vector<int64_t> dims_;  // the slots' shapes
  std::vector<WatchedVariable> variables_;
  std::unordered_map<const Variable*, uint32_t> variable_index_;  // into variables_
  bool released_ = false;
  // The recording thread's token (recorder.cpp), null when not recording.
  std::atomic<const void*> owner_{nullptr};
  uint64_t uid_;
  bool persistent_;
  bool watch_accessed_;
};

// Custom gradients: outputs that stand for `outputs` (new tensors sharing
// their values) whose gradient with respect to `inputs` is given by `vjp`:
// vjp(upstream gradients, the recorded outputs) -> one gradient per input
// (undefined = none). Written with fasttape ops (it may use the outputs,
// which stay connected to the inputs for outer tapes), it gives higher orders
// too; forward mode differentiates it once more (it is linear in the
// upstream).
using CustomVjp =
    std::function<std::vector<Tensor>(const std::vector<Tensor>& upstream, const std::vector<Tensor>& outputs)>;
std::vector<Tensor> custom_gradient(const std::vector<Tensor>& inputs, const std::vector<Tensor>& outputs,
                                    CustomVjp vjp);

// Forward-mode accumulator: carries a tangent alongside each primal it
// tracks. While active, every op with a tracked input computes its outputs'
// tangents at once with the op's JVP rule (written with fasttape ops, so an
// outer tape or accumulator sees that computation: forward-over-reverse and
// forward-over-forward both work). The accumulator is paused while it runs
// its own JVP rules. Tensors carry its tangent slot as a tape tag.
class Accumulator {
 public:
  Accumulator();
  ~Accumulator();
  Accumulator(const Accumulator&) = delete;
  Accumulator& operator=(const Accumulator&) = delete;

  uint64_t uid() const { return uid_; }
  // Gives `primal` the tangent `tangent` (same shape and dtype).
  void watch(const Tensor& primal, const Tensor& tangent);
  // The tangent of t, undefined if t does not depend on a watched primal.
  Tensor tangent(const Tensor& t) const;

  // Gives primal the tangent slot of `tangent`; fresh: primal was just made by an op.
  int32_t add_tangent(const Tensor& primal, const Tensor& tangent, bool fresh);

 private:
  friend struct detail::TapeAccess;
  std::vector<Tensor> tangents_;
  bool paused_ = false;  // while its own JVP rules run
  uint64_t uid_;
};
using AccumulatorPtr = std::shared_ptr<Accumulator>;

namespace tape {
void push_accumulator(const AccumulatorPtr& a);
void pop_accumulator(const Accumulator* a);
}  // namespace tape

// Notes the variables read on this thread while it is active, whether or not
// a tape records (custom_gradient uses it to find the variables its function
// reads). Active from construction until stop().
class VariableReads {
 public:
  VariableReads() = default;
  VariableReads(const VariableReads&) = delete;
  VariableReads& operator=(const VariableReads&) = delete;
  // In the order first read; each with its keep_alive() reference.
  const std::vector<std::pair<const Variable*, std::shared_ptr<const void>>>& variables() const { return vars_; }
  void note(const Variable& v);
  bool active() const { return active_.load(std::memory_order_relaxed); }

 private:
  friend struct detail::TapeAccess;
  std::vector<std::pair<const Variable*, std::shared_ptr<const void>>> vars_;
  std::atomic<bool> active_{false};
};
using VariableReadsPtr = std::shared_ptr<VariableReads>;
namespace tape {
void push_variable_reads(const VariableReadsPtr& r);
// Ends r (from any thread; its own thread drops it from its stack at the
// next push or pop). No-op if r is not active.
void pop_variable_reads(const VariableReads* r);
}  // namespace tape

namespace tape {
// While it lives, nothing records on this thread: every tape and forward
// accumulator is taken off the thread's stacks, and put back, in order, on
// destruction (TensorFlow's stop_recording, for all of them at once). Used
// by recompute_grad's forward pass. Not copyable; destroy it on the thread
// that made it.
class Suspension {
 public:
  Suspension();
  ~Suspension() { resume(); }
  Suspension(const Suspension&) = delete;
  Suspension& operator=(const Suspension&) = delete;
  // Puts the tapes and accumulators back now (once; the destructor then
  // does nothing).
  void resume();

 private:
  bool resumed_ = false;
  std::vector<TapePtr> tapes_;
  std::vector<AccumulatorPtr> accumulators_;
};
}  // namespace tape

// RAII tape for C++ users: pushed on construction, popped on destruction
// (or by stop()).
class GradientTape {
 public:
  explicit GradientTape(bool persistent = false);
  ~GradientTape();
  GradientTape(const GradientTape&) = delete;
  GradientTape& operator=(const GradientTape&) = delete;

  void watch(const Tensor& t) { tape_->watch(t); }
  void watch(const Variable& v) { tape_->watch(v); }
  // Stops recording (as leaving TensorFlow's `with` block does).
  void stop();
  Tensor gradient(const Tensor& target, const Tensor& source);
  std::vector<Tensor> gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources);
  Tape& tape() { return *tape_; }

 private:
  TapePtr tape_;
  bool active_ = false;
};

}  // namespace fasttape
