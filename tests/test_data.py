"""fasttape.data: tf.data.Dataset's sources, transformations, cardinality,
element_spec, iteration and the prefetch thread's lifetime, with expected
values from TensorFlow's documented semantics."""
import collections
import gc
import threading
import time

import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal

Dataset = tf.data.Dataset
Point = collections.namedtuple("Point", "x y")


def values(ds):
    """The elements as numpy values (structures preserved)."""
    return list(ds.as_numpy_iterator())


def ints(ds):
    return [int(v) for v in ds.as_numpy_iterator()]


def card(ds):
    return int(ds.cardinality())


def prefetch_threads():
    return sum(t.name == "fasttape.data.prefetch" for t in threading.enumerate())


def wait_for_threads(n, timeout=5.0):
    """Waits until no prefetch thread is left and threading.active_count() <= n;
    True if that happened (threads of other code may end meanwhile, not start)."""
    deadline = time.monotonic() + timeout
    while (prefetch_threads() or threading.active_count() > n) and time.monotonic() < deadline:
        gc.collect()
        time.sleep(0.01)
    return prefetch_threads() == 0 and threading.active_count() <= n


# ---------------------------------------------------------------- sources
def test_from_tensor_slices_list_is_one_tensor():
    ds = Dataset.from_tensor_slices([[1, 2], [3, 4], [5, 6]])
    out = list(ds)
    assert len(out) == 3
    assert isinstance(out[0], tf.Tensor)
    assert out[0].dtype == tf.int32 and out[0].shape == (2,)
    assert_equal(out[2], [5, 6])


def test_from_tensor_slices_tuple_dict_namedtuple():
    ds = Dataset.from_tensor_slices(([1, 2], [3.0, 4.0]))
    a, b = next(iter(ds))
    assert a.dtype == tf.int32 and b.dtype == tf.float32
    assert values(ds) == [(1, 3.0), (2, 4.0)]

    ds = Dataset.from_tensor_slices({"b": [1, 2], "a": ([3, 4], [5, 6])})
    first = next(iter(ds))
    assert list(first) == ["b", "a"]  # the caller's key order
    assert int(first["b"]) == 1 and int(first["a"][1]) == 5
    assert values(ds)[1] == {"b": 2, "a": (4, 6)}

    ds = Dataset.from_tensor_slices(Point([1, 2], [3, 4]))
    out = values(ds)
    assert out == [Point(1, 3), Point(2, 4)] and type(out[0]) is Point


def test_from_tensor_slices_dtypes():
    assert Dataset.from_tensor_slices(np.zeros((3, 2))).element_spec.dtype == tf.float64
    assert Dataset.from_tensor_slices(np.arange(3)).element_spec.dtype == tf.int64
    assert Dataset.from_tensor_slices([1.5, 2.5]).element_spec.dtype == tf.float32
    assert Dataset.from_tensor_slices([1, 2]).element_spec.dtype == tf.int32
    assert Dataset.from_tensor_slices(tf.constant([True, False])).element_spec.dtype == tf.bool


def test_from_tensor_slices_errors():
    with pytest.raises(ValueError, match=r"Dimensions 3 and 4 are not compatible.*\(3,\), \(4,\)"):
        Dataset.from_tensor_slices(([1, 2, 3], [1, 2, 3, 4]))
    with pytest.raises(ValueError, match="rank >= 1"):
        Dataset.from_tensor_slices(5)
    with pytest.raises(ValueError, match="should not be empty"):
        Dataset.from_tensor_slices(())
    with pytest.raises(ValueError, match="non-rectangular"):
        Dataset.from_tensor_slices([[1, 2], [3]])


def test_from_tensor_slices_list_of_tensors_keeps_dtype():
    ds = Dataset.from_tensor_slices([tf.constant([1, 2], tf.int64), tf.constant([3, 4], tf.int64)])
    assert ds.element_spec.dtype == tf.int64 and ds.element_spec.shape == (2,)
    assert_equal(values(ds)[1], [3, 4])


def test_from_tensor_slices_of_a_tensor_is_not_differentiable():
    x = tf.constant([1.0, 2.0, 3.0])
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = sum(tf.reduce_sum(b) for b in Dataset.from_tensor_slices(x).batch(2))
    assert tape.gradient(total, x) is None


def test_from_tensors():
    ds = Dataset.from_tensors(([1, 2], 3))
    assert values(ds) == [(pytest.approx([1, 2]), 3)]
    assert card(ds) == 1
    assert ds.element_spec[0].shape == (2,)
    assert_equal(values(Dataset.from_tensors([1, 2]).repeat(3).batch(2))[0], [[1, 2], [1, 2]])


def test_range_forms():
    assert ints(Dataset.range(5)) == [0, 1, 2, 3, 4]
    assert ints(Dataset.range(2, 5)) == [2, 3, 4]
    assert ints(Dataset.range(1, 10, 3)) == [1, 4, 7]
    assert ints(Dataset.range(5, 1, -2)) == [5, 3]
    assert ints(Dataset.range(5, 1)) == []
    assert Dataset.range(3).element_spec.dtype == tf.int64
    ds = Dataset.range(3, output_type=tf.float32)
    assert ds.element_spec.dtype == tf.float32 and values(ds) == [0.0, 1.0, 2.0]
    assert card(Dataset.range(5, 1, -2)) == 2
    assert card(Dataset.range(np.int64(4))) == 4
    assert ints(Dataset.range(1, 5, 2, output_type=tf.int32)) == [1, 3]
    assert Dataset.range(1, 5, 2, output_type=tf.int32).element_spec.dtype == tf.int32


def test_range_errors():
    with pytest.raises(ValueError, match="between 1 and 3 but was 0"):
        Dataset.range()
    with pytest.raises(ValueError, match="between 1 and 3 but was 4"):
        Dataset.range(1, 2, 3, 4)
    with pytest.raises(TypeError):
        Dataset.range(3.5)
    with pytest.raises(tf.errors.InvalidArgumentError, match="step must be a non-zero integer"):
        Dataset.range(3, 4, 0)


def test_zip_forms():
    a, b = Dataset.range(3), Dataset.range(10, 14)
    expected = [(0, 10), (1, 11), (2, 12)]
    assert values(Dataset.zip((a, b))) == expected
    assert values(Dataset.zip(a, b)) == expected
    assert values(Dataset.zip(datasets=(a, b))) == expected
    assert values(Dataset.zip({"x": a, "y": (b, a)})) == [{"x": i, "y": (10 + i, i)} for i in range(3)]
    assert values(Dataset.zip(a)) == [0, 1, 2]
    assert card(Dataset.zip(a, b)) == 3


def test_zip_errors():
    with pytest.raises(TypeError, match="at least one dataset"):
        Dataset.zip()
    with pytest.raises(TypeError, match="encountered object of type <class 'int'>"):
        Dataset.zip((Dataset.range(3), 5))
    with pytest.raises(TypeError, match="Both"):
        Dataset.zip(Dataset.range(3), datasets=(Dataset.range(3),))


def test_zip_of_transformed_and_mapped_datasets_batches():
    x = np.arange(20, dtype=np.float32).reshape(10, 2)
    sx = Dataset.from_tensor_slices(x).shuffle(10, seed=3)
    plain = values(Dataset.from_tensor_slices(x).shuffle(10, seed=3))
    got = values(Dataset.zip((sx, Dataset.range(100).skip(5))).batch(4))
    assert [len(b[0]) for b in got] == [4, 4, 2]
    assert_equal(np.concatenate([b[0] for b in got]), np.stack(plain))
    assert_equal(np.concatenate([b[1] for b in got]), np.arange(5, 15))
    mapped = Dataset.zip((Dataset.range(5).map(lambda v: v * 2), Dataset.range(5).repeat())).batch(2)
    out = values(mapped)
    assert_equal(out[0][0], [0, 2])
    assert_equal(out[2][1], [4])


# ---------------------------------------------------------------- shuffle
def test_shuffle_is_a_permutation_each_epoch():
    ds = Dataset.range(100).shuffle(10, seed=4)
    out = ints(ds)
    assert sorted(out) == list(range(100)) and out != list(range(100))
    ep = ints(Dataset.range(50).shuffle(7, seed=1).repeat(3))
    for k in range(3):
        assert sorted(ep[50 * k:50 * (k + 1)]) == list(range(50))


def test_shuffle_buffer_bounds_displacement():
    # With a buffer of N, the element at input position i cannot come out
    # before output position i - N + 1 (it enters the buffer only then).
    n, buf = 300, 16
    for seed in range(5):
        out = ints(Dataset.range(n).shuffle(buf, seed=seed))
        assert sorted(out) == list(range(n))
        assert all(v <= pos + buf - 1 for pos, v in enumerate(out))
        assert out[:buf] != list(range(buf))
    assert ints(Dataset.range(20).shuffle(1, seed=0)) == list(range(20))


def test_shuffle_seed_determinism_and_reshuffle():
    a = Dataset.range(30).shuffle(30, seed=7)
    b = Dataset.range(30).shuffle(30, seed=7)
    first_a, second_a = ints(a), ints(a)
    assert first_a == ints(b) and second_a == ints(b)  # same seed: same sequence of epochs
    assert first_a != second_a  # reshuffle_each_iteration=True: a new order each pass
    c = Dataset.range(30).shuffle(30, seed=7, reshuffle_each_iteration=False)
    assert ints(c) == ints(c)
    rep = ints(Dataset.range(30).shuffle(30, seed=7, reshuffle_each_iteration=False).repeat(2))
    assert rep[:30] == rep[30:]
    rep = ints(Dataset.range(30).shuffle(30, seed=7).repeat(2))
    assert rep[:30] != rep[30:] and sorted(rep[30:]) == list(range(30))
    assert ints(Dataset.range(30).shuffle(30, seed=8)) != first_a


def test_shuffle_global_seed():
    tf.random.set_seed(5)
    a = ints(Dataset.range(40).shuffle(40))
    tf.random.set_seed(5)
    b = ints(Dataset.range(40).shuffle(40))
    tf.random.set_seed(None)
    assert a == b and sorted(a) == list(range(40))


def test_shuffle_across_repeat_boundaries_and_of_mapped_elements():
    out = ints(Dataset.range(10).repeat(3).shuffle(8, seed=2))
    assert sorted(out) == sorted(list(range(10)) * 3)
    mapped = Dataset.range(40).map(lambda v: v + 1).shuffle(5, seed=2)
    out = ints(mapped)
    assert sorted(out) == list(range(1, 41))
    assert all(v - 1 <= pos + 4 for pos, v in enumerate(out))


def test_shuffle_then_batch_matches_elementwise_order():
    x = np.arange(1000 * 3, dtype=np.float32).reshape(1000, 3)
    per_element = np.stack(values(Dataset.from_tensor_slices(x).shuffle(64, seed=11)))
    batches = values(Dataset.from_tensor_slices(x).shuffle(64, seed=11).batch(128))
    assert [len(b) for b in batches] == [128] * 7 + [104]
    assert_equal(np.concatenate(batches), per_element)
    assert sorted(per_element[:, 0].tolist()) == x[:, 0].tolist()


def test_shuffle_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size must be greater than zero"):
        Dataset.range(5).shuffle(0)


# ---------------------------------------------------------------- batch
def test_batch_values_and_remainder():
    assert [v.tolist() for v in values(Dataset.range(7).batch(3))] == [[0, 1, 2], [3, 4, 5], [6]]
    assert [v.tolist() for v in values(Dataset.range(7).batch(3, drop_remainder=True))] == [[0, 1, 2], [3, 4, 5]]
    # batches run across repeat's epoch boundary
    assert [v.tolist() for v in values(Dataset.range(5).repeat(2).batch(4))] == [[0, 1, 2, 3], [4, 0, 1, 2],
                                                                              [3, 4]]
    assert values(Dataset.from_tensor_slices(np.zeros((0, 3))).batch(2)) == []


def test_batch_structures_and_tensors():
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    y = np.arange(6)
    ds = Dataset.from_tensor_slices({"x": x, "y": y}).batch(4)
    first = next(iter(ds))
    assert isinstance(first["x"], tf.Tensor) and first["x"].shape == (4, 2) and first["y"].dtype == tf.int64
    assert_equal(first["x"], x[:4])
    last = values(ds)[-1]
    assert_equal(last["x"], x[4:])
    assert_equal(last["y"], y[4:])
    # the batch is a copy: the source array may change afterwards
    src = np.arange(6.0)
    batch = next(iter(Dataset.from_tensor_slices(src).batch(3)))
    src[:] = -1
    assert_equal(batch, [0.0, 1.0, 2.0])


def test_batch_after_map_stacks_elements():
    ds = Dataset.range(5).map(lambda v: (v, tf.cast(v, tf.float32) * 0.5)).batch(2)
    out = values(ds)
    assert_equal(out[0][0], [0, 1])
    assert_close(out[2][1], [2.0])
    assert ds.element_spec == (tf.data.Dataset.range(1).batch(1).element_spec,
                               type(ds.element_spec[1])((None,), tf.float32))


def test_batch_shape_mismatch_and_bad_size():
    ds = Dataset.range(3).map(lambda v: tf.fill([v], v)).batch(2)
    # TensorFlow's two messages: different sizes, or same size and different shapes.
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Cannot add tensor to the batch: number of elements does not match\. Shapes are: "
                             r"\[tensor\]: \[1\], \[batch\]: \[0\]"):
        list(ds)
    same_size = Dataset.range(1, 3).map(lambda v: tf.zeros(tf.stack([v, 6 // v]))).batch(2)
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"Cannot batch tensors with different shapes in component 0\. First element had shape "
                             r"\[1,6\] and element 1 had shape \[2,3\]\."):
        list(same_size)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Batch size must be greater than zero"):
        Dataset.range(3).batch(0)
    with pytest.raises(tf.errors.InvalidArgumentError, match="Batch size must be greater than zero"):
        Dataset.range(3).padded_batch(-1)


def test_parallel_batch_name_and_values():
    ds = Dataset.range(5).batch(2, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    assert repr(ds).startswith("<_ParallelBatchDataset element_spec=")
    assert [v.tolist() for v in values(ds)] == [[0, 1], [2, 3], [4]]


# ---------------------------------------------------------------- padded_batch
def test_padded_batch_default_pads_to_longest():
    ds = Dataset.range(5).map(lambda v: tf.fill([v], v)).padded_batch(2)
    out = values(ds)
    assert_equal(out[0], [[0], [1]])
    assert_equal(out[1], [[2, 2, 0], [3, 3, 3]])
    assert_equal(out[2], [[4, 4, 4, 4]])
    assert [v.tolist() for v in values(Dataset.range(7).padded_batch(3))] == [[0, 1, 2], [3, 4, 5], [6]]


def test_padded_batch_shapes_and_values():
    ds = Dataset.range(5).map(lambda v: tf.fill([v], v))
    out = values(ds.padded_batch(2, padded_shapes=[5], padding_values=np.int64(-1)))
    assert_equal(out[1], [[2, 2, -1, -1, -1], [3, 3, 3, -1, -1]])
    assert ds.padded_batch(2, padded_shapes=[5]).element_spec.shape == (None, 5)
    assert ds.padded_batch(2, padded_shapes=[5], drop_remainder=True).element_spec.shape == (2, 5)
    pairs = Dataset.range(3).map(lambda v: (v, tf.fill([v], 1.5)))
    out = values(pairs.padded_batch(2, padded_shapes=([], [None]), padding_values=(np.int64(9), 0.5)))
    assert_equal(out[0][0], [0, 1])
    assert_equal(out[0][1], [[0.5], [1.5]])
    assert_equal(out[1][1], [[1.5, 1.5]])
    d = Dataset.range(3).map(lambda v: {"a": tf.fill([v, 2], 1.0)})
    out = values(d.padded_batch(3, padding_values={"a": -1.0}))
    assert out[0]["a"].shape == (3, 2, 2) and out[0]["a"][0].tolist() == [[-1, -1], [-1, -1]]


def test_padded_batch_errors():
    ds = Dataset.range(5).map(lambda v: tf.fill([v], v))
    with pytest.raises(tf.errors.DataLossError, match="pad to a smaller size"):
        list(ds.padded_batch(2, padded_shapes=[3]))
    with pytest.raises(TypeError, match="values type <dtype: 'int32'> does not match type <dtype: 'int64'>"):
        list(ds.padded_batch(2, padding_values=-1))  # a Python int is int32, as in TensorFlow
    with pytest.raises(ValueError, match=r"padded shape \(3,\) is not compatible with the shape \(\)"):
        Dataset.range(3).padded_batch(2, padded_shapes=[3])


@pytest.mark.parametrize("make", [lambda d: d.map(5), lambda d: d.filter(5), lambda d: d.flat_map(5),
                                  lambda d: d.interleave(5), lambda d: d.scan(0, 5)])
def test_functions_must_be_callable(make):
    # TensorFlow raises ValueError for a map_func/predicate that is not callable.
    with pytest.raises(ValueError, match=r"^Argument `func` must be a callable\. Received func=5 \(of type "
                                         r"<class 'int'>\)$"):
        make(Dataset.range(3))


def test_padded_batch_checks_padding_values_when_built():
    # TensorFlow checks padding values against the element types when the
    # dataset is built, not when it is iterated.
    ds = Dataset.from_tensor_slices(np.arange(6).reshape(3, 2))
    with pytest.raises(TypeError, match="values type <dtype: 'int32'> does not match type <dtype: 'int64'>"):
        ds.padded_batch(2, padding_values=-1)
    with pytest.raises(TypeError, match="values type <dtype: 'float32'> does not match type <dtype: 'int64'>"):
        ds.padded_batch(2, padding_values=0.5)
    with pytest.raises(ValueError, match=r"values should be scalars, but got \(2,\)"):
        ds.padded_batch(2, padding_values=tf.constant([1, 2], tf.int64))
    with pytest.raises(TypeError, match="does not match type <dtype: 'int64'>"):
        Dataset.zip(Dataset.range(3), Dataset.range(3)).padded_batch(2, padding_values=(np.int64(1), 1))
    out = values(ds.padded_batch(2, padded_shapes=[3], padding_values=np.int64(-1)))
    assert_equal(out[1], [[4, 5, -1]])
    with pytest.raises(ValueError, match="not compatible"):
        list(Dataset.range(3).map(lambda v: tf.fill([v, 2], 1.5)).padded_batch(2, padded_shapes=[None]))


# ---------------------------------------------------------------- map / filter
def test_map_argument_unpacking():
    pairs = Dataset.from_tensor_slices(([1, 2], [3, 4]))
    assert values(pairs.map(lambda a, b: a + b)) == [4, 6]
    with pytest.raises(TypeError):
        list(pairs.map(lambda a: a))
    assert values(Dataset.from_tensor_slices({"a": [1, 2]}).map(lambda d: d["a"] * 10)) == [10, 20]
    assert values(Dataset.from_tensor_slices(Point([1, 2], [3, 4])).map(lambda p: p.x + p.y)) == [4, 6]

    seen = []
    Dataset.range(2).map(lambda v: seen.append(type(v)) or v).reduce(np.int64(0), lambda s, v: s + v)
    assert seen == [tf.Tensor, tf.Tensor]


def test_map_outputs_normalised_as_tensorflow():
    ds = Dataset.range(3).map(lambda v: [v, v * 2])  # a returned list is a tuple
    assert values(ds) == [(0, 0), (1, 2), (2, 4)]
    assert isinstance(ds.element_spec, tuple)
    ds = Dataset.range(3).map(lambda v: {"a": [v, v]})  # a nested list is one tensor
    assert ds.element_spec["a"].shape == (2,) and ds.element_spec["a"].dtype == tf.int64
    assert_equal(values(ds)[2]["a"], [2, 2])
    ds = Dataset.range(3).map(lambda v: 1.5)
    assert ds.element_spec.dtype == tf.float32 and values(ds) == [1.5] * 3
    ds = Dataset.range(2).map(lambda v: (1, np.float64(2.0)))
    assert [s.dtype for s in ds.element_spec] == [tf.int32, tf.float64]
    with pytest.raises(TypeError, match="returned None"):
        list(Dataset.range(2).map(lambda v: None))


def test_map_element_spec_and_parallel_name():
    ds = Dataset.range(3).map(lambda v: tf.cast(v, tf.float64) * 2.0, num_parallel_calls=tf.data.AUTOTUNE)
    assert repr(ds) == "<_ParallelMapDataset element_spec=%r>" % (ds.element_spec,)
    assert ds.element_spec.dtype == tf.float64 and ds.element_spec.shape == ()
    assert values(ds) == [0.0, 2.0, 4.0]
    empty = Dataset.range(0).map(lambda v: (v, tf.cast(v, tf.float32)))
    assert [s.dtype for s in empty.element_spec] == [tf.int64, tf.float32]


def test_filter():
    assert ints(Dataset.range(10).filter(lambda v: v % 3 == 0)) == [0, 3, 6, 9]
    assert values(Dataset.from_tensor_slices(([1, 2, 3], [4, 5, 6])).filter(lambda a, b: a > 1)) == [(2, 5), (3, 6)]
    assert ints(Dataset.range(3).filter(lambda v: True)) == [0, 1, 2]
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar tensor"):
        list(Dataset.range(3).filter(lambda v: 1))
    with pytest.raises(ValueError, match="must return a `tf.bool` scalar tensor"):
        list(Dataset.range(3).filter(lambda v: tf.constant([True, False])))


# ---------------------------------------------------------------- repeat / take / skip / enumerate
def test_repeat_take_skip():
    assert ints(Dataset.range(3).repeat(2)) == [0, 1, 2, 0, 1, 2]
    assert ints(Dataset.range(3).repeat(0)) == []
    assert ints(Dataset.range(3).repeat().take(7)) == [0, 1, 2, 0, 1, 2, 0]
    assert ints(Dataset.range(0).repeat()) == []  # an empty dataset repeated forever is empty
    assert ints(Dataset.range(5).take(3)) == [0, 1, 2]
    assert ints(Dataset.range(5).take(-1)) == [0, 1, 2, 3, 4]
    assert ints(Dataset.range(5).take(0)) == []
    assert ints(Dataset.range(5).skip(3)) == [3, 4]
    assert ints(Dataset.range(5).skip(-1)) == []
    assert ints(Dataset.range(5).skip(9)) == []
    assert ints(Dataset.range(3).repeat().skip(4).take(3)) == [1, 2, 0]
    assert ints(Dataset.range(6).map(lambda v: v).skip(2).take(3)) == [2, 3, 4]
    assert ints(Dataset.range(6).filter(lambda v: True).repeat(2).take(8)) == [0, 1, 2, 3, 4, 5, 0, 1]


def test_enumerate():
    assert values(Dataset.range(3).enumerate(3)) == [(3, 0), (4, 1), (5, 2)]
    out = values(Dataset.from_tensor_slices({"a": [7, 8]}).enumerate())
    assert out == [(0, {"a": 7}), (1, {"a": 8})]
    assert Dataset.range(3).enumerate().element_spec[0].dtype == tf.int64
    got = values(Dataset.from_tensor_slices(np.arange(5.0)).enumerate().batch(2))
    assert_equal(got[2][0], [4])
    assert_equal(got[1][1], [2.0, 3.0])


def test_shard_concatenate_take_while_flat_map_apply():
    assert ints(Dataset.range(10).shard(3, 1)) == [1, 4, 7]
    assert ints(Dataset.range(10).map(lambda v: v).shard(3, 1)) == [1, 4, 7]
    assert card(Dataset.range(10).shard(3, 0)) == 4 and card(Dataset.range(10).shard(3, 1)) == 3
    assert ints(Dataset.range(3).concatenate(Dataset.range(10, 12))) == [0, 1, 2, 10, 11]
    assert card(Dataset.range(3).concatenate(Dataset.range(4))) == 7
    with pytest.raises(TypeError, match="Incompatible"):
        Dataset.range(3).concatenate(Dataset.range(3, output_type=tf.float32))
    assert ints(Dataset.range(10).take_while(lambda v: v < 4)) == [0, 1, 2, 3]
    assert ints(Dataset.range(3).flat_map(lambda v: Dataset.range(v))) == [0, 0, 1]
    assert ints(Dataset.range(5).apply(lambda d: d.skip(3))) == [3, 4]
    assert int(Dataset.range(5).skip(4).get_single_element()) == 4
    with pytest.raises(tf.errors.InvalidArgumentError, match="more than one"):
        Dataset.range(2).get_single_element()


def test_from_generator():
    def gen():
        for i in range(3):
            yield i, [1.5] * i

    sig = (tf.TensorSpec((), tf.int64), tf.TensorSpec((None,), tf.float32))
    ds = Dataset.from_generator(gen, output_signature=sig)
    assert ds.element_spec == sig and card(ds) == -2
    assert repr(ds).startswith("<_FlatMapDataset element_spec=(TensorSpec(")
    out = values(ds)
    assert [int(a) for a, _ in out] == [0, 1, 2] and out[2][1].tolist() == [1.5, 1.5]
    assert out[2][1].dtype == np.float32
    assert len(values(ds)) == 3  # the generator is called again for each pass
    padded = values(ds.padded_batch(3))
    assert_equal(padded[0][1], [[0, 0], [1.5, 0], [1.5, 1.5]])
    typed = Dataset.from_generator(gen, output_types=(tf.int64, tf.float32))
    assert typed.element_spec[0].shape.rank is None and typed.element_spec[1].dtype == tf.float32
    shaped = Dataset.from_generator(gen, output_types=(tf.int64, tf.float32), output_shapes=((), (None,)))
    assert shaped.element_spec == sig
    # values are converted to the declared dtype as numpy does
    assert ints(Dataset.from_generator(lambda: iter([1.5, 2.5]), output_signature=tf.TensorSpec((), tf.int64))) \
        == [1, 2]
    seen = []
    counted = Dataset.from_generator(lambda n: (seen.append(type(n)) or iter(range(int(n)))), args=(3,),
                                     output_signature=tf.TensorSpec((), tf.int64))
    assert ints(counted) == [0, 1, 2] and seen == [np.int32]


def test_from_generator_errors():
    with pytest.raises(TypeError, match="must be a Python callable"):
        Dataset.from_generator(5, output_signature=tf.TensorSpec((), tf.int64))
    with pytest.raises(TypeError, match="either the `output_signature` argument or the `output_types`"):
        Dataset.from_generator(lambda: iter([1]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"shape \(3,\) where an element of shape \(2,\)"):
        list(Dataset.from_generator(lambda: iter([[1, 2, 3]]), output_signature=tf.TensorSpec((2,), tf.int64)))
    with pytest.raises(tf.errors.InvalidArgumentError, match="did not match the expected structure"):
        list(Dataset.from_generator(lambda: iter([1]), output_signature=(tf.TensorSpec((), tf.int64),) * 2))


def test_interleave_scan_unique():
    ds = Dataset.range(3).interleave(lambda v: Dataset.range(v * 10, v * 10 + 3), cycle_length=2, block_length=2)
    assert ints(ds) == [0, 1, 10, 11, 2, 12, 20, 21, 22]
    ds = Dataset.range(3).interleave(lambda v: Dataset.range(v * 10, v * 10 + 3), cycle_length=3)
    assert ints(ds) == [0, 10, 20, 1, 11, 21, 2, 12, 22]
    ds = Dataset.range(4).interleave(lambda v: Dataset.range(v), cycle_length=2)
    assert ints(ds) == [0, 0, 1, 0, 1, 2]
    assert card(ds) == -2 and ds.element_spec.dtype == tf.int64
    assert repr(Dataset.range(2).interleave(lambda v: Dataset.range(v), num_parallel_calls=2)) \
        .startswith("<_ParallelInterleaveDataset ")
    sc = Dataset.range(5).scan(np.int64(0), lambda s, v: (s + v, s * 10))
    assert ints(sc) == [0, 0, 10, 30, 60] and card(sc) == 5
    with pytest.raises(TypeError, match="must match the initial state"):
        list(Dataset.range(3).scan(np.int64(0), lambda s, v: (tf.cast(s, tf.float32), v)))
    assert values(Dataset.from_tensor_slices([1, 2, 1, 3, 2]).unique()) == [1, 2, 3]
    with pytest.raises(TypeError, match="unique"):
        list(Dataset.from_tensor_slices([1.0, 2.0]).unique())


# ---------------------------------------------------------------- unbatch / cache / reduce
def test_unbatch():
    assert ints(Dataset.range(6).batch(4).unbatch()) == [0, 1, 2, 3, 4, 5]
    out = values(Dataset.from_tensor_slices(([[1, 2], [3, 4]], [5, 6])).batch(2).unbatch())
    assert [(a.tolist(), int(b)) for a, b in out] == [([1, 2], 5), ([3, 4], 6)]
    assert Dataset.range(6).batch(2).unbatch().element_spec.shape == ()
    with pytest.raises(ValueError, match="scalar components"):
        Dataset.range(3).unbatch()
    with pytest.raises(ValueError, match="Encountered both 2 and 3"):
        Dataset.from_tensors((np.zeros((2, 1)), np.zeros(3))).unbatch()


def test_cache_serves_later_passes_from_memory():
    calls = []

    def f(v):
        calls.append(int(v))
        return v * 10

    ds = Dataset.range(5).map(f).cache()
    it = iter(ds)
    next(it), next(it)
    del it  # an incomplete pass is not kept
    assert ints(ds) == [0, 10, 20, 30, 40]
    n = len(calls)
    assert ints(ds) == [0, 10, 20, 30, 40] and len(calls) == n
    reshuffled = [ints(ds.shuffle(5, seed=3)) for _ in range(1)] + [ints(ds.shuffle(5, seed=4))]
    assert all(sorted(r) == [0, 10, 20, 30, 40] for r in reshuffled) and len(calls) == n
    assert [v.tolist() for v in values(ds.batch(2))] == [[0, 10], [20, 30], [40]]
    ragged = Dataset.range(3).map(lambda v: tf.fill([v], v)).cache()
    assert [v.tolist() for v in values(ragged)] == [[], [1], [2, 2]]
    assert [v.tolist() for v in values(ragged)] == [[], [1], [2, 2]]
    assert repr(Dataset.range(2).cache()).startswith("<CacheDataset ")


def test_cache_to_a_file_is_read_by_later_datasets(tmp_path):
    # TensorFlow's cache(filename): the first complete pass writes the file;
    # later passes, and datasets of later programs, read it instead of the input.
    calls = []

    def f(v):
        calls.append(int(v))
        return {"a": v * 10, "b": Point(tf.cast(v, tf.float32), tf.fill([2], v))}

    prefix = str(tmp_path / "train")
    ds = Dataset.range(4).map(f).cache(prefix)
    it = iter(ds)
    next(it)
    del it  # an incomplete pass writes nothing
    assert not (tmp_path / "train.cache.npz").exists()
    first = values(ds)
    assert (tmp_path / "train.cache.npz").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train.cache.npz"]  # no temporary file left
    n = len(calls)
    again = Dataset.range(4).map(f).cache(prefix)  # as in a later run of the program
    second = values(again.batch(4))
    assert len(calls) <= n + 1  # at most one call, to find the element structure
    assert [e["a"] for e in first] == [0, 10, 20, 30]
    assert_equal(second[0]["a"], [0, 10, 20, 30])
    assert isinstance(second[0]["b"], Point)
    assert_equal(second[0]["b"].y, [[0, 0], [1, 1], [2, 2], [3, 3]])
    assert second[0]["b"].x.dtype == np.float32
    ragged = str(tmp_path / "ragged")
    assert [v.tolist() for v in values(Dataset.range(3).map(lambda v: tf.fill([v], v)).cache(ragged))] == \
        [[], [1], [2, 2]]
    assert [v.tolist() for v in values(Dataset.range(3).map(lambda v: tf.fill([v], v)).cache(ragged))] == \
        [[], [1], [2, 2]]
    empty = str(tmp_path / "empty")
    assert values(Dataset.range(0).cache(empty)) == [] and values(Dataset.range(0).cache(empty)) == []


def test_cache_file_errors(tmp_path):
    with pytest.raises(tf.errors.NotFoundError, match="directory does not exist"):
        list(Dataset.range(3).cache(str(tmp_path / "missing" / "c")))
    (tmp_path / "bad.cache.npz").write_bytes(b"garbage")
    with pytest.raises(tf.errors.DataLossError, match="bad.cache.npz"):
        list(Dataset.range(3).cache(str(tmp_path / "bad")))
    list(Dataset.range(3).cache(str(tmp_path / "three")))
    with pytest.raises(tf.errors.DataLossError, match="three.cache.npz"):
        list(Dataset.zip(Dataset.range(3), Dataset.range(3)).cache(str(tmp_path / "three")))


def test_reduce():
    assert int(Dataset.range(5).reduce(np.int64(0), lambda s, v: s + v)) == 10
    r = Dataset.range(5).reduce(0.0, lambda s, v: s + 1)
    assert r.dtype == tf.float32 and float(r) == 5.0
    a, b = Dataset.range(5).reduce((np.int64(0), np.int64(1)), lambda s, v: (s[0] + v, s[1] * 2))
    assert int(a) == 10 and int(b) == 32
    assert int(Dataset.range(0).reduce(np.int64(7), lambda s, v: s + v)) == 7
    with pytest.raises(TypeError, match="Expected int64 but got float32|Expected <dtype: 'int64'>"):
        Dataset.range(3).reduce(np.int64(0), lambda s, v: tf.cast(s, tf.float32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"initial_state=1, output=2"):
        Dataset.range(3).reduce(np.int64(0), lambda s, v: (s, s))


# ---------------------------------------------------------------- cardinality / len / spec / repr
@pytest.mark.parametrize("make,expected", [
    (lambda: Dataset.range(5), 5),
    (lambda: Dataset.from_tensor_slices(np.zeros((4, 2))), 4),
    (lambda: Dataset.from_tensors(1), 1),
    (lambda: Dataset.range(5).filter(lambda v: v > 2), -2),
    (lambda: Dataset.range(5).repeat(), -1),
    (lambda: Dataset.range(5).repeat(3), 15),
    (lambda: Dataset.range(0).repeat(), 0),
    (lambda: Dataset.range(5).take(3), 3),
    (lambda: Dataset.range(5).take(-1), 5),
    (lambda: Dataset.range(3).repeat().take(7), 7),
    (lambda: Dataset.range(5).filter(lambda v: True).take(2), -2),
    (lambda: Dataset.range(5).skip(3), 2),
    (lambda: Dataset.range(5).skip(-1), 0),
    (lambda: Dataset.range(3).repeat().skip(7), -1),
    (lambda: Dataset.range(5).shuffle(3), 5),
    (lambda: Dataset.range(5).enumerate(), 5),
    (lambda: Dataset.range(5).map(lambda v: v), 5),
    (lambda: Dataset.range(5).prefetch(1), 5),
    (lambda: Dataset.range(5).cache(), 5),
    (lambda: Dataset.range(6).batch(2).unbatch(), -2),
    # unbatch: input cardinality times a known, non-zero leading dimension.
    (lambda: Dataset.range(7).batch(3, drop_remainder=True).unbatch(), 6),
    (lambda: Dataset.range(7).batch(3, drop_remainder=True).repeat().unbatch(), -1),
    (lambda: Dataset.range(7).batch(3, drop_remainder=True).filter(lambda v: True).unbatch(), -2),
    (lambda: Dataset.range(7).batch(3, drop_remainder=True).take(0).unbatch(), 0),
    (lambda: Dataset.from_tensors((np.zeros((2, 1)), np.zeros(2))).unbatch(), 2),
    (lambda: Dataset.from_tensors(np.zeros((2, 0))).repeat(3).unbatch(), 6),
    (lambda: Dataset.from_tensors(np.zeros((0, 3))).unbatch(), -2),
    (lambda: Dataset.from_tensor_slices(np.zeros((4, 3, 2))).unbatch(), 12),
    (lambda: Dataset.range(4).batch(3), 2),
    (lambda: Dataset.range(4).batch(3, drop_remainder=True), 1),
    (lambda: Dataset.range(3).repeat().batch(2), -1),
    (lambda: Dataset.range(5).padded_batch(2), 3),
    (lambda: Dataset.zip(Dataset.range(3), Dataset.range(5)), 3),
    (lambda: Dataset.zip(Dataset.range(3).repeat(), Dataset.range(4)), 4),
    (lambda: Dataset.range(3).concatenate(Dataset.range(4).repeat()), -1),
])
def test_cardinality(make, expected):
    c = make().cardinality()
    assert isinstance(c, tf.Tensor) and c.dtype == tf.int64 and c.shape == ()
    assert int(c) == expected


def test_cardinality_constants_and_len():
    assert tf.data.AUTOTUNE == -1 and tf.data.experimental.AUTOTUNE == -1
    assert tf.data.INFINITE_CARDINALITY == tf.data.experimental.INFINITE_CARDINALITY == -1
    assert tf.data.UNKNOWN_CARDINALITY == tf.data.experimental.UNKNOWN_CARDINALITY == -2
    assert int(tf.data.experimental.cardinality(Dataset.range(4))) == 4
    assert len(Dataset.range(2).repeat(2)) == 4
    with pytest.raises(TypeError, match="The dataset is infinite."):
        len(Dataset.range(3).repeat())
    with pytest.raises(TypeError, match="The dataset length is unknown."):
        len(Dataset.range(3).filter(lambda v: True))
    assert bool(Dataset.range(0)) is True


def test_element_spec():
    spec = Dataset.from_tensor_slices({"a": np.zeros((4, 3), np.float32), "b": ([1, 2, 3, 4], np.arange(4))}) \
        .element_spec
    assert spec["a"].shape == (3,) and spec["a"].dtype == tf.float32
    assert spec["b"][0].dtype == tf.int32 and spec["b"][1].dtype == tf.int64 and spec["b"][1].shape == ()
    batched = Dataset.from_tensor_slices(np.zeros((4, 3), np.float32)).batch(2)
    assert batched.element_spec.shape == (None, 3)
    assert Dataset.range(5).batch(2, drop_remainder=True).element_spec.shape == (2,)
    assert Dataset.range(10).batch(3, drop_remainder=True).unbatch().batch(2).element_spec.shape == (None,)
    e = Dataset.zip((Dataset.range(3), Dataset.from_tensors([1.0, 2.0]))).element_spec
    assert e[1].shape == (2,) and e[1].dtype == tf.float32
    assert Dataset.range(3).element_spec == Dataset.range(4).element_spec
    assert Dataset.range(3).element_spec != Dataset.range(3, output_type=tf.int32).element_spec


def test_repr():
    assert repr(Dataset.range(3)) == "<_RangeDataset element_spec=TensorSpec(shape=(), dtype=%r, name=None)>" \
        % (tf.int64,)
    assert repr(Dataset.from_tensor_slices(([1], [2.0]))).startswith("<_TensorSliceDataset element_spec=(TensorSpec(")
    for ds, name in [(Dataset.range(3).shuffle(2), "_ShuffleDataset"), (Dataset.range(3).batch(2), "_BatchDataset"),
                     (Dataset.range(3).repeat(), "_RepeatDataset"), (Dataset.range(3).take(1), "_TakeDataset"),
                     (Dataset.range(3).skip(1), "_SkipDataset"), (Dataset.range(3).prefetch(1), "_PrefetchDataset"),
                     (Dataset.range(3).enumerate(), "_ZipDataset"), (Dataset.from_tensors(1), "_TensorDataset"),
                     (Dataset.range(3).map(lambda v: v), "_MapDataset"),
                     (Dataset.range(3).filter(lambda v: True), "_FilterDataset"),
                     (Dataset.range(3).padded_batch(2), "_PaddedBatchDataset"),
                     (Dataset.range(4).batch(2).unbatch(), "_UnbatchDataset")]:
        assert repr(ds).startswith("<%s element_spec=" % name), repr(ds)
    assert repr(Dataset.range(3).as_numpy_iterator()).startswith("NumpyIterator(iterator=")


# ---------------------------------------------------------------- iteration
def test_iteration_is_fresh_and_yields_tensors():
    ds = Dataset.range(3)
    assert [int(v) for v in ds] == [0, 1, 2]
    assert [int(v) for v in ds] == [0, 1, 2]
    it = iter(ds)
    assert iter(it) is it and int(next(it)) == 0
    assert int(it.get_next()) == 1
    next(it)
    with pytest.raises(tf.errors.OutOfRangeError):
        it.get_next()
    with pytest.raises(StopIteration):
        next(it)
    x = next(iter(Dataset.from_tensor_slices(([1, 2], {"k": [3.0, 4.0]}))))
    assert isinstance(x, tuple) and isinstance(x[1], dict) and isinstance(x[1]["k"], tf.Tensor)


def test_as_numpy_iterator_types():
    out = values(Dataset.from_tensor_slices({"a": [1, 2], "b": [[1.0, 2.0], [3.0, 4.0]]}).batch(2))
    assert isinstance(out[0]["a"], np.ndarray) and out[0]["a"].dtype == np.int32
    assert out[0]["b"].dtype == np.float32
    scalar = values(Dataset.range(1))[0]
    assert isinstance(scalar, np.int64)


# ---------------------------------------------------------------- prefetch
def test_prefetch_values():
    assert [v.tolist() for v in values(Dataset.range(7).batch(3).prefetch(2))] == [[0, 1, 2], [3, 4, 5], [6]]
    assert ints(Dataset.range(5).prefetch(tf.data.AUTOTUNE)) == [0, 1, 2, 3, 4]
    assert ints(Dataset.range(5).prefetch(0)) == [0, 1, 2, 3, 4]
    assert ints(Dataset.range(20).prefetch(1).map(lambda v: v + 1).prefetch(3)) == list(range(1, 21))
    with pytest.raises(tf.errors.InvalidArgumentError, match="buffer_size must be >= 0"):
        Dataset.range(3).prefetch(-5)


def test_prefetch_runs_ahead_in_another_thread():
    produced = []
    ds = Dataset.range(20).map(lambda v: produced.append(threading.get_ident()) or v).prefetch(4)
    it = iter(ds)
    assert int(next(it)) == 0
    deadline = time.monotonic() + 5
    while len(produced) < 6 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)
    # one consumed, four in the bounded queue, one made and waiting for room
    assert len(produced) == 6
    assert set(produced) == {next(t.ident for t in threading.enumerate() if t.name == "fasttape.data.prefetch")}
    assert threading.get_ident() not in produced
    assert [int(v) for v in it] == list(range(1, 20))


def test_prefetch_thread_ends_when_exhausted_or_dropped():
    assert wait_for_threads(threading.active_count())
    base = threading.active_count()
    ds = Dataset.range(100).batch(2).prefetch(2)
    for _ in range(5):  # no thread left behind per epoch
        assert len(list(ds)) == 50
    assert wait_for_threads(base)
    it = iter(ds)
    next(it)
    assert prefetch_threads() == 1 and threading.active_count() > base
    del it
    assert wait_for_threads(base)
    it = iter(Dataset.range(10).prefetch(1).map(lambda v: v).prefetch(1))  # nested prefetch threads
    next(it)
    assert prefetch_threads() == 2
    del it
    assert wait_for_threads(base)
    infinite = iter(Dataset.range(3).repeat().prefetch(2))
    next(infinite)
    del infinite
    assert wait_for_threads(base)


@pytest.mark.parametrize("exc, cls", [
    (RuntimeError("boom"), tf.errors.UnknownError),
    (KeyError("k"), tf.errors.UnknownError),
    (ValueError("boom"), tf.errors.InvalidArgumentError),
    (TypeError("boom"), tf.errors.InvalidArgumentError),
    (NotImplementedError("boom"), tf.errors.UnimplementedError),
    (MemoryError("boom"), tf.errors.ResourceExhaustedError),
    (tf.errors.InvalidArgumentError(None, None, "boom"), tf.errors.UnknownError),
])
@pytest.mark.parametrize("prefetch", [False, True])
def test_generator_errors_are_raised_as_tensorflow_does(exc, cls, prefetch):
    def gen():
        yield 1
        raise exc

    ds = Dataset.from_generator(gen, output_signature=tf.TensorSpec((), tf.int32))
    if prefetch:
        ds = ds.prefetch(1)
    it = iter(ds)
    assert int(next(it)) == 1
    with pytest.raises(cls, match="^%s: " % type(exc).__name__) as info:
        next(it)
    assert info.value.__cause__ is exc


def test_generator_call_errors_are_raised_as_tensorflow_does():
    def gen(n):
        raise ValueError("cannot start %d" % n)

    with pytest.raises(tf.errors.InvalidArgumentError, match="^ValueError: cannot start 3$"):
        list(Dataset.from_generator(gen, args=(3,), output_signature=tf.TensorSpec((), tf.int32)))


def test_dropping_a_prefetch_iterator_does_not_wait_for_a_blocked_producer():
    release = threading.Event()

    def slow():
        yield 1
        release.wait(30)  # a generator that blocks (reading a slow source)
        yield 2

    assert wait_for_threads(threading.active_count())
    base = threading.active_count()
    it = iter(Dataset.from_generator(slow, output_signature=tf.TensorSpec((), tf.int64)).prefetch(2))
    assert int(next(it)) == 1
    start = time.monotonic()
    del it
    assert time.monotonic() - start < 5.0
    release.set()  # the producer stops once its generator returns
    assert wait_for_threads(base)


def test_prefetch_propagates_producer_errors():
    def f(v):
        if int(v) == 3:
            raise ValueError("bad element 3")
        return v

    assert wait_for_threads(threading.active_count())
    base = threading.active_count()
    it = iter(Dataset.range(10).map(f).prefetch(2))
    assert [int(next(it)) for _ in range(3)] == [0, 1, 2]
    with pytest.raises(ValueError, match="bad element 3"):
        next(it)
    with pytest.raises(StopIteration):
        next(it)
    del it
    assert wait_for_threads(base)


# ---------------------------------------------------------------- training-style use
def test_training_loop_with_gradient_tape():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 3)).astype(np.float32)
    true_w = np.array([[1.5], [-2.0], [0.5]], np.float32)
    y = x @ true_w
    w = tf.Variable(tf.zeros([3, 1]))
    ds = Dataset.from_tensor_slices((x, y)).shuffle(100, seed=1).batch(32).prefetch(tf.data.AUTOTUNE)
    seen = 0
    for epoch in range(30):
        for xb, yb in ds:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(xb, w) - yb))
            g = tape.gradient(loss, w)
            w.assign_sub(0.1 * g)
            seen += int(xb.shape[0])
    assert seen == 30 * 256
    assert_close(w.numpy(), true_w, atol=1e-3)


def test_large_batches_are_exact_gathers():
    x = np.random.default_rng(1).standard_normal((5000, 50)).astype(np.float32)
    y = np.arange(5000)
    out = list(Dataset.from_tensor_slices((x, y)).shuffle(5000, seed=2).repeat(2).batch(3000))
    assert [int(b[0].shape[0]) for b in out] == [3000, 3000, 3000, 1000]
    idx = np.concatenate([b[1].numpy() for b in out])
    assert_equal(np.concatenate([b[0].numpy() for b in out]), x[idx])
    assert sorted(idx[:5000].tolist()) == list(range(5000)) and sorted(idx[5000:].tolist()) == list(range(5000))
