"""Weight regularizers (``keras.regularizers``): penalties added to the training loss.

A regularizer is called on a weight and returns a scalar loss (built from Fluxion ops,
so it traces and differentiates).  Configs match Keras 3, including its float32 rounding
of ``L1.l1`` and ``OrthogonalRegularizer.factor``.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from fluxion.core.tensor import convert_to_tensor
from fluxion.keras.engine.naming import to_snake_case
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)
from fluxion.ops import array_extra, creation_ops, math_ops
from fluxion.ops.linalg_ops import matmul
from fluxion.ops.reduce_ops import reduce_sum


def _check_factor(value, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (float, int, np.floating, np.integer)) \
            or math.isinf(value) or math.isnan(value) or value < 0:
        raise ValueError(f"Invalid value for argument {name}: expected a non-negative float."
                         f"Received: {name}={value}")
    return float(value)


def _float32(value: float) -> float:
    return float(np.float32(value))


@keras_class("keras.regularizers")
class Regularizer:
    """The base class: ``regularizer(weight)`` returns a scalar penalty."""

    def __call__(self, x):
        return 0.0

    def get_config(self) -> dict:
        raise NotImplementedError(f"{self} does not implement get_config()")

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)


@keras_class("keras.regularizers")
class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    >>> float(L1L2(l1=0.5, l2=1.0)([1.0, -2.0]))
    6.5
    """

    def __init__(self, l1=0.0, l2=0.0):
        self.l1 = _check_factor(0.0 if l1 is None else l1, "l1")
        self.l2 = _check_factor(0.0 if l2 is None else l2, "l2")

    def __call__(self, x):
        x = convert_to_tensor(x)
        penalty = None
        if self.l1:
            penalty = reduce_sum(array_extra.abs_(x)) * self.l1
        if self.l2:
            term = reduce_sum(math_ops.square(x)) * self.l2
            penalty = term if penalty is None else penalty + term
        return creation_ops.zeros_like(reduce_sum(x)) if penalty is None else penalty

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@keras_class("keras.regularizers")
class L1(Regularizer):
    """``l1 * sum(abs(x))``."""

    def __init__(self, l1=0.01):
        self.l1 = _float32(_check_factor(0.01 if l1 is None else l1, "l1"))

    def __call__(self, x):
        return reduce_sum(array_extra.abs_(convert_to_tensor(x))) * self.l1

    def get_config(self) -> dict:
        return {"l1": self.l1}


@keras_class("keras.regularizers")
class L2(Regularizer):
    """``l2 * sum(square(x))``."""

    def __init__(self, l2=0.01):
        self.l2 = _check_factor(0.01 if l2 is None else l2, "l2")

    def __call__(self, x):
        return reduce_sum(math_ops.square(convert_to_tensor(x))) * self.l2

    def get_config(self) -> dict:
        return {"l2": self.l2}


@keras_class("keras.regularizers")
class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (``mode="rows"``) or columns of a 2-D weight towards orthogonality.

    The penalty is ``factor`` times the mean absolute cosine similarity over pairs of
    distinct (L2-normalised) rows or columns.
    """

    def __init__(self, factor=0.01, mode="rows"):
        self.factor = _float32(_check_factor(factor, "factor"))
        if mode not in {"rows", "columns"}:
            raise ValueError(f'Invalid value for argument `mode`. Expected one of {{"rows", '
                             f'"columns"}}. Received: mode={mode}')
        self.mode = mode

    def __call__(self, inputs):
        from fluxion.ops.creation_ops import eye
        from fluxion.ops.nn_ops import l2_normalize

        x = convert_to_tensor(inputs)
        if len(x.shape) != 2:
            raise ValueError(f"Inputs to OrthogonalRegularizer must have rank 2. Received: "
                             f"inputs.shape={x.shape}")
        if self.mode == "rows":
            x = l2_normalize(x, axis=1)
            product, size = matmul(x, x, transpose_b=True), x.shape[0]
        else:
            x = l2_normalize(x, axis=0)
            product, size = matmul(x, x, transpose_a=True), x.shape[1]
        off_diagonal = product * (1.0 - eye(size, dtype=x.dtype))
        pairs = size * (size - 1.0) / 2.0
        return reduce_sum(array_extra.abs_(off_diagonal)) * (self.factor * 0.5 / pairs)

    def get_config(self) -> dict:
        return {"factor": self.factor, "mode": self.mode}


l1, l2, l1_l2, orthogonal_regularizer = L1, L2, L1L2, OrthogonalRegularizer

_CLASSES = (Regularizer, L1, L2, L1L2, OrthogonalRegularizer)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT["l1_l2"] = L1L2


def serialize(regularizer) -> dict:
    return serialize_keras_object(regularizer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=ALL_OBJECTS_DICT)


def get(identifier):
    """A regularizer from a name (``"l2"``), a config dict, or itself; None stays None.

    >>> get("l2").get_config()
    {'l2': 0.01}
    """
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
    raise ValueError(f"Could not interpret regularizer identifier: {identifier}")
