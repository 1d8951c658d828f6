"""The fused optimizer step against PyTorch and the machine's bandwidth.

Times, in one process, one Adam step (`apply_gradients`) over N float32
parameters (default one million, one variable) with fasttape's fused C++
pass, against `torch.optim.Adam(foreach=True)` on the same sizes when
PyTorch is installed, and numpy doing the same update op by op. The bytes an
Adam step must move are 7 N * 4 (read gradient, variable and both moments;
write variable and moments); the machine's streaming bandwidth is measured
in the same run as the best of STREAM's copy and triad done by numpy on
large arrays, on one thread and split over every core. Prints median times, GB/s and the
two targets: ft/torch <= 1 and bandwidth >= 70% of streaming.

    python bench/bench_optim.py [--n 1000000] [--repeats 41]
"""
import argparse
import os
import platform
import statistics
import threading
import time

import numpy as np

import fasttape as tf


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def median_time(fn, repeats, inner=5):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        ts.append((time.perf_counter() - t0) / inner)
    return statistics.median(ts)


def stream_bandwidth(repeats):
    """STREAM's copy (a = b, 2 arrays' bytes) and triad (a = b + s*c as two
    numpy passes, 5 arrays' bytes) over 32M floats (128 MiB per array;
    numpy releases the GIL), each on one thread and split over every core:
    the best GB/s of the four."""
    n = 1 << 25
    b = np.ones(n, np.float32)
    c = np.ones(n, np.float32)
    a = np.empty(n, np.float32)
    tmp = np.empty(n, np.float32)

    def triad(lo, hi):
        np.multiply(c[lo:hi], np.float32(0.5), out=tmp[lo:hi])
        np.add(b[lo:hi], tmp[lo:hi], out=a[lo:hi])

    def copy(lo, hi):
        np.copyto(a[lo:hi], b[lo:hi])

    best = 0.0
    cores = os.cpu_count() or 1
    for kernel, bytes_moved in ((copy, 2 * 4 * n), (triad, 5 * 4 * n)):
        for nt in sorted({1, cores}):
            bounds = [n * i // nt for i in range(nt + 1)]

            def run():
                ths = [threading.Thread(target=kernel, args=(bounds[i], bounds[i + 1])) for i in range(nt)]
                for t in ths:
                    t.start()
                for t in ths:
                    t.join()

            t = median_time(run, max(3, repeats // 4), inner=1)
            best = max(best, bytes_moved / t / 1e9)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, nargs="+", default=[1_000_000, 16_000_000],
                    help="parameter counts (the second default, 16M, is far beyond any cache)")
    ap.add_argument("--repeats", type=int, default=21)
    args = ap.parse_args()
    bw = stream_bandwidth(args.repeats)
    print("CPU: %s, %d cores; fasttape threads %d" % (cpu_model(), os.cpu_count() or 1, tf._core.num_threads()))
    print("streaming bandwidth (numpy copy and triad, best of 1 and all threads): %.1f GB/s" % bw)
    for n in args.n:
        bench_size(n, bw, args.repeats if n <= 4_000_000 else max(5, args.repeats // 4))


def bench_size(n, bw, repeats):
    class args:
        pass
    args.repeats = repeats
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=n).astype(np.float32)
    g0 = rng.normal(size=n).astype(np.float32)

    var = tf.Variable(x0)
    grad = tf.constant(g0)
    opt = tf.keras.optimizers.Adam(1e-3)
    pairs = [(grad, var)]
    t_ft = median_time(lambda: opt.apply_gradients(pairs), args.repeats)

    # numpy, op by op (the no-fusion floor of an unfused implementation).
    xn, mn, vn = x0.copy(), np.zeros(n, np.float32), np.zeros(n, np.float32)
    tmp = np.empty(n, np.float32)
    step = [0]

    def np_adam():
        step[0] += 1
        t = step[0]
        alpha = np.float32(1e-3 * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t))
        np.subtract(g0, mn, out=tmp)
        np.multiply(tmp, np.float32(0.1), out=tmp)
        np.add(mn, tmp, out=mn)
        np.multiply(g0, g0, out=tmp)
        np.subtract(tmp, vn, out=tmp)
        np.multiply(tmp, np.float32(0.001), out=tmp)
        np.add(vn, tmp, out=vn)
        np.sqrt(vn, out=tmp)
        np.add(tmp, np.float32(1e-7), out=tmp)
        np.divide(mn, tmp, out=tmp)
        np.multiply(tmp, alpha, out=tmp)
        np.subtract(xn, tmp, out=xn)

    t_np = median_time(np_adam, args.repeats)

    t_torch = None
    try:
        import torch
        p = torch.nn.Parameter(torch.from_numpy(x0.copy()))
        p.grad = torch.from_numpy(g0.copy())
        topt = torch.optim.Adam([p], lr=1e-3, foreach=True)
        t_torch = median_time(topt.step, args.repeats)
        torch_threads = torch.get_num_threads()
    except ImportError:
        torch_threads = None

    moved = 7 * 4 * n
    print()
    print("fused Adam step, %d float32 parameters (%s)" % (
        n, "torch not installed" if torch_threads is None else "torch threads %d" % torch_threads))
    print("%-28s %10s %10s" % ("", "ms/step", "GB/s"))
    for label, t in (("fasttape apply_gradients", t_ft), ("numpy, op by op", t_np), ("torch Adam(foreach=True)", t_torch)):
        if t is not None:
            print("%-28s %10.3f %10.1f" % (label, t * 1e3, moved / t / 1e9))
    ratio_bw = moved / t_ft / 1e9 / bw
    print("ft / numpy: %.2f" % (t_ft / t_np))
    if t_torch is not None:
        r = t_ft / t_torch
        print("ft / torch: %.2f   target <= 1.0   %s" % (r, "met" if r <= 1.0 else "MISSED"))
    print("ft bandwidth / streaming: %.0f%%   target >= 70%%   %s" % (100 * ratio_bw,
                                                                       "met" if ratio_bw >= 0.7 else "MISSED"))


if __name__ == "__main__":
    main()
