"""dropout, moments, batch norms, embedding_lookup, log_sigmoid, softsign,
crelu, weighted cross-entropy, log-Poisson loss, top_k and in_top_k:
values against numpy formulas, gradients against central differences."""
import math

import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, central_diff_grad, seeded_rng, to_np


def _grad(f, *xs):
    """Gradients of sum(f(*xs)) at float64 inputs."""
    ts = [tf.constant(np.asarray(x, np.float64)) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = tf.reduce_sum(f(*ts))
    return [to_np(g) for g in tape.gradient(y, ts)]


def _check_grad(f, np_f, *xs, eps=1e-6, rtol=1e-6, atol=1e-8):
    got = _grad(f, *xs)
    want = central_diff_grad(lambda a: float(np.sum(np_f(*a))), list(xs), eps)
    for g, w in zip(got, want):
        assert_close(g, w, rtol=rtol, atol=atol)


# ---------------------------------------------------------------- dropout
def test_dropout_statistics_and_scaling():
    tf.random.set_seed(3)
    x = tf.ones([200, 100])
    y = to_np(tf.nn.dropout(x, 0.3))
    kept = y != 0
    assert abs(kept.mean() - 0.7) < 0.02
    np.testing.assert_allclose(y[kept], np.float32(1 / 0.7), rtol=1e-6)
    assert y.dtype == np.float32


def test_dropout_seeds_are_repeatable():
    x = tf.ones([50, 40])
    tf.random.set_seed(7)
    a = to_np(tf.nn.dropout(x, 0.5))
    b = to_np(tf.nn.dropout(x, 0.5))
    tf.random.set_seed(7)
    assert_equal(tf.nn.dropout(x, 0.5), a)
    assert_equal(tf.nn.dropout(x, 0.5), b)
    assert not np.array_equal(a, b)
    c = to_np(tf.nn.dropout(x, 0.5, seed=11))
    assert_equal(tf.nn.dropout(x, 0.5, seed=11), c)


def test_dropout_rate_zero_is_identity():
    x = tf.constant([[1.0, -2.0], [3.0, 4.0]])
    assert tf.nn.dropout(x, 0) is x
    assert_equal(tf.nn.dropout(x, 0.0), to_np(x))


def test_dropout_gradient_is_mask_over_keep():
    tf.random.set_seed(1)
    x = tf.constant(seeded_rng("drop").normal(size=(30, 20)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.nn.dropout(x, 0.25)
    g = to_np(tape.gradient(y, x))
    mask = to_np(y) != 0
    assert_close(g, mask / 0.75, rtol=1e-12)
    assert_close(to_np(y), np.where(mask, to_np(x) / 0.75, 0.0), rtol=1e-12)


def test_dropout_noise_shape_shares_draws():
    tf.random.set_seed(5)
    y = to_np(tf.nn.dropout(tf.ones([40, 6]), 0.5, noise_shape=[40, 1]))
    assert np.all(y == y[:, :1])
    y = to_np(tf.nn.dropout(tf.ones([40, 6]), 0.5, noise_shape=[None, 1]))
    assert np.all(y == y[:, :1])
    assert set(np.unique(y)) <= {0.0, 2.0}


def test_dropout_tensor_rate():
    tf.random.set_seed(2)
    y = to_np(tf.nn.dropout(tf.ones([1000]), tf.constant(0.5)))
    assert set(np.unique(y)) <= {0.0, 2.0}
    assert 0.4 < (y != 0).mean() < 0.6


def test_dropout_errors():
    x = tf.constant([1.0, 2.0])
    for rate in (1.0, -0.1, 1.5):
        with pytest.raises(ValueError, match=r"`rate` must be a scalar tensor or a float in the range \[0, 1\)"):
            tf.nn.dropout(x, rate)
    with pytest.raises(ValueError, match="`x.dtype` must be a floating point tensor"):
        tf.nn.dropout(tf.constant([1, 2]), 0.5)
    with pytest.raises(ValueError, match="`rate` must be a scalar or scalar tensor"):
        tf.nn.dropout(x, "a")
    with pytest.raises(ValueError, match="must be compatible with `rate.dtype`"):
        tf.nn.dropout(x, tf.constant(0.5, tf.float64))
    with pytest.raises(ValueError, match="must have rank 0"):
        tf.nn.dropout(x, tf.constant([0.5, 0.5]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.nn.dropout(tf.ones([2, 3]), 0.5, noise_shape=[3, 1])


# ---------------------------------------------------------------- moments and batch norm
def test_moments_values():
    a = seeded_rng("moments").normal(size=(4, 3, 2))
    m, v = tf.nn.moments(tf.constant(a), [0, 2])
    assert_close(m, a.mean(axis=(0, 2)), rtol=1e-12)
    assert_close(v, a.var(axis=(0, 2)), rtol=1e-12)
    m, v = tf.nn.moments(tf.constant(a), axes=1, keepdims=True)
    assert_close(m, a.mean(axis=1, keepdims=True), rtol=1e-12)
    assert_close(v, a.var(axis=1, keepdims=True), rtol=1e-12)
    m, v = tf.nn.moments(tf.constant([[1.0, 2.0], [3.0, 5.0]]), [0])
    assert m.dtype == tf.float32
    assert_close(m, np.array([2.0, 3.5], np.float32))
    assert_close(v, np.array([1.0, 2.25], np.float32))


def test_moments_gradients():
    a = seeded_rng("moments-grad").normal(size=(3, 4))
    # mean: 1/n; variance: stop_gradient on its mean, as TensorFlow's.
    _check_grad(lambda t: tf.nn.moments(t, [0])[0], lambda x: x.mean(0), a)
    got = _grad(lambda t: tf.nn.moments(t, [0])[1], a)[0]
    assert_close(got, 2 * (a - a.mean(0)) / 3, rtol=1e-10, atol=1e-12)


def _np_bn(x, mean, var, offset, scale, eps):
    return (x - mean) * scale / np.sqrt(var + eps) + offset


def test_batch_normalization():
    r = seeded_rng("bn")
    x, mean, off = r.normal(size=(5, 3)), r.normal(size=3), r.normal(size=3)
    var, scale = r.uniform(0.5, 2, size=3), r.uniform(0.5, 2, size=3)
    y = tf.nn.batch_normalization(tf.constant(x), tf.constant(mean), tf.constant(var), tf.constant(off),
                                  tf.constant(scale), 1e-3)
    assert_close(y, _np_bn(x, mean, var, off, scale, 1e-3), rtol=1e-12)
    y = tf.nn.batch_normalization(tf.constant(x), tf.constant(mean), tf.constant(var), None, None, 1e-3)
    assert_close(y, _np_bn(x, mean, var, 0.0, 1.0, 1e-3), rtol=1e-12)
    assert_close(tf.nn.batch_normalization(tf.constant([1.0, 2.0]), 1.0, 4.0, None, None, 0.0),
                 np.array([0.0, 0.5], np.float32))
    _check_grad(lambda *t: tf.nn.batch_normalization(t[0], t[1], t[2], t[3], t[4], 1e-3),
                lambda *a: _np_bn(*a, 1e-3), x, mean, var, off, scale, rtol=1e-5)


def _np_fbn_train(x, scale, offset, eps, axes):
    m = x.mean(axis=axes, keepdims=True)
    v = x.var(axis=axes, keepdims=True)
    return (x - m) / np.sqrt(v + eps) * scale + offset


def test_fused_batch_norm_training_values():
    r = seeded_rng("fbn")
    x = r.normal(size=(4, 2, 2, 3)).astype(np.float32)
    scale, offset = r.uniform(0.5, 2, 3).astype(np.float32), r.normal(size=3).astype(np.float32)
    y, m, v = tf.nn.fused_batch_norm(x, scale, offset)
    flat = x.reshape(-1, 3).astype(np.float64)
    assert_close(y, _np_fbn_train(x.astype(np.float64), scale, offset, 1e-3, (0, 1, 2)).astype(np.float32),
                 rtol=1e-4, atol=1e-5)
    assert_close(m, flat.mean(0).astype(np.float32), rtol=1e-5, atol=1e-6)
    assert_close(v, flat.var(0, ddof=1).astype(np.float32), rtol=1e-5)  # Bessel-corrected
    assert y.dtype == tf.float32 and m.dtype == tf.float32


def test_fused_batch_norm_nchw_average_and_inference():
    r = seeded_rng("fbn2")
    x = r.normal(size=(3, 2, 4, 2)).astype(np.float32)
    ones, zeros = np.ones(2, np.float32), np.zeros(2, np.float32)
    y, m, v = tf.nn.fused_batch_norm(x, ones, zeros, data_format="NCHW")
    assert_close(y, _np_fbn_train(x.astype(np.float64), 1.0, 0.0, 1e-3, (0, 2, 3)).astype(np.float32),
                 rtol=1e-4, atol=1e-5)
    flat = np.moveaxis(x, 1, -1).reshape(-1, 2).astype(np.float64)
    old_m, old_v = np.array([1.0, -1.0], np.float32), np.array([2.0, 0.5], np.float32)
    _, m, v = tf.nn.fused_batch_norm(x, ones, zeros, mean=old_m, variance=old_v, data_format="NCHW",
                                     exponential_avg_factor=0.25)
    assert_close(m, (0.75 * old_m + 0.25 * flat.mean(0)).astype(np.float32), rtol=1e-5)
    assert_close(v, (0.75 * old_v + 0.25 * flat.var(0, ddof=1)).astype(np.float32), rtol=1e-5)
    y, m, v = tf.nn.fused_batch_norm(x, ones * 2, zeros + 1, mean=old_m, variance=old_v, epsilon=0.01,
                                     data_format="NCHW", is_training=False)
    want = (x - old_m[:, None, None]) / np.sqrt(old_v[:, None, None] + 0.01) * 2 + 1
    assert_close(y, want.astype(np.float32), rtol=1e-5, atol=1e-6)
    assert_equal(m, old_m)
    assert_equal(v, old_v)


def test_fused_batch_norm_gradients():
    r = seeded_rng("fbn-grad")
    x = r.normal(size=(2, 2, 2, 2))
    scale, offset = r.uniform(0.5, 2, 2), r.normal(size=2)
    w = r.normal(size=x.shape)  # a weighted sum, so the gradient is not trivially zero
    xs = [tf.constant(a.astype(np.float32)) for a in (x, scale, offset)]
    with tf.GradientTape() as tape:
        for t in xs:
            tape.watch(t)
        y = tf.reduce_sum(tf.nn.fused_batch_norm(*xs)[0] * tf.constant(w.astype(np.float32)))
    got = [to_np(g) for g in tape.gradient(y, xs)]
    want = central_diff_grad(lambda a: float(np.sum(_np_fbn_train(a[0], a[1], a[2], 1e-3, (0, 1, 2)) * w)),
                             [x, scale, offset], 1e-6)
    for g, e in zip(got, want):
        assert_close(g, e.astype(np.float32), rtol=2e-3, atol=2e-4)


def test_fused_batch_norm_errors():
    x = np.zeros((2, 2, 2, 3), np.float32)
    s = np.ones(3, np.float32)
    with pytest.raises(ValueError, match="Both `mean` and `variance` must be a 1D tensor"):
        tf.nn.fused_batch_norm(x, s, s, is_training=False)
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must be 4 or 5-dimensional"):
        tf.nn.fused_batch_norm(x[0, 0], s, s)
    with pytest.raises(tf.errors.InvalidArgumentError, match="scale must have the same number of elements"):
        tf.nn.fused_batch_norm(x, np.ones(2, np.float32), s)
    with pytest.raises(tf.errors.InvalidArgumentError, match="data_format"):
        tf.nn.fused_batch_norm(x, s, s, data_format="NHCW")
    with pytest.raises(tf.errors.InvalidArgumentError, match="double"):
        tf.nn.fused_batch_norm(x.astype(np.float64), s.astype(np.float64), s.astype(np.float64))


# ---------------------------------------------------------------- embedding_lookup
def test_embedding_lookup_values_and_gradient():
    p = seeded_rng("emb").normal(size=(4, 3))
    ids = np.array([[2, 0], [2, 2]])
    assert_close(tf.nn.embedding_lookup(tf.constant(p), ids), p[ids], rtol=0)
    g = _grad(lambda t: tf.nn.embedding_lookup(t, ids), p)[0]
    want = np.zeros_like(p)
    np.add.at(want, ids.reshape(-1), 1.0)  # repeated ids accumulate
    assert_close(g, want[:, :1] * np.ones((1, 3)), rtol=0)


def test_embedding_lookup_variable():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(tf.nn.embedding_lookup(v, [1, 1, 0]))
    assert_close(tape.gradient(y, v), np.array([[1.0, 1.0], [2.0, 2.0]], np.float32))


def test_embedding_lookup_max_norm():
    p = np.array([[3.0, 4.0], [0.0, 0.1], [5.0, 6.0]])
    out = tf.nn.embedding_lookup(tf.constant(p), [0, 1], max_norm=1.0)
    assert_close(out, np.array([[0.6, 0.8], [0.0, 0.1]]), rtol=1e-12)

    def np_f(a):
        rows = a[[0, 1]]
        n = np.sqrt((rows ** 2).sum(1, keepdims=True))
        return rows / np.maximum(n, 1.0)

    _check_grad(lambda t: tf.nn.embedding_lookup(t, [0, 1], max_norm=1.0) * tf.constant([[1.0, 2.0]], tf.float64),
                lambda a: np_f(a) * np.array([[1.0, 2.0]]), p)


def test_embedding_lookup_sharded_div():
    a, b = np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[5.0, 6.0]])
    out = tf.nn.embedding_lookup([tf.constant(a), tf.constant(b)], [2, 0, 1])
    assert_close(out, np.array([[5.0, 6.0], [1.0, 2.0], [3.0, 4.0]]), rtol=0)
    g = _grad(lambda s0, s1: tf.nn.embedding_lookup([s0, s1], [2, 2, 1]), a, b)
    assert_close(g[0], np.array([[0.0, 0.0], [1.0, 1.0]]), rtol=0)
    assert_close(g[1], np.array([[2.0, 2.0]]), rtol=0)


def test_embedding_lookup_errors():
    with pytest.raises(ValueError, match="Need at least one param"):
        tf.nn.embedding_lookup([], [0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="Tindices"):
        tf.nn.embedding_lookup(tf.constant([[1.0, 2.0]]), [0.5])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[0\] = 3 is not in \[0, 3\)"):
        tf.nn.embedding_lookup(tf.constant([[1.0], [2.0], [3.0]]), [3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"indices\[1\] = 3 is not in \[0, 3\)"):
        tf.nn.embedding_lookup([tf.constant([[1.0], [2.0]]), tf.constant([[3.0]])], [0, 3])


# ---------------------------------------------------------------- activations and losses
def test_log_sigmoid_and_softsign():
    a = np.array([-30.0, -2.0, -0.5, 0.0, 0.5, 2.0, 30.0])
    assert_close(tf.math.log_sigmoid(tf.constant(a)), -np.logaddexp(0.0, -a), rtol=1e-12)
    assert_close(tf.nn.log_sigmoid(tf.constant(a)), -np.logaddexp(0.0, -a), rtol=1e-12)
    assert_close(tf.nn.softsign(tf.constant(a)), a / (1 + np.abs(a)), rtol=1e-12)
    b = np.array([-2.0, -0.5, 0.3, 2.0])
    _check_grad(tf.math.log_sigmoid, lambda x: -np.logaddexp(0.0, -x), b)
    _check_grad(tf.nn.softsign, lambda x: x / (1 + np.abs(x)), b)
    assert_close(_grad(tf.nn.softsign, a)[0], 1 / (1 + np.abs(a)) ** 2, rtol=1e-12)
    for f, op in ((tf.nn.softsign, "Softsign"), (tf.math.log_sigmoid, "Softplus")):
        with pytest.raises(tf.errors.InvalidArgumentError, match="int32 is not in the list.*%s" % op):
            f(tf.constant([1, 2]))


def test_crelu():
    a = seeded_rng("crelu").normal(size=(2, 3))
    assert_close(tf.nn.crelu(tf.constant(a)), np.maximum(np.concatenate([a, -a], -1), 0), rtol=0)
    assert_close(tf.nn.crelu(tf.constant(a), axis=0), np.maximum(np.concatenate([a, -a], 0), 0), rtol=0)
    w = np.arange(12.0).reshape(2, 6)
    _check_grad(lambda t: tf.nn.crelu(t) * tf.constant(w), lambda x: np.maximum(np.concatenate([x, -x], -1), 0) * w, a)


def _np_wce(z, x, q):
    return q * z * np.log1p(np.exp(-x)) + (1 - z) * (x + np.log1p(np.exp(-x)))


def test_weighted_cross_entropy_with_logits():
    r = seeded_rng("wce")
    z, x = r.uniform(size=(3, 4)), r.normal(scale=3, size=(3, 4))
    assert_close(tf.nn.weighted_cross_entropy_with_logits(tf.constant(z), tf.constant(x), 2.5),
                 _np_wce(z, x, 2.5), rtol=1e-10)
    big = tf.nn.weighted_cross_entropy_with_logits(tf.constant([1.0, 0.0]), tf.constant([-200.0, 200.0]), 3.0)
    assert_close(big, np.array([600.0, 200.0], np.float32))  # no overflow
    _check_grad(lambda zz, xx: tf.nn.weighted_cross_entropy_with_logits(zz, xx, 2.5),
                lambda zz, xx: _np_wce(zz, xx, 2.5), z, x, rtol=1e-5)
    with pytest.raises(ValueError,
                       match=r"`logits` and `labels` must have the same shape, received \(\(2,\) vs \(3,\)\)"):
        tf.nn.weighted_cross_entropy_with_logits([1.0, 0.0, 1.0], [0.5, -1.0], 2.0)


def _np_lpl(t, c, full):
    out = np.exp(c) - c * t
    if full:
        with np.errstate(divide="ignore", invalid="ignore"):
            st = t * np.log(t) - t + 0.5 * np.log(2 * math.pi * t)
        out = out + np.where((t >= 0) & (t <= 1), 0.0, st)
    return out


def test_log_poisson_loss():
    t = np.array([0.0, 0.5, 1.0, 2.0, 7.0])
    c = np.array([0.5, -1.0, 1.0, 0.2, 2.0])
    assert_close(tf.nn.log_poisson_loss(tf.constant(t), tf.constant(c)), _np_lpl(t, c, False), rtol=1e-12)
    assert_close(tf.nn.log_poisson_loss(tf.constant(t), tf.constant(c), compute_full_loss=True),
                 _np_lpl(t, c, True), rtol=1e-12)
    _check_grad(lambda cc: tf.nn.log_poisson_loss(tf.constant(t), cc, compute_full_loss=True),
                lambda cc: _np_lpl(t, cc, True), c)
    with pytest.raises(ValueError, match="`log_input` and `targets` must have the same shape"):
        tf.nn.log_poisson_loss([0.0, 0.5], [0.5, -1.0, 1.0])


# ---------------------------------------------------------------- top_k and in_top_k
def test_top_k_values_ties_and_type():
    r = tf.math.top_k(tf.constant([1.0, 3.0, 3.0, 2.0, 3.0]), 3)
    assert type(r).__name__ == "TopKV2" and r._fields == ("values", "indices")
    values, indices = r
    assert_equal(values, np.array([3.0, 3.0, 3.0], np.float32))
    assert_equal(indices, np.array([1, 2, 4], np.int32))
    assert tf.nn.top_k is tf.math.top_k
    a = seeded_rng("topk").normal(size=(2, 3, 6))
    r = tf.nn.top_k(tf.constant(a), k=4)
    order = np.argsort(-a, axis=-1, kind="stable")[..., :4]
    assert_equal(r.indices, order.astype(np.int32))
    assert_equal(r.values, np.take_along_axis(a, order, -1))
    assert tf.math.top_k(tf.constant([1, 5, 2]), 2).values.dtype == tf.int32
    assert tf.math.top_k(tf.constant([1.0, 2.0]), index_type=tf.int64).indices.dtype == tf.int64
    assert tf.math.top_k(tf.constant([1.0, 2.0]), 0).values.shape == (0,)
    nan = tf.math.top_k(tf.constant([[1.0, np.nan, 3.0]]), 2)
    assert_equal(nan.indices, np.array([[1, 2]], np.int32))


def test_top_k_gradient():
    a = seeded_rng("topk-grad").normal(size=(3, 5))
    w = np.arange(1.0, 7.0).reshape(3, 2)
    order = np.argsort(-a, axis=-1, kind="stable")[..., :2]
    _check_grad(lambda t: tf.math.top_k(t, 2).values * tf.constant(w),
                lambda x: np.take_along_axis(x, order, -1) * w, a)


def test_top_k_errors():
    v = tf.constant([1.0, 3.0, 2.0])
    with pytest.raises(tf.errors.InvalidArgumentError, match="input must have at least k columns. Had 3, needed 4"):
        tf.math.top_k(v, 4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Need k >= 0, got -1"):
        tf.math.top_k(v, -1)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"input must be >= 1-D, got shape \[\]"):
        tf.math.top_k(tf.constant(1.0), 1)


def test_in_top_k():
    p = tf.constant([[0.1, 0.5, 0.5, 0.2], [0.3, 0.3, 0.3, 0.1]])
    assert_equal(tf.nn.in_top_k(tf.constant([2, 0]), p, 1), np.array([True, True]))  # ties are in
    assert_equal(tf.math.in_top_k(tf.constant([1, 3]), p, 2), np.array([True, False]))
    assert_equal(tf.nn.in_top_k(tf.constant([5, -1]), p, 2), np.array([False, False]))
    assert_equal(tf.nn.in_top_k(tf.constant([1, 1], tf.int64), p, 5), np.array([True, True]))
    assert_equal(tf.nn.in_top_k(tf.constant([1, 1]), p, 0), np.array([False, False]))
    bad = tf.constant([[0.1, np.nan, 0.2, 0.0], [0.1, 0.2, 0.3, np.inf]])
    assert_equal(tf.nn.in_top_k(tf.constant([1, 1]), bad, 4), np.array([False, False]))
    r = seeded_rng("intopk")
    a = r.normal(size=(6, 5)).astype(np.float32)
    t = r.integers(0, 5, size=6)
    want = (a > a[np.arange(6), t][:, None]).sum(1) < 2
    assert_equal(tf.nn.in_top_k(tf.constant(t.astype(np.int32)), tf.constant(a), 2), want)


def test_in_top_k_errors():
    p = tf.constant([[0.1, 0.5], [0.3, 0.2]])
    with pytest.raises(tf.errors.InvalidArgumentError, match="First dimension of predictions 2 must match length of "
                                                             "targets 3"):
        tf.nn.in_top_k(tf.constant([1, 1, 1]), p, 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="was expected to be a float tensor but is a double"):
        tf.nn.in_top_k(tf.constant([1, 1]), tf.cast(p, tf.float64), 1)
    with pytest.raises(tf.errors.InvalidArgumentError, match="int32, int64"):
        tf.nn.in_top_k(tf.constant([1.0, 1.0]), p, 1)


def test_names_registered():
    for n in ("dropout", "moments", "batch_normalization", "fused_batch_norm", "embedding_lookup", "log_sigmoid",
              "softsign", "crelu", "weighted_cross_entropy_with_logits", "log_poisson_loss", "top_k", "in_top_k"):
        assert n in tf.nn.__all__ and callable(getattr(tf.nn, n))
    assert callable(tf.math.top_k) and callable(tf.math.in_top_k) and callable(tf.math.log_sigmoid)
