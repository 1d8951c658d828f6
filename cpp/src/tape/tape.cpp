// Tape recording and the reverse sweep. The algorithm and its terms are
// described at the top of include/fasttape/tape.hpp.
#include "fasttape/tape.hpp"

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_set>

#include "fasttape/ops.hpp"
#include "kernels/kernels.hpp"

namespace fasttape {

// ------------------------------------------------------------ op table
static std::vector<const OpDef*>& op_table_mut() {
  static std::vector<const OpDef*> table;
  return table;
}
OpDef::OpDef(const char* n, VjpFn f, JvpFn j, bool b) : name(n), vjp(f), jvp(j), batchable(b) {
  if (f) op_table_mut().push_back(this);
}
const std::vector<const OpDef*>& op_table() { return op_table_mut(); }

// ------------------------------------------------------------ live tapes
// Uids of tapes that still exist, to prune stale tags from long-lived tensors
// (a Variable's value watched by one tape per training step).
namespace {
std::mutex g_live_mu;
std::unordered_set<uint64_t>& live_tapes() {
  static std::unordered_set<uint64_t> s;
  return s;
}
std::atomic<uint64_t> g_next_uid{1};

thread_local std::vector<TapePtr> t_stack;
thread_local std::vector<AccumulatorPtr> a_stack;
void update_active() { tape::detail::active_count = static_cast<int>(t_stack.size() + a_stack.size()); }

void add_tag_slow(TensorImpl* impl, uint64_t uid, int32_t slot, bool fresh);

inline void add_tag(TensorImpl* impl, uint64_t uid, int32_t slot, bool fresh) {
  if (impl->tag0.tape_uid == 0) {
    impl->tag0 = {uid, slot};
    return;
  }
  add_tag_slow(impl, uid, slot, fresh);
}

void add_tag_slow(TensorImpl* impl, uint64_t uid, int32_t slot, bool fresh) {
  if (!fresh) {
    // An old tensor (a watched one): prune tags of tapes that no longer exist
    // before growing, so a Variable's value watched by one tape per training
    // step keeps a short tag list.
    std::lock_guard<std::mutex> lk(g_live_mu);
    auto& live = live_tapes();
    auto& v = impl->more_tags;
    v.erase(std::remove_if(v.begin(), v.end(), [&](const TapeTag& t) { return !live.count(t.tape_uid); }),
            v.end());
    if (!live.count(impl->tag0.tape_uid)) {
      impl->tag0 = {uid, slot};
      return;
    }
  }
  impl->more_tags.push_back({uid, slot});
}
}  // namespace

// ------------------------------------------------------------ Tape
// A thread keeps the (emptied) vectors of a few finished tapes for the next
// ones, so a training loop that makes one tape per step does not grow and
// page-fault fresh record storage every step. Only storage of up to
// kRecycleRecords records is kept, which bounds what stays allocated.
namespace {
constexpr size_t kRecycleRecords = size_t(1) << 16;
constexpr size_t kRecycleTapes = 4;

struct TapeStorage {
  std::vector<Tape::Record> records;
  std::vector<int32_t> refs;
  std::vector<Tensor> saved;
  std::vector<int64_t> attrs;
  std::vector<Tape::Slot> slots;
  std::vector<int64_t> dims;
};
thread_local bool t_spare_gone = false;  // trivially destructible: valid at thread exit
struct SpareStorage {
  std::vector<TapeStorage> items;
  ~SpareStorage() { t_spare_gone = true; }
};
SpareStorage& spare_storage() {
  static thread_local SpareStorage s;
  return s;
}
}  // namespace

Tape::Tape(bool persistent) : uid_(g_next_uid.fetch_add(1)), persistent_(persistent) {
  if (!t_spare_gone) {
    auto& items = spare_storage().items;
    if (!items.empty()) {
      TapeStorage& st = items.back();
      records_ = std::move(st.records);
      refs_ = std::move(st.refs);
      saved_ = std::move(st.saved);
      attrs_ = std::move(st.attrs);
      slots_ = std::move(st.slots);
      dims_ = std::move(st.dims);
      items.pop_back();
    }
  }
  std::lock_guard<std::mutex> lk(g_live_mu);
  live_tapes().insert(uid_);
}

Tape::~Tape() {
  {
    std::lock_guard<std::mutex> lk(g_live_mu);
    live_tapes().erase(uid_);
  }
  if (t_spare_gone || records_.capacity() > kRecycleRecords || records_.capacity() == 0) return;
  auto& items = spare_storage().items;
  if (items.size() >= kRecycleTapes) return;
  saved_.clear();  // releases the saved tensors now
  records_.clear();
  refs_.clear();
  attrs_.clear();
  slots_.clear();
  dims_.clear();
  items.push_back(TapeStorage{std::move(records_), std::move(refs_), std::move(saved_), std::move(attrs_),
                              std::move(slots_), std::move(dims_)});
}

namespace {
[[noreturn]] void rank_too_big(int r) {
  throw InvalidArgument("a tensor of rank " + std::to_string(r) + " cannot be recorded (at most 65535)");
}

// Tape::new_slot's body, inlined into the recorder.
__attribute__((always_inline)) inline int32_t push_slot(Tape& tp, const Tensor& t, int32_t producer) {
  const int32_t s = static_cast<int32_t>(tp.slots_.size());
  const TensorImpl* impl = t.impl();
  const int r = impl->shape.size();
  if (r > 0xFFFF) rank_too_big(r);
  tp.slots_.push_back(Tape::Slot{producer, static_cast<uint32_t>(tp.dims_.size()), static_cast<uint16_t>(r),
                                 impl->dtype, impl->numel == 1});
  if (r) tp.dims_.insert(tp.dims_.end(), impl->shape.begin(), impl->shape.end());
  add_tag(t.impl(), tp.uid(), s, /*fresh=*/producer >= 0);
  return s;
}
}  // namespace

int32_t Tape::new_slot(const Tensor& t, int32_t producer) { return push_slot(*this, t, producer); }

void Tape::watch(const Tensor& t) {
  if (released_ || !t.defined() || !is_floating(t.dtype())) return;
  if (t.impl()->slot_on(uid_) >= 0) return;
  new_slot(t, -1);
}

bool Tape::tracks(const Tensor& t) const { return t.defined() && t.impl()->slot_on(uid_) >= 0; }

void Tape::clear() {
  records_.clear();
  refs_.clear();
  saved_.clear();
  attrs_.clear();
  payloads_.clear();
  slots_.clear();
  dims_.clear();
  // Tensors still carry tags for this uid; give the tape a new identity so
  // they no longer match.
  std::lock_guard<std::mutex> lk(g_live_mu);
  live_tapes().erase(uid_);
  uid_ = g_next_uid.fetch_add(1);
  live_tapes().insert(uid_);
  released_ = false;
}

// ------------------------------------------------------------ recording
namespace tape {

namespace detail {
thread_local int active_count = 0;
}  // namespace detail

void push(const TapePtr& t) {
  t_stack.push_back(t);
  update_active();
}

void push_accumulator(const AccumulatorPtr& a) {
  a_stack.push_back(a);
  update_active();
}

void pop_accumulator(const Accumulator* a) {
  for (size_t i = a_stack.size(); i-- > 0;) {
    if (a_stack[i].get() == a) {
      a_stack.erase(a_stack.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  update_active();
}

void pop(const Tape* t) {
  for (size_t i = t_stack.size(); i-- > 0;) {
    if (t_stack[i].get() == t) {
      t_stack.erase(t_stack.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  update_active();
}

bool is_tracked(const Tensor& t) {
  for (const TapePtr& tp : t_stack)
    if (!tp->released_ && tp->tracks(t)) return true;
  return false;
}

namespace {
// The saved tensors of a record, given as an array or as an array of pointers.
struct SavedArgs {
  const Tensor* arr;
  const Tensor* const* ptrs;
  const Tensor& operator[](int i) const { return arr ? arr[i] : *ptrs[i]; }
};

// Inlined into its two entry points (it is the per-op path).
__attribute__((always_inline)) inline void record_impl(const OpDef* op, const Tensor* const* inputs, int n_in,
                                                       const Tensor* const* outputs, int n_out, SavedArgs saved,
                                                       int n_saved, const int64_t* attrs, int n_attrs,
                                                       const std::shared_ptr<const void>* payload,
                                                       const uint32_t* save_when) {
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
  std::vector<TapePtr>& stack = t_stack;
  for (size_t k = 0; k < stack.size(); ++k) {
    Tape& t = *stack[k];
    if (t.released_) continue;
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
    const int32_t rec = static_cast<int32_t>(t.records_.size());
    Tape::Record r;
    r.op = op;
    r.in_off = static_cast<uint32_t>(t.refs_.size());
    r.n_in = static_cast<uint32_t>(n_in);
    for (int i = 0; i < n_in; ++i) t.refs_.push_back(in_slot[i]);
    r.out_off = static_cast<uint32_t>(t.refs_.size());
    r.n_out = static_cast<uint32_t>(n_out);
    for (int i = 0; i < n_out; ++i)
      t.refs_.push_back(is_floating(outputs[i]->dtype()) ? push_slot(t, *outputs[i], rec) : -1);
    r.saved_off = static_cast<uint32_t>(t.saved_.size());
    r.n_saved = static_cast<uint32_t>(n_saved);
    for (int i = 0; i < n_saved; ++i) {
      if (save_when && save_when[i] && !(save_when[i] & tracked_mask)) t.saved_.emplace_back();
      else t.saved_.push_back(saved[i]);
    }
    r.attr_off = static_cast<uint32_t>(t.attrs_.size());
    r.n_attrs = static_cast<uint32_t>(n_attrs);
    if (n_attrs) t.attrs_.insert(t.attrs_.end(), attrs, attrs + n_attrs);
    r.payload = -1;
    if (payload && *payload) {
      r.payload = static_cast<int32_t>(t.payloads_.size());
      t.payloads_.push_back(*payload);
    }
    t.records_.push_back(r);
  }
  std::vector<AccumulatorPtr>& accs = a_stack;
  if (accs.empty() || !op->jvp) return;
  // Forward mode, outermost accumulator first. Each is paused while its JVP
  // rule runs, so the rule's own ops are seen only by the others; going
  // outside-in, an inner accumulator's rule (which reads this op's outputs)
  // runs when the outer ones already hold the outputs' tangents, so outer
  // accumulators differentiate inner tangents correctly.
  for (size_t k = 0; k < accs.size(); ++k) {
    AccumulatorPtr acc = accs[k];
    if (acc->paused_) continue;
    const uint64_t uid = acc->uid();
    std::vector<Tensor> tin(n_in), tout(n_out);
    bool any = false;
    for (int i = 0; i < n_in; ++i) {
      int32_t s = inputs[i]->impl()->slot_on(uid);
      if (s >= 0) {
        tin[i] = acc->tangents_[s];
        any = true;
      }
    }
    if (!any) continue;
    JvpContext ctx{op, inputs, n_in, outputs, n_out, attrs, n_attrs, payload ? payload->get() : nullptr};
    acc->paused_ = true;
    try {
      op->jvp(ctx, tin.data(), tout.data());
    } catch (...) {
      acc->paused_ = false;
      throw;
    }
    acc->paused_ = false;
    for (int i = 0; i < n_out; ++i)
      if (tout[i].defined() && is_floating(outputs[i]->dtype())) acc->add_tangent(*outputs[i], tout[i], true);
  }
}

}  // namespace

void record_n(const OpDef* op, const Tensor* const* inputs, int n_in, const Tensor* const* outputs, int n_out,
              const Tensor* saved, int n_saved, const int64_t* attrs, int n_attrs,
              const std::shared_ptr<const void>& payload, const uint32_t* save_when) {
  record_impl(op, inputs, n_in, outputs, n_out, SavedArgs{saved, nullptr}, n_saved, attrs, n_attrs, &payload,
              save_when);
}

void record_masked(const OpDef* op, std::initializer_list<const Tensor*> inputs,
                   std::initializer_list<const Tensor*> outputs, std::initializer_list<const Tensor*> saved,
                   std::initializer_list<uint32_t> save_when, std::initializer_list<int64_t> attrs) {
  record_impl(op, inputs.begin(), static_cast<int>(inputs.size()), outputs.begin(),
              static_cast<int>(outputs.size()), SavedArgs{nullptr, saved.begin()}, static_cast<int>(saved.size()),
              attrs.begin(), static_cast<int>(attrs.size()), nullptr, save_when.begin());
}

void record(const OpDef* op, std::initializer_list<const Tensor*> inputs,
            std::initializer_list<const Tensor*> outputs, std::initializer_list<Tensor> saved,
            std::initializer_list<int64_t> attrs) {
  record_impl(op, inputs.begin(), static_cast<int>(inputs.size()), outputs.begin(),
              static_cast<int>(outputs.size()), SavedArgs{saved.begin(), nullptr}, static_cast<int>(saved.size()),
              attrs.begin(), static_cast<int>(attrs.size()), nullptr, nullptr);
}

}  // namespace tape

// ------------------------------------------------------------ the sweep
namespace {
Shape batched(const Shape& s, int batch, int64_t b) {
  if (!batch) return s;
  std::vector<int64_t> d{b};
  d.insert(d.end(), s.begin(), s.end());
  return Shape(d);
}
}  // namespace

// a + b for one-element gradients, in the dtype's own arithmetic (a and b
// are values of that dtype), as the tensor add would compute it.
static double add_in(DType dt, double a, double b) {
  return dt == DType::Float32 ? double(float(a) + float(b)) : a + b;
}

static void accumulate(Tensor& acc, const Tensor& g, const Shape& want, DType dtype, const char* op) {
  if (g.shape() != want || g.dtype() != dtype)
    throw InvalidArgument(std::string("gradient of ") + op + ": internal shape mismatch, got " +
                          shape_str(g.shape()) + " " + dtype_name(g.dtype()) + ", expected " + shape_str(want) +
                          " " + dtype_name(dtype));
  if (!acc.defined()) {
    acc = g;
    return;
  }
  // Nobody else can see the running sum and nothing records: add in place.
  if (!tape::any_active() && acc.use_count() == 1 && acc.impl()->buffer->use_count() == 1 &&
      !acc.impl()->has_tags() && acc.shape() == g.shape()) {
    kernels::binary(kernels::BinOp::Add, acc, g, acc);
    return;
  }
  acc = add(acc, g);
}

std::vector<Tensor> Tape::gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources,
                                   const std::vector<Tensor>& output_grads, bool zero_unconnected, int batch) {
  if (released_)
    throw TapeError(
        "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)");
  if (!output_grads.empty() && output_grads.size() != targets.size())
    throw InvalidArgument("gradient: got " + std::to_string(output_grads.size()) + " output_gradients for " +
                          std::to_string(targets.size()) + " targets; pass one per target (or None)");
  int64_t bsize = 0;
  if (batch) {
    if (output_grads.size() != targets.size() || targets.empty())
      throw InvalidArgument("batched gradient: one batched output gradient per target is required");
    for (size_t i = 0; i < targets.size(); ++i) {
      const Tensor& og = output_grads[i];
      if (!og.defined() || og.ndim() != targets[i].ndim() + 1 || (bsize && og.dim(0) != bsize))
        throw InvalidArgument("batched gradient: output gradient " + std::to_string(i) +
                              " must have one leading batch axis (the same for all) before the target's shape " +
                              shape_str(targets[i].shape()));
      bsize = og.dim(0);
    }
  }
  if (batch)
    for (const Record& rec : records_)
      if (!rec.op->batchable)
        throw TapeError(std::string("batched gradient through ") + rec.op->name + " is not supported");
  // A non-persistent tape never records its own backward pass.
  if (!persistent_) released_ = true;

  const size_t nrec = records_.size(), nslot = slots_.size();
  std::vector<char> dep(nslot, 0), keep(nslot, 0);
  bool any_source = false;
  for (const Tensor& s : sources) {
    int32_t k = s.defined() ? s.impl()->slot_on(uid_) : -1;
    if (k >= 0 && static_cast<size_t>(k) < nslot) {
      dep[k] = keep[k] = 1;
      any_source = true;
    }
  }
  std::vector<Tensor> grads(nslot);
  if (any_source) {
    // 1. Which slots depend on a source (records are topologically ordered).
    for (size_t r = 0; r < nrec; ++r) {
      const Record& rec = records_[r];
      bool any = false;
      for (uint32_t i = 0; i < rec.n_in && !any; ++i) {
        int32_t s = refs_[rec.in_off + i];
        any = s >= 0 && dep[s];
      }
      if (!any) continue;
      for (uint32_t i = 0; i < rec.n_out; ++i) {
        int32_t s = refs_[rec.out_off + i];
        if (s >= 0) dep[s] = 1;
      }
    }
    // 2. Seeds.
    for (size_t i = 0; i < targets.size(); ++i) {
      const Tensor& t = targets[i];
      int32_t s = t.defined() ? t.impl()->slot_on(uid_) : -1;
      if (s < 0 || static_cast<size_t>(s) >= nslot || !dep[s]) continue;
      Tensor seed = (!output_grads.empty() && output_grads[i].defined()) ? output_grads[i] : ones_like(t);
      Shape want = batched(t.shape(), batch, bsize);
      if (seed.shape() != want) seed = broadcast_to(seed, want);
      if (seed.dtype() != t.dtype()) seed = cast(seed, t.dtype());
      accumulate(grads[s], seed, want, t.dtype(), "target");
    }
    // 3. Reverse sweep. If this tape may record while we sweep (a
    // persistent tape on the active stack records its own backward pass),
    // its vectors can grow: VJPs then get copies of the saved tensors and
    // attributes; otherwise pointers into the tape.
    bool may_grow = false;
    if (persistent_)
      for (const TapePtr& tp : t_stack) may_grow |= tp.get() == this;
    // Nothing can record the sweep (no tape that still records, no forward
    // accumulator): one-element gradients may then be carried as plain
    // numbers (sg, held where sheld) through records whose op has a scalar
    // rule, and become tensors only where a tensor VJP or the caller needs
    // them.
    bool quiet = batch == 0 && a_stack.empty();
    for (const TapePtr& tp : t_stack) quiet &= tp->released_;
    std::vector<double> sg;
    std::vector<char> sheld;
    if (quiet) {
      sg.resize(nslot);
      sheld.assign(nslot, 0);
    }
    auto materialize = [&](int32_t s) {
      if (quiet && sheld[s]) {
        grads[s] = Tensor::full(slot_shape(s), sg[s], slots_[s].dtype);
        sheld[s] = 0;
      }
    };
    std::vector<Tensor> gout, gin, saved_copy;
    std::vector<Shape> in_shapes;
    std::vector<DType> in_dtypes;
    std::vector<int64_t> attrs_copy;
    std::vector<char> needs_buf;
    Shape want_tmp;
    constexpr uint32_t kScalarMaxIn = 8;
    for (size_t r = nrec; r-- > 0;) {
      const Record rec = records_[r];  // copy: a persistent tape may grow while we sweep
      bool any_need = false, any_grad = false;
      for (uint32_t i = 0; i < rec.n_in; ++i) {
        int32_t s = refs_[rec.in_off + i];
        any_need |= s >= 0 && dep[s];
      }
      if (!any_need) continue;
      for (uint32_t i = 0; i < rec.n_out; ++i) {
        int32_t s = refs_[rec.out_off + i];
        any_grad |= s >= 0 && (grads[s].defined() || (quiet && sheld[s]));
      }
      if (!any_grad) continue;
      if (quiet && rec.op->svjp && rec.n_out == 1 && rec.n_in <= kScalarMaxIn && rec.payload < 0) {
        // The scalar path: every slot involved holds one element.
        const int32_t so = refs_[rec.out_off];
        bool ok = slots_[so].unit;
        bool needs_s[kScalarMaxIn];
        for (uint32_t i = 0; i < rec.n_in && ok; ++i) {
          int32_t s = refs_[rec.in_off + i];
          needs_s[i] = s >= 0 && dep[s];
          ok = !needs_s[i] || slots_[s].unit;
        }
        double gs_in[kScalarMaxIn];
        if (ok) {
          const DType dt = slots_[so].dtype;
          const double g = sheld[so] ? sg[so] : grads[so].item();
          VjpContext sctx{rec.op, saved_.data() + rec.saved_off, static_cast<int>(rec.n_saved),
                          attrs_.data() + rec.attr_off, static_cast<int>(rec.n_attrs), static_cast<int>(rec.n_in),
                          needs_s, nullptr, nullptr, 0, 0, nullptr};
          ok = rec.op->svjp(sctx, dt, g, gs_in);
        }
        if (ok) {
          if (!keep[so]) {
            sheld[so] = 0;
            grads[so] = Tensor();
          }
          if (!persistent_)
            for (uint32_t j = 0; j < rec.n_saved; ++j) saved_[rec.saved_off + j] = Tensor();
          for (uint32_t i = 0; i < rec.n_in; ++i) {
            if (!needs_s[i]) continue;
            const int32_t s = refs_[rec.in_off + i];
            const DType dt = slots_[s].dtype;
            double v = gs_in[i];
            if (sheld[s]) {
              v = add_in(dt, sg[s], v);
            } else if (grads[s].defined()) {
              v = add_in(dt, grads[s].item(), v);
              grads[s] = Tensor();
            }
            sg[s] = v;
            sheld[s] = 1;
          }
          continue;
        }
      }
      gout.assign(rec.n_out, Tensor());
      for (uint32_t i = 0; i < rec.n_out; ++i) {
        int32_t s = refs_[rec.out_off + i];
        if (s >= 0) materialize(s);
        if (s >= 0 && grads[s].defined()) gout[i] = grads[s];
        else if (s >= 0) gout[i] = Tensor::zeros(batched(slot_shape(s), batch, bsize), slots_[s].dtype);
      }
      needs_buf.resize(rec.n_in);
      bool* needs = reinterpret_cast<bool*>(needs_buf.data());
      if (in_shapes.size() < rec.n_in) {
        in_shapes.resize(rec.n_in);
        in_dtypes.resize(rec.n_in);
      }
      for (uint32_t i = 0; i < rec.n_in; ++i) {
        int32_t s = refs_[rec.in_off + i];
        needs[i] = s >= 0 && dep[s];
        if (needs[i]) {
          in_shapes[i] = slot_shape(s);
          in_dtypes[i] = slots_[s].dtype;
        }
      }
      const Tensor* saved = saved_.data() + rec.saved_off;
      const int64_t* attrs = attrs_.data() + rec.attr_off;
      if (may_grow) {
        saved_copy.assign(saved_.begin() + rec.saved_off, saved_.begin() + rec.saved_off + rec.n_saved);
        attrs_copy.assign(attrs_.begin() + rec.attr_off, attrs_.begin() + rec.attr_off + rec.n_attrs);
        saved = saved_copy.data();
        attrs = attrs_copy.data();
      }
      VjpContext ctx{rec.op,
                     saved,
                     static_cast<int>(rec.n_saved),
                     attrs,
                     static_cast<int>(rec.n_attrs),
                     static_cast<int>(rec.n_in),
                     needs,
                     in_shapes.data(),
                     in_dtypes.data(),
                     batch,
                     bsize,
                     rec.payload >= 0 ? payloads_[rec.payload].get() : nullptr};
      std::shared_ptr<const void> keep_payload = rec.payload >= 0 ? payloads_[rec.payload] : nullptr;
      gin.assign(rec.n_in, Tensor());
      rec.op->vjp(ctx, gout.data(), gin.data());
      // Free what this record held before accumulating into its inputs.
      for (uint32_t i = 0; i < rec.n_out; ++i) {
        int32_t s = refs_[rec.out_off + i];
        if (s >= 0 && !keep[s]) grads[s] = Tensor();
      }
      gout.clear();
      saved_copy.clear();
      if (!persistent_) {
        for (uint32_t j = 0; j < rec.n_saved; ++j) saved_[rec.saved_off + j] = Tensor();
        if (rec.payload >= 0) payloads_[rec.payload].reset();
      }
      for (uint32_t i = 0; i < rec.n_in; ++i) {
        if (!needs[i] || !gin[i].defined()) continue;
        int32_t s = refs_[rec.in_off + i];
        materialize(s);
        want_tmp = batched(slot_shape(s), batch, bsize);
        accumulate(grads[s], gin[i], want_tmp, slots_[s].dtype, rec.op->name);
      }
      gin.clear();
    }
    for (const Tensor& src : sources) {
      int32_t k = src.defined() ? src.impl()->slot_on(uid_) : -1;
      if (k >= 0 && static_cast<size_t>(k) < nslot) materialize(k);
    }
  }
  std::vector<Tensor> result;
  result.reserve(sources.size());
  for (const Tensor& s : sources) {
    int32_t k = s.defined() ? s.impl()->slot_on(uid_) : -1;
    Tensor g = (k >= 0 && static_cast<size_t>(k) < nslot) ? grads[k] : Tensor();
    if (!g.defined() && s.defined() && (k < 0 || static_cast<size_t>(k) >= nslot)) {
      // A source that is itself a target but was never recorded: its
      // gradient is the target's seed (TensorFlow returns ones there too).
      for (size_t i = 0; i < targets.size(); ++i) {
        if (!targets[i].defined() || targets[i].impl() != s.impl()) continue;
        Tensor seed = (!output_grads.empty() && output_grads[i].defined()) ? output_grads[i] : ones_like(s);
        Shape want = batched(s.shape(), batch, bsize);
        if (seed.shape() != want) seed = broadcast_to(seed, want);
        g = g.defined() ? add(g, seed) : seed;
      }
    }
    if (!g.defined() && zero_unconnected && s.defined())
      g = Tensor::zeros(batched(s.shape(), batch, bsize), s.dtype());
    result.push_back(g);
  }
  if (!persistent_) {
    // Everything goes now; the storage itself is kept for reuse by the next
    // tape on this thread unless it is big (see kRecycleRecords).
    grads.clear();
    const bool keep_storage = records_.capacity() <= kRecycleRecords;
    records_.clear();
    refs_.clear();
    saved_.clear();
    attrs_.clear();
    payloads_.clear();
    slots_.clear();
    dims_.clear();
    if (!keep_storage) {
      records_.shrink_to_fit();
      refs_.shrink_to_fit();
      saved_.shrink_to_fit();
      attrs_.shrink_to_fit();
      slots_.shrink_to_fit();
      dims_.shrink_to_fit();
    }
  }
  return result;
}

// ------------------------------------------------------------ Accumulator
Accumulator::Accumulator() : uid_(g_next_uid.fetch_add(1)) {
  std::lock_guard<std::mutex> lk(g_live_mu);
  live_tapes().insert(uid_);
}

Accumulator::~Accumulator() {
  std::lock_guard<std::mutex> lk(g_live_mu);
  live_tapes().erase(uid_);
}

int32_t Accumulator::add_tangent(const Tensor& primal, const Tensor& tangent, bool fresh) {
  int32_t s = static_cast<int32_t>(tangents_.size());
  tangents_.push_back(tangent);
  add_tag(primal.impl(), uid_, s, fresh);
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

// ------------------------------------------------------------ RAII tape
GradientTape::GradientTape(bool persistent) : tape_(std::make_shared<Tape>(persistent)) {
  tape::push(tape_);
  active_ = true;
}

GradientTape::~GradientTape() { stop(); }

void GradientTape::stop() {
  if (active_) tape::pop(tape_.get());
  active_ = false;
}

Tensor GradientTape::gradient(const Tensor& target, const Tensor& source) {
  return tape_->gradient({target}, {source}, {}, false)[0];
}

std::vector<Tensor> GradientTape::gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources) {
  return tape_->gradient(targets, sources, {}, false);
}

}  // namespace fasttape
