"""Matrix decompositions and the functions built on them (``tf.linalg``).

Forward passes use numpy.linalg (LAPACK), batched over leading dims. Each
gradient is a custom-gradient record whose rule is written with fasttape ops
of the saved outputs (matmul, triangular_solve, inv, multiply, ...), so
outer tapes differentiate it again (higher orders).

Conventions kept from TensorFlow:

* ``cholesky`` reads the lower triangle only; its gradient is symmetric.
* ``eigh`` / ``eigvalsh`` read the lower triangle only; the gradient is
  returned on the lower triangle (as TensorFlow). The eigenvector gradient
  uses 1 / (e_j - e_i) off the diagonal without masking: degenerate
  eigenvalues give inf / nan there, as in TensorFlow. The same holds for
  singular vectors (1 / (s_j^2 - s_i^2)).
* ``svd`` returns ``(s, u, v)`` with ``a = u diag(s) v^T`` (v, not v^T).
* Eigen- and singular-vector signs follow LAPACK (numpy) and are not
  unique; gauge-invariant quantities (reconstructions, projectors) agree.
* A term of a gradient whose incoming gradient is exactly zero is skipped,
  so the gradient of the eigenvalues (or singular values) alone is finite
  for degenerate spectra.
"""
import numpy as np

from . import _core
from ._dtypes import FLOAT_CODES
from ._linalg_ops import _adjoint, _square, diag_part, inv
from ._tensor import _array_to_tensor, convert_to_tensor
from .errors import FailedPreconditionError, InvalidArgumentError

__all__ = ["cholesky", "cholesky_solve", "cross", "det", "eigh", "eigvalsh", "expm", "logdet", "lstsq", "pinv",
           "qr", "slogdet", "svd", "triangular_solve"]


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------

def _tensor(x, dtype=None):
    if _core.is_variable(x):
        x = x._read()
    if _core.is_tensor(x):
        return x
    return convert_to_tensor(x, dtype=dtype) if dtype is not None else convert_to_tensor(x)


def _float_matrix(a, op, square=False):
    if len(a._shape) < 2:
        raise InvalidArgumentError("%s: input must have rank >= 2, got shape %s" % (op, list(a._shape)))
    if a._dtype_code not in FLOAT_CODES:
        raise InvalidArgumentError("%s: float32 or float64 matrices only, got %s" % (op, a.dtype.name))
    if square:
        _square(a, op)


def _second(a, b, op):
    """rhs converted to a's dtype, checked to be a float matrix of it."""
    b = _tensor(b, a.dtype)
    if b._dtype_code != a._dtype_code:
        raise InvalidArgumentError("%s: matrix is %s but rhs is %s; cast one of them" % (op, a.dtype.name,
                                                                                        b.dtype.name))
    if len(b._shape) < 2 or b._shape[-2] != a._shape[-2]:
        raise InvalidArgumentError("%s: rhs must have shape (..., %d, k), got %s" % (op, a._shape[-2],
                                                                                     list(b._shape)))
    return b


def _const(arr, dt):
    return _array_to_tensor(np.array(arr, dtype=dt))


def _np_dtype(t):
    return np.float64 if t.dtype.name == "float64" else np.float32


def _eye(n, dt):
    return _array_to_tensor(np.eye(n, dtype=dt))


def _mask(n, dt, below=1.0, diag=1.0, above=0.0):
    m = np.full((n, n), above, dtype=dt)
    m[np.tril_indices(n, -1)] = below
    m[np.diag_indices(n)] = diag
    return _array_to_tensor(m)


def _diag(v):
    """Diagonal matrices from the last dim of v."""
    n = v._shape[-1]
    return _core.multiply(_core.expand_dims(v, -1), _eye(n, _np_dtype(v)))


def _mm(a, b, ta=False, tb=False):
    return _core.matmul(a, b, ta, tb)


def _nonzero(t):
    return t is not None and bool(np.any(np.asarray(t)))


def _reduce_to(g, shape):
    return g if list(g._shape) == list(shape) else _core.sum_to(g, list(shape))


def _offdiag_reciprocal(x):
    """f[..., i, j] = 1 / (x_j - x_i) off the diagonal, 0 on it."""
    n = x._shape[-1]
    dt = _np_dtype(x)
    diff = _core.subtract(_core.expand_dims(x, -2), _core.expand_dims(x, -1))
    eye = _eye(n, dt)
    return _core.multiply(_core.reciprocal(_core.add(diff, eye)), _const(1.0 - np.eye(n), dt))


# --------------------------------------------------------------------------
# triangular systems and Cholesky
# --------------------------------------------------------------------------

def triangular_solve(matrix, rhs, lower=True, adjoint=False, name=None):
    """X with ``T @ X = rhs`` where T is the lower (``lower``) or upper
    triangle of ``matrix`` (``adjoint``: ``T^T @ X = rhs``). The other
    triangle is not read; batch dims broadcast."""
    a = _tensor(matrix)
    _float_matrix(a, "triangular_solve", square=True)
    b = _second(a, rhs, "triangular_solve")
    an = np.asarray(a)
    t = np.tril(an) if lower else np.triu(an)
    if adjoint:
        t = np.swapaxes(t, -1, -2)
    bn = np.asarray(b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        x = _substitute(t, bn, lower != bool(adjoint))
    x = x.astype(an.dtype)
    a_shape, b_shape = list(a._shape), list(b._shape)

    def backward(upstream, outputs):
        g = upstream[0]
        xs = outputs[0]
        gb = triangular_solve(a, g, lower=lower, adjoint=not adjoint)
        ga = -(_mm(xs, gb, False, True) if adjoint else _mm(gb, xs, False, True))
        ga = _core.multiply(ga, _mask(a_shape[-1], _np_dtype(a), below=1.0 if lower else 0.0,
                                      above=0.0 if lower else 1.0))
        return [_reduce_to(ga, a_shape), _reduce_to(gb, b_shape)]

    return _core.custom_gradient([a, b], [_array_to_tensor(x)], backward)[0]


def _substitute(t, b, lower):
    """Forward / back substitution on triangular t (batched, broadcast);
    a zero on the diagonal gives inf / nan, not an error."""
    n = t.shape[-1]
    batch = np.broadcast_shapes(t.shape[:-2], b.shape[:-2])
    t = np.broadcast_to(t, batch + t.shape[-2:]).astype(np.float64)
    b = np.broadcast_to(b, batch + b.shape[-2:]).astype(np.float64)
    x = np.zeros(b.shape, dtype=np.float64)
    rows = range(n) if lower else range(n - 1, -1, -1)
    for i in rows:
        lo, hi = (0, i) if lower else (i + 1, n)
        acc = b[..., i, :] - np.einsum("...j,...jk->...k", t[..., i, lo:hi], x[..., lo:hi, :])
        x[..., i, :] = acc / t[..., i, i][..., None]
    return x


def _cholesky_np(an):
    """Batched Cholesky factors; a matrix that is not positive definite
    gives a matrix of NaN (TensorFlow's CPU kernel does not raise)."""
    try:
        return np.linalg.cholesky(an)
    except np.linalg.LinAlgError:
        pass
    n = an.shape[-1]
    flat = an.reshape((-1, n, n))
    out = np.full(flat.shape, np.nan, dtype=an.dtype)
    for i, m in enumerate(flat):
        try:
            out[i] = np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            pass
    return out.reshape(an.shape)


def cholesky(input, name=None):  # noqa: A002 - TensorFlow's name
    """Lower-triangular L with ``L @ L^T = input`` (symmetric positive
    definite; only the lower triangle is read). A matrix that is not
    positive definite gives NaN, as TensorFlow's CPU kernel."""
    a = _tensor(input)
    _float_matrix(a, "cholesky", square=True)
    chol = _cholesky_np(np.asarray(a))
    n = a._shape[-1]
    dt = _np_dtype(a)

    def backward(upstream, outputs):
        g = upstream[0]
        low = outputs[0]
        # Phi(L^T dL): lower triangle with the diagonal halved.
        p = _core.multiply(_mm(low, g, True, False), _mask(n, dt, diag=0.5))
        x = triangular_solve(low, p, lower=True, adjoint=True)                       # L^-T P
        s = _adjoint(triangular_solve(low, _adjoint(x), lower=True, adjoint=True))  # L^-T P L^-1
        return [_core.multiply(_core.add(s, _adjoint(s)), _const(0.5, dt))]

    return _core.custom_gradient([a], [_array_to_tensor(chol.astype(dt))], backward)[0]


def cholesky_solve(chol, rhs, name=None):
    """X with ``(chol @ chol^T) @ X = rhs``, chol from ``cholesky``."""
    c = _tensor(chol)
    _float_matrix(c, "cholesky_solve", square=True)
    y = triangular_solve(c, rhs, lower=True, adjoint=False)
    return triangular_solve(c, y, lower=True, adjoint=True)


# --------------------------------------------------------------------------
# determinants
# --------------------------------------------------------------------------

def det(input, name=None):  # noqa: A002 - TensorFlow's name
    """Determinant of each square matrix in the last two dims."""
    a = _tensor(input)
    _float_matrix(a, "det", square=True)
    dt = _np_dtype(a)
    d = np.asarray(np.linalg.det(np.asarray(a)), dtype=dt)

    def backward(upstream, outputs):
        m = _core.multiply(upstream[0], outputs[0])
        return [_core.multiply(_core.expand_dims(_core.expand_dims(m, -1), -1), inv(a, adjoint=True))]

    return _core.custom_gradient([a], [_array_to_tensor(d)], backward)[0]


def slogdet(input, name=None):  # noqa: A002 - TensorFlow's name
    """``(sign, log_abs_determinant)`` of each square matrix; a singular
    matrix gives sign 0 and -inf."""
    a = _tensor(input)
    _float_matrix(a, "slogdet", square=True)
    dt = _np_dtype(a)
    sign, logabs = np.linalg.slogdet(np.asarray(a))
    sign = np.asarray(sign, dtype=dt)
    logabs = np.asarray(logabs, dtype=dt)

    def backward(upstream, outputs):
        g = upstream[1]
        return [_core.multiply(_core.expand_dims(_core.expand_dims(g, -1), -1), inv(a, adjoint=True))]

    outs = _core.custom_gradient([a], [_array_to_tensor(sign), _array_to_tensor(logabs)], backward)
    return outs[0], outs[1]


def logdet(matrix, name=None):
    """log(det(matrix)) of a symmetric positive-definite matrix, computed
    as 2 * sum(log(diag(cholesky(matrix))))."""
    chol = cholesky(matrix)
    d = diag_part(chol)
    return _core.multiply(_core.reduce_sum(_core.log(d), -1), _const(2.0, _np_dtype(chol)))


# --------------------------------------------------------------------------
# symmetric eigenproblem
# --------------------------------------------------------------------------

def _sym_lower_grad(g):
    """Gradient of a function of the lower triangle: tril(g + g^T) with the
    diagonal of g."""
    n = g._shape[-1]
    return _core.multiply(_core.add(g, _adjoint(g)), _mask(n, _np_dtype(g), diag=0.5))


def _eigh_op(a):
    dt = _np_dtype(a)
    e, v = np.linalg.eigh(np.asarray(a), UPLO="L")

    def backward(upstream, outputs):
        ge, gv = upstream
        es, vs = outputs
        inner = _diag(ge)
        if _nonzero(gv):
            inner = _core.add(inner, _core.multiply(_offdiag_reciprocal(es), _mm(vs, gv, True, False)))
        return [_sym_lower_grad(_mm(_mm(vs, inner), vs, False, True))]

    outs = _core.custom_gradient([a], [_array_to_tensor(e.astype(dt)), _array_to_tensor(v.astype(dt))], backward)
    return outs[0], outs[1]


def eigh(tensor, name=None):
    """``(e, v)``: ascending eigenvalues and eigenvectors (columns of v) of
    each symmetric matrix; only the lower triangle is read."""
    a = _tensor(tensor)
    _float_matrix(a, "eigh", square=True)
    return _eigh_op(a)


def eigvalsh(tensor, name=None):
    """Ascending eigenvalues of each symmetric matrix (lower triangle read)."""
    return eigh(tensor)[0]


# --------------------------------------------------------------------------
# SVD and what is built on it
# --------------------------------------------------------------------------

def _svd_op(a, full_matrices):
    dt = _np_dtype(a)
    m, n = a._shape[-2], a._shape[-1]
    u, s, vh = np.linalg.svd(np.asarray(a), full_matrices=full_matrices)
    v = np.swapaxes(vh, -1, -2)

    def backward(upstream, outputs):
        gs, gu, gv = upstream
        ss, us, vs = outputs
        has_u, has_v = _nonzero(gu), _nonzero(gv)
        if full_matrices and m != n and (has_u or has_v):
            raise NotImplementedError("SVD gradient has not been implemented for input with unequal number of "
                                      "columns and rows and full_matrices is true")
        k = min(m, n)
        if full_matrices and m != n:
            us, vs = us[..., :, :k], vs[..., :, :k]   # only gs flows here
        inner = _diag(gs)
        if has_u or has_v:
            f = _offdiag_reciprocal(_core.square(ss))
            if has_u:
                w = _mm(us, gu, True, False)
                j = _core.multiply(f, _core.subtract(w, _adjoint(w)))
                inner = _core.add(inner, _core.multiply(j, _core.expand_dims(ss, -2)))
            if has_v:
                w = _mm(vs, gv, True, False)
                kk = _core.multiply(f, _core.subtract(w, _adjoint(w)))
                inner = _core.add(inner, _core.multiply(_core.expand_dims(ss, -1), kk))
        grad = _mm(_mm(us, inner), vs, False, True)
        sinv = _core.expand_dims(_core.reciprocal(ss), -2)
        if has_u and m > k:
            pu = _core.subtract(gu, _mm(us, _mm(us, gu, True, False)))
            grad = _core.add(grad, _mm(_core.multiply(pu, sinv), vs, False, True))
        if has_v and n > k:
            pv = _core.subtract(gv, _mm(vs, _mm(vs, gv, True, False)))
            grad = _core.add(grad, _mm(us, _core.multiply(pv, sinv), False, True))
        return [grad]

    outs = _core.custom_gradient([a], [_array_to_tensor(s.astype(dt)), _array_to_tensor(u.astype(dt)),
                                       _array_to_tensor(v.astype(dt))], backward)
    return outs[0], outs[1], outs[2]


def svd(tensor, full_matrices=False, compute_uv=True, name=None):
    """Singular values ``s`` (descending) and, with ``compute_uv``, ``(s, u,
    v)`` with ``tensor = u @ diag(s) @ v^T`` (v, not its transpose).
    ``full_matrices`` gives square u and v; its gradient needs a square
    input."""
    a = _tensor(tensor)
    _float_matrix(a, "svd")
    if not compute_uv:
        return _svd_op(a, False)[0]
    return _svd_op(a, bool(full_matrices))


def pinv(a, rcond=None, validate_args=False, name=None):
    """Moore-Penrose pseudo-inverse via the SVD; singular values at most
    ``rcond * max(s)`` are dropped (default ``rcond``: 10 * max(m, n) *
    machine epsilon of the dtype)."""
    x = _tensor(a)
    _float_matrix(x, "pinv")
    dt = _np_dtype(x)
    if rcond is None:
        rcond = 10.0 * max(x._shape[-2], x._shape[-1]) * np.finfo(dt).eps
    s, u, v = _svd_op(x, False)
    cutoff = _core.multiply(_core.reduce_max(s, -1), _tensor(rcond, x.dtype) if not _core.is_tensor(rcond)
                            else rcond)
    keep = _core.greater(s, _core.expand_dims(cutoff, -1))
    one = _core.multiply(s, _const(0.0, dt)) + _const(1.0, dt)
    sinv = _core.where(keep, _core.reciprocal(_core.where(keep, s, one)), _core.multiply(s, _const(0.0, dt)))
    return _mm(_core.multiply(v, _core.expand_dims(sinv, -2)), u, False, True)


def _lstsq_slow(a, b, l2, dt):
    an, bn = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    n = an.shape[-1]
    if l2:
        # Ridge solution as the least-squares solution of [A; sqrt(l2) I] X = [B; 0].
        root = np.broadcast_to(np.sqrt(l2) * np.eye(n), an.shape[:-2] + (n, n))
        an = np.concatenate([an, root], -2)
        bn = np.concatenate([bn, np.zeros(bn.shape[:-2] + (n, bn.shape[-1]))], -2)
    flat_a = an.reshape((-1,) + an.shape[-2:])
    flat_b = np.broadcast_to(bn, an.shape[:-2] + bn.shape[-2:]).reshape((-1,) + bn.shape[-2:])
    x = np.stack([np.linalg.lstsq(p, q, rcond=None)[0] for p, q in zip(flat_a, flat_b)]) if len(flat_a) else \
        np.zeros((0, n, bn.shape[-1]))
    x = x.reshape(an.shape[:-2] + (n, bn.shape[-1])).astype(dt)

    def backward(upstream, outputs):
        raise ValueError("Gradient not defined for fast=False")

    return _core.custom_gradient([a, b], [_array_to_tensor(x)], backward)[0]


def lstsq(matrix, rhs, l2_regularizer=0.0, fast=True, name=None):
    """Least-squares solution X of ``matrix @ X = rhs`` with an optional
    L2 penalty, by Cholesky on the normal equations (``fast=True``:
    ``(A^T A + l2 I)^-1 A^T b`` for m >= n, ``A^T (A A^T + l2 I)^-1 b``
    otherwise). ``fast=False`` solves with LAPACK's least squares (the
    minimum-norm solution) and, as TensorFlow, has no gradient."""
    a = _tensor(matrix)
    _float_matrix(a, "lstsq")
    b = _second(a, rhs, "lstsq")
    dt = _np_dtype(a)
    m, n = a._shape[-2], a._shape[-1]
    if not fast:
        return _lstsq_slow(a, b, float(np.asarray(_tensor(l2_regularizer, a.dtype))), dt)
    l2 = _core.multiply(_tensor(l2_regularizer, a.dtype), _eye(min(m, n), dt))
    if m >= n:
        gram = _core.add(_mm(a, a, True, False), l2)
        return cholesky_solve(cholesky(gram), _mm(a, b, True, False))
    gram = _core.add(_mm(a, a, False, True), l2)
    return _mm(a, cholesky_solve(cholesky(gram), b), True, False)


# --------------------------------------------------------------------------
# QR
# --------------------------------------------------------------------------

def _qr_grad_deep(q, r, gq, gr):
    """Gradient of a (m >= n) from reduced Q, R and their gradients."""
    n = r._shape[-1]
    dt = _np_dtype(r)
    mm = _core.subtract(_mm(r, gr, False, True), _mm(gq, q, True, False))
    low = _core.multiply(mm, _mask(n, dt, diag=0.0))
    sym = _core.add(_core.add(low, _adjoint(low)), _core.multiply(mm, _eye(n, dt)))
    b = _core.add(gq, _mm(q, sym))
    return _adjoint(triangular_solve(r, _adjoint(b), lower=False, adjoint=False))


def qr(input, full_matrices=False, name=None):  # noqa: A002 - TensorFlow's name
    """``(q, r)`` with ``input = q @ r``, q orthonormal columns, r upper
    triangular (LAPACK's Householder signs). ``full_matrices`` gives the
    complete q (m x m) and r (m x n); its gradient needs m <= n."""
    a = _tensor(input)
    _float_matrix(a, "qr")
    dt = _np_dtype(a)
    m, n = a._shape[-2], a._shape[-1]
    q, r = np.linalg.qr(np.asarray(a), mode="complete" if full_matrices else "reduced")

    def backward(upstream, outputs):
        gq, gr = upstream
        qs, rs = outputs
        if m >= n:
            if full_matrices and m > n:
                raise NotImplementedError("QrGrad not implemented when nrows > ncols and full_matrices is true.")
            return [_qr_grad_deep(qs, rs, gq, gr)]
        y = a[..., :, m:]
        u, gu = rs[..., :, :m], gr[..., :, :m]
        gv = gr[..., :, m:]
        gy = _mm(qs, gv)
        gx = _qr_grad_deep(qs, u, _core.add(gq, _mm(y, gv, False, True)), gu)
        return [_core.concat([gx, gy], -1)]

    outs = _core.custom_gradient([a], [_array_to_tensor(q.astype(dt)), _array_to_tensor(r.astype(dt))], backward)
    return outs[0], outs[1]


# --------------------------------------------------------------------------
# cross product and matrix exponential
# --------------------------------------------------------------------------

def cross(a, b, name=None):
    """Cross product of 3-vectors along the last dim (same shapes)."""
    x = _tensor(a)
    y = _tensor(b, x.dtype)
    if list(x._shape) != list(y._shape):
        raise InvalidArgumentError("cross: both inputs must be of same shape, got %s and %s"
                                   % (list(x._shape), list(y._shape)))
    if len(x._shape) < 1 or x._shape[-1] != 3:
        raise FailedPreconditionError("cross: cross products are only defined for 3-element vectors, got shape "
                                      "%s [Op:Cross]" % (list(x._shape),))
    x0, x1, x2 = x[..., 0], x[..., 1], x[..., 2]
    y0, y1, y2 = y[..., 0], y[..., 1], y[..., 2]
    return _core.stack([_core.subtract(_core.multiply(x1, y2), _core.multiply(x2, y1)),
                        _core.subtract(_core.multiply(x2, y0), _core.multiply(x0, y2)),
                        _core.subtract(_core.multiply(x0, y1), _core.multiply(x1, y0))], -1)


_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0, 1187353796428800.0,
           129060195264000.0, 10559470521600.0, 670442572800.0, 33522128640.0, 1323241920.0,
           40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def _expm_np(a):
    """exp of one matrix (float64): scaling and squaring with the degree-13
    Pade approximant (Higham 2005)."""
    n = a.shape[-1]
    norm = np.abs(a).sum(axis=0).max() if n else 0.0
    s = 0
    if np.isfinite(norm) and norm > _THETA13:
        s = int(np.ceil(np.log2(norm / _THETA13)))
    a = a / (2.0 ** s)
    b = _PADE13
    ident = np.eye(n)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


def expm(input, name=None):  # noqa: A002 - TensorFlow's name
    """Matrix exponential of each square matrix (scaling and squaring with
    a Pade approximant); the gradient is the upper-right block of
    expm([[A^T, G], [0, A^T]])."""
    a = _tensor(input)
    _float_matrix(a, "expm", square=True)
    dt = _np_dtype(a)
    an = np.asarray(a, dtype=np.float64)
    n = an.shape[-1]
    flat = an.reshape((-1, n, n))
    with np.errstate(over="ignore", invalid="ignore"):
        out = np.stack([_expm_np(m) for m in flat]) if flat.shape[0] else flat.copy()
    out = out.reshape(an.shape).astype(dt)

    def backward(upstream, outputs):
        g = upstream[0]
        at = _adjoint(a)
        zero = _const(np.zeros(a._shape), dt)
        big = _core.concat([_core.concat([at, g], -1), _core.concat([zero, at], -1)], -2)
        return [expm(big)[..., :n, n:]]

    return _core.custom_gradient([a], [_array_to_tensor(out)], backward)[0]
