"""``print``: TensorFlow's ``tf.print``, with its formatting of tensors."""

import sys

import numpy as np

from . import _core
from . import _nest

__all__ = ["print"]



def _log_level(stream):
    """The logging level of a logging function (logging.info, ...), or None.
    (A program that passes one has imported logging; fasttape does not
    import it at start-up.)"""
    logging = sys.modules.get("logging")
    if logging is None or isinstance(stream, str):
        return None
    return {logging.debug: logging.DEBUG, logging.info: logging.INFO, logging.warning: logging.WARNING,
            logging.error: logging.ERROR, logging.critical: logging.CRITICAL,
            logging.fatal: logging.CRITICAL}.get(stream)


def _pformat(x):
    import pprint  # here, not at module level: only structures need it

    return pprint.pformat(x)
_DEFAULT_STREAM = sys.stderr


def _is_tensor_like(x):
    return _core.is_tensor(x) or _core.is_variable(x)


def _format_float(v, short, full, kind):
    if v != 0 and abs(v) < np.finfo(kind).tiny:
        v = kind(0.0) * np.sign(v)  # TensorFlow prints subnormals as (signed) zero
    text = "%.*g" % (short, v)
    if np.isfinite(v) and kind(text) != v:
        text = "%.*g" % (full, v)
    return text


def _element_formatter(dtype):
    if dtype == np.float32:
        return lambda v: _format_float(v, 6, 9, np.float32)
    if dtype == np.float64:
        return lambda v: _format_float(v, 15, 17, np.float64)
    if dtype == np.bool_:
        return lambda v: "1" if v else "0"
    return str


def _spacing(dim, ndims):
    if dim == ndims - 1:
        return " "
    return "\n" * (ndims - dim - 1) + " " * (dim + 1)


def _summarize_dim(a, dim, ends, fmt, out):
    """Appends the text of ``a`` (the slice at depth ``dim`` of an array of
    rank ``dim + a.ndim``): the first and last ``ends`` entries of every
    dimension, "..." between them when some are left out."""
    ndims = dim + a.ndim
    if a.ndim == 0:
        out.append(fmt(a[()]))
        return
    out.append("[")
    n = a.shape[0]
    head = min(ends, n)
    for i in range(head):
        if i > 0:
            out.append(_spacing(dim, ndims))
        _summarize_dim(a[i], dim + 1, ends, fmt, out)
    if n > 2 * ends:
        out.append(_spacing(dim, ndims))
        out.append("...")
    for i in range(max(ends, n - ends), n):
        out.append(_spacing(dim, ndims))
        _summarize_dim(a[i], dim + 1, ends, fmt, out)
    out.append("]")


def format_tensor(value, summarize=3):
    """A tensor's text as ``tf.print`` writes it: ``[1 2 3]``, nested
    brackets by dimension, floats with the fewest of 6/9 (float32) or
    15/17 (float64) significant digits that give the value back."""
    if _core.is_variable(value):
        value = value._peek()
    a = np.asarray(value)
    if summarize is None:
        summarize = 3
    ends = a.size if summarize < 0 else min(int(summarize), a.size)
    out = []
    _summarize_dim(a, 0, ends, _element_formatter(a.dtype), out)
    return "".join(out)


def _placeholder(template):
    p = "{}"
    k = 0
    while p in template:
        k += 1
        p = "{%d}" % (-k)
    return p


def _write(text, output_stream):
    if output_stream is _DEFAULT_STREAM or output_stream is sys.stderr or output_stream is sys.__stderr__:
        stream = sys.stderr
    elif output_stream is sys.stdout or output_stream is sys.__stdout__:
        stream = sys.stdout
    elif isinstance(output_stream, str) and output_stream.startswith("file://"):
        with open(output_stream[len("file://"):], "a") as f:
            f.write(text)
        return
    else:
        level = _log_level(output_stream)
        if level is None:
            raise ValueError("Unsupported output stream, logging level, or file.%s. Supported streams are "
                             "sys.stdout, sys.stderr, tf.logging.info, tf.logging.warning, tf.logging.error. File "
                             "needs to be in the form of 'file://<filepath>'." % (output_stream,))
        sys.modules["logging"].getLogger().log(level, text[:-1] if text.endswith("\n") else text)
        return
    stream.write(text)
    stream.flush()


def print(*inputs, **kwargs):  # noqa: A001 - TensorFlow's name
    """Prints ``inputs`` (tensors, Python values and nested structures of
    them) as ``tf.print`` does: tensors summarised to the first and last
    ``summarize`` entries of each dimension (-1: all), other values as
    ``pprint`` shows them, strings as they are, joined by ``sep`` and
    followed by ``end``.

    ``print(*inputs, output_stream=sys.stderr, summarize=3, sep=' ',
    end='\\n', name=None)``. ``output_stream``: ``sys.stdout``,
    ``sys.stderr``, ``"file://<path>"`` (appended to) or a ``logging``
    level function (``logging.info``, ``logging.warning``,
    ``logging.error``, ...), which logs on the root logger. Returns None
    (eager)."""
    output_stream = kwargs.pop("output_stream", _DEFAULT_STREAM)
    summarize = kwargs.pop("summarize", 3)
    sep = kwargs.pop("sep", " ")
    end = kwargs.pop("end", "\n")
    kwargs.pop("name", None)
    if end is None:  # TensorFlow's op then ends the line itself
        end = "\n"
    if kwargs:
        raise ValueError("Unrecognized keyword arguments for tf.print: %s" % (kwargs,))
    free = [_nest.map_structure(lambda x: "" if _is_tensor_like(x) else x, i) for i in inputs]
    placeholder = _placeholder(" ".join(_pformat(x) for x in free))
    tensors, templates = [], []
    for item in inputs:
        leaves = []
        for x in _nest.flatten(item):
            if _is_tensor_like(x):
                tensors.append(x)
                leaves.append(placeholder)
            else:
                leaves.append(x)
        if isinstance(item, str):
            templates.append(item)
        else:
            templates.append(_pformat(_nest.pack_sequence_as(item, leaves)))
    template = sep.join(templates).replace("'" + placeholder + "'", placeholder)
    pieces = template.split(placeholder)
    if len(pieces) != len(tensors) + 1:
        raise ValueError("print: %d placeholders in the template for %d tensors" % (len(pieces) - 1, len(tensors)))
    out = [pieces[0]]
    for t, rest in zip(tensors, pieces[1:]):
        out.append(format_tensor(t, summarize))
        out.append(rest)
    _write("".join(out) + end, output_stream)
