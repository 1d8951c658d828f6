"""More of TensorFlow's array functions, written as compositions of the
differentiable ops (strided slices, gather, concat, reshape, transpose,
matmul, where, broadcast_to), so gradients of every order flow through them.

Functions whose outputs are integer positions or counts (unique, argsort,
searchsorted, histogram_fixed_width, bincount, sequence_mask) compute their
values with numpy and carry no gradient, as in TensorFlow.

Names in ``__all__`` are exported at the package's top level; ``LINALG``,
``MATH`` and ``NN`` list the names TensorFlow places in ``tf.linalg``,
``tf.math`` and ``tf.nn``."""

import builtins as _builtins
import collections as _collections
import numbers as _numbers

import numpy as np

from . import _core
from ._dtypes import INT_CODES, as_dtype, int32
from ._dtypes import bool as _bool
from ._tensor import _getitem, convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["split", "reverse", "roll", "repeat", "meshgrid", "sequence_mask", "tensordot", "slice",
           "strided_slice", "unique", "searchsorted", "histogram_fixed_width", "sort", "argsort"]
LINALG = ["band_part", "diag", "matrix_transpose", "adjoint", "tensordot"]
MATH = ["bincount"]
NN = ["space_to_depth", "depth_to_space"]

_pyslice = _builtins.slice
Unique = _collections.namedtuple("Unique", ["y", "idx"])


# ---------------------------------------------------------------- helpers
def _tensor(x):
    return x if _core.is_tensor(x) else convert_to_tensor(x)


def _array(x):
    """``x`` (tensor, variable, list, number) as a numpy array."""
    if _core.is_tensor(x) or _core.is_variable(x):
        return np.asarray(convert_to_tensor(x))
    return np.asarray(x)


def _is_int(v):
    return isinstance(v, (_numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _int_scalar(v, what):
    a = _array(v)
    if a.ndim != 0 or a.dtype.kind not in "iu":
        raise TypeError("%s must be an integer scalar, got %r" % (what, v))
    return int(a)


def _int_vector(v, what):
    a = _array(v)
    if a.size == 0:
        a = a.astype(np.int64)
    if a.dtype.kind not in "iu":
        raise TypeError("%s must be integers, got dtype %s" % (what, a.dtype))
    return a.astype(np.int64)


def _axis_slice(t, axis, start, stop, step=1):
    """``t[..., start:stop:step, ...]`` along ``axis`` (literal start/stop)."""
    shape = t._shape
    begin = [0] * len(shape)
    end = list(shape)
    strides = [1] * len(shape)
    begin[axis], end[axis], strides[axis] = start, stop, step
    if begin == [0] * len(shape) and end == list(shape) and step == 1:
        return t
    return _core.strided_slice(t, begin, end, strides)


def _dims(shape):
    return "[%s]" % ",".join(str(int(d)) for d in shape)


def _int_dtype(dtype, attr):
    dt = as_dtype(dtype)
    if dt._code not in INT_CODES:
        raise InvalidArgumentError("Value for attr '%s' of %s is not in the list of allowed values: int32, int64"
                                   % (attr, dt.name))
    return dt


# ---------------------------------------------------------------- split / reverse / roll / repeat
def split(value, num_or_size_splits, axis=0, num=None, name="split"):
    """Splits ``value`` along ``axis`` into ``num_or_size_splits`` equal
    pieces (an int) or pieces of the given sizes (a 1-D list; one entry may
    be -1, meaning the rest). Returns a list of tensors."""
    t = _tensor(value)
    r = len(t._shape)
    ax = _int_scalar(axis, "split: axis")
    if not -r <= ax < r:
        raise InvalidArgumentError("-input rank(-%d) <= split_dim < input rank (%d), but got %d [Op:Split]"
                                   % (r, r, ax))
    ax %= r
    n = t._shape[ax]
    s = num_or_size_splits
    if _core.is_tensor(s) and s._shape == ():
        raise ValueError("Rank-0 tensors are not supported as the num_or_size_splits argument to split. "
                         "Argument provided: %r" % (s,))
    if _is_int(s):
        k = int(s)
        if k < 1:
            raise InvalidArgumentError("Value for attr 'num_split' of %d must be at least minimum 1 [Op:Split]" % k)
        if n % k:
            raise InvalidArgumentError("Number of ways to split should evenly divide the split dimension, but got "
                                       "split_dim %d (size = %d) and num_split %d [Op:Split]" % (ax, n, k))
        sizes = [n // k] * k
    else:
        a = _array(s)
        if a.ndim != 1:
            raise ValueError("split: num_or_size_splits must be an integer or a 1-D list of sizes, got shape %s"
                             % (a.shape,))
        if a.size == 0:
            raise InvalidArgumentError("Value for attr 'num_split' of 0 must be at least minimum 1 [Op:SplitV]")
        if a.dtype.kind not in "iu":
            raise InvalidArgumentError("Value for attr 'Tlen' of %s is not in the list of allowed values: int8, "
                                       "int32, int64 [Op:SplitV]" % a.dtype)
        if num is not None and int(num) != a.size:
            raise InvalidArgumentError("size of the split_tensor must be 1-D and have the same elements as outputs "
                                       "got 1 -D and %d elements [Op:SplitV]" % a.size)
        sizes = [int(v) for v in a]
        unknown = [i for i, v in enumerate(sizes) if v == -1]
        if len(unknown) > 1:
            raise InvalidArgumentError("There can only be one -1 in the input. [Op:SplitV]")
        if any(v < -1 for v in sizes):
            raise InvalidArgumentError("Split size at index %d must be >= 0. Got: %d [Op:SplitV]"
                                       % (next(i for i, v in enumerate(sizes) if v < -1), min(sizes)))
        known = sum(v for v in sizes if v >= 0)
        if (unknown and known > n) or (not unknown and known != n):
            raise InvalidArgumentError("Determined shape must either match input shape along split_dim exactly if "
                                       "fully specified, or be less than the size of the input along split_dim if "
                                       "not fully specified.  Got: %d [Op:SplitV]" % known)
        if unknown:
            sizes[unknown[0]] = n - known
    out, start = [], 0
    for size in sizes:
        out.append(_axis_slice(t, ax, start, start + size))
        start += size
    return out


def reverse(tensor, axis, name=None):
    """``tensor`` with the order of its elements reversed along each of the
    dimensions in the 1-D list ``axis`` (negative axes count from the end)."""
    t = _tensor(tensor)
    shape = t._shape
    r = len(shape)
    a = _int_vector(axis, "reverse: axis")
    if a.ndim != 1:
        raise InvalidArgumentError("'dims' must be 1-dimension, not %d [Op:ReverseV2]" % a.ndim)
    seen = set()
    for i, d in enumerate(a):
        d = int(d)
        if not -r <= d < r:
            raise InvalidArgumentError("'axis'[%d] = %d is out of valid range [0, %d) [Op:ReverseV2]" % (i, d, r))
        d %= r
        if d in seen:
            raise InvalidArgumentError("axis %d specified more than once. [Op:ReverseV2]" % d)
        seen.add(d)
    seen = [d for d in seen if shape[d] > 1]
    if not seen or 0 in shape:
        return _core.identity(t)
    begin, end, strides = [0] * r, list(shape), [1] * r
    for d in seen:
        begin[d], end[d], strides[d] = shape[d] - 1, -1, -1
    return _core.strided_slice(t, begin, end, strides)


def roll(input, shift, axis, name=None):  # noqa: A002 - TensorFlow's name
    """Shifts the elements of ``input`` by ``shift`` places along ``axis``,
    wrapping around (scalars, or 1-D lists of equal length; shifts given
    for the same axis add up; negative shifts move toward the start)."""
    t = _tensor(input)
    shape = t._shape
    r = len(shape)
    s = _int_vector(shift, "roll: shift")
    a = _int_vector(axis, "roll: axis")
    if s.ndim > 1:
        raise InvalidArgumentError("shift must be a scalar or a 1-D vector. Found: %s [Op:Roll]" % _dims(s.shape))
    if a.ndim > 1:
        raise InvalidArgumentError("axis must be a scalar or a 1-D vector. Found: %s [Op:Roll]" % _dims(a.shape))
    if s.shape != a.shape:
        raise InvalidArgumentError("shift and axis must have the same size [Op:Roll]")
    total = [0] * r
    for sh, ax in zip(s.reshape(-1), a.reshape(-1)):
        ax = int(ax)
        if not -r <= ax < r:
            raise InvalidArgumentError("axis %d is out of range [Op:Roll]" % ax)
        total[ax % r] += int(sh)
    out = t
    for ax, sh in enumerate(total):
        n = shape[ax]
        if n == 0 or sh % n == 0:
            continue
        k = n - sh % n
        out = _core.concat([_axis_slice(out, ax, k, n), _axis_slice(out, ax, 0, k)], ax)
    return out if out is not t else _core.identity(t)


def repeat(input, repeats, axis=None, name=None):  # noqa: A002
    """Repeats each element (``axis=None``: of the flattened input) or each
    slice along ``axis`` ``repeats`` times (a scalar, or one count per
    slice). A gather, so its gradient sums the copies."""
    t = _tensor(input)
    if axis is None:
        if len(t._shape) != 1:
            t = _core.reshape(t, [-1])
        ax = 0
    else:
        r = len(t._shape)
        ax = _int_scalar(axis, "repeat: axis")
        if not -r <= ax < r:
            raise ValueError("axis=%d out of bounds: expected %d<=axis<%d" % (ax, -r, r))
        ax %= r
    n = t._shape[ax]
    rep = _int_vector(repeats, "repeat: repeats")
    if rep.ndim > 1:
        raise ValueError("Shape %s must have rank at most 1" % (rep.shape,))
    if rep.ndim == 1 and rep.size != 1 and rep.size != n:
        raise ValueError("Dimensions %d and %d are not compatible" % (n, rep.size))
    rep = np.broadcast_to(rep.reshape(-1), (n,))
    if (rep < 0).any():
        raise InvalidArgumentError("repeat: repeats must be non-negative, got %d" % rep.min())
    idx = np.repeat(np.arange(n, dtype=np.int64), rep)
    return _core.gather(t, _core.from_numpy(idx), axis=ax)


# ---------------------------------------------------------------- meshgrid / sequence_mask
def meshgrid(*args, **kwargs):
    """Coordinate grids from 1-D inputs (flattened if not 1-D).
    ``indexing='xy'`` (default, Cartesian: the first two output dims
    swapped) or ``'ij'`` (matrix). Returns a list of tensors."""
    indexing = kwargs.pop("indexing", "xy")
    kwargs.pop("name", None)
    if kwargs:
        raise TypeError("'%s' is an invalid keyword argument for this function" % next(iter(kwargs)))
    if indexing not in ("xy", "ij"):
        raise ValueError("Argument `indexing` parameter must be either 'xy' or 'ij', got '%s'" % (indexing,))
    ts = [_tensor(a) for a in args]
    if not ts:
        return []
    for i, x in enumerate(ts[1:], 1):
        if x.dtype != ts[0].dtype:
            raise InvalidArgumentError("meshgrid: all inputs must have the same dtype, but input 0 is %s and "
                                       "input %d is %s" % (ts[0].dtype.name, i, x.dtype.name))
    lens = [int(np.prod(x._shape, dtype=np.int64)) for x in ts]
    ndim = len(ts)
    pos = list(range(ndim))
    if indexing == "xy" and ndim > 1:
        pos[0], pos[1] = 1, 0
    out_shape = [0] * ndim
    for i, p in enumerate(pos):
        out_shape[p] = lens[i]
    out = []
    for i, x in enumerate(ts):
        shape = [1] * ndim
        shape[pos[i]] = lens[i]
        out.append(_core.broadcast_to(_core.reshape(x, shape), out_shape))
    return out


def sequence_mask(lengths, maxlen=None, dtype=_bool, name=None):
    """``mask[..., j] = j < lengths[...]`` for j in range(maxlen) (maxlen
    defaults to max(lengths)), as ``dtype`` (default bool)."""
    lens = _array(lengths)
    if maxlen is None:
        m = lens.max() if lens.size else 0
    else:
        m = _array(maxlen)
        if m.ndim != 0:
            raise ValueError("Argument `maxlen` must be scalar for sequence_mask, received `maxlen` = %r with "
                             "shape '%s' instead" % (maxlen, m.shape))
    m = int(m)
    mask = np.arange(max(m, 0)) < lens[..., None]
    dt = as_dtype(dtype)
    return _core.from_numpy(np.ascontiguousarray(mask.astype(dt.as_numpy_dtype)))


# ---------------------------------------------------------------- tensordot
def _prod(dims):
    p = 1
    for d in dims:
        p *= int(d)
    return p


def _tensordot_axes(axes, ra, rb, a):
    if _is_int(axes) or (_core.is_tensor(axes) and axes._shape == ()):
        n = int(axes)
        if n < 0:
            raise ValueError("`axes` must be at least 0. Received: %d." % n)
        if n > ra or n > rb:
            raise ValueError("`axes` must not be larger than the number of dimensions of tensor %s.  Received %d, "
                             "vs tensor dimensions %d." % (a.shape if n > ra else "b", n, ra if n > ra else rb))
        return list(range(ra - n, ra)), list(range(n))
    if _core.is_tensor(axes) or isinstance(axes, np.ndarray):
        axes = _array(axes).tolist()
    if not isinstance(axes, (list, tuple)) or len(axes) != 2:
        raise ValueError("`axes` must be an integer or have length 2. Received %r." % (axes,))
    pair = []
    for v in axes:
        v = _array(v)
        if v.size and v.dtype.kind not in "iu":
            raise TypeError("tensordot: axes must be integers, got %r" % (axes,))
        pair.append([int(d) for d in v.reshape(-1)])
    if len(pair[0]) != len(pair[1]):
        raise ValueError("Different number of contraction axes `a` and `b`, %d != %d."
                         % (len(pair[0]), len(pair[1])))
    return pair


def tensordot(a, b, axes, name=None):
    """Sums the products of ``a`` and ``b`` over the axes ``axes[0]`` of a
    and ``axes[1]`` of b (an int n means a's last n and b's first n). The
    result has a's free dims then b's. Lowered to transpose, reshape and
    one matmul."""
    a = _tensor(a)
    b = convert_to_tensor(b, dtype_hint=a.dtype) if not _core.is_tensor(b) else b
    ra, rb = len(a._shape), len(b._shape)
    ax_a, ax_b = _tensordot_axes(axes, ra, rb, a)
    norm = []
    for axs, r, what in ((ax_a, ra, "a"), (ax_b, rb, "b")):
        out = []
        for d in axs:
            if not -r <= d < r:
                raise ValueError("tensordot: axis %d is out of range for `%s` of rank %d" % (d, what, r))
            out.append(d % r)
        if len(set(out)) != len(out):
            raise ValueError("tensordot: repeated axis in %r for `%s`" % (axs, what))
        norm.append(out)
    ax_a, ax_b = norm
    if a.dtype != b.dtype:
        raise InvalidArgumentError("cannot compute MatMul as input #1(zero-based) was expected to be a %s tensor "
                                   "but is a %s tensor [Op:MatMul]" % (a.dtype.name, b.dtype.name))
    for da, db in zip(ax_a, ax_b):
        if a._shape[da] != b._shape[db]:
            raise InvalidArgumentError("tensordot: dimension %d of a (size %d) does not match dimension %d of b "
                                       "(size %d) [Op:MatMul]" % (da, a._shape[da], db, b._shape[db]))
    free_a = [d for d in range(ra) if d not in ax_a]
    free_b = [d for d in range(rb) if d not in ax_b]
    k = _prod(a._shape[d] for d in ax_a)
    perm_a = free_a + ax_a
    perm_b = ax_b + free_b
    ta = a if perm_a == list(range(ra)) else _core.transpose(a, perm_a)
    tb = b if perm_b == list(range(rb)) else _core.transpose(b, perm_b)
    ma = _core.reshape(ta, [_prod(a._shape[d] for d in free_a), k])
    mb = _core.reshape(tb, [k, _prod(b._shape[d] for d in free_b)])
    out_shape = [a._shape[d] for d in free_a] + [b._shape[d] for d in free_b]
    return _core.reshape(_core.matmul(ma, mb), out_shape)


# ---------------------------------------------------------------- slice / strided_slice
def slice(input_, begin, size, name=None):  # noqa: A001 - TensorFlow's name
    """The block of ``input_`` starting at ``begin`` with extent ``size``
    (one entry per dimension; size -1 means to the end)."""
    t = _tensor(input_)
    shape = t._shape
    r = len(shape)
    b = _int_vector(begin, "slice: begin")
    s = _int_vector(size, "slice: size")
    if b.shape != (r,) or s.shape != (r,):
        raise InvalidArgumentError("Expected begin and size arguments to be 1-D tensors of size %d, but got shapes "
                                   "%s and %s instead. [Op:Slice]" % (r, _dims(b.shape), _dims(s.shape)))
    end = []
    for i in range(r):
        n, bi, si = shape[i], int(b[i]), int(s[i])
        if not 0 <= bi <= n:
            raise InvalidArgumentError("Expected begin[%d] in [0, %d], but got %d [Op:Slice]" % (i, n, bi))
        if si == -1:
            si = n - bi
        if not 0 <= si <= n - bi:
            raise InvalidArgumentError("Expected size[%d] in [0, %d], but got %d [Op:Slice]" % (i, n - bi, si))
        end.append(bi + si)
    if r == 0 or (not b.any() and end == list(shape)):
        return _core.identity(t)
    return _core.strided_slice(t, [int(v) for v in b], end, [1] * r)


def _bit(mask, i):
    return (int(mask) >> i) & 1


def strided_slice(input_, begin, end, strides=None, begin_mask=0, end_mask=0, ellipsis_mask=0, new_axis_mask=0,
                  shrink_axis_mask=0, var=None, name=None):
    """``input_[begin:end:strides]`` per dimension, with TensorFlow's bit
    masks: bit i of begin_mask / end_mask ignores begin[i] / end[i]; of
    ellipsis_mask makes entry i an ellipsis; of new_axis_mask inserts a
    dimension of size 1; of shrink_axis_mask takes index begin[i] and drops
    the dimension."""
    t = _tensor(input_)
    b = _int_vector(begin, "strided_slice: begin")
    e = _int_vector(end, "strided_slice: end")
    st = np.ones_like(b) if strides is None else _int_vector(strides, "strided_slice: strides")
    if b.ndim != 1 or b.shape != e.shape or b.shape != st.shape:
        raise InvalidArgumentError("Expected begin, end, and strides to be 1D equal size tensors, but got shapes "
                                   "%s, %s, and %s instead. [Op:StridedSlice]"
                                   % (_dims(b.shape), _dims(e.shape), _dims(st.shape)))
    n = b.size
    if sum(_bit(ellipsis_mask, i) for i in range(n)) > 1:
        raise InvalidArgumentError("Multiple ellipses in slice spec not allowed [Op:StridedSlice]")
    key = []
    for i in range(n):
        if _bit(ellipsis_mask, i):
            key.append(Ellipsis)
        elif _bit(new_axis_mask, i):
            key.append(None)
        else:
            if st[i] == 0:
                raise InvalidArgumentError("strides[%d] must be non-zero [Op:StridedSlice]" % i)
            if _bit(shrink_axis_mask, i):
                key.append(int(b[i]))
            else:
                key.append(_pyslice(None if _bit(begin_mask, i) else int(b[i]),
                                    None if _bit(end_mask, i) else int(e[i]), int(st[i])))
    real = sum(1 for k in key if k is not None and k is not Ellipsis)
    if real > len(t._shape):
        raise InvalidArgumentError("Index out of range using input dim %d; input has only %d dims [Op:StridedSlice]"
                                   % (len(t._shape), len(t._shape)))
    dim = 0
    for k in key:
        if k is Ellipsis:
            dim += len(t._shape) - real
        elif k is not None:
            if _is_int(k) and not -t._shape[dim] <= k < t._shape[dim]:
                raise InvalidArgumentError("slice index %d of dimension %d out of bounds. [Op:StridedSlice]"
                                           % (k, dim))
            dim += 1
    out = _getitem(t, tuple(key))
    return _core.identity(out) if out is t else out


# ---------------------------------------------------------------- linalg
def band_part(input, num_lower, num_upper, name=None):  # noqa: A002
    """Keeps the band of each matrix (last two dims) within ``num_lower``
    diagonals below and ``num_upper`` above the main one (negative: keep the
    whole triangle); zeros elsewhere."""
    t = _tensor(input)
    shape = t._shape
    if len(shape) < 2:
        raise InvalidArgumentError("input must be at least 2-dim, received shape: %s [Op:MatrixBandPart]"
                                   % _dims(shape))
    m, n = shape[-2], shape[-1]
    lo = _int_scalar(num_lower, "band_part: num_lower")
    up = _int_scalar(num_upper, "band_part: num_upper")
    if lo > m:
        raise InvalidArgumentError("num_lower must be negative or less or equal to number of rows (%d) got: %d "
                                   "[Op:MatrixBandPart]" % (m, lo))
    if up > n:
        raise InvalidArgumentError("num_upper must be negative or less or equal to number of columns (%d) got: %d "
                                   "[Op:MatrixBandPart]" % (n, up))
    diff = np.arange(m)[:, None] - np.arange(n)[None, :]
    keep = ((lo < 0) | (diff <= lo)) & ((up < 0) | (-diff <= up))
    if keep.all():
        return _core.identity(t)
    zero = _core.from_numpy(np.zeros((), dtype=t.dtype.as_numpy_dtype))
    return _core.where(_core.from_numpy(np.ascontiguousarray(keep)), t, zero)


def diag(diagonal, name="diag", k=0, num_rows=-1, num_cols=-1, padding_value=0, align="RIGHT_LEFT"):
    """Matrices (last two dims) with ``diagonal``'s last dim on their k-th
    diagonal (k > 0 above the main one) and ``padding_value`` elsewhere.
    Square of side len + |k| unless num_rows / num_cols say otherwise. One
    diagonal per call. A gather, so its gradient picks the diagonal."""
    if isinstance(k, (tuple, list)) or (_core.is_tensor(k) and k._shape != ()):
        ks = [int(v) for v in _array(k).reshape(-1)]
        if len(ks) == 2 and ks[0] == ks[1]:
            k = ks[0]
        else:
            raise ValueError("diag: k=%r asks for a band of diagonals; fasttape takes one diagonal per call"
                             % (k,))
    k = _int_scalar(k, "diag: k")
    d = _tensor(diagonal)
    shape = d._shape
    if len(shape) < 1:
        raise InvalidArgumentError("diagonal must be at least 1-dim, received shape: [] [Op:MatrixDiagV3]")
    length = shape[-1]
    min_rows, min_cols = length + max(-k, 0), length + max(k, 0)
    rows, cols = _int_scalar(num_rows, "diag: num_rows"), _int_scalar(num_cols, "diag: num_cols")
    if rows == -1 and cols == -1:
        rows = cols = max(min_rows, min_cols)
    elif rows == -1:
        rows = min_rows
    elif cols == -1:
        cols = min_cols
    if rows < min_rows:
        raise InvalidArgumentError("The number of rows is too small. [Op:MatrixDiagV3]")
    if cols < min_cols:
        raise InvalidArgumentError("The number of columns is too small. [Op:MatrixDiagV3]")
    if rows != min_rows and cols != min_cols:
        raise InvalidArgumentError("The number of diagonal elements should be the same as the length of the "
                                   "diagonal: num_rows (%d) or num_cols (%d) must be exactly the minimum (%d, %d) "
                                   "[Op:MatrixDiagV3]" % (rows, cols, min_rows, min_cols))
    idx = np.zeros((rows, cols), dtype=np.int64)
    i = np.arange(length)
    idx[i + max(-k, 0), i + max(k, 0)] = i + 1
    pad = _core.from_numpy(np.full(tuple(shape[:-1]) + (1,), padding_value, dtype=d.dtype.as_numpy_dtype))
    src = _core.concat([pad, d], len(shape) - 1)
    return _core.gather(src, _core.from_numpy(idx), axis=len(shape) - 1)


def matrix_transpose(a, name="matrix_transpose", conjugate=False):
    """``a`` with its last two dimensions swapped (real dtypes, so
    ``conjugate`` changes nothing)."""
    t = _tensor(a)
    r = len(t._shape)
    if r < 2:
        raise ValueError("Argument `a` should be a (batch) matrix with rank >= 2.  Received `a` = %s with shape: %s"
                         % (t, t.shape))
    perm = list(range(r))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return _core.transpose(t, perm)


def adjoint(matrix, name=None):
    """The conjugate transpose of the last two dims (for real dtypes, the
    transpose)."""
    return matrix_transpose(matrix)


# ---------------------------------------------------------------- space_to_depth / depth_to_space
def _block_args(t, block_size, data_format, op):
    if data_format not in ("NHWC", "NCHW", "NCHW_VECT_C"):
        raise InvalidArgumentError("Value for attr 'data_format' of \"%s\" is not in the list of allowed values: "
                                   "\"NHWC\", \"NCHW\", \"NCHW_VECT_C\" [Op:%s]" % (data_format, op))
    if data_format == "NCHW_VECT_C":
        raise InvalidArgumentError("%s: data_format NCHW_VECT_C (quantized int8) is not supported; use NHWC or NCHW"
                                   % op)
    bs = _int_scalar(block_size, "block_size")
    if bs < 2:
        raise InvalidArgumentError("Value for attr 'block_size' of %d must be at least minimum 2 [Op:%s]" % (bs, op))
    if len(t._shape) != 4:
        raise InvalidArgumentError("Input rank should be 4 instead of %d [Op:%s]" % (len(t._shape), op))
    return bs


def space_to_depth(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """Moves each ``block_size`` x ``block_size`` spatial block into the
    channel dimension: NHWC (n, h, w, c) -> (n, h/b, w/b, b*b*c), channels
    ordered (block row, block column, c). NCHW is the same with channels
    first."""
    t = _tensor(input)
    b = _block_args(t, block_size, data_format, "SpaceToDepth")
    if data_format == "NHWC":
        n, h, w, c = t._shape
    else:
        n, c, h, w = t._shape
    if h % b or w % b:
        raise InvalidArgumentError("Image width %d and height %d should be divisible by block_size: %d "
                                   "[Op:SpaceToDepth]" % (w, h, b))
    if data_format == "NHWC":
        x = _core.reshape(t, [n, h // b, b, w // b, b, c])
        x = _core.transpose(x, [0, 1, 3, 2, 4, 5])
        return _core.reshape(x, [n, h // b, w // b, b * b * c])
    x = _core.reshape(t, [n, c, h // b, b, w // b, b])
    x = _core.transpose(x, [0, 3, 5, 1, 2, 4])
    return _core.reshape(x, [n, b * b * c, h // b, w // b])


def depth_to_space(input, block_size, data_format="NHWC", name=None):  # noqa: A002
    """The inverse of space_to_depth: NHWC (n, h, w, b*b*c) -> (n, h*b,
    w*b, c)."""
    t = _tensor(input)
    b = _block_args(t, block_size, data_format, "DepthToSpace")
    if data_format == "NHWC":
        n, h, w, c = t._shape
    else:
        n, c, h, w = t._shape
    if c % (b * b):
        raise InvalidArgumentError("Input depth dimension %d should be divisible by: %d [Op:DepthToSpace]"
                                   % (c, b * b))
    co = c // (b * b)
    if data_format == "NHWC":
        x = _core.reshape(t, [n, h, w, b, b, co])
        x = _core.transpose(x, [0, 1, 3, 2, 4, 5])
        return _core.reshape(x, [n, h * b, w * b, co])
    x = _core.reshape(t, [n, b, b, co, h, w])
    x = _core.transpose(x, [0, 3, 4, 1, 5, 2])
    return _core.reshape(x, [n, co, h * b, w * b])


# ---------------------------------------------------------------- unique / searchsorted / histogram / bincount
def unique(x, out_idx=int32, name=None):
    """The distinct elements of the 1-D ``x`` in order of first occurrence
    (``y``) and, for each element of x, the position of its value in y
    (``idx``, of dtype ``out_idx``). NaNs are all distinct, -0.0 equals 0.0.
    Not differentiable."""
    dt = _int_dtype(out_idx, "out_idx")
    a = _array(x) if not _core.is_tensor(x) else np.asarray(x)
    if a.ndim != 1:
        raise InvalidArgumentError("unique expects a 1D vector. [Op:Unique]")
    if a.dtype.kind == "f":
        _, first, inv = np.unique(a, return_index=True, return_inverse=True, equal_nan=False)
    else:
        _, first, inv = np.unique(a, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    y = np.ascontiguousarray(a[first[order]])
    idx = rank[inv.reshape(-1)].astype(dt.as_numpy_dtype)
    return Unique(_core.from_numpy(y), _core.from_numpy(np.ascontiguousarray(idx)))


def searchsorted(sorted_sequence, values, side="left", out_type=int32, name=None):
    """For each of ``values``, the index in the last dimension of
    ``sorted_sequence`` where it would be inserted to keep it sorted
    (``side='left'``: before equal elements; ``'right'``: after). Leading
    dims are a batch: both inputs, flattened to rows, must have the same
    number of rows. Not differentiable."""
    if side not in ("left", "right"):
        raise ValueError("Argument `side` must be either 'right' or 'left'. Received: `side` = %r." % (side,))
    dt = _int_dtype(out_type, "out_type")
    s = np.asarray(_tensor(sorted_sequence))
    v = np.asarray(_tensor(values))
    if s.dtype != v.dtype:
        raise InvalidArgumentError("cannot compute %s as input #1(zero-based) was expected to be a %s tensor but "
                                   "is a %s tensor [Op:%s]" % ("LowerBound" if side == "left" else "UpperBound",
                                                              s.dtype, v.dtype,
                                                              "LowerBound" if side == "left" else "UpperBound"))
    if s.ndim == 0 or v.ndim == 0:
        raise InvalidArgumentError("searchsorted: sorted_sequence and values must have rank >= 1, got shapes %s "
                                   "and %s" % (_dims(s.shape), _dims(v.shape)))
    rows = _prod(s.shape[:-1])
    if _prod(v.shape[:-1]) != rows:
        raise InvalidArgumentError("Leading dim_size of both tensors must match. [Op:%s]"
                                   % ("LowerBound" if side == "left" else "UpperBound"))
    s2 = s.reshape(rows, s.shape[-1])
    v2 = v.reshape(rows, v.shape[-1])
    out = np.empty(v2.shape, dtype=dt.as_numpy_dtype)
    for i in range(rows):
        out[i] = np.searchsorted(s2[i], v2[i], side=side)
    return _core.from_numpy(np.ascontiguousarray(out.reshape(v.shape)))


def histogram_fixed_width(values, value_range, nbins=100, dtype=int32, name=None):
    """Counts of ``values`` in ``nbins`` equal-width bins spanning
    ``value_range = [lo, hi]``; values below lo count in the first bin,
    values at or above hi in the last. Not differentiable."""
    dt = _int_dtype(dtype, "dtype")
    v = np.asarray(_tensor(values))
    vr = _array(value_range)
    if vr.shape != (2,):
        raise InvalidArgumentError("value_range should be a vector of 2 elements. [Op:HistogramFixedWidth]")
    nb = _int_scalar(nbins, "histogram_fixed_width: nbins")
    if nb <= 0:
        raise InvalidArgumentError("nbins should be a positive number, but got '%d' [Op:HistogramFixedWidth]" % nb)
    lo, hi = vr.astype(v.dtype) if v.dtype.kind in "fiu" else vr
    if not lo < hi:
        raise InvalidArgumentError("value_range should satisfy value_range[0] < value_range[1], but got '[%s, %s]' "
                                   "[Op:HistogramFixedWidth]" % (vr[0], vr[1]))
    if v.dtype.kind == "f" and np.isnan(v).any():
        raise InvalidArgumentError("Histogram values must not contain NaN [Op:HistogramFixedWidth]")
    step = (float(hi) - float(lo)) / nb
    # Offsets from lo and bin widths in float64 (after rounding the range
    # to the values' dtype).
    offs = v.astype(np.float64).reshape(-1) - float(lo)
    bins = np.clip(np.floor(offs / step), 0, nb - 1).astype(np.int64)
    counts = np.bincount(bins, minlength=nb).astype(dt.as_numpy_dtype)
    return _core.from_numpy(counts)


def bincount(arr, weights=None, minlength=None, maxlength=None, dtype=int32, name=None, axis=None,
             binary_output=False):
    """Counts of each non-negative integer in ``arr`` (or sums of the
    matching ``weights``): output length max(arr) + 1, at least
    ``minlength`` and at most ``maxlength`` (larger values are dropped).
    ``axis=-1`` counts each row of a 2-D arr separately; ``binary_output``
    gives 1 where the count is positive. Not differentiable."""
    a = _array(arr)
    if a.size == 0:
        a = a.astype(np.int64)
    if a.dtype.kind == "f" and not _core.is_tensor(arr) and np.all(a == np.round(a)):
        a = a.astype(np.int64)
    if a.dtype.kind not in "iu":
        raise TypeError("bincount: arr must be integers, got dtype %s" % a.dtype)
    if weights is not None and binary_output:
        raise ValueError("Arguments `binary_output` and `weights` are mutually exclusive. Please specify only one.")
    if axis not in (None, 0, -1):
        raise ValueError("Unsupported axis value %s. Only 0 and -1 are currently supported." % (axis,))
    if (a < 0).any():
        raise InvalidArgumentError("Input arr must be non-negative! [Op:DenseBincount]")
    w = None
    if weights is not None:
        w = np.asarray(_tensor(weights))
        if w.size == 0:
            w = None
        elif w.shape != a.shape:
            raise InvalidArgumentError("`weights` must be the same shape as `arr` or a length-0 `Tensor`, in which "
                                       "case it acts as all weights equal to 1. Received %s [Op:DenseBincount]"
                                       % _dims(w.shape))
    length = int(a.max()) + 1 if a.size else 0
    if minlength is not None:
        length = max(length, _int_scalar(minlength, "bincount: minlength"))
    if maxlength is not None:
        length = min(length, max(_int_scalar(maxlength, "bincount: maxlength"), 0))
    out_dt = w.dtype if w is not None else as_dtype(dtype).as_numpy_dtype
    if axis == -1 and a.ndim == 2:
        rows, flat = a.shape[0], a
    else:
        rows, flat = None, a.reshape(-1)
    wflat = None if w is None else w.reshape(flat.shape)
    keep = flat < length
    if rows is None:
        out = np.zeros(length, dtype=out_dt)
        np.add.at(out, flat[keep], 1 if wflat is None else wflat[keep])
    else:
        out = np.zeros((rows, length), dtype=out_dt)
        r = np.broadcast_to(np.arange(rows)[:, None], flat.shape)
        np.add.at(out, (r[keep], flat[keep]), 1 if wflat is None else wflat[keep])
    if binary_output:
        out = (out > 0).astype(out_dt)
    return _core.from_numpy(np.ascontiguousarray(out))


# ---------------------------------------------------------------- sort / argsort
def _check_direction(direction):
    if direction not in ("ASCENDING", "DESCENDING"):
        raise ValueError("Argument `direction` should be one of ASCENDING, DESCENDING. Received: direction=%s"
                         % (direction,))


def _order(t, axis, direction):
    """numpy argsort of ``t`` along ``axis``: stable, so equal elements keep
    their order in both directions."""
    a = np.asarray(t)
    r = a.ndim
    ax = _int_scalar(axis, "sort: axis")
    if a.dtype == np.bool_:
        raise InvalidArgumentError("sort: bool tensors cannot be sorted; cast to an integer dtype first")
    if not -r <= ax < r:
        raise InvalidArgumentError("slice index %d of dimension 0 out of bounds. [Op:StridedSlice]"
                                   % (ax if ax >= 0 else ax + r if r else ax))
    ax %= r
    if direction == "ASCENDING":
        return np.argsort(a, axis=ax, kind="stable"), ax
    flipped = np.flip(a, axis=ax)
    order = np.flip(np.argsort(flipped, axis=ax, kind="stable"), axis=ax)
    return a.shape[ax] - 1 - order, ax


def argsort(values, axis=-1, direction="ASCENDING", stable=False, name=None):
    """int32 indices that sort ``values`` along ``axis`` (equal elements
    keep their order, whatever ``stable`` says). Not differentiable."""
    _check_direction(direction)
    order, _ = _order(_tensor(values), axis, direction)
    return _core.from_numpy(np.ascontiguousarray(order.astype(np.int32)))


def sort(values, axis=-1, direction="ASCENDING", name=None):
    """``values`` sorted along ``axis``. A gather by the argsort indices, so
    the gradient flows back to each element's original position."""
    _check_direction(direction)
    t = _tensor(values)
    order, ax = _order(t, axis, direction)
    if len(t._shape) == 1:
        return _core.gather(t, _core.from_numpy(np.ascontiguousarray(order.astype(np.int64))), axis=0)
    pos = np.arange(order.size, dtype=np.int64).reshape(order.shape)
    flat = np.ascontiguousarray(np.take_along_axis(pos, order, axis=ax))
    return _core.gather(_core.reshape(t, [-1]), _core.from_numpy(flat), axis=0)
