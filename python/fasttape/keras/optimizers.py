"""``fasttape.keras.optimizers``: Keras 3's optimizers for custom training
loops (``optimizer.apply_gradients(zip(grads, variables))``).

Each step updates every variable and its slot variables (Adam's moments and
the like) with one fused C++ pass per variable, in place
(``fasttape/optim.hpp``); the formulas are Keras 3's, evaluated in the
variable's dtype. Gradient clipping (``clipnorm``, ``clipvalue``,
``global_clipnorm``) and decoupled weight decay (``weight_decay``) follow
Keras 3's order: clip, decay, update, then ``iterations += 1``.

Not provided: ``use_ema``, ``loss_scale_factor`` and
``gradient_accumulation_steps`` (a clear error when set), the legacy
optimizers, and sparse (IndexedSlices) updates: fasttape's gradients are
dense tensors.
"""

import warnings

import numpy as np

from .. import _core
from .._ops import clip_by_global_norm, clip_by_norm
from .._tape import GradientTape
from .._tensor import convert_to_tensor
from .._variable import Variable
from . import schedules
from .losses import auto_name
from .schedules import LearningRateSchedule

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "Nadam", "Lion", "schedules",
           "get", "serialize", "deserialize"]

_Rule = _core.OptimizerRule


def _is_number(x):
    return isinstance(x, (int, float, np.floating, np.integer)) and not isinstance(x, bool)


_PARAM_FIELDS = ("amsgrad", "centered", "nesterov", "step", "beta_1", "beta_2", "epsilon", "momentum", "rho",
                 "weight_decay", "learning_rate", "u_product")


def _with_float32(p, fields):
    """A copy of ``p`` with ``fields`` rounded to float32."""
    q = _core.OptimizerParams()
    for f in _PARAM_FIELDS:
        v = getattr(p, f)
        setattr(q, f, float(np.float32(v)) if f in fields else v)
    return q


class Optimizer:
    """Keras 3's optimizer base class: hyperparameters, slots, clipping,
    weight decay, the iteration counter and checkpointable state. A subclass
    names its fused rule (``_rule``), its slots (``_slot_names``) and its
    hyperparameters (``_params``)."""

    _rule = None
    _slot_names = ()
    # Slots Keras creates together, one variable after another; each group
    # is created for all variables of a ``build`` before the next group.
    _slot_groups = None
    # Keras's name of a slot where it differs from the checkpoint slot name.
    _slot_var_names = {}
    # Hyperparameters Keras casts to a float32 variable's dtype before its
    # arithmetic (Nadam's and Lion's ``1 - beta``); the others it combines
    # as Python floats first.
    _float32_params = ()

    def __init__(self, learning_rate, weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None,
                 use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        cls = type(self).__name__
        if kwargs.pop("decay", None) is not None:
            warnings.warn("Argument `decay` is no longer supported and will be ignored.", stacklevel=3)
        if kwargs:
            raise ValueError("Argument(s) not recognized: %s" % (kwargs,))
        if use_ema:
            raise ValueError("%s: use_ema=True (exponential moving averages of the weights) is not provided by "
                             "fasttape; keep averages with Variables of your own." % cls)
        if loss_scale_factor is not None:
            raise ValueError("%s: loss_scale_factor is not provided by fasttape (it computes in float32 and "
                             "float64, where loss scaling is not needed)." % cls)
        if gradient_accumulation_steps is not None:
            raise ValueError("%s: gradient_accumulation_steps is not provided by fasttape; sum the gradients of "
                             "several batches yourself and call apply_gradients once." % cls)
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError("Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                             "clipnorm=%s, clipvalue=%s, global_clipnorm=%s" % (clipnorm, clipvalue, global_clipnorm))
        for arg, val in (("clipnorm", clipnorm), ("clipvalue", clipvalue), ("global_clipnorm", global_clipnorm),
                         ("weight_decay", weight_decay)):
            if val is not None and not _is_number(val):
                raise ValueError("%s: `%s` must be a number or None, got %r" % (cls, arg, val))
        self.name = name if name is not None else auto_name(cls)
        self.weight_decay = weight_decay
        self.clipnorm = clipnorm
        self.clipvalue = clipvalue
        self.global_clipnorm = global_clipnorm
        self.use_ema = False
        self.ema_momentum = ema_momentum
        self.ema_overwrite_frequency = ema_overwrite_frequency
        self.loss_scale_factor = None
        self.gradient_accumulation_steps = None
        self._iterations = Variable(np.int64(0), trainable=False, name="iteration")
        self._variables = [self._iterations]
        if isinstance(learning_rate, LearningRateSchedule) or (callable(learning_rate)
                                                               and not _core.is_variable(learning_rate)):
            self._learning_rate = learning_rate
        elif _core.is_variable(learning_rate):
            self._learning_rate = learning_rate  # read at every step: assigning it changes the rate
            self._variables.append(learning_rate)
        elif _is_number(learning_rate) or _core.is_tensor(learning_rate):
            self._learning_rate = Variable(np.float32(float(learning_rate)), trainable=False, name="learning_rate")
            self._variables.append(self._learning_rate)
        else:
            raise ValueError("Argument `learning_rate` should be float, or an instance of LearningRateSchedule, or "
                             "a callable (that takes in the current iteration value and returns the corresponding "
                             "learning rate value). Received instead: learning_rate=%s" % (learning_rate,))
        self._slots = {}        # id(variable) -> [slot Variables]
        self._tracked = []      # the variables that have slots, in build order
        self._exclude_names = ()
        self._exclude_ids = set()
        self.built = False

    # ------------------------------------------------------------ state
    @property
    def iterations(self):
        return self._iterations

    @iterations.setter
    def iterations(self, value):
        self._iterations.assign(value)

    @property
    def variables(self):
        """The optimizer's variables: the iteration count, the learning rate
        (when it is a variable), then the slots in build order."""
        return list(self._variables)

    def _current_learning_rate(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            return lr(self._iterations)
        if callable(lr) and not _core.is_variable(lr):
            return lr()
        return lr

    @property
    def learning_rate(self):
        return self._current_learning_rate()

    @learning_rate.setter
    def learning_rate(self, value):
        if isinstance(value, LearningRateSchedule) or (callable(value) and not _core.is_variable(value)):
            if _core.is_variable(self._learning_rate) and any(v is self._learning_rate for v in self._variables):
                self._variables = [v for v in self._variables if v is not self._learning_rate]
            self._learning_rate = value
        elif isinstance(self._learning_rate, LearningRateSchedule):
            raise TypeError("This optimizer was created with a `LearningRateSchedule` object as its "
                            "`learning_rate` constructor argument, hence its learning rate is not settable. If you "
                            "need the learning rate to be settable, you should instantiate the optimizer with a "
                            "float `learning_rate` argument.")
        elif _core.is_variable(self._learning_rate) and not _core.is_variable(value):
            self._learning_rate.assign(np.asarray(value, dtype=self._learning_rate.dtype.as_numpy_dtype))
        else:
            raise TypeError("%s: the learning rate is a callable; set it to a float, a schedule or another "
                            "callable, not %r" % (type(self).__name__, value))

    def _params(self):
        """The rule's hyperparameters (a ``_core.OptimizerParams``)."""
        p = _core.OptimizerParams()
        return p

    def build(self, var_list):
        """Creates the slot variables of each variable not built yet; the
        new slots join ``variables`` in Keras's order (see ``_slot_groups``)."""
        new, seen = [], set()
        for v in var_list:
            if id(v) not in self._slots and id(v) not in seen:
                self._check_variable(v)
                seen.add(id(v))
                new.append(v)
        names = self._slot_names[:self._slot_count()]
        groups = self._slot_groups or ((n,) for n in names)
        made = {id(v): {} for v in new}
        for group in groups:
            group = [n for n in group if n in names]
            for v in new:
                for n in group:
                    slot = self._make_slot(v, n)
                    made[id(v)][n] = slot
                    self._variables.append(slot)
        for v in new:
            self._slots[id(v)] = [made[id(v)][n] for n in names]
            self._tracked.append(v)
        self.built = True

    def _slot_count(self):
        return _core.optimizer_slot_count(self._rule, self._params())

    def _slot_initial(self, variable, slot_name):
        return np.zeros(tuple(variable.shape), variable.dtype.as_numpy_dtype)

    def _check_variable(self, variable):
        if not _core.is_variable(variable):
            raise TypeError("%s: can only update fasttape.Variable objects, got %s"
                            % (type(self).__name__, type(variable).__name__))
        if variable.dtype.name not in ("float32", "float64"):
            raise TypeError("%s: cannot update variable '%s' of dtype %s; optimizers update float32 and float64 "
                            "variables" % (type(self).__name__, variable.name, variable.dtype.name))

    def _make_slot(self, variable, slot_name):
        # Keras names a slot "<variable name with '/' and ':' as '_'>_<slot>".
        base = variable.name.replace("/", "_").replace(":", "_")
        return Variable(self._slot_initial(variable, slot_name), trainable=False,
                        name="%s_%s" % (base, self._slot_var_names.get(slot_name, slot_name)))

    def _build_one(self, variable):
        if id(variable) not in self._slots:
            self.build([variable])
        return self._slots[id(variable)]

    def _slot_list(self, variable):
        return self._slot_names[:self._slot_count()]

    # ------------------------------------------------------------ weight decay
    def exclude_from_weight_decay(self, var_list=None, var_names=None):
        """Variables (or variables whose name contains one of ``var_names``)
        that weight decay leaves alone."""
        if var_list:
            self._exclude_ids.update(id(v) for v in var_list)
        if var_names:
            self._exclude_names = tuple(self._exclude_names) + tuple(var_names)

    def _use_weight_decay(self, variable):
        if id(variable) in self._exclude_ids:
            return False
        return not any(n in variable.name for n in self._exclude_names)

    # ------------------------------------------------------------ clipping
    def _clip_gradients(self, grads):
        if self.clipnorm is not None and self.clipnorm > 0:
            return [clip_by_norm(g, self.clipnorm) for g in grads]
        if self.global_clipnorm is not None and self.global_clipnorm > 0:
            return clip_by_global_norm(grads, self.global_clipnorm)[0]
        if self.clipvalue is not None and self.clipvalue > 0:
            c = self.clipvalue
            return [_core.clip_by_value(g, -c, c) for g in grads]
        return grads

    # ------------------------------------------------------------ applying
    def apply_gradients(self, grads_and_vars):
        """Applies ``(gradient, variable)`` pairs; pairs whose gradient is
        None are skipped with Keras's warning. Returns the iteration count."""
        pairs = list(grads_and_vars)
        grads = [g for g, _ in pairs]
        variables = [v for _, v in pairs]
        return self.apply(grads, variables)

    def apply(self, grads, trainable_variables=None):
        """Applies ``grads`` to ``trainable_variables`` (one step)."""
        grads = list(grads)
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built "
                                 "on a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = list(self._tracked)
        variables = list(trainable_variables)
        if not self.built:
            self.build(variables)  # Keras builds every listed variable, with or without a gradient
        if len(grads) != len(variables):
            raise ValueError("%s: got %d gradients for %d variables" % (type(self).__name__, len(grads),
                                                                       len(variables)))
        kept, missing = [], []
        for g, v in zip(grads, variables):
            if g is None:
                missing.append(v.name)
            else:
                kept.append((g, v))
        if not kept:
            raise ValueError("No gradients provided for any variable.")
        if missing:
            warnings.warn("Gradients do not exist for variables %s when minimizing the loss. If using "
                          "`model.compile()`, did you forget to provide a `loss` argument?" % missing,
                          stacklevel=2)
        grads = [convert_to_tensor(g) if not _core.is_tensor(g) else g for g, _ in kept]
        variables = [v for _, v in kept]
        seen = set()
        for v in variables:
            if id(v) in seen:
                raise ValueError("%s: variable '%s' appears twice in one apply_gradients call; add its "
                                 "gradients first" % (type(self).__name__, v.name))
            seen.add(id(v))
        slots = [self._build_one(v) for v in variables]
        self.built = True
        grads = self._clip_gradients(grads)
        p = self._params()
        lr = self._current_learning_rate()
        p.learning_rate = float(np.float32(lr)) if not _core.is_variable(lr) and not _core.is_tensor(lr) \
            else float(lr)
        if self.weight_decay:
            p.weight_decay = float(self.weight_decay)
        p.step = int(self._iterations) + 1
        self._before_step(p)
        decay = [self._use_weight_decay(v) for v in variables]
        groups = [(list(range(len(variables))), p)]
        if self._float32_params:
            f32 = [i for i, v in enumerate(variables) if v.dtype.name == "float32"]
            rest = [i for i, v in enumerate(variables) if v.dtype.name != "float32"]
            groups = [(f32, _with_float32(p, self._float32_params)), (rest, p)]
            if f32 and rest:
                self._check_gradients(variables, grads)  # two calls: nothing may change if either would fail
        for idx, params in groups:
            if idx:
                _core.optimizer_update(self._rule, params, [variables[i] for i in idx], [grads[i] for i in idx],
                                       [slots[i] for i in idx], [decay[i] for i in idx])
        self._iterations.assign_add(np.int64(1))
        return self._iterations

    def _check_gradients(self, variables, grads):
        for i, (v, g) in enumerate(zip(variables, grads)):
            if tuple(g.shape) != tuple(v.shape) or g.dtype.name != v.dtype.name:
                raise ValueError("%s: the gradient of variable %d has shape %s and dtype %s but the variable has "
                                 "shape %s and dtype %s" % (type(self).__name__, i, list(g.shape), g.dtype.name,
                                                            list(v.shape), v.dtype.name))

    def _before_step(self, params):
        """Per-step state a rule keeps outside its slots (Nadam's product)."""

    def minimize(self, loss, var_list, tape=None):
        """Computes the gradients of ``loss`` with ``tape`` (or of the
        callable ``loss`` under a new tape) and applies them."""
        grads_and_vars = self.compute_gradients(loss, var_list, tape)
        self.apply_gradients(grads_and_vars)
        return self._iterations

    def compute_gradients(self, loss, var_list, tape=None):
        if not callable(loss) and tape is None:
            raise ValueError("`tape` is required when a `Tensor` loss is passed. Received: loss=%s, tape=None."
                             % (loss,))
        if tape is None:
            tape = GradientTape()
        if callable(loss):
            with tape:
                if not callable(var_list):
                    tape.watch(var_list)
                loss = loss()
                if callable(var_list):
                    var_list = var_list()
        elif callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        grads = tape.gradient(loss, var_list)
        return list(zip(grads, var_list))

    def finalize_variable_values(self, var_list):
        """Kept for Keras compatibility: nothing to finalise without EMA."""

    # ------------------------------------------------------------ config
    def _hyper_config(self):
        return {}

    def get_config(self):
        lr = self._learning_rate
        if isinstance(lr, LearningRateSchedule):
            lr_cfg = schedules.serialize(lr)
        elif _core.is_variable(lr):
            lr_cfg = float(lr.numpy())
        else:
            lr_cfg = lr
        config = {"name": self.name, "learning_rate": lr_cfg, "weight_decay": self.weight_decay,
                  "clipnorm": self.clipnorm, "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
                  "use_ema": False, "ema_momentum": self.ema_momentum,
                  "ema_overwrite_frequency": self.ema_overwrite_frequency, "loss_scale_factor": None,
                  "gradient_accumulation_steps": None}
        config.update(self._hyper_config())
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        lr = config.get("learning_rate")
        if isinstance(lr, dict):
            config["learning_rate"] = schedules.deserialize(lr, custom_objects=custom_objects)
        return cls(**config)

    # ------------------------------------------------------------ checkpoints
    def _checkpoint_children(self):
        """The optimizer's own variables, by name, for fasttape.train.Checkpoint."""
        out = {"iteration": self._iterations}
        if isinstance(self._learning_rate, Variable) or _core.is_variable(self._learning_rate):
            out["learning_rate"] = self._learning_rate
        out.update(self._extra_children())
        return out

    def _extra_children(self):
        return {}

    def _checkpoint_slots(self):
        """(variable, slot name, slot variable) for every slot."""
        out = []
        for v in self._tracked:
            for name, s in zip(self._slot_list(v), self._slots[id(v)]):
                out.append((v, name, s))
        return out

    def _restore_slot(self, variable, slot_name, value):
        """Sets ``variable``'s slot ``slot_name`` from a checkpoint, building
        the variable's slots first when the optimizer has not seen it."""
        slots = self._build_one(variable)
        names = list(self._slot_list(variable))
        if slot_name not in names:
            raise ValueError("%s has no slot '%s' for variable '%s' (its slots: %s)"
                             % (type(self).__name__, slot_name, variable.name, names))
        slots[names.index(slot_name)].assign(value)

    def __repr__(self):
        return "<fasttape.keras.optimizers.%s name=%s>" % (type(self).__name__, self.name)


class SGD(Optimizer):
    """Gradient descent with optional momentum and Nesterov momentum:
    ``m = momentum*m - lr*g; x += m`` (Nesterov: ``x += momentum*m - lr*g``)."""

    _rule = _Rule.SGD
    _slot_names = ("momentum",)

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        if not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = momentum
        self.nesterov = bool(nesterov)

    def _params(self):
        p = _core.OptimizerParams()
        p.momentum = float(self.momentum)
        p.nesterov = self.nesterov
        return p

    def _hyper_config(self):
        return {"momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: ``m += (g - m)(1 - beta_1)``, ``v += (g^2 - v)(1 - beta_2)``,
    ``x -= m * lr * sqrt(1 - beta_2^t) / (1 - beta_1^t) / (sqrt(v) + epsilon)``;
    with ``amsgrad`` the running maximum of ``v`` replaces ``v``."""

    _rule = _Rule.Adam
    _slot_names = ("momentum", "velocity", "velocity_hat")
    _slot_groups = (("momentum", "velocity"), ("velocity_hat",))

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False,
                 weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = bool(amsgrad)

    def _params(self):
        p = _core.OptimizerParams()
        p.beta_1, p.beta_2, p.epsilon, p.amsgrad = float(self.beta_1), float(self.beta_2), float(self.epsilon), \
            self.amsgrad
        return p

    def _hyper_config(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.004): each step first
    scales the variable by ``1 - weight_decay * lr``."""


    def __init__(self, learning_rate=0.001, weight_decay=0.004, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False,
                 ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None,
                 gradient_accumulation_steps=None, name=None, **kwargs):
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay, clipnorm, clipvalue,
                         global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency, loss_scale_factor,
                         gradient_accumulation_steps, name, **kwargs)
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


class RMSprop(Optimizer):
    """RMSprop: ``v = rho v + (1 - rho) g^2``; the step is
    ``lr g / sqrt(v + epsilon)`` (centered: ``v - a^2 + epsilon`` with ``a``
    the running mean of ``g``), through a momentum slot when momentum > 0."""

    _rule = _Rule.RMSprop

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = bool(centered)
        names = ["velocity"]
        if momentum > 0:
            names.append("momentum")
        if self.centered:
            names.append("average_gradient")
        self._slot_names = tuple(names)

    def _params(self):
        p = _core.OptimizerParams()
        p.rho, p.momentum, p.epsilon, p.centered = float(self.rho), float(self.momentum), float(self.epsilon), \
            self.centered
        return p

    def _hyper_config(self):
        return {"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """Adagrad: ``acc += g^2``, ``x -= lr g / sqrt(acc + epsilon)``; the
    accumulator starts at ``initial_accumulator_value``."""

    _rule = _Rule.Adagrad
    _slot_names = ("accumulator",)

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def _slot_initial(self, variable, slot_name):
        return np.full(tuple(variable.shape), self.initial_accumulator_value, variable.dtype.as_numpy_dtype)

    def _params(self):
        p = _core.OptimizerParams()
        p.epsilon = float(self.epsilon)
        return p

    def _hyper_config(self):
        return {"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """Adamax (Adam with the infinity norm): ``u = max(beta_2 u, |g|)``,
    ``x -= lr m / ((1 - beta_1^t)(u + epsilon))``."""

    _rule = _Rule.Adamax
    _slot_names = ("m", "u")
    _slot_groups = (("m", "u"),)
    _slot_var_names = {"m": "momentum", "u": "norm"}

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def _params(self):
        p = _core.OptimizerParams()
        p.beta_1, p.beta_2, p.epsilon = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        return p

    def _hyper_config(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Nadam(Optimizer):
    """Adam with Nesterov momentum (Dozat's schedule of momentum factors
    ``u_t = beta_1 (1 - 0.5 * 0.96^t)``, their running product kept in a
    variable)."""

    _rule = _Rule.Nadam
    _slot_names = ("momentum", "velocity")
    _slot_groups = (("momentum", "velocity"),)
    _float32_params = ("beta_1", "beta_2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7, weight_decay=None,
                 clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self._u_product = None

    def build(self, var_list):
        var_list = list(var_list)
        super().build(var_list)
        if self._u_product is None and var_list:
            # Keras creates the running product after the slots, unnamed ("variable").
            self._u_product = Variable(np.ones((), var_list[0].dtype.as_numpy_dtype), trainable=False,
                                       name="variable")
            self._variables.append(self._u_product)

    def _before_step(self, params):
        # u_product *= beta_1 * (1 - 0.5 * 0.96^t), in the product's dtype.
        dt = self._u_product.dtype.as_numpy_dtype
        t = dt(params.step)
        u = self._u_product.numpy() * dt(self.beta_1) * (dt(1.0) - dt(0.5) * np.power(dt(0.96), t))
        self._u_product.assign(np.asarray(u, dt))
        params.u_product = float(u)

    def _extra_children(self):
        return {"u_product": self._u_product} if self._u_product is not None else {}

    def _params(self):
        p = _core.OptimizerParams()
        p.beta_1, p.beta_2, p.epsilon = float(self.beta_1), float(self.beta_2), float(self.epsilon)
        return p

    def _hyper_config(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Lion(Optimizer):
    """Lion: ``x -= lr sign(beta_1 m + (1 - beta_1) g)``, then
    ``m = beta_2 m + (1 - beta_2) g``."""

    _rule = _Rule.Lion
    _slot_names = ("momentum",)
    _float32_params = ("beta_1", "beta_2")

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.99, weight_decay=None, clipnorm=None,
                 clipvalue=None, global_clipnorm=None, use_ema=False, ema_momentum=0.99,
                 ema_overwrite_frequency=None, loss_scale_factor=None, gradient_accumulation_steps=None,
                 name=None, **kwargs):
        super().__init__(learning_rate, weight_decay, clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum,
                         ema_overwrite_frequency, loss_scale_factor, gradient_accumulation_steps, name, **kwargs)
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError("Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates "
                             "to SignSGD. Received: beta_1=%s." % beta_1)
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def _params(self):
        p = _core.OptimizerParams()
        p.beta_1, p.beta_2 = float(self.beta_1), float(self.beta_2)
        return p

    def _hyper_config(self):
        return {"beta_1": self.beta_1, "beta_2": self.beta_2}


_BY_NAME = {"sgd": SGD, "adam": Adam, "adamw": AdamW, "rmsprop": RMSprop, "adagrad": Adagrad, "adamax": Adamax,
            "nadam": Nadam, "lion": Lion}


def serialize(optimizer):
    """Keras's serialized form: module, class name, config, registered name."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__, "config": optimizer.get_config(),
            "registered_name": None}


def deserialize(config, custom_objects=None):
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name.lower())
    if cls is None:
        raise ValueError("Could not interpret optimizer identifier: %r" % (name,))
    return cls.from_config(config["config"], custom_objects=custom_objects)


def get(identifier):
    """An optimizer from a name ("adam"), a config dict or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError("Could not interpret optimizer identifier: %r" % identifier)
        return cls()
    if isinstance(identifier, dict):
        return deserialize(identifier)
    raise ValueError("Could not interpret optimizer identifier: %r" % (identifier,))
