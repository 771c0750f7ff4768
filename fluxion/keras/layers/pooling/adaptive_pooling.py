"""Adaptive pooling (``keras.layers.AdaptiveAveragePooling2D``, ``AdaptiveMaxPooling1D``...):
pools each spatial axis into a fixed ``output_size``.

Output cell ``i`` of an axis of length ``n`` pools input positions
``floor(i * n / out)`` to ``ceil((i + 1) * n / out)`` (exclusive), so neighbouring
cells may overlap when ``n`` is not a multiple of ``out``.  Built from slices and
reductions, so gradients need no code of their own.
"""

from __future__ import annotations

import math

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class


def _bins(size: int, out: int) -> list[tuple[int, int]]:
    return [(math.floor(i * size / out), math.ceil((i + 1) * size / out))
            for i in range(out)]


class _AdaptivePooling(Layer):
    """Shared by the adaptive pooling layers: ``_RANK`` spatial axes, ``_REDUCE`` op."""

    _RANK = 2
    _REDUCE = "mean"

    def __init__(self, output_size, data_format=None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(output_size, int):
            output_size = (output_size,) * self._RANK
        output_size = tuple(int(s) for s in output_size)
        if len(output_size) != self._RANK or min(output_size) < 1:
            raise ValueError(f"`output_size` must be a positive integer or a tuple of "
                             f"{self._RANK} positive integers. Received: "
                             f"output_size={output_size}")
        from fluxion.keras.config import image_data_format

        self.output_size = output_size
        self.data_format = data_format or image_data_format()
        if self.data_format not in ("channels_last", "channels_first"):
            raise ValueError(f"Invalid data_format: {self.data_format}")

    def _spatial_axes(self):
        first = 2 if self.data_format == "channels_first" else 1
        return list(range(first, first + self._RANK))

    def call(self, inputs):
        from fluxion.keras import ops

        reduce = ops.mean if self._REDUCE == "mean" else ops.max
        x = inputs
        for axis, out in zip(self._spatial_axes(), self.output_size):
            size = tuple(x.shape)[axis]
            if size is None:
                raise ValueError(f"{type(self).__name__} needs a known size along axis "
                                 f"{axis}; got input shape {tuple(inputs.shape)}")
            cells = []
            for start, end in _bins(int(size), out):
                index = [slice(None)] * len(x.shape)
                index[axis] = slice(start, end)
                cells.append(reduce(x[tuple(index)], axis=axis, keepdims=True))
            x = ops.concatenate(cells, axis=axis)
        return x

    def compute_output_shape(self, input_shape):
        shape = list(input_shape)
        for axis, out in zip(self._spatial_axes(), self.output_size):
            shape[axis] = out
        return tuple(shape)

    def get_config(self):
        config = super().get_config()
        config.update({"output_size": self.output_size, "data_format": self.data_format})
        return config


def _define(name, rank, reduce):
    cls = type(name, (_AdaptivePooling,), {
        "_RANK": rank, "_REDUCE": reduce,
        "__doc__": f"Adaptive {'average' if reduce == 'mean' else 'max'} pooling over "
                   f"{rank} spatial axes to ``output_size`` (``keras.layers.{name}``).",
        "__module__": __name__})
    return keras_class("keras.layers")(cls)


AdaptiveAveragePooling1D = _define("AdaptiveAveragePooling1D", 1, "mean")
AdaptiveAveragePooling2D = _define("AdaptiveAveragePooling2D", 2, "mean")
AdaptiveAveragePooling3D = _define("AdaptiveAveragePooling3D", 3, "mean")
AdaptiveMaxPooling1D = _define("AdaptiveMaxPooling1D", 1, "max")
AdaptiveMaxPooling2D = _define("AdaptiveMaxPooling2D", 2, "max")
AdaptiveMaxPooling3D = _define("AdaptiveMaxPooling3D", 3, "max")
