"""ONNX for the activation primitives: relu, softmax and log_softmax over any one axis
(ONNX's per-axis semantics from opset 13).  The other Keras activations are composed
from elementwise primitives (sigmoid from tanh, gelu from erf...) and export as those."""

from __future__ import annotations

from fluxion.onnx.mappings import lowers


@lowers("relu")
def lower_relu(ctx, node):
    return ctx.emit("Relu", ctx.inputs())


@lowers("softmax", "log_softmax")
def lower_softmax(ctx, node):
    op_type = "Softmax" if node.prim.name == "softmax" else "LogSoftmax"
    return ctx.emit(op_type, ctx.inputs(), axis=int(node.attrs["axis"]))
