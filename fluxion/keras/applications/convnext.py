"""ConvNeXt Tiny, Small, Base, Large and XLarge (Liu et al., 2022): a ResNet modernised
after vision transformers.  Patchify stem (4x4 stride 4), four stages of blocks made of
a 7x7 depthwise convolution, a layer norm and an inverted MLP (``Dense`` layers acting
on channels), each block's output scaled per channel (``LayerScale``) and added back.

Inputs are pixels in [0, 255]; the models normalise them themselves
(``include_preprocessing``), so ``preprocess_input`` is the identity, as in Keras.
"""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"
# variant -> (sha256 with top, sha256 without top)
_HASHES = {
    "tiny": ("8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
             "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1"),
    "small": ("ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
              "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab"),
    "base": ("52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
             "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45"),
    "large": ("070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
              "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd"),
    "xlarge": ("c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
               "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05"),
}
# variant -> (blocks per stage, channels per stage)
_CONFIGS = {"tiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
            "small": ((3, 3, 27, 3), (96, 192, 384, 768)),
            "base": ((3, 3, 27, 3), (128, 256, 512, 1024)),
            "large": ((3, 3, 27, 3), (192, 384, 768, 1536)),
            "xlarge": ((3, 3, 27, 3), (256, 512, 1024, 2048))}

_TITLES = {"tiny": "Tiny", "small": "Small", "base": "Base", "large": "Large",
           "xlarge": "XLarge"}


@keras_class("keras.src.applications.convnext")
class LayerScale(Layer):
    """Multiplies each channel by a learned scale, initialised to ``init_values``."""

    def __init__(self, init_values, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape):
        from fluxion.keras import initializers

        self.gamma = self.add_weight(shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values))

    def call(self, x):
        return x * self.gamma

    def get_config(self):
        return {**super().get_config(), "init_values": self.init_values,
                "projection_dim": self.projection_dim}


def _block(inputs, channels: int, name: str):
    """Depthwise 7x7 -> layer norm -> Dense 4x -> GELU -> Dense -> LayerScale, added back
    (Keras's variants use no stochastic depth, so the residual passes an identity)."""
    from fluxion.keras import layers

    x = layers.Conv2D(channels, 7, padding="same", groups=channels,
                      name=name + "_depthwise_conv")(inputs)
    x = layers.LayerNormalization(epsilon=1e-6, name=name + "_layernorm")(x)
    x = layers.Dense(4 * channels, name=name + "_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=name + "_gelu")(x)
    x = layers.Dense(channels, name=name + "_pointwise_conv_2")(x)
    x = LayerScale(1e-6, channels, name=name + "_layer_scale")(x)
    return inputs + layers.Activation("linear", name=name + "_identity")(x)


def _downsampling(channels: tuple, name: str):
    """The stem (stage 0) and the three layer-norm + 2x2 stride-2 convolutions."""
    from fluxion.keras import layers
    from fluxion.keras.models.sequential import Sequential

    stages = [Sequential([layers.Conv2D(channels[0], 4, strides=4, name=name + "_stem_conv"),
                          layers.LayerNormalization(epsilon=1e-6,
                                                    name=name + "_stem_layernorm")],
                         name=name + "_stem")]
    for index in range(3):
        stages.append(Sequential(
            [layers.LayerNormalization(epsilon=1e-6,
                                       name=f"{name}_downsampling_layernorm_{index}"),
             layers.Conv2D(channels[index + 1], 2, strides=2,
                           name=f"{name}_downsampling_conv_{index}")],
            name=f"{name}_downsampling_block_{index}"))
    return stages


def _convnext(variant: str, include_top, include_preprocessing, weights, input_tensor,
              input_shape, pooling, classes, classifier_activation, name):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    depths, channels = _CONFIGS[variant]
    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top,
                                                    weights)
    x, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(mean=[0.485 * 255, 0.456 * 255, 0.406 * 255],
                                 variance=[(0.229 * 255) ** 2, (0.224 * 255) ** 2,
                                           (0.225 * 255) ** 2],
                                 name=name + "_prestem_normalization")(x)
    for stage, (downsample, depth) in enumerate(zip(_downsampling(channels, name), depths)):
        x = downsample(x)
        for block in range(depth):
            x = _block(x, channels[stage], f"{name}_stage_{stage}_block_{block}")
    if include_top:
        x = layers.GlobalAveragePooling2D(name=name + "_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=name + "_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation,
                         name=name + "_head_dense")(x)
    else:
        x = imagenet_utils.pooled_or_classified(x, False, pooling, classes, None,
                                                pool_names=(None, None))
        x = layers.LayerNormalization(epsilon=1e-6)(x)
    model = Functional(inputs, x, name=name)
    file_name = name + (".h5" if include_top else "_notop.h5")
    imagenet_utils.load_weights(model, weights, lambda: (
        file_name, _BASE + file_name, _HASHES[variant][0 if include_top else 1]))
    return model


def _variant(variant: str):
    def build(include_top=True, include_preprocessing=True, weights="imagenet",
              input_tensor=None, input_shape=None, pooling=None, classes=1000,
              classifier_activation="softmax", name=f"convnext_{variant}"):
        return _convnext(variant, include_top, include_preprocessing, weights, input_tensor,
                         input_shape, pooling, classes, classifier_activation, name)

    build.__name__ = build.__qualname__ = "ConvNeXt" + _TITLES[variant]
    build.__doc__ = f"ConvNeXt {variant}; ImageNet weights for 224x224 inputs in [0, 255]."
    return build


ConvNeXtTiny = _variant("tiny")
ConvNeXtSmall = _variant("small")
ConvNeXtBase = _variant("base")
ConvNeXtLarge = _variant("large")
ConvNeXtXLarge = _variant("xlarge")


def preprocess_input(x, data_format=None):
    """The identity: ConvNeXt models normalise their inputs themselves."""
    return x


decode_predictions = imagenet_utils.decode_predictions
