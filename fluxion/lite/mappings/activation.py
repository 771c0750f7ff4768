"""TFLite for the activation primitives: relu (fused into the operator before it when it
can be, as TF's converter does), softmax, log_softmax; relu6 and relu_n1_to_1 arrive
as ``minimum``/``maximum`` after a relu and are fused in ``elementwise``."""

from __future__ import annotations

from fluxion.lite.mappings import ACTIVATIONS, lowers

# operators with a fused_activation_function option, and that option's table
FUSABLE_ACTIVATION = ("FULLY_CONNECTED", "CONV_2D", "DEPTHWISE_CONV_2D", "ADD", "SUB", "MUL",
                      "DIV", "MAX_POOL_2D", "AVERAGE_POOL_2D", "CONCATENATION")


def fuse_activation(ctx, value, activation: str):
    """Sets ``activation`` on the operator computing ``value`` when it has none yet;
    returns that operator's output, or None when no fusion applies."""
    op = ctx.fusable_producer(value, *FUSABLE_ACTIVATION)
    if op is None or op.option("FusedActivationFunction", 0) != ACTIVATIONS["NONE"]:
        return None
    op.set_option("FusedActivationFunction", ACTIVATIONS[activation])
    return op.outputs[0]


def upgrade_activation(ctx, value, before: str, after: str):
    """Turns the fused ``before`` activation of ``value``'s operator into ``after``
    (a relu followed by min(., 6) is RELU6)."""
    op = ctx.fusable_producer(value, *FUSABLE_ACTIVATION, "RELU")
    if op is None:
        return None
    if op.opcode == "RELU" and before == "RELU":
        op.opcode = after
        return op.outputs[0]
    if op.option("FusedActivationFunction", 0) == ACTIVATIONS[before]:
        op.set_option("FusedActivationFunction", ACTIVATIONS[after])
        return op.outputs[0]
    return None


@lowers("relu")
def lower_relu(ctx, node):
    fused = fuse_activation(ctx, node.inputs[0], "RELU")
    if fused is not None:
        return fused
    out = ctx.output()
    ctx.emit("RELU", ctx.inputs(), [out])
    return out


def _last_axis(ctx, node) -> None:
    rank = len(node.inputs[0].aval.shape)
    if node.attrs["axis"] not in (-1, rank - 1):
        raise ctx.unsupported(f"over axis {node.attrs['axis']} of a rank-{rank} tensor: "
                              f"TFLite's softmax runs over the last axis only")


@lowers("softmax")
def lower_softmax(ctx, node):
    _last_axis(ctx, node)
    out = ctx.output()
    ctx.emit("SOFTMAX", ctx.inputs(), [out], ("SoftmaxOptions", {"Beta": 1.0}))
    return out


@lowers("log_softmax")
def lower_log_softmax(ctx, node):
    _last_axis(ctx, node)
    out = ctx.output()
    ctx.emit("LOG_SOFTMAX", ctx.inputs(), [out])
    return out
