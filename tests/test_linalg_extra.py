"""Decompositions in fasttape.linalg: values against numpy.linalg, gradients
against central finite differences (float64), one second-order check.

Tolerances: float64 values rtol 1e-10 on well-conditioned inputs, relative
to the matrix norm (reconstructions) on ill-conditioned ones; float32 rtol
1e-4; finite-difference gradients (eps 1e-6) rtol 1e-6 / atol 1e-7.
Eigenvector and singular-vector signs are not unique (TensorFlow's and
LAPACK's differ), so vectors are compared through gauge-invariant
quantities: reconstructions, u_i v_i^T and v_i v_i^T sums.
"""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, central_diff_grad, seeded_rng, to_np

EPS = 1e-6
RTOL = 1e-6
ATOL = 1e-7


def _grads(f, xs):
    ts = [tf.constant(np.asarray(x, dtype=np.float64)) for x in xs]
    with tf.GradientTape() as tape:
        for t in ts:
            tape.watch(t)
        y = f(*ts)
    return [to_np(g) for g in tape.gradient(y, ts)]


def _check_grad(f, xs, rtol=RTOL, atol=ATOL):
    """Tape gradient of the scalar f equals central differences."""
    got = _grads(f, xs)
    want = central_diff_grad(lambda arrs: float(to_np(f(*[tf.constant(a) for a in arrs]))), xs, EPS)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def _spd(rng, n, batch=(), cond=None):
    q, _ = np.linalg.qr(rng.standard_normal(batch + (n, n)))
    e = np.linspace(1.0, 3.0, n) if cond is None else np.geomspace(1.0, 1.0 / cond, n)
    return (q * e[..., None, :]) @ np.swapaxes(q, -1, -2)


def _sym(x):
    return (x + tf.transpose(x)) * 0.5


def _wsum(w, y):
    return tf.reduce_sum(tf.constant(w) * y)


# --------------------------------------------------------------------------
# triangular_solve, cholesky, cholesky_solve
# --------------------------------------------------------------------------

@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_triangular_solve_values(lower, adjoint):
    rng = seeded_rng("tri%s%s" % (lower, adjoint))
    a = rng.standard_normal((2, 4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal((2, 4, 3))
    t = np.tril(a) if lower else np.triu(a)
    if adjoint:
        t = np.swapaxes(t, -1, -2)
    x = tf.linalg.triangular_solve(tf.constant(a), tf.constant(b), lower=lower, adjoint=adjoint)
    assert_close(x, np.linalg.solve(t, b), rtol=1e-10, atol=1e-12)
    x32 = tf.linalg.triangular_solve(tf.constant(a, tf.float32), tf.constant(b, tf.float32), lower, adjoint)
    assert x32.dtype == tf.float32
    assert_close(x32, np.linalg.solve(t, b).astype(np.float32), rtol=1e-4, atol=1e-5)


def test_triangular_solve_broadcast_and_zero_pivot():
    rng = seeded_rng("tri-bcast")
    a = rng.standard_normal((4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal((3, 4, 2))
    x = tf.linalg.triangular_solve(tf.constant(a), tf.constant(b))
    assert_close(x, np.linalg.solve(np.tril(a), b), rtol=1e-10, atol=1e-12)
    # A zero on the diagonal gives inf, not an error (as TensorFlow).
    x = to_np(tf.linalg.triangular_solve(tf.constant([[0.0, 0.0], [1.0, 1.0]]), tf.constant([[1.0], [1.0]])))
    assert np.isposinf(x[0, 0]) and np.isneginf(x[1, 0])


@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("adjoint", [False, True])
def test_triangular_solve_grad(lower, adjoint):
    rng = seeded_rng("trig%s%s" % (lower, adjoint))
    a = rng.standard_normal((3, 3)) + 3 * np.eye(3)
    b = rng.standard_normal((2, 3, 2))
    w = rng.standard_normal((2, 3, 2))
    _check_grad(lambda a_, b_: _wsum(w, tf.linalg.triangular_solve(a_, b_, lower=lower, adjoint=adjoint)), [a, b])


def test_cholesky_values():
    rng = seeded_rng("chol")
    a = _spd(rng, 5, (3,))
    chol = to_np(tf.linalg.cholesky(tf.constant(a)))
    np.testing.assert_allclose(chol, np.linalg.cholesky(a), rtol=1e-10, atol=1e-13)
    assert np.all(np.triu(chol, 1) == 0)
    c32 = tf.linalg.cholesky(tf.constant(a, tf.float32))
    assert c32.dtype == tf.float32
    assert_close(c32, np.linalg.cholesky(a).astype(np.float32), rtol=1e-4, atol=1e-5)
    # Ill-conditioned (cond 1e12): the reconstruction is accurate relative to the norm.
    ill = _spd(rng, 6, cond=1e12)
    chol = to_np(tf.linalg.cholesky(tf.constant(ill)))
    assert np.linalg.norm(chol @ chol.T - ill) <= 1e-13 * np.linalg.norm(ill)
    # Only the lower triangle is read.
    upper_junk = a[0] + np.triu(np.ones((5, 5)), 1)
    assert_close(tf.linalg.cholesky(tf.constant(upper_junk)), np.linalg.cholesky(a[0]), rtol=1e-12, atol=1e-14)


def test_cholesky_not_positive_definite_and_shape_errors():
    # TensorFlow's CPU kernel returns NaN for a matrix that is not positive definite.
    out = to_np(tf.linalg.cholesky(tf.constant([[[1.0, 2.0], [2.0, 1.0]], [[4.0, 0.0], [0.0, 9.0]]])))
    assert np.all(np.isnan(out[0]))
    np.testing.assert_allclose(out[1], [[2.0, 0.0], [0.0, 3.0]])
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.cholesky(tf.constant([[1.0, 2.0, 3.0]]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.cholesky(tf.constant([[1, 0], [0, 1]]))


def test_cholesky_grad():
    rng = seeded_rng("cholg")
    x = _spd(rng, 4)
    w = np.tril(rng.standard_normal((4, 4)))
    # Through a symmetric parametrisation (the op reads only the lower triangle).
    _check_grad(lambda x_: _wsum(w, tf.linalg.cholesky(_sym(x_))), [x])
    # The gradient itself is symmetric, as TensorFlow's.
    g = _grads(lambda a_: _wsum(w, tf.linalg.cholesky(a_)), [x])[0]
    np.testing.assert_allclose(g, g.T, rtol=1e-12, atol=1e-14)


def test_cholesky_solve():
    rng = seeded_rng("chols")
    a = _spd(rng, 4, (2,))
    b = rng.standard_normal((2, 4, 3))
    chol = tf.linalg.cholesky(tf.constant(a))
    assert_close(tf.linalg.cholesky_solve(chol, tf.constant(b)), np.linalg.solve(a, b), rtol=1e-10, atol=1e-12)
    w = rng.standard_normal((2, 4, 3))
    c = np.linalg.cholesky(a)
    _check_grad(lambda c_, b_: _wsum(w, tf.linalg.cholesky_solve(c_, b_)), [c, b])


# --------------------------------------------------------------------------
# det, slogdet, logdet
# --------------------------------------------------------------------------

def test_det_slogdet_values():
    rng = seeded_rng("det")
    a = rng.standard_normal((3, 4, 4))
    assert_close(tf.linalg.det(tf.constant(a)), np.linalg.det(a), rtol=1e-10)
    sign, logabs = tf.linalg.slogdet(tf.constant(a))
    s_np, l_np = np.linalg.slogdet(a)
    assert_close(sign, s_np, rtol=0)
    assert_close(logabs, l_np, rtol=1e-10)
    # Near-singular: det is tiny, slogdet stays accurate.
    near = np.diag([1.0, 1.0, 1e-150])
    assert_close(tf.linalg.det(tf.constant(near)), 1e-150, rtol=1e-12)
    assert_close(tf.linalg.slogdet(tf.constant(near))[1], np.log(1e-150), rtol=1e-12)
    # Singular: det 0, sign 0 and log|det| -inf (as TensorFlow).
    assert float(tf.linalg.det(tf.zeros((2, 2)))) == 0.0
    sign, logabs = tf.linalg.slogdet(tf.zeros((2, 2)))
    assert float(sign) == 0.0 and np.isneginf(float(logabs))
    sign, logabs = tf.linalg.slogdet(tf.constant([[-2.0, 0.0], [0.0, 1.0]]))
    assert float(sign) == -1.0 and logabs.dtype == tf.float32
    assert_close(logabs, np.float32(np.log(2.0)), rtol=1e-6)
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.det(tf.ones((2, 3)))


def test_det_slogdet_logdet_grads():
    rng = seeded_rng("detg")
    a = rng.standard_normal((2, 3, 3)) + 2 * np.eye(3)
    w = rng.standard_normal(2)
    _check_grad(lambda a_: _wsum(w, tf.linalg.det(a_)), [a])
    _check_grad(lambda a_: _wsum(w, tf.linalg.slogdet(a_)[1]), [a])
    s = _spd(rng, 3)
    _check_grad(lambda a_: tf.linalg.logdet(_sym(a_)), [s])
    # d logdet / dA = inv(A) for symmetric positive-definite A.
    np.testing.assert_allclose(_grads(tf.linalg.logdet, [s])[0], np.linalg.inv(s), rtol=1e-10, atol=1e-12)


def test_logdet_values():
    rng = seeded_rng("logdet")
    a = _spd(rng, 5, (2,), cond=1e10)
    # cond 1e10: Cholesky and LU round differently, by up to cond * eps in log|det|.
    assert_close(tf.linalg.logdet(tf.constant(a)), np.linalg.slogdet(a)[1], rtol=0, atol=1e-5)
    well = _spd(rng, 5, (2,))
    assert_close(tf.linalg.logdet(tf.constant(well)), np.linalg.slogdet(well)[1], rtol=1e-10, atol=1e-13)


def test_logdet_second_order():
    """Hessian of logdet contracted with symmetric D and E equals
    -tr(inv(A) E inv(A) D)."""
    rng = seeded_rng("logdet2")
    a = _spd(rng, 4)
    d = rng.standard_normal((4, 4))
    d = d + d.T
    e = rng.standard_normal((4, 4))
    e = e + e.T
    at = tf.constant(a)
    with tf.GradientTape() as outer:
        outer.watch(at)
        with tf.GradientTape() as inner:
            inner.watch(at)
            y = tf.linalg.logdet(at)
        g = inner.gradient(y, at)
        z = _wsum(d, g)
    h = to_np(outer.gradient(z, at))
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(np.sum(h * e), -np.trace(ai @ e @ ai @ d), rtol=1e-9)


# --------------------------------------------------------------------------
# eigh, eigvalsh
# --------------------------------------------------------------------------

def test_eigh_values():
    rng = seeded_rng("eigh")
    x = rng.standard_normal((3, 5, 5))
    a = x + np.swapaxes(x, -1, -2)
    e, v = tf.linalg.eigh(tf.constant(a))
    assert_close(e, np.linalg.eigvalsh(a), rtol=1e-10, atol=1e-12)
    e, v = to_np(e), to_np(v)
    np.testing.assert_allclose((v * e[..., None, :]) @ np.swapaxes(v, -1, -2), a, atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(v, -1, -2) @ v, np.broadcast_to(np.eye(5), a.shape), atol=1e-12)
    assert_close(tf.linalg.eigvalsh(tf.constant(a, tf.float32)), np.linalg.eigvalsh(a).astype(np.float32),
                 rtol=1e-4, atol=1e-4)
    # Only the lower triangle is read.
    junk = a[0] + np.triu(np.ones((5, 5)), 1)
    assert_close(tf.linalg.eigvalsh(tf.constant(junk)), np.linalg.eigvalsh(a[0]), rtol=1e-10, atol=1e-12)
    # Ill-conditioned: eigenvalues accurate relative to the largest.
    ill = _spd(rng, 6, cond=1e14)
    np.testing.assert_allclose(to_np(tf.linalg.eigvalsh(tf.constant(ill))), np.linalg.eigvalsh(ill),
                               atol=1e-14)


def test_eigh_grads():
    rng = seeded_rng("eighg")
    q, _ = np.linalg.qr(rng.standard_normal((4, 4)))
    a = (q * np.array([-2.0, -0.5, 1.0, 3.0])) @ q.T    # well-separated eigenvalues
    we = rng.standard_normal(4)
    c = rng.standard_normal(4)
    wp = rng.standard_normal((4, 4))

    def f(x):
        e, v = tf.linalg.eigh(_sym(x))
        proj = tf.matmul(v * tf.constant(c), v, transpose_b=True)   # sign-invariant
        return _wsum(we, e) + _wsum(wp, proj)

    _check_grad(f, [a])
    _check_grad(lambda x: _wsum(we, tf.linalg.eigvalsh(_sym(x))), [a])


def test_eigvalsh_grad_degenerate_is_finite():
    g = _grads(lambda x: tf.linalg.eigvalsh(x)[0], [np.eye(3) * 2.0])[0]
    assert np.all(np.isfinite(g))
    g = _grads(lambda x: tf.linalg.eigvalsh(x)[0], [np.array([[2.0, 1.0], [1.0, 2.0]])])[0]
    np.testing.assert_allclose(g, [[0.5, 0.0], [-1.0, 0.5]], atol=1e-12)   # lower triangle, as TensorFlow


# --------------------------------------------------------------------------
# svd, pinv, lstsq
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_svd_values(shape):
    rng = seeded_rng("svd%s" % (shape,))
    a = rng.standard_normal(shape)
    s, u, v = tf.linalg.svd(tf.constant(a))
    k = min(shape[-2:])
    assert_close(s, np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    s, u, v = to_np(s), to_np(u), to_np(v)
    assert u.shape == shape[:-1] + (k,) and v.shape == shape[:-2] + (shape[-1], k)
    np.testing.assert_allclose((u * s[..., None, :]) @ np.swapaxes(v, -1, -2), a, atol=1e-12)
    assert_close(tf.linalg.svd(tf.constant(a), compute_uv=False), np.linalg.svd(a, compute_uv=False), rtol=1e-10)
    s, u, v = (to_np(t) for t in tf.linalg.svd(tf.constant(a), full_matrices=True))
    assert u.shape == shape[:-1] + (shape[-2],) and v.shape == shape[:-2] + (shape[-1], shape[-1])
    np.testing.assert_allclose(np.swapaxes(u, -1, -2) @ u, np.broadcast_to(np.eye(shape[-2]), u.shape), atol=1e-12)
    np.testing.assert_allclose(np.swapaxes(v, -1, -2) @ v, np.broadcast_to(np.eye(shape[-1]), v.shape), atol=1e-12)
    s32 = tf.linalg.svd(tf.constant(a, tf.float32), compute_uv=False)
    assert s32.dtype == tf.float32
    assert_close(s32, np.linalg.svd(a, compute_uv=False).astype(np.float32), rtol=1e-4)


def _sep_matrix(rng, m, n, s):
    u, _ = np.linalg.qr(rng.standard_normal((m, m)))
    v, _ = np.linalg.qr(rng.standard_normal((n, n)))
    k = min(m, n)
    return (u[:, :k] * np.asarray(s)) @ v[:, :k].T


@pytest.mark.parametrize("m,n", [(4, 3), (3, 4), (3, 3)])
def test_svd_grads(m, n):
    rng = seeded_rng("svdg%d%d" % (m, n))
    k = min(m, n)
    a = _sep_matrix(rng, m, n, [3.0, 2.0, 1.0][:k])
    ws = rng.standard_normal(k)
    c = rng.standard_normal(k)
    wuv = rng.standard_normal((m, n))
    wuu = rng.standard_normal((m, m))
    wvv = rng.standard_normal((n, n))

    def f(x):
        s, u, v = tf.linalg.svd(x)
        return (_wsum(ws, s) + _wsum(wuv, tf.matmul(u * tf.constant(c), v, transpose_b=True))
                + _wsum(wuu, tf.matmul(u * tf.constant(c), u, transpose_b=True))
                + _wsum(wvv, tf.matmul(v * tf.constant(c), v, transpose_b=True)))

    _check_grad(f, [a])
    _check_grad(lambda x: _wsum(ws, tf.linalg.svd(x, compute_uv=False)), [a])


def test_svd_grad_full_matrices():
    rng = seeded_rng("svdfull")
    a = _sep_matrix(rng, 3, 3, [3.0, 2.0, 1.0])
    w = rng.standard_normal((3, 3))
    _check_grad(lambda x: _wsum(w, tf.matmul(*tf.linalg.svd(x, full_matrices=True)[1:], transpose_b=True)), [a])
    x = tf.constant(rng.standard_normal((4, 3)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.linalg.svd(x, full_matrices=True)[1])
    with pytest.raises(NotImplementedError):
        tape.gradient(y, x)
    # Singular values alone still have a gradient there.
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.linalg.svd(x, full_matrices=True)[0])
    assert tape.gradient(y, x).shape == (4, 3)


def test_pinv():
    rng = seeded_rng("pinv")
    a = rng.standard_normal((2, 5, 3))
    assert_close(tf.linalg.pinv(tf.constant(a)), np.linalg.pinv(a), rtol=1e-9, atol=1e-12)
    low_rank = rng.standard_normal((4, 2)) @ rng.standard_normal((2, 5))
    assert_close(tf.linalg.pinv(tf.constant(low_rank)), np.linalg.pinv(low_rank, rcond=50 * np.finfo(float).eps),
                 rtol=1e-8, atol=1e-10)
    assert_close(tf.linalg.pinv(tf.constant([[1.0, 2.0], [2.0, 4.0]])),
                 np.array([[0.04, 0.08], [0.08, 0.16]], np.float32), rtol=1e-5)
    w = rng.standard_normal((3, 4))
    _check_grad(lambda x: _wsum(w, tf.linalg.pinv(x)), [_sep_matrix(rng, 4, 3, [3.0, 2.0, 1.0])])


def test_lstsq_values():
    rng = seeded_rng("lstsq")
    a = rng.standard_normal((2, 6, 3))
    b = rng.standard_normal((2, 6, 2))
    want = np.stack([np.linalg.lstsq(p, q, rcond=None)[0] for p, q in zip(a, b)])
    assert_close(tf.linalg.lstsq(tf.constant(a), tf.constant(b)), want, rtol=1e-9, atol=1e-12)
    assert_close(tf.linalg.lstsq(tf.constant(a), tf.constant(b), fast=False), want, rtol=1e-9, atol=1e-12)
    wide = rng.standard_normal((3, 5))
    bw = rng.standard_normal((3, 1))
    assert_close(tf.linalg.lstsq(tf.constant(wide), tf.constant(bw)), np.linalg.lstsq(wide, bw, rcond=None)[0],
                 rtol=1e-9, atol=1e-12)
    ridge = np.linalg.solve(a[0].T @ a[0] + 0.5 * np.eye(3), a[0].T @ b[0])
    assert_close(tf.linalg.lstsq(tf.constant(a[0]), tf.constant(b[0]), l2_regularizer=0.5), ridge, rtol=1e-9)
    assert_close(tf.linalg.lstsq(tf.constant(a[0]), tf.constant(b[0]), l2_regularizer=0.5, fast=False), ridge,
                 rtol=1e-9)
    got = tf.linalg.lstsq(tf.constant([[1.0, 2.0], [3, 4], [5, 6]]), tf.constant([[1.0], [2], [3]]),
                          l2_regularizer=0.5)
    assert_close(got, np.array([[0.15770634], [0.37275967]], np.float32), rtol=1e-5)


def test_lstsq_grads():
    rng = seeded_rng("lstsqg")
    for m, n in [(5, 3), (3, 5)]:
        a = rng.standard_normal((m, n))
        b = rng.standard_normal((m, 2))
        w = rng.standard_normal((n, 2))
        _check_grad(lambda a_, b_: _wsum(w, tf.linalg.lstsq(a_, b_, l2_regularizer=0.1)), [a, b])
        _check_grad(lambda a_, b_: _wsum(w, tf.linalg.lstsq(a_, b_)), [a, b], rtol=1e-5)
    x = tf.constant(rng.standard_normal((4, 3)))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.linalg.lstsq(x, tf.ones((4, 1), tf.float64), fast=False))
    with pytest.raises(ValueError, match="fast=False"):
        tape.gradient(y, x)


# --------------------------------------------------------------------------
# qr
# --------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
@pytest.mark.parametrize("full", [False, True])
def test_qr_values(shape, full):
    rng = seeded_rng("qr%s%s" % (shape, full))
    a = rng.standard_normal(shape)
    q, r = tf.linalg.qr(tf.constant(a), full_matrices=full)
    qn, rn = np.linalg.qr(a, mode="complete" if full else "reduced")
    # TensorFlow's and LAPACK's Householder QR agree on signs.
    assert_close(q, qn, rtol=1e-10, atol=1e-12)
    assert_close(r, rn, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(to_np(q) @ to_np(r), a, atol=1e-12)


@pytest.mark.parametrize("m,n", [(5, 3), (3, 3), (3, 5)])
def test_qr_grads(m, n):
    rng = seeded_rng("qrg%d%d" % (m, n))
    a = rng.standard_normal((2, m, n))
    k = min(m, n)
    wq = rng.standard_normal((2, m, k))
    wr = rng.standard_normal((2, k, n))

    def f(x):
        q, r = tf.linalg.qr(x)
        return _wsum(wq, q) + _wsum(wr, r)

    _check_grad(f, [a])


def test_qr_grad_full_tall_raises():
    x = tf.constant(np.arange(12.0).reshape(4, 3) ** 1.5)
    with tf.GradientTape() as tape:
        tape.watch(x)
        q, r = tf.linalg.qr(x, full_matrices=True)
        y = tf.reduce_sum(q) + tf.reduce_sum(r)
    with pytest.raises(NotImplementedError):
        tape.gradient(y, x)


# --------------------------------------------------------------------------
# cross, expm
# --------------------------------------------------------------------------

def test_cross():
    rng = seeded_rng("cross")
    a = rng.standard_normal((4, 3))
    b = rng.standard_normal((4, 3))
    assert_close(tf.linalg.cross(tf.constant(a), tf.constant(b)), np.cross(a, b), rtol=1e-12)
    w = rng.standard_normal((4, 3))
    _check_grad(lambda a_, b_: _wsum(w, tf.linalg.cross(a_, b_)), [a, b])
    with pytest.raises(tf.errors.FailedPreconditionError):
        tf.linalg.cross(tf.constant([1.0, 2.0]), tf.constant([1.0, 2.0]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.cross(tf.ones((2, 3)), tf.ones((3,)))


def _expm_reference(a):
    """exp(a) of a diagonalisable matrix via its (complex) eigendecomposition."""
    e, v = np.linalg.eig(a)
    return np.real((v * np.exp(e)) @ np.linalg.inv(v))


def test_expm_values():
    rng = seeded_rng("expm")
    for scale in [1e-3, 1.0, 20.0]:
        a = rng.standard_normal((2, 4, 4)) * scale
        want = np.stack([_expm_reference(m) for m in a])
        got = to_np(tf.linalg.expm(tf.constant(a)))
        np.testing.assert_allclose(got, want, rtol=1e-8 * max(1.0, scale), atol=1e-12 * np.abs(want).max())
    # Nilpotent (not diagonalisable): exp(N) = I + N + N^2 / 2.
    n = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]])
    assert_close(tf.linalg.expm(tf.constant(n)), np.eye(3) + n + n @ n / 2, rtol=1e-13, atol=1e-15)
    e32 = tf.linalg.expm(tf.constant(n, tf.float32))
    assert e32.dtype == tf.float32
    assert_close(e32, (np.eye(3) + n + n @ n / 2).astype(np.float32), rtol=1e-6)


def test_expm_grad():
    rng = seeded_rng("expmg")
    a = rng.standard_normal((3, 3))
    w = rng.standard_normal((3, 3))
    _check_grad(lambda x: _wsum(w, tf.linalg.expm(x)), [a], rtol=1e-6, atol=1e-6)


def test_names_exported():
    for name in ["cholesky", "cholesky_solve", "cross", "det", "eigh", "eigvalsh", "expm", "logdet", "lstsq",
                 "pinv", "qr", "slogdet", "svd", "triangular_solve"]:
        assert name in tf.linalg.__all__ and callable(getattr(tf.linalg, name))


def _hvp(f, x, d):
    xt = tf.constant(x)
    with tf.GradientTape() as outer:
        outer.watch(xt)
        with tf.GradientTape() as inner:
            inner.watch(xt)
            y = f(xt)
        z = _wsum(d, inner.gradient(y, xt))
    return to_np(outer.gradient(z, xt))


def _eigh_loss(a):
    e, v = tf.linalg.eigh(a)
    return tf.reduce_sum(e * e) + tf.reduce_sum(tf.matmul(v * tf.constant([0.3, -1.0, 2.0], tf.float64), v,
                                                          transpose_b=True) ** 2)


def _svd_loss(a):
    s, u, v = tf.linalg.svd(a)
    return tf.reduce_sum(s ** 3) + tf.reduce_sum(tf.matmul(u * tf.constant([0.3, -1.0, 2.0], tf.float64), v,
                                                           transpose_b=True) ** 2)


def _qr_loss(a):
    q, r = tf.linalg.qr(a)
    return tf.reduce_sum(q ** 3) + tf.reduce_sum(r ** 3)


@pytest.mark.parametrize("name,f,shape", [
    ("det", tf.linalg.det, (3, 3)),
    ("eigh", _eigh_loss, (3, 3)),
    ("svd", _svd_loss, (4, 3)),
    ("svd_s", lambda a: tf.reduce_sum(tf.linalg.svd(a, compute_uv=False) ** 3), (3, 4)),
    ("qr_tall", _qr_loss, (4, 3)),
    ("qr_wide", _qr_loss, (3, 4)),
    ("expm", lambda a: tf.reduce_sum(tf.linalg.expm(a) ** 2), (3, 3)),
    ("cholesky", lambda a: tf.reduce_sum(tf.linalg.cholesky(_sym(a)) ** 3), (3, 3)),
])
def test_hessian_vector_products(name, f, shape):
    """Nested tapes: d/dx <grad f(x), d> equals central differences of it."""
    rng = seeded_rng("hvp" + name)
    x = rng.standard_normal(shape)
    if name == "cholesky":
        x = x @ x.T + 3 * np.eye(3)
    elif name == "eigh":
        x = (x + x.T) + np.diag([-3.0, 0.0, 3.0])
    d = rng.standard_normal(shape)
    want = central_diff_grad(lambda arrs: float(np.sum(_grads(f, arrs)[0] * d)), [x], EPS)[0]
    np.testing.assert_allclose(_hvp(f, x, d), want, rtol=1e-5, atol=1e-6)


def test_input_errors_and_variables():
    for fn in [tf.linalg.det, tf.linalg.eigh, tf.linalg.expm, tf.linalg.cholesky]:
        with pytest.raises(tf.errors.InvalidArgumentError):
            fn(tf.ones((2, 3)))
    for fn in [tf.linalg.svd, tf.linalg.qr, tf.linalg.pinv]:
        with pytest.raises(tf.errors.InvalidArgumentError):
            fn(tf.ones((3,)))
        with pytest.raises(tf.errors.InvalidArgumentError):
            fn(tf.constant([[1, 2], [3, 4]]))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.triangular_solve(tf.eye(3), tf.ones((2, 1)))
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.linalg.triangular_solve(tf.eye(2), tf.ones((2, 1), tf.float64))
    v = tf.Variable([[4.0, 1.0], [1.0, 3.0]], dtype=tf.float64)
    with tf.GradientTape() as tape:
        y = tf.linalg.logdet(v)
    np.testing.assert_allclose(to_np(tape.gradient(y, v)), np.linalg.inv([[4.0, 1.0], [1.0, 3.0]]), rtol=1e-12)


def test_forward_mode_jvp():
    rng = seeded_rng("jvp")
    a = rng.standard_normal((3, 3))
    d = rng.standard_normal((3, 3))
    x = tf.constant(a)
    with tf.autodiff.ForwardAccumulator(x, tf.constant(d)) as acc:
        det = tf.linalg.det(x)
        s = tf.linalg.svd(x, compute_uv=False)
    want_det = (np.linalg.det(a + EPS * d) - np.linalg.det(a - EPS * d)) / (2 * EPS)
    want_s = (np.linalg.svd(a + EPS * d, compute_uv=False) - np.linalg.svd(a - EPS * d, compute_uv=False)) / (2 * EPS)
    np.testing.assert_allclose(float(acc.jvp(det)), want_det, rtol=1e-6)
    np.testing.assert_allclose(to_np(acc.jvp(s)), want_s, rtol=1e-6, atol=1e-8)
