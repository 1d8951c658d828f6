"""``fasttape.nn``: TensorFlow's neural-network namespace."""

from ._nn_ops import (bias_add, gelu, l2_loss, l2_normalize, leaky_relu, log_softmax,  # noqa: F401
                      selu, sigmoid_cross_entropy_with_logits, silu, softmax, softmax_cross_entropy_with_logits,
                      softplus, sparse_softmax_cross_entropy_with_logits, swish)
from ._registry import export as _export

__all__ = ["bias_add", "gelu", "l2_loss", "l2_normalize", "leaky_relu", "log_softmax",
           "selu", "sigmoid_cross_entropy_with_logits", "silu", "softmax",
           "softmax_cross_entropy_with_logits", "softplus", "sparse_softmax_cross_entropy_with_logits", "swish",
           ] + _export(globals(), "nn")  # the elementwise op entries
