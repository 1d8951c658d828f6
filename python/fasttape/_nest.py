"""Nested structures (lists, tuples, namedtuples, dicts) of tensors, flattened
and rebuilt in TensorFlow's order (dict entries by sorted key)."""

__all__ = ["flatten", "pack_sequence_as", "is_nested"]


def is_nested(x):
    return isinstance(x, (list, tuple, dict))


def _items(x):
    if isinstance(x, dict):
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure):
    """Leaves of ``structure`` in order; a leaf alone gives ``[leaf]``."""
    if not is_nested(structure):
        return [structure]
    out = []
    stack = [structure]
    # Iterative depth-first walk so deep structures cannot exhaust recursion.
    while stack:
        item = stack.pop()
        if is_nested(item):
            stack.extend(reversed(_items(item)))
        else:
            out.append(item)
    return out


def _build(s, it):
    if not is_nested(s):
        return next(it)
    if isinstance(s, dict):
        vals = {k: _build(s[k], it) for k in sorted(s)}
        return {k: vals[k] for k in s} if type(s) is dict else type(s)((k, vals[k]) for k in s)
    items = [_build(v, it) for v in s]
    if isinstance(s, tuple) and hasattr(s, "_fields"):  # namedtuple
        return type(s)(*items)
    return type(s)(items)


def pack_sequence_as(structure, flat):
    """Rebuilds ``structure``'s shape with the leaves taken from ``flat``.

    (A module-level helper, not a recursive closure: a closure that refers
    to itself is a reference cycle, which would keep the leaves - often big
    gradients - alive until the cyclic garbage collector runs.)"""
    if not is_nested(structure):
        return flat[0]
    return _build(structure, iter(flat))
