"""ResNet50/101/152 (He et al., 2015) and their V2 variants with pre-activation (2016),
with Keras's layer names and weight files."""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"
_HASHES = {  # (with top, without top)
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
}
_EPSILON = 1.001e-5


def _bottleneck(x, filters: int, stride: int, conv_shortcut: bool, name: str):
    """V1 block: 1x1, 3x3, 1x1 convolutions (BN after each) added to the shortcut."""
    from fluxion.keras import layers

    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        shortcut = layers.BatchNormalization(axis=3, epsilon=_EPSILON,
                                             name=f"{name}_0_bn")(shortcut)
    else:
        shortcut = x
    x = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.Conv2D(filters, 3, padding="same", name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_3_bn")(x)
    x = layers.Add(name=f"{name}_add")([shortcut, x])
    return layers.Activation("relu", name=f"{name}_out")(x)


def _preact_bottleneck(x, filters: int, stride: int, conv_shortcut: bool, name: str):
    """V2 block: BN and relu first, the stride on the 3x3 convolution."""
    from fluxion.keras import layers

    preact = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_preact_bn")(x)
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    else:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x) if stride > 1 else x
    x = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_1_bn")(x)
    x = layers.Activation("relu", name=f"{name}_1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(x)
    x = layers.Conv2D(filters, 3, strides=stride, use_bias=False, name=f"{name}_2_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_2_bn")(x)
    x = layers.Activation("relu", name=f"{name}_2_relu")(x)
    x = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(x)
    return layers.Add(name=f"{name}_out")([shortcut, x])


def _stack_v1(x, filters: int, blocks: int, stride: int, name: str):
    x = _bottleneck(x, filters, stride, True, f"{name}_block1")
    for index in range(2, blocks + 1):
        x = _bottleneck(x, filters, 1, False, f"{name}_block{index}")
    return x


def _stack_v2(x, filters: int, blocks: int, stride: int, name: str):
    x = _preact_bottleneck(x, filters, 1, True, f"{name}_block1")
    for index in range(2, blocks):
        x = _preact_bottleneck(x, filters, 1, False, f"{name}_block{index}")
    return _preact_bottleneck(x, filters, stride, False, f"{name}_block{blocks}")


def _resnet(family: str, blocks: tuple, preact: bool, include_top, weights, input_tensor,
            input_shape, pooling, classes, classifier_activation, name: str):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(image)
    x = layers.Conv2D(64, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    if not preact:
        x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    stages = zip((64, 128, 256, 512), blocks, ("conv2", "conv3", "conv4", "conv5"))
    for index, (filters, count, stage) in enumerate(stages):
        if preact:  # V2 strides at the end of each stack but the last
            x = _stack_v2(x, filters, count, 1 if index == 3 else 2, stage)
        else:  # V1 strides at the start of each stack but the first
            x = _stack_v1(x, filters, count, 1 if index == 0 else 2, stage)
    if preact:
        x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="post_bn")(x)
        x = layers.Activation("relu", name="post_relu")(x)
    x = imagenet_utils.pooled_or_classified(x, include_top, pooling, classes,
                                            classifier_activation)
    model = Functional(inputs, x, name=name)
    suffix = "" if include_top else "_notop"
    file_name = f"{family}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    imagenet_utils.load_weights(model, weights, lambda: (
        file_name, f"{_BASE}{file_name}", _HASHES[family][0 if include_top else 1]))
    return model


def _factory(family: str, blocks: tuple, preact: bool, doc: str):
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name=family):
        return _resnet(family, blocks, preact, include_top, weights, input_tensor, input_shape,
                       pooling, classes, classifier_activation, name)

    build.__doc__ = doc
    return build


ResNet50 = _factory("resnet50", (3, 4, 6, 3), False, "ResNet50 (25.6M parameters).")
ResNet101 = _factory("resnet101", (3, 4, 23, 3), False, "ResNet101 (44.7M parameters).")
ResNet152 = _factory("resnet152", (3, 8, 36, 3), False, "ResNet152 (60.4M parameters).")
ResNet50V2 = _factory("resnet50v2", (3, 4, 6, 3), True, "ResNet50V2, pre-activation.")
ResNet101V2 = _factory("resnet101v2", (3, 4, 23, 3), True, "ResNet101V2, pre-activation.")
ResNet152V2 = _factory("resnet152v2", (3, 8, 36, 3), True, "ResNet152V2, pre-activation.")
for _model, _name in ((ResNet50, "ResNet50"), (ResNet101, "ResNet101"),
                      (ResNet152, "ResNet152"), (ResNet50V2, "ResNet50V2"),
                      (ResNet101V2, "ResNet101V2"), (ResNet152V2, "ResNet152V2")):
    _model.__name__ = _model.__qualname__ = _name


def preprocess_input(x, data_format=None):
    """ResNet (V1): caffe-style, RGB -> BGR minus the ImageNet mean."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def preprocess_input_v2(x, data_format=None):
    """ResNetV2: scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
