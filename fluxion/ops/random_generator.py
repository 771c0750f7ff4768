"""``fluxion.random.Generator``: a random stream whose state is a variable the user holds.

Each draw reads the state, uses it as the seed of a stateless op from
``fluxion.ops.random_ops``, and advances it with ``assign_add``.
"""

from __future__ import annotations

import enum

import numpy as np

from fluxion.core import dtypes, random_state
from fluxion.core.primitive import bind
from fluxion.core.primitives import random as random_prims
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.variable import Variable
from fluxion.ops.random_ops import _dtype, _normal, _shape, _uniform

__all__ = ["Algorithm", "Generator", "create_rng_state", "get_global_generator",
           "set_global_generator"]


class Algorithm(enum.Enum):
    """Bit-generator algorithms (``tf.random.Algorithm``); Fluxion always uses Philox."""

    PHILOX = 1
    THREEFRY = 2
    AUTO_SELECT = 3


# --- Generator: a stream whose state is a variable the user holds ----------------------------
def _check_alg(alg) -> None:
    if alg is None or isinstance(alg, Algorithm) or alg in (1, 2, 3):
        return
    if str(alg).lower() not in ("philox", "threefry", "auto_select"):
        raise ValueError(f"unknown random algorithm {alg!r}; expected 'philox', 'threefry', "
                         f"'auto_select' or a fluxion.random.Algorithm")


def _state_array(state) -> np.ndarray:
    if isinstance(state, Variable):
        state = state.numpy()
    array = np.asarray(state._value if isinstance(state, Tensor) else state)
    if array.dtype.kind not in "iu" or array.shape != (3,):
        raise ValueError(f"a Generator state must be 3 integers [counter_low, counter_high, "
                         f"key], got {array.dtype} of shape {list(array.shape)}")
    return array.astype(np.uint64).astype(np.int64)


def create_rng_state(seed, alg) -> np.ndarray:
    """The int64 [3] Generator state for ``seed`` (an int or a list of ints).

    >>> create_rng_state(1, "philox").shape
    (3,)
    """
    _check_alg(alg)
    words = np.asarray(seed._value if isinstance(seed, Tensor) else seed).reshape(-1)
    if words.dtype.kind not in "iu" or words.size == 0:
        raise ValueError(f"a seed must be an integer or a list of integers, got {seed!r}")
    key = random_state.mix64(*(int(w) for w in words))
    return np.array([0, 0, key], dtype=np.int64)


class Generator:
    """A random number generator whose state is an int64 variable (``tf.random.Generator``).

    Each draw reads the state, uses it as the seed of a stateless op, and advances it, so
    a generator gives a repeatable sequence from ``from_seed`` and its state can be saved,
    restored (``reset``) and traced like any variable.

    >>> g = Generator.from_seed(1)
    >>> g.normal([2, 3]).shape
    TensorShape([2, 3])
    """

    def __init__(self, copy_from=None, state=None, alg=None):
        _check_alg(alg)
        if copy_from is not None:
            if state is not None:
                raise ValueError("Generator takes copy_from or state, not both")
            state = copy_from.state.numpy()
        elif state is None:
            raise ValueError("Generator needs copy_from or state; use Generator.from_seed(seed) "
                             "or Generator.from_non_deterministic_state()")
        self._state_var = Variable(_state_array(state), trainable=False, name="StateVar")

    @classmethod
    def from_state(cls, state, alg) -> Generator:
        return cls(state=state, alg=alg)

    @classmethod
    def from_seed(cls, seed, alg=None) -> Generator:
        """A generator whose sequence is fixed by ``seed`` (an int or a list of ints)."""
        return cls(state=create_rng_state(seed, alg), alg=alg)

    @classmethod
    def from_non_deterministic_state(cls, alg=None) -> Generator:
        """A generator seeded from the operating system's entropy."""
        return cls(state=[0, 0, random_state.non_deterministic_key()], alg=alg)

    @classmethod
    def from_key_counter(cls, key, counter, alg) -> Generator:
        counter = np.asarray(counter).reshape(-1)
        return cls(state=[int(counter[0]), int(counter[-1]) if counter.size > 1 else 0,
                          int(key)], alg=alg)

    # --- state ----------------------------------------------------------------------------
    @property
    def state(self) -> Variable:
        """The int64 [3] state variable ``[counter_low, counter_high, key]``."""
        return self._state_var

    @property
    def algorithm(self) -> int:
        return Algorithm.PHILOX.value

    @property
    def key(self) -> Tensor:
        return convert_to_tensor(self._state_var.numpy()[2])

    def reset(self, state) -> None:
        self._state_var.assign(_state_array(state))

    def reset_from_seed(self, seed) -> None:
        self.reset(create_rng_state(seed, None))

    def reset_from_key_counter(self, key, counter) -> None:
        self.reset(Generator.from_key_counter(key, counter, None).state.numpy())

    def skip(self, delta) -> None:
        """Advances the state as if ``delta`` draws had been made."""
        self._state_var.assign_add(np.array([int(delta), 0, 0], dtype=np.int64))

    def _next_seed(self) -> Tensor:
        return random_state.next_seed(self._state_var)

    # --- draws ------------------------------------------------------------------------------
    def uniform(self, shape, minval=0, maxval=None, dtype=dtypes.float32, name=None) -> Tensor:
        """Uniform values; an integer dtype with both bounds None gives the full range."""
        return _uniform("Generator.uniform", shape, self._next_seed, minval, maxval, dtype,
                        True)

    def normal(self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None) -> Tensor:
        return _normal(
            "Generator.normal",
            random_prims.random_normal_p,
            shape,
            self._next_seed,
            mean,
            stddev,
            dtype,
        )

    def truncated_normal(
        self, shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None
    ) -> Tensor:
        return _normal(
            "Generator.truncated_normal",
            random_prims.random_truncated_normal_p,
            shape,
            self._next_seed,
            mean,
            stddev,
            dtype,
        )

    def uniform_full_int(self, shape, dtype=dtypes.uint64, name=None) -> Tensor:
        return _uniform(
            "Generator.uniform_full_int", shape, self._next_seed, None, None, dtype, True
        )

    def binomial(self, shape, counts, probs, dtype=dtypes.int32, name=None) -> Tensor:
        op = "Generator.binomial"
        dtype = _dtype(op, dtype, random_prims.FLOAT_DTYPES + random_prims.INT_DTYPES)
        return bind(
            random_prims.random_binomial_p,
            self._next_seed(),
            convert_to_tensor(counts),
            convert_to_tensor(probs),
            shape=_shape(op, shape),
            dtype=dtype,
        )

    def make_seeds(self, count=1) -> Tensor:
        """``count`` seeds for stateless ops, as an int64 [2, count] tensor."""
        return self.uniform_full_int([2, int(count)], dtype=dtypes.int64)

    def split(self, count=1) -> list:
        """``count`` new generators, independent of this one and of each other."""
        keys = self.uniform_full_int([int(count)], dtype=dtypes.int64).numpy()
        return [Generator.from_key_counter(int(k), [0, 0], None) for k in keys]

    def __repr__(self) -> str:
        return f"<fluxion.random.Generator state={self._state_var.numpy().tolist()}>"


def get_global_generator() -> Generator:
    """The global ``Generator``; made on first use (from the global seed when one is set)."""
    if random_state.global_generator is None:
        global_seed = random_state.get_global_seed()
        random_state.global_generator = (
            Generator.from_non_deterministic_state()
            if global_seed is None
            else Generator.from_seed(random_state.mix64(global_seed, 2))
        )
    return random_state.global_generator


def set_global_generator(generator: Generator) -> None:
    """Replaces the global generator (``tf.random.set_global_generator``)."""
    if not isinstance(generator, Generator):
        raise TypeError(
            f"set_global_generator expects a fluxion.random.Generator, got "
            f"{type(generator).__name__}"
        )
    random_state.global_generator = generator
