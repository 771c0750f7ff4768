"""``PReLU``: a leaky rectifier whose negative slope ``alpha`` is learned."""

from __future__ import annotations

from fluxion.keras import constraints, initializers, regularizers
from fluxion.keras.layers.input_spec import InputSpec
from fluxion.keras.layers.layer import Layer
from fluxion.keras.saving.serialization import keras_class, serialize_keras_object
from fluxion.ops.nn_ops import relu


@keras_class("keras.layers")
class PReLU(Layer):
    """``relu(x) - alpha * relu(-x)`` with one ``alpha`` per input element, or shared
    along ``shared_axes`` (1-based, batch excluded).

    >>> import numpy as np
    >>> PReLU(alpha_initializer="ones")(np.array([[-1.0, 2.0]], "float32")).numpy()
    array([[-1.,  2.]], dtype=float32)
    """

    _casts_integer_inputs = True  # uint8 images, bool one-hots: as Keras promotes them

    def __init__(self, alpha_initializer="Zeros", alpha_regularizer=None, alpha_constraint=None,
                 shared_axes=None, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = constraints.get(alpha_constraint)
        if shared_axes is None:
            self.shared_axes = None
        elif not isinstance(shared_axes, (list, tuple)):
            self.shared_axes = [shared_axes]
        else:
            self.shared_axes = list(shared_axes)
        self.alpha = None

    def build(self, input_shape) -> None:
        param_shape = list(input_shape[1:])
        for axis in self.shared_axes or ():
            if not 1 <= axis < len(input_shape):
                raise ValueError(f'Layer "{self.name}" (PReLU): shared_axes must be between 1 '
                                 f"and {len(input_shape) - 1} for inputs of shape "
                                 f"{tuple(input_shape)}; received shared_axes="
                                 f"{self.shared_axes}")
            param_shape[axis - 1] = 1
        if any(d is None for d in param_shape):
            raise ValueError(f'Layer "{self.name}" (PReLU) needs every non-batch dimension that '
                             f"is not in shared_axes to be known; got input shape "
                             f"{tuple(input_shape)}. Share the unknown axes with shared_axes.")
        self.alpha = self.add_weight(shape=param_shape, name="alpha",
                                     initializer=self.alpha_initializer,
                                     regularizer=self.alpha_regularizer,
                                     constraint=self.alpha_constraint)
        axes = {}
        if self.shared_axes:
            axes = {i: input_shape[i] for i in range(1, len(input_shape))
                    if i not in self.shared_axes}
        self.input_spec = InputSpec(ndim=len(input_shape), axes=axes)
        self.built = True

    def call(self, inputs):
        return relu(inputs) - self.alpha * relu(-inputs)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def get_config(self) -> dict:
        return {**super().get_config(),
                "alpha_initializer": serialize_keras_object(self.alpha_initializer),
                "alpha_regularizer": serialize_keras_object(self.alpha_regularizer),
                "alpha_constraint": serialize_keras_object(self.alpha_constraint),
                "shared_axes": self.shared_axes}
