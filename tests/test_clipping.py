"""clip_by_global_norm, linalg.global_norm and assert_all_finite's identity:
TensorFlow's formulas and edge cases."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import central_diff_grad


def test_clip_by_global_norm_values():
    clipped, norm = tf.clip_by_global_norm([tf.constant([3.0]), None, tf.constant([[4.0]])], 1.0)
    assert float(norm) == 5.0
    assert clipped[1] is None
    np.testing.assert_allclose(clipped[0].numpy(), [0.6], rtol=1e-6)
    np.testing.assert_allclose(clipped[2].numpy(), [[0.8]], rtol=1e-6)
    # Under the limit: unchanged.
    same, _ = tf.clip_by_global_norm([tf.constant([3.0, 4.0])], 10.0)
    np.testing.assert_allclose(same[0].numpy(), [3.0, 4.0])
    # use_norm replaces the computed norm.
    scaled, used = tf.clip_by_global_norm([tf.constant([1.0])], 1.0, use_norm=tf.constant(4.0))
    assert float(used) == 4.0 and float(scaled[0]) == 0.25
    np.testing.assert_allclose(float(tf.linalg.global_norm([tf.constant([1.0, 2.0]), tf.constant(2.0)])), 3.0)


def test_clip_by_global_norm_non_finite_norm_gives_nan():
    clipped, norm = tf.clip_by_global_norm([tf.constant([np.inf, 1.0])], 1.0)
    assert np.isinf(float(norm))
    assert np.isnan(clipped[0].numpy()).all()
    with pytest.raises(TypeError, match="should be a sequence"):
        tf.clip_by_global_norm(3.0, 1.0)


def test_clip_by_global_norm_gradient_matches_finite_differences():
    a0, b0 = np.array([1.0, -2.0]), np.array([[0.5, 3.0]])

    def f(a, b):
        (ca, cb), _ = tf.clip_by_global_norm([a, b], 2.0)
        return tf.reduce_sum(ca * tf.constant([1.0, 2.0], tf.float64)) + tf.reduce_sum(cb * cb)

    a, b = tf.constant(a0), tf.constant(b0)
    with tf.GradientTape() as tape:
        tape.watch([a, b])
        y = f(a, b)
    ga, gb = tape.gradient(y, [a, b])
    want_a, want_b = central_diff_grad(lambda xs: float(f(tf.constant(xs[0]), tf.constant(xs[1]))), [a0, b0], 1e-6)
    np.testing.assert_allclose(ga.numpy(), want_a, rtol=1e-6)
    np.testing.assert_allclose(gb.numpy(), want_b, rtol=1e-6)


def test_assert_all_finite_returns_its_input():
    w = tf.Variable(3.0)
    with tf.GradientTape() as tape:
        loss = w * w
    checked = tf.debugging.assert_all_finite(loss, "m")
    assert checked is loss
    assert float(tape.gradient(checked, w)) == 6.0
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        tf.debugging.assert_all_finite(tf.constant(1), "m")
