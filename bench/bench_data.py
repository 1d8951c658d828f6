"""fasttape.data batching throughput against numpy doing the same copies.

Times, in one process, iterating ``Dataset.from_tensor_slices((X, y)).batch(B)``
(X: 60,000 x 784 float32) against numpy slicing plus ``fasttape.constant`` of
the same batches, and the shuffled pipeline against ``np.take`` with a
permutation. Prints median times, GB/s (bytes of the batches made) and the
ratio fasttape / numpy.

    python bench/bench_data.py
"""
import platform
import time

import numpy as np

import fasttape as tf

N, D, B = 60000, 784, 10000
REPEATS = 9


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def median_times(*fns):
    """Median wall time of each function, the runs interleaved so that
    machine noise falls on all of them alike."""
    for fn in fns:
        fn()  # warm up
    times = [[] for _ in fns]
    for _ in range(REPEATS):
        for fn, out in zip(fns, times):
            t0 = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t0)
    return [float(np.median(t)) for t in times]


def main():
    print("CPU: %s" % cpu_model())
    print("fasttape threads: %d, numpy %s" % (tf._core.num_threads(), np.__version__))
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, D), dtype=np.float32)
    y = rng.integers(0, 10, N).astype(np.int64)
    nbytes = X.nbytes + y.nbytes
    print("X %s float32, y %s int64, batch %d: %.0f MB per epoch\n" % (X.shape, y.shape, B, nbytes / 1e6))

    ds = tf.data.Dataset.from_tensor_slices((X, y))

    def ft_plain():
        for xb, yb in ds.batch(B):
            pass

    def np_plain():
        for i in range(0, N, B):
            xb, yb = tf.constant(X[i:i + B]), tf.constant(y[i:i + B])

    shuffled = ds.shuffle(N, seed=1).batch(B)

    def ft_shuffled():
        for xb, yb in shuffled:
            pass

    def np_shuffled():
        perm = rng.permutation(N)
        for i in range(0, N, B):
            idx = perm[i:i + B]
            xb, yb = tf.constant(np.take(X, idx, axis=0)), tf.constant(np.take(y, idx, axis=0))

    print("%-34s %10s %8s %10s %8s %8s" % ("epoch (6 batches of 10,000)", "fasttape", "GB/s", "numpy", "GB/s", "ft/np"))
    for label, ft, ref in (("from_tensor_slices.batch", ft_plain, np_plain),
                           ("from_tensor_slices.shuffle.batch", ft_shuffled, np_shuffled)):
        t_ft, t_np = median_times(ft, ref)
        print("%-34s %8.1f ms %8.2f %8.1f ms %8.2f %8.2f"
              % (label, t_ft * 1e3, nbytes / t_ft / 1e9, t_np * 1e3, nbytes / t_np / 1e9, t_ft / t_np))


if __name__ == "__main__":
    main()
