"""Segment reductions, scatter ops, polyval, euclidean norm, count_nonzero,
reduce_all/any, cumprod and cumulative_logsumexp: values against numpy,
gradients against central differences in float64."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, central_diff_grad, seeded_rng

F64 = tf.float64


def _grad(fn, *arrays):
    vs = [tf.Variable(np.array(a, dtype=np.float64)) for a in arrays]
    with tf.GradientTape() as tape:
        y = fn(*vs)
    return [np.asarray(g) for g in tape.gradient(y, vs)]


def _check_grad(fn, *arrays, rtol=1e-6, atol=1e-8):
    """Gradient of the scalar ``fn`` against central differences."""
    got = _grad(fn, *arrays)
    want = central_diff_grad(lambda xs: float(np.asarray(fn(*[tf.constant(x) for x in xs]))), arrays, 1e-6)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def _weighted(fn, shape_of_out, seed):
    w = tf.constant(seeded_rng(seed).normal(size=shape_of_out))
    return lambda *a: tf.reduce_sum(fn(*a) * w)


def _np_segment(data, ids, n, ufunc, init):
    out = np.full((n,) + data.shape[ids.ndim:], init, dtype=data.dtype)
    flat = ids.reshape(-1)
    rows = data.reshape((flat.size,) + data.shape[ids.ndim:])
    keep = flat >= 0
    ufunc.at(out, flat[keep], rows[keep])
    return out


def _np_counts(ids, n, extra_dims):
    flat = ids.reshape(-1)
    return np.bincount(flat[flat >= 0], minlength=n).reshape((n,) + (1,) * extra_dims)


# ---------------------------------------------------------------- unsorted


DATA = np.array([[1., 2.], [3., 4.], [3., 5.], [0., 1.], [-2., 7.]])
IDS = np.array([0, 0, 3, -1, 3])  # segment 1 and 2 empty, one dropped row


def test_unsorted_sum_mean_sqrt_n_values():
    n = 5
    s = _np_segment(DATA, IDS, n, np.add, 0.0)
    c = _np_counts(IDS, n, 1)
    assert_close(tf.math.unsorted_segment_sum(DATA, IDS, n), s)
    assert_close(tf.math.unsorted_segment_mean(DATA, IDS, n), s / np.maximum(c, 1))
    assert_close(tf.math.unsorted_segment_sqrt_n(DATA, IDS, n), s / np.sqrt(np.maximum(c, 1)))
    out = tf.math.unsorted_segment_sum(tf.constant(DATA, tf.float32), IDS, n)
    assert out.dtype == tf.float32


def test_unsorted_max_min_prod_values_and_empty_segments():
    n = 5
    lo, hi = np.finfo(np.float64).min, np.finfo(np.float64).max
    mx = tf.math.unsorted_segment_max(DATA, IDS, n)
    assert_equal(mx, _np_segment(DATA, IDS, n, np.maximum, lo))
    assert_equal(np.asarray(mx)[1], [lo, lo])
    assert_equal(tf.math.unsorted_segment_min(DATA, IDS, n), _np_segment(DATA, IDS, n, np.minimum, hi))
    assert_equal(tf.math.unsorted_segment_prod(DATA, IDS, n), _np_segment(DATA, IDS, n, np.multiply, 1.0))
    f32 = tf.math.unsorted_segment_max(tf.constant([1., 2.]), [0, 0], 2)
    assert_equal(f32, np.array([2., np.finfo(np.float32).min], np.float32))
    i32 = tf.math.unsorted_segment_min(tf.constant([1, 2]), [1, 1], 2)
    assert i32.dtype == tf.int32
    assert_equal(i32, [np.iinfo(np.int32).max, 1])


def test_unsorted_prefix_shaped_ids():
    rng = seeded_rng("prefix")
    data = rng.normal(size=(2, 3, 4))
    ids = np.array([[0, 1, 1], [2, 0, -1]])
    assert_close(tf.math.unsorted_segment_sum(data, ids, 4), _np_segment(data, ids, 4, np.add, 0.0))
    assert_equal(tf.math.unsorted_segment_max(data, ids, 4), _np_segment(data, ids, 4, np.maximum,
                                                                         np.finfo(np.float64).min))
    _check_grad(_weighted(lambda x: tf.math.unsorted_segment_mean(x, ids, 4), (4, 4), "pm"), data)


def test_unsorted_int_mean_is_float64_and_sqrt_n_rejects_ints():
    out = tf.math.unsorted_segment_mean(tf.constant([1, 2, 4]), [0, 0, 1], 3)
    assert out.dtype == tf.float64
    assert_equal(out, [1.5, 4.0, 0.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.math.unsorted_segment_sqrt_n(tf.constant([1, 2, 4]), [0, 0, 1], 3)


def test_unsorted_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"segment_ids\[2\] = 5 is out of range \[0, 3\)"):
        tf.math.unsorted_segment_sum(DATA[:4], [0, 1, 5, 1], 3)
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not start with"):
        tf.math.unsorted_segment_sum(DATA, [0, 1], 3)


@pytest.mark.parametrize("name", ["unsorted_segment_sum", "unsorted_segment_mean", "unsorted_segment_sqrt_n",
                                  "unsorted_segment_prod", "unsorted_segment_max", "unsorted_segment_min"])
def test_unsorted_gradients(name):
    fn = getattr(tf.math, name)
    data = seeded_rng(name).normal(size=(6, 3))
    ids = np.array([2, 0, -1, 1, 2, 0])  # every segment non-empty (an empty max is the dtype's lowest)
    _check_grad(_weighted(lambda x: fn(x, ids, 3), (3, 3), name + "w"), data)


def test_max_min_ties_share_gradient():
    x = np.array([[1., 3.], [3., 3.], [2., 3.]])
    g = _grad(lambda v: tf.reduce_sum(tf.math.unsorted_segment_max(v, [0, 0, 0], 2)), x)[0]
    assert_close(g, [[0., 1 / 3], [1., 1 / 3], [0., 1 / 3]])
    g = _grad(lambda v: tf.reduce_sum(tf.math.segment_max(v, [0, 0, 0])), x)[0]
    assert_close(g, [[0., 1 / 3], [1., 1 / 3], [0., 1 / 3]])
    g = _grad(lambda v: tf.reduce_sum(tf.math.unsorted_segment_min(v, [0, 0, 1], 3)), x)[0]
    assert_close(g, [[1., 0.5], [0., 0.5], [1., 1.]])


def test_prod_gradient_with_zeros():
    x = np.array([2., 0., 3., 4., 0., 0., 5.])
    ids = [0, 0, 0, 1, 2, 2, 3]
    g = _grad(lambda v: tf.reduce_sum(tf.math.unsorted_segment_prod(v, ids, 4)), x)[0]
    assert_close(g, [0., 6., 0., 1., 0., 0., 1.])
    g = _grad(lambda v: tf.reduce_sum(tf.math.segment_prod(v, ids)), x)[0]
    assert_close(g, [0., 6., 0., 1., 0., 0., 1.])


def test_prod_second_derivative():
    x = np.array([2., -1.5, 3., 0.5])
    ids = [0, 0, 0, 1]

    def first(v):
        with tf.GradientTape() as t:
            t.watch(v)
            y = tf.reduce_sum(tf.math.unsorted_segment_prod(v, ids, 2))
        return tf.reduce_sum(t.gradient(y, v) * tf.constant([1., 2., 3., 4.], F64))

    got = _grad(first, x)[0]
    want = central_diff_grad(lambda xs: float(np.asarray(first(tf.constant(xs[0])))), [x], 1e-6)[0]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


# ---------------------------------------------------------------- sorted


def test_sorted_values_and_empty_segments():
    ids = np.array([0, 0, 2, 2, 2])
    n = 3
    s = _np_segment(DATA, ids, n, np.add, 0.0)
    c = _np_counts(ids, n, 1)
    assert_close(tf.math.segment_sum(DATA, ids), s)
    assert_close(tf.math.segment_mean(DATA, ids), s / np.maximum(c, 1))
    mx = _np_segment(DATA, ids, n, np.maximum, -np.inf)
    mn = _np_segment(DATA, ids, n, np.minimum, np.inf)
    mx[1] = mn[1] = 0.0  # empty segments are 0 in the sorted ops
    assert_equal(tf.math.segment_max(DATA, ids), mx)
    assert_equal(tf.math.segment_min(DATA, ids), mn)
    assert_equal(tf.math.segment_prod(DATA, ids), _np_segment(DATA, ids, n, np.multiply, 1.0))


def test_sorted_int_mean_truncates():
    out = tf.math.segment_mean(tf.constant([1, 2, 4, -3, -4]), [0, 0, 1, 2, 2])
    assert out.dtype == tf.int32
    assert_equal(out, [1, 4, -3])


def test_sorted_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="not increasing"):
        tf.math.segment_sum(DATA, [0, 1, 0, 1, 2])
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.math.segment_max(DATA, [-1, 0, 0, 1, 1])
    with pytest.raises(tf.errors.InvalidArgumentError, match="same size as dimension 0"):
        tf.math.segment_sum(DATA, [0, 1])


@pytest.mark.parametrize("name", ["segment_sum", "segment_mean", "segment_max", "segment_min", "segment_prod"])
def test_sorted_gradients(name):
    fn = getattr(tf.math, name)
    data = seeded_rng(name).normal(size=(6, 2))
    ids = np.array([0, 0, 1, 3, 3, 3])
    _check_grad(_weighted(lambda x: fn(x, ids), (4, 2), name + "w"), data)


# ---------------------------------------------------------------- scatter


def _np_scatter(base, indices, updates, ufunc):
    out = base.copy()
    idx = indices.reshape(-1, indices.shape[-1])
    upd = updates.reshape((idx.shape[0],) + base.shape[idx.shape[1]:])
    ufunc.at(out, tuple(idx.T), upd)
    return out


IDX = np.array([[1], [1], [3]])


def test_scatter_nd_values_duplicates_add():
    upd = np.array([10., 20., 30.])
    assert_close(tf.scatter_nd(IDX, upd, [5]), _np_scatter(np.zeros(5), IDX, upd, np.add))
    out = tf.scatter_nd([[0], [2]], [[1, 2], [3, 4]], [3, 2])
    assert out.dtype == tf.int32
    assert_equal(out, [[1, 2], [0, 0], [3, 4]])
    g = _grad(lambda u: tf.reduce_sum(tf.scatter_nd(IDX, u, [5]) * tf.constant([1., 2, 3, 4, 5], F64)), upd)[0]
    assert_close(g, [2., 2., 4.])


@pytest.mark.parametrize("name,ufunc", [("tensor_scatter_nd_add", np.add), ("tensor_scatter_nd_sub", np.subtract),
                                        ("tensor_scatter_nd_max", np.maximum),
                                        ("tensor_scatter_nd_min", np.minimum)])
def test_tensor_scatter_values(name, ufunc):
    rng = seeded_rng(name)
    base = rng.normal(size=(4, 3))
    indices = np.array([[[0], [2]], [[0], [3]]])
    upd = rng.normal(size=(2, 2, 3))
    assert_close(getattr(tf, name)(base, indices, upd), _np_scatter(base, indices, upd, ufunc))
    _check_grad(_weighted(lambda t, u: getattr(tf, name)(t, indices, u), (4, 3), name + "w"), base, upd)


def test_tensor_scatter_update_last_duplicate_wins_and_gradients():
    t = np.array([1., 2., 3., 4.])
    u = np.array([10., 20., 30.])
    assert_equal(tf.tensor_scatter_nd_update(t, IDX, u), [1., 20., 3., 30.])
    w = tf.constant([1., 2., 3., 4.], F64)
    gt, gu = _grad(lambda a, b: tf.reduce_sum(tf.tensor_scatter_nd_update(a, IDX, b) * w), t, u)
    assert_close(gt, [1., 0., 3., 0.])
    assert_close(gu, [2., 2., 4.])
    idx = np.array([[0, 1], [2, 0]])
    upd = np.array([5., 6.])
    _check_grad(_weighted(lambda a, b: tf.tensor_scatter_nd_update(a, idx, b), (3, 2), "upd"),
                np.arange(6.).reshape(3, 2), upd)


def test_tensor_scatter_max_ties_share_gradient():
    w = tf.constant([1., 2., 3., 4.], F64)
    gt, gu = _grad(lambda a, b: tf.reduce_sum(tf.tensor_scatter_nd_max(a, IDX, b) * w),
                   np.array([1., 5., 3., 4.]), np.array([5., 5., 2.]))
    assert_close(gt, [1., 2 / 3, 3., 4.])
    assert_close(gu, [2 / 3, 2 / 3, 0.])


def test_scatter_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        tf.scatter_nd([[5]], [1.], [3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="does not index into shape"):
        tf.tensor_scatter_nd_add(tf.zeros([3]), [[-1]], [1.])
    with pytest.raises(tf.errors.InvalidArgumentError, match="must match"):
        tf.scatter_nd([[0]], [1., 2.], [3])


# ---------------------------------------------------------------- reductions, polyval


def test_polyval():
    x = np.array([0.5, -2.0, 3.0])
    assert_close(tf.math.polyval([1., 2., 3.], x), np.polyval([1., 2., 3.], x))
    out = tf.math.polyval([1, 2, 3], 2)
    assert out.dtype == tf.int32 and int(np.asarray(out)) == 11
    assert_equal(tf.math.polyval([], tf.constant([1., 2.])), np.zeros(2, np.float32))
    _check_grad(lambda c0, c1, v: tf.reduce_sum(tf.math.polyval([c0, c1, 3.0], v)),
                np.array(1.5), np.array(-2.0), x)
    with pytest.raises(ValueError):
        tf.math.polyval(np.array([1., 2.]), x)


def test_reduce_euclidean_norm():
    x = seeded_rng("eucl").normal(size=(3, 4))
    assert_close(tf.math.reduce_euclidean_norm(x), np.sqrt(np.sum(x * x)))
    assert_close(tf.math.reduce_euclidean_norm(x, 1, keepdims=True), np.sqrt(np.sum(x * x, 1, keepdims=True)))
    out = tf.math.reduce_euclidean_norm(tf.constant([[3, 4], [6, 8], [3, 5]]), 1)
    assert out.dtype == tf.int32
    assert_equal(out, [5, 10, 5])
    _check_grad(lambda v: tf.reduce_sum(tf.math.reduce_euclidean_norm(v, [0])), x)


def test_count_nonzero_and_bool_reductions():
    a = np.array([[0, 1, 2], [0, 0, 3]])
    out = tf.math.count_nonzero(a)
    assert out.dtype == tf.int64 and out.shape == () and int(np.asarray(out)) == 3
    out = tf.math.count_nonzero(a.astype(np.float32), axis=1, keepdims=True, dtype=tf.int32)
    assert out.dtype == tf.int32
    assert_equal(out, [[2], [1]])
    b = np.array([[True, False], [True, True]])
    assert_equal(tf.reduce_all(b, axis=1), [False, True])
    assert_equal(tf.math.reduce_any(b, 0, keepdims=True), [[True, True]])
    assert bool(np.asarray(tf.reduce_all(tf.zeros([0], tf.bool))))
    assert not bool(np.asarray(tf.reduce_any(tf.zeros([0], tf.bool))))
    with pytest.raises(TypeError):
        tf.reduce_all([1, 0])


# ---------------------------------------------------------------- scans


def _np_cumprod(x, axis, exclusive, reverse):
    x = np.flip(x, axis) if reverse else x
    out = np.cumprod(x, axis=axis)
    if exclusive:
        out = np.concatenate([np.ones_like(np.take(out, [0], axis)), np.delete(out, -1, axis)], axis)
    return np.flip(out, axis) if reverse else out


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumprod_values_and_gradient_with_zeros(exclusive, reverse):
    x = np.array([[2., 0., 3., 0., 5.], [0.5, -1., 2., 4., 0.], [1., 2., 0., 3., -2.]])
    for axis in (1, 0, -1):
        assert_close(tf.math.cumprod(x, axis=axis, exclusive=exclusive, reverse=reverse),
                     _np_cumprod(x, axis % 2, exclusive, reverse))
        _check_grad(_weighted(lambda v: tf.math.cumprod(v, axis, exclusive, reverse), x.shape,
                              "cp%d" % axis), x)


def test_cumprod_gradient_at_zero_is_exact():
    g = _grad(lambda v: tf.reduce_sum(tf.math.cumprod(v) * tf.constant([1., 2, 3, 4, 5], F64)),
              np.array([2., 0., 3., 0., 5.]))[0]
    assert_close(g, [1., 22., 0., 0., 0.])


def test_cumprod_int_and_second_derivative():
    out = tf.math.cumprod(tf.constant([[1, 2], [3, 4]]), axis=1)
    assert out.dtype == tf.int32
    assert_equal(out, [[1, 2], [3, 12]])
    x = np.array([1.5, -0.5, 2.0, 0.7])
    w = tf.constant([1., -2., 3., 0.5], F64)

    def first(v):
        with tf.GradientTape() as t:
            t.watch(v)
            y = tf.reduce_sum(tf.math.cumprod(v) * w)
        return tf.reduce_sum(t.gradient(y, v) * tf.constant([0.3, 1., -1., 2.], F64))

    got = _grad(first, x)[0]
    want = central_diff_grad(lambda xs: float(np.asarray(first(tf.constant(xs[0])))), [x], 1e-6)[0]
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("exclusive", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_cumulative_logsumexp(exclusive, reverse):
    x = seeded_rng("cle").normal(size=(3, 4)) * 3
    for axis in (0, 1):
        e = np.flip(np.exp(x), axis) if reverse else np.exp(x)
        cs = np.cumsum(e, axis)
        if exclusive:
            cs = np.concatenate([np.zeros_like(np.take(cs, [0], axis)), np.delete(cs, -1, axis)], axis)
        with np.errstate(divide="ignore"):
            want = np.log(np.flip(cs, axis) if reverse else cs)
        got = tf.math.cumulative_logsumexp(x, axis, exclusive, reverse)
        assert_close(got, want, rtol=1e-12)
        finite = tf.constant(np.isfinite(want))  # the -inf that starts an exclusive scan has no gradient
        _check_grad(_weighted(lambda v: tf.where(finite, tf.math.cumulative_logsumexp(v, axis, exclusive, reverse),
                                                 0.0), x.shape, "cle%d" % axis), x)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.math.cumulative_logsumexp(tf.constant([1, 2]))


def test_cumulative_logsumexp_is_stable_for_large_values():
    x = np.array([1000., 1000., -1000.])
    assert_close(tf.math.cumulative_logsumexp(x), [1000., 1000. + np.log(2.), 1000. + np.log(2.)])


def test_namespaces():
    for n in ["unsorted_segment_sum", "segment_max", "cumprod", "cumulative_logsumexp", "polyval",
              "reduce_euclidean_norm", "count_nonzero", "reduce_all", "reduce_any"]:
        assert n in tf.math.__all__ and hasattr(tf.math, n)
    for n in ["scatter_nd", "tensor_scatter_nd_update", "tensor_scatter_nd_add", "tensor_scatter_nd_sub",
              "tensor_scatter_nd_min", "tensor_scatter_nd_max", "reduce_all", "reduce_any"]:
        assert n in tf.__all__ and hasattr(tf, n)
    assert not hasattr(tf, "segment_sum") and not hasattr(tf, "cumprod")
