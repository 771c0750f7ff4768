"""Xception (Chollet, 2017): depthwise separable convolutions in residual blocks.

An entry flow of three down-sampling blocks, a middle flow of eight identical 728-channel
blocks, and an exit flow; each down-sampling block adds a strided 1x1 projection of its
input to the max-pooled output of two separable convolutions.
"""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
_FILES = {True: ("xception_weights_tf_dim_ordering_tf_kernels.h5",
                 "0a58e3b7378bc2990ea3b43d5981f1f6"),
          False: ("xception_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "b0042744bf5b25fce3cb969f33bebb97")}


def _separable_bn(x, filters: int, name: str, activate_first: bool):
    """[ReLU] -> SeparableConv2D 3x3 -> BatchNormalization, Keras's layer names."""
    from fluxion.keras import layers

    if activate_first:
        x = layers.Activation("relu", name=name + "_act")(x)
    x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(x)
    return layers.BatchNormalization(name=name + "_bn")(x)


def _downsampling_block(x, filters: tuple, block: int, activate_first: bool):
    """Two separable convolutions and a max pool, plus a strided 1x1 projection."""
    from fluxion.keras import layers

    shortcut = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same",
                             use_bias=False)(x)
    shortcut = layers.BatchNormalization()(shortcut)
    x = _separable_bn(x, filters[0], f"block{block}_sepconv1", activate_first)
    x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
    x = _separable_bn(x, filters[1], f"block{block}_sepconv2", activate_first=False)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(x)
    return layers.add([x, shortcut])


def _middle_block(x, block: int):
    """Three ReLU-separable-BN units around an identity shortcut."""
    from fluxion.keras import layers

    shortcut = x
    for unit in (1, 2, 3):
        x = _separable_bn(x, 728, f"block{block}_sepconv{unit}", activate_first=True)
    return layers.add([x, shortcut])


def Xception(include_top=True, weights="imagenet", input_tensor=None,  # noqa: N802
             input_shape=None, pooling=None, classes=1000,
             classifier_activation="softmax", name="xception"):
    """Xception; ImageNet weights are for 299x299 inputs (at least 71x71)."""
    from fluxion.keras import layers

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 299, 71, include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = image
    for index, filters in enumerate((32, 64), start=1):
        x = layers.Conv2D(filters, (3, 3), strides=(2, 2) if index == 1 else (1, 1),
                          use_bias=False, name=f"block1_conv{index}")(x)
        x = layers.BatchNormalization(name=f"block1_conv{index}_bn")(x)
        x = layers.Activation("relu", name=f"block1_conv{index}_act")(x)
    x = _downsampling_block(x, (128, 128), 2, activate_first=False)
    x = _downsampling_block(x, (256, 256), 3, activate_first=True)
    x = _downsampling_block(x, (728, 728), 4, activate_first=True)
    for block in range(5, 13):
        x = _middle_block(x, block)
    x = _downsampling_block(x, (728, 1024), 13, activate_first=True)
    for unit, filters in ((1, 1536), (2, 2048)):
        x = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False,
                                   name=f"block14_sepconv{unit}")(x)
        x = layers.BatchNormalization(name=f"block14_sepconv{unit}_bn")(x)
        x = layers.Activation("relu", name=f"block14_sepconv{unit}_act")(x)
    return imagenet_utils.average_pooled_model(x, inputs, name, include_top, pooling, classes,
                                               classifier_activation, weights, _BASE, _FILES)


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
