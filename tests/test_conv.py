"""nn.conv2d / conv1d / conv2d_transpose / convolution: TensorFlow's
arguments, output sizes and errors, checked against direct numpy loops
(tests/gradcases_nn.py holds the gradient cases)."""
import numpy as np
import pytest

import fasttape as tf
from conv_refs import np_conv2d as _np_conv2d
from conv_refs import np_pool as _np_pool_ref


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape)


@pytest.mark.parametrize("padding,strides,dilations,want_hw", [
    ("VALID", 1, 1, (5, 6)), ("SAME", 1, 1, (7, 8)), ("SAME", 2, 1, (4, 4)), ("VALID", 2, 1, (3, 3)),
    ("SAME", 1, 2, (7, 8)), ("VALID", [1, 2], [2, 1], (3, 3)), ("SAME", [1, 3, 2, 1], None, (3, 4))])
def test_conv2d_output_sizes_and_values(padding, strides, dilations, want_hw):
    x, w = _rand(2, 7, 8, 3), _rand(3, 3, 3, 4, seed=1)
    y = tf.nn.conv2d(tf.constant(x), tf.constant(w), strides, padding, dilations=dilations)
    assert y.shape[1:3] == want_hw and y.shape[3] == 4 and y.dtype == tf.float64
    s = tf._conv_ops._pair(strides, "strides", "t", "NHWC")
    d = tf._conv_ops._pair(dilations, "dilations", "t", "NHWC")
    pads = tf._conv_ops._pads("t", padding, (7, 8), (3, 3), s, d, "NHWC")
    np.testing.assert_allclose(y.numpy(), _np_conv2d(x, w, s, pads, d), rtol=1e-12, atol=1e-12)


def test_same_padding_puts_the_extra_row_at_the_bottom():
    # TensorFlow: pad_total = 1 for a 2x2 filter at stride 1 -> 0 before, 1 after.
    x = np.arange(9.0).reshape(1, 3, 3, 1)
    y = tf.nn.conv2d(x, np.ones((2, 2, 1, 1)), 1, "SAME").numpy()[0, :, :, 0]
    np.testing.assert_array_equal(y, [[8, 12, 7], [20, 24, 13], [13, 15, 8]])


def test_float32_against_float64_and_big_batches():
    x, w = _rand(40, 12, 12, 5), _rand(3, 3, 5, 6, seed=2)  # more than one group of images
    y32 = tf.nn.conv2d(tf.constant(x, tf.float32), tf.constant(w, tf.float32), 1, "SAME").numpy()
    y64 = tf.nn.conv2d(x, w, 1, "SAME").numpy()
    np.testing.assert_allclose(y32, y64, rtol=1e-4, atol=1e-4)


def test_nchw_conv1d_transpose_and_convolution():
    x, w = _rand(2, 3, 6, 5), _rand(3, 3, 3, 2, seed=3)
    y = tf.nn.conv2d(x, w, 1, "SAME", data_format="NCHW")
    want = tf.transpose(tf.nn.conv2d(np.transpose(x, (0, 2, 3, 1)), w, 1, "SAME"), [0, 3, 1, 2])
    np.testing.assert_allclose(y.numpy(), want.numpy(), rtol=1e-12)
    x1, w1 = _rand(2, 9, 3), _rand(4, 3, 2, seed=4)
    y1 = tf.nn.conv1d(x1, w1, 2, "VALID")
    np.testing.assert_allclose(y1.numpy(), _np_conv2d(x1[:, None], w1[None], (1, 2))[:, 0], rtol=1e-12)
    np.testing.assert_allclose(tf.nn.convolution(x1, w1).numpy(), _np_conv2d(x1[:, None], w1[None])[:, 0],
                               rtol=1e-12)
    # conv2d_transpose is the adjoint of conv2d: <conv(x), g> == <x, conv_t(g)>.
    xs, ws = _rand(1, 5, 5, 2), _rand(3, 3, 2, 3, seed=5)
    g = _rand(1, 3, 3, 3, seed=6)
    lhs = np.sum(tf.nn.conv2d(xs, ws, 2, "SAME").numpy() * g)
    rhs = np.sum(xs * tf.nn.conv2d_transpose(g, ws, [1, 5, 5, 2], 2, "SAME").numpy())
    np.testing.assert_allclose(lhs, rhs, rtol=1e-12)


def test_conv2d_errors_name_the_op_and_shapes():
    x = tf.zeros([1, 4, 4, 3])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"conv2d: input depth .* 3 channels, the filter 2"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 2, 1]), 1, "VALID")
    with pytest.raises(tf.errors.InvalidArgumentError, match="smaller than the dilated filter"):
        tf.nn.conv2d(x, tf.zeros([5, 5, 3, 1]), 1, "VALID")
    with pytest.raises(ValueError, match="batch and depth dimensions must be 1"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 1]), [2, 1, 1, 1], "VALID")
    with pytest.raises(ValueError, match="padding must be"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 1]), 1, "FULL")
    with pytest.raises(ValueError, match="data_format"):
        tf.nn.conv2d(x, tf.zeros([3, 3, 3, 1]), 1, "SAME", data_format="NWHC")
    with pytest.raises(tf.errors.InvalidArgumentError, match="float32 or float64"):
        tf.nn.conv2d(tf.zeros([1, 4, 4, 3], tf.int32), tf.zeros([3, 3, 3, 1], tf.int32), 1, "SAME")
    with pytest.raises(ValueError, match="rank 3, 4 or 5"):
        tf.nn.convolution(tf.zeros([1, 2, 2, 2, 1, 1]), tf.zeros([1, 1, 1, 1, 1, 1]))


def test_small_cnn_step_trains():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(8, 8, 8, 1)), tf.float32)
    labels = tf.constant(rng.integers(0, 3, size=8))
    k1 = tf.Variable(rng.normal(scale=0.3, size=(3, 3, 1, 4)).astype(np.float32))
    k2 = tf.Variable(rng.normal(scale=0.3, size=(4 * 4 * 4, 3)).astype(np.float32))
    opt = tf.keras.optimizers.SGD(0.1)
    losses = []
    for _ in range(30):
        with tf.GradientTape() as tape:
            h = tf.nn.relu(tf.nn.conv2d(x, k1, 2, "SAME"))
            logits = tf.matmul(tf.reshape(h, [8, -1]), k2)
            loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits))
        opt.apply_gradients(zip(tape.gradient(loss, [k1, k2]), [k1, k2]))
        losses.append(float(loss))
    assert losses[-1] < 0.5 * losses[0]


def test_jacobians_through_convolutions_match_row_by_row_gradients():
    # tape.jacobian sweeps a batch of cotangents: the conv VJPs fold it into
    # the image axis (inputs) or take it per row (filters).
    x = tf.constant(_rand(2, 4, 4, 2))
    w = tf.constant(_rand(3, 3, 2, 2, seed=7))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch([x, w])
        y = tf.nn.conv2d(x, w, 2, "SAME")
        z = tf.nn.conv2d_transpose(y * y, w, [2, 4, 4, 2], 2, "SAME")
    for target in (y, z):
        jx, jw = tape.jacobian(target, [x, w])
        flat = tf.reshape(target, [-1])
        n = int(np.prod(target.shape))
        for i in [0, n // 2, n - 1]:
            with tf.GradientTape(persistent=True) as t2:
                t2.watch([x, w])
                yy = tf.nn.conv2d(x, w, 2, "SAME")
                tt = yy if target is y else tf.nn.conv2d_transpose(yy * yy, w, [2, 4, 4, 2], 2, "SAME")
                ti = tf.reshape(tt, [-1])[i]
            gx, gw = t2.gradient(ti, [x, w])
            np.testing.assert_allclose(tf.reshape(jx, [n] + list(x.shape))[i].numpy(), gx.numpy(), rtol=1e-10,
                                       atol=1e-12)
            np.testing.assert_allclose(tf.reshape(jw, [n] + list(w.shape))[i].numpy(), gw.numpy(), rtol=1e-10,
                                       atol=1e-12)
        assert flat.shape == (n,)


def _np_pool(x, k, s, pads, kind):
    return _np_pool_ref(x, k, s, pads, kind)


@pytest.mark.parametrize("kind", ["MAX", "AVG"])
@pytest.mark.parametrize("ksize,strides,padding", [(2, 2, "VALID"), (3, 2, "SAME"), ([2, 3], [1, 2], "SAME"),
                                                   (3, 1, "VALID")])
def test_pooling_values(kind, ksize, strides, padding):
    x = _rand(2, 7, 6, 3)
    fn = tf.nn.max_pool2d if kind == "MAX" else tf.nn.avg_pool2d
    y = fn(x, ksize, strides, padding)
    k = tf._conv_ops._pair(ksize, "ksize", "t", "NHWC")
    s = tf._conv_ops._pair(strides, "strides", "t", "NHWC")
    pads = tf._conv_ops._pads("t", padding, (7, 6), k, s, [1, 1], "NHWC")
    np.testing.assert_allclose(y.numpy(), _np_pool(x, k, s, pads, kind), rtol=1e-12)


def test_same_average_pooling_counts_only_real_pixels():
    # TensorFlow: the 3x3 SAME window at a corner of a 5x5 image has 4 pixels.
    x = np.arange(100.0, dtype=np.float32).reshape(2, 5, 5, 2) % 7
    y = tf.nn.avg_pool2d(x, 3, 2, "SAME").numpy()
    assert y[0, 0, 0, 0] == np.float32(np.mean(x[0, :2, :2, 0]))
    # Recorded from TensorFlow 2.21 (sums divided by the count, float32).
    np.testing.assert_array_equal(y.ravel()[:12], np.float32([2.5, 3.5, 3.1666667, 3.0, 3.25, 2.5, 3.5, 3.3333333,
                                                              3.0, 3.2222223, 2.5, 3.5]))


def test_max_pool_gradient_goes_to_the_first_maximum_and_pool_forms():
    x = tf.constant([[[[1.0], [3.0]], [[3.0], [2.0]]]])
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.reduce_sum(tf.nn.max_pool2d(x, 2, 2, "VALID"))
    np.testing.assert_array_equal(tape.gradient(y, x).numpy().ravel(), [0, 1, 0, 0])
    z = _rand(2, 3, 6)
    np.testing.assert_allclose(tf.nn.max_pool1d(z, 2, 2, "VALID").numpy(),
                               np.maximum(z[:, 0:1], z[:, 1:2]), rtol=1e-12)
    np.testing.assert_allclose(tf.nn.avg_pool(z, 3, 3, "VALID").numpy(),
                               (z[:, 0:3:3] + z[:, 1:3:3] + z[:, 2:3:3]) / 3, rtol=1e-12)
    assert tf.nn.pool(_rand(2, 5, 5, 2), [2, 2], "AVG", strides=[2, 2], padding="SAME").shape == (2, 3, 3, 2)
    assert tf.nn.max_pool(_rand(1, 4, 4, 2), 2, 2, "VALID", data_format="NCHW").shape == (1, 4, 2, 1)


def test_pooling_errors():
    with pytest.raises(tf.errors.InvalidArgumentError, match="smaller than the window"):
        tf.nn.max_pool2d(tf.zeros([1, 2, 2, 1]), 3, 1, "VALID")
    with pytest.raises(ValueError, match="pooling_type"):
        tf.nn.pool(tf.zeros([1, 4, 4, 1]), [2, 2], "MIN")
    with pytest.raises(ValueError, match="4-D"):
        tf.nn.max_pool2d(tf.zeros([4, 4, 1]), 2, 2, "VALID")


def test_pooling_jacobians_match_row_by_row_gradients():
    x = tf.constant(np.random.default_rng(3).permutation(2 * 4 * 4 * 2).reshape(2, 4, 4, 2).astype(np.float64))
    for pool in (lambda t: tf.nn.max_pool2d(t, 2, 2, "VALID"), lambda t: tf.nn.avg_pool2d(t, 3, 1, "SAME")):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = pool(x * x)
        jac = tape.jacobian(y, x)
        n = int(np.prod(y.shape))
        flat_jac = tf.reshape(jac, [n] + list(x.shape)).numpy()
        for i in range(0, n, 5):
            with tf.GradientTape() as t2:
                t2.watch(x)
                yi = tf.reshape(pool(x * x), [-1])[i]
            np.testing.assert_allclose(flat_jac[i], t2.gradient(yi, x).numpy(), rtol=1e-12, atol=1e-12)


def test_depthwise_and_separable_convolutions():
    from ft_testutil import central_diff_grad
    x, w = _rand(2, 5, 6, 3), _rand(3, 3, 3, 2, seed=8)
    y = tf.nn.depthwise_conv2d(x, w, [1, 2, 2, 1], "SAME").numpy()
    pads = tf._conv_ops._pads("t", "SAME", (5, 6), (3, 3), [2, 2], [1, 1], "NHWC")
    for c in range(3):
        for m in range(2):
            want = _np_conv2d(x[..., c:c + 1], w[:, :, c:c + 1, m:m + 1], (2, 2), pads)[..., 0]
            np.testing.assert_allclose(y[..., c * 2 + m], want, rtol=1e-12)
    pw = _rand(1, 1, 6, 4, seed=9)
    z = tf.nn.separable_conv2d(x, w, pw, [1, 1, 1, 1], "VALID").numpy()
    dw = tf.nn.depthwise_conv2d(x, w, 1, "VALID").numpy()
    np.testing.assert_allclose(z, np.einsum("nhwc,co->nhwo", dw, pw[0, 0]), rtol=1e-12)

    def f(xs):
        return float(tf.reduce_sum(tf.nn.depthwise_conv2d(xs[0], xs[1], 1, "SAME") ** 2))

    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        loss = tf.reduce_sum(tf.nn.depthwise_conv2d(xt, wt, 1, "SAME") ** 2)
    gx, gw = tape.gradient(loss, [xt, wt])
    want_x, want_w = central_diff_grad(f, [x, w], 1e-6)
    np.testing.assert_allclose(gx.numpy(), want_x, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(gw.numpy(), want_w, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="equal strides"):
        tf.nn.depthwise_conv2d(x, w, [1, 1, 2, 1], "SAME")


def _np_conv3d(x, w, s, pads):
    xp = np.pad(x, ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (pads[4], pads[5]), (0, 0)))
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[:3], axis=(1, 2, 3))[:, ::s[0], ::s[1], ::s[2]]
    return np.einsum("ndhwcabe,abeco->ndhwo", win, w)


def _np_pool3d(x, k, s, pads, kind):
    xp = np.pad(x, ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (pads[4], pads[5]), (0, 0)),
                constant_values=np.nan)
    win = np.lib.stride_tricks.sliding_window_view(xp, k, axis=(1, 2, 3))[:, ::s[0], ::s[1], ::s[2]]
    return np.nanmax(win, axis=(5, 6, 7)) if kind == "MAX" else np.nanmean(win, axis=(5, 6, 7))


@pytest.mark.parametrize("padding,strides", [("SAME", [1, 1, 1]), ("VALID", [2, 1, 2]), ("SAME", [2, 2, 1])])
def test_conv3d_and_pool3d_values(padding, strides):
    x, w = _rand(2, 5, 6, 4, 3), _rand(3, 2, 3, 3, 2, seed=10)
    pads = tf._conv_ops._pads("t", padding, (5, 6, 4), (3, 2, 3), strides, [1, 1, 1], "NDHWC")
    np.testing.assert_allclose(tf.nn.conv3d(x, w, [1] + strides + [1], padding).numpy(),
                               _np_conv3d(x, w, strides, pads), rtol=1e-12, atol=1e-12)
    k = (2, 3, 2)
    pk = tf._conv_ops._pads("t", padding, (5, 6, 4), k, strides, [1, 1, 1], "NDHWC")
    for kind, fn in (("MAX", tf.nn.max_pool3d), ("AVG", tf.nn.avg_pool3d)):
        np.testing.assert_allclose(fn(x, [1, *k, 1], [1] + strides + [1], padding).numpy(),
                                   _np_pool3d(x, k, strides, pk, kind), rtol=1e-12)


def test_conv3d_gradient_and_argmax_and_conv1d_transpose():
    from ft_testutil import central_diff_grad
    x, w = _rand(1, 4, 3, 3, 2), _rand(2, 2, 2, 2, 2, seed=11)
    xt, wt = tf.constant(x), tf.constant(w)
    with tf.GradientTape() as tape:
        tape.watch([xt, wt])
        loss = tf.reduce_sum(tf.nn.conv3d(xt, wt, [1, 2, 1, 1, 1], "SAME") ** 2)
    gx, gw = tape.gradient(loss, [xt, wt])
    want = central_diff_grad(lambda v: float(tf.reduce_sum(tf.nn.conv3d(v[0], v[1], [1, 2, 1, 1, 1], "SAME") ** 2)),
                             [x, w], 1e-6)
    np.testing.assert_allclose(gx.numpy(), want[0], rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(gw.numpy(), want[1], rtol=1e-6, atol=1e-6)
    x2 = _rand(2, 5, 4, 3, seed=12)
    y, idx = tf.nn.max_pool_with_argmax(x2, 2, 2, "SAME", include_batch_in_index=True)
    assert idx.dtype == tf.int64
    np.testing.assert_array_equal(x2.ravel()[idx.numpy()], y.numpy())
    g, w1 = _rand(2, 4, 3, seed=13), _rand(3, 5, 3, seed=14)
    yt = tf.nn.conv1d_transpose(g, w1, [2, 8, 5], 2, "SAME")
    # The adjoint of conv1d: <conv1d(z), g> == <z, conv1d_transpose(g)>.
    z = _rand(2, 8, 5, seed=15)
    np.testing.assert_allclose(np.sum(tf.nn.conv1d(z, w1, 2, "SAME").numpy() * g), np.sum(z * yt.numpy()),
                               rtol=1e-12)
