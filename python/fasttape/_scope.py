"""Name scopes: ``fasttape.name_scope`` prefixes the names of the Variables
created inside it (``dense_0/w:0``), as TensorFlow's does in eager mode.
The current scope belongs to the thread."""

import threading

__all__ = ["name_scope", "current_scope", "scoped_name"]

_local = threading.local()


def current_scope():
    """The current scope prefix: "" at the top, else "outer/inner/"."""
    return getattr(_local, "scope", "")


def scoped_name(name):
    """``name`` inside the current scope."""
    return current_scope() + name


class name_scope:
    """A context manager that opens scope ``name`` inside the current one
    (a name ending in "/" is taken as a full scope instead, and "" returns
    to the top); ``__enter__`` returns the scope's prefix, such as "a/b/"."""

    def __init__(self, name):
        if not isinstance(name, str):
            raise ValueError("name for name_scope must be a string.")
        self._name = name
        self._saved = []

    @property
    def name(self):
        return self._name

    def __enter__(self):
        old = current_scope()
        if not self._name:
            new = ""
        elif self._name.endswith("/"):
            new = self._name
        else:
            new = old + self._name + "/"
        self._saved.append(old)
        _local.scope = new
        return new

    def __exit__(self, *exc):
        _local.scope = self._saved.pop()
        return False
