"""tf.Variable: construction, properties, assignment, use in ops and
operators, automatic watching by tapes and snapshot semantics."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, to_np


# --------------------------------------------------------------------------
# construction and properties
# --------------------------------------------------------------------------

def test_variable_dtype_inference():
    assert tf.Variable(1.0).dtype == tf.float32
    assert tf.Variable([1, 2]).dtype == tf.int32
    assert tf.Variable(np.array([1.0, 2.0])).dtype == tf.float64
    assert tf.Variable(np.zeros(2, np.float32)).dtype == tf.float32
    v = tf.Variable([1, 2], dtype=tf.float64)
    assert v.dtype == tf.float64
    assert_equal(v, np.array([1.0, 2.0]))
    v = tf.Variable(tf.constant([[1.0, 2.0]]))
    assert v.dtype == tf.float32 and v.shape == (1, 2)


def test_variable_properties():
    v = tf.Variable([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert isinstance(v, tf.Variable)
    assert v.shape == (2, 3)
    assert v.shape.as_list() == [2, 3]
    assert v.dtype == tf.float32 and v.dtype.name == "float32"
    assert v.trainable is True
    a = v.numpy()
    assert isinstance(a, np.ndarray)
    assert_equal(a, np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32))
    s = tf.Variable(2.5)
    assert isinstance(s.numpy(), np.float32) and s.numpy() == 2.5
    assert s.shape == ()


def test_variable_trainable_flag():
    assert tf.Variable(1.0, trainable=False).trainable is False
    assert tf.Variable(1.0, trainable=True).trainable is True


def test_variable_names():
    assert tf.Variable(1.0, name="w").name == "w:0"
    assert tf.Variable(1.0).name == "Variable:0"


def test_variable_does_not_alias_initial_array():
    a = np.array([1.0, 2.0, 3.0])
    v = tf.Variable(a)
    a[0] = 100.0
    assert_equal(v, np.array([1.0, 2.0, 3.0]))


def test_variable_numpy_is_a_copy():
    v = tf.Variable([1.0, 2.0])
    a = v.numpy()
    a[0] = 50.0
    assert_equal(v, np.array([1.0, 2.0], np.float32))


def test_np_asarray_of_variable():
    v = tf.Variable([1.0, 2.0], dtype=tf.float64)
    a = np.asarray(v)
    np.testing.assert_array_equal(a, [1.0, 2.0])
    assert a.dtype == np.float64


# --------------------------------------------------------------------------
# assignment
# --------------------------------------------------------------------------

def test_assign_family():
    v = tf.Variable([1.0, 2.0])
    r = v.assign([3.0, 4.0])
    assert_equal(v, np.array([3.0, 4.0], np.float32))
    assert_equal(np.array(r.numpy()), np.array([3.0, 4.0], np.float32))
    r = v.assign_add([1.0, 1.0])
    assert_equal(v, np.array([4.0, 5.0], np.float32))
    assert_equal(np.array(r.numpy()), np.array([4.0, 5.0], np.float32))
    r = v.assign_sub(tf.constant([0.5, 2.0]))
    assert_equal(v, np.array([3.5, 3.0], np.float32))
    assert_equal(np.array(r.numpy()), np.array([3.5, 3.0], np.float32))
    assert v.dtype == tf.float32


def test_assign_python_scalar_keeps_dtype():
    v = tf.Variable(1.0, dtype=tf.float64)
    v.assign(2)
    assert v.dtype == tf.float64
    assert v.numpy() == 2.0
    v.assign_add(0.1)
    assert v.numpy() == np.float64(2.0) + np.float64(0.1)


def test_assign_from_numpy_does_not_alias():
    v = tf.Variable(np.zeros(3))
    a = np.array([1.0, 2.0, 3.0])
    v.assign(a)
    a[:] = -1.0
    assert_equal(v, np.array([1.0, 2.0, 3.0]))


def test_assign_shape_mismatch_raises():
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError):
        v.assign([1.0, 2.0, 3.0])
    assert_equal(v, np.array([1.0, 2.0], np.float32))


def test_read_value_is_a_snapshot():
    v = tf.Variable([1.0, 2.0])
    r = v.read_value()
    assert isinstance(r, tf.Tensor) and not isinstance(r, tf.Variable)
    v.assign([10.0, 20.0])
    assert_equal(r, np.array([1.0, 2.0], np.float32))
    v.assign_add([1.0, 1.0])
    assert_equal(r, np.array([1.0, 2.0], np.float32))
    assert_equal(v.read_value(), np.array([11.0, 21.0], np.float32))


def test_op_results_are_snapshots():
    v = tf.Variable([1.0, 2.0])
    y = v * 1.0
    a = np.asarray(v.read_value())
    v.assign([5.0, 6.0])
    assert_equal(y, np.array([1.0, 2.0], np.float32))
    np.testing.assert_array_equal(a, [1.0, 2.0])


# --------------------------------------------------------------------------
# use in ops and operators
# --------------------------------------------------------------------------

def test_variable_in_operators_and_ops():
    vv = np.array([[1.0, -2.0], [3.0, 0.5]], np.float32)
    v = tf.Variable(vv)
    m = np.array([[2.0, 0.0], [1.0, 1.0]], np.float32)
    cases = [
        (v + 1.0, vv + 1), (1.0 + v, 1 + vv), (v - v, vv - vv), (2.0 * v, 2 * vv),
        (v / 2.0, vv / 2), (-v, -vv), (v ** 2.0, vv ** 2), (v * tf.constant(m), vv * m),
        (v @ m, vv @ m), (m @ v, m @ vv), (tf.matmul(v, v), vv @ vv),
        (tf.exp(v), np.exp(vv)), (tf.reduce_sum(v, axis=0), vv.sum(axis=0)),
        (tf.reshape(v, [-1]), vv.reshape(-1)), (tf.transpose(v), vv.T),
        (v[0], vv[0]), (v[:, ::-1], vv[:, ::-1]), (tf.nn.relu(v), np.maximum(vv, 0)),
        (tf.maximum(v, 0.7), np.maximum(vv, 0.7)), (tf.cast(v, tf.float64), vv.astype(np.float64)),
        (np.ones((2, 2), np.float32) + v, 1 + vv),
    ]
    for got, want in cases:
        assert isinstance(got, tf.Tensor) and not isinstance(got, tf.Variable)
        assert_close(got, want, rtol=1e-6)
    for got, want in [(v > 0.0, vv > 0), (v <= v, vv <= vv), (v == 3.0, vv == 3.0),
                      (tf.less(v, 1.0), vv < 1)]:
        assert got.dtype == tf.bool
        assert_equal(got, want)


def test_scalar_variable_python_conversions_in_control_flow():
    v = tf.Variable(3.0)
    assert float(v.read_value()) == 3.0
    n = 0
    while v.read_value() > 0:
        v.assign_sub(1.0)
        n += 1
    assert n == 3


# --------------------------------------------------------------------------
# gradients
# --------------------------------------------------------------------------

def test_trainable_variable_is_watched_automatically():
    v = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = v * v
    g = t.gradient(y, v)
    assert isinstance(g, tf.Tensor)
    assert g.dtype == tf.float32
    assert float(g) == 6.0


def test_no_automatic_watch_when_disabled():
    v = tf.Variable(3.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        y = v * v
    assert t.gradient(y, v) is None


def test_explicit_watch_when_auto_watch_disabled():
    v = tf.Variable(3.0)
    w = tf.Variable(5.0)
    with tf.GradientTape(watch_accessed_variables=False) as t:
        t.watch(v)
        y = v * v * w
    gv, gw = t.gradient(y, [v, w])
    assert float(gv) == 30.0
    assert gw is None


def test_non_trainable_variable_never_auto_watched():
    v = tf.Variable(3.0, trainable=False)
    with tf.GradientTape() as t:
        y = v * v
    assert t.gradient(y, v) is None
    with tf.GradientTape() as t:
        t.watch(v)
        y = v * v
    assert float(t.gradient(y, v)) == 6.0


def test_gradient_through_read_value():
    v = tf.Variable([1.0, 2.0])
    with tf.GradientTape() as t:
        r = v.read_value()
        y = tf.reduce_sum(r * r)
    assert_equal(t.gradient(y, v), np.array([2.0, 4.0], np.float32))


def test_value_read_before_tape_is_not_connected():
    v = tf.Variable(2.0)
    r = v.read_value()
    with tf.GradientTape() as t:
        y = r * r
    assert t.gradient(y, v) is None


def test_linear_model_gradients():
    xv = np.array([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]])
    tv = np.array([[1.0], [0.0], [2.0]])
    w = tf.Variable(np.array([[0.5], [-0.25]]), name="w")
    b = tf.Variable(np.array([0.1]), name="b")
    with tf.GradientTape() as t:
        pred = tf.matmul(xv, w) + b
        loss = tf.reduce_mean(tf.square(pred - tv))
    grads = t.gradient(loss, {"w": w, "b": b})
    assert set(grads) == {"w", "b"}
    resid = xv @ to_np(w) + to_np(b) - tv
    assert_close(grads["w"], 2.0 / 3.0 * xv.T @ resid, rtol=1e-13)
    assert_close(grads["b"], 2.0 / 3.0 * resid.sum(axis=0), rtol=1e-13)
    assert grads["w"].dtype == tf.float64


def test_gradient_descent_loop_converges():
    w = tf.Variable(0.0)
    for _ in range(100):
        with tf.GradientTape() as t:
            loss = tf.square(w - 3.0)
        g = t.gradient(loss, w)
        w.assign_sub(0.1 * g)
    assert abs(float(w.numpy()) - 3.0) < 1e-4


def test_assign_after_forward_does_not_change_saved_values():
    v = tf.Variable(3.0)
    with tf.GradientTape(persistent=True) as t:
        y = v * v
        z = tf.sin(v)
    v.assign(10.0)
    assert float(t.gradient(y, v)) == 6.0
    assert_close(t.gradient(z, v), np.float32(np.cos(np.float32(3.0))), rtol=1e-6)
    assert float(y) == 9.0


def test_assign_inside_tape_between_reads():
    v = tf.Variable(3.0)
    with tf.GradientTape() as t:
        y = v * v           # uses 3
        v.assign(10.0)
        z = v * v           # uses 10
        total = y + z
    assert float(total) == 109.0
    assert float(t.gradient(total, v)) == 2 * 3.0 + 2 * 10.0


def test_assign_add_inside_tape_does_not_corrupt_saved_value():
    v = tf.Variable(np.array([1.0, 2.0]))
    with tf.GradientTape() as t:
        y = tf.reduce_sum(tf.exp(v))
        v.assign_add(np.array([5.0, 5.0]))
    assert_close(t.gradient(y, v), np.exp([1.0, 2.0]), rtol=1e-14)
    assert_equal(v, np.array([6.0, 7.0]))


def test_variables_in_nested_structures_of_sources():
    a = tf.Variable(2.0)
    b = tf.Variable([1.0, 3.0])
    with tf.GradientTape() as t:
        y = a * tf.reduce_sum(b * b)
    g = t.gradient(y, [a, {"b": b}])
    assert float(g[0]) == 10.0
    assert_equal(g[1]["b"], np.array([4.0, 12.0], np.float32))


def test_mixed_variable_and_tensor_sources():
    v = tf.Variable(2.0)
    x = tf.constant(5.0)
    with tf.GradientTape() as t:
        t.watch(x)
        y = v * x
    gv, gx = t.gradient(y, [v, x])
    assert float(gv) == 5.0 and float(gx) == 2.0


def test_variable_unconnected_zero():
    v = tf.Variable([[1.0, 2.0]], dtype=tf.float64)
    u = tf.Variable(1.0, dtype=tf.float64)
    with tf.GradientTape() as t:
        y = u * 2.0
    g = t.gradient(y, [u, v], unconnected_gradients=tf.UnconnectedGradients.ZERO)
    assert float(g[0]) == 2.0
    assert g[1].dtype == tf.float64 and g[1].shape == (1, 2)
    assert_equal(g[1], np.zeros((1, 2)))


def test_np_asarray_of_variable_is_not_changed_by_assign():
    v = tf.Variable([1.0, 2.0])
    a = np.asarray(v)
    v.assign([7.0, 8.0])
    np.testing.assert_array_equal(a, [1.0, 2.0])
    r = v.read_value()
    b = np.asarray(r)
    v.assign_add([1.0, 1.0])
    np.testing.assert_array_equal(b, [7.0, 8.0])
    assert_equal(v, np.array([8.0, 9.0], np.float32))


def test_variable_created_inside_tape_is_watched():
    with tf.GradientTape() as t:
        v = tf.Variable(4.0)
        y = v * v
    assert float(t.gradient(y, v)) == 8.0


def test_integer_variable_gives_none():
    v = tf.Variable(3)
    assert v.dtype == tf.int32 and v.trainable
    with tf.GradientTape() as t:
        y = v * v
    assert int(y) == 9
    assert t.gradient(y, v) is None


def test_variable_repr():
    v = tf.Variable([1.0, 2.0], name="w")
    assert repr(v) == ("<fasttape.Variable 'w:0' shape=(2,) dtype=float32, "
                       "numpy=array([1., 2.], dtype=float32)>")
    s = tf.Variable(1.0)
    assert repr(s) == "<fasttape.Variable 'Variable:0' shape=() dtype=float32, numpy=1.0>"


def test_variables_are_unhashable_like_tf():
    with pytest.raises(TypeError):
        hash(tf.Variable(1.0))


# --------------------------------------------------------------------------
# ownership: the C++ tape holds the watched variables and the tape stack
# --------------------------------------------------------------------------

def test_watched_variables_are_the_objects_read_and_are_kept_alive():
    import gc
    import sys
    import weakref

    v = tf.Variable(2.0, name="kept")
    ref = weakref.ref(v)
    base = sys.getrefcount(v)
    with tf.GradientTape() as tape:
        for _ in range(100):
            y = v * v                # 200 reads, one watched value
    held = sys.getrefcount(v)
    assert held == base + 1          # the tape holds one reference, whatever the number of reads
    del v
    gc.collect()
    assert ref() is not None         # kept by the tape
    (w,) = tape.watched_variables()
    assert w is ref() and w.name == "kept:0"
    assert tape.gradient(y, w).numpy() == 4.0
    del w, tape
    gc.collect()
    assert ref() is None             # and released with it


def test_variable_subclasses_work_and_an_uninitialised_one_says_so():
    class Scaled(tf.Variable):
        def scaled(self, k):
            return self * k

    s = Scaled(3.0)
    with tf.GradientTape() as tape:
        y = s.scaled(2.0)
    assert tape.watched_variables() == (s,)
    assert tape.gradient(y, s).numpy() == 2.0

    class Broken(tf.Variable):
        def __init__(self):  # forgets Variable.__init__
            pass

    with pytest.raises(ValueError, match="never initialised"):
        Broken() * 2.0


def test_reentering_a_recording_tape_raises_and_the_state_comes_from_cpp():
    tape = tf.GradientTape()
    with tape:
        assert tape._tape.recording
        with pytest.raises(ValueError, match="still recording"):
            tape.__enter__()
    assert not tape._tape.recording
    with pytest.raises(ValueError, match="not recording"):
        tape._pop_tape()


def test_a_tape_left_recording_by_a_finished_thread_can_be_entered_again():
    import threading

    tape = tf.GradientTape(persistent=True)
    t = threading.Thread(target=tape.__enter__)  # entered there, never exited
    t.start()
    t.join()
    import time

    for _ in range(200):  # join() returns before the thread's C++ thread-locals are destroyed
        if not tape._tape.recording:
            break
        time.sleep(0.01)
    assert not tape._tape.recording  # the thread's exit stopped it
    x = tf.constant(3.0)
    with tape:
        tape.watch(x)
        y = x * x
    assert tape.gradient(y, x).numpy() == 6.0
