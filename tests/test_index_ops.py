"""Shape and indexing ops: forward values against numpy and against the
results TensorFlow documents, gradients with TensorFlow's conventions
(duplicate gather indices accumulate, missing unstack outputs count as
zeros, tiles sum), errors with TensorFlow's classes, jacobians against
row-by-row gradients, and dtypes."""
import numpy as np
import pytest

import fasttape as tf
from fasttape.errors import InvalidArgumentError
from ft_testutil import assert_close, assert_equal, to_np


def _grad(f, *xs):
    xs = [tf.constant(x) for x in xs]
    with tf.GradientTape() as t:
        for x in xs:
            t.watch(x)
        y = f(*xs)
    return t.gradient(y, xs)


# ---------------------------------------------------------------- TensorFlow's documented examples
T1 = [[1, 2, 3], [4, 5, 6]]
T2 = [[7, 8, 9], [10, 11, 12]]


def test_concat_documented():
    assert_equal(tf.concat([T1, T2], 0), [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]])
    assert_equal(tf.concat([T1, T2], 1), [[1, 2, 3, 7, 8, 9], [4, 5, 6, 10, 11, 12]])
    a = tf.constant([[[1, 2], [2, 3]], [[4, 4], [5, 3]]])
    b = tf.constant([[[7, 4], [8, 4]], [[2, 10], [15, 11]]])
    assert_equal(tf.concat([a, b], -1),
                 [[[1, 2, 7, 4], [2, 3, 8, 4]], [[4, 4, 2, 10], [5, 3, 15, 11]]])
    assert tf.concat([T1, T2], 0).dtype == tf.int32


def test_stack_unstack_documented():
    x, y, z = tf.constant([1, 4]), tf.constant([2, 5]), tf.constant([3, 6])
    assert_equal(tf.stack([x, y, z]), [[1, 4], [2, 5], [3, 6]])
    assert_equal(tf.stack([x, y, z], axis=1), [[1, 2, 3], [4, 5, 6]])
    parts = tf.unstack(tf.constant([[1, 2, 3], [4, 5, 6]]))
    assert isinstance(parts, list) and len(parts) == 2
    assert_equal(parts[0], [1, 2, 3])
    assert_equal(parts[1], [4, 5, 6])
    cols = tf.unstack(tf.constant([[1, 2, 3], [4, 5, 6]]), axis=-1)
    assert [c.numpy().tolist() for c in cols] == [[1, 4], [2, 5], [3, 6]]
    assert tf.unstack(tf.zeros([0, 2])) == []


def test_tile_documented():
    a = tf.constant(T1)
    assert_equal(tf.tile(a, [1, 2]), [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]])
    assert_equal(tf.tile(a, [2, 1]), [[1, 2, 3], [4, 5, 6], [1, 2, 3], [4, 5, 6]])
    assert_equal(tf.tile(a, [2, 2]), np.tile(np.array(T1), [2, 2]))
    assert tf.tile(a, [0, 2]).shape == (0, 6)


def test_pad_documented():
    t = tf.constant(T1)
    p = tf.constant([[1, 1], [2, 2]])
    assert_equal(tf.pad(t, p, "CONSTANT"),
                 [[0, 0, 0, 0, 0, 0, 0], [0, 0, 1, 2, 3, 0, 0], [0, 0, 4, 5, 6, 0, 0], [0, 0, 0, 0, 0, 0, 0]])
    assert_equal(tf.pad(t, p, "REFLECT"),
                 [[6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1], [6, 5, 4, 5, 6, 5, 4], [3, 2, 1, 2, 3, 2, 1]])
    assert_equal(tf.pad(t, p, "SYMMETRIC"),
                 [[2, 1, 1, 2, 3, 3, 2], [2, 1, 1, 2, 3, 3, 2], [5, 4, 4, 5, 6, 6, 5], [5, 4, 4, 5, 6, 6, 5]])
    assert_equal(tf.pad(t, [[0, 1], [1, 0]], constant_values=9), [[9, 1, 2, 3], [9, 4, 5, 6], [9, 9, 9, 9]])
    assert_equal(tf.pad(t, [[0, 0], [0, 0]], mode="reflect"), T1)  # mode is case-insensitive


def test_gather_nd_documented():
    p = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert_equal(tf.gather_nd(p, [[0, 0], [1, 1]]), [1.0, 4.0])
    assert_equal(tf.gather_nd(p, [[1], [0]]), [[3.0, 4.0], [1.0, 2.0]])
    assert_equal(tf.gather_nd(p, [1, 0]), 3.0)
    p3 = tf.constant([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    assert_equal(tf.gather_nd(p3, [[0, 1], [1, 0]]), [[3, 4], [5, 6]])
    assert_equal(tf.gather_nd(p3, [[0, 1, 1], [1, 0, 1]]), [4, 6])
    # batch_dims=1: each batch row indexes its own params
    assert_equal(tf.gather_nd(p3, [[1], [0]], batch_dims=1), [[3, 4], [5, 6]])
    assert_equal(tf.gather_nd(p3, [[[1, 0]], [[0, 1]]], batch_dims=1), [[3], [6]])


def test_gather_values():
    p = np.arange(24).reshape(2, 3, 4)
    assert_equal(tf.gather(p, [1, 0, 1]), p[[1, 0, 1]])
    assert_equal(tf.gather(p, [[2, 0], [1, 1]], axis=1), np.take(p, [[2, 0], [1, 1]], axis=1))
    assert_equal(tf.gather(p, [3, 0], axis=-1), p[..., [3, 0]])
    assert_equal(tf.gather(p, 2, axis=2), p[:, :, 2])  # scalar index drops the axis
    # batch_dims=1: out[b] = gather(p[b], idx[b], axis - 1)
    idx = np.array([[2, 0], [1, 1]])
    want = np.stack([np.take(p[b], idx[b], axis=0) for b in range(2)])
    assert_equal(tf.gather(p, idx, axis=1, batch_dims=1), want)
    # axis=None means axis=batch_dims (TensorFlow's default)
    assert_equal(tf.gather(p, idx, batch_dims=1), want)
    want2 = np.stack([np.take(p[b], idx[b], axis=1) for b in range(2)])
    assert_equal(tf.gather(p, idx, axis=2, batch_dims=-1), want2)


@pytest.mark.parametrize("idx", [[2, 0, 2], np.array([2, 0, 2], np.int64), np.array([2, 0, 2], np.int32),
                                 tf.constant([2, 0, 2]), tf.constant(np.array([2, 0, 2], np.int64))])
def test_gather_index_kinds(idx):
    p = tf.constant([10.0, 11.0, 12.0])
    assert_equal(tf.gather(p, idx), [12.0, 10.0, 12.0])
    assert_equal(tf.gather_nd(tf.reshape(p, [3, 1]), tf.reshape(tf.constant(np.asarray(idx)), [3, 1])),
                 [[12.0], [10.0], [12.0]])


def test_gather_other_dtypes():
    assert_equal(tf.gather(tf.constant([True, False]), [1, 1, 0]), [False, False, True])
    assert tf.gather(tf.constant(np.array([5, 6], np.int64)), [1]).dtype == tf.int64
    assert_equal(tf.gather(tf.constant([[1, 2], [3, 4]]), tf.constant(np.zeros((0,), np.int32))),
                 np.zeros((0, 2), np.int32))


def test_one_hot_documented():
    assert_equal(tf.one_hot([0, 1, 2], 3), np.eye(3, dtype=np.float32))
    out = tf.one_hot([0, 2, -1, 1], 3, on_value=5.0, off_value=0.0, axis=-1)
    assert_equal(out, [[5.0, 0.0, 0.0], [0.0, 0.0, 5.0], [0.0, 0.0, 0.0], [0.0, 5.0, 0.0]])
    # axis=0: shape [depth, features]; column j is one_hot(indices[j]) (TF's
    # documentation lists an extra all-off row here, but states [3 x 4])
    out = tf.one_hot([0, 2, -1, 1], 3, on_value=0.0, off_value=3.0, axis=0)
    assert_equal(out, [[0.0, 3.0, 3.0, 3.0], [3.0, 3.0, 3.0, 0.0], [3.0, 0.0, 3.0, 3.0]])
    out = tf.one_hot([[0, 2], [1, -1]], 3)
    assert out.shape == (2, 2, 3)
    assert_equal(out, [[[1, 0, 0], [0, 0, 1]], [[0, 1, 0], [0, 0, 0]]])
    assert tf.one_hot([[0, 2], [1, -1]], 3, axis=1).shape == (2, 3, 2)
    assert tf.one_hot([[0, 2], [1, -1]], 3, axis=0).shape == (3, 2, 2)
    assert tf.one_hot(1, 3).shape == (3,)


def test_one_hot_dtypes():
    assert tf.one_hot([1], 2).dtype == tf.float32
    assert tf.one_hot([1], 2, dtype=tf.int32).dtype == tf.int32
    assert tf.one_hot([1], 2, on_value=7, off_value=-1).dtype == tf.int32
    assert_equal(tf.one_hot([1], 2, on_value=7, off_value=-1), [[-1, 7]])
    assert tf.one_hot([1], 2, dtype=tf.float64).dtype == tf.float64
    assert tf.one_hot(tf.constant(np.array([1], np.int64)), 2).dtype == tf.float32
    with pytest.raises(TypeError):
        tf.one_hot([1], 2, on_value=1.0, off_value=0)
    with pytest.raises(TypeError):
        tf.one_hot([1], 2, on_value=1.0, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.one_hot([1.5], 2)


def test_one_hot_is_not_differentiable():
    on = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(on)
        y = tf.one_hot([0, 1], 2, on_value=on, off_value=tf.constant(0.0))
    assert t.gradient(y, on) is None


def test_boolean_mask_documented():
    assert_equal(tf.boolean_mask([0, 1, 2, 3], np.array([True, False, True, False])), [0, 2])
    assert_equal(tf.boolean_mask(tf.constant([[1, 2], [3, 4], [5, 6]]), [True, False, True]), [[1, 2], [5, 6]])
    x = np.arange(24.0).reshape(2, 3, 4)
    m = np.array([[True, False, True], [False, False, True]])
    assert_equal(tf.boolean_mask(x, tf.constant(m)), x[m])
    m1 = np.array([True, False, True, True])
    assert_equal(tf.boolean_mask(x, m1, axis=2), x[:, :, m1])
    assert_equal(tf.boolean_mask(x, m1, axis=-1), x[:, :, m1])
    assert tf.boolean_mask(x, np.zeros(2, bool)).shape == (0, 3, 4)


def test_expand_dims_squeeze():
    x = tf.zeros([2, 3])
    assert tf.expand_dims(x, 0).shape == (1, 2, 3)
    assert tf.expand_dims(x, 2).shape == (2, 3, 1)
    assert tf.expand_dims(x, -1).shape == (2, 3, 1)
    assert tf.expand_dims(x, -3).shape == (1, 2, 3)
    assert tf.expand_dims(tf.constant(1.0), 0).shape == (1,)
    y = tf.zeros([1, 2, 1, 3, 1])
    assert tf.squeeze(y).shape == (2, 3)
    assert tf.squeeze(y, [2, 4]).shape == (1, 2, 3)
    assert tf.squeeze(y, -1).shape == (1, 2, 1, 3)
    assert tf.squeeze(y, axis=[0]).shape == (2, 1, 3, 1)


# ---------------------------------------------------------------- __getitem__: numpy semantics
X = np.arange(24.0).reshape(2, 3, 4)
KEYS = [
    ([1, 0],), ([[0, 1], [1, 1]],), (slice(None), [2, 0, 2]), (Ellipsis, [3, -1]), (1, [2, 0]),
    ([0, 1], [2, 0]), ([0, 1], slice(None), [3, 0]), (slice(None), [0, 2], [1, 1]), ([1], None),
    (None, [1, 0]), (X > 10,), (X[..., 0] > 5,), (np.array([True, False]),), (slice(None), [True, False, True]),
    ([],), ([0, 1], 1, slice(1, 3)), (np.array([[0], [1]]), np.array([0, 2])), ([-1, -2],),
]


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_getitem_advanced_matches_numpy(key):
    x = tf.constant(X)
    got = x[key if len(key) > 1 else key[0]]
    want = X[key if len(key) > 1 else key[0]]
    assert_equal(got, want)


def test_getitem_tensor_indices():
    x = tf.constant(X)
    assert_equal(x[tf.constant([1, 1])], X[[1, 1]])
    assert_equal(x[x > 20.0], X[X > 20.0])
    assert_equal(x[:, tf.constant(np.array([2, 0], np.int64))], X[:, [2, 0]])
    assert_equal(x[tf.constant([True, False])], X[[True, False]])
    # basic indexing is unchanged
    assert_equal(x[1, ::2, None], X[1, ::2, None])
    assert_equal(x[tf.constant(1)], X[1])


def test_getitem_advanced_gradients():
    x0 = np.array([[1.0, -2.0, 3.0], [-4.0, 5.0, -6.0]])
    g, = _grad(lambda x: x[[0, 0, 1], [2, 2, 0]] * 1.0, x0)
    assert_equal(g, [[0, 0, 2], [1, 0, 0]])  # duplicates accumulate
    g, = _grad(lambda x: tf.reduce_sum(x[x > 0] ** 2), x0)
    assert_equal(g, np.where(x0 > 0, 2 * x0, 0))
    g, = _grad(lambda x: x[:, [1, 1]], x0)
    assert_equal(g, [[0, 2, 0], [0, 2, 0]])


def test_getitem_errors():
    x = tf.constant(X)
    with pytest.raises(IndexError, match="out of bounds"):
        x[[0, 2]]
    with pytest.raises(IndexError, match="out of bounds"):
        x[:, [0, -4]]
    with pytest.raises(IndexError):
        x[[0.5]]
    with pytest.raises(IndexError, match="boolean index did not match"):
        x[np.array([True, False, True])]
    with pytest.raises(IndexError):
        x[[0, 1], [0, 1, 2]]  # shapes do not broadcast


# ---------------------------------------------------------------- gradients: TensorFlow's conventions
def test_gather_gradient_accumulates_duplicates():
    g, = _grad(lambda p: tf.gather(p, [2, 0, 2, 2]), np.array([1.0, 2.0, 3.0]))
    assert_equal(g, [1.0, 0.0, 3.0])
    g, = _grad(lambda p: tf.gather(p, [[1, 1], [0, 1]], axis=1), np.ones((2, 3)))
    assert_equal(g, [[1.0, 3.0, 0.0], [1.0, 3.0, 0.0]])
    g, = _grad(lambda p: tf.gather(p, [[1, 1], [0, 2]], axis=1, batch_dims=1), np.ones((2, 3)))
    assert_equal(g, [[0.0, 2.0, 0.0], [1.0, 0.0, 1.0]])


def test_gather_nd_gradient_accumulates_duplicates():
    g, = _grad(lambda p: tf.gather_nd(p, [[1, 0], [1, 0], [0, 2]]), np.ones((2, 3)))
    assert_equal(g, [[0.0, 0.0, 1.0], [2.0, 0.0, 0.0]])
    g, = _grad(lambda p: tf.gather_nd(p, [[1], [1]]), np.ones((2, 3)))
    assert_equal(g, [[0.0, 0.0, 0.0], [2.0, 2.0, 2.0]])


def test_gather_second_order():
    x0 = np.array([0.5, -1.0, 2.0])
    x = tf.constant(x0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.gather(x, [0, 2, 2]) ** 3)
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    counts = np.array([1.0, 0.0, 2.0])
    assert_close(g, 3 * counts * x0 ** 2)
    assert_close(h, 6 * counts * x0)


def test_unstack_gradient_of_a_subset():
    x0 = np.arange(6.0).reshape(3, 2)
    g, = _grad(lambda x: tf.unstack(x)[1] * 3.0, x0)
    assert_equal(g, [[0, 0], [3, 3], [0, 0]])
    x = tf.constant(x0)
    with tf.GradientTape() as t:
        t.watch(x)
        parts = tf.unstack(x, axis=1)
    assert_equal(t.gradient(parts[0], x), [[1, 0], [1, 0], [1, 0]])


def test_concat_tile_pad_gradients():
    ga, gb = _grad(lambda a, b: tf.concat([a, b], 0) * tf.constant(np.array([[1.0], [2.0], [3.0]])),
                   np.zeros((1, 2)), np.zeros((2, 2)))
    assert_equal(ga, [[1, 1]])
    assert_equal(gb, [[2, 2], [3, 3]])
    g, = _grad(lambda x: tf.tile(x, [2, 3]), np.zeros((2, 2)))
    assert_equal(g, np.full((2, 2), 6.0))  # each element appears in 6 tiles
    g, = _grad(lambda x: tf.pad(x, [[1, 2]], constant_values=4.0) * tf.range(6, dtype=tf.float64),
               np.zeros(3))
    assert_equal(g, [1.0, 2.0, 3.0])
    # REFLECT pads mirror interior elements: their gradients add back
    g, = _grad(lambda x: tf.pad(x, [[2, 1]], "REFLECT"), np.zeros(3))
    assert_equal(g, [1.0, 3.0, 2.0])
    g, = _grad(lambda x: tf.pad(x, [[2, 1]], "SYMMETRIC"), np.zeros(3))
    assert_equal(g, [2.0, 2.0, 2.0])  # [b, a | a, b, c | c]


def test_boolean_mask_gradient():
    m = np.array([[True, False], [False, True]])
    g, = _grad(lambda x: tf.boolean_mask(x, m) * 2.0, np.ones((2, 2, 3)))
    assert_equal(g, np.where(m[..., None], 2.0, 0.0) * np.ones((2, 2, 3)))


def test_gradients_keep_float32():
    g, = _grad(lambda x: tf.gather(tf.concat([x, x], 0), [0, 3]), np.ones((2, 2), np.float32))
    assert g.dtype == tf.float32
    assert_equal(g, [[1, 1], [1, 1]])


def test_integer_inputs_are_not_tracked():
    x = tf.constant([1, 2, 3])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.gather(tf.concat([x, x], 0), [0, 4])
    assert t.gradient(y, x) is None


# ---------------------------------------------------------------- jacobians vs row-by-row gradients
JAC = [
    ("concat", lambda a, b: tf.concat([a, b], -1), [(2, 2), (2, 1)]),
    ("stack", lambda a, b: tf.stack([a, b], axis=1), [(2, 2), (2, 2)]),
    ("unstack", lambda a: tf.unstack(a, axis=1)[1] * tf.unstack(a, axis=1)[0], [(3, 2)]),
    ("unstack-restack", lambda a: tf.stack(tf.unstack(a)[::-1], axis=1), [(3, 2)]),
    ("tile", lambda a: tf.tile(a, [2, 2]), [(2, 2)]),
    ("pad", lambda a: tf.pad(a, [[1, 0], [2, 1]], constant_values=1.0), [(2, 2)]),
    ("pad-reflect", lambda a: tf.pad(a, [[1, 1], [1, 0]], "REFLECT"), [(3, 2)]),
    ("gather", lambda a: tf.gather(a, [2, 0, 2], axis=1), [(2, 3)]),
    ("gather-batch", lambda a: tf.gather(a, [[2, 2], [0, 1]], axis=1, batch_dims=1), [(2, 3)]),
    ("gather_nd", lambda a: tf.gather_nd(a, [[1, 2], [1, 2], [0, 0]]), [(2, 3)]),
    ("gather_nd-batch", lambda a: tf.gather_nd(a, [[1], [0]], batch_dims=1), [(2, 2, 2)]),
    ("boolean_mask", lambda a: tf.boolean_mask(a, [True, False, True]), [(3, 2)]),
    ("getitem", lambda a: a[[0, 1, 1], [2, 0, 0]] ** 2, [(2, 3)]),
    ("gather_grad", lambda d: tf._core.gather_grad(d, [1, 1, 0], 3, 0), [(3, 2)]),
    ("gather_nd_grad", lambda d: tf._core.gather_nd_grad(d, [[0, 1], [0, 1]], [2, 2]), [(2,)]),
]


@pytest.mark.parametrize("name,f,shapes", JAC, ids=[j[0] for j in JAC])
def test_jacobian_matches_rows(name, f, shapes):
    rng = np.random.default_rng(7)
    xs = [tf.constant(rng.standard_normal(s)) for s in shapes]
    with tf.GradientTape(persistent=True) as t:
        for x in xs:
            t.watch(x)
        y = f(*xs)
    jac = t.jacobian(y, xs)
    n = int(np.prod(y.shape))
    for k, x in enumerate(xs):
        rows = []
        for i in range(n):
            with tf.GradientTape() as t2:
                for z in xs:
                    t2.watch(z)
                yi = tf.reshape(f(*xs), [-1])[i]
            g = t2.gradient(yi, x)
            rows.append(np.zeros(x.shape) if g is None else to_np(g))
        want = np.array(rows).reshape(tuple(y.shape) + tuple(x.shape))
        assert_close(jac[k], want, atol=1e-12)


def test_jacobian_of_gather_gradient():
    """Batched sweep through gather_grad (the gradient of a gradient)."""
    x0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]])
    x = tf.constant(x0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(tf.gather(x, [2, 2, 0], axis=1) ** 3)
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)
    counts = np.array([1.0, 0.0, 2.0])
    want = np.zeros((2, 3, 2, 3))
    for a in range(2):
        for b in range(3):
            want[a, b, a, b] = 6 * counts[b] * x0[a, b]
    assert_close(h, want, atol=1e-12)


# ---------------------------------------------------------------- errors
def test_gather_out_of_range():
    p = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = 5 is not in \[0, 3\)"):
        tf.gather(p, [0, 5])
    with pytest.raises(InvalidArgumentError, match=r"indices\[0\] = -1 is not in \[0, 3\)"):
        tf.gather(p, [-1])
    with pytest.raises(InvalidArgumentError, match=r"indices\[1,0\] = 2 is not in \[0, 2\)"):
        tf.gather(tf.zeros([3, 2]), [[0], [2]], axis=1)
    with pytest.raises(InvalidArgumentError, match="not in"):
        tf.gather(tf.zeros([0]), [0])


def test_gather_nd_out_of_range():
    with pytest.raises(InvalidArgumentError, match=r"indices\[1\] = \[0, 3\] does not index into param shape \[2,3\]"):
        tf.gather_nd(tf.zeros([2, 3]), [[1, 1], [0, 3]])
    with pytest.raises(InvalidArgumentError, match="innermost dimension"):
        tf.gather_nd(tf.zeros([2, 3]), [[1, 1, 1]])


def test_gather_bad_arguments():
    with pytest.raises(InvalidArgumentError, match="int32 or int64"):
        tf.gather(tf.zeros([3]), [0.5])
    with pytest.raises(InvalidArgumentError, match="axis"):
        tf.gather(tf.zeros([3]), [0], axis=1)
    with pytest.raises(InvalidArgumentError, match="batch_dims"):
        tf.gather(tf.zeros([2, 3]), [[0], [1]], axis=0, batch_dims=1)
    with pytest.raises(InvalidArgumentError, match="should be equal"):
        tf.gather(tf.zeros([2, 3]), [[0], [1], [1]], axis=1, batch_dims=1)


def test_concat_errors():
    with pytest.raises(InvalidArgumentError, match="Dimension 1 in both shapes must be equal"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 4])], 0)
    with pytest.raises(InvalidArgumentError, match="Ranks of all input tensors should match"):
        tf.concat([tf.zeros([2]), tf.zeros([2, 1])], 0)
    with pytest.raises(InvalidArgumentError, match="scalars"):
        tf.concat([tf.constant(1.0), tf.constant(2.0)], 0)
    with pytest.raises(InvalidArgumentError, match=r"range \[-2, 2\)"):
        tf.concat([tf.zeros([2, 3]), tf.zeros([2, 3])], 2)
    with pytest.raises(InvalidArgumentError, match="float32.*int32|same dtype"):
        tf.concat([tf.zeros([2]), tf.constant([1, 2])], 0)
    with pytest.raises(ValueError):
        tf.concat([], 0)


def test_stack_unstack_errors():
    with pytest.raises(ValueError, match="not in range"):
        tf.stack([tf.zeros([2]), tf.zeros([2])], axis=2)
    with pytest.raises(InvalidArgumentError, match="Shapes of all inputs must match"):
        tf.stack([tf.zeros([2]), tf.zeros([3])])
    with pytest.raises(InvalidArgumentError, match="must equal 3"):
        tf.unstack(tf.zeros([2, 3]), num=3)
    with pytest.raises(ValueError):
        tf.unstack(tf.constant(1.0))
    with pytest.raises(ValueError, match="not in range"):
        tf.unstack(tf.zeros([2, 3]), axis=2)


def test_shape_op_errors():
    with pytest.raises(InvalidArgumentError, match="expand dim index 3"):
        tf.expand_dims(tf.zeros([2, 3]), 3)
    with pytest.raises(InvalidArgumentError, match="Can not squeeze dim\\[1\\]"):
        tf.squeeze(tf.zeros([2, 3]), 1)
    with pytest.raises(InvalidArgumentError, match="vector of length 2"):
        tf.tile(tf.zeros([2, 3]), [2])
    with pytest.raises(InvalidArgumentError, match="multiples\\[0\\] >= 0"):
        tf.tile(tf.zeros([2]), [-1])


def test_pad_errors():
    with pytest.raises(InvalidArgumentError, match="non-negative"):
        tf.pad(tf.zeros([2]), [[-1, 0]])
    with pytest.raises(InvalidArgumentError, match="less than the dimension size"):
        tf.pad(tf.zeros([2]), [[2, 0]], "REFLECT")
    with pytest.raises(InvalidArgumentError, match="no greater than the dimension size"):
        tf.pad(tf.zeros([2]), [[0, 3]], "SYMMETRIC")
    with pytest.raises(InvalidArgumentError, match="Unknown padding mode"):
        tf.pad(tf.zeros([2]), [[1, 1]], "WRAP")
    with pytest.raises(InvalidArgumentError, match="paddings"):
        tf.pad(tf.zeros([2, 2]), [[1, 1]])
    with pytest.raises(TypeError):
        tf.pad(tf.constant([1, 2]), [[1, 1]], constant_values=1.5)
    assert_equal(tf.pad(tf.constant([1, 2]), [[1, 0]], constant_values=tf.constant(-3)), [-3, 1, 2])
    assert_equal(tf.pad(tf.constant([True]), [[1, 0]], constant_values=True), [True, True])


def test_boolean_mask_errors():
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(tf.zeros([3, 2]), [True, False])
    with pytest.raises(ValueError, match="scalar"):
        tf.boolean_mask(tf.zeros([3]), True)
    with pytest.raises(TypeError):
        tf.boolean_mask(tf.zeros([3]), [1, 0, 1])


# ---------------------------------------------------------------- big tensors (threaded kernels)
def test_big_gather_and_scatter_match_numpy():
    rng = np.random.default_rng(3)
    p = rng.standard_normal((5000, 64))
    idx = rng.integers(0, 5000, size=20000)
    x = tf.constant(p)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.gather(x, idx)
    assert_equal(y, p[idx])
    g = t.gradient(y, x)
    want = np.zeros(5000)
    np.add.at(want, idx, 1.0)
    assert_close(g, np.repeat(want[:, None], 64, axis=1))
    big = [rng.standard_normal((300, 200)) for _ in range(3)]
    assert_equal(tf.concat(big, 1), np.concatenate(big, 1))
    parts = tf.unstack(tf.constant(np.stack(big, 1)), axis=1)
    for got, want_part in zip(parts, big):
        assert_equal(got, want_part)


def test_big_scatter_add_wide_rows():
    """Wide rows in one block: the scatter-add splits columns across threads."""
    rng = np.random.default_rng(4)
    p = rng.standard_normal((100, 512))
    idx = rng.integers(0, 100, size=2000)
    u = rng.standard_normal((2000, 512))
    x = tf.constant(p)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.gather(x, idx)
    g = t.gradient(y, x, output_gradients=tf.constant(u))
    want = np.zeros_like(p)
    np.add.at(want, idx, u)
    assert_close(g, want, rtol=1e-12, atol=1e-12)
