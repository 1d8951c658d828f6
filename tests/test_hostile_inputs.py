"""Inputs that used to crash the process or read memory fasttape does not
own now raise TensorFlow's errors, and the integer edge cases give
TensorFlow's values (values from documented two's-complement arithmetic)."""
import numpy as np
import pytest

import fasttape as tf

INT_MIN = {tf.int32: -2 ** 31, tf.int64: -2 ** 63}


@pytest.mark.parametrize("shape", [(-1, 2), (-3,), (2, -2)])
def test_negative_dimensions_raise(shape):
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError), match="-[0-9]"):
        tf.zeros(shape)
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError), match="-[0-9]"):
        tf.fill(shape, 1.0)


@pytest.mark.parametrize("shape", [(2 ** 62, 4), (2 ** 31, 2 ** 31), (2 ** 61,), (2 ** 62 + 1, 1)])
def test_overflowing_element_counts_raise(shape):
    # Before, the count wrapped: a tiny buffer was allocated and filled past its end.
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError, MemoryError)):
        tf.ones(shape)
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError, MemoryError)):
        tf.zeros(shape, tf.float64)


def test_reshape_to_a_wrapping_shape_raises():
    x = tf.ones(4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="reshape"):
        tf.reshape(x, (2 ** 62 + 1, 4))
    with pytest.raises(tf.errors.InvalidArgumentError, match="reshape"):
        tf.reshape(x, (2 ** 62, 4, -1))


def test_broadcast_and_tile_to_huge_shapes_raise():
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        tf.broadcast_to(tf.ones(1), (2 ** 62,))
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        tf.tile(tf.ones((1, 4)), [2 ** 62, 1])
    with pytest.raises((tf.errors.InvalidArgumentError, ValueError)):
        tf.broadcast_to(tf.ones(1), (-2,))


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
def test_int_min_floordiv_and_mod_by_minus_one(dtype):
    # -INT_MIN does not fit: two's complement wraps it to INT_MIN (TensorFlow
    # returns -2147483648 for int32); the remainder is 0.
    m = INT_MIN[dtype]
    a = tf.constant([m, m, 7, -7], dtype=dtype)
    b = tf.constant(-1, dtype=dtype)
    np.testing.assert_array_equal((a // b).numpy(), [m, m, -7, 7])
    np.testing.assert_array_equal((a % b).numpy(), [0, 0, 0, 0])
    s = tf.constant(m, dtype=dtype)
    assert (s // b).numpy() == m and (s % b).numpy() == 0
    assert tf.math.floordiv(s, tf.constant([-1, 2], dtype=dtype)).numpy().tolist() == [m, m // 2]


def test_duplicate_reduction_axes_raise():
    x = tf.ones((2, 3))
    for f in (tf.reduce_sum, tf.reduce_mean, tf.reduce_max, tf.reduce_prod):
        with pytest.raises(tf.errors.InvalidArgumentError, match="more than once"):
            f(x, [0, 0])
        with pytest.raises(tf.errors.InvalidArgumentError, match="more than once"):
            f(x, [1, -1])


def test_integer_power_with_negative_exponent_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        tf.pow(tf.constant([2, 3]), tf.constant([1, -1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="negative integer powers"):
        tf.constant([2, 3]) ** -1
    assert tf.pow(tf.constant([2, 3]), tf.constant([3, 0])).numpy().tolist() == [8, 1]
