"""fasttape.keras.initializers: Keras 3's fan rules and distributions
checked by statistics (values come from numpy's generators, not TF's),
determinism for a seed, constants, orthogonality, config and get."""
import math

import numpy as np
import pytest

import fasttape as tf
from fasttape.keras import initializers as init
from ft_testutil import to_np

TRUNC_STD = 0.87962566103423978  # stddev of a unit normal truncated to [-2, 2]


def _stats(x):
    a = to_np(x).astype(np.float64)
    return a, a.mean(), a.std()


@pytest.mark.parametrize("shape,fans", [
    ((), (1, 1)), ((7,), (7, 7)), ((3, 5), (3, 5)), ((3, 3, 4, 8), (36, 72)), ((2, 3, 4, 5, 6), (120, 144)),
])
def test_compute_fans_uses_the_receptive_field(shape, fans):
    assert init.compute_fans(shape) == fans


# (class, scale, mode, distribution)
PRESETS = [
    (init.GlorotUniform, 1.0, "fan_avg", "uniform"),
    (init.GlorotNormal, 1.0, "fan_avg", "truncated_normal"),
    (init.HeNormal, 2.0, "fan_in", "truncated_normal"),
    (init.HeUniform, 2.0, "fan_in", "uniform"),
    (init.LecunNormal, 1.0, "fan_in", "truncated_normal"),
    (init.LecunUniform, 1.0, "fan_in", "uniform"),
]


def _expected_var(scale, mode, shape):
    fan_in, fan_out = init.compute_fans(shape)
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    return scale / max(1.0, n)


@pytest.mark.parametrize("cls,scale,mode,dist", PRESETS, ids=[p[0].__name__ for p in PRESETS])
@pytest.mark.parametrize("shape", [(400, 300), (3, 3, 64, 32)])
def test_variance_scaling_presets(cls, scale, mode, dist, shape):
    x = cls(seed=7)(shape)
    assert x.dtype == tf.float32 and x.shape == shape
    a, mean, std = _stats(x)
    var = _expected_var(scale, mode, shape)
    assert abs(mean) < 4 * math.sqrt(var / a.size)
    assert abs(std / math.sqrt(var) - 1) < 0.02
    if dist == "uniform":
        assert np.abs(a).max() <= math.sqrt(3 * var)
        assert np.abs(a).max() > 0.99 * math.sqrt(3 * var)
    else:
        # truncated at two (uncorrected) standard deviations
        bound = 2 * math.sqrt(var) / TRUNC_STD
        assert np.abs(a).max() <= bound * (1 + 1e-6)
        assert np.abs(a).max() > 0.97 * bound


@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
@pytest.mark.parametrize("dist", ["truncated_normal", "normal", "untruncated_normal", "uniform"])
def test_variance_scaling_modes_and_distributions(mode, dist):
    shape = (200, 500)
    x = init.VarianceScaling(scale=3.0, mode=mode, distribution=dist, seed=1)(shape, dtype="float64")
    assert x.dtype == tf.float64
    a, _, std = _stats(x)
    var = _expected_var(3.0, mode, shape)
    assert abs(std / math.sqrt(var) - 1) < 0.02
    if dist == "untruncated_normal":
        assert np.abs(a).max() > 3 * math.sqrt(var)  # the tails are not cut


def test_variance_scaling_argument_checks():
    with pytest.raises(ValueError, match="scale"):
        init.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        init.VarianceScaling(mode="fan_max")
    with pytest.raises(ValueError, match="distribution"):
        init.VarianceScaling(distribution="cauchy")
    assert init.VarianceScaling(distribution="Normal").distribution == "truncated_normal"


def test_random_normal_uniform_truncated():
    a, mean, std = _stats(init.RandomNormal(mean=1.0, stddev=2.0, seed=3)((200, 200)))
    assert abs(mean - 1.0) < 0.03 and abs(std - 2.0) < 0.03
    a, mean, std = _stats(init.RandomUniform(minval=-1.0, maxval=3.0, seed=3)((200, 200)))
    assert a.min() >= -1.0 and a.max() < 3.0 and abs(mean - 1.0) < 0.03
    assert abs(std - 4 / math.sqrt(12)) < 0.02
    a, mean, std = _stats(init.TruncatedNormal(mean=0.5, stddev=0.1, seed=3)((200, 200)))
    assert a.min() >= 0.3 - 1e-6 and a.max() <= 0.7 + 1e-6
    assert abs(std - 0.1 * TRUNC_STD) < 0.002
    # Keras's defaults
    assert init.RandomNormal().stddev == 0.05 and init.TruncatedNormal().stddev == 0.05
    assert (init.RandomUniform().minval, init.RandomUniform().maxval) == (-0.05, 0.05)


@pytest.mark.parametrize("cls", [init.GlorotUniform, init.HeNormal, init.RandomNormal, init.RandomUniform,
                                 init.TruncatedNormal, init.Orthogonal])
def test_seeded_is_repeatable_and_unseeded_instances_differ(cls):
    a = to_np(cls(seed=42)((6, 5)))
    np.testing.assert_array_equal(a, to_np(cls(seed=42)((6, 5))))
    assert not np.array_equal(a, to_np(cls(seed=43)((6, 5))))
    u1, u2 = cls(), cls()
    assert not np.array_equal(to_np(u1((6, 5))), to_np(u2((6, 5))))
    # one instance gives the same values on every call, as in Keras
    np.testing.assert_array_equal(to_np(u1((6, 5))), to_np(u1((6, 5))))


def test_global_seed_makes_unseeded_instances_repeatable():
    try:
        tf.random.set_seed(5)
        a = to_np(init.GlorotUniform()((4, 4)))
        tf.random.set_seed(5)
        b = to_np(init.GlorotUniform()((4, 4)))
    finally:
        tf.random.set_seed(None)
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("shape", [(6, 6), (10, 4), (4, 10), (3, 3, 2, 5)])
def test_orthogonal(shape):
    x = to_np(init.Orthogonal(gain=1.5, seed=2)(shape, dtype="float64"))
    assert x.shape == shape
    flat = x.reshape(-1, shape[-1])
    rows, cols = flat.shape
    gram = flat.T @ flat if rows >= cols else flat @ flat.T
    np.testing.assert_allclose(gram, 1.5 ** 2 * np.eye(min(rows, cols)), atol=1e-12)
    with pytest.raises(ValueError, match="two-dimensional"):
        init.Orthogonal()((5,))


def test_constant_initializers():
    np.testing.assert_array_equal(to_np(init.Zeros()((2, 3))), np.zeros((2, 3), np.float32))
    np.testing.assert_array_equal(to_np(init.Ones()((2,), dtype="float64")), np.ones(2))
    assert init.Zeros()((2,), dtype="int32").dtype == tf.int32
    np.testing.assert_array_equal(to_np(init.Constant(3)((2, 2))), np.full((2, 2), 3.0, np.float32))
    np.testing.assert_array_equal(to_np(init.Identity(gain=2.0)((2, 3))), 2 * np.eye(2, 3, dtype=np.float32))
    with pytest.raises(ValueError, match="2D"):
        init.Identity()((2, 2, 2))
    assert init.Zeros()(()).shape == ()


def test_returns_tensors_usable_as_variable_values():
    v = tf.Variable(init.GlorotUniform(seed=0)((3, 2)))
    assert v.shape == (3, 2) and v.dtype == tf.float32
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(v * v)
    assert tape.gradient(y, v).shape == (3, 2)


def test_random_initializers_reject_integer_dtypes():
    with pytest.raises(ValueError):
        init.RandomNormal(seed=1)((2,), dtype="int32")


def test_snake_case_aliases():
    assert init.glorot_uniform is init.GlorotUniform
    assert init.zeros is init.Zeros and init.ones is init.Ones and init.constant is init.Constant
    assert init.he_normal is init.HeNormal and init.lecun_uniform is init.LecunUniform
    assert init.orthogonal is init.Orthogonal and init.identity is init.Identity
    assert init.variance_scaling is init.VarianceScaling and init.truncated_normal is init.TruncatedNormal
    assert init.random_normal is init.RandomNormal and init.random_uniform is init.RandomUniform


def test_get_config_and_round_trip():
    assert init.GlorotUniform(seed=3).get_config() == {"seed": 3, "input_axes": None, "output_axes": None}
    assert init.RandomNormal(seed=1).get_config() == {"seed": 1, "mean": 0.0, "stddev": 0.05}
    vs = init.VarianceScaling(scale=2.0, mode="fan_out", distribution="uniform", seed=4)
    assert init.VarianceScaling.from_config(vs.get_config()).get_config() == vs.get_config()
    cfg = init.serialize(init.HeNormal(seed=9))
    assert cfg["class_name"] == "HeNormal" and cfg["module"] == "keras.initializers"
    back = init.deserialize(cfg)
    assert isinstance(back, init.HeNormal) and back.seed == 9
    np.testing.assert_array_equal(to_np(back((3, 3))), to_np(init.HeNormal(seed=9)((3, 3))))
    clone = init.Constant(2.5).clone()
    assert clone.value == 2.5


def test_get_accepts_names_dicts_classes_callables_and_arrays():
    assert isinstance(init.get("glorot_uniform"), init.GlorotUniform)
    assert isinstance(init.get("Zeros"), init.Zeros)
    assert isinstance(init.get("zero"), init.Zeros) and isinstance(init.get("one"), init.Ones)
    assert isinstance(init.get("normal"), init.RandomNormal) and isinstance(init.get("uniform"), init.RandomUniform)
    g = init.get({"class_name": "RandomNormal", "config": {"stddev": 2.0, "seed": 3}})
    assert isinstance(g, init.RandomNormal) and g.stddev == 2.0 and g.seed == 3
    assert isinstance(init.get(init.Ones), init.Ones)
    inst = init.Orthogonal()
    assert init.get(inst) is inst

    def fn(shape, dtype=None):
        return tf.zeros(shape)
    assert init.get(fn) is fn
    assert init.get(None) is None
    arr = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(to_np(init.get(arr)((2, 3))), arr.astype(np.float32))
    with pytest.raises(ValueError, match="shape"):
        init.get(arr)((3, 2))
    with pytest.raises(ValueError, match="Could not interpret initializer identifier"):
        init.get("nope")


def test_reachable_as_tf_keras_initializers():
    assert tf.keras.initializers.GlorotUniform is init.GlorotUniform


def test_constant_broadcasts_its_value_like_value_times_ones():
    # Keras fills with value * ones(shape): the value broadcasts against the
    # shape, and shapes that do not broadcast are an InvalidArgumentError.
    np.testing.assert_array_equal(to_np(init.Constant([1.0, 2.0])((2, 2))), [[1.0, 2.0], [1.0, 2.0]])
    np.testing.assert_array_equal(to_np(init.Constant([[1.0], [2.0]])((2, 3))), [[1.0] * 3, [2.0] * 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match="incompatible shapes"):
        init.Constant([1.0, 2.0])((3,))
