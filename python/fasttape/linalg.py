"""``fasttape.linalg``: TensorFlow's linear-algebra namespace."""

from ._core import matmul  # noqa: F401
from ._linalg_ops import diag_part, einsum, inv, matvec, solve, trace  # noqa: F401
from ._ops import eye, global_norm, norm  # noqa: F401

__all__ = ["diag_part", "einsum", "eye", "global_norm", "inv", "matmul", "matvec", "norm", "solve", "trace"]
