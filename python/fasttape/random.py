"""``fasttape.random``: random tensors (TensorFlow's names, numpy's
generators: the values differ from TensorFlow's for the same seed)."""

import numpy as np

from . import _core
from ._dtypes import as_dtype, float32
from ._tensor import _array_to_tensor

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "set_seed"]

_global_seed = None
_rng = None  # created on first use: importing numpy.random costs milliseconds
_op_counter = 0


def set_seed(seed):
    """Makes the random ops that follow repeatable (``tf.random.set_seed``)."""
    global _global_seed, _rng, _op_counter
    _global_seed = None if seed is None else int(seed)
    _rng = np.random.default_rng(_global_seed)
    _op_counter = 0


def _generator(seed):
    global _rng
    if seed is None:
        if _rng is None:
            _rng = np.random.default_rng(_global_seed)
        return _rng
    # An op-level seed: repeatable per (global seed, op seed), as in TensorFlow.
    return np.random.default_rng([0 if _global_seed is None else _global_seed, int(seed)])


def _shape(shape, op):
    """The shape as a tuple, through fasttape's one shape check (naming op)."""
    if _core.is_tensor(shape):
        out = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    elif isinstance(shape, (int, np.integer)):
        out = (int(shape),)
    else:
        out = tuple(int(d) for d in shape)
    _core.check_shape(out, op)
    return out


def _finish(values, dtype):
    dt = as_dtype(dtype)
    if not dt.is_floating and not dt.is_integer:
        raise ValueError("random: dtype must be floating or integer, got %s" % dt.name)
    return _array_to_tensor(np.asarray(values).astype(dt.as_numpy_dtype))


def normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Samples from a normal distribution."""
    if not as_dtype(dtype).is_floating:
        raise ValueError("random.normal: dtype must be float32 or float64")
    g = _generator(seed)
    return _finish(g.normal(float(mean), float(stddev), size=_shape(shape, "random.normal")), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normal samples redrawn until within two standard deviations."""
    g = _generator(seed)
    size = _shape(shape, "random.truncated_normal")
    z = g.standard_normal(size)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = g.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return _finish(float(mean) + float(stddev) * z, dtype)


def uniform(shape, minval=0, maxval=None, dtype=float32, seed=None, name=None):
    """Uniform samples in [minval, maxval) (integers need maxval)."""
    dt = as_dtype(dtype)
    g = _generator(seed)
    size = _shape(shape, "random.uniform")
    if dt.is_integer:
        if maxval is None:
            raise ValueError("random.uniform: maxval must be given for integer dtype %s" % dt.name)
        return _finish(g.integers(int(minval), int(maxval), size=size), dt)
    hi = 1.0 if maxval is None else float(maxval)
    return _finish(g.uniform(float(minval), hi, size=size), dt)


def shuffle(value, seed=None, name=None):
    """``value`` with its first dimension randomly permuted."""
    a = np.array(value)
    _generator(seed).shuffle(a)
    return _array_to_tensor(a)
