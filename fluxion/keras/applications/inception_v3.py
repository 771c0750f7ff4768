"""InceptionV3 (Szegedy et al., 2016): parallel convolution branches concatenated.

Three 35x35 blocks (``mixed0``-``mixed2``), a reduction (``mixed3``), four 17x17 blocks
with factorised 7x7 convolutions (``mixed4``-``mixed7``), a reduction (``mixed8``) and two
8x8 blocks whose branches split into 1x3 and 3x1 halves (``mixed9``, ``mixed10``).  Every
convolution is unbiased and followed by a scale-free batch norm and a ReLU, all with
Keras's automatic layer names, so legacy weight files load by order as in Keras.
"""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
_FILES = {True: ("inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
                 "9a0d58056eeedaa3f26cb7ebd46da564"),
          False: ("inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "bcbd6486424b2319ff4ef7d526e38f63")}


def conv_bn(x, filters: int, kernel: tuple, strides=(1, 1), padding: str = "same",
            name: str | None = None):
    """Conv2D (no bias) -> BatchNormalization (no scale) -> ReLU; named ``name``,
    ``name_bn``, ``name_ac`` when ``name`` is given (InceptionResNetV2's names)."""
    from fluxion.keras import layers

    x = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False,
                      name=name)(x)
    x = layers.BatchNormalization(scale=False, name=name and name + "_bn")(x)
    return layers.Activation("relu", name=name and name + "_ac")(x)


def _chain(x, steps):
    """``conv_bn`` applied for each ``(filters, kernel)`` or ``(filters, kernel, strides,
    padding)`` step."""
    for step in steps:
        x = conv_bn(x, *step)
    return x


def stem(image):
    """The stem InceptionV3 and InceptionResNetV2 share: five convolutions, two pools."""
    from fluxion.keras import layers

    x = _chain(image, [(32, (3, 3), (2, 2), "valid"), (32, (3, 3), (1, 1), "valid"),
                       (64, (3, 3))])
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _chain(x, [(80, (1, 1), (1, 1), "valid"), (192, (3, 3), (1, 1), "valid")])
    return layers.MaxPooling2D((3, 3), strides=(2, 2))(x)


def _average_pool_branch(x, filters: int):
    from fluxion.keras import layers

    pooled = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return conv_bn(pooled, filters, (1, 1))


def _block_35(x, pool_filters: int, name: str):
    from fluxion.keras import layers

    branches = [conv_bn(x, 64, (1, 1)),
                _chain(x, [(48, (1, 1)), (64, (5, 5))]),
                _chain(x, [(64, (1, 1)), (96, (3, 3)), (96, (3, 3))]),
                _average_pool_branch(x, pool_filters)]
    return layers.Concatenate(axis=3, name=name)(branches)


def _block_17(x, width: int, name: str):
    from fluxion.keras import layers

    branches = [conv_bn(x, 192, (1, 1)),
                _chain(x, [(width, (1, 1)), (width, (1, 7)), (192, (7, 1))]),
                _chain(x, [(width, (1, 1)), (width, (7, 1)), (width, (1, 7)),
                           (width, (7, 1)), (192, (1, 7))]),
                _average_pool_branch(x, 192)]
    return layers.Concatenate(axis=3, name=name)(branches)


def _split_1x3_3x1(x, name=None):
    from fluxion.keras import layers

    return layers.Concatenate(axis=3, name=name)([conv_bn(x, 384, (1, 3)),
                                                  conv_bn(x, 384, (3, 1))])


def _block_8(x, index: int):
    from fluxion.keras import layers

    branches = [conv_bn(x, 320, (1, 1)),
                _split_1x3_3x1(conv_bn(x, 384, (1, 1)), name=f"mixed9_{index}"),
                _split_1x3_3x1(_chain(x, [(448, (1, 1)), (384, (3, 3))])),
                _average_pool_branch(x, 192)]
    return layers.Concatenate(axis=3, name=f"mixed{9 + index}")(branches)


def InceptionV3(include_top=True, weights="imagenet", input_tensor=None,  # noqa: N802
                input_shape=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="inception_v3"):
    """InceptionV3; ImageNet weights are for 299x299 inputs (at least 75x75)."""
    from fluxion.keras import layers

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 299, 75, include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = stem(image)
    for index, pool_filters in enumerate((32, 64, 64)):
        x = _block_35(x, pool_filters, f"mixed{index}")
    x = layers.Concatenate(axis=3, name="mixed3")([
        conv_bn(x, 384, (3, 3), (2, 2), "valid"),
        _chain(x, [(64, (1, 1)), (96, (3, 3)), (96, (3, 3), (2, 2), "valid")]),
        layers.MaxPooling2D((3, 3), strides=(2, 2))(x)])
    for index, width in enumerate((128, 160, 160, 192)):
        x = _block_17(x, width, f"mixed{4 + index}")
    x = layers.Concatenate(axis=3, name="mixed8")([
        _chain(x, [(192, (1, 1)), (320, (3, 3), (2, 2), "valid")]),
        _chain(x, [(192, (1, 1)), (192, (1, 7)), (192, (7, 1)),
                   (192, (3, 3), (2, 2), "valid")]),
        layers.MaxPooling2D((3, 3), strides=(2, 2))(x)])
    for index in (0, 1):
        x = _block_8(x, index)
    return imagenet_utils.average_pooled_model(x, inputs, name, include_top, pooling, classes,
                                               classifier_activation, weights, _BASE, _FILES)


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
