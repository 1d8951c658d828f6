"""Pickling and copying of Tensors and Variables, including pickle protocol
5 out-of-band buffers that hand a tensor's memory over without a copy."""
import copy
import pickle

import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_equal

VALUES = [
    np.float32(1.5),
    np.arange(6, dtype=np.float32).reshape(2, 3),
    np.arange(4, dtype=np.float64),
    np.array([[1, -2], [3, 4]], dtype=np.int32),
    np.array([2 ** 40, -1], dtype=np.int64),
    np.array([True, False, True]),
    np.zeros((0, 3), np.float32),
]


def _address(a):
    return np.asarray(a).__array_interface__["data"][0]


@pytest.mark.parametrize("value", VALUES, ids=lambda v: "%s%s" % (np.asarray(v).dtype, np.shape(v)))
@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_tensor_pickle_round_trip(value, protocol):
    t = tf.constant(value)
    u = pickle.loads(pickle.dumps(t, protocol=protocol))
    assert tf.is_tensor(u) and u is not t
    assert u.dtype == t.dtype and u.shape == t.shape
    assert_equal(u, np.asarray(value))


def test_tensor_protocol5_out_of_band_is_zero_copy():
    t = tf.constant(np.arange(1000, dtype=np.float64).reshape(10, 100))
    buffers = []
    data = pickle.dumps(t, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1
    view = buffers[0].raw()
    # The buffer is the tensor's own memory, read-only, not a copy of it.
    assert _address(np.frombuffer(view, np.uint8)) == _address(t)
    assert view.readonly and view.nbytes == 1000 * 8
    # The pickle stream holds only the metadata.
    assert len(data) < 200
    u = pickle.loads(data, buffers=buffers)
    assert u.dtype == tf.float64 and u.shape == (10, 100)
    assert_equal(u, np.arange(1000, dtype=np.float64).reshape(10, 100))
    # The unpickled tensor owns its data: the buffer's owner may go away.
    del t, buffers, view
    assert float(u[9, 99]) == 999.0


def test_tensor_protocol5_in_band():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    data = pickle.dumps(t, protocol=5)
    u = pickle.loads(data)
    assert_equal(u, np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))


def test_tensor_out_of_band_receiver_owns_a_copy():
    t = tf.constant([1.0, 2.0, 3.0])
    buffers = []
    data = pickle.dumps(t, protocol=5, buffer_callback=buffers.append)
    received = bytearray(buffers[0].raw())  # as a transport would deliver it
    u = pickle.loads(data, buffers=[received])
    received[:4] = np.float32(9.0).tobytes()
    assert_equal(u, np.array([1.0, 2.0, 3.0], np.float32))


def test_tensor_copy_and_deepcopy_are_the_tensor():
    t = tf.constant([1.0, 2.0])
    assert copy.copy(t) is t
    assert copy.deepcopy(t) is t
    assert copy.deepcopy([t, t])[0] is t


def test_tensor_from_op_pickles():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    u = pickle.loads(pickle.dumps(tf.transpose(t) * 2.0, protocol=5))
    assert_equal(u, np.array([[2.0, 6.0], [4.0, 8.0]], np.float32))


@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_variable_pickle_round_trip(protocol):
    v = tf.Variable([[1.0, 2.0]], name="weights", trainable=False)
    w = pickle.loads(pickle.dumps(v, protocol=protocol))
    assert isinstance(w, tf.Variable) and w is not v
    assert w.name == "weights:0"
    assert w.trainable is False
    assert w.dtype == tf.float32 and w.shape == (1, 2)
    assert_equal(w, np.array([[1.0, 2.0]], np.float32))
    w.assign([[5.0, 6.0]])
    assert_equal(v, np.array([[1.0, 2.0]], np.float32))


def test_variable_pickle_out_of_band():
    v = tf.Variable(np.arange(12, dtype=np.int64))
    buffers = []
    data = pickle.dumps(v, protocol=5, buffer_callback=buffers.append)
    assert len(buffers) == 1
    assert _address(np.frombuffer(buffers[0].raw(), np.uint8)) == _address(v)
    w = pickle.loads(data, buffers=buffers)
    assert w.dtype == tf.int64 and w.name == "Variable:0" and w.trainable is True
    assert_equal(w, np.arange(12, dtype=np.int64))


def test_variable_deepcopy_is_independent():
    v = tf.Variable([1.0, 2.0], name="x", trainable=False)
    w = copy.deepcopy(v)
    assert isinstance(w, tf.Variable) and w is not v
    assert w.name == v.name and w.trainable == v.trainable and w.dtype == v.dtype
    assert_equal(w, np.array([1.0, 2.0], np.float32))
    w.assign([7.0, 8.0])
    v.assign_add([1.0, 1.0])
    assert_equal(v, np.array([2.0, 3.0], np.float32))
    assert_equal(w, np.array([7.0, 8.0], np.float32))


def test_variable_deepcopy_in_place_updates_stay_apart():
    v = tf.Variable([1.0, 2.0])
    w = copy.deepcopy(v)
    v.assign_add([1.0, 1.0])  # neither copy has been reassigned: they start from one value
    assert_equal(w, np.array([1.0, 2.0], np.float32))
    w.assign_sub([1.0, 1.0])
    assert_equal(v, np.array([2.0, 3.0], np.float32))
    assert_equal(w, np.array([0.0, 1.0], np.float32))


def test_variable_deepcopy_keeps_sharing():
    v = tf.Variable(3.0)
    a, b = copy.deepcopy([v, v])
    assert a is b and a is not v
    a.assign(4.0)
    assert float(b) == 4.0 and float(v) == 3.0


def test_variable_copy_is_the_variable():
    v = tf.Variable(1.0)
    assert copy.copy(v) is v


def test_deepcopied_variable_is_differentiable():
    v = copy.deepcopy(tf.Variable(3.0))
    with tf.GradientTape() as tape:
        y = v * v
    assert float(tape.gradient(y, v)) == 6.0


def test_variable_snapshot_survives_assign_after_pickle():
    v = tf.Variable([1.0, 2.0])
    data = pickle.dumps(v, protocol=5)
    v.assign([3.0, 4.0])
    assert_equal(pickle.loads(data), np.array([1.0, 2.0], np.float32))
