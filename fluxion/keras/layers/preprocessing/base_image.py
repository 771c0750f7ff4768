"""The base of the image preprocessing layers (Keras 3's ``BaseImagePreprocessingLayer``).

A layer draws a random transformation (``get_random_transformation``) and applies it
(``transform_images``), the two steps Keras 3 exposes, so a transformation can also be
given by hand.  ``call`` takes a batch ``[B, H, W, C]``, a single image ``[H, W, C]``, or
a dict with ``"images"`` (``"labels"`` pass through).  ``training`` defaults to True, as in
Keras: calling a random layer directly augments; ``fit`` / ``predict`` pass the mode.
"""

from __future__ import annotations

from fluxion.keras.layers.preprocessing.data_layer import DataLayer
from fluxion.ops import array_ops


def standardize_data_format(data_format) -> str:
    if data_format is None:
        from fluxion.keras import config

        return config.image_data_format()
    data_format = str(data_format).lower()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"The `data_format` argument must be one of {{'channels_first', "
                         f"'channels_last'}}. Received: data_format={data_format}")
    return data_format


class BaseImagePreprocessingLayer(DataLayer):
    """Shared plumbing: the ``factor`` argument, data formats, batched/unbatched calls."""

    _USE_BASE_FACTOR = True
    _FACTOR_BOUNDS = (-1, 1)

    def __init__(self, factor=None, bounding_box_format=None, data_format=None, **kwargs):
        super().__init__(**kwargs)
        self.bounding_box_format = bounding_box_format
        self.data_format = standardize_data_format(data_format)
        if self._USE_BASE_FACTOR:
            self._set_factor(factor or 0.0)
        elif factor is not None:
            raise ValueError(f"Layer {type(self).__name__} does not take a `factor` argument. "
                             f"Received: factor={factor}")
        self.built = True

    def _set_factor(self, factor) -> None:
        low, high = self._FACTOR_BOUNDS
        message = (f"The `factor` argument should be a number (or a list of two numbers) in "
                   f"the range [{low}, {high}]. Received: factor={factor}")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or factor[0] > high or factor[1] < low:
                raise ValueError(message)
            lower, upper = sorted(factor)
        elif isinstance(factor, (int, float)):
            if factor < low or factor > high:
                raise ValueError(message)
            factor = abs(factor)
            lower, upper = max(-factor, low), factor
        else:
            raise ValueError(message)
        self.factor = lower, upper

    # --- the two steps ----------------------------------------------------------------------------
    def get_random_transformation(self, data, training=True, seed=None):
        return None

    def transform_images(self, images, transformation, training=True):
        raise NotImplementedError

    def transform_labels(self, labels, transformation, training=True):
        return labels

    # --- helpers for subclasses -------------------------------------------------------------------
    def _hw_axes(self) -> tuple[int, int]:
        return (-2, -1) if self.data_format == "channels_first" else (-3, -2)

    def _to_channels_last(self, images):

        if self.data_format != "channels_first":
            return images
        return array_ops.transpose(images, (0, 2, 3, 1) if len(images.shape) == 4 else (1, 2, 0))

    def _from_channels_last(self, images):

        if self.data_format != "channels_first":
            return images
        return array_ops.transpose(images, (0, 3, 1, 2) if len(images.shape) == 4 else (2, 0, 1))

    def _seed(self, seed):
        return self.generator.next() if seed is None else seed

    # --- call -------------------------------------------------------------------------------------
    def call(self, data, training=True):
        images = data["images"] if isinstance(data, dict) else data
        if len(images.shape) not in (3, 4):
            raise ValueError(f"Expected image tensor to have rank 3 (single image) or 4 "
                             f"(batch of images). Received: data.shape={tuple(images.shape)}")
        transformation = self.get_random_transformation(images, training=training)
        output = self.transform_images(images, transformation, training=training)
        if not isinstance(data, dict):
            return output
        if "bounding_boxes" in data or "segmentation_masks" in data:
            raise NotImplementedError(f"{type(self).__name__}: bounding boxes and segmentation "
                                      f"masks are not supported yet; pass images (and labels).")
        result = dict(data)
        result["images"] = output
        if "labels" in data:
            result["labels"] = self.transform_labels(data["labels"], transformation, training)
        return result

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format}
