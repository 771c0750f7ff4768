"""``UpSampling1D/2D/3D``: repeats (or, in 2-D, bilinearly interpolates) along spatial axes."""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.reshaping.arguments import (
    spatial_axes,
    standardize_data_format,
    standardize_tuple,
)
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import repeat, transpose
from fluxion.ops.linalg_ops import tensordot

_KERAS_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
_SUPPORTED = ("nearest", "bilinear")


class _UpSampling(Layer):
    rank = 2

    def _setup(self, size: tuple, data_format) -> None:
        self.size = size
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self.built = True

    def _factors(self) -> tuple:
        return self.size

    def call(self, inputs):
        for axis, factor in zip(spatial_axes(self.rank, self.data_format), self._factors()):
            inputs = repeat(inputs, factor, axis=axis)
        return inputs

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, factor in zip(spatial_axes(self.rank, self.data_format), self._factors()):
            if shape[axis] is not None:
                shape[axis] *= factor
        return tuple(shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}


@keras_class("keras.layers")
class UpSampling1D(_UpSampling):
    """Repeats each timestep ``size`` times.

    >>> import numpy as np
    >>> UpSampling1D(2)(np.array([[[1.0], [2.0]]], "float32")).numpy()[0, :, 0]
    array([1., 1., 2., 2.], dtype=float32)
    """

    rank = 1

    def __init__(self, size=2, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(size, int) or isinstance(size, bool):
            raise TypeError(f"Expected an integer value for `size`, got {type(size)}.")
        if size <= 0:
            raise ValueError(f"Argument `size` should be a positive integer. Received: "
                             f"size={size}")
        self._setup(size, None)

    def _factors(self) -> tuple:
        return (self.size,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("data_format")
        return config


@keras_class("keras.layers")
class UpSampling2D(_UpSampling):
    """Upsamples images by ``size`` with ``"nearest"`` (repeat) or ``"bilinear"``
    interpolation (``tf.image.resize``'s half-pixel-centre sampling).

    >>> import numpy as np
    >>> UpSampling2D((2, 3))(np.ones((1, 2, 2, 1), "float32")).shape
    TensorShape([1, 4, 6, 1])
    """

    rank = 2

    def __init__(self, size=(2, 2), data_format=None, interpolation="nearest", **kwargs):
        super().__init__(**kwargs)
        self._setup(standardize_tuple(size, 2, "size"), data_format)
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _KERAS_INTERPOLATIONS:
            raise ValueError(f"Invalid value for argument `interpolation`. Expected one of "
                             f"{_KERAS_INTERPOLATIONS}. Received: "
                             f"interpolation={interpolation}")
        if self.interpolation not in _SUPPORTED:
            raise NotImplementedError(f"UpSampling2D(interpolation={interpolation!r}) is not "
                                      f"supported by Fluxion yet; use one of {_SUPPORTED}.")

    def call(self, inputs):
        if self.interpolation == "nearest":
            return super().call(inputs)
        shape = tuple(inputs.shape)
        for axis, factor in zip(spatial_axes(2, self.data_format), self.size):
            if shape[axis] is None:
                raise ValueError(f'Layer "{self.name}" (UpSampling2D, bilinear) needs known '
                                 f"spatial dimensions; got input shape {shape}.")
            weights = Tensor(bilinear_weights(shape[axis], factor).astype(
                inputs.dtype.np_dtype))
            # contract axis with the (out, in) weights; the new axis comes out last.
            moved = tensordot(inputs, weights, [[axis], [1]])
            perm = list(range(axis)) + [len(shape) - 1] + list(range(axis, len(shape) - 1))
            inputs = transpose(moved, perm)
        return inputs

    def get_config(self) -> dict:
        return {**super().get_config(), "interpolation": self.interpolation}


@keras_class("keras.layers")
class UpSampling3D(_UpSampling):
    """Repeats along the three spatial axes of volumes by ``size``."""

    rank = 3

    def __init__(self, size=(2, 2, 2), data_format=None, **kwargs):
        super().__init__(**kwargs)
        self._setup(standardize_tuple(size, 3, "size"), data_format)


def bilinear_weights(in_size: int, factor: int) -> np.ndarray:
    """The ``(in_size * factor, in_size)`` matrix of half-pixel bilinear resampling."""
    out_size = in_size * factor
    centres = (np.arange(out_size) + 0.5) / factor - 0.5
    low = np.floor(centres)
    frac = centres - low
    lower = np.clip(low, 0, in_size - 1).astype(np.int64)
    upper = np.clip(low + 1, 0, in_size - 1).astype(np.int64)
    weights = np.zeros((out_size, in_size), np.float64)
    np.add.at(weights, (np.arange(out_size), lower), 1.0 - frac)
    np.add.at(weights, (np.arange(out_size), upper), frac)
    return weights
