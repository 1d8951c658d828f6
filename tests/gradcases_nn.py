"""Gradient-check cases of the nn / linalg group (activations, softmaxes,
losses, einsum, matvec). Collected by test_gradcheck.py."""
import math

import numpy as np

import fasttape as tf
from fasttape import _core
from conv_refs import np_conv2d, np_pool
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


# ---------------------------------------------------------------- convolutions (numpy reference: direct loops)
_np_conv2d = np_conv2d


def _np_conv2d_bpi(x_shape, w, g, strides, pads, dil):
    """Adjoint of _np_conv2d in x (by the linear map's transpose, via einsum on unit inputs)."""
    n, h, wd, c = x_shape
    dx = np.zeros(x_shape)
    xp = np.zeros((n, h + pads[0] + pads[1], wd + pads[2] + pads[3], c))
    kh, kw, _, o = w.shape
    ho, wo = g.shape[1], g.shape[2]
    for a in range(kh):
        for b in range(kw):
            xp[:, a * dil[0]: a * dil[0] + (ho - 1) * strides[0] + 1: strides[0],
               b * dil[1]: b * dil[1] + (wo - 1) * strides[1] + 1: strides[1], :] += np.einsum("nhwo,co->nhwc", g,
                                                                                               w[a, b])
    dx[...] = xp[:, pads[0]: pads[0] + h, pads[2]: pads[2] + wd, :]
    return dx


def _np_conv2d_bpf(x, w_shape, g, strides, pads, dil):
    xp = np.pad(x, ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0)))
    kh, kw, c, o = w_shape
    ho, wo = g.shape[1], g.shape[2]
    dw = np.zeros(w_shape)
    for a in range(kh):
        for b in range(kw):
            patch = xp[:, a * dil[0]: a * dil[0] + (ho - 1) * strides[0] + 1: strides[0],
                       b * dil[1]: b * dil[1] + (wo - 1) * strides[1] + 1: strides[1], :]
            dw[a, b] = np.einsum("nhwc,nhwo->co", patch, g)
    return dw


for _lab, _xs, _ws, _s, _p, _d in [
        ("3x3-valid", (2, 5, 5, 2), (3, 3, 2, 3), [1, 1], "VALID", [1, 1]),
        ("3x3-same-stride2", (1, 6, 5, 2), (3, 3, 2, 2), [2, 2], "SAME", [1, 1]),
        ("2x3-same-dilated", (1, 6, 6, 1), (2, 3, 1, 2), [1, 1], "SAME", [2, 2]),
        ("1x1-pointwise", (2, 3, 4, 3), (1, 1, 3, 2), [1, 1], "VALID", [1, 1]),
        ("explicit-pads", (1, 4, 4, 2), (3, 2, 2, 2), [1, 2], [[0, 0], [1, 2], [0, 1], [0, 0]], [1, 1])]:
    _pads = tf._conv_ops._pads("t", _p, _xs[1:3], _ws[0:2], _s, _d, "NHWC")
    case("conv2d", _lab,
         (lambda s, p, d: lambda x, w: tf.nn.conv2d(x, w, s, p, dilations=d))(_s, _p, _d),
         (lambda s, p, d: lambda x, w: _np_conv2d(x, w, s, p, d))(_s, _pads, _d), [_xs, _ws])
    _ys = _np_conv2d(np.zeros(_xs), np.zeros(_ws), _s, _pads, _d).shape
    case("conv2d_backprop_input", _lab,
         (lambda xs, s, d, p: lambda w, g: _core.conv2d_backprop_input(list(xs), w, g, s, d, p))(_xs, _s, _d, _pads),
         (lambda xs, s, d, p: lambda w, g: _np_conv2d_bpi(xs, w, g, s, p, d))(_xs, _s, _d, _pads), [_ws, _ys])
    case("conv2d_backprop_filter", _lab,
         (lambda ws, s, d, p: lambda x, g: _core.conv2d_backprop_filter(x, list(ws), g, s, d, p))(_ws, _s, _d, _pads),
         (lambda ws, s, d, p: lambda x, g: _np_conv2d_bpf(x, ws, g, s, p, d))(_ws, _s, _d, _pads), [_xs, _ys])
case("conv2d", "nchw", lambda x, w: tf.nn.conv2d(x, w, 1, "SAME", data_format="NCHW"),
     lambda x, w: np.transpose(_np_conv2d(np.transpose(x, (0, 2, 3, 1)), w, (1, 1), (1, 1, 1, 1)), (0, 3, 1, 2)),
     [(1, 2, 4, 3), (3, 3, 2, 2)])
case("conv2d", "conv1d", lambda x, w: tf.nn.conv1d(x, w, 2, "SAME"),
     lambda x, w: _np_conv2d(x[:, None], w[None], (1, 2), (0, 0, 1, 1))[:, 0], [(2, 7, 2), (3, 2, 2)])
case("conv2d_backprop_input", "conv2d_transpose",
     lambda g, w: tf.nn.conv2d_transpose(g, w, [1, 5, 5, 2], 2, "SAME"),
     lambda g, w: _np_conv2d_bpi((1, 5, 5, 2), w, g, (2, 2), (1, 1, 1, 1), (1, 1)), [(1, 3, 3, 3), (3, 3, 2, 3)])


# ---------------------------------------------------------------- pooling (numpy reference: window loops)
_np_pool = np_pool


def _windows(shape, k, s, pads):
    n, h, w, c = shape
    ho = (h + pads[0] + pads[1] - k[0]) // s[0] + 1
    wo = (w + pads[2] + pads[3] - k[1]) // s[1] + 1
    for i in range(ho):
        for j in range(wo):
            h0, w0 = i * s[0] - pads[0], j * s[1] - pads[2]
            yield i, j, slice(max(h0, 0), min(h0 + k[0], h)), slice(max(w0, 0), min(w0 + k[1], w))


def _np_avg_grad(xs, g, k, s, pads):
    dx = np.zeros(xs)
    for i, j, hs, ws in _windows(xs, k, s, pads):
        cnt = (hs.stop - hs.start) * (ws.stop - ws.start)
        dx[:, hs, ws, :] += g[:, i, j, None, None, :] / cnt
    return dx


def _argmax_masks(x, k, s, pads):
    """(i, j, one-hot mask of each window's maximum over x's spatial dims)."""
    for i, j, hs, ws in _windows(x.shape, k, s, pads):
        win = x[:, hs, ws, :]
        flat = win.reshape(win.shape[0], -1, win.shape[3])
        idx = flat.argmax(axis=1)
        mask = np.zeros_like(x)
        for n in range(x.shape[0]):
            for c in range(x.shape[3]):
                a, b = divmod(int(idx[n, c]), win.shape[2])
                mask[n, hs.start + a, ws.start + b, c] = 1.0
        yield i, j, mask


def _np_max_grad(x, g, k, s, pads):
    dx = np.zeros_like(x)
    for i, j, mask in _argmax_masks(x, k, s, pads):
        dx += mask * g[:, i, j, None, None, :]
    return dx


def _np_max_grad_grad(x, u, k, s, pads):
    ys = _np_pool(x, k, s, pads, "MAX").shape
    out = np.zeros(ys)
    for i, j, mask in _argmax_masks(x, k, s, pads):
        out[:, i, j, :] = (mask * u).sum(axis=(1, 2))
    return out


def _distinct(shapes):
    """Inputs whose pooling windows have one clear maximum (no ties)."""
    def gen(rng):
        out = []
        for s in shapes:
            v = rng.permutation(int(np.prod(s))).astype(np.float64) * 0.1 - 1.0
            out.append(v.reshape(s))
        return out
    return gen


for _lab, _xs, _k, _s, _p in [("2x2-valid", (2, 4, 4, 2), [2, 2], [2, 2], "VALID"),
                              ("3x3-same-stride2", (1, 5, 5, 2), [3, 3], [2, 2], "SAME"),
                              ("overlap-2x3-stride1", (1, 4, 5, 1), [2, 3], [1, 1], "VALID")]:
    _pp = tf._conv_ops._pads("t", _p, _xs[1:3], _k, _s, [1, 1], "NHWC")
    _ys = _np_pool(np.zeros(_xs), _k, _s, _pp, "MAX").shape
    case("max_pool2d", _lab, (lambda k, s, p: lambda x: tf.nn.max_pool2d(x, k, s, p))(_k, _s, _p),
         (lambda k, s, p: lambda x: _np_pool(x, k, s, p, "MAX"))(_k, _s, _pp), [_xs], gen=_distinct([_xs]))
    case("avg_pool2d", _lab, (lambda k, s, p: lambda x: tf.nn.avg_pool2d(x, k, s, p))(_k, _s, _p),
         (lambda k, s, p: lambda x: _np_pool(x, k, s, p, "AVG"))(_k, _s, _pp), [_xs])
    case("avg_pool2d_grad", _lab,
         (lambda xs, k, s, p: lambda g: _core.avg_pool2d_grad(list(xs), g, k, s, p))(_xs, _k, _s, _pp),
         (lambda xs, k, s, p: lambda g: _np_avg_grad(xs, g, k, s, p))(_xs, _k, _s, _pp), [_ys])
    case("max_pool2d_grad", _lab,
         (lambda k, s, p: lambda x, g: _core.max_pool2d_grad(x, g, k, s, p))(_k, _s, _pp),
         (lambda k, s, p: lambda x, g: _np_max_grad(x, g, k, s, p))(_k, _s, _pp), [_xs, _ys],
         gen=(lambda xs, ys: lambda rng: _distinct([xs])(rng) + [rng.uniform(-2, 2, size=ys)])(_xs, _ys))
    case("max_pool2d_grad_grad", _lab,
         (lambda k, s, p: lambda x, u: _core.max_pool2d_grad_grad(x, u, k, s, p))(_k, _s, _pp),
         (lambda k, s, p: lambda x, u: _np_max_grad_grad(x, u, k, s, p))(_k, _s, _pp), [_xs, _xs],
         gen=(lambda xs: lambda rng: _distinct([xs])(rng) + [rng.uniform(-2, 2, size=xs)])(_xs))
case("max_pool2d", "nchw-1d", lambda x: tf.nn.max_pool1d(x, 2, 1, "SAME", data_format="NCW"),
     lambda x: np.transpose(_np_pool(np.transpose(x, (0, 2, 1))[:, None], (1, 2), (1, 1), (0, 0, 0, 1),
                                     "MAX")[:, 0], (0, 2, 1)), [(1, 2, 5)], gen=_distinct([(1, 2, 5)]))
