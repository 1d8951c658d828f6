"""``fasttape.linalg``: TensorFlow's linear-algebra namespace."""

from ._core import matmul  # noqa: F401
from ._array_extra import adjoint, band_part, diag, matrix_transpose, tensordot  # noqa: F401
from ._linalg_ops import diag_part, einsum, inv, matvec, solve, trace  # noqa: F401
from ._linalg_extra import (cholesky, cholesky_solve, cross, det, eigh, eigvalsh, expm, logdet,  # noqa: F401
                            lstsq, pinv, qr, slogdet, svd, triangular_solve)
from ._ops import eye, global_norm, norm  # noqa: F401

__all__ = ["adjoint", "band_part", "diag", "matrix_transpose", "tensordot", "diag_part", "einsum", "eye", "global_norm", "inv", "matmul", "matvec", "norm", "solve", "trace",
           "cholesky", "cholesky_solve", "cross", "det", "eigh", "eigvalsh", "expm", "logdet", "lstsq", "pinv",
           "qr", "slogdet", "svd", "triangular_solve"]
