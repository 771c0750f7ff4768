"""InceptionResNetV2 (Szegedy et al., 2017): Inception branches as residual units.

After InceptionV3's stem and a 35x35 Inception block (``mixed_5b``), three stacks of
residual blocks (10 x ``block35``, 20 x ``block17``, 10 x ``block8``), separated by two
reductions (``mixed_6a``, ``mixed_7a``).  Each block concatenates its branches, projects
them back to the input width with a biased 1x1 convolution, and adds the result scaled
down (``CustomScaleLayer``) to its input.
"""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils
from fluxion.keras.applications.inception_v3 import conv_bn, stem
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class

_BASE = ("https://storage.googleapis.com/tensorflow/keras-applications/"
         "inception_resnet_v2/")
_FILES = {True: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5",
                 "e693bd0210a403b3192acc6073ad2e96"),
          False: ("inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5",
                  "d19885ff4a710c122648d3b5c3b684e4")}

# Each block type: its branches as chains of (filters, kernel) steps, and its scale.
_BRANCHES = {
    "block35": [[(32, (1, 1))], [(32, (1, 1)), (32, (3, 3))],
                [(32, (1, 1)), (48, (3, 3)), (64, (3, 3))]],
    "block17": [[(192, (1, 1))], [(128, (1, 1)), (160, (1, 7)), (192, (7, 1))]],
    "block8": [[(192, (1, 1))], [(192, (1, 1)), (224, (1, 3)), (256, (3, 1))]],
}


@keras_class("keras.src.applications.inception_resnet_v2")
class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: a residual added back scaled."""

    def __init__(self, scale, **kwargs):
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs):
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "scale": self.scale}


def _chain(x, steps):
    for filters, kernel, *rest in steps:
        x = conv_bn(x, filters, kernel, *rest)
    return x


def _residual_block(x, block_type: str, index: int, scale: float, activation="relu"):
    from fluxion.keras import layers

    name = f"{block_type}_{index}"
    branches = [_chain(x, steps) for steps in _BRANCHES[block_type]]
    mixed = layers.Concatenate(axis=3, name=name + "_mixed")(branches)
    up = layers.Conv2D(x.shape[-1], (1, 1), use_bias=True, name=name + "_conv")(mixed)
    x = CustomScaleLayer(scale)([x, up])
    return layers.Activation(activation, name=name + "_ac")(x) if activation else x


def InceptionResNetV2(include_top=True, weights="imagenet", input_tensor=None,  # noqa: N802
                      input_shape=None, pooling=None, classes=1000,
                      classifier_activation="softmax", name="inception_resnet_v2"):
    """InceptionResNetV2; ImageNet weights are for 299x299 inputs (at least 75x75)."""
    from fluxion.keras import layers

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 299, 75, include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = stem(image)
    pooled = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    x = layers.Concatenate(axis=3, name="mixed_5b")([
        conv_bn(x, 96, (1, 1)), _chain(x, [(48, (1, 1)), (64, (5, 5))]),
        _chain(x, [(64, (1, 1)), (96, (3, 3)), (96, (3, 3))]), conv_bn(pooled, 64, (1, 1))])
    for index in range(1, 11):
        x = _residual_block(x, "block35", index, 0.17)
    x = layers.Concatenate(axis=3, name="mixed_6a")([
        conv_bn(x, 384, (3, 3), (2, 2), "valid"),
        _chain(x, [(256, (1, 1)), (256, (3, 3)), (384, (3, 3), (2, 2), "valid")]),
        layers.MaxPooling2D((3, 3), strides=(2, 2))(x)])
    for index in range(1, 21):
        x = _residual_block(x, "block17", index, 0.1)
    x = layers.Concatenate(axis=3, name="mixed_7a")([
        _chain(x, [(256, (1, 1)), (384, (3, 3), (2, 2), "valid")]),
        _chain(x, [(256, (1, 1)), (288, (3, 3), (2, 2), "valid")]),
        _chain(x, [(256, (1, 1)), (288, (3, 3)), (320, (3, 3), (2, 2), "valid")]),
        layers.MaxPooling2D((3, 3), strides=(2, 2))(x)])
    for index in range(1, 10):
        x = _residual_block(x, "block8", index, 0.2)
    x = _residual_block(x, "block8", 10, 1.0, activation=None)
    x = conv_bn(x, 1536, (1, 1), name="conv_7b")
    return imagenet_utils.average_pooled_model(x, inputs, name, include_top, pooling, classes,
                                               classifier_activation, weights, _BASE, _FILES)


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
