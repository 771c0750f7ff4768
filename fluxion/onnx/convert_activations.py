"""ONNX for Keras activation functions and the activation layers.

``activation_nodes`` emits one activation function (Dense's ``activation=``, the
``Activation`` layer); the layer converters below cover ``ReLU``, ``LeakyReLU``, ``ELU``
and ``Softmax``.
"""

from __future__ import annotations

import math

import numpy as np

from fluxion.keras import activations
from fluxion.keras.layers.activations.elu import ELU
from fluxion.keras.layers.activations.leaky_relu import LeakyReLU
from fluxion.keras.layers.activations.relu import ReLU
from fluxion.keras.layers.activations.softmax import Softmax
from fluxion.keras.layers.core.activation import Activation
from fluxion.onnx.errors import UnsupportedLayerError
from fluxion.onnx.registry import converts


def _gelu(graph, x: str, hint: str, approximate: bool) -> str:
    if graph.opset >= 20:
        return graph.node("Gelu", [x], hint, approximate="tanh" if approximate else "none")
    half = graph.constant(np.float32(0.5), f"{hint}/half")
    one = graph.constant(np.float32(1.0), f"{hint}/one")
    if approximate:  # 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        cube = graph.node("Mul", [x, graph.node("Mul", [x, x], hint)], hint)
        inner = graph.node("Add", [x, graph.node("Mul", [cube, graph.constant(
            np.float32(0.044715), f"{hint}/c")], hint)], hint)
        scaled = graph.node("Mul", [inner, graph.constant(
            np.float32(math.sqrt(2 / math.pi)), f"{hint}/k")], hint)
        bracket = graph.node("Add", [one, graph.node("Tanh", [scaled], hint)], hint)
    else:  # 0.5 x (1 + erf(x / sqrt(2)))
        scaled = graph.node("Div", [x, graph.constant(np.float32(math.sqrt(2.0)),
                                                      f"{hint}/sqrt2")], hint)
        bracket = graph.node("Add", [one, graph.node("Erf", [scaled], hint)], hint)
    return graph.node("Mul", [graph.node("Mul", [x, half], hint), bracket], hint)


def _x_times(graph, x: str, hint: str, op_type: str) -> str:
    return graph.node("Mul", [x, graph.node(op_type, [x], hint)], hint)


def _mish(graph, x: str, hint: str) -> str:
    if graph.opset >= 18:
        return graph.node("Mish", [x], hint)
    return graph.node("Mul", [x, graph.node("Tanh", [graph.node("Softplus", [x], hint)],
                                            hint)], hint)


# activation function name -> emitter(graph, x, hint) -> output name
_EMITTERS = {
    "linear": lambda g, x, h: x,
    "relu": lambda g, x, h: g.node("Relu", [x], h),
    "sigmoid": lambda g, x, h: g.node("Sigmoid", [x], h),
    "tanh": lambda g, x, h: g.node("Tanh", [x], h),
    "softmax": lambda g, x, h: g.node("Softmax", [x], h, axis=-1),
    "log_softmax": lambda g, x, h: g.node("LogSoftmax", [x], h, axis=-1),
    "gelu": lambda g, x, h: _gelu(g, x, h, approximate=False),
    "elu": lambda g, x, h: g.node("Elu", [x], h, alpha=1.0),
    "selu": lambda g, x, h: g.node("Selu", [x], h),  # ONNX's default alpha/gamma are SELU's
    "softplus": lambda g, x, h: g.node("Softplus", [x], h),
    "softsign": lambda g, x, h: g.node("Softsign", [x], h),
    "silu": lambda g, x, h: _x_times(g, x, h, "Sigmoid"),
    "exponential": lambda g, x, h: g.node("Exp", [x], h),
    "leaky_relu": lambda g, x, h: g.node("LeakyRelu", [x], h, alpha=0.2),
    "relu6": lambda g, x, h: g.node("Clip", [x, g.constant(np.float32(0), f"{h}/lo"),
                                             g.constant(np.float32(6), f"{h}/hi")], h),
    "hard_sigmoid": lambda g, x, h: g.node("HardSigmoid", [x], h, alpha=1 / 6, beta=0.5),
    "hard_silu": lambda g, x, h: g.node("Mul", [x, g.node("HardSigmoid", [x], h, alpha=1 / 6,
                                                          beta=0.5)], h),
    "mish": _mish,
}


def activation_name(function) -> str | None:
    """The Keras name of a built-in activation function, or None for any other callable."""
    name = getattr(function, "__name__", None)
    if activations.ALL_OBJECTS_DICT.get(name) is function:
        return name
    return None


def activation_nodes(graph, x: str, function, hint: str, layer) -> str:
    """Emits ``function(x)`` for a built-in Keras activation; a clear error otherwise."""
    name = activation_name(function)
    if name in ("swish", "hard_swish"):
        name = {"swish": "silu", "hard_swish": "hard_silu"}[name]
    if name not in _EMITTERS:
        raise UnsupportedLayerError(
            layer, f"its activation {getattr(function, '__name__', function)!r} has no ONNX "
                   f"mapping; supported activations: {sorted(_EMITTERS)}")
    return _EMITTERS[name](graph, x, hint)


@converts(Activation)
def convert_activation(graph, layer, inputs, shapes):
    return activation_nodes(graph, inputs[0], layer.activation, layer.name, layer)


@converts(ReLU)
def convert_relu(graph, layer, inputs, shapes):
    x, hint = inputs[0], layer.name
    slope, threshold = float(layer.negative_slope), float(layer.threshold)
    if threshold == 0 and slope == 0:
        y = graph.node("Relu", [x], hint)
    elif threshold == 0:
        y = graph.node("LeakyRelu", [x], hint, alpha=slope)
    else:  # x where x >= threshold, else slope * (x - threshold)
        t = graph.constant(np.float32(threshold), f"{hint}/threshold")
        below = graph.node("Mul", [graph.node("Sub", [x, t], hint),
                                   graph.constant(np.float32(slope), f"{hint}/slope")], hint)
        y = graph.node("Where", [graph.node("GreaterOrEqual", [x, t], hint), x, below], hint)
    if layer.max_value is not None:
        y = graph.node("Min", [y, graph.constant(np.float32(layer.max_value), f"{hint}/max")],
                       hint)
    return y


@converts(LeakyReLU)
def convert_leaky_relu(graph, layer, inputs, shapes):
    return graph.node("LeakyRelu", [inputs[0]], layer.name, alpha=float(layer.negative_slope))


@converts(ELU)
def convert_elu(graph, layer, inputs, shapes):
    return graph.node("Elu", [inputs[0]], layer.name, alpha=float(layer.alpha))


@converts(Softmax)
def convert_softmax(graph, layer, inputs, shapes):
    axes = layer.axis if isinstance(layer.axis, (list, tuple)) else [layer.axis]
    if len(axes) > 1:  # exp(x - logsumexp(x, axes))
        x = inputs[0]
        lse = graph.reduce("ReduceLogSumExp", x, [int(a) for a in axes], layer.name,
                           keepdims=True)
        return graph.node("Exp", [graph.node("Sub", [x, lse], layer.name)], layer.name)
    return graph.node("Softmax", [inputs[0]], layer.name, axis=int(axes[0]))
