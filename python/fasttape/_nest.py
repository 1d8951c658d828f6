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


def pack_sequence_as(structure, flat):
    """Rebuilds ``structure``'s shape with the leaves taken from ``flat``."""
    it = iter(flat)

    def build(s):
        if not is_nested(s):
            return next(it)
        if isinstance(s, dict):
            vals = {k: build(s[k]) for k in sorted(s)}
            return type(s)((k, vals[k]) for k in s) if type(s) is not dict else {k: vals[k] for k in s}
        items = [build(v) for v in s]
        if isinstance(s, tuple) and hasattr(s, "_fields"):  # namedtuple
            return type(s)(*items)
        return type(s)(items)

    result = build(structure)
    return result
