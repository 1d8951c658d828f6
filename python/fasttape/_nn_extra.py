"""More of TensorFlow's nn functions, written as composites of fasttape's
differentiable ops (so the tape differentiates them): dropout, moments,
batch_normalization, fused_batch_norm, embedding_lookup, log_sigmoid,
softsign, crelu, weighted_cross_entropy_with_logits, log_poisson_loss,
top_k and in_top_k. Index computations that carry no gradient (which
elements top_k picks, in_top_k, the shard of an embedding id) run in numpy.
"""

import collections
import math as _pymath
import numbers

import numpy as np

from . import _core
from . import random as _random
from ._dtypes import as_dtype, int32
from ._ops import clip_by_norm
from ._tensor import _array_to_tensor
from ._tensor import convert_to_tensor as _convert
from .errors import InvalidArgumentError

__all__ = []  # nothing at the top level

# Names TensorFlow exposes in tf.math (top_k and in_top_k also in tf.nn).
MATH_NAMES = ["top_k", "in_top_k", "log_sigmoid"]


def _tensor(x, dtype_hint=None):
    if _core.is_variable(x):
        return x._read()
    return x if _core.is_tensor(x) else _convert(x, dtype_hint=dtype_hint)


def _like(value, ref):
    """``value`` (a number or tensor) as a tensor with ``ref``'s dtype when it
    is not a tensor already."""
    if _core.is_tensor(value) or _core.is_variable(value):
        return _tensor(value)
    return _core.to_tensor(value, ref._dtype_code) if np.ndim(value) == 0 else \
        _convert(np.asarray(value, dtype=ref.dtype.as_numpy_dtype))


def _array(x):
    return np.asarray(_tensor(x)._view())


def _float_only(x, op, allowed="half, bfloat16, float, double"):
    if not x.dtype.is_floating:
        raise InvalidArgumentError(None, None, "Value for attr 'T' of %s is not in the list of allowed values: %s"
                                   " [Op:%s]" % (x.dtype.name, allowed, op))


# ---------------------------------------------------------------- dropout
def _noise_shape(x, noise_shape):
    if noise_shape is None:
        return list(x._shape)
    if _core.is_tensor(noise_shape) or _core.is_variable(noise_shape):
        return [int(d) for d in _array(noise_shape).reshape(-1)]
    dims = list(noise_shape) if isinstance(noise_shape, (list, tuple)) else [noise_shape]
    if len(dims) == len(x._shape):
        dims = [x._shape[i] if d is None else d for i, d in enumerate(dims)]
    return [int(d) for d in dims]


def dropout(x, rate, noise_shape=None, seed=None, name=None):
    """Zeroes each element with probability ``rate`` and scales the others
    by ``1 / (1 - rate)``, as ``tf.nn.dropout``. ``noise_shape`` (broadcast
    against x; None entries take x's size) shares one draw along its size-1
    dimensions. The uniform draw comes from ``fasttape.random.uniform`` with
    ``seed``, so ``random.set_seed`` and the op seed make masks repeatable
    (the masks differ from TensorFlow's). A kept element's gradient is
    ``1 / (1 - rate)``, a dropped one's 0."""
    is_number = isinstance(rate, numbers.Real)
    if is_number and (rate < 0 or rate >= 1):
        raise ValueError("`rate` must be a scalar tensor or a float in the range [0, 1). Received: rate=%s" % rate)
    x = _tensor(x)
    if not x.dtype.is_floating:
        raise ValueError("`x.dtype` must be a floating point tensor as `x` will be scaled. Received: x_dtype=%r"
                         % (x.dtype,))
    if is_number and rate == 0:
        return x
    if is_number:
        threshold = _core.to_tensor(float(rate), x._dtype_code)
        kept = _core.multiply(x, _core.to_tensor(1.0 / (1.0 - float(rate)), x._dtype_code))
    elif _core.is_tensor(rate) or _core.is_variable(rate):
        threshold = _tensor(rate)
        if threshold._shape != ():
            raise ValueError("Shape %s must have rank 0" % _shape_text(threshold._shape))
        if threshold.dtype != x.dtype:
            raise ValueError("`x.dtype` must be compatible with `rate.dtype`. Received: x.dtype=%r and "
                             "rate.dtype=%r" % (x.dtype, threshold.dtype))
        kept = _core.divide(x, _core.subtract(_core.to_tensor(1.0, x._dtype_code), threshold))
    else:
        raise ValueError("`rate` must be a scalar or scalar tensor. Received: rate=%s" % (rate,))
    u = _random.uniform(_noise_shape(x, noise_shape), dtype=x.dtype, seed=seed)
    keep = _core.greater_equal(u, threshold)
    return _core.where(keep, kept, _core.to_tensor(0.0, x._dtype_code))


# ---------------------------------------------------------------- moments and batch norm
def _axes_list(axes):
    if _core.is_tensor(axes) or _core.is_variable(axes):
        return [int(a) for a in _array(axes).reshape(-1)]
    if isinstance(axes, (list, tuple)):
        return [int(a) for a in axes]
    return [int(axes)]


def moments(x, axes, shift=None, keepdims=False, name=None):
    """``(mean, variance)`` of ``x`` over ``axes``, as ``tf.nn.moments``:
    ``variance = mean(squared_difference(x, stop_gradient(mean)))``.
    ``shift`` is accepted and unused, as in TensorFlow."""
    x = _tensor(x)
    ax = _axes_list(axes)
    mean = _core.reduce_mean(x, ax, True)
    variance = _core.reduce_mean(_core.squared_difference(x, _core.stop_gradient(mean)), ax, True)
    if not keepdims:
        mean = _core.squeeze(mean, ax)
        variance = _core.squeeze(variance, ax)
    return mean, variance


def batch_normalization(x, mean, variance, offset, scale, variance_epsilon, name=None):
    """``(x - mean) * scale / sqrt(variance + variance_epsilon) + offset``,
    as ``tf.nn.batch_normalization`` computes it: ``inv = rsqrt(variance +
    eps) * scale``, ``x * inv + (offset - mean * inv)``; offset and scale
    may be None."""
    x = _tensor(x)
    mean = _like(mean, x)
    variance = _like(variance, x)
    inv = _core.rsqrt(_core.add(variance, _core.to_tensor(float(variance_epsilon), variance._dtype_code)))
    if scale is not None:
        inv = _core.multiply(inv, _like(scale, inv))
    if offset is not None:
        shift = _core.subtract(_like(offset, inv), _core.multiply(mean, inv))
    else:
        shift = _core.negative(_core.multiply(mean, inv))
    if inv.dtype != x.dtype:
        inv = _core.cast(inv, x._dtype_code)
        shift = _core.cast(shift, x._dtype_code)
    return _core.add(_core.multiply(x, inv), shift)


_FORMATS = ("NHWC", "NCHW", "NDHWC", "NCDHW")


def _channel_vector(v, what, channels):
    v = _tensor(v)
    if v.dtype.name != "float32":
        raise InvalidArgumentError(None, None, "Value for attr 'U' of %s is not in the list of allowed values: "
                                   "bfloat16, float [Op:FusedBatchNormV3]" % _kernel_name(v.dtype))
    if len(v._shape) != 1:
        raise InvalidArgumentError(None, None, "%s must be 1-dimensional%s [Op:FusedBatchNormV3]"
                                   % (what, _dims(v._shape)))
    if v._shape[0] != channels:
        raise InvalidArgumentError(None, None, "%s must have the same number of elements as the channels of x, "
                                   "got %d and %d [Op:FusedBatchNormV3]" % (what, v._shape[0], channels))
    return v


def _kernel_name(dt):
    return {"float32": "float", "float64": "double"}.get(dt.name, dt.name)


def _dims(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001, data_format="NHWC",
                     is_training=True, name=None, exponential_avg_factor=1.0):
    """Batch normalization of a 4-D or 5-D float32 ``x`` over every
    dimension but the channel one (``tf.compat.v1.nn.fused_batch_norm``):
    returns ``(y, batch_mean, batch_variance)``. In training, y uses the
    batch mean and biased variance, and the returned variance is the
    Bessel-corrected one (``n / (n - 1)``), each blended with ``mean`` /
    ``variance`` by ``exponential_avg_factor``; in inference y uses
    ``mean`` and ``variance``, which are returned. As in TensorFlow, only
    y carries gradients."""
    if (not is_training or exponential_avg_factor != 1.0) and (mean is None or variance is None):
        raise ValueError("Both `mean` and `variance` must be a 1D tensor when `is_training` is False or "
                         "`exponential_avg_factor` != 1.0. Received: `mean` %r and `variance` %r" % (mean, variance))
    x = _tensor(x)
    if data_format not in _FORMATS:
        raise InvalidArgumentError(None, None, "Value for attr 'data_format' of \"%s\" is not in the list of allowed "
                                   "values: \"NHWC\", \"NCHW\", \"NDHWC\", \"NCDHW\" [Op:FusedBatchNormV3]"
                                   % (data_format,))
    if x.dtype.name != "float32":
        raise InvalidArgumentError(None, None, "Value for attr 'T' of %s is not in the list of allowed values: "
                                   "half, bfloat16, float [Op:FusedBatchNormV3]" % _kernel_name(x.dtype))
    rank = len(x._shape)
    if rank not in (4, 5):
        raise InvalidArgumentError(None, None, "input must be 4 or 5-dimensional%s [Op:FusedBatchNormV3]"
                                   % _dims(x._shape))
    caxis = 1 if data_format.startswith("NC") else rank - 1
    channels = x._shape[caxis]
    scale = _channel_vector(scale, "scale", channels)
    offset = _channel_vector(offset, "offset", channels)
    bshape = [1] * rank
    bshape[caxis] = channels

    def bc(v):
        return _core.reshape(v, bshape)

    eps = _core.to_tensor(float(epsilon), x._dtype_code)
    if not is_training:
        mean = _channel_vector(mean, "mean", channels)
        variance = _channel_vector(variance, "variance", channels)
        inv = _core.multiply(_core.rsqrt(_core.add(variance, eps)), scale)
        y = _core.add(_core.multiply(_core.subtract(x, bc(mean)), bc(inv)), bc(offset))
        return y, _core.stop_gradient(mean), _core.stop_gradient(variance)
    axes = [a for a in range(rank) if a != caxis]
    bmean = _core.reduce_mean(x, axes, True)
    bvar = _core.reduce_mean(_core.squared_difference(x, bmean), axes, True)
    inv = _core.multiply(_core.rsqrt(_core.add(bvar, eps)), bc(scale))
    y = _core.add(_core.multiply(_core.subtract(x, bmean), inv), bc(offset))
    n = int(np.prod([x._shape[a] for a in axes]))
    out_mean = _core.reshape(_core.stop_gradient(bmean), [channels])
    out_var = _core.multiply(_core.reshape(_core.stop_gradient(bvar), [channels]),
                             _core.to_tensor(n / max(n - 1, 1), x._dtype_code))
    f = float(exponential_avg_factor)
    if f != 1.0:
        mean = _core.stop_gradient(_channel_vector(mean, "mean", channels))
        variance = _core.stop_gradient(_channel_vector(variance, "variance", channels))
        keep = _core.to_tensor(1.0 - f, x._dtype_code)
        new = _core.to_tensor(f, x._dtype_code)
        out_mean = _core.add(_core.multiply(mean, keep), _core.multiply(out_mean, new))
        out_var = _core.add(_core.multiply(variance, keep), _core.multiply(out_var, new))
    return y, out_mean, out_var


# ---------------------------------------------------------------- embedding_lookup
def _int_ids(ids):
    t = _tensor(ids)
    if not t.dtype.is_integer:
        raise InvalidArgumentError(None, None, "Value for attr 'Tindices' of %s is not in the list of allowed "
                                   "values: int16, int32, int64 [Op:GatherV2]" % _kernel_name(t.dtype))
    return t


def embedding_lookup(params, ids, max_norm=None, name=None):
    """Rows ``params[ids]`` (a gather along axis 0), as
    ``tf.nn.embedding_lookup``; repeated ids add their gradients. A list of
    tensors is one table split into consecutive shards ('div' strategy,
    TensorFlow 2's): with N rows in P shards, the first ``N % P`` shards hold
    ``N // P + 1`` rows, the rest ``N // P``. ``max_norm`` rescales each
    looked-up embedding whose L2 norm exceeds it to that norm."""
    if isinstance(params, (list, tuple)):
        if not params:
            raise ValueError("Length of params is currently 0. Need at least one param.")
        shards = [_tensor(p) for p in params]
    else:
        shards = [_tensor(params)]
    ids_t = _int_ids(ids)
    if len(shards) == 1:
        out = _core.gather(shards[0], ids_t)
    else:
        sizes = [s._shape[0] if s._shape else 1 for s in shards]
        total, p = sum(sizes), len(shards)
        per, extra = total // p, total % p
        flat = _array(ids_t).astype(np.int64).reshape(-1)
        big = extra * (per + 1)
        shard = np.where(flat < big, flat // max(per + 1, 1), extra + (flat - big) // max(per, 1))
        local = np.where(flat < big, flat % max(per + 1, 1), (flat - big) % max(per, 1))
        offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
        for i, (s, l, v) in enumerate(zip(shard, local, flat)):
            if v < 0 or s >= p or l >= sizes[s]:
                raise InvalidArgumentError(None, None, "indices[%d] = %d is not in [0, %d) [Op:GatherV2]"
                                           % (i, v, total))
        rows = (offsets[shard] + local).reshape(_array(ids_t).shape)
        out = _core.gather(_core.concat(shards, 0), _array_to_tensor(rows.astype(np.int64)))
    if max_norm is not None:
        axes = list(range(len(ids_t._shape), len(out._shape)))
        out = clip_by_norm(out, max_norm, axes=axes)
    return out


# ---------------------------------------------------------------- activations and losses
def log_sigmoid(x, name=None):
    """``log(1 / (1 + exp(-x)))`` computed as ``-softplus(-x)``, as
    ``tf.math.log_sigmoid``."""
    x = _tensor(x)
    _float_only(x, "Softplus")
    return _core.negative(_core.softplus(_core.negative(x)))


def softsign(features, name=None):
    """``x / (1 + |x|)``, as ``tf.nn.softsign``; gradient ``1 / (1 + |x|)**2``."""
    x = _tensor(features)
    _float_only(x, "Softsign")
    return _core.divide(x, _core.add(_core.abs(x), _core.to_tensor(1.0, x._dtype_code)))


def crelu(features, axis=-1, name=None):
    """``relu(concat([x, -x], axis))``, as ``tf.nn.crelu``."""
    x = _tensor(features)
    return _core.relu(_core.concat([x, _core.negative(x)], int(axis)))


def _same_shape(a, b, first, second):
    if tuple(a._shape) != tuple(b._shape):
        raise ValueError("`%s` and `%s` must have the same shape, received (%s vs %s)."
                         % (first, second, _shape_text(a._shape), _shape_text(b._shape)))


def _shape_text(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def weighted_cross_entropy_with_logits(labels, logits, pos_weight, name=None):
    """Sigmoid cross-entropy with the positive term weighted by
    ``pos_weight``, as ``tf.nn.weighted_cross_entropy_with_logits``, in the
    stable form ``(1 - z) * x + (1 + (q - 1) * z) * (log1p(exp(-|x|)) +
    relu(-x))``."""
    logits = _tensor(logits)
    labels = _tensor(labels, dtype_hint=logits.dtype)
    _same_shape(logits, labels, "logits", "labels")
    one = _core.to_tensor(1.0, logits._dtype_code)
    q = _like(pos_weight, logits)
    log_weight = _core.add(one, _core.multiply(_core.subtract(q, one), labels))
    soft = _core.add(_core.log1p(_core.exp(_core.negative(_core.abs(logits)))), _core.relu(_core.negative(logits)))
    return _core.add(_core.multiply(_core.subtract(one, labels), logits), _core.multiply(log_weight, soft))


def log_poisson_loss(targets, log_input, compute_full_loss=False, name=None):
    """``exp(log_input) - log_input * targets``, as
    ``tf.nn.log_poisson_loss``; with ``compute_full_loss`` the Stirling term
    ``t * log(t) - t + 0.5 * log(2 * pi * t)`` is added where ``t > 1``
    (0 where ``0 <= t <= 1``)."""
    log_input = _tensor(log_input)
    targets = _tensor(targets, dtype_hint=log_input.dtype)
    _same_shape(log_input, targets, "log_input", "targets")
    result = _core.subtract(_core.exp(log_input), _core.multiply(log_input, targets))
    if compute_full_loss:
        code = targets._dtype_code
        stirling = _core.add(_core.subtract(_core.multiply(targets, _core.log(targets)), targets),
                             _core.multiply(_core.to_tensor(0.5, code),
                                            _core.log(_core.multiply(_core.to_tensor(2 * _pymath.pi, code),
                                                                     targets))))
        zeros = _core.zeros_like_t(targets)
        cond = _core.logical_and(_core.greater_equal(targets, _core.to_tensor(0.0, code)),
                                 _core.less_equal(targets, _core.to_tensor(1.0, code)))
        result = _core.add(result, _core.where(cond, zeros, stirling))
    return result


# ---------------------------------------------------------------- top_k and in_top_k
TopKV2 = collections.namedtuple("TopKV2", ["values", "indices"])


def top_k(input, k=1, sorted=True, index_type=int32, name=None):  # noqa: A002 - TensorFlow's names
    """The ``k`` largest entries along the last dimension and their indices,
    as ``tf.math.top_k``: a ``TopKV2(values, indices)`` namedtuple, values
    in descending order, equal values by ascending index, NaN above every
    number. ``values`` is differentiable (a gather of ``input`` at
    ``indices``); indices are int32 unless ``index_type``. With
    ``sorted=False`` the entries come sorted too (TensorFlow leaves their
    order unspecified)."""
    x = _tensor(input)
    it = as_dtype(index_type)
    if it.name not in ("int16", "int32", "int64"):
        raise InvalidArgumentError(None, None, "Value for attr 'index_type' of %s is not in the list of allowed "
                                   "values: int16, int32, int64 [Op:TopKV2]" % it.name)
    kt = np.asarray(_array(k) if (_core.is_tensor(k) or _core.is_variable(k)) else k)
    if kt.ndim != 0:
        raise InvalidArgumentError(None, None, "k must be 0-D, got shape %s [Op:TopKV2]" % _dims(kt.shape))
    if kt.dtype.kind not in "iu":
        kname = "float" if isinstance(k, float) else _kernel_name(as_dtype(kt.dtype))
        raise InvalidArgumentError(None, None, "Value for attr 'Tk' of %s is not in the list of allowed values: "
                                   "int16, int32, int64 [Op:TopKV2]" % kname)
    k = int(kt)
    if k < 0:
        raise InvalidArgumentError(None, None, "Need k >= 0, got %d [Op:TopKV2]" % k)
    shape = tuple(x._shape)
    if len(shape) < 1:
        raise InvalidArgumentError(None, None, "input must be >= 1-D, got shape %s [Op:TopKV2]" % _dims(shape))
    n = shape[-1]
    if n < k:
        raise InvalidArgumentError(None, None, "input must have at least k columns. Had %d, needed %d "
                                   "[Op:TopKV2]" % (n, k))
    a = np.asarray(x._view()).reshape(-1, n)
    # Stable ascending sort of the reversed rows, reversed: descending
    # values, ties by ascending index, NaN first.
    order = (n - 1 - np.argsort(a[:, ::-1], axis=1, kind="stable"))[:, ::-1][:, :k]
    rows = order.shape[0]
    flat = (order + (np.arange(rows) * n)[:, None]).reshape(-1)
    values = _core.reshape(_core.gather(_core.reshape(x, [-1]), _array_to_tensor(flat.astype(np.int64))),
                           list(shape[:-1]) + [k])
    indices = _array_to_tensor(np.ascontiguousarray(order.reshape(shape[:-1] + (k,)).astype(it.as_numpy_dtype)))
    return TopKV2(values, indices)


def in_top_k(targets, predictions, k, name=None):
    """Whether ``targets[i]`` is among the ``k`` largest of
    ``predictions[i]``, as ``tf.math.in_top_k`` (targets first): true when
    fewer than k predictions are strictly larger than the target's (ties
    are in). False for a target outside ``[0, classes)`` or a row holding a
    non-finite prediction. Predictions must be float32, targets int32 or
    int64; the result is bool and carries no gradient."""
    p = _tensor(predictions)
    t = _tensor(targets)
    if p.dtype.name != "float32":
        raise InvalidArgumentError(None, None, "cannot compute InTopKV2 as input #0(zero-based) was expected to be "
                                   "a float tensor but is a %s tensor [Op:InTopKV2]" % _kernel_name(p.dtype))
    if t.dtype.name not in ("int32", "int64"):
        raise InvalidArgumentError(None, None, "Value for attr 'T' of %s is not in the list of allowed values: "
                                   "int32, int64 [Op:InTopKV2]" % _kernel_name(t.dtype))
    pa, ta = np.asarray(p._view()), np.asarray(t._view())
    if pa.ndim != 2:
        raise InvalidArgumentError(None, None, "predictions must be 2-dimensional%s [Op:InTopKV2]" % _dims(pa.shape))
    if ta.ndim != 1:
        raise InvalidArgumentError(None, None, "targets must be 1-dimensional%s [Op:InTopKV2]" % _dims(ta.shape))
    if pa.shape[0] != ta.shape[0]:
        raise InvalidArgumentError(None, None, "First dimension of predictions %d must match length of targets %d "
                                   "[Op:InTopKV2]" % (pa.shape[0], ta.shape[0]))
    k = int(np.asarray(_array(k) if (_core.is_tensor(k) or _core.is_variable(k)) else k))
    classes = pa.shape[1]
    valid = (ta >= 0) & (ta < classes)
    safe = np.where(valid, ta, 0).astype(np.int64)
    target_pred = pa[np.arange(pa.shape[0]), safe] if classes else np.zeros(pa.shape[0], pa.dtype)
    larger = np.sum(pa > target_pred[:, None], axis=1)
    finite = np.all(np.isfinite(pa), axis=1)
    return _array_to_tensor(np.ascontiguousarray(valid & finite & (larger < k)))
