"""Tensors: constructors, dtype rules, properties, aliasing, str/repr,
operators and error reporting (TensorFlow's eager-tensor behaviour)."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import (assert_close, assert_equal, dtype_in_message,
                         shape_in_message, to_np)


# --------------------------------------------------------------------------
# dtypes
# --------------------------------------------------------------------------

DTYPES = [
    (tf.float32, "float32", np.float32),
    (tf.float64, "float64", np.float64),
    (tf.int32, "int32", np.int32),
    (tf.int64, "int64", np.int64),
    (tf.bool, "bool", np.bool_),
]


@pytest.mark.parametrize("dt,name,npdt", DTYPES, ids=[d[1] for d in DTYPES])
def test_dtype_name_and_numpy_equality(dt, name, npdt):
    assert dt.name == name
    assert dt == dt
    assert dt == npdt
    assert dt == np.dtype(npdt)
    assert not (dt != npdt)


def test_dtypes_differ_from_each_other():
    dts = [d[0] for d in DTYPES]
    for i, a in enumerate(dts):
        for j, b in enumerate(dts):
            assert (a == b) == (i == j), (a.name, b.name)
            assert (a != b) == (i != j), (a.name, b.name)
    assert tf.float32 != np.float64
    assert tf.int32 != np.int64


# --------------------------------------------------------------------------
# constructors and dtype inference
# --------------------------------------------------------------------------

@pytest.mark.parametrize("value,dtype,npdtype", [
    (1.0, tf.float32, np.float32),
    (1, tf.int32, np.int32),
    (True, tf.bool, np.bool_),
    ([1.0, 2.0], tf.float32, np.float32),
    ([1, 2, 3], tf.int32, np.int32),
    ([1, 2.5], tf.float32, np.float32),
    ([[True, False]], tf.bool, np.bool_),
    (np.array([1.0, 2.0]), tf.float64, np.float64),
    (np.array([1.0], np.float32), tf.float32, np.float32),
    (np.array([1, 2], np.int32), tf.int32, np.int32),
    (np.array([1, 2], np.int64), tf.int64, np.int64),
    (np.array(3.5), tf.float64, np.float64),
    (np.float64(2.5), tf.float64, np.float64),
], ids=lambda v: repr(v) if not isinstance(v, np.ndarray) else None)
def test_constant_dtype_inference(value, dtype, npdtype):
    t = tf.constant(value)
    assert t.dtype == dtype
    assert t.dtype.name == np.dtype(npdtype).name
    expected = np.asarray(value, dtype=npdtype)
    assert_equal(t, expected)
    assert to_np(t).dtype == np.dtype(npdtype)


def test_constant_with_dtype_converts():
    t = tf.constant([[1, 2], [3, 4]], dtype=tf.float64)
    assert t.dtype == tf.float64
    assert_equal(t, np.array([[1.0, 2.0], [3.0, 4.0]]))
    t = tf.constant(1, dtype=tf.float32)
    assert t.dtype == tf.float32 and float(t) == 1.0
    t = tf.constant(np.array([1.5, 2.5]), dtype=tf.float32)
    assert t.dtype == tf.float32
    assert_equal(t, np.array([1.5, 2.5], np.float32))
    t = tf.constant([1, 2], dtype=tf.int64)
    assert t.dtype == tf.int64


def test_constant_with_shape_fills_or_reshapes():
    t = tf.constant(7.0, shape=[2, 3])
    assert t.shape == (2, 3)
    assert_equal(t, np.full((2, 3), 7.0, np.float32))
    t = tf.constant([1, 2, 3, 4, 5, 6], shape=(2, 3))
    assert t.dtype == tf.int32
    assert_equal(t, np.arange(1, 7, dtype=np.int32).reshape(2, 3))
    t = tf.constant(0, dtype=tf.float64, shape=[3])
    assert t.dtype == tf.float64
    assert_equal(t, np.zeros(3))


def test_convert_to_tensor():
    t = tf.convert_to_tensor([1.0, 2.0])
    assert isinstance(t, tf.Tensor)
    assert t.dtype == tf.float32
    assert_equal(t, np.array([1.0, 2.0], np.float32))
    t = tf.convert_to_tensor(np.arange(4.0).reshape(2, 2))
    assert t.dtype == tf.float64 and t.shape == (2, 2)
    t = tf.convert_to_tensor(1.5, dtype=tf.float64)
    assert t.dtype == tf.float64 and float(t) == 1.5
    t2 = tf.convert_to_tensor(t)
    assert isinstance(t2, tf.Tensor)
    assert t2.dtype == tf.float64 and float(t2) == 1.5


def test_ones_zeros_default_float32():
    for fn, val in [(tf.ones, 1.0), (tf.zeros, 0.0)]:
        t = fn([2, 3])
        assert t.dtype == tf.float32
        assert_equal(t, np.full((2, 3), val, np.float32))
        t = fn((3,), tf.int32)
        assert t.dtype == tf.int32
        assert_equal(t, np.full((3,), int(val), np.int32))
        t = fn([2], dtype=tf.float64)
        assert t.dtype == tf.float64
        assert_equal(t, np.full((2,), val))
        t = fn([])
        assert t.shape == () and t.ndim == 0
        assert float(t) == val
        t = fn([2, 0])
        assert t.shape == (2, 0)


def test_ones_like_zeros_like():
    x = tf.constant([[1, 2, 3]], dtype=tf.int64)
    o = tf.ones_like(x)
    z = tf.zeros_like(x)
    assert o.dtype == tf.int64 and z.dtype == tf.int64
    assert_equal(o, np.ones((1, 3), np.int64))
    assert_equal(z, np.zeros((1, 3), np.int64))
    o = tf.ones_like(x, dtype=tf.float32)
    assert o.dtype == tf.float32
    assert_equal(o, np.ones((1, 3), np.float32))
    z = tf.zeros_like(tf.constant(3.0, tf.float64))
    assert z.dtype == tf.float64 and z.shape == ()
    o = tf.ones_like(np.array([1.0, 2.0]))
    assert isinstance(o, tf.Tensor) and o.dtype == tf.float64


def test_fill():
    t = tf.fill([2, 3], 9)
    assert t.dtype == tf.int32
    assert_equal(t, np.full((2, 3), 9, np.int32))
    t = tf.fill((2,), 1.5)
    assert t.dtype == tf.float32
    assert_equal(t, np.array([1.5, 1.5], np.float32))
    t = tf.fill([], 2.0)
    assert t.shape == () and float(t) == 2.0


# --------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------

def test_shape_is_tuple_like():
    t = tf.zeros([2, 3, 4])
    assert t.shape == (2, 3, 4)
    assert t.shape == [2, 3, 4]
    assert t.shape != (2, 3)
    assert t.shape.as_list() == [2, 3, 4]
    assert tuple(t.shape) == (2, 3, 4)
    assert len(t.shape) == 3
    assert t.shape[0] == 2 and t.shape[-1] == 4
    assert t.ndim == 3
    assert str(t.shape) == "(2, 3, 4)"
    assert repr(t.shape) == "TensorShape([2, 3, 4])"
    s = tf.constant(1.0)
    assert s.shape == () and s.ndim == 0 and s.shape.as_list() == []
    assert str(s.shape) == "()"
    v = tf.constant([1.0])
    assert str(v.shape) == "(1,)"


def test_numpy_scalar_and_array():
    s = tf.constant(4.0)
    v = s.numpy()
    assert isinstance(v, np.generic) and not isinstance(v, np.ndarray)
    assert isinstance(v, np.float32) and v == 4.0
    assert isinstance(tf.constant(3).numpy(), np.int32)
    assert isinstance(tf.constant(True).numpy(), np.bool_)
    a = tf.constant([[1.0, 2.0]], tf.float64).numpy()
    assert isinstance(a, np.ndarray)
    assert a.dtype == np.float64 and a.shape == (1, 2)


def test_numpy_is_writable_and_independent():
    t = tf.constant([1.0, 2.0, 3.0])
    a = t.numpy()
    assert a.flags.writeable
    a[0] = 100.0
    assert_equal(t, np.array([1.0, 2.0, 3.0], np.float32))
    assert t.numpy()[0] == 1.0


def test_asarray_is_readonly_view():
    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    a = np.asarray(t)
    assert isinstance(a, np.ndarray)
    assert a.dtype == np.float32 and a.shape == (2, 2)
    assert a.flags.writeable is False
    np.testing.assert_array_equal(a, [[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(ValueError):
        a[0, 0] = 5.0
    # No copy: two views see the same buffer.
    assert np.shares_memory(a, np.asarray(t))
    # Requesting another dtype converts.
    b = np.asarray(t, dtype=np.float64)
    assert b.dtype == np.float64
    np.testing.assert_array_equal(b, [[1.0, 2.0], [3.0, 4.0]])


def test_numpy_functions_accept_tensors():
    t = tf.constant([1.0, 2.0, 3.0], tf.float64)
    assert np.sum(t) == 6.0
    np.testing.assert_allclose(np.exp(np.asarray(t)), np.exp([1.0, 2.0, 3.0]))


@pytest.mark.parametrize("make", [tf.constant, tf.convert_to_tensor],
                         ids=["constant", "convert_to_tensor"])
def test_tensor_does_not_alias_caller_memory(make):
    for dtype in (np.float32, np.float64, np.int32, np.int64):
        a = np.array([1, 2, 3], dtype=dtype)
        t = make(a)
        a[0] = 42
        assert_equal(t, np.array([1, 2, 3], dtype=dtype))
    a = np.arange(6.0).reshape(2, 3)
    t = make(a[:, ::2])      # non-contiguous source
    a[:] = -1.0
    assert_equal(t, np.array([[0.0, 2.0], [3.0, 5.0]]))


def test_len_and_python_scalars():
    assert len(tf.zeros([4, 2])) == 4
    with pytest.raises(TypeError):
        len(tf.constant(1.0))
    f = float(tf.constant(2.5))
    assert isinstance(f, float) and f == 2.5
    i = int(tf.constant(7))
    assert isinstance(i, int) and i == 7
    assert int(tf.constant(2.7)) == 2
    assert float(tf.constant(3, tf.int64)) == 3.0
    assert bool(tf.constant(True)) is True
    assert bool(tf.constant(False)) is False
    assert bool(tf.constant(0.0)) is False
    assert bool(tf.constant(-1.5)) is True
    with pytest.raises(ValueError):
        bool(tf.constant([1.0, 2.0]))


# --------------------------------------------------------------------------
# str / repr
# --------------------------------------------------------------------------

def test_str_scalar_float32():
    assert str(tf.constant(4.0)) == "fasttape.Tensor(4.0, shape=(), dtype=float32)"


def test_str_matrix_is_multiline():
    t = tf.constant(8.0, shape=[2, 2])
    assert str(t) == "fasttape.Tensor(\n[[8. 8.]\n [8. 8.]], shape=(2, 2), dtype=float32)"


def test_print_uses_str(capsys):
    print(tf.constant([1, 2, 3]))
    out = capsys.readouterr().out
    assert out == "fasttape.Tensor([1 2 3], shape=(3,), dtype=int32)\n"


@pytest.mark.parametrize("value", [
    np.array(2.5),
    np.array([1.5, -2.0], np.float32),
    np.array([[1, 2], [3, 4]], np.int64),
    np.array([True, False]),
    np.array(True),
    np.array(3, np.int32),
    np.arange(6.0).reshape(1, 2, 3),
], ids=["f64-scalar", "f32-vec", "i64-mat", "bool-vec", "bool-scalar", "i32-scalar",
        "f64-3d"])
def test_str_matches_numpy_text(value):
    t = tf.constant(value)
    text = str(value[()] if value.ndim == 0 else value)
    if "\n" in text:
        text = "\n" + text
    shape = "(" + ", ".join(str(d) for d in value.shape) + ("," if value.ndim == 1 else "") + ")"
    expected = f"fasttape.Tensor({text}, shape={shape}, dtype={value.dtype.name})"
    assert str(t) == expected


def test_repr_scalar():
    assert repr(tf.constant(4.0)) == "<fasttape.Tensor: shape=(), dtype=float32, numpy=4.0>"


def test_repr_vector():
    t = tf.constant([1.0, 2.0])
    assert repr(t) == ("<fasttape.Tensor: shape=(2,), dtype=float32, "
                       "numpy=array([1., 2.], dtype=float32)>")


def test_repr_matrix_float64_uses_numpy_repr():
    a = np.array([[1.0, 2.0], [3.0, 4.5]])
    t = tf.constant(a)
    # Like TF, a multi-line numpy text starts on its own line.
    assert repr(t) == f"<fasttape.Tensor: shape=(2, 2), dtype=float64, numpy=\n{a!r}>"


# --------------------------------------------------------------------------
# operators
# --------------------------------------------------------------------------

def _f32(x):
    return np.asarray(x, dtype=np.float32)


def test_arithmetic_operators_tensor_tensor():
    a_np = _f32([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]])
    b_np = _f32([2.0, 0.5, -4.0])
    a, b = tf.constant(a_np), tf.constant(b_np)
    for got, want in [
        (a + b, a_np + b_np), (a - b, a_np - b_np), (a * b, a_np * b_np),
        (a / b, a_np / b_np), (-a, -a_np), (tf.abs(b) ** b, np.abs(b_np) ** b_np),
    ]:
        assert isinstance(got, tf.Tensor)
        assert got.dtype == tf.float32
        assert_close(got, want, rtol=1e-6)
    m = tf.constant(_f32([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    got = a @ m
    assert got.shape == (2, 2)
    assert_close(got, a_np @ to_np(m), rtol=1e-6)


def test_operators_with_python_scalars_both_sides():
    x_np = _f32([1.0, 2.0, 4.0])
    x = tf.constant(x_np)
    cases = [
        (x + 2.0, x_np + 2), (2.0 + x, 2 + x_np), (x - 1.0, x_np - 1),
        (1.0 - x, 1 - x_np), (x * 3.0, x_np * 3), (3.0 * x, 3 * x_np),
        (x / 2.0, x_np / 2), (2.0 / x, 2 / x_np), (x ** 2.0, x_np ** 2),
        (2.0 ** x, 2 ** x_np), (x + 1, x_np + 1), (2 * x, 2 * x_np),
    ]
    for got, want in cases:
        assert isinstance(got, tf.Tensor)
        assert got.dtype == tf.float32
        assert_close(got, _f32(want), rtol=1e-6)


def test_python_scalar_takes_tensor_dtype():
    d = tf.constant([1.0, 2.0], tf.float64)
    assert (d * 2.0).dtype == tf.float64
    assert (0.1 + d).dtype == tf.float64
    # 0.1 must be converted to float64 directly, not rounded through float32.
    assert_equal(0.1 + d, 0.1 + np.array([1.0, 2.0]))
    i = tf.constant([1, 2, 3])
    r = i + 2
    assert r.dtype == tf.int32
    assert_equal(r, np.array([3, 4, 5], np.int32))
    r = 3 * i
    assert r.dtype == tf.int32
    assert_equal(r, np.array([3, 6, 9], np.int32))
    r = i ** 2
    assert r.dtype == tf.int32
    assert_equal(r, np.array([1, 4, 9], np.int32))
    l64 = tf.constant([1, 2], tf.int64)
    assert (l64 - 1).dtype == tf.int64
    f = tf.constant([1.0, 2.0])
    assert (f + 1).dtype == tf.float32


def test_operators_with_numpy_arrays_both_sides():
    x_np = _f32([1.0, 2.0, 3.0])
    x = tf.constant(x_np)
    o = np.ones(3, np.float32)
    for got, want in [
        (o + x, o + x_np), (x + o, x_np + o), (o - x, o - x_np), (o * x, o * x_np),
        (o / x, o / x_np), (x / o, x_np / o),
    ]:
        assert isinstance(got, tf.Tensor), type(got)
        assert not isinstance(got, np.ndarray)
        assert got.dtype == tf.float32
        assert_close(got, want, rtol=1e-6)
    m = np.arange(6, dtype=np.float32).reshape(2, 3)
    k_np = _f32([[1.0, 0.5], [2.0, -1.0], [0.0, 3.0]])
    got = m @ tf.constant(k_np)
    assert isinstance(got, tf.Tensor)
    assert_close(got, m @ k_np, rtol=1e-6)
    got = np.array([0.0, 2.0, 5.0], np.float32) < x
    assert isinstance(got, tf.Tensor)
    assert got.dtype == tf.bool
    assert_equal(got, np.array([True, False, False]))


def test_comparison_operators_give_bool_tensors():
    a_np = _f32([1.0, 2.0, 3.0])
    b_np = _f32([3.0, 2.0, 1.0])
    a, b = tf.constant(a_np), tf.constant(b_np)
    for got, want in [
        (a < b, a_np < b_np), (a <= b, a_np <= b_np), (a > b, a_np > b_np),
        (a >= b, a_np >= b_np), (a == b, a_np == b_np), (a != b, a_np != b_np),
        (a < 2.0, a_np < 2), (2.0 < a, 2 < a_np), (a == 2.0, a_np == 2),
        (a != 2.0, a_np != 2), (a >= 2, a_np >= 2),
    ]:
        assert isinstance(got, tf.Tensor)
        assert got.dtype == tf.bool
        assert_equal(got, want)


def test_comparison_broadcasts():
    a = tf.constant([[1], [2]])
    b = tf.constant([1, 2, 3])
    got = a < b
    assert got.shape == (2, 3)
    assert_equal(got, np.array([[1], [2]]) < np.array([1, 2, 3]))


# --------------------------------------------------------------------------
# errors
# --------------------------------------------------------------------------

def test_errors_module():
    assert issubclass(tf.errors.InvalidArgumentError, Exception)


@pytest.mark.parametrize("opname,fn", [
    ("add", lambda a, b: a + b),
    ("add", lambda a, b: tf.add(a, b)),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: tf.multiply(a, b)),
    ("div", lambda a, b: a / b),
    ("maximum", lambda a, b: tf.maximum(a, b)),
    ("matmul", lambda a, b: tf.matmul(a, b)),
], ids=["op+", "tf.add", "op-", "tf.multiply", "op/", "maximum", "matmul"])
def test_mixed_float_dtypes_raise(opname, fn):
    a = tf.constant([[1.0, 2.0]], tf.float32)
    b = tf.constant([[1.0], [2.0]], tf.float64)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        fn(a, b)
    msg = str(info.value)
    assert opname in msg.lower(), msg
    assert dtype_in_message(msg, "float32"), msg
    assert dtype_in_message(msg, "float64"), msg


def test_mixed_float_dtypes_raise_other_order():
    a = tf.constant([1.0], tf.float64)
    b = tf.constant([1.0], tf.float32)
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.multiply(a, b)
    msg = str(info.value)
    assert "mul" in msg.lower()
    assert dtype_in_message(msg, "float32") and dtype_in_message(msg, "float64"), msg


def test_mixed_int_float_raise():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.constant([1, 2]) + tf.constant([1.0, 2.0])
    msg = str(info.value)
    assert "add" in msg.lower()
    assert dtype_in_message(msg, "int32"), msg


@pytest.mark.parametrize("opname,fn", [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: tf.subtract(a, b)),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: tf.divide(a, b)),
    ("minimum", lambda a, b: tf.minimum(a, b)),
], ids=["op+", "tf.subtract", "op*", "tf.divide", "minimum"])
def test_incompatible_shapes_raise(opname, fn):
    a = tf.ones([2, 3])
    b = tf.ones([4])
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        fn(a, b)
    msg = str(info.value)
    assert opname in msg.lower(), msg
    assert shape_in_message(msg, (2, 3)), msg
    assert shape_in_message(msg, (4,)), msg


def test_matmul_incompatible_shapes_raise():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.matmul(tf.ones([2, 3]), tf.ones([4, 5]))
    msg = str(info.value)
    assert "matmul" in msg.lower(), msg
    assert shape_in_message(msg, (2, 3)) and shape_in_message(msg, (4, 5)), msg


def test_failed_op_leaves_operands_usable():
    a = tf.constant([1.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        a + tf.ones([3])
    assert_equal(a + a, np.array([2.0, 4.0], np.float32))


def test_asarray_view_keeps_its_data_alive():
    import gc
    a = np.asarray(tf.constant([1.0, 2.0, 3.0]) * 2.0)   # the tensor is a temporary
    gc.collect()
    junk = [tf.fill([3], 7.0) + 1.0 for _ in range(50)]
    assert len(junk) == 50
    np.testing.assert_array_equal(a, [2.0, 4.0, 6.0])


def test_fortran_ordered_and_strided_inputs():
    base = np.arange(12.0).reshape(3, 4)
    f = np.asfortranarray(base)
    t = tf.constant(f)
    assert_equal(t, base)
    assert_equal(tf.reshape(t, [-1]), base.reshape(-1))     # C order, like TF
    s = base[::2, ::-1]
    assert_equal(tf.constant(s) + 0.0, s)
    assert_equal(tf.convert_to_tensor(base.T) * 1.0, base.T)


def test_zero_size_tensors():
    e = tf.zeros([0, 3])
    assert e.shape == (0, 3) and len(e) == 0
    assert_equal(tf.reduce_sum(e, axis=0), np.zeros(3, np.float32))
    assert float(tf.reduce_sum(e)) == 0.0
    r = e + tf.ones([3])
    assert r.shape == (0, 3)
    assert tf.matmul(tf.ones([2, 0]), tf.ones([0, 3])).shape == (2, 3)
    assert_equal(tf.matmul(tf.ones([2, 0]), tf.ones([0, 3])), np.zeros((2, 3), np.float32))


def test_tensors_are_unhashable_like_tf():
    with pytest.raises(TypeError):
        hash(tf.constant(1.0))
    with pytest.raises(TypeError):
        {tf.constant([1.0]): 1}


def test_iteration_over_first_axis():
    rows = list(tf.constant([[1.0, 2.0], [3.0, 4.0]]))
    assert len(rows) == 2
    assert all(isinstance(r, tf.Tensor) for r in rows)
    assert_equal(rows[1], np.array([3.0, 4.0], np.float32))
    with pytest.raises(TypeError):
        list(tf.constant(1.0))


def test_constant_rejects_lossy_python_conversion():
    with pytest.raises(TypeError):
        tf.constant(1.5, dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.constant([1, 2.5], dtype=tf.int64)


def test_dtype_attributes():
    assert tf.float32.is_floating and tf.float64.is_floating
    assert not tf.int32.is_floating and not tf.bool.is_floating
    assert tf.int32.is_integer and tf.int64.is_integer and not tf.float32.is_integer
    assert tf.float32.as_numpy_dtype is np.float32
    assert tf.int64.as_numpy_dtype is np.int64
    assert tf.as_dtype(np.float64) == tf.float64
    assert tf.as_dtype("int32") == tf.int32
    assert tf.double == tf.float64
    assert repr(tf.float32) == "tf.float32" or repr(tf.float32) == "fasttape.float32"


def test_integers_out_of_the_requested_dtype_are_refused():
    # numpy refuses such Python ints too; wrapping silently would change the value.
    with pytest.raises(ValueError, match=r"out of its range \[-2147483648, 2147483647\]"):
        tf.convert_to_tensor([1, 2 ** 40], dtype=tf.int32)
    with pytest.raises(ValueError, match="out of its range"):
        tf.constant(np.array([-1.0, 3e9]), dtype=tf.int32)
    assert tf.constant([1, 2 ** 40], dtype=tf.int64).numpy().tolist() == [1, 2 ** 40]
