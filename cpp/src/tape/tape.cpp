// Tapes: identity, the live-tape set that prunes stale tags, per-thread
// storage recycling, watch and clear, and the RAII GradientTape. Recording is
// in recorder.cpp, the sweep in sweep.cpp (the files: tape_internal.hpp).
#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>
#include <unordered_set>

#include "tape/tape_internal.hpp"

namespace fasttape {

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

}  // namespace

namespace detail {
uint64_t next_uid() { return g_next_uid.fetch_add(1); }
void live_insert(uint64_t uid) {
  std::lock_guard<std::mutex> lk(g_live_mu);
  live_tapes().insert(uid);
}
void live_erase(uint64_t uid) {
  std::lock_guard<std::mutex> lk(g_live_mu);
  live_tapes().erase(uid);
}
[[noreturn]] void rank_too_big(int r) {
  throw InvalidArgument("a tensor of rank " + std::to_string(r) + " cannot be recorded (at most 65535)");
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
}  // namespace detail

// ------------------------------------------------------------ Tape
// A thread keeps the (emptied) vectors of a few finished tapes for the next
// ones, so a training loop that makes one tape per step does not grow and
// page-fault fresh record storage every step. Only storage of up to
// kRecycleRecords records is kept, which bounds what stays allocated.
namespace {
constexpr size_t kRecycleRecords = size_t(1) << 16;
constexpr size_t kRecycleTapes = 4;

struct TapeStorage {
  std::vector<detail::TapeAccess::Record> records;
  std::vector<int32_t> refs;
  std::vector<Tensor> saved;
  std::vector<int64_t> attrs;
  std::vector<detail::TapeAccess::Slot> slots;
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

Tape::Tape(bool persistent, bool watch_accessed_variables)
    : uid_(detail::next_uid()), persistent_(persistent), watch_accessed_(watch_accessed_variables) {
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
  detail::live_insert(uid_);
}

Tape::~Tape() {
  detail::live_erase(uid_);
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


void Tape::watch(const Tensor& t) {
  if (released_ || !t.defined() || !is_floating(t.dtype())) return;
  if (t.impl()->slot_on(uid_) >= 0) return;
  detail::TapeAccess::push_slot(*this, t, -1);
}

bool Tape::tracks(const Tensor& t) const { return t.defined() && t.impl()->slot_on(uid_) >= 0; }

void Tape::watch(const Variable& v) {
  const Tensor& value = v.value();
  if (!value.defined()) return;
  auto it = variable_index_.find(&v);
  WatchedVariable* w;
  if (it == variable_index_.end()) {
    variable_index_.emplace(&v, static_cast<uint32_t>(variables_.size()));
    variables_.push_back(WatchedVariable{&v, v.keep_alive(), {}});
    w = &variables_.back();
  } else {
    w = &variables_[it->second];
    if (!w->values.empty() && w->values.back().impl() == value.impl()) return;  // this very value: done
  }
  if (released_ || tracks(value)) return;
  watch(value);
  if (tracks(value)) w->values.push_back(value);
}

const std::vector<Tensor>& Tape::watched_values(const Variable& v) const {
  static const std::vector<Tensor> none;
  auto it = variable_index_.find(&v);
  return it == variable_index_.end() ? none : variables_[it->second].values;
}

void VariableReads::note(const Variable& v) {
  for (const auto& p : vars_)
    if (p.first == &v) return;
  vars_.emplace_back(&v, v.keep_alive());
}

const OpDef* Tape::first_unbatchable() const {
  for (const Record& rec : records_)
    if (!rec.op->batchable) return rec.op;
  return nullptr;
}

void Tape::release_storage() {
  // Everything goes now; the storage itself is kept for reuse by the next
  // tape on this thread unless it is big (see kRecycleRecords).
  const bool keep_storage = records_.capacity() <= kRecycleRecords;
  records_.clear();
  refs_.clear();
  saved_.clear();
  attrs_.clear();
  payloads_.clear();
  slots_.clear();
  dims_.clear();
  for (WatchedVariable& w : variables_) w.values.clear();  // the variables themselves stay listed
  if (!keep_storage) {
    records_.shrink_to_fit();
    refs_.shrink_to_fit();
    saved_.shrink_to_fit();
    attrs_.shrink_to_fit();
    slots_.shrink_to_fit();
    dims_.shrink_to_fit();
  }
}

void Tape::release() {
  release_storage();
  released_ = true;
}

void Tape::clear() {
  release_storage();
  variables_.clear();
  variable_index_.clear();
  // Tensors still carry tags for this uid; give the tape a new identity so
  // they no longer match.
  detail::live_erase(uid_);
  uid_ = detail::next_uid();
  detail::live_insert(uid_);
  released_ = false;
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
