"""``Dropout``: zeroes a fraction ``rate`` of the inputs while training, scaling the rest."""

from __future__ import annotations

from fluxion.keras.layers.layer import Layer
from fluxion.keras.layers.regularization.seed_stream import SeedStream
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.dropout_ops import stateless_dropout


@keras_class("keras.layers")
class Dropout(Layer):
    """Drops inputs with probability ``rate`` when ``training`` is truthy; identity otherwise.

    Args:
      rate: the drop probability, in [0, 1].
      noise_shape: the shape of the keep/drop mask (``None`` entries take the input's size),
        e.g. ``(batch, 1, features)`` to drop the same features at every timestep.
      seed: makes the sequence of masks repeatable.

    >>> import numpy as np
    >>> Dropout(0.5)(np.array([1.0, 2.0], "float32")).numpy()   # training is False by default
    array([1., 2.], dtype=float32)
    """

    def __init__(self, rate, noise_shape=None, seed=None, **kwargs):
        super().__init__(**kwargs)
        if not 0 <= rate <= 1:
            raise ValueError("Invalid value received for argument `rate`. Expected a float "
                             f"value between 0 and 1. Received: rate={rate}")
        self.rate = rate
        self.seed = seed
        self.noise_shape = _validate_noise_shape(noise_shape)
        self.seed_generator = SeedStream(seed) if rate > 0 else None
        self.supports_masking = True
        self.built = True

    def _noise_shape(self, inputs):
        return self.noise_shape

    def call(self, inputs, training=False):
        if training and self.rate > 0:
            if self.rate >= 1:
                return inputs * 0.0
            return stateless_dropout(inputs, self.rate, seed=self.seed_generator.next(),
                                     noise_shape=self._noise_shape(inputs))
        return inputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": self.noise_shape}


def _validate_noise_shape(noise_shape):
    if noise_shape is None:
        return None
    if isinstance(noise_shape, str):
        raise ValueError("Invalid value received for argument `noise_shape`. Expected a tuple "
                         f"or list of integers. Received: noise_shape={noise_shape}")
    try:
        noise_shape = tuple(noise_shape)
    except TypeError:
        raise ValueError("Invalid value received for argument `noise_shape`. Expected an "
                         "iterable of integers (e.g., a tuple or list). Received: "
                         f"noise_shape={noise_shape}") from None
    for i, dim in enumerate(noise_shape):
        if dim is None:
            continue
        if not isinstance(dim, int) or isinstance(dim, bool):
            raise ValueError("Invalid value received for argument `noise_shape`. Expected all "
                             f"elements to be integers or None. Received element at index {i}: "
                             f"{dim} (type: {type(dim).__name__})")
        if dim <= 0:
            raise ValueError("Invalid value received for argument `noise_shape`. Expected all "
                             "dimensions to be positive integers or None. Received negative or "
                             f"zero value at index {i}: {dim}")
    return noise_shape

