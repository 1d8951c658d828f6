"""The examples of TensorFlow's two autodiff guides, run against fasttape.

* "Introduction to gradients and automatic differentiation"
  (tensorflow.org/guide/autodiff)            -> tests named ``test_autodiff_*``
* "Advanced automatic differentiation"
  (tensorflow.org/guide/advanced_autodiff)   -> tests named ``test_advanced_*``

One test per example, named after the guide section it comes from. Each test
runs the example's program the way a TensorFlow user would write it (only the
import differs) and asserts what TensorFlow documents for it: the values the
guide states, shapes, ``None`` gradients and errors. Expected values are worked
out from the mathematics of the example, not taken from fasttape's output.

Examples built on Keras layers are rewritten with plain Variables and matmul
(``dense`` below is what ``tf.keras.layers.Dense`` computes: ``act(x @ kernel
+ bias)`` with a zero bias). Where the guide draws random inputs, the tests
assert shapes and identities that hold for any draw, and recompute the exact
derivative in numpy from the drawn values.

Not ported: the SavedModel example (needs tf.function / tf.saved_model, which
are outside a tape library) and the plotting cells.
"""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, to_np


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-np.asarray(x, np.float64)))


class _Dense:
    """A stand-in for ``tf.keras.layers.Dense(units, activation)``: a kernel
    Variable of shape (in, units), a zero bias, ``act(x @ kernel + bias)``."""

    def __init__(self, n_in, units, activation=None):
        self.kernel = tf.Variable(tf.random.normal((n_in, units)) * 0.5,
                                  name='kernel')
        self.bias = tf.Variable(tf.zeros(units), name='bias')
        self.activation = activation

    @property
    def trainable_variables(self):
        return [self.kernel, self.bias]

    def __call__(self, x):
        y = tf.matmul(x, self.kernel) + self.bias
        return self.activation(y) if self.activation is not None else y


# ==========================================================================
# Guide 1: Introduction to gradients and automatic differentiation
# ==========================================================================

def test_autodiff_gradient_tapes_scalar():
    x = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        y = x**2
    dy_dx = tape.gradient(y, x)
    # dy = 2x dx, at x = 3
    assert dy_dx.shape == ()
    assert dy_dx.numpy() == 6.0


def test_autodiff_gradient_tapes_tensor_sources_list_and_dict():
    w = tf.Variable(tf.random.normal((3, 2)), name='w')
    b = tf.Variable(tf.zeros(2, dtype=tf.float32), name='b')
    x = [[1., 2., 3.]]

    with tf.GradientTape(persistent=True) as tape:
        y = x @ w + b
        loss = tf.reduce_mean(y**2)

    [dl_dw, dl_db] = tape.gradient(loss, [w, b])
    # The gradient has the shape of its source.
    assert w.shape == (3, 2)
    assert dl_dw.shape == (3, 2)
    assert dl_db.shape == (2,)

    # loss = (y0^2 + y1^2) / 2  =>  dl/dy = y;  y = x @ w + b
    y_np = np.array(x, np.float64) @ to_np(w).astype(np.float64)
    assert_close(dl_db, y_np[0], rtol=1e-5, atol=1e-6)
    assert_close(dl_dw, np.outer(x[0], y_np[0]), rtol=1e-5, atol=1e-5)

    # The same call with a dictionary of sources returns a dictionary.
    my_vars = {'w': w, 'b': b}
    grad = tape.gradient(loss, my_vars)
    assert isinstance(grad, dict) and set(grad) == {'w', 'b'}
    assert_close(grad['b'], to_np(dl_db), rtol=1e-6)
    assert_close(grad['w'], to_np(dl_dw), rtol=1e-6)
    del tape


def test_autodiff_gradients_with_respect_to_a_model():
    # Keras Dense(2, activation='relu') on a (1, 3) input, as Variables.
    layer = _Dense(3, 2, activation=tf.nn.relu)
    x = tf.constant([[1., 2., 3.]])

    with tf.GradientTape() as tape:
        y = layer(x)
        loss = tf.reduce_mean(y**2)
    grad = tape.gradient(loss, layer.trainable_variables)

    assert isinstance(grad, list) and len(grad) == 2
    assert [tuple(g.shape) for g in grad] == [(3, 2), (2,)]
    # dl/dy = y, and relu passes it exactly where y > 0 (where y == 0 the
    # gradient is 0 either way), so dl/dbias = y and dl/dkernel = x^T y.
    y_np = to_np(y)[0].astype(np.float64)
    assert_close(grad[1], y_np, rtol=1e-5, atol=1e-6)
    assert_close(grad[0], np.outer([1., 2., 3.], y_np), rtol=1e-5, atol=1e-5)


def test_autodiff_controlling_what_the_tape_watches():
    x0 = tf.Variable(3.0, name='x0')                   # trainable
    x1 = tf.Variable(3.0, name='x1', trainable=False)  # not trainable
    x2 = tf.Variable(2.0, name='x2') + 1.0             # a Tensor, not a Variable
    x3 = tf.constant(3.0, name='x3')                   # not a Variable

    assert isinstance(x2, tf.Tensor) and not isinstance(x2, tf.Variable)

    with tf.GradientTape() as tape:
        y = (x0**2) + (x1**2) + (x2**2)

    grad = tape.gradient(y, [x0, x1, x2, x3])
    assert len(grad) == 4
    assert grad[0].numpy() == 6.0   # 2 * x0
    assert grad[1] is None
    assert grad[2] is None
    assert grad[3] is None

    # Only the trainable variable that was read is watched.
    assert [var.name for var in tape.watched_variables()] == ['x0:0']


def test_autodiff_controlling_what_the_tape_watches_watch_tensor():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x**2
    dy_dx = tape.gradient(y, x)
    assert dy_dx.numpy() == 6.0


def test_autodiff_controlling_what_the_tape_watches_watch_accessed_variables_false():
    x0 = tf.Variable(0.0)
    x1 = tf.Variable(10.0)

    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(x1)
        y0 = tf.math.sin(x0)
        y1 = tf.nn.softplus(x1)
        y = y0 + y1
        ys = tf.reduce_sum(y)

    grad = tape.gradient(ys, {'x0': x0, 'x1': x1})
    assert grad['x0'] is None
    # d softplus(x1)/dx1 = exp(x1) / (1 + exp(x1)) = sigmoid(x1)
    assert_close(grad['x1'], _sigmoid(10.0), rtol=1e-6)


def test_autodiff_intermediate_results():
    x = tf.constant(3.0)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    # dz/dy = 2 y, y = x^2 = 9
    assert tape.gradient(z, y).numpy() == 18.0


def test_autodiff_intermediate_results_persistent_tape():
    x = tf.constant([1, 3.0])
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = x * x
        z = y * y
    assert_close(tape.gradient(z, x), np.array([4.0, 108.0], np.float32))  # 4 x^3
    assert_close(tape.gradient(y, x), np.array([2.0, 6.0], np.float32))    # 2 x
    # Still usable for a third call; released when the tape is dropped.
    assert_close(tape.gradient(z, y), np.array([2.0, 18.0], np.float32))   # 2 y
    del tape


def test_autodiff_gradients_of_non_scalar_targets_separate():
    x = tf.Variable(2.0)
    with tf.GradientTape(persistent=True) as tape:
        y0 = x**2
        y1 = 1 / x
    assert tape.gradient(y0, x).numpy() == 4.0    # 2 x
    assert tape.gradient(y1, x).numpy() == -0.25  # -1 / x^2
    del tape


def test_autodiff_gradients_of_non_scalar_targets_dict_of_targets():
    x = tf.Variable(2.0)
    with tf.GradientTape() as tape:
        y0 = x**2
        y1 = 1 / x
    # Several targets: the gradient of their sum, 4 - 0.25.
    g = tape.gradient({'y0': y0, 'y1': y1}, x)
    assert g.shape == ()
    assert g.numpy() == 3.75


def test_autodiff_gradients_of_non_scalar_targets_vector_target():
    x = tf.Variable(2.)
    with tf.GradientTape() as tape:
        y = x * [3., 4.]
    # A non-scalar target: the gradient of its sum, 3 + 4.
    g = tape.gradient(y, x)
    assert g.shape == ()
    assert g.numpy() == 7.0


def test_autodiff_gradients_of_non_scalar_targets_elementwise_sigmoid():
    x = tf.linspace(-10.0, 10.0, 200 + 1)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(x)
    dy_dx = tape.gradient(y, x)

    assert x.shape == (201,) and y.shape == (201,) and dy_dx.shape == (201,)
    xs = np.linspace(-10.0, 10.0, 201)
    s = _sigmoid(xs)
    assert_close(y, s.astype(np.float32), rtol=1e-5, atol=1e-7)
    # Elementwise op: the gradient of the sum is each element's derivative.
    assert_close(dy_dx, (s * (1 - s)).astype(np.float32), rtol=1e-4, atol=1e-7)
    assert abs(float(dy_dx[100]) - 0.25) < 1e-6   # at x = 0


def test_autodiff_control_flow():
    x = tf.constant(1.0)
    v0 = tf.Variable(2.0)
    v1 = tf.Variable(2.0)

    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        if x > 0.0:
            result = v0
        else:
            result = v1**2

    dv0, dv1 = tape.gradient(result, [v0, v1])
    assert dv0.numpy() == 1.0
    assert dv1 is None
    # The branch condition is not differentiable: no gradient reaches x.
    dx = tape.gradient(result, x)
    assert dx is None
    del tape


def test_autodiff_cases_where_gradient_returns_none():
    x = tf.Variable(2.)
    y = tf.Variable(3.)
    with tf.GradientTape() as tape:
        z = y * y
    assert tape.gradient(z, x) is None


def test_autodiff_none_replaced_a_variable_with_a_tensor():
    x = tf.Variable(2.0)
    seen = []
    for epoch in range(2):
        with tf.GradientTape() as tape:
            y = x + 1
        seen.append((isinstance(x, tf.Variable), tape.gradient(y, x)))
        x = x + 1   # should have been x.assign_add(1)

    (was_var0, g0), (was_var1, g1) = seen
    assert was_var0 and g0.numpy() == 1.0
    # The second time round x is a plain Tensor, which is not watched.
    assert not was_var1 and g1 is None


def test_autodiff_none_did_calculations_outside_of_tensorflow():
    x = tf.Variable([[1.0, 2.0],
                     [3.0, 4.0]], dtype=tf.float32)
    with tf.GradientTape() as tape:
        x2 = x**2
        # This step goes through NumPy, off the tape.
        y = np.mean(x2, axis=0)
        assert isinstance(y, np.ndarray)
        # reduce_mean converts the ndarray to a constant tensor.
        y = tf.reduce_mean(y, axis=0)

    assert float(y) == pytest.approx((1 + 9 + 4 + 16) / 4.0)
    assert tape.gradient(y, x) is None


def test_autodiff_none_took_gradients_through_an_integer():
    x = tf.constant(10)
    assert x.dtype == tf.int32
    with tf.GradientTape() as g:
        g.watch(x)
        y = x * x
    assert y.dtype == tf.int32 and int(y) == 100
    assert g.gradient(y, x) is None


def test_autodiff_none_took_gradients_through_a_stateful_object():
    x0 = tf.Variable(3.0)
    x1 = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        # Update x1 = x1 + x0.
        x1.assign_add(x0)
        # The tape starts recording from x1.
        y = x1**2   # y = (x1 + x0)**2
    assert float(y) == 9.0
    # The assignment is state, not an op on the tape: no path back to x0.
    assert tape.gradient(y, x0) is None


def test_autodiff_zeros_instead_of_none():
    x = tf.Variable([2., 2.])
    y = tf.Variable(3.)
    with tf.GradientTape() as tape:
        z = y**2
    g = tape.gradient(z, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert g is not None
    assert g.dtype == tf.float32
    assert_close(g, np.zeros(2, np.float32))


# ==========================================================================
# Guide 2: Advanced automatic differentiation
# ==========================================================================

def test_advanced_stop_recording():
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as t:
        x_sq = x * x
        with t.stop_recording():
            y_sq = y * y
        z = x_sq + y_sq
    grad = t.gradient(z, {'x': x, 'y': y})
    assert grad['x'].numpy() == 4.0   # 2 x
    assert grad['y'] is None


def test_advanced_reset_recording():
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    reset = True
    with tf.GradientTape() as t:
        y_sq = y * y
        if reset:
            # Throw away everything recorded so far.
            t.reset()
        z = x * x + y_sq
    grad = t.gradient(z, {'x': x, 'y': y})
    assert grad['x'].numpy() == 4.0
    assert grad['y'] is None


def test_advanced_stop_gradient_flow_with_precision():
    x = tf.Variable(2.0)
    y = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y_sq = y**2
        z = x**2 + tf.stop_gradient(y_sq)
    grad = t.gradient(z, {'x': x, 'y': y})
    assert grad['x'].numpy() == 4.0
    assert grad['y'] is None


def test_advanced_custom_gradients_clip_by_norm():
    # An identity whose backward pass clips the incoming gradient's norm.
    @tf.custom_gradient
    def clip_gradients(y):
        def backward(dy):
            return tf.clip_by_norm(dy, 0.5)
        return y, backward

    v = tf.Variable(2.0)
    with tf.GradientTape() as t:
        output = clip_gradients(v * v)
    assert float(output) == 4.0            # forward is the identity
    # backward clips d(output)/d(v*v) = 1 to 0.5; times d(v*v)/dv = 4 gives 2.
    assert t.gradient(output, v).numpy() == 2.0


def test_advanced_multiple_tapes():
    x0 = tf.constant(0.0)
    x1 = tf.constant(0.0)

    with tf.GradientTape() as tape0, tf.GradientTape() as tape1:
        tape0.watch(x0)
        tape1.watch(x1)
        y0 = tf.math.sin(x0)
        y1 = tf.nn.sigmoid(x1)
        y = y0 + y1
        ys = tf.reduce_sum(y)

    assert tape0.gradient(ys, x0).numpy() == 1.0    # cos(0)
    assert tape1.gradient(ys, x1).numpy() == 0.25   # s(0) (1 - s(0))


def test_advanced_higher_order_gradients():
    x = tf.Variable(1.0)
    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            y = x * x * x
        # Computed inside t2, so the gradient computation is recorded too.
        dy_dx = t1.gradient(y, x)
    d2y_dx2 = t2.gradient(dy_dx, x)
    assert dy_dx.numpy() == 3.0     # 3 x^2
    assert d2y_dx2.numpy() == 6.0   # 6 x


def test_advanced_higher_order_input_gradient_regularization():
    x = tf.random.normal([7, 5])
    layer = _Dense(5, 10, activation=tf.nn.relu)

    with tf.GradientTape() as t2:
        # The inner tape differentiates w.r.t. the input only.
        with tf.GradientTape(watch_accessed_variables=False) as t1:
            t1.watch(x)
            y = layer(x)
            out = tf.reduce_sum(layer(x)**2)
        g1 = t1.gradient(out, x)          # input gradient
        g1_mag = tf.norm(g1)              # its magnitude
    dg1_mag = t2.gradient(g1_mag, layer.trainable_variables)

    assert y.shape == (7, 10) and g1.shape == (7, 5)
    assert [tuple(v.shape) for v in dg1_mag] == [(5, 10), (10,)]

    # Exact values. With a = x W + b, m = [a > 0], Y = relu(a):
    #   g1 = 2 Y W^T,  |g1| = ||g1||_F,  G = g1 / |g1|
    #   d|g1|/dW = 2 x^T (m * (G W)) + 2 G^T Y,   d|g1|/db = 2 colsum(m * (G W))
    X = to_np(x).astype(np.float64)
    W = to_np(layer.kernel).astype(np.float64)
    a = X @ W
    m = (a > 0).astype(np.float64)
    Y = a * m
    g1_np = 2.0 * Y @ W.T
    assert_close(g1, g1_np.astype(np.float32), rtol=1e-4, atol=1e-4)
    G = g1_np / np.linalg.norm(g1_np)
    dW = 2.0 * X.T @ (m * (G @ W)) + 2.0 * G.T @ Y
    db = 2.0 * (m * (G @ W)).sum(axis=0)
    assert_close(dg1_mag[0], dW.astype(np.float32), rtol=1e-3, atol=1e-4)
    assert_close(dg1_mag[1], db.astype(np.float32), rtol=1e-3, atol=1e-4)


def test_advanced_jacobians_scalar_source():
    x = tf.linspace(-10.0, 10.0, 200 + 1)
    delta = tf.Variable(0.0)
    with tf.GradientTape() as tape:
        y = tf.nn.sigmoid(x + delta)
    dy_dx = tape.jacobian(y, delta)

    # With a scalar source the jacobian has the target's shape.
    assert y.shape == (201,)
    assert dy_dx.shape == (201,)
    s = _sigmoid(np.linspace(-10.0, 10.0, 201))
    assert_close(dy_dx, (s * (1 - s)).astype(np.float32), rtol=1e-4, atol=1e-7)


def test_advanced_jacobians_tensor_source():
    x = tf.random.normal([7, 5])
    layer = _Dense(5, 10, activation=tf.nn.relu)

    with tf.GradientTape(persistent=True) as tape:
        y = layer(x)

    assert y.shape == (7, 10)
    assert layer.kernel.shape == (5, 10)
    # The jacobian's shape is the target's shape followed by the source's.
    j = tape.jacobian(y, layer.kernel)
    assert j.shape == (7, 10, 5, 10)

    # Summed over the target's axes it is the gradient of the sum.
    g = tape.gradient(y, layer.kernel)
    assert g.shape == (5, 10)
    j_sum = tf.reduce_sum(j, axis=[0, 1])
    delta = tf.reduce_max(abs(g - j_sum)).numpy()
    assert delta < 1e-3

    # Exact: dy[i,k]/dW[p,l] = [a[i,k] > 0] x[i,p] delta(k,l).
    X = to_np(x).astype(np.float64)
    m = (X @ to_np(layer.kernel).astype(np.float64) > 0).astype(np.float64)
    expected = np.einsum('ik,ip,kl->ikpl', m, X, np.eye(10))
    assert_close(j, expected.astype(np.float32), rtol=1e-5, atol=1e-6)
    # Each jacobian row is the gradient of that one target element
    # (a one-hot output gradient picks it out).
    one_hot = np.zeros((7, 10), np.float32)
    one_hot[3, 4] = 1.0
    row = tape.gradient(y, layer.kernel, output_gradients=tf.constant(one_hot))
    assert_close(j[3, 4], to_np(row), rtol=1e-6)
    del tape


def test_advanced_jacobians_example_hessian():
    x = tf.random.normal([7, 5])
    layer1 = _Dense(5, 8, activation=tf.nn.relu)
    layer2 = _Dense(8, 6, activation=tf.nn.relu)
    x_in = x

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            x = layer1(x)
            x = layer2(x)
            loss = tf.reduce_mean(x**2)
        g = t1.gradient(loss, layer1.kernel)
    h = t2.jacobian(g, layer1.kernel)

    assert layer1.kernel.shape == (5, 8)
    assert h.shape == (5, 8, 5, 8)

    # Flatten for a Newton step.
    n_params = tf.reduce_prod(layer1.kernel.shape)
    assert int(n_params) == 40
    g_vec = tf.reshape(g, [n_params, 1])
    h_mat = tf.reshape(h, [n_params, n_params])
    assert g_vec.shape == (40, 1) and h_mat.shape == (40, 40)

    H = to_np(h_mat).astype(np.float64)
    # The Hessian is symmetric.
    np.testing.assert_allclose(H, H.T, rtol=1e-4, atol=1e-6)

    # Exact values. relu is piecewise linear, so within the current region
    # the output is linear in W1:  J[i,l,p,q] = m2[i,l] W2[q,l] m1[i,q] x[i,p]
    # loss = mean(out^2) over 42 entries: g = (2/42) sum out J,
    # H = (2/42) sum J (x) J (positive semi-definite).
    X = to_np(x_in).astype(np.float64)
    W1 = to_np(layer1.kernel).astype(np.float64)
    W2 = to_np(layer2.kernel).astype(np.float64)
    a1 = X @ W1
    m1 = (a1 > 0).astype(np.float64)
    a2 = (a1 * m1) @ W2
    m2 = (a2 > 0).astype(np.float64)
    out = a2 * m2
    J = np.einsum('il,ql,iq,ip->ilpq', m2, W2, m1, X)
    g_np = (2.0 / out.size) * np.einsum('il,ilpq->pq', out, J)
    H_np = (2.0 / out.size) * np.einsum('ilpq,ilrs->pqrs', J, J)
    assert_close(g, g_np.astype(np.float32), rtol=1e-3, atol=1e-5)
    assert_close(h, H_np.astype(np.float32), rtol=1e-3, atol=1e-5)
    assert np.linalg.eigvalsh((H + H.T) / 2).min() > -1e-4


def test_advanced_jacobians_example_hessian_newton_step():
    x = tf.random.normal([7, 5])
    layer1 = _Dense(5, 8, activation=tf.nn.relu)
    layer2 = _Dense(8, 6, activation=tf.nn.relu)

    with tf.GradientTape() as t2:
        with tf.GradientTape() as t1:
            x = layer1(x)
            x = layer2(x)
            loss = tf.reduce_mean(x**2)
        g = t1.gradient(loss, layer1.kernel)
    h = t2.jacobian(g, layer1.kernel)

    n_params = tf.reduce_prod(layer1.kernel.shape)
    g_vec = tf.reshape(g, [n_params, 1])
    h_mat = tf.reshape(h, [n_params, n_params])

    eps = 1e-3
    eye_eps = tf.eye(h_mat.shape[0]) * eps
    # X(k+1) = X(k) - (H + eps I)^-1 g
    update = tf.linalg.solve(h_mat + eye_eps, g_vec)
    assert update.shape == (40, 1)
    A = to_np(h_mat).astype(np.float64) + eps * np.eye(40)
    np.testing.assert_allclose(A @ to_np(update).astype(np.float64),
                               to_np(g_vec).astype(np.float64),
                               rtol=1e-2, atol=1e-4)

    before = to_np(layer1.kernel)
    _ = layer1.kernel.assign_sub(tf.reshape(update, layer1.kernel.shape))
    assert_close(layer1.kernel, before - to_np(update).reshape(5, 8),
                 rtol=1e-6, atol=1e-6)


def test_advanced_batch_jacobian():
    x = tf.random.normal([7, 5])
    layer1 = _Dense(5, 8, activation=tf.nn.elu)
    layer2 = _Dense(8, 6, activation=tf.nn.elu)

    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = layer1(x)
        y = layer2(y)
    assert y.shape == (7, 6)

    # Full jacobian: target shape + source shape.
    j = tape.jacobian(y, x)
    assert j.shape == (7, 6, 7, 5)

    # Rows of the batch are independent: every (batch, batch) slice is diagonal.
    J = to_np(j)
    off_diagonal = ~np.eye(7, dtype=bool)
    for o in range(6):
        for i in range(5):
            assert np.all(J[:, o, :, i][off_diagonal] == 0.0)

    j_sum = tf.reduce_sum(j, axis=2)
    assert j_sum.shape == (7, 6, 5)
    j_select = tf.einsum('bxby->bxy', j)
    assert j_select.shape == (7, 6, 5)

    jb = tape.batch_jacobian(y, x)
    assert jb.shape == (7, 6, 5)
    error = tf.reduce_max(abs(jb - j_sum))
    assert error < 1e-3
    # batch_jacobian is the diagonal blocks of the full jacobian.
    assert_close(jb, np.einsum('bobi->boi', J), rtol=1e-6, atol=1e-7)
    assert_close(j_select, np.einsum('bobi->boi', J), rtol=1e-6, atol=1e-7)

    # Exact: elu'(a) = 1 for a > 0 else exp(a);
    #   jb[b,o,i] = elu'(a2)[b,o] sum_q W2[q,o] elu'(a1)[b,q] W1[i,q]
    X = to_np(x).astype(np.float64)
    W1 = to_np(layer1.kernel).astype(np.float64)
    W2 = to_np(layer2.kernel).astype(np.float64)
    elu = lambda a: np.where(a > 0, a, np.expm1(a))
    d_elu = lambda a: np.where(a > 0, 1.0, np.exp(a))
    a1 = X @ W1
    a2 = elu(a1) @ W2
    expected = np.einsum('bo,qo,bq,iq->boi', d_elu(a2), W2, d_elu(a1), W1)
    assert_close(y, elu(a2).astype(np.float32), rtol=1e-4, atol=1e-5)
    assert_close(jb, expected.astype(np.float32), rtol=1e-4, atol=1e-5)
    del tape


def test_advanced_batch_jacobian_with_batch_normalization():
    # Keras BatchNormalization(training=True) with its initial gamma = 1,
    # beta = 0 and epsilon = 1e-3: normalisation over the batch axis, which
    # couples the rows of the batch.
    def batch_norm(v, epsilon=1e-3):
        mean = tf.reduce_mean(v, axis=0, keepdims=True)
        var = tf.reduce_mean(tf.square(v - mean), axis=0, keepdims=True)
        return (v - mean) / tf.sqrt(var + epsilon)

    x = tf.random.normal([7, 5])
    layer1 = _Dense(5, 8, activation=tf.nn.elu)
    layer2 = _Dense(8, 6, activation=tf.nn.elu)

    with tf.GradientTape(persistent=True, watch_accessed_variables=False) as tape:
        tape.watch(x)
        y = layer1(x)
        y = batch_norm(y)
        y = layer2(y)

    j = tape.jacobian(y, x)
    assert j.shape == (7, 6, 7, 5)
    # The (batch, batch) slices are no longer diagonal ...
    J = to_np(j)
    off_diagonal = ~np.eye(7, dtype=bool)
    assert np.abs(J[:, 0, :, 0][off_diagonal]).max() > 1e-6

    # ... yet batch_jacobian still runs and returns the per-example shape.
    jb = tape.batch_jacobian(y, x)
    assert jb.shape == (7, 6, 5)
    # What TensorFlow computes: for each target column o it takes the gradient
    # of y[:, o] (summed over the batch) w.r.t. x, i.e.
    # jb[b, o, i] = sum_b' dy[b', o] / dx[b, i].
    assert_close(jb, J.sum(axis=0).transpose(1, 0, 2).astype(np.float32),
                 rtol=1e-4, atol=1e-5)
    del tape
