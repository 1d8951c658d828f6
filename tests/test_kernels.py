"""Kernel accuracy and edge cases: vectorised transcendental functions within
a few float32 ulps of the correctly rounded value, special values (inf, nan,
signed zero), and every length class of the SIMD loops (tails included)."""
import numpy as np
import pytest

import fasttape as tf


def _ulp_distance(a, b):
    """Max distance in float32 units in the last place (nan == nan)."""
    a = np.asarray(a, np.float32)
    b = np.asarray(b, np.float32)
    both_nan = np.isnan(a) & np.isnan(b)
    ai = a.view(np.int32).astype(np.int64)
    bi = b.view(np.int32).astype(np.int64)
    ai = np.where(ai < 0, -(ai & 0x7FFFFFFF), ai)
    bi = np.where(bi < 0, -(bi & 0x7FFFFFFF), bi)
    d = np.abs(ai - bi)
    d[both_nan] = 0
    return int(d.max()) if d.size else 0


def _sigmoid64(x):
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


FUNCS = [
    ("exp", tf.exp, np.exp, (-87.0, 88.0)),
    ("log", tf.math.log, np.log, (1e-30, 1e30)),
    ("tanh", tf.tanh, np.tanh, (-12.0, 12.0)),
    ("sigmoid", tf.sigmoid, _sigmoid64, (-30.0, 30.0)),
    ("sin", tf.sin, np.sin, (-100.0, 100.0)),
    ("cos", tf.cos, np.cos, (-100.0, 100.0)),
    ("log1p", tf.math.log1p, np.log1p, (-0.99, 1e6)),
    ("expm1", tf.math.expm1, np.expm1, (-20.0, 80.0)),
]


@pytest.mark.parametrize("name,fn,ref,domain", FUNCS, ids=[f[0] for f in FUNCS])
@pytest.mark.parametrize("n", [1, 7, 16, 33, 100_003])
def test_float32_within_four_ulp_of_correctly_rounded(name, fn, ref, domain, n):
    rng = np.random.default_rng(hash(name) % 1000 + n)
    lo, hi = domain
    if name == "log":
        x = np.exp(rng.uniform(np.log(lo), np.log(hi), n)).astype(np.float32)
    else:
        x = rng.uniform(lo, hi, n).astype(np.float32)
    got = fn(tf.constant(x)).numpy()
    want = ref(x.astype(np.float64)).astype(np.float32)
    assert _ulp_distance(got, want) <= 4, name


@pytest.mark.parametrize("name,fn,ref,domain", FUNCS, ids=[f[0] for f in FUNCS])
def test_float64_close_to_numpy(name, fn, ref, domain):
    rng = np.random.default_rng(1)
    lo, hi = domain
    x = rng.uniform(max(lo, -50), min(hi, 50), 10_001)
    if name in ("log",):
        x = np.abs(x) + 1e-3
    got = fn(tf.constant(x)).numpy()
    np.testing.assert_allclose(got, ref(x), rtol=1e-13, atol=1e-300)


def test_special_values():
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 100.0, -100.0], np.float32)
    t = tf.constant(np.tile(x, 5))  # long enough for the vector path
    with np.errstate(all="ignore"):
        for fn, ref in [(tf.exp, np.exp), (tf.tanh, np.tanh), (tf.sigmoid, lambda v: _sigmoid64(v)),
                        (tf.math.log, np.log)]:
            got = fn(t).numpy()
            want = ref(np.tile(x, 5).astype(np.float64)).astype(np.float32)
            assert np.array_equal(np.isnan(got), np.isnan(want)), fn
            finite = ~np.isnan(want)
            assert np.array_equal(got[finite], want[finite]), fn
    r = tf.nn.relu(tf.constant([np.nan, -1.0, 2.0])).numpy()
    assert np.isnan(r[0]) and r[1] == 0 and r[2] == 2


@pytest.mark.parametrize("n", [1, 15, 16, 17, 1000, 70_001])
def test_elementwise_and_broadcast_paths_agree_with_numpy(n):
    rng = np.random.default_rng(n)
    a = rng.standard_normal(n).astype(np.float32)
    b = rng.standard_normal(n).astype(np.float32)
    col = rng.standard_normal((n, 1)).astype(np.float32)
    assert np.array_equal((tf.constant(a) * tf.constant(b)).numpy(), a * b)
    assert np.array_equal((tf.constant(a) + 2.5).numpy(), a + np.float32(2.5))
    assert np.array_equal((tf.constant(col) - tf.constant(a[:3])).numpy(), col - a[:3])
    np.testing.assert_allclose(tf.reduce_sum(tf.constant(a)).numpy(), a.astype(np.float64).sum(),
                               rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("m,k,n", [(1, 1, 1), (5, 7, 3), (13, 33, 31), (64, 300, 65), (129, 257, 200)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ta,tb", [(False, False), (True, False), (False, True), (True, True)])
def test_gemm_all_edge_shapes_and_transposes(m, k, n, dtype, ta, tb):
    rng = np.random.default_rng(m * 1000 + k + n)
    a = rng.standard_normal((k, m) if ta else (m, k)).astype(dtype)
    b = rng.standard_normal((n, k) if tb else (k, n)).astype(dtype)
    got = tf.matmul(tf.constant(a), tf.constant(b), transpose_a=ta, transpose_b=tb).numpy()
    want = (a.T if ta else a).astype(np.float64) @ (b.T if tb else b).astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got, want, rtol=tol, atol=tol * np.sqrt(k))


@pytest.mark.parametrize("e", [0.0, 1.0, 2.0, 3.0, 0.5, -1.0, -0.5, 1.7])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_pow_scalar_exponent_fast_paths(e, dtype):
    rng = np.random.default_rng(int(e * 10) + 100)
    x = rng.uniform(0.2, 3.0, 70_001).astype(dtype)
    g = rng.standard_normal(x.shape).astype(dtype)
    t = tf.constant(x)
    with tf.GradientTape() as tape:
        tape.watch(t)
        y = t ** e
    grad = tape.gradient(y, t, output_gradients=tf.constant(g))
    x64 = x.astype(np.float64)
    tol = 1e-6 if dtype == np.float32 else 1e-13
    np.testing.assert_allclose(y.numpy(), x64 ** e, rtol=tol)
    np.testing.assert_allclose(grad.numpy(), g * e * x64 ** (e - 1), rtol=tol * 10, atol=tol)
