"""Control flow and small eager utilities: ``cond``, ``case``,
``switch_case``, ``while_loop``, ``map_fn``, ``scan``, ``foldl``,
``foldr``, ``vectorized_map``, ``recompute_grad``, ``grad_pass_through``,
``get_static_value``, ``executing_eagerly``, ``device``, ``no_op``,
``group``, ``tuple``, ``control_dependencies``.

fasttape executes eagerly, so control flow is Python control flow run by
these functions with TensorFlow's argument rules and errors; the tape
records the ops each iteration or branch runs, which is how gradients flow
through them (to any order)."""

import contextlib
import re

import numpy as np

from . import _core
from . import _nest
from ._array_ops import stack
from ._custom import custom_gradient
from ._dtypes import as_dtype
from ._tape import GradientTape, UnconnectedGradients, variable_watcher
from ._tensor import convert_to_tensor
from .errors import InvalidArgumentError, OutOfRangeError

__all__ = ["cond", "case", "switch_case", "while_loop", "map_fn", "scan", "foldl", "foldr", "vectorized_map",
           "recompute_grad", "grad_pass_through", "get_static_value", "executing_eagerly", "device", "no_op",
           "group", "tuple", "control_dependencies"]

_builtin_tuple = tuple


def _to_tensor(x):
    if _core.is_variable(x):
        return x._read()
    return x if _core.is_tensor(x) else convert_to_tensor(x)


def _truth(pred):
    """A Python bool from a bool/number or a one-element tensor (a tensor
    with several elements raises ValueError, as in TensorFlow)."""
    if isinstance(pred, (bool, np.bool_)) or _core.is_tensor(pred) or _core.is_variable(pred):
        return bool(pred)
    return bool(_to_tensor(pred))


# ---------------------------------------------------------------- branches
def cond(pred, true_fn=None, false_fn=None, name=None):
    """``true_fn()`` if ``pred`` (a scalar bool tensor or Python bool) is
    true, else ``false_fn()``. Only the branch taken runs."""
    if true_fn is None:
        raise TypeError("cond(): 'true_fn' argument required")
    if false_fn is None:
        raise TypeError("cond(): 'false_fn' argument required")
    if not callable(true_fn):
        raise TypeError("'true_fn' must be callable.")
    if not callable(false_fn):
        raise TypeError("'false_fn' must be callable.")
    return true_fn() if _truth(pred) else false_fn()


def case(pred_fn_pairs, default=None, exclusive=False, strict=False, name="case"):
    """Runs the fn of the first pair whose pred (a bool tensor) is true, or
    ``default()`` when none is; with neither, raises InvalidArgumentError.
    ``pred_fn_pairs``: a list or tuple of ``(pred, fn)`` pairs (or a dict).
    As TensorFlow's eager ``case``, ``exclusive=True`` does not check that
    only one pred is true: the first true one wins."""
    if isinstance(pred_fn_pairs, dict):
        pairs = list(pred_fn_pairs.items())
    elif isinstance(pred_fn_pairs, (list, _builtin_tuple)):
        pairs = list(pred_fn_pairs)
    else:
        raise TypeError("'pred_fn_pairs' must be a list, tuple, or dict. Received: %s" % type(pred_fn_pairs))
    if not pairs:
        raise ValueError("case: 'pred_fn_pairs' must hold at least one (pred, fn) pair")
    for pair in pairs:
        if not isinstance(pair, _builtin_tuple) or len(pair) != 2:
            raise TypeError("Each entry in pred_fn_pairs must be a 2-tuple. Received %s" % (pair,))
        pred, fn = pair
        if not _core.is_tensor(pred):
            raise TypeError("pred must be a Tensor, got: %s" % (pred,))
        if pred.dtype.name != "bool":
            raise TypeError("pred must be Tensor of type bool: %s" % pred.dtype.name)
        if not callable(fn):
            raise TypeError("fn for pred %s must be callable." % (pred,))
    if default is not None and not callable(default):
        raise TypeError("default must be callable.")
    values = [_truth(p) for p, _ in pairs]
    for v, (_, fn) in zip(values, pairs):
        if v:
            return fn()
    if default is not None:
        return default()
    raise InvalidArgumentError(None, None, "Expected 'tf.Tensor(False, shape=(), dtype=bool)' to be true. Summarized "
                               "data: b'Input error: None of conditions evaluated as True:'\n%s"
                               % ", ".join(str(v) for v in values[:3] + (["..."] if len(values) > 3 else [])))


def switch_case(branch_index, branch_fns, default=None, name="switch_case"):
    """``branch_fns[branch_index]()``. ``branch_fns``: a list of callables,
    a list of ``(index, callable)`` pairs or a dict, the indices forming
    0..n-1. An index out of range runs ``default`` (the last branch when
    ``default`` is None). ``branch_index`` must be an integer tensor."""
    if not _core.is_tensor(branch_index):
        raise TypeError("'branch_index' must be a Tensor, got %s" % type(branch_index))
    if not branch_index.dtype.is_integer:
        raise TypeError("'branch_index' must be an integer Tensor, got %s" % branch_index.dtype)
    if not branch_fns:
        raise ValueError("Must provide at least one item in 'branch_fns'")
    if isinstance(branch_fns, dict):
        items = list(branch_fns.items())
    elif all(isinstance(b, _builtin_tuple) and len(b) == 2 for b in branch_fns):
        items = list(branch_fns)
    else:
        items = list(enumerate(branch_fns))
    for key, fn in items:
        if not isinstance(key, (int, np.integer)) or isinstance(key, bool):
            raise TypeError("branch_index must be an int or an integer Tensor: %s" % (key,))
        if not callable(fn):
            raise TypeError("fn for branch_index %s must be callable." % (key,))
    keys = sorted(int(k) for k, _ in items)
    if keys != list(range(len(items))):
        raise ValueError("branch indices (keys) must form contiguous range of [0 to %d) but found {%s}"
                         % (len(items), ",".join(str(k) for k in keys)))
    fns = dict((int(k), f) for k, f in items)
    if default is not None and not callable(default):
        raise TypeError("'default' must be callable.")
    i = int(np.asarray(branch_index))
    if i in fns:
        return fns[i]()
    return default() if default is not None else fns[len(fns) - 1]()


# ---------------------------------------------------------------- loops
def while_loop(cond, body, loop_vars, shape_invariants=None, parallel_iterations=10, back_prop=True,
               swap_memory=False, maximum_iterations=None, name=None):
    """Repeats ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)``
    (at most ``maximum_iterations`` times) and returns the final loop vars.

    As TensorFlow 2's eager ``while_loop``: ``loop_vars`` is a list or tuple
    whose entries ``cond`` and ``body`` receive as arguments, ``body`` must
    return a list or tuple of the same structure (a body for ``[x]``
    returns ``[x']`` or ``(x',)``, not a bare tensor), and the leaves of the
    result are converted to tensors. ``shape_invariants``,
    ``parallel_iterations`` and ``swap_memory`` have no effect eagerly;
    ``back_prop=False`` stops gradients through the results."""
    if not callable(cond):
        raise TypeError("'cond' must be callable.")
    if not callable(body):
        raise TypeError("'body' must be callable.")
    if parallel_iterations is not None and parallel_iterations < 1:
        raise TypeError("'parallel_iterations' must be a positive integer.")
    if _core.is_tensor(loop_vars):
        if not loop_vars._shape:
            raise TypeError("Cannot iterate over a scalar tensor.")
    elif not loop_vars:
        raise ValueError("'loop_vars' must be provided.")
    # As TensorFlow: Variables are read now, other values are converted to
    # tensors on the way out (the body sees them as given).
    loop_vars = _nest.map_structure(lambda v: v._read() if _core.is_variable(v) else v, loop_vars)
    limit = None
    if maximum_iterations is not None:
        m = np.asarray(_to_tensor(maximum_iterations))
        if m.ndim != 0:
            raise ValueError("'maximum_iterations' must be a scalar. Received shape: %s" % (m.shape,))
        limit = int(m)
    structure = _nest.map_structure(_spec_of, list(loop_vars))  # TensorSpec-like, for the error text
    i = 0
    while (limit is None or i < limit) and _truth(cond(*loop_vars)):
        loop_vars = body(*loop_vars)
        _nest.assert_same_structure(structure, list(loop_vars))
        i += 1
    loop_vars = _nest.map_structure(_to_tensor, loop_vars)
    if not back_prop:
        loop_vars = _nest.map_structure(_core.stop_gradient, loop_vars)
    return loop_vars


class _Spec:
    """What a loop var or map_fn output is expected to be (TensorSpec's text)."""

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype

    def __repr__(self):
        return "TensorSpec(shape=%s, dtype=tf.%s, name=None)" % (self.shape, self.dtype.name)


def _spec_of(t):
    t = _to_tensor(t)
    return _Spec(_builtin_tuple(t._shape), t.dtype)


def _flat_elems(elems):
    flat = [_to_tensor(e) for e in _nest.flatten(elems)]
    if not flat:
        raise ValueError("elems must be a Tensor or (possibly nested) sequence of Tensors. Got %s, which does not "
                         "contain any Tensors." % (elems,))
    for t in flat:
        if not t._shape:
            raise ValueError("Elements in elems must be 1+ dimensional Tensors, not scalars")
    n = flat[0]._shape[0]
    for t in flat[1:]:
        if t._shape[0] != n:
            raise ValueError("Dimensions %d and %d are not compatible" % (n, t._shape[0]))
    return flat, n


def _dtype_of_sig(sig):
    if sig is None:
        return None
    if hasattr(sig, "dtype") and not isinstance(sig, type):
        return as_dtype(sig.dtype)
    return as_dtype(sig)


def _coerce_output(value, dtype):
    if dtype is None:
        return _to_tensor(value)
    if _core.is_tensor(value) or _core.is_variable(value):
        t = _to_tensor(value)
        if t.dtype != dtype:
            raise InvalidArgumentError(None, None, "TensorArray dtype is %s but Op is trying to write dtype %s "
                                       % (dtype.name, t.dtype.name))
        return t
    return convert_to_tensor(value, dtype=dtype)


def _stack_outputs(columns, infer_shape, back_prop):
    out = []
    for col in columns:
        if infer_shape:
            first = col[0]._shape
            for t in col[1:]:
                if t._shape != first:
                    raise ValueError("Incompatible shape for value (%s), expected (%s)" % (t.shape, col[0].shape))
        s = stack(col)
        out.append(s if back_prop else _core.stop_gradient(s))
    return out


def map_fn(fn, elems, dtype=None, parallel_iterations=None, back_prop=True, swap_memory=False, infer_shape=True,
           name=None, fn_output_signature=None):
    """``fn`` applied to each slice of ``elems`` along axis 0, the results
    stacked. ``elems`` may be a nested structure of tensors (all with the
    same first dimension); ``fn`` then receives the same structure of
    slices. The output structure and dtypes are ``fn_output_signature``
    (or ``dtype``; by default those of ``elems``): Python values are
    converted to those dtypes, a tensor of another dtype raises
    InvalidArgumentError. Gradients flow through ``fn`` per element."""
    if not callable(fn):
        raise TypeError("fn must be callable, got %s" % (fn,))
    signature = fn_output_signature if fn_output_signature is not None else dtype
    flat, n = _flat_elems(elems)
    structure = signature
    if signature is None:
        signature = _nest.pack_sequence_as(elems, [t.dtype for t in flat])
        structure = elems
    flat_sig = _nest.flatten(signature)
    dtypes = [_dtype_of_sig(s) for s in flat_sig]
    if n == 0:
        # fn never runs: (0,) plus the signature's shape where it gives one
        # (an unknown dimension counts as 0).
        shapes = [_builtin_tuple(0 if d is None else int(d) for d in (getattr(s, "shape", None) or ()))
                  for s in flat_sig]
        outs = [_core.fill((0,) + s, 0.0, int(d._code)) for s, d in zip(shapes, dtypes)]
        return _nest.pack_sequence_as(signature, outs)
    columns = [[] for _ in flat_sig]
    for i in range(n):
        item = _nest.pack_sequence_as(elems, [t[i] for t in flat])
        result = fn(item)
        _nest.assert_same_structure(structure, result)
        for col, v, d in zip(columns, _nest.flatten(result), dtypes):
            col.append(_coerce_output(v, d))
    return _nest.pack_sequence_as(signature, _stack_outputs(columns, infer_shape, back_prop))


def _check_fn(fn):
    if not callable(fn):
        raise TypeError("fn must be callable, got %s" % (fn,))


def scan(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, infer_shape=True,
         reverse=False, name=None):
    """The running results of ``a = fn(a, x)`` over the slices ``x`` of
    ``elems`` along axis 0, stacked (``output[i]`` belongs to slice ``i``,
    also with ``reverse=True``, which runs from the last slice). Without
    ``initializer`` the first slice is the initial ``a`` (and the first
    output)."""
    _check_fn(fn)
    flat, n = _flat_elems(elems)
    order = list(range(n))[::-1] if reverse else list(range(n))
    slice_at = lambda i: _nest.pack_sequence_as(elems, [t[i] for t in flat])  # noqa: E731
    results = {}
    if initializer is None:
        if n == 0:
            raise OutOfRangeError(None, None, "Tried to read from index 0 but array size is: 0 ")
        a = slice_at(order[0])
        results[order[0]] = a
        order = order[1:]
        structure = elems
    else:
        a = _nest.map_structure(_to_tensor, initializer)
        structure = initializer
    for i in order:
        a = fn(a, slice_at(i))
        _nest.assert_same_structure(structure, a)
        results[i] = a
    if n == 0:
        return _nest.map_structure(lambda t: _core.fill((0,) + t._shape, 0.0, t._dtype_code), a)
    rows = [_nest.flatten(results[i]) for i in range(n)]
    columns = [[_to_tensor(r[k]) for r in rows] for k in range(len(rows[0]))]
    return _nest.pack_sequence_as(structure, _stack_outputs(columns, infer_shape, back_prop))


def _fold(fn, elems, initializer, back_prop, reverse):
    _check_fn(fn)
    flat, n = _flat_elems(elems)
    order = list(range(n))[::-1] if reverse else list(range(n))
    slice_at = lambda i: _nest.pack_sequence_as(elems, [t[i] for t in flat])  # noqa: E731
    if initializer is None:
        if n == 0:
            raise OutOfRangeError(None, None, "Tried to read from index 0 but array size is: 0 ")
        a = slice_at(order[0])
        order = order[1:]
    else:
        a = _nest.map_structure(_to_tensor, initializer)
    for i in order:
        a = fn(a, slice_at(i))
    if not back_prop:
        a = _nest.map_structure(lambda v: _core.stop_gradient(_to_tensor(v)), a)
    return a


def foldl(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """``fn(...fn(fn(initializer, x0), x1)..., xn-1)`` over the slices of
    ``elems`` along axis 0 (without ``initializer``, ``x0`` starts)."""
    return _fold(fn, elems, initializer, back_prop, reverse=False)


def foldr(fn, elems, initializer=None, parallel_iterations=10, back_prop=True, swap_memory=False, name=None):
    """As ``foldl``, from the last slice to the first."""
    return _fold(fn, elems, initializer, back_prop, reverse=True)


def vectorized_map(fn, elems, fallback_to_while_loop=True, warn=True):
    """``fn`` applied to each slice of ``elems`` along axis 0, the results
    stacked (structure and dtypes from ``fn``'s results).

    TensorFlow rewrites ``fn`` into batched ops (pfor); fasttape cannot
    know in general that ``fn`` broadcasts over a leading axis, so it calls
    ``fn`` once per slice and stacks the results: the same values and
    gradients, at the cost of a Python loop."""
    _check_fn(fn)
    flat, n = _flat_elems(elems)
    slice_at = lambda i: _nest.pack_sequence_as(elems, [t[i] for t in flat])  # noqa: E731
    if n == 0:
        # As TensorFlow traces fn once: the result's structure, dtypes and
        # shapes come from a call on a zero slice.
        probe = fn(_nest.pack_sequence_as(elems, [_core.fill(t._shape[1:], 0.0, t._dtype_code) for t in flat]))
        return _nest.map_structure(lambda v: _core.fill((0,) + _to_tensor(v)._shape, 0.0, _to_tensor(v)._dtype_code),
                                   probe)
    results = [fn(slice_at(i)) for i in range(n)]
    for r in results[1:]:
        _nest.assert_same_structure(results[0], r)
    rows = [[_to_tensor(v) for v in _nest.flatten(r)] for r in results]
    columns = [[r[k] for r in rows] for k in range(len(rows[0]))]
    return _nest.pack_sequence_as(results[0], _stack_outputs(columns, True, True))


# ---------------------------------------------------------------- gradients
def _run_unrecorded(f, args, kwargs):
    """``f(*args, **kwargs)`` run while no tape or accumulator of this
    thread records. Returns the result and the Variables ``f`` read."""
    suspension = _core._Suspension()
    try:
        with variable_watcher() as seen:
            result = f(*args, **kwargs)
    finally:
        suspension.resume()
    return result, seen


def recompute_grad(f):
    """``f`` wrapped so that its forward pass keeps nothing for the
    gradient: the forward runs without recording (only the inputs and the
    outputs are kept), and the backward pass runs ``f`` again under a tape
    to get the gradients. Trades compute for memory, as TensorFlow's
    ``recompute_grad``.

    Positional arguments (tensors, or nested structures of them) and the
    trainable Variables ``f`` reads get gradients; keyword arguments are
    passed through. The gradient recomputation is itself recorded by outer
    tapes, so higher orders work. While the forward runs, no tape or
    accumulator of the thread records (TensorFlow's ``stop_recording``, for
    all of them)."""

    def inner(*args, **kwargs):
        flat_args = [_to_tensor(a) for a in _nest.flatten(list(args))]
        packed = _nest.pack_sequence_as(list(args), flat_args)
        result, seen = _run_unrecorded(f, packed, kwargs)
        variables = [v for v in seen if v.trainable]
        var_values = [v._read() for v in variables]  # watched by the active tapes, as a read in f would be
        flat_result = [_to_tensor(r) for r in _nest.flatten(result)]
        n_args = len(flat_args)

        def backward(upstream, outputs):
            with GradientTape() as tape:
                tape.watch(flat_args)
                for v in variables:
                    tape.watch(v)
                again = f(*_nest.pack_sequence_as(list(args), flat_args), **kwargs)
            targets = [_to_tensor(r) for r in _nest.flatten(again)]
            grads = tape.gradient(targets, flat_args + variables, output_gradients=list(upstream),
                                  unconnected_gradients=UnconnectedGradients.ZERO)
            return grads[:n_args] + grads[n_args:]

        outs = _core.custom_gradient(flat_args + var_values, flat_result, backward)
        return _nest.pack_sequence_as(result, outs)

    try:
        inner.__name__ = getattr(f, "__name__", "recompute_grad")
        inner.__doc__ = getattr(f, "__doc__", None)
    except (AttributeError, TypeError):
        pass
    return inner


def grad_pass_through(f):
    """``f`` whose gradient is the identity: the wrapped call returns
    ``f(*args)`` and passes the upstream gradients straight to the
    arguments (one output per argument, as for ``v.assign``)."""

    @custom_gradient
    def through(*args, **kwargs):
        def grad(*upstream, variables=None):
            if variables is not None:
                return list(upstream), [None] * len(variables)
            return list(upstream) if len(upstream) != 1 else upstream[0]

        return f(*args, **kwargs), grad

    return through


# ---------------------------------------------------------------- eager utilities
def get_static_value(tensor, partial=False):
    """The numpy value of a tensor; None for a Variable (its value can
    change); any other value as it is."""
    if _core.is_variable(tensor):
        return None
    if _core.is_tensor(tensor):
        return tensor.numpy()
    return tensor


def executing_eagerly():
    """True: fasttape always executes eagerly (``fasttape.function``
    included)."""
    return True


_DEVICE_RE = re.compile(r"^(?:/job:[a-z0-9_]+)?(?:/replica:\d+)?(?:/task:\d+)?"
                        r"(?:/?(?:device:)?([a-z_]+)(?::(\d+|\*))?)?$")


def _check_device(name):
    if name is None:
        return
    if callable(name):
        raise RuntimeError("tf.device does not support functions when eager execution is enabled.")
    if hasattr(name, "to_string"):
        name = name.to_string()
    text = str(name).strip()
    m = _DEVICE_RE.match(text.lower())
    if m is None:
        raise ValueError("Unknown attribute '%s' is encountered while parsing the device spec: '%s'." % (text, text))
    kind = m.group(1)
    if kind is None or kind == "cpu":
        return
    if kind in ("gpu", "tpu", "xla_gpu", "xla_cpu", "xla_tpu"):
        raise ValueError("device %r: fasttape runs on the CPU only; use '/CPU:0' (or no device scope)" % text)
    raise ValueError("Unknown attribute '%s' is encountered while parsing the device spec: '%s'." % (text, text))


@contextlib.contextmanager
def device(device_name):
    """A scope for ops on ``device_name``: a CPU device ("/cpu:0",
    "/device:CPU:0", "/job:localhost/replica:0/task:0/device:CPU:0",
    "cpu", ...) or None; every op already runs on the CPU. Other devices
    (GPU, TPU) raise ValueError: fasttape runs on the CPU only."""
    _check_device(device_name)
    yield None


def no_op(name=None):
    """Does nothing (returns None, as TensorFlow's eager ``no_op``)."""
    return None


def group(*inputs, **kwargs):
    """Eagerly every op has already run: returns None."""
    return None


def tuple(tensors, control_inputs=None, name=None):  # noqa: A001 - TensorFlow's name
    """``tensors`` as a list (eagerly, the values are already computed)."""
    return list(tensors)


@contextlib.contextmanager
def control_dependencies(control_inputs):
    """Eagerly ops run in program order: callables in ``control_inputs``
    are called, and the scope does nothing else."""
    for c in control_inputs or ():
        if callable(c):
            c()
    yield None
