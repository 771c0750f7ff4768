"""The activations TFLite fuses into an operator (``FusedActivationFunction``)."""

from __future__ import annotations

import numpy as np

from fluxion.lite.interpreter.kernels.fixed_point import activation_range


def apply_float(x: np.ndarray, activation: int) -> np.ndarray:
    if activation == 0:
        return x
    if activation == 1:
        return np.maximum(x, 0)
    if activation == 2:
        return np.clip(x, -1, 1)
    if activation == 3:
        return np.clip(x, 0, 6)
    if activation == 4:
        return np.tanh(x)
    if activation == 5:  # SIGN_BIT
        return np.signbit(x).astype(x.dtype)
    raise ValueError(f"unknown fused activation function {activation}")


def quantized_range(call, activation_field: str = "FusedActivationFunction"
                    ) -> tuple[int, int]:
    """The clamp of the operator's quantized output for its fused activation."""
    return activation_range(call.option(activation_field, 0), call.output_infos[0])
