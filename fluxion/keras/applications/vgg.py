"""VGG16 and VGG19 (Simonyan & Zisserman, 2015), with Keras's layer names and weights."""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
_FILES = {  # (with top, without top): (file name, hash)
    "vgg16": (("vgg16_weights_tf_dim_ordering_tf_kernels.h5",
               "64373286793e3c8b2b4e3219cbf3544b"),
              ("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
               "6d6bbae143d832006294945121d1f1fc")),
    "vgg19": (("vgg19_weights_tf_dim_ordering_tf_kernels.h5",
               "cbe5617147190e668d6c5d5026f83318"),
              ("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
               "253f8cb515780f3b799900260a226db6")),
}


def _vgg(family: str, name: str, convs_per_block: tuple, include_top, weights, input_tensor, input_shape,
         pooling, classes, classifier_activation):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    input_shape = imagenet_utils.obtain_input_shape(input_shape, 224, 32, include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    x = image
    for block, (filters, count) in enumerate(zip((64, 128, 256, 512, 512), convs_per_block),
                                             start=1):
        for index in range(1, count + 1):
            x = layers.Conv2D(filters, (3, 3), activation="relu", padding="same",
                              name=f"block{block}_conv{index}")(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)

    def classifier_base(x):
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        return layers.Dense(4096, activation="relu", name="fc2")(x)

    x = imagenet_utils.pooled_or_classified(x, include_top, pooling, classes,
                                            classifier_activation, flatten_top=classifier_base,
                                            pool_names=(None, None))
    model = Functional(inputs, x, name=name)
    files = _FILES[family][0 if include_top else 1]
    imagenet_utils.load_weights(model, weights, lambda: (
        files[0], f"{_BASE}{family}/{files[0]}", files[1]))
    return model


def VGG16(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,  # noqa: N802
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg16"):
    """VGG16: 13 3x3 convolutions in 5 blocks, then 3 dense layers (138M parameters)."""
    return _vgg("vgg16", name, (2, 2, 3, 3, 3), include_top, weights,
                input_tensor, input_shape, pooling, classes, classifier_activation)


def VGG19(include_top=True, weights="imagenet", input_tensor=None, input_shape=None,  # noqa: N802
          pooling=None, classes=1000, classifier_activation="softmax", name="vgg19"):
    """VGG19: 16 3x3 convolutions in 5 blocks, then 3 dense layers (144M parameters)."""
    return _vgg("vgg19", name, (2, 2, 4, 4, 4), include_top, weights,
                input_tensor, input_shape, pooling, classes, classifier_activation)


def preprocess_input(x, data_format=None):
    """Caffe-style: RGB -> BGR and the ImageNet mean subtracted."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


decode_predictions = imagenet_utils.decode_predictions
