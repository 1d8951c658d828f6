"""Helpers shared by the fasttape tests (numerical gradients, comparisons)."""
import re
import zlib

import numpy as np


def to_np(x):
    """The value of a fasttape Tensor / Variable as a fresh ndarray."""
    return np.array(x.numpy())


def assert_close(actual, expected, rtol=1e-7, atol=0.0, err_msg=""):
    """allclose that also insists on identical shapes (no broadcasting)."""
    a = to_np(actual) if hasattr(actual, "numpy") else np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, (
        f"shape mismatch: got {a.shape}, expected {e.shape}. {err_msg}")
    np.testing.assert_allclose(a, e, rtol=rtol, atol=atol, err_msg=err_msg)


def assert_equal(actual, expected, err_msg=""):
    """Exact comparison that also checks shapes."""
    a = to_np(actual) if hasattr(actual, "numpy") else np.asarray(actual)
    e = np.asarray(expected)
    assert a.shape == e.shape, (
        f"shape mismatch: got {a.shape}, expected {e.shape}. {err_msg}")
    np.testing.assert_array_equal(a, e, err_msg=err_msg)


def central_diff_grad(g, xs, eps):
    """Central-difference gradient of a scalar function ``g(list_of_arrays)``.

    Returns one array per input, of the input's shape, in float64.
    """
    xs = [np.array(x, dtype=np.float64) for x in xs]
    grads = []
    for i, x in enumerate(xs):
        gi = np.zeros(x.shape, dtype=np.float64)
        for idx in np.ndindex(*x.shape):
            plus = [a.copy() for a in xs]
            minus = [a.copy() for a in xs]
            plus[i][idx] += eps
            minus[i][idx] -= eps
            gi[idx] = (g(plus) - g(minus)) / (2.0 * eps)
        grads.append(gi)
    return grads


def seeded_rng(text):
    """A numpy Generator whose seed is a stable function of ``text``."""
    return np.random.default_rng(zlib.crc32(text.encode("utf-8")))


def shape_in_message(msg, shape):
    """True if ``shape`` is spelled in ``msg`` in one of the usual ways:
    TF's ``[2,3]``, ``[2, 3]``, or a Python tuple ``(2, 3)`` / ``(4,)``."""
    compact = msg.replace(" ", "")
    dims = [str(int(d)) for d in shape]
    forms = ["[" + ",".join(dims) + "]", "(" + ",".join(dims) + ")"]
    if len(dims) == 1:
        forms.append("(" + dims[0] + ",)")
    return any(f in compact for f in forms)


DTYPE_PATTERNS = {
    # TF spells float32 as 'float' and float64 as 'double' in kernel errors.
    "float32": r"float32|float(?!\d)",
    "float64": r"float64|double",
    "int32": r"int32",
    "int64": r"int64",
    "bool": r"bool",
}


def dtype_in_message(msg, name):
    """True if dtype ``name`` is named in ``msg``."""
    return re.search(DTYPE_PATTERNS[name], msg.lower()) is not None
