"""EfficientNetV2 B0-B3, S, M, L (Tan & Le, 2021): EfficientNet with fused MBConv blocks
(one full convolution in place of expand + depthwise) in the early, high-resolution
stages, smaller expansion ratios, and no squeeze-excite where it does not pay.

Inputs are pixels in [0, 255]; the models normalise them themselves
(``include_preprocessing``), so ``preprocess_input`` is the identity, as in Keras.
"""

from __future__ import annotations

import math

from fluxion.keras.applications import imagenet_utils
from fluxion.keras.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    classifier_head,
    residual_with_drop,
    squeeze_excite,
)

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"
# weights name -> (hash with top, hash without top)
_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}
# Stages: (repeats, filters in, filters out, expansion, squeeze-excite ratio, stride,
# fused); every kernel is 3x3.
_B_STAGES = ((1, 32, 16, 1, 0, 1, True), (2, 16, 32, 4, 0, 2, True),
             (2, 32, 48, 4, 0, 2, True), (3, 48, 96, 4, 0.25, 2, False),
             (5, 96, 112, 6, 0.25, 1, False), (8, 112, 192, 6, 0.25, 2, False))
_STAGES = {
    "s": ((2, 24, 24, 1, 0, 1, True), (4, 24, 48, 4, 0, 2, True),
          (4, 48, 64, 4, 0, 2, True), (6, 64, 128, 4, 0.25, 2, False),
          (9, 128, 160, 6, 0.25, 1, False), (15, 160, 256, 6, 0.25, 2, False)),
    "m": ((3, 24, 24, 1, 0, 1, True), (5, 24, 48, 4, 0, 2, True),
          (5, 48, 80, 4, 0, 2, True), (7, 80, 160, 4, 0.25, 2, False),
          (14, 160, 176, 6, 0.25, 1, False), (18, 176, 304, 6, 0.25, 2, False),
          (5, 304, 512, 6, 0.25, 1, False)),
    "l": ((4, 32, 32, 1, 0, 1, True), (7, 32, 64, 4, 0, 2, True),
          (7, 64, 96, 4, 0, 2, True), (10, 96, 192, 4, 0.25, 2, False),
          (19, 192, 224, 6, 0.25, 1, False), (25, 224, 384, 6, 0.25, 2, False),
          (7, 384, 640, 6, 0.25, 1, False)),
    "b0": _B_STAGES, "b1": _B_STAGES, "b2": _B_STAGES, "b3": _B_STAGES,
}
# variant -> (width coefficient, depth coefficient, default input size)
_SCALING = {"b0": (1.0, 1.0, 224), "b1": (1.0, 1.1, 240), "b2": (1.1, 1.2, 260),
            "b3": (1.2, 1.4, 300), "s": (1.0, 1.0, 384), "m": (1.0, 1.0, 480),
            "l": (1.0, 1.0, 480)}
_MOMENTUM = 0.9


def _round_filters(filters: int, width: float) -> int:
    """``filters * width`` to the nearest multiple of 8 (at least 8)."""
    return int(max(8, int(filters * width + 4) // 8 * 8))


def _batch_norm(x, name: str):
    from fluxion.keras import layers

    return layers.BatchNormalization(axis=3, momentum=_MOMENTUM, name=name)(x)


def _conv(x, filters: int, kernel: int, stride: int, name: str):
    from fluxion.keras import layers

    return layers.Conv2D(filters, kernel, strides=stride, padding="same", use_bias=False,
                         kernel_initializer=CONV_KERNEL_INITIALIZER, name=name)(x)


def _block(inputs, filters_in: int, filters_out: int, expansion: int, se_ratio: float,
           stride: int, fused: bool, drop_rate: float, name: str):
    """A fused or a plain MBConv block (3x3 kernels, swish)."""
    from fluxion.keras import layers

    filters = filters_in * expansion
    x = inputs
    if expansion != 1:
        x = _conv(x, filters, 3 if fused else 1, stride if fused else 1,
                  name + "expand_conv")
        x = layers.Activation("swish", name=name + "expand_activation")(
            _batch_norm(x, name + "expand_bn"))
    if not fused:
        x = layers.DepthwiseConv2D(3, strides=stride, padding="same", use_bias=False,
                                   depthwise_initializer=CONV_KERNEL_INITIALIZER,
                                   name=name + "dwconv2")(x)
        x = layers.Activation("swish", name=name + "activation")(_batch_norm(x, name + "bn"))
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), "swish", name)
    full = fused and expansion == 1  # the projection is the block's only convolution
    x = _conv(x, filters_out, 3 if full else 1, stride if full else 1, name + "project_conv")
    x = _batch_norm(x, name + "project_bn")
    if full:
        x = layers.Activation("swish", name=name + "project_activation")(x)
    if stride == 1 and filters_in == filters_out:
        x = residual_with_drop(x, inputs, drop_rate, name)
    return x


def _efficientnet_v2(variant: str, include_top, weights, input_tensor, input_shape,
                     pooling, classes, classifier_activation, include_preprocessing, name):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    width, depth, default_size = _SCALING[variant]
    stages = _STAGES[variant]
    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size, 32,
                                                    include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = image
    if include_preprocessing:
        if variant.startswith("b") and input_shape[-1] == 3:
            x = layers.Rescaling(1.0 / 255)(x)
            x = layers.Normalization(mean=[0.485, 0.456, 0.406],
                                     variance=[0.229**2, 0.224**2, 0.225**2], axis=3)(x)
        else:
            x = layers.Rescaling(1.0 / 128.0, offset=-1)(x)
    x = _conv(x, _round_filters(stages[0][1], width), 3, 2, "stem_conv")
    x = layers.Activation("swish", name="stem_activation")(_batch_norm(x, "stem_bn"))
    repeats = [int(math.ceil(depth * stage[0])) for stage in stages]
    done, total = 0, float(sum(stage[0] for stage in stages))
    for index, ((_, filters_in, filters_out, expansion, se, stride, fused), count) in \
            enumerate(zip(stages, repeats)):
        filters_in, filters_out = _round_filters(filters_in, width), \
            _round_filters(filters_out, width)
        for repeat in range(count):
            x = _block(x, filters_out if repeat else filters_in, filters_out, expansion, se,
                       1 if repeat else stride, fused, 0.2 * done / total,
                       f"block{index + 1}{chr(97 + repeat)}_")
            done += 1
    x = _conv(x, _round_filters(1280, width), 1, 1, "top_conv")
    x = layers.Activation("swish", name="top_activation")(_batch_norm(x, "top_bn"))
    x = classifier_head(x, include_top, pooling, classes, classifier_activation, 0.2)
    model = Functional(inputs, x, name=name)
    weights_name = variant if variant.startswith("b") else "-" + variant
    file_name = name + (".h5" if include_top else "_notop.h5")
    imagenet_utils.load_weights(model, weights, lambda: (
        file_name, _BASE + file_name, _HASHES[weights_name][0 if include_top else 1]))
    return model


def _variant(variant: str):
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax",
              include_preprocessing=True, name=f"efficientnetv2-{variant}"):
        return _efficientnet_v2(variant, include_top, weights, input_tensor, input_shape,
                                pooling, classes, classifier_activation,
                                include_preprocessing, name)

    build.__name__ = build.__qualname__ = f"EfficientNetV2{variant.upper()}"
    build.__doc__ = (f"EfficientNetV2{variant.upper()}; ImageNet weights for "
                     f"{_SCALING[variant][2]}x{_SCALING[variant][2]} inputs in [0, 255].")
    return build


EfficientNetV2B0 = _variant("b0")
EfficientNetV2B1 = _variant("b1")
EfficientNetV2B2 = _variant("b2")
EfficientNetV2B3 = _variant("b3")
EfficientNetV2S = _variant("s")
EfficientNetV2M = _variant("m")
EfficientNetV2L = _variant("l")


def preprocess_input(x, data_format=None):
    """The identity: EfficientNetV2 models normalise their inputs themselves."""
    return x


decode_predictions = imagenet_utils.decode_predictions
