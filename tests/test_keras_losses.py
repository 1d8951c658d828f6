"""fasttape.keras.losses against Keras 3's documented formulas, written out
in numpy here: per-sample values, reductions and sample weights, label
smoothing, from_logits, clipping at probabilities 0 and 1, gradients
against finite differences (float64), errors, and get/serialize."""
import numpy as np
import pytest

import fasttape as tf
from fasttape.keras import losses
from ft_testutil import assert_close, central_diff_grad, seeded_rng, shape_in_message, to_np

EPS = 1e-7


# --------------------------------------------------------------------------
# numpy references (per-sample values, documented formulas)
# --------------------------------------------------------------------------

def np_mse(t, p):
    return np.mean((t - p) ** 2, axis=-1)


def np_mae(t, p):
    return np.mean(np.abs(t - p), axis=-1)


def np_mape(t, p):
    return 100.0 * np.mean(np.abs((t - p) / np.maximum(np.abs(t), EPS)), axis=-1)


def np_msle(t, p):
    return np.mean((np.log(np.maximum(p, EPS) + 1) - np.log(np.maximum(t, EPS) + 1)) ** 2, axis=-1)


def np_huber(t, p, delta=1.0):
    e = p - t
    a = np.abs(e)
    return np.mean(np.where(a <= delta, 0.5 * e ** 2, delta * a - 0.5 * delta ** 2), axis=-1)


def np_logcosh(t, p):
    return np.mean(np.log(np.cosh(p - t)), axis=-1)


def np_bce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    ls = label_smoothing
    t = t * (1 - ls) + 0.5 * ls
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    else:
        p = np.clip(p, EPS, 1 - EPS)
    return np.mean(-(t * np.log(p) + (1 - t) * np.log(1 - p)), axis=axis)


def np_cce(t, p, from_logits=False, label_smoothing=0.0, axis=-1):
    ls = label_smoothing
    t = t * (1 - ls) + ls / t.shape[-1]
    if from_logits:
        z = p - p.max(axis=axis, keepdims=True)
        logq = z - np.log(np.exp(z).sum(axis=axis, keepdims=True))
    else:
        logq = np.log(np.clip(p / p.sum(axis=axis, keepdims=True), EPS, 1 - EPS))
    return -np.sum(t * logq, axis=axis)


def np_scce(labels, p, from_logits=False):
    if from_logits:
        z = p - p.max(axis=-1, keepdims=True)
        logq = z - np.log(np.exp(z).sum(axis=-1, keepdims=True))
    else:
        # clip, then renormalise (softmax of the log-probabilities)
        lp = np.log(np.clip(p, EPS, 1 - EPS))
        logq = lp - np.log(np.exp(lp).sum(axis=-1, keepdims=True))
    return -np.take_along_axis(logq, labels[..., None].astype(np.int64), axis=-1)[..., 0]


def np_kld(t, p):
    t = np.clip(t, EPS, 1)
    p = np.clip(p, EPS, 1)
    return np.sum(t * np.log(t / p), axis=-1)


def np_poisson(t, p):
    return np.mean(p - t * np.log(p + EPS), axis=-1)


def np_cosine(t, p, axis=-1):
    nt = t / np.maximum(np.linalg.norm(t, axis=axis, keepdims=True), EPS)
    npred = p / np.maximum(np.linalg.norm(p, axis=axis, keepdims=True), EPS)
    return -np.sum(nt * npred, axis=axis)


def _hinge_labels(t):
    return 2 * t - 1 if np.all((t == 0) | (t == 1)) else t


def np_hinge(t, p):
    return np.mean(np.maximum(1 - _hinge_labels(t) * p, 0), axis=-1)


def np_squared_hinge(t, p):
    return np.mean(np.maximum(1 - _hinge_labels(t) * p, 0) ** 2, axis=-1)


def np_categorical_hinge(t, p):
    pos = np.sum(t * p, axis=-1)
    neg = np.max((1 - t) * p, axis=-1)
    return np.maximum(neg - pos + 1, 0)


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------

def _data(kind, shape, rng):
    if kind == "real":
        return rng.normal(size=shape)
    if kind == "pos":
        return rng.uniform(0.2, 3.0, size=shape)
    if kind == "prob":
        return rng.uniform(0.05, 0.95, size=shape)
    if kind == "dist":
        x = rng.uniform(0.1, 1.0, size=shape)
        return x / x.sum(-1, keepdims=True)
    if kind == "binary":
        return (rng.uniform(size=shape) > 0.5).astype(np.float64)
    if kind == "onehot":
        return np.eye(shape[-1])[rng.integers(0, shape[-1], size=shape[:-1])]
    if kind == "pm1":
        return rng.choice([-1.0, 1.0], size=shape)
    raise ValueError(kind)


# (class, function, numpy reference, y_true kind, y_pred kind, kwargs)
ELEMENTWISE = [
    (losses.MeanSquaredError, losses.mean_squared_error, np_mse, "real", "real", {}),
    (losses.MeanAbsoluteError, losses.mean_absolute_error, np_mae, "real", "real", {}),
    (losses.MeanAbsolutePercentageError, losses.mean_absolute_percentage_error, np_mape, "real", "real", {}),
    (losses.MeanSquaredLogarithmicError, losses.mean_squared_logarithmic_error, np_msle, "pos", "pos", {}),
    (losses.Huber, losses.huber, np_huber, "real", "real", {}),
    (losses.Huber, losses.huber, np_huber, "real", "real", {"delta": 0.4}),
    (losses.LogCosh, losses.log_cosh, np_logcosh, "real", "real", {}),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, np_bce, "binary", "prob", {}),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, np_bce, "binary", "real", {"from_logits": True}),
    (losses.BinaryCrossentropy, losses.binary_crossentropy, np_bce, "prob", "prob", {"label_smoothing": 0.2}),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, np_cce, "onehot", "prob", {}),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, np_cce, "onehot", "real",
     {"from_logits": True}),
    (losses.CategoricalCrossentropy, losses.categorical_crossentropy, np_cce, "dist", "dist",
     {"label_smoothing": 0.1}),
    (losses.KLDivergence, losses.kl_divergence, np_kld, "dist", "dist", {}),
    (losses.Poisson, losses.poisson, np_poisson, "pos", "pos", {}),
    (losses.CosineSimilarity, losses.cosine_similarity, np_cosine, "real", "real", {}),
    (losses.CosineSimilarity, losses.cosine_similarity, np_cosine, "real", "real", {"axis": 0}),
    (losses.Hinge, losses.hinge, np_hinge, "binary", "real", {}),
    (losses.Hinge, losses.hinge, np_hinge, "pm1", "real", {}),
    (losses.SquaredHinge, losses.squared_hinge, np_squared_hinge, "binary", "real", {}),
    (losses.CategoricalHinge, losses.categorical_hinge, np_categorical_hinge, "onehot", "real", {}),
]


def _id(case):
    return case[0].__name__ + "".join("-%s=%s" % kv for kv in case[5].items())


@pytest.mark.parametrize("case", ELEMENTWISE, ids=[_id(c) for c in ELEMENTWISE])
def test_function_matches_formula(case):
    _, fn, ref, kt, kp, kw = case
    rng = seeded_rng("fn" + _id(case))
    t, p = _data(kt, (4, 5), rng), _data(kp, (4, 5), rng)
    got = fn(t.astype(np.float32), p.astype(np.float32), **kw)
    assert got.dtype == tf.float32
    assert_close(got, ref(t, p, **kw).astype(np.float32), rtol=2e-5, atol=2e-6)
    got64 = fn(tf.constant(t), tf.constant(p), **kw)
    assert got64.dtype == tf.float64
    assert_close(got64, ref(t, p, **kw), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", ELEMENTWISE, ids=[_id(c) for c in ELEMENTWISE])
def test_class_default_reduction_is_mean_over_all_elements(case):
    cls, _, ref, kt, kp, kw = case
    rng = seeded_rng("cls" + _id(case))
    t, p = _data(kt, (3, 4), rng), _data(kp, (3, 4), rng)
    got = cls(**kw)(t, p)
    assert got.dtype == tf.float32 and got.shape == ()
    assert_close(got, np.float32(np.mean(ref(t, p, **kw))), rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("case", ELEMENTWISE, ids=[_id(c) for c in ELEMENTWISE])
def test_gradient_matches_finite_differences(case):
    cls, _, ref, kt, kp, kw = case
    rng = seeded_rng("grad" + _id(case))
    t, p = _data(kt, (3, 4), rng), _data(kp, (3, 4), rng)
    sw = rng.uniform(0.5, 2.0, size=(3,)) if kw.get("axis", -1) == -1 else None
    loss = cls(dtype="float64", **kw)
    v = tf.Variable(p)
    with tf.GradientTape() as tape:
        value = loss(t, v, sample_weight=sw)
    g = tape.gradient(value, v)

    def np_loss(xs):
        per = ref(t, xs[0], **kw)
        return np.mean(per * (sw if sw is not None else 1.0))

    (expected,) = central_diff_grad(np_loss, [p], 1e-6)
    assert_close(value, np_loss([p]), rtol=1e-10)
    assert_close(g, expected, rtol=1e-5, atol=1e-8)


# --------------------------------------------------------------------------
# sparse categorical cross-entropy
# --------------------------------------------------------------------------

@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.parametrize("label_shape", ["flat", "column"])
def test_sparse_categorical_crossentropy(from_logits, label_shape):
    rng = seeded_rng("scce%s%s" % (from_logits, label_shape))
    labels = rng.integers(0, 4, size=(5,))
    p = _data("real" if from_logits else "prob", (5, 4), rng)
    y = labels if label_shape == "flat" else labels[:, None]
    expected = np_scce(labels, p, from_logits)
    assert_close(losses.sparse_categorical_crossentropy(y, tf.constant(p), from_logits=from_logits), expected,
                 rtol=1e-10)
    loss = losses.SparseCategoricalCrossentropy(from_logits=from_logits)
    assert_close(loss(y, p.astype(np.float32)), np.float32(expected.mean()), rtol=2e-5)


def test_sparse_matches_categorical_with_one_hot_labels():
    rng = seeded_rng("sparse-vs-dense")
    labels = rng.integers(0, 3, size=(6,))
    z = rng.normal(size=(6, 3))
    sparse = losses.SparseCategoricalCrossentropy(from_logits=True, dtype="float64")(labels, z)
    dense = losses.CategoricalCrossentropy(from_logits=True, dtype="float64")(np.eye(3)[labels], z)
    assert_close(sparse, to_np(dense), rtol=1e-12)


def test_sparse_higher_rank_labels():
    rng = seeded_rng("sparse-rank3")
    labels = rng.integers(0, 3, size=(2, 4))
    z = rng.normal(size=(2, 4, 3))
    got = losses.sparse_categorical_crossentropy(labels, tf.constant(z), from_logits=True)
    assert_close(got, np_scce(labels, z, True), rtol=1e-10)


def test_sparse_ignore_class_masks_and_averages_over_valid_entries():
    rng = seeded_rng("ignore-class")
    labels = np.array([0, 2, 1, 1, 2])
    z = rng.normal(size=(5, 3))
    per = np_scce(labels, z, True)
    valid = labels != 1
    kw = dict(from_logits=True, ignore_class=1, dtype="float64")
    none = losses.SparseCategoricalCrossentropy(reduction=None, **kw)(labels, z)
    assert_close(none, np.where(valid, per, 0.0), rtol=1e-12)
    assert_close(losses.SparseCategoricalCrossentropy(**kw)(labels, z), per[valid].mean(), rtol=1e-12)
    assert_close(losses.SparseCategoricalCrossentropy(reduction="sum", **kw)(labels, z), per[valid].sum(),
                 rtol=1e-12)
    sw = np.array([1.0, 0.5, 2.0, 3.0, 1.5])
    # mean reductions: valid entries weigh total/valid, so the mean is over valid entries
    got = losses.SparseCategoricalCrossentropy(**kw)(labels, z, sample_weight=sw)
    assert_close(got, np.sum(per * sw * valid * (5 / 3)) / 5, rtol=1e-12)
    got = losses.SparseCategoricalCrossentropy(reduction="mean_with_sample_weight", **kw)(labels, z,
                                                                                          sample_weight=sw)
    assert_close(got, np.sum(per * sw * valid) / np.sum(sw * valid), rtol=1e-12)
    # no gradient reaches the ignored rows
    v = tf.Variable(z)
    with tf.GradientTape() as tape:
        value = losses.SparseCategoricalCrossentropy(**kw)(labels, v)
    g = to_np(tape.gradient(value, v))
    assert np.all(g[~valid] == 0) and np.all(np.abs(g[valid]).sum(-1) > 0)


def test_sparse_label_out_of_range_raises():
    with pytest.raises(tf.errors.InvalidArgumentError, match="outside the valid range"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3]), np.full((2, 3), 1 / 3))


def test_sparse_only_last_axis():
    with pytest.raises(ValueError, match="axis=-1"):
        losses.sparse_categorical_crossentropy(np.array([[0, 1]]), tf.ones((1, 2, 3)), axis=1)


# --------------------------------------------------------------------------
# label smoothing, logits, clipping
# --------------------------------------------------------------------------

def test_binary_label_smoothing_moves_labels_towards_half():
    t = np.array([[0.0, 1.0, 1.0]])
    p = np.array([[0.2, 0.7, 0.9]])
    ls = 0.3
    got = losses.BinaryCrossentropy(label_smoothing=ls, dtype="float64")(t, p)
    ts = t * (1 - ls) + 0.5 * ls
    assert_close(got, np.mean(-(ts * np.log(p) + (1 - ts) * np.log(1 - p))), rtol=1e-12)


def test_categorical_label_smoothing_spreads_over_classes():
    t = np.array([[0.0, 1.0, 0.0, 0.0]])
    p = np.array([[0.1, 0.6, 0.2, 0.1]])
    ls = 0.2
    got = losses.CategoricalCrossentropy(label_smoothing=ls, dtype="float64")(t, p)
    ts = t * (1 - ls) + ls / 4
    assert_close(got, -np.sum(ts * np.log(p)), rtol=1e-12)


@pytest.mark.parametrize("ls", [0.0, 0.25])
def test_from_logits_equals_probabilities_of_the_logits(ls):
    rng = seeded_rng("logits%s" % ls)
    z = rng.normal(size=(4, 3))
    tb = _data("binary", (4, 3), rng)
    tc = _data("onehot", (4, 3), rng)
    sig = 1 / (1 + np.exp(-z))
    soft = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    kw = dict(label_smoothing=ls, dtype="float64")
    assert_close(losses.BinaryCrossentropy(from_logits=True, **kw)(tb, z),
                 to_np(losses.BinaryCrossentropy(**kw)(tb, sig)), rtol=1e-10)
    assert_close(losses.CategoricalCrossentropy(from_logits=True, **kw)(tc, z),
                 to_np(losses.CategoricalCrossentropy(**kw)(tc, soft)), rtol=1e-10)


def test_from_logits_is_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0]], dtype=np.float32)
    t = np.array([[0.0, 1.0, 0.0]], dtype=np.float32)
    bce = losses.BinaryCrossentropy(from_logits=True)(t, z)
    assert_close(bce, np.float32((1000 + 1000 + np.log(2)) / 3), rtol=1e-6)
    cce = losses.CategoricalCrossentropy(from_logits=True)(t, z)
    assert_close(cce, np.float32(2000.0), rtol=1e-6)
    v = tf.Variable(z)
    with tf.GradientTape() as tape:
        value = losses.CategoricalCrossentropy(from_logits=True)(t, v)
    assert np.all(np.isfinite(to_np(tape.gradient(value, v))))


def test_probabilities_exactly_zero_and_one_are_clipped():
    t = np.array([[0.0, 1.0, 1.0, 0.0]], dtype=np.float32)
    p = np.array([[0.0, 1.0, 0.0, 1.0]], dtype=np.float32)
    got = losses.BinaryCrossentropy(reduction=None)(t, p)
    # the clip bounds as float32 numbers: 1 - 1e-7 rounds to 1 - 2**-23 + ...
    lo, hi = np.float32(EPS), np.float32(1 - EPS)
    per = -np.log(np.array([1 - lo, hi, lo, 1 - hi], dtype=np.float64))
    assert_close(got, np.array([per.mean()], dtype=np.float32), rtol=1e-5)
    got64 = losses.BinaryCrossentropy(reduction=None, dtype="float64")(t, p)
    assert_close(got64, np.array([-np.log([1 - EPS, 1 - EPS, EPS, EPS]).mean()]), rtol=1e-9)
    # categorical: a one-hot prediction on the wrong class costs -log(1e-7)
    cce = losses.CategoricalCrossentropy()(np.array([[0.0, 1.0, 0.0]]), np.array([[1.0, 0.0, 0.0]]))
    assert_close(cce, np.float32(-np.log(EPS)), rtol=1e-5)
    kl = losses.KLDivergence()(np.array([[0.0, 1.0]]), np.array([[1.0, 0.0]]))
    assert_close(kl, np.float32(np.log(1 / EPS) + EPS * np.log(EPS)), rtol=1e-5)
    # gradients stay finite (zero where the clip is active)
    for loss in (losses.BinaryCrossentropy(), losses.CategoricalCrossentropy(), losses.KLDivergence(),
                 losses.SparseCategoricalCrossentropy(), losses.Poisson()):
        v = tf.Variable(p if not isinstance(loss, losses.SparseCategoricalCrossentropy) else p[:, :3])
        y = t if not isinstance(loss, losses.SparseCategoricalCrossentropy) else np.array([1])
        with tf.GradientTape() as tape:
            value = loss(y, v)
        assert np.isfinite(to_np(value))
        assert np.all(np.isfinite(to_np(tape.gradient(value, v)))), loss.name


def test_categorical_crossentropy_normalises_probabilities():
    got = losses.categorical_crossentropy(np.array([[0.0, 1.0]], np.float32), np.array([[1.0, 3.0]], np.float32))
    assert_close(got, np.array([-np.log(0.75)], dtype=np.float32), rtol=1e-6)


def test_categorical_crossentropy_axis_zero():
    rng = seeded_rng("cce-axis0")
    t = _data("onehot", (3, 4), rng).T
    p = _data("prob", (4, 3), rng)
    got = losses.CategoricalCrossentropy(axis=0, reduction=None, dtype="float64")(t, p)
    assert_close(got, np_cce(t, p, axis=0), rtol=1e-12)


def test_categorical_crossentropy_single_class_warns():
    with pytest.warns(SyntaxWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1), np.float32), np.ones((2, 1), np.float32))


def test_log_cosh_large_errors_do_not_overflow():
    got = losses.log_cosh(np.zeros((1, 2), np.float32), np.array([[200.0, -300.0]], np.float32))
    assert_close(got, np.array([(200 - np.log(2) + 300 - np.log(2)) / 2], np.float32), rtol=1e-6)


def test_cosine_similarity_of_a_zero_vector_is_zero():
    got = losses.cosine_similarity(np.zeros((1, 2), np.float32), np.ones((1, 2), np.float32))
    assert to_np(got).tolist() == [0.0]


def test_hinge_keeps_labels_that_are_not_binary():
    t = np.array([[0.0, 1.0, 0.5]])
    p = np.array([[0.3, -0.2, 2.0]])
    assert_close(losses.hinge(t, tf.constant(p)), np.mean(np.maximum(1 - t * p, 0), -1), rtol=1e-12)


# --------------------------------------------------------------------------
# reductions and sample weights
# --------------------------------------------------------------------------

def _per(rng, shape=(4, 3)):
    t, p = rng.normal(size=shape), rng.normal(size=shape)
    return t, p, np_mse(t, p)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "mean", "sum", "none", None,
                                       "mean_with_sample_weight"])
def test_reductions_without_weights(reduction):
    t, p, per = _per(seeded_rng("red" + str(reduction)))
    got = losses.MeanSquaredError(reduction=reduction, dtype="float64")(t, p)
    expected = {"sum": per.sum(), "none": per, None: per}.get(reduction, per.mean())
    assert_close(got, expected, rtol=1e-12)


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "none", "mean_with_sample_weight"])
def test_per_sample_weights(reduction):
    t, p, per = _per(seeded_rng("sw" + reduction))
    sw = np.array([1.0, 0.5, 2.0, 0.0])
    got = losses.MeanSquaredError(reduction=reduction, dtype="float64")(t, p, sample_weight=sw)
    weighted = per * sw
    expected = {"sum_over_batch_size": weighted.sum() / 4, "sum": weighted.sum(), "none": weighted,
                "mean_with_sample_weight": weighted.sum() / sw.sum()}[reduction]
    assert_close(got, expected, rtol=1e-12)


def test_sample_weight_shapes_broadcast_as_keras():
    rng = seeded_rng("sw-shapes")
    t, p = rng.normal(size=(2, 3, 4)), rng.normal(size=(2, 3, 4))
    per = np_mse(t, p)  # (2, 3)
    mse = losses.MeanSquaredError(dtype="float64")
    # (2, 1) and (2, 3) broadcast against the (2, 3) per-sample losses
    assert_close(mse(t, p, sample_weight=np.array([[1.0], [2.0]])), np.mean(per * [[1.0], [2.0]]), rtol=1e-12)
    w = rng.uniform(size=(2, 3))
    assert_close(mse(t, p, sample_weight=w), np.mean(per * w), rtol=1e-12)
    # a scalar weight scales everything
    assert_close(mse(t, p, sample_weight=2.5), np.mean(per) * 2.5, rtol=1e-12)
    # mean_with_sample_weight divides by the sum of the weights as given
    mws = losses.MeanSquaredError(reduction="mean_with_sample_weight", dtype="float64")
    assert_close(mws(t, p, sample_weight=np.array([[1.0], [2.0]])), np.sum(per * [[1.0], [2.0]]) / 3, rtol=1e-12)
    # a (2,) weight does not fit (2, 3) losses: Keras's broadcasting error
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        mse(t, p, sample_weight=np.array([1.0, 2.0]))
    msg = str(info.value)
    assert "mean_squared_error" in msg and shape_in_message(msg, (2, 3)) and shape_in_message(msg, (2,))


def test_rank_mismatch_of_one_is_squeezed():
    t = np.array([1.0, 2.0, 3.0])
    p = np.array([[1.0], [2.0], [4.0]])
    got = losses.MeanSquaredError(reduction=None, dtype="float64")(t, p)
    assert_close(got, np.array([0.0, 0.0, 1.0]), rtol=0)
    got = losses.BinaryCrossentropy(reduction=None, dtype="float64")(np.array([0.0, 1.0]), np.array([[0.2], [0.6]]))
    assert_close(got, np.array([-np.log(0.8), -np.log(0.6)]), rtol=1e-12)


def test_empty_batch_returns_empty_losses():
    got = losses.MeanSquaredError()(np.zeros((0, 3)), np.zeros((0, 3)))
    assert got.shape == (0,)


def test_invalid_reduction_raises():
    with pytest.raises(ValueError, match="reduction"):
        losses.MeanSquaredError(reduction="auto")


def test_loss_casts_inputs_to_its_dtype():
    t = tf.constant([[1.0, 2.0]], dtype=tf.float64)
    assert losses.MeanSquaredError()(t, t).dtype == tf.float32
    assert losses.MeanSquaredError(dtype="float64")(t, t).dtype == tf.float64
    assert losses.MeanSquaredError(dtype=tf.float64).dtype == "float64"
    assert losses.MeanSquaredError().dtype == "float32"


# --------------------------------------------------------------------------
# shape errors
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error", "huber", "log_cosh",
                                  "kl_divergence", "poisson", "hinge"])
def test_mismatched_shapes_name_the_loss_and_shapes(name):
    with pytest.raises(tf.errors.InvalidArgumentError) as info:
        getattr(losses, name)(np.ones((2, 3), np.float32), np.ones((2, 4), np.float32))
    msg = str(info.value)
    assert name in msg and shape_in_message(msg, (2, 3)) and shape_in_message(msg, (2, 4)), msg


@pytest.mark.parametrize("cls", [losses.BinaryCrossentropy, losses.CategoricalCrossentropy])
def test_crossentropy_shape_mismatch_is_value_error(cls):
    with pytest.raises(ValueError) as info:
        cls()(np.ones((1, 2)), np.full((1, 3), 0.5))
    msg = str(info.value)
    assert "crossentropy" in msg and shape_in_message(msg, (1, 2)) and shape_in_message(msg, (1, 3)), msg


def test_sparse_shape_mismatch_is_value_error():
    with pytest.raises(ValueError) as info:
        losses.SparseCategoricalCrossentropy()(np.array([0, 1]), np.full((3, 3), 1 / 3))
    msg = str(info.value)
    assert "sparse_categorical_crossentropy" in msg and shape_in_message(msg, (2,)) and shape_in_message(msg, (3, 3))


def test_scalar_inputs_raise():
    with pytest.raises(tf.errors.InvalidArgumentError, match="mean_squared_error"):
        losses.mean_squared_error(np.float32(1.0), np.float32(2.0))


# --------------------------------------------------------------------------
# subclassing, names, config, get/serialize
# --------------------------------------------------------------------------

def test_custom_loss_subclass():
    class Cubed(losses.Loss):
        def call(self, y_true, y_pred):
            return tf.reduce_mean(tf.abs(y_pred - y_true) ** 3, axis=-1)

    loss = Cubed(reduction="sum")
    t, p = np.array([[0.0, 1.0], [2.0, 0.0]]), np.array([[1.0, 1.0], [0.0, 0.0]])
    assert_close(loss(t, p), np.float32(0.5 + 4.0), rtol=1e-6)
    assert loss.name.startswith("cubed")
    v = tf.Variable(p)
    with tf.GradientTape() as tape:
        value = Cubed(dtype="float64")(t, v)
    assert_close(tape.gradient(value, v), np.array([[1.5, 0.0], [-6.0, 0.0]]) / 2, rtol=1e-12)


def test_base_loss_call_is_abstract():
    with pytest.raises(NotImplementedError):
        losses.Loss()(np.ones((1, 2)), np.ones((1, 2)))


def test_default_names_and_config():
    assert losses.MeanSquaredError().name == "mean_squared_error"
    assert losses.Huber().name == "huber_loss"
    assert losses.MeanSquaredError().get_config() == {"name": "mean_squared_error",
                                                      "reduction": "sum_over_batch_size"}
    assert losses.BinaryCrossentropy(from_logits=True).get_config() == {
        "name": "binary_crossentropy", "reduction": "sum_over_batch_size", "from_logits": True,
        "label_smoothing": 0.0, "axis": -1}
    assert losses.SparseCategoricalCrossentropy().get_config() == {
        "name": "sparse_categorical_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
        "ignore_class": None}
    h = losses.Huber.from_config(losses.Huber(delta=0.3, reduction="sum").get_config())
    assert h.reduction == "sum" and h._fn_kwargs["delta"] == 0.3


def test_get_serialize_deserialize():
    assert losses.get("mse") is losses.mean_squared_error
    assert losses.get("kld") is losses.kl_divergence
    assert isinstance(losses.get("MeanSquaredError"), losses.MeanSquaredError)
    assert isinstance(losses.get(losses.Huber), losses.Huber)
    fn = losses.mean_absolute_error
    assert losses.get(fn) is fn
    assert losses.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        losses.get("nope")
    cfg = losses.serialize(losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1))
    assert cfg["class_name"] == "CategoricalCrossentropy" and cfg["module"] == "keras.losses"
    back = losses.deserialize(cfg)
    assert isinstance(back, losses.CategoricalCrossentropy) and back.from_logits and back.label_smoothing == 0.1
    assert losses.deserialize(losses.serialize(losses.mse)) is losses.mean_squared_error
    assert isinstance(losses.get({"class_name": "Huber", "config": {"delta": 2.0}}), losses.Huber)


def test_function_aliases():
    assert losses.mse is losses.MSE is losses.mean_squared_error
    assert losses.mae is losses.mean_absolute_error
    assert losses.mape is losses.mean_absolute_percentage_error
    assert losses.msle is losses.mean_squared_logarithmic_error
    assert losses.kld is losses.kl_divergence is losses.kullback_leibler_divergence
    assert losses.logcosh is losses.log_cosh
    assert losses.Reduction.SUM == "sum" and losses.Reduction.NONE == "none"


def test_reachable_as_tf_keras_losses():
    assert tf.keras.losses.MeanSquaredError is losses.MeanSquaredError


def _np_focal(yt, yp, gamma=2.0, alpha=0.25, balance=False):
    p = np.clip(yp.astype(np.float64), 1e-7, 1 - 1e-7)
    bce = -(yt * np.log(p) + (1 - yt) * np.log(1 - p))
    p_t = yt * yp + (1 - yt) * (1 - yp)
    out = (1 - p_t) ** gamma * bce
    if balance:
        out = (yt * alpha + (1 - yt) * (1 - alpha)) * out
    return out.mean(-1)


def test_binary_focal_crossentropy_follows_keras_formula():
    yt = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], np.float32)
    yp = np.array([[0.2, 0.7], [0.9, 0.4], [0.1, 0.3]], np.float32)
    L = tf.keras.losses
    np.testing.assert_allclose(L.binary_focal_crossentropy(yt, yp).numpy(), _np_focal(yt, yp), rtol=1e-5)
    ref = _np_focal(yt, yp, gamma=0.5, alpha=0.4, balance=True)
    loss = L.BinaryFocalCrossentropy(gamma=0.5, alpha=0.4, apply_class_balancing=True)
    np.testing.assert_allclose(float(loss(yt, yp)), ref.mean(), rtol=1e-5)
    np.testing.assert_allclose(float(loss(yt, yp, sample_weight=[1.0, 0.0, 2.0])), (ref[0] + 2 * ref[2]) / 3,
                               rtol=1e-5)
    logits = np.log(yp / (1 - yp))
    np.testing.assert_allclose(float(L.BinaryFocalCrossentropy(from_logits=True)(yt, logits)),
                               _np_focal(yt, yp).mean(), rtol=1e-5)
    cfg = L.BinaryFocalCrossentropy().get_config()
    assert cfg == {"name": "binary_focal_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
                   "label_smoothing": 0.0, "axis": -1, "apply_class_balancing": False, "alpha": 0.25, "gamma": 2.0}
    assert isinstance(L.get("BinaryFocalCrossentropy"), L.BinaryFocalCrossentropy)
    assert L.get("binary_focal_crossentropy") is L.binary_focal_crossentropy
    x = tf.Variable(yp)
    with tf.GradientTape() as tape:
        value = L.BinaryFocalCrossentropy()(yt, x)
    assert tape.gradient(value, x).shape == (3, 2)


def test_categorical_focal_crossentropy_follows_keras_formula():
    yt = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], np.float32)
    yp = np.array([[0.2, 0.7, 0.1], [0.9, 0.05, 0.05], [0.1, 0.3, 0.6]], np.float32)

    def ref(yt, yp, alpha=0.25, gamma=2.0):
        p = yp.astype(np.float64) / yp.sum(-1, keepdims=True)
        p = np.clip(p, 1e-7, 1 - 1e-7)
        return (alpha * (1 - p) ** gamma * -yt * np.log(p)).sum(-1)

    L = tf.keras.losses
    np.testing.assert_allclose(L.categorical_focal_crossentropy(yt, yp).numpy(), ref(yt, yp), rtol=1e-5)
    loss = L.CategoricalFocalCrossentropy(alpha=0.4, gamma=0.5)
    np.testing.assert_allclose(float(loss(yt, yp)), ref(yt, yp, 0.4, 0.5).mean(), rtol=1e-5)
    logits = np.log(yp)
    np.testing.assert_allclose(float(L.CategoricalFocalCrossentropy(from_logits=True)(yt, logits)),
                               ref(yt, yp).mean(), rtol=1e-5)
    smooth = yt * 0.8 + 0.2 / 3
    np.testing.assert_allclose(float(L.CategoricalFocalCrossentropy(label_smoothing=0.2)(yt, yp)),
                               ref(smooth, yp).mean(), rtol=1e-5)
    assert L.CategoricalFocalCrossentropy().get_config() == {
        "name": "categorical_focal_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
        "label_smoothing": 0.0, "axis": -1, "alpha": 0.25, "gamma": 2.0}
    assert L.get("categorical_focal_crossentropy") is L.categorical_focal_crossentropy
