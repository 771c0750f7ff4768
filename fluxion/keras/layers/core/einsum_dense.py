"""``EinsumDense``: a dense layer whose contraction is an einsum equation.

The equation ``"<input>,<kernel>-><output>"`` (optionally with ``...`` on the left or the
right of the input and output) fixes the kernel's shape: each kernel label takes its size
from the output (``output_shape``, batch excluded) or, failing that, from the input.
"""

from __future__ import annotations

import re

from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.core.dense import _refuse_unsupported
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.linalg_ops import einsum


@keras_class("keras.layers")
class EinsumDense(Layer):
    """A dense layer computed with ``einsum(equation, inputs, kernel) + bias``.

    >>> import numpy as np
    >>> EinsumDense("abc,cd->abd", output_shape=(None, 4))(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 3, 4])
    """

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, equation: str, output_shape, activation=None, bias_axes=None,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, kernel_constraint=None,
                 bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        _refuse_unsupported("EinsumDense", lora_rank, quantization_config)
        super().__init__(**kwargs)
        self.equation = equation
        if isinstance(output_shape, int):
            self.partial_output_shape = (output_shape,)
        else:
            self.partial_output_shape = tuple(output_shape)
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.full_output_shape = None
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        kernel_shape, bias_shape, full_output_shape = analyze_einsum_string(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape)
        if any(d is None for d in kernel_shape):
            raise ValueError(f'Layer "{self.name}" (EinsumDense) could not infer the kernel '
                             f"shape {kernel_shape} for equation '{self.equation}' from input "
                             f"shape {tuple(input_shape)} and output_shape "
                             f"{self.partial_output_shape}: every kernel dimension must be "
                             f"known.")
        self.full_output_shape = tuple(full_output_shape)
        self.input_spec = InputSpec(ndim=len(input_shape))
        self.kernel = self.add_weight(name="kernel", shape=tuple(kernel_shape),
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(name="bias", shape=tuple(bias_shape),
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs, training=None):
        x = einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(analyze_einsum_string(self.equation, self.bias_axes, tuple(input_shape),
                                           self.partial_output_shape)[2])

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "output_shape": list(self.partial_output_shape),
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "activity_regularizer": serialize_keras_object(self.activity_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "quantization_config": None,
        })
        return config


def analyze_einsum_string(equation: str, bias_axes, input_shape: tuple, output_shape) -> tuple:
    """``(kernel_shape, bias_shape or None, full_output_shape)`` for an EinsumDense equation."""
    dotted = re.sub(r"\.\.\.", "0", equation)
    for pattern, left_elided in ((r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
                                 (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
                                 (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False)):
        match = re.match(pattern, dotted)
        if match:
            return _analyze_split(*match.groups(), bias_axes, input_shape, output_shape,
                                  left_elided)
    raise ValueError(f"Invalid einsum equation '{equation}'. Equations must be in the form "
                     f"[X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....")


def _analyze_split(input_spec: str, weight_spec: str, output_spec: str, bias_axes,
                   input_shape: tuple, output_shape, left_elided: bool) -> tuple:
    elided = len(input_shape) - len(input_spec)
    output_shape = [output_shape] if isinstance(output_shape, int) else list(output_shape)
    output_shape.insert(0, input_shape[0])
    if elided > 0 and left_elided:
        for i in range(1, elided):
            output_shape.insert(1, input_shape[i])
    elif elided > 0:
        output_shape.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        input_dims = {dim: i + elided - len(input_shape) for i, dim in enumerate(input_spec)}
        output_dims = {dim: i + elided for i, dim in enumerate(output_spec)}
    else:
        input_dims = {dim: i for i, dim in enumerate(input_spec)}
        output_dims = {dim: i for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        if dim in output_dims:
            given, wanted = input_shape[input_dims[dim]], output_shape[output_dims[dim]]
            if wanted is not None and wanted != given:
                raise ValueError(f"Input shape and output shape do not match at shared "
                                 f"dimension '{dim}'. Input shape is {given}, and output shape "
                                 f"is {wanted}.")
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(f"Dimension '{dim}' was specified in the output '{output_spec}' "
                             f"but has no corresponding dim in the input spec '{input_spec}' "
                             f"or weight spec '{weight_spec}'")
    kernel_shape = []
    for dim in weight_spec:
        if dim in output_dims:
            kernel_shape.append(output_shape[output_dims[dim]])
        elif dim in input_dims:
            kernel_shape.append(input_shape[input_dims[dim]])
        else:
            raise ValueError(f"Weight dimension '{dim}' did not have a match in either the "
                             f"input spec '{input_spec}' or the output spec '{output_spec}'. "
                             f"For this layer, the weight must be fully specified.")
    bias_shape = None
    if bias_axes is not None:
        offset = elided if left_elided else 0
        sizes = {char: output_shape[i + offset] for i, char in enumerate(output_spec)}
        for char in bias_axes:
            if char not in output_spec:
                raise ValueError(f"Bias dimension '{char}' was requested, but is not part of "
                                 f"the output spec '{output_spec}'")
        first = min(output_spec.find(char) for char in bias_axes)
        bias_shape = [sizes[c] if c in bias_axes else 1 for c in output_spec[first:]]
        if not left_elided:
            bias_shape.extend([1] * elided)
    return kernel_shape, bias_shape, output_shape
