"""``fasttape.math``: TensorFlow's math namespace."""

from ._core import (abs, add, cos, divide, equal, exp, floordiv, floormod, greater, greater_equal, less,  # noqa: F401
                    less_equal, log, logical_and, logical_not, logical_or, maximum, minimum, multiply, negative,
                    not_equal, pow, reduce_mean, reduce_sum, sigmoid, sign, sin, sqrt, square, subtract, tanh)
from ._ops import cast  # noqa: F401

truediv = divide
floor_div = floordiv
mod = floormod

__all__ = ["abs", "add", "cast", "cos", "divide", "equal", "exp", "floordiv", "floor_div", "floormod", "mod",
           "greater", "greater_equal", "less", "less_equal", "log", "logical_and", "logical_not", "logical_or",
           "maximum", "minimum", "multiply", "negative", "not_equal", "pow", "reduce_mean", "reduce_sum",
           "sigmoid", "sign", "sin", "sqrt", "square", "subtract", "tanh", "truediv"]
