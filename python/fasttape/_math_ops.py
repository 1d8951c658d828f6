"""Python-level wrappers of the math op group; names in __all__ are exported
at the package's top level (the names TensorFlow 2 has at top level).

Most ops are C++ bindings exported as they are; argmax/argmin are wrapped
here to accept TensorFlow dtypes for ``output_type``."""

from . import _core
from ._core import add_n, clip_by_value, cumsum, reduce_logsumexp, reduce_max, reduce_min, reduce_prod  # noqa: F401
from ._dtypes import INT_CODES, as_dtype, int32, int64

__all__ = ["add_n", "argmax", "argmin", "clip_by_value", "cumsum", "reduce_logsumexp", "reduce_max",
           "reduce_min", "reduce_prod"]


def _out_code(output_type, op):
    if output_type is int64 or output_type is int32:  # the common cases, without a lookup
        return output_type._code
    dt = as_dtype(output_type)
    if dt._code not in INT_CODES:
        raise TypeError("%s: output_type must be tf.int32 or tf.int64, got %s" % (op, dt.name))
    return dt._code


def argmax(input, axis=None, output_type=int64, name=None):  # noqa: A002 - TensorFlow's name
    """Index of the largest value along ``axis`` (None means 0); ties give
    the first index. Not differentiable."""
    return _core._argmax(input, axis, _out_code(output_type, "argmax"))


def argmin(input, axis=None, output_type=int64, name=None):  # noqa: A002
    """Index of the smallest value along ``axis`` (None means 0); ties give
    the first index. Not differentiable."""
    return _core._argmin(input, axis, _out_code(output_type, "argmin"))
