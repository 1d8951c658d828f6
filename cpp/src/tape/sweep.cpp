// The reverse sweep: Tape::gradient, step by step as tape.hpp's comment
// describes it (1. mark what depends on a source, 2. seed the targets,
// 3. sweep the records backwards, 4. read off the sources' gradients, then
// release a non-persistent tape's storage).
#include <string>

#include "fasttape/ops.hpp"
#include "ops/accumulate.hpp"
#include "tape/tape_internal.hpp"

namespace fasttape {

namespace {

Shape batched(const Shape& s, int batch, int64_t b) {
  if (!batch) return s;
  std::vector<int64_t> d{b};
  d.insert(d.end(), s.begin(), s.end());
  return Shape(d);
}

// a + b for one-element gradients, in the dtype's own arithmetic (a and b
// are values of that dtype), as the tensor add would compute it.
double add_in(DType dt, double a, double b) { return dt == DType::Float32 ? double(float(a) + float(b)) : a + b; }

// The gradient of each slot during one sweep. A gradient is a tensor or,
// when nothing can record the sweep (`scalars`), a plain number for a slot
// of one element: such numbers go through records whose op has a scalar
// rule without a tensor being made, and become tensors only where a tensor
// VJP or the caller needs them (materialize).
class GradStore {
 public:
  GradStore(size_t nslot, bool scalars) : t_(nslot), scalars_(scalars) {
    if (scalars) {
      v_.resize(nslot);
      held_.assign(nslot, 0);
    }
  }
  bool scalars() const { return scalars_; }
  bool has(int32_t s) const { return t_[s].defined() || held(s); }
  bool held(int32_t s) const { return scalars_ && held_[s]; }
  // A one-element slot's gradient as a number.
  double value(int32_t s) const { return held(s) ? v_[s] : t_[s].item(); }
  Tensor& tensor(int32_t s) { return t_[s]; }

  // The number becomes a tensor of the slot's shape and dtype.
  void materialize(int32_t s, const Shape& shape, DType dt) {
    if (held(s)) {
      t_[s] = Tensor::full(shape, v_[s], dt);
      held_[s] = 0;
    }
  }
  void drop(int32_t s) {
    t_[s] = Tensor();
    if (scalars_) held_[s] = 0;
  }
  // Adds a number to a one-element slot's gradient (held or tensor).
  void add_value(int32_t s, DType dt, double v) {
    if (held_[s]) {
      v = add_in(dt, v_[s], v);
    } else if (t_[s].defined()) {
      v = add_in(dt, t_[s].item(), v);
      t_[s] = Tensor();
    }
    v_[s] = v;
    held_[s] = 1;
  }
  // Adds a tensor gradient (which must have the slot's gradient shape).
  void add_tensor(int32_t s, const Tensor& g, const Shape& want, DType dtype, const char* op) {
    if (g.shape() != want || g.dtype() != dtype)
      throw InvalidArgument(std::string("gradient of ") + op + ": internal shape mismatch, got " +
                            shape_str(g.shape()) + " " + dtype_name(g.dtype()) + ", expected " + shape_str(want) +
                            " " + dtype_name(dtype));
    if (!t_[s].defined()) t_[s] = g;
    else ops_detail::accumulate_into(t_[s], g);
  }
  void clear() { t_.clear(); }

 private:
  std::vector<Tensor> t_;
  std::vector<double> v_;
  std::vector<char> held_;
  bool scalars_;
};

}  // namespace

class Sweep {
 public:
  using Record = Tape::Record;

  Sweep(Tape& tape, const std::vector<Tensor>& targets, const std::vector<Tensor>& sources,
        const std::vector<Tensor>& output_grads, bool zero_unconnected, int batch)
      : tp_(tape), targets_(targets), sources_(sources), og_(output_grads), zero_(zero_unconnected),
        batch_(batch), nrec_(tape.records_.size()), nslot_(tape.slots_.size()), dep_(nslot_, 0), keep_(nslot_, 0),
        grads_(nslot_, quiet(tape, batch)) {}

  std::vector<Tensor> run() {
    if (mark_sources()) {
      mark_dependents();
      seed_targets();
      sweep_backwards();
    }
    std::vector<Tensor> result = read_sources();
    if (!tp_.persistent_) {
      grads_.clear();
      tp_.release_storage();
    }
    return result;
  }

  // Checks the arguments; returns the batch size (0 when not batched).
  static int64_t check(const Tape& tp, const std::vector<Tensor>& targets, const std::vector<Tensor>& output_grads,
                       int batch) {
    if (tp.released_)
      throw TapeError(
          "A non-persistent GradientTape can only be used to compute one set of gradients (or jacobians)");
    if (!output_grads.empty() && output_grads.size() != targets.size())
      throw InvalidArgument("gradient: got " + std::to_string(output_grads.size()) + " output_gradients for " +
                            std::to_string(targets.size()) + " targets; pass one per target (or None)");
    for (size_t i = 0; i < output_grads.size(); ++i)
      if (output_grads[i].defined() && targets[i].defined() && output_grads[i].dtype() != targets[i].dtype())
        throw InvalidArgument("gradient: output_gradients[" + std::to_string(i) + "] has dtype " +
                              dtype_name(output_grads[i].dtype()) + " but its target has dtype " +
                              dtype_name(targets[i].dtype()) +
                              "; an output gradient must have its target's dtype (cast it with fasttape.cast)");
    if (!batch) return 0;
    int64_t bsize = 0;
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
    if (const OpDef* op = tp.first_unbatchable())
      throw TapeError(std::string("batched gradient through ") + op->name + " is not supported");
    return bsize;
  }
  void set_batch_size(int64_t b) { bsize_ = b; }

 private:
  // Nothing can record the sweep (no tape that still records, no forward
  // accumulator): one-element gradients may travel as numbers.
  static bool quiet(const Tape&, int batch) {
    bool q = batch == 0 && !detail::accumulators_active();
    for (const TapePtr& t : detail::tape_stack()) q &= t->released();
    return q;
  }

  int32_t slot_of(const Tensor& t) const {
    const int32_t k = t.defined() ? t.impl()->slot_on(tp_.uid_) : -1;
    return k >= 0 && static_cast<size_t>(k) < nslot_ ? k : -1;
  }
  Shape grad_shape(int32_t s) const { return batched(tp_.slot_shape(s), batch_, bsize_); }
  void materialize(int32_t s) { grads_.materialize(s, tp_.slot_shape(s), tp_.slots_[s].dtype); }
  int32_t in_slot(const Record& rec, uint32_t i) const { return tp_.refs_[rec.in_off + i]; }
  int32_t out_slot(const Record& rec, uint32_t i) const { return tp_.refs_[rec.out_off + i]; }
  bool needs(const Record& rec, uint32_t i) const {
    const int32_t s = in_slot(rec, i);
    return s >= 0 && dep_[s];
  }

  // The sources' slots are where the dependency marking starts; their
  // gradients are kept to the end. False if no source is on the tape.
  bool mark_sources() {
    bool any = false;
    for (const Tensor& src : sources_) {
      const int32_t k = slot_of(src);
      if (k >= 0) {
        dep_[k] = keep_[k] = 1;
        any = true;
      }
    }
    return any;
  }

  // 1. Forward over the records (topologically ordered): a slot depends on a
  // source if a record with such an input produced it.
  void mark_dependents() {
    for (size_t r = 0; r < nrec_; ++r) {
      const Record& rec = tp_.records_[r];
      bool any = false;
      for (uint32_t i = 0; i < rec.n_in && !any; ++i) any = needs(rec, i);
      if (!any) continue;
      for (uint32_t i = 0; i < rec.n_out; ++i) {
        const int32_t s = out_slot(rec, i);
        if (s >= 0) dep_[s] = 1;
      }
    }
  }

  // 2. Each target's slot starts with its output gradient (ones by default).
  void seed_targets() {
    for (size_t i = 0; i < targets_.size(); ++i) {
      const Tensor& t = targets_[i];
      const int32_t s = slot_of(t);
      if (s < 0 || !dep_[s]) continue;
      grads_.add_tensor(s, seed(i, t), batched(t.shape(), batch_, bsize_), t.dtype(), "target");
    }
  }
  Tensor seed(size_t i, const Tensor& t) const {
    Tensor sd = (!og_.empty() && og_[i].defined()) ? og_[i] : ones_like(t);
    const Shape want = batched(t.shape(), batch_, bsize_);
    if (sd.shape() != want) sd = broadcast_to(sd, want);
    return sd;
  }

  // 3. Backwards over the records: skip those with no input that needs a
  // gradient or no output that received one; run the others' VJPs.
  void sweep_backwards() {
    // A persistent tape that is itself on the active stack records its own
    // backward pass, so its vectors may grow during the sweep: VJPs then get
    // copies of the saved tensors and attributes.
    may_grow_ = false;
    if (tp_.persistent_)
      for (const TapePtr& t : detail::tape_stack()) may_grow_ |= t.get() == &tp_;
    for (size_t r = nrec_; r-- > 0;) {
      const Record rec = tp_.records_[r];  // a copy: the vector may grow
      bool any_need = false, any_grad = false;
      for (uint32_t i = 0; i < rec.n_in; ++i) any_need |= needs(rec, i);
      if (!any_need) continue;
      for (uint32_t i = 0; i < rec.n_out; ++i) {
        const int32_t s = out_slot(rec, i);
        any_grad |= s >= 0 && grads_.has(s);
      }
      if (!any_grad) continue;
      if (!scalar_step(rec)) tensor_step(rec);
    }
    for (const Tensor& src : sources_) {
      const int32_t k = slot_of(src);
      if (k >= 0) materialize(k);
    }
  }

  // The scalar path: the op's scalar rule on plain numbers, when every slot
  // involved holds one element. False to take the tensor path.
  bool scalar_step(const Record& rec) {
    constexpr uint32_t kMaxIn = 8;
    if (!grads_.scalars() || !rec.op->svjp || rec.n_out != 1 || rec.n_in > kMaxIn || rec.payload >= 0)
      return false;
    const int32_t so = out_slot(rec, 0);
    if (!tp_.slots_[so].unit) return false;
    bool needs_s[kMaxIn];
    for (uint32_t i = 0; i < rec.n_in; ++i) {
      needs_s[i] = needs(rec, i);
      if (needs_s[i] && !tp_.slots_[in_slot(rec, i)].unit) return false;
    }
    double gin[kMaxIn];
    VjpContext ctx{rec.op, tp_.saved_.data() + rec.saved_off, static_cast<int>(rec.n_saved),
                   tp_.attrs_.data() + rec.attr_off, static_cast<int>(rec.n_attrs), static_cast<int>(rec.n_in),
                   needs_s, nullptr, nullptr, 0, 0, nullptr};
    if (!rec.op->svjp(ctx, tp_.slots_[so].dtype, grads_.value(so), gin)) return false;
    if (!keep_[so]) grads_.drop(so);
    if (!tp_.persistent_)
      for (uint32_t j = 0; j < rec.n_saved; ++j) tp_.saved_[rec.saved_off + j] = Tensor();
    for (uint32_t i = 0; i < rec.n_in; ++i) {
      if (!needs_s[i]) continue;
      const int32_t s = in_slot(rec, i);
      grads_.add_value(s, tp_.slots_[s].dtype, gin[i]);
    }
    return true;
  }

  // The tensor path: the op's VJP on tensors.
  void tensor_step(const Record& rec) {
    gout_.assign(rec.n_out, Tensor());
    for (uint32_t i = 0; i < rec.n_out; ++i) {
      const int32_t s = out_slot(rec, i);
      if (s < 0) continue;
      materialize(s);
      gout_[i] = grads_.tensor(s).defined() ? grads_.tensor(s)
                                            : Tensor::zeros(grad_shape(s), tp_.slots_[s].dtype);
    }
    needs_buf_.resize(rec.n_in);
    bool* nd = reinterpret_cast<bool*>(needs_buf_.data());
    if (in_shapes_.size() < rec.n_in) {
      in_shapes_.resize(rec.n_in);
      in_dtypes_.resize(rec.n_in);
    }
    for (uint32_t i = 0; i < rec.n_in; ++i) {
      nd[i] = needs(rec, i);
      if (nd[i]) {
        const int32_t s = in_slot(rec, i);
        in_shapes_[i] = tp_.slot_shape(s);
        in_dtypes_[i] = tp_.slots_[s].dtype;
      }
    }
    const Tensor* saved = tp_.saved_.data() + rec.saved_off;
    const int64_t* attrs = tp_.attrs_.data() + rec.attr_off;
    if (may_grow_) {
      saved_copy_.assign(tp_.saved_.begin() + rec.saved_off, tp_.saved_.begin() + rec.saved_off + rec.n_saved);
      attrs_copy_.assign(tp_.attrs_.begin() + rec.attr_off, tp_.attrs_.begin() + rec.attr_off + rec.n_attrs);
      saved = saved_copy_.data();
      attrs = attrs_copy_.data();
    }
    std::shared_ptr<const void> payload = rec.payload >= 0 ? tp_.payloads_[rec.payload] : nullptr;
    VjpContext ctx{rec.op,     saved,         static_cast<int>(rec.n_saved), attrs, static_cast<int>(rec.n_attrs),
                   static_cast<int>(rec.n_in), nd, in_shapes_.data(), in_dtypes_.data(), batch_,
                   bsize_,     payload.get()};
    gin_.assign(rec.n_in, Tensor());
    rec.op->vjp(ctx, gout_.data(), gin_.data());
    // Free what this record held before accumulating into its inputs.
    for (uint32_t i = 0; i < rec.n_out; ++i) {
      const int32_t s = out_slot(rec, i);
      if (s >= 0 && !keep_[s]) grads_.drop(s);
    }
    gout_.clear();
    saved_copy_.clear();
    if (!tp_.persistent_) {
      for (uint32_t j = 0; j < rec.n_saved; ++j) tp_.saved_[rec.saved_off + j] = Tensor();
      if (rec.payload >= 0) tp_.payloads_[rec.payload].reset();
    }
    for (uint32_t i = 0; i < rec.n_in; ++i) {
      if (!nd[i] || !gin_[i].defined()) continue;
      const int32_t s = in_slot(rec, i);
      materialize(s);
      grads_.add_tensor(s, gin_[i], grad_shape(s), tp_.slots_[s].dtype, rec.op->name);
    }
    gin_.clear();
  }

  // 4. The sources' gradients. A source never recorded but given as a target
  // gets the target's seed (TensorFlow returns ones there too); unconnected
  // ones are undefined, or zeros when asked.
  std::vector<Tensor> read_sources() {
    std::vector<Tensor> result;
    result.reserve(sources_.size());
    for (const Tensor& src : sources_) {
      const int32_t k = slot_of(src);
      Tensor g = k >= 0 ? grads_.tensor(k) : Tensor();
      if (!g.defined() && src.defined() && k < 0) {
        for (size_t i = 0; i < targets_.size(); ++i) {
          if (!targets_[i].defined() || targets_[i].impl() != src.impl()) continue;
          Tensor sd = (!og_.empty() && og_[i].defined()) ? og_[i] : ones_like(src);
          const Shape want = batched(src.shape(), batch_, bsize_);
          if (sd.shape() != want) sd = broadcast_to(sd, want);
          g = g.defined() ? add(g, sd) : sd;
        }
      }
      if (!g.defined() && zero_ && src.defined()) g = Tensor::zeros(batched(src.shape(), batch_, bsize_), src.dtype());
      result.push_back(g);
    }
    return result;
  }

  Tape& tp_;
  const std::vector<Tensor>& targets_;
  const std::vector<Tensor>& sources_;
  const std::vector<Tensor>& og_;
  const bool zero_;
  const int batch_;
  int64_t bsize_ = 0;
  // Records and slots made before the sweep: the only ones it visits (its
  // own ops may be recorded on this tape as it runs).
  const size_t nrec_, nslot_;
  std::vector<char> dep_, keep_;  // per slot: depends on a source; gradient kept to the end
  GradStore grads_;
  bool may_grow_ = false;
  // Scratch reused across records.
  std::vector<Tensor> gout_, gin_, saved_copy_;
  std::vector<Shape> in_shapes_;
  std::vector<DType> in_dtypes_;
  std::vector<int64_t> attrs_copy_;
  std::vector<char> needs_buf_;
};

std::vector<Tensor> Tape::gradient(const std::vector<Tensor>& targets, const std::vector<Tensor>& sources,
                                   const std::vector<Tensor>& output_grads, bool zero_unconnected, int batch) {
  const int64_t bsize = Sweep::check(*this, targets, output_grads, batch);
  // A non-persistent tape never records its own backward pass.
  if (!persistent_) released_ = true;
  Sweep sweep(*this, targets, sources, output_grads, zero_unconnected, batch);
  sweep.set_batch_size(bsize);
  return sweep.run();
}

}  // namespace fasttape
