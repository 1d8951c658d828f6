"""A custom training loop: tf.Module MLP, tf.data, Adam, a keras loss and
metric, a tf.function train step, and checkpoints restored into a fresh model.

The data (two interleaved spirals) and the initial weights (Glorot-uniform)
are drawn with numpy from a fixed seed, so the program prints the same numbers
with ``import tensorflow as tf`` as with fasttape: seeded random ops such as
``GlorotUniform(seed=...)`` or ``Dataset.shuffle(seed=...)`` draw different
numbers in each library. The fresh model is built with ``GlorotUniform``; the
restore overwrites its weights.
"""
import tempfile

import numpy as np

import fasttape as tf

SEED, N, BATCH, EPOCHS, HIDDEN = 0, 256, 32, 10, 32


def make_spirals(rng):
    t = np.sqrt(rng.uniform(size=N)) * 2.0 * np.pi          # radius ~ angle
    y = np.arange(N) % 2
    arm = np.stack([t * np.cos(t + np.pi * y), t * np.sin(t + np.pi * y)], 1)
    x = arm / (2.0 * np.pi) + rng.normal(scale=0.02, size=(N, 2))
    return x.astype(np.float32), y.astype(np.int32)


def numpy_glorot(rng):
    def init(shape, dtype=None):
        limit = np.sqrt(6.0 / sum(shape))
        return rng.uniform(-limit, limit, size=shape).astype(np.float32)
    return init


class Dense(tf.Module):
    def __init__(self, n_in, n_out, init, activation=None, name=None):
        super().__init__(name=name)
        self.w = tf.Variable(init((n_in, n_out), dtype=tf.float32), name="w")
        self.b = tf.Variable(tf.zeros([n_out]), name="b")
        self.activation = activation or tf.identity

    def __call__(self, x):
        return self.activation(tf.matmul(x, self.w) + self.b)


class MLP(tf.Module):
    def __init__(self, init, name=None):
        super().__init__(name=name)
        self.hidden = Dense(2, HIDDEN, init, tf.tanh, name="hidden")
        self.out = Dense(HIDDEN, 2, init, name="out")

    def __call__(self, x):
        return self.out(self.hidden(x))


loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)


def make_train_step(model, optimizer, accuracy):
    @tf.function
    def train_step(x, y):
        with tf.GradientTape() as tape:
            logits = model(x)
            loss = loss_fn(y, logits)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        accuracy.update_state(y, logits)
        return loss
    return train_step


def main():
    rng = np.random.default_rng(SEED)
    x, y = make_spirals(rng)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH)
    model = MLP(numpy_glorot(rng), name="mlp")
    optimizer = tf.keras.optimizers.Adam(learning_rate=0.05)
    accuracy = tf.keras.metrics.SparseCategoricalAccuracy()
    train_step = make_train_step(model, optimizer, accuracy)
    with tempfile.TemporaryDirectory() as ckpt_dir:
        ckpt = tf.train.Checkpoint(model=model, optimizer=optimizer)
        manager = tf.train.CheckpointManager(ckpt, ckpt_dir, max_to_keep=2)
        for epoch in range(EPOCHS):
            accuracy.reset_state()
            losses = [float(train_step(xb, yb)) for xb, yb in dataset]
            manager.save()
            print(f"epoch {epoch}  loss {np.mean(losses):.5f}  "
                  f"accuracy {float(accuracy.result()):.4f}")
        saved_loss = float(loss_fn(y, model(x)))

        # A fresh model and optimizer (other initial weights, Adam built with
        # zero moments) take every value from the latest checkpoint.
        fresh = MLP(tf.keras.initializers.GlorotUniform(seed=1), name="mlp")
        fresh_opt = tf.keras.optimizers.Adam(learning_rate=0.05)
        fresh_opt.build(fresh.trainable_variables)
        status = tf.train.Checkpoint(model=fresh, optimizer=fresh_opt).restore(
            manager.latest_checkpoint)
        status.assert_consumed()
        restored_loss = float(loss_fn(y, fresh(x)))
        print(f"saved loss {saved_loss:.5f}  restored loss {restored_loss:.5f}"
              f"  identical {restored_loss == saved_loss}"
              f"  checkpoints kept {len(manager.checkpoints)}")
        # One more step on each: the same loss after it, since the Adam
        # moments and step count came back too.
        fresh_step = make_train_step(fresh, fresh_opt, accuracy)
        xb, yb = next(iter(dataset))
        train_step(xb, yb)
        fresh_step(xb, yb)
        after = [float(loss_fn(y, m(x))) for m in (model, fresh)]
        print(f"after one more step  loss {after[0]:.5f}  restored "
              f"{after[1]:.5f}  identical {after[0] == after[1]}")


if __name__ == "__main__":
    main()
