"""``Dot``: per-example dot products between two tensors along chosen axes."""

from __future__ import annotations

import string

from fluxion.keras.layers.merging.base_merge import Merge
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import expand_dims
from fluxion.ops.linalg_ops import einsum
from fluxion.ops.nn_ops import l2_normalize


@keras_class("keras.layers")
class Dot(Merge):
    """Contracts ``axes[0]`` of ``x1`` with ``axes[1]`` of ``x2`` for each example.

    The output has ``x1``'s remaining axes followed by ``x2``'s remaining non-batch axes;
    a result with only the batch axis gets a trailing axis of size 1.  With
    ``normalize=True`` both inputs are L2-normalised along the axes first (cosine
    similarity).

    >>> import numpy as np
    >>> Dot(axes=1)([np.array([[1.0, 2.0]], "float32"), np.array([[3.0, 4.0]], "float32")]).numpy()
    array([[11.]], dtype=float32)
    """

    def __init__(self, axes, normalize: bool = False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(axes, int):
            if not isinstance(axes, (list, tuple)):
                raise TypeError("Invalid type for argument `axes`: it should be a list or an "
                                f"int. Received: axes={axes}")
            if len(axes) != 2:
                raise ValueError("Invalid format for argument `axes`: it should contain two "
                                 f"elements. Received: axes={axes}")
            if not isinstance(axes[0], int) or not isinstance(axes[1], int):
                raise ValueError("Invalid format for argument `axes`: list elements should be "
                                 f"integers. Received: axes={axes}")
        self.axes = axes
        self.normalize = normalize
        self.supports_masking = True

    def _resolved_axes(self, rank1: int, rank2: int) -> list:
        axes = [self.axes, self.axes] if isinstance(self.axes, int) else list(self.axes)
        return [axes[0] % rank1 if axes[0] < 0 else axes[0],
                axes[1] % rank2 if axes[1] < 0 else axes[1]]

    def build(self, input_shape) -> None:
        if not isinstance(input_shape[0], (tuple, list)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = input_shape
        axes = self._resolved_axes(len(shape1), len(shape2))
        if shape1[axes[0]] != shape2[axes[1]]:
            raise ValueError(f"Incompatible input shapes: axis values {shape1[axes[0]]} (at "
                             f"axis {axes[0]}) != {shape2[axes[1]]} (at axis {axes[1]}). Full "
                             f"input shapes: {tuple(shape1)}, {tuple(shape2)}")
        self.built = True

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Dot` layer should be called on exactly 2 inputs. Received: "
                             f"inputs={inputs}")
        x1, x2 = inputs
        axes = self._resolved_axes(x1.ndim, x2.ndim)
        if self.normalize:
            x1 = l2_normalize(x1, axis=axes[0])
            x2 = l2_normalize(x2, axis=axes[1])
        return batch_dot(x1, x2, axes)

    def compute_output_shape(self, input_shape):
        if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
            raise ValueError("A `Dot` layer should be called on a list of 2 inputs. Received: "
                             f"input_shape={input_shape}")
        shape1, shape2 = list(input_shape[0]), list(input_shape[1])
        axes = self._resolved_axes(len(shape1), len(shape2))
        shape1.pop(axes[0])
        shape2.pop(axes[1])
        shape2.pop(0)
        output = shape1 + shape2
        return tuple(output + [1] if len(output) == 1 else output)

    def compute_mask(self, inputs, mask=None):
        return None

    def get_config(self) -> dict:
        return {**super().get_config(), "axes": self.axes, "normalize": self.normalize}


def batch_dot(x, y, axes: list):
    """Keras's ``batch_dot`` for one contracted axis per input, as a single einsum."""
    rank_x, rank_y = x.ndim, y.ndim
    if rank_x < 2 or rank_y < 2:
        raise ValueError(f"Cannot do batch_dot on inputs with rank < 2. Received inputs with "
                         f"shapes {tuple(x.shape)} and {tuple(y.shape)}.")
    if 0 in axes:
        raise ValueError("Cannot perform batch_dot over axis 0. If your inputs are not "
                         "batched, add a dummy batch dimension to your inputs using "
                         "keras.ops.expand_dims(x, 0)")
    letters = iter(string.ascii_letters[2:])
    x_labels = ["a"] + [next(letters) for _ in range(rank_x - 1)]
    x_labels[axes[0]] = "b"
    y_labels = ["a"] + [next(letters) for _ in range(rank_y - 1)]
    y_labels[axes[1]] = "b"
    out = [c for c in x_labels if c != "b"] + [c for c in y_labels[1:] if c != "b"]
    result = einsum(f"{''.join(x_labels)},{''.join(y_labels)}->{''.join(out)}", x, y)
    return expand_dims(result, -1) if len(out) == 1 else result


def dot(inputs, axes=-1, **kwargs):
    """Functional form of ``Dot``."""
    return Dot(axes=axes, **kwargs)(inputs)
