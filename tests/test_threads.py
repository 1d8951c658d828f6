"""Intra-op threads: results do not depend on the thread count, the pool
survives fork and concurrent Python threads, and the thread count follows
OMP_NUM_THREADS and fasttape.config.threading."""
import multiprocessing
import os
import subprocess
import sys
import threading

import numpy as np
import pytest

import fasttape as tf

RNG = np.random.default_rng(7)


def _with_threads(n, f):
    tf.config.threading.set_intra_op_parallelism_threads(n)
    try:
        return f()
    finally:
        tf.config.threading.set_intra_op_parallelism_threads(0)


# Shapes on both sides of the threaded GEMM's threshold, with edges that are
# not multiples of the register tiles and K not a multiple of the K blocks.
MATMUL_SHAPES = [(64, 256, 784), (784, 256, 64), (13, 700, 333), (300, 5, 2000), (1, 3000, 1500), (257, 129, 520),
                 (8, 8, 8)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,n,k", MATMUL_SHAPES)
def test_matmul_threads_match_serial_and_numpy(m, n, k, dtype):
    a = RNG.standard_normal((m, k)).astype(dtype)
    b = RNG.standard_normal((k, n)).astype(dtype)
    ref = a.astype(np.float64) @ b.astype(np.float64)
    tol = 1e-4 if dtype == np.float32 else 1e-12
    for ta, tb in [(False, False), (True, False), (False, True), (True, True)]:
        x = tf.constant(a.T.copy() if ta else a)
        y = tf.constant(b.T.copy() if tb else b)
        one = _with_threads(1, lambda: tf.matmul(x, y, transpose_a=ta, transpose_b=tb).numpy())
        two = _with_threads(2, lambda: tf.matmul(x, y, transpose_a=ta, transpose_b=tb).numpy())
        # Same blocking and order of additions for every element: bitwise equal.
        np.testing.assert_array_equal(one, two)
        err = np.abs(two - ref).max() / np.abs(ref).max()
        assert err < tol, (ta, tb, err)


def test_matmul_gradients_threaded_match_serial():
    a = RNG.standard_normal((96, 512)).astype(np.float32)
    b = RNG.standard_normal((512, 300)).astype(np.float32)

    def grads():
        x, y = tf.Variable(a), tf.Variable(b)
        with tf.GradientTape() as tape:
            z = tf.reduce_sum(tf.tanh(tf.matmul(x, y)))
        return [g.numpy() for g in tape.gradient(z, [x, y])]

    one, two = _with_threads(1, grads), _with_threads(2, grads)
    for g1, g2 in zip(one, two):
        np.testing.assert_array_equal(g1, g2)


def test_elementwise_threads_bitwise_and_sums_close():
    x = tf.constant(RNG.uniform(-3, 3, 3_000_001).astype(np.float32))
    w = tf.constant(RNG.uniform(-1, 1, 3_000_001).astype(np.float32))

    def run():
        y = tf.tanh(x * w + 0.5)
        return y.numpy(), tf.reduce_sum(y).numpy(), tf.reduce_max(y).numpy()

    (y1, s1, m1), (y2, s2, m2), (y3, s3, m3) = (_with_threads(n, run) for n in (1, 2, 3))
    np.testing.assert_array_equal(y1, y2)
    np.testing.assert_array_equal(y1, y3)
    # Full reductions add a fixed number of partial sums on any thread count.
    assert s1 == s2 == s3
    ref = np.sum(y1.astype(np.float64))
    assert abs(s1 - ref) <= 1e-5 * np.abs(y1).sum()
    assert m1 == m2 == m3 == y1.max()


def _child_matmul(conn, a, b):
    try:
        r = tf.matmul(tf.constant(a), tf.constant(b)).numpy()
        conn.send(r)
    except BaseException as e:  # reported to the parent
        conn.send(repr(e))
    conn.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_pool_works_in_forked_child():
    a = RNG.standard_normal((400, 300))
    b = RNG.standard_normal((300, 500))
    want = _with_threads(2, lambda: tf.matmul(tf.constant(a), tf.constant(b)).numpy())  # workers now exist
    ctx = multiprocessing.get_context("fork")
    parent, child = ctx.Pipe()
    p = ctx.Process(target=_child_matmul, args=(child, a, b))
    p.start()
    assert parent.poll(60), "forked child did not answer (pool deadlocked after fork?)"
    got = parent.recv()
    p.join(30)
    assert not isinstance(got, str), got
    np.testing.assert_array_equal(got, want)


def test_concurrent_python_threads_share_the_pool():
    a = RNG.standard_normal((300, 700)).astype(np.float32)
    b = RNG.standard_normal((700, 200)).astype(np.float32)
    want = tf.matmul(tf.constant(a), tf.constant(b)).numpy()
    errors = []

    def worker():
        try:
            for _ in range(20):
                got = tf.matmul(tf.constant(a), tf.constant(b)).numpy()
                if not np.array_equal(got, want):
                    errors.append("mismatch")
        except BaseException as e:
            errors.append(repr(e))

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


@pytest.mark.parametrize("env,want", [("1", 1), ("3", 3), ("2,1", 2)])
def test_omp_num_threads_sets_the_default(env, want):
    code = "import fasttape as tf; print(tf.config.threading.get_intra_op_parallelism_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, OMP_NUM_THREADS=env),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == want


def test_default_threads_are_the_usable_cpus():
    code = "import fasttape as tf; print(tf.config.threading.get_intra_op_parallelism_threads())"
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,n,k", [(64, 10, 256), (256, 10, 64), (100, 1, 300), (33, 7, 5), (5000, 3, 40)])
def test_few_column_matmul_is_the_transposed_product_bitwise(m, n, k, dtype):
    # Few columns are computed as (B^T A^T)^T: each element is the same chain
    # of multiply-adds as B^T A^T computed directly, so the bits agree; and
    # the values agree with numpy.
    a = RNG.standard_normal((m, k)).astype(dtype)
    b = RNG.standard_normal((k, n)).astype(dtype)
    for ta in (False, True):
        x = tf.constant(a.T.copy() if ta else a)
        y = tf.constant(b)
        c = tf.matmul(x, y, transpose_a=ta).numpy()
        ct = tf.matmul(y, x, transpose_a=True, transpose_b=not ta).numpy()
        np.testing.assert_array_equal(c, ct.T)
        ref = a.astype(np.float64) @ b.astype(np.float64)
        tol = 1e-5 if dtype == np.float32 else 1e-13
        assert np.abs(c - ref).max() <= tol * np.abs(a).max() * np.abs(b).max() * k


def test_thread_count_is_bounded():
    with pytest.raises(ValueError, match="between 0 .* and 1024"):
        tf.config.threading.set_intra_op_parallelism_threads(100_000)
    with pytest.raises(ValueError):
        tf.config.threading.set_intra_op_parallelism_threads(-1)
    code = "import fasttape as tf; print(tf.config.threading.get_intra_op_parallelism_threads())"
    out = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, OMP_NUM_THREADS="99999"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.strip()) == 1024
