"""Gradient-check cases for custom_gradient: user-defined VJPs written with
fasttape ops must give correct first and second derivatives and, through the
op's JVP (a differentiated VJP), correct forward-mode tangents."""
import numpy as np

import fasttape as tf
from gradcheck_common import case


@tf.custom_gradient
def _softplus(x):
    y = tf.math.log(1.0 + tf.exp(x))

    def grad(upstream):
        return upstream * tf.sigmoid(x)

    return y, grad


@tf.custom_gradient
def _scaled_product(x, w):
    y = x * w

    def grad(upstream):
        return upstream * w, tf.reduce_sum(upstream * x, axis=0)

    return y, grad


case("custom_gradient", "softplus", _softplus, lambda x: np.log1p(np.exp(x)), [(3, 2)])
case("custom_gradient", "softplus-scalar", _softplus, lambda x: np.log1p(np.exp(x)), [()])
case("custom_gradient", "two-inputs-broadcast", _scaled_product, lambda x, w: x * w, [(4, 3), (3,)])
case("custom_gradient", "composed", lambda x: tf.sin(_softplus(x * x)),
     lambda x: np.sin(np.log1p(np.exp(x * x))), [(5,)])


def _well_conditioned(n, batch=()):
    """Generator: a diagonally dominant (n x n) matrix and a right-hand side."""
    def gen(rng):
        a = rng.uniform(-1.0, 1.0, size=batch + (n, n)) + 3.0 * np.eye(n)
        b = rng.uniform(-1.0, 1.0, size=batch + (n, 2))
        return [a, b]
    return gen


def _well_conditioned_matrix(n, batch=()):
    def gen(rng):
        return [rng.uniform(-1.0, 1.0, size=batch + (n, n)) + 3.0 * np.eye(n)]
    return gen


# linalg.solve and linalg.inv: LAPACK forward, custom-gradient backward.
case("custom_gradient", "linalg.solve", lambda a, b: tf.linalg.solve(a, b), np.linalg.solve,
     [(3, 3), (3, 2)], gen=_well_conditioned(3))
case("custom_gradient", "linalg.solve-adjoint", lambda a, b: tf.linalg.solve(a, b, adjoint=True),
     lambda a, b: np.linalg.solve(np.swapaxes(a, -1, -2), b), [(3, 3), (3, 2)], gen=_well_conditioned(3))
case("custom_gradient", "linalg.solve-batched", lambda a, b: tf.linalg.solve(a, b), np.linalg.solve,
     [(2, 3, 3), (2, 3, 2)], gen=_well_conditioned(3, (2,)))
case("custom_gradient", "linalg.inv", lambda a: tf.linalg.inv(a), np.linalg.inv, [(3, 3)],
     gen=_well_conditioned_matrix(3))


# relu_grad: relu's VJP as an entry (second derivatives are zeros, not None).
def _gen_relu_grad(rng):
    g = rng.uniform(-2.0, 2.0, size=(3, 4))
    y = rng.choice([-1.0, 1.0], size=(3, 4)) * rng.uniform(0.3, 2.0, size=(3, 4))
    return [g, y]


case("relu_grad", "g-and-y", lambda g, y: tf._core.relu_grad(g, y), lambda g, y: np.where(y > 0, g, 0.0),
     [(3, 4), (3, 4)], gen=_gen_relu_grad)
