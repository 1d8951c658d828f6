// pybind11 bindings of the math ops (shared helpers: bindings.hpp).
#include "bindings.hpp"

void bind_math(py::module_& m) { (void)m; }
