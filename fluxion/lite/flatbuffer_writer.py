"""Serializes a ``LiteGraph`` as a ``.tflite`` file with the TFLite schema's generated
builders (the ``tflite`` package) on ``flatbuffers.Builder``.

File layout, as TFLite readers expect it: file identifier ``TFL3``, schema version 3,
buffer 0 empty (tensors without data point at it), one buffer per constant tensor
(16-byte aligned), builtin codes below 127 stored in both ``deprecated_builtin_code``
and ``builtin_code``, and one ``serving_default`` signature naming the inputs and
outputs.
"""

from __future__ import annotations

import importlib

import numpy as np

from fluxion.lite.model_ir import LiteGraph

SCHEMA_VERSION = 3
_PLACEHOLDER_FOR_LARGE_CODES = 127  # deprecated_builtin_code of builtins >= 127
# builtins whose first registered version is above 1 (LiteRT refuses version 1)
_FIRST_VERSION = {"BROADCAST_TO": 2}


def _schema():
    try:
        import flatbuffers
        import tflite
    except ImportError as error:
        raise ImportError("Writing TFLite files needs the 'flatbuffers' and 'tflite' "
                          "packages: pip install 'fluxion[tflite]'.") from error
    return flatbuffers, tflite


def _table(name: str):
    """The generated module of one schema table (``Start``, ``Add<Field>``, ``End``)."""
    return importlib.import_module(f"tflite.{name}")


_TENSOR_TYPES = {"float32": "FLOAT32", "float16": "FLOAT16", "int32": "INT32",
                 "uint8": "UINT8", "int64": "INT64", "bool": "BOOL", "int16": "INT16",
                 "int8": "INT8"}


def tensor_type(tflite, dtype: np.dtype) -> int:
    name = _TENSOR_TYPES.get(np.dtype(dtype).name)
    if name is None:
        raise TypeError(f"TFLite has no tensor type for dtype {np.dtype(dtype).name}; "
                        f"supported: {', '.join(_TENSOR_TYPES)}")
    return getattr(tflite.TensorType, name)


def write_model(graph: LiteGraph, description: str = "fluxion") -> bytes:
    """The ``.tflite`` bytes of ``graph``."""
    flatbuffers, tflite = _schema()
    builder = flatbuffers.Builder(1024)
    tensors = graph.all_tensors()
    index = {id(t): i for i, t in enumerate(tensors)}

    # buffers: 0 is the empty sentinel; constants get 1, 2, ...
    buffer_offsets = [_buffer(builder, None)]
    buffer_of = {}
    for tensor in tensors:
        if tensor.is_constant:
            buffer_of[id(tensor)] = len(buffer_offsets)
            buffer_offsets.append(_buffer(builder, tensor.data))

    tensor_offsets = [_tensor(builder, tflite, t, buffer_of.get(id(t), 0)) for t in tensors]

    opcodes: list[str] = []
    for op in graph.ops:
        if op.opcode not in opcodes:
            opcodes.append(op.opcode)
    opcode_offsets = [_operator_code(builder, tflite, name) for name in opcodes]
    operator_offsets = [
        _operator(builder, tflite, op, opcodes.index(op.opcode), index) for op in graph.ops]

    subgraph = _subgraph(builder, graph, index, tensor_offsets, operator_offsets)
    signature = _signature(builder, graph, index)
    description_offset = builder.CreateString(description)

    model = _table("Model")
    vectors = {name: _offset_vector(builder, getattr(model, f"Start{name}Vector"), items)
               for name, items in (("OperatorCodes", opcode_offsets), ("Subgraphs", [subgraph]),
                                   ("Buffers", buffer_offsets), ("SignatureDefs", [signature]))}
    model.Start(builder)
    model.AddVersion(builder, SCHEMA_VERSION)
    for name, offset in vectors.items():
        getattr(model, f"Add{name}")(builder, offset)
    model.AddDescription(builder, description_offset)
    builder.Finish(model.End(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _offset_vector(builder, start, offsets: list) -> int:
    start(builder, len(offsets))
    for offset in reversed(offsets):
        builder.PrependUOffsetTRelative(offset)
    return builder.EndVector()


def _int_vector(builder, values, dtype=np.int32) -> int:
    return builder.CreateNumpyVector(np.asarray(values, dtype).reshape(-1))


def _buffer(builder, data) -> int:
    table = _table("Buffer")
    data_offset = None
    if data is not None:
        raw = np.ascontiguousarray(data).astype(np.asarray(data).dtype.newbyteorder("<"),
                                                copy=False).tobytes()
        builder.Prep(16, len(raw))  # the data starts 16-byte aligned, as TF writes it
        data_offset = builder.CreateByteVector(raw)
    table.Start(builder)
    if data_offset is not None:
        table.AddData(builder, data_offset)
    return table.End(builder)


def _quantization(builder, quantization) -> int:
    table = _table("QuantizationParameters")
    scales = builder.CreateNumpyVector(quantization.scales.astype(np.float32))
    zero_points = builder.CreateNumpyVector(quantization.zero_points.astype(np.int64))
    table.Start(builder)
    table.AddScale(builder, scales)
    table.AddZeroPoint(builder, zero_points)
    table.AddQuantizedDimension(builder, quantization.axis)
    return table.End(builder)


def _tensor(builder, tflite, tensor, buffer_index: int) -> int:
    table = _table("Tensor")
    name = builder.CreateString(tensor.name)
    shape = _int_vector(builder, [1 if d is None else d for d in tensor.shape])
    dynamic = any(d is None for d in tensor.shape)
    signature = _int_vector(builder, [-1 if d is None else d for d in tensor.shape]) \
        if dynamic else None
    quantization = _quantization(builder, tensor.quantization) \
        if tensor.quantization is not None else None
    table.Start(builder)
    table.AddShape(builder, shape)
    table.AddType(builder, tensor_type(tflite, tensor.dtype))
    table.AddBuffer(builder, buffer_index)
    table.AddName(builder, name)
    if quantization is not None:
        table.AddQuantization(builder, quantization)
    if tensor.is_variable:
        table.AddIsVariable(builder, True)
    if signature is not None:
        table.AddShapeSignature(builder, signature)
    return table.End(builder)


def _operator_code(builder, tflite, opcode: str) -> int:
    code = getattr(tflite.BuiltinOperator, opcode)
    table = _table("OperatorCode")
    table.Start(builder)
    table.AddDeprecatedBuiltinCode(builder, min(code, _PLACEHOLDER_FOR_LARGE_CODES))
    table.AddBuiltinCode(builder, code)
    table.AddVersion(builder, _FIRST_VERSION.get(opcode, 1))
    return table.End(builder)


def _options(builder, tflite, options) -> tuple[int, int]:
    """(BuiltinOptions union type, offset of the options table)."""
    name, fields = options
    table = _table(name)
    vectors = {field: _int_vector(builder, value) for field, value in fields.items()
               if isinstance(value, (list, tuple))}
    table.Start(builder)
    for field, value in fields.items():
        adder = getattr(table, f"Add{field}", None)
        if adder is None:
            raise ValueError(f"TFLite schema table {name} has no field {field!r}")
        adder(builder, vectors.get(field, value))
    return getattr(tflite.BuiltinOptions, name), table.End(builder)


def _operator(builder, tflite, op, opcode_index: int, index: dict) -> int:
    table = _table("Operator")
    inputs = _int_vector(builder, [-1 if t is None else index[id(t)] for t in op.inputs])
    outputs = _int_vector(builder, [index[id(t)] for t in op.outputs])
    options = _options(builder, tflite, op.options) if op.options is not None else None
    table.Start(builder)
    table.AddOpcodeIndex(builder, opcode_index)
    table.AddInputs(builder, inputs)
    table.AddOutputs(builder, outputs)
    if options is not None:
        table.AddBuiltinOptionsType(builder, options[0])
        table.AddBuiltinOptions(builder, options[1])
    return table.End(builder)


def _subgraph(builder, graph, index, tensor_offsets, operator_offsets) -> int:
    table = _table("SubGraph")
    tensors = _offset_vector(builder, table.StartTensorsVector, tensor_offsets)
    inputs = _int_vector(builder, [index[id(t)] for t in graph.inputs])
    outputs = _int_vector(builder, [index[id(t)] for t in graph.outputs])
    operators = _offset_vector(builder, table.StartOperatorsVector, operator_offsets)
    name = builder.CreateString(graph.name)
    table.Start(builder)
    table.AddTensors(builder, tensors)
    table.AddInputs(builder, inputs)
    table.AddOutputs(builder, outputs)
    table.AddOperators(builder, operators)
    table.AddName(builder, name)
    return table.End(builder)


def _signature(builder, graph, index) -> int:
    table, tensor_map = _table("SignatureDef"), _table("TensorMap")

    def maps(names, tensors):
        offsets = []
        for name, tensor in zip(names, tensors):
            text = builder.CreateString(name)
            tensor_map.Start(builder)
            tensor_map.AddName(builder, text)
            tensor_map.AddTensorIndex(builder, index[id(tensor)])
            offsets.append(tensor_map.End(builder))
        return offsets

    inputs = _offset_vector(builder, table.StartInputsVector,
                            maps(graph.input_names, graph.inputs))
    outputs = _offset_vector(builder, table.StartOutputsVector,
                             maps(graph.output_names, graph.outputs))
    key = builder.CreateString("serving_default")
    table.Start(builder)
    table.AddInputs(builder, inputs)
    table.AddOutputs(builder, outputs)
    table.AddSignatureKey(builder, key)
    table.AddSubgraphIndex(builder, 0)
    return table.End(builder)
