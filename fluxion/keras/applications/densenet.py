"""DenseNet121/169/201 (Huang et al., 2017): each layer sees every earlier layer's output."""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"
_HASHES = {  # (with top, without top)
    "densenet121": ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    "densenet169": ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    "densenet201": ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}
_EPSILON = 1.001e-5


def _conv_block(x, growth_rate: int, name: str):
    from fluxion.keras import layers

    y = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=3, name=f"{name}_concat")([x, y])


def _transition(x, reduction: float, name: str):
    from fluxion.keras import layers

    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[3] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(family: str, blocks: tuple, include_top, weights, input_tensor, input_shape,
              pooling, classes, classifier_activation, name: str):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(image)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    for stage, count in enumerate(blocks, start=2):
        for index in range(1, count + 1):
            x = _conv_block(x, 32, f"conv{stage}_block{index}")
        if stage < 5:
            x = _transition(x, 0.5, f"pool{stage}")
    x = layers.BatchNormalization(axis=3, epsilon=_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)
    x = imagenet_utils.pooled_or_classified(x, include_top, pooling, classes,
                                            classifier_activation)
    model = Functional(inputs, x, name=name)
    suffix = "" if include_top else "_notop"
    file_name = f"{family}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
    imagenet_utils.load_weights(model, weights, lambda: (
        file_name, _BASE + file_name, _HASHES[family][0 if include_top else 1]))
    return model


def _factory(family: str, blocks: tuple, name: str):
    def build(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,
              pooling=None, classes=1000, classifier_activation="softmax", name=family):
        return _densenet(family, blocks, include_top, weights, input_tensor, input_shape,
                         pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = name
    build.__doc__ = f"{name}: dense blocks of {list(blocks)} layers, growth rate 32."
    return build


DenseNet121 = _factory("densenet121", (6, 12, 24, 16), "DenseNet121")
DenseNet169 = _factory("densenet169", (6, 12, 32, 32), "DenseNet169")
DenseNet201 = _factory("densenet201", (6, 12, 48, 32), "DenseNet201")


def preprocess_input(x, data_format=None):
    """Scaled to [0, 1], then standardized with the ImageNet channel means and deviations."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


decode_predictions = imagenet_utils.decode_predictions
