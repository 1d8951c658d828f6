"""The Python face of ``_core.Tensor``: TensorShape, properties, printing,
indexing, and conversion of Python/numpy values to tensors with TensorFlow's
dtype rules."""

import numbers
import pickle

import numpy as np

from . import _core
from . import _dtypes
from ._dtypes import BY_CODE, INT_CODES, as_dtype
from .errors import InvalidArgumentError

Tensor = _core.Tensor

__all__ = ["Tensor", "TensorShape", "as_shape", "constant", "convert_to_tensor", "is_tensor"]


class TensorShape(tuple):
    """A tensor's shape: a tuple of dimensions (ints, or None where a spec
    leaves a dimension open) with TensorFlow's methods. ``TensorShape(None)``
    is the shape of unknown rank."""

    __slots__ = ()

    def __new__(cls, dims=()):
        if dims is None:
            return _UNKNOWN_RANK if cls is TensorShape else super().__new__(cls, ())
        if isinstance(dims, _UnknownRankShape):
            return dims
        if isinstance(dims, numbers.Integral):
            dims = (dims,)
        try:
            return super().__new__(cls, tuple(None if d is None else int(d) for d in dims))
        except TypeError:
            raise TypeError("A TensorShape needs a list of dimensions (ints or None), got %r" % (dims,)) from None

    rank = property(lambda self: len(self))
    ndims = rank
    dims = property(lambda self: list(self))

    def as_list(self):
        return list(self)

    def num_elements(self):
        """The element count, or None when a dimension is unknown."""
        n = 1
        for d in self:
            if d is None:
                return None
            n *= d
        return n

    def is_fully_defined(self):
        return all(d is not None for d in self)

    def is_compatible_with(self, other):
        """Same rank and equal dimensions wherever both are known."""
        other = as_shape(other)
        if isinstance(other, _UnknownRankShape):
            return True
        return len(self) == len(other) and all(a is None or b is None or a == b for a, b in zip(self, other))

    def assert_is_compatible_with(self, other):
        if not self.is_compatible_with(other):
            raise ValueError("Shapes %s and %s are incompatible" % (self, other))

    def merge_with(self, other):
        """The most specific shape compatible with both (ValueError if none)."""
        other = as_shape(other)
        if isinstance(other, _UnknownRankShape):
            return self
        if not self.is_compatible_with(other):
            raise ValueError("Shapes %s and %s are not compatible" % (self, other))
        return TensorShape([a if a is not None else b for a, b in zip(self, other)])

    def most_specific_compatible_shape(self, other):
        """The most specific shape that both shapes are compatible with."""
        other = as_shape(other)
        if isinstance(other, _UnknownRankShape) or len(self) != len(other):
            return TensorShape(None)
        return TensorShape([a if a == b else None for a, b in zip(self, other)])

    def concatenate(self, other):
        other = as_shape(other)
        if isinstance(other, _UnknownRankShape):
            return other
        return TensorShape(tuple(self) + tuple(other))

    def assert_has_rank(self, rank):
        if len(self) != rank:
            raise ValueError("Shape %s must have rank %d" % (self, rank))

    def with_rank(self, rank):
        self.assert_has_rank(rank)
        return self

    def with_rank_at_least(self, rank):
        if len(self) < rank:
            raise ValueError("Shape %s must have rank at least %d" % (self, rank))
        return self

    def with_rank_at_most(self, rank):
        if len(self) > rank:
            raise ValueError("Shape %s must have rank at most %d" % (self, rank))
        return self

    def assert_same_rank(self, other):
        other = as_shape(other)
        if not isinstance(other, _UnknownRankShape) and len(self) != len(other):
            raise ValueError("Shapes %s and %s must have the same rank" % (self, other))

    def is_subtype_of(self, other):
        """Whether every dimension ``other`` fixes is fixed to the same value here."""
        other = as_shape(other)
        if isinstance(other, _UnknownRankShape):
            return True
        return len(self) == len(other) and all(b is None or a == b for a, b in zip(self, other))

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return TensorShape(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return self.concatenate(other)

    def __radd__(self, other):
        return as_shape(other).concatenate(self)

    def __eq__(self, other):
        if isinstance(other, _UnknownRankShape):
            return False
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __ne__(self, other):
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = tuple.__hash__

    def __repr__(self):
        return "TensorShape(%s)" % list(self)

    def __str__(self):
        if len(self) == 1:
            return "(%s,)" % self[0]
        return "(%s)" % ", ".join(str(d) for d in self)


class _UnknownRankShape(TensorShape):
    """``TensorShape(None)``: a shape whose rank is unknown (TensorSpec's
    "any shape"). Every shape is compatible with it."""

    __slots__ = ()

    rank = property(lambda self: None)
    ndims = rank
    dims = property(lambda self: None)

    def __len__(self):
        raise ValueError("Cannot take the length of shape with unknown rank.")

    def __bool__(self):
        return False

    def __iter__(self):
        raise ValueError("Cannot iterate over a shape with unknown rank.")

    def as_list(self):
        raise ValueError("as_list() is not defined on an unknown TensorShape.")

    def num_elements(self):
        return None

    def is_fully_defined(self):
        return False

    def is_compatible_with(self, other):
        as_shape(other)
        return True

    def merge_with(self, other):
        return as_shape(other)

    def most_specific_compatible_shape(self, other):
        return self

    def concatenate(self, other):
        return self

    def assert_has_rank(self, rank):
        pass

    def with_rank(self, rank):
        return TensorShape([None] * rank)

    def with_rank_at_least(self, rank):
        return self

    def with_rank_at_most(self, rank):
        return self

    def assert_same_rank(self, other):
        pass

    def is_subtype_of(self, other):
        return isinstance(as_shape(other), _UnknownRankShape)

    def __getitem__(self, key):
        if isinstance(key, slice):
            return self
        return None

    def __eq__(self, other):
        return isinstance(other, _UnknownRankShape)

    def __hash__(self):
        return hash(_UnknownRankShape)

    def __repr__(self):
        return "TensorShape(None)"

    def __str__(self):
        return "<unknown>"


_UNKNOWN_RANK = tuple.__new__(_UnknownRankShape, ())


def as_shape(shape):
    """``shape`` as a TensorShape (a TensorShape, a list, a tuple, an int or None)."""
    return shape if isinstance(shape, TensorShape) else TensorShape(shape)


# ---------------------------------------------------------------- conversion
_PY_SCALARS = (bool, int, float)


def _python_value_to_array(value):
    """numpy array for Python data with TensorFlow's defaults: floats become
    float32, ints int32 (int64 if they do not fit)."""
    arr = np.asarray(value)
    if arr.dtype == np.float64:
        return arr.astype(np.float32)
    if arr.dtype.kind in "iu":
        if arr.size == 0 or (arr.min() >= -(2 ** 31) and arr.max() < 2 ** 31):
            return arr.astype(np.int32)
        return arr.astype(np.int64)
    if arr.dtype == object:
        raise TypeError("Can't convert %r to a tensor: mixed or non-numeric values" % (value,))
    return arr


def _cast_array(arr, dtype, value):
    """arr converted to dtype, refusing conversions TensorFlow refuses."""
    if arr.dtype == dtype.as_numpy_dtype:
        return arr
    kind = arr.dtype.kind
    if dtype.is_integer and kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(np.floor(arr) == arr):
            raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (value, dtype.name))
    if dtype.is_integer and kind in "iuf" and arr.size:
        info = np.iinfo(dtype.as_numpy_dtype)
        if arr.min() < info.min or arr.max() > info.max:
            raise ValueError("Cannot convert %r to EagerTensor of dtype %s: a value is out of its range [%d, %d]"
                             % (value, dtype.name, info.min, info.max))
    if dtype.is_bool and kind != "b":
        raise TypeError("Cannot convert %r to EagerTensor of dtype bool" % (value,))
    if kind not in "fiub":
        raise TypeError("Cannot convert %r (numpy dtype %s) to EagerTensor of dtype %s"
                        % (value, arr.dtype, dtype.name))
    return arr.astype(dtype.as_numpy_dtype)


_STORED = frozenset(np.dtype(t) for t in (np.float32, np.float64, np.int32, np.int64, np.bool_))


def _has_fasttape_dtype(np_dtype):
    return np.dtype(np_dtype) in _STORED


def _array_to_tensor(arr):
    if arr.dtype not in _STORED and arr.dtype.kind in "uif":
        # No silent change of type (uint8 arithmetic wraps at 256, float16
        # rounds to 11 bits): the caller chooses the dtype.
        raise TypeError("fasttape has no %s tensors (it stores float32, float64, int32, int64 and bool): convert "
                        "the array with .astype(...), pass dtype= to fasttape.constant / convert_to_tensor, or "
                        "use fasttape.cast(array, dtype)" % arr.dtype)
    return _core.from_numpy(arr)


def _to_array(value, dtype=None):
    """A numpy array for value with TensorFlow's rules; dtype a DType or None."""
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
    else:
        arr = _python_value_to_array(value) if dtype is None else np.asarray(value)
    if dtype is not None:
        arr = _cast_array(arr, dtype, value)
    return arr


def _fallback(obj, like_code):
    """Called by _core for operands it does not convert itself. ``like_code``
    is the other operand's dtype code (numpy values and lists take it)."""
    if isinstance(obj, (np.ndarray, np.generic, list, tuple)):
        like = None if like_code is None else BY_CODE[like_code]
        try:
            arr = _to_array(obj, like)
        except TypeError:
            if like is None:
                raise
            arr = _to_array(obj)  # let the op report the dtype mismatch
        return _array_to_tensor(arr)
    return NotImplemented


def is_tensor(x):
    """True for fasttape tensors (and Variables, as TensorFlow's tf.is_tensor)."""
    return _core.is_tensor(x) or _core.is_variable(x)


def constant(value, dtype=None, shape=None, name=None):
    """A tensor holding a copy of ``value`` (TensorFlow's tf.constant)."""
    dtype = None if dtype is None else as_dtype(dtype)
    if _core.is_tensor(value) or _core.is_variable(value):
        t = convert_to_tensor(value)
        arr = None
        if dtype is not None and t.dtype != dtype:
            t = _core.cast(t, dtype._code)
    else:
        arr = _to_array(value, dtype)
        t = None
    if shape is not None:
        shape = [int(d) for d in (shape if isinstance(shape, (list, tuple)) else [shape])]
        if arr is None:
            arr = t._view()
        n = int(np.prod(shape))
        if arr.size == n:
            arr = arr.reshape(shape)
        elif arr.size == 1:
            arr = np.broadcast_to(arr.reshape(()), shape)
        else:
            raise TypeError("Eager execution of tf.constant with unsupported shape. Tensor %r (converted "
                            "from %r) has %d elements, but got `shape` %s with %d elements)."
                            % (arr, value, arr.size, tuple(shape), n))
        return _array_to_tensor(arr)
    return t if t is not None else _array_to_tensor(arr)


def convert_to_tensor(value, dtype=None, dtype_hint=None, name=None):
    """``value`` as a tensor (TensorFlow's tf.convert_to_tensor). A tensor is
    returned as is; a requested dtype that differs from a tensor's raises."""
    dtype = None if dtype is None else as_dtype(dtype)
    if _core.is_variable(value):
        value = _core.identity(value._read())  # each read is a tensor of its own, as TensorFlow's
    if _core.is_tensor(value):
        if dtype is not None and value.dtype != dtype:
            raise ValueError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                             % (dtype.name, value.dtype.name, value))
        return value
    if dtype is None and dtype_hint is not None:
        try:
            return _array_to_tensor(_to_array(value, as_dtype(dtype_hint)))
        except TypeError:
            pass
    return _array_to_tensor(_to_array(value, dtype))


# ---------------------------------------------------------------- Tensor methods
def _numpy(self):
    a = self._numpy()
    return a[()] if a.ndim == 0 else a


def _numpy_text(t, is_repr):
    a = t._view()
    if a.ndim == 0:
        text = str(a[()])
    else:
        text = repr(a) if is_repr else str(a)
    if "\n" in text:
        text = "\n" + text
    return text


def _str(self):
    return "fasttape.Tensor(%s, shape=%s, dtype=%s)" % (
        _numpy_text(self, False), TensorShape(self._shape), BY_CODE[self._dtype_code].name)


def _repr(self):
    return "<fasttape.Tensor: shape=%s, dtype=%s, numpy=%s>" % (
        TensorShape(self._shape), BY_CODE[self._dtype_code].name, _numpy_text(self, True))


def _array(self, dtype=None, copy=None):
    a = self._view()
    if dtype is not None and np.dtype(dtype) != a.dtype:
        return a.astype(dtype)
    if copy:
        return a.copy()
    return a


def _scalar_value(self, kind):
    if int(np.prod(self._shape)) != 1:
        raise ValueError("Only one-element tensors can be converted to Python scalars (%s of a tensor of "
                         "shape %s)" % (kind, TensorShape(self._shape)))
    return self._view().reshape(())[()]


def _bool(self):
    if int(np.prod(self._shape)) != 1:
        raise ValueError("The truth value of an array with more than one element is ambiguous. "
                         "Use a.any() or a.all()")
    return builtins_bool(self._view().reshape(())[()])


def _index(self):
    if self._dtype_code not in INT_CODES or self._shape != ():
        raise TypeError("only integer scalar tensors can be converted to a scalar index")
    return int(self._view()[()])


def _iter(self):
    if not self._shape:
        raise TypeError("Cannot iterate over a scalar tensor.")
    for i in range(self._shape[0]):
        yield self[i]


def _hash(self):
    raise TypeError("Tensor is unhashable. Instead, use tensor.ref() as the key.")


def _format(self, spec):
    if self._shape == ():
        return format(self._view()[()], spec)
    return format(str(self), spec)


builtins_bool = bool


def _is_advanced(k):
    """True for index entries beyond basic indexing: integer or boolean arrays
    (lists, numpy arrays, tensors of rank >= 1, bool tensors)."""
    if k is None or k is Ellipsis or isinstance(k, (slice, bool, np.bool_, numbers.Integral, np.integer)):
        return False
    if _core.is_tensor(k) or _core.is_variable(k):
        t = convert_to_tensor(k)
        return not (t._dtype_code in INT_CODES and t._shape == ())
    if isinstance(k, np.ndarray):
        return k.dtype.kind in "iub" or k.ndim > 0
    return isinstance(k, (list, tuple))


def _index_array(k):
    """An index entry as a numpy integer or bool array (numpy's rules)."""
    if _core.is_tensor(k) or _core.is_variable(k):
        a = np.asarray(convert_to_tensor(k)._view())
    else:
        a = np.asarray(k)
        if a.size == 0 and a.dtype.kind == "f":
            a = a.astype(np.intp)  # x[[]] selects nothing
    if a.dtype.kind not in "iub":
        raise IndexError("arrays used as indices must be of integer (or boolean) type, got dtype %s" % a.dtype)
    return a


def _gather_mask(t, m, axis):
    """The slices of tensor ``t`` where the numpy bool array ``m`` (whose
    shape is t.shape[axis:axis + m.ndim], checked by the caller) is True:
    those dims become one of size count(m). A gather, so its gradient is a
    scatter-add. Shared by x[mask] and fasttape.boolean_mask."""
    shape = t._shape
    k = m.ndim
    flat = shape[:axis] + (int(np.prod(m.shape)),) + shape[axis + k:]
    if flat != shape:
        t = _core.reshape(t, list(flat))
    idx = np.flatnonzero(m).astype(np.int64)
    return _core.gather(t, _core.from_numpy(idx), axis=axis)


def _advanced_getitem(self, key):
    """numpy's advanced indexing (integer and boolean arrays, mixed with basic
    entries), with numpy's values and shapes. The result is a gather from the
    tensor, so its gradient is a scatter-add (duplicates accumulate)."""
    shape = self._shape
    conv = [_index_array(k) if _is_advanced(k) else k for k in key]
    adv = [i for i, k in enumerate(conv) if isinstance(k, np.ndarray)]
    pos = adv[0] if len(adv) == 1 else -1
    full = lambda k: isinstance(k, slice) and k == slice(None)  # noqa: E731
    simple = pos >= 0 and all(full(k) for k in conv[:pos]) and all(
        full(k) or k is Ellipsis for k in conv[pos + 1:]) and sum(k is Ellipsis for k in conv) <= 1
    if simple:
        a = conv[pos]
        if pos == 0 and a.dtype == np.bool_ and 1 <= a.ndim <= len(shape):
            # x[mask] with a mask of the leading dims
            for d in range(a.ndim):
                if a.shape[d] != shape[d]:
                    raise IndexError("boolean index did not match indexed tensor along dimension %d; dimension is "
                                     "%d but corresponding boolean dimension is %d" % (d, shape[d], a.shape[d]))
            return _gather_mask(self, a, 0)
        if a.dtype != np.bool_ and pos < len(shape):
            # x[idx] or x[:, idx]: a gather along one axis
            n = shape[pos]
            a = a.astype(np.int64)
            bad = (a < -n) | (a >= n)
            if bad.any():
                raise IndexError("index %d is out of bounds for axis %d with size %d" % (a[bad].flat[0], pos, n))
            a = np.where(a < 0, a + n, a)
            return _core.gather(self, _core.from_numpy(np.ascontiguousarray(a)), axis=pos)
    # General case: numpy computes which flat elements the key selects.
    conv = [int(k) if _core.is_tensor(k) and not isinstance(k, np.ndarray) else k for k in conv]
    flat = np.asarray(np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape)[tuple(conv)])
    src = self if len(shape) == 1 else _core.reshape(self, [-1])
    return _core.gather(src, _core.from_numpy(np.ascontiguousarray(flat)), axis=0)


def _getitem(self, key):
    """numpy indexing: basic (ints, slices, ``...``, ``None``) as TensorFlow
    does it, plus numpy's integer-array and boolean-mask indexing."""
    shape = self._shape
    if not isinstance(key, tuple):
        key = (key,)
    if any(_is_advanced(k) for k in key):
        return _advanced_getitem(self, key)
    n_ellipsis = sum(1 for k in key if k is Ellipsis)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    n_real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if n_real > len(shape):
        raise IndexError("too many indices for a tensor of shape %s: %d given"
                         % (TensorShape(shape), n_real))
    full = []
    for k in key:
        if k is Ellipsis:
            full.extend([slice(None)] * (len(shape) - n_real))
        else:
            full.append(k)
    if not n_ellipsis:
        full.extend([slice(None)] * (len(shape) - n_real))
    begin, end, strides, final = [], [], [], []
    trivial = True
    dim = 0
    for k in full:
        if k is None:
            final.append(1)
            trivial = False
            continue
        n = shape[dim]
        if isinstance(k, slice):
            s, e, st = k.indices(n)
            begin.append(s)
            end.append(e)
            strides.append(st)
            final.append(len(range(s, e, st)))
            trivial = trivial and s == 0 and e == n and st == 1
        else:
            if isinstance(k, (bool, np.bool_)) or not (isinstance(k, (numbers.Integral, np.integer))
                                                        or (_core.is_tensor(k) and k._dtype_code in INT_CODES
                                                            and k._shape == ())):
                raise TypeError("Only integers, slices (`:`), ellipsis (`...`), fasttape.newaxis (`None`) "
                                "and scalar int32/int64 tensors are valid indices, got %r" % (k,))
            i = int(k)
            if i < -n or i >= n:
                raise InvalidArgumentError("slice index %d of dimension %d out of bounds (size %d). "
                                           "[Op:StridedSlice]" % (i, dim, n))
            i %= n
            begin.append(i)
            end.append(i + 1)
            strides.append(1)
            trivial = False
        dim += 1
    if trivial:
        return self
    out = _core.strided_slice(self, begin, end, strides)
    if tuple(final) != out._shape:
        out = _core.reshape(out, final)
    return out


def _shape_prop(self):
    return TensorShape(self._shape)


def _dtype_prop(self):
    return BY_CODE[self._dtype_code]


def _rebuild_tensor(data, dtype_name, shape):
    """Unpickles a tensor: ``data`` holds its elements in C order (bytes, or
    any buffer handed back for an out-of-band PickleBuffer); copied once."""
    arr = np.frombuffer(data, dtype=as_dtype(dtype_name).as_numpy_dtype).reshape(shape)
    return _core.from_numpy(arr)


def _reduce_ex(self, protocol):
    """Pickling. With protocol 5 the elements travel as a PickleBuffer over
    the tensor's own read-only memory, so a ``buffer_callback`` receives them
    without a copy; older protocols pickle them as bytes."""
    a = self._view()
    name = BY_CODE[self._dtype_code].name
    if protocol >= 5 and a.flags.c_contiguous:
        return (_rebuild_tensor, (pickle.PickleBuffer(a), name, tuple(a.shape)))
    return (_rebuild_tensor, (a.tobytes(), name, tuple(a.shape)))


def _reduce(self):
    return _reduce_ex(self, 2)


def _ref(self):
    return _TensorRef(self)


class _TensorRef:
    """A hashable reference to a tensor (TensorFlow's ``tensor.ref()``)."""

    __slots__ = ("_t",)

    def __init__(self, t):
        self._t = t

    def deref(self):
        return self._t

    def __hash__(self):
        return id(self._t)

    def __eq__(self, other):
        return isinstance(other, _TensorRef) and other._t is self._t


Tensor.numpy = _numpy
Tensor.__str__ = _str
Tensor.__repr__ = _repr
Tensor.__array__ = _array
Tensor.__float__ = lambda self: float(_scalar_value(self, "float()"))
Tensor.__int__ = lambda self: int(_scalar_value(self, "int()"))
Tensor.__bool__ = _bool
Tensor.__index__ = _index
Tensor.__iter__ = _iter
Tensor.__hash__ = _hash
Tensor.__format__ = _format
Tensor.__getitem__ = _getitem
Tensor.__reduce__ = _reduce
Tensor.__reduce_ex__ = _reduce_ex
Tensor.__copy__ = lambda self: self
Tensor.__deepcopy__ = lambda self, memo: self
Tensor.shape = property(_shape_prop)
Tensor.dtype = property(_dtype_prop)
Tensor.get_shape = _shape_prop
Tensor.ref = _ref
Tensor.experimental_ref = _ref
Tensor.device = property(lambda self: "/job:localhost/replica:0/task:0/device:CPU:0")

_core._set_hooks(InvalidArgumentError, _fallback)
_dtypes  # re-exported by the package
