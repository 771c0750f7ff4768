"""ONNX for the merging layers: Add, Subtract, Multiply, Average, Maximum, Minimum,
Concatenate."""

from __future__ import annotations

from fluxion.keras.layers.merging.concatenate import Concatenate
from fluxion.keras.layers.merging.elementwise import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converts

# Keras class -> the variadic ONNX op that merges any number of inputs at once
_VARIADIC = {Add: "Sum", Average: "Mean", Maximum: "Max", Minimum: "Min"}


def _check_same_rank(layer, shapes) -> None:
    ranks = sorted({len(shape) for shape in shapes})
    if len(ranks) > 1:
        raise UnsupportedLayerError(layer, f"its inputs have different ranks {ranks}; Keras "
                                           f"expands them, ONNX broadcasting would not match")


@converts(*_VARIADIC)
def convert_variadic_merge(graph, layer, inputs, shapes):
    _check_same_rank(layer, shapes)
    return graph.node(_VARIADIC[type(layer)], inputs, layer.name)


@converts(Multiply)
def convert_multiply(graph, layer, inputs, shapes):
    _check_same_rank(layer, shapes)
    product = inputs[0]
    for other in inputs[1:]:
        product = graph.node("Mul", [product, other], layer.name)
    return product


@converts(Subtract)
def convert_subtract(graph, layer, inputs, shapes):
    _check_same_rank(layer, shapes)
    return graph.node("Sub", inputs, layer.name)


@converts(Concatenate)
def convert_concatenate(graph, layer, inputs, shapes):
    return graph.node("Concat", inputs, layer.name, axis=int(layer.axis))
