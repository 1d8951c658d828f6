"""``fasttape.debugging``: TensorFlow's assertions (``tf.debugging``).

Eager semantics throughout: an assertion checks at once, returns None when
it holds and raises otherwise: ``InvalidArgumentError`` for a value check,
``ValueError`` for a static shape or rank check, ``TypeError`` for a dtype
check, with TensorFlow's message text."""

import numpy as np

from . import _core
from ._custom import check_numerics
from ._dtypes import as_dtype
from ._tensor import convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["Assert", "assert_all_finite", "assert_equal", "assert_greater", "assert_greater_equal", "assert_integer",
           "assert_less", "assert_less_equal", "assert_near", "assert_negative", "assert_non_negative",
           "assert_non_positive", "assert_none_equal", "assert_positive", "assert_proper_iterable", "assert_rank",
           "assert_rank_at_least", "assert_rank_in", "assert_same_float_dtype", "assert_scalar", "assert_shapes",
           "assert_type", "check_numerics", "is_numeric_tensor"]

# The assertions TensorFlow also has at its top level (tf.assert_equal, ...).
TOP_LEVEL = ["Assert", "assert_equal", "assert_greater", "assert_less", "assert_rank"]


def _tensor(x):
    if _core.is_variable(x):
        return x._read()
    return x if _core.is_tensor(x) else convert_to_tensor(x)


def _prefix(message):
    return "%s.  " % message if message else ""


def _shape_str(shape):
    return str(tuple(shape))


def _shape_and_dtype(t):
    return "shape=%s dtype=%s" % (_shape_str(t._shape), t.dtype.name)


def _binary_assert(sym, op, x, y, message, summarize):
    x, y = _tensor(x), _tensor(y)
    test = np.asarray(op(x, y))
    if test.all():
        return None
    if summarize is None:
        summarize = 3
    elif summarize < 0:
        summarize = 10 ** 9
    xa, ya = np.asarray(x), np.asarray(y)
    data = ["Condition x %s y did not hold." % sym]
    if summarize > 0:
        if xa.shape == ya.shape and xa.shape:
            mask = ~test
            indices = np.argwhere(mask)
            n = min(summarize, indices.shape[0])
            data += ["Indices of first %d different values:" % n, indices[:n],
                     "Corresponding x values:", xa[mask].reshape(-1)[:n],
                     "Corresponding y values:", ya[mask].reshape(-1)[:n]]
        xf, yf = xa.reshape(-1), ya.reshape(-1)
        nx, ny = min(xf.size, summarize), min(yf.size, summarize)
        data += ["First %d elements of x:" % nx, xf[:nx], "First %d elements of y:" % ny, yf[:ny]]
    if message is not None:
        data = [message] + data
    raise InvalidArgumentError(None, None, "\n".join(str(d) for d in data))


def assert_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x == y`` holds elementwise."""
    return _binary_assert("==", _core.equal, x, y, message, summarize)


def assert_none_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x != y`` holds elementwise."""
    return _binary_assert("!=", _core.not_equal, x, y, message, summarize)


def assert_less(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x < y`` holds elementwise."""
    return _binary_assert("<", _core.less, x, y, message, summarize)


def assert_less_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x <= y`` holds elementwise."""
    return _binary_assert("<=", _core.less_equal, x, y, message, summarize)


def assert_greater(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x > y`` holds elementwise."""
    return _binary_assert(">", _core.greater, x, y, message, summarize)


def assert_greater_equal(x, y, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x >= y`` holds elementwise."""
    return _binary_assert(">=", _core.greater_equal, x, y, message, summarize)


def _summarize_eager(x, summarize):
    """TensorFlow's text for one data item of ``Assert``."""
    if isinstance(x, str):
        x = x.encode()
    if isinstance(x, bytes):
        return "" if summarize == 0 else str(x)
    a = np.asarray(_tensor(x))
    if summarize is None:
        summarize = 3
    elif summarize < 0:
        summarize = a.size
    if a.ndim == 0:
        return str(a[()]) if summarize != 0 else ""
    flat = a.reshape(-1)
    items = [str(v) for v in flat[:summarize]]
    if len(items) < flat.size:
        items.append("...")
    return ", ".join(items)


def _condition_str(condition):
    if _core.is_tensor(condition):
        return "tf.Tensor(%s, shape=%s, dtype=%s)" % (bool(np.asarray(condition).all()), _shape_str(condition._shape),
                                                     condition.dtype.name)
    return str(condition)


def Assert(condition, data, summarize=None, name=None):  # noqa: N802 - TensorFlow's name
    """Raises InvalidArgumentError listing ``data`` (each summarised to
    ``summarize`` entries) if the scalar ``condition`` is false."""
    if bool(np.asarray(_tensor(condition)).all()):
        return None
    _fail(_condition_str(condition), data, summarize)


def _fail(condition_text, data, summarize):
    text = "\n".join(_summarize_eager(d, summarize) for d in data)
    raise InvalidArgumentError(None, None, "Expected '%s' to be true. Summarized data: %s" % (condition_text, text))


def assert_near(x, y, rtol=None, atol=None, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``|x - y| < atol + rtol * |y|``
    elementwise. The tolerances default to 10 * eps of the dtype
    (1.19e-6 for float32, 2.2e-15 for float64)."""
    x = _tensor(x)
    y = _core.to_tensor(y, x._dtype_code) if not _core.is_tensor(y) else y
    dt = x.dtype
    eps = np.finfo(dt.as_numpy_dtype).eps
    np_t = dt.as_numpy_dtype
    rtol = np_t(10 * eps if rtol is None else rtol)
    atol = np_t(10 * eps if atol is None else atol)
    xa, ya = np.asarray(x), np.asarray(y)
    if np.all(np.abs(xa - ya) < atol + rtol * np.abs(ya)):
        return None
    data = [_prefix(message),
            "x and y not equal to tolerance rtol = tf.Tensor(%s, shape=(), dtype=%s), atol = tf.Tensor(%s, shape=(), "
            "dtype=%s)" % (rtol, dt.name, atol, dt.name),
            "x (%s) = " % _shape_and_dtype(x), x, "y (%s) = " % _shape_and_dtype(y), y]
    _fail("tf.Tensor(False, shape=(), dtype=bool)", data, summarize)


def assert_all_finite(x, message, name=None):
    """``x`` itself (the very tensor, so a tape's gradient reaches it), after
    checking it holds no NaN or Inf (InvalidArgumentError
    ``"<message> : Tensor had NaN values"``; float tensors only)."""
    x = convert_to_tensor(x)
    check_numerics(x, message)
    return x


def _sign_assert(sym, test, x, message, summarize, newline="\n"):
    x = _tensor(x)
    a = np.asarray(x)
    if test(a).all():
        return None
    if summarize is None:
        summarize = 3
    elif summarize < 0:
        summarize = a.size
    if a.ndim == 0:  # a scalar shows as its value, whatever ``summarize``
        items = str(a[()])
    else:
        flat = a.reshape(-1)
        items = [str(v) for v in flat[:summarize]]
        if len(items) < flat.size:
            items.append("...")
    text = "%s\nCondition x %s 0 did not hold element-wise:%sx (%s) = \n%s" % (
        _prefix(message), sym, newline, _shape_and_dtype(x), items)
    raise InvalidArgumentError(None, None, text)


def assert_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x > 0`` elementwise."""
    return _sign_assert(">", lambda a: a > 0, x, message, summarize)


def assert_non_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x >= 0`` elementwise."""
    return _sign_assert(">=", lambda a: a >= 0, x, message, summarize)


def assert_negative(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x < 0`` elementwise."""
    return _sign_assert("<", lambda a: a < 0, x, message, summarize)


def assert_non_positive(x, message=None, summarize=None, name=None):
    """Raises InvalidArgumentError unless ``x <= 0`` elementwise. (The
    message has no line break after "element-wise:", as TensorFlow's.)"""
    return _sign_assert("<=", lambda a: a <= 0, x, message, summarize, newline="")


def _static_int(value, what):
    if _core.is_tensor(value):
        a = np.asarray(value)
        if a.ndim != 0:
            raise ValueError("%s must be a scalar" % what)
        return int(a)
    return int(value)


def assert_rank(x, rank, message=None, name=None):
    """Raises ValueError unless ``x`` has rank ``rank``."""
    x = _tensor(x)
    r = _static_int(rank, "Rank")
    if len(x._shape) != r:
        raise ValueError("%sTensor %s must have rank %d.  Received rank %d, shape %s"
                         % (_prefix(message), "", r, len(x._shape), _shape_str(x._shape)))


def assert_rank_at_least(x, rank, message=None, name=None):
    """Raises ValueError unless ``x`` has rank ``rank`` or more."""
    x = _tensor(x)
    r = _static_int(rank, "Rank")
    if len(x._shape) < r:
        raise ValueError("%sTensor %s must have rank at least %d.  Received rank %d, shape %s"
                         % (_prefix(message), "", r, len(x._shape), _shape_str(x._shape)))


def assert_rank_in(x, ranks, message=None, name=None):
    """Raises ValueError unless ``x``'s rank is one of ``ranks``."""
    x = _tensor(x)
    rs = tuple(_static_int(r, "Rank") for r in ranks)
    if len(x._shape) not in rs:
        raise ValueError("%sTensor %s must have rank in %s.  Received rank %d, shape %s"
                         % (_prefix(message), "", rs, len(x._shape), _shape_str(x._shape)))


def assert_scalar(tensor, message=None, name=None):
    """Raises ValueError unless ``tensor`` is a scalar."""
    t = _tensor(tensor)
    if t._shape:
        raise ValueError("%sExpected scalar shape, saw shape: %s." % (_prefix(message), _shape_str(t._shape)))


def assert_type(tensor, tf_type, message=None, name=None):
    """Raises TypeError unless ``tensor`` has dtype ``tf_type``."""
    t = tensor if _core.is_variable(tensor) else _tensor(tensor)
    want = as_dtype(tf_type)
    if t.dtype != want:
        raise TypeError("%stensor must be of type tf.%s; got tf.%s" % (_prefix(message), want.name, t.dtype.name))


def assert_integer(x, message=None, name=None):
    """Raises TypeError unless ``x`` has an integer dtype."""
    t = x if _core.is_variable(x) else _tensor(x)
    if not t.dtype.is_integer:
        raise TypeError('%sExpected "x" to be integer type.  Found: tensor of dtype %s' % (_prefix(message), t.dtype))


def assert_proper_iterable(values):
    """Raises TypeError if ``values`` is a tensor, an ndarray, a string or
    not iterable (things that iterate but are not meant to be iterated)."""
    if _core.is_tensor(values) or isinstance(values, (np.ndarray, str, bytes)):
        raise TypeError('Expected argument "values" to be a "proper" iterable.  Found: %s' % type(values))
    if not hasattr(values, "__iter__"):
        raise TypeError('Expected argument "values" to be iterable.  Found: %s' % type(values))


def is_numeric_tensor(tensor):
    """True for a tensor of a numeric (non-bool) dtype."""
    return bool(_core.is_tensor(tensor)) and tensor.dtype.name != "bool"


def assert_same_float_dtype(tensors=None, dtype=None):
    """The common dtype of ``tensors`` (and ``dtype``), which must be a
    floating one; float32 when there is none. ValueError on a mismatch
    (naming the first tensor that differs) or a non-float dtype."""
    expected = as_dtype(dtype) if dtype is not None else None
    if tensors:
        first = None
        for t in tensors:
            if t is None:
                continue
            if expected is None:
                expected, first = t.dtype, t
            elif t.dtype != expected:
                raise ValueError("%s, type=%s, must be of the same type (%s)%s."
                                 % (t, t.dtype, expected, "" if first is None else " as %s" % (first,)))
    if expected is None:
        return as_dtype("float32")
    if not expected.is_floating:
        raise ValueError("Expected floating point type, got %s." % expected)
    return expected


def _spec_entries(spec):
    if spec is None:
        return None
    if _core.is_tensor(spec):
        spec = np.asarray(spec).tolist()
    return list(spec)


def assert_shapes(shapes, data=None, summarize=None, message=None, name=None):
    """Raises ValueError unless each tensor's shape matches its spec: a
    sequence of sizes (int), symbols (str: the same symbol must have the
    same size everywhere) or None (any size); a leading ``...`` or ``'*'``
    stands for any number of leading dimensions. ``shapes``: a list of
    ``(tensor, spec)`` pairs or a dict. A scalar and ``()`` count as
    ``(1,)``, as in TensorFlow."""
    pairs = list(shapes.items()) if isinstance(shapes, dict) else list(shapes)
    prefix = _prefix(message)
    symbols = {}
    for x, spec in pairs:
        t = _tensor(x)
        name_t = _shape_and_dtype(t)
        entries = _spec_entries(spec)
        if entries is None:
            continue
        if not entries:
            entries = [1]
        actual = list(t._shape) or [1]
        for i, e in enumerate(entries):
            if (e is Ellipsis or e == "*" or e == "...") and i > 0:
                raise ValueError("%sTensor %s specified shape index %d.  Symbol `...` or `*` for a variable number of "
                                 "unspecified dimensions is only allowed as the first entry" % (prefix, name_t, i))
        variadic = entries[0] is Ellipsis or entries[0] in ("*", "...")
        if variadic:
            entries = entries[1:]
            if len(actual) < len(entries):
                raise ValueError("%sTensor %s must have rank at least %d.  Received rank %d, shape %s"
                                 % (prefix, "", len(entries), len(t._shape), _shape_str(t._shape)))
            dims = actual[len(actual) - len(entries):]
            labels = [i - len(entries) for i in range(len(entries))]
        else:
            if len(actual) != len(entries):
                raise ValueError("%sTensor %s must have rank %d.  Received rank %d, shape %s"
                                 % (prefix, "", len(entries), len(t._shape), _shape_str(t._shape)))
            dims, labels = actual, list(range(len(entries)))
        for e, size, label in zip(entries, dims, labels):
            if e is None:
                continue
            if isinstance(e, str):
                if e not in symbols:
                    symbols[e] = (size, name_t, label)
                    continue
                want, src, src_label = symbols[e]
                origin = "Specified by tensor %s dimension %d" % (src, src_label)
            else:
                want, origin = int(e), "Specified explicitly"
            if size != want:
                raise ValueError("%s%s.  Tensor %s dimension %d must have size %d.  Received size %d, shape %s"
                                 % (prefix, origin, name_t, label, want, size, _shape_str(t._shape)))
