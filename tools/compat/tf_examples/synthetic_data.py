"""Synthetic stand-ins for the datasets the corpus programs download.

The programs expect MNIST through two doors: TF 1's
``tensorflow.examples.tutorials.mnist.input_data.read_data_sets`` and
``keras.datasets.*.load_data``.  The machine running the corpus has no network, so
both are served from a deterministic synthetic set: each class is a fixed random
28x28 template plus noise, so a model can learn it and accuracy figures mean
something.  Sizes are small on purpose (the runner caps training steps too).
"""

from __future__ import annotations

import types

import numpy as np

TRAIN_SIZE = 2000
VALIDATION_SIZE = 200
TEST_SIZE = 500


def mnist_arrays(count: int, seed: int, side: int = 28, channels: int = 0):
    """``count`` uint8 images ``[count, side, side(, channels)]`` and uint8 labels."""
    rng = np.random.RandomState(seed)
    templates = np.random.RandomState(1234).rand(10, side, side, max(channels, 1))
    labels = rng.randint(0, 10, size=count).astype(np.uint8)
    noise = rng.rand(count, side, side, max(channels, 1))
    images = (0.7 * templates[labels] + 0.3 * noise) * 255.0
    images = images.astype(np.uint8)
    if not channels:
        images = images[..., 0]
    return images, labels


class DataSet:
    """TF 1's ``input_data.DataSet``: flat float images in [0, 1], ``next_batch``."""

    def __init__(self, images, labels, one_hot: bool, reshape: bool = True,
                 dtype=np.float32):
        if reshape:
            images = images.reshape(images.shape[0], -1)
        if np.dtype(getattr(dtype, "as_numpy_dtype", dtype)) == np.float32:
            images = images.astype(np.float32) / 255.0
        self._images = images
        self._labels = np.eye(10, dtype=np.float64)[labels] if one_hot else labels.astype(
            np.int64)
        self._num_examples = images.shape[0]
        self._index = 0
        self._epochs_completed = 0
        self._order = np.arange(self._num_examples)

    images = property(lambda self: self._images)
    labels = property(lambda self: self._labels)
    num_examples = property(lambda self: self._num_examples)
    epochs_completed = property(lambda self: self._epochs_completed)

    def next_batch(self, batch_size: int, fake_data: bool = False, shuffle: bool = True):
        """The next ``batch_size`` examples, reshuffled at each epoch's start."""
        if self._index == 0 and shuffle:
            np.random.shuffle(self._order)
        if self._index + batch_size > self._num_examples:
            self._epochs_completed += 1
            self._index = 0
            if shuffle:
                np.random.shuffle(self._order)
        chosen = self._order[self._index:self._index + batch_size]
        self._index += batch_size
        return self._images[chosen], self._labels[chosen]


def read_data_sets(train_dir=None, fake_data=False, one_hot=False, dtype=np.float32,
                   reshape=True, validation_size=VALIDATION_SIZE, seed=None, **_ignored):
    """``input_data.read_data_sets`` over the synthetic digits."""
    train_x, train_y = mnist_arrays(TRAIN_SIZE + VALIDATION_SIZE, seed=1)
    test_x, test_y = mnist_arrays(TEST_SIZE, seed=2)
    cut = min(validation_size, VALIDATION_SIZE)
    return types.SimpleNamespace(
        train=DataSet(train_x[cut:], train_y[cut:], one_hot, reshape, dtype),
        validation=DataSet(train_x[:cut], train_y[:cut], one_hot, reshape, dtype),
        test=DataSet(test_x, test_y, one_hot, reshape, dtype))


def keras_load_data(side: int = 28, channels: int = 0):
    """A ``load_data`` for ``keras.datasets``: ``(x_train, y_train), (x_test, y_test)``."""

    def load_data(*_args, **_kwargs):
        x_train, y_train = mnist_arrays(TRAIN_SIZE, seed=1, side=side, channels=channels)
        x_test, y_test = mnist_arrays(TEST_SIZE, seed=2, side=side, channels=channels)
        if channels:  # CIFAR's labels are [N, 1]
            y_train, y_test = y_train[:, None], y_test[:, None]
        return (x_train, y_train), (x_test, y_test)

    return load_data


def boston_housing_load_data(*_args, **_kwargs):
    """13 features per house, the price a noisy linear function of them."""
    rng = np.random.RandomState(3)
    x = rng.rand(506, 13) * 10.0
    y = x @ rng.rand(13) + rng.randn(506)
    return (x[:404], y[:404]), (x[404:], y[404:])


KERAS_DATASETS = {
    "boston_housing": boston_housing_load_data,
    "mnist": keras_load_data(),
    "fashion_mnist": keras_load_data(),
    "cifar10": keras_load_data(side=32, channels=3),
    "cifar100": keras_load_data(side=32, channels=3),
}


# --- tensorflow_datasets ------------------------------------------------------------------
# The image classification sets the corpus loads with ``tfds.load``: (side, channels,
# classes, label names).  Other names raise, as a download would fail.
TFDS_IMAGE_SETS = {
    "mnist": (28, 1, [str(i) for i in range(10)]),
    "fashion_mnist": (28, 1, ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                              "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]),
    "cifar10": (32, 3, ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                        "horse", "ship", "truck"]),
}
TFDS_SPLIT_SIZES = {"train": 600, "test": 100}


def _tfds_split(name: str, split: str):
    """Images and labels of ``split`` (``"train"``, ``"test[:10%]"``...) of ``name``."""
    side, channels, names = TFDS_IMAGE_SETS[name]
    base, _, slicing = split.partition("[")
    size = TFDS_SPLIT_SIZES.get(base)
    if size is None:
        raise ValueError(f"Unknown split {split!r} of synthetic {name}")
    images, labels = mnist_arrays(size, seed=1 if base == "train" else 2, side=side,
                                  channels=channels)
    labels = labels.astype(np.int64) % len(names)
    if slicing:
        start, _, stop = slicing.rstrip("]").partition(":")

        def position(text, default):
            if not text:
                return default
            return int(size * float(text[:-1]) / 100) if text.endswith("%") else int(text)

        images = images[position(start, 0):position(stop, size)]
        labels = labels[position(start, 0):position(stop, size)]
    return images, labels


def tfds_module():
    """A ``tensorflow_datasets`` stand-in: ``load`` over synthetic image sets."""
    module = types.ModuleType("tensorflow_datasets")

    def load(name, split=None, as_supervised=False, with_info=False, **_ignored):
        import tensorflow as tf

        name = name.split(":")[0]
        if name not in TFDS_IMAGE_SETS:
            raise ConnectionError(f"synthetic tensorflow_datasets has no {name!r} (a "
                                  f"download is needed)")
        splits = split if split is not None else list(TFDS_SPLIT_SIZES)

        def dataset(one):
            images, labels = _tfds_split(name, one)
            data = (images, labels) if as_supervised else {"image": images,
                                                           "label": labels}
            return tf.data.Dataset.from_tensor_slices(data)

        if isinstance(splits, str):
            result = dataset(splits)
        elif split is None:
            result = {one: dataset(one) for one in splits}
        else:
            result = [dataset(one) for one in splits]
        if not with_info:
            return result
        side, channels, names = TFDS_IMAGE_SETS[name]
        label = types.SimpleNamespace(names=names, num_classes=len(names),
                                      int2str=lambda i: names[int(i)])
        info = types.SimpleNamespace(
            name=name, features={"label": label, "image": types.SimpleNamespace(
                shape=(side, side, channels))},
            splits={one: types.SimpleNamespace(num_examples=size)
                    for one, size in TFDS_SPLIT_SIZES.items()})
        return result, info

    module.load = load
    module.disable_progress_bar = lambda: None
    module.Split = types.SimpleNamespace(TRAIN="train", TEST="test")
    return module


def write_notmnist_pickle(path: str) -> None:
    """``notMNIST.pickle`` as Udacity's course writes it: letters A-J as 28x28 float
    images in [-0.5, 0.5] with int labels, in train/valid/test sets."""
    import pickle

    def split(count, seed):
        images, labels = mnist_arrays(count, seed=seed)
        return images.astype(np.float32) / 255.0 - 0.5, labels.astype(np.int32)

    train_x, train_y = split(TRAIN_SIZE, 1)
    valid_x, valid_y = split(VALIDATION_SIZE, 2)
    test_x, test_y = split(VALIDATION_SIZE, 3)
    with open(path, "wb") as handle:
        pickle.dump({"train_dataset": train_x, "train_labels": train_y,
                     "valid_dataset": valid_x, "valid_labels": valid_y,
                     "test_dataset": test_x, "test_labels": test_y}, handle)
