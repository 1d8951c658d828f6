"""The sweep carries one-element gradients as plain numbers through ops that
have a scalar rule. Those gradients must be bit-identical to the ones the
tensor VJPs give. The sweep takes the tensor path when some other tape is
active (it could record the sweep), so the reference is the same gradient
computed under an unrelated outer tape."""
import math

import numpy as np
import pytest

import fasttape as tf

UNARY = {
    "square": tf.square,
    "sqrt": lambda v: tf.sqrt(tf.abs(v) + 0.5),
    "exp": lambda v: tf.exp(v * 0.1),
    "log": lambda v: tf.math.log(tf.abs(v) + 0.25),
    "reciprocal": lambda v: tf.math.reciprocal(v + 3.0),
    "abs": tf.abs,
    "relu": tf.nn.relu,
    "negative": tf.negative,
    "tanh": tf.tanh,
    "sigmoid": tf.sigmoid,
    "sin": tf.sin,
    "tan": lambda v: tf.tan(v * 0.3),
    "erf": tf.math.erf,
}


def chain(x, c, names):
    """A chain mixing every binary op with constants and the unary ops."""
    y = x
    for i, name in enumerate(names):
        y = UNARY[name](y)
        y = y * c + 0.37
        y = (y - x) / (c + 1.5)
        y = y + x * y  # fan-out: x and y both feed several records
        if i % 2:
            y = 1.0 / (y * y + 1.0)
    return y


def grads_both_paths(fn, value, dtype):
    """(scalar path, tensor path) gradients of fn at value."""
    out = []
    for under_outer in (False, True):
        x = tf.constant(value, dtype=dtype)
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = fn(x)
        if under_outer:
            with tf.GradientTape():
                out.append(tape.gradient(y, x).numpy())
        else:
            out.append(tape.gradient(y, x).numpy())
    return out


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
@pytest.mark.parametrize("value", [-1.7, -0.3, 0.0, 0.6, 2.2])
def test_scalar_path_matches_tensor_path_bitwise(dtype, value):
    names = list(UNARY)
    c = tf.constant(1.0001, dtype=dtype)
    gs, gt = grads_both_paths(lambda v: chain(v, c, names), value, dtype)
    assert gs.dtype == gt.dtype == dtype.as_numpy_dtype
    assert gs.shape == gt.shape == ()
    assert np.array_equal(gs, gt, equal_nan=True), (gs, gt)


def test_scalar_path_float32_rounds_every_step():
    # x * 1.0001 repeated: in float32 every product is rounded; the gradient
    # must be the float32 product of the factors, not the float64 one.
    x = tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for _ in range(1000):
            y = y * 1.0001 + 0.0001
    g = tape.gradient(y, x)
    want = np.float32(1.0)
    for _ in range(1000):
        want = np.float32(want * np.float32(1.0001))
    assert g.dtype == tf.float32
    assert g.numpy() == want
    assert abs(float(g.numpy()) - 1.0001 ** 1000) < 1e-3


def test_scalar_path_against_finite_differences_float64():
    c = tf.constant(0.9, dtype=tf.float64)
    names = ["square", "exp", "log", "reciprocal"]
    f = lambda v: chain(v, c, names)
    x0 = 0.7
    x = tf.constant(x0, dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = f(x)
    g = float(tape.gradient(y, x).numpy())
    h = 1e-6
    fd = (float(f(tf.constant(x0 + h, dtype=tf.float64)).numpy()) -
          float(f(tf.constant(x0 - h, dtype=tf.float64)).numpy())) / (2 * h)
    assert g == pytest.approx(fd, rel=1e-7)


def test_mixed_scalar_and_tensor_records():
    # A vector reduced to a scalar, a scalar chain, then broadcast back: the
    # gradient crosses between the two representations twice.
    x = tf.constant([0.5, -1.25, 2.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        s = tf.reduce_sum(x * x)          # tensor records
        t = s * 3.0 - s / 2.0             # scalar records
        u = tf.reduce_sum(x * t)          # tensor records reading the scalar
    g = tape.gradient(u, x).numpy()
    xv = np.array([0.5, -1.25, 2.0])
    ssum = (xv * xv).sum()
    # u = (sum x) * 2.5 * sum(x^2): du/dx = 2.5 * sum(x^2) + 2.5 * sum(x) * 2x
    want = 2.5 * ssum + 2.5 * xv.sum() * 2 * xv
    np.testing.assert_allclose(g, want, rtol=1e-14)


def test_intermediate_source_target_and_output_gradients():
    x = tf.constant(1.5)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x          # an intermediate we also ask about
        z = y * 2.0 + y
    gx, gy = tape.gradient(z, [x, y])
    assert gx.numpy() == np.float32(3.0 * 2 * 1.5) and gy.numpy() == np.float32(3.0)
    # Target that is also a source; output_gradients scale the seed.
    gz, gx2 = tape.gradient(z, [z, x], output_gradients=tf.constant(2.0))
    assert gz.numpy() == 2.0 and gx2.numpy() == np.float32(2 * 9.0)
    # A persistent tape gives the same answer twice.
    assert tape.gradient(z, x).numpy() == gx.numpy()
    del tape


def test_shape_one_slots_keep_their_shape():
    x = tf.constant([[2.0]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * 3.0 + tf.constant(1.0)   # [1,1] with a 0-d constant
        z = tf.reduce_sum(y * y)
    g = tape.gradient(z, x)
    assert g.shape == (1, 1)
    assert g.numpy()[0, 0] == np.float32(2 * 7.0 * 3.0)


def test_nested_tapes_still_record_the_sweep():
    # Under an outer tape the sweep must run through tensor VJPs so the outer
    # tape sees it: d2/dx2 of x^3 / (x + 1).
    x = tf.constant(0.8, dtype=tf.float64)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x * x * x / (x + 1.0)
        dy = inner.gradient(y, x)
    d2 = float(outer.gradient(dy, x).numpy())
    xv = 0.8
    # y = x^3/(x+1): y'' = (2x^3 + 6x^2 + 6x) / (x+1)^3
    want = (2 * xv**3 + 6 * xv**2 + 6 * xv) / (xv + 1) ** 3
    assert d2 == pytest.approx(want, rel=1e-12)
    assert float(dy.numpy()) == pytest.approx((2 * xv**3 + 3 * xv**2) / (xv + 1) ** 2, rel=1e-12)


def test_unconnected_and_nan():
    x = tf.constant(2.0)
    w = tf.constant(5.0)
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.math.log(x - 2.0) * x   # log(0) = -inf
    gx, gw = tape.gradient(y, [x, w])
    assert gw is None
    # d/dx = x / (x - 2) + log(x - 2) = inf + (-inf)
    assert math.isnan(float(gx.numpy()))
