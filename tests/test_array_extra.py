"""split, reverse, roll, repeat, meshgrid, sequence_mask, tensordot, slice,
strided_slice, band_part, diag, matrix_transpose, space_to_depth,
depth_to_space, unique, searchsorted, histogram_fixed_width, sort, argsort
and bincount: values against numpy, gradients (first and second order)
against central differences in float64, and TensorFlow's error classes."""
import numpy as np
import pytest

import fasttape as tf
from fasttape import _array_extra as ax
from fasttape.errors import InvalidArgumentError
from ft_testutil import assert_close, assert_equal, central_diff_grad, seeded_rng


def _x(*shape, name="x"):
    return seeded_rng(name + str(shape)).standard_normal(shape)


def _check_grad(f, *xs, rtol=1e-6, atol=1e-8):
    """tape gradient of sum(f(xs) * w) against central differences."""
    out0 = f(*[tf.constant(x) for x in xs])
    w = tf.constant(seeded_rng("w").standard_normal(tuple(out0.shape)))

    def loss(*ts):
        return tf.reduce_sum(f(*ts) * w)

    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as t:
        for v in ts:
            t.watch(v)
        y = loss(*ts)
    got = t.gradient(y, ts)
    want = central_diff_grad(lambda a: float(loss(*[tf.constant(v) for v in a])), list(xs), 1e-6)
    for g, e in zip(got, want):
        assert_close(g, e, rtol=rtol, atol=atol)


def _check_second(f, x, atol=1e-6):
    """d/dx of (dL/dx . v) with L = sum(f(x)**3 * w), against central
    differences of the first gradient."""
    w = tf.constant(seeded_rng("w2").standard_normal(tuple(f(tf.constant(x)).shape)))
    v = tf.constant(seeded_rng("v2").standard_normal(x.shape))

    def gdot(xt):
        with tf.GradientTape() as inner:
            inner.watch(xt)
            y = tf.reduce_sum(f(xt) ** 3 * w)
        return tf.reduce_sum(inner.gradient(y, xt) * v)

    xt = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(xt)
        z = gdot(xt)
    got = outer.gradient(z, xt)
    want = central_diff_grad(lambda a: float(gdot(tf.constant(a[0]))), [x], 1e-5)[0]
    assert_close(got, want, rtol=1e-5, atol=atol)


# ---------------------------------------------------------------- split
def test_split_count_and_sizes():
    x = _x(4, 6)
    for n in (1, 2, 3, 6):
        parts = tf.split(tf.constant(x), n, axis=-1)
        assert len(parts) == n
        for p, e in zip(parts, np.split(x, n, axis=1)):
            assert_equal(p, e)
    parts = tf.split(tf.constant(x), [1, -1, 0, 2], axis=1)
    for p, e in zip(parts, [x[:, :1], x[:, 1:4], x[:, 4:4], x[:, 4:]]):
        assert_equal(p, e)
    parts = tf.split(tf.constant(x), tf.constant([0, 4, 0]))
    assert [tuple(p.shape) for p in parts] == [(0, 6), (4, 6), (0, 6)]
    assert_equal(parts[1], x)
    # num is ignored with a count, as in TensorFlow
    assert len(tf.split(tf.constant(x), 2, num=5)) == 2


def test_split_gradient():
    x = _x(5, 4)
    _check_grad(lambda t: tf.concat([p * (i + 1.0) for i, p in enumerate(tf.split(t, [2, -1, 1]))], 0), x)
    _check_second(lambda t: tf.split(t, 2, axis=1)[1], x)


def test_split_errors():
    x = tf.constant(_x(5, 2))
    with pytest.raises(InvalidArgumentError, match="evenly divide"):
        tf.split(x, 2)
    with pytest.raises(InvalidArgumentError, match="at least minimum 1"):
        tf.split(x, 0)
    with pytest.raises(InvalidArgumentError, match="only be one -1"):
        tf.split(x, [1, -1, -1])
    with pytest.raises(InvalidArgumentError, match="Got: 3"):
        tf.split(x, [1, 2])
    with pytest.raises(InvalidArgumentError, match="Got: 6"):
        tf.split(x, [6, -1])
    with pytest.raises(InvalidArgumentError, match="split_dim"):
        tf.split(x, 2, axis=2)
    with pytest.raises(InvalidArgumentError):
        tf.split(x, [2, 3], num=3)
    with pytest.raises(ValueError, match="Rank-0"):
        tf.split(x, tf.constant(5))


# ---------------------------------------------------------------- reverse / roll
def test_reverse_values():
    x = _x(2, 3, 4)
    assert_equal(tf.reverse(tf.constant(x), [0, -1]), x[::-1, :, ::-1])
    assert_equal(tf.reverse(tf.constant(x), tf.constant([1])), x[:, ::-1])
    assert_equal(tf.reverse(tf.constant(x), []), x)
    assert_equal(tf.reverse(tf.zeros([0, 3]), [0, 1]), np.zeros((0, 3), np.float32))


def test_reverse_gradient_and_errors():
    _check_grad(lambda t: tf.reverse(t, [1, 0]), _x(3, 4))
    _check_second(lambda t: tf.reverse(t, [-1]), _x(2, 3))
    x = tf.constant(_x(2, 3))
    with pytest.raises(InvalidArgumentError, match="out of valid range"):
        tf.reverse(x, [2])
    with pytest.raises(InvalidArgumentError, match="more than once"):
        tf.reverse(x, [0, -2])
    with pytest.raises(InvalidArgumentError, match="1-dimension"):
        tf.reverse(x, 0)


def test_roll_values():
    x = _x(2, 3, 4)
    assert_equal(tf.roll(tf.constant(x), 5, 2), np.roll(x, 5, 2))
    assert_equal(tf.roll(tf.constant(x), -7, -1), np.roll(x, -7, -1))
    assert_equal(tf.roll(tf.constant(x), [1, -7, 2], [0, 2, -1]), np.roll(x, [1, -7, 2], [0, 2, 2]))
    assert_equal(tf.roll(tf.constant(x), [3, 3], [1, 1]), np.roll(x, 6, 1))
    assert_equal(tf.roll(tf.constant(x), 4, 2), x)
    assert_equal(tf.roll(tf.zeros([0, 2]), 3, 0), np.zeros((0, 2), np.float32))


def test_roll_gradient_and_errors():
    _check_grad(lambda t: tf.roll(t, [2, -1], [0, 1]), _x(3, 4))
    _check_second(lambda t: tf.roll(t, 1, 0), _x(3, 2))
    x = tf.constant(_x(2, 3))
    with pytest.raises(InvalidArgumentError, match="same size"):
        tf.roll(x, [1, 2], [0])
    with pytest.raises(InvalidArgumentError, match="out of range"):
        tf.roll(x, 1, 2)
    with pytest.raises(InvalidArgumentError, match="scalar or a 1-D"):
        tf.roll(x, [[1]], [[0]])


# ---------------------------------------------------------------- repeat
def test_repeat_values():
    x = _x(2, 3)
    assert_equal(tf.repeat(tf.constant(x), 2), np.repeat(x, 2))
    assert_equal(tf.repeat(tf.constant(x), [1, 0, 3], axis=1), np.repeat(x, [1, 0, 3], axis=1))
    assert_equal(tf.repeat(tf.constant(x), [2], axis=-2), np.repeat(x, 2, axis=0))
    assert_equal(tf.repeat(tf.constant([[1, 2], [3, 4]]), [0, 2], axis=0), np.array([[3, 4], [3, 4]], np.int32))
    assert_equal(tf.repeat(3.0, 2), np.array([3.0, 3.0], np.float32))


def test_repeat_gradient_and_errors():
    _check_grad(lambda t: tf.repeat(t, [2, 0, 3], axis=0), _x(3, 2))
    _check_second(lambda t: tf.repeat(t, 2), _x(2, 2))
    x = tf.constant(_x(5, 2))
    with pytest.raises(ValueError, match="not compatible"):
        tf.repeat(x, [1, 2], axis=0)
    with pytest.raises(ValueError, match="rank at most 1"):
        tf.repeat(x, [[1]], axis=0)
    with pytest.raises(ValueError, match="out of bounds"):
        tf.repeat(x, 2, axis=2)
    with pytest.raises(InvalidArgumentError):
        tf.repeat(x, -1, axis=0)


# ---------------------------------------------------------------- meshgrid / sequence_mask
def test_meshgrid_values():
    a, b, c = np.arange(2.0), np.arange(3.0) + 10, np.arange(4.0) + 20
    for indexing in ("xy", "ij"):
        got = tf.meshgrid(tf.constant(a), tf.constant(b), tf.constant(c), indexing=indexing)
        for g, e in zip(got, np.meshgrid(a, b, c, indexing=indexing)):
            assert_equal(g, e)
    got = tf.meshgrid(tf.constant([[1, 2]]), tf.constant([3, 4, 5]))
    for g, e in zip(got, np.meshgrid([1, 2], [3, 4, 5])):
        assert_equal(g, e.astype(np.int32))
    assert tf.meshgrid() == []
    assert_equal(tf.meshgrid(tf.constant([1.0, 2.0]))[0], np.array([1.0, 2.0], np.float32))


def test_meshgrid_gradient_and_errors():
    _check_grad(lambda a, b: tf.meshgrid(a, b)[0] * tf.meshgrid(a, b)[1], _x(3), _x(2, name="y"))
    with pytest.raises(ValueError, match="'xy' or 'ij'"):
        tf.meshgrid([1, 2], [3], indexing="foo")
    with pytest.raises(TypeError, match="invalid keyword"):
        tf.meshgrid([1, 2], [3], foo=1)


def test_sequence_mask():
    lengths = np.array([1, 3, 0])
    assert_equal(tf.sequence_mask(lengths), np.arange(3) < lengths[:, None])
    assert_equal(tf.sequence_mask([[1, 3], [2, 0]], 4, dtype=tf.float32),
                 (np.arange(4) < np.array([[1, 3], [2, 0]])[..., None]).astype(np.float32))
    assert_equal(tf.sequence_mask(tf.constant([2, 5]), tf.constant(3), dtype=tf.int32),
                 np.array([[1, 1, 0], [1, 1, 1]], np.int32))
    assert_equal(tf.sequence_mask([-1, 3], 2), np.array([[False, False], [True, True]]))
    assert_equal(tf.sequence_mask(2, 3), np.array([True, True, False]))
    assert tf.sequence_mask([]).shape == (0, 0)
    with pytest.raises(ValueError, match="must be scalar"):
        tf.sequence_mask([1, 2], [3])


# ---------------------------------------------------------------- tensordot
def test_tensordot_values():
    a, b = _x(2, 3, 4), _x(4, 3, 5, name="b")
    assert_close(tf.tensordot(tf.constant(a), tf.constant(b), [[1, 2], [1, 0]]),
                 np.tensordot(a, b, [[1, 2], [1, 0]]), rtol=1e-12)
    assert_close(tf.tensordot(tf.constant(a), tf.constant(b), 0), np.tensordot(a, b, 0), rtol=1e-12)
    assert_close(tf.tensordot(tf.constant(a), tf.constant(b[:, 0, 0]), [[-1], [0]]),
                 np.tensordot(a, b[:, 0, 0], [[2], [0]]), rtol=1e-12)
    assert_close(tf.linalg.tensordot(tf.constant(a), tf.constant(b), [2, 0]), np.tensordot(a, b, [[2], [0]]),
                 rtol=1e-12)
    assert_close(tf.tensordot(tf.constant(a), tf.constant(a), 3), np.tensordot(a, a, 3), rtol=1e-12)


def test_tensordot_gradient_and_errors():
    _check_grad(lambda a, b: tf.tensordot(a, b, [[0, 2], [2, 0]]), _x(2, 3, 4), _x(4, 5, 2, name="b"))
    _check_second(lambda a: tf.tensordot(a, a, 1), _x(3, 3))
    x = tf.constant(_x(5, 2))
    with pytest.raises(ValueError, match="must not be larger"):
        tf.tensordot(x, x, 3)
    with pytest.raises(ValueError, match="1 != 2"):
        tf.tensordot(x, x, [[0], [0, 1]])
    with pytest.raises(InvalidArgumentError):
        tf.tensordot(x, x, [[0], [1]])
    with pytest.raises(InvalidArgumentError, match="float32"):
        tf.tensordot(x, tf.cast(x, tf.float32), 1)
    with pytest.raises(ValueError, match="at least 0"):
        tf.tensordot(x, x, -1)
    with pytest.raises(ValueError, match="length 2"):
        tf.tensordot(x, x, [[0, 1]])


# ---------------------------------------------------------------- slice / strided_slice
def test_slice_values_gradient_errors():
    x = _x(2, 3, 4)
    assert_equal(tf.slice(tf.constant(x), [1, 0, 2], [1, -1, 2]), x[1:2, :, 2:4])
    assert_equal(tf.slice(tf.constant(x), [0, 3, 0], [-1, 0, -1]), x[:, 3:3])
    _check_grad(lambda t: tf.slice(t, [1, 1], [2, -1]), _x(3, 4))
    t = tf.constant(_x(5, 2))
    with pytest.raises(InvalidArgumentError, match=r"size\[0\] in \[0, 4\], but got 5"):
        tf.slice(t, [1, 0], [5, 1])
    with pytest.raises(InvalidArgumentError, match="1-D tensors of size 2"):
        tf.slice(t, [1], [5])
    with pytest.raises(InvalidArgumentError, match=r"begin\[0\] in \[0, 5\], but got -1"):
        tf.slice(t, [-1, 0], [1, 1])


def test_strided_slice_values():
    x = _x(2, 3, 4)
    t = tf.constant(x)
    assert_equal(tf.strided_slice(t, [0, 2, 3], [2, -4, 0], [1, -1, -2]), x[0:2, 2:-4:-1, 3:0:-2])
    assert_equal(tf.strided_slice(t, [1, 0], [2, 0], [1, 1], end_mask=2, shrink_axis_mask=1), x[1, 0:])
    assert_equal(tf.strided_slice(t, [0, 1], [0, 3], [1, 2], ellipsis_mask=1), x[..., 1:3:2])
    assert_equal(tf.strided_slice(t, [0, 0, 1], [0, 0, 3], [1, 1, 1], new_axis_mask=2, begin_mask=1, end_mask=1),
                 x[:, None, 1:3])
    assert_equal(tf.strided_slice(t, [-1], [-3], [-1]), x[-1:-3:-1])
    assert_equal(tf.strided_slice(t, [0, 0, 0], [1, 1, 1], shrink_axis_mask=7), x[0, 0, 0])
    assert_equal(tf.strided_slice(t, [5, -9], [9, 9]), x[5:9, -9:9])


def test_strided_slice_gradient_and_errors():
    _check_grad(lambda t: tf.strided_slice(t, [3, 0], [0, 4], [-2, 3], shrink_axis_mask=0), _x(4, 5))
    _check_second(lambda t: tf.strided_slice(t, [1], [0], [1], end_mask=1, new_axis_mask=2), _x(3, 2))
    t = tf.constant(_x(5, 2))
    with pytest.raises(InvalidArgumentError, match="non-zero"):
        tf.strided_slice(t, [0, 0], [2, 2], [0, 1])
    with pytest.raises(InvalidArgumentError, match="out of bounds"):
        tf.strided_slice(t, [7], [8], shrink_axis_mask=1)
    with pytest.raises(InvalidArgumentError, match="equal size"):
        tf.strided_slice(t, [0], [8, 2])
    with pytest.raises(InvalidArgumentError, match="Multiple ellipses"):
        tf.strided_slice(t, [0, 1], [8, 2], ellipsis_mask=3)
    with pytest.raises(InvalidArgumentError, match="Index out of range"):
        tf.strided_slice(t, [0, 0, 0], [1, 1, 1])


# ---------------------------------------------------------------- band_part / diag / transpose
def test_band_part():
    m = _x(4, 5)
    i, j = np.arange(4)[:, None], np.arange(5)[None, :]
    for lo, up in ((1, 2), (-1, 0), (0, -1), (0, 0), (-1, -1), (4, 5)):
        keep = ((lo < 0) | (i - j <= lo)) & ((up < 0) | (j - i <= up))
        assert_equal(tf.linalg.band_part(tf.constant(m), lo, up), np.where(keep, m, 0.0))
    b = np.stack([m, -m])
    assert_equal(tf.linalg.band_part(tf.constant(b), 0, -1), np.triu(b))
    assert_equal(tf.linalg.band_part(tf.constant([[1, 2], [3, 4]]), 0, 1), np.array([[1, 2], [0, 4]], np.int32))
    _check_grad(lambda t: tf.linalg.band_part(t, 1, 0), _x(2, 3, 3))
    with pytest.raises(InvalidArgumentError, match="num_lower"):
        tf.linalg.band_part(tf.constant(m), 9, -2)
    with pytest.raises(InvalidArgumentError, match="at least 2-dim"):
        tf.linalg.band_part(tf.constant([1.0, 2.0]), 1, 0)


def test_diag():
    d = _x(2, 3)
    want = np.zeros((2, 3, 3))
    want[:, range(3), range(3)] = d
    assert_equal(tf.linalg.diag(tf.constant(d)), want)
    assert_equal(tf.linalg.diag([1.0, 2.0], k=-2), np.diag(np.float32([1, 2]), k=-2))
    assert_equal(tf.linalg.diag([1.0, 2.0], k=1), np.diag(np.float32([1, 2]), k=1))
    got = tf.linalg.diag([1.0, 2.0], k=1, num_cols=4, padding_value=-1)
    assert_equal(got, np.array([[-1, 1, -1, -1], [-1, -1, 2, -1]], np.float32))
    assert_equal(tf.linalg.diag([1, 2], num_rows=2, num_cols=5), np.eye(2, 5, dtype=np.int32) * [[1], [2]])
    assert tf.linalg.diag(tf.zeros([2, 0])).shape == (2, 0, 0)
    _check_grad(lambda t: tf.linalg.diag(t, k=1, padding_value=3.0), _x(2, 3))
    _check_second(lambda t: tf.linalg.diag(t), _x(3))
    with pytest.raises(InvalidArgumentError, match="rows is too small"):
        tf.linalg.diag([1.0, 2.0], num_rows=1)
    with pytest.raises(InvalidArgumentError, match="at least 1-dim"):
        tf.linalg.diag(1.0)


def test_matrix_transpose_and_adjoint():
    x = _x(2, 3, 4)
    assert_equal(tf.linalg.matrix_transpose(tf.constant(x)), np.swapaxes(x, -1, -2))
    assert_equal(tf.linalg.adjoint(tf.constant(x[0])), x[0].T)
    _check_grad(lambda t: tf.linalg.matrix_transpose(t), _x(2, 3))
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.linalg.matrix_transpose(tf.constant([1.0, 2.0]))


# ---------------------------------------------------------------- space_to_depth / depth_to_space
def _np_space_to_depth(x, b):
    n, h, w, c = x.shape
    return x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5).reshape(n, h // b, w // b, b * b * c)


def test_space_to_depth_and_back():
    x = _x(2, 4, 6, 3)
    got = ax.space_to_depth(tf.constant(x), 2)
    assert_equal(got, _np_space_to_depth(x, 2))
    assert_equal(ax.depth_to_space(got, 2), x)
    # NCHW: the same arrangement with channels first
    xc = np.transpose(x, (0, 3, 1, 2))
    got_c = ax.space_to_depth(tf.constant(xc), 2, data_format="NCHW")
    assert_equal(got_c, np.transpose(_np_space_to_depth(x, 2), (0, 3, 1, 2)))
    assert_equal(ax.depth_to_space(got_c, 2, data_format="NCHW"), xc)
    # channel order of depth_to_space: (block row, block column, channel)
    y = np.arange(9.0).reshape(1, 1, 1, 9)
    assert_equal(ax.depth_to_space(tf.constant(y), 3), y.reshape(1, 3, 3, 1))
    _check_grad(lambda t: ax.space_to_depth(t, 2), _x(1, 2, 4, 2))
    _check_grad(lambda t: ax.depth_to_space(t, 2, data_format="NCHW"), _x(1, 8, 1, 2))


def test_space_to_depth_errors():
    with pytest.raises(InvalidArgumentError, match="divisible by block_size: 2"):
        ax.space_to_depth(tf.zeros([1, 4, 5, 1]), 2)
    with pytest.raises(InvalidArgumentError, match="at least minimum 2"):
        ax.space_to_depth(tf.zeros([1, 4, 4, 1]), 1)
    with pytest.raises(InvalidArgumentError, match="rank should be 4"):
        ax.space_to_depth(tf.zeros([4, 4, 1]), 2)
    with pytest.raises(InvalidArgumentError, match="divisible by: 4"):
        ax.depth_to_space(tf.zeros([1, 4, 4, 3]), 2)
    with pytest.raises(InvalidArgumentError, match="data_format"):
        ax.space_to_depth(tf.zeros([1, 4, 4, 1]), 2, data_format="XX")


# ---------------------------------------------------------------- unique / searchsorted / histogram
def test_unique():
    y, idx = tf.unique(tf.constant([3, 1, 3, 2, 1, 7]))
    assert_equal(y, np.array([3, 1, 2, 7], np.int32))
    assert_equal(idx, np.array([0, 1, 0, 2, 1, 3], np.int32))
    res = tf.unique(tf.constant([2.0, -0.0, 0.0, np.nan, 2.0, np.nan]), out_idx=tf.int64)
    assert_equal(res.y, np.array([2.0, -0.0, np.nan, np.nan], np.float32))
    assert np.signbit(res.y.numpy()[1])
    assert_equal(res.idx, np.array([0, 1, 1, 2, 0, 3], np.int64))
    y, idx = tf.unique(tf.zeros([0]))
    assert y.shape == (0,) and idx.shape == (0,) and idx.dtype == tf.int32
    with pytest.raises(InvalidArgumentError, match="1D vector"):
        tf.unique([[1, 2]])
    with pytest.raises(InvalidArgumentError, match="out_idx"):
        tf.unique([3.0, 1.0], out_idx=tf.float32)


def test_searchsorted():
    s = np.array([1.0, 2.0, 2.0, 3.0])
    v = np.array([0.0, 2.0, 2.5, 9.0])
    assert_equal(tf.searchsorted(tf.constant(s), tf.constant(v)), np.searchsorted(s, v).astype(np.int32))
    s2 = np.array([[1, 2, 2, 3], [0, 5, 6, 7]])
    v2 = np.array([[2, 0], [6, 9]])
    got = tf.searchsorted(tf.constant(s2), tf.constant(v2), side="right", out_type=tf.int64)
    assert_equal(got, np.stack([np.searchsorted(s2[i], v2[i], side="right") for i in range(2)]).astype(np.int64))
    # rows are matched after flattening the leading dims
    assert_equal(tf.searchsorted([[1, 2, 3]], [2, 3]), np.array([1, 2], np.int32))
    with pytest.raises(ValueError, match="'right' or 'left'"):
        tf.searchsorted([1, 2, 3], [2], side="mid")
    with pytest.raises(InvalidArgumentError, match="Leading dim_size"):
        tf.searchsorted([[1, 2, 3], [1, 2, 3]], [2, 3])
    with pytest.raises(InvalidArgumentError):
        tf.searchsorted([1.0, 2.0], [2, 3])
    with pytest.raises(InvalidArgumentError):
        tf.searchsorted([1, 2, 3], 2)


def test_histogram_fixed_width():
    vals = np.array([-1.0, 0.0, 0.1, 0.2, 0.3, 0.7, 0.99999, 1.0, 1.5, 0.6, 0.4])
    got = tf.histogram_fixed_width(tf.constant(vals), [0.0, 1.0], nbins=5)
    want = np.bincount(np.clip(np.floor(vals / 0.2), 0, 4).astype(int), minlength=5).astype(np.int32)
    assert_equal(got, want)
    ints = tf.histogram_fixed_width(tf.constant([0, 1, 7, 8, 3, 100, -5]), [0, 8], nbins=3, dtype=tf.int64)
    assert_equal(ints, np.array([3, 1, 3], np.int64))
    r = seeded_rng("hist").uniform(-3, 3, (20, 5))
    got = tf.histogram_fixed_width(tf.constant(r), [-2.0, 2.0], nbins=7)
    want = np.bincount(np.clip(np.floor((r.ravel() + 2) / (4 / 7)), 0, 6).astype(int), minlength=7)
    assert_equal(got, want.astype(np.int32))
    # float32 values: the bin boundaries are computed in float64
    v32 = np.arange(0, 1, 0.01, dtype=np.float32)
    lo, hi = np.float32(0.1), np.float32(0.7)
    want = np.bincount(np.clip(np.floor((v32.astype(np.float64) - float(lo)) / ((float(hi) - float(lo)) / 30)),
                               0, 29).astype(int), minlength=30)
    assert_equal(tf.histogram_fixed_width(tf.constant(v32), tf.constant([lo, hi]), nbins=30), want.astype(np.int32))


def test_histogram_fixed_width_errors():
    with pytest.raises(InvalidArgumentError, match="positive number"):
        tf.histogram_fixed_width([0.0, 1.0], [0.0, 1.0], nbins=0)
    with pytest.raises(InvalidArgumentError, match="value_range"):
        tf.histogram_fixed_width([0.0, 1.0], [1.0, 1.0], nbins=2)
    with pytest.raises(InvalidArgumentError, match="vector of 2"):
        tf.histogram_fixed_width([0.0, 1.0], [1.0, 1.0, 3.0], nbins=2)
    with pytest.raises(InvalidArgumentError, match="dtype"):
        tf.histogram_fixed_width([0.0, 1.0], [0.0, 1.0], nbins=2, dtype=tf.float32)
    with pytest.raises(InvalidArgumentError, match="NaN"):
        tf.histogram_fixed_width([0.0, np.nan], [0.0, 1.0], nbins=2)


# ---------------------------------------------------------------- sort / argsort
def test_sort_and_argsort_values():
    s = np.array([[3.0, 1, 2, 1], [0, -1, 5, 5]])
    assert_equal(tf.sort(tf.constant(s)), np.sort(s))
    assert_equal(tf.sort(tf.constant(s), axis=0, direction="DESCENDING"), -np.sort(-s, axis=0))
    assert_equal(tf.sort(tf.constant([3, 1, 2]), direction="DESCENDING"), np.array([3, 2, 1], np.int32))
    assert_equal(tf.argsort(tf.constant(s)), np.argsort(s, kind="stable").astype(np.int32))
    # descending keeps equal elements in their original order
    assert_equal(tf.argsort(tf.constant(s), direction="DESCENDING"), np.array([[0, 2, 1, 3], [2, 3, 0, 1]], np.int32))
    assert_equal(tf.argsort(tf.constant([1, 1, 1, 0, 1]), direction="DESCENDING"), np.array([0, 1, 2, 4, 3], np.int32))
    x = _x(2, 3, 4)
    assert_equal(tf.sort(tf.constant(x), axis=1), np.sort(x, axis=1))
    assert_equal(tf.argsort(tf.constant(x), axis=-3, stable=True), np.argsort(x, axis=0, kind="stable"))
    assert tf.sort(tf.zeros([2, 0])).shape == (2, 0)


def test_sort_gradient_and_errors():
    _check_grad(lambda t: tf.sort(t, axis=0, direction="DESCENDING"), _x(4, 3))
    _check_second(lambda t: tf.sort(t), _x(2, 5))
    with pytest.raises(ValueError, match="ASCENDING, DESCENDING"):
        tf.sort([3, 1, 2], direction="UP")
    with pytest.raises(InvalidArgumentError):
        tf.sort(3.0)
    with pytest.raises(InvalidArgumentError):
        tf.argsort([[3.0, 1, 2]], axis=2)
    with pytest.raises(InvalidArgumentError):
        tf.argsort([True, False])


# ---------------------------------------------------------------- bincount
def test_bincount_values():
    arr = np.array([1, 1, 3, 0])
    assert_equal(ax.bincount(tf.constant(arr)), np.bincount(arr).astype(np.int32))
    assert_equal(ax.bincount(tf.constant([1, 1, 5]), minlength=7, maxlength=3), np.array([0, 2, 0], np.int32))
    assert_equal(ax.bincount(tf.constant([1, 1, 3]), weights=tf.constant([0.5, 1.0, 2.0])),
                 np.array([0, 1.5, 0, 2], np.float32))
    assert_equal(ax.bincount(tf.constant([[1, 2], [2, 2]]), axis=-1, minlength=4),
                 np.array([[0, 1, 1, 0], [0, 0, 2, 0]], np.int32))
    assert_equal(ax.bincount(tf.constant([[1, 2], [2, 2]]), binary_output=True), np.array([0, 1, 1], np.int32))
    assert_equal(ax.bincount(tf.constant([1, 2]), dtype=tf.float32), np.array([0, 1, 1], np.float32))
    assert_equal(ax.bincount(tf.constant([1, 2]), weights=tf.constant([3, 4])), np.array([0, 3, 4], np.int32))
    assert_equal(ax.bincount(tf.constant([], tf.int32), minlength=2), np.array([0, 0], np.int32))
    assert_equal(ax.bincount(tf.constant([4, 2]), maxlength=0), np.zeros(0, np.int32))


def test_bincount_errors():
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        ax.bincount([1, -1, 3])
    with pytest.raises(ValueError, match="mutually exclusive"):
        ax.bincount([1, 2], weights=[1.0, 2.0], binary_output=True)
    with pytest.raises(InvalidArgumentError, match="same shape"):
        ax.bincount([1, 2], weights=[1.0, 2.0, 3.0])


def test_namespaces():
    top = ["split", "reverse", "roll", "repeat", "meshgrid", "sequence_mask", "tensordot", "slice",
           "strided_slice", "unique", "searchsorted", "histogram_fixed_width", "sort", "argsort"]
    for n in top:
        assert getattr(tf, n) is getattr(ax, n) and n in tf.__all__
    for n in ["band_part", "diag", "matrix_transpose", "adjoint", "tensordot"]:
        assert getattr(tf.linalg, n) is getattr(ax, n) and n in tf.linalg.__all__
