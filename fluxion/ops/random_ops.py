"""The ``fluxion.random`` namespace (``tf.random``): stateless, stateful and Generator draws.

Every distribution is written once, as a stateless function of a ``[2]`` seed
(``stateless_uniform``...).  The stateful ops (``uniform``...) call the same code with
the seed of the next draw from a stream chosen by TF's seed rule
(``fluxion.core.random_state``); a ``Generator`` does so from its own state variable.
``mean``/``stddev``/``minval``/``maxval`` may be tensors: they are applied with
elementwise ops around standard draws, so they broadcast as in TF and get gradients.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes, random_state
from fluxion.core.errors import DTypeMismatchError, InvalidArgumentError, op_error
from fluxion.core.primitive import bind
from fluxion.core.primitives import elementwise as elementwise_prims
from fluxion.core.primitives import random as random_prims
from fluxion.core.primitives.dynamic_shape import is_dynamic
from fluxion.core.primitives.shape import concat, shape_tensor
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.core.tensor_shape import TensorShape

__all__ = [
    "categorical", "fold_in", "gamma", "normal", "poisson", "set_seed", "shuffle", "split",
    "stateless_binomial", "stateless_categorical", "stateless_gamma", "stateless_normal",
    "stateless_poisson", "stateless_truncated_normal", "stateless_uniform",
    "truncated_normal", "uniform",
]


def set_seed(seed: int | None) -> None:
    """Sets the global random seed (``tf.random.set_seed``).

    With a global seed, every run of a program draws the same sequence of values; an op
    called twice with the same ``seed`` still gives two different values.

    >>> set_seed(7); a = uniform([2]); set_seed(7); b = uniform([2])
    >>> bool((a.numpy() == b.numpy()).all())
    True
    """
    random_state.set_seed(seed)


# --- argument checks ----------------------------------------------------------------------
def _shape(op: str, shape) -> tuple:
    if type(shape) in (list, tuple) and all(type(d) is int and d >= 0 for d in shape):
        return tuple(shape)  # the common case, checked cheaply
    if isinstance(shape, TensorShape):
        if not shape.is_fully_defined():
            raise op_error(InvalidArgumentError, op, f"shape must be fully defined, got {shape}")
        shape = shape.as_list()
    if isinstance(shape, (list, tuple)) and len(shape) == 0:
        return ()
    array = np.asarray(convert_to_tensor(shape)._value)
    if array.dtype.kind not in "iu" or array.ndim > 1:
        raise op_error(InvalidArgumentError, op, f"shape must be a 1-D list of integers, got "
                                                 f"{shape!r}")
    dims = tuple(int(d) for d in array.reshape(-1))
    if any(d < 0 for d in dims):
        raise op_error(InvalidArgumentError, op, f"every dimension of shape must be >= 0, got "
                                                 f"{list(dims)}")
    return dims


def _dtype(op: str, dtype, allowed: tuple) -> dtypes.DType:
    dtype = dtypes.as_dtype(dtype)
    if dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise op_error(InvalidArgumentError, op, f"dtype must be one of ({names}), got "
                                                 f"{dtype.name}")
    return dtype


def checked_seed(op: str, seed) -> Tensor:
    """A stateless op's ``seed`` argument as an int32/int64 tensor of shape [2]."""
    seed = convert_to_tensor(seed)
    if seed.dtype not in random_prims.INT_DTYPES or tuple(seed.shape) not in ((2,), (None,)):
        raise op_error(InvalidArgumentError, op, f"seed must be an int32 or int64 tensor of "
                                                 f"shape [2], got {seed.dtype.name} of shape "
                                                 f"{list(seed.shape)}")
    return seed


def _param(op: str, name: str, value, dtype) -> Tensor:
    try:
        return convert_to_tensor(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise op_error(DTypeMismatchError, op, f"{name}: {error}") from None


def _is(value, number) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == number


def _scale_shift(op: str, draws: Tensor, scale, shift, dtype, names: tuple) -> Tensor:
    """``draws * scale + shift`` (skipped where they are the Python identities 1 and 0)."""
    if not _is(scale, 1):
        draws = elementwise_prims.mul(draws, _param(op, names[0], scale, dtype))
    if not _is(shift, 0):
        draws = elementwise_prims.add(draws, _param(op, names[1], shift, dtype))
    return draws


# --- the distributions, written once, as functions of a seed --------------------------------
def _uniform(op, shape, seed, minval, maxval, dtype, full_range_ok) -> Tensor:
    dtype = _dtype(op, dtype, random_prims.FLOAT_DTYPES + random_prims.INT_DTYPES + (
        (dtypes.uint32, dtypes.uint64) if full_range_ok else ()))
    if is_dynamic(shape) and dtype.is_integer and minval is not None and maxval is not None \
            and not dtype.is_unsigned:  # traced, with a run-time shape tensor
        shape_value, static = shape_tensor(shape)
        low, high = _param(op, "minval", minval, dtype), _param(op, "maxval", maxval, dtype)
        return bind(random_prims.random_uniform_int_dynamic_p, seed(), low, high, shape_value,
                    dtype=dtype, static=static)
    if is_dynamic(shape) and not dtype.is_integer:  # traced: the shape is a run-time tensor
        shape_value, static = shape_tensor(shape)
        draws = bind(random_prims.random_uniform_dynamic_p, seed(), shape_value, dtype=dtype,
                     static=static)
        return _scale_shift(
            op,
            draws,
            elementwise_prims.sub(
                _param(op, "maxval", 1 if maxval is None else maxval, dtype),
                _param(op, "minval", 0 if minval is None else minval, dtype),
            ),
            0 if minval is None else minval,
            dtype,
            ("maxval", "minval"),
        )
    shape = _shape(op, shape)
    if dtype.is_integer:
        if minval is None and maxval is None and full_range_ok:
            return bind(random_prims.random_uniform_full_int_p, seed(), shape=shape, dtype=dtype)
        if maxval is None or minval is None or dtype.is_unsigned:
            raise op_error(
                InvalidArgumentError,
                op,
                f"Must specify maxval for integer dtype {dtype.name} (and minval, or "
                f"leave both None for the full range in stateless ops)",
            )
        low, high = _param(op, "minval", minval, dtype), _param(op, "maxval", maxval, dtype)
        return bind(random_prims.random_uniform_int_p, seed(), low, high, shape=shape, dtype=dtype)
    draws = bind(random_prims.random_uniform_p, seed(), shape=shape, dtype=dtype)
    minval = 0 if minval is None else minval
    maxval = 1 if maxval is None else maxval
    if _is(minval, 0) and _is(maxval, 1):
        return draws
    low, high = _param(op, "minval", minval, dtype), _param(op, "maxval", maxval, dtype)
    return elementwise_prims.add(
        elementwise_prims.mul(draws, elementwise_prims.sub(high, low)), low
    )


def _normal(op, prim, shape, seed, mean, stddev, dtype) -> Tensor:
    dtype = _dtype(op, dtype, random_prims.FLOAT_DTYPES)
    if is_dynamic(shape):  # traced: the shape is a run-time tensor
        shape_value, static = shape_tensor(shape)
        dynamic = (
            random_prims.random_normal_dynamic_p
            if prim is random_prims.random_normal_p
            else random_prims.random_truncated_normal_dynamic_p
        )
        draws = bind(dynamic, seed(), shape_value, dtype=dtype, static=static)
        return _scale_shift(op, draws, stddev, mean, dtype, ("stddev", "mean"))
    draws = bind(prim, seed(), shape=_shape(op, shape), dtype=dtype)
    return _scale_shift(op, draws, stddev, mean, dtype, ("stddev", "mean"))


def _categorical(op, logits, num_samples, seed, dtype) -> Tensor:
    logits = convert_to_tensor(logits)
    if not logits.dtype.is_floating:
        raise op_error(
            InvalidArgumentError,
            op,
            f"logits must be a floating-point tensor, got {logits.dtype.name}",
        )
    dtype = _dtype(op, dtypes.int64 if dtype is None else dtype, random_prims.INT_DTYPES)
    return bind(
        random_prims.random_categorical_p, seed(), logits, num_samples=int(num_samples), dtype=dtype
    )


def _poisson(op, shape, seed, lam, dtype, stateless) -> Tensor:
    dtype = _dtype(op, dtype, random_prims.FLOAT_DTYPES + random_prims.INT_DTYPES)
    lam = convert_to_tensor(lam)
    shape = _shape(op, shape)
    if not stateless:  # tf.random.poisson draws `shape` samples of every rate
        shape += tuple(lam.shape)
    return bind(random_prims.random_poisson_p, seed(), lam, shape=shape, dtype=dtype)


def _gamma(op, shape, seed, alpha, beta, dtype, stateless) -> Tensor:
    dtype = _dtype(op, dtype, random_prims.FLOAT_DTYPES)
    alpha = _param(op, "alpha", alpha, dtype)
    shape = _shape(op, shape)
    if beta is not None:
        beta = _param(op, "beta", beta, dtype)
        alpha = elementwise_prims.add(
            alpha, elementwise_prims.zeros_like(beta)
        )  # broadcast alpha against beta
    if not stateless:
        shape += tuple(alpha.shape)
    draws = bind(random_prims.random_gamma_p, seed(), alpha, shape=shape, dtype=dtype)
    return draws if beta is None else elementwise_prims.div(draws, beta)


# --- stateless ops ------------------------------------------------------------------------------
def stateless_uniform(
    shape, seed, minval=0, maxval=None, dtype=dtypes.float32, name=None, alg="auto_select"
) -> Tensor:
    """Uniform values in ``[minval, maxval)``, a pure function of ``seed``.

    Args:
      shape: the output shape.
      seed: an int32/int64 tensor of shape [2].
      minval, maxval: the range (maxval defaults to 1 for floats); for an integer
        ``dtype`` both must be given, or both None for the full integer range.
      dtype: float16, bfloat16, float32, float64, int32, int64 (uint32/uint64 full range).

    Returns:
      A tensor of ``shape`` and ``dtype``.

    >>> a = stateless_uniform([2], seed=[1, 2]); b = stateless_uniform([2], seed=[1, 2])
    >>> bool((a.numpy() == b.numpy()).all())
    True
    """
    op = "stateless_uniform"
    key = checked_seed(op, seed)
    return _uniform(op, shape, lambda: key, minval, maxval, dtype, True)


def stateless_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"
) -> Tensor:
    """Normal values ``mean + stddev * N(0, 1)``, a pure function of ``seed``.

    >>> stateless_normal([2, 3], seed=[1, 2]).shape
    TensorShape([2, 3])
    """
    op = "stateless_normal"
    key = checked_seed(op, seed)
    return _normal(op, random_prims.random_normal_p, shape, lambda: key, mean, stddev, dtype)


def stateless_truncated_normal(
    shape, seed, mean=0.0, stddev=1.0, dtype=dtypes.float32, name=None, alg="auto_select"
) -> Tensor:
    """Normal values re-drawn until within 2 standard deviations of ``mean``.

    >>> bool((abs(stateless_truncated_normal([100], seed=[1, 2]).numpy()) <= 2).all())
    True
    """
    op = "stateless_truncated_normal"
    key = checked_seed(op, seed)
    return _normal(
        op, random_prims.random_truncated_normal_p, shape, lambda: key, mean, stddev, dtype
    )


def stateless_categorical(logits, num_samples, seed, dtype=dtypes.int64, name=None) -> Tensor:
    """Class indices drawn from ``logits`` ([batch, classes]); returns [batch, num_samples].

    >>> stateless_categorical([[0.0, 0.0]], 3, seed=[1, 2]).shape
    TensorShape([1, 3])
    """
    op = "stateless_categorical"
    key = checked_seed(op, seed)
    return _categorical(op, logits, num_samples, lambda: key, dtype)


def stateless_poisson(shape, seed, lam, dtype=dtypes.int32, name=None) -> Tensor:
    """Poisson draws of rate ``lam`` (which must broadcast to ``shape``)."""
    op = "stateless_poisson"
    key = checked_seed(op, seed)
    return _poisson(op, shape, lambda: key, lam, dtype, True)


def stateless_gamma(shape, seed, alpha, beta=None, dtype=dtypes.float32, name=None) -> Tensor:
    """Gamma draws of concentration ``alpha`` and rate ``beta`` (broadcast to ``shape``)."""
    op = "stateless_gamma"
    key = checked_seed(op, seed)
    return _gamma(op, shape, lambda: key, alpha, beta, dtype, True)


def stateless_binomial(shape, seed, counts, probs, output_dtype=dtypes.int32, name=None) -> Tensor:
    """Binomial draws (``counts`` trials of success probability ``probs``) of ``shape``."""
    op = "stateless_binomial"
    key = checked_seed(op, seed)
    dtype = _dtype(op, output_dtype, random_prims.FLOAT_DTYPES + random_prims.INT_DTYPES)
    return bind(
        random_prims.random_binomial_p,
        key,
        convert_to_tensor(counts),
        convert_to_tensor(probs),
        shape=_shape(op, shape),
        dtype=dtype,
    )


def stateless_shuffle(value, seed, alg="auto_select", name=None) -> Tensor:
    """``value`` with its first dimension permuted, a pure function of ``seed``."""
    key = checked_seed("stateless_shuffle", seed)
    return bind(random_prims.random_shuffle_p, key, convert_to_tensor(value))


def split(seed, num=2, alg="auto_select") -> Tensor:
    """``num`` new seeds ([num, 2], seed's dtype) derived from ``seed``.

    >>> split([1, 2], 3).shape
    TensorShape([3, 2])
    """
    key = checked_seed("split", seed)
    return bind(random_prims.random_uniform_full_int_p, key, shape=(int(num), 2), dtype=key.dtype)


def fold_in(seed, data, alg="auto_select") -> Tensor:
    """A new seed combining ``seed`` with the integer ``data``."""
    key = checked_seed("fold_in", seed)
    first = bind(random_prims.random_uniform_full_int_p, key, shape=(1,), dtype=key.dtype)
    return concat([first, convert_to_tensor([data], dtype=key.dtype)], axis=0)


# --- stateful ops: the next seed of the stream TF's seed rule picks ------------------------------
def _stateful(seed):
    return lambda: random_state.stateful_seed(seed)


def uniform(shape, minval=0, maxval=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Uniform values in ``[minval, maxval)`` (``tf.random.uniform``).

    Args:
      shape: the output shape.
      minval, maxval: the range; maxval defaults to 1 for floats and is required for ints.
      dtype: float16, bfloat16, float32, float64, int32 or int64.
      seed: the op seed; with ``set_seed`` it makes the sequence of values repeatable.

    >>> uniform([2, 3], minval=-1.0, maxval=1.0).shape
    TensorShape([2, 3])
    """
    return _uniform("random_uniform", shape, _stateful(seed), minval, maxval, dtype, False)


def normal(shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Normal values (``tf.random.normal``); mean and stddev may be tensors.

    >>> normal([3], mean=[0.0, 10.0, 20.0], stddev=0.1).shape
    TensorShape([3])
    """
    return _normal(
        "random_normal", random_prims.random_normal_p, shape, _stateful(seed), mean, stddev, dtype
    )


def truncated_normal(
    shape, mean=0.0, stddev=1.0, dtype=dtypes.float32, seed=None, name=None
) -> Tensor:
    """Normal values re-drawn until within 2 stddev of the mean (``tf.random.truncated_normal``).

    >>> truncated_normal([4], stddev=0.5).dtype
    tf.float32
    """
    return _normal(
        "truncated_normal",
        random_prims.random_truncated_normal_p,
        shape,
        _stateful(seed),
        mean,
        stddev,
        dtype,
    )


def categorical(logits, num_samples, dtype=None, seed=None, name=None) -> Tensor:
    """Class indices drawn from unnormalised log-probabilities (``tf.random.categorical``).

    Args:
      logits: [batch_size, num_classes].
      num_samples: samples per row.
      dtype: int32 or int64 (default).

    Returns:
      [batch_size, num_samples] indices.

    >>> categorical([[0.0, -1e9]], 4).numpy()
    array([[0, 0, 0, 0]])
    """
    return _categorical("categorical", logits, num_samples, _stateful(seed), dtype)


def shuffle(value, seed=None, name=None) -> Tensor:
    """``value`` with its first dimension randomly permuted (``tf.random.shuffle``).

    >>> sorted(shuffle([1, 2, 3]).numpy().tolist())
    [1, 2, 3]
    """
    value = convert_to_tensor(value)
    return bind(random_prims.random_shuffle_p, random_state.stateful_seed(seed), value)


def poisson(shape, lam, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Poisson draws: ``shape`` samples for each rate in ``lam`` (shape + lam.shape).

    >>> poisson([5], [1.0, 2.0]).shape
    TensorShape([5, 2])
    """
    return _poisson("random_poisson", shape, _stateful(seed), lam, dtype, False)


def gamma(shape, alpha, beta=None, dtype=dtypes.float32, seed=None, name=None) -> Tensor:
    """Gamma draws: ``shape`` samples per (alpha, beta) pair (shape + broadcast shape).

    No gradient flows to ``alpha`` (TF's implicit reparameterization is not implemented);
    gradients to ``beta`` do.

    >>> gamma([5], [1.0, 2.0], beta=2.0).shape
    TensorShape([5, 2])
    """
    return _gamma("random_gamma", shape, _stateful(seed), alpha, beta, dtype, False)
