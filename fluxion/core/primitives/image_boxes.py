"""``draw_bounding_boxes``: box outlines drawn onto a copy of each image, one colour
per box from a palette (TF's default when none is given).  No gradient, as in TF.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import define

_DEFAULT_COLORS = np.array([[1, 1, 0, 1], [0, 0, 1, 1], [1, 0, 0, 1], [0, 1, 0, 1],
                            [0.5, 0, 0.5, 1], [0.5, 0.5, 0, 1], [0.5, 0, 0, 1], [0, 0, 0.5, 1],
                            [0, 1, 1, 1], [1, 0, 1, 1]], np.float32)


def _draw_kernel(images, boxes, colors):
    out = images.copy()
    batch, height, width, channels = out.shape
    palette = colors if colors.size else _DEFAULT_COLORS
    for b in range(batch):
        for n, box in enumerate(boxes[b]):
            color = palette[n % len(palette)][:channels].astype(out.dtype)
            top = int(box[0] * (height - 1))
            left = int(box[1] * (width - 1))
            bottom = int(box[2] * (height - 1))
            right = int(box[3] * (width - 1))
            if top > bottom or left > right or top >= height or left >= width or \
                    bottom < 0 or right < 0:
                continue
            row_lo, row_hi = max(top, 0), min(bottom, height - 1)
            col_lo, col_hi = max(left, 0), min(right, width - 1)
            if 0 <= top < height:
                out[b, top, col_lo:col_hi + 1] = color
            if 0 <= bottom < height:
                out[b, bottom, col_lo:col_hi + 1] = color
            if 0 <= left < width:
                out[b, row_lo:row_hi + 1, left] = color
            if 0 <= right < width:
                out[b, row_lo:row_hi + 1, right] = color
    return out


draw_bounding_boxes_p = define(
    "draw_bounding_boxes", _draw_kernel, lambda images, boxes, colors: images,
    fresh_output=True, doc="Draws box outlines onto images (no gradient, as in TF).")
