"""Weight initializers (``keras.initializers``), with Keras 3's names, configs and seeds.

An initializer is called as ``init(shape, dtype=None)`` and returns an eager Tensor
(``dtype`` defaults to float32).  Random initializers follow Keras 3's seed rule: the
``seed`` (an int, or one drawn by ``keras.random.make_default_seed`` when None, which
``keras.utils.set_random_seed`` makes reproducible) fixes the values, so one
initializer object gives the same values on every call; a ``SeedGenerator`` seed gives
new values on each call.
"""

from __future__ import annotations

import inspect
import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor
from fluxion.keras import random as keras_random
from fluxion.keras.engine.naming import to_snake_case
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)

# The standard deviation of N(0, 1) truncated to [-2, 2]: dividing by it gives the
# truncated draws the variance asked for.
_TRUNCATED_STDDEV = 0.87962566103423978


def _dtype(dtype) -> dtypes.DType:
    return dtypes.float32 if dtype is None else dtypes.as_dtype(dtype)


def _shape(shape) -> tuple:
    return tuple(int(d) for d in shape)


@keras_class("keras.initializers")
class Initializer:
    """The base class: subclasses implement ``__call__(shape, dtype=None)``."""

    def __call__(self, shape, dtype=None):
        raise NotImplementedError("Initializer subclasses must implement the `__call__()` "
                                  "method.")

    def get_config(self) -> dict:
        return {}

    @classmethod
    def from_config(cls, config: dict):
        return cls(**config)

    def clone(self):
        return type(self).from_config(self.get_config())


# --- constant initializers ---------------------------------------------------------------------
@keras_class("keras.initializers")
class Zeros(Initializer):
    """All zeros.

    >>> Zeros()((2,)).numpy()
    array([0., 0.], dtype=float32)
    """

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        return Tensor(np.zeros(_shape(shape), dtype=dtype.np_dtype))


@keras_class("keras.initializers")
class Ones(Initializer):
    """All ones."""

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        return Tensor(np.ones(_shape(shape), dtype=dtype.np_dtype))


@keras_class("keras.initializers")
class Constant(Initializer):
    """Every entry ``value`` (a scalar, or an array broadcast to the shape)."""

    def __init__(self, value=0.0):
        self.value = value

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        value = self.value.numpy() if hasattr(self.value, "numpy") else self.value
        value = np.asarray(value).astype(dtype.np_dtype)
        return Tensor(np.broadcast_to(value, _shape(shape)).copy())

    def get_config(self) -> dict:
        return {"value": serialize_keras_object(self.value)}

    @classmethod
    def from_config(cls, config: dict):
        return cls(deserialize_keras_object(config["value"]))


@keras_class("keras.initializers")
class Identity(Initializer):
    """``gain`` times the identity matrix (2-D shapes only)."""

    def __init__(self, gain=1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) != 2:
            raise ValueError(f"Identity matrix initializer can only be used for 2D matrices. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = _dtype(dtype)
        return Tensor((self.gain * np.eye(*shape)).astype(dtype.np_dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


# --- random initializers ------------------------------------------------------------------------
class RandomInitializer(Initializer):
    """Holds the ``seed``: an int, a ``SeedGenerator``, or None (a default seed is drawn)."""

    def __init__(self, seed=None):
        self._init_seed = seed
        if seed is None:
            seed = keras_random.make_default_seed()
        elif isinstance(seed, dict):
            seed = deserialize_keras_object(seed)
        elif isinstance(seed, bool) or not isinstance(
                seed, (int, np.integer, keras_random.SeedGenerator)):
            raise ValueError(f"`seed` argument should be an instance of "
                             f"`keras.random.SeedGenerator()` or an integer. Received: "
                             f"seed={seed}")
        self.seed = seed

    def get_config(self) -> dict:
        return {"seed": serialize_keras_object(self._init_seed)}


@keras_class("keras.initializers")
class RandomNormal(RandomInitializer):
    """Normal draws of ``mean`` and ``stddev``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return keras_random.normal(shape, self.mean, self.stddev, _dtype(dtype), self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@keras_class("keras.initializers")
class TruncatedNormal(RandomInitializer):
    """Normal draws re-drawn when more than two ``stddev`` from ``mean``."""

    def __init__(self, mean=0.0, stddev=0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        return keras_random.truncated_normal(shape, self.mean, self.stddev, _dtype(dtype),
                                             self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "mean": self.mean, "stddev": self.stddev}


@keras_class("keras.initializers")
class RandomUniform(RandomInitializer):
    """Uniform draws in ``[minval, maxval)``."""

    def __init__(self, minval=-0.05, maxval=0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        dtype = _dtype(dtype)
        if dtype.is_integer:
            return keras_random.randint(shape, self.minval, self.maxval, dtype, self.seed)
        return keras_random.uniform(shape, self.minval, self.maxval, dtype, self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "minval": self.minval, "maxval": self.maxval}


def compute_fans(shape, input_axes=None, output_axes=None) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight shape; conv kernels count their receptive field."""
    shape = _shape(shape)
    if input_axes is not None and output_axes is not None:
        return (int(np.prod([shape[a] for a in input_axes])),
                int(np.prod([shape[a] for a in output_axes])))
    if len(shape) == 0:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    return shape[-2] * receptive_field, shape[-1] * receptive_field


@keras_class("keras.initializers")
class VarianceScaling(RandomInitializer):
    """Draws scaled to the weight's fan: variance ``scale / fan`` (``mode`` picks the fan).

    >>> w = VarianceScaling(2.0, "fan_in", "uniform", seed=1)((100, 10)).numpy()
    >>> bool(abs(w).max() <= (3 * 2.0 / 100) ** 0.5)
    True
    """

    def __init__(self, scale=1.0, mode="fan_in", distribution="truncated_normal", seed=None,
                 input_axes=None, output_axes=None):
        if scale <= 0.0:
            raise ValueError(f"Argument `scale` must be positive float. Received: scale={scale}")
        allowed_modes = {"fan_in", "fan_out", "fan_avg"}
        if mode not in allowed_modes:
            raise ValueError(f"Invalid `mode` argument: {mode}. Please use one of "
                             f"{allowed_modes}")
        distribution = distribution.lower()
        if distribution == "normal":
            distribution = "truncated_normal"
        allowed = {"uniform", "truncated_normal", "untruncated_normal"}
        if distribution not in allowed:
            raise ValueError(f"Invalid `distribution` argument: {distribution}.Please use one "
                             f"of {allowed}")
        self.scale = scale
        self.mode = mode
        self.distribution = distribution
        self.input_axes = input_axes
        self.output_axes = output_axes
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        fan = {"fan_in": fan_in, "fan_out": fan_out,
               "fan_avg": (fan_in + fan_out) / 2.0}[self.mode]
        scale = self.scale / max(1.0, fan)
        dtype = _dtype(dtype)
        if self.distribution == "truncated_normal":
            stddev = math.sqrt(scale) / _TRUNCATED_STDDEV
            return keras_random.truncated_normal(shape, 0.0, stddev, dtype, self.seed)
        if self.distribution == "untruncated_normal":
            return keras_random.normal(shape, 0.0, math.sqrt(scale), dtype, self.seed)
        limit = math.sqrt(3.0 * scale)
        return keras_random.uniform(shape, -limit, limit, dtype, self.seed)

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "mode": self.mode,
                "distribution": self.distribution, "input_axes": self.input_axes,
                "output_axes": self.output_axes}


def _variance_scaling_preset(name: str, scale: float, mode: str, distribution: str, doc: str):
    """A ``VarianceScaling`` subclass with fixed arguments whose config is only its seed."""

    def __init__(self, seed=None, input_axes=None, output_axes=None):
        VarianceScaling.__init__(self, scale=scale, mode=mode, distribution=distribution,
                                 seed=seed, input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {"seed": serialize_keras_object(self._init_seed), "input_axes": self.input_axes,
                "output_axes": self.output_axes}

    cls = type(name, (VarianceScaling,), {"__init__": __init__, "get_config": get_config,
                                          "__doc__": doc, "__module__": __name__})
    return keras_class("keras.initializers")(cls)


GlorotUniform = _variance_scaling_preset(
    "GlorotUniform", 1.0, "fan_avg", "uniform",
    "Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / (fan_in + fan_out))`` (the default).")
GlorotNormal = _variance_scaling_preset(
    "GlorotNormal", 1.0, "fan_avg", "truncated_normal",
    "Truncated normal, ``stddev = sqrt(2 / (fan_in + fan_out))``.")
LecunNormal = _variance_scaling_preset(
    "LecunNormal", 1.0, "fan_in", "truncated_normal",
    "Truncated normal, ``stddev = sqrt(1 / fan_in)``.")
LecunUniform = _variance_scaling_preset(
    "LecunUniform", 1.0, "fan_in", "uniform",
    "Uniform in ``[-limit, limit]``, ``limit = sqrt(3 / fan_in)``.")
HeNormal = _variance_scaling_preset(
    "HeNormal", 2.0, "fan_in", "truncated_normal",
    "Truncated normal, ``stddev = sqrt(2 / fan_in)``.")
HeUniform = _variance_scaling_preset(
    "HeUniform", 2.0, "fan_in", "uniform",
    "Uniform in ``[-limit, limit]``, ``limit = sqrt(6 / fan_in)``.")


@keras_class("keras.initializers")
class Orthogonal(RandomInitializer):
    """An orthogonal matrix (rows or columns orthonormal) times ``gain``; rank >= 2.

    The weight is flattened to ``(prod(shape[:-1]), shape[-1])``; a normal matrix is
    orthogonalised by QR, with the signs of R's diagonal folded in so the result is
    uniformly distributed over orthogonal matrices.
    """

    def __init__(self, gain=1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None):
        shape = _shape(shape)
        if len(shape) < 2:
            raise ValueError(f"The tensor to initialize must be at least two-dimensional. "
                             f"Received: shape={shape} of rank {len(shape)}.")
        dtype = _dtype(dtype)
        rows, cols = int(np.prod(shape[:-1])), shape[-1]
        flat = (max(rows, cols), min(rows, cols))
        # Initializers run eagerly (KerasVariable builds under init_scope): QR in NumPy.
        draws = keras_random.normal(flat, dtype=dtype, seed=self.seed).numpy()
        q, r = np.linalg.qr(draws.astype(np.float64))
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return Tensor((self.gain * q).reshape(shape).astype(dtype.np_dtype))

    def get_config(self) -> dict:
        return {**super().get_config(), "gain": self.gain}


IdentityInitializer = Identity
OrthogonalInitializer = Orthogonal

_CLASSES = (Initializer, Constant, Identity, Ones, Zeros, GlorotNormal, GlorotUniform, HeNormal,
            HeUniform, LecunNormal, LecunUniform, Orthogonal, RandomNormal, RandomUniform,
            TruncatedNormal, VarianceScaling)
ALL_OBJECTS_DICT = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS_DICT.update({to_snake_case(cls.__name__): cls for cls in _CLASSES})
ALL_OBJECTS_DICT.update({"IdentityInitializer": Identity, "OrthogonalInitializer": Orthogonal,
                         "normal": RandomNormal, "uniform": RandomUniform, "one": Ones,
                         "zero": Zeros})
# The snake_case module-level names of Keras (keras.initializers.glorot_uniform ...).
constant, identity, ones, zeros = Constant, Identity, Ones, Zeros
glorot_normal, glorot_uniform, he_normal, he_uniform = GlorotNormal, GlorotUniform, HeNormal, \
    HeUniform
lecun_normal, lecun_uniform, orthogonal = LecunNormal, LecunUniform, Orthogonal
random_normal, random_uniform, truncated_normal = RandomNormal, RandomUniform, TruncatedNormal
variance_scaling = VarianceScaling


def serialize(initializer) -> dict:
    return serialize_keras_object(initializer)


def deserialize(config, custom_objects=None):
    return deserialize_keras_object(config, custom_objects=custom_objects,
                                    module_objects=ALL_OBJECTS_DICT)


def get(identifier):
    """An initializer from a name (``"glorot_uniform"``), a config dict, an array, or itself.

    >>> type(get("he_normal")).__name__
    'HeNormal'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        found = deserialize(identifier)
    elif isinstance(identifier, str):
        found = ALL_OBJECTS_DICT.get(identifier)
        if found is None:
            found = deserialize({"class_name": identifier, "config": {}})
    elif isinstance(identifier, (Tensor, np.ndarray, np.generic)):
        found = _from_array(identifier)
    else:
        found = identifier
    if callable(found):
        return found() if inspect.isclass(found) else found
    raise ValueError(f"Could not interpret initializer identifier: {identifier}")


def _from_array(value):
    array = value.numpy() if isinstance(value, Tensor) else np.asarray(value)

    def initialize(shape, dtype=None):
        if _shape(shape) != array.shape:
            raise ValueError(f"Expected `shape` to be {array.shape} for direct tensor as "
                             f"initializer. Received shape={tuple(shape)}")
        return Tensor(array.astype(_dtype(dtype).np_dtype))

    return initialize
