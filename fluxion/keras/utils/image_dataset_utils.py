"""``keras.utils.image_dataset_from_directory``: a folder of images as a dataset.

Images are decoded and resized with Pillow, the optional extra ``fluxion-ml[image]``.
"""

from __future__ import annotations

import os

import numpy as np

from fluxion.io.tfrecord import path_str
from fluxion.keras import config
from fluxion.keras.utils import dataset_utils

ALLOWED_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"rgb": ("RGB", 3), "rgba": ("RGBA", 4), "grayscale": ("L", 1)}
_RESAMPLING = {"nearest": "NEAREST", "bilinear": "BILINEAR", "bicubic": "BICUBIC",
               "lanczos3": "LANCZOS", "lanczos5": "LANCZOS", "area": "BOX"}


def _pillow():
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("image_dataset_from_directory needs Pillow to decode images: "
                          "pip install 'fluxion-ml[image]' (or pip install pillow)") from error
    return Image


def image_dataset_from_directory(directory: str, labels="inferred",
                                 label_mode: str | None = "int", class_names=None,
                                 color_mode: str = "rgb", batch_size: int | None = 32,
                                 image_size=(256, 256), shuffle: bool = True,
                                 seed: int | None = None, validation_split: float | None = None,
                                 subset: str | None = None, interpolation: str = "bilinear",
                                 follow_links: bool = False, crop_to_aspect_ratio: bool = False,
                                 pad_to_aspect_ratio: bool = False, data_format=None,
                                 verbose: bool = True):
    """A dataset of ``(images, labels)`` from a folder of image files (Keras 3 API).

    PNG, JPEG, BMP and GIF files (first frame) are decoded with Pillow and resized to
    ``image_size``; images are ``float32`` with values 0-255.

    Args:
      directory, labels, label_mode, class_names, batch_size, shuffle, seed,
        validation_split, subset, follow_links, verbose: as for
        ``text_dataset_from_directory``.
      color_mode: ``"rgb"`` (3 channels), ``"rgba"`` (4) or ``"grayscale"`` (1).
      image_size: ``(height, width)`` of the output images.
      interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"area"``,
        ``"lanczos3"`` or ``"lanczos5"``.
      crop_to_aspect_ratio: center-crop to the target aspect ratio before resizing.
      pad_to_aspect_ratio: zero-pad to the target aspect ratio before resizing.
      data_format: ``"channels_last"`` or ``"channels_first"`` (default: Keras config).

    Returns:
      A ``Dataset`` with a ``class_names`` attribute (or a list of two with ``"both"``).
    """
    image_module = _pillow()
    if color_mode not in _CHANNELS:
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. '
                         f"Received: color_mode={color_mode}")
    if interpolation not in _RESAMPLING:
        raise ValueError(f"`interpolation` must be one of {sorted(_RESAMPLING)}. Received: "
                         f"interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be "
                         "set to `True`.")
    if labels not in ("inferred", None) and label_mode is None:
        label_mode = "int"
    data_format = data_format or config.image_data_format()
    dataset_utils.check_validation_split(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, found, class_names = dataset_utils.index_directory(
        directory, labels, ALLOWED_FORMATS, class_names=class_names, shuffle=shuffle,
        seed=seed, follow_links=follow_links, verbose=verbose)
    dataset_utils.check_label_mode(labels, label_mode, class_names or [])
    if labels is None or label_mode is None:
        found = None
    loader = _ImageLoader(image_module, tuple(image_size), color_mode, interpolation,
                          crop_to_aspect_ratio, pad_to_aspect_ratio, data_format)
    subsets = ["training", "validation"] if subset == "both" else [subset]
    datasets = []
    for part in subsets:
        part_paths, part_labels = dataset_utils.take_subset(paths, found, validation_split,
                                                            part, verbose)
        if not part_paths:
            raise ValueError(f"No images found in directory {directory}. Allowed formats: "
                             f"{ALLOWED_FORMATS}")
        dataset = _images_dataset(part_paths, part_labels, label_mode,
                                  len(class_names or []), loader, shuffle, seed, batch_size)
        dataset.class_names = class_names
        dataset.file_paths = list(part_paths)
        datasets.append(dataset)
    return datasets if subset == "both" else datasets[0]


class _ImageLoader:
    """Decodes one file to a float32 array of the target size, mode and layout."""

    def __init__(self, image_module, size, color_mode, interpolation, crop, pad, data_format):
        self._image = image_module
        self._height, self._width = size
        self._mode, self._channels = _CHANNELS[color_mode]
        self._resample = getattr(image_module.Resampling, _RESAMPLING[interpolation])
        self._crop, self._pad = crop, pad
        self._channels_first = data_format == "channels_first"

    def __call__(self, path: str) -> np.ndarray:
        with self._image.open(path) as image:
            image = image.convert(self._mode)
            if self._crop or self._pad:
                image = self._fit_aspect(image)
            if image.size != (self._width, self._height):
                image = image.resize((self._width, self._height), self._resample)
            array = np.asarray(image, dtype=np.float32)
        array = array.reshape(self._height, self._width, self._channels)
        return np.ascontiguousarray(array.transpose(2, 0, 1)) if self._channels_first \
            else array

    def _fit_aspect(self, image):
        width, height = image.size
        target = self._width / self._height
        if self._crop:
            crop_w, crop_h = min(width, round(height * target)), min(height, round(width / target))
            left, top = (width - crop_w) // 2, (height - crop_h) // 2
            return image.crop((left, top, left + crop_w, top + crop_h))
        pad_w, pad_h = max(width, round(height * target)), max(height, round(width / target))
        canvas = self._image.new(self._mode, (pad_w, pad_h))
        canvas.paste(image, ((pad_w - width) // 2, (pad_h - height) // 2))
        return canvas


def _images_dataset(paths, labels, label_mode, num_classes, loader, shuffle, seed, batch_size):
    from fluxion.core.tensor import convert_to_tensor
    from fluxion.data import Dataset

    def read(path):
        return convert_to_tensor(loader(path_str(path)))

    source = np.array([os.fsencode(p) for p in paths], dtype=object)
    if labels is None:
        dataset = Dataset.from_tensor_slices(source)
    else:
        encoded = dataset_utils.encode_labels(labels, label_mode, num_classes)
        dataset = Dataset.from_tensor_slices((source, encoded))
    if shuffle:
        dataset = dataset.shuffle(batch_size * 8 if batch_size else 1024, seed=seed)
    dataset = dataset.map(read if labels is None else lambda path, label: (read(path), label))
    if batch_size is not None:
        dataset = dataset.batch(batch_size)
    return dataset.prefetch(-1)
