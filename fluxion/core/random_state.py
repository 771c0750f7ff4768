"""Random state: the global seed, TensorFlow's seed semantics, and random streams.

Random primitives are stateless (``fluxion.core.primitives.random``): they take a
``[2]`` seed.  State lives here, in ``Variable`` s, so that a traced function reads and
advances it like any other variable:

- a *stream state* is an int64 ``Variable`` of shape ``[3]`` laid out as TF's Philox
  generator state, ``[counter_low, counter_high, key]``.  ``next_seed`` reads it,
  returns ``[key, counter_low]`` as the seed of one draw, and advances the counter with
  ``assign_add``.  ``fluxion.random.Generator`` wraps one such variable.
- stateful ops (``fluxion.random.uniform(..., seed=None)``) draw from a stream chosen
  by TF's rule on the global seed (``set_seed``) and the op's ``seed``:

  ===============  ==========  ===========================================
  global seed      op seed     stream
  ===============  ==========  ===========================================
  set              set         one per (global, op) pair, from counter 0
  set              None        one per global seed, shared by such ops
  None             set         as (87654321, op), TF's default graph seed
  None             None        a non-deterministic one (OS entropy)
  ===============  ==========  ===========================================

  ``set_seed`` forgets every stream, so a program that sets a global seed draws the
  same sequence of values every run, and the same op called twice with one op seed
  gives two different values (as in TF's eager mode).
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import bind
from fluxion.core.primitives.state import advance_state_p
from fluxion.core.tensor import Tensor, TensorRef
from fluxion.core.variable import Variable, init_scope

DEFAULT_GRAPH_SEED = 87654321
_MASK64 = (1 << 64) - 1

_global_seed: int | None = None
_streams: dict = {}  # (global seed, op seed) or None -> state Variable
# The generator behind fluxion.random.get_global_generator; fluxion.ops.random_ops fills it.
global_generator = None


def set_seed(seed: int | None) -> None:
    """Sets the global random seed and restarts every stateful op's stream."""
    global _global_seed
    if seed is not None:
        seed = _as_int("set_seed", seed)
    _global_seed = seed
    _streams.clear()


def get_global_seed() -> int | None:
    return _global_seed


def get_seed(op_seed: int | None) -> tuple:
    """TF's ``(global seed, op seed)`` pair for an op; ``(None, None)`` is non-deterministic."""
    if op_seed is not None:
        op_seed = _as_int("seed", op_seed)
    if _global_seed is None:
        return (None, None) if op_seed is None else (DEFAULT_GRAPH_SEED, op_seed)
    return _global_seed, op_seed


def mix64(*values: int) -> int:
    """A 64-bit hash of integers (splitmix64 steps), as a signed int64 value."""
    state = 0x9E3779B97F4A7C15
    for value in values:
        state = (state ^ (int(value) & _MASK64)) & _MASK64
        state = (state + 0x9E3779B97F4A7C15) & _MASK64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
        state = z ^ (z >> 31)
    return state - (1 << 64) if state >= 1 << 63 else state


def non_deterministic_key() -> int:
    """A fresh int64 key from the operating system's entropy."""
    return int.from_bytes(os.urandom(8), "little", signed=True)


def new_state(key: int, counter: int = 0, name: str = "StateVar") -> Variable:
    """A stream state variable ``[counter_low, counter_high, key]`` (int64, shape [3])."""
    low = counter & _MASK64
    words = [low, (counter >> 64) & _MASK64, key & _MASK64]
    values = np.array(words, dtype=np.uint64).astype(np.int64)
    # Internal state, not a user variable: created outside any trace, so a TF1 graph does
    # not count it among the variables to initialise and a traced function may create it
    # on any call.
    with init_scope():
        return Variable(values, trainable=False, name=name, dtype=dtypes.int64)


def next_seed(state: Variable) -> Tensor:
    """The ``[2]`` int64 seed of the next draw from ``state``; advances the state."""
    return bind(advance_state_p, state=TensorRef(state))


def stream_for(op_seed: int | None) -> Variable:
    """The state variable a stateful op with ``seed=op_seed`` draws from (TF's rule)."""
    global_seed, op_seed = get_seed(op_seed)
    key = None if global_seed is None else (global_seed, op_seed)
    state = _streams.get(key)
    if state is None:
        if global_seed is None:
            state = new_state(non_deterministic_key())
        elif op_seed is None:
            state = new_state(mix64(global_seed))
        else:
            state = new_state(mix64(global_seed, op_seed, 1))
        _streams[key] = state
    return state


def stateful_seed(op_seed: int | None) -> Tensor:
    """The seed of one draw of a stateful op: ``next_seed(stream_for(op_seed))``."""
    return next_seed(stream_for(op_seed))


def _as_int(what: str, value) -> int:
    if isinstance(value, Tensor):
        value = value._value
    try:
        as_int = int(value)
    except (TypeError, ValueError):
        raise TypeError(f"{what} must be an integer, got {value!r}") from None
    if as_int != value:
        raise TypeError(f"{what} must be an integer, got {value!r}")
    return as_int
