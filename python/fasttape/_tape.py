"""GradientTape: TensorFlow's tape API over the C++ tape.

The C++ core owns the state: the thread's stack of recording tapes, the
variables each tape watched (reading a trainable Variable while a tape
records watches it there) and the variable reads that custom gradients
collect. This module gives TensorFlow's signatures, nested structures of
targets and sources, and the docs.
"""

import contextlib
import enum

import numpy as np

from . import _core
from . import _nest
from ._array_ops import stack

__all__ = ["GradientTape", "UnconnectedGradients"]

_Tensor = _core.Tensor
_is_variable = _core.is_variable


@contextlib.contextmanager
def variable_watcher():
    """Collects the Variables read (on this thread) inside the block: the
    list it yields is filled when the block ends."""
    reads = _core._VariableReads()
    reads.start()
    seen = []
    try:
        yield seen
    finally:
        reads.stop()
        seen.extend(reads.variables())


class UnconnectedGradients(enum.Enum):
    """What ``gradient`` returns for a source the target does not depend on."""

    NONE = "none"
    ZERO = "zero"


def _unconnected(value):
    try:
        return UnconnectedGradients(value)
    except ValueError:
        raise ValueError("Unknown value for unconnected_gradients: %r" % (value,)) from None


class GradientTape:
    """Records operations for automatic differentiation (``tf.GradientTape``).

    Operations run inside the ``with`` block on tensors the tape watches (and
    on trainable Variables, which it watches when they are read) are recorded;
    ``gradient`` then differentiates a target with respect to sources by one
    reverse sweep. A non-persistent tape allows one ``gradient`` call and
    frees its records after it; ``persistent=True`` allows many.
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self._persistent = bool(persistent)
        self._watch_accessed_variables = bool(watch_accessed_variables)
        self._tape = None  # the C++ tape, made when first entered or watched (as TensorFlow's)

    def _started(self):
        if self._tape is None:
            self._tape = _core._Tape(self._persistent, self._watch_accessed_variables)
        return self._tape

    # ------------------------------------------------------------ context
    def __enter__(self):
        self._push_tape()
        return self

    def __exit__(self, typ, value, traceback):
        # No-op if the tape stopped already (a non-persistent gradient call
        # inside the block); from another thread it stops the tape there.
        if self._tape is not None:
            _core.pop_tape(self._tape)

    def _push_tape(self):
        tape = self._started()
        if tape.recording:
            raise ValueError("Tape is still recording, This can happen if you try to re-enter an already-active tape.")
        _core.push_tape(tape)

    def _pop_tape(self):
        if self._tape is None or not self._tape.recording:
            raise ValueError("Tape is not recording.")
        _core.pop_tape(self._tape)

    # ------------------------------------------------------------ watching
    def watch(self, tensor):
        """Ensures ``tensor`` (a tensor, a Variable, or a nested structure of
        them) is traced by this tape."""
        tape = self._tape if self._tape is not None else self._started()
        if type(tensor) is _Tensor:
            tape.watch(tensor)
            return
        for t in _nest.flatten(tensor):
            if _is_variable(t):
                tape.watch_variable(t)
            elif _core.is_tensor(t):
                tape.watch(t)
            else:
                raise ValueError("Passed in object %r of type %r, not tf.Tensor or tf.Variable"
                                 % (t, type(t).__name__))

    def watched_variables(self):
        """The Variables watched by this tape, in the order first watched."""
        return () if self._tape is None else tuple(self._tape.watched_variables())

    @contextlib.contextmanager
    def stop_recording(self):
        """Temporarily stops recording: ops inside are not traced."""
        if self._tape is None or not self._tape.recording:
            raise ValueError("Tape must be recording when calling stop_recording")
        self._pop_tape()
        try:
            yield
        finally:
            self._push_tape()

    def reset(self):
        """Clears everything this tape stored; it keeps recording if it was."""
        was_recording = self._tape is not None and self._tape.recording
        if was_recording:
            self._pop_tape()
        self._tape = None
        if was_recording:
            self._push_tape()

    # ------------------------------------------------------------ gradients
    def _flat_sources(self, flat):
        """Tensors to ask the core for; a Variable stands for every value of
        it watched on this tape (their gradients are summed)."""
        tensors, spans = [], []
        for s in flat:
            if _is_variable(s):
                vals = self._tape.variable_values(s) or [s._peek()]
                spans.append((len(tensors), len(vals), s))
                tensors.extend(vals)
            elif _core.is_tensor(s):
                spans.append((len(tensors), 1, s))
                tensors.append(s)
            else:
                raise ValueError("gradient: sources must be tensors or Variables (or nested structures of "
                                 "them), got %r of type %s" % (s, type(s).__name__))
        return tensors, spans

    def _begin_sweep(self):
        if self._tape is None or self._tape.released:
            raise RuntimeError("A non-persistent GradientTape can only be used to compute one set of gradients "
                               "(or jacobians)")
        if not self._persistent:
            _core.pop_tape(self._tape)

    def _finish_sources(self, raw, spans, unconnected, zero_shape):
        """One result per source span: the sum of its pieces, or None/zeros."""
        results = []
        for start, count, src in spans:
            gs = [g for g in raw[start:start + count] if g is not None]
            g = None
            if gs:
                g = gs[0]
                for extra in gs[1:]:
                    g = g + extra
            if g is None and unconnected is UnconnectedGradients.ZERO:
                value = src._peek() if _is_variable(src) else src
                g = _core.fill(zero_shape(value), 0.0, value._dtype_code)
            results.append(g)
        return results

    def _batched_sweep(self, t, tensors, seed):
        """One reverse sweep with the cotangents ``seed`` (leading batch
        axis). Records whose VJP cannot take a batch (custom gradients) make
        it fall back to one sweep per row, stacked."""
        if self._tape.batchable:
            return self._tape.gradient([t], tensors, [seed], False, 1)
        persistent = self._tape.persistent
        self._tape.persistent = True
        try:
            rows = [self._tape.gradient([t], tensors, [seed[k]], False, 0) for k in range(seed._shape[0])]
        finally:
            self._tape.persistent = persistent
        if not persistent:
            self._tape.release()  # as a non-persistent sweep would have
        out = []
        for i, src in enumerate(tensors):
            col = [r[i] for r in rows]
            if all(g is None for g in col):
                out.append(None)
            else:
                out.append(stack([_core.zeros_like_t(src) if g is None else g for g in col]))
        return out

    def jacobian(self, target, sources, unconnected_gradients=UnconnectedGradients.NONE,
                 parallel_iterations=None, experimental_use_pfor=True):
        """The full Jacobian of ``target`` with respect to each source: shape
        ``target.shape + source.shape``. Computed by one reverse sweep whose
        cotangents carry a leading batch axis (one row per target element)."""
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError("GradientTape must be created with persistent=True to compute the jacobian with "
                               "experimental_use_pfor=False.")
        self._begin_sweep()
        unconnected = _unconnected(unconnected_gradients)
        t = target._read() if _is_variable(target) else target
        if not _core.is_tensor(t):
            t = _core.to_tensor(t, None)
        flat_sources = _nest.flatten(sources)
        tensors, spans = self._flat_sources(flat_sources)
        n = int(np.prod(t._shape))
        seed = _core.from_numpy(np.eye(n, dtype=t.dtype.as_numpy_dtype).reshape((n,) + t._shape))
        raw = self._batched_sweep(t, tensors, seed)
        raw = [None if g is None else _core.reshape(g, t._shape + g._shape[1:]) for g in raw]
        results = self._finish_sources(raw, spans, unconnected, lambda v: t._shape + v._shape)
        return _nest.pack_sequence_as(sources, results)

    def batch_jacobian(self, target, source, unconnected_gradients=UnconnectedGradients.NONE,
                       parallel_iterations=None, experimental_use_pfor=True):
        """Per-example Jacobians: for target ``[b, y...]`` and source
        ``[b, x...]`` (examples independent), a tensor ``[b, y..., x...]``."""
        if not experimental_use_pfor and not self._persistent:
            raise RuntimeError("GradientTape must be created with persistent=True to compute the batch_jacobian "
                               "with experimental_use_pfor=False.")
        self._begin_sweep()
        unconnected = _unconnected(unconnected_gradients)
        t = target._read() if _is_variable(target) else target
        src = source._peek() if _is_variable(source) else source
        ts, ss = t._shape, src._shape
        for shape in (t.shape, src.shape):
            if len(shape) < 2:
                raise ValueError("Shape %s must have rank at least 2" % (shape,))
        if ts[0] != ss[0]:
            raise ValueError("Need first dimension of target shape (%s) and source shape (%s) to match."
                             % (t.shape, src.shape))
        b, rest = ts[0], ts[1:]
        n = int(np.prod(rest))
        eye = np.eye(n, dtype=t.dtype.as_numpy_dtype).reshape((n, 1) + rest)
        seed = _core.from_numpy(np.ascontiguousarray(np.broadcast_to(eye, (n, b) + rest)))
        tensors, spans = self._flat_sources([source])
        raw = self._batched_sweep(t, tensors, seed)
        out = []
        for g in raw:
            if g is not None:  # [n, b, x...] -> [b, y..., x...]
                perm = [1, 0] + list(range(2, len(g._shape)))
                g = _core.reshape(_core.transpose(g, perm), (b,) + rest + g._shape[2:])
            out.append(g)
        return self._finish_sources(out, spans, unconnected, lambda v: (b,) + rest + v._shape[1:])[0]

    def gradient(self, target, sources, output_gradients=None,
                 unconnected_gradients=UnconnectedGradients.NONE):
        """Gradients of ``target`` (a tensor or nested structure, summed) with
        respect to ``sources``, returned in the structure of ``sources``."""
        tape = self._tape
        if (type(target) is _Tensor and output_gradients is None
                and unconnected_gradients is UnconnectedGradients.NONE and tape is not None
                and not tape.released):
            # The common cases, without the structure handling below: one
            # tensor source, or one Variable watched once on this tape.
            source = sources
            if type(sources) is not _Tensor:
                values = tape.variable_values(sources) if _is_variable(sources) else None
                source = values[0] if values and len(values) == 1 else None
            if source is not None:
                if not self._persistent:
                    _core.pop_tape(tape)
                return tape.gradient_one(target, source)
        self._begin_sweep()
        unconnected = _unconnected(unconnected_gradients)
        flat_targets = [t._read() if _is_variable(t) else t for t in _nest.flatten(target)]
        for t in flat_targets:
            if isinstance(t, (np.ndarray, np.generic)):
                raise TypeError("GradientTape.gradient: the target is a numpy %s, not a tensor: it was computed "
                                "by numpy (np.square(v), np.asarray(t), ...), which the tape does not see, so no "
                                "gradient can reach it. Compute it with fasttape ops (tf.square(v)) instead."
                                % type(t).__name__)
        flat_targets = [t if _core.is_tensor(t) else _core.to_tensor(t, None) for t in flat_targets]
        flat_sources = _nest.flatten(sources)
        tensors, spans = self._flat_sources(flat_sources)
        out_grads = None
        if output_gradients is not None:
            flat_og = _nest.flatten(output_gradients)
            if len(flat_og) != len(flat_targets):
                raise ValueError("gradient: output_gradients has %d entries but target has %d; pass one per "
                                 "target (or None), shaped like the target" % (len(flat_og), len(flat_targets)))
            out_grads = [None if g is None else _core.to_tensor(g, t._dtype_code)
                         for g, t in zip(flat_og, flat_targets)]
        raw = self._tape.gradient(flat_targets, tensors, out_grads, False)
        results = self._finish_sources(raw, spans, unconnected, lambda v: v._shape)
        return _nest.pack_sequence_as(sources, results)
