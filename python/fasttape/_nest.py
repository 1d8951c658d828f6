"""Nested structures (lists, tuples, namedtuples, dicts and other mappings,
dict views) of tensors, flattened and rebuilt in TensorFlow's order (mapping entries by
sorted key). None, strings, sets, numpy arrays and tensors are leaves.

``flatten``, ``pack_sequence_as`` and ``is_nested`` are the fast versions
the tape uses; ``fasttape.nest`` adds TensorFlow's checks and messages on
top (``assert_same_structure``, ``map_structure``, ...)."""

import collections
import collections.abc as _abc

__all__ = ["flatten", "pack_sequence_as", "is_nested", "assert_same_structure", "map_structure",
           "flatten_with_joined_string_paths", "map_structure_with_paths"]

_Mapping = _abc.Mapping

# type -> 0 (leaf), 1 (list/tuple) or 2 (mapping): one dict lookup per
# object on the tape's hot path instead of isinstance checks against ABCs.
_KIND = {list: 1, tuple: 1, dict: 2}


def _kind(x):
    t = type(x)
    k = _KIND.get(t)
    if k is None:
        k = 2 if isinstance(x, (dict, _Mapping)) else 1 if isinstance(x, (list, tuple, _abc.MappingView)) else 0
        if len(_KIND) < 4096:
            _KIND[t] = k
    return k


def is_nested(x):
    """True for lists, tuples (namedtuples included) and mappings."""
    return _kind(x) != 0


def _is_mapping(x):
    return _kind(x) == 2


def _is_namedtuple(x):
    return isinstance(x, tuple) and hasattr(type(x), "_fields")


def _sorted_keys(x):
    return sorted(x)


def _items(x):
    if _kind(x) == 2:
        return [x[k] for k in sorted(x)]
    return list(x)


def flatten(structure, expand_composites=False):
    """Leaves of ``structure`` in order; a leaf alone gives ``[leaf]``.

    fasttape has no composite tensors, so ``expand_composites`` changes
    nothing."""
    get = _KIND.get
    k = get(type(structure))
    if k is None:
        k = _kind(structure)
    if not k:
        return [structure]
    if k == 1:
        # The common case on the tape's path: a flat list or tuple of leaves.
        for item in structure:
            if get(type(item)) != 0:
                break
        else:
            return list(structure)
    out = []
    append = out.append
    stack = [structure]
    pop, extend = stack.pop, stack.extend
    # Iterative depth-first walk so deep structures cannot exhaust recursion.
    while stack:
        item = pop()
        k = get(type(item))
        if k is None:
            k = _kind(item)
        if k == 1:
            extend(reversed(item))
        elif k == 2:
            extend([item[key] for key in sorted(item, reverse=True)])
        else:
            append(item)
    return out


def _sequence_like(s, items):
    """A container of ``s``'s kind holding ``items`` (for a mapping, the
    values in sorted-key order; the result keeps ``s``'s key order)."""
    if _is_mapping(s):
        vals = dict(zip(_sorted_keys(s), items))
        if type(s) is dict:
            return {k: vals[k] for k in s}
        if isinstance(s, collections.defaultdict):
            out = type(s)(s.default_factory)
            for k in s:
                out[k] = vals[k]
            return out
        return type(s)((k, vals[k]) for k in s)
    if _is_namedtuple(s):
        return type(s)(*items)
    if isinstance(s, _abc.MappingView):
        return list(items)  # a dict view cannot be built: a list, as in TensorFlow
    if type(s) is list or type(s) is tuple:
        return type(s)(items)
    return type(s)(items)


def _build(s, it):
    if not is_nested(s):
        return next(it)
    return _sequence_like(s, [_build(v, it) for v in _items(s)])


def pack_sequence_as(structure, flat, expand_composites=False):
    """Rebuilds ``structure``'s shape with the leaves taken from ``flat``.

    (A module-level helper, not a recursive closure: a closure that refers
    to itself is a reference cycle, which would keep the leaves - often big
    gradients - alive until the cyclic garbage collector runs.)"""
    k = _KIND.get(type(structure))
    if k is None:
        k = _kind(structure)
    if not k:
        return flat[0]
    if k == 1:
        get = _KIND.get
        for item in structure:
            if get(type(item)) != 0:
                break
        else:  # a flat list or tuple of leaves
            t = type(structure)
            n = len(structure)
            if t is list:
                return list(flat[:n])
            if t is tuple:
                return tuple(flat[:n])
            return _sequence_like(structure, list(flat[:n]))
    return _build(structure, iter(flat))


# ---------------------------------------------------------------- checks
class _Dot:
    def __repr__(self):
        return "."


_DOT = _Dot()


def _describe(x):
    return "type=%s str=%s" % (type(x).__name__, x)


def _namedtuple_same(a, b):
    return (_is_namedtuple(a) and _is_namedtuple(b) and type(a).__name__ == type(b).__name__
            and type(a)._fields == type(b)._fields)


def _structure_mismatch(a, b, check_types):
    """None if ``a`` and ``b`` have the same structure, else (exception
    class, detail message) for the first difference found."""
    a_nested, b_nested = is_nested(a), is_nested(b)
    if a_nested != b_nested:
        seq, other = (a, b) if a_nested else (b, a)
        return ValueError, 'Substructure "%s" is a sequence, while substructure "%s" is not' % (
            _describe(seq), _describe(other))
    if not a_nested:
        return None
    if check_types and type(a) is not type(b) and not _namedtuple_same(a, b) \
            and not (_is_mapping(a) and _is_mapping(b)):
        return TypeError, ("The two namedtuples don't have the same sequence type. First structure %s has type "
                           "%s, while second structure %s has type %s"
                           % (_describe(a), type(a).__name__, _describe(b), type(b).__name__))
    if _is_mapping(a) and _is_mapping(b) and check_types and set(a) != set(b):
        return ValueError, ("The two dictionaries don't have the same set of keys. First structure has keys %s, "
                            "while second structure has keys %s" % (_describe(list(a)), _describe(list(b))))
    if len(a) != len(b):
        return ValueError, ("The two structures don't have the same number of elements. First structure: %s. "
                            "Second structure: %s" % (_describe(a), _describe(b)))
    for x, y in zip(_items(a), _items(b)):
        bad = _structure_mismatch(x, y, check_types)
        if bad is not None:
            return bad
    return None


def _dots(s):
    return _DOT if not is_nested(s) else _sequence_like(s, [_dots(v) for v in _items(s)])


def assert_same_structure(nest1, nest2, check_types=True, expand_composites=False):
    """Raises ValueError (TypeError for differing sequence types when
    ``check_types``) unless both structures nest the same way."""
    bad = _structure_mismatch(nest1, nest2, check_types)
    if bad is None:
        return
    cls, detail = bad
    raise cls("The two structures don't have the same nested structure.\n\nFirst structure: %s\n\n"
              "Second structure: %s\n\nMore specifically: %s\nEntire first structure:\n%s\n"
              "Entire second structure:\n%s" % (_describe(nest1), _describe(nest2), detail,
                                                _dots(nest1), _dots(nest2)))


def _check_kwargs(kwargs):
    bad = [k for k in kwargs if k not in ("check_types", "expand_composites")]
    if bad:
        raise ValueError("Only valid keyword arguments are `check_types` and `expand_composites`, not: `%s`"
                         % "`, `".join(bad))
    return kwargs.get("check_types", True)


def map_structure(func, *structure, **kwargs):
    """``func`` applied to the leaves of the structures (all shaped alike),
    packed in the first structure's shape."""
    if not callable(func):
        raise TypeError("func must be callable, got: %s" % (func,))
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = _check_kwargs(kwargs)
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    flat = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(*leaves) for leaves in zip(*flat)])


def _paths(structure, prefix, out):
    if not is_nested(structure):
        out.append(prefix)
        return
    if _is_mapping(structure):
        keys = _sorted_keys(structure)
    elif _is_namedtuple(structure):
        keys = type(structure)._fields  # a namedtuple's path names its fields, as TensorFlow's
    else:
        keys = range(len(structure))
    for k, v in zip(keys, _items(structure)):
        _paths(v, prefix + (k,), out)


def _tuple_paths(structure):
    out = []
    _paths(structure, (), out)
    return out


def flatten_with_joined_string_paths(structure, separator="/", expand_composites=False):
    """``[(path, leaf), ...]``: each leaf with its keys/indices joined by
    ``separator`` ("" for a lone leaf)."""
    paths = [separator.join(str(k) for k in p) for p in _tuple_paths(structure)]
    return list(zip(paths, flatten(structure)))


def map_structure_with_paths(func, *structure, **kwargs):
    """As ``map_structure``, with ``func(path, *leaves)`` given each leaf's
    "/"-joined path first."""
    if not callable(func):
        raise TypeError("func must be callable, got: %s" % (func,))
    if not structure:
        raise ValueError("Must provide at least one structure")
    check_types = _check_kwargs(kwargs)
    for other in structure[1:]:
        assert_same_structure(structure[0], other, check_types=check_types)
    paths = ["/".join(str(k) for k in p) for p in _tuple_paths(structure[0])]
    flat = [flatten(s) for s in structure]
    return pack_sequence_as(structure[0], [func(p, *leaves) for p, leaves in zip(paths, zip(*flat))])
