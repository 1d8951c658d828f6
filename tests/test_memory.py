"""Memory behaviour, measured in bytes (never in time): what a tape keeps
alive, what the reverse sweep frees, and that steady-state training loops
reuse their big buffers instead of mapping fresh memory every step."""
import numpy as np

import fasttape as tf

N = 1 << 20  # 4 MiB of float32 per tensor: above the big-buffer threshold
MB4 = N * 4


def _stats(reset=False):
    return tf._core._big_buffer_stats(reset)


def test_chain_saves_only_what_vjps_read_and_sweep_frees_it():
    # y = sin(y) * 1.01, 30 times: the tape must keep the 30 inputs of sin
    # and nothing else (the product saves only the constant 1.01).
    steps = 30
    x = tf.constant(np.linspace(-1, 1, N, dtype=np.float32))
    base = _stats(reset=True)["live_bytes"]
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = x
        for _ in range(steps):
            y = tf.sin(y) * 1.01
        loss = tf.reduce_sum(y)
    after_forward = _stats()["live_bytes"] - base
    saved = steps * MB4  # the inputs of sin (the first is x itself, counted in base)
    # Live now: the saved inputs (less x) plus the last y.
    assert after_forward <= saved + MB4, (after_forward, saved)
    g = tape.gradient(loss, x)
    peak = _stats()["peak_bytes"] - base
    assert peak <= 1.1 * saved, (peak, saved)
    del y, loss
    # After the sweep only the gradient is left.
    assert _stats()["live_bytes"] - base <= MB4
    # And the result is right: d/dx of the chain is prod(1.01 * cos(y_i)).
    yv = np.linspace(-1, 1, N, dtype=np.float64)
    d = np.ones_like(yv)
    for _ in range(steps):
        d *= 1.01 * np.cos(yv)
        yv = np.sin(yv) * 1.01
    np.testing.assert_allclose(g.numpy(), d, rtol=2e-4, atol=1e-6)


def test_training_steps_reuse_big_buffers_without_gc():
    rng = np.random.default_rng(0)
    x, w, b = (tf.constant(rng.standard_normal(N, dtype=np.float32)) for _ in range(3))

    def step():
        with tf.GradientTape() as tape:
            tape.watch([w, b])
            loss = tf.reduce_sum(tf.tanh(x * w + b) ** 2)
        return tape.gradient(loss, [w, b])

    for _ in range(3):
        step()
    before = _stats()
    for _ in range(5):
        step()
    after = _stats()
    if not tf._core._plain_malloc:  # (a sanitizer build has no cache to reuse from)
        assert after["fresh"] == before["fresh"], "steady-state steps mapped fresh memory"
        assert after["reused"] > before["reused"]
    assert after["live_bytes"] <= before["live_bytes"]


def test_non_persistent_tape_releases_saved_values_after_gradient():
    x = tf.constant(np.ones(N, np.float32))
    base = _stats()["live_bytes"]
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.exp(tf.sin(x)))
    held = _stats()["live_bytes"] - base
    # sin saves its input (x itself, not new); exp saves its output only, so
    # sin's output is already gone: one new buffer is held.
    assert MB4 <= held <= MB4 + 4096
    g = tape.gradient(y, x)
    assert _stats()["live_bytes"] - base <= MB4  # just the gradient
    del g
