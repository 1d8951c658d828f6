// TensorFlow's TypeError for a call whose keywords or argument count do not
// fit an op: "reduce_sum() got an unexpected keyword argument 'axes'",
// where pybind11 alone answers "incompatible function arguments" and lists
// the signature.
//
// How: each module function is wrapped in a small callable (OpFunction)
// that passes the call straight on (vectorcall: a few instructions) and,
// only when pybind11 rejects the arguments, checks the keywords and the
// argument count against the op's parameters and raises the clearer
// TypeError; an argument of the wrong type keeps pybind11's message. (A
// second pybind11 overload could do the same, but an overloaded function
// makes pybind11's dispatch slower for every call.) The wrapper shows the
// op's name, docstring and text signature, so help(), inspect.signature
// and the stub generator see the op.
#include <cstddef>
#include <cstdlib>
#include <string>
#include <vector>

#include "bindings.hpp"  // Python.h first: structmember.h needs it
#include <structmember.h>

namespace ftbind {
namespace {

struct Params {
  std::vector<std::string> names;  // every named parameter
  size_t positional = 0;           // how many of them may be passed by position
  bool open = false;               // takes *args or **kwargs: anything fits
  std::string text_signature;      // "(a, b=None, *, c=False)", for inspect.signature
};

// A default value inspect can read back (a Python literal), else "...".
std::string literal(const std::string& v) {
  if (v == "None" || v == "True" || v == "False" || v == "[]" || v == "()") return v;
  if (v.size() >= 2 && (v.front() == '\'' || v.front() == '"') && v.back() == v.front()) return v;
  char* end = nullptr;
  std::strtod(v.c_str(), &end);
  if (!v.empty() && end && *end == '\0') return v;
  return "...";
}

// The parameters of pybind11's signature line "name(a: T, b: U = 1, *, c: V) -> R".
bool parse(const std::string& doc, const std::string& name, Params* out) {
  if (doc.compare(0, name.size() + 1, name + "(") != 0) return false;  // no signature, or overloaded
  size_t i = name.size() + 1;
  int depth = 0;
  std::string cur;
  std::vector<std::string> parts;
  for (; i < doc.size(); ++i) {
    const char c = doc[i];
    if (depth == 0 && c == ')') break;
    if (c == '(' || c == '[' || c == '{') ++depth;
    if (c == ')' || c == ']' || c == '}') --depth;
    if (depth == 0 && c == ',') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (i == doc.size()) return false;
  if (!cur.empty()) parts.push_back(cur);
  bool keyword_only = false;
  std::vector<std::string> sig;
  for (std::string p : parts) {
    const size_t b = p.find_first_not_of(' ');
    if (b == std::string::npos) continue;
    p = p.substr(b);
    if (p == "/") continue;
    if (p == "*") {
      keyword_only = true;
      continue;
    }
    if (p[0] == '*') {
      out->open = true;
      continue;
    }
    const size_t e = p.find_first_of(":= ");
    out->names.push_back(p.substr(0, e));
    if (!keyword_only) ++out->positional;
    if (keyword_only && out->names.size() == out->positional + 1) sig.push_back("*");
    const size_t eq = p.find(" = ");
    sig.push_back(out->names.back() + (eq == std::string::npos ? "" : "=" + literal(p.substr(eq + 3))));
  }
  out->text_signature = "(";
  for (size_t k = 0; k < sig.size(); ++k) out->text_signature += (k ? ", " : "") + sig[k];
  out->text_signature += ")";
  return true;
}

// The TypeError for a call that cannot fit `p` whatever its argument types,
// or "" if the names and counts fit (then the types did not).
std::string misfit(const std::string& name, const Params& p, size_t nargs, PyObject* kwnames) {
  if (nargs > p.positional)
    return name + "() takes at most " + std::to_string(p.positional) + " positional argument" +
           (p.positional == 1 ? "" : "s") + " (" + std::to_string(nargs) + " given)";
  const Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  for (Py_ssize_t j = 0; j < nkw; ++j) {
    const char* key = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, j));
    if (!key) {
      PyErr_Clear();
      continue;
    }
    size_t k = 0;
    while (k < p.names.size() && p.names[k] != key) ++k;
    if (k == p.names.size()) return name + "() got an unexpected keyword argument '" + key + "'";
    if (k < nargs) return name + "() got multiple values for argument '" + key + "'";
  }
  return "";
}

struct OpFunction {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  PyObject* inner;  // the pybind11 function
  vectorcallfunc inner_call;  // its vectorcall entry, called directly
  std::string* name;
  Params* params;
};

OpFunction* as_op(PyObject* self) { return reinterpret_cast<OpFunction*>(self); }

PyObject* op_vectorcall(PyObject* self, PyObject* const* args, size_t nargsf, PyObject* kwnames) {
  PyObject* r = as_op(self)->inner_call(as_op(self)->inner, args, nargsf, kwnames);
  if (r || !PyErr_ExceptionMatches(PyExc_TypeError)) return r;
  const std::string why = misfit(*as_op(self)->name, *as_op(self)->params, PyVectorcall_NARGS(nargsf), kwnames);
  if (!why.empty()) {
    PyErr_Clear();
    PyErr_SetString(PyExc_TypeError, why.c_str());
  }
  return nullptr;
}

PyObject* op_get_doc(PyObject* self, void*) { return PyObject_GetAttrString(as_op(self)->inner, "__doc__"); }
PyObject* op_get_name(PyObject* self, void*) { return PyUnicode_FromString(as_op(self)->name->c_str()); }
PyObject* op_get_text_signature(PyObject* self, void*) {
  return PyUnicode_FromString(as_op(self)->params->text_signature.c_str());
}
// Not bound to an instance when stored on a class, like a builtin function;
// having __get__ also makes inspect read the op as a builtin, through
// __text_signature__.
PyObject* op_descr_get(PyObject* self, PyObject*, PyObject*) {
  Py_INCREF(self);
  return self;
}
PyObject* op_repr(PyObject* self) { return PyUnicode_FromFormat("<fasttape op %s>", as_op(self)->name->c_str()); }

PyGetSetDef op_getset[] = {
    {"__doc__", op_get_doc, nullptr, nullptr, nullptr},
    {"__name__", op_get_name, nullptr, nullptr, nullptr},
    {"__qualname__", op_get_name, nullptr, nullptr, nullptr},
    {"__text_signature__", op_get_text_signature, nullptr, nullptr, nullptr},
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMemberDef op_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(OpFunction, vectorcall), READONLY, nullptr},
    {nullptr, 0, 0, 0, nullptr},
};

}  // namespace

void add_argument_errors(py::module_& m) {
  // The wrappers live as long as the process, like the functions they wrap.
  static PyType_Slot slots[] = {
      {Py_tp_call, reinterpret_cast<void*>(PyVectorcall_Call)},
      {Py_tp_getset, op_getset},
      {Py_tp_members, op_members},
      {Py_tp_repr, reinterpret_cast<void*>(op_repr)},
      {Py_tp_descr_get, reinterpret_cast<void*>(op_descr_get)},
      {0, nullptr},
  };
#ifdef Py_TPFLAGS_IMMUTABLETYPE
  constexpr unsigned long kImmutable = Py_TPFLAGS_IMMUTABLETYPE;
#else
  constexpr unsigned long kImmutable = 0;
#endif
  static PyType_Spec spec = {"fasttape._core._OpFunction", sizeof(OpFunction), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_VECTORCALL | kImmutable, slots};
  PyObject* type = PyType_FromSpec(&spec);
  if (!type) throw py::error_already_set();
  m.attr("_OpFunction") = py::reinterpret_steal<py::object>(type);
  std::vector<std::pair<std::string, py::object>> funcs;
  for (auto item : py::reinterpret_borrow<py::dict>(m.attr("__dict__"))) {
    PyObject* f = item.second.ptr();
    if (!PyCFunction_Check(f)) continue;  // the module's functions (all made by pybind11)
    funcs.emplace_back(py::str(item.first), py::reinterpret_borrow<py::object>(f));
  }
  for (auto& [name, f] : funcs) {
    const char* doc = reinterpret_cast<PyCFunctionObject*>(f.ptr())->m_ml->ml_doc;
    Params p;
    vectorcallfunc call = PyVectorcall_Function(f.ptr());
    if (!doc || !call || !parse(doc, name, &p) || p.open) continue;
    auto* o = PyObject_New(OpFunction, reinterpret_cast<PyTypeObject*>(type));
    if (!o) throw py::error_already_set();
    o->vectorcall = op_vectorcall;
    o->inner = f.inc_ref().ptr();
    o->inner_call = call;
    o->name = new std::string(name);
    o->params = new Params(p);
    m.attr(name.c_str()) = py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(o));
  }
}

}  // namespace ftbind
