"""Dense linear solves: ``linalg.solve`` and ``linalg.inv``.

The forward pass uses numpy's LAPACK; the gradient is a custom-gradient
record whose rule is written with fasttape ops (a solve with the adjoint and a
matmul with the result), so outer tapes differentiate it again and forward
accumulators push tangents through it.
"""

import numpy as np

from . import _core
from ._dtypes import FLOAT_CODES
from ._tensor import _array_to_tensor, convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["solve", "inv"]


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
