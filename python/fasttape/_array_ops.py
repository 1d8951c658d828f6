"""Python-level wrappers of this op group; names in __all__ are exported at
the package's top level.

Shape and indexing ops with TensorFlow's names and argument handling. The
differentiable ones are op-table entries in C++ (concat, unstack, gather,
gather_nd and their scatter-add adjoints) or composites of entries (stack,
expand_dims, squeeze, tile, pad, boolean_mask); one_hot carries values only
(TensorFlow registers no gradient for it)."""

import numpy as np

from . import _core
from ._dtypes import as_dtype, float32
from ._tensor import _array_to_tensor, _gather_mask, convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["concat", "stack", "unstack", "expand_dims", "squeeze", "tile", "pad", "gather", "gather_nd",
           "one_hot", "boolean_mask"]

expand_dims = _core.expand_dims
squeeze = _core.squeeze
tile = _core.tile
gather = _core.gather
gather_nd = _core.gather_nd


def _as_tensor(x):
    return x if _core.is_tensor(x) else convert_to_tensor(x)


def _values_list(values, what):
    if _core.is_tensor(values) or _core.is_variable(values):
        # TensorFlow accepts a tensor and packs/concatenates its rows.
        return _core.unstack(_as_tensor(values))
    if not isinstance(values, (list, tuple)):
        raise TypeError("%s: values must be a list or tuple of tensors, got %s" % (what, type(values).__name__))
    return [v._read() if _core.is_variable(v) else v for v in values]


def concat(values, axis, name="concat"):
    """Concatenates tensors along ``axis`` (TensorFlow's tf.concat)."""
    if _core.is_tensor(values) or _core.is_variable(values):
        values = [values]  # TensorFlow: a single tensor is returned as is
    values = _values_list(values, "concat")
    if not values:
        raise ValueError("concat: values must be a non-empty list of tensors")
    if len(values) == 1:
        return _as_tensor(values[0])
    return _core.concat(values, axis)


def stack(values, axis=0, name="stack"):
    """Stacks equal-shaped tensors along a new ``axis`` (TensorFlow's tf.stack)."""
    values = _values_list(values, "stack")
    if not values:
        raise ValueError("stack: values must be a non-empty list of tensors")
    rank = len(_as_tensor(values[0])._shape) + 1
    axis = int(axis)
    if axis < -rank or axis >= rank:
        raise ValueError("Argument `axis` = %d not in range [%d, %d)" % (axis, -rank, rank))
    return _core.stack(values, axis)


def unstack(value, num=None, axis=0, name="unstack"):
    """The list of slices of ``value`` along ``axis`` (TensorFlow's tf.unstack)."""
    t = _as_tensor(value)
    r = len(t._shape)
    axis = int(axis)
    if r == 0:
        raise ValueError("Cannot unstack a scalar (shape ()): the input must have rank at least 1")
    if axis < -r or axis >= r:
        raise ValueError("Argument `axis` = %d not in range [%d, %d)" % (axis, -r, r))
    return _core.unstack(t, num, axis)


def pad(tensor, paddings, mode="CONSTANT", constant_values=0, name=None):
    """Pads ``tensor`` with ``paddings[d] = [before, after]`` elements along
    each dimension d (TensorFlow's tf.pad). ``mode``: CONSTANT, REFLECT or
    SYMMETRIC (case-insensitive)."""
    if not isinstance(mode, str):
        raise TypeError("pad: mode must be a string, got %r" % (mode,))
    p = np.asarray(paddings._view() if _core.is_tensor(paddings) else paddings)
    t = _as_tensor(tensor)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] != len(t._shape):
        raise InvalidArgumentError(
            "pad: paddings must be a matrix of shape [%d, 2] (one [before, after] pair per dimension of the "
            "input of shape %s), got shape %s [Op:PadV2]" % (len(t._shape), t.shape, tuple(p.shape)))
    if p.dtype.kind not in "iu":
        raise TypeError("pad: paddings must be integers, got dtype %s" % p.dtype)
    cv = np.asarray(constant_values._view() if _core.is_tensor(constant_values) else constant_values)
    if cv.ndim != 0:
        raise InvalidArgumentError("pad: constant_values must be a scalar, got shape %s [Op:PadV2]" % (cv.shape,))
    if t.dtype.is_integer and cv.dtype.kind == "f" and float(cv) != int(cv):
        raise TypeError("Cannot convert %r to EagerTensor of dtype %s" % (constant_values, t.dtype.name))
    if t.dtype.is_bool and cv.dtype.kind != "b":
        raise TypeError("pad: constant_values for a bool tensor must be a bool, got %r" % (constant_values,))
    return _core.pad(t, p, mode, float(cv))


# ---------------------------------------------------------------- one_hot
def _scalar_dtype(v):
    if _core.is_tensor(v):
        return v.dtype
    return _as_tensor(v).dtype


def one_hot(indices, depth, on_value=None, off_value=None, axis=None, dtype=None, name=None):
    """One-hot encoding (TensorFlow's tf.one_hot): a new dimension of size
    ``depth`` at ``axis`` (default last) holding ``on_value`` at each index and
    ``off_value`` elsewhere; indices outside [0, depth) give all off_value.
    Not differentiable (TensorFlow registers no gradient)."""
    on_dt = None if on_value is None else _scalar_dtype(on_value)
    off_dt = None if off_value is None else _scalar_dtype(off_value)
    if dtype is not None:
        dtype = as_dtype(dtype)
        for what, dt in (("on_value", on_dt), ("off_value", off_dt)):
            if dt is not None and dt != dtype:
                raise TypeError("dtype %s of %s does not match dtype parameter %s" % (dt.name, what, dtype.name))
    else:
        if on_dt is not None and off_dt is not None and on_dt != off_dt:
            raise TypeError("dtype %s of on_value does not match dtype %s of off_value" % (on_dt.name, off_dt.name))
        dtype = on_dt or off_dt or float32
    idx = np.asarray(_as_tensor(indices)._view())
    if idx.dtype.kind not in "iu":
        raise TypeError("one_hot: indices must be integers (int32, int64 or uint8), got dtype %s" % idx.dtype)
    _core.check_shape(idx.shape + (int(depth),), "one_hot")
    depth = int(depth)
    if depth < 0:
        raise InvalidArgumentError("depth must be non-negative, got: %d [Op:OneHot]" % depth)
    axis = -1 if axis is None else int(axis)
    if axis < -1 or axis > idx.ndim:
        raise InvalidArgumentError("Expected axis to be -1 or between [0, %d).  But received: %d [Op:OneHot]"
                                   % (idx.ndim + 1, axis))
    npdt = dtype.as_numpy_dtype
    on = np.asarray(1 if on_value is None else np.asarray(on_value)).astype(npdt)
    off = np.asarray(0 if off_value is None else np.asarray(off_value)).astype(npdt)
    if on.ndim or off.ndim:
        raise ValueError("one_hot: on_value and off_value must be scalars")
    hot = idx[..., None] == np.arange(depth)  # out-of-range indices match nothing
    out = np.where(hot, on, off).astype(npdt)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return _array_to_tensor(np.ascontiguousarray(out))


# ---------------------------------------------------------------- boolean_mask
def _mask_array(mask):
    if _core.is_tensor(mask) or _core.is_variable(mask):
        m = np.asarray(_as_tensor(mask)._view())
    else:
        m = np.asarray(mask)
    if m.dtype != np.bool_:
        if m.size == 0:
            return m.astype(np.bool_)
        raise TypeError("boolean_mask: mask must be a bool tensor, got dtype %s" % m.dtype)
    return m


def boolean_mask(tensor, mask, axis=None, name="boolean_mask"):
    """The elements (or slices) of ``tensor`` where ``mask`` is True
    (TensorFlow's tf.boolean_mask): mask's shape must equal
    ``tensor.shape[axis:axis + mask.ndim]``; those dimensions become one of
    size count(mask). Gradient: a gather's scatter-add."""
    t = _as_tensor(tensor)
    m = _mask_array(mask)
    shape = t._shape
    k = m.ndim
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    axis = 0 if axis is None else int(axis)
    if axis < 0:
        axis += len(shape)
    if axis < 0 or axis + k > len(shape):
        raise ValueError("boolean_mask: mask of rank %d at axis %d does not fit a tensor of shape %s"
                         % (k, axis, t.shape))
    if tuple(shape[axis:axis + k]) != m.shape:
        raise ValueError("Shapes %s and %s are incompatible (boolean_mask: mask shape must equal "
                         "tensor.shape[%d:%d])" % (tuple(shape[axis:axis + k]), m.shape, axis, axis + k))
    return _gather_mask(t, m, axis)

