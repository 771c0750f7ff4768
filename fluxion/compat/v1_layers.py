"""``tf.compat.v1.layers``: TF 1's functional layers, built on ``get_variable``.

``dense(x, 10)`` opens a variable scope named after the layer (``dense``, then
``dense_1``... unless ``name`` is given), creates ``<scope>/kernel`` and
``<scope>/bias`` with ``get_variable`` (so ``reuse`` and ``variable_scope`` share them
as in TF 1) and applies the op.  Regularizers add their loss to the
``REGULARIZATION_LOSSES`` collection.  ``batch_normalization`` keeps
``moving_mean``/``moving_variance``; while training, its updates join the
``UPDATE_OPS`` collection in a graph (run them with the train op) and are applied at
once eagerly.  ``training`` may be a Python bool or a boolean tensor.  The layer
classes (``Dense``, ``Conv2D``...) are Keras's.
"""

from __future__ import annotations

import numpy as np

from fluxion.compat import root_namespace
from fluxion.graph.v1.graph import GraphKeys, add_to_collection, executing_eagerly
from fluxion.graph.v1.initializers import Ones, Zeros
from fluxion.graph.v1.variable_scope import get_variable, variable_scope
from fluxion.graph.v1.variables import assign


def _tf():
    return root_namespace.root()


def _pair(value, rank: int = 2) -> tuple:
    return tuple(value) if isinstance(value, (list, tuple)) else (int(value),) * rank


def _initializer(value, default):
    if value is None:
        return default
    if isinstance(value, str):
        return _tf().keras.initializers.get(value)
    return value


def _activate(x, activation):
    if activation is None:
        return x
    if isinstance(activation, str):
        activation = _tf().keras.activations.get(activation)
    return activation(x)


def _variable(name, shape, initializer, regularizer, trainable, dtype):
    variable = get_variable(name, shape, dtype=dtype, initializer=initializer,
                               trainable=trainable)
    if regularizer is not None:
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, regularizer(variable))
    return variable


def _training_select(training, when_training, otherwise):
    """``when_training()`` if ``training`` (a bool or a boolean tensor), else ``otherwise``."""
    tf = _tf()
    if isinstance(training, (bool, np.bool_)) or training is None:
        return when_training() if training else otherwise
    return tf.where(tf.cast(training, tf.bool), when_training(), otherwise)


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
          activity_regularizer=None, kernel_constraint=None, bias_constraint=None,
          trainable=True, name=None, reuse=None):
    """``activation(inputs @ kernel + bias)`` over the last axis of ``inputs``."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    with variable_scope(name, default_name="dense", reuse=reuse):
        kernel = _variable("kernel", [inputs.shape[-1], units],
                           _initializer(kernel_initializer, None), kernel_regularizer,
                           trainable, inputs.dtype)
        if len(inputs.shape) == 2:
            out = tf.matmul(inputs, kernel)
        else:
            out = tf.tensordot(inputs, kernel, [[len(inputs.shape) - 1], [0]])
        if use_bias:
            bias = _variable("bias", [units], _initializer(bias_initializer,
                                                           Zeros()),
                             bias_regularizer, trainable, inputs.dtype)
            out = out + bias
        return _activity(_activate(out, activation), activity_regularizer)


def _activity(out, regularizer):
    if regularizer is not None:
        add_to_collection(GraphKeys.REGULARIZATION_LOSSES, regularizer(out))
    return out


def _convolution(kind, inputs, filters, kernel_size, strides, padding, data_format,
                 dilation_rate, activation, use_bias, kernel_initializer, bias_initializer,
                 kernel_regularizer, bias_regularizer, activity_regularizer, trainable, name,
                 reuse, rank):
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    if data_format not in ("channels_last", None):
        raise ValueError(f"{kind}: only data_format='channels_last' is supported here, got "
                         f"{data_format!r}; transpose the input to NHWC.")
    kernel_size = _pair(kernel_size, rank)
    strides = _pair(strides, rank)
    dilations = _pair(dilation_rate, rank)
    channels = inputs.shape[-1]
    with variable_scope(name, default_name=kind, reuse=reuse):
        if kind == "conv2d_transpose":
            shape = list(kernel_size) + [filters, channels]
        else:
            shape = list(kernel_size) + [channels, filters]
        kernel = _variable("kernel", shape, _initializer(kernel_initializer, None),
                           kernel_regularizer, trainable, inputs.dtype)
        pad = padding.upper()
        if kind == "conv2d_transpose":
            size = []
            for axis in range(2):
                extent = inputs.shape[1 + axis]
                size.append(extent * strides[axis] if pad == "SAME"
                            else (extent - 1) * strides[axis] + kernel_size[axis])
            out = _transpose(inputs, kernel, [inputs.shape[0], *size, filters], strides, pad)
        elif rank == 1:
            out = tf.nn.conv1d(inputs, kernel, strides[0], pad, dilations=dilations[0])
        else:
            out = tf.nn.conv2d(inputs, kernel, [1, *strides, 1], pad,
                               dilations=[1, *dilations, 1])
        if use_bias:
            bias = _variable("bias", [filters], _initializer(bias_initializer,
                                                             Zeros()),
                             bias_regularizer, trainable, inputs.dtype)
            out = out + bias
        return _activity(_activate(out, activation), activity_regularizer)


def _transpose(inputs, kernel, out_shape: list, strides, padding: str):
    """``conv2d_transpose`` to ``out_shape``, whose batch size may be unknown (None)."""
    tf = _tf()
    if out_shape[0] is not None:
        return tf.nn.conv2d_transpose(inputs, kernel, out_shape, [1, *strides, 1], padding)
    # The primitive reads only the shape of its ``like`` operand: a stand-in of shape
    # [batch, *spatial, filters] built from the input's first element per example.
    from fluxion.core.primitives import conv as conv_prims
    from fluxion.core.tensor import Tensor

    corner = inputs[:, 0:1, 0:1, 0:1]
    like = corner + Tensor(np.zeros([1, *out_shape[1:]], dtype=inputs.dtype.np_dtype))
    return conv_prims.conv_input_grad(inputs, kernel.value(), like, strides=tuple(strides),
                                      padding=padding, dilations=(1, 1), groups=1)


def conv2d(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
           data_format="channels_last", dilation_rate=(1, 1), activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """2-D convolution layer: kernel ``[kh, kw, in, filters]``, then bias and activation."""
    return _convolution("conv2d", inputs, filters, kernel_size, strides, padding, data_format,
                        dilation_rate, activation, use_bias, kernel_initializer,
                        bias_initializer, kernel_regularizer, bias_regularizer,
                        activity_regularizer, trainable, name, reuse, 2)


def conv1d(inputs, filters, kernel_size, strides=1, padding="valid",
           data_format="channels_last", dilation_rate=1, activation=None, use_bias=True,
           kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
           bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
           bias_constraint=None, trainable=True, name=None, reuse=None):
    """1-D convolution layer: kernel ``[k, in, filters]``, then bias and activation."""
    return _convolution("conv1d", inputs, filters, kernel_size, strides, padding, data_format,
                        dilation_rate, activation, use_bias, kernel_initializer,
                        bias_initializer, kernel_regularizer, bias_regularizer,
                        activity_regularizer, trainable, name, reuse, 1)


def conv2d_transpose(inputs, filters, kernel_size, strides=(1, 1), padding="valid",
                     data_format="channels_last", activation=None, use_bias=True,
                     kernel_initializer=None, bias_initializer=None, kernel_regularizer=None,
                     bias_regularizer=None, activity_regularizer=None, kernel_constraint=None,
                     bias_constraint=None, trainable=True, name=None, reuse=None):
    """Transposed 2-D convolution: kernel ``[kh, kw, filters, in]``."""
    return _convolution("conv2d_transpose", inputs, filters, kernel_size, strides, padding,
                        data_format, (1, 1), activation, use_bias, kernel_initializer,
                        bias_initializer, kernel_regularizer, bias_regularizer,
                        activity_regularizer, trainable, name, reuse, 2)


def _pooling(op, inputs, pool_size, strides, padding, data_format, rank):
    if data_format not in ("channels_last", None):
        raise ValueError(f"only data_format='channels_last' is supported here, got "
                         f"{data_format!r}")
    size, strides = _pair(pool_size, rank), _pair(strides, rank)
    if rank == 1:
        inputs = _tf().expand_dims(inputs, 1)
        size, strides = (1, *size), (1, *strides)
    out = op(inputs, [1, *size, 1], [1, *strides, 1], padding.upper())
    return _tf().squeeze(out, [1]) if rank == 1 else out


def max_pooling2d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """2-D max pooling."""
    return _pooling(_tf().nn.max_pool2d, inputs, pool_size, strides, padding, data_format, 2)


def average_pooling2d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """2-D average pooling."""
    return _pooling(_tf().nn.avg_pool2d, inputs, pool_size, strides, padding, data_format, 2)


def max_pooling1d(inputs, pool_size, strides, padding="valid", data_format="channels_last",
                  name=None):
    """1-D max pooling."""
    return _pooling(_tf().nn.max_pool2d, inputs, pool_size, strides, padding, data_format, 1)


def average_pooling1d(inputs, pool_size, strides, padding="valid",
                      data_format="channels_last", name=None):
    """1-D average pooling."""
    return _pooling(_tf().nn.avg_pool2d, inputs, pool_size, strides, padding, data_format, 1)


def flatten(inputs, name=None, data_format="channels_last"):
    """``[batch, ...]`` to ``[batch, product of the other dimensions]``."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    rest = inputs.shape[1:]
    if all(size is not None for size in rest):
        return tf.reshape(inputs, [-1, int(np.prod(rest, dtype=np.int64))])
    return tf.reshape(inputs, tf.stack([tf.shape(inputs)[0], -1]))


def dropout(inputs, rate=0.5, noise_shape=None, seed=None, training=False, name=None):
    """Drops ``rate`` of the elements (scaling the rest) when ``training``."""
    tf = _tf()
    inputs = tf.convert_to_tensor(inputs)
    return _training_select(
        training, lambda: tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed),
        inputs)


def batch_normalization(inputs, axis=-1, momentum=0.99, epsilon=1e-3, center=True,
                        scale=True, beta_initializer=None, gamma_initializer=None,
                        moving_mean_initializer=None, moving_variance_initializer=None,
                        beta_regularizer=None, gamma_regularizer=None, beta_constraint=None,
                        gamma_constraint=None, training=False, trainable=True, name=None,
                        reuse=None, renorm=False, renorm_clipping=None, renorm_momentum=0.99,
                        fused=None, virtual_batch_size=None, adjustment=None):
    """Normalizes over every axis but ``axis`` with the batch's statistics when training,
    the moving averages otherwise; updates the moving averages when training."""
    tf = _tf()
    if renorm or virtual_batch_size or adjustment:
        raise ValueError("batch_normalization: renorm, virtual_batch_size and adjustment "
                         "are not supported.")
    inputs = tf.convert_to_tensor(inputs)
    rank = len(inputs.shape)
    axis = axis % rank
    size = inputs.shape[axis]
    reduce_axes = [i for i in range(rank) if i != axis]
    broadcast = [1] * rank
    broadcast[axis] = size
    with variable_scope(name, default_name="batch_normalization", reuse=reuse):
        gamma = _variable("gamma", [size], _initializer(gamma_initializer,
                                                        Ones()),
                          gamma_regularizer, trainable, inputs.dtype) if scale else None
        beta = _variable("beta", [size], _initializer(beta_initializer,
                                                      Zeros()),
                         beta_regularizer, trainable, inputs.dtype) if center else None
        moving_mean = _variable("moving_mean", [size], _initializer(
            moving_mean_initializer, Zeros()), None, False, inputs.dtype)
        moving_variance = _variable("moving_variance", [size], _initializer(
            moving_variance_initializer, Ones()), None, False, inputs.dtype)
    batch_mean, batch_variance = tf.nn.moments(inputs, reduce_axes)
    mean = _training_select(training, lambda: batch_mean, moving_mean.read_value())
    variance = _training_select(training, lambda: batch_variance,
                                moving_variance.read_value())
    if not (isinstance(training, (bool, np.bool_)) and not training):
        new_mean = _training_select(
            training, lambda: moving_mean * momentum + batch_mean * (1 - momentum),
            moving_mean.read_value())
        new_variance = _training_select(
            training, lambda: moving_variance * momentum + batch_variance * (1 - momentum),
            moving_variance.read_value())
        if executing_eagerly():
            moving_mean.assign(new_mean)
            moving_variance.assign(new_variance)
        else:
            add_to_collection(GraphKeys.UPDATE_OPS, assign(moving_mean, new_mean))
            add_to_collection(GraphKeys.UPDATE_OPS,
                                 assign(moving_variance, new_variance))
    shape = broadcast
    return tf.nn.batch_normalization(
        inputs, tf.reshape(mean, shape), tf.reshape(variance, shape),
        None if beta is None else tf.reshape(beta, shape),
        None if gamma is None else tf.reshape(gamma, shape), epsilon)


def __getattr__(name: str):
    """The layer classes (``Dense``, ``Conv2D``...) are Keras's."""
    import fluxion.keras.layers as keras_layers

    if name[:1].isupper() and hasattr(keras_layers, name):
        return getattr(keras_layers, name)
    raise AttributeError(f"module 'tf.compat.v1.layers' has no attribute {name!r}")
