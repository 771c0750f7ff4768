"""``BasePooling``: windowed max or average pooling behind ``MaxPooling2D`` and family.

``strides`` defaults to ``pool_size``.  With ``padding='same'``, max pooling ignores
the padded cells and average pooling divides by the number of real cells (TF's rule).
"""

from __future__ import annotations

from fluxion.keras.layers.convolutional import arguments as args
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.ops import nn


class BasePooling(Layer):
    """Pooling over ``pool_dimensions`` spatial axes; ``pool_mode``: ``'max'``, ``'average'``."""

    def __init__(self, pool_size, strides, pool_dimensions: int, pool_mode: str = "max",
                 padding="valid", data_format=None, name=None, **kwargs):
        super().__init__(name=name, **kwargs)
        self.pool_size = args.standardize_tuple(pool_size, pool_dimensions, "pool_size")
        strides = pool_size if strides is None else strides
        self.strides = args.standardize_tuple(strides, pool_dimensions, "strides")
        self.pool_mode = pool_mode
        args.standardize_padding(padding)
        self.padding = padding
        self.data_format = args.standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=pool_dimensions + 2)
        self._tf_format = args.tf_data_format(self.data_format, pool_dimensions)
        self._pool = nn.max_pool if pool_mode == "max" else nn.avg_pool

    def call(self, inputs):
        return self._pool(inputs, self.pool_size, self.strides, self.padding.upper(),
                          data_format=self._tf_format)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({"pool_size": self.pool_size, "padding": self.padding,
                       "strides": self.strides, "data_format": self.data_format})
        return config
