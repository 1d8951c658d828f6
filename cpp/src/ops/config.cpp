// The public C++ API's configuration calls (fasttape/ops.hpp): threads and
// the SIMD instruction set, answered by the kernels layer.
#include "fasttape/ops.hpp"
#include "kernels/kernels.hpp"

namespace fasttape {
int num_threads() { return kernels::num_threads(); }
void set_num_threads(int n) { kernels::set_num_threads(n); }
const char* simd_isa() { return kernels::isa_name(); }
}  // namespace fasttape
