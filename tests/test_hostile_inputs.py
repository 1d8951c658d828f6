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


# --------------------------------------------------------------------------
# ranks above the kernels' old fixed arrays, up to the one checked limit
# --------------------------------------------------------------------------

def test_rank_20_transpose_reduction_and_slices_match_numpy():
    shape = (1,) * 10 + (2,) * 10
    a = np.arange(2 ** 10, dtype=np.float64).reshape(shape)
    x = tf.constant(a)
    t = tf.transpose(x)
    np.testing.assert_array_equal(t.numpy(), a.T)
    assert tf.reduce_sum(t).numpy() == a.sum()
    axes = list(range(0, 20, 2))  # alternating reduced and kept dimensions
    np.testing.assert_array_equal(tf.reduce_sum(x, axis=axes).numpy(), a.sum(axis=tuple(axes)))
    rev = x[..., ::-1]
    np.testing.assert_array_equal(rev.numpy(), a[..., ::-1])
    np.testing.assert_array_equal(tf.pad(x, [[0, 0]] * 19 + [[1, 1]]).numpy(),
                                  np.pad(a, [(0, 0)] * 19 + [(1, 1)]))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.transpose(x) * 2.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), np.full(shape, 2.0))


def test_ranks_above_the_limit_raise_naming_the_limit():
    with pytest.raises(tf.errors.InvalidArgumentError, match="at most 64 dimensions"):
        tf.zeros((1,) * 65)
    with pytest.raises(tf.errors.InvalidArgumentError, match="at most 64 dimensions"):
        tf.reshape(tf.ones(1), (1,) * 65)
    x = tf.zeros((1,) * 64)  # the limit itself works
    assert tf.reduce_sum(tf.transpose(x) + 1.0).numpy() == 1.0


def test_pad_to_a_huge_size_raises_naming_pad():
    with pytest.raises(tf.errors.InvalidArgumentError, match="^pad: .*2\\^58"):
        tf.pad(tf.ones(4), [[2 ** 62, 2 ** 62]])


# --------------------------------------------------------------------------
# integer arithmetic wraps (two's complement), as TensorFlow's does
# --------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [tf.int32, tf.int64])
def test_integer_arithmetic_wraps(dtype):
    lo = INT_MIN[dtype]
    hi = -lo - 1
    big = tf.constant([hi, lo], dtype)
    assert (big + tf.constant(1, dtype)).numpy().tolist() == [lo, lo + 1]
    assert (big - tf.constant(1, dtype)).numpy().tolist() == [hi - 1, hi]
    assert (big * tf.constant(2, dtype)).numpy().tolist() == [-2, 0]
    assert tf.negative(big).numpy().tolist() == [-hi, lo]   # -INT_MIN is INT_MIN
    assert tf.abs(big).numpy().tolist() == [hi, lo]         # |INT_MIN| too
    assert tf.square(tf.constant([hi], dtype)).numpy().tolist() == [1]  # (2^k - 1)^2 = 1 mod 2^(k+1)
    assert tf.pow(tf.constant([hi], dtype), tf.constant(2, dtype)).numpy().tolist() == [1]
    assert tf.reduce_sum(tf.constant([hi, hi, 2], dtype)).numpy() == 0
    assert tf.cumsum(tf.constant([hi, 1, 1], dtype)).numpy().tolist() == [hi, lo, lo + 1]
    assert tf.reduce_prod(tf.constant([lo, -1], dtype)).numpy() == lo


# --------------------------------------------------------------------------
# memory goes back to the system
# --------------------------------------------------------------------------

# The cache's behaviour: a sanitizer build has none (every buffer from malloc).
needs_cache = pytest.mark.skipif(tf._core._plain_malloc or not __import__("os").path.exists("/proc/self/statm"),
                                 reason="needs the buffer cache and /proc (Linux)")


def _rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@needs_cache
def test_deleting_a_big_persistent_tape_returns_its_memory():
    import gc

    x = tf.ones((1024, 1024), tf.float32)  # 4 MiB
    tape = tf.GradientTape(persistent=True)
    with tape:
        tape.watch(x)
        y = x
        for _ in range(50):  # 50 saved 4 MiB values: 200 MiB held by the tape
            y = tf.sin(y)
    del y
    gc.collect()
    held = _rss_bytes()
    del tape
    gc.collect()
    tf.config.experimental.clear_memory_cache()
    assert held - _rss_bytes() >= 150 * 2 ** 20


@needs_cache
def test_idle_cached_buffers_go_back_on_their_own():
    import gc
    import time

    tf.config.experimental.clear_memory_cache()
    xs = [tf.fill((1024, 1024), float(i)) for i in range(50)]  # 200 MiB
    held = _rss_bytes()
    del xs
    gc.collect()           # into the cache: still resident
    time.sleep(1.2)        # idle for longer than the cache keeps a buffer
    tf.zeros((256, 256))   # the next big allocation returns the idle ones
    assert held - _rss_bytes() >= 150 * 2 ** 20


@pytest.mark.parametrize("op,make", [
    ("zeros", lambda: tf.zeros((-1, 2))),
    ("ones", lambda: tf.ones((2 ** 62, 4))),
    ("fill", lambda: tf.fill((-2,), 1.0)),
    ("zeros", lambda: tf.zeros((1,) * 65)),
    ("broadcast_to", lambda: tf.broadcast_to(tf.ones(1), (2 ** 62,))),
    ("broadcast_to", lambda: tf.broadcast_to(tf.ones(1), (-2,))),
    ("tile", lambda: tf.tile(tf.ones((1, 4)), [2 ** 62, 1])),
    ("expand_dims", lambda: tf.expand_dims(tf.ones((1,) * 64), 0)),
    ("stack", lambda: tf.stack([tf.ones((1,) * 64)] * 2)),
    ("random.normal", lambda: tf.random.normal((2 ** 62, 4))),
    ("random.uniform", lambda: tf.random.uniform((-1,))),
    ("range", lambda: tf.range(0, 2 ** 62)),
    ("eye", lambda: tf.eye(-3)),
    ("one_hot", lambda: tf.one_hot([1], 2 ** 62)),
])
def test_shape_errors_name_the_user_facing_op(op, make):
    with pytest.raises(tf.errors.InvalidArgumentError, match="^%s: " % op.replace(".", "\\.")):
        make()


def test_tile_of_a_high_rank_tensor_works_past_the_interleaved_form():
    a = np.arange(2 * 3, dtype=np.float32).reshape((1,) * 38 + (2, 3))
    got = tf.tile(tf.constant(a), [1] * 38 + [2, 2])
    np.testing.assert_array_equal(got.numpy(), np.tile(a, [1] * 38 + [2, 2]))


def test_custom_gradient_returning_an_integer_or_misshapen_gradient_raises():
    x = tf.constant([1.0, 2.0])

    def run(grad_value):
        @tf.custom_gradient
        def f(v):
            return v * 2.0, lambda dy: grad_value

        with tf.GradientTape() as tape:
            tape.watch(x)
            y = f(x)
        return tape.gradient(y, x)

    with pytest.raises(tf.errors.InvalidArgumentError, match="^custom_gradient: .*int32 gradient for input 0"):
        run(tf.constant([3, 3]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="^custom_gradient: .*shape \\[3\\] for input 0"):
        run(tf.ones((3,)))
    np.testing.assert_array_equal(run(tf.constant(5.0)).numpy(), [5.0, 5.0])  # a scalar broadcasts
