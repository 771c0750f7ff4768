"""What every ImageNet model of ``keras.applications`` shares: input shapes, the input
preprocessing of each family, ``decode_predictions`` and loading Keras's weight files.

The weight files are the ones Keras downloads (same URLs, same hashes), fetched with
``keras.utils.get_file`` into ``~/.keras/models`` and loaded by layer name.
"""

from __future__ import annotations

import json

import numpy as np

CLASS_INDEX_URL = ("https://storage.googleapis.com/download.tensorflow.org/"
                   "data/imagenet_class_index.json")
CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"
_class_index = None

_CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype="float32")
_TORCH_MEAN = np.array([0.485, 0.456, 0.406], dtype="float32")
_TORCH_STD = np.array([0.229, 0.224, 0.225], dtype="float32")


def preprocess_input(x, data_format=None, mode: str = "caffe"):
    """Scales a batch of RGB images in [0, 255] as a family's weights expect.

    ``mode``: ``"caffe"`` (RGB -> BGR, minus the ImageNet mean: VGG, ResNet),
    ``"tf"`` (to [-1, 1]: MobileNet, ResNetV2), ``"torch"`` (to [0, 1], then
    standardized per channel: DenseNet).  NumPy in, NumPy out; tensors in, tensors out.
    """
    if data_format not in (None, "channels_last"):
        raise ValueError(f"preprocess_input: only channels_last images are supported, got "
                         f"data_format={data_format!r}")
    if mode not in ("caffe", "tf", "torch"):
        raise ValueError(f"preprocess_input: mode must be 'caffe', 'tf' or 'torch', got "
                         f"{mode!r}")
    from fluxion.core.tensor import Tensor, convert_to_tensor

    is_tensor = isinstance(x, Tensor)
    array = np.asarray(x.numpy() if is_tensor else x)
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype("float32")
    if mode == "tf":
        out = array / 127.5 - 1.0
    elif mode == "torch":
        out = (array / 255.0 - _TORCH_MEAN) / _TORCH_STD
    else:
        out = array[..., ::-1] - _CAFFE_MEAN_BGR
    out = out.astype(array.dtype, copy=False)
    return convert_to_tensor(out) if is_tensor else out


def decode_predictions(preds, top: int = 5) -> list:
    """The ``top`` ImageNet classes of each prediction: ``[(class_id, name, score)]``.

    The class index is downloaded once (Keras's file and hash) into ``~/.keras/models``.
    """
    global _class_index
    preds = np.asarray(preds.numpy() if hasattr(preds, "numpy") else preds)
    if preds.ndim != 2 or preds.shape[1] != 1000:
        raise ValueError(f"decode_predictions expects a batch of predictions (a 2D array of "
                         f"shape (samples, 1000)). Found array with shape: {preds.shape}")
    if _class_index is None:
        from fluxion.keras.utils.file_utils import get_file

        path = get_file("imagenet_class_index.json", CLASS_INDEX_URL, cache_subdir="models",
                        file_hash=CLASS_INDEX_HASH)
        with open(path) as f:
            _class_index = json.load(f)
    results = []
    for row in preds:
        best = row.argsort()[-top:][::-1]
        results.append([tuple(_class_index[str(i)]) + (float(row[i]),) for i in best])
    return results


def obtain_input_shape(input_shape, default_size: int, min_size: int, require_flatten: bool,
                       weights) -> tuple:
    """The model's input shape (channels last), checked as Keras checks it."""
    if weights == "imagenet" and require_flatten and input_shape is not None and \
            tuple(input_shape) != (default_size, default_size, 3):
        raise ValueError(f"When setting `include_top=True` and loading `imagenet` weights, "
                         f"`input_shape` should be {(default_size, default_size, 3)}. "
                         f"Received: input_shape={input_shape}")
    if input_shape is None:
        return (default_size, default_size, 3) if require_flatten or weights == "imagenet" \
            else (None, None, 3)
    input_shape = tuple(input_shape)
    if len(input_shape) != 3:
        raise ValueError(f"`input_shape` must be a tuple of three integers (height, width, "
                         f"channels). Received: input_shape={input_shape}")
    if weights == "imagenet" and input_shape[-1] != 3:
        raise ValueError(f"The input must have 3 channels; Received `input_shape={input_shape}`")
    for size in input_shape[:2]:
        if size is not None and size < min_size:
            raise ValueError(f"Input size must be at least {min_size}x{min_size}; Received: "
                             f"input_shape={input_shape}")
    if require_flatten and None in input_shape[:2]:
        raise ValueError(f"If `include_top` is True, you should specify a static "
                         f"`input_shape`. Received: input_shape={input_shape}")
    return input_shape


def check_arguments(weights, include_top: bool, classes: int, classifier_activation) -> None:
    import os

    if not (weights in {"imagenet", None} or (isinstance(weights, str) and
                                                os.path.exists(weights))):
        raise ValueError(f"The `weights` argument should be either `None` (random "
                         f"initialization), 'imagenet' (pre-training on ImageNet), or the path "
                         f"to the weights file to be loaded. Received: weights={weights}")
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(f"If using `weights='imagenet'` with `include_top=True`, `classes` "
                         f"should be 1000. Received classes={classes}")
    if weights == "imagenet" and include_top and classifier_activation not in {"softmax", None}:
        raise ValueError(f"Only `None` and `softmax` activations are allowed for the "
                         f"`classifier_activation` argument when using pretrained weights, "
                         f"with `include_top=True`; Received: "
                         f"classifier_activation={classifier_activation}")


def model_input(input_tensor, input_shape):
    """``(input for the layers, inputs of the Model)`` from ``input_tensor``/``input_shape``."""
    from fluxion.keras.engine.keras_tensor import KerasTensor
    from fluxion.keras.layers.input_layer import Input
    from fluxion.keras.utils import get_source_inputs

    if input_tensor is None:
        image = Input(shape=input_shape)
        return image, image
    image = input_tensor if isinstance(input_tensor, KerasTensor) else \
        Input(tensor=input_tensor, shape=input_shape)
    return image, get_source_inputs(image)


def load_weights(model, weights, imagenet_file) -> None:
    """Loads ``weights``: None, a local file, or 'imagenet' (``imagenet_file()`` gives the
    ``(file name, URL, hash)`` Keras downloads)."""
    if weights is None:
        return
    if weights == "imagenet":
        from fluxion.keras.utils.file_utils import get_file

        name, url, file_hash = imagenet_file()
        weights = get_file(name, url, cache_subdir="models", file_hash=file_hash)
    model.load_weights(weights)


def pooled_or_classified(x, include_top: bool, pooling, classes: int, classifier_activation,
                         flatten_top=None, pool_names=("avg_pool", "max_pool")):
    """The common head: a classifier, or global average / max pooling, or nothing."""
    from fluxion.keras import layers

    if include_top:
        x = flatten_top(x) if flatten_top else layers.GlobalAveragePooling2D(
            name=pool_names[0])(x)
        return layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    if pooling == "avg":
        return layers.GlobalAveragePooling2D(name=pool_names[0])(x)
    if pooling == "max":
        return layers.GlobalMaxPooling2D(name=pool_names[1])(x)
    return x


def average_pooled_model(x, inputs, name: str, include_top: bool, pooling, classes: int,
                         classifier_activation, weights, base_url: str, files: dict):
    """Xception's and the Inception family's ending: a classifier after an average pool
    named ``avg_pool`` (or the requested unnamed pooling), the model, and its weights;
    ``files[include_top]`` is the ``(file name, hash)`` of the ImageNet file under
    ``base_url``."""
    from fluxion.keras import layers
    from fluxion.keras.models.functional import Functional

    x = pooled_or_classified(x, include_top, pooling, classes, classifier_activation,
                             pool_names=(None, None),
                             flatten_top=layers.GlobalAveragePooling2D(name="avg_pool"))
    model = Functional(inputs, x, name=name)
    file_name, file_hash = files[bool(include_top)]
    load_weights(model, weights, lambda: (file_name, base_url + file_name, file_hash))
    return model


def correct_pad(inputs, kernel_size) -> tuple:
    """The zero padding that makes a strided 'valid' convolution match TF's 'same'."""
    size = inputs.shape[1:3]
    kernel = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
    adjust = (1, 1) if size[0] is None else (1 - size[0] % 2, 1 - size[1] % 2)
    correct = (kernel[0] // 2, kernel[1] // 2)
    return ((correct[0] - adjust[0], correct[0]), (correct[1] - adjust[1], correct[1]))
