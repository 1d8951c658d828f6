"""fasttape.train: Checkpoint save/restore over an object graph, restore
status assertions, optimizer slots, deferred restoration, CheckpointManager
and the state file, atomic writes, and the checkpoint readers."""
import collections
import gc
import json
import os
import pathlib
import weakref

import numpy as np
import pytest

import fasttape as tf
from fasttape import train
from ft_testutil import assert_equal


def _files(d):
    return sorted(os.listdir(d))


# ---------------------------------------------------------------- helpers: trackable objects
class FakeModule:
    """An object that reports its Variables and submodules through
    ``_checkpoint_children`` and announces children added later."""

    def __init__(self):
        object.__setattr__(self, "_tracked", collections.OrderedDict())

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        if isinstance(value, (tf.Variable, list, dict)) or hasattr(value, "_checkpoint_children"):
            self._tracked[name] = value
            deferred = self.__dict__.get("_checkpoint_deferred")
            if deferred is not None:
                deferred.child_added(self, name, value)

    def _checkpoint_children(self):
        return collections.OrderedDict(self._tracked)


class Dense(FakeModule):
    """Builds its variables on first call, as Keras-style layers do."""

    def __init__(self, units):
        super().__init__()
        object.__setattr__(self, "units", units)

    def __call__(self, x):
        if "w" not in self._tracked:
            self.w = tf.Variable(tf.ones([x.shape[-1], self.units]))
            self.b = tf.Variable(tf.zeros([self.units]))
        return tf.matmul(x, self.w) + self.b


class FakeOptimizer:
    """Momentum SGD following the optimizer slot protocol."""

    def __init__(self, lr=0.1):
        self.iterations = tf.Variable(0, dtype=tf.int64, trainable=False)
        self.lr = lr
        self._slots = {}  # var.ref() -> (var, {slot name: Variable})
        self.restored = []

    def _checkpoint_children(self):
        return collections.OrderedDict(iterations=self.iterations)

    def _checkpoint_slots(self):
        return [(var, name, slot) for var, slots in self._slots.values() for name, slot in slots.items()]

    def _slot(self, var, name):
        var_slots = self._slots.setdefault(var.ref(), (var, {}))[1]
        if name not in var_slots:
            var_slots[name] = tf.Variable(tf.zeros_like(var), trainable=False)
        return var_slots[name]

    def _restore_slot(self, var, name, value):
        self.restored.append((var, name))
        self._slot(var, name).assign(value)

    def apply_gradients(self, grads_and_vars):
        for g, v in grads_and_vars:
            m = self._slot(v, "m")
            m.assign(0.9 * m + g)
            v.assign_sub(self.lr * m)
        self.iterations.assign_add(1)


# ---------------------------------------------------------------- round trips
def test_save_restore_variables_of_every_dtype(tmp_path):
    values = {
        "f32": np.arange(6, dtype=np.float32).reshape(2, 3),
        "f64": np.array([1.5, -2.25]),
        "i32": np.array([[1, 2], [3, 4]], np.int32),
        "i64": np.int64(2 ** 40),
        "b": np.array([True, False]),
        "empty": np.zeros((0, 2), np.float32),
        "scalar": np.float32(3.5),
    }
    ckpt = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in values.items()})
    path = ckpt.save(tmp_path / "ckpt")
    assert path == str(tmp_path / "ckpt-1")
    fresh = tf.train.Checkpoint(**{k: tf.Variable(np.zeros_like(v)) for k, v in values.items()})
    fresh.restore(path).assert_consumed()
    for k, v in values.items():
        got = getattr(fresh, k)
        assert got.dtype == tf.as_dtype(np.asarray(v).dtype)
        assert_equal(got, np.asarray(v))


def test_restore_assigns_into_existing_variables(tmp_path):
    v = tf.Variable([1.0, 2.0])
    path = tf.train.Checkpoint(v=v).write(str(tmp_path / "w"))
    target = tf.Variable([0.0, 0.0], name="kept", trainable=False)
    tf.train.Checkpoint(v=target).read(path).assert_consumed()
    assert target.name == "kept:0" and target.trainable is False
    assert_equal(target, np.array([1.0, 2.0], np.float32))


def test_nested_containers(tmp_path):
    ckpt = tf.train.Checkpoint(
        model={"layers": [{"w": tf.Variable([[1.0, 2.0]]), "b": tf.Variable([3.0])},
                          (tf.Variable(4), tf.Variable([5, 6], dtype=tf.int64))],
               "scale": tf.Variable(0.5)},
        extras=[[tf.Variable(7.0)]])
    path = ckpt.write(str(tmp_path / "nested"))
    keys = [k for k, _ in tf.train.list_variables(path)]
    assert keys == ["_CHECKPOINTABLE_OBJECT_GRAPH",
                    "extras/0/0/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/layers/0/b/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/layers/0/w/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/layers/1/0/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/layers/1/1/.ATTRIBUTES/VARIABLE_VALUE",
                    "model/scale/.ATTRIBUTES/VARIABLE_VALUE"]
    fresh = tf.train.Checkpoint(
        model={"layers": [{"w": tf.Variable([[0.0, 0.0]]), "b": tf.Variable([0.0])},
                          (tf.Variable(0), tf.Variable([0, 0], dtype=tf.int64))],
               "scale": tf.Variable(0.0)},
        extras=[[tf.Variable(0.0)]])
    fresh.read(path).assert_consumed()
    layers = fresh.model["layers"]
    assert_equal(layers[0]["w"], np.array([[1.0, 2.0]], np.float32))
    assert_equal(layers[0]["b"], np.array([3.0], np.float32))
    assert int(layers[1][0]) == 4
    assert_equal(layers[1][1], np.array([5, 6], np.int64))
    assert float(fresh.model["scale"]) == 0.5 and float(fresh.extras[0][0]) == 7.0


def test_namedtuple_children_by_field_name(tmp_path):
    Pair = collections.namedtuple("Pair", "x y")
    path = tf.train.Checkpoint(n=Pair(tf.Variable(1.0), tf.Variable(2.0))).write(str(tmp_path / "nt"))
    assert [k for k, _ in tf.train.list_variables(path)] == ["_CHECKPOINTABLE_OBJECT_GRAPH",
                                                            "n/x/.ATTRIBUTES/VARIABLE_VALUE",
                                                            "n/y/.ATTRIBUTES/VARIABLE_VALUE"]
    fresh = Pair(tf.Variable(0.0), tf.Variable(0.0))
    tf.train.Checkpoint(n=fresh).read(path).assert_consumed()
    assert (float(fresh.x), float(fresh.y)) == (1.0, 2.0)


def test_non_trackable_values_in_containers_are_skipped(tmp_path):
    v = tf.Variable(1.0)
    path = tf.train.Checkpoint(a=[v, 3, "x"], b={"n": 1.0, "v": v}, c=[1, 2]).write(str(tmp_path / "x"))
    assert [k for k, _ in tf.train.list_variables(path)] == ["_CHECKPOINTABLE_OBJECT_GRAPH",
                                                            "a/0/.ATTRIBUTES/VARIABLE_VALUE"]


def test_names_are_escaped(tmp_path):
    path = tf.train.Checkpoint(b={"a.b/c": tf.Variable(1.0)}).write(str(tmp_path / "e"))
    assert "b/a..b.Sc/.ATTRIBUTES/VARIABLE_VALUE" in dict(tf.train.list_variables(path))
    fresh = tf.train.Checkpoint(b={"a.b/c": tf.Variable(0.0)})
    fresh.read(path).assert_consumed()
    assert float(fresh.b["a.b/c"]) == 1.0


def test_checkpoint_in_checkpoint(tmp_path):
    inner = tf.train.Checkpoint(w=tf.Variable([1.0, 2.0]))
    path = tf.train.Checkpoint(inner=inner, v=tf.Variable(3.0)).write(str(tmp_path / "cc"))
    assert "inner/w/.ATTRIBUTES/VARIABLE_VALUE" in dict(tf.train.list_variables(path))
    fresh = tf.train.Checkpoint(inner=tf.train.Checkpoint(w=tf.Variable([0.0, 0.0])), v=tf.Variable(0.0))
    fresh.read(path).assert_consumed()
    assert_equal(fresh.inner.w, np.array([1.0, 2.0], np.float32))
    assert float(fresh.v) == 3.0


def test_checkpoint_with_root(tmp_path):
    model = FakeModule()
    model.w = tf.Variable([1.0, 2.0])
    opt = FakeOptimizer()
    path = tf.train.Checkpoint(root=model, optimizer=opt).write(str(tmp_path / "r"))
    keys = dict(tf.train.list_variables(path))
    assert "w/.ATTRIBUTES/VARIABLE_VALUE" in keys and "optimizer/iterations/.ATTRIBUTES/VARIABLE_VALUE" in keys
    fresh = FakeModule()
    fresh.w = tf.Variable([0.0, 0.0])
    tf.train.Checkpoint(root=fresh, optimizer=FakeOptimizer()).read(path).assert_consumed()
    assert_equal(fresh.w, np.array([1.0, 2.0], np.float32))
    other = FakeModule()
    other.optimizer = FakeOptimizer()
    with pytest.raises(ValueError, match="Cannot create a Checkpoint with keyword argument optimizer"):
        tf.train.Checkpoint(root=other, optimizer=FakeOptimizer())


def test_attributes_set_later_are_saved(tmp_path):
    ckpt = tf.train.Checkpoint(a=tf.Variable(1.0))
    ckpt.z = tf.Variable(2.0)
    ckpt.note = "not trackable"
    keys = dict(tf.train.list_variables(ckpt.write(str(tmp_path / "later"))))
    assert set(keys) == {"_CHECKPOINTABLE_OBJECT_GRAPH", "a/.ATTRIBUTES/VARIABLE_VALUE",
                         "z/.ATTRIBUTES/VARIABLE_VALUE"}


def test_shared_object_saved_once_and_restored_through_both_paths(tmp_path):
    v = tf.Variable([1.0, 2.0])
    path = tf.train.Checkpoint(a=v, b=[v], c={"k": v}).write(str(tmp_path / "shared"))
    keys = [k for k, _ in tf.train.list_variables(path)]
    assert keys == ["_CHECKPOINTABLE_OBJECT_GRAPH", "a/.ATTRIBUTES/VARIABLE_VALUE"]
    # The same sharing in the program: one Variable, restored once.
    w = tf.Variable([0.0, 0.0])
    tf.train.Checkpoint(a=w, b=[w], c={"k": w}).read(path).assert_consumed()
    assert_equal(w, np.array([1.0, 2.0], np.float32))
    # Distinct objects at the aliased paths all receive the value.
    x, y = tf.Variable([0.0, 0.0]), tf.Variable([0.0, 0.0])
    tf.train.Checkpoint(a=x, b=[y]).read(path).assert_existing_objects_matched()
    assert_equal(x, np.array([1.0, 2.0], np.float32))
    assert_equal(y, np.array([1.0, 2.0], np.float32))
    meta = json.loads(str(np.load(path + ".npz", allow_pickle=False)[train.GRAPH_KEY][()]))
    root = meta["nodes"][0]
    ids = {name: cid for name, cid in root["children"]}
    assert meta["nodes"][ids["b"]]["children"] == [["0", ids["a"]]]


def test_cyclic_graph(tmp_path):
    a = FakeModule()
    b = FakeModule()
    a.v = tf.Variable(1.0)
    a.other = b
    b.other = a
    path = tf.train.Checkpoint(m=a).write(str(tmp_path / "cyc"))
    assert [k for k, _ in tf.train.list_variables(path)] == ["_CHECKPOINTABLE_OBJECT_GRAPH",
                                                            "m/v/.ATTRIBUTES/VARIABLE_VALUE"]
    a.v.assign(5.0)
    tf.train.Checkpoint(m=a).read(path).assert_consumed()
    assert float(a.v) == 1.0


# ---------------------------------------------------------------- save_counter, save and write
def test_save_numbers_and_save_counter(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    prefix = str(tmp_path / "ckpt")
    assert ckpt.save(prefix) == prefix + "-1"
    assert ckpt.save(prefix) == prefix + "-2"
    sc = ckpt.save_counter
    assert isinstance(sc, tf.Variable) and sc.dtype == tf.int64 and sc.name == "save_counter:0"
    assert not sc.trainable and int(sc) == 2
    assert int(tf.train.load_variable(prefix + "-2", "save_counter/.ATTRIBUTES/VARIABLE_VALUE")) == 2
    assert tf.train.latest_checkpoint(str(tmp_path)) == prefix + "-2"
    with open(tmp_path / "checkpoint") as f:
        assert f.read() == 'model_checkpoint_path: "ckpt-2"\nall_model_checkpoint_paths: "ckpt-2"\n'
    # A restored save_counter continues the numbering.
    fresh = tf.train.Checkpoint(v=tf.Variable(0.0))
    fresh.restore(prefix + "-2").assert_consumed()
    assert int(fresh.save_counter) == 2
    assert fresh.save(prefix) == prefix + "-3"


def test_write_has_no_number_and_no_bookkeeping(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    path = ckpt.write(str(tmp_path / "plain"))
    assert path == str(tmp_path / "plain")
    assert _files(tmp_path) == ["plain.npz"]
    assert ckpt._save_counter is None
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_save_creates_directories_and_accepts_pathlike(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    path = ckpt.save(pathlib.Path(tmp_path) / "a" / "b" / "ck")
    assert path == str(tmp_path / "a" / "b" / "ck-1")
    assert tf.train.latest_checkpoint(pathlib.Path(tmp_path) / "a" / "b") == path
    tf.train.Checkpoint(v=tf.Variable(0.0)).restore(pathlib.Path(path)).assert_consumed()


def test_restore_creates_save_counter_as_tensorflow(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).write(str(tmp_path / "w"))
    fresh = tf.train.Checkpoint(v=tf.Variable(0.0))
    status = fresh.restore(path)
    assert int(fresh.save_counter) == 0
    with pytest.raises(AssertionError, match="save_counter"):
        status.assert_consumed()
    # read() does not create it
    fresh2 = tf.train.Checkpoint(v=tf.Variable(0.0))
    fresh2.read(path).assert_consumed()
    assert fresh2._save_counter is None


# ---------------------------------------------------------------- restore status
def test_restore_none_is_a_no_op():
    v = tf.Variable(1.0)
    status = tf.train.Checkpoint(v=v).restore(None)
    assert float(v) == 1.0
    assert status.expect_partial() is status
    for method in ("assert_consumed", "assert_existing_objects_matched", "assert_nontrivial_match"):
        with pytest.raises(AssertionError, match=r"No checkpoint specified \(save_path=None\); nothing is being "
                                                 r"restored\."):
            getattr(status, method)()


def test_status_assertions(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), b=[tf.Variable(3.0), tf.Variable(4.0)]).save(
        str(tmp_path / "ckpt"))
    full = tf.train.Checkpoint(a=tf.Variable([0.0, 0.0]), b=[tf.Variable(0.0), tf.Variable(0.0)]).restore(path)
    assert full.assert_consumed() is full
    assert full.assert_existing_objects_matched() is full
    assert full.assert_nontrivial_match() is full
    assert full.expect_partial() is full

    # Checkpoint values without a Python object.
    partial = tf.train.Checkpoint(a=tf.Variable([0.0, 0.0]), b=[tf.Variable(0.0)]).restore(path)
    partial.assert_existing_objects_matched().assert_nontrivial_match()
    with pytest.raises(AssertionError, match=r"Unresolved object in checkpoint \(root\)\.b\.1: "
                                             r"checkpoint_key: 'b/1/\.ATTRIBUTES/VARIABLE_VALUE'"):
        partial.assert_consumed()
    assert partial.expect_partial() is partial

    # A Python Variable without a checkpoint value.
    extra = tf.Variable(7.0)
    status = tf.train.Checkpoint(a=tf.Variable([0.0, 0.0]), b=[tf.Variable(0.0), tf.Variable(0.0)],
                                 c=extra).restore(path)
    message = (r"Found 1 Python objects that were not bound to checkpointed values, likely due to changes in the "
               r"Python program\. Showing 1 of 1 unmatched objects: \[<fasttape\.Variable 'Variable:0' shape=\(\) "
               r"dtype=float32, numpy=7\.0>\]")
    with pytest.raises(AssertionError, match=message):
        status.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match=message):
        status.assert_consumed()
    status.assert_nontrivial_match()
    assert float(extra) == 7.0


def test_assert_nontrivial_match(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable(1.0)).write(str(tmp_path / "w"))
    other = tf.Variable(0.0)
    with pytest.raises(AssertionError, match="Nothing except the root object matched a checkpointed value"):
        tf.train.Checkpoint(z=other).read(path).assert_nontrivial_match()
    with pytest.raises(AssertionError, match="Nothing to load. No dependencies have been added to"):
        tf.train.Checkpoint().read(path).assert_nontrivial_match()


def test_restore_missing_checkpoint_raises_not_found(tmp_path):
    # TensorFlow's message starts "Error when restoring from checkpoint or SavedModel at <path>: ...".
    with pytest.raises(tf.errors.NotFoundError, match="^Error when restoring from checkpoint at .*nope: Failed to "
                                                      "find any matching files for .*nope"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).restore(str(tmp_path / "nope"))


# ---------------------------------------------------------------- errors
def test_wrong_shape_names_path_and_shapes(tmp_path):
    path = tf.train.Checkpoint(model={"w": tf.Variable([1.0, 2.0])}).write(str(tmp_path / "s"))
    target = tf.Variable([0.0, 0.0, 0.0], name="w")
    with pytest.raises(ValueError, match=r"Received incompatible tensor with shape \(2,\) when attempting to "
                                         r"restore variable with shape \(3,\) and name w:0 \(checkpoint path "
                                         r"'model/w'\)"):
        tf.train.Checkpoint(model={"w": target}).restore(path)
    assert_equal(target, np.zeros(3, np.float32))


def test_wrong_dtype_names_path_and_dtypes(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0])).write(str(tmp_path / "d"))
    # TensorFlow raises InvalidArgumentError (from its RestoreV2 op) here.
    target = tf.Variable([0, 0])
    with pytest.raises(tf.errors.InvalidArgumentError,
                       match=r"tensor_name = a/\.ATTRIBUTES/VARIABLE_VALUE; expected dtype int32 does not equal "
                             r"original dtype float32 \(variable Variable:0, checkpoint path 'a'\)"):
        tf.train.Checkpoint(a=target).restore(path)
    assert_equal(target, np.zeros(2, np.int32))


def test_restore_a_directory_raises_data_loss(tmp_path):
    ckpt = tf.train.Checkpoint(a=tf.Variable(1.0))
    ckpt.save(str(tmp_path / "c"))
    with pytest.raises(tf.errors.DataLossError, match="is a directory.*latest_checkpoint"):
        ckpt.restore(str(tmp_path))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "pickled"])
def test_corrupted_checkpoint_file_raises_data_loss(tmp_path, damage):
    ckpt = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]))
    path = ckpt.write(str(tmp_path / "c"))
    data = (tmp_path / "c.npz").read_bytes()
    if damage == "garbage":
        data = b"not a checkpoint"
    elif damage == "truncated":
        data = data[:len(data) // 2]
    elif damage == "empty":
        data = b""
    else:
        buf = tmp_path / "p.npz"
        np.savez(str(buf), **{train.GRAPH_KEY: np.array([{"x": 1}], dtype=object)})
        data = buf.read_bytes()
    (tmp_path / "c.npz").write_bytes(data)
    ckpt.a.assign([5.0, 6.0])
    with pytest.raises(tf.errors.DataLossError, match="c.npz"):
        ckpt.restore(path)
    assert_equal(ckpt.a, np.array([5.0, 6.0], np.float32))


def test_failed_restore_assigns_nothing(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable(1.0), b=tf.Variable([1.0, 2.0])).write(str(tmp_path / "n"))
    a, b = tf.Variable(0.0), tf.Variable([0.0])
    with pytest.raises(ValueError, match="incompatible tensor"):
        tf.train.Checkpoint(a=a, b=b).read(path)
    assert float(a) == 0.0


def test_not_trackable_errors():
    with pytest.raises(ValueError, match=r"^`Checkpoint` was expecting a to be a trackable object \(an object "
                                         r"derived from `Trackable`\), got 3\. If you believe"):
        tf.train.Checkpoint(a=3)
    with pytest.raises(ValueError, match="expecting root to be a trackable object"):
        tf.train.Checkpoint(root=3)
    with pytest.raises(ValueError, match=r"expecting t to be a trackable object .*got \[1\. 2\.\]"):
        tf.train.Checkpoint(t=tf.constant([1.0, 2.0]))


def test_dict_with_non_string_key_maps_to_trackable(tmp_path):
    ckpt = tf.train.Checkpoint(d={1: tf.Variable(1.0)})
    with pytest.raises(ValueError, match="non-string key"):
        ckpt.write(str(tmp_path / "k"))


# ---------------------------------------------------------------- optimizer slots
def _train_step(model, opt):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model["w"] * model["w"])
    grads = tape.gradient(loss, [model["w"]])
    opt.apply_gradients(zip(grads, [model["w"]]))


def test_optimizer_slots_saved_next_to_variables(tmp_path):
    model = {"w": tf.Variable([1.0, -2.0])}
    opt = FakeOptimizer()
    _train_step(model, opt)
    unsaved = tf.Variable(5.0)
    opt._slot(unsaved, "m")  # a slot of a variable outside the checkpoint: not saved
    path = tf.train.Checkpoint(model=model, optimizer=opt).write(str(tmp_path / "slots"))
    keys = dict(tf.train.list_variables(path))
    assert set(keys) == {"_CHECKPOINTABLE_OBJECT_GRAPH", "model/w/.ATTRIBUTES/VARIABLE_VALUE",
                         "optimizer/iterations/.ATTRIBUTES/VARIABLE_VALUE",
                         "model/w/.OPTIMIZER_SLOT/optimizer/m"}
    assert_equal(tf.train.load_variable(path, "model/w/.OPTIMIZER_SLOT/optimizer/m"),
                 np.array([2.0, -4.0], np.float32))


def test_optimizer_slots_restored_into_unbuilt_optimizer(tmp_path):
    model = {"w": tf.Variable([1.0, -2.0])}
    opt = FakeOptimizer()
    for _ in range(2):
        _train_step(model, opt)
    path = tf.train.Checkpoint(model=model, optimizer=opt).write(str(tmp_path / "slots"))
    saved_m = opt._slot(model["w"], "m").numpy()
    _train_step(model, opt)
    expected = model["w"].numpy()

    model2 = {"w": tf.Variable([0.0, 0.0])}
    opt2 = FakeOptimizer()
    tf.train.Checkpoint(model=model2, optimizer=opt2).read(path).assert_consumed()
    assert int(opt2.iterations) == 2
    assert [(v is model2["w"], name) for v, name in opt2.restored] == [(True, "m")]
    assert_equal(opt2._slot(model2["w"], "m"), saved_m)
    _train_step(model2, opt2)
    np.testing.assert_allclose(model2["w"].numpy(), expected, rtol=1e-6)


def test_slots_wait_for_the_optimizer(tmp_path):
    model = {"w": tf.Variable([1.0, -2.0])}
    opt = FakeOptimizer()
    _train_step(model, opt)
    path = tf.train.Checkpoint(model=model, optimizer=opt).write(str(tmp_path / "slots"))
    ckpt = tf.train.Checkpoint(model={"w": tf.Variable([0.0, 0.0])})
    status = ckpt.read(path)
    with pytest.raises(AssertionError, match=r"Unresolved object in checkpoint \(root\)\.optimizer\.iterations"):
        status.assert_consumed()
    opt2 = FakeOptimizer()
    ckpt.optimizer = opt2  # attached later: deferred restoration
    assert int(opt2.iterations) == 1 and len(opt2.restored) == 1
    status.assert_consumed()


# ---------------------------------------------------------------- deferred restoration
def test_deferred_restoration_of_attributes(tmp_path):
    path = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), b=[tf.Variable(3.0)]).write(str(tmp_path / "d"))
    ckpt = tf.train.Checkpoint()
    status = ckpt.read(path)
    ckpt.a = tf.Variable([0.0, 0.0])
    assert_equal(ckpt.a, np.array([1.0, 2.0], np.float32))
    ckpt.b = [tf.Variable(0.0)]
    assert float(ckpt.b[0]) == 3.0
    status.assert_consumed()
    # Only the first object attached under a name is restored.
    ckpt.a = tf.Variable([5.0, 5.0])
    assert_equal(ckpt.a, np.array([5.0, 5.0], np.float32))


def test_deferred_restoration_through_an_aliased_path(tmp_path):
    v = tf.Variable([1.0, 2.0])
    path = tf.train.Checkpoint(a=v, b=[v]).write(str(tmp_path / "alias"))
    x, y = tf.Variable([0.0, 0.0]), tf.Variable([0.0, 0.0])
    ckpt = tf.train.Checkpoint(a=x)
    ckpt.read(path)
    ckpt.b = [y]
    assert_equal(x, np.array([1.0, 2.0], np.float32))
    assert_equal(y, np.array([1.0, 2.0], np.float32))


def test_deferred_restoration_of_lazily_built_module(tmp_path):
    model = FakeModule()
    model.dense = Dense(2)
    model.dense(tf.ones([1, 3]))
    model.dense.w.assign(np.arange(6, dtype=np.float32).reshape(3, 2))
    model.dense.b.assign([1.0, -1.0])
    path = tf.train.Checkpoint(model=model).save(str(tmp_path / "ckpt"))

    fresh = FakeModule()
    fresh.dense = Dense(2)
    status = tf.train.Checkpoint(model=fresh).restore(path)
    status.assert_existing_objects_matched()  # nothing built yet: nothing unmatched
    with pytest.raises(AssertionError, match="Unresolved object"):
        status.assert_consumed()
    y = fresh.dense(tf.ones([1, 3]))  # builds w and b: they get the saved values
    assert_equal(y, np.array([[7.0, 8.0]], np.float32))
    status.assert_consumed()


def test_deferred_restoration_does_not_keep_parents_alive(tmp_path):
    path = tf.train.Checkpoint(m=[tf.Variable(1.0)], n=tf.Variable(2.0)).write(str(tmp_path / "g"))
    module = FakeModule()
    tf.train.Checkpoint(m=module).read(path)
    ref = weakref.ref(module)
    del module
    gc.collect()
    assert ref() is None


# ---------------------------------------------------------------- CheckpointManager
def test_manager_max_to_keep(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    d = str(tmp_path / "mgr")
    manager = tf.train.CheckpointManager(ckpt, d, max_to_keep=2)
    assert manager.latest_checkpoint is None and manager.checkpoints == [] and manager.directory == d
    paths = []
    for i in range(4):
        ckpt.v.assign(float(i))
        paths.append(manager.save())
    assert paths == [os.path.join(d, "ckpt-%d" % i) for i in (1, 2, 3, 4)]
    assert manager.checkpoints == paths[2:]
    assert manager.latest_checkpoint == paths[3] == tf.train.latest_checkpoint(d)
    assert _files(d) == ["checkpoint", "ckpt-3.npz", "ckpt-4.npz"]
    state = tf.train.get_checkpoint_state(d)
    assert state.model_checkpoint_path == paths[3]
    assert state.all_model_checkpoint_paths == paths[2:]
    assert len(state.all_model_checkpoint_timestamps) == 2
    with open(os.path.join(d, "checkpoint")) as f:
        assert f.read().startswith('model_checkpoint_path: "ckpt-4"\nall_model_checkpoint_paths: "ckpt-3"\n'
                                   'all_model_checkpoint_paths: "ckpt-4"\nall_model_checkpoint_timestamps: ')
    # A new manager picks up the state and keeps deleting.
    again = tf.train.CheckpointManager(ckpt, d, max_to_keep=2)
    assert again.checkpoints == paths[2:] and again.latest_checkpoint == paths[3]
    assert again.save(checkpoint_number=10) == os.path.join(d, "ckpt-10")
    assert int(ckpt.save_counter) == 5
    assert _files(d) == ["checkpoint", "ckpt-10.npz", "ckpt-4.npz"]
    fresh = tf.train.Checkpoint(v=tf.Variable(9.0))
    fresh.restore(again.latest_checkpoint).assert_consumed()
    assert float(fresh.v) == 3.0


def test_manager_keeps_everything_without_max_to_keep(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=None, checkpoint_name="model")
    for _ in range(3):
        manager.save()
    assert _files(tmp_path) == ["checkpoint", "model-1.npz", "model-2.npz", "model-3.npz"]
    assert [os.path.basename(p) for p in manager.checkpoints] == ["model-1", "model-2", "model-3"]
    with pytest.raises(ValueError, match="Expected a positive integer or `None` for `max_to_keep`, got 0."):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=0)


def test_manager_checkpoint_number_from_variable(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    step = tf.Variable(42, dtype=tf.int64)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1)
    assert manager.save(checkpoint_number=step) == str(tmp_path / "ckpt-42")
    assert int(step) == 42


def test_manager_checkpoint_interval(tmp_path):
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    step = tf.Variable(0, dtype=tf.int64)
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=3, step_counter=step,
                                         checkpoint_interval=5)
    assert manager.checkpoint_interval == 5
    saved = {}
    for s in range(12):
        step.assign(s)
        saved[s] = manager.save()
    assert {s: os.path.basename(p) for s, p in saved.items() if p} == {0: "ckpt-1", 5: "ckpt-2", 10: "ckpt-3"}
    assert manager.save() is None  # step 11: under the interval since step 10
    step.assign(10)
    assert manager.save() is None  # step 10 was saved already
    step.assign(11)
    assert manager.save(check_interval=False) == str(tmp_path / "ckpt-4")
    assert manager.save(check_interval=False) is None
    with pytest.raises(ValueError, match="`step_counter` should be passed if `checkpoint_interval` is not None."):
        tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2, checkpoint_interval=3)


def test_manager_keep_checkpoint_every_n_hours(tmp_path, monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(train.time, "time", lambda: clock[0])
    ckpt = tf.train.Checkpoint(v=tf.Variable(0.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=1, keep_checkpoint_every_n_hours=1)
    for _ in range(4):
        clock[0] += 1800.0
        manager.save()
    # Leaving the active set, ckpt-1 (saved at 2800 s) is not an hour after the manager started (999 s):
    # deleted; ckpt-2 (4600 s) is: preserved; ckpt-3 (6400 s) is not an hour after ckpt-2: deleted.
    assert _files(tmp_path) == ["checkpoint", "ckpt-2.npz", "ckpt-4.npz"]
    assert [os.path.basename(p) for p in manager.checkpoints] == ["ckpt-4"]


def test_manager_restore_or_initialize(tmp_path):
    calls = []
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path), max_to_keep=2, init_fn=lambda: calls.append(1))
    assert manager.restore_or_initialize() is None and calls == [1]
    path = manager.save()
    ckpt2 = tf.train.Checkpoint(v=tf.Variable(0.0))
    manager2 = tf.train.CheckpointManager(ckpt2, str(tmp_path), max_to_keep=2, init_fn=lambda: calls.append(2))
    assert manager2.restore_or_initialize() == path and calls == [1]
    assert float(ckpt2.v) == 1.0 and int(ckpt2.save_counter) == 1
    assert manager2.checkpoint is ckpt2


# ---------------------------------------------------------------- latest_checkpoint and the state file
def test_latest_checkpoint_without_checkpoints(tmp_path):
    assert tf.train.latest_checkpoint(str(tmp_path)) is None
    assert tf.train.latest_checkpoint(str(tmp_path / "missing")) is None
    assert tf.train.get_checkpoint_state(str(tmp_path)) is None


def test_latest_checkpoint_skips_a_deleted_checkpoint(tmp_path):
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).save(str(tmp_path / "ckpt"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == path
    os.remove(path + ".npz")
    assert tf.train.latest_checkpoint(str(tmp_path)) is None


def test_state_file_with_unusual_names(tmp_path):
    d = tmp_path / 'dir "quoted" é'
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).save(str(d / 'ck "1" \\ ü'))
    assert tf.train.latest_checkpoint(str(d)) == path
    with open(d / "checkpoint", encoding="utf-8") as f:
        assert '\\"1\\" \\\\ \\303\\274' in f.read()


def test_state_file_absolute_paths_outside_the_directory(tmp_path):
    other = tmp_path / "data"
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).write(str(other / "ck"))
    train._update_checkpoint_state(str(tmp_path / "meta"), path, [path])
    assert tf.train.latest_checkpoint(str(tmp_path / "meta")) == path


# ---------------------------------------------------------------- atomic writes
def _temp_files(d):
    return [n for n in os.listdir(d) if ".tmp-" in n]


def test_failed_save_leaves_no_checkpoint(tmp_path, monkeypatch):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    d = str(tmp_path)
    manager = tf.train.CheckpointManager(ckpt, d, max_to_keep=3)
    first = manager.save()
    real = train._write_npz

    def crash_midway(f, arrays):
        f.write(b"PK\x03\x04 partial archive")
        raise OSError("disk full")

    monkeypatch.setattr(train, "_write_npz", crash_midway)
    with pytest.raises(OSError, match="disk full"):
        manager.save()
    with pytest.raises(OSError, match="disk full"):
        ckpt.save(os.path.join(d, "ckpt"))
    assert _files(d) == ["checkpoint", "ckpt-1.npz"]
    assert tf.train.latest_checkpoint(d) == first == manager.latest_checkpoint
    assert manager.checkpoints == [first]
    assert int(ckpt.save_counter) == 1

    monkeypatch.setattr(train, "_write_npz", real)
    assert manager.save() == os.path.join(d, "ckpt-2")
    assert _files(d) == ["checkpoint", "ckpt-1.npz", "ckpt-2.npz"]


def test_failed_state_update_keeps_previous_latest(tmp_path, monkeypatch):
    ckpt = tf.train.Checkpoint(v=tf.Variable(1.0))
    first = ckpt.save(str(tmp_path / "ckpt"))

    def broken(state):
        raise OSError("no space for the state file")

    monkeypatch.setattr(train, "_state_text", broken)
    with pytest.raises(OSError):
        ckpt.save(str(tmp_path / "ckpt"))
    assert tf.train.latest_checkpoint(str(tmp_path)) == first
    assert not _temp_files(tmp_path)


def test_stale_temporary_files_are_cleaned(tmp_path):
    # Left behind by a process killed mid-write.
    (tmp_path / ".ckpt-1.npz.tmp-abc123").write_bytes(b"junk")
    (tmp_path / ".checkpoint.tmp-xyz").write_bytes(b"junk")
    (tmp_path / "unrelated.tmp").write_bytes(b"keep")
    path = tf.train.Checkpoint(v=tf.Variable(1.0)).save(str(tmp_path / "ckpt"))
    assert _files(tmp_path) == ["checkpoint", "ckpt-1.npz", "unrelated.tmp"]
    tf.train.Checkpoint(v=tf.Variable(0.0)).restore(path).assert_consumed()


def test_files_get_the_usual_permissions(tmp_path):
    mask = os.umask(0o022)
    try:
        path = tf.train.Checkpoint(v=tf.Variable(1.0)).save(str(tmp_path / "ckpt"))
    finally:
        os.umask(mask)
    assert os.stat(path + ".npz").st_mode & 0o777 == 0o644
    assert os.stat(tmp_path / "checkpoint").st_mode & 0o777 == 0o644


def test_overwrite_is_atomic(tmp_path, monkeypatch):
    v = tf.Variable(1.0)
    path = tf.train.Checkpoint(v=v).write(str(tmp_path / "w"))
    v.assign(2.0)

    def crash(f, arrays):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "_write_npz", crash)
    with pytest.raises(KeyboardInterrupt):
        tf.train.Checkpoint(v=v).write(path)
    assert float(tf.train.load_variable(path, "v/.ATTRIBUTES/VARIABLE_VALUE")) == 1.0
    assert _files(tmp_path) == ["w.npz"]


# ---------------------------------------------------------------- file format and readers
def test_file_is_plain_npz_with_json_graph(tmp_path):
    v = tf.Variable([[1.0, 2.0]], name="kernel")
    path = tf.train.Checkpoint(model={"w": v}, alias=v).write(str(tmp_path / "f"))
    with np.load(path + ".npz", allow_pickle=False) as z:
        assert sorted(z.files) == ["_CHECKPOINTABLE_OBJECT_GRAPH", "alias/.ATTRIBUTES/VARIABLE_VALUE"]
        assert_equal(z["alias/.ATTRIBUTES/VARIABLE_VALUE"], np.array([[1.0, 2.0]], np.float32))
        meta = json.loads(str(z["_CHECKPOINTABLE_OBJECT_GRAPH"][()]))
    assert meta["format"] == "fasttape-checkpoint" and meta["version"] == 1
    var = [n for n in meta["nodes"] if "key" in n]
    assert var == [{"path": "alias", "children": [], "key": "alias/.ATTRIBUTES/VARIABLE_VALUE",
                    "dtype": "float32", "shape": [1, 2], "name": "kernel:0"}]


def test_readers(tmp_path):
    ckpt = tf.train.Checkpoint(a=tf.Variable([1.0, 2.0]), n=tf.Variable(3, dtype=tf.int64))
    path = ckpt.save(str(tmp_path / "ckpt"))
    expected = [("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("a/.ATTRIBUTES/VARIABLE_VALUE", [2]),
                ("n/.ATTRIBUTES/VARIABLE_VALUE", []), ("save_counter/.ATTRIBUTES/VARIABLE_VALUE", [])]
    assert tf.train.list_variables(path) == expected
    assert tf.train.list_variables(str(tmp_path)) == expected  # a directory: its latest checkpoint
    assert_equal(tf.train.load_variable(path, "a/.ATTRIBUTES/VARIABLE_VALUE"), np.array([1.0, 2.0], np.float32))
    reader = tf.train.load_checkpoint(path)
    assert reader.has_tensor("n/.ATTRIBUTES/VARIABLE_VALUE") and not reader.has_tensor("zzz")
    assert reader.get_variable_to_dtype_map() == {"a/.ATTRIBUTES/VARIABLE_VALUE": tf.float32,
                                                  "n/.ATTRIBUTES/VARIABLE_VALUE": tf.int64,
                                                  "save_counter/.ATTRIBUTES/VARIABLE_VALUE": tf.int64}
    assert reader.get_variable_to_shape_map()["a/.ATTRIBUTES/VARIABLE_VALUE"] == [2]
    value = reader.get_tensor("n/.ATTRIBUTES/VARIABLE_VALUE")
    assert value.dtype == np.int64 and value == 3
    assert json.loads(reader.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))["nodes"][0]["path"] == ""
    with pytest.raises(tf.errors.NotFoundError, match="Key zzz not found in checkpoint"):
        reader.get_tensor("zzz")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file or checkpoints"):
        tf.train.list_variables(str(tmp_path / "empty"))


def test_train_is_a_lazy_submodule():
    assert tf.train is train
    assert {"Checkpoint", "CheckpointManager", "latest_checkpoint", "list_variables", "load_variable",
            "load_checkpoint"} <= set(train.__all__)
