"""The ``fluxion.dtypes`` namespace (``tf.dtypes``), and ``saturate_cast``."""

from __future__ import annotations

import numpy as np

from fluxion.core.dtypes import (  # noqa: F401 - re-exported
    QUANTIZED_DTYPES,
    DType,
    as_dtype,
    bfloat16,
    complex64,
    complex128,
    double,
    float16,
    float32,
    float64,
    half,
    int8,
    int16,
    int32,
    int64,
    qint8,
    qint16,
    qint32,
    quint8,
    quint16,
    resource,
    string,
    uint8,
    uint16,
    uint32,
    uint64,
    variant,
)
from fluxion.core.dtypes import bool_ as bool  # noqa: A004, F401 - TF's name
from fluxion.core.primitives.elementwise import cast, maximum, minimum
from fluxion.core.tensor import Tensor, convert_to_tensor
from fluxion.ops.complex_ops import complex  # noqa: A004, F401 - TF's name

__all__ = ["saturate_cast"]


def _bound(limit, source) -> np.ndarray:
    """``limit`` in the source dtype, rounded toward zero so it stays within range."""
    value = np.asarray(limit).astype(source.np_dtype)
    if source.is_floating and abs(float(value)) > abs(float(limit)):
        value = np.nextafter(value, np.zeros_like(value))
    return value


def saturate_cast(value, dtype, name=None) -> Tensor:
    """Casts ``value`` to ``dtype``, clamping to the target's range first (no wrap-around).

    >>> import fluxion as tf
    >>> tf.dtypes.saturate_cast(tf.constant([-3.0, 300.0]), tf.uint8).numpy()
    array([  0, 255], dtype=uint8)
    """
    x = convert_to_tensor(value)
    target = as_dtype(dtype)
    source = x.dtype
    if source.is_complex and not target.is_complex:
        from fluxion.ops.complex_ops import real

        x, source = real(x), source.real_dtype
    if target.is_numeric and not target.is_complex and source.is_numeric \
            and not source.is_complex:
        lo, hi = target.min, target.max
        if lo > source.min:
            x = maximum(x, Tensor(_bound(lo, source)))
        if hi < source.max:
            x = minimum(x, Tensor(_bound(hi, source)))
    return cast(x, target)
