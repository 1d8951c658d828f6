"""``fasttape.linalg``: TensorFlow's linear-algebra namespace."""

from ._core import matmul  # noqa: F401

__all__ = ["matmul"]
