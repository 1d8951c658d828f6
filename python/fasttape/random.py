"""``fasttape.random``: random tensors with TensorFlow's names.

``normal``, ``uniform``, ``truncated_normal``, ``shuffle`` and
``categorical`` draw from numpy generators seeded by ``set_seed`` and the
op seed. ``Generator`` and the ``stateless_*`` functions use Philox4x32-10
(Salmon et al., SC'11), a counter-based generator implemented here from
its published definition: a stateless call is a pure function of its seed
pair, and a Generator's state is a 128-bit counter plus a 64-bit key. The
values differ from TensorFlow's for the same seeds (TensorFlow derives its
Philox keys and converts bits to floats its own way)."""

import enum
import os

import numpy as np

from . import _core
from ._dtypes import as_dtype, float32, int64
from ._tensor import _array_to_tensor
from ._variable import Variable
from .errors import InvalidArgumentError

__all__ = ["normal", "uniform", "truncated_normal", "shuffle", "set_seed", "categorical", "Algorithm", "Generator",
           "get_global_generator", "set_global_generator", "create_rng_state", "stateless_normal", "stateless_uniform",
           "stateless_truncated_normal", "stateless_categorical", "fold_in", "split", "experimental"]

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
        dims = np.asarray(shape).reshape(-1)
    elif isinstance(shape, (int, np.integer)):
        dims = [shape]
    else:
        dims = list(shape)
    for d in dims:
        if _core.is_tensor(d):
            d = np.asarray(d)
        if not isinstance(d, (int, np.integer)) and not (isinstance(d, np.ndarray) and d.dtype.kind in "iu"):
            # TensorFlow's random ops take int32 or int64 shapes only.
            raise InvalidArgumentError(None, None, "Value for attr 'T' of %s is not in the list of allowed values: "
                                       "int32, int64" % _shape_dtype_name(d))
    out = tuple(int(d) for d in dims)
    _core.check_shape(out, op)
    return out


def _shape_dtype_name(d):
    if isinstance(d, (float, np.floating)):
        return "float"
    if isinstance(d, (np.ndarray, np.generic)):
        return {"f": "float", "b": "bool"}.get(d.dtype.kind, d.dtype.name)
    return type(d).__name__


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
    return _finish(_affine(mean, stddev, g.standard_normal(_shape(shape, "random.normal"))), dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=float32, seed=None, name=None):
    """Normal samples redrawn until within two standard deviations."""
    g = _generator(seed)
    size = _shape(shape, "random.truncated_normal")
    z = g.standard_normal(size)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = g.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    return _finish(_affine(mean, stddev, z), dtype)


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


def categorical(logits, num_samples, dtype=None, seed=None, name=None):
    """``num_samples`` class indices per row of ``logits`` ``[batch,
    classes]`` (unnormalised log-probabilities), as ``[batch,
    num_samples]`` (int64 unless ``dtype``)."""
    lg = _logits(logits)
    u = _generator(seed).random((lg.shape[0], int(num_samples), lg.shape[1]))
    return _sample_classes(lg, u, dtype)


# ---------------------------------------------------------------- Philox4x32-10
_M0, _M1 = np.uint64(0xD2511F53), np.uint64(0xCD9E8D57)
_W0, _W1 = 0x9E3779B9, 0xBB67AE85
_MASK32 = np.uint64(0xFFFFFFFF)
_U64 = (1 << 64) - 1


def _philox_blocks(key, counter, nblocks):
    """Philox4x32-10 of the counters ``counter .. counter + nblocks - 1``
    (128-bit, wrapping) under the 64-bit ``key``: ``[nblocks, 4]`` uint32
    words."""
    i = np.arange(nblocks, dtype=np.uint64)
    lo = np.uint64(counter & _U64) + i  # wraps modulo 2**64
    carry = (lo < np.uint64(counter & _U64)).astype(np.uint64)
    hi = np.uint64((counter >> 64) & _U64) + carry
    c0, c1 = lo & _MASK32, lo >> np.uint64(32)
    c2, c3 = hi & _MASK32, hi >> np.uint64(32)
    k0, k1 = key & 0xFFFFFFFF, (key >> 32) & 0xFFFFFFFF
    for r in range(10):
        if r:
            k0, k1 = (k0 + _W0) & 0xFFFFFFFF, (k1 + _W1) & 0xFFFFFFFF
        p0 = _M0 * c0
        p1 = _M1 * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & _MASK32,
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & _MASK32)
    return np.stack([c0, c1, c2, c3], axis=1).astype(np.uint32)


class _Stream:
    """Consecutive 32-bit words of Philox under one key from one counter."""

    def __init__(self, key, counter):
        self.key, self.counter = key & _U64, counter & ((1 << 128) - 1)

    def words(self, n):
        blocks = (int(n) + 3) // 4
        out = _philox_blocks(self.key, self.counter, blocks).reshape(-1)[:int(n)]
        self.counter = (self.counter + blocks) & ((1 << 128) - 1)
        return out

    def u64(self, n):
        w = self.words(2 * int(n)).astype(np.uint64).reshape(-1, 2)
        return (w[:, 0] << np.uint64(32)) | w[:, 1]

    def unit(self, n, np_dtype):
        """Uniform floats in [0, 1): 24 random bits for float32, 53 for
        float64."""
        if np_dtype == np.float32:
            return (self.words(n) >> np.uint32(8)).astype(np.float32) * np.float32(2.0 ** -24)
        return (self.u64(n) >> np.uint64(11)).astype(np.float64) * (2.0 ** -53)

    def standard_normal(self, n):
        """Box-Muller pairs from 53-bit uniforms, in float64."""
        m = (int(n) + 1) // 2
        u = self.unit(2 * m, np.float64).reshape(-1, 2)
        r = np.sqrt(-2.0 * np.log1p(-u[:, 0]))  # 1 - u is in (0, 1]
        t = 2.0 * np.pi * u[:, 1]
        return np.stack([r * np.cos(t), r * np.sin(t)], axis=1).reshape(-1)[:int(n)]

    def truncated_normal(self, n):
        """Standard normals within two standard deviations (others are
        redrawn from the following words)."""
        n = int(n)
        out = np.empty(n, np.float64)
        filled = 0
        while filled < n:
            need = n - filled
            z = self.standard_normal(need + need // 16 + 4)
            z = z[np.abs(z) <= 2.0][:need]
            out[filled:filled + z.size] = z
            filled += z.size
        return out


def _float_dtype(dtype, what):
    dt = as_dtype(dtype)
    if not dt.is_floating:
        raise TypeError("%s: dtype must be a floating type (float32 or float64), got %s" % (what, dt.name))
    return dt


def _normal(stream, shape, mean, stddev, dtype, what):
    dt = _float_dtype(dtype, what)
    size = _shape(shape, what)
    z = stream.standard_normal(int(np.prod(size, dtype=np.int64))).reshape(size)
    return _finish(_affine(mean, stddev, z), dt)


def _truncated(stream, shape, mean, stddev, dtype, what):
    dt = _float_dtype(dtype, what)
    size = _shape(shape, what)
    z = stream.truncated_normal(int(np.prod(size, dtype=np.int64))).reshape(size)
    return _finish(_affine(mean, stddev, z), dt)


def _param(value):
    """``mean``/``stddev`` as float64 (a tensor broadcasts against the samples)."""
    return np.asarray(value._peek() if _core.is_variable(value) else value, dtype=np.float64)


def _affine(shift, scale, z):
    """``shift + scale * z``, broadcasting as TensorFlow's ops do."""
    shift, scale = _param(shift), _param(scale)
    try:
        return shift + scale * z
    except ValueError:
        shapes = sorted({a.shape for a in (shift, scale, z)}, key=len)
        raise InvalidArgumentError(None, None, "Incompatible shapes: %s vs. %s"
                                   % (list(shapes[0]), list(shapes[-1]))) from None


def _uniform(stream, shape, minval, maxval, dtype, what):
    dt = as_dtype(dtype)
    size = _shape(shape, what)
    n = int(np.prod(size, dtype=np.int64))
    if dt.is_integer:
        if (minval is None) != (maxval is None):
            raise ValueError("For integer `dtype` argument %s, argument `minval` and `maxval` must be both None or "
                             "not None. Got `minval`=%s and `maxval`=%s." % (dt, minval, maxval))
        if minval is None:
            bits = stream.u64(n) if dt.size == 8 else stream.words(n)
            return _finish(bits.view(np.int64 if dt.size == 8 else np.int32).reshape(size), dt)
        lo, hi = int(np.asarray(minval)), int(np.asarray(maxval))
        if hi <= lo:
            raise InvalidArgumentError(None, None, "Need minval < maxval, got %d >= %d" % (lo, hi))
        span = np.uint64(hi - lo)
        return _finish((np.asarray(lo, np.int64) + (stream.u64(n) % span).astype(np.int64)).reshape(size), dt)
    dt = _float_dtype(dt, what)
    lo = _param(minval)
    hi = 1.0 if maxval is None else _param(maxval)
    u = stream.unit(n, dt.as_numpy_dtype).reshape(size)
    return _finish(_affine(lo, hi - lo, u.astype(np.float64)), dt)


def _logits(logits):
    lg = np.asarray(logits._peek() if _core.is_variable(logits) else logits, dtype=np.float64)
    if lg.ndim != 2:
        raise ValueError("logits should be a matrix [batch_size, num_classes], got shape %s" % (lg.shape,))
    return lg


def _sample_classes(lg, u, dtype):
    """Inverse-CDF sampling: ``u`` ``[batch, num_samples, classes]`` (only
    the first entry along the last axis is used) picks a class per sample."""
    dt = int64 if dtype is None else as_dtype(dtype)
    if not dt.is_integer:
        raise ValueError("categorical: dtype must be int32 or int64, got %s" % dt.name)
    p = np.exp(lg - np.max(lg, axis=1, keepdims=True))
    cdf = np.cumsum(p, axis=1)
    cdf /= cdf[:, -1:]
    x = u[:, :, 0] if u.ndim == 3 else u
    idx = np.empty(x.shape, np.int64)
    for b in range(lg.shape[0]):
        idx[b] = np.minimum(np.searchsorted(cdf[b], x[b], side="right"), lg.shape[1] - 1)
    return _finish(idx, dt)


# ---------------------------------------------------------------- algorithms and seeds
class Algorithm(enum.Enum):
    """Random-number algorithms (``tf.random.Algorithm``). fasttape
    implements Philox; AUTO_SELECT picks it."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


def _check_alg(alg):
    if alg is None:
        return Algorithm.PHILOX
    if isinstance(alg, str):
        key = alg.lower()
        names = {"philox": Algorithm.PHILOX, "auto_select": Algorithm.AUTO_SELECT, "threefry": Algorithm.THREEFRY}
        alg = names.get(key)
        if alg is None:
            raise ValueError("Unsupported random algorithm %r; use 'philox' or 'auto_select'" % key)
    elif not isinstance(alg, Algorithm):
        alg = Algorithm(int(alg))
    if alg is Algorithm.THREEFRY:
        raise ValueError("fasttape's random generators use the Philox algorithm; pass alg='philox' or "
                         "'auto_select' instead of 'threefry'")
    return Algorithm.PHILOX


def _seed_pair(seed):
    s = np.asarray(seed._peek() if _core.is_variable(seed) else seed)
    if s.shape != (2,):
        raise InvalidArgumentError(None, None, "seed must have shape [2], not %s" % list(s.shape))
    if s.dtype.kind not in "iu":
        raise ValueError("seed must be an integer tensor of shape [2], got dtype %s" % s.dtype)
    return int(s[0]) & _U64, int(s[1]) & _U64


def _stateless_stream(seed):
    """The seed pair (a, b) selects key a and counters from b * 2**64: pairs
    that differ give disjoint Philox streams."""
    a, b = _seed_pair(seed)
    return _Stream(a, b << 64)


def stateless_normal(shape, seed, mean=0.0, stddev=1.0, dtype=float32, name=None, alg="auto_select"):
    """Normal samples, a pure function of ``seed`` (shape [2] integers)."""
    _check_alg(alg)
    return _normal(_stateless_stream(seed), shape, mean, stddev, dtype, "random.stateless_normal")


def stateless_truncated_normal(shape, seed, mean=0.0, stddev=1.0, dtype=float32, name=None, alg="auto_select"):
    """Normal samples within two standard deviations, a pure function of
    ``seed``."""
    _check_alg(alg)
    return _truncated(_stateless_stream(seed), shape, mean, stddev, dtype, "random.stateless_truncated_normal")


def stateless_uniform(shape, seed, minval=0, maxval=None, dtype=float32, name=None, alg="auto_select"):
    """Uniform samples in [minval, maxval), a pure function of ``seed``.
    Integer dtypes need both bounds (or neither: the full integer range)."""
    _check_alg(alg)
    return _uniform(_stateless_stream(seed), shape, minval, maxval, dtype, "random.stateless_uniform")


def stateless_categorical(logits, num_samples, seed, dtype=int64, name=None):
    """As ``categorical``, a pure function of ``seed``."""
    lg = _logits(logits)
    u = _stateless_stream(seed).unit(lg.shape[0] * int(num_samples), np.float64)
    return _sample_classes(lg, u.reshape(lg.shape[0], int(num_samples)), dtype)


def _int_dtype_of(value):
    """The dtype TensorFlow gives ``value`` as a tensor (Python ints:
    int32, or int64 when one does not fit), which must be an integer one."""
    if _core.is_tensor(value) or _core.is_variable(value):
        dt = value.dtype
    else:
        a = np.asarray(value)
        if a.dtype.kind not in "iu":
            raise ValueError("seed and data must be integer tensors, got dtype %s" % a.dtype)
        if isinstance(value, np.ndarray) or isinstance(value, np.generic):
            dt = as_dtype(int64 if a.dtype.itemsize == 8 else "int32")
        else:
            small = a.size == 0 or (a.min() >= -2 ** 31 and a.max() < 2 ** 31)
            dt = as_dtype("int32" if small else int64)
    if not dt.is_integer:
        raise ValueError("seed and data must be integer tensors, got dtype %s" % dt.name)
    return dt


def stateless_split(seed, num=2, alg="auto_select"):
    """``num`` new seed pairs (``[num, 2]``, the dtype of ``seed``) derived
    from ``seed``."""
    _check_alg(alg)
    dt = _int_dtype_of(seed)
    return _uniform(_Stream(*_split_key(seed)), [int(num), 2], None, None, dt, "random.stateless_split")


def _split_key(seed):
    a, b = _seed_pair(seed)
    return a ^ 0x5DEECE66D15A4F35, (b << 64) | 0xF00D


def stateless_fold_in(seed, data, alg="auto_select"):
    """A new seed pair ``[r, data]`` (the dtype of ``data``), ``r`` an
    integer drawn from ``seed``, as TensorFlow builds it."""
    _check_alg(alg)
    dt = _int_dtype_of(data)
    first = _uniform(_Stream(*_split_key(seed)), [], None, None, dt, "random.stateless_fold_in")
    d = np.asarray(data._peek() if _core.is_variable(data) else data)
    if d.shape != ():
        raise InvalidArgumentError(None, None, "data must be a scalar, got shape %s" % list(d.shape))
    return _array_to_tensor(np.array([np.asarray(first), d], dtype=dt.as_numpy_dtype))


def stateless_shuffle(value, seed, alg="auto_select"):
    """``value`` with its first dimension permuted, a pure function of
    ``seed``."""
    _check_alg(alg)
    a = np.asarray(value._peek() if _core.is_variable(value) else value)
    if a.ndim == 0:
        raise ValueError("stateless_shuffle: value must have rank >= 1")
    order = np.argsort(_stateless_stream(seed).u64(a.shape[0]), kind="stable")
    return _array_to_tensor(np.ascontiguousarray(a[order]))


fold_in = stateless_fold_in
split = stateless_split


def _words_of(value, count):
    """An integer (any size) as ``count`` 64-bit words, least significant
    first (how a seed fills a generator state)."""
    v = int(value)
    if v < 0:
        v &= (1 << (64 * count)) - 1
    return [(v >> (64 * i)) & _U64 for i in range(count)]


def create_rng_state(seed, alg):
    """The int64 ``[3]`` Philox state (counter low, counter high, key) a
    Generator made ``from_seed(seed)`` starts from."""
    _check_alg(alg)
    return np.array(_words_of(seed, 3), dtype=np.uint64).view(np.int64)


# ---------------------------------------------------------------- Generator
class Generator:
    """A stateful Philox generator (``tf.random.Generator``): each call
    draws from the next counters, so calls continue one stream. Its state
    is a non-trainable int64 ``[3]`` Variable (``state``: counter low/high
    words, key), as TensorFlow's; assigning to it, ``reset`` or
    ``from_state`` set where the stream continues."""

    def __init__(self, copy_from=None, state=None, alg=None):
        if copy_from is not None:
            if state is not None or alg is not None:
                raise ValueError("When `copy_from` is not None, neither `state` nor `alg` may be given.")
            self._make_state(copy_from._state_var._peek().numpy())
        else:
            _check_alg(alg)
            if state is None:
                raise ValueError("Generator needs `copy_from` or `state`; use Generator.from_seed or "
                                 "from_non_deterministic_state")
            self._set_state(state)

    def _set_state(self, state):
        s = np.asarray(state._peek() if _core.is_variable(state) else state).astype(np.int64).reshape(-1)
        if s.shape != (3,):
            raise ValueError("The Philox state must have shape [3], got %s" % (list(s.shape),))
        if getattr(self, "_state_var", None) is None:
            self._make_state(s)
        else:
            self._state_var.assign(s)

    def _make_state(self, state):
        self._state_var = Variable(np.asarray(state, np.int64).reshape(3), trainable=False, name="StateVar")

    def _read(self):
        """The state as a Philox stream (advanced by draws; ``_write`` stores it back)."""
        w = [int(v) & _U64 for v in self._state_var._peek().numpy().view(np.uint64)]
        return _Stream(w[2], w[0] | (w[1] << 64))

    def _write(self, stream):
        c = stream.counter
        self._state_var.assign(np.array([c & _U64, c >> 64, stream.key], dtype=np.uint64).view(np.int64))

    def _draw(self, fn, *args):
        stream = self._read()
        out = fn(stream, *args)
        self._write(stream)
        return out

    @classmethod
    def from_seed(cls, seed, alg=None):
        """A generator whose state is made from the integer ``seed``."""
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None):
        """A generator seeded from the operating system's entropy."""
        return cls(state=np.frombuffer(os.urandom(24), dtype=np.int64), alg=alg)

    @classmethod
    def from_state(cls, state, alg):
        """A generator from a saved ``state`` (int64 ``[3]``)."""
        return cls(state=state, alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg):
        """A generator from a key (one int) and a counter (two ints)."""
        c = np.asarray(counter).reshape(-1)
        k = np.asarray(key).reshape(-1)
        return cls(state=np.array([c[0], c[1], k[0]], dtype=np.int64), alg=alg)

    @property
    def state(self):
        """The state Variable, int64 ``[3]``: counter low, counter high, key."""
        return self._state_var

    @property
    def key(self):
        return _array_to_tensor(np.array(self._read().key, dtype=np.uint64).view(np.int64))

    @property
    def algorithm(self):
        return Algorithm.PHILOX.value

    def reset(self, state):
        """Sets the state (int64 ``[3]``)."""
        self._set_state(state)

    def reset_from_seed(self, seed):
        """Sets the state as ``from_seed(seed)`` makes it."""
        self._set_state(create_rng_state(seed, None))

    def reset_from_key_counter(self, key, counter):
        c = np.asarray(counter).reshape(-1)
        self._set_state(np.array([c[0], c[1], np.asarray(key).reshape(-1)[0]], dtype=np.int64))

    def skip(self, delta):
        """Advances the counter by ``delta`` blocks of four 32-bit words."""
        stream = self._read()
        stream.counter = (stream.counter + int(delta)) & ((1 << 128) - 1)
        self._write(stream)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, name=None):
        """Normal samples."""
        return self._draw(_normal, shape, mean, stddev, dtype, "Generator.normal")

    def truncated_normal(self, shape, mean=0.0, stddev=1.0, dtype=float32, name=None):
        """Normal samples within two standard deviations."""
        return self._draw(_truncated, shape, mean, stddev, dtype, "Generator.truncated_normal")

    def uniform(self, shape, minval=0, maxval=None, dtype=float32, name=None):
        """Uniform samples in [minval, maxval). Integer dtypes need
        ``maxval`` (both bounds None: the full integer range)."""
        if as_dtype(dtype).is_integer and (minval is None) != (maxval is None):
            raise ValueError("For integer dtype %s, minval and maxval must be both `None` or both non-`None`; got "
                             "minval=%s and maxval=%s" % (as_dtype(dtype), minval, maxval))
        return self._draw(_uniform, shape, minval, maxval, dtype, "Generator.uniform")

    def uniform_full_int(self, shape, dtype=int64, name=None):
        """Integers over the dtype's full range."""
        return self._draw(_uniform, shape, None, None, dtype, "Generator.uniform_full_int")

    def make_seeds(self, count=1):
        """``count`` seed pairs for the stateless functions, int64 ``[2,
        count]``."""
        words = self._draw(lambda stream: stream.u64(2 * int(count)))
        return _array_to_tensor(words.view(np.int64).reshape(2, int(count)))

    def split(self, count=1):
        """``count`` new generators with states drawn from this one (which
        advances); their streams are independent of it and of each other."""
        out = []
        for _ in range(int(count)):
            w = self._draw(lambda stream: stream.u64(3))
            out.append(Generator(state=w.view(np.int64)))
        return out


_global_generator = None


def get_global_generator():
    """The global Generator (made from the operating system's entropy on
    first use unless ``set_global_generator`` set one)."""
    global _global_generator
    if _global_generator is None:
        _global_generator = Generator.from_non_deterministic_state()
    return _global_generator


def set_global_generator(generator):
    """Replaces the global Generator."""
    global _global_generator
    _global_generator = generator


class _Experimental:
    """``random.experimental``: TensorFlow's experimental names."""

    Algorithm = Algorithm
    Generator = Generator
    create_rng_state = staticmethod(create_rng_state)
    get_global_generator = staticmethod(get_global_generator)
    set_global_generator = staticmethod(set_global_generator)
    stateless_fold_in = staticmethod(stateless_fold_in)
    stateless_shuffle = staticmethod(stateless_shuffle)
    stateless_split = staticmethod(stateless_split)


experimental = _Experimental()
