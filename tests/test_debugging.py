"""fasttape.debugging: eager assertions with TensorFlow's error classes and
message text (the expected strings are TensorFlow 2.21's)."""
import re

import numpy as np
import pytest

import fasttape as tf
from fasttape.errors import InvalidArgumentError

X = [1, 2, 3]
Y = [1, 5, 3]


def _raises(cls, text, fn, *args, **kwargs):
    with pytest.raises(cls) as info:
        fn(*args, **kwargs)
    assert str(info.value) == text
    return info.value


def test_binary_asserts_pass_return_none():
    x, y = tf.constant(X), tf.constant(Y)
    assert tf.debugging.assert_equal(x, x) is None
    assert tf.debugging.assert_less_equal(x, y) is None
    assert tf.debugging.assert_greater_equal(y, x) is None
    assert tf.debugging.assert_less(tf.constant([]), tf.constant([])) is None
    assert tf.debugging.assert_none_equal(tf.constant([1, 2]), tf.constant([3, 4])) is None
    assert tf.debugging.assert_greater(tf.constant([[2.0], [3.0]]), 1.0) is None  # broadcasting


def test_assert_equal_message():
    x, y = tf.constant(X), tf.constant(Y)
    _raises(InvalidArgumentError,
            "Condition x == y did not hold.\nIndices of first 1 different values:\n[[1]]\nCorresponding x values:"
            "\n[2]\n"
            "Corresponding y values:\n[5]\nFirst 3 elements of x:\n[1 2 3]\nFirst 3 elements of y:\n[1 5 3]",
            tf.debugging.assert_equal, x, y)
    _raises(InvalidArgumentError,
            "msg\nCondition x == y did not hold.\nIndices of first 1 different values:\n[[1]]\nCorresponding x values:"
            "\n[2]\nCorresponding y values:\n[5]\nFirst 1 elements of x:\n[1]\nFirst 1 elements of y:\n[1]",
            tf.debugging.assert_equal, x, y, message="msg", summarize=1)
    _raises(InvalidArgumentError,
            "Condition x == y did not hold.\nIndices of first 3 different values:\n[[0]\n [1]\n [2]]\nCorresponding x "
            "values:\n[0 1 2]\nCorresponding y values:\n[1 2 3]\nFirst 3 elements of x:\n[0 1 2]\nFirst 3 elements of "
            "y:\n[1 2 3]",
            tf.debugging.assert_equal, tf.constant(np.arange(30)), tf.constant(np.arange(30) + 1))
    # Shapes that differ (broadcast): no indices part.
    _raises(InvalidArgumentError,
            "Condition x == y did not hold.\nFirst 2 elements of x:\n[1. 2.]\nFirst 3 elements of y:\n[1. 2. 3.]",
            tf.debugging.assert_equal, tf.constant([1.0, 2.0]), tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    _raises(InvalidArgumentError, "Condition x == y did not hold.\nFirst 1 elements of x:\n[1]\nFirst 1 elements of "
            "y:\n[2]", tf.debugging.assert_equal, 1, 2)
    with pytest.raises(InvalidArgumentError, match="Incompatible shapes"):
        tf.debugging.assert_equal(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0, 3.0]))


def test_other_binary_messages():
    x, y = tf.constant(X), tf.constant(Y)
    tail = "First 3 elements of x:\n[1 2 3]\nFirst 3 elements of y:\n[1 5 3]"
    _raises(InvalidArgumentError, "Condition x != y did not hold.\nIndices of first 2 different values:\n[[0]\n [2]]\n"
            "Corresponding x values:\n[1 3]\nCorresponding y values:\n[1 3]\n" + tail,
            tf.debugging.assert_none_equal, x, y)
    _raises(InvalidArgumentError, "Condition x < y did not hold.\nIndices of first 2 different values:\n[[0]\n [2]]\n"
            "Corresponding x values:\n[1 3]\nCorresponding y values:\n[1 3]\n" + tail, tf.debugging.assert_less, x, y)
    _raises(InvalidArgumentError, "Condition x >= y did not hold.\nIndices of first 1 different values:\n[[1]]\n"
            "Corresponding x values:\n[2]\nCorresponding y values:\n[5]\n" + tail,
            tf.debugging.assert_greater_equal, x, y)
    _raises(InvalidArgumentError, "Condition x > y did not hold.\nIndices of first 2 different values:\n[[0]\n [2]]\n"
            "Corresponding x values:\n[1 3]\nCorresponding y values:\n[1 3]\nFirst 3 elements of x:\n[1 5 3]\n"
            "First 3 elements of y:\n[1 2 3]", tf.debugging.assert_greater, y, x)
    _raises(InvalidArgumentError, "m\nCondition x < y did not hold.\nFirst 3 elements of x:\n[ 1  0 -1]\n"
            "First 1 elements of y:\n[1]", tf.debugging.assert_less, tf.constant([1, 0, -1]), 1, message="m")
    xf = tf.constant([1.5, 0.0, -1.0])
    _raises(InvalidArgumentError,
            "Condition x < y did not hold.\nIndices of first 3 different values:\n[[0]\n [1]\n [2]]\nCorresponding x "
            "values:\n[ 1.5  0.  -1. ]\nCorresponding y values:\n[ 1.5  0.  -1. ]\nFirst 3 elements of x:\n"
            "[ 1.5  0.  -1. ]\nFirst 3 elements of y:\n[ 1.5  0.  -1. ]",
            tf.debugging.assert_less, xf, xf, summarize=-1)


def test_top_level_aliases_as_tensorflow():
    for name in ("assert_equal", "assert_greater", "assert_less", "assert_rank", "Assert"):
        assert getattr(tf, name) is getattr(tf.debugging, name)
    assert not hasattr(tf, "assert_near")  # not at TensorFlow's top level either


def test_assert_near():
    assert tf.debugging.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.000001])) is None
    _raises(InvalidArgumentError,
            "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: b''\n"
            "b'x and y not equal to "
            "tolerance rtol = tf.Tensor(1.1920929e-06, shape=(), dtype=float32), atol = tf.Tensor(1.1920929e-06, "
            "shape=(), dtype=float32)'\nb'x (shape=(2,) dtype=float32) = '\n1.0, 2.0\nb'y (shape=(2,) dtype=float32) "
            "= '\n1.0, 2.1", tf.debugging.assert_near, tf.constant([1.0, 2.0]), tf.constant([1.0, 2.1]))
    # float64's default tolerance is 10 * eps = 2.2e-15.
    _raises(InvalidArgumentError,
            "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: b''\n"
            "b'x and y not equal to "
            "tolerance rtol = tf.Tensor(2.220446049250313e-15, shape=(), dtype=float64), atol = "
            "tf.Tensor(2.220446049250313e-15, shape=(), dtype=float64)'\nb'x (shape=(8,) dtype=float64) = '\n0.0, 1.0, "
            "2.0, ...\nb'y (shape=(8,) dtype=float64) = '\n1.0, 2.0, 3.0, ...", tf.debugging.assert_near,
            tf.constant(np.arange(8.0)), tf.constant(np.arange(8.0) + 1))
    with pytest.raises(InvalidArgumentError, match=re.escape("Summarized data: b'm.  '\n")):
        tf.debugging.assert_near(tf.constant([1.5, 0.0]), tf.constant([2.5, 1.0]), message="m", summarize=1)
    assert tf.debugging.assert_near(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.1]), atol=0.2) is None
    assert tf.debugging.assert_near(tf.constant([100.0]), tf.constant([101.0]), rtol=0.02, atol=0.0) is None
    with pytest.raises(ValueError, match="not inexact"):
        tf.debugging.assert_near(tf.constant([1, 2]), tf.constant([1, 2]))


def test_assert_all_finite_returns_tensor():
    x = tf.constant([1.0, 2.0])
    np.testing.assert_array_equal(tf.debugging.assert_all_finite(x, "bad").numpy(), [1.0, 2.0])
    _raises(InvalidArgumentError, "bad : Tensor had NaN values", tf.debugging.assert_all_finite,
            tf.constant([1.0, np.nan]), "bad")


def test_sign_asserts():
    x = tf.constant([1, 0, -1])
    body = "Condition x %s 0 did not hold element-wise:%sx (shape=(3,) dtype=int32) = \n['1', '0', '-1']"
    _raises(InvalidArgumentError, "\n" + body % (">", "\n"), tf.debugging.assert_positive, x)
    _raises(InvalidArgumentError, "\n" + body % (">=", "\n"), tf.debugging.assert_non_negative, x)
    _raises(InvalidArgumentError, "\n" + body % ("<", "\n"), tf.debugging.assert_negative, x)
    _raises(InvalidArgumentError, "\n" + body % ("<=", ""), tf.debugging.assert_non_positive, x)
    _raises(InvalidArgumentError, "m.  \nCondition x > 0 did not hold element-wise:\nx (shape=(3,) dtype=int32) = \n"
            "['1', '0', '...']", tf.debugging.assert_positive, x, message="m", summarize=2)
    _raises(InvalidArgumentError, "\nCondition x > 0 did not hold element-wise:\nx (shape=(3,) dtype=float32) = \n"
            "['1.5', '0.0', '-1.0']", tf.debugging.assert_positive, tf.constant([1.5, 0.0, -1.0]))
    assert tf.debugging.assert_positive(tf.constant([1, 2])) is None
    assert tf.debugging.assert_non_negative(tf.constant([0.0, 2.0])) is None
    assert tf.debugging.assert_negative(tf.constant([-1])) is None
    assert tf.debugging.assert_non_positive(tf.constant([0, -3])) is None


def test_rank_asserts():
    x = tf.constant(X)
    assert tf.debugging.assert_rank(x, 1) is None
    _raises(ValueError, "Tensor  must have rank 2.  Received rank 1, shape (3,)", tf.debugging.assert_rank, x, 2)
    _raises(ValueError, "Tensor  must have rank 2.  Received rank 1, shape (3,)", tf.assert_rank, x, tf.constant(2))
    _raises(ValueError, "m.  Tensor  must have rank 2.  Received rank 1, shape (3,)", tf.debugging.assert_rank, x, 2,
            message="m")
    _raises(ValueError, "Tensor  must have rank at least 2.  Received rank 1, shape (3,)",
            tf.debugging.assert_rank_at_least, x, 2)
    assert tf.debugging.assert_rank_at_least(x, 0) is None
    _raises(ValueError, "Tensor  must have rank in (0, 2).  Received rank 1, shape (3,)",
            tf.debugging.assert_rank_in, x, [0, 2])
    _raises(ValueError, "Expected scalar shape, saw shape: (3,).", tf.debugging.assert_scalar, x)
    assert tf.debugging.assert_scalar(tf.constant(1)) is None


def test_assert_shapes():
    x = tf.constant(X)
    assert tf.debugging.assert_shapes([(x, ("N",)), (tf.zeros((3, 2)), ("N", "D"))]) is None
    assert tf.debugging.assert_shapes([(x, ("N",)), (tf.zeros((3, 2)), (3, "D")), (tf.zeros((4, 5, 3)), (..., "N"))]) \
        is None
    assert tf.debugging.assert_shapes([(tf.zeros((2, 3, 4)), ("*", 3, 4))]) is None
    assert tf.debugging.assert_shapes([(tf.constant(1.0), (1,)), (tf.constant([1.0]), ())]) is None
    assert tf.debugging.assert_shapes([(tf.zeros((2, 3)), (None, 3))]) is None
    _raises(ValueError, "Specified by tensor shape=(3,) dtype=int32 dimension 0.  Tensor shape=(2, 3) dtype=float32 "
            "dimension 0 must have size 3.  Received size 2, shape (2, 3)",
            tf.debugging.assert_shapes, [(x, ("N",)), (tf.zeros((2, 3)), ("N", "D"))])
    _raises(ValueError, "Specified explicitly.  Tensor shape=(3,) dtype=int32 dimension 0 must have size 2.  Received "
            "size 3, shape (3,)", tf.debugging.assert_shapes, [(x, (2,))])
    _raises(ValueError, "m.  Specified explicitly.  Tensor shape=(3,) dtype=int32 dimension 0 must have size 1.  "
            "Received size 3, shape (3,)", tf.debugging.assert_shapes, [(x, (1,))], message="m")
    _raises(ValueError, "Specified explicitly.  Tensor shape=(3,) dtype=int32 dimension 0 must have size 1.  Received "
            "size 3, shape (3,)", tf.debugging.assert_shapes, [(x, ())])
    _raises(ValueError, "Tensor  must have rank 2.  Received rank 1, shape (3,)", tf.debugging.assert_shapes,
            [(x, ("N", "M"))])
    _raises(ValueError, "Specified by tensor shape=(2, 3) dtype=float32 dimension 0.  Tensor shape=(2, 3) "
            "dtype=float32 dimension 1 must have size 2.  Received size 3, shape (2, 3)",
            tf.debugging.assert_shapes, [(tf.zeros((2, 3)), ("N", "N"))])
    _raises(ValueError, "Tensor shape=(2, 3, 4) dtype=float32 specified shape index 1.  Symbol `...` or `*` for a "
            "variable number of unspecified dimensions is only allowed as the first entry",
            tf.debugging.assert_shapes, [(tf.zeros((2, 3, 4)), ("N", ...))])
    _raises(ValueError, "Specified explicitly.  Tensor shape=(2, 3, 4) dtype=float32 dimension -1 must have size 3.  "
            "Received size 4, shape (2, 3, 4)", tf.debugging.assert_shapes, [(tf.zeros((2, 3, 4)), (..., 3))])


def test_type_asserts():
    x = tf.constant(X)
    assert tf.debugging.assert_type(x, tf.int32) is None
    _raises(TypeError, "tensor must be of type tf.float32; got tf.int32", tf.debugging.assert_type, x, tf.float32)
    _raises(TypeError, "m.  tensor must be of type tf.float32; got tf.int32", tf.debugging.assert_type, x, tf.float32,
            message="m")
    assert tf.debugging.assert_integer(x) is None
    _raises(TypeError, "Expected \"x\" to be integer type.  Found: tensor of dtype <dtype: 'float32'>",
            tf.debugging.assert_integer, tf.constant([1.0]))
    _raises(TypeError, "m.  Expected \"x\" to be integer type.  Found: tensor of dtype <dtype: 'float32'>",
            tf.debugging.assert_integer, tf.constant([1.0]), message="m")
    assert tf.debugging.assert_same_float_dtype([tf.constant([1.0])]) == tf.float32
    with pytest.raises(ValueError):
        tf.debugging.assert_same_float_dtype([tf.constant([1.0]), tf.constant([1.0], tf.float64)])


def test_proper_iterable_and_numeric():
    assert tf.debugging.assert_proper_iterable([1]) is None
    assert tf.debugging.assert_proper_iterable((1, 2)) is None
    for bad in (tf.constant([1]), "abc", b"abc", np.array([1])):
        with pytest.raises(TypeError, match=r'^Expected argument "values" to be a "proper" iterable\.  Found: '):
            tf.debugging.assert_proper_iterable(bad)
    with pytest.raises(TypeError, match="to be iterable"):
        tf.debugging.assert_proper_iterable(5)
    assert tf.debugging.is_numeric_tensor(tf.constant([1])) is True
    assert tf.debugging.is_numeric_tensor(tf.constant([1.0])) is True
    assert tf.debugging.is_numeric_tensor(tf.constant([True])) is False
    assert tf.debugging.is_numeric_tensor(1) is False


def test_Assert():
    assert tf.debugging.Assert(tf.constant(True), ["never shown"]) is None
    _raises(InvalidArgumentError, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: "
            "b'value:'\n1, 2, 3, ...", tf.Assert, tf.constant(False), ["value:", tf.constant([1, 2, 3, 4])])
    _raises(InvalidArgumentError, "Expected 'False' to be true. Summarized data: 1, 2, 3, 4", tf.Assert, False,
            [tf.constant([1, 2, 3, 4])], summarize=-1)


def test_variables_are_accepted():
    v = tf.Variable([1.0, 2.0])
    assert tf.debugging.assert_equal(v, [1.0, 2.0]) is None
    assert tf.debugging.assert_rank(v, 1) is None
    assert tf.debugging.assert_type(v, tf.float32) is None


def test_sign_assert_shows_a_scalar_as_its_value():
    with pytest.raises(InvalidArgumentError) as e:
        tf.debugging.assert_positive(tf.constant(-1.5))
    assert str(e.value) == "\nCondition x > 0 did not hold element-wise:\nx (shape=() dtype=float32) = \n-1.5"
    with pytest.raises(InvalidArgumentError) as e:
        tf.debugging.assert_negative(tf.constant(1), summarize=0)
    assert str(e.value).endswith("x (shape=() dtype=int32) = \n1")
    with pytest.raises(InvalidArgumentError) as e:
        tf.debugging.assert_positive(tf.constant([[-1]]))
    assert str(e.value).endswith("x (shape=(1, 1) dtype=int32) = \n['-1']")


def test_assert_same_float_dtype_messages():
    a, b = tf.constant([1.0, 2.0]), tf.constant([1.0], tf.float64)
    assert tf.debugging.assert_same_float_dtype([a, None, a]) == tf.float32
    assert tf.debugging.assert_same_float_dtype() == tf.float32
    with pytest.raises(ValueError) as e:
        tf.debugging.assert_same_float_dtype([a, b])
    assert str(e.value) == "%s, type=<dtype: 'float64'>, must be of the same type (<dtype: 'float32'>) as %s." % (b, a)
    with pytest.raises(ValueError) as e:
        tf.debugging.assert_same_float_dtype([b], dtype=tf.float32)
    assert str(e.value) == "%s, type=<dtype: 'float64'>, must be of the same type (<dtype: 'float32'>)." % (b,)
    with pytest.raises(ValueError, match=r"^Expected floating point type, got <dtype: 'int32'>\.$"):
        tf.debugging.assert_same_float_dtype([tf.constant([1])])
    # A mixed list is a mismatch first, as in TensorFlow.
    with pytest.raises(ValueError, match="must be of the same type"):
        tf.debugging.assert_same_float_dtype([tf.constant([1]), a])
