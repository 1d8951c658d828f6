"""The workloads of issue 4 (W1-W9), one function per library, and the
harness that runs one (library, workload) pair in this process.

    python bench/workloads.py --lib fasttape --workload W3 [--quick]

prints one JSON object on its last stdout line (bench/run.py spawns this once
per pair, so each library runs in a fresh process of its own).

A workload W has:
  * ``data(quick)``: its inputs as a dict of float32 (or int) numpy arrays,
    deterministic (same seed for every library);
  * ``make_<lib>(d)`` for lib in numpy / fasttape / torch, all with the same
    signature: given the data, return ``step``, a callable that runs one
    complete forward + backward (and update) and returns
    ``(gradients, phases)``: a list of the library's gradient arrays and a
    dict of separately timed phases in seconds (often empty);
  * a reference: the numpy implementation run on the data cast to float64
    (or a dedicated float64 function), against which the first call's
    gradients of every library are checked (normwise relative error of each
    gradient <= the workload's tolerance) before anything is timed.
The numpy implementations are hand-written forward and backward passes: the
no-autodiff floor. Libraries use their default thread counts (fasttape's
thread pool, numpy's BLAS and PyTorch's intra-op pools all use the 2 cores).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

LIBS = ("numpy", "fasttape", "torch")


class NotAvailable(Exception):
    """The library lacks an API the workload needs (the row is marked N/A)."""


def _tf():
    import fasttape
    return fasttape


def _tf_api(tf, dotted):
    """Looks up a TensorFlow name (e.g. "nn.sparse_softmax_cross_entropy_with_logits")."""
    obj = tf
    for part in dotted.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise NotAvailable("tf.%s is not in fasttape yet" % dotted)
    return obj


def _torch():
    import torch
    return torch


def _rng(seed):
    return np.random.default_rng(seed)


# ============================================================ W1 scalar ops
W1_STEPS = 5000  # 2 recorded ops per step


def w1_data(quick):
    return {"x": np.float32(1.0), "a": np.float32(1.0001), "b": np.float32(0.0001)}


def w1_numpy(d):
    x, a, b = d["x"], d["a"], d["b"]

    def step():
        t0 = time.perf_counter()
        y = x
        for _ in range(W1_STEPS):
            y = y * a + b
        t1 = time.perf_counter()
        g = x.dtype.type(1.0)  # backward: the adds pass g through, the multiplies scale it by a
        for _ in range(W1_STEPS):
            g = g * a
        t2 = time.perf_counter()
        return [g], {"forward": t1 - t0, "gradient": t2 - t1}
    return step


def w1_fasttape(d):
    tf = _tf()
    x = tf.constant(d["x"])
    a, b = float(d["a"]), float(d["b"])

    def step():
        t0 = time.perf_counter()
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in range(W1_STEPS):
                y = y * a + b
        t1 = time.perf_counter()
        g = tape.gradient(y, x)
        t2 = time.perf_counter()
        return [g], {"forward": t1 - t0, "gradient": t2 - t1}
    return step


def w1_torch(d):
    torch = _torch()
    a, b = float(d["a"]), float(d["b"])

    def step():
        x = torch.tensor(float(d["x"]), requires_grad=True)
        t0 = time.perf_counter()
        y = x
        for _ in range(W1_STEPS):
            y = y * a + b
        t1 = time.perf_counter()
        (g,) = torch.autograd.grad(y, x)
        t2 = time.perf_counter()
        return [g], {"forward": t1 - t0, "gradient": t2 - t1}
    return step


# ============================================================ W2 control flow
def w2_data(quick):
    return {"x": np.float32(2.0), "n": 6}


def w2_numpy(d):
    x, n = d["x"], d["n"]

    def step():
        out, used = x.dtype.type(1.0), []  # forward, remembering each multiply's other operand
        for i in range(n):
            if 1 < i < 5:
                used.append(out)
                out = out * x
        g, gx = x.dtype.type(1.0), x.dtype.type(0.0)
        for prev in reversed(used):  # backward through out = prev * x
            gx = gx + g * prev
            g = g * x
        return [gx], {}
    return step


def w2_fasttape(d):
    tf = _tf()
    x = tf.convert_to_tensor(d["x"])
    n = d["n"]

    def f(x, y):
        output = 1.0
        for i in range(y):
            if i > 1 and i < 5:
                output = tf.multiply(output, x)
        return output

    def grad(x, y):
        with tf.GradientTape() as t:
            t.watch(x)
            out = f(x, y)
        return t.gradient(out, x)

    def step():
        return [grad(x, n)], {}
    return step


def w2_torch(d):
    torch = _torch()
    x = torch.tensor(float(d["x"]), requires_grad=True)
    n = d["n"]

    def f(x, y):
        output = 1.0
        for i in range(y):
            if i > 1 and i < 5:
                output = torch.mul(x, output)
        return output

    def step():
        out = f(x, n)
        return list(torch.autograd.grad(out, x)), {}
    return step


# ============================================================ W3 MLP training step
W3_LR = 0.1


def w3_data(quick):
    r = _rng(3)
    return {"x": r.standard_normal((64, 784), dtype=np.float32),
            "labels": r.integers(0, 10, 64).astype(np.int64),
            "W1": (r.standard_normal((784, 256)) * 784 ** -0.5).astype(np.float32),
            "b1": np.zeros(256, np.float32),
            "W2": (r.standard_normal((256, 10)) * 256 ** -0.5).astype(np.float32),
            "b2": np.zeros(10, np.float32)}


def w3_numpy(d):
    x, labels = d["x"], d["labels"]
    params = [d[k].copy() for k in ("W1", "b1", "W2", "b2")]
    onehot = np.eye(10, dtype=x.dtype)[labels]

    def step():
        W1, b1, W2, b2 = params
        h = np.tanh(x @ W1 + b1)
        logits = h @ W2 + b2
        z = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(z)
        s = e.sum(axis=1, keepdims=True)
        loss = np.mean(np.log(s)[:, 0] - (z * onehot).sum(axis=1))  # noqa: F841 (the forward's value)
        dlogits = (e / s - onehot) / x.shape[0]
        gW2, gb2 = h.T @ dlogits, dlogits.sum(axis=0)
        dz = (dlogits @ W2.T) * (1 - h * h)
        gW1, gb1 = x.T @ dz, dz.sum(axis=0)
        grads = [gW1, gb1, gW2, gb2]
        for p, g in zip(params, grads):
            p -= W3_LR * g
        return grads, {}
    return step


def w3_fasttape(d):
    tf = _tf()
    try:
        xent = _tf_api(tf, "nn.sparse_softmax_cross_entropy_with_logits")
        labels = tf.constant(d["labels"])
    except NotAvailable as sparse_missing:
        try:
            dense = _tf_api(tf, "nn.softmax_cross_entropy_with_logits")
        except NotAvailable:
            raise NotAvailable("%s (nor tf.nn.softmax_cross_entropy_with_logits)" % sparse_missing)
        labels = tf.constant(np.eye(10, dtype=np.float32)[d["labels"]])

        def xent(labels, logits):
            return dense(labels=labels, logits=logits)
    x = tf.constant(d["x"])
    params = [tf.Variable(d[k]) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def step():
        with tf.GradientTape() as tape:
            h = tf.tanh(tf.matmul(x, W1) + b1)
            logits = tf.matmul(h, W2) + b2
            loss = tf.reduce_mean(xent(labels=labels, logits=logits))
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(W3_LR * g)
        return grads, {}
    return step


def w3_torch(d):
    torch = _torch()
    F = torch.nn.functional
    x, labels = torch.from_numpy(d["x"]), torch.from_numpy(d["labels"])
    params = [torch.tensor(d[k], requires_grad=True) for k in ("W1", "b1", "W2", "b2")]
    W1, b1, W2, b2 = params

    def step():
        h = torch.tanh(x @ W1 + b1)
        logits = h @ W2 + b2
        loss = F.cross_entropy(logits, labels)
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, g in zip(params, grads):
                p.sub_(g, alpha=W3_LR)
        return list(grads), {}
    return step


# ============================================================ W4 elementwise
def w4_data(quick):
    r = _rng(4)
    n = 4_194_304
    return {"x": r.standard_normal(n, dtype=np.float32), "w": r.standard_normal(n, dtype=np.float32),
            "b": r.standard_normal(n, dtype=np.float32)}


def w4_numpy(d):
    x, w, b = d["x"], d["w"], d["b"]

    def step():
        t = np.tanh(x * w + b)
        loss = np.sum(t * t)  # noqa: F841
        gz = 2 * t * (1 - t * t)
        return [gz * x, gz], {}
    return step


def w4_fasttape(d):
    tf = _tf()
    x, w, b = (tf.constant(d[k]) for k in ("x", "w", "b"))

    def step():
        with tf.GradientTape() as tape:
            tape.watch([w, b])
            loss = tf.reduce_sum(tf.tanh(x * w + b) ** 2)
        return tape.gradient(loss, [w, b]), {}
    return step


def w4_torch(d):
    torch = _torch()
    x = torch.from_numpy(d["x"])
    w, b = (torch.tensor(d[k], requires_grad=True) for k in ("w", "b"))

    def step():
        loss = torch.sum(torch.tanh(x * w + b) ** 2)
        return list(torch.autograd.grad(loss, [w, b])), {}
    return step


# ============================================================ W5 matmul
def w5_data(quick):
    r = _rng(5)
    return {"A": r.standard_normal((1024, 1024), dtype=np.float32),
            "B": r.standard_normal((1024, 1024), dtype=np.float32)}


def w5_numpy(d):  # the three GEMMs
    A, B = d["A"], d["B"]
    G = np.ones((A.shape[0], B.shape[1]), A.dtype)

    def step():
        C = A @ B
        loss = C.sum()  # noqa: F841
        return [G @ B.T, A.T @ G], {}
    return step


def w5_fasttape(d):
    tf = _tf()
    A, B = tf.constant(d["A"]), tf.constant(d["B"])

    def step():
        with tf.GradientTape() as tape:
            tape.watch([A, B])
            loss = tf.reduce_sum(tf.matmul(A, B))
        return tape.gradient(loss, [A, B]), {}
    return step


def w5_torch(d):
    torch = _torch()
    A, B = (torch.tensor(d[k], requires_grad=True) for k in ("A", "B"))

    def step():
        loss = torch.sum(A @ B)
        return list(torch.autograd.grad(loss, [A, B])), {}
    return step


# ============================================================ W6a d2/dx2 of x^3
def w6a_data(quick):
    return {"x": np.float32(2.0)}


def w6a_numpy(d):
    x = d["x"]

    def step():
        x2 = x * x
        y = x2 * x          # noqa: F841 (forward)
        dy = 3 * x2         # first derivative, then its derivative
        d2y = 6 * x
        del dy
        return [d2y], {}
    return step


def w6a_fasttape(d):
    tf = _tf()
    x = tf.Variable(d["x"])

    def step():
        with tf.GradientTape() as t2:
            with tf.GradientTape() as t1:
                y = x * x * x
            dy_dx = t1.gradient(y, x)
        return [t2.gradient(dy_dx, x)], {}
    return step


def w6a_torch(d):
    torch = _torch()
    x = torch.tensor(float(d["x"]), requires_grad=True)

    def step():
        y = x * x * x
        (dy_dx,) = torch.autograd.grad(y, x, create_graph=True)
        return list(torch.autograd.grad(dy_dx, x)), {}
    return step


# ============================================================ W6b Hessian-vector product
# f(x) = sum(tanh(x)**3) + sum(x[:-1] * x[1:]);  H v by reverse-over-reverse.
def w6b_data(quick):
    r = _rng(6)
    n = 100_000
    return {"x": r.standard_normal(n, dtype=np.float32), "v": r.standard_normal(n, dtype=np.float32)}


def w6b_numpy(d):
    x, v = d["x"], d["v"]

    def step():
        t = np.tanh(x)
        s = 1 - t * t
        hv = (6 * t - 12 * t * t * t) * s * v  # d2/dx2 tanh^3 = (6t - 12t^3)(1 - t^2)
        hv[:-1] += v[1:]                       # the chain term couples neighbours
        hv[1:] += v[:-1]
        return [hv], {}
    return step


def w6b_fasttape(d):
    tf = _tf()
    x, v = tf.constant(d["x"]), tf.constant(d["v"])

    def step():
        with tf.GradientTape() as outer:
            outer.watch(x)
            with tf.GradientTape() as inner:
                inner.watch(x)
                f = tf.reduce_sum(tf.tanh(x) ** 3) + tf.reduce_sum(x[:-1] * x[1:])
            g = inner.gradient(f, x)
        return [outer.gradient(g, x, output_gradients=v)], {}
    return step


def w6b_torch(d):
    torch = _torch()
    x = torch.tensor(d["x"], requires_grad=True)
    v = torch.from_numpy(d["v"])

    def step():
        f = torch.sum(torch.tanh(x) ** 3) + torch.sum(x[:-1] * x[1:])
        (g,) = torch.autograd.grad(f, x, create_graph=True)
        return list(torch.autograd.grad(g, x, grad_outputs=v)), {}
    return step


# ============================================================ W7 Jacobian
# J = d tanh(W @ x) / dx for W 256x256 and x a 256x1 column (J is 256x1x256x1).
def w7_data(quick):
    r = _rng(7)
    return {"W": (r.standard_normal((256, 256)) / 16).astype(np.float32),
            "x": r.standard_normal((256, 1), dtype=np.float32)}


def w7_numpy(d):
    W, x = d["W"], d["x"]

    def step():
        y = np.tanh(W @ x)
        J = (1 - y * y) * W  # row i scaled by tanh'(Wx)_i
        return [J.reshape(256, 1, 256, 1)], {}
    return step


def w7_fasttape(d):
    tf = _tf()
    W, x = tf.constant(d["W"]), tf.constant(d["x"])

    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = tf.tanh(tf.matmul(W, x))
        return [tape.jacobian(y, x)], {}
    return step


def w7_torch(d):
    torch = _torch()
    W, x = torch.from_numpy(d["W"]), torch.from_numpy(d["x"])

    def f(x):
        return torch.tanh(W @ x)

    def step():
        # torch's default row loop: on this machine it beats vectorize=True (vmap over one
        # batched sweep), which takes about 3x as long at 256x256, so the peer is its fastest.
        return [torch.autograd.functional.jacobian(f, x)], {}
    return step


# ============================================================ W8 import time
def _import_time(module, repeats):
    """Median wall time of `python -c "import <module>"` in fresh interpreters."""
    cmd = [sys.executable, "-c", "import %s" % module]
    # Warm the page cache and the .pyc files. The .pyc files are written even
    # where PYTHONDONTWRITEBYTECODE is set: an installed package has them
    # (pip compiles at install), a source tree would otherwise recompile
    # every module at every import.
    warm_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for _ in range(2):
        subprocess.run(cmd, check=True, env=warm_env)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def w8_data(quick):
    return {"repeats": 3 if quick else 9}


def _w8(module):
    def make(d):
        def step():
            return None, {"import": _import_time(module, d["repeats"])}
        return step
    return make


w8_numpy, w8_fasttape, w8_torch = _w8("numpy"), _w8("fasttape"), _w8("torch")


# ============================================================ W9 memory
W9_STEPS = 200


def w9_data(quick):
    return {"x": _rng(9).standard_normal(1_048_576, dtype=np.float32)}


def w9_numpy(d):
    x = d["x"]

    def step():
        saved, y = [], x
        for _ in range(W9_STEPS):
            saved.append(y)               # sin saves its input
            y = np.sin(y) * np.float32(1.01)
        loss = y.sum()  # noqa: F841
        g = np.ones_like(x)
        for s in reversed(saved):         # d/dy of sin(y) * 1.01
            g = g * np.float32(1.01) * np.cos(s)
        return [g], {}
    return step


def w9_fasttape(d):
    tf = _tf()
    x = tf.constant(d["x"])

    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in range(W9_STEPS):
                y = tf.sin(y) * 1.01
            loss = tf.reduce_sum(y)
        return [tape.gradient(loss, x)], {}
    return step


def w9_torch(d):
    torch = _torch()
    x = torch.tensor(d["x"], requires_grad=True)

    def step():
        y = x
        for _ in range(W9_STEPS):
            y = torch.sin(y) * 1.01
        loss = torch.sum(y)
        return list(torch.autograd.grad(loss, x)), {}
    return step


def w9_reference(d64):
    """float64, streaming: the derivative is a product of per-step factors."""
    y, g = d64["x"], np.ones_like(d64["x"])
    for _ in range(W9_STEPS):
        g *= 1.01 * np.cos(y)
        y = np.sin(y) * 1.01
    return [g]


def w9_saved_bytes(d):
    return W9_STEPS * d["x"].nbytes


# ============================================================ the table of workloads
# ============================================================ W10 small CNN train step
W10_LR = 0.05


def w10_data(quick):
    r = _rng(10)
    return {"x": r.standard_normal((32, 28, 28, 1), dtype=np.float32),
            "y": r.integers(0, 10, size=32),
            "w1": (r.standard_normal((3, 3, 1, 32)) * 0.3).astype(np.float32),
            "w2": (r.standard_normal((3, 3, 32, 64)) * 0.06).astype(np.float32),
            "w3": (r.standard_normal((5 * 5 * 64, 10)) * 0.03).astype(np.float32),
            "b3": np.zeros(10, np.float32)}


def _np_conv_valid(x, w):
    p = np.lib.stride_tricks.sliding_window_view(x, (3, 3), axis=(1, 2))  # n, h, w, c, a, b
    return np.einsum("nhwcab,abco->nhwo", p, w, optimize=True), p


def _np_pool2(x):  # 2x2 max pool, stride 2, VALID
    n, h, w, c = x.shape
    ho, wo = h // 2, w // 2
    v = x[:, :2 * ho, :2 * wo].reshape(n, ho, 2, wo, 2, c)
    y = v.max(axis=(2, 4))
    mask = (v == y[:, :, None, :, None, :])
    mask &= np.cumsum(np.cumsum(mask, axis=2), axis=4) == 1  # the first maximum only
    return y, mask


def _np_unpool2(g, mask, shape):
    n, ho, _, wo, _, c = mask.shape
    d = np.zeros(shape, g.dtype)
    d[:, :2 * ho, :2 * wo] = (mask * g[:, :, None, :, None, :]).reshape(n, 2 * ho, 2 * wo, c)
    return d


def w10_numpy(d):
    x, y = d["x"], d["y"]
    P = {k: d[k].copy() for k in ("w1", "w2", "w3", "b3")}

    def step():
        h1, p1 = _np_conv_valid(x, P["w1"])
        r1 = np.maximum(h1, 0)
        q1, m1 = _np_pool2(r1)
        h2, p2 = _np_conv_valid(q1, P["w2"])
        r2 = np.maximum(h2, 0)
        q2, m2 = _np_pool2(r2)
        f = q2.reshape(len(x), -1)
        z = f @ P["w3"] + P["b3"]
        e = np.exp(z - z.max(axis=1, keepdims=True))
        prob = e / e.sum(axis=1, keepdims=True)
        dz = prob.copy()
        dz[np.arange(len(x)), y] -= 1
        dz /= len(x)
        g3, gb = f.T @ dz, dz.sum(axis=0)
        dq2 = (dz @ P["w3"].T).reshape(q2.shape)
        dh2 = _np_unpool2(dq2, m2, r2.shape) * (h2 > 0)
        g2 = np.einsum("nhwcab,nhwo->abco", p2, dh2, optimize=True)
        dpad = np.pad(dh2, ((0, 0), (2, 2), (2, 2), (0, 0)))
        pw = np.lib.stride_tricks.sliding_window_view(dpad, (3, 3), axis=(1, 2))
        dq1 = np.einsum("nhwoab,abco->nhwc", pw, P["w2"][::-1, ::-1], optimize=True)
        dh1 = _np_unpool2(dq1, m1, r1.shape) * (h1 > 0)
        g1 = np.einsum("nhwcab,nhwo->abco", p1, dh1, optimize=True)
        grads = [g1, g2, g3, gb]
        for k, g in zip(("w1", "w2", "w3", "b3"), grads):
            P[k] -= W10_LR * g
        return grads, {}
    return step


def w10_fasttape(d):
    tf = _tf()
    x, y = tf.constant(d["x"]), tf.constant(d["y"])
    V = [tf.Variable(d[k]) for k in ("w1", "w2", "w3", "b3")]
    opt = tf.keras.optimizers.SGD(W10_LR)

    def step():
        w1, w2, w3, b3 = V
        with tf.GradientTape() as tape:
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(x, w1, 1, "VALID")), 2, 2, "VALID")
            h = tf.nn.max_pool2d(tf.nn.relu(tf.nn.conv2d(h, w2, 1, "VALID")), 2, 2, "VALID")
            logits = tf.matmul(tf.reshape(h, [32, -1]), w3) + b3
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
        grads = tape.gradient(loss, V)
        opt.apply_gradients(zip(grads, V))
        return grads, {}
    return step


def w10_torch(d):
    torch = _torch()
    F = torch.nn.functional
    x = torch.from_numpy(d["x"].transpose(0, 3, 1, 2).copy())
    y = torch.from_numpy(d["y"].astype(np.int64))
    w1 = torch.tensor(d["w1"].transpose(3, 2, 0, 1).copy(), requires_grad=True)
    w2 = torch.tensor(d["w2"].transpose(3, 2, 0, 1).copy(), requires_grad=True)
    # torch flattens NCHW; permute the dense weight's rows so the model is the same function.
    w3 = torch.tensor(d["w3"].reshape(5, 5, 64, 10).transpose(2, 0, 1, 3).reshape(-1, 10).copy(), requires_grad=True)
    b3 = torch.tensor(d["b3"].copy(), requires_grad=True)
    params = [w1, w2, w3, b3]
    opt = torch.optim.SGD(params, lr=W10_LR)

    def step():
        opt.zero_grad()
        h = F.max_pool2d(F.relu(F.conv2d(x, w1)), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, w2)), 2)
        loss = F.cross_entropy(h.reshape(32, -1) @ w3 + b3, y)
        loss.backward()
        grads = [w1.grad.permute(2, 3, 1, 0), w2.grad.permute(2, 3, 1, 0),
                 w3.grad.reshape(64, 5, 5, 10).permute(1, 2, 0, 3).reshape(-1, 10), b3.grad]
        out = [g.detach().clone() for g in grads]
        opt.step()
        return out, {}
    return step


# ============================================================ W11 fused Adam step
W11_N = 1_000_000


def w11_data(quick):
    r = _rng(11)
    return {"x": r.standard_normal(W11_N, dtype=np.float32), "g": r.standard_normal(W11_N, dtype=np.float32)}


def w11_numpy(d):  # Keras's Adam formulas, op by op, in place
    x, g = d["x"].copy(), d["g"]
    m, v = np.zeros_like(x), np.zeros_like(x)
    tmp = np.empty_like(x)
    t = [0]

    def step():
        t[0] += 1
        lr = x.dtype.type(0.001)
        alpha = lr * np.sqrt(1 - x.dtype.type(0.999) ** t[0]) / (1 - x.dtype.type(0.9) ** t[0])
        np.subtract(g, m, out=tmp)
        np.multiply(tmp, 0.1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(g, g, out=tmp)
        np.subtract(tmp, v, out=tmp)
        np.multiply(tmp, 0.001, out=tmp)
        np.add(v, tmp, out=v)
        np.sqrt(v, out=tmp)
        np.add(tmp, 1e-7, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, alpha, out=tmp)
        np.subtract(x, tmp, out=x)
        return [x], {}
    return step


def w11_fasttape(d):
    tf = _tf()
    x = tf.Variable(d["x"])
    pairs = [(tf.constant(d["g"]), x)]
    opt = tf.keras.optimizers.Adam(0.001)

    def step():
        opt.apply_gradients(pairs)
        return [x], {}
    return step


def w11_torch(d):
    torch = _torch()
    p = torch.nn.Parameter(torch.from_numpy(d["x"].copy()))
    p.grad = torch.from_numpy(d["g"].copy())
    opt = torch.optim.Adam([p], lr=0.001, eps=1e-7, foreach=True)

    def step():
        opt.step()
        return [p.detach()], {}
    return step


# ============================================================ W12 Dataset.batch
W12_ROWS, W12_BATCH = 60_000, 10_000


def w12_data(quick):
    r = _rng(12)
    return {"X": r.standard_normal((W12_ROWS, 784), dtype=np.float32), "y": np.arange(W12_ROWS, dtype=np.int64)}


def w12_numpy(d):  # slices of the arrays, one copy each into a new array
    X, y = d["X"], d["y"]

    def step():
        last = None
        for i in range(0, len(X), W12_BATCH):
            last = (X[i:i + W12_BATCH].copy(), y[i:i + W12_BATCH].copy())
        return [last[0]], {}
    return step


def w12_fasttape(d):
    tf = _tf()
    ds = tf.data.Dataset.from_tensor_slices((d["X"], d["y"])).batch(W12_BATCH)

    def step():
        last = None
        for xb, yb in ds:
            last = xb
        return [last], {}
    return step


def w12_torch(d):  # what a torch program does with in-memory tensors: slices, copied
    torch = _torch()
    X, y = torch.from_numpy(d["X"]), torch.from_numpy(d["y"])

    def step():
        last = None
        for i in range(0, len(X), W12_BATCH):
            last = (X[i:i + W12_BATCH].clone(), y[i:i + W12_BATCH].clone())
        return [last[0]], {}
    return step


class Workload:
    """name, description, data(quick), make_<lib>, the metrics reported and
    how they are normalised, the gradient tolerance and the target."""

    def __init__(self, name, desc, module_prefix, metrics, target, rtol=1e-4, inner=(1, 1),
                 repeats=(15, 5), warmup=(3, 1), reference=None, check=True, memory=False):
        self.name, self.desc = name, desc
        self.prefix = module_prefix
        self.metrics = metrics      # [(phase, label, divisor, unit)]; phase "total" = whole step
        self.target = target        # {label: [(kind, bound)]}; see run.py
        self.rtol = rtol
        self.inner = inner          # calls per timing sample (full, quick)
        self.repeats = repeats      # timing samples (full, quick); the median is reported
        self.warmup = warmup
        self.reference = reference
        self.check = check
        self.memory = memory

    def data(self, quick):
        return globals()[self.prefix + "_data"](quick)

    def maker(self, lib):
        return globals()["%s_%s" % (self.prefix, lib)]


US, MS = ("us", 1e6), ("ms", 1e3)
WORKLOADS = {w.name: w for w in [
    Workload("W1", "5,000 x `y = y*1.0001 + 0.0001` on a 0-d tensor under a tape, then dy/dx", "w1",
             [("forward", "forward us/op", 2 * W1_STEPS, US), ("gradient", "gradient us/record", 2 * W1_STEPS, US)],
             {"forward us/op": [("torch", 0.15)], "gradient us/record": [("torch", 0.15)]},
             rtol=2e-3, repeats=(11, 5)),
    Workload("W2", "tutorial control flow grad(x=2.0, n=6): tape, watch, forward, gradient", "w2",
             [("total", "us/call", None, US)], {"us/call": [("torch", 0.25)]}, inner=(1000, 300)),
    Workload("W3", "MLP step: batch 64, 784-256 tanh-10, softmax xent, 4 grads, SGD", "w3",
             [("total", "ms/step", None, MS)], {"ms/step": [("torch", 0.7)]}, inner=(10, 5), rtol=2e-4),
    Workload("W4", "sum(tanh(x*w + b)**2), n = 4,194,304; grads w, b", "w4",
             [("total", "ms/step", None, MS)], {"ms/step": [("torch", 0.75)]}, repeats=(15, 5)),
    Workload("W5", "sum(A @ B), 1024x1024; grads A, B", "w5",
             [("total", "ms/step", None, MS)], {"ms/step": [("torch", 1.0), ("numpy", 1.05)]}, repeats=(15, 5)),
    Workload("W6a", "d2/dx2 of x**3 by nested tapes", "w6a",
             [("total", "us/call", None, US)], {"us/call": [("torch", 0.2)]}, inner=(1000, 300)),
    Workload("W6b", "HVP of sum(tanh(x)**3) + sum(x[:-1]*x[1:]), n = 100,000, nested tapes", "w6b",
             [("total", "ms/call", None, MS)], {"ms/call": [("torch", 0.75)]}, rtol=1e-3, inner=(10, 5)),
    Workload("W7", "full Jacobian of tanh(W @ x), W 256x256, by tape.jacobian", "w7",
             [("total", "ms/call", None, MS)], {"ms/call": [("torch", 0.15)]}, inner=(10, 5)),
    Workload("W8", "python -c 'import <lib>' wall time", "w8",
             [("import", "import ms", None, MS)], {"import ms": [("numpy+ms", 25.0)]},
             repeats=(1, 1), warmup=(0, 0), check=False),
    # W9 warms up with two calls: the first calls of every library fault in
    # fresh pages for its 800 MB of saved values (fasttape: 330, 240, 170,
    # then 120 ms) until malloc's heap has grown to hold them.
    Workload("W9", "x of 1,048,576 watched; 200 x y = sin(y)*1.01; grad of sum(y)", "w9",
             [("total", "ms/step", None, MS), ("peak_rss", "peak RSS MiB", None, ("MiB", 2.0 ** -20))],
             {"ms/step": [("torch", 0.7)], "peak RSS MiB": [("saved", 1.1)]},
             rtol=1e-3, repeats=(3, 1), warmup=(2, 2), reference=w9_reference, memory=True),
    Workload("W10", "small CNN step: 32x28x28x1, conv3x3x32-relu-maxpool2, conv3x3x64-relu-maxpool2, dense 10, "
             "softmax xent, SGD", "w10", [("total", "ms/step", None, MS)], {"ms/step": [("torch", 1.0)]},
             inner=(5, 2), repeats=(11, 5), rtol=1e-4),
    # W11 checks the variable after the first step against Keras's formulas
    # in float64 (bench/bench_optim.py adds the bandwidth and a 16M row).
    Workload("W11", "Adam step (apply_gradients) on 1,000,000 float32 parameters", "w11",
             [("total", "ms/step", None, MS)], {"ms/step": [("torch", 1.0)]}, inner=(20, 5), repeats=(15, 5)),
    Workload("W12", "Dataset.from_tensor_slices((X[60000x784], y)).batch(10000): one epoch", "w12",
             [("total", "ms/epoch", None, MS)], {"ms/epoch": [("numpy", 1.1)]}, repeats=(11, 5)),
]}


# ============================================================ the harness (child side)
def _to_numpy(g):
    if g is None:
        return None
    if hasattr(g, "detach"):  # torch
        g = g.detach()
    return np.asarray(g, dtype=np.float64)


def _rel_errors(grads, ref):
    """Normwise relative error of each gradient (inf if missing or misshapen)."""
    errs = []
    for g, r in zip(grads, ref):
        g = _to_numpy(g)
        if g is None or g.shape != np.shape(r):
            errs.append(float("inf"))
            continue
        errs.append(float(np.linalg.norm((g - r).ravel()) / max(np.linalg.norm(np.ravel(r)), 1e-300)))
    if len(grads) != len(ref):
        errs.append(float("inf"))
    return errs


def _as_float64(d):
    return {k: (np.asarray(v, np.float64) if np.asarray(v).dtype == np.float32 else v) for k, v in d.items()}


def _status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def _reset_peak_rss():
    """Resets VmHWM to the current RSS (Linux >= 4.0); False if unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measure(lib, wl, quick):
    """Runs one workload with one library; returns the result dict."""
    q = 1 if quick else 0
    d = wl.data(quick)
    out = {"lib": lib, "workload": wl.name, "quick": quick, "metrics": {}, "check": None}
    try:
        step = wl.maker(lib)(d)
    except NotAvailable as e:
        out["unavailable"] = str(e)
        return out
    except ModuleNotFoundError as e:
        if e.name != lib:  # a missing optional peer (torch not installed); a broken build is an error
            raise
        out["unavailable"] = "%s is not installed" % lib
        return out

    # First call: its gradients are checked (and for W9 its peak memory measured).
    if wl.memory:
        reset_ok = _reset_peak_rss()
        base = _status_kib("VmRSS")
        if not reset_ok:
            base = max(base, _status_kib("VmHWM"))
        t0 = time.perf_counter()
        grads, _ = step()
        first = time.perf_counter() - t0
        peak = _status_kib("VmHWM")
        out["memory"] = {"peak_increase_bytes": (peak - base) * 1024, "baseline_bytes": base * 1024,
                         "saved_bytes": w9_saved_bytes(d), "hwm_reset": reset_ok, "first_call_s": first}
    else:
        grads, _ = step()
    if wl.check:
        d64 = _as_float64(d)
        ref = wl.reference(d64) if wl.reference else wl.maker("numpy")(d64)()[0]
        errs = _rel_errors(grads, [np.asarray(r, np.float64) for r in ref])
        out["check"] = {"ok": all(e <= wl.rtol for e in errs), "rel_err": max(errs), "rtol": wl.rtol}
        # The reference ran numpy's BLAS, whose worker threads keep spinning
        # for about 0.1 s after a call: timed now, the library under test
        # would share the second core with them (W3 measured 0.62 ms per step
        # instead of 0.25). Let them go idle first.
        time.sleep(0.3)
    del grads

    for _ in range(wl.warmup[q]):
        for _ in range(wl.inner[q]):
            step()
    samples = []
    for _ in range(wl.repeats[q]):
        phases = {}
        t0 = time.perf_counter()
        for _ in range(wl.inner[q]):
            _, ph = step()
            for k, v in ph.items():
                phases[k] = phases.get(k, 0.0) + v
        phases["total"] = time.perf_counter() - t0
        samples.append(phases)
    for phase, label, divisor, (unit, scale) in wl.metrics:
        if phase == "peak_rss":
            value = out["memory"]["peak_increase_bytes"]
            out["metrics"][label] = {"value": value * scale, "unit": unit, "samples": 1}
            continue
        per = divisor or wl.inner[q]
        vals = [s[phase] / per for s in samples]
        out["metrics"][label] = {"value": statistics.median(vals) * scale, "unit": unit,
                                 "min": min(vals) * scale, "samples": len(vals)}
    return out


def environment(lib):
    """What the row ran on: versions, threads, SIMD."""
    env = {"python": sys.version.split()[0], "numpy": np.__version__}
    if lib == "fasttape":
        tf = _tf()
        core = tf._core
        env.update(fasttape=tf.__version__, isa=core.simd_isa(), threads=core.num_threads())
    elif lib == "torch":
        torch = _torch()
        env.update(torch=torch.__version__, threads=torch.get_num_threads())
    return env


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lib", choices=LIBS, required=True)
    ap.add_argument("--workload", choices=sorted(WORKLOADS), required=True)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    wl = WORKLOADS[args.workload]
    try:
        out = measure(args.lib, wl, args.quick)
        if "unavailable" not in out and wl.name != "W8":
            out["env"] = environment(args.lib)
    except Exception as e:  # reported as an error row, not a crash of the whole run
        out = {"lib": args.lib, "workload": wl.name, "error": "%s: %s" % (type(e).__name__, e)}
    sys.stdout.flush()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
