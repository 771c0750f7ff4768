"""Quantization passes over a lowered ``LiteGraph``, as TF's converter offers them.

- ``float16_weights``: float32 constants stored as float16, each widened back by a
  DEQUANTIZE operator (``target_spec.supported_types = [float16]``).
- ``dynamic_range_weights``: the weights of FULLY_CONNECTED / CONV_2D /
  DEPTHWISE_CONV_2D with at least 1,024 elements stored int8, symmetric, one scale per
  output channel; the kernels quantize activations on the fly (``Optimize.DEFAULT``).
- ``calibrate`` + ``full_integer``: with a representative dataset, every activation
  gets an int8 scale and zero point from the ranges it took on the samples; weights are
  int8 per output channel, biases int32 with scale ``input scale x weight scale``.
  Operators whose int8 kernels need particular parameters get them (SOFTMAX and
  LOGISTIC output 1/256 with zero point -128, TANH 1/128 with 0; pools, reshapes,
  slices and packs share their input's parameters).  Inputs and outputs stay float32
  behind QUANTIZE/DEQUANTIZE operators unless ``inference_input_type`` /
  ``inference_output_type`` ask for int8 or uint8.
"""

from __future__ import annotations

import numpy as np

from fluxion.lite.lowering import UnsupportedOperationError
from fluxion.lite.model_ir import LiteGraph, LiteOp, Quantization

# the filter's output-channel axis of each operator with weights
WEIGHT_AXIS = {"FULLY_CONNECTED": 0, "CONV_2D": 0, "DEPTHWISE_CONV_2D": 3,
               "TRANSPOSE_CONV": 0}
HYBRID_OPERATORS = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D")
# (data input, weights, bias) positions of each operator with weights
WEIGHTED_INPUTS = {"FULLY_CONNECTED": (0, 1, 2), "CONV_2D": (0, 1, 2),
                   "DEPTHWISE_CONV_2D": (0, 1, 2), "TRANSPOSE_CONV": (2, 1, 3)}
DYNAMIC_RANGE_MIN_ELEMENTS = 1024  # smaller weights stay float32, as with TF's converter

INT8_OPERATORS = frozenset({
    "FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D",
    "ADD", "SUB", "MUL", "RESHAPE", "SOFTMAX", "LOGISTIC", "TANH", "CONCATENATION", "MEAN",
    "SUM", "STRIDED_SLICE", "PACK", "UNPACK", "SPLIT", "SPLIT_V", "PAD", "PADV2",
    "TRANSPOSE", "RELU", "RELU6", "MAXIMUM", "MINIMUM", "BATCH_MATMUL", "ARG_MAX", "ARG_MIN",
    "LOG_SOFTMAX", "SHAPE", "TILE", "BROADCAST_TO", "REDUCE_MAX", "REDUCE_MIN", "LESS",
    "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL", "SELECT_V2", "NEG",
    "ABS", "GATHER", "LEAKY_RELU", "ELU", "GELU", "HARD_SWISH", "TRANSPOSE_CONV", "RSQRT"})
# output parameters the int8 kernels require
FIXED_OUTPUT = {"SOFTMAX": (1 / 256, -128), "LOGISTIC": (1 / 256, -128),
                "TANH": (1 / 128, 0), "LOG_SOFTMAX": (16 / 256, 127)}
# operators whose int8 kernels move values without rescaling: inputs (data positions;
# None: all) and outputs share one scale and zero point.  (CONCATENATION could rescale,
# but LiteRT's XNNPACK delegate refuses inputs of different scales, so TF ties them.)
SAME_SCALE_INPUTS = {"MAX_POOL_2D": (0,), "AVERAGE_POOL_2D": (0,), "RESHAPE": (0,),
                     "TRANSPOSE": (0,), "STRIDED_SLICE": (0,), "SPLIT": (1,),
                     "SPLIT_V": (0,), "UNPACK": (0,), "PACK": None, "PAD": (0,),
                     "PADV2": (0, 2), "BROADCAST_TO": (0,), "TILE": (0,),
                     "REDUCE_MAX": (0,), "REDUCE_MIN": (0,), "MAXIMUM": (0, 1),
                     "MINIMUM": (0, 1), "CONCATENATION": None, "GATHER": (0,),
                     "SELECT_V2": (1, 2)}


def _is_float(tensor) -> bool:
    return tensor is not None and tensor.dtype == np.float32


def _symmetric_per_channel(weights: np.ndarray, axis: int):
    """int8 values in [-127, 127] and one scale per slice along ``axis``."""
    moved = np.moveaxis(weights, axis, 0).reshape(weights.shape[axis], -1)
    scales = np.abs(moved).max(axis=1) / 127.0
    scales = np.where(scales > 0, scales, 1.0).astype(np.float32)
    shape = [1] * weights.ndim
    shape[axis] = -1
    values = np.clip(np.round(weights / scales.reshape(shape)), -127, 127).astype(np.int8)
    return values, scales


def _affine(low: float, high: float) -> tuple[float, int]:
    """Scale and zero point mapping [low, high] (widened to hold 0) onto int8."""
    low, high = min(float(low), 0.0), max(float(high), 0.0)
    if high - low < 1e-12:
        # only zeros (a comparison's 0 threshold): any scale holds them exactly; below
        # 1, as TFLite's int8 comparison kernels require of their inputs' scales (a
        # scale of 1 aborts LiteRT when the file runs)
        return 1.0 / 255.0, -128
    scale = (high - low) / 255.0
    zero_point = int(np.clip(np.round(-128 - low / scale), -128, 127))
    return scale, zero_point


def _quantize_array(array: np.ndarray, scale, zero_point, dtype=np.int8) -> np.ndarray:
    info = np.iinfo(dtype)
    return np.clip(np.round(array / scale) + zero_point, info.min, info.max).astype(dtype)


def _replace_reads(graph: LiteGraph, old, new) -> None:
    for op in graph.ops:
        op.inputs = [new if t is old else t for t in op.inputs]


def _int8_weights(graph: LiteGraph, weights, axis: int):
    """The int8 per-channel twin of a float32 weights tensor (one per tensor: operators
    sharing weights share the twin)."""
    def build():
        values, scales = _symmetric_per_channel(weights.data, axis)
        quantized = graph.constant(f"{weights.name}/int8", values)
        quantized.quantization = Quantization(scales, np.zeros(len(scales)), axis)
        return quantized
    return graph.shared_constant(("int8_weights", id(weights), axis), weights, build)


# --- weights only ----------------------------------------------------------------------------
def float16_weights(graph: LiteGraph) -> None:
    widened = []
    for tensor in graph.all_tensors():
        if tensor.is_constant and _is_float(tensor):
            half = graph.constant(f"{tensor.name}/float16", tensor.data.astype(np.float16))
            wide = graph.tensor(f"{tensor.name}/dequantized", tensor.shape, np.float32)
            _replace_reads(graph, tensor, wide)
            widened.append(LiteOp("DEQUANTIZE", [half], [wide]))
    graph.ops[:0] = widened


def dynamic_range_weights(graph: LiteGraph) -> None:
    for op in graph.ops:
        # the operators with hybrid (int8 weights, float activations) kernels
        axis = WEIGHT_AXIS.get(op.opcode) if op.opcode in HYBRID_OPERATORS else None
        weights = op.inputs[1] if axis is not None else None
        if weights is None or not weights.is_constant or not _is_float(weights) or \
                weights.data.size < DYNAMIC_RANGE_MIN_ELEMENTS:
            continue
        op.inputs[1] = _int8_weights(graph, weights, axis)
        if op.opcode == "FULLY_CONNECTED":
            op.set_option("AsymmetricQuantizeInputs", True)


# --- calibration -----------------------------------------------------------------------------
def _calibration_interpreter(content: bytes):
    """LiteRT without delegates, keeping every tensor; Fluxion's interpreter (which
    keeps them all) where LiteRT is not installed."""
    try:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType
    except ImportError:
        from fluxion.lite.interpreter.interpreter import FluxionInterpreter

        return FluxionInterpreter(model_content=content)
    return Interpreter(
        model_content=content, experimental_preserve_all_tensors=True,
        experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)


def calibrate(graph: LiteGraph, samples) -> dict:
    """{id(tensor): (min, max)} of every float32 tensor over the representative samples,
    from running the float model (with LiteRT when installed)."""
    from fluxion.lite.flatbuffer_writer import write_model

    tensors = graph.all_tensors()
    interpreter = _calibration_interpreter(write_model(graph))
    inputs = interpreter.get_input_details()
    ranges: dict[int, list] = {}
    count = 0
    for sample in samples:
        for detail, array in zip(inputs, sample):
            interpreter.resize_tensor_input(detail["index"], array.shape)
        interpreter.allocate_tensors()
        for detail, array in zip(inputs, sample):
            interpreter.set_tensor(detail["index"], array)
        interpreter.invoke()
        count += 1
        for index, tensor in enumerate(tensors):
            if tensor.is_constant or not _is_float(tensor):
                continue
            values = interpreter.get_tensor(index)
            if values.size == 0:
                continue
            low, high = float(values.min()), float(values.max())
            seen = ranges.setdefault(id(tensor), [low, high])
            seen[0], seen[1] = min(seen[0], low), max(seen[1], high)
    if count == 0:
        raise ValueError("the representative_dataset gave no samples")
    return ranges


# --- full integer ----------------------------------------------------------------------------
class _Groups:
    """Union-find over tensors that must share quantization parameters."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def find(self, key: int) -> int:
        while self.parent.get(key, key) != key:
            key = self.parent[key]
        return key

    def union(self, a: int, b: int) -> None:
        a, b = self.find(a), self.find(b)
        if a != b:
            self.parent[b] = a


def _activation_parameters(graph: LiteGraph, ranges: dict, quantized_ops: list) -> dict:
    """{id(tensor): (scale, zero_point)} of every float32 tensor of quantized operators."""
    groups, fixed, members = _Groups(), {}, {}
    for op in quantized_ops:
        for tensor in op.outputs:
            if op.opcode in FIXED_OUTPUT and _is_float(tensor):
                fixed[id(tensor)] = FIXED_OUTPUT[op.opcode]
        if op.opcode in SAME_SCALE_INPUTS:
            positions = SAME_SCALE_INPUTS[op.opcode]
            inputs = op.inputs if positions is None else [op.inputs[p] for p in positions]
            tied = [t for t in [*inputs, *op.outputs] if _is_float(t)]
            for tensor in tied[1:]:
                groups.union(id(tied[0]), id(tensor))
        for tensor in [*op.inputs, *op.outputs]:
            if _is_float(tensor):
                members[id(tensor)] = tensor
    group_range: dict[int, list] = {}
    group_fixed: dict[int, tuple] = {}
    for key, tensor in members.items():
        root = groups.find(key)
        low_high = ranges.get(key)
        if low_high is None and tensor.is_constant:
            low_high = [float(tensor.data.min()), float(tensor.data.max())]
        if low_high is not None:
            seen = group_range.setdefault(root, list(low_high))
            seen[0], seen[1] = min(seen[0], low_high[0]), max(seen[1], low_high[1])
        if key in fixed:
            group_fixed.setdefault(root, fixed[key])
    parameters = {}
    for key in members:
        root = groups.find(key)
        if key in fixed:  # what the kernel requires wins over a tie
            parameters[key] = fixed[key]
        elif root in group_fixed:
            parameters[key] = group_fixed[root]
        elif root in group_range:
            parameters[key] = _affine(*group_range[root])
    return parameters


def full_integer(graph: LiteGraph, ranges: dict, strict: bool, input_type: str = "float32",
                 output_type: str = "float32") -> None:
    """Rewrites ``graph`` to int8 activations and weights (see the module docstring)."""
    _negations_as_products(graph)
    quantized_ops = [op for op in graph.ops if op.opcode in INT8_OPERATORS]
    if strict:
        for op in graph.ops:
            # operators on integers and booleans alone (a mask's CAST) stay as they are
            touches_float = any(_is_float(t) for t in [*op.inputs, *op.outputs])
            if op.opcode not in INT8_OPERATORS and touches_float:
                where = f" (layer '{op.layer}')" if op.layer else ""
                raise UnsupportedOperationError(
                    f"TFLite conversion: operator {op.opcode}{where} has no int8 kernel, "
                    f"and target_spec.supported_ops is [TFLITE_BUILTINS_INT8]; add "
                    f"OpsSet.TFLITE_BUILTINS to keep it in float32.")
    quantized = {id(op) for op in quantized_ops}
    parameters = _activation_parameters(graph, ranges, quantized_ops)
    int8_copies: dict[int, object] = {}  # id(float tensor) -> its int8 twin
    float_copies: dict[int, object] = {}  # id(int8 tensor) -> its float32 twin
    new_ops = []

    def int8_twin(tensor):
        twin = int8_copies.get(id(tensor))
        if twin is None:
            scale, zero_point = parameters.get(id(tensor), (1.0, 0))
            if tensor.is_constant:
                twin = graph.constant(f"{tensor.name}/int8",
                                      _quantize_array(tensor.data, scale, zero_point))
            else:
                twin = graph.tensor(f"{tensor.name}/int8", tensor.shape, np.int8)
                new_ops.append(LiteOp("QUANTIZE", [tensor], [twin]))
            twin.quantization = Quantization(scale, zero_point)
            int8_copies[id(tensor)] = twin
        return twin

    def float_twin(tensor):
        twin = float_copies.get(id(tensor))
        if twin is None:
            twin = graph.tensor(f"{tensor.name}/float", tensor.shape, np.float32)
            new_ops.append(LiteOp("DEQUANTIZE", [tensor], [twin]))
            float_copies[id(tensor)] = twin
        return twin

    stored_int8: set[int] = set()  # activation tensors now holding int8
    _quantize_inputs(graph, input_type, parameters, int8_copies, stored_int8, new_ops)
    for op in graph.ops:
        if id(op) in quantized:
            _quantize_weights(graph, op, parameters)
            op.inputs = [
                t if not _is_float(t) or id(t) in stored_int8 or t.quantization is not None
                else int8_twin(t) for t in op.inputs]
            for tensor in op.outputs:
                if _is_float(tensor):
                    scale, zero_point = parameters[id(tensor)]
                    tensor.dtype = np.dtype(np.int8)
                    tensor.quantization = Quantization(scale, zero_point)
                    stored_int8.add(id(tensor))
        else:
            op.inputs = [float_twin(t) if t is not None and id(t) in stored_int8 else t
                         for t in op.inputs]
        new_ops.append(op)
    graph.ops = new_ops
    _quantize_outputs(graph, output_type, stored_int8, float_twin)


def _negations_as_products(graph: LiteGraph) -> None:
    """NEG on floats becomes MUL by -1: TFLite's int8 NEG negates the stored integers
    whatever the scales, which is -x only for a zero point of 0 (a ReLU's output has
    -128), while the int8 MUL rescales."""
    for op in graph.ops:
        if op.opcode == "NEG" and _is_float(op.inputs[0]):
            minus_one = graph.constant(f"{op.outputs[0].name}/minus_one",
                                       np.float32(-1.0).reshape(()))
            op.opcode = "MUL"
            op.inputs = [op.inputs[0], minus_one]
            op.options = ("MulOptions", {"FusedActivationFunction": 0})


def _quantize_weights(graph: LiteGraph, op, parameters: dict) -> None:
    if op.opcode not in WEIGHTED_INPUTS:
        return
    data, at, bias_at = WEIGHTED_INPUTS[op.opcode]
    if not op.inputs[at].is_constant:
        return
    weights = _int8_weights(graph, op.inputs[at], WEIGHT_AXIS[op.opcode])
    weight_scales = weights.quantization.scales
    op.inputs[at] = weights
    bias = op.inputs[bias_at] if len(op.inputs) > bias_at else None
    if bias is not None:
        input_scale = parameters[id(op.inputs[data])][0]
        scales = (input_scale * weight_scales).astype(np.float32)
        quantized = graph.constant(f"{bias.name}/int32", np.clip(
            np.round(bias.data / scales), -2**31, 2**31 - 1).astype(np.int32))
        quantized.quantization = Quantization(scales, np.zeros(len(scales)), 0)
        op.inputs[bias_at] = quantized


def _quantize_inputs(graph, input_type, parameters, int8_copies, stored_int8, new_ops):
    for position, tensor in enumerate(list(graph.inputs)):
        if not _is_float(tensor) or input_type == "float32" or id(tensor) not in parameters:
            continue
        scale, zero_point = parameters[id(tensor)]
        tensor.dtype = np.dtype(np.int8)
        tensor.quantization = Quantization(scale, zero_point)
        stored_int8.add(id(tensor))
        if input_type == "uint8":  # LiteRT's uint8 input, shifted to int8 by a QUANTIZE
            outer = graph.tensor(f"{tensor.name}/uint8", tensor.shape, np.uint8)
            outer.quantization = Quantization(scale, zero_point + 128)
            new_ops.append(LiteOp("QUANTIZE", [outer], [tensor]))
            graph.inputs[position] = outer


def _quantize_outputs(graph, output_type, stored_int8, float_twin):
    for position, tensor in enumerate(list(graph.outputs)):
        if id(tensor) not in stored_int8:
            continue
        if output_type == "float32":
            graph.outputs[position] = float_twin(tensor)
        elif output_type == "uint8":
            scale, zero_point = tensor.quantization.scales[0], tensor.quantization.zero_points[0]
            outer = graph.tensor(f"{tensor.name}/uint8", tensor.shape, np.uint8)
            outer.quantization = Quantization(scale, zero_point + 128)
            graph.add_op("QUANTIZE", [tensor], [outer])
            graph.outputs[position] = outer
