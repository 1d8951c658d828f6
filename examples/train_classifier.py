"""Train a small classifier with GradientTape, Variables and plain SGD.

The data are three Gaussian blobs in the plane, generated here with numpy
from a fixed seed. The model is a one-hidden-layer MLP (tanh), the loss is the
mean softmax cross-entropy, and each step applies ``w.assign_sub(lr * g)``.
The program is plain TensorFlow: replace the import below with
``import tensorflow as tf`` and it runs the same way.

Output: the loss every ``PRINT_EVERY`` steps, then the training accuracy.
"""
import numpy as np

import fasttape as tf

SEED = 0
N_PER_CLASS = 100
N_CLASSES = 3
N_HIDDEN = 16
STEPS = 200
LEARNING_RATE = 0.3
PRINT_EVERY = 20


def make_blobs(rng):
    """Three round clusters of std 1 whose centres sit on a circle of radius 2."""
    angles = 2.0 * np.pi * np.arange(N_CLASSES) / N_CLASSES
    centres = 2.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    xs, ys = [], []
    for label, centre in enumerate(centres):
        xs.append(centre + rng.normal(size=(N_PER_CLASS, 2)))
        ys.append(np.full(N_PER_CLASS, label))
    x = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys).astype(np.int32)
    order = rng.permutation(len(y))
    return x[order], y[order]


def main():
    rng = np.random.default_rng(SEED)
    x_np, y_np = make_blobs(rng)
    x = tf.constant(x_np)
    labels = tf.constant(y_np)

    n_in = x_np.shape[1]
    w1 = tf.Variable(rng.normal(scale=1.0 / np.sqrt(n_in),
                                size=(n_in, N_HIDDEN)).astype(np.float32), name='w1')
    b1 = tf.Variable(tf.zeros(N_HIDDEN), name='b1')
    w2 = tf.Variable(rng.normal(scale=1.0 / np.sqrt(N_HIDDEN),
                                size=(N_HIDDEN, N_CLASSES)).astype(np.float32), name='w2')
    b2 = tf.Variable(tf.zeros(N_CLASSES), name='b2')
    params = [w1, b1, w2, b2]

    def model(inputs):
        hidden = tf.tanh(tf.matmul(inputs, w1) + b1)
        return tf.matmul(hidden, w2) + b2   # logits

    for step in range(STEPS + 1):
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=labels, logits=logits))
        if step % PRINT_EVERY == 0:
            print(f"step {step:4d}  loss {float(loss):.4f}")
        if step == STEPS:
            break
        grads = tape.gradient(loss, params)
        for p, g in zip(params, grads):
            p.assign_sub(LEARNING_RATE * g)

    predicted = np.argmax(model(x).numpy(), axis=1)
    accuracy = float(np.mean(predicted == y_np))
    print(f"training accuracy: {accuracy:.4f}")


if __name__ == "__main__":
    main()
