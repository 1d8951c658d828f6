"""Newton's method with exact Hessians from nested GradientTapes.

The inner tape gives the gradient of the Rosenbrock function
f(x, y) = (1 - x)^2 + 100 (y - x^2)^2; the outer tape's ``jacobian`` of that
gradient is the Hessian. Newton's step solves H d = g. From the classic start
(-1.2, 1.0) the iterates reach the minimum (1, 1) in a few steps (float64).
The same iteration then runs again as a ``tf.while_loop`` inside a
``tf.function``, stopping when the gradient vanishes.
"""
import numpy as np

import fasttape as tf

START = [-1.2, 1.0]
MAX_STEPS = 20


def rosenbrock(p):
    return (1.0 - p[0]) ** 2 + 100.0 * (p[1] - p[0] ** 2) ** 2


def gradient_and_hessian(p):
    with tf.GradientTape() as outer:
        outer.watch(p)
        with tf.GradientTape() as inner:
            inner.watch(p)
            f = rosenbrock(p)
        g = inner.gradient(f, p)
    return f, g, outer.jacobian(g, p)


@tf.function
def newton_step(p):
    f, g, h = gradient_and_hessian(p)
    return p - tf.linalg.solve(h, g[:, tf.newaxis])[:, 0], f, g


@tf.function
def minimise(p):
    def keep_going(i, p):
        g = gradient_and_hessian(p)[1]
        return tf.logical_and(i < MAX_STEPS, tf.reduce_max(tf.abs(g)) > 0.0)

    def body(i, p):
        return i + 1, newton_step(p)[0]

    return tf.while_loop(keep_going, body, [tf.constant(0), p])


def main():
    p = tf.constant(START, dtype=tf.float64)
    for step in range(MAX_STEPS):
        new_p, f, g = newton_step(p)
        print(f"step {step}  x {p[0].numpy():.15f}  y {p[1].numpy():.15f}"
              f"  f {f.numpy():.6e}  |g| {tf.norm(g).numpy():.3e}")
        if np.all(new_p.numpy() == p.numpy()):
            break
        p = new_p
    steps, p = minimise(tf.constant(START, dtype=tf.float64))
    print(f"while_loop: {int(steps)} steps  x {p[0].numpy():.15f}"
          f"  y {p[1].numpy():.15f}")


if __name__ == "__main__":
    main()
