"""NASNet-A Mobile and Large (Zoph et al., 2018): cells found by architecture search.

Two kinds of cell, each taking the two previous cells' outputs (``ip``, the last one, and
``p``, the one before): a normal cell keeps the resolution, a reduction cell halves it.
Each combines separable-convolution and pooling branches pairwise by addition and
concatenates the results; ``p`` is first brought to ``ip``'s resolution and width
(``_adjust``).  Keras's layer names; its automatically named layers (the ReLUs, the
padding and cropping of ``_adjust``) come out numbered as in Keras.
"""

from __future__ import annotations

from fluxion.keras.applications import imagenet_utils

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
# default size -> {include_top: (file name, URL file, hash)}
_FILES = {
    224: {True: ("nasnet_mobile.h5", "NASNet-mobile.h5", "020fb642bf7360b370c678b08e0adf61"),
          False: ("nasnet_mobile_no_top.h5", "NASNet-mobile-no-top.h5",
                  "1ed92395b5b598bdda52abe5c0dbfd63")},
    331: {True: ("nasnet_large.h5", "NASNet-large.h5", "11577c9a518f0070763c2b964a382f17"),
          False: ("nasnet_large_no_top.h5", "NASNet-large-no-top.h5",
                  "d81d89dc07e6e56530c4e77faddd61b5")},
}


def _batch_norm(x, name: str):
    from fluxion.keras import layers

    return layers.BatchNormalization(momentum=0.9997, epsilon=1e-3, name=name)(x)


def _conv_1x1(x, filters: int, name: str):
    from fluxion.keras import layers

    return layers.Conv2D(filters, (1, 1), padding="same", use_bias=False, name=name,
                         kernel_initializer="he_normal")(x)


def _separable(x, filters: int, kernel=(3, 3), strides=(1, 1), block_id: str = ""):
    """ReLU -> separable conv -> BN -> ReLU -> separable conv -> BN."""
    from fluxion.keras import layers

    x = layers.Activation("relu")(x)
    if strides == (2, 2):
        x = layers.ZeroPadding2D(imagenet_utils.correct_pad(x, kernel),
                                 name=f"separable_conv_1_pad_{block_id}")(x)
    x = layers.SeparableConv2D(filters, kernel, strides=strides, use_bias=False,
                               padding="valid" if strides == (2, 2) else "same",
                               name=f"separable_conv_1_{block_id}")(x)
    x = layers.Activation("relu")(_batch_norm(x, f"separable_conv_1_bn_{block_id}"))
    x = layers.SeparableConv2D(filters, kernel, padding="same", use_bias=False,
                               name=f"separable_conv_2_{block_id}")(x)
    return _batch_norm(x, f"separable_conv_2_bn_{block_id}")


def _adjust(p, ip, filters: int, block_id: str):
    """``p`` at ``ip``'s resolution (two offset strided 1x1 paths) and width."""
    from fluxion.keras import layers

    if p is None:
        return ip
    if p.shape[-2] != ip.shape[-2]:
        p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
        p1 = layers.AveragePooling2D((1, 1), strides=(2, 2),
                                     name=f"adjust_avg_pool_1_{block_id}")(p)
        p1 = _conv_1x1(p1, filters // 2, f"adjust_conv_1_{block_id}")
        p2 = layers.ZeroPadding2D(((0, 1), (0, 1)))(p)
        p2 = layers.Cropping2D(((1, 0), (1, 0)))(p2)
        p2 = layers.AveragePooling2D((1, 1), strides=(2, 2),
                                     name=f"adjust_avg_pool_2_{block_id}")(p2)
        p2 = _conv_1x1(p2, filters // 2, f"adjust_conv_2_{block_id}")
        return _batch_norm(layers.concatenate([p1, p2], axis=-1), f"adjust_bn_{block_id}")
    if p.shape[-1] != filters:
        p = layers.Activation("relu")(p)
        p = _conv_1x1(p, filters, f"adjust_conv_projection_{block_id}")
        return _batch_norm(p, f"adjust_bn_{block_id}")
    return p


def _squeezed_input(ip, filters: int, kind: str, block_id: str):
    """ReLU -> 1x1 convolution -> BN of the cell's main input."""
    from fluxion.keras import layers

    h = layers.Activation("relu")(ip)
    h = _conv_1x1(h, filters, f"{kind}_conv_1_{block_id}")
    return _batch_norm(h, f"{kind}_bn_1_{block_id}")


def _average_3x3(x, name: str, strides=(1, 1), padding="same"):
    from fluxion.keras import layers

    return layers.AveragePooling2D((3, 3), strides=strides, padding=padding, name=name)(x)


def _normal_cell(ip, p, filters: int, block_id: str):
    from fluxion.keras import layers

    p = _adjust(p, ip, filters, block_id)
    h = _squeezed_input(ip, filters, "normal", block_id)
    x1 = layers.add([_separable(h, filters, (5, 5), block_id=f"normal_left1_{block_id}"),
                     _separable(p, filters, block_id=f"normal_right1_{block_id}")],
                    name=f"normal_add_1_{block_id}")
    x2 = layers.add([_separable(p, filters, (5, 5), block_id=f"normal_left2_{block_id}"),
                     _separable(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")],
                    name=f"normal_add_2_{block_id}")
    x3 = layers.add([_average_3x3(h, f"normal_left3_{block_id}"), p],
                    name=f"normal_add_3_{block_id}")
    x4 = layers.add([_average_3x3(p, f"normal_left4_{block_id}"),
                     _average_3x3(p, f"normal_right4_{block_id}")],
                    name=f"normal_add_4_{block_id}")
    x5 = layers.add([_separable(h, filters, block_id=f"normal_left5_{block_id}"), h],
                    name=f"normal_add_5_{block_id}")
    return layers.concatenate([p, x1, x2, x3, x4, x5], axis=-1,
                              name=f"normal_concat_{block_id}"), ip


def _reduction_cell(ip, p, filters: int, block_id: str):
    from fluxion.keras import layers

    p = _adjust(p, ip, filters, block_id)
    h = _squeezed_input(ip, filters, "reduction", block_id)
    h3 = layers.ZeroPadding2D(imagenet_utils.correct_pad(h, 3),
                              name=f"reduction_pad_1_{block_id}")(h)
    halve = dict(strides=(2, 2))
    x1 = layers.add([_separable(h, filters, (5, 5), **halve,
                                block_id=f"reduction_left1_{block_id}"),
                     _separable(p, filters, (7, 7), **halve,
                                block_id=f"reduction_right1_{block_id}")],
                    name=f"reduction_add_1_{block_id}")
    x2 = layers.add([layers.MaxPooling2D((3, 3), **halve,
                                         name=f"reduction_left2_{block_id}")(h3),
                     _separable(p, filters, (7, 7), **halve,
                                block_id=f"reduction_right2_{block_id}")],
                    name=f"reduction_add_2_{block_id}")
    x3 = layers.add([_average_3x3(h3, f"reduction_left3_{block_id}", (2, 2), "valid"),
                     _separable(p, filters, (5, 5), **halve,
                                block_id=f"reduction_right3_{block_id}")],
                    name=f"reduction_add3_{block_id}")
    x4 = layers.add([x2, _average_3x3(x1, f"reduction_left4_{block_id}")])
    x5 = layers.add([_separable(x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"),
                     layers.MaxPooling2D((3, 3), **halve,
                                         name=f"reduction_right5_{block_id}")(h3)],
                    name=f"reduction_add4_{block_id}")
    return layers.concatenate([x2, x3, x4, x5], axis=-1,
                              name=f"reduction_concat_{block_id}"), ip


def _nasnet(input_shape, penultimate_filters: int, num_blocks: int, stem_filters: int,
            skip_reduction: bool, include_top, weights, input_tensor, pooling, classes,
            default_size: int, classifier_activation, name):
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    imagenet_utils.check_arguments(weights, include_top, classes, classifier_activation)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError("When specifying the input shape of a NASNet and loading "
                         "`ImageNet` weights, the input_shape argument must be static (no "
                         f"None entries). Got: `input_shape={input_shape}`.")
    input_shape = imagenet_utils.obtain_input_shape(input_shape, default_size, 32,
                                                    include_top, weights)
    image, inputs = imagenet_utils.model_input(input_tensor, input_shape)
    filters = penultimate_filters // 24
    x = layers.Conv2D(stem_filters, (3, 3), strides=(2, 2), padding="valid", use_bias=False,
                      name="stem_conv1", kernel_initializer="he_normal")(image)
    x = _batch_norm(x, "stem_bn1")
    x, p = _reduction_cell(x, None, filters // 4, "stem_1")
    x, p = _reduction_cell(x, p, filters // 2, "stem_2")
    for stage in range(3):
        width = filters * 2 ** stage
        if stage:
            x, reduced_p = _reduction_cell(x, p, width, f"reduce_{stage * num_blocks}")
            p = p if skip_reduction else reduced_p
        for block in range(num_blocks):
            x, p = _normal_cell(x, p, width, f"{stage * num_blocks + block + (stage > 0)}")
    x = layers.Activation("relu")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    else:
        x = imagenet_utils.pooled_or_classified(x, False, pooling, classes, None,
                                                pool_names=(None, None))
    model = Functional(inputs, x, name=name)
    if weights == "imagenet" and default_size not in _FILES:
        raise ValueError("ImageNet weights can only be loaded with NASNetLarge or "
                         "NASNetMobile")

    def imagenet_file():
        file_name, url_name, file_hash = _FILES[default_size][bool(include_top)]
        return file_name, _BASE + url_name, file_hash

    imagenet_utils.load_weights(model, weights, imagenet_file)
    return model


def NASNetMobile(input_shape=None, include_top=True, weights="imagenet",  # noqa: N802
                 input_tensor=None, pooling=None, classes=1000,
                 classifier_activation="softmax", name="nasnet_mobile"):
    """NASNet-A Mobile (4 @ 1056); ImageNet weights for 224x224 inputs."""
    return _nasnet(input_shape, 1056, 4, 32, False, include_top, weights, input_tensor,
                   pooling, classes, 224, classifier_activation, name)


def NASNetLarge(input_shape=None, include_top=True, weights="imagenet",  # noqa: N802
                input_tensor=None, pooling=None, classes=1000,
                classifier_activation="softmax", name="nasnet_large"):
    """NASNet-A Large (6 @ 4032); ImageNet weights for 331x331 inputs."""
    return _nasnet(input_shape, 4032, 6, 96, True, include_top, weights, input_tensor,
                   pooling, classes, 331, classifier_activation, name)


def preprocess_input(x, data_format=None):
    """Scaled to [-1, 1]."""
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


decode_predictions = imagenet_utils.decode_predictions
