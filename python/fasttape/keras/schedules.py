"""``fasttape.keras.optimizers.schedules``: Keras 3's learning-rate schedules.

A schedule is called with the optimizer's iteration count and returns the
learning rate for that step, a float32 scalar tensor computed in float32 as
Keras computes it."""

import math as _math

import numpy as np

from .._tensor import constant

__all__ = ["LearningRateSchedule", "ExponentialDecay", "PiecewiseConstantDecay", "CosineDecay",
           "CosineDecayRestarts", "InverseTimeDecay", "PolynomialDecay", "serialize", "deserialize"]

_f32 = np.float32


def _cos(x):
    """float32 cosine, correctly rounded (as Eigen's float32 cos gives)."""
    return _f32(np.cos(np.float64(x)))


def _step(step):
    return _f32(np.asarray(step).astype(np.float64))


class LearningRateSchedule:
    """Base class: subclasses define ``__call__(step)`` and ``get_config``."""

    def __call__(self, step):
        raise TypeError("%s must override __call__(self, step)" % type(self).__name__)

    def get_config(self):
        raise TypeError("%s must override get_config(self)" % type(self).__name__)

    @classmethod
    def from_config(cls, config):
        return cls(**config)


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``
    (the exponent floored with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="ExponentialDecay"):
        if decay_steps <= 0:
            raise ValueError("Argument `decay_steps` must be > 0. Received: decay_steps=%s" % decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / _f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return constant(_f32(self.initial_learning_rate) * np.power(_f32(self.decay_rate), p, dtype=_f32))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` up to and including ``boundaries[0]``, ``values[1]`` up
    to ``boundaries[1]``, ..., ``values[-1]`` after the last boundary."""

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError("The length of boundaries should be 1 less than the length of values. Received: "
                             "boundaries=%s of length %d, and values=%s of length %d."
                             % (boundaries, len(boundaries), values, len(values)))
        self.boundaries = list(boundaries)
        self.values = list(values)
        self.name = name

    def __call__(self, step):
        s = float(np.asarray(step))
        for b, v in zip(self.boundaries, self.values):
            if s <= b:
                return constant(_f32(v))
        return constant(_f32(self.values[-1]))

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class CosineDecay(LearningRateSchedule):
    """Cosine decay from ``initial_learning_rate`` (or, after a linear
    warm-up of ``warmup_steps`` to ``warmup_target``, from the target) to
    ``alpha`` times it over ``decay_steps``."""

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay", warmup_target=None,
                 warmup_steps=0):
        if decay_steps <= 0:
            raise ValueError("Argument `decay_steps` must be > 0. Received: decay_steps=%s" % decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        self.warmup_steps = warmup_steps

    def _decay(self, step, decay_steps, from_lr):
        frac = step / decay_steps
        cosine = _f32(0.5) * (_f32(1.0) + _cos(_f32(_math.pi) * frac))
        decayed = (_f32(1.0) - _f32(self.alpha)) * cosine + _f32(self.alpha)
        return from_lr * decayed

    def __call__(self, step):
        init = _f32(self.initial_learning_rate)
        decay_steps = _f32(self.decay_steps)
        s = _step(step)
        if self.warmup_target is None:
            return constant(_f32(self._decay(min(s, decay_steps), decay_steps, init)))
        target, warm = _f32(self.warmup_target), _f32(self.warmup_steps)
        s = min(s, decay_steps + warm)
        if s < warm:
            return constant(_f32((target - init) * (s / warm) + init))
        return constant(_f32(self._decay(s - warm, decay_steps, target)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "alpha": self.alpha, "name": self.name, "warmup_target": self.warmup_target,
                "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): periods of
    ``first_decay_steps * t_mul**i`` steps, each starting at
    ``initial_learning_rate * m_mul**i``."""

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0, alpha=0.0,
                 name="SGDRDecay"):
        if first_decay_steps <= 0:
            raise ValueError("Argument `first_decay_steps` must be > 0. Received: first_decay_steps=%s"
                             % first_decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self.t_mul = t_mul
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        init, first = _f32(self.initial_learning_rate), _f32(self.first_decay_steps)
        t_mul, m_mul, alpha = _f32(self.t_mul), _f32(self.m_mul), _f32(self.alpha)
        frac = _step(step) / first
        if t_mul == _f32(1.0):
            i_restart = np.floor(frac)
            frac = frac - i_restart
        else:
            i_restart = np.floor(np.log(_f32(1.0) - frac * (_f32(1.0) - t_mul)) / np.log(t_mul))
            sum_r = (_f32(1.0) - t_mul ** i_restart) / (_f32(1.0) - t_mul)
            frac = (frac - sum_r) / t_mul ** i_restart
        m_fac = m_mul ** i_restart
        cosine = _f32(0.5) * m_fac * (_f32(1.0) + _cos(_f32(_math.pi) * frac))
        decayed = (_f32(1.0) - alpha) * cosine + alpha
        return constant(_f32(init * decayed))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "first_decay_steps": self.first_decay_steps,
                "t_mul": self.t_mul, "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``
    (the ratio floored with ``staircase``)."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False, name="InverseTimeDecay"):
        if decay_steps <= 0:
            raise ValueError("Argument `decay_steps` must be > 0. Received: decay_steps=%s" % decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        p = _step(step) / _f32(self.decay_steps)
        if self.staircase:
            p = np.floor(p)
        return constant(_f32(_f32(self.initial_learning_rate) / (_f32(1.0) + _f32(self.decay_rate) * p)))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "decay_rate": self.decay_rate, "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end``, the step
    capped at ``decay_steps`` (with ``cycle``, decay_steps grows to the next
    multiple instead)."""

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0, cycle=False,
                 name="PolynomialDecay"):
        if decay_steps <= 0:
            raise ValueError("Argument `decay_steps` must be > 0. Received: decay_steps=%s" % decay_steps)
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        s = _step(step)
        decay_steps = _f32(self.decay_steps)
        if self.cycle:
            mult = _f32(1.0) if s == 0 else np.ceil(s / decay_steps)
            decay_steps = decay_steps * mult
        else:
            s = min(s, decay_steps)
        p = s / decay_steps
        init, end = _f32(self.initial_learning_rate), _f32(self.end_learning_rate)
        return constant(_f32((init - end) * np.power(_f32(1.0) - p, _f32(self.power)) + end))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate, "decay_steps": self.decay_steps,
                "end_learning_rate": self.end_learning_rate, "power": self.power, "cycle": self.cycle,
                "name": self.name}


_BY_NAME = {c.__name__: c for c in (ExponentialDecay, PiecewiseConstantDecay, CosineDecay, CosineDecayRestarts,
                                    InverseTimeDecay, PolynomialDecay)}


def serialize(schedule):
    """Keras's serialized form: module, class name, config, registered name."""
    return {"module": "keras.optimizers.schedules", "class_name": type(schedule).__name__,
            "config": schedule.get_config(), "registered_name": None}


def deserialize(config, custom_objects=None):
    name = config["class_name"]
    cls = (custom_objects or {}).get(name) or _BY_NAME.get(name)
    if cls is None:
        raise ValueError("Unknown learning rate schedule: %r" % (name,))
    return cls.from_config(config["config"])
