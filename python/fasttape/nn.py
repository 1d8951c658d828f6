"""``fasttape.nn``: TensorFlow's neural-network namespace."""

from ._array_extra import depth_to_space, space_to_depth  # noqa: F401
from ._conv_ops import (avg_pool, avg_pool1d, avg_pool2d, avg_pool3d, conv1d, conv1d_transpose,  # noqa: F401
                        conv2d, conv2d_transpose, conv3d, convolution, depthwise_conv2d, max_pool, max_pool1d,
                        max_pool2d, max_pool3d, max_pool_with_argmax, pool, separable_conv2d)
from ._nn_extra import (batch_normalization, crelu, dropout, embedding_lookup, fused_batch_norm,  # noqa: F401
                        in_top_k, log_poisson_loss, log_sigmoid, moments, softsign, top_k,
                        weighted_cross_entropy_with_logits)
from ._nn_ops import (bias_add, gelu, l2_loss, l2_normalize, leaky_relu, log_softmax,  # noqa: F401
                      selu, sigmoid_cross_entropy_with_logits, silu, softmax, softmax_cross_entropy_with_logits,
                      softplus, sparse_softmax_cross_entropy_with_logits, swish)
from ._registry import export as _export

__all__ = [
    # convolution and pooling (_conv_ops)
    "avg_pool", "avg_pool1d", "avg_pool2d", "avg_pool3d", "conv1d", "conv1d_transpose", "conv2d",
    "conv2d_transpose", "conv3d", "convolution", "depthwise_conv2d", "max_pool", "max_pool1d", "max_pool2d",
    "max_pool3d", "max_pool_with_argmax", "pool", "separable_conv2d", "depth_to_space", "space_to_depth",
    # activations and losses (_nn_ops)
    "bias_add", "gelu", "l2_loss", "l2_normalize", "leaky_relu", "log_softmax", "selu",
    "sigmoid_cross_entropy_with_logits", "silu", "softmax", "softmax_cross_entropy_with_logits", "softplus",
    "sparse_softmax_cross_entropy_with_logits", "swish",
    # normalisation, dropout, lookups and the rest (_nn_extra)
    "batch_normalization", "crelu", "dropout", "embedding_lookup", "fused_batch_norm", "in_top_k",
    "log_poisson_loss", "log_sigmoid", "moments", "softsign", "top_k", "weighted_cross_entropy_with_logits",
] + _export(globals(), "nn")  # the elementwise op entries
