"""Weight initializers (``keras.initializers``). Minimal seed version; extended by its owner."""

from __future__ import annotations

import numpy as np

from fluxion.core.tensor import Tensor
from fluxion.keras.saving.serialization import deserialize_keras_object, keras_class


@keras_class("keras.initializers")
class Initializer:
    def __call__(self, shape, dtype=None):
        raise TypeError(f"{type(self).__name__} must implement __call__(shape, dtype)")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config):
        return cls(**config)


@keras_class("keras.initializers")
class Zeros(Initializer):
    def __call__(self, shape, dtype=None):
        return Tensor(np.zeros(shape, dtype=dtype or "float32"))


@keras_class("keras.initializers")
class Ones(Initializer):
    def __call__(self, shape, dtype=None):
        return Tensor(np.ones(shape, dtype=dtype or "float32"))


@keras_class("keras.initializers")
class GlorotUniform(Initializer):
    def __init__(self, seed=None):
        self.seed = seed

    def __call__(self, shape, dtype=None):
        fan_in = shape[-2] if len(shape) >= 2 else shape[0]
        fan_out = shape[-1]
        receptive = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
        limit = np.sqrt(6.0 / ((fan_in + fan_out) * receptive))
        rng = np.random.default_rng(self.seed)
        return Tensor(rng.uniform(-limit, limit, shape).astype(dtype or "float32"))

    def get_config(self) -> dict:
        return {"seed": self.seed}


_ALIASES = {"zeros": Zeros, "ones": Ones, "glorot_uniform": GlorotUniform}


def get(identifier):
    if identifier is None or callable(identifier):
        return identifier
    if isinstance(identifier, str):
        if identifier in _ALIASES:
            return _ALIASES[identifier]()
        raise ValueError(f"Could not interpret initializer identifier: {identifier}")
    return deserialize_keras_object(identifier)
