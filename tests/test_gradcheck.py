"""Table-driven gradient checks for every differentiable op in the op table.

Every name returned by ``fasttape._core.registered_ops()`` must have at least
one case in ``CASES``.  For each case, in float64:

* the forward value is compared with a numpy reference;
* the first-order vector-Jacobian product (``output_gradients=u`` for a random
  ``u``) is compared element by element with central differences of
  ``<u, f(x)>`` computed from the numpy reference;
* the second-order derivative (gradient of ``<grad, w>`` for a random ``w``,
  through nested tapes) is compared with central differences of the
  first-order gradient.

A float32 run of the same case is compared loosely with the float64 one.
"""
import glob
import importlib
import os

import numpy as np
import pytest

import fasttape as tf
from fasttape import _core
from ft_testutil import assert_close, central_diff_grad, seeded_rng, to_np
from gradcheck_common import *  # noqa: F401,F403
from gradcheck_common import CASES, REDUCE_VARIANTS, Case, case, make_inputs  # noqa: F401


KNOWN_OPS = {
    "add", "subtract", "multiply", "divide", "negative", "pow", "square",
    "sqrt", "exp", "log", "sin", "cos", "tanh", "sigmoid", "relu", "abs",
    "maximum", "minimum", "reduce_sum", "reduce_mean", "matmul", "reshape",
    "transpose", "cast", "where", "broadcast_to", "sum_to", "strided_slice",
    "strided_slice_grad",
}


# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------

BCAST_PAIRS = [
    ((), ()),
    ((3,), (3,)),
    ((2, 3), (3,)),
    ((2, 1), (1, 3)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
]


def _pair_label(sx, sy):
    return f"{sx}x{sy}".replace(" ", "")


for _sx, _sy in BCAST_PAIRS:
    _lab = _pair_label(_sx, _sy)
    case("add", _lab, lambda x, y: tf.add(x, y), np.add, [_sx, _sy])
    case("subtract", _lab, lambda x, y: tf.subtract(x, y), np.subtract, [_sx, _sy])
    case("multiply", _lab, lambda x, y: tf.multiply(x, y), np.multiply, [_sx, _sy])
    case("divide", _lab, lambda x, y: tf.divide(x, y), np.divide, [_sx, _sy],
         domain=("any", "denom"))
    case("pow", _lab, lambda x, y: tf.pow(x, y), np.power, [_sx, _sy],
         domain=("pos", "any"))
    case("maximum", _lab, lambda x, y: tf.maximum(x, y), np.maximum, [_sx, _sy],
         gen=_separated(_sx, _sy))
    case("minimum", _lab, lambda x, y: tf.minimum(x, y), np.minimum, [_sx, _sy],
         gen=_separated(_sx, _sy))

# operator forms and Python-scalar operands
case("add", "op+", lambda x, y: x + y, np.add, [(2, 3), (3,)])
case("add", "x+2.5", lambda x: x + 2.5, lambda x: x + 2.5, [(3,)])
case("add", "2.5+x", lambda x: 2.5 + x, lambda x: 2.5 + x, [(3,)])
case("subtract", "op-", lambda x, y: x - y, np.subtract, [(2, 3), (2, 1)])
case("subtract", "3.0-x", lambda x: 3.0 - x, lambda x: 3.0 - x, [(2, 2)])
case("multiply", "op*", lambda x, y: x * y, np.multiply, [(3,), (2, 3)])
case("multiply", "2.0*x", lambda x: 2.0 * x, lambda x: 2.0 * x, [(2, 2)])
case("multiply", "x*x", lambda x: x * x, lambda x: x * x, [(3,)])
case("divide", "op/", lambda x, y: x / y, np.divide, [(2, 3), (3,)],
     domain=("any", "denom"))
case("divide", "1.0/x", lambda x: 1.0 / x, lambda x: 1.0 / x, [(3,)], domain="denom")
case("divide", "x/4.0", lambda x: x / 4.0, lambda x: x / 4.0, [(3,)])
case("pow", "x**3.0", lambda x: x ** 3.0, lambda x: x ** 3.0, [(2, 3)])
case("pow", "pow(x,2.0)", lambda x: tf.pow(x, 2.0), lambda x: x ** 2.0, [(3,)])
case("pow", "2.0**x", lambda x: 2.0 ** x, lambda x: 2.0 ** x, [(3,)])
case("pow", "op**", lambda x, y: x ** y, np.power, [(2, 2), (2,)], domain=("pos", "any"))
case("maximum", "max(x,0.5)", lambda x: tf.maximum(x, 0.5), lambda x: np.maximum(x, 0.5),
     [(2, 3)], gen=lambda rng: [0.5 + _sample(rng, (2, 3), "away0")])
case("minimum", "min(x,0.5)", lambda x: tf.minimum(x, 0.5), lambda x: np.minimum(x, 0.5),
     [(2, 3)], gen=lambda rng: [0.5 + _sample(rng, (2, 3), "away0")])
case("maximum", "math.maximum", lambda x, y: tf.math.maximum(x, y), np.maximum,
     [(3,), (3,)], gen=_separated((3,), (3,)))
case("minimum", "math.minimum", lambda x, y: tf.math.minimum(x, y), np.minimum,
     [(3,), (3,)], gen=_separated((3,), (3,)))

# unary elementwise ops
UNARY = [
    ("negative", "negative", lambda x: tf.negative(x), np.negative, "any"),
    ("negative", "-x", lambda x: -x, np.negative, "any"),
    ("square", "square", lambda x: tf.square(x), np.square, "any"),
    ("square", "math.square", lambda x: tf.math.square(x), np.square, "any"),
    ("sqrt", "sqrt", lambda x: tf.sqrt(x), np.sqrt, "pos"),
    ("exp", "exp", lambda x: tf.exp(x), np.exp, "any"),
    ("exp", "math.exp", lambda x: tf.math.exp(x), np.exp, "any"),
    ("log", "math.log", lambda x: tf.math.log(x), np.log, "pos"),
    ("sin", "sin", lambda x: tf.sin(x), np.sin, "any"),
    ("cos", "cos", lambda x: tf.cos(x), np.cos, "any"),
    ("tanh", "tanh", lambda x: tf.tanh(x), np.tanh, "any"),
    ("tanh", "nn.tanh", lambda x: tf.nn.tanh(x), np.tanh, "any"),
    ("sigmoid", "sigmoid", lambda x: tf.sigmoid(x), _np_sigmoid, "any"),
    ("sigmoid", "nn.sigmoid", lambda x: tf.nn.sigmoid(x), _np_sigmoid, "any"),
    ("sigmoid", "math.sigmoid", lambda x: tf.math.sigmoid(x), _np_sigmoid, "any"),
    ("relu", "nn.relu", lambda x: tf.nn.relu(x), lambda x: np.maximum(x, 0.0), "away0"),
    ("abs", "abs", lambda x: tf.abs(x), np.abs, "away0"),
    ("sign", "sign", lambda x: tf.sign(x), np.sign, "away0"),
    ("sign", "math.sign*x", lambda x: tf.math.sign(x) * x, lambda x: np.sign(x) * x, "away0"),
]
for _op, _lab, _fn, _ref, _dom in UNARY:
    for _s in [(), (3,), (2, 3)]:
        case(_op, f"{_lab}{_s}".replace(" ", ""), _fn, _ref, [_s], domain=_dom)

# reductions
for _s, _ax, _kd in REDUCE_VARIANTS:
    _lab = f"{_s}-axis={_ax}-keepdims={_kd}".replace(" ", "")
    case("reduce_sum", _lab,
         (lambda ax, kd: lambda x: tf.reduce_sum(x, axis=ax, keepdims=kd))(_ax, _kd),
         (lambda ax, kd: lambda x: np.sum(x, axis=_axis(ax), keepdims=kd))(_ax, _kd),
         [_s])
    case("reduce_mean", _lab,
         (lambda ax, kd: lambda x: tf.reduce_mean(x, axis=ax, keepdims=kd))(_ax, _kd),
         (lambda ax, kd: lambda x: np.mean(x, axis=_axis(ax), keepdims=kd))(_ax, _kd),
         [_s])
case("reduce_sum", "math.reduce_sum", lambda x: tf.math.reduce_sum(x, 1),
     lambda x: np.sum(x, axis=1), [(2, 3)])
case("reduce_mean", "math.reduce_mean", lambda x: tf.math.reduce_mean(x, 0),
     lambda x: np.mean(x, axis=0), [(2, 3)])
case("reduce_sum", "sum(x*x)", lambda x: tf.reduce_sum(x * x),
     lambda x: np.sum(x * x), [(2, 3)])

# matmul
MATMUL_VARIANTS = [
    ("2x3@3x4", (2, 3), (3, 4), False, False),
    ("T_a", (3, 2), (3, 4), True, False),
    ("T_b", (2, 3), (4, 3), False, True),
    ("T_a,T_b", (3, 2), (4, 3), True, True),
    ("1x3@3x1", (1, 3), (3, 1), False, False),
    ("batch", (2, 2, 3), (2, 3, 2), False, False),
    ("batch-bcast", (2, 1, 2, 3), (3, 3, 2), False, False),
    ("rank2@rank3", (2, 3), (2, 3, 2), False, False),
    ("batch-T_a", (2, 3, 2), (2, 3, 2), True, False),
    ("batch-T_b-bcast", (2, 2, 3), (1, 2, 3), False, True),
]
for _lab, _sa, _sb, _ta, _tb in MATMUL_VARIANTS:
    case("matmul", _lab,
         (lambda ta, tb: lambda a, b: tf.matmul(a, b, transpose_a=ta, transpose_b=tb))(_ta, _tb),
         (lambda ta, tb: lambda a, b: _np_matmul(a, b, ta, tb))(_ta, _tb),
         [_sa, _sb])
case("matmul", "op@", lambda a, b: a @ b, np.matmul, [(2, 3), (3, 2)])
case("matmul", "a@a.T", lambda a: tf.matmul(a, a, transpose_b=True),
     lambda a: a @ a.T, [(2, 3)])

# reshape / transpose / broadcast_to / cast
for _s, _new in [((2, 3), [3, 2]), ((2, 3), [-1]), ((6,), [2, -1]), ((), [1, 1]),
                 ((2, 3, 2), (4, 3)), ((1, 3), [3])]:
    case("reshape", f"{_s}->{_new}".replace(" ", ""),
         (lambda n: lambda x: tf.reshape(x, n))(_new),
         (lambda n: lambda x: np.reshape(x, n))(_new), [_s])

for _s, _perm in [((2, 3), None), ((2, 3, 2), None), ((2, 3, 2), [2, 0, 1]),
                  ((2, 2, 3), [0, 2, 1]), ((3,), [0])]:
    case("transpose", f"{_s}-perm={_perm}".replace(" ", ""),
         (lambda p: lambda x: tf.transpose(x, perm=p))(_perm),
         (lambda p: lambda x: np.transpose(x, axes=p))(_perm), [_s])

for _s, _new in [((3,), [2, 3]), ((2, 1), [2, 3]), ((), [2, 2]), ((1, 3), [2, 2, 3]),
                 ((2, 3), [2, 3])]:
    case("broadcast_to", f"{_s}->{_new}".replace(" ", ""),
         (lambda n: lambda x: tf.broadcast_to(x, n))(_new),
         (lambda n: lambda x: np.broadcast_to(x, n).copy())(_new), [_s])

case("cast", "to-float64", lambda x: tf.cast(x, tf.float64) * 1.5,
     lambda x: x * 1.5, [(2, 3)])
# Round trip through float32: values are only float32-exact, so a larger
# finite-difference step and looser tolerances.
case("cast", "via-float32", lambda x: tf.cast(tf.cast(x, tf.float32), tf.float64),
     lambda x: x, [(3,)], eps=1e-3, rtol=1e-3, atol=1e-3, fwd_rtol=1e-6)
case("cast", "float32-mul", lambda x: tf.cast(tf.cast(x, tf.float32) * 2.0, tf.float64),
     lambda x: 2.0 * x, [(2, 2)], eps=1e-3, rtol=1e-3, atol=1e-3, fwd_rtol=1e-6)

# where (condition is a constant, not differentiated)
_COND_23 = np.array([[True, False, True], [False, False, True]])
_COND_3 = np.array([False, True, True])
_COND_21 = np.array([[True], [False]])
case("where", "same-shape", lambda x, y: tf.where(tf.constant(_COND_23), x, y),
     lambda x, y: np.where(_COND_23, x, y), [(2, 3), (2, 3)])
case("where", "bcast-cond3-y()", lambda x, y: tf.where(tf.constant(_COND_3), x, y),
     lambda x, y: np.where(_COND_3, x, y), [(2, 3), ()])
case("where", "bcast-cond21-x3", lambda x, y: tf.where(tf.constant(_COND_21), x, y),
     lambda x, y: np.where(_COND_21, x, y), [(3,), (2, 3)])
case("where", "cond-from-compare", lambda x: tf.where(x > 0.0, x * x, -x),
     lambda x: np.where(x > 0.0, x * x, -x), [(2, 3)], domain="away0")

# sum_to (internal)
for _s, _to in [((2, 3), [3]), ((2, 3), [2, 1]), ((2, 3), []), ((2, 2, 3), [1, 3]),
                ((3,), [3]), ((2, 3, 2), [3, 1])]:
    case("sum_to", f"{_s}->{_to}".replace(" ", ""),
         (lambda t: lambda x: _core.sum_to(x, t))(_to),
         (lambda t: lambda x: _np_sum_to(x, t))(_to), [_s])

# strided_slice through Python indexing
SLICES = [
    ("[1:,::2]", (4, 5), lambda x: x[1:, ::2]),
    ("[1]", (4,), lambda x: x[1]),
    ("[-1]", (4, 3), lambda x: x[-1]),
    ("[...,0]", (2, 3, 2), lambda x: x[..., 0]),
    ("[:,None]", (3, 2), lambda x: x[:, None]),
    ("[None]", (3,), lambda x: x[None]),
    ("[::-1]", (5,), lambda x: x[::-1]),
    ("[3:0:-2,1:4]", (4, 5), lambda x: x[3:0:-2, 1:4]),
    ("[1,-2]", (3, 4), lambda x: x[1, -2]),
    ("[:,-2:]", (3, 4), lambda x: x[:, -2:]),
    ("[::-1,::-2]", (3, 4), lambda x: x[::-1, ::-2]),
    ("[:100]", (3,), lambda x: x[:100]),
    ("[0]+[0]", (3,), lambda x: x[0] + x[0]),
]
for _lab, _s, _fn in SLICES:
    case("strided_slice", _lab, _fn, _fn, [_s])

# strided_slice / strided_slice_grad (internal, full rank, indices resolved)
RAW_SLICES = [
    ((4, 5), [1, 0], [4, 5], [1, 2]),
    ((4, 5), [3, 4], [-1, 0], [-1, -2]),
    ((5,), [4], [-1], [-1]),
    ((5,), [0], [5], [3]),
    ((2, 3, 2), [0, 2, 1], [2, 0, 2], [1, -1, 1]),
]
for _s, _b, _e, _st in RAW_SLICES:
    _lab = f"{_s}[{_b}:{_e}:{_st}]".replace(" ", "")
    case("strided_slice", "core" + _lab,
         (lambda b, e, st: lambda x: _core.strided_slice(x, b, e, st))(_b, _e, _st),
         (lambda b, e, st: lambda x: _np_strided_slice(x, b, e, st))(_b, _e, _st),
         [_s])
    _dy_shape = tuple(len(r) for r in _ranges(_b, _e, _st))
    case("strided_slice_grad", _lab,
         (lambda s, b, e, st: lambda dy: _core.strided_slice_grad(dy, list(s), b, e, st))(
             _s, _b, _e, _st),
         (lambda s, b, e, st: lambda dy: _np_strided_slice_grad(dy, s, b, e, st))(
             _s, _b, _e, _st),
         [_dy_shape])

# a few compositions
case("multiply", "sin(x)*exp(y)", lambda x, y: tf.sin(x) * tf.exp(y),
     lambda x, y: np.sin(x) * np.exp(y), [(2, 3), (3,)])
case("matmul", "tanh(xW+b)", lambda x, w, b: tf.tanh(tf.matmul(x, w) + b),
     lambda x, w, b: np.tanh(x @ w + b), [(2, 3), (3, 2), (2,)])
case("reduce_mean", "mse", lambda p, t: tf.reduce_mean(tf.square(p - t)),
     lambda p, t: np.mean(np.square(p - t)), [(2, 3), (2, 3)])

# Op groups keep their cases in gradcases_*.py beside this file.
for _path in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), "gradcases_*.py"))):
    importlib.import_module(os.path.splitext(os.path.basename(_path))[0])



def _grad_op_cases():
    """The gradient op of every registry entry (name_grad(g, s), s = x or
    y) gets its cases from the entry's own first single-input case: the
    reference is g * f'(x), f' by 4th-order central differences of the
    case's numpy reference (error ~1e-12)."""
    have = {c.op for c in CASES}
    for e in _core.elementwise_ops():
        gname = e["grad"]
        if gname is None or gname in have:
            continue
        base = next(c for c in CASES if c.op == e["name"] and len(c.shapes) == 1 and c.gen is None)
        op, dom = getattr(_core, e["name"]), base.domain
        gop = getattr(_core, gname)
        fn = ((lambda g, x, gop=gop: gop(g, x)) if e["saved"] == "x" else
              (lambda g, x, gop=gop, op=op: gop(g, op(x))))

        def ref(g, x, f=base.ref, h=1e-3):
            d = (-f(x + 2 * h) + 8 * f(x + h) - 8 * f(x - h) + f(x - 2 * h)) / (12 * h)
            return g * d

        for shapes in [[(2, 3), (2, 3)], [(2, 2, 3), (2, 3)]]:
            case(gname, "x".join(str(s) for s in shapes).replace(" ", ""), fn, ref, shapes,
                 domain=("any", dom), fwd_rtol=1e-9)


_grad_op_cases()

_IDS = [c.id for c in CASES]
assert len(set(_IDS)) == len(_IDS), "duplicate case ids"


# --------------------------------------------------------------------------
# machinery
# --------------------------------------------------------------------------

def _consts(arrays):
    return [tf.constant(a) for a in arrays]


def _first_order(c, arrays, u):
    """Forward value and gradients (None replaced by zeros) of ``c`` at arrays."""
    ts = _consts(arrays)
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = c.fn(*ts)
    ut = tf.constant(np.asarray(u, dtype=np.asarray(y.numpy()).dtype))
    grads = tape.gradient(y, ts, output_gradients=ut)
    return y, grads


def _np_out_dtype(y):
    return np.asarray(y.numpy()).dtype


@pytest.mark.parametrize("c", CASES, ids=_IDS)
def test_first_order_float64(c):
    rng = seeded_rng(c.id)
    xs = make_inputs(c, rng)
    expected = np.asarray(c.ref(*xs), dtype=np.float64)
    u = rng.standard_normal(expected.shape)

    y, grads = _first_order(c, xs, u)
    assert y.dtype == tf.float64
    assert_close(y, expected, rtol=c.fwd_rtol, atol=1e-12, err_msg="forward")

    assert isinstance(grads, list) and len(grads) == len(xs)

    def g(arrays):
        return float(np.sum(u * np.asarray(c.ref(*arrays), dtype=np.float64)))

    numeric = central_diff_grad(g, xs, c.eps)
    for i, (gr, num) in enumerate(zip(grads, numeric)):
        assert gr is not None, f"gradient for input {i} is None"
        assert gr.dtype == tf.float64, f"gradient {i} dtype {gr.dtype}"
        assert_close(gr, num, rtol=c.rtol, atol=c.atol, err_msg=f"d/dx{i}")


@pytest.mark.parametrize("c", CASES, ids=_IDS)
def test_second_order_float64(c):
    rng = seeded_rng("second:" + c.id)
    xs = make_inputs(c, rng)
    out_shape = np.shape(c.ref(*xs))
    u = rng.standard_normal(out_shape)
    ws = [rng.standard_normal(x.shape) for x in xs]

    ts = _consts(xs)
    ut = tf.constant(u)
    wts = _consts(ws)
    with tf.GradientTape() as outer:
        for t in ts:
            outer.watch(t)
        with tf.GradientTape() as inner:
            for t in ts:
                inner.watch(t)
            y = c.fn(*ts)
        grads = inner.gradient(y, ts, output_gradients=ut)
        terms = [tf.reduce_sum(gr * wt) for gr, wt in zip(grads, wts) if gr is not None]
        assert terms, "first-order gradients are all None"
        s = terms[0]
        for t in terms[1:]:
            s = s + t
    second = outer.gradient(s, ts)
    assert len(second) == len(xs)

    def h(arrays):
        _, gs = _first_order(c, arrays, u)
        total = 0.0
        for gr, w in zip(gs, ws):
            if gr is not None:
                total += float(np.sum(to_np(gr) * w))
        return total

    numeric = central_diff_grad(h, xs, c.eps)
    for i, (gr, num) in enumerate(zip(second, numeric)):
        got = np.zeros_like(num) if gr is None else to_np(gr)
        if gr is not None:
            assert gr.dtype == tf.float64
        assert_close(got, num, rtol=c.rtol, atol=10 * c.atol,
                     err_msg=f"second derivative wrt input {i}")


@pytest.mark.parametrize("c", CASES, ids=_IDS)
def test_jvp_matches_vjp(c):
    """Forward mode against reverse mode: <u, J v> from each op's JVP rule
    equals <J^T u, v> from its VJP, for random u and v."""
    rng = seeded_rng("jvp:" + c.id)
    xs = make_inputs(c, rng)
    u = rng.standard_normal(np.shape(c.ref(*xs)))
    vs = [rng.standard_normal(x.shape) for x in xs]
    ts = _consts(xs)
    with tf.autodiff.ForwardAccumulator(ts, _consts(vs)) as acc:
        y = c.fn(*ts)
    jv = acc.jvp(y)
    assert jv is not None, "forward mode produced no tangent"
    assert jv.dtype == y.dtype and jv.shape == y.shape
    lhs = float(np.sum(u * to_np(jv)))
    _, grads = _first_order(c, xs, u)
    rhs = sum(float(np.sum(to_np(g) * v)) for g, v in zip(grads, vs) if g is not None)
    tol = 1e-6 if c.op == "cast" else 1e-9  # cast cases round-trip through float32
    assert abs(lhs - rhs) <= tol * (1 + abs(rhs)), (lhs, rhs)


@pytest.mark.parametrize("c", CASES, ids=_IDS)
def test_float32_matches_float64(c):
    rng = seeded_rng("f32:" + c.id)
    xs = make_inputs(c, rng)
    u = rng.standard_normal(np.shape(c.ref(*xs)))

    xs32 = [x.astype(np.float32) for x in xs]
    # Compare with float64 evaluated at the float32-rounded point.
    y64, g64 = _first_order(c, [x.astype(np.float64) for x in xs32], u)
    y32, g32 = _first_order(c, xs32, u)
    if c.op != "cast":
        assert y32.dtype == tf.float32
    assert_close(y32, to_np(y64).astype(_np_out_dtype(y32)), rtol=1e-4, atol=1e-5,
                 err_msg="forward float32 vs float64")
    for i, (a, b) in enumerate(zip(g32, g64)):
        assert a is not None and b is not None
        assert a.dtype == tf.float32, f"float32 source got gradient dtype {a.dtype}"
        assert_close(a, to_np(b).astype(np.float32), rtol=1e-3, atol=1e-4,
                     err_msg=f"gradient {i} float32 vs float64")


def test_registered_ops_is_a_list_of_names():
    names = list(_core.registered_ops())
    assert names, "registered_ops() is empty"
    assert all(isinstance(n, str) for n in names)
    assert len(set(names)) == len(names), "duplicate names in registered_ops()"


def test_known_ops_are_registered():
    missing = sorted(KNOWN_OPS - set(_core.registered_ops()))
    assert not missing, f"ops missing from the op table: {missing}"


def test_every_registered_op_has_a_gradcheck_case():
    covered = {c.op for c in CASES}
    missing = sorted(set(_core.registered_ops()) - covered)
    assert not missing, f"registered ops with no gradient-check case: {missing}"


def test_every_case_names_a_registered_op():
    registered = set(_core.registered_ops())
    unknown = sorted({c.op for c in CASES} - registered)
    assert not unknown, f"table cases name unregistered ops: {unknown}"


def test_relu_second_derivative_is_zero_not_none():
    # TensorFlow's ReluGrad has a gradient with respect to the features: zeros.
    x = tf.constant([-1.0, 2.0, 3.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.nn.relu(x)
        g = inner.gradient(y, x)
    h = outer.gradient(g, x)
    assert h is not None
    assert_close(h, np.zeros(3, np.float32))
