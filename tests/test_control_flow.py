"""Control flow (cond, case, switch_case, while_loop, map_fn, scan, folds,
vectorized_map), recompute_grad, grad_pass_through and the small eager
utilities: TensorFlow 2.21's eager results and errors, and gradients
checked against finite differences in float64 (to second order where
natural)."""
import collections

import numpy as np
import pytest

import fasttape as tf
from fasttape.errors import InvalidArgumentError


def _c(v):
    return tf.constant(np.asarray(v, dtype=np.float64))


def _fd(f, x, eps=1e-6):
    """Central difference of the scalar function f at the float x."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def _grad(f, x):
    x = _c(x)
    with tf.GradientTape() as t:
        t.watch(x)
        y = f(x)
    return t.gradient(y, x).numpy()


def _grad2(f, x):
    x = _c(x)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = f(x)
        g = t1.gradient(y, x)
    return g.numpy(), t2.gradient(g, x).numpy()


def _value(f):
    return lambda v: float(f(_c(v)).numpy())


# ---------------------------------------------------------------- cond / case / switch_case
def test_cond_runs_one_branch():
    calls = []
    out = tf.cond(tf.constant(True), lambda: calls.append("t") or 1, lambda: calls.append("f") or 2)
    assert out == 1 and calls == ["t"]
    assert tf.cond(False, lambda: (1, [2]), lambda: (3, [4])) == (3, [4])
    assert tf.cond(1, lambda: "a", lambda: "b") == "a"
    assert tf.cond(tf.constant(0.0) > 1.0, true_fn=lambda: 1, false_fn=lambda: 2) == 2


def test_cond_errors():
    with pytest.raises(TypeError, match=r"^'true_fn' must be callable\.$"):
        tf.cond(True, 1, lambda: 2)
    with pytest.raises(TypeError, match=r"^'false_fn' must be callable\.$"):
        tf.cond(True, lambda: 1, 2)
    with pytest.raises(TypeError, match=r"^cond\(\): 'false_fn' argument required$"):
        tf.cond(True, lambda: 1)
    with pytest.raises(TypeError, match=r"^cond\(\): 'true_fn' argument required$"):
        tf.cond(True, false_fn=lambda: 1)
    with pytest.raises(ValueError, match="more than one element"):
        tf.cond(tf.constant([True, False]), lambda: 1, lambda: 2)


def test_cond_gradients():
    def f(x):
        return tf.cond(x > 0, lambda: x ** 3, lambda: tf.sin(x))

    for x0 in (0.7, -0.4):
        g, h = _grad2(f, x0)
        np.testing.assert_allclose(g, _fd(_value(f), x0), rtol=1e-7)
        np.testing.assert_allclose(h, 6 * x0 if x0 > 0 else -np.sin(x0), rtol=1e-12)


def test_case():
    f, t = tf.constant(False), tf.constant(True)
    assert tf.case([(f, lambda: 1), (t, lambda: 2)], default=lambda: 3) == 2
    assert tf.case([(f, lambda: 1)], default=lambda: 3) == 3
    assert tf.case([(t, lambda: 1), (t, lambda: 2)]) == 1
    assert tf.case([(t, lambda: 1), (t, lambda: 2)], exclusive=True) == 1  # as TensorFlow's eager case
    assert tf.case(((f, lambda: 1), (t, lambda: 2))) == 2
    with pytest.raises(InvalidArgumentError) as e:
        tf.case([(f, lambda: 1)])
    assert str(e.value) == ("Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized data: b'Input "
                            "error: None of conditions evaluated as True:'\nFalse")
    with pytest.raises(TypeError, match=r"^pred must be a Tensor, got: True$"):
        tf.case([(True, lambda: 1)])
    with pytest.raises(TypeError, match=r"^'pred_fn_pairs' must be a list, tuple, or dict\. Received: <class 'int'>$"):
        tf.case(5)
    with pytest.raises(TypeError, match="must be callable"):
        tf.case([(t, 1)])
    with pytest.raises(ValueError):
        tf.case([])


def test_switch_case():
    assert tf.switch_case(tf.constant(1), [lambda: 10, lambda: 11]) == 11
    assert tf.switch_case(tf.constant(5), [lambda: 10, lambda: 11]) == 11  # out of range: the last branch
    assert tf.switch_case(tf.constant(-1), [lambda: 10, lambda: 11], default=lambda: 99) == 99
    assert tf.switch_case(tf.constant(0, tf.int64), {1: lambda: "b", 0: lambda: "a"}) == "a"
    assert tf.switch_case(tf.constant(1), [(0, lambda: "a"), (1, lambda: "b")]) == "b"
    with pytest.raises(TypeError, match=r"^'branch_index' must be a Tensor, got <class 'int'>$"):
        tf.switch_case(1, [lambda: 10])
    with pytest.raises(TypeError, match=r"^'branch_index' must be an integer Tensor, got <dtype: 'float32'>$"):
        tf.switch_case(tf.constant(1.0), [lambda: 10])
    with pytest.raises(ValueError, match=r"^branch indices \(keys\) must form contiguous range of \[0 to 2\) but found "
                                         r"\{0,3\}$"):
        tf.switch_case(tf.constant(1), {0: lambda: 10, 3: lambda: 11})
    with pytest.raises(ValueError):
        tf.switch_case(tf.constant(1), [])
    with pytest.raises(TypeError, match="must be callable"):
        tf.switch_case(tf.constant(0), [1])


def test_switch_case_gradient():
    fns = [lambda x: x * x, lambda x: tf.exp(x)]
    for i in (0, 1):
        g = _grad(lambda x: tf.switch_case(tf.constant(i), [lambda: fns[0](x), lambda: fns[1](x)]), 0.3)
        np.testing.assert_allclose(g, [0.6, np.exp(0.3)][i], rtol=1e-12)


# ---------------------------------------------------------------- while_loop
def test_while_loop_structures():
    (i,) = tf.while_loop(lambda i: i < 5, lambda i: (i + 1,), (0,))
    assert i.dtype == tf.int32 and int(i) == 5
    out = tf.while_loop(lambda i, j: i < 5, lambda i, j: (i + 1, j * 2), (0, 1))
    assert isinstance(out, tuple) and [int(v) for v in out] == [5, 32]
    out = tf.while_loop(lambda i, j: i < 5, lambda i, j: [i + 1, j * 2], (0, 1))
    assert isinstance(out, list) and [int(v) for v in out] == [5, 32]
    out = tf.while_loop(lambda i: False, lambda i: (i + 1,), (0,))
    assert isinstance(out, tuple) and out[0].dtype == tf.int32 and int(out[0]) == 0  # converted, as TensorFlow
    (x,) = tf.while_loop(lambda x: x < 3, lambda x: (x + 1,), (0.5,))
    assert x.dtype == tf.float32 and float(x) == 3.5
    (i,) = tf.while_loop(lambda i: i < 3, lambda i: (i + 1,), (0,), maximum_iterations=2)
    assert int(i) == 2
    P = collections.namedtuple("P", "i acc")
    (p,) = tf.while_loop(lambda p: p.i < 4, lambda p: (P(p.i + 1, p.acc + p.i),), [P(tf.constant(0), tf.constant(0))])
    assert isinstance(p, P) and int(p.i) == 4 and int(p.acc) == 6
    out = tf.while_loop(lambda d: d["i"] < 3, lambda d: [{"i": d["i"] + 1, "s": d["s"] * 2.0}],
                        [{"i": 0, "s": 1.0}])
    assert int(out[0]["i"]) == 3 and float(out[0]["s"]) == 8.0
    (v,) = tf.while_loop(lambda v: v < 2.0, lambda v: (v + 1.0,), (tf.Variable(0.0),))
    assert float(v) == 2.0


def test_while_loop_errors():
    with pytest.raises(TypeError, match=r"^'cond' must be callable\.$"):
        tf.while_loop(1, lambda i: i + 1, [0])
    with pytest.raises(TypeError, match=r"^'body' must be callable\.$"):
        tf.while_loop(lambda i: i < 5, 1, [0])
    with pytest.raises(ValueError, match=r"^'loop_vars' must be provided\.$"):
        tf.while_loop(lambda i: i < 5, lambda i: i + 1, [])
    # TensorFlow 2's eager loop: a body for [x] must return a list or tuple.
    with pytest.raises(TypeError, match="'int' object is not iterable"):
        tf.while_loop(lambda i: i < 5, lambda i: i + 1, [0])
    with pytest.raises(TypeError, match="Cannot iterate over a scalar tensor"):
        tf.while_loop(lambda i: i < 5, lambda i: i + 1, [tf.constant(0)])
    with pytest.raises(ValueError) as e:
        tf.while_loop(lambda i, j: i < 5, lambda i, j: (i + 1,), (0, 1))
    assert str(e.value).startswith(
        "The two structures don't have the same nested structure.\n\nFirst structure: type=list str=[TensorSpec("
        "shape=(), dtype=tf.int32, name=None), TensorSpec(shape=(), dtype=tf.int32, name=None)]\n\nSecond structure: "
        "type=list str=[1]\n\nMore specifically: The two structures don't have the same number of elements.")
    with pytest.raises(ValueError, match="more than one element"):
        tf.while_loop(lambda i: tf.constant([True, True]), lambda i: (i + 1,), (0,))


def _newton_sqrt(a):
    # x <- (x + a / x) / 2, ten times from x = a: converges to sqrt(a).
    _, x = tf.while_loop(lambda k, x: k < 10, lambda k, x: (k + 1, 0.5 * (x + a / x)), (0, a))
    return x


def test_while_loop_newton_gradients():
    for a0 in (2.0, 5.0):
        y = _newton_sqrt(_c(a0))
        np.testing.assert_allclose(y.numpy(), np.sqrt(a0), rtol=1e-14)
        g, h = _grad2(_newton_sqrt, a0)
        np.testing.assert_allclose(g, _fd(_value(_newton_sqrt), a0), rtol=1e-7)
        np.testing.assert_allclose(g, 0.5 / np.sqrt(a0), rtol=1e-12)
        np.testing.assert_allclose(h, -0.25 * a0 ** -1.5, rtol=1e-10)


def test_while_loop_back_prop_false():
    x = _c(2.0)
    with tf.GradientTape() as t:
        t.watch(x)
        (y,) = tf.while_loop(lambda v: v < 10.0, lambda v: (v * x,), (x,), back_prop=False)
    assert t.gradient(y, x) is None


# ---------------------------------------------------------------- map_fn / scan / folds / vectorized_map
def test_map_fn_values():
    out = tf.map_fn(lambda x: x * 2, tf.constant([1.0, 2.0]))
    assert out.dtype == tf.float32 and out.numpy().tolist() == [2.0, 4.0]
    out = tf.map_fn(lambda x: x[0] * x[1], (tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])),
                    fn_output_signature=tf.float32)
    assert out.numpy().tolist() == [3.0, 8.0]
    a, b = tf.map_fn(lambda x: (x, x * x), tf.constant([1.0, 2.0]), fn_output_signature=(tf.float32, tf.float32))
    assert a.numpy().tolist() == [1.0, 2.0] and b.numpy().tolist() == [1.0, 4.0]
    out = tf.map_fn(lambda x: tf.cast(x, tf.int32), tf.constant([1.5, 2.5]), fn_output_signature=tf.int32)
    assert out.dtype == tf.int32 and out.numpy().tolist() == [1, 2]
    out = tf.map_fn(lambda x: 5, tf.constant([1.0, 2.0]))  # Python values take the signature's dtype
    assert out.dtype == tf.float32 and out.numpy().tolist() == [5.0, 5.0]
    out = tf.map_fn(lambda x: {"b": x, "a": 2 * x}, tf.constant([1.0, 2.0]),
                    fn_output_signature={"b": tf.float32, "a": tf.float32})
    assert out["a"].numpy().tolist() == [2.0, 4.0] and list(out) == ["b", "a"]
    out = tf.map_fn(lambda r: tf.reduce_sum(r), tf.constant(np.arange(6.0).reshape(3, 2)))
    assert out.shape == (3,) and out.numpy().tolist() == [1.0, 5.0, 9.0]
    out = tf.map_fn(lambda x: x * 2, tf.constant([1.0, 2.0]), dtype=tf.float32)
    assert out.numpy().tolist() == [2.0, 4.0]
    assert tf.map_fn(lambda x: x, tf.zeros((0,))).shape == (0,)
    spec = tf.TensorSpec(shape=[2], dtype=tf.float32)
    out = tf.map_fn(lambda x: tf.stack([x, x]), tf.constant([1.0, 2.0]), fn_output_signature=spec)
    assert out.dtype == tf.float32 and out.shape == (2, 2)
    assert tf.map_fn(lambda x: tf.stack([x, x]), tf.zeros((0,)), fn_output_signature=spec).shape == (0, 2)


def test_map_fn_errors():
    with pytest.raises(InvalidArgumentError, match=r"^TensorArray dtype is float32 but Op is trying to write dtype "
                                                    r"int32 $"):
        tf.map_fn(lambda x: tf.cast(x, tf.int32), tf.constant([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"^Elements in elems must be 1\+ dimensional Tensors, not scalars$"):
        tf.map_fn(lambda x: x, tf.constant(1.0))
    with pytest.raises(ValueError, match=r"^Dimensions 1 and 2 are not compatible$"):
        tf.map_fn(lambda x: x, (tf.constant([1.0]), tf.constant([1.0, 2.0])))
    with pytest.raises(ValueError, match=r"^elems must be a Tensor or \(possibly nested\) sequence of Tensors\. Got "
                                         r"\[\], which does not contain any Tensors\.$"):
        tf.map_fn(lambda x: x, [])
    with pytest.raises(ValueError, match=r"^Incompatible shape for value \(\(2,\)\), expected \(\(1,\)\)$"):
        tf.map_fn(lambda x: tf.range(x), tf.constant([1, 2]))
    with pytest.raises(ValueError, match="don't have the same nested structure"):
        tf.map_fn(lambda x: (x, x), tf.constant([1.0, 2.0]))
    with pytest.raises(TypeError):
        tf.map_fn(1, tf.constant([1.0]))


def test_map_fn_gradients_to_second_order():
    x0 = np.array([0.5, -1.5, 2.0])
    g, h = _grad2(lambda x: tf.reduce_sum(tf.map_fn(lambda e: e ** 2, x)), x0)
    np.testing.assert_allclose(g, 2 * x0, rtol=1e-15)
    np.testing.assert_allclose(h, [2.0, 2.0, 2.0], rtol=1e-15)
    w = _c([1.0, 2.0, 3.0])

    def f(x):
        return tf.reduce_sum(tf.map_fn(lambda e: tf.sin(e[0]) * e[1], (x, w), fn_output_signature=tf.float64))

    g = _grad(f, x0)
    for k in range(3):
        fk = lambda v, k=k: float(f(_c(np.where(np.arange(3) == k, v, x0))).numpy())  # noqa: E731
        np.testing.assert_allclose(g[k], _fd(fk, x0[k]), rtol=1e-7)


def test_scan_and_folds():
    x = tf.constant([1, 2, 3, 4])
    assert tf.scan(lambda a, v: a + v, x).numpy().tolist() == [1, 3, 6, 10]
    assert tf.scan(lambda a, v: a + v, x, initializer=tf.constant(10), reverse=True).numpy().tolist() == [20, 19, 17,
                                                                                                        14]
    s, p = tf.scan(lambda a, v: (a[0] + v, a[1] * v), tf.constant([1, 2, 3]), initializer=(0, 1))
    assert s.numpy().tolist() == [1, 3, 6] and p.numpy().tolist() == [1, 2, 6]
    assert int(tf.foldl(lambda a, v: a - v, x)) == -8
    assert int(tf.foldr(lambda a, v: a - v, x)) == -2
    assert int(tf.foldl(lambda a, v: a - v, x, initializer=10)) == 0
    out = tf.foldl(lambda a, v: a + v[0] * v[1], (tf.constant([1.0, 2.0]), tf.constant([3.0, 4.0])), initializer=0.0)
    assert float(out) == 11.0
    assert float(tf.foldl(lambda a, v: a + v, tf.zeros((0,)), initializer=1.0)) == 1.0
    with pytest.raises(tf.errors.OutOfRangeError):
        tf.foldl(lambda a, v: a + v, tf.zeros((0,)))


def test_scan_fold_gradients():
    x0 = np.array([0.3, 1.2, -0.7])

    def cumprod_sum(x):
        return tf.reduce_sum(tf.scan(lambda a, v: a * v, x))

    def fold(x):
        return tf.foldr(lambda a, v: tf.sin(a) + v, x, initializer=_c(0.1))

    for f in (cumprod_sum, fold):
        g = _grad(f, x0)
        for k in range(3):
            fk = lambda v, k=k, f=f: float(f(_c(np.where(np.arange(3) == k, v, x0))).numpy())  # noqa: E731
            np.testing.assert_allclose(g[k], _fd(fk, x0[k]), rtol=1e-6)


def test_vectorized_map():
    out = tf.vectorized_map(lambda x: x * 2, tf.constant([1.0, 2.0]))
    assert out.numpy().tolist() == [2.0, 4.0]
    out = tf.vectorized_map(lambda x: x[0] + x[1], (tf.constant([1.0]), tf.constant([2.0])))
    assert out.numpy().tolist() == [3.0]
    out = tf.vectorized_map(lambda r: tf.cast(tf.reduce_sum(r), tf.int32), tf.constant(np.arange(6.0).reshape(3, 2)))
    assert out.dtype == tf.int32 and out.numpy().tolist() == [1, 5, 9]
    assert tf.vectorized_map(lambda r: tf.reduce_sum(r), tf.zeros((0, 3))).shape == (0,)
    x0 = np.array([0.5, 1.0])
    g, h = _grad2(lambda x: tf.reduce_sum(tf.vectorized_map(lambda e: e ** 3, x)), x0)
    np.testing.assert_allclose(g, 3 * x0 ** 2, rtol=1e-14)
    np.testing.assert_allclose(h, 6 * x0, rtol=1e-14)


# ---------------------------------------------------------------- recompute_grad / grad_pass_through
N = 1 << 20  # 4 MiB of float32 per tensor: big buffers, which the core counts
MB4 = N * 4


def _stats(reset=False):
    return tf._core._big_buffer_stats(reset)


def _chain(y):
    for _ in range(20):
        y = tf.sin(y) * 1.01
    return y


def _held_and_grad(f, x):
    base = _stats(reset=True)["live_bytes"]
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(f(x))
    held = _stats()["live_bytes"] - base
    return held, tape.gradient(loss, x).numpy()


def test_recompute_grad_holds_only_inputs_and_outputs():
    x = tf.constant(np.linspace(-1, 1, N, dtype=np.float32))
    held_plain, g_plain = _held_and_grad(_chain, x)
    held_rc, g_rc = _held_and_grad(tf.recompute_grad(_chain), x)
    assert held_plain >= 19 * MB4  # the 20 inputs of sin, less x itself
    assert held_rc <= MB4  # the output only (x was there before)
    np.testing.assert_array_equal(g_rc, g_plain)


def test_recompute_grad_with_variables():
    x = tf.constant(np.linspace(-1, 1, N, dtype=np.float32))
    v = tf.Variable(np.linspace(0, 1, N, dtype=np.float32))
    rc = tf.recompute_grad(lambda x: _chain(x * v))
    base = _stats(reset=True)["live_bytes"]
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(rc(x))
    assert _stats()["live_bytes"] - base <= MB4
    gx, gv = tape.gradient(loss, [x, v])
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.reduce_sum(_chain(x * v))
    hx, hv = tape.gradient(loss, [x, v])
    np.testing.assert_array_equal(gx.numpy(), hx.numpy())
    np.testing.assert_array_equal(gv.numpy(), hv.numpy())


def test_recompute_grad_second_order_and_structures():
    f = tf.recompute_grad(lambda x: x ** 3)
    for x0 in (0.5, -2.0):
        g, h = _grad2(f, x0)
        np.testing.assert_allclose(g, 3 * x0 ** 2, rtol=1e-15)
        np.testing.assert_allclose(h, 6 * x0, rtol=1e-15)
    pair = tf.recompute_grad(lambda a, b, scale=1.0: {"s": (a + b) * scale, "p": a * b})
    a, b = _c(2.0), _c(3.0)
    with tf.GradientTape() as t:
        t.watch([a, b])
        out = pair(a, b, scale=2.0)
        y = out["s"] + out["p"]
    ga, gb = t.gradient(y, [a, b])
    assert float(ga) == 2.0 + 3.0 and float(gb) == 2.0 + 2.0


def test_recompute_grad_plain_call_errors_and_scope():
    f = tf.recompute_grad(lambda x: x * 2.0)
    assert float(f(tf.constant(1.5))) == 3.0  # no tape active

    def bad(x):
        raise KeyError("inside f")

    with pytest.raises(KeyError, match="inside f"):
        tf.recompute_grad(bad)(tf.constant(1.0))
    names = []

    def make(x):
        v = tf.Variable(1.0, name="w")
        names.append(v.name)
        return x * v

    with tf.name_scope("outer"):
        tf.recompute_grad(make)(tf.constant(1.0))
    assert names == ["outer/w:0"]  # the forward runs in the caller's name scope


def test_grad_pass_through():
    x = _c([0.4, 1.6])
    with tf.GradientTape() as t:
        t.watch(x)
        y = tf.grad_pass_through(tf.round)(x) * 3.0
    assert y.numpy().tolist() == [0.0, 6.0]
    assert t.gradient(y, x).numpy().tolist() == [3.0, 3.0]
    v = tf.Variable(np.array([1.0, 2.0]))
    with tf.GradientTape() as t:
        t.watch(x)
        z = tf.grad_pass_through(lambda a: v.assign(a))(x)
        loss = tf.reduce_sum(tf.convert_to_tensor(z) * 2.0)
    assert t.gradient(loss, x).numpy().tolist() == [2.0, 2.0]
    assert v.numpy().tolist() == [0.4, 1.6]


# ---------------------------------------------------------------- eager utilities
def test_get_static_value():
    np.testing.assert_array_equal(tf.get_static_value(tf.constant([1, 2])), [1, 2])
    assert tf.get_static_value(5) == 5
    assert tf.get_static_value(None) is None
    assert tf.get_static_value(tf.Variable(1.0)) is None
    a = np.array([1.0])
    assert tf.get_static_value(a) is a
    assert tf.get_static_value(tf.constant([1, 2]), partial=True).tolist() == [1, 2]


def test_executing_eagerly_and_no_ops():
    assert tf.executing_eagerly() is True
    # fasttape's functions run eagerly (TensorFlow's traced ones see False);
    # the returned bool comes back as a tensor, as from any tf.function.
    out = tf.function(lambda: tf.executing_eagerly())()
    assert out.dtype == tf.bool and bool(out) is True
    assert tf.no_op() is None
    assert tf.group(tf.constant(1), tf.constant(2)) is None
    t = tf.constant(1)
    out = tf.tuple([t, None])
    assert isinstance(out, list) and out[0] is t and out[1] is None
    calls = []
    with tf.control_dependencies([lambda: calls.append(1), t]) as c:
        assert c is None
    assert calls == [1]


@pytest.mark.parametrize("name", ["/cpu:0", "/CPU:0", "/device:CPU:0", "/job:localhost/replica:0/task:0/device:CPU:0",
                                  "cpu", "CPU:0", "", None, "/job:localhost"])
def test_device_accepts_cpu(name):
    with tf.device(name) as d:
        assert d is None
        assert float(tf.constant(1.0) + 1.0) == 2.0


@pytest.mark.parametrize("name", ["/GPU:0", "gpu", "/device:GPU:1", "/job:localhost/replica:0/task:0/device:GPU:0",
                                  "/TPU:0"])
def test_device_rejects_accelerators(name):
    with pytest.raises(ValueError, match="fasttape runs on the CPU only"):
        with tf.device(name):
            pass


def test_device_rejects_garbage_and_functions():
    with pytest.raises(ValueError, match=r"^Unknown attribute 'bogus' is encountered while parsing the device spec: "
                                         r"'bogus'\.$"):
        with tf.device("bogus"):
            pass
    with pytest.raises(RuntimeError, match="does not support functions"):
        with tf.device(lambda op: "/cpu:0"):
            pass


def test_top_level_names():
    for name in ("cond", "case", "switch_case", "while_loop", "map_fn", "scan", "foldl", "foldr", "vectorized_map",
                 "recompute_grad", "grad_pass_through", "get_static_value", "executing_eagerly", "device", "no_op",
                 "group", "tuple", "control_dependencies", "print"):
        assert name in tf.__all__ and callable(getattr(tf, name))
