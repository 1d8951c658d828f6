"""Forward values of every public op against numpy, including axis/keepdims
variants, matmul transposes and batch broadcasting, slicing forms,
comparisons and error reporting."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, shape_in_message, to_np

RNG = np.random.default_rng(1234)
A23 = RNG.uniform(-2, 2, size=(2, 3))
B3 = RNG.uniform(-2, 2, size=(3,))
POS23 = RNG.uniform(0.5, 2, size=(2, 3))


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


# --------------------------------------------------------------------------
# elementwise ops and their namespaces
# --------------------------------------------------------------------------

UNARY = [
    ("negative", [tf.negative, tf.math.negative], np.negative, A23),
    ("square", [tf.square, tf.math.square], np.square, A23),
    ("sqrt", [tf.sqrt, tf.math.sqrt], np.sqrt, POS23),
    ("exp", [tf.exp, tf.math.exp], np.exp, A23),
    ("log", [tf.math.log], np.log, POS23),
    ("sin", [tf.sin, tf.math.sin], np.sin, A23),
    ("cos", [tf.cos, tf.math.cos], np.cos, A23),
    ("tanh", [tf.tanh, tf.math.tanh, tf.nn.tanh], np.tanh, A23),
    ("sigmoid", [tf.sigmoid, tf.math.sigmoid, tf.nn.sigmoid], _sigmoid, A23),
    ("relu", [tf.nn.relu], lambda x: np.maximum(x, 0), A23),
    ("abs", [tf.abs, tf.math.abs], np.abs, A23),
]


@pytest.mark.parametrize("name,fns,ref,x", UNARY, ids=[u[0] for u in UNARY])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_unary_forward(name, fns, ref, x, dtype):
    xd = x.astype(dtype)
    want = ref(xd)
    for fn in fns:
        got = fn(tf.constant(xd))
        assert isinstance(got, tf.Tensor)
        assert got.dtype == dtype
        assert_close(got, want, rtol=1e-6 if dtype == np.float32 else 1e-13, atol=1e-7)
        # Python lists and numpy arrays are accepted too.
        got = fn(xd)
        assert_close(got, want, rtol=1e-6 if dtype == np.float32 else 1e-13, atol=1e-7)


def test_unary_on_scalars():
    assert float(tf.exp(0.0)) == 1.0
    assert tf.exp(0.0).dtype == tf.float32
    assert float(tf.sqrt(4.0)) == 2.0
    assert float(tf.nn.relu(-3.0)) == 0.0
    assert_close(tf.sigmoid(0.0), np.float32(0.5))


BINARY = [
    ("add", [tf.add, tf.math.add], np.add),
    ("subtract", [tf.subtract, tf.math.subtract], np.subtract),
    ("multiply", [tf.multiply, tf.math.multiply], np.multiply),
    ("divide", [tf.divide, tf.math.divide], np.divide),
    ("maximum", [tf.maximum, tf.math.maximum], np.maximum),
    ("minimum", [tf.minimum, tf.math.minimum], np.minimum),
    ("pow", [tf.pow, tf.math.pow], np.power),
]

SHAPE_PAIRS = [((2, 3), (2, 3)), ((2, 3), (3,)), ((3,), (2, 3)), ((2, 1), (1, 3)),
               ((), (2, 3)), ((4, 1, 3), (2, 1)), ((), ())]


@pytest.mark.parametrize("name,fns,ref", BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize("sx,sy", SHAPE_PAIRS, ids=[f"{a}x{b}" for a, b in SHAPE_PAIRS])
def test_binary_forward_broadcasting(name, fns, ref, sx, sy):
    rng = np.random.default_rng(7)
    x = rng.uniform(0.5, 2, size=sx) if name == "pow" else rng.uniform(-2, 2, size=sx)
    y = rng.uniform(0.5, 2, size=sy) * rng.choice([-1, 1], size=sy)
    x, y = np.asarray(x), np.asarray(y)
    want = ref(x, y)
    for fn in fns:
        got = fn(tf.constant(x), tf.constant(y))
        assert got.dtype == tf.float64
        assert_close(got, want, rtol=1e-13)
        got32 = fn(tf.constant(x.astype(np.float32)), tf.constant(y.astype(np.float32)))
        assert got32.dtype == tf.float32
        assert_close(got32, want.astype(np.float32), rtol=2e-6, atol=1e-6)


def test_binary_with_python_scalars_and_lists():
    assert_equal(tf.add([1, 2], 3), np.array([4, 5], np.int32))
    assert tf.add([1, 2], 3).dtype == tf.int32
    assert_equal(tf.multiply(2.0, [1.0, 2.0]), np.array([2.0, 4.0], np.float32))
    assert_equal(tf.maximum([1.0, 5.0], 2.0), np.array([2.0, 5.0], np.float32))
    x = tf.constant([1.0, 2.0], tf.float64)
    r = tf.subtract(x, 0.5)
    assert r.dtype == tf.float64
    assert_equal(r, np.array([0.5, 1.5]))


@pytest.mark.parametrize("dt", [np.int32, np.int64])
def test_integer_arithmetic(dt):
    a = np.array([[3, -7, 2]], dt)
    b = np.array([2, 3, -5], dt)
    ta, tb = tf.constant(a), tf.constant(b)
    for got, want in [
        (tf.add(ta, tb), a + b), (tf.subtract(ta, tb), a - b),
        (tf.multiply(ta, tb), a * b), (tf.maximum(ta, tb), np.maximum(a, b)),
        (tf.minimum(ta, tb), np.minimum(a, b)), (tf.abs(ta), np.abs(a)),
        (tf.negative(ta), -a), (tf.square(ta), a * a),
        (tf.pow(tf.constant(np.array([2, 3], dt)), tf.constant(np.array([3, 2], dt))),
         np.array([8, 9], dt)),
    ]:
        assert to_np(got).dtype == dt
        assert_equal(got, want)


def test_special_values_do_not_raise():
    # TF returns nan/inf rather than raising (and must not emit warnings).
    assert np.isnan(to_np(tf.math.log(tf.constant(-1.0))))
    assert to_np(tf.math.log(tf.constant(0.0))) == -np.inf
    assert np.isnan(to_np(tf.sqrt(tf.constant(-1.0, tf.float64))))
    assert to_np(tf.constant(1.0) / tf.constant(0.0)) == np.inf
    assert to_np(tf.exp(tf.constant(1000.0))) == np.inf
    assert float(tf.sigmoid(tf.constant(-1000.0))) == 0.0
    assert float(tf.sigmoid(tf.constant(1000.0))) == 1.0
    assert float(tf.tanh(tf.constant(1000.0, tf.float64))) == 1.0


# --------------------------------------------------------------------------
# reductions
# --------------------------------------------------------------------------

R234 = np.arange(24, dtype=np.float64).reshape(2, 3, 4) / 7.0 - 1.0

REDUCE_AXES = [None, 0, 1, 2, -1, -3, [0, 2], [1, -1], [0, 1, 2], []]


@pytest.mark.parametrize("axis", REDUCE_AXES, ids=[str(a) for a in REDUCE_AXES])
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("name,fn,ref", [
    ("reduce_sum", tf.reduce_sum, np.sum), ("reduce_mean", tf.reduce_mean, np.mean),
    ("math.reduce_sum", tf.math.reduce_sum, np.sum),
    ("math.reduce_mean", tf.math.reduce_mean, np.mean),
], ids=["sum", "mean", "math.sum", "math.mean"])
def test_reduce_forward(name, fn, ref, axis, keepdims):
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    want = ref(R234, axis=np_axis, keepdims=keepdims)
    got = fn(tf.constant(R234), axis=axis, keepdims=keepdims)
    assert got.dtype == tf.float64
    assert_close(got, want, rtol=1e-13, atol=1e-14)


def test_reduce_defaults_and_positional_axis():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    s = tf.reduce_sum(x)
    assert s.shape == () and float(s) == 10.0
    assert float(tf.reduce_mean(x)) == 2.5
    assert_equal(tf.reduce_sum(x, 0), np.array([4.0, 6.0], np.float32))
    assert_equal(tf.reduce_mean(x, 1), np.array([1.5, 3.5], np.float32))
    assert_equal(tf.reduce_sum(x, axis=1, keepdims=True), np.array([[3.0], [7.0]], np.float32))
    assert float(tf.reduce_sum(tf.constant(5.0))) == 5.0


def test_reduce_integers():
    x = tf.constant([1, 0, 1, 0])
    s = tf.reduce_sum(x)
    assert s.dtype == tf.int32 and int(s) == 2
    m = tf.reduce_mean(x)          # TF: integer mean truncates
    assert m.dtype == tf.int32 and int(m) == 0
    assert int(tf.reduce_mean(tf.constant([1, 2]))) == 1
    assert_equal(tf.reduce_sum(tf.constant([[1, 2], [3, 4]], tf.int64), axis=0),
                 np.array([4, 6], np.int64))


def test_reduce_of_larger_tensor_is_accurate():
    x = np.full((1000,), 0.1, np.float32)
    assert abs(float(tf.reduce_sum(x)) - 100.0) < 2e-3
    assert abs(float(tf.reduce_mean(x)) - 0.1) < 2e-6
    y = np.arange(2 * 300 * 3, dtype=np.float64).reshape(2, 300, 3)
    assert_close(tf.reduce_sum(y, axis=1), y.sum(axis=1), rtol=1e-13)
    assert_close(tf.reduce_mean(y, axis=[0, 2]), y.mean(axis=(0, 2)), rtol=1e-13)


# --------------------------------------------------------------------------
# matmul
# --------------------------------------------------------------------------

def _mm(a, b, ta=False, tb=False):
    if ta:
        a = np.swapaxes(a, -1, -2)
    if tb:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


MATMUL = [
    ((2, 3), (3, 4), False, False),
    ((3, 2), (3, 4), True, False),
    ((2, 3), (4, 3), False, True),
    ((3, 2), (4, 3), True, True),
    ((1, 1), (1, 1), False, False),
    ((2, 2, 3), (2, 3, 4), False, False),
    ((2, 1, 2, 3), (3, 3, 2), False, False),
    ((2, 3), (4, 3, 2), False, False),
    ((5, 2, 3), (3, 4), False, False),
    ((2, 3, 2), (1, 3, 4), True, False),
    ((2, 2, 3), (2, 4, 3), False, True),
    ((1, 3, 2), (2, 1, 4, 3), True, True),
]


@pytest.mark.parametrize("sa,sb,ta,tb", MATMUL, ids=[f"{m[0]}@{m[1]}-{m[2]}{m[3]}" for m in MATMUL])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_matmul_forward(sa, sb, ta, tb, dtype):
    rng = np.random.default_rng(3)
    a = rng.standard_normal(sa).astype(dtype)
    b = rng.standard_normal(sb).astype(dtype)
    want = _mm(a, b, ta, tb)
    got = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=ta, transpose_b=tb)
    assert got.dtype == dtype
    assert_close(got, want, rtol=1e-5 if dtype == np.float32 else 1e-12, atol=1e-5 if dtype == np.float32 else 1e-12)
    if not ta and not tb:
        assert_close(tf.constant(a) @ tf.constant(b), want,
                     rtol=1e-5 if dtype == np.float32 else 1e-12,
                     atol=1e-5 if dtype == np.float32 else 1e-12)


def test_matmul_exact_small():
    a = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    b = tf.constant([[5.0, 6.0], [7.0, 8.0]])
    assert_equal(tf.matmul(a, b), np.array([[19.0, 22.0], [43.0, 50.0]], np.float32))
    assert_equal(tf.matmul(a, b, transpose_a=True), np.array([[26.0, 30.0], [38.0, 44.0]], np.float32))
    assert_equal(tf.matmul(a, b, transpose_b=True), np.array([[17.0, 23.0], [39.0, 53.0]], np.float32))
    assert_equal(tf.matmul(tf.constant([[1, 2]]), tf.constant([[3], [4]])), np.array([[11]], np.int32))


def test_matmul_larger_than_toy():
    rng = np.random.default_rng(11)
    a = rng.standard_normal((33, 65))
    b = rng.standard_normal((65, 17))
    assert_close(tf.matmul(a, b), a @ b, rtol=1e-11, atol=1e-11)
    assert_close(tf.matmul(b, a, transpose_a=True, transpose_b=True), (a @ b).T,
                 rtol=1e-11, atol=1e-11)


@pytest.mark.parametrize("sa,sb", [((2, 3), (2, 3)), ((2, 2, 3), (3, 3, 2)), ((3,), (3, 2))],
                         ids=["inner", "batch", "rank1"])
def test_matmul_bad_shapes_raise(sa, sb):
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.matmul(tf.ones(sa), tf.ones(sb))
    assert "matmul" in str(info.value).lower()


# --------------------------------------------------------------------------
# reshape, transpose, broadcast_to, cast, where
# --------------------------------------------------------------------------

@pytest.mark.parametrize("src,shape", [
    ((2, 3), [3, 2]), ((2, 3), [-1]), ((6,), [2, -1]), ((6,), (-1, 3)), ((), [1, 1]),
    ((1, 1), []), ((2, 3, 4), [4, -1, 2]), ((2, 3), [6, 1]),
])
def test_reshape(src, shape):
    x = np.arange(int(np.prod(src)), dtype=np.float32).reshape(src)
    got = tf.reshape(tf.constant(x), shape)
    assert_equal(got, np.reshape(x, shape))
    assert got.dtype == tf.float32


def test_reshape_bad_size_raises():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.reshape(tf.ones([2, 3]), [4])
    assert "reshape" in str(info.value).lower()


@pytest.mark.parametrize("shape,perm", [
    ((2, 3), None), ((2, 3), [1, 0]), ((2, 3, 4), None), ((2, 3, 4), [2, 0, 1]),
    ((2, 3, 4), [0, 2, 1]), ((3,), None), ((), None), ((2, 1, 3, 2), [3, 1, 0, 2]),
])
def test_transpose(shape, perm):
    x = np.arange(int(np.prod(shape)), dtype=np.int32).reshape(shape)
    got = tf.transpose(tf.constant(x), perm=perm)
    assert_equal(got, np.transpose(x, axes=perm))
    assert got.dtype == tf.int32
    # result owns its layout: reshaping it flattens in transposed order
    assert_equal(tf.reshape(got, [-1]), np.transpose(x, axes=perm).reshape(-1))


def test_transpose_positional_perm():
    x = np.arange(6.0).reshape(2, 3)
    assert_equal(tf.transpose(x, [1, 0]), x.T)


@pytest.mark.parametrize("src,shape", [((3,), [2, 3]), ((2, 1), [2, 3]), ((), [2, 2]),
                                       ((1, 3), [2, 2, 3]), ((2, 3), (2, 3))])
def test_broadcast_to(src, shape):
    x = np.arange(int(np.prod(src)), dtype=np.float64).reshape(src) + 1.0
    got = tf.broadcast_to(tf.constant(x), shape)
    assert_equal(got, np.broadcast_to(x, shape))


def test_broadcast_to_incompatible_raises():
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.broadcast_to(tf.ones([3]), [2, 4])


def test_cast():
    x = tf.constant([1.7, -1.7, 0.0, 2.5])
    i = tf.cast(x, tf.int32)
    assert i.dtype == tf.int32
    assert_equal(i, np.array([1, -1, 0, 2], np.int32))        # truncation toward 0
    d = tf.cast(x, tf.float64)
    assert d.dtype == tf.float64
    assert_equal(d, np.array([1.7, -1.7, 0.0, 2.5], np.float32).astype(np.float64))
    b = tf.cast(x, tf.bool)
    assert b.dtype == tf.bool
    assert_equal(b, np.array([True, True, False, True]))
    f = tf.cast(tf.constant([True, False]), tf.float32)
    assert_equal(f, np.array([1.0, 0.0], np.float32))
    l = tf.cast(tf.constant([3, -4]), tf.int64)
    assert l.dtype == tf.int64
    assert_equal(l, np.array([3, -4], np.int64))
    s = tf.cast(tf.constant([0.1], tf.float64), tf.float32)
    assert s.dtype == tf.float32
    assert_equal(s, np.array([0.1], np.float32))
    same = tf.cast(x, tf.float32)
    assert same.dtype == tf.float32
    assert_equal(same, to_np(x))
    assert tf.cast(tf.constant([1, 2]), np.float64).dtype == tf.float64


def test_where():
    cond = np.array([[True, False, True], [False, True, False]])
    x = np.arange(6.0).reshape(2, 3)
    y = -np.arange(6.0).reshape(2, 3)
    assert_equal(tf.where(tf.constant(cond), tf.constant(x), tf.constant(y)),
                 np.where(cond, x, y))
    # broadcasting of all three arguments
    c = np.array([True, False, True])
    got = tf.where(c, tf.constant([[1.0], [2.0]]), tf.constant(0.0))
    assert got.shape == (2, 3)
    assert_equal(got, np.where(c, np.array([[1.0], [2.0]], np.float32), np.float32(0.0)))
    # condition from a comparison, Python scalar branch
    t = tf.constant([-1.0, 2.0, -3.0])
    assert_equal(tf.where(t > 0, t, 0.0), np.array([0.0, 2.0, 0.0], np.float32))


# --------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------

CMP = [
    ("less", [tf.less, tf.math.less], np.less),
    ("greater", [tf.greater, tf.math.greater], np.greater),
    ("equal", [tf.equal, tf.math.equal], np.equal),
    ("not_equal", [tf.not_equal, tf.math.not_equal], np.not_equal),
    ("less_equal", [tf.less_equal, tf.math.less_equal], np.less_equal),
    ("greater_equal", [tf.greater_equal, tf.math.greater_equal], np.greater_equal),
]


@pytest.mark.parametrize("name,fns,ref", CMP, ids=[c[0] for c in CMP])
def test_comparisons(name, fns, ref):
    x = np.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]])
    y = np.array([2.0, 2.0, 2.0])
    for fn in fns:
        got = fn(tf.constant(x), tf.constant(y))
        assert got.dtype == tf.bool
        assert_equal(got, ref(x, y))
        got = fn(tf.constant(x), 2.0)
        assert got.dtype == tf.bool
        assert_equal(got, ref(x, 2.0))
        gi = fn(tf.constant([1, 2, 3]), tf.constant([3, 2, 1]))
        assert gi.dtype == tf.bool
        assert_equal(gi, ref(np.array([1, 2, 3]), np.array([3, 2, 1])))


# --------------------------------------------------------------------------
# slicing
# --------------------------------------------------------------------------

X45 = np.arange(20, dtype=np.float32).reshape(4, 5)
X234 = np.arange(24, dtype=np.int32).reshape(2, 3, 4)

SLICES = [
    ("[1:,::2]", X45, lambda x: x[1:, ::2]),
    ("[1]", X45, lambda x: x[1]),
    ("[-1]", X45, lambda x: x[-1]),
    ("[1,2]", X45, lambda x: x[1, 2]),
    ("[-1,-1]", X45, lambda x: x[-1, -1]),
    ("[...,0]", X234, lambda x: x[..., 0]),
    ("[...,-1]", X234, lambda x: x[..., -1]),
    ("[0,...]", X234, lambda x: x[0, ...]),
    ("[:,None]", X45, lambda x: x[:, None]),
    ("[None]", X45, lambda x: x[None]),
    ("[None,:,None]", X45, lambda x: x[None, :, None]),
    ("[::-1]", X45, lambda x: x[::-1]),
    ("[:,::-1]", X45, lambda x: x[:, ::-1]),
    ("[3:0:-2,4:1:-1]", X45, lambda x: x[3:0:-2, 4:1:-1]),
    ("[::-2,::-3]", X45, lambda x: x[::-2, ::-3]),
    ("[:100]", X45, lambda x: x[:100]),
    ("[-100:2]", X45, lambda x: x[-100:2]),
    ("[2:1]-empty", X45, lambda x: x[2:1]),
    ("[1:3,-2:]", X45, lambda x: x[1:3, -2:]),
    ("[:,1:4:2]", X45, lambda x: x[:, 1:4:2]),
    ("[1,:,::2]", X234, lambda x: x[1, :, ::2]),
    ("[:,1]", X234, lambda x: x[:, 1]),
    ("[...]", X234, lambda x: x[...]),
    ("[-2:,None,-1]", X234, lambda x: x[-2:, None, -1]),
    ("[1:2]", np.arange(5.0), lambda x: x[1:2]),
    ("[4::-1]", np.arange(5.0), lambda x: x[4::-1]),
    ("[-1:-6:-1]", np.arange(5.0), lambda x: x[-1:-6:-1]),
]


@pytest.mark.parametrize("label,x,index", SLICES, ids=[s[0] for s in SLICES])
def test_slicing_matches_numpy(label, x, index):
    t = tf.constant(x)
    got = index(t)
    want = np.asarray(index(x))
    assert isinstance(got, tf.Tensor)
    assert got.dtype == x.dtype
    assert got.shape == want.shape
    assert_equal(got, want)


def test_slice_result_is_independent_copy():
    x = np.arange(6.0).reshape(2, 3)
    t = tf.constant(x)
    s = t[0]
    a = s.numpy()
    a[0] = 99.0
    assert_equal(t, x)
    assert_equal(s, x[0])


def test_slicing_out_of_range_integer_raises():
    t = tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(tf.errors.InvalidArgumentError):
        t[3]
    with pytest.raises(tf.errors.InvalidArgumentError):
        t[-4]


def test_slicing_error_message_names_slice():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.ones([2, 3])[:, 5]
    assert "slice" in str(info.value).lower()


def test_incompatible_broadcast_error_names_shapes():
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        tf.maximum(tf.ones([3, 2]), tf.ones([3]))
    msg = str(info.value)
    assert "maximum" in msg.lower()
    assert shape_in_message(msg, (3, 2)) and shape_in_message(msg, (3,)), msg


def test_large_tensors_match_numpy():
    # Big enough to exercise any parallel / vectorised kernel paths.
    rng = np.random.default_rng(21)
    a = rng.standard_normal((300, 257))
    b = rng.standard_normal((257,))
    c = rng.standard_normal((300, 1))
    ta, tb, tc = tf.constant(a), tf.constant(b), tf.constant(c)
    assert_close(ta + tb, a + b, rtol=1e-15)
    assert_close(ta * tc - tb, a * c - b, rtol=1e-14, atol=1e-15)
    assert_close(tf.exp(ta), np.exp(a), rtol=1e-14)
    assert_close(tf.tanh(ta), np.tanh(a), rtol=1e-14, atol=1e-16)
    assert_close(tf.maximum(ta, tc), np.maximum(a, c), rtol=0)
    assert_close(tf.reduce_sum(ta, axis=0), a.sum(axis=0), rtol=1e-11, atol=1e-11)
    assert_close(tf.reduce_sum(ta, axis=1), a.sum(axis=1), rtol=1e-11, atol=1e-11)
    assert_close(tf.reduce_mean(ta), np.float64(a.mean()), rtol=1e-9, atol=1e-12)
    assert_close(tf.transpose(ta), a.T, rtol=0)
    assert_close(ta[::3, 5:200:7], a[::3, 5:200:7], rtol=0)
    assert_close(tf.cast(ta, tf.float32), a.astype(np.float32), rtol=0)
    assert_equal(ta > tc, a > c)
    a32 = a.astype(np.float32)
    assert_close(tf.sigmoid(a32), (1 / (1 + np.exp(-a))).astype(np.float32), rtol=1e-5, atol=1e-6)


def test_large_gradients_match_closed_form():
    rng = np.random.default_rng(22)
    a = rng.standard_normal((200, 130))
    b = rng.standard_normal((130,))
    ta, tb = tf.constant(a), tf.constant(b)
    with tf.GradientTape() as t:
        t.watch([ta, tb])
        y = tf.reduce_sum(tf.sin(ta * tb))
    ga, gb = t.gradient(y, [ta, tb])
    assert_close(ga, np.cos(a * b) * b, rtol=1e-12, atol=1e-14)
    assert_close(gb, (np.cos(a * b) * a).sum(axis=0), rtol=1e-10, atol=1e-12)


def test_large_3d_reductions():
    rng = np.random.default_rng(23)
    a = rng.standard_normal((20, 150, 30))
    ta = tf.constant(a)
    for axis in [0, 1, 2, [0, 2], [1, 2], [0, 1], -2]:
        np_axis = tuple(axis) if isinstance(axis, list) else axis
        assert_close(tf.reduce_sum(ta, axis=axis), a.sum(axis=np_axis), rtol=1e-10, atol=1e-11)
        assert_close(tf.reduce_mean(ta, axis=axis, keepdims=True),
                     a.mean(axis=np_axis, keepdims=True), rtol=1e-10, atol=1e-12)
    assert_close(tf.transpose(ta, [1, 2, 0]), np.transpose(a, (1, 2, 0)), rtol=0)
    assert_close(tf.broadcast_to(ta[:, :1, :], [20, 150, 30]),
                 np.broadcast_to(a[:, :1, :], (20, 150, 30)), rtol=0)


def test_newaxis_is_none():
    assert tf.newaxis is None
    x = tf.constant([1.0, 2.0])
    assert x[:, tf.newaxis].shape == (2, 1)


def test_invalid_index_types_raise_type_error():
    x = tf.constant([1.0, 2.0, 3.0])
    for bad in (1.0, "a"):
        with pytest.raises(TypeError):
            x[bad]
    # integer lists are numpy advanced indexing (see test_index_ops.py)
    assert_equal(x[[0, 1]], np.array([1.0, 2.0], np.float32))


def test_integer_like_indices():
    x = tf.constant([1.0, 2.0, 3.0])
    assert float(x[np.int64(2)]) == 3.0
    assert float(x[np.int32(-1)]) == 3.0
    assert float(x[tf.constant(1)]) == 2.0
    assert_equal(x[np.int64(1):], np.array([2.0, 3.0], np.float32))


@pytest.mark.parametrize("fn", [
    lambda x: tf.reduce_sum(x, axis=2),
    lambda x: tf.reduce_mean(x, axis=-3),
    lambda x: tf.transpose(x, [0, 0]),
    lambda x: tf.transpose(x, [1, 0, 2]),
    lambda x: tf.reshape(x, [-1, -1]),
], ids=["sum-axis2", "mean-axis-3", "perm-dup", "perm-rank", "two-minus-one"])
def test_bad_axes_and_perms_raise(fn):
    with pytest.raises(tf.errors.InvalidArgumentError):
        fn(tf.ones([2, 3]))
