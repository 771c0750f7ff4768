"""Dropout (``tf.nn.dropout`` and its stateless and general forms).

Composed from a uniform draw and elementwise ops, as in TF: keep where the draw is
``>= rate``, scale kept values by ``1 / (1 - rate)``.  The gradient is therefore
automatic: it flows through the kept entries with the same scale, and what it keeps
from the forward pass is the bool keep mask only.  For float32 and float64 inputs with
a seed (``dropout``, ``stateless_dropout``) the mask comes from ``random_keep_mask``,
which compares the bit generator's raw words with the rate's threshold instead of
making the uniform floats: the same mask, bit for bit, as
``stateless_uniform(shape, seed) >= rate``, for less work.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable

from fluxion.core import dtypes, random_state
from fluxion.core.errors import InvalidArgumentError, op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives import elementwise as elementwise_prims
from fluxion.core.primitives.dynamic_shape import is_dynamic
from fluxion.core.primitives.random_keep import KEEP_MASK_DTYPES, random_keep_mask_p
from fluxion.core.primitives.shape import shape_tensor
from fluxion.core.shape_rules import broadcast_shapes
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.random_ops import checked_seed, stateless_uniform

__all__ = ["dropout", "stateless_dropout", "general_dropout"]


def dropout(x, rate, noise_shape=None, seed=None, name=None) -> Tensor:
    """Zeroes elements with probability ``rate`` and scales the rest by ``1 / (1 - rate)``.

    Args:
      x: a floating-point tensor.
      rate: the drop probability, a float (or scalar tensor) in ``[0, 1)``.
      noise_shape: the shape of the keep/drop mask, broadcast against ``x``; ``None``
        entries take ``x``'s dimension (``[None, 1]`` drops whole rows of a matrix).
      seed: the op seed (see ``fluxion.random.set_seed``).

    Returns:
      A tensor of ``x``'s shape and dtype.

    >>> import fluxion as tf
    >>> y = dropout(tf.ones([1000]), 0.5)
    >>> sorted(set(y.numpy().tolist()))
    [0.0, 2.0]
    """
    def sampler(shape, dtype):
        return stateless_uniform(shape, random_state.stateful_seed(seed), dtype=dtype)

    return _dropout("dropout", x, rate, noise_shape, sampler,
                    lambda: random_state.stateful_seed(seed))


def stateless_dropout(x, rate, seed, rng_alg=None, noise_shape=None, name=None) -> Tensor:
    """Dropout whose mask is a pure function of ``seed`` (an int tensor of shape [2]).

    >>> import fluxion as tf
    >>> a = stateless_dropout(tf.ones([4]), 0.5, seed=[1, 2])
    >>> b = stateless_dropout(tf.ones([4]), 0.5, seed=[1, 2])
    >>> bool((a.numpy() == b.numpy()).all())
    True
    """
    def sampler(shape, dtype):
        return stateless_uniform(shape, seed, dtype=dtype)

    return _dropout("stateless_dropout", x, rate, noise_shape, sampler,
                    lambda: checked_seed("stateless_dropout", seed))


def general_dropout(x, rate, uniform_sampler: Callable, noise_shape=None,
                    name=None) -> Tensor:
    """Dropout with a caller-supplied ``uniform_sampler(shape=..., dtype=...)`` in [0, 1)."""
    return _dropout("general_dropout", x, rate, noise_shape,
                    lambda shape, dtype: uniform_sampler(shape=shape, dtype=dtype))


def _dropout(op: str, x, rate, noise_shape, sampler, seed=None) -> Tensor:
    """Dropout with draws from ``sampler(shape, dtype)``, or, given ``seed()`` (the seed
    tensor of the draw) and a float32/float64 ``x``, from ``random_keep_mask``."""
    rate_is_number = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
    if rate_is_number and not 0 <= rate < 1:
        raise op_error(InvalidArgumentError, op, f"rate must be a scalar tensor or a float in "
                                                 f"the range [0, 1), got rate={rate}")
    x = convert_to_tensor(x)
    if not x.dtype.is_floating:
        raise op_error(InvalidArgumentError, op, f"x must be a floating-point tensor since it "
                                                 f"is scaled, got dtype {x.dtype.name}; cast it "
                                                 f"with fluxion.cast(x, fluxion.float32)")
    if rate_is_number and rate == 0:
        return x
    shape = _noise_shape(op, shape_tuple(x), noise_shape)
    if any(d is None for d in shape):  # traced, unknown dimensions: x's at run time
        from fluxion.ops.creation_ops import shape as dynamic_shape

        runtime = dynamic_shape(x)
        shape = [runtime[i] if d is None else d for i, d in enumerate(shape)]
    if rate_is_number:
        rate_scalar = convert_to_tensor(float(rate), dtype=x.dtype)
        scaled = elementwise_prims.mul(x, 1.0 / (1.0 - float(rate)))
    else:
        rate_scalar = convert_to_tensor(rate, dtype=x.dtype)
        if rate_scalar.ndim != 0:
            raise op_error(InvalidArgumentError, op, f"rate must be a scalar, got shape "
                                                     f"{rate_scalar.shape}")
        scaled = elementwise_prims.div(
            x, elementwise_prims.sub(elementwise_prims.ones_like(rate_scalar), rate_scalar))
    if seed is not None and x.dtype in KEEP_MASK_DTYPES:
        shape_value, static = (shape_tensor(shape) if is_dynamic(shape)
                               else (convert_to_tensor(list(shape), dtype=dtypes.int64),
                                     tuple(shape)))
        keep = bind(random_keep_mask_p, seed(), rate_scalar, shape_value, static=static)
    else:
        draws = sampler(shape, x.dtype)
        keep = elementwise_prims.greater_equal(draws, rate_scalar)
    # A select on the bool mask, not a multiply by the mask cast to x's dtype: the gradient
    # (a select on the same mask) keeps one byte per element alive until the backward pass
    # reads it, not four, and the zeros are a broadcast scalar.  Values are the same.
    return elementwise_prims.select(keep, scaled, elementwise_prims.zeros_like(rate_scalar))


def _compatible(a: tuple, b: tuple) -> bool:
    return len(a) == len(b) and all(x is None or y is None or x == y for x, y in zip(a, b))


def _noise_shape(op: str, x_shape: tuple, noise_shape) -> tuple:
    """``noise_shape`` with ``None`` entries filled from ``x``; checked to broadcast to x."""
    x_shape = tuple(x_shape)
    if noise_shape is None:
        return x_shape
    if hasattr(noise_shape, "as_list"):
        noise_shape = noise_shape.as_list()
    elif _is_traced(noise_shape):  # tf.shape(x) inside a traced function
        noise_shape = [noise_shape[i] for i in range(noise_shape.shape[0])]
    elif isinstance(noise_shape, Tensor):
        noise_shape = noise_shape.numpy().tolist()
    noise_shape = list(noise_shape)
    if None in noise_shape:
        if len(noise_shape) != len(x_shape):
            raise op_error(
                InvalidArgumentError,
                op,
                f"a noise_shape with None entries, "
                f"{noise_shape}, must have the rank of x's "
                f"shape {list(x_shape)}",
            )
        noise_shape = [x_dim if d is None else d for d, x_dim in zip(noise_shape, x_shape)]
    # A traced dimension (``ops.shape(x)[0]``) stays a tensor; it is checked as unknown.
    filled = tuple(d if d is None or _is_traced(d) else int(d) for d in noise_shape)
    checked = tuple(None if _is_traced(d) else d for d in filled)
    try:
        fits = _compatible(broadcast_shapes(checked, x_shape), x_shape)
    except ValueError:
        fits = False
    if not fits:
        raise op_error(
            InvalidArgumentError,
            op,
            f"noise_shape {list(checked)} must broadcast to x's shape {list(x_shape)}",
        )
    return filled


def _is_traced(dim) -> bool:
    return isinstance(dim, Tensor) and dim._value is None
