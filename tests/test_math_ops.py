"""Forward values, TensorFlow conventions, errors, dtypes and jacobians of
the math op group (reductions, index reductions, scans, elementwise math).

Expected values come from the maths and from TensorFlow's documentation
(tie-breaking, rounding, axis semantics, error classes), not from fasttape."""
import math

import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, to_np


def _grad(fn, x):
    x = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x)


# ---------------------------------------------------------------- namespaces
TOP_LEVEL = ["reduce_max", "reduce_min", "reduce_prod", "reduce_logsumexp", "argmax", "argmin", "cumsum",
             "clip_by_value", "add_n", "round", "floor", "atan", "asin", "acos", "sinh", "cosh", "asinh",
             "acosh", "atanh"]
MATH_ONLY = ["log1p", "expm1", "rsqrt", "reciprocal", "erf", "squared_difference", "reduce_std",
             "reduce_variance", "erfc", "erfinv", "reciprocal_no_nan", "is_finite", "is_nan", "is_inf",
             "xlogy", "xlog1py", "xdivy", "divide_no_nan", "multiply_no_nan", "lgamma", "digamma", "polygamma"]


@pytest.mark.parametrize("name", TOP_LEVEL)
def test_top_level_names_also_in_math(name):
    assert callable(getattr(tf, name))
    assert name in tf.__all__
    if name != "clip_by_value":  # TensorFlow has no tf.math.clip_by_value
        assert getattr(tf.math, name) is getattr(tf, name)


@pytest.mark.parametrize("name", MATH_ONLY)
def test_math_only_names(name):
    # TensorFlow 2 exports these only under tf.math.
    assert callable(getattr(tf.math, name))
    assert name in tf.math.__all__
    assert not hasattr(tf, name)


# ---------------------------------------------------------------- reduce_max / reduce_min
def test_reduce_max_min_values_and_axes():
    x = np.array([[1.0, 5.0, -2.0], [4.0, -7.0, 3.0]], dtype=np.float32)
    assert_equal(tf.reduce_max(x), np.float32(5.0))
    assert_equal(tf.reduce_max(x, 0), np.array([4.0, 5.0, 3.0], np.float32))
    assert_equal(tf.reduce_max(x, -1, keepdims=True), np.array([[5.0], [4.0]], np.float32))
    assert_equal(tf.reduce_min(x, [0, 1]), np.float32(-7.0))
    assert_equal(tf.reduce_min(x, axis=[-2]), np.array([1.0, -7.0, -2.0], np.float32))
    assert_equal(tf.math.reduce_min(x, 1, True), np.array([[-2.0], [-7.0]], np.float32))
    assert_equal(tf.reduce_max(x, tf.constant(1)), np.array([5.0, 4.0], np.float32))
    assert_equal(tf.reduce_max(x, np.int64(1)), np.array([5.0, 4.0], np.float32))
    assert_equal(tf.reduce_min(x, (np.int32(0),)), np.array([1.0, -7.0, -2.0], np.float32))
    # An empty axis list reduces nothing.
    assert_equal(tf.reduce_max(x, []), x)
    assert_equal(tf.reduce_prod(x, axis=[]), x)
    assert_close(tf.reduce_logsumexp(x, []), x)


def test_reduce_max_integers_and_none_gradient():
    xi = tf.constant([[3, 9, 2], [7, 1, 8]])
    r = tf.reduce_max(xi, 1)
    assert r.dtype == tf.int32
    assert_equal(r, np.array([9, 8], np.int32))
    assert_equal(tf.reduce_min(tf.constant([5, -2**40], dtype=tf.int64)), np.int64(-2**40))
    with tf.GradientTape() as tape:
        tape.watch(xi)
        y = tf.reduce_max(xi)
    assert tape.gradient(y, xi) is None


def test_reduce_max_nan_propagates_and_empty_is_minus_inf():
    assert np.isnan(to_np(tf.reduce_max(tf.constant([1.0, np.nan, 3.0]))))
    assert np.isnan(to_np(tf.reduce_min(tf.constant([np.nan, 1.0]))))
    assert to_np(tf.reduce_max(tf.zeros([0]))) == -np.inf
    assert to_np(tf.reduce_min(tf.zeros([0]))) == np.inf
    assert_equal(tf.reduce_max(tf.zeros([2, 0]), 1), np.full([2], -np.inf, np.float32))


def test_reduce_max_gradient_split_between_ties():
    # TensorFlow divides the gradient by the number of tied maxima.
    g = _grad(lambda x: tf.reduce_max(x), [1.0, 3.0, 3.0, 2.0])
    assert_close(g, np.array([0.0, 0.5, 0.5, 0.0], np.float32))
    g = _grad(lambda x: tf.reduce_min(x, 1), [[2.0, 2.0, 2.0], [1.0, 0.0, 5.0]])
    assert_close(g, np.array([[1 / 3, 1 / 3, 1 / 3], [0.0, 1.0, 0.0]], np.float32), rtol=1e-6)
    g = _grad(lambda x: tf.reduce_max(x, 0, keepdims=True) * 4.0, [[1.0, 7.0], [1.0, 2.0]])
    assert_close(g, np.array([[2.0, 4.0], [2.0, 0.0]], np.float32))


def test_reduce_max_forward_mode_ties():
    x = tf.constant([1.0, 3.0, 3.0])
    with tf.autodiff.ForwardAccumulator(x, tf.constant([10.0, 2.0, 4.0])) as acc:
        y = tf.reduce_max(x)
    assert_close(acc.jvp(y), np.float32(3.0))  # mean of the tangents at the ties


def test_reduce_max_big_tensor_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((300, 257)).astype(np.float32)
    for ax in [None, 0, 1]:
        assert_equal(tf.reduce_max(x, ax), np.max(x, ax))
        assert_equal(tf.reduce_min(x, ax), np.min(x, ax))
    x3 = rng.standard_normal((7, 300, 129))
    assert_equal(tf.reduce_max(x3, [0, 2]), np.max(x3, (0, 2)))
    big = rng.standard_normal(1 << 18)
    assert_equal(tf.reduce_max(big), np.max(big))


# ---------------------------------------------------------------- reduce_prod
def test_reduce_prod_values():
    x = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert_close(tf.reduce_prod(x), 720.0)
    assert_close(tf.reduce_prod(x, 0), np.array([4.0, 10.0, 18.0]))
    assert_close(tf.reduce_prod(x, -1, keepdims=True), np.array([[6.0], [120.0]]))
    assert_equal(tf.reduce_prod(tf.constant([2, 3, 4])), np.int32(24))
    assert_equal(tf.reduce_prod(tf.zeros([0])), np.float32(1.0))


@pytest.mark.parametrize("x, expected", [
    ([2.0, 3.0, 4.0], [12.0, 8.0, 6.0]),
    ([2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),   # one zero: only the zero gets the product of the others
    ([0.0, 0.0, 3.0], [0.0, 0.0, 0.0]),   # two zeros: every product of others contains a zero
    ([0.0], [1.0]),
    ([-2.0, 0.5], [0.5, -2.0]),
])
def test_reduce_prod_gradient_with_zeros(x, expected):
    g = _grad(lambda t: tf.reduce_prod(t), np.array(x))
    assert_close(g, np.array(expected))
    assert np.all(np.isfinite(to_np(g)))


def test_reduce_prod_second_derivative_with_zeros():
    # d^2/dx_i dx_j prod(x) = product of the elements other than i and j.
    x = tf.constant([0.0, 0.0, 3.0, 2.0], dtype=tf.float64)
    with tf.GradientTape(persistent=True) as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_prod(x)
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)
    xs = np.array([0.0, 0.0, 3.0, 2.0])
    expected = np.array([[0.0 if i == j else np.prod(np.delete(xs, [i, j])) for j in range(4)]
                         for i in range(4)])
    assert_close(h, expected)


# ---------------------------------------------------------------- reduce_logsumexp
def test_reduce_logsumexp_documented_values():
    x = tf.constant([[0.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    assert_close(tf.reduce_logsumexp(x), np.float32(math.log(6)), rtol=1e-6)
    assert_close(tf.reduce_logsumexp(x, 0), np.full([3], math.log(2), np.float32), rtol=1e-6)
    assert_close(tf.reduce_logsumexp(x, 1, keepdims=True), np.full([2, 1], math.log(3), np.float32), rtol=1e-6)
    assert_close(tf.math.reduce_logsumexp(x, [0, 1]), np.float32(math.log(6)), rtol=1e-6)


def test_reduce_logsumexp_is_stable():
    x = tf.constant([1000.0, 1000.0, -1000.0])
    assert_close(tf.reduce_logsumexp(x), np.float32(1000.0 + math.log(2)), rtol=1e-6)
    assert_close(tf.reduce_logsumexp(tf.constant([-1000.0, -1000.0])), np.float32(-1000.0 + math.log(2)))
    assert to_np(tf.reduce_logsumexp(tf.constant([-np.inf, -np.inf]))) == -np.inf
    assert to_np(tf.reduce_logsumexp(tf.constant([1.0, np.inf]))) == np.inf
    assert to_np(tf.reduce_logsumexp(tf.zeros([0]))) == -np.inf
    # Leading-axis reductions take the unfused path: same stability.
    assert_close(tf.reduce_logsumexp(tf.constant([[1000.0], [1000.0]]), 0), np.array([1000.0 + math.log(2)], np.float32))
    g = _grad(lambda t: tf.reduce_logsumexp(t), [1000.0, 1000.0, -1000.0])
    assert_close(g, np.array([0.5, 0.5, 0.0], np.float32))


def test_reduce_logsumexp_gradient_is_softmax():
    x = np.array([[0.5, -1.0, 2.0], [0.0, 0.1, 0.2]])
    g = _grad(lambda t: tf.reduce_logsumexp(t, 1), x)
    e = np.exp(x)
    assert_close(g, e / e.sum(1, keepdims=True), rtol=1e-12)


def test_reduce_logsumexp_rejects_integers():
    with pytest.raises(tf.errors.InvalidArgumentError, match="reduce_logsumexp"):
        tf.reduce_logsumexp(tf.constant([1, 2]))


# ---------------------------------------------------------------- variance / std
def test_reduce_variance_std_documented_values():
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert_close(tf.math.reduce_std(x), np.float32(1.1180339887498949), rtol=1e-6)
    assert_close(tf.math.reduce_std(x, 0), np.array([1.0, 1.0], np.float32))
    assert_close(tf.math.reduce_std(x, 1), np.array([0.5, 0.5], np.float32))
    assert_close(tf.math.reduce_variance(x), np.float32(1.25))
    assert_close(tf.math.reduce_variance(x, 0, keepdims=True), np.array([[1.0, 1.0]], np.float32))
    assert_close(tf.math.reduce_variance(x, -1), np.array([0.25, 0.25], np.float32))
    assert tf.math.reduce_std(tf.constant([[1.0, 2.0, 1.0, 1.0], [1.0, 1.0, 0.0, 1.0]])).numpy() == 0.5


def test_reduce_variance_rejects_integers_with_type_error():
    with pytest.raises(TypeError, match="real or complex"):
        tf.math.reduce_variance(tf.constant([[1, 2], [3, 4]]))
    with pytest.raises(TypeError, match="real or complex"):
        tf.math.reduce_std([[1, 2, 1, 1], [1, 1, 0, 1]])


def test_reduce_variance_gradient():
    x = np.array([1.0, 2.0, 4.0, 7.0])
    g = _grad(lambda t: tf.math.reduce_variance(t), x)
    assert_close(g, 2 * (x - x.mean()) / 4, rtol=1e-12)


# ---------------------------------------------------------------- argmax / argmin
def test_argmax_documented_examples():
    a = tf.constant([2, 20, 30, 3, 6])
    r = tf.math.argmax(a)
    assert r.dtype == tf.int64
    assert_equal(r, np.int64(2))
    b = tf.constant([[2, 20, 30, 3, 6], [3, 11, 16, 1, 8], [14, 45, 23, 5, 27]])
    assert_equal(tf.argmax(b, 0), np.array([2, 2, 0, 2, 2], np.int64))
    assert_equal(tf.argmax(b, 1), np.array([2, 2, 1], np.int64))
    assert_equal(tf.argmin(b, 1), np.array([0, 3, 3], np.int64))


def test_argmax_axis_none_means_zero_and_output_type():
    x = tf.constant([[1.0, 9.0], [5.0, 2.0], [3.0, 0.0]])
    assert_equal(tf.argmax(x), np.array([1, 0], np.int64))
    assert_equal(tf.argmin(x, axis=None), np.array([0, 2], np.int64))
    r = tf.argmax(x, axis=-1, output_type=tf.int32)
    assert r.dtype == tf.int32
    assert_equal(r, np.array([1, 0, 0], np.int32))
    assert tf.argmin(x, 1, output_type="int32").dtype == tf.int32
    with pytest.raises(TypeError, match="output_type"):
        tf.argmax(x, 0, output_type=tf.float32)


def test_argmax_ties_give_first_index():
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    assert_equal(tf.argmax(x, 1), np.array([1, 0], np.int64))
    assert_equal(tf.argmin(x, 1), np.array([0, 0], np.int64))
    assert_equal(tf.argmax(x, 0), np.array([1, 0, 0], np.int64))


def test_argmax_rank3_matches_numpy():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 5, 6))
    for ax in [0, 1, 2, -1]:
        assert_equal(tf.argmax(x, ax), np.argmax(x, ax).astype(np.int64))
        assert_equal(tf.argmin(x, ax), np.argmin(x, ax).astype(np.int64))


def test_argmax_axis_forms():
    x = tf.constant([[1.0, 9.0], [5.0, 2.0]])
    assert_equal(tf.argmax(x, np.int64(1)), np.array([1, 0], np.int64))
    assert_equal(tf.argmax(x, tf.constant(-1)), np.array([1, 0], np.int64))
    with pytest.raises(TypeError):
        tf.argmax(x, 0.5)


def test_argmax_is_not_differentiable():
    x = tf.constant([1.0, 3.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        i = tf.argmax(x)
    assert tape.gradient(i, x) is None


def test_argmax_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="argmax"):
        tf.argmax(tf.constant([[1.0, 2.0]]), 2)
    with pytest.raises(tf.errors.InvalidArgumentError, match="argmin"):
        tf.argmin(tf.constant(3.0))
    with pytest.raises(tf.errors.InvalidArgumentError, match="empty"):
        tf.argmax(tf.zeros([0, 3]), 0)


# ---------------------------------------------------------------- cumsum
def test_cumsum_documented_examples():
    x = tf.constant([2, 4, 6, 8])
    assert_equal(tf.cumsum(x), np.array([2, 6, 12, 20], np.int32))
    assert_equal(tf.cumsum(x, exclusive=True), np.array([0, 2, 6, 12], np.int32))
    assert_equal(tf.cumsum(x, reverse=True), np.array([20, 18, 14, 8], np.int32))
    assert_equal(tf.math.cumsum(x, exclusive=True, reverse=True), np.array([18, 14, 8, 0], np.int32))
    y = tf.constant([[2.0, 4.0, 6.0, 8.0], [1.0, 3.0, 5.0, 7.0]])
    assert_equal(tf.cumsum(y, axis=0), np.array([[2, 4, 6, 8], [3, 7, 11, 15]], np.float32))
    assert_equal(tf.cumsum(y, axis=1), np.array([[2, 6, 12, 20], [1, 4, 9, 16]], np.float32))
    assert_equal(tf.cumsum(y, axis=np.int64(1)), tf.cumsum(y, axis=1))
    assert_equal(tf.cumsum(y, axis=tf.constant(-1), reverse=True),
                 np.array([[20, 18, 14, 8], [16, 15, 12, 7]], np.float32))


def test_cumsum_gradient_is_reversed_cumsum():
    g = _grad(lambda t: tf.cumsum(t) * tf.constant([1.0, 10.0, 100.0]), [1.0, 2.0, 3.0])
    assert_close(g, np.array([111.0, 110.0, 100.0], np.float32))
    g = _grad(lambda t: tf.cumsum(t, exclusive=True, reverse=True) * tf.constant([1.0, 10.0, 100.0]),
              [1.0, 2.0, 3.0])
    assert_close(g, np.array([0.0, 1.0, 11.0], np.float32))


def test_cumsum_big_and_integer_gradient_none():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((64, 513))
    assert_close(tf.cumsum(x, 1), np.cumsum(x, 1), rtol=1e-12, atol=1e-12)
    assert_close(tf.cumsum(x, 0, reverse=True), np.flip(np.cumsum(np.flip(x, 0), 0), 0), rtol=1e-12, atol=1e-12)
    xi = tf.constant([1, 2, 3], dtype=tf.int64)
    assert tf.cumsum(xi).dtype == tf.int64
    with tf.GradientTape() as tape:
        tape.watch(xi)
        y = tf.cumsum(xi)
    assert tape.gradient(y, xi) is None


def test_cumsum_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="cumsum"):
        tf.cumsum(tf.constant([1.0, 2.0]), axis=1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="cumsum"):
        tf.cumsum(tf.constant(1.0))


# ---------------------------------------------------------------- elementwise
def test_elementwise_values():
    assert_close(tf.math.log1p(tf.constant([0.0, 1e-10, math.e - 1], tf.float64)),
                 np.array([0.0, 1e-10 - 0.5e-20, 1.0]), rtol=1e-15)  # log1p(x) = x - x^2/2 + ...
    assert_close(tf.math.expm1(tf.constant([0.0, 1e-10, 1.0], tf.float64)),
                 np.array([0.0, 1e-10 + 0.5e-20, math.e - 1]), rtol=1e-15)
    assert_close(tf.math.rsqrt(tf.constant([4.0, 0.25])), np.array([0.5, 2.0], np.float32))
    assert_close(tf.math.reciprocal(tf.constant([4.0, -0.5])), np.array([0.25, -2.0], np.float32))
    assert_close(tf.math.erf(tf.constant([0.0, 1.0, -np.inf], tf.float64)),
                 np.array([0.0, math.erf(1.0), -1.0]), rtol=1e-15)
    assert_equal(tf.floor(tf.constant([1.5, -1.5, 2.0, -0.2])), np.array([1.0, -2.0, 2.0, -1.0], np.float32))


def test_round_half_to_even():
    # TensorFlow's documented example: banker's rounding.
    assert_equal(tf.round(tf.constant([0.9, 2.5, 2.3, 1.5, -4.5])), np.array([1.0, 2.0, 2.0, 2.0, -4.0], np.float32))
    assert_equal(tf.math.round(tf.constant([0.5, -0.5, -1.5, 3.5], tf.float64)), np.array([0.0, -0.0, -2.0, 4.0]))
    r = tf.round(tf.constant([3, -4]))
    assert r.dtype == tf.int32
    assert_equal(r, np.array([3, -4], np.int32))


@pytest.mark.parametrize("fn", [tf.floor, tf.round, tf.math.floor, tf.math.round])
def test_floor_round_zero_gradient_not_none(fn):
    g = _grad(fn, [0.3, 1.7, -2.2])
    assert g is not None
    assert_equal(g, np.zeros(3, np.float32))


@pytest.mark.parametrize("fn", [tf.math.log1p, tf.math.expm1, tf.math.rsqrt, tf.math.reciprocal,
                                tf.math.erf, tf.floor])
def test_float_only_unary_ops_reject_integers(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        fn(tf.constant([1, 2]))


def test_unary_gradients_closed_form():
    x = np.array([0.5, 1.5, 3.0])
    assert_close(_grad(tf.math.log1p, x), 1 / (1 + x), rtol=1e-14)
    assert_close(_grad(tf.math.expm1, x), np.exp(x), rtol=1e-14)
    assert_close(_grad(tf.math.rsqrt, x), -0.5 * x ** -1.5, rtol=1e-14)
    assert_close(_grad(tf.math.reciprocal, x), -1 / x ** 2, rtol=1e-14)
    assert_close(_grad(tf.math.erf, x), 2 / np.sqrt(np.pi) * np.exp(-x * x), rtol=1e-14)


# ---------------------------------------------------------------- inverse trig, hyperbolic, erfc, erfinv
INF, NAN = math.inf, math.nan
SPECIAL = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, INF, -INF, NAN])


def _signbits(a):
    return np.signbit(to_np(a)).tolist()


# name, numpy reference (IEEE special values included)
SPECIAL_REFS = [
    ("atan", np.arctan), ("asin", np.arcsin), ("acos", np.arccos), ("sinh", np.sinh), ("cosh", np.cosh),
    ("asinh", np.arcsinh), ("acosh", np.arccosh), ("atanh", np.arctanh),
    ("erfc", np.vectorize(math.erfc, otypes=[np.float64])),
]


@pytest.mark.parametrize("name, ref", SPECIAL_REFS, ids=[r[0] for r in SPECIAL_REFS])
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_special_values(name, ref, dtype):
    # Domain ends and outside: asin(+-1) = +-pi/2, asin(2) = NaN, acosh(1) = 0,
    # acosh(x < 1) = NaN, atanh(+-1) = +-inf, atanh(2) = NaN; infinities and NaN.
    with np.errstate(all="ignore"):
        want = ref(SPECIAL)
    got = getattr(tf.math, name)(tf.constant(SPECIAL, dtype))
    assert got.dtype == dtype
    assert_close(got, want.astype(dtype.as_numpy_dtype), rtol=1e-6 if dtype == tf.float32 else 1e-15)
    if name in ("atan", "asin", "sinh", "asinh", "atanh"):  # odd functions keep the sign of zero
        assert _signbits(got)[:2] == [False, True]


def test_domain_boundaries():
    x = tf.constant([1.0, -1.0, 1.0 + 1e-15, -1.0 - 1e-15], tf.float64)
    assert_equal(tf.atanh(x), np.array([INF, -INF, NAN, NAN]))
    assert_equal(tf.asin(x), np.array([math.pi / 2, -math.pi / 2, NAN, NAN]))
    assert_equal(tf.acos(x), np.array([0.0, math.pi, NAN, NAN]))
    assert_equal(tf.acosh(tf.constant([1.0, 1.0 - 1e-15, 0.0, -INF], tf.float64)), np.array([0.0, NAN, NAN, NAN]))
    assert_close(tf.math.erfc(tf.constant([30.0, -30.0, 26.0], tf.float64)), [0.0, 2.0, math.erfc(26.0)],
                 rtol=1e-13)  # no cancellation in the tail: erfc(26) ~ 5.7e-296


def test_gradients_at_domain_boundaries():
    # The derivative formulas at the ends of the domain, as TensorFlow's.
    assert_equal(_grad(tf.atanh, np.array([1.0, -1.0, 2.0, INF])), np.array([INF, INF, -1 / 3, -0.0]))
    assert_equal(_grad(tf.asin, np.array([1.0, -1.0, 2.0])), np.array([INF, INF, NAN]))
    assert_equal(_grad(tf.acos, np.array([1.0, 0.0])), np.array([-INF, -1.0]))
    assert_equal(_grad(tf.acosh, np.array([1.0, 0.0, INF])), np.array([INF, NAN, 0.0]))
    assert_equal(_grad(tf.asinh, np.array([0.0, INF, -INF])), np.array([1.0, 0.0, 0.0]))
    assert_equal(_grad(tf.math.erfc, np.array([0.0, INF])), np.array([-2 / math.sqrt(math.pi), -0.0]))


def test_inverse_functions_round_trip():
    x = np.linspace(-0.95, 0.95, 39)
    assert_close(tf.sin(tf.asin(x)), x, rtol=1e-14, atol=1e-15)
    assert_close(tf.tanh(tf.atanh(x)), x, rtol=1e-14, atol=1e-15)
    assert_close(tf.sinh(tf.asinh(x * 100)), x * 100, rtol=1e-14, atol=1e-13)
    assert_close(tf.cosh(tf.acosh(1 + np.abs(x) * 10)), 1 + np.abs(x) * 10, rtol=1e-14)
    assert_close(tf.cos(tf.acos(x)), x, rtol=1e-13, atol=1e-15)
    assert_close(tf.tan(tf.atan(x * 5)), x * 5, rtol=1e-13, atol=1e-15)


def test_hyperbolic_large_arguments():
    x = tf.constant([800.0, -800.0, 1e200, -1e200], tf.float64)
    assert_equal(tf.sinh(x[:2]), np.array([INF, -INF]))
    assert_equal(tf.cosh(x[:2]), np.array([INF, INF]))
    # asinh(1e200) = log(2e200), and its gradient 1 / cosh(y) = 1e-200: no x^2 overflow.
    assert_close(tf.asinh(x[2:]), [math.log(2e200), -math.log(2e200)], rtol=1e-15)
    assert_close(_grad(tf.asinh, np.array([1e200])), [1e-200], rtol=1e-13)


def test_erfinv_values():
    y = np.array([0.0, 0.5, -0.5, 0.9, 0.999, -0.999999, 1e-300, 1 - 2.0 ** -53, 1 - 2.0 ** -52])
    x = tf.math.erfinv(tf.constant(y, tf.float64)).numpy()
    erf = np.vectorize(math.erf)
    erfc = np.vectorize(math.erfc)
    # erf(erfinv(y)) = y to rounding; near 1 through erfc(x) = 1 - y (exact there).
    np.testing.assert_allclose(erf(x[:7]), y[:7], rtol=3e-16, atol=0)
    np.testing.assert_allclose(erfc(x[7:]), 1 - y[7:], rtol=1e-14)
    assert x[6] == pytest.approx(math.sqrt(math.pi) / 2 * 1e-300, rel=1e-15)  # erfinv(y) ~ sqrt(pi)/2 y
    assert_close(tf.math.erfinv(tf.constant([0.5], tf.float32)), np.array([0.4769362762044699], np.float32),
                 rtol=1e-7)
    assert_equal(tf.math.erfinv(tf.constant([1.0, -1.0, 1.5, -2.0, INF, NAN])),
                 np.array([INF, -INF, NAN, NAN, NAN, NAN], np.float32))


def test_erfinv_gradient_closed_form():
    y = np.array([-0.9, -0.2, 0.0, 0.6, 0.99])
    x = tf.math.erfinv(tf.constant(y)).numpy()
    assert_close(_grad(tf.math.erfinv, y), math.sqrt(math.pi) / 2 * np.exp(x ** 2), rtol=1e-14)


def test_new_unary_gradients_closed_form():
    x = np.array([-0.7, 0.2, 0.5])
    assert_close(_grad(tf.atan, x), 1 / (1 + x * x), rtol=1e-14)
    assert_close(_grad(tf.asin, x), 1 / np.sqrt(1 - x * x), rtol=1e-14)
    assert_close(_grad(tf.acos, x), -1 / np.sqrt(1 - x * x), rtol=1e-14)
    assert_close(_grad(tf.sinh, x), np.cosh(x), rtol=1e-14)
    assert_close(_grad(tf.cosh, x), np.sinh(x), rtol=1e-14)
    assert_close(_grad(tf.asinh, x), 1 / np.sqrt(x * x + 1), rtol=1e-14)
    assert_close(_grad(tf.atanh, x), 1 / (1 - x * x), rtol=1e-14)
    assert_close(_grad(tf.acosh, 2.0 - x), 1 / np.sqrt((2.0 - x) ** 2 - 1), rtol=1e-14)
    assert_close(_grad(tf.math.erfc, x), -2 / np.sqrt(np.pi) * np.exp(-x * x), rtol=1e-14)


# ---------------------------------------------------------------- lgamma, digamma, polygamma
EULER = 0.5772156649015329
ZETA3 = 1.2020569031595942


def test_lgamma_special_values():
    x = tf.constant([1.0, 2.0, 0.5, -0.5, 0.0, -0.0, -1.0, -2.0, INF, -INF, NAN, 171.5], tf.float64)
    want = [0.0, 0.0, math.log(math.sqrt(math.pi)), math.log(2 * math.sqrt(math.pi)), INF, INF, INF, INF, INF,
            INF, NAN, math.lgamma(171.5)]
    assert_close(tf.math.lgamma(x), np.array(want), rtol=1e-15)
    assert_close(tf.math.lgamma(tf.constant([3.0, 0.5])), np.array([math.log(2.0), math.log(math.pi) / 2], np.float32),
                 rtol=1e-6)


def test_digamma_special_values():
    # psi(1) = -gamma, psi(1/2) = -gamma - 2 log 2, psi(-1/2) = psi(3/2) = 2 - gamma - 2 log 2 (reflection);
    # NaN at the poles 0, -1, ... and at -inf (TensorFlow's value); psi(x) ~ -1/x near 0.
    x = tf.constant([1.0, 0.5, -0.5, 10.0, 0.0, -1.0, -INF, INF, NAN, 1e-300, -1e-300], tf.float64)
    want = [-EULER, -EULER - 2 * math.log(2), 2 - EULER - 2 * math.log(2), sum(1 / k for k in range(1, 10)) - EULER,
            NAN, NAN, NAN, INF, NAN, -1e300, 1e300]
    assert_close(tf.math.digamma(x), np.array(want), rtol=1e-14)


def test_polygamma_special_values():
    x = tf.constant([1.0, 0.5, 2.0], tf.float64)
    assert_close(tf.math.polygamma(1.0, x), [math.pi ** 2 / 6, math.pi ** 2 / 2, math.pi ** 2 / 6 - 1], rtol=1e-15)
    assert_close(tf.math.polygamma(2.0, x[:1]), [-2 * ZETA3], rtol=1e-15)
    assert_close(tf.math.polygamma(3.0, x[:1]), [math.pi ** 4 / 15], rtol=1e-15)
    assert_close(tf.math.polygamma(0.0, x), tf.math.digamma(x).numpy(), rtol=0)
    # psi1(-1/2) = pi^2 - psi1(3/2) = pi^2 / 2 + 4 (reflection)
    assert_close(tf.math.polygamma(1.0, tf.constant([-0.5], tf.float64)), [math.pi ** 2 / 2 + 4], rtol=1e-14)
    # Poles: inf for odd orders (an even zeta argument), NaN for even ones;
    # orders that are not non-negative integers: NaN; 0 at +inf.
    z = tf.constant([0.0, -3.0, INF], tf.float64)
    assert_equal(tf.math.polygamma(1.0, z), np.array([INF, INF, 0.0]))
    assert_equal(tf.math.polygamma(2.0, z), np.array([NAN, NAN, -0.0]))
    assert_equal(tf.math.polygamma(tf.constant([0.5, -1.0, NAN], tf.float64), tf.constant(2.0, tf.float64)),
                 np.array([NAN, NAN, NAN]))
    assert tf.math.polygamma(1.0, tf.constant([2.0])).dtype == tf.float32
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"polygamma.*\[Op:Polygamma\]"):
        tf.math.polygamma(tf.constant([1, 2]), tf.constant([1, 2]))


def test_gamma_family_derivatives_chain():
    # lgamma' = digamma, lgamma'' = digamma' = polygamma(1, .), lgamma''' = polygamma(2, .).
    x = tf.constant([1.0, 0.5], tf.float64)
    with tf.GradientTape() as t3:
        t3.watch(x)
        with tf.GradientTape() as t2:
            t2.watch(x)
            with tf.GradientTape() as t1:
                t1.watch(x)
                y = tf.math.lgamma(x)
            g1 = t1.gradient(y, x)
        g2 = t2.gradient(g1, x)
    g3 = t3.gradient(g2, x)
    assert_close(g1, [-EULER, -EULER - 2 * math.log(2)], rtol=1e-15)
    assert_close(g2, [math.pi ** 2 / 6, math.pi ** 2 / 2], rtol=1e-15)
    assert_close(g3, [-2 * ZETA3, -14 * ZETA3], rtol=1e-14)  # psi2(1/2) = -14 zeta(3)


def test_polygamma_order_gets_zero_gradient():
    # The order a is not differentiated: zeros (TensorFlow returns None there).
    a, x = tf.constant(1.0), tf.constant(2.0)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([a, x])
        z = tf.math.polygamma(a, x)
    assert_equal(tape.gradient(z, a), np.float32(0.0))
    assert_close(tape.gradient(z, x), np.float32(-2 * ZETA3 + 2), rtol=1e-6)  # psi2(2) = psi2(1) + 2


# ---------------------------------------------------------------- reciprocal_no_nan
def test_reciprocal_no_nan():
    x = np.array([0.0, -0.0, 2.0, -4.0, INF, -INF, NAN])
    assert_equal(tf.math.reciprocal_no_nan(tf.constant(x, tf.float64)), np.array([0.0, 0.0, 0.5, -0.25, 0.0, -0.0, NAN]))
    r = tf.math.reciprocal_no_nan(tf.constant(x[:4], tf.float32))
    assert r.dtype == tf.float32
    assert_equal(r, np.array([0.0, 0.0, 0.5, -0.25], np.float32))
    # The gradient is -1 / x^2, and 0 where x == 0 (TensorFlow's DivNoNan gradient).
    assert_equal(_grad(tf.math.reciprocal_no_nan, np.array([0.0, 2.0, -0.5, INF])), np.array([0.0, -0.25, -4.0, 0.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"reciprocal_no_nan.*\[Op:DivNoNan\]"):
        tf.math.reciprocal_no_nan(tf.constant([1, 2]))


# ---------------------------------------------------------------- is_finite / is_nan / is_inf
def test_float_predicates():
    for dtype in (tf.float32, tf.float64):
        x = tf.constant([0.0, -1.5, INF, -INF, NAN, 1e-40 if dtype == tf.float32 else 5e-324], dtype)
        fin, nan, inf = tf.math.is_finite(x), tf.math.is_nan(x), tf.math.is_inf(x)
        assert fin.dtype == nan.dtype == inf.dtype == tf.bool
        assert_equal(fin, [True, True, False, False, False, True])
        assert_equal(nan, [False, False, False, False, True, False])
        assert_equal(inf, [False, False, True, True, False, False])
    assert_equal(tf.math.is_nan(tf.constant(NAN)), np.bool_(True))
    assert tf.math.is_inf(tf.zeros((2, 0, 3))).shape == (2, 0, 3)


@pytest.mark.parametrize("fn", [tf.math.is_finite, tf.math.is_nan, tf.math.is_inf])
def test_float_predicates_have_no_gradient_and_reject_integers(fn):
    x = tf.constant([1.0, NAN])
    with tf.GradientTape() as tape:
        tape.watch(x)
        b = fn(x)
        y = tf.where(b, tf.zeros_like(x), x * 3.0)
    assert_equal(tape.gradient(y, x), np.where(to_np(b), 0.0, 3.0).astype(np.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        fn(tf.constant([1, 2]))


@pytest.mark.parametrize("fn", [tf.atan, tf.asin, tf.acos, tf.sinh, tf.cosh, tf.asinh, tf.acosh, tf.atanh,
                                tf.math.erfc, tf.math.erfinv, tf.math.reciprocal_no_nan, tf.math.lgamma,
                                tf.math.digamma])
def test_new_unary_ops_reject_integers_and_bools(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
        fn(tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        fn(tf.constant([True]))


# ---------------------------------------------------------------- xlogy, xlog1py, xdivy, divide_no_nan, multiply_no_nan
# Each row: x, y. The zero cases: x == 0 gives x (xlogy, xlog1py, xdivy) for
# any y, NaN included; y == 0 gives 0 (divide_no_nan, multiply_no_nan) for any x.
_X = np.array([0.0, 0.0, 0.0, 0.0, -0.0, 1.0, 1.0, NAN, INF, 2.0, -1.0, 3.0])
_Y = np.array([0.0, NAN, -1.0, INF, 2.0, 0.0, -1.0, 0.0, 0.0, INF, -2.0, 0.5])


def _with_zero_case(value, zero, where):
    with np.errstate(all="ignore"):
        v = value(_X, _Y)
    return np.where(where, zero, v)


BINARY_REFS = [
    ("xlogy", lambda x, y: x * np.log(y), _X == 0, _X),
    ("xlog1py", lambda x, y: x * np.log1p(y), _X == 0, _X),
    ("xdivy", lambda x, y: x / y, _X == 0, _X),
    ("divide_no_nan", lambda x, y: x / y, _Y == 0, 0.0),
    ("multiply_no_nan", lambda x, y: x * y, _Y == 0, 0.0),
]


@pytest.mark.parametrize("name, value, where, zero", BINARY_REFS, ids=[b[0] for b in BINARY_REFS])
def test_binary_zero_cases(name, value, where, zero):
    want = _with_zero_case(value, zero, where)
    got = getattr(tf.math, name)(tf.constant(_X), tf.constant(_Y))
    assert got.dtype == tf.float64
    assert_equal(got, want)
    zeros = want == 0  # xlogy(-0, y) = -0, as TensorFlow
    assert np.array_equal(np.signbit(to_np(got))[zeros], np.signbit(want)[zeros])
    got32 = getattr(tf.math, name)(tf.constant(_X, tf.float32), tf.constant(_Y, tf.float32))
    assert got32.dtype == tf.float32
    assert_close(got32, want.astype(np.float32), rtol=1e-6)


def _grads2(fn, x, y):
    x, y = tf.constant(x), tf.constant(y)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, y])
        z = fn(x, y)
    return to_np(tape.gradient(z, x)), to_np(tape.gradient(z, y))


def test_binary_zero_case_gradients():
    # TensorFlow's gradients (math_grad.py): the x-partial of xlogy is log(y)
    # where x != 0 and 0 where x == 0; the y-partial is xdivy(x, y).
    x = np.array([0.0, 0.0, 2.0, -1.0, 1.0])
    y = np.array([0.0, 3.0, 3.0, 0.5, 0.0])
    gx, gy = _grads2(tf.math.xlogy, x, y)
    assert_equal(gx, [0.0, 0.0, math.log(3.0), math.log(0.5), -INF])
    assert_equal(gy, [0.0, 0.0, 2 / 3, -2.0, INF])
    gx, gy = _grads2(tf.math.xlog1py, x, y)
    assert_equal(gx, [0.0, 0.0, math.log1p(3.0), math.log1p(0.5), 0.0])
    assert_equal(gy, [0.0, 0.0, 2 / 4, -1 / 1.5, 1.0])
    gx, gy = _grads2(tf.math.xdivy, x, y)
    assert_equal(gx, [0.0, 0.0, 1 / 3, 2.0, INF])
    assert_close(gy, [0.0, 0.0, -2 / 9, 4.0, -INF], rtol=1e-15)
    # divide_no_nan: 1 / y and -x / y^2, both 0 where y == 0.
    gx, gy = _grads2(tf.math.divide_no_nan, x, y)
    assert_equal(gx, [0.0, 1 / 3, 1 / 3, 2.0, 0.0])
    assert_close(gy, [0.0, 0.0, -2 / 9, 4.0, 0.0], rtol=1e-15)
    # multiply_no_nan: y and x.
    gx, gy = _grads2(tf.math.multiply_no_nan, x, y)
    assert_equal(gx, y)
    assert_equal(gy, x)


def test_xlogy_second_order_at_zero():
    # d/dy xdivy(x, y) where x == 0 stays 0; elsewhere -x / y^2.
    x, y = tf.constant([0.0, 2.0]), tf.constant([1.5, 4.0])
    with tf.GradientTape() as outer:
        outer.watch(y)
        with tf.GradientTape() as inner:
            inner.watch(y)
            z = tf.math.xlogy(x, y)
        g = inner.gradient(z, y)
    assert_close(outer.gradient(g, y), np.array([0.0, -2 / 16], np.float32))


def test_binary_ops_broadcast_and_errors():
    z = tf.math.xlogy(tf.constant([[1.0], [0.0]]), tf.constant([1.0, 2.0, 4.0]))
    assert_close(z, np.array([[0.0, math.log(2), math.log(4)], [0.0, 0.0, 0.0]], np.float32), rtol=1e-6)
    assert_close(tf.math.divide_no_nan(6.0, tf.constant([3.0, 0.0])), np.array([2.0, 0.0], np.float32))
    for name, op in [("xlogy", "Xlogy"), ("xlog1py", "Xlog1py"), ("xdivy", "Xdivy"), ("divide_no_nan", "DivNoNan"),
                     ("multiply_no_nan", "MulNoNan")]:
        fn = getattr(tf.math, name)
        with pytest.raises(tf.errors.InvalidArgumentError, match=name + r".*Incompatible shapes.*\[Op:%s\]" % op):
            fn(tf.ones(2), tf.ones(3))
        with pytest.raises(tf.errors.InvalidArgumentError, match="dtype"):
            fn(tf.ones(2), tf.ones(2, dtype=tf.float64))
        with pytest.raises(tf.errors.InvalidArgumentError, match="int32"):
            fn(tf.constant([1, 2]), tf.constant([1, 2]))


# ---------------------------------------------------------------- clip_by_value
def test_clip_by_value_documented_examples():
    t = tf.constant([[-10.0, -1.0, 0.0], [0.0, 2.0, 10.0]])
    assert_equal(tf.clip_by_value(t, -1, 1), np.array([[-1.0, -1.0, 0.0], [0.0, 1.0, 1.0]], np.float32))
    t = tf.constant([[-1.0, 0.0, 10.0], [-1.0, 0.0, 10.0]])
    assert_equal(tf.clip_by_value(t, clip_value_min=[[2.0], [1.0]], clip_value_max=100),
                 np.array([[2.0, 2.0, 10.0], [1.0, 1.0, 10.0]], np.float32))
    assert_equal(tf.clip_by_value(tf.constant([1, 5, 9]), 2, 6), np.array([2, 5, 6], np.int32))


def test_clip_by_value_gradient_passes_inside_bounds_inclusive():
    g = _grad(lambda t: tf.clip_by_value(t, -1.0, 1.0), [-2.0, -1.0, 0.3, 1.0, 4.0])
    assert_equal(g, np.array([0.0, 1.0, 1.0, 1.0, 0.0], np.float32))


def test_clip_by_value_gradient_to_tensor_bounds():
    x = tf.constant([-2.0, 0.0, 3.0])
    lo, hi = tf.constant(-1.0), tf.constant(1.0)
    with tf.GradientTape() as tape:
        tape.watch([lo, hi])
        y = tf.reduce_sum(tf.clip_by_value(x, lo, hi))
    glo, ghi = tape.gradient(y, [lo, hi])
    assert_equal(glo, np.float32(1.0))
    assert_equal(ghi, np.float32(1.0))


def test_clip_by_value_errors():
    with pytest.raises(ValueError, match="clip_by_value"):
        tf.clip_by_value(tf.constant([1.0, 2.0]), tf.zeros([3, 2]), 5.0)
    with pytest.raises(TypeError):
        tf.clip_by_value(tf.constant([1, 2]), 0.5, 1.5)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.clip_by_value(tf.constant([1.0, 2.0]), tf.constant(0.0, tf.float64), 1.0)


# ---------------------------------------------------------------- squared_difference
def test_squared_difference():
    x = tf.constant([1.0, 2.0, 5.0])
    assert_equal(tf.math.squared_difference(x, 3.0), np.array([4.0, 1.0, 4.0], np.float32))
    assert_equal(tf.math.squared_difference(tf.constant([[1], [4]]), tf.constant([2, 3])),
                 np.array([[1, 4], [4, 1]], np.int32))
    y = tf.constant([2.0, 2.0, 2.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        s = tf.math.squared_difference(x, y)
    gx, gy = tape.gradient(s, [x, y])
    assert_equal(gx, np.array([-2.0, 0.0, 6.0], np.float32))
    assert_equal(gy, np.array([2.0, 0.0, -6.0], np.float32))


# ---------------------------------------------------------------- add_n
def test_add_n_documented_example_and_gradients():
    a = tf.constant([[3, 5], [4, 8]])
    b = tf.constant([[1, 6], [2, 9]])
    assert_equal(tf.math.add_n([a, b, a]), np.array([[7, 16], [10, 25]], np.int32))
    x, y = tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])
    with tf.GradientTape() as tape:
        tape.watch([x, y])
        s = tf.add_n([x, y, x, 2.0 * y]) * tf.constant([1.0, 10.0])
    gx, gy = tape.gradient(s, [x, y])
    assert_equal(gx, np.array([2.0, 20.0], np.float32))
    assert_equal(gy, np.array([3.0, 30.0], np.float32))
    assert_equal(tf.add_n([x]), np.array([1.0, 2.0], np.float32))
    assert_equal(tf.add_n((x, np.array([1.0, 1.0], np.float32), [0.5, 0.5])), np.array([2.5, 3.5], np.float32))


def test_add_n_errors():
    with pytest.raises(ValueError):
        tf.add_n([])
    with pytest.raises(ValueError):
        tf.add_n(tf.constant([1.0]))
    with pytest.raises(tf.errors.InvalidArgumentError, match="shape"):
        tf.add_n([tf.zeros([2]), tf.zeros([3])])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.add_n([tf.zeros([2]), tf.zeros([2], tf.float64)])


# ---------------------------------------------------------------- reduction errors / dtypes
@pytest.mark.parametrize("fn", [tf.reduce_max, tf.reduce_min, tf.reduce_prod, tf.reduce_logsumexp,
                                tf.math.reduce_variance, tf.math.reduce_std])
def test_reduction_axis_out_of_range(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="out of range"):
        fn(tf.zeros([2, 3]), axis=2)
    with pytest.raises(tf.errors.InvalidArgumentError):
        fn(tf.zeros([2, 3]), axis=[0, -3])


@pytest.mark.parametrize("fn", [tf.reduce_max, tf.reduce_prod, tf.cumsum, tf.argmax])
def test_bool_inputs_rejected(fn):
    with pytest.raises(tf.errors.InvalidArgumentError, match="bool"):
        fn(tf.constant([True, False]))


@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_dtypes_preserved(dtype):
    x = tf.constant([[1.0, 2.0], [3.0, 4.0]], dtype=dtype)
    for fn in [tf.reduce_max, tf.reduce_min, tf.reduce_prod, tf.reduce_logsumexp, tf.math.reduce_std,
               tf.math.reduce_variance, tf.cumsum, tf.math.log1p, tf.math.expm1, tf.math.rsqrt,
               tf.math.reciprocal, tf.math.erf, tf.floor, tf.round]:
        assert fn(x).dtype == dtype, fn
        assert _grad(fn, x).dtype == dtype, fn


# ---------------------------------------------------------------- jacobians
JACOBIAN_FNS = [
    ("reduce_max-ties", lambda x: tf.reduce_max(x, 1), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("reduce_min-keepdims", lambda x: tf.reduce_min(x, 0, keepdims=True), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("reduce_prod-zeros", lambda x: tf.reduce_prod(x, -1), [[0.0, 3.0, 2.0], [0.0, 0.0, 1.5], [1.0, 2.0, 3.0]]),
    ("reduce_prod-all", lambda x: tf.reduce_prod(x, keepdims=True), [[0.5, 3.0], [2.0, -1.0]]),
    ("reduce_logsumexp", lambda x: tf.reduce_logsumexp(x, 1), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("reduce_logsumexp-all", lambda x: tf.reduce_logsumexp(x) * x, [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("reduce_max-all", lambda x: tf.reduce_max(x) * x, [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("reduce_prod-axis0", lambda x: tf.reduce_prod(x, 0) + tf.reduce_min(x, 0), [[0.0, 3.0, 3.0], [2.0, 0.0, -1.0]]),
    ("reduce_std", lambda x: tf.math.reduce_std(x, 0), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("cumsum", lambda x: tf.cumsum(x, 1, exclusive=True), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("cumsum-rev-axis0", lambda x: tf.cumsum(x, 0, reverse=True), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("unary", lambda x: tf.math.log1p(x * x) + tf.math.expm1(x) + tf.math.erf(x) + tf.math.rsqrt(x * x + 1.0)
     + tf.math.reciprocal(x + 5.0) + tf.floor(x) + tf.round(x), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("clip", lambda x: tf.clip_by_value(x, 0.0, 2.5), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("add_n", lambda x: tf.add_n([x, x * x, tf.sin(x)]), [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
    ("squared_difference", lambda x: tf.math.squared_difference(x, tf.constant([1.0, 2.0, 0.0], tf.float64)),
     [[1.0, 3.0, 3.0], [2.0, 0.5, -1.0]]),
]


@pytest.mark.parametrize("label, fn, x0", JACOBIAN_FNS, ids=[j[0] for j in JACOBIAN_FNS])
def test_jacobian_matches_row_by_row_gradients(label, fn, x0):
    x = tf.constant(np.array(x0, dtype=np.float64))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = fn(x)
    jac = to_np(tape.jacobian(y, x))
    ys = tuple(y.shape)
    assert jac.shape == ys + tuple(x.shape)
    for idx in np.ndindex(*ys):
        onehot = np.zeros(ys)
        onehot[idx] = 1.0
        row = tape.gradient(y, x, output_gradients=tf.constant(onehot))
        np.testing.assert_allclose(jac[idx], to_np(row), rtol=1e-12, atol=1e-12, err_msg=str(idx))


def test_reduce_logsumexp_hessian_is_softmax_jacobian():
    xs = np.array([0.3, -1.2, 2.0, 0.0])
    x = tf.constant(xs)
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_logsumexp(x)
        g = inner.gradient(y, x)
    h = outer.jacobian(g, x)
    p = np.exp(xs) / np.exp(xs).sum()
    assert_close(h, np.diag(p) - np.outer(p, p), rtol=1e-12, atol=1e-15)
    # Forward over reverse gives the same Hessian-vector product.
    v = np.array([1.0, 0.5, -2.0, 0.25])
    with tf.autodiff.ForwardAccumulator(x, tf.constant(v)) as acc:
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.reduce_logsumexp(x)
        g = tape.gradient(y, x)
    assert_close(acc.jvp(g), (np.diag(p) - np.outer(p, p)) @ v, rtol=1e-12, atol=1e-15)


def test_negative_of_zero_is_negative_zero():
    # TensorFlow's Neg flips the sign bit (0 - x would give +0).
    for dt in (tf.float32, tf.float64):
        assert np.signbit(tf.negative(tf.constant(0.0, dt)).numpy())
        assert np.signbit((-tf.constant([0.0, 1.0], dt)).numpy()).tolist() == [True, True]
    assert tf.negative(tf.constant(-2 ** 31, tf.int32)).numpy() == -2 ** 31  # integers still wrap
