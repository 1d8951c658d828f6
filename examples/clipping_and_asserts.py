"""Linear regression with gradient clipping, runtime checks and tf.print.

The train step checks its inputs' shapes (``tf.debugging.assert_shapes``) and
that the loss is finite (``tf.debugging.assert_all_finite``), clips the
gradients to a global norm of ``CLIP_NORM`` (``tf.clip_by_global_norm``) and
takes a Nesterov-momentum SGD step whose learning rate decays exponentially.
Every ``PRINT_EVERY`` steps it prints, with ``tf.print``, the loss, the global
gradient norm before clipping and the learning rate. At the end the checks
reject a batch of the wrong shape and a batch holding a NaN.
"""
import sys

import numpy as np

import fasttape as tf

N, STEPS, PRINT_EVERY, CLIP_NORM = 64, 60, 10, 1.0
TRUE_W, TRUE_B = np.array([[2.0], [-3.0], [0.5]]), 1.0

rng = np.random.default_rng(0)
x_np = rng.normal(size=(N, 3)).astype(np.float32)
y_np = (x_np @ TRUE_W + TRUE_B + 0.1 * rng.normal(size=(N, 1))).astype(np.float32)

w = tf.Variable(tf.zeros([3, 1]), name="w")
b = tf.Variable(tf.zeros([1]), name="b")
schedule = tf.keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=0.05, decay_steps=20, decay_rate=0.5)
optimizer = tf.keras.optimizers.SGD(learning_rate=schedule, momentum=0.9,
                                    nesterov=True)
mse = tf.keras.losses.MeanSquaredError()


@tf.function
def train_step(x, y):
    tf.debugging.assert_shapes([(x, ("N", 3)), (y, ("N", 1)), (w, (3, 1))])
    step = optimizer.iterations
    with tf.GradientTape() as tape:
        loss = tf.debugging.assert_all_finite(mse(y, tf.matmul(x, w) + b),
                                              "the loss is not finite")
    grads = tape.gradient(loss, [w, b])
    clipped, norm = tf.clip_by_global_norm(grads, CLIP_NORM)
    if step % PRINT_EVERY == 0:
        tf.print("step", step, "loss", loss, "grad norm", norm,
                 "lr", schedule(step), output_stream=sys.stdout)
    optimizer.apply_gradients(zip(clipped, [w, b]))
    return loss


def main():
    x, y = tf.constant(x_np), tf.constant(y_np)
    for _ in range(STEPS):
        loss = train_step(x, y)
    print(f"final loss {float(loss):.6f}")
    print("w", np.round(w.numpy().ravel(), 3), "b", np.round(b.numpy(), 3))
    try:
        train_step(x[:, :2], y)
    except ValueError:
        print("a batch with 2 features: ValueError")
    x_nan = x_np.copy()
    x_nan[0, 0] = np.nan
    try:
        train_step(tf.constant(x_nan), y)
    except tf.errors.InvalidArgumentError:
        print("a batch holding a NaN: InvalidArgumentError")


if __name__ == "__main__":
    main()
