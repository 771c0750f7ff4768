"""EfficientNet B0-B7 (Tan & Le, 2019): one base network of mobile inverted bottleneck
blocks with squeeze-and-excitation, scaled in width, depth and input size together.

The models take pixels in [0, 255] and normalise them themselves (``Rescaling`` and
``Normalization`` layers; ImageNet weights add a division by ImageNet's standard
deviation), so ``preprocess_input`` is the identity, as in Keras.
"""

from __future__ import annotations

import math

from fluxion.keras.applications import imagenet_utils
from fluxion.keras.applications.mobilenet_v2 import make_divisible

_BASE = "https://storage.googleapis.com/keras-applications/"
# variant -> (hash with top, hash without top)
_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}
# variant -> (width coefficient, depth coefficient, default input size, dropout rate)
_SCALING = {"b0": (1.0, 1.0, 224, 0.2), "b1": (1.0, 1.1, 240, 0.2),
            "b2": (1.1, 1.2, 260, 0.3), "b3": (1.2, 1.4, 300, 0.3),
            "b4": (1.4, 1.8, 380, 0.4), "b5": (1.6, 2.2, 456, 0.4),
            "b6": (1.8, 2.6, 528, 0.5), "b7": (2.0, 3.1, 600, 0.5)}
# The base network's stages: (kernel, repeats, filters in, filters out, expansion, stride);
# every block has squeeze-excite ratio 0.25 and an identity shortcut where shapes allow.
_STAGES = ((3, 1, 32, 16, 1, 1), (3, 2, 16, 24, 6, 2), (5, 2, 24, 40, 6, 2),
           (3, 3, 40, 80, 6, 2), (5, 3, 80, 112, 6, 1), (5, 4, 112, 192, 6, 2),
           (3, 1, 192, 320, 6, 1))
IMAGENET_STDDEV_RGB = (0.229, 0.224, 0.225)
# Keras's initializers for these models (kept so fresh weights match its statistics).
CONV_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                           "config": {"scale": 2.0, "mode": "fan_out",
                                      "distribution": "truncated_normal"}}
DENSE_KERNEL_INITIALIZER = {"class_name": "VarianceScaling",
                            "config": {"scale": 1.0 / 3.0, "mode": "fan_out",
                                       "distribution": "uniform"}}


def squeeze_excite(x, filters: int, squeezed: int, activation: str, name: str):
    """Global average -> 1x1 reduce (``activation``) -> 1x1 expand (sigmoid) -> scale."""
    from fluxion.keras import layers

    se = layers.GlobalAveragePooling2D(name=name + "se_squeeze")(x)
    se = layers.Reshape((1, 1, filters), name=name + "se_reshape")(se)
    se = layers.Conv2D(squeezed, 1, padding="same", activation=activation,
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=name + "se_reduce")(se)
    se = layers.Conv2D(filters, 1, padding="same", activation="sigmoid",
                       kernel_initializer=CONV_KERNEL_INITIALIZER, name=name + "se_expand")(se)
    return layers.multiply([x, se], name=name + "se_excite")


def residual_with_drop(x, inputs, drop_rate: float, name: str):
    """``x + inputs``, with whole samples of ``x`` dropped at ``drop_rate`` in training."""
    from fluxion.keras import layers

    if drop_rate > 0:
        x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=name + "drop")(x)
    return layers.add([x, inputs], name=name + "add")


def _mb_conv(inputs, activation: str, drop_rate: float, name: str, filters_in: int,
             filters_out: int, kernel: int, stride: int, expansion: int):
    from fluxion.keras import layers

    filters = filters_in * expansion
    x = inputs
    if expansion != 1:
        x = layers.Conv2D(filters, 1, padding="same", use_bias=False,
                          kernel_initializer=CONV_KERNEL_INITIALIZER,
                          name=name + "expand_conv")(x)
        x = layers.BatchNormalization(axis=3, name=name + "expand_bn")(x)
        x = layers.Activation(activation, name=name + "expand_activation")(x)
    if stride == 2:
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, kernel),
                                 name=name + "dwconv_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride, use_bias=False,
                               padding="valid" if stride == 2 else "same",
                               depthwise_initializer=CONV_KERNEL_INITIALIZER,
                               name=name + "dwconv")(x)
    x = layers.BatchNormalization(axis=3, name=name + "bn")(x)
    x = layers.Activation(activation, name=name + "activation")(x)
    x = squeeze_excite(x, filters, max(1, int(filters_in * 0.25)), activation, name)
    x = layers.Conv2D(filters_out, 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER,
                      name=name + "project_conv")(x)
    x = layers.BatchNormalization(axis=3, name=name + "project_bn")(x)
    if stride == 1 and filters_in == filters_out:
        x = residual_with_drop(x, inputs, drop_rate, name)
    return x


def _efficientnet(variant: str, include_top, weights, input_tensor, input_shape, pooling,
                  classes, classifier_activation, name):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    width, depth, default_size, dropout_rate = _SCALING[variant]
    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size, 32,
                                                    include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)

    def scaled_filters(filters: int) -> int:
        return make_divisible(filters * width, 8)

    x = layers.Rescaling(1.0 / 255.0)(image)
    x = layers.Normalization(axis=3)(x)
    if weights == "imagenet":
        x = layers.Rescaling([1.0 / math.sqrt(stddev) for stddev in IMAGENET_STDDEV_RGB])(x)
    x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(scaled_filters(32), 3, strides=2, padding="valid", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name="stem_conv")(x)
    x = layers.BatchNormalization(axis=3, name="stem_bn")(x)
    x = layers.Activation("swish", name="stem_activation")(x)
    repeats = [int(math.ceil(depth * stage[1])) for stage in _STAGES]
    done, total = 0, float(sum(repeats))
    for stage, ((kernel, _, filters_in, filters_out, expansion, stride), count) in \
            enumerate(zip(_STAGES, repeats)):
        filters_in, filters_out = scaled_filters(filters_in), scaled_filters(filters_out)
        for index in range(count):
            x = _mb_conv(x, "swish", 0.2 * done / total, f"block{stage + 1}{chr(97 + index)}_",
                         filters_out if index else filters_in, filters_out, kernel,
                         1 if index else stride, expansion)
            done += 1
    x = layers.Conv2D(scaled_filters(1280), 1, padding="same", use_bias=False,
                      kernel_initializer=CONV_KERNEL_INITIALIZER, name="top_conv")(x)
    x = layers.BatchNormalization(axis=3, name="top_bn")(x)
    x = layers.Activation("swish", name="top_activation")(x)
    x = classifier_head(x, include_top, pooling, classes, classifier_activation, dropout_rate)
    model = Functional(inputs, x, name=name)
    file_name = name + (".h5" if include_top else "_notop.h5")
    imagenet_utils.load_weights(model, weights, lambda: (
        file_name, _BASE + file_name, _HASHES[variant][0 if include_top else 1]))
    return model


def classifier_head(x, include_top, pooling, classes, classifier_activation,
                    dropout_rate: float):
    """Average pool, dropout ``top_dropout`` and the ``predictions`` Dense; or pooling."""
    from fluxion.keras import layers

    if not include_top:
        return imagenet_utils.pooled_or_classified(x, False, pooling, classes, None)
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    if dropout_rate > 0:
        x = layers.Dropout(dropout_rate, name="top_dropout")(x)
    return layers.Dense(classes, activation=classifier_activation,
                        kernel_initializer=DENSE_KERNEL_INITIALIZER, name="predictions")(x)


def _variant(variant: str):
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              name=f"efficientnet{variant}"):
        return _efficientnet(variant, include_top, weights, input_tensor, input_shape,
                             pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = f"EfficientNet{variant.upper()}"
    build.__doc__ = (f"EfficientNet{variant.upper()}; ImageNet weights for "
                     f"{_SCALING[variant][2]}x{_SCALING[variant][2]} inputs in [0, 255].")
    return build


EfficientNetB0 = _variant("b0")
EfficientNetB1 = _variant("b1")
EfficientNetB2 = _variant("b2")
EfficientNetB3 = _variant("b3")
EfficientNetB4 = _variant("b4")
EfficientNetB5 = _variant("b5")
EfficientNetB6 = _variant("b6")
EfficientNetB7 = _variant("b7")


def preprocess_input(x, data_format=None):
    """The identity: EfficientNet models normalise their inputs themselves."""
    return x


decode_predictions = imagenet_utils.decode_predictions
