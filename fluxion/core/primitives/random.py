"""Random primitives, all *stateless*: the same seed gives the same numbers.

Every primitive takes a seed tensor as its first input (int32 or int64, shape ``[2]``)
and produces its draws from a counter-based bit generator keyed by that seed: NumPy's
``Philox`` with the two seed words as its 128-bit key.  Distinct seeds select
independent streams, so no state hides in a kernel; stateful ops and ``Generator``
(``fluxion.core.random_state``) keep their state in a ``Variable`` and pass a fresh
seed read from it each call.  Shapes and dtypes are static attributes.

Random draws have no gradient with respect to the seed, so none of these has a VJP;
gradients with respect to ``mean``, ``stddev``, ``minval``... come from the
elementwise ops the public functions compose around the standard draws.
"""

from __future__ import annotations

import threading

import numpy as np

from fluxion.core import dtypes
from fluxion.core.dtypes import DType
from fluxion.core.primitive import Aval, define
from fluxion.core.shape_rules import broadcast_shapes

FLOAT_DTYPES = tuple(d for d in (dtypes.float16, dtypes.bfloat16, dtypes.float32,
                                 dtypes.float64) if d is not None)
INT_DTYPES = (dtypes.int32, dtypes.int64)
FULL_INT_DTYPES = (dtypes.int32, dtypes.int64, dtypes.uint32, dtypes.uint64)
# Significant bits of the narrow floats: k * 2**-bits with k < 2**bits is exact in them.
_NARROW_FLOAT_BITS = {"float16": 11, "bfloat16": 8}


def bit_generator(seed: np.ndarray) -> np.random.Generator:
    """The NumPy generator for a ``[2]`` seed: Philox keyed by the two words.

    One Philox object per thread is re-keyed rather than built anew: setting its state
    costs a microsecond, constructing one ten.
    """
    key = np.array(seed, dtype=np.int64).view(np.uint64)
    gen = getattr(_per_thread, "generator", None)
    if gen is None:
        gen = _per_thread.generator = np.random.Generator(np.random.Philox(key=key))
    gen.bit_generator.state = {
        "bit_generator": "Philox", "state": {"counter": _ZERO4, "key": key},
        "buffer": _ZERO4, "buffer_pos": 4, "has_uint32": 0, "uinteger": 0}
    return gen


_per_thread = threading.local()
_ZERO4 = np.zeros(4, dtype=np.uint64)


# --- shape-rule pieces ----------------------------------------------------------------------
def _check_seed(seed: Aval) -> None:
    if seed.dtype not in INT_DTYPES:
        raise TypeError(f"the seed must be an int32 or int64 tensor of shape [2], got dtype "
                        f"{seed.dtype.name}")
    if len(seed.shape) != 1 or seed.shape[0] not in (2, None):
        raise ValueError(f"the seed must have shape [2], got shape {list(seed.shape)}")


def _check_shape(shape: tuple) -> None:
    for d in shape:
        if d is None or d < 0:
            raise ValueError(f"the output shape must have known dimensions >= 0, got "
                             f"{list(shape)}")


def _check_dtype(dtype: DType, allowed: tuple, what: str) -> None:
    if dtype not in allowed:
        names = ", ".join(d.name for d in allowed)
        raise TypeError(f"{what} must be one of ({names}), got {dtype.name}")


def _check_scalar(aval: Aval, name: str) -> None:
    if len(aval.shape) != 0:
        raise ValueError(f"{name} must be a scalar, got shape {list(aval.shape)}")


def _draw_rule(seed: Aval, shape: tuple, dtype: DType, allowed: tuple = FLOAT_DTYPES) -> Aval:
    _check_seed(seed)
    _check_shape(shape)
    _check_dtype(dtype, allowed, "dtype")
    return Aval(tuple(shape), dtype)


# --- uniform ---------------------------------------------------------------------------------
def _uniform_kernel(seed, shape, dtype):
    gen = bit_generator(seed)
    if dtype in (dtypes.float32, dtypes.float64):
        return gen.random(shape, dtype=dtype.np_dtype)
    # Narrow floats: draw values exactly representable in the dtype, so none rounds up to 1.
    bits = _NARROW_FLOAT_BITS[dtype.name]
    k = gen.integers(0, 2**bits, size=shape)
    return (k * 2.0**-bits).astype(dtype.np_dtype)


def _uniform_int_rule(seed: Aval, minval: Aval, maxval: Aval, shape: tuple,
                      dtype: DType) -> Aval:
    _draw_rule(seed, shape, dtype, INT_DTYPES)
    _check_scalar(minval, "minval")
    _check_scalar(maxval, "maxval")
    for name, aval in (("minval", minval), ("maxval", maxval)):
        if aval.dtype is not dtype:
            raise TypeError(f"{name} must have the output dtype {dtype.name}, got "
                            f"{aval.dtype.name}")
    return Aval(tuple(shape), dtype)


def _uniform_int_kernel(seed, minval, maxval, shape, dtype):
    if not minval < maxval:
        raise ValueError(f"Need minval < maxval, got {minval} >= {maxval}")
    return bit_generator(seed).integers(minval, maxval, size=shape, dtype=dtype.np_dtype)


def _uniform_full_int_kernel(seed, shape, dtype):
    info = np.iinfo(dtype.np_dtype)
    return bit_generator(seed).integers(info.min, info.max, size=shape, dtype=dtype.np_dtype,
                                        endpoint=True)


random_uniform_p = define("random_uniform", _uniform_kernel, _draw_rule)
random_uniform_int_p = define("random_uniform_int", _uniform_int_kernel, _uniform_int_rule)
random_uniform_full_int_p = define(
    "random_uniform_full_int", _uniform_full_int_kernel,
    lambda seed, shape, dtype: _draw_rule(seed, shape, dtype, FULL_INT_DTYPES))


# --- normal and truncated normal ------------------------------------------------------------
def _work_dtype(dtype: DType):
    return np.float64 if dtype is dtypes.float64 else np.float32


def _normal_kernel(seed, shape, dtype):
    draws = bit_generator(seed).standard_normal(shape, dtype=_work_dtype(dtype))
    return draws.astype(dtype.np_dtype, copy=False)


def _truncated_normal_kernel(seed, shape, dtype):
    # As TF: values more than 2 standard deviations from the mean are dropped and re-drawn.
    gen = bit_generator(seed)
    work = _work_dtype(dtype)
    draws = gen.standard_normal(shape, dtype=work)
    outside = np.abs(draws) > 2
    while outside.any():
        draws[outside] = gen.standard_normal(int(outside.sum()), dtype=work)
        outside = np.abs(draws) > 2
    return draws.astype(dtype.np_dtype, copy=False)


random_normal_p = define("random_normal", _normal_kernel, _draw_rule)
random_truncated_normal_p = define("random_truncated_normal", _truncated_normal_kernel,
                                   _draw_rule)


# --- categorical -----------------------------------------------------------------------------
def _categorical_rule(seed: Aval, logits: Aval, num_samples: int, dtype: DType) -> Aval:
    _check_seed(seed)
    _check_dtype(logits.dtype, FLOAT_DTYPES, "logits dtype")
    _check_dtype(dtype, INT_DTYPES, "the output dtype")
    if len(logits.shape) != 2:
        raise ValueError(f"logits should be a matrix [batch_size, num_classes], got shape "
                         f"{list(logits.shape)}")
    if logits.shape[1] == 0:
        raise ValueError("num_classes (the last dimension of logits) should be positive, "
                         "got 0")
    if num_samples < 0:
        raise ValueError(f"num_samples should be non-negative, got {num_samples}")
    return Aval((logits.shape[0], num_samples), dtype)


def _categorical_kernel(seed, logits, num_samples, dtype):
    batch, classes = logits.shape
    logits = logits.astype(np.float64)
    with np.errstate(invalid="ignore"):
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        cdf = np.cumsum(probs, axis=1)
        cdf /= cdf[:, -1:]
    draws = bit_generator(seed).random((batch, num_samples))
    out = np.empty((batch, num_samples), dtype=dtype.np_dtype)
    for row in range(batch):  # inverse CDF: the first class whose cumulative mass exceeds u
        out[row] = np.searchsorted(cdf[row], draws[row], side="right")
    return np.minimum(out, classes - 1, out=out)


random_categorical_p = define("random_categorical", _categorical_kernel, _categorical_rule)


# --- shuffle ---------------------------------------------------------------------------------
def _shuffle_rule(seed: Aval, value: Aval) -> Aval:
    _check_seed(seed)
    return value


def _shuffle_kernel(seed, value):
    if value.ndim == 0:
        return value
    return value[bit_generator(seed).permutation(value.shape[0])]


random_shuffle_p = define("random_shuffle", _shuffle_kernel, _shuffle_rule)


# --- poisson, gamma, binomial ------------------------------------------------------------------
def _param_rule(seed: Aval, param: Aval, shape: tuple, dtype: DType, allowed: tuple) -> Aval:
    _draw_rule(seed, shape, dtype, allowed)
    if not (param.dtype.is_floating or param.dtype.is_integer):
        raise TypeError(f"the distribution parameter must be numeric, got {param.dtype.name}")
    _check_broadcasts(param, shape, "the distribution parameter")
    return Aval(tuple(shape), dtype)


def _check_broadcasts(param: Aval, shape: tuple, name: str) -> None:
    try:
        fits = broadcast_shapes(param.shape, shape) == tuple(shape)
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(f"{name} of shape {list(param.shape)} must broadcast to the output "
                         f"shape {list(shape)} (the output shape must end with it)")


def _poisson_kernel(seed, lam, shape, dtype):
    draws = bit_generator(seed).poisson(lam.astype(np.float64), size=shape)
    return draws.astype(dtype.np_dtype)


def _gamma_kernel(seed, alpha, shape, dtype):
    draws = bit_generator(seed).standard_gamma(alpha.astype(np.float64), size=shape)
    return draws.astype(dtype.np_dtype)


def _binomial_rule(seed: Aval, counts: Aval, probs: Aval, shape: tuple, dtype: DType) -> Aval:
    _draw_rule(seed, shape, dtype, FLOAT_DTYPES + INT_DTYPES)
    _check_broadcasts(counts, shape, "counts")
    _check_broadcasts(probs, shape, "probs")
    return Aval(tuple(shape), dtype)


def _binomial_kernel(seed, counts, probs, shape, dtype):
    counts = np.broadcast_to(counts, shape).astype(np.int64)
    probs = np.broadcast_to(probs, shape).astype(np.float64)
    return bit_generator(seed).binomial(counts, probs).astype(dtype.np_dtype)


random_poisson_p = define(
    "random_poisson", _poisson_kernel,
    lambda seed, lam, shape, dtype: _param_rule(seed, lam, shape, dtype,
                                                FLOAT_DTYPES + INT_DTYPES))
random_gamma_p = define(
    "random_gamma", _gamma_kernel,
    lambda seed, alpha, shape, dtype: _param_rule(seed, alpha, shape, dtype, FLOAT_DTYPES))
random_binomial_p = define("random_binomial", _binomial_kernel, _binomial_rule)


# --- draws whose shape is known only at run time (a traced shape tensor) --------------------------
def _dynamic_rule(seed: Aval, shape: Aval, dtype: DType, static: tuple) -> Aval:
    _check_seed(seed)
    _check_dtype(dtype, FLOAT_DTYPES, "dtype")
    if shape.shape[0] is None:
        raise ValueError("the shape tensor must have a known length")
    return Aval(tuple(static) if static else (None,) * shape.shape[0], dtype)


def _dynamic(kernel):
    def run(seed, shape, dtype, static):
        return kernel(seed, tuple(int(d) for d in shape), dtype)

    return run


random_uniform_dynamic_p = define("random_uniform_dynamic", _dynamic(_uniform_kernel),
                                  _dynamic_rule, shape_values_input=1)
random_normal_dynamic_p = define("random_normal_dynamic", _dynamic(_normal_kernel),
                                 _dynamic_rule, shape_values_input=1)
random_truncated_normal_dynamic_p = define(
    "random_truncated_normal_dynamic", _dynamic(_truncated_normal_kernel), _dynamic_rule,
    shape_values_input=1)


def _uniform_int_dynamic_rule(seed: Aval, minval: Aval, maxval: Aval, shape: Aval,
                              dtype: DType, static: tuple) -> Aval:
    if shape.shape[0] is None:
        raise ValueError("the shape tensor must have a known length")
    out_shape = tuple(static) if static else (None,) * shape.shape[0]
    _uniform_int_rule(seed, minval, maxval, (), dtype)
    return Aval(out_shape, dtype)


def _uniform_int_dynamic_kernel(seed, minval, maxval, shape, dtype, static):
    return _uniform_int_kernel(seed, minval, maxval, tuple(int(d) for d in shape), dtype)


random_uniform_int_dynamic_p = define("random_uniform_int_dynamic", _uniform_int_dynamic_kernel,
                                      _uniform_int_dynamic_rule, shape_values_input=3)


def _round_keys(seed: np.ndarray, rounds: int) -> np.ndarray:
    words = np.asarray(seed, np.uint64).reshape(-1)
    generator = np.random.Generator(np.random.Philox(key=words[:2] if words.size >= 2 else
                                                     np.concatenate([words, words])[:2]))
    return generator.integers(0, 2 ** 32, size=rounds, dtype=np.uint64)


def _feistel(values: np.ndarray, keys: np.ndarray, half_bits: int) -> np.ndarray:
    mask = np.uint64((1 << half_bits) - 1)
    left, right = values >> np.uint64(half_bits), values & mask
    for key in keys:
        mixed = (right * np.uint64(0x9E3779B1) + key) & np.uint64(0xFFFFFFFF)
        mixed ^= mixed >> np.uint64(15)
        mixed = (mixed * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
        left, right = right, (left ^ mixed) & mask
    return (left << np.uint64(half_bits)) | right


def _index_shuffle_kernel(index, seed, max_index, rounds):
    limit = np.asarray(max_index, np.uint64).reshape(())
    bits = max(2, int(limit).bit_length())
    bits += bits % 2
    keys = _round_keys(seed, int(rounds))
    values = np.asarray(index).astype(np.uint64)
    if np.any(values > limit):
        raise ValueError(f"index_shuffle: every index must be <= max_index={int(limit)}")
    out = _feistel(values, keys, bits // 2)
    while np.any(out > limit):  # cycle-walk back into [0, max_index]
        outside = out > limit
        out[outside] = _feistel(out[outside], keys, bits // 2)
    return out.astype(np.asarray(index).dtype)


index_shuffle_p = define("index_shuffle", _index_shuffle_kernel,
                         lambda index, seed, max_index, rounds: Aval(index.shape, index.dtype),
                         doc="The position of indices in a seeded random permutation.")
