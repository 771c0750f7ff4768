"""``Add``, ``Subtract``, ``Multiply``, ``Average``, ``Maximum``, ``Minimum`` and their
functional forms (``keras.layers.add(inputs)``...)."""

from __future__ import annotations

from fluxion.keras.engine.tensor_annotations import get_keras_mask, set_keras_mask
from fluxion.keras.layers.merging.base_merge import Merge
from fluxion.keras.saving.serialization import keras_class
from fluxion.ops import math_ops
from fluxion.ops.array_ops import expand_dims, where
from fluxion.ops.creation_ops import ones_like, zeros_like
from fluxion.ops.math_ops import logical_or
from fluxion.ops.reduce_ops import reduce_any


@keras_class("keras.layers")
class Add(Merge):
    """Sums a list of tensors of one shape (or broadcastable shapes).

    >>> import numpy as np
    >>> Add()([np.array([1.0, 2.0], "float32"), np.array([3.0, 4.0], "float32")]).numpy()
    array([4., 6.], dtype=float32)
    """

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output


@keras_class("keras.layers")
class Subtract(Merge):
    """``inputs[0] - inputs[1]`` (exactly two inputs)."""

    def build(self, input_shape) -> None:
        super().build(input_shape)
        if len(input_shape) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: input_shape={list(input_shape)}")

    def _merge_function(self, inputs):
        if len(inputs) != 2:
            raise ValueError("A `Subtract` layer should be called on exactly 2 inputs. "
                             f"Received: inputs={inputs}")
        return inputs[0] - inputs[1]


@keras_class("keras.layers")
class Average(Merge):
    """The elementwise mean of a list of tensors."""

    def _merge_function(self, inputs):
        output = inputs[0]
        for x in inputs[1:]:
            output = output + x
        return output / float(len(inputs))


@keras_class("keras.layers")
class Multiply(Merge):
    """The elementwise product; masked entries of one input count as 1 (Keras's rule)."""

    def _merge_function(self, inputs):
        masks = [get_keras_mask(x) for x in inputs]
        has_output_mask = all(m is not None for m in masks)
        output, output_mask = None, None
        for x, mask in zip(inputs, masks):
            if mask is not None:
                mask = _expanded_mask(mask, x)
                x = where(mask, x, ones_like(x))
                if has_output_mask:
                    output_mask = mask if output_mask is None else logical_or(output_mask, mask)
            output = x if output is None else output * x
        if has_output_mask:
            output = where(output_mask, output, zeros_like(output))
            set_keras_mask(output, reduce_any(output_mask, axis=-1))
        return output


class _OrMaskedMerge(Merge):
    """Maximum/Minimum: no identity element, so masked entries take the other input's value."""

    def _op(self, a, b):
        raise NotImplementedError

    def _merge_function(self, inputs):
        output, output_mask = None, None
        for x in inputs:
            mask = get_keras_mask(x)
            if mask is not None:
                mask = _expanded_mask(mask, x)
            if output is None:
                output, output_mask = x, mask
                continue
            if mask is not None:
                x = where(mask, x, output)
            if output_mask is not None:
                output = where(output_mask, output, x)
            output_mask = logical_or(output_mask, mask) \
                if mask is not None and output_mask is not None else None
            output = self._op(output, x)
        if output_mask is not None:
            set_keras_mask(output, reduce_any(output_mask, axis=-1))
        return output


@keras_class("keras.layers")
class Maximum(_OrMaskedMerge):
    """The elementwise maximum of a list of tensors."""

    def _op(self, a, b):
        return math_ops.maximum(a, b)


@keras_class("keras.layers")
class Minimum(_OrMaskedMerge):
    """The elementwise minimum of a list of tensors."""

    def _op(self, a, b):
        return math_ops.minimum(a, b)


def _expanded_mask(mask, x):
    """A per-timestep mask ``(batch, steps)`` made to broadcast over the features of ``x``."""
    return expand_dims(mask, -1)


def add(inputs, **kwargs):
    """Functional form of ``Add``: ``add([x1, x2])``."""
    return Add(**kwargs)(inputs)


def subtract(inputs, **kwargs):
    """Functional form of ``Subtract``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs, **kwargs):
    """Functional form of ``Multiply``."""
    return Multiply(**kwargs)(inputs)


def average(inputs, **kwargs):
    """Functional form of ``Average``."""
    return Average(**kwargs)(inputs)


def maximum(inputs, **kwargs):
    """Functional form of ``Maximum``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs, **kwargs):
    """Functional form of ``Minimum``."""
    return Minimum(**kwargs)(inputs)
