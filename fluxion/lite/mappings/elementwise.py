"""TFLite for the elementwise primitives (add, mul, comparisons, unary math, cast...).

Peepholes, as TF's converter has them: a constant per-channel ``add`` after a
FULLY_CONNECTED / CONV_2D / DEPTHWISE_CONV_2D becomes its bias, a constant per-channel
``mul`` there (a batch norm's scale) is folded into its weights, ``minimum(relu(x), 6)``
is RELU6, and Fluxion's sigmoid ``0.5 * tanh(0.5 * x) + 0.5`` is one LOGISTIC.
"""

from __future__ import annotations

import numpy as np

from fluxion.lite.mappings import composites, lowers
from fluxion.lite.mappings.activation import upgrade_activation

WEIGHTED = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV")
# the output-channel axis of each weighted operator's filter
_CHANNEL_AXIS = {"FULLY_CONNECTED": 0, "CONV_2D": 0, "DEPTHWISE_CONV_2D": 3,
                 "TRANSPOSE_CONV": 0}
# positions of the filter and the bias among each weighted operator's inputs
_FILTER_AND_BIAS = {"FULLY_CONNECTED": (1, 2), "CONV_2D": (1, 2),
                    "DEPTHWISE_CONV_2D": (1, 2), "TRANSPOSE_CONV": (1, 3)}

_BINARY = {"add": "ADD", "sub": "SUB", "mul": "MUL", "div": "DIV", "maximum": "MAXIMUM",
           "minimum": "MINIMUM", "pow": "POW", "equal": "EQUAL", "not_equal": "NOT_EQUAL",
           "less": "LESS", "less_equal": "LESS_EQUAL", "greater": "GREATER",
           "greater_equal": "GREATER_EQUAL", "logical_and": "LOGICAL_AND",
           "logical_or": "LOGICAL_OR", "floordiv": "FLOOR_DIV", "floormod": "FLOOR_MOD"}
_WITH_ACTIVATION = {"ADD": "AddOptions", "SUB": "SubOptions", "MUL": "MulOptions",
                    "DIV": "DivOptions"}
_UNARY = {"neg": "NEG", "exp": "EXP", "log": "LOG", "sqrt": "SQRT", "rsqrt": "RSQRT",
          "tanh": "TANH", "abs": "ABS", "square": "SQUARE", "sin": "SIN", "cos": "COS",
          "floor": "FLOOR", "ceil": "CEIL", "round": "ROUND", "sign": "SIGN",
          "logical_not": "LOGICAL_NOT"}


def _per_channel(array: np.ndarray, channels: int) -> np.ndarray | None:
    """``array`` as a vector of ``channels`` when it is one (a bias, a batch norm's scale),
    shaped ``[channels]`` or ``[1, ..., channels]``.  Scalars are left alone: they are
    the constants of composed functions (sigmoid's 0.5), which other peepholes read."""
    if array.ndim >= 1 and array.shape[-1] == channels and array.size == channels:
        return array.reshape(channels).astype(np.float32)
    return None


def _weighted_and_constant(ctx, node):
    """(operator, constant per-channel vector) when one operand of this binary node is a
    fusable weighted operator without activation and the other a per-channel constant."""
    for position in (0, 1):
        other = ctx.array(node.inputs[1 - position])
        if other is None:
            continue
        op = ctx.fusable_producer(node.inputs[position], *WEIGHTED)
        if op is None or op.option("FusedActivationFunction", 0) != 0:
            return None
        vector = _per_channel(other, op.outputs[0].shape[-1])
        if vector is None or other.ndim > len(node.inputs[position].aval.shape):
            return None  # the constant must not add dimensions to the result
        return op, vector
    return None


def _fold_bias(ctx, node):
    match = _weighted_and_constant(ctx, node)
    if match is None:
        return None
    op, vector = match
    at = _FILTER_AND_BIAS[op.opcode][1]
    op.inputs[at] = ctx.graph.constant(op.inputs[at].name, op.inputs[at].data + vector)
    return op.outputs[0]


def _fold_scale(ctx, node):
    match = _weighted_and_constant(ctx, node)
    if match is None:
        return None
    op, vector = match
    weights_at, bias_at = _FILTER_AND_BIAS[op.opcode]
    weights, bias = op.inputs[weights_at], op.inputs[bias_at]
    if not weights.is_constant:
        return None
    axis = _CHANNEL_AXIS[op.opcode]
    shape = [1] * weights.data.ndim
    shape[axis] = -1
    op.inputs[weights_at] = ctx.graph.constant(weights.name,
                                               weights.data * vector.reshape(shape))
    op.inputs[bias_at] = ctx.graph.constant(bias.name, bias.data * vector)
    return op.outputs[0]


def binary(ctx, opcode: str, a, b, out):
    options = (_WITH_ACTIVATION[opcode], {"FusedActivationFunction": 0}) \
        if opcode in _WITH_ACTIVATION else None
    ctx.emit(opcode, [a, b], [out], options)
    return out


@lowers(*_BINARY)
def lower_binary(ctx, node):
    name = node.prim.name
    if name == "add":
        x = composites.sigmoid_input(ctx, node)
        if x is not None:
            out = ctx.output()
            ctx.emit("LOGISTIC", [ctx.tensor(x)], [out])
            return out
        fused = _fold_bias(ctx, node)
        if fused is not None:
            return fused
    if name == "mul":
        x = composites.gelu_input(ctx, node)
        if x is not None:
            out = ctx.output()
            ctx.emit("GELU", [ctx.tensor(x)], [out], ("GeluOptions", {"Approximate": False}))
            return out
        x = composites.hard_swish_input(ctx, node)
        if x is not None:
            out = ctx.output()
            ctx.emit("HARD_SWISH", [ctx.tensor(x)], [out])
            return out
        fused = _fold_scale(ctx, node)
        if fused is not None:
            return fused
    if name == "div":
        from fluxion.lite.mappings.reduce import mean_from_sum

        fused = mean_from_sum(ctx, node)
        if fused is not None:
            return fused
    if name == "minimum":
        bound = ctx.array(node.inputs[1])
        if bound is not None and bound.size == 1 and float(bound.reshape(())) == 6.0:
            fused = upgrade_activation(ctx, node.inputs[0], "RELU", "RELU6")
            if fused is not None:
                return fused
    a, b = ctx.inputs()
    return binary(ctx, _BINARY[name], a, b, ctx.output())


@lowers(*_UNARY)
def lower_unary(ctx, node):
    out = ctx.output()
    ctx.emit(_UNARY[node.prim.name], ctx.inputs(), [out])
    return out


@lowers("identity", "stop_gradient")
def lower_identity(ctx, node):
    return ctx.tensor(node.inputs[0])


@lowers("cast")
def lower_cast(ctx, node):
    out = ctx.output()
    ctx.emit("CAST", ctx.inputs(), [out])
    return out


@lowers("expm1", "log1p")
def lower_expm1_log1p(ctx, node):
    """exp(x) - 1 and log(1 + x): TFLite has neither as one operator."""
    one = ctx.graph.constant(ctx.hint("one"), np.float32(1.0))
    x, out = ctx.tensor(node.inputs[0]), ctx.output()
    middle = ctx.graph.tensor(ctx.hint("exp" if node.prim.name == "expm1" else "one_plus"),
                              out.shape, out.dtype)
    if node.prim.name == "expm1":
        ctx.emit("EXP", [x], [middle])
        return binary(ctx, "SUB", middle, one, out)
    binary(ctx, "ADD", x, one, middle)
    ctx.emit("LOG", [middle], [out])
    return out


@lowers("fill_like")
def lower_fill_like(ctx, node):
    """A tensor shaped like the input, every element ``value``: ZEROS_LIKE for 0, else
    FILL over the input's SHAPE."""
    x, out = ctx.tensor(node.inputs[0]), ctx.output()
    value = node.attrs["value"]
    if value == 0:
        ctx.emit("ZEROS_LIKE", [x], [out])
        return out
    shape = ctx.graph.tensor(ctx.hint("shape"), (len(x.shape),), np.int32)
    ctx.emit("SHAPE", [x], [shape], ("ShapeOptions", {"OutType": 2}))
    ctx.emit("FILL", [shape, ctx.graph.constant(ctx.hint("value"),
                                                np.asarray(value, out.dtype))], [out])
    return out


@lowers("select")
def lower_select(ctx, node):
    leaky = composites.leaky_relu_alpha(ctx, node)
    if leaky is not None:
        out = ctx.output()
        ctx.emit("LEAKY_RELU", [ctx.tensor(leaky[0])], [out],
                 ("LeakyReluOptions", {"Alpha": leaky[1]}))
        return out
    x = composites.elu_input(ctx, node)
    if x is not None:
        out = ctx.output()
        ctx.emit("ELU", [ctx.tensor(x)], [out])
        return out
    out = ctx.output()
    ctx.emit("SELECT_V2", ctx.inputs(), [out])
    return out
