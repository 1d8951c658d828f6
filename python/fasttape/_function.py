"""``fasttape.function`` and ``fasttape.TensorSpec``.

fasttape runs every op eagerly, so a decorated function runs its Python
body on each call, as TensorFlow's functions do under
``tf.config.run_functions_eagerly(True)``: gradients flow through it on any
tape, and Python side effects (printing, appending to lists) happen on every
call rather than once per trace. What TensorFlow checks at the boundary is
checked here too: an ``input_signature`` binds and converts the arguments
and rejects a shape or dtype that does not fit with TensorFlow's TypeError.
Nothing here compiles; the decorator keeps the arguments (``jit_compile``,
``reduce_retracing``, ``autograph``) so that a compiler can use them later.
"""

import functools
import weakref

from . import _core
from ._dtypes import as_dtype, float32
from ._tensor import as_shape, convert_to_tensor

__all__ = ["function", "TensorSpec", "Function", "ConcreteFunction"]


class TensorSpec:
    """The shape and dtype a tensor argument must have; ``None`` dimensions
    (and ``shape=None``, unknown rank) accept any size."""

    __slots__ = ("_shape", "_dtype", "_name")

    def __init__(self, shape, dtype=float32, name=None):
        self._shape = as_shape(shape)
        self._dtype = as_dtype(dtype)
        self._name = name

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


def _spec_of(value):
    if _core.is_tensor(value) or _core.is_variable(value):
        return TensorSpec(value.shape, value.dtype)
    return None


def _bind_to_spec(value, spec):
    """``value`` converted to a tensor fitting ``spec``, or None if it cannot."""
    if _core.is_tensor(value) or _core.is_variable(value):
        t = value
    else:
        try:
            t = convert_to_tensor(value, dtype=spec.dtype)
        except (TypeError, ValueError):
            try:
                t = convert_to_tensor(value)
            except (TypeError, ValueError):
                return None, None
    got = TensorSpec(t.shape, t.dtype)
    if not spec.is_compatible_with(got):
        return None, got
    return t, got


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
    Python function, with an optional enforced ``input_signature``."""

    def __init__(self, python_function, input_signature=None, autograph=True, jit_compile=None,
                 reduce_retracing=False, name=None, experimental_attributes=None):
        if not callable(python_function):
            raise TypeError("fasttape.function: the decorated object must be callable, got %r" % (python_function,))
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
                raise TypeError("input_signature must be either a tuple or a list, got %s."
                                % type(input_signature).__name__)
            for s in _flatten_specs(input_signature):
                if not isinstance(s, TensorSpec):
                    raise TypeError("input_signature must be a possibly nested sequence of TensorSpec objects, "
                                    "got invalid args %r with dtype %r." % (s, type(s).__name__))
            input_signature = tuple(input_signature)
        self._input_signature = input_signature
        self._descriptor_cache = weakref.WeakKeyDictionary()
        functools.update_wrapper(self, python_function)

    python_function = property(lambda self: self._python_function)
    input_signature = property(lambda self: self._input_signature)
    function_spec = property(lambda self: self._signature)
    name = property(lambda self: self._name)

    def _param_text(self):
        names = [p for p in self._signature.parameters]
        if self._input_signature is None:
            return "(%s)" % ", ".join(names)
        parts = []
        for i, spec in enumerate(self._input_signature):
            n = names[i] if i < len(names) else "arg%d" % i
            parts.append("%s: %r" % (n, spec))
        return "(%s)" % ", ".join(parts)

    def _binding_error(self, reason, args, kwargs):
        return TypeError("Binding inputs to tf.function failed due to `%s`. Received args: %r and kwargs: %r for "
                         "signature: %s." % (reason, args, kwargs, self._param_text()))

    def _bind(self, args, kwargs):
        """Arguments checked and converted against the input signature."""
        sig = self._input_signature
        if sig is None:
            return args, kwargs
        params = list(self._signature.parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        try:
            bound = self._signature.bind(*args, **kwargs)
        except TypeError as e:
            raise self._binding_error(str(e), args, kwargs) from None
        if len(args) > len(sig) and not any(p.kind == p.VAR_POSITIONAL for p in params):
            raise self._binding_error("too many positional arguments", args, kwargs)
        if len(args) > len(sig):
            raise self._binding_error("too many positional arguments", args, kwargs)
        values = list(args)
        for p in positional[len(args):len(sig)]:
            if p.name in bound.arguments:
                values.append(bound.arguments[p.name])
            else:
                raise self._binding_error("missing a required argument: '%s'" % p.name, args, kwargs)
        extra_kwargs = {k: v for k, v in kwargs.items() if k not in {p.name for p in positional[:len(sig)]}}
        if extra_kwargs:
            raise self._binding_error("got an unexpected keyword argument '%s'" % next(iter(extra_kwargs)),
                                      args, kwargs)
        converted = [self._convert(v, s, args, kwargs) for v, s in zip(values, sig)]
        return tuple(converted), {}

    def _convert(self, value, spec, args, kwargs):
        if isinstance(spec, (list, tuple)):
            if not isinstance(value, (list, tuple)) or len(value) != len(spec):
                raise self._binding_error("Can not cast %r to %r" % (value, spec), args, kwargs)
            return type(value)(self._convert(v, s, args, kwargs) for v, s in zip(value, spec))
        if isinstance(spec, dict):
            if not isinstance(value, dict) or sorted(value) != sorted(spec):
                raise self._binding_error("Can not cast %r to %r" % (value, spec), args, kwargs)
            return {k: self._convert(value[k], spec[k], args, kwargs) for k in value}
        t, got = _bind_to_spec(value, spec)
        if t is None:
            what = repr(got) if got is not None else repr(value)
            raise self._binding_error("Can not cast %s to %r" % (what, TensorSpec(spec.shape, spec.dtype)),
                                      args, kwargs)
        return t

    def __call__(self, *args, **kwargs):
        args, kwargs = self._bind(args, kwargs)
        return self._python_function(*args, **kwargs)

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
        """A ConcreteFunction for these argument types (TensorSpecs or values;
        with an input_signature, no arguments are needed)."""
        if self._input_signature is not None and not args and not kwargs:
            specs = self._input_signature
        else:
            specs = tuple(a if isinstance(a, TensorSpec) else (_spec_of(a) or a) for a in args)
        names = list(self._signature.parameters)
        named = tuple(TensorSpec(s.shape, s.dtype, s.name or (names[i] if i < len(names) else None))
                      if isinstance(s, TensorSpec) else s for i, s in enumerate(specs))
        kw = {k: (v if isinstance(v, TensorSpec) else (_spec_of(v) or v)) for k, v in kwargs.items()}
        defaults = tuple(p.default for p in list(self._signature.parameters.values())[len(named):]
                         if p.default is not p.empty and p.name not in kw
                         and p.kind == p.POSITIONAL_OR_KEYWORD)
        return ConcreteFunction(self, named + defaults, kw)

    def experimental_get_compiler_ir(self, *args, **kwargs):
        raise ValueError("fasttape.function does not compile: there is no compiler IR for %s" % self._name)

    def __repr__(self):
        return "<fasttape.function %s%s>" % (self._name, self._param_text())


class ConcreteFunction:
    """A Function specialised to argument types: calls must pass tensors of
    the recorded dtypes and ranks. No graph is built (fasttape runs eagerly),
    so graph-only attributes (``graph``, ``inputs``, ``outputs``) do not exist."""

    def __init__(self, function, args, kwargs):
        self._function = function
        self.structured_input_signature = (args, kwargs)

    @property
    def function_type(self):
        return self._function.function_spec

    def pretty_printed_signature(self, verbose=True):
        args, kwargs = self.structured_input_signature
        return "%s(%s)" % (self._function.name, ", ".join(
            [repr(a) for a in args] + ["%s=%r" % kv for kv in kwargs.items()]))

    def __call__(self, *args, **kwargs):
        specs, kw_specs = self.structured_input_signature
        for i, (value, spec) in enumerate(zip(args, specs)):
            if isinstance(spec, TensorSpec):
                got = _spec_of(value) or _spec_of(convert_to_tensor(value, dtype=spec.dtype))
                rank_differs = spec.shape.rank is not None and got.shape.rank != spec.shape.rank
                if got.dtype != spec.dtype or rank_differs:
                    raise TypeError("%s: argument %d has %r, which does not fit the concrete function's %r"
                                    % (self._function.name, i, got, spec))
        return self._function.python_function(*args, **kwargs)

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

