"""fasttape.Module and fasttape.name_scope: TensorFlow's names, scoped
variable names and attribute walking."""
import collections

import numpy as np
import pytest

import fasttape as tf


class Dense(tf.Module):
    def __init__(self, n_in, n_out, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.w = tf.Variable(tf.ones([n_in, n_out]), name="w")
            self.b = tf.Variable(tf.zeros([n_out]), name="b")

    @tf.Module.with_name_scope
    def __call__(self, x):
        self.last_scope_var = tf.Variable(0.0, trainable=False, name="seen")
        return tf.matmul(x, self.w) + self.b


class MLP(tf.Module):
    def __init__(self, name=None):
        super().__init__(name=name)
        with self.name_scope:
            self.layers = [Dense(3, 4, name="dense_0"), Dense(4, 2, name="dense_1")]
            self.scale = {"beta": tf.Variable(1.0, name="beta"), "alpha": tf.Variable(2.0, trainable=False,
                                                                                      name="alpha")}

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x * self.scale["beta"]


def test_names_and_scopes():
    m = MLP()
    assert m.name == "mlp"
    assert m.layers[0].w.name == "mlp/dense_0/w:0"
    assert m.scale["beta"].name == "mlp/beta:0"
    assert m.name_scope.name == "mlp/"
    m(tf.ones([1, 3]))
    assert m.layers[1].last_scope_var.name == "mlp/dense_1/seen:0"
    assert Dense(1, 1).name == "dense"

    class HTTPServerModule(tf.Module):
        pass

    assert HTTPServerModule().name == "http_server_module"
    with pytest.raises(ValueError, match="not a valid module name"):
        tf.Module(name="a b")


def test_name_scope_nesting():
    with tf.name_scope("a") as s1:
        assert s1 == "a/"
        with tf.name_scope("b") as s2:
            assert s2 == "a/b/"
            assert tf.Variable(1.0, name="w").name == "a/b/w:0"
            assert tf.Variable(1.0).name == "a/b/Variable:0"
            with tf.name_scope("top/") as s3:
                assert s3 == "top/"
            with tf.name_scope("") as s4:
                assert s4 == ""
                assert tf.Variable(1.0, name="v").name == "v:0"
    assert tf.Variable(1.0, name="v").name == "v:0"
    with pytest.raises(ValueError, match="must be a string"):
        tf.name_scope(3)


def test_variables_walk_in_tensorflow_order():
    m = MLP()
    names = [v.name for v in m.variables]
    # Own leaves first (attributes sorted: layers before scale; dict keys
    # sorted), then each submodule's variables.
    assert names == ["mlp/alpha:0", "mlp/beta:0", "mlp/dense_0/b:0", "mlp/dense_0/w:0", "mlp/dense_1/b:0",
                     "mlp/dense_1/w:0"]
    assert [v.name for v in m.trainable_variables] == [n for n in names if "alpha" not in n]
    assert [v.name for v in m.non_trainable_variables] == ["mlp/alpha:0"]
    assert [s.name for s in m.submodules] == ["dense_0", "dense_1"]


def test_shared_and_cyclic_references_are_visited_once():
    a = Dense(1, 1, name="a")
    holder = tf.Module(name="holder")
    holder.x = a
    holder.y = [a, a.w]
    holder.me = holder
    assert len(holder.variables) == 2
    assert holder.submodules == (a,)


def test_training_with_module_and_gradients():
    m = MLP()
    x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3))
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(m(x))
    grads = tape.gradient(loss, m.trainable_variables)
    assert all(g is not None for g in grads)
    # d loss / d beta = sum of the network output before scaling.
    out = x.numpy() @ np.ones((3, 4)) @ np.ones((4, 2))
    np.testing.assert_allclose(grads[0].numpy(), out.sum(), rtol=1e-6)


def test_flatten_with_path():
    m = MLP()
    paths = {p: v.name for p, v in m._flatten(predicate=lambda v: tf.is_tensor(v) or hasattr(v, "assign"),
                                               with_path=True)}
    assert paths[("layers", 0, "w")] == "mlp/dense_0/w:0"
    assert paths[("scale", "alpha")] == "mlp/alpha:0"


def test_flatten_paths_name_namedtuple_fields():
    P = collections.namedtuple("P", "b a")

    class M(tf.Module):
        def __init__(self):
            super().__init__()
            self.p = P(tf.Variable(1.0), tf.Variable(2.0))
            self.m = {2: tf.Variable(3.0), 1: tf.Variable(4.0)}

    paths = [p for p, _ in M()._flatten(predicate=lambda x: isinstance(x, tf.Variable), with_path=True)]
    assert paths == [("m", 1), ("m", 2), ("p", "b"), ("p", "a")]


def test_unsortable_attribute_raises_tensorflows_error():
    m = tf.Module()
    m.layers = {"x": tf.Module(name="a"), 3: tf.Variable(1.0)}
    with pytest.raises(ValueError, match="^Error processing property 'layers' of ") as e:
        m.submodules
    assert isinstance(e.value.__cause__, TypeError)
