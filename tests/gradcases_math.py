"""Gradient-check cases of the math op group (reductions, scans, elementwise
math). Imported by test_gradcheck.py, which runs each case through forward
vs numpy, first and second order vs central differences, float32 vs
float64 and JVP vs VJP.

Composites are listed under the op-table entry they mainly exercise:
reduce_variance / reduce_std under reduce_mean, squared_difference under
square, clip_by_value under maximum / minimum."""
import math

import numpy as np

import fasttape as tf
from gradcheck_common import REDUCE_VARIANTS, _axis, _sample, case



def _lab(s, ax, kd):
    return f"{s}-axis={ax}-keepdims={kd}".replace(" ", "")


def _distinct(shape, gap=0.37):
    """Generator: all values distinct, at least ~0.27 apart (no ties, so the
    max / min and its finite differences are well defined)."""
    def gen(rng):
        n = int(np.prod(shape)) if shape else 1
        v = (rng.permutation(n) - n / 2.0) * gap + rng.uniform(-0.05, 0.05, n)
        return [v.reshape(shape)]
    return gen


def _np_logsumexp(x, axis=None, keepdims=False):
    m = np.max(x, axis=axis, keepdims=True)
    r = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    if not keepdims:
        r = np.squeeze(r, axis=axis) if axis is not None else r.reshape(())
    return r


def _np_cumsum(x, axis=0, exclusive=False, reverse=False):
    x = np.asarray(x)
    if reverse:
        x = np.flip(x, axis)
    c = np.cumsum(x, axis=axis)
    if exclusive:
        c = c - x
    if reverse:
        c = np.flip(c, axis)
    return c


_np_erf = np.vectorize(math.erf, otypes=[np.float64])

# ---------------------------------------------------------------- reductions
for _s, _ax, _kd in REDUCE_VARIANTS:
    _l = _lab(_s, _ax, _kd)
    for _op, _tf, _np in [("reduce_max", tf.reduce_max, np.max), ("reduce_min", tf.reduce_min, np.min)]:
        case(_op, _l,
             (lambda f, ax, kd: lambda x: f(x, axis=ax, keepdims=kd))(_tf, _ax, _kd),
             (lambda f, ax, kd: lambda x: f(x, axis=_axis(ax), keepdims=kd))(_np, _ax, _kd),
             [_s], gen=_distinct(_s))
    case("reduce_prod", _l,
         (lambda ax, kd: lambda x: tf.reduce_prod(x, axis=ax, keepdims=kd))(_ax, _kd),
         (lambda ax, kd: lambda x: np.prod(x, axis=_axis(ax), keepdims=kd))(_ax, _kd), [_s])
    case("reduce_logsumexp", _l,
         (lambda ax, kd: lambda x: tf.reduce_logsumexp(x, axis=ax, keepdims=kd))(_ax, _kd),
         (lambda ax, kd: lambda x: _np_logsumexp(x, axis=_axis(ax), keepdims=kd))(_ax, _kd), [_s])
    case("reduce_mean", "variance:" + _l,
         (lambda ax, kd: lambda x: tf.math.reduce_variance(x, axis=ax, keepdims=kd))(_ax, _kd),
         (lambda ax, kd: lambda x: np.var(x, axis=_axis(ax), keepdims=kd))(_ax, _kd), [_s])
    if _s != ():  # the std of one element is 0, where sqrt has no derivative
        case("reduce_mean", "std:" + _l,
             (lambda ax, kd: lambda x: tf.math.reduce_std(x, axis=ax, keepdims=kd))(_ax, _kd),
             (lambda ax, kd: lambda x: np.std(x, axis=_axis(ax), keepdims=kd))(_ax, _kd), [_s])

case("reduce_max", "math.reduce_max", lambda x: tf.math.reduce_max(x, 0), lambda x: np.max(x, 0),
     [(3, 2)], gen=_distinct((3, 2)))
case("reduce_min", "math.reduce_min", lambda x: tf.math.reduce_min(x, -1), lambda x: np.min(x, -1),
     [(3, 2)], gen=_distinct((3, 2)))
case("reduce_max", "max(x*x)", lambda x: tf.reduce_max(x * x, axis=1), lambda x: np.max(x * x, axis=1),
     [(2, 3)], gen=lambda rng: [np.array([[0.3, -1.4, 0.9], [1.7, -0.2, 0.6]]) + rng.uniform(-0.05, 0.05, (2, 3))])
case("reduce_prod", "math.reduce_prod", lambda x: tf.math.reduce_prod(x, [1]), lambda x: np.prod(x, 1), [(2, 3)])
# Zeros in the input: one zero in a group, two zeros in a group, a zero group.
_Z1 = np.array([[0.0, 1.3, -0.7], [0.9, 1.1, 2.0]])
_Z2 = np.array([[0.0, 1.3, 0.0], [0.9, 0.0, -1.5]])
case("reduce_prod", "one-zero-axis1", lambda x: tf.reduce_prod(x, 1), lambda x: np.prod(x, 1), [(2, 3)],
     gen=lambda rng: [_Z1])
case("reduce_prod", "zeros-axis0", lambda x: tf.reduce_prod(x, 0), lambda x: np.prod(x, 0), [(2, 3)],
     gen=lambda rng: [_Z2.T.copy()])
_Z3 = np.array([[0.0, 0.0, 0.0, 1.5], [0.0, 1.2, -0.8, 0.0], [0.0, 0.0, 0.0, 0.0]])
case("reduce_prod", "three-zeros-keepdims", lambda x: tf.reduce_prod(x, -1, keepdims=True),
     lambda x: np.prod(x, -1, keepdims=True), [(3, 4)], gen=lambda rng: [_Z3])
case("reduce_prod", "zeros-all-axes", lambda x: tf.reduce_prod(x), lambda x: np.prod(x), [(2, 3)],
     gen=lambda rng: [_Z1])
case("reduce_logsumexp", "math.reduce_logsumexp", lambda x: tf.math.reduce_logsumexp(x, 1),
     lambda x: _np_logsumexp(x, 1), [(2, 3)])
case("reduce_logsumexp", "large-values", lambda x: tf.reduce_logsumexp(x * 300.0, 0) / 300.0,
     lambda x: _np_logsumexp(x * 300.0, 0) / 300.0, [(3, 2)])

# ---------------------------------------------------------------- cumsum
CUMSUM_VARIANTS = [
    ((3,), 0, False, False),
    ((4,), -1, True, False),
    ((4,), 0, False, True),
    ((4,), 0, True, True),
    ((2, 3), 0, False, False),
    ((2, 3), 1, True, False),
    ((2, 3), -1, False, True),
    ((2, 3, 2), 1, True, True),
    ((2, 3, 2), -3, False, True),
    ((1, 3), 0, True, False),
]
for _s, _ax, _ex, _rv in CUMSUM_VARIANTS:
    case("cumsum", f"{_s}-axis={_ax}-excl={_ex}-rev={_rv}".replace(" ", ""),
         (lambda a, e, r: lambda x: tf.cumsum(x, axis=a, exclusive=e, reverse=r))(_ax, _ex, _rv),
         (lambda a, e, r: lambda x: _np_cumsum(x, a, e, r))(_ax, _ex, _rv), [_s])
case("cumsum", "math.cumsum-default", lambda x: tf.math.cumsum(x), lambda x: np.cumsum(x, 0), [(3, 2)])
case("cumsum", "cumsum(x*x)", lambda x: tf.cumsum(x * x, 1, reverse=True),
     lambda x: _np_cumsum(x * x, 1, False, True), [(2, 3)])

# ---------------------------------------------------------------- elementwise
UNARY = [
    ("log1p", "math.log1p", lambda x: tf.math.log1p(x), np.log1p, "pos"),
    ("log1p", "log1p(near-1)", lambda x: tf.math.log1p(x - 1.4), lambda x: np.log1p(x - 1.4), "pos"),
    ("expm1", "math.expm1", lambda x: tf.math.expm1(x), np.expm1, "any"),
    ("rsqrt", "math.rsqrt", lambda x: tf.math.rsqrt(x), lambda x: 1.0 / np.sqrt(x), "pos"),
    ("reciprocal", "math.reciprocal", lambda x: tf.math.reciprocal(x), lambda x: 1.0 / x, "denom"),
    ("erf", "math.erf", lambda x: tf.math.erf(x), _np_erf, "any"),
    ("tan", "tan", lambda x: tf.tan(x), np.tan, "unit"),
    ("floor", "floor", lambda x: tf.floor(x), np.floor, "any"),
    ("floor", "math.floor*x", lambda x: tf.math.floor(x) * x, lambda x: np.floor(x) * x, "any"),
    ("round", "round", lambda x: tf.round(x), np.round, "any"),
    ("round", "math.round*x", lambda x: tf.math.round(x) * x, lambda x: np.round(x) * x, "any"),
]
for _op, _l, _fn, _ref, _dom in UNARY:
    for _s in [(), (3,), (2, 3)]:
        case(_op, f"{_l}{_s}".replace(" ", ""), _fn, _ref, [_s], domain=_dom)

for _sx, _sy in [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))]:
    case("atan2", f"{_sx}x{_sy}".replace(" ", ""), tf.math.atan2, np.arctan2, [_sx, _sy], domain=("any", "denom"))
    case("square", f"squared_difference{_sx}x{_sy}".replace(" ", ""),
         lambda x, y: tf.math.squared_difference(x, y), lambda x, y: (x - y) ** 2, [_sx, _sy])


def _clip_gen(shape):
    """Values at least 0.1 away from the bounds -0.5 and 0.5."""
    def gen(rng):
        x = _sample(rng, shape, "any")
        x = np.where(np.abs(np.abs(x) - 0.5) < 0.1, x + 0.25, x)
        return [x]
    return gen


for _s in [(), (3,), (2, 3)]:
    case("maximum", f"clip_by_value{_s}".replace(" ", ""), lambda x: tf.clip_by_value(x, -0.5, 0.5),
         lambda x: np.clip(x, -0.5, 0.5), [_s], gen=_clip_gen(_s))


def _clip_tensor_gen(rng):
    x = np.array([[-1.2, 0.1, 0.9], [0.4, -0.3, 2.0]])
    return [x + rng.uniform(-0.02, 0.02, x.shape), np.array([-0.5, 0.0, -0.1]), np.array(0.7)]


case("minimum", "clip_by_value-tensor-bounds", lambda x, lo, hi: tf.clip_by_value(x, lo, hi),
     lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi), [(2, 3), (3,), ()], gen=_clip_tensor_gen)

case("add_n", "two", lambda x, y: tf.add_n([x, y]), lambda x, y: x + y, [(2, 3), (2, 3)])
case("add_n", "three-math", lambda x, y, z: tf.math.add_n([x, y, z]), lambda x, y, z: x + y + z,
     [(3,), (3,), (3,)])
case("add_n", "scalars", lambda x, y: tf.add_n([x, y, x]), lambda x, y: 2 * x + y, [(), ()])
case("add_n", "one", lambda x: tf.add_n([x]) * 2.0, lambda x: x * 2.0, [(2, 2)])
case("add_n", "x-and-x*x", lambda x: tf.add_n([x, x * x, tf.sin(x)]), lambda x: x + x * x + np.sin(x), [(2, 3)])
