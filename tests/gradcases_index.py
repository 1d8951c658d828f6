"""Gradient-check cases of the index op group (concat, stack, unstack,
expand_dims, squeeze, tile, pad, gather, gather_nd, boolean_mask and numpy
advanced indexing). Composites are filed under the op-table entry they
mainly exercise."""
import numpy as np

import fasttape as tf
from fasttape import _core
from gradcheck_common import case


def _lab(*parts):
    return "-".join(str(p) for p in parts).replace(" ", "")


# ---------------------------------------------------------------- numpy references
def _np_gather(p, idx, axis, bd=0):
    idx = np.asarray(idx)
    if bd == 0:
        return np.take(p, idx, axis=axis)
    return np.stack([_np_gather(p[b], idx[b], axis - 1, bd - 1) for b in range(p.shape[0])])


def _np_gather_grad(dy, idx, n, axis):
    idx = np.asarray(idx)
    shape = dy.shape[:axis] + (n,) + dy.shape[axis + idx.ndim:]
    out = np.zeros(shape)
    moved = np.moveaxis(out, axis, 0)
    g = dy.reshape(dy.shape[:axis] + (idx.size,) + dy.shape[axis + idx.ndim:])
    g = np.moveaxis(g, axis, 0)
    np.add.at(moved, idx.reshape(-1), g)
    return out


def _np_gather_nd(p, idx, bd=0):
    idx = np.asarray(idx)
    if bd == 0:
        return p[tuple(np.moveaxis(idx, -1, 0))]
    return np.stack([_np_gather_nd(p[b], idx[b], bd - 1) for b in range(p.shape[0])])


def _np_gather_nd_grad(dy, idx, shape):
    idx = np.asarray(idx)
    out = np.zeros(shape)
    np.add.at(out, tuple(np.moveaxis(idx, -1, 0)), dy)
    return out


# ---------------------------------------------------------------- concat
for _shapes, _ax in [([(2, 3), (1, 3)], 0), ([(2, 3), (2, 1), (2, 2)], 1), ([(2, 3), (2, 2)], -1),
                     ([(3,), (2,)], 0), ([(2, 1, 2), (2, 3, 2)], -2), ([(2, 2), (2, 2)], 0)]:
    case("concat", _lab(_shapes, _ax),
         (lambda ax: lambda *xs: tf.concat(list(xs), ax))(_ax),
         (lambda ax: lambda *xs: np.concatenate(xs, axis=ax))(_ax), _shapes)
case("concat", "x-with-itself", lambda x: tf.concat([x, 2.0 * x, x], 1),
     lambda x: np.concatenate([x, 2 * x, x], axis=1), [(2, 2)])

# stack = expand_dims + concat
for _s, _ax in [((), 0), ((3,), 0), ((3,), 1), ((2, 3), -1), ((2, 3), 1)]:
    case("concat", _lab("stack", _s, _ax),
         (lambda ax: lambda x, y: tf.stack([x, y], axis=ax))(_ax),
         (lambda ax: lambda x, y: np.stack([x, y], axis=ax))(_ax), [_s, _s])
case("concat", "stack-3", lambda x, y, z: tf.stack([x, y, z]), lambda x, y, z: np.stack([x, y, z]),
     [(2,), (2,), (2,)])

# ---------------------------------------------------------------- unstack (several outputs)
case("unstack", "one-output", lambda x: tf.unstack(x)[1], lambda x: x[1], [(3, 2)])
case("unstack", "axis=1", lambda x: tf.unstack(x, axis=1)[2], lambda x: x[:, 2], [(2, 3)])
case("unstack", "axis=-1-rank3", lambda x: tf.unstack(x, axis=-1)[0], lambda x: x[..., 0], [(2, 3, 2)])
case("unstack", "vector", lambda x: tf.unstack(x)[0] * tf.unstack(x)[2], lambda x: x[0] * x[2], [(3,)])
case("unstack", "two-outputs", lambda x: (lambda u: u[0] * 2.0 + u[2] * u[1])(tf.unstack(x, num=3)),
     lambda x: x[0] * 2.0 + x[2] * x[1], [(3, 2)])
case("unstack", "restack", lambda x: tf.stack(tf.unstack(x, axis=1), axis=0), lambda x: x.T.copy(), [(2, 3)])

# ---------------------------------------------------------------- identity (and Variable reads)
case("identity", "scalar", lambda x: tf.identity(x) * x, lambda x: x * x, [()])
case("identity", "matrix", lambda x: tf.sin(tf.identity(x)), lambda x: np.sin(x), [(2, 3)])

# ---------------------------------------------------------------- expand_dims / squeeze (reshape)
for _s, _ax in [((), 0), ((3,), 0), ((3,), -1), ((2, 3), 1), ((2, 3), -3)]:
    case("reshape", _lab("expand_dims", _s, _ax),
         (lambda ax: lambda x: tf.expand_dims(x, ax))(_ax),
         (lambda ax: lambda x: np.expand_dims(x, ax))(_ax), [_s])
for _s, _ax in [((1, 3), None), ((2, 1, 3, 1), None), ((2, 1, 3, 1), [1]), ((2, 1, 3, 1), [-1, 1]), ((1,), 0)]:
    case("reshape", _lab("squeeze", _s, _ax),
         (lambda ax: lambda x: tf.squeeze(x, ax))(_ax),
         (lambda ax: lambda x: np.squeeze(x, axis=None if ax is None else tuple(np.atleast_1d(ax))))(_ax), [_s])

# ---------------------------------------------------------------- tile (reshape + broadcast_to + reshape)
for _s, _m in [((3,), [2]), ((2, 3), [2, 1]), ((2, 3), [1, 3]), ((2, 1, 2), [2, 3, 2]), ((2,), [1]),
               ((), [])]:
    case("broadcast_to", _lab("tile", _s, _m),
         (lambda m: lambda x: tf.tile(x, m) * 1.0)(_m),
         (lambda m: lambda x: np.tile(x, m) if m else x.copy())(_m), [_s])

# ---------------------------------------------------------------- pad
for _s, _p, _cv in [((3,), [[1, 2]], 0), ((2, 3), [[1, 0], [0, 2]], 0), ((2, 3), [[0, 0], [2, 1]], 1.5),
                    ((2, 1, 2), [[1, 1], [0, 2], [1, 0]], -1.0)]:
    case("strided_slice_grad", _lab("pad", _s, _p, _cv),
         (lambda p, cv: lambda x: tf.pad(x, p, constant_values=cv))(_p, _cv),
         (lambda p, cv: lambda x: np.pad(x, p, mode="constant", constant_values=cv))(_p, _cv), [_s])
for _mode, _npmode in [("REFLECT", "reflect"), ("SYMMETRIC", "symmetric")]:
    for _s, _p in [((4,), [[2, 3]]), ((3, 3), [[1, 2], [2, 0]]), ((2, 3, 2), [[1, 0], [0, 0], [1, 1]])]:
        case("gather", _lab("pad", _mode, _s, _p),
             (lambda p, m: lambda x: tf.pad(x, p, mode=m))(_p, _mode),
             (lambda p, m: lambda x: np.pad(x, p, mode=m))(_p, _npmode), [_s])

# ---------------------------------------------------------------- gather
GATHERS = [
    ((4,), [3, 0, 0, 2], 0, 0),
    ((4, 3), [2, 2, 0], 0, 0),
    ((4, 3), [[1, 0], [3, 1]], 0, 0),
    ((3, 4), [3, 1, 3], 1, 0),
    ((2, 3, 4), [0, 2], -1, 0),
    ((2, 3, 4), [[1], [2]], -2, 0),
    ((3,), 1, 0, 0),
    ((2, 3), [[2, 0, 2], [1, 1, 0]], 1, 1),
    ((2, 3, 2), [[1, 1], [0, 2]], 1, 1),
    ((2, 2, 3), [[0], [2]], 2, 1),
]
for _s, _i, _ax, _bd in GATHERS:
    case("gather", _lab(_s, _i, _ax, _bd),
         (lambda i, ax, bd: lambda x: tf.gather(x, i, axis=ax, batch_dims=bd))(_i, _ax, _bd),
         (lambda i, ax, bd: lambda x: _np_gather(x, i, ax if ax >= 0 else ax + x.ndim, bd))(_i, _ax, _bd), [_s])
case("gather", "int64-indices", lambda x: tf.gather(x, tf.constant(np.array([1, 1, 0], np.int64))),
     lambda x: x[[1, 1, 0]], [(2, 3)])
case("gather", "numpy-indices", lambda x: tf.gather(x, np.array([2, 0], np.int32), axis=1),
     lambda x: x[:, [2, 0]], [(2, 3)])
case("gather", "gather-of-gather", lambda x: tf.gather(tf.gather(x, [1, 0, 1]), [2, 2], axis=1),
     lambda x: x[[1, 0, 1]][:, [2, 2]], [(2, 3)])

# gather_grad: the dense scatter-add (duplicates accumulate)
for _dy, _i, _n, _ax in [((4,), [3, 0, 0, 2], 4, 0), ((3, 2), [1, 1, 0], 3, 0), ((2, 3), [0, 2, 0], 4, 1),
                         ((2, 2, 2), [[1, 1], [0, 1]], 3, 0)]:
    case("gather_grad", _lab(_dy, _i, _n, _ax),
         (lambda i, n, ax: lambda dy: _core.gather_grad(dy, i, n, ax))(_i, _n, _ax),
         (lambda i, n, ax: lambda dy: _np_gather_grad(dy, i, n, ax))(_i, _n, _ax), [_dy])

# ---------------------------------------------------------------- gather_nd
GATHER_NDS = [
    ((2, 3), [[1, 0], [0, 2], [1, 0]], 0),
    ((2, 3), [[1], [0], [1]], 0),
    ((2, 3, 2), [[[0, 1]], [[1, 2]]], 0),
    ((3, 2), [2, 1], 0),
    ((2, 3, 2), [[[1, 0], [2, 1]], [[0, 0], [0, 0]]], 1),
    ((2, 3, 2), [[2], [0]], 1),
]
for _s, _i, _bd in GATHER_NDS:
    case("gather_nd", _lab(_s, _i, _bd),
         (lambda i, bd: lambda x: tf.gather_nd(x, i, batch_dims=bd))(_i, _bd),
         (lambda i, bd: lambda x: _np_gather_nd(x, i, bd))(_i, _bd), [_s])

for _s, _i in [((2, 3), [[1, 0], [0, 2], [1, 0]]), ((2, 3), [[1], [1]]), ((3, 2), [[2, 1], [2, 1]])]:
    _dy = np.shape(_np_gather_nd(np.zeros(_s), _i))
    case("gather_nd_grad", _lab(_s, _i),
         (lambda s, i: lambda dy: _core.gather_nd_grad(dy, i, list(s)))(_s, _i),
         (lambda s, i: lambda dy: _np_gather_nd_grad(dy, i, s))(_s, _i), [_dy])

# ---------------------------------------------------------------- boolean_mask (reshape + gather)
_M3 = np.array([True, False, True])
_M23 = np.array([[True, False, True], [False, True, True]])
case("gather", "boolean_mask-1d", lambda x: tf.boolean_mask(x, _M3), lambda x: x[_M3], [(3,)])
case("gather", "boolean_mask-rows", lambda x: tf.boolean_mask(x, _M3), lambda x: x[_M3], [(3, 2)])
case("gather", "boolean_mask-2d", lambda x: tf.boolean_mask(x, tf.constant(_M23)), lambda x: x[_M23], [(2, 3, 2)])
case("gather", "boolean_mask-axis1", lambda x: tf.boolean_mask(x, _M3, axis=1), lambda x: x[:, _M3], [(2, 3)])

# ---------------------------------------------------------------- numpy advanced indexing
ADV = [
    ("x[[0,2,0]]", (3, 2), lambda x: x[[0, 2, 0]]),
    ("x[:,[1,0]]", (2, 3), lambda x: x[:, [1, 0]]),
    ("x[...,[1,1]]", (2, 3), lambda x: x[..., [1, 1]]),
    ("x[[-1,0]]", (3,), lambda x: x[[-1, 0]]),
    ("x[[0,1],[2,0]]", (2, 3), lambda x: x[[0, 1], [2, 0]]),
    ("x[1,[0,2]]", (2, 3), lambda x: x[1, [0, 2]]),
    ("x[:,None,[0,0]]", (2, 3), lambda x: x[:, None, [0, 0]]),
    ("x[[[0],[1]],1:]", (2, 3), lambda x: x[[[0], [1]], 1:]),
    ("x[mask23]", (2, 3), lambda x: x[_M23]),
    ("x[mask3]", (3, 2), lambda x: x[_M3]),
    ("x[:,mask3]", (2, 3), lambda x: x[:, _M3]),
    ("x[x>0]", (2, 3), lambda x: x[x > 0.0]),
]
for _lab_, _s, _fn in ADV:
    case("gather", "getitem" + _lab_, _fn, _fn, [_s], domain="away0")
case("gather", "getitem-tensor-index", lambda x: x[tf.constant([2, 0])], lambda x: x[[2, 0]], [(3, 2)])
case("gather", "getitem-int64-index", lambda x: x[np.array([1, 1], np.int64)], lambda x: x[[1, 1]], [(2,)])

