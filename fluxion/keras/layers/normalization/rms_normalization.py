"""``RMSNormalization``: scales inputs by the inverse root mean square over ``axis``, then
by a learned ``scale`` (no centring, unlike ``LayerNormalization``)."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class


@keras_class("keras.layers")
class RMSNormalization(Layer):
    """``x * rsqrt(mean(x**2, axis) + epsilon) * scale`` (``keras.layers.RMSNormalization``).

    >>> import numpy as np
    >>> RMSNormalization()(np.array([[3.0, 4.0]], "float32")).numpy().round(4)
    array([[0.8485, 1.1314]], dtype=float32)
    """

    def __init__(self, axis=-1, epsilon=1e-6, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.epsilon = epsilon
        self.supports_masking = True

    def _axes(self, rank):
        axes = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        return sorted(a % rank for a in axes)

    def build(self, input_shape):
        axes = self._axes(len(input_shape))
        shape = tuple(input_shape[a] for a in axes)
        if any(s is None for s in shape):
            raise ValueError(f"RMSNormalization needs known sizes on axis {self.axis}; got "
                             f"input shape {tuple(input_shape)}")
        self.scale = self.add_weight(name="scale", shape=shape, initializer="ones")
        self.built = True

    def call(self, x):
        from fluxion.keras import ops

        rank = len(x.shape)
        axes = self._axes(rank)
        mean_square = ops.mean(ops.square(x), axis=axes, keepdims=True)
        scale_shape = [1] * rank
        for a in axes:
            scale_shape[a] = tuple(x.shape)[a]
        scale = ops.reshape(ops.cast(self.scale, x.dtype), scale_shape)
        return x * ops.rsqrt(mean_square + self.epsilon) * scale

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self):
        axis = [self.axis] if isinstance(self.axis, int) else list(self.axis)
        return {**super().get_config(), "axis": axis, "epsilon": self.epsilon}
