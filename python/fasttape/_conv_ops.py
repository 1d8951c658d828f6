"""Convolutions and pooling with TensorFlow's arguments: ``nn.conv2d``,
``nn.conv2d_transpose``, ``nn.conv1d``, ``nn.convolution``,
``nn.max_pool2d`` / ``avg_pool2d`` (and their 1-D and any-rank forms,
``nn.pool``).

The C++ ops (cpp/src/ops/conv_ops.cpp, pool_ops.cpp) take an NHWC input, an HWIO filter
and explicit paddings; this module turns TensorFlow's ``strides``,
``padding`` ('SAME', 'VALID' or explicit pairs), ``dilations`` and
``data_format`` into those, transposing NCHW data to NHWC and back."""

import numpy as np

from . import _core
from ._tensor import convert_to_tensor

__all__ = ["avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d", "conv1d", "conv1d_transpose", "conv2d",
           "conv2d_transpose", "conv3d", "convolution", "depthwise_conv2d", "max_pool", "max_pool1d", "max_pool2d",
           "max_pool3d", "max_pool_with_argmax", "pool", "separable_conv2d"]


def _pair(value, name, op, data_format, spatial=2):
    """TensorFlow's int / 1-, N- or (N+2)-element list for the spatial dims."""
    if value is None:
        return [1] * spatial
    if isinstance(value, int) or (hasattr(value, "__index__") and not hasattr(value, "__len__")):
        return [int(value)] * spatial
    v = [int(s) for s in value]
    if len(v) == 1:
        return v * spatial
    if len(v) == spatial:
        return v
    if len(v) == spatial + 2:
        channels_last = not data_format.startswith("NC")
        outer = [v[0], v[-1]] if channels_last else [v[0], v[1]]
        if outer != [1, 1]:
            raise ValueError("%s: %s in the batch and depth dimensions must be 1, got %s" % (op, name, v))
        return v[1:-1] if channels_last else v[2:]
    raise ValueError("%s: %s must be an int or a list of 1, %d or %d ints, got %s"
                     % (op, name, spatial, spatial + 2, v))


def _pads(op, padding, in_sizes, k_sizes, strides, dilations, data_format):
    """[top, bottom, left, right] (or [left, right] for one spatial dim)."""
    spatial = len(in_sizes)
    if isinstance(padding, str):
        mode = padding.upper()
        if mode == "VALID":
            return [0] * (2 * spatial)
        if mode == "SAME":
            out = []
            for n, k, s, d in zip(in_sizes, k_sizes, strides, dilations):
                o = -(-n // s)
                total = max((o - 1) * s + (k - 1) * d + 1 - n, 0)
                out += [total // 2, total - total // 2]
            return out
        raise ValueError("%s: padding must be 'SAME', 'VALID' or a list of pairs, got %r" % (op, padding))
    pairs = [[int(a) for a in p] for p in padding]
    if len(pairs) != spatial + 2 or any(len(p) != 2 for p in pairs):
        raise ValueError("%s: explicit padding must be %d pairs (one per dimension), got %s"
                         % (op, spatial + 2, padding))
    channels_last = not data_format.startswith("NC")
    outer = [pairs[0], pairs[-1]] if channels_last else [pairs[0], pairs[1]]
    if outer != [[0, 0], [0, 0]]:
        raise ValueError("%s: explicit padding of the batch and depth dimensions must be 0, got %s" % (op, padding))
    inner = pairs[1:-1] if channels_last else pairs[2:]
    return [a for p in inner for a in p]


def _check_format(op, data_format, allowed):
    if data_format not in allowed:
        raise ValueError("%s: data_format must be one of %s, got %r" % (op, allowed, data_format))


def conv2d(input, filters, strides, padding, data_format="NHWC", dilations=None, name=None):  # noqa: A002
    """2-D convolution (cross-correlation, as TensorFlow's): ``input``
    [N, H, W, C] (or [N, C, H, W] with data_format 'NCHW'), ``filters``
    [KH, KW, C, O]; gradients to any order."""
    _check_format("conv2d", data_format, ("NHWC", "NCHW"))
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    if len(x._shape) != 4 or len(w._shape) != 4:
        raise ValueError("conv2d: input and filters must be 4-D, got shapes %s and %s"
                         % (list(x._shape), list(w._shape)))
    nchw = data_format == "NCHW"
    if nchw:
        x = _core.transpose(x, [0, 2, 3, 1])
    s = _pair(strides, "strides", "conv2d", data_format)
    d = _pair(dilations, "dilations", "conv2d", data_format)
    pads = _pads("conv2d", padding, x._shape[1:3], w._shape[0:2], s, d, data_format)
    y = _core.conv2d(x, w, s, d, pads)
    return _core.transpose(y, [0, 3, 1, 2]) if nchw else y


def conv2d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NHWC",  # noqa: A002
                     dilations=None, name=None):
    """The transpose (gradient) of conv2d: ``input`` [N, H, W, O] to
    ``output_shape`` [N, Ho, Wo, C] with ``filters`` [KH, KW, C, O]."""
    _check_format("conv2d_transpose", data_format, ("NHWC", "NCHW"))
    g = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=g.dtype)
    out = [int(v) for v in (output_shape.numpy() if hasattr(output_shape, "numpy") else output_shape)]
    if len(out) != 4:
        raise ValueError("conv2d_transpose: output_shape must have 4 elements, got %s" % (out,))
    nchw = data_format == "NCHW"
    if nchw:
        g = _core.transpose(g, [0, 2, 3, 1])
        out = [out[0], out[2], out[3], out[1]]
    s = _pair(strides, "strides", "conv2d_transpose", data_format)
    d = _pair(dilations, "dilations", "conv2d_transpose", data_format)
    pads = _pads("conv2d_transpose", padding, out[1:3], w._shape[0:2], s, d, data_format)
    y = _core.conv2d_backprop_input(out, w, g, s, d, pads)
    return _core.transpose(y, [0, 3, 1, 2]) if nchw else y


def conv1d(input, filters, stride, padding, data_format="NWC", dilations=None, name=None):  # noqa: A002
    """1-D convolution: ``input`` [N, W, C] (or [N, C, W] with 'NCW'),
    ``filters`` [KW, C, O]; computed as a conv2d over one row."""
    _check_format("conv1d", data_format, ("NWC", "NCW"))
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    if len(x._shape) != 3 or len(w._shape) != 3:
        raise ValueError("conv1d: input and filters must be 3-D, got shapes %s and %s"
                         % (list(x._shape), list(w._shape)))
    if data_format == "NCW":
        x = _core.transpose(x, [0, 2, 1])
    s = _pair(stride, "stride", "conv1d", data_format, spatial=1)
    d = _pair(dilations, "dilations", "conv1d", data_format, spatial=1)
    pads = _pads("conv1d", padding, x._shape[1:2], w._shape[0:1], s, d, data_format)
    x4 = _core.reshape(x, [x._shape[0], 1, x._shape[1], x._shape[2]])
    w4 = _core.reshape(w, [1] + list(w._shape))
    y = _core.conv2d(x4, w4, [1, s[0]], [1, d[0]], [0, 0] + pads)
    y = _core.reshape(y, [y._shape[0], y._shape[2], y._shape[3]])
    return _core.transpose(y, [0, 2, 1]) if data_format == "NCW" else y


def convolution(input, filters, strides=None, padding="VALID", data_format=None, dilations=None,  # noqa: A002
                name=None):
    """``conv1d``, ``conv2d`` or ``conv3d`` by the input's rank (3, 4 or 5),
    as ``tf.nn.convolution``."""
    x = convert_to_tensor(input)
    rank = len(x._shape)
    if rank == 3:
        return conv1d(x, filters, 1 if strides is None else strides, padding,
                      "NWC" if data_format in (None, "NWC") else data_format, dilations)
    if rank == 4:
        return conv2d(x, filters, 1 if strides is None else strides, padding,
                      "NHWC" if data_format in (None, "NHWC") else data_format, dilations)
    if rank == 5:
        return conv3d(x, filters, 1 if strides is None else strides, padding,
                      "NDHWC" if data_format in (None, "NDHWC") else data_format, dilations)
    raise ValueError("convolution: fasttape convolves 1-D, 2-D and 3-D data (inputs of rank 3, 4 or 5); got an "
                     "input of shape %s" % (list(x._shape),))


def _pool2d(kind, input, ksize, strides, padding, data_format, op):  # noqa: A002
    _check_format(op, data_format, ("NHWC", "NCHW"))
    x = convert_to_tensor(input)
    if len(x._shape) != 4:
        raise ValueError("%s: input must be 4-D, got shape %s" % (op, list(x._shape)))
    nchw = data_format == "NCHW"
    if nchw:
        x = _core.transpose(x, [0, 2, 3, 1])
    k = _pair(ksize, "ksize", op, data_format)
    s = _pair(strides, "strides", op, data_format)
    pads = _pads(op, padding, x._shape[1:3], k, s, [1, 1], data_format)
    y = (_core.max_pool2d if kind == "MAX" else _core.avg_pool2d)(x, k, s, pads)
    return _core.transpose(y, [0, 3, 1, 2]) if nchw else y


def max_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D max pooling of ``input`` [N, H, W, C] (or NCHW); padding never wins."""
    return _pool2d("MAX", input, ksize, strides, padding, data_format, "max_pool2d")


def avg_pool2d(input, ksize, strides, padding, data_format="NHWC", name=None):  # noqa: A002
    """2-D average pooling; padded positions are not counted in the average."""
    return _pool2d("AVG", input, ksize, strides, padding, data_format, "avg_pool2d")


def _pool1d(kind, input, ksize, strides, padding, data_format, op):  # noqa: A002
    _check_format(op, data_format, ("NWC", "NCW"))
    x = convert_to_tensor(input)
    if len(x._shape) != 3:
        raise ValueError("%s: input must be 3-D, got shape %s" % (op, list(x._shape)))
    if data_format == "NCW":
        x = _core.transpose(x, [0, 2, 1])
    k = _pair(ksize, "ksize", op, data_format, spatial=1)
    s = _pair(strides, "strides", op, data_format, spatial=1)
    pads = _pads(op, padding, x._shape[1:2], k, s, [1], data_format)
    x4 = _core.reshape(x, [x._shape[0], 1, x._shape[1], x._shape[2]])
    y = (_core.max_pool2d if kind == "MAX" else _core.avg_pool2d)(x4, [1, k[0]], [1, s[0]], [0, 0] + pads)
    y = _core.reshape(y, [y._shape[0], y._shape[2], y._shape[3]])
    return _core.transpose(y, [0, 2, 1]) if data_format == "NCW" else y


def max_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D max pooling of ``input`` [N, W, C] (or NCW)."""
    return _pool1d("MAX", input, ksize, strides, padding, data_format, "max_pool1d")


def avg_pool1d(input, ksize, strides, padding, data_format="NWC", name=None):  # noqa: A002
    """1-D average pooling of ``input`` [N, W, C] (or NCW)."""
    return _pool1d("AVG", input, ksize, strides, padding, data_format, "avg_pool1d")


def _pool_any(kind, input, ksize, strides, padding, data_format, op):  # noqa: A002
    rank = len(convert_to_tensor(input)._shape)
    if rank == 3:
        return _pool1d(kind, input, ksize, strides, padding, data_format or "NWC", op)
    if rank == 4:
        return _pool2d(kind, input, ksize, strides, padding, data_format or "NHWC", op)
    if rank == 5:
        return _pool3d(kind, input, ksize, strides, padding, data_format or "NDHWC", op)
    raise ValueError("%s: fasttape pools 1-D, 2-D and 3-D data (inputs of rank 3, 4 or 5); got rank %d"
                     % (op, rank))


def max_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Max pooling of a rank-3 or rank-4 input (``max_pool1d`` / ``max_pool2d``)."""
    return _pool_any("MAX", input, ksize, strides, padding, data_format, "max_pool")


def avg_pool(input, ksize, strides, padding, data_format=None, name=None):  # noqa: A002
    """Average pooling of a rank-3 or rank-4 input (``avg_pool1d`` / ``avg_pool2d``)."""
    return _pool_any("AVG", input, ksize, strides, padding, data_format, "avg_pool")


def pool(input, window_shape, pooling_type, strides=None, padding="VALID", data_format=None,  # noqa: A002
         dilations=None, name=None):
    """``tf.nn.pool``: 'MAX' or 'AVG' pooling with window ``window_shape``
    (dilations of 1 only)."""
    if pooling_type not in ("MAX", "AVG"):
        raise ValueError("pool: pooling_type must be 'MAX' or 'AVG', got %r" % (pooling_type,))
    if dilations is not None and any(int(d) != 1 for d in (dilations if hasattr(dilations, "__len__")
                                                            else [dilations])):
        raise ValueError("pool: fasttape pools with dilations of 1 only, got %s" % (dilations,))
    return _pool_any(pooling_type, input, window_shape, 1 if strides is None else strides, padding, data_format,
                     "pool")


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None, name=None):  # noqa: A002
    """Each input channel convolved with its own ``channel_multiplier``
    filters: ``filter`` [KH, KW, C, M] gives C*M output channels (channel
    c*M + m from input channel c), as ``tf.nn.depthwise_conv2d``. Computed
    as one conv2d per input channel, so its gradients are conv2d's."""
    data_format = data_format or "NHWC"
    _check_format("depthwise_conv2d", data_format, ("NHWC", "NCHW"))
    x = convert_to_tensor(input)
    w = convert_to_tensor(filter, dtype_hint=x.dtype)
    if len(x._shape) != 4 or len(w._shape) != 4:
        raise ValueError("depthwise_conv2d: input and filter must be 4-D, got shapes %s and %s"
                         % (list(x._shape), list(w._shape)))
    nchw = data_format == "NCHW"
    if nchw:
        x = _core.transpose(x, [0, 2, 3, 1])
    c = x._shape[3]
    if w._shape[2] != c:
        raise ValueError("depthwise_conv2d: the filter's input depth %d must equal the input's %d channels "
                         "(input shape %s, filter shape %s)" % (w._shape[2], c, list(x._shape), list(w._shape)))
    s = _pair(strides, "strides", "depthwise_conv2d", data_format)
    if s[0] != s[1]:
        raise ValueError("depthwise_conv2d: TensorFlow requires equal strides in height and width, got %s" % (s,))
    d = _pair(dilations, "dilations", "depthwise_conv2d", data_format)
    pads = _pads("depthwise_conv2d", padding, x._shape[1:3], w._shape[0:2], s, d, data_format)
    outs = []
    for ch in range(c):
        xc = x[:, :, :, ch:ch + 1]
        wc = w[:, :, ch:ch + 1, :]
        outs.append(_core.conv2d(xc, wc, s, d, pads))
    y = _core.concat(outs, 3) if len(outs) > 1 else outs[0]
    return _core.transpose(y, [0, 3, 1, 2]) if nchw else y


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding, data_format=None,  # noqa: A002
                     dilations=None, name=None):
    """A depthwise convolution followed by a 1x1 convolution mixing the
    channels (``pointwise_filter`` [1, 1, C*M, O]), as ``tf.nn.separable_conv2d``."""
    data_format = data_format or "NHWC"
    h = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format, dilations)
    pw = convert_to_tensor(pointwise_filter, dtype_hint=h.dtype)
    if len(pw._shape) != 4 or pw._shape[0] != 1 or pw._shape[1] != 1:
        raise ValueError("separable_conv2d: pointwise_filter must be [1, 1, in_channels, out_channels], got %s"
                         % (list(pw._shape),))
    return conv2d(h, pw, 1, "VALID", data_format)


def conv1d_transpose(input, filters, output_shape, strides, padding="SAME", data_format="NWC",  # noqa: A002
                     dilations=None, name=None):
    """The transpose of conv1d: ``input`` [N, W, O] to ``output_shape``
    [N, Wo, C] with ``filters`` [KW, C, O]."""
    _check_format("conv1d_transpose", data_format, ("NWC", "NCW"))
    g = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype_hint=g.dtype)
    out = [int(v) for v in (output_shape.numpy() if hasattr(output_shape, "numpy") else output_shape)]
    if len(out) != 3 or len(g._shape) != 3 or len(w._shape) != 3:
        raise ValueError("conv1d_transpose: input, filters and output_shape must be 3-D")
    if data_format == "NCW":
        g = _core.transpose(g, [0, 2, 1])
        out = [out[0], out[2], out[1]]
    s = _pair(strides, "strides", "conv1d_transpose", data_format, spatial=1)
    d = _pair(dilations, "dilations", "conv1d_transpose", data_format, spatial=1)
    pads = _pads("conv1d_transpose", padding, out[1:2], w._shape[0:1], s, d, data_format)
    g4 = _core.reshape(g, [g._shape[0], 1, g._shape[1], g._shape[2]])
    y = _core.conv2d_backprop_input([out[0], 1, out[1], out[2]], _core.reshape(w, [1] + list(w._shape)), g4,
                                    [1, s[0]], [1, d[0]], [0, 0] + pads)
    y = _core.reshape(y, [out[0], out[1], out[2]])
    return _core.transpose(y, [0, 2, 1]) if data_format == "NCW" else y


def _depth_plan(op, depth, k, s, d, lo, hi):
    """For each output depth, the (input depth, tap) pairs its window reads
    inside the input (lo/hi: the depth padding before and after)."""
    out = (depth + lo + hi - ((k - 1) * d + 1)) // s + 1
    if out < 1:
        raise ValueError("%s: the input depth %d (plus padding %d) is smaller than the window %d"
                         % (op, depth, lo + hi, (k - 1) * d + 1))
    return [[(i * s - lo + a * d, a) for a in range(k) if 0 <= i * s - lo + a * d < depth] for i in range(out)]


def _ncdhw_in(x, data_format):
    return _core.transpose(x, [0, 2, 3, 4, 1]) if data_format == "NCDHW" else x


def _ncdhw_out(y, data_format):
    return _core.transpose(y, [0, 4, 1, 2, 3]) if data_format == "NCDHW" else y


def conv3d(input, filters, strides, padding, data_format="NDHWC", dilations=None, name=None):  # noqa: A002
    """3-D convolution of ``input`` [N, D, H, W, C] with ``filters`` [KD, KH,
    KW, C, O], as a sum of 2-D convolutions over the depth taps (gradients
    are conv2d's)."""
    _check_format("conv3d", data_format, ("NDHWC", "NCDHW"))
    x = _ncdhw_in(convert_to_tensor(input), data_format)
    w = convert_to_tensor(filters, dtype_hint=x.dtype)
    if len(x._shape) != 5 or len(w._shape) != 5:
        raise ValueError("conv3d: input and filters must be 5-D, got shapes %s and %s"
                         % (list(x._shape), list(w._shape)))
    s = _pair(strides, "strides", "conv3d", data_format, spatial=3)
    d = _pair(dilations, "dilations", "conv3d", data_format, spatial=3)
    pads = _pads("conv3d", padding, x._shape[1:4], w._shape[0:3], s, d, data_format)
    plan = _depth_plan("conv3d", x._shape[1], w._shape[0], s[0], d[0], pads[0], pads[1])
    zero = None
    slices = []
    for taps in plan:
        acc = None
        for depth, a in taps:
            term = _core.conv2d(x[:, depth], w[a], s[1:], d[1:], pads[2:])
            acc = term if acc is None else _core.add(acc, term)
        if acc is None:  # a window entirely in the padding
            if zero is None:
                zero = _core.multiply(_core.conv2d(x[:, 0], w[0], s[1:], d[1:], pads[2:]), 0.0)
            acc = zero
        slices.append(acc)
    return _ncdhw_out(_core.stack(slices, 1), data_format)


def _pool3d(kind, input, ksize, strides, padding, data_format, op):  # noqa: A002
    _check_format(op, data_format, ("NDHWC", "NCDHW"))
    x = _ncdhw_in(convert_to_tensor(input), data_format)
    if len(x._shape) != 5:
        raise ValueError("%s: input must be 5-D, got shape %s" % (op, list(x._shape)))
    k = _pair(ksize, "ksize", op, data_format, spatial=3)
    s = _pair(strides, "strides", op, data_format, spatial=3)
    pads3 = _pads(op, padding, x._shape[1:4], k, s, [1, 1, 1], data_format)
    pads = pads3[2:]
    plan = _depth_plan(op, x._shape[1], k[0], s[0], 1, pads3[0], pads3[1])
    pool2d = _core.max_pool2d if kind == "MAX" else _core.avg_pool2d
    slices = []
    for taps in plan:
        parts = [pool2d(x[:, depth], k[1:], s[1:], pads) for depth, _ in taps]
        acc = parts[0]
        for p in parts[1:]:
            acc = _core.maximum(acc, p) if kind == "MAX" else _core.add(acc, p)
        slices.append(acc if kind == "MAX" else _core.multiply(acc, 1.0 / len(parts)))
    return _ncdhw_out(_core.stack(slices, 1), data_format)


def max_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D max pooling of ``input`` [N, D, H, W, C] (2-D pools combined over depth)."""
    return _pool3d("MAX", input, ksize, strides, padding, data_format, "max_pool3d")


def avg_pool3d(input, ksize, strides, padding, data_format="NDHWC", name=None):  # noqa: A002
    """3-D average pooling of ``input`` [N, D, H, W, C]; padding is not counted."""
    return _pool3d("AVG", input, ksize, strides, padding, data_format, "avg_pool3d")


def max_pool_with_argmax(input, ksize, strides, padding, data_format="NHWC", output_dtype=None,  # noqa: A002
                         include_batch_in_index=False, name=None):
    """``(output, argmax)``: max pooling and, for each output, the flat index
    of its input maximum (``(y * W + x) * C + c``, plus ``b * H * W * C``
    with ``include_batch_in_index``); argmax is int64 and not differentiable."""
    if data_format != "NHWC":
        raise ValueError("max_pool_with_argmax: TensorFlow supports data_format='NHWC' only, got %r" % data_format)
    x = convert_to_tensor(input)
    y = max_pool2d(x, ksize, strides, padding)
    k = _pair(ksize, "ksize", "max_pool_with_argmax", "NHWC")
    s = _pair(strides, "strides", "max_pool_with_argmax", "NHWC")
    pads = _pads("max_pool_with_argmax", padding, x._shape[1:3], k, s, [1, 1], "NHWC")
    a = np.asarray(x)
    n, h, w, c = a.shape
    ho, wo = y._shape[1], y._shape[2]
    idx = np.zeros((n, ho, wo, c), np.int64)
    for i in range(ho):
        for j in range(wo):
            h0, w0 = i * s[0] - pads[0], j * s[1] - pads[2]
            hs, ws = slice(max(h0, 0), min(h0 + k[0], h)), slice(max(w0, 0), min(w0 + k[1], w))
            win = a[:, hs, ws, :].reshape(n, -1, c)
            first = win.argmax(axis=1)
            wh = ws.stop - ws.start
            yy, xx = hs.start + first // wh, ws.start + first % wh
            idx[:, i, j, :] = (yy * w + xx) * c + np.arange(c)
    if include_batch_in_index:
        idx += (np.arange(n) * h * w * c)[:, None, None, None]
    return y, _core.from_numpy(idx)
