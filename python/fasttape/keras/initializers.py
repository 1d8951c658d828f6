"""``fasttape.keras.initializers``: Keras 3's weight initializers (as
``tf.keras.initializers`` in TensorFlow 2.21).

``initializer(shape, dtype=None)`` returns a fasttape Tensor (float32 unless
``dtype`` says otherwise). Random values come from numpy generators, so they
differ from TensorFlow's for the same seed; their distributions are Keras's.
As in Keras, an instance draws its seed once: calling the same instance twice
gives the same values, two unseeded instances give different values.
``fasttape.random.set_seed`` makes the seeds of unseeded instances repeatable.
"""

import inspect
import math

import numpy as np

from .. import _core
from .. import errors as _errors
from .. import random as _random
from .._dtypes import as_dtype
from .._tensor import _array_to_tensor
from .losses import _snake, deserialize_object, serialize_object

__all__ = [
    "Initializer", "Constant", "Zeros", "Ones", "Identity", "IdentityInitializer", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal",
    "LecunUniform", "Orthogonal", "OrthogonalInitializer",
    "constant", "zeros", "ones", "identity", "random_normal", "random_uniform", "truncated_normal",
    "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
    "lecun_uniform", "orthogonal", "get", "serialize", "deserialize", "compute_fans",
]

# The standard deviation of a unit normal truncated to [-2, 2].
_TRUNCATED_STDDEV = 0.87962566103423978


def _dtype(dtype, kind):
    dt = as_dtype("float32" if dtype is None else dtype)
    if kind == "float" and not dt.is_floating:
        raise ValueError("%s: expected a floating dtype, got %s" % (kind, dt.name))
    return dt


def _shape_tuple(shape):
    if _core.is_tensor(shape):
        shape = np.asarray(shape).reshape(-1)
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(d) for d in shape)


def _to_tensor(values, dtype):
    return _array_to_tensor(np.array(values, dtype=dtype.as_numpy_dtype, order="C"))


class Initializer:
    """Initializer base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` method.")

    def get_config(self):
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def clone(self):
        return self.__class__.from_config(self.get_config())


class Constant(Initializer):
    """Every element equal to ``value``."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "Constant")
        shape = _shape_tuple(shape)
        value = np.asarray(self.value)
        try:  # Keras computes value * ones(shape): the two shapes broadcast
            shape = np.broadcast_shapes(value.shape, shape)
        except ValueError:
            raise _errors.InvalidArgumentError(
                None, None, "Constant: incompatible shapes: value of shape %s cannot fill shape %s"
                % (list(value.shape), list(shape))) from None
        return _to_tensor(np.array(np.broadcast_to(value, shape)), dt)

    def get_config(self):
        value = self.value
        if isinstance(value, np.ndarray) or _core.is_tensor(value):
            value = np.asarray(value).tolist()
        return {"value": value}


class Zeros(Initializer):
    """All zeros."""

    def __call__(self, shape, dtype=None):
        return _to_tensor(np.zeros(_shape_tuple(shape)), _dtype(dtype, "Zeros"))


class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        return _to_tensor(np.ones(_shape_tuple(shape)), _dtype(dtype, "Ones"))


class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only; rectangular allowed)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape_tuple(shape)
        if len(shape) != 2:
            raise ValueError("Identity matrix initializer can only be used for 2D matrices. Received: shape=%s of "
                             "rank %d." % (shape, len(shape)))
        return _to_tensor(self.gain * np.eye(*shape), _dtype(dtype, "Identity"))

    def get_config(self):
        return {"gain": self.gain}


class RandomInitializer(Initializer):
    """Base of the random initializers: holds the seed (an int, or None for
    a seed drawn once from fasttape's global generator)."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = int(_random._generator(None).integers(0, 2 ** 31 - 1))
        elif not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError("`seed` argument should be an integer. Received: seed=%r" % (seed,))
        self.seed = int(seed)

    def _rng(self):
        return np.random.default_rng(self.seed)

    def get_config(self):
        return {"seed": self._init_seed}


def _truncated(rng, shape):
    """Unit normal samples, each redrawn until within two standard deviations."""
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2.0
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2.0
    return z


class RandomNormal(RandomInitializer):
    """Samples from N(mean, stddev**2)."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "float")
        z = self._rng().standard_normal(_shape_tuple(shape))
        return _to_tensor(self.mean + self.stddev * z, dt)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class TruncatedNormal(RandomInitializer):
    """Normal samples with values beyond two standard deviations redrawn."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "float")
        return _to_tensor(self.mean + self.stddev * _truncated(self._rng(), _shape_tuple(shape)), dt)

    def get_config(self):
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


class RandomUniform(RandomInitializer):
    """Samples from U[minval, maxval)."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "float")
        return _to_tensor(self._rng().uniform(self.minval, self.maxval, _shape_tuple(shape)), dt)

    def get_config(self):
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None):
    """(fan_in, fan_out) of a weight shape: a kernel of shape
    ``(*receptive_field, in, out)`` has fan_in ``in * prod(receptive_field)``
    and fan_out ``out * prod(receptive_field)``; a vector has both equal to
    its length; a scalar has both 1."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])), int(np.prod([shape[a] for a in output_axes])))
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = 1
    for d in shape[:-2]:
        receptive *= d
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class VarianceScaling(RandomInitializer):
    """Samples whose variance is ``scale / n``, ``n`` the fan-in, fan-out or
    their average (``mode``); ``distribution`` "truncated_normal" (stddev
    corrected by 0.8796... for the truncation; "normal" is an alias),
    "untruncated_normal" or "uniform" (limit ``sqrt(3 * scale / n)``)."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None, input_axes=None,
                 output_axes=None):
        if scale <= 0.0:
            raise ValueError("Argument `scale` must be positive float. Received: scale=%s" % (scale,))
        modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in modes:
            raise ValueError("Invalid `mode` argument: %s. Please use one of %s" % (mode, modes))
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        dists = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in dists:
            raise ValueError("Invalid `distribution` argument: %s.Please use one of %s" % (distribution, dists))
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "float")
        shape = _shape_tuple(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        scale = self.scale
        if self.mode == "fan_in":
            scale /= max(1.0, fan_in)
        elif self.mode == "fan_out":
            scale /= max(1.0, fan_out)
        else:
            scale /= max(1.0, (fan_in + fan_out) / 2.0)
        rng = self._rng()
        if self.distribution == "truncated_normal":
            values = (math.sqrt(scale) / _TRUNCATED_STDDEV) * _truncated(rng, shape)
        elif self.distribution == "untruncated_normal":
            values = math.sqrt(scale) * rng.standard_normal(shape)
        else:
            limit = math.sqrt(3.0 * scale)
            values = rng.uniform(-limit, limit, shape)
        return _to_tensor(values, dt)

    def get_config(self):
        return {**super().get_config(), "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "input_axes": self.input_axes, "output_axes": self.output_axes}


class _Preset(VarianceScaling):
    _args = None  # (scale, mode, distribution)

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        scale, mode, distribution = self._args
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed, input_axes=input_axes,
                         output_axes=output_axes)

    def get_config(self):
        return {"seed": self._init_seed, "input_axes": self.input_axes, "output_axes": self.output_axes}


class GlorotUniform(_Preset):
    """U[-limit, limit] with ``limit = sqrt(6 / (fan_in + fan_out))``."""
    _args = (1.0, "fan_avg", "uniform")


class GlorotNormal(_Preset):
    """Truncated normal with stddev ``sqrt(2 / (fan_in + fan_out))``."""
    _args = (1.0, "fan_avg", "truncated_normal")


class LecunNormal(_Preset):
    """Truncated normal with stddev ``sqrt(1 / fan_in)``."""
    _args = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_Preset):
    """U[-limit, limit] with ``limit = sqrt(3 / fan_in)``."""
    _args = (1.0, "fan_in", "uniform")


class HeNormal(_Preset):
    """Truncated normal with stddev ``sqrt(2 / fan_in)``."""
    _args = (2.0, "fan_in", "truncated_normal")


class HeUniform(_Preset):
    """U[-limit, limit] with ``limit = sqrt(6 / fan_in)``."""
    _args = (2.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """``gain`` times an orthogonal matrix (rows or columns orthonormal) from
    the QR decomposition of a normal matrix; shapes of rank > 2 are
    flattened to ``(prod(shape[:-1]), shape[-1])``."""

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dt = _dtype(dtype, "float")
        shape = _shape_tuple(shape)
        if len(shape) < 2:
            raise ValueError("The tensor to initialize must be at least two-dimensional. Received: shape=%s of "
                             "rank %d." % (shape, len(shape)))
        rows = int(np.prod(shape[:-1]))
        cols = shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q = q * np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return _to_tensor(self.gain * q.reshape(shape), dt)

    def get_config(self):
        return {**super().get_config(), "gain": self.gain}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

_CLASSES = [Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal, HeUniform,
            LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling]
ALL_OBJECTS_DICT = {c.__name__: c for c in _CLASSES}
ALL_OBJECTS_DICT.update({_snake(c.__name__): c for c in _CLASSES})
ALL_OBJECTS_DICT.update({"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal, "normal": RandomNormal,
                         "uniform": RandomUniform, "one": Ones, "zero": Zeros})

constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal


def serialize(initializer):
    """The config dict of an initializer."""
    return serialize_object(initializer, "keras.initializers")


def deserialize(config, custom_objects=None):
    """An initializer from its serialized form (dict) or its name."""
    return deserialize_object(config, ALL_OBJECTS_DICT, custom_objects, "initializer")


def get(identifier):
    """An initializer from a name ("glorot_uniform", "Zeros", ...), a config
    dict, a class (instantiated), a callable (returned as is), or an array
    (an initializer returning it for its own shape)."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        if identifier not in ALL_OBJECTS_DICT:
            raise ValueError("Could not interpret initializer identifier: %s" % (identifier,))
        obj = deserialize({"class_name": identifier, "config": {}})
    elif _core.is_tensor(identifier) or isinstance(identifier, (np.ndarray, np.generic)):
        value = np.asarray(identifier)

        def initialize_fn(shape, dtype=None):
            if _shape_tuple(shape) != value.shape:
                raise ValueError("Expected `shape` to be %s for direct tensor as initializer. Received shape=%s"
                                 % (value.shape, tuple(shape)))
            return _to_tensor(value, as_dtype("float32" if dtype is None else dtype))
        obj = initialize_fn
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError("Could not interpret initializer identifier: %s" % (identifier,))
