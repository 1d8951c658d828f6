"""The linear-algebra op group written in Python.

``linalg.solve`` and ``linalg.inv``: the forward pass uses numpy's LAPACK;
the gradient is a custom-gradient record whose rule is written with fasttape
ops (a solve with the adjoint and a matmul with the result), so outer tapes
differentiate it again and forward accumulators push tangents through it.

``einsum``, ``matvec``, ``trace`` and ``diag_part`` lower to transpose /
reshape / matmul / multiply / reduce_sum / strided slices, ops that already
carry VJPs and JVPs, so their gradients of every order come for free.
"""
import re as _re

import numpy as np

from . import _core
from ._dtypes import FLOAT_CODES
from ._tensor import _array_to_tensor, convert_to_tensor
from ._tensor import convert_to_tensor as _convert
from . import errors as _errors
from .errors import InvalidArgumentError

__all__ = ["solve", "inv", "einsum", "matvec", "trace", "diag_part"]
TOP_LEVEL = ["einsum"]  # also at fasttape.<name>, as in TensorFlow


def _square(a, op):
    if len(a._shape) < 2 or a._shape[-1] != a._shape[-2]:
        raise InvalidArgumentError("%s: the matrix must be square (..., n, n), got shape %s" % (op, a.shape))
    if a._dtype_code not in FLOAT_CODES:
        raise InvalidArgumentError("%s: float32 or float64 matrices only, got %s" % (op, a.dtype.name))


def _lapack(fn, op, *arrays):
    try:
        return fn(*arrays)
    except np.linalg.LinAlgError as e:
        raise InvalidArgumentError("%s: %s (the matrix is not invertible) [Op:%s]"
                                   % (op, e, "MatrixSolve" if op == "solve" else "MatrixInverse")) from None


def _adjoint(x):
    perm = list(range(len(x._shape)))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return _core.transpose(x, perm)


def solve(matrix, rhs, adjoint=False, name=None):
    """X with ``matrix @ X = rhs`` (``adjoint``: ``matrix^T @ X = rhs``)."""
    a = convert_to_tensor(matrix)
    b = convert_to_tensor(rhs, dtype=a.dtype) if not _core.is_tensor(rhs) else rhs
    _square(a, "solve")
    if b._dtype_code != a._dtype_code:
        raise InvalidArgumentError("solve: matrix is %s but rhs is %s; cast one of them"
                                   % (a.dtype.name, b.dtype.name))
    if len(b._shape) < 2 or b._shape[-2] != a._shape[-1]:
        raise InvalidArgumentError("solve: rhs must have shape (..., %d, k), got %s" % (a._shape[-1], b.shape))
    an = np.asarray(a)
    if adjoint:
        an = np.swapaxes(an, -1, -2)
    x = _lapack(np.linalg.solve, "solve", an, np.asarray(b)).astype(an.dtype)
    def backward(upstream, outputs):
        g = upstream[0]
        gb = solve(a, g, adjoint=not adjoint)
        xs = outputs[0]
        ga = -(_core.matmul(xs, gb, False, True) if adjoint else _core.matmul(gb, xs, False, True))
        return [ga, gb]

    return _core.custom_gradient([a, b], [_array_to_tensor(x)], backward)[0]


def inv(input, adjoint=False, name=None):  # noqa: A002 - TensorFlow's name
    """The inverse of a square matrix (or of each in a batch)."""
    a = convert_to_tensor(input)
    _square(a, "inv")
    an = np.asarray(a)
    if adjoint:
        an = np.swapaxes(an, -1, -2)
    x = _lapack(np.linalg.inv, "inv", an).astype(an.dtype)
    def backward(upstream, outputs):
        xs = outputs[0]
        xt = _adjoint(xs)
        g = -_core.matmul(_core.matmul(xt, upstream[0]), xt)
        return [_adjoint(g) if adjoint else g]

    return _core.custom_gradient([a], [_array_to_tensor(x)], backward)[0]


# --------------------------------------------------------------------------
# einsum
# --------------------------------------------------------------------------

_TERM = _re.compile(r"^[A-Za-z]*(\.\.\.)?[A-Za-z]*$")


def _einsum_error(equation, why):
    return ValueError("einsum: invalid equation %r: %s" % (equation, why))


def _parse(equation, shapes):
    """Splits an equation into per-input label lists and the output labels,
    with each '...' replaced by fresh labels (right-aligned across inputs, as
    numpy broadcasting) and an implicit output made explicit."""
    if not isinstance(equation, str):
        raise TypeError("einsum: equation must be a string, got %r" % (type(equation).__name__,))
    eq = equation.replace(" ", "")
    if eq.count("->") > 1:
        raise _einsum_error(equation, "more than one '->'")
    if "->" in eq:
        lhs, out = eq.split("->")
        explicit = True
    else:
        lhs, out, explicit = eq, "", False
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise _einsum_error(equation, "it names %d input(s) but %d tensor(s) were given" % (len(terms), len(shapes)))
    for t in terms + ([out] if explicit else []):
        if not _TERM.match(t):
            raise _einsum_error(equation, "term %r: labels must be letters, with at most one '...'" % (t,))
    # Ellipsis ranks and fresh labels for them.
    used = set(c for c in eq if c.isalpha())
    ell_ranks = []
    for t, s in zip(terms, shapes):
        n_letters = len(t.replace("...", ""))
        if "..." in t:
            if len(s) < n_letters:
                raise _einsum_error(equation, "input of shape %s has rank %d, fewer than the %d labels of %r"
                                    % (list(s), len(s), n_letters, t))
            ell_ranks.append(len(s) - n_letters)
        else:
            if len(s) != n_letters:
                raise _einsum_error(equation, "term %r has %d label(s) but its input has shape %s (rank %d)"
                                    % (t, n_letters, list(s), len(s)))
            ell_ranks.append(0)
    n_ell = max(ell_ranks) if ell_ranks else 0
    fresh = []
    code = 0
    while len(fresh) < n_ell:
        ch = chr(0x100 + code)   # outside A-Z / a-z: never collides with a user label
        code += 1
        if ch not in used:
            fresh.append(ch)
    ins = []
    for t, r in zip(terms, ell_ranks):
        if "..." in t:
            a, b = t.split("...")
            ins.append(list(a) + fresh[n_ell - r:] + list(b))
        else:
            ins.append(list(t))
    any_ell = any("..." in t for t in terms)
    if explicit:
        if "..." in out:
            a, b = out.split("...")
            outl = list(a) + fresh + list(b)
        else:
            outl = list(out)
        if len(set(outl)) != len(outl):
            raise _einsum_error(equation, "output subscripts %r repeat a label" % (out,))
        all_in = set(c for l in ins for c in l)
        for c in outl:
            if c not in all_in:
                raise _einsum_error(equation, "output label %r does not appear in any input" % (c,))
    else:
        counts = {}
        for l in ins:
            for c in l:
                counts[c] = counts.get(c, 0) + 1
        letters = sorted(c for c, k in counts.items() if k == 1 and c not in fresh)
        outl = (fresh if any_ell else []) + letters
    return ins, outl


def _transpose_to(x, labels, order):
    """x with its axes (named by labels) permuted to order."""
    perm = [labels.index(c) for c in order]
    if perm == list(range(len(perm))):
        return x
    return _core.transpose(x, perm)


def _diagonal(x, labels, equation):
    """Takes diagonals for labels repeated within one input ('ii->i')."""
    while len(set(labels)) != len(labels):
        c = next(c for c in labels if labels.count(c) > 1)
        i = labels.index(c)
        j = labels.index(c, i + 1)
        rest = [k for k in range(len(labels)) if k not in (i, j)]
        x = _core.transpose(x, rest + [i, j]) if rest + [i, j] != list(range(len(labels))) else x
        shp = list(x._shape)
        n = shp[-1]
        if shp[-2] != n:
            raise _einsum_error(equation, "label %r is repeated on axes of sizes %d and %d" % (c, shp[-2], n))
        x = _core.reshape(x, shp[:-2] + [n * n])
        x = x[..., ::n + 1]
        labels = [labels[k] for k in rest] + [c]
    return x, labels


def _sum_out(x, labels, keep):
    axes = [k for k, c in enumerate(labels) if c not in keep]
    if not axes:
        return x, labels
    return _core.reduce_sum(x, axes), [c for c in labels if c in keep]


def _prod(v):
    p = 1
    for d in v:
        p *= d
    return p


def _contract(a, la, b, lb, keep):
    """a (labels la) times b (labels lb), summed over the shared labels not in
    keep; returns the result and its labels."""
    sa = dict(zip(la, a._shape))
    sb = dict(zip(lb, b._shape))
    batch = [c for c in la if c in sb and c in keep]
    con = [c for c in la if c in sb and c not in keep]
    fa = [c for c in la if c not in sb]
    fb = [c for c in lb if c not in sa]
    if not con:
        # No contraction: an elementwise product with broadcasting.
        order = batch + fa + fb
        a2 = _transpose_to(a, la, batch + fa)
        a2 = _core.reshape(a2, [sa[c] for c in batch + fa] + [1] * len(fb))
        b2 = _transpose_to(b, lb, batch + fb)
        b2 = _core.reshape(b2, [sb[c] for c in batch] + [1] * len(fa) + [sb[c] for c in fb])
        return _core.multiply(a2, b2), order
    nb = _prod(sa[c] for c in batch)
    nfa = _prod(sa[c] for c in fa)
    nfb = _prod(sb[c] for c in fb)
    nc = _prod(sa[c] for c in con)
    a2 = _core.reshape(_transpose_to(a, la, batch + fa + con), [nb, nfa, nc] if batch else [nfa, nc])
    b2 = _core.reshape(_transpose_to(b, lb, batch + con + fb), [nb, nc, nfb] if batch else [nc, nfb])
    r = _core.matmul(a2, b2)
    order = batch + fa + fb
    return _core.reshape(r, [sa[c] for c in batch + fa] + [sb[c] for c in fb]), order


def einsum(equation, *inputs, **kwargs):
    """Tensor contraction over the labels of an equation, as ``tf.einsum``:
    'ij,jk->ik', 'bij,bjk->bik', 'i,i->', 'ij->ji', 'ij,j->i', implicit
    outputs ('ij,jk'), sums ('ij->i'), outer products ('i,j->ij'), traces
    and diagonals ('ii->', 'ii->i') and broadcasting '...'. Lowered to
    transpose / reshape / matmul / multiply / reduce_sum, so it is
    differentiable to any order."""
    kwargs.pop("name", None)
    kwargs.pop("optimize", None)
    if kwargs:
        raise TypeError("einsum: unexpected keyword argument(s) %s" % (sorted(kwargs),))
    if not inputs:
        raise ValueError("einsum: no input tensors given for equation %r" % (equation,))
    first = _convert(inputs[0])
    xs = [first] + [_convert(x, dtype_hint=first.dtype) for x in inputs[1:]]
    for k, x in enumerate(xs[1:], 1):
        if x.dtype != first.dtype:
            raise _errors.InvalidArgumentError(
                None, None, "einsum: input #%d is a %s tensor but input #0 is %s; all inputs must have one dtype "
                "(cast with fasttape.cast)" % (k, x.dtype.name, first.dtype.name))
    ins, outl = _parse(equation, [tuple(x._shape) for x in xs])

    # Label sizes; size-1 ellipsis dims broadcast (drop them where others are larger).
    sizes = {}
    for x, l in zip(xs, ins):
        for c, d in zip(l, x._shape):
            if c in sizes and sizes[c] != d and 1 not in (sizes[c], d):
                raise _einsum_error(equation, "label %r has size %d in one input and %d in another"
                                    % (c if ord(c) < 0x100 else "...", sizes[c], d))
            sizes[c] = max(sizes.get(c, d), d)
    for k, (x, l) in enumerate(zip(xs, ins)):
        drop = [i for i, (c, d) in enumerate(zip(l, x._shape)) if d == 1 and sizes[c] != 1]
        if drop:
            if any(not ord(l[i]) >= 0x100 for i in drop):
                c = l[drop[0]]
                raise _einsum_error(equation, "label %r has size 1 in one input and %d in another" % (c, sizes[c]))
            xs[k] = _core.reshape(x, [d for i, d in enumerate(x._shape) if i not in drop])
            ins[k] = [c for i, c in enumerate(l) if i not in drop]

    ops = []
    for x, l in zip(xs, ins):
        x, l = _diagonal(x, l, equation)
        ops.append((x, l))

    def needed(rest):
        s = set(outl)
        for _, l in rest:
            s.update(l)
        return s

    x, l = ops[0]
    x, l = _sum_out(x, l, needed(ops[1:]))
    for k in range(1, len(ops)):
        y, ly = ops[k]
        keep = needed(ops[k + 1:])
        y, ly = _sum_out(y, ly, keep | set(l))
        x, l = _sum_out(x, l, keep | set(ly))
        x, l = _contract(x, l, y, ly, keep)
    x, l = _sum_out(x, l, set(outl))
    # Labels of the output that were dropped as broadcast size-1 dims everywhere.
    missing = [c for c in outl if c not in l]
    if missing:
        x = _core.reshape(x, list(x._shape) + [1] * len(missing))
        l = l + missing
    return _transpose_to(x, l, outl)


def matvec(a, b, transpose_a=False, adjoint_a=False, a_is_sparse=False, b_is_sparse=False, name=None):
    """Matrix (batch) times vector (batch), as ``tf.linalg.matvec``:
    ``matmul(a, b[..., None])[..., 0]``."""
    del a_is_sparse, b_is_sparse, name
    a = _convert(a)
    b = _convert(b, dtype_hint=a.dtype)
    if len(b._shape) < 1 or len(a._shape) < 2:
        raise ValueError("matvec: a must have rank >= 2 and b rank >= 1, got shapes %s and %s"
                         % (list(a._shape), list(b._shape)))
    r = _core.matmul(a, _core.reshape(b, list(b._shape) + [1]), transpose_a=transpose_a or adjoint_a)
    return _core.reshape(r, list(r._shape)[:-1])


def trace(x, name=None):
    """Sum of the diagonal of the last two dims, as ``tf.linalg.trace``."""
    return einsum("...ii->...", x)


def diag_part(input, name=None, k=0, padding_value=0, align="RIGHT_LEFT"):  # noqa: A002
    """The k-th diagonal of the last two dims, as ``tf.linalg.diag_part``
    (k > 0 above the main diagonal, k < 0 below). One diagonal per call: a
    (k_lo, k_hi) band, which TensorFlow stacks with padding, raises
    ValueError naming the alternative."""
    if isinstance(k, (tuple, list)) or (_core.is_tensor(k) and k._shape != ()):
        ks = [int(v) for v in (k if isinstance(k, (tuple, list)) else np.asarray(k).reshape(-1))]
        if len(ks) == 2 and ks[0] == ks[1]:
            k = ks[0]
        else:
            raise ValueError("diag_part: k=%r asks for a band of diagonals; fasttape takes one diagonal per "
                             "call: use [diag_part(x, k=i) for i in range(k_lo, k_hi + 1)]" % (k,))
    k = int(k)
    x = _convert(input)
    s = list(x._shape)
    if len(s) < 2:
        raise ValueError("diag_part: input must have rank >= 2, got shape %s" % (s,))
    m, n = s[-2], s[-1]
    if not -m < k < n:
        raise _errors.InvalidArgumentError("diag_part: k = %d is out of range for a %d x %d matrix: it must be in "
                                   "[%d, %d] [Op:MatrixDiagPartV3]" % (k, m, n, -m + 1, n - 1))
    length = min(m, n - k) if k >= 0 else min(m + k, n)
    rows = slice(0, length) if k >= 0 else slice(-k, -k + length)
    cols = slice(k, k + length) if k >= 0 else slice(0, length)
    return einsum("...ii->...i", x[..., rows, cols])
