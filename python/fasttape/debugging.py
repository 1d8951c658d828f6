"""``fasttape.debugging``: TensorFlow's debugging namespace."""

from ._custom import check_numerics  # noqa: F401

__all__ = ["check_numerics"]
