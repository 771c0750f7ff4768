"""``UnitNormalization``: scale each example to unit L2 norm over ``axis``.

``x * min(rsqrt(sum(x ** 2, axis)), 1e12)``, so an all-zero slice stays zero.

>>> import numpy as np
>>> from fluxion import keras
>>> keras.layers.UnitNormalization()(np.array([[3.0, 4.0]], np.float32)).numpy()
array([[0.6, 0.8]], dtype=float32)
"""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.normalization.layer_normalization import check_axes
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.math_ops import minimum, rsqrt
from fluxion.ops.reduce_ops import reduce_sum

_EPSILON = 1e-12


@keras_class("keras.layers")
class UnitNormalization(Layer):
    """L2 normalization over ``axis`` (an int or a list of ints)."""

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis = list(axis)
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a "
                            f"list/tuple of ints. Received: axis={axis}")
        self.supports_masking = True
        self.built = True

    def call(self, inputs):
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        check_axes(axes, tuple(inputs.shape), self.axis)
        square_sum = reduce_sum(inputs * inputs, axis=axes, keepdims=True)
        return inputs * minimum(rsqrt(square_sum), 1.0 / _EPSILON)

    def get_config(self) -> dict:
        config = super().get_config()
        config["axis"] = self.axis
        return config
