"""``fasttape.keras.metrics``: Keras 3's streaming metrics (as
``tf.keras.metrics`` in TensorFlow 2.21).

A metric accumulates state with ``update_state(y_true, y_pred,
sample_weight=None)`` and reports it with ``result()``; calling the metric
does both. State lives in non-trainable ``fasttape.Variable``s (``.variables``)
so checkpoints can save it; ``reset_state()`` zeroes it.
"""

import numpy as np

from .. import _core
from .. import errors as _errors
from .._dtypes import as_dtype
from .._math_ops import argmax
from .._ops import cast, where, zeros
from .._tensor import _array_to_tensor
from .._variable import Variable
from . import initializers as _initializers
from .losses import (EPSILON, _dtype_name, _fmt, _shape, _sparse_cce, _tensor, apply_mask, auto_name,
                     binary_crossentropy, categorical_crossentropy, categorical_hinge, deserialize_object, hinge,
                     huber, kl_divergence, log_cosh, mean_absolute_error, mean_absolute_percentage_error,
                     mean_squared_error, mean_squared_logarithmic_error, poisson, serialize_object,
                     sparse_categorical_crossentropy, squared_hinge, squeeze_or_expand_to_same_rank)
from .losses import _normalize

__all__ = [
    "Metric", "Mean", "Sum", "MeanMetricWrapper", "Accuracy", "BinaryAccuracy", "CategoricalAccuracy",
    "SparseCategoricalAccuracy", "TopKCategoricalAccuracy", "SparseTopKCategoricalAccuracy", "MeanSquaredError",
    "MeanAbsoluteError", "MeanAbsolutePercentageError", "MeanSquaredLogarithmicError", "RootMeanSquaredError",
    "LogCoshError", "CosineSimilarity", "BinaryCrossentropy", "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy", "KLDivergence", "Poisson", "Hinge", "SquaredHinge", "CategoricalHinge", "AUC",
    "TruePositives", "FalsePositives", "TrueNegatives", "FalseNegatives", "Precision", "Recall",
    "accuracy", "binary_accuracy", "categorical_accuracy", "sparse_categorical_accuracy",
    "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
    "mean_squared_error", "mse", "MSE", "mean_absolute_error", "mae", "MAE", "mean_absolute_percentage_error",
    "mape", "MAPE", "mean_squared_logarithmic_error", "msle", "MSLE", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "kl_divergence", "kld", "KLD",
    "kullback_leibler_divergence", "poisson", "hinge", "squared_hinge", "categorical_hinge", "huber", "logcosh",
    "get", "serialize", "deserialize",
]

mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


# --------------------------------------------------------------------------
# base classes
# --------------------------------------------------------------------------

class Metric:
    """Base class of the stateful metrics. Subclasses create their state
    with ``add_variable``/``add_weight`` in ``__init__`` and implement
    ``update_state`` and ``result``."""

    def __init__(self, dtype=None, name=None):
        object.__setattr__(self, "_variables", [])
        object.__setattr__(self, "_metrics", [])
        self.name = name or auto_name(self.__class__.__name__)
        self._dtype = _dtype_name(dtype)

    def __setattr__(self, name, value):
        # Variables and metrics assigned as attributes are tracked, as in Keras.
        tracked = self.__dict__.get("_variables")
        if tracked is not None:
            if isinstance(value, Variable) and not any(v is value for v in tracked):
                tracked.append(value)
            elif isinstance(value, Metric) and value is not self and not any(m is value for m in self._metrics):
                self._metrics.append(value)
        object.__setattr__(self, name, value)

    def _check_super_called(self):
        if "_variables" not in self.__dict__:
            raise RuntimeError("You forgot to call `super().__init__()` in the `__init__()` method. Go add it!")

    @property
    def dtype(self):
        return self._dtype

    def add_variable(self, shape, initializer, dtype=None, aggregation="sum", name=None):
        """Creates a non-trainable state Variable tracked in ``variables``."""
        self._check_super_called()
        init = _initializers.get(initializer if initializer is not None else "zeros")
        dt = as_dtype(dtype if dtype is not None else "float32")
        shape = tuple(int(d) for d in shape) if not isinstance(shape, int) else (shape,)
        var = Variable(init(shape, dtype=dt), trainable=False, name=name, dtype=dt)
        self._variables.append(var)
        return var

    def add_weight(self, shape=(), initializer=None, dtype=None, name=None):
        """Same as ``add_variable``."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    @property
    def variables(self):
        out = list(self._variables)
        for m in self._metrics:
            out.extend(m.variables)
        return out

    def reset_state(self):
        """Sets every state variable to zero."""
        for v in self.variables:
            v.assign(zeros(v.shape, dtype=v.dtype))

    def update_state(self, *args, **kwargs):
        raise NotImplementedError("Metric subclasses must implement `update_state()`.")

    def result(self):
        raise NotImplementedError("Metric subclasses must implement `result()`.")

    def __call__(self, *args, **kwargs):
        """Updates the state with the arguments, then returns ``result()``."""
        self._check_super_called()
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self):
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return "<%s name=%s>" % (self.__class__.__name__, self.name)

    __str__ = __repr__


def _divide_no_nan(a, b):
    safe = where(_core.equal(b, 0.0), _core.add(_core.multiply(b, 0.0), 1.0), b)
    return where(_core.equal(b, 0.0), _core.multiply(a, 0.0), _core.divide(a, safe))


def _reduce(fn, x, axes):
    return fn(x, list(axes)) if axes else x


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype, mask=None):
    """Values reduced to one per sample (axis 0) and the matching weights,
    Keras's rule: a weight of lower rank first reduces the trailing value
    dimensions it does not cover, then broadcasts."""
    values = _tensor(values, dtype)
    if sample_weight is not None:
        sample_weight = _tensor(sample_weight, dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        w_nd, v_nd = len(sample_weight._shape), len(values._shape)
        if v_nd > w_nd:
            values = _reduce(reduce_fn, values, range(w_nd, v_nd))
        try:
            sample_weight = _core.broadcast_to(sample_weight, list(values._shape))
        except Exception:
            raise _errors.InvalidArgumentError(
                None, None, "sample_weight of shape %s cannot be broadcast to the values' shape %s"
                % (_fmt(_shape(sample_weight)), _fmt(_shape(values)))) from None
        values = _core.multiply(values, sample_weight)
        if w_nd > 1:
            sample_weight = _reduce(reduce_fn, sample_weight, range(1, w_nd))
    if len(values._shape) > 1:
        values = _reduce(reduce_fn, values, range(1, len(values._shape)))
    return values, sample_weight


class Sum(Metric):
    """The (weighted) sum of the values seen."""

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")

    def update_state(self, values, sample_weight=None):
        values, _ = reduce_to_samplewise_values(values, sample_weight, _core.reduce_sum, self.dtype)
        self.total.assign_add(_core.reduce_sum(values))

    def reset_state(self):
        self.total.assign(0)

    def result(self):
        return cast(self.total, self.dtype)


class Mean(Metric):
    """The (weighted) mean of the values seen: ``total / count``."""

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="total")
        self.count = self.add_variable(shape=(), initializer="zeros", dtype=self.dtype, name="count")

    def _update(self, values, sample_weight, mask=None):
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, _core.reduce_mean, self.dtype,
                                                            mask=mask)
        self.total.assign_add(_core.reduce_sum(values))
        if sample_weight is not None:
            num = _core.reduce_sum(sample_weight)
        elif len(values._shape) >= 1:
            num = float(values._shape[0])
        else:
            num = 1.0
        self.count.assign_add(_tensor(num, self.dtype))

    def update_state(self, values, sample_weight=None):
        self._update(values, sample_weight)

    def reset_state(self):
        self.total.assign(0)
        self.count.assign(0)

    def result(self):
        return _divide_no_nan(self.total.read_value(), self.count.read_value())


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen."""

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def _values(self, y_true, y_pred):
        if self._fn is sparse_categorical_crossentropy:
            return _sparse_cce(y_true, y_pred, **self._fn_kwargs)
        return self._fn(y_true, y_pred, **self._fn_kwargs), None

    def update_state(self, y_true, y_pred, sample_weight=None):
        values, mask = self._values(y_true, y_pred)
        self._update(values, sample_weight, mask=mask)

    def get_config(self):
        config = {**super().get_config(), **self._fn_kwargs}
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize_object(self._fn, "keras.metrics")
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_object(config["fn"], ALL_FUNCTIONS_DICT, None, "metric function")
        return cls(**config)


class _Wrapped(MeanMetricWrapper):
    """A MeanMetricWrapper of a fixed function; config: name, dtype and the
    function's keyword arguments."""

    _function = None

    def __init__(self, name, dtype, **kwargs):
        super().__init__(type(self)._function, name=name, dtype=dtype, **kwargs)
        for k, v in kwargs.items():
            setattr(self, k, v)


# --------------------------------------------------------------------------
# accuracy functions
# --------------------------------------------------------------------------

def accuracy(y_true, y_pred):
    """1.0 where ``y_true == y_pred``, else 0.0."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return cast(_core.equal(y_true, y_pred), "float32")


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """1.0 where ``(y_pred > threshold) == y_true``, else 0.0."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = cast(_core.greater(y_pred, _tensor(threshold, y_pred.dtype)), y_true.dtype)
    return cast(_core.equal(y_true, y_pred), "float32")


def categorical_accuracy(y_true, y_pred):
    """1.0 where ``argmax(y_true, -1) == argmax(y_pred, -1)``, else 0.0."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(argmax(_tensor(y_true), axis=-1), y_pred.dtype)
    orig_shape = list(y_true._shape)
    reshape = False
    if len(y_true._shape) == len(y_pred._shape):
        y_true = _core.squeeze(y_true, axis=-1)
        reshape = True
    pred = cast(argmax(y_pred, axis=-1), y_true.dtype)
    matches = cast(_core.equal(y_true, pred), "float32")
    return _core.reshape(matches, orig_shape) if reshape else matches


def sparse_categorical_accuracy(y_true, y_pred):
    """1.0 where the integer label equals ``argmax(y_pred, -1)``, else 0.0."""
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    orig_shape = list(y_true._shape)
    reshape = False
    if len(y_true._shape) == len(y_pred._shape) and y_true._shape[-1] == 1:
        y_true = _core.squeeze(y_true, axis=-1)
        reshape = True
    pred = cast(argmax(y_pred, axis=-1), y_true.dtype)
    matches = cast(_core.equal(y_true, pred), "float32")
    if reshape:
        matches = _core.reshape(matches, orig_shape)
    if len(matches._shape) > 1 and matches._shape[-1] == 1:
        matches = _core.squeeze(matches, axis=-1)
    return matches


def _in_top_k(targets, predictions, k):
    """``tf.math.in_top_k``: the target's score is finite and fewer than k
    classes score strictly higher (ties at the boundary count as in)."""
    t = np.asarray(targets).astype(np.int64)
    p = np.asarray(predictions)
    n_classes = p.shape[-1]
    ok = (t >= 0) & (t < n_classes)
    score = np.take_along_axis(p, np.clip(t, 0, n_classes - 1)[:, None], axis=-1)[:, 0]
    higher = np.sum(p > score[:, None], axis=-1)
    return ok & np.isfinite(score) & (higher < k)


def _top_k(labels, y_pred, k):
    p = np.asarray(y_pred.numpy())
    lab = np.asarray(labels)
    shape = lab.shape
    if p.ndim > 2:
        p = p.reshape(-1, p.shape[-1])
    matches = _in_top_k(lab.reshape(-1), p, k).astype(np.float32)
    return _array_to_tensor(np.ascontiguousarray(matches.reshape(shape)))


def top_k_categorical_accuracy(y_true, y_pred, k=5):
    """1.0 where the class of ``argmax(y_true)`` is among the ``k`` highest
    scores of ``y_pred``, else 0.0."""
    y_pred = _tensor(y_pred)
    labels = argmax(_tensor(y_true, y_pred.dtype), axis=-1).numpy()
    return _top_k(labels, y_pred, k)


def sparse_top_k_categorical_accuracy(y_true, y_pred, k=5, from_sorted_ids=False):
    """1.0 where the integer label is among the ``k`` highest scores of
    ``y_pred`` (or, with ``from_sorted_ids``, among its first ``k`` ids)."""
    y_pred = _tensor(y_pred)
    labels = np.asarray(_tensor(y_true).numpy())
    if labels.ndim == len(y_pred._shape) and labels.shape[-1] == 1 and not from_sorted_ids:
        labels = labels.reshape(labels.shape[:-1])
    if from_sorted_ids:
        ids = np.asarray(y_pred.numpy())
        ids = ids.reshape(-1, ids.shape[-1]) if ids.ndim > 2 else ids
        flat = labels.reshape(-1)
        matches = np.any(ids[:, :k] == flat[:, None], axis=1).astype(np.float32)
        return _array_to_tensor(np.ascontiguousarray(matches.reshape(labels.shape)))
    return _top_k(labels.astype(np.int64), y_pred, k)


def _metric_cosine_similarity(y_true, y_pred, axis=-1):
    y_pred = _tensor(y_pred)
    y_true = _tensor(y_true, y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _core.reduce_sum(_core.multiply(_normalize(y_true, axis), _normalize(y_pred, axis)), axis)


# --------------------------------------------------------------------------
# mean-of-function metrics
# --------------------------------------------------------------------------

class Accuracy(_Wrapped):
    """How often predictions equal labels."""
    _function = staticmethod(accuracy)

    def __init__(self, name="accuracy", dtype=None):
        super().__init__(name, dtype)


class BinaryAccuracy(_Wrapped):
    """How often ``y_pred > threshold`` matches the binary labels."""
    _function = staticmethod(binary_accuracy)

    def __init__(self, name="binary_accuracy", dtype=None, threshold=0.5):
        super().__init__(name, dtype, threshold=threshold)


class CategoricalAccuracy(_Wrapped):
    """How often ``argmax(y_pred)`` matches ``argmax(y_true)`` (one-hot labels)."""
    _function = staticmethod(categorical_accuracy)

    def __init__(self, name="categorical_accuracy", dtype=None):
        super().__init__(name, dtype)


class SparseCategoricalAccuracy(_Wrapped):
    """How often ``argmax(y_pred)`` matches the integer labels."""
    _function = staticmethod(sparse_categorical_accuracy)

    def __init__(self, name="sparse_categorical_accuracy", dtype=None):
        super().__init__(name, dtype)


class TopKCategoricalAccuracy(_Wrapped):
    """How often the one-hot label's class is among the top ``k`` predictions."""
    _function = staticmethod(top_k_categorical_accuracy)

    def __init__(self, k=5, name="top_k_categorical_accuracy", dtype=None):
        super().__init__(name, dtype, k=k)


class SparseTopKCategoricalAccuracy(_Wrapped):
    """How often the integer label is among the top ``k`` predictions."""
    _function = staticmethod(sparse_top_k_categorical_accuracy)

    def __init__(self, k=5, name="sparse_top_k_categorical_accuracy", dtype=None, from_sorted_ids=False):
        super().__init__(name, dtype, k=k, from_sorted_ids=from_sorted_ids)

    def get_config(self):
        config = super().get_config()
        if not self.from_sorted_ids:
            config.pop("from_sorted_ids")
        return config


class MeanSquaredError(_Wrapped):
    """Mean of ``mean_squared_error`` over the samples seen."""
    _function = staticmethod(mean_squared_error)

    def __init__(self, name="mean_squared_error", dtype=None):
        super().__init__(name, dtype)


class MeanAbsoluteError(_Wrapped):
    """Mean of ``mean_absolute_error`` over the samples seen."""
    _function = staticmethod(mean_absolute_error)

    def __init__(self, name="mean_absolute_error", dtype=None):
        super().__init__(name, dtype)


class MeanAbsolutePercentageError(_Wrapped):
    """Mean of ``mean_absolute_percentage_error`` over the samples seen."""
    _function = staticmethod(mean_absolute_percentage_error)

    def __init__(self, name="mean_absolute_percentage_error", dtype=None):
        super().__init__(name, dtype)


class MeanSquaredLogarithmicError(_Wrapped):
    """Mean of ``mean_squared_logarithmic_error`` over the samples seen."""
    _function = staticmethod(mean_squared_logarithmic_error)

    def __init__(self, name="mean_squared_logarithmic_error", dtype=None):
        super().__init__(name, dtype)


class LogCoshError(_Wrapped):
    """Mean of ``log_cosh`` over the samples seen."""
    _function = staticmethod(log_cosh)

    def __init__(self, name="logcosh", dtype=None):
        super().__init__(name, dtype)


class CosineSimilarity(_Wrapped):
    """Mean cosine similarity (positive: 1 for aligned vectors) along ``axis``."""
    _function = staticmethod(_metric_cosine_similarity)

    def __init__(self, name="cosine_similarity", dtype=None, axis=-1):
        super().__init__(name, dtype, axis=axis)


class BinaryCrossentropy(_Wrapped):
    """Mean binary cross-entropy over the samples seen."""
    _function = staticmethod(binary_crossentropy)

    def __init__(self, name="binary_crossentropy", dtype=None, from_logits=False, label_smoothing=0):
        super().__init__(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing)


class CategoricalCrossentropy(_Wrapped):
    """Mean categorical cross-entropy over the samples seen."""
    _function = staticmethod(categorical_crossentropy)

    def __init__(self, name="categorical_crossentropy", dtype=None, from_logits=False, label_smoothing=0, axis=-1):
        super().__init__(name, dtype, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis)


class SparseCategoricalCrossentropy(_Wrapped):
    """Mean sparse categorical cross-entropy over the samples seen."""
    _function = staticmethod(sparse_categorical_crossentropy)

    def __init__(self, name="sparse_categorical_crossentropy", dtype=None, from_logits=False, ignore_class=None,
                 axis=-1):
        super().__init__(name, dtype, from_logits=from_logits, ignore_class=ignore_class, axis=axis)


class KLDivergence(_Wrapped):
    """Mean Kullback-Leibler divergence over the samples seen."""
    _function = staticmethod(kl_divergence)

    def __init__(self, name="kl_divergence", dtype=None):
        super().__init__(name, dtype)


class Poisson(_Wrapped):
    """Mean Poisson loss over the samples seen."""
    _function = staticmethod(poisson)

    def __init__(self, name="poisson", dtype=None):
        super().__init__(name, dtype)


class Hinge(_Wrapped):
    """Mean hinge loss over the samples seen."""
    _function = staticmethod(hinge)

    def __init__(self, name="hinge", dtype=None):
        super().__init__(name, dtype)


class SquaredHinge(_Wrapped):
    """Mean squared hinge loss over the samples seen."""
    _function = staticmethod(squared_hinge)

    def __init__(self, name="squared_hinge", dtype=None):
        super().__init__(name, dtype)


class CategoricalHinge(_Wrapped):
    """Mean categorical hinge loss over the samples seen."""
    _function = staticmethod(categorical_hinge)

    def __init__(self, name="categorical_hinge", dtype=None):
        super().__init__(name, dtype)


class RootMeanSquaredError(Mean):
    """``sqrt`` of the (weighted) mean of squared errors."""

    def __init__(self, name="root_mean_squared_error", dtype=None):
        super().__init__(name=name, dtype=dtype)

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = _tensor(y_true, self.dtype)
        y_pred = _tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(_core.square(_core.subtract(y_pred, y_true)), sample_weight=sample_weight)

    def result(self):
        return _core.sqrt(super().result())


# --------------------------------------------------------------------------
# AUC
# --------------------------------------------------------------------------

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = {"interpolation": "interpolation", "minoring": "minoring", "majoring": "majoring"}


def _squeeze_or_expand_np(x1, x2, expand_rank_1=True):
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2[..., None]
        else:
            x1 = x1[..., 0]
    elif r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1[..., None]
        else:
            x2 = x2[..., 0]
    return x1, x2


NEG_INF = -1e10  # the score given to predictions outside the top k


def _check_thresholds(thresholds):
    if thresholds is None:
        return
    for t in (thresholds if isinstance(thresholds, (list, tuple)) else [thresholds]):
        if t is None or not 0.0 <= t <= 1.0:
            raise ValueError("Threshold values must be in [0, 1]. Received: %s" % (thresholds,))


def _is_evenly_distributed(thresholds):
    thresholds = np.asarray(thresholds, dtype=np.float64)
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=EPSILON))


def _filter_top_k(x, k):
    """Scores outside each row's top ``k`` (ties: lower index first) become NEG_INF."""
    order = np.argsort(-x, axis=-1, kind="stable")[..., :k]
    keep = np.zeros(x.shape, dtype=bool)
    np.put_along_axis(keep, order, True, axis=-1)
    return np.where(keep, x, np.float32(NEG_INF)).astype(x.dtype)


def _confusion_counts(y_true, y_pred, thresholds, evenly, sample_weight=None, top_k=None, class_id=None,
                      multi_label=False, label_weights=None):
    """Weighted (tp, fp, tn, fn) at each threshold (prediction > threshold
    counts as positive; labels are positive where nonzero), in float32 as
    Keras's confusion-matrix update. Shapes (T,), or (T, labels) with
    ``multi_label``."""
    f = np.float32
    y_true = np.asarray(_tensor(y_true).numpy()).astype(f)
    y_pred = np.asarray(y_pred.numpy() if hasattr(y_pred, "numpy") else y_pred).astype(f)
    thresholds = np.asarray(thresholds, dtype=np.float64)
    y_pred, y_true = _squeeze_or_expand_np(y_pred, y_true)
    if sample_weight is not None:
        sw = np.asarray(_tensor(sample_weight).numpy()).astype(f)[..., None]
        _, sw = _squeeze_or_expand_np(y_true, sw, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError("When class_id is provided, y_pred must be a 2D array with shape (num_samples, "
                             "num_classes), found shape: %s" % (y_pred.shape,))
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    try:
        weights = np.ones(y_pred.shape, f) if sample_weight is None else np.broadcast_to(sw, y_pred.shape)
        if label_weights is not None:
            weights = weights * np.broadcast_to(np.asarray(label_weights, f)[None], y_pred.shape)
        np.broadcast_shapes(y_true.shape, y_pred.shape)
    except ValueError:
        raise ValueError("Incompatible shapes: y_true %s, y_pred %s, sample_weight %s"
                         % (_fmt(y_true.shape), _fmt(y_pred.shape),
                            None if sample_weight is None else _fmt(sw.shape))) from None
    labels = np.broadcast_to((y_true != 0).astype(f), y_pred.shape)
    if multi_label:
        labels, y_pred, weights = (a.reshape(a.shape[0], -1) for a in (labels, y_pred, weights))
    else:
        labels, y_pred, weights = labels.reshape(-1, 1), y_pred.reshape(-1, 1), weights.reshape(-1, 1)
    n = len(thresholds)
    true_w = (labels * weights).astype(f)
    false_w = ((f(1.0) - labels) * weights).astype(f)
    if evenly:
        p = np.clip(y_pred, f(0.0), f(1.0))
        bucket = np.ceil(p * f(n - 1)) - f(1.0)
        if thresholds[0] < 0.0 or thresholds[-1] > 1.0:
            bucket = np.maximum(bucket, f(0.0))
        bucket = bucket.astype(np.int64)
        cols = labels.shape[1]
        tp = np.zeros((n, cols), f)
        fp = np.zeros((n, cols), f)
        for c in range(cols):
            ok = bucket[:, c] >= 0  # a prediction of 0 exceeds no threshold >= 0
            tp[:, c] = np.bincount(bucket[ok, c], weights=true_w[ok, c], minlength=n)[:n]
            fp[:, c] = np.bincount(bucket[ok, c], weights=false_w[ok, c], minlength=n)[:n]
        tp = np.cumsum(tp[::-1], axis=0)[::-1].astype(f)
        fp = np.cumsum(fp[::-1], axis=0)[::-1].astype(f)
    else:
        pos = y_pred[None, :, :] > thresholds.astype(f)[:, None, None]
        tp = np.sum(np.where(pos, true_w[None], f(0.0)), axis=1, dtype=f)
        fp = np.sum(np.where(pos, false_w[None], f(0.0)), axis=1, dtype=f)
    tn = (np.sum(false_w, axis=0, dtype=f)[None, :] - fp).astype(f)
    fn = (np.sum(true_w, axis=0, dtype=f)[None, :] - tp).astype(f)
    if not multi_label:
        tp, fp, tn, fn = tp[:, 0], fp[:, 0], tn[:, 0], fn[:, 0]
    return tuple(np.ascontiguousarray(a) for a in (tp, fp, tn, fn))


def _first_if_single(values, n):
    return values[0] if n == 1 else values


class _ConfusionMatrixConditionCount(Metric):
    _which = 0  # index into (tp, fp, tn, fn)

    def __init__(self, thresholds=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        _check_thresholds(thresholds)
        self.init_thresholds = thresholds
        self.thresholds = list(thresholds) if isinstance(thresholds, (list, tuple)) else \
            [0.5 if thresholds is None else thresholds]
        self._thresholds_distributed_evenly = _is_evenly_distributed(self.thresholds)
        self.accumulator = self.add_variable((len(self.thresholds),), "zeros", name="accumulator")

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's weighted count at each threshold."""
        counts = _confusion_counts(y_true, _tensor(y_pred), self.thresholds, self._thresholds_distributed_evenly,
                                   sample_weight)
        self.accumulator.assign_add(counts[self._which])

    def result(self):
        return _first_if_single(self.accumulator.read_value(), len(self.thresholds))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The weighted number of true positives (``y_pred > threshold`` where the
    label is positive), one per threshold (default 0.5)."""
    _which = 0


class FalsePositives(_ConfusionMatrixConditionCount):
    """The weighted number of false positives, one per threshold (default 0.5)."""
    _which = 1


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of true negatives, one per threshold (default 0.5)."""
    _which = 2


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The weighted number of false negatives, one per threshold (default 0.5)."""
    _which = 3


class _PrecisionRecall(Metric):
    _other = None  # (index into the counts, variable name)

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(name=name, dtype=dtype)
        _check_thresholds(thresholds)
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else NEG_INF
        self.thresholds = list(thresholds) if isinstance(thresholds, (list, tuple)) else \
            [default if thresholds is None else thresholds]
        self._thresholds_distributed_evenly = _is_evenly_distributed(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable((n,), "zeros", name="true_positives")
        setattr(self, self._other[1], self.add_variable((n,), "zeros", name=self._other[1]))

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds this batch's weighted true positives and the other count."""
        counts = _confusion_counts(y_true, _tensor(y_pred), self.thresholds, self._thresholds_distributed_evenly,
                                   sample_weight, top_k=self.top_k, class_id=self.class_id)
        self.true_positives.assign_add(counts[0])
        getattr(self, self._other[1]).assign_add(counts[self._other[0]])

    def result(self):
        tp = self.true_positives.read_value()
        other = getattr(self, self._other[1]).read_value()
        return _first_if_single(_divide_no_nan(tp, _core.add(tp, other)), len(self.thresholds))

    def get_config(self):
        return {**super().get_config(), "thresholds": self.init_thresholds, "top_k": self.top_k,
                "class_id": self.class_id}


class Precision(_PrecisionRecall):
    """``tp / (tp + fp)`` of ``y_pred > threshold`` (default 0.5), optionally
    only for the top ``top_k`` scores of each row or for class ``class_id``."""
    _other = (1, "false_positives")


class Recall(_PrecisionRecall):
    """``tp / (tp + fn)`` of ``y_pred > threshold`` (default 0.5), optionally
    only for the top ``top_k`` scores of each row or for class ``class_id``."""
    _other = (3, "false_negatives")



class AUC(Metric):
    """Area under the ROC (or PR / PR-gain) curve, approximated on
    ``num_thresholds`` thresholds (evenly spaced in [0, 1] unless
    ``thresholds`` are given) by a Riemann sum: ``summation_method``
    "interpolation" (trapezoids; for PR, Davis & Goadrich's interpolation),
    "minoring" or "majoring". State: the weighted true/false positive and
    negative counts at each threshold."""

    def __init__(self, num_thresholds=200, curve="ROC", summation_method="interpolation", name=None, dtype=None,
                 thresholds=None, multi_label=False, num_labels=None, label_weights=None, from_logits=False):
        if str(curve).lower() not in _CURVES:
            raise ValueError('Invalid AUC curve value: "%s". Expected values are ["PR", "ROC", "PRGAIN"]' % curve)
        if str(summation_method).lower() not in _SUMMATIONS:
            raise ValueError('Invalid AUC summation method value: "%s". Expected values are '
                             '["interpolation", "majoring", "minoring"]' % summation_method)
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(float(t) for t in thresholds)
            self._thresholds_distributed_evenly = _is_evenly_distributed([0.0] + thresholds + [1.0])
        else:
            if num_thresholds <= 1:
                raise ValueError("Argument `num_thresholds` must be an integer > 1. Received: num_thresholds=%s"
                                 % (num_thresholds,))
            self.num_thresholds = num_thresholds
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        self._thresholds = np.array([0.0 - EPSILON] + list(thresholds) + [1.0 + EPSILON])
        self.curve = _CURVES[str(curve).lower()]
        self.summation_method = _SUMMATIONS[str(summation_method).lower()]
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else np.asarray(label_weights, dtype=self.dtype)
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build([None, num_labels])
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self):
        return list(self._thresholds)

    def _build(self, shape):
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError("`y_pred` must have rank 2 when `multi_label=True`. Found rank %d. Full shape "
                                 "received for `y_pred`: %s" % (len(shape), shape))
            self._num_labels = shape[1]
            vshape = (self.num_thresholds, self._num_labels)
        else:
            vshape = (self.num_thresholds,)
        self.true_positives = self.add_variable(vshape, "zeros", name="true_positives")
        self.false_positives = self.add_variable(vshape, "zeros", name="false_positives")
        self.true_negatives = self.add_variable(vshape, "zeros", name="true_negatives")
        self.false_negatives = self.add_variable(vshape, "zeros", name="false_negatives")
        self._built = True

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Adds the weighted confusion counts of this batch at every threshold."""
        y_pred = np.asarray(_tensor(y_pred).numpy())
        if not self._built:
            self._build(list(y_pred.shape))
        if self._from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-y_pred.astype(np.float64)))
        counts = _confusion_counts(y_true, y_pred, self._thresholds, self._thresholds_distributed_evenly,
                                   sample_weight, multi_label=self.multi_label,
                                   label_weights=None if self.multi_label else self.label_weights)
        for var, delta in zip((self.true_positives, self.false_positives, self.true_negatives,
                               self.false_negatives), counts):
            var.assign_add(delta)

    def _by_label(self, terms):
        if self.multi_label:
            by_label = np.sum(terms, axis=0)
            if self.label_weights is None:
                return np.mean(by_label)
            den = np.sum(self.label_weights)
            return np.sum(by_label * self.label_weights) / den if den != 0 else np.float32(0.0)
        return np.sum(terms)

    @staticmethod
    def _dnn(a, b):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(b == 0, np.zeros_like(a), a / np.where(b == 0, 1, b))

    def _interpolate_pr_auc(self, tp, fp, fn):
        n = self.num_thresholds
        dnn = self._dnn
        dtp = tp[:n - 1] - tp[1:]
        p = tp + fp
        dp = p[:n - 1] - p[1:]
        slope = dnn(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        ratio = np.where((p[:n - 1] > 0) & (p[1:] > 0), dnn(p[:n - 1], np.maximum(p[1:], 0)), np.ones_like(p[1:]))
        terms = dnn(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))
        return self._by_label(terms)

    def result(self):
        """The area under the curve from the counts accumulated so far."""
        tp, fp, tn, fn = (np.asarray(v.numpy()) for v in (self.true_positives, self.false_positives,
                                                           self.true_negatives, self.false_negatives))
        dnn = self._dnn
        n = self.num_thresholds
        if self.curve == "PR" and self.summation_method == "interpolation":
            out = self._interpolate_pr_auc(tp, fp, fn)
        else:
            recall = dnn(tp, tp + fn)
            if self.curve == "ROC":
                x, y = dnn(fp, fp + tn), recall
            elif self.curve == "PR":
                x, y = recall, dnn(tp, tp + fp)
            else:
                scale = dnn(tp + fn, tn + fp)
                recall_gain = 1.0 - scale * dnn(fn, tp)
                precision_gain = 1.0 - scale * dnn(fp, tp)
                recall_gain = np.maximum(np.where(tp == 0, 0.0, recall_gain), 0.0)
                precision_gain = np.where(tp == 0, 1.0, precision_gain)
                x, y = recall_gain, precision_gain
            if self.summation_method == "interpolation":
                heights = (y[:n - 1] + y[1:]) / 2.0
            elif self.summation_method == "minoring":
                heights = np.minimum(y[:n - 1], y[1:])
            else:
                heights = np.maximum(y[:n - 1], y[1:])
            out = self._by_label((x[:n - 1] - x[1:]) * heights)
        return _array_to_tensor(np.asarray(out, dtype=self.dtype))

    def reset_state(self):
        if self._built:
            for v in (self.true_positives, self.false_positives, self.true_negatives, self.false_negatives):
                v.assign(zeros(v.shape, dtype=v.dtype))

    def get_config(self):
        config = {"num_thresholds": self.num_thresholds, "curve": self.curve,
                  "summation_method": self.summation_method, "multi_label": self.multi_label,
                  "num_labels": self.num_labels,
                  "label_weights": None if self.label_weights is None else self.label_weights.tolist(),
                  "from_logits": self._from_logits}
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}


# --------------------------------------------------------------------------
# get / serialize / deserialize
# --------------------------------------------------------------------------

_CLASSES = [Metric, Mean, Sum, MeanMetricWrapper, Accuracy, BinaryAccuracy, CategoricalAccuracy,
            SparseCategoricalAccuracy, TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, MeanSquaredError,
            MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, RootMeanSquaredError,
            LogCoshError, CosineSimilarity, BinaryCrossentropy, CategoricalCrossentropy,
            SparseCategoricalCrossentropy, KLDivergence, Poisson, Hinge, SquaredHinge, CategoricalHinge, AUC,
            TruePositives, FalsePositives, TrueNegatives, FalseNegatives, Precision, Recall]

ALL_FUNCTIONS_DICT = {f.__name__: f for f in (
    accuracy, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
    sparse_top_k_categorical_accuracy, mean_squared_error, mean_absolute_error, mean_absolute_percentage_error,
    mean_squared_logarithmic_error, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy,
    kl_divergence, poisson, hinge, squared_hinge, categorical_hinge, huber, log_cosh)}

ALL_OBJECTS_DICT = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS_DICT.update({_initializers._snake(c.__name__): c for c in _CLASSES})
ALL_OBJECTS_DICT.update({"bce": BinaryCrossentropy, "BCE": BinaryCrossentropy, "mse": MeanSquaredError,
                         "MSE": MeanSquaredError, "mae": MeanAbsoluteError, "MAE": MeanAbsoluteError,
                         "mape": MeanAbsolutePercentageError, "MAPE": MeanAbsolutePercentageError,
                         "msle": MeanSquaredLogarithmicError, "MSLE": MeanSquaredLogarithmicError})


def serialize(metric):
    """The config dict of a metric."""
    return serialize_object(metric, "keras.metrics")


def deserialize(config, custom_objects=None):
    """A metric from its serialized form (dict) or its name."""
    return deserialize_object(config, ALL_OBJECTS_DICT, custom_objects, "metric")


def get(identifier):
    """A metric from a name ("accuracy", "mse", "AUC", ...), a config dict, a
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
        return obj() if isinstance(obj, type) else obj
    raise ValueError("Could not interpret metric identifier: %s" % (identifier,))
