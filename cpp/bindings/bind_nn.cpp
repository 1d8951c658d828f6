// pybind11 bindings of the nn ops (shared helpers: bindings.hpp).
#include "bindings.hpp"

void bind_nn(py::module_& m) { (void)m; }
