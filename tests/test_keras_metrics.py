"""fasttape.keras.metrics against Keras 3's documented behaviour, with the
expected numbers written out in numpy: streaming means with sample
weights, the accuracy family, regression metrics, AUC on thresholds, state
in non-trainable Variables, reset, config and get."""
import numpy as np
import pytest

import fasttape as tf
from fasttape.keras import losses, metrics
from ft_testutil import assert_close, seeded_rng, to_np

EPS = 1e-7


def _f32(x):
    return np.asarray(x, dtype=np.float32)


# --------------------------------------------------------------------------
# Mean / Sum
# --------------------------------------------------------------------------

def test_mean_streams_over_batches():
    m = metrics.Mean()
    assert_close(m([1.0, 2.0, 3.0]), np.float32(2.0))
    assert_close(m([[1.0, 5.0], [2.0, 2.0]]), np.float32((6 + 3 + 2) / 5))  # rows are averaged first
    assert_close(m(4.0), np.float32((11 + 4) / 6))
    total, count = (to_np(v) for v in m.variables)
    assert total == np.float32(15.0) and count == np.float32(6.0)


def test_mean_sample_weights():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0], sample_weight=[1.0, 0.0, 2.0])
    assert_close(m.result(), np.float32(7 / 3))
    # a (2,) weight on (2, 2) values: each row's mean is weighted
    m.update_state([[1.0, 5.0], [2.0, 2.0]], sample_weight=[2.0, 1.0])
    assert_close(m.result(), np.float32((7 + 2 * 3 + 2) / (3 + 3)))
    # full-shape weights: rows reduce to mean(v * w), weights to mean(w)
    m.reset_state()
    v, w = np.array([[1.0, 5.0], [2.0, 2.0]]), np.array([[1.0, 2.0], [0.0, 1.0]])
    m.update_state(v, sample_weight=w)
    assert_close(m.result(), np.float32(np.sum((v * w).mean(1)) / np.sum(w.mean(1))), rtol=1e-6)
    # a scalar weight broadcasts to every sample
    m.reset_state()
    m.update_state([[1.0, 5.0], [2.0, 2.0]], sample_weight=3.0)
    assert_close(m.result(), np.float32(2.5))


def test_mean_with_zero_weight_is_zero_not_nan():
    m = metrics.Mean()
    assert_close(m([1.0, 2.0], sample_weight=[0.0, 0.0]), np.float32(0.0))
    assert_close(metrics.Mean().result(), np.float32(0.0))


def test_sum():
    s = metrics.Sum()
    s.update_state([1.0, 2.0, 3.0])
    s.update_state([[1.0, 5.0], [2.0, 2.0]], sample_weight=[2.0, 1.0])
    assert_close(s.result(), np.float32(6 + 12 + 4))
    assert len(s.variables) == 1


def test_dtype_float64():
    m = metrics.Mean(dtype="float64")
    assert m.dtype == "float64"
    out = m(np.array([1.0, 2.0], dtype=np.float32))
    assert out.dtype == tf.float64
    assert all(v.dtype == tf.float64 for v in m.variables)


# --------------------------------------------------------------------------
# state
# --------------------------------------------------------------------------

def test_state_is_non_trainable_variables_and_reset_zeroes_it():
    m = metrics.MeanSquaredError()
    assert all(isinstance(v, tf.Variable) and not v.trainable for v in m.variables)
    m.update_state([[1.0, 2.0]], [[2.0, 2.0]])
    assert to_np(m.variables[0]) != 0
    m.reset_state()
    assert all(np.all(to_np(v) == 0) for v in m.variables)
    assert_close(m.result(), np.float32(0.0))


def test_call_is_update_then_result():
    a, b = metrics.MeanAbsoluteError(), metrics.MeanAbsoluteError()
    r = a([[1.0, 2.0]], [[3.0, 2.0]])
    b.update_state([[1.0, 2.0]], [[3.0, 2.0]])
    assert_close(r, to_np(b.result()))
    assert_close(a([[0.0]], [[0.0]]), np.float32(0.5))  # (1 + 0) / 2 samples


def test_custom_metric_subclass_tracks_weights():
    class CountPositives(metrics.Metric):
        def __init__(self, name="count_positives", **kwargs):
            super().__init__(name=name, **kwargs)
            self.positives = self.add_weight(name="positives", initializer="zeros")

        def update_state(self, y_true, y_pred, sample_weight=None):
            self.positives.assign_add(tf.reduce_sum(tf.cast(y_pred > 0.5, "float32")))

        def result(self):
            return self.positives.read_value()

    m = CountPositives()
    m.update_state(None, tf.constant([0.2, 0.7, 0.9]))
    assert_close(m([None], tf.constant([0.6])), np.float32(3.0))
    assert len(m.variables) == 1 and not m.variables[0].trainable
    m.reset_state()
    assert_close(m.result(), np.float32(0.0))
    assert repr(m) == "<CountPositives name=count_positives>"


def test_forgetting_super_init_is_reported():
    class Broken(metrics.Metric):
        def __init__(self):
            pass

    with pytest.raises(RuntimeError, match="super"):
        Broken().add_weight(name="x")


# --------------------------------------------------------------------------
# accuracy family
# --------------------------------------------------------------------------

def test_accuracy():
    m = metrics.Accuracy()
    assert_close(m([1, 2, 3, 4], [1, 2, 0, 4]), np.float32(0.75))
    assert_close(m([[1], [2]], [1, 3]), np.float32(4 / 6))


@pytest.mark.parametrize("threshold", [0.5, 0.7])
def test_binary_accuracy(threshold):
    rng = seeded_rng("binacc%s" % threshold)
    t = (rng.uniform(size=(6, 3)) > 0.5).astype(np.float32)
    p = rng.uniform(size=(6, 3)).astype(np.float32)
    sw = rng.uniform(size=(6,)).astype(np.float32)
    per = ((p > threshold) == t).mean(-1)
    m = metrics.BinaryAccuracy(threshold=threshold)
    assert_close(m(t, p), np.float32(per.mean()), rtol=1e-6)
    m.reset_state()
    assert_close(m(t, p, sample_weight=sw), np.float32(np.sum(per * sw) / sw.sum()), rtol=1e-6)
    assert_close(metrics.binary_accuracy(t, p, threshold=threshold), ((p > threshold) == t).astype(np.float32))


def test_categorical_and_sparse_categorical_accuracy():
    rng = seeded_rng("catacc")
    labels = rng.integers(0, 4, size=(8,))
    p = rng.uniform(size=(8, 4)).astype(np.float32)
    hits = (p.argmax(-1) == labels).astype(np.float32)
    sw = rng.uniform(size=(8,)).astype(np.float32)
    assert_close(metrics.CategoricalAccuracy()(np.eye(4)[labels], p), np.float32(hits.mean()))
    assert_close(metrics.SparseCategoricalAccuracy()(labels, p), np.float32(hits.mean()))
    assert_close(metrics.SparseCategoricalAccuracy()(labels[:, None], p, sample_weight=sw),
                 np.float32(np.sum(hits * sw) / sw.sum()), rtol=1e-6)
    assert_close(metrics.categorical_accuracy(np.eye(4)[labels], p), hits)
    assert_close(metrics.sparse_categorical_accuracy(labels[:, None], p), hits)


def test_top_k_accuracy_counts_ties_at_the_boundary_as_hits():
    p = _f32([[0.1, 0.5, 0.4], [0.3, 0.3, 0.3], [0.6, 0.3, 0.1]])
    labels = np.array([2, 0, 2])
    # row 0: label 2 is 2nd; row 1: all tied; row 2: label 2 is 3rd
    assert_close(metrics.sparse_top_k_categorical_accuracy(labels, p, k=2), _f32([1, 1, 0]))
    assert_close(metrics.top_k_categorical_accuracy(np.eye(3)[labels], p, k=1), _f32([0, 1, 0]))
    m = metrics.TopKCategoricalAccuracy(k=2)
    assert_close(m(np.eye(3)[labels], p), np.float32(2 / 3))
    m = metrics.SparseTopKCategoricalAccuracy(k=2)
    assert_close(m(labels, p, sample_weight=[1.0, 0.0, 3.0]), np.float32(1 / 4))
    assert metrics.TopKCategoricalAccuracy().get_config()["k"] == 5


# --------------------------------------------------------------------------
# regression and probabilistic metrics
# --------------------------------------------------------------------------

@pytest.mark.parametrize("cls,ref", [
    (metrics.MeanSquaredError, lambda t, p: np.mean((t - p) ** 2, -1)),
    (metrics.MeanAbsoluteError, lambda t, p: np.mean(np.abs(t - p), -1)),
    (metrics.MeanAbsolutePercentageError, lambda t, p: 100 * np.mean(np.abs((t - p) / np.abs(t)), -1)),
    (metrics.LogCoshError, lambda t, p: np.mean(np.log(np.cosh(p - t)), -1)),
    (metrics.CosineSimilarity, lambda t, p: np.sum(t * p, -1) / np.linalg.norm(t, axis=-1)
     / np.linalg.norm(p, axis=-1)),
])
def test_regression_metrics(cls, ref):
    rng = seeded_rng("reg" + cls.__name__)
    batches = [(rng.normal(size=(5, 3)), rng.normal(size=(5, 3)), rng.uniform(size=(5,))) for _ in range(2)]
    m = cls(dtype="float64")
    for t, p, w in batches:
        m.update_state(t, p, sample_weight=w)
    num = sum(np.sum(ref(t, p) * w) for t, p, w in batches)
    den = sum(np.sum(w) for _, _, w in batches)
    assert_close(m.result(), num / den, rtol=1e-10)


def test_root_mean_squared_error():
    rng = seeded_rng("rmse")
    t, p = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    m = metrics.RootMeanSquaredError(dtype="float64")
    assert_close(m(t, p), np.sqrt(np.mean((t - p) ** 2)), rtol=1e-12)
    m.reset_state()
    w = rng.uniform(size=(4,))
    # the weight of a row covers its mean squared error
    assert_close(m(t, p, sample_weight=w), np.sqrt(np.sum(np.mean((t - p) ** 2, -1) * w) / w.sum()), rtol=1e-12)


def test_probabilistic_metrics_are_means_of_the_losses():
    rng = seeded_rng("prob-metrics")
    labels = rng.integers(0, 3, size=(6,))
    onehot = np.eye(3)[labels]
    z = rng.normal(size=(6, 3))
    p = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    tb = (rng.uniform(size=(6, 3)) > 0.5).astype(np.float64)
    sig = 1 / (1 + np.exp(-z))
    cases = [
        (metrics.CategoricalCrossentropy(dtype="float64"), -np.sum(onehot * np.log(p), -1), (onehot, p)),
        (metrics.CategoricalCrossentropy(from_logits=True, dtype="float64"), -np.sum(onehot * np.log(p), -1),
         (onehot, z)),
        (metrics.SparseCategoricalCrossentropy(from_logits=True, dtype="float64"),
         -np.log(p[np.arange(6), labels]), (labels, z)),
        (metrics.BinaryCrossentropy(dtype="float64"),
         -np.mean(tb * np.log(sig) + (1 - tb) * np.log(1 - sig), -1), (tb, sig)),
        (metrics.KLDivergence(dtype="float64"), np.sum(np.clip(onehot, EPS, 1) * np.log(np.clip(onehot, EPS, 1) / p),
                                                       -1), (onehot, p)),
        (metrics.Poisson(dtype="float64"), np.mean(p - tb * np.log(p + EPS), -1), (tb, p)),
    ]
    for m, per, (a, b) in cases:
        assert_close(m(a, tf.constant(b)), per.mean(), rtol=1e-6, err_msg=m.name)


def test_sparse_crossentropy_metric_ignore_class():
    rng = seeded_rng("metric-ignore")
    labels = np.array([0, 1, 2, 1])
    z = rng.normal(size=(4, 3))
    logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
    per = np.where(labels != 1, -logp[np.arange(4), labels], 0.0)
    m = metrics.SparseCategoricalCrossentropy(from_logits=True, ignore_class=1, dtype="float64")
    # without weights the ignored samples add 0 and still count
    assert_close(m(labels, z), per.mean(), rtol=1e-10)
    m.reset_state()
    # with weights the ignored samples weigh 0
    w = np.array([1.0, 2.0, 3.0, 1.0])
    assert_close(m(labels, z, sample_weight=w), np.sum(per * w) / np.sum(w * (labels != 1)), rtol=1e-10)


def test_hinge_metrics():
    t = np.array([[0.0, 1.0, 1.0]])
    p = np.array([[0.3, -0.2, 2.0]])
    tt = 2 * t - 1
    assert_close(metrics.Hinge(dtype="float64")(t, p), np.mean(np.maximum(1 - tt * p, 0)), rtol=1e-12)
    assert_close(metrics.SquaredHinge(dtype="float64")(t, p), np.mean(np.maximum(1 - tt * p, 0) ** 2), rtol=1e-12)
    oh = np.array([[0.0, 0.0, 1.0]])
    assert_close(metrics.CategoricalHinge(dtype="float64")(oh, p), max(0.3 - 2.0 + 1, 0.0), rtol=1e-12)


def test_mean_metric_wrapper_with_a_custom_function():
    m = metrics.MeanMetricWrapper(lambda t, p: tf.reduce_sum(tf.abs(p - t), axis=-1), name="l1")
    assert_close(m(tf.constant([[1.0, 2.0], [0.0, 0.0]]), tf.constant([[2.0, 4.0], [1.0, 0.0]])), np.float32(2.0))


# --------------------------------------------------------------------------
# AUC
# --------------------------------------------------------------------------

def _np_confusion(labels, preds, weights, thresholds):
    pos = preds[None, :] > thresholds[:, None]
    lab = (labels != 0)[None, :]
    w = weights[None, :]
    return (np.sum((pos & lab) * w, 1), np.sum((pos & ~lab) * w, 1), np.sum((~pos & ~lab) * w, 1),
            np.sum((~pos & lab) * w, 1))


def _np_thresholds(n):
    return np.array([-EPS] + [(i + 1) / (n - 1) for i in range(n - 2)] + [1 + EPS])


def _np_auc(tp, fp, tn, fn, curve="ROC", summation="interpolation"):
    def dnn(a, b):
        return np.where(b == 0, 0.0, a / np.where(b == 0, 1, b))
    recall = dnn(tp, tp + fn)
    if curve == "ROC":
        x, y = dnn(fp, fp + tn), recall
    else:
        x, y = recall, dnn(tp, tp + fp)
    heights = {"interpolation": (y[:-1] + y[1:]) / 2, "minoring": np.minimum(y[:-1], y[1:]),
               "majoring": np.maximum(y[:-1], y[1:])}[summation]
    return np.sum((x[:-1] - x[1:]) * heights)


def _auc_data(name, n=60):
    rng = seeded_rng(name)
    labels = (rng.uniform(size=n) > 0.6).astype(np.float32)
    # quantised scores: values exactly on the default thresholds i/199 do not occur
    preds = np.clip(labels * 0.35 + rng.uniform(size=n) * 0.65, 0, 1).astype(np.float32)
    return labels, preds


@pytest.mark.parametrize("num_thresholds", [200, 7])
@pytest.mark.parametrize("summation", ["interpolation", "minoring", "majoring"])
def test_auc_roc_matches_the_threshold_sum(num_thresholds, summation):
    labels, preds = _auc_data("roc%d%s" % (num_thresholds, summation))
    w = seeded_rng("w").uniform(size=labels.shape).astype(np.float32)
    m = metrics.AUC(num_thresholds=num_thresholds, summation_method=summation)
    m.update_state(labels[:30], preds[:30], sample_weight=w[:30])
    m.update_state(labels[30:], preds[30:], sample_weight=w[30:])
    thr = _np_thresholds(num_thresholds).astype(np.float32)
    counts = _np_confusion(labels, preds, w.astype(np.float64), thr)
    for var, expected in zip((m.true_positives, m.false_positives, m.true_negatives, m.false_negatives), counts):
        assert_close(var, expected.astype(np.float32), rtol=1e-5, atol=1e-5)
    assert_close(m.result(), np.float32(_np_auc(*counts, summation=summation)), rtol=1e-5)


def test_auc_roc_with_many_thresholds_approaches_the_exact_area():
    labels, preds = _auc_data("exact", n=400)
    pos, neg = preds[labels == 1], preds[labels == 0]
    exact = np.mean((pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :]))
    got = float(to_np(metrics.AUC(num_thresholds=2000)(labels, preds)))
    assert abs(got - exact) < 2e-3


def test_auc_given_thresholds_and_pr_curve():
    labels, preds = _auc_data("given")
    m = metrics.AUC(thresholds=[0.9, 0.1, 0.5], curve="PR", summation_method="majoring")
    assert m.num_thresholds == 5
    assert m.thresholds == [0.0 - EPS, 0.1, 0.5, 0.9, 1.0 + EPS]
    thr = np.array(m.thresholds, dtype=np.float32)
    counts = _np_confusion(labels, preds, np.ones_like(labels, dtype=np.float64), thr)
    assert_close(m(labels, preds), np.float32(_np_auc(*counts, curve="PR", summation="majoring")), rtol=1e-5)
    assert m.get_config()["thresholds"] == [0.1, 0.5, 0.9]


def test_auc_pr_interpolation():
    labels, preds = _auc_data("pr-interp")
    m = metrics.AUC(curve="PR", num_thresholds=11)
    m.update_state(labels, preds)
    tp, fp, fn = (to_np(v).astype(np.float64) for v in (m.true_positives, m.false_positives, m.false_negatives))
    # Davis & Goadrich: precision interpolated linearly in the number of positives
    total = 0.0
    for i in range(10):
        dtp, p0, p1 = tp[i] - tp[i + 1], tp[i] + fp[i], tp[i + 1] + fp[i + 1]
        dp = p0 - p1
        slope = dtp / dp if dp > 0 else 0.0
        intercept = tp[i + 1] - slope * p1
        ratio = p0 / p1 if p0 > 0 and p1 > 0 else 1.0
        den = tp[i + 1] + fn[i + 1]
        total += slope * (dtp + intercept * np.log(ratio)) / den if den > 0 else 0.0
    assert_close(m.result(), np.float32(total), rtol=1e-5)


def test_auc_multi_label_and_label_weights():
    rng = seeded_rng("multi")
    labels = (rng.uniform(size=(40, 3)) > 0.5).astype(np.float32)
    preds = np.clip(labels * 0.3 + rng.uniform(size=(40, 3)) * 0.7, 0, 1).astype(np.float32)
    thr = _np_thresholds(200).astype(np.float32)
    per_label = np.array([_np_auc(*_np_confusion(labels[:, j], preds[:, j], np.ones(40), thr)) for j in range(3)])
    m = metrics.AUC(multi_label=True)
    assert_close(m(labels, preds), np.float32(per_label.mean()), rtol=1e-5)
    assert m.true_positives.shape == (200, 3)
    lw = np.array([1.0, 2.0, 0.5])
    m = metrics.AUC(multi_label=True, num_labels=3, label_weights=lw)
    assert_close(m(labels, preds), np.float32(np.sum(per_label * lw) / lw.sum()), rtol=1e-5)


def test_auc_from_logits_and_reset():
    labels, preds = _auc_data("logits")
    logits = np.log(preds.astype(np.float64) + 1e-3) - np.log1p(-preds.astype(np.float64) + 1e-3)
    a = metrics.AUC(from_logits=True)(labels, logits.astype(np.float32))
    b = metrics.AUC()(labels, (1 / (1 + np.exp(-logits))).astype(np.float32))
    assert_close(a, to_np(b), rtol=1e-6)
    m = metrics.AUC()
    m(labels, preds)
    m.reset_state()
    assert all(np.all(to_np(v) == 0) for v in m.variables) and len(m.variables) == 4
    assert_close(m.result(), np.float32(0.0))


def test_auc_argument_checks():
    with pytest.raises(ValueError, match="num_thresholds"):
        metrics.AUC(num_thresholds=1)
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="XY")
    with pytest.raises(ValueError, match="num_labels"):
        metrics.AUC(num_labels=3)


# --------------------------------------------------------------------------
# confusion counts, precision, recall
# --------------------------------------------------------------------------

def _pr_data():
    rng = seeded_rng("precision-recall")
    t = (rng.uniform(size=(8, 4)) > 0.5).astype(np.float32)
    p = rng.uniform(size=(8, 4)).astype(np.float32)
    p[0, 0], p[1, 1], p[2, 2] = 0.5, 0.0, 1.0  # exactly on thresholds: not above them
    w = rng.uniform(size=(8,)).astype(np.float32)
    return t, p, w


@pytest.mark.parametrize("thresholds", [None, 0.3, [0.2, 0.5, 0.8], [0.0, 0.5, 1.0]])
def test_confusion_counts(thresholds):
    t, p, w = _pr_data()
    thr = np.atleast_1d(0.5 if thresholds is None else np.asarray(thresholds, np.float32))
    ww = np.broadcast_to(w[:, None], t.shape)
    tp, fp, tn, fn = _np_confusion(t.ravel(), p.ravel(), ww.ravel().astype(np.float64), thr)
    single = np.ndim(thresholds) == 0
    for cls, expected in ((metrics.TruePositives, tp), (metrics.FalsePositives, fp),
                          (metrics.TrueNegatives, tn), (metrics.FalseNegatives, fn)):
        m = cls(thresholds=thresholds)
        got = m(t, p, sample_weight=w)
        expected = (expected[0] if single else expected).astype(np.float32)
        assert_close(got, expected, rtol=1e-5, err_msg=cls.__name__)
    prec = metrics.Precision(thresholds=thresholds)(t, p, sample_weight=w)
    rec = metrics.Recall(thresholds=thresholds)(t, p, sample_weight=w)
    def dnn(a, b):
        return np.divide(a, b, out=np.zeros_like(a), where=b != 0)
    e_prec, e_rec = dnn(tp, tp + fp), dnn(tp, tp + fn)
    assert_close(prec, (e_prec[0] if single else e_prec).astype(np.float32), rtol=1e-5)
    assert_close(rec, (e_rec[0] if single else e_rec).astype(np.float32), rtol=1e-5)


def test_precision_recall_top_k_and_class_id():
    t, p, _ = _pr_data()
    # top_k: only each row's k highest scores count as predicted positives
    top2 = np.zeros_like(t, dtype=bool)
    np.put_along_axis(top2, np.argsort(-p, axis=1, kind="stable")[:, :2], True, axis=1)
    lab = t != 0
    assert_close(metrics.Precision(top_k=2)(t, p), np.float32(np.sum(top2 & lab) / np.sum(top2)), rtol=1e-6)
    assert_close(metrics.Recall(top_k=2)(t, p), np.float32(np.sum(top2 & lab) / np.sum(lab)), rtol=1e-6)
    # class_id: only that column
    c = 1
    pred = p[:, c] > 0.5
    assert_close(metrics.Precision(class_id=c)(t, p), np.float32(np.sum(pred & lab[:, c]) / np.sum(pred)),
                 rtol=1e-6)
    assert_close(metrics.Recall(class_id=c)(t, p), np.float32(np.sum(pred & lab[:, c]) / np.sum(lab[:, c])),
                 rtol=1e-6)


def test_precision_with_no_predicted_positives_is_zero():
    assert_close(metrics.Precision()([1.0, 0.0], [0.1, 0.2]), np.float32(0.0))
    m = metrics.Recall()
    m([1.0, 1.0], [0.9, 0.2])
    assert_close(m.result(), np.float32(0.5))
    m.reset_state()
    assert_close(m.result(), np.float32(0.0))
    with pytest.raises(ValueError, match="Threshold"):
        metrics.Precision(thresholds=1.5)
    assert metrics.Precision().get_config()["top_k"] is None


# --------------------------------------------------------------------------
# names, config, get
# --------------------------------------------------------------------------

def test_names_and_config():
    assert metrics.Mean().get_config() == {"name": "mean", "dtype": "float32"}
    assert metrics.BinaryAccuracy(threshold=0.3).get_config() == {"name": "binary_accuracy", "dtype": "float32",
                                                                   "threshold": 0.3}
    assert metrics.RootMeanSquaredError().name == "root_mean_squared_error"
    assert metrics.LogCoshError().name == "logcosh"
    assert metrics.AUC().name.startswith("auc")
    cfg = metrics.AUC().get_config()
    assert cfg["num_thresholds"] == 200 and cfg["curve"] == "ROC" and cfg["summation_method"] == "interpolation"
    back = metrics.AUC.from_config(metrics.AUC(num_thresholds=50, curve="PR").get_config())
    assert back.num_thresholds == 50 and back.curve == "PR"
    assert repr(metrics.Mean(name="m")) == "<Mean name=m>"


def test_get_serialize_deserialize():
    assert isinstance(metrics.get("accuracy"), metrics.Accuracy)
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)
    assert isinstance(metrics.get("AUC"), metrics.AUC)
    assert isinstance(metrics.get("sparse_categorical_accuracy"), metrics.SparseCategoricalAccuracy)
    assert metrics.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret metric identifier"):
        metrics.get("acc_nope")
    cfg = metrics.serialize(metrics.BinaryAccuracy(threshold=0.3))
    assert cfg["class_name"] == "BinaryAccuracy" and cfg["config"]["threshold"] == 0.3
    back = metrics.deserialize(cfg)
    assert isinstance(back, metrics.BinaryAccuracy) and back.threshold == 0.3


def test_metric_functions_are_the_loss_functions():
    assert metrics.mse is losses.mean_squared_error
    assert metrics.binary_crossentropy is losses.binary_crossentropy
    assert tf.keras.metrics.Mean is metrics.Mean


def test_per_sample_metric_rejects_a_weight_wider_than_its_values():
    # A mean-wrapped metric reduces each sample to one value; a (batch, d)
    # weight cannot broadcast to shape (batch,): TensorFlow's error class.
    m = tf.keras.metrics.MeanSquaredError()
    yt = np.array([[0.0, 1.0], [1.0, 1.0], [0.0, 0.0]], np.float32)
    yp = np.array([[0.2, 0.7], [0.9, 0.4], [0.1, 0.3]], np.float32)
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"cannot be broadcast"):
        m.update_state(yt, yp, sample_weight=np.ones((3, 2), np.float32))
    m.update_state(yt, yp, sample_weight=np.array([[1.0], [0.0], [2.0]], np.float32))
    # Keras: per-sample mse [0.065, 0.185, 0.05] weighted by [1, 0, 2] / 3.
    np.testing.assert_allclose(float(m.result()), (0.065 + 2 * 0.05) / 3, rtol=1e-6)
