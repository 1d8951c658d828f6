"""``fasttape.nn``: TensorFlow's neural-network namespace."""

from ._core import relu, sigmoid, tanh  # noqa: F401
from ._nn_ops import (elu, gelu, l2_loss, leaky_relu, log_softmax, relu6,  # noqa: F401
                      sigmoid_cross_entropy_with_logits, softmax, softmax_cross_entropy_with_logits, softplus,
                      sparse_softmax_cross_entropy_with_logits)

__all__ = ["elu", "gelu", "l2_loss", "leaky_relu", "log_softmax", "relu", "relu6", "sigmoid",
           "sigmoid_cross_entropy_with_logits", "softmax", "softmax_cross_entropy_with_logits", "softplus",
           "sparse_softmax_cross_entropy_with_logits", "tanh"]
