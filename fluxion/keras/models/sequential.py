"""``Sequential``: a plain stack of layers, each feeding the next.

Once the input shape is known (an ``Input``/``InputLayer`` first, an ``input_shape`` or
``input_dim`` argument on the first layer, or the first call), the stack is also laid
out as a functional graph, which gives ``summary`` its output shapes.
"""

from __future__ import annotations

from fluxion.keras.engine.keras_tensor import KerasTensor
from fluxion.keras.layers.input_layer import Input, InputLayer, conform_to_input
from fluxion.keras.layers.layer import Layer
from fluxion.keras.models.model import Model
from fluxion.keras.saving.serialization import (
    deserialize_keras_object,
    keras_class,
    serialize_keras_object,
)


@keras_class("keras")
class Sequential(Model):
    """A linear stack of layers (``keras.Sequential``).

    >>> from fluxion import keras
    >>> model = Sequential([keras.layers.Input((4,))])
    >>> model.built
    True
    """

    def __init__(self, layers=None, trainable: bool = True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._input_layer = None
        self._stack: list[Layer] = []
        self.outputs = None
        self.inputs = None
        for layer in layers or []:
            self.add(layer, rebuild=False)
        self._maybe_lay_out()

    # --- structure ---------------------------------------------------------------------------
    def add(self, layer, rebuild: bool = True) -> None:
        """Appends a layer (or sets the input, for an ``Input``/``InputLayer``)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_history[0]
        if isinstance(layer, InputLayer):
            if self._input_layer is not None or self._stack:
                raise ValueError("Sequential model: an Input/InputLayer can only be the first "
                                 "layer.")
            self._input_layer = layer
        elif isinstance(layer, Layer):
            if any(existing is layer for existing in self._stack):
                raise ValueError(f"Layer {layer.name} is already in the model.")
            names = {existing.name for existing in self._stack}
            if layer.name in names:
                raise ValueError(f'All layers added to a Sequential model should have unique '
                                 f'names. Name "{layer.name}" is already the name of a layer '
                                 f'in this model.')
            if not self._stack and self._input_layer is None and layer._input_shape_arg:
                self._input_layer = InputLayer(shape=layer._input_shape_arg)
            self._stack.append(layer)
            self._track_layer(layer)
        else:
            raise TypeError(f"Sequential.add expects a keras layer, got {layer!r}")
        self.built = False
        if rebuild:
            self._maybe_lay_out()

    def pop(self, rebuild: bool = True) -> Layer:
        if not self._stack:
            raise TypeError("There are no layers in the model.")
        layer = self._stack.pop()
        self._layers = [existing for existing in self._layers if existing is not layer]
        self.built = False
        if rebuild:
            self._maybe_lay_out()
        return layer

    @property
    def layers(self) -> list:
        return list(self._stack)

    def _maybe_lay_out(self) -> None:
        if self._input_layer is None or not self._stack:
            self.built = self._input_layer is not None and not self._stack
            return
        inputs = self._input_layer.output
        x = inputs
        for layer in self._stack:
            x = layer(x)
        self.inputs, self.outputs = [inputs], [x]
        self.built = True

    def build(self, input_shape=None) -> None:
        if self.built:
            return
        if input_shape is None:
            raise ValueError("Sequential.build needs an input shape (with the batch "
                             "dimension), e.g. build((None, 784)).")
        input_shape = tuple(input_shape)
        self._input_layer = Input(batch_shape=input_shape)._keras_history[0]
        self._build_shapes = input_shape
        self._maybe_lay_out()

    def _maybe_build(self, shapes) -> None:
        if not self.built:
            self.build(shapes if isinstance(shapes, tuple) else tuple(shapes))

    def call(self, inputs, training=None, mask=None):
        x = inputs
        if self._input_layer is not None and not isinstance(inputs, (list, tuple, dict)):
            x = conform_to_input(inputs, self._input_layer._dtype_name)
        for layer in self._stack:
            x = layer(x)
        return x

    @property
    def input_shape(self):
        return self._input_layer.batch_shape if self._input_layer is not None else None

    @property
    def output_shape(self):
        if not self.outputs:
            raise AttributeError(f"Sequential model {self.name} has no defined output shape "
                                 f"yet: it is not built.")
        return self.outputs[0].shape

    def compute_output_spec(self, *args, **kwargs):
        from fluxion.keras.engine.keras_tensor import trace_output_spec

        return trace_output_spec(self, args, kwargs)

    # --- configuration ----------------------------------------------------------------------------
    def get_config(self) -> dict:
        layers = []
        if self._input_layer is not None:
            layers.append(serialize_keras_object(self._input_layer))
        for layer in self._stack:
            entry = serialize_keras_object(layer)
            build = layer.get_build_config()
            if build is not None:
                entry["build_config"] = build
            layers.append(entry)
        config = {"name": self.name, "trainable": self.trainable, "dtype":
                  serialize_keras_object(self.dtype_policy), "layers": layers}
        if self._build_shapes is not None:
            config["build_input_shape"] = list(self._build_shapes)
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config["layers"]:
            layer = deserialize_keras_object(entry, custom_objects)
            model.add(layer, rebuild=False)
        model._maybe_lay_out()
        if not model.built and config.get("build_input_shape"):
            model.build(tuple(config["build_input_shape"]))
        return model
