"""Learning-rate schedules (``keras.optimizers.schedules``).

A schedule is called with the optimizer's step (its ``iterations`` variable, or any
integer) and returns the learning rate as a float32 tensor, computed with Fluxion ops so
it is part of a traced training step.
"""

from __future__ import annotations

import math

from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_ops, creation_ops, math_ops

__all__ = ["CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
           "LearningRateSchedule", "PiecewiseConstantDecay", "PolynomialDecay", "deserialize",
           "serialize"]


def _step(step, dtype) -> Tensor:
    value = step.read_value() if hasattr(step, "read_value") else step
    return array_ops.cast(convert_to_tensor(value), dtype)


def _check_steps(name: str, value) -> None:
    if value <= 0:
        raise ValueError(f"Argument `{name}` must be > 0. Received: {name}={value}")


@keras_class("keras.optimizers.schedules")
class LearningRateSchedule:
    """The base class: ``schedule(step)`` returns the learning rate at ``step``."""

    def __call__(self, step):
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`__call__(self, step)`.")

    def get_config(self) -> dict:
        raise NotImplementedError(f"Learning rate schedule '{type(self).__name__}' must override "
                                  f"`get_config()` in order to be serializable.")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


class _StepDecay(LearningRateSchedule):
    """The shared shape of ExponentialDecay and InverseTimeDecay: a rate applied per
    ``decay_steps`` steps of progress, floored when ``staircase``."""

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name=None):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name or type(self).__name__
        _check_steps("decay_steps", decay_steps)

    def _progress(self, step, initial: Tensor) -> Tensor:
        progress = _step(step, initial.dtype) / array_ops.cast(self.decay_steps, initial.dtype)
        return math_ops.floor(progress) if self.staircase else progress

    def get_config(self) -> dict:
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


@keras_class("keras.optimizers.schedules")
class ExponentialDecay(_StepDecay):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)`` (floored if staircase).

    >>> float(ExponentialDecay(1.0, 10, 0.5)(20))
    0.25
    """

    def __call__(self, step):
        initial = convert_to_tensor(self.initial_learning_rate)
        rate = array_ops.cast(self.decay_rate, initial.dtype)
        return initial * math_ops.pow(rate, self._progress(step, initial))


@keras_class("keras.optimizers.schedules")
class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[i]`` for ``boundaries[i-1] < step <= boundaries[i]``.

    >>> schedule = PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    >>> [float(schedule(s)) for s in (10, 11, 21)]
    [1.0, 0.5, 0.10000000149011612]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        if len(boundaries) != len(values) - 1:
            raise ValueError(f"The length of boundaries should be 1 less than the length of "
                             f"values. Received: boundaries={boundaries} of length "
                             f"{len(boundaries)}, and values={values} of length {len(values)}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        values = [convert_to_tensor(v) for v in self.values]
        dtype = values[0].dtype
        step = step.read_value() if hasattr(step, "read_value") else convert_to_tensor(step)
        bounds = [array_ops.cast(convert_to_tensor(b), step.dtype) for b in self.boundaries]
        result = array_ops.cast(math_ops.less_equal(step, bounds[0]), dtype) * values[0]
        result = result + array_ops.cast(math_ops.greater(step, bounds[-1]), dtype) * values[-1]
        for low, high, value in zip(bounds[:-1], bounds[1:], values[1:-1]):
            inside = math_ops.logical_and(math_ops.greater(step, low),
                                          math_ops.less_equal(step, high))
            result = result + array_ops.cast(inside, dtype) * value
        return result

    def get_config(self) -> dict:
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


@keras_class("keras.optimizers.schedules")
class PolynomialDecay(LearningRateSchedule):
    """From ``initial_learning_rate`` to ``end_learning_rate`` over ``decay_steps`` steps
    along ``(1 - step / decay_steps) ** power`` (restarting with longer periods if ``cycle``).
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        end_learning_rate=0.0001,
        power=1.0,
        cycle=False,
        name="PolynomialDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        end = array_ops.cast(self.end_learning_rate, dtype)
        step = _step(step, dtype)
        decay_steps = array_ops.cast(self.decay_steps, dtype)
        if self.cycle:
            multiplier = array_ops.select(
                array_ops.equal(step, 0),
                creation_ops.ones_like(step),
                math_ops.ceil(step / self.decay_steps),
            )
            decay_steps = decay_steps * multiplier
        else:
            step = math_ops.minimum(step, decay_steps)
        fraction = step / decay_steps
        return (initial - end) * math_ops.pow(1 - fraction, array_ops.cast(self.power, dtype)) + end

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "end_learning_rate": self.end_learning_rate,
            "power": self.power,
            "cycle": self.cycle,
            "name": self.name,
        }


@keras_class("keras.optimizers.schedules")
class InverseTimeDecay(_StepDecay):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``."""

    def __call__(self, step):
        initial = convert_to_tensor(self.initial_learning_rate)
        rate = array_ops.cast(self.decay_rate, initial.dtype)
        return initial / (rate * self._progress(step, initial) + 1)


def _cosine(fraction: Tensor, alpha) -> Tensor:
    """``(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha``."""
    decayed = (math_ops.cos(fraction * math.pi) + 1.0) * 0.5
    return decayed * (1 - alpha) + alpha


@keras_class("keras.optimizers.schedules")
class CosineDecay(LearningRateSchedule):
    """Cosine decay to ``alpha * initial`` over ``decay_steps``, after an optional linear
    warmup of ``warmup_steps`` from ``initial_learning_rate`` to ``warmup_target``.
    """

    def __init__(
        self,
        initial_learning_rate,
        decay_steps,
        alpha=0.0,
        name="CosineDecay",
        warmup_target=None,
        warmup_steps=0,
    ):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = decay_steps
        self.alpha = alpha
        self.name = name
        self.warmup_steps = warmup_steps
        self.warmup_target = warmup_target
        _check_steps("decay_steps", decay_steps)

    def __call__(self, step):
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        decay_steps = array_ops.cast(self.decay_steps, dtype)
        step = _step(step, dtype)
        if self.warmup_target is None:
            step = math_ops.minimum(step, decay_steps)
            return initial * _cosine(step / decay_steps, self.alpha)
        target = array_ops.cast(self.warmup_target, dtype)
        warmup_steps = array_ops.cast(self.warmup_steps, dtype)
        step = math_ops.minimum(step, decay_steps + warmup_steps)
        warming = (target - initial) * (step / warmup_steps) + initial
        decaying = target * _cosine((step - warmup_steps) / decay_steps, self.alpha)
        return array_ops.select(array_ops.less(step, warmup_steps), warming, decaying)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "decay_steps": self.decay_steps,
            "alpha": self.alpha,
            "name": self.name,
            "warmup_target": self.warmup_target,
            "warmup_steps": self.warmup_steps,
        }


@keras_class("keras.optimizers.schedules")
class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): period ``first_decay_steps``, each next period
    ``t_mul`` times longer and its peak ``m_mul`` times lower.
    """

    def __init__(
        self,
        initial_learning_rate,
        first_decay_steps,
        t_mul=2.0,
        m_mul=1.0,
        alpha=0.0,
        name="SGDRDecay",
    ):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = first_decay_steps
        self._t_mul = t_mul
        self._m_mul = m_mul
        self.alpha = alpha
        self.name = name
        _check_steps("first_decay_steps", first_decay_steps)

    def __call__(self, step):
        initial = convert_to_tensor(self.initial_learning_rate)
        dtype = initial.dtype
        fraction = _step(step, dtype) / array_ops.cast(self.first_decay_steps, dtype)
        if self._t_mul == 1.0:
            restart = math_ops.floor(fraction)
            fraction = fraction - restart
        else:
            t_mul = array_ops.cast(self._t_mul, dtype)
            restart = math_ops.floor(
                math_ops.log(1.0 - fraction * (1.0 - t_mul)) / math_ops.log(t_mul)
            )
            done = (1.0 - math_ops.pow(t_mul, restart)) / (1.0 - t_mul)
            fraction = (fraction - done) / math_ops.pow(t_mul, restart)
        peak = math_ops.pow(array_ops.cast(self._m_mul, dtype), restart)
        decayed = peak * (math_ops.cos(fraction * math.pi) + 1.0) * 0.5
        return initial * (decayed * (1 - self.alpha) + self.alpha)

    def get_config(self) -> dict:
        return {
            "initial_learning_rate": self.initial_learning_rate,
            "first_decay_steps": self.first_decay_steps,
            "t_mul": self._t_mul,
            "m_mul": self._m_mul,
            "alpha": self.alpha,
            "name": self.name,
        }


_CLASSES = {
    cls.__name__: cls
    for cls in (
        LearningRateSchedule,
        ExponentialDecay,
        PiecewiseConstantDecay,
        PolynomialDecay,
        InverseTimeDecay,
        CosineDecay,
        CosineDecayRestarts,
    )
}


def serialize(learning_rate_schedule) -> dict:
    return serialize_keras_object(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(
        config,
        custom_objects=custom_objects,
        module_objects=_CLASSES,
        printable_module_name="decay",
    )
