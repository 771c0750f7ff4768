"""Grayscale morphology: ``dilation2d`` and ``erosion2d`` (``tf.nn``), NHWC.

Dilation is the max over the window of ``input + filter``; it is composed of one
strided slice and a ``maximum`` per filter tap, so its gradient (to the input and to
the filter) comes from those ops.  Erosion is the dual: ``-dilation(-input, reflected
filter)``.  SAME padding pads with the lowest value, so padding never wins.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitives.conv import window_geometry
from fluxion.core.primitives.elementwise import maximum
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["dilation2d", "erosion2d"]


def _pair(value, name: str) -> tuple:
    values = [int(v) for v in np.asarray(value).reshape(-1)]
    if len(values) == 4:
        values = values[1:3]
    if len(values) == 1:
        values = values * 2
    if len(values) != 2:
        raise ValueError(f"{name} must have 1, 2 or 4 entries, got {value!r}")
    return tuple(values)


def dilation2d(input, filters, strides, padding, data_format="NHWC", dilations=None,  # noqa: A002
               name=None) -> Tensor:
    """``out[b, y, x, c] = max_{dy, dx} input[b, y*s + dy*r, x*s + dx*r, c] +
    filters[dy, dx, c]``."""
    from fluxion.ops.array_ops import pad

    if data_format != "NHWC":
        raise ValueError(f"dilation2d: only NHWC is supported, got {data_format!r}")
    x = convert_to_tensor(input)
    w = convert_to_tensor(filters, dtype=x.dtype)
    strides = _pair(strides, "strides")
    rates = _pair(dilations if dilations is not None else 1, "dilations")
    kernel = tuple(int(d) for d in w.shape[:2])
    pads, outs = window_geometry(tuple(x.shape[1:3]), kernel, strides, rates, padding)
    lowest = np.finfo(x.dtype.np_dtype).min if x.dtype.is_floating else \
        np.iinfo(x.dtype.np_dtype).min
    if any(lo or hi for lo, hi in pads):
        x = pad(x, [[0, 0], list(pads[0]), list(pads[1]), [0, 0]], constant_values=lowest)
    result = None
    for dy in range(kernel[0]):
        for dx in range(kernel[1]):
            y0, x0 = dy * rates[0], dx * rates[1]
            tap = x[:, y0:y0 + (outs[0] - 1) * strides[0] + 1:strides[0],
                    x0:x0 + (outs[1] - 1) * strides[1] + 1:strides[1], :] + w[dy, dx]
            result = tap if result is None else maximum(result, tap)
    return result


def erosion2d(value, filters, strides, padding, data_format="NHWC", dilations=None,
              name=None) -> Tensor:
    """The dual of ``dilation2d``: ``-dilation2d(-value, reflected filters)``."""
    w = convert_to_tensor(filters)
    return -dilation2d(-convert_to_tensor(value, dtype=w.dtype), w[::-1, ::-1], strides,
                       padding, data_format, dilations)
