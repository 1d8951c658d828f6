"""``fasttape.nn``: TensorFlow's neural-network namespace."""

from ._core import relu, sigmoid, tanh  # noqa: F401

__all__ = ["relu", "sigmoid", "tanh"]
