"""The gradient-check case table's machinery: the Case record, input
generators and numpy references shared by every case module.

Cases live in test_gradcheck.py (the core op table) and in gradcases_*.py
modules (one per op group); each calls ``case(...)`` at import.
"""
from dataclasses import dataclass

import numpy as np


@dataclass
class Case:
    op: str            # registered op name this case exercises
    label: str         # human readable variant
    fn: object         # fn(*tensors) -> tensor, using fasttape
    ref: object        # ref(*ndarrays) -> ndarray, using numpy
    shapes: tuple      # input shapes
    domain: object = "any"   # str, or tuple of str (one per input)
    gen: object = None       # optional gen(rng) -> list of float64 arrays
    eps: float = 1e-5        # finite-difference step
    rtol: float = 1e-5       # gradient tolerances vs finite differences
    atol: float = 1e-6
    fwd_rtol: float = 1e-10  # forward tolerance vs numpy (float64)

    @property
    def id(self):
        return f"{self.op}:{self.label}"


CASES = []


def case(op, label, fn, ref, shapes, **kw):
    CASES.append(Case(op, label, fn, ref, tuple(tuple(s) for s in shapes), **kw))


# --------------------------------------------------------------------------
# input generation
# --------------------------------------------------------------------------

def _sample(rng, shape, domain):
    if domain == "any":
        x = rng.uniform(-2.0, 2.0, size=shape)
    elif domain == "pos":          # log, sqrt, pow base
        x = rng.uniform(0.5, 2.0, size=shape)
    elif domain == "away0":        # relu / abs: keep away from the kink at 0
        x = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.3, 2.0, size=shape)
    elif domain == "unit":         # tan: well inside (-pi/2, pi/2)
        x = rng.uniform(-1.0, 1.0, size=shape)
    elif domain == "denom":        # divisors: bounded away from zero
        x = rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)
    else:
        raise ValueError(domain)
    return np.asarray(x, dtype=np.float64).reshape(shape)


def _separated(shape_x, shape_y, gap=0.2):
    """Generator for maximum/minimum: |x - y| > gap everywhere (no ties)."""
    def gen(rng):
        while True:
            x = _sample(rng, shape_x, "any")
            y = _sample(rng, shape_y, "any")
            if np.min(np.abs(x - y)) > gap:
                return [x, y]
    return gen


def make_inputs(c, rng):
    if c.gen is not None:
        return [np.asarray(a, dtype=np.float64) for a in c.gen(rng)]
    domains = c.domain if isinstance(c.domain, tuple) else (c.domain,) * len(c.shapes)
    return [_sample(rng, s, d) for s, d in zip(c.shapes, domains)]


# --------------------------------------------------------------------------
# numpy references for the less obvious ops
# --------------------------------------------------------------------------

def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_sum_to(x, shape):
    shape = tuple(shape)
    x = np.asarray(x)
    lead = x.ndim - len(shape)
    x = x.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and x.shape[i] != 1)
    return x.sum(axis=axes, keepdims=True).reshape(shape)


def _np_matmul(a, b, ta=False, tb=False):
    if ta:
        a = np.swapaxes(a, -1, -2)
    if tb:
        b = np.swapaxes(b, -1, -2)
    return np.matmul(a, b)


def _ranges(begin, end, strides):
    return [range(b, e, s) for b, e, s in zip(begin, end, strides)]


def _np_strided_slice(x, begin, end, strides):
    return np.asarray(x)[np.ix_(*_ranges(begin, end, strides))]


def _np_strided_slice_grad(dy, shape, begin, end, strides):
    out = np.zeros(shape, dtype=np.asarray(dy).dtype)
    out[np.ix_(*_ranges(begin, end, strides))] = dy
    return out


def _axis(a):
    return tuple(a) if isinstance(a, list) else a


# Reduction variants (shape, axis, keepdims): scalar to rank 3, None / int /
# negative / list axes, with and without keepdims.
REDUCE_VARIANTS = [
    ((), None, False),
    ((3,), None, False),
    ((3,), 0, True),
    ((2, 3), None, False),
    ((2, 3), None, True),
    ((2, 3), 0, False),
    ((2, 3), 1, False),
    ((2, 3), -1, True),
    ((2, 3), [0, 1], False),
    ((2, 3, 2), [0, 2], False),
    ((2, 3, 2), [-1, 0], True),
    ((2, 3, 2), -2, False),
]


__all__ = ['REDUCE_VARIANTS', 'case', '_sample', '_separated', 'make_inputs', '_np_sigmoid', '_np_sum_to', '_np_matmul', '_ranges', '_np_strided_slice', '_np_strided_slice_grad', '_axis', 'Case', 'CASES']
