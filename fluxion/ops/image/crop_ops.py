"""Cropping and padding images: ``central_crop``, ``crop_to_bounding_box``,
``pad_to_bounding_box``, ``resize_with_crop_or_pad``, ``resize_with_pad``,
``crop_and_resize``, ``random_crop``, ``stateless_random_crop``.

All are slices, pads, gathers and lerps of Fluxion ops, so gradients flow to the image
(and, for ``crop_and_resize``, to the boxes) without code of their own.
"""

from __future__ import annotations

import numpy as np

from fluxion.core import dtypes
from fluxion.core.errors import op_error
from fluxion.core.primitives.elementwise import cast, floor, select
from fluxion.core.primitives.image_place import pad_resize_layout, place_p, resize_pad_p
from fluxion.core.primitives.subscript import getitem
from fluxion.core.tensor import Tensor, convert_to_tensor, shape_tuple
from fluxion.ops.array_ops import gather, unstack
from fluxion.ops.creation_ops import range as _range
from fluxion.ops.image.image_shapes import batched, static_hw, static_ints, unbatched
from fluxion.ops.image.resize_ops import resize
from fluxion.ops.math_ops import floormod, logical_and

__all__ = ["central_crop", "crop_to_bounding_box", "pad_to_bounding_box",
           "resize_with_crop_or_pad", "resize_with_pad", "crop_and_resize", "random_crop",
           "stateless_random_crop"]


def crop_to_bounding_box(image, offset_height, offset_width, target_height, target_width
                         ) -> Tensor:
    """The ``target_height x target_width`` window whose top-left corner is at the offsets.

    >>> crop_to_bounding_box(tf.zeros([4, 4, 1]), 1, 1, 2, 3).shape
    TensorShape([2, 3, 1])
    """
    images, added = batched("crop_to_bounding_box", image)
    height, width = shape_tuple(images)[1:3]  # may be unknown until run time
    top, left, rows, cols = (int(v) for v in (offset_height, offset_width, target_height,
                                              target_width))
    if top < 0 or left < 0 or rows <= 0 or cols <= 0:
        raise op_error(ValueError, "crop_to_bounding_box",
                       f"offsets must be >= 0 and targets > 0, got offsets ({top}, {left}), "
                       f"targets ({rows}, {cols})")
    if (height is not None and top + rows > height) or \
            (width is not None and left + cols > width):
        raise op_error(ValueError, "crop_to_bounding_box",
                       f"the box [{top}:{top + rows}, {left}:{left + cols}] exceeds the "
                       f"image of height {height} and width {width}")
    out = getitem(images, (slice(None), slice(top, top + rows), slice(left, left + cols)))
    return unbatched(out, added)


def pad_to_bounding_box(image, offset_height, offset_width, target_height, target_width
                        ) -> Tensor:
    """Pads with zeros to ``target_height x target_width``, the image at the offsets
    (which may be tensors; the image's size may be known only at run time)."""
    images, added = batched("pad_to_bounding_box", image)
    height, width = shape_tuple(images)[1:3]
    rows, cols = int(target_height), int(target_width)
    top = convert_to_tensor(offset_height, dtype=dtypes.int32)
    left = convert_to_tensor(offset_width, dtype=dtypes.int32)
    if top._value is not None and left._value is not None and None not in (height, width):
        t, lft = int(top._value), int(left._value)
        if t < 0 or lft < 0 or t + height > rows or lft + width > cols:
            raise op_error(ValueError, "pad_to_bounding_box",
                           f"an image of height {height} and width {width} at offsets ({t}, "
                           f"{lft}) does not fit in a {rows} x {cols} target")
    out = place_p.bind(images, top, left, height=rows, width=cols)
    return unbatched(out, added)


def central_crop(image, central_fraction) -> Tensor:
    """The centre region keeping ``central_fraction`` (in (0, 1]) of each side."""
    fraction = float(central_fraction)
    if not 0.0 < fraction <= 1.0:
        raise op_error(ValueError, "central_crop", f"central_fraction must be in (0, 1], got "
                                                   f"{fraction}")
    images, added = batched("central_crop", image)
    if fraction == 1.0:
        return unbatched(images, added)
    height, width = shape_tuple(images)[1:3]
    if height is None or width is None:  # sizes known only at run time: a dynamic slice
        from fluxion.ops.array_ops import slice as slice_
        from fluxion.ops.array_ops import stack
        from fluxion.ops.creation_ops import shape as shape_of

        dims = shape_of(images, out_type=dtypes.int32)
        sides = cast(dims[1:3], dtypes.float64)
        start = cast((sides - sides * fraction) / 2.0, dtypes.int32)
        extent = dims[1:3] - 2 * start
        zero, whole = Tensor(np.int32(0)), Tensor(np.int32(-1))
        out = slice_(images, stack([zero, start[0], start[1], zero]),
                     stack([whole, extent[0], extent[1], whole]))
        return unbatched(out, added)
    top = int((height - height * fraction) / 2)
    left = int((width - width * fraction) / 2)
    out = crop_to_bounding_box(images, top, left, height - 2 * top, width - 2 * left)
    return unbatched(out, added)


def resize_with_crop_or_pad(image, target_height, target_width) -> Tensor:
    """Centre-crops and/or zero-pads (evenly on both sides) to the target size."""
    images, added = batched("resize_with_crop_or_pad", image)
    height, width = shape_tuple(images)[1:3]
    rows, cols = int(target_height), int(target_width)
    if rows <= 0 or cols <= 0:
        raise op_error(ValueError, "resize_with_crop_or_pad",
                       f"target sizes must be positive, got ({rows}, {cols})")
    if height is None or width is None:
        return unbatched(_crop_or_pad_dynamic(images, rows, cols), added)
    crop_top, crop_left = max(0, (height - rows) // 2), max(0, (width - cols) // 2)
    pad_top, pad_left = max(0, (rows - height) // 2), max(0, (cols - width) // 2)
    cropped = crop_to_bounding_box(images, crop_top, crop_left, min(rows, height),
                                   min(cols, width))
    out = pad_to_bounding_box(cropped, pad_top, pad_left, rows, cols)
    return unbatched(out, added)


def _crop_or_pad_dynamic(images: Tensor, rows: int, cols: int) -> Tensor:
    """``resize_with_crop_or_pad`` when the image size is known only at run time."""
    from fluxion.ops.array_ops import slice as slice_
    from fluxion.ops.array_ops import stack
    from fluxion.ops.creation_ops import shape as shape_of
    from fluxion.ops.math_ops import maximum, minimum

    dims = shape_of(images, out_type=dtypes.int32)
    target = Tensor(np.asarray([rows, cols], np.int32))
    sides = dims[1:3]
    crop_start = maximum(sides - target, 0) // 2
    kept = minimum(sides, target)
    zero, whole = Tensor(np.int32(0)), Tensor(np.int32(-1))
    cropped = slice_(images, stack([zero, crop_start[0], crop_start[1], zero]),
                     stack([whole, kept[0], kept[1], whole]))
    pad_start = maximum(target - sides, 0) // 2
    return place_p.bind(cropped, pad_start[0], pad_start[1], height=rows, width=cols)


def resize_with_pad(image, target_height, target_width, method="bilinear",
                    antialias=False) -> Tensor:
    """Resizes keeping the aspect ratio, then zero-pads evenly to the target size."""
    images, added = batched("resize_with_pad", image)
    height, width = shape_tuple(images)[1:3]
    rows, cols = int(target_height), int(target_width)
    if height is None or width is None:
        method = str(method).lower()
        if method != "nearest" and images.dtype is not dtypes.float32:
            images = cast(images, dtypes.float32)
        out = resize_pad_p.bind(images, rows=rows, cols=cols, method=method,
                                antialias=bool(antialias))
        return unbatched(out, added)
    new_height, new_width, top, left = pad_resize_layout(height, width, rows, cols)
    resized = resize(images, [new_height, new_width], method=method, antialias=antialias)
    out = pad_to_bounding_box(resized, top, left, rows, cols)
    return unbatched(out, added)


def _sample_positions(start: Tensor, end: Tensor, count: int, size: int) -> Tensor:
    """``[boxes, count]`` sampling positions along one axis, in pixels."""
    span = float(size - 1)
    if count > 1:
        steps = cast(_range(count), start.dtype)[None, :]
        return start[:, None] * span + steps * ((end - start) * (span / (count - 1)))[:, None]
    return (0.5 * (start + end) * span)[:, None]


def crop_and_resize(image, boxes, box_indices, crop_size, method="bilinear",
                    extrapolation_value=0.0, name=None) -> Tensor:
    """Crops boxes out of a batch and resizes each to ``crop_size``.

    Args:
      image: ``[batch, height, width, channels]``.
      boxes: ``[num_boxes, 4]`` normalised ``[y1, x1, y2, x2]`` (``y1 > y2`` flips).
      box_indices: ``[num_boxes]`` int, the image each box is cut from.
      crop_size: ``[crop_height, crop_width]``.
      method: ``"bilinear"`` or ``"nearest"``.
      extrapolation_value: the value of samples outside the image.

    Returns:
      float32 ``[num_boxes, crop_height, crop_width, channels]``.
    """
    out = crop_and_resize_float(image, boxes, box_indices, crop_size, method,
                                extrapolation_value)
    return cast(out, dtypes.float32)


def crop_and_resize_float(image, boxes, box_indices, crop_size, method="bilinear",
                          extrapolation_value=0.0) -> Tensor:
    """``crop_and_resize`` in the image's own floating dtype (float64 stays float64)."""
    images = convert_to_tensor(image)
    if images.ndim != 4:
        raise op_error(ValueError, "crop_and_resize", f"image must be 4-D, got shape "
                                                      f"{list(shape_tuple(images))}")
    if method not in ("bilinear", "nearest"):
        raise op_error(ValueError, "crop_and_resize", f"method must be 'bilinear' or "
                                                      f"'nearest', got {method!r}")
    if images.dtype is not dtypes.float32 and images.dtype is not dtypes.float64:
        images = cast(images, dtypes.float32)
    boxes = convert_to_tensor(boxes, dtype=images.dtype)
    box_indices = convert_to_tensor(box_indices)
    crop_height, crop_width = static_ints("crop_and_resize", "crop_size", crop_size, 2)
    height, width = static_hw("crop_and_resize", images)
    y1, x1, y2, x2 = unstack(boxes, axis=1)
    ys = _sample_positions(y1, y2, crop_height, height)           # [n, crop_height]
    xs = _sample_positions(x1, x2, crop_width, width)             # [n, crop_width]
    crops = gather(images, box_indices)                           # [n, H, W, C]
    if method == "nearest":
        ys_idx = _clamped_index(_round_half_away(ys), height)
        xs_idx = _clamped_index(_round_half_away(xs), width)
        out = gather(gather(crops, ys_idx, axis=1, batch_dims=1), xs_idx, axis=2,
                     batch_dims=1)
    else:
        out = _lerp_axis(crops, ys, height, axis=1)
        out = _lerp_axis(out, xs, width, axis=2)
    inside_y = logical_and(ys >= 0.0, ys <= float(height - 1))[:, :, None, None]
    inside_x = logical_and(xs >= 0.0, xs <= float(width - 1))[:, None, :, None]
    fill = Tensor(np.asarray(extrapolation_value, images.dtype.np_dtype))
    return select(logical_and(inside_y, inside_x), out, fill)


def _round_half_away(x: Tensor) -> Tensor:
    return select(x >= 0.0, floor(x + 0.5), -floor(-x + 0.5))


def _clamped_index(positions: Tensor, size: int) -> Tensor:
    from fluxion.ops.clip_ops import clip_by_value

    return cast(clip_by_value(positions, 0.0, float(size - 1)), dtypes.int32)


def _lerp_axis(images: Tensor, positions: Tensor, size: int, axis: int) -> Tensor:
    """Linear interpolation of ``images`` along ``axis`` at per-box ``positions``."""
    lower = floor(positions)
    frac = positions - lower
    low = gather(images, _clamped_index(lower, size), axis=axis, batch_dims=1)
    high = gather(images, _clamped_index(lower + 1.0, size), axis=axis, batch_dims=1)
    frac = frac[:, :, None, None] if axis == 1 else frac[:, None, :, None]
    return low + (high - low) * frac


def _random_window(op: str, value, size, draw) -> Tensor:
    """A ``size`` window of ``value`` at offsets drawn by ``draw(shape)`` (int32 in
    [0, 2^31 - 1)); works when ``value``'s shape is only known at run time."""
    from fluxion.ops.array_ops import slice as slice_
    from fluxion.ops.creation_ops import shape as shape_of

    value = convert_to_tensor(value)
    rank = value.ndim
    size = static_ints(op, "size", size, rank)
    known = shape_tuple(value)
    if any(d is not None and s > d for s, d in zip(size, known)):
        raise op_error(ValueError, op, f"size {size} exceeds the value's shape {list(known)}")
    limits = shape_of(value, out_type=dtypes.int32) - Tensor(np.asarray(size, np.int32)) + 1
    offsets = floormod(draw([rank]), limits)
    return slice_(value, offsets, size)


def random_crop(value, size, seed=None, name=None) -> Tensor:
    """A random ``size`` window of ``value`` (any rank), uniformly placed."""
    from fluxion.ops.random_ops import uniform

    return _random_window("random_crop", value, size,
                          lambda shape: uniform(shape, 0, 2 ** 31 - 1, dtype=dtypes.int32,
                                                seed=seed))


def stateless_random_crop(value, size, seed, name=None) -> Tensor:
    """``random_crop`` as a pure function of ``seed`` (shape [2])."""
    from fluxion.ops.random_ops import stateless_uniform

    return _random_window("stateless_random_crop", value, size,
                          lambda shape: stateless_uniform(shape, seed, 0, 2 ** 31 - 1,
                                                          dtype=dtypes.int32))
