"""Weight quantization for tfjs layers models (``quantization_dtype_map``).

tfjs stores a quantized weight with its original ``dtype`` (``float32``) in the
manifest plus a ``quantization`` entry, and dequantizes it when the model loads:

- ``uint8`` / ``uint16``: affine, ``value = q * scale + min``.  The range is widened to
  contain 0 and then shifted so that 0 falls exactly on a quantization step (zero
  weights and padding stay exactly zero), as TensorFlow Lite and tfjs's converter do.
- ``float16``: the IEEE half-precision bits; tfjs widens them back to float32.

The map names, per storage dtype, which weights to quantize: ``{"uint8": "*"}`` or
``{"float16": ["dense/*", "conv2d/kernel"]}`` (shell-style patterns on weight names, the
``tensorflowjs`` package's spelling; ``True`` means every weight).  Only float weights
are quantized.
"""

from __future__ import annotations

import fnmatch

import numpy as np

QUANTIZED_DTYPES = ("uint8", "uint16", "float16")


def dtype_for(name: str, dtype_map: dict | None) -> str | None:
    """The storage dtype ``dtype_map`` asks for the weight ``name`` (None: keep float32)."""
    if not dtype_map:
        return None
    for dtype, patterns in dtype_map.items():
        if dtype not in QUANTIZED_DTYPES:
            raise ValueError(f"quantization_dtype_map: unknown dtype {dtype!r}; expected one "
                             f"of {list(QUANTIZED_DTYPES)}.")
        if patterns is True:  # the converter's bare --quantize_uint8: every weight
            return dtype
        patterns = [patterns] if isinstance(patterns, str) else list(patterns)
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return dtype
    return None


def quantize(array: np.ndarray, dtype: str) -> tuple[np.ndarray, dict]:
    """``(stored little-endian array, manifest "quantization" entry)`` for ``array``."""
    if dtype == "float16":
        stored = array.astype("<f2")
        return stored, {"dtype": "float16", "original_dtype": "float32"}
    levels = np.iinfo(np.dtype(dtype)).max
    low = min(float(array.min()) if array.size else 0.0, 0.0)
    high = max(float(array.max()) if array.size else 0.0, 0.0)
    scale = (high - low) / levels if high > low else 1.0
    zero_step = round(-low / scale)  # 0 lands exactly on this step
    low = -zero_step * scale
    steps = np.round((array.astype(np.float64) - low) / scale)
    stored = np.clip(steps, 0, levels).astype(np.dtype(dtype).newbyteorder("<"))
    return stored, {"dtype": dtype, "min": low, "scale": scale, "original_dtype": "float32"}


def dequantize(stored: np.ndarray, quantization: dict) -> np.ndarray:
    """float32 values from stored ones, computed as tfjs computes them (in float32)."""
    if quantization["dtype"] == "float16":
        return stored.astype(np.float32)
    return (stored.astype(np.float32) * np.float32(quantization["scale"])
            + np.float32(quantization["min"]))
