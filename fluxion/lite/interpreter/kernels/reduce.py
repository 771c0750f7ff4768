"""Reductions (MEAN, SUM, REDUCE_*), ARG_MAX/ARG_MIN and CUMSUM."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.quantization import through_float
from fluxion.lite.interpreter.kernels.registry import kernel

_REDUCERS = {"MEAN": np.mean, "SUM": np.sum, "REDUCE_MAX": np.max, "REDUCE_MIN": np.min,
             "REDUCE_PROD": np.prod, "REDUCE_ANY": np.any, "REDUCE_ALL": np.all}


def _axes(call, x) -> tuple:
    axes = np.asarray(call.inputs[1]).reshape(-1)
    return tuple(sorted({int(a) % x.ndim for a in axes})) if x.ndim else ()


@kernel(*_REDUCERS)
def reduce(call):
    x = call.inputs[0]
    axes = _axes(call, x)
    keepdims = bool(call.option("KeepDims", False))
    reducer = _REDUCERS[call.op.opcode]
    if call.is_quantized(0):
        same_scale = np.array_equal(call.input_infos[0].quantization.scales,
                                    call.output_infos[0].quantization.scales)
        if call.op.opcode in ("REDUCE_MAX", "REDUCE_MIN") and same_scale:
            return reducer(x, axis=axes, keepdims=keepdims)
        return through_float(call, lambda v, _: reducer(v, axis=axes, keepdims=keepdims))
    result = reducer(x, axis=axes, keepdims=keepdims)
    return np.asarray(result).astype(call.output_infos[0].dtype)


@kernel("ARG_MAX", "ARG_MIN")
def arg_extreme(call):
    x, axis = call.inputs[0], int(np.asarray(call.inputs[1]).reshape(-1)[0])
    function = np.argmax if call.op.opcode == "ARG_MAX" else np.argmin
    return function(x, axis=axis).astype(call.output_infos[0].dtype)


@kernel("CUMSUM")
def cumulative_sum(call):
    x, axis = call.inputs[0], int(np.asarray(call.inputs[1]).reshape(-1)[0])
    if call.option("Reverse", False):
        x = np.flip(x, axis)
    result = np.cumsum(x, axis=axis, dtype=x.dtype)
    if call.option("Exclusive", False):
        result = result - x
    if call.option("Reverse", False):
        result = np.flip(result, axis)
    return result
