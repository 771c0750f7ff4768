"""Pooling of ``fluxion.nn`` (``tf.nn.max_pool2d``, ``tf.nn.avg_pool`` and family).

The ops normalise TF's arguments (``ksize``/``strides`` as an int or a list of 1, n or
n + 2 ints, ``data_format``) and bind the channels-last primitives of
``fluxion.core.primitives.pool``.  TF's padding semantics hold: with ``'SAME'``, max
pooling ignores the padded cells and average pooling divides by the number of real
cells in each window.
"""

from __future__ import annotations

from collections import namedtuple

from fluxion.core import dtypes
from fluxion.core.primitives import pool as pool_prims
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.conv_ops import (
    channels_first,
    fail,
    from_channels_last,
    padding_attr,
    spatial,
    to_channels_last,
)

__all__ = [
    "max_pool", "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool", "avg_pool1d",
    "avg_pool2d", "avg_pool3d", "pool", "max_pool_with_argmax",
]

_DEFAULT_FORMATS = {1: "NWC", 2: "NHWC", 3: "NDHWC"}


def _input(input, kind: str, op: str, n: int | None = None) -> tuple[Tensor, int]:
    x = input if type(input) is Tensor else convert_to_tensor(input)
    numeric = x.dtype.is_floating or (kind == "MAX" and x.dtype.is_integer)
    if x.dtype.is_bool or not numeric:
        wanted = "a floating-point or integer" if kind == "MAX" else "a floating-point"
        raise fail(op, f"expected {wanted} input, got dtype {x.dtype.name}", TypeError)
    rank = len(shape_tuple(x))
    if n is None:
        n = rank - 2
    if rank != n + 2 or n not in (1, 2, 3):
        want = f"rank {n + 2}" if n in (1, 2, 3) else "rank 3, 4 or 5"
        raise fail(op, f"expected an input of {want} ([batch, *spatial, channels]), got "
                       f"shape {list(shape_tuple(x))}")
    return x, n


def _pool_nd(input, ksize, strides, padding, data_format, kind: str, op: str,
             n: int | None = None, dilations=None) -> Tensor:
    x, n = _input(input, kind, op, n)
    first = channels_first(data_format, n, op)
    window = spatial(ksize, n, first, op, "ksize")
    attrs = dict(window=window,
                 strides=spatial(strides, n, first, op, "strides", default=1),
                 padding=padding_attr(padding, n, first, op, explicit=kind == "MAX"),
                 dilations=spatial(dilations, n, first, op, "dilations"))
    if isinstance(attrs["padding"], tuple) and any(
            max(pair) >= k for pair, k in zip(attrs["padding"], window)):
        raise fail(op, f"explicit padding {list(attrs['padding'])} must be smaller than the "
                       f"window {list(window)} along each axis")
    x = to_channels_last(x, first)
    prim = pool_prims.max_pool if kind == "MAX" else pool_prims.avg_pool
    return from_channels_last(prim(x, **attrs), first)


# --- max pooling ---------------------------------------------------------------------------------
def max_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """Max pooling over the spatial axes; their number comes from the input's rank.

    Args:
      input: ``[batch, *spatial, channels]`` with 1, 2 or 3 spatial axes.
      ksize, strides: an int, or a list of 1, n or n + 2 ints.
      padding: ``'SAME'``, ``'VALID'`` or explicit ``[lo, hi]`` pairs (smaller than the
        window); padded cells never win.

    Returns:
      The pooled tensor, ``[batch, *out_spatial, channels]``.

    >>> max_pool(np.arange(16, dtype=np.float32).reshape(1, 4, 4, 1), 2, 2,
    ...          'VALID').numpy()[0, :, :, 0]
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "MAX", "max_pool")


def max_pool1d(input, ksize, strides, padding, data_format: str = "NWC",
               name=None) -> Tensor:
    """Max pooling of ``[batch, width, channels]``.

    >>> max_pool1d(np.array([[[1.], [3.], [2.]]], np.float32), 2, 1, 'VALID').numpy()[0, :, 0]
    array([3., 3.], dtype=float32)
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "MAX", "max_pool1d", 1)


def max_pool2d(input, ksize, strides, padding, data_format: str = "NHWC",
               name=None) -> Tensor:
    """Max pooling of ``[batch, height, width, channels]``.

    >>> max_pool2d(np.ones([1, 5, 5, 1], np.float32), 2, 2, 'SAME').shape
    TensorShape([1, 3, 3, 1])
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "MAX", "max_pool2d", 2)


def max_pool3d(input, ksize, strides, padding, data_format: str = "NDHWC",
               name=None) -> Tensor:
    """Max pooling of ``[batch, depth, height, width, channels]``.

    >>> max_pool3d(np.ones([1, 4, 4, 4, 1], np.float32), 2, 2, 'VALID').shape
    TensorShape([1, 2, 2, 2, 1])
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "MAX", "max_pool3d", 3)


MaxPoolWithArgmax = namedtuple("MaxPoolWithArgmax", ["output", "argmax"])


def max_pool_with_argmax(input, ksize, strides, padding, data_format: str = "NHWC",
                         output_dtype=dtypes.int64, include_batch_in_index: bool = False,
                         name=None) -> MaxPoolWithArgmax:
    """2-D max pooling that also returns where each maximum came from.

    The flat index of ``input[b, y, x, c]`` is ``((b * height + y) * width + x) * channels
    + c``, with ``b`` counted only when ``include_batch_in_index``.

    >>> out, argmax = max_pool_with_argmax(np.array([[[[1.], [4.]], [[3.], [2.]]]],
    ...                                    np.float32), 2, 2, 'VALID')
    >>> int(argmax[0, 0, 0, 0])
    1
    """
    op = "max_pool_with_argmax"
    x, n = _input(input, "MAX", op, 2)
    if channels_first(data_format, 2, op):
        raise fail(op, "only data_format='NHWC' is supported, as in TF")
    attrs = dict(window=spatial(ksize, 2, False, op, "ksize"),
                 strides=spatial(strides, 2, False, op, "strides"),
                 padding=padding_attr(padding, 2, False, op, explicit=False),
                 dilations=(1, 1))
    dtype = dtypes.as_dtype(output_dtype)
    if dtype not in (dtypes.int32, dtypes.int64):
        raise fail(op, f"output_dtype must be int32 or int64, got {dtype.name}", TypeError)
    argmax = pool_prims.max_pool_argmax(x, include_batch=bool(include_batch_in_index),
                                        dtype=dtype, **attrs)
    return MaxPoolWithArgmax(pool_prims.max_pool(x, **attrs), argmax)


# --- average pooling ------------------------------------------------------------------------------
def avg_pool(input, ksize, strides, padding, data_format=None, name=None) -> Tensor:
    """Average pooling; with ``'SAME'`` each window averages only its real cells.

    >>> avg_pool(np.ones([1, 3, 3, 1], np.float32), 2, 2, 'SAME').numpy()[0, :, :, 0]
    array([[1., 1.],
           [1., 1.]], dtype=float32)
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "AVG", "avg_pool")


def avg_pool1d(input, ksize, strides, padding, data_format: str = "NWC",
               name=None) -> Tensor:
    """Average pooling of ``[batch, width, channels]``.

    >>> avg_pool1d(np.array([[[1.], [3.], [2.]]], np.float32), 2, 1, 'VALID').numpy()[0, :, 0]
    array([2. , 2.5], dtype=float32)
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "AVG", "avg_pool1d", 1)


def avg_pool2d(input, ksize, strides, padding, data_format: str = "NHWC",
               name=None) -> Tensor:
    """Average pooling of ``[batch, height, width, channels]``.

    >>> avg_pool2d(np.ones([1, 4, 4, 1], np.float32), 2, 2, 'VALID').shape
    TensorShape([1, 2, 2, 1])
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "AVG", "avg_pool2d", 2)


def avg_pool3d(input, ksize, strides, padding, data_format: str = "NDHWC",
               name=None) -> Tensor:
    """Average pooling of ``[batch, depth, height, width, channels]``.

    >>> avg_pool3d(np.ones([1, 4, 4, 4, 1], np.float32), 2, 2, 'VALID').shape
    TensorShape([1, 2, 2, 2, 1])
    """
    return _pool_nd(input, ksize, strides, padding, data_format, "AVG", "avg_pool3d", 3)


def pool(input, window_shape, pooling_type, strides=None, padding: str = "VALID",
         data_format=None, dilations=None, name=None) -> Tensor:
    """N-d max or average pooling (``pooling_type`` ``'MAX'`` or ``'AVG'``), with dilations.

    >>> pool(np.ones([1, 4, 4, 1], np.float32), [2, 2], 'AVG', strides=[2, 2]).shape
    TensorShape([1, 2, 2, 1])
    """
    kind = str(pooling_type).upper()
    if kind not in ("MAX", "AVG"):
        raise fail("pool", f"pooling_type must be 'MAX' or 'AVG', got {pooling_type!r}")
    n = len(list(window_shape))
    return _pool_nd(input, window_shape, strides, padding, data_format, kind, "pool", n,
                    dilations)
