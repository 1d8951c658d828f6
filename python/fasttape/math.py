"""``fasttape.math``: TensorFlow's math namespace."""

from ._core import (add, divide, equal, floordiv, floormod, greater, greater_equal, less,  # noqa: F401
                    less_equal, logical_and, logical_not, logical_or, maximum, minimum, multiply,
                    not_equal, pow, reduce_mean, reduce_sum, subtract)
from ._core import reduce_std, reduce_variance, squared_difference  # noqa: F401
from ._math_ops import (add_n, argmax, argmin, cumsum, reduce_logsumexp, reduce_max, reduce_min,  # noqa: F401
                        reduce_prod)
from ._registry import export as _export
from ._nn_ops import l2_normalize, log_softmax, softmax, softplus  # noqa: F401
from ._ops import cast  # noqa: F401
from ._segment_ops import (count_nonzero, cumprod, cumulative_logsumexp, polyval, reduce_all,  # noqa: F401
                           reduce_any, reduce_euclidean_norm, segment_max, segment_mean, segment_min,
                           segment_prod, segment_sum, unsorted_segment_max, unsorted_segment_mean,
                           unsorted_segment_min, unsorted_segment_prod, unsorted_segment_sqrt_n,
                           unsorted_segment_sum)
from ._nn_extra import in_top_k, log_sigmoid, top_k  # noqa: F401
from ._array_extra import bincount  # noqa: F401

truediv = divide
floor_div = floordiv
mod = floormod

__all__ = ["add", "cast", "divide", "equal", "floordiv", "floor_div", "floormod", "mod",
           "greater", "greater_equal", "less", "less_equal", "logical_and", "logical_not", "logical_or",
           "maximum", "minimum", "multiply", "not_equal", "pow", "reduce_mean", "reduce_sum",
           "subtract", "truediv",
           # math group
           "add_n", "argmax", "argmin", "cumsum", "reduce_logsumexp", "reduce_max", "reduce_min", "reduce_prod",
           "reduce_std", "reduce_variance", "squared_difference",
           # also in fasttape.nn, as in TensorFlow
           "l2_normalize", "log_softmax", "softmax", "softplus",
           # segment reductions, scans and reductions (_segment_ops)
           "count_nonzero", "cumprod", "cumulative_logsumexp", "polyval", "reduce_all", "reduce_any",
           "reduce_euclidean_norm", "segment_max", "segment_mean", "segment_min", "segment_prod", "segment_sum",
           "unsorted_segment_max", "unsorted_segment_mean", "unsorted_segment_min", "unsorted_segment_prod",
           "unsorted_segment_sqrt_n", "unsorted_segment_sum",
           # also in fasttape.nn / array functions TensorFlow keeps in tf.math
           "in_top_k", "log_sigmoid", "top_k", "bincount",
           ] + _export(globals(), "math")  # the elementwise op entries
