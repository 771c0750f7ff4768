"""``Reshape``: gives the non-batch axes a new ``target_shape`` (one entry may be -1)."""

from __future__ import annotations

import math

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import reshape


@keras_class("keras.layers")
class Reshape(Layer):
    """Reshapes each example to ``target_shape``.

    >>> import numpy as np
    >>> Reshape((2, -1))(np.array([[1.0, 2.0, 3.0, 4.0]], "float32")).shape
    TensorShape([1, 2, 2])
    """

    def __init__(self, target_shape, **kwargs):
        super().__init__(**kwargs)
        target_shape = tuple(target_shape)
        _validate_target_shape(target_shape)
        self.target_shape = target_shape
        self.built = True

    def call(self, inputs):
        shape = tuple(inputs.shape)
        resolved = resolve_target_shape(shape[1:], self.target_shape)
        if None not in resolved:
            return reshape(inputs, (-1,) + tuple(resolved))
        if shape[0] is not None:
            return reshape(inputs, (shape[0],) + tuple(-1 if d is None else d
                                                         for d in resolved))
        raise ValueError(f'Layer "{self.name}" (Reshape) cannot reshape inputs of shape {shape} '
                         f"to target_shape={self.target_shape}: with an unknown batch size the "
                         f"other input dimensions must be known.")

    def compute_output_shape(self, input_shape):
        return (input_shape[0],) + resolve_target_shape(tuple(input_shape)[1:],
                                                        self.target_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


def _validate_target_shape(target_shape: tuple) -> None:
    unknown = 0
    for dim in target_shape:
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError("Each dimension in `target_shape` must be an integer. Received: "
                             f"target_shape={target_shape}.")
        if dim < -1:
            raise ValueError("Each dimension in `target_shape` must be a non-negative integer, "
                             f"or `-1` for a single unknown dimension. Received: "
                             f"target_shape={target_shape}.")
        unknown += dim == -1
    if unknown > 1:
        raise ValueError("There must be at most one unknown dimension (-1) in `target_shape`. "
                         f"Received: target_shape={target_shape}.")


def resolve_target_shape(input_shape: tuple, target_shape: tuple) -> tuple:
    """``target_shape`` with its -1 resolved from ``input_shape`` (None if that is unknown)."""
    if None in input_shape:
        return tuple(None if d == -1 else d for d in target_shape)
    total = math.prod(input_shape)
    known = math.prod(d for d in target_shape if d != -1)
    if -1 in target_shape:
        if known == 0 or total % known:
            _size_error(input_shape, target_shape)
        return tuple(total // known if d == -1 else d for d in target_shape)
    if known != total:
        _size_error(input_shape, target_shape)
    return target_shape


def _size_error(input_shape, target_shape):
    raise ValueError("The total size of the tensor must be unchanged. Received: "
                     f"input_shape={input_shape}, target_shape={target_shape}")
