"""``AlphaDropout``: dropout for SELU networks that keeps the inputs' mean and variance.

Dropped units are set to SELU's negative saturation ``-scale * alpha`` instead of 0, then
an affine map ``a * x + b`` restores the mean and variance of the self-normalizing
activations. Active only while training.
"""

from __future__ import annotations

from fluxion.core.tensor import shape_tuple
from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.regularization.seed_stream import SeedStream, draw_shape
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.random_ops import stateless_uniform

_SELU_SATURATION = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946


@keras_class("keras.layers")
class AlphaDropout(Layer):
    """Alpha dropout (``keras.layers.AlphaDropout``).

    Args:
      rate: the fraction of units to drop, in ``[0, 1)``.
      noise_shape: the shape of the keep/drop mask (broadcast to the inputs), or None.
      seed: the random seed.

    >>> import numpy as np
    >>> AlphaDropout(0.5)(np.array([1.0], "float32")).numpy()
    array([1.], dtype=float32)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate < 1:
            raise ValueError(f"Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.noise_shape = noise_shape
        self.seed = seed
        self.seed_generator = SeedStream(seed) if rate > 0 else None
        self.supports_masking = True
        self.built = True

    def call(self, inputs, training=False):
        if not training or self.rate <= 0:
            return inputs
        from fluxion.keras import ops

        shape = draw_shape(self.name, shape_tuple(inputs), inputs)
        if self.noise_shape is not None:
            shape = tuple(s if n is None else n for s, n in zip(shape, self.noise_shape))
        keep = stateless_uniform(shape, self.seed_generator.next(),
                                 dtype=inputs.dtype) >= self.rate
        keep = ops.cast(keep, inputs.dtype)
        keep_prob = 1.0 - self.rate
        a = (keep_prob * (1.0 + self.rate * _SELU_SATURATION ** 2)) ** -0.5
        b = -a * _SELU_SATURATION * self.rate
        return a * (inputs * keep + _SELU_SATURATION * (1.0 - keep)) + b

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "noise_shape": self.noise_shape,
                "seed": self.seed}
