"""``random_keep_mask``: dropout's keep mask, ``uniform(seed) >= rate``, from the raw bits.

Dropout keeps an element where a uniform draw in [0, 1) is ``>= rate``
(``tf.nn.experimental.stateless_dropout`` is documented as ``general_dropout`` with
``stateless_uniform(shape, seed)`` as the sampler, so the mask must be exactly that
comparison).  NumPy makes a float32 uniform from one 32-bit word ``w`` of the bit
generator as ``(w >> 8) * 2**-24`` and a float64 one from a 64-bit word ``r`` as
``(r >> 11) * 2**-53``, so for ``t = ceil(rate * 2**24)``

    (w >> 8) * 2**-24 >= rate   <=>   w >= t << 8        (float32; 2**53, << 11 for float64)

and the mask is one integer comparison on the generator's raw words, without making
the floats: a 128 x 1600 float32 mask costs ~320 us against ~530 us for the uniform
draw and its comparison.  The words come from the same Philox stream, keyed the same
way (``random.bit_generator``), in the same order, so every mask equals the uniform
draw's comparison bit for bit, whatever the rate.

Inputs: the ``[2]`` seed, the rate (a scalar of the draw's dtype, float32 or float64),
and the shape as an int vector whose values are read at run time (``static`` holds the
dimensions known when tracing).  The output is bool; it has no gradient.
"""

from __future__ import annotations

import math
import sys

import numpy as np

from fluxion.core import dtypes
from fluxion.core.primitive import Aval, define
from fluxion.core.primitives.random import _check_seed, bit_generator

# dtype name -> (significant bits of NumPy's uniform, unused low bits of the raw word)
_UNIFORM_BITS = {"float32": (24, 8), "float64": (53, 11)}
KEEP_MASK_DTYPES = (dtypes.float32, dtypes.float64)


def _keep_mask_rule(seed: Aval, rate: Aval, shape: Aval, static: tuple) -> Aval:
    _check_seed(seed)
    if rate.dtype not in KEEP_MASK_DTYPES:
        raise TypeError(f"the rate must be float32 or float64 (the uniform draw's dtype), "
                        f"got {rate.dtype.name}")
    if len(rate.shape) != 0:
        raise ValueError(f"the rate must be a scalar, got shape {list(rate.shape)}")
    length = shape.shape[0] if len(shape.shape) == 1 else None
    if length is None and static:
        length = len(static)  # the vector's length is the number of static dims
    if len(shape.shape) != 1 or length is None:
        raise ValueError(f"the shape must be an int vector of known length, got shape "
                         f"{list(shape.shape)}")
    if static and len(static) != length:
        raise ValueError(f"static dims {list(static)} do not match the shape vector's "
                         f"length {length}")
    return Aval(tuple(static) if static else (None,) * length, dtypes.bool_)


def keep_threshold(rate: float, dtype_name: str) -> int:
    """The smallest raw word whose uniform is ``>= rate`` (``2**width`` when none is)."""
    significant, unused = _UNIFORM_BITS[dtype_name]
    width = significant + unused
    if math.isnan(rate) or rate >= 1:
        return 1 << width  # no uniform in [0, 1) reaches it
    if rate <= 0:
        return 0
    return math.ceil(rate * 2.0 ** significant) << unused  # exact: a power-of-two scaling


def _raw_words(seed, count: int, dtype_name: str) -> np.ndarray:
    """The first ``count`` words of the seed's stream, as its uniform draws consume them."""
    generator = bit_generator(seed).bit_generator
    if dtype_name == "float64":
        return generator.random_raw(count)
    raw = generator.random_raw((count + 1) // 2)  # NumPy splits a 64-bit word low half first
    if sys.byteorder == "little":
        return raw.view(np.uint32)[:count]
    halves = np.empty((raw.size, 2), np.uint32)
    halves[:, 0], halves[:, 1] = raw & np.uint64(0xFFFFFFFF), raw >> np.uint64(32)
    return halves.reshape(-1)[:count]


def _keep_mask_kernel(seed, rate, shape, static):
    dims = tuple(int(d) for d in np.asarray(shape).reshape(-1))
    if any(d < 0 for d in dims):
        raise ValueError(f"every dimension of the mask's shape must be >= 0, got {list(dims)}")
    dtype_name = np.asarray(rate).dtype.name
    threshold = keep_threshold(float(rate), dtype_name)
    count = math.prod(dims)
    if threshold == 0:
        return np.ones(dims, np.bool_)
    if threshold >> (sum(_UNIFORM_BITS[dtype_name])):
        return np.zeros(dims, np.bool_)
    words = _raw_words(seed, count, dtype_name)
    return np.greater_equal(words, words.dtype.type(threshold)).reshape(dims)


random_keep_mask_p = define("random_keep_mask", _keep_mask_kernel, _keep_mask_rule,
                            shape_values_input=2)
