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
from fasttape import _core
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
_np_erfc = np.vectorize(math.erfc, otypes=[np.float64])


_np_lgamma = np.vectorize(math.lgamma, otypes=[np.float64])
# Bernoulli numbers B_2, B_4, ..., B_12
_B2K = [1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730]


def _polygamma1(n, x):
    """psi^(n)(x) for x > 0: the recurrence up to x >= 20, then the asymptotic
    series (-1)^(n+1) [(n-1)!/x^n + n!/(2 x^(n+1)) + sum B_2k (2k+n-1)!/((2k)! x^(2k+n))]
    (for n = 0: log x - 1/(2x) - sum B_2k / (2k x^2k))."""
    acc = 0.0
    while x < 20.0:
        acc += (-1.0 / x) if n == 0 else (-1) ** (n + 1) * math.factorial(n) / x ** (n + 1)
        x += 1.0
    if n == 0:
        return acc + math.log(x) - 0.5 / x - sum(b / (2 * k * x ** (2 * k)) for k, b in enumerate(_B2K, 1))
    s = math.factorial(n - 1) / x ** n + math.factorial(n) / (2 * x ** (n + 1))
    s += sum(b * math.factorial(2 * k + n - 1) / (math.factorial(2 * k) * x ** (2 * k + n))
             for k, b in enumerate(_B2K, 1))
    return acc + (-1) ** (n + 1) * s


def _polygamma_one(n, x):
    """psi^(n) at any real x off the poles, by reflection below 1/2 (n <= 2)."""
    if x >= 0.5:
        return _polygamma1(n, x)
    pi = math.pi
    if n == 0:
        return _polygamma_one(0, 1 - x) - pi / math.tan(pi * x)
    if n == 1:
        return pi ** 2 / math.sin(pi * x) ** 2 - _polygamma_one(1, 1 - x)
    return _polygamma_one(2, 1 - x) - 2 * pi ** 3 * math.cos(pi * x) / math.sin(pi * x) ** 3


def _np_polygamma(n):
    return np.vectorize(lambda x: _polygamma_one(n, x), otypes=[np.float64])


def _np_erfinv(y):
    """erfinv by Newton on math.erf from a bisection start (float64)."""
    def one(v):
        if abs(v) >= 1.0:
            return math.copysign(math.inf, v) if abs(v) == 1.0 else math.nan
        lo, hi = -6.0, 6.0
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if math.erf(mid) < v else (lo, mid)
        x = 0.5 * (lo + hi)
        for _ in range(3):
            x -= (math.erf(x) - v) / (2.0 / math.sqrt(math.pi) * math.exp(-x * x))
        return x
    return np.vectorize(one, otypes=[np.float64])(y)

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
    ("atan", "atan", lambda x: tf.atan(x), np.arctan, "any"),
    ("atan", "math.atan", lambda x: tf.math.atan(x), np.arctan, "any"),
    ("sinh", "sinh", lambda x: tf.sinh(x), np.sinh, "any"),
    ("cosh", "cosh", lambda x: tf.cosh(x), np.cosh, "any"),
    ("asinh", "asinh", lambda x: tf.asinh(x), np.arcsinh, "any"),
    ("asinh", "asinh(large)", lambda x: tf.asinh(x * 50.0), lambda x: np.arcsinh(x * 50.0), "denom"),
    ("erfc", "math.erfc", lambda x: tf.math.erfc(x), _np_erfc, "any"),
    ("lgamma", "math.lgamma", lambda x: tf.math.lgamma(x), _np_lgamma, "pos"),
    ("lgamma", "lgamma(-2.9..-2.1)", lambda x: tf.math.lgamma(0.4 * x - 2.5), lambda x: _np_lgamma(0.4 * x - 2.5),
     "unit"),
    ("lgamma", "lgamma(large)", lambda x: tf.math.lgamma(x * 40.0), lambda x: _np_lgamma(x * 40.0), "pos"),
    ("digamma", "math.digamma", lambda x: tf.math.digamma(x), _np_polygamma(0), "pos"),
    ("digamma", "digamma(-2.9..-2.1)", lambda x: tf.math.digamma(0.4 * x - 2.5),
     lambda x: _np_polygamma(0)(0.4 * x - 2.5), "unit"),
    ("polygamma", "math.polygamma(1,x)", lambda x: tf.math.polygamma(1.0, x), _np_polygamma(1), "pos"),
    ("polygamma", "polygamma(2,x)", lambda x: tf.math.polygamma(2.0, x), _np_polygamma(2), "pos"),
    ("polygamma", "polygamma(1,-2.9..-2.1)", lambda x: tf.math.polygamma(1.0, 0.4 * x - 2.5),
     lambda x: _np_polygamma(1)(0.4 * x - 2.5), "unit"),
    ("polygamma", "polygamma(0,x)", lambda x: tf.math.polygamma(tf.zeros_like(x), x * 3.0),
     lambda x: _np_polygamma(0)(x * 3.0), "pos"),
    ("reciprocal_no_nan", "math.reciprocal_no_nan", lambda x: tf.math.reciprocal_no_nan(x), lambda x: 1.0 / x,
     "denom"),
    ("reciprocal_no_nan", "reciprocal_no_nan(0*x)", lambda x: tf.math.reciprocal_no_nan(x * 0.0),
     lambda x: 0.0 * x, "any"),
    ("floor", "floor", lambda x: tf.floor(x), np.floor, "any"),
    ("floor", "math.floor*x", lambda x: tf.math.floor(x) * x, lambda x: np.floor(x) * x, "any"),
    ("round", "round", lambda x: tf.round(x), np.round, "any"),
    ("round", "math.round*x", lambda x: tf.math.round(x) * x, lambda x: np.round(x) * x, "any"),
]
for _op, _l, _fn, _ref, _dom in UNARY:
    for _s in [(), (3,), (2, 3)]:
        case(_op, f"{_l}{_s}".replace(" ", ""), _fn, _ref, [_s], domain=_dom)



def _uniform(lo, hi):
    """Generator: one input per shape, uniform in (lo, hi), either sign if
    signed (then |x| in (lo, hi))."""
    def gen_for(shapes, signed):
        def gen(rng):
            out = []
            for s in shapes:
                x = rng.uniform(lo, hi, size=s)
                out.append(x * rng.choice([-1.0, 1.0], size=s) if signed else x)
            return out
        return gen
    return gen_for


# Ops defined on an interval: inputs drawn inside it, near its ends too. Their
# gradient ops get cases here (the analytic derivative as reference), since
# the generic ones draw from the fixed domains of gradcheck_common.
INTERVAL = [
    # op, label, fn, ref, derivative, interval, signed
    ("asin", "asin", lambda x: tf.asin(x), np.arcsin, lambda x: 1 / np.sqrt(1 - x * x), (0.0, 0.85), True),
    ("asin", "math.asin(near-1)", lambda x: tf.math.asin(x), np.arcsin, None, (0.9, 0.97), True),
    ("acos", "acos", lambda x: tf.acos(x), np.arccos, lambda x: -1 / np.sqrt(1 - x * x), (0.0, 0.85), True),
    ("acos", "math.acos(near-1)", lambda x: tf.math.acos(x), np.arccos, None, (0.9, 0.97), True),
    ("atanh", "atanh", lambda x: tf.atanh(x), np.arctanh, lambda x: 1 / (1 - x * x), (0.0, 0.85), True),
    ("atanh", "math.atanh(near-1)", lambda x: tf.math.atanh(x), np.arctanh, None, (0.9, 0.97), True),
    ("acosh", "acosh", lambda x: tf.acosh(x), np.arccosh, lambda x: 1 / np.sqrt(x * x - 1), (1.2, 3.0), False),
    ("acosh", "math.acosh(near-1)", lambda x: tf.math.acosh(x), np.arccosh, None, (1.02, 1.1), False),
    ("erfinv", "math.erfinv", lambda x: tf.math.erfinv(x), _np_erfinv,
     lambda x: math.sqrt(math.pi) / 2 * np.exp(_np_erfinv(x) ** 2), (0.0, 0.85), True),
    ("erfinv", "math.erfinv(tail)", lambda x: tf.math.erfinv(x), _np_erfinv, None, (0.9, 0.99), True),
]
for _op, _l, _fn, _ref, _d, (_lo, _hi), _sg in INTERVAL:
    for _s in [(), (3,), (2, 3)]:
        case(_op, f"{_l}{_s}".replace(" ", ""), _fn, _ref, [_s], gen=_uniform(_lo, _hi)([_s], _sg))
    if _d is None:
        continue
    _gop = getattr(_core, _op + "_grad")
    _saves_y = next(e for e in _core.elementwise_ops() if e["name"] == _op)["saved"] == "y"
    _gfn = ((lambda g, x, gop=_gop, op=getattr(_core, _op): gop(g, op(x))) if _saves_y else
            (lambda g, x, gop=_gop: gop(g, x)))
    for _shapes in [[(2, 3), (2, 3)], [(2, 2, 3), (2, 3)]]:
        _g = (lambda shapes, lo, hi, sg: lambda rng: [rng.uniform(-2.0, 2.0, shapes[0])] +
              _uniform(lo, hi)([shapes[1]], sg)(rng))(_shapes, _lo, _hi, _sg)
        case(_op + "_grad", "x".join(str(s) for s in _shapes).replace(" ", ""), _gfn,
             (lambda d: lambda g, x: g * d(x))(_d), _shapes, gen=_g)

# Bool predicates: no gradient of their own; the cases check that a gradient
# through the values they select is unaffected.
for _op, _f, _nf in [("is_finite", lambda x: tf.math.is_finite(x), np.isfinite),
                     ("is_nan", lambda x: tf.math.is_nan(x), np.isnan),
                     ("is_inf", lambda x: tf.math.is_inf(x), np.isinf)]:
    case(_op, f"where({_op}(x))",
         (lambda f: lambda x: tf.where(f(x), x * x, tf.sin(x)))(_f),
         (lambda f: lambda x: np.where(f(x), x * x, np.sin(x)))(_nf), [(2, 3)])

for _sx, _sy in [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3))]:
    _l = f"{_sx}x{_sy}".replace(" ", "")
    case("xlogy", _l, tf.math.xlogy, lambda x, y: x * np.log(y), [_sx, _sy], domain=("any", "pos"))
    case("xlog1py", _l, tf.math.xlog1py, lambda x, y: x * np.log1p(y), [_sx, _sy], domain=("any", "pos"))
    case("xdivy", _l, tf.math.xdivy, lambda x, y: x / y, [_sx, _sy], domain=("any", "denom"))
    case("divide_no_nan", _l, tf.math.divide_no_nan, lambda x, y: x / y, [_sx, _sy], domain=("any", "denom"))
    case("multiply_no_nan", _l, tf.math.multiply_no_nan, np.multiply, [_sx, _sy])
# The zero cases: x == 0 for xlogy / xlog1py / xdivy, y == 0 for the _no_nan
# ops; there the result is 0 for every value of the other input.
case("xlogy", "xlogy(0,y)", lambda y: tf.math.xlogy(tf.zeros_like(y), y), lambda y: 0.0 * y, [(2, 3)])
case("xlog1py", "xlog1py(0,y)", lambda y: tf.math.xlog1py(tf.zeros_like(y), y), lambda y: 0.0 * y, [(2, 3)])
case("xdivy", "xdivy(0,y)", lambda y: tf.math.xdivy(tf.zeros_like(y), y), lambda y: 0.0 * y, [(2, 3)])
case("divide_no_nan", "divide_no_nan(x,0)", lambda x: tf.math.divide_no_nan(x, tf.zeros_like(x)),
     lambda x: 0.0 * x, [(2, 3)])
case("multiply_no_nan", "multiply_no_nan(x,0)", lambda x: tf.math.multiply_no_nan(x, tf.zeros_like(x)),
     lambda x: 0.0 * x, [(2, 3)])
case("xlogy", "xlogy(x,x)", lambda x: tf.math.xlogy(x, x), lambda x: x * np.log(x), [(3,)], domain="pos")

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
