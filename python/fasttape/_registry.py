"""The elementwise op registry, as the Python namespaces see it.

Each C++ op entry (cpp/src/ops/) says which of TensorFlow's namespaces its
name belongs to; ``export`` places the bound functions there, so a new entry
appears in ``fasttape``, ``fasttape.math`` and ``fasttape.nn`` without any
Python edit."""
from . import _core

ENTRIES = tuple(_core.elementwise_ops())


def names(space):
    """The names of the entries that belong to ``space`` ("top", "math" or "nn")."""
    return [e["name"] for e in ENTRIES if space in e["namespaces"]]


def export(namespace, space):
    """Binds every entry of ``space`` into the module dict ``namespace``;
    returns their names (for ``__all__``)."""
    out = names(space)
    for n in out:
        namespace[n] = getattr(_core, n)
    return out
