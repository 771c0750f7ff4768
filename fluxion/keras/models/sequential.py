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

    weights_file_kind = "Sequential"  # the object type Keras writes in weights files

    def __init__(self, layers=None, trainable: bool = True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._input_layer = None
        self._stack: list[Layer] = []
        self._layout_nodes: list = []  # (layer, node) of the symbolic layout
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
            ids, names = self._stack_index()
            if id(layer) in ids:
                raise ValueError(f"Layer {layer.name} is already in the model.")
            if layer.name in names:
                raise ValueError(f'All layers added to a Sequential model should have unique '
                                 f'names. Name "{layer.name}" is already the name of a layer '
                                 f'in this model.')
            if not self._stack and self._input_layer is None and layer._input_shape_arg:
                self._input_layer = InputLayer(shape=layer._input_shape_arg)
            self._stack.append(layer)
            ids.add(id(layer))
            names.add(layer.name)
            self._track_layer(layer)
        else:
            raise TypeError(f"Sequential.add expects a keras layer, got {layer!r}")
        self.built = False
        if rebuild:
            self._maybe_lay_out()

    def _stack_index(self) -> tuple[set, set]:
        """Ids and names of the stacked layers, kept in step with ``_stack`` so that adding
        n layers costs O(n), not O(n^2) (rebuilt whenever the stack changed size)."""
        cached = self.__dict__.get("_stack_index_cache")
        if cached is None or len(cached[0]) != len(self._stack):
            cached = ({id(layer) for layer in self._stack},
                      {layer.name for layer in self._stack})
            object.__setattr__(self, "_stack_index_cache", cached)
        return cached

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
        self._drop_stale_layout()
        if self._input_layer is None or not self._stack:
            self.built = self._input_layer is not None and not self._stack
            self.inputs = self.outputs = None
            return
        inputs = self._input_layer.output
        x = inputs
        for layer in self._stack:
            x = layer(x)
            self._layout_nodes.append((layer, layer._inbound_nodes[-1]))
        self.inputs, self.outputs = [inputs], [x]
        self.built = True

    def _drop_stale_layout(self) -> None:
        """Forgets the nodes of the previous layout, so ``layer.output`` is the current one.

        Only a layer's latest nodes are dropped: an earlier node may be referenced by index
        from another graph the layer belongs to.
        """
        for layer, node in reversed(self._layout_nodes):
            if layer._inbound_nodes and layer._inbound_nodes[-1] is node:
                layer._inbound_nodes.pop()
        self._layout_nodes = []

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
    def input(self):
        """The input KerasTensor of the stack, once its input shape is known."""
        if self.inputs:
            return self.inputs[0]
        return super().input

    @property
    def output(self):
        """The output KerasTensor of the stack, once its input shape is known."""
        if self.outputs:
            return self.outputs[0]
        return super().output

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
