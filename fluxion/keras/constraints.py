"""Weight constraints (``keras.constraints``): projections optimizers apply after updates.

A constraint is called on a weight and returns the projected value, built from Fluxion
ops so it also runs inside traced training steps.
"""

from __future__ import annotations

import inspect

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.engine.naming import to_snake_case
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import math_ops
from fluxion.ops.clip_ops import clip_by_value
from fluxion.ops.reduce_ops import reduce_sum

_EPSILON = 1e-7  # keras.config.epsilon()


def _value(w):
    return convert_to_tensor(w._read_for_op() if hasattr(w, "_read_for_op") else w)


def _norms(w, axis):
    return math_ops.sqrt(reduce_sum(math_ops.square(w), axis=axis, keepdims=True))


@keras_class("keras.constraints")
class Constraint:
    """The base class: ``constraint(weight)`` returns the projected weight."""

    def __call__(self, w):
        return w

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


@keras_class("keras.constraints")
class MaxNorm(Constraint):
    """Rescales slices along ``axis`` whose L2 norm exceeds ``max_value``.

    >>> MaxNorm(1.0)([[3.0], [4.0]]).numpy().round(3)
    array([[0.6],
           [0.8]], dtype=float32)
    """

    def __init__(self, max_value=2, axis=0):
        self.max_value = max_value
        self.axis = axis

    def __call__(self, w):
        w = _value(w)
        norms = _norms(w, self.axis)
        desired = clip_by_value(norms, 0.0, float(self.max_value))
        return w * (desired / (norms + _EPSILON))

    def get_config(self) -> dict:
        return {"max_value": self.max_value, "axis": self.axis}


@keras_class("keras.constraints")
class NonNeg(Constraint):
    """Negative entries become 0."""

    def __call__(self, w):
        return math_ops.maximum(_value(w), 0.0)


@keras_class("keras.constraints")
class UnitNorm(Constraint):
    """Slices along ``axis`` scaled to unit L2 norm."""

    def __init__(self, axis=0):
        self.axis = axis

    def __call__(self, w):
        w = _value(w)
        return w / (_norms(w, self.axis) + _EPSILON)

    def get_config(self) -> dict:
        return {"axis": self.axis}


@keras_class("keras.constraints")
class MinMaxNorm(Constraint):
    """Moves slice norms into ``[min_value, max_value]`` at ``rate`` (1 = all the way)."""

    def __init__(self, min_value=0.0, max_value=1.0, rate=1.0, axis=0):
        self.min_value = min_value
        self.max_value = max_value
        self.rate = rate
        self.axis = axis

    def __call__(self, w):
        w = _value(w)
        norms = _norms(w, self.axis)
        clipped = clip_by_value(norms, float(self.min_value), float(self.max_value))
        desired = clipped * self.rate + norms * (1 - self.rate)
        return w * (desired / (norms + _EPSILON))

    def get_config(self) -> dict:
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate,
                "axis": self.axis}


max_norm, min_max_norm, non_neg, unit_norm = MaxNorm, MinMaxNorm, NonNeg, UnitNorm

_CLASSES = (Constraint, MaxNorm, MinMaxNorm, NonNeg, UnitNorm)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})


def serialize(constraint) -> dict:
    return serialize_keras_object(constraint)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=ALL_OBJECTS_DICT)


def get(identifier):
    """A constraint from a name (``"non_neg"``), a config dict, or itself; None stays None."""
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        found = deserialize(identifier)
    elif isinstance(identifier, str):
        found = ALL_OBJECTS_DICT.get(identifier)
    else:
        found = identifier
    if callable(found):
        return found() if inspect.isclass(found) else found
    raise ValueError(f"Could not interpret constraint identifier: {identifier}")
