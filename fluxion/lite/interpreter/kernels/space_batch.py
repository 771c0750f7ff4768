"""Moving spatial blocks to and from the batch or the depth: SPACE_TO_BATCH_ND and
BATCH_TO_SPACE_ND (TF's converter writes a dilated convolution between them),
SPACE_TO_DEPTH and DEPTH_TO_SPACE."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import zero_point_of
from fluxion.lite.interpreter.kernels.registry import kernel


@kernel("SPACE_TO_BATCH_ND")
def space_to_batch(call):
    x, block = call.inputs[0], [int(b) for b in call.inputs[1]]
    paddings = np.asarray(call.inputs[2]).reshape(-1, 2)
    fill = zero_point_of(call.input_infos[0]) if call.is_quantized(0) else 0
    pad = [(0, 0), *[(int(a), int(b)) for a, b in paddings],
           *[(0, 0)] * (x.ndim - 1 - len(block))]
    x = np.pad(x, pad, constant_values=fill)
    batch, spatial, rest = x.shape[0], x.shape[1:1 + len(block)], x.shape[1 + len(block):]
    split = [batch]
    for size, b in zip(spatial, block):
        split += [size // b, b]
    x = x.reshape(*split, *rest)
    m = len(block)
    # [batch, s1/b1, b1, s2/b2, b2, ...] -> [b1, b2, batch, s1/b1, s2/b2, ...]
    order = [2 + 2 * i for i in range(m)] + [0] + [1 + 2 * i for i in range(m)] + \
        list(range(1 + 2 * m, x.ndim))
    x = x.transpose(order)
    return x.reshape(batch * int(np.prod(block)), *(s // b for s, b in zip(spatial, block)),
                     *rest)


@kernel("BATCH_TO_SPACE_ND")
def batch_to_space(call):
    x, block = call.inputs[0], [int(b) for b in call.inputs[1]]
    crops = np.asarray(call.inputs[2]).reshape(-1, 2)
    m = len(block)
    batch = x.shape[0] // int(np.prod(block))
    spatial, rest = x.shape[1:1 + m], x.shape[1 + m:]
    x = x.reshape(*block, batch, *spatial, *rest)
    # [b1, b2, batch, s1, s2, ...] -> [batch, s1, b1, s2, b2, ...]
    order = [m]
    for i in range(m):
        order += [m + 1 + i, i]
    x = x.transpose(order + list(range(1 + 2 * m, x.ndim)))
    x = x.reshape(batch, *(s * b for s, b in zip(spatial, block)), *rest)
    key = [slice(None)] + [slice(int(a), x.shape[1 + i] - int(b))
                           for i, (a, b) in enumerate(crops)]
    return np.ascontiguousarray(x[tuple(key)])


@kernel("SPACE_TO_DEPTH")
def space_to_depth(call):
    x, b = call.inputs[0], call.option("BlockSize")
    n, h, w, c = x.shape
    x = x.reshape(n, h // b, b, w // b, b, c).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h // b, w // b, b * b * c)


@kernel("DEPTH_TO_SPACE")
def depth_to_space(call):
    x, b = call.inputs[0], call.option("BlockSize")
    n, h, w, c = x.shape
    x = x.reshape(n, h, w, b, b, c // (b * b)).transpose(0, 1, 3, 2, 4, 5)
    return x.reshape(n, h * b, w * b, c // (b * b))
