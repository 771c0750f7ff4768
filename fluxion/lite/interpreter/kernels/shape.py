"""Operators that move values without computing new ones: reshapes, transposes,
concatenation and its inverses, tiling, padding, and the shape-making operators."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import zero_point_of
from fluxion.lite.interpreter.kernels.fused_activation import apply_float
from fluxion.lite.interpreter.kernels.quantization import through_float
from fluxion.lite.interpreter.kernels.registry import kernel


def _ints(array) -> list[int]:
    return [int(v) for v in np.asarray(array).reshape(-1)]


@kernel("RESHAPE")
def reshape(call):
    x = call.inputs[0]
    if len(call.inputs) > 1 and call.inputs[1] is not None:
        shape = _ints(call.inputs[1])
    else:
        shape = _ints(call.option("NewShape", call.output_infos[0].shape))
    return x.reshape(shape)


@kernel("SQUEEZE")
def squeeze(call):
    x = call.inputs[0]
    dims = _ints(call.option("SqueezeDims", []))
    return np.squeeze(x, axis=tuple(d % x.ndim for d in dims) if dims else None)


@kernel("EXPAND_DIMS")
def expand_dims(call):
    x = call.inputs[0]
    axis = _ints(call.inputs[1])[0]
    return np.expand_dims(x, axis if axis >= 0 else axis + x.ndim + 1)


@kernel("TRANSPOSE")
def transpose(call):
    return np.transpose(call.inputs[0], _ints(call.inputs[1]))


def _same_scales(call, positions) -> bool:
    out = call.output_infos[0].quantization
    return all(call.input_infos[p].quantization is not None and
               np.array_equal(call.input_infos[p].quantization.scales, out.scales) and
               np.array_equal(call.input_infos[p].quantization.zero_points, out.zero_points)
               for p in positions)


@kernel("CONCATENATION")
def concatenation(call):
    axis = call.option("Axis", 0)
    activation = call.option("FusedActivationFunction", 0)
    if call.is_quantized(0) and not _same_scales(call, range(len(call.inputs))):
        return through_float(call, lambda *xs: apply_float(np.concatenate(xs, axis),
                                                           activation))
    result = np.concatenate(call.inputs, axis=axis)
    return apply_float(result, activation) if not call.is_quantized(0) else result


@kernel("PACK")
def pack(call):
    if call.is_quantized(0) and not _same_scales(call, range(len(call.inputs))):
        return through_float(call, lambda *xs: np.stack(xs, call.option("Axis", 0)))
    return np.stack(call.inputs, axis=call.option("Axis", 0))


@kernel("UNPACK")
def unpack(call):
    x = call.inputs[0]
    axis = call.option("Axis", 0) % x.ndim
    return tuple(np.take(x, i, axis=axis) for i in range(x.shape[axis]))


@kernel("SPLIT")
def split(call):
    axis, x = int(np.asarray(call.inputs[0]).reshape(-1)[0]), call.inputs[1]
    return tuple(np.split(x, call.option("NumSplits", len(call.output_infos)), axis=axis))


@kernel("SPLIT_V")
def split_v(call):
    x, sizes = call.inputs[0], _ints(call.inputs[1])
    axis = int(np.asarray(call.inputs[2]).reshape(-1)[0]) % x.ndim
    if -1 in sizes:
        sizes[sizes.index(-1)] = x.shape[axis] - (sum(sizes) + 1)
    return tuple(np.split(x, np.cumsum(sizes)[:-1], axis=axis))


@kernel("SHAPE")
def shape(call):
    return np.asarray(call.inputs[0].shape, call.output_infos[0].dtype)


@kernel("RANK")
def rank(call):
    return np.asarray(call.inputs[0].ndim, np.int32)


@kernel("FILL")
def fill(call):
    return np.full(_ints(call.inputs[0]), call.inputs[1], call.output_infos[0].dtype)


@kernel("BROADCAST_TO")
def broadcast_to(call):
    return np.broadcast_to(call.inputs[0], _ints(call.inputs[1])).copy()


@kernel("TILE")
def tile(call):
    return np.tile(call.inputs[0], _ints(call.inputs[1]))


@kernel("PAD", "PADV2")
def pad(call):
    x, paddings = call.inputs[0], np.asarray(call.inputs[1]).reshape(-1, 2)
    if len(call.inputs) > 2 and call.inputs[2] is not None:
        value = np.asarray(call.inputs[2]).reshape(-1)[0]
    else:  # the real zero: a quantized tensor's zero point
        value = zero_point_of(call.input_infos[0]) if call.is_quantized(0) else 0
    return np.pad(x, [tuple(int(v) for v in pair) for pair in paddings],
                  constant_values=value)


@kernel("MIRROR_PAD")
def mirror_pad(call):
    x, paddings = call.inputs[0], np.asarray(call.inputs[1]).reshape(-1, 2)
    mode = "symmetric" if call.option("Mode", 0) == 1 else "reflect"
    return np.pad(x, [tuple(int(v) for v in pair) for pair in paddings], mode=mode)


@kernel("RANGE")
def arange(call):
    start, limit, delta = (np.asarray(v).reshape(-1)[0] for v in call.inputs[:3])
    return np.arange(start, limit, delta, dtype=call.output_infos[0].dtype)


@kernel("REVERSE_V2")
def reverse(call):
    return np.flip(call.inputs[0], axis=tuple(_ints(call.inputs[1])))
