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


def test_shape_entries_beyond_int64_raise_value_error():
    # Before: pybind11's raw "Unable to cast Python instance ... to C++ type '?'".
    with pytest.raises(ValueError, match="does not fit"):
        tf.zeros((2 ** 63, 1))
    with pytest.raises(ValueError, match="does not fit"):
        tf.reshape(tf.ones(4), (-(2 ** 64), 4))
    with pytest.raises(ValueError, match="does not fit"):
        tf.reduce_sum(tf.ones(3), axis=2 ** 70)


@pytest.mark.parametrize("og_dtype", [tf.float64, tf.int32])
def test_output_gradients_of_another_dtype_raise(og_dtype):
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(tf.errors.InvalidArgumentError, match="output_gradients.*dtype"):
        tape.gradient(y, x, output_gradients=tf.constant([1, 1], dtype=og_dtype))


def test_output_gradients_from_python_values_take_the_target_dtype():
    x = tf.constant([1.0, 2.0], dtype=tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    g = tape.gradient(y, x, output_gradients=np.array([1.0, 0.5], dtype=np.float32))
    assert g.dtype == tf.float64
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0])  # 2x * og


def test_output_gradients_structure_must_match_the_targets():
    # A list of two numbers for one tensor target used to be read as two
    # entries, the first silently taken as the whole seed.
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x * x
    with pytest.raises(ValueError, match="output_gradients has 2 entries but target has 1"):
        tape.gradient(y, x, output_gradients=[1.0, 0.5])


def test_tape_whose_block_ends_on_another_thread_stops_recording_there():
    import threading

    x = tf.constant(2.0)

    def gen():
        with tf.GradientTape() as tape:
            tape.watch(x)
            yield tape

    g = gen()
    tape = next(g)               # entered on this thread
    err = []

    def close_elsewhere():
        try:
            g.close()            # the with block ends on another thread
        except Exception as e:   # noqa: BLE001 - any error is the failure
            err.append(e)

    t = threading.Thread(target=close_elsewhere)
    t.start()
    t.join()
    assert not err, err
    before = tape._tape.num_records
    for _ in range(50):
        x * x                    # ops on the first thread are not recorded any more
    assert tape._tape.num_records == before
    with tf.GradientTape() as t2:  # and the thread's stacks still work
        t2.watch(x)
        y = x * x * x
    assert t2.gradient(y, x).numpy() == 12.0


def test_slices_with_huge_steps():
    # The slice length used to overflow: a step of 2^63 - 1 was refused and
    # a step of -(2^63) negated INT64_MIN. numpy's (and TensorFlow's) values.
    xs = np.arange(5.0, dtype=np.float32)
    x = tf.constant(xs)
    for sl in [slice(0, 5, 2 ** 63 - 1), slice(4, 0, -(2 ** 63)), slice(None, None, -(2 ** 63)),
               slice(None, None, 2 ** 63 - 1), slice(3, None, 2 ** 62)]:
        np.testing.assert_array_equal(x[sl].numpy(), xs[sl])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(x[1::2 ** 63 - 1] * 3.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 3.0, 0.0, 0.0, 0.0])
