"""ONNX for ``keras.ops`` applied to KerasTensors in a functional model (``x * 2.0 + y``,
``ops.exp(x)``): the elementwise operations, with constant operands as initializers."""

from __future__ import annotations

import numpy as np

from fluxion.keras.engine.keras_tensor import KerasTensor
from fluxion.keras.layers.op_layer import OperationLayer
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converts

_BINARY = {"add": "Add", "subtract": "Sub", "multiply": "Mul", "divide": "Div",
           "true_divide": "Div", "maximum": "Max", "minimum": "Min", "power": "Pow"}
_UNARY = {"exp": "Exp", "log": "Log", "sqrt": "Sqrt", "abs": "Abs", "absolute": "Abs",
          "negative": "Neg", "tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "Relu",
          "square": None, "reciprocal": "Reciprocal", "sin": "Sin", "cos": "Cos",
          "floor": "Floor", "ceil": "Ceil", "erf": "Erf", "softplus": "Softplus"}


@converts(OperationLayer)
def convert_operation(graph, layer, inputs, shapes):
    op = layer.op_name
    if layer.options or (op not in _BINARY and op not in _UNARY):
        options = f" with options {layer.options}" if layer.options else ""
        raise UnsupportedLayerError(layer, f"the operation {op!r}{options} has no ONNX "
                                           f"mapping; mapped operations: "
                                           f"{sorted(set(_BINARY) | set(_UNARY))}")
    node = graph.current_node
    names = iter(inputs)
    dtype = np.dtype(node.input_tensors[0].dtype)
    operands = []
    for argument in node.args:
        if isinstance(argument, KerasTensor):
            operands.append(next(names))
        else:  # a Python number or array: a constant of the tensor operand's dtype
            operands.append(graph.constant(np.asarray(argument, dtype), f"{layer.name}/const"))
    if op in _UNARY:
        if op == "square":
            return graph.node("Mul", [operands[0], operands[0]], layer.name)
        return graph.node(_UNARY[op], operands[:1], layer.name)
    return graph.node(_BINARY[op], operands[:2], layer.name)
