"""TF 1's native nn ops (``tf.compat.v1.nn``): the conv gradients as ops
(``conv2d_backprop_input``/``_filter``), ``depthwise_conv2d_native`` and
``fused_batch_norm``, composed from Fluxion's ops (NHWC)."""

from __future__ import annotations

from fluxion.compat import root_namespace
from fluxion.core.tensor import convert_to_tensor


def _tf():
    return root_namespace.root()


def _nhwc(data_format: str, what: str) -> None:
    if data_format not in ("NHWC", None):
        raise ValueError(f"{what}: Fluxion computes NHWC (channels last); got data_format="
                         f"{data_format!r}. Transpose to NHWC first.")


def conv2d_backprop_input(input_sizes, filter=None, out_backprop=None, strides=None,  # noqa: A002
                          padding=None, use_cudnn_on_gpu=True, data_format="NHWC",
                          dilations=(1, 1, 1, 1), name=None, filters=None):
    """The gradient of ``conv2d`` with respect to its input, of shape ``input_sizes``:
    the transposed convolution of ``out_backprop`` with ``filter``."""
    _nhwc(data_format, "conv2d_backprop_input")
    kernel = filter if filter is not None else filters
    return _tf().nn.conv2d_transpose(out_backprop, kernel, input_sizes, strides, padding,
                                     dilations=dilations)


def conv2d_backprop_filter(input, filter_sizes, out_backprop, strides, padding,  # noqa: A002
                           use_cudnn_on_gpu=True, data_format="NHWC",
                           dilations=(1, 1, 1, 1), name=None):
    """The gradient of ``conv2d`` with respect to its filter (``filter_sizes`` =
    ``[kh, kw, in, out]``): each input patch times the output gradient at its
    position, summed over the batch and the positions."""
    _nhwc(data_format, "conv2d_backprop_filter")
    tf = _tf()
    sizes = [int(d) for d in (filter_sizes.numpy() if hasattr(filter_sizes, "numpy")
                              else filter_sizes)]
    kh, kw, channels_in, channels_out = sizes
    strides = [1, strides, strides, 1] if isinstance(strides, int) else list(strides)
    rates = [1, dilations, dilations, 1] if isinstance(dilations, int) else list(dilations)
    patches = tf.image.extract_patches(convert_to_tensor(input), [1, kh, kw, 1], strides,
                                       rates, padding)
    grad = convert_to_tensor(out_backprop)
    flat = tf.tensordot(patches, grad, axes=[[0, 1, 2], [0, 1, 2]])
    return tf.reshape(flat, [kh, kw, channels_in, channels_out])


def depthwise_conv2d_native(input, filter, strides, padding, data_format="NHWC",  # noqa: A002
                            dilations=(1, 1, 1, 1), name=None):
    """``depthwise_conv2d`` with ``strides`` and ``dilations`` as 4-vectors (TF's op)."""
    _nhwc(data_format, "depthwise_conv2d_native")
    rate = list(dilations)[1:3] if len(list(dilations)) == 4 else list(dilations)
    return _tf().nn.depthwise_conv2d(input, filter, list(strides), padding, dilations=rate)


def fused_batch_norm(x, scale, offset, mean=None, variance=None, epsilon=0.001,
                     data_format="NHWC", is_training=True, name=None,
                     exponential_avg_factor=1.0):
    """Batch normalization of an NHWC ``x`` over N, H, W; returns (y, mean, variance).

    Training: normalizes with the batch's mean and (biased) variance and returns the
    batch mean and the unbiased variance, averaged into ``mean``/``variance`` by
    ``exponential_avg_factor`` when it is below 1.  Inference: uses ``mean`` and
    ``variance`` and returns them.
    """
    _nhwc(data_format, "fused_batch_norm")
    tf = _tf()
    x = convert_to_tensor(x)
    compute = tf.float32 if x.dtype in (tf.float16, tf.bfloat16) else x.dtype
    xc = tf.cast(x, compute)
    scale, offset = tf.cast(scale, compute), tf.cast(offset, compute)
    if not is_training:
        if mean is None or variance is None:
            raise ValueError("fused_batch_norm: mean and variance are required when "
                             "is_training is False")
        mean, variance = tf.cast(mean, compute), tf.cast(variance, compute)
        y = (xc - mean) * tf.math.rsqrt(variance + epsilon) * scale + offset
        return tf.cast(y, x.dtype), mean, variance
    batch_mean, batch_var = tf.nn.moments(xc, [0, 1, 2])
    y = (xc - batch_mean) * tf.math.rsqrt(batch_var + epsilon) * scale + offset
    count = tf.cast(tf.size(xc) // tf.shape(xc)[-1], compute)
    unbiased = batch_var * count / tf.maximum(count - 1.0, 1.0)
    if exponential_avg_factor != 1.0 and mean is not None and variance is not None:
        factor = float(exponential_avg_factor)
        batch_mean = (1.0 - factor) * tf.cast(mean, compute) + factor * batch_mean
        unbiased = (1.0 - factor) * tf.cast(variance, compute) + factor * unbiased
    return tf.cast(y, x.dtype), batch_mean, unbiased
