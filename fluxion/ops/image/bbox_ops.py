"""Random crops that keep objects in view: ``sample_distorted_bounding_box`` and its
stateless variant (the Inception-style augmentation).

Sampling is a loop of rejection trials over Python numbers; the randomness comes from a
NumPy generator seeded by Fluxion's random ops (the global seed and op ``seed``, or the
stateless ``seed``), so runs are reproducible.  The results are small int and float
tensors, as in TensorFlow.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.tensor import Tensor, convert_to_tensor

__all__ = ["sample_distorted_bounding_box", "stateless_sample_distorted_bounding_box"]


def _random_crop(rng, width: int, height: int, min_area: float, max_area: float,
                 aspect: float):
    min_height = int(round(math.sqrt(min_area / aspect)))
    max_height = int(round(math.sqrt(max_area / aspect)))
    if max_height * aspect > width:
        max_height = int((width + 0.5 - 1e-7) / aspect)
    max_height = min(max_height, height)
    min_height = min(min_height, max_height)
    if min_height < max_height:
        min_height += int(rng.integers(0, max_height - min_height + 1))
    crop_h = min_height
    crop_w = int(round(crop_h * aspect))
    if crop_w * crop_h < min_area:
        crop_h += 1
        crop_w = int(round(crop_h * aspect))
    area = crop_w * crop_h
    if area < min_area or area > max_area or not (0 < crop_w <= width and 0 < crop_h <= height):
        return None
    top = int(rng.integers(0, height - crop_h + 1))
    left = int(rng.integers(0, width - crop_w + 1))
    return top, left, crop_h, crop_w


def _covers(crop, boxes: np.ndarray, minimum: float) -> bool:
    if not len(boxes):
        return True
    top, left, crop_h, crop_w = crop
    for y1, x1, y2, x2 in boxes:
        area = (y2 - y1) * (x2 - x1)
        if area <= 0:
            continue
        inter_h = max(0.0, min(top + crop_h, y2) - max(top, y1))
        inter_w = max(0.0, min(left + crop_w, x2) - max(left, x1))
        if inter_h * inter_w / area >= minimum:
            return True
    return False


def _sample(op, rng, image_size, bounding_boxes, min_object_covered, aspect_ratio_range,
            area_range, max_attempts, use_image_if_no_bounding_boxes):
    size = np.asarray(convert_to_tensor(image_size)._value)
    if size.shape != (3,):
        raise op_error(ValueError, op, f"image_size must be [height, width, channels], got "
                                       f"{size.tolist()}")
    height, width = int(size[0]), int(size[1])
    boxes = np.asarray(convert_to_tensor(bounding_boxes, dtype=dtypes.float32)._value,
                       np.float64).reshape(-1, 4)
    if not len(boxes):
        if not use_image_if_no_bounding_boxes:
            raise op_error(ValueError, op, "no bounding boxes given; pass some or set "
                                           "use_image_if_no_bounding_boxes=True")
        boxes = np.array([[0.0, 0.0, 1.0, 1.0]])
    pixels = boxes * np.array([height, width, height, width])
    low_ratio, high_ratio = (float(v) for v in aspect_ratio_range)
    low_area, high_area = (float(v) for v in area_range)
    if not (0 < low_ratio <= high_ratio) or not (0 < low_area <= high_area <= 1):
        raise op_error(ValueError, op, f"expected 0 < aspect_ratio_range[0] <= [1] and "
                                       f"0 < area_range[0] <= [1] <= 1, got "
                                       f"{aspect_ratio_range} and {area_range}")
    crop = None
    for _ in range(int(max_attempts)):
        aspect = rng.uniform(low_ratio, high_ratio)
        trial = _random_crop(rng, width, height, low_area * width * height,
                             high_area * width * height, aspect)
        if trial is not None and _covers(trial, pixels, float(min_object_covered)):
            crop = trial
            break
    top, left, crop_h, crop_w = crop if crop is not None else (0, 0, height, width)
    int_type = size.dtype
    begin = Tensor(np.asarray([top, left, 0], int_type))
    extent = Tensor(np.asarray([crop_h, crop_w, -1], int_type))
    box = Tensor(np.asarray([[[top / height, left / width, (top + crop_h) / height,
                               (left + crop_w) / width]]], np.float32))
    return begin, extent, box


def sample_distorted_bounding_box(image_size, bounding_boxes, seed=None,
                                  min_object_covered=0.1, aspect_ratio_range=(0.75, 1.33),
                                  area_range=(0.05, 1.0), max_attempts=100,
                                  use_image_if_no_bounding_boxes=None, name=None):
    """A random crop ``(begin, size, bbox)`` of an image of ``image_size``: aspect ratio
    and area fraction drawn from the ranges, covering at least ``min_object_covered`` of
    one of ``bounding_boxes`` (``[batch, N, 4]`` normalised); the whole image after
    ``max_attempts`` failures.  Use ``tf.slice(image, begin, size)`` to cut it."""
    from fluxion.ops.random_ops import uniform

    draw = uniform([2], 0, 2 ** 31 - 1, dtype=dtypes.int32, seed=seed)
    rng = np.random.default_rng(np.asarray(draw._value, np.int64).tolist())
    return _sample("sample_distorted_bounding_box", rng, image_size, bounding_boxes,
                   min_object_covered, aspect_ratio_range, area_range, max_attempts,
                   use_image_if_no_bounding_boxes)


def stateless_sample_distorted_bounding_box(image_size, bounding_boxes, seed,
                                            min_object_covered=0.1,
                                            aspect_ratio_range=(0.75, 1.33),
                                            area_range=(0.05, 1.0), max_attempts=100,
                                            use_image_if_no_bounding_boxes=None, name=None):
    """``sample_distorted_bounding_box`` as a pure function of ``seed`` (shape [2])."""
    key = np.asarray(convert_to_tensor(seed)._value, np.int64).reshape(-1)
    if key.size != 2:
        raise op_error(ValueError, "stateless_sample_distorted_bounding_box",
                       f"seed must have shape [2], got {key.tolist()}")
    rng = np.random.default_rng([int(k) & 0xFFFFFFFF for k in key])
    return _sample("stateless_sample_distorted_bounding_box", rng, image_size,
                   bounding_boxes, min_object_covered, aspect_ratio_range, area_range,
                   max_attempts, use_image_if_no_bounding_boxes)
