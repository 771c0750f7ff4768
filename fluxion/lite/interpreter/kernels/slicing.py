"""SLICE, STRIDED_SLICE, GATHER and GATHER_ND."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.registry import kernel


def _ints(array) -> list[int]:
    return [int(v) for v in np.asarray(array).reshape(-1)]


@kernel("SLICE")
def slice_kernel(call):
    x, begin, size = call.inputs[0], _ints(call.inputs[1]), _ints(call.inputs[2])
    key = tuple(slice(b, x.shape[i] if s == -1 else b + s)
                for i, (b, s) in enumerate(zip(begin, size)))
    return x[key]


@kernel("STRIDED_SLICE")
def strided_slice(call):
    x = call.inputs[0]
    begin, end, strides = (_ints(v) for v in call.inputs[1:4])
    masks = {name: call.option(name, 0) for name in ("BeginMask", "EndMask", "EllipsisMask",
                                                     "NewAxisMask", "ShrinkAxisMask")}
    offset = bool(call.option("Offset", False))
    key = []
    for i, (b, e, s) in enumerate(zip(begin, end, strides)):
        bit = 1 << i
        if masks["EllipsisMask"] & bit:
            key.append(Ellipsis)
        elif masks["NewAxisMask"] & bit:
            key.append(None)
        elif masks["ShrinkAxisMask"] & bit:
            key.append(b)
        else:
            stop = b + e if offset else e
            key.append(slice(None if masks["BeginMask"] & bit else b,
                             None if masks["EndMask"] & bit else stop, s))
    return np.array(x[tuple(key)])


@kernel("GATHER")
def gather(call):
    params, indices = call.inputs[:2]
    axis = call.option("Axis", 0) % params.ndim
    batch_dims = call.option("BatchDims", 0)
    if batch_dims == 0:
        return np.take(params, indices, axis=axis)
    if batch_dims < 0:
        batch_dims += indices.ndim
    batch = params.shape[:batch_dims]
    flat_params = params.reshape(-1, *params.shape[batch_dims:])
    flat_indices = indices.reshape(-1, *indices.shape[batch_dims:])
    parts = [np.take(p, i, axis=axis - batch_dims) for p, i in zip(flat_params, flat_indices)]
    return np.stack(parts).reshape(*batch, *parts[0].shape)


@kernel("GATHER_ND")
def gather_nd(call):
    params, indices = call.inputs[:2]
    depth = indices.shape[-1]
    flat = indices.reshape(-1, depth)
    picked = params[tuple(flat.T)]
    return picked.reshape(*indices.shape[:-1], *params.shape[depth:])
