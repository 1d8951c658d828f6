"""``fasttape.autodiff``: forward-mode automatic differentiation."""

from . import _core
from . import _nest
from ._tape import GradientTape, UnconnectedGradients

__all__ = ["ForwardAccumulator", "GradientTape"]


def _value(x):
    return x._peek() if _core.is_variable(x) else x


class ForwardAccumulator:
    """Computes Jacobian-vector products with forward-mode autodiff
    (``tf.autodiff.ForwardAccumulator``).

    ``primals`` (tensors or Variables, possibly nested) get the matching
    ``tangents``; inside the ``with`` block every op on them also computes its
    output's tangent with the op's JVP rule, and ``jvp(y)`` returns it.
    Accumulators nest with each other and with GradientTape in both orders.
    """

    def __init__(self, primals, tangents):
        self._acc = _core._Accumulator()
        self._recording = False
        flat_p, flat_t = _nest.flatten(primals), _nest.flatten(tangents)
        if len(flat_p) != len(flat_t):
            raise ValueError("ForwardAccumulator: got %d primals but %d tangents; they must have the same "
                             "structure" % (len(flat_p), len(flat_t)))
        for p, t in zip(flat_p, flat_t):
            pv = _value(p)
            if not _core.is_tensor(pv):
                raise TypeError("ForwardAccumulator: primals must be tensors or Variables, got %r" % (p,))
            tv = _value(t)
            tv = tv if _core.is_tensor(tv) else _core.to_tensor(tv, pv._dtype_code)
            self._acc.watch(pv, tv)

    def __enter__(self):
        if self._recording:
            raise ValueError("Accumulator is already recording.")
        _core.push_accumulator(self._acc)
        self._recording = True
        return self

    def __exit__(self, typ, value, traceback):
        if self._recording:
            _core.pop_accumulator(self._acc)
            self._recording = False

    def jvp(self, primals, unconnected_gradients=UnconnectedGradients.NONE):
        """The tangents of ``primals`` (a tensor or nested structure), in its
        structure; None (or zeros) where they do not depend on the watched
        primals."""
        unconnected = UnconnectedGradients(unconnected_gradients)
        out = []
        for p in _nest.flatten(primals):
            v = _value(p)
            t = self._acc.tangent(v) if _core.is_tensor(v) else None
            if t is None and unconnected is UnconnectedGradients.ZERO and _core.is_tensor(v):
                t = _core.zeros_like_t(v)
            out.append(t)
        return _nest.pack_sequence_as(primals, out)
