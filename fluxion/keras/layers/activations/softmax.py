"""``Softmax``: normalised exponentials along ``axis``, with masked positions at 0."""

from __future__ import annotations

import numpy as np

from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import where
from fluxion.ops.creation_ops import cast, zeros_like
from fluxion.ops.math_ops import exp, greater
from fluxion.ops.nn_ops import softmax
from fluxion.ops.reduce_ops import reduce_logsumexp


@keras_class("keras.layers")
class Softmax(Layer):
    """Softmax over ``axis`` (an int or a tuple of ints).

    ``call(inputs, mask)``: where ``mask`` is False (or <= 0.5) the logit is replaced by a
    large negative number before the softmax and the probability is set to 0 after it,
    so a fully masked row gives zeros rather than a uniform distribution.

    >>> import numpy as np
    >>> logits = np.array([[1.0, 1.0, 5.0]], "float32")
    >>> Softmax()(logits, mask=np.array([[True, True, False]])).numpy()
    array([[0.5, 0.5, 0. ]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs, mask=None):
        if mask is not None:
            mask = _broadcastable_mask(inputs, mask)
            inputs = where(mask, inputs, zeros_like(inputs) + _large_negative(inputs.dtype))
        if isinstance(self.axis, (tuple, list)) and len(self.axis) > 1:
            outputs = exp(inputs - reduce_logsumexp(inputs, axis=list(self.axis),
                                                    keepdims=True))
        else:
            axis = self.axis[0] if isinstance(self.axis, (tuple, list)) else self.axis
            outputs = softmax(inputs, axis=axis)
        if mask is not None:
            outputs = where(mask, outputs, zeros_like(outputs))
        return outputs

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def _broadcastable_mask(inputs, mask):
    """The mask as bool, checked to broadcast to ``inputs`` (Keras's rule and message)."""
    from fluxion.core.tensor import convert_to_tensor

    mask = convert_to_tensor(mask)
    mask_shape, input_shape = tuple(mask.shape), tuple(inputs.shape)
    if len(mask_shape) > len(input_shape):
        raise ValueError("The `mask` must be broadcastable to `inputs` and must not have more "
                         f"dimensions. Received: inputs.shape={input_shape}, "
                         f"mask.shape={mask_shape}")
    for m_dim, i_dim in zip(mask_shape[::-1], input_shape[::-1]):
        if m_dim is not None and i_dim is not None and m_dim not in (1, i_dim):
            raise ValueError("The `mask` must be broadcastable to `inputs`. Each mask dimension "
                             "must be 1 or match the corresponding input dimension. Received: "
                             f"inputs.shape={input_shape}, mask.shape={mask_shape}")
    if mask.dtype.name != "bool":
        mask = greater(mask, cast(0.5, mask.dtype))
    return mask


def _large_negative(dtype) -> float:
    """Keras's stand-in for -inf: -1e9, or -3e4 for 16-bit floats."""
    return -3e4 if np.dtype(dtype.np_dtype).itemsize == 2 else -1e9
