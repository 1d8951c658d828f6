"""Python-level wrappers of the nn / linalg op group; names in __all__ are
exported at the package's top level.

The activations, softmaxes and losses are C++ op-table entries bound in
``_core`` (see cpp/src/ops/nn_ops.cpp); ``einsum`` and ``matvec`` are written
here by lowering to transpose / reshape / matmul / multiply / reduce_sum /
strided slices, ops that already carry VJPs and JVPs, so their gradients of
every order come for free.

``MATH_NAMES`` lists the names TensorFlow also exposes in ``tf.math``
(softplus, softmax, log_softmax); the ``fasttape.math`` namespace imports
them from here.
"""
import re as _re

import numpy as np

from . import _core
from . import errors as _errors
from ._core import (elu, l2_loss, leaky_relu, log_softmax, relu6, sigmoid_cross_entropy_with_logits,  # noqa: F401
                    softmax, softmax_cross_entropy_with_logits, softplus,
                    sparse_softmax_cross_entropy_with_logits)
from ._core import gelu as _gelu
from ._tensor import convert_to_tensor as _convert

__all__ = ["einsum"]

# Names TensorFlow exports in tf.math as well as tf.nn.
MATH_NAMES = ["softplus", "softmax", "log_softmax", "l2_normalize"]


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit, as ``tf.nn.gelu``: ``x * P(X <= x)`` with
    X ~ N(0, 1) (exact, via erf), or its tanh approximation."""
    return _gelu(features, approximate=bool(approximate), name=name)


def silu(features, beta=1.0, name=None):
    """``features * sigmoid(beta * features)``, as ``tf.nn.silu`` (alias
    ``tf.nn.swish``). A composite: its gradient comes from multiply/sigmoid."""
    x = _convert(features)
    if beta == 1.0:
        return _core.multiply(x, _core.sigmoid(x))
    return _core.multiply(x, _core.sigmoid(_core.multiply(x, beta)))


swish = silu

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(features, name=None):
    """Scaled ELU, as ``tf.nn.selu``: ``scale * (x if x >= 0 else alpha *
    expm1(x))``; its gradient at 0 is ``scale`` (TensorFlow's SeluGrad)."""
    x = _convert(features)
    neg = _core.multiply(elu(x), _SELU_ALPHA)
    return _core.multiply(_core.where(_core.less(x, 0.0), neg, x), _SELU_SCALE)


def bias_add(value, bias, data_format=None, name=None):
    """``value + bias`` with a 1-D bias on the channel dimension (the last
    one, or dimension 1 for data_format 'NC...'), as ``tf.nn.bias_add``."""
    v = _convert(value)
    b = _convert(bias, dtype_hint=v.dtype)
    if len(b._shape) != 1:
        raise ValueError("bias_add: bias must be 1-D, got shape %s" % (list(b._shape),))
    if len(v._shape) < 2:
        raise ValueError("bias_add: value must have rank >= 2, got shape %s" % (list(v._shape),))
    nchw = data_format is not None and data_format.startswith("NC")
    c = v._shape[1] if nchw else v._shape[-1]
    if b._shape[0] != c:
        raise _errors.InvalidArgumentError(
            None, None, "bias_add: bias of shape %s must match the channel dimension %d of value's shape %s"
            % (list(b._shape), c, list(v._shape)))
    if nchw:
        b = _core.reshape(b, [c] + [1] * (len(v._shape) - 2))
    return _core.add(v, b)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``x / sqrt(max(sum(x**2, axis), epsilon))``, as ``tf.math.l2_normalize``."""
    if dim is not None:
        axis = dim
    x = _convert(x)
    sq = _core.reduce_sum(_core.square(x), axis, keepdims=True)
    return _core.divide(x, _core.sqrt(_core.maximum(sq, epsilon)))


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
