"""MobileNetV3 Small and Large (Howard et al., 2019): inverted residual blocks with
squeeze-and-excitation and hard-swish, found by architecture search.

The model rescales its own input to [-1, 1] (``include_preprocessing``), so its
``preprocess_input`` is the identity, as in Keras.
"""

from __future__ import annotations

import warnings

from fluxion.keras.applications import imagenet_utils
from fluxion.keras.applications.mobilenet_v2 import make_divisible

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"
# model name -> (hash with top, hash without top)
_HASHES = {
    "large_224_0.75_float": ("765b44a33ad4005b3ac83185abf1d0eb",
                             "40af19a13ebea4e2ee0c676887f69a2e"),
    "large_224_1.0_float": ("59e551e166be033d707958cf9e29a6a7",
                            "07fb09a5933dd0c8eaafa16978110389"),
    "large_minimalistic_224_1.0_float": ("675e7b876c45c57e9e63e6d90a36599c",
                                         "ec5221f64a2f6d1ef965a614bdae7973"),
    "small_224_0.75_float": ("cb65d4e5be93758266aa0a7f2c6708b7",
                             "ebdb5cc8e0b497cd13a7c275d475c819"),
    "small_224_1.0_float": ("8768d4c2e7dee89b9d02b2d03d65d862",
                            "d3e8ec802a04aa4fc771ee12a9a9b836"),
    "small_minimalistic_224_1.0_float": ("99cd97fb2fcdad2bf028eb838de69e37",
                                         "cde8136e733e811080d9fcd8a252f7e4"),
}

# The blocks: (expansion, filters, kernel, stride, squeeze-excite, nonlinearity).  "k" is
# the family's kernel (5, or 3 when minimalistic), "se" its squeeze-excite ratio (0.25,
# or none), "act" its nonlinearity (hard-swish, or ReLU); the others are fixed.
_SMALL = ((1, 16, 3, 2, "se", "relu"), (72 / 16, 24, 3, 2, None, "relu"),
          (88 / 24, 24, 3, 1, None, "relu"), (4, 40, "k", 2, "se", "act"),
          (6, 40, "k", 1, "se", "act"), (6, 40, "k", 1, "se", "act"),
          (3, 48, "k", 1, "se", "act"), (3, 48, "k", 1, "se", "act"),
          (6, 96, "k", 2, "se", "act"), (6, 96, "k", 1, "se", "act"),
          (6, 96, "k", 1, "se", "act"))
_LARGE = ((1, 16, 3, 1, None, "relu"), (4, 24, 3, 2, None, "relu"),
          (3, 24, 3, 1, None, "relu"), (3, 40, "k", 2, "se", "relu"),
          (3, 40, "k", 1, "se", "relu"), (3, 40, "k", 1, "se", "relu"),
          (6, 80, 3, 2, None, "act"), (2.5, 80, 3, 1, None, "act"),
          (2.3, 80, 3, 1, None, "act"), (2.3, 80, 3, 1, None, "act"),
          (6, 112, 3, 1, "se", "act"), (6, 112, 3, 1, "se", "act"),
          (6, 160, "k", 2, "se", "act"), (6, 160, "k", 1, "se", "act"),
          (6, 160, "k", 1, "se", "act"))


def _relu(x):
    from fluxion.keras import layers

    return layers.ReLU()(x)


def _hard_swish(x):
    from fluxion.keras import layers

    return layers.Activation("hard_swish")(x)


def _hard_sigmoid(x):
    """ReLU6(x + 3) / 6, as tensor operations around a ReLU layer (Keras's graph)."""
    from fluxion.keras import layers

    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _batch_norm(x, name: str):
    from fluxion.keras import layers

    return layers.BatchNormalization(epsilon=1e-3, momentum=0.999, name=name)(x)


def _squeeze_excite(inputs, filters: int, ratio: float, prefix: str):
    from fluxion.keras import layers

    x = layers.GlobalAveragePooling2D(keepdims=True,
                                      name=prefix + "squeeze_excite_avg_pool")(inputs)
    x = layers.Conv2D(make_divisible(filters * ratio), 1, padding="same",
                      name=prefix + "squeeze_excite_conv")(x)
    x = layers.ReLU(name=prefix + "squeeze_excite_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", name=prefix + "squeeze_excite_conv_1")(x)
    return layers.Multiply(name=prefix + "squeeze_excite_mul")([inputs, _hard_sigmoid(x)])


def _inverted_residual(x, expansion, filters: int, kernel: int, stride: int, se_ratio,
                       activation, block: int):
    from fluxion.keras import layers

    shortcut, in_filters = x, x.shape[-1]
    prefix = f"expanded_conv_{block}_" if block else "expanded_conv_"
    expanded = make_divisible(in_filters * expansion)
    if block:
        x = layers.Conv2D(expanded, 1, padding="same", use_bias=False,
                          name=prefix + "expand")(x)
        x = activation(_batch_norm(x, prefix + "expand_bn"))
    if stride == 2:
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, kernel),
                                 name=prefix + "depthwise_pad")(x)
    x = layers.DepthwiseConv2D(kernel, strides=stride, use_bias=False,
                               padding="same" if stride == 1 else "valid",
                               name=prefix + "depthwise")(x)
    x = activation(_batch_norm(x, prefix + "depthwise_bn"))
    if se_ratio:
        x = _squeeze_excite(x, expanded, se_ratio, prefix)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=prefix + "project")(x)
    x = _batch_norm(x, prefix + "project_bn")
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=prefix + "add")([shortcut, x])
    return x


def _mobilenet_v3(blocks, last_point_channels: int, model_type: str, input_shape, alpha,
                  minimalistic, include_top, weights, input_tensor, classes, pooling,
                  dropout_rate, classifier_activation, include_preprocessing, name):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    if input_shape is None and input_tensor is not None:
        input_shape = tuple(input_tensor.shape[1:])
    input_shape = tuple(input_shape) if input_shape is not None else (None, None, 3)
    rows, cols = input_shape[0], input_shape[1]
    if rows and cols and (rows < 32 or cols < 32):
        raise ValueError(f"Input size must be at least 32x32; Received `input_shape="
                         f"{input_shape}`")
    if weights == "imagenet":
        if alpha not in ((1.0,) if minimalistic else (0.75, 1.0)):
            raise ValueError("If imagenet weights are being loaded, alpha can be one of "
                             "`0.75`, `1.0` for non minimalistic or `1.0` for minimalistic "
                             "only.")
        if rows != cols or rows != 224:
            warnings.warn("`input_shape` is undefined or non-square, or `rows` is not 224. "
                          "Weights for input shape (224, 224) will be loaded as the "
                          "default.", stacklevel=3)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    family_kernel, family_se, family_act = (3, None, _relu) if minimalistic else \
        (5, 0.25, _hard_swish)
    x = layers.Rescaling(1.0 / 127.5, offset=-1.0)(image) if include_preprocessing else image
    x = layers.Conv2D(16, 3, strides=(2, 2), padding="same", use_bias=False, name="conv")(x)
    x = family_act(_batch_norm(x, "conv_bn"))
    for block, (expansion, filters, kernel, stride, se, act) in enumerate(blocks):
        x = _inverted_residual(x, expansion, make_divisible(filters * alpha),
                               family_kernel if kernel == "k" else kernel, stride,
                               family_se if se else None,
                               family_act if act == "act" else _relu, block)
    x = layers.Conv2D(make_divisible(x.shape[-1] * 6), 1, padding="same", use_bias=False,
                      name="conv_1")(x)
    x = family_act(_batch_norm(x, "conv_1_bn"))
    if include_top:
        if alpha > 1.0:
            last_point_channels = make_divisible(last_point_channels * alpha)
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(last_point_channels, 1, padding="same", name="conv_2")(x)
        x = family_act(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, 1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.pooled_or_classified(x, False, pooling, classes, None)
    model = Functional(inputs, x, name=name)
    model_name = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{alpha}_float"

    def imagenet_file():
        suffix = ".h5" if include_top else "_no_top_v2.h5"
        file_name = f"weights_mobilenet_v3_{model_name}{suffix}"
        return file_name, _BASE + file_name, _HASHES[model_name][0 if include_top else 1]

    imagenet_utils.load_weights(model, weights, imagenet_file)
    return model


def MobileNetV3Small(input_shape=None, alpha=1.0, minimalistic=False,  # noqa: N802
                     include_top=True, weights="imagenet", input_tensor=None, classes=1000,
                     pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Small"):
    """MobileNetV3Small; ImageNet weights for alpha 0.75 and 1.0 (1.0 if minimalistic)."""
    return _mobilenet_v3(_SMALL, 1024, "small", input_shape, alpha, minimalistic,
                         include_top, weights, input_tensor, classes, pooling, dropout_rate,
                         classifier_activation, include_preprocessing, name)


def MobileNetV3Large(input_shape=None, alpha=1.0, minimalistic=False,  # noqa: N802
                     include_top=True, weights="imagenet", input_tensor=None, classes=1000,
                     pooling=None, dropout_rate=0.2, classifier_activation="softmax",
                     include_preprocessing=True, name="MobileNetV3Large"):
    """MobileNetV3Large; ImageNet weights for alpha 0.75 and 1.0 (1.0 if minimalistic)."""
    return _mobilenet_v3(_LARGE, 1280, "large", input_shape, alpha, minimalistic,
                         include_top, weights, input_tensor, classes, pooling, dropout_rate,
                         classifier_activation, include_preprocessing, name)


def preprocess_input(x, data_format=None):
    """The identity: MobileNetV3 models rescale their inputs themselves."""
    return x


decode_predictions = imagenet_utils.decode_predictions
