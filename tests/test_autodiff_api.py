"""jacobian / batch_jacobian, ForwardAccumulator, custom_gradient,
stop_gradient, check_numerics, and the small numpy-backed helpers
(random, linspace, norm, clip_by_norm). Expected values come from the
closed-form derivatives."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close


def _rng(seed=0):
    return np.random.default_rng(seed)


# ---------------------------------------------------------------- jacobians
def test_jacobian_matches_rowwise_gradients_and_closed_form():
    rng = _rng(1)
    W = tf.constant(rng.standard_normal((4, 3)))
    x = tf.constant(rng.standard_normal(3))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([W, x])
        y = tf.tanh(tf.reshape(tf.matmul(W, tf.reshape(x, [3, 1])), [4]))
        rows = [y[i] for i in range(4)]
    jx = tape.jacobian(y, x)
    jw = tape.jacobian(y, W)
    assert jx.shape == (4, 3) and jw.shape == (4, 4, 3)
    pre = W.numpy() @ x.numpy()
    d = 1 - np.tanh(pre) ** 2
    assert_close(jx, d[:, None] * W.numpy(), rtol=1e-12, atol=1e-12)
    expect_w = np.zeros((4, 4, 3))
    for i in range(4):
        expect_w[i, i, :] = d[i] * x.numpy()
    assert_close(jw, expect_w, rtol=1e-12, atol=1e-12)
    for i in range(4):
        assert_close(tape.gradient(rows[i], x), jx.numpy()[i], rtol=1e-12, atol=1e-12)


def test_jacobian_of_matrix_target_and_nested_sources():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]], tf.float64)
    s = tf.constant(0.5, tf.float64)
    with tf.GradientTape() as tape:
        tape.watch([x, s])
        y = x * x * s
    j = tape.jacobian(y, {"x": x, "s": s})
    assert j["x"].shape == (2, 2, 2, 2) and j["s"].shape == (2, 2)
    expect = np.zeros((2, 2, 2, 2))
    for a in range(2):
        for b in range(2):
            expect[a, b, a, b] = 2 * x.numpy()[a, b] * 0.5
    assert_close(j["x"], expect)
    assert_close(j["s"], x.numpy() ** 2)


def test_jacobian_unconnected_none_and_zero():
    x = tf.constant([1.0, 2.0])
    z = tf.constant([3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, z])
        y = x * 2.0
    assert tape.jacobian(y, z) is None
    zero = tape.jacobian(y, z, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert zero.shape == (2, 1) and np.all(zero.numpy() == 0)


def test_batch_jacobian_equals_diagonal_blocks_of_full_jacobian():
    rng = _rng(2)
    x = tf.constant(rng.standard_normal((5, 3)))
    W = tf.constant(rng.standard_normal((3, 4)))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sigmoid(tf.matmul(x, W))
    bj = tape.batch_jacobian(y, x)
    full = tape.jacobian(y, x)
    assert bj.shape == (5, 4, 3) and full.shape == (5, 4, 5, 3)
    for b in range(5):
        assert_close(bj.numpy()[b], full.numpy()[b, :, b, :], rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError):
        tape.batch_jacobian(y, tf.constant([1.0, 2.0]))


def test_jacobian_non_persistent_tape_single_use():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    tape.jacobian(y, x)
    with pytest.raises(RuntimeError, match="non-persistent"):
        tape.jacobian(y, x)


def test_hessian_by_nested_jacobian():
    x = tf.constant([0.3, -0.7, 1.1], tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            f = tf.reduce_sum(tf.sin(x) * tf.reduce_sum(x))
        g = inner.gradient(f, x)
    h = outer.jacobian(g, x)
    xv = x.numpy()
    s = xv.sum()
    expect = np.add.outer(np.cos(xv), np.cos(xv)) + np.diag(-np.sin(xv) * s)
    assert_close(h, expect, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- forward mode
def test_forward_accumulator_jvp_closed_form():
    x = tf.constant([1.0, 2.0], tf.float64)
    v = tf.constant([0.5, -1.0], tf.float64)
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        y = tf.reduce_sum(tf.sin(x) * x)
        unrelated = tf.constant(3.0) * 2.0
    xv, vv = x.numpy(), v.numpy()
    assert_close(acc.jvp(y), np.sum((np.cos(xv) * xv + np.sin(xv)) * vv))
    assert acc.jvp(unrelated) is None
    assert acc.jvp(unrelated, unconnected_gradients=tf.UnconnectedGradients.ZERO).numpy() == 0


def test_forward_over_backward_and_backward_over_forward_hvp():
    x = tf.constant([1.0, 2.0, -0.5], tf.float64)
    v = tf.constant([0.5, -1.0, 2.0], tf.float64)
    expect = 6 * x.numpy() * v.numpy()  # Hessian of sum(x^3) is diag(6x)
    with tf.autodiff.ForwardAccumulator(x, v) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_sum(x ** 3)
        g = tape.gradient(y, x)
    assert_close(acc.jvp(g), expect)
    with tf.GradientTape() as tape:
        tape.watch(x)
        with tf.autodiff.ForwardAccumulator(x, v) as acc:
            y = tf.reduce_sum(x ** 3)
        jv = acc.jvp(y)
    assert_close(tape.gradient(jv, x), expect)


def test_nested_accumulators_give_second_directional_derivative():
    x = tf.constant(0.7, tf.float64)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0, tf.float64)) as outer:
        with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0, tf.float64)) as inner:
            y = tf.exp(tf.sin(x))
        dy = inner.jvp(y)
    d2y = outer.jvp(dy)
    s, c = np.sin(0.7), np.cos(0.7)
    assert_close(dy, np.exp(s) * c)
    assert_close(d2y, np.exp(s) * (c * c - s))


def test_forward_accumulator_with_variable_and_structure_errors():
    v = tf.Variable([1.0, 2.0])
    with tf.autodiff.ForwardAccumulator(v, tf.constant([1.0, 0.0])) as acc:
        y = v * v
    assert_close(acc.jvp(y), [2.0, 0.0])
    with pytest.raises(ValueError):
        tf.autodiff.ForwardAccumulator([v], [])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.autodiff.ForwardAccumulator(tf.constant([1.0, 2.0]), tf.constant([1.0]))


# ---------------------------------------------------------------- custom gradients
def test_custom_gradient_replaces_the_gradient():
    @tf.custom_gradient
    def clipped_identity(x):
        def grad(dy):
            return tf.minimum(dy, 0.5)
        return tf.identity(x), grad

    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = clipped_identity(x) * 3.0
    assert_close(tape.gradient(y, x), [0.5, 0.5])


def test_custom_gradient_second_order_uses_the_grad_fn_ops():
    @tf.custom_gradient
    def cube(x):
        def grad(dy):
            return dy * 3.0 * x * x
        return x * x * x, grad

    x = tf.constant(2.0, tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = cube(x)
        g = inner.gradient(y, x)
    assert_close(g, 12.0)
    assert_close(outer.gradient(g, x), 12.0)


def test_custom_gradient_with_variables():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def scale(x):
        def grad(dy, variables=None):
            return dy * w, [dy * x * 10.0]
        return x * w, grad

    x = tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = scale(x)
    gx, gw = tape.gradient(y, [x, w])
    assert_close(gx, 3.0)
    assert_close(gw, 20.0)  # the custom rule, not the true 2.0


def test_custom_gradient_with_variables_requires_keyword():
    w = tf.Variable(3.0)

    @tf.custom_gradient
    def scale(x):
        return x * w, lambda dy: dy * w

    with tf.GradientTape():
        with pytest.raises(TypeError, match="variables"):
            scale(tf.constant(1.0))


def test_custom_gradient_wrong_number_of_gradients():
    @tf.custom_gradient
    def f(x, y):
        return x * y, lambda dy: dy

    a, b = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        z = f(a, b)
    with pytest.raises(ValueError, match="2 inputs"):
        tape.gradient(z, [a, b])


def test_jacobian_through_custom_gradient_falls_back_to_rows():
    @tf.custom_gradient
    def sq(x):
        return x * x, lambda dy: dy * 2.0 * x

    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = sq(x)
    assert_close(tape.jacobian(y, x), np.diag([2.0, 4.0, 6.0]))


# ---------------------------------------------------------------- stop_gradient, check_numerics
def test_stop_gradient_blocks_gradient_and_tangent():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x + tf.stop_gradient(x * x)
    assert_close(y, 8.0)
    assert_close(tape.gradient(y, x), 4.0)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0)) as acc:
        z = tf.stop_gradient(x * 3.0)
    assert acc.jvp(z) is None


def test_check_numerics():
    x = tf.constant([1.0, 2.0])
    assert tf.debugging.check_numerics(x, "ok") .numpy().tolist() == [1.0, 2.0]
    with pytest.raises(tf.errors.InvalidArgumentError, match="bad input : Tensor had NaN values"):
        tf.debugging.check_numerics(tf.constant([1.0, np.nan]), "bad input")
    with pytest.raises(tf.errors.InvalidArgumentError, match="Inf"):
        tf.debugging.check_numerics(tf.constant([np.inf]), "m")
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.debugging.check_numerics(x, "x") * tf.constant([0.0, 0.0]) / 0.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="gradient"):
        tape.gradient(y, x)


# ---------------------------------------------------------------- numpy-backed helpers
def test_random_is_repeatable_with_seeds_and_has_right_dtypes():
    tf.random.set_seed(7)
    a = tf.random.normal([3, 4])
    tf.random.set_seed(7)
    b = tf.random.normal([3, 4])
    assert a.dtype == tf.float32 and a.shape == (3, 4)
    assert np.array_equal(a.numpy(), b.numpy())
    u = tf.random.uniform([1000], minval=-1.0, maxval=2.0, dtype=tf.float64, seed=3)
    assert u.dtype == tf.float64 and u.numpy().min() >= -1.0 and u.numpy().max() < 2.0
    i = tf.random.uniform([50], maxval=5, dtype=tf.int32, seed=1)
    assert i.dtype == tf.int32 and set(i.numpy().tolist()) <= set(range(5))
    t = tf.random.truncated_normal([2000], seed=2)
    assert np.abs(t.numpy()).max() <= 2.0
    with pytest.raises(ValueError):
        tf.random.uniform([2], dtype=tf.int32)


def test_linspace_norm_clip_by_norm():
    ls = tf.linspace(-10.0, 10.0, 201)
    assert ls.dtype == tf.float32 and ls.shape == (201,)
    assert ls.numpy()[0] == -10.0 and ls.numpy()[-1] == 10.0 and ls.numpy()[100] == 0.0
    x = tf.constant([3.0, 4.0], tf.float64)
    assert_close(tf.norm(x), 5.0)
    assert_close(tf.norm(x, ord=1), 7.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.clip_by_norm(x, 1.0))
    # y = sum(x)/|x|: dy/dx = 1/|x| - sum(x) x / |x|^3
    expect = 1 / 5.0 - 7.0 * x.numpy() / 125.0
    assert_close(tape.gradient(y, x), expect)
    small = tf.clip_by_norm(tf.constant([0.3, 0.4]), 1.0)
    assert_close(small, [0.3, 0.4])
    zero = tf.constant([0.0, 0.0])
    with tf.GradientTape() as tape:
        tape.watch(zero)
        z = tf.reduce_sum(tf.clip_by_norm(zero, 1.0))
    assert np.all(np.isfinite(tape.gradient(z, zero).numpy()))


def test_config_threading_and_devices():
    before = tf.config.threading.get_intra_op_parallelism_threads()
    assert before >= 1
    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        assert tf.config.threading.get_intra_op_parallelism_threads() == 1
        # results do not depend on the thread count
        x = tf.constant(np.arange(200_000, dtype=np.float64))
        one = tf.reduce_sum(tf.sin(x)).numpy()
        tf.config.threading.set_intra_op_parallelism_threads(2)
        assert tf.reduce_sum(tf.sin(x)).numpy() == pytest.approx(one, rel=1e-12)
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(0)
    assert tf.config.threading.get_intra_op_parallelism_threads() == before
    with pytest.raises(ValueError):
        tf.config.threading.set_intra_op_parallelism_threads(-1)
    assert tf.config.list_physical_devices("GPU") == []
    assert tf.config.list_physical_devices("CPU")[0].device_type == "CPU"
    assert "threads" in tf.show_config()


@pytest.mark.parametrize("k", [-2, -1, 0, 1, 2, 3])
def test_diag_part_offsets_and_gradient(k):
    a = np.arange(24.0).reshape(2, 3, 4)
    x = tf.constant(a)
    with tf.GradientTape() as tape:
        tape.watch(x)
        d = tf.linalg.diag_part(x, k=k)
        y = tf.reduce_sum(d * d)
    want = np.diagonal(a, k, axis1=-2, axis2=-1)
    assert_close(d, want)
    g = np.zeros_like(a)
    m, n = a.shape[-2:]
    for i in range(m):
        if 0 <= i + k < n:
            g[:, i, i + k] = 2 * a[:, i, i + k]
    assert_close(tape.gradient(y, x), g)


def test_diag_part_errors():
    x = tf.constant(np.ones((3, 4)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        tf.linalg.diag_part(x, k=4)
    with pytest.raises(ValueError, match="band"):
        tf.linalg.diag_part(x, k=(0, 1))
    assert_close(tf.linalg.diag_part(x, k=tf.constant([1, 1])), np.ones(3))


def test_persistent_tape_records_its_own_gradient_inside_its_context():
    # TensorFlow: gradient() on a persistent tape inside its `with` block is
    # itself recorded, so the same tape gives the second derivative.
    x = tf.constant(0.8, tf.float64)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.sin(x) * x * x
        dy = tape.gradient(y, x)
    d2y = tape.gradient(dy, x)
    s, c = np.sin(0.8), np.cos(0.8)
    assert_close(dy, c * 0.64 + 2 * 0.8 * s)
    assert_close(d2y, -s * 0.64 + 4 * 0.8 * c + 2 * s)


def test_variable_shape_argument_is_checked():
    v = tf.Variable([[1.0, 2.0]], shape=(1, 2))
    assert v.shape == (1, 2)
    tf.Variable([[1.0, 2.0]], shape=[None, 2])
    with pytest.raises(ValueError, match="not compatible"):
        tf.Variable([1.0, 2.0], shape=(3,))
