"""TF 1 initializers (``tf.compat.v1.initializers``, ``*_initializer``).

An initializer is called as ``init(shape, dtype=None, partition_info=None)`` and
returns a concrete tensor; ``get_variable`` calls it eagerly when creating a variable.
The module also holds ``initializers.global_variables()`` and friends.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.graph.v1.variables import (
    global_variables_initializer,
    local_variables_initializer,
    variables_initializer,
)
from fluxion.ops import random_ops


class Initializer:
    """Base class: ``init(shape, dtype) -> Tensor``."""

    def __init__(self, dtype=dtypes.float32):
        self.dtype = dtypes.as_dtype(dtype)

    def _dtype(self, dtype) -> dtypes.DType:
        return self.dtype if dtype is None else dtypes.as_dtype(dtype)

    def get_config(self) -> dict:
        return {}


class Zeros(Initializer):
    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return Tensor(np.zeros(tuple(shape), dtype=self._dtype(dtype).np_dtype))


class Ones(Initializer):
    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return Tensor(np.ones(tuple(shape), dtype=self._dtype(dtype).np_dtype))


class Constant(Initializer):
    def __init__(self, value=0, dtype=dtypes.float32, verify_shape=False):
        super().__init__(dtype)
        self.value = value

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        array = np.asarray(self.value, dtype=self._dtype(dtype).np_dtype)
        shape = tuple(shape)
        if array.size == 1:
            return Tensor(np.full(shape, array.reshape(()), dtype=array.dtype))
        if array.size != int(np.prod(shape)):
            raise TypeError(f"constant_initializer: {array.size} values cannot fill shape "
                            f"{shape}")
        return Tensor(array.reshape(shape))

    def get_config(self) -> dict:
        return {"value": self.value}


class RandomNormal(Initializer):
    def __init__(self, mean=0.0, stddev=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.mean, self.stddev, self.seed = mean, stddev, seed

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return random_ops.normal(list(shape), self.mean, self.stddev, self._dtype(dtype),
                                 seed=self.seed)


class TruncatedNormal(RandomNormal):
    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return random_ops.truncated_normal(list(shape), self.mean, self.stddev,
                                           self._dtype(dtype), seed=self.seed)


class RandomUniform(Initializer):
    def __init__(self, minval=-0.05, maxval=0.05, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.minval, self.maxval, self.seed = minval, maxval, seed

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        return random_ops.uniform(list(shape), self.minval, self.maxval, self._dtype(dtype),
                                  seed=self.seed)


class GlorotUniform(Initializer):
    """Uniform in ``±sqrt(6 / (fan_in + fan_out))``: ``get_variable``'s default."""

    def __init__(self, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.seed = seed

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        fan_in, fan_out = _fans(tuple(shape))
        limit = math.sqrt(6.0 / max(1.0, fan_in + fan_out))
        return random_ops.uniform(list(shape), -limit, limit, self._dtype(dtype),
                                  seed=self.seed)


class GlorotNormal(GlorotUniform):
    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        fan_in, fan_out = _fans(tuple(shape))
        stddev = math.sqrt(2.0 / max(1.0, fan_in + fan_out)) / 0.87962566103423978
        return random_ops.truncated_normal(list(shape), 0.0, stddev, self._dtype(dtype),
                                           seed=self.seed)


class VarianceScaling(Initializer):
    """Scale-aware random values (``tf.compat.v1.variance_scaling_initializer``): variance
    ``scale / n``, ``n`` the fan in, fan out or their mean (``mode``), drawn from a
    truncated normal (``"truncated_normal"``, TF 1's ``"normal"`` too), a normal
    (``"untruncated_normal"``) or a uniform distribution."""

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 dtype=dtypes.float32):
        super().__init__(dtype)
        if scale <= 0.0:
            raise ValueError(f"`scale` must be positive float, got {scale}")
        if mode not in ("fan_in", "fan_out", "fan_avg"):
            raise ValueError(f"Invalid `mode` argument: {mode!r}; expected fan_in, fan_out "
                             f"or fan_avg")
        if distribution not in ("normal", "uniform", "truncated_normal", "untruncated_normal"):
            raise ValueError(f"Invalid `distribution` argument: {distribution!r}")
        self.scale, self.mode, self.distribution, self.seed = scale, mode, distribution, seed

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        fan_in, fan_out = _fans(tuple(shape))
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        dtype = self._dtype(dtype)
        if self.distribution in ("normal", "truncated_normal"):
            stddev = math.sqrt(variance) / 0.87962566103423978  # of the truncated normal
            return random_ops.truncated_normal(list(shape), 0.0, stddev, dtype, seed=self.seed)
        if self.distribution == "untruncated_normal":
            return random_ops.normal(list(shape), 0.0, math.sqrt(variance), dtype,
                                     seed=self.seed)
        limit = math.sqrt(3.0 * variance)
        return random_ops.uniform(list(shape), -limit, limit, dtype, seed=self.seed)

    def get_config(self) -> dict:
        return {"scale": self.scale, "mode": self.mode, "distribution": self.distribution,
                "seed": self.seed}


class UniformUnitScaling(Initializer):
    """Uniform in ``±factor * sqrt(3 / fan_in)`` (TF 1's
    ``uniform_unit_scaling_initializer``): keeps the scale of inputs through a layer."""

    def __init__(self, factor=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.factor, self.seed = factor, seed

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        input_size = float(np.prod(shape[:-1])) if len(shape) > 1 else 1.0
        limit = math.sqrt(3.0 / max(input_size, 1.0)) * self.factor
        return random_ops.uniform(list(shape), -limit, limit, self._dtype(dtype),
                                  seed=self.seed)


class Orthogonal(Initializer):
    """A random orthogonal matrix (rows or columns orthonormal), reshaped to ``shape``,
    times ``gain`` (``tf.compat.v1.orthogonal_initializer``)."""

    def __init__(self, gain=1.0, seed=None, dtype=dtypes.float32):
        super().__init__(dtype)
        self.gain, self.seed = gain, seed

    def __call__(self, shape, dtype=None, partition_info=None) -> Tensor:
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional, "
                             f"got shape {tuple(shape)}")
        rows = int(np.prod(shape[:-1]))
        cols = int(shape[-1])
        draw = random_ops.normal([max(rows, cols), min(rows, cols)], 0.0, 1.0,
                                 dtypes.float64, seed=self.seed).numpy()
        q, r = np.linalg.qr(draw)
        q = q * np.sign(np.diag(r))  # a uniform draw over orthogonal matrices
        if rows < cols:
            q = q.T
        return convert_to_tensor((self.gain * q).reshape(shape), dtype=self._dtype(dtype))


def _fans(shape: tuple) -> tuple[float, float]:
    if not shape:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive, shape[-1] * receptive


def as_initial_value(initializer, shape, dtype) -> Tensor:
    """The tensor an initializer (object, function, or constant value) gives for shape."""
    if callable(initializer):
        try:
            return convert_to_tensor(initializer(shape, dtype=dtype), dtype=dtype)
        except TypeError:
            return convert_to_tensor(initializer(shape), dtype=dtype)
    return convert_to_tensor(initializer, dtype=dtype)


zeros_initializer = Zeros
ones_initializer = Ones
constant_initializer = Constant
random_normal_initializer = RandomNormal
truncated_normal_initializer = TruncatedNormal
random_uniform_initializer = RandomUniform
glorot_uniform_initializer = GlorotUniform
glorot_normal_initializer = GlorotNormal
variance_scaling_initializer = VarianceScaling
uniform_unit_scaling_initializer = UniformUnitScaling
orthogonal_initializer = Orthogonal

# tf.compat.v1.initializers.*
zeros = Zeros
ones = Ones
constant = Constant
random_normal = RandomNormal
truncated_normal = TruncatedNormal
random_uniform = RandomUniform
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
variance_scaling = VarianceScaling
orthogonal = Orthogonal


def global_variables():
    """``tf.compat.v1.initializers.global_variables()``: the global variables' initializer."""
    return global_variables_initializer()


def local_variables():
    return local_variables_initializer()


def variables(var_list, name: str = "init"):
    return variables_initializer(var_list, name)
