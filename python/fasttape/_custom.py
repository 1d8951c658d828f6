"""custom_gradient, stop_gradient and check_numerics."""

import functools

import numpy as np

from . import _core
from . import _nest
from ._tape import variable_watcher
from ._tensor import convert_to_tensor
from .errors import InvalidArgumentError

__all__ = ["custom_gradient", "stop_gradient"]


def _as_tensor(x):
    if _core.is_variable(x):
        return x._read()
    return x if _core.is_tensor(x) else convert_to_tensor(x)


def custom_gradient(f=None):
    """Decorator defining a function's gradient (``tf.custom_gradient``).

    ``f(*x)`` returns ``(y, grad_fn)``. ``grad_fn(*upstream)`` returns the
    gradients with respect to ``x`` (one per argument, None for none). If
    ``f`` reads Variables, ``grad_fn(*upstream, variables=...)`` returns
    ``(grads_x, grads_variables)``. Written with fasttape ops, ``grad_fn``
    is itself differentiated by outer tapes (higher orders) and by forward
    accumulators.
    """
    if f is None:
        return custom_gradient

    @functools.wraps(f)
    def decorated(*args, **kwargs):
        with variable_watcher() as watched:
            result, grad_fn = f(*args, **kwargs)
        # Variables read inside f, other than those passed in as arguments
        # (an argument gets its gradient as an input, as in TensorFlow).
        inputs_given = list(args) + list(kwargs.values())
        variables = [v for v in watched if v.trainable and not any(v is a for a in inputs_given)]
        if variables:
            import inspect  # only here: importing it costs milliseconds at start-up

            params = inspect.signature(grad_fn).parameters
            if "variables" not in params and not any(p.kind == p.VAR_KEYWORD for p in params.values()):
                raise TypeError("If using @custom_gradient with a function that uses variables, then grad_fn "
                                "must accept a keyword argument 'variables'.")
        inputs = [_as_tensor(a) for a in args]
        var_values = [v._peek() for v in variables]
        flat_result = [_as_tensor(r) for r in _nest.flatten(result)]
        n_args = len(inputs)

        def backward(upstream, outputs):
            if variables:
                grads = grad_fn(*upstream, variables=variables)
                if not (isinstance(grads, (list, tuple)) and len(grads) == 2):
                    raise ValueError("custom_gradient: with variables, grad_fn must return (input_grads, "
                                     "variable_grads)")
                in_grads, var_grads = grads
                var_grads = list(_nest.flatten(var_grads))
            else:
                in_grads, var_grads = grad_fn(*upstream), []
            in_grads = [None] if in_grads is None and n_args == 1 else _nest.flatten(in_grads)
            if len(in_grads) != n_args:
                raise ValueError("custom_gradient: grad_fn returned %d gradients for %d inputs of %s"
                                 % (len(in_grads), n_args, getattr(f, "__name__", "f")))
            if len(var_grads) != len(variables):
                raise ValueError("custom_gradient: grad_fn returned %d variable gradients for %d variables"
                                 % (len(var_grads), len(variables)))
            return [None if g is None else _as_tensor(g) for g in list(in_grads) + var_grads]

        outs = _core.custom_gradient(inputs + var_values, flat_result, backward)
        return _nest.pack_sequence_as(result, outs)

    return decorated


def stop_gradient(input, name=None):  # noqa: A002 - TensorFlow's name
    """``input``'s value, with no gradient (or tangent) flowing through it."""
    return _core.stop_gradient(_as_tensor(input))


def check_numerics(tensor, message, name=None):
    """``tensor`` itself, after checking it holds no NaN or Inf (raises
    InvalidArgumentError); its gradient is checked the same way."""
    t = _as_tensor(tensor)
    if not t.dtype.is_floating:
        raise InvalidArgumentError("check_numerics: Value for attr 'T' of %s is not in the list of allowed values: "
                                   "float, double; only floating-point tensors can hold NaN or Inf" % t.dtype.name)

    def check(x, what):
        a = np.asarray(x)
        if a.dtype.kind == "f":
            if np.isnan(a).any():
                raise InvalidArgumentError("%s : Tensor had NaN values%s" % (message, what))
            if np.isinf(a).any():
                raise InvalidArgumentError("%s : Tensor had Inf values%s" % (message, what))

    check(t, "")
    return _core.custom_gradient([t], [t], lambda up, outs: [check(up[0], " (in its gradient)") or up[0]])[0]
