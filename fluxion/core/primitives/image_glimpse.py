"""``extract_glimpse``: windows of ``size`` cut from each image at given offsets
(centred and normalised or not), filled outside the image with zeros or noise.

The noise draws from the seed input, so the node advances a random stream
(``effect="writes_state"``).  No gradient, as in TF.
"""

from __future__ import annotations

import numpy as np

from fluxion.core.primitive import Aval, define


def _glimpse_kernel(images, offsets, seed, *, size, centered, normalized, noise):
    batch, height, width, channels = images.shape
    rows, cols = size
    rng = np.random.default_rng(np.asarray(seed, np.int64).tolist())
    out = np.zeros((batch, rows, cols, channels), images.dtype)
    for b in range(batch):
        y, x = (float(v) for v in offsets[b])
        if normalized:
            y, x = y * height / 2 if centered else y * height, x * width / 2 if centered \
                else x * width
        if centered:
            y, x = y + height / 2, x + width / 2
            if normalized:  # a normalised centre names the window's middle
                y, x = y - rows / 2, x - cols / 2
        top, left = int(y), int(x)  # truncation toward zero, as TF
        image = images[b]
        if noise == "uniform":
            fill = rng.uniform(image.min(axis=(0, 1)), image.max(axis=(0, 1)),
                               (rows, cols, channels))
        elif noise == "gaussian":
            fill = rng.normal(image.mean(axis=(0, 1)), image.std(axis=(0, 1)),
                              (rows, cols, channels))
        else:
            fill = np.zeros((rows, cols, channels))
        window = fill.astype(images.dtype)
        r0, r1 = max(top, 0), min(top + rows, height)
        c0, c1 = max(left, 0), min(left + cols, width)
        if r0 < r1 and c0 < c1:
            window[r0 - top:r1 - top, c0 - left:c1 - left] = image[r0:r1, c0:c1]
        out[b] = window
    return out


def _glimpse_rule(images: Aval, offsets: Aval, seed: Aval, *, size, centered, normalized,
                  noise) -> Aval:
    if len(images.shape) != 4:
        raise ValueError(f"expected 4-D images, got shape {list(images.shape)}")
    return Aval((images.shape[0], size[0], size[1], images.shape[3]), images.dtype)


glimpse_p = define("extract_glimpse", _glimpse_kernel, _glimpse_rule, fresh_output=True,
                   effect="writes_state")
