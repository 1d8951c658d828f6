// The elementwise op registry (fasttape/registry.hpp).
#include "fasttape/registry.hpp"

namespace fasttape {

static std::vector<ElementwiseEntry>& entries_mut() {
  static std::vector<ElementwiseEntry> v;
  return v;
}

const std::vector<ElementwiseEntry>& elementwise_entries() { return entries_mut(); }

namespace detail {
void register_elementwise(const ElementwiseEntry& e) { entries_mut().push_back(e); }
}  // namespace detail

}  // namespace fasttape
