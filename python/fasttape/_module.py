"""``fasttape.Module``: TensorFlow's ``tf.Module``, a named container of
Variables and other Modules that finds them by walking its attributes.

The walk is TensorFlow's: attributes in sorted name order, into lists,
tuples and dicts (dict entries by sorted key, namedtuple fields in order),
each object once, the leaves of a module before those of its submodules,
then each submodule's own walk in the order the submodules were found."""

import functools
import re

from . import _core
from . import _nest
from ._scope import name_scope

__all__ = ["Module"]

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
# An upper-case letter that starts a new word: after a lower-case letter or a
# digit, or (not at the start) before a lower-case letter.
_WORD_START = re.compile(r"(?<=[a-z0-9])([A-Z])|(?<!^)([A-Z])(?=[a-z])")


def _snake_case(name):
    return _WORD_START.sub(lambda m: "_" + (m.group(1) or m.group(2)), name).lower()


def _is_variable(x):
    return _core.is_variable(x)


def _is_trainable_variable(x):
    return _core.is_variable(x) and x.trainable


def _is_non_trainable_variable(x):
    return _core.is_variable(x) and not x.trainable


def _is_module(x):
    return isinstance(x, Module)


class Module:
    """Base class for models and layers: ``name``, ``name_scope``, and
    ``variables``, ``trainable_variables``, ``non_trainable_variables`` and
    ``submodules`` found by walking the attributes."""

    _IGNORED_ATTRIBUTES = frozenset(("_name", "_scope_name", "_checkpoint_deferred"))

    def __init__(self, name=None):
        if name is None:
            name = _snake_case(type(self).__name__)
        elif not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise ValueError("'%s' is not a valid module name. Module names must be valid Python identifiers "
                             "(e.g. a valid class name)." % (name,))
        self._name = name
        with name_scope(name) as scope:
            self._scope_name = scope

    def __setattr__(self, name, value):
        object.__setattr__(self, name, value)
        # A checkpoint restored before this attribute existed restores it now.
        deferred = self.__dict__.get("_checkpoint_deferred")
        if deferred is not None:
            deferred.child_added(self, name, value)

    @property
    def name(self):
        """The name given to the constructor (or the class name in snake case)."""
        return self._name

    @property
    def name_scope(self):
        """A ``name_scope`` that reopens this module's scope (the scope that
        was current at construction, plus the module's name)."""
        return name_scope(self._scope_name)

    @property
    def variables(self):
        """The Variables of this module and its submodules, each once."""
        return tuple(self._flatten(predicate=_is_variable))

    @property
    def trainable_variables(self):
        return tuple(self._flatten(predicate=_is_trainable_variable))

    @property
    def non_trainable_variables(self):
        return tuple(self._flatten(predicate=_is_non_trainable_variable))

    @property
    def submodules(self):
        """Every Module reachable from this one (not itself)."""
        return tuple(self._flatten(predicate=_is_module))

    def _flatten(self, recursive=True, predicate=None, attribute_traversal_key=None, with_path=False,
                 expand_composites=False):
        """The objects reachable from this module for which ``predicate`` holds
        (all of them without one), as TensorFlow's ``Module._flatten``;
        ``with_path`` yields ``(path, object)`` pairs instead."""
        predicate = predicate or (lambda _: True)
        return _walk(self, recursive, predicate, attribute_traversal_key, with_path)

    @classmethod
    def with_name_scope(cls, method):
        """Decorator: runs ``method`` inside its module's name scope."""
        @functools.wraps(method)
        def wrapped(self, *args, **kwargs):
            with self.name_scope:
                return method(self, *args, **kwargs)
        return wrapped

    # ------------------------------------------------------------ checkpoints
    def _checkpoint_children(self):
        """Attributes holding Variables, Modules or other checkpointable
        objects (directly or in lists, tuples and dicts), by attribute name."""
        out = {}
        for key in sorted(vars(self)):
            if key in self._IGNORED_ATTRIBUTES:
                continue
            value = vars(self)[key]
            if any(_core.is_variable(leaf) or hasattr(leaf, "_checkpoint_children")
                   for leaf in _nest.flatten(value)):
                out[key] = value
        return out

    def __repr__(self):
        return "<%s.%s object named %r>" % (type(self).__module__, type(self).__name__, self._name)


def _walk(module, recursive, predicate, key, with_path, path=(), seen=None, stack=None):
    """Depth-first: a module's own leaves (attributes in sorted order), then
    each submodule's walk in the order found. ``seen`` keeps each object to
    one visit; ``stack`` stops a module that contains itself."""
    if seen is None:
        seen = {id(module)}
        stack = []
    if id(module) in stack:
        recursive = False
    attrs = vars(module)
    found = []
    for name in sorted(attrs, key=key):
        if name in getattr(module, "_IGNORED_ATTRIBUTES", ()):
            continue
        try:
            leaves = list(_leaves_with_paths(attrs[name], (name,)))
        except Exception as cause:  # e.g. a dict whose keys cannot be sorted
            raise ValueError("Error processing property %r of %r" % (name, attrs[name])) from cause
        for leaf_path, leaf in leaves:
            if not with_path:
                if id(leaf) in seen:
                    continue
                seen.add(id(leaf))
            if predicate(leaf):
                yield (path + leaf_path, leaf) if with_path else leaf
            if recursive and isinstance(leaf, Module):
                found.append((path + leaf_path, leaf))
    stack.append(id(module))
    for sub_path, sub in found:
        yield from _walk(sub, recursive, predicate, key, with_path, sub_path, seen, stack)
    stack.pop()


def _leaves_with_paths(value, prefix):
    """(path, leaf) for the leaves of a nested structure, in nest order
    (mapping entries by sorted key, namedtuple fields by name)."""
    if not _nest.is_nested(value):
        yield prefix, value
        return
    for path, leaf in zip(_nest._tuple_paths(value), _nest.flatten(value)):
        yield prefix + path, leaf
