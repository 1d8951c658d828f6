"""The hand-written Tensor type (cpp/bindings/tensor_type.cpp): reference
counting of tensors, of their buffers and of the type itself, weak
references, and operators that are bound once, as slots."""
import gc
import sys
import weakref

import numpy as np
import pytest

import fasttape as tf
from fasttape import _core


def test_operands_keep_their_reference_counts():
    x = tf.constant([1.0, 2.0, 3.0])
    y = tf.constant([4.0, 5.0, 6.0])
    before = sys.getrefcount(x), sys.getrefcount(y)
    for _ in range(1000):
        x + y
        x * 2.0
        -x
        x == y
        tf.exp(x)
        tf.add(x, y)
    assert (sys.getrefcount(x), sys.getrefcount(y)) == before


def test_results_are_freed_with_their_last_reference():
    x = tf.constant([1.0, 2.0])
    r = x * 3.0
    ref = weakref.ref(r)
    assert ref() is r
    del r
    assert ref() is None


def test_the_type_is_not_leaked_by_its_instances():
    [tf.constant(float(i)) for i in range(500)]  # fills any caches first
    gc.collect()
    # (counts are read into plain ints: pytest's assertion rewriting would
    # hold a reference to the type in its temporaries)
    base = sys.getrefcount(_core.Tensor)
    ts = [tf.constant(float(i)) for i in range(500)]
    during = sys.getrefcount(_core.Tensor)
    del ts
    gc.collect()
    after = sys.getrefcount(_core.Tensor)
    assert during >= base + 500  # each instance holds its type
    assert after == base


def test_buffers_are_returned_when_tensors_die():
    tf.constant(0.0)  # warm up
    start = _core._big_buffer_stats(True)["live_bytes"]
    a = tf.ones((512, 512), tf.float64)  # 2 MiB: a big buffer
    b = a * 2.0
    assert _core._big_buffer_stats()["live_bytes"] >= start + 2 * 512 * 512 * 8
    del a, b
    assert _core._big_buffer_stats()["live_bytes"] == start


def test_a_numpy_view_keeps_the_buffer_alive_and_is_read_only():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    v = x._view()
    del x
    gc.collect()
    np.testing.assert_array_equal(v, np.arange(6.0).reshape(2, 3))
    assert not v.flags.writeable
    with pytest.raises(ValueError):
        v[0, 0] = 1.0


def test_operators_are_slots_and_answer_not_implemented_for_strangers():
    x = tf.constant([1.0, 2.0])
    assert x.__add__(object()) is NotImplemented
    assert x.__rmul__(object()) is NotImplemented
    np.testing.assert_array_equal(x.__radd__(1.0).numpy(), [2.0, 3.0])
    np.testing.assert_array_equal((10.0 - x).numpy(), [9.0, 8.0])
    np.testing.assert_array_equal((x ** 2).numpy(), [1.0, 4.0])
    assert +x is x
    with pytest.raises(TypeError):
        x + object()
    # One definition each: the dunder names are slot wrappers, not functions.
    assert type(_core.Tensor.__dict__["__add__"]).__name__ == "wrapper_descriptor"


def test_the_type_can_neither_be_instantiated_nor_subclassed():
    with pytest.raises(TypeError):
        _core.Tensor()
    with pytest.raises(TypeError):
        type("Sub", (_core.Tensor,), {})


def test_len_of_a_scalar_is_a_type_error():
    assert len(tf.zeros((4, 2))) == 4
    with pytest.raises(TypeError, match="Scalar tensor has no `len\\(\\)`"):
        len(tf.constant(1.0))
