"""Activations by name (``keras.activations``). Minimal seed version; extended by its owner."""

from __future__ import annotations

from fluxion.ops import nn


def linear(x):
    return x


relu = nn.relu
softmax = nn.softmax
sigmoid = nn.sigmoid
tanh = nn.tanh


def get(identifier):
    if identifier is None:
        return linear
    if callable(identifier):
        return identifier
    found = globals().get(identifier)
    if found is None or not callable(found):
        raise ValueError(f"Could not interpret activation function identifier: {identifier}")
    return found


def serialize(activation) -> str:
    return getattr(activation, "__name__", "linear")
