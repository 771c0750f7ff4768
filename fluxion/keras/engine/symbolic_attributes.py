"""What a layer knows about its symbolic calls: ``input``, ``output`` and their shapes.

Every call of a layer on ``KerasTensor`` s records a ``Node`` in ``layer._inbound_nodes``.
``layer.input`` and ``layer.output`` are the tensors of the first such call, as in
Keras 3, so ``keras.Model(inputs=m.inputs, outputs=[l.output for l in m.layers])``
builds a feature extractor from any functional or sequential model.  ``input_shape``
and ``output_shape`` (the tf.keras 2 spellings many programs still use) are the shapes
of those tensors.  ``get_input_at(i)`` / ``get_output_at(i)`` read the i-th call.
"""

from __future__ import annotations

from fluxion.core import nest

_UNSET = object()


class SymbolicAttributes:
    """Mixin for ``Layer``: the tensors and shapes of its symbolic (functional) calls."""

    def _node_attribute(self, index: int, what: str):
        nodes = self._inbound_nodes
        if not nodes:
            raise AttributeError(f"The layer {self.name} has never been called and thus has "
                                 f"no defined {what}.")
        if not -len(nodes) <= index < len(nodes):
            raise ValueError(f"Asked to get the {what} at node {index}, but the layer "
                             f"{self.name} has only {len(nodes)} inbound node(s).")
        node = nodes[index]
        if what == "output":
            return node.outputs
        tensors = node.input_tensors
        if node.is_input:  # an InputLayer: its input is its own output
            return node.outputs
        return tensors[0] if len(tensors) == 1 else list(tensors)

    # Subclasses (and user layers) may assign these; an assigned value wins.
    @property
    def input(self):
        """The input tensor(s) of the layer's first symbolic call."""
        override = self.__dict__.get("_input_override", _UNSET)
        return self._node_attribute(0, "input") if override is _UNSET else override

    @input.setter
    def input(self, value) -> None:
        object.__setattr__(self, "_input_override", value)

    @property
    def output(self):
        """The output tensor(s) of the layer's first symbolic call."""
        override = self.__dict__.get("_output_override", _UNSET)
        return self._node_attribute(0, "output") if override is _UNSET else override

    @output.setter
    def output(self, value) -> None:
        object.__setattr__(self, "_output_override", value)

    @property
    def input_shape(self):
        """The shape of ``input`` (a tuple, or a list of tuples for several inputs)."""
        override = self.__dict__.get("_input_shape_override", _UNSET)
        return _shapes(self.input, "input", self) if override is _UNSET else override

    @input_shape.setter
    def input_shape(self, value) -> None:
        object.__setattr__(self, "_input_shape_override", value)

    @property
    def output_shape(self):
        """The shape of ``output`` (a tuple, or a list of tuples for several outputs)."""
        override = self.__dict__.get("_output_shape_override", _UNSET)
        return _shapes(self.output, "output", self) if override is _UNSET else override

    @output_shape.setter
    def output_shape(self, value) -> None:
        object.__setattr__(self, "_output_shape_override", value)

    def get_input_at(self, node_index: int):
        """The input tensor(s) of the layer's ``node_index``-th symbolic call."""
        return self._node_attribute(node_index, "input")

    def get_output_at(self, node_index: int):
        """The output tensor(s) of the layer's ``node_index``-th symbolic call."""
        return self._node_attribute(node_index, "output")

    def get_input_shape_at(self, node_index: int):
        return _shapes(self.get_input_at(node_index), "input", self)

    def get_output_shape_at(self, node_index: int):
        return _shapes(self.get_output_at(node_index), "output", self)


def _shapes(tensors, what: str, layer):
    try:
        if nest.is_nested(tensors):
            return nest.map_structure(lambda t: tuple(t.shape), tensors)
        return tuple(tensors.shape)
    except AttributeError as error:
        raise AttributeError(f"The layer {layer.name} has no defined {what} shape: its "
                             f"{what} is {tensors!r}.") from error
