"""Per-op overhead: microseconds per recorded op and per record swept.

A chain of N scalar steps ``y = y * 1.0001 + 0.0001`` (2 ops each) on a 0-d
float32 tensor under a tape, then dy/dx. Prints fasttape's figures beside
numpy's (the same arithmetic with no autodiff, the floor) and PyTorch's
(when installed), measured in this process, and the ratios.

    python bench/bench_overhead.py [--steps 10000] [--repeats 7]
"""
import argparse
import statistics
import time

import numpy as np


def best_of(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def bench_fasttape(steps, repeats):
    import fasttape as tf

    x = tf.constant(1.0)
    fwd, bwd = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = x
            for _ in range(steps):
                y = y * 1.0001 + 0.0001
        t1 = time.perf_counter()
        g = tape.gradient(y, x)
        t2 = time.perf_counter()
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
    expect = 1.0001 ** steps
    assert abs(float(g) - expect) < 1e-3 * expect, (float(g), expect)
    return min(fwd), min(bwd)


def bench_torch(steps, repeats):
    import torch

    torch.set_num_threads(1)
    fwd, bwd = [], []
    for _ in range(repeats):
        x = torch.tensor(1.0, requires_grad=True)
        t0 = time.perf_counter()
        y = x
        for _ in range(steps):
            y = y * 1.0001 + 0.0001
        t1 = time.perf_counter()
        (g,) = torch.autograd.grad(y, x)
        t2 = time.perf_counter()
        fwd.append(t1 - t0)
        bwd.append(t2 - t1)
    return min(fwd), min(bwd)


def bench_numpy(steps, repeats):
    def run():
        y = np.float32(1.0)
        a, b = np.float32(1.0001), np.float32(0.0001)
        for _ in range(steps):
            y = y * a + b
        return y

    return best_of(run, repeats)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--repeats", type=int, default=7)
    args = ap.parse_args()
    n_ops = 2 * args.steps
    us = 1e6 / n_ops

    ft_f, ft_b = bench_fasttape(args.steps, args.repeats)
    np_f = bench_numpy(args.steps, args.repeats)
    print("chain of %d scalar ops (best of %d)" % (n_ops, args.repeats))
    print("%-10s %18s %22s" % ("", "forward us/op", "gradient us/record"))
    print("%-10s %18.3f %22.3f" % ("fasttape", ft_f * us, ft_b * us))
    print("%-10s %18.3f %22s" % ("numpy", np_f * us, "(no autodiff)"))
    try:
        th_f, th_b = bench_torch(args.steps, args.repeats)
    except ImportError:
        print("torch not installed: pip install torch==2.13.0 for the PyTorch column")
        th_f = th_b = None
    if th_f is not None:
        print("%-10s %18.3f %22.3f" % ("torch", th_f * us, th_b * us))
        print("ratio fasttape/torch: forward %.3f, gradient %.3f" % (ft_f / th_f, ft_b / th_b))
    print("ratio fasttape/numpy forward: %.2f" % (ft_f / np_f))


if __name__ == "__main__":
    main()
