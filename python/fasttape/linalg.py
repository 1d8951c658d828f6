"""``fasttape.linalg``: TensorFlow's linear-algebra namespace."""

from ._core import matmul  # noqa: F401
from ._linalg_ops import inv, solve  # noqa: F401
from ._nn_ops import diag_part, einsum, matvec, trace  # noqa: F401
from ._ops import eye, norm  # noqa: F401

__all__ = ["diag_part", "einsum", "eye", "inv", "matmul", "matvec", "norm", "solve", "trace"]
