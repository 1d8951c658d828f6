"""fasttape.nest: TensorFlow's tf.nest order, packing rules and error
texts (the expected strings are TensorFlow 2.21's)."""
import collections

import numpy as np
import pytest

import fasttape as tf
from fasttape import _nest

P = collections.namedtuple("P", "a b")


def test_public_names():
    for name in ("assert_same_structure", "flatten", "is_nested", "map_structure", "pack_sequence_as"):
        assert callable(getattr(tf.nest, name))


def test_flatten_order_and_leaves():
    assert tf.nest.flatten({"b": 1, "a": [2, (3, None)]}) == [2, 3, None, 1]
    assert tf.nest.flatten(None) == [None]
    assert tf.nest.flatten(collections.OrderedDict([("b", 1), ("a", 2)])) == [2, 1]  # sorted keys, as TensorFlow
    assert tf.nest.flatten("abc") == ["abc"]
    assert tf.nest.flatten({1, 2}) == [{1, 2}]
    assert tf.nest.flatten([[], {}, ()]) == []
    assert tf.nest.flatten(P(1, [2, 3])) == [1, 2, 3]
    t = tf.constant([1, 2])
    assert tf.nest.flatten(t)[0] is t
    assert tf.nest.flatten([t], expand_composites=True)[0] is t
    with pytest.raises(TypeError, match="'<' not supported"):
        tf.nest.flatten({1: "a", "b": 2})


def test_is_nested():
    assert tf.nest.is_nested([1]) and tf.nest.is_nested(()) and tf.nest.is_nested({}) and tf.nest.is_nested(P(1, 2))
    assert tf.nest.is_nested(collections.OrderedDict())
    for leaf in ("ab", np.array([1]), tf.constant([1]), {1}, None, 3):
        assert not tf.nest.is_nested(leaf)


def test_pack_sequence_as():
    out = tf.nest.pack_sequence_as(collections.OrderedDict([("b", 1), ("a", 2)]), [5, 6])
    assert out == collections.OrderedDict([("b", 6), ("a", 5)]) and list(out) == ["b", "a"]
    out = tf.nest.pack_sequence_as({"b": 1, "a": 2}, [5, 6])
    assert out == {"b": 6, "a": 5} and list(out) == ["b", "a"]
    assert tf.nest.pack_sequence_as([[], 1], [2]) == [[], 2]
    assert tf.nest.pack_sequence_as(P(1, (2, 3)), (7, 8, 9)) == P(7, (8, 9))
    d = collections.defaultdict(list, b=1, a=2)
    packed = tf.nest.pack_sequence_as(d, [10, 20])
    assert type(packed) is collections.defaultdict and packed.default_factory is list and packed == {"a": 10, "b": 20}
    assert tf.nest.pack_sequence_as(1, [5]) == 5


def test_pack_sequence_as_errors():
    with pytest.raises(ValueError) as e:
        tf.nest.pack_sequence_as([1, 2], [5])
    assert str(e.value) == ("Could not pack sequence. Structure had 2 atoms, but flat_sequence had 1 items.  "
                            "Structure: [1, 2], flat_sequence: [5].")
    with pytest.raises(ValueError) as e:
        tf.nest.pack_sequence_as(1, [5, 6])
    assert str(e.value) == ("The target structure is of type `<class 'int'>`\n  1\nHowever the input is a sequence "
                            "(<class 'list'>) of length 2.\n  [5, 6]\nnest cannot guarantee that it is safe to map "
                            "one to the other.")
    with pytest.raises(TypeError) as e:
        tf.nest.pack_sequence_as([1], 5)
    assert str(e.value) == ("Attempted to pack value:\n  5\ninto a structure, but found incompatible type `<class "
                            "'int'>` instead.")


def _message(a, b, **kwargs):
    try:
        tf.nest.assert_same_structure(a, b, **kwargs)
    except (ValueError, TypeError) as e:
        return type(e), str(e)
    return None


def test_assert_same_structure_passes():
    assert _message([1, 2], [3, 4]) is None
    assert _message([1, 2], (3, 4), check_types=False) is None
    assert _message(P(1, 2), P(3, 4)) is None
    assert _message(P(1, 2), collections.namedtuple("P", "a b")(3, 4)) is None  # same name and fields
    assert _message({"a": 1}, collections.OrderedDict(a=1)) is None
    assert _message([[], 1], [[], 2]) is None
    assert _message([1], [tf.constant([1, 2])]) is None
    assert _message("ab", 1) is None


def test_assert_same_structure_messages():
    head = "The two structures don't have the same nested structure.\n\n"
    assert _message([1, 2], [3, [4]]) == (ValueError, head + (
        "First structure: type=list str=[1, 2]\n\nSecond structure: type=list str=[3, [4]]\n\nMore specifically: "
        "Substructure \"type=list str=[4]\" is a sequence, while substructure \"type=int str=2\" is not\nEntire first "
        "structure:\n[., .]\nEntire second structure:\n[., [.]]"))
    assert _message([1, 2], [3]) == (ValueError, head + (
        "First structure: type=list str=[1, 2]\n\nSecond structure: type=list str=[3]\n\nMore specifically: The two "
        "structures don't have the same number of elements. First structure: type=list str=[1, 2]. Second structure: "
        "type=list str=[3]\nEntire first structure:\n[., .]\nEntire second structure:\n[.]"))
    assert _message([1, 2], (3, 4)) == (TypeError, head + (
        "First structure: type=list str=[1, 2]\n\nSecond structure: type=tuple str=(3, 4)\n\nMore specifically: The "
        "two namedtuples don't have the same sequence type. First structure type=list str=[1, 2] has type list, while "
        "second structure type=tuple str=(3, 4) has type tuple\nEntire first structure:\n[., .]\nEntire second "
        "structure:\n(., .)"))
    assert _message({"a": 1}, {"b": 1}) == (ValueError, head + (
        "First structure: type=dict str={'a': 1}\n\nSecond structure: type=dict str={'b': 1}\n\nMore specifically: "
        "The two dictionaries don't have the same set of keys. First structure has keys type=list str=['a'], while "
        "second structure has keys type=list str=['b']\nEntire first structure:\n{'a': .}\nEntire second structure:\n"
        "{'b': .}"))
    assert _message(P(1, 2), (1, 2)) == (TypeError, head + (
        "First structure: type=P str=P(a=1, b=2)\n\nSecond structure: type=tuple str=(1, 2)\n\nMore specifically: The "
        "two namedtuples don't have the same sequence type. First structure type=P str=P(a=1, b=2) has type P, while "
        "second structure type=tuple str=(1, 2) has type tuple\nEntire first structure:\nP(a=., b=.)\nEntire second "
        "structure:\n(., .)"))
    assert _message(1, [1]) == (ValueError, head + (
        "First structure: type=int str=1\n\nSecond structure: type=list str=[1]\n\nMore specifically: Substructure "
        "\"type=list str=[1]\" is a sequence, while substructure \"type=int str=1\" is not\nEntire first structure:\n."
        "\nEntire second structure:\n[.]"))
    assert _message([[]], [()])[0] is TypeError


def test_map_structure():
    assert tf.nest.map_structure(lambda a, b: a + b, [1, (2, 3)], [10, (20, 30)]) == [11, (22, 33)]
    assert tf.nest.map_structure(lambda a: a * 2, P(1, [2])) == P(2, [4])
    assert tf.nest.map_structure(lambda x: x, [[], {}, ()]) == [[], {}, ()]
    assert tf.nest.map_structure(lambda a, b: (a, b), [1, 2], (3, 4), check_types=False) == [(1, 3), (2, 4)]
    out = tf.nest.map_structure(lambda t: t * 2.0, {"w": tf.constant([1.0]), "b": tf.constant(2.0)})
    assert out["w"].numpy().tolist() == [2.0] and float(out["b"]) == 4.0
    with pytest.raises(ValueError, match="don't have the same number of elements"):
        tf.nest.map_structure(lambda a, b: a + b, [1, 2], [10])
    with pytest.raises(ValueError) as e:
        tf.nest.map_structure(lambda a: a, 1, check_types=False, foo=1)
    assert str(e.value) == "Only valid keyword arguments are `check_types` and `expand_composites`, not: `foo`"
    with pytest.raises(ValueError, match="^Must provide at least one structure$"):
        tf.nest.map_structure(lambda a: a)
    with pytest.raises(TypeError, match="^func must be callable, got: 1$"):
        tf.nest.map_structure(1, [1])


def test_paths():
    s = {"a": [1, {"c": 2}], "b": P(3, 4)}
    # A namedtuple's entries are named by field, as in TensorFlow's nest paths.
    assert tf.nest.flatten_with_joined_string_paths(s) == [("a/0", 1), ("a/1/c", 2), ("b/a", 3), ("b/b", 4)]
    assert tf.nest.flatten_with_joined_string_paths([1, [2]], separator=".") == [("0", 1), ("1.0", 2)]
    assert tf.nest.flatten_with_joined_string_paths(5) == [("", 5)]
    assert tf.nest.map_structure_with_paths(lambda p, v: p + str(v), {"a": [1, 2]}) == {"a": ["a/01", "a/12"]}


def test_internal_helpers_used_by_the_tape_still_work():
    from fasttape import _nest

    s = [tf.constant(1.0), {"y": 2, "x": (3, None)}]
    flat = _nest.flatten(s)
    assert flat[1:] == [3, None, 2]
    assert _nest.pack_sequence_as(s, [0, 1, 2, 3]) == [0, {"y": 3, "x": (1, 2)}]
    assert _nest.is_nested([]) and not _nest.is_nested(tf.constant(1.0))
    # Deep structures do not exhaust the recursion limit when flattened.
    deep = 0
    for _ in range(5000):
        deep = [deep]
    assert _nest.flatten(deep) == [0]


def test_flat_sequences_of_leaves():
    class Leaf:  # a type the walk has not seen before
        pass

    a, b = Leaf(), Leaf()
    t = (a, b)
    out = _nest.flatten(t)
    assert out == [a, b] and type(out) is list
    assert _nest.flatten([a, [b]]) == [a, b]
    assert _nest.pack_sequence_as(t, [b, a]) == (b, a)
    assert _nest.pack_sequence_as([1, 2], (3, 4)) == [3, 4]
    assert _nest.pack_sequence_as(P(1, 2), [3, 4]) == P(3, 4)
    assert _nest.pack_sequence_as([], []) == [] and _nest.flatten(()) == []


def test_dict_views_are_structures():
    d = {"b": 1, "a": 2}
    assert tf.nest.is_nested(d.values()) and tf.nest.is_nested(d.keys())
    assert tf.nest.flatten(d.values()) == [1, 2]
    assert tf.nest.flatten({"k": d.items()}) == ["b", 1, "a", 2]
    assert tf.nest.pack_sequence_as(d.values(), [5, 6]) == [5, 6]  # rebuilt as a list


def test_pack_sequence_as_indexes_a_mapping_by_position():
    with pytest.raises(KeyError):
        tf.nest.pack_sequence_as({"a": 1}, {"z": 9})
