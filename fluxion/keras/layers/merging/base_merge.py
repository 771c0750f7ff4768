"""``Merge``: the base of layers that combine a list of tensors elementwise.

Shapes follow Keras: the batch sizes must agree; the other axes broadcast (sizes equal
or 1, aligned from the right); inputs of lower rank get axes inserted after the batch
axis.  Masks combine with a logical OR (Keras's rule for Add, Subtract, Average...).
"""

from __future__ import annotations

from fluxion.keras.engine.tensor_annotations import get_keras_mask, set_keras_mask
from fluxion.keras.layers.layer import Layer
from fluxion.ops.array_ops import expand_dims
from fluxion.ops.math_ops import logical_or


class Merge(Layer):
    """Generic merge layer; subclasses define ``_merge_function(list_of_tensors)``."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self._reshape_required = False

    def _merge_function(self, inputs):
        raise NotImplementedError

    def build(self, input_shape) -> None:
        check_is_list_of_shapes(input_shape, type(self).__name__)
        batch_sizes = {s[0] for s in input_shape if s} - {None}
        if len(batch_sizes) > 1:
            raise ValueError("Cannot merge tensors with different batch sizes. Received tensors "
                             f"with shapes {list(input_shape)}")
        merged_shape(input_shape)  # validates broadcasting
        self._reshape_required = len({len(s) for s in input_shape}) != 1
        self.built = True

    def call(self, inputs):
        if not isinstance(inputs, (list, tuple)):
            raise ValueError("A merge layer should be called on a list of inputs. Received: "
                             f"inputs={inputs} (not a list of tensors)")
        if self._reshape_required:
            max_rank = max(x.ndim for x in inputs)
            expanded = []
            for x in inputs:
                mask = get_keras_mask(x)
                for _ in range(max_rank - x.ndim):
                    x = expand_dims(x, 1)
                if mask is not None:
                    set_keras_mask(x, mask)
                expanded.append(x)
            inputs = expanded
        return self._merge_function(list(inputs))

    def compute_output_shape(self, input_shape):
        return merged_shape(input_shape)

    def compute_mask(self, inputs, mask=None):
        if mask is None:  # the layer base passes masks only to layers whose call takes one
            mask = [get_keras_mask(x) for x in inputs] \
                if isinstance(inputs, (list, tuple)) else None
        if mask is None:
            return None
        if not isinstance(mask, (tuple, list)):
            raise ValueError(f"`mask` should be a list. Received: mask={mask}")
        if len(mask) != len(inputs):
            raise ValueError("The lists `inputs` and `mask` should have the same length. "
                             f"Received: inputs={inputs} of length {len(inputs)}, and "
                             f"mask={mask} of length {len(mask)}")
        if any(m is None for m in mask):
            return None
        output_mask = mask[0]
        for m in mask[1:]:
            output_mask = logical_or(output_mask, m)
        return output_mask


def check_is_list_of_shapes(input_shape, layer: str) -> None:
    if not isinstance(input_shape, (list, tuple)) or not input_shape or \
            not isinstance(input_shape[0], (tuple, list)):
        raise ValueError(f"A `{layer}` layer should be called on a list of inputs. Received: "
                         f"input_shape={input_shape} (not a list of shapes)")


def elementwise_shape(shape1, shape2):
    """The broadcast shape of two non-batch shapes (Keras's merge rule)."""
    if shape1 is None or shape2 is None:
        return None
    if len(shape1) < len(shape2):
        return elementwise_shape(shape2, shape1)
    if not shape2:
        return tuple(shape1)
    output = list(shape1[:-len(shape2)])
    for i, j in zip(shape1[-len(shape2):], shape2):
        if i is None or j is None:
            output.append(None)
        elif i == 1:
            output.append(j)
        elif j == 1 or i == j:
            output.append(i)
        else:
            raise ValueError(f"Inputs have incompatible shapes. Received shapes {tuple(shape1)} "
                             f"and {tuple(shape2)}")
    return tuple(output)


def merged_shape(input_shapes) -> tuple:
    output = tuple(input_shapes[0][1:])
    for shape in input_shapes[1:]:
        output = elementwise_shape(output, tuple(shape[1:]))
    batch_sizes = {s[0] for s in input_shapes if s} - {None}
    batch = batch_sizes.pop() if len(batch_sizes) == 1 else None
    return (batch,) + tuple(output)
