"""Python-level op wrappers: the few TensorFlow entry points whose argument
handling (dtypes, optional arguments) is easier here. Everything else is
exported straight from the C++ binding."""

import builtins

import numpy as np

from . import _core
from ._dtypes import as_dtype, float32, float64
from ._tensor import _array_to_tensor, _has_fasttape_dtype, _to_array, convert_to_tensor

__all__ = ["clip_by_global_norm", "global_norm", "cast", "where", "ones", "zeros", "ones_like", "zeros_like", "fill", "shape", "size", "rank",
           "range", "identity", "linspace", "norm", "clip_by_norm", "eye"]


def _shape_list(shape):
    if _core.is_tensor(shape):
        return [int(d) for d in np.asarray(shape).reshape(-1)]
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(d) for d in shape]


def cast(x, dtype, name=None):
    """``x`` converted to ``dtype`` (floats to ints truncate toward zero)."""
    dtype = as_dtype(dtype)
    if isinstance(x, (np.ndarray, np.generic)) and not _has_fasttape_dtype(np.asarray(x).dtype):
        # A numpy dtype fasttape does not store (uint8 images, float16):
        # converted straight to the target, as TensorFlow's cast of it.
        return convert_to_tensor(np.asarray(x).astype(dtype.as_numpy_dtype))
    return _core.cast(convert_to_tensor(x) if not _core.is_tensor(x) else x, dtype._code)


def where(condition, x=None, y=None, name=None):
    """Elementwise ``x if condition else y`` with broadcasting; with only a
    condition, the int64 coordinates of its true elements."""
    if x is None and y is None:
        c = np.asarray(convert_to_tensor(condition))
        return _core.from_numpy(np.argwhere(c).astype(np.int64))
    if x is None or y is None:
        raise ValueError("where: x and y must both be given, or neither")
    return _core.where(condition, x, y)


def _filled(shape, value, dtype, op):
    return _core.fill(_shape_list(shape), float(value), as_dtype(dtype)._code, op)


def ones(shape, dtype=float32, name=None):
    return _filled(shape, 1, dtype, "ones")


def zeros(shape, dtype=float32, name=None):
    return _filled(shape, 0, dtype, "zeros")


def ones_like(input, dtype=None, name=None):  # noqa: A002 - TensorFlow's name
    t = convert_to_tensor(input)
    return _filled(t._shape, 1, t.dtype if dtype is None else dtype, "ones_like")


def zeros_like(input, dtype=None, name=None):  # noqa: A002
    t = convert_to_tensor(input)
    return _filled(t._shape, 0, t.dtype if dtype is None else dtype, "zeros_like")


def fill(dims, value, name=None):
    """A tensor of shape ``dims`` filled with ``value`` (dtype from value)."""
    v = convert_to_tensor(value)
    if v._shape != ():
        raise ValueError("fill: value must be a scalar, got shape %s" % (v.shape,))
    return _core.fill(_shape_list(dims), float(v.numpy()), v._dtype_code)


def shape(input, out_type=None, name=None):  # noqa: A002
    t = convert_to_tensor(input)
    dt = as_dtype(out_type) if out_type is not None else as_dtype("int32")
    return _core.from_numpy(np.asarray(t._shape, dtype=dt.as_numpy_dtype).reshape(len(t._shape)))


def size(input, out_type=None, name=None):  # noqa: A002
    t = convert_to_tensor(input)
    dt = as_dtype(out_type) if out_type is not None else as_dtype("int32")
    return _core.from_numpy(np.asarray(int(np.prod(t._shape)), dtype=dt.as_numpy_dtype))


def rank(input, name=None):  # noqa: A002
    return _core.from_numpy(np.asarray(len(convert_to_tensor(input)._shape), dtype=np.int32))


def range(start, limit=None, delta=1, dtype=None, name="range"):  # noqa: A001 - TensorFlow's name
    """Like Python's range, as a 1-D tensor (TensorFlow's tf.range)."""
    if limit is None:
        start, limit = 0, start
    args = (start, limit, delta)
    vals = [np.asarray(v._view() if _core.is_tensor(v) else v) for v in args]
    if np.all([v.dtype.kind in "iuf" and v.ndim == 0 for v in vals]) and vals[2][()] != 0:
        n = np.ceil((float(vals[1][()]) - float(vals[0][()])) / float(vals[2][()]))
        _core.check_shape([int(min(max(n, 0), 2.0 ** 62))], "range")
    arr = np.arange(vals[0][()], vals[1][()], vals[2][()])
    if dtype is not None:
        arr = arr.astype(as_dtype(dtype).as_numpy_dtype)
    elif builtins.any(v.dtype.kind == "f" for v in vals):
        wide = builtins.any(_core.is_tensor(a) and a._dtype_code == float64._code for a in args)
        arr = arr.astype(np.float64 if wide else np.float32)
    else:
        arr = _to_array(arr.tolist()) if arr.size else arr.astype(np.int32)
    return _array_to_tensor(arr)


def identity(input, name=None):  # noqa: A002
    """A new tensor with ``input``'s value (sharing its buffer, no copy):
    a tape watches and differentiates it apart from ``input``, and the
    gradient passes through unchanged."""
    return _core.identity(convert_to_tensor(input))


def linspace(start, stop, num, name=None, axis=0):
    """``num`` evenly spaced values from start to stop inclusive (dtype from start)."""
    a = convert_to_tensor(start)
    b = convert_to_tensor(stop, dtype=a.dtype) if not _core.is_tensor(stop) else stop
    n = int(np.asarray(num))
    vals = np.linspace(np.asarray(a._view()), np.asarray(b._view()), n, axis=axis)
    return _array_to_tensor(vals.astype(a.dtype.as_numpy_dtype))


def norm(tensor, ord="euclidean", axis=None, keepdims=None, name=None):
    """Vector norms (``tf.norm``): 'euclidean' (or 2, 'fro'), 1 or inf, over
    all elements or an axis; differentiable."""
    t = convert_to_tensor(tensor)
    keep = builtins.bool(keepdims)
    if ord in ("euclidean", "fro", 2, 2.0):
        return _core.sqrt(_core.reduce_sum(_core.square(t), axis, keep))
    if ord in (1, 1.0):
        return _core.reduce_sum(_core.abs(t), axis, keep)
    if ord in (np.inf, "inf"):
        return _core.reduce_max(_core.abs(t), axis, keep)
    raise ValueError("norm: ord must be 'euclidean', 'fro', 1, 2 or np.inf; got %r" % (ord,))


def clip_by_norm(t, clip_norm, axes=None, name=None):
    """``t`` rescaled so that its L2 norm (over ``axes``) is at most
    ``clip_norm``; TensorFlow's formula, with a safe gradient at zero."""
    t = convert_to_tensor(t)
    clip = _core.to_tensor(clip_norm, t._dtype_code)
    l2sum = _core.reduce_sum(t * t, axes, True)
    pred = l2sum > 0
    safe = _core.where(pred, l2sum, _core.fill(l2sum._shape, 1.0, l2sum._dtype_code))
    l2norm = _core.where(pred, _core.sqrt(safe), l2sum)
    return (t * clip) / _core.maximum(l2norm, clip)


def global_norm(t_list, name=None):
    """sqrt(sum of the squares of every element of every tensor in
    ``t_list``); None entries are skipped."""
    if isinstance(t_list, (str, bytes)) or not hasattr(t_list, "__iter__"):
        raise TypeError("`t_list` should be a sequence of tensors. Received %s." % type(t_list))
    values = [convert_to_tensor(t) for t in t_list if t is not None]
    if not values:
        return _core.to_tensor(0.0, float32._code)
    dtype = values[0].dtype
    for v in values:
        if v.dtype != dtype:
            raise TypeError("global_norm: all tensors must have one dtype, got %s and %s" % (dtype.name,
                                                                                             v.dtype.name))
    total = _core.add_n([_core.reduce_sum(v * v, None, False) for v in values]) if len(values) > 1 else \
        _core.reduce_sum(values[0] * values[0], None, False)
    return _core.sqrt(total)


def clip_by_global_norm(t_list, clip_norm, use_norm=None, name=None):
    """``(clipped, global_norm)``: every tensor scaled by
    ``clip_norm / max(global_norm, clip_norm)`` (TensorFlow's formula: an
    infinite or NaN norm makes every entry NaN); None entries stay None."""
    if isinstance(t_list, (str, bytes)) or not isinstance(t_list, (list, tuple)) and not hasattr(t_list,
                                                                                               "__iter__"):
        raise TypeError("`t_list` should be a sequence of tensors. Received %s." % type(t_list))
    t_list = list(t_list)
    norm = global_norm(t_list) if use_norm is None else convert_to_tensor(use_norm)
    clip = _core.to_tensor(clip_norm, norm._dtype_code)
    one = _core.to_tensor(1.0, norm._dtype_code)
    scale = clip * _core.minimum(one / norm, one / clip)
    scale = scale + (norm - norm)  # NaN when the norm is Inf or NaN
    clipped = [None if t is None else convert_to_tensor(t) * _core.cast(scale, convert_to_tensor(t)._dtype_code)
               for t in t_list]
    return clipped, norm


def eye(num_rows, num_columns=None, batch_shape=None, dtype=float32, name=None):
    """Identity matrices: ``[*batch_shape, num_rows, num_columns]``."""
    n = int(num_rows)
    m = n if num_columns is None else int(num_columns)
    batch = () if batch_shape is None else tuple(int(d) for d in batch_shape)
    _core.check_shape(batch + (n, m), "eye")
    e = np.eye(n, m, dtype=as_dtype(dtype).as_numpy_dtype)
    if batch_shape is not None:
        e = np.broadcast_to(e, tuple(int(d) for d in batch_shape) + (n, m))
    return _array_to_tensor(np.ascontiguousarray(e))
