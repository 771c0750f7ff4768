"""``ActivityRegularization``: adds ``l1 * sum|x| + l2 * sum x**2`` of its input to the losses."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.math_ops import abs as absolute
from fluxion.ops.reduce_ops import reduce_sum


class _L1L2Penalty:
    """The activity penalty (the layer base divides it by the batch size, as Keras does)."""

    def __init__(self, l1: float, l2: float):
        self.l1, self.l2 = float(l1), float(l2)

    def __call__(self, x):
        penalty = 0.0
        if self.l1:
            penalty = penalty + self.l1 * reduce_sum(absolute(x))
        if self.l2:
            penalty = penalty + self.l2 * reduce_sum(x * x)
        return penalty if not isinstance(penalty, float) else reduce_sum(x * 0.0)

    def get_config(self) -> dict:
        return {"l1": self.l1, "l2": self.l2}


@keras_class("keras.layers")
class ActivityRegularization(Layer):
    """Returns its input unchanged and adds an L1/L2 activity penalty to ``layer.losses``.

    >>> import numpy as np
    >>> layer = ActivityRegularization(l2=0.5)
    >>> _ = layer(np.array([[1.0, 2.0]], "float32"))
    >>> float(layer.losses[0])
    2.5
    """

    def __init__(self, l1=0.0, l2=0.0, **kwargs):
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=_L1L2Penalty(l1, l2), **kwargs)
        self.supports_masking = True
        self.l1 = l1
        self.l2 = l2
        self.built = True

    def call(self, inputs):
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("activity_regularizer", None)
        return {**config, "l1": self.l1, "l2": self.l2}
