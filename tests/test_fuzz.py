"""Seeded randomized checks of shape handling against numpy: broadcasting
binary ops, reductions, matmul batch broadcasting, transposes and slicing,
forward values and gradients (gradients compared with closed forms
computed in numpy)."""
import numpy as np
import pytest

import fasttape as tf
from ft_testutil import assert_close, assert_equal, seeded_rng


def _np_sum_to(g, shape):
    shape = tuple(shape)
    lead = g.ndim - len(shape)
    g = g.sum(axis=tuple(range(lead)))
    axes = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True).reshape(shape)


def _random_shape(rng, max_rank=4):
    rank = int(rng.integers(0, max_rank + 1))
    return tuple(int(d) for d in rng.integers(1, 4, size=rank))


def _broadcast_partner(rng, shape):
    """A shape that broadcasts against ``shape`` (dims set to 1 / dropped / added)."""
    dims = [1 if rng.random() < 0.35 else d for d in shape]
    drop = int(rng.integers(0, len(dims) + 1)) if dims else 0
    dims = dims[drop:]
    if drop == 0 and len(dims) < 4 and rng.random() < 0.2:
        dims = [int(rng.integers(1, 3))] + dims      # an extra leading dim
    return tuple(dims)


# op name -> (fasttape fn, numpy forward, d/dx, d/dy); x in [0.5, 2], y = +-[0.5, 2]
# (y > 0 for pow).  Ties for maximum/minimum have probability zero.
BINARY = {
    "add": (tf.add, np.add, lambda x, y, z: np.ones_like(z), lambda x, y, z: np.ones_like(z)),
    "subtract": (tf.subtract, np.subtract, lambda x, y, z: np.ones_like(z),
                 lambda x, y, z: -np.ones_like(z)),
    "multiply": (tf.multiply, np.multiply, lambda x, y, z: y + 0 * z, lambda x, y, z: x + 0 * z),
    "divide": (tf.divide, np.divide, lambda x, y, z: 1 / y + 0 * z, lambda x, y, z: -x / y ** 2),
    "pow": (tf.pow, np.power, lambda x, y, z: y * x ** (y - 1), lambda x, y, z: z * np.log(x)),
    "maximum": (tf.maximum, np.maximum, lambda x, y, z: (x > y) + 0 * z,
                lambda x, y, z: (x < y) + 0 * z),
    "minimum": (tf.minimum, np.minimum, lambda x, y, z: (x < y) + 0 * z,
                lambda x, y, z: (x > y) + 0 * z),
}


@pytest.mark.parametrize("name", sorted(BINARY))
def test_random_broadcasting_binary(name):
    fn, ref, dfx, dfy = BINARY[name]
    rng = seeded_rng("fuzz-binary-" + name)
    for trial in range(40):
        sx = _random_shape(rng)
        sy = _broadcast_partner(rng, sx)
        if rng.random() < 0.5:
            sx, sy = sy, sx
        x = rng.uniform(0.5, 2.0, size=sx)
        y = rng.uniform(0.5, 2.0, size=sy) * (1 if name == "pow" else rng.choice([-1, 1], size=sy))
        x, y = np.asarray(x), np.asarray(y)
        z = ref(x, y)
        tx, ty = tf.constant(x), tf.constant(y)
        with tf.GradientTape() as t:
            t.watch([tx, ty])
            tz = fn(tx, ty)
        msg = f"{name} {sx} vs {sy}"
        assert_close(tz, z, rtol=1e-13, err_msg=msg)
        u = rng.standard_normal(np.shape(z))
        gx, gy = t.gradient(tz, [tx, ty], output_gradients=tf.constant(u))
        assert_close(gx, _np_sum_to(u * dfx(x, y, z), sx), rtol=1e-12, atol=1e-13, err_msg=msg)
        assert_close(gy, _np_sum_to(u * dfy(x, y, z), sy), rtol=1e-12, atol=1e-13, err_msg=msg)


def test_random_where_broadcasting():
    rng = np.random.default_rng(99)
    for trial in range(40):
        s = _random_shape(rng)
        sc, sx, sy = (_broadcast_partner(rng, s) for _ in range(3))
        c = rng.random(sc) < 0.5
        x = np.asarray(rng.standard_normal(sx))
        y = np.asarray(rng.standard_normal(sy))
        want = np.where(c, x, y)
        tx, ty = tf.constant(x), tf.constant(y)
        with tf.GradientTape() as t:
            t.watch([tx, ty])
            tz = tf.where(tf.constant(c), tx, ty)
        assert_equal(tz, want)
        u = rng.standard_normal(want.shape)
        gx, gy = t.gradient(tz, [tx, ty], output_gradients=tf.constant(u))
        cb = np.broadcast_to(c, want.shape)
        assert_close(gx, _np_sum_to(np.where(cb, u, 0.0), sx), rtol=1e-13, atol=1e-14)
        assert_close(gy, _np_sum_to(np.where(cb, 0.0, u), sy), rtol=1e-13, atol=1e-14)


def test_random_reductions():
    rng = np.random.default_rng(5)
    for trial in range(80):
        shape = tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(1, 5))))
        nd = len(shape)
        k = int(rng.integers(0, nd + 1))
        axes = sorted(rng.choice(nd, size=k, replace=False).tolist())
        axis = [a - nd if rng.random() < 0.5 else a for a in axes]
        if k == 1 and rng.random() < 0.5:
            axis = axis[0]
        if k == nd and rng.random() < 0.3:
            axis = None
        keepdims = bool(rng.random() < 0.5)
        np_axis = tuple(axis) if isinstance(axis, list) else axis
        x = rng.standard_normal(shape)
        tx = tf.constant(x)
        for fn, ref in [(tf.reduce_sum, np.sum), (tf.reduce_mean, np.mean)]:
            with tf.GradientTape() as t:
                t.watch(tx)
                y = fn(tx, axis=axis, keepdims=keepdims)
            want = ref(x, axis=np_axis, keepdims=keepdims)
            msg = f"{fn.__name__} shape={shape} axis={axis} keepdims={keepdims}"
            assert_close(y, want, rtol=1e-12, atol=1e-13, err_msg=msg)
            u = rng.standard_normal(np.shape(want))
            g = t.gradient(y, tx, output_gradients=tf.constant(u))
            red = tuple(range(nd)) if np_axis is None else tuple(a % nd for a in np.atleast_1d(np_axis))
            kshape = tuple(1 if i in red else d for i, d in enumerate(shape))
            n = int(np.prod([shape[i] for i in red])) if red else 1
            expected = np.broadcast_to(np.reshape(u, kshape), shape)
            if ref is np.mean:
                expected = expected / n
            assert_close(g, expected, rtol=1e-13, atol=1e-14, err_msg=msg)


def test_random_matmul_batch_broadcasting():
    rng = np.random.default_rng(17)
    for trial in range(40):
        m, k, n = (int(v) for v in rng.integers(1, 4, size=3))
        batch = _random_shape(rng, max_rank=2)
        ba = _broadcast_partner(rng, batch)
        bb = _broadcast_partner(rng, batch)
        ta_, tb_ = bool(rng.random() < 0.5), bool(rng.random() < 0.5)
        a = rng.standard_normal(ba + ((k, m) if ta_ else (m, k)))
        b = rng.standard_normal(bb + ((n, k) if tb_ else (k, n)))
        an = np.swapaxes(a, -1, -2) if ta_ else a
        bn = np.swapaxes(b, -1, -2) if tb_ else b
        want = np.matmul(an, bn)
        tA, tB = tf.constant(a), tf.constant(b)
        with tf.GradientTape() as t:
            t.watch([tA, tB])
            y = tf.matmul(tA, tB, transpose_a=ta_, transpose_b=tb_)
        msg = f"{a.shape} {b.shape} ta={ta_} tb={tb_}"
        assert_close(y, want, rtol=1e-12, atol=1e-13, err_msg=msg)
        u = rng.standard_normal(want.shape)
        ga, gb = t.gradient(y, [tA, tB], output_gradients=tf.constant(u))
        gan = np.matmul(u, np.swapaxes(bn, -1, -2))
        gbn = np.matmul(np.swapaxes(an, -1, -2), u)
        if ta_:
            gan = np.swapaxes(gan, -1, -2)
        if tb_:
            gbn = np.swapaxes(gbn, -1, -2)
        assert_close(ga, _np_sum_to(gan, a.shape), rtol=1e-12, atol=1e-13, err_msg=msg)
        assert_close(gb, _np_sum_to(gbn, b.shape), rtol=1e-12, atol=1e-13, err_msg=msg)


def test_random_transpose_and_reshape():
    rng = np.random.default_rng(23)
    for trial in range(40):
        shape = tuple(int(d) for d in rng.integers(1, 4, size=int(rng.integers(1, 6))))
        perm = rng.permutation(len(shape)).tolist()
        x = rng.standard_normal(shape)
        tx = tf.constant(x)
        with tf.GradientTape() as t:
            t.watch(tx)
            y = tf.reshape(tf.transpose(tx, perm), [-1, shape[0]])
        want = np.transpose(x, perm).reshape(-1, shape[0])
        assert_equal(y, want)
        u = rng.standard_normal(want.shape)
        g = t.gradient(y, tx, output_gradients=tf.constant(u))
        expected = np.transpose(u.reshape(np.transpose(x, perm).shape), np.argsort(perm))
        assert_equal(g, expected)


def _random_index(rng, shape):
    idx = []
    for n in shape:
        r = rng.random()
        if r < 0.25:
            idx.append(int(rng.integers(-n, n)))
        else:
            def bound():
                return None if rng.random() < 0.3 else int(rng.integers(-n - 2, n + 3))
            step = [None, 1, 2, 3, -1, -2, -3][int(rng.integers(0, 7))]
            idx.append(slice(bound(), bound(), step))
        if rng.random() < 0.15:
            idx.append(None)
    if len(idx) > 1 and rng.random() < 0.3:
        # replace a run of trailing full slices by an ellipsis
        cut = int(rng.integers(1, len(idx)))
        idx = idx[:cut] + [Ellipsis]
    elif rng.random() < 0.2:
        idx = [Ellipsis] + idx[int(rng.integers(0, len(idx) + 1)):]
    return tuple(idx)


def test_random_slicing_forward_and_gradient():
    rng = np.random.default_rng(31)
    for trial in range(150):
        shape = tuple(int(d) for d in rng.integers(1, 6, size=int(rng.integers(1, 4))))
        x = rng.standard_normal(shape)
        idx = _random_index(rng, shape)
        want = np.asarray(x[idx])
        tx = tf.constant(x)
        with tf.GradientTape() as t:
            t.watch(tx)
            y = tx[idx]
        assert_equal(y, want, err_msg=f"x{shape}[{idx}]")
        u = rng.standard_normal(want.shape)
        g = t.gradient(y, tx, output_gradients=tf.constant(u))
        expected = np.zeros(shape)
        expected[idx] = u
        assert_equal(g, expected, err_msg=f"grad x{shape}[{idx}]")
