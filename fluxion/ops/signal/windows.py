"""Window functions of ``tf.signal``: Hann, Hamming, Kaiser, Kaiser-Bessel-derived, Vorbis.

Windows are constants of their length, computed in float64 with NumPy and returned in
the requested dtype.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["hann_window", "hamming_window", "kaiser_window", "kaiser_bessel_derived_window",
           "vorbis_window"]


def _length(window_length) -> int:
    value = int(np.asarray(convert_to_tensor(window_length)._value))
    if value < 0:
        raise ValueError(f"window_length must be non-negative, got {value}")
    return value


def _as_window(values: np.ndarray, dtype) -> Tensor:
    dtype = dtypes.as_dtype(dtype)
    if not dtype.is_floating:
        raise ValueError(f"a window's dtype must be floating, got {dtype.name}")
    return Tensor(values.astype(dtype.np_dtype))


def _raised_cosine(window_length, periodic: bool, a: float, b: float, dtype) -> Tensor:
    n = _length(window_length)
    if n == 1:
        return _as_window(np.ones(1), dtype)
    # TF's rule: a periodic window of even length is a symmetric one of n + 1, cut short;
    # odd lengths are symmetric either way.
    period = n if bool(periodic) and n % 2 == 0 else n - 1
    ramp = np.arange(n, dtype=np.float64)
    return _as_window(a - b * np.cos(2 * np.pi * ramp / period), dtype)


def hann_window(window_length, periodic=True, dtype=dtypes.float32, name=None) -> Tensor:
    """The Hann window ``0.5 - 0.5 cos(2 pi n / N)`` (``N = length`` when periodic).

    >>> hann_window(4).numpy()
    array([0. , 0.5, 1. , 0.5], dtype=float32)
    """
    return _raised_cosine(window_length, periodic, 0.5, 0.5, dtype)


def hamming_window(window_length, periodic=True, dtype=dtypes.float32, name=None) -> Tensor:
    """The Hamming window ``0.54 - 0.46 cos(2 pi n / N)``."""
    return _raised_cosine(window_length, periodic, 0.54, 0.46, dtype)


def _kaiser(n: int, beta: float) -> np.ndarray:
    if n == 1:
        return np.ones(1)
    ramp = 2.0 * np.arange(n, dtype=np.float64) / (n - 1) - 1.0
    return np.i0(beta * np.sqrt(np.clip(1.0 - ramp * ramp, 0.0, None))) / np.i0(beta)


def kaiser_window(window_length, beta=12.0, dtype=dtypes.float32, name=None) -> Tensor:
    """The (symmetric) Kaiser window ``I0(beta sqrt(1 - (2n/(N-1) - 1)^2)) / I0(beta)``."""
    return _as_window(_kaiser(_length(window_length), float(beta)), dtype)


def kaiser_bessel_derived_window(window_length, beta=12.0, dtype=dtypes.float32,
                                 name=None) -> Tensor:
    """The Kaiser-Bessel-derived window (for MDCTs): the square root of the running sum
    of a Kaiser window of ``length // 2 + 1``, mirrored."""
    n = _length(window_length)
    half = n // 2
    kaiser = _kaiser(half + 1, float(beta))
    cumulative = np.cumsum(kaiser[:half])
    rising = np.sqrt(cumulative / np.sum(kaiser))
    return _as_window(np.concatenate([rising, rising[::-1]]), dtype)


def vorbis_window(window_length, dtype=dtypes.float32, name=None) -> Tensor:
    """The Vorbis power-complementary window ``sin(pi/2 sin^2(pi (n + 1/2) / N))``."""
    n = _length(window_length)
    inner = np.sin(np.pi * (np.arange(n, dtype=np.float64) + 0.5) / n)
    return _as_window(np.sin(0.5 * np.pi * inner * inner), dtype)
