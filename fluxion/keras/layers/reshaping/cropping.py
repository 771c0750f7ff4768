"""``Cropping1D/2D/3D``: removes entries at the start and end of each spatial axis."""

from __future__ import annotations

from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.reshaping.arguments import (
    spatial_axes,
    standardize_data_format,
    standardize_tuple,
)
from fluxion.keras.layers.reshaping.zero_padding import per_axis_pairs
from fluxion.keras.saving.serialization import keras_class


class _Cropping(Layer):
    rank = 2

    def _setup(self, cropping: tuple, data_format) -> None:
        self.cropping = cropping
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _pairs(self) -> tuple:
        return self.cropping

    def _check(self, shape) -> None:
        for axis, pair in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            if shape[axis] is not None and sum(pair) >= shape[axis]:
                raise ValueError("Values in `cropping` argument should be smaller than the "
                                 f"corresponding spatial dimension of the input. Received: "
                                 f"input_shape={tuple(shape)}, cropping={self.cropping}")

    def call(self, inputs):
        shape = tuple(inputs.shape)
        self._check(shape)
        index = [slice(None)] * len(shape)
        for axis, (start, end) in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            index[axis] = slice(start, -end if end else None)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape):
        self._check(input_shape)
        shape = list(input_shape)
        for axis, pair in zip(spatial_axes(self.rank, self.data_format), self._pairs()):
            if shape[axis] is not None:
                shape[axis] -= sum(pair)
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self.cropping,
                "data_format": self.data_format}


@keras_class("keras.layers")
class Cropping1D(_Cropping):
    """Crops the steps axis of ``(batch, steps, features)`` inputs.

    >>> import numpy as np
    >>> Cropping1D((1, 2))(np.array([[[1.0], [2.0], [3.0], [4.0]]], "float32")).shape
    TensorShape([1, 1, 1])
    """

    rank = 1

    def __init__(self, cropping=(1, 1), **kwargs):
        super().__init__(**kwargs)
        self._setup(standardize_tuple(cropping, 2, "cropping", allow_zero=True), None)

    def _pairs(self) -> tuple:
        return (self.cropping,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("data_format")
        return config


@keras_class("keras.layers")
class Cropping2D(_Cropping):
    """Crops rows and columns of images.

    ``cropping``: an int, ``(sym_height, sym_width)`` or ``((top, bottom), (left, right))``.
    """

    rank = 2

    def __init__(self, cropping=((0, 0), (0, 0)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(per_axis_pairs(
            cropping, 2, "cropping", "symmetric_height_crop, symmetric_width_crop",
            "(top_crop, bottom_crop), (left_crop, right_crop)"), data_format)


@keras_class("keras.layers")
class Cropping3D(_Cropping):
    """Crops the three spatial axes of volumes."""

    rank = 3

    def __init__(self, cropping=((1, 1), (1, 1), (1, 1)), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(per_axis_pairs(
            cropping, 3, "cropping",
            "symmetric_dim1_crop, symmetric_dim2_crop, symmetric_dim3_crop",
            "(left_dim1_crop, right_dim1_crop), (left_dim2_crop, right_dim2_crop), "
            "(left_dim3_crop, right_dim2_crop)"), data_format)
