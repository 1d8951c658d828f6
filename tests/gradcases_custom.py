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
