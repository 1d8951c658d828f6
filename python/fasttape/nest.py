"""``fasttape.nest``: TensorFlow's nested-structure utilities (``tf.nest``).

Lists, tuples, namedtuples, dicts and other ``collections.abc.Mapping``
types, and dict views (rebuilt as lists), are structures; everything else
(None, strings, sets, arrays, tensors, Variables) is a leaf. Mapping entries are visited in sorted key
order, as in TensorFlow. TensorFlow's special treatment of ``attrs``
classes and of composite tensors (``expand_composites``) does not apply:
fasttape has neither, so those objects are leaves."""

from . import _nest
from ._nest import (assert_same_structure, flatten, flatten_with_joined_string_paths, is_nested,  # noqa: F401
                    map_structure, map_structure_with_paths)

__all__ = ["assert_same_structure", "flatten", "is_nested", "map_structure", "pack_sequence_as",
           "flatten_with_joined_string_paths", "map_structure_with_paths"]


def pack_sequence_as(structure, flat_sequence, expand_composites=False):
    """``structure`` rebuilt with the leaves of ``flat_sequence`` (a list or
    tuple holding exactly as many leaves as ``structure`` has)."""
    if not is_nested(flat_sequence):
        raise TypeError("Attempted to pack value:\n  %s\ninto a structure, but found incompatible type `%s` "
                        "instead." % (flat_sequence, type(flat_sequence)))
    if _nest._is_mapping(flat_sequence):  # indexed by position, as TensorFlow does (KeyError)
        flat_sequence = [flat_sequence[i] for i in range(len(flat_sequence))]
    flat_sequence = list(flat_sequence)
    if not is_nested(structure):
        if len(flat_sequence) != 1:
            raise ValueError("The target structure is of type `%s`\n  %s\nHowever the input is a sequence (%s) of "
                             "length %d.\n  %s\nnest cannot guarantee that it is safe to map one to the other."
                             % (type(structure), structure, type(flat_sequence), len(flat_sequence),
                                flat_sequence))
        return flat_sequence[0]
    n = len(_nest.flatten(structure))
    if n != len(flat_sequence):
        raise ValueError("Could not pack sequence. Structure had %d atoms, but flat_sequence had %d items.  "
                         "Structure: %s, flat_sequence: %s." % (n, len(flat_sequence), structure, flat_sequence))
    return _nest.pack_sequence_as(structure, flat_sequence)
