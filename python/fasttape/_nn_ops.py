"""Python-level wrappers of this op group; names in __all__ are exported at
the package's top level."""

__all__ = []
