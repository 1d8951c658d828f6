"""Gradient-check cases of the nn / linalg group (activations, softmaxes,
losses, einsum, matvec). Collected by test_gradcheck.py."""
import math

import numpy as np

import fasttape as tf
from fasttape import _core
from gradcheck_common import _sample, case

_erf = np.vectorize(math.erf, otypes=[np.float64])
_K = math.sqrt(2.0 / math.pi)


# ---------------------------------------------------------------- numpy references
def _np_relu6(x):
    return np.minimum(np.maximum(x, 0.0), 6.0)


def _np_leaky(alpha):
    return lambda x: np.where(x > 0, x, alpha * x)


def _np_elu(x):
    return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))


def _np_gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


def _np_gelu_tanh(x):
    return 0.5 * x * (1.0 + np.tanh(_K * (x + 0.044715 * x ** 3)))


def _np_gelu_grad(x):
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0))) + x * np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _np_gelu_tanh_grad(x):
    t = np.tanh(_K * (x + 0.044715 * x ** 3))
    return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _K * (1 + 3 * 0.044715 * x * x)


def _np_softplus(x):
    return np.log1p(np.exp(-np.abs(x))) + np.maximum(x, 0.0)


def _np_log_softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    return x - m - np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))


def _np_softmax(x, axis=-1):
    return np.exp(_np_log_softmax(x, axis))


def _np_xent(z, x, axis=-1):
    return -np.sum(z * _np_log_softmax(x, axis), axis=axis)


def _np_sparse_xent(labels):
    labels = np.asarray(labels)

    def ref(x):
        lsm = _np_log_softmax(x, -1)
        return -np.take_along_axis(lsm, labels[..., None], axis=-1)[..., 0]
    return ref


def _np_sigmoid_xent(z, x):
    return np.maximum(x, 0.0) - x * z + np.log1p(np.exp(-np.abs(x)))


# ---------------------------------------------------------------- generators
def _away(points, shape, gap=0.25):
    """Values in [-2, 8] at least gap away from each kink in points."""
    def gen(rng):
        while True:
            x = rng.uniform(-2.0, 8.0, size=shape)
            if all(np.min(np.abs(x - p)) > gap for p in points):
                return [x]
    return gen


def _distribution(shape, axis):
    """Labels: positive rows summing to 1 along axis."""
    def make(rng):
        z = rng.uniform(0.1, 1.0, size=shape)
        return z / np.sum(z, axis=axis, keepdims=True)
    return make


def _xent_gen(shape_z, shape_x, axis):
    def gen(rng):
        return [_distribution(shape_z, axis)(rng), _sample(rng, shape_x, "any")]
    return gen


def _lab(s):
    return str(s).replace(" ", "")


# ---------------------------------------------------------------- activations
for _s in [(), (3,), (2, 3)]:
    _l = _lab(_s)
    case("relu6", "nn.relu6" + _l, lambda x: tf.nn.relu6(x), _np_relu6, [_s], gen=_away([0.0, 6.0], _s))
    case("leaky_relu", "nn.leaky_relu" + _l, lambda x: tf.nn.leaky_relu(x), _np_leaky(0.2), [_s], domain="away0")
    case("elu", "nn.elu" + _l, lambda x: tf.nn.elu(x), _np_elu, [_s], domain="away0")
    case("gelu", "nn.gelu" + _l, lambda x: tf.nn.gelu(x), _np_gelu, [_s], fwd_rtol=1e-9)
    case("gelu", "nn.gelu-approx" + _l, lambda x: tf.nn.gelu(x, approximate=True), _np_gelu_tanh, [_s])
    case("gelu_grad", "exact" + _l, lambda x: _core.gelu_grad(x), _np_gelu_grad, [_s], fwd_rtol=1e-9)
    case("gelu_grad", "approx" + _l, lambda x: _core.gelu_grad(x, approximate=True), _np_gelu_tanh_grad, [_s])
    case("softplus", "nn.softplus" + _l, lambda x: tf.nn.softplus(x), _np_softplus, [_s])
case("leaky_relu", "alpha=0.5", lambda x: tf.nn.leaky_relu(x, alpha=0.5), _np_leaky(0.5), [(2, 3)],
     domain="away0")
case("leaky_relu", "alpha=1.5", lambda x: tf.nn.leaky_relu(x, 1.5), _np_leaky(1.5), [(4,)], domain="away0")
case("softplus", "wide-range", lambda x: tf.nn.softplus(x), _np_softplus, [(5,)],
     gen=lambda rng: [np.array([-30.0, -5.0, 0.3, 5.0, 30.0]) + rng.uniform(-0.1, 0.1, 5)])
case("elu", "elu(x)*x", lambda x: tf.nn.elu(x) * x, lambda x: _np_elu(x) * x, [(2, 3)], domain="away0")

# ---------------------------------------------------------------- softmax / log_softmax
SOFTMAX_VARIANTS = [((3,), None), ((2, 3), None), ((2, 3), 0), ((2, 3), -1), ((2, 3, 4), 1),
                    ((2, 3, 4), -3), ((2, 3, 4), 2), ((1,), -1), ((3, 1), 0)]
for _s, _ax in SOFTMAX_VARIANTS:
    _l = f"{_lab(_s)}-axis={_ax}"
    _a = -1 if _ax is None else _ax
    case("softmax", "nn" + _l, (lambda ax: lambda x: tf.nn.softmax(x, axis=ax))(_ax),
         (lambda a: lambda x: _np_softmax(x, a))(_a), [_s])
    case("log_softmax", "nn" + _l, (lambda ax: lambda x: tf.nn.log_softmax(x, axis=ax))(_ax),
         (lambda a: lambda x: _np_log_softmax(x, a))(_a), [_s])
case("softmax", "positional-axis", lambda x: tf.nn.softmax(x, 0), lambda x: _np_softmax(x, 0), [(3, 2)])
case("softmax", "sum(softmax*w)", lambda x, w: tf.reduce_sum(tf.nn.softmax(x) * w),
     lambda x, w: np.sum(_np_softmax(x) * w), [(2, 3), (2, 3)])
case("log_softmax", "large-logits", lambda x: tf.nn.log_softmax(x * 100.0),
     lambda x: _np_log_softmax(x * 100.0), [(2, 3)], gen=lambda rng: [rng.uniform(-3, 3, (2, 3))],
     eps=1e-7, rtol=1e-4, atol=1e-4)

# ---------------------------------------------------------------- losses
XENT_VARIANTS = [((3,), (3,), -1), ((2, 3), (2, 3), -1), ((2, 3), (2, 3), 0), ((2, 3, 4), (2, 3, 4), 1),
                 ((4, 2), (4, 2), -2), ((1, 3), (2, 3), -1)]
for _sz, _sx, _ax in XENT_VARIANTS:
    _l = f"{_lab(_sz)}x{_lab(_sx)}-axis={_ax}"
    case("softmax_cross_entropy_with_logits", _l,
         (lambda ax: lambda z, x: tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x, axis=ax))(_ax),
         (lambda ax, sx: lambda z, x: _np_xent(np.broadcast_to(z, sx), x, ax))(_ax, _sx),
         [_sz, _sx], gen=_xent_gen(_sz, _sx, _ax))
case("softmax_cross_entropy_with_logits", "positional", lambda z, x: tf.nn.softmax_cross_entropy_with_logits(z, x),
     _np_xent, [(2, 4), (2, 4)], gen=_xent_gen((2, 4), (2, 4), -1))
case("softmax_cross_entropy_with_logits", "mean-loss",
     lambda z, x: tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=z, logits=x)),
     lambda z, x: np.mean(_np_xent(z, x)), [(3, 4), (3, 4)], gen=_xent_gen((3, 4), (3, 4), -1))

for _lbl, _sx in [(np.array(1), (3,)), (np.array([0, 2]), (2, 3)), (np.array([[1, 0], [2, 2]]), (2, 2, 3)),
                  (np.array([0, 0, 0]), (3, 1))]:
    case("sparse_softmax_cross_entropy_with_logits", f"{_lab(_sx)}",
         (lambda lb: lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(lb), logits=x))(_lbl),
         _np_sparse_xent(_lbl), [_sx])
case("sparse_softmax_cross_entropy_with_logits", "int64-labels",
     lambda x: tf.nn.sparse_softmax_cross_entropy_with_logits(tf.constant(np.array([3, 1], np.int64)), x),
     _np_sparse_xent([3, 1]), [(2, 4)])

for _s in [(), (3,), (2, 3)]:
    case("sigmoid_cross_entropy_with_logits", _lab(_s),
         lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), _np_sigmoid_xent, [_s, _s],
         gen=(lambda s: lambda rng: [rng.uniform(0.0, 1.0, s), _sample(rng, s, "any")])(_s))
    case("l2_loss", "nn.l2_loss" + _lab(_s), lambda t: tf.nn.l2_loss(t), lambda t: np.sum(t * t) / 2.0, [_s])
case("sigmoid_cross_entropy_with_logits", "wide-range",
     lambda z, x: tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x), _np_sigmoid_xent, [(4,), (4,)],
     gen=lambda rng: [rng.uniform(0, 1, 4), np.array([-40.0, -3.0, 3.0, 40.0]) + rng.uniform(-0.1, 0.1, 4)])

# ---------------------------------------------------------------- einsum / matvec / trace (composites)
EINSUM = [
    ("matmul", "ij,jk->ik", [(2, 3), (3, 4)]),
    ("matmul", "bij,bjk->bik", [(2, 2, 3), (2, 3, 2)]),
    ("matmul", "i,i->", [(3,), (3,)]),
    ("transpose", "ij->ji", [(2, 3)]),
    ("matmul", "ij,j->i", [(2, 3), (3,)]),
    ("matmul", "ij,jk", [(2, 3), (3, 2)]),
    ("reduce_sum", "ij->i", [(2, 3)]),
    ("reduce_sum", "ij->", [(2, 3)]),
    ("multiply", "i,j->ij", [(2,), (3,)]),
    ("multiply", "ij,ij->ij", [(2, 3), (2, 3)]),
    ("matmul", "...ij,...jk->...ik", [(2, 2, 3), (3, 2)]),
    ("matmul", "...ij,...jk", [(2, 1, 2, 3), (3, 3, 2)]),
    ("matmul", "bij,bkj->bik", [(2, 2, 3), (2, 2, 3)]),
    ("matmul", "ijk,jil->kl", [(2, 3, 2), (3, 2, 2)]),
    ("matmul", "ij,jk,kl->il", [(2, 3), (3, 2), (2, 2)]),
    ("strided_slice", "ii->", [(3, 3)]),
    ("strided_slice", "ii->i", [(3, 3)]),
    ("strided_slice", "iij->j", [(2, 2, 3)]),
    ("matmul", "ij,ik->", [(2, 3), (2, 2)]),
    ("reduce_sum", "...i->...", [(2, 3)]),
    ("multiply", "i,i,i->i", [(3,), (3,), (3,)]),
    ("multiply", "ij,kl->ijkl", [(2, 3), (2, 2)]),
    ("transpose", "ba", [(2, 3)]),
]
for _op, _eq, _shapes in EINSUM:
    case(_op, "einsum:" + _eq, (lambda eq: lambda *xs: tf.einsum(eq, *xs))(_eq),
         (lambda eq: lambda *xs: np.einsum(eq, *xs))(_eq), _shapes)
case("matmul", "linalg.einsum", lambda a, b: tf.linalg.einsum("ij,jk->ik", a, b), lambda a, b: a @ b,
     [(2, 3), (3, 2)])
case("matmul", "linalg.matvec", lambda a, b: tf.linalg.matvec(a, b), lambda a, b: a @ b, [(2, 3), (3,)])
case("matmul", "linalg.matvec-T", lambda a, b: tf.linalg.matvec(a, b, transpose_a=True),
     lambda a, b: a.T @ b, [(3, 2), (3,)])
case("matmul", "linalg.matvec-batch", lambda a, b: tf.linalg.matvec(a, b),
     lambda a, b: np.einsum("bij,bj->bi", a, b), [(2, 2, 3), (2, 3)])
case("strided_slice", "linalg.trace", lambda x: tf.linalg.trace(x), lambda x: np.trace(x, axis1=-2, axis2=-1),
     [(2, 3, 3)])
case("strided_slice", "linalg.diag_part", lambda x: tf.linalg.diag_part(x),
     lambda x: np.diagonal(x, axis1=-2, axis2=-1), [(2, 3)])

# ---------------------------------------------------------------- backprop ops of the piecewise-linear activations
def _kinks_gen(shape, points, lo=-2.0, hi=8.0):
    def gen(rng):
        while True:
            v = rng.uniform(lo, hi, size=shape)
            if all(np.min(np.abs(v - p)) > 0.25 for p in points):
                return [_sample(rng, shape, "any"), v]
    return gen


for _s in [(), (3,), (2, 3)]:
    case("relu6_grad", _lab(_s), lambda g, y: _core.relu6_grad(g, y),
         lambda g, y: np.where((y > 0) & (y < 6), g, 0.0), [_s, _s], gen=_kinks_gen(_s, [0.0, 6.0]))
    case("leaky_relu_grad", _lab(_s), lambda g, x: _core.leaky_relu_grad(g, x, 0.3),
         lambda g, x: np.where(x > 0, g, 0.3 * g), [_s, _s], gen=_kinks_gen(_s, [0.0], -2.0, 2.0))

# ---------------------------------------------------------------- composites: silu / selu / bias_add / l2_normalize
_SA, _SS = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
for _s in [(), (2, 3)]:
    case("sigmoid", "nn.silu" + _lab(_s), lambda x: tf.nn.silu(x), lambda x: x / (1 + np.exp(-x)), [_s])
    case("elu", "nn.selu" + _lab(_s), lambda x: tf.nn.selu(x),
         lambda x: _SS * np.where(x < 0, _SA * np.expm1(np.minimum(x, 0)), x), [_s], domain="away0")
case("sigmoid", "nn.swish-beta", lambda x: tf.nn.swish(x, beta=0.5), lambda x: x / (1 + np.exp(-0.5 * x)), [(3,)])
case("add", "nn.bias_add", lambda v, b: tf.nn.bias_add(v, b), lambda v, b: v + b, [(2, 3), (3,)])
case("add", "nn.bias_add-NCHW", lambda v, b: tf.nn.bias_add(v, b, data_format="NCHW"),
     lambda v, b: v + b[:, None, None], [(2, 3, 2, 2), (3,)])
case("sqrt", "nn.l2_normalize-axis", lambda x: tf.nn.l2_normalize(x, axis=-1),
     lambda x: x / np.sqrt(np.sum(x * x, -1, keepdims=True)), [(2, 3)])
case("sqrt", "nn.l2_normalize-all", lambda x: tf.nn.l2_normalize(x),
     lambda x: x / np.sqrt(np.sum(x * x)), [(2, 3)])
