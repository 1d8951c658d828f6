"""numpy references for convolution and pooling (direct window loops),
shared by the gradcheck table (gradcases_nn.py) and tests/test_conv.py."""
import numpy as np


def np_conv2d(x, w, strides=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1)):
    xp = np.pad(x, ((0, 0), (pads[0], pads[1]), (pads[2], pads[3]), (0, 0)))
    n, h, wd, c = xp.shape
    kh, kw, _, o = w.shape
    ho = (h - (kh - 1) * dil[0] - 1) // strides[0] + 1
    wo = (wd - (kw - 1) * dil[1] - 1) // strides[1] + 1
    y = np.zeros((n, ho, wo, o))
    for a in range(kh):
        for b in range(kw):
            patch = xp[:, a * dil[0]: a * dil[0] + (ho - 1) * strides[0] + 1: strides[0],
                       b * dil[1]: b * dil[1] + (wo - 1) * strides[1] + 1: strides[1], :]
            y += np.einsum("nhwc,co->nhwo", patch, w[a, b])
    return y


def np_pool(x, k, s, pads, kind):
    n, h, w, c = x.shape
    ho = (h + pads[0] + pads[1] - k[0]) // s[0] + 1
    wo = (w + pads[2] + pads[3] - k[1]) // s[1] + 1
    y = np.zeros((n, ho, wo, c))
    for i in range(ho):
        for j in range(wo):
            h0, w0 = i * s[0] - pads[0], j * s[1] - pads[2]
            win = x[:, max(h0, 0):min(h0 + k[0], h), max(w0, 0):min(w0 + k[1], w), :]
            y[:, i, j, :] = win.max(axis=(1, 2)) if kind == "MAX" else win.mean(axis=(1, 2))
    return y
