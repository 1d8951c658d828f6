"""``fasttape.keras.losses``: Keras 3's loss classes and loss functions (as
``tf.keras.losses`` in TensorFlow 2.21), built from fasttape ops so that their
gradients flow through a GradientTape.

Probabilities are clipped to ``[1e-7, 1 - 1e-7]`` (Keras's epsilon); the
``from_logits=True`` paths use the fused, numerically stable cross-entropy
ops. ``Loss.__call__`` casts both inputs to the loss's dtype (float32 unless
``dtype=`` says otherwise), applies ``sample_weight`` and reduces.
"""

import inspect
import re
import warnings

import numpy as np

from .. import _core
from .. import errors as _errors
from .._dtypes import as_dtype
from .._nn_ops import sigmoid_cross_entropy_with_logits, softmax_cross_entropy_with_logits, softplus
from .._nn_ops import sparse_softmax_cross_entropy_with_logits
from .._ops import cast, ones_like, where, zeros_like
from .._tensor import convert_to_tensor

__all__ = [
    "Loss", "Reduction", "MeanSquaredError", "MeanAbsoluteError", "MeanAbsolutePercentageError",
    "MeanSquaredLogarithmicError", "Huber", "LogCosh", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "BinaryFocalCrossentropy", "CategoricalFocalCrossentropy",
    "KLDivergence", "Poisson", "CosineSimilarity", "Hinge", "SquaredHinge",
    "CategoricalHinge",
    "mean_squared_error", "mse", "MSE", "mean_absolute_error", "mae", "MAE", "mean_absolute_percentage_error",
    "mape", "MAPE", "mean_squared_logarithmic_error", "msle", "MSLE", "huber", "log_cosh", "logcosh",
    "binary_crossentropy", "binary_focal_crossentropy", "categorical_crossentropy",
    "categorical_focal_crossentropy", "sparse_categorical_crossentropy", "kl_divergence",
    "kld", "KLD", "kullback_leibler_divergence", "poisson", "cosine_similarity", "hinge", "squared_hinge",
    "categorical_hinge", "get", "serialize", "deserialize",
]

EPSILON = 1e-7  # keras.backend.epsilon()

_REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


# --------------------------------------------------------------------------
# helpers shared with metrics.py
# --------------------------------------------------------------------------

def _dtype_name(dtype):
    """The name ('float32', ...) of a dtype given as None, a string or a DType."""
    return "float32" if dtype is None else as_dtype(dtype).name


def _tensor(x, dtype=None):
    """``x`` as a Tensor; cast to ``dtype`` when one is given (Variables are read)."""
    if _core.is_tensor(x) or _core.is_variable(x):
        t = convert_to_tensor(x)
        if dtype is not None and t.dtype != as_dtype(dtype):
            t = cast(t, dtype)
        return t
    if dtype is None:
        return convert_to_tensor(x)
    if isinstance(x, (np.ndarray, np.generic)):
        t = convert_to_tensor(x)
        return t if t.dtype == as_dtype(dtype) else cast(t, dtype)
    return convert_to_tensor(x, dtype=dtype)


def _shape(t):
    return tuple(t._shape)


def _fmt(shape):
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _check_broadcast(fn, a, b, what=("y_true", "y_pred")):
    """Raises InvalidArgumentError naming ``fn`` and both shapes when ``a``
    and ``b`` cannot be broadcast together."""
    sa, sb = _shape(a), _shape(b)
    for da, db in zip(reversed(sa), reversed(sb)):
        if da != db and da != 1 and db != 1:
            raise _errors.InvalidArgumentError(
                None, None, "%s: incompatible shapes: %s.shape=%s vs %s.shape=%s (not broadcastable)"
                % (fn, what[0], _fmt(sa), what[1], _fmt(sb)))


def _check_same_shape(fn, target, output):
    st, so = _shape(target), _shape(output)
    if len(st) != len(so):
        raise ValueError("%s: Arguments `target` and `output` must have the same rank (ndim). Received: "
                         "target.shape=%s, output.shape=%s" % (fn, _fmt(st), _fmt(so)))
    if st != so:
        raise ValueError("%s: Arguments `target` and `output` must have the same shape. Received: "
                         "target.shape=%s, output.shape=%s" % (fn, _fmt(st), _fmt(so)))


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Squeezes or expands the last dimension of one input when the ranks
    differ by exactly one and that dimension is 1 (Keras's rule)."""
    r1, r2 = len(x1._shape), len(x2._shape)
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1._shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = _core.expand_dims(x2, -1)
        else:
            x1 = _core.squeeze(x1, axis=-1)
    if r2 == r1 + 1 and x2._shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = _core.expand_dims(x1, -1)
        else:
            x2 = _core.squeeze(x2, axis=-1)
    return x1, x2


def _divide_no_nan(a, b):
    b = _tensor(b, a.dtype)
    safe = where(_core.equal(b, 0.0), ones_like(b), b)
    return where(_core.equal(b, 0.0), zeros_like(_core.multiply(a, safe)), _core.divide(a, safe))


def _num_elements(t):
    n = 1
    for d in t._shape:
        n *= int(d)
    return n


def standardize_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError("Invalid value for argument `reduction`. Expected one of %s. Received: reduction=%s"
                         % (set(_REDUCTIONS), reduction))
    return reduction


def apply_mask(sample_weight, mask, dtype, reduction):
    """Merges a boolean mask of valid entries into ``sample_weight``: with the
    mean reductions, valid entries weigh total/valid so that the mean runs
    over valid entries only."""
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = float(_num_elements(mask))
        valid = _core.reduce_sum(cast(mask, dtype))
        mask_weight = _divide_no_nan(_tensor(total, dtype), valid)
        float_mask = where(mask, _core.multiply(ones_like(cast(mask, dtype)), mask_weight),
                           zeros_like(cast(mask, dtype)))
    else:
        float_mask = cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = _tensor(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return _core.multiply(sample_weight, float_mask)


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    if reduction is None or reduction == "none" or _shape(values) in ((), (0,)):
        return values
    loss = _core.reduce_sum(values)
    if reduction in ("sum_over_batch_size", "mean", "mean_with_sample_weight"):
        if reduction == "mean_with_sample_weight" and sample_weight is not None:
            divisor = _core.reduce_sum(sample_weight)
        else:
            divisor = _tensor(float(_num_elements(values)), values.dtype)
        loss = _divide_no_nan(loss, divisor)
    return loss


def reduce_weighted_values(values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None,
                           name="loss"):
    """Weights ``values`` by ``sample_weight`` (and ``mask``) and reduces them."""
    reduction = standardize_reduction(reduction)
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, values.dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        _check_broadcast(name, values, sample_weight, ("losses", "sample_weight"))
        values = _core.multiply(values, sample_weight)
    return reduce_values(values, sample_weight, reduction)


# --------------------------------------------------------------------------
# loss functions
# --------------------------------------------------------------------------

def _pair(y_true, y_pred, fn, squeeze=True):
    """y_pred as a Tensor, y_true as a Tensor of its dtype, ranks aligned."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if squeeze:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    _check_broadcast(fn, y_true, y_pred)
    return y_true, y_pred


def _last_axis_mean(x, fn):
    if len(x._shape) == 0:
        raise _errors.InvalidArgumentError(
            None, None, "%s: inputs must have rank >= 1 (the loss averages over the last axis); got a scalar" % fn)
    return _core.reduce_mean(x, -1)


def mean_squared_error(y_true, y_pred):
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return _last_axis_mean(_core.square(_core.subtract(y_true, y_pred)), "mean_squared_error")


def mean_absolute_error(y_true, y_pred):
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_error")
    return _last_axis_mean(_core.abs(_core.subtract(y_true, y_pred)), "mean_absolute_error")


def mean_absolute_percentage_error(y_true, y_pred):
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), 1e-7)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_percentage_error")
    diff = _core.abs(_core.divide(_core.subtract(y_true, y_pred), _core.maximum(_core.abs(y_true), EPSILON)))
    return _core.multiply(_last_axis_mean(diff, "mean_absolute_percentage_error"), 100.0)


def mean_squared_logarithmic_error(y_true, y_pred):
    """``mean(square(log(max(y_pred, 1e-7) + 1) - log(max(y_true, 1e-7) + 1)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_logarithmic_error")
    first = _core.log(_core.add(_core.maximum(y_pred, EPSILON), 1.0))
    second = _core.log(_core.add(_core.maximum(y_true, EPSILON), 1.0))
    return _last_axis_mean(_core.square(_core.subtract(first, second)), "mean_squared_logarithmic_error")


def _normalize(x, axis):
    """``x / ||x||_2`` along ``axis``; a zero vector stays zero (the inverse
    norm is capped at 1 / 1e-7, as Keras's ``ops.normalize``)."""
    inv = _core.rsqrt(_core.reduce_sum(_core.square(x), axis, keepdims=True))
    return _core.multiply(x, _core.minimum(inv, 1.0 / EPSILON))


def cosine_similarity(y_true, y_pred, axis=-1):
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``: -1 for
    vectors pointing the same way, 0 when either is zero."""
    y_true, y_pred = _pair(y_true, y_pred, "cosine_similarity")
    return _core.negative(_core.reduce_sum(_core.multiply(_normalize(y_true, axis), _normalize(y_pred, axis)), axis))


def huber(y_true, y_pred, delta=1.0):
    """Mean over the last axis of ``0.5 * e**2`` where ``|e| <= delta``, else
    ``delta * |e| - 0.5 * delta**2`` (``e = y_pred - y_true``)."""
    y_true, y_pred = _pair(y_true, y_pred, "huber")
    delta = float(delta)
    error = _core.subtract(y_pred, y_true)
    abs_error = _core.abs(error)
    quad = _core.multiply(_core.square(error), 0.5)
    lin = _core.subtract(_core.multiply(abs_error, delta), 0.5 * delta * delta)
    return _last_axis_mean(where(_core.less_equal(abs_error, delta), quad, lin), "huber")


_LOG2 = float(np.log(2.0))


def log_cosh(y_true, y_pred):
    """``mean(log(cosh(y_pred - y_true)), axis=-1)``, computed as
    ``x + softplus(-2x) - log(2)`` (no overflow for large errors)."""
    y_true, y_pred = _pair(y_true, y_pred, "log_cosh")
    x = _core.subtract(y_pred, y_true)
    val = _core.subtract(_core.add(x, softplus(_core.multiply(x, -2.0))), _LOG2)
    return _last_axis_mean(val, "log_cosh")


def kl_divergence(y_true, y_pred):
    """``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to [1e-7, 1]."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    _check_broadcast("kl_divergence", y_true, y_pred)
    y_true = _core.clip_by_value(y_true, EPSILON, 1.0)
    y_pred = _core.clip_by_value(y_pred, EPSILON, 1.0)
    return _core.reduce_sum(_core.multiply(y_true, _core.log(_core.divide(y_true, y_pred))), -1)


def poisson(y_true, y_pred):
    """``mean(y_pred - y_true * log(y_pred + 1e-7), axis=-1)``."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    _check_broadcast("poisson", y_true, y_pred)
    val = _core.subtract(y_pred, _core.multiply(y_true, _core.log(_core.add(y_pred, EPSILON))))
    return _last_axis_mean(val, "poisson")


def _hinge_labels(y_true):
    """Labels in {0, 1} become {-1, 1}; other labels are used as given."""
    vals = np.asarray(y_true.numpy())
    if np.all((vals == 0) | (vals == 1)):
        return _core.subtract(_core.multiply(y_true, 2.0), 1.0)
    return y_true


def hinge(y_true, y_pred):
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; labels 0/1 are
    mapped to -1/1 first."""
    y_pred = _tensor(y_pred)
    y_true = _hinge_labels(_tensor(y_true, y_pred.dtype))
    _check_broadcast("hinge", y_true, y_pred)
    margin = _core.maximum(_core.subtract(1.0, _core.multiply(y_true, y_pred)), 0.0)
    return _last_axis_mean(margin, "hinge")


def squared_hinge(y_true, y_pred):
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``; labels 0/1
    are mapped to -1/1 first."""
    y_pred = _tensor(y_pred)
    y_true = _hinge_labels(_tensor(y_true, y_pred.dtype))
    _check_broadcast("squared_hinge", y_true, y_pred)
    margin = _core.maximum(_core.subtract(1.0, _core.multiply(y_true, y_pred)), 0.0)
    return _last_axis_mean(_core.square(margin), "squared_hinge")


def categorical_hinge(y_true, y_pred):
    """``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred, -1)``
    and ``neg = max((1 - y_true) * y_pred, -1)``."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    _check_broadcast("categorical_hinge", y_true, y_pred)
    pos = _core.reduce_sum(_core.multiply(y_true, y_pred), -1)
    neg = _core.reduce_max(_core.multiply(_core.subtract(1.0, y_true), y_pred), -1)
    return _core.maximum(_core.add(_core.subtract(neg, pos), 1.0), 0.0)


def _bce(target, output, from_logits, fn):
    _check_same_shape(fn, target, output)
    if from_logits:
        return sigmoid_cross_entropy_with_logits(labels=target, logits=output)
    output = _core.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    bce = _core.add(_core.multiply(target, _core.log(output)),
                    _core.multiply(_core.subtract(1.0, target), _core.log(_core.subtract(1.0, output))))
    return _core.negative(bce)


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of ``-(y log p + (1 - y) log(1 - p))``; ``p`` is
    clipped to [1e-7, 1 - 1e-7], or computed from logits stably. Label
    smoothing moves labels towards 0.5: ``y * (1 - ls) + 0.5 * ls``."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = _core.add(_core.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    values = _bce(y_true, y_pred, from_logits, "binary_crossentropy")
    if len(values._shape) == 0:
        raise _errors.InvalidArgumentError(
            None, None, "binary_crossentropy: inputs must have rank >= 1 (the loss averages over axis %s); "
            "got scalars" % (axis,))
    return _core.reduce_mean(values, axis)


def binary_focal_crossentropy(y_true, y_pred, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False,
                              label_smoothing=0.0, axis=-1):
    """Mean over ``axis`` of ``(1 - p_t) ** gamma * bce`` where ``bce`` is
    the binary cross-entropy of ``p`` (``sigmoid(y_pred)`` with
    ``from_logits``) and ``p_t = y p + (1 - y)(1 - p)``; with class balancing
    each term is also weighted by ``y alpha + (1 - y)(1 - alpha)``."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if label_smoothing:
        y_true = _core.add(_core.multiply(y_true, 1.0 - label_smoothing), 0.5 * label_smoothing)
    if from_logits:
        y_pred = _core.sigmoid(y_pred)
    bce = _bce(y_true, y_pred, False, "binary_focal_crossentropy")
    not_true = _core.subtract(1.0, y_true)
    p_t = _core.add(_core.multiply(y_true, y_pred), _core.multiply(not_true, _core.subtract(1.0, y_pred)))
    focal = _core.multiply(_core.pow(_core.subtract(1.0, p_t), float(gamma)), bce)
    if apply_class_balancing:
        weight = _core.add(_core.multiply(y_true, float(alpha)), _core.multiply(not_true, 1.0 - alpha))
        focal = _core.multiply(weight, focal)
    if len(focal._shape) == 0:
        raise _errors.InvalidArgumentError(
            None, None, "binary_focal_crossentropy: inputs must have rank >= 1 (the loss averages over axis %s); "
            "got scalars" % (axis,))
    return _core.reduce_mean(focal, axis)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0, axis=-1):
    """``-sum(y_true * log(p), axis)`` with ``p = y_pred / sum(y_pred, axis)``
    clipped to [1e-7, 1 - 1e-7], or ``softmax(y_pred)`` computed stably when
    ``from_logits``. Label smoothing: ``y * (1 - ls) + ls / num_classes``."""
    if isinstance(axis, bool):
        raise ValueError("`axis` must be of type `int`. Received: axis=%s of type %s" % (axis, type(axis)))
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if len(y_pred._shape) and y_pred._shape[-1] == 1:
        warnings.warn("In loss categorical_crossentropy, expected y_pred.shape to be (batch_size, num_classes) "
                      "with num_classes > 1. Received: y_pred.shape=%s. Consider using 'binary_crossentropy' if "
                      "you only have 2 classes." % _fmt(_shape(y_pred)), SyntaxWarning, stacklevel=2)
    if label_smoothing:
        num_classes = float(y_true._shape[-1])
        y_true = _core.add(_core.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)
    if len(y_true._shape) < 1:
        raise ValueError("categorical_crossentropy: Arguments `target` and `output` must be at least rank 1. "
                         "Received: target.shape=%s, output.shape=%s" % (_fmt(_shape(y_true)), _fmt(_shape(y_pred))))
    _check_same_shape("categorical_crossentropy", y_true, y_pred)
    if from_logits:
        return softmax_cross_entropy_with_logits(labels=y_true, logits=y_pred, axis=axis)
    output = _core.divide(y_pred, _core.reduce_sum(y_pred, axis, keepdims=True))
    output = _core.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    return _core.negative(_core.reduce_sum(_core.multiply(y_true, _core.log(output)), axis))


def categorical_focal_crossentropy(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                                   axis=-1):
    """``sum(alpha * (1 - p) ** gamma * -y_true * log(p), axis)`` with
    ``p = y_pred / sum(y_pred, axis)`` (``softmax(y_pred)`` with
    ``from_logits``) clipped to [1e-7, 1 - 1e-7]. Label smoothing:
    ``y * (1 - ls) + ls / num_classes``."""
    if isinstance(axis, bool):
        raise ValueError("`axis` must be of type `int`. Received: axis=%s of type %s" % (axis, type(axis)))
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    if len(y_pred._shape) and y_pred._shape[-1] == 1:
        warnings.warn("In loss categorical_focal_crossentropy, expected y_pred.shape to be (batch_size, "
                      "num_classes) with num_classes > 1. Received: y_pred.shape=%s. Consider using "
                      "'binary_crossentropy' if you only have 2 classes." % _fmt(_shape(y_pred)), SyntaxWarning,
                      stacklevel=2)
    if label_smoothing:
        num_classes = float(y_true._shape[-1])
        y_true = _core.add(_core.multiply(y_true, 1.0 - label_smoothing), label_smoothing / num_classes)
    _check_broadcast("categorical_focal_crossentropy", y_true, y_pred)
    if from_logits:
        y_pred = _core.softmax(y_pred, axis)
    output = _core.divide(y_pred, _core.reduce_sum(y_pred, axis, keepdims=True))
    output = _core.clip_by_value(output, EPSILON, 1.0 - EPSILON)
    cce = _core.multiply(_core.negative(y_true), _core.log(output))
    weight = _core.multiply(_core.pow(_core.subtract(1.0, output), float(gamma)), float(alpha))
    return _core.reduce_sum(_core.multiply(weight, cce), axis)


def _sparse_cce(y_true, y_pred, from_logits, ignore_class, axis):
    """(per-sample loss, mask of valid entries or None)."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    rank = len(y_pred._shape)
    if rank < 1:
        raise ValueError("sparse_categorical_crossentropy: Argument `output` must be at least rank 1. "
                         "Received: output.shape=%s" % _fmt(_shape(y_pred)))
    if axis != -1 and axis != rank - 1:
        raise ValueError("sparse_categorical_crossentropy: Only axis=-1 is currently supported. Received: axis=%s"
                         % (axis,))
    if len(y_true._shape) == rank and y_true._shape[-1] == 1:
        y_true = _core.squeeze(y_true, axis=-1)
    valid = None
    if ignore_class is not None:
        valid = _core.not_equal(y_true, _tensor(ignore_class, y_true.dtype))
        y_true = where(valid, y_true, zeros_like(y_true))
        y_pred = where(_core.expand_dims(valid, -1), y_pred, zeros_like(y_pred))
    labels = cast(y_true, "int64")
    if _shape(labels) != _shape(y_pred)[:-1]:
        raise ValueError("sparse_categorical_crossentropy: Arguments `target` and `output` must have the same "
                         "shape up until the last dimension: target.shape=%s, output.shape=%s"
                         % (_fmt(_shape(labels)), _fmt(_shape(y_pred))))
    logits = y_pred
    if not from_logits:
        logits = _core.log(_core.clip_by_value(y_pred, EPSILON, 1.0 - EPSILON))
    res = sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    if valid is not None:
        res = where(valid, res, zeros_like(res))
    return res, valid


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False, ignore_class=None, axis=-1):
    """Categorical cross-entropy with integer labels: ``-log(p[label])`` per
    sample, ``p`` clipped to [1e-7, 1 - 1e-7] (then renormalised), or from
    logits. Entries whose label is ``ignore_class`` give 0."""
    return _sparse_cce(y_true, y_pred, from_logits, ignore_class, axis)[0]


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# --------------------------------------------------------------------------
# classes
# --------------------------------------------------------------------------

_NAME_COUNTS = {}


def _snake(name):
    s = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", s).lower()


def auto_name(class_name):
    """A unique snake_case name for an unnamed object: 'loss', 'loss_1', ..."""
    base = _snake(class_name)
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else "%s_%d" % (base, n)


class Reduction:
    """The reduction names (``tf.keras.losses.Reduction``)."""
    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls):
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key):
        if key not in cls.all():
            raise ValueError('Invalid Reduction Key: %s. Expected keys are "%s"' % (key, cls.all()))


class Loss:
    """Loss base class: subclasses implement ``call(y_true, y_pred)``
    returning per-sample losses; ``__call__`` weights and reduces them.

    ``reduction``: "sum_over_batch_size" (default) and "mean" divide the sum
    by the number of loss elements, "mean_with_sample_weight" by the sum of
    the sample weights, "sum" sums, "none"/None returns the unreduced losses.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or auto_name(self.__class__.__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = _dtype_name(dtype)

    @property
    def dtype(self):
        return self._dtype

    def _call_with_mask(self, y_true, y_pred):
        return self.call(y_true, y_pred), None

    def __call__(self, y_true, y_pred, sample_weight=None):
        y_pred = _tensor(y_pred, self._dtype)
        y_true = _tensor(y_true, self._dtype)
        losses, mask = self._call_with_mask(y_true, y_pred)
        return reduce_weighted_values(losses, sample_weight=sample_weight, mask=mask, reduction=self.reduction,
                                      dtype=self._dtype, name=self.name)

    def call(self, y_true, y_pred):
        raise NotImplementedError("Loss subclasses must implement `call(y_true, y_pred)`.")

    def get_config(self):
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class _FunctionLoss(Loss):
    """A Loss that calls one of the loss functions with fixed keyword arguments."""

    _fn = None
    _config_keys = ()

    def __init__(self, reduction, name, dtype, **fn_kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self._fn_kwargs = fn_kwargs

    def call(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return type(self)._fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        config = super().get_config()
        config.update({k: self._fn_kwargs[k] for k in self._config_keys})
        return config

    def __repr__(self):
        return "<%s name=%s reduction=%s>" % (type(self).__name__, self.name, self.reduction)


class MeanSquaredError(_FunctionLoss):
    """Mean of squared errors, ``mean(square(y_true - y_pred))``."""
    _fn = staticmethod(mean_squared_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanAbsoluteError(_FunctionLoss):
    """Mean of absolute errors, ``mean(abs(y_true - y_pred))``."""
    _fn = staticmethod(mean_absolute_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanAbsolutePercentageError(_FunctionLoss):
    """``100 * mean(abs((y_true - y_pred) / y_true))``."""
    _fn = staticmethod(mean_absolute_percentage_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_absolute_percentage_error", dtype=None):
        super().__init__(reduction, name, dtype)


class MeanSquaredLogarithmicError(_FunctionLoss):
    """``mean(square(log(y_true + 1) - log(y_pred + 1)))``."""
    _fn = staticmethod(mean_squared_logarithmic_error)

    def __init__(self, reduction="sum_over_batch_size", name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(reduction, name, dtype)


class CosineSimilarity(_FunctionLoss):
    """Negative cosine similarity along ``axis``."""
    _fn = staticmethod(cosine_similarity)
    _config_keys = ("axis",)

    def __init__(self, axis=-1, reduction="sum_over_batch_size", name="cosine_similarity", dtype=None):
        super().__init__(reduction, name, dtype, axis=axis)


class Huber(_FunctionLoss):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond."""
    _fn = staticmethod(huber)
    _config_keys = ("delta",)

    def __init__(self, delta=1.0, reduction="sum_over_batch_size", name="huber_loss", dtype=None):
        super().__init__(reduction, name, dtype, delta=delta)


class LogCosh(_FunctionLoss):
    """``mean(log(cosh(y_pred - y_true)))``."""
    _fn = staticmethod(log_cosh)

    def __init__(self, reduction="sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(reduction, name, dtype)


class Hinge(_FunctionLoss):
    """``mean(maximum(1 - y_true * y_pred, 0))``; 0/1 labels become -1/1."""
    _fn = staticmethod(hinge)

    def __init__(self, reduction="sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(reduction, name, dtype)


class SquaredHinge(_FunctionLoss):
    """``mean(square(maximum(1 - y_true * y_pred, 0)))``; 0/1 labels become -1/1."""
    _fn = staticmethod(squared_hinge)

    def __init__(self, reduction="sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(reduction, name, dtype)


class CategoricalHinge(_FunctionLoss):
    """``maximum(neg - pos + 1, 0)`` for one-hot labels."""
    _fn = staticmethod(categorical_hinge)

    def __init__(self, reduction="sum_over_batch_size", name="categorical_hinge", dtype=None):
        super().__init__(reduction, name, dtype)


class KLDivergence(_FunctionLoss):
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))``."""
    _fn = staticmethod(kl_divergence)

    def __init__(self, reduction="sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(reduction, name, dtype)


class Poisson(_FunctionLoss):
    """Poisson loss ``mean(y_pred - y_true * log(y_pred))``."""
    _fn = staticmethod(poisson)

    def __init__(self, reduction="sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(reduction, name, dtype)


class BinaryCrossentropy(_FunctionLoss):
    """Binary cross-entropy, averaged over ``axis``, of probabilities (or
    logits with ``from_logits=True``)."""
    _fn = staticmethod(binary_crossentropy)
    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="binary_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(_FunctionLoss):
    """Binary focal cross-entropy (Lin et al., 2017): binary cross-entropy
    scaled by ``(1 - p_t) ** gamma``, optionally class-balanced by ``alpha``."""
    _fn = staticmethod(binary_focal_crossentropy)
    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(self, apply_class_balancing=False, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0,
                 axis=-1, reduction="sum_over_batch_size", name="binary_focal_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, apply_class_balancing=apply_class_balancing, alpha=alpha,
                         gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalCrossentropy(_FunctionLoss):
    """Cross-entropy of one-hot (or soft) labels against probabilities (or
    logits with ``from_logits=True``) along ``axis``."""
    _fn = staticmethod(categorical_crossentropy)
    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(self, from_logits=False, label_smoothing=0.0, axis=-1, reduction="sum_over_batch_size",
                 name="categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalFocalCrossentropy(_FunctionLoss):
    """Categorical focal cross-entropy: each class's cross-entropy term
    scaled by ``alpha * (1 - p) ** gamma``."""
    _fn = staticmethod(categorical_focal_crossentropy)
    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(self, alpha=0.25, gamma=2.0, from_logits=False, label_smoothing=0.0, axis=-1,
                 reduction="sum_over_batch_size", name="categorical_focal_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, alpha=alpha, gamma=gamma, from_logits=from_logits,
                         label_smoothing=label_smoothing, axis=axis)
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma


class SparseCategoricalCrossentropy(_FunctionLoss):
    """Cross-entropy of integer labels against probabilities (or logits).
    With ``ignore_class``, entries with that label are left out: they add 0
    and the mean reductions average over the other entries only."""
    _fn = staticmethod(sparse_categorical_crossentropy)
    _config_keys = ("from_logits", "ignore_class")

    def __init__(self, from_logits=False, ignore_class=None, reduction="sum_over_batch_size", axis=-1,
                 name="sparse_categorical_crossentropy", dtype=None):
        super().__init__(reduction, name, dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis)
        self.from_logits = from_logits
        self.ignore_class = ignore_class

    def _call_with_mask(self, y_true, y_pred):
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return _sparse_cce(y_true, y_pred, **self._fn_kwargs)


# --------------------------------------------------------------------------
# get / serialize / deserialize
# --------------------------------------------------------------------------

_CLASSES = [Loss, MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError,
            CosineSimilarity, Huber, LogCosh, Hinge, SquaredHinge, CategoricalHinge, KLDivergence, Poisson,
            BinaryCrossentropy, BinaryFocalCrossentropy, CategoricalCrossentropy, CategoricalFocalCrossentropy,
            SparseCategoricalCrossentropy]
_FUNCTIONS = [mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
              mean_squared_logarithmic_error, cosine_similarity, huber, log_cosh, hinge, squared_hinge,
              categorical_hinge, kl_divergence, poisson, binary_crossentropy, binary_focal_crossentropy,
              categorical_crossentropy, categorical_focal_crossentropy,
              sparse_categorical_crossentropy]

ALL_OBJECTS_DICT = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS_DICT.update({f.__name__: f for f in _FUNCTIONS})
ALL_OBJECTS_DICT.update({"bce": binary_crossentropy, "BCE": binary_crossentropy, "kld": kl_divergence,
                         "KLD": kl_divergence, "mae": mean_absolute_error, "MAE": mean_absolute_error,
                         "mse": mean_squared_error, "MSE": mean_squared_error,
                         "mape": mean_absolute_percentage_error, "MAPE": mean_absolute_percentage_error,
                         "msle": mean_squared_logarithmic_error, "MSLE": mean_squared_logarithmic_error,
                         "logcosh": log_cosh, "kullback_leibler_divergence": kl_divergence})


def serialize_object(obj, module):
    """Keras's serialized form of ``obj``: a dict naming its class and config."""
    if obj is None:
        return None
    if inspect.isfunction(obj):
        return {"module": "builtins", "class_name": "function", "config": obj.__name__,
                "registered_name": "function"}
    if not hasattr(obj, "get_config"):
        raise TypeError("Cannot serialize %r: it has no get_config()" % (obj,))
    cls = type(obj)
    ours = cls.__module__.startswith("fasttape.keras.")
    return {"module": module if ours else cls.__module__, "class_name": cls.__name__,
            "config": obj.get_config(), "registered_name": None if ours else cls.__name__}


def deserialize_object(config, objects, custom_objects, kind):
    """Inverse of ``serialize_object``: a string names a class (instantiated
    with defaults) or a function; a dict gives class_name and config."""
    table = dict(objects)
    if custom_objects:
        table.update(custom_objects)
    if isinstance(config, str):
        if config not in table:
            raise ValueError("Could not interpret %s identifier: %s" % (kind, config))
        obj = table[config]
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError("Could not interpret %s identifier: %r" % (kind, config))
    name = config["class_name"]
    inner = config.get("config") or {}
    if name == "function":
        if inner not in table:
            raise ValueError("Could not interpret %s identifier: unknown function %r" % (kind, inner))
        return table[inner]
    key = config.get("registered_name") or name
    cls = table.get(key, table.get(name))
    if cls is None:
        raise ValueError("Could not locate %s class '%s'. Pass it in custom_objects." % (kind, name))
    return cls.from_config(dict(inner))


def serialize(loss):
    """The config dict of a loss instance or loss function."""
    return serialize_object(loss, "keras.losses")


def deserialize(name, custom_objects=None):
    """A loss from its serialized form (dict) or its name."""
    return deserialize_object(name, ALL_OBJECTS_DICT, custom_objects, "loss")


def get(identifier):
    """A loss from a name ("mse", "MeanSquaredError", ...), a config dict, a
    class (instantiated) or a callable (returned as is)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = ALL_OBJECTS_DICT.get(identifier)
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError("Could not interpret loss identifier: %s" % (identifier,))
