"""tf.GradientTape semantics: watching, persistence, nesting (higher
derivatives), structures, unconnected gradients, output_gradients,
stop_recording, reset, watched_variables and Python control flow."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, central_diff_grad, to_np

NON_PERSISTENT_MSG = ("A non-persistent GradientTape can only be used to compute "
                      "one set of gradients (or jacobians)")


# --------------------------------------------------------------------------
# basics
# --------------------------------------------------------------------------

def test_simple_square():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x)
    assert isinstance(g, tf.Tensor)
    assert g.dtype == tf.float32 and g.shape == ()
    assert float(g) == 6.0


def test_gradient_dtype_follows_source_float64():
    x = tf.constant([0.5, -1.0], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.exp(x))
    g = tape.gradient(y, x)
    assert g.dtype == tf.float64
    assert_close(g, np.exp([0.5, -1.0]), rtol=1e-14)


def test_tutorial_intermediate_values():
    # TensorFlow's autodiff guide: gradients w.r.t. intermediate tensors.
    x = tf.ones((2, 2))
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = tf.reduce_sum(x)
        z = tf.multiply(y, y)
    dz_dy = t.gradient(z, y)
    assert float(dz_dy) == 8.0
    dz_dx = t.gradient(z, x)
    assert dz_dx.shape == (2, 2) and dz_dx.dtype == tf.float32
    assert_equal(dz_dx, np.full((2, 2), 8.0, np.float32))
    assert str(dz_dx) == "fasttape.Tensor(\n[[8. 8.]\n [8. 8.]], shape=(2, 2), dtype=float32)"
    del t


def test_persistent_tape_allows_several_gradient_calls():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = y * y
    assert float(t.gradient(z, x)) == 108.0      # 4 x^3
    assert float(t.gradient(y, x)) == 6.0
    assert float(t.gradient(z, y)) == 18.0       # 2 y
    assert float(t.gradient(z, x)) == 108.0      # again


def test_non_persistent_second_call_raises():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    assert float(t.gradient(y, x)) == 6.0
    with pytest.raises(RuntimeError) as info:
        t.gradient(y, x)
    assert NON_PERSISTENT_MSG in str(info.value)


def test_gradient_inside_context_of_persistent_tape():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x * x
        g = t.gradient(y, x)
        y2 = y * 2.0
    assert float(g) == 12.0
    assert float(t.gradient(y2, x)) == 24.0


def test_gradient_of_source_itself_is_ones():
    x = tf.constant([[1.0, 2.0, 3.0]])
    with tf.GradientTape() as t:
        t.watch(x)
    assert_equal(t.gradient(x, x), np.ones((1, 3), np.float32))


def test_same_source_twice():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
    g = t.gradient(y, [x, x])
    assert float(g[0]) == 4.0 and float(g[1]) == 4.0


def test_tensor_used_many_times_accumulates():
    x = tf.constant(1.5, tf.float64)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x + tf.sin(x) * x - 3.0 * x + x
    expected = 2 * 1.5 + np.cos(1.5) * 1.5 + np.sin(1.5) - 3.0 + 1.0
    assert_close(t.gradient(y, x), np.float64(expected), rtol=1e-14)


# --------------------------------------------------------------------------
# what is and is not recorded
# --------------------------------------------------------------------------

def test_unwatched_tensor_gives_none():
    x = tf.constant(3.0)
    w = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(w)
        y = x * x * w
    g = t.gradient(y, [x, w])
    assert g[0] is None
    assert float(g[1]) == 9.0


def test_ops_before_watch_are_not_recorded():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = x * x               # x not watched yet
        t.watch(x)
        z = y * x               # only this multiply is recorded
    assert t.gradient(y, x) is None
    assert float(t.gradient(z, x)) == 9.0   # y is a constant here


def test_ops_outside_the_tape_are_not_recorded():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
    z = y * x                   # after the context: not recorded
    assert t.gradient(z, x) is None
    assert float(t.gradient(y, x)) == 4.0


def test_constants_created_inside_tape_are_not_sources():
    with tf.GradientTape() as t:
        c = tf.constant(2.0)
        y = c * c
    assert t.gradient(y, c) is None


def test_integer_sources_give_none():
    x = tf.constant(3)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y = x * x
        z = tf.cast(x, tf.float32) * 2.0
    assert t.gradient(y, x) is None
    assert t.gradient(z, x) is None


def test_cast_gradients():
    x = tf.constant([1.0, 2.0], tf.float64)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y32 = tf.cast(x, tf.float32) * tf.constant([3.0, 4.0])
        yi = tf.cast(x, tf.int32)
    g = t.gradient(y32, x)
    assert g.dtype == tf.float64
    assert_equal(g, np.array([3.0, 4.0]))
    assert t.gradient(yi, x) is None


# --------------------------------------------------------------------------
# structures
# --------------------------------------------------------------------------

def test_watch_nested_structure_and_structured_sources():
    a = tf.constant(1.0)
    b = tf.constant(2.0)
    c = tf.constant(3.0)
    d = tf.constant(4.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch([a, (b, {"c": c}), {"d": d}])
        y = a * b * c * d
    g = t.gradient(y, {"first": a, "rest": [b, (c, d)]})
    assert isinstance(g, dict) and set(g) == {"first", "rest"}
    assert isinstance(g["rest"], list) and isinstance(g["rest"][1], tuple)
    assert float(g["first"]) == 24.0
    assert float(g["rest"][0]) == 12.0
    assert float(g["rest"][1][0]) == 8.0
    assert float(g["rest"][1][1]) == 6.0
    gt = t.gradient(y, (a, b))
    assert isinstance(gt, tuple) and len(gt) == 2
    gl = t.gradient(y, [a])
    assert isinstance(gl, list) and len(gl) == 1 and float(gl[0]) == 24.0


def test_watch_tuple_and_dict_separately():
    x = tf.constant([1.0, 2.0])
    y = tf.constant([3.0, 4.0])
    with tf.GradientTape() as t:
        t.watch({"x": x, "y": y})
        z = tf.reduce_sum(x * y)
    gx, gy = t.gradient(z, (x, y))
    assert_equal(gx, np.array([3.0, 4.0], np.float32))
    assert_equal(gy, np.array([1.0, 2.0], np.float32))


def test_list_target_is_sum():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y1 = x * x
        y2 = x * x * x
        y3 = x * 5.0
    assert float(t.gradient([y1, y2], x)) == 4.0 + 12.0
    assert float(t.gradient((y1, y2, y3), x)) == 4.0 + 12.0 + 5.0
    assert float(t.gradient({"a": y1, "b": [y2]}, x)) == 16.0


def test_list_target_with_different_shapes():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y1 = x * 2.0                  # vector
        y2 = tf.reduce_sum(x * x)     # scalar
    assert_equal(t.gradient([y1, y2], x), np.array([4.0, 6.0, 8.0], np.float32))


# --------------------------------------------------------------------------
# unconnected gradients
# --------------------------------------------------------------------------

def test_unconnected_gradients_none_and_zero():
    x = tf.constant([[1.0, 2.0]], tf.float64)
    w = tf.constant([3.0, 4.0, 5.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, w])
        y = tf.reduce_sum(x * x)
    g = t.gradient(y, [x, w])
    assert g[1] is None
    assert_equal(g[0], np.array([[2.0, 4.0]]))
    g = t.gradient(y, [x, w], unconnected_gradients=tf.UnconnectedGradients.NONE)
    assert g[1] is None
    g = t.gradient(y, [x, w], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert isinstance(g[1], tf.Tensor)
    assert g[1].dtype == tf.float32 and g[1].shape == (3,)
    assert_equal(g[1], np.zeros(3, np.float32))
    assert_equal(g[0], np.array([[2.0, 4.0]]))


def test_unconnected_zero_for_unwatched_source():
    x = tf.constant([1.0, 2.0], tf.float64)
    with tf.GradientTape() as t:
        y = x * 2.0                 # x never watched
    g = t.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert g.dtype == tf.float64 and g.shape == (2,)
    assert_equal(g, np.zeros(2))


def test_unconnected_gradients_enum_members():
    assert tf.UnconnectedGradients.NONE != tf.UnconnectedGradients.ZERO
    assert tf.UnconnectedGradients.ZERO.value == "zero"
    assert tf.UnconnectedGradients.NONE.value == "none"


# --------------------------------------------------------------------------
# output_gradients
# --------------------------------------------------------------------------

def test_output_gradients_weight_the_vjp():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x                     # dy_i/dx_i = 2 x_i
    g = t.gradient(y, x, output_gradients=tf.constant([1.0, 10.0, 100.0]))
    assert_equal(g, np.array([2.0, 40.0, 600.0], np.float32))


def test_output_gradients_for_list_targets():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y1 = x * x
        y2 = x * 3.0
    g = t.gradient([y1, y2], x, output_gradients=[tf.constant(10.0), tf.constant(100.0)])
    assert float(g) == 10.0 * 4.0 + 100.0 * 3.0


def test_output_gradients_matrix_through_matmul():
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = np.array([[1.0, -1.0, 2.0], [0.5, 0.0, 1.0]])
    u = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]])
    ta, tb = tf.constant(a), tf.constant(b)
    with tf.GradientTape() as t:
        t.watch([ta, tb])
        y = tf.matmul(ta, tb)
    ga, gb = t.gradient(y, [ta, tb], output_gradients=tf.constant(u))
    assert_close(ga, u @ b.T, rtol=1e-14)
    assert_close(gb, a.T @ u, rtol=1e-14)


# --------------------------------------------------------------------------
# stop_recording / reset / watched_variables
# --------------------------------------------------------------------------

def test_stop_recording():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        with t.stop_recording():
            y = x * x               # treated as a constant
        z = y * x
    assert float(t.gradient(z, x)) == 9.0   # not 27


def test_stop_recording_then_records_again():
    x = tf.constant(2.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        with t.stop_recording():
            a = x * x
        b = x * x
    assert t.gradient(a, x) is None
    assert float(t.gradient(b, x)) == 4.0


def test_reset_discards_recorded_ops():
    v = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as t:
        loss = v * v
        t.reset()
        loss2 = v * v * v
    assert float(t.gradient(loss2, v)) == 12.0
    assert t.gradient(loss, v) is None


def test_reset_forgets_watched_tensors():
    x = tf.constant(3.0)
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        t.reset()
        y = x * x
        t.watch(x)
        z = x * 4.0
    assert t.gradient(y, x) is None
    assert float(t.gradient(z, x)) == 4.0


def test_reset_keeps_non_persistent_tape_usable_once():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        t.reset()
        t.watch(x)
        y = x * x * x
    assert float(t.gradient(y, x)) == 27.0
    with pytest.raises(RuntimeError):
        t.gradient(y, x)


def test_watched_variables():
    v1 = tf.Variable(1.0)
    v2 = tf.Variable(2.0)
    v3 = tf.Variable(3.0, trainable=False)
    x = tf.constant(1.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = v1 * 2.0 + v3 * x
    w = t.watched_variables()
    assert len(w) == 1 and w[0] is v1
    assert float(t.gradient(y, v1)) == 2.0

    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(v2)
        y = v1 * v2
    w = t.watched_variables()
    assert len(w) == 1 and w[0] is v2
    g1, g2 = t.gradient(y, [v1, v2])
    assert g1 is None and float(g2) == 1.0

    with tf.GradientTape() as t:
        t.watch(v3)
        _ = v1 + v2 + v3
    ids = {id(v) for v in t.watched_variables()}
    assert ids == {id(v1), id(v2), id(v3)}
    assert len(t.watched_variables()) == 3


# --------------------------------------------------------------------------
# higher derivatives via nested tapes
# --------------------------------------------------------------------------

def _sig(x):
    return 1.0 / (1.0 + np.exp(-x))


HIGHER = [
    ("x**3", lambda x: x ** 3.0, 1.3,
     lambda x: (3 * x ** 2, 6 * x, 6.0)),
    ("x*x*x", lambda x: x * x * x, -0.7,
     lambda x: (3 * x ** 2, 6 * x, 6.0)),
    ("pow(x,4)", lambda x: tf.pow(x, 4.0), 0.9,
     lambda x: (4 * x ** 3, 12 * x ** 2, 24 * x)),
    ("sin", lambda x: tf.sin(x), 0.7,
     lambda x: (np.cos(x), -np.sin(x), -np.cos(x))),
    ("cos", lambda x: tf.cos(x), 0.4,
     lambda x: (-np.sin(x), -np.cos(x), np.sin(x))),
    ("exp", lambda x: tf.exp(x), 0.3,
     lambda x: (np.exp(x),) * 3),
    ("log", lambda x: tf.math.log(x), 1.7,
     lambda x: (1 / x, -1 / x ** 2, 2 / x ** 3)),
    ("sqrt", lambda x: tf.sqrt(x), 1.4,
     lambda x: (0.5 * x ** -0.5, -0.25 * x ** -1.5, 0.375 * x ** -2.5)),
    ("1/x", lambda x: 1.0 / x, 0.8,
     lambda x: (-1 / x ** 2, 2 / x ** 3, -6 / x ** 4)),
    ("tanh", lambda x: tf.tanh(x), 0.6,
     lambda x: (1 - np.tanh(x) ** 2,
                -2 * np.tanh(x) * (1 - np.tanh(x) ** 2),
                -2 * (1 - np.tanh(x) ** 2) * (1 - 3 * np.tanh(x) ** 2))),
    ("sigmoid", lambda x: tf.sigmoid(x), -0.4,
     lambda x: (_sig(x) * (1 - _sig(x)),
                _sig(x) * (1 - _sig(x)) * (1 - 2 * _sig(x)),
                _sig(x) * (1 - _sig(x)) * (1 - 6 * _sig(x) + 6 * _sig(x) ** 2))),
    ("square*x", lambda x: tf.square(x) * x, 1.1,
     lambda x: (3 * x ** 2, 6 * x, 6.0)),
    ("x**x", lambda x: x ** x, 1.2,
     lambda x: (x ** x * (np.log(x) + 1),
                x ** x * ((np.log(x) + 1) ** 2 + 1 / x),
                x ** x * ((np.log(x) + 1) ** 3 + 3 * (np.log(x) + 1) / x - 1 / x ** 2))),
]


@pytest.mark.parametrize("name,fn,x0,derivs", HIGHER, ids=[h[0] for h in HIGHER])
def test_third_order_scalar(name, fn, x0, derivs):
    x = tf.constant(x0, tf.float64)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = fn(x)
            d1 = t1.gradient(y, x)
        d2 = t2.gradient(d1, x)
    d3 = t3.gradient(d2, x)
    e1, e2, e3 = derivs(x0)
    assert_close(d1, np.float64(e1), rtol=1e-12, atol=1e-14)
    assert_close(d2, np.float64(e2), rtol=1e-12, atol=1e-14)
    assert_close(d3, np.float64(e3), rtol=1e-12, atol=1e-14)


def test_third_order_with_variable_like_tf_guide():
    x = tf.Variable(1.0)
    with tf.GradientTape() as t3:
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x * x * x
            dy = t1.gradient(y, x)
        d2y = t2.gradient(dy, x)
    d3y = t3.gradient(d2y, x)
    assert float(dy) == 3.0
    assert float(d2y) == 6.0
    assert float(d3y) == 6.0


def test_mixed_second_partials():
    x = tf.constant(1.5, tf.float64)
    y = tf.constant(-0.5, tf.float64)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch([x, y])
        with tf.GradientTape() as inner:
            inner.watch([x, y])
            f = x * x * y + tf.sin(x * y)
        fx, fy = inner.gradient(f, [x, y])
    # d/dy f_x, d/dx f_y (equal), d/dx f_x
    fxy = outer.gradient(fx, y)
    fyx = outer.gradient(fy, x)
    fxx = outer.gradient(fx, x)
    xv, yv = 1.5, -0.5
    e_fxy = 2 * xv + np.cos(xv * yv) - xv * yv * np.sin(xv * yv)
    assert_close(fxy, np.float64(e_fxy), rtol=1e-13)
    assert_close(fyx, np.float64(e_fxy), rtol=1e-13)
    assert_close(fxx, np.float64(2 * yv - yv * yv * np.sin(xv * yv)), rtol=1e-13)


def test_second_order_of_vector_function_matches_hessian():
    # f(x) = sum(x^3) + (sum x)^2 ; Hessian = diag(6x) + 2
    xv = np.array([0.5, -1.0, 2.0])
    x = tf.constant(xv)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            f = tf.reduce_sum(x * x * x) + tf.square(tf.reduce_sum(x))
        g = inner.gradient(f, x)
        w = tf.constant([1.0, 2.0, 3.0], tf.float64)
        s = tf.reduce_sum(g * w)
    hv = outer.gradient(s, x)
    hess = np.diag(6 * xv) + 2.0
    assert_close(g, 3 * xv ** 2 + 2 * xv.sum(), rtol=1e-14)
    assert_close(hv, hess @ np.array([1.0, 2.0, 3.0]), rtol=1e-14)


def test_inner_persistent_tape_in_outer():
    x = tf.constant(2.0, tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape(persistent=True) as inner:
            inner.watch(x)
            y = x ** 3.0
        g1 = inner.gradient(y, x)
        g2 = inner.gradient(y, x)
        total = g1 + g2
    assert float(total) == 24.0
    assert float(outer.gradient(total, x)) == 24.0     # 2 * 6x


# --------------------------------------------------------------------------
# slicing, broadcasting and special points
# --------------------------------------------------------------------------

def test_slice_gradient_scatters_into_zeros():
    x = tf.constant(np.arange(12.0).reshape(3, 4))
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        y1 = tf.reduce_sum(x[1:, ::2] * 2.0)
        y2 = x[0, 0] + x[0, 0] + x[-1, -1]
        y3 = tf.reduce_sum(x[::-1, 1] * tf.constant([1.0, 10.0, 100.0], tf.float64))
        y4 = tf.reduce_sum(x[..., 0])
        y5 = tf.reduce_sum(x[:, None] * 3.0)
    e1 = np.zeros((3, 4))
    e1[1:, ::2] = 2.0
    assert_equal(t.gradient(y1, x), e1)
    e2 = np.zeros((3, 4))
    e2[0, 0] = 2.0
    e2[-1, -1] = 1.0
    assert_equal(t.gradient(y2, x), e2)
    e3 = np.zeros((3, 4))
    e3[:, 1] = [100.0, 10.0, 1.0]
    assert_equal(t.gradient(y3, x), e3)
    e4 = np.zeros((3, 4))
    e4[:, 0] = 1.0
    assert_equal(t.gradient(y4, x), e4)
    assert_equal(t.gradient(y5, x), np.full((3, 4), 3.0))


def test_broadcast_gradient_sums_to_input_shape():
    xv = np.arange(6.0).reshape(2, 3)
    bv = np.array([1.0, 2.0, 3.0])
    x, b = tf.constant(xv), tf.constant(bv)
    s = tf.constant(2.0, tf.float64)
    with tf.GradientTape() as t:
        t.watch([x, b, s])
        y = tf.reduce_sum((x + b) * s)
    gx, gb, gs = t.gradient(y, [x, b, s])
    assert_equal(gx, np.full((2, 3), 2.0))
    assert_equal(gb, np.full((3,), 4.0))
    assert gs.shape == ()
    assert_close(gs, np.float64((xv + bv).sum()), rtol=1e-14)


def test_reduce_mean_gradient():
    x = tf.constant(np.ones((2, 5)))
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_mean(x)
    assert_close(t.gradient(y, x), np.full((2, 5), 0.1), rtol=1e-15)


def test_kink_conventions_match_tensorflow():
    # TF: relu'(0) = 0, |x|'(0) = sign(0) = 0; maximum/minimum send the
    # whole gradient to x on ties (x >= y resp. x <= y).
    x = tf.constant([0.0, 1.0, -1.0])
    y = tf.constant([0.0, 0.0, 0.0])
    with tf.GradientTape(persistent=True) as t:
        t.watch([x, y])
        r = tf.nn.relu(x)
        a = tf.abs(x)
        mx = tf.maximum(x, y)
        mn = tf.minimum(x, y)
    assert_equal(t.gradient(r, x), np.array([0.0, 1.0, 0.0], np.float32))
    assert_equal(t.gradient(a, x), np.array([0.0, 1.0, -1.0], np.float32))
    gx, gy = t.gradient(mx, [x, y])
    assert_equal(gx, np.array([1.0, 1.0, 0.0], np.float32))
    assert_equal(gy, np.array([0.0, 0.0, 1.0], np.float32))
    gx, gy = t.gradient(mn, [x, y])
    assert_equal(gx, np.array([1.0, 0.0, 1.0], np.float32))
    assert_equal(gy, np.array([0.0, 1.0, 0.0], np.float32))


def test_where_gradient_routes_by_condition():
    x = tf.constant([1.0, -2.0, 3.0])
    y = tf.constant([10.0, 20.0, 30.0])
    with tf.GradientTape() as t:
        t.watch([x, y])
        z = tf.where(x > 0, x * x, y)
    gx, gy = t.gradient(z, [x, y])
    assert_equal(gx, np.array([2.0, 0.0, 6.0], np.float32))
    assert_equal(gy, np.array([0.0, 1.0, 0.0], np.float32))


def test_small_mlp_gradients_match_finite_differences():
    rng = np.random.default_rng(5)
    xv = rng.standard_normal((4, 3))
    target = rng.standard_normal((4, 2))
    params = [rng.standard_normal((3, 5)) * 0.5, rng.standard_normal(5) * 0.1,
              rng.standard_normal((5, 2)) * 0.5, rng.standard_normal(2) * 0.1]

    def ref(ps):
        w1, b1, w2, b2 = ps
        h = np.tanh(xv @ w1 + b1)
        p = _sig(h @ w2 + b2)
        return float(np.mean((p - target) ** 2))

    ts = [tf.constant(p) for p in params]
    with tf.GradientTape() as t:
        t.watch(ts)
        w1, b1, w2, b2 = ts
        h = tf.tanh(tf.matmul(tf.constant(xv), w1) + b1)
        p = tf.sigmoid(h @ w2 + b2)
        loss = tf.reduce_mean(tf.square(p - target))
    assert_close(loss, np.float64(ref(params)), rtol=1e-13)
    grads = t.gradient(loss, ts)
    numeric = central_diff_grad(ref, params, 1e-6)
    for g, n in zip(grads, numeric):
        assert_close(g, n, rtol=1e-6, atol=1e-9)


# --------------------------------------------------------------------------
# Python control flow
# --------------------------------------------------------------------------

def test_while_loop_on_tensor_value():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = x
        while tf.reduce_sum(y) < 100:
            y = y * 2
    assert_equal(y, np.array([64.0, 128.0], np.float32))
    assert_equal(t.gradient(y, x), np.array([64.0, 64.0], np.float32))


@pytest.mark.parametrize("x0,expected", [(2.0, 4.0), (-1.0, -3.0)])
def test_if_on_tensor_value(x0, expected):
    x = tf.constant(x0)
    with tf.GradientTape() as t:
        t.watch(x)
        if x > 0:
            y = x * x
        else:
            y = -3.0 * x
    assert float(t.gradient(y, x)) == expected


def test_for_loop_accumulates():
    x = tf.constant(1.5, tf.float64)
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.constant(1.0, tf.float64)
        for _ in range(4):
            y = y * x
    assert_close(t.gradient(y, x), np.float64(4 * 1.5 ** 3), rtol=1e-15)


def test_loop_over_rows():
    xv = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    x = tf.constant(xv)
    with tf.GradientTape() as t:
        t.watch(x)
        total = tf.constant(0.0, tf.float64)
        for i in range(len(x)):
            total = total + tf.reduce_sum(x[i] * x[i]) * float(i + 1)
    expected = 2 * xv * np.array([[1.0], [2.0], [3.0]])
    assert_close(t.gradient(total, x), expected, rtol=1e-15)


def test_long_chain_does_not_overflow_the_stack():
    x = tf.constant(1.0, tf.float64)
    n = 5000
    with tf.GradientTape() as t:
        t.watch(x)
        y = x
        for _ in range(n):
            y = y * 1.0001 + 0.0
    assert_close(t.gradient(y, x), np.float64(1.0001 ** n), rtol=1e-10)


def test_wide_fan_out_accumulates():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        total = tf.zeros([2])
        for k in range(200):
            total = total + x * float(k % 3)
    expected = float(sum(k % 3 for k in range(200)))
    assert_equal(t.gradient(total, x), np.full(2, expected, np.float32))


def test_pow_gradient_masks_log_of_nonpositive_base():
    # TF's Pow gradient w.r.t. the exponent uses log(x) only where x > 0
    # (0 elsewhere), so a zero or negative base gives no nan.
    x = tf.constant([0.0, -2.0, 3.0], tf.float64)
    y = tf.constant(2.0, tf.float64)
    with tf.GradientTape() as t:
        t.watch([x, y])
        z = tf.pow(x, y)
    gx, gy = t.gradient(z, [x, y])
    assert_close(gx, np.array([0.0, -4.0, 6.0]), rtol=1e-15)
    assert np.isfinite(to_np(gy))
    assert_close(gy, np.float64(9.0 * np.log(3.0)), rtol=1e-14)


def test_inner_tape_not_watching():
    x = tf.constant(2.0)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            y = x * x
        assert inner.gradient(y, x) is None
    assert float(outer.gradient(y, x)) == 4.0


def test_gradient_inside_non_persistent_context():
    x = tf.constant(3.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        g = t.gradient(y, x)
    assert float(g) == 6.0


def test_exception_inside_tape_context_pops_the_tape():
    x = tf.constant(3.0)
    with pytest.raises(ZeroDivisionError):
        with tf.GradientTape(persistent=True) as t:
            t.watch(x)
            y = x * x
            1 / 0
    z = x * x * x                    # after the failed block: not recorded
    assert t.gradient(z, x) is None
    assert float(t.gradient(y, x)) == 6.0
    with tf.GradientTape() as t2:
        t2.watch(x)
        w = x * 2.0
    assert float(t2.gradient(w, x)) == 2.0


def test_failed_op_inside_tape_leaves_it_usable():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as t:
        t.watch(x)
        with pytest.raises(tf.errors.InvalidArgumentError):
            x + tf.ones([3])
        y = tf.reduce_sum(x * x)
    assert_equal(t.gradient(y, x), np.array([2.0, 4.0], np.float32))


def test_intermediate_and_input_as_sources_together():
    x = tf.constant(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = x * x
        z = y * 3.0 + x
    gx, gy, gz = t.gradient(z, [x, y, z])
    assert float(gx) == 13.0        # 3 * 2x + 1
    assert float(gy) == 3.0
    assert float(gz) == 1.0


def test_empty_slice_gradient_is_zero():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.reduce_sum(x[2:1]) + tf.reduce_sum(x[1:]) * 0.0
    assert_equal(t.gradient(y, x), np.zeros(3, np.float32))


def test_watch_rejects_non_tensors():
    with tf.GradientTape() as t:
        with pytest.raises(ValueError):
            t.watch(1.0)
        with pytest.raises(ValueError):
            t.watch([tf.constant(1.0), "x"])


def test_tapes_are_thread_local():
    # As in TF, an active tape only records operations run on its own thread.
    import threading
    x = tf.constant(3.0)
    box = {}
    with tf.GradientTape(persistent=True) as t:
        t.watch(x)
        th = threading.Thread(target=lambda: box.setdefault("y", x * x))
        th.start()
        th.join()
        z = x * x
    assert float(box["y"]) == 9.0
    assert t.gradient(box["y"], x) is None
    assert float(t.gradient(z, x)) == 6.0


def test_concurrent_tapes_in_threads():
    import threading
    results = {}
    errors = []

    def work(k):
        try:
            rng = np.random.default_rng(k)
            xv = rng.standard_normal((40, 30))
            wv = rng.standard_normal((30, 20))
            x, w = tf.constant(xv), tf.Variable(wv)
            for _ in range(5):
                with tf.GradientTape() as t:
                    loss = tf.reduce_sum(tf.tanh(tf.matmul(x, w)))
                g = t.gradient(loss, w)
            results[k] = (to_np(g), xv.T @ (1 - np.tanh(xv @ wv) ** 2))
        except Exception as e:          # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    assert len(results) == 4
    for got, want in results.values():
        assert_close(got, want, rtol=1e-11, atol=1e-11)


def test_gradient_on_a_tape_never_entered_raises_as_tensorflow():
    # TensorFlow makes its tape when the block is entered; before that there
    # is nothing to differentiate.
    with pytest.raises(RuntimeError):
        tf.GradientTape().gradient(tf.constant(1.0), tf.constant(1.0))
    assert tf.GradientTape().watched_variables() == ()


# --------------------------------------------------------------------------
# behaviour as TensorFlow 2.21's (values from the documented maths)
# --------------------------------------------------------------------------

def test_watched_variables_come_back_in_creation_order():
    a, b, c = tf.Variable(1.0), tf.Variable(2.0), tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = c * b * a  # read in the opposite order
    assert tape.watched_variables() == (a, b, c)


def test_unknown_unconnected_gradients_names_the_value():
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="^Unknown value for unconnected_gradients: 'nonsense'$"):
        tape.gradient(y, x, unconnected_gradients="nonsense")


def test_batch_jacobian_needs_rank_two():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match=r"^Shape \(3,\) must have rank at least 2$"):
        tape.batch_jacobian(y, x)


@pytest.mark.parametrize("method", ["jacobian", "batch_jacobian"])
def test_jacobian_without_pfor_needs_a_persistent_tape(method):
    x = tf.constant([[1.0, 2.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(RuntimeError, match="persistent=True .* experimental_use_pfor=False"):
        getattr(tape, method)(y, x, experimental_use_pfor=False)


def test_custom_gradient_does_not_count_a_variable_argument_as_captured():
    @tf.custom_gradient
    def sq(x):
        def grad_fn(dy):
            return dy * (2.0 * x + 1.0)   # d/dx (x^2 + x)
        return x * x + x, grad_fn

    v = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = sq(v)
    assert tape.gradient(y, v).numpy() == 7.0


def test_identity_and_variable_reads_are_watched_apart():
    # TensorFlow: d(2x + 3 identity(x)) watched separately is [2, 3]; two
    # reads of one Variable are two tensors, so d(a*b) = [b, a] = [1, 1].
    x = tf.constant(10.0)
    x1 = tf.identity(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        tape.watch(x1)
        loss = x * 2.0 + x1 * 3.0
    assert [float(g) for g in tape.gradient(loss, [x, x1])] == [2.0, 3.0]
    v = tf.Variable(1.0)
    a, b = tf.convert_to_tensor(v), tf.convert_to_tensor(v)
    assert a is not b
    with tf.GradientTape() as tape:
        tape.watch(a)
        tape.watch(b)
        y = a * b
    assert [float(g) for g in tape.gradient(y, [a, b])] == [1.0, 1.0]
    # Reads under a tape still carry the gradient to the variable: d(v^3)/dv = 3.
    with tf.GradientTape() as tape:
        y = tf.identity(v) * tf.convert_to_tensor(v) * v.read_value()
    assert float(tape.gradient(y, v)) == 3.0


def test_inner_accumulator_does_not_track_the_outer_ones_tangents():
    # TensorFlow: the outer accumulator sees the inner one's JVP ops
    # (forward-over-forward), not the other way round.
    x = tf.constant(2.0, tf.float64)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0, tf.float64)) as outer:
        with tf.autodiff.ForwardAccumulator(x, tf.constant(1.0, tf.float64)) as inner:
            y = x ** 3.5
        assert inner.jvp(outer.jvp(y)) is None
        np.testing.assert_allclose(float(outer.jvp(inner.jvp(y))), 3.5 * 2.5 * 2.0 ** 1.5, rtol=1e-12)


def test_numpy_target_gets_a_clear_error():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as tape:
        y = np.square(v)
    with pytest.raises(TypeError, match="computed by numpy"):
        tape.gradient(y, v)


def test_numpy_dtypes_without_a_fasttape_dtype_are_refused():
    with pytest.raises(TypeError, match="no uint8 tensors"):
        tf.constant(np.array([1, 2], np.uint8))
    with pytest.raises(TypeError, match="no float16 tensors"):
        tf.convert_to_tensor(np.ones(2, np.float16))
    np.testing.assert_array_equal(tf.cast(np.array([1, 255], np.uint8), tf.float32).numpy(), [1.0, 255.0])
    assert tf.constant(np.array([1, 2], np.uint8), dtype=tf.int32).dtype == tf.int32


def test_unknown_keywords_get_tensorflows_type_error():
    x = tf.constant([[1.0, 2.0]])
    with pytest.raises(TypeError, match=r"^reduce_sum\(\) got an unexpected keyword argument 'axes'$"):
        tf.reduce_sum(x, axes=1)
    with pytest.raises(TypeError, match=r"^matmul\(\) got an unexpected keyword argument 'foo'$"):
        tf.matmul(x, x, foo=1)
    with pytest.raises(TypeError, match=r"takes at most 4 positional arguments \(5 given\)"):
        tf.reduce_sum(x, 1, True, None, 5)
    with pytest.raises(TypeError, match="got multiple values for argument 'x'"):
        tf.add(x, x, x=3)
    # Calls that need pybind11's conversions still work; the wrapper keeps the op's name and doc.
    assert tf.reduce_sum(x, 1, np.bool_(True)).shape == (1, 1)
    assert tf.reduce_sum.__name__ == "reduce_sum" and tf.reduce_sum.__doc__.startswith("reduce_sum(")
