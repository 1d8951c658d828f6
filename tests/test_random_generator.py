"""fasttape.random's Philox generator, stateless functions and Generator:
the Philox4x32-10 known-answer vectors, determinism per seed, different
streams for different seeds, distributions, TensorFlow's errors; and
config.experimental.enable_op_determinism."""
import numpy as np
import pytest

import fasttape as tf
from fasttape.errors import InvalidArgumentError
from fasttape.random import _philox_blocks


def test_philox_known_answers():
    # The Philox4x32-10 known-answer vectors of Random123 (Salmon et al.).
    assert [hex(w) for w in _philox_blocks(0, 0, 1)[0]] == ["0x6627e8d5", "0xe169c58d", "0xbc57ac4c", "0x9b00dbd8"]
    assert [hex(w) for w in _philox_blocks(2 ** 64 - 1, 2 ** 128 - 1, 1)[0]] == [
        "0x408f276d", "0x41c83b0e", "0xa20bc7c6", "0x6d5451fd"]
    counter = 0x243f6a88 | 0x85a308d3 << 32 | 0x13198a2e << 64 | 0x03707344 << 96
    key = 0xa4093822 | 0x299f31d0 << 32
    assert [hex(w) for w in _philox_blocks(key, counter, 1)[0]] == ["0xd16cfe09", "0x94fdcceb", "0x5001e420",
                                                                    "0x24126ea1"]
    # Consecutive blocks are the consecutive counters, carrying into the high word.
    blocks = _philox_blocks(key, 2 ** 64 - 1, 2)
    np.testing.assert_array_equal(blocks[1], _philox_blocks(key, 2 ** 64, 1)[0])


@pytest.mark.parametrize("fn", [tf.random.stateless_normal, tf.random.stateless_uniform,
                                tf.random.stateless_truncated_normal])
def test_stateless_is_a_function_of_the_seed(fn):
    a = fn([4, 5], seed=[1, 2]).numpy()
    np.testing.assert_array_equal(a, fn([4, 5], seed=[1, 2]).numpy())
    np.testing.assert_array_equal(a, fn([4, 5], seed=tf.constant([1, 2], tf.int64)).numpy())
    for other in ([2, 1], [1, 3], [0, 2], [-1, 2]):
        assert not np.array_equal(a, fn([4, 5], seed=other).numpy())
    assert a.dtype == np.float32 and a.shape == (4, 5)
    assert fn([3], seed=[1, 2], dtype=tf.float64).dtype == tf.float64


def test_stateless_distributions():
    n = 200_000
    z = tf.random.stateless_normal([n], seed=[3, 4], mean=1.0, stddev=2.0, dtype=tf.float64).numpy()
    assert abs(z.mean() - 1.0) < 0.02 and abs(z.std() - 2.0) < 0.02
    u = tf.random.stateless_uniform([n], seed=[5, 6], minval=-1.0, maxval=3.0).numpy()
    assert u.min() >= -1.0 and u.max() < 3.0 and abs(u.mean() - 1.0) < 0.02
    t = tf.random.stateless_truncated_normal([n], seed=[7, 8], stddev=0.5).numpy()
    assert np.abs(t).max() <= 1.0 and abs(t.std() - 0.5 * 0.8796) < 0.01  # std of N(0,1) cut at 2 sigma
    i = tf.random.stateless_uniform([n], seed=[1, 1], minval=-3, maxval=4, dtype=tf.int32).numpy()
    assert i.dtype == np.int32 and set(np.unique(i)) == set(range(-3, 4))
    assert np.all(np.abs(np.bincount(i + 3) / n - 1 / 7) < 0.01)
    full = tf.random.stateless_uniform([1000], seed=[1, 1], minval=None, maxval=None, dtype=tf.int64).numpy()
    assert full.dtype == np.int64 and full.min() < -2 ** 60 and full.max() > 2 ** 60


def test_stateless_errors():
    with pytest.raises(InvalidArgumentError, match=r"seed must have shape \[2\], not \[3\]"):
        tf.random.stateless_normal([3], seed=[1, 2, 3])
    with pytest.raises(ValueError, match="argument `minval` and `maxval` must be both None or not None"):
        tf.random.stateless_uniform([3], seed=[1, 2], minval=1, dtype=tf.int32)
    with pytest.raises(ValueError, match="Got `minval`=0 and `maxval`=None"):
        tf.random.stateless_uniform([3], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(TypeError):
        tf.random.stateless_normal([3], seed=[1, 2], dtype=tf.int32)
    with pytest.raises(ValueError, match="Philox"):
        tf.random.stateless_normal([3], seed=[1, 2], alg="threefry")


def test_categorical():
    logits = tf.math.log([[0.2, 0.8], [0.5, 0.5]])
    s = tf.random.stateless_categorical(logits, 20_000, seed=[7, 17])
    assert s.dtype == tf.int64 and s.shape == (2, 20_000)
    np.testing.assert_array_equal(s.numpy(), tf.random.stateless_categorical(logits, 20_000, seed=[7, 17]).numpy())
    freq = s.numpy().mean(axis=1)
    assert abs(freq[0] - 0.8) < 0.02 and abs(freq[1] - 0.5) < 0.02
    tf.random.set_seed(3)
    c = tf.random.categorical(tf.constant([[0.0, -np.inf, 0.0]]), 1000, dtype=tf.int32)
    assert c.dtype == tf.int32 and c.shape == (1, 1000) and 1 not in set(c.numpy().ravel())


def test_split_fold_in_shuffle():
    seeds = tf.random.experimental.stateless_split([1, 2], num=3)
    assert seeds.dtype == tf.int32 and seeds.shape == (3, 2)  # the seed's dtype (Python ints: int32)
    assert len({tuple(r) for r in seeds.numpy().tolist()}) == 3
    np.testing.assert_array_equal(seeds.numpy(), tf.random.split([1, 2], 3).numpy())
    f1 = tf.random.experimental.stateless_fold_in([1, 2], 5).numpy()
    assert f1.shape == (2,) and not np.array_equal(f1, tf.random.fold_in([1, 2], 6).numpy())
    x = tf.constant(np.arange(20))
    p = tf.random.experimental.stateless_shuffle(x, seed=[1, 2]).numpy()
    assert sorted(p.tolist()) == list(range(20)) and p.tolist() != list(range(20))
    np.testing.assert_array_equal(p, tf.random.experimental.stateless_shuffle(x, seed=[1, 2]).numpy())


def test_generator_stream_state_and_reset():
    g = tf.random.Generator.from_seed(1)
    assert g.state.numpy().tolist() == [1, 0, 0] and g.algorithm == tf.random.Algorithm.PHILOX.value
    a = g.normal([3])
    assert g.state.numpy().tolist() == [3, 0, 0]  # three normals: two Box-Muller pairs of 64-bit uniforms, 2 blocks
    b = g.normal([3])
    assert not np.array_equal(a.numpy(), b.numpy())
    g.reset_from_seed(1)
    np.testing.assert_array_equal(g.normal([3]).numpy(), a.numpy())
    h = tf.random.Generator.from_seed(1)
    np.testing.assert_array_equal(h.normal([3]).numpy(), a.numpy())
    saved = h.state.numpy()  # state is the generator's Variable itself, as in TensorFlow: copy it
    c = h.uniform([5])
    h.reset(saved)
    np.testing.assert_array_equal(h.uniform([5]).numpy(), c.numpy())
    np.testing.assert_array_equal(tf.random.Generator.from_state(saved, "philox").uniform([5]).numpy(), c.numpy())
    copy = tf.random.Generator(copy_from=h)
    np.testing.assert_array_equal(copy.normal([4]).numpy(), h.normal([4]).numpy())
    assert not np.array_equal(tf.random.Generator.from_seed(2).normal([3]).numpy(), a.numpy())
    g.skip(10)
    assert g.state.numpy().tolist()[0] == 3 + 10


def test_generator_distributions_and_errors():
    g = tf.random.Generator.from_seed(42)
    u = g.uniform([100_000], minval=2.0, maxval=4.0, dtype=tf.float64).numpy()
    assert u.min() >= 2.0 and u.max() < 4.0 and abs(u.mean() - 3.0) < 0.01
    i = g.uniform([10_000], minval=0, maxval=5, dtype=tf.int64).numpy()
    assert i.dtype == np.int64 and set(np.unique(i)) == set(range(5))
    t = g.truncated_normal([10_000], mean=1.0).numpy()
    assert np.all(np.abs(t - 1.0) <= 2.0)
    assert g.uniform_full_int([4], dtype=tf.int32).dtype == tf.int32
    seeds = g.make_seeds(3)
    assert seeds.shape == (2, 3) and seeds.dtype == tf.int64
    with pytest.raises(ValueError, match="^For integer dtype <dtype: 'int64'>, minval and maxval must be both `None` "
                                         "or both non-`None`; got minval=0 and maxval=None$"):
        g.uniform([2], dtype=tf.int64)
    with pytest.raises(TypeError):
        g.normal([2], dtype=tf.int32)
    with pytest.raises(InvalidArgumentError, match="^Need minval < maxval, got 5 >= 3$"):
        g.uniform([2], minval=5, maxval=3, dtype=tf.int32)


def test_generator_split_and_global():
    g = tf.random.Generator.from_seed(7)
    kids = g.split(3)
    draws = [k.normal([6]).numpy() for k in kids] + [g.normal([6]).numpy()]
    for i in range(4):
        for j in range(i):
            assert not np.array_equal(draws[i], draws[j])
    g2 = tf.random.Generator.from_seed(7)
    np.testing.assert_array_equal(g2.split(3)[1].normal([6]).numpy(), draws[1])  # repeatable
    nd = tf.random.Generator.from_non_deterministic_state()
    assert nd.normal([2]).shape == (2,)
    old = tf.random.get_global_generator()
    assert tf.random.get_global_generator() is old
    try:
        tf.random.set_global_generator(tf.random.Generator.from_seed(5))
        a = tf.random.get_global_generator().normal([3]).numpy()
        np.testing.assert_array_equal(a, tf.random.Generator.from_seed(5).normal([3]).numpy())
        assert tf.random.experimental.get_global_generator() is tf.random.get_global_generator()
    finally:
        tf.random.set_global_generator(old)
    assert tf.random.experimental.Generator is tf.random.Generator
    assert tf.random.experimental.create_rng_state(5, "philox").tolist() == [5, 0, 0]


def test_enable_op_determinism_and_thread_counts():
    tf.config.experimental.enable_op_determinism()
    x = tf.constant(np.random.default_rng(0).standard_normal(1_000_001).astype(np.float32))
    a = tf.constant(np.random.default_rng(1).standard_normal((200, 300)).astype(np.float32))
    results = []
    try:
        for n in (1, 2, 3):
            tf.config.threading.set_intra_op_parallelism_threads(n)
            results.append((tf.reduce_sum(x).numpy().tobytes(), tf.reduce_mean(a, axis=0).numpy().tobytes(),
                            tf.matmul(a, a, transpose_b=True).numpy().tobytes()))
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(0)
    assert results[1] == results[0] and results[2] == results[0]


def test_mean_and_stddev_tensors_broadcast():
    g = tf.random.Generator.from_seed(3)
    x = g.normal([2000, 2], mean=tf.constant([0.0, 100.0]), stddev=[1.0, 0.001]).numpy()
    assert abs(x[:, 0].mean()) < 0.2 and abs(x[:, 1].mean() - 100.0) < 0.01 and x[:, 1].std() < 0.01
    s = tf.random.stateless_normal([3], seed=[1, 2], mean=[0.0, 10.0, 20.0]).numpy()
    assert np.all(np.abs(s - [0.0, 10.0, 20.0]) < 6)
    assert tf.random.normal([2], mean=tf.constant([5.0, -5.0]), stddev=0.0).numpy().tolist() == [5.0, -5.0]
    with pytest.raises(InvalidArgumentError, match="Incompatible shapes"):
        tf.random.stateless_normal([2], seed=[1, 2], mean=[0.0, 1.0, 2.0])


def test_float_shape_is_rejected():
    # TensorFlow's random ops take int32/int64 shapes only.
    with pytest.raises(InvalidArgumentError, match="of float is not in the list of allowed values: int32, int64"):
        tf.random.stateless_normal([2.0], seed=[1, 2])
    with pytest.raises(InvalidArgumentError, match="allowed values: int32, int64"):
        tf.random.Generator.from_seed(1).normal([2.0])
    assert tf.random.Generator.from_seed(1).normal(tf.constant([2])).shape == (2,)
    assert tf.random.Generator.from_seed(1).normal(np.array([2, 1])).shape == (2, 1)


def test_split_and_fold_in_dtypes_follow_their_inputs():
    # stateless_split keeps the seed's dtype; stateless_fold_in returns
    # [r, data] in data's dtype (r drawn from the seed alone).
    assert tf.random.experimental.stateless_split(np.array([1, 2], np.int64)).dtype == tf.int64
    assert tf.random.experimental.stateless_split(tf.constant([1, 2])).dtype == tf.int32
    f5 = tf.random.experimental.stateless_fold_in([1, 2], 5)
    f6 = tf.random.experimental.stateless_fold_in(np.array([1, 2], np.int64), 6)
    assert f5.dtype == tf.int32 and f6.dtype == tf.int32 and f5.numpy()[1] == 5 and f6.numpy()[1] == 6
    assert f5.numpy()[0] == f6.numpy()[0]
    assert tf.random.experimental.stateless_fold_in([1, 2], tf.constant(7, tf.int64)).dtype == tf.int64


def test_state_is_a_variable():
    g = tf.random.Generator.from_seed(5)
    st = g.state
    assert isinstance(st, tf.Variable) and st.dtype == tf.int64 and not st.trainable and st.name == "StateVar:0"
    a = g.normal([2])
    assert g.state is st and st.numpy().tolist() != [5, 0, 0]
    st.assign([5, 0, 0])  # assigning to the state sets where the stream continues
    np.testing.assert_array_equal(g.normal([2]).numpy(), a.numpy())
    assert int(g.key) == 0 and g.key.dtype == tf.int64
