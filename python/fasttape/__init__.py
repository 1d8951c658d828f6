"""fasttape: TensorFlow's GradientTape without TensorFlow.

Reverse-mode automatic differentiation whose engine (tensors, tape, reverse
sweep, kernels) is C++. Programs written for TensorFlow's tape run unchanged
with ``import fasttape as tf``.
"""

import builtins as _builtins
import importlib as _importlib

from . import _core
from . import errors
from ._core import (add, divide, equal, greater, greater_equal, less, less_equal,  # noqa: F401
                    logical_and, logical_not, logical_or, matmul, maximum, minimum, multiply,
                    not_equal, pow, reduce_mean, reduce_sum, reshape, subtract, transpose, broadcast_to)
from ._registry import export as _export
from ._dtypes import DType, as_dtype, bool, float32, float64, int32, int64  # noqa: F401
from ._ops import (cast, clip_by_global_norm, clip_by_norm, eye, fill, identity, linspace, norm,  # noqa: F401
                   ones, ones_like, range, rank, shape, size, where, zeros, zeros_like)
from ._tape import GradientTape, UnconnectedGradients  # noqa: F401
from ._tensor import Tensor, TensorShape, constant, convert_to_tensor, is_tensor  # noqa: F401
from ._variable import Variable  # noqa: F401
from ._custom import custom_gradient, stop_gradient  # noqa: F401
from ._function import TensorSpec, function  # noqa: F401
from ._module import Module  # noqa: F401
from ._scope import name_scope  # noqa: F401
from ._math_ops import *  # noqa: F401,F403
from ._array_ops import *  # noqa: F401,F403
from ._array_extra import *  # noqa: F401,F403
from ._nn_ops import *  # noqa: F401,F403
from ._segment_ops import *  # noqa: F401,F403
from ._linalg_ops import einsum  # noqa: F401
from . import _array_extra, _array_ops, _linalg_ops, _math_ops, _nn_ops, _segment_ops
from . import autodiff, config, debugging, linalg, math, nn, random  # noqa: F401
# Control flow, printing and the asserts TensorFlow keeps at the top level.
from ._control_flow import *  # noqa: F401,F403
from ._print import print  # noqa: F401,A001
from .debugging import Assert, assert_equal, assert_greater, assert_less, assert_rank  # noqa: F401
from . import _control_flow

__version__ = "0.1.0"

# Submodules that programs reach as attributes (``tf.keras.optimizers.Adam``)
# but that most programs never touch load on first use, as TensorFlow's do,
# so that ``import fasttape`` stays cheap.
_LAZY = ("data", "keras", "train", "nest")


def __getattr__(name):
    if name in _LAZY:
        module = _importlib.import_module("." + name, __name__)
        globals()[name] = module
        return module
    raise AttributeError("module 'fasttape' has no attribute %r" % name)


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


newaxis = None
double = float64


def show_config():
    """Prints (and returns) the build configuration: SIMD ISA and threads."""
    text = "fasttape %s\n  SIMD kernels: %s\n  threads: %d (intra-op pool)" % (
        __version__, _core.simd_isa(), _core.num_threads())
    _builtins.print(text)
    return text


__all__ = [
    "DType", "GradientTape", "Tensor", "TensorShape", "UnconnectedGradients", "Variable",
    "add", "as_dtype", "bool", "broadcast_to", "cast", "constant", "convert_to_tensor", "divide",
    "autodiff", "config", "eye", "clip_by_global_norm", "clip_by_norm", "linspace", "norm", "random", "custom_gradient", "debugging",
    "double", "stop_gradient", "equal", "errors", "fill", "float32", "float64", "greater", "greater_equal",
    "identity", "int32", "int64", "is_tensor", "less", "less_equal", "logical_and", "logical_not", "logical_or",
    "math", "matmul", "maximum", "minimum", "multiply", "newaxis", "nn", "not_equal", "ones", "ones_like",
    "pow", "range", "rank", "reduce_mean", "reduce_sum", "reshape", "shape", "show_config", "size", "subtract",
    "transpose", "where", "zeros", "zeros_like", "linalg", "TensorSpec", "function", "Module", "name_scope",
] + _math_ops.__all__ + _array_ops.__all__ + _array_extra.__all__ + _nn_ops.__all__ + _segment_ops.__all__ + _linalg_ops.TOP_LEVEL + _export(globals(), "top")
__all__ += _control_flow.__all__ + ["print"] + debugging.TOP_LEVEL
