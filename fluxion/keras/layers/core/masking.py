"""``Masking``: marks timesteps whose features all equal ``mask_value`` as padding."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import deserialize_keras_object, keras_class
from fluxion.ops.array_ops import where
from fluxion.ops.creation_ops import zeros_like
from fluxion.ops.math_ops import not_equal
from fluxion.ops.reduce_ops import reduce_any


@keras_class("keras.layers")
class Masking(Layer):
    """Zeroes the timesteps equal to ``mask_value`` on every feature and masks them.

    The output mask (``output._keras_mask``) is ``any(inputs != mask_value, axis=-1)``.

    >>> import numpy as np
    >>> out = Masking()(np.array([[[0.0, 0.0], [1.0, 2.0]]], "float32"))
    >>> out._keras_mask.numpy()
    array([[False,  True]])
    """

    def __init__(self, mask_value=0.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(mask_value, dict) and mask_value.get("config", None):
            mask_value = deserialize_keras_object(mask_value)
        self.mask_value = mask_value
        self.supports_masking = True
        self.built = True

    def _keep(self, inputs, keepdims: bool):
        return reduce_any(not_equal(inputs, self.mask_value), axis=-1, keepdims=keepdims)

    def call(self, inputs):
        return where(self._keep(inputs, True), inputs, zeros_like(inputs))

    def compute_mask(self, inputs, mask=None):
        return self._keep(inputs, False)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "mask_value": self.mask_value}
