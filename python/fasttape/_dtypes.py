"""DType objects: ``fasttape.float32`` and friends, as TensorFlow's."""

import builtins

import numpy as np

from ._core import DTypeCode as _Code

__all__ = ["DType", "as_dtype", "float32", "float64", "int32", "int64", "bool"]


class DType:
    """An element type. Compares equal to its TensorFlow-style name and to the
    matching numpy dtype, as ``tf.DType`` does."""

    __slots__ = ("_code", "_name", "_np")

    def __init__(self, code, name, np_type):
        self._code = code
        self._name = name
        self._np = np.dtype(np_type)

    name = property(lambda self: self._name)
    as_numpy_dtype = property(lambda self: self._np.type)
    size = property(lambda self: self._np.itemsize)
    is_floating = property(lambda self: self._code in FLOAT_CODES)
    is_integer = property(lambda self: self._code in INT_CODES)
    is_bool = property(lambda self: self._code == BOOL_CODE)
    is_numpy_compatible = property(lambda self: True)
    base_dtype = property(lambda self: self)

    @property
    def min(self):
        if self.is_bool:
            return False
        return np.finfo(self._np).min if self.is_floating else np.iinfo(self._np).min

    @property
    def max(self):
        if self.is_bool:
            return True
        return np.finfo(self._np).max if self.is_floating else np.iinfo(self._np).max

    def __eq__(self, other):
        if isinstance(other, DType):
            return self._code == other._code
        try:
            return self._code == as_dtype(other)._code
        except TypeError:
            return False

    def __ne__(self, other):
        return not self.__eq__(other)

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return "fasttape." + self._name

    def __str__(self):
        return "<dtype: '%s'>" % self._name

    def __reduce__(self):
        return as_dtype, (self._name,)


float32 = DType(int(_Code.float32), "float32", np.float32)
float64 = DType(int(_Code.float64), "float64", np.float64)
int32 = DType(int(_Code.int32), "int32", np.int32)
int64 = DType(int(_Code.int64), "int64", np.int64)
bool = DType(int(_Code.bool), "bool", np.bool_)  # noqa: A001 - TensorFlow's name

# Tensor._dtype_code values, by kind (the codes are C++'s DType enum).
FLOAT_CODES = frozenset((float32._code, float64._code))
INT_CODES = frozenset((int32._code, int64._code))
BOOL_CODE = bool._code

BY_CODE = tuple(sorted((float32, float64, int32, int64, bool), key=lambda d: d._code))
assert [d._code for d in BY_CODE] == list(builtins.range(len(BY_CODE))), "BY_CODE is indexed by code"
_BY_NAME = {d.name: d for d in BY_CODE}
_BY_NAME.update({"float": float32, "double": float64, "bool_": bool})
half = None  # not supported


def as_dtype(value):
    """Converts a DType, a dtype name, a numpy dtype or type to a DType."""
    if isinstance(value, DType):
        return value
    if isinstance(value, str):
        try:
            return _BY_NAME[value]
        except KeyError:
            raise TypeError("Cannot convert %r to a fasttape DType; supported: %s"
                            % (value, ", ".join(d.name for d in BY_CODE))) from None
    if value is float:
        return float32
    if value is builtins.bool:
        return bool
    try:
        npd = np.dtype(value)
    except TypeError:
        raise TypeError("Cannot convert %r to a fasttape DType" % (value,)) from None
    for d in BY_CODE:
        if d._np == npd:
            return d
    raise TypeError("fasttape supports float32, float64, int32, int64 and bool; got numpy dtype %s" % npd)
