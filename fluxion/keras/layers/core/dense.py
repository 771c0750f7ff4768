"""``Dense``: ``activation(inputs @ kernel + bias)`` on the last axis of any-rank inputs."""

from __future__ import annotations

from fluxion.keras import activations, constraints, initializers, regularizers
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.linalg_ops import matmul, tensordot


@keras_class("keras.layers")
class Dense(Layer):
    """A densely connected layer (``keras.layers.Dense``).

    >>> import numpy as np
    >>> Dense(4)(np.ones((2, 3, 5), "float32")).shape
    TensorShape([2, 3, 4])
    """

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, units, activation=None, use_bias: bool = True,
                 kernel_initializer="glorot_uniform", bias_initializer="zeros",
                 kernel_regularizer=None, bias_regularizer=None, activity_regularizer=None,
                 kernel_constraint=None, bias_constraint=None, lora_rank=None, lora_alpha=None,
                 quantization_config=None, **kwargs):
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError("Received an invalid value for `units`, expected a positive "
                             f"integer. Received: units={units}")
        _refuse_unsupported("Dense", lora_rank, quantization_config)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.input_spec = InputSpec(min_ndim=2)
        self.supports_masking = True
        self.kernel = None
        self.bias = None

    def build(self, input_shape) -> None:
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(f'Layer "{self.name}" (Dense) needs the last dimension of its '
                             f"inputs to be defined, but got input shape {tuple(input_shape)}.")
        self.kernel = self.add_weight(shape=(input_dim, self.units), name="kernel",
                                      initializer=self.kernel_initializer,
                                      regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.units,), name="bias",
                                        initializer=self.bias_initializer,
                                        regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_dim})
        self.built = True

    def call(self, inputs):
        if inputs.ndim == 2:
            x = matmul(inputs, self.kernel)
        else:  # contract the last axis only: (..., d) x (d, units) -> (..., units)
            x = tensordot(inputs, self.kernel, [[inputs.ndim - 1], [0]])
        if self.bias is not None:
            x = x + self.bias
        return self.activation(x)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)[:-1] + (self.units,)

    def get_config(self) -> dict:
        config = super().get_config()
        config.update({
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": serialize_keras_object(self.kernel_initializer),
            "bias_initializer": serialize_keras_object(self.bias_initializer),
            "kernel_regularizer": serialize_keras_object(self.kernel_regularizer),
            "bias_regularizer": serialize_keras_object(self.bias_regularizer),
            "kernel_constraint": serialize_keras_object(self.kernel_constraint),
            "bias_constraint": serialize_keras_object(self.bias_constraint),
            "quantization_config": None,
        })
        return config


def _refuse_unsupported(layer: str, lora_rank, quantization_config) -> None:
    """LoRA and quantization are Keras 3 options Fluxion does not implement yet."""
    if lora_rank is not None:
        raise NotImplementedError(f"{layer}(lora_rank=...) is not supported by Fluxion yet; "
                                  f"remove the argument.")
    if quantization_config is not None:
        raise NotImplementedError(f"{layer}(quantization_config=...) is not supported by "
                                  f"Fluxion yet; remove the argument.")
