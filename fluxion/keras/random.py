"""Random draws with Keras 3's seed rules (``keras.random``).

Every draw here is a *stateless* ``fluxion.random`` op fed a ``[2]`` int64 seed, and the
``seed`` argument decides where that seed comes from, as in Keras 3:

- an ``int``: the seed ``[seed, 0]``, so the same call gives the same values every time;
- a ``SeedGenerator``: its state variable, read then advanced (``assign_add``), so a
  traced function (``fluxion.function``) advances it like any other variable;
- ``None``: the global ``SeedGenerator``, which ``set_global_seed`` (called by
  ``keras.utils.set_random_seed``) re-creates from the global seed.

Unseeded initializers take their integer seed from ``make_default_seed``, which draws
from a Python generator that ``set_global_seed`` also reseeds.
"""

from __future__ import annotations

import random as _python_random

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.variable import init_scope
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import dropout_ops, random_ops
from fluxion.ops.array_ops import is_dynamic, transpose

__all__ = ["SeedGenerator", "beta", "binomial", "categorical", "dropout", "gamma", "normal",
           "randint", "shuffle", "truncated_normal", "uniform"]

_ADVANCE = np.array([0, 1], dtype=np.int64)
_python_rng = _python_random.Random()
_global_generator: SeedGenerator | None = None
_generator_count = [0]


def set_global_seed(seed: int | None) -> None:
    """Seeds unseeded Keras draws (``keras.utils.set_random_seed`` calls this)."""
    global _global_generator
    _python_rng.seed(seed)
    _global_generator = None


def make_default_seed() -> int:
    """An integer seed for an object created without one (from the global seed)."""
    return _python_rng.randint(1, int(1e9))


@keras_class("keras.random")
class SeedGenerator:
    """A stream of seeds held in a state variable (``keras.random.SeedGenerator``).

    >>> gen = SeedGenerator(1337)
    >>> a = uniform((2,), seed=gen); b = uniform((2,), seed=gen)
    >>> bool((a.numpy() != b.numpy()).any())
    True
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        if name is None:
            _generator_count[0] += 1
            count = _generator_count[0] - 1
            name = "seed_generator" if count == 0 else f"seed_generator_{count}"
        self.name = name
        self._initial_seed = seed
        if seed is None:
            seed = make_default_seed()
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed}")
        from fluxion.keras.engine.variables import KerasVariable

        with init_scope():
            self.state = KerasVariable(np.array([int(seed), 0], dtype=np.int64),
                                       dtype="int64", trainable=False,
                                       name="seed_generator_state",
                                       path=f"{name}/seed_generator_state")

    def next(self, ordered: bool = True) -> Tensor:
        """The seed of the next draw; advances the state."""
        current = self.state.read_value()
        if ordered:
            self.state.assign_add(_ADVANCE)
        else:
            self.state.assign((current + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> SeedGenerator:
        return cls(**config)


def global_seed_generator() -> SeedGenerator:
    global _global_generator
    if _global_generator is None:
        _global_generator = SeedGenerator(name="global_seed_generator")
    return _global_generator


def draw_seed(seed) -> Tensor:
    """The ``[2]`` int64 seed of one draw for a Keras ``seed`` argument."""
    if isinstance(seed, SeedGenerator):
        return seed.next()
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return Tensor(np.array([int(seed), 0], dtype=np.int64))
    if seed is None:
        return global_seed_generator().next(ordered=False)
    raise ValueError(f"Argument `seed` must be either an integer or an instance of "
                     f"`SeedGenerator`. Received: seed={seed} (of type {type(seed)})")


def _floatx(dtype):
    return dtypes.float32 if dtype is None else dtypes.as_dtype(dtype)


def _shape(shape):
    """Python ints, or the shape as given where it holds run-time (traced) dimensions.

    ``batch = ops.shape(x)[0]`` is a symbolic scalar inside a traced ``fit`` step; the
    draws then take their shape from a tensor at run time.
    """
    if is_dynamic(shape):
        return shape if isinstance(shape, Tensor) else list(shape)
    return tuple(int(d) for d in shape)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal draws ``mean + stddev * N(0, 1)`` of ``shape``.

    >>> normal((2, 3), seed=1).shape
    TensorShape([2, 3])
    """
    return random_ops.stateless_normal(_shape(shape), draw_seed(seed), mean, stddev,
                                       _floatx(dtype))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Uniform draws in ``[minval, maxval)`` (a float ``dtype``; use ``randint`` for ints).

    >>> bool((uniform((5,), 2.0, 3.0, seed=1).numpy() >= 2.0).all())
    True
    """
    dtype = _floatx(dtype)
    if not dtype.is_floating:
        raise ValueError(f"`keras.random.uniform` requires a floating point `dtype`. "
                         f"Received: dtype={dtype.name}")
    return random_ops.stateless_uniform(_shape(shape), draw_seed(seed), minval, maxval, dtype)


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal draws kept within two standard deviations of ``mean``."""
    return random_ops.stateless_truncated_normal(_shape(shape), draw_seed(seed), mean, stddev,
                                                 _floatx(dtype))


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers drawn uniformly from ``[minval, maxval)``.

    >>> x = randint((10,), 0, 3, seed=1).numpy(); bool(((x >= 0) & (x < 3)).all())
    True
    """
    return random_ops.stateless_uniform(_shape(shape), draw_seed(seed), minval, maxval,
                                        dtypes.as_dtype(dtype))


def categorical(logits, num_samples, dtype="int32", seed=None) -> Tensor:
    """Class indices drawn from ``logits`` of shape ``[batch, classes]``."""
    return random_ops.stateless_categorical(logits, num_samples, draw_seed(seed),
                                            dtypes.as_dtype(dtype))


def shuffle(x, axis=0, seed=None) -> Tensor:
    """``x`` permuted along ``axis``."""

    x = convert_to_tensor(x)
    if axis == 0:
        return random_ops.stateless_shuffle(x, draw_seed(seed))
    rank = len(x.shape)
    axis = axis % rank
    perm = (axis,) + tuple(i for i in range(rank) if i != axis)
    shuffled = random_ops.stateless_shuffle(transpose(x, perm), draw_seed(seed))
    return transpose(shuffled, tuple(int(i) for i in np.argsort(perm)))


def dropout(inputs, rate, noise_shape=None, seed=None) -> Tensor:
    """Zeroes entries with probability ``rate`` and scales the rest by ``1 / (1 - rate)``."""
    return dropout_ops.stateless_dropout(inputs, rate, draw_seed(seed), noise_shape=noise_shape)


def gamma(shape, alpha, dtype=None, seed=None) -> Tensor:
    """Gamma draws of concentration ``alpha`` (rate 1)."""
    return random_ops.stateless_gamma(_shape(shape), draw_seed(seed), alpha, dtype=_floatx(dtype))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> Tensor:
    """Binomial draws: ``counts`` trials of success probability ``probabilities``."""
    dtype = _floatx(dtype)
    return random_ops.stateless_binomial(_shape(shape), draw_seed(seed),
                                         convert_to_tensor(counts, dtype=dtype),
                                         convert_to_tensor(probabilities, dtype=dtype),
                                         output_dtype=dtype)


def beta(shape, alpha, beta, dtype=None, seed=None) -> Tensor:  # noqa: A002 - Keras's name
    """Beta draws, as ``X / (X + Y)`` for gammas ``X ~ G(alpha)``, ``Y ~ G(beta)``."""
    dtype = _floatx(dtype)
    shape = _shape(shape)
    seeds = random_ops.split(draw_seed(seed), 2)
    x = random_ops.stateless_gamma(shape, seeds[0], alpha, dtype=dtype)
    y = random_ops.stateless_gamma(shape, seeds[1], beta, dtype=dtype)
    return x / (x + y)
