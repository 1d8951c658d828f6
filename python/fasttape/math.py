"""``fasttape.math``: TensorFlow's math namespace."""

from ._core import (abs, add, cos, divide, equal, exp, floordiv, floormod, greater, greater_equal, less,  # noqa: F401
                    less_equal, log, logical_and, logical_not, logical_or, maximum, minimum, multiply, negative,
                    not_equal, pow, reduce_mean, reduce_sum, sigmoid, sign, sin, sqrt, square, subtract, tanh)
from ._core import (erf, expm1, log1p, reciprocal, reduce_std, reduce_variance, rsqrt,  # noqa: F401
                    squared_difference)
from ._math_ops import (add_n, argmax, argmin, cumsum, floor, reduce_logsumexp, reduce_max, reduce_min,  # noqa: F401
                        reduce_prod, round)
from ._nn_ops import l2_normalize, log_softmax, softmax, softplus  # noqa: F401
from ._ops import cast  # noqa: F401

truediv = divide
floor_div = floordiv
mod = floormod

__all__ = ["abs", "add", "cast", "cos", "divide", "equal", "exp", "floordiv", "floor_div", "floormod", "mod",
           "greater", "greater_equal", "less", "less_equal", "log", "logical_and", "logical_not", "logical_or",
           "maximum", "minimum", "multiply", "negative", "not_equal", "pow", "reduce_mean", "reduce_sum",
           "sigmoid", "sign", "sin", "sqrt", "square", "subtract", "tanh", "truediv",
           # math group
           "add_n", "argmax", "argmin", "cumsum", "erf", "expm1", "floor", "log1p", "reciprocal",
           "reduce_logsumexp", "reduce_max", "reduce_min", "reduce_prod", "reduce_std", "reduce_variance",
           "round", "rsqrt", "squared_difference",
           # also in fasttape.nn, as in TensorFlow
           "l2_normalize", "log_softmax", "softmax", "softplus"]
