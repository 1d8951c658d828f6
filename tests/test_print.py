"""fasttape.print: TensorFlow's tf.print text, byte for byte (expected
strings are what TensorFlow 2.21 prints), and its output streams."""
import logging
import sys

import numpy as np
import pytest

import fasttape as tf


def _out(capsys, *inputs, **kwargs):
    tf.print(*inputs, output_stream=sys.stdout, **kwargs)
    return capsys.readouterr().out


@pytest.mark.parametrize("value, text", [
    ([1, 2, 3], "[1 2 3]"),
    (np.arange(10), "[0 1 2 ... 7 8 9]"),
    (np.arange(12).reshape(3, 4), "[[0 1 2 3]\n [4 5 6 7]\n [8 9 10 11]]"),
    (np.arange(40).reshape(8, 5), "[[0 1 2 3 4]\n [5 6 7 8 9]\n [10 11 12 13 14]\n ...\n [25 26 27 28 29]\n"
                                  " [30 31 32 33 34]\n [35 36 37 38 39]]"),
    (np.arange(24).reshape(2, 3, 4), "[[[0 1 2 3]\n  [4 5 6 7]\n  [8 9 10 11]]\n\n [[12 13 14 15]\n  [16 17 18 19]\n"
                                     "  [20 21 22 23]]]"),
    (np.array([1.0, 2.5, 3.0], np.float32), "[1 2.5 3]"),
    (np.array([0.1, 1e-7, 1e10, 123456789.0], np.float32), "[0.1 1e-07 1e+10 123456792]"),
    (np.float64(1) / 3, "0.33333333333333331"),
    (np.arange(10, dtype=np.float32) / 3, "[0 0.333333343 0.666666687 ... 2.33333325 2.66666675 3]"),
    (np.array([True, False]), "[1 0]"),
    (np.int32(3), "3"),
    (np.float32(2.0), "2"),
    (np.float32(-0.0), "-0"),
    (np.zeros((0,), np.float32), "[]"),
    (np.zeros((2, 0), np.float32), "[\n ...]"),
    (np.array([np.nan, np.inf, -np.inf], np.float32), "[nan inf -inf]"),
    (np.array([1e-5, 1e5, 1e6, 1e7], np.float32), "[1e-05 100000 1e+06 1e+07]"),
    (np.array([123456.7, 1234567.8], np.float32), "[123456.703 1234567.75]"),
    (np.array([2 ** 40, -3], np.int64), "[1099511627776 -3]"),
    (np.zeros((1, 1, 1), np.float32), "[[[0]]]"),
    (np.array([5e-324, -5e-324, 1e300]), "[0 -0 1e+300]"),
    (np.array([[True], [False]]), "[[1]\n [0]]"),
])
def test_tensor_text_matches_tensorflow(capsys, value, text):
    assert _out(capsys, tf.constant(value)) == text + "\n"


def test_summarize(capsys):
    x = tf.constant(np.arange(10))
    assert _out(capsys, x, summarize=-1) == "[0 1 2 3 4 5 6 7 8 9]\n"
    assert _out(capsys, x, summarize=2) == "[0 1 ... 8 9]\n"
    assert _out(capsys, x, summarize=0) == "[ ...]\n"
    assert _out(capsys, x, summarize=None) == "[0 1 2 ... 7 8 9]\n"


def test_structures_and_python_values(capsys):
    out = _out(capsys, "a", 1, [1, tf.constant([1, 2])], {"b": tf.constant(2.0), "a": 3})
    assert out == "a 1 [1, [1 2]] {'a': 3, 'b': 2}\n"
    assert _out(capsys, ["a", 1, tf.constant(2)]) == "['a', 1, 2]\n"
    assert _out(capsys, (1, 2)) == "(1, 2)\n"
    assert _out(capsys, []) == "[]\n"
    assert _out(capsys, 1.5, 0.1, True, None, "s") == "1.5 0.1 True None s\n"
    assert _out(capsys, np.array([1, 2])) == "array([1, 2])\n"  # not a tensor: its repr
    assert _out(capsys, tf.Variable([1.0, 2.0])) == "[1 2]\n"
    assert _out(capsys) == "\n"
    # A literal "{}" in the values does not take a tensor's place.
    assert _out(capsys, {"k": "{}"}, tf.constant(1)) == "{'k': '{}'} 1\n"
    # Long Python structures wrap as pprint wraps them.
    assert _out(capsys, list(range(40))) == "[" + ",\n ".join(str(i) for i in range(40)) + "]\n"


def test_sep_and_end(capsys):
    assert _out(capsys, "x", "y", sep=",", end="!\n") == "x,y!\n"
    assert _out(capsys, tf.constant([1, 2]), tf.constant(3.5), sep="|", end="") == "[1 2]|3.5"


def test_default_stream_is_stderr(capsys):
    tf.print("to stderr", tf.constant([1, 2]))
    cap = capsys.readouterr()
    assert cap.err == "to stderr [1 2]\n" and cap.out == ""
    tf.print("x", output_stream=sys.stderr)
    assert capsys.readouterr().err == "x\n"


def test_file_stream_appends(tmp_path):
    path = tmp_path / "log.txt"
    tf.print("first", tf.constant([1.5]), output_stream="file://" + str(path))
    tf.print("second", output_stream="file://" + str(path))
    assert path.read_text() == "first [1.5]\nsecond\n"


def test_logging_stream(caplog):
    with caplog.at_level(logging.INFO):
        tf.print("loss", tf.constant(0.25), output_stream=logging.info)
        tf.print("bad", output_stream=logging.error)
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [(logging.INFO, "loss 0.25"),
                                                                    (logging.ERROR, "bad")]


def test_unsupported_stream():
    with pytest.raises(ValueError, match=r"^Unsupported output stream, logging level, or file\.bogus\. Supported "
                                         r"streams are sys\.stdout, sys\.stderr"):
        tf.print(1, output_stream="bogus")


def test_returns_none_and_does_not_shadow_builtin(capsys):
    assert tf.print("x", output_stream=sys.stdout) is None
    assert capsys.readouterr().out == "x\n"
    import builtins

    assert builtins.print is not tf.print


def test_end_none_ends_the_line(capsys):
    # TensorFlow's op ends the line itself when end is None.
    assert _out(capsys, tf.constant(2), end=None) == "2\n"
