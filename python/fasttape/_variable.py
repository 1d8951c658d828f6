"""Variable: TensorFlow's mutable tensor slot.

The value lives in the C++ base class ``_core.Variable``: assigns write in
place only when nobody else holds the current value (no tape saved it, no
caller read it), otherwise they install a fresh tensor, so a value a live
tape saved never changes. Reading a trainable Variable while tapes record
watches it on each tape created with ``watch_accessed_variables=True``; the
C++ tape remembers it. ``_read()`` is such a read; ``_peek()`` is not.
"""

from . import _core
from ._dtypes import BY_CODE, as_dtype
from ._scope import scoped_name
from ._tensor import TensorShape, _array_to_tensor, _numpy_text, _to_array, convert_to_tensor

__all__ = ["Variable"]


class Variable(_core.Variable):
    """A mutable, differentiable value (``tf.Variable``)."""

    __array_priority__ = 101

    def __init__(self, initial_value=None, trainable=True, name=None, dtype=None, shape=None, **kwargs):
        if initial_value is None:
            raise ValueError("initial_value must be specified.")
        if callable(initial_value):
            initial_value = initial_value()
        dtype = None if dtype is None else as_dtype(dtype)
        if _core.is_tensor(initial_value) or _core.is_variable(initial_value):
            t = convert_to_tensor(initial_value)
            if dtype is not None and t.dtype != dtype:
                t = _core.cast(t, dtype._code)
        else:
            t = _array_to_tensor(_to_array(initial_value, dtype))
        if shape is not None:
            want = TensorShape(shape) if not isinstance(shape, TensorShape) else shape
            if len(want) != len(t._shape) or any(w is not None and w != d for w, d in zip(want, t._shape)):
                raise ValueError("Variable: initial value of shape %s is not compatible with shape=%s"
                                 % (TensorShape(t._shape), list(want)))
        self._init(t, bool(trainable) if trainable is not None else True)
        self._name = scoped_name(name or "Variable") + ":0"

    # ------------------------------------------------------------ reading
    def value(self):
        """The current value, as a tensor of its own (each read is distinct,
        as TensorFlow's: watching one read does not watch another)."""
        return _core.identity(self._read())

    def read_value(self):
        return _core.identity(self._read())

    def numpy(self):
        return self._peek().numpy()

    def __array__(self, dtype=None, copy=None):
        return self._peek().__array__(dtype, copy)

    # ------------------------------------------------------------ properties
    name = property(lambda self: self._name)
    dtype = property(lambda self: BY_CODE[self._peek()._dtype_code])
    shape = property(lambda self: TensorShape(self._peek()._shape))
    ndim = property(lambda self: len(self._peek()._shape))
    device = property(lambda self: "/job:localhost/replica:0/task:0/device:CPU:0")

    def get_shape(self):
        return self.shape

    # ------------------------------------------------------------ assigning
    def _coerce(self, value, op):
        cur = self._peek()
        if _core.is_variable(value):
            t = value._peek()
        elif _core.is_tensor(value):
            t = value
        else:
            t = _core.to_tensor(value, cur._dtype_code)
        if op == "assign" and t._shape != cur._shape:
            raise ValueError("Cannot assign value to variable ' %s': Shape mismatch.The variable shape %s, and the "
                             "assigned value shape %s are incompatible."
                             % (self._name, TensorShape(cur._shape), TensorShape(t._shape)))
        return t

    def assign(self, value, use_locking=None, name=None, read_value=True):
        self._assign(self._coerce(value, "assign"))
        return self if read_value else None

    def assign_add(self, delta, use_locking=None, name=None, read_value=True):
        self._assign_add(self._coerce(delta, "assign_add"))
        return self if read_value else None

    def assign_sub(self, delta, use_locking=None, name=None, read_value=True):
        self._assign_sub(self._coerce(delta, "assign_sub"))
        return self if read_value else None

    # ------------------------------------------------------------ printing
    def __repr__(self):
        v = self._peek()
        return "<fasttape.Variable '%s' shape=%s dtype=%s, numpy=%s>" % (
            self._name, TensorShape(v._shape), BY_CODE[v._dtype_code].name, _numpy_text(v, True))

    def __str__(self):
        return self.__repr__()

    def __hash__(self):
        raise TypeError("Variable is unhashable. Instead, use variable.ref() as the key.")

    def ref(self):
        return _VariableRef(self)

    experimental_ref = ref

    # ------------------------------------------------------------ conversions
    def __bool__(self):
        return bool(self._read())

    def __float__(self):
        return float(self._peek())

    def __int__(self):
        return int(self._peek())

    def __index__(self):
        return self._peek().__index__()

    def __len__(self):
        return len(self._peek())

    def __iter__(self):
        return iter(self._read())

    def __getitem__(self, key):
        return self._read()[key]

    def __format__(self, spec):
        return format(self._peek(), spec)

    # ------------------------------------------------------------ copying and pickling
    def __copy__(self):
        return self  # as TensorFlow: a shallow copy is the same Variable

    def __deepcopy__(self, memo):
        """An independent Variable with the same value, dtype, name and trainable flag."""
        out = _rebuild_variable(self._peek(), self.trainable, self._name)
        memo[id(self)] = out
        return out

    def __reduce__(self):
        # The value pickles as a Tensor (out-of-band under protocol 5).
        return (_rebuild_variable, (self._peek(), self.trainable, self._name))


def _rebuild_variable(value, trainable, name):
    """A new Variable holding ``value`` (a Tensor); ``name`` as ``Variable.name`` gives it."""
    v = Variable(value, trainable=trainable, name=name[:-2] if name.endswith(":0") else name)
    v._name = name
    return v


class _VariableRef:
    __slots__ = ("_v",)

    def __init__(self, v):
        self._v = v

    def deref(self):
        return self._v

    def __hash__(self):
        return id(self._v)

    def __eq__(self, other):
        return isinstance(other, _VariableRef) and other._v is self._v


def _forward(name):
    def method(self, *args):
        return getattr(self._read(), name)(*args)

    method.__name__ = name
    return method


for _name in ("__floordiv__", "__rfloordiv__", "__mod__", "__rmod__", "__pow__", "__rpow__",
              "__matmul__", "__rmatmul__", "__neg__", "__pos__", "__abs__", "__lt__", "__le__", "__gt__",
              "__ge__", "__eq__", "__ne__", "__and__", "__rand__", "__or__", "__ror__", "__invert__"):
    setattr(Variable, _name, _forward(_name))


def _binary(fn, reflected=False):
    """A Variable operator calling the op directly on the current value."""
    if reflected:
        def method(self, other):
            return fn(other, self._read())
    else:
        def method(self, other):
            return fn(self._read(), other)
    return method


for _name, _fn in (("add", _core.add), ("sub", _core.subtract), ("mul", _core.multiply),
                   ("truediv", _core.divide)):
    setattr(Variable, "__%s__" % _name, _binary(_fn))
    setattr(Variable, "__r%s__" % _name, _binary(_fn, reflected=True))
