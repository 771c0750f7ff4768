"""Convolutions of ``fluxion.nn`` (``tf.nn.conv2d`` and family).

Every op here normalises TF's arguments (ints or lists for strides and dilations,
``'SAME'``/``'VALID'`` or explicit pads, channels-first layouts) and binds one of the
three channels-last primitives of ``fluxion.core.primitives.conv``.  Filters use TF's
layout, ``[*kernel, in_channels, out_channels]``; a filter with fewer input channels than
the input means a grouped convolution, as in TF.  Depthwise and separable convolutions
are grouped convolutions; transposed convolutions bind the input-gradient primitive.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import errors
from fluxion.core.primitives import conv as conv_prims
from fluxion.core.primitives.shape import reshape, transpose
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple

__all__ = [
    "conv1d", "conv2d", "conv3d", "convolution", "conv_transpose", "conv1d_transpose",
    "conv2d_transpose", "conv3d_transpose", "depthwise_conv2d", "separable_conv2d",
    "atrous_conv2d", "atrous_conv2d_transpose", "depthwise_conv2d_backprop_input",
    "depthwise_conv2d_backprop_filter",
]


# --- argument normalisation (shared with pool_ops) ---------------------------------------------
def fail(op: str, message: str, cls=errors.InvalidArgumentError) -> Exception:
    return errors.op_error(cls, op, message)


def int_list(value) -> list:
    if isinstance(value, Tensor):
        value = value._value
    if isinstance(value, (int, np.integer)):
        return [int(value)]
    return [int(v) for v in np.asarray(value).reshape(-1)]


def channels_first(data_format, n: int, op: str) -> bool:
    """Whether ``data_format`` puts channels second; checks it fits ``n`` spatial axes."""
    if data_format is None:
        return False
    fmt = str(data_format).upper()
    if len(fmt) == n + 2 and fmt[0] == "N" and (fmt.endswith("C") or fmt.startswith("NC")):
        return fmt.startswith("NC")
    raise fail(op, f"data_format {data_format!r} does not describe a tensor with {n} spatial "
                   f"axes; expected e.g. {'N' + 'DHW'[3 - n:] + 'C'!r} (channels last, the "
                   f"default) or {'NC' + 'DHW'[3 - n:]!r}")


def spatial(value, n: int, first: bool, op: str, what: str, default: int = 1) -> tuple:
    """Strides, dilations or window sizes as ``n`` ints (TF accepts 1, n or n + 2 of them)."""
    if value is None:
        return (default,) * n
    values = int_list(value)
    if len(values) == 1:
        values = values * n
    elif len(values) == n + 2:
        outer = (values[0], values[1]) if first else (values[0], values[-1])
        if outer != (1, 1):
            raise fail(op, f"{what} {values} must be 1 along the batch and channel axes")
        values = values[2:] if first else values[1:-1]
    elif len(values) != n:
        raise fail(op, f"{what} must be an int or a list of 1, {n} or {n + 2} ints, "
                       f"got {values}")
    if any(v < 1 for v in values):
        raise fail(op, f"{what} must be positive, got {values}")
    return tuple(values)


def padding_attr(padding, n: int, first: bool, op: str, explicit: bool = True):
    """``'SAME'``, ``'VALID'`` or a tuple of ``n`` ``(lo, hi)`` pairs."""
    if isinstance(padding, (str, bytes)):
        text = padding.decode() if isinstance(padding, bytes) else padding
        if text.upper() in ("SAME", "VALID"):
            return text.upper()
        allowed = "'SAME', 'VALID' or a list of [lo, hi] pairs" if explicit else \
            "'SAME' or 'VALID'"
        raise fail(op, f"padding must be {allowed}, got {padding!r}")
    if not explicit:
        raise fail(op, f"padding must be 'SAME' or 'VALID', got {padding!r}")
    try:
        pairs = [tuple(int_list(p)) for p in padding]
    except (TypeError, ValueError):
        pairs = []
    if len(pairs) == n + 2:
        outer = (pairs[0], pairs[1]) if first else (pairs[0], pairs[-1])
        if outer != ((0, 0), (0, 0)):
            raise fail(op, f"explicit padding {padding} must be [0, 0] along the batch and "
                           f"channel axes")
        pairs = pairs[2:] if first else pairs[1:-1]
    if len(pairs) != n or any(len(p) != 2 or min(p) < 0 for p in pairs):
        raise fail(op, f"explicit padding must be {n + 2} (or {n}) pairs of non-negative "
                       f"[lo, hi] ints, got {padding!r}")
    return tuple(pairs)


def to_channels_last(x: Tensor, first: bool) -> Tensor:
    if not first:
        return x
    rank = len(shape_tuple(x))
    return transpose(x, (0,) + tuple(range(2, rank)) + (1,))


def from_channels_last(x: Tensor, first: bool) -> Tensor:
    if not first:
        return x
    rank = len(shape_tuple(x))
    return transpose(x, (0, rank - 1) + tuple(range(1, rank - 1)))


def _float_input(x, op: str, what: str = "input") -> Tensor:
    x = convert_to_tensor(x)
    if x.dtype.is_bool or not (x.dtype.is_floating or x.dtype.is_integer):
        raise fail(op, f"expected a floating-point {what}, got dtype {x.dtype.name}",
                   TypeError)
    return x


def _operands(input, filters, n: int, op: str) -> tuple[Tensor, Tensor]:
    x = _float_input(input, op)
    w = convert_to_tensor(filters, dtype=x.dtype) if not isinstance(filters, Tensor) \
        else filters
    if w.dtype is not x.dtype:
        raise fail(op, f"the input is {x.dtype.name} but the filters are {w.dtype.name}; "
                       f"cast one of them with fluxion.cast", errors.DTypeMismatchError)
    if len(shape_tuple(w)) != n + 2:
        raise fail(op, f"expected filters of rank {n + 2} ([*kernel, in_channels, "
                       f"out_channels]), got shape {list(shape_tuple(w))}")
    if len(shape_tuple(x)) < n + 2:
        raise fail(op, f"expected an input of rank {n + 2} or more ([batch, *spatial, "
                       f"channels]), got shape {list(shape_tuple(x))}")
    return x, w


def _groups(x: Tensor, w: Tensor, op: str) -> int:
    channels, per_group = shape_tuple(x)[-1], shape_tuple(w)[-2]
    if channels is None or per_group is None:
        return 1
    if per_group == 0 or channels % per_group:
        raise fail(op, f"input depth must be evenly divisible by filter depth: the input has "
                       f"{channels} channels, the filters {per_group} "
                       f"(input shape {list(shape_tuple(x))}, filter shape "
                       f"{list(shape_tuple(w))})")
    return channels // per_group


def _conv_nd(input, filters, n: int, strides, padding, data_format, dilations,
             op: str) -> Tensor:
    x, w = _operands(input, filters, n, op)
    first = channels_first(data_format, n, op)
    attrs = dict(strides=spatial(strides, n, first, op, "strides"),
                 padding=padding_attr(padding, n, first, op),
                 dilations=spatial(dilations, n, first, op, "dilations"))
    x = to_channels_last(x, first)
    shape = shape_tuple(x)
    batch_shape = shape[:-(n + 1)]
    if len(batch_shape) != 1:  # TF allows several leading batch axes: fold them into one
        x = reshape(x, (-1,) + tuple(-1 if d is None else d for d in shape[-(n + 1):]))
    y = conv_prims.conv(x, w, groups=_groups(x, w, op), **attrs)
    if len(batch_shape) != 1:
        y = reshape(y, tuple(-1 if d is None else d for d in batch_shape)
                    + tuple(shape_tuple(y)[1:]))
    return from_channels_last(y, first)


# --- convolutions ---------------------------------------------------------------------------------
def conv1d(input, filters, stride, padding, data_format: str = "NWC", dilations=None,
           name=None) -> Tensor:
    """1-D convolution of ``[batch, width, in_channels]`` with ``[k, in, out]`` filters.

    >>> conv1d(np.ones([1, 4, 1], np.float32), np.ones([2, 1, 1], np.float32), 1,
    ...        'VALID').numpy()[0, :, 0]
    array([2., 2., 2.], dtype=float32)
    """
    return _conv_nd(input, filters, 1, stride, padding, data_format, dilations, "conv1d")


def conv2d(input, filters, strides, padding, data_format: str = "NHWC", dilations=None,
           name=None) -> Tensor:
    """2-D convolution (``tf.nn.conv2d``; strictly a cross-correlation, as in TF).

    Args:
      input: ``[batch, height, width, in_channels]`` (or ``NCHW`` with ``data_format``).
      filters: ``[kh, kw, in_channels, out_channels]``; ``in_channels`` may divide the
        input's channels, making a grouped convolution.
      strides, dilations: an int, or a list of 2 or 4 ints.
      padding: ``'SAME'``, ``'VALID'`` or explicit ``[[0, 0], [top, bottom], [left,
        right], [0, 0]]``.

    Returns:
      ``[batch, out_height, out_width, out_channels]``.

    >>> x = np.ones([1, 3, 3, 1], np.float32)
    >>> conv2d(x, np.ones([2, 2, 1, 1], np.float32), 1, 'VALID').numpy()[0, :, :, 0]
    array([[4., 4.],
           [4., 4.]], dtype=float32)
    """
    return _conv_nd(input, filters, 2, strides, padding, data_format, dilations, "conv2d")


def conv3d(input, filters, strides, padding, data_format: str = "NDHWC", dilations=None,
           name=None) -> Tensor:
    """3-D convolution of ``[batch, depth, height, width, in]`` with ``[kd, kh, kw, in, out]``.

    >>> x = np.ones([1, 2, 2, 2, 1], np.float32)
    >>> float(conv3d(x, np.ones([2, 2, 2, 1, 1], np.float32), 1, 'VALID')[0, 0, 0, 0, 0])
    8.0
    """
    return _conv_nd(input, filters, 3, strides, padding, data_format, dilations, "conv3d")


def convolution(input, filters, strides=None, padding: str = "VALID", data_format=None,
                dilations=None, name=None) -> Tensor:
    """N-d convolution; the number of spatial axes comes from the filters' rank.

    >>> x = np.ones([1, 3, 3, 1], np.float32)
    >>> convolution(x, np.ones([3, 3, 1, 1], np.float32), padding='SAME').shape
    TensorShape([1, 3, 3, 1])
    """
    w = filters if isinstance(filters, Tensor) else convert_to_tensor(filters)
    n = len(shape_tuple(w)) - 2
    if n not in (1, 2, 3):
        raise fail("convolution", f"expected filters of rank 3, 4 or 5, got shape "
                                  f"{list(shape_tuple(w))}")
    return _conv_nd(input, filters, n, strides, padding, data_format, dilations, "convolution")


def atrous_conv2d(value, filters, rate, padding, name=None) -> Tensor:
    """2-D convolution with holes: ``conv2d`` with ``dilations=rate``.

    >>> atrous_conv2d(np.ones([1, 5, 5, 1], np.float32), np.ones([2, 2, 1, 1], np.float32),
    ...               2, 'VALID').shape
    TensorShape([1, 3, 3, 1])
    """
    return _conv_nd(value, filters, 2, 1, padding, None, rate, "atrous_conv2d")


# --- transposed convolutions ---------------------------------------------------------------------
def conv_transpose(input, filters, output_shape, strides, padding: str = "SAME",
                   data_format=None, dilations=None, name=None) -> Tensor:
    """The transpose (gradient) of ``convolution``, for ``n`` from the filters' rank.

    Args:
      input: ``[batch, *spatial, in_channels]``.
      filters: ``[*kernel, out_channels, in_channels]`` (note the order, as in TF).
      output_shape: the full output shape, ``[batch, *out_spatial, out_channels]``;
        convolving an output of that shape with the same arguments must give ``input``'s
        shape.
      strides, padding, data_format, dilations: as for the forward convolution.

    >>> y = conv_transpose(np.ones([1, 2, 2, 1], np.float32),
    ...                    np.ones([2, 2, 1, 1], np.float32), [1, 4, 4, 1], 2)
    >>> y.numpy()[0, :, :, 0]
    array([[1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.],
           [1., 1., 1., 1.]], dtype=float32)
    """
    w = filters if isinstance(filters, Tensor) else convert_to_tensor(filters)
    n = len(shape_tuple(w)) - 2
    if n not in (1, 2, 3):
        raise fail("conv_transpose", f"expected filters of rank 3, 4 or 5, got shape "
                                     f"{list(shape_tuple(w))}")
    return _transpose_nd(input, filters, output_shape, n, strides, padding, data_format,
                         dilations, "conv_transpose")


def conv1d_transpose(input, filters, output_shape, strides, padding: str = "SAME",
                     data_format: str = "NWC", dilations=None, name=None) -> Tensor:
    """The transpose of ``conv1d``; filters are ``[k, out_channels, in_channels]``.

    >>> conv1d_transpose(np.ones([1, 2, 1], np.float32), np.ones([2, 1, 1], np.float32),
    ...                  [1, 4, 1], 2).shape
    TensorShape([1, 4, 1])
    """
    return _transpose_nd(input, filters, output_shape, 1, strides, padding, data_format,
                         dilations, "conv1d_transpose")


def conv2d_transpose(input, filters, output_shape, strides, padding: str = "SAME",
                     data_format: str = "NHWC", dilations=None, name=None) -> Tensor:
    """The transpose of ``conv2d``; filters are ``[kh, kw, out_channels, in_channels]``.

    >>> conv2d_transpose(np.ones([1, 2, 2, 3], np.float32),
    ...                  np.ones([3, 3, 5, 3], np.float32), [1, 4, 4, 5], 2).shape
    TensorShape([1, 4, 4, 5])
    """
    return _transpose_nd(input, filters, output_shape, 2, strides, padding, data_format,
                         dilations, "conv2d_transpose")


def conv3d_transpose(input, filters, output_shape, strides, padding: str = "SAME",
                     data_format: str = "NDHWC", dilations=None, name=None) -> Tensor:
    """The transpose of ``conv3d``; filters are ``[kd, kh, kw, out_channels, in_channels]``.

    >>> conv3d_transpose(np.ones([1, 2, 2, 2, 1], np.float32),
    ...                  np.ones([2, 2, 2, 1, 1], np.float32), [1, 4, 4, 4, 1], 2).shape
    TensorShape([1, 4, 4, 4, 1])
    """
    return _transpose_nd(input, filters, output_shape, 3, strides, padding, data_format,
                         dilations, "conv3d_transpose")


def atrous_conv2d_transpose(value, filters, output_shape, rate, padding,
                            name=None) -> Tensor:
    """The transpose of ``atrous_conv2d``.

    >>> atrous_conv2d_transpose(np.ones([1, 3, 3, 1], np.float32),
    ...                         np.ones([2, 2, 1, 1], np.float32), [1, 5, 5, 1], 2,
    ...                         'VALID').shape
    TensorShape([1, 5, 5, 1])
    """
    return _transpose_nd(value, filters, output_shape, 2, 1, padding, None, rate,
                         "atrous_conv2d_transpose")


def _shape_like(shape: tuple, dtype) -> Tensor:
    """A zero-strided stand-in carrying only a shape (the gradient primitives read no more)."""
    return Tensor(np.broadcast_to(np.zeros((), dtype=dtype.np_dtype), shape))


def _transpose_nd(input, filters, output_shape, n, strides, padding, data_format, dilations,
                  op: str) -> Tensor:
    x, w = _operands(input, filters, n, op)
    first = channels_first(data_format, n, op)
    attrs = dict(strides=spatial(strides, n, first, op, "strides"),
                 padding=padding_attr(padding, n, first, op),
                 dilations=spatial(dilations, n, first, op, "dilations"))
    x = to_channels_last(x, first)
    out = int_list(output_shape)
    if len(out) != n + 2:
        raise fail(op, f"output_shape must have {n + 2} entries, got {out}")
    if first:
        out = [out[0]] + out[2:] + [out[1]]
    x_shape, w_shape = shape_tuple(x), shape_tuple(w)
    if len(x_shape) != n + 2:
        raise fail(op, f"expected an input of rank {n + 2}, got shape {list(x_shape)}")
    if x_shape[-1] not in (None, w_shape[-1]) or out[-1] != w_shape[-2]:
        raise fail(op, f"the filters [*kernel, out_channels, in_channels] = {list(w_shape)} "
                       f"need an input with {w_shape[-1]} channels and an output_shape with "
                       f"{w_shape[-2]}; got input shape {list(x_shape)} and output_shape "
                       f"{out}")
    try:
        _, sizes = conv_prims.window_geometry(tuple(out[1:-1]), w_shape[:-2], attrs["strides"],
                                              attrs["dilations"], attrs["padding"])
    except ValueError as error:
        raise fail(op, str(error)) from None
    want = (out[0],) + sizes + (w_shape[-1],)
    if any(a is not None and a != b for a, b in zip(x_shape, want)):
        raise fail(op, f"output_shape {out} is inconsistent with the input: convolving an "
                       f"output of that shape gives shape {list(want)}, but the input has "
                       f"shape {list(x_shape)}")
    like = _shape_like(tuple(out), x.dtype)
    y = conv_prims.conv_input_grad(x, w, like, groups=1, **attrs)
    return from_channels_last(y, first)


# --- depthwise and separable ---------------------------------------------------------------------
def _depthwise_attrs(input, filter, strides, padding, data_format, dilations, op):
    x, w = _operands(input, filter, 2, op)
    first = channels_first(data_format, 2, op)
    attrs = dict(strides=spatial(strides, 2, first, op, "strides"),
                 padding=padding_attr(padding, 2, first, op),
                 dilations=spatial(dilations, 2, first, op, "dilations"))
    return x, w, first, attrs


def _grouped_filter(w: Tensor, op: str, channels) -> Tensor:
    kh, kw, cin, mult = shape_tuple(w)
    if None in (kh, kw, cin, mult):  # as TF: a depthwise filter's shape must be known
        raise fail(op, f"the depthwise filter's shape must be known when the function is "
                       f"traced, got {list(shape_tuple(w))}; give it a full shape "
                       f"(a variable, or a TensorSpec with every dimension)")
    if channels is not None and cin is not None and channels != cin:
        raise fail(op, f"the depthwise filter [kh, kw, in_channels, multiplier] = "
                       f"{list(shape_tuple(w))} expects {cin} input channels, got {channels}")
    return reshape(w, (kh, kw, 1, cin * mult))


def depthwise_conv2d(input, filter, strides, padding, data_format=None, dilations=None,
                     name=None) -> Tensor:
    """Convolves each input channel with its own ``channel_multiplier`` filters.

    Args:
      input: ``[batch, height, width, in_channels]``.
      filter: ``[kh, kw, in_channels, channel_multiplier]``.
      strides: a list of 4 ints (``[1, s, s, 1]``), or 1 or 2 ints.

    Returns:
      ``[batch, out_height, out_width, in_channels * channel_multiplier]``; output channel
      ``c * channel_multiplier + m`` is input channel ``c`` convolved with ``filter[..., c, m]``.

    >>> depthwise_conv2d(np.ones([1, 3, 3, 2], np.float32), np.ones([2, 2, 2, 3], np.float32),
    ...                  [1, 1, 1, 1], 'VALID').shape
    TensorShape([1, 2, 2, 6])
    """
    op = "depthwise_conv2d"
    x, w, first, attrs = _depthwise_attrs(input, filter, strides, padding, data_format,
                                          dilations, op)
    x = to_channels_last(x, first)
    groups = shape_tuple(w)[2]
    y = conv_prims.conv(x, _grouped_filter(w, op, shape_tuple(x)[-1]), groups=groups, **attrs)
    return from_channels_last(y, first)


def separable_conv2d(input, depthwise_filter, pointwise_filter, strides, padding,
                     data_format=None, dilations=None, name=None) -> Tensor:
    """A depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
      depthwise_filter: ``[kh, kw, in_channels, channel_multiplier]``.
      pointwise_filter: ``[1, 1, in_channels * channel_multiplier, out_channels]``.

    >>> separable_conv2d(np.ones([1, 3, 3, 2], np.float32), np.ones([2, 2, 2, 1], np.float32),
    ...                  np.ones([1, 1, 2, 4], np.float32), [1, 1, 1, 1], 'VALID').shape
    TensorShape([1, 2, 2, 4])
    """
    depthwise = depthwise_conv2d(input, depthwise_filter, strides, padding, data_format,
                                 dilations)
    return conv2d(depthwise, pointwise_filter, 1, "VALID", data_format or "NHWC")


def depthwise_conv2d_backprop_input(input_sizes, filter, out_backprop, strides, padding,
                                    data_format: str = "NHWC", dilations=(1, 1, 1, 1),
                                    name=None) -> Tensor:
    """The gradient of ``depthwise_conv2d`` with respect to its input.

    >>> depthwise_conv2d_backprop_input([1, 3, 3, 2], np.ones([2, 2, 2, 1], np.float32),
    ...     np.ones([1, 2, 2, 2], np.float32), [1, 1, 1, 1], 'VALID').shape
    TensorShape([1, 3, 3, 2])
    """
    op = "depthwise_conv2d_backprop_input"
    g, w, first, attrs = _depthwise_attrs(out_backprop, filter, strides, padding, data_format,
                                          dilations, op)
    sizes = int_list(input_sizes)
    if len(sizes) != 4:
        raise fail(op, f"input_sizes must have 4 entries, got {sizes}")
    if first:
        sizes = [sizes[0], sizes[2], sizes[3], sizes[1]]
    w = _grouped_filter(w, op, sizes[-1])
    like = _shape_like(tuple(sizes), g.dtype)
    dx = conv_prims.conv_input_grad(to_channels_last(g, first), w, like, groups=sizes[-1],
                                    **attrs)
    return from_channels_last(dx, first)


def depthwise_conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,
                                     data_format: str = "NHWC", dilations=(1, 1, 1, 1),
                                     name=None) -> Tensor:
    """The gradient of ``depthwise_conv2d`` with respect to its filter.

    >>> depthwise_conv2d_backprop_filter(np.ones([1, 3, 3, 2], np.float32), [2, 2, 2, 1],
    ...     np.ones([1, 2, 2, 2], np.float32), [1, 1, 1, 1], 'VALID').shape
    TensorShape([2, 2, 2, 1])
    """
    op = "depthwise_conv2d_backprop_filter"
    x, g, first, attrs = _depthwise_attrs(input, out_backprop, strides, padding, data_format,
                                          None, op)
    attrs["dilations"] = spatial(dilations, 2, first, op, "dilations")
    kh, kw, cin, mult = int_list(filter_sizes)
    x = to_channels_last(x, first)
    like = _shape_like((kh, kw, 1, cin * mult), x.dtype)
    dw = conv_prims.conv_filter_grad(x, to_channels_last(g, first), like, groups=cin, **attrs)
    return reshape(dw, (kh, kw, cin, mult))


def conv_transpose_shaped_like(x, filters, like, strides, padding: str, dilations) -> Tensor:
    """The transposed convolution of channels-last ``x`` whose output takes ``like``'s shape.

    Only ``like``'s shape is read (it may be known only at run time, as a traced batch
    dimension is); ``filters`` is ``[*kernel, out_channels, in_channels]``, ``padding``
    ``"SAME"`` or ``"VALID"``.
    """
    return conv_prims.conv_input_grad(x, filters, like, strides=tuple(strides),
                                      padding=padding, dilations=tuple(dilations), groups=1)
