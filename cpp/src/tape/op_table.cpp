// The op table: every differentiable op's OpDef registers itself here at
// static initialisation (include/fasttape/tape.hpp).
#include "fasttape/tape.hpp"

namespace fasttape {

static std::vector<const OpDef*>& op_table_mut() {
  static std::vector<const OpDef*> table;
  return table;
}

OpDef::OpDef(const char* n, VjpFn f, JvpFn j, bool b) : name(n), vjp(f), jvp(j), batchable(b) {
  if (f) op_table_mut().push_back(this);
}

const std::vector<const OpDef*>& op_table() { return op_table_mut(); }

}  // namespace fasttape
