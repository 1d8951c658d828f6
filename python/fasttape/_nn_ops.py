"""Python-level wrappers of the nn op group: the activations, softmaxes and
losses are C++ op-table entries bound in ``_core`` (cpp/src/ops/nn_ops.cpp
and unary_ops.cpp); gelu, silu, selu, bias_add and l2_normalize are written
here.

``MATH_NAMES`` lists the names TensorFlow also exposes in ``tf.math``
(softplus, softmax, log_softmax); the ``fasttape.math`` namespace imports
them from here.
"""

from . import _core
from . import errors as _errors
from ._core import (elu, l2_loss, leaky_relu, log_softmax, sigmoid_cross_entropy_with_logits,  # noqa: F401
                    softmax, softmax_cross_entropy_with_logits, softplus,
                    sparse_softmax_cross_entropy_with_logits)
from ._core import gelu as _gelu
from ._tensor import convert_to_tensor as _convert

__all__ = []  # nothing at the top level

# Names TensorFlow exports in tf.math as well as tf.nn.
MATH_NAMES = ["softplus", "softmax", "log_softmax", "l2_normalize"]


def gelu(features, approximate=False, name=None):
    """Gaussian error linear unit, as ``tf.nn.gelu``: ``x * P(X <= x)`` with
    X ~ N(0, 1) (exact, via erf), or its tanh approximation."""
    return _gelu(features, approximate=bool(approximate), name=name)


def silu(features, beta=1.0, name=None):
    """``features * sigmoid(beta * features)``, as ``tf.nn.silu`` (alias
    ``tf.nn.swish``). A composite: its gradient comes from multiply/sigmoid."""
    x = _convert(features)
    if beta == 1.0:
        return _core.multiply(x, _core.sigmoid(x))
    return _core.multiply(x, _core.sigmoid(_core.multiply(x, beta)))


swish = silu

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(features, name=None):
    """Scaled ELU, as ``tf.nn.selu``: ``scale * (x if x >= 0 else alpha *
    expm1(x))``; its gradient at 0 is ``scale`` (TensorFlow's SeluGrad)."""
    x = _convert(features)
    neg = _core.multiply(elu(x), _SELU_ALPHA)
    return _core.multiply(_core.where(_core.less(x, 0.0), neg, x), _SELU_SCALE)


def bias_add(value, bias, data_format=None, name=None):
    """``value + bias`` with a 1-D bias on the channel dimension (the last
    one, or dimension 1 for data_format 'NC...'), as ``tf.nn.bias_add``."""
    v = _convert(value)
    b = _convert(bias, dtype_hint=v.dtype)
    if len(b._shape) != 1:
        raise ValueError("bias_add: bias must be 1-D, got shape %s" % (list(b._shape),))
    if len(v._shape) < 2:
        raise ValueError("bias_add: value must have rank >= 2, got shape %s" % (list(v._shape),))
    nchw = data_format is not None and data_format.startswith("NC")
    c = v._shape[1] if nchw else v._shape[-1]
    if b._shape[0] != c:
        raise _errors.InvalidArgumentError(
            None, None, "bias_add: bias of shape %s must match the channel dimension %d of value's shape %s"
            % (list(b._shape), c, list(v._shape)))
    if nchw:
        b = _core.reshape(b, [c] + [1] * (len(v._shape) - 2))
    return _core.add(v, b)


def l2_normalize(x, axis=None, epsilon=1e-12, name=None, dim=None):
    """``x / sqrt(max(sum(x**2, axis), epsilon))``, as ``tf.math.l2_normalize``."""
    if dim is not None:
        axis = dim
    x = _convert(x)
    sq = _core.reduce_sum(_core.square(x), axis, keepdims=True)
    return _core.divide(x, _core.sqrt(_core.maximum(sq, epsilon)))
