"""``keras.ops.nn`` convolutions and pooling: ``conv``, ``depthwise_conv``,
``separable_conv``, ``conv_transpose``, ``max_pool``, ``average_pool``,
``depth_to_space``, ``space_to_depth``.

Keras's argument style: lower-case ``padding`` ("valid"/"same"), ``data_format``
"channels_last"/"channels_first" (``keras.config.image_data_format()`` when None),
``strides``/``dilation_rate``/``pool_size`` an int or one value per spatial axis.
Kernels are laid out as in Keras (and TF): ``(*spatial, in_channels, out_channels)``.
"""

from __future__ import annotations

from fluxion.keras import config
from fluxion.keras.ops.promotion import export, float_tensor, tensor
from fluxion.ops import array_ops, conv_ops, creation_ops, pool_ops

__all__ = [
    "conv", "depthwise_conv", "separable_conv", "conv_transpose", "max_pool",
    "average_pool", "depth_to_space", "space_to_depth",
]

_FORMATS = {(1, False): "NWC", (2, False): "NHWC", (3, False): "NDHWC",
            (1, True): "NCW", (2, True): "NCHW", (3, True): "NCDHW"}


def _format(data_format, rank: int) -> tuple[str, bool]:
    data_format = data_format or config.image_data_format()
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(f"The `data_format` argument must be one of 'channels_first', "
                         f"'channels_last'. Received: data_format={data_format!r}")
    first = data_format == "channels_first"
    spatial = rank - 2
    if spatial not in (1, 2, 3):
        raise ValueError(f"Inputs must be 3-D, 4-D or 5-D (batch, spatial..., channels), "
                         f"got rank {rank}")
    return _FORMATS[(spatial, first)], first


def _tuple(value, n: int) -> list:
    return [value] * n if isinstance(value, int) else list(value)


def _padding(padding: str) -> str:
    if padding.lower() not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received: padding={padding!r}")
    return padding.upper()


def conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
         dilation_rate=1):
    """N-D convolution (1-D to 3-D); grouped when the kernel's input depth divides the
    channels."""
    x, w = float_tensor(inputs), float_tensor(kernel)
    fmt, _ = _format(data_format, x.ndim)
    n = x.ndim - 2
    return conv_ops.convolution(x, array_ops.cast(w, x.dtype), strides=_tuple(strides, n),
                             padding=_padding(padding), data_format=fmt,
                             dilations=_tuple(dilation_rate, n))


def depthwise_conv(inputs, kernel, strides=1, padding: str = "valid", data_format=None,
                   dilation_rate=1):
    """Depthwise convolution: kernel ``(*spatial, channels, multiplier)``; 1-D or 2-D."""
    x, w = float_tensor(inputs), float_tensor(kernel)
    fmt, first = _format(data_format, x.ndim)
    if x.ndim == 3:  # 1-D: run as 2-D with a unit height
        x = array_ops.expand_dims(x, -1 if first else 1)
        w = array_ops.expand_dims(w, 0)
        strides = [1] + _tuple(strides, 1)
        dilation_rate = [1] + _tuple(dilation_rate, 1)
        y = depthwise_conv(x, w, strides, padding, data_format, dilation_rate)
        return array_ops.squeeze(y, [-1 if first else 1])
    if x.ndim != 4:
        raise ValueError(f"depthwise_conv supports 1-D and 2-D inputs, got rank {x.ndim}")
    s = _tuple(strides, 2)
    strides4 = [1, 1] + s if first else [1] + s + [1]
    return conv_ops.depthwise_conv2d(x, array_ops.cast(w, x.dtype), strides4, _padding(padding),
                                  data_format=fmt, dilations=_tuple(dilation_rate, 2))


def separable_conv(inputs, depthwise_kernel, pointwise_kernel, strides=1,
                   padding: str = "valid", data_format=None, dilation_rate=1):
    """A depthwise convolution followed by a 1x1 (pointwise) convolution."""
    depthwise = depthwise_conv(inputs, depthwise_kernel, strides, padding, data_format,
                               dilation_rate)
    return conv(depthwise, pointwise_kernel, 1, "valid", data_format)


def _transpose_length(size, kernel: int, stride: int, padding: str, output_padding,
                      dilation: int):
    kernel = kernel + (kernel - 1) * (dilation - 1)
    if output_padding is None:
        if padding == "valid":
            return size * stride + max(kernel - stride, 0)
        return size * stride
    pad = kernel // 2 if padding == "same" else 0
    return (size - 1) * stride + kernel - 2 * pad + output_padding


def conv_transpose(inputs, kernel, strides=1, padding: str = "valid", output_padding=None,
                   data_format=None, dilation_rate=1):
    """Transposed convolution; kernel ``(*spatial, out_channels, in_channels)``."""
    x, w = float_tensor(inputs), float_tensor(kernel)
    fmt, first = _format(data_format, x.ndim)
    n = x.ndim - 2
    padding = padding.lower()
    strides, dilations = _tuple(strides, n), _tuple(dilation_rate, n)
    pads = [None] * n if output_padding is None else _tuple(output_padding, n)
    dynamic = creation_ops.shape(x)
    spatial = list(range(2, 2 + n)) if first else list(range(1, 1 + n))
    lengths = [_transpose_length(x.shape[a] if x.shape[a] is not None else dynamic[a],
                                 w.shape[i], strides[i], padding, pads[i], dilations[i])
               for i, a in enumerate(spatial)]
    batch = x.shape[0] if x.shape[0] is not None else dynamic[0]
    channels = w.shape[-2]
    shape = [batch, channels] + lengths if first else [batch] + lengths + [channels]
    if any(creation_ops.is_tensor(d) for d in shape):
        shape = array_ops.stack([array_ops.cast(d, "int32") for d in shape])
    return conv_ops.conv_transpose(x, array_ops.cast(w, x.dtype), shape, strides, _padding(padding),
                                data_format=fmt, dilations=dilations)


def _pool(engine_op, inputs, pool_size, strides, padding, data_format):
    x = float_tensor(inputs)
    fmt, _ = _format(data_format, x.ndim)
    n = x.ndim - 2
    size = _tuple(pool_size, n)
    strides = size if strides is None else _tuple(strides, n)
    return engine_op(x, size, strides, _padding(padding), data_format=fmt)


def max_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """Max pooling over windows of ``pool_size`` (strides default to the window)."""
    return _pool(pool_ops.max_pool, inputs, pool_size, strides, padding, data_format)


def average_pool(inputs, pool_size, strides=None, padding: str = "valid", data_format=None):
    """Average pooling; with "same" padding the padded positions are not counted."""
    return _pool(pool_ops.avg_pool, inputs, pool_size, strides, padding, data_format)


def depth_to_space(x, block_size: int, data_format: str = "channels_last"):
    """Moves channel blocks into ``block_size x block_size`` spatial tiles (4-D inputs)."""
    x = tensor(x)
    first = data_format == "channels_first"
    if first:
        x = array_ops.transpose(x, [0, 2, 3, 1])
    b, h, w, c = (creation_ops.shape(x)[i] if d is None else d for i, d in enumerate(x.shape))
    depth = c // (block_size * block_size)
    x = array_ops.reshape(x, [b, h, w, block_size, block_size, depth])
    x = array_ops.transpose(x, [0, 1, 3, 2, 4, 5])
    x = array_ops.reshape(x, [b, h * block_size, w * block_size, depth])
    return array_ops.transpose(x, [0, 3, 1, 2]) if first else x


def space_to_depth(x, block_size: int, data_format: str = "channels_last"):
    """Moves ``block_size x block_size`` spatial tiles into channels (4-D inputs)."""
    x = tensor(x)
    first = data_format == "channels_first"
    if first:
        x = array_ops.transpose(x, [0, 2, 3, 1])
    b, h, w, c = (creation_ops.shape(x)[i] if d is None else d for i, d in enumerate(x.shape))
    x = array_ops.reshape(x, [b, h // block_size, block_size, w // block_size, block_size, c])
    x = array_ops.transpose(x, [0, 1, 3, 2, 4, 5])
    x = array_ops.reshape(x, [b, h // block_size, w // block_size, block_size * block_size * c])
    return array_ops.transpose(x, [0, 3, 1, 2]) if first else x


export(globals(), __all__)
