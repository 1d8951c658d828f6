"""The elementwise op registry is the one source of the ops' Python names:
every entry is bound in _core, placed in the namespaces it declares, listed
in the op table (with its gradient op), in the generated stub and in the
README's op list. Also the values of the ops added through it (tan, atan2),
from their documented maths."""
import math
import os

import numpy as np
import pytest

import fasttape as tf
from fasttape import _core

import stubgen

ENTRIES = _core.elementwise_ops()
NAMES = [e["name"] for e in ENTRIES]
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir)


def test_registry_lists_the_elementwise_ops():
    assert len(set(NAMES)) == len(NAMES)
    for n in ["tanh", "sin", "exp", "relu", "tan", "atan2", "negative", "floor"]:
        assert n in NAMES
    for e in ENTRIES:
        assert set(e["namespaces"]) <= {"top", "math", "nn"} and e["namespaces"], e
        assert e["arity"] in (1, 2)


@pytest.mark.parametrize("space, module", [("top", tf), ("math", tf.math), ("nn", tf.nn)])
def test_each_entry_is_in_its_namespaces(space, module):
    for e in ENTRIES:
        f = getattr(module, e["name"], None)
        if space in e["namespaces"]:
            assert f is getattr(_core, e["name"]), (space, e["name"])
            assert e["name"] in module.__all__, (space, e["name"])
        elif f is not None:
            # a name outside the entry's namespaces may only be another object
            assert f is not getattr(_core, e["name"]), (space, e["name"])


def test_tensorflow_placement():
    # TensorFlow 2 has tf.math.log but no tf.log; tf.nn.relu but no tf.relu.
    assert not hasattr(tf, "log") and not hasattr(tf, "relu")
    assert tf.math.log is _core.log and tf.nn.relu is _core.relu
    assert tf.tanh is tf.math.tanh is tf.nn.tanh
    assert tf.atan2 is tf.math.atan2 and tf.tan is tf.math.tan


def test_every_entry_and_gradient_op_is_in_the_op_table():
    table = set(_core.registered_ops())
    for e in ENTRIES:
        assert e["name"] in table, e["name"]
        if e["grad"]:
            assert e["grad"] in table, e["grad"]
            assert callable(getattr(_core, e["grad"]))
            assert "gradient op of " + e["name"] in getattr(_core, e["grad"]).__doc__


def test_every_entry_has_a_docstring_naming_its_arguments():
    for e in ENTRIES:
        doc = getattr(_core, e["name"]).__doc__
        assert doc.startswith(e["name"] + "("), doc
        assert len(doc.splitlines()) > 1, e["name"]  # a line of text after the signature


def test_stub_is_generated_from_the_built_module():
    import ast

    with open(stubgen.STUB) as f:
        text = f.read()
    assert text == stubgen.generate(), "_core.pyi is out of date: run python tests/stubgen.py"
    tree = ast.parse(text)  # and it is valid Python
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    public = {k for k in vars(_core) if not k.startswith("__")} - {"_OpFunction"}  # the functions' wrapper type
    assert public <= defined, sorted(public - defined)
    assert {e["name"] for e in ENTRIES} <= defined


def test_readme_op_list_names_every_entry():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    listed = text[text.index("## What is there"):text.index("## Layout")]
    words = set(listed.replace("`", " ").replace(",", " ").replace(";", " ").split())
    missing = [n for n in NAMES if n not in words]
    missing += [e["grad"] for e in ENTRIES if e["grad"] and e["grad"] not in words]
    assert not missing, "add to the README's op list: %s" % missing


# ---------------------------------------------------------------- tan and atan2
@pytest.mark.parametrize("dtype", [tf.float32, tf.float64])
def test_tan_values_and_derivatives(dtype):
    xs = np.array([-1.2, -0.5, 0.0, 0.3, 1.0])
    x = tf.constant(xs, dtype=dtype)
    with tf.GradientTape() as t2:
        t2.watch(x)
        with tf.GradientTape() as t1:
            t1.watch(x)
            y = tf.tan(x)
        g = t1.gradient(y, x)
    h = t2.gradient(g, x)
    rtol = 1e-6 if dtype == tf.float32 else 1e-13
    sec2 = 1.0 / np.cos(xs) ** 2
    np.testing.assert_allclose(y.numpy(), np.tan(xs), rtol=rtol, atol=rtol)
    np.testing.assert_allclose(g.numpy(), sec2, rtol=rtol)                      # d tan = sec^2
    np.testing.assert_allclose(h.numpy(), 2 * np.tan(xs) * sec2, rtol=rtol * 10, atol=rtol)  # 2 tan sec^2


def test_atan2_quadrants_and_signed_zeros():
    y = tf.constant([1.0, 1.0, -1.0, -1.0, 0.0, -0.0, 0.0, 2.0], dtype=tf.float64)
    x = tf.constant([1.0, -1.0, -1.0, 1.0, -1.0, -1.0, 0.0, 0.0], dtype=tf.float64)
    want = [math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4, -math.pi / 4, math.pi, -math.pi, 0.0, math.pi / 2]
    np.testing.assert_allclose(tf.math.atan2(y, x).numpy(), want, rtol=1e-15)
    assert math.copysign(1.0, tf.math.atan2(tf.constant(-0.0), tf.constant(1.0)).numpy()) == -1.0


def test_atan2_gradient_and_broadcasting():
    y = tf.constant([[0.5], [-2.0]], dtype=tf.float64)      # (2, 1)
    x = tf.constant([1.5, -0.25, 3.0], dtype=tf.float64)    # (3,)
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([y, x])
        z = tf.math.atan2(y, x)
    assert z.shape == (2, 3)
    gy, gx = tape.gradient(z, [y, x])
    yv, xv = np.array([[0.5], [-2.0]]), np.array([1.5, -0.25, 3.0])
    r2 = xv ** 2 + yv ** 2
    np.testing.assert_allclose(gy.numpy(), (xv / r2).sum(axis=1, keepdims=True), rtol=1e-14)   # dz/dy = x / r^2
    np.testing.assert_allclose(gx.numpy(), (-yv / r2).sum(axis=0), rtol=1e-14)                 # dz/dx = -y / r^2


def test_atan2_errors_name_the_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"atan2.*Incompatible shapes.*\[Op:Atan2\]"):
        tf.math.atan2(tf.ones(2), tf.ones(3))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"atan2.*\[Op:Atan2\]"):
        tf.math.atan2(tf.constant([1, 2]), tf.constant([1, 2]))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"atan2.*dtype"):
        tf.math.atan2(tf.ones(2), tf.ones(2, dtype=tf.float64))


def test_gradient_op_errors_name_the_gradient_op():
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"tanh_grad.*\[Op:TanhGrad\]"):
        _core.tanh_grad(tf.ones(2), tf.ones(3))
    with pytest.raises(TypeError, match="tanh"):
        _core.tanh_grad(object(), tf.ones(3))


def test_package_ships_py_typed():
    # PEP 561: type checkers read the package's annotations and _core.pyi.
    assert os.path.exists(os.path.join(os.path.dirname(tf.__file__), "py.typed"))
    assert os.path.exists(os.path.join(os.path.dirname(tf.__file__), "_core.pyi"))
