"""``ZeroPadding1D/2D/3D``: zeros added before and after each spatial axis."""

from __future__ import annotations

from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.reshaping.arguments import (
    spatial_axes,
    standardize_data_format,
    standardize_tuple,
)
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import pad

_ORDINALS = ("1st", "2nd", "3rd")


def per_axis_pairs(value, rank: int, name: str, symmetric: str, pairs: str) -> tuple:
    """An int, ``rank`` ints or ``rank`` pairs -> ``rank`` ``(before, after)`` pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"`{name}` cannot be negative. Received: {name}={value}.")
        return ((value, value),) * rank
    if not hasattr(value, "__len__"):
        raise ValueError(f"`{name}` should be either an int, a tuple of {rank} ints "
                         f"({symmetric}), or a tuple of {rank} tuples of 2 ints ({pairs}). "
                         f"Received: {name}={value}.")
    if len(value) != rank:
        count = "two" if rank == 2 else rank
        raise ValueError(f"`{name}` should have {count} elements. Received: {name}={value}.")
    return tuple(standardize_tuple(entry, 2, f"{_ORDINALS[i]} entry of {name}", allow_zero=True)
                 for i, entry in enumerate(value))


class _ZeroPadding(Layer):
    rank = 2

    def _setup(self, padding: tuple, data_format) -> None:
        self.padding = padding
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def call(self, inputs):
        paddings = [[0, 0]] * (self.rank + 2)
        for axis, pair in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            paddings[axis] = list(pair)
        return pad(inputs, paddings)

    def _pairs(self) -> tuple:
        return self.padding

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, pair in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            if shape[axis] is not None:
                shape[axis] += pair[0] + pair[1]
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "padding": self.padding,
                "data_format": self.data_format}


@keras_class("keras.layers")
class ZeroPadding1D(_ZeroPadding):
    """Pads the steps axis of ``(batch, steps, features)`` inputs with zeros.

    >>> import numpy as np
    >>> ZeroPadding1D(2)(np.array([[[1.0], [2.0]]], "float32")).shape
    TensorShape([1, 6, 1])
    """

    rank = 1

    def __init__(self, padding=1, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(standardize_tuple(padding, 2, "padding", allow_zero=True), data_format)

    def _pairs(self) -> tuple:
        return (self.padding,)


@keras_class("keras.layers")
class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns of images with zeros.

    ``padding``: an int, ``(sym_height, sym_width)`` or ``((top, bottom), (left, right))``.
    """

    rank = 2

    def __init__(self, padding=(1, 1), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(per_axis_pairs(
            padding, 2, "padding", "symmetric_height_crop, symmetric_width_crop",
            "(top_crop, bottom_crop), (left_crop, right_crop)"), data_format)


@keras_class("keras.layers")
class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial axes of volumes with zeros."""

    rank = 3

    def __init__(self, padding=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(per_axis_pairs(
            padding, 3, "padding", "symmetric_dim1_pad, symmetric_dim2_pad, symmetric_dim3_pad",
            "(left_dim1_pad, right_dim1_pad), (left_dim2_pad, right_dim2_pad), "
            "(left_dim3_pad, right_dim2_pad)"), data_format)
