"""Property tests (Hypothesis): random shapes of rank 0 to 8 with zero-sized
dimensions and broadcasting pairs, dtypes, axes, slices and indices, checked
against numpy's values and against finite-difference gradients; and a
corpus of hostile shapes that must raise TensorFlow's errors.

CI runs the default profile (a bounded number of examples, derandomized so a
failure reproduces); ``python -m pytest -m fuzz --hypothesis-profile=fuzz``
runs many more (SECURITY.md). The profiles are registered in conftest.py.
"""
import warnings

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fasttape as tf  # noqa: E402

pytestmark = pytest.mark.fuzz

ERRORS = (tf.errors.InvalidArgumentError, ValueError, TypeError)
FLOATS = {"float32": (tf.float32, np.float32), "float64": (tf.float64, np.float64)}


# ------------------------------------------------------------ strategies
def shapes(min_rank=0, max_rank=8, max_side=3, max_elems=64):
    """Shapes of rank min_rank..max_rank, dims 0..max_side, few elements."""
    return st.lists(st.integers(0, max_side), min_size=min_rank, max_size=max_rank).map(tuple).filter(
        lambda s: int(np.prod(s)) <= max_elems)


@st.composite
def broadcast_pair(draw, max_rank=6):
    """Two shapes that broadcast: dims of the second set to 1 or dropped."""
    a = draw(shapes(0, max_rank, max_elems=48))
    b = [1 if draw(st.booleans()) else d for d in a]
    b = b[draw(st.integers(0, len(b))):]
    if draw(st.booleans()):
        return a, tuple(b)
    return tuple(b), a


def arrays(shape, dtype, lo=-2.0, hi=2.0, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, size=shape).astype(dtype)


# ------------------------------------------------------------ elementwise
BINARY = {
    "add": (tf.add, np.add), "subtract": (tf.subtract, np.subtract), "multiply": (tf.multiply, np.multiply),
    "maximum": (tf.maximum, np.maximum), "minimum": (tf.minimum, np.minimum),
}


@given(pair=broadcast_pair(), op=st.sampled_from(sorted(BINARY)), dt=st.sampled_from(sorted(FLOATS)),
       seed=st.integers(0, 2 ** 16))
def test_broadcasting_binary_values_match_numpy(pair, op, dt, seed):
    fdt, ndt = FLOATS[dt]
    a, b = arrays(pair[0], ndt, seed=seed), arrays(pair[1], ndt, seed=seed + 1)
    f, g = BINARY[op]
    got = f(tf.constant(a), tf.constant(b)).numpy()
    want = g(a, b)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6)


def _fd_grad(f, xs, i, eps=1e-6):
    """Central differences of sum(f(*xs)) with respect to xs[i] (float64)."""
    x = xs[i]
    g = np.zeros_like(x)
    for k in range(x.size):
        d = np.zeros_like(x)
        d.flat[k] = eps
        up = [v + d if j == i else v for j, v in enumerate(xs)]
        dn = [v - d if j == i else v for j, v in enumerate(xs)]
        g.flat[k] = (np.sum(f(*up)) - np.sum(f(*dn))) / (2 * eps)
    return g


@given(pair=broadcast_pair(max_rank=4), op=st.sampled_from(["add", "subtract", "multiply", "divide"]),
       seed=st.integers(0, 2 ** 16))
def test_broadcasting_binary_gradients_match_finite_differences(pair, op, seed):
    a, b = arrays(pair[0], np.float64, 0.5, 2.0, seed), arrays(pair[1], np.float64, 0.5, 2.0, seed + 1)
    f = {"add": np.add, "subtract": np.subtract, "multiply": np.multiply, "divide": np.divide}[op]
    x, y = tf.constant(a), tf.constant(b)
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        z = tf.reduce_sum(getattr(tf, op)(x, y))
    gx, gy = tape.gradient(z, [x, y])
    np.testing.assert_allclose(gx.numpy(), _fd_grad(f, [a, b], 0), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(gy.numpy(), _fd_grad(f, [a, b], 1), rtol=1e-5, atol=1e-7)


INT_OPS = {"add": (tf.add, np.add), "subtract": (tf.subtract, np.subtract), "multiply": (tf.multiply, np.multiply),
           "floordiv": (tf.math.floordiv, np.floor_divide), "floormod": (tf.math.floormod, np.mod)}


@given(op=st.sampled_from(sorted(INT_OPS)), dt=st.sampled_from(["int32", "int64"]),
       vals=st.lists(st.tuples(st.integers(-2 ** 63, 2 ** 63 - 1), st.integers(-2 ** 63, 2 ** 63 - 1)),
                     min_size=1, max_size=8))
def test_integer_ops_wrap_as_twos_complement(op, dt, vals):
    ndt = np.dtype(dt)
    info = np.iinfo(ndt)
    a = np.array([v[0] for v in vals], dtype=np.int64).astype(ndt)  # wrap into range (numpy's cast)
    b = np.array([v[1] for v in vals], dtype=np.int64).astype(ndt)
    if op in ("floordiv", "floormod"):
        b[b == 0] = 1  # division by zero is its own case
    f, g = INT_OPS[op]
    got = f(tf.constant(a), tf.constant(b)).numpy()
    with np.errstate(all="ignore"):
        want = g(a, b)
        if op == "floordiv":  # numpy's INT_MIN // -1 is INT_MIN too (wraps); make it explicit
            want = np.where((a == info.min) & (b == -1), info.min, want).astype(ndt)
        if op == "floormod":
            want = np.where(b == -1, 0, want).astype(ndt)
    np.testing.assert_array_equal(got, want)


# ------------------------------------------------------------ reductions
@st.composite
def shape_and_axes(draw):
    shape = draw(shapes(1, 8, max_elems=96))
    r = len(shape)
    axes = draw(st.lists(st.integers(-r, r - 1), max_size=r, unique_by=lambda a: a % r))
    return shape, axes


@given(sa=shape_and_axes(), op=st.sampled_from(["sum", "mean", "max", "min", "prod"]),
       keepdims=st.booleans(), seed=st.integers(0, 2 ** 16))
def test_reductions_match_numpy(sa, op, keepdims, seed):
    shape, axes = sa
    a = arrays(shape, np.float64, seed=seed)
    ax = tuple(axes) if axes else None
    if op in ("max", "min") and a.size == 0:
        return  # numpy raises; TensorFlow gives -inf / inf (checked in test_math_ops)
    got = getattr(tf, "reduce_" + op)(tf.constant(a), axis=list(axes) if axes else None, keepdims=keepdims).numpy()
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # mean of an empty slice: nan, as TensorFlow's
        want = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min, "prod": np.prod}[op](
            a, axis=ax, keepdims=keepdims)
    np.testing.assert_allclose(got, want, rtol=1e-12, equal_nan=True)


@given(sa=shape_and_axes(), seed=st.integers(0, 2 ** 16))
def test_reduce_sum_gradient_is_ones(sa, seed):
    shape, axes = sa
    x = tf.constant(arrays(shape, np.float64, seed=seed))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x, axis=list(axes) if axes else None)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.ones(shape))


# ------------------------------------------------------------ slices, transposes, gathers
@st.composite
def shape_and_slices(draw):
    shape = draw(shapes(1, 4, max_side=5, max_elems=120))
    big = st.integers(-2 ** 63, 2 ** 63 - 1)
    bound = st.one_of(st.none(), st.integers(-7, 7), big)
    step = st.one_of(st.none(), st.integers(-4, 4).filter(lambda s: s != 0), big.filter(lambda s: s != 0))
    key = tuple(slice(draw(bound), draw(bound), draw(step)) for _ in shape)
    return shape, key


@given(sk=shape_and_slices(), seed=st.integers(0, 2 ** 16))
def test_slices_match_numpy_and_their_gradient_scatters_ones(sk, seed):
    shape, key = sk
    a = arrays(shape, np.float64, seed=seed)
    x = tf.constant(a)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x[key]
        s = tf.reduce_sum(y)
    np.testing.assert_array_equal(y.numpy(), a[key])
    want = np.zeros(shape)
    want[key] = 1.0
    np.testing.assert_array_equal(tape.gradient(s, x).numpy(), want)


@given(shape=shapes(0, 8, max_elems=96), data=st.data())
def test_transposes_match_numpy(shape, data):
    perm = data.draw(st.permutations(range(len(shape))))
    a = arrays(shape, np.float32)
    np.testing.assert_array_equal(tf.transpose(tf.constant(a), perm).numpy(), np.transpose(a, perm))


@given(shape=shapes(1, 4, max_side=4, max_elems=64), data=st.data())
def test_gather_in_range_matches_numpy_and_out_of_range_raises(shape, data):
    axis = data.draw(st.integers(0, len(shape) - 1))
    n = shape[axis]
    a = arrays(shape, np.float64)
    if n:
        idx = data.draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=5))
        np.testing.assert_array_equal(tf.gather(tf.constant(a), idx, axis=axis).numpy(),
                                      np.take(a, np.array(idx, dtype=np.int64), axis=axis))
    bad = data.draw(st.one_of(st.integers(n, 2 ** 62), st.integers(-2 ** 62, -1)))
    with pytest.raises(ERRORS):
        tf.gather(tf.constant(a), [bad], axis=axis)


# ------------------------------------------------------------ hostile shapes
HOSTILE_SHAPES = [(-1,), (2, -3), (2 ** 62, 4), (2 ** 31, 2 ** 31), (2 ** 61,), (2 ** 62 + 1, 1), (2 ** 63 - 1,),
                  (1,) * 65, (3, 2 ** 40, 2 ** 40)]


@pytest.mark.parametrize("shape", HOSTILE_SHAPES, ids=str)
@pytest.mark.parametrize("make", ["zeros", "ones", "fill", "reshape", "broadcast_to", "tile", "random"])
def test_hostile_shapes_raise_tensorflow_errors(make, shape):
    if make == "reshape" and shape == (-1,):
        return  # a valid reshape: -1 is inferred
    with pytest.raises(ERRORS):
        if make == "zeros":
            tf.zeros(shape)
        elif make == "ones":
            tf.ones(shape)
        elif make == "fill":
            tf.fill(shape, 1.0)
        elif make == "reshape":
            tf.reshape(tf.ones(4), shape)
        elif make == "broadcast_to":
            tf.broadcast_to(tf.ones(1), shape)
        elif make == "tile":
            tf.tile(tf.ones((1,) * min(len(shape), 64)), shape)
        else:
            tf.random.normal(shape)


@given(shape=st.lists(st.one_of(st.integers(-2 ** 63, -1), st.integers(2 ** 59, 2 ** 63 - 1), st.integers(0, 3)),
                      min_size=1, max_size=6).filter(lambda s: any(d < 0 or d >= 2 ** 59 for d in s)))
def test_random_hostile_shapes_raise(shape):
    # The documented rule (Shape::checked_numel, as TensorFlow's TensorShape
    # but with a limit of 2^58 elements): no negative dimension, the product
    # taken left to right never overflows int64, and it ends within 2^58.
    running, fits = 1, min(shape) >= 0
    for d in shape:
        running *= d
        fits &= running < 2 ** 63
    fits &= running <= 2 ** 58
    if fits:  # a zero dimension early enough: a valid, empty tensor
        assert tf.zeros(shape).shape == tuple(shape)
    else:
        with pytest.raises(ERRORS):
            tf.zeros(shape)
    if any(d < -1 or d >= 2 ** 59 for d in shape) or shape.count(-1) > 1:  # else a valid -1 to infer
        with pytest.raises(ERRORS):
            tf.reshape(tf.ones(1), shape)
