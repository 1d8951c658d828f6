// pybind11 bindings of the index ops (shared helpers: bindings.hpp).
#include "bindings.hpp"

void bind_index(py::module_& m) { (void)m; }
