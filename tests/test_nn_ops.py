"""The nn / linalg group: forward values against numpy and TensorFlow's
documented examples, TensorFlow's conventions at kinks, stability for large
inputs (finite values and gradients), error classes, jacobians against
row-by-row gradients, dtypes, and einsum."""
import math

import numpy as np
import pytest

import fasttape as tf
from fasttape import _core
from ft_testutil import assert_close, to_np

RNG = np.random.default_rng(77)


def _grad(fn, *xs):
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = fn(*ts)
    return y, tape.gradient(y, ts)


def _value_grad_grad(fn, t):
    """fn(t), its gradient, and the gradient of that, by nested tapes."""
    with tf.GradientTape() as outer:
        outer.watch(t)
        with tf.GradientTape() as inner:
            inner.watch(t)
            y = fn(t)
        g = inner.gradient(y, t)
    return y, g, outer.gradient(g, t)


def _np_log_softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


# --------------------------------------------------------------------------
# TensorFlow's documented examples
# --------------------------------------------------------------------------

def test_gelu_documented_values():
    x = tf.constant([-3.0, -1.0, 0.0, 1.0, 3.0], dtype=tf.float32)
    y = tf.nn.gelu(x)
    assert y.dtype == tf.float32
    # TensorFlow's float32 erf (Eigen's approximation) is off by ~2e-7 at
    # x = -3 (exact: -0.0040496941); fasttape rounds the exact value.
    assert_close(y, [-0.00404951, -0.15865529, 0.0, 0.8413447, 2.9959507], rtol=1e-6, atol=3e-7)
    assert_close(tf.nn.gelu(tf.constant([-3.0], tf.float64)), [-1.5 * math.erfc(3 / math.sqrt(2))], rtol=1e-14)
    assert_close(tf.nn.gelu(x, approximate=True), [-0.00363752, -0.15880796, 0.0, 0.841192, 2.9963627],
                 rtol=1e-6, atol=1e-7)


def test_softmax_documented_values():
    assert_close(tf.nn.softmax([-1, 0., 1.]), [0.09003057, 0.24472848, 0.66524094], rtol=1e-6)


def test_softplus_documented_values():
    assert_close(tf.nn.softplus(tf.constant([0.0, 1.0])), [0.6931472, 1.3132616], rtol=1e-6)


def test_softmax_cross_entropy_documented_values():
    logits = [[4.0, 2.0, 1.0], [0.0, 5.0, 1.0]]
    labels = [[1.0, 0.0, 0.0], [0.0, 0.8, 0.2]]
    loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert loss.dtype == tf.float32
    assert_close(loss, [0.16984604, 0.82474494], rtol=1e-6)


def test_sparse_softmax_cross_entropy_documented_values():
    logits = tf.constant([[2., -5., .5, -.1], [0., 0., 1.9, 1.4], [-100., 100., -100., -100.]])
    labels = tf.constant([0, 3, 1])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    assert_close(loss, [0.29750752, 1.1448325, 0.0], rtol=1e-6, atol=1e-7)


def test_sigmoid_cross_entropy_documented_values():
    logits = tf.constant([1., -1., 0., 1., -1., 0., 0.])
    labels = tf.constant([0., 0., 0., 1., 1., 1., 0.5])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    assert_close(loss, [1.3132617, 0.31326166, 0.6931472, 0.31326166, 1.3132617, 0.6931472, 0.6931472],
                 rtol=1e-6)


def test_l2_loss():
    x = RNG.standard_normal((3, 4))
    y, (g,) = _grad(tf.nn.l2_loss, x)
    assert y.shape == ()
    assert_close(y, np.sum(x * x) / 2, rtol=1e-12)
    assert_close(g, x, rtol=1e-12)


# --------------------------------------------------------------------------
# activations: values, kinks (TensorFlow's gradient conventions), stability
# --------------------------------------------------------------------------

def test_relu6_values_and_kinks():
    x = np.array([-2.0, 0.0, 3.0, 6.0, 7.5])
    y, (g,) = _grad(tf.nn.relu6, x)
    assert_close(y, [0.0, 0.0, 3.0, 6.0, 6.0])
    # Relu6Grad passes the gradient only where 0 < x < 6: 0 at both kinks.
    assert_close(g, [0.0, 0.0, 1.0, 0.0, 0.0])


def test_leaky_relu_values_and_kink():
    x = np.array([-2.0, 0.0, 3.0])
    y, (g,) = _grad(tf.nn.leaky_relu, x)
    assert_close(y, [-0.4, 0.0, 3.0], rtol=1e-15)
    assert_close(g, [0.2, 0.2, 1.0], rtol=1e-15)   # alpha at x = 0 (features > 0 is false)
    y, (g,) = _grad(lambda t: tf.nn.leaky_relu(t, alpha=0.01), x)
    assert_close(y, [-0.02, 0.0, 3.0], rtol=1e-15)
    assert_close(g, [0.01, 0.01, 1.0], rtol=1e-15)


@pytest.mark.parametrize("fn", [tf.nn.relu6, tf.nn.leaky_relu], ids=["relu6", "leaky_relu"])
def test_piecewise_linear_second_derivative_is_zeros_not_none(fn):
    # TensorFlow's Relu6GradGrad / LeakyReluGradGrad give zeros for the input.
    t = tf.constant([-1.0, 0.5, 3.0, 7.0])
    _, _, g2 = _value_grad_grad(fn, t)
    assert g2 is not None
    assert_close(g2, np.zeros(4, np.float32))


def test_leaky_relu_integer_features_become_float32():
    y = tf.nn.leaky_relu(tf.constant([-5, 0, 2]))
    assert y.dtype == tf.float32
    assert_close(y, np.array([-1.0, 0.0, 2.0], np.float32))


def test_elu_values_and_kink():
    x = np.array([-1.0, 0.0, 2.0])
    y, (g,) = _grad(tf.nn.elu, x)
    assert_close(y, [math.expm1(-1.0), 0.0, 2.0], rtol=1e-15)
    assert_close(g, [math.exp(-1.0), 1.0, 1.0], rtol=1e-14)


@pytest.mark.parametrize("fn", [tf.nn.relu6, tf.nn.leaky_relu, tf.nn.elu, tf.nn.gelu,
                                lambda x: tf.nn.gelu(x, approximate=True), tf.nn.softplus],
                         ids=["relu6", "leaky_relu", "elu", "gelu", "gelu_tanh", "softplus"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_activations_finite_for_large_inputs(fn, dtype):
    x = np.array([-1e4, -100.0, -30.0, 30.0, 100.0, 1e4], dtype=dtype)
    t = tf.constant(x)
    y, g, g2 = _value_grad_grad(fn, t)
    for v in (y, g, g2):
        assert v.dtype == t.dtype
        assert np.all(np.isfinite(to_np(v))), to_np(v)


def test_softplus_is_stable():
    x = tf.constant([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype=tf.float64)
    y, (g,) = _grad(tf.nn.softplus, to_np(x))
    assert_close(y, [0.0, math.log1p(math.exp(-50.0)), math.log(2.0), 50.0 + math.log1p(math.exp(-50.0)),
                     1000.0], rtol=1e-15, atol=1e-300)
    assert_close(g, [0.0, 1 / (1 + math.exp(50.0)), 0.5, 1 / (1 + math.exp(-50.0)), 1.0], rtol=1e-14)


def test_gelu_exact_is_accurate_in_the_tail():
    x = np.array([-8.0, -5.0])
    want = 0.5 * x * np.array([math.erfc(8 / math.sqrt(2)), math.erfc(5 / math.sqrt(2))])
    assert_close(tf.nn.gelu(tf.constant(x)), want, rtol=1e-13)


def test_gelu_rejects_integers():
    with pytest.raises(ValueError):
        tf.nn.gelu(tf.constant([1, 2]))


@pytest.mark.parametrize("fn", [tf.nn.relu6, tf.nn.elu, tf.nn.softplus, tf.nn.softmax, tf.nn.log_softmax,
                                tf.nn.l2_loss])
def test_integer_inputs_raise_invalid_argument(fn):
    with pytest.raises(tf.errors.InvalidArgumentError):
        fn(tf.constant([1, 2]))


# --------------------------------------------------------------------------
# softmax / log_softmax
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape,axis", [((5,), -1), ((3, 4), -1), ((3, 4), 0), ((2, 3, 4), 1), ((2, 3, 4), -3),
                                        ((2, 3, 4, 5), 2)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_any_axis(shape, axis, dtype):
    x = RNG.uniform(-5, 5, shape).astype(dtype)
    lsm = _np_log_softmax(x.astype(np.float64), axis)
    y = tf.nn.softmax(tf.constant(x), axis=axis)
    ly = tf.nn.log_softmax(tf.constant(x), axis=axis)
    assert y.dtype == ly.dtype == tf.as_dtype(dtype)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    assert_close(y, np.exp(lsm), rtol=tol, atol=tol)
    assert_close(ly, lsm, rtol=tol, atol=tol)
    assert_close(np.sum(to_np(y), axis=axis), np.ones(np.sum(x, axis=axis).shape), rtol=tol)


def test_math_namespace_names_exist_in_nn_ops():
    from fasttape import _nn_ops
    for n in _nn_ops.MATH_NAMES:
        assert callable(getattr(_nn_ops, n))


def test_softmax_is_stable_for_huge_logits():
    x = tf.constant([[1000.0, 1001.0, 1002.0], [-1e30, 0.0, 1e30]])
    y = tf.nn.softmax(x)
    ly = tf.nn.log_softmax(x)
    assert np.all(np.isfinite(to_np(y)))
    assert_close(y[0], np.exp(_np_log_softmax(np.array([0.0, 1.0, 2.0]))), rtol=1e-6)
    assert_close(y[1], [0.0, 0.0, 1.0])
    assert_close(ly[0], _np_log_softmax(np.array([0.0, 1.0, 2.0])), rtol=1e-6)


def test_softmax_default_axis_and_positional_axis():
    x = RNG.standard_normal((3, 4))
    assert_close(tf.nn.softmax(x, None), np.exp(_np_log_softmax(x, -1)), rtol=1e-13)
    assert_close(tf.nn.softmax(x, 0), np.exp(_np_log_softmax(x, 0)), rtol=1e-13)
    assert_close(tf.nn.softmax(x, axis=tf.constant(0)), np.exp(_np_log_softmax(x, 0)), rtol=1e-13)


def test_softmax_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="softmax"):
        tf.nn.softmax(tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="axis 2 is out of range"):
        tf.nn.softmax(tf.constant([[1.0, 2.0]]), axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.log_softmax(tf.constant([[1.0, 2.0]]), axis=-3)


@pytest.mark.parametrize("shape,axis", [((2, 3, 4), 1), ((4, 3), -1), ((2, 2, 3), 0)])
def test_big_softmax_matches_numpy(shape, axis):
    # Large enough for the threaded path (and the GIL released).
    big = tuple(s * 64 for s in shape)
    x = RNG.uniform(-10, 10, big)
    assert_close(tf.nn.softmax(x, axis=axis), np.exp(_np_log_softmax(x, axis)), rtol=1e-12, atol=1e-300)
    assert_close(tf.nn.log_softmax(x, axis=axis), _np_log_softmax(x, axis), rtol=1e-12, atol=1e-12)


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------

def test_softmax_xent_gradients_both_inputs():
    z = RNG.uniform(0.1, 1, (3, 4))
    z /= z.sum(-1, keepdims=True)
    x = RNG.standard_normal((3, 4))
    loss, (gz, gx) = _grad(lambda a, b: tf.nn.softmax_cross_entropy_with_logits(labels=a, logits=b), z, x)
    lsm = _np_log_softmax(x)
    assert_close(loss, -np.sum(z * lsm, -1), rtol=1e-13)
    assert_close(gx, np.exp(lsm) - z, rtol=1e-12, atol=1e-15)      # softmax - labels
    assert_close(gz, -lsm, rtol=1e-13)


def test_softmax_xent_axis_and_int_labels():
    x = RNG.standard_normal((4, 3))
    z = np.eye(4)[:, :3].astype(np.float64)
    loss = tf.nn.softmax_cross_entropy_with_logits(z, x, axis=0)
    assert loss.shape == (3,)
    assert_close(loss, -np.sum(z * _np_log_softmax(x, 0), axis=0), rtol=1e-13)
    # Integer labels are cast to the logits' dtype, as TensorFlow does.
    oh = tf.constant(np.eye(3, dtype=np.int32))
    loss2 = tf.nn.softmax_cross_entropy_with_logits(oh, tf.constant(x[:3]))
    assert loss2.dtype == tf.float64
    assert_close(loss2, -np.diagonal(_np_log_softmax(x[:3])), rtol=1e-13)


def test_softmax_xent_shape_error():
    with pytest.raises(tf.errors.InvalidArgumentError, match="softmax_cross_entropy_with_logits"):
        tf.nn.softmax_cross_entropy_with_logits(labels=tf.ones([2, 4]), logits=tf.ones([2, 3]))


def test_softmax_xent_one_hot_with_saturated_logits_is_finite():
    logits = tf.constant([[-1e30, 0.0, 5.0]])
    labels = tf.constant([[0.0, 1.0, 0.0]])
    loss, (gx,) = _grad(lambda x: tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=x), to_np(logits))
    assert np.all(np.isfinite(to_np(loss))) and np.all(np.isfinite(to_np(gx)))


def test_sparse_xent_gradient_and_labels_have_none():
    x = RNG.standard_normal((3, 4))
    lab = np.array([2, 0, 3])
    lt = tf.constant(lab)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        tape.watch(lt)
        loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=lt, logits=xt)
    gx, gl = tape.gradient(loss, [xt, lt])
    assert gl is None
    assert_close(gx, np.exp(_np_log_softmax(x)) - np.eye(4)[lab], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("bad", [[0, 4], [-1, 0]])
def test_sparse_xent_out_of_range_labels(bad):
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range of \\[0, 4\\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=bad, logits=tf.ones([2, 4]))


def test_sparse_xent_shape_errors():
    with pytest.raises(ValueError, match="rank"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[[0, 1]], logits=tf.ones([2, 4]))
    with pytest.raises(ValueError, match="Shape mismatch"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[0, 1, 2], logits=tf.ones([2, 4]))
    with pytest.raises(ValueError, match="scalars"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=0, logits=tf.constant(1.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32 or int64"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([0.0, 1.0]), logits=tf.ones([2, 4]))


def test_sparse_xent_int64_labels_float64_logits():
    x = RNG.standard_normal((2, 3))
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(np.array([2, 1], np.int64)), x)
    assert loss.dtype == tf.float64
    assert_close(loss, -_np_log_softmax(x)[[0, 1], [2, 1]], rtol=1e-13)


def test_sigmoid_xent_stable_and_gradients():
    x = np.array([-1000.0, -20.0, 0.0, 20.0, 1000.0])
    z = np.array([0.0, 1.0, 0.5, 0.0, 1.0])
    loss, (gz, gx) = _grad(lambda a, b: tf.nn.sigmoid_cross_entropy_with_logits(labels=a, logits=b), z, x)
    want = np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))
    assert_close(loss, want, rtol=1e-14)
    sig = np.where(x >= 0, 1 / (1 + np.exp(-np.abs(x))), np.exp(-np.abs(x)) / (1 + np.exp(-np.abs(x))))
    assert_close(gx, sig - z, rtol=1e-12, atol=1e-300)
    assert_close(gz, -x, rtol=1e-15)


def test_sigmoid_xent_errors():
    with pytest.raises(ValueError, match="same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.ones([3]), logits=tf.ones([2]))
    with pytest.raises(ValueError, match="must be provided"):
        tf.nn.sigmoid_cross_entropy_with_logits(logits=tf.ones([2]))


# --------------------------------------------------------------------------
# jacobians (one batched sweep) against row-by-row gradients
# --------------------------------------------------------------------------

def _rowwise_jacobian(fn, xs, k):
    ts = [tf.constant(x) for x in xs]
    y = fn(*ts)
    rows = []
    for idx in np.ndindex(*y.shape):
        u = np.zeros(y.shape)
        u[idx] = 1.0
        with tf.GradientTape() as tape:
            tape.watch(ts[k])
            yy = fn(*ts)
        g = tape.gradient(yy, ts[k], output_gradients=tf.constant(u))
        rows.append(np.zeros(xs[k].shape) if g is None else to_np(g))
    return np.array(rows).reshape(tuple(y.shape) + xs[k].shape)


def _dist(shape, axis=-1):
    z = RNG.uniform(0.1, 1, shape)
    return z / z.sum(axis, keepdims=True)


JACOBIAN_CASES = [
    ("relu6", lambda x: tf.nn.relu6(x), [RNG.uniform(-2, 8, (2, 3))]),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x, 0.3), [RNG.standard_normal((2, 3))]),
    ("elu", lambda x: tf.nn.elu(x), [RNG.standard_normal((2, 3))]),
    ("gelu", lambda x: tf.nn.gelu(x), [RNG.standard_normal((3,))]),
    ("gelu_grad", lambda x: _core.gelu_grad(x, True), [RNG.standard_normal((3,))]),
    ("softplus", lambda x: tf.nn.softplus(x), [RNG.standard_normal((2, 2))]),
    ("softmax0", lambda x: tf.nn.softmax(x, axis=0), [RNG.standard_normal((3, 2))]),
    ("softmax-mid", lambda x: tf.nn.softmax(x, axis=1), [RNG.standard_normal((2, 3, 2))]),
    ("log_softmax", lambda x: tf.nn.log_softmax(x), [RNG.standard_normal((2, 3))]),
    ("xent", lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x), [_dist((2, 3)), RNG.standard_normal((2, 3))]),
    ("xent-axis0", lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x, axis=0),
     [_dist((3, 2), 0), RNG.standard_normal((3, 2))]),
    ("sparse", lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([1, 0]), x),
     [RNG.standard_normal((2, 3))]),
    ("sigmoid_xent", lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x),
     [RNG.uniform(0, 1, (2, 2)), RNG.standard_normal((2, 2))]),
    ("l2_loss", lambda x: tf.nn.l2_loss(x) * tf.ones([2], tf.float64), [RNG.standard_normal((2, 3))]),
    ("einsum", lambda a, b: tf.einsum("bij,bjk->bik", a, b), [RNG.standard_normal((2, 2, 3)),
                                                               RNG.standard_normal((2, 3, 2))]),
    ("einsum-trace", lambda a: tf.einsum("ii->i", a) * 2.0, [RNG.standard_normal((3, 3))]),
]


@pytest.mark.parametrize("name,fn,xs", JACOBIAN_CASES, ids=[c[0] for c in JACOBIAN_CASES])
def test_jacobian_matches_rowwise_gradients(name, fn, xs):
    ts = [tf.constant(x) for x in xs]
    with tf.GradientTape(persistent=True) as tape:
        for t in ts:
            tape.watch(t)
        y = fn(*ts)
    for k in range(len(xs)):
        jac = tape.jacobian(y, ts[k])
        assert jac is not None
        assert_close(jac, _rowwise_jacobian(fn, xs, k), rtol=1e-12, atol=1e-14, err_msg=f"input {k}")


def test_batch_jacobian_of_softmax():
    x = RNG.standard_normal((4, 3))
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = tf.nn.softmax(t)
    bj = tape.batch_jacobian(y, t)
    s = np.exp(_np_log_softmax(x))
    want = np.stack([np.diag(r) - np.outer(r, r) for r in s])
    assert_close(bj, want, rtol=1e-12, atol=1e-15)


def test_forward_mode_sparse_xent():
    x = RNG.standard_normal((2, 3))
    v = RNG.standard_normal((2, 3))
    lab = np.array([2, 0])
    xt = tf.constant(x)
    with tf.autodiff.ForwardAccumulator(xt, tf.constant(v)) as acc:
        y = tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(lab), xt)
    want = np.sum((np.exp(_np_log_softmax(x)) - np.eye(3)[lab]) * v, -1)
    assert_close(acc.jvp(y), want, rtol=1e-12)


# --------------------------------------------------------------------------
# einsum / linalg
# --------------------------------------------------------------------------

EINSUM_FORWARD = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]), ("i,i->", [(3,), (3,)]),
    ("ij->ji", [(2, 3)]), ("ij,j->i", [(2, 3), (3,)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->", [(3, 3)]),
    ("ii->i", [(3, 3)]), ("ij->i", [(2, 3)]), ("i,j->ij", [(2,), (3,)]), ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    ("...ij,...jk", [(5, 1, 2, 3), (4, 3, 2)]), ("ij,ij->ij", [(2, 3), (2, 3)]), ("ijk,jil->kl", [(2, 3, 4), (3, 2, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]), ("ba", [(2, 3)]), ("iij->j", [(3, 3, 2)]), ("...", [(2, 3)]),
    (" i j , j k -> i k ", [(2, 3), (3, 4)]), ("i,->i", [(3,), ()]), ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM_FORWARD, ids=[e[0] for e in EINSUM_FORWARD])
def test_einsum_matches_numpy(eq, shapes):
    xs = [RNG.standard_normal(s) for s in shapes]
    got = tf.einsum(eq, *[tf.constant(x) for x in xs])
    assert_close(got, np.einsum(eq.replace(" ", ""), *xs), rtol=1e-12, atol=1e-13)


def test_einsum_namespaces_and_float32():
    a = RNG.standard_normal((2, 3)).astype(np.float32)
    b = RNG.standard_normal((3, 2)).astype(np.float32)
    for fn in (tf.einsum, tf.linalg.einsum):
        r = fn("ij,jk->ik", a, b)
        assert r.dtype == tf.float32
        assert_close(r, a @ b, rtol=1e-5)


@pytest.mark.parametrize("eq,shapes,match", [
    ("ij,jk->ik->i", [(2, 2), (2, 2)], "more than one"),
    ("ij,jk", [(2, 2)], "2 input"),
    ("ij->k", [(2, 2)], "does not appear"),
    ("i1->i", [(2,)], "letters"),
    ("ij->ii", [(2, 2)], "repeat"),
    ("ijk->i", [(2, 2)], "rank"),
    ("ij,jk->ik", [(2, 3), (4, 5)], "size"),
    ("ii->i", [(2, 3)], "size"),
    ("i.j->i", [(2, 2)], "letters"),
])
def test_einsum_malformed_raises_value_error(eq, shapes, match):
    with pytest.raises(ValueError, match=match):
        tf.einsum(eq, *[tf.ones(s) for s in shapes])


def test_einsum_dtype_rules():
    # Python lists take the first input's dtype; real mismatches raise.
    r = tf.einsum("ij,jk->ik", tf.constant([[1.0, 2.0]], tf.float64), [[1.0], [1.0]])
    assert r.dtype == tf.float64
    assert_close(r, [[3.0]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="einsum"):
        tf.einsum("ij,jk->ik", tf.ones([2, 2]), tf.ones([2, 2], tf.float64))
    assert tf.einsum("i,i->", tf.constant([1, 2]), tf.constant([3, 4])).numpy() == 11


def test_einsum_second_order():
    a = RNG.standard_normal((2, 3))
    at = tf.constant(a)
    with tf.GradientTape() as outer:
        outer.watch(at)
        with tf.GradientTape() as inner:
            inner.watch(at)
            y = tf.reduce_sum(tf.einsum("ij,ij->i", at, at) ** 2.0)
        g = inner.gradient(y, at)
        s = tf.reduce_sum(g)
    h = outer.gradient(s, at)
    r = np.sum(a * a, 1, keepdims=True)
    assert_close(g, 4 * r * a, rtol=1e-12)
    # d/da sum(4 r a) = 4 r + 8 a * sum_j a_j
    assert_close(h, 4 * r + 8 * a * np.sum(a, 1, keepdims=True), rtol=1e-12)


def test_matvec():
    a = RNG.standard_normal((2, 3, 4))
    b = RNG.standard_normal((2, 4))
    assert_close(tf.linalg.matvec(a, b), np.einsum("bij,bj->bi", a, b), rtol=1e-13)
    c = RNG.standard_normal((2, 3))
    assert_close(tf.linalg.matvec(a, c, transpose_a=True), np.einsum("bji,bj->bi", a, c), rtol=1e-13)


def test_trace_and_diag_part():
    x = RNG.standard_normal((2, 3, 3))
    assert_close(tf.linalg.trace(x), np.trace(x, axis1=1, axis2=2), rtol=1e-13)
    assert_close(tf.linalg.diag_part(x), np.diagonal(x, axis1=1, axis2=2), rtol=1e-13)


# --------------------------------------------------------------------------
# empty tensors
# --------------------------------------------------------------------------

def test_empty_tensors():
    assert tf.nn.softmax(tf.zeros([2, 0])).shape == (2, 0)
    assert tf.nn.softmax(tf.zeros([0, 3])).shape == (0, 3)
    assert tf.nn.log_softmax(tf.zeros([2, 0]), axis=0).shape == (2, 0)
    assert tf.nn.sparse_softmax_cross_entropy_with_logits(tf.zeros([0], tf.int32), tf.zeros([0, 3])).shape == (0,)
    assert_close(tf.nn.l2_loss(tf.zeros([0])), np.float32(0.0))
    assert tf.nn.gelu(tf.zeros([0, 2])).shape == (0, 2)
    x = tf.zeros([2, 0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 0]), x, axis=0)
    assert y.shape == (0,)
    assert tape.gradient(y, x).shape == (2, 0)


# --------------------------------------------------------------------------
# composites
# --------------------------------------------------------------------------

def test_selu_values_and_gradient_at_zero():
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    x = np.array([-1.0, 0.0, 2.0])
    y, (g,) = _grad(tf.nn.selu, x)
    assert_close(y, [scale * alpha * math.expm1(-1.0), 0.0, 2 * scale], rtol=1e-15)
    assert_close(g, [scale * alpha * math.exp(-1.0), scale, scale], rtol=1e-14)   # SeluGrad: scale at 0


def test_silu_and_swish():
    x = np.array([-3.0, 0.0, 2.0])
    assert_close(tf.nn.silu(x), x / (1 + np.exp(-x)), rtol=1e-15)
    assert_close(tf.nn.swish(x, beta=2.0), x / (1 + np.exp(-2 * x)), rtol=1e-15)


def test_bias_add_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="channel"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([2]))
    with pytest.raises(ValueError, match="1-D"):
        tf.nn.bias_add(tf.ones([2, 3]), tf.ones([1, 3]))


def test_l2_normalize_zero_vector_is_finite():
    y, (g,) = _grad(lambda x: tf.nn.l2_normalize(x, axis=1), np.array([[0.0, 0.0], [3.0, 4.0]]))
    assert_close(y, [[0.0, 0.0], [0.6, 0.8]], rtol=1e-15)
    assert np.all(np.isfinite(to_np(g)))


def test_big_tensors_threaded_paths():
    # Above the parallel and GIL-release thresholds.
    x = RNG.uniform(-4, 8, (300, 400))
    assert_close(tf.nn.relu6(x), np.minimum(np.maximum(x, 0), 6))
    assert_close(tf.nn.softplus(x), np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x))), rtol=1e-14)
    assert_close(tf.nn.leaky_relu(x), np.where(x > 0, x, 0.2 * x))
    z = RNG.uniform(0.1, 1, x.shape)
    z /= z.sum(-1, keepdims=True)
    lsm = _np_log_softmax(x)
    loss, (gz, gx) = _grad(lambda a, b: tf.nn.softmax_cross_entropy_with_logits(a, b), z, x)
    assert_close(loss, -np.sum(z * lsm, -1), rtol=1e-12)
    assert_close(gx, np.exp(lsm) - z, rtol=1e-11, atol=1e-15)
    lab = RNG.integers(0, 400, 300)
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(lab, x)
    assert_close(loss, -lsm[np.arange(300), lab], rtol=1e-12)
    xt = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = tf.nn.relu6(xt)
    assert_close(tape.gradient(y, xt), ((x > 0) & (x < 6)).astype(np.float64))


# --------------------------------------------------------------------------
# hessians: a jacobian sweep recorded by an outer tape, then swept in batch
# --------------------------------------------------------------------------

def _numeric_jacobian(f, x, eps=1e-6):
    y0 = np.asarray(f(x))
    J = np.zeros(y0.shape + x.shape)
    for idx in np.ndindex(*x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        J[(Ellipsis,) + idx] = (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * eps)
    return J


HESSIAN_CASES = [
    ("relu6", lambda x: tf.nn.relu6(x) * x, np.array([-1.0, 0.5, 3.0, 7.0])),
    ("leaky_relu", lambda x: tf.nn.leaky_relu(x) * x, np.array([-1.0, 0.5, 3.0])),
    ("elu", lambda x: tf.nn.elu(x), np.array([-1.0, 0.5, 3.0])),
    ("gelu", lambda x: tf.nn.gelu(x), np.array([-1.0, 0.5, 3.0])),
    ("gelu-approx", lambda x: tf.nn.gelu(x, approximate=True), np.array([-1.0, 0.5])),
    ("softplus", lambda x: tf.nn.softplus(x), np.array([-1.0, 0.5])),
    ("softmax", lambda x: tf.nn.softmax(tf.reshape(x, [2, 2]), axis=0), np.array([-1.0, 0.5, 0.2, 2.0])),
    ("log_softmax", lambda x: tf.nn.log_softmax(x), np.array([-1.0, 0.5, 0.2])),
    ("xent", lambda x: tf.nn.softmax_cross_entropy_with_logits(tf.constant([[0.2, 0.8, 0.0]]), tf.reshape(x, [1, 3])),
     np.array([-1.0, 0.5, 0.2])),
    ("sparse", lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant([2]), tf.reshape(x, [1, 3])),
     np.array([-1.0, 0.5, 0.2])),
    ("sigmoid_xent", lambda x: tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.constant([0.3, 1.0], tf.float64),
                                                                        logits=x), np.array([-1.0, 0.5])),
    ("l2_loss", lambda x: tf.nn.l2_loss(x * x), np.array([-1.0, 0.5])),
]


@pytest.mark.parametrize("name,fn,x", HESSIAN_CASES, ids=[c[0] for c in HESSIAN_CASES])
def test_hessian_by_nested_jacobians(name, fn, x):
    xt = tf.constant(x)
    with tf.GradientTape() as t2:
        t2.watch(xt)
        with tf.GradientTape() as t1:
            t1.watch(xt)
            y = fn(xt)
        j = t1.jacobian(y, xt)
    h = t2.jacobian(j, xt)

    def jac(v):
        vt = tf.constant(v)
        with tf.GradientTape() as t:
            t.watch(vt)
            yy = fn(vt)
        return to_np(t.jacobian(yy, vt))
    assert_close(j, jac(x), rtol=1e-12, atol=1e-14)
    assert_close(h, _numeric_jacobian(jac, x), rtol=1e-5, atol=1e-7)
