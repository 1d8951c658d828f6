"""``fasttape.function`` and ``fasttape.TensorSpec``.

fasttape runs every op eagerly, so a decorated function runs its Python
body on each call, as TensorFlow's functions do under
``tf.config.run_functions_eagerly(True)``: gradients flow through it on any
tape, and Python side effects (printing, appending to lists) happen on every
call rather than once per trace. What TensorFlow checks at the boundary is
checked here too: an ``input_signature`` binds and converts the arguments
and rejects a shape or dtype that does not fit with TensorFlow's TypeError,
and results come back as from a traced function (Python numbers, numpy
arrays and Variables as tensors; see ``_outputs``).
Nothing here compiles; the decorator keeps the arguments (``jit_compile``,
``reduce_retracing``, ``autograph``) so that a compiler can use them later.
"""

import functools
import weakref

from . import _core
from . import _nest
from ._dtypes import as_dtype, float32
from ._tensor import as_shape, convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["function", "TensorSpec", "Function", "ConcreteFunction"]


class TensorSpec:
    """The shape and dtype a tensor argument must have; ``None`` dimensions
    (and ``shape=None``, unknown rank) accept any size."""

    __slots__ = ("_shape", "_dtype", "_name", "_dims")

    def __init__(self, shape, dtype=float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = as_dtype(dtype)
        self._name = name
        self._dims = None if self._shape.rank is None else tuple(self._shape.as_list())

    shape = property(lambda self: self._shape)
    dtype = property(lambda self: self._dtype)
    name = property(lambda self: self._name)

    @classmethod
    def from_tensor(cls, tensor, name=None):
        t = tensor if _core.is_tensor(tensor) or _core.is_variable(tensor) else convert_to_tensor(tensor)
        return cls(t.shape, t.dtype, name if name is not None else getattr(tensor, "_spec_name", None))

    @classmethod
    def from_spec(cls, spec, name=None):
        return cls(spec.shape, spec.dtype, name if name is not None else spec.name)

    def is_compatible_with(self, spec_or_tensor):
        """Same dtype, and shapes compatible (unknown dimensions match any)."""
        other = spec_or_tensor
        if not isinstance(other, TensorSpec):
            if not (_core.is_tensor(other) or _core.is_variable(other)):
                try:
                    other = convert_to_tensor(other)
                except (TypeError, ValueError):
                    return False
            other = TensorSpec(other.shape, other.dtype)
        return self._dtype == other.dtype and self._shape.is_compatible_with(other.shape)

    def is_subtype_of(self, other):
        return isinstance(other, TensorSpec) and self._dtype == other.dtype and self._shape.is_subtype_of(other.shape)

    def most_specific_common_supertype(self, others):
        shape = self._shape
        for o in others:
            if not isinstance(o, TensorSpec) or o.dtype != self._dtype:
                return None
            shape = shape.most_specific_compatible_shape(o.shape)
        return TensorSpec(shape, self._dtype)

    def __eq__(self, other):
        return (isinstance(other, TensorSpec) and self._shape == other._shape and self._dtype == other._dtype
                and self._name == other._name)

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((TensorSpec, self._shape, self._dtype, self._name))

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=%r, name=%r)" % (self._shape, self._dtype, self._name)

    __str__ = __repr__

    def __reduce__(self):
        return (TensorSpec, (None if self._shape.rank is None else list(self._shape), self._dtype, self._name))


def _bind_to_spec(value, spec):
    """``(tensor, None)``: ``value`` as a tensor fitting ``spec``; else
    ``(None, reason)`` with TensorFlow's reason."""
    if _core.is_tensor(value) or _core.is_variable(value):
        t = value
    else:
        try:
            t = convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError) as e:
            return None, str(e)
    if t.dtype != spec.dtype or not _shape_fits(spec._dims, tuple(t.shape)):
        return None, "Can not cast %r to %r" % (TensorSpec(t.shape, t.dtype), TensorSpec(spec.shape, spec.dtype))
    return t, None


def _flatten_specs(signature):
    out = []
    stack = [signature]
    while stack:
        s = stack.pop()
        if isinstance(s, (list, tuple)):
            stack.extend(reversed(s))
        elif isinstance(s, dict):
            stack.extend(s[k] for k in sorted(s, reverse=True))
        else:
            out.append(s)
    return out


def _output_leaf(value, function):
    if value is None or _core.is_tensor(value):
        return value
    if _core.is_variable(value):
        return convert_to_tensor(value)  # a read the tape records
    if isinstance(value, (str, bytes)):
        return value  # fasttape has no string tensors
    if hasattr(value, "element_spec"):
        return value  # a Dataset: a composite value TensorFlow returns as it is
    try:
        return convert_to_tensor(value)
    except (TypeError, ValueError):
        raise TypeError("To be compatible with tf.function, Python functions must return zero or more Tensors or "
                        "ExtensionTypes or None values; in compilation of %s, found return value of type %s, which "
                        "is not a Tensor or ExtensionType." % (function, type(value).__name__)) from None


def _outputs(value, function):
    """A function's result as TensorFlow returns it from a traced function:
    each leaf that is not None or a tensor converted to a tensor (a Variable
    to its value), in the same structure. Unchanged when functions run
    eagerly (``config.run_functions_eagerly(True)``), as in TensorFlow."""
    if _run_eagerly[0]:
        return value
    if not _nest.is_nested(value):
        return _output_leaf(value, function)
    return _nest.pack_sequence_as(value, [_output_leaf(v, function) for v in _nest.flatten(value)])


_Tensor = _core.Tensor
# TensorFlow's names for dtypes in a concrete function's dtype error.
_C_TYPE = {"float32": "float", "float64": "double"}


def _trace_text(spec):
    """A signature entry as TensorFlow's binding errors show it."""
    if isinstance(spec, dict):
        return "Dict[%s]" % ", ".join("[%r, %s]" % (k, _trace_text(spec[k])) for k in sorted(spec))
    if isinstance(spec, list):
        return "List[%s]" % ", ".join(_trace_text(s) for s in spec)
    if isinstance(spec, tuple):
        return "Tuple[%s]" % ", ".join(_trace_text(s) for s in spec)
    return repr(spec)


def _shape_fits(dims, shape):
    """``shape`` (a tuple) fits ``dims`` (None: any rank; None entries: any size)."""
    if dims is None:
        return True
    if len(dims) != len(shape):
        return False
    for d, n in zip(dims, shape):
        if d is not None and d != n:
            return False
    return True


_run_eagerly = [False]  # the process-wide setting, as TensorFlow's


def run_functions_eagerly(run_eagerly):
    """Kept for TensorFlow compatibility: fasttape's functions always run
    eagerly; the setting is remembered and returned by
    ``functions_run_eagerly()``."""
    _run_eagerly[0] = bool(run_eagerly)


def functions_run_eagerly():
    return _run_eagerly[0]


class Function:
    """A function decorated with ``fasttape.function``: callable like the
    Python function, with an optional enforced ``input_signature``. Results
    come back as TensorFlow returns them (Python numbers and Variables as
    tensors)."""

    def __init__(self, python_function, input_signature=None, autograph=True, jit_compile=None,
                 reduce_retracing=False, name=None, experimental_attributes=None):
        if not callable(python_function):
            raise TypeError("%r is not a callable object" % (python_function,))
        self._python_function = python_function
        self._jit_compile = jit_compile
        self._reduce_retracing = bool(reduce_retracing)
        self._autograph = autograph
        self._experimental_attributes = experimental_attributes
        self._name = name or getattr(python_function, "__name__", "function")
        import inspect  # here, not at module level: it costs milliseconds of import time

        self._signature = inspect.signature(python_function)
        if input_signature is not None:
            if not isinstance(input_signature, (list, tuple)):
                raise TypeError("input_signature must be either a tuple or a list, got %s." % type(input_signature))
            bad = [s for s in _flatten_specs(input_signature) if not isinstance(s, TensorSpec)]
            if bad:
                raise TypeError("input_signature must be a possibly nested sequence of TensorSpec objects, got "
                                "invalid args %s with types %s." % (bad, [type(s) for s in bad]))
            input_signature = tuple(input_signature)
            params = self._signature.parameters.values()
            self._positional = tuple(p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))
            self.__class__ = _SignatureFunction
        self._input_signature = input_signature
        self._descriptor_cache = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    python_function = property(lambda self: self._python_function)
    input_signature = property(lambda self: self._input_signature)
    function_spec = property(lambda self: self._signature)
    name = property(lambda self: self._name)

    def __call__(self, *args, **kwargs):
        # Kept to a plain call: a function with an input_signature is a
        # _SignatureFunction, whose __call__ binds the arguments first.
        out = self._python_function(*args, **kwargs)
        if type(out) is _Tensor or out is None:
            return out
        return _outputs(out, self._python_function)

    def _param_text(self):
        names = list(self._signature.parameters)
        if self._input_signature is None:
            return "(%s)" % ", ".join(names)
        parts = []
        for i, spec in enumerate(self._input_signature):
            n = names[i] if i < len(names) else "arg%d" % i
            parts.append("%s: %s" % (n, _trace_text(spec)))
        return "(%s)" % ", ".join(parts)

    def _binding_error(self, reason, args, kwargs):
        return TypeError("Binding inputs to tf.function failed due to `%s`. Received args: %r and kwargs: %r for "
                         "signature: %s." % (reason, args, kwargs, self._param_text()))

    def _bind(self, args, kwargs):
        """The arguments, checked against the input signature and converted
        to tensors, as a tuple of positional arguments."""
        sig = self._input_signature
        if len(args) == len(sig) and not kwargs:
            values = args
        else:
            values = self._bind_slow(args, kwargs)
        out = []
        for v, s in zip(values, sig):
            # Fast path: a tensor of the spec's dtype and a fitting shape.
            if type(v) is _Tensor and type(s) is TensorSpec and v.dtype is s._dtype and _shape_fits(s._dims, v._shape):
                out.append(v)
            else:
                out.append(self._convert(v, s, args, kwargs))
        return tuple(out)

    def _bind_slow(self, args, kwargs):
        sig = self._input_signature
        try:
            self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise self._binding_error(str(e), args, kwargs) from None
        if len(args) > len(sig):
            raise self._binding_error("too many positional arguments", args, kwargs)
        names = self._positional[:len(sig)]
        values = list(args)
        for name in names[len(args):]:
            if name not in kwargs:
                raise self._binding_error("missing a required argument: '%s'" % name, args, kwargs)
            values.append(kwargs[name])
        extra = [k for k in kwargs if k not in names]
        if extra:
            raise self._binding_error("got an unexpected keyword argument '%s'" % extra[0], args, kwargs)
        return values

    def _convert(self, value, spec, args, kwargs):
        if isinstance(spec, (list, tuple)):
            kind = "list" if isinstance(spec, list) else "tuple"
            if not isinstance(value, list if kind == "list" else tuple):
                raise self._binding_error("Can not cast %r to %s type." % (value, kind), args, kwargs)
            if len(value) != len(spec):
                raise self._binding_error("Expected %r to have length of %d" % (value, len(spec)), args, kwargs)
            items = [self._convert(v, s, args, kwargs) for v, s in zip(value, spec)]
            return type(value)(*items) if hasattr(type(value), "_fields") else type(value)(items)
        if isinstance(spec, dict):
            if not isinstance(value, dict) or set(value) != set(spec):
                raise self._binding_error("%r has different keys with the TraceType %s." % (value, _trace_text(spec)),
                                          args, kwargs)
            return {k: self._convert(value[k], spec[k], args, kwargs) for k in value}
        t, reason = _bind_to_spec(value, spec)
        if t is None:
            raise self._binding_error(reason, args, kwargs)
        return t

    def __get__(self, instance, owner):
        """Decorating a method binds it to each instance, as TensorFlow does."""
        if instance is None:
            return self
        try:
            return self._descriptor_cache[instance]
        except (KeyError, TypeError):
            pass
        bound = Function(self._python_function.__get__(instance, owner),
                         None if self._input_signature is None else self._input_signature, self._autograph,
                         self._jit_compile, self._reduce_retracing, self._name, self._experimental_attributes)
        try:
            self._descriptor_cache[instance] = bound
        except TypeError:
            pass
        return bound

    def get_concrete_function(self, *args, **kwargs):
        """A ConcreteFunction for these arguments (TensorSpecs, tensors, whose
        types are kept, or Python values, which are fixed; with an
        input_signature, no arguments are needed). Its
        ``structured_input_signature`` lists the positional parameters in
        order (defaults included), each TensorSpec named after its parameter."""
        if self._input_signature is not None and not args and not kwargs:
            args = self._input_signature
        try:
            bound = self._signature.bind_partial(*args, **kwargs)
        except TypeError as e:
            raise self._binding_error(str(e), args, kwargs) from None
        bound.apply_defaults()
        positional, names, keyword = [], [], {}
        for name, p in self._signature.parameters.items():
            if name not in bound.arguments:
                continue
            value = bound.arguments[name]
            if p.kind == p.VAR_POSITIONAL:
                for i, v in enumerate(value):
                    positional.append(_named_specs(v, "%s_%d" % (name, i)))
                    names.append(None)
            elif p.kind == p.VAR_KEYWORD:
                keyword.update((k, _named_specs(v, k)) for k, v in value.items())
            elif p.kind == p.KEYWORD_ONLY:
                keyword[name] = _named_specs(value, name)
            else:
                positional.append(_named_specs(value, name))
                names.append(name)
        return ConcreteFunction(self, tuple(positional), keyword, names)

    def experimental_get_compiler_ir(self, *args, **kwargs):
        raise ValueError("fasttape.function does not compile: there is no compiler IR for %s" % self._name)

    def __repr__(self):
        return "<fasttape.function %s%s>" % (self._name, self._param_text())


class _SignatureFunction(Function):
    """A Function with an input_signature: arguments are bound and
    converted before each call."""

    def __call__(self, *args, **kwargs):
        out = self._python_function(*self._bind(args, kwargs))
        if type(out) is _Tensor or out is None:
            return out
        return _outputs(out, self._python_function)


_SignatureFunction.__name__ = _SignatureFunction.__qualname__ = "Function"  # as type(f) shows in TensorFlow


def _named_specs(value, name):
    """``value`` with each tensor leaf replaced by its TensorSpec; specs
    without a name are named after the parameter (nested ones with their
    path appended: ``x_0``, ``x_a``)."""
    if _nest.is_nested(value):
        paths = _nest._tuple_paths(value)
        leaves = [_named_specs(v, "_".join([name] + [str(k) for k in p]))
                  for p, v in zip(paths, _nest.flatten(value))]
        return _nest.pack_sequence_as(value, leaves)
    if isinstance(value, TensorSpec):
        return value if value.name is not None else TensorSpec(value.shape, value.dtype, name)
    if _core.is_tensor(value) or _core.is_variable(value):
        return TensorSpec(value.shape, value.dtype, name)
    return value


def _has_spec(spec):
    return any(isinstance(s, TensorSpec) for s in _nest.flatten(spec))


class ConcreteFunction:
    """A Function specialised to argument types. Tensor arguments must have
    the recorded dtypes (InvalidArgumentError otherwise; shapes are not
    checked, as in TensorFlow's eager calls); Python values given to
    ``get_concrete_function`` are fixed and may be left out of calls. No
    graph is built (fasttape runs eagerly), so graph-only attributes
    (``graph``, ``inputs``, ``outputs``) do not exist."""

    def __init__(self, function, args, kwargs, names=None):
        self._function = function
        self._names = list(names) if names is not None else [None] * len(args)
        self.structured_input_signature = (args, kwargs)

    @property
    def function_type(self):
        return self._function.function_spec

    def pretty_printed_signature(self, verbose=True):
        args, kwargs = self.structured_input_signature
        return "%s(%s)" % (self._function.name, ", ".join(
            [repr(a) for a in args] + ["%s=%r" % kv for kv in kwargs.items()]))

    def _error(self, reason, args, kwargs):
        return TypeError("Binding inputs to tf.function failed due to `%s`. Received args: %r and kwargs: %r for "
                         "signature: %s." % (reason, args, kwargs, self.pretty_printed_signature()))

    def __call__(self, *args, **kwargs):
        specs, kw_specs = self.structured_input_signature
        if len(args) > len(specs):
            raise self._error("too many positional arguments", args, kwargs)
        rest = dict(kwargs)
        values = list(args)
        for spec, name in zip(specs[len(args):], self._names[len(args):]):
            if name is not None and name in rest:
                values.append(rest.pop(name))
            elif not _has_spec(spec):
                values.append(spec)  # a Python value fixed by get_concrete_function
            else:
                raise self._error("missing a required argument: '%s'" % name, args, kwargs)
        for name, spec in kw_specs.items():
            if name not in rest:
                if _has_spec(spec):
                    raise self._error("missing a required argument: '%s'" % name, args, kwargs)
                rest[name] = spec
        flat_specs = _nest.flatten(list(specs) + [kw_specs[k] for k in kw_specs])
        flat_values = _nest.flatten(values + [rest.get(k) for k in kw_specs])
        if len(flat_specs) == len(flat_values):
            for i, (spec, value) in enumerate(zip(flat_specs, flat_values)):
                if isinstance(spec, TensorSpec):
                    self._check_dtype(i, spec, value)
        out = self._function.python_function(*values, **rest)
        return _outputs(out, self._function.python_function)

    def _check_dtype(self, index, spec, value):
        if _core.is_tensor(value) or _core.is_variable(value):
            dtype = value.dtype
        else:
            try:
                dtype = convert_to_tensor(value).dtype
            except (TypeError, ValueError):
                raise TypeError("%s: expected argument #%d(zero-based) to be a Tensor; got %s (%r)."
                                % (self._function.name, index, type(value).__name__, value)) from None
            if dtype != spec.dtype:
                try:
                    dtype = convert_to_tensor(value, dtype=spec.dtype).dtype
                except (TypeError, ValueError):
                    pass
        if dtype != spec.dtype:
            raise InvalidArgumentError(None, None, "cannot compute %s as input #%d(zero-based) was expected to be a "
                                       "%s tensor but is a %s tensor" % (
                                           self._function.name, index, _C_TYPE.get(spec.dtype.name, spec.dtype.name),
                                           _C_TYPE.get(dtype.name, dtype.name)))

    def __repr__(self):
        return "<ConcreteFunction %s>" % self.pretty_printed_signature()


def function(func=None, input_signature=None, autograph=True, jit_compile=None, reduce_retracing=False,
             experimental_implements=None, experimental_autograph_options=None, experimental_attributes=None,
             experimental_relax_shapes=None, experimental_compile=None, experimental_follow_type_hints=None):
    """TensorFlow's ``tf.function``, as a decorator with or without
    arguments. The function runs eagerly on every call (see the module doc)."""
    if experimental_compile is not None and jit_compile is None:
        jit_compile = experimental_compile
    if experimental_relax_shapes:
        reduce_retracing = True

    def decorate(f):
        return Function(f, input_signature, autograph, jit_compile, reduce_retracing,
                        experimental_attributes=experimental_attributes)

    if func is None:
        return decorate
    return decorate(func)

