"""Segment reductions, scatter ops and a few scans and reductions of
TensorFlow's math namespace, written in Python over the C++ entries.

Segment ids and scatter indices are read into numpy (they are never
differentiated). Sums and means are compositions of ``gather_grad`` (a
scatter-add whose adjoint is gather); max/min/prod reductions, the scatter
ops, cumprod and cumulative_logsumexp compute their values with numpy and
define their gradients with fasttape ops, so that outer tapes differentiate
the gradients again.

Names in ``__all__`` are exported at the package's top level; ``MATH_NAMES``
lists the names ``fasttape.math`` takes from here (as in TensorFlow).

Differences from TensorFlow: ``cumprod``'s gradient is the exact derivative
where ``x`` has zeros (TensorFlow's divides by ``x`` with ``div_no_nan``
and returns 0 at the first zero of a run); the second derivative of
``cumprod`` is exact except at elements exactly equal to 0."""

import builtins

import numpy as np

from . import _core
from ._custom import custom_gradient
from ._dtypes import BOOL_CODE, FLOAT_CODES, INT_CODES, as_dtype, int64
from ._tensor import convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
           "tensor_scatter_nd_min", "tensor_scatter_nd_max", "reduce_all", "reduce_any"]

MATH_NAMES = ["unsorted_segment_sum", "unsorted_segment_mean", "unsorted_segment_max", "unsorted_segment_min",
              "unsorted_segment_prod", "unsorted_segment_sqrt_n", "segment_sum", "segment_mean", "segment_max",
              "segment_min", "segment_prod", "polyval", "reduce_euclidean_norm", "count_nonzero", "cumprod",
              "cumulative_logsumexp", "reduce_all", "reduce_any"]


def _t(x, dtype_hint=None):
    if _core.is_variable(x):
        return x._read()
    if _core.is_tensor(x):
        return x
    return convert_to_tensor(x, dtype_hint=dtype_hint)


def _const(arr):
    arr = np.asarray(arr)
    return _core.from_numpy(arr if arr.flags.c_contiguous else arr.copy())


def _np(t):
    return np.asarray(t.numpy())


def _shape_str(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _int_array(x, what):
    t = _t(x)
    if t._dtype_code not in INT_CODES:
        raise TypeError("%s must be int32 or int64, got %s" % (what, t.dtype.name))
    return _np(t).astype(np.int64)


def _fmt_index(shape, flat_pos):
    if len(shape) <= 1:
        return "[%d]" % flat_pos
    return "".join("[%d]" % i for i in np.unravel_index(flat_pos, shape))


# --------------------------------------------------------------------------
# segment reductions


class _Segments:
    """Flattened view of a segment reduction: ``rows`` (data reshaped to
    [n_ids, *inner], with rows of negative ids removed), their ``ids`` and
    the number of segments ``n``."""

    def __init__(self, data, segment_ids, num_segments, op):
        x = _t(data)
        ids = _int_array(segment_ids, "%s: segment_ids" % op)
        shape = tuple(x._shape)
        if num_segments is None:  # sorted: 1-D ids, non-decreasing, non-negative
            if ids.ndim != 1:
                raise InvalidArgumentError(None, None, "segment_ids should be a vector. [Op:%s]" % op)
            if len(shape) == 0 or shape[0] != ids.shape[0]:
                raise InvalidArgumentError(
                    None, None, "segment_ids should be the same size as dimension 0 of input. [Op:%s]" % op)
            n = int(ids[-1]) + 1 if ids.size else 0
            if ids.size and ids[0] < 0:
                raise InvalidArgumentError(
                    None, None, "Segment id %d out of range [0, %d), possibly because 'segment_ids' input is not "
                    "sorted. [Op:%s]" % (ids[0], n, op))
            if ids.size > 1 and np.any(np.diff(ids) < 0):
                raise InvalidArgumentError(None, None, "segment ids are not increasing [Op:%s]" % op)
        else:
            n_t = _t(num_segments)
            if n_t._dtype_code not in INT_CODES or n_t._shape != ():
                raise InvalidArgumentError(None, None, "%s: num_segments must be an integer scalar" % op)
            n = int(_np(n_t))
            if n < 0:
                raise InvalidArgumentError(None, None, "Input num_segments == %d must not be negative. [Op:%s]"
                                           % (n, op))
            if shape[:ids.ndim] != ids.shape:
                raise InvalidArgumentError(None, None, "data.shape = %s does not start with segment_ids.shape = "
                                           "%s [Op:%s]" % (_shape_str(shape), _shape_str(ids.shape), op))
            bad = np.flatnonzero(ids.reshape(-1) >= n)
            if bad.size:
                raise InvalidArgumentError(None, None, "segment_ids%s = %d is out of range [0, %d) [Op:%s]" % (
                    _fmt_index(ids.shape, bad[0]), ids.reshape(-1)[bad[0]], n, op))
        self.inner = tuple(shape[ids.ndim:])
        flat = ids.reshape(-1)
        rows = _core.reshape(x, [flat.size] + list(self.inner))
        keep = flat >= 0
        if not keep.all():
            rows = _core.gather(rows, _const(np.flatnonzero(keep).astype(np.int64)))
            flat = flat[keep]
        self.rows, self.ids, self.n = rows, flat, n
        self.dtype_code = x._dtype_code
        self.np_dtype = x.dtype.as_numpy_dtype
        self.counts = np.bincount(flat, minlength=n).reshape((n,) + (1,) * len(self.inner))

    @property
    def is_float(self):
        return self.dtype_code in FLOAT_CODES

    def sum(self):
        return _core.gather_grad(self.rows, _const(self.ids), self.n, 0)

    def gather_ids(self, t):
        return _core.gather(t, _const(self.ids))


def _check_numeric(seg, op):
    if seg.dtype_code == BOOL_CODE:
        raise TypeError("%s: data must be a numeric tensor, got bool" % op)


def _segment_sum(data, segment_ids, num_segments, op):
    seg = _Segments(data, segment_ids, num_segments, op)
    _check_numeric(seg, op)
    return seg.sum()


def _segment_mean(data, segment_ids, num_segments, op):
    seg = _Segments(data, segment_ids, num_segments, op)
    _check_numeric(seg, op)
    total = seg.sum()
    count = np.maximum(seg.counts, 1)
    if seg.is_float:
        return _core.divide(total, _const(count.astype(seg.np_dtype)))
    s = _np(total)
    if num_segments is not None:  # TensorFlow's composition: int sum / int count (true division)
        return _const(np.true_divide(s, count))
    q = np.abs(s) // count  # the sorted kernel's integer division truncates toward zero
    return _const(np.where(s < 0, -q, q).astype(seg.np_dtype))


def _segment_sqrt_n(data, segment_ids, num_segments, op):
    seg = _Segments(data, segment_ids, num_segments, op)
    if not seg.is_float:
        raise InvalidArgumentError(None, None, "%s: data must be float32 or float64, got %s"
                                   % (op, as_dtype(seg.np_dtype).name))
    root = np.sqrt(np.maximum(seg.counts, 1).astype(seg.np_dtype))
    return _core.divide(seg.sum(), _const(root))


def _segment_extreme(data, segment_ids, num_segments, op, is_max):
    seg = _Segments(data, segment_ids, num_segments, op)
    _check_numeric(seg, op)
    vals = _np(seg.rows)
    info = np.finfo(seg.np_dtype) if seg.is_float else np.iinfo(seg.np_dtype)
    init = info.min if is_max else info.max
    out = np.full((seg.n,) + seg.inner, init, dtype=seg.np_dtype)
    (np.maximum if is_max else np.minimum).at(out, seg.ids, vals)
    if num_segments is None:  # sorted ops give 0 to empty segments
        out = np.where(seg.counts > 0, out, np.zeros((), seg.np_dtype)).astype(seg.np_dtype)
    if not seg.is_float:
        return _const(out)
    selected = vals == out[seg.ids]
    n_sel = np.zeros(out.shape, dtype=seg.np_dtype)
    np.add.at(n_sel, seg.ids, selected.astype(seg.np_dtype))
    n_sel = np.maximum(n_sel, 1)

    @custom_gradient
    def reduce(rows):
        def grad(dy):
            shared = seg.gather_ids(_core.divide(dy, _const(n_sel)))  # ties share the gradient evenly
            return _core.where(_const(selected), shared, _core.zeros_like_t(shared))
        return _const(out), grad

    return reduce(seg.rows)


def _prod_rows(rows, ids, n, np_dtype):
    """Product of ``rows`` by segment ``ids`` (all in [0, n)), differentiable
    to any order; the gradient handles zeros."""
    vals = _np(rows)
    inner = vals.shape[1:]
    out = np.ones((n,) + inner, dtype=np_dtype)
    np.multiply.at(out, ids, vals)

    @custom_gradient
    def reduce(r):
        def grad(dy):
            is_zero = vals == 0
            zeros = np.zeros((n,) + inner, dtype=np.int64)
            np.add.at(zeros, ids, is_zero.astype(np.int64))
            zeros_per_row = zeros[ids]
            safe = _core.where(_const(is_zero), _core.fill(list(vals.shape), 1.0, r._dtype_code), r)
            nonzero_prod = _core.gather(_prod_rows(safe, ids, n, np_dtype), _const(ids))
            at_zero = _core.multiply(nonzero_prod, _const((zeros_per_row == 1).astype(np_dtype)))
            elsewhere = _core.multiply(_core.divide(nonzero_prod, safe),
                                       _const((zeros_per_row == 0).astype(np_dtype)))
            partial = _core.where(_const(is_zero), at_zero, elsewhere)
            return _core.multiply(_core.gather(dy, _const(ids)), partial)
        return _const(out), grad

    return reduce(rows)


def _segment_prod(data, segment_ids, num_segments, op):
    seg = _Segments(data, segment_ids, num_segments, op)
    _check_numeric(seg, op)
    if not seg.is_float:
        out = np.ones((seg.n,) + seg.inner, dtype=seg.np_dtype)
        np.multiply.at(out, seg.ids, _np(seg.rows))
        return _const(out)
    return _prod_rows(seg.rows, seg.ids, seg.n, seg.np_dtype)


def unsorted_segment_sum(data, segment_ids, num_segments, name=None):
    """Sums of the slices of ``data`` by segment: ``out[s] = sum of
    data[i...] with segment_ids[i] == s``; segment_ids covers a prefix of
    data's shape, negative ids are dropped, empty segments are 0."""
    return _segment_sum(data, segment_ids, num_segments, "UnsortedSegmentSum")


def unsorted_segment_mean(data, segment_ids, num_segments, name=None):
    """Means by segment (0 for empty segments); integer data gives float64
    (sum / count, true division), as TensorFlow's."""
    return _segment_mean(data, segment_ids, num_segments, "UnsortedSegmentMean")


def unsorted_segment_sqrt_n(data, segment_ids, num_segments, name=None):
    """Sums by segment divided by sqrt(count) (0 for empty segments); float only."""
    return _segment_sqrt_n(data, segment_ids, num_segments, "UnsortedSegmentSqrtN")


def unsorted_segment_max(data, segment_ids, num_segments, name=None):
    """Maxima by segment; empty segments get the dtype's lowest value. The
    gradient goes to the elements equal to their segment's maximum, split
    evenly among ties."""
    return _segment_extreme(data, segment_ids, num_segments, "UnsortedSegmentMax", True)


def unsorted_segment_min(data, segment_ids, num_segments, name=None):
    """Minima by segment; empty segments get the dtype's highest value. The
    gradient is split evenly among tied minima."""
    return _segment_extreme(data, segment_ids, num_segments, "UnsortedSegmentMin", False)


def unsorted_segment_prod(data, segment_ids, num_segments, name=None):
    """Products by segment (1 for empty segments); the gradient is exact
    where data has zeros."""
    return _segment_prod(data, segment_ids, num_segments, "UnsortedSegmentProd")


def segment_sum(data, segment_ids, name=None):
    """Sums by sorted 1-D segment_ids (non-decreasing, non-negative; checked):
    the output has ``segment_ids[-1] + 1`` rows, 0 for empty segments."""
    return _segment_sum(data, segment_ids, None, "SegmentSum")


def segment_mean(data, segment_ids, name=None):
    """Means by sorted segment_ids (0 for empty segments; integer data
    divides with truncation and keeps its dtype)."""
    return _segment_mean(data, segment_ids, None, "SegmentMean")


def segment_max(data, segment_ids, name=None):
    """Maxima by sorted segment_ids (0 for empty segments); ties share the
    gradient evenly."""
    return _segment_extreme(data, segment_ids, None, "SegmentMax", True)


def segment_min(data, segment_ids, name=None):
    """Minima by sorted segment_ids (0 for empty segments); ties share the
    gradient evenly."""
    return _segment_extreme(data, segment_ids, None, "SegmentMin", False)


def segment_prod(data, segment_ids, name=None):
    """Products by sorted segment_ids (1 for empty segments)."""
    return _segment_prod(data, segment_ids, None, "SegmentProd")


# --------------------------------------------------------------------------
# scatter


class _Scatter:
    """Checked scatter arguments: ``idx`` as [m, depth], the target ``shape``
    and the updates as [m, *slice_shape]."""

    def __init__(self, indices, updates, shape, op):
        ind = _int_array(indices, "%s: indices" % op)
        self.indices = ind
        if ind.ndim < 1:
            raise InvalidArgumentError(None, None, "Indices shape must have rank at least one. [Op:%s]" % op)
        depth = ind.shape[-1]
        shape = tuple(int(d) for d in shape)
        upd_shape = tuple(updates._shape)
        batch = ind.shape[:-1]
        if depth > len(shape):
            raise InvalidArgumentError(None, None, "Index innermost dimension length must be <= output rank; "
                                       "saw: %d vs. %d [Op:%s]" % (depth, len(shape), op))
        expected = tuple(batch) + shape[depth:]
        if upd_shape != expected:
            raise InvalidArgumentError(
                None, None, "Dimensions [0,%d) of indices[shape=%s] must match dimensions [0,%d) of "
                "updates[shape=%s], and the remaining dimensions of updates must be %s [Op:%s]"
                % (len(batch), _shape_str(ind.shape), len(batch), _shape_str(upd_shape),
                   _shape_str(shape[depth:]), op))
        idx = ind.reshape(-1, depth)
        lim = np.asarray(shape[:depth], dtype=np.int64)
        bad = np.flatnonzero(np.any((idx < 0) | (idx >= lim), axis=1))
        if bad.size:
            raise InvalidArgumentError(None, None, "indices%s = %s does not index into shape %s [Op:%s]" % (
                _fmt_index(batch, bad[0]), "[" + ", ".join(str(v) for v in idx[bad[0]]) + "]",
                _shape_str(shape), op))
        self.idx, self.shape, self.depth = idx, shape, depth
        self.where = tuple(idx.T)
        self.upd = _np(updates).reshape((idx.shape[0],) + shape[depth:])

    def gather(self, t):
        return _core.gather_nd(t, _const(self.indices))


def _float(t):
    return t._dtype_code in FLOAT_CODES


def scatter_nd(indices, updates, shape, name=None):
    """A zero tensor of ``shape`` with ``updates`` added at ``indices``
    (index tuples of depth ``indices.shape[-1]``; duplicates add)."""
    u = _t(updates)
    sc = _Scatter(indices, u, np.asarray(shape._view() if _core.is_tensor(shape) else shape).reshape(-1),
                  "ScatterNd")
    out = np.zeros(sc.shape, dtype=u.dtype.as_numpy_dtype)
    np.add.at(out, sc.where, sc.upd)
    if not _float(u):
        return _const(out)

    @custom_gradient
    def scatter(upd):
        return _const(out), lambda dy: sc.gather(dy)

    return scatter(u)


def _tensor_scatter(tensor, indices, updates, op, kind):
    t = _t(tensor)
    u = _t(updates, dtype_hint=t.dtype)
    if u.dtype != t.dtype:
        if not _core.is_tensor(updates) and not _core.is_variable(updates):
            u = convert_to_tensor(updates, dtype=t.dtype)
        else:
            raise InvalidArgumentError(None, None, "%s: tensor and updates must have one dtype, got %s and %s"
                                       % (op, t.dtype.name, u.dtype.name))
    sc = _Scatter(indices, u, t._shape, op)
    base = _np(t)
    out = np.array(base, copy=True)
    if kind == "update":  # duplicates: the last update wins, as TensorFlow's CPU kernel
        lin = np.ravel_multi_index(sc.where, sc.shape[:sc.depth]) if sc.idx.shape[0] else np.zeros(0, np.int64)
        last = len(lin) - 1 - np.unique(lin[::-1], return_index=True)[1]
        out[tuple(w[last] for w in sc.where)] = sc.upd[last]
    elif kind == "add":
        np.add.at(out, sc.where, sc.upd)
    elif kind == "sub":
        np.subtract.at(out, sc.where, sc.upd)
    elif kind == "max":
        np.maximum.at(out, sc.where, sc.upd)
    else:
        np.minimum.at(out, sc.where, sc.upd)
    if not _float(t):
        return _const(out)
    dt = t.dtype.as_numpy_dtype

    @custom_gradient
    def scatter(base_t, upd_t):
        def grad(dy):
            if kind in ("add", "sub"):
                g = sc.gather(dy)
                return dy, (g if kind == "add" else _core.negative(g))
            if kind == "update":
                untouched = np.ones(sc.shape, dtype=dt)
                untouched[sc.where] = 0
                return _core.multiply(dy, _const(untouched)), sc.gather(dy)
            # min/max: the gradient is shared among the tensor's element and the
            # updates equal to the result
            from_base = (base == out).astype(dt)
            from_upd = (sc.upd == out[sc.where]).astype(dt)
            shares = from_base.copy()
            np.add.at(shares, sc.where, from_upd)
            shares = _const(np.maximum(shares, 1))
            g_base = _core.divide(_core.multiply(dy, _const(from_base)), shares)
            g_upd = _core.multiply(sc.gather(_core.divide(dy, shares)), _const(from_upd.reshape(upd_t._shape)))
            return g_base, g_upd
        return _const(out), grad

    return scatter(t, u)


def tensor_scatter_nd_update(tensor, indices, updates, name=None):
    """``tensor`` with the slices at ``indices`` replaced by ``updates``;
    for duplicate indices the last update wins (TensorFlow's CPU order).
    Gradient: zero for ``tensor`` at updated positions; each update gets the
    gradient gathered at its index."""
    return _tensor_scatter(tensor, indices, updates, "TensorScatterUpdate", "update")


def tensor_scatter_nd_add(tensor, indices, updates, name=None):
    """``tensor`` with ``updates`` added at ``indices`` (duplicates add)."""
    return _tensor_scatter(tensor, indices, updates, "TensorScatterAdd", "add")


def tensor_scatter_nd_sub(tensor, indices, updates, name=None):
    """``tensor`` with ``updates`` subtracted at ``indices``."""
    return _tensor_scatter(tensor, indices, updates, "TensorScatterSub", "sub")


def tensor_scatter_nd_max(tensor, indices, updates, name=None):
    """Elementwise max of ``tensor`` and the ``updates`` at ``indices``;
    the gradient is split evenly among the values equal to the result."""
    return _tensor_scatter(tensor, indices, updates, "TensorScatterMax", "max")


def tensor_scatter_nd_min(tensor, indices, updates, name=None):
    """Elementwise min of ``tensor`` and the ``updates`` at ``indices``."""
    return _tensor_scatter(tensor, indices, updates, "TensorScatterMin", "min")


# --------------------------------------------------------------------------
# reductions and polynomials


def _axis_arg(axis, rank):
    if axis is None:
        return None
    if _core.is_tensor(axis):
        axis = np.asarray(axis._view())
    ax = np.asarray(axis).reshape(-1)
    out = []
    for a in ax:
        a = int(a)
        if a < -rank or a >= rank:
            raise InvalidArgumentError(None, None, "Invalid reduction dimension %d for input with %d dimensions."
                                       % (a, rank))
        out.append(a % rank if rank else a)
    return tuple(out)


def polyval(coeffs, x, name=None):
    """``coeffs[0] * x**(n-1) + ... + coeffs[n-1]`` by Horner's scheme; an
    empty list gives zeros like ``x``."""
    if not isinstance(coeffs, list):
        raise ValueError("Argument coeffs must be list type found %s." % type(coeffs))
    x = _t(x)
    if not coeffs:
        return _core.zeros_like_t(x)
    cs = [_t(c, dtype_hint=x.dtype) for c in coeffs]
    p = cs[0]
    for c in cs[1:]:
        p = _core.add(c, _core.multiply(p, x))
    return p


def reduce_euclidean_norm(input_tensor, axis=None, keepdims=False, name=None):
    """sqrt(sum(x**2)) over ``axis`` (all axes when None); integer inputs
    give the truncated integer root."""
    x = _t(input_tensor)
    ax = _axis_arg(axis, len(x._shape))
    if x._dtype_code in FLOAT_CODES:
        return _core.sqrt(_core.reduce_sum(_core.square(x), list(ax) if ax is not None else None,
                                           builtins.bool(keepdims)))
    if x._dtype_code == BOOL_CODE:
        raise TypeError("reduce_euclidean_norm: input must be numeric, got bool")
    v = _np(x)
    sq = np.sum(v * v, axis=ax, keepdims=builtins.bool(keepdims))
    return _const(np.floor(np.sqrt(sq.astype(np.float64))).astype(v.dtype))


def count_nonzero(input, axis=None, keepdims=None, dtype=int64, name=None):  # noqa: A002 - TensorFlow's name
    """The number of non-zero elements over ``axis`` (all axes when None)."""
    x = _t(input)
    ax = _axis_arg(axis, len(x._shape))
    v = _np(x)
    n = np.sum(v != 0, axis=ax, keepdims=builtins.bool(keepdims))
    return _const(np.asarray(n).astype(as_dtype(dtype).as_numpy_dtype))


def _bool_reduce(input_tensor, axis, keepdims, fn, op):
    if not _core.is_tensor(input_tensor) and not _core.is_variable(input_tensor):
        arr = np.asarray(input_tensor)
        if arr.dtype != np.bool_:
            raise TypeError("Cannot convert %r to EagerTensor of dtype bool" % (input_tensor,))
    x = _t(input_tensor)
    if x._dtype_code != BOOL_CODE:
        raise TypeError("%s: input_tensor must be bool, got %s" % (op, x.dtype.name))
    ax = _axis_arg(axis, len(x._shape))
    return _const(np.asarray(fn(_np(x), axis=ax, keepdims=builtins.bool(keepdims))))


def reduce_all(input_tensor, axis=None, keepdims=False, name=None):
    """Logical and over ``axis`` (all axes when None) of a bool tensor."""
    return _bool_reduce(input_tensor, axis, keepdims, np.all, "reduce_all")


def reduce_any(input_tensor, axis=None, keepdims=False, name=None):
    """Logical or over ``axis`` (all axes when None) of a bool tensor."""
    return _bool_reduce(input_tensor, axis, keepdims, np.any, "reduce_any")


# --------------------------------------------------------------------------
# scans


def _axis_slices(rank, axis, sl):
    return tuple(sl if d == axis else slice(None) for d in range(rank))


def _scan(x, axis, exclusive, reverse, core, fill_value, op):
    """Runs the inclusive forward scan ``core`` along ``axis``; reverse
    flips, exclusive shifts by one with ``fill_value`` in front."""
    x = _t(x)
    rank = len(x._shape)
    axis_t = _t(axis)
    if axis_t._dtype_code not in INT_CODES or axis_t._shape != ():
        raise TypeError("%s: axis must be an integer scalar" % op)
    axis = int(_np(axis_t))
    if axis < -rank or axis >= rank:
        raise InvalidArgumentError(None, None, "%s: axis %d out of range [%d, %d)" % (op, axis, -rank, rank))
    axis %= rank
    if reverse:
        x = x[_axis_slices(rank, axis, slice(None, None, -1))]
    n = x._shape[axis]
    if exclusive and n > 0:
        first = list(x._shape)
        first[axis] = 1
        x = _core.concat([_core.fill(first, fill_value, x._dtype_code),
                          x[_axis_slices(rank, axis, slice(0, n - 1))]], axis)
    y = core(x, axis)
    if reverse:
        y = y[_axis_slices(rank, axis, slice(None, None, -1))]
    return y


def _cumprod_core(x, axis):
    v = _np(x)
    out = np.cumprod(v, axis=axis).astype(v.dtype)
    if x._dtype_code not in FLOAT_CODES:
        return _const(out)

    @custom_gradient
    def scan(xt):
        def grad(dy):
            # d out[k] / d x[i] = prod_{j <= k, j != i} x[j]: with zeros of x
            # replaced by 1, a product of the others survives only while no
            # other zero precedes k.
            is_zero = v == 0
            zeros_so_far = np.cumsum(is_zero, axis=axis)
            safe = _core.where(_const(is_zero), _core.fill(list(v.shape), 1.0, xt._dtype_code), xt)
            weighted = _core.multiply(dy, _cumprod_core(safe, axis))
            none = _core.cumsum(_core.multiply(weighted, _const((zeros_so_far == 0).astype(v.dtype))), axis,
                                False, True)
            one = _core.cumsum(_core.multiply(weighted, _const((zeros_so_far == 1).astype(v.dtype))), axis,
                               False, True)
            return _core.where(_const(is_zero), one, _core.divide(none, safe))
        return _const(out), grad

    return scan(x)


def cumprod(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative product along ``axis``; ``exclusive`` leaves out the
    current element (1 first), ``reverse`` runs from the end. The gradient
    is exact where ``x`` has zeros."""
    return _scan(x, axis, exclusive, reverse, _cumprod_core, 1.0, "cumprod")


def _logcumsumexp_core(x, axis):
    if x._dtype_code not in FLOAT_CODES:
        raise InvalidArgumentError(None, None, "cumulative_logsumexp: x must be float32 or float64, got %s"
                                   % x.dtype.name)
    v = _np(x)
    out = np.logaddexp.accumulate(v, axis=axis).astype(v.dtype) if v.size else v.copy()

    @custom_gradient
    def scan(xt):
        def grad(dy):
            # d out[k] / d x[i] = exp(x[i] - out[k]) for k >= i; the sums over k
            # run in log space, positive and negative parts apart.
            lowest = float(np.finfo(v.dtype).min)
            pos = _core.greater(dy, 0.0)
            neg = _core.less(dy, 0.0)
            ones = _core.fill(list(v.shape), 1.0, xt._dtype_code)
            low = _core.fill(list(v.shape), lowest, xt._dtype_code)
            out_t = _logcumsumexp_core(xt, axis)  # recomputed on the tape: higher orders see it
            log_pos = _core.where(pos, _core.log(_core.where(pos, dy, ones)), low)
            log_neg = _core.where(neg, _core.log(_core.where(neg, _core.negative(dy), ones)), low)
            g_pos = _core.exp(_core.add(cumulative_logsumexp(_core.subtract(log_pos, out_t), axis, reverse=True),
                                        xt))
            g_neg = _core.exp(_core.add(cumulative_logsumexp(_core.subtract(log_neg, out_t), axis, reverse=True),
                                        xt))
            return _core.subtract(g_pos, g_neg)
        return _const(out), grad

    return scan(x)


def cumulative_logsumexp(x, axis=0, exclusive=False, reverse=False, name=None):
    """``log(cumsum(exp(x)))`` along ``axis``, computed stably; exclusive
    scans start at -inf."""
    return _scan(x, axis, exclusive, reverse, _logcumsumexp_core, -np.inf, "cumulative_logsumexp")
