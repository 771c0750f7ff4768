"""``Concatenate``: joins a list of tensors along ``axis``."""

from __future__ import annotations

from fluxion.keras.engine.tensor_annotations import get_keras_mask
from fluxion.keras.layers.merging.base_merge import Merge
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops.array_ops import concat, expand_dims
from fluxion.ops.creation_ops import cast, ones_like, zeros_like
from fluxion.ops.math_ops import logical_or
from fluxion.ops.reduce_ops import reduce_any


@keras_class("keras.layers")
class Concatenate(Merge):
    """Concatenates inputs whose shapes agree except along ``axis``.

    >>> import numpy as np
    >>> Concatenate()([np.array([[1.0]], "float32"), np.array([[2.0, 3.0]], "float32")]).numpy()
    array([[1., 2., 3.]], dtype=float32)
    """

    def __init__(self, axis=-1, **kwargs):
        super().__init__(**kwargs)
        self.axis = axis
        self.supports_masking = True

    def build(self, input_shape) -> None:
        if not isinstance(input_shape, (list, tuple)) or len(input_shape) < 1 or \
                not isinstance(input_shape[0], (tuple, list)):
            raise ValueError("A `Concatenate` layer should be called on a list of at least 1 "
                             f"input. Received: input_shape={input_shape}")
        ranks = {len(shape) for shape in input_shape}
        error = ("A `Concatenate` layer requires inputs with matching shapes except for the "
                 f"concatenation axis. Received: input_shape={list(input_shape)}")
        if len(ranks) != 1:
            raise ValueError(error)
        rank = ranks.pop()
        axis = self.axis % rank
        for i in range(rank):
            if i == axis:
                continue
            sizes = {shape[i] for shape in input_shape} - {None}
            if len(sizes) > 1:
                raise ValueError(error)
        self.built = True

    def _merge_function(self, inputs):
        from fluxion.keras.ops.promotion import promote

        # As keras.ops.concatenate: mixed dtypes (int64 lookups beside float32 features)
        # are promoted to their common type first.
        return concat(list(promote(*inputs)), axis=self.axis)

    def compute_output_shape(self, input_shape):
        output = list(input_shape[0])
        for shape in input_shape[1:]:
            if output[self.axis] is None or shape[self.axis] is None:
                output[self.axis] = None
                break
            output[self.axis] += shape[self.axis]
        return tuple(output)

    def compute_mask(self, inputs, mask=None):
        if mask is None:  # the layer base passes masks only to layers whose call takes one
            mask = [get_keras_mask(x) for x in inputs]
        if not isinstance(mask, (tuple, list)):
            raise ValueError(f"`mask` should be a list. Received mask={mask}")
        if len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length. "
                             f"Received: inputs={inputs} of length {len(inputs)}, and "
                             f"mask={mask} of length {len(mask)}")
        if all(m is None for m in mask):
            return None
        full = []
        for x, m in zip(inputs, mask):
            if m is None:
                full.append(cast(ones_like(x), "bool"))
            elif m.ndim < x.ndim:  # a per-timestep mask: broadcast over the features
                full.append(logical_or(expand_dims(m, -1), cast(zeros_like(x), "bool")))
            else:
                full.append(m)
        return reduce_any(concat(full, axis=self.axis), axis=-1)

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


def concatenate(inputs, axis=-1, **kwargs):
    """Functional form of ``Concatenate``."""
    return Concatenate(axis=axis, **kwargs)(inputs)
