// The elementwise op registry: one record per op entry (cpp/src/ops/), read
// by the Python bindings to define each op and place its name in the Python
// namespaces, and by anyone who wants to enumerate the ops. Entries register
// themselves at static initialisation, in the order their files define them.
#pragma once

#include <vector>

#include "fasttape/tensor.hpp"

namespace fasttape {

// The Python namespaces an op's name belongs to (TensorFlow's placement).
enum Namespace : unsigned {
  kNsTop = 1,   // fasttape.<name>   (tf.<name>)
  kNsMath = 2,  // fasttape.math.<name>
  kNsNn = 4,    // fasttape.nn.<name>
};

struct ElementwiseEntry {
  const char* name;     // fasttape's name, also the op table's (name_grad for its gradient op)
  const char* tf;       // TensorFlow's kernel name
  const char* doc;      // one line for the docstring
  unsigned namespaces;  // Namespace bits
  const char* arg0;     // the Python argument names (TensorFlow's): "x", "features", "y"
  const char* arg1;     // null for unary ops
  const char* saved;    // "x" or "y": what the gradient op takes as its second input
  Tensor (*unary)(const Tensor&);                   // set for unary ops
  Tensor (*binary)(const Tensor&, const Tensor&);   // set for binary ops
  Tensor (*grad)(const Tensor& g, const Tensor& s);  // the gradient op, where the entry has one
};

// Every elementwise entry, in registration order.
const std::vector<ElementwiseEntry>& elementwise_entries();

namespace detail {
void register_elementwise(const ElementwiseEntry& e);
}  // namespace detail

}  // namespace fasttape
